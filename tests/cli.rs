//! The binary on `data-samples/`: every copy (UTF-8, GBK, xlsx) allocates to
//! the same dispatch, the dispatch verifies, and runs are deterministic.

mod common;
use common::fixture::assert_exit;

use std::path::Path;

use common::*;

fn sample_args(sub: &str, dir: &str, ext: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let d = root.join(dir);
    let mut v = vec![sub.to_string()];
    for n in ["candidates", "posts", "counties", "incumbents"] {
        v.push(format!("--{n}"));
        v.push(d.join(format!("{n}.{ext}")).display().to_string());
    }
    v.push("--model".into());
    v.push(
        root.join("models/inner-mongolia-2023-2024.toml")
            .display()
            .to_string(),
    );
    v
}

fn allocate(dir: &str, ext: &str, out: &Path) -> Vec<u8> {
    let mut args = sample_args("allocate", dir, ext);
    args.extend([
        "--engine".into(),
        "da".into(),
        "--out".into(),
        out.display().to_string(),
    ]);
    let o = xibu(&args);
    assert_exit(&o, 0);
    std::fs::read(out.join("dispatch.csv")).unwrap()
}

#[test]
fn every_copy_of_the_sample_gives_the_same_dispatch_which_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let utf8 = allocate("data-samples", "csv", &tmp.path().join("a"));
    let gbk = allocate("data-samples/gbk", "csv", &tmp.path().join("b"));
    let xlsx = allocate("data-samples/xlsx", "xlsx", &tmp.path().join("c"));
    assert_eq!(utf8, gbk);
    assert_eq!(utf8, xlsx);
    assert!(utf8.len() > 1000, "the sample places people");

    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("a/summary.json")).unwrap()).unwrap();
    let mut args = sample_args("verify", "data-samples", "csv");
    args.extend([
        "--dispatch".into(),
        tmp.path().join("a/dispatch.csv").display().to_string(),
        "--json".into(),
    ]);
    let o = xibu(&args);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // The DA baseline ignores rules: verify agrees with the summary on what
    // it violates and on the objective.
    assert_eq!(v["objective"], summary["objective"]);
    assert_eq!(v["violations"], summary["violations"]);
    assert_eq!(o.status.code(), Some(if v["ok"] == true { 0 } else { 4 }));
}

#[test]
fn same_input_same_output_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let a = allocate("data-samples", "csv", &tmp.path().join("a"));
    let b = allocate("data-samples", "csv", &tmp.path().join("b"));
    assert_eq!(a, b);
}

#[test]
fn a_failed_run_leaves_earlier_outputs_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let before = allocate("data-samples", "csv", &out);
    let mut args = sample_args("allocate", "data-samples", "csv");
    args[2] = tmp.path().join("missing.csv").display().to_string();
    args.extend(["--out".into(), out.display().to_string()]);
    let o = xibu(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.csv:1:1: 无法读取文件"));
    assert_eq!(std::fs::read(out.join("dispatch.csv")).unwrap(), before);
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}

#[test]
fn generate_writes_a_valid_instance() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("g");
    let o = xibu_str(&[
        "generate",
        "--candidates",
        "500",
        "--posts",
        "120",
        "--seed",
        "9",
        "--out",
        d.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let pb = xibu::commands::load(&inputs_in(&d, "csv", 0)).unwrap();
    assert_eq!((pb.candidates().len(), pb.posts().len()), (500, 120));
    // The notice's shape: ≥ 90 % township seats, every specialty present.
    let seats: u32 = pb.posts().iter().map(|p| p.seats).sum();
    let township: u32 = pb
        .posts()
        .iter()
        .filter(|p| p.level == xibu::domain::types::Level::Township)
        .map(|p| p.seats)
        .sum();
    assert!(township * 10 >= seats * 9, "{township}/{seats}");
    for s in 0..pb.policy().specialties.len() {
        assert!(
            pb.posts().iter().any(|p| p.specialty.ix() == s),
            "specialty {s} missing"
        );
    }
    assert!(pb.candidates().iter().any(|c| c.adjustable));
    assert!(pb.pairs().len() > 500);
}

/// `xibu verify … | head`: the reader closes the pipe before xibu writes;
/// xibu must not panic ("internal error") and still exits by its verdict.
#[test]
fn a_closed_stdout_is_not_an_internal_error() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    allocate("data-samples", "csv", &out);
    let mut args = sample_args("verify", "data-samples", "csv");
    args.extend([
        "--json".into(),
        "--dispatch".into(),
        out.join("dispatch.csv").display().to_string(),
    ]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_xibu"))
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // close the read end at once
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("internal error"), "{stderr}");
    assert!(
        matches!(o.status.code(), Some(0 | 4)),
        "{:?}: {stderr}",
        o.status
    );
}

