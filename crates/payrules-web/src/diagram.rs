//! The lifecycle diagram of a payment's detail: the profile's states and moves as laid out at
//! build time (`build.rs`, `payrules_diagram::layout`: layered, by layout-rs), the payment's current
//! state and the moves allowed from it highlighted, the path it took in this console numbered;
//! zoom, pan and an SVG download of the same picture. Colours are presentation attributes, so the
//! drawing is a standalone SVG as it stands.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use payrules::Profile;
use payrules::ledger::view::status_label;
use wasm_bindgen::{JsCast, JsValue};

use crate::state::{Console, download_as, js_message};

/// A laid-out lifecycle (every coordinate already SVG text).
#[derive(Debug)]
pub struct Diagram {
    /// The profile id.
    pub profile: &'static str,
    /// The drawing's size.
    pub width: f64,
    /// The drawing's size.
    pub height: f64,
    /// The states, in table order.
    pub nodes: &'static [Node],
    /// The moves, in table order.
    pub edges: &'static [Edge],
}

/// A placed state.
#[derive(Debug)]
pub struct Node {
    /// The vendor's code.
    pub name: &'static str,
    /// The status in the vendor's words.
    pub words: &'static str,
    /// The code has a line of its own (it differs from the words).
    pub show_code: bool,
    /// Payments can be created in it.
    pub initial: bool,
    /// Nothing leads out.
    pub terminal: bool,
    /// The box.
    pub x: &'static str,
    /// The box.
    pub y: &'static str,
    /// The box.
    pub w: &'static str,
    /// The box.
    pub h: &'static str,
    /// The texts' centre line.
    pub cx: &'static str,
    /// The words' baseline.
    pub words_y: &'static str,
    /// The code's baseline.
    pub code_y: &'static str,
    /// The box's centre, as a number (to scroll it into view).
    pub center: f64,
}

/// A placed move.
#[derive(Debug)]
pub struct Edge {
    /// From this status…
    pub from: &'static str,
    /// …this action…
    pub action: &'static str,
    /// …leads here.
    pub to: &'static str,
    /// A move that stays in its status.
    pub self_loop: bool,
    /// The curve (SVG path data).
    pub d: &'static str,
    /// The label's box.
    pub lx: &'static str,
    /// The label's box.
    pub ly: &'static str,
    /// The label's box.
    pub lw: &'static str,
    /// The label's box.
    pub lh: &'static str,
    /// The label text's anchor.
    pub tx: &'static str,
    /// The label text's baseline.
    pub ty: &'static str,
}

// The five diagrams, laid out natively by `payrules_diagram::layout` (layout-rs) and written as data,
// so no layout code is in the console's module. The file is generated and committed; a test of
// `payrules-diagram` regenerates it and fails when it is stale (`PAYRULES_BLESS=1 cargo test -p
// payrules-diagram` rewrites it).
include!("diagrams.rs");

/// The diagram of `profile`'s lifecycle.
pub fn of(profile: Profile) -> Option<&'static Diagram> {
    DIAGRAMS.iter().find(|d| d.profile == profile.id())
}

/// A coordinate as SVG text: a whole number without a point, else to at most two decimals.
/// Written with integers, so the console's module carries no float formatting code (`f64`'s
/// `Display`, ~9.5 KB).
pub fn num(v: f64) -> String {
    // Coordinates are small (a few thousand units), far inside i64.
    #[allow(clippy::cast_possible_truncation)]
    let hundredths = (v * 100.0).round() as i64;
    let sign = if hundredths < 0 { "-" } else { "" };
    let (whole, frac) = (hundredths.abs() / 100, hundredths.abs() % 100);
    match frac {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

/// For each edge of `d`, the steps of `trail` (1-based) that took it: a step from one status to
/// the next is drawn on the move between them (on every such move when several actions lead
/// there). Steps between statuses no move joins (changes seen only as their outcome) are on none.
pub fn steps(d: &Diagram, trail: &[String]) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); d.edges.len()];
    for (i, pair) in trail.windows(2).enumerate() {
        let [a, b] = pair else { continue };
        for (e, slot) in d.edges.iter().zip(out.iter_mut()) {
            if e.from == a && e.to == b {
                slot.push(i + 1);
            }
        }
    }
    out
}

