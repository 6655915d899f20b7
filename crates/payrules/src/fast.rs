//! The one-pass verdict: whether a request line is valid, decided over its bytes without building a
//! tree and, for a valid request, without allocating.
//!
//! The validators are derived from the operation tables themselves (nothing here names a vendor,
//! an operation or a field): each body field list gets a perfect-hash lookup of its names, computed
//! once from the table; every scalar value is checked on its slice by the table-driven checker's own
//! `check_value`, so a field's rule is never written twice; cross-field rules run on the
//! top-level fields as found (`Input::of_slots`). Whatever this pass cannot decide with certainty
//! (a string with escapes, a repeated field, a form or JSON-text body, a cross-field rule that
//! needs nested values, a request written over several lines, …) is left to the full checker:
//! [`quick`] says [`Quick::Undecided`], and `payrules::verdict_json_bytes` then asks
//! `validate_json_bytes`. The pass stops at a `\n`, so over a batch's text it reads a line to its
//! end without the end being searched for first (`line_verdict`, used by [`crate::verdicts`]).
//!
//! What a batch repeats is read once: each field list remembers which key came after which
//! (`next_key`), a header or parameter text found clean is kept per field, and a line that
//! begins with the last line's bytes up to its body is read on from the body (`Envelope`).
//!
//! The full [`Report`] (paths, messages, suggestions) of a line is written by [`report`], which
//! replays the table-driven checker's steps on what the pass read, or by the checker itself where
//! it cannot; `tests/it/fast.rs` and the `validate` fuzz target check that the verdicts and the
//! reports are the checker's.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::mem::ManuallyDrop;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

use crate::json::Json;
use crate::money::Currency;
use crate::operation::{Body, FieldIndex, Input, Operation, Slot};
use crate::pointer::Pointer;
use crate::profiles::{Profile, find_route, segments};
use crate::report::{Report, Severity};
use crate::rules::{Ctx, Field, Pattern, Ty, Val, check_value};

/// What the one-pass check decided about a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quick {
    /// A blank line (only whitespace): nothing to judge, as `validate_json_bytes` says with `None`.
    Blank,
    /// The one pass cannot be sure; only the full checker can say.
    Undecided,
    /// The request has at least one error: its report says `"valid":false`.
    Invalid,
    /// The request has no error. `clean`: no violation at all (no warning either), so its report is
    /// exactly `{"valid":true,"operation":…,"errors":[]}`; when `false` there may be warnings.
    Valid {
        /// The operation's id.
        operation: &'static str,
        /// Certainly no violation at all.
        clean: bool,
    },
}

/// The one-pass check of one JSON Lines line (see the module docs). Never gives a verdict that
/// differs from the full checker's; says [`Quick::Undecided`] where it cannot be sure.
pub fn quick(line: &[u8]) -> Quick {
    pass(line, None, false)
}

/// [`quick`] for the verdict alone (`verdict_json_bytes`): the work that could only find a
/// warning is skipped ([`Ctx::wants_warnings`]), so a valid line is never said to be `clean`.
pub(crate) fn verdict(line: &[u8]) -> Quick {
    pass(line, None, true)
}

/// [`in_one_pass`] over a line given alone (the report, if any, into `replay`).
fn pass(line: &[u8], replay: Replay<'_>, errors_only: bool) -> Quick {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Quick::Blank;
    }
    let Ok(text) = simdutf8::basic::from_utf8(line) else {
        return Quick::Invalid;
    };
    match in_one_pass(text, replay, errors_only, false) {
        Ok((q, _)) => q,
        // The pass stops at a `\n` (where a line of a batch ends); in a text given alone it is
        // whitespace, so only the checker can say.
        Err(Stop::Invalid) if line.contains(&b'\n') => Quick::Undecided,
        Err(Stop::Invalid) => Quick::Invalid,
        Err(Stop::Undecided | Stop::Wide) => Quick::Undecided,
    }
}

/// The verdict on the line `text` begins with (a batch's text from a line's start on), read in one
/// pass that stops at the line's `\n`, so its end is not searched for first: the line's length
/// (up to its `\n`, or to the end of `text`) and whether it is valid, as `verdict_json_bytes` of
/// that line says. `whole`: `text` runs to the end of the batch; else a byte that is not UTF-8
/// follows it, so a line that reaches the end of `text` is not all text. `None` where the pass
/// cannot say (a blank line among them): the caller then finds the line's end and asks
/// `verdict_json_bytes`.
pub(crate) fn line_verdict(text: &str, whole: bool) -> Option<(usize, bool)> {
    let (quick, end) = in_one_pass(text, None, true, true).ok()?;
    if end == text.len() && !whole {
        return None;
    }
    match quick {
        Quick::Valid { .. } => Some((end, true)),
        Quick::Invalid => Some((end, false)),
        Quick::Blank | Quick::Undecided => None,
    }
}

/// Where the first line of `bytes` ends: the index of its `\n`, or `bytes.len()`. Eight bytes are
/// compared at a time (a word with a zero byte where `\n` was: the lowest such byte is exact).
pub(crate) fn line_end(bytes: &[u8]) -> usize {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    const NEWLINES: u64 = ONES * b'\n' as u64;
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else { break };
        let x = u64::from_le_bytes(word) ^ NEWLINES;
        let zero = x.wrapping_sub(ONES) & !x & HIGH;
        if zero != 0 {
            return at + (zero.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&b| b == b'\n').map_or(bytes.len(), |n| at + n)
}

/// The top-level body fields the pass keeps room for first; an operation whose body has more
/// (`Stop::Wide`) is read again with room for [`MAX_FIELDS`] (fewer slots to set up per line).
const SLOTS: usize = 32;

/// When the pass writes the line's report from what it read (into the `Option<Report>` it is given).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum When {
    /// Always ([`report`]): the values are checked by the replay alone, not as they are read.
    Always,
    /// When the line is invalid: the values are checked as they are read (the verdict), and the
    /// replay writes the report of an invalid line from the same reading.
    Invalid,
    /// When the line may hold a violation (it is not `clean`), as for `Invalid`.
    Unclean,
}

type Replay<'r> = Option<(&'r mut Option<Report>, When)>;

/// [`request`] over the line, with room for the body's fields; with where the request ended (the
/// line's end, or with `lines` its `\n`).
// Inlined into its two callers (`pass`, `line_verdict`), as the compiler did by itself before
// the replay had modes: as a function of its own it made the validation module 1.9 KB larger
// (0.6 KB gzip -9) and no faster.
#[inline]
fn in_one_pass(text: &str, mut replay: Replay<'_>, errors_only: bool, lines: bool) -> R<(Quick, usize)> {
    // Room for the top-level body fields: `SLOTS`, or all when the body has more. Only borrowed
    // scalars go in (no heap), so nothing is lost by not dropping them one by one.
    let mut slots = ManuallyDrop::new([const { Slot::Absent }; SLOTS]);
    let mut scan = Scan { s: text, pos: 0, depth: 0, lines };
    let first = replay.as_mut().map(|(out, when)| (&mut **out, *when));
    match request(&mut scan, first, &mut *slots, errors_only) {
        Err(Stop::Wide) => {
            let mut wide = ManuallyDrop::new([const { Slot::Absent }; MAX_FIELDS]);
            scan = Scan { s: text, pos: 0, depth: 0, lines };
            request(&mut scan, replay, &mut *wide, errors_only).map(|q| (q, scan.pos))
        }
        done => done.map(|q| (q, scan.pos)),
    }
}

