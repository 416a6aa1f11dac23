//! Swap improvement for a feasible allocation: at a post, replace a holder
//! by an unplaced applicant of that post when that lowers the objective.
//! Every post keeps its headcount, so every seat, scale, quota and rule
//! figure stays exactly as it was: only who holds the seats changes.
//!
//! Why it pays: DA with capacity cuts picks holders by priority alone, but
//! a seat that stays empty makes every applicant who prefers it a blocking
//! pair, so placing the candidate whose placement settles the most of those
//! pairs can lower envy (measured on the 4,000-candidate backfill: the
//! exact optimum fills the same posts as the fast engine with 61 different
//! people). Each swap is scored exactly, on the pairs it can change.

use crate::domain::policy::Criterion;
use crate::domain::types::{CandidateIdx, PostIdx};
use crate::model::evaluate::{held_ranks, worst_holders, Assignment};
use crate::model::Problem;

/// The pieces of the objective a swap changes, per criterion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Delta {
    envy: i64,
    preference: i64,
}

impl Delta {
    /// Could a change with envy at least `envy_floor` and this preference
    /// change improve the objective (fill never changes)? With the exact
    /// envy change this is the improvement test itself; with a floor it
    /// prunes swaps before exact scoring.
    fn may_improve(envy_floor: i64, preference: i64, order: &[Criterion]) -> bool {
        for c in order {
            let d = match c {
                Criterion::Envy if envy_floor < 0 => return true,
                Criterion::Envy => envy_floor,
                Criterion::Preference => preference,
                Criterion::Fill => 0,
            };
            if d != 0 {
                return d < 0;
            }
        }
        false
    }

    /// Is this change an improvement for the model's objective order?
    fn improves(self, order: &[Criterion]) -> bool {
        Delta::may_improve(self.envy, self.preference, order)
    }
}

/// What the blocking test needs: each candidate's held rank, each post's
/// holders and lowest-priority holder.
struct State<'a> {
    pb: &'a Problem,
    a: Assignment,
    held: Vec<u32>,
    holders: Vec<Vec<CandidateIdx>>,
    worst: Vec<Option<CandidateIdx>>,
    /// Pairs looked at so far (the work budget of `improve`).
    work: usize,
}

impl<'a> State<'a> {
    fn new(pb: &'a Problem, a: Assignment) -> Self {
        let mut holders = vec![Vec::new(); pb.posts.len()];
        for (c, p) in a.post_of.iter().enumerate() {
            if let Some(p) = *p {
                holders[p.ix()].push(CandidateIdx::from_ix(c));
            }
        }
        State {
            pb,
            held: held_ranks(pb, &a.post_of),
            worst: worst_holders(pb, &a),
            a,
            holders,
            work: 0,
        }
    }

    fn update_worst(&mut self, p: PostIdx) {
        self.worst[p.ix()] = self.holders[p.ix()]
            .iter()
            .copied()
            .min_by(|&x, &y| self.pb.cmp_at(p, x, y));
    }

    /// Blocking pairs of candidate `c` at posts other than `p` whose rank
    /// is `from_rank` or worse, were c to hold nothing — the pairs that
    /// change when c leaves or takes a post of that rank at p.
    fn tail_blocking(&mut self, c: CandidateIdx, p: PostIdx, from_rank: u32) -> i64 {
        let pb = self.pb;
        self.work += pb.pair_range(c).len();
        pb.pair_range(c)
            .filter(|&i| pb.pairs[i].post != p && pb.pairs[i].rank >= from_rank)
            .filter(|&i| self.post_admits(i))
            .count() as i64
    }

    /// The post side of the blocking test: a free seat, or a holder below
    /// the pair's candidate.
    fn post_admits(&self, pair: usize) -> bool {
        let pr = self.pb.pairs[pair];
        let p = pr.post.ix();
        let open = self.pb.posts[p].open() as usize;
        open > 0
            && (self.holders[p].len() < open
                || self.worst[p].is_some_and(|w| self.pb.cmp_at(pr.post, pr.candidate, w).is_gt()))
    }

    fn place(&mut self, c: CandidateIdx, p: Option<PostIdx>) {
        if let Some(old) = self.a.post_of[c.ix()] {
            self.holders[old.ix()].retain(|&h| h != c);
            self.update_worst(old);
        }
        self.a.post_of[c.ix()] = p;
        self.held[c.ix()] = u32::MAX;
        if let Some(p) = p {
            self.holders[p.ix()].push(c);
            self.held[c.ix()] = self.pb.rank(c, p).unwrap_or(u32::MAX);
            self.update_worst(p);
        }
    }

    /// A post's applicants as the swap scoring needs them: `prefix[j]` =
    /// applicants above position j who prefer p to what they hold (holders
    /// never do), and the holders' positions, best first.
    fn view(&mut self, p: PostIdx) -> PostView {
        let pb = self.pb;
        let list = &pb.applicants[p.ix()];
        self.work += list.len();
        let mut prefix = Vec::with_capacity(list.len() + 1);
        let (mut run, mut holders) = (0i64, Vec::new());
        prefix.push(0);
        for (j, &i) in list.iter().enumerate() {
            let c = pb.pairs[i as usize].candidate;
            if pb.pairs[i as usize].rank < self.held[c.ix()] {
                run += 1;
            }
            if self.a.post_of[c.ix()] == Some(p) {
                holders.push(j);
            }
            prefix.push(run);
        }
        PostView { prefix, holders }
    }

