//! The field rules: a declarative description of every field of every operation, and the one checker
//! that walks a request against it, collecting every violation.

use std::borrow::Cow;

use std::fmt::{self, Write as _};

use serde::Serialize;

use crate::datetime::{DateError, DateTime};
use crate::json::{Json, Members};
use crate::money::{Currency, Exact};
use crate::pointer::Pointer;
use crate::report::{Code, Violation};

/// One field of a request part (path, query, header or body object).
#[derive(Debug, Serialize)]
pub struct Field {
    /// The field's name as the vendor spells it.
    pub name: &'static str,
    /// What the value must be.
    #[serde(rename = "type")]
    pub ty: Ty,
    /// Whether the vendor refuses the request without it.
    pub required: bool,
    /// One line for people (shown in the console's form and in `payrules profiles`). Without the
    /// feature `descriptions`, empty for an optional field that is not an enum: validation quotes
    /// only a required field's and an enum's.
    pub doc: &'static str,
}

impl Field {
    pub(crate) const fn req(name: &'static str, ty: Ty, doc: &'static str) -> Field {
        Field { name, ty, required: true, doc }
    }

    /// An optional field. Validation quotes an optional field's `doc` only when it is an enum
    /// (`allowed values are …`), so without the feature `descriptions` the others are empty.
    pub(crate) const fn opt(name: &'static str, ty: Ty, doc: &'static str) -> Field {
        let doc = if cfg!(feature = "descriptions") || matches!(ty, Ty::Enum { .. }) { doc } else { "" };
        Field { name, ty, required: false, doc }
    }

    /// A field the vendor sets; its `doc` is empty without the feature `descriptions`, as in [`Field::opt`].
    pub(crate) const fn read_only(name: &'static str, doc: &'static str) -> Field {
        Field { name, ty: Ty::ReadOnly, required: false, doc: if cfg!(feature = "descriptions") { doc } else { "" } }
    }
}

/// How a credential must look.
#[derive(Debug, Serialize)]
#[serde(tag = "form", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Token {
    /// Any non-empty text without spaces or control characters, at most `max` characters.
    Plain {
        /// The longest token the vendor issues, in characters (`None`: no limit).
        max: Option<usize>,
    },
    /// 32 hexadecimal digits (CRM.COM's login tokens).
    Hex32,
    /// An `Authorization` header of the form `Bearer <token>`.
    Bearer,
}

/// A vendor's regular expression, kept as published, and a matcher that reads it as the vendor means it.
#[derive(Debug)]
pub struct Pattern {
    /// The pattern exactly as the vendor publishes it, e.g. `/^[0-9]{1,9}[\.][0-9]{4}+$/`.
    pub published: &'static str,
    /// What it means in words (and how we read it where the dialect matters).
    pub means: &'static str,
    /// The same rule written for Rust's `regex` dialect; a test checks the matcher against it.
    pub rust_regex: &'static str,
    /// Values the pattern lets through that are still not valid, with the real values named:
    /// `(value, meaning)` pairs. Empty when every match is valid.
    pub known: &'static [(&'static str, &'static str)],
    pub(crate) matcher: fn(&str) -> bool,
    /// Decimals the value must have, for offering a corrected amount.
    pub decimals: Option<u32>,
}

impl Serialize for Pattern {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Pattern", 3)?;
        st.serialize_field("published", self.published)?;
        st.serialize_field("means", self.means)?;
        st.serialize_field("values", &self.known.iter().map(|(v, m)| [*v, *m]).collect::<Vec<_>>())?;
        st.end()
    }
}

impl Pattern {
    /// Whether the text matches the vendor's pattern (read the vendor's way).
    pub fn matches(&self, text: &str) -> bool {
        (self.matcher)(text)
    }
}

