//! The problem restricted to some candidates: what a relaxation that looks
//! at a few hundred applicants needs, at a cost in their pairs rather than
//! in every pair of the problem (61 M at national size with adjustment by
//! province).

use super::{Pair, Problem};
use crate::domain::types::{CandidateIdx, PostIdx};

/// A restricted problem and how its candidates map back.
#[derive(Debug, Clone)]
pub(crate) struct Restricted {
    /// The problem with only the chosen candidates.
    pub pb: Problem,
    /// Their kept placements (the others' are incumbents now).
    pub kept: Vec<Option<PostIdx>>,
    /// Per candidate of `pb`, its index in the original problem.
    pub original: Vec<CandidateIdx>,
}

impl Problem {
    /// The problem with only the candidates in `chosen` (in their order,
    /// which must be increasing). Every post stays, with the same index.
    /// Kept placements (`kept`, per candidate or empty) of the candidates
    /// left out become incumbents of their posts: they hold the seat and
    /// count in every scale, quota and rule as before, but are no longer
    /// holders anyone can envy — so a bound on the restricted problem's
    /// blocking pairs at posts where none of them is kept is a bound on
    /// the original's. Locks are not carried over: pass them in `kept`.
    pub(crate) fn restricted(
        &self,
        chosen: &[CandidateIdx],
        kept: &[Option<PostIdx>],
    ) -> Restricted {
        debug_assert!(chosen.windows(2).all(|w| w[0] < w[1]));
        let mut posts = self.posts.clone();
        let mut is_chosen = vec![false; self.n_candidates()];
        for c in chosen {
            is_chosen[c.ix()] = true;
        }
        for (c, p) in kept.iter().enumerate() {
            if let (Some(p), false) = (p, is_chosen[c]) {
                posts[p.ix()].incumbents += 1;
            }
        }
        let ns = self.policy.specialties.len();
        let mut pairs: Vec<Pair> = Vec::new();
        let mut pair_start = vec![0u32];
        // (post, position in the original post's order, new pair index)
        let mut at_post: Vec<(PostIdx, u32, u32)> = Vec::new();
        for (new, &c) in chosen.iter().enumerate() {
            for i in self.pair_range(c) {
                let pr = self.pairs[i];
                at_post.push((pr.post, self.pair_pos[i], pairs.len() as u32));
                pairs.push(Pair {
                    candidate: CandidateIdx::from_ix(new),
                    ..pr
                });
            }
            pair_start.push(pairs.len() as u32);
        }
        at_post.sort_unstable();
        let mut applicants = vec![Vec::new(); posts.len()];
        let mut pair_pos = vec![0u32; pairs.len()];
        for (p, _, i) in at_post {
            let list: &mut Vec<u32> = &mut applicants[p.ix()];
            pair_pos[i as usize] = list.len() as u32;
            list.push(i);
        }
        Restricted {
            pb: Problem {
                policy: self.policy.clone(),
                seed: self.seed,
                candidates: chosen
                    .iter()
                    .map(|c| self.candidates[c.ix()].clone())
                    .collect(),
                posts,
                counties: self.counties.clone(),
                leagues: self.leagues.clone(),
                incumbents: self.incumbents.clone(),
                acceptable: chosen
                    .iter()
                    .map(|c| self.acceptable[c.ix()].clone())
                    .collect(),
                pairs,
                pair_start,
                applicants,
                pair_pos,
                priority: chosen
                    .iter()
                    .flat_map(|c| {
                        self.priority[c.ix() * ns..(c.ix() + 1) * ns]
                            .iter()
                            .cloned()
                    })
                    .collect(),
                files: self.files.clone(),
                locks: Vec::new(),
                columns: Vec::new(),
                extra_columns: Vec::new(),
                notes: Vec::new(),
            },
            kept: chosen
                .iter()
                .map(|c| kept.get(c.ix()).copied().flatten())
                .collect(),
            original: chosen.to_vec(),
        }
    }
}
