//! The console's state and its effects: the first paint from the sample world's views computed
//! at build time (or the views saved with the ledger), the ledger module loaded beside it, sending
//! a request (in the page or over HTTP), saving the ledger before reporting success, export,
//! import and reset.

use std::collections::BTreeMap;

use leptos::prelude::*;
use payrules::ledger::view::{ActionEntry, PaymentView, WorldView};
use payrules::{Profile, Request, Response};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use crate::ledger::{self, JsLedger, Module};
use crate::read;

/// Where requests go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// To a ledger running in this page.
    Browser,
    /// To a server speaking the vendor paths (`payrules serve`).
    Http,
}

/// Where the page's ledger is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LedgerState {
    /// Its module is being loaded (a send waits for it).
    Loading,
    /// Loaded: requests are answered at once.
    Ready,
    /// It could not be loaded (the notice says why); the next request tries again.
    Failed,
}

/// A request that was sent, what it touched, and what came back (the history panel, `history.rs`).
/// Never a credential: the request is kept with its credentials removed, the answer with the ones
/// typed in this console masked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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
    /// When it was sent: milliseconds since the epoch, the page's wall clock.
    #[serde(default)]
    pub at: u64,
    /// Where it went: `browser`, or the server of HTTP mode.
    #[serde(default)]
    pub server: String,
    /// HTTP mode: the sandbox (`Payrules-Sandbox`).
    #[serde(default)]
    pub sandbox: String,
    /// The request as JSON text, credentials removed (`payrules::credentials::without`).
    #[serde(default)]
    pub request: String,
    /// The validator's errors and warnings at send time.
    #[serde(default)]
    pub errors: usize,
    #[serde(default)]
    pub warnings: usize,
    /// The answer's body as pretty JSON text (cut at [`RESPONSE_KEPT`] bytes).
    #[serde(default)]
    pub response: String,
}

impl Sent {
    /// Sent to a server (HTTP mode), not to the page's ledger.
    pub fn is_http(&self) -> bool {
        self.server != BROWSER
    }
}

/// The `server` of a request handled in the page.
pub const BROWSER: &str = "browser";
/// The request log keeps this many requests (the oldest go first), so it fits in local storage.
pub const HISTORY_KEPT: usize = 200;
/// An answer's text is kept up to this many bytes.
pub const RESPONSE_KEPT: usize = 16 * 1024;

/// Everything the components share; every field is a signal (cheap to copy into closures).
#[derive(Clone, Copy, Debug)]
pub struct Console {
    /// The profile shown.
    pub profile: RwSignal<Profile>,
    /// Where requests go.
    pub mode: RwSignal<Mode>,
    /// The server of HTTP mode.
    pub base_url: RwSignal<String>,
    /// The records shown, as the ledger's views (of the page's ledger, or of the server's world
    /// without credentials).
    pub views: RwSignal<Option<WorldView>>,
    /// The page's ledger, once its module is loaded.
    pub ledger: StoredValue<Option<JsLedger>, LocalStorage>,
    /// The ledger module being loaded (or loaded): one `import()` for every caller.
    module: StoredValue<Option<js_sys::Promise>, LocalStorage>,
    /// Where the page's ledger is.
    pub ledger_state: RwSignal<LedgerState>,
    /// The payment whose detail is open.
    pub selected: RwSignal<Option<String>>,
    /// Requests sent (both modes), newest last; saved in local storage beside the ledger.
    pub history: RwSignal<Vec<Sent>>,
    /// HTTP mode: the sandbox every request names (`Payrules-Sandbox`).
    pub sandbox: RwSignal<String>,
    /// Counts the requests answered over HTTP (the sandbox panel reads its log again at each).
    pub http_sent: RwSignal<u32>,
    /// A problem to show (never swallowed).
    pub notice: RwSignal<Option<String>>,
    /// The vendor documents' example requests (JSON lines).
    pub templates: RwSignal<Vec<String>>,
    /// A request to load into the composer (a template or an action's request).
    pub incoming: RwSignal<Option<String>>,
    /// The last answer.
    pub response: RwSignal<Option<Response>>,
    /// The records are shown and the console can be used (a send may still wait for the ledger).
    pub ready: RwSignal<bool>,
    /// Credentials the user typed, by `profile:pointer`: kept in memory only (never saved or
    /// exported), and filled into requests that arrive without one (HTTP mode knows none).
    pub credentials: RwSignal<BTreeMap<String, String>>,
    /// The statuses each payment was seen in, oldest first, by `profile:key` (HTTP mode's under
    /// `http:`, kept in memory only): the path its lifecycle diagram draws. Recorded whenever the
    /// shown records change, saved beside the ledger, cleared with it on reset and import.
    pub trails: RwSignal<BTreeMap<String, Vec<String>>>,
}

