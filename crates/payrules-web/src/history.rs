//! The history panel: every request sent (in the page and over HTTP), newest first, with the
//! validator's verdict at send time, the status, the answer and the time; re-send it, edit it in
//! the composer, copy it as a `curl` command; paste a `curl` command to load it into the composer.
//!
//! A request is kept without its credentials (`payrules::credentials::without`); re-sending and
//! editing fill back the ones typed in this console (kept in memory only), and a `curl` command
//! gets a placeholder for each unless the user asks for them. The conversions are the core's
//! (`payrules::curl`), tested natively.

use leptos::prelude::*;
use leptos::task::spawn_local;
use payrules::{Profile, Request, credentials, curl};
use wasm_bindgen::JsCast;

use crate::sandbox::HEADER;
use crate::state::{Console, Mode, Sent};

fn console() -> Console {
    use_context::<Console>().unwrap_or_default()
}

/// "valid", "2 errors, 1 warning".
fn verdict(s: &Sent) -> String {
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (s.errors, s.warnings) {
        (0, 0) => "valid".to_owned(),
        (0, w) => format!("valid, {}", plural(w, "warning")),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// The page's local time of an entry, and its ISO form.
fn times(at: u64) -> (String, String) {
    if at == 0 {
        return ("—".to_owned(), String::new());
    }
    #[allow(clippy::cast_precision_loss)] // milliseconds of this era fit a double exactly
    let date = js_sys::Date::new(&(at as f64).into());
    (
        String::from(date.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED)),
        String::from(date.to_iso_string()),
    )
}

/// The `curl` command of an entry: to its server (the base URL field's for a request of the
/// page), in its sandbox; credentials as placeholders unless `with` (and typed in this console).
fn command(c: Console, s: &Sent, with: bool) -> Result<String, String> {
    let kept = Request::from_json(&s.request).map_err(|_| "this request was kept without its text".to_owned())?;
    let profile = kept.profile.clone();
    let request = credentials::fill(&kept, |pointer| {
        let known =
            c.credentials.with_untracked(|m| m.get(&format!("{profile}:{pointer}")).filter(|v| !v.is_empty()).cloned());
        known.filter(|_| with).or_else(|| Some(credentials::placeholder(pointer)))
    });
    let base = if s.is_http() { s.server.clone() } else { c.base_url.get_untracked() };
    let sandbox = [(HEADER, s.sandbox.as_str())];
    Ok(curl::write(&request, &base, if s.is_http() { &sandbox } else { &[] }))
}

/// Puts `text` on the clipboard (a page on 127.0.0.1 or https may); `false` when it cannot.
async fn copy(text: &str) -> bool {
    let Ok(navigator) = js_sys::Reflect::get(&window(), &"navigator".into()) else { return false };
    let Ok(clipboard) = js_sys::Reflect::get(&navigator, &"clipboard".into()) else { return false };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) else { return false };
    let Some(write) = write.dyn_ref::<js_sys::Function>() else { return false };
    match write.call1(&clipboard, &text.into()) {
        Ok(promise) => match promise.dyn_into::<js_sys::Promise>() {
            Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise).await.is_ok(),
            Err(_) => false,
        },
        Err(_) => false,
    }
}

/// The request a pasted `curl` command gives, as JSON text for the composer (the sandbox header
/// is the console's to set; it is left out).
fn pasted(text: &str) -> Result<(String, Option<Profile>), String> {
    let pasted = curl::read(text).map_err(|e| e.to_string())?;
    let mut request = pasted.request;
    request.headers.retain(|k, _| !k.eq_ignore_ascii_case(HEADER));
    let profile = request.profile.parse::<Profile>().ok();
    serde_json::to_string(&request).map(|t| (t, profile)).map_err(|e| e.to_string())
}