/// The scale the drawing is never shown below (its smallest font stays readable).
const MIN_SCALE: f64 = 11.0 / 12.0;
const ZOOM_STEP: f64 = 1.25;
const ACCENT: &str = "#0a58ca";
const TAKEN: &str = "#8250df";
const LINE: &str = "#57606a";
const MUTED: &str = "#afb8c1";
const INK: &str = "#1f2328";

/// The view's zoom and pan: `translate(x y) scale(k)` of the drawing's group.
#[derive(Clone, Copy, Debug, PartialEq)]
struct View {
    k: f64,
    x: f64,
    y: f64,
}

impl View {
    const IDENTITY: View = View { k: 1.0, x: 0.0, y: 0.0 };

    /// Zoomed by `factor` about the drawing's centre `(cx, cy)`.
    fn zoomed(self, factor: f64, cx: f64, cy: f64) -> View {
        let k = (self.k * factor).clamp(0.5, 6.0);
        let f = k / self.k;
        View { k, x: cx - (cx - self.x) * f, y: cy - (cy - self.y) * f }
    }

    fn transform(self) -> String {
        format!("translate({} {}) scale({})", num(self.x), num(self.y), num(self.k))
    }
}

/// The lifecycle of payment `key` of `profile`, now in `status`.
#[component]
#[allow(clippy::needless_pass_by_value)] // a component's props are owned
pub fn Lifecycle(profile: Profile, status: String, key: String) -> impl IntoView {
    let console = use_context::<Console>().unwrap_or_default();
    let Some(d) = of(profile) else {
        return view! { <p>"No diagram for this profile."</p> }.into_any();
    };
    // Read once: the detail is drawn anew whenever the records, and with them the trails, change.
    let mut trail = untrack(|| console.trail(profile, &key));
    if trail.last() != Some(&status) {
        trail.push(status.clone());
    }
    // The view, and the drag under way (pointer, where it started, the view then): plain state
    // written to the viewport group's `transform` directly — signals here would cost the module
    // more than they save.
    let view_at = Rc::new(Cell::new(View::IDENTITY));
    let drag = Rc::new(Cell::new(None::<(i32, f64, f64, View)>));
    let drag_move = drag.clone();
    let drag_up = drag.clone();
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let (width, height) = (d.width, d.height);
    let show = {
        let view_at = view_at.clone();
        move |v: View| {
            view_at.set(v);
            let g = svg_ref.get_untracked().and_then(|s| s.query_selector(VIEWPORT).ok().flatten());
            if let Some(g) = g {
                let _ = g.set_attribute("transform", &v.transform());
            }
        }
    };

    // Pan: a drag moves the drawing by the pointer's movement in drawing units.
    let units_per_px = move || {
        svg_ref.get_untracked().map_or(1.0, |s| {
            let shown = s.get_bounding_client_rect().width();
            if shown > 0.0 { width / shown } else { 1.0 }
        })
    };
    let view_down = view_at.clone();
    let on_down = move |ev: leptos::ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        if let Some(target) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
        drag.set(Some((ev.pointer_id(), f64::from(ev.client_x()), f64::from(ev.client_y()), view_down.get())));
    };
    let pan = show.clone();
    let on_move = move |ev: leptos::ev::PointerEvent| {
        let Some((id, sx, sy, start)) = drag_move.get() else { return };
        if id != ev.pointer_id() {
            return;
        }
        let u = units_per_px();
        pan(View {
            x: start.x + (f64::from(ev.client_x()) - sx) * u,
            y: start.y + (f64::from(ev.client_y()) - sy) * u,
            ..start
        });
    };
    let on_up = move |_: leptos::ev::PointerEvent| drag_up.set(None);
    let save = move || {
        let file = format!("{}-lifecycle.svg", profile.id());
        if let Err(e) = svg_ref
            .get_untracked()
            .ok_or_else(|| "no diagram".to_owned())
            .and_then(|s| standalone(&s))
            .and_then(|text| download_as(&file, &text, "image/svg+xml"))
        {
            console.notice.set(Some(format!("The diagram could not be saved: {e}")));
        }
    };
    // One handler for the tool buttons, told apart by their hooks.
    let on_tool = move |ev: leptos::ev::MouseEvent| {
        let button = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("button").ok().flatten());
        let zoom = |factor: f64| show(view_at.get().zoomed(factor, width / 2.0, height / 2.0));
        match button.and_then(|b| b.get_attribute("data-testid")).as_deref() {
            Some("lifecycle-zoom-in") => zoom(ZOOM_STEP),
            Some("lifecycle-zoom-out") => zoom(1.0 / ZOOM_STEP),
            Some("lifecycle-zoom-reset") => show(View::IDENTITY),
            Some("lifecycle-download") => save(),
            _ => {}
        }
    };

    // The drawing itself is made with plain DOM calls, once per trail: its ~100 elements as
    // Leptos views would cost the console's module ~40 KB (gzip) of per-element rendering code.
    let here = status.clone();
    let steps_trail = trail.clone();
    Effect::new(move |_| {
        let Some(svg) = svg_ref.get() else { return };
        if let Err(e) = draw(&svg, d, &here, &steps_trail) {
            console.notice.set(Some(format!("The lifecycle diagram could not be drawn: {}", js_message(&e))));
        }
        // Wider than its frame: the current state in view.
        if let (Some(frame), Some(n)) = (svg.parent_element(), d.nodes.iter().find(|n| n.name == here)) {
            let shown = svg.get_bounding_client_rect().width();
            let left = n.center * shown / width - f64::from(frame.client_width()) / 2.0;
            #[allow(clippy::cast_possible_truncation)] // a few thousand pixels at most
            frame.set_scroll_left(left.max(0.0).round() as i32);
        }
    });
    let moves = d
        .edges
        .iter()
        .filter(|e| e.from == status)
        .map(|e| format!("{} → {}", e.action, status_label(profile, e.to)))
        .collect::<Vec<_>>()
        .join(", ");
    let summary = format!(
        "{} lifecycle; this payment is {} ({}); {}",
        profile.vendor(),
        words_of(profile, &status),
        status,
        if moves.is_empty() { "no move leads on from it".to_owned() } else { format!("allowed: {moves}") }
    );
    let now_words = words_of(profile, &status);
    let code = (now_words != status).then_some(status);
    view! {
        <div class="lifecycle-panel">
            <p class="lifecycle-now" data-testid="lifecycle-now">
                "Now: " <strong>{now_words}</strong> " " <code>{code}</code>
                {if moves.is_empty() { " — final, no move leads on.".to_owned() } else { format!(" — allowed: {moves}") }}
            </p>
            <div class="lifecycle-tools" role="group" aria-label="Diagram view" on:click=on_tool>
                <button type="button" data-testid="lifecycle-zoom-in" aria-label="Zoom in">"+"</button>
                <button type="button" data-testid="lifecycle-zoom-out" aria-label="Zoom out">"−"</button>
                <button type="button" data-testid="lifecycle-zoom-reset">"Reset view"</button>
                <button type="button" data-testid="lifecycle-download">"Download SVG"</button>
            </div>
            <div class="lifecycle-frame" tabindex="0" role="group" aria-label="Lifecycle diagram: scroll with the arrow keys, or drag it">
                <svg class="lifecycle" data-testid="lifecycle" role="img" node_ref=svg_ref aria-label=summary
                    viewBox=format!("0 0 {} {}", num(width), num(height)) width=num(width) height=num(height)
                    style=format!("min-width: {}px; max-width: {}px", num((width * MIN_SCALE).ceil()), num((width * 1.25).ceil()))
                    font-family="system-ui, -apple-system, 'Segoe UI', sans-serif"
                    on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up.clone() on:pointercancel=on_up>
                    <defs></defs>
                    <rect class="backdrop" x="0" y="0" width=num(width) height=num(height) fill="#ffffff"/>
                    <g data-testid="lifecycle-viewport" transform="translate(0 0) scale(1)"></g>
                </svg>
            </div>
            <ol class="lifecycle-trail" data-testid="lifecycle-trail" aria-label="The path this payment took in this console">
                {trail.into_iter().enumerate().map(|(i, s)| {
                    let words = words_of(profile, &s);
                    let code = (words != s).then(|| s.clone());
                    view! { <li data-status=s>{if i == 0 { "seen " } else { "→ " }} {words} " " <code>{code}</code></li> }
                }).collect_view()}
            </ol>
            <p class="hint">"Drag the diagram to pan it. Numbered moves are the steps this payment took in this console."</p>
        </div>
    }
    .into_any()
}

