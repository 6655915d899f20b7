//! CRM.COM's requests as its handlers read them: one typed input per operation, read once from the
//! validated [`Call`], and the identifiers that name records.
//!
//! A parameter is the body's member of that name where the operation takes a body (POST), and the
//! query parameter of that name where it does not (GET): a POST's query parameters are not its
//! fields (validation warns that the vendor ignores them), so they are never read. Validation guarantees what an operation requires: every required identifier
//! names one record by exactly one allowed field, `life_cycle_state` is DRAFT or POSTED,
//! `payment_amount` is an amount above zero and `number` a whole number. What is optional stays an
//! `Option`. Texts are read trimmed, and an empty one counts as absent.

use std::collections::BTreeMap;

use serde_json::Value;

use super::lifecycle::CrmcomState;
use super::records::{
    AccountsReceivable, Card, Category, Document, Payment, PaymentMethod, RejectionReason, TransactionType, UDFS, Unit,
    User,
};
use crate::json::{Json, member};
use crate::ledger::Call;
use crate::lifecycle::State as _;
use crate::money::Amount;

/// A parameter's text: the body member's (a string's content or a number's text) where the
/// operation takes a body, else the query parameter's; trimmed, `None` when empty.
fn text(call: &Call<'_>, name: &str) -> Option<String> {
    let raw = match call.members() {
        Some(_) => call.member(name).and_then(Json::text),
        None => call.query(name),
    };
    raw.map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// The user defined fields sent in the body, as sent.
fn udfs(call: &Call<'_>) -> BTreeMap<String, Value> {
    UDFS.iter().filter_map(|name| call.member(name).map(|v| ((*name).to_owned(), v.to_value()))).collect()
}

/// The request's token (checked by validation: 32 hexadecimal digits).
pub(super) fn token(call: &Call<'_>) -> String {
    text(call, "token").unwrap_or_default()
}

/// An identifier parameter: the one field that names the record, and its value.
#[derive(Debug)]
pub(super) struct Ident {
    /// The parameter (`payment_identifier`, `invoices_to_pay_set[0].invoice_identifier`).
    pub(super) param: String,
    /// The identifying field (`id`, `number`, …).
    pub(super) field: String,
    /// Its value's text.
    pub(super) value: String,
}

impl Ident {
    fn new(param: &str, field: &str, value: &str) -> Ident {
        Ident { param: param.to_owned(), field: field.trim().to_owned(), value: value.trim().to_owned() }
    }

    /// An identifier as sent: an object with one member, or its text (`number=200` or
    /// `{"number":"200"}`), read as the validator reads it.
    fn of(param: &str, value: &Json<'_>) -> Option<Ident> {
        match value {
            Json::Object(members) => {
                // One identifying field; where it is repeated the last one counts.
                let (field, _) = members.first()?;
                if members.iter().any(|(k, _)| k != field) {
                    return None;
                }
                Some(Ident::new(param, field, member(members, field)?.text()?))
            }
            Json::String(text) => Ident::of_text(param, text),
            _ => None,
        }
    }

    fn of_text(param: &str, text: &str) -> Option<Ident> {
        let members = crate::rules::parse_identifier_text(text)?;
        let [(field, value)] = members.as_slice() else { return None };
        Some(Ident::new(param, field, value.text()?))
    }

    /// The identifier `param` of the request, when one is sent.
    fn optional(call: &Call<'_>, param: &str) -> Option<Ident> {
        match call.members() {
            Some(_) => Ident::of(param, call.member(param)?),
            None => Ident::of_text(param, call.query(param)?),
        }
    }

    /// The identifier `param` that validation requires (naming nothing if it were not sent).
    fn required(call: &Call<'_>, param: &str) -> Ident {
        Ident::optional(call, param).unwrap_or_else(|| Ident::new(param, "", ""))
    }

    /// The documents of a set of the body (`invoices_to_pay_set`), each item's identifier `key`.
    fn set(call: &Call<'_>, set: &str, key: &str) -> Vec<Ident> {
        let items = call.member(set).and_then(Json::as_array).unwrap_or_default();
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let param = format!("{set}[{i}].{key}");
                item.get(key).and_then(|v| Ident::of(&param, v)).unwrap_or_else(|| Ident::new(&param, "", ""))
            })
            .collect()
    }
}

