//! Lays a lifecycle table out as a layered graph with layout-rs (ranks, crossing reduction,
//! Brandes–Köpf placement; edge labels and long edges become vertices of their own), for the
//! console's diagram — computed natively by its build script, so no layout code is compiled into
//! its WebAssembly — and for `payrules diagram --format svg`.
//!
//! Sizes are estimated from character counts with the fonts the console draws in ([`STATE_PX`],
//! [`CODE_PX`], [`LABEL_PX`]); the browser test checks the estimate against real text.

use std::fmt::Write as _;

use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::Point;
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;
use payrules::lifecycle::LifecycleTable;

/// The font size of a state's name in words.
pub const STATE_PX: f64 = 13.0;
/// The font size of a state's code (monospace).
pub const CODE_PX: f64 = 12.0;
/// The font size of an edge's action label.
pub const LABEL_PX: f64 = 12.0;
/// The smallest font size drawn; the console never scales the diagram below
/// `MIN_READABLE_PX / MIN_FONT_PX`.
pub const MIN_FONT_PX: f64 = 12.0;
/// The smallest font size a reader should get on screen.
pub const MIN_READABLE_PX: f64 = 11.0;
/// Width of one character of proportional text, in ems (generous: DejaVu Sans averages ~0.55).
const EM_PROPORTIONAL: f64 = 0.62;
/// Width of one character of monospace text, in ems.
const EM_MONO: f64 = 0.61;
const BOX_PAD_X: f64 = 12.0;
const MARGIN: f64 = 12.0;
/// The label box drawn inside the room layout-rs reserves for it (`chars × size + 20` wide,
/// `size + 20` high with [`LABEL_LAYOUT_SIZE`]).
const LABEL_LAYOUT_SIZE: usize = 8;
const LABEL_PAD_X: f64 = 5.0;
const LABEL_H: f64 = 18.0;
/// How far a self-loop reaches out of its box.
const LOOP_W: f64 = 32.0;

/// An axis-aligned rectangle: top-left corner and size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    /// Whether `(x, y)` lies inside, `inset` units away from every side.
    pub fn contains(&self, x: f64, y: f64, inset: f64) -> bool {
        x > self.x + inset && x < self.x + self.w - inset && y > self.y + inset && y < self.y + self.h - inset
    }

    /// Whether the two rectangles share any area.
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

/// A placed state.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The vendor's code for the status.
    pub name: &'static str,
    /// The status in the vendor's words (the label without a leading code).
    pub words: String,
    /// Whether the code is drawn on a line of its own (it differs from the words).
    pub show_code: bool,
    /// Payments can be created in it.
    pub initial: bool,
    /// Nothing leads out.
    pub terminal: bool,
    /// The box.
    pub rect: Rect,
}

/// A cubic Bézier segment: start, two control points, end.
pub type Cubic = [(f64, f64); 4];

/// A placed move.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// From this status…
    pub from: &'static str,
    /// …this action…
    pub action: &'static str,
    /// …leads here.
    pub to: &'static str,
    /// The curve, from `from`'s box to `to`'s box.
    pub curve: Vec<Cubic>,
    /// The label's box (its text centred in it).
    pub label: Rect,
    /// A move that stays in its status.
    pub self_loop: bool,
}

/// A laid-out lifecycle.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    /// The profile id.
    pub profile: &'static str,
    /// The states, in table order.
    pub nodes: Vec<Node>,
    /// The moves, in table order.
    pub edges: Vec<Edge>,
    /// The drawing's size.
    pub width: f64,
    /// The drawing's size.
    pub height: f64,
}

fn count(s: &str) -> f64 {
    f64::from(u32::try_from(s.chars().count()).unwrap_or(u32::MAX))
}

/// The width of `text` drawn proportionally at `px`.
pub fn text_width(text: &str, px: f64) -> f64 {
    count(text) * px * EM_PROPORTIONAL
}

/// The status in words: the label without the code it starts with (plentymarkets' `1 awaiting
/// approval` is `awaiting approval`, code `1`).
pub fn words(name: &str, label: &str) -> String {
    label.strip_prefix(name).map(str::trim_start).filter(|w| !w.is_empty() && label != name).unwrap_or(label).to_owned()
}

