//! The exact engine: the formulation solved on HiGHS, one criterion at a
//! time (optimise, fix its optimal value, go on), with deferred acceptance
//! or the empty assignment as warm start, a whole-run time limit, and an
//! elastic re-solve that names the rules that cannot all hold.

use std::ffi::CString;
use std::path::PathBuf;
use std::time::Instant;

use highs::{ColProblem, HighsModelStatus, Model, Sense};

use super::formulation::{Fixings, Formulation, RowKind};
use super::{Solution, Status};
use crate::domain::policy::Criterion;
use crate::error::{Error, Result};
use crate::model::evaluate::{evaluate, Assignment};

use crate::model::Problem;

/// Settings of the exact engine (validated by `validate`).
#[derive(Debug, Clone)]
pub struct MipSettings {
    /// Wall-time limit for the whole run, in seconds.
    pub time_limit: Option<f64>,
    /// HiGHS threads (1 when several solves run at once).
    pub threads: u32,
    /// HiGHS random seed, fixed for reproducibility.
    pub random_seed: i32,
    /// Write the model (LP or MPS, by extension) before solving.
    pub write_model: Option<PathBuf>,
    /// Extra HiGHS options (`name`, `value`), applied last.
    pub highs_options: Vec<(String, String)>,
    /// Show HiGHS's log on stderr.
    pub solver_log: bool,
    /// Largest exact model (columns, estimated before building it) to
    /// attempt; beyond it the fast engine's allocation is returned, with a
    /// note. Around 4 KiB of memory per column goes into HiGHS's presolve.
    pub max_columns: usize,
    /// Where to show progress.
    pub progress: super::progress::Progress,
    /// Solve one criterion at a time even when one weighted objective
    /// would be exact (for checking; slower).
    pub staged: bool,
}

impl Default for MipSettings {
    fn default() -> Self {
        MipSettings {
            time_limit: None,
            threads: 1,
            random_seed: 0,
            write_model: None,
            highs_options: Vec::new(),
            solver_log: false,
            max_columns: 2_000_000,
            progress: Default::default(),
            staged: false,
        }
    }
}

impl MipSettings {
    /// Reject settings HiGHS would refuse or that make no sense.
    pub fn validate(&self) -> Result<()> {
        if let Some(t) = self.time_limit {
            if !(t.is_finite() && t > 0.0) {
                return Err(Error::Input(vec![crate::Diagnostic::new(
                    "--time-limit",
                    1,
                    1,
                    format!("time limit {t} must be a positive number of seconds"),
                )]));
            }
        }
        if self.threads == 0 {
            return Err(Error::Solver("threads must be at least 1".into()));
        }
        let mut probe = ColProblem::default().optimise(Sense::Minimise);
        for (k, v) in &self.highs_options {
            set_text_option(&mut probe, k, v).map_err(|m| {
                Error::Input(vec![crate::Diagnostic::new("--highs-option", 1, 1, m)])
            })?;
        }
        Ok(())
    }
}

/// Set a HiGHS option from text: integer, float, bool or string, whichever
/// HiGHS accepts.
fn set_text_option(model: &mut Model, k: &str, v: &str) -> std::result::Result<(), String> {
    let ok = (v.parse::<i32>().is_ok()
        && model
            .try_set_option(k, v.parse::<i32>().unwrap_or(0))
            .is_ok())
        || (v.parse::<f64>().is_ok()
            && model
                .try_set_option(k, v.parse::<f64>().unwrap_or(0.0))
                .is_ok())
        || (v.parse::<bool>().is_ok()
            && model
                .try_set_option(k, v.parse::<bool>().unwrap_or(false))
                .is_ok())
        || model.try_set_option(k, v).is_ok();
    if ok {
        Ok(())
    } else {
        Err(format!("HiGHS does not accept option {k}={v}"))
    }
}

fn to_highs(f: &Formulation) -> Model {
    let m = &f.mip;
    let mut p = ColProblem::default();
    let rows: Vec<highs::Row> = m
        .row_lo
        .iter()
        .zip(&m.row_hi)
        .map(|(&lo, &hi)| p.add_row(lo..=hi))
        .collect();
    for (j, entries) in m.cols.iter().enumerate() {
        let factors = entries.iter().map(|&(r, v)| (rows[r as usize], v));
        let (lo, hi) = (m.col_lo[j], m.col_hi[j]);
        if m.integer[j] {
            p.add_integer_column(0.0, lo..=hi, factors);
        } else {
            p.add_column(0.0, lo..=hi, factors);
        }
    }
    p.optimise(Sense::Minimise)
}

