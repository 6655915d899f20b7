//! CSV rows as requests of one operation, read a chunk at a time: the first record is the header,
//! whose names map columns to the operation's inputs (`payrules::compose::columns`); every later
//! record becomes one request line (`payrules::compose::request_text`), its values kept as text.
//! The parsing is `csv-core`'s (RFC 4180 quoting, CRLF or LF, empty lines skipped, a BOM dropped).
//! Compiled with the feature `csv` (the console's copy of the module) and in tests.
#![cfg_attr(not(feature = "csv"), allow(dead_code))]

use std::collections::BTreeMap;

use csv_core::{ReadRecordResult, Reader};
use payrules::compose::{self, Slot};
use payrules::{Operation, Profile};

/// A CSV file being read as requests of one operation.
#[derive(Debug)]
pub struct CsvRows {
    profile: Profile,
    op: &'static Operation,
    reader: Reader,
    /// The current record's field bytes and ends (`csv-core`'s output buffers).
    out: Vec<u8>,
    out_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    /// The header's names, once read, and the input each column fills.
    headers: Option<Vec<String>>,
    slots: Vec<Option<Slot>>,
    /// The line feeds read so far, and the last byte read.
    newlines: usize,
    last: u8,
}

/// The requests of the rows completed by one chunk.
#[derive(Debug, Default)]
pub struct Rows {
    /// One request per row, each followed by `\n`.
    pub jsonl: Vec<u8>,
    /// The 1-based line of the file each row starts on.
    pub lines: Vec<u32>,
}

impl CsvRows {
    /// A reader for requests of `op` of `profile`.
    pub fn new(profile: Profile, op: &'static Operation) -> Self {
        Self {
            profile,
            op,
            reader: Reader::new(),
            out: vec![0; 4096],
            out_len: 0,
            ends: vec![0; 64],
            ends_len: 0,
            headers: None,
            slots: Vec::new(),
            newlines: 0,
            last: 0,
        }
    }

    /// The header's names (empty until the header row is read).
    pub fn headers(&self) -> &[String] {
        self.headers.as_deref().unwrap_or_default()
    }

    /// The pointer of the input each column fills (`None`: the operation has no input of that name).
    pub fn pointers(&self) -> Vec<Option<String>> {
        self.slots.iter().map(|s| s.map(|s| s.pointer())).collect()
    }

    /// Reads `chunk` (the file's next bytes; an empty chunk says the file has ended) and returns
    /// the requests of the rows it completed.
    pub fn push(&mut self, mut chunk: &[u8]) -> Rows {
        let last = chunk.is_empty();
        let mut rows = Rows::default();
        loop {
            let (res, nin, nout, nend) = self.reader.read_record(
                chunk,
                self.out.get_mut(self.out_len..).unwrap_or_default(),
                self.ends.get_mut(self.ends_len..).unwrap_or_default(),
            );
            let read = chunk.get(..nin).unwrap_or_default();
            self.newlines += line_feeds(read);
            if let Some(&b) = read.last() {
                self.last = b;
            }
            chunk = chunk.get(nin..).unwrap_or_default();
            self.out_len += nout;
            self.ends_len += nend;
            match res {
                ReadRecordResult::InputEmpty if !last => return rows,
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    self.record(&mut rows);
                    self.out_len = 0;
                    self.ends_len = 0;
                }
                ReadRecordResult::End => return rows,
            }
        }
    }

    fn record(&mut self, rows: &mut Rows) {
        let bytes = self.out.get(..self.out_len).unwrap_or_default();
        let mut start = 0;
        let fields: Vec<String> = self
            .ends
            .get(..self.ends_len)
            .unwrap_or_default()
            .iter()
            .map(|&end| {
                let field = String::from_utf8_lossy(bytes.get(start..end).unwrap_or_default()).into_owned();
                start = end;
                field
            })
            .collect();
        if self.headers.is_none() {
            self.slots = compose::columns(self.op, &fields);
            self.headers = Some(fields);
            return;
        }
        let values: BTreeMap<String, String> =
            self.slots.iter().zip(fields).filter_map(|(slot, value)| slot.map(|s| (s.pointer(), value))).collect();
        rows.jsonl.extend_from_slice(compose::request_text(self.profile, self.op, &values).as_bytes());
        rows.jsonl.push(b'\n');
        // The record's last line: the line feeds read so far, its own included when it ended with
        // one (not when it ended with the `\r` of a CRLF, or at the end of the file); its first
        // line is before the line feeds inside its quoted fields. (`Reader::line` is not used: it
        // skips the line feeds its fast scan of a quoted field copies.)
        let last = self.newlines + usize::from(self.last != b'\n');
        let inner = line_feeds(bytes);
        rows.lines.push(u32::try_from(last.saturating_sub(inner)).unwrap_or(u32::MAX));
    }
}

/// How many `\n` bytes there are.
fn line_feeds(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').count() - 1
}

#[cfg(test)]
mod tests {
    use payrules::Profile;

    use super::CsvRows;

    #[test]
    fn rows_become_requests_across_chunks_with_their_lines() {
        let op = Profile::Plentymarkets.operation("plentymarkets.create_payment").unwrap();
        let text = "amount,currency,note\r\n12.3400,EUR,a\r\n\n1.5,\"U\nSD\",b\n7,EUR,c";
        for size in [1, 5, 16, text.len()] {
            let mut csv = CsvRows::new(Profile::Plentymarkets, op);
            let (mut jsonl, mut lines) = (Vec::new(), Vec::new());
            for chunk in text.as_bytes().chunks(size).chain([&[][..]]) {
                let rows = csv.push(chunk);
                jsonl.extend(rows.jsonl);
                lines.extend(rows.lines);
            }
            check(&csv, jsonl, &lines);
        }
    }

    fn check(csv: &CsvRows, jsonl: Vec<u8>, lines: &[u32]) {
        assert_eq!(csv.headers(), ["amount", "currency", "note"]);
        assert_eq!(csv.pointers(), [Some("/body/amount".to_owned()), Some("/body/currency".to_owned()), None]);
        let jsonl = String::from_utf8(jsonl).unwrap();
        let requests: Vec<&str> = jsonl.lines().collect();
        assert_eq!(requests.len(), 3, "{jsonl}");
        assert!(requests[0].contains(r#""amount":12.3400,"currency":"EUR""#), "{}", requests[0]);
        assert!(requests[1].contains(r#""currency":"U\nSD""#), "{}", requests[1]);
        assert_eq!(lines, [2, 4, 6]);
    }
}
