//! `xibu backfill`: against a brute-force optimum with the kept placements
//! fixed; kept placements never move; withdrawn never placed; rounds; the
//! infeasible (exit 3) and shortfall paths; bad dispatch files (exit 2).

mod common;
use common::fixture::{assert_exit, Fixture};

use std::path::PathBuf;

use common::tiny::{brute_force_kept, tiny};
use common::*;
use proptest::prelude::*;
use xibu::commands::backfill::{backfill, BackfillOptions};
use xibu::commands::{self, AllocateOptions};
use xibu::model::evaluate::evaluate;
use xibu::Error;

fn opts(out: PathBuf, dispatch: PathBuf, withdrawn: Vec<PathBuf>) -> BackfillOptions {
    BackfillOptions {
        out,
        dispatch,
        withdrawn,
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    #[test]
    fn backfill_is_optimal_with_kept_placements_fixed(t in tiny(6, 4), pick in prop::collection::vec(any::<bool>(), 6)) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        t.write(d);
        let inputs = inputs_in(d, "csv", t.seed);
        let Ok(_) = commands::allocate(&inputs, &AllocateOptions { out: d.join("a"), ..Default::default() }) else {
            return Ok(()); // infeasible instance: nothing to back-fill
        };
        let before = placements(&d.join("a/dispatch.csv"));
        let gone: Vec<String> = before.keys().zip(&pick).filter(|(_, &p)| p).map(|(k, _)| k.clone()).collect();
        let mut w = String::from("id\n");
        for g in &gone { w.push_str(g); w.push('\n'); }
        std::fs::write(d.join("withdrawn.csv"), w).unwrap();
        let result = backfill(&inputs, &opts(d.join("b"), d.join("a/dispatch.csv"), vec![d.join("withdrawn.csv")]));

        // The oracle: the instance without the withdrawn, kept placements fixed.
        let mut cands = std::fs::read_to_string(d.join("candidates.csv")).unwrap();
        cands = cands.lines().filter(|l| !gone.iter().any(|g| l.starts_with(&format!("{g},")))).collect::<Vec<_>>().join("\n") + "\n";
        let od = d.join("oracle");
        std::fs::create_dir_all(&od).unwrap();
        for f in ["posts.csv", "counties.csv", "incumbents.csv", "model.toml"] {
            std::fs::copy(d.join(f), od.join(f)).unwrap();
        }
        std::fs::write(od.join("candidates.csv"), cands).unwrap();
        let pb = commands::load(&inputs_in(&od, "csv", t.seed)).unwrap();
        let kept: Vec<_> = pb.candidates().iter().map(|c| {
            before.get(&c.id).map(|p| xibu::domain::types::PostIdx::from_ix(pb.posts().iter().position(|q| &q.id == p).unwrap()))
        }).collect();
        match (brute_force_kept(&pb, &kept), result) {
            (None, Err(Error::Infeasible(_))) => {}
            (Some((best, _)), Ok(_)) => {
                let after = placements(&d.join("b/dispatch.csv"));
                for (c, p) in &before {
                    if gone.contains(c) {
                        prop_assert!(!after.contains_key(c), "withdrawn {} placed", c);
                    } else {
                        prop_assert_eq!(after.get(c), Some(p), "kept placement of {} moved", c);
                    }
                }
                let (a, _) = commands::read_assignment(&pb, &d.join("b/dispatch.csv"), Default::default()).unwrap();
                let ev = evaluate(&pb, &a);
                prop_assert!(ev.violations.is_empty(), "{:?}", ev.violations);
                prop_assert_eq!(ev.objective.lexicographic(&pb.policy().objective), best.lexicographic(&pb.policy().objective));
            }
            (oracle, got) => prop_assert!(false, "oracle {:?} vs backfill {:?}", oracle.map(|o| o.0), got.map(|s| s.objective)),
        }
    }
}

fn example_inputs() -> xibu::commands::Inputs {
    inputs_in(&example_dir("rules-ties-incumbents"), "csv", 0)
}

