//! Large-neighbourhood search: improve a feasible allocation by solving
//! small exact sub-problems. A neighbourhood is one county's posts, opened
//! together with the posts of everyone who would rather be there (so they
//! can move) — and, where that improves nothing and the county has
//! blocking pairs, with the whole counties of those who accept its posts
//! (`Reach`); the candidates placed at those posts and the unplaced who
//! applied to them are free, everyone else stays where they are, and every
//! other post takes nobody new (`Formulation::build_closed`). The
//! sub-problem is the whole model restricted that way — every rule, scale,
//! quota and blocking pair of the region is in it, with what is kept as
//! constants — so its optimum is a real allocation, kept only when it is
//! better for the model's objective. Every hard constraint holds
//! throughout; the result is never worse than the start.
//!
//! Deterministic: neighbourhoods go in a fixed order, and each sub-problem
//! stops at a node limit, not a time; only the run's deadline (when it
//! comes first) cuts the search short.

use std::cmp::Ordering;
use std::time::Instant;

use super::formulation::{Closed, Formulation};
use super::highs::{set_objective, to_highs};
use super::objective::combined_costs;
use super::settings::MipSettings;
use super::stage::run_stage;
use crate::domain::policy::Criterion;
use crate::domain::types::PostIdx;
use crate::model::evaluate::{county_envy, evaluate, held_ranks, Assignment};
use crate::model::Problem;

/// Branch-and-bound nodes per sub-problem (deterministic, unlike a time).
const NODE_LIMIT: i64 = 200;

/// Largest sub-problem, in (estimated) free pairs: beyond it a
/// neighbourhood is not widened by the posts of those who would rather be
/// there.
const MAX_PAIRS: usize = 1_500;

/// Unplaced applicants per open post, beyond its open seats, who may be
/// placed: the best-ranked by the post's priority (those further down
/// could only take a seat from someone above them, a blocking pair).
const EXTRA_UNPLACED: u32 = 4;

/// What the search did, for the stage list and BENCHMARKS.md.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Searched {
    /// Sub-problems solved.
    pub solved: usize,
    /// Sub-problems whose answer was kept (better than the incumbent).
    pub improved: usize,
    /// Passes over all neighbourhoods.
    pub passes: usize,
    /// Whether the deadline stopped it.
    pub stopped: bool,
}

/// Improve `start` (feasible, keeping `kept`) by neighbourhood search, for
/// at most `passes` passes over the counties, until a pass improves
/// nothing, or until the settings' deadline.
pub fn improve(
    pb: &Problem,
    kept: &[Option<PostIdx>],
    start: Assignment,
    s: &MipSettings,
    passes: usize,
) -> (Assignment, Searched) {
    let order = &pb.policy.objective;
    let mut best = start;
    let mut best_key = evaluate(pb, &best).objective.lexicographic(order);
    let mut done = Searched::default();
    let past = |s: &MipSettings| s.deadline().is_some_and(|d| Instant::now() >= d);
    let by_county = open_posts_by_county(pb);
    for _ in 0..passes {
        done.passes += 1;
        let mut any = false;
        for (county, envy) in counties_by_envy(pb, &best) {
            if past(s) {
                done.stopped = true;
                return (best, done);
            }
            for &reach in reaches(envy) {
                let (free_kept, closed) =
                    neighbourhood(pb, kept, &best, (county, &by_county), reach);
                let Some(a) = solve_neighbourhood(pb, s, &free_kept, &closed, &best, NODE_LIMIT)
                else {
                    continue;
                };
                done.solved += 1;
                let ev = evaluate(pb, &a);
                let key = ev.objective.lexicographic(order);
                if ev.violations.is_empty() && key < best_key {
                    s.progress.found_envy(ev.objective.envy);
                    best = a;
                    best_key = key;
                    done.improved += 1;
                    any = true;
                    break;
                }
            }
        }
        if !any {
            break;
        }
    }
    (best, done)
}

/// Counties with open seats, those with the most blocking pairs into their
/// posts first (ties by index): where the search has most to gain.
fn counties_by_envy(pb: &Problem, a: &Assignment) -> Vec<(usize, u64)> {
    let by_county = county_envy(pb, a);
    let mut v: Vec<(usize, u64)> = (0..pb.counties.len())
        .filter(|&k| by_county[k].1)
        .map(|k| (k, by_county[k].0))
        .collect();
    v.sort_by_key(|&(k, envy)| (std::cmp::Reverse(envy), k));
    v
}

/// How a county's neighbourhood reaches beyond the county.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// The posts of those who would rather be at one of its posts, post by
    /// post.
    Rather,
    /// The whole counties of everyone who accepts one of its posts, the
    /// posts with the fewest applicants first, and for each those who
    /// would rather be there, then those who rank it as well, then the
    /// rest. A post few can hold (a master's rural-education post) may
    /// need an applicant who holds an equal or better post elsewhere, and
    /// their county must then rebalance its shares.
    Counties,
}

/// The neighbourhoods tried for a county, in order, until one improves:
/// `Counties` only where the county has blocking pairs (it is for envy,
/// and takes longer).
fn reaches(envy: u64) -> &'static [Reach] {
    if envy > 0 {
        &[Reach::Rather, Reach::Counties]
    } else {
        &[Reach::Rather]
    }
}

/// Per county, its posts with open seats (the only ones a neighbourhood
/// opens).
fn open_posts_by_county(pb: &Problem) -> Vec<Vec<usize>> {
    let mut by_county = vec![Vec::new(); pb.counties.len()];
    for (p, post) in pb.posts.iter().enumerate() {
        if post.open() > 0 {
            by_county[post.county.ix()].push(p);
        }
    }
    by_county
}

