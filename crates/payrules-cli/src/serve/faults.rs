//! Fault injection: per-sandbox rules that make matching vendor requests fail as networks and
//! gateways do — an answer of a given status, added latency, or a dropped connection — each with a
//! probability drawn from the rule's own seeded generator, so that a run repeats exactly.

use payrules::ledger::mix;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// At most this many rules per sandbox.
pub const MAX_RULES: usize = 100;
/// The longest latency a rule may add, in milliseconds.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// What a rule does to a request it fires on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Action {
    /// Answer `status` with `body` (JSON; absent: the problem shape, code `injected_fault`);
    /// the ledger never sees the request.
    Answer {
        status: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<Value>,
    },
    /// Wait `ms` milliseconds, then handle the request as usual.
    Latency { ms: u64 },
    /// Close the connection without an answer (the ledger never sees the request).
    Drop,
}

fn always() -> f64 {
    1.0
}

/// A rule: which requests (every given field must match), what to do, how often.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The profile id (`plentymarkets`); absent: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The method, in any case; absent: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// A prefix of the vendor path (after the profile: `/rest/payments`); absent: any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub action: Action,
    /// The chance that a matching request is hit, 0 to 1 (1 unless given).
    #[serde(default = "always")]
    pub probability: f64,
    /// The seed of the rule's generator (0 unless given): the same seed and the same requests
    /// give the same hits.
    #[serde(default)]
    pub seed: u64,
}

impl Rule {
    /// Why the rule cannot be used, if it cannot.
    pub fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.probability) {
            return Err(format!("`probability` is from 0 to 1, not {}", self.probability));
        }
        match &self.action {
            Action::Answer { status, .. } if !(100..=599).contains(status) => {
                Err(format!("`status` is an HTTP status from 100 to 599, not {status}"))
            }
            Action::Latency { ms } if *ms > MAX_LATENCY_MS => {
                Err(format!("`ms` is at most {MAX_LATENCY_MS}, not {ms}"))
            }
            _ => Ok(()),
        }
    }

    fn matches(&self, profile: &str, method: &str, path: &str) -> bool {
        self.profile.as_deref().is_none_or(|p| p == profile)
            && self.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method))
            && self.path.as_deref().is_none_or(|p| path.starts_with(p))
    }
}

/// A rule and how many draws its generator made.
#[derive(Debug, Clone)]
pub struct Fault {
    pub rule: Rule,
    draws: u64,
}

impl Fault {
    pub fn new(rule: Rule) -> Fault {
        Fault { rule, draws: 0 }
    }

    /// Whether the next draw hits (a uniform number in [0, 1) below the probability).
    fn draw(&mut self) -> bool {
        let n = mix(self.rule.seed.wrapping_add(self.draws));
        self.draws += 1;
        #[allow(clippy::cast_precision_loss)] // 53 bits of a uniform draw are plenty
        let uniform = (n >> 11) as f64 / (1u64 << 53) as f64;
        uniform < self.rule.probability
    }
}

/// The action of the first rule that matches the request and whose draw hits.
pub fn pick(faults: &mut [Fault], profile: &str, method: &str, path: &str) -> Option<Action> {
    faults
        .iter_mut()
        .filter(|f| f.rule.matches(profile, method, path))
        .find_map(|f| f.draw().then(|| f.rule.action.clone()))
}

#[cfg(test)]
mod tests {
    use super::{Action, Fault, Rule, pick};

    #[test]
    fn seeded_draws_repeat_and_match_what_they_say() {
        let rule = Rule {
            profile: Some("komet".to_owned()),
            method: None,
            path: Some("/api".to_owned()),
            action: Action::Drop,
            probability: 0.5,
            seed: 7,
        };
        let run = || {
            let mut faults = vec![Fault::new(rule.clone())];
            (0..64).map(|_| pick(&mut faults, "komet", "GET", "/api/x").is_some()).collect::<Vec<_>>()
        };
        let hits = run();
        assert_eq!(hits, run());
        let count = hits.iter().filter(|h| **h).count();
        assert!((16..48).contains(&count), "{count}");
        let mut faults = vec![Fault::new(rule)];
        assert!(pick(&mut faults, "crmcom", "GET", "/api/x").is_none());
        assert!(pick(&mut faults, "komet", "GET", "/other").is_none());
    }
}