/// Records named by an identifier.
pub(super) trait Named {
    /// The value of an identifying field other than `id`.
    fn key(&self, field: &str) -> Option<&str>;
}

impl Named for AccountsReceivable {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "number" => Some(&self.number),
            "name" => Some(&self.name),
            _ => None,
        }
    }
}

impl Named for PaymentMethod {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "name" => Some(&self.name),
            "alternative_code" => Some(&self.alternative_code),
            _ => None,
        }
    }
}

impl Named for TransactionType {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "name" => Some(&self.name),
            "alternative_code" => Some(&self.alternative_code),
            _ => None,
        }
    }
}

impl Named for Category {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "name" => Some(&self.name),
            "code" => Some(&self.code),
            _ => None,
        }
    }
}

impl Named for User {
    fn key(&self, field: &str) -> Option<&str> {
        (field == "username").then_some(self.username.as_str())
    }
}

impl Named for Unit {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "name" => Some(&self.name),
            "alternative_code" => Some(&self.alternative_code),
            _ => None,
        }
    }
}

impl Named for RejectionReason {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "name" => Some(&self.name),
            "alternative_code" => Some(&self.alternative_code),
            _ => None,
        }
    }
}

impl Named for Card {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "number" => Some(&self.number),
            "payment_gateway_reference_number" => Some(&self.payment_gateway_reference_number),
            _ => None,
        }
    }
}

impl Named for Document {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "number" => Some(&self.number),
            "reference_number" => Some(&self.reference_number),
            _ => None,
        }
    }
}

impl Named for Payment {
    fn key(&self, field: &str) -> Option<&str> {
        match field {
            "number" => self.number.as_deref(),
            "reference_number" => Some(&self.reference_number),
            _ => None,
        }
    }
}

/// `payments/show`: the payment, and the fields to return.
#[derive(Debug)]
pub(super) struct Show {
    pub(super) payment: Ident,
    pub(super) fields_set: Option<String>,
}

impl Show {
    pub(super) fn read(call: &Call<'_>) -> Show {
        Show { payment: Ident::required(call, "payment_identifier"), fields_set: text(call, "fields_set") }
    }
}

/// `payments/list` and `payments/get_latest`: the accounts receivable, the filters, how many
/// (the latest only) and the fields to return.
#[derive(Debug)]
pub(super) struct Listing {
    pub(super) accounts_receivable: Ident,
    pub(super) kind: Option<Ident>,
    pub(super) category: Option<Ident>,
    pub(super) method: Option<Ident>,
    /// `payments/get_latest`: how many of the latest payments (`number`); `None` for the list.
    pub(super) latest: Option<usize>,
    pub(super) fields_set: Option<String>,
}

impl Listing {
    pub(super) fn read(call: &Call<'_>, latest: bool) -> Listing {
        Listing {
            accounts_receivable: Ident::required(call, "accounts_receivable_identifier"),
            kind: Ident::optional(call, "type_identifier"),
            category: Ident::optional(call, "category_identifier"),
            method: Ident::optional(call, "payment_method_identifier"),
            latest: latest.then(|| text(call, "number").and_then(|n| n.parse().ok()).unwrap_or(1)),
            fields_set: text(call, "fields_set"),
        }
    }
}

/// The fields create, `pay_invoice` and `pay_bill` share.
#[derive(Debug)]
pub(super) struct NewPayment {
    pub(super) accounts_receivable: Ident,
    pub(super) kind: Ident,
    pub(super) method: Ident,
    pub(super) category: Option<Ident>,
    pub(super) user: Option<Ident>,
    pub(super) unit: Option<Ident>,
    pub(super) card: Option<Ident>,
    /// As sent; the handler reads the time (a value from the query is not validated).
    pub(super) received_on: Option<String>,
    pub(super) description: Option<String>,
    pub(super) notes: Option<String>,
    pub(super) udfs: BTreeMap<String, Value>,
}