/// The panel.
#[component]
pub fn History() -> impl IntoView {
    let c = console();
    let with_credentials = RwSignal::new(false);
    let curl_text = RwSignal::new(None::<(usize, String)>);
    let paste = RwSignal::new(String::new());
    let paste_error = RwSignal::new(None::<String>);
    let copied = RwSignal::new(String::new());
    let load = move |_| match pasted(&paste.get_untracked()) {
        Ok((text, profile)) => {
            paste_error.set(None);
            into_composer(c, profile, text);
        }
        Err(e) => paste_error.set(Some(format!("This command cannot be loaded: {e}"))),
    };
    let entries = move || c.history.get().into_iter().rev().collect::<Vec<_>>();
    view! {
        <h2 id="history-h">"History"</h2>
        <p class="hint">"Every request sent, newest first. Credentials are never kept: re-send and edit fill in the ones typed in this page."</p>
        <div class="curl-paste">
            <label for="curl-input">"Paste a curl command to load it into the composer"</label>
            <textarea id="curl-input" data-testid="curl-input" rows="3" spellcheck="false" placeholder="curl -X POST 'http://127.0.0.1:8081/plentymarkets/rest/payments' -H 'Authorization: Bearer …' --data-raw '{…}'"
                prop:value=move || paste.get() on:input=move |ev| paste.set(event_target_value(&ev))></textarea>
            <button type="button" data-testid="curl-load" on:click=load>"Load into the composer"</button>
            <Show when=move || paste_error.get().is_some()>
                <p class="curl-error" role="alert" data-testid="curl-error">{move || paste_error.get().unwrap_or_default()}</p>
            </Show>
        </div>
        <label class="curl-credentials"><input type="checkbox" data-testid="curl-with-credentials" prop:checked=move || with_credentials.get()
            on:change=move |ev| with_credentials.set(event_target_checked(&ev))/>" Copy as curl with the credentials typed in this page"</label>
        <Show when=move || curl_text.get().is_some()>
            <div class="curl-out">
                <label for="curl-output">{move || format!("curl of request #{}", curl_text.get().map_or(0, |(n, _)| n))}</label>
                <textarea id="curl-output" data-testid="curl-output" readonly rows="4" spellcheck="false"
                    prop:value=move || curl_text.get().map(|(_, t)| t).unwrap_or_default()></textarea>
                <span role="status" data-testid="curl-copied">{move || copied.get()}</span>
            </div>
        </Show>
        <Show when=move || c.history.with(Vec::is_empty)>
            <p data-testid="history-empty">"No request sent yet."</p>
        </Show>
        <ol class="sent" data-testid="history-list" reversed>
            <For each=entries key=|s: &Sent| s.n let:s>
                {entry(c, &s, with_credentials, curl_text, copied)}
            </For>
        </ol>
    }
}

/// Loads a request into the composer, on its profile's tab: a new tab empties the composer, so
/// the request follows once that is done.
fn into_composer(c: Console, profile: Option<Profile>, text: String) {
    match profile.filter(|p| *p != c.profile.get_untracked()) {
        Some(profile) => {
            c.profile.set(profile);
            c.selected.set(None);
            set_timeout(move || c.incoming.set(Some(text)), std::time::Duration::ZERO);
        }
        None => c.incoming.set(Some(text)),
    }
    focus_composer();
}

fn focus_composer() {
    if let Some(el) = document().get_element_by_id("composer") {
        el.scroll_into_view();
    }
}

fn entry(
    c: Console,
    s: &Sent,
    with_credentials: RwSignal<bool>,
    curl_text: RwSignal<Option<(usize, String)>>,
    copied: RwSignal<String>,
) -> impl IntoView + use<> {
    let (local, iso) = times(s.at);
    let place = if s.is_http() {
        format!("HTTP · {} · sandbox {}", s.server, s.sandbox)
    } else {
        "in the browser".to_owned()
    };
    let class = if s.status < 400 { "status ok" } else { "status bad" };
    let kept = !s.request.is_empty();
    let resend = {
        let s = s.clone();
        move |_| {
            let Some(text) = c.with_known_credentials(&s.request) else { return };
            if let Ok(profile) = s.profile.parse::<Profile>()
                && profile != c.profile.get_untracked()
            {
                c.profile.set(profile);
            }
            spawn_local(async move {
                c.send(text).await;
            });
        }
    };
    let edit = {
        let request = s.request.clone();
        let profile = s.profile.parse::<Profile>().ok();
        move |_| into_composer(c, profile, request.clone())
    };
    let as_curl = {
        let s = s.clone();
        move |_| match command(c, &s, with_credentials.get_untracked()) {
            Ok(text) => {
                curl_text.set(Some((s.n, text.clone())));
                copied.set(String::new());
                spawn_local(async move {
                    copied.set(if copy(&text).await { "Copied." } else { "Select the command to copy it." }.to_owned());
                });
            }
            Err(e) => c.notice.set(Some(format!("No curl command: {e}"))),
        }
    };
    let response = s.response.clone();
    view! {
        <li class="sent-entry" data-testid="history-entry" data-n=s.n.to_string()
            data-mode=if s.is_http() { "http" } else { "browser" } data-sandbox=s.sandbox.clone()>
            <div class="sent-head">
                <span class="n">{format!("#{}", s.n)}</span>
                <time data-testid="history-time" datetime=iso>{local}</time>
                <span class="place" data-testid="history-mode">{place}</span>
            </div>
            <div class="sent-line">
                <code data-testid="history-request">{format!("{} {} {}", s.profile, s.method, s.path)}</code>
                <span class=if s.errors == 0 { "verdict ok" } else { "verdict bad" } data-testid="history-verdict">{verdict(s)}</span>
                <span class=class data-testid="history-status">{s.status.to_string()}</span>
            </div>
            <details>
                <summary>"Response"</summary>
                <pre class="response" data-testid="history-response">{response}</pre>
            </details>
            <div class="sent-actions">
                <button type="button" data-testid="history-resend" disabled=!kept on:click=resend
                    title=move || format!("Send it again ({})", if c.mode.get() == Mode::Http { "over HTTP" } else { "in the browser" })>"Re-send"</button>
                <button type="button" data-testid="history-edit" disabled=!kept on:click=edit>"Edit"</button>
                <button type="button" data-testid="history-curl" disabled=!kept on:click=as_curl>"Copy as curl"</button>
            </div>
        </li>
    }
}
