//! A lower bound on blocking pairs that needs no root LP of the whole
//! model: one small exact model per county.
//!
//! Every blocking pair is at one post, so it belongs to one county, and an
//! allocation's blocking pairs are the sum over counties of those at each
//! county's posts. For one county, relax everything outside it: the other
//! posts are unknown (`Closed::unknown`), so anyone may hold them, without
//! limit — each candidate at the best other post they could hold; the
//! county's own seats, scale and rules and the project quotas stay. Any
//! allocation, restricted to the county, is a point of that relaxation
//! with no more blocking pairs there, so the sum of the county optima
//! bounds the whole model's envy from below. Each county's model is small
//! (its posts and applicants) and solved by HiGHS on one thread, two
//! counties at a time; a county stopped by the deadline contributes the
//! dual bound it reached, which is still a bound.
//!
//! How strong it is (BENCHMARKS.md): it sees what a county's scale and
//! shares force on the county's own applicants, not the competition for
//! the posts outside it — weak where most blocking pairs come from the
//! unplaced (their "best other post" is optimistic).

use std::time::Instant;

use rayon::prelude::*;

use super::formulation::{Closed, Fixings, Formulation};
use super::highs::{set_objective, to_highs};
use super::settings::MipSettings;
use super::stage::run_stage;
use crate::domain::policy::Criterion;
use crate::domain::types::PostIdx;
use crate::model::evaluate::{blocking_pairs, post_occupancy, Assignment};
use crate::model::Problem;

/// How long the bound may take when the run has no time limit: the
/// fast engine answers a region in about a second, and a bound should not
/// turn that into minutes unasked (counties not reached count 0).
pub const UNLIMITED_BUDGET: f64 = 10.0;

/// Whether the county relaxation bounds this run's envy: envy is a
/// criterion, and every rule is hard (with `--allow-shortfall` a county
/// may break its rules, which the relaxation does not allow).
pub fn applies(pb: &Problem, fix: &Fixings) -> bool {
    !fix.allow_shortfall && pb.policy.objective.contains(&Criterion::Envy)
}

/// The county bound and what it took.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CountyBound {
    /// Blocking pairs: at least this many.
    pub envy: u64,
    /// Counties with open seats.
    pub counties: usize,
    /// Of them, those whose relaxation was solved to optimality (a county
    /// where the allocation has no blocking pair needs no solve).
    pub proven: usize,
    /// Wall time.
    pub seconds: f64,
}

/// The sum over counties of each county's relaxed minimum of blocking
/// pairs at its posts, with `kept` placements fixed. `incumbent` (an
/// allocation that keeps every hard constraint and `kept`) warm-starts
/// each county and settles those where it has no blocking pair; the
/// others are solved, most blocking pairs first, until the deadline.
pub fn envy_by_county(
    pb: &Problem,
    kept: &[Option<PostIdx>],
    incumbent: &Assignment,
    s: &MipSettings,
) -> CountyBound {
    let t = Instant::now();
    let mut has_open = vec![false; pb.counties.len()];
    for p in &pb.posts {
        has_open[p.county.ix()] |= p.open() > 0;
    }
    let mut envy_at = vec![0usize; pb.counties.len()];
    let occ = post_occupancy(pb, incumbent);
    for bp in blocking_pairs(pb, incumbent, &occ) {
        envy_at[pb.posts[bp.post.ix()].county.ix()] += 1;
    }
    let counties = has_open.iter().filter(|&&o| o).count();
    let mut todo: Vec<usize> = (0..pb.counties.len())
        .filter(|&k| has_open[k] && envy_at[k] > 0)
        .collect();
    todo.sort_by_key(|&k| (std::cmp::Reverse(envy_at[k]), k));
    let solved: Vec<(u64, bool)> = todo
        .par_iter()
        .map(|&k| {
            if s.deadline().is_some_and(|d| Instant::now() >= d) {
                return (0, false);
            }
            county_minimum(pb, kept, incumbent, s, k)
        })
        .collect();
    CountyBound {
        envy: solved.iter().map(|&(v, _)| v).sum(),
        counties,
        proven: counties - todo.len() + solved.iter().filter(|&&(_, p)| p).count(),
        seconds: t.elapsed().as_secs_f64(),
    }
}

/// One county's relaxed minimum of blocking pairs at its posts (or the
/// dual bound reached by the deadline), and whether it is the optimum.
fn county_minimum(
    pb: &Problem,
    kept: &[Option<PostIdx>],
    incumbent: &Assignment,
    s: &MipSettings,
    county: usize,
) -> (u64, bool) {
    let closed = Closed {
        posts: pb.posts.iter().map(|p| p.county.ix() != county).collect(),
        candidates: Vec::new(),
        unknown: true,
    };
    let f = Formulation::build_closed(pb, true, kept, &closed);
    let offset = f.offset(pb, Criterion::Envy);
    let costs = f.costs(pb, Criterion::Envy);
    if costs.is_empty() {
        return (offset.round().max(0.0) as u64, true);
    }
    let mut model = to_highs(&f);
    set_objective(&mut model, f.mip.cols.len(), &costs);
    let sub = MipSettings {
        write_model: None,
        progress: Default::default(),
        threads: 1,
        ..s.clone()
    };
    let start = f.columns_for(pb, &incumbent.post_of);
    let ran = run_stage(model, &sub, s.time_left(), Some(&start), &costs);
    let optimal = ran.status() == highs::HighsModelStatus::Optimal;
    let value = match (&ran.solved, ran.dual) {
        (Some(solved), _) if optimal => solved.objective_value(),
        (_, Some(d)) => d,
        _ => 0.0,
    };
    // Every cost is a count: round the bound up, within a tolerance.
    let v = (value + offset - 1e-6).ceil().max(0.0);
    (v as u64, optimal)
}
