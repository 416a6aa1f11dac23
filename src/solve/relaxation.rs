//! A lower bound on blocking pairs that needs no root LP of the whole
//! model: one small exact model per county.
//!
//! Every blocking pair is at one post, so it belongs to one county, and an
//! allocation's blocking pairs are the sum over counties of those at each
//! county's posts. For one county, relax everything outside it
//! (`formulation::Outside`): no rule outside the county holds, no blocking
//! pair elsewhere counts, and only the county's applicants are in the
//! model. Any allocation, restricted to them, is a point of that
//! relaxation with the same blocking pairs at the county's posts, so the
//! sum of the county optima bounds the whole model's envy from below.
//!
//! Two relaxations, cheap first: `Optimistic` puts each applicant at the
//! best other post they could hold, without limit; `Seats` lets them
//! compete for the other posts' seats (under the county scales and project
//! quotas), except the posts they rank no better than every post of the
//! county — with adjustment a whole league ties there — where they are
//! optimistic again. Each county's model is small and solved by HiGHS on
//! one thread, two counties at a time; a county stopped by the deadline
//! contributes the dual bound it reached, which is still a bound.
//!
//! How strong it is (BENCHMARKS.md): it sees what a county's scale and
//! shares force on the county's applicants and their competition for the
//! seats they rank higher, not what the rest of the region forces.

use std::time::Instant;

use rayon::prelude::*;

use super::formulation::{Closed, Fixings, Formulation, Outside};
use super::highs::{set_objective, to_highs};
use super::lagrange;
use super::settings::MipSettings;
use super::stage::run_stage;
use crate::domain::policy::Criterion;
use crate::domain::types::{CandidateIdx, PostIdx};
use crate::model::evaluate::{county_envy, Assignment};
use crate::model::Problem;

/// How long the bound may take when the run has no time limit: the
/// fast engine answers a region in about a second, and a bound should not
/// turn that into minutes unasked (counties not reached count 0).
pub const UNLIMITED_BUDGET: f64 = 10.0;

/// Whether the relaxation bounds (`envy_floor`) bound this run's envy:
/// envy is a criterion, and every rule is hard (with `--allow-shortfall`
/// a county may break its rules, which neither relaxation allows).
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
    /// Of them, those where the bound equals the allocation's blocking
    /// pairs there (nothing better is possible at their posts).
    pub settled: usize,
    /// Wall time.
    pub seconds: f64,
}

/// Envy's floor from both bounds, and the seconds each took.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Floor {
    /// Blocking pairs: at least this many.
    pub envy: u64,
    /// `lagrangian_bound` and `county_bound`, with their seconds.
    pub stages: Vec<(String, f64)>,
}

/// The Lagrangian bound (`lagrange`) where it applies, in all the time
/// left, then the county bound in what the Lagrangian leaves when it stops
/// early (its steps have converged, or too few fit, as at national size);
/// the larger of the two. The Lagrangian sees the whole region's
/// competition for seats and was the stronger everywhere it ran
/// (BENCHMARKS.md: region backfill at 20 s 3,260 with two thirds of the
/// time against 3,310–3,373 with all of it); the county bound keeps what
/// it sees exactly within one county.
pub fn envy_floor(
    pb: &Problem,
    kept: &[Option<PostIdx>],
    incumbent: &Assignment,
    s: &MipSettings,
) -> Floor {
    let mut floor = Floor::default();
    if lagrange::applies(pb, kept) {
        s.progress.stage("lagrangian_bound");
        let target: u64 = county_envy(pb, incumbent).iter().map(|&(e, _)| e).sum();
        let lb = lagrange::envy_bound(pb, kept, target, s);
        floor.envy = lb.envy;
        floor.stages.push(("lagrangian_bound".into(), lb.seconds));
        let known = s.progress.known_envy().map_or(target, |k| k.min(target));
        if lb.envy >= known {
            return floor;
        }
    }
    s.progress.stage("county_bound");
    let cb = envy_by_county(pb, kept, incumbent, s);
    floor.envy = floor.envy.max(cb.envy);
    floor.stages.push(("county_bound".into(), cb.seconds));
    floor
}

/// `envy_floor` as a stage of a run, given `budget` seconds from now
/// (`None`: no limit), its stages added to `stages`. Returns the bound on
/// envy.
pub fn envy_floor_stage(
    pb: &Problem,
    kept: &[Option<PostIdx>],
    incumbent: &Assignment,
    s: &MipSettings,
    budget: Option<f64>,
    stages: &mut Vec<(String, f64)>,
) -> u64 {
    let sub = MipSettings {
        started: Instant::now(),
        time_limit: budget,
        ..s.clone()
    };
    let floor = envy_floor(pb, kept, incumbent, &sub);
    stages.extend(floor.stages);
    floor.envy
}

