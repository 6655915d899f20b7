//! What an operation is: its method, vendor path and fields as data ([`Operation`]), and the
//! [`operations!`] macro that declares a vendor's operations as a typed enum and its table at once.

use std::borrow::Cow;
use std::cell::Cell;

use serde::Serialize;

use crate::json::{Json, Members, member};
use crate::request::pair;
use crate::rules::{Ctx, Field, Src, Val};

/// Declares a vendor's operations: an enum with one variant per operation (what the vendor's
/// handlers match on, exhaustively) and the table of [`Operation`]s in the same order, so that a
/// route's index in the table is the variant's index in `ALL`.
macro_rules! operations {
    (
        $(#[$meta:meta])*
        $vis:vis enum $op:ident in $table:ident {
            $($(#[$vmeta:meta])* $variant:ident => $operation:expr,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $op {
            $($(#[$vmeta])* $variant,)+
        }

        impl $op {
            /// Every operation, in table order.
            pub(crate) const ALL: &'static [$op] = &[$($op::$variant),+];
        }

        /// Every operation of the vendor, in the order of its operation enum.
        pub static $table: &[crate::operation::Operation] = &[$($operation),+];
    };
}

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Method> {
        [Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete]
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

/// What an operation takes as its body.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", content = "fields", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Body {
    /// No body.
    None,
    /// A JSON object with these fields.
    Json(&'static [Field]),
    /// A JSON object or a form-encoded body (`Content-Type: application/x-www-form-urlencoded`).
    JsonOrForm(&'static [Field]),
}

/// A rule that spans fields (a conditional requirement, an ordering), needing no stored state.
pub(crate) type CrossCheck = fn(&Input<'_>, &mut Ctx);

/// An operation's `summary`, kept only with the feature `descriptions` (validation never reads it,
/// so the npm package's validation module carries none of that text). Every table writes its
/// summaries through it, in [`Operation::new`] or in a struct literal.
pub(crate) const fn people_summary(summary: &'static str) -> &'static str {
    if cfg!(feature = "descriptions") { summary } else { "" }
}

/// An operation's `rules`, kept only with the feature `descriptions`, as [`people_summary`].
pub(crate) const fn people_rules(rules: &'static [&'static str]) -> &'static [&'static str] {
    if cfg!(feature = "descriptions") { rules } else { &[] }
}

/// One operation of one profile.
#[derive(Debug, Serialize)]
pub struct Operation {
    /// Unique id, `profile.name` (`crmcom.payments_create`).
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The vendor path with `{param}` placeholders.
    pub path: &'static str,
    /// One line for people (empty without the feature `descriptions`).
    pub summary: &'static str,
    /// Path parameters, in the order they appear.
    pub params: &'static [Field],
    /// Query parameters.
    pub query: &'static [Field],
    /// Headers that are checked (others are ignored).
    pub headers: &'static [Field],
    /// The body.
    pub body: Body,
    /// Rules across fields, documented in `rules` for people (empty without `descriptions`).
    pub rules: &'static [&'static str],
    #[serde(skip)]
    pub(crate) cross: Option<CrossCheck>,
}

impl Operation {
    /// An operation with no parameters, query, checked headers, body, rules or cross-field check;
    /// the methods below add them (the one way every vendor writes its table).
    pub(crate) const fn new(id: &'static str, method: Method, path: &'static str, summary: &'static str) -> Operation {
        Operation {
            id,
            method,
            path,
            summary: people_summary(summary),
            params: &[],
            query: &[],
            headers: &[],
            body: Body::None,
            rules: &[],
            cross: None,
        }
    }

    /// With these path parameters.
    pub(crate) const fn params(self, params: &'static [Field]) -> Operation {
        Operation { params, ..self }
    }

    /// With these query parameters.
    pub(crate) const fn query(self, query: &'static [Field]) -> Operation {
        Operation { query, ..self }
    }

    /// With these checked headers.
    pub(crate) const fn headers(self, headers: &'static [Field]) -> Operation {
        Operation { headers, ..self }
    }

    /// With this body.
    pub(crate) const fn body(self, body: Body) -> Operation {
        Operation { body, ..self }
    }

    /// With these rules, for people.
    pub(crate) const fn rules(self, rules: &'static [&'static str]) -> Operation {
        Operation { rules: people_rules(rules), ..self }
    }

    /// With this cross-field check.
    pub(crate) const fn cross(self, cross: CrossCheck) -> Operation {
        Operation { cross: Some(cross), ..self }
    }
}

/// What a cross-field rule sees of a request.
#[derive(Debug)]
pub(crate) struct Input<'a> {
    body: BodyInput<'a>,
    pub(crate) src: Src,
    pub(crate) query: &'a [(Cow<'a, str>, Cow<'a, str>)],
    /// Path parameters by name (`id` of `/Payment/{id}`), decoded.
    pub(crate) params: &'a [(Cow<'a, str>, Cow<'a, str>)],
}

/// A compiled field list, as a cross-field rule's input asks it for the place of a field.
pub(crate) trait FieldIndex {
    /// The place of the field named `name` in the list.
    fn index(&self, name: &str) -> Option<usize>;
}

/// The body as a cross-field rule reads it: the members read by the table-driven checker, or the
/// body's top-level fields as the one-pass verdict ([`crate::fast`]) found them, without a tree.
enum BodyInput<'a> {
    Members(Option<&'a Members<'a>>),
    Slots {
        /// The compiled field list: the place of a field in `slots`, by name.
        plan: &'a dyn FieldIndex,
        slots: &'a [Slot<'a>],
        /// Set when the rule asked for something the slots do not hold (an array or an object,
        /// or the whole body): the one-pass verdict then leaves the request to the full checker.
        incomplete: &'a Cell<bool>,
    },
}

impl std::fmt::Debug for BodyInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyInput::Members(m) => f.debug_tuple("Members").field(m).finish(),
            BodyInput::Slots { slots, incomplete, .. } => {
                f.debug_struct("Slots").field("slots", slots).field("incomplete", incomplete).finish_non_exhaustive()
            }
        }
    }
}

