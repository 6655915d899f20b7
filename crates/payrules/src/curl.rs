//! `curl` commands and requests, both ways: a [`Request`] written as a command to run against
//! `payrules serve` (`{base}/{profile}{path}`), and a command pasted from a log or a vendor's
//! documentation read back into a request. Pure text: nothing is run or fetched.
//!
//! ```
//! let request = payrules::Request::from_json(
//!     r#"{"profile":"plentymarkets","method":"GET","path":"/rest/payments/7","headers":{"Authorization":"Bearer <token>"}}"#,
//! ).unwrap();
//! let command = payrules::curl::write(&request, "http://127.0.0.1:8080", &[]);
//! assert_eq!(command, "curl -X GET http://127.0.0.1:8080/plentymarkets/rest/payments/7 -H 'Authorization: Bearer <token>'");
//! let pasted = payrules::curl::read(&command).unwrap();
//! assert_eq!((pasted.request, pasted.base.as_str()), (request, "http://127.0.0.1:8080"));
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::credentials::encode;
use crate::profiles::{parse_form, route};
use crate::{Profile, Request};

/// The command that sends `request` to `{base}/{profile}{path}` (as `payrules serve` routes it),
/// with `extra` headers first (a `Payrules-Sandbox`, say). Every argument is shell-quoted; a body
/// goes as `--data-raw`, with `Content-Type: application/json` unless the request names one.
pub fn write(request: &Request, base: &str, extra: &[(&str, &str)]) -> String {
    let mut url = format!("{}/{}{}", base.trim_end_matches('/'), request.profile, request.path);
    if !request.query.is_empty() {
        let pairs: Vec<String> = request.query.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&pairs.join("&"));
    }
    let mut words = vec!["curl".to_owned(), "-X".to_owned(), request.method.clone(), url];
    let mut header = |k: &str, v: &str| {
        words.push("-H".to_owned());
        words.push(format!("{k}: {v}"));
    };
    for (k, v) in extra {
        header(k, v);
    }
    for (k, v) in &request.headers {
        header(k, v);
    }
    let body = match &request.body {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    };
    if let Some(body) = body {
        if request.header("content-type").is_none() {
            header("Content-Type", "application/json");
        }
        words.push("--data-raw".to_owned());
        words.push(body);
    }
    words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ")
}

/// A word as a POSIX shell reads it back: as it is when it holds only characters no shell
/// expands (so never a brace, glob, `$`, `~` or `!`), else single-quoted (`'` as `'\''`).
fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:@+=%,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// A request read from a `curl` command, and the server it was sent to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pasted {
    /// The request (its body as the command's text; headers as written, but `Content-Length`
    /// and `Host`, which describe one sending).
    pub request: Request,
    /// `scheme://host[:port]` of the URL.
    pub base: String,
}

/// Why a command could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CurlError {
    /// It does not start with `curl`.
    NotCurl,
    /// Its words cannot be read (an unclosed quote).
    Words(String),
    /// An option that needs a value is last.
    MissingValue(String),
    /// An option payrules does not read.
    Unknown(String),
    /// An option that cannot be turned into a request, and why.
    Unsupported(String, &'static str),
    /// No URL.
    NoUrl,
    /// More than one URL.
    TwoUrls(String, String),
    /// The URL's path names no profile, and no single profile has an operation at it.
    NoProfile(String),
}

impl fmt::Display for CurlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CurlError::NotCurl => f.write_str("this is not a curl command: it should start with `curl`"),
            CurlError::Words(why) => write!(f, "the command cannot be read as shell words: {why}"),
            CurlError::MissingValue(option) => write!(f, "`{option}` needs a value after it"),
            CurlError::Unknown(option) => write!(
                f,
                "the curl option `{option}` is not understood (read: -X/--request, -H/--header, -d/--data, \
                 --data-raw, --data-binary, --data-urlencode, --json, --url, -G/--get)"
            ),
            CurlError::Unsupported(option, why) => write!(f, "`{option}` cannot be loaded: {why}"),
            CurlError::NoUrl => f.write_str("the command has no URL"),
            CurlError::TwoUrls(a, b) => write!(f, "the command has two URLs ({a} and {b}); paste one request"),
            CurlError::NoProfile(path) => write!(
                f,
                "the path {path} names no payrules profile: its first segment should be one of {} (as \
                 `payrules serve` routes it), or it should be the path of one vendor's operation",
                Profile::ALL.map(Profile::id).join(", ")
            ),
        }
    }
}

impl std::error::Error for CurlError {}