/// What a field's value must be.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Ty {
    /// A string of at most `max` characters.
    Text {
        /// The most characters allowed (`None`: no limit).
        max: Option<usize>,
    },
    /// A credential; its value is never echoed.
    Token(Token),
    /// A whole number of at most `digits` digits, at least `min`. With `strict`, a JSON body must
    /// send a number (not a string); text sources (path, query, form) always send text.
    Integer {
        /// The most digits allowed.
        digits: u8,
        /// The smallest value allowed.
        min: u64,
        /// A JSON body must send a number, not a numeric string.
        strict: bool,
    },
    /// A number (possibly fractional), read exactly. `positive`: above zero; `strings`: a numeric
    /// string is accepted in JSON too.
    Decimal {
        /// The value must be above zero.
        positive: bool,
        /// A numeric string is accepted in JSON too.
        strings: bool,
    },
    /// The vendor's regular expression, applied to the value's text (a JSON number's own text).
    Pattern(&'static Pattern),
    /// One of these strings.
    Enum {
        /// The values allowed, as the vendor spells them.
        values: &'static [&'static str],
    },
    /// `true` or `false` (in text sources also `1`/`0`).
    Bool,
    /// An ISO 8601 date-time that exists on the calendar (a bare date is accepted too).
    DateTime,
    /// An ISO 8601 calendar date `YYYY-MM-DD`, or a date-time.
    Date,
    /// An ISO 4217 alphabetic code from the maintained table.
    Currency,
    /// An identifier object naming a record by exactly one of these fields. In text sources it is
    /// written `field=value` or as JSON object text.
    Identifier {
        /// The fields that can name the record.
        fields: &'static [&'static str],
    },
    /// A comma-separated list of these names.
    FieldsSet {
        /// The names allowed in the list.
        names: &'static [&'static str],
    },
    /// An array of objects, each with these fields.
    List {
        /// The fields of each item.
        item: &'static [Field],
        /// At least one item is required.
        non_empty: bool,
    },
    /// An object with these fields.
    Object {
        /// Its fields.
        fields: &'static [Field],
    },
    /// Any JSON object; its contents are the vendor's business.
    AnyObject,
    /// A field the vendor sets itself; a sent value is ignored (warning).
    ReadOnly,
}

/// Where a value came from: JSON keeps its types, text sources (path, query, headers, form bodies) are all strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Src {
    Json,
    Text,
}

/// A value to check.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Val<'a> {
    Json(&'a Json<'a>),
    Text(&'a str),
}

impl<'a> Val<'a> {
    fn of(value: &'a Json<'a>, src: Src) -> Val<'a> {
        match (src, value) {
            (Src::Text, Json::String(s)) => Val::Text(s),
            _ => Val::Json(value),
        }
    }

    /// The value's text when it is a string or a number.
    pub(crate) fn text(self) -> Option<&'a str> {
        match self {
            Val::Text(s) => Some(s),
            Val::Json(Json::String(s)) => Some(s),
            Val::Json(Json::Number(n)) => Some(n),
            Val::Json(_) => None,
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Val::Text(_) => "a string",
            Val::Json(v) => v.kind(),
        }
    }
}

/// The violations collected so far.
#[derive(Debug, Default)]
pub(crate) struct Ctx {
    pub(crate) errors: Vec<Violation>,
    /// Only the verdict is wanted (the one-pass check): warnings are counted in `warned`, not written.
    pub(crate) quiet: bool,
    pub(crate) warned: bool,
    /// Only whether there is an error is wanted (`verdict_json_bytes`): a rule may skip the work
    /// that could only find a warning ([`Ctx::wants_warnings`]).
    pub(crate) errors_only: bool,
}

impl Ctx {
    /// Whether a warning found would count: a cross-field rule skips the work that can only find
    /// a warning when it would not. The field rules (`check_value`) always look for every warning:
    /// the one pass keeps the texts they find clean (`fast::keep_clean`).
    pub(crate) fn wants_warnings(&self) -> bool {
        !self.errors_only
    }

    /// Records a warning, written by `make` unless only the verdict is wanted.
    pub(crate) fn warn(&mut self, make: impl FnOnce() -> Violation) {
        if self.quiet {
            self.warned = true;
        } else {
            self.errors.push(make());
        }
    }

    pub(crate) fn error(&mut self, ptr: &Pointer, code: Code, message: String) {
        self.errors.push(Violation::error(ptr.as_str(), code, message));
    }

    pub(crate) fn push(&mut self, v: Violation) {
        self.errors.push(v);
    }

    pub(crate) fn required(&mut self, ptr: &Pointer, field: &Field) {
        self.error(ptr, Code::Required, format!("`{}` is required. {}.", field.name, field.doc.trim_end_matches('.')));
    }
}

