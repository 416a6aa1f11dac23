//! What is proven about the optimum (interface §3, `summary.json` `bound`):
//! per criterion, the best value any allocation could reach given the
//! earlier criteria at their reported values.
//!
//! Every engine gets the relaxation bounds that hold whatever the rules:
//! envy ≥ 0; fill ≤ open seats, the project quotas and the candidates with
//! an eligible post; preference ≥ fill when fill comes first (each placed
//! volunteer adds a rank of at least 1), else ≥ 0. The exact engine adds
//! what HiGHS proved when a time limit stopped it: the MIP dual bound of the
//! stage it was in, and the optimum of every stage before it. Envy's floor
//! is raised by the county relaxation (`relaxation`) when one was
//! computed.

use serde::Serialize;

use super::Status;
use crate::domain::policy::Criterion;
use crate::domain::types::{CandidateIdx, Project};
use crate::model::evaluate::Objective;
use crate::model::Problem;

/// Per criterion, the proven best value, `None` where nothing is proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Bound {
    /// Blocking pairs: at least this many.
    pub envy: Option<u64>,
    /// Placed: at most this many.
    pub fill: Option<u64>,
    /// Sum of ranks: at least this much.
    pub preference: Option<u64>,
}

impl Bound {
    /// The bound on one criterion.
    pub fn get(&self, c: Criterion) -> Option<u64> {
        match c {
            Criterion::Envy => self.envy,
            Criterion::Fill => self.fill,
            Criterion::Preference => self.preference,
        }
    }

    fn set(&mut self, c: Criterion, v: Option<u64>) {
        match c {
            Criterion::Envy => self.envy = v,
            Criterion::Fill => self.fill = v,
            Criterion::Preference => self.preference = v,
        }
    }
}

/// What an exact solve stopped by its time limit proved: the criterion at
/// `position` of the objective order is at least `value` (cost units: fill
/// as minus the placed), and every criterion before it is at its optimum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proven {
    /// Position in the model's objective order.
    pub position: usize,
    /// Lower bound on the criterion's cost (−placed for fill).
    pub value: i64,
}

/// The bound of a result with objective `o` and status `status`; `envy_floor`
/// is a relaxation's lower bound on blocking pairs (`relaxation`), valid
/// whatever the other criteria are.
pub fn bound(
    pb: &Problem,
    status: &Status,
    o: &Objective,
    proven: Option<Proven>,
    envy_floor: Option<u64>,
) -> Bound {
    let order = &pb.policy.objective;
    let mut b = Bound::default();
    match status {
        Status::Infeasible { .. } => return b,
        Status::Optimal => {
            for &c in order {
                b.set(c, Some(o.get(c)));
            }
            return b;
        }
        Status::Feasible { .. } => {}
    }
    for (k, &c) in order.iter().enumerate() {
        let fill_before = order[..k].contains(&Criterion::Fill);
        let simple = match c {
            Criterion::Envy => envy_floor.unwrap_or(0),
            Criterion::Fill => fill_upper(pb),
            Criterion::Preference if fill_before => o.fill,
            Criterion::Preference => 0,
        };
        let v = match proven {
            Some(p) if k < p.position => o.get(c),
            Some(p) if k == p.position => match c {
                Criterion::Fill => simple.min((-p.value).max(0) as u64),
                _ => simple.max(p.value.max(0) as u64),
            },
            _ => simple,
        };
        // Never past the value reached: the result itself proves that much.
        let v = match c {
            Criterion::Fill => v.max(o.fill),
            _ => v.min(o.get(c)),
        };
        b.set(c, Some(v));
    }
    b
}

/// The relative gap on the first criterion (in the objective order) where
/// objective and bound differ: 0 when none does, `None` when that
/// criterion has no bound.
pub fn gap(pb: &Problem, o: &Objective, b: &Bound) -> Option<f64> {
    for &c in &pb.policy.objective {
        let (have, best) = (o.get(c) as f64, b.get(c)? as f64);
        if (have - best).abs() >= 0.5 {
            return Some((have - best).abs() / have.abs().max(best.abs()).max(1.0));
        }
    }
    Some(0.0)
}

/// At most this many can be placed, whatever the rules: open seats, the
/// project quotas, and candidates with an eligible post.
pub fn fill_upper(pb: &Problem) -> u64 {
    let open: u64 = pb.posts.iter().map(|p| u64::from(p.open())).sum();
    let quota: u64 = [Project::National, Project::Local]
        .iter()
        .map(|&p| pb.policy.quota(p).map_or(u64::MAX, u64::from))
        .fold(0u64, u64::saturating_add);
    let able = (0..pb.n_candidates())
        .filter(|&c| !pb.pairs_of(CandidateIdx::from_ix(c)).is_empty())
        .count() as u64;
    open.min(quota).min(able)
}