/// Options that take a value, which the request does not need.
const IGNORED_WITH_VALUE: &[&str] = &[
    "-o",
    "--output",
    "-m",
    "--max-time",
    "--connect-timeout",
    "-w",
    "--write-out",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "-e",
    "--referer",
    "--cacert",
    "--capath",
    "-x",
    "--proxy",
    "--resolve",
    "--limit-rate",
    "-c",
    "--cookie-jar",
    "--trace",
    "--trace-ascii",
    "--stderr",
];

/// Options without a value that change nothing in the request.
const IGNORED_FLAGS: &[&str] = &[
    "-s",
    "--silent",
    "-S",
    "--show-error",
    "-i",
    "--include",
    "-v",
    "--verbose",
    "-k",
    "--insecure",
    "-L",
    "--location",
    "-f",
    "--fail",
    "--fail-with-body",
    "--compressed",
    "-g",
    "--globoff",
    "-N",
    "--no-buffer",
    "-q",
    "--http1.1",
    "--http2",
    "-#",
    "--progress-bar",
    "-4",
    "-6",
    "--no-progress-meter",
];

/// Short options whose value may be glued to them (`-XPOST`, `-HAccept:x`).
const SHORT_WITH_VALUE: &str = "XHdomwexcuAbFT";

fn set_url(u: String, url: &mut Option<String>) -> Result<(), CurlError> {
    if let Some(first) = url.take() {
        return Err(CurlError::TwoUrls(first, u));
    }
    *url = Some(u);
    Ok(())
}

/// Words that end the command (what follows is another command: `| jq`, `> out.json`).
const SHELL_OPERATORS: &[&str] = &["|", "||", "&&", ";", ">", ">>", "&", "2>&1"];