/// An arrow as drawn: its id, layout-rs' path, and which ends have heads.
type Recorded = (String, Vec<(Point, Point)>, (bool, bool));

/// What the layout backend is handed back: boxes by node, curves by edge, label texts.
#[derive(Default)]
struct Recorder {
    rects: Vec<(String, Point, Point)>,
    texts: Vec<(Point, String)>,
    arrows: Vec<Recorded>,
}

impl RenderBackend for Recorder {
    fn draw_rect(&mut self, xy: Point, size: Point, _: &StyleAttr, properties: Option<String>, _: Option<ClipHandle>) {
        if let Some(id) = properties {
            self.rects.push((id, xy, size));
        }
    }
    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}
    fn draw_circle(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}
    fn draw_text(&mut self, xy: Point, text: &str, _: &StyleAttr) {
        self.texts.push((xy, text.to_owned()));
    }
    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _: bool,
        head: (bool, bool),
        _: &StyleAttr,
        properties: Option<String>,
        _: &str,
    ) {
        if let Some(id) = properties {
            self.arrows.push((id, path.to_vec(), head));
        }
    }
    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}

/// layout-rs' path (`M p0 C c0, c1, p1 S c, p …`: an exit vector, then entry vectors) as
/// explicit cubic segments.
fn cubics(path: &[(Point, Point)]) -> Vec<Cubic> {
    let xy = |p: Point| (p.x, p.y);
    let mut out: Vec<Cubic> = Vec::new();
    let (Some(first), Some(second)) = (path.first(), path.get(1)) else { return out };
    out.push([xy(first.0), xy(first.1), xy(second.0), xy(second.1)]);
    for p in path.iter().skip(2) {
        let Some(&[_, _, c2, end]) = out.last() else { break };
        // `S`: the first control point mirrors the previous second one around the joint.
        let c1 = (2.0 * end.0 - c2.0, 2.0 * end.1 - c2.1);
        out.push([end, c1, xy(p.0), xy(p.1)]);
    }
    out
}

fn reversed(curve: &[Cubic]) -> Vec<Cubic> {
    curve.iter().rev().map(|&[a, b, c, d]| [d, c, b, a]).collect()
}

/// A point of a cubic segment at `t` in 0..=1.
#[allow(clippy::many_single_char_names)] // the textbook formula's names
pub fn at(c: &Cubic, t: f64) -> (f64, f64) {
    let u = 1.0 - t;
    let [a, b, cc, d] = *c;
    let f = |a: f64, b: f64, c: f64, d: f64| u * u * u * a + 3.0 * u * u * t * b + 3.0 * u * t * t * c + t * t * t * d;
    (f(a.0, b.0, cc.0, d.0), f(a.1, b.1, cc.1, d.1))
}

/// Where the curves meet the boxes: layout-rs aims at a box's centre and may leave it by a
/// corner, across a neighbour in the same rank. Every edge instead leaves and enters a box
/// vertically, through its bottom or top side, the ports of one side spread evenly in the order of
/// where their edges go.
#[allow(clippy::many_single_char_names)] // r, k, x, y, e, c: a rectangle, a count, a point, an edge, a curve
fn attach_ports(nodes: &[Node], edges: &mut [Edge]) {
    // (edge, end: 0 start / 1 end, bottom side?, x of the curve's next joint)
    for n in nodes {
        let r = n.rect;
        let mut sides: [Vec<(usize, usize, f64)>; 2] = [Vec::new(), Vec::new()];
        for (i, e) in edges.iter().enumerate().filter(|(_, e)| !e.self_loop) {
            let (Some(first), Some(last)) = (e.curve.first(), e.curve.last()) else { continue };
            for (end, name, other) in [(0, e.from, first[3]), (1, e.to, last[0])] {
                if name != n.name {
                    continue;
                }
                let bottom = usize::from(other.1 > r.y + r.h / 2.0);
                if let Some(side) = sides.get_mut(bottom) {
                    side.push((i, end, other.0));
                }
            }
        }
        for (bottom, side) in sides.iter_mut().enumerate() {
            side.sort_by(|a, b| a.2.total_cmp(&b.2));
            let k = f64::from(u32::try_from(side.len()).unwrap_or(1)) + 1.0;
            let y = if bottom == 1 { r.y + r.h } else { r.y };
            for (slot, &(i, end, _)) in side.iter().enumerate() {
                let x = r.x + r.w * (f64::from(u32::try_from(slot).unwrap_or(0)) + 1.0) / k;
                let Some(e) = edges.get_mut(i) else { continue };
                let segment = if end == 0 { e.curve.first_mut() } else { e.curve.last_mut() };
                let Some(c) = segment else { continue };
                if end == 0 {
                    let reach = (c[3].1 - y) / 2.0;
                    c[0] = (x, y);
                    c[1] = (x, y + reach);
                } else {
                    let reach = (c[0].1 - y) / 2.0;
                    c[3] = (x, y);
                    c[2] = (x, y + reach);
                }
            }
        }
    }
}

