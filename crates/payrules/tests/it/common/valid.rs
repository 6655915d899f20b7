//! Generators of VALID requests for every operation, derived from the public field tables
//! (`Operation::{params, query, headers, body}` and their `Ty`s), plus the few cross-field
//! adjustments the tables cannot express (see [`ADJUSTMENTS`]).
//!
//! A generated request is a [`Gen`]: its parts kept apart (path parameters, query, headers, body)
//! so that tests can change one field and know its JSON Pointer in the report.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use payrules::money::Currency;
use payrules::profiles::{Body, Operation};
use payrules::rules::{Field, Pattern, Token, Ty};
use payrules::{DateTime, Profile, Report, validate_json};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// How a value travels: JSON keeps its types; text sources (query, headers, form bodies) are
/// strings; a path segment is a string that must also stay one non-empty segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Json,
    Text,
    Segment,
}

/// Real ISO 4217 codes with different minor units (2, 0, 3, none): a test checks they parse.
pub const CURRENCIES: &[&str] = &["EUR", "USD", "GBP", "CHF", "SEK", "JPY", "ISK", "KRW", "BHD", "KWD", "TND", "XAU"];

/// A generated request, its parts apart.
#[derive(Clone)]
pub struct Gen {
    pub profile: Profile,
    pub op: &'static Operation,
    /// Path parameters in template order, as written in the path.
    pub params: Vec<(String, String)>,
    /// Query parameters (JSON strings; a test may put a number to provoke the request-level check).
    pub query: Map<String, Value>,
    /// Headers, by the name as sent (the spelling of the name varies).
    pub headers: Map<String, Value>,
    /// The body object, or `None` for operations without one.
    pub body: Option<Value>,
    /// Whether the body is sent form-encoded (operations that take a form).
    pub form: bool,
}

impl std::fmt::Debug for Gen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.op.id, self.to_json())
    }
}

impl Gen {
    /// The path with its placeholders filled.
    pub fn path(&self) -> String {
        let mut values = self.params.iter();
        self.op
            .path
            .split('/')
            .map(|seg| if seg.starts_with('{') { values.next().map_or("", |(_, v)| v.as_str()) } else { seg })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The request as JSON, the way a user writes it.
    pub fn to_json(&self) -> Value {
        let mut headers = self.headers.clone();
        let body = match (&self.body, self.form) {
            (Some(Value::Object(map)), true) => {
                headers
                    .insert("Content-Type".to_owned(), Value::String("application/x-www-form-urlencoded".to_owned()));
                Value::String(form_text(map))
            }
            (Some(b), _) => b.clone(),
            (None, _) => Value::Null,
        };
        serde_json::json!({
            "profile": self.profile.id(),
            "method": self.op.method.as_str(),
            "path": self.path(),
            "query": self.query,
            "headers": headers,
            "body": body,
        })
    }

    /// The report for the request's JSON text (numbers judged exactly as written).
    /// Also checks that the one-pass verdict (`payrules::fast`) agrees with the report.
    pub fn validate(&self) -> Report {
        let text = self.to_json().to_string();
        let report = validate_json(&text);
        same_verdict(text.as_bytes(), Some(&report));
        report
    }

    /// The header sent for `name` (matched without regard to case).
    pub fn header_key(&self, name: &str) -> Option<String> {
        self.headers.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
    }
}

/// `k=v&…` with the values percent-encoded.
fn form_text(map: &Map<String, Value>) -> String {
    map.iter().map(|(k, v)| format!("{}={}", encode(k), encode(&text_of(v)))).collect::<Vec<_>>().join("&")
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A value's text as a text source carries it.
pub fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A JSON number from its text (kept exactly: `arbitrary_precision`).
pub fn num(text: &str) -> Value {
    Value::Number(text.parse::<Number>().unwrap_or_else(|e| panic!("{text}: {e}")))
}

/// Whether `text` is a number as JSON writes it (no leading zeros, no `+`).
fn json_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let int = digits.split(['.', 'e', 'E']).next().unwrap_or("");
    !(int.is_empty() || int.len() > 1 && int.starts_with('0')) && text.parse::<Number>().is_ok()
}

/// The rust regex of a pattern without its anchors (proptest's regex strategy has none).
fn unanchored(p: &Pattern) -> &'static str {
    let r = p.rust_regex;
    let r = r.strip_prefix('^').unwrap_or(r);
    r.strip_suffix('$').unwrap_or(r)
}

