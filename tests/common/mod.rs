//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use xibu::commands::Inputs;
use xibu::input::records::InputPaths;

/// tests/data/examples/<name>
pub fn example_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/examples")
        .join(name)
}

/// Names of every example folder.
pub fn example_names() -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/examples"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
    v.sort();
    v
}

/// The inputs of an instance folder (optional files used when present).
pub fn inputs_in(dir: &Path, ext: &str, seed: u64) -> Inputs {
    let opt = |n: &str| {
        let p = dir.join(format!("{n}.{ext}"));
        p.exists().then_some(p)
    };
    Inputs {
        paths: InputPaths {
            candidates: dir.join(format!("candidates.{ext}")),
            posts: dir.join(format!("posts.{ext}")),
            counties: opt("counties"),
            incumbents: opt("incumbents"),
        },
        model: dir.join("model.toml"),
        encoding: Default::default(),
        seed,
        locks: opt("locks"),
        ignore_columns: Vec::new(),
    }
}

/// Command-line arguments naming the inputs of `inputs`.
pub fn input_args(inputs: &Inputs) -> Vec<String> {
    let mut v = vec![
        "--candidates".to_string(),
        inputs.paths.candidates.display().to_string(),
        "--posts".into(),
        inputs.paths.posts.display().to_string(),
        "--model".into(),
        inputs.model.display().to_string(),
        "--seed".into(),
        inputs.seed.to_string(),
    ];
    if let Some(c) = &inputs.paths.counties {
        v.extend(["--counties".to_string(), c.display().to_string()]);
    }
    if let Some(c) = &inputs.paths.incumbents {
        v.extend(["--incumbents".to_string(), c.display().to_string()]);
    }
    if let Some(c) = &inputs.locks {
        v.extend(["--locks".to_string(), c.display().to_string()]);
    }
    v
}

/// The expected.json of an example.
pub fn expected(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(example_dir(name).join("expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Property-test cases: `default` in CI, more with `XIBU_CASES=N` (the
/// environment's PROPTEST_CASES does not override an explicit count).
pub fn cases(default: u32) -> u32 {
    std::env::var("XIBU_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Run the xibu binary.
pub fn xibu(args: &[String]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_xibu"))
        .args(args)
        // The language follows the locale when --lang is absent: fix it.
        .env_remove("LC_ALL")
        .env("LANG", "zh_CN.UTF-8")
        .output()
        .expect("run xibu")
}

/// The arguments of `xibu allocate` with the inputs into `out`, then
/// `extra`.
pub fn allocate_args(inputs: &Inputs, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["allocate".to_string()];
    args.extend(input_args(inputs));
    args.extend(["--out".into(), out.display().to_string()]);
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// Run `xibu allocate` with the inputs into `out`, then `extra`.
pub fn allocate_into(inputs: &Inputs, out: &Path, extra: &[&str]) -> std::process::Output {
    xibu(&allocate_args(inputs, out, extra))
}

/// The rows of a CSV file as header → cell (a UTF-8 BOM, which xibu's
/// outputs carry, is not part of the first header).
pub fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            h.iter()
                .zip(rec.unwrap().iter())
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        })
        .collect()
}

/// The sample of data-samples/ with the bundled 2023 model (what the
/// README's sample command runs).
#[allow(dead_code)]
pub fn sample_inputs() -> Inputs {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = inputs_in(&root.join("data-samples"), "csv", 0);
    inputs.model = root.join("models/inner-mongolia-2023-2024.toml");
    inputs
}

/// Run xibu with &str arguments.
pub fn xibu_str(args: &[&str]) -> std::process::Output {
    xibu(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
}
pub mod browser;
pub mod fixture;
pub mod reference;
pub mod tiny;

/// candidate_id → post_id of a dispatch.csv (its first two columns).
pub fn placements(path: &Path) -> std::collections::BTreeMap<String, String> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|x| x.unwrap())
        .map(|x| (x[0].to_string(), x[1].to_string()))
        .collect()
}
