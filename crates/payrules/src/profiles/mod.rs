//! Validation: a request routed to its profile's operation and checked against every stateless
//! rule of it (the operations themselves are the vendors' data, in `vendors/<id>/operations.rs`).

use std::borrow::Cow;

use serde::Serialize;

use crate::json::{self, Json, Members};
use crate::lifecycle::AnyLifecycle;
use crate::operation::Input;
pub use crate::operation::{Body, Method, Operation};
use crate::pointer::Pointer;
pub use crate::profile::{Profile, UnknownProfile};
use crate::report::{Code, Report, Violation};
use crate::request::{Pairs, Request, View, invalid_json};
use crate::rules::{Ctx, Src, check_object, check_params};

macro_rules! profile_tables {
    ($($module:ident: $variant:ident = $vendor:literal;)*) => {
        impl Profile {
            /// Every operation of the profile, in table order.
            pub fn operations(self) -> &'static [Operation] {
                match self {
                    $(Profile::$variant => crate::vendors::$module::OPERATIONS,)*
                }
            }

            /// The payment lifecycle.
            pub fn lifecycle(self) -> &'static dyn AnyLifecycle {
                match self {
                    $(Profile::$variant => &crate::vendors::$module::LIFECYCLE,)*
                }
            }
        }
    };
}

vendors!(profile_tables);

impl Profile {
    /// The operation with this id (`plentymarkets.create_payment`).
    pub fn operation(self, id: &str) -> Option<&'static Operation> {
        self.operations().iter().find(|op| op.id == id)
    }
}

/// An operation found for a request, with its path parameters.
#[derive(Debug)]
pub struct Route<'p> {
    /// The operation.
    pub operation: &'static Operation,
    /// Its place in the profile's table (`Profile::operations`), which is also its place in the
    /// vendor's operation enum.
    pub index: usize,
    /// Path parameters by name, decoded, in path order.
    pub params: Vec<(Cow<'p, str>, Cow<'p, str>)>,
    /// Query parameters written in the path after `?`, decoded.
    pub path_query: Vec<(Cow<'p, str>, Cow<'p, str>)>,
}

/// The segments of a path: no empty ones, so `/a//b/` is `a`, `b`.
pub(crate) fn segments(path: &str) -> impl Iterator<Item = &str> {
    Segments { rest: path }
}

/// The iterator of [`segments`] (a byte search: cheaper than `str::split` on short paths).
struct Segments<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Segments<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        while !self.rest.is_empty() {
            let (segment, rest) = match self.rest.bytes().position(|b| b == b'/') {
                // `/` is ASCII, so both sides are on character boundaries.
                Some(i) => (self.rest.get(..i).unwrap_or_default(), self.rest.get(i + 1..).unwrap_or_default()),
                None => (self.rest, ""),
            };
            self.rest = rest;
            if !segment.is_empty() {
                return Some(segment);
            }
        }
        None
    }
}

/// Whether `path` fits the template, and with how many literal segments.
fn fit(template: &str, path: &str) -> Option<usize> {
    let (mut t, mut p) = (segments(template), segments(path));
    let mut literal = 0;
    loop {
        match (t.next(), p.next()) {
            (None, None) => return Some(literal),
            (Some(ts), Some(ps)) => {
                if !ts.starts_with('{') {
                    if ts != ps {
                        return None;
                    }
                    literal += 1;
                }
            }
            _ => return None,
        }
    }
}

/// A path template split into its segments (`None` for a `{param}`).
type Template = Box<[Option<&'static str>]>;

/// Every operation's path template, split into segments once, per profile in table order.
fn templates(profile: Profile) -> &'static [Template] {
    static TEMPLATES: std::sync::OnceLock<Vec<Vec<Template>>> = std::sync::OnceLock::new();
    let all = TEMPLATES.get_or_init(|| {
        Profile::ALL
            .iter()
            .map(|p| {
                p.operations()
                    .iter()
                    .map(|op| segments(op.path).map(|t| if t.starts_with('{') { None } else { Some(t) }).collect())
                    .collect()
            })
            .collect()
    });
    Profile::ALL.iter().position(|p| *p == profile).and_then(|i| all.get(i)).map_or(&[], Vec::as_slice)
}

