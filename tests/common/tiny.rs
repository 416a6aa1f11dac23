//! Tiny random instances with every feature (rules at every scope, ties
//! from county/league groups, adjustment, incumbents, quotas, scales,
//! eligibility), and a brute-force oracle that tries every assignment.

use std::fmt::Write;

use proptest::prelude::*;
use xibu::domain::types::CandidateIdx;
use xibu::error::Diagnostics;
use xibu::input::parse_policy;
use xibu::input::records::{read_sources, Sources};
use xibu::input::table::Source;
use xibu::model::evaluate::{evaluate, Assignment, Objective};
use xibu::model::{build_problem, Problem};

/// A county.
#[derive(Debug, Clone)]
pub struct TinyCounty {
    /// League number.
    pub league: u8,
    /// 0–2 active, 3–4 new, 5 suspended.
    pub status: u8,
    /// 实施规模.
    pub scale: Option<u8>,
}

/// A post.
#[derive(Debug, Clone)]
pub struct TinyPost {
    /// County (index, taken modulo the counties).
    pub county: u8,
    /// Specialty 0 (edu) or 1 (youth).
    pub specialty: u8,
    /// Township level (else county level).
    pub township: bool,
    /// Seats.
    pub seats: u8,
    /// National project (else local).
    pub national: bool,
    /// Only masters are eligible.
    pub master_only: bool,
    /// Major code "04" required.
    pub major_04: bool,
}

/// One preference group: kind 0 post / 1 county / 2 league, and an index.
pub type TinyChoice = (u8, u8);

/// A candidate.
#[derive(Debug, Clone)]
pub struct TinyCandidate {
    /// Exam score.
    pub score: u8,
    /// 师范类.
    pub teacher: bool,
    /// 0 pass, 1 pending, 2 fail.
    pub health: u8,
    /// 0 any, 1 national, 2 local.
    pub project: u8,
    /// 服从调剂.
    pub adjustable: bool,
    /// Master's degree (else bachelor).
    pub master: bool,
    /// Major code starts with 04.
    pub major_04: bool,
    /// Preference groups in order.
    pub choices: Vec<TinyChoice>,
}

/// Everything needed to write a tiny instance.
#[derive(Debug, Clone)]
pub struct Tiny {
    /// Counties.
    pub counties: Vec<TinyCounty>,
    /// Posts.
    pub posts: Vec<TinyPost>,
    /// Candidates.
    pub candidates: Vec<TinyCandidate>,
    /// Incumbents' posts.
    pub incumbents: Vec<u8>,
    /// Rules: (kind 0 township ≥ / 1 specialty-0 ≥ / 2 specialty-1 ≤, scope 0 county/1 league/2 region, share in tenths)
    pub rules: Vec<(u8, u8, u8)>,
    /// Quotas (national, local).
    pub quotas: (Option<u8>, Option<u8>),
    /// 0 none, 1 league, 2 region, 3 province.
    pub adjustment: u8,
    /// Objective order as a permutation index, and how many criteria.
    pub objective: (u8, u8),
    /// Lottery seed.
    pub seed: u64,
}

/// A strategy for tiny instances: ≤ `max_c` candidates, ≤ `max_p` posts.
pub fn tiny(max_c: usize, max_p: usize) -> impl Strategy<Value = Tiny> {
    let counties = prop::collection::vec(
        (0u8..3, 0u8..6, prop::option::weighted(0.3, 0u8..5)).prop_map(
            |(league, status, scale)| TinyCounty {
                league,
                status,
                scale,
            },
        ),
        1..=3,
    );
    let posts = prop::collection::vec(
        (
            0u8..3,
            0u8..2,
            prop::bool::weighted(0.7),
            0u8..3,
            any::<bool>(),
            prop::bool::weighted(0.15),
            prop::bool::weighted(0.15),
        )
            .prop_map(
                |(county, specialty, township, seats, national, master_only, major_04)| TinyPost {
                    county,
                    specialty,
                    township,
                    seats,
                    national,
                    master_only,
                    major_04,
                },
            ),
        1..=max_p,
    );
    let cands = prop::collection::vec(
        (
            0u8..4,
            any::<bool>(),
            prop::sample::select(vec![0u8, 0, 0, 1, 2]),
            prop::sample::select(vec![0u8, 0, 1, 2]),
            prop::bool::weighted(0.3),
            prop::bool::weighted(0.2),
            any::<bool>(),
            prop::collection::vec((prop::sample::select(vec![0u8, 0, 0, 1, 2]), 0u8..8), 0..=3),
        )
            .prop_map(
                |(score, teacher, health, project, adjustable, master, major_04, choices)| {
                    TinyCandidate {
                        score,
                        teacher,
                        health,
                        project,
                        adjustable,
                        master,
                        major_04,
                        choices,
                    }
                },
            ),
        1..=max_c,
    );
    let incumbents = prop::collection::vec(0u8..8, 0..=2);
    let rules = prop::collection::vec((0u8..3, 0u8..3, 0u8..=10), 0..=2);
    let quotas = (
        prop::option::weighted(0.3, 0u8..6),
        prop::option::weighted(0.3, 0u8..6),
    );
    (
        counties,
        posts,
        cands,
        incumbents,
        rules,
        quotas,
        0u8..4,
        (0u8..6, 1u8..=3),
        0u64..4,
    )
        .prop_map(
            |(
                counties,
                posts,
                candidates,
                incumbents,
                rules,
                quotas,
                adjustment,
                objective,
                seed,
            )| {
                // Keep only incumbents that fit their post's seats, so that later
                // edits to seats do not change who the incumbents are.
                let mut per_post = vec![0u8; posts.len()];
                let incumbents = incumbents
                    .into_iter()
                    .map(|p| p as usize % posts.len())
                    .filter(|&p| {
                        per_post[p] += 1;
                        per_post[p] <= posts[p].seats
                    })
                    .map(|p| p as u8)
                    .collect();
                Tiny {
                    counties,
                    posts,
                    candidates,
                    incumbents,
                    rules,
                    quotas,
                    adjustment,
                    objective,
                    seed,
                }
            },
        )
}