const SNAPSHOT_KEY: &str = "payrules.snapshot";
/// The views of the saved snapshot, saved with it: the first paint after a reload.
const VIEWS_KEY: &str = "payrules.views";
const HISTORY_KEY: &str = "payrules.history";
const TRAILS_KEY: &str = "payrules.trails";
/// The sample world's views, written at build time from the ledger module itself
/// (`scripts/build-web-ledger.sh`).
const SAMPLE_VIEWS: &str = "sample-view.json";

fn storage() -> Result<web_sys::Storage, String> {
    window().local_storage().ok().flatten().ok_or_else(|| "this browser offers no local storage".to_owned())
}

fn stored(key: &str) -> Option<String> {
    storage().ok().and_then(|s| s.get_item(key).ok().flatten())
}

/// Records `performance.now()` as `window[name]` (for the load benchmark, on the page's clock).
fn mark(name: &str) {
    if let Some(now) = window().performance().map(|p| p.now()) {
        let _ = js_sys::Reflect::set(&window(), &name.into(), &now.into());
    }
}

impl Console {
    /// A console with nothing loaded yet.
    pub fn new() -> Console {
        Console {
            profile: RwSignal::new(Profile::Plentymarkets),
            mode: RwSignal::new(Mode::Browser),
            base_url: RwSignal::new("http://127.0.0.1:8081".to_owned()),
            views: RwSignal::new(None),
            ledger: StoredValue::new_local(None),
            module: StoredValue::new_local(None),
            ledger_state: RwSignal::new(LedgerState::Loading),
            selected: RwSignal::new(None),
            history: RwSignal::new(Vec::new()),
            sandbox: RwSignal::new(crate::sandbox::DEFAULT.to_owned()),
            http_sent: RwSignal::new(0),
            notice: RwSignal::new(None),
            templates: RwSignal::new(Vec::new()),
            incoming: RwSignal::new(None),
            response: RwSignal::new(None),
            ready: RwSignal::new(false),
            credentials: RwSignal::new(BTreeMap::new()),
            trails: RwSignal::new(BTreeMap::new()),
        }
    }