/// Checks an object's fields: every declared field, then every undeclared one (a warning).
pub(crate) fn check_object(ctx: &mut Ctx, ptr: &mut Pointer, map: &Members<'_>, fields: &[Field], src: Src) {
    // One pass over the members finds each declared field's value (the last one, where a key is
    // repeated); members matching no field are the unknown ones.
    let mut on_stack: [Option<&Json<'_>>; 64] = [None; 64];
    let mut on_heap;
    let found: &mut [Option<&Json<'_>>] = if let Some(slots) = on_stack.get_mut(..fields.len()) {
        slots
    } else {
        on_heap = vec![None; fields.len()];
        &mut on_heap
    };
    let mut unknown = false;
    for (key, value) in map {
        match fields.iter().position(|f| f.name == key).and_then(|i| found.get_mut(i)) {
            Some(slot) => *slot = Some(value),
            None => unknown = true,
        }
    }
    for (field, value) in fields.iter().zip(found.iter().copied()) {
        match value {
            None | Some(Json::Null) => {
                if field.required {
                    ptr.push(field.name);
                    ctx.required(ptr, field);
                    ptr.pop();
                }
            }
            Some(value) => {
                ptr.push(field.name);
                check_value(ctx, ptr, field, Val::of(value, src));
                ptr.pop();
            }
        }
    }
    if unknown {
        for (key, _) in map {
            if !fields.iter().any(|f| f.name == key) {
                ptr.push(key);
                ctx.push(unknown_field(ptr, key, fields.iter().map(|f| f.name)));
                ptr.pop();
            }
        }
    }
}

/// Checks text parameters (query or path) against their fields; undeclared query parameters warn.
pub(crate) fn check_params(
    ctx: &mut Ctx,
    ptr: &mut Pointer,
    params: &[(Cow<'_, str>, Cow<'_, str>)],
    fields: &[Field],
    warn_unknown: bool,
) {
    for field in fields {
        ptr.push(field.name);
        match crate::request::pair(params, field.name) {
            None => {
                if field.required {
                    ctx.required(ptr, field);
                }
            }
            Some(text) => check_value(ctx, ptr, field, Val::Text(text)),
        }
        ptr.pop();
    }
    if warn_unknown {
        for (key, _) in params {
            if !fields.iter().any(|f| f.name == key) {
                ptr.push(key);
                ctx.push(unknown_field(ptr, key, fields.iter().map(|f| f.name)));
                ptr.pop();
            }
        }
    }
}

fn unknown_field<'a>(ptr: &Pointer, key: &str, known: impl Iterator<Item = &'a str> + Clone) -> Violation {
    let near = nearest(key, known.clone());
    let mut message = format!("`{key}` is not a field of this operation; the vendor ignores it");
    if let Some(near) = near {
        {
            let _ = write!(message, " (did you mean `{near}`?)");
        };
        return Violation::warning(ptr.as_str(), Code::UnknownField, message).with_suggestion(format!("\"{near}\""));
    }
    let names: Vec<&str> = known.collect();
    if !names.is_empty() {
        const SHOWN: usize = 12;
        let shown = names.iter().take(SHOWN).copied().collect::<Vec<_>>().join(", ");
        match names.len().checked_sub(SHOWN) {
            Some(more) if more > 0 => {
                let _ = write!(message, "; known fields: {shown} and {more} more");
            }
            _ => {
                let _ = write!(message, "; known fields: {shown}");
            }
        }
    }
    Violation::warning(ptr.as_str(), Code::UnknownField, message)
}

/// The known name closest to `key`, when it is close enough to be a typo.
pub(crate) fn nearest<'a>(key: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for name in known {
        let d = if name.eq_ignore_ascii_case(key) { 0 } else { edit_distance(key, name) };
        let limit = if name.len() <= 4 { 1 } else { 2 };
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, name));
        }
    }
    best.map(|(_, n)| n)
}

/// `c` lowercased as the distance compares it to a table's name, which is ASCII: exactly
/// `char::to_lowercase` on ASCII and wherever that gives an ASCII letter (the Kelvin sign's `k`,
/// the dotted capital I's `i` and combining dot), the same number of characters everywhere, and
/// every other character left as it is, as it stays unlike every ASCII character either way; so
/// the distance to an ASCII name is the one full lowercasing gives (a test checks every character).
/// Without the full mapping, the validation module carries no Unicode case table (~4 KB gzip).
fn fold(c: char, out: &mut Vec<char>) {
    match c {
        '\u{212A}' => out.push('k'),
        '\u{130}' => out.extend(['i', '\u{307}']),
        c => out.push(c.to_ascii_lowercase()),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let lower = |s: &str| {
        let mut out = Vec::with_capacity(s.len());
        s.chars().for_each(|c| fold(c, &mut out));
        out
    };
    let (a, b) = (lower(a), lower(b));
    if a.len().abs_diff(b.len()) > 2 || a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    // Levenshtein distance, one row at a time: `row[j]` is the distance from a[..i] to b[..j].
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = i; // row[j] of the previous row, before it is overwritten
        let mut left = i + 1; // row[j] of this row
        for (cell, cb) in row.iter_mut().skip(1).zip(&b) {
            let up = *cell;
            let best = (diagonal + usize::from(ca != cb)).min(up + 1).min(left + 1);
            diagonal = up;
            *cell = best;
            left = best;
        }
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
    }
    row.last().copied().unwrap_or(usize::MAX)
}

