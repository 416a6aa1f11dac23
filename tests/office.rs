//! Office-ready outputs: the Excel lists (opened with calamine), `explain`
//! for each kind of reason on a hand-made instance, locked placements, and
//! the run.json manifest round trip (`verify --manifest`).

mod common;
use common::fixture::Fixture;

use std::path::Path;

use calamine::{open_workbook, Reader, Xlsx};
use common::tiny::{brute_force_kept, tiny};
use common::*;
use proptest::prelude::*;
use xibu::commands::{self, AllocateOptions};
use xibu::model::evaluate::evaluate;

const MODEL: &str = r#"
name = "explain"
objective = ["envy", "fill", "preference"]
[eligibility]
require_graduating = true
require_diploma_by_arrival = true
health = "not-fail"
[adjustment]
scope = "none"
[priority]
order = ["score"]
[reserves]
ratio = 1.0
[[specialty]]
key = "rural_education"
name = "乡村教育"
tiers = []
[[specialty]]
key = "rural_construction"
name = "服务乡村建设"
tiers = []
[[rule]]
name = "township_share"
label = "乡镇及以下比例"
scope = "county"
count = { level = "township" }
op = ">="
share = 0.6
"#;

/// A: the best candidate, takes P1. B ranks P1 (full of A), P2 (needs a
/// master's degree), P3 (suspended county), P4 (county level: the township
/// rule binds), and gets P5. C failed the medical. D's only choice is P1.
fn explain_instance() -> Fixture {
    Fixture::new(&[
        ("model.toml", MODEL),
        (
            "counties.csv",
            "code,name,league,status\nK1,一旗,L1,active\nK2,二旗,L1,suspended\n",
        ),
        (
            "posts.csv",
            "id,county,specialty,level,seats,degree_min\n\
         P1,K1,rural_construction,township,1,\n\
         P2,K1,rural_education,township,1,master\n\
         P3,K2,rural_education,township,1,\n\
         P4,K1,rural_construction,county,1,\n\
         P5,K1,rural_education,township,1,\n",
        ),
        (
            "candidates.csv",
            "id,name,id_number,score,health,preferences\n\
         A,甲,11010519491231002X,90,pass,P1\n\
         B,乙,,80,pass,P1;P2;P3;P4;P5\n\
         C,丙,,70,fail,P5\n\
         D,丁,,60,pass,P1\n",
        ),
    ])
}

/// The explain instance, allocated into `out/`.
fn allocated_instance() -> (Fixture, xibu::commands::Inputs, std::path::PathBuf) {
    let dir = explain_instance();
    let inputs = dir.inputs();
    let out = dir.path().join("out");
    let (code, _, err) = run(&allocate_args(&inputs, &out, &[]));
    assert_eq!(code, 0, "{err}");
    (dir, inputs, out)
}

