//! Lifecycles: snapshots of every diagram, and the invariants of every table.

use crate::common;

use payrules::Profile;
use payrules::lifecycle::LifecycleError;
use proptest::prelude::*;

#[test]
fn diagrams_are_stable() {
    for profile in Profile::ALL {
        common::snapshots_in_data(profile).bind(|| insta::assert_snapshot!("lifecycle", profile.lifecycle().mermaid()));
    }
}

#[test]
fn final_states_have_no_way_out_and_others_do() {
    for profile in Profile::ALL {
        let table = profile.lifecycle().table();
        for state in &table.states {
            let out = profile.lifecycle().allowed_actions(state.name).unwrap();
            assert_eq!(
                state.terminal,
                out.is_empty(),
                "{profile}: {} terminal={} but {} ways out",
                state.name,
                state.terminal,
                out.len()
            );
        }
        assert!(table.states.iter().any(|s| s.initial), "{profile}: no initial state");
        // every state is reachable from an initial one
        let mut reached: Vec<&str> = table.states.iter().filter(|s| s.initial).map(|s| s.name).collect();
        loop {
            let before = reached.len();
            for t in &table.transitions {
                if reached.contains(&t.from) && !reached.contains(&t.to) {
                    reached.push(t.to);
                }
            }
            if reached.len() == before {
                break;
            }
        }
        for s in &table.states {
            let modelled_only = profile == Profile::Crmcom && s.name == "PENDING_VERIFICATION";
            assert!(reached.contains(&s.name) || modelled_only, "{profile}: {} unreachable", s.name);
        }
        // one action never leads from one state to two places
        for (i, a) in table.transitions.iter().enumerate() {
            for b in &table.transitions[i + 1..] {
                assert!(!(a.from == b.from && a.action == b.action), "{profile}: {} {} twice", a.from, a.action);
            }
        }
    }
}

#[test]
fn refusals_name_the_state_the_action_and_what_is_allowed() {
    let lc = Profile::Crmcom.lifecycle();
    assert_eq!(lc.apply_named("DRAFT", "post"), Ok("POSTED"));
    let err = lc.apply_named("DRAFT", "cancel").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot cancel a payment that is `DRAFT`: from `DRAFT` the allowed actions are post, reject"
    );
    let err = lc.apply_named("CANCELLED", "cancel").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot cancel a payment that is `CANCELLED`: `CANCELLED` is final, no action is allowed"
    );
    let err = Profile::Plentymarkets.lifecycle().apply_named("20", "approve").unwrap_err();
    assert!(matches!(err, LifecycleError::UnknownState { .. }));
    assert!(err.to_string().contains("its statuses are 1, 2, 3"), "{err}");
    assert_eq!(Profile::Plentymarkets.lifecycle().apply_named("1 awaiting approval", "approve"), Ok("2"));
    assert_eq!(Profile::ActivePlatform.lifecycle().apply_named("waiting for payment", "complete"), Ok("completed"));
}

fn any_profile() -> impl Strategy<Value = Profile> {
    prop::sample::select(Profile::ALL.to_vec())
}

proptest! {
    /// Every (state, action) either moves exactly as the table says or is refused naming what is allowed.
    #[test]
    fn every_action_moves_or_is_refused(profile in any_profile(), state_ix in 0usize..16, action in prop_oneof![
        Just("post".to_owned()), Just("cancel".to_owned()), Just("complete".to_owned()), Just("mark_sync".to_owned()),
        Just("refund".to_owned()), Just("reverse".to_owned()), Just("approve".to_owned()), ".{0,12}"
    ]) {
        let lc = profile.lifecycle();
        let table = lc.table();
        let state = &table.states[state_ix % table.states.len()];
        let expected = table.transitions.iter().find(|t| t.from == state.name && t.action == action);
        match (lc.apply_named(state.name, &action), expected) {
            (Ok(to), Some(t)) => prop_assert_eq!(to, t.to),
            (Err(LifecycleError::Refused(e)), None) => {
                prop_assert_eq!(&e.state, state.name);
                prop_assert_eq!(&e.action, &action);
                let allowed: Vec<&str> = lc.allowed_actions(state.name).unwrap().iter().map(|a| a.action).collect();
                prop_assert_eq!(e.allowed, allowed);
            }
            (got, want) => prop_assert!(false, "{profile} {} {action}: got {got:?}, table says {want:?}", state.name),
        }
    }

    /// Names that are not states are refused as such, never treated as one.
    #[test]
    fn unknown_states_are_errors(profile in any_profile(), name in ".{0,20}") {
        let known = profile.lifecycle().table().states.iter().any(|s| s.name == name || s.label == name);
        prop_assert_eq!(profile.lifecycle().allowed_actions(&name).is_ok(), known);
    }
}