/// Checks one present, non-null value against its field.
pub(crate) fn check_value(ctx: &mut Ctx, ptr: &mut Pointer, field: &Field, val: Val<'_>) {
    let name = field.name;
    match &field.ty {
        Ty::Text { max } => match val.text().filter(|_| !matches!(val, Val::Json(Json::Number(_)))) {
            Some(s) => {
                if let Some(max) = max {
                    let len = s.chars().count();
                    if len > *max {
                        ctx.error(
                            ptr,
                            Code::MaxLength,
                            format!("`{name}` is {len} characters long; at most {max} are allowed"),
                        );
                    }
                }
            }
            None => ctx.error(ptr, Code::Type, format!("`{name}` must be a string; found {}", val.kind())),
        },
        Ty::Token(token) => check_token(ctx, ptr, name, token, val),
        Ty::Integer { digits, min, strict } => check_integer(ctx, ptr, name, *digits, *min, *strict, val),
        Ty::Decimal { positive, strings } => {
            check_decimal(ctx, ptr, name, *positive, *strings, val);
        }
        Ty::Pattern(pattern) => check_pattern(ctx, ptr, name, pattern, val),
        Ty::Enum { values } => match val.text().filter(|_| !matches!(val, Val::Json(Json::Number(_)))) {
            Some(s) if values.contains(&s) => {}
            Some(s) => {
                let mut v = Violation::error(
                    ptr.as_str(),
                    Code::Enum,
                    format!("`{name}` is \"{s}\"; allowed values are {} ({})", quoted_list(values), field.doc),
                );
                if let Some(near) = values.iter().find(|x| x.eq_ignore_ascii_case(s)) {
                    {
                        let _ = write!(v.message, " (did you mean \"{near}\"?)");
                    };
                    v = v.with_suggestion(format!("\"{near}\""));
                }
                ctx.push(v);
            }
            None => ctx.error(
                ptr,
                Code::Type,
                format!("`{name}` must be one of the strings {}; found {}", quoted_list(values), val.kind()),
            ),
        },
        Ty::Bool => match val {
            Val::Json(Json::Bool(_)) | Val::Text("true" | "false" | "1" | "0") => {}
            Val::Text(s) => ctx.error(ptr, Code::Type, format!("`{name}` must be true or false; found \"{s}\"")),
            Val::Json(Json::String(s)) if s == "true" || s == "false" => {
                let v = Violation::error(
                    ptr.as_str(),
                    Code::Type,
                    format!("`{name}` must be the boolean {s}, not the string \"{s}\""),
                )
                .with_suggestion(s.to_string());
                ctx.push(v);
            }
            Val::Json(v) => ctx.error(ptr, Code::Type, format!("`{name}` must be true or false; found {}", v.kind())),
        },
        Ty::DateTime | Ty::Date => check_date(ctx, ptr, name, matches!(field.ty, Ty::Date), val),
        Ty::Currency => check_currency(ctx, ptr, name, val),
        Ty::Identifier { fields } => check_identifier(ctx, ptr, name, fields, val),
        Ty::FieldsSet { names } => check_fields_set(ctx, ptr, name, names, val),
        Ty::List { item, non_empty } => match val {
            Val::Json(Json::Array(items)) => {
                if *non_empty && items.is_empty() {
                    ctx.error(ptr, Code::Required, format!("`{name}` must hold at least one item; it is empty"));
                }
                for (i, it) in items.iter().enumerate() {
                    ptr.push_index(i);
                    match it {
                        Json::Object(map) => check_object(ctx, ptr, map, item, Src::Json),
                        other => ctx.error(
                            ptr,
                            Code::Type,
                            format!("each item of `{name}` must be an object; found {}", other.kind()),
                        ),
                    }
                    ptr.pop();
                }
            }
            _ => ctx.error(ptr, Code::Type, format!("`{name}` must be an array of objects; found {}", val.kind())),
        },
        Ty::Object { fields } => match val {
            Val::Json(Json::Object(map)) => check_object(ctx, ptr, map, fields, Src::Json),
            _ => ctx.error(ptr, Code::Type, format!("`{name}` must be an object; found {}", val.kind())),
        },
        Ty::AnyObject => {
            if !matches!(val, Val::Json(Json::Object(_))) {
                ctx.error(ptr, Code::Type, format!("`{name}` must be an object; found {}", val.kind()));
            }
        }
        Ty::ReadOnly => ctx.push(Violation::warning(
            ptr.as_str(),
            Code::ReadOnly,
            format!("`{name}` is set by the vendor; the value sent is ignored"),
        )),
    }
}