/// The full report of one line, written from what the one pass read, where it can be: the
/// table-driven checker's own steps (`check_params`, `check_object`, the cross-field rule) replayed
/// in their order on the values the pass found, with the same `check_value` and messages, so the
/// report is the one `validate_json` writes. `None` where the pass cannot replay the checker
/// exactly (a blank line, anything [`quick`] leaves `Undecided` or stops at, a request that is not
/// well-formed, a nested or read-only body value, an unknown member, a body the operation does not
/// take as an object): then only the checker can write the report.
pub fn report(line: &[u8]) -> Option<Report> {
    with_report(line, When::Always).1
}

/// [`quick`], and from the same pass the line's full report where it may hold a violation (it is
/// not `clean`) and the pass can replay the checker (as [`report`] can): one pass for what
/// `quick` and then `validate_json_bytes` give. `None` for the report otherwise (then, if one is
/// wanted, `validate_json_bytes` writes it).
pub fn quick_report(line: &[u8]) -> (Quick, Option<Report>) {
    with_report(line, When::Unclean)
}

/// The verdict (as `verdict_json_bytes` sees it: no line is `clean`) and, where the line is
/// invalid and the pass can replay the checker, its full report, from one pass.
pub(crate) fn verdict_report(line: &[u8]) -> (Quick, Option<Report>) {
    with_report(line, When::Invalid)
}

/// The pass with the replay `when` says; a report is written only on the way to a verdict.
fn with_report(line: &[u8], when: When) -> (Quick, Option<Report>) {
    let mut out = None;
    // Warnings are looked for unless only an invalid line's report is wanted.
    let quick = pass(line, Some((&mut out, when)), when == When::Invalid);
    (quick, out)
}

// ---------------------------------------------------------------------------------------------
// The validators: a name lookup per field list, derived from the tables once.

/// A field list compiled for the one pass: a perfect hash of its names, and the compiled lists of
/// its nested fields (lists of objects, objects).
#[derive(Debug)]
struct Plan {
    fields: &'static [Field],
    /// Multiplier of the hash (odd); `table` has `1 << bits` slots holding a field index or `EMPTY`.
    seed: u64,
    bits: u32,
    table: Box<[u8]>,
    /// Per field: the compiled item or object fields, where the field has them.
    children: Box<[Option<Plan>]>,
    /// Per field: the values compiled from its rule that certainly pass it.
    passes: Box<[Pass]>,
    /// Per field: its name's [`ends`] and length.
    ends: Box<[((u64, u64), usize)]>,
    /// Per field: the bytes `"name":` of its member's key, as the line writes them when the key
    /// has no escapes and no space before its colon (empty for a name that needs escaping: never
    /// predicted).
    quoted: Box<[Box<[u8]>]>,
    /// The field whose key came next the last time (`next[0]`: first, `next[i + 1]`: after field
    /// `i`; `EMPTY`: none yet): the lines of a batch mostly write their members in one order, so
    /// the key at hand is first compared, bytes to bytes, with the predicted field's `"name":`
    /// ([`next_key`]), and only scanned and looked up when it is not that one.
    next: Box<[AtomicU8]>,
    /// The names a cross-field rule asked for ([`Plan::lookup_named`]): by way, the address of the
    /// name asked and the field found for it.
    asked: [(AtomicUsize, AtomicU8); ASKED],
    /// A bit per required field.
    required: u64,
}

/// Names a plan keeps the answers of ([`Plan::lookup_named`]).
const ASKED: usize = 16;

/// Values that certainly pass a field's rule without any violation, compiled from the table (the
/// enum's values, the pattern's known values, the currency table), so the pass need not call
/// `check_value` for them. These rules give either nothing or an error (never only a warning), so
/// a value a compiled pass does not admit is an error, and `check_value` (which would write its
/// message) is not needed for the verdict either; `Check`: `check_value` decides.
#[derive(Debug)]
enum Pass {
    /// Nothing compiled: `check_value` decides.
    Check,
    /// A string that is one of these (`Ty::Enum`'s values).
    Enum(Box<[Word]>),
    /// A string or number matching the pattern that has no known values (`Ty::Pattern`).
    Pattern(&'static Pattern),
    /// A string or number among the pattern's known values, those that match it (so the
    /// pattern need not be asked again).
    Known(Box<[Word]>),
    /// A string that is a code of the currency table (`Ty::Currency`).
    Currency(&'static [u64]),
}

/// A text of up to eight bytes as one number (its bytes, little-endian, then its length), so that
/// two are equal exactly when the texts are; `None` for a longer text.
type Word = (u64, usize);

fn word(text: &str) -> Option<Word> {
    let b = text.as_bytes();
    let n = b.len();
    // Two loads that overlap where the text is shorter than twice their width: the bytes they
    // share are the same, so `|` puts each byte in its place (no call into `memcpy`).
    let w = match n {
        0 => 0,
        1..=3 => b.iter().rev().fold(0, |w, &c| w << 8 | u64::from(c)),
        4..=7 => word4(b.get(..4)) | word4(b.get(n - 4..)) << (8 * (n - 4)),
        8 => word8(Some(b)),
        _ => return None,
    };
    Some((w, n))
}

/// Every word of `values`, or `None` when one of them is longer than eight bytes.
fn words(values: impl Iterator<Item = &'static str>) -> Option<Box<[Word]>> {
    values.map(word).collect()
}

/// The place of a three-capital-letter code among all 26³ of them.
fn code_index(text: &str) -> Option<usize> {
    match *text.as_bytes() {
        [a @ b'A'..=b'Z', b @ b'A'..=b'Z', c @ b'A'..=b'Z'] => {
            Some(usize::from(a - b'A') * 676 + usize::from(b - b'A') * 26 + usize::from(c - b'A'))
        }
        _ => None,
    }
}

/// A bit per three-capital-letter code: set for the codes of the currency table (those
/// `Currency::from_str` accepts); `None` if a code of the table were not accepted.
fn currency_codes() -> Option<&'static [u64]> {
    static CODES: OnceLock<Option<Box<[u64]>>> = OnceLock::new();
    CODES
        .get_or_init(|| {
            let mut bits = vec![0u64; 26 * 26 * 26 / 64 + 1];
            for code in Currency::codes() {
                let i = code_index(code).filter(|_| code.parse::<Currency>().is_ok())?;
                *bits.get_mut(i / 64)? |= 1 << (i % 64);
            }
            Some(bits.into_boxed_slice())
        })
        .as_deref()
}

impl Pass {
    fn compile(ty: &Ty) -> Pass {
        let compiled = match ty {
            Ty::Enum { values } => words(values.iter().copied()).map(Pass::Enum),
            Ty::Pattern(p) if p.known.is_empty() => Some(Pass::Pattern(p)),
            // A known value the pattern refuses is never admitted: only the others are kept.
            Ty::Pattern(p) => words(p.known.iter().map(|(k, _)| *k).filter(|k| p.matches(k))).map(Pass::Known),
            Ty::Currency => currency_codes().map(Pass::Currency),
            _ => None,
        };
        compiled.unwrap_or(Pass::Check)
    }

