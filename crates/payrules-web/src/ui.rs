//! The console's components. They read and write the `Console` signals and render; rules come from
//! the core. Untrusted text (responses, messages, imported data) is always rendered as text.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use payrules::ledger::view::{self, ActionEntry, ListQuery, PaymentView, status_label};
use payrules::vendors::komet::{BatchRow, batch_request, batch_results};
use payrules::{Operation, Profile, Report, Severity, validate_json};
use wasm_bindgen::JsCast;

use crate::diagram::Lifecycle;
use crate::form::{self, Input, Part, Slot, SlotInput};
use crate::state::{Console, LedgerState, Mode, download};

const PAGE: usize = 8;

fn console() -> Console {
    use_context::<Console>().unwrap_or_default()
}

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    let console = Console::new();
    provide_context(console);
    spawn_local(console.start());
    // The panels below the composer (history, file check) are mounted once the first paint is on
    // screen: the records, details and composer come first (at the next frame, or after a moment
    // in a background tab, which gets no frames).
    let later = RwSignal::new(false);
    Effect::new(move |_| {
        if console.ready.get() && !later.get_untracked() {
            request_animation_frame(move || later.set(true));
            set_timeout(move || later.set(true), std::time::Duration::from_millis(500));
        }
    });
    view! {
        <a class="skip" href="#composer">"Skip to the request composer"</a>
        <header class="top">
            <h1>"payrules console"</h1>
            <ProfileTabs/>
            <ModeSwitch/>
            <LedgerStatus/>
        </header>
        <Notice/>
        <main data-testid="app" data-ready=move || console.ready.get().to_string()
            data-ledger=move || match console.ledger_state.get() {
                LedgerState::Loading => "loading",
                LedgerState::Ready => "ready",
                LedgerState::Failed => "failed",
            }>
            <section class="panel list" aria-labelledby="payments-h"><PaymentList/></section>
            <section class="panel detail" aria-labelledby="detail-h"><Detail/></section>
            <section class="panel composer" id="composer" aria-labelledby="composer-h"><Composer/></section>
            <Show when=move || console.mode.get() == Mode::Http><section class="panel sandboxes" aria-labelledby="sandboxes-h"><crate::sandbox::Sandboxes/></section></Show>
            <Show when=move || later.get()>
                <section class="panel history-panel" aria-labelledby="history-h"><crate::history::History/></section>
                <section class="panel check" aria-labelledby="check-h"><crate::check::FileCheck/></section>
            </Show>
            <Show when=move || console.profile.get() == Profile::Komet>
                <section class="panel batch" aria-labelledby="batch-h"><Batch/></section>
            </Show>
        </main>
        <footer class="storage"><Storage/></footer>
    }
}

