//! Generated requests for every operation, derived from the field tables (`tests/it/common/valid.rs`):
//!
//! 1. every generated request is valid, with no violation at all, and routes to its operation;
//! 2. changing exactly one field to an invalid value gives a violation at that field's pointer with
//!    the expected code, and no error anywhere else;
//! 3. every suggestion, applied at its path, makes its violation go away.
//!
//! The tests read no files. Runs are deterministic (a fixed seed) with a fixed number of cases.

use crate::common::valid;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use payrules::profiles::{Body, Operation};
use payrules::rules::{Field, Token, Ty};
use payrules::{Code, Report, Severity, Violation};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Map, Value, json};
use valid::{ADJUSTMENTS, CURRENCIES, Gen, Mode, all_operations, declared_shapes, num, request, text_of};

/// Runs `test` on `cases` values of `strategy` from a fixed seed; a failure panics with the
/// shrunk input.
fn run<S: Strategy>(name: &str, strategy: S, cases: u32, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let config = Config { cases, failure_persistence: None, max_shrink_iters: 2000, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{name}: {e}");
    }
}

fn errors(report: &Report) -> Vec<&Violation> {
    report.errors.iter().filter(|v| v.severity == Severity::Error).collect()
}

fn body_fields(op: &Operation) -> &'static [Field] {
    match op.body {
        Body::Json(f) | Body::JsonOrForm(f) => f,
        Body::None => &[],
        ref other => panic!("a body kind these tests do not know: {other:?}; teach them"),
    }
}

// ---------------------------------------------------------------------------------------------
// Where the fields of a generated request are.

/// Which part of the request a field is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    /// The i-th path parameter.
    Path(usize),
    Query,
    Header,
    Body,
}

/// One field of a generated request: present, or absent (then only adding it makes sense).
#[derive(Clone, Debug)]
struct Site {
    place: Place,
    /// The report's pointer: `/body/payments/0/paymentId`, `/query/page`, `/headers/authorization`.
    pointer: String,
    field: &'static Field,
    present: bool,
    mode: Mode,
}

/// An object the request sends, to which fields can be added.
#[derive(Clone, Debug)]
struct Container {
    place: Place,
    pointer: String,
    fields: &'static [Field],
}

fn body_sites(
    pointer: &str,
    map: &Map<String, Value>,
    fields: &'static [Field],
    sites: &mut Vec<Site>,
    cs: &mut Vec<Container>,
) {
    cs.push(Container { place: Place::Body, pointer: pointer.to_owned(), fields });
    for f in fields {
        let at = format!("{pointer}/{}", f.name);
        let v = map.get(f.name);
        sites.push(Site { place: Place::Body, pointer: at.clone(), field: f, present: v.is_some(), mode: Mode::Json });
        match (&f.ty, v) {
            (Ty::List { item, .. }, Some(Value::Array(items))) => {
                for (i, it) in items.iter().enumerate() {
                    if let Value::Object(m) = it {
                        body_sites(&format!("{at}/{i}"), m, item, sites, cs);
                    }
                }
            }
            (Ty::Object { fields }, Some(Value::Object(m))) => body_sites(&at, m, fields, sites, cs),
            _ => {}
        }
    }
}

/// Every declared field of the request (present or not) and every object it sends.
fn sites(g: &Gen) -> (Vec<Site>, Vec<Container>) {
    let mut sites = Vec::new();
    let mut cs = Vec::new();
    for (i, f) in g.op.params.iter().enumerate() {
        sites.push(Site {
            place: Place::Path(i),
            pointer: format!("/path/{}", f.name),
            field: f,
            present: true,
            mode: Mode::Segment,
        });
    }
    for f in g.op.query {
        sites.push(Site {
            place: Place::Query,
            pointer: format!("/query/{}", f.name),
            field: f,
            present: g.query.contains_key(f.name),
            mode: Mode::Text,
        });
    }
    cs.push(Container { place: Place::Query, pointer: "/query".to_owned(), fields: g.op.query });
    for f in g.op.headers {
        sites.push(Site {
            place: Place::Header,
            pointer: format!("/headers/{}", f.name),
            field: f,
            present: g.header_key(f.name).is_some(),
            mode: Mode::Text,
        });
    }
    if let Some(Value::Object(map)) = &g.body {
        body_sites("/body", map, body_fields(g.op), &mut sites, &mut cs);
    }
    (sites, cs)
}

/// `/body/a/0/b` as the pointer inside the body value (`/a/0/b`).
fn in_body(pointer: &str) -> &str {
    pointer.strip_prefix("/body").unwrap_or(pointer)
}

fn last_segment(pointer: &str) -> &str {
    pointer.rsplit('/').next().unwrap_or("")
}

fn parent(pointer: &str) -> &str {
    pointer.rsplit_once('/').map_or("", |(p, _)| p)
}

