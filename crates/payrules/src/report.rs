//! What `validate` says about a request: a `Report` of every `Violation`, each with a stable code.

use serde::{Deserialize, Serialize};

use crate::json::write_string;

/// The stable set of violation codes. Adding one is an API change: document it in `CONTRIBUTING.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Code {
    /// A field the vendor requires is missing (or `null`).
    Required,
    /// The value has the wrong JSON type (a string where a number belongs, an object where a list does).
    Type,
    /// The text of the value does not match the vendor's pattern (read with the vendor's regex dialect).
    Pattern,
    /// The value is longer than the vendor allows.
    MaxLength,
    /// The value is not one of the vendor's listed values.
    Enum,
    /// The value is out of range: not positive, a day that is not on the calendar, an end before a start.
    Range,
    /// An identifier object names its record by zero or by more than one field; exactly one is allowed.
    OneOf,
    /// A field that is required only because of another field's value is missing.
    ConditionalRequired,
    /// A field the vendor does not know; it would be ignored (a warning: often a typo).
    UnknownField,
    /// A field the vendor sets itself; a value sent for it is ignored (a warning).
    ReadOnly,
    /// The request or its body is not strict JSON; the message gives line and column.
    InvalidJson,
    /// No operation of the profile answers this method and path (or the profile is unknown).
    UnknownRoute,
    /// The credential is missing or cannot be a valid credential of this vendor. The message never echoes it.
    Auth,
    /// An amount carries more precision than its currency has minor units (a warning).
    Precision,
}

impl Code {
    /// Every code, in declaration order (documentation and tests use it).
    pub const ALL: &'static [Code] = &[
        Code::Required,
        Code::Type,
        Code::Pattern,
        Code::MaxLength,
        Code::Enum,
        Code::Range,
        Code::OneOf,
        Code::ConditionalRequired,
        Code::UnknownField,
        Code::ReadOnly,
        Code::InvalidJson,
        Code::UnknownRoute,
        Code::Auth,
        Code::Precision,
    ];

    /// The code as it is written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Required => "required",
            Code::Type => "type",
            Code::Pattern => "pattern",
            Code::MaxLength => "max_length",
            Code::Enum => "enum",
            Code::Range => "range",
            Code::OneOf => "one_of",
            Code::ConditionalRequired => "conditional_required",
            Code::UnknownField => "unknown_field",
            Code::ReadOnly => "read_only",
            Code::InvalidJson => "invalid_json",
            Code::UnknownRoute => "unknown_route",
            Code::Auth => "auth",
            Code::Precision => "precision",
        }
    }
}

/// How bad a violation is: only errors make a request invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Severity {
    /// The vendor refuses the request.
    Error,
    /// The vendor accepts the request but ignores or alters something in it.
    Warning,
}

/// One problem found in a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Violation {
    /// JSON Pointer (RFC 6901) into the request: `/body/payments/2/paymentId`, `/query/api_token`, `/path/id`.
    pub path: String,
    /// The stable code.
    pub code: Code,
    /// `error` or `warning`.
    pub severity: Severity,
    /// What was found, what the vendor accepts and, where one exists, the corrected value.
    pub message: String,
    /// The corrected value as JSON text, when the engine can offer one without changing its meaning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub suggestion: Option<String>,
}

impl Violation {
    /// An error at `path`.
    pub fn error(path: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        Self { path: path.into(), code, severity: Severity::Error, message: message.into(), suggestion: None }
    }

    /// A warning at `path`.
    pub fn warning(path: impl Into<String>, code: Code, message: impl Into<String>) -> Self {
        Self { path: path.into(), code, severity: Severity::Warning, message: message.into(), suggestion: None }
    }

    /// The same violation with a corrected value offered.
    #[must_use]
    pub fn with_suggestion(mut self, suggestion: impl Into<String>) -> Self {
        self.suggestion = Some(suggestion.into());
        self
    }
}

/// The verdict on one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    /// `false` exactly when `errors` holds at least one violation of severity `error`.
    pub valid: bool,
    /// The operation the request was routed to (`plentymarkets.create_payment`), if any.
    pub operation: Option<String>,
    /// Every violation found, errors and warnings, in a stable order.
    pub errors: Vec<Violation>,
}

impl Report {
    /// A report from the violations found; `valid` is derived, never set by hand.
    pub fn new(operation: Option<&str>, errors: Vec<Violation>) -> Self {
        let valid = !errors.iter().any(|v| v.severity == Severity::Error);
        Self { valid, operation: operation.map(str::to_owned), errors }
    }
}

impl Report {
    /// The report as JSON text: the bytes `serde_json::to_string` writes for it (a test checks it),
    /// without its machinery, so the npm package's validation module carries no serde_json.
    pub fn to_json(&self) -> String {
        let mut out =
            String::with_capacity(48 + self.errors.iter().map(|v| v.message.len() + v.path.len() + 64).sum::<usize>());
        self.write_json(&mut out);
        out
    }

    /// Appends [`Report::to_json`]'s text to `out`.
    pub fn write_json(&self, out: &mut String) {
        out.push_str(if self.valid { "{\"valid\":true,\"operation\":" } else { "{\"valid\":false,\"operation\":" });
        match &self.operation {
            Some(op) => write_string(out, op),
            None => out.push_str("null"),
        }
        out.push_str(",\"errors\":[");
        for (i, v) in self.errors.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"path\":");
            write_string(out, &v.path);
            out.push_str(",\"code\":\"");
            out.push_str(v.code.as_str());
            out.push_str(match v.severity {
                Severity::Error => "\",\"severity\":\"error\",\"message\":",
                Severity::Warning => "\",\"severity\":\"warning\",\"message\":",
            });
            write_string(out, &v.message);
            if let Some(suggestion) = &v.suggestion {
                out.push_str(",\"suggestion\":");
                write_string(out, suggestion);
            }
            out.push('}');
        }
        out.push_str("]}");
    }
}

#[cfg(test)]
mod tests {
    use super::{Code, Report, Violation};

    fn violation() -> impl proptest::strategy::Strategy<Value = Violation> {
        use proptest::prelude::*;
        (any::<String>(), 0..Code::ALL.len(), any::<bool>(), any::<String>(), proptest::option::of(any::<String>()))
            .prop_map(|(path, code, error, message, suggestion)| {
                let code = Code::ALL[code];
                let v =
                    if error { Violation::error(path, code, message) } else { Violation::warning(path, code, message) };
                match suggestion {
                    Some(s) => v.with_suggestion(s),
                    None => v,
                }
            })
    }

    proptest::proptest! {
        #[test]
        fn reports_are_written_as_serde_json_writes_them(
            operation in proptest::option::of(proptest::prelude::any::<String>()),
            errors in proptest::collection::vec(violation(), 0..5),
        ) {
            let report = Report::new(operation.as_deref(), errors);
            proptest::prop_assert_eq!(report.to_json(), serde_json::to_string(&report).unwrap());
        }
    }
}