const PERMS: [[&str; 3]; 6] = [
    ["envy", "fill", "preference"],
    ["envy", "preference", "fill"],
    ["fill", "envy", "preference"],
    ["fill", "preference", "envy"],
    ["preference", "envy", "fill"],
    ["preference", "fill", "envy"],
];

/// A league's code (GB/T 2260, whose first two digits are the province):
/// two leagues of province 15 and one of province 45, so that adjustment
/// by province differs from both by league and by region.
fn league_code(league: u8) -> &'static str {
    ["1501", "1502", "4501"][league as usize]
}

impl Tiny {
    /// Write the instance into `dir` (candidates, posts, counties,
    /// incumbents, model.toml).
    /// The instance's files: candidates, posts, counties, incumbents, model.
    pub fn texts(&self) -> [(&'static str, String); 5] {
        let nc = self.counties.len();
        let mut counties = String::from("code,league,status,scale\n");
        for (k, c) in self.counties.iter().enumerate() {
            let status =
                ["active", "active", "active", "new", "new", "suspended"][c.status as usize];
            let scale = c.scale.map(|s| s.to_string()).unwrap_or_default();
            writeln!(counties, "C{k},{},{status},{scale}", league_code(c.league)).unwrap();
        }
        let np = self.posts.len();
        let mut posts =
            String::from("id,county,specialty,level,seats,project,degree_min,majors_required\n");
        for (i, p) in self.posts.iter().enumerate() {
            writeln!(
                posts,
                "P{i},C{},{},{},{},{},{},{}",
                p.county as usize % nc,
                ["edu", "youth"][p.specialty as usize],
                if p.township { "township" } else { "county" },
                p.seats,
                if p.national { "national" } else { "local" },
                if p.master_only { "master" } else { "" },
                if p.major_04 { "04" } else { "" }
            )
            .unwrap();
        }
        let mut cands = String::from(
            "id,score,teacher_training,health,project,adjustable,degree,major_code,preferences\n",
        );
        for (i, c) in self.candidates.iter().enumerate() {
            let prefs: Vec<String> = c
                .choices
                .iter()
                .map(|&(kind, ix)| match kind {
                    0 => format!("P{}", ix as usize % np),
                    1 => format!("county:C{}", ix as usize % nc),
                    _ => format!(
                        "league:{}",
                        league_code(self.counties[ix as usize % nc].league)
                    ),
                })
                .collect();
            let adj = c.adjustable || prefs.is_empty();
            writeln!(
                cands,
                "A{i},{},{},{},{},{},{},{},{}",
                c.score,
                u8::from(c.teacher),
                ["pass", "pending", "fail"][c.health as usize],
                ["any", "national", "local"][c.project as usize],
                u8::from(adj),
                if c.master { "master" } else { "bachelor" },
                if c.major_04 { "040101" } else { "120402" },
                prefs.join(";")
            )
            .unwrap();
        }
        let mut inc = String::from("id,post\n");
        for (k, p) in self.incumbents.iter().enumerate() {
            writeln!(inc, "I{k},P{p}").unwrap();
        }
        let order = &PERMS[self.objective.0 as usize][..self.objective.1 as usize];
        let mut model = format!(
            "objective = [{}]\n[eligibility]\nhealth = \"not-fail\"\n[adjustment]\nscope = \"{}\"\n[priority]\norder = [\"major\", \"score\"]\n[reserves]\nratio = 1.5\n",
            order.iter().map(|o| format!("\"{o}\"")).collect::<Vec<_>>().join(", "),
            ["none", "league", "region", "province"][self.adjustment as usize]
        );
        if self.quotas.0.is_some() || self.quotas.1.is_some() {
            model.push_str("[quotas]\n");
            if let Some(n) = self.quotas.0 {
                writeln!(model, "national = {n}").unwrap();
            }
            if let Some(n) = self.quotas.1 {
                writeln!(model, "local = {n}").unwrap();
            }
        }
        model.push_str("[[specialty]]\nkey = \"edu\"\nname = \"乡村教育\"\ntiers = [ { flags = [\"teacher_training\"] } ]\n");
        model.push_str("[[specialty]]\nkey = \"youth\"\nname = \"基层青年工作\"\nleader = true\n");
        for (k, (kind, scope, share)) in self.rules.iter().enumerate() {
            let (count, op) = match kind {
                0 => ("{ level = \"township\" }", ">="),
                1 => ("{ specialty = \"edu\" }", ">="),
                _ => ("{ specialty = \"youth\" }", "<="),
            };
            let scope = ["county", "league", "region"][*scope as usize];
            let status = if *kind == 0 && k % 2 == 1 {
                "county_status = [\"new\"]\n"
            } else {
                ""
            };
            writeln!(model, "[[rule]]\nname = \"r{k}\"\nscope = \"{scope}\"\n{status}count = {count}\nop = \"{op}\"\nshare = {}", f64::from(*share) / 10.0).unwrap();
        }
        [
            ("candidates.csv", cands),
            ("posts.csv", posts),
            ("counties.csv", counties),
            ("incumbents.csv", inc),
            ("model.toml", model),
        ]
    }

    /// The problem, read from the instance's texts in memory (no files).
    pub fn problem(&self) -> Problem {
        let [cands, posts, counties, inc, model] = self.texts().map(|(name, text)| Source::Text {
            name: name.to_string(),
            text,
        });
        let Source::Text { text: model, .. } = model else {
            unreachable!("every text is a Source::Text")
        };
        let mut d = Diagnostics::default();
        let sources = Sources {
            candidates: cands,
            posts,
            counties: Some(counties),
            incumbents: Some(inc),
        };
        let inst = read_sources(&sources, Default::default(), &[], &mut d);
        let policy = parse_policy(&model, "model.toml").unwrap();
        build_problem(inst, policy, self.seed, d).unwrap()
    }

    /// Write the instance's files into `dir`.
    pub fn write(&self, dir: &std::path::Path) {
        for (n, t) in self.texts() {
            std::fs::write(dir.join(n), t).unwrap();
        }
    }
}

/// The best objective vector (in the model's order, smaller is better) over
/// every assignment that satisfies the hard constraints, with one optimal
/// assignment; `None` when none does.
pub fn brute_force(pb: &Problem) -> Option<(Objective, Assignment)> {
    brute_force_kept(pb, &[])
}

/// Like `brute_force`, with `kept[c] = Some(p)` fixing candidate c at p.
pub fn brute_force_kept(
    pb: &Problem,
    kept: &[Option<xibu::domain::types::PostIdx>],
) -> Option<(Objective, Assignment)> {
    let n = pb.n_candidates();
    // Each candidate: unplaced, or one of their eligible, acceptable posts.
    let options: Vec<Vec<Option<xibu::domain::types::PostIdx>>> = (0..n)
        .map(|c| {
            if let Some(Some(p)) = kept.get(c) {
                return vec![Some(*p)];
            }
            let mut v = vec![None];
            v.extend(
                pb.pairs_of(CandidateIdx::from_ix(c))
                    .iter()
                    .map(|p| Some(p.post)),
            );
            v
        })
        .collect();
    let mut idx = vec![0usize; n];
    let mut best: Option<(Vec<i64>, Objective, Assignment)> = None;
    loop {
        let a = Assignment {
            post_of: (0..n).map(|c| options[c][idx[c]]).collect(),
        };
        let ev = evaluate(pb, &a);
        if ev.violations.is_empty() {
            let key = ev.objective.lexicographic(&pb.policy().objective);
            if best.as_ref().is_none_or(|(k, _, _)| key < *k) {
                best = Some((key, ev.objective, a));
            }
        }
        // Next combination.
        let mut c = 0;
        loop {
            if c == n {
                return best.map(|(_, o, a)| (o, a));
            }
            idx[c] += 1;
            if idx[c] < options[c].len() {
                break;
            }
            idx[c] = 0;
            c += 1;
        }
    }
}
