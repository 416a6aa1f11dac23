//! The engines that turn a `Problem` into an `Assignment`, and the rich
//! status they report.

pub mod bound;
pub mod da;
pub mod diagnose;
pub mod exact;
pub mod fast;
pub mod formulation;
pub mod highs;
pub mod lagrange;
pub mod lns;
pub mod objective;
pub mod progress;
pub mod relaxation;
pub mod settings;
pub mod stage;

use serde::Serialize;

use crate::model::evaluate::Assignment;
use settings::MipSettings;

/// Which engine allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// The exact optimum of the contract (MIP on HiGHS, with exact shortcuts).
    #[default]
    Exact,
    /// Deferred acceptance with capacities only: fast, ignores rules, scales
    /// and quotas (the baseline).
    Da,
    /// Deferred acceptance with capacity cuts until every rule, scale and
    /// quota holds: fast, keeps every hard constraint, optimality not proven.
    Fast,
}

impl Engine {
    /// Name used on the command line and in summary.json.
    pub fn key(self) -> &'static str {
        match self {
            Engine::Exact => "exact",
            Engine::Da => "da",
            Engine::Fast => "fast",
        }
    }
}

impl std::str::FromStr for Engine {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "exact" => Ok(Engine::Exact),
            "da" => Ok(Engine::Da),
            "fast" => Ok(Engine::Fast),
            _ => Err(format!("unknown engine {s:?}; use exact, fast or da")),
        }
    }
}

/// How good the returned assignment is known to be.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Status {
    /// Proven optimal for the model's objective.
    Optimal,
    /// Satisfies what the engine enforces, optimality not proven.
    Feasible {
        /// Relative gap on the first criterion where objective and bound
        /// differ (`bound::gap`); `None` when unknown.
        gap: Option<f64>,
    },
    /// No assignment satisfies every hard constraint.
    Infeasible {
        /// Rules, scopes and counts that cannot all hold.
        reasons: Vec<crate::error::Msg>,
    },
}

impl Status {
    /// The kind of status, without its details.
    pub fn outcome(&self) -> Outcome {
        match self {
            Status::Optimal => Outcome::Optimal,
            Status::Feasible { .. } => Outcome::Feasible,
            Status::Infeasible { .. } => Outcome::Infeasible,
        }
    }
}

/// A status without its details: what summary.json, comparison rows and
/// the report say (`optimal`, `feasible`, `infeasible`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Proven optimal.
    Optimal,
    /// Every hard constraint holds; optimality not proven.
    Feasible,
    /// No assignment satisfies every hard constraint.
    Infeasible,
}

impl Outcome {
    /// `optimal`, `feasible` or `infeasible`.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Optimal => "optimal",
            Outcome::Feasible => "feasible",
            Outcome::Infeasible => "infeasible",
        }
    }

    /// The status in words a person reads: `最优（已证明）`, or the key in
    /// English.
    pub fn words(self, lang: crate::lang::Lang) -> &'static str {
        match (self, lang) {
            (Outcome::Optimal, crate::lang::Lang::Zh) => "最优（已证明）",
            (Outcome::Feasible, crate::lang::Lang::Zh) => "可行（未证明最优）",
            (Outcome::Infeasible, crate::lang::Lang::Zh) => "无解",
            (_, crate::lang::Lang::En) => self.key(),
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.key())
    }
}

/// An engine's answer.
#[derive(Debug, Clone)]
pub struct Solution {
    /// The assignment.
    pub assignment: Assignment,
    /// What is known of it.
    pub status: Status,
    /// Wall time per stage, in order.
    pub stages: Vec<(String, f64)>,
    /// What a person should know about how it was found.
    pub notes: Vec<crate::error::Msg>,
    /// What the engine proved beyond the simple bounds (`bound::bound`).
    pub proven: Option<bound::Proven>,
    /// A relaxation's lower bound on blocking pairs, when the engine
    /// computed one (`relaxation::envy_by_county`); else `solve_with` does
    /// when the result is not proven optimal.
    pub envy_floor: Option<u64>,
    /// Per criterion, the proven best value (summary.json `bound`): set by
    /// `solve_with` for every engine, with the gap of `Status::Feasible`.
    pub bound: bound::Bound,
}

