//! One output set per run (issue 14): a folder holds one run's files, never
//! a mix — after a re-run with fewer outputs, an infeasible run, a kill at
//! any step of the commit, or two runs into the same `--out`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::fixture::assert_exit;
use common::{allocate_args, allocate_into, example_dir, expected, inputs_in, xibu};
use xibu::commands::audit::sha256_hex;

fn example_inputs() -> xibu::commands::Inputs {
    let name = "rules-ties-incumbents";
    let seed = expected(name)["seed"].as_u64().unwrap();
    inputs_in(&example_dir(name), "csv", seed)
}

fn example_args(extra: &[&str], out: &Path) -> Vec<String> {
    allocate_args(&example_inputs(), out, extra)
}

fn allocate(extra: &[&str], out: &Path) -> Output {
    allocate_into(&example_inputs(), out, extra)
}

/// Every file of a folder (recursively) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, m: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, m);
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                m.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut m = BTreeMap::new();
    walk(dir, dir, &mut m);
    m
}

/// The folder holds exactly one run's set: every output run.json lists is
/// there with its SHA-256, and no result file is there that it does not
/// list. Returns the dispatch.csv.
fn one_consistent_set(dir: &Path) -> Vec<u8> {
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("run.json")).unwrap()).unwrap();
    let mut listed: Vec<String> = ["run.json", "summary.json", "report.html"]
        .map(String::from)
        .to_vec();
    for o in run["outputs"].as_array().unwrap() {
        let f = o["file"].as_str().unwrap();
        let bytes = std::fs::read(dir.join(f)).unwrap_or_default();
        assert_eq!(sha256_hex(&bytes), o["sha256"], "{f} is not this run's");
        listed.push(f.to_string());
    }
    for f in snapshot(dir).keys() {
        let result_like = f.ends_with(".csv") || f.ends_with(".xlsx") || f.ends_with(".json");
        assert!(
            !result_like || listed.contains(f) || f == "notes.csv",
            "{f} is not part of the run in {}",
            dir.display()
        );
    }
    std::fs::read(dir.join("dispatch.csv")).unwrap()
}

fn hidden_beside(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect()
}

#[test]
fn a_rerun_with_fewer_outputs_removes_the_earlier_ones_and_keeps_other_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_exit(&allocate(&["--xlsx", "--per-county"], &out), 0);
    assert!(out.join("派遣名单.xlsx").exists());
    std::fs::write(out.join("notes.csv"), "the office's own file").unwrap();
    let o = allocate(&[], &out);
    assert_exit(&o, 0);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("派遣名单.xlsx"), "the removal is named: {err}");
    one_consistent_set(&out);
    let names: Vec<String> = snapshot(&out).into_keys().collect();
    assert!(!names.iter().any(|n| n.ends_with(".xlsx")), "{names:?}");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.csv")).unwrap(),
        "the office's own file"
    );
    assert!(hidden_beside(&out).is_empty(), "{:?}", hidden_beside(&out));
}

#[test]
fn an_infeasible_run_leaves_the_earlier_results_and_writes_only_a_diagnosis() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_exit(&allocate(&["--xlsx"], &out), 0);
    let before = snapshot(&out);
    // The same instance with a rule no allocation can meet.
    let model =
        std::fs::read_to_string(example_dir("rules-ties-incumbents").join("model.toml")).unwrap();
    let impossible = tmp.path().join("impossible.toml");
    std::fs::write(
        &impossible,
        format!(
            "{model}{}{}",
            "\n[[rule]]\nname = \"all_township\"\nscope = \"county\"\ncount = { level = \"township\" }\nop = \">=\"\nshare = 1.0\n",
            "\n[[rule]]\nname = \"all_county\"\nscope = \"county\"\ncount = { level = \"county\" }\nop = \">=\"\nshare = 1.0\n"
        ),
    )
    .unwrap();
    let mut args = example_args(&["--xlsx"], &out);
    let m = args.iter().position(|a| a == "--model").unwrap();
    args[m + 1] = impossible.display().to_string();
    let o = xibu(&args);
    let err = assert_exit(&o, 3);
    assert!(err.contains("diagnosis.txt"), "{err}");
    let mut after = snapshot(&out);
    let diag = String::from_utf8(after.remove("diagnosis.txt").unwrap()).unwrap();
    assert!(
        diag.contains("all_township") || diag.contains("all_county"),
        "{diag}"
    );
    assert_eq!(after, before, "every earlier file is as it was");
    // The next good run clears the diagnosis.
    assert_exit(&allocate(&[], &out), 0);
    assert!(!out.join("diagnosis.txt").exists());
}

