//! The contents of the output files (interface §3).

use serde::Serialize;

use crate::domain::records::ColumnReport;

use super::csvfile::csv_bytes;

use crate::domain::types::CandidateIdx;
use crate::error::Msg;
use crate::lang::Lang;
use crate::model::evaluate::{Assignment, Evaluation, Objective};
use crate::model::rules::RuleFigure;
use crate::model::Problem;
use crate::solve::bound::Bound;
use crate::solve::{Outcome, Solution};

/// `dispatch.csv`: one row per placed candidate, in input order.
pub fn dispatch_csv(pb: &Problem, a: &Assignment) -> Vec<u8> {
    let header = [
        "candidate_id",
        "post_id",
        "county",
        "league",
        "specialty",
        "level",
        "rank",
        "name",
        "unit",
    ];
    let rows = a.post_of.iter().enumerate().filter_map(|(c, p)| {
        let p = (*p)?;
        let post = &pb.posts[p.ix()];
        let cand = &pb.candidates[c];
        let rank = pb
            .rank(CandidateIdx::from_ix(c), p)
            .map_or(String::new(), |r| r.to_string());
        Some(vec![
            cand.id.clone(),
            post.id.clone(),
            pb.counties[post.county.ix()].code.clone(),
            pb.leagues[post.league.ix()].clone(),
            pb.policy.specialties[post.specialty.ix()].key.clone(),
            post.level.key().to_string(),
            rank,
            cand.name.clone(),
            post.unit.clone(),
        ])
    });
    csv_bytes(header, rows)
}

/// Every candidate not placed, in input order, with a reason in `lang`.
/// When the instance is infeasible nobody is allocated and every row says so.
pub(crate) fn unplaced_reasons(
    pb: &Problem,
    sol: &Solution,
    ev: &Evaluation,
    lang: Lang,
) -> Vec<(CandidateIdx, String)> {
    if let crate::solve::Status::Infeasible { .. } = sol.status {
        let why = lang.pick(
            "未分配：硬性约束无法同时满足（见 summary.json）",
            "not allocated: the hard constraints cannot all hold (see summary.json)",
        );
        return (0..pb.n_candidates())
            .map(|c| (CandidateIdx::from_ix(c), why.to_string()))
            .collect();
    }
    super::reasons::Explainer::new(pb, &sol.assignment, ev.occupancy.clone(), lang).unplaced()
}

/// `envy.csv`: `candidate_id, post_id, rank, holder_id, reason`, one row
/// per blocking pair (so as many as `objective.envy`); `holder_id` is the
/// post's lowest holder the candidate outranks, empty for a free seat; the
/// reason is what kept the candidate out (a rule, scale, quota or the
/// trade-off of the objective), as `explain` says it.
pub fn envy_csv(pb: &Problem, sol: &Solution, ev: &Evaluation, lang: Lang) -> Vec<u8> {
    use crate::model::evaluate::blocking_pairs;
    let a = &sol.assignment;
    let ex = super::reasons::Explainer::new(pb, a, ev.occupancy.clone(), lang);
    let rows = blocking_pairs(pb, a, &ev.occupancy).into_iter().map(|b| {
        [
            pb.candidates[b.candidate.ix()].id.clone(),
            pb.posts[b.post.ix()].id.clone(),
            b.rank.to_string(),
            b.holder
                .map_or(String::new(), |h| pb.candidates[h.ix()].id.clone()),
            ex.post_reason(b.candidate, b.post),
        ]
    });
    csv_bytes(
        ["candidate_id", "post_id", "rank", "holder_id", "reason"],
        rows,
    )
}

/// `unplaced.csv`: `candidate_id, reason`.
pub fn unplaced_csv(pb: &Problem, reasons: &[(CandidateIdx, String)]) -> Vec<u8> {
    let rows = reasons
        .iter()
        .map(|(c, why)| vec![pb.candidates[c.ix()].id.clone(), why.clone()]);
    csv_bytes(["candidate_id", "reason"], rows)
}

/// `reserves.csv`: `post_id, position, candidate_id` (position from 1).
pub fn reserves_csv(pb: &Problem, lists: &super::reserves::ReserveLists) -> Vec<u8> {
    let mut rows = Vec::new();
    for (p, list) in lists {
        for (k, c) in list.iter().enumerate() {
            rows.push(vec![
                pb.posts[p.ix()].id.clone(),
                (k + 1).to_string(),
                pb.candidates[c.ix()].id.clone(),
            ]);
        }
    }
    csv_bytes(["post_id", "position", "candidate_id"], rows)
}