    /// Find the first unplaced applicant of `p` whose swap with the holder
    /// at position `pos_out` improves the objective, and make it. Each
    /// candidate swap is scored in O(its pairs): only the lowest holder of
    /// p moves, so the applicants of p are counted with `view`'s prefix sums.
    fn swap_out(&mut self, p: PostIdx, pos_out: usize, view: &PostView) -> Option<Delta> {
        let pb = self.pb;
        let list = &pb.applicants[p.ix()];
        let out = pb.pairs[list[pos_out] as usize].candidate;
        self.work += list.len();
        let full = view.holders.len() >= pb.posts[p.ix()].open() as usize;
        let (prefix, run) = (&view.prefix, view.prefix[list.len()]);
        let lowest_other = view.holders.iter().rev().find(|&&j| j != pos_out).copied();
        // Blocking at p among the others, for a lowest holder at `lowest`;
        // `q` is the incoming candidate, who prefers p while unplaced.
        let others = |lowest: usize, q: usize| -> i64 {
            if full {
                prefix[lowest] - i64::from(q < lowest)
            } else {
                run - 1
            }
        };
        let lowest_now = lowest_other.map_or(pos_out, |l| l.max(pos_out));
        let rank_out = pb.rank(out, p).unwrap_or(0);
        let out_gains = self.tail_blocking(out, p, rank_out);
        for (q, &i) in list.iter().enumerate() {
            let inn = pb.pairs[i as usize].candidate;
            if self.a.post_of[inn.ix()].is_some() || q == pos_out {
                continue;
            }
            let lowest_after = lowest_other.map_or(q, |l| l.max(q));
            let before = others(lowest_now, q) + i64::from(!full || q < lowest_now);
            let after = others(lowest_after, q) + i64::from(!full || pos_out < lowest_after);
            let rank_in = pb.pairs[i as usize].rank;
            let preference = i64::from(rank_in) - i64::from(rank_out);
            // At most every pair of inn ranked no better than p stops
            // blocking: skip the exact count when even that cannot help.
            let group = pb.pair_range(inn).start..i as usize;
            let first = group
                .rev()
                .take_while(|&j| pb.pairs[j].rank == rank_in)
                .count();
            let settled_at_most = (pb.pair_range(inn).end - i as usize - 1 + first) as i64;
            let fixed = after - before + out_gains;
            if !Delta::may_improve(fixed - settled_at_most, preference, &pb.policy.objective) {
                continue;
            }
            let d = Delta {
                envy: fixed - self.tail_blocking(inn, p, rank_in),
                preference,
            };
            if d.improves(&pb.policy.objective) {
                self.place(out, None);
                self.place(inn, Some(p));
                return Some(d);
            }
        }
        None
    }
}

/// See `State::view`.
struct PostView {
    prefix: Vec<i64>,
    holders: Vec<usize>,
}

/// An improved allocation and what the swaps changed.
#[derive(Debug, Clone)]
pub struct Improved {
    /// The allocation.
    pub assignment: Assignment,
    /// Change in blocking pairs (≤ 0 when envy comes first).
    pub envy_change: i64,
    /// Change in the preference sum.
    pub preference_change: i64,
    /// Swaps made.
    pub swaps: usize,
}

/// Pairs `improve` may look at per eligible pair of the problem. Measured
/// use without a bound: league 23, region 230, national 105 per pair.
const WORK_PER_PAIR: usize = 256;

/// …and at most this many in all: national used 258 M (5 s); without a cap
/// the 1 M-candidate tier spent over 6 minutes here.
const MAX_WORK: usize = 300_000_000;

/// Improve `a` by swaps until none helps (or `max_passes` passes). Kept
/// candidates never move. The result keeps every hard constraint that `a`
/// keeps and is never worse for the model's objective.
pub fn improve(
    pb: &Problem,
    a: Assignment,
    kept: &[Option<PostIdx>],
    max_passes: usize,
) -> Improved {
    let mut s = State::new(pb, a);
    let is_kept = |c: CandidateIdx| kept.get(c.ix()).copied().flatten().is_some();
    let (mut envy_change, mut preference_change, mut swaps) = (0, 0, 0);
    // Each swap strictly improves the objective, so this never binds; it
    // bounds the work should a change ever be mis-scored.
    let limit = max_passes * (s.a.placed() + 1);
    // Work grows with posts' applicant lists and candidates' lists: bound
    // it by the size of the problem, so the largest pools stay fast
    // (deterministic: pairs looked at, not seconds).
    let budget = (WORK_PER_PAIR * pb.pairs.len().max(1)).min(MAX_WORK);
    for _ in 0..max_passes {
        let before = swaps;
        for p in 0..pb.posts.len() {
            let p = PostIdx::from_ix(p);
            // After a swap the post's view changes: look at it again.
            'post: while swaps < limit && s.work <= budget {
                let view = s.view(p);
                for &pos in &view.holders {
                    let out = pb.pairs[pb.applicants[p.ix()][pos] as usize].candidate;
                    if is_kept(out) {
                        continue;
                    }
                    if let Some(d) = s.swap_out(p, pos, &view) {
                        envy_change += d.envy;
                        preference_change += d.preference;
                        swaps += 1;
                        continue 'post;
                    }
                }
                break;
            }
        }
        if swaps == before {
            break;
        }
    }
    Improved {
        assignment: s.a,
        envy_change,
        preference_change,
        swaps,
    }
}