/// The sum over counties of each county's relaxed minimum of blocking
/// pairs at its posts, with `kept` placements fixed. `incumbent` (an
/// allocation that keeps every hard constraint and `kept`) warm-starts
/// each county and settles those where it has no blocking pair. Every
/// other county is solved first with the cheap relaxation
/// (`Outside::Optimistic`), then, where that leaves a gap to the
/// incumbent, with the stronger one (`Outside::Seats`); in each round the
/// counties with the most blocking pairs to gain per pair to model come
/// first. A county keeps the larger of its bounds. Both rounds stop at the
/// deadline (a county not reached counts what it has).
pub fn envy_by_county(
    pb: &Problem,
    kept: &[Option<PostIdx>],
    incumbent: &Assignment,
    s: &MipSettings,
) -> CountyBound {
    let t = Instant::now();
    let (envy_at, has_open): (Vec<u64>, Vec<bool>) = county_envy(pb, incumbent).into_iter().unzip();
    let mut best = vec![0u64; pb.counties.len()];
    let mut county_posts: Vec<Vec<PostIdx>> = vec![Vec::new(); pb.counties.len()];
    // Per county, its posts and how many pairs they have (the size of
    // its model, roughly).
    let mut size = vec![0usize; pb.counties.len()];
    for (p, post) in pb.posts.iter().enumerate() {
        county_posts[post.county.ix()].push(PostIdx::from_ix(p));
        size[post.county.ix()] += pb.applicants[p].len();
    }
    let mut todo: Vec<usize> = (0..pb.counties.len())
        .filter(|&k| has_open[k] && envy_at[k] > 0)
        .collect();
    for outside in [Outside::Optimistic, Outside::Seats] {
        todo.retain(|&k| best[k] < envy_at[k]);
        // Most blocking pairs to gain per pair to model first: where the
        // deadline cuts, the bound has the most it could get in the time.
        let gain = |k: usize| (envy_at[k] - best[k]) as f64 / (1 + size[k]) as f64;
        todo.sort_by(|&a, &b| gain(b).total_cmp(&gain(a)).then(a.cmp(&b)));
        let found: Vec<u64> = todo
            .par_iter()
            .map(|&k| match s.deadline() {
                Some(d) if Instant::now() >= d => 0,
                _ => county_minimum(pb, kept, incumbent, s, (k, &county_posts[k]), outside),
            })
            .collect();
        for (&k, v) in todo.iter().zip(found) {
            best[k] = best[k].max(v);
        }
    }
    let counties = (0..pb.counties.len()).filter(|&k| has_open[k]);
    CountyBound {
        envy: best.iter().sum(),
        counties: counties.clone().count(),
        settled: counties.filter(|&k| best[k] >= envy_at[k]).count(),
        seconds: t.elapsed().as_secs_f64(),
    }
}

/// `envy_floor` on a pool of one thread: beside the exact engine's
/// single-threaded solves it takes the other core, not both.
pub fn envy_floor_on_one_thread(
    pb: &Problem,
    kept: &[Option<PostIdx>],
    incumbent: &Assignment,
    s: &MipSettings,
) -> Floor {
    match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(pool) => pool.install(|| envy_floor(pb, kept, incumbent, s)),
        Err(_) => envy_floor(pb, kept, incumbent, s),
    }
}

/// The county's applicants: every candidate with a pair at one of its
/// posts, in index order.
fn applicants_of(pb: &Problem, posts: &[PostIdx]) -> Vec<CandidateIdx> {
    let mut v: Vec<CandidateIdx> = posts
        .iter()
        .flat_map(|p| pb.applicants[p.ix()].iter())
        .map(|&i| pb.pairs[i as usize].candidate)
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// One county's relaxed minimum of blocking pairs at its posts, or the
/// dual bound reached by the deadline. Only the county's applicants
/// matter for its blocking pairs: its model is built on the problem
/// restricted to them (the others' kept placements become incumbents), so
/// that it costs their pairs, not every pair of the problem.
fn county_minimum(
    pb: &Problem,
    kept: &[Option<PostIdx>],
    incumbent: &Assignment,
    s: &MipSettings,
    (county, posts): (usize, &[PostIdx]),
    outside: Outside,
) -> u64 {
    let r = pb.restricted(&applicants_of(pb, posts), kept);
    let pb = &r.pb;
    let closed = Closed {
        posts: pb.posts.iter().map(|p| p.county.ix() != county).collect(),
        candidates: Vec::new(),
        outside,
    };
    let f = Formulation::build_closed(pb, true, &r.kept, &closed);
    let offset = f.offset(pb, Criterion::Envy);
    let costs = f.costs(pb, Criterion::Envy);
    if costs.is_empty() {
        return offset.round().max(0.0) as u64;
    }
    let mut model = to_highs(&f);
    set_objective(&mut model, f.mip.cols.len(), &costs);
    // The caller's progress: its deadline and cancellation stop this
    // solve too.
    let sub = MipSettings {
        write_model: None,
        threads: 1,
        ..s.clone()
    };
    let held: Vec<Option<PostIdx>> = r
        .original
        .iter()
        .map(|c| incumbent.post_of[c.ix()])
        .collect();
    let start = f.columns_for(pb, &held);
    let ran = run_stage(model, &sub, s.time_left(), Some(&start), &costs);
    let optimal = ran.status() == highs::HighsModelStatus::Optimal;
    let value = match (&ran.solved, ran.dual) {
        (Some(solved), _) if optimal => solved.objective_value(),
        (_, Some(d)) => d,
        _ => 0.0,
    };
    // Every cost is a count: round the bound up, within a tolerance.
    (value + offset - 1e-6).ceil().max(0.0) as u64
}