    /// Whether `value` certainly passes (`false`: `check_value` must say).
    fn admits(&self, value: &Json<'_>) -> bool {
        match (self, value) {
            (Pass::Enum(values), Json::String(s)) => word(s).is_some_and(|w| values.contains(&w)),
            (Pass::Pattern(p), Json::String(Cow::Borrowed(t)) | Json::Number(t)) => p.matches(t),
            (Pass::Known(known), Json::String(Cow::Borrowed(t)) | Json::Number(t)) => {
                word(t).is_some_and(|w| known.contains(&w))
            }
            (Pass::Currency(bits), Json::String(s)) => {
                code_index(s).is_some_and(|i| bits.get(i / 64).is_some_and(|b| b & (1 << (i % 64)) != 0))
            }
            _ => false,
        }
    }
}

const EMPTY: u8 = u8::MAX;

/// Fields a list may have for the one pass (a bit each); larger lists are left to the full checker.
const MAX_FIELDS: usize = 64;

/// The first and last (up to) eight bytes of a name: with its length, what the lookup hashes. For a
/// name of at most 16 bytes the two words and the length are the name itself (they cover every byte).
fn ends(key: &[u8]) -> (u64, u64) {
    let n = key.len();
    if n >= 8 {
        (word8(key.get(..8)), word8(key.get(n - 8..)))
    } else if n >= 4 {
        (word4(key.get(..4)), word4(key.get(n - 4..)))
    } else {
        let b = |i: usize| u64::from(key.get(i).copied().unwrap_or(0));
        (b(0) | b(1) << 8 | b(2) << 16, 0)
    }
}

fn signature_of((head, tail): (u64, u64), n: usize) -> u64 {
    head ^ tail.rotate_left(29) ^ (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn signature(key: &[u8]) -> u64 {
    signature_of(ends(key), key.len())
}

fn word8(b: Option<&[u8]>) -> u64 {
    b.and_then(|b| <[u8; 8]>::try_from(b).ok()).map_or(0, u64::from_le_bytes)
}

fn word4(b: Option<&[u8]>) -> u64 {
    b.and_then(|b| <[u8; 4]>::try_from(b).ok()).map_or(0, |w| u64::from(u32::from_le_bytes(w)))
}

/// `a == b`, without a call into `memcmp` for the short names compared here.
fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => word4(a.get(..4)) == word4(b.get(..4)) && word4(a.get(n - 4..)) == word4(b.get(n - 4..)),
        8..=16 => word8(a.get(..8)) == word8(b.get(..8)) && word8(a.get(n - 8..)) == word8(b.get(n - 8..)),
        _ => a == b,
    }
}

impl Plan {
    fn compile(fields: &'static [Field]) -> Plan {
        let children = fields
            .iter()
            .map(|f| match &f.ty {
                Ty::List { item, .. } => Some(Plan::compile(item)),
                Ty::Object { fields } => Some(Plan::compile(fields)),
                _ => None,
            })
            .collect();
        let passes = fields.iter().map(|f| Pass::compile(&f.ty)).collect();
        let ends = fields.iter().map(|f| (ends(f.name.as_bytes()), f.name.len())).collect();
        let quoted = fields
            .iter()
            .map(|f| {
                // Only a name the scanner reads back as itself: no quote, backslash or control byte.
                let plain = f.name.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
                if plain { [b"\"", f.name.as_bytes(), b"\":"].concat().into_boxed_slice() } else { Box::default() }
            })
            .collect();
        let next = (0..=fields.len()).map(|_| AtomicU8::new(EMPTY)).collect();
        let asked = [const { (AtomicUsize::new(0), AtomicU8::new(EMPTY)) }; ASKED];
        let required =
            fields.iter().take(64).enumerate().filter(|(_, f)| f.required).fold(0, |m, (i, _)| m | 1u64 << i);
        let mut plan = Plan {
            fields,
            seed: 0,
            bits: 0,
            table: Box::default(),
            children,
            passes,
            ends,
            quoted,
            next,
            asked,
            required,
        };
        if fields.is_empty() || fields.len() > MAX_FIELDS {
            return plan;
        }
        // The first field of a name is the one the checker reads (`position`).
        let mut names: Vec<(usize, u64)> = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if !fields.iter().take(i).any(|g| g.name == f.name) {
                names.push((i, signature(f.name.as_bytes())));
            }
        }
        let min_bits = usize::BITS - names.len().leading_zeros() + 1;
        for bits in min_bits..=12 {
            for attempt in 0..256u64 {
                let seed = (0x9E37_79B9_7F4A_7C15u64 ^ attempt.wrapping_mul(0xD1B5_4A32_D192_ED03)) | 1;
                let mut table = vec![EMPTY; 1 << bits];
                let fits = names.iter().all(|&(i, sig)| match table.get_mut(slot(sig, seed, bits)) {
                    Some(s) if *s == EMPTY => {
                        *s = u8::try_from(i).unwrap_or(EMPTY);
                        true
                    }
                    _ => false,
                });
                if fits {
                    plan.seed = seed;
                    plan.bits = bits;
                    plan.table = table.into_boxed_slice();
                    return plan;
                }
            }
        }
        plan // no perfect hash (names alike in their first and last bytes): looked up one by one
    }

    /// The index of the field named `key` (the first one of that name).
    fn lookup(&self, key: &str) -> Option<usize> {
        if self.table.is_empty() {
            return self.fields.iter().position(|f| f.name == key);
        }
        let (key_ends, n) = (ends(key.as_bytes()), key.len());
        let i = usize::from(*self.table.get(slot(signature_of(key_ends, n), self.seed, self.bits))?);
        let &(name_ends, len) = self.ends.get(i)?;
        // Up to 16 bytes, equal ends and lengths are equal names.
        (len == n && name_ends == key_ends && (n <= 16 || self.fields.get(i).is_some_and(|f| f.name == key)))
            .then_some(i)
    }
}

impl FieldIndex for Plan {
    fn index(&self, name: &str) -> Option<usize> {
        self.lookup_named(name)
    }
}

impl Plan {
    /// [`Plan::lookup`] for the names a cross-field rule asks for, line after line the same (the
    /// rule's own texts): the answer found for the name at that address is taken again once its
    /// field's name is seen to be the one asked, so the answer is always `lookup`'s.
    fn lookup_named(&self, name: &str) -> Option<usize> {
        let addr = name.as_ptr().addr();
        let way = (addr as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60;
        let (at, index) = self.asked.get(usize::try_from(way).unwrap_or(0))?;
        if at.load(Ordering::Relaxed) == addr {
            let i = usize::from(index.load(Ordering::Relaxed));
            if self.fields.get(i).is_some_and(|f| std::ptr::eq(f.name, name) || same(f.name, name)) {
                return Some(i);
            }
        }
        let found = self.lookup(name);
        if let Some(i) = found.and_then(|i| u8::try_from(i).ok()) {
            // Index first: a reader that sees the new address with the old index checks the name.
            index.store(i, Ordering::Relaxed);
            at.store(addr, Ordering::Relaxed);
        }
        found
    }
}

/// The key at hand, as the index of its name, and the scanner past its colon: first the key
/// predicted after `prev` (`next[0]`: first, `next[i + 1]`: after key `i`), compared bytes to
/// bytes with its `"name":` (`quoted(i)`; empty for a name never predicted); when it is not that
/// one, the key scanned and found by `lookup`, and remembered as the one after `prev`.
fn next_key<'q>(
    scan: &mut Scan<'_>,
    next: &[AtomicU8],
    quoted: impl Fn(usize) -> Option<&'q [u8]>,
    prev: usize,
    lookup: impl FnOnce(&str) -> Option<usize>,
) -> R<Option<usize>> {
    let predicted = next.get(prev).map(|n| usize::from(n.load(Ordering::Relaxed)));
    if let Some((i, q)) = predicted.and_then(|i| Some((i, quoted(i)?)))
        && !q.is_empty()
        && scan.s.as_bytes().get(scan.pos..scan.pos + q.len()).is_some_and(|at| same_bytes(at, q))
    {
        scan.pos += q.len();
        scan.ws();
        return Ok(Some(i));
    }
    let i = lookup(scan.key()?);
    if let (Some(i), Some(slot)) = (i.and_then(|i| u8::try_from(i).ok()), next.get(prev))
        && slot.load(Ordering::Relaxed) != i
    {
        slot.store(i, Ordering::Relaxed);
    }
    Ok(i)
}