/// Sets (or, with `None`, removes) the value at `pointer` in the request.
fn set(g: &mut Gen, place: Place, pointer: &str, value: Option<Value>) {
    let key = last_segment(pointer).to_owned();
    match place {
        Place::Path(i) => g.params[i].1 = text_of(&value.unwrap_or_default()),
        Place::Query => {
            match value {
                Some(v) => g.query.insert(key, v),
                None => g.query.remove(&key),
            };
        }
        Place::Header => {
            let sent = g.header_key(&key).unwrap_or(key);
            match value {
                Some(v) => g.headers.insert(sent, v),
                None => g.headers.remove(&sent),
            };
        }
        Place::Body => {
            let body = g.body.get_or_insert_with(|| json!({}));
            let holder = body.pointer_mut(in_body(parent(pointer))).unwrap_or_else(|| panic!("no parent of {pointer}"));
            match (holder, value) {
                (Value::Object(m), Some(v)) => {
                    m.insert(key, v);
                }
                (Value::Object(m), None) => {
                    m.remove(&key);
                }
                (Value::Array(items), Some(v)) => items[key.parse::<usize>().unwrap()] = v,
                (other, _) => panic!("{pointer}: parent is {other}"),
            }
        }
    }
}

/// Renames the member at `pointer` to `to` (an unknown field's suggested name).
fn rename(g: &mut Gen, place: Place, pointer: &str, to: &str) {
    let from = last_segment(pointer);
    let map = match place {
        Place::Query => &mut g.query,
        Place::Body => g
            .body
            .as_mut()
            .and_then(|b| b.pointer_mut(in_body(parent(pointer))))
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("{pointer}")),
        other => panic!("cannot rename in {other:?}"),
    };
    let v = map.remove(from).unwrap_or_else(|| panic!("{pointer} absent"));
    map.insert(to.to_owned(), v);
}

// ---------------------------------------------------------------------------------------------
// Property 1: generated requests are valid.

#[test]
fn the_currencies_used_are_real_iso_4217_codes() {
    for c in CURRENCIES {
        assert!(c.parse::<payrules::money::Currency>().is_ok(), "{c}");
    }
}

#[test]
fn every_adjustment_names_a_real_operation() {
    let ids: BTreeSet<&str> = all_operations().iter().map(|(_, op)| op.id).collect();
    for (id, why, _) in ADJUSTMENTS {
        assert!(ids.contains(id), "adjustment for unknown operation {id} ({why})");
    }
}

/// Every operation of every profile gets valid requests, and over the run every field of its
/// tables is generated at least once (required ones always, optional ones sometimes).
#[test]
fn every_generated_request_is_valid_with_no_violations() {
    let mut covered = BTreeSet::new();
    for (profile, op) in all_operations() {
        let shapes = RefCell::new(BTreeMap::new());
        for (prefix, fields) in
            [("/path", op.params), ("/query", op.query), ("/headers", op.headers), ("/body", body_fields(op))]
        {
            declared_shapes(prefix, fields, &mut shapes.borrow_mut());
        }
        run(op.id, request(profile, op, false), 64, |g| {
            let report = g.validate();
            prop_assert_eq!(report.operation.as_deref(), Some(op.id), "{}", g.to_json());
            prop_assert!(report.valid, "{}\n{:#?}", g.to_json(), report.errors);
            prop_assert!(report.errors.is_empty(), "{}\n{:#?}", g.to_json(), report.errors);
            let (sites, _) = sites(&g);
            let mut shapes = shapes.borrow_mut();
            for s in sites.iter().filter(|s| s.present) {
                let shape: Vec<&str> = s
                    .pointer
                    .split('/')
                    .map(|seg| if seg.bytes().all(|b| b.is_ascii_digit()) && !seg.is_empty() { "-" } else { seg })
                    .collect();
                let shape = shape.join("/");
                let shape = if s.place == Place::Header { format!("/headers/{}", s.field.name) } else { shape };
                shapes.insert(shape, true);
            }
            Ok(())
        });
        let missing: Vec<String> = shapes.into_inner().into_iter().filter(|(_, seen)| !seen).map(|(s, _)| s).collect();
        assert!(missing.is_empty(), "{}: fields never generated: {missing:?}", op.id);
        covered.insert(op.id);
    }
    let all: BTreeSet<&str> = all_operations().iter().map(|(_, op)| op.id).collect();
    assert_eq!(covered, all, "operations without a generator");
    assert!(all.len() >= 38, "fewer operations than the tables had when this test was written: {}", all.len());
}

// ---------------------------------------------------------------------------------------------
// Property 2: one invalid field, one violation there.

/// One change to a request and the violation it must give.
#[derive(Clone, Debug)]
enum Change {
    /// Set the field to this value (`None`: remove it).
    Set(Option<Value>),
    /// Add a member `name` to the object.
    Add(String, Value),
}

