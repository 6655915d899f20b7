//! The layout of every profile's lifecycle: complete, and drawn without collisions.

use payrules::Profile;

use super::*;

fn diagrams() -> Vec<Diagram> {
    Profile::ALL.into_iter().map(|p| layout(&p.lifecycle().table())).collect()
}

/// Points along an edge's curve (64 per segment).
fn samples(e: &Edge) -> Vec<(f64, f64)> {
    e.curve.iter().flat_map(|c| (0..=64).map(move |k| at(c, f64::from(k) / 64.0))).collect()
}

fn node<'a>(d: &'a Diagram, name: &str) -> &'a Node {
    d.nodes.iter().find(|n| n.name == name).unwrap_or_else(|| panic!("{}: no box for {name}", d.profile))
}

#[test]
fn every_state_and_every_move_is_drawn_once() {
    for p in Profile::ALL {
        let table = p.lifecycle().table();
        let d = layout(&table);
        let names: Vec<_> = d.nodes.iter().map(|n| n.name).collect();
        let expected: Vec<_> = table.states.iter().map(|s| s.name).collect();
        assert_eq!(names, expected, "{}", p.id());
        let moves: Vec<_> = d.edges.iter().map(|e| (e.from, e.action, e.to)).collect();
        let expected: Vec<_> = table.transitions.iter().map(|t| (t.from, t.action, t.to)).collect();
        assert_eq!(moves, expected, "{}", p.id());
        for e in &d.edges {
            assert!(!e.curve.is_empty(), "{}: {} has no curve", p.id(), e.action);
        }
    }
}

#[test]
fn edges_run_from_their_state_to_their_state() {
    for d in diagrams() {
        for e in &d.edges {
            let (from, to) = (node(&d, e.from).rect, node(&d, e.to).rect);
            let (Some(first), Some(last)) = (e.curve.first(), e.curve.last()) else { continue };
            let near = |r: &Rect, p: (f64, f64)| {
                p.0 >= r.x - 1.0 && p.0 <= r.x + r.w + 1.0 && p.1 >= r.y - 1.0 && p.1 <= r.y + r.h + 1.0
            };
            assert!(near(&from, first[0]), "{}: {} starts away from {}", d.profile, e.action, e.from);
            assert!(near(&to, last[3]), "{}: {} ends away from {}", d.profile, e.action, e.to);
        }
    }
}

#[test]
fn no_edge_passes_through_a_box_but_its_own() {
    for d in diagrams() {
        for e in &d.edges {
            for n in d.nodes.iter().filter(|n| n.name != e.from && n.name != e.to) {
                if let Some(p) = samples(e).into_iter().find(|p| n.rect.contains(p.0, p.1, 0.0)) {
                    panic!("{}: {} ({} → {}) passes through {} at {p:?}", d.profile, e.action, e.from, e.to, n.name);
                }
            }
        }
    }
}

#[test]
fn no_edge_runs_inside_its_own_boxes() {
    // Besides leaving and reaching the border, an edge stays out of its own boxes (a few units of
    // slack for the curve's first and last bend).
    for d in diagrams() {
        for e in &d.edges {
            for name in [e.from, e.to] {
                let r = node(&d, name).rect;
                if let Some(p) = samples(e).into_iter().find(|p| r.contains(p.0, p.1, 3.0)) {
                    panic!("{}: {} runs inside {name} at {p:?}", d.profile, e.action);
                }
            }
        }
    }
}

#[test]
fn no_two_boxes_overlap() {
    for d in diagrams() {
        for (i, a) in d.nodes.iter().enumerate() {
            for b in d.nodes.iter().skip(i + 1) {
                assert!(!a.rect.overlaps(&b.rect), "{}: {} overlaps {}", d.profile, a.name, b.name);
            }
        }
    }
}

#[test]
fn no_label_overlaps_another_label_or_a_box() {
    for d in diagrams() {
        for (i, a) in d.edges.iter().enumerate() {
            for b in d.edges.iter().skip(i + 1) {
                assert!(!a.label.overlaps(&b.label), "{}: labels {} and {} overlap", d.profile, a.action, b.action);
            }
            for n in &d.nodes {
                assert!(!a.label.overlaps(&n.rect), "{}: label {} overlaps {}", d.profile, a.action, n.name);
            }
        }
    }
}