#[test]
fn rounds_chain_and_changes_name_each_vacated_seat() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let inputs = example_inputs();
    commands::allocate(
        &inputs,
        &AllocateOptions {
            out: d.join("r0"),
            ..Default::default()
        },
    )
    .unwrap();
    let r0 = placements(&d.join("r0/dispatch.csv"));
    std::fs::write(d.join("w1.csv"), "报名号\nC00002\nC00006\n").unwrap();
    backfill(
        &inputs,
        &opts(
            d.join("r1"),
            d.join("r0/dispatch.csv"),
            vec![d.join("w1.csv")],
        ),
    )
    .unwrap();
    let mut r = csv::Reader::from_path(d.join("r1/changes.csv")).unwrap();
    let vacated: Vec<(String, String)> = r
        .records()
        .map(|x| x.unwrap())
        .filter(|x| !x[1].is_empty())
        .map(|x| (x[0].to_string(), x[1].to_string()))
        .collect();
    assert_eq!(
        vacated,
        [
            (r0["C00002"].clone(), "C00002".to_string()),
            (r0["C00006"].clone(), "C00006".to_string())
        ]
    );
    // Round 2 on round 1's output, earlier withdrawals kept out.
    std::fs::write(d.join("w2.csv"), "id\nC00003\n").unwrap();
    backfill(
        &inputs,
        &opts(
            d.join("r2"),
            d.join("r1/dispatch.csv"),
            vec![d.join("r1/withdrawn.csv"), d.join("w2.csv")],
        ),
    )
    .unwrap();
    let r1 = placements(&d.join("r1/dispatch.csv"));
    let r2 = placements(&d.join("r2/dispatch.csv"));
    for (c, p) in &r1 {
        if c != "C00003" {
            assert_eq!(r2.get(c), Some(p));
        }
    }
    for gone in ["C00002", "C00006", "C00003"] {
        assert!(!r2.contains_key(gone));
    }
    let unplaced = std::fs::read_to_string(d.join("r2/unplaced.csv")).unwrap();
    assert!(
        !unplaced.contains("C00002,"),
        "the withdrawn leave the pool: {unplaced}"
    );
}

const RULE_MODEL: &str = r#"
[adjustment]
scope = "none"
[[specialty]]
key = "edu"
name = "乡村教育"
[[specialty]]
key = "other"
name = "乡村社会治理"
[[rule]]
name = "rural_education_share"
scope = "county"
count = { specialty = "edu" }
op = ">="
share = 0.25
"#;

fn shortfall_case() -> Fixture {
    Fixture::new(&[
        ("model.toml", RULE_MODEL),
        ("posts.csv", "id,county,league,specialty,level,seats\nE,150121,1501,edu,township,1\nO,150121,1501,other,township,3\n"),
        ("candidates.csv", "id,score,preferences\nT,90,E\nA,80,O\nB,70,O\nC,60,O\n"),
        ("dispatch.csv", "candidate_id,post_id\nT,E\nA,O\nB,O\nC,O\n"),
        ("withdrawn.csv", "id\nT\n"),
    ])
}

#[test]
fn the_only_rural_teacher_leaving_is_infeasible_or_a_reported_shortfall() {
    let fx = shortfall_case();
    let (d, inputs) = (fx.path(), fx.inputs());
    let mut args = vec!["backfill".to_string()];
    args.extend(input_args(&inputs));
    args.extend(
        [
            "--dispatch",
            d.join("dispatch.csv").to_str().unwrap(),
            "--withdrawn",
            d.join("withdrawn.csv").to_str().unwrap(),
            "--out",
            d.join("o").to_str().unwrap(),
        ]
        .map(String::from),
    );
    let o = xibu(&args);
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("rural_education_share")
            && err.contains("150121")
            && err.contains("3 名志愿者中 0 名"),
        "{err}"
    );
    assert!(
        err.contains("--allow-shortfall"),
        "the way out is named: {err}"
    );
    // Nothing of a result: only the diagnosis (no empty dispatch, no
    // changes.csv computed against emptiness).
    let names: Vec<String> = std::fs::read_dir(d.join("o"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["diagnosis.txt"]);

    // Into the round's own folder: the round's files stay as they were.
    let before = std::fs::read(d.join("dispatch.csv")).unwrap();
    let mut own = args.clone();
    let o_at = own.iter().position(|a| a == "--out").unwrap();
    own[o_at + 1] = d.display().to_string();
    assert_eq!(xibu(&own).status.code(), Some(3));
    assert_eq!(std::fs::read(d.join("dispatch.csv")).unwrap(), before);

    // The fast engine keeps the flag (it used to exit 1).
    let mut fast = args.clone();
    fast.extend(["--allow-shortfall", "--engine", "fast"].map(String::from));
    let o = xibu(&fast);
    let err = assert_exit(&o, 0);
    assert!(
        err.contains("未达标：规则 rural_education_share 在 150121 差 0.75 人"),
        "{err}"
    );

    args.push("--allow-shortfall".into());
    let o = xibu(&args);
    assert_exit(&o, 0);
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("o/summary.json")).unwrap()).unwrap();
    let sf = &s["shortfall"][0];
    assert_eq!(
        (sf["rule"].as_str(), sf["place"].as_str()),
        (Some("rural_education_share"), Some("150121"))
    );
    assert!(
        (sf["shortfall"].as_f64().unwrap() - 0.75).abs() < 1e-9,
        "{sf}"
    );
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("未达标：规则 rural_education_share 在 150121 差 0.75 人"));
    // Kept placements stay.
    assert_eq!(placements(&d.join("o/dispatch.csv")).len(), 3);
}

