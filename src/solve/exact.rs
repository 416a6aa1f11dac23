//! The exact engine's stage driver: build the formulation, find a warm
//! start (the fast engine, else a feasible point of the model without envy
//! variables), then solve the lexicographic objective on HiGHS — as one
//! weighted sum when that is exact, else one criterion at a time
//! (optimise, fix its optimal value, go on) — within one time limit for
//! the whole run. Proven infeasibility goes to `diagnose`.

use std::path::Path;
use std::time::Instant;

use highs::{HighsModelStatus, Model};

use super::bound::Proven;
use super::diagnose::diagnose_infeasible;
use super::fast;
use super::formulation::{live_pairs, Fixings, Formulation, RowKind};
use super::highs::{add_upper_row, name_columns, set_objective, to_highs, write_model};
use super::lns;
use super::objective::{combined_costs, objective_of};
use super::relaxation;
use super::settings::MipSettings;
use super::stage::{run_stage, Ran};
use super::{Solution, Status};
use crate::domain::policy::Criterion;
use crate::domain::types::PostIdx;
use crate::error::{Error, Result};
use crate::model::evaluate::{evaluate, Assignment};
use crate::model::Problem;

/// Solve exactly (or as far as the time limit allows).
pub fn solve_mip(pb: &Problem, s: &MipSettings) -> Result<Solution> {
    solve(pb, s, &Fixings::default())
}

/// Solve with kept placements and, optionally, rules allowed to fall short
/// (their total shortfall is then minimised before the model's criteria).
///
/// On a model too large for HiGHS to make headway (`LNS_FROM`), the
/// bound on envy (`relaxation::envy_floor`: the Lagrangian, then the
/// county bound) runs beside the neighbourhood search and HiGHS, on a
/// thread of its own, until they finish or the deadline comes: each solve
/// is single-threaded, so the second core proves what the rules force
/// while the first looks for better allocations. The bound never
/// feeds back into the search: the allocation is the same with or without
/// it. Inside a parallel run (a rayon worker) it goes first instead.
pub fn solve(pb: &Problem, s: &MipSettings, fix: &Fixings) -> Result<Solution> {
    s.validate()?;
    let t0 = Instant::now();
    let with_envy = pb.policy.objective.contains(&Criterion::Envy);
    // Kept placements are not in the model: count only the pairs that vary.
    let estimate = live_pairs(pb, &fix.kept) * if with_envy { 4 } else { 1 };
    if estimate > s.max_columns && !fix.allow_shortfall {
        return too_large(pb, s, fix, estimate, t0);
    }
    s.progress.stage("build");
    let f = Formulation::build(pb, with_envy, &fix.kept);
    let build = ("build".to_string(), t0.elapsed().as_secs_f64());
    let start = if fix.allow_shortfall {
        None
    } else {
        fast::start(pb, &fix.kept)
    };
    let large = estimate > LNS_FROM && with_envy;
    let bounded = start
        .clone()
        .filter(|_| large && relaxation::applies(pb, fix));
    if rayon::current_thread_index().is_some() {
        // A worker of a parallel run (`scenarios`): the other cores are
        // busy with other solves, and a bound beside this one would take
        // time from them (region, 8 scenarios on 2 workers: one
        // scenario's envy 4,171 → 4,338). The bound goes first instead,
        // in a quarter of the time left.
        let mut stages = vec![build];
        let floor = bounded.map(|a| {
            let budget = s.time_left().map(|l| l / 4.0);
            relaxation::envy_floor_stage(pb, &fix.kept, &a, s, budget, &mut stages)
        });
        return solve_from(pb, s, fix, f, start, large, stages).map(|mut sol| {
            sol.envy_floor = sol.envy_floor.or(floor);
            sol
        });
    }
    std::thread::scope(|scope| {
        // Its own (hidden) progress, so that it can be stopped when the
        // rest is done without cancelling the run (and is stopped when the
        // run is cancelled).
        let stop = s.progress.hidden_child();
        let bound = bounded.map(|a| {
            let sub = MipSettings {
                progress: stop.clone(),
                ..s.clone()
            };
            scope.spawn(move || relaxation::envy_floor_on_one_thread(pb, &fix.kept, &a, &sub))
        });
        let sol = solve_from(pb, s, fix, f, start, large, vec![build]);
        stop.cancel();
        let cb = bound.map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        sol.map(|mut sol| {
            if let Some(floor) = cb {
                sol.envy_floor = Some(floor.envy);
                sol.stages.extend(floor.stages);
            }
            sol
        })
    })
}

