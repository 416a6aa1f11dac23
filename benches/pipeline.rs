//! Loading, problem building and deferred acceptance on `generate`
//! instances. Figures go to BENCHMARKS.md with the command that made them.

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
    };
    write_generated(&opts, dir.path()).unwrap();
    let d = dir.path();
    let inputs = Inputs {
        paths: InputPaths {
            candidates: d.join("candidates.csv"),
            posts: d.join("posts.csv"),
            counties: Some(d.join("counties.csv")),
            incumbents: Some(d.join("incumbents.csv")),
        },
        model: d.join("model.toml"),
        encoding: Default::default(),
        seed: 0,
        locks: None,
    };
    (dir, inputs)
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
        g.bench_with_input(BenchmarkId::new("deferred_acceptance", n), &pb, |b, pb| {
            b.iter(|| xibu::solve::da::deferred_acceptance(pb))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
