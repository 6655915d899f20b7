//! Deterministic request batches for benchmarks and cross-runtime parity checks (no randomness
//! source: a seed drives a small linear congruential generator, so every runtime builds the same bytes).

/// A seeded generator of numbers (PCG-style LCG; quality is ample for test data).
#[derive(Clone, Debug)]
pub struct Lcg(u64);

impl Lcg {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Lcg(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next number.
    pub fn next_u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        u32::try_from(self.0 >> 33).unwrap_or(0)
    }

    /// A number below `n` (`n` > 0).
    pub fn below(&mut self, n: u32) -> u32 {
        self.next_u32() % n.max(1)
    }
}

/// One plentymarkets create request as a JSON line; about one in ten has a mistake a user makes
/// (two decimals, status 20, a lower-case currency, a missing mopId, a split without parent).
pub fn plentymarkets_create_line(rng: &mut Lcg) -> String {
    let int = rng.below(100_000);
    let frac = rng.below(10_000);
    let mut amount = format!("{int}.{frac:04}");
    let mut status = (rng.below(10) + 1).to_string();
    let mut currency =
        ["EUR", "USD", "GBP", "CHF", "JPY"].get(rng.below(5) as usize).copied().unwrap_or("EUR").to_owned();
    let mut mop = format!(",\"mopId\":{}", 6000 + rng.below(20));
    let mut tt = rng.below(2) + 1;
    let mut parent = String::new();
    if rng.below(10) == 0 {
        match rng.below(5) {
            0 => amount = format!("{int}.{}", frac % 100),
            1 => "20".clone_into(&mut status),
            2 => currency.make_ascii_lowercase(),
            3 => mop.clear(),
            _ => tt = 3,
        }
    } else if rng.below(20) == 0 {
        tt = 3;
        parent = format!(",\"parentId\":{}", rng.below(1000) + 1);
    }
    let kind = if rng.below(2) == 0 { "debit" } else { "credit" };
    format!(
        "{{\"profile\":\"plentymarkets\",\"method\":\"POST\",\"path\":\"/rest/payments\",\"headers\":{{\"Authorization\":\"Bearer bench\"}},\"body\":{{\"amount\":{amount},\"exchangeRatio\":1.0000{mop},\"currency\":\"{currency}\",\"type\":\"{kind}\",\"status\":{status},\"transactionType\":{tt}{parent}}}}}"
    )
}

/// `n` plentymarkets create requests as JSON Lines (the benchmark batch).
pub fn plentymarkets_create_batch(seed: u64, n: usize) -> String {
    let mut rng = Lcg::new(seed);
    let mut out = String::with_capacity(n * 240);
    for _ in 0..n {
        out.push_str(&plentymarkets_create_line(&mut rng));
        out.push('\n');
    }
    out
}
