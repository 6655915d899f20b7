//! Komet Sales' records: company tokens and payments with their status.

use crate::ledger::table::Table;
use crate::ledger::vendor::Records;

use serde::{Deserialize, Serialize};

use super::lifecycle::KometState;

/// Komet Sales' records.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Tokens of companies (the only valid kind for this method).
    pub(crate) company_tokens: Vec<String>,
    /// Payments by id.
    pub(crate) payments: Table<u128, Payment>,
}

/// A Komet Sales payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// Its status.
    pub(crate) status: KometState,
}

impl Records for State {
    /// Komet's invariants: none beyond the types (every status is a real one).
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}