impl NewPayment {
    fn read(call: &Call<'_>) -> NewPayment {
        NewPayment {
            accounts_receivable: Ident::required(call, "accounts_receivable_identifier"),
            kind: Ident::required(call, "type_identifier"),
            method: Ident::required(call, "payment_method_identifier"),
            category: Ident::optional(call, "category_identifier"),
            user: Ident::optional(call, "received_by_user_identifier"),
            unit: Ident::optional(call, "received_by_unit_identifier"),
            card: Ident::optional(call, "card_identifier"),
            received_on: text(call, "received_on"),
            description: text(call, "description"),
            notes: text(call, "notes"),
            udfs: udfs(call),
        }
    }
}

/// `payments/create`: a new payment in its initial state, its amount and the documents it pays.
#[derive(Debug)]
pub(super) struct CreatePayment {
    pub(super) new: NewPayment,
    pub(super) initial: CrmcomState,
    pub(super) amount: Amount,
    /// `invoices_to_pay_set`, in order.
    pub(super) invoices: Vec<Ident>,
    /// `bills_to_pay_set`, in order.
    pub(super) bills: Vec<Ident>,
}

impl CreatePayment {
    pub(super) fn read(call: &Call<'_>) -> CreatePayment {
        CreatePayment {
            new: NewPayment::read(call),
            initial: text(call, "life_cycle_state")
                .and_then(|t| CrmcomState::from_name(&t))
                .unwrap_or(CrmcomState::Draft),
            amount: call.amount("payment_amount").unwrap_or(Amount::ZERO),
            invoices: Ident::set(call, "invoices_to_pay_set", "invoice_identifier"),
            bills: Ident::set(call, "bills_to_pay_set", "bill_identifier"),
        }
    }
}

/// `payments/pay_invoice` and `payments/pay_bill`: a new payment and the one document it pays.
#[derive(Debug)]
pub(super) struct PayWhole {
    pub(super) new: NewPayment,
    /// `invoice_identifier` or `bill_identifier`.
    pub(super) document: Ident,
}

impl PayWhole {
    pub(super) fn read(call: &Call<'_>, param: &str) -> PayWhole {
        PayWhole { new: NewPayment::read(call), document: Ident::required(call, param) }
    }
}

/// `payments/post`: the payment.
#[derive(Debug)]
pub(super) struct PostPayment {
    pub(super) payment: Ident,
}

impl PostPayment {
    pub(super) fn read(call: &Call<'_>) -> PostPayment {
        PostPayment { payment: Ident::required(call, "payment_identifier") }
    }
}

/// `payments/reject`: the payment and the reason.
#[derive(Debug)]
pub(super) struct RejectPayment {
    pub(super) payment: Ident,
    pub(super) reason: Ident,
}

impl RejectPayment {
    pub(super) fn read(call: &Call<'_>) -> RejectPayment {
        RejectPayment {
            payment: Ident::required(call, "payment_identifier"),
            reason: Ident::required(call, "rejection_reason_identifier"),
        }
    }
}

/// `payments/cancel`: the payment and the payment cancellation's fields.
#[derive(Debug)]
pub(super) struct CancelPayment {
    pub(super) payment: Ident,
    pub(super) kind: Ident,
    pub(super) category: Option<Ident>,
    pub(super) notes: Option<String>,
    pub(super) issue_reason: Option<String>,
    pub(super) udfs: BTreeMap<String, Value>,
}

impl CancelPayment {
    pub(super) fn read(call: &Call<'_>) -> CancelPayment {
        CancelPayment {
            payment: Ident::required(call, "payment_identifier"),
            kind: Ident::required(call, "type_identifier"),
            category: Ident::optional(call, "category_identifier"),
            notes: text(call, "notes"),
            issue_reason: text(call, "issue_reason"),
            udfs: udfs(call),
        }
    }
}