fn run(args: &[String]) -> (i32, String, String) {
    let o = xibu(args);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// `xibu <command>` with the inputs, then `extra`.
fn command_args(command: &str, inputs: &xibu::commands::Inputs, extra: &[&str]) -> Vec<String> {
    let mut a = vec![command.to_string()];
    a.extend(input_args(inputs));
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn allocate_args(inputs: &xibu::commands::Inputs, out: &Path, extra: &[&str]) -> Vec<String> {
    let mut a = command_args("allocate", inputs, &["--out", out.to_str().unwrap()]);
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn explain(inputs: &xibu::commands::Inputs, out: &Path, who: &str, lang: &str) -> String {
    let mut a = vec!["explain".to_string()];
    a.extend(input_args(inputs));
    a.extend([
        "--dispatch".into(),
        out.join("dispatch.csv").display().to_string(),
        "--candidate".into(),
        who.into(),
        "--lang".into(),
        lang.into(),
    ]);
    let (code, stdout, stderr) = run(&a);
    assert_eq!(code, 0, "{stderr}");
    stdout
}

#[test]
fn explain_names_each_kind_of_reason() {
    let (_dir, inputs, out) = allocated_instance();
    let placed = std::fs::read_to_string(out.join("dispatch.csv")).unwrap();
    assert!(placed.contains("A,P1,"), "{placed}");
    assert!(placed.contains("B,P5,"), "{placed}");

    let en = explain(&inputs, &out, "B", "en");
    let line = |post: &str| {
        en.lines()
            .find(|l| l.contains(&format!(" {post}:")))
            .unwrap_or_else(|| panic!("no line for {post} in\n{en}"))
            .to_string()
    };
    assert!(en.contains("placed at P5 (rank 5"), "{en}");
    assert!(line("P1").contains("full") && line("P1").contains("score 90"));
    assert!(line("P2").contains("degree bachelor is below the post's minimum master"));
    assert!(line("P3").contains("suspended"));
    assert!(line("P4").contains("the rule township_share binds in county K1"));
    // A supervisor's words: third person, no internal criterion names.
    assert!(!en.contains(" you") && !en.contains("envy"), "{en}");
    assert!(
        !en.contains(" P5:"),
        "the post held is not explained as missed"
    );

    let zh = explain(&inputs, &out, "B", "zh");
    assert!(zh.contains("安排在 P5（第 5 志愿"), "{zh}");
    assert!(zh.contains("学历本科低于岗位最低学历硕士"), "{zh}");
    assert!(zh.contains("暂停"), "{zh}");
    // The rule by its Chinese label, the share in per cent.
    assert!(zh.contains("乡镇及以下比例在旗县 K1 已到界限"), "{zh}");
    assert!(zh.contains("低于规定的 60%"), "{zh}");
    assert!(!zh.contains('你') && !zh.contains("envy"), "{zh}");

    let c = explain(&inputs, &out, "C", "zh");
    assert!(
        c.contains("未安排") && c.contains("体检结果为不合格"),
        "{c}"
    );
    let a = explain(&inputs, &out, "A", "en");
    assert!(a.contains("first choice"), "{a}");

    // unplaced.csv takes its words from the same code.
    let rows = std::fs::read_to_string(out.join("unplaced.csv")).unwrap();
    let d_line = rows.lines().find(|l| l.starts_with("D,")).unwrap();
    assert!(
        d_line.contains("名额已满"),
        "unplaced.csv is Chinese by default: {d_line}"
    );
    let d_explained = explain(&inputs, &out, "D", "zh");
    assert!(
        d_explained.contains(&d_line[2..]),
        "{d_explained}\n{d_line}"
    );

    // An unknown candidate is an input error.
    let mut a = vec!["explain".to_string()];
    a.extend(input_args(&inputs));
    a.extend(
        [
            "--dispatch",
            out.join("dispatch.csv").to_str().unwrap(),
            "--candidate",
            "ZZ",
        ]
        .map(String::from),
    );
    let (code, _, err) = run(&a);
    assert_eq!(code, 2);
    assert!(err.contains("考生 ZZ（--candidate）不存在"), "{err}");
}

/// `explain` checks its dispatch as `verify` does: a candidate listed twice
/// or a dispatch that is not of these inputs gets exit 4, not explanations.
#[test]
fn explain_refuses_a_dispatch_that_breaks_the_rules() {
    let (dir, inputs, _) = allocated_instance();
    let d = dir.path();
    let explain_with = |dispatch: &Path, extra: &[&str]| {
        let mut a = command_args(
            "explain",
            &inputs,
            &["--dispatch", dispatch.to_str().unwrap(), "--candidate", "B"],
        );
        a.extend(extra.iter().map(|s| s.to_string()));
        run(&a)
    };
    // B twice.
    std::fs::write(d.join("twice.csv"), "candidate_id,post_id\nB,P1\nB,P3\n").unwrap();
    let (code, _, err) = explain_with(&d.join("twice.csv"), &[]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("担任了不止一个岗位"), "{err}");
    // Another instance's dispatch: the ids exist, the placements do not
    // hold here (C failed the health check; two on P1's one seat).
    std::fs::write(
        d.join("foreign.csv"),
        "candidate_id,post_id\nC,P5\nA,P1\nD,P1\n",
    )
    .unwrap();
    let (code, _, err) = explain_with(&d.join("foreign.csv"), &[]);
    assert_eq!(code, 4, "{err}");
    assert!(err.contains("xibu verify"), "{err}");
}

/// Inputs that differ from the run's are named; `--manifest` takes the
/// run's own and refuses when one changed.
#[test]
fn explain_names_inputs_that_differ_from_the_run_and_follows_a_manifest() {
    let (dir, mut inputs, out) = allocated_instance();
    // Another counties file (K2 no longer suspended) changes the reasons.
    let other = dir.path().join("counties-2.csv");
    std::fs::write(
        &other,
        "code,name,league,status\nK1,一旗,L1,active\nK2,二旗,L1,active\n",
    )
    .unwrap();
    let counties = inputs.paths.counties.replace(other);
    let dispatch = out.join("dispatch.csv");
    let explain_b = |inputs: &xibu::commands::Inputs| {
        run(&command_args(
            "explain",
            inputs,
            &["--dispatch", dispatch.to_str().unwrap(), "--candidate", "B"],
        ))
    };
    let (code, _, err) = explain_b(&inputs);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("提示: 那次运行从")
            && err.contains("读取 counties，而不是")
            && err.contains("counties-2.csv"),
        "{err}"
    );
    inputs.paths.counties = counties;
    let (code, expected, err) = explain_b(&inputs);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("提示"), "same inputs as the run: {err}");

    let manifest = out.join("run.json").display().to_string();
    let by_manifest =
        || run(&["explain", "--manifest", &manifest, "--candidate", "B"].map(String::from));
    let (code, stdout, err) = by_manifest();
    assert_eq!(code, 0, "{err}");
    assert_eq!(stdout, expected);
    let cand = dir.path().join("candidates.csv");
    let text = std::fs::read_to_string(&cand).unwrap();
    std::fs::write(&cand, text.replace("B,乙,,80", "B,乙,,85")).unwrap();
    let (code, _, err) = by_manifest();
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("candidates") && err.contains("CHANGED"),
        "{err}"
    );
}

