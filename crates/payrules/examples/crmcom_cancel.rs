//! Emulates a CRM.COM payment cancellation with a fixed clock: the payment is cancelled, a
//! cancellation is posted, and the invoice it paid is owed again — the same output on every run.
//!
//! `cargo run -p payrules --example crmcom_cancel`

use payrules::ledger::{Ledger, SteppingClock, Timestamp};

const TOKEN: &str = "B8D7A12E9F91AFADE914B7330AFD08CB";

fn main() {
    let start = Timestamp::parse("2024-01-01T09:00:00Z").unwrap_or(Timestamp::from_unix_millis(0));
    let mut ledger = Ledger::sample(Box::new(SteppingClock::new(start, 1000)));
    let show = format!(
        r#"{{"profile":"crmcom","method":"GET","path":"/payments/show","query":{{"token":"{TOKEN}","payment_identifier":"reference_number=110","fields_set":"reference_number,invoices_to_pay_set"}}}}"#
    );
    let owed = |ledger: &mut Ledger| {
        let answer = ledger.handle_json(&show);
        answer.body["data"]["invoices_to_pay_set"][0]["outstanding_amount"].to_string()
    };
    println!("invoice 322 outstanding before: {}", owed(&mut ledger));
    let cancel = ledger.handle_json(&format!(
        r#"{{"profile":"crmcom","method":"POST","path":"/payments/cancel","body":{{"token":"{TOKEN}","payment_identifier":{{"reference_number":"111"}},"type_identifier":{{"name":"Payment Cancellation"}}}}}}"#
    ));
    println!("cancel: {}", cancel.status);
    println!("payment 111 is now {}", cancel.body["data"]["payment"]["life_cycle_state"]);
    println!("its cancellation, issued {}", cancel.body["data"]["payment_cancellation"]["issued_on"]);
    println!("invoice 322 outstanding after: {}", owed(&mut ledger));
    // The same request again is refused: a cancelled payment cannot be cancelled twice, and the
    // refusal changes nothing.
    let again = ledger.handle_json(&format!(
        r#"{{"profile":"crmcom","method":"POST","path":"/payments/cancel","body":{{"token":"{TOKEN}","payment_identifier":{{"reference_number":"111"}},"type_identifier":{{"name":"Payment Cancellation"}}}}}}"#
    ));
    println!("cancel again: {} {}", again.status, again.body["status"]["message"]);
}