/// Paths with more segments than this fit no operation (no template is that long).
const MAX_SEGMENTS: usize = 32;

/// The operation for a method and a path without its `?query` part: its place in the profile's
/// table, or, when there is none, how many literal segments the best fit of another method has
/// (`None`: no operation fits the path at all). Allocates nothing (the one-pass verdict uses it).
pub(crate) fn find_route(
    profile: Profile,
    method: &str,
    path_only: &str,
) -> Result<(usize, &'static Operation), Option<usize>> {
    let mut parts = [""; MAX_SEGMENTS];
    let mut n = 0;
    for s in segments(path_only) {
        match parts.get_mut(n) {
            Some(p) => *p = s,
            None => return Err(None),
        }
        n += 1;
    }
    let parts = parts.get(..n).unwrap_or_default();
    // `fit`, on the segments split once: how many literal segments match, if the path fits.
    let fits = |template: &[Option<&str>]| -> Option<usize> {
        if template.len() != parts.len() {
            return None;
        }
        let mut literal = 0;
        for (t, p) in template.iter().zip(parts) {
            if let Some(t) = t {
                if t != p {
                    return None;
                }
                literal += 1;
            }
        }
        Some(literal)
    };
    let wanted = Method::parse(method);
    let ops = profile.operations();
    let templates = templates(profile);
    let mut best: Option<(usize, &'static Operation, usize)> = None;
    for (index, (op, template)) in
        ops.iter().zip(templates).enumerate().filter(|(_, (op, _))| Some(op.method) == wanted)
    {
        if let Some(literal) = fits(template)
            && best.is_none_or(|(_, _, l)| literal > l)
        {
            best = Some((index, op, literal));
        }
    }
    // Other methods matter only where they could fit the path with more literal segments.
    let fully_literal = best.is_some_and(|(index, _, l)| templates.get(index).is_some_and(|t| t.len() == l));
    let other_best = if fully_literal {
        None
    } else {
        ops.iter().zip(templates).filter(|(op, _)| Some(op.method) != wanted).filter_map(|(_, t)| fits(t)).max()
    };
    // A path written literally for another method (`/Payment/Vendor` answers POST) is that
    // operation asked with the wrong method, not a parameter route (`/Payment/{id}`).
    match best {
        Some((index, op, literal)) if other_best.is_none_or(|o| o <= literal) => Ok((index, op)),
        _ => Err(other_best),
    }
}

/// Finds the operation for a method and path, or says why there is none.
pub fn route<'p>(profile: Profile, method: &str, path: &'p str) -> Result<Route<'p>, Violation> {
    let (path_only, query_text) = match path.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path, None),
    };
    let wanted = Method::parse(method);
    let other_best = match find_route(profile, method, path_only) {
        Ok((index, op)) => {
            let params = segments(op.path)
                .zip(segments(path_only))
                .filter_map(|(t, s)| {
                    let name = t.strip_prefix('{')?.strip_suffix('}')?;
                    Some((Cow::Borrowed(name), percent_decode(s, false)))
                })
                .collect();
            let path_query = query_text.map(parse_form).unwrap_or_default();
            return Ok(Route { operation: op, index, params, path_query });
        }
        Err(other_best) => other_best,
    };
    let shown = format!("{} {}", method.to_ascii_uppercase(), path_only);
    if let Some(o) = other_best {
        let answers: Vec<String> = profile
            .operations()
            .iter()
            .filter(|op| Some(op.method) != wanted && fit(op.path, path_only) == Some(o))
            .map(|op| format!("{} {}", op.method.as_str(), op.path))
            .collect();
        return Err(Violation::error(
            "/method",
            Code::UnknownRoute,
            format!("{} has no operation {shown}; that path answers {}", profile.vendor(), answers.join(", ")),
        ));
    }
    let ops: Vec<String> =
        profile.operations().iter().map(|op| format!("{} {}", op.method.as_str(), op.path)).collect();
    Err(Violation::error(
        "/path",
        Code::UnknownRoute,
        format!("{} has no operation {shown}; its operations are {}", profile.vendor(), ops.join(", ")),
    ))
}

