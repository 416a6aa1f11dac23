//! Byte-mutation fuzzing of every reader (issue 13). cargo-fuzz needs a
//! nightly toolchain, which this workplace cannot fetch, so this is a
//! deterministic mutator over a corpus seeded from `data-samples`
//! (`tests/data/fuzz/seeds`): CSV in UTF-8 and GBK, xlsx, the model TOML,
//! scenarios, dispatch, withdrawn and locks files. Each mutated file is read
//! the way the binary reads it — tables inside a whole instance through
//! `check`, so that the problem is built too — and must give either a
//! result or input errors whose positions are real and whose messages echo
//! no ID number. A panic saves the input under
//! `tests/data/fuzz/regressions/`, which the suite replays on every run.
//!
//! `scripts/fuzz MINUTES` runs the long, ignored target.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use xibu::commands::{self, Inputs};
use xibu::error::Diagnostics;
use xibu::input::records::{read_withdrawn, InputPaths};
use xibu::Error;

fn corpus(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/fuzz")
        .join(dir)
}

/// The seed files, by name.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(corpus("seeds"))
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    v.sort();
    v
}

/// xorshift64*: a small deterministic generator, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that mean something to a CSV, TOML or xlsx reader.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b",",
    b"\r",
    b"\n",
    b"\r\n",
    b";",
    "；".as_bytes(),
    b"\0",
    b"\xFF",
    b"\xD6\xD0",
    b"=",
    b"[[",
    b"]",
    b"\"\"\"",
    b"1e400",
    b"-1",
    b"NaN",
    b"4294967296",
    b"152204199911282128",
    "😀".as_bytes(),
    b"\xEF\xBB\xBF",
    b"\t",
    b"'",
    b"#",
];

/// Apply 1–8 random edits.
fn mutate(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(b.len() + 1);
        match rng.below(6) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                b.splice(at..at, t.iter().copied());
            }
            2 => {
                let end = (at + rng.below(64)).min(b.len());
                b.drain(at..end);
            }
            3 => {
                // Repeat a slice (long values, duplicated rows).
                let end = (at + rng.below(200)).min(b.len());
                let piece: Vec<u8> = b[at..end].to_vec();
                for _ in 0..1 + rng.below(20) {
                    b.splice(at..at, piece.iter().copied());
                }
            }
            4 => b.truncate(at),
            _ => {
                let run = vec![b'a' + rng.below(26) as u8; 1 + rng.below(5000)];
                b.splice(at..at, run);
            }
        }
    }
    b
}

/// The sample instance with `name` replaced by `bytes`, written into `dir`
/// (the other files are read where they are).
fn instance_with(dir: &Path, name: &str, bytes: &[u8]) -> Inputs {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = if name == "candidates-gbk.csv" {
        "candidates.csv"
    } else {
        name
    };
    let mutated = dir.join(target);
    std::fs::write(&mutated, bytes).unwrap();
    let pick = |names: &[&str], sample: PathBuf| {
        if names.contains(&target) {
            mutated.clone()
        } else {
            sample
        }
    };
    let sample = root.join("data-samples");
    Inputs {
        paths: InputPaths {
            candidates: pick(&["candidates.csv"], sample.join("candidates.csv")),
            posts: pick(&["posts.csv"], sample.join("posts.csv")),
            counties: Some(pick(
                &["counties.csv", "counties.xlsx"],
                sample.join("counties.csv"),
            )),
            incumbents: Some(pick(&["incumbents.csv"], sample.join("incumbents.csv"))),
        },
        model: pick(
            &["model.toml"],
            root.join("models/inner-mongolia-2023-2024.toml"),
        ),
        locks: (target == "locks.csv").then(|| mutated.clone()),
        ..Default::default()
    }
}

/// Read `bytes` as the seed `name` is read; the input errors, if any.
fn read_as(name: &str, bytes: &[u8]) -> Result<(), Error> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let inputs = instance_with(dir, name, bytes);
    match name {
        "scenarios.toml" => xibu::input::scenarios::load_scenarios(&dir.join(name)).map(drop),
        "withdrawn.csv" => {
            let mut d = Diagnostics::default();
            read_withdrawn(&dir.join(name), Default::default(), &mut d);
            d.finish(())
        }
        "dispatch.csv" => commands::verify(&inputs, &dir.join(name)).map(drop),
        _ => {
            let (_, built) = commands::check(&inputs)?;
            built.map(drop)
        }
    }
}

/// Is there a run of 18 digits (the last may be X) that is not masked?
fn has_full_id(text: &str) -> bool {
    let b = text.as_bytes();
    let mut run = 0;
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_digit() || (run == 17 && matches!(c, b'X' | b'x')) {
            run += 1;
            if run == 18 && !b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Read one input; a panic or a bad error fails, and a panic is kept as a
/// regression case.
fn check_one(name: &str, bytes: &[u8], keep_crash: bool) {
    let outcome = catch_unwind(AssertUnwindSafe(|| read_as(name, bytes)));
    let problem = match outcome {
        Err(_) => Some("panicked".to_string()),
        Ok(Ok(())) => None,
        Ok(Err(Error::Input(d))) => d
            .iter()
            .find(|x| {
                x.line == 0
                    || x.column == 0
                    || has_full_id(&x.message.zh)
                    || has_full_id(&x.message.en)
            })
            .map(|x| format!("bad diagnostic: {x}")),
        Ok(Err(Error::Infeasible(_))) => None,
        Ok(Err(e)) => Some(format!("not an input error: {e}")),
    };
    if let Some(p) = problem {
        if keep_crash {
            let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
            });
            let path = corpus("regressions").join(format!("{name}--{hash:016x}"));
            std::fs::write(&path, bytes).unwrap();
            panic!("{name}: {p}; input saved as {}", path.display());
        }
        panic!("{name}: {p}");
    }
}

/// Every saved crash reads cleanly now.
#[test]
fn regressions_read_cleanly() {
    for e in std::fs::read_dir(corpus("regressions")).unwrap() {
        let p = e.unwrap().path();
        let file = p.file_name().unwrap().to_string_lossy().into_owned();
        let Some((name, _)) = file.split_once("--") else {
            continue;
        };
        check_one(name, &std::fs::read(&p).unwrap(), false);
    }
}

/// A few mutations of every seed on every run (more with XIBU_CASES).
#[test]
fn mutated_inputs_are_read_or_rejected_cleanly() {
    let n = common::cases(6);
    for (name, seed) in seeds() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ name.len() as u64);
        for _ in 0..n {
            check_one(&name, &mutate(&seed, &mut rng), true);
        }
    }
}

/// The long run: `XIBU_FUZZ_SECONDS` (default 60) of mutations, round
/// robin over the seeds, from `XIBU_FUZZ_SEED`. Prints the inputs tried.
#[test]
#[ignore]
fn fuzz_for_a_while() {
    let secs: u64 = std::env::var("XIBU_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let start: u64 = std::env::var("XIBU_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let seeds = seeds();
    let mut rng = Rng(start.max(1));
    let t = std::time::Instant::now();
    let mut tried = 0u64;
    while t.elapsed().as_secs() < secs {
        let (name, seed) = &seeds[rng.below(seeds.len())];
        check_one(name, &mutate(seed, &mut rng), true);
        tried += 1;
    }
    println!("fuzz: {tried} inputs in {secs} s, seed {start}, no failure");
}
