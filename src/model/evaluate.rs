//! The hard constraints (interface §2.3) and the objective (§2.4), evaluated
//! on any assignment. This is the one place that defines them for checking;
//! `verify` prints it and the tests compare every engine against it.

use serde::Serialize;

use super::rules::{rule_figures, RuleFigure};
use super::Problem;
use crate::domain::policy::Criterion;
use crate::domain::types::*;
use crate::error::Msg;
use crate::lang::{Lang, Word};
use crate::msg;

/// Who holds which post: `post_of[c]` for every candidate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Assignment {
    /// The post of each candidate, if placed.
    pub post_of: Vec<Option<PostIdx>>,
}

impl Assignment {
    /// Nobody placed.
    pub fn empty(n: usize) -> Self {
        Assignment {
            post_of: vec![None; n],
        }
    }
    /// Number of placed candidates.
    pub fn placed(&self) -> usize {
        self.post_of.iter().flatten().count()
    }
}

/// The value of each criterion (interface §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Objective {
    /// Blocking pairs.
    pub envy: u64,
    /// Placed candidates.
    pub fill: u64,
    /// Sum of ranks of placed candidates' posts.
    pub preference: u64,
}

impl Objective {
    /// The value of one criterion.
    pub fn get(&self, c: Criterion) -> u64 {
        match c {
            Criterion::Envy => self.envy,
            Criterion::Fill => self.fill,
            Criterion::Preference => self.preference,
        }
    }
    /// The values in the model's objective order, signed so that smaller is
    /// better for every entry (fill is negated).
    pub fn lexicographic(&self, order: &[Criterion]) -> Vec<i64> {
        order
            .iter()
            .map(|&c| match c {
                Criterion::Fill => -(self.fill as i64),
                _ => self.get(c) as i64,
            })
            .collect()
    }
}

/// Everything `verify` reports about an assignment.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// Violated hard constraints, one line each.
    pub violations: Vec<Msg>,
    /// Objective values.
    pub objective: Objective,
    /// Every rule in every scope.
    pub rules: Vec<RuleFigure>,
    /// Volunteers (placed + incumbents) per post.
    pub occupancy: Vec<u32>,
}

impl Evaluation {
    /// Is every violation a rule falling short (what `--allow-shortfall`
    /// permits), none a seat, scale, quota or eligibility?
    pub fn only_rule_shortfalls(&self) -> bool {
        self.violations.len() == self.rules.iter().filter(|r| !r.ok).count()
    }
}

/// Volunteers (placed + incumbents) per post.
pub fn post_occupancy(pb: &Problem, a: &Assignment) -> Vec<u32> {
    let mut occ: Vec<u32> = pb.posts.iter().map(|p| p.incumbents).collect();
    for p in a.post_of.iter().flatten() {
        occ[p.ix()] += 1;
    }
    occ
}

/// Volunteers (placed + incumbents) per county and per project — what
/// scales and quotas (interface §2.3.3–4) bound — kept up to date one
/// placement at a time.
#[derive(Debug, Clone)]
pub struct Headcount {
    /// Per county.
    pub county: Vec<u64>,
    /// Per project (`Project as usize`).
    pub project: [u64; 2],
}

impl Headcount {
    /// The headcount of an occupancy per post.
    pub fn new(pb: &Problem, occ: &[u32]) -> Self {
        let mut h = Headcount {
            county: vec![0; pb.counties.len()],
            project: [0; 2],
        };
        for (p, post) in pb.posts.iter().enumerate() {
            h.county[post.county.ix()] += u64::from(occ[p]);
            h.project[post.project as usize] += u64::from(occ[p]);
        }
        h
    }

    /// One more volunteer at post `p`.
    pub fn add(&mut self, pb: &Problem, p: PostIdx) {
        let post = &pb.posts[p.ix()];
        self.county[post.county.ix()] += 1;
        self.project[post.project as usize] += 1;
    }

    /// The county's scale, when `extra` more volunteers would exceed it.
    pub fn over_scale(&self, pb: &Problem, k: CountyIdx, extra: u64) -> Option<u32> {
        pb.counties[k.ix()]
            .scale
            .filter(|&s| self.county[k.ix()] + extra > u64::from(s))
    }