const SVG_NS: &str = "http://www.w3.org/2000/svg";
/// The group the drawing is in, zoomed and panned.
const VIEWPORT: &str = "[data-testid=\"lifecycle-viewport\"]";

/// Appends an SVG element with these attributes (and text, as text) to `parent`.
fn add(
    parent: &web_sys::Element,
    tag: &str,
    attrs: &[(&str, &str)],
    text: Option<&str>,
) -> Result<web_sys::Element, JsValue> {
    let el = document().create_element_ns(Some(SVG_NS), tag)?;
    for (name, value) in attrs {
        el.set_attribute(name, value)?;
    }
    if text.is_some() {
        el.set_text_content(text);
    }
    parent.append_child(&el)?;
    Ok(el)
}

/// Draws `d` into the viewport group of `svg` (and its arrowheads into its `defs`): every move, then the labels
/// over them, then the states; the payment's `status` and the moves allowed from it highlighted,
/// the moves of its `trail` numbered. Whatever was drawn before is replaced.
fn draw(svg: &web_sys::Element, d: &Diagram, status: &str, trail: &[String]) -> Result<(), JsValue> {
    let (Some(defs), Some(g)) = (svg.query_selector("defs")?, svg.query_selector(VIEWPORT)?) else {
        return Err(JsValue::from_str("the diagram's groups are missing"));
    };
    let (defs, g) = (&defs, &g);
    g.set_text_content(None);
    defs.set_text_content(None);
    for (name, colour) in [("muted", MUTED), ("allowed", ACCENT), ("taken", TAKEN)] {
        let id = format!("lc-arrow-{name}");
        let marker = add(
            defs,
            "marker",
            &[
                ("id", &id),
                ("viewBox", "0 0 10 10"),
                ("refX", "9"),
                ("refY", "5"),
                ("markerUnits", "userSpaceOnUse"),
                ("markerWidth", "10"),
                ("markerHeight", "10"),
                ("orient", "auto-start-reverse"),
            ],
            None,
        )?;
        add(&marker, "path", &[("d", "M 0 0 L 10 5 L 0 10 z"), ("fill", colour)], None)?;
    }
    let steps = steps(d, trail);
    let flags = |i: usize, e: &Edge| {
        let taken = steps.get(i).is_some_and(|s| !s.is_empty());
        (e.from == status, taken)
    };
    let yes_no = |b: bool| if b { "true" } else { "false" };
    for (i, e) in d.edges.iter().enumerate() {
        let (allowed, taken) = flags(i, e);
        let (stroke, marker) = match (taken, allowed) {
            (true, _) => (TAKEN, "url(#lc-arrow-taken)"),
            (false, true) => (ACCENT, "url(#lc-arrow-allowed)"),
            (false, false) => (MUTED, "url(#lc-arrow-muted)"),
        };
        let width = if taken || allowed { "2.4" } else { "1.4" };
        add(
            g,
            "path",
            &[
                ("class", "edge"),
                ("d", e.d),
                ("fill", "none"),
                ("stroke", stroke),
                ("stroke-width", width),
                ("marker-end", marker),
                ("data-from", e.from),
                ("data-action", e.action),
                ("data-to", e.to),
                ("data-allowed", yes_no(allowed)),
                ("data-taken", yes_no(taken)),
            ],
            None,
        )?;
    }
    for (i, e) in d.edges.iter().enumerate() {
        let (allowed, taken) = flags(i, e);
        let colour = if taken {
            TAKEN
        } else if allowed {
            ACCENT
        } else {
            LINE
        };
        let label = add(
            g,
            "g",
            &[
                ("class", "edge-label"),
                ("data-from", e.from),
                ("data-action", e.action),
                ("data-to", e.to),
                ("data-allowed", yes_no(allowed)),
                ("data-taken", yes_no(taken)),
            ],
            None,
        )?;
        let outline = if taken || allowed { colour } else { "none" };
        add(
            &label,
            "rect",
            &[
                ("x", e.lx),
                ("y", e.ly),
                ("width", e.lw),
                ("height", e.lh),
                ("rx", "4"),
                ("fill", "#ffffff"),
                ("fill-opacity", "0.94"),
                ("stroke", outline),
            ],
            None,
        )?;
        let weight = if taken || allowed { "600" } else { "400" };
        add(
            &label,
            "text",
            &[
                ("x", e.tx),
                ("y", e.ty),
                ("text-anchor", "middle"),
                ("font-size", "12"),
                ("fill", colour),
                ("font-weight", weight),
            ],
            Some(e.action),
        )?;
        if let Some(numbers) = steps.get(i).filter(|s| !s.is_empty()) {
            let numbers = numbers.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
            let step = add(&label, "g", &[("class", "step"), ("data-testid", "lifecycle-step")], None)?;
            add(&step, "circle", &[("cx", e.lx), ("cy", e.ly), ("r", "9"), ("fill", TAKEN)], None)?;
            add(
                &step,
                "text",
                &[
                    ("x", e.lx),
                    ("y", e.ly),
                    ("dy", "4"),
                    ("text-anchor", "middle"),
                    ("font-size", "12"),
                    ("font-weight", "700"),
                    ("fill", "#ffffff"),
                ],
                Some(&numbers),
            )?;
        }
    }
    for n in d.nodes {
        let here = n.name == status;
        let next = d.edges.iter().any(|e| e.from == status && e.to == n.name);
        let seen = trail.iter().any(|s| s == n.name);
        let class = match (here, n.terminal) {
            (true, true) => "state current terminal",
            (true, false) => "state current",
            (false, true) => "state terminal",
            (false, false) => "state",
        };
        let node = add(
            g,
            "g",
            &[
                ("class", class),
                ("data-state", n.name),
                ("data-current", yes_no(here)),
                ("data-next", yes_no(next)),
                ("data-seen", yes_no(seen)),
            ],
            None,
        )?;
        add(&node, "title", &[], Some(&format!("{} ({})", n.words, n.name)))?;
        let fill = if here {
            "#ddf4ff"
        } else if seen {
            "#fbefff"
        } else {
            "#f6f8fa"
        };
        let stroke = if here || next {
            ACCENT
        } else if seen {
            TAKEN
        } else {
            LINE
        };
        let width = if here {
            "3"
        } else if n.terminal || next {
            "2.2"
        } else {
            "1.2"
        };
        add(
            &node,
            "rect",
            &[
                ("x", n.x),
                ("y", n.y),
                ("width", n.w),
                ("height", n.h),
                ("rx", "6"),
                ("fill", fill),
                ("stroke", stroke),
                ("stroke-width", width),
                ("stroke-dasharray", if next { "5 3" } else { "none" }),
            ],
            None,
        )?;
        add(
            &node,
            "text",
            &[
                ("class", "words"),
                ("x", n.cx),
                ("y", n.words_y),
                ("text-anchor", "middle"),
                ("font-size", "13"),
                ("fill", INK),
                ("font-weight", if here { "700" } else { "400" }),
            ],
            Some(n.words),
        )?;
        if n.show_code {
            add(
                &node,
                "text",
                &[
                    ("class", "code"),
                    ("x", n.cx),
                    ("y", n.code_y),
                    ("text-anchor", "middle"),
                    ("font-size", "12"),
                    ("fill", LINE),
                    ("font-family", "ui-monospace, SFMono-Regular, Menlo, monospace"),
                ],
                Some(n.name),
            )?;
        }
    }
    Ok(())
}