/// A string strategy from a regex built at run time.
fn re(pattern: &str) -> BoxedStrategy<String> {
    proptest::string::string_regex(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}")).boxed()
}

/// A text value in the mode's form: JSON string, or a string in text sources.
fn text_value(s: impl Strategy<Value = String> + 'static) -> BoxedStrategy<Value> {
    s.prop_map(Value::String).boxed()
}

/// Digits text valid for `Ty::Integer { digits, min }`, edges included.
fn integer_text(digits: u8, min: u64) -> BoxedStrategy<String> {
    let d = usize::from(digits);
    let mut options: Vec<BoxedStrategy<String>> = vec![
        re(&format!("[1-9][0-9]{{0,{}}}", d.saturating_sub(1).min(12))),
        Just("9".repeat(d)).boxed(),
        Just(min.max(1).to_string()).boxed(),
    ];
    if min == 0 {
        options.push(Just("0".to_owned()).boxed());
    }
    proptest::strategy::Union::new(options).boxed()
}

/// A calendar date-time (or date) the vendors accept.
fn date_text(date_only_often: bool) -> BoxedStrategy<String> {
    let date = (1970i64..=2099, 1u32..=12, 1u32..=31).prop_map(|(y, m, d)| {
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let dim = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            _ if leap => 29,
            _ => 28,
        };
        format!("{y:04}-{m:02}-{:02}", d.min(dim))
    });
    let time =
        (0u32..24, 0u32..60, prop::option::of(0u32..60), prop::option::of(0u32..1000), 0u8..5, 0u32..15, 0u32..60)
            .prop_map(|(h, mi, s, ms, zone, oh, om)| {
                let mut t = format!("T{h:02}:{mi:02}");
                if let Some(s) = s {
                    let _ = write!(t, ":{s:02}");
                    if let Some(ms) = ms {
                        let _ = write!(t, ".{ms:03}");
                    }
                }
                match zone {
                    0 => {}
                    1 => t.push('Z'),
                    2 => drop(write!(t, "+{oh:02}:{om:02}")),
                    3 => drop(write!(t, "-{oh:02}:{om:02}")),
                    _ => drop(write!(t, "+{oh:02}{om:02}")),
                }
                t
            });
    let with_time = prop::option::weighted(if date_only_often { 0.3 } else { 0.7 }, time);
    (date, with_time).prop_map(|(d, t)| format!("{d}{}", t.unwrap_or_default())).boxed()
}

