//! The shipped 2023-2024 model encodes the notice: six specialties with
//! their preferred majors, leader priority where the notice says so, the
//! four county rules, quotas 815/1000 and one reserve per seat.

mod common;

use xibu::domain::policy::{AdjustScope, Criterion, Flag, HealthRule, Op, RuleCount, RuleScope};
use xibu::domain::types::{CountyStatus, Level, Project};
use xibu::input::load_policy;

#[test]
fn the_2023_model_encodes_the_notice() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("models/inner-mongolia-2023-2024.toml");
    let p = load_policy(&path).unwrap();
    assert_eq!(
        p.objective,
        [Criterion::Envy, Criterion::Fill, Criterion::Preference]
    );
    assert!(p.require_graduating && p.require_diploma_by_arrival);
    assert_eq!(p.health, HealthRule::NotFail);
    assert_eq!(p.adjustment, AdjustScope::League);
    assert_eq!(p.quota(Project::National), Some(815));
    assert_eq!(p.quota(Project::Local), Some(1000));
    assert_eq!(p.reserve_ratio, 1.0);

    let names: Vec<&str> = p.specialties.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "乡村教育",
            "服务乡村建设",
            "健康乡村",
            "基层青年工作",
            "乡村社会治理",
            "服务新疆"
        ]
    );
    let sp = |k: &str| &p.specialties[p.specialty(k).unwrap().ix()];
    assert_eq!(sp("乡村教育").tiers[0].flags, [Flag::TeacherTraining]);
    assert!(sp("服务乡村建设").tiers[0].codes.iter().any(|c| c == "09"));
    assert!(
        sp("服务乡村建设").tiers[1]
            .codes
            .iter()
            .any(|c| c == "1208"),
        "电子商务"
    );
    assert_eq!(sp("健康乡村").tiers[0].codes, ["10"]);
    assert!(sp("基层青年工作").leader && sp("服务新疆").leader);
    assert!(!sp("乡村教育").leader && !sp("健康乡村").leader);
    assert!(
        sp("乡村社会治理").tiers[0]
            .codes
            .iter()
            .any(|c| c == "0301"),
        "法学"
    );

    let rule = |n: &str| p.rules.iter().find(|r| r.name == n).unwrap();
    let t = rule("township_share");
    assert_eq!(
        (t.scope, t.op, t.share, t.count),
        (
            RuleScope::County,
            Op::Ge,
            0.90,
            RuleCount::Level(Level::Township)
        )
    );
    assert_eq!(
        t.county_status.as_deref(),
        Some(&[CountyStatus::Active][..])
    );
    let tn = rule("township_share_new");
    assert_eq!(
        (tn.share, tn.county_status.as_deref()),
        (0.95, Some(&[CountyStatus::New][..]))
    );
    let re = rule("rural_education_share");
    assert_eq!(
        (re.op, re.share, re.count),
        (
            Op::Ge,
            0.25,
            RuleCount::Specialty(p.specialty("rural_education").unwrap())
        )
    );
    let not_suspended = Some(&[CountyStatus::Active, CountyStatus::New][..]);
    assert_eq!(re.county_status.as_deref(), not_suspended);
    let yw = rule("youth_work_cap");
    assert_eq!(yw.county_status.as_deref(), not_suspended);
    assert_eq!(
        (yw.op, yw.share, yw.count),
        (
            Op::Le,
            0.10,
            RuleCount::Specialty(p.specialty("youth_work").unwrap())
        )
    );
}

#[test]
fn every_entry_cites_the_notice() {
    let text = include_str!("../models/inner-mongolia-2023-2024.toml");
    let lines: Vec<&str> = text.lines().collect();
    // Each specialty and rule table has a quoted line of the notice in the
    // comment just above it or inside it.
    for (i, l) in lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.starts_with("[["))
    {
        let window = lines[i.saturating_sub(4)..(i + 8).min(lines.len())].join("\n");
        assert!(
            window.contains("附件") || window.contains("二("),
            "uncited table at line {}: {l}",
            i + 1
        );
    }
}

