//! [`Call`]: one request as a vendor's handlers see it — validated, routed and read once, by
//! [`check`](crate::profiles::check); the ledger never routes or reads a body again.

use std::borrow::Cow;

use crate::json::{Json, Members, member};
use crate::ledger::Timestamp;
use crate::money::Amount;
use crate::profiles::Routed;
use crate::report::Report;
use crate::request::{View, pair};

/// One request as a handler sees it: validated, routed, its parts decoded.
#[derive(Debug)]
pub(crate) struct Call<'r> {
    /// The request as sent.
    request: &'r View<'r>,
    /// The stateless verdict (`validate`).
    pub(crate) report: &'r Report,
    /// What the request routed to (`None`: no operation has this method and path).
    routed: Option<&'r Routed<'r>>,
    /// The time of the request.
    pub(crate) now: Timestamp,
}

impl<'r> Call<'r> {
    pub(crate) fn new(
        request: &'r View<'r>,
        report: &'r Report,
        routed: Option<&'r Routed<'r>>,
        now: Timestamp,
    ) -> Self {
        Call { request, report, routed, now }
    }

    /// The operation's place in the profile's table, when the request routed to one.
    pub(crate) fn index(&self) -> Option<usize> {
        self.routed.map(|r| r.index)
    }

    /// The method as sent.
    pub(crate) fn method(&self) -> &str {
        &self.request.method
    }

    /// The path as sent, without its `?query` part.
    pub(crate) fn path(&self) -> &str {
        self.request.path.split('?').next().unwrap_or_default()
    }

    /// A path parameter, decoded.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        pair(&self.routed?.params, name)
    }

    /// A query parameter, decoded: one given in `query` wins over one written in the path, and
    /// of a repeated name the last counts (as validation reads it).
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        match self.routed {
            Some(r) => pair(&r.query, name),
            None => pair(&self.request.query, name),
        }
    }

    /// A header's value, its name matched without regard to case (as validation reads it).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.request.header(name)
    }

    /// The bearer token of an `Authorization: Bearer …` header.
    pub(crate) fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        let (scheme, token) = value.split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
    }

    /// The body's members as validation read them.
    pub(crate) fn members(&self) -> Option<&Members<'r>> {
        self.routed?.body.as_deref()
    }

    /// A body member as read (`null` counts as absent).
    pub(crate) fn member(&self, name: &str) -> Option<&Json<'r>> {
        member(self.members()?, name).filter(|v| !matches!(v, Json::Null))
    }

    /// A body field's text (a string's content or a number's exact text).
    pub(crate) fn text(&self, name: &str) -> Option<Cow<'_, str>> {
        self.member(name)?.text().map(Cow::Borrowed)
    }

    /// A body field as an exact amount.
    pub(crate) fn amount(&self, name: &str) -> Option<Amount> {
        self.text(name)?.parse().ok()
    }

    /// A body field as a whole number.
    pub(crate) fn integer(&self, name: &str) -> Option<u64> {
        self.text(name)?.parse().ok()
    }
}