fn quoted_list(values: &[&str]) -> String {
    values.iter().map(|v| format!("\"{v}\"")).collect::<Vec<_>>().join(", ")
}

fn check_token(ctx: &mut Ctx, ptr: &Pointer, name: &str, token: &Token, val: Val<'_>) {
    let Some(text) = val.text().filter(|_| !matches!(val, Val::Json(Json::Number(_)))) else {
        ctx.error(ptr, Code::Auth, format!("`{name}` must be a string credential; found {}", val.kind()));
        return;
    };
    let bad_char = |s: &str| s.chars().any(|c| c.is_whitespace() || c.is_control());
    let problem = match token {
        Token::Plain { max } => {
            let len = text.chars().count();
            if text.is_empty() {
                Some("is empty".to_owned())
            } else if bad_char(text) {
                Some("contains spaces or control characters, which no token has".to_owned())
            } else if max.is_some_and(|m| len > m) {
                Some(format!("is {len} characters long; tokens are at most {} characters", max.unwrap_or(0)))
            } else {
                None
            }
        }
        Token::Hex32 => {
            if text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
                None
            } else {
                Some(format!(
                    "is not a CRM.COM token: tokens are 32 hexadecimal digits, this one has {} characters{}",
                    text.chars().count(),
                    if text.bytes().all(|b| b.is_ascii_hexdigit()) { "" } else { " and non-hexadecimal ones" }
                ))
            }
        }
        Token::Bearer => match text.split_once(' ') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => {
                let t = rest.trim();
                if t.is_empty() {
                    Some("has the Bearer scheme but no token".to_owned())
                } else if bad_char(t) {
                    Some("holds a token with spaces or control characters, which no token has".to_owned())
                } else {
                    None
                }
            }
            _ => Some("must be written `Bearer <access token>`".to_owned()),
        },
    };
    if let Some(problem) = problem {
        ctx.error(ptr, Code::Auth, format!("`{name}` {problem} (the value is not shown)"));
    }
}

fn check_integer(ctx: &mut Ctx, ptr: &Pointer, name: &str, digits: u8, min: u64, strict: bool, val: Val<'_>) {
    let text = match val {
        Val::Json(Json::Number(n)) => *n,
        Val::Json(Json::String(s)) if strict => {
            let mut v =
                Violation::error(ptr.as_str(), Code::Type, format!("`{name}` must be a JSON number, not a string"));
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                {
                    let _ = write!(v.message, ": send {s} without quotes");
                };
                v = v.with_suggestion(s.clone());
            }
            ctx.push(v);
            return;
        }
        Val::Json(Json::String(s)) => s,
        Val::Text(s) => s,
        Val::Json(v) => {
            ctx.error(ptr, Code::Type, format!("`{name}` must be a whole number; found {}", v.kind()));
            return;
        }
    };
    if let Some(neg) = text.strip_prefix('-')
        && !neg.is_empty()
        && neg.bytes().all(|b| b.is_ascii_digit())
    {
        ctx.error(ptr, Code::Range, format!("`{name}` must be at least {min}; found {text}"));
        return;
    }
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        let mut v = Violation::error(
            ptr.as_str(),
            if text.starts_with('-') { Code::Range } else { Code::Type },
            format!("`{name}` must be a whole number of at most {digits} digits; found \"{text}\""),
        );
        if let Ok(a) = Exact::read(text)
            && !a.is_negative()
            && let Some(whole) = a.whole_text()
        {
            {
                let _ = write!(v.message, " (write it {whole})");
            };
            v = v.with_suggestion(if matches!(val, Val::Json(Json::String(_))) {
                format!("\"{whole}\"")
            } else {
                whole
            });
        }
        ctx.push(v);
        return;
    }
    if text.len() > usize::from(digits) {
        ctx.error(ptr, Code::MaxLength, format!("`{name}` has {} digits; at most {digits} are allowed", text.len()));
        return;
    }
    if min > 0 {
        let value = text.parse::<u128>().unwrap_or(u128::MAX);
        if value < u128::from(min) {
            ctx.error(ptr, Code::Range, format!("`{name}` must be at least {min}; found {text}"));
        }
    }
}