#[test]
fn a_bad_dispatch_is_an_input_error_naming_rows() {
    let fx = shortfall_case();
    let (d, inputs) = (fx.path(), fx.inputs());
    std::fs::write(
        d.join("dispatch.csv"),
        "candidate_id,post_id\nT,E\nA,E\nA,O\nZ,O\nB,Q\n",
    )
    .unwrap();
    let err = backfill(
        &inputs,
        &opts(
            d.join("o"),
            d.join("dispatch.csv"),
            vec![d.join("withdrawn.csv")],
        ),
    )
    .unwrap_err()
    .to_string();
    for needle in [
        "dispatch.csv:3:2: [B] candidate A did not choose post E",
        "dispatch.csv:4:1: [A] candidate A is listed twice (first on line 3)",
        "dispatch.csv:5:1: [A] unknown candidate Z",
        "dispatch.csv:6:2: [B] unknown post Q",
        "dispatch.csv:1:1: the dispatch breaks a hard constraint: post E: 2 volunteers",
    ] {
        assert!(err.contains(needle), "{needle} not in\n{err}");
    }
    assert!(!d.join("o").exists());
}

/// 递补名单.xlsx (`--xlsx`): one row per change of changes.csv, with who
/// left (id and name), who replaces them, and their place on the round
/// before's reserve list (reserves.csv), or 候补名单外 when they were not on
/// it.
#[test]
fn the_replacement_list_names_who_left_who_replaces_and_their_reserve_place() {
    use calamine::{open_workbook, Reader, Xlsx};
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let inputs = sample_inputs();
    let o = allocate_into(&inputs, &d.join("r0"), &["--engine", "fast"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let placed: Vec<String> = placements(&d.join("r0/dispatch.csv")).into_keys().collect();
    let gone: Vec<&String> = placed.iter().step_by(8).take(6).collect();
    let w: String = gone.iter().map(|g| format!("{g}\n")).collect();
    std::fs::write(d.join("w.csv"), format!("id\n{w}")).unwrap();
    let mut a = vec!["backfill".to_string()];
    a.extend(input_args(&inputs));
    for (k, v) in [
        ("--dispatch", d.join("r0/dispatch.csv")),
        ("--withdrawn", d.join("w.csv")),
        ("--out", d.join("r1")),
    ] {
        a.extend([k.to_string(), v.display().to_string()]);
    }
    a.extend(["--xlsx", "--date", "2026-12-02", "--allow-shortfall"].map(String::from));
    let o = xibu(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let names: std::collections::HashMap<String, String> = csv_rows(&inputs.paths.candidates)
        .into_iter()
        .map(|r| (r["报名号"].clone(), r["姓名"].clone()))
        .collect();
    let reserve_place: std::collections::HashMap<(String, String), String> =
        csv_rows(&d.join("r0/reserves.csv"))
            .into_iter()
            .map(|r| {
                (
                    (r["post_id"].clone(), r["candidate_id"].clone()),
                    r["position"].clone(),
                )
            })
            .collect();
    let changes = csv_rows(&d.join("r1/changes.csv"));
    let path = d.join("r1/递补名单.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let range = wb.worksheet_range("递补名单").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(rows[0][0].contains("递补名单"));
    assert_eq!(rows[1][0], "制表日期：2026年12月2日");
    let header = &rows[2];
    let col = |h: &str| header.iter().position(|c| c == h).unwrap();
    let body = &rows[3..];
    assert_eq!(body.len(), changes.len());
    assert!(
        changes
            .iter()
            .filter(|c| !c["withdrawn_id"].is_empty())
            .count()
            == gone.len()
    );
    let mut on_list = 0;
    for (r, ch) in body.iter().zip(&changes) {
        assert_eq!(r[col("岗位编号")], ch["post_id"]);
        assert_eq!(r[col("离岗人员报名号")], ch["withdrawn_id"]);
        assert_eq!(r[col("递补人员报名号")], ch["replacement_id"]);
        if !ch["withdrawn_id"].is_empty() {
            assert_eq!(r[col("离岗人员姓名")], names[&ch["withdrawn_id"]]);
        }
        if ch["replacement_id"].is_empty() {
            assert_eq!(r[col("原候补位次")], "");
            continue;
        }
        let key = (ch["post_id"].clone(), ch["replacement_id"].clone());
        match reserve_place.get(&key) {
            Some(k) => {
                assert_eq!(&r[col("原候补位次")], k);
                on_list += 1;
            }
            None => assert_eq!(r[col("原候补位次")], "候补名单外"),
        }
    }
    assert!(on_list > 0, "some replacement came from a reserve list");
}
