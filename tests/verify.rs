//! `verify` on hand-made allocations with known violations: each hard
//! constraint of interface §2.3 is caught, named, and gives exit code 4.

mod common;
use common::fixture::Fixture;

use common::*;
use xibu::commands;

const MODEL: &str = r#"
name = "verify-test"
[eligibility]
health = "pass"
[adjustment]
scope = "none"
[priority]
order = ["score"]
[quotas]
local = 1
[[specialty]]
key = "rural_education"
name = "乡村教育"
[[specialty]]
key = "youth_work"
name = "基层青年工作"
[[rule]]
name = "youth_cap"
scope = "county"
count = { specialty = "youth_work" }
op = "<="
share = 0.5
"#;

fn instance() -> Fixture {
    let files = [
        ("model.toml", MODEL),
        (
            "candidates.csv",
            "id,score,health,preferences\nA,90,pass,P1;P2\nB,80,pass,P1\nC,70,fail,P1\nD,60,pass,P3;P4\nE,50,pass,P2\n",
        ),
        (
            "posts.csv",
            "id,county,league,specialty,level,seats,project\nP1,100,10,rural_education,township,1,national\nP2,100,10,youth_work,township,2,national\nP3,200,20,rural_education,township,1,local\nP4,200,20,rural_education,township,1,local\n",
        ),
        ("counties.csv", "code,league,scale\n100,10,2\n200,20,\n"),
    ];
    Fixture::new(&files)
}

fn check(dispatch: &str) -> (xibu::model::evaluate::Evaluation, std::process::Output) {
    let d = instance();
    d.write("dispatch.csv", dispatch);
    let inputs = d.inputs();
    let ev = commands::verify(&inputs, &d.path().join("dispatch.csv")).unwrap();
    let mut args = vec!["verify".to_string()];
    args.extend(input_args(&inputs));
    args.extend([
        "--dispatch".into(),
        d.path().join("dispatch.csv").display().to_string(),
        "--json".into(),
    ]);
    (ev, xibu(&args))
}

#[test]
fn a_valid_allocation_passes_with_its_objective() {
    let (ev, out) = check("candidate_id,post_id\nA,P1\nE,P2\nD,P3\n");
    assert!(ev.violations.is_empty(), "{:?}", ev.violations);
    assert_eq!(out.status.code(), Some(0));
    // Blocking pairs: B–P2? B lists only P1 (held by A, ranked above B): none.
    // E holds P2 (rank 1). D holds P3 (rank 1). Unplaced B: P1 full of A (90 > 80).
    assert_eq!(
        (
            ev.objective.envy,
            ev.objective.fill,
            ev.objective.preference
        ),
        (0, 3, 3)
    );
}

#[test]
fn each_violation_is_named() {
    let (ev, out) = check("candidate_id,post_id\nA,P1\nB,P2\nC,P2\nD,P3\nE,P2\nD,P4\n");
    let all = xibu::Msg::join(&ev.violations).en;
    for needle in [
        "candidate D holds more than one post",
        "candidate C at post P2: ineligible: medical examination",
        "candidate B at post P2: the post is not among the candidate's choices",
        "post P2: 3 volunteers (incl. 0 incumbents) for 2 seats",
        "county 100: 4 volunteers exceed its scale 2",
        "rule youth_cap in county 100: 3 of 4 volunteers, needs <= 2",
    ] {
        assert!(all.contains(needle), "{needle} not in\n{all}");
    }
    assert_eq!(out.status.code(), Some(4));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(
        v["violations"].as_array().unwrap().len(),
        ev.violations.len()
    );
}

#[test]
fn quotas_and_unlisted_posts() {
    let (ev, _) = check("candidate_id,post_id\nD,P3\nE,P3\nA,P4\n");
    let all = xibu::Msg::join(&ev.violations).en;
    assert!(
        all.contains("project local: 3 volunteers exceed its quota 1"),
        "{all}"
    );
    assert!(
        all.contains("candidate E at post P3: the post is not among the candidate's choices"),
        "{all}"
    );
}