fn check_decimal(ctx: &mut Ctx, ptr: &Pointer, name: &str, positive: bool, strings: bool, val: Val<'_>) {
    let text = match val {
        Val::Json(Json::Number(n)) => *n,
        Val::Json(Json::String(s)) if !strings => {
            let mut v =
                Violation::error(ptr.as_str(), Code::Type, format!("`{name}` must be a JSON number, not a string"));
            if Exact::read(s).is_ok() {
                {
                    let _ = write!(v.message, ": send {s} without quotes");
                };
                v = v.with_suggestion(s.clone());
            }
            ctx.push(v);
            return;
        }
        Val::Json(Json::String(s)) => s,
        Val::Text(s) => s,
        Val::Json(v) => {
            ctx.error(ptr, Code::Type, format!("`{name}` must be a number; found {}", v.kind()));
            return;
        }
    };
    match Exact::read(text) {
        Ok(a) if positive && !a.is_positive() => {
            ctx.error(ptr, Code::Range, format!("`{name}` must be above zero; found {text}"));
        }
        Ok(_) => {}
        Err(e) => {
            ctx.error(ptr, Code::Type, format!("`{name}` {e}: \"{text}\""));
        }
    }
}

fn check_pattern(ctx: &mut Ctx, ptr: &Pointer, name: &str, pattern: &Pattern, val: Val<'_>) {
    let Some(text) = val.text() else {
        ctx.error(
            ptr,
            Code::Type,
            format!("`{name}` must be a number or a string matching {}; found {}", pattern.published, val.kind()),
        );
        return;
    };
    if !pattern.matches(text) {
        // One message per violation, written once: the pattern's, with what the amount's reading adds.
        let shown = Shown { quoted: matches!(val, Val::Json(Json::String(_))), text };
        let (published, means) = (pattern.published, pattern.means);
        let base = || format!("`{name}` is {shown}; it must match {published} ({means})");
        let mut suggestion = None;
        let message = match pattern.decimals.map(|decimals| (decimals, Exact::read(text))) {
            Some((_, Ok(a))) if a.is_negative() => base() + "; negative amounts are not accepted",
            Some((decimals, Ok(a))) => match a.with_exact_decimals(decimals) {
                Some(fixed) if pattern.matches(&fixed) => {
                    let message = format!("`{name}` is {shown}: needs exactly {decimals} decimals: {fixed}");
                    suggestion = Some(if shown.quoted { format!("\"{fixed}\"") } else { fixed });
                    message
                }
                Some(_) => {
                    let mut message = base();
                    let _ = write!(message, "; it has {} integer digits and at most 9 are allowed", a.integer_digits());
                    message
                }
                None => {
                    let mut message = base();
                    let _ = write!(
                        message,
                        "; {text} cannot be written with {decimals} decimals without rounding, so no correction is offered"
                    );
                    message
                }
            },
            _ => base(),
        };
        let v = Violation::error(ptr.as_str(), Code::Pattern, message);
        ctx.push(match suggestion {
            Some(fixed) => v.with_suggestion(fixed),
            None => v,
        });
        return;
    }
    if !pattern.known.is_empty() && !pattern.known.iter().any(|(k, _)| *k == text) {
        let mut message =
            format!("`{name}` is {text}, which matches {} but is not a real value; the values are ", pattern.published);
        for (i, (k, m)) in pattern.known.iter().enumerate() {
            if i > 0 {
                message.push_str(", ");
            }
            message.push_str(k);
            message.push(' ');
            message.push_str(m);
        }
        ctx.error(ptr, Code::Enum, message);
    }
}

/// A value's text as a message shows it: in double quotes when it was a JSON string.
struct Shown<'a> {
    quoted: bool,
    text: &'a str,
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.quoted { write!(f, "\"{}\"", self.text) } else { f.write_str(self.text) }
    }
}

