//! The fast engine: deferred acceptance with capacity cuts (`cuts`), then
//! swaps that lower the objective (`swaps`); when cutting finds nothing,
//! DA with placements removed until every rule holds (`repair`). Every
//! hard constraint holds in what it returns; optimality is not proven. It
//! is `--engine fast`, the exact engine's warm start, and its answer when
//! the exact model would be too large.

pub mod cuts;
pub mod repair;
pub mod swaps;

use std::time::Instant;

use super::da::deferred_acceptance;
use super::{Solution, Status};
use crate::domain::types::PostIdx;
use crate::model::evaluate::{evaluate, Assignment};
use crate::model::Problem;

/// Passes of swap improvement after DA with capacity cuts.
const SWAP_PASSES: usize = 20;

/// A feasible starting point: DA if it breaks nothing (and nothing is
/// kept); else DA with capacity cuts (the fast engine); else, when that
/// finds nothing, DA with placements removed until the rules hold (slow on
/// large pools: one removal per pass) or only the kept placements —
/// whichever breaks nothing and is better for the model's objective.
pub fn start(pb: &Problem, kept: &[Option<PostIdx>]) -> Option<Assignment> {
    let free = kept.iter().all(Option::is_none);
    let da = free.then(|| deferred_acceptance(pb));
    if let Some(da) = &da {
        if evaluate(pb, da).violations.is_empty() {
            return da.clone().into();
        }
    }
    if let Some(a) = cuts::capped_da(pb, kept) {
        return Some(swaps::improve(pb, a, kept, SWAP_PASSES).assignment);
    }
    let mut options: Vec<Assignment> = da.map(|da| repair::repair(pb, da)).into_iter().collect();
    let mut base = Assignment::empty(pb.n_candidates());
    for (c, k) in kept.iter().enumerate() {
        base.post_of[c] = *k;
    }
    options.push(base);
    options
        .into_iter()
        .map(|a| (evaluate(pb, &a), a))
        .filter(|(ev, _)| ev.violations.is_empty())
        .min_by_key(|(ev, _)| ev.objective.lexicographic(&pb.policy.objective))
        .map(|(_, a)| a)
}

/// The fast engine's answer (`start`): feasible (its bound and gap are
/// set by `solve_with`); `None` when it finds no allocation that keeps
/// every rule.
pub fn solve(pb: &Problem, kept: &[Option<PostIdx>], t0: Instant) -> Option<Solution> {
    let assignment = start(pb, kept)?;
    Some(Solution {
        assignment,
        status: Status::Feasible { gap: None },
        stages: vec![("capped_da".into(), t0.elapsed().as_secs_f64())],
        notes: Vec::new(),
        proven: None,
        envy_floor: None,
        bound: Default::default(),
    })
}