/// A valid value for `ty`, in `mode`'s form. `ReadOnly` fields have none (never generated).
pub fn value(ty: &'static Ty, mode: Mode) -> BoxedStrategy<Value> {
    let json = mode == Mode::Json;
    match ty {
        Ty::Text { max } => {
            let n = max.unwrap_or(24).min(24);
            if mode == Mode::Segment {
                text_value(re(&format!("[A-Za-z0-9_-]{{1,{n}}}")))
            } else {
                let mut options = vec![text_value(re(&format!("[A-Za-z0-9 ,.&=+%äé-]{{0,{n}}}")))];
                if let Some(m) = max {
                    options.push(text_value(Just("x".repeat(*m))));
                }
                proptest::strategy::Union::new(options).boxed()
            }
        }
        Ty::Token(Token::Plain { max }) => {
            let n = max.unwrap_or(40).min(40);
            let mut options = vec![text_value(re(&format!("[A-Za-z0-9_.-]{{1,{n}}}")))];
            if let Some(m) = max {
                options.push(text_value(Just("t".repeat(*m))));
            }
            proptest::strategy::Union::new(options).boxed()
        }
        Ty::Token(Token::Hex32) => text_value("[0-9a-fA-F]{32}"),
        Ty::Token(Token::Bearer) => {
            text_value(("(Bearer|bearer|BEARER)", "[A-Za-z0-9._-]{1,40}").prop_map(|(s, t)| format!("{s} {t}")))
        }
        Ty::Integer { digits, min, strict } => {
            let strict = *strict;
            (integer_text(*digits, *min), any::<bool>())
                .prop_map(move |(t, as_string)| if json && (strict || !as_string) { num(&t) } else { Value::String(t) })
                .boxed()
        }
        Ty::Decimal { positive, strings } => {
            let magnitude = prop_oneof![
                "[1-9][0-9]{0,6}(\\.[0-9]{1,4})?",
                "0\\.[0-9]{0,3}[1-9]",
                Just("4.5e2".to_owned()),
                Just("1E+1".to_owned()),
            ];
            let sign = if *positive { Just(false).boxed() } else { any::<bool>().boxed() };
            let zero = if *positive { 0.0 } else { 0.1 };
            let strings = *strings;
            (magnitude, sign, prop::bool::weighted(zero), any::<bool>())
                .prop_map(move |(m, neg, zero, as_string)| {
                    let t = if zero {
                        "0".to_owned()
                    } else if neg {
                        format!("-{m}")
                    } else {
                        m
                    };
                    if json && !(strings && as_string) { num(&t) } else { Value::String(t) }
                })
                .boxed()
        }
        Ty::Pattern(p) => {
            let p: &'static Pattern = p;
            let texts: BoxedStrategy<String> = if p.known.is_empty() {
                proptest::string::string_regex(unanchored(p))
                    .unwrap_or_else(|e| panic!("{}: {e}", p.rust_regex))
                    .prop_filter("the matcher accepts it", move |s| p.matches(s))
                    .boxed()
            } else {
                prop::sample::select(p.known.iter().map(|(v, _)| (*v).to_owned()).collect::<Vec<_>>()).boxed()
            };
            (texts, any::<bool>())
                .prop_map(
                    move |(t, as_number)| {
                        if json && as_number && json_number(&t) { num(&t) } else { Value::String(t) }
                    },
                )
                .boxed()
        }
        Ty::Enum { values } => {
            text_value(prop::sample::select(values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>()))
        }
        Ty::Bool => {
            if json {
                any::<bool>().prop_map(Value::Bool).boxed()
            } else {
                text_value(prop::sample::select(vec![
                    "true".to_owned(),
                    "false".to_owned(),
                    "1".to_owned(),
                    "0".to_owned(),
                ]))
            }
        }
        Ty::DateTime => text_value(date_text(false)),
        Ty::Date => text_value(date_text(true)),
        Ty::Currency => {
            text_value(prop::sample::select(CURRENCIES.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>()))
        }
        Ty::Identifier { fields } => {
            let names: Vec<&'static str> = fields.to_vec();
            (prop::sample::select(names), "[A-Za-z0-9]{1,12}", "[1-9][0-9]{0,8}", 0u8..3)
                .prop_map(move |(field, text, digits, form)| match (json, form) {
                    (true, 0) => serde_json::json!({ field: num(&digits) }),
                    (true, _) => serde_json::json!({ field: text }),
                    (false, 0) => Value::String(serde_json::json!({ field: text }).to_string()),
                    (false, _) => Value::String(format!("{field}={text}")),
                })
                .boxed()
        }
        Ty::FieldsSet { names } => text_value(
            prop::sample::subsequence(names.to_vec(), 1..=names.len().min(5)).prop_shuffle().prop_map(|n| n.join(",")),
        ),
        Ty::List { item, non_empty } => {
            let len = if *non_empty { 1..4 } else { 0..4 };
            prop::collection::vec(object(item, Mode::Json), len)
                .prop_map(|items| Value::Array(items.into_iter().map(Value::Object).collect()))
                .boxed()
        }
        Ty::Object { fields } => object(fields, Mode::Json).prop_map(Value::Object).boxed(),
        Ty::AnyObject => {
            prop_oneof![Just(serde_json::json!({})), Just(serde_json::json!({"note": "x", "n": [1]}))].boxed()
        }
        Ty::ReadOnly => unreachable!("read-only fields are never generated"),
        other => panic!("a field type the generator does not know: {other:?}; teach it (tests/it/common/valid.rs)"),
    }
}