/// Decodes `%XX` escapes (and, in form text, `+` as a space); bad escapes stay as written.
/// Borrows when there is nothing to decode.
fn percent_decode(s: &str, form: bool) -> Cow<'_, str> {
    if !s.bytes().any(|b| b == b'%' || (form && b == b'+')) {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%'
            && let Some(hex) = b.get(i + 1..i + 3)
            && let Ok(hex) = std::str::from_utf8(hex)
            && let Ok(v) = u8::from_str_radix(hex, 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if form && c == b'+' { b' ' } else { c });
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Parses `a=1&b=2` (form or query text).
pub(crate) fn parse_form(text: &str) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => (percent_decode(k, true), percent_decode(v, true)),
            None => (percent_decode(pair, true), Cow::Borrowed("")),
        })
        .collect()
}

/// Validates a request: routes it, then checks every stateless rule of its operation.
pub fn validate(request: &Request) -> Report {
    validate_view(&View::of(request))
}

/// Validates one JSON text holding a request: a line of a JSON Lines file, say.
///
/// Text that is not strict JSON, or not a request, gives a report of those problems (with line
/// and column), never a panic. This is the fast path: the text is read once, borrowed, and checked.
pub fn validate_json(text: &str) -> Report {
    match View::from_text(text) {
        Ok(view) => validate_view(&view),
        Err(errors) => Report::new(None, errors),
    }
}

fn validate_view(request: &View<'_>) -> Report {
    check(request).report
}

/// What validation read of a request: the verdict and, where the request routed, the route, the
/// decoded path and query and the body as read. The ledger works on this, so a request is routed
/// and its body read once.
#[derive(Debug)]
pub(crate) struct Checked<'v> {
    /// The profile, when the request names a registered one.
    pub(crate) profile: Option<Profile>,
    /// The stateless verdict.
    pub(crate) report: Report,
    /// What the request routed to, when it did.
    pub(crate) routed: Option<Routed<'v>>,
}

/// A routed request's parts, decoded, as validation read them.
#[derive(Debug)]
pub(crate) struct Routed<'v> {
    /// The operation's place in the profile's table.
    pub(crate) index: usize,
    /// Path parameters by name, decoded, in path order.
    pub(crate) params: Pairs<'v>,
    /// Query parameters: those written in the path first, then the request's own (so that, read
    /// with [`pair`](crate::request::pair), the last one of a name counts and explicit ones win).
    pub(crate) query: Cow<'v, [(Cow<'v, str>, Cow<'v, str>)]>,
    /// The body as the operation reads it (JSON object, JSON text or form fields).
    pub(crate) body: Option<Cow<'v, Members<'v>>>,
}

/// Routes a request and checks every stateless rule of its operation, keeping what it read.
pub(crate) fn check<'v>(request: &'v View<'v>) -> Checked<'v> {
    let profile = match request.profile.parse::<Profile>() {
        Ok(p) => p,
        Err(e) => {
            let report = Report::new(None, vec![Violation::error("/profile", Code::UnknownRoute, e.to_string())]);
            return Checked { profile: None, report, routed: None };
        }
    };
    let route = match route(profile, &request.method, &request.path) {
        Ok(r) => r,
        Err(v) => return Checked { profile: Some(profile), report: Report::new(None, vec![v]), routed: None },
    };
    let op = route.operation;
    let mut ctx = Ctx::default();

    let mut ptr = Pointer::at("/path");
    if !op.params.is_empty() {
        check_params(&mut ctx, &mut ptr, &route.params, op.params, false);
    }

    let query: Cow<'v, [(Cow<'v, str>, Cow<'v, str>)]> = if route.path_query.is_empty() {
        Cow::Borrowed(&request.query)
    } else {
        // Parameters written in the path come first, so explicit `query` entries win.
        Cow::Owned(route.path_query.iter().chain(&request.query).cloned().collect::<Vec<_>>())
    };
    ptr.reset("/query");
    check_params(&mut ctx, &mut ptr, &query, op.query, true);

    if !op.headers.is_empty() {
        let headers: Vec<(Cow<'_, str>, Cow<'_, str>)> = op
            .headers
            .iter()
            .filter_map(|f| request.header(f.name).map(|v| (Cow::Borrowed(f.name), Cow::Borrowed(v))))
            .collect();
        ptr.reset("/headers");
        check_params(&mut ctx, &mut ptr, &headers, op.headers, false);
    }

    let (body, src, problem) = read_body(op, request);
    if let Some(problem) = problem {
        ctx.push(problem);
    }
    if let (Some(map), Body::Json(fields) | Body::JsonOrForm(fields)) = (body.as_deref(), &op.body) {
        ptr.reset("/body");
        check_object(&mut ctx, &mut ptr, map, fields, src);
    }
    if let Some(cross) = op.cross {
        cross(&Input::of_members(body.as_deref(), src, &query, &route.params), &mut ctx);
    }
    let report = Report::new(Some(op.id), ctx.errors);
    let routed = Routed { index: route.index, params: route.params, query, body };
    Checked { profile: Some(profile), report, routed: Some(routed) }
}