/// `a == b` for byte strings of the same length, a word at a time (no call into `memcmp`).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        4..=7 => word4(a.get(..4)) == word4(b.get(..4)) && word4(a.get(n - 4..)) == word4(b.get(n - 4..)),
        _ => {
            let mut i = 0;
            while i + 8 < n {
                if word8(a.get(i..i + 8)) != word8(b.get(i..i + 8)) {
                    return false;
                }
                i += 8;
            }
            word8(a.get(n - 8..)) == word8(b.get(n - 8..))
        }
    }
}

fn slot(signature: u64, seed: u64, bits: u32) -> usize {
    usize::try_from(signature.wrapping_mul(seed) >> (64 - bits)).unwrap_or(0)
}

/// Every operation's compiled body, per profile, in table order (`None`: the operation takes no body).
fn plans(profile: Profile) -> Option<&'static [Option<Plan>]> {
    static PLANS: OnceLock<Vec<Vec<Option<Plan>>>> = OnceLock::new();
    let all = PLANS.get_or_init(|| {
        Profile::ALL
            .iter()
            .map(|p| {
                p.operations()
                    .iter()
                    .map(|op| match op.body {
                        Body::None => None,
                        Body::Json(fields) | Body::JsonOrForm(fields) => Some(Plan::compile(fields)),
                    })
                    .collect()
            })
            .collect()
    });
    let i = Profile::ALL.iter().position(|p| *p == profile)?;
    all.get(i).map(Vec::as_slice)
}

// ---------------------------------------------------------------------------------------------
// The pass over the bytes.

/// Why the pass stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    /// Certainly invalid (not strict JSON, or an error no later byte can undo).
    Invalid,
    /// Only the full checker can say.
    Undecided,
    /// The body has more fields than the pass made room for: read again with more.
    Wide,
}

type R<T> = Result<T, Stop>;

/// Nesting the pass follows; the reader refuses more than 128 levels, and deeper requests are left to it.
const MAX_DEPTH: usize = 100;

/// A strict JSON scanner over the line, accepting exactly what [`crate::json::parse`] accepts,
/// except that it stops at a `\n` (whitespace to the reader): nothing it reads crosses the end of a
/// line of a batch.
struct Scan<'a> {
    s: &'a str,
    pos: usize,
    depth: usize,
    /// `s` is a batch's text from a line's start on: the request may end at a `\n` (the line's end).
    lines: bool,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    /// Whitespace, but not a `\n` (see [`Scan`]).
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> R<()> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Stop::Invalid)
        }
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH { Err(Stop::Undecided) } else { Ok(()) }
    }

    /// Skips the bytes of a string that need no attention (not `"`, `\\` or a control
    /// character), eight at a time.
    fn plain_run(&mut self) {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        let bytes = self.s.as_bytes();
        while let Some(w) = bytes.get(self.pos..self.pos + 8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
            let w = u64::from_le_bytes(w);
            let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
            // A byte below 0x20, a quote or a backslash (bytes of 0x80 and above never flag).
            let special = (w.wrapping_sub(ONES * 0x20) & !w & HIGH) | zero(w ^ (ONES * 0x22)) | zero(w ^ (ONES * 0x5c));
            if special != 0 {
                self.pos += (special.trailing_zeros() / 8) as usize;
                return;
            }
            self.pos += 8;
        }
    }

    /// At `"`: a string without escapes, borrowed; one with escapes is `Undecided`.
    fn string(&mut self) -> R<&'a str> {
        self.pos += 1;
        let start = self.pos;
        let bytes = self.s.as_bytes();
        self.plain_run();
        loop {
            match bytes.get(self.pos) {
                Some(b'"') => {
                    let s = self.s.get(start..self.pos).ok_or(Stop::Invalid)?;
                    self.pos += 1;
                    return Ok(s);
                }
                Some(b'\\') => return Err(Stop::Undecided),
                Some(0..=0x1f) | None => return Err(Stop::Invalid),
                Some(_) => self.pos += 1,
            }
        }
    }

    /// At `"`: any strict JSON string, skipped; `true` when it is `""`.
    fn skip_string(&mut self) -> R<bool> {
        self.pos += 1;
        let start = self.pos;
        let bytes = self.s.as_bytes();
        self.plain_run();
        loop {
            match bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(self.pos == start + 1);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match bytes.get(self.pos) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.pos += 1,
                        Some(b'u') => {
                            self.pos += 1;
                            let first = self.hex4()?;
                            if (0xD800..0xDC00).contains(&first) {
                                if bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err(Stop::Invalid);
                                }
                                self.pos += 2;
                                if !(0xDC00..0xE000).contains(&self.hex4()?) {
                                    return Err(Stop::Invalid);
                                }
                            } else if char::from_u32(first).is_none() {
                                return Err(Stop::Invalid);
                            }
                        }
                        _ => return Err(Stop::Invalid),
                    }
                }
                Some(0..=0x1f) | None => return Err(Stop::Invalid),
                Some(_) => self.pos += 1,
            }
        }
    }

    fn hex4(&mut self) -> R<u32> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = self.peek().and_then(|b| char::from(b).to_digit(16)).ok_or(Stop::Invalid)?;
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    /// At `-` or a digit: a number's exact text.
    fn number(&mut self) -> R<&'a str> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Stop::Invalid),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(Stop::Invalid);
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(Stop::Invalid);
            }
            self.digits();
        }
        self.s.get(start..self.pos).ok_or(Stop::Invalid)
    }

    fn literal(&mut self, word: &[u8]) -> R<()> {
        if self.s.as_bytes().get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Stop::Invalid)
        }
    }

    /// A scalar value (not an object or array) as the reader would give it: `None` at `{` or `[`.
    /// A string with escapes is `Undecided`.
    fn scalar(&mut self) -> R<Option<Json<'a>>> {
        Ok(Some(match self.peek() {
            Some(b'"') => Json::String(Cow::Borrowed(self.string()?)),
            Some(b'-' | b'0'..=b'9') => Json::Number(self.number()?),
            Some(b't') => {
                self.literal(b"true")?;
                Json::Bool(true)
            }
            Some(b'f') => {
                self.literal(b"false")?;
                Json::Bool(false)
            }
            Some(b'n') => {
                self.literal(b"null")?;
                Json::Null
            }
            Some(b'{' | b'[') => return Ok(None),
            _ => return Err(Stop::Invalid),
        }))
    }

    /// Any value, checked for strictness and skipped.
    fn skip_value(&mut self) -> R<()> {
        match self.peek() {
            Some(b'{') => {
                if self.open(b'}')? {
                    return Ok(());
                }
                loop {
                    self.key_skipped()?;
                    self.skip_value()?;
                    if !self.next(b'}')? {
                        return Ok(());
                    }
                }
            }
            Some(b'[') => {
                if self.open(b']')? {
                    return Ok(());
                }
                loop {
                    self.skip_value()?;
                    if !self.next(b']')? {
                        return Ok(());
                    }
                }
            }
            Some(b'"') => self.skip_string().map(|_| ()),
            Some(b'-' | b'0'..=b'9') => self.number().map(|_| ()),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => Err(Stop::Invalid),
        }
    }

    /// At `{` or `[`: enters it; `true` when it is empty (and then already left).
    fn open(&mut self, close: u8) -> R<bool> {
        self.enter()?;
        self.pos += 1;
        self.ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            return Ok(true);
        }
        Ok(false)
    }

    /// After a member or item: `true` at a `,` (another one follows), `false` at the closing
    /// bracket (left). A trailing comma is not strict JSON.
    fn next(&mut self, close: u8) -> R<bool> {
        self.ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.ws();
                if self.peek() == Some(close) { Err(Stop::Invalid) } else { Ok(true) }
            }
            Some(c) if c == close => {
                self.pos += 1;
                self.depth -= 1;
                Ok(false)
            }
            _ => Err(Stop::Invalid),
        }
    }

    /// A member's key and its `:`; a key with escapes is `Undecided`.
    fn key(&mut self) -> R<&'a str> {
        if self.peek() != Some(b'"') {
            return Err(Stop::Invalid);
        }
        let key = self.string()?;
        self.colon()?;
        Ok(key)
    }

    fn key_skipped(&mut self) -> R<()> {
        if self.peek() != Some(b'"') {
            return Err(Stop::Invalid);
        }
        self.skip_string()?;
        self.colon()
    }

    fn colon(&mut self) -> R<()> {
        self.ws();
        self.eat(b':')?;
        self.ws();
        Ok(())
    }
}