/// Reads a `curl` command: `-X/--request`, `-H/--header`, `-d/--data/--data-ascii/--data-raw/
/// --data-binary` (several are joined with `&`, as curl does), `--data-urlencode`, `--json`,
/// `--url`, `-G/--get`; quoted and escaped words and `\` line continuations, as a shell reads
/// them. The profile is the URL's first path segment (as `payrules serve` routes it), or the one
/// profile that has an operation at the whole path (a vendor's own URL). Output, verbosity and
/// TLS options are ignored; a file (`-d @file`), a form (`-F`) or a user (`-u`) are refused.
pub fn read(command: &str) -> Result<Pasted, CurlError> {
    let text = command.replace("\r\n", "\n");
    let words = shell_words::split(text.trim()).map_err(|e| CurlError::Words(e.to_string()))?;
    let mut words = words.into_iter().skip_while(|w| w == "$");
    match words.next() {
        Some(w) if w == "curl" || w.ends_with("/curl") || w.eq_ignore_ascii_case("curl.exe") => {}
        _ => return Err(CurlError::NotCurl),
    }
    let mut method: Option<String> = None;
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    let mut data: Vec<String> = Vec::new();
    let mut get = false;
    let mut json = false;
    let mut url: Option<String> = None;
    let mut only_urls = false;
    while let Some(word) = words.next() {
        if SHELL_OPERATORS.contains(&word.as_str()) {
            break;
        }
        if only_urls || !word.starts_with('-') || word == "-" {
            set_url(word, &mut url)?;
            continue;
        }
        if word == "--" {
            only_urls = true;
            continue;
        }
        // `-sSL`, `-XPOST`: a short option's letters, and its value glued on.
        let (option, glued) = if word.starts_with("--") {
            (word.clone(), None)
        } else {
            let mut chars = word.chars().skip(1);
            let mut option = None;
            let mut glued = None;
            while let Some(c) = chars.next() {
                let short = format!("-{c}");
                if SHORT_WITH_VALUE.contains(c) {
                    let rest: String = chars.by_ref().collect();
                    glued = (!rest.is_empty()).then_some(rest);
                    option = Some(short);
                    break;
                }
                if c == 'G' || !IGNORED_FLAGS.contains(&short.as_str()) {
                    option = Some(short);
                    // A lone flag (`-G`) or an unknown letter: handled below.
                    if chars.clone().next().is_some() {
                        if c == 'G' {
                            get = true;
                            continue;
                        }
                        return Err(CurlError::Unknown(word.clone()));
                    }
                }
            }
            match option {
                Some(option) => (option, glued),
                // Only flags that change nothing.
                None => continue,
            }
        };
        let mut value = |name: &str| -> Result<String, CurlError> {
            match glued.clone() {
                Some(v) => Ok(v),
                None => words.next().ok_or_else(|| CurlError::MissingValue(name.to_owned())),
            }
        };
        let name = option.clone();
        match name.as_str() {
            "-X" | "--request" => method = Some(value(&option)?),
            "-H" | "--header" => {
                let line = value(&option)?;
                let (name, v) = match line.split_once(':') {
                    Some((name, v)) => (name.trim().to_owned(), v.trim().to_owned()),
                    None => match line.strip_suffix(';') {
                        Some(name) => (name.trim().to_owned(), String::new()),
                        None => return Err(CurlError::Unsupported(option, "a header is written `Name: value`")),
                    },
                };
                if name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("host") {
                    continue;
                }
                headers.retain(|k, _| !k.eq_ignore_ascii_case(&name));
                headers.insert(name, v);
            }
            "-d" | "--data" | "--data-ascii" | "--data-binary" => {
                let v = value(&option)?;
                if v.starts_with('@') {
                    return Err(CurlError::Unsupported(option, "it reads a file; paste the body itself"));
                }
                data.push(v);
            }
            "--data-raw" => data.push(value(&option)?),
            "--json" => {
                let v = value(&option)?;
                if v.starts_with('@') {
                    return Err(CurlError::Unsupported(option, "it reads a file; paste the body itself"));
                }
                json = true;
                data.push(v);
            }
            "--data-urlencode" => {
                let v = value(&option)?;
                data.push(match v.split_once('=') {
                    _ if v.starts_with('@') => {
                        return Err(CurlError::Unsupported(option, "it reads a file; paste the body itself"));
                    }
                    Some((name, content)) if !name.contains('@') => {
                        if name.is_empty() {
                            encode(content)
                        } else {
                            format!("{name}={}", encode(content))
                        }
                    }
                    Some(_) => return Err(CurlError::Unsupported(option, "it reads a file; paste the body itself")),
                    None if v.contains('@') => {
                        return Err(CurlError::Unsupported(option, "it reads a file; paste the body itself"));
                    }
                    None => encode(&v),
                });
            }
            "--url" => {
                let v = value(&option)?;
                set_url(v, &mut url)?;
            }
            "-G" | "--get" => get = true,
            "-A" | "--user-agent" => {
                let v = value(&option)?;
                headers.insert("User-Agent".to_owned(), v);
            }
            "-b" | "--cookie" => {
                let v = value(&option)?;
                if !v.contains('=') {
                    return Err(CurlError::Unsupported(option, "it reads cookies from a file"));
                }
                headers.insert("Cookie".to_owned(), v);
            }
            "-u" | "--user" => {
                return Err(CurlError::Unsupported(
                    option,
                    "basic authentication is not read; send its Authorization header",
                ));
            }
            "-F" | "--form" | "--form-string" => {
                return Err(CurlError::Unsupported(option, "multipart forms are not an API of payrules' vendors"));
            }
            "-T" | "--upload-file" => return Err(CurlError::Unsupported(option, "it uploads a file")),
            "-K" | "--config" => return Err(CurlError::Unsupported(option, "it reads options from a file")),
            o if IGNORED_WITH_VALUE.contains(&o) => {
                value(&option)?;
            }
            o if IGNORED_FLAGS.contains(&o) => {}
            _ => return Err(CurlError::Unknown(option)),
        }
    }
    let url = url.ok_or(CurlError::NoUrl)?;
    let (base, path, query_text) = split_url(&url);
    // Extended, not collected: `collect` into a map sorts first (a sort's code of its own).
    let mut query: BTreeMap<String, String> = BTreeMap::new();
    query.extend(parse_form(query_text).into_iter().map(|(k, v)| (k.into_owned(), v.into_owned())));
    let joined = (!data.is_empty()).then(|| data.join("&"));
    let body = match joined {
        Some(text) if get => {
            query.extend(parse_form(&text).into_iter().map(|(k, v)| (k.into_owned(), v.into_owned())));
            Value::Null
        }
        Some(text) => {
            let has =
                |headers: &BTreeMap<String, String>, name: &str| headers.keys().any(|k| k.eq_ignore_ascii_case(name));
            if json {
                if !has(&headers, "content-type") {
                    headers.insert("Content-Type".to_owned(), "application/json".to_owned());
                }
                if !has(&headers, "accept") {
                    headers.insert("Accept".to_owned(), "application/json".to_owned());
                }
            } else if !has(&headers, "content-type") {
                // What curl itself sends with -d.
                headers.insert("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned());
            }
            Value::String(text)
        }
        None => Value::Null,
    };
    let method = method.unwrap_or_else(|| if body.is_null() { "GET" } else { "POST" }.to_owned());
    let (profile, path) = profile_of(&method, &path).ok_or(CurlError::NoProfile(path))?;
    Ok(Pasted { request: Request { profile: profile.id().to_owned(), method, path, query, headers, body }, base })
}

/// `scheme://authority`, the path (at least `/`) and the query text of a URL (a missing scheme is
/// `http://`, as curl reads it; a `#fragment` is dropped).
fn split_url(url: &str) -> (String, String, &str) {
    let url = url.split_once('#').map_or(url, |(u, _)| u);
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (scheme, rest),
        None => ("http", url),
    };
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(end);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let path = if path.is_empty() { "/".to_owned() } else { path.to_owned() };
    (format!("{scheme}://{authority}"), path, query)
}

