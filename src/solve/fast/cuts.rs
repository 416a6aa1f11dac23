//! A fast feasible allocation that keeps most of deferred acceptance's
//! fairness: "DA with capacity cuts". Run DA (kept placements fixed); then
//! for every broken constraint:
//! - a scale or quota over its limit: cut its whole excess at once, from the
//!   posts in its scope whose cuts open seats to the fewest candidates who
//!   would then envy them;
//! - a broken rule: either move one candidate into a post of that scope where
//!   one more volunteer helps (fixing them there; DA refills the seat they
//!   left) or lower by one the capacity of a post where one fewer helps —
//!   whichever is estimated to add fewer blocking pairs, preferring cuts that
//!   break no rule that holds;
//!
//! and run DA again, until nothing is broken. Then fill free seats wherever
//! that breaks nothing (filling a free seat never adds a blocking pair).
//!
//! Cutting a post's capacity (not removing its holder) lets the rejected
//! candidate take their next choice instead of leaving them unplaced, which
//! is why this start has far fewer blocking pairs than `repair`. It seeds
//! the exact search and is the answer when the exact model is too large.

use crate::domain::policy::Op;
use crate::domain::types::{CandidateIdx, PostIdx, Project};
use crate::model::evaluate::{held_ranks, Assignment, Headcount};
use crate::model::rules::{counts_for, ScopeCounter};
use crate::model::Problem;

/// A broken constraint: the posts where taking a volunteer off helps, and
/// (for rules) the posts where one more volunteer helps.
struct Broken {
    cut: Vec<PostIdx>,
    add: Vec<PostIdx>,
    /// Volunteers over a scale or quota (all cut at once); 1 for rules.
    excess: u64,
}

/// Every broken constraint.
fn broken(pb: &Problem, occ: &[u32], rules: &ScopeCounter) -> Vec<Broken> {
    let all = |keep: &dyn Fn(&crate::model::Post) -> bool| -> Vec<PostIdx> {
        (0..pb.posts.len())
            .filter(|&p| keep(&pb.posts[p]))
            .map(PostIdx::from_ix)
            .collect()
    };
    // A scale or quota over its limit: its whole excess is cut at once.
    let over = |keep: &dyn Fn(&crate::model::Post) -> bool, limit: u32| -> Option<Broken> {
        let posts = all(keep);
        let n: u64 = posts.iter().map(|p| u64::from(occ[p.ix()])).sum();
        (n > u64::from(limit)).then(|| Broken {
            cut: posts,
            add: Vec::new(),
            excess: n - u64::from(limit),
        })
    };
    let mut out = Vec::new();
    for (k, county) in pb.counties.iter().enumerate() {
        out.extend(county.scale.and_then(|s| over(&|p| p.county.ix() == k, s)));
    }
    for proj in [Project::National, Project::Local] {
        out.extend(
            pb.policy
                .quota(proj)
                .and_then(|q| over(&|p| p.project == proj, q)),
        );
    }
    for (r, rule) in pb.policy.rules.iter().enumerate() {
        for k in 0..rules.scopes(r).len() {
            if rules.holds(pb, r, k) {
                continue;
            }
            // ≥: fewer volunteers not counted, or more counted ones, help;
            // ≤: the other way round.
            let cut_counted = rule.op == Op::Le;
            let inside = |p: &crate::model::Post| rules.scope_of(r, p.county) == Some(k);
            out.push(Broken {
                cut: all(&|p| inside(p) && counts_for(rule, p) == cut_counted),
                add: all(&|p| inside(p) && counts_for(rule, p) != cut_counted),
                excess: 1,
            });
        }
    }
    out
}

/// Candidates who would envy post `p` once it has a free seat: its
/// applicants who rank it strictly better than what they hold.
fn cut_cost(pb: &Problem, held: &[u32], a: &Assignment, p: PostIdx) -> usize {
    pb.applicants[p.ix()]
        .iter()
        .map(|&i| &pb.pairs[i as usize])
        .filter(|pr| a.post_of[pr.candidate.ix()] != Some(p) && pr.rank < held[pr.candidate.ix()])
        .count()
}

/// The cheapest candidate to move into post `p` (which has a free seat),
/// with an estimate of the blocking pairs it adds: the candidate's own (the
/// posts they rank between `p` and what they hold) plus the applicants above
/// them at `p` who want `p` more than what they hold (p may close to them).
fn best_mover(
    pb: &Problem,
    held: &[u32],
    a: &Assignment,
    fixed: &[bool],
    p: PostIdx,
) -> Option<(usize, CandidateIdx)> {
    let mut wanting_above = 0usize;
    let mut best: Option<(usize, CandidateIdx)> = None;
    for &i in &pb.applicants[p.ix()] {
        let pr = &pb.pairs[i as usize];
        let c = pr.candidate;
        let h = held[c.ix()];
        if a.post_of[c.ix()] == Some(p) {
            continue;
        }
        if !fixed[c.ix()] {
            // Ranks given up (a proxy for the posts they now envy).
            let own = pr.rank.saturating_sub(h) as usize;
            let cost = own + wanting_above;
            if best.is_none_or(|(b, _)| cost < b) {
                best = Some((cost, c));
            }
        }
        if pr.rank < h {
            wanting_above += 1;
        }
    }
    best
}

