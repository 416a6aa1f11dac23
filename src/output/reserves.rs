//! Reserve lists (补招候补, interface §2.5): for each post with n = seats −
//! incumbents > 0, the ceil(ratio × n) highest-priority candidates who are
//! unplaced, eligible for it and find it acceptable (fewer if fewer exist).

use crate::domain::types::{CandidateIdx, PostIdx};
use crate::model::evaluate::Assignment;
use crate::model::Problem;

/// ceil(ratio × n), robust to binary rounding (1.1 × 10 is 11, not 12).
pub(crate) fn reserve_length(ratio: f64, open: u32) -> usize {
    let x = ratio * f64::from(open);
    let r = x.round();
    if (x - r).abs() < 1e-9 {
        r as usize
    } else {
        x.ceil() as usize
    }
}

/// Reserve lists by post, each best first.
pub type ReserveLists = Vec<(PostIdx, Vec<CandidateIdx>)>;

/// The reserve lists of a solution: none when it is infeasible (there is
/// no allocation to back). Computed once per result and shared by
/// reserves.csv, the report and the Excel lists.
pub(crate) fn solution_reserves(pb: &Problem, sol: &crate::solve::Solution) -> ReserveLists {
    match sol.status {
        crate::solve::Status::Infeasible { .. } => Vec::new(),
        _ => reserves(pb, &sol.assignment),
    }
}

/// Every post's reserve list, best first.
pub fn reserves(pb: &Problem, a: &Assignment) -> ReserveLists {
    pb.posts
        .iter()
        .enumerate()
        .filter(|(_, post)| post.open() > 0)
        .map(|(p, post)| {
            let k = reserve_length(pb.policy.reserve_ratio, post.open());
            let list = pb.applicants[p]
                .iter()
                .map(|&i| pb.pairs[i as usize].candidate)
                .filter(|c| a.post_of[c.ix()].is_none())
                .take(k)
                .collect();
            (PostIdx::from_ix(p), list)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::reserve_length;

    #[test]
    fn lengths_round_up_but_not_on_float_noise() {
        assert_eq!(reserve_length(1.0, 3), 3);
        assert_eq!(reserve_length(1.5, 3), 5);
        assert_eq!(reserve_length(1.1, 10), 11);
        assert_eq!(reserve_length(0.0, 4), 0);
        assert_eq!(reserve_length(0.34, 3), 2);
    }
}
