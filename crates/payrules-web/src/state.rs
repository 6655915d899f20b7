//! The console's state and its effects: loading the sample world, sending a request (in the page
//! or over HTTP), saving the ledger before reporting success, export, import and reset.

use std::collections::BTreeMap;

use leptos::prelude::*;
use payrules::ledger::view::{PaymentView, payments};
use payrules::ledger::{Clock, Ledger, Timestamp, World};
use payrules::{Profile, Request, Response};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;

/// Where requests go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// To a ledger running in this page.
    Browser,
    /// To a server speaking the vendor paths (`payrules serve`).
    Http,
}

/// A request that was sent, and what it touched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// Its number in this console.
    pub n: usize,
    /// The profile.
    pub profile: String,
    /// Method and path.
    pub method: String,
    /// The path as sent (no query: it may hold a token).
    pub path: String,
    /// The answer's status.
    pub status: u16,
    /// Keys of the payments it changed or created.
    pub touched: Vec<String>,
}

/// The browser's clock.
#[derive(Debug)]
struct BrowserClock;

impl Clock for BrowserClock {
    fn now(&mut self) -> Timestamp {
        // Date.now() is a whole number of milliseconds, well inside i64.
        #[allow(clippy::cast_possible_truncation)]
        Timestamp::from_unix_millis(js_sys::Date::now() as i64)
    }
}

/// Everything the components share; every field is a signal (cheap to copy into closures).
#[derive(Clone, Copy, Debug)]
pub struct Console {
    /// The profile shown.
    pub profile: RwSignal<Profile>,
    /// Where requests go.
    pub mode: RwSignal<Mode>,
    /// The server of HTTP mode.
    pub base_url: RwSignal<String>,
    /// The records shown (the page's ledger, or the server's world without credentials).
    pub world: RwSignal<Option<World>>,
    /// The page's ledger.
    pub ledger: StoredValue<Option<Ledger>, LocalStorage>,
    /// The payment whose detail is open.
    pub selected: RwSignal<Option<String>>,
    /// Requests sent, newest last.
    pub history: RwSignal<Vec<Sent>>,
    /// A problem to show (never swallowed).
    pub notice: RwSignal<Option<String>>,
    /// The vendor documents' example requests (JSON lines).
    pub templates: RwSignal<Vec<String>>,
    /// A request to load into the composer (a template or an action's request).
    pub incoming: RwSignal<Option<String>>,
    /// The last answer.
    pub response: RwSignal<Option<Response>>,
    /// The sample world is loaded and the console can be used.
    pub ready: RwSignal<bool>,
    /// Credentials the user typed, by `profile:pointer`: kept in memory only (never saved or
    /// exported), and filled into requests that arrive without one (HTTP mode knows none).
    pub credentials: RwSignal<BTreeMap<String, String>>,
}

const SNAPSHOT_KEY: &str = "payrules.snapshot";
const HISTORY_KEY: &str = "payrules.history";

fn storage() -> Result<web_sys::Storage, String> {
    window().local_storage().ok().flatten().ok_or_else(|| "this browser offers no local storage".to_owned())
}

impl Console {
    /// A console with nothing loaded yet.
    pub fn new() -> Console {
        Console {
            profile: RwSignal::new(Profile::Plentymarkets),
            mode: RwSignal::new(Mode::Browser),
            base_url: RwSignal::new("http://127.0.0.1:8081".to_owned()),
            world: RwSignal::new(None),
            ledger: StoredValue::new_local(None),
            selected: RwSignal::new(None),
            history: RwSignal::new(Vec::new()),
            notice: RwSignal::new(None),
            templates: RwSignal::new(Vec::new()),
            incoming: RwSignal::new(None),
            response: RwSignal::new(None),
            ready: RwSignal::new(false),
            credentials: RwSignal::new(BTreeMap::new()),
        }
    }

