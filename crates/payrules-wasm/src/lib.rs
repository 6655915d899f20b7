//! The validation module of the npm package `payrules`: each export reads its input, calls the
//! core, and returns the core's answer. No rule lives here. The ledger is a second module
//! (`crates/payrules-wasm-ledger`, imported as `payrules/ledger`), loaded only when used.
//!
//! Two channels: a domain problem (an invalid request) comes back as data; a broken contract (an
//! argument that is not a request object, an unknown profile) throws an `Error` whose message says
//! why. A request object crosses as JSON text, read by the core's own reader, so JavaScript gets
//! the same verdict as native code. A report comes back as an object (it holds strings, booleans and
//! `null`, nothing JSON text must carry exactly), the object `JSON.parse` would make of its text,
//! without that text: `validate`'s built field by field by serde-wasm-bindgen, a batch's `report(i)`
//! by the package's `batch.js` from one string (`reportsParts`: one crossing for several reports,
//! not one a field). The `…Json` variants return the core's exact text (a request's `12.3400` or
//! `12345678901234567890` is text there): written by the core's own writers (`Report::to_json`,
//! byte for byte what serde_json writes), so serde_json is not in the module.
//!
//! `profiles()`, `allowedActions()` and `diagram()` are not in this module: their answers are data
//! generated at build time by the core into the package's `profiles.js`
//! (`crates/payrules/examples/profiles_js.rs`), so the module carries neither the descriptions nor
//! the lifecycles' code.

use wasm_bindgen::prelude::*;

mod boundary;
#[cfg(any(feature = "csv", test))]
mod csv;

use boundary::request_text;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The verdict on one request object: `{valid, operation, errors: [{path, code, severity, message, suggestion?}]}`.
#[wasm_bindgen]
pub fn validate(request: &JsValue) -> Result<JsValue, JsError> {
    let text = request_text(request, "validate")?;
    report_object(&payrules::validate_json(&text))
}

/// A report as a JavaScript object, built field by field (`serde-wasm-bindgen`): a report holds
/// strings, booleans and `null` only (no amount or big integer that JSON text must carry exactly),
/// so it needs no JSON text and no `JSON.parse`. The same object as `JSON.parse` of its text.
fn report_object(report: &payrules::Report) -> Result<JsValue, JsError> {
    use serde::Serialize;
    report
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("a report could not become a JavaScript object: {e}")))
}

/// Reports as one text for `batch.js`: per report, the number of its violations, then each of its
/// strings, every one followed by a NUL, in the order of the report's fields: `1` or `0` (`valid`),
/// the operation (after a `=`; empty for none), then per violation its path, code, severity, message
/// and suggestion (after a `=`; empty for none). A report one of whose strings holds a NUL itself
/// is written `!` and a NUL instead: `batch.js` then asks for its object (`report_object`).
fn put_report(out: &mut String, report: &payrules::Report) {
    let start = out.len();
    put_count(out, report.errors.len());
    put(out, if report.valid { "1" } else { "0" });
    optional(out, report.operation.as_deref());
    for v in &report.errors {
        put(out, &v.path);
        put(out, v.code.as_str());
        put(out, severity(v.severity));
        put(out, &v.message);
        optional(out, v.suggestion.as_deref());
    }
    // A NUL inside a string would end it early: then the object is built field by field.
    let fields = 3 + 5 * report.errors.len();
    if out.get(start..).is_none_or(|written| written.bytes().filter(|&b| b == 0).count() != fields) {
        out.truncate(start);
        put(out, "!");
    }
}

/// `n` in decimal digits, then a NUL.
fn put_count(out: &mut String, n: usize) {
    use std::fmt::Write as _;
    // Writing to a `String` cannot fail.
    let _ = write!(out, "{n}\0");
}

#[inline(never)]
fn put(out: &mut String, text: &str) {
    out.push_str(text);
    out.push('\0');
}

fn optional(out: &mut String, text: Option<&str>) {
    if text.is_some() {
        out.push('=');
    }
    put(out, text.unwrap_or_default());
}

fn severity(severity: payrules::Severity) -> &'static str {
    match severity {
        payrules::Severity::Error => "error",
        payrules::Severity::Warning => "warning",
    }
}

/// The verdict on one request given as JSON text, as JSON text (exact: the CLI prints the same bytes).
#[wasm_bindgen(js_name = validateJson)]
pub fn validate_json(text: &str) -> String {
    payrules::validate_json(text).to_json()
}

/// The verdicts on many requests given as UTF-8 JSON Lines: a [`BatchResult`] with one entry per
/// non-blank line, in order. Only the verdicts are kept; a report is written when it is asked for.
#[wasm_bindgen(js_name = validateBatch)]
pub fn validate_batch(bytes: Vec<u8>) -> BatchResult {
    BatchResult::new(bytes)
}

/// The verdicts on a batch of JSON Lines. Entry `i` is the `i`-th **non-blank** line (blank lines,
/// and lines of only whitespace, get no entry, as in `validateBatchJson` and `payrules validate`):
/// `invalidLines` holds those indexes, `report(i)` writes entry `i`'s full report on demand. The
/// bytes are kept (inside the module) so that any entry's report can be written later; nothing of a
/// valid line is written.
#[wasm_bindgen]
#[derive(Debug)]
pub struct BatchResult {
    bytes: Vec<u8>,
    /// (start, end) of each non-blank line in `bytes`, without its `\n`.
    lines: Vec<(usize, usize)>,
    /// The indexes (into `lines`) of the invalid entries, ascending.
    invalid: Vec<u32>,
}