/// Without `--lang`, an English locale gives English reasons and terminal
/// lines; the flag wins over the locale; Chinese otherwise.
#[test]
fn the_locale_chooses_english_only_when_no_flag_is_given() {
    let name = "rules-ties-incumbents";
    let seed = common::expected(name)["seed"].as_u64().unwrap();
    let inputs = common::inputs_in(&common::example_dir(name), "csv", seed);
    let tmp = tempfile::tempdir().unwrap();
    let reasons = |locale: &str, flag: &[&str], dir: &str| {
        let out = tmp.path().join(dir);
        let mut a = vec!["allocate".to_string()];
        a.extend(common::input_args(&inputs));
        a.extend(["--out".into(), out.display().to_string()]);
        a.extend(flag.iter().map(|s| s.to_string()));
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_xibu"))
            .args(&a)
            .env_remove("LC_ALL")
            .env("LANG", locale)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0));
        let closing = String::from_utf8_lossy(&o.stderr).into_owned();
        (
            std::fs::read_to_string(out.join("unplaced.csv")).unwrap(),
            closing,
        )
    };
    let han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let (en, en_line) = reasons("en_US.UTF-8", &[], "en");
    let (zh, zh_line) = reasons("zh_CN.UTF-8", &[], "zh");
    let (flag, flag_line) = reasons("en_US.UTF-8", &["--lang", "zh"], "flag");
    let (en_flag, _) = reasons("C.UTF-8", &["--lang", "en"], "en-flag");
    assert_eq!(en, en_flag, "an English locale is --lang en");
    assert!(
        en_line.contains("open seats") && !en_line.contains("空余名额"),
        "{en_line}"
    );
    assert!(
        zh_line.contains("派遣") && zh_line.contains("空余名额"),
        "{zh_line}"
    );
    assert_eq!(flag_line, zh_line, "the flag wins over the locale");
    assert_ne!(en, zh);
    assert!(han(&zh), "{zh}");
    assert_eq!(flag, zh, "the flag wins over the locale");
}

/// `--help` is Chinese by default (every command and option), English
/// with `--lang en`.
#[test]
fn help_is_chinese_unless_english_is_asked() {
    let help = |args: &[&str]| {
        let o = common::xibu_str(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let top = help(&["--help"]);
    assert!(
        top.contains("用法") && top.contains("同等数额补招"),
        "{top}"
    );
    let allocate = help(&["allocate", "--help"]);
    assert!(
        allocate.contains("输出目录") && allocate.contains("（默认：exact）"),
        "{allocate}"
    );
    let en = help(&["allocate", "--help", "--lang", "en"]);
    assert!(
        en.contains("Output directory") && !en.contains("输出目录"),
        "{en}"
    );
}

/// A mistyped command line is answered in Chinese by default (what is
/// wrong, the near option, the usage line), in clap's English with
/// `--lang en`, and exits 2 either way.
#[test]
fn usage_errors_speak_the_readers_language() {
    let zh = xibu_str(&["allocate", "--engin", "exact"]);
    let text = String::from_utf8_lossy(&zh.stderr);
    assert_eq!(zh.status.code(), Some(2), "{text}");
    for want in [
        "错误：无法识别的参数 '--engin'",
        "提示：有相近的参数 '--engine'",
        "用法：xibu allocate",
    ] {
        assert!(text.contains(want), "{want} not in {text}");
    }
    let bad = xibu_str(&["allocate", "--engine", "foo"]);
    let text = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{text}");
    assert!(
        text.contains("参数 '--engine <ENGINE>' 的值 'foo' 无效；应为：exact、fast 或 da"),
        "{text}"
    );
    let missing = xibu_str(&["allocate"]);
    let text = String::from_utf8_lossy(&missing.stderr);
    assert!(text.contains("缺少必需的参数：--candidates"), "{text}");
    let en = xibu_str(&["--lang", "en", "allocate", "--engin", "exact"]);
    let text = String::from_utf8_lossy(&en.stderr);
    assert_eq!(en.status.code(), Some(2), "{text}");
    assert!(
        text.contains("unexpected argument '--engin'") && !text.contains("错误"),
        "{text}"
    );
}