/// The profile a path is for: its first segment as `payrules serve` routes it, or else the one
/// profile with an operation at the whole path.
fn profile_of(method: &str, path: &str) -> Option<(Profile, String)> {
    let trimmed = path.trim_start_matches('/');
    let (first, rest) = trimmed.split_once('/').map_or((trimmed, ""), |(f, r)| (f, r));
    if let Some(profile) = Profile::ALL.into_iter().find(|p| p.id() == first) {
        return Some((profile, format!("/{rest}")));
    }
    let mut found = Profile::ALL.into_iter().filter(|p| route(*p, method, path).is_ok());
    match (found.next(), found.next()) {
        (Some(profile), None) => Some((profile, path.to_owned())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn read_ok(command: &str) -> Request {
        match read(command) {
            Ok(p) => p.request,
            Err(e) => panic!("{command}: {e}"),
        }
    }

    fn json(text: &str) -> Request {
        Request::from_json(text).unwrap()
    }

    #[test]
    fn writes_a_quoted_command_with_a_json_body() {
        let request = json(
            r#"{"profile":"komet","method":"POST","path":"/api/payment.mark.sync","query":{"a b":"c&d=é"},"body":{"authenticationToken":"it's","payments":[{"paymentId":1}]}}"#,
        );
        assert_eq!(
            write(&request, "http://127.0.0.1:8081/", &[("Payrules-Sandbox", "team a")]),
            "curl -X POST 'http://127.0.0.1:8081/komet/api/payment.mark.sync?a%20b=c%26d%3D%C3%A9' -H 'Payrules-Sandbox: team a' \
             -H 'Content-Type: application/json' --data-raw '{\"authenticationToken\":\"it'\\''s\",\"payments\":[{\"paymentId\":1}]}'"
        );
    }

    #[test]
    fn quotes_every_word_a_shell_would_expand() {
        let request =
            json(r#"{"profile":"komet","method":"GET","path":"/a/{b,c}/*","headers":{"X-A":"$HOME","X-B":"~!x"}}"#);
        assert_eq!(
            write(&request, "http://h:1", &[]),
            "curl -X GET 'http://h:1/komet/a/{b,c}/*' -H 'X-A: $HOME' -H 'X-B: ~!x'"
        );
    }

    #[test]
    fn reads_each_option() {
        let r = read_ok(
            "curl -X PATCH 'http://h:1/plentymarkets/rest/payments/5?x=1' -H 'Authorization: Bearer t' --header \"Accept:  json\" --data-raw '{\"a\":1.10}'",
        );
        assert_eq!(
            (r.method.as_str(), r.path.as_str(), r.profile.as_str()),
            ("PATCH", "/rest/payments/5", "plentymarkets")
        );
        assert_eq!(r.query.get("x").map(String::as_str), Some("1"));
        assert_eq!(r.header("authorization"), Some("Bearer t"));
        assert_eq!(r.header("accept"), Some("json"));
        assert_eq!(r.body, Value::String("{\"a\":1.10}".to_owned()));
        // -d makes a POST with curl's own content type; several are joined with &.
        let r = read_ok("curl http://h/crmcom/payments/post -d token=1 --data payment_identifier=id%3D2");
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("content-type"), Some("application/x-www-form-urlencoded"));
        assert_eq!(r.body, Value::String("token=1&payment_identifier=id%3D2".to_owned()));
        // -G moves the data to the query; --url; glued short options; ignored flags.
        let r = read_ok(
            "curl -sSL -G --url https://h/crmcom/payments/show --data-urlencode 'payment_identifier=id=1' -d token=ABC",
        );
        assert_eq!((r.method.as_str(), r.body.clone()), ("GET", Value::Null));
        assert_eq!(r.query.get("payment_identifier").map(String::as_str), Some("id=1"));
        assert_eq!(r.query.get("token").map(String::as_str), Some("ABC"));
        let r = read_ok("curl -XDELETE -HX-A:1 http://h/logisense/payments/3 -o /dev/null -w '%{http_code}'");
        assert_eq!((r.method.as_str(), r.header("x-a")), ("DELETE", Some("1")));
        // --json, --data-binary, a prompt, line continuations, a pipe after it.
        let r = read_ok("$ curl \\\n  --json '{\"x\": 1}' \\\r\n  http://h/komet/api/payment.mark.sync | jq .");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("accept"), Some("application/json"));
        assert_eq!(r.body, Value::String("{\"x\": 1}".to_owned()));
        let r = read_ok(
            "curl --data-binary 'a=1' -H 'Content-Length: 3' -H 'Host: h' -H 'content-type: text/plain' h/komet/x",
        );
        assert_eq!(
            r.headers.into_iter().collect::<Vec<_>>(),
            vec![("content-type".to_owned(), "text/plain".to_owned())]
        );
    }

    #[test]
    fn finds_the_profile_of_a_vendor_url() {
        let r = read_ok("curl -X POST https://shop.example/rest/payments -H 'Authorization: Bearer t' --data-raw '{}'");
        assert_eq!((r.profile.as_str(), r.path.as_str()), ("plentymarkets", "/rest/payments"));
        let pasted = read(
            "curl 'https://api.example:8443/api/vendor/v1/payments/9/complete.json?api_token=t' -d payment_method_id=1",
        )
        .unwrap();
        assert_eq!(
            (pasted.request.profile.as_str(), pasted.base.as_str()),
            ("activeplatform", "https://api.example:8443")
        );
    }

    #[test]
    fn says_why_a_command_cannot_be_read() {
        let cases = [
            ("wget http://h/komet/x", "not a curl command"),
            ("curl 'http://h/komet/x", "missing closing quote"),
            ("curl http://h/komet/x -H", "`-H` needs a value"),
            ("curl --frobnicate http://h/komet/x", "`--frobnicate` is not understood"),
            ("curl -sZ http://h/komet/x", "`-Z` is not understood"),
            ("curl -d @body.json http://h/komet/x", "reads a file"),
            ("curl -u me:pw http://h/komet/x", "basic authentication"),
            ("curl -F a=1 http://h/komet/x", "multipart"),
            ("curl -X GET", "no URL"),
            ("curl http://h/komet/x http://h/komet/y", "two URLs"),
            ("curl http://h/nothing/here", "names no payrules profile"),
            ("curl -H 'nocolon' http://h/komet/x", "Name: value"),
        ];
        for (command, why) in cases {
            match read(command) {
                Ok(p) => panic!("{command} was read as {p:?}"),
                Err(e) => assert!(e.to_string().contains(why), "{command}: {e}"),
            }
        }
    }

    fn requests() -> impl Strategy<Value = Request> {
        let profile = prop::sample::select(Profile::ALL.map(Profile::id).to_vec());
        let method = prop::sample::select(vec!["GET", "POST", "PUT", "PATCH", "DELETE", "get"]);
        let path = prop::collection::vec("[A-Za-z0-9._~{},$!*'-]{1,8}", 1..4).prop_map(|s| format!("/{}", s.join("/")));
        let text = "\\PC{0,12}";
        let query = prop::collection::btree_map(text, text, 0..4);
        let headers =
            prop::collection::btree_map("X-[A-Za-z0-9-]{1,10}", "[!-~]([ -~]{0,10}[!-~])?", 0..4).prop_map(|h| {
                let mut seen = Vec::new();
                h.into_iter()
                    .filter(|(k, _)| {
                        !seen.contains(&k.to_ascii_lowercase()) && {
                            seen.push(k.to_ascii_lowercase());
                            true
                        }
                    })
                    .collect()
            });
        let body = prop::option::of("(\\PC|\n|')*").prop_map(|b| b.map_or(Value::Null, Value::String));
        (profile, method, path, query, headers, body).prop_map(|(profile, method, path, query, headers, body)| {
            Request { profile: profile.to_owned(), method: method.to_owned(), path, query, headers, body }
        })
    }

    proptest! {
        /// Every request written as a command reads back as itself (with the content type the
        /// command adds to a body), and to the same server.
        #[test]
        fn write_then_read_is_the_request(request in requests(), port in 1u16..) {
            let base = format!("http://127.0.0.1:{port}");
            let pasted = read(&write(&request, &base, &[])).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut expected = request.clone();
            if !expected.body.is_null() {
                expected.headers.insert("Content-Type".to_owned(), "application/json".to_owned());
            }
            prop_assert_eq!(pasted.request, expected);
            prop_assert_eq!(pasted.base, base);
        }
    }
}