/// A sheet's rows from its header row on (the title and date rows above
/// it have one cell each).
fn sheet_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let rows = all_rows(path, sheet);
    let header = rows
        .iter()
        .position(|r| r.iter().filter(|c| !c.is_empty()).count() > 1)
        .unwrap();
    rows[header..].to_vec()
}

fn all_rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

fn csv_rows(path: &Path) -> usize {
    csv::Reader::from_path(path).unwrap().records().count()
}

#[test]
fn excel_lists_have_chinese_headers_leagues_and_masked_ids() {
    let dir = example_dir("rules-ties-incumbents");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let inputs = inputs_in(&dir, "csv", 0);
    let (code, _, err) = run(&allocate_args(&inputs, &out, &["--xlsx", "--per-county"]));
    assert_eq!(code, 0, "{err}");

    let path = out.join("派遣名单.xlsx");
    let wb: Xlsx<_> = open_workbook(&path).unwrap();
    let leagues: std::collections::BTreeSet<String> =
        std::fs::read_to_string(dir.join("counties.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').nth(2).unwrap().to_string())
            .collect();
    let names: std::collections::BTreeSet<String> = wb.sheet_names().into_iter().collect();
    assert_eq!(names, leagues, "one sheet per league");
    let mut placed = 0;
    for s in &names {
        let rows = sheet_rows(&path, s);
        assert_eq!(rows[0][..4], ["盟市", "旗县代码", "旗县名称", "岗位编号"]);
        assert!(rows[0].contains(&"身份证号".to_string()));
        // Rows grouped by county (sorted by county code).
        let counties: Vec<&String> = rows[1..].iter().map(|r| &r[1]).collect();
        assert!(counties.windows(2).all(|w| w[0] <= w[1]));
        assert!(rows[1..].iter().all(|r| &r[0] == s));
        placed += rows.len() - 1;
    }
    assert_eq!(placed, csv_rows(&out.join("dispatch.csv")));
    let reserves = sheet_rows(&out.join("候补名单.xlsx"), "候补名单");
    assert_eq!(reserves.len() - 1, csv_rows(&out.join("reserves.csv")));
    let unplaced = sheet_rows(&out.join("未安排名单.xlsx"), "未安排名单");
    assert_eq!(
        unplaced[0],
        ["报名号", "姓名", "身份证号", "专业", "成绩", "原因"]
    );
    assert_eq!(unplaced.len() - 1, csv_rows(&out.join("unplaced.csv")));
    assert!(unplaced[1..].iter().all(|r| !r[5].is_empty()));
    let per_county = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("旗县-")
        })
        .count();
    assert!(per_county > 0);
}

#[test]
fn id_numbers_are_masked_unless_asked() {
    let dir = explain_instance();
    let d = dir.path();
    let inputs = dir.inputs();
    let full = "11010519491231002X";
    for (flag, want_full) in [(None, false), (Some("--show-id"), true)] {
        let out = d.join(format!("out-{want_full}"));
        let mut extra = vec!["--xlsx"];
        extra.extend(flag);
        let (code, _, err) = run(&allocate_args(&inputs, &out, &extra));
        assert_eq!(code, 0, "{err}");
        let rows = sheet_rows(&out.join("派遣名单.xlsx"), "L1");
        let col = rows[0].iter().position(|h| h == "身份证号").unwrap();
        let a = rows.iter().find(|r| r.contains(&"A".to_string())).unwrap();
        if want_full {
            assert_eq!(a[col], full);
        } else {
            assert!(a[col].contains('*') && a[col] != full, "{}", a[col]);
        }
        // Never unmasked anywhere else.
        for f in ["report.html", "run.json", "dispatch.csv", "summary.json"] {
            let text = std::fs::read_to_string(out.join(f)).unwrap();
            assert!(!text.contains(full), "{f} shows the ID number");
        }
    }
}