/// What the pass found so far.
#[allow(clippy::struct_excessive_bools)] // four independent facts of one pass, not a state machine
struct Found {
    /// An error was found (certain unless the pass ends `Undecided`).
    error: bool,
    /// A warning may have been found.
    warned: bool,
    /// The pass met something the report's replay ([`report`]) does not reproduce: a member no
    /// field declares, a body the operation does not take as an object.
    opaque: bool,
    /// Values are checked as they are read; not when only the report's replay is wanted (it
    /// checks every value itself, in the checker's order).
    checks: bool,
    ctx: Ctx,
    /// Never read: messages of the violations found are thrown away.
    ptr: Pointer,
}

impl Found {
    /// Checks a scalar against its field with the table-driven checker's own rule.
    fn check(&mut self, field: &Field, value: &Json<'_>) {
        if !self.checks {
            return;
        }
        check_value(&mut self.ctx, &mut self.ptr, field, Val::Json(value));
        self.settle();
    }

    fn check_text(&mut self, field: &'static Field, text: &str) {
        if !self.checks {
            return;
        }
        if matches!(field.ty, Ty::ReadOnly) {
            self.warned = true;
            return;
        }
        if known_clean(field, text) {
            return;
        }
        // Whatever came before is in `warned` and `error` already: what this check finds is its own.
        self.settle();
        self.ctx.warned = false;
        check_value(&mut self.ctx, &mut self.ptr, field, Val::Text(text));
        if self.ctx.errors.is_empty() && !self.ctx.warned {
            keep_clean(field, text);
        }
        self.settle();
    }

    fn settle(&mut self) {
        self.warned |= self.ctx.warned;
        if !self.ctx.errors.is_empty() {
            if self.ctx.errors.iter().any(|v| v.severity == Severity::Error) {
                self.error = true;
            } else {
                self.warned = true;
            }
            self.ctx.errors.clear();
        }
    }
}

/// Fields whose last clean text [`Found::check_text`] keeps.
const CLEAN_WAYS: usize = 4;

thread_local! {
    /// Texts that `check_value` found without any violation, by the field (its place in memory)
    /// they were checked against, a few fields at once: a batch mostly sends the same header (a
    /// token) or parameter line after line, and a rule's verdict on a text depends on nothing else.
    static CLEAN: RefCell<[(usize, String); CLEAN_WAYS]> =
        const { RefCell::new([const { (0, String::new()) }; CLEAN_WAYS]) };
}

/// The way of `field` in [`CLEAN`], and its key.
fn clean_way(field: &Field) -> (usize, usize) {
    let key = std::ptr::from_ref(field).addr();
    (key, (key / std::mem::size_of::<Field>().max(1)) % CLEAN_WAYS)
}

/// Whether `check_value` found `text` without any violation for `field` last time it was kept.
fn known_clean(field: &Field, text: &str) -> bool {
    let (key, way) = clean_way(field);
    CLEAN.with_borrow(|clean| clean.get(way).is_some_and(|(k, t)| *k == key && t == text))
}

/// Keeps `text` as clean for `field` (`check_value` found no violation at all).
fn keep_clean(field: &Field, text: &str) {
    let (key, way) = clean_way(field);
    CLEAN.with_borrow_mut(|clean| {
        if let Some((k, t)) = clean.get_mut(way) {
            *k = key;
            t.clear();
            t.push_str(text);
        }
    });
}

/// Name–value pairs of the request's `query` or `headers` (or the path parameters), borrowed, at most `PAIRS`.
const PAIRS: usize = 16;
type Pairs<'a> = [(&'a str, &'a str); PAIRS];

/// The value of `name` in pairs; a repeated name: the last one counts (`request::pair`).
fn last<'a>(pairs: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    pairs.iter().rev().find(|(k, _)| *k == name).map(|(_, v)| *v)
}

/// Pairs as the cross-field rules read them.
fn cows<'a>(pairs: &[(&'a str, &'a str)]) -> [(Cow<'a, str>, Cow<'a, str>); PAIRS] {
    let mut out = [const { (Cow::Borrowed(""), Cow::Borrowed("")) }; PAIRS];
    for (slot, &(k, v)) in out.iter_mut().zip(pairs) {
        *slot = (Cow::Borrowed(k), Cow::Borrowed(v));
    }
    out
}

/// `null` or an object of strings, into `out`; returns how many.
fn pairs<'a>(scan: &mut Scan<'a>, out: &mut Pairs<'a>) -> R<usize> {
    match scan.peek() {
        Some(b'n') => {
            scan.literal(b"null")?;
            return Ok(0);
        }
        Some(b'{') => {}
        // Another type, or not JSON: an error either way.
        _ => return Err(Stop::Invalid),
    }
    if scan.open(b'}')? {
        return Ok(0);
    }
    let mut n = 0;
    loop {
        let key = scan.key()?;
        if scan.peek() != Some(b'"') {
            return Err(Stop::Invalid); // values are strings
        }
        let value = scan.string()?;
        *out.get_mut(n).ok_or(Stop::Undecided)? = (key, value);
        n += 1;
        if !scan.next(b'}')? {
            return Ok(n);
        }
    }
}