    /// The project's quota, when `extra` more volunteers would exceed it.
    pub fn over_quota(&self, pb: &Problem, proj: Project, extra: u64) -> Option<u32> {
        pb.policy
            .quota(proj)
            .filter(|&q| self.project[proj as usize] + extra > u64::from(q))
    }
}

/// Seats (2), county scales (3) and project quotas (4) of interface §2.3 for
/// a given occupancy (placed + incumbents per post).
pub(crate) fn capacity_violations(pb: &Problem, occ: &[u32]) -> Vec<Msg> {
    let mut violations = Vec::new();
    for (p, post) in pb.posts.iter().enumerate() {
        if occ[p] > post.seats {
            let (id, n, inc, seats) = (&post.id, occ[p], post.incumbents, post.seats);
            violations.push(msg!(
                "岗位 {id}：{n} 名志愿者（含延期志愿者 {inc} 名），名额只有 {seats} 个",
                "post {id}: {n} volunteers (incl. {inc} incumbents) for {seats} seats"
            ));
        }
    }
    let h = Headcount::new(pb, occ);
    for (k, county) in pb.counties.iter().enumerate() {
        if let Some(scale) = h.over_scale(pb, CountyIdx::from_ix(k), 0) {
            let (code, n) = (&county.code, h.county[k]);
            violations.push(msg!(
                "旗县 {code}：{n} 名志愿者，超过其规模 {scale}",
                "county {code}: {n} volunteers exceed its scale {scale}"
            ));
        }
    }
    for proj in [Project::National, Project::Local] {
        if let Some(q) = h.over_quota(pb, proj, 0) {
            let n = h.project[proj as usize];
            let zh = proj.zh();
            violations.push(msg!(
                "{zh}：{n} 名志愿者，超过其名额 {q}",
                "project {proj}: {n} volunteers exceed its quota {q}"
            ));
        }
    }
    violations
}

/// One line per rule figure that fails.
pub(crate) fn rule_violations(rules: &[RuleFigure]) -> Vec<Msg> {
    rules
        .iter()
        .filter(|f| !f.ok)
        .map(|f| {
            let (rule, scope, place, n, total, op) =
                (&f.rule, &f.scope, &f.place, f.count, f.total, &f.op);
            let bound = format!("{:.4}", f.bound);
            let zh = scope.zh();
            msg!(
                "规则 {rule} 在{zh} {place}：{total} 名志愿者中 {n} 名，要求 {op} {bound}",
                "rule {rule} in {scope} {place}: {n} of {total} volunteers, needs {op} {bound}"
            )
        })
        .collect()
}

/// Check every hard constraint and compute the objective.
pub fn evaluate(pb: &Problem, a: &Assignment) -> Evaluation {
    let mut violations = Vec::new();
    let occ = post_occupancy(pb, a);

    // 1. Only posts the candidate is eligible for (and finds acceptable).
    for (c, p) in a.post_of.iter().enumerate() {
        let Some(p) = *p else { continue };
        let ci = CandidateIdx::from_ix(c);
        let id = &pb.candidates[c].id;
        let pid = &pb.posts[p.ix()].id;
        if let Err(why) = pb.eligibility(ci, p) {
            let (zh, en) = (why.describe(Lang::Zh), why.describe(Lang::En));
            violations.push(msg!(
                "考生 {id} 在岗位 {pid}：不符合条件：{zh}",
                "candidate {id} at post {pid}: ineligible: {en}"
            ));
        } else if pb.rank(ci, p).is_none() {
            violations.push(msg!(
                "考生 {id} 在岗位 {pid}：该岗位不在其志愿之中",
                "candidate {id} at post {pid}: the post is not among the candidate's choices"
            ));
        }
    }
    // 2–4. Seats, county scales, project quotas.
    violations.extend(capacity_violations(pb, &occ));
    // 5. Rules.
    let rules = rule_figures(pb, &occ);
    violations.extend(rule_violations(&rules));

    Evaluation {
        violations,
        objective: objective(pb, a, &occ),
        rules,
        occupancy: occ,
    }
}

