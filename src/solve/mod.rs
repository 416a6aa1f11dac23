//! The engines that turn a `Problem` into an `Assignment`, and the rich
//! status they report.

pub mod da;

use serde::Serialize;

use crate::model::evaluate::Assignment;

/// Which engine allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// Deferred acceptance with capacities only: fast, ignores rules, scales
    /// and quotas (the baseline).
    #[default]
    Da,
}

impl std::str::FromStr for Engine {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "da" => Ok(Engine::Da),
            _ => Err(format!("unknown engine {s:?}; use da")),
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
        /// Relative gap when known.
        gap: Option<f64>,
    },
    /// No assignment satisfies every hard constraint.
    Infeasible {
        /// Rules, scopes and counts that cannot all hold.
        reasons: Vec<String>,
    },
}

impl Status {
    /// `optimal`, `feasible` or `infeasible`.
    pub fn key(&self) -> &'static str {
        match self {
            Status::Optimal => "optimal",
            Status::Feasible { .. } => "feasible",
            Status::Infeasible { .. } => "infeasible",
        }
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
}

/// Run an engine.
pub fn solve(pb: &crate::model::Problem, engine: Engine) -> Solution {
    let t = std::time::Instant::now();
    match engine {
        Engine::Da => {
            let assignment = da::deferred_acceptance(pb);
            Solution {
                assignment,
                status: Status::Feasible { gap: None },
                stages: vec![("deferred_acceptance".into(), t.elapsed().as_secs_f64())],
            }
        }
    }
}