#[test]
fn locks_are_kept_counted_and_recorded() {
    let dir = explain_instance();
    let d = dir.path();
    let mut inputs = dir.inputs();
    // D would not get P1 (A ranks above); the office locks D there.
    std::fs::write(
        d.join("locks.csv"),
        "candidate_id,post_id,reason,author\nD,P1,家庭困难特批,团区委\n",
    )
    .unwrap();
    inputs.locks = Some(d.join("locks.csv"));
    let out = d.join("out");
    let (code, _, err) = run(&allocate_args(&inputs, &out, &[]));
    assert_eq!(code, 0, "{err}");
    let placed = std::fs::read_to_string(out.join("dispatch.csv")).unwrap();
    assert!(placed.contains("D,P1,"), "{placed}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(manifest["locks"][0]["candidate_id"], "D");
    assert_eq!(manifest["locks"][0]["author"], "团区委");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("家庭困难特批"));

    // Locks that break a hard constraint on their own: every bad row named.
    std::fs::write(
        d.join("bad-locks.csv"),
        "candidate_id,post_id,reason,author\n\
         ZZ,P1,x,y\n\
         B,P2,x,y\n\
         D,P1,x,y\n\
         A,P1,x,y\n\
         B,P4,,y\n",
    )
    .unwrap();
    inputs.locks = Some(d.join("bad-locks.csv"));
    let (code, _, err) = run(&allocate_args(&inputs, &d.join("bad"), &[]));
    assert_eq!(code, 2, "{err}");
    for want in [
        "bad-locks.csv:2:1: [A] 考生 ZZ 不存在",
        "bad-locks.csv:3:2: [B] 考生 B 不能担任岗位 P2：学历本科低于岗位最低学历硕士",
        "bad-locks.csv:5:2: [B] 岗位 P1 有 1 个名额",
        "bad-locks.csv:6:3: [C] 'reason' 为空",
    ] {
        assert!(err.contains(want), "missing {want:?} in\n{err}");
    }
    assert!(!d.join("bad").join("dispatch.csv").exists());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), ..ProptestConfig::default() })]

    /// With random locks, the exact engine matches the brute-force optimum
    /// over every assignment that keeps the locks.
    #[test]
    fn locks_match_brute_force(t in tiny(6, 4), pick in prop::collection::vec((0u8..4, any::<usize>()), 6)) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        t.write(d);
        let mut inputs = inputs_in(d, "csv", t.seed);
        let pb = t.problem();
        // Lock some candidates at one of their eligible posts.
        let mut rows = String::from("candidate_id,post_id,reason,author\n");
        let mut kept = vec![None; pb.n_candidates()];
        let mut used = vec![0u32; pb.posts().len()];
        for (c, &(on, k)) in pick.iter().enumerate().take(pb.n_candidates()) {
            let on = on > 0; // three in four candidates are locked when they can be
            let pairs = pb.pairs_of(xibu::domain::types::CandidateIdx::from_ix(c));
            if !on || pairs.is_empty() { continue; }
            let p = pairs[k % pairs.len()].post;
            if used[p.ix()] >= pb.posts()[p.ix()].open() { continue; }
            used[p.ix()] += 1;
            kept[c] = Some(p);
            rows.push_str(&format!("{},{},test,tester\n", pb.candidates()[c].id, pb.posts()[p.ix()].id));
        }
        std::fs::write(d.join("locks.csv"), rows).unwrap();
        inputs.locks = Some(d.join("locks.csv"));
        let oracle = brute_force_kept(&pb, &kept);
        let got = commands::allocate(&inputs, &AllocateOptions { out: d.join("o"), ..Default::default() });
        match (oracle, got) {
            (None, Err(xibu::Error::Infeasible(_))) => {}
            // Locks over a scale or quota are input errors before any solve.
            (None, Err(xibu::Error::Input(_))) => {}
            (Some((want, _)), Ok(s)) => {
                let order = &pb.policy().objective;
                prop_assert_eq!(s.objective.lexicographic(order), want.lexicographic(order));
                let pb2 = commands::load(&inputs).unwrap();
                let (a, _) = commands::read_assignment(&pb2, &d.join("o/dispatch.csv"), Default::default()).unwrap();
                prop_assert!(evaluate(&pb2, &a).violations.is_empty());
                for (c, k) in kept.iter().enumerate() {
                    if k.is_some() { prop_assert_eq!(a.post_of[c], *k); }
                }
            }
            (o, g) => prop_assert!(false, "oracle {:?} vs engine {:?}", o.map(|x| x.0), g.map(|s| s.objective)),
        }
    }
}