/// Rank of the post each candidate holds in `post_of`: `u32::MAX` when they
/// hold none or one they did not choose (then every acceptable post is
/// better, as `objective` counts it). The engines' blocking tests use it.
pub(crate) fn held_ranks(pb: &Problem, post_of: &[Option<PostIdx>]) -> Vec<u32> {
    post_of
        .iter()
        .enumerate()
        .map(|(c, p)| {
            p.and_then(|p| pb.rank(CandidateIdx::from_ix(c), p))
                .unwrap_or(u32::MAX)
        })
        .collect()
}

/// Per post, its lowest-priority holder (incumbents are never holders here).
pub(crate) fn worst_holders(pb: &Problem, a: &Assignment) -> Vec<Option<CandidateIdx>> {
    let mut worst: Vec<Option<CandidateIdx>> = vec![None; pb.posts.len()];
    for (c, p) in a.post_of.iter().enumerate() {
        let Some(p) = *p else { continue };
        let c = CandidateIdx::from_ix(c);
        let w = &mut worst[p.ix()];
        if w.is_none_or(|w| pb.cmp_at(p, c, w).is_lt()) {
            *w = Some(c);
        }
    }
    worst
}

/// A blocking pair (interface §2.4): candidate and post they rank above
/// their own, with a free seat there or a holder they outrank.
#[derive(Debug, Clone, Copy)]
pub struct BlockingPair {
    /// The candidate.
    pub candidate: CandidateIdx,
    /// The post.
    pub post: PostIdx,
    /// The candidate's rank of the post.
    pub rank: u32,
    /// The post's lowest-priority holder, whom the candidate outranks;
    /// `None` when a seat is free.
    pub holder: Option<CandidateIdx>,
}

/// Per county (by index): the blocking pairs of `a` at its posts, and
/// whether it has a post with open seats — where the neighbourhood search
/// and the county bound look first.
pub fn county_envy(pb: &Problem, a: &Assignment) -> Vec<(u64, bool)> {
    let mut v = vec![(0u64, false); pb.counties.len()];
    for p in &pb.posts {
        v[p.county.ix()].1 |= p.open() > 0;
    }
    let occ = post_occupancy(pb, a);
    for bp in blocking_pairs(pb, a, &occ) {
        v[pb.posts[bp.post.ix()].county.ix()].0 += 1;
    }
    v
}

/// Every blocking pair of an assignment, in candidate then rank order, from
/// first principles: each eligible, acceptable pair is tested against the
/// post's occupancy and its lowest-priority holder. Its length is the
/// objective's `envy`.
pub fn blocking_pairs(pb: &Problem, a: &Assignment, occ: &[u32]) -> Vec<BlockingPair> {
    let worst = worst_holders(pb, a);
    // A post the candidate did not choose (a violation) counts as no rank.
    // Looked up once per candidate: a province-wide adjustment list is
    // thousands of posts long.
    let held = held_ranks(pb, &a.post_of);
    let mut out = Vec::new();
    for pr in &pb.pairs {
        if pr.rank >= held[pr.candidate.ix()] {
            continue;
        }
        let p = pr.post;
        let free = occ[p.ix()] < pb.posts[p.ix()].seats;
        let w = worst[p.ix()];
        if free {
            out.push(BlockingPair {
                candidate: pr.candidate,
                post: p,
                rank: pr.rank,
                holder: None,
            });
        } else if w.is_some_and(|w| pb.cmp_at(p, pr.candidate, w).is_gt()) {
            out.push(BlockingPair {
                candidate: pr.candidate,
                post: p,
                rank: pr.rank,
                holder: w,
            });
        }
    }
    out
}

/// The objective of an assignment (interface §2.4), from first principles
/// (`blocking_pairs` for envy).
pub fn objective(pb: &Problem, a: &Assignment, occ: &[u32]) -> Objective {
    // A post the candidate did not choose (a violation) counts as rank 0 in
    // the preference sum.
    let held_rank: Vec<Option<u32>> = a
        .post_of
        .iter()
        .enumerate()
        .map(|(c, p)| p.and_then(|p| pb.rank(CandidateIdx::from_ix(c), p)))
        .collect();
    let envy = blocking_pairs(pb, a, occ).len() as u64;
    Objective {
        envy,
        fill: a.placed() as u64,
        preference: held_rank.iter().flatten().map(|&r| u64::from(r)).sum(),
    }
}