/// The sub-problem of one county (with `by_county`, its posts and every
/// other county's, from `open_posts_by_county`): (per candidate, where they are kept;
/// what is closed). Open posts: the county's and, while the sub-problem
/// stays below `MAX_PAIRS`, those `reach` adds. Free: everyone placed at an
/// open post (except `kept`, the locks) and, per open post, its
/// `EXTRA_UNPLACED` best-placed unplaced applicants beyond its seats;
/// every other unplaced candidate stays unplaced (their blocking pairs
/// still count).
fn neighbourhood(
    pb: &Problem,
    kept: &[Option<PostIdx>],
    a: &Assignment,
    (county, by_county): (usize, &[Vec<usize>]),
    reach: Reach,
) -> (Vec<Option<PostIdx>>, Closed) {
    let mut open = vec![false; pb.posts.len()];
    let mut pairs = 0usize;
    // Pairs a post brings: its holders' and its chosen unplaced applicants'.
    let size = |p: usize| (pb.posts[p].open() + EXTRA_UNPLACED) as usize * 8;
    let mut here = by_county[county].clone();
    for &p in &here {
        open[p] = true;
        pairs += size(p);
    }
    let held = held_ranks(pb, &a.post_of);
    // (post of the county, which of its applicants): in the order they
    // are widened.
    let plan: Vec<(usize, Ordering)> = match reach {
        Reach::Rather => here.iter().map(|&p| (p, Ordering::Less)).collect(),
        Reach::Counties => {
            here.sort_by_key(|&p| (pb.applicants[p].len(), p));
            let tiers = [Ordering::Less, Ordering::Equal, Ordering::Greater];
            here.iter().flat_map(|&p| tiers.map(|t| (p, t))).collect()
        }
    };
    for (p, tier) in plan {
        for &i in &pb.applicants[p] {
            let pr = pb.pairs[i as usize];
            let c = pr.candidate.ix();
            let Some(at) = a.post_of[c] else { continue };
            let at = at.ix();
            if open[at] || kept.get(c).copied().flatten().is_some() || pr.rank.cmp(&held[c]) != tier
            {
                continue;
            }
            let group: Vec<usize> = match reach {
                Reach::Rather => vec![at],
                Reach::Counties => by_county[pb.posts[at].county.ix()]
                    .iter()
                    .copied()
                    .filter(|&q| !open[q])
                    .collect(),
            };
            let add: usize = group.iter().map(|&q| size(q)).sum();
            if pairs + add > MAX_PAIRS {
                continue;
            }
            for q in group {
                open[q] = true;
            }
            pairs += add;
        }
    }
    let mut stays = vec![true; pb.n_candidates()];
    for (p, list) in pb.applicants.iter().enumerate().filter(|&(p, _)| open[p]) {
        let mut extra = 0;
        for &i in list {
            let c = pb.pairs[i as usize].candidate.ix();
            if a.post_of[c].is_none() && kept.get(c).copied().flatten().is_none() {
                stays[c] = false;
                extra += 1;
                if extra >= pb.posts[p].open() + EXTRA_UNPLACED {
                    break;
                }
            }
        }
    }
    let mut free_kept = vec![None; pb.n_candidates()];
    for (c, at) in a.post_of.iter().enumerate() {
        let locked = kept.get(c).copied().flatten();
        free_kept[c] = match (locked, at) {
            (Some(l), _) => Some(l),
            (None, Some(p)) if !open[p.ix()] => Some(*p),
            (None, Some(_)) => {
                stays[c] = false;
                None
            }
            (None, None) => None,
        };
        if free_kept[c].is_some() {
            stays[c] = false;
        }
    }
    let closed = Closed {
        posts: open.iter().map(|&o| !o).collect(),
        candidates: stays,
        outside: Default::default(),
    };
    (free_kept, closed)
}

/// One neighbourhood of the search (`lns`): the model with `kept` fixed
/// and the `closed` posts and candidates taking nobody new, warm-started from `start` (which
/// must fit it), solved for the model's objective within `node_limit`
/// branch-and-bound nodes and the run's deadline. `None` when nothing is
/// free or HiGHS returns no solution. One weighted objective when that is
/// exact, else the first criterion alone (the caller compares the whole
/// objective before keeping anything).
fn solve_neighbourhood(
    pb: &Problem,
    s: &MipSettings,
    kept: &[Option<PostIdx>],
    closed: &Closed,
    start: &Assignment,
    node_limit: i64,
) -> Option<Assignment> {
    let objective = &pb.policy.objective;
    let f = Formulation::build_closed(pb, objective.contains(&Criterion::Envy), kept, closed);
    if f.x.iter().all(Option::is_none) {
        return None;
    }
    let costs = match combined_costs(pb, &f, objective) {
        Some(comb) => comb.costs,
        None => objective.first().map_or(Vec::new(), |&c| f.costs(pb, c)),
    };
    let mut model = to_highs(&f);
    set_objective(&mut model, f.mip.cols.len(), &costs);
    // Its figures are not the run's, but a cancelled run stops it.
    let mut sub = MipSettings {
        write_model: None,
        progress: s.progress.hidden_child(),
        ..s.clone()
    };
    sub.highs_options
        .push(("mip_max_nodes".into(), node_limit.to_string()));
    let cols = f.columns_for(pb, &start.post_of);
    let ran = run_stage(model, &sub, s.time_left(), Some(&cols), &costs);
    Some(f.assignment(pb, &ran.cols?))
}
