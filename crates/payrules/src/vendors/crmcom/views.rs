//! CRM.COM as people see it: its payments (cancellations as their relations), the request of a
//! lifecycle action, and the state without credentials.

use crate::ledger::vendor::Views;
use serde_json::json;

use super::records::{Payment, State};
use crate::ledger::shape::{self as view, PaymentView, RelationView};
use crate::lifecycle::State as _;
use crate::profiles::Profile;
use crate::request::Request;

/// How many characters of a gateway's card reference a view shows.
const CARD_TAIL_SHOWN: usize = 3;
/// How many characters of a gateway's card reference a redacted state keeps.
const CARD_TAIL_KEPT: usize = 4;

/// The last `n` characters of `text`, only when they are less than half of it (so a short
/// reference is never shown whole); `None` otherwise.
fn tail(text: &str, n: usize) -> Option<String> {
    let count = text.chars().count();
    (count > n.saturating_mul(2)).then(|| text.chars().skip(count - n).collect())
}

impl State {
    fn account_label(&self, id: &str) -> String {
        self.accounts_receivable.get(id).map_or_else(|| id.to_owned(), |a| format!("{} · {}", a.number, a.name))
    }

    fn payment_view(&self, id: &str, p: &Payment) -> PaymentView {
        let text = |s: &str| s.to_owned();
        let method = self.payment_methods.get(&p.payment_method).map_or(p.payment_method.as_str(), |m| &m.name);
        let kind = self.types.get(&p.kind).map_or(p.kind.as_str(), |t| &t.name);
        let account = self.account_label(&p.accounts_receivable);
        let mut fields = vec![
            (text("accounts receivable"), account.clone()),
            (text("payment method"), text(method)),
            (text("type"), text(kind)),
            (text("received on"), p.received_on.local_seconds(0)),
        ];
        if let Some(posted) = p.posted_on {
            fields.push((text("posted on"), posted.local_seconds(0)));
        }
        if let Some(reason) = &p.rejection_reason {
            let name = self.rejection_reasons.get(reason).map_or(reason.as_str(), |r| &r.name);
            fields.push((text("rejection reason"), text(name)));
        }
        let number = self.accounts_receivable.get(&p.accounts_receivable).map_or(&p.accounts_receivable, |a| &a.number);
        let mut facets = vec![(text("accounts receivable"), number.clone()), (text("type"), text(kind))];
        if let Some(category) = p.category.as_ref().and_then(|c| self.categories.get(c)) {
            facets.push((text("category"), category.name.clone()));
        }
        facets.push((text("payment method"), text(method)));
        let relation = |kind: &str, label: String| RelationView { kind: text(kind), label, payment: None };
        let mut relations = Vec::new();
        for (kind, documents, allocations, what) in
            [("invoice", &self.invoices, &p.invoices, "Invoice"), ("bill", &self.bills, &p.bills, "Bill")]
        {
            for (doc, amount) in allocations {
                let name = documents.get(doc).map_or(doc.as_str(), |d| &d.reference_number);
                relations.push(relation(kind, format!("{what} {name} · {amount} paid")));
            }
        }
        if let Some(c) = p.cancellation.as_ref().and_then(|c| self.payment_cancellations.get(c)) {
            relations.push(relation("cancellation", format!("Cancellation {} · No {}", c.reference_number, c.number)));
        }
        if let Some(card) = &p.card {
            let shown = self.cards.get(card).and_then(|c| tail(&c.payment_gateway_reference_number, CARD_TAIL_SHOWN));
            relations.push(relation("card", shown.map_or_else(|| text("Card ••••"), |t| format!("Card •••• {t}"))));
        }
        relations.push(relation("account", format!("Accounts receivable {account}")));
        PaymentView {
            key: id.to_owned(),
            label: match &p.number {
                Some(n) => format!("Payment {} · No {n}", p.reference_number),
                None => format!("Payment {}", p.reference_number),
            },
            amount: Some(p.payment_amount.to_string()),
            currency: None,
            status: p.life_cycle_state.name().to_owned(),
            fields,
            facets,
            relations,
        }
    }
}