/// Every criterion is an integer: an absolute gap below 1 proves optimality.
const MIP_ABS_GAP: f64 = 0.5;

/// Presolve rules switched off: bit 15, probing. Measured (BENCHMARKS.md):
/// on the 8,000 backfill model probing alone was due to take 449–1,005 s
/// (presolve 20+ s, probing unfinished → ~10 s without it); on the 4,000
/// backfill 47 → 41 s; on
/// allocate neutral (league 63.7 → 59.4 s, 506 → 275 MiB; sample 4.4 →
/// 4.8 s). `--highs-option presolve_rule_off=0` turns it back on.
const PRESOLVE_RULE_OFF: i32 = 1 << 15;

/// The HiGHS version xibu is linked with.
pub fn highs_version() -> String {
    // SAFETY: Highs_version returns a pointer to a static C string.
    let v = unsafe { std::ffi::CStr::from_ptr(highs_sys::Highs_version()) };
    v.to_string_lossy().into_owned()
}

impl MipSettings {
    /// The HiGHS options every solve sets, as `name = value` (for run.json).
    pub fn highs_settings(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("threads".to_string(), self.threads.to_string()),
            ("random_seed".to_string(), self.random_seed.to_string()),
            ("mip_rel_gap".to_string(), "0".to_string()),
            ("mip_abs_gap".to_string(), MIP_ABS_GAP.to_string()),
            (
                "presolve_rule_off".to_string(),
                PRESOLVE_RULE_OFF.to_string(),
            ),
        ];
        if let Some(t) = self.time_limit {
            v.push(("time_limit".to_string(), t.to_string()));
        }
        v.extend(self.highs_options.iter().cloned());
        v
    }
}

fn set_options(model: &mut Model, s: &MipSettings, time_left: Option<f64>) {
    model.set_option("threads", s.threads as i32);
    model.set_option("random_seed", s.random_seed);
    model.set_option("mip_rel_gap", 0.0);
    model.set_option("mip_abs_gap", MIP_ABS_GAP);
    model.set_option("presolve_rule_off", PRESOLVE_RULE_OFF);
    if s.solver_log {
        model.set_option("output_flag", true);
        model.set_option("log_to_console", true);
    }
    for (k, v) in &s.highs_options {
        // Validated in `MipSettings::validate`.
        let _ = set_text_option(model, k, v);
    }
    if let Some(t) = time_left {
        model.set_option("time_limit", t.max(0.01));
    }
}

/// Replace the whole objective: `costs` lists the nonzero coefficients.
fn set_objective(model: &mut Model, n_cols: usize, costs: &[(usize, f64)]) {
    let mut c = vec![0.0; n_cols];
    for &(j, v) in costs {
        c[j] = v;
    }
    if n_cols == 0 {
        return;
    }
    let last = highs_sys::HighsInt::try_from(n_cols - 1).expect("columns fit HighsInt");
    // SAFETY: `c` has exactly n_cols entries, the model's column count.
    let status =
        unsafe { highs_sys::Highs_changeColsCostByRange(model.as_mut_ptr(), 0, last, c.as_ptr()) };
    assert_eq!(status, 0, "HiGHS rejected an objective of the right length");
}

/// Add `Σ coef·col ≤ hi`.
fn add_upper_row(model: &mut Model, terms: &[(usize, f64)], hi: f64) {
    let idx: Vec<highs_sys::HighsInt> = terms
        .iter()
        .map(|&(j, _)| highs_sys::HighsInt::try_from(j).expect("columns fit HighsInt"))
        .collect();
    let val: Vec<f64> = terms.iter().map(|&(_, v)| v).collect();
    let n = highs_sys::HighsInt::try_from(idx.len()).expect("row fits HighsInt");
    // SAFETY: idx and val have n entries, each index is an existing column.
    let status = unsafe {
        highs_sys::Highs_addRow(
            model.as_mut_ptr(),
            f64::NEG_INFINITY,
            hi,
            n,
            idx.as_ptr(),
            val.as_ptr(),
        )
    };
    assert_eq!(status, 0, "HiGHS rejected a row over existing columns");
}