fn check_date(ctx: &mut Ctx, ptr: &Pointer, name: &str, date_only: bool, val: Val<'_>) {
    let Some(text) = val.text().filter(|_| !matches!(val, Val::Json(Json::Number(_)))) else {
        ctx.error(ptr, Code::Type, format!("`{name}` must be an ISO 8601 date string; found {}", val.kind()));
        return;
    };
    let _ = date_only;
    match DateTime::parse(text, false) {
        Ok(_) => {}
        Err(DateError::Shape) => ctx.error(
            ptr,
            Code::Pattern,
            format!(
                "`{name}` is \"{text}\"; it must be an ISO 8601 date ({})",
                if date_only {
                    "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS"
                } else {
                    "YYYY-MM-DDTHH:MM:SS, optional .fff and Z or ±HH:MM"
                }
            ),
        ),
        Err(DateError::Calendar(why)) => {
            ctx.error(ptr, Code::Range, format!("`{name}` is \"{text}\", which is not on the calendar: {why}"));
        }
    }
}

/// Reads a date field already checked; used by cross-field rules.
pub(crate) fn date_of(val: Val<'_>) -> Option<DateTime> {
    val.text().and_then(|t| DateTime::parse(t, false).ok())
}

fn check_currency(ctx: &mut Ctx, ptr: &Pointer, name: &str, val: Val<'_>) {
    let Some(text) = val.text().filter(|_| !matches!(val, Val::Json(Json::Number(_)))) else {
        ctx.error(ptr, Code::Type, format!("`{name}` must be an ISO 4217 code string; found {}", val.kind()));
        return;
    };
    if text.parse::<Currency>().is_err() {
        let upper = text.to_ascii_uppercase();
        let mut v = Violation::error(
            ptr.as_str(),
            Code::Enum,
            format!("`{name}` is \"{text}\", which is not an ISO 4217 currency code"),
        );
        if upper != text && upper.parse::<Currency>().is_ok() {
            {
                let _ = write!(v.message, " (codes are upper case: \"{upper}\")");
            };
            v = v.with_suggestion(format!("\"{upper}\""));
        }
        ctx.push(v);
    }
}

fn check_identifier(ctx: &mut Ctx, ptr: &mut Pointer, name: &str, fields: &[&str], val: Val<'_>) {
    let parsed;
    let map = match val {
        Val::Json(Json::Object(map)) => map,
        Val::Text(text) => {
            let Some(m) = parse_identifier_text(text) else {
                ctx.error(
                    ptr,
                    Code::Type,
                    format!(
                        "`{name}` must name the record as field=value or as a JSON object, with one of {}",
                        fields.join(", ")
                    ),
                );
                return;
            };
            parsed = m;
            &parsed
        }
        Val::Json(_) => {
            ctx.error(
                ptr,
                Code::Type,
                format!(
                    "`{name}` must be an object naming the record by one of {}; found {}",
                    fields.join(", "),
                    val.kind()
                ),
            );
            return;
        }
    };
    let mut named = 0;
    for (key, value) in map {
        ptr.push(key);
        if fields.contains(&key.as_ref()) {
            match value {
                Json::String(s) if !s.is_empty() => named += 1,
                Json::Number(_) => named += 1,
                Json::String(_) => {
                    // Counted as naming the record: the one problem is that the value is empty.
                    named += 1;
                    ctx.error(ptr, Code::Required, format!("`{name}.{key}` is empty"));
                }
                other => {
                    ctx.error(ptr, Code::Type, format!("`{name}.{key}` must be a string; found {}", other.kind()));
                }
            }
        } else {
            let mut v = Violation::error(
                ptr.as_str(),
                Code::Enum,
                format!("`{key}` is not an identifying field of `{name}`; use one of {}", fields.join(", ")),
            );
            if let Some(near) = nearest(key, fields.iter().copied()) {
                let _ = write!(v.message, " (did you mean `{near}`?)");
                v = v.with_suggestion(format!("\"{near}\""));
            }
            ctx.push(v);
        }
        ptr.pop();
    }
    if named != 1 && map.iter().all(|(k, _)| fields.contains(&k.as_ref())) {
        let found = if named == 0 { "no identifying field".to_owned() } else { format!("{named} identifying fields") };
        ctx.error(
            ptr,
            Code::OneOf,
            format!("`{name}` names the record by {found}; exactly one of {} is required", fields.join(", ")),
        );
    }
}

/// `number=200` or `{"number":"200"}` as an identifier object.
pub(crate) fn parse_identifier_text(text: &str) -> Option<Vec<(Cow<'_, str>, Json<'_>)>> {
    let t = text.trim();
    if t.starts_with('{') {
        return match crate::json::parse(t) {
            Ok(Json::Object(m)) => Some(m),
            _ => None,
        };
    }
    let (k, v) = t.split_once('=')?;
    Some(vec![(Cow::Borrowed(k.trim()), Json::String(Cow::Borrowed(v.trim())))])
}