/// The rest of `solve`, from the model `f` and the warm `start`: improve
/// the start by neighbourhood search when the model is `large`, then
/// solve the stages on HiGHS.
fn solve_from(
    pb: &Problem,
    s: &MipSettings,
    fix: &Fixings,
    mut f: Formulation,
    mut start: Option<Assignment>,
    large: bool,
    mut stages: Vec<(String, f64)>,
) -> Result<Solution> {
    let objective = pb.policy.objective.clone();
    let with_envy = objective.contains(&Criterion::Envy);
    let shortfall: Vec<(usize, f64)> = if fix.allow_shortfall {
        let slacks = f.add_slacks(|k| matches!(k, RowKind::Rule(..)));
        slacks.into_iter().map(|(j, _)| (j, 1.0)).collect()
    } else {
        Vec::new()
    };
    let mut model = to_highs(&f);
    if large {
        // HiGHS makes little headway on a model this large (region: no root
        // LP in 600 s; league: 40 s to find what the search finds in 7 s);
        // improve the start by neighbourhood search first, in half the
        // time left (one pass without a limit).
        if let Some(a) = start.take() {
            let ts = Instant::now();
            s.progress.stage("neighbourhood_search");
            let sub = MipSettings {
                started: ts,
                time_limit: s.time_left().map(|l| l / 2.0),
                ..s.clone()
            };
            let passes = if s.time_limit.is_some() {
                LNS_PASSES
            } else {
                1
            };
            start = Some(lns::improve(pb, &fix.kept, a, &sub, passes).0);
            stages.push(("neighbourhood_search".into(), ts.elapsed().as_secs_f64()));
        }
    }
    let nobody_free = f.x.iter().all(Option::is_none);
    if start.is_none() && !fix.allow_shortfall && with_envy && !nobody_free {
        // No cheap start: find any allocation that keeps every rule on the
        // much smaller model without envy variables (max fill), so that the
        // first stage never runs out of time with nothing to show. It only
        // seeds the search; the optimum is unchanged.
        let ts = Instant::now();
        let budget = s.time_left().map(|l| (l / 4.0).max(0.01));
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
        let status =
            if ev.violations.is_empty() || (fix.allow_shortfall && ev.only_rule_shortfalls()) {
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
            proven: None,
            envy_floor: None,
            bound: Default::default(),
        });
    }

    let mut plan: Vec<Stage> = Vec::new();
    if fix.allow_shortfall {
        // Shortfall is fractional (share × total): fix it tightly.
        plan.push(Stage::new("shortfall", shortfall, 1e-6));
    }
    match combined_costs(pb, &f, &objective).filter(|_| !s.staged) {
        Some(comb) => {
            let mut st = Stage::new("combined", comb.costs, INTEGER_SLACK);
            st.criterion = Some((0, comb.first_weight, comb.rest_max));
            plan.push(st);
        }
        None => {
            for (k, &c) in objective.iter().enumerate() {
                let mut st = Stage::new(c.key(), f.costs(pb, c), INTEGER_SLACK);
                st.criterion = Some((k, 1.0, 0.0));
                plan.push(st);
            }
        }
    }
    if plan.is_empty() {
        plan.push(Stage::new("feasibility", Vec::new(), INTEGER_SLACK));
    }
    for Stage {
        name,
        costs,
        slack,
        criterion,
    } in plan
    {
        let ts = Instant::now();
        if let (Some(cols), true) = (&current, s.time_left().is_some_and(|l| l < 1.0)) {
            // No time for another stage (HiGHS's presolve alone would
            // overrun the limit): keep what the earlier stages proved.
            let status = Status::Feasible { gap: None };
            let stop = Some(name);
            return finish(pb, &f, cols, status, stages, stop, fix.allow_shortfall);
        }
        s.progress.stage(&name);
        set_objective(&mut model, f.mip.cols.len(), &costs);
        let ran = run_stage(model, s, s.time_left(), current.as_deref(), &costs);
        let status = ran.status();
        let Ran { solved, cols, dual } = ran;
        stages.push((name.clone(), ts.elapsed().as_secs_f64()));
        match status {
            HighsModelStatus::Optimal => {
                let cols = cols.expect("an optimal stage has a solution");
                let value: f64 = objective_of(&costs, &cols);
                let value = if slack >= INTEGER_SLACK {
                    value.round()
                } else {
                    value
                };
                current = Some(cols);
                model = Model::from(solved.expect("an optimal stage returned"));
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
                    proven: None,
                    envy_floor: None,
                    bound: Default::default(),
                });
            }
            _ => {
                // Stopped (time limit …): keep the best known assignment.
                // A solve restarted without its start can stop with
                // something worse than the start: keep the better one.
                let cols = match (cols, current) {
                    (Some(c), Some(k)) if objective_of(&costs, &k) < objective_of(&costs, &c) => {
                        Some(k)
                    }
                    (c, k) => c.or(k),
                };
                let Some(cols) = cols else {
                    return Err(Error::Solver(crate::msg!(
                        "在阶段 {name} 找到任何可行安排之前就停止了（{status:?}）；请加大 --time-limit",
                        "stopped ({status:?}) in stage {name} before any feasible assignment was found; raise --time-limit"
                    )));
                };
                // The gap is the bound's (`solve_with`).
                let status = Status::Feasible { gap: None };
                let proven = criterion.and_then(|(position, w, rest)| {
                    let dual = dual?;
                    // In the criterion's own units: its costs plus the
                    // constant part the model leaves out (kept placements…).
                    let offset = f.offset(pb, objective[position]).round() as i64;
                    proven_bound(dual, w, rest).map(|v| Proven {
                        position,
                        value: v + offset,
                    })
                });
                return finish(
                    pb,
                    &f,
                    &cols,
                    status,
                    stages,
                    Some(name),
                    fix.allow_shortfall,
                )
                .map(|mut sol| {
                    sol.proven = proven;
                    sol
                });
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

/// Models larger than this (estimated columns) get their warm start
/// improved by neighbourhood search (`lns`) before HiGHS sees them. Above
/// the league tier's size (32 k columns) it pays: there the fast engine's
/// start has envy 3 against the optimum's 1, and HiGHS needs ~40 s of
/// heuristics to find the optimum itself (league 69 s → 29 s with the
/// search first, BENCHMARKS). Small models (data-samples: 5 k) are solved
/// directly.
const LNS_FROM: usize = 20_000;

/// Most passes of the neighbourhood search over the counties, with a time
/// limit (it also stops when a pass improves nothing).
const LNS_PASSES: usize = 10;

/// One lexicographic stage of the exact solve.
struct Stage {
    /// Its name in summary.json (`combined`, a criterion, `shortfall` …).
    name: String,
    /// Objective terms (column, cost).
    costs: Vec<(usize, f64)>,
    /// How far above its optimum the row that fixes it lets later stages go.
    slack: f64,
    /// The criterion it decides (position in the objective order), that
    /// criterion's weight in its costs (1 alone; the first weight of the
    /// combined objective) and the most the later criteria add (0 alone),
    /// to turn HiGHS's dual bound into a bound on it.
    criterion: Option<(usize, f64, f64)>,
}

impl Stage {
    fn new(name: &str, costs: Vec<(usize, f64)>, slack: f64) -> Self {
        Stage {
            name: name.to_string(),
            costs,
            slack,
            criterion: None,
        }
    }
}

/// The integer lower bound on a criterion's (integer) cost v that a dual
/// bound on w·v + R proves, where the later criteria's part R is at most
/// `rest` (0 when the criterion is solved alone): w·v ≥ dual − rest. A
/// margin absorbs HiGHS's tolerances.
fn proven_bound(dual: f64, w: f64, rest: f64) -> Option<i64> {
    if !dual.is_finite() || w.is_nan() || w < 1.0 || !rest.is_finite() {
        return None;
    }
    let margin = 1e-6 * dual.abs().max(1.0);
    Some(((dual - margin - rest.max(0.0)) / w).ceil() as i64)
}

/// Every criterion is an integer: a fix row half a unit above the optimum
/// keeps it exactly.
const INTEGER_SLACK: f64 = 0.5;

/// Write the formulation with the first stage's objective (the weighted
/// one when the criteria are solved together).
pub fn write_formulation(
    pb: &Problem,
    f: &Formulation,
    s: &MipSettings,
    path: &Path,
) -> Result<()> {
    let mut model = to_highs(f);
    let objective = &pb.policy.objective;
    let costs = match combined_costs(pb, f, objective).filter(|_| !s.staged) {
        Some(comb) => comb.costs,
        None => objective.first().map_or(Vec::new(), |&c| f.costs(pb, c)),
    };
    set_objective(&mut model, f.mip.cols.len(), &costs);
    s.apply(&mut model, None);
    name_columns(&mut model, &f.mip.col_names);
    write_model(&mut model, path)
}

/// Any allocation that satisfies every hard constraint, from the model
/// without envy variables (maximising fill), within `budget` seconds.
fn feasible_start(
    pb: &Problem,
    s: &MipSettings,
    kept: &[Option<PostIdx>],
    budget: Option<f64>,
) -> Option<Assignment> {
    let f = Formulation::build(pb, false, kept);
    let mut model = to_highs(&f);
    set_objective(&mut model, f.mip.cols.len(), &f.costs(pb, Criterion::Fill));
    let quick = MipSettings {
        write_model: None,
        ..s.clone()
    };
    let cols = run_stage(model, &quick, budget, None, &[]).cols;
    let a = f.assignment(pb, &cols?);
    evaluate(pb, &a).violations.is_empty().then_some(a)
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
    let Some(mut sol) = fast::solve(pb, &fix.kept, t0) else {
        let most = s.max_columns;
        return Err(Error::Solver(crate::msg!(
            "精确模型约有 {estimate} 列（上限 {most}），快速引擎也没有找到满足全部规则的安排；请加大 --max-columns",
            "the exact model would have about {estimate} columns (limit {most}), and the fast engine found no allocation that keeps every rule; raise --max-columns"
        )));
    };
    let most = s.max_columns;
    sol.notes.push(crate::msg!(
        "精确模型约有 {estimate} 列，超过 --max-columns {most}；这是快速引擎的安排（全部硬约束都满足；差距是相对一个简单下界而言）",
        "the exact model would have about {estimate} columns, more than --max-columns {most}; this is the fast engine's allocation (every hard constraint holds; the gap is against a simple bound)"
    ));
    Ok(sol)
}

/// Are all violations rule shortfalls?
/// The assignment of a stopped or finished solve, checked against every
/// hard constraint, with a note when the time limit stopped a stage.
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
    let acceptable = ev.violations.is_empty() || (allow_shortfall && ev.only_rule_shortfalls());
    if !acceptable {
        let v = crate::error::Msg::join(&ev.violations);
        let (zh, en) = (v.zh, v.en);
        return Err(Error::Solver(crate::msg!(
            "求解器的答案违反了 {zh}（数值问题）；请加 --write-model 重现",
            "the solver's answer violates {en} (numerical trouble); run with --write-model to reproduce"
        )));
    }
    let mut notes = Vec::new();
    if let Some(s) = stopped_in {
        notes.push(crate::msg!(
            "时间限制使 {s} 阶段停止：返回已找到的最好安排（全部硬约束都满足；未证明最优）",
            "the time limit stopped the {s} stage: the best allocation found is returned (every hard constraint holds; not proven optimal)"
        ));
        stages.push((format!("stopped_in_{s}"), 0.0));
    }
    Ok(Solution {
        assignment,
        status,
        stages,
        notes,
        proven: None,
        envy_floor: None,
        bound: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::proven_bound;

    #[test]
    fn a_dual_bound_proves_the_first_criterion_of_a_weighted_sum() {
        // Alone (w = 1, nothing after it): the dual bound rounded up.
        assert_eq!(proven_bound(4.2, 1.0, 0.0), Some(5));
        assert_eq!(proven_bound(5.0, 1.0, 0.0), Some(5));
        // Weighted: w·v + R with R ≤ 40. V ≥ 4w + 41 forces v ≥ 5 (4w + R
        // ≤ 4w + 40); V ≥ 4w + 40 allows v = 4.
        let w = 100.0;
        assert_eq!(proven_bound(4.0 * w + 41.0, w, 40.0), Some(5));
        assert_eq!(proven_bound(4.0 * w + 40.0, w, 40.0), Some(4));
        assert_eq!(proven_bound(-3.0 * w, w, 0.0), Some(-3));
        assert_eq!(proven_bound(f64::NEG_INFINITY, w, 0.0), None);
    }
}
