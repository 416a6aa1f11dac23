//! The shipped 2023-2024 model encodes the notice: six specialties with
//! their preferred majors, leader priority where the notice says so, the
//! four county rules, quotas 815/1000 and one reserve per seat.

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