fn check_fields_set(ctx: &mut Ctx, ptr: &Pointer, name: &str, names: &[&str], val: Val<'_>) {
    let Some(text) = val.text().filter(|_| !matches!(val, Val::Json(Json::Number(_)))) else {
        ctx.error(
            ptr,
            Code::Type,
            format!("`{name}` must be a comma-separated string of field names; found {}", val.kind()),
        );
        return;
    };
    let mut unknown = Vec::new();
    let mut empty = false;
    for part in text.split(',') {
        let part = part.trim();
        if part.is_empty() {
            empty = true;
        } else if !names.contains(&part) {
            unknown.push(part);
        }
    }
    if empty {
        ctx.error(ptr, Code::Pattern, format!("`{name}` has an empty entry; write names separated by single commas"));
    }
    if !unknown.is_empty() {
        let hints: Vec<String> = unknown
            .iter()
            .map(|u| match nearest(u, names.iter().copied()) {
                Some(n) => format!("`{u}` (did you mean `{n}`?)"),
                None => format!("`{u}`"),
            })
            .collect();
        ctx.error(
            ptr,
            Code::Enum,
            format!("`{name}` names unknown fields {}; the fields are {}", hints.join(", "), names.join(", ")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{Ctx, Field, Src, Ty, check_object, fold};
    use crate::json::{Json, parse};
    use crate::pointer::Pointer;
    use crate::report::Code;

    #[test]
    fn the_distance_folds_case_as_full_lowercasing_does_against_ascii() {
        // Every character: as many characters as `to_lowercase` gives, and the same one wherever
        // either side is ASCII (so equal to an ASCII name's character exactly when the full
        // lowercasing is).
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let full: Vec<char> = c.to_lowercase().collect();
            let mut ours = Vec::new();
            fold(c, &mut ours);
            assert_eq!(ours.len(), full.len(), "{c:?}");
            for (o, f) in ours.iter().zip(&full) {
                assert!(o == f || (!o.is_ascii() && !f.is_ascii()), "{c:?}: {o:?} against {f:?}");
            }
        }
    }

    #[test]
    fn every_name_a_typo_is_matched_against_is_ascii() {
        // `nearest` compares a key with the tables' field names, identifying fields and field-set
        // names: `fold` is exact only against ASCII.
        fn fields(list: &[Field], names: &mut Vec<&'static str>) {
            for f in list {
                names.push(f.name);
                match &f.ty {
                    Ty::Identifier { fields: id } => names.extend(id.iter()),
                    Ty::FieldsSet { names: set } => names.extend(set.iter()),
                    Ty::List { item, .. } => fields(item, names),
                    Ty::Object { fields: inner } => fields(inner, names),
                    _ => {}
                }
            }
        }
        let mut names = Vec::new();
        for profile in crate::Profile::ALL {
            for op in profile.operations() {
                for list in [op.params, op.query, op.headers] {
                    fields(list, &mut names);
                }
                if let crate::operation::Body::Json(body) | crate::operation::Body::JsonOrForm(body) = op.body {
                    fields(body, &mut names);
                }
            }
        }
        assert!(names.len() > 100);
        for name in names {
            assert!(name.is_ascii(), "{name}");
        }
    }

    #[test]
    fn objects_with_more_than_64_fields_are_checked_whole() {
        let names: Vec<&'static str> = (0..70).map(|i| &*Box::leak(format!("f{i}").into_boxed_str())).collect();
        let fields: Vec<Field> = names.iter().map(|&n| Field::req(n, Ty::Text { max: Some(3) }, "A field")).collect();
        let fields: &'static [Field] = Box::leak(fields.into_boxed_slice());
        let body = format!(
            "{{{}, \"extra\": 1}}",
            (0..69)
                .map(|i| format!("\"f{i}\": \"{}\"", if i == 68 { "long" } else { "ok" }))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let Json::Object(members) = parse(&body).unwrap() else { panic!() };
        let mut ctx = Ctx::default();
        check_object(&mut ctx, &mut Pointer::at("/body"), &members, fields, Src::Json);
        let got: Vec<(String, Code)> = ctx.errors.into_iter().map(|v| (v.path, v.code)).collect();
        assert_eq!(
            got,
            [
                ("/body/f68".to_owned(), Code::MaxLength),
                ("/body/f69".to_owned(), Code::Required),
                ("/body/extra".to_owned(), Code::UnknownField)
            ]
        );
    }
}
