//! The file check panel: a JSON Lines file, or a CSV file whose header names an operation's
//! inputs, validated in a Web Worker (`www/check-worker.js`, started only when a file is checked,
//! terminated to cancel), with its progress, the counts by code and by field, the first problems
//! and a downloadable report. The worker does the reading, the validation and the counting; this
//! panel only starts it and shows what it posts (all of it as text, never as markup).

use std::time::Duration;

use leptos::prelude::*;
use payrules::Operation;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, File, MessageEvent, Url, Worker, WorkerOptions, WorkerType};

use crate::Console;

/// Where a check is.
#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Idle,
    Running,
    Done,
    Cancelled,
    Failed(String),
}

/// What the worker posts at the end (`summary`, as JSON text).
#[derive(Clone, Debug, Default, Deserialize)]
struct Summary {
    lines: u64,
    valid: u64,
    invalid: u64,
    /// Valid requests with warnings.
    warned: u64,
    blank: u64,
    by_code: Vec<(String, u64)>,
    by_field: Vec<(String, u64)>,
    first: Vec<Problem>,
}

/// One of the first problems: an error and the 1-based line of its request.
#[derive(Clone, Debug, Deserialize)]
struct Problem {
    line: u64,
    path: String,
    code: String,
    message: String,
}

/// A running check: the worker and its message handler (dropped together).
struct Run {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Drop for Run {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn is_csv(file: &File) -> bool {
    std::path::Path::new(&file.name()).extension().is_some_and(|ext| ext.eq_ignore_ascii_case("csv"))
        || file.type_() == "text/csv"
}

fn field(data: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(data, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn strings(value: &JsValue) -> Vec<String> {
    js_sys::Array::from(value).iter().map(|v| v.as_string().unwrap_or_default()).collect()
}

/// The operations a CSV row can be: those with inputs.
fn operations(c: Console) -> Vec<&'static Operation> {
    c.profile.get().operations().iter().filter(|op| !payrules::compose::slots(op).is_empty()).collect()
}

/// The file check panel.
#[component]
pub fn FileCheck() -> impl IntoView {
    let c = use_context::<Console>().unwrap_or_default();
    let phase = RwSignal::new(Phase::Idle);
    let name = RwSignal::new(String::new());
    // (bytes read, bytes in all, lines checked)
    let progress = RwSignal::new((0.0_f64, 0.0_f64, 0.0_f64));
    let mapping = RwSignal::new(None::<Vec<(String, String)>>);
    let summary = RwSignal::new(None::<Summary>);
    let first = RwSignal::new(Vec::<Problem>::new());
    let report_url = RwSignal::new(None::<String>);
    let chosen = RwSignal::new(String::new());
    let run = StoredValue::new_local(None::<Run>);
    let operation = move || {
        let ops = operations(c);
        let id = chosen.get();
        ops.iter().find(|op| op.id == id).or(ops.first()).map_or("", |op| op.id)
    };

    let start = move |file: File| {
        run.set_value(None);
        if let Some(url) = report_url.get_untracked() {
            let _ = Url::revoke_object_url(&url);
        }
        report_url.set(None);
        summary.set(None);
        first.set(Vec::new());
        mapping.set(None);
        name.set(file.name());
        progress.set((0.0, file.size(), 0.0));
        let csv = is_csv(&file);
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = match Worker::new_with_options("check-worker.js", &options) {
            Ok(w) => w,
            Err(e) => return phase.set(Phase::Failed(format!("the worker did not start: {e:?}"))),
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            let data = ev.data();
            match field(&data, "type").as_string().as_deref() {
                Some("progress") => progress.set((
                    field(&data, "bytes").as_f64().unwrap_or(0.0),
                    field(&data, "total").as_f64().unwrap_or(0.0),
                    field(&data, "lines").as_f64().unwrap_or(0.0),
                )),
                Some("mapping") => {
                    let columns = strings(&field(&data, "columns"));
                    let pointers = strings(&field(&data, "pointers"));
                    mapping.set(Some(columns.into_iter().zip(pointers).collect()));
                }
                Some("done") => {
                    let text = field(&data, "summary").as_string().unwrap_or_default();
                    match serde_json::from_str::<Summary>(&text) {
                        Ok(mut s) => {
                            // Drawn in two tasks (the counts, then the problems and the report
                            // link), so neither holds the main thread for long.
                            let problems = std::mem::take(&mut s.first);
                            summary.set(Some(s));
                            let report = field(&data, "report").dyn_into::<Blob>().ok();
                            set_timeout(
                                move || {
                                    first.set(problems);
                                    report_url.set(report.and_then(|b| Url::create_object_url_with_blob(&b).ok()));
                                },
                                Duration::ZERO,
                            );
                            phase.set(Phase::Done);
                        }
                        Err(e) => phase.set(Phase::Failed(format!("the worker's summary is unreadable: {e}"))),
                    }
                }
                Some("error") => {
                    phase.set(Phase::Failed(field(&data, "message").as_string().unwrap_or_default()));
                }
                _ => {}
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let message = js_sys::Object::new();
        let kind = if csv { "csv" } else { "jsonl" };
        for (key, value) in [
            ("file", JsValue::from(file)),
            ("kind", JsValue::from_str(kind)),
            ("profile", JsValue::from_str(c.profile.get_untracked().id())),
            ("operation", JsValue::from_str(untrack(operation))),
        ] {
            let _ = js_sys::Reflect::set(&message, &JsValue::from_str(key), &value);
        }
        if let Err(e) = worker.post_message(&message) {
            return phase.set(Phase::Failed(format!("the file could not be sent to the worker: {e:?}")));
        }
        phase.set(Phase::Running);
        run.set_value(Some(Run { worker, _on_message: on_message }));
    };
    let cancel = move |_| {
        run.set_value(None);
        phase.set(Phase::Cancelled);
    };
    let on_input = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        if let Some(file) = input.as_ref().and_then(web_sys::HtmlInputElement::files).and_then(|f| f.get(0)) {
            start(file);
        }
        // The same file can be checked again.
        if let Some(input) = input {
            input.set_value("");
        }
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
            start(file);
        }
    };
    let running = move || phase.get() == Phase::Running;
    let status = move || {
        let (bytes, total, lines) = progress.get();
        let percent = if total > 0.0 { (bytes / total * 100.0).round() } else { 100.0 };
        match phase.get() {
            Phase::Idle => String::new(),
            Phase::Running => format!("Checking {}: {lines} lines, {percent}% read", name.get()),
            Phase::Done => format!("Checked {}: {lines} lines", name.get()),
            Phase::Cancelled => format!("Cancelled after {lines} lines ({percent}% read)"),
            Phase::Failed(e) => format!("The check failed: {e}"),
        }
    };
    let phase_name = move || match phase.get() {
        Phase::Idle => "idle",
        Phase::Running => "running",
        Phase::Done => "done",
        Phase::Cancelled => "cancelled",
        Phase::Failed(_) => "failed",
    };

    view! {
        <h2 id="check-h">"Check a file"</h2>
        <p class="hint">"JSON Lines (one request per line), or CSV with a header row naming the operation's fields (amount, currency, …). The file is read in this browser only."</p>
        <div class="check-drop" data-testid="check-drop"
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=on_drop>
            <label for="check-file">"Choose or drop a file (.jsonl or .csv)"</label>
            <input id="check-file" type="file" accept=".jsonl,.ndjson,.json,.csv,.txt" data-testid="check-file" on:change=on_input/>
        </div>
        <label for="check-operation">"Operation of a CSV file's rows"</label>
        <select id="check-operation" data-testid="check-operation"
            prop:value=operation on:change=move |ev| chosen.set(event_target_value(&ev))>
            {move || operations(c).into_iter().map(|op| view! {
                <option value=op.id>{format!("{} {} ({})", op.method.as_str(), op.path, op.id)}</option>
            }).collect_view()}
        </select>
        <div class="check-run" data-testid="check" data-phase=phase_name>
            <progress data-testid="check-progress" aria-labelledby="check-status"
                max=move || progress.get().1.max(1.0).to_string() value=move || progress.get().0.to_string()></progress>
            <span id="check-status" data-testid="check-status" role="status">{status}</span>
            <button type="button" data-testid="check-cancel" disabled=move || !running() on:click=cancel>"Cancel"</button>
        </div>
        {move || mapping.get().map(|m| {
            let unmapped: Vec<String> = m.iter().filter(|(_, p)| p.is_empty()).map(|(c, _)| c.clone()).collect();
            view! {
                <h3>"Columns"</h3>
                <table data-testid="check-mapping">
                    <thead><tr><th scope="col">"Column"</th><th scope="col">"Field"</th></tr></thead>
                    <tbody>{m.into_iter().filter(|(_, p)| !p.is_empty()).map(|(c, p)| view! {
                        <tr><td>{c}</td><td><code>{p}</code></td></tr>
                    }).collect_view()}</tbody>
                </table>
                <p data-testid="check-unmapped">{if unmapped.is_empty() {
                    "Every column is mapped.".to_owned()
                } else {
                    format!("Not mapped (no such field): {}", unmapped.join(", "))
                }}</p>
            }
        })}
        {move || summary.get().map(|s| view! {
            <dl class="check-counts" data-testid="check-counts">
                <div><dt>"Lines"</dt><dd data-testid="check-lines">{s.lines}</dd></div>
                <div><dt>"Valid"</dt><dd data-testid="check-valid">{s.valid}</dd></div>
                <div><dt>"Invalid"</dt><dd data-testid="check-invalid">{s.invalid}</dd></div>
                <div><dt>"Valid with warnings"</dt><dd data-testid="check-warned">{s.warned}</dd></div>
                <div><dt>"Blank"</dt><dd data-testid="check-blank">{s.blank}</dd></div>
            </dl>
            <div class="check-tables">
                <table data-testid="check-by-code">
                    <caption>"Violations by code (warnings included)"</caption>
                    <thead><tr><th scope="col">"Code"</th><th scope="col">"Count"</th></tr></thead>
                    <tbody>{s.by_code.into_iter().map(|(code, n)| view! {
                        <tr><td><code>{code}</code></td><td class="num">{n}</td></tr>
                    }).collect_view()}</tbody>
                </table>
                <table data-testid="check-by-field">
                    <caption>"Violations by field (warnings included)"</caption>
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Count"</th></tr></thead>
                    <tbody>{s.by_field.into_iter().map(|(path, n)| view! {
                        <tr><td><code>{if path.is_empty() { "(the request)".to_owned() } else { path }}</code></td><td class="num">{n}</td></tr>
                    }).collect_view()}</tbody>
                </table>
            </div>
        })}
        <Show when=move || summary.with(Option::is_some)>
            <table data-testid="check-first">
                <caption>"The first errors"</caption>
                <thead><tr><th scope="col">"Line"</th><th scope="col">"Field"</th><th scope="col">"Code"</th><th scope="col">"Message"</th></tr></thead>
                <tbody>{move || first.get().into_iter().map(|p| view! {
                    <tr><td class="num">{p.line}</td><td><code>{p.path}</code></td><td><code>{p.code}</code></td><td>{p.message}</td></tr>
                }).collect_view()}</tbody>
            </table>
        </Show>
        {move || report_url.get().map(|url| view! {
            <p><a class="button" data-testid="check-download" href=url download="payrules-report.jsonl">"Download report"</a>
            " (JSON Lines: one line per request with a violation, with its line number and report)"</p>
        })}
    }
}