    /// Loads the saved ledger (or the sample world, fetched from the app's own files) and the
    /// vendor examples.
    pub async fn start(self) {
        let mut templates = Vec::new();
        for profile in Profile::ALL {
            match fetch_text(&format!("data/{}/seeds/examples.jsonl", profile.id())).await {
                Ok(text) => templates.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned)),
                Err(e) => self.notice.set(Some(format!("The vendor examples could not be loaded: {e}"))),
            }
        }
        self.templates.set(templates);
        let saved = storage().ok().and_then(|s| s.get_item(SNAPSHOT_KEY).ok().flatten());
        let ledger = match saved {
            Some(text) => match Ledger::restore(&text, Box::new(BrowserClock)) {
                Ok(ledger) => Some(ledger),
                Err(e) => {
                    self.notice.set(Some(format!("The saved ledger could not be restored ({e}); the sample world is loaded instead. The saved copy is kept until the next change.")));
                    None
                }
            },
            None => None,
        };
        let ledger = match ledger {
            Some(l) => l,
            None => match sample_ledger().await {
                Ok(l) => l,
                Err(e) => {
                    self.notice.set(Some(format!("The sample world could not be loaded: {e}")));
                    return;
                }
            },
        };
        if let Some(history) = storage().ok().and_then(|s| s.get_item(HISTORY_KEY).ok().flatten()) {
            self.history.set(serde_json::from_str(&history).unwrap_or_default());
        }
        self.world.set(Some(ledger.world().clone()));
        self.ledger.set_value(Some(ledger));
        self.ready.set(true);
        // For the load benchmark: when the console became usable, on the page's clock.
        if let Some(now) = window().performance().map(|p| p.now()) {
            let _ = js_sys::Reflect::set(&window(), &"__payrulesReadyAt".into(), &now.into());
        }
    }

    /// The payments of the current profile.
    pub fn payments(self) -> Vec<PaymentView> {
        self.world.with(|w| w.as_ref().map(|w| payments(w, self.profile.get())).unwrap_or_default())
    }

    /// Sends a request (JSON text); the answer is shown, the records refreshed, and in the page's
    /// ledger the change is saved before it is reported.
    pub async fn send(self, text: String) -> Option<Response> {
        let profile = self.profile.get_untracked();
        let before = self.world.with_untracked(|w| w.as_ref().map(|w| payments(w, profile)).unwrap_or_default());
        let response = match self.mode.get_untracked() {
            Mode::Browser => {
                let response = self.ledger.try_update_value(|l| l.as_mut().map(|l| l.handle_json(&text))).flatten()?;
                if let Err(e) = self.save() {
                    self.notice.set(Some(format!("The change was made but could not be saved in this browser: {e}. It will be lost on reload; export the ledger to keep it.")));
                }
                let world = self.ledger.with_value(|l| l.as_ref().map(|l| l.world().clone()));
                self.world.set(world);
                response
            }
            Mode::Http => match send_http(&self.base_url.get_untracked(), &text).await {
                Ok(response) => {
                    self.refresh_http().await;
                    response
                }
                Err(e) => {
                    self.notice.set(Some(format!("The request could not be sent: {e}")));
                    return None;
                }
            },
        };
        let after = self.payments();
        let touched = changed(&before, &after);
        let request = Request::from_json(&text).ok();
        self.history.update(|h| {
            let n = h.len() + 1;
            h.push(Sent {
                n,
                profile: profile.id().to_owned(),
                method: request.as_ref().map(|r| r.method.to_uppercase()).unwrap_or_default(),
                path: request
                    .as_ref()
                    .map(|r| r.path.split('?').next().unwrap_or_default().to_owned())
                    .unwrap_or_default(),
                status: response.status,
                touched,
            });
        });
        if self.mode.get_untracked() == Mode::Browser
            && let Err(e) = self.save_history()
        {
            self.notice.set(Some(format!("The request log could not be saved: {e}")));
        }
        self.response.set(Some(response.clone()));
        Some(response)
    }

    /// Writes the page's ledger to local storage.
    fn save(self) -> Result<(), String> {
        let snapshot = self.ledger.with_value(|l| l.as_ref().map(Ledger::snapshot)).ok_or("no ledger is loaded")?;
        storage()?.set_item(SNAPSHOT_KEY, &snapshot).map_err(|e| js_message(&e))
    }

    fn save_history(self) -> Result<(), String> {
        let text = self.history.with_untracked(|h| serde_json::to_string(h).unwrap_or_default());
        storage()?.set_item(HISTORY_KEY, &text).map_err(|e| js_message(&e))
    }

    /// Reads the server's records (`GET /_payrules/world`, credentials removed by the server).
    pub async fn refresh_http(self) {
        let url = format!("{}/_payrules/world", self.base_url.get_untracked().trim_end_matches('/'));
        match fetch_text(&url)
            .await
            .and_then(|t| Ledger::restore(&t, Box::new(BrowserClock)).map_err(|e| e.to_string()))
        {
            Ok(ledger) => self.world.set(Some(ledger.world().clone())),
            Err(e) => {
                self.world.set(None);
                self.notice.set(Some(format!("The payment list needs `payrules serve` at {url}: {e}")));
            }
        }
    }

    /// Switches where requests go.
    pub async fn switch(self, mode: Mode) {
        self.mode.set(mode);
        self.selected.set(None);
        self.response.set(None);
        match mode {
            Mode::Browser => {
                let world = self.ledger.with_value(|l| l.as_ref().map(|l| l.world().clone()));
                self.world.set(world);
            }
            Mode::Http => self.refresh_http().await,
        }
    }

    /// Back to the sample world (after the user confirmed).
    pub async fn reset(self) {
        match sample_ledger().await {
            Ok(ledger) => {
                self.world.set(Some(ledger.world().clone()));
                self.ledger.set_value(Some(ledger));
                self.history.set(Vec::new());
                self.selected.set(None);
                self.response.set(None);
                let saved = self.save().and_then(|()| self.save_history());
                if let Err(e) = saved {
                    self.notice.set(Some(format!("The sample world is loaded but could not be saved: {e}")));
                }
            }
            Err(e) => self.notice.set(Some(format!("The sample world could not be loaded: {e}"))),
        }
    }

    /// Replaces the page's ledger with an exported snapshot; a damaged file changes nothing.
    pub fn import(self, text: &str) {
        match Ledger::restore(text, Box::new(BrowserClock)) {
            Ok(ledger) => {
                self.world.set(Some(ledger.world().clone()));
                self.ledger.set_value(Some(ledger));
                self.selected.set(None);
                if let Err(e) = self.save() {
                    self.notice.set(Some(format!("The file was imported but could not be saved: {e}")));
                } else {
                    self.notice.set(None);
                }
            }
            Err(e) => self.notice.set(Some(format!("Nothing was imported: {e}"))),
        }
    }

    /// The snapshot to export: without credentials unless the user asks for them.
    pub fn export_text(self, with_tokens: bool) -> Option<String> {
        self.ledger
            .with_value(|l| l.as_ref().map(|l| if with_tokens { l.snapshot() } else { l.snapshot_without_tokens() }))
    }
}