/// Adjustment by province: an adjustable candidate accepts every post of
/// the provinces of the posts they list (a league's province is its code's
/// first two digits), none of another province; with no choice listed,
/// every post. A league code without a province prefix is named in a note.
#[test]
fn adjustment_by_province_covers_the_listed_provinces() {
    use xibu::domain::types::{CandidateIdx, PostIdx};
    let model = |scope: &str| {
        format!("[adjustment]\nscope = \"{scope}\"\n[[specialty]]\nkey = \"edu\"\nname = \"乡村教育\"\n")
    };
    let d = common::fixture::Fixture::new(&[
        ("model.toml", &model("province")),
        (
            "posts.csv",
            "id,county,league,specialty,level,seats\n\
             P1,150121,1501,edu,township,1\n\
             P2,150221,1502,edu,township,1\n\
             P3,450121,4501,edu,township,1\n",
        ),
        (
            "candidates.csv",
            "id,score,adjustable,preferences\nA,80,true,P1\nB,70,true,\nC,60,false,P1\n",
        ),
    ]);
    let load = || xibu::commands::load(&d.inputs()).unwrap();
    let pb = load();
    let (c, p) = (CandidateIdx::from_ix, PostIdx::from_ix);
    // A lists P1 (1501): P2 (1502, same province 15) at the adjustment
    // rank, P3 (province 45) not at all.
    assert_eq!(pb.rank(c(0), p(0)), Some(1));
    assert_eq!(pb.rank(c(0), p(1)), Some(2));
    assert_eq!(pb.rank(c(0), p(2)), None);
    // B lists nothing: every post, at rank 1.
    assert!((0..3).all(|k| pb.rank(c(1), p(k)) == Some(1)));
    // C is not adjustable.
    assert_eq!(pb.rank(c(2), p(1)), None);
    let province_note =
        |pb: &xibu::model::Problem| pb.notes().iter().any(|n| n.en.contains("province"));
    assert!(!province_note(&pb), "{:?}", pb.notes());
    // The same files by league: A no longer accepts P2.
    d.write("model.toml", &model("league"));
    assert_eq!(load().rank(c(0), p(1)), None);
    // A league code with no two-digit province prefix: a visible note.
    d.write("model.toml", &model("province"));
    d.write(
        "posts.csv",
        "id,county,league,specialty,level,seats\nP1,X01,东部,edu,township,1\n",
    );
    d.write(
        "candidates.csv",
        "id,score,adjustable,preferences\nA,80,true,P1\n",
    );
    let pb = load();
    assert!(
        province_note(&pb) && pb.notes().iter().any(|n| n.en.contains("东部")),
        "{:?}",
        pb.notes()
    );
}

/// `generate --province-wide` writes the 2023 model with adjustment by
/// province, and nothing else changed (beyond Inner Mongolia's size too,
/// where the quotas grow with the seats).
#[test]
fn generate_province_wide_writes_adjustment_by_province() {
    use xibu::generate::{write_generated, GenerateOptions};
    let tmp = tempfile::tempdir().unwrap();
    for posts in [20, 2_100] {
        let policy = |province_wide: bool| {
            let dir = tmp.path().join(format!("{posts}-{province_wide}"));
            let opts = GenerateOptions {
                candidates: 50,
                posts,
                seed: 3,
                province_wide,
                ..Default::default()
            };
            write_generated(&opts, &dir).unwrap();
            load_policy(&dir.join("model.toml")).unwrap()
        };
        let (league, province) = (policy(false), policy(true));
        assert_eq!(league.adjustment, AdjustScope::League);
        assert_eq!(province.adjustment, AdjustScope::Province);
        assert_eq!(league.quotas, province.quotas);
        assert_eq!(league.rules.len(), province.rules.len());
    }
}
