//! The sandboxes panel of HTTP mode: which sandbox of `payrules serve` the console's requests
//! name (its `Payrules-Sandbox` header), a new one from the sample world, and the chosen
//! sandbox's request log (newest first, paged) and clock (advanced or frozen from here). Read
//! again after every request the console sends. The server's texts are shown as text only.

use leptos::prelude::*;
use leptos::task::spawn_local;
use payrules::json::{self, Json};

use crate::state::{Console, fetch_in};

/// The header that names a request's sandbox.
pub const HEADER: &str = "Payrules-Sandbox";
/// The sandbox of a request without the header.
pub const DEFAULT: &str = "default";
/// What the log and the clock say of a sandbox no request has made yet.
const NOT_MADE: &str = "this sandbox is made by its first request";
/// Lines of the request log on one page.
const PER_PAGE: usize = 10;

/// One line of a sandbox's request log, as the server writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Logged {
    time: String,
    method: String,
    path: String,
    verdict: String,
    status: String,
}

/// A page of the log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct LogPage {
    total: usize,
    requests: Vec<Logged>,
}

/// The clock: the time it reads and how it moves.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Clock {
    now: String,
    mode: String,
}

fn text_of(j: &Json<'_>, key: &str) -> String {
    match j.get(key) {
        Some(Json::String(s)) => s.to_string(),
        Some(Json::Number(n)) => (*n).to_owned(),
        Some(Json::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn parse(text: &str) -> Result<Json<'_>, String> {
    json::parse(text).map_err(|e| format!("the server's answer is not JSON: {e}"))
}

fn names(text: &str) -> Result<Vec<(String, String)>, String> {
    let j = parse(text)?;
    let list = j.get("sandboxes").and_then(Json::as_array).ok_or("the answer has no `sandboxes` list")?;
    Ok(list.iter().map(|s| (text_of(s, "name"), text_of(s, "payments"))).collect())
}

fn log_page(text: &str) -> Result<LogPage, String> {
    let j = parse(text)?;
    let requests = j.get("requests").and_then(Json::as_array).ok_or("the answer has no `requests` list")?;
    Ok(LogPage {
        total: text_of(&j, "total").parse().unwrap_or(0),
        requests: requests
            .iter()
            .map(|r| Logged {
                time: text_of(r, "time"),
                method: text_of(r, "method"),
                path: text_of(r, "path"),
                verdict: text_of(r, "verdict"),
                status: text_of(r, "status"),
            })
            .collect(),
    })
}

fn clock(text: &str) -> Result<Clock, String> {
    let j = parse(text)?;
    // An RFC 3339 instant (milliseconds since the epoch are read too).
    let now = match j.get("now") {
        Some(Json::String(s)) => s.to_string(),
        Some(Json::Number(n)) => {
            // JavaScript reads the number (the reader checked it is JSON's): no float parser in the module.
            let ms = js_sys::Number::parse_float(n);
            if ms.is_nan() {
                return Err("the clock's `now` is not a time".to_owned());
            }
            String::from(js_sys::Date::new(&ms.into()).to_iso_string())
        }
        _ => return Err("the clock has no `now`".to_owned()),
    };
    let mode = j.get("clock").map_or_else(String::new, |c| match text_of(c, "mode").as_str() {
        "frozen" => "frozen".to_owned(),
        "stepping" => format!("stepping by {} ms a reading", text_of(c, "step_ms")),
        "system" => match text_of(c, "offset_ms").as_str() {
            "0" | "" => "the machine's clock".to_owned(),
            offset => format!("the machine's clock moved on by {offset} ms"),
        },
        other => other.to_owned(),
    });
    Ok(Clock { now, mode })
}

fn admin(c: Console, rest: &str) -> String {
    format!("{}/_payrules/sandboxes{rest}", c.base_url.get_untracked().trim_end_matches('/'))
}

/// POSTs a JSON body to the admin API; the error is the server's answer.
async fn post(url: &str, body: String) -> Result<String, String> {
    let response = gloo_net::http::Request::post(url)
        .header("Content-Type", "application/json")
        .body(body)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if (200..300).contains(&status) { Ok(text) } else { Err(problem(status, &text)) }
}

/// A problem answer (`{"title", "detail"}`) in one line.
fn problem(status: u16, text: &str) -> String {
    match json::parse(text) {
        Ok(j) if !text_of(&j, "detail").is_empty() => format!("{status}: {}", text_of(&j, "detail")),
        _ => format!("{status}: {text}"),
    }
}

fn quoted(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// The panel.
#[component]
pub fn Sandboxes() -> impl IntoView {
    let c = use_context::<Console>().unwrap_or_default();
    let list = RwSignal::new(Vec::<(String, String)>::new());
    let log = RwSignal::new(Result::<LogPage, String>::Ok(LogPage::default()));
    let time = RwSignal::new(Result::<Clock, String>::Err(String::new()));
    let page = RwSignal::new(1usize);
    let new_name = RwSignal::new(String::new());
    let problem_text = RwSignal::new(None::<String>);
    let load = move || {
        let name = c.sandbox.get_untracked();
        let page_no = page.get_untracked();
        spawn_local(async move {
            let made = match fetch_in(&admin(c, ""), &name).await.and_then(|t| names(&t)) {
                Ok(names) => {
                    let made = names.iter().any(|(n, _)| *n == name);
                    list.set(names);
                    made
                }
                Err(e) => {
                    problem_text.set(Some(format!("The sandboxes could not be listed: {e}")));
                    false
                }
            };
            // A sandbox is made by its first request: before it, there is no log or clock to read.
            if !made {
                log.set(Err(NOT_MADE.to_owned()));
                time.set(Err(NOT_MADE.to_owned()));
                return;
            }
            let segment = js_sys::encode_uri_component(&name);
            let url = admin(c, &format!("/{segment}/requests?page={page_no}&per_page={PER_PAGE}"));
            log.set(fetch_in(&url, &name).await.and_then(|t| log_page(&t)));
            time.set(fetch_in(&admin(c, &format!("/{segment}/clock")), &name).await.and_then(|t| clock(&t)));
        });
    };
    // Read again when the sandbox, the server or the page changes, and after each request sent.
    Effect::new(move |_| {
        c.sandbox.track();
        c.base_url.track();
        c.http_sent.track();
        page.track();
        load();
    });
    let choose = move |name: String| {
        problem_text.set(None);
        page.set(1);
        c.sandbox.set(name);
        c.selected.set(None);
        spawn_local(c.refresh_http());
    };
    let create = move |_| {
        let name = new_name.get_untracked().trim().to_owned();
        if name.is_empty() {
            problem_text.set(Some("Name the new sandbox first.".to_owned()));
            return;
        }
        spawn_local(async move {
            let body = format!("{{\"name\":{},\"from\":\"sample\"}}", quoted(&name));
            match post(&admin(c, ""), body).await {
                Ok(_) => {
                    new_name.set(String::new());
                    choose(name);
                }
                Err(e) => problem_text.set(Some(format!("The sandbox could not be made: {e}"))),
            }
        });
    };
    let change_clock = move |body: String| {
        let name = c.sandbox.get_untracked();
        spawn_local(async move {
            let url = admin(c, &format!("/{}/clock", js_sys::encode_uri_component(&name)));
            match post(&url, body).await.and_then(|t| clock(&t)) {
                Ok(now) => {
                    problem_text.set(None);
                    time.set(Ok(now));
                }
                Err(e) => problem_text.set(Some(format!("The clock could not be changed: {e}"))),
            }
        });
    };
    let freeze = move |_| {
        let now = String::from(js_sys::Date::new_0().to_iso_string());
        change_clock(format!("{{\"freeze\":{}}}", quoted(&now)));
    };
    let advance = move |_| change_clock("{\"advance\":\"PT1H\"}".to_owned());
    let pages = move || log.with(|l| l.as_ref().map_or(1, |l| l.total.div_ceil(PER_PAGE).max(1)));
    view! {
        <h2 id="sandboxes-h">"Sandbox"</h2>
        <div class="sandbox-choice">
            <label>"Requests go to sandbox "
                <select data-testid="sandbox-select" on:change=move |ev| choose(event_target_value(&ev))>
                    {move || {
                        let current = c.sandbox.get();
                        let mut all = list.get();
                        if !all.iter().any(|(n, _)| *n == current) {
                            all.insert(0, (current.clone(), "not made yet".to_owned()));
                        }
                        all.into_iter().map(|(name, payments)| {
                            let selected = name == current;
                            let label = if payments.chars().all(|ch| ch.is_ascii_digit()) && !payments.is_empty() {
                                format!("{name} ({payments} payments)")
                            } else {
                                format!("{name} ({payments})")
                            };
                            view! { <option value=name selected=selected>{label}</option> }
                        }).collect_view()
                    }}
                </select>
            </label>
            <label>"New sandbox "
                <input type="text" data-testid="sandbox-new" placeholder="team-a" prop:value=move || new_name.get()
                    on:input=move |ev| new_name.set(event_target_value(&ev))/>
            </label>
            <button type="button" data-testid="sandbox-create" on:click=create>"Make it from the sample world"</button>
        </div>
        <Show when=move || problem_text.get().is_some()>
            <p class="sandbox-problem" role="alert" data-testid="sandbox-problem">{move || problem_text.get().unwrap_or_default()}</p>
        </Show>
        <h3>"Clock"</h3>
        <p data-testid="sandbox-clock">{move || match time.get() {
            Ok(Clock { now, mode }) => view! { <time datetime=now.clone() data-testid="sandbox-now">{now.clone()}</time> " · " {mode} }.into_any(),
            Err(e) if e.is_empty() => view! { "…" }.into_any(),
            Err(e) => view! { <span>{format!("No clock to show: {e}.")}</span> }.into_any(),
        }}</p>
        <p class="clock-controls">
            <button type="button" data-testid="clock-advance" on:click=advance>"Advance 1 hour"</button>
            " "
            <button type="button" data-testid="clock-freeze" on:click=freeze>"Freeze at this moment"</button>
        </p>
        <h3>"Request log " <span class="muted" data-testid="sandbox-log-total">{move || log.with(|l| l.as_ref().map(|l| format!("({} requests)", l.total)).unwrap_or_default())}</span></h3>
        {move || match log.get() {
            Err(e) => view! { <p data-testid="sandbox-log-empty">{format!("No log to show: {e}.")}</p> }.into_any(),
            Ok(l) if l.requests.is_empty() => view! { <p data-testid="sandbox-log-empty">"No request in this sandbox yet."</p> }.into_any(),
            Ok(l) => view! {
                <table class="sandbox-log" data-testid="sandbox-log">
                    <thead><tr><th scope="col">"Sandbox time"</th><th scope="col">"Request"</th><th scope="col">"Verdict"</th><th scope="col">"Status"</th></tr></thead>
                    <tbody>
                        {l.requests.into_iter().map(|r| view! {
                            <tr data-testid="sandbox-log-row">
                                <td><time datetime=r.time.clone()>{r.time.clone()}</time></td>
                                <td><code>{format!("{} {}", r.method, r.path)}</code></td>
                                <td>{r.verdict}</td>
                                <td>{r.status}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
        <div class="paging">
            <button type="button" data-testid="sandbox-log-newer" disabled=move || { page.get() <= 1 }
                on:click=move |_| page.update(|p| *p = p.saturating_sub(1).max(1))>"Newer"</button>
            <span>{move || format!("Page {} of {}", page.get(), pages())}</span>
            <button type="button" data-testid="sandbox-log-older" disabled=move || { page.get() >= pages() }
                on:click=move |_| page.update(|p| *p += 1)>"Older"</button>
        </div>
    }
}