#[derive(Clone, Debug)]
struct Mutation {
    place: Place,
    /// The field or object changed.
    pointer: String,
    change: Change,
    /// Where the violation must be and its code.
    expect: (String, Code),
    what: String,
}

fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

/// Invalid values for a field, each with the code it must give and where below the field the
/// violation is (`""`: at the field).
fn invalid(field: &Field, mode: Mode) -> Vec<(Value, Code, String)> {
    let json = mode == Mode::Json;
    let at = |v: Value, c: Code| (v, c, String::new());
    let mut out = Vec::new();
    match &field.ty {
        Ty::Text { max } => {
            if json {
                out.push(at(num("1"), Code::Type));
                out.push(at(Value::Bool(true), Code::Type));
            }
            if let Some(m) = max {
                out.push(at(s(&"x".repeat(m + 1)), Code::MaxLength));
            }
        }
        Ty::Token(token) => {
            if json {
                out.push(at(num("12"), Code::Auth));
            }
            match token {
                Token::Plain { max } => {
                    out.push(at(s(""), Code::Auth));
                    out.push(at(s("a b"), Code::Auth));
                    if let Some(m) = max {
                        out.push(at(s(&"t".repeat(m + 1)), Code::Auth));
                    }
                }
                Token::Hex32 => {
                    out.push(at(s(&"a".repeat(31)), Code::Auth));
                    out.push(at(s(&"g".repeat(32)), Code::Auth));
                    out.push(at(s(&"a".repeat(33)), Code::Auth));
                }
                Token::Bearer => {
                    out.push(at(s("Basic abc"), Code::Auth));
                    out.push(at(s("Bearer "), Code::Auth));
                    out.push(at(s("Bearer a b"), Code::Auth));
                    out.push(at(s("abc"), Code::Auth));
                }
                other => panic!("a credential form these tests do not know: {other:?}; teach them"),
            }
        }
        Ty::Integer { digits, min, strict } => {
            let too_long = "1".repeat(usize::from(*digits) + 1);
            let mut texts = vec![
                ("abc", Code::Type),
                ("1.5", Code::Type),
                ("-3", Code::Range),
                (too_long.as_str(), Code::MaxLength),
            ];
            if *min >= 1 {
                texts.push(("0", Code::Range));
            }
            for (t, c) in texts {
                if json {
                    if t != "abc" {
                        out.push(at(num(t), c));
                    }
                    if !strict {
                        out.push(at(s(t), c));
                    }
                } else {
                    out.push(at(s(t), c));
                }
            }
            if json {
                out.push(at(Value::Bool(false), Code::Type));
                if *strict {
                    out.push(at(s("12"), Code::Type));
                }
            }
        }
        Ty::Decimal { positive, strings } => {
            if json {
                out.push(at(Value::Bool(true), Code::Type));
                out.push(at(json!([1]), Code::Type));
                out.push(at(s(if *strings { "abc" } else { "12.5" }), Code::Type));
            } else {
                out.push(at(s("abc"), Code::Type));
            }
            if *positive {
                out.push(at(if json { num("0") } else { s("0") }, Code::Range));
                out.push(at(if json { num("-1.5") } else { s("-1.5") }, Code::Range));
            }
        }
        Ty::Pattern(p) => {
            if json {
                out.push(at(Value::Bool(true), Code::Type));
                out.push(at(json!({}), Code::Type));
            }
            for t in ["abc", "12.34", "1234567890.00000", "-1", "1 "] {
                if !p.matches(t) && (mode != Mode::Segment || !t.contains(' ')) {
                    out.push(at(s(t), Code::Pattern));
                }
            }
            if json && !p.matches("-1") {
                out.push(at(num("-1"), Code::Pattern));
            }
            if !p.known.is_empty()
                && let Some(t) =
                    (0..1000).map(|n| n.to_string()).find(|t| p.matches(t) && !p.known.iter().any(|(k, _)| k == t))
            {
                out.push(at(s(&t), Code::Enum));
            }
        }
        Ty::Enum { values } => {
            out.push(at(s("NOT_A_VALUE_ZZ"), Code::Enum));
            if json {
                out.push(at(num("1"), Code::Type));
            }
            let _ = values;
        }
        Ty::Bool => {
            out.push(at(s("maybe"), Code::Type));
            if json {
                out.push(at(num("1"), Code::Type));
                out.push(at(s("true"), Code::Type));
            }
        }
        Ty::Date | Ty::DateTime => {
            out.push(at(s("2023-02-29"), Code::Range));
            out.push(at(s("2023-13-01"), Code::Range));
            out.push(at(s("2023-04-30T24:00:00"), Code::Range));
            out.push(at(s("2024-02-29T10:00:00+25:00"), Code::Range));
            out.push(at(s("30.04.2023"), Code::Pattern));
            out.push(at(s("2023-04-30T10:00:00Zx"), Code::Pattern));
            if json {
                out.push(at(num("20230430"), Code::Type));
            }
        }
        Ty::Currency => {
            out.push(at(s("QQQ"), Code::Enum));
            out.push(at(s("eur"), Code::Enum));
            out.push(at(s("EURO"), Code::Enum));
            if json {
                out.push(at(num("978"), Code::Type));
            }
        }
        Ty::Identifier { fields } => {
            let (a, b) = (fields[0], fields[1]);
            if json {
                out.push(at(json!({}), Code::OneOf));
                out.push(at(json!({ a: "1", b: "2" }), Code::OneOf));
                out.push((json!({ "zz_bogus": "1" }), Code::Enum, "/zz_bogus".to_owned()));
                out.push((json!({ a: "" }), Code::Required, format!("/{a}")));
                out.push((json!({ a: true }), Code::Type, format!("/{a}")));
                out.push(at(s("abc"), Code::Type));
            } else {
                out.push(at(s("abc"), Code::Type));
                out.push(at(s("{}"), Code::OneOf));
                out.push(at(s(&json!({ a: "1", b: "2" }).to_string()), Code::OneOf));
                out.push((s(&format!("{a}=")), Code::Required, format!("/{a}")));
                out.push((s("zz_bogus=1"), Code::Enum, "/zz_bogus".to_owned()));
            }
        }
        Ty::FieldsSet { names } => {
            out.push(at(s(&format!("{},,{}", names[0], names[1])), Code::Pattern));
            out.push(at(s("zz_bogus"), Code::Enum));
            if json {
                out.push(at(num("1"), Code::Type));
            }
        }
        Ty::List { non_empty, .. } => {
            out.push(at(s("x"), Code::Type));
            out.push(at(json!({}), Code::Type));
            out.push((json!([1]), Code::Type, "/0".to_owned()));
            if *non_empty {
                out.push(at(json!([]), Code::Required));
            }
        }
        Ty::Object { .. } | Ty::AnyObject => {
            out.push(at(s("x"), Code::Type));
            out.push(at(json!([]), Code::Type));
        }
        Ty::ReadOnly => {}
        other => panic!("a field type these tests do not know: {other:?}; teach them"),
    }
    out
}

