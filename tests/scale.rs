//! Larger pools (the big tiers live in benches and `scripts/bench-tier`):
//! the fast engine keeps every hard constraint (property test on tiny
//! instances, and a 2,000-candidate `generate` instance checked by `verify`);
//! the exact engine never returns worse than its start, and falls back to
//! the fast engine's allocation, with a note, when its model is too large.

mod common;

use std::path::Path;

use common::tiny::tiny;
use common::*;
use proptest::prelude::*;
use xibu::model::evaluate::evaluate;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    #[test]
    fn fast_engine_keeps_every_hard_constraint(t in tiny(7, 5)) {
        let dir = tempfile::tempdir().unwrap();
        t.write(dir.path());
        let pb = t.load(dir.path());
        if let Some(a) = xibu::solve::heuristic::capped_da(&pb, &[]) {
            let ev = evaluate(&pb, &a);
            prop_assert!(ev.violations.is_empty(), "{:?}", ev.violations);
        }
    }
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

fn key(s: &serde_json::Value) -> (u64, i64, u64) {
    let o = &s["objective"];
    (
        o["envy"].as_u64().unwrap(),
        -o["fill"].as_i64().unwrap(),
        o["preference"].as_u64().unwrap(),
    )
}

#[test]
fn a_two_thousand_candidate_pool() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("gen");
    let g = xibu_str(&[
        "generate",
        "--candidates",
        "2000",
        "--posts",
        "200",
        "--seed",
        "5",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert!(g.status.success());
    let inputs = inputs_in(&d, "csv", 0);
    let run = |name: &str, extra: &[&str]| {
        let out = tmp.path().join(name);
        let mut a = vec!["allocate".to_string()];
        a.extend(input_args(&inputs));
        a.extend(["--out".to_string(), out.display().to_string()]);
        a.extend(extra.iter().map(|s| s.to_string()));
        let o = xibu(&a);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        // An independent check of every hard constraint and of the objective.
        let mut v = vec!["verify".to_string(), "--json".to_string()];
        v.extend(input_args(&inputs));
        v.extend([
            "--dispatch".to_string(),
            out.join("dispatch.csv").display().to_string(),
        ]);
        let o = xibu(&v);
        let check: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(check["ok"], true, "{name}: {}", check["violations"]);
        let s = summary(&out);
        assert_eq!(check["objective"], s["objective"], "{name}");
        (out, s)
    };
    let (fast_dir, fast) = run("fast", &["--engine", "fast"]);
    assert_eq!(fast["status"], "feasible");

    // Too large for the exact engine: the fast allocation, with a note.
    let (big_dir, big) = run("big", &["--max-columns", "1000"]);
    assert_eq!(
        std::fs::read(fast_dir.join("dispatch.csv")).unwrap(),
        std::fs::read(big_dir.join("dispatch.csv")).unwrap()
    );
    assert!(big["notes"][0].as_str().unwrap().contains("max-columns"));
    assert!(big["gap"].as_f64().is_some());

    // Exact with a short limit: never worse than the fast start.
    let (_, exact) = run("exact", &["--time-limit", "5"]);
    assert!(
        key(&exact) <= key(&fast),
        "{} vs {}",
        exact["objective"],
        fast["objective"]
    );
}