/// Write the model as HiGHS does (`.lp` or `.mps` by extension).
fn write_model(model: &mut Model, path: &std::path::Path) -> Result<()> {
    let c = CString::new(path.display().to_string())
        .map_err(|_| Error::Solver("model path contains a NUL byte".into()))?;
    let status = unsafe { highs_sys::Highs_writeModel(model.as_mut_ptr(), c.as_ptr()) };
    // HiGHS status: -1 error, 0 ok, 1 warning (e.g. names were generated).
    if status < 0 {
        return Err(Error::Solver(format!(
            "HiGHS could not write {}",
            path.display()
        )));
    }
    Ok(())
}

fn objective_of(costs: &[(usize, f64)], cols: &[f64]) -> f64 {
    costs.iter().map(|&(j, c)| c * cols[j]).sum()
}

/// Solve one stage, warm-started from `start`. HiGHS 1.16 can hand back the
/// supplied start instead of the better solution it reports (seen in the
/// property tests): when the columns do not match the reported objective,
/// the stage is solved again without a start, in the time that is left.
fn run_stage(
    mut model: Model,
    s: &MipSettings,
    time_left: Option<f64>,
    start: Option<&[f64]>,
    costs: &[(usize, f64)],
) -> (highs::SolvedModel, Option<Vec<f64>>) {
    let t = Instant::now();
    set_options(&mut model, s, time_left);
    s.progress.attach(&mut model);
    if let Some(cols) = start {
        let _ = model.try_set_solution(Some(cols), None, None, None);
    }
    let solved = model.solve();
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
        return (solved, cols);
    }
    let mut model = Model::from(solved);
    // SAFETY: a valid HiGHS instance; clearing its solver state is always allowed.
    unsafe { highs_sys::Highs_clearSolver(model.as_mut_ptr()) };
    let left = time_left.map(|l| l - t.elapsed().as_secs_f64());
    run_stage(model, s, left, None, costs)
}

/// Write the formulation with the first stage's objective (the weighted
/// one when the criteria are solved together).
pub fn write_formulation(
    pb: &Problem,
    f: &Formulation,
    s: &MipSettings,
    path: &std::path::Path,
) -> Result<()> {
    let mut model = to_highs(f);
    let objective = &pb.policy.objective;
    let costs = match combined_costs(pb, f, objective).filter(|_| !s.staged) {
        Some(costs) => costs,
        None => objective.first().map_or(Vec::new(), |&c| f.costs(pb, c)),
    };
    set_objective(&mut model, f.mip.cols.len(), &costs);
    set_options(&mut model, s, None);
    for (j, name) in f.mip.col_names.iter().enumerate() {
        // LP files take letters, digits and a few symbols in names.
        let clean: String = name
            .chars()
            .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
            .collect();
        let c = CString::new(clean).expect("no NUL after cleaning");
        let j = highs_sys::HighsInt::try_from(j).expect("columns fit HighsInt");
        // SAFETY: j is an existing column, c a valid C string.
        unsafe { highs_sys::Highs_passColName(model.as_mut_ptr(), j, c.as_ptr()) };
    }
    write_model(&mut model, path)
}

/// Any allocation that satisfies every hard constraint, from the model
/// without envy variables (maximising fill), within `budget` seconds.
fn feasible_start(
    pb: &Problem,
    s: &MipSettings,
    kept: &[Option<crate::domain::types::PostIdx>],
    budget: Option<f64>,
) -> Option<Assignment> {
    let f = Formulation::build(pb, false, kept);
    let mut model = to_highs(&f);
    set_objective(&mut model, f.mip.cols.len(), &f.costs(pb, Criterion::Fill));
    let quick = MipSettings {
        write_model: None,
        ..s.clone()
    };
    let (_, cols) = run_stage(model, &quick, budget, None, &[]);
    let a = f.assignment(pb, &cols?);
    evaluate(pb, &a).violations.is_empty().then_some(a)
}

/// Passes of swap improvement after DA with capacity cuts.
const SWAP_PASSES: usize = 20;