/// Every single-field mutation of a valid request, with its expected violation.
fn mutations(g: &Gen) -> Vec<Mutation> {
    let (sites, containers) = sites(g);
    let mut out = Vec::new();
    for site in &sites {
        if matches!(site.field.ty, Ty::ReadOnly) {
            continue;
        }
        for (v, code, below) in invalid(site.field, site.mode) {
            out.push(Mutation {
                place: site.place,
                pointer: site.pointer.clone(),
                what: format!("{} := {v}", site.pointer),
                change: Change::Set(Some(v)),
                expect: (format!("{}{below}", site.pointer), code),
            });
        }
        if site.present && site.field.required && !matches!(site.place, Place::Path(_)) {
            out.push(Mutation {
                place: site.place,
                pointer: site.pointer.clone(),
                what: format!("remove {}", site.pointer),
                change: Change::Set(None),
                expect: (site.pointer.clone(), Code::Required),
            });
            if site.place == Place::Body {
                out.push(Mutation {
                    place: site.place,
                    pointer: site.pointer.clone(),
                    what: format!("{} := null", site.pointer),
                    change: Change::Set(Some(Value::Null)),
                    expect: (site.pointer.clone(), Code::Required),
                });
            }
        }
    }
    for c in &containers {
        let key = "zz_not_a_field";
        out.push(Mutation {
            place: c.place,
            pointer: c.pointer.clone(),
            what: format!("add {}/{key}", c.pointer),
            change: Change::Add(key.to_owned(), s("1")),
            expect: (format!("{}/{key}", c.pointer), Code::UnknownField),
        });
        for f in c.fields.iter().filter(|f| matches!(f.ty, Ty::ReadOnly)) {
            out.push(Mutation {
                place: c.place,
                pointer: c.pointer.clone(),
                what: format!("add read-only {}/{}", c.pointer, f.name),
                change: Change::Add(f.name.to_owned(), s("1")),
                expect: (format!("{}/{}", c.pointer, f.name), Code::ReadOnly),
            });
        }
    }
    // The body as a whole.
    let body = |v: Value, code: Code, what: &str| Mutation {
        place: Place::Body,
        pointer: "/body".to_owned(),
        change: Change::Set(Some(v)),
        expect: ("/body".to_owned(), code),
        what: what.to_owned(),
    };
    match g.op.body {
        Body::None => out.push(body(json!({"x": 1}), Code::UnknownField, "a body where none is taken")),
        Body::Json(_) | Body::JsonOrForm(_) => {
            out.push(body(Value::Null, Code::Required, "no body"));
            out.push(body(json!([1]), Code::Type, "an array body"));
            out.push(body(s("{\"a\":1,}"), Code::InvalidJson, "body text that is not strict JSON"));
            out.push(body(s("[]"), Code::Type, "body text holding an array"));
        }
        ref other => panic!("a body kind these tests do not know: {other:?}; teach them"),
    }
    out
}

