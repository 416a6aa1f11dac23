//! Larger pools (the big tiers live in benches and `scripts/bench-tier`):
//! the fast engine keeps every hard constraint (property test on tiny
//! instances; its swap improvement scores each swap exactly, also on tiny
//! instances, and a 2,000-candidate `generate` instance checked by `verify`);
//! the exact engine never returns worse than its start, and falls back to
//! the fast engine's allocation, with a note, when its model is too large.

mod common;

use std::path::Path;

use common::tiny::{brute_force_kept, tiny};
use common::*;
use proptest::prelude::*;
use xibu::model::evaluate::evaluate;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    #[test]
    fn fast_engine_keeps_every_hard_constraint(t in tiny(7, 5)) {
        let pb = t.problem();
        if let Some(a) = xibu::solve::fast::cuts::capped_da(&pb, &[]) {
            let ev = evaluate(&pb, &a);
            prop_assert!(ev.violations.is_empty(), "{:?}", ev.violations);
        }
    }

    /// Neighbourhood search: never worse than where it started, every hard
    /// constraint held, kept placements never moved, the same answer twice
    /// (no time limit: nothing depends on the clock), and never better than
    /// the brute-force optimum.
    #[test]
    fn neighbourhood_search_never_worsens_and_keeps_every_hard_constraint(t in tiny(6, 4), keep in prop::collection::vec(any::<bool>(), 6)) {
        let pb = t.problem();
        let Some(start) = xibu::solve::fast::cuts::capped_da(&pb, &[]) else { return Ok(()) };
        let kept: Vec<_> = start.post_of.iter().zip(keep.iter().cycle()).map(|(&p, &k)| p.filter(|_| k)).collect();
        let settings = xibu::solve::settings::MipSettings::default();
        let (a, done) = xibu::solve::lns::improve(&pb, &kept, start.clone(), &settings, 3);
        let (before, after) = (evaluate(&pb, &start), evaluate(&pb, &a));
        prop_assert!(after.violations.is_empty(), "{:?}", after.violations);
        let order = &pb.policy().objective;
        prop_assert!(after.objective.lexicographic(order) <= before.objective.lexicographic(order));
        prop_assert_eq!(done.improved == 0, a == start);
        for (c, k) in kept.iter().enumerate() {
            if k.is_some() {
                prop_assert_eq!(a.post_of[c], *k);
            }
        }
        let (again, _) = xibu::solve::lns::improve(&pb, &kept, start, &settings, 3);
        prop_assert_eq!(&again, &a);
        if let Some((best, _)) = brute_force_kept(&pb, &kept) {
            prop_assert!(best.lexicographic(order) <= after.objective.lexicographic(order));
        }
    }

    /// A differential test: when every post is in one county, that county's
    /// neighbourhood is the whole problem (five candidates at most: all of
    /// them are free), so one step of the search reaches the brute-force
    /// optimum with the same placements kept.
    #[test]
    fn one_county_neighbourhood_reaches_the_brute_force_optimum(t in tiny(5, 4), keep in prop::collection::vec(any::<bool>(), 5)) {
        let mut t = t;
        for p in &mut t.posts {
            p.county = 0;
        }
        let pb = t.problem();
        let Some(start) = xibu::solve::fast::cuts::capped_da(&pb, &[]) else { return Ok(()) };
        let kept: Vec<_> = start.post_of.iter().zip(keep.iter().cycle()).map(|(&p, &k)| p.filter(|_| k)).collect();
        let settings = xibu::solve::settings::MipSettings::default();
        let (a, _) = xibu::solve::lns::improve(&pb, &kept, start, &settings, 1);
        let (best, _) = brute_force_kept(&pb, &kept).expect("the start keeps these placements");
        // Equal on the model's criteria (one left out may differ).
        let order = &pb.policy().objective;
        prop_assert_eq!(evaluate(&pb, &a).objective.lexicographic(order), best.lexicographic(order));
    }

    /// Swap improvement: the change it claims is the change `evaluate`
    /// sees, it never worsens the objective or breaks a hard constraint,
    /// and kept placements never move.
    #[test]
    fn swaps_claim_their_exact_change_and_never_worsen(t in tiny(8, 4), keep in prop::collection::vec(any::<bool>(), 8)) {
        let pb = t.problem();
        let Some(start) = xibu::solve::fast::cuts::capped_da(&pb, &[]) else { return Ok(()) };
        let kept: Vec<_> = start.post_of.iter().zip(keep.iter().cycle()).map(|(&p, &k)| p.filter(|_| k)).collect();
        let out = xibu::solve::fast::swaps::improve(&pb, start.clone(), &kept, 50);
        let (before, after) = (evaluate(&pb, &start), evaluate(&pb, &out.assignment));
        prop_assert!(after.violations.is_empty(), "{:?}", after.violations);
        prop_assert_eq!(after.objective.envy as i64 - before.objective.envy as i64, out.envy_change);
        prop_assert_eq!(after.objective.preference as i64 - before.objective.preference as i64, out.preference_change);
        prop_assert_eq!(after.objective.fill, before.objective.fill);
        let order = &pb.policy().objective;
        prop_assert!(after.objective.lexicographic(order) <= before.objective.lexicographic(order));
        prop_assert_eq!(out.swaps == 0, out.assignment == start);
        for (c, k) in kept.iter().enumerate() {
            if k.is_some() {
                prop_assert_eq!(out.assignment.post_of[c], *k);
            }
        }
    }
}

