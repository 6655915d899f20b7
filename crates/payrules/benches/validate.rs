//! `validate` over 100,000 generated plentymarkets create requests (~10% invalid), from JSON Lines
//! bytes to reports (every line's), and to verdicts with the reports of the invalid lines only
//! (`verdict_json_bytes`, the one pass). Run: `cargo bench -p payrules --bench validate`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use payrules::generate::plentymarkets_create_batch;
use payrules::{validate_json_bytes, verdict_json_bytes};

const N: usize = 100_000;

fn bench(c: &mut Criterion) {
    let batch = plentymarkets_create_batch(42, N);
    let lines: Vec<&[u8]> = batch.as_bytes().split(|&b| b == b'\n').filter(|l| !l.is_empty()).collect();
    let invalid = lines.iter().filter(|l| !validate_json_bytes(l).is_some_and(|r| r.valid)).count();
    eprintln!("batch: {N} requests, {invalid} invalid ({} per mille), {} bytes", invalid * 1000 / N, batch.len());
    let mut group = c.benchmark_group("validate");
    group.throughput(Throughput::Elements(N as u64));
    group.sample_size(10);
    group.bench_function("plentymarkets_create_100k", |b| {
        b.iter(|| {
            let mut valid = 0usize;
            for line in &lines {
                if validate_json_bytes(line).is_some_and(|r| r.valid) {
                    valid += 1;
                }
            }
            valid
        });
    });
    group.bench_function("plentymarkets_create_100k_verdicts_and_invalid_reports", |b| {
        b.iter(|| {
            let mut errors = 0usize;
            for line in &lines {
                if verdict_json_bytes(line) == Some(false) {
                    errors += validate_json_bytes(line).map_or(0, |r| r.errors.len());
                }
            }
            errors
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
