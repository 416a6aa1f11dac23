//! One HiGHS solve of one stage, warm-started, within the run's deadline
//! (abandoned shortly after it), with a check that HiGHS handed back the
//! solution it reports: shared by the exact engine and the neighbourhood
//! search's sub-problems.

use std::time::{Duration, Instant};

use highs::{HighsModelStatus, Model};

use super::highs::{clear_solver, solve_until};
use super::objective::objective_of;
use super::settings::MipSettings;

/// What one stage's solve left behind.
pub(crate) struct Ran {
    /// HiGHS's answer; `None` when the solve was abandoned at the deadline.
    pub(crate) solved: Option<highs::SolvedModel>,
    /// The best solution found (HiGHS's, or the last incumbent it reported
    /// before it was abandoned).
    pub(crate) cols: Option<Vec<f64>>,
    /// The best proven bound on the stage's objective, if any.
    pub(crate) dual: Option<f64>,
}

impl Ran {
    /// HiGHS's status; an abandoned solve stopped at the time limit.
    pub(crate) fn status(&self) -> HighsModelStatus {
        self.solved
            .as_ref()
            .map_or(HighsModelStatus::ReachedTimeLimit, |s| s.status())
    }
}

/// How long after the deadline a solve that has not returned is abandoned:
/// HiGHS usually stops within milliseconds of its interrupt; this leaves
/// the rest of the promised overrun (interface §3.2) to writing.
const ABANDON_AFTER: Duration = Duration::from_millis(500);

/// Solve one stage, warm-started from `start`, until the deadline (the
/// solve is abandoned shortly after it; `highs::solve_until`). HiGHS 1.16
/// can hand back the supplied start instead of the better solution it
/// reports (seen in the property tests): when the columns do not match
/// the reported objective, the stage is solved again without a start, in
/// the time that is left.
pub(crate) fn run_stage(
    mut model: Model,
    s: &MipSettings,
    time_left: Option<f64>,
    start: Option<&[f64]>,
    costs: &[(usize, f64)],
) -> Ran {
    let t = Instant::now();
    s.apply(&mut model, time_left);
    let deadline = time_left.map(|l| t + Duration::from_secs_f64(l.max(0.01)));
    let watch = s.progress.watch(&mut model, deadline);
    if let Some(cols) = start {
        let _ = model.try_set_solution(Some(cols), None, None, None);
    }
    let abandon_at = deadline.map(|d| d + ABANDON_AFTER);
    let cancelled = || s.progress.is_cancelled();
    let Some(solved) = solve_until(
        model,
        abandon_at,
        (&cancelled, ABANDON_AFTER),
        watch.clone(),
    ) else {
        return Ran {
            solved: None,
            cols: watch.best(),
            dual: watch.dual_bound(),
        };
    };
    let has = solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible;
    let cols = has.then(|| solved.get_solution().columns().to_vec());
    let consistent = cols.as_ref().is_none_or(|c| {
        let (ours, reported) = (objective_of(costs, c), solved.objective_value());
        // Sums of large weighted costs differ in their last digits (seen:
        // 48845518301 against 48845518300.999985); a stale start differs
        // by at least one unit of a criterion.
        (ours - reported).abs() <= 1e-6_f64.max(1e-9 * reported.abs())
    });
    if consistent || start.is_none() {
        let dual = solved
            .double_info_value(c"mip_dual_bound")
            .ok()
            .filter(|d| d.is_finite());
        return Ran {
            solved: Some(solved),
            cols,
            dual,
        };
    }
    let mut model = Model::from(solved);
    clear_solver(&mut model);
    let left = time_left.map(|l| l - t.elapsed().as_secs_f64());
    run_stage(model, s, left, None, costs)
}
