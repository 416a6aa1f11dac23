//! Loading (rows/s), building the exact model (whole, and a backfill's with
//! 90 % of the fast allocation kept), deferred acceptance, the fast engine
//! (capacity cuts, then swaps), and whole `allocate` runs on `generate` instances of the
//! league (1,000) and region (8,000) tiers, plus the exact engine on the
//! contract's small example. Figures go to BENCHMARKS.md with the command
//! that made them; the national and stress tiers are too long for criterion
//! and run with `scripts/bench-tier`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use xibu::commands::{self, Inputs};
use xibu::generate::{write_generated, GenerateOptions, TableFormat};
use xibu::input::records::InputPaths;

fn instance(candidates: usize, posts: usize) -> (tempfile::TempDir, Inputs) {
    let dir = tempfile::tempdir().unwrap();
    let opts = GenerateOptions {
        candidates,
        posts,
        seed: 1,
        chinese: false,
        format: TableFormat::Csv,
        ..Default::default()
    };
    write_generated(&opts, dir.path()).unwrap();
    let inputs = inputs_in(dir.path());
    (dir, inputs)
}

/// The inputs of an instance folder (candidates, posts, counties,
/// incumbents and model.toml).
fn inputs_in(d: &std::path::Path) -> Inputs {
    Inputs {
        paths: InputPaths {
            candidates: d.join("candidates.csv"),
            posts: d.join("posts.csv"),
            counties: Some(d.join("counties.csv")),
            incumbents: Some(d.join("incumbents.csv")),
        },
        model: d.join("model.toml"),
        ..Default::default()
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    for (n, posts) in [(1_000, 120), (8_000, 780)] {
        let (_dir, inputs) = instance(n, posts);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("load", n), &inputs, |b, i| {
            b.iter(|| commands::load(i).unwrap())
        });
        let pb = commands::load(&inputs).unwrap();
        g.bench_with_input(BenchmarkId::new("build_exact_model", n), &pb, |b, pb| {
            b.iter(|| xibu::solve::formulation::Formulation::build(pb, true, &[]))
        });
        g.bench_with_input(BenchmarkId::new("deferred_acceptance", n), &pb, |b, pb| {
            b.iter(|| xibu::solve::da::deferred_acceptance(pb))
        });
        g.bench_with_input(BenchmarkId::new("repair_da", n), &pb, |b, pb| {
            let da = xibu::solve::da::deferred_acceptance(pb);
            b.iter(|| xibu::solve::fast::repair::repair(pb, da.clone()))
        });
        g.bench_with_input(BenchmarkId::new("capped_da", n), &pb, |b, pb| {
            b.iter(|| xibu::solve::fast::cuts::capped_da(pb, &[]))
        });
        let start = xibu::solve::fast::cuts::capped_da(&pb, &[]).unwrap();
        g.bench_with_input(BenchmarkId::new("swaps", n), &pb, |b, pb| {
            b.iter(|| xibu::solve::fast::swaps::improve(pb, start.clone(), &[], 20))
        });
        // A backfill's model: every tenth placement freed, the rest kept.
        let mut kept = start.post_of.clone();
        for k in kept.iter_mut().filter(|k| k.is_some()).step_by(10) {
            *k = None;
        }
        g.bench_with_input(BenchmarkId::new("build_backfill_model", n), &pb, |b, pb| {
            b.iter(|| xibu::solve::formulation::Formulation::build(pb, true, &kept))
        });
        let out = tempfile::tempdir().unwrap();
        let opts = commands::AllocateOptions {
            out: out.path().to_path_buf(),
            engine: xibu::solve::Engine::Fast,
            ..Default::default()
        };
        g.bench_with_input(BenchmarkId::new("allocate_fast", n), &inputs, |b, i| {
            b.iter(|| commands::allocate(i, &opts).unwrap())
        });
    }
    g.finish();
    let mut g = c.benchmark_group("exact");
    g.sample_size(10);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/examples/rules-ties-incumbents");
    let inputs = inputs_in(&dir);
    let out = tempfile::tempdir().unwrap();
    let opts = commands::AllocateOptions {
        out: out.path().to_path_buf(),
        ..Default::default()
    };
    g.bench_function("allocate_example_rules_ties_incumbents", |b| {
        b.iter(|| commands::allocate(&inputs, &opts).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