/// A feasible starting point: DA if it breaks nothing (and nothing is
/// kept); else DA with capacity cuts (the fast engine); else, when that
/// finds nothing, DA with placements removed until the rules hold (slow on
/// large pools: one removal per pass) or only the kept placements —
/// whichever breaks nothing and is better for the model's objective.
pub fn warm_start(
    pb: &Problem,
    kept: &[Option<crate::domain::types::PostIdx>],
) -> Option<Assignment> {
    let free = kept.iter().all(Option::is_none);
    let da = free.then(|| super::da::deferred_acceptance(pb));
    if let Some(da) = &da {
        if evaluate(pb, da).violations.is_empty() {
            return da.clone().into();
        }
    }
    if let Some(a) = super::heuristic::capped_da(pb, kept) {
        return Some(super::swaps::improve(pb, a, kept, SWAP_PASSES).assignment);
    }
    let mut options: Vec<Assignment> = da
        .map(|da| super::repair::repair(pb, da))
        .into_iter()
        .collect();
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

/// Solve exactly (or as far as the time limit allows).
pub fn solve_mip(pb: &Problem, s: &MipSettings) -> Result<Solution> {
    solve_mip_fixed(pb, s, &Fixings::default())
}

/// Solve with kept placements and, optionally, rules allowed to fall short
/// (their total shortfall is then minimised before the model's criteria).
pub fn solve_mip_fixed(pb: &Problem, s: &MipSettings, fix: &Fixings) -> Result<Solution> {
    s.validate()?;
    let t0 = Instant::now();
    let left = |t0: &Instant| s.time_limit.map(|l| l - t0.elapsed().as_secs_f64());
    let mut stages: Vec<(String, f64)> = Vec::new();
    let objective = pb.policy.objective.clone();
    let with_envy = objective.contains(&Criterion::Envy);

    // Kept placements are not in the model: count only the pairs that vary.
    let estimate = super::formulation::live_pairs(pb, &fix.kept) * if with_envy { 4 } else { 1 };
    if estimate > s.max_columns && !fix.allow_shortfall {
        return too_large(pb, s, fix, estimate, t0);
    }
    s.progress.stage("build");
    let mut f = Formulation::build(pb, with_envy, &fix.kept);
    let shortfall: Vec<(usize, f64)> = if fix.allow_shortfall {
        let slacks = f.add_slacks(|k| matches!(k, RowKind::Rule(..)));
        slacks.into_iter().map(|(j, _)| (j, 1.0)).collect()
    } else {
        Vec::new()
    };
    stages.push(("build".into(), t0.elapsed().as_secs_f64()));
    let mut model = to_highs(&f);
    let mut start = if fix.allow_shortfall {
        None
    } else {
        warm_start(pb, &fix.kept)
    };
    let nobody_free = f.x.iter().all(Option::is_none);
    if start.is_none() && !fix.allow_shortfall && with_envy && !nobody_free {
        // No cheap start: find any allocation that keeps every rule on the
        // much smaller model without envy variables (max fill), so that the
        // first stage never runs out of time with nothing to show. It only
        // seeds the search; the optimum is unchanged.
        let ts = Instant::now();
        let budget = left(&t0).map(|l| (l / 4.0).max(0.01));
        start = feasible_start(pb, s, &fix.kept, budget);
        stages.push(("feasible_start".into(), ts.elapsed().as_secs_f64()));
    }
    let mut current: Option<Vec<f64>> = start.map(|a| f.columns_for(pb, &a.post_of));
    if let Some(path) = &s.write_model {
        write_formulation(pb, &f, s, path)?;
    }
    if nobody_free {
        // Nobody else can be placed anywhere: the kept placements are the
        // only assignment.
        let a = f.assignment(pb, &[]);
        let ev = evaluate(pb, &a);
        let status = if ev.violations.is_empty() || (fix.allow_shortfall && only_rules(&ev)) {
            Status::Optimal
        } else {
            Status::Infeasible {
                reasons: ev.violations,
            }
        };
        return Ok(Solution {
            assignment: a,
            status,
            stages,
            notes: Vec::new(),
        });
    }

    // Stages: (name, costs, how much above its optimum the fix row allows).
    let mut plan: Vec<Stage> = Vec::new();
    if fix.allow_shortfall {
        // Shortfall is fractional (share × total): fix it tightly.
        plan.push(("shortfall".into(), shortfall, 1e-6));
    }
    match combined_costs(pb, &f, &objective).filter(|_| !s.staged) {
        Some(costs) => plan.push(("combined".into(), costs, 0.5)),
        None => {
            for &c in &objective {
                plan.push((c.key().into(), f.costs(pb, c), 0.5));
            }
        }
    }
    if plan.is_empty() {
        plan.push(("feasibility".into(), Vec::new(), 0.5));
    }
    for (name, costs, slack) in plan {
        let ts = Instant::now();
        if let (Some(cols), true) = (&current, left(&t0).is_some_and(|l| l < 1.0)) {
            // No time for another stage (HiGHS's presolve alone would
            // overrun the limit): keep what the earlier stages proved.
            let status = Status::Feasible { gap: None };
            let stop = Some(name);
            return finish(pb, &f, cols, status, stages, stop, fix.allow_shortfall);
        }
        s.progress.stage(&name);
        set_objective(&mut model, f.mip.cols.len(), &costs);
        let (solved, cols) = run_stage(model, s, left(&t0), current.as_deref(), &costs);
        let status = solved.status();
        stages.push((name.clone(), ts.elapsed().as_secs_f64()));
        match status {
            HighsModelStatus::Optimal => {
                let cols = cols.expect("an optimal stage has a solution");
                let value: f64 = objective_of(&costs, &cols);
                let value = if slack >= 0.5 { value.round() } else { value };
                current = Some(cols);
                model = Model::from(solved);
                if !costs.is_empty() {
                    // Fix this criterion at its optimum for the next ones.
                    add_upper_row(&mut model, &costs, value + slack);
                }
            }
            HighsModelStatus::Infeasible if current.is_none() => {
                let reasons = diagnose_infeasible(pb, s, &fix.kept)?;
                return Ok(Solution {
                    assignment: Assignment::empty(pb.n_candidates()),
                    status: Status::Infeasible { reasons },
                    stages,
                    notes: Vec::new(),
                });
            }
            _ => {
                // Stopped (time limit …): keep the best known assignment.
                let mut gap = cols.is_some().then(|| solved.mip_gap());
                // A solve restarted without its start can stop with
                // something worse than the start: keep the better one.
                let cols = match (cols, current) {
                    (Some(c), Some(k)) if objective_of(&costs, &k) < objective_of(&costs, &c) => {
                        gap = None;
                        Some(k)
                    }
                    (c, k) => c.or(k),
                };
                let Some(cols) = cols else {
                    return Err(Error::Solver(format!(
                        "stopped ({status:?}) in stage {name} before any feasible assignment was found; raise --time-limit"
                    )));
                };
                let status = Status::Feasible { gap };
                return finish(
                    pb,
                    &f,
                    &cols,
                    status,
                    stages,
                    Some(name),
                    fix.allow_shortfall,
                );
            }
        }
    }
    let cols = current.expect("every stage was optimal");
    finish(
        pb,
        &f,
        &cols,
        Status::Optimal,
        stages,
        None,
        fix.allow_shortfall,
    )
}

/// The exact model would be too large: return the fast engine's allocation
/// (feasible, with the gap of its first criterion against a simple bound).
fn too_large(
    pb: &Problem,
    s: &MipSettings,
    fix: &Fixings,
    estimate: usize,
    t0: Instant,
) -> Result<Solution> {
    s.progress
        .stage("fast (model too large for the exact engine)");
    let Some(mut sol) = fast_solution(pb, &fix.kept, t0) else {
        return Err(Error::Solver(format!(
            "the exact model would have about {estimate} columns (limit {}), and the fast engine found no allocation that keeps every rule; raise --max-columns",
            s.max_columns
        )));
    };
    sol.notes.push(format!(
        "the exact model would have about {estimate} columns, more than --max-columns {}; this is the fast engine's allocation (every hard constraint holds; the gap is against a simple bound)",
        s.max_columns
    ));
    Ok(sol)
}

/// The fast engine's answer (`warm_start`): feasible, with the gap of its
/// first criterion against `simple_gap`'s bound; `None` when it finds no
/// allocation that keeps every rule.
pub fn fast_solution(
    pb: &Problem,
    kept: &[Option<crate::domain::types::PostIdx>],
    t0: Instant,
) -> Option<Solution> {
    let assignment = warm_start(pb, kept)?;
    let gap = simple_gap(pb, &evaluate(pb, &assignment).objective);
    Some(Solution {
        assignment,
        status: Status::Feasible { gap },
        stages: vec![("capped_da".into(), t0.elapsed().as_secs_f64())],
        notes: Vec::new(),
    })
}

/// Relative gap of the first criterion against a bound that needs no
/// solve: 0 blocking pairs; fill at most the open seats, the quotas and the
/// candidates with an eligible post; preference at least 0 (nobody placed).
pub fn simple_gap(pb: &Problem, o: &crate::model::evaluate::Objective) -> Option<f64> {
    let rel = |best: f64, have: f64| {
        if (have - best).abs() < 0.5 {
            0.0
        } else {
            (have - best).abs() / have.abs().max(best.abs()).max(1.0)
        }
    };
    match pb.policy.objective.first()? {
        Criterion::Envy => Some(rel(0.0, o.envy as f64)),
        Criterion::Fill => {
            let open: u64 = pb.posts.iter().map(|p| u64::from(p.open())).sum();
            let quota: u64 = [
                crate::domain::types::Project::National,
                crate::domain::types::Project::Local,
            ]
            .iter()
            .map(|&p| pb.policy.quota(p).map_or(u64::MAX, u64::from))
            .fold(0u64, u64::saturating_add);
            let able = (0..pb.n_candidates())
                .filter(|&c| {
                    !pb.pairs_of(crate::domain::types::CandidateIdx::from_ix(c))
                        .is_empty()
                })
                .count() as u64;
            let best = open.min(quota).min(able);
            Some(rel(best as f64, o.fill as f64))
        }
        Criterion::Preference => Some(rel(0.0, o.preference as f64)),
    }
}

/// A rough measure of how long an exact solve will take, to start the
/// longest of several first: eligible pairs × stages (1 when the criteria
/// can be combined into one weighted objective, as `combined_costs` decides
/// with the number of pairs standing in for the blocking columns).
pub fn work_estimate(pb: &Problem) -> f64 {
    let objective = &pb.policy.objective;
    let pairs = pb.pairs.len() as f64;
    let bound = |k: usize| match objective[k] {
        Criterion::Envy | Criterion::Fill => pairs,
        Criterion::Preference => f64::INFINITY,
    };
    let stages = match lexicographic_weights(pb, objective, bound) {
        Some(_) => 1.0,
        None => objective.len().max(1) as f64,
    };
    pairs * stages
}

/// Weights that make a weighted sum of integer criteria lexicographic: the
/// last weighs 1, each earlier one more than the whole range of those after
/// it. `bound(k)` bounds criterion k's magnitude (further capped by the
/// open seats for fill and open seats × worst rank for preference). `None`
/// for a single criterion, or when a weighted value could exceed 2^40 (no
/// longer exact enough in floating point).
fn lexicographic_weights(
    pb: &Problem,
    objective: &[Criterion],
    bound: impl Fn(usize) -> f64,
) -> Option<Vec<f64>> {
    if objective.len() < 2 {
        return None;
    }
    let open: f64 = pb.posts.iter().map(|p| f64::from(p.open())).sum();
    let max_rank = f64::from(pb.pairs.iter().map(|p| p.rank).max().unwrap_or(0));
    let mut weights = vec![0.0; objective.len()];
    let (mut weight, mut largest) = (1.0, 0.0);
    for (k, &c) in objective.iter().enumerate().rev() {
        let range = match c {
            Criterion::Envy => bound(k),
            Criterion::Fill => bound(k).min(open),
            Criterion::Preference => bound(k).min(open * max_rank),
        };
        weights[k] = weight;
        largest += range * weight;
        weight *= range + 1.0;
    }
    (largest <= 2f64.powi(40)).then_some(weights)
}

/// The lexicographic objective as one weighted sum, when that is exact in
/// floating point: each criterion's weight exceeds the whole range of the
/// criteria after it (all are integers), so one solve finds the
/// lexicographic optimum — about four times faster than one solve per
/// criterion, because HiGHS proves optimality once. `None` for a single
/// criterion or when the weighted values could exceed 2^40 (then the
/// criteria are solved one at a time).
fn combined_costs(
    pb: &Problem,
    f: &Formulation,
    objective: &[Criterion],
) -> Option<Vec<(usize, f64)>> {
    let costs: Vec<Vec<(usize, f64)>> = objective.iter().map(|&c| f.costs(pb, c)).collect();
    let sum = |k: usize| costs[k].iter().map(|&(_, v)| v.abs()).sum();
    let weights = lexicographic_weights(pb, objective, sum)?;
    let mut merged = vec![0.0; f.mip.cols.len()];
    for (terms, w) in costs.iter().zip(&weights) {
        for &(j, v) in terms {
            merged[j] += v * w;
        }
    }
    Some(
        merged
            .into_iter()
            .enumerate()
            .filter(|&(_, v)| v != 0.0)
            .collect(),
    )
}

/// One lexicographic stage: name, objective terms, and how far above its
/// optimum the row that fixes it lets later stages go.
type Stage = (String, Vec<(usize, f64)>, f64);

/// Are all violations rule shortfalls?
fn only_rules(ev: &crate::model::evaluate::Evaluation) -> bool {
    ev.violations.len() == ev.rules.iter().filter(|r| !r.ok).count()
}

fn finish(
    pb: &Problem,
    f: &Formulation,
    cols: &[f64],
    status: Status,
    mut stages: Vec<(String, f64)>,
    stopped_in: Option<String>,
    allow_shortfall: bool,
) -> Result<Solution> {
    let assignment = f.assignment(pb, cols);
    let ev = evaluate(pb, &assignment);
    let acceptable = ev.violations.is_empty() || (allow_shortfall && only_rules(&ev));
    if !acceptable {
        return Err(Error::Solver(format!(
            "the solver's answer violates {} (numerical trouble); run with --write-model to reproduce",
            ev.violations.join("; ")
        )));
    }
    let mut notes = Vec::new();
    if let Some(s) = stopped_in {
        notes.push(format!(
            "the time limit stopped the {s} stage: the best allocation found is returned (every hard constraint holds; not proven optimal)"
        ));
        stages.push((format!("stopped_in_{s}"), 0.0));
    }
    Ok(Solution {
        assignment,
        status,
        stages,
        notes,
    })
}

/// Solve with a slack on every rule, scale and quota row (cost 1 each) and
/// name the rows that needed one: the constraints that cannot all hold.
fn diagnose_infeasible(
    pb: &Problem,
    s: &MipSettings,
    kept: &[Option<crate::domain::types::PostIdx>],
) -> Result<Vec<String>> {
    let mut f = Formulation::build(pb, false, kept);
    let slack_rows =
        f.add_slacks(|k| matches!(k, RowKind::Rule(..) | RowKind::Scale(_) | RowKind::Quota(_)));
    let mut model = to_highs(&f);
    let costs: Vec<(usize, f64)> = slack_rows.iter().map(|&(j, _)| (j, 1.0)).collect();
    set_objective(&mut model, f.mip.cols.len(), &costs);
    set_options(&mut model, s, s.time_limit);
    let solved = model.solve();
    let cols = solved.get_solution().columns().to_vec();
    let assignment = f.assignment(pb, &cols);
    let occ = crate::model::evaluate::post_occupancy(pb, &assignment);
    let figures = crate::model::evaluate::rule_figures(pb, &occ);
    let mut reasons = Vec::new();
    for (j, kind) in slack_rows {
        if cols.get(j).copied().unwrap_or(0.0) <= 1e-6 {
            continue;
        }
        match kind {
            RowKind::Rule(ri, label) => {
                let rule = &pb.policy.rules[ri];
                let fig = figures
                    .iter()
                    .find(|g| g.rule == rule.name && g.place == label);
                let inc = incumbent_figure(pb, ri, &label);
                reasons.push(match fig {
                    Some(g) => format!(
                        "rule {} cannot hold in {} {}: at best {} of {} volunteers (incumbents {} of {}), needs {} {:.2}",
                        rule.name, g.scope, label, g.count, g.total, inc.0, inc.1, g.op, g.bound
                    ),
                    None => format!("rule {} cannot hold in {label}", rule.name),
                });
            }
            RowKind::Scale(k) => {
                let c = &pb.counties[k.ix()];
                reasons.push(format!(
                    "county {}: {} incumbents exceed its scale {}",
                    c.code,
                    pb.county_incumbents()[k.ix()],
                    c.scale.unwrap_or(0)
                ));
            }
            RowKind::Quota(p) => {
                reasons.push(format!(
                    "project {p}: {} incumbents exceed its quota {}",
                    pb.project_incumbents(p),
                    pb.policy.quota(p).unwrap_or(0)
                ));
            }
            _ => {}
        }
    }
    if reasons.is_empty() {
        reasons.push(
            "the solver proved infeasibility but the elastic model found no single cause".into(),
        );
    }
    Ok(reasons)
}

/// (counted, total) incumbents of a rule's scope, by its label.
fn incumbent_figure(pb: &Problem, rule: usize, label: &str) -> (u32, u32) {
    let r = &pb.policy.rules[rule];
    crate::model::evaluate::rule_scopes(pb, r)
        .iter()
        .find(|s| s.label == label)
        .map_or((0, 0), |s| {
            crate::model::evaluate::scope_incumbents(pb, r, s)
        })
}
