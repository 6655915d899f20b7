//! Drift: where a vendor's real answer and the emulator's disagree — the status class (a refusal
//! where the emulator accepts, or the other way round), and in two successes the fields that
//! carry a record's state and money (`status`, `state`, `amount`, …), compared as written (so a
//! lost decimal is drift).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drift {
    /// `status_class`, `field` or `body`.
    pub kind: String,
    /// The field compared (for `field`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The upstream's value (a status, or a field's JSON text).
    pub upstream: String,
    /// The emulator's.
    pub emulated: String,
}

/// The fields compared in two successful answers: a record's state and its money.
const FIELDS: &[&str] = &["status", "state", "statusId", "amount", "amountPaid", "total_amount", "outstanding_amount"];

/// The first value of a field named `name` in `value` (depth first, objects in order).
fn find<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => map.get(name).or_else(|| map.values().find_map(|v| find(v, name))),
        Value::Array(items) => items.iter().find_map(|v| find(v, name)),
        _ => None,
    }
}

/// What differs between the upstream's answer (status, body bytes) and the emulator's.
pub fn compare(status: u16, body: &[u8], emulated_status: u16, emulated: &Value) -> Vec<Drift> {
    let class = |s: u16| s / 100;
    if class(status) != class(emulated_status) {
        return vec![Drift {
            kind: "status_class".to_owned(),
            field: None,
            upstream: status.to_string(),
            emulated: emulated_status.to_string(),
        }];
    }
    if class(status) != 2 {
        return Vec::new();
    }
    let upstream: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) if body.is_empty() && emulated.is_null() => return Vec::new(),
        Err(_) => {
            return vec![Drift {
                kind: "body".to_owned(),
                field: None,
                upstream: "not JSON".to_owned(),
                emulated: "JSON".to_owned(),
            }];
        }
    };
    FIELDS
        .iter()
        .filter_map(|&name| {
            let (u, e) = (find(&upstream, name), find(emulated, name));
            match (u, e) {
                (Some(u), Some(e)) if u != e => Some(Drift {
                    kind: "field".to_owned(),
                    field: Some(name.to_owned()),
                    upstream: u.to_string(),
                    emulated: e.to_string(),
                }),
                (None, Some(e)) => Some(Drift {
                    kind: "field".to_owned(),
                    field: Some(name.to_owned()),
                    upstream: "missing".to_owned(),
                    emulated: e.to_string(),
                }),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::compare;

    #[test]
    fn a_lost_decimal_and_another_status_are_drift_an_equal_answer_is_not() {
        let emulated =
            json!({ "id": 1, "amount": serde_json::from_str::<serde_json::Value>("12.3400").unwrap(), "status": 1 });
        assert!(compare(200, br#"{"id":1,"amount":12.3400,"status":1}"#, 200, &emulated).is_empty());
        let drift = compare(200, br#"{"id":1,"amount":12.34,"status":2}"#, 200, &emulated);
        let fields: Vec<_> = drift.iter().filter_map(|d| d.field.as_deref()).collect();
        assert_eq!(fields, ["status", "amount"]);
        assert_eq!(compare(200, b"{}", 422, &json!({}))[0].kind, "status_class");
        assert!(compare(404, b"{}", 404, &json!({})).is_empty());
    }
}