/// A request's route: its profile, the operation's place in the table and the operation
/// (`Err(())`: no operation answers, an error).
type Route = Result<(Profile, usize, &'static Operation), ()>;

/// The members of a request object, in the order [`request`] numbers them, with their keys' bytes
/// `"name":` as a line writes them without escapes or spaces.
const MEMBERS: [(&str, &[u8]); 6] = [
    ("profile", b"\"profile\":"),
    ("method", b"\"method\":"),
    ("path", b"\"path\":"),
    ("query", b"\"query\":"),
    ("headers", b"\"headers\":"),
    ("body", b"\"body\":"),
];

/// The request member whose key came next the last time (as [`Plan::next`], by `MEMBERS` index).
static MEMBER_NEXT: [AtomicU8; MEMBERS.len() + 1] = [const { AtomicU8::new(EMPTY) }; MEMBERS.len() + 1];

/// The last line's bytes up to its body's value, and what the pass read from them: the route's
/// three members, the query's and the headers' pairs (as places in the line) and the route found.
/// The lines of a batch mostly begin with the same members, and the pass reads a line from left to
/// right without looking past the token at hand, so a line that begins with exactly these bytes
/// reads to exactly this; it is read on from its body ([`Envelope::resume`]).
#[derive(Debug)]
struct Envelope {
    prefix: Vec<u8>,
    /// `profile`, `method` and `path`: where each value is in the line.
    route: [(usize, usize); 3],
    /// The query's and the headers' pairs (key, then value, each where it is; `false`: not sent).
    /// The room is kept when a line sends none, so that no line allocates once a batch was read.
    pairs: [(bool, Vec<PairPlace>); 2],
    found: Option<Route>,
}

/// Where a pair's key and value are in the line (start, end).
type PairPlace = [(usize, usize); 2];

thread_local! {
    static ENVELOPE: RefCell<Envelope> = const {
        RefCell::new(Envelope {
            prefix: Vec::new(),
            route: [(0, 0); 3],
            pairs: [(false, Vec::new()), (false, Vec::new())],
            found: None,
        })
    };
}

impl Envelope {
    /// Where `text` begins with the kept bytes: the members read before its body, into `route`
    /// and `pairs` (the query's and the headers'), and where the body's value begins and the route
    /// found for them.
    fn resume<'a>(
        &self,
        text: &'a str,
        route: &mut [Option<&'a str>; 3],
        pairs: [(&mut Option<Pairs<'a>>, &mut Option<usize>); 2],
    ) -> Option<(usize, Route)> {
        let found = self.found?;
        let n = self.prefix.len();
        if !text.as_bytes().get(..n).is_some_and(|head| same_bytes(head, &self.prefix)) {
            return None;
        }
        let at = |(start, end): (usize, usize)| text.get(start..end);
        for (out, &place) in route.iter_mut().zip(&self.route) {
            *out = Some(at(place)?);
        }
        for ((out, count), (sent, kept)) in pairs.into_iter().zip(&self.pairs) {
            if *sent {
                let room = out.insert([("", ""); PAIRS]);
                for (slot, &[k, v]) in room.iter_mut().zip(kept) {
                    *slot = (at(k)?, at(v)?);
                }
                *count = Some(kept.len());
            }
        }
        Some((n, found))
    }

    /// Keeps `text` up to `at` (the body's value) and what was read from it.
    fn keep(&mut self, text: &str, at: usize, route: [&str; 3], pairs: [Option<&[(&str, &str)]>; 2], found: Route) {
        let base = text.as_ptr().addr();
        let place = |s: &str| (s.as_ptr().addr() - base, s.as_ptr().addr() - base + s.len());
        self.prefix.clear();
        self.prefix.extend_from_slice(text.as_bytes().get(..at).unwrap_or_default());
        self.route = route.map(place);
        for ((sent, kept), read) in self.pairs.iter_mut().zip(pairs) {
            *sent = read.is_some();
            kept.clear();
            kept.extend(read.unwrap_or_default().iter().map(|&(k, v)| [place(k), place(v)]));
        }
        self.found = Some(found);
    }
}

/// The whole line: the request object `{profile, method, path, query, headers, body}`.
/// With `errors_only`, warnings are not looked for where that saves work: then no line is `clean`.
fn request<'a>(scan: &mut Scan<'a>, replay: Replay<'_>, slots: &mut [Slot<'a>], errors_only: bool) -> R<Quick> {
    scan.ws();
    if scan.peek() != Some(b'{') {
        return Err(Stop::Invalid); // not an object, or not JSON
    }
    // Room for them only once they are met (most requests have no query).
    let (mut query, mut headers): (Option<Pairs<'_>>, Option<Pairs<'_>>) = (None, None);
    let (mut nquery, mut nheaders) = (None, None);
    let mut found = Found {
        error: false,
        warned: false,
        opaque: false,
        checks: !matches!(replay, Some((_, When::Always))),
        ctx: Ctx { quiet: true, errors_only, ..Ctx::default() },
        ptr: Pointer::default(),
    };
    // The body, once read: the route it was read for (`Err`: no route) and whether it was an object.
    let mut body: Option<(Route, bool)> = None;
    // The member before the key at hand (`0`: none yet, `k + 1`: `MEMBERS[k]`), for the prediction.
    let mut prev = 0;
    // Read on from the body where the line begins as the last one did (`Envelope`).
    let mut route = [None; 3];
    let resumed = ENVELOPE
        .with_borrow(|e| e.resume(scan.s, &mut route, [(&mut query, &mut nquery), (&mut headers, &mut nheaders)]));
    let [mut profile, mut method, mut path] = route;
    let resuming = resumed.is_some();
    let (mut next, mut kept_route) = (None, None);
    if let Some((at, found)) = resumed {
        (scan.pos, scan.depth) = (at, 1);
        scan.ws();
        (next, kept_route) = (Some(5), Some(found));
    }
    if resuming || !scan.open(b'}')? {
        loop {
            let key = match next.take() {
                Some(k) => Some(k),
                None => next_key(
                    scan,
                    &MEMBER_NEXT,
                    |k| MEMBERS.get(k).map(|m| m.1),
                    prev,
                    |key| MEMBERS.iter().position(|(name, _)| same(name, key)),
                )?,
            };
            prev = key.map_or(0, |k| k + 1);
            match key {
                Some(k @ 0..=2) => {
                    if body.is_some() {
                        return Err(Stop::Undecided); // the body was read for another route
                    }
                    let slot = match k {
                        0 => &mut profile,
                        1 => &mut method,
                        _ => &mut path,
                    };
                    if slot.is_some() || scan.peek() != Some(b'"') {
                        // Repeated: left to the checker; not a string: an error.
                        return Err(if slot.is_some() { Stop::Undecided } else { Stop::Invalid });
                    }
                    *slot = Some(scan.string()?);
                }
                Some(k @ 3..=4) => {
                    let (n, out) = if k == 3 { (&mut nquery, &mut query) } else { (&mut nheaders, &mut headers) };
                    if n.is_some() {
                        return Err(Stop::Undecided);
                    }
                    *n = Some(pairs(scan, out.insert([("", ""); PAIRS]))?);
                }
                Some(5) => {
                    if body.is_some() {
                        return Err(Stop::Undecided);
                    }
                    let (Some(profile), Some(method), Some(path)) = (profile, method, path) else {
                        return Err(Stop::Undecided); // read before the route is known
                    };
                    let route = if let Some(route) = kept_route.take() {
                        route
                    } else {
                        let route = routed(profile, method, path)?;
                        let pairs = [(&query, nquery), (&headers, nheaders)]
                            .map(|(p, n)| p.as_ref().zip(n).and_then(|(p, n)| p.get(..n)));
                        ENVELOPE.with_borrow_mut(|e| e.keep(scan.s, scan.pos, [profile, method, path], pairs, route));
                        route
                    };
                    let object = if let Ok((profile, index, op)) = route {
                        read_body(scan, profile, index, op, &mut found, slots)?
                    } else {
                        scan.skip_value()?;
                        false
                    };
                    body = Some((route, object));
                }
                _ => return Err(Stop::Invalid), // not part of a request: an error
            }
            if !scan.next(b'}')? {
                break;
            }
        }
    }
    scan.ws();
    if scan.pos < scan.s.len() && !(scan.lines && scan.peek() == Some(b'\n')) {
        return Err(Stop::Invalid);
    }
    let (Some(profile), Some(method), Some(path)) = (profile, method, path) else {
        return Err(Stop::Invalid); // a required member is missing
    };
    let (route, object) = match body {
        Some(b) => b,
        None => (routed(profile, method, path)?, false),
    };
    let Ok((routed_profile, index, op)) = route else {
        return Ok(Quick::Invalid);
    };
    if body.is_none() && !matches!(op.body, Body::None) {
        found.error = true; // a JSON body is required
        found.opaque = true;
    }
    let query = query.as_ref().and_then(|q| q.get(..nquery.unwrap_or(0))).unwrap_or_default();
    let headers = headers.as_ref().and_then(|h| h.get(..nheaders.unwrap_or(0))).unwrap_or_default();

    // Path parameters, in path order.
    let mut room: Pairs<'_>;
    let params: &[(&str, &str)] = if op.params.is_empty() {
        &[]
    } else {
        room = [("", ""); PAIRS];
        let mut nparams = 0;
        for (t, s) in segments(op.path).zip(segments(path)) {
            if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                if s.bytes().any(|b| b == b'%') {
                    return Err(Stop::Undecided); // decoded by the checker
                }
                *room.get_mut(nparams).ok_or(Stop::Undecided)? = (name, s);
                nparams += 1;
            }
        }
        room.get(..nparams).unwrap_or_default()
    };
    for field in op.params {
        match last(params, field.name) {
            Some(text) => found.check_text(field, text),
            None => found.error |= field.required,
        }
    }
    for field in op.query {
        match last(query, field.name) {
            Some(text) => found.check_text(field, text),
            None => found.error |= field.required,
        }
    }
    if query.iter().any(|(k, _)| !op.query.iter().any(|f| f.name == *k)) {
        found.warned = true;
        found.opaque = true;
    }
    for field in op.headers {
        match headers.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(field.name)) {
            Some((_, text)) => found.check_text(field, text),
            None => found.error |= field.required,
        }
    }

    let plan = plans(routed_profile).and_then(|p| p.get(index)).and_then(Option::as_ref);
    let body_slots = match (plan, object) {
        (Some(plan), true) => Some((plan, slots.get(..plan.fields.len()).ok_or(Stop::Undecided)?)),
        _ => None,
    };
    let (query_cows, params_cows);
    let query_text: &[(Cow<'_, str>, Cow<'_, str>)] = if query.is_empty() {
        &[]
    } else {
        query_cows = cows(query);
        query_cows.get(..query.len()).unwrap_or_default()
    };
    let params_text: &[(Cow<'_, str>, Cow<'_, str>)] = if params.is_empty() {
        &[]
    } else {
        params_cows = cows(params);
        params_cows.get(..params.len()).unwrap_or_default()
    };
    if let Some(cross) = op.cross
        && !found.error
        && found.checks
    {
        let incomplete = Cell::new(false);
        cross(&input(body_slots, &incomplete, query_text, params_text), &mut found.ctx);
        if incomplete.get() {
            return Err(Stop::Undecided);
        }
        found.settle();
    }
    if let Some((out, when)) = replay
        && match when {
            When::Always => true,
            When::Invalid => found.error,
            When::Unclean => found.error || found.warned,
        }
        && !found.opaque
        && (object || matches!(op.body, Body::None))
        && body_slots.is_none_or(|(_, slots)| slots.iter().all(|s| !matches!(s, Slot::Complex)))
    {
        let mut ctx = Ctx::default();
        let mut ptr = Pointer::at("/path");
        replay_params(&mut ctx, &mut ptr, op.params, |name| last(params, name));
        ptr.reset("/query");
        replay_params(&mut ctx, &mut ptr, op.query, |name| last(query, name));
        if !op.headers.is_empty() {
            ptr.reset("/headers");
            replay_params(&mut ctx, &mut ptr, op.headers, |name| {
                headers.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
            });
        }
        if let Some((plan, slots)) = body_slots {
            ptr.reset("/body");
            for ((field, slot), pass) in plan.fields.iter().zip(slots).zip(plan.passes.iter()) {
                match slot {
                    Slot::Scalar(Json::Null) | Slot::Absent | Slot::Complex => {
                        if field.required {
                            ptr.push(field.name);
                            ctx.required(&ptr, field);
                            ptr.pop();
                        }
                    }
                    // A value its compiled pass admits has no violation: `check_value` would write none.
                    Slot::Scalar(value) if pass.admits(value) => {}
                    Slot::Scalar(value) => {
                        ptr.push(field.name);
                        check_value(&mut ctx, &mut ptr, field, Val::Json(value));
                        ptr.pop();
                    }
                }
            }
        }
        let incomplete = Cell::new(false);
        if let Some(cross) = op.cross {
            cross(&input(body_slots, &incomplete, query_text, params_text), &mut ctx);
        }
        match (incomplete.get(), when) {
            // The rule's message needs what the pass did not keep: only the checker can write it,
            // and with `Always` the values were not checked either.
            (true, When::Always) => return Err(Stop::Undecided),
            (true, When::Invalid | When::Unclean) => {}
            (false, _) => *out = Some(Report::new(Some(op.id), ctx.errors)),
        }
    }
    Ok(if found.error {
        Quick::Invalid
    } else {
        Quick::Valid { operation: op.id, clean: !found.warned && !errors_only }
    })
}