#[component]
fn ProfileTabs() -> impl IntoView {
    let c = console();
    view! {
        <nav class="profiles" aria-label="Payment API">
            {Profile::ALL
                .into_iter()
                .map(|p| {
                    view! {
                        <button
                            type="button"
                            class="tab"
                            data-testid=format!("profile-tab-{}", p.id())
                            aria-pressed=move || (c.profile.get() == p).to_string()
                            on:click=move |_| {
                                c.profile.set(p);
                                c.selected.set(None);
                                c.response.set(None);
                            }
                        >
                            {p.vendor()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}

#[component]
fn ModeSwitch() -> impl IntoView {
    let c = console();
    view! {
        <div class="mode" role="group" aria-label="Where requests go">
            <label>
                <input type="radio" name="mode" data-testid="mode-browser"
                    prop:checked=move || c.mode.get() == Mode::Browser
                    on:change=move |_| spawn_local(c.switch(Mode::Browser))/>
                " In the browser"
            </label>
            <label>
                <input type="radio" name="mode" data-testid="mode-http"
                    prop:checked=move || c.mode.get() == Mode::Http
                    on:change=move |_| spawn_local(c.switch(Mode::Http))/>
                " HTTP"
            </label>
            <label class="base-url">
                <span class="visually-hidden">"Server base URL"</span>
                <input type="url" data-testid="base-url" aria-label="Server base URL"
                    prop:value=move || c.base_url.get()
                    on:change=move |ev| {
                        c.base_url.set(event_target_value(&ev));
                        if c.mode.get_untracked() == Mode::Http {
                            spawn_local(c.refresh_http());
                        }
                    }/>
            </label>
        </div>
    }
}

/// Where the page's ledger is: its module loads beside the first paint, and a request sent before
/// it is there waits for it.
#[component]
fn LedgerStatus() -> impl IntoView {
    let c = console();
    view! {
        <span class="ledger-status" role="status" data-testid="ledger-status">
            {move || match c.ledger_state.get() {
                LedgerState::Loading => "loading the ledger…",
                LedgerState::Ready => "",
                LedgerState::Failed => "the ledger could not be loaded",
            }}
        </span>
    }
}

#[component]
fn Notice() -> impl IntoView {
    let c = console();
    view! {
        <Show when=move || c.notice.get().is_some()>
            <div class="notice" role="alert" data-testid="notice">
                <span>{move || c.notice.get().unwrap_or_default()}</span>
                <button type="button" on:click=move |_| c.notice.set(None)>"Dismiss"</button>
            </div>
        </Show>
    }
}

/// `text` lowercased for the list's search, as `str::to_lowercase` does: ASCII here, anything else
/// by the browser (`toLowerCase`), whose case tables the module need not carry (~4 KB gzip).
pub fn lowercase(text: &str) -> String {
    if text.is_ascii() { text.to_ascii_lowercase() } else { String::from(js_sys::JsString::from(text).to_lower_case()) }
}

fn badge(status: String, label: String) -> impl IntoView {
    let class = format!("badge s-{}", status.to_ascii_lowercase().replace(' ', "-"));
    view! { <span class=class data-status=status>{label}</span> }
}

#[component]
fn PaymentList() -> impl IntoView {
    let c = console();
    let status = RwSignal::new(String::new());
    let facet = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(0usize);
    Effect::new(move |_| {
        c.profile.track();
        status.set(String::new());
        facet.set(String::new());
        search.set(String::new());
        page.set(0);
    });
    // The chosen filters and page, as the core lists them (an empty choice is no filter).
    let shown = Memo::new(move |_| {
        let query = ListQuery {
            status: Some(status.get()),
            facet: Some(facet.get()),
            search: search.get(),
            page: page.get(),
            per_page: PAGE,
        };
        let profile = c.profile.get();
        // No records yet: an empty list (no payments, every status to choose from).
        view::list_lowered(c.payments_of(profile), profile, &query, lowercase)
    });
    let list = move || shown.get();
    view! {
        <h2 id="payments-h">"Payments"</h2>
        <div class="filters">
            <label>"Status "
                <select data-testid="filter-status" on:change=move |ev| { status.set(event_target_value(&ev)); page.set(0); }>
                    <option value="" selected=move || status.get().is_empty()>"all"</option>
                    {move || list().statuses.into_iter().map(|(name, label)| {
                        let selected = name.clone();
                        view! { <option value=name selected=move || status.get() == selected>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Filter "
                <select data-testid="filter-facet" on:change=move |ev| { facet.set(event_target_value(&ev)); page.set(0); }>
                    <option value="" selected=move || facet.get().is_empty()>"none"</option>
                    {move || list().facets.into_iter().map(|f| {
                        let selected = f.clone();
                        view! { <option value=f.clone() selected=move || facet.get() == selected>{f.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Search "
                <input type="search" data-testid="filter-search" prop:value=move || search.get()
                    on:input=move |ev| { search.set(event_target_value(&ev)); page.set(0); }/>
            </label>
        </div>
        <Show when=move || c.views.with(Option::is_some) fallback=|| view! { <p>"No records to show."</p> }>
            <table class="payments" data-testid="payments">
                <thead><tr><th scope="col">"Payment"</th><th scope="col">"Amount"</th><th scope="col">"Status"</th><th scope="col">"Links"</th></tr></thead>
                <tbody>
                    {move || {
                        let profile = c.profile.get();
                        list().items.into_iter().map(|p: PaymentView| {
                            let key = p.key.clone();
                            let key_click = key.clone();
                            let key_sel = key.clone();
                            let amount = match (&p.amount, &p.currency) {
                                (Some(a), Some(cur)) => format!("{a} {cur}"),
                                (Some(a), None) => a.clone(),
                                _ => "—".to_owned(),
                            };
                            let label = status_label(profile, &p.status);
                            view! {
                                <tr data-testid=format!("payment-row-{key}") class:selected=move || c.selected.get().as_deref() == Some(key_sel.as_str())>
                                    <td>
                                        <button type="button" class="link" on:click=move |_| c.selected.set(Some(key_click.clone()))>
                                            {p.label.clone()}
                                        </button>
                                    </td>
                                    <td class="num">{amount}</td>
                                    <td>{badge(p.status.clone(), label)}</td>
                                    <td>{p.relations.len()}</td>
                                </tr>
                            }
                        }).collect_view()
                    }}
                </tbody>
            </table>
            <div class="paging" data-testid="paging">
                <button type="button" disabled=move || list().page == 0 on:click=move |_| page.set(list().page.saturating_sub(1))>"Previous"</button>
                <span>{move || { let l = list(); format!("Page {} of {} · {} payments", l.page + 1, l.pages, l.total) }}</span>
                <button type="button" disabled=move || { let l = list(); l.page + 1 >= l.pages } on:click=move |_| page.set(list().page + 1)>"Next"</button>
            </div>
        </Show>
    }
}

#[component]
fn Detail() -> impl IntoView {
    let c = console();
    let current = move || {
        let key = c.selected.get()?;
        c.payments().into_iter().find(|p| p.key == key)
    };
    view! {
        <h2 id="detail-h">"Payment detail"</h2>
        {move || match current() {
            None => view! { <p>"Choose a payment to see its lifecycle, actions and links."</p> }.into_any(),
            Some(p) => detail_view(c, &p).into_any(),
        }}
    }
}

fn detail_view(c: Console, p: &PaymentView) -> impl IntoView {
    let profile = c.profile.get_untracked();
    let lifecycle = profile.lifecycle();
    let table = lifecycle.table();
    let actions = actions_view(c, profile, &table, p);
    let touched = {
        let key = p.key.clone();
        move || {
            c.history
                .get()
                .into_iter()
                .filter(|s| s.profile == profile.id() && s.touched.contains(&key))
                .collect::<Vec<_>>()
        }
    };
    let label = status_label(profile, &p.status);
    view! {
        <div data-testid="detail" data-key=p.key.clone()>
            <h3>{p.label.clone()} " " <span data-testid="detail-status">{badge(p.status.clone(), label)}</span></h3>
            <p class="amount">{match (&p.amount, &p.currency) { (Some(a), Some(cur)) => format!("{a} {cur}"), (Some(a), None) => a.clone(), _ => String::new() }}</p>
            <dl class="fields">
                {p.fields.iter().map(|(k, v)| view! { <dt>{k.clone()}</dt><dd>{v.clone()}</dd> }).collect_view()}
            </dl>
            <h4>"Links"</h4>
            <ul class="relations" data-testid="relations">
                {if p.relations.is_empty() { Some(view! { <li>"none"</li> }) } else { None }}
                {p.relations.iter().map(|r| {
                    let kind = r.kind.clone();
                    match r.payment.clone() {
                        Some(target) => view! {
                            <li data-testid=format!("relation-{kind}")>{kind.clone()} ": "
                                <button type="button" class="link" on:click=move |_| c.selected.set(Some(target.clone()))>{r.label.clone()}</button>
                            </li>
                        }.into_any(),
                        None => view! { <li data-testid=format!("relation-{kind}")>{kind.clone()} ": " {r.label.clone()}</li> }.into_any(),
                    }
                }).collect_view()}
            </ul>
            <h4>"Lifecycle"</h4>
            <Lifecycle profile=profile status=p.status.clone() key=p.key.clone()/>
            <h4>"Actions"</h4>
            {actions}
            <h4>"Requests that touched it"</h4>
            <ol class="history" data-testid="history">
                {move || touched().into_iter().map(|s| view! { <li>{format!("#{} {} {} → {}", s.n, s.method, s.path, s.status)}</li> }).collect_view()}
            </ol>
        </div>
    }
}

/// An action's name in words: `capture_partially` is "Capture partially" (a vendor's action
/// names are ASCII: ASCII case mapping, so the module carries no Unicode case table).
fn action_words(action: &str) -> String {
    let mut words = action.replace('_', " ");
    if let Some(first) = words.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    words
}

/// The actions of a payment people can scan: the possible ones as buttons named in words; the
/// others in one collapsed line each, the reason said once — those the lifecycle does not allow
/// from this status, and those the vendor's API has no request for.
fn actions_view(
    c: Console,
    profile: Profile,
    table: &payrules::lifecycle::LifecycleTable,
    p: &PaymentView,
) -> impl IntoView + use<> {
    let here = status_label(profile, &p.status);
    let moves: Vec<&str> = table.transitions.iter().filter(|t| t.from == p.status).map(|t| t.action).collect();
    let mut possible = Vec::new();
    let mut not_from_here = Vec::new();
    let mut elsewhere = Vec::new();
    for ActionEntry { action, verdict } in c.actions(profile, &p.key) {
        match verdict {
            Ok(request) => possible.push((action, serde_json::to_string(&request).unwrap_or_default())),
            Err(_) if !moves.contains(&action.as_str()) => not_from_here.push(action),
            Err(why) => elsewhere.push((action, why)),
        }
    }
    let none = possible.is_empty().then(|| view! { <p class="hint" data-testid="no-action">{format!("No action is possible from {here} in this API.")}</p> });
    let buttons = possible
        .into_iter()
        .map(|(action, text)| {
            view! {
                <li><button type="button" data-testid=format!("action-{action}") data-action=action.clone()
                    on:click=move |_| c.incoming.set(Some(text.clone()))>{action_words(&action)}</button></li>
            }
        })
        .collect_view();
    let refused = (!not_from_here.is_empty()).then(|| {
        let names = not_from_here.iter().map(|a| action_words(a).to_ascii_lowercase()).collect::<Vec<_>>().join(", ");
        let reason = if moves.is_empty() {
            format!("{here} is final: no action leads out of it.")
        } else {
            let allowed = moves.iter().map(|a| action_words(a).to_ascii_lowercase()).collect::<Vec<_>>().join(", ");
            format!("From {here}, the lifecycle allows only {allowed}.")
        };
        view! {
            <details class="not-possible" data-testid="actions-not-possible" data-actions=not_from_here.join(" ")>
                <summary>{format!("Not possible from {here}: {names}")}</summary>
                <p>{reason}</p>
            </details>
        }
    });
    let outside = (!elsewhere.is_empty()).then(|| {
        let names = elsewhere.iter().map(|(a, _)| action_words(a).to_ascii_lowercase()).collect::<Vec<_>>().join(", ");
        let actions = elsewhere.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>().join(" ");
        view! {
            <details class="not-possible" data-testid="actions-elsewhere" data-actions=actions>
                <summary>{format!("Not available here: {names}")}</summary>
                <ul>{elsewhere.into_iter().map(|(_, why)| view! { <li>{why}</li> }).collect_view()}</ul>
            </details>
        }
    });
    view! {
        <ul class="actions" data-testid="actions">{buttons}</ul>
        {none}
        {refused}
        {outside}
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Form,
    Raw,
}

fn first_operation(profile: Profile) -> &'static Operation {
    let ops = profile.operations();
    ops.iter()
        .find(|o| !matches!(o.body, payrules::profiles::Body::None))
        .or_else(|| ops.first())
        .unwrap_or(&payrules::vendors::komet::OPERATIONS[0])
}

/// Fills empty credential fields from what the user typed before (HTTP mode has no credentials of
/// its own), and remembers the ones that are filled. A bearer header without its token is empty
/// (`payrules::credentials::is_unfilled`):
/// that is what an action's request carries in a world whose credentials were removed (the
/// server's world in HTTP mode).
fn credentials(c: Console, profile: Profile, op: &'static Operation, values: &mut BTreeMap<String, String>) {
    for slot in form::slots(op).into_iter().filter(|s| matches!(s.input(), Input::Secret)) {
        let key = format!("{}:{}", profile.id(), slot.pointer());
        match values.get(&slot.pointer()).filter(|v| !payrules::credentials::is_unfilled(v)) {
            Some(v) => {
                let v = v.clone();
                c.credentials.update(|m| {
                    m.insert(key, v);
                });
            }
            None => {
                if let Some(known) = c.credentials.with_untracked(|m| m.get(&key).cloned()) {
                    values.insert(slot.pointer(), known);
                }
            }
        }
    }
}

#[component]
fn Composer() -> impl IntoView {
    let c = console();
    let op = RwSignal::new(first_operation(c.profile.get_untracked()).id);
    let values = RwSignal::new(BTreeMap::<String, String>::new());
    let raw = RwSignal::new(String::new());
    let tab = RwSignal::new(Tab::Form);
    let reveal = RwSignal::new(false);
    let sending = RwSignal::new(false);
    // Calm forms: a field's problems are shown once it has been touched, or after a send attempt.
    let touched = RwSignal::new(BTreeSet::<String>::new());
    let attempted = RwSignal::new(false);
    let calm = move || {
        touched.set(BTreeSet::new());
        attempted.set(false);
    };
    let operation = move || {
        let profile = c.profile.get();
        profile.operation(op.get()).unwrap_or_else(|| first_operation(profile))
    };
    // A new profile: its first operation, an empty form.
    Effect::new(move |prev: Option<Profile>| {
        let profile = c.profile.get();
        if prev.is_some_and(|p| p != profile) {
            op.set(first_operation(profile).id);
            values.set(BTreeMap::new());
            raw.set(String::new());
            calm();
        }
        profile
    });
    // A template or an action's request: load it into the form.
    Effect::new(move |_| {
        if let Some(text) = c.incoming.get() {
            if let Some((profile, operation)) = form::operation_of(&text) {
                if profile != c.profile.get_untracked() {
                    c.profile.set(profile);
                }
                op.set(operation.id);
                let mut loaded = form::values_from(operation, &text);
                credentials(c, profile, operation, &mut loaded);
                let complete = form::request_text(profile, operation, &loaded);
                // What came with the request is as if typed: its problems show, the rest stay calm.
                touched.set(loaded.iter().filter(|(_, v)| !v.is_empty()).map(|(k, _)| k.clone()).collect());
                attempted.set(false);
                values.set(loaded);
                raw.set(complete);
            } else {
                raw.set(text);
                // Not `BTreeSet::from([…])`, which sorts its array (a sort's code of its own).
                let mut only_raw = BTreeSet::new();
                only_raw.insert(RAW.to_owned());
                touched.set(only_raw);
            }
            c.incoming.set(None);
        }
    });
    let text = Memo::new(move |_| match tab.get() {
        Tab::Form => form::request_text(c.profile.get(), operation(), &values.get()),
        Tab::Raw => raw.get(),
    });
    let report = Memo::new(move |_| validate_json(&text.get()));
    let secrets = move || {
        form::slots(operation())
            .into_iter()
            .filter(|s| matches!(s.input(), Input::Secret))
            .filter_map(|s| values.with(|v| v.get(&s.pointer()).cloned()))
            .collect::<Vec<String>>()
    };
    let reason = move || {
        let r: Report = report.get();
        r.errors.iter().find(|v| v.severity == Severity::Error).map(|v| {
            format!("Send is disabled: {} — {}", if v.path.is_empty() { "request" } else { &v.path }, v.message)
        })
    };
    let send = move |_| {
        if !report.with_untracked(|r| r.valid) {
            // Not sent: every problem is shown now, and the first one's field has the focus.
            attempted.set(true);
            focus_first_problem(operation(), &report.get_untracked(), tab.get_untracked());
            return;
        }
        let body = text.get_untracked();
        sending.set(true);
        spawn_local(async move {
            c.send(body).await;
            sending.set(false);
        });
    };
    let templates = move || {
        let profile = c.profile.get();
        c.templates
            .get()
            .into_iter()
            .filter(|t| form::operation_of(t).is_some_and(|(p, _)| p == profile))
            .collect::<Vec<_>>()
    };
    view! {
        <h2 id="composer-h">"Request composer"</h2>
        <div class="composer-head">
            <label>"Operation "
                <select data-testid="composer-operation" on:change=move |ev| {
                    let profile = c.profile.get_untracked();
                    let chosen = profile.operations().iter().find(|o| o.id == event_target_value(&ev)).unwrap_or_else(|| operation());
                    op.set(chosen.id);
                    let mut fresh = BTreeMap::new();
                    credentials(c, profile, chosen, &mut fresh);
                    values.set(fresh);
                    calm();
                }>
                    {move || c.profile.get().operations().iter().map(|o| {
                        let id = o.id;
                        view! { <option value=id prop:selected=move || op.get() == id>{format!("{} {} — {}", o.method.as_str(), o.path, o.summary)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Start from a vendor example "
                <select data-testid="composer-template" on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(t) = templates().into_iter().nth(v.parse::<usize>().unwrap_or(usize::MAX)) { c.incoming.set(Some(t)); }
                }>
                    <option value="">"—"</option>
                    {move || templates().into_iter().enumerate().map(|(i, t)| {
                        let label = form::operation_of(&t).map_or_else(String::new, |(_, o)| format!("{} {}", o.method.as_str(), o.path));
                        view! { <option value=i.to_string()>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
        </div>
        <div class="tabs">
        <div class="tablist" role="tablist" aria-label="How to edit the request">
            <button type="button" role="tab" data-testid="tab-form" aria-selected=move || (tab.get() == Tab::Form).to_string()
                on:click=move |_| {
                    if let Some((_, o)) = form::operation_of(&raw.get_untracked()) { op.set(o.id); values.set(form::values_from(o, &raw.get_untracked())); }
                    tab.set(Tab::Form);
                }>"Form"</button>
            <button type="button" role="tab" data-testid="tab-raw" aria-selected=move || (tab.get() == Tab::Raw).to_string()
                on:click=move |_| { raw.set(text.get_untracked()); tab.set(Tab::Raw); }>"Raw JSON"</button>
        </div>
            <label class="reveal"><input type="checkbox" data-testid="reveal" prop:checked=move || reveal.get()
                on:change=move |ev| reveal.set(event_target_checked(&ev))/>" Show credentials"</label>
        </div>
        {move || match tab.get() {
            Tab::Form => view! { <FormFields operation=Signal::derive(operation) values=values report=report reveal=reveal touched=touched attempted=attempted/> }.into_any(),
            Tab::Raw => {
                let shown = move || if reveal.get() { raw.get() } else { form::masked(&raw.get(), &secrets()) };
                view! {
                    <label for="raw-json">"Request as JSON"</label>
                    <textarea id="raw-json" data-testid="raw-json" spellcheck="false" rows="16"
                        readonly=move || !reveal.get() && !secrets().is_empty()
                        prop:value=shown on:input=move |ev| { raw.set(event_target_value(&ev)); touched.update(|t| { t.insert(RAW.to_owned()); }); }></textarea>
                    <Show when=move || !reveal.get() && !secrets().is_empty()>
                        <p class="hint">"Credentials are masked; choose “Show credentials” to edit the raw request."</p>
                    </Show>
                    <Violations report=report only_unplaced=false operation=Signal::derive(operation)
                        shown=Signal::derive(move || attempted.get() || touched.with(|t| t.contains(RAW)))/>
                }.into_any()
            }
        }}
        <div class="send">
            <button type="button" data-testid="send" aria-disabled=move || (!report.get().valid).to_string() disabled=move || sending.get() on:click=send
                aria-describedby="send-reason">{move || match (sending.get(), c.mode.get(), c.ledger_state.get()) {
                    (false, _, _) => "Send",
                    (true, Mode::Browser, LedgerState::Loading) => "Loading the ledger…",
                    (true, _, _) => "Sending…",
                }}</button>
            <span id="send-reason" data-testid="send-reason" role="status" class:attempted=move || attempted.get()>{move || reason().unwrap_or_default()}</span>
        </div>
        <Show when=move || c.response.get().is_some()>
            <h3>"Response " <span data-testid="response-status">{move || c.response.get().map(|r| r.status.to_string()).unwrap_or_default()}</span></h3>
            <pre class="response" data-testid="response-body">{move || c.response.get().map(|r| serde_json::to_string_pretty(&r.body).unwrap_or_default()).unwrap_or_default()}</pre>
        </Show>
    }
}

#[component]
fn FormFields(
    operation: Signal<&'static Operation>,
    values: RwSignal<BTreeMap<String, String>>,
    report: Memo<Report>,
    reveal: RwSignal<bool>,
    touched: RwSignal<BTreeSet<String>>,
    attempted: RwSignal<bool>,
) -> impl IntoView {
    let calm = Calm { touched, attempted };
    view! {
        <div class="form" data-testid="form">
            {move || form::slots(operation.get()).into_iter().map(|slot| field_view(slot, values, report, reveal, calm)).collect_view()}
            <Violations report=report only_unplaced=true operation=operation
                shown=Signal::derive(move || attempted.get() || touched.with(|t| !t.is_empty()))/>
        </div>
    }
}

/// The key in the touched set for the raw JSON editor.
const RAW: &str = "(raw)";

/// What has been touched in the composer, and whether a send was attempted: a field's problems
/// are shown once it is touched (typed in, changed, or left), or after a send attempt.
#[derive(Clone, Copy)]
struct Calm {
    touched: RwSignal<BTreeSet<String>>,
    attempted: RwSignal<bool>,
}

impl Calm {
    fn shown(self, pointer: &str) -> bool {
        self.attempted.get() || self.touched.with(|t| t.contains(pointer))
    }

    fn touch(self, pointer: &str) {
        if !self.touched.with_untracked(|t| t.contains(pointer)) {
            self.touched.update(|t| {
                t.insert(pointer.to_owned());
            });
        }
    }
}

/// The element id of a field's input (shared by the form and the focus after a send attempt).
fn field_id(pointer: &str) -> String {
    format!("f{}", pointer.replace(['/', '~'], "-"))
}

/// After a send attempt: the first problem's field (or the raw editor) gets the focus.
fn focus_first_problem(op: &'static Operation, report: &Report, tab: Tab) {
    let id = match tab {
        Tab::Raw => Some("raw-json".to_owned()),
        Tab::Form => report.errors.iter().filter(|v| v.severity == Severity::Error).find_map(|v| {
            form::slots(op)
                .into_iter()
                .map(|s| s.pointer())
                .find(|p| v.path == *p || v.path.starts_with(&format!("{p}/")))
                .map(|p| field_id(&p))
        }),
    };
    if let Some(el) = id.and_then(|id| document().get_element_by_id(&id))
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
    }
}

fn field_view(
    slot: Slot,
    values: RwSignal<BTreeMap<String, String>>,
    report: Memo<Report>,
    reveal: RwSignal<bool>,
    calm: Calm,
) -> impl IntoView {
    let pointer = slot.pointer();
    let id = field_id(&pointer);
    let hint_id = format!("{id}-hint");
    let err_id = format!("{id}-err");
    let p1 = pointer.clone();
    let value = move || values.with(|v| v.get(&p1).cloned().unwrap_or_default());
    let p2 = pointer.clone();
    let set = move |v: String| {
        calm.touch(&p2);
        values.update(|m| {
            m.insert(p2.clone(), v);
        });
    };
    let p3 = pointer.clone();
    // Its problems, once it is touched or a send was attempted.
    let errors = move || {
        if !calm.shown(&p3) {
            return Vec::new();
        }
        report
            .get()
            .errors
            .into_iter()
            .filter(|v| v.path == p3 || v.path.starts_with(&format!("{p3}/")))
            .collect::<Vec<_>>()
    };
    let invalid = {
        let errors = errors.clone();
        move || errors().iter().any(|v| v.severity == Severity::Error).to_string()
    };
    let part = match slot.part {
        Part::Path => "path",
        Part::Query => "query",
        Part::Header => "header",
        Part::Body => "body",
    };
    let input = match slot.input() {
        Input::Select(options) => {
            let set = set.clone();
            let value = value.clone();
            view! {
                <select id=id.clone() data-testid=format!("field-{pointer}") aria-describedby=format!("{hint_id} {err_id}") aria-invalid=invalid.clone()
                    on:change=move |ev| set(event_target_value(&ev))>
                    <option value="" selected={let value = value.clone(); move || value().is_empty()}>"—"</option>
                    {options.into_iter().map(|o| { let value = value.clone(); view! { <option value=o selected=move || value() == o>{o}</option> } }).collect_view()}
                </select>
            }.into_any()
        }
        Input::OneOf(fields) => {
            let (set_k, set_v) = (set.clone(), set.clone());
            let (vk, vv, vk2) = (value.clone(), value.clone(), value.clone());
            let key = move || vk().split_once('=').map(|(k, _)| k.to_owned()).unwrap_or_default();
            let val = move || vv().split_once('=').map(|(_, v)| v.to_owned()).unwrap_or_default();
            let first = fields.first().copied().unwrap_or("id");
            view! {
                <span class="one-of" data-testid=format!("field-{pointer}")>
                    <select aria-label=format!("{}: which field names the record", slot.field.name)
                        on:change=move |ev| { let k = event_target_value(&ev); let v = vk2().split_once('=').map(|(_, v)| v.to_owned()).unwrap_or_default(); set_k(format!("{k}={v}")); }>
                        {fields.into_iter().map(|f| { let key = key.clone(); view! { <option value=f selected=move || key() == f || (key().is_empty() && f == first)>{f}</option> } }).collect_view()}
                    </select>
                    <input id=id.clone() type="text" aria-describedby=format!("{hint_id} {err_id}") aria-invalid=invalid.clone()
                        prop:value=val on:input=move |ev| {
                            let k = key();
                            let k = if k.is_empty() { first.to_owned() } else { k };
                            set_v(format!("{k}={}", event_target_value(&ev)));
                        }/>
                </span>
            }.into_any()
        }
        Input::Json => view! {
            <textarea id=id.clone() data-testid=format!("field-{pointer}") rows="3" spellcheck="false" aria-describedby=format!("{hint_id} {err_id}") aria-invalid=invalid.clone()
                prop:value=value.clone() on:input=move |ev| set(event_target_value(&ev))></textarea>
        }.into_any(),
        Input::Secret => {
            let c = console();
            let key = format!("{}:{pointer}", c.profile.get_untracked().id());
            view! {
                <input id=id.clone() data-testid=format!("field-{pointer}") autocomplete="off" aria-describedby=format!("{hint_id} {err_id}") aria-invalid=invalid.clone()
                    type=move || if reveal.get() { "text" } else { "password" }
                    prop:value=value.clone() on:input=move |ev| {
                        let v = event_target_value(&ev);
                        c.credentials.update(|m| { m.insert(key.clone(), v.clone()); });
                        set(v);
                    }/>
            }.into_any()
        }
        Input::Text(example) => view! {
            <input id=id.clone() type="text" data-testid=format!("field-{pointer}") placeholder=example aria-describedby=format!("{hint_id} {err_id}") aria-invalid=invalid.clone()
                prop:value=value.clone() on:input=move |ev| set(event_target_value(&ev))/>
        }.into_any(),
    };
    let p4 = pointer.clone();
    let p5 = pointer.clone();
    view! {
        <div class="field" class:has-error=move || invalid() == "true" on:focusout=move |_| calm.touch(&p5)>
            <label for=id.clone()>{slot.field.name} <span class="part">{format!(" ({part})")}</span>{if slot.field.required { " *" } else { "" }}</label>
            {input}
            <small id=hint_id>{slot.field.doc}</small>
            <ul class="errors" id=err_id data-testid=format!("field-error-{p4}")>
                {move || errors().into_iter().map(|v| {
                    let fix = v.suggestion.clone().map(|s| {
                        let shown = crate::read::value(&s).and_then(|j| j.as_str().map(str::to_owned)).unwrap_or_else(|| s.clone());
                        let target = v.path.clone();
                        let apply = shown.clone();
                        view! { <button type="button" class="fix" data-testid=format!("apply-suggestion-{target}")
                            on:click=move |_| values.update(|m| { m.insert(target.clone(), apply.clone()); })>{format!("Use {shown}")}</button> }
                    });
                    view! { <li class=if v.severity == Severity::Error { "error" } else { "warning" }>{v.message.clone()} " " {fix}</li> }
                }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn Violations(
    report: Memo<Report>,
    only_unplaced: bool,
    operation: Signal<&'static Operation>,
    shown: Signal<bool>,
) -> impl IntoView {
    let items = move || {
        if !shown.get() {
            return Vec::new();
        }
        let placed: Vec<String> = form::slots(operation.get()).iter().map(Slot::pointer).collect();
        report
            .get()
            .errors
            .into_iter()
            .filter(|v| !only_unplaced || !placed.iter().any(|p| v.path == *p || v.path.starts_with(&format!("{p}/"))))
            .collect::<Vec<_>>()
    };
    view! {
        <ul class="violations" data-testid=if only_unplaced { "other-violations" } else { "violations" }>
            {move || items().into_iter().map(|v| view! {
                <li class=if v.severity == Severity::Error { "error" } else { "warning" }>
                    <code>{if v.path.is_empty() { "(request)".to_owned() } else { v.path.clone() }}</code> " " {v.message.clone()}
                    {v.suggestion.clone().map(|s| view! { <span class="suggestion">{format!(" → {s}")}</span> })}
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn Batch() -> impl IntoView {
    const KEY: &str = "komet:/body/authenticationToken";
    let c = console();
    let ids = RwSignal::new("450545, 451181, 47873233".to_owned());
    let results = RwSignal::new(Vec::<BatchRow>::new());
    let typed = move || c.credentials.with(|m| m.get(KEY).cloned());
    // The company token shown: the one typed before, else the in-browser world's (HTTP mode has none).
    let token = move || typed().filter(|t| !t.is_empty()).unwrap_or_else(|| c.batch_token());
    let send = move |_| {
        let request = batch_request(None, Some(&token()), &ids.get_untracked());
        let text = serde_json::to_string(&request).unwrap_or_default();
        spawn_local(async move {
            if let Some(response) = c.send(text).await {
                results.set(batch_results(&response));
            }
        });
    };
    view! {
        <h2 id="batch-h">"Batch: mark payments as synchronized"</h2>
        <label for="batch-ids">"Payment ids (comma or space separated)"</label>
        <textarea id="batch-ids" data-testid="batch-ids" rows="2" prop:value=move || ids.get() on:input=move |ev| ids.set(event_target_value(&ev))></textarea>
        <label for="batch-token">"Company token"</label>
        <input id="batch-token" type="password" autocomplete="off" data-testid="batch-token" prop:value=token
            on:input=move |ev| c.credentials.update(|m| { m.insert(KEY.to_owned(), event_target_value(&ev)); })/>
        <p><button type="button" data-testid="batch-send" on:click=send>"Mark as synchronized"</button></p>
        <table class="batch" data-testid="batch-results">
            <thead><tr><th scope="col">"Payment"</th><th scope="col">"Status"</th><th scope="col">"Message"</th></tr></thead>
            <tbody>
                {move || results.get().into_iter().map(|BatchRow { payment_id: id, status, message }| view! {
                    <tr data-testid=format!("batch-row-{id}")><td>{id.clone()}</td><td>{status}</td><td>{message}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn Storage() -> impl IntoView {
    let c = console();
    let with_tokens = RwSignal::new(false);
    let export = move |_| {
        let with_tokens = with_tokens.get_untracked();
        spawn_local(async move {
            if let Some(text) = c.export_text(with_tokens).await
                && let Err(e) = download("payrules-ledger.json", &text)
            {
                c.notice.set(Some(format!("The export failed: {e}")));
            }
        });
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => c.import(text.as_string().unwrap_or_default()).await,
                Err(_) => c.notice.set(Some("The file could not be read.".to_owned())),
            }
        });
        input.set_value("");
    };
    let reset = move |_| {
        let sure = window().confirm_with_message("Reset the in-browser ledger to the sample world? Every change since is lost (export first to keep it).").unwrap_or(false);
        if sure {
            spawn_local(c.reset());
        }
    };
    view! {
        <div class="storage-controls" role="group" aria-label="The in-browser ledger">
            <button type="button" data-testid="export" on:click=export disabled=move || c.mode.get() != Mode::Browser>"Export ledger"</button>
            <label><input type="checkbox" data-testid="export-tokens" prop:checked=move || with_tokens.get() on:change=move |ev| with_tokens.set(event_target_checked(&ev))/>" include credentials"</label>
            <label class="import">"Import ledger " <input type="file" accept="application/json,.json" data-testid="import" on:change=import disabled=move || c.mode.get() != Mode::Browser/></label>
            <button type="button" data-testid="reset" on:click=reset disabled=move || c.mode.get() != Mode::Browser>"Reset to the sample world"</button>
        </div>
    }
}