    /// Shows the records at once — the views saved with the ledger, or the sample world's views
    /// computed at build time — then, once they are painted, loads the ledger module (the saved
    /// snapshot or the sample world) and the vendor examples.
    pub async fn start(self) {
        if let Some(history) = stored(HISTORY_KEY) {
            self.history.set(read::history(&history).unwrap_or_default());
        }
        if let Some(trails) = stored(TRAILS_KEY).and_then(|text| read::value(&text)) {
            // `{"profile:key": ["status", …]}` (read with the core's reader, as everything here).
            // Inserted one by one: `collect` into a map sorts first (a sort's code of its own).
            let mut by_payment = BTreeMap::new();
            for (k, v) in trails.as_object().into_iter().flatten() {
                let statuses = v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(str::to_owned));
                by_payment.insert(k.clone(), statuses.collect());
            }
            self.trails.set(by_payment);
        }
        let first = match stored(SNAPSHOT_KEY) {
            Some(_) => stored(VIEWS_KEY),
            None => fetch_text(SAMPLE_VIEWS).await.ok(),
        };
        if let Some(views) = first.and_then(|text| read::world_view(&text).ok()) {
            self.views.set(Some(views));
            self.set_ready();
        }
        // The ledger and the vendor examples after the first paint (or at once when there is
        // nothing to paint yet); a page in a background tab gets no animation frame: a timer
        // starts them there. Each starts once, whoever calls first.
        let started = StoredValue::new_local(false);
        let load = move || {
            if !started.get_value() {
                started.set_value(true);
                leptos::task::spawn_local(async move { _ = self.browser_ledger().await });
                leptos::task::spawn_local(self.load_templates());
            }
        };
        if self.ready.get_untracked() {
            after_paint(load);
            set_timeout(load, 1000);
        } else {
            load();
        }
    }

    /// The records are on screen: the console is usable (and the benchmark's clock stops at the
    /// next frame, once they are rendered).
    fn set_ready(self) {
        if !self.ready.get_untracked() {
            self.ready.set(true);
            after_paint(|| mark("__payrulesReadyAt"));
        }
    }

    async fn load_templates(self) {
        let mut templates = Vec::new();
        for profile in Profile::ALL {
            match fetch_text(&format!("data/{}/seeds/examples.jsonl", profile.id())).await {
                Ok(text) => templates.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned)),
                Err(e) => self.notice.set(Some(format!("The vendor examples could not be loaded: {e}"))),
            }
        }
        self.templates.set(templates);
    }

    /// The ledger module, loaded once (a failed load is tried again by the next caller).
    async fn module(self) -> Result<Module, String> {
        let promise = self.module.get_value().unwrap_or_else(|| {
            let promise = ledger::load();
            self.module.set_value(Some(promise.clone()));
            promise
        });
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(module) => Ok(Module(module)),
            Err(e) => {
                self.module.set_value(None);
                Err(js_message(&e))
            }
        }
    }

    /// The page's ledger, waiting for its module when it is not loaded yet: the saved snapshot, or
    /// the sample world. `None` when the module cannot be loaded (the notice says why).
    async fn browser_ledger(self) -> Option<JsLedger> {
        if let Some(ledger) = self.ledger.get_value() {
            return Some(ledger);
        }
        self.ledger_state.set(LedgerState::Loading);
        let module = match self.module().await {
            Ok(module) => module,
            Err(e) => {
                self.ledger_state.set(LedgerState::Failed);
                self.notice.set(Some(format!("The ledger could not be loaded: {e}")));
                return None;
            }
        };
        // Another task may have made it while this one waited.
        if let Some(ledger) = self.ledger.get_value() {
            return Some(ledger);
        }
        let restored = stored(SNAPSHOT_KEY).and_then(|text| match module.restore(&text) {
            Ok(ledger) => Some(ledger),
            Err(e) => {
                self.notice.set(Some(format!("The saved ledger could not be restored ({e}); the sample world is loaded instead. The saved copy is kept until the next change.")));
                None
            }
        });
        let ledger = match restored.map_or_else(|| module.sample(), Ok) {
            Ok(ledger) => ledger,
            Err(e) => {
                self.ledger_state.set(LedgerState::Failed);
                self.notice.set(Some(format!("The sample world could not be loaded: {e}")));
                return None;
            }
        };
        self.ledger.set_value(Some(ledger.clone()));
        self.ledger_state.set(LedgerState::Ready);
        // The ledger's own views replace the first paint's (saved views may lag their snapshot).
        if self.mode.get_untracked() == Mode::Browser {
            self.show(&ledger);
        }
        mark("__payrulesLedgerAt");
        Some(ledger)
    }

    /// Shows a ledger's records; the console is ready once they are shown.
    fn show(self, ledger: &JsLedger) -> Option<String> {
        match ledger
            .console_view()
            .map_err(|e| js_message(&e))
            .and_then(|text| read::world_view(&text).map(|v| (text, v)))
        {
            Ok((text, views)) => {
                self.views.set(Some(views));
                self.note_trails();
                self.set_ready();
                Some(text)
            }
            Err(e) => {
                self.notice.set(Some(format!("The ledger's records could not be shown: {e}")));
                None
            }
        }
    }

    /// Appends each shown payment's status to its trail where it changed (a new payment's trail
    /// starts with it); in the page's mode the trails that went somewhere are saved.
    fn note_trails(self) {
        let prefix = if self.mode.get_untracked() == Mode::Http { "http:" } else { "" };
        self.views.with_untracked(|views| {
            let Some(views) = views else { return };
            self.trails.update(|trails| {
                for p in &views.profiles {
                    for payment in &p.payments {
                        let trail = trails.entry(format!("{prefix}{}:{}", p.profile, payment.key)).or_default();
                        if trail.last() != Some(&payment.status) {
                            trail.push(payment.status.clone());
                        }
                    }
                }
            });
        });
        if prefix.is_empty() {
            // A trail of one status is what `show` records again: only longer ones are saved.
            let text = self.trails.with_untracked(|t| {
                let moved = t.iter().filter(|(k, v)| v.len() > 1 && !k.starts_with("http:"));
                let moved =
                    moved.map(|(k, v)| (k.clone(), v.iter().map(|s| serde_json::Value::from(s.as_str())).collect()));
                serde_json::Value::Object(moved.collect()).to_string()
            });
            if let Err(e) = storage().and_then(|s| s.set_item(TRAILS_KEY, &text).map_err(|e| js_message(&e))) {
                self.notice.set(Some(format!("The payments' paths could not be saved: {e}")));
            }
        }
    }

    /// The statuses payment `key` of `profile` was seen in here, oldest first (tracked).
    pub fn trail(self, profile: Profile, key: &str) -> Vec<String> {
        let prefix = if self.mode.get() == Mode::Http { "http:" } else { "" };
        self.trails.with(|t| t.get(&format!("{prefix}{}:{key}", profile.id())).cloned().unwrap_or_default())
    }

    /// The payments of the current profile.
    pub fn payments(self) -> Vec<PaymentView> {
        self.payments_of(self.profile.get())
    }

    /// The payments of `profile` shown (none before the records are loaded).
    pub fn payments_of(self, profile: Profile) -> Vec<PaymentView> {
        self.views.with(|v| {
            v.as_ref()
                .and_then(|v| v.profiles.iter().find(|p| p.profile == profile.id()))
                .map(|p| p.payments.clone())
                .unwrap_or_default()
        })
    }

    /// The actions payment `key` of `profile` offers (none when it is not shown).
    pub fn actions(self, profile: Profile, key: &str) -> Vec<ActionEntry> {
        self.views.with_untracked(|v| {
            v.as_ref()
                .and_then(|v| v.profiles.iter().find(|p| p.profile == profile.id()))
                .and_then(|p| p.payments.iter().position(|x| x.key == key).and_then(|i| p.actions.get(i)))
                .cloned()
                .unwrap_or_default()
        })
    }

    /// The Komet company token of the records shown (empty when they have none).
    pub fn batch_token(self) -> String {
        self.views.with(|v| v.as_ref().map(|v| v.komet_batch_token.clone()).unwrap_or_default())
    }

    /// Sends a request (JSON text); the answer is shown, the records refreshed, and in the page's
    /// ledger the change is saved before it is reported. In the page, a request sent before the
    /// ledger module is loaded waits for it.
    pub async fn send(self, text: String) -> Option<Response> {
        let profile = self.profile.get_untracked();
        let mode = self.mode.get_untracked();
        let report = payrules::validate_json(&text);
        let sandbox = self.sandbox.get_untracked();
        let (before, response) = match mode {
            Mode::Browser => {
                let ledger = self.browser_ledger().await?;
                let before = self.payments_of(profile);
                let answer = ledger
                    .handle_json(&text)
                    .map_err(|e| js_message(&e))
                    .and_then(|t| read::response(&t).map_err(|e| format!("the ledger's answer cannot be read: {e}")));
                let response = match answer {
                    Ok(response) => response,
                    Err(e) => {
                        self.notice.set(Some(format!("The request could not be handled: {e}")));
                        return None;
                    }
                };
                let views = self.show(&ledger);
                if let Err(e) = save(&ledger, views.as_deref()) {
                    self.notice.set(Some(format!("The change was made but could not be saved in this browser: {e}. It will be lost on reload; export the ledger to keep it.")));
                }
                (before, response)
            }
            Mode::Http => {
                let before = self.payments_of(profile);
                match send_http(&self.base_url.get_untracked(), &sandbox, &text).await {
                    Ok(response) => {
                        self.refresh_http().await;
                        self.http_sent.update(|n| *n += 1);
                        (before, response)
                    }
                    Err(e) => {
                        self.notice.set(Some(format!("The request could not be sent: {e}")));
                        return None;
                    }
                }
            }
        };
        let after = self.payments_of(profile);
        let touched = changed(&before, &after);
        let request = Request::from_json(&text).ok();
        let kept =
            request.as_ref().map(|r| serde_json::to_string(&payrules::credentials::without(r)).unwrap_or_default());
        let errors = report.errors.iter().filter(|v| v.severity == payrules::Severity::Error).count();
        let answer = self.masked(&serde_json::to_string_pretty(&response.body).unwrap_or_default());
        self.history.update(|h| {
            let n = h.last().map_or(0, |s| s.n) + 1;
            if h.len() >= HISTORY_KEPT {
                h.drain(..=h.len() - HISTORY_KEPT);
            }
            h.push(Sent {
                n,
                profile: profile.id().to_owned(),
                method: request.as_ref().map(|r| r.method.to_ascii_uppercase()).unwrap_or_default(),
                path: request
                    .as_ref()
                    .map(|r| r.path.split('?').next().unwrap_or_default().to_owned())
                    .unwrap_or_default(),
                status: response.status,
                touched,
                at: now_millis(),
                server: match mode {
                    Mode::Browser => BROWSER.to_owned(),
                    Mode::Http => self.base_url.get_untracked(),
                },
                sandbox: if mode == Mode::Http { sandbox.clone() } else { String::new() },
                request: kept.unwrap_or_default(),
                errors,
                warnings: report.errors.len() - errors,
                response: cut(answer, RESPONSE_KEPT),
            });
        });
        self.keep_history();
        self.response.set(Some(response.clone()));
        Some(response)
    }

    fn save_history(self) -> Result<(), String> {
        let text = self.history.with_untracked(|h| serde_json::to_string(h).unwrap_or_default());
        storage()?.set_item(HISTORY_KEY, &text).map_err(|e| js_message(&e))
    }

    /// Saves the request log; when the browser's storage is full, the oldest half is dropped and
    /// the rest saved — and the notice says so (nothing is lost silently).
    fn keep_history(self) {
        let Err(e) = self.save_history() else { return };
        let dropped = self.history.with_untracked(|h| h.len().div_ceil(2));
        self.history.update(|h| {
            h.drain(..dropped);
        });
        match self.save_history() {
            Ok(()) => self.notice.set(Some(format!(
                "The request log did not fit in this browser's storage ({e}): its oldest {dropped} requests were dropped."
            ))),
            Err(e) => self.notice.set(Some(format!("The request log could not be saved: {e}. It will be lost on reload."))),
        }
    }

    /// `text` with every credential typed in this console masked (an answer may echo one).
    pub fn masked(self, text: &str) -> String {
        let secrets: Vec<String> = self.credentials.with_untracked(|m| {
            m.values()
                .flat_map(|v| [v.clone(), v.strip_prefix("Bearer ").unwrap_or_default().to_owned()])
                .filter(|v| v.len() >= 3)
                .collect()
        });
        crate::form::masked(text, &secrets)
    }

    /// A request of the history with the credentials typed in this console filled back in (one
    /// not typed stays absent), as JSON text.
    pub fn with_known_credentials(self, request: &str) -> Option<String> {
        let request = Request::from_json(request).ok()?;
        let profile = request.profile.clone();
        let filled = payrules::credentials::fill(&request, |pointer| {
            self.credentials
                .with_untracked(|m| m.get(&format!("{profile}:{pointer}")).filter(|v| !v.is_empty()).cloned())
        });
        serde_json::to_string(&filled).ok()
    }

    /// Reads the server's records (`GET /_payrules/world`, credentials removed by the server) and
    /// shows them through the ledger module's views.
    pub async fn refresh_http(self) {
        let url = format!("{}/_payrules/world", self.base_url.get_untracked().trim_end_matches('/'));
        let sandbox = self.sandbox.get_untracked();
        let views = async {
            let text = fetch_in(&url, &sandbox).await?;
            let module = self.module().await.map_err(|e| format!("the ledger could not be loaded: {e}"))?;
            let world = module.restore(&text)?;
            let views = world.console_view().map_err(|e| js_message(&e));
            world.free();
            read::world_view(&views?)
        }
        .await;
        if self.mode.get_untracked() != Mode::Http {
            return;
        }
        match views {
            Ok(views) => {
                self.views.set(Some(views));
                self.note_trails();
            }
            Err(e) => {
                self.views.set(None);
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
                if let Some(ledger) = self.browser_ledger().await
                    && self.mode.get_untracked() == Mode::Browser
                {
                    self.show(&ledger);
                }
            }
            Mode::Http => {
                // Never the page's records under the server's name while the server's load.
                self.views.set(None);
                self.refresh_http().await;
            }
        }
    }

    /// Makes `ledger` the page's ledger, shows it and saves it; `what` names the change for the
    /// notice of a failed save.
    fn replace(self, ledger: &JsLedger, what: &str) -> Result<(), String> {
        // A new world: its payments' paths start from what it shows (`show` records them).
        self.trails.update(|t| t.retain(|k, _| k.starts_with("http:")));
        if let Some(old) = self.ledger.get_value() {
            old.free();
        }
        self.ledger.set_value(Some(ledger.clone()));
        self.ledger_state.set(LedgerState::Ready);
        self.selected.set(None);
        let views = self.show(ledger);
        save(ledger, views.as_deref()).map_err(|e| format!("{what} but could not be saved: {e}"))
    }

    /// Back to the sample world (after the user confirmed).
    pub async fn reset(self) {
        let ledger = match self.module().await.and_then(|m| m.sample()) {
            Ok(ledger) => ledger,
            Err(e) => {
                self.notice.set(Some(format!("The sample world could not be loaded: {e}")));
                return;
            }
        };
        // The page's requests go with its ledger; those sent to a server stay.
        self.history.update(|h| h.retain(Sent::is_http));
        self.response.set(None);
        let saved = self.replace(&ledger, "The sample world is loaded").and_then(|()| {
            self.save_history().map_err(|e| format!("The sample world is loaded but could not be saved: {e}"))
        });
        if let Err(e) = saved {
            self.notice.set(Some(e));
        }
    }

    /// Replaces the page's ledger with an exported snapshot; a damaged file changes nothing.
    pub async fn import(self, text: String) {
        let restored = match self.module().await {
            Ok(module) => module.restore(&text),
            Err(e) => Err(format!("the ledger could not be loaded: {e}")),
        };
        match restored {
            Ok(ledger) => match self.replace(&ledger, "The file was imported") {
                Ok(()) => self.notice.set(None),
                Err(e) => self.notice.set(Some(e)),
            },
            Err(e) => self.notice.set(Some(format!("Nothing was imported: {e}"))),
        }
    }

    /// The snapshot to export: without credentials unless the user asks for them.
    pub async fn export_text(self, with_tokens: bool) -> Option<String> {
        let ledger = self.browser_ledger().await?;
        Some(if with_tokens { ledger.snapshot() } else { ledger.snapshot_without_tokens() })
    }
}