fn apply(g: &mut Gen, m: &Mutation) {
    match (&m.change, m.place) {
        (Change::Set(v), Place::Body) if m.pointer == "/body" => g.body.clone_from(v),
        (Change::Set(v), place) => set(g, place, &m.pointer, v.clone()),
        (Change::Add(k, v), place) => set(g, place, &format!("{}/{k}", m.pointer), Some(v.clone())),
    }
}

/// Cross-field rules that legitimately give an error at another field when one field is made
/// invalid: (operation id, field mutated, where the extra error is, code, why). Kept explicit and
/// small; every entry is a rule of a `cross` function.
const ALLOWED_ELSEWHERE: &[(&str, &str, &str, Code, &str)] = &[];

fn mutation_strategy() -> impl Strategy<Value = (Gen, Mutation)> {
    let ops = all_operations();
    (0..ops.len())
        .prop_flat_map(move |i| {
            let (p, op) = ops[i];
            (request(p, op, true), any::<prop::sample::Index>())
        })
        .prop_filter_map("no mutation", |(g, pick)| {
            let ms = mutations(&g);
            if ms.is_empty() {
                return None;
            }
            let m = ms[pick.index(ms.len())].clone();
            Some((g, m))
        })
}

/// Over every operation, every possible single mutation is tried on a few generated requests.
#[test]
fn every_mutation_of_every_operation_gives_its_violation() {
    let codes = RefCell::new(BTreeSet::new());
    for (profile, op) in all_operations() {
        run(op.id, request(profile, op, true), 6, |g| {
            for m in mutations(&g) {
                check_mutation(&g, &m)?;
                codes.borrow_mut().insert(m.expect.1);
            }
            Ok(())
        });
    }
    let codes = codes.into_inner();
    for c in [
        Code::Required,
        Code::Type,
        Code::Pattern,
        Code::MaxLength,
        Code::Enum,
        Code::Range,
        Code::OneOf,
        Code::UnknownField,
        Code::ReadOnly,
        Code::InvalidJson,
        Code::Auth,
    ] {
        assert!(codes.contains(&c), "no mutation gives {c:?}");
    }
}

fn check_mutation(g: &Gen, m: &Mutation) -> Result<(), TestCaseError> {
    let mut bad = g.clone();
    apply(&mut bad, m);
    let report = bad.validate();
    let shown = || format!("{} on {}\n{}\n{:#?}", m.what, g.op.id, bad.to_json(), report.errors);
    prop_assert_eq!(report.operation.as_deref(), Some(g.op.id), "{}", shown());
    let (path, code) = &m.expect;
    prop_assert!(
        report.errors.iter().any(|v| &v.path == path && v.code == *code),
        "expected {:?} at {}: {}",
        code,
        path,
        shown()
    );
    for v in errors(&report) {
        let here = v.path == *path || v.path == m.pointer || v.path.starts_with(&format!("{}/", m.pointer));
        let allowed = ALLOWED_ELSEWHERE
            .iter()
            .any(|(id, f, at, c, _)| *id == g.op.id && m.pointer.ends_with(f) && v.path == *at && v.code == *c);
        prop_assert!(here || allowed, "error elsewhere {:?}: {}", v, shown());
    }
    check_suggestions(&bad, &report)?;
    Ok(())
}

/// Breaking each cross-field rule (`cross` fns in `src/profiles/*.rs`) on a valid request: per
/// operation id, a change that breaks exactly one rule and the violation it must give. The tables
/// cannot say these, so they are kept by hand, one entry per rule.
type Break = (&'static str, &'static str, fn(&mut Gen) -> (String, Code));