#[test]
fn manifest_reproduces_and_detects_changes() {
    let dir = explain_instance();
    let d = dir.path();
    let inputs = dir.inputs();
    let out = d.join("out");
    let (code, _, err) = run(&allocate_args(&inputs, &out, &["--xlsx"]));
    assert_eq!(code, 0, "{err}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(m["xibu_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["status"], "optimal");
    assert!(m["solver"]["version"].as_str().unwrap().starts_with('1'));
    assert_eq!(m["model"]["rule"][0]["share"], 0.6);
    let roles: Vec<&str> = m["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["candidates", "posts", "model", "counties"]);
    let cand_sha = m["inputs"][0]["sha256"].as_str().unwrap();
    let bytes = std::fs::read(d.join("candidates.csv")).unwrap();
    assert_eq!(cand_sha, xibu::commands::audit::sha256_hex(&bytes));
    let files: Vec<&str> = m["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"dispatch.csv") && files.contains(&"派遣名单.xlsx"));

    let manifest = out.join("run.json").display().to_string();
    let (code, stdout, err) = run(&["verify".into(), "--manifest".into(), manifest.clone()]);
    assert_eq!(code, 0, "{stdout}{err}");
    assert!(stdout.contains("reproduced"), "{stdout}");

    // A changed output hash: not reproduced (exit 4), the file named.
    let tampered = std::fs::read_to_string(out.join("run.json"))
        .unwrap()
        .replacen(
            m["outputs"][0]["sha256"].as_str().unwrap(),
            &"0".repeat(64),
            1,
        );
    std::fs::write(d.join("tampered.json"), tampered).unwrap();
    let (code, stdout, _) = run(&[
        "verify".into(),
        "--manifest".into(),
        d.join("tampered.json").display().to_string(),
    ]);
    assert_eq!(code, 4);
    assert!(stdout.contains("output dispatch.csv: DIFFERS"), "{stdout}");
    assert!(
        stdout.contains("file dispatch.csv: MISSING"),
        "nothing beside tampered.json: {stdout}"
    );

    // A changed input: not re-run, named.
    std::fs::write(
        d.join("candidates.csv"),
        [bytes.as_slice(), b"E,,,50,pass,P5\n"].concat(),
    )
    .unwrap();
    let (code, stdout, _) = run(&["verify".into(), "--manifest".into(), manifest]);
    assert_eq!(code, 4);
    assert!(
        stdout.contains("input candidates") && stdout.contains("CHANGED"),
        "{stdout}"
    );
}

/// `verify --manifest` reads the files beside run.json: an edited, deleted
/// or foreign file fails it, even though a re-run reproduces the run; and
/// options that change the result (`--max-columns`, `--staged`) replay.
#[test]
fn manifest_checks_the_files_beside_it_and_replays_every_option() {
    let dir = explain_instance();
    let inputs = dir.inputs();
    let out = dir.path().join("out");
    let (code, _, err) = run(&allocate_args(
        &inputs,
        &out,
        &["--max-columns", "1", "--staged"],
    ));
    assert_eq!(code, 0, "{err}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(m["replay"]["max_columns"], 1);
    assert_eq!(m["replay"]["staged"], true);
    let manifest = out.join("run.json").display().to_string();
    let verify = || run(&["verify".into(), "--manifest".into(), manifest.clone()]);
    let (code, stdout, err) = verify();
    assert_eq!(code, 0, "{stdout}{err}");
    assert!(
        stdout.contains("file dispatch.csv: as written by the run"),
        "{stdout}"
    );

    let path = out.join("dispatch.csv");
    let original = std::fs::read(&path).unwrap();
    std::fs::write(&path, [original.as_slice(), b"X,P1,,,,,1\n"].concat()).unwrap();
    let (code, stdout, _) = verify();
    assert_eq!(code, 4, "{stdout}");
    assert!(stdout.contains("file dispatch.csv: CHANGED"), "{stdout}");
    std::fs::remove_file(&path).unwrap();
    let (code, stdout, _) = verify();
    assert_eq!(code, 4, "{stdout}");
    assert!(stdout.contains("file dispatch.csv: MISSING"), "{stdout}");
    std::fs::write(&path, &original).unwrap();
    std::fs::write(out.join("派遣名单.xlsx"), b"from another run").unwrap();
    let (code, stdout, _) = verify();
    assert_eq!(code, 4, "{stdout}");
    assert!(
        stdout.contains("file 派遣名单.xlsx: NOT part of this run"),
        "{stdout}"
    );
    let summary = out.join("summary.json");
    std::fs::remove_file(out.join("派遣名单.xlsx")).unwrap();
    std::fs::write(&summary, b"{}").unwrap();
    let (code, stdout, _) = verify();
    assert_eq!(code, 4, "summary.json is checked on disk too: {stdout}");
}

#[test]
fn backfill_and_scenario_results_replay_from_their_manifests() {
    let (dir, inputs, out) = allocated_instance();
    let d = dir.path();
    std::fs::write(d.join("withdrawn.csv"), "id\nA\n").unwrap();
    let (dispatch, withdrawn) = (out.join("dispatch.csv"), d.join("withdrawn.csv"));
    let (bf, sc, toml) = (d.join("bf"), d.join("sc"), d.join("s.toml"));
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let a = command_args(
        "backfill",
        &inputs,
        &[
            "--dispatch",
            &s(&dispatch),
            "--withdrawn",
            &s(&withdrawn),
            "--out",
            &s(&bf),
        ],
    );
    let (code, _, err) = run(&a);
    assert_eq!(code, 0, "{err}");
    std::fs::write(
        &toml,
        "[[scenario]]\nname = \"more\"\nset = { \"post.P4.seats\" = 2 }\n\
         [[scenario]]\nname = \"less\"\nset = { \"rule.township_share.share\" = 0.5 }\n",
    )
    .unwrap();
    let a = command_args(
        "scenarios",
        &inputs,
        &["--scenarios", &s(&toml), "--out", &s(&sc)],
    );
    let (code, _, err) = run(&a);
    assert_eq!(code, 0, "{err}");
    for m in [d.join("bf/run.json"), d.join("sc/less/run.json")] {
        let (code, stdout, err) = run(&[
            "verify".into(),
            "--manifest".into(),
            m.display().to_string(),
        ]);
        assert_eq!(code, 0, "{}: {stdout}{err}", m.display());
        assert!(stdout.contains("output changes.csv: identical") || m.ends_with("less/run.json"));
        assert!(stdout.contains("reproduced"));
    }
}

/// 录取方式 says how each person was placed: a listed choice, or 服从调剂;
/// 志愿序号 never claims a choice for someone placed by adjustment.
#[test]
fn dispatch_list_says_listed_choice_or_adjustment() {
    let d = Fixture::new(&[
        (
            "model.toml",
            "[adjustment]\nscope = \"league\"\n[[specialty]]\nkey = \"edu\"\nname = \"乡村教育\"\n",
        ),
        (
            "posts.csv",
            "id,county,league,specialty,level,seats\nP1,150121,1501,edu,township,1\nP2,150121,1501,edu,township,1\n",
        ),
        (
            "candidates.csv",
            "id,score,adjustable,preferences\nA,90,1,\nB,80,0,P2\n",
        ),
    ]);
    let out = d.path().join("out");
    let (code, _, err) = run(&allocate_args(&d.inputs(), &out, &["--xlsx"]));
    assert_eq!(code, 0, "{err}");
    let rows = sheet_rows(&out.join("派遣名单.xlsx"), "1501");
    let col = |h: &str| rows[0].iter().position(|x| x == h).unwrap();
    let (id, rank, how) = (col("报名号"), col("志愿序号"), col("录取方式"));
    let by_id = |who: &str| rows.iter().find(|r| r[id] == who).unwrap().clone();
    assert_eq!(
        (by_id("A")[rank].as_str(), by_id("A")[how].as_str()),
        ("", "服从调剂")
    );
    assert_eq!(
        (by_id("B")[rank].as_str(), by_id("B")[how].as_str()),
        ("1", "第 1 志愿")
    );
}

/// The part of an .xlsx (a zip) named `name`, as text.
fn xlsx_part(path: &Path, name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// Lists ready to print and send (issue 16 item 3): a title row naming the
/// plan, the list and the league or county, the date, the header on row 3;
/// numbers stored as numbers and ids as text; landscape, one page wide,
/// header repeated on every page, a signature and stamp line at the foot;
/// every county gets a workbook, and one with nobody says so. The lists
/// still read back (verify), and the run reproduces with its date.
#[test]
fn excel_lists_are_ready_to_print_and_send() {
    let dir = example_dir("rules-ties-incumbents");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let inputs = inputs_in(&dir, "csv", 0);
    let extra = ["--xlsx", "--per-county", "--date", "2026-12-02"];
    let (code, _, err) = run(&allocate_args(&inputs, &out, &extra));
    assert_eq!(code, 0, "{err}");
    let model = std::fs::read_to_string(&inputs.model).unwrap();
    let plan = model
        .lines()
        .find_map(|l| l.strip_prefix("name = "))
        .unwrap()
        .trim_matches('"')
        .to_string();

    let path = out.join("派遣名单.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    for (k, sheet) in wb.sheet_names().into_iter().enumerate() {
        let rows = all_rows(&path, &sheet);
        assert!(rows[0][0].contains(&plan), "{:?}", rows[0]);
        assert!(rows[0][0].contains("派遣名单") && rows[0][0].contains(&sheet));
        assert_eq!(rows[1][0], "制表日期：2026年12月2日");
        assert_eq!(rows[2][..2], ["盟市", "旗县代码"]);
        // 志愿序号 is a number, 报名号 and 旗县代码 are text.
        let range = wb.worksheet_range(&sheet).unwrap();
        let header = &rows[2];
        let col = |h: &str| header.iter().position(|c| c == h).unwrap();
        for r in range.rows().skip(3) {
            let choice = &r[col("志愿序号")];
            assert!(
                matches!(choice, calamine::Data::Float(_) | calamine::Data::Empty),
                "{choice:?}"
            );
            assert!(matches!(r[col("报名号")], calamine::Data::String(_)));
            assert!(matches!(r[col("旗县代码")], calamine::Data::String(_)));
        }
        let xml = xlsx_part(&path, &format!("xl/worksheets/sheet{}.xml", k + 1));
        assert!(xml.contains(r#"orientation="landscape""#), "{xml}");
        assert!(xml.contains(r#"fitToHeight="0""#) && xml.contains(r#"fitToPage="1""#));
        assert!(xml.contains("单位（盖章）") && xml.contains("经办人（签字）"));
    }
    let book = xlsx_part(&path, "xl/workbook.xml");
    assert!(book.contains("_xlnm.Print_Titles"), "{book}");

    // Every county office gets a workbook; one where nobody is placed says so.
    let dispatch = std::fs::read_to_string(out.join("dispatch.csv")).unwrap();
    let counties = std::fs::read_to_string(dir.join("counties.csv")).unwrap();
    for line in counties.lines().skip(1) {
        let code = line.split(',').next().unwrap();
        let file = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .find(|n| n.starts_with(&format!("旗县-{code}-")))
            .unwrap_or_else(|| panic!("no workbook for county {code}"));
        let title = &all_rows(&out.join(&file), "派遣名单")[0][0];
        assert!(title.contains(code), "{title}");
        let here = dispatch.lines().filter(|l| l.contains(code)).count();
        assert_eq!(title.contains("无派遣人员"), here == 0, "{code}: {title}");
    }

    // Read back under the banner rows, and reproduced with the same date.
    let mut v = vec!["verify".to_string(), "--json".to_string()];
    v.extend(input_args(&inputs));
    v.extend(["--dispatch".to_string(), path.display().to_string()]);
    let o = xibu(&v);
    let check: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(check["ok"], true, "{}", String::from_utf8_lossy(&o.stderr));
    let manifest = out.join("run.json");
    let o = xibu_str(&["verify", "--manifest", manifest.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}

/// Columns of the candidates file that xibu does not read (联系电话,
/// 毕业院校, 性别 …) pass through to every Excel list, each candidate's own
/// cells beside them; one that a list already has (an unused 岗位编号) is
/// not repeated, so the list still reads back.
#[test]
fn unused_candidate_columns_pass_through_to_the_lists() {
    let src = example_dir("rules-ties-incumbents");
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    std::fs::create_dir(&dir).unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
    }
    let text = std::fs::read_to_string(dir.join("candidates.csv")).unwrap();
    let mut lines = text.lines();
    let mut out_text = format!("{},联系电话,毕业院校,岗位编号\n", lines.next().unwrap());
    let mut phone = std::collections::BTreeMap::new();
    for (i, l) in lines.enumerate() {
        let id = l.split(',').next().unwrap().to_string();
        let p = format!("1380000{i:04}");
        out_text.push_str(&format!("{l},{p},学校{i},X{i}\n"));
        phone.insert(id, p);
    }
    std::fs::write(dir.join("candidates.csv"), out_text).unwrap();
    let inputs = inputs_in(&dir, "csv", 0);
    let out = tmp.path().join("out");
    let (code, _, err) = run(&allocate_args(&inputs, &out, &["--xlsx"]));
    assert_eq!(code, 0, "{err}");
    for file in ["派遣名单.xlsx", "候补名单.xlsx", "未安排名单.xlsx"] {
        let path = out.join(file);
        let wb: Xlsx<_> = open_workbook(&path).unwrap();
        let mut seen = 0;
        for sheet in wb.sheet_names() {
            let rows = sheet_rows(&path, &sheet);
            let header = &rows[0];
            let col = |h: &str| header.iter().position(|c| c == h);
            let (id, tel) = (col("报名号").unwrap(), col("联系电话").unwrap());
            assert!(col("毕业院校").is_some(), "{file}: {header:?}");
            let twice = header.iter().filter(|h| *h == "岗位编号").count();
            assert_eq!(twice, usize::from(file != "未安排名单.xlsx"), "{file}");
            for r in &rows[1..] {
                assert_eq!(&r[tel], &phone[&r[id]], "{file}");
                seen += 1;
            }
        }
        // This example fills no post, so it has no reserves (the header is
        // still checked above).
        assert!(seen > 0 || file == "候补名单.xlsx", "{file} has rows");
    }
    let mut v = vec!["verify".to_string()];
    v.extend(input_args(&inputs));
    v.extend([
        "--dispatch".to_string(),
        out.join("派遣名单.xlsx").display().to_string(),
    ]);
    assert!(xibu(&v).status.success());
}

/// 候补名单.xlsx tells a reserve who is on several posts' lists so, on each
/// of them: 备注 names exactly the other posts of reserves.csv, with the
/// place on each.
#[test]
fn a_reserve_on_several_lists_is_noted_on_each() {
    let (tmp, inputs) = (tempfile::tempdir().unwrap(), sample_inputs());
    let out = tmp.path().join("out");
    let (code, _, err) = run(&allocate_args(
        &inputs,
        &out,
        &["--engine", "fast", "--xlsx"],
    ));
    assert_eq!(code, 0, "{err}");
    let mut posts_of: std::collections::HashMap<String, Vec<(String, String)>> = Default::default();
    for r in common::csv_rows(&out.join("reserves.csv")) {
        let e = posts_of.entry(r["candidate_id"].clone()).or_default();
        e.push((r["post_id"].clone(), r["position"].clone()));
    }
    assert!(
        posts_of.values().any(|v| v.len() > 1),
        "the sample has reserves on several lists"
    );
    let rows = sheet_rows(&out.join("候补名单.xlsx"), "候补名单");
    let col = |h: &str| rows[0].iter().position(|c| c == h).unwrap();
    assert_eq!(
        rows.len() - 1,
        posts_of.values().map(Vec::len).sum::<usize>()
    );
    for r in &rows[1..] {
        let others: Vec<String> = posts_of[&r[col("报名号")]]
            .iter()
            .filter(|(p, _)| *p != r[col("岗位编号")])
            .map(|(p, k)| format!("{p}（第 {k} 位）"))
            .collect();
        let want = if others.is_empty() {
            String::new()
        } else {
            format!("同时为 {} 的候补", others.join("、"))
        };
        assert_eq!(r[col("备注")], want);
    }
}

/// 汇总表.xlsx for leadership: per league and specialty the seats, placed
/// and open seats add up to dispatch.csv and summary.json, with the causes
/// of the open seats and the rules met (as summary.json counts them); and
/// one row per post with open seats, with how many applied and why.
#[test]
fn the_leadership_summary_adds_up_and_explains_every_vacancy() {
    let (tmp, inputs) = (tempfile::tempdir().unwrap(), sample_inputs());
    let out = tmp.path().join("out");
    let (code, _, err) = run(&allocate_args(
        &inputs,
        &out,
        &["--engine", "fast", "--xlsx"],
    ));
    assert_eq!(code, 0, "{err}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let path = out.join("汇总表.xlsx");
    let rows = sheet_rows(&path, "汇总");
    let col = |h: &str| rows[0].iter().position(|c| c == h).unwrap();
    let n = |r: &Vec<String>, h: &str| r[col(h)].parse::<u64>().unwrap();
    let (body, total) = (&rows[1..rows.len() - 1], &rows[rows.len() - 1]);
    assert_eq!(total[0], "合计");
    // Leagues by name (the model's [leagues]), here and in the report.
    assert!(
        body.iter().any(|r| r[0] == "呼和浩特市（1501）"),
        "{body:?}"
    );
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("呼和浩特市（1501）"));
    // The charts' axes name leagues too, not codes.
    assert!(
        report.contains(r#"text-anchor="middle">呼和浩特市</text>"#),
        "league names on the chart axis"
    );
    assert!(
        report.contains("<th>乡镇及以下服务岗位比例</th>"),
        "rules by label"
    );
    let placed: u64 = body.iter().map(|r| n(r, "派遣人数")).sum();
    assert_eq!(placed, summary["placed"].as_u64().unwrap());
    assert_eq!(n(total, "派遣人数"), placed);
    assert_eq!(
        n(total, "空余名额"),
        summary["open_seats"].as_u64().unwrap()
    );
    for r in body {
        assert_eq!(n(r, "岗位名额"), n(r, "派遣人数") + n(r, "空余名额"));
        // Causes are given exactly where seats stay open, counting them all.
        let text = &r[col("空缺原因")];
        let counted: u64 = text
            .split('；')
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.rsplit_once('（')
                    .unwrap()
                    .1
                    .trim_end_matches(" 个名额）")
                    .parse::<u64>()
                    .unwrap()
            })
            .sum();
        assert_eq!(counted, n(r, "空余名额"), "{text}");
    }
    let rules = summary["rules"].as_array().unwrap();
    let ok = rules.iter().filter(|r| r["ok"] == true).count();
    assert_eq!(total[col("规定达标")], format!("{ok}/{} 达标", rules.len()));

    let open = sheet_rows(&path, "空缺岗位");
    let col = |h: &str| open[0].iter().position(|c| c == h).unwrap();
    let seats: u64 = open[1..]
        .iter()
        .map(|r| r[col("空余名额")].parse::<u64>().unwrap())
        .sum();
    assert_eq!(seats, summary["open_seats"].as_u64().unwrap());
    for r in &open[1..] {
        let applied: u64 = r[col("申请人数")].parse().unwrap();
        let eligible: u64 = r[col("符合条件人数")].parse().unwrap();
        assert!(eligible <= applied && !r[col("原因")].is_empty(), "{r:?}");
        // The report gives the same reason beside the post.
        let esc = r[col("原因")]
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;");
        assert!(report.contains(&esc), "report.html lacks {esc}");
    }
}

/// `explain` says where a candidate is a reserve, as reserves.csv has it.
#[test]
fn explain_gives_the_reserve_places() {
    let (tmp, inputs) = (tempfile::tempdir().unwrap(), sample_inputs());
    let out = tmp.path().join("out");
    let (code, _, err) = run(&allocate_args(&inputs, &out, &["--engine", "fast"]));
    assert_eq!(code, 0, "{err}");
    let mut places: std::collections::BTreeMap<String, Vec<(String, usize)>> = Default::default();
    for r in common::csv_rows(&out.join("reserves.csv")) {
        let k: usize = r["position"].parse().unwrap();
        places
            .entry(r["candidate_id"].clone())
            .or_default()
            .push((r["post_id"].clone(), k));
    }
    let (who, want) = places.iter().max_by_key(|(_, v)| v.len()).unwrap();
    let mut a = vec!["explain".to_string()];
    a.extend(input_args(&inputs));
    a.extend(
        [
            "--dispatch",
            out.join("dispatch.csv").to_str().unwrap(),
            "--candidate",
            who,
            "--json",
        ]
        .map(String::from),
    );
    let (code, stdout, err) = run(&a);
    assert_eq!(code, 0, "{err}");
    let e: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let got: Vec<(String, usize)> = e["reserve"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x[0].as_str().unwrap().to_string(),
                x[1].as_u64().unwrap() as usize,
            )
        })
        .collect();
    let mut want = want.clone();
    want.sort();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    assert_eq!(got_sorted, want);
    a.pop();
    let (_, text, _) = run(&a);
    let (p, k) = &want[0];
    assert!(
        text.contains("候补：") && text.contains(&format!("{p} 第 {k} 位")),
        "{text}"
    );
}