/// DA with capacity cuts and forced moves, `kept` placements fixed. For a
/// broken rule it either moves one candidate into a post of the scope where
/// one more volunteer helps (DA then refills the seat they leave), or cuts
/// the capacity of a post where one fewer helps — whichever is estimated to
/// add fewer blocking pairs; scales and quotas are fixed by cuts. `None`
/// when a broken constraint has nothing left to change (kept placements or
/// incumbents alone break it).
pub fn capped_da(pb: &Problem, kept: &[Option<PostIdx>]) -> Option<Assignment> {
    let n = pb.n_candidates();
    let mut caps: Vec<u32> = pb.posts.iter().map(|p| p.open()).collect();
    let mut placed: Vec<Option<PostIdx>> = (0..n).map(|c| kept.get(c).copied().flatten()).collect();
    let mut fixed: Vec<bool> = placed.iter().map(Option::is_some).collect();
    for p in placed.iter().flatten() {
        caps[p.ix()] = caps[p.ix()].saturating_sub(1);
    }
    loop {
        let mut a = crate::solve::da::deferred_acceptance_with(pb, &caps, &fixed);
        for (c, k) in placed.iter().enumerate() {
            if k.is_some() {
                a.post_of[c] = *k;
            }
        }
        let occ = crate::model::evaluate::post_occupancy(pb, &a);
        let rules = ScopeCounter::new(pb, &occ);
        let broken = broken(pb, &occ, &rules);
        if broken.is_empty() {
            return Some(fill(pb, a, &occ, rules));
        }
        let held = held_ranks(pb, &a.post_of);
        // DA-placed volunteers per post (incumbents and fixed cannot be cut).
        let mut movable = vec![0u32; pb.posts.len()];
        for (c, p) in a.post_of.iter().enumerate() {
            if let (Some(p), false) = (p, fixed[c]) {
                movable[p.ix()] += 1;
            }
        }
        let mut free = occ.clone();
        let mut changed = false;
        for b in broken {
            let cuttable: Vec<PostIdx> = b
                .cut
                .into_iter()
                .filter(|p| movable[p.ix()] > 0 && caps[p.ix()] > 0)
                .collect();
            let safe: Vec<PostIdx> = cuttable
                .iter()
                .copied()
                // Taking one volunteer off must break no rule that holds.
                .filter(|&p| !rules.breaks(pb, p, -1, true))
                .collect();
            let pool = if safe.is_empty() { &cuttable } else { &safe };
            let mut costs: Vec<(usize, PostIdx)> = pool
                .iter()
                .map(|&p| (cut_cost(pb, &held, &a, p), p))
                .collect();
            costs.sort_unstable();
            if b.excess > 1 {
                // A scale or quota: cut the whole excess, cheapest posts first.
                let mut need = b.excess;
                for &(_, p) in &costs {
                    while need > 0 && movable[p.ix()] > 0 && caps[p.ix()] > 0 {
                        caps[p.ix()] -= 1;
                        movable[p.ix()] -= 1;
                        need -= 1;
                        changed = true;
                    }
                }
                continue;
            }
            let cut = costs.first().copied();
            let mover = b
                .add
                .iter()
                .filter(|p| free[p.ix()] < pb.posts[p.ix()].seats)
                .filter_map(|&p| best_mover(pb, &held, &a, &fixed, p).map(|(k, c)| (k, c, p)))
                .min();
            match (cut, mover) {
                (_, Some((k, c, p))) if cut.is_none_or(|(kc, _)| k <= kc) => {
                    placed[c.ix()] = Some(p);
                    fixed[c.ix()] = true;
                    caps[p.ix()] = caps[p.ix()].saturating_sub(1);
                    free[p.ix()] += 1;
                    changed = true;
                }
                (Some((_, p)), _) => {
                    caps[p.ix()] -= 1;
                    movable[p.ix()] -= 1;
                    changed = true;
                }
                _ => {}
            }
        }
        if !changed {
            return None;
        }
    }
}

/// Place unplaced candidates on free seats wherever no seat, scale, quota
/// or rule breaks: candidates in input order, each on the best-ranked post
/// of their list that fits, repeated until nobody more fits. Never adds a
/// blocking pair.
fn fill(pb: &Problem, mut a: Assignment, occ: &[u32], mut rules: ScopeCounter) -> Assignment {
    let mut occ = occ.to_vec();
    let mut heads = Headcount::new(pb, &occ);
    let mut changed = true;
    while changed {
        changed = false;
        for c in 0..pb.n_candidates() {
            if a.post_of[c].is_some() {
                continue;
            }
            for pr in pb.pairs_of(CandidateIdx::from_ix(c)) {
                let p = pr.post;
                let post = &pb.posts[p.ix()];
                let fits = occ[p.ix()] < post.seats
                    && heads.over_scale(pb, post.county, 1).is_none()
                    && heads.over_quota(pb, post.project, 1).is_none()
                    && !rules.breaks(pb, p, 1, false);
                if fits {
                    a.post_of[c] = Some(p);
                    occ[p.ix()] += 1;
                    heads.add(pb, p);
                    rules.add(pb, p, 1);
                    changed = true;
                    break;
                }
            }
        }
    }
    a
}