/// Lays out a lifecycle table, top to bottom.
pub fn layout(table: &LifecycleTable) -> Diagram {
    let dir = Orientation::TopToBottom;
    let mut graph = VisualGraph::new(dir);
    let mut handles = Vec::new();
    let mut sized = Vec::new();
    for (i, s) in table.states.iter().enumerate() {
        let words = words(s.name, s.label);
        let show_code = words != s.name;
        let w = text_width(&words, STATE_PX).max(if show_code { count(s.name) * CODE_PX * EM_MONO } else { 0.0 });
        let (w, h) = ((w + 2.0 * BOX_PAD_X).ceil(), if show_code { 44.0 } else { 32.0 });
        // A state's own loops are drawn on its right, their labels beyond them: the layout gets a
        // vertex wide enough for all of it (layout-rs' own self-loop vertices land on other labels).
        let loop_room = table
            .transitions
            .iter()
            .filter(|t| t.from == s.name && t.to == s.name)
            .map(|t| LOOP_W + text_width(t.action, LABEL_PX) + 2.0 * LABEL_PAD_X)
            .fold(0.0, f64::max);
        let size = Point::new(w + loop_room, h);
        let shape = ShapeKind::new_box(s.name);
        let element = Element::create_with_properties(shape, StyleAttr::simple(), dir, size, format!("n{i}"));
        handles.push(graph.add_node(element));
        sized.push((words, show_code, w));
    }
    let index = |name: &str| table.states.iter().position(|s| s.name == name);
    let mut look = StyleAttr::simple();
    look.font_size = LABEL_LAYOUT_SIZE;
    for (i, t) in table.transitions.iter().enumerate() {
        let (Some(f), Some(to)) = (index(t.from), index(t.to)) else { continue };
        let (Some(&hf), Some(&ht)) = (handles.get(f), handles.get(to)) else { continue };
        if f == to {
            continue;
        }
        let mut arrow = Arrow::simple(t.action);
        arrow.look = look.clone();
        arrow.properties = Some(format!("e{i}"));
        graph.add_edge(arrow, hf, ht);
    }
    let mut rec = Recorder::default();
    graph.do_it(false, false, false, &mut rec);

    let mut nodes: Vec<Node> = table
        .states
        .iter()
        .zip(sized)
        .enumerate()
        .map(|(i, (s, (words, show_code, w)))| {
            let id = format!("n{i}");
            let rect = rec.rects.iter().find(|r| r.0 == id).map_or(
                Rect { x: 0.0, y: 0.0, w: 0.0, h: 0.0 },
                |(_, xy, size)| Rect { x: xy.x, y: xy.y, w, h: size.y },
            );
            Node { name: s.name, words, show_code, initial: s.initial, terminal: s.terminal, rect }
        })
        .collect();
    let rect_of = |name: &str| nodes.iter().find(|n| n.name == name).map(|n| n.rect);
    let mut edges = Vec::new();
    let mut used_texts = vec![false; rec.texts.len()];
    for (i, t) in table.transitions.iter().enumerate() {
        let w = text_width(t.action, LABEL_PX) + 2.0 * LABEL_PAD_X;
        if t.from == t.to {
            let Some(r) = rect_of(t.from) else { continue };
            // On the box's right, its label beyond it (the lifecycles have one loop per state at
            // most: a second would be drawn over the first, which the tests would notice).
            let right = r.x + r.w;
            let cy = r.y + r.h / 2.0;
            let (top, bottom) = ((right, cy - 9.0), (right, cy + 9.0));
            let curve = vec![[top, (right + LOOP_W, cy - 30.0), (right + LOOP_W, cy + 30.0), bottom]];
            let label = Rect { x: right + LOOP_W - 4.0, y: cy - LABEL_H / 2.0, w, h: LABEL_H };
            edges.push(Edge { from: t.from, action: t.action, to: t.to, curve, label, self_loop: true });
            continue;
        }
        let id = format!("e{i}");
        let Some((_, path, head)) = rec.arrows.iter().find(|a| a.0 == id) else { continue };
        let mut curve = cubics(path);
        // layout-rs draws a back edge reversed, its head at the start: turn it round.
        if head.0 && !head.1 {
            curve = reversed(&curve);
        }
        // The label: the text layout-rs placed on a joint of this edge's path (a label vertex's
        // centre is its box's bottom middle, the text at its middle).
        let joints: Vec<(f64, f64)> = curve.iter().map(|c| c[3]).collect();
        let half = f64::midpoint(f64::from(u32::try_from(LABEL_LAYOUT_SIZE).unwrap_or(8)), 20.0);
        let found = rec.texts.iter().enumerate().find(|(k, (p, text))| {
            !used_texts.get(*k).copied().unwrap_or(true)
                && text == t.action
                && joints.iter().any(|j| (j.0 - p.x).abs() < 0.5 && (j.1 - (p.y + half)).abs() < 0.5)
        });
        let (mid_x, mid_y) = match found {
            Some((k, (p, _))) => {
                if let Some(u) = used_texts.get_mut(k) {
                    *u = true;
                }
                (p.x, p.y)
            }
            None => curve.get(curve.len() / 2).map_or((0.0, 0.0), |c| at(c, 0.0)),
        };
        let label = Rect { x: mid_x - w / 2.0, y: mid_y - LABEL_H / 2.0, w, h: LABEL_H };
        edges.push(Edge { from: t.from, action: t.action, to: t.to, curve, label, self_loop: false });
    }
    attach_ports(&nodes, &mut edges);

    // Everything to the positive quadrant, with a margin.
    let mut min = (f64::INFINITY, f64::INFINITY);
    let mut max = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    let mut grow = |x: f64, y: f64| {
        min = (min.0.min(x), min.1.min(y));
        max = (max.0.max(x), max.1.max(y));
    };
    for n in &nodes {
        grow(n.rect.x, n.rect.y);
        grow(n.rect.x + n.rect.w, n.rect.y + n.rect.h);
    }
    for e in &edges {
        grow(e.label.x, e.label.y);
        grow(e.label.x + e.label.w, e.label.y + e.label.h);
        for c in &e.curve {
            for k in 0..=16 {
                let p = at(c, f64::from(k) / 16.0);
                grow(p.0, p.1);
            }
        }
    }
    let (dx, dy) = (MARGIN - min.0, MARGIN - min.1);
    for n in &mut nodes {
        n.rect.x += dx;
        n.rect.y += dy;
    }
    for e in &mut edges {
        e.label.x += dx;
        e.label.y += dy;
        for c in &mut e.curve {
            for p in c.iter_mut() {
                *p = (p.0 + dx, p.1 + dy);
            }
        }
    }
    Diagram {
        profile: table.profile,
        nodes,
        edges,
        width: (max.0 - min.0 + 2.0 * MARGIN).ceil(),
        height: (max.1 - min.1 + 2.0 * MARGIN).ceil(),
    }
}

