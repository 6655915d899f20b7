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
/// Amounts are JSON strings (the vendor accepts both), so a JSON Schema validator sees their
/// decimals too: the Node benchmark compares payrules with ajv on this batch.
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
        "{{\"profile\":\"plentymarkets\",\"method\":\"POST\",\"path\":\"/rest/payments\",\"headers\":{{\"Authorization\":\"Bearer bench\"}},\"body\":{{\"amount\":\"{amount}\",\"exchangeRatio\":\"1.0000\"{mop},\"currency\":\"{currency}\",\"type\":\"{kind}\",\"status\":{status},\"transactionType\":{tt}{parent}}}}}"
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

fn pick<'a>(rng: &mut Lcg, items: &[&'a str]) -> &'a str {
    let n = u32::try_from(items.len()).unwrap_or(1);
    items.get(rng.below(n) as usize).copied().unwrap_or_default()
}

/// One request of any profile and operation, valid or not, as a JSON line.
pub fn mixed_line(rng: &mut Lcg) -> String {
    let bad = rng.below(4) == 0;
    match rng.below(5) {
        0 => {
            let token = if bad && rng.below(2) == 0 { "" } else { "token_info_goes_here" };
            let id = if bad {
                pick(rng, &["\"450545\"", "-3", "1.5", "123456789012345678901"]).to_owned()
            } else {
                (450_000 + rng.below(2000)).to_string()
            };
            format!(
                r#"{{"profile":"komet","method":"POST","path":"/api/payment.mark.sync","body":{{"authenticationToken":"{token}","payments":[{{"paymentId":{id}}}]}}}}"#
            )
        }
        1 => {
            let id = if bad {
                pick(rng, &["abc", "0", "2007041x"]).to_owned()
            } else {
                (2_007_000 + rng.below(100)).to_string()
            };
            let method = if bad && rng.below(2) == 0 { "\"1\"".to_owned() } else { (rng.below(3) + 1).to_string() };
            format!(
                r#"{{"profile":"activeplatform","method":"POST","path":"/api/vendor/v1/payments/{id}/complete.json","query":{{"api_token":"654321"}},"body":{{"payment_method_id":{method}}}}}"#
            )
        }
        2 => {
            let token = if bad && rng.below(3) == 0 {
                "825D7B5BB7F62E043A7C73B0FFBF124"
            } else {
                "825D7B5BB7F62E043A7C73B0FFBF124F"
            };
            let ident = if bad {
                pick(rng, &["{}", r#"{"number":"200","id":"X"}"#, r#"{"nmuber":"200"}"#])
            } else {
                r#"{"number":"200"}"#
            };
            let state = if bad && rng.below(2) == 0 { "CANCELLED" } else { pick(rng, &["DRAFT", "POSTED"]) };
            let amount = if bad {
                pick(rng, &["\"0\"", "-5", "\"abc\""]).to_owned()
            } else {
                format!("{}.{:02}", rng.below(900) + 1, rng.below(100))
            };
            let date = if bad { "2014-02-30T10:00:00" } else { "2014-07-14T09:12:54" };
            format!(
                r#"{{"profile":"crmcom","method":"POST","path":"/payments/create","body":{{"token":"{token}","accounts_receivable_identifier":{ident},"type_identifier":{{"name":"Payment 1"}},"life_cycle_state":"{state}","payment_method_identifier":{{"name":"Bank Transfer"}},"payment_amount":{amount},"udf_date_1":"{date}"}}}}"#
            )
        }
        3 => {
            if rng.below(3) == 0 {
                let page = if bad { "0" } else { "2" };
                let status = if bad { pick(rng, &["20", "11", "x"]) } else { pick(rng, &["1", "5", "10"]) };
                format!(
                    r#"{{"profile":"plentymarkets","method":"GET","path":"/rest/payments/status/{status}","query":{{"page":"{page}"}},"headers":{{"Authorization":"Bearer t"}}}}"#
                )
            } else {
                plentymarkets_create_line(rng)
            }
        }
        _ => {
            let amount = if bad {
                pick(rng, &["\"12.5\"", "0", "-1"]).to_owned()
            } else {
                format!("{}.{:02}", rng.below(5000), rng.below(100))
            };
            let date =
                if bad { pick(rng, &["2021-02-29T10:00:00Z", "26/04/2021"]) } else { "2021-04-26T15:25:27.587Z" };
            let auth = if bad && rng.below(3) == 0 { "Basic abc" } else { "Bearer t" };
            format!(
                r#"{{"profile":"logisense","method":"POST","path":"/Payment","headers":{{"Authorization":"{auth}"}},"body":{{"date":"{date}","amount":{amount},"accountId":{},"paymentTypeId":{}}}}}"#,
                rng.below(30) + 1,
                rng.below(5) + 1
            )
        }
    }
}

/// `n` requests over all five profiles (about a quarter invalid) as JSON Lines: the parity batch.
pub fn mixed_batch(seed: u64, n: usize) -> String {
    let mut rng = Lcg::new(seed);
    let mut out = String::with_capacity(n * 260);
    for _ in 0..n {
        out.push_str(&mixed_line(&mut rng));
        out.push('\n');
    }
    out
}