/// The status in the vendor's words (plentymarkets' `1 awaiting approval` without its code).
fn words_of(profile: Profile, status: &str) -> String {
    let label = status_label(profile, status);
    match label.strip_prefix(status).map(str::trim_start) {
        Some(w) if !w.is_empty() => w.to_owned(),
        _ => label,
    }
}

/// The drawing as a standalone SVG file: a copy without the view's zoom and pan and the page's
/// sizing, serialized as XML (with its namespace; colours are attributes already).
fn standalone(svg: &web_sys::SvgElement) -> Result<String, String> {
    let copy: web_sys::Element = svg
        .clone_node_with_deep(true)
        .map_err(|e| js_message(&e))?
        .dyn_into()
        .map_err(|_| "not an element".to_owned())?;
    for name in ["style", "class", "role", "data-testid"] {
        copy.remove_attribute(name).map_err(|e| js_message(&e))?;
    }
    if let Some(g) = copy.query_selector(VIEWPORT).map_err(|e| js_message(&e))? {
        g.remove_attribute("transform").map_err(|e| js_message(&e))?;
    }
    let text = web_sys::XmlSerializer::new().and_then(|s| s.serialize_to_string(&copy)).map_err(|e| js_message(&e))?;
    Ok(format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{text}\n"))
}