/// A kill at every step of the commit: the folder holds the earlier run's
/// set or the new one, and the next run cleans what the kill left.
#[test]
fn a_kill_at_any_step_leaves_one_consistent_set() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    assert_exit(&allocate(&["--xlsx", "--per-county"], &first), 0);
    let old_dispatch = std::fs::read(first.join("dispatch.csv")).unwrap();
    let steps = [
        ("write:dispatch.csv", false),
        ("write:run.json", false),
        ("carried", false),
        ("switched", false),
        ("aside", true),
    ];
    for (step, no_exchange) in steps {
        let out = tmp.path().join(format!("out-{}", step.replace(':', "-")));
        assert_exit(&allocate(&["--xlsx", "--per-county"], &out), 0);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_xibu"));
        cmd.args(example_args(&["--lang", "en"], &out))
            .env("XIBU_TEST_KILL_AT", step);
        if no_exchange {
            cmd.env("XIBU_TEST_NO_EXCHANGE", "1");
        }
        let o = cmd.output().unwrap();
        assert_ne!(o.status.code(), Some(0), "{step}: the kill happened");
        if out.exists() {
            let d = one_consistent_set(&out);
            let switched = !out.join("派遣名单.xlsx").exists();
            assert!(
                switched || d == old_dispatch,
                "{step}: the earlier set is intact"
            );
        } else {
            assert_eq!(
                step, "aside",
                "only between the two renames is it moved aside"
            );
        }
        let o = allocate(&[], &out);
        let err = assert_exit(&o, 0);
        one_consistent_set(&out);
        if step != "switched" {
            assert!(err.contains("被中断的运行"), "{step}: {err}");
        }
        let left: Vec<PathBuf> = hidden_beside(&out)
            .into_iter()
            .filter(|p| {
                p.to_string_lossy()
                    .contains(&*out.file_name().unwrap().to_string_lossy())
            })
            .collect();
        assert!(left.is_empty(), "{step}: {left:?}");
    }
}

#[test]
fn a_second_run_into_a_busy_folder_fails_clearly_and_touches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_exit(&allocate(&[], &out), 0);
    let before = snapshot(&out);
    // Hold the folder's lock as a running xibu would.
    let lock = std::fs::File::create(tmp.path().join(".out.xibu-lock")).unwrap();
    lock.lock().unwrap();
    let o = allocate(&["--xlsx"], &out);
    let err = assert_exit(&o, 1);
    assert!(err.contains("另一个 xibu 运行"), "{err}");
    assert_eq!(snapshot(&out), before);
    lock.unlock().unwrap();
    drop(lock);
    assert_exit(&allocate(&["--xlsx"], &out), 0);
}

#[test]
fn two_runs_started_together_never_mix() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for _ in 0..3 {
        let spawn = |extra: &[&str]| {
            Command::new(env!("CARGO_BIN_EXE_xibu"))
                .args(example_args(extra, &out))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        };
        let a = spawn(&["--xlsx"]);
        let b = spawn(&["--per-county"]);
        for child in [a, b] {
            let o = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                o.status.code() == Some(0)
                    || (o.status.code() == Some(1) && err.contains("另一个 xibu 运行")),
                "{err}"
            );
        }
        one_consistent_set(&out);
    }
}

const SMALL_MODEL: &str = r#"
[adjustment]
scope = "none"
[[specialty]]
key = "edu"
name = "乡村教育"
"#;