impl BatchResult {
    fn new(bytes: Vec<u8>) -> Self {
        let mut lines = Vec::new();
        let mut invalid = Vec::new();
        // The one-pass verdicts: no report is built for a line (`report(i)` builds it).
        for (range, valid) in payrules::verdicts(&bytes) {
            if !valid {
                invalid.push(u32::try_from(lines.len()).unwrap_or(u32::MAX));
            }
            lines.push((range.start, range.end));
        }
        Self { bytes, lines, invalid }
    }

    fn entry_report(&self, index: u32) -> Result<payrules::Report, JsError> {
        payrules::validate_json_bytes(self.line(index)?)
            .ok_or_else(|| JsError::new("a batch entry is never a blank line"))
    }

    fn line(&self, index: u32) -> Result<&[u8], JsError> {
        let entries = self.lines.len();
        let &(start, end) = usize::try_from(index).ok().and_then(|i| self.lines.get(i)).ok_or_else(|| {
            JsError::new(&format!(
                "report({index}): the batch has {entries} entries, 0 to {}",
                entries.saturating_sub(1)
            ))
        })?;
        Ok(&self.bytes[start..end])
    }
}

#[wasm_bindgen]
impl BatchResult {
    /// How many entries (non-blank lines) the batch has.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.lines.len()
    }

    /// The indexes of the invalid entries, ascending (a fresh `Uint32Array` on each read).
    #[wasm_bindgen(getter, js_name = invalidLines)]
    pub fn invalid_lines(&self) -> Vec<u32> {
        self.invalid.clone()
    }

    /// The indexes of the entries whose report may hold a violation, warnings included, ascending:
    /// every invalid entry, and each valid one the one-pass check cannot prove clean (a warning
    /// such as `precision` is possible). The entries left out have no violation at all; call
    /// `reportJson(i)` for the others.
    #[wasm_bindgen(js_name = mayHaveViolations)]
    pub fn may_have_violations(&self) -> Vec<u32> {
        (0..self.lines.len())
            .filter(|&i| {
                let (start, end) = self.lines[i];
                !matches!(
                    payrules::fast::quick(&self.bytes[start..end]),
                    payrules::fast::Quick::Valid { clean: true, .. }
                )
            })
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect()
    }

    /// Entry `i`'s full report, written now: the same as `validate` of that line. Throws when `i`
    /// is not an entry of the batch.
    pub fn report(&self, index: u32) -> Result<JsValue, JsError> {
        report_object(&self.entry_report(index)?)
    }

    /// The full reports of `entries`, in order, as one text ([`put_report`]), from which the
    /// package's `batch.js` builds the objects `report(i)` returns: one string crosses for several
    /// reports instead of one per field (`batch.js` asks for the next invalid entries together when
    /// they are read in order). Throws when one of `entries` is not an entry of the batch.
    #[wasm_bindgen(js_name = reportsParts)]
    pub fn reports_parts(&self, entries: &[u32]) -> Result<String, JsError> {
        let mut out = String::new();
        for &index in entries {
            put_report(&mut out, &self.entry_report(index)?);
        }
        Ok(out)
    }

    /// Entry `i`'s full report as exact JSON text: the same bytes as `validateJson` of that line.
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self, index: u32) -> Result<String, JsError> {
        Ok(self.entry_report(index)?.to_json())
    }
}

/// Like `validateBatch`, as exact JSON Lines text (one report per line, as `payrules validate` prints).
#[wasm_bindgen(js_name = validateBatchJson)]
pub fn validate_batch_json(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() / 2);
    out.push('[');
    let mut first = true;
    for report in bytes.split(|&b| b == b'\n').filter_map(payrules::validate_json_bytes) {
        if !first {
            out.push(',');
        }
        first = false;
        report.write_json(&mut out);
    }
    out.push(']');
    out
}

/// A CSV file read as requests of one operation, a chunk at a time (the console's file check runs
/// it in a Web Worker; feature `csv`, off in the npm package): the header row maps columns to the operation's inputs by name, and
/// `push(chunk)` returns the JSON Lines of the rows that chunk completed, for `validateBatch`.
#[cfg(feature = "csv")]
#[wasm_bindgen]
#[derive(Debug)]
pub struct CsvRequests {
    rows: csv::CsvRows,
    lines: Vec<u32>,
}

#[cfg(feature = "csv")]
#[wasm_bindgen]
impl CsvRequests {
    /// A reader for requests of operation `operation` (`plentymarkets.create_payment`) of
    /// `profile`; throws when either is unknown.
    #[wasm_bindgen(constructor)]
    pub fn new(profile: &str, operation: &str) -> Result<CsvRequests, JsError> {
        let p: payrules::Profile =
            profile.parse().map_err(|_| JsError::new(&format!("unknown profile {profile:?}")))?;
        let op =
            p.operation(operation).ok_or_else(|| JsError::new(&format!("{profile} has no operation {operation:?}")))?;
        Ok(Self { rows: csv::CsvRows::new(p, op), lines: Vec::new() })
    }

    /// Reads the file's next bytes (an empty chunk: the end) and returns one request per row it
    /// completed, as UTF-8 JSON Lines.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<u8> {
        let rows = self.rows.push(chunk);
        self.lines = rows.lines;
        rows.jsonl
    }

    /// The 1-based file line each row of the last `push` starts on.
    #[wasm_bindgen(getter, js_name = rowLines)]
    pub fn row_lines(&self) -> Vec<u32> {
        self.lines.clone()
    }

    /// The header row's names (empty until it is read).
    #[wasm_bindgen(getter)]
    pub fn columns(&self) -> Vec<String> {
        self.rows.headers().to_vec()
    }

    /// The input (JSON Pointer) each column fills, `""` for a column the operation has none for.
    #[wasm_bindgen(getter)]
    pub fn pointers(&self) -> Vec<String> {
        self.rows.pointers().into_iter().map(Option::unwrap_or_default).collect()
    }
}