/// The move the r4000 tight instance needed (BENCHMARKS.md, 2026-12-08):
/// county C0's rural-education post only a master can hold, and the one
/// master holds an equally ranked post (one league choice) in county C1,
/// whose youth post then has to go. Rural education must be at least half
/// of each county. The start: the master in C1, C0 empty, so each of C0's
/// three youth applicants blocks. Nobody would rather be in C0, so the
/// search must reach the master's whole county: one youth applicant of C1
/// is left blocking, and that is the brute-force optimum.
#[test]
fn the_search_reaches_the_county_of_an_applicant_who_ranks_a_scarce_post_as_well() {
    use common::tiny::{Tiny, TinyCandidate, TinyCounty, TinyPost};
    use xibu::domain::types::PostIdx;
    use xibu::model::evaluate::Assignment;
    let post = |county, specialty, master_only| TinyPost {
        county,
        specialty,
        township: true,
        seats: 1,
        national: false,
        master_only,
        major_04: false,
    };
    let cand = |score, master, choices: Vec<(u8, u8)>| TinyCandidate {
        score,
        teacher: false,
        health: 0,
        project: 0,
        adjustable: false,
        master,
        major_04: false,
        choices,
    };
    let county = TinyCounty {
        league: 0,
        status: 0,
        scale: None,
    };
    let t = Tiny {
        counties: vec![county.clone(), county],
        // P0 edu (master), P1 youth in C0; P2 edu (master), P3 youth in C1.
        posts: vec![
            post(0, 0, true),
            post(0, 1, false),
            post(1, 0, true),
            post(1, 1, false),
        ],
        candidates: vec![
            cand(90, true, vec![(2, 0)]),
            cand(80, false, vec![(0, 1)]),
            cand(70, false, vec![(0, 1)]),
            cand(60, false, vec![(0, 1)]),
            cand(50, false, vec![(0, 3)]),
        ],
        incumbents: vec![],
        rules: vec![(1, 0, 5)],
        quotas: (None, None),
        adjustment: 0,
        objective: (0, 3),
        seed: 1,
    };
    let pb = t.problem();
    let at = |p: u32| Some(PostIdx::from_ix(p as usize));
    let start = Assignment {
        post_of: vec![at(2), None, None, None, at(3)],
    };
    let before = evaluate(&pb, &start);
    assert!(before.violations.is_empty(), "{:?}", before.violations);
    assert_eq!(before.objective.envy, 3);
    let settings = xibu::solve::settings::MipSettings::default();
    let (a, done) = xibu::solve::lns::improve(&pb, &[], start, &settings, 3);
    let after = evaluate(&pb, &a);
    assert!(after.violations.is_empty(), "{:?}", after.violations);
    let (best, _) = brute_force_kept(&pb, &[]).expect("the start is feasible");
    assert_eq!(best.envy, 1);
    assert_eq!(after.objective.envy, best.envy, "{done:?}: {:?}", a.post_of);
    assert_eq!(a.post_of[0], at(0), "the master moves to C0's scarce post");
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn summary(dir: &Path) -> serde_json::Value {
    json(&dir.join("summary.json"))
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
    // An independent check of every hard constraint and of the objective
    // of the run written in `out`; its summary.
    let checked = |name: &str, out: &Path| {
        let mut v = vec!["verify".to_string(), "--json".to_string()];
        v.extend(input_args(&inputs));
        v.extend([
            "--dispatch".to_string(),
            out.join("dispatch.csv").display().to_string(),
        ]);
        let o = xibu(&v);
        let check: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(check["ok"], true, "{name}: {}", check["violations"]);
        let s = summary(out);
        assert_eq!(check["objective"], s["objective"], "{name}");
        s
    };
    let run = |name: &str, extra: &[&str]| {
        let out = tmp.path().join(name);
        let mut a = vec!["allocate".to_string()];
        a.extend(input_args(&inputs));
        a.extend(["--out".to_string(), out.display().to_string()]);
        a.extend(extra.iter().map(|s| s.to_string()));
        let o = xibu(&a);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let s = checked(name, &out);
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

    // Exact with a short limit: never worse than the fast start; a bound
    // ran beside the search (a model above `LNS_FROM`) and bounds the envy
    // it reports.
    let (exact_dir, exact) = run("exact", &["--time-limit", "5"]);
    assert!(
        key(&exact) <= key(&fast),
        "{} vs {}",
        exact["objective"],
        fast["objective"]
    );
    let run_json = json(&exact_dir.join("run.json"));
    let stages: Vec<&str> = run_json["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["stage"].as_str().unwrap())
        .collect();
    assert!(
        stages
            .iter()
            .any(|s| *s == "lagrangian_bound" || *s == "county_bound")
            && stages.contains(&"neighbourhood_search"),
        "{stages:?}"
    );
    let envy_bound = exact["bound"]["envy"].as_u64().unwrap();
    assert!(envy_bound <= exact["objective"]["envy"].as_u64().unwrap());

    // The same solve as a scenario (a rayon worker: the county bound goes
    // first there, not beside): its allocation keeps every hard constraint,
    // its objective is what it reports, and its bound is below its envy.
    let toml = tmp.path().join("s.toml");
    std::fs::write(&toml, "[[scenario]]\nname = \"base\"\n").unwrap();
    let out = tmp.path().join("scenarios");
    let mut a = vec!["scenarios".to_string()];
    a.extend(input_args(&inputs));
    for (k, v) in [("--scenarios", &toml), ("--out", &out)] {
        a.extend([k.to_string(), v.display().to_string()]);
    }
    a.extend(["--time-limit", "5"].map(String::from));
    let o = xibu(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = checked("scenario base", &out.join("base"));
    assert!(s["bound"]["envy"].as_u64().unwrap() <= s["objective"]["envy"].as_u64().unwrap());

    // Backfill of every tenth placement, on the model built from the free
    // seats: both engines keep every other placement, place no withdrawn
    // candidate, and the exact one is never worse than the fast one.
    let placed = placements(&fast_dir.join("dispatch.csv"));
    let gone: Vec<&String> = placed.keys().step_by(10).collect();
    let withdrawn = tmp.path().join("withdrawn.csv");
    let ids: Vec<&str> = gone.iter().map(|s| s.as_str()).collect();
    std::fs::write(&withdrawn, format!("id\n{}\n", ids.join("\n"))).unwrap();
    let backfill = |name: &str, extra: &[&str]| {
        let out = tmp.path().join(name);
        let mut a = vec!["backfill".to_string()];
        a.extend(input_args(&inputs));
        for (k, v) in [
            ("--dispatch", fast_dir.join("dispatch.csv")),
            ("--withdrawn", withdrawn.clone()),
            ("--out", out.clone()),
        ] {
            a.extend([k.to_string(), v.display().to_string()]);
        }
        a.extend(extra.iter().map(|s| s.to_string()));
        let o = xibu(&a);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let after = placements(&out.join("dispatch.csv"));
        for (c, p) in &placed {
            if gone.contains(&c) {
                assert!(!after.contains_key(c), "{name}: withdrawn {c} placed");
            } else {
                assert_eq!(after.get(c), Some(p), "{name}: kept {c} moved");
            }
        }
        summary(&out)
    };
    let bf_fast = backfill("bf-fast", &["--engine", "fast"]);
    let bf_exact = backfill("bf-exact", &["--time-limit", "60"]);
    assert!(
        key(&bf_exact) <= key(&bf_fast),
        "{} vs {}",
        bf_exact["objective"],
        bf_fast["objective"]
    );
}

/// Share of county rules that deferred acceptance (capacities only) breaks
/// on a generated region-sized instance, from `summary.json`'s rule table.
fn county_rules_da_breaks(tmp: &Path, name: &str, extra: &[&str]) -> f64 {
    let d = tmp.join(name);
    let mut g = vec![
        "generate",
        "--candidates",
        "8000",
        "--posts",
        "780",
        "--seed",
        "2",
        "--out",
    ];
    g.push(d.to_str().unwrap());
    g.extend(extra);
    assert!(xibu_str(&g).status.success());
    let out = tmp.join(format!("{name}-da"));
    let mut a = vec!["allocate".to_string()];
    a.extend(input_args(&inputs_in(&d, "csv", 0)));
    a.extend(["--out", out.to_str().unwrap(), "--engine", "da"].map(String::from));
    let o = xibu(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = summary(&out);
    let county: Vec<&serde_json::Value> = s["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["scope"] == "county")
        .collect();
    assert!(county.len() > 100, "a region has about 100 counties");
    let broken = county.iter().filter(|r| r["ok"] == false).count();
    broken as f64 / county.len() as f64
}

/// `generate --tight` makes the hard case issue 15 asks for: deferred
/// acceptance breaks at least 5 % of the county rules, several times as
/// many as on the default instance of the same size and seed.
#[test]
fn tight_instances_make_deferred_acceptance_break_county_rules() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = county_rules_da_breaks(tmp.path(), "plain", &[]);
    let tight = county_rules_da_breaks(tmp.path(), "tight", &["--tight"]);
    assert!(tight >= 0.05, "tight: {tight}");
    assert!(tight >= 2.0 * plain, "tight {tight} vs plain {plain}");
}