/// One top-level body field as the one-pass verdict found it.
#[derive(Clone, Debug, Default)]
pub(crate) enum Slot<'a> {
    /// Not sent.
    #[default]
    Absent,
    /// A scalar value (a string without escapes, a number, a boolean or `null`).
    Scalar(Json<'a>),
    /// An array or an object (not kept).
    Complex,
}

impl<'a> Input<'a> {
    /// The input of the table-driven checker.
    pub(crate) fn of_members(
        body: Option<&'a Members<'a>>,
        src: Src,
        query: &'a [(Cow<'a, str>, Cow<'a, str>)],
        params: &'a [(Cow<'a, str>, Cow<'a, str>)],
    ) -> Input<'a> {
        Input { body: BodyInput::Members(body), src, query, params }
    }

    /// The input of the one-pass verdict: `slots[plan.index(name)]` is the value of the field `name`.
    pub(crate) fn of_slots(
        plan: &'a dyn FieldIndex,
        slots: &'a [Slot<'a>],
        incomplete: &'a Cell<bool>,
        query: &'a [(Cow<'a, str>, Cow<'a, str>)],
        params: &'a [(Cow<'a, str>, Cow<'a, str>)],
    ) -> Input<'a> {
        Input { body: BodyInput::Slots { plan, slots, incomplete }, src: Src::Json, query, params }
    }

    /// The body's members (`None` when there is no body).
    pub(crate) fn members(&self) -> Option<&'a Members<'a>> {
        match self.body {
            BodyInput::Members(body) => body,
            BodyInput::Slots { incomplete, .. } => {
                incomplete.set(true);
                None
            }
        }
    }

    /// A body field, as a value to check.
    pub(crate) fn field(&self, name: &str) -> Option<Val<'a>> {
        let v = match self.body {
            BodyInput::Members(body) => member(body?, name)?,
            BodyInput::Slots { plan, slots, incomplete } => {
                match plan.index(name).and_then(|i| slots.get(i)) {
                    Some(Slot::Scalar(v)) => v,
                    Some(Slot::Complex) => {
                        incomplete.set(true);
                        return None;
                    }
                    Some(Slot::Absent) => return None,
                    None => {
                        // Not a declared field: only the members know.
                        incomplete.set(true);
                        return None;
                    }
                }
            }
        };
        Some(match (self.src, v) {
            (_, Json::Null) => return None,
            (Src::Text, Json::String(s)) => Val::Text(s),
            _ => Val::Json(v),
        })
    }

    /// A query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&'a str> {
        pair(self.query, name)
    }

    /// A path parameter.
    pub(crate) fn param(&self, name: &str) -> Option<&'a str> {
        pair(self.params, name)
    }
}