#[test]
fn labels_sit_on_their_edge() {
    for d in diagrams() {
        for e in &d.edges {
            let on = samples(e).into_iter().any(|p| e.label.contains(p.0, p.1, -6.0));
            assert!(on, "{}: the label {} is away from its edge", d.profile, e.action);
        }
    }
}

#[test]
fn self_loops_are_visible_beside_their_box() {
    let mut seen = 0;
    for d in diagrams() {
        for e in d.edges.iter().filter(|e| e.from == e.to) {
            seen += 1;
            assert!(e.self_loop);
            let r = node(&d, e.from).rect;
            // The loop goes out at least 20 units beyond the box.
            let out = samples(e)
                .into_iter()
                .map(|p| (r.x - p.0).max(p.0 - (r.x + r.w)).max(r.y - p.1).max(p.1 - (r.y + r.h)))
                .fold(f64::NEG_INFINITY, f64::max);
            assert!(
                out >= 20.0,
                "{}: the loop {} on {} reaches only {out} beyond the box",
                d.profile,
                e.action,
                e.from
            );
        }
    }
    // Komet's mark_sync on synchronized, plentymarkets' refund_partially on 10.
    assert_eq!(seen, 2);
}

#[test]
fn everything_is_inside_the_drawing() {
    for d in diagrams() {
        let inside = |x: f64, y: f64| x >= 0.0 && y >= 0.0 && x <= d.width && y <= d.height;
        for n in &d.nodes {
            assert!(inside(n.rect.x, n.rect.y) && inside(n.rect.x + n.rect.w, n.rect.y + n.rect.h), "{}", n.name);
        }
        for e in &d.edges {
            assert!(inside(e.label.x, e.label.y) && inside(e.label.x + e.label.w, e.label.y + e.label.h));
            assert!(samples(e).into_iter().all(|p| inside(p.0, p.1)), "{}: {} leaves the drawing", d.profile, e.action);
        }
    }
}

#[test]
fn states_are_named_in_words_with_their_code() {
    assert_eq!(words("1", "1 awaiting approval"), "awaiting approval");
    assert_eq!(words("DRAFT", "DRAFT"), "DRAFT");
    let plenty = layout(&Profile::Plentymarkets.lifecycle().table());
    let n = node(&plenty, "10");
    assert_eq!((n.words.as_str(), n.show_code), ("partially refunded", true));
    let crm = layout(&Profile::Crmcom.lifecycle().table());
    assert!(!node(&crm, "DRAFT").show_code);
}

#[test]
fn the_layout_is_stable_and_runs_top_to_bottom() {
    for p in Profile::ALL {
        let table = p.lifecycle().table();
        assert_eq!(layout(&table), layout(&table), "{}", p.id());
    }
    // plentymarkets' lifecycle has no cycle: every move leads down the page.
    let plenty = layout(&Profile::Plentymarkets.lifecycle().table());
    for e in plenty.edges.iter().filter(|e| !e.self_loop) {
        let (from, to) = (node(&plenty, e.from).rect, node(&plenty, e.to).rect);
        assert!(to.y > from.y + from.h, "{} leads up from {} to {}", e.action, e.from, e.to);
    }
}

#[test]
fn the_standalone_svg_names_every_state_and_action() {
    for d in diagrams() {
        let svg = svg(&d);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        for n in &d.nodes {
            assert!(svg.contains(&format!(">{}</text>", escape(&n.words))), "{}", n.name);
        }
        for e in &d.edges {
            assert!(svg.contains(&format!(">{}</text>", e.action)));
        }
    }
}

/// The console draws `crates/payrules-web/src/diagrams.rs`, written from these layouts and
/// committed (so the console's build needs neither this crate nor the core natively). It must be
/// what the tables give today; `PAYRULES_BLESS=1 cargo test -p payrules-diagram` rewrites it.
#[test]
fn the_consoles_diagrams_are_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../payrules-web/src/diagrams.rs");
    let now = rust_source(&diagrams());
    if std::env::var_os("PAYRULES_BLESS").is_some() {
        std::fs::write(&path, &now).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == now,
        "{} is not what the lifecycle tables give today: run `PAYRULES_BLESS=1 cargo test -p payrules-diagram` and commit it",
        path.display()
    );
}