impl Default for Console {
    fn default() -> Self {
        Console::new()
    }
}

/// Writes the page's ledger to local storage, and the views of it for the next first paint.
fn save(ledger: &JsLedger, views: Option<&str>) -> Result<(), String> {
    let storage = storage()?;
    storage.set_item(SNAPSHOT_KEY, &ledger.snapshot()).map_err(|e| js_message(&e))?;
    match views {
        Some(views) => storage.set_item(VIEWS_KEY, views),
        None => storage.remove_item(VIEWS_KEY),
    }
    .map_err(|e| js_message(&e))
}

/// Runs `f` at the next animation frame: once what the last changes render is about to be painted.
fn after_paint(f: impl FnOnce() + 'static) {
    let _ = window().request_animation_frame(Closure::once_into_js(f).unchecked_ref());
}

/// Runs `f` after `ms` milliseconds.
fn set_timeout(f: impl FnOnce() + 'static, ms: i32) {
    let _ =
        window().set_timeout_with_callback_and_timeout_and_arguments_0(Closure::once_into_js(f).unchecked_ref(), ms);
}

/// Keys of payments that are new or differ.
fn changed(before: &[PaymentView], after: &[PaymentView]) -> Vec<String> {
    after.iter().filter(|p| !before.contains(p)).map(|p| p.key.clone()).collect()
}

