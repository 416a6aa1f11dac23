//! `xibu scenarios`: each scenario equals a separate `allocate` on the
//! hand-edited files; bad overrides are input errors naming scenario and
//! key; one failing scenario does not stop the others.

mod common;

use std::path::Path;

use common::*;
use xibu::commands::scenarios::{scenarios, ScenarioOptions};
use xibu::commands::{self, AllocateOptions};

const SCENARIOS: &str = r#"
[[scenario]]
name = "base"

[[scenario]]
name = "edu30"
set = { "rule.rural_education_share.share" = 0.30, "quotas.local" = 5 }

[[scenario]]
name = "suspend"
[scenario.set]
"county.150322.status" = "suspended"
"post.G0020.seats" = 6
objective = ["fill", "envy", "preference"]

[[scenario]]
name = "impossible"
set = { "rule.township_share.share" = 1.0, "post.G0030.level" = "county" }
"#;

/// Copy the example into `d`, applying text edits to some files.
fn edited(d: &Path, edits: &[(&str, &str, &str)]) -> xibu::commands::Inputs {
    let src = example_dir("rules-ties-incumbents");
    for f in [
        "candidates.csv",
        "posts.csv",
        "counties.csv",
        "incumbents.csv",
        "model.toml",
    ] {
        let mut text = std::fs::read_to_string(src.join(f)).unwrap();
        for (file, from, to) in edits {
            if *file == f {
                assert!(text.contains(from), "{from} not in {f}");
                text = text.replacen(from, to, 1);
            }
        }
        std::fs::write(d.join(f), text).unwrap();
    }
    inputs_in(d, "csv", 0)
}

#[test]
fn every_scenario_equals_allocate_on_the_edited_files_and_failures_stay_isolated() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    std::fs::write(t.join("s.toml"), SCENARIOS).unwrap();
    let base = edited(&t.join("base-in").tap_mkdir(), &[]);
    let opts = ScenarioOptions {
        scenarios: t.join("s.toml"),
        out: t.join("out"),
        baseline: Some("base".into()),
        ..Default::default()
    };
    let rows = scenarios(&base, &opts).unwrap();
    let status: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.name.as_str(), r.status_key()))
        .collect();
    assert_eq!(
        status,
        [
            ("base", "optimal"),
            ("edu30", "optimal"),
            ("suspend", "optimal"),
            ("impossible", "infeasible")
        ]
    );
    let note = rows[3]
        .note
        .clone()
        .expect("an infeasible scenario says why");
    assert!(note.en.contains("township_share") && note.en.contains("150322"));
    assert!(
        note.zh.contains("规则 township_share 在旗县 150322"),
        "{note:?}"
    );

    let by_hand = [
        ("base", vec![]),
        (
            "edu30",
            vec![
                ("model.toml", "share = 0.2", "share = 0.3"),
                ("model.toml", "local = 21", "local = 5"),
            ],
        ),
        (
            "suspend",
            vec![
                (
                    "counties.csv",
                    "150322,旗县150322,1503,active",
                    "150322,旗县150322,1503,suspended",
                ),
                (
                    "posts.csv",
                    "G0020,150321,1503,单位20,social_governance,township,4",
                    "G0020,150321,1503,单位20,social_governance,township,6",
                ),
                (
                    "model.toml",
                    "objective = [\"envy\", \"fill\", \"preference\"]",
                    "objective = [\"fill\", \"envy\", \"preference\"]",
                ),
            ],
        ),
    ];
    for (name, edits) in by_hand {
        let d = t.join(format!("{name}-in")).tap_mkdir();
        let inputs = edited(&d, &edits);
        commands::allocate(
            &inputs,
            &AllocateOptions {
                out: d.join("out"),
                ..Default::default()
            },
        )
        .unwrap();
        for f in ["dispatch.csv", "unplaced.csv", "reserves.csv"] {
            assert_eq!(
                std::fs::read(d.join("out").join(f)).unwrap(),
                std::fs::read(t.join("out").join(name).join(f)).unwrap(),
                "{name}/{f}"
            );
        }
    }
    let comparison = std::fs::read_to_string(t.join("out/comparison.csv")).unwrap();
    assert!(comparison
        .starts_with("\u{feff}name,status,placed,envy,preference,open_seats,seconds,placed_1501"));
    assert_eq!(comparison.lines().count(), 5);
    let moves = std::fs::read_to_string(t.join("out/moves.csv")).unwrap();
    assert!(moves.lines().skip(1).all(|l| !l.starts_with("base,")));
    let html = std::fs::read_to_string(t.join("out/comparison.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("各盟市安置人数") && html.contains("edu30"));
    // What each scenario changed, from its file; the base changed nothing.
    let edu = "quotas.local = 5；rule.rural_education_share.share = 0.3";
    assert!(html.contains(edu), "{html}");
    assert!(
        html.contains("county.150322.status = &quot;suspended&quot;"),
        "{html}"
    );
    assert!(html.contains("无改动（按输入文件）"));
    assert!(
        !html.contains("http://")
            || html.matches("http://").count()
                == html.matches("xmlns=\"http://www.w3.org/2000/svg\"").count(),
        "no network references"
    );
}

trait TapMkdir {
    fn tap_mkdir(self) -> Self;
}
impl TapMkdir for std::path::PathBuf {
    fn tap_mkdir(self) -> Self {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

#[test]
fn bad_overrides_are_input_errors_naming_scenario_and_key() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    std::fs::write(
        t.join("s.toml"),
        "[[scenario]]\nname = \"a\"\nset = { \"rule.nope.share\" = 0.3 }\n[[scenario]]\nname = \"b\"\n[scenario.set]\n\"post.G0001.seats\" = \"many\"\n\"colour\" = 1\n\"quotas.local\" = -3\n",
    )
    .unwrap();
    let inputs = inputs_in(&example_dir("rules-ties-incumbents"), "csv", 0);
    let mut args = vec!["scenarios".to_string()];
    args.extend(input_args(&inputs));
    args.extend(
        [
            "--scenarios",
            t.join("s.toml").to_str().unwrap(),
            "--out",
            t.join("out").to_str().unwrap(),
        ]
        .map(String::from),
    );
    let o = xibu(&args);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    for needle in [
        "s.toml:3:29: 方案 'a'：键 'rule.nope.share'：没有名为 'nope' 的规则",
        "s.toml:7:22: 方案 'b'：键 'post.G0001.seats'：应为不小于 0 的整数，而不是 \"many\"",
        "方案 'b'：键 'colour'：无法识别的键",
        "s.toml:9:18: 方案 'b'：键 'quotas.local'：项目名额 -3 应为不小于 0 的整数",
    ] {
        assert!(err.contains(needle), "{needle} not in\n{err}");
    }
    assert!(
        !t.join("out").exists(),
        "nothing is solved when an override is wrong"
    );
}
