//! The registry: the one place that names the vendors. Everything that lists them — [`Profile`],
//! the [`World`](crate::ledger::World), sample loading, invariants, credential removal, request
//! dispatch, the views, the sample parts and every per-vendor test — is generated from this list.
//!
//! Each line is `module: Variant = "vendor's product name";`. The module `crate::vendors::<module>`
//! holds the vendor (see `vendors/mod.rs` for what it must export), its data is the folder
//! `data/<module>/` of this crate, and `<module>` is the profile id used in requests.
//!
//! [`Profile`]: crate::Profile

/// Calls the macro `$then!` with the list of vendors.
macro_rules! vendors {
    ($then:ident) => {
        $then! {
            komet: Komet = "Komet Sales";
            activeplatform: ActivePlatform = "ActivePlatform";
            crmcom: Crmcom = "CRM.COM";
            plentymarkets: Plentymarkets = "plentymarkets";
            logisense: Logisense = "LogiSense Billing";
        }
    };
}