const CROSS_BREAKS: &[Break] = &[
    ("crmcom.payments_create", "the same invoice twice in invoices_to_pay_set", |g| {
        let item = json!({"invoice_identifier": {"number": "INV-1"}});
        set_body(g, "/invoices_to_pay_set", json!([item.clone(), item]));
        ("/body/invoices_to_pay_set/1/invoice_identifier".to_owned(), Code::Range)
    }),
    ("crmcom.payments_create", "the same bill twice, by number text and number", |g| {
        set_body(g, "/bills_to_pay_set", json!([{"bill_identifier": {"id": "7"}}, {"bill_identifier": {"id": 7}}]));
        ("/body/bills_to_pay_set/1/bill_identifier".to_owned(), Code::Range)
    }),
    ("plentymarkets.create_payment", "split payment without parentId", split_without_parent),
    ("plentymarkets.update_payment", "split payment without parentId", split_without_parent),
    ("plentymarkets.create_payment", "isSystemCurrency false with exchangeRatio 0", zero_ratio),
    ("plentymarkets.update_payment", "isSystemCurrency false with exchangeRatio 0", zero_ratio),
    ("plentymarkets.create_payment", "yen with fractions (precision warning)", yen_fractions),
    ("plentymarkets.update_payment", "yen with fractions (precision warning)", yen_fractions),
    ("plentymarkets.list_payments_by_entry_date", "endDate before startDate", end_before_start),
    ("plentymarkets.list_payments_by_import_date", "endDate before startDate", end_before_start),
    ("logisense.create_payment", "amount 0", |g| amount(g, "0")),
    ("logisense.create_payment_vendor", "amount -5.5", |g| amount(g, "-5.5")),
    ("logisense.reverse_payment", "amount -1", |g| amount(g, "-1")),
    ("logisense.reverse_payment_vendor", "amount 0.00", |g| amount(g, "0.00")),
    ("logisense.update_payment", "identity other than the path id", |g| {
        let id: u128 = g.params[0].1.parse().unwrap();
        set_body(g, "/identity", num(&(id + 1).to_string()));
        ("/body/identity".to_owned(), Code::Range)
    }),
    ("logisense.patch_payment", "a create item without accountId", |g| {
        set_body(
            g,
            "/payments/items",
            json!([{"patchType": "create", "patchClientId": 1, "amount": 5, "paymentTypeId": 2}]),
        );
        ("/body/payments/items/0/accountId".to_owned(), Code::ConditionalRequired)
    }),
    ("logisense.patch_payment", "a create item with amount -1", |g| {
        set_body(
            g,
            "/payments/items",
            json!([{"patchType": "create", "patchClientId": 1, "amount": -1, "accountId": 3, "paymentTypeId": 2}]),
        );
        ("/body/payments/items/0/amount".to_owned(), Code::Range)
    }),
    ("logisense.patch_payment", "a create item with identity (warning)", |g| {
        set_body(
            g,
            "/payments/items",
            json!([{"patchType": "create", "patchClientId": 1, "amount": 1, "accountId": 3, "paymentTypeId": 2, "identity": 9}]),
        );
        ("/body/payments/items/0/identity".to_owned(), Code::ReadOnly)
    }),
    ("logisense.patch_payment", "an update item without identity", |g| {
        set_body(
            g,
            "/payments/items",
            json!([{"patchType": "delete", "patchClientId": 1, "identity": 4}, {"patchType": "update", "patchClientId": 2}]),
        );
        ("/body/payments/items/1/identity".to_owned(), Code::ConditionalRequired)
    }),
];

fn set_body(g: &mut Gen, pointer: &str, v: Value) {
    set(g, Place::Body, &format!("/body{pointer}"), Some(v));
}

fn split_without_parent(g: &mut Gen) -> (String, Code) {
    set_body(g, "/transactionType", s("3"));
    set(g, Place::Body, "/body/parentId", None);
    ("/body/parentId".to_owned(), Code::ConditionalRequired)
}

fn zero_ratio(g: &mut Gen) -> (String, Code) {
    set_body(g, "/isSystemCurrency", Value::Bool(false));
    set_body(g, "/exchangeRatio", num("0.0000"));
    ("/body/exchangeRatio".to_owned(), Code::Range)
}

fn yen_fractions(g: &mut Gen) -> (String, Code) {
    set_body(g, "/currency", s("JPY"));
    set_body(g, "/amount", s("12.3400"));
    ("/body/amount".to_owned(), Code::Precision)
}

fn end_before_start(g: &mut Gen) -> (String, Code) {
    g.query.insert("startDate".to_owned(), s("2024-03-01T00:30:00+01:00"));
    g.query.insert("endDate".to_owned(), s("2024-02-29T23:00:00Z"));
    ("/query/endDate".to_owned(), Code::Range)
}

fn amount(g: &mut Gen, text: &str) -> (String, Code) {
    set_body(g, "/amount", num(text));
    ("/body/amount".to_owned(), Code::Range)
}