/// An operation's body as the vendor reads it: a JSON object, a JSON object given as text, or form
/// fields (only where the operation takes a form). A body the operation cannot take comes back as
/// the violation that says why (a warning where the vendor just ignores it).
pub(crate) fn read_body<'v>(
    op: &Operation,
    request: &'v View<'v>,
) -> (Option<Cow<'v, Members<'v>>>, Src, Option<Violation>) {
    let what = || format!("{} {}", op.method.as_str(), op.path);
    match (&op.body, &request.body) {
        (Body::None, Json::Null) => (None, Src::Json, None),
        (Body::None, Json::String(s)) if s.trim().is_empty() => (None, Src::Json, None),
        (Body::None, _) => (
            None,
            Src::Json,
            Some(Violation::warning(
                "/body",
                Code::UnknownField,
                format!("{} takes no body; the body sent is ignored", what()),
            )),
        ),
        (Body::Json(_) | Body::JsonOrForm(_), Json::Null) => (
            None,
            Src::Json,
            Some(Violation::error("/body", Code::Required, format!("{} needs a JSON object body", what()))),
        ),
        (Body::Json(_) | Body::JsonOrForm(_), Json::Object(members)) => {
            (Some(Cow::Borrowed(members.as_slice())), Src::Json, None)
        }
        (Body::JsonOrForm(_), Json::String(text)) if is_form(request) => {
            let fields = parse_form(text).into_iter().map(|(k, v)| (k, Json::String(v))).collect::<Vec<_>>();
            (Some(Cow::Owned(fields)), Src::Text, None)
        }
        (Body::Json(_) | Body::JsonOrForm(_), Json::String(text)) => match json::parse(text) {
            Ok(Json::Object(members)) => (Some(Cow::Owned(members)), Src::Json, None),
            Ok(other) => not_an_object(&other),
            Err(err) => (None, Src::Json, Some(invalid_json("/body", "the body", &err))),
        },
        (Body::Json(_) | Body::JsonOrForm(_), other) => not_an_object(other),
    }
}

/// A body that is JSON but not an object.
fn not_an_object<'v>(found: &Json<'_>) -> (Option<Cow<'v, Members<'v>>>, Src, Option<Violation>) {
    let message = format!("the body must be a JSON object; found {}", found.kind());
    (None, Src::Json, Some(Violation::error("/body", Code::Type, message)))
}

fn is_form(request: &View<'_>) -> bool {
    request.header("content-type").is_some_and(|ct| {
        ct.trim_start().get(..33).is_some_and(|p| p.eq_ignore_ascii_case("application/x-www-form-urlencoded"))
    })
}

/// A profile described for people and tools: its operations with their fields, and its lifecycle.
#[derive(Debug, Serialize)]
pub struct ProfileDescription {
    /// The profile id.
    pub id: &'static str,
    /// The vendor's product name.
    pub vendor: &'static str,
    /// Every operation with its fields.
    pub operations: &'static [Operation],
    /// The lifecycle table.
    pub lifecycle: crate::lifecycle::LifecycleTable,
}

/// Every profile described, in order (`payrules profiles` prints this).
pub fn describe_all() -> Vec<ProfileDescription> {
    Profile::ALL
        .iter()
        .map(|&p| ProfileDescription {
            id: p.id(),
            vendor: p.vendor(),
            operations: p.operations(),
            lifecycle: p.lifecycle().table(),
        })
        .collect()
}
