//! Why a candidate was not placed: one line a person can act on — the
//! condition that makes them ineligible, or their best eligible post and
//! what kept them out of it (full of candidates ranked above them; a rule,
//! scale or quota that binds; the county suspended …).

use crate::model::eligibility::Ineligible;
use crate::model::evaluate::{
    counts_for, post_occupancy, rule_holds, rule_scopes, worst_holders, Assignment,
};
use crate::model::types::{CandidateIdx, PostIdx};
use crate::model::Problem;

/// Precomputed state for explaining many candidates.
pub struct Explainer<'a> {
    pb: &'a Problem,
    a: &'a Assignment,
    occ: Vec<u32>,
    worst: Vec<Option<CandidateIdx>>,
}

impl<'a> Explainer<'a> {
    /// Prepare explanations for assignment `a`.
    pub fn new(pb: &'a Problem, a: &'a Assignment) -> Self {
        let occ = post_occupancy(pb, a);
        let worst = worst_holders(pb, a);
        Explainer { pb, a, occ, worst }
    }

    /// The reason an unplaced candidate is unplaced.
    pub fn unplaced_reason(&self, c: CandidateIdx) -> String {
        let pb = self.pb;
        if let Err(why) = pb.candidate_eligibility(c) {
            return why.describe();
        }
        let acceptable = &pb.acceptable[c.ix()];
        if acceptable.is_empty() {
            return "no acceptable post: no choices listed and no post within the adjustment scope"
                .into();
        }
        let Some(pair) = pb.pairs_of(c).first() else {
            let (p, rank) = acceptable[0];
            let why = pb
                .eligibility(c, p)
                .err()
                .unwrap_or(Ineligible::NotAcceptable);
            let why = why.describe();
            return format!(
                "ineligible for every acceptable post; e.g. {} (rank {rank}): {}",
                pb.posts[p.ix()].id,
                why.strip_prefix("ineligible: ").unwrap_or(&why)
            );
        };
        self.why_not(c, pair.post, pair.rank)
    }

    /// Why c does not hold post p (which c ranks `rank`).
    pub fn why_not(&self, c: CandidateIdx, p: PostIdx, rank: u32) -> String {
        let pb = self.pb;
        let post = &pb.posts[p.ix()];
        let head = format!("best post {} (rank {rank})", post.id);
        if post.open() == 0 {
            return format!("{head}: every seat is held by continuing volunteers (incumbents)");
        }
        let full = self.occ[p.ix()] >= post.seats;
        match self.worst[p.ix()] {
            Some(w) if full && pb.cmp_at(p, w, c).is_gt() => {
                let tw = pb.priority_at(w, p).describe(&pb.policy);
                let tc = pb.priority_at(c, p).describe(&pb.policy);
                return format!(
                    "{head} is full: its last seat went to a candidate ranked above you ({tw}; you: {tc})"
                );
            }
            Some(_) if full => {
                return format!(
                    "{head} holds a candidate ranked below you, but moving you there would break a rule or cost more blocking pairs elsewhere than it saves (objective {})",
                    self.objective_text()
                );
            }
            _ => {}
        }
        // A seat is free: find the constraint that one more volunteer there breaks.
        let county = &pb.counties[post.county.ix()];
        if let Some(scale) = county.scale {
            if self.occupied(|q| q.county == post.county) >= scale {
                return format!(
                    "{head}: county {} is at its scale of {scale} volunteers",
                    county.code
                );
            }
        }
        if let Some(q) = pb.policy.quota(post.project) {
            if self.occupied(|x| x.project == post.project) >= q {
                return format!(
                    "{head}: the {} project quota of {q} is reached",
                    post.project
                );
            }
        }
        for rule in &pb.policy.rules {
            for s in rule_scopes(pb, rule) {
                if !s.counties.contains(&post.county) {
                    continue;
                }
                let (mut count, mut total) = (0u64, 0u64);
                for (i, q) in pb.posts.iter().enumerate() {
                    if s.counties.contains(&q.county) {
                        total += u64::from(self.occ[i]);
                        if counts_for(rule, q) {
                            count += u64::from(self.occ[i]);
                        }
                    }
                }
                let add = u64::from(counts_for(rule, post));
                if !rule_holds(rule.op, rule.share, count + add, total + 1) {
                    return format!(
                        "{head}: rule {} binds in {} {} ({count} of {total} volunteers counted; one more here would break {} {})",
                        rule.name,
                        rule.scope.key(),
                        s.label,
                        rule.op.symbol(),
                        rule.share
                    );
                }
            }
        }
        format!(
            "{head} has a free seat, but placing you there would cost more than it gains for the objective ({}): it would force other changes to keep the rules",
            self.objective_text()
        )
    }

    /// Volunteers (placed + incumbents) at the posts that `keep` selects.
    fn occupied(&self, keep: impl Fn(&crate::model::Post) -> bool) -> u32 {
        self.pb
            .posts
            .iter()
            .zip(&self.occ)
            .filter(|(q, _)| keep(q))
            .map(|(_, &n)| n)
            .sum()
    }

    fn objective_text(&self) -> String {
        let o: Vec<&str> = self.pb.policy.objective.iter().map(|c| c.key()).collect();
        o.join(", ")
    }

    /// Every unplaced candidate with its reason, in input order.
    pub fn unplaced(&self) -> Vec<(CandidateIdx, String)> {
        (0..self.pb.n_candidates())
            .map(CandidateIdx::from_ix)
            .filter(|c| self.a.post_of[c.ix()].is_none())
            .map(|c| (c, self.unplaced_reason(c)))
            .collect()
    }
}