/// An object (or a set of text parameters) with every required field, some optional ones, no
/// read-only ones, in a shuffled order.
pub fn object(fields: &'static [Field], mode: Mode) -> BoxedStrategy<Map<String, Value>> {
    let parts: Vec<BoxedStrategy<Option<(&'static str, Value)>>> = fields
        .iter()
        .filter(|f| !matches!(f.ty, Ty::ReadOnly))
        .map(|f| {
            let name = f.name;
            let v = value(&f.ty, mode).prop_map(move |v| (name, v));
            if f.required { v.prop_map(Some).boxed() } else { prop::option::of(v).boxed() }
        })
        .collect();
    parts.prop_shuffle().prop_map(|parts| parts.into_iter().flatten().map(|(k, v)| (k.to_owned(), v)).collect()).boxed()
}

/// How the header's name is spelled: headers are matched without regard to case.
fn header_name(name: &str, spelling: u8) -> String {
    match spelling % 3 {
        0 => name.to_owned(),
        1 => name.to_ascii_uppercase(),
        _ => name
            .split('-')
            .map(|w| w.get(..1).unwrap_or("").to_ascii_uppercase() + w.get(1..).unwrap_or(""))
            .collect::<Vec<_>>()
            .join("-"),
    }
}

/// A valid request for `op`, its cross-field rules satisfied; `json_only` leaves out form bodies.
pub fn request(profile: Profile, op: &'static Operation, json_only: bool) -> BoxedStrategy<Gen> {
    let params: Vec<BoxedStrategy<(String, String)>> = op
        .params
        .iter()
        .map(|f| {
            let name = f.name;
            value(&f.ty, Mode::Segment).prop_map(move |v| (name.to_owned(), text_of(&v))).boxed()
        })
        .collect();
    let body: BoxedStrategy<(Option<Value>, bool)> = match op.body {
        Body::None => Just((None, false)).boxed(),
        Body::Json(fields) => object(fields, Mode::Json).prop_map(|m| (Some(Value::Object(m)), false)).boxed(),
        Body::JsonOrForm(fields) => (if json_only { Just(false).boxed() } else { any::<bool>().boxed() })
            .prop_flat_map(move |form| {
                object(fields, if form { Mode::Text } else { Mode::Json })
                    .prop_map(move |m| (Some(Value::Object(m)), form))
            })
            .boxed(),
        ref other => panic!("a body kind the generator does not know: {other:?}; teach it (tests/it/common/valid.rs)"),
    };
    (params, object(op.query, Mode::Text), object(op.headers, Mode::Text), body, any::<u8>())
        .prop_map(move |(params, query, headers, (body, form), spelling)| {
            let headers = headers.into_iter().map(|(k, v)| (header_name(&k, spelling), v)).collect();
            let mut g = Gen { profile, op, params, query, headers, body, form };
            for (id, _, adjust) in ADJUSTMENTS {
                if *id == op.id {
                    adjust(&mut g);
                }
            }
            g
        })
        .boxed()
}

/// Every operation of every profile.
pub fn all_operations() -> Vec<(Profile, &'static Operation)> {
    Profile::ALL.iter().flat_map(|&p| p.operations().iter().map(move |op| (p, op))).collect()
}

/// The smallest valid value of a type, for adjustments that must add a field (derived from the table).
pub fn canonical(ty: &'static Ty) -> Value {
    match ty {
        Ty::Integer { min, strict: true, .. } => num(&min.max(&1).to_string()),
        Ty::Integer { min, .. } => Value::String(min.max(&1).to_string()),
        Ty::Decimal { .. } => num("1"),
        Ty::Pattern(p) => {
            let v = p
                .known
                .first()
                .map(|(v, _)| (*v).to_owned())
                .or_else(|| (0..10_000).map(|n| n.to_string()).chain(["1.0000".to_owned()]).find(|t| p.matches(t)))
                .unwrap_or_else(|| panic!("no canonical value for {}", p.published));
            Value::String(v)
        }
        other => panic!("no canonical value for {other:?}"),
    }
}

/// A field of a table by name.
pub fn field(fields: &'static [Field], name: &str) -> &'static Field {
    fields.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no field {name}"))
}

fn body_fields(op: &'static Operation) -> &'static [Field] {
    match op.body {
        Body::Json(f) | Body::JsonOrForm(f) => f,
        Body::None => &[],
        ref other => panic!("a body kind the generator does not know: {other:?}; teach it (tests/it/common/valid.rs)"),
    }
}

/// The cross-field rules (`cross` functions in `src/profiles/*.rs`) that the field tables cannot
/// express: per operation id, why, and the adjustment made to every generated request.
/// An adjustment: operation id, why it exists, what it does to a generated request.
pub type Adjustment = (&'static str, &'static str, fn(&mut Gen));

pub const ADJUSTMENTS: &[Adjustment] = &[
    (
        "crmcom.payments_create",
        "create_cross: invoices_to_pay_set / bills_to_pay_set may not name the same invoice or bill twice \
         (same field and value text): repeated items are dropped",
        distinct_set_items,
    ),
    (
        "plentymarkets.create_payment",
        "payment_cross: transactionType 3 needs parentId; isSystemCurrency false needs exchangeRatio above zero; \
         an amount with more decimals than the currency's minor units warns (precision): extra decimals are zeroed",
        plenty_payment,
    ),
    ("plentymarkets.update_payment", "payment_cross, as plentymarkets.create_payment", plenty_payment),
    (
        "plentymarkets.list_payments_by_entry_date",
        "date_range_cross: endDate not before startDate: swapped",
        date_order,
    ),
    ("plentymarkets.list_payments_by_import_date", "date_range_cross, as list_payments_by_entry_date", date_order),
    (
        "logisense.create_payment",
        "create_cross: amount above zero although its Ty is Decimal { positive: false }: the sign is dropped",
        positive_amount,
    ),
    ("logisense.create_payment_vendor", "create_cross, as logisense.create_payment", positive_amount),
    ("logisense.reverse_payment", "reverse_cross: a sent amount is above zero", positive_amount),
    ("logisense.reverse_payment_vendor", "reverse_cross, as logisense.reverse_payment", positive_amount),
    (
        "logisense.patch_payment",
        "patch_cross: a create item needs accountId, amount (above zero), paymentTypeId and sends no identity \
         (warning); update and delete items need identity",
        patch_items,
    ),
];

/// The text of an identifier object naming exactly one field, as `create_cross` compares them.
fn single_identifier(v: &Value) -> Option<(String, String)> {
    let map = v.as_object()?;
    if map.len() != 1 {
        return None;
    }
    let (k, v) = map.iter().next()?;
    Some((k.clone(), text_of(v)))
}

fn distinct_set_items(g: &mut Gen) {
    let Some(Value::Object(body)) = &mut g.body else { return };
    for (set, key) in [("invoices_to_pay_set", "invoice_identifier"), ("bills_to_pay_set", "bill_identifier")] {
        if let Some(Value::Array(items)) = body.get_mut(set) {
            let mut seen = Vec::new();
            items.retain(|item| match item.get(key).and_then(single_identifier) {
                Some(id) if seen.contains(&id) => false,
                Some(id) => {
                    seen.push(id);
                    true
                }
                None => true,
            });
        }
    }
}

fn plenty_payment(g: &mut Gen) {
    let fields = body_fields(g.op);
    let Some(Value::Object(body)) = &mut g.body else { return };
    if body.get("transactionType").map(text_of).as_deref() == Some("3") && !body.contains_key("parentId") {
        body.insert("parentId".to_owned(), canonical(&field(fields, "parentId").ty));
    }
    let system_currency = match body.get("isSystemCurrency") {
        Some(Value::Bool(b)) => *b,
        _ => true,
    };
    if !system_currency
        && let Some(ratio) = body.get_mut("exchangeRatio")
        && text_of(ratio).bytes().all(|b| b == b'0' || b == b'.')
    {
        *ratio = Value::String("1.0000".to_owned());
    }
    let exponent = body
        .get("currency")
        .and_then(|c| text_of(c).parse::<Currency>().ok())
        .and_then(Currency::exponent)
        .map(usize::from);
    if let (Some(exp), Some(amount)) = (exponent, body.get_mut("amount")) {
        let t = text_of(amount);
        if let Some((int, frac)) = t.split_once('.') {
            let kept: String = frac.chars().enumerate().map(|(i, c)| if i < exp { c } else { '0' }).collect();
            let fixed = format!("{int}.{kept}");
            *amount = if amount.is_number() { num(&fixed) } else { Value::String(fixed) };
        }
    }
}

fn date_order(g: &mut Gen) {
    let date = |g: &Gen, k: &str| g.query.get(k).and_then(|v| DateTime::parse(&text_of(v), false).ok());
    if let (Some(s), Some(e)) = (date(g, "startDate"), date(g, "endDate"))
        && e.cmp_instant(&s) == std::cmp::Ordering::Less
    {
        let start = g.query.remove("startDate");
        let end = g.query.remove("endDate");
        if let (Some(start), Some(end)) = (start, end) {
            g.query.insert("startDate".to_owned(), end);
            g.query.insert("endDate".to_owned(), start);
        }
    }
}

fn drop_sign(v: &mut Value) {
    let t = text_of(v);
    let t = t.strip_prefix('-').unwrap_or(&t);
    let t = if t.parse::<f64>().is_ok_and(|x| x == 0.0) { "1" } else { t };
    *v = num(t);
}

fn positive_amount(g: &mut Gen) {
    if let Some(Value::Object(body)) = &mut g.body
        && let Some(amount) = body.get_mut("amount")
    {
        drop_sign(amount);
    }
}

fn patch_items(g: &mut Gen) {
    let Some(payments) = body_fields(g.op).iter().find(|f| f.name == "payments") else { return };
    let Ty::Object { fields } = &payments.ty else { return };
    let Ty::List { item, .. } = &field(fields, "items").ty else { return };
    let Some(Value::Array(items)) = g.body.as_mut().and_then(|b| b.pointer_mut("/payments/items")) else { return };
    for it in items.iter_mut().filter_map(Value::as_object_mut) {
        match it.get("patchType").and_then(Value::as_str) {
            Some("create") => {
                for name in ["accountId", "amount", "paymentTypeId"] {
                    if !it.contains_key(name) {
                        it.insert(name.to_owned(), canonical(&field(item, name).ty));
                    }
                }
                if let Some(amount) = it.get_mut("amount") {
                    drop_sign(amount);
                }
                it.remove("identity");
            }
            Some(_) if !it.contains_key("identity") => {
                it.insert("identity".to_owned(), canonical(&field(item, "identity").ty));
            }
            _ => {}
        }
    }
}

/// Every field of a table, with where it sits (`/payments/-/paymentId`, lists as `-`), for coverage.
pub fn declared_shapes(prefix: &str, fields: &'static [Field], out: &mut BTreeMap<String, bool>) {
    for f in fields.iter().filter(|f| !matches!(f.ty, Ty::ReadOnly)) {
        let at = format!("{prefix}/{}", f.name);
        match &f.ty {
            Ty::List { item, .. } => declared_shapes(&format!("{at}/-"), item, out),
            Ty::Object { fields } => declared_shapes(&at, fields, out),
            _ => {}
        }
        out.insert(at, false);
    }
}

/// Panics unless the one-pass verdict on `line` agrees with the table-driven checker's report
/// (`report`, or the checker's own when `None`): the same validity, the same operation for a
/// valid request, and no violation at all where it says `clean`. Returns whether the one pass decided.
pub fn same_verdict(line: &[u8], report: Option<&Report>) -> bool {
    let owned;
    let report = if let Some(r) = report {
        Some(r)
    } else {
        owned = payrules::validate_json_bytes_by_table(line);
        owned.as_ref()
    };
    let quick = payrules::fast::quick(line);
    let shown = || String::from_utf8_lossy(line).into_owned();
    // The report written from the one pass (where it replays the checker) is the checker's, byte for byte.
    let replayed = payrules::fast::report(line);
    if let Some(replayed) = &replayed {
        assert_eq!(Some(replayed.to_json()), report.map(Report::to_json), "the replayed report of {}", shown());
    }
    assert_eq!(
        payrules::validate_json_bytes(line).map(|r| r.to_json()),
        report.map(Report::to_json),
        "validate_json_bytes on {}",
        shown()
    );
    assert_eq!(payrules::verdict_json_bytes(line), report.map(|r| r.valid), "verdict_json_bytes on {}", shown());
    // The verdict and an invalid line's report from one pass: the checker's.
    assert_eq!(
        payrules::check_json_bytes(line).map(|r| r.map_err(|r| r.to_json())),
        report.map(|r| if r.valid { Ok(()) } else { Err(r.to_json()) }),
        "check_json_bytes on {}",
        shown()
    );
    let (quick_again, written) = payrules::fast::quick_report(line);
    assert_eq!(quick_again, quick, "quick_report's verdict on {}", shown());
    if let Some(written) = &written {
        assert_eq!(Some(written.to_json()), report.map(Report::to_json), "quick_report's report of {}", shown());
    }
    if let payrules::fast::Quick::Valid { clean: true, .. } = quick {
        assert!(written.is_none(), "a clean line needs no report: {}", shown());
    }
    match (quick, report) {
        (payrules::fast::Quick::Blank, None) | (payrules::fast::Quick::Undecided, Some(_)) => false,
        (payrules::fast::Quick::Invalid, Some(r)) => {
            assert!(!r.valid, "the one pass says invalid, the report valid: {}", shown());
            true
        }
        (payrules::fast::Quick::Valid { operation, clean }, Some(r)) => {
            assert!(r.valid, "the one pass says valid, the report {}: {}", r.to_json(), shown());
            assert_eq!(r.operation.as_deref(), Some(operation), "{}", shown());
            assert!(!clean || r.errors.is_empty(), "clean, but the report has {}: {}", r.to_json(), shown());
            true
        }
        (q, r) => panic!("one pass {q:?}, report {r:?}: {}", shown()),
    }
}