impl Default for Console {
    fn default() -> Self {
        Console::new()
    }
}

/// Keys of payments that are new or differ.
fn changed(before: &[PaymentView], after: &[PaymentView]) -> Vec<String> {
    after.iter().filter(|p| !before.contains(p)).map(|p| p.key.clone()).collect()
}

fn js_message(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map_or_else(|| format!("{e:?}"), |e| String::from(e.message()))
}

/// A file of the app (relative to the page) or any URL, as text.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let response = gloo_net::http::Request::get(url).send().await.map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(format!("{url} answered {}", response.status()));
    }
    response.text().await.map_err(|e| e.to_string())
}

/// A ledger on the sample world, from the app's own copies of `data/<profile>/sample.json`.
async fn sample_ledger() -> Result<Ledger, String> {
    let mut texts = Vec::new();
    for profile in Profile::ALL {
        texts.push((profile.id(), fetch_text(&format!("data/{}/sample.json", profile.id())).await?));
    }
    let parts: Vec<(&str, &str)> = texts.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let world = World::from_parts(&parts).map_err(|e| e.to_string())?;
    Ok(Ledger::with_world(world, Box::new(BrowserClock)))
}

/// Sends a request to `{base}/{profile}{path}` and reads the vendor's answer.
async fn send_http(base: &str, text: &str) -> Result<Response, String> {
    let request = Request::from_json(text).map_err(|errors| {
        errors.first().map_or_else(|| "the request is not valid JSON".to_owned(), |v| v.message.clone())
    })?;
    let mut url = format!("{}/{}{}", base.trim_end_matches('/'), request.profile, request.path);
    if !request.query.is_empty() {
        let pairs: Vec<String> = request
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", js_sys::encode_uri_component(k), js_sys::encode_uri_component(v)))
            .collect();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&pairs.join("&"));
    }
    let method = match request.method.to_ascii_uppercase().as_str() {
        "GET" => gloo_net::http::Method::GET,
        "POST" => gloo_net::http::Method::POST,
        "PUT" => gloo_net::http::Method::PUT,
        "PATCH" => gloo_net::http::Method::PATCH,
        "DELETE" => gloo_net::http::Method::DELETE,
        other => return Err(format!("the method {other} cannot be sent")),
    };
    let mut builder = gloo_net::http::RequestBuilder::new(&url).method(method);
    for (k, v) in &request.headers {
        builder = builder.header(k, v);
    }
    let body = match &request.body {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    };
    let sent = match body {
        Some(b) => builder.body(b).map_err(|e| e.to_string())?.send().await,
        None => builder.send().await,
    }
    .map_err(|e| e.to_string())?;
    let status = sent.status();
    let text = sent.text().await.map_err(|e| e.to_string())?;
    let body = if text.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
    };
    Ok(Response { status, body })
}

/// Offers `text` as a file download.
pub fn download(name: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|e| js_message(&e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| js_message(&e))?;
    let anchor: web_sys::HtmlAnchorElement =
        document().create_element("a").map_err(|e| js_message(&e))?.dyn_into().map_err(|_| "no anchor".to_owned())?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    web_sys::Url::revoke_object_url(&url).map_err(|e| js_message(&e))
}