/// Run an engine; the problem's locks are kept placements.
pub fn solve(
    pb: &crate::model::Problem,
    engine: Engine,
    settings: &settings::MipSettings,
) -> crate::Result<Solution> {
    let mut fix = formulation::Fixings::default();
    if !pb.locks.is_empty() {
        fix.kept = vec![None; pb.n_candidates()];
        for l in &pb.locks {
            fix.kept[l.candidate.ix()] = Some(l.post);
        }
    }
    solve_with(pb, engine, settings, &fix)
}

/// Run an engine with kept placements (backfill's dispatch, locks) and,
/// for the exact engine only, rule shortfall allowed. The exact and fast
/// engines keep the kept placements; `da` refuses them.
pub fn solve_with(
    pb: &crate::model::Problem,
    engine: Engine,
    settings: &settings::MipSettings,
    fix: &formulation::Fixings,
) -> crate::Result<Solution> {
    let t = std::time::Instant::now();
    let da_solution = |status| Solution {
        assignment: da::deferred_acceptance(pb),
        status,
        stages: vec![("deferred_acceptance".into(), t.elapsed().as_secs_f64())],
        notes: Vec::new(),
        proven: None,
        envy_floor: None,
        bound: Default::default(),
    };
    let sol = match engine {
        Engine::Da if !fix.kept.is_empty() => Err(crate::Error::Input(vec![crate::Diagnostic::new(
            "--engine",
            1,
            1,
            crate::msg!(
                "da 引擎不能保留锁定或既有的安排；请用 --engine exact",
                "the da engine cannot keep locked or kept placements; use --engine exact"
            ),
        )])),
        Engine::Da => Ok(da_solution(Status::Feasible { gap: None })),
        Engine::Fast => match fast::solve(pb, &fix.kept, t) {
            Some(sol) => Ok(sol),
            // The fast engine only keeps rules; a shortfall is minimised by
            // the exact model (small here: everyone kept is fixed).
            None if fix.allow_shortfall => {
                let mut sol = exact::solve(pb, settings, fix)?;
                sol.notes.push(crate::msg!(
                    "快速引擎没有找到满足全部规则的安排；精确引擎把差额减到了最小（--allow-shortfall）",
                    "the fast engine found no allocation that keeps every rule; the exact engine minimised the shortfall (--allow-shortfall)"
                ));
                Ok(sol)
            }
            None => Err(crate::Error::Solver(crate::msg!(
                "快速引擎没有找到满足全部规则的安排；请用 --engine exact（它会证明无解或找到一个）",
                "the fast engine found no allocation that keeps every rule; use --engine exact (it proves infeasibility or finds one)"
            ))),
        },
        // Exact shortcut (interface §2.4): with no rules, quotas, scales, ties
        // or adjustment, the envy-free assignments are the stable matchings;
        // DA's is the one candidates prefer most, and all place the same
        // people — so it is optimal for any objective that starts with envy.
        Engine::Exact
            if fix.is_empty()
                && pb.is_plain()
                && pb.policy.objective.first() == Some(&crate::domain::policy::Criterion::Envy) =>
        {
            settings.validate()?;
            if let Some(path) = &settings.write_model {
                let f = formulation::Formulation::build(pb, true, &[]);
                exact::write_formulation(pb, &f, settings, path)?;
            }
            Ok(da_solution(Status::Optimal))
        }
        Engine::Exact => exact::solve(pb, settings, fix),
    }?;
    Ok(with_bound(pb, sol, settings, fix))
}

/// The solution with its bound, and, when feasible, the gap on the first
/// criterion where objective and bound differ (interface §3): one place
/// for every engine.
fn with_bound(
    pb: &crate::model::Problem,
    mut sol: Solution,
    settings: &MipSettings,
    fix: &formulation::Fixings,
) -> Solution {
    let o = crate::model::evaluate::evaluate(pb, &sol.assignment).objective;
    // The time left (at least a little: `time_limit` 0 means none).
    let left = settings.time_left().unwrap_or(relaxation::UNLIMITED_BUDGET);
    let wanted = matches!(sol.status, Status::Feasible { .. }) && o.envy > 0 && left > 0.05;
    if sol.envy_floor.is_none() && wanted && relaxation::applies(pb, fix) {
        let (a, stages) = (&sol.assignment, &mut sol.stages);
        let floor = relaxation::envy_floor_stage(pb, &fix.kept, a, settings, Some(left), stages);
        sol.envy_floor = Some(floor);
    }
    sol.bound = bound::bound(pb, &sol.status, &o, sol.proven, sol.envy_floor);
    if let Status::Feasible { gap } = &mut sol.status {
        *gap = bound::gap(pb, &o, &sol.bound);
    }
    sol
}