/// `summary.json`.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// `optimal`, `feasible` or `infeasible`.
    pub status: Outcome,
    /// Engine used.
    pub engine: String,
    /// Criterion values (all three, whatever the model's objective).
    pub objective: Objective,
    /// The model's objective order.
    pub objective_order: Vec<&'static str>,
    /// Per criterion, the proven best value given the earlier criteria at
    /// their reported values (`null` where nothing is proven): equal to
    /// `objective` when optimal.
    pub bound: Bound,
    /// Placed candidates.
    pub placed: usize,
    /// Relative gap on the first criterion where objective and bound
    /// differ: 0 when optimal, `null` when unknown.
    pub gap: Option<f64>,
    /// Lottery seed.
    pub seed: u64,
    /// Candidates in the pool.
    pub candidates: usize,
    /// Seats, incumbents included.
    pub seats: u64,
    /// Incumbents.
    pub incumbents: usize,
    /// Seats left open.
    pub open_seats: u64,
    /// Hard constraints the result violates (only an engine that ignores
    /// some, like `da`, can leave any).
    pub violations: Vec<Msg>,
    /// Reasons when infeasible.
    pub infeasible: Vec<Msg>,
    /// Every rule in every scope.
    pub rules: Vec<RuleFigure>,
    /// Rules that fall short, with the shortfall in volunteers: only
    /// `backfill --allow-shortfall` and `--engine da` (which ignores rules)
    /// can leave any.
    pub shortfall: Vec<Shortfall>,
    /// Seconds per stage.
    pub seconds: Vec<StageTime>,
    /// What a person should know: how the files were read (an absent
    /// column whose default the model uses) and how the result was found
    /// (time limit, model too large for the exact engine).
    pub notes: Vec<Msg>,
    /// What each file's header row was read as: recognised and ignored
    /// columns.
    pub columns: Vec<ColumnReport>,
}

impl Summary {
    /// The bound in words, on the first criterion where it and the
    /// objective differ: how much better an allocation could at most be.
    /// `None` when nothing better is possible or nothing is proven.
    pub fn bound_sentence(&self, lang: Lang) -> Option<String> {
        use crate::domain::policy::Criterion;
        let first = self.objective_order.iter().find_map(|k| {
            let c = Criterion::parse(k)?;
            let (have, best) = (self.objective.get(c), self.bound.get(c)?);
            (have != best).then_some((c, have.abs_diff(best)))
        })?;
        Some(match (first.0, lang) {
            (Criterion::Envy, Lang::Zh) => format!("已证明：最多还能再减少 {} 个阻塞对", first.1),
            (Criterion::Envy, Lang::En) => {
                format!(
                    "proven: at most {} blocking pairs fewer are possible",
                    first.1
                )
            }
            (Criterion::Fill, Lang::Zh) => format!("已证明：最多还能多安置 {} 人", first.1),
            (Criterion::Fill, Lang::En) => {
                format!(
                    "proven: at most {} more volunteers could be placed",
                    first.1
                )
            }
            (Criterion::Preference, Lang::Zh) => {
                format!("已证明：志愿序号之和最多还能降低 {}", first.1)
            }
            (Criterion::Preference, Lang::En) => {
                format!(
                    "proven: the sum of ranks could be at most {} lower",
                    first.1
                )
            }
        })
    }
}

/// A rule that falls short in one scope.
#[derive(Debug, Serialize)]
pub struct Shortfall {
    /// Rule name.
    pub rule: String,
    /// County code, league code or `region`.
    pub place: String,
    /// Volunteers missing (≥) or in excess (≤).
    pub shortfall: f64,
}

/// Time of one stage.
#[derive(Debug, Serialize)]
pub struct StageTime {
    /// Stage name.
    pub stage: String,
    /// Wall seconds.
    pub seconds: f64,
}

impl Summary {
    /// Assemble the summary of a solution.
    pub fn new(pb: &Problem, engine: &str, sol: &Solution, ev: &Evaluation) -> Self {
        use crate::solve::Status;
        let seats: u64 = pb.posts.iter().map(|p| u64::from(p.seats)).sum();
        let placed = sol.assignment.placed();
        let (gap, infeasible) = match &sol.status {
            Status::Optimal => (Some(0.0), vec![]),
            Status::Feasible { gap } => (*gap, vec![]),
            Status::Infeasible { reasons } => (None, reasons.clone()),
        };
        Summary {
            status: sol.status.outcome(),
            engine: engine.to_string(),
            objective: ev.objective,
            objective_order: pb.policy.objective.iter().map(|c| c.key()).collect(),
            bound: sol.bound,
            placed,
            gap,
            seed: pb.seed,
            candidates: pb.n_candidates(),
            seats,
            incumbents: pb.incumbents.len(),
            open_seats: seats.saturating_sub(placed as u64 + pb.incumbents.len() as u64),
            violations: ev.violations.clone(),
            infeasible,
            rules: ev.rules.clone(),
            shortfall: ev
                .rules
                .iter()
                .filter(|f| !f.ok)
                .map(|f| Shortfall {
                    rule: f.rule.clone(),
                    place: f.place.clone(),
                    shortfall: f.shortfall(),
                })
                .collect(),
            notes: pb.notes().iter().chain(&sol.notes).cloned().collect(),
            columns: pb.columns().to_vec(),
            seconds: sol
                .stages
                .iter()
                .map(|(s, t)| StageTime {
                    stage: s.clone(),
                    seconds: *t,
                })
                .collect(),
        }
    }
}