/// The small model with one post (P1) and these candidates.
fn one_post(candidates: &str) -> common::fixture::Fixture {
    common::fixture::Fixture::new(&[
        ("model.toml", SMALL_MODEL),
        (
            "posts.csv",
            "id,county,league,specialty,level,seats\nP1,150121,1501,edu,township,1\n",
        ),
        ("candidates.csv", candidates),
    ])
}

/// League codes that clash as sheet names (case, `/`, 31 characters) or
/// carry an apostrophe still give one sheet each; the run does not fail at
/// the Excel step after its solve.
#[test]
fn league_codes_excel_dislikes_still_give_one_sheet_each() {
    use calamine::Reader;
    let long = "L".repeat(40);
    let leagues = ["a/b", "A_B", "o'k'", &long, &format!("{long}x")];
    let mut posts = String::from("id,county,league,specialty,level,seats\n");
    let mut cands = String::from("id,score,preferences\n");
    for (i, l) in leagues.iter().enumerate() {
        posts.push_str(&format!("P{i},15012{i},\"{l}\",edu,township,1\n"));
        cands.push_str(&format!("C{i},{},P{i}\n", 90 - i));
    }
    let d = common::fixture::Fixture::new(&[
        ("model.toml", SMALL_MODEL),
        ("posts.csv", &posts),
        ("candidates.csv", &cands),
    ]);
    let out = d.path().join("out");
    assert_exit(&allocate_into(&d.inputs(), &out, &["--per-county"]), 0);
    let wb = calamine::open_workbook_auto(out.join("派遣名单.xlsx")).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names.len(), leagues.len(), "{names:?}");
    let mut lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    lower.sort();
    lower.dedup();
    assert_eq!(lower.len(), leagues.len(), "{names:?}");
}

/// A cell longer than Excel holds is an input error at its cell, before
/// any solve.
#[test]
fn a_cell_longer_than_excel_holds_is_an_input_error() {
    let name = "名".repeat(40_000);
    let d = one_post(&format!("id,name,score,preferences\nC1,{name},80,P1\n"));
    let out = d.path().join("out");
    let err = assert_exit(&allocate_into(&d.inputs(), &out, &["--xlsx"]), 2);
    assert!(
        err.contains("candidates.csv:2:2") && err.contains("32767"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");
}

/// CSV outputs are UTF-8 with a BOM by default (Excel on Windows then shows
/// Chinese), plain UTF-8 or GBK on request; a name GBK cannot hold fails
/// before the solve.
#[test]
fn csv_files_carry_a_bom_by_default_and_follow_csv_encoding() {
    let tmp = tempfile::tempdir().unwrap();
    let bom = tmp.path().join("bom");
    assert_exit(&allocate(&[], &bom), 0);
    for f in ["dispatch.csv", "unplaced.csv", "reserves.csv"] {
        let bytes = std::fs::read(bom.join(f)).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{f}");
    }
    let plain = tmp.path().join("plain");
    assert_exit(&allocate(&["--csv-encoding", "utf-8"], &plain), 0);
    let utf8 = std::fs::read(plain.join("dispatch.csv")).unwrap();
    assert_eq!(
        std::fs::read(bom.join("dispatch.csv")).unwrap()[3..],
        utf8[..]
    );
    let gbk = tmp.path().join("gbk");
    assert_exit(&allocate(&["--csv-encoding", "gbk"], &gbk), 0);
    let bytes = std::fs::read(gbk.join("dispatch.csv")).unwrap();
    let (text, _, bad) = encoding_rs::GBK.decode(&bytes);
    assert!(!bad);
    assert_eq!(text.as_bytes(), utf8.as_slice());
    assert!(
        String::from_utf8_lossy(&utf8).contains("考生"),
        "Chinese names are there"
    );

    // A name outside GBK: refused before anything is solved or written.
    let d = one_post("id,name,score,preferences\nC1,𠀀明,80,P1\n");
    let out = d.path().join("out");
    let err = assert_exit(
        &allocate_into(&d.inputs(), &out, &["--csv-encoding", "gbk"]),
        1,
    );
    assert!(err.contains("GBK") && err.contains("utf-8-bom"), "{err}");
    assert!(!out.exists());
}