/// Each cross-field rule, broken alone on generated requests, gives its violation and no other error.
#[test]
fn every_broken_cross_field_rule_gives_its_violation() {
    let ops = all_operations();
    for (id, what, brk) in CROSS_BREAKS {
        let (profile, op) = *ops.iter().find(|(_, op)| op.id == *id).unwrap_or_else(|| panic!("no operation {id}"));
        run(&format!("{id}: {what}"), request(profile, op, true), 32, |g| {
            let mut bad = g.clone();
            let (path, code) = brk(&mut bad);
            let report = bad.validate();
            let shown = || format!("{what}: {}\n{:#?}", bad.to_json(), report.errors);
            prop_assert_eq!(report.operation.as_deref(), Some(op.id));
            prop_assert!(
                report.errors.iter().any(|v| v.path == path && v.code == code),
                "expected {:?} at {}: {}",
                code,
                path,
                shown()
            );
            prop_assert!(errors(&report).iter().all(|v| v.path == path), "error elsewhere: {}", shown());
            check_suggestions(&bad, &report)?;
            Ok(())
        });
    }
    // Every operation with an adjustment has its rules broken here too.
    for (id, why, _) in ADJUSTMENTS {
        assert!(CROSS_BREAKS.iter().any(|(b, _, _)| b == id), "{id} ({why}) has no broken-rule case");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// A random operation, a random request, a random single mutation.
    #[test]
    fn a_random_single_mutation_gives_its_violation((g, m) in mutation_strategy()) {
        check_mutation(&g, &m)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Property 3: suggestions fix what they are offered for.

/// Applies a violation's suggestion at its path; `false` when the path is not in the request.
fn apply_suggestion(g: &mut Gen, v: &Violation) -> bool {
    let Some(text) = &v.suggestion else { return false };
    let parsed: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("suggestion {text} is not JSON: {e}"));
    let place = match v.path.split('/').nth(1) {
        Some("query") => Place::Query,
        Some("headers") => Place::Header,
        Some("body") => Place::Body,
        Some("path") => {
            let name = last_segment(&v.path);
            match g.op.params.iter().position(|f| f.name == name) {
                Some(i) => Place::Path(i),
                None => return false,
            }
        }
        _ => return false,
    };
    // A suggested name: an unknown member (or an identifier's unknown field) is renamed.
    if v.code == Code::UnknownField || identifier_key(g, &v.path) {
        let to = parsed.as_str().unwrap_or_else(|| panic!("suggested name {text} is not a string"));
        if place == Place::Query && !g.query.contains_key(last_segment(&v.path)) {
            // An identifier in the query, written as text: rename inside the text.
            let param = parent(&v.path);
            let key = last_segment(param);
            let old = text_of(&g.query[key]);
            let from = last_segment(&v.path);
            let new = if old.trim_start().starts_with('{') {
                let mut obj: Map<String, Value> = serde_json::from_str(&old).unwrap();
                let val = obj.remove(from).unwrap();
                obj.insert(to.to_owned(), val);
                Value::Object(obj).to_string()
            } else {
                old.replacen(from, to, 1)
            };
            g.query.insert(key.to_owned(), Value::String(new));
        } else {
            rename(g, place, &v.path, to);
        }
        return true;
    }
    let value = match place {
        Place::Body => parsed,
        _ => match parsed {
            Value::String(s) => Value::String(s),
            _ => Value::String(text.clone()),
        },
    };
    set(g, place, &v.path, Some(value));
    true
}

/// Whether `pointer` names a member of an identifier object (its key, not a field of the table).
fn identifier_key(g: &Gen, pointer: &str) -> bool {
    let (sites, _) = sites(g);
    sites.iter().any(|s| s.pointer == parent(pointer) && matches!(s.field.ty, Ty::Identifier { .. }))
}

/// Every suggestion in the report, applied alone, removes its violation (same path and code).
fn check_suggestions(g: &Gen, report: &Report) -> Result<(), TestCaseError> {
    for v in report.errors.iter().filter(|v| v.suggestion.is_some()) {
        let mut fixed = g.clone();
        prop_assert!(apply_suggestion(&mut fixed, v), "cannot apply {:?} to {}", v, g.to_json());
        let after = fixed.validate();
        prop_assert!(
            !after.errors.iter().any(|w| w.path == v.path && w.code == v.code),
            "suggestion {:?} for {} did not fix it:\nbefore {}\nafter {}\n{:#?}",
            v.suggestion,
            v.path,
            g.to_json(),
            fixed.to_json(),
            after.errors
        );
    }
    Ok(())
}

/// Changes that make the engine offer a suggestion: (kind, place, pointer, change).
fn provocations(g: &Gen) -> Vec<(&'static str, Mutation)> {
    let (sites, containers) = sites(g);
    let mut out = Vec::new();
    let mk = |kind: &'static str, place: Place, pointer: &str, change: Change, at: String, code: Code| {
        (kind, Mutation { place, pointer: pointer.to_owned(), what: kind.to_owned(), change, expect: (at, code) })
    };
    for c in &containers {
        for f in c.fields.iter().filter(|f| !matches!(f.ty, Ty::ReadOnly)) {
            let typo = swap_case(f.name);
            if c.fields.iter().any(|x| x.name == typo) || typo == f.name {
                continue;
            }
            let at = format!("{}/{typo}", c.pointer);
            out.push(mk("unknown_field_typo", c.place, &c.pointer, Change::Add(typo, s("1")), at, Code::UnknownField));
        }
    }
    for site in sites.iter().filter(|s| s.present || s.place == Place::Body) {
        let json = site.mode == Mode::Json;
        let p = &site.pointer;
        let set = |kind, v: Value, code| mk(kind, site.place, p, Change::Set(Some(v)), p.clone(), code);
        match &site.field.ty {
            Ty::Enum { values } => {
                if let Some(v) = values.iter().map(|v| swap_case(v)).find(|v| !values.contains(&v.as_str())) {
                    out.push(set("enum_case", s(&v), Code::Enum));
                }
            }
            Ty::Bool if json => {
                out.push(set("bool_as_string", s("true"), Code::Type));
                out.push(set("bool_as_string", s("false"), Code::Type));
            }
            Ty::Integer { strict, .. } => {
                if json && *strict {
                    out.push(set("integer_as_string", s("7"), Code::Type));
                }
                if json {
                    out.push(set("whole_number_written_as_decimal", num("1.0"), Code::Type));
                    out.push(set("whole_number_written_as_decimal", num("1e1"), Code::Type));
                    if !strict {
                        out.push(set("whole_number_written_as_decimal", s("2.00"), Code::Type));
                    }
                } else {
                    out.push(set("whole_number_written_as_decimal", s("1.0"), Code::Type));
                }
            }
            Ty::Decimal { strings: false, .. } if json => {
                out.push(set("decimal_as_string", s("12.5"), Code::Type));
            }
            Ty::Pattern(pat) if pat.decimals.is_some() => {
                out.push(set("amount_decimals", s("12.34"), Code::Pattern));
                if json {
                    out.push(set("amount_decimals", num("7"), Code::Pattern));
                    out.push(set("amount_decimals", num("0.5"), Code::Pattern));
                }
            }
            Ty::Currency => out.push(set("currency_case", s("eur"), Code::Enum)),
            Ty::Identifier { fields } => {
                let upper = fields[1].to_ascii_uppercase();
                let at = format!("{p}/{upper}");
                let v = if json { json!({ upper.clone(): "1" }) } else { s(&format!("{upper}=1")) };
                out.push(mk("identifier_field_case", site.place, p, Change::Set(Some(v)), at, Code::Enum));
            }
            _ => {}
        }
        // Text sources: a JSON number where the request's query and headers hold strings. Only
        // where the value's text is a JSON number: the suggestion is that text as a string, which
        // fixes the request's shape; a value that is then wrong for its field (`5` as an
        // identifier) gives a `type` error at the same path, which is another violation.
        let current = match site.place {
            Place::Query => g.query.get(site.field.name).map(text_of),
            Place::Header => g.header_key(site.field.name).and_then(|k| g.headers.get(&k)).map(text_of),
            _ => None,
        };
        if let Some(n) = current.and_then(|t| t.parse::<serde_json::Number>().ok().filter(|n| n.to_string() == t)) {
            let at = match site.place {
                Place::Header => format!("/headers/{}", g.header_key(site.field.name).unwrap()),
                _ => p.clone(),
            };
            out.push(mk("number_in_text_source", site.place, p, Change::Set(Some(Value::Number(n))), at, Code::Type));
        }
    }
    // `PUT /Payment/{id}` with an identity that is not the path's id.
    if g.op.params.iter().any(|f| f.name == "id") && body_fields(g.op).iter().any(|f| f.name == "identity") {
        let id: u128 = g.params[0].1.parse().unwrap_or(1);
        let other = num(&(id + 1).to_string());
        out.push(mk(
            "identity_not_the_path_id",
            Place::Body,
            "/body",
            Change::Add("identity".to_owned(), other),
            "/body/identity".to_owned(),
            Code::Range,
        ));
    }
    out
}

fn swap_case(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() }).collect()
}