/// A coordinate as SVG text, to a tenth.
pub fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 { "0".to_owned() } else { format!("{r}") }
}

/// The edge's curve as SVG path data.
pub fn path_data(e: &Edge) -> String {
    let mut d = String::new();
    for (i, c) in e.curve.iter().enumerate() {
        if i == 0 {
            let _ = write!(d, "M{} {}", num(c[0].0), num(c[0].1));
        }
        let _ = write!(
            d,
            " C{} {} {} {} {} {}",
            num(c[1].0),
            num(c[1].1),
            num(c[2].0),
            num(c[2].1),
            num(c[3].0),
            num(c[3].1)
        );
    }
    d
}

/// The five diagrams as Rust source: `pub static DIAGRAMS: &[Diagram]` of the console's
/// `diagram` module's types (every number already SVG text, so the console formats none).
pub fn rust_source(diagrams: &[Diagram]) -> String {
    let mut out = String::from(
        "// Written by payrules_diagram::rust_source from payrules_diagram::layout: do not edit\n// (`PAYRULES_BLESS=1 cargo test -p payrules-diagram` rewrites it when a lifecycle changes).\n",
    );
    out.push_str("pub static DIAGRAMS: &[Diagram] = &[\n");
    for d in diagrams {
        let _ = writeln!(
            out,
            "    Diagram {{ profile: {:?}, width: {:?}, height: {:?}, nodes: &[",
            d.profile, d.width, d.height
        );
        for n in &d.nodes {
            let (cx, cy) = n.rect.center();
            let (words_y, code_y) = if n.show_code { (cy - 2.0, cy + 14.0) } else { (cy + 4.5, cy) };
            let _ = writeln!(
                out,
                "        Node {{ name: {:?}, words: {:?}, show_code: {}, initial: {}, terminal: {}, x: {:?}, y: {:?}, w: {:?}, h: {:?}, cx: {:?}, words_y: {:?}, code_y: {:?}, center: {:?} }},",
                n.name,
                n.words,
                n.show_code,
                n.initial,
                n.terminal,
                num(n.rect.x),
                num(n.rect.y),
                num(n.rect.w),
                num(n.rect.h),
                num(cx),
                num(words_y),
                num(code_y),
                cx.round()
            );
        }
        out.push_str("    ], edges: &[\n");
        for e in &d.edges {
            let (cx, cy) = e.label.center();
            let _ = writeln!(
                out,
                "        Edge {{ from: {:?}, action: {:?}, to: {:?}, self_loop: {}, d: {:?}, lx: {:?}, ly: {:?}, lw: {:?}, lh: {:?}, tx: {:?}, ty: {:?} }},",
                e.from,
                e.action,
                e.to,
                e.self_loop,
                path_data(e),
                num(e.label.x),
                num(e.label.y),
                num(e.label.w),
                num(e.label.h),
                num(cx),
                num(cy + 4.0)
            );
        }
        out.push_str("    ] },\n");
    }
    out.push_str("];\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The diagram as a standalone SVG document (styles inline), for `payrules diagram --format svg`.
pub fn svg(d: &Diagram) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" font-family="system-ui, sans-serif">"#,
        w = num(d.width),
        h = num(d.height)
    );
    out.push_str(r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="#57606a"/></marker></defs>"##);
    out.push('\n');
    for e in &d.edges {
        let _ = writeln!(
            out,
            r##"<path d="{}" fill="none" stroke="#57606a" stroke-width="1.5" marker-end="url(#arrow)"/>"##,
            path_data(e)
        );
    }
    for e in &d.edges {
        let (cx, cy) = e.label.center();
        let _ = writeln!(
            out,
            r##"<rect x="{}" y="{}" width="{}" height="{}" rx="4" fill="#ffffff" fill-opacity="0.92"/><text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="#57606a">{}</text>"##,
            num(e.label.x),
            num(e.label.y),
            num(e.label.w),
            num(e.label.h),
            num(cx),
            num(cy + 4.0),
            num(LABEL_PX),
            escape(e.action)
        );
    }
    for n in &d.nodes {
        let (cx, cy) = n.rect.center();
        let stroke = if n.terminal { "2.5" } else { "1.2" };
        let _ = write!(
            out,
            r##"<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="#f6f8fa" stroke="#57606a" stroke-width="{stroke}"/>"##,
            num(n.rect.x),
            num(n.rect.y),
            num(n.rect.w),
            num(n.rect.h)
        );
        if n.show_code {
            let _ = writeln!(
                out,
                r##"<text x="{x}" y="{}" text-anchor="middle" font-size="{}" fill="#1f2328">{}</text><text x="{x}" y="{}" text-anchor="middle" font-size="{}" font-family="ui-monospace, monospace" fill="#57606a">{}</text>"##,
                num(cy - 2.0),
                num(STATE_PX),
                escape(&n.words),
                num(cy + 14.0),
                num(CODE_PX),
                escape(n.name),
                x = num(cx)
            );
        } else {
            let _ = writeln!(
                out,
                r##"<text x="{}" y="{}" text-anchor="middle" font-size="{}" fill="#1f2328">{}</text>"##,
                num(cx),
                num(cy + 4.5),
                num(STATE_PX),
                escape(&n.words)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests;
