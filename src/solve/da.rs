//! Candidate-proposing deferred acceptance with capacities only (seats minus
//! incumbents; rules, scales and quotas are ignored). Ties in a candidate's
//! list are broken by written order (rank), then post id — the order of
//! `Problem::pairs`. Posts rank strictly by priority.
//!
//! It is the baseline engine, a warm start, and — for plain instances — the
//! exact optimum of the default objective (interface §2.4).

use std::collections::BinaryHeap;

use crate::domain::types::{CandidateIdx, PostIdx};
use crate::model::evaluate::Assignment;
use crate::model::Problem;

/// Run deferred acceptance; O(pairs · log seats).
pub fn deferred_acceptance(pb: &Problem) -> Assignment {
    let caps: Vec<u32> = pb.posts.iter().map(|p| p.open()).collect();
    deferred_acceptance_with(pb, &caps, &[])
}

/// Deferred acceptance with a capacity per post; candidates marked in
/// `skip` do not take part (they are placed elsewhere by the caller).
pub(crate) fn deferred_acceptance_with(pb: &Problem, caps: &[u32], skip: &[bool]) -> Assignment {
    let n = pb.n_candidates();
    // next[c]: index of the next pair candidate c proposes along.
    let mut next: Vec<u32> = pb.pair_start[..n].to_vec();
    // Per post: the held pairs, as a max-heap of priority positions (worst on top).
    let mut held: Vec<BinaryHeap<(u32, u32)>> = vec![BinaryHeap::new(); pb.posts.len()];
    let mut free: Vec<u32> = (0..n as u32)
        .rev()
        .filter(|&c| !skip.get(c as usize).copied().unwrap_or(false))
        .collect();
    while let Some(c) = free.pop() {
        let end = pb.pair_start[c as usize + 1];
        while next[c as usize] < end {
            let i = next[c as usize];
            next[c as usize] += 1;
            let pair = &pb.pairs[i as usize];
            let cap = caps[pair.post.ix()] as usize;
            if cap == 0 {
                continue;
            }
            let pos = pb.pair_pos[i as usize];
            let h = &mut held[pair.post.ix()];
            if h.len() < cap {
                h.push((pos, i));
                break;
            }
            let &(worst, wi) = h.peek().expect("a full post holds someone");
            if pos < worst {
                h.pop();
                h.push((pos, i));
                free.push(pb.pairs[wi as usize].candidate.0);
                break;
            }
        }
    }
    let mut a = Assignment::empty(n);
    for (p, h) in held.iter().enumerate() {
        for &(_, i) in h.iter() {
            let c: CandidateIdx = pb.pairs[i as usize].candidate;
            a.post_of[c.ix()] = Some(PostIdx::from_ix(p));
        }
    }
    a
}