#[test]
fn envy_counts_free_seats_and_displaceable_holders() {
    // B holds P1 although A (90) ranks above B and lists P1 first: A–P1 blocks.
    // A is unplaced, so A–P2 (free seat) blocks too. E is unplaced: E–P2 blocks.
    let (ev, _) = check("candidate_id,post_id\nB,P1\n");
    assert_eq!(ev.objective.envy, 5, "A–P1, A–P2, E–P2, D–P3, D–P4");
}

#[test]
fn unknown_ids_in_the_dispatch_are_input_errors() {
    let (_, _) = check("candidate_id,post_id\nA,P1\n");
    let d = instance();
    d.write("dispatch.csv", "报名号,岗位编号\nZ,P1\nA,P9\n");
    let inputs = d.inputs();
    let mut args = vec!["verify".to_string()];
    args.extend(input_args(&inputs));
    args.extend([
        "--dispatch".into(),
        d.path().join("dispatch.csv").display().to_string(),
    ]);
    let out = xibu(&args);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dispatch.csv:2:1: [A] 考生 Z 不存在"), "{err}");
    assert!(
        err.contains("dispatch.csv:3:2: [B] 岗位 P9 不存在"),
        "{err}"
    );
}

/// 派遣名单.xlsx holds one sheet per league: verify reads every sheet, and
/// finds what dispatch.csv holds (it used to read the first league only).
#[test]
fn verify_reads_every_sheet_of_the_excel_dispatch_list() {
    let name = "rules-ties-incumbents";
    let seed = expected(name)["seed"].as_u64().unwrap();
    let inputs = inputs_in(&example_dir(name), "csv", seed);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut a = vec!["allocate".to_string()];
    a.extend(input_args(&inputs));
    a.extend([
        "--out".into(),
        out.display().to_string(),
        "--per-county".into(),
    ]);
    let o = xibu(&a);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let verify = |dispatch: &str| {
        let mut a = vec!["verify".to_string()];
        a.extend(input_args(&inputs));
        a.extend([
            "--dispatch".into(),
            out.join(dispatch).display().to_string(),
            "--json".into(),
        ]);
        let o = xibu(&a);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (o.status.code(), v)
    };
    let (code_csv, csv) = verify("dispatch.csv");
    let (code_xlsx, xlsx) = verify("派遣名单.xlsx");
    assert_eq!(code_csv, Some(0));
    assert_eq!(
        (code_xlsx, &xlsx["objective"]),
        (Some(0), &csv["objective"])
    );
    let mut r = csv::Reader::from_path(out.join("dispatch.csv")).unwrap();
    let mut leagues: Vec<String> = r.records().map(|x| x.unwrap()[3].to_string()).collect();
    leagues.sort();
    leagues.dedup();
    assert!(
        leagues.len() > 1,
        "placements on several sheets: {leagues:?}"
    );
}

/// A table that continues on a second sheet under the same header is an
/// error, not a silent half read.
#[test]
fn rows_continued_on_another_sheet_are_an_error() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("candidates.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (sheet, id) in [("一", "A"), ("二", "B")] {
        let ws = wb.add_worksheet();
        ws.set_name(sheet).unwrap();
        for (c, v) in ["id", "score", "preferences"].iter().enumerate() {
            ws.write_string(0, c as u16, *v).unwrap();
        }
        for (c, v) in [id, "80", "P1"].iter().enumerate() {
            ws.write_string(1, c as u16, *v).unwrap();
        }
    }
    wb.save(&path).unwrap();
    std::fs::write(
        d.path().join("posts.csv"),
        "id,county,league,specialty,level,seats\nP1,150121,1501,edu,township,1\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("model.toml"),
        "[adjustment]\nscope = \"none\"\n[[specialty]]\nkey = \"edu\"\nname = \"乡村教育\"\n",
    )
    .unwrap();
    let o = xibu_str(&[
        "check",
        "--candidates",
        path.to_str().unwrap(),
        "--posts",
        d.path().join("posts.csv").to_str().unwrap(),
        "--model",
        d.path().join("model.toml").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("工作表“二”接续了这张表"), "{err}");
}
