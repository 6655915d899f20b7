//! Lays a lifecycle table out for drawing as SVG: states in rows by their distance from the
//! initial states, moves as arrows. The table comes from the core; this only places boxes.

use payrules::lifecycle::LifecycleTable;

/// Box size and spacing, in SVG units.
pub const BOX_W: f64 = 170.0;
/// Box height.
pub const BOX_H: f64 = 38.0;
const GAP_X: f64 = 36.0;
const GAP_Y: f64 = 64.0;
const MARGIN: f64 = 14.0;

/// A placed state.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The vendor's status name.
    pub name: &'static str,
    /// The label drawn.
    pub label: &'static str,
    /// Top-left corner.
    pub x: f64,
    /// Top-left corner.
    pub y: f64,
    /// Payments can be created in it.
    pub initial: bool,
    /// Nothing leads out.
    pub terminal: bool,
}

/// A placed move.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    /// The action's name.
    pub action: &'static str,
    /// SVG path data.
    pub path: String,
    /// Where the label goes.
    pub label_x: f64,
    /// Where the label goes.
    pub label_y: f64,
}

/// The laid-out diagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// The states.
    pub nodes: Vec<Node>,
    /// The moves.
    pub edges: Vec<Edge>,
    /// The drawing's size.
    pub width: f64,
    /// The drawing's size.
    pub height: f64,
}

/// A coordinate as SVG text: a whole number without a point, else to at most two decimals (every
/// coordinate here is a multiple of a quarter). Written with integers, so the console's module
/// carries no float formatting code (`f64`'s `Display`, ~9.5 KB).
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

/// Lays out a lifecycle table.
pub fn layout(table: &LifecycleTable) -> Layout {
    // Rank: the shortest number of moves from an initial state.
    let mut rank: Vec<Option<usize>> = table.states.iter().map(|s| s.initial.then_some(0)).collect();
    loop {
        let mut changed = false;
        for t in &table.transitions {
            let from = table.states.iter().position(|s| s.name == t.from);
            let to = table.states.iter().position(|s| s.name == t.to);
            if let (Some(f), Some(to)) = (from, to)
                && let Some(r) = rank.get(f).copied().flatten()
                && rank.get(to).copied().flatten().is_none_or(|old| r + 1 < old)
                && let Some(slot) = rank.get_mut(to)
            {
                *slot = Some(r + 1);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    // States no move reaches (CRM.COM's modelled-only PENDING_VERIFICATION) get a row of their own below.
    let below = rank.iter().flatten().max().map_or(0, |m| m + 1);
    let rank: Vec<usize> = rank.into_iter().map(|r| r.unwrap_or(below)).collect();
    let mut column_in_row = vec![0usize; rank.iter().max().copied().unwrap_or(0) + 1];
    let mut nodes = Vec::new();
    for (state, &r) in table.states.iter().zip(&rank) {
        let col = column_in_row.get(r).copied().unwrap_or(0);
        if let Some(c) = column_in_row.get_mut(r) {
            *c += 1;
        }
        nodes.push(Node {
            name: state.name,
            label: state.label,
            x: MARGIN + f64::from(u32::try_from(col).unwrap_or(u32::MAX)) * (BOX_W + GAP_X),
            y: MARGIN + f64::from(u32::try_from(r).unwrap_or(u32::MAX)) * (BOX_H + GAP_Y),
            initial: state.initial,
            terminal: state.terminal,
        });
    }
    let find = |name: &str| nodes.iter().find(|n| n.name == name);
    let mut edges = Vec::new();
    for t in &table.transitions {
        let (Some(a), Some(b)) = (find(t.from), find(t.to)) else { continue };
        let (path, lx, ly) = if a.name == b.name {
            // A loop on the box's right side.
            let (x, y) = (a.x + BOX_W, a.y + BOX_H / 2.0);
            (
                format!(
                    "M {} {} C {} {} {} {} {} {}",
                    num(x),
                    num(y - 8.0),
                    num(x + 34.0),
                    num(y - 22.0),
                    num(x + 34.0),
                    num(y + 22.0),
                    num(x),
                    num(y + 8.0)
                ),
                x + 30.0,
                y + 4.0,
            )
        } else if (a.y - b.y).abs() < 1.0 {
            // Same row: side to side, bowed so opposite moves do not overlap.
            let (ax, bx) = if a.x < b.x { (a.x + BOX_W, b.x) } else { (a.x, b.x + BOX_W) };
            let y = a.y + BOX_H / 2.0 + if a.x < b.x { -6.0 } else { 6.0 };
            (format!("M {} {} L {} {}", num(ax), num(y), num(bx), num(y)), f64::midpoint(ax, bx), y - 4.0)
        } else {
            let (ax, ay) = (a.x + BOX_W / 2.0, if b.y > a.y { a.y + BOX_H } else { a.y });
            let (bx, by) = (b.x + BOX_W / 2.0, if b.y > a.y { b.y } else { b.y + BOX_H });
            let bend = if b.y > a.y { 0.0 } else { 40.0 };
            let (cx, cy) = (f64::midpoint(ax, bx) + bend, f64::midpoint(ay, by));
            (format!("M {} {} Q {} {} {} {}", num(ax), num(ay), num(cx), num(cy), num(bx), num(by)), cx + 4.0, cy)
        };
        edges.push(Edge { action: t.action, path, label_x: lx, label_y: ly });
    }
    let width = nodes.iter().map(|n| n.x + BOX_W).fold(0.0, f64::max) + MARGIN + 40.0;
    let height = nodes.iter().map(|n| n.y + BOX_H).fold(0.0, f64::max) + MARGIN;
    Layout { nodes, edges, width, height }
}