/// What the cross-field rule reads: the body's slots when the body was an object, else no body.
fn input<'a>(
    body_slots: Option<(&'a Plan, &'a [Slot<'a>])>,
    incomplete: &'a Cell<bool>,
    query: &'a [(Cow<'a, str>, Cow<'a, str>)],
    params: &'a [(Cow<'a, str>, Cow<'a, str>)],
) -> Input<'a> {
    match body_slots {
        Some((plan, slots)) => Input::of_slots(plan, slots, incomplete, query, params),
        None => Input::of_members(None, crate::rules::Src::Json, query, params),
    }
}

/// `check_params` of the table-driven checker, on the pairs the pass found (`value`: the one that
/// counts for a name); the unknown ones never reach it (the replay is not made then).
fn replay_params<'a>(ctx: &mut Ctx, ptr: &mut Pointer, fields: &[Field], value: impl Fn(&str) -> Option<&'a str>) {
    for field in fields {
        ptr.push(field.name);
        match value(field.name) {
            None => {
                if field.required {
                    ctx.required(ptr, field);
                }
            }
            // A text found clean for the field has no violation: `check_value` would write none.
            Some(text) if known_clean(field, text) => {}
            Some(text) => check_value(ctx, ptr, field, Val::Text(text)),
        }
        ptr.pop();
    }
}

/// The route of a request (`Err(())`: none, an error), or `Undecided` for a path with a `?query`.
fn routed(profile: &str, method: &str, path: &str) -> R<Route> {
    if path.bytes().any(|b| b == b'?') {
        return Err(Stop::Undecided);
    }
    thread_local! {
        /// The last route found, with the profile, method and path it was found for: the lines of
        /// a batch mostly ask the same operation, and a route depends on nothing else.
        static LAST: RefCell<Option<([String; 3], Route)>> = const { RefCell::new(None) };
    }
    let hit = LAST.with_borrow(|last| match last {
        Some(([p, m, t], route)) if same(p, profile) && same(m, method) && t == path => Some(*route),
        _ => None,
    });
    if let Some(route) = hit {
        return Ok(route);
    }
    let route = match Profile::ALL.into_iter().find(|p| same(p.id(), profile)) {
        Some(profile) => find_route(profile, method, path).map(|(index, op)| (profile, index, op)).map_err(|_| ()),
        None => Err(()),
    };
    LAST.with_borrow_mut(|last| match last {
        Some((key, cached)) => {
            for (k, v) in key.iter_mut().zip([profile, method, path]) {
                k.clear();
                k.push_str(v);
            }
            *cached = route;
        }
        None => *last = Some(([profile.to_owned(), method.to_owned(), path.to_owned()], route)),
    });
    Ok(route)
}