impl Views for State {
    /// The payments as CRM.COM shows them, oldest issued first (then by reference number, the
    /// order of `payments/list`). Payment cancellations are not listed on their own: each shows as
    /// the `cancellation` relation of the payment it cancels. CRM.COM records no currency on a
    /// payment or an accounts receivable, so `currency` is `None`. A card shows masked
    /// (`Card •••• DXK`), never with its full gateway reference.
    fn payments(&self) -> Vec<PaymentView> {
        let mut payments: Vec<(&String, &Payment)> = self.payments.iter().collect();
        payments.sort_by(|a, b| {
            (a.1.issued_on, &a.1.reference_number, a.0).cmp(&(b.1.issued_on, &b.1.reference_number, b.0))
        });
        payments.into_iter().map(|(id, p)| self.payment_view(id, p)).collect()
    }

    /// The CRM.COM request that performs `action` on payment `key` (its id), with the first token
    /// filled in and the payment named by its reference number: `post` is `payments/post`,
    /// `reject` is `payments/reject` with the first rejection reason, `cancel` is
    /// `payments/cancel` with the first type classified `PAYMENT_CANCELLATION` (and no category).
    /// `verify` has no request: PENDING_VERIFICATION is modelled but never entered by these
    /// operations (SEEDS.md). Whether the payment's state allows the action is left to the API,
    /// which answers 409 naming the state and the allowed actions.
    fn action_request(&self, key: &str, action: &str) -> Result<Request, String> {
        let Some(payment) = self.payments.get(key) else {
            return Err(format!("there is no CRM.COM payment with id {key}"));
        };
        let token = self.tokens.keys().next().cloned().unwrap_or_default();
        let identifier = json!({ "reference_number": payment.reference_number });
        let (path, body) = match action {
            "post" => ("/payments/post", json!({ "token": token, "payment_identifier": identifier })),
            "reject" => {
                let Some(reason) = self.rejection_reasons.values().next() else {
                    return Err("CRM.COM has no payment rejection reason to reject the payment with".to_owned());
                };
                let body = json!({
                    "token": token,
                    "payment_identifier": identifier,
                    "rejection_reason_identifier": { "name": reason.name },
                });
                ("/payments/reject", body)
            }
            "cancel" => {
                let Some(kind) = self.types.values().find(|t| t.classification == "PAYMENT_CANCELLATION") else {
                    return Err("CRM.COM has no financial transaction type classified PAYMENT_CANCELLATION".to_owned());
                };
                let body = json!({
                    "token": token,
                    "payment_identifier": identifier,
                    "type_identifier": { "name": kind.name },
                });
                ("/payments/cancel", body)
            }
            "verify" => {
                return Err("CRM.COM's API as emulated has no verify request: PENDING_VERIFICATION is modelled but \
                            never entered by these operations (SEEDS.md), so no payment awaits verification"
                    .to_owned());
            }
            other => {
                return Err(format!(
                    "CRM.COM's payment API has no request for `{other}`; its actions are post, reject and cancel"
                ));
            }
        };
        Ok(view::request(Profile::Crmcom, "POST", path.to_owned(), body))
    }

    /// Takes the credentials out (for exports and the HTTP world view): every token of the login
    /// method, and every card's full payment gateway reference. The gateway reference is treated
    /// as a credential because, with a token, naming it (`card_identifier`) charges the card again;
    /// it is cut to its prefix and last four characters (`card_…mDXK`), so the card stays
    /// recognisable and the views read the same. The charge references of payments
    /// (`payment_gateway_reference_number`, `ch_…`) name past charges and cannot charge anything:
    /// they are kept. Contacts' personal data is not a credential and is kept too. Nothing
    /// `check` relies on changes, so a redacted state still passes it.
    fn redact_tokens(&mut self) {
        self.tokens.clear();
        let ids: Vec<String> = self.cards.keys().cloned().collect();
        for id in &ids {
            let Some(card) = self.cards.get_mut(id) else { continue };
            let reference = &card.payment_gateway_reference_number;
            // The kind prefix (`card_`) says what the reference is; it is kept when it is short and
            // plainly a word.
            let prefix = reference
                .split_once('_')
                .map(|(p, _)| p)
                .filter(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_alphabetic()))
                .map_or_else(String::new, |p| format!("{p}_"));
            let kept = tail(reference, CARD_TAIL_KEPT).unwrap_or_default();
            card.payment_gateway_reference_number = format!("{prefix}…{kept}");
        }
    }
}
