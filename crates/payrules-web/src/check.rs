//! The file check panel: a JSON Lines file, or a CSV file whose header names an operation's
//! inputs, validated in a Web Worker (`www/check-worker.js`, started only when a file is checked,
//! terminated to cancel), with its progress, the counts by code and by field, the first problems
//! and a downloadable report. The worker does the reading, the validation and the counting; this
//! panel only starts it and shows what it posts (all of it as text, never as markup).

use std::time::Duration;

use leptos::prelude::*;
use payrules::Operation;
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

/// A table the panel shows: every cell is text from the worker (never markup).
#[derive(Clone, Debug)]
struct Table {
    testid: &'static str,
    caption: &'static str,
    head: &'static [&'static str],
    rows: Vec<Vec<String>>,
}

/// One generic view for every table, so the console's module carries one table's code (the first
/// load is measured: issue 9).
fn table(t: Table) -> impl IntoView {
    view! {
        <table data-testid=t.testid>
            <caption>{t.caption}</caption>
            <thead><tr>{t.head.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr></thead>
            <tbody>{t.rows.into_iter().map(|row| view! {
                <tr>{row.into_iter().map(|cell| view! { <td>{cell}</td> }).collect_view()}</tr>
            }).collect_view()}</tbody>
        </table>
    }
}

/// A number as JavaScript writes it (`100000`): Rust's float formatting is not in the console's
/// module, and this panel does not add it.
fn number(n: f64) -> String {
    js_sys::Number::from(n).to_string_with_radix(10).map(String::from).unwrap_or_default()
}

/// Rows of text from the worker's arrays of arrays (numbers written as integers).
fn rows(value: &JsValue) -> Vec<Vec<String>> {
    let cell = |v: JsValue| v.as_string().or_else(|| v.as_f64().map(number)).unwrap_or_default();
    js_sys::Array::from(value).iter().map(|row| js_sys::Array::from(&row).iter().map(cell).collect()).collect()
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
    let mapping = RwSignal::new(None::<(Table, String)>);
    let tables = RwSignal::new(Vec::<Table>::new());
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
        tables.set(Vec::new());
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
                    let pairs: Vec<Vec<String>> = strings(&field(&data, "columns"))
                        .into_iter()
                        .zip(strings(&field(&data, "pointers")))
                        .map(|(column, pointer)| vec![column, pointer])
                        .collect();
                    let unmapped: Vec<String> =
                        pairs.iter().filter(|p| p[1].is_empty()).map(|p| p[0].clone()).collect();
                    let unmapped = if unmapped.is_empty() {
                        "Every column is mapped.".to_owned()
                    } else {
                        format!("Not mapped (no such field): {}", unmapped.join(", "))
                    };
                    let rows = pairs.into_iter().filter(|p| !p[1].is_empty()).collect();
                    let head: &[&str] = &["Column", "Field"];
                    mapping.set(Some((Table { testid: "check-mapping", caption: "Columns", head, rows }, unmapped)));
                }
                Some("done") => {
                    let code_head: &[&str] = &["Code", "Count"];
                    let field_head: &[&str] = &["Field", "Count"];
                    let mut by_field = rows(&field(&data, "byField"));
                    for cell in by_field.iter_mut().filter_map(|row| row.first_mut()).filter(|c| c.is_empty()) {
                        cell.push_str("(the request)");
                    }
                    tables.set(vec![
                        Table {
                            testid: "check-counts",
                            caption: "Requests",
                            head: &["", "Count"],
                            rows: rows(&field(&data, "counts")),
                        },
                        Table {
                            testid: "check-by-code",
                            caption: "Violations by code (warnings included)",
                            head: code_head,
                            rows: rows(&field(&data, "byCode")),
                        },
                        Table {
                            testid: "check-by-field",
                            caption: "Violations by field (warnings included)",
                            head: field_head,
                            rows: by_field,
                        },
                    ]);
                    // The problems and the report link in a second task, so neither holds the
                    // main thread for long.
                    let first = rows(&field(&data, "first"));
                    let report = field(&data, "report").dyn_into::<Blob>().ok();
                    set_timeout(
                        move || {
                            let head: &[&str] = &["Line", "Field", "Code", "Message"];
                            tables.update(|t| {
                                t.push(Table { testid: "check-first", caption: "The first errors", head, rows: first });
                            });
                            report_url.set(report.and_then(|b| Url::create_object_url_with_blob(&b).ok()));
                        },
                        Duration::ZERO,
                    );
                    phase.set(Phase::Done);
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
        let percent = number(if total > 0.0 { (bytes / total * 100.0).round() } else { 100.0 });
        let lines = number(lines);
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
                max=move || number(progress.get().1.max(1.0)) value=move || number(progress.get().0)></progress>
            <span id="check-status" data-testid="check-status" role="status">{status}</span>
            <button type="button" data-testid="check-cancel" disabled=move || !running() on:click=cancel>"Cancel"</button>
        </div>
        {move || mapping.get().map(|(t, unmapped)| view! {
            {table(t)}
            <p data-testid="check-unmapped">{unmapped}</p>
        })}
        <div class="check-tables">{move || tables.get().into_iter().map(table).collect_view()}</div>
        {move || report_url.get().map(|url| view! {
            <p><a class="button" data-testid="check-download" href=url download="payrules-report.jsonl">"Download report"</a>
            " (JSON Lines: one line per request with a violation, with its line number and report)"</p>
        })}
    }
}