/// Every kind of suggestion the engine offers (one per `with_suggestion` call in src) is provoked
/// on every operation where it can be, and each suggestion fixes its violation.
#[test]
fn every_suggestion_fixes_its_violation() {
    let kinds = RefCell::new(BTreeMap::<&str, usize>::new());
    for (profile, op) in all_operations() {
        run(op.id, request(profile, op, true), 4, |g| {
            for (kind, m) in provocations(&g) {
                let mut bad = g.clone();
                apply(&mut bad, &m);
                let report = bad.validate();
                let (path, code) = &m.expect;
                let offered =
                    report.errors.iter().any(|v| &v.path == path && v.code == *code && v.suggestion.is_some());
                prop_assert!(
                    offered,
                    "{kind}: no suggestion at {path} ({code:?}) for {}\n{:#?}",
                    bad.to_json(),
                    report.errors
                );
                *kinds.borrow_mut().entry(kind).or_default() += 1;
                check_suggestions(&bad, &report)?;
            }
            Ok(())
        });
    }
    let kinds = kinds.into_inner();
    for kind in [
        "unknown_field_typo",
        "enum_case",
        "bool_as_string",
        "integer_as_string",
        "whole_number_written_as_decimal",
        "decimal_as_string",
        "amount_decimals",
        "currency_case",
        "identifier_field_case",
        "number_in_text_source",
        "identity_not_the_path_id",
    ] {
        assert!(kinds.get(kind).is_some_and(|n| *n > 0), "suggestion kind {kind} never provoked: {kinds:?}");
    }
}