/// The body of a routed request; `true` when it was an object read into `slots`.
fn read_body<'a>(
    scan: &mut Scan<'a>,
    profile: Profile,
    index: usize,
    op: &'static Operation,
    found: &mut Found,
    slots: &mut [Slot<'a>],
) -> R<bool> {
    match op.body {
        Body::None => {
            // Any body is ignored (a warning unless it is `null` or blank text).
            found.opaque |= scan.peek() != Some(b'n');
            match scan.peek() {
                Some(b'n') => scan.literal(b"null")?,
                Some(b'"') => {
                    let at = scan.pos;
                    match scan.string() {
                        Ok(s) if s.trim().is_empty() => {}
                        Ok(_) => found.warned = true,
                        Err(_) => {
                            scan.pos = at;
                            scan.skip_string()?;
                            found.warned = true;
                        }
                    }
                }
                _ => {
                    scan.skip_value()?;
                    found.warned = true;
                }
            }
            Ok(false)
        }
        Body::Json(_) | Body::JsonOrForm(_) => match scan.peek() {
            Some(b'{') => {
                let plan = plans(profile).and_then(|p| p.get(index)).and_then(Option::as_ref).ok_or(Stop::Undecided)?;
                if plan.fields.len() > slots.len() {
                    return Err(if plan.fields.len() > MAX_FIELDS { Stop::Undecided } else { Stop::Wide });
                }
                object(scan, plan, found, Some(slots))?;
                Ok(true)
            }
            // Form text or JSON text: read by the checker.
            Some(b'"') => Err(Stop::Undecided),
            // `null`: required; another type: not an object. Errors both.
            _ => {
                scan.skip_value()?;
                found.error = true;
                found.opaque = true;
                Ok(false)
            }
        },
    }
}

/// At `{`: an object checked against its compiled fields; with `slots`, each top-level value is
/// kept for the cross-field rules.
fn object<'a>(scan: &mut Scan<'a>, plan: &Plan, found: &mut Found, mut slots: Option<&mut [Slot<'a>]>) -> R<()> {
    if plan.fields.len() > MAX_FIELDS {
        return Err(Stop::Undecided);
    }
    let (mut seen, mut present) = (0u64, 0u64);
    // The field before the key at hand (`0`: none yet, `i + 1`: field `i`), for the prediction.
    let mut prev = 0;
    if !scan.open(b'}')? {
        loop {
            let found_field =
                next_key(scan, &plan.next, |i| plan.quoted.get(i).map(|q| &q[..]), prev, |key| plan.lookup(key))?;
            if let Some(i) = found_field {
                prev = i + 1;
                let bit = 1u64 << i;
                if seen & bit != 0 {
                    return Err(Stop::Undecided); // repeated: the last one counts
                }
                seen |= bit;
                let field = plan.fields.get(i).ok_or(Stop::Undecided)?;
                let child = plan.children.get(i).and_then(Option::as_ref);
                let value = member(scan, field, child, plan.passes.get(i), found)?;
                if !matches!(value, Slot::Scalar(Json::Null)) {
                    present |= bit;
                }
                if let Some(slot) = slots.as_deref_mut().and_then(|s| s.get_mut(i)) {
                    *slot = value;
                }
            } else {
                found.warned = true; // unknown to the vendor
                found.opaque = true;
                scan.skip_value()?;
            }
            if !scan.next(b'}')? {
                break;
            }
        }
    }
    if plan.required & !present != 0 {
        found.error = true; // a required field is missing
    }
    Ok(())
}

/// One declared member's value, checked against its field.
fn member<'a>(
    scan: &mut Scan<'a>,
    field: &Field,
    child: Option<&Plan>,
    pass: Option<&Pass>,
    found: &mut Found,
) -> R<Slot<'a>> {
    if scan.peek() == Some(b'n') {
        scan.literal(b"null")?;
        return Ok(Slot::Scalar(Json::Null));
    }
    let nested = matches!(scan.peek(), Some(b'{' | b'['));
    match (&field.ty, scan.peek()) {
        (Ty::ReadOnly, _) => {
            found.warned = true;
            scan.skip_value()?;
            Ok(Slot::Complex)
        }
        (Ty::List { non_empty, .. }, Some(b'[')) => {
            let child = child.ok_or(Stop::Undecided)?;
            if scan.open(b']')? {
                found.error |= *non_empty;
            } else {
                loop {
                    if scan.peek() == Some(b'{') {
                        object(scan, child, found, None)?;
                    } else {
                        found.error = true; // items are objects
                        scan.skip_value()?;
                    }
                    if !scan.next(b']')? {
                        break;
                    }
                }
            }
            Ok(Slot::Complex)
        }
        (Ty::Object { .. }, Some(b'{')) => {
            object(scan, child.ok_or(Stop::Undecided)?, found, None)?;
            Ok(Slot::Complex)
        }
        (Ty::Identifier { fields }, Some(b'{')) => {
            identifier(scan, fields, found)?;
            Ok(Slot::Complex)
        }
        (Ty::AnyObject, Some(b'{')) => {
            scan.skip_value()?;
            Ok(Slot::Complex)
        }
        // These take an object or an array: anything else is a type error.
        (Ty::List { .. } | Ty::Object { .. } | Ty::Identifier { .. } | Ty::AnyObject, _) => {
            found.error = true;
            scan.skip_value()?;
            Ok(Slot::Complex)
        }
        // Scalar fields: an object or an array is a type error.
        (_, _) if nested => {
            found.error = true;
            scan.skip_value()?;
            Ok(Slot::Complex)
        }
        (_, _) => {
            let value = scan.scalar()?.ok_or(Stop::Invalid)?;
            match pass {
                _ if !found.checks => {}
                None | Some(Pass::Check) => found.check(field, &value),
                // Not admitted by a compiled rule: an error of that rule (none of them warns).
                Some(p) => found.error |= !p.admits(&value),
            }
            Ok(Slot::Scalar(value))
        }
    }
}

/// At `{`: an identifier object is valid exactly when it has one member, an identifying field,
/// whose value is a non-empty string or a number (`rules::check_identifier`).
fn identifier(scan: &mut Scan<'_>, fields: &[&str], found: &mut Found) -> R<()> {
    let mut count = 0usize;
    if !scan.open(b'}')? {
        loop {
            let key = scan.key()?;
            count += 1;
            let known = fields.contains(&key);
            let ok = match scan.peek() {
                Some(b'"') => !scan.skip_string()?,
                Some(b'-' | b'0'..=b'9') => {
                    scan.number()?;
                    true
                }
                _ => {
                    scan.skip_value()?;
                    false
                }
            };
            if !known || !ok {
                found.error = true;
            }
            if !scan.next(b'}')? {
                break;
            }
        }
    }
    if count != 1 {
        found.error = true;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{line_end, word};

    #[test]
    fn a_line_ends_at_its_first_newline_as_a_byte_search_finds_it() {
        // Every length to 20 and every place of the first `\n` (or none), among bytes that are
        // one above or below it, high bytes and zeros, which a word-wise search could confuse.
        for len in 0..20 {
            for first in 0..=len {
                let mut bytes: Vec<u8> = (0..len).map(|i| [0x0b, 0x09, 0x8a, 0x00, 0xff, b'a'][i % 6]).collect();
                if first < len {
                    bytes[first] = b'\n';
                    if first + 1 < len {
                        bytes[first + 1] = b'\n';
                    }
                }
                let expected = bytes.iter().position(|&b| b == b'\n').unwrap_or(len);
                assert_eq!(line_end(&bytes), expected, "{bytes:?}");
            }
        }
    }

    #[test]
    fn a_word_is_its_bytes_little_endian_then_its_length() {
        let text = "abcdefghi";
        for n in 0..=text.len() {
            let t = text.get(..n).unwrap_or_default();
            let expected = (n <= 8).then(|| {
                let mut w = [0u8; 8];
                w[..n].copy_from_slice(t.as_bytes());
                (u64::from_le_bytes(w), n)
            });
            assert_eq!(word(t), expected, "{t:?}");
        }
    }
}
