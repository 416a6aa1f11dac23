//! A quick feasible start: deferred acceptance, then remove placements
//! until every rule, scale and quota holds. Removing only ever lowers
//! counts, so it ends; it succeeds whenever the incumbents alone keep every
//! rule (placing nobody is feasible). Used only to seed the exact search.

use crate::domain::policy::Op;
use crate::domain::types::{CandidateIdx, Project};
use crate::model::evaluate::{post_occupancy, Assignment};
use crate::model::rules::{counts_for, ScopeCounter};
use crate::model::Problem;

/// Remove placements from `a` until every rule, scale and quota holds.
/// Those removed first are the lowest in their post's priority.
pub fn repair(pb: &Problem, mut a: Assignment) -> Assignment {
    loop {
        let occ = post_occupancy(pb, &a);
        let Some(victims) = first_break(pb, &a, &occ) else {
            return a;
        };
        for c in victims {
            a.post_of[c.ix()] = None;
        }
    }
}

/// The placements to drop for the first broken constraint found, or `None`
/// when nothing is broken (or nothing can be dropped to fix it).
fn first_break(pb: &Problem, a: &Assignment, occ: &[u32]) -> Option<Vec<CandidateIdx>> {
    // Placed candidates matching `keep`, lowest priority at their post first.
    let placed = |keep: &dyn Fn(&crate::model::Post) -> bool| -> Vec<CandidateIdx> {
        let mut v: Vec<CandidateIdx> = (0..pb.n_candidates())
            .map(CandidateIdx::from_ix)
            .filter(|c| a.post_of[c.ix()].is_some_and(|p| keep(&pb.posts[p.ix()])))
            .collect();
        v.sort_by_cached_key(|c| {
            let p = a.post_of[c.ix()].expect("placed");
            let i = pb
                .pair_range(*c)
                .find(|&i| pb.pairs[i].post == p)
                .expect("a placed pair");
            std::cmp::Reverse(pb.pair_pos[i])
        });
        v
    };
    let sum = |keep: &dyn Fn(&crate::model::Post) -> bool| -> u64 {
        pb.posts
            .iter()
            .zip(occ)
            .filter(|(p, _)| keep(p))
            .map(|(_, &n)| u64::from(n))
            .sum()
    };
    // Volunteers per county in one pass over the posts (summing every post
    // for each county was quadratic at national size).
    let mut per_county = vec![0u64; pb.counties.len()];
    for (p, &n) in pb.posts.iter().zip(occ) {
        per_county[p.county.ix()] += u64::from(n);
    }
    for (k, county) in pb.counties.iter().enumerate() {
        if let Some(scale) = county.scale {
            let inside = |p: &crate::model::Post| p.county.ix() == k;
            let n = per_county[k];
            if n > u64::from(scale) {
                let excess = (n - u64::from(scale)) as usize;
                return Some(placed(&inside).into_iter().take(excess).collect())
                    .filter(|v: &Vec<_>| !v.is_empty());
            }
        }
    }
    for proj in [Project::National, Project::Local] {
        if let Some(q) = pb.policy.quota(proj) {
            let inside = |p: &crate::model::Post| p.project == proj;
            let n = sum(&inside);
            if n > u64::from(q) {
                let excess = (n - u64::from(q)) as usize;
                return Some(placed(&inside).into_iter().take(excess).collect())
                    .filter(|v: &Vec<_>| !v.is_empty());
            }
        }
    }
    let rules = ScopeCounter::new(pb, occ);
    for (r, rule) in pb.policy.rules.iter().enumerate() {
        for k in 0..rules.scopes(r).len() {
            if rules.holds(pb, r, k) {
                continue;
            }
            let inside = |p: &crate::model::Post| rules.scope_of(r, p.county) == Some(k);
            // ≥: drop volunteers not counted; ≤: drop counted ones. One at a
            // time keeps the removal minimal; the loop comes back here.
            let drop_counted = rule.op == Op::Le;
            let v = placed(&|p| inside(p) && counts_for(rule, p) == drop_counted);
            return v.into_iter().next().map(|c| vec![c]);
        }
    }
    None
}