pub(crate) fn js_message(e: &wasm_bindgen::JsValue) -> String {
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

/// A URL of `payrules serve` as text, in a sandbox (its `Payrules-Sandbox` header).
pub async fn fetch_in(url: &str, sandbox: &str) -> Result<String, String> {
    let response = gloo_net::http::Request::get(url)
        .header(crate::sandbox::HEADER, sandbox)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if !(200..300).contains(&status) {
        return Err(format!("{url} answered {status}: {text}"));
    }
    Ok(text)
}

/// The page's wall clock, in milliseconds since the epoch.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // a whole, positive number of ms
fn now_millis() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// `text` cut to at most `max` bytes (at a character boundary), saying so.
fn cut(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("\n… (cut: the answer was longer)");
    }
    text
}

/// Sends a request to `{base}/{profile}{path}` in `sandbox` and reads the vendor's answer.
async fn send_http(base: &str, sandbox: &str, text: &str) -> Result<Response, String> {
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
    let mut builder = gloo_net::http::RequestBuilder::new(&url).method(method).header(crate::sandbox::HEADER, sandbox);
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
        read::value(&text).unwrap_or(serde_json::Value::String(text))
    };
    Ok(Response { status, body })
}

/// Offers `text` as a JSON file download.
pub fn download(name: &str, text: &str) -> Result<(), String> {
    download_as(name, text, "application/json")
}

/// Offers `text` as a file download of the MIME type `mime`.
pub fn download_as(name: &str, text: &str, mime: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|e| js_message(&e))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| js_message(&e))?;
    let anchor: web_sys::HtmlAnchorElement =
        document().create_element("a").map_err(|e| js_message(&e))?.dyn_into().map_err(|_| "no anchor".to_owned())?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    web_sys::Url::revoke_object_url(&url).map_err(|e| js_message(&e))
}
