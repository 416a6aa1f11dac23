//! A Lagrangian bound on blocking pairs that splits the model into the
//! applicants' side and the posts' side.
//!
//! For pair i = (c, p): `x_i` (c holds p) and `u_i` (c holds nothing it
//! ranks at least as well as p). Pair i blocks when `u_i` and p is open to
//! c: not full, or holding someone p ranks below c. Both sides get a copy
//! of `x` and `u`; the copies are tied by multipliers λ (on x) and μ (on u):
//!
//! - applicant side, per candidate: hold one pair or none; its cost is
//!   `−λ·x − μ·u`, u following from the held rank;
//! - post side, per county: per post a holder set and a `u` per
//!   non-holder (holders have u = 0), cost `Σ blocked·u + λ·x + μ·u`, the
//!   posts' headcounts under the county's scale and county-scope rules
//!   (rules of wider scope and project quotas are dropped: a relaxation).
//!
//! Kept placements (a backfill's dispatch, the locks) are fixed on both
//! sides, and so is the u of every pair of a kept applicant; a free
//! applicant's pairs at posts with no seat left for them are the
//! applicant side's alone (`Sides::settled`).
//!
//! Any allocation is a point of both sides with the same envy and the
//! multiplier terms cancel, so for every λ, μ the sum of the two minima
//! is at most the least envy. Subgradient steps raise it.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::time::Instant;

use super::settings::MipSettings;
use crate::domain::policy::{Op, RuleScope};
use crate::domain::types::{CandidateIdx, CountyIdx, PostIdx};
use crate::model::rules::{counts_for, rule_holds, ScopeCounter};
use crate::model::Problem;

/// One post's pairs, best priority first, with priority levels (ties
/// share a level) and which are kept there (they hold it on both sides).
struct PostSide {
    pairs: Vec<u32>,
    level: Vec<u32>,
    kept: Vec<bool>,
    /// Kept at another post: never a holder here, and u is known (1 when
    /// they rank this post above where they are kept). Fixed on this side
    /// too, not left to the multipliers: a backfill keeps most applicants
    /// (BENCHMARKS.md: its bound after 100 s of steps 2,964 → 3,095).
    away: Vec<Option<bool>>,
    /// Free applicants of a post without a seat for them (`Sides::settled`):
    /// left to the applicant side.
    settled: Vec<bool>,
    /// How many are kept.
    n_kept: usize,
    /// The lowest level of a kept holder (0 without one): a full post's
    /// cutoff is at or below it.
    kept_cut: u32,
    open: usize,
}

/// Per post, the cheapest holder set per headcount (infinite where none
/// is possible) and, for the full headcount, the cutoff level it used.
#[derive(Clone)]
struct PostCosts {
    cost: Vec<f64>,
    full_cut: u32,
}

impl PostSide {
    /// A non-holder's cost at position k, blocked or not, with u chosen
    /// best where it is free.
    fn non_holder(&self, k: usize, blocked: bool, mu: &[f64]) -> f64 {
        if self.settled[k] {
            return 0.0;
        }
        let m = mu[self.pairs[k] as usize];
        let b = blocked as u8 as f64;
        match self.away[k] {
            None => (b + m).min(0.0),
            Some(true) => b + m,
            Some(false) => 0.0,
        }
    }

    /// Whether position k may be chosen as a new holder.
    fn may_hold(&self, k: usize) -> bool {
        !self.kept[k] && self.away[k].is_none() && !self.settled[k]
    }
}

fn post_costs(ps: &PostSide, lam: &[f64], mu: &[f64]) -> PostCosts {
    let n = ps.open;
    let m = ps.pairs.len();
    // A non-holder's cost: blocked (`a`) or not (`z`).
    let a = |k: usize| ps.non_holder(k, true, mu);
    let z = |k: usize| ps.non_holder(k, false, mu);
    let sum_z: f64 = (0..m).map(z).sum();
    if n == 0 {
        // Full with incumbents: nobody is blocked here.
        return PostCosts {
            cost: vec![sum_z],
            full_cut: u32::MAX,
        };
    }
    let nk = ps.n_kept;
    let free = |k: &usize| ps.may_hold(*k);
    // Not full (h < n): every non-holder is blocked; the holders are the
    // kept and the h − kept others with the least λ − a.
    let mut cost = vec![f64::INFINITY; nk.min(n)];
    let kept_a: f64 = (0..m)
        .filter(|&k| ps.kept[k])
        .map(|k| lam[ps.pairs[k] as usize] - a(k))
        .sum();
    if nk < n {
        cost.push((0..m).map(a).sum::<f64>() + kept_a);
        let mut k1: Vec<f64> = (0..m)
            .filter(free)
            .map(|k| lam[ps.pairs[k] as usize] - a(k))
            .collect();
        let take = (n - 1 - nk).min(k1.len());
        if take > 0 {
            if take < k1.len() {
                k1.select_nth_unstable_by(take - 1, f64::total_cmp);
            }
            k1[..take].sort_by(f64::total_cmp);
            for &k in &k1[..take] {
                cost.push(cost[cost.len() - 1] + k);
            }
        }
    }
    let mut full_cut = u32::MAX;
    if m >= n && nk <= n {
        // Full with cutoff level L (at or below every kept holder):
        // non-holders above L blocked (a), at or below it not (z); the n
        // holders at levels ≤ L.
        let want = n - nk;
        let from = ps.kept_cut;
        let mut above = 0.0; // Σ (a − z) above L
        let mut kept_above = 0.0; // Σ (λ − a) of the kept above L
        let mut least: Vec<f64> = Vec::with_capacity(want + 1); // want least λ − a of the others above L, sorted
        let mut group: Vec<f64> = Vec::new();
        let mut best = f64::INFINITY;
        let mut j = 0;
        while j < m {
            let lev = ps.level[j];
            let e = j + ps.level[j..].iter().take_while(|&&l| l == lev).count();
            if lev >= from {
                group.clear();
                let mut kept_here = 0.0;
                for k in j..e {
                    let i = ps.pairs[k];
                    if ps.kept[k] {
                        kept_here += lam[i as usize] - z(k);
                    } else if ps.may_hold(k) {
                        group.push(lam[i as usize] - z(k));
                    }
                }
                group.sort_by(f64::total_cmp);
                if let Some(others) = least_sum(&least, &group, want) {
                    let c = sum_z + above + kept_above + kept_here + others;
                    if c < best {
                        best = c;
                        full_cut = lev;
                    }
                }
            }
            for k in j..e {
                let i = ps.pairs[k];
                above += a(k) - z(k);
                let key = lam[i as usize] - a(k);
                if ps.kept[k] {
                    kept_above += key;
                    continue;
                }
                if !ps.may_hold(k) {
                    continue;
                }
                let at = least.partition_point(|&x| x <= key);
                if at < want {
                    least.insert(at, key);
                    least.truncate(want);
                }
            }
            j = e;
        }
        cost.push(best);
    }
    PostCosts { cost, full_cut }
}

/// The sum of the `n` least of two sorted lists, if they hold `n`.
fn least_sum(x: &[f64], y: &[f64], n: usize) -> Option<f64> {
    if x.len() + y.len() < n {
        return None;
    }
    let (mut i, mut j, mut sum) = (0, 0, 0.0);
    for _ in 0..n {
        if j >= y.len() || (i < x.len() && x[i] <= y[j]) {
            sum += x[i];
            i += 1;
        } else {
            sum += y[j];
            j += 1;
        }
    }
    Some(sum)
}

/// The holders (positions in `ps.pairs`) of the cheapest set of `h` —
/// the kept and the others with the least cost — and the u of every
/// position.
fn post_choice(
    ps: &PostSide,
    pc: &PostCosts,
    h: usize,
    lam: &[f64],
    mu: &[f64],
) -> (Vec<bool>, Vec<bool>) {
    let m = ps.pairs.len();
    let full = h >= ps.open;
    // Full: the holders are at levels ≤ `cut`, and only the non-holders
    // above it are blocked (none when incumbents fill the post).
    let cut = if ps.open == 0 { 0 } else { pc.full_cut };
    let blocked = |k: usize| !full || ps.level[k] < cut;
    let cost_u = |k: usize| ps.non_holder(k, blocked(k), mu);
    let key = |k: usize| lam[ps.pairs[k] as usize] - cost_u(k);
    let mut hold = ps.kept.clone();
    let want = h.saturating_sub(ps.n_kept);
    let mut idx: Vec<usize> = (0..m)
        .filter(|&k| ps.may_hold(k) && (!full || ps.level[k] <= cut))
        .collect();
    if want < idx.len() {
        idx.select_nth_unstable_by(want, |&x, &y| key(x).total_cmp(&key(y)).then(x.cmp(&y)));
    }
    for &k in &idx[..want.min(idx.len())] {
        hold[k] = true;
    }
    let u = (0..m)
        .map(|k| !hold[k] && ps.away[k].unwrap_or(cost_u(k) < 0.0))
        .collect();
    (hold, u)
}

/// A county-scope rule as the county DP checks it.
struct CountyRule {
    index: usize,
    op: Op,
    share: f64,
    incumbents: u64,
}

struct CountySide {
    posts: Vec<usize>,
    /// Per post, which of the county's rules it counts for.
    counts: Vec<Vec<bool>>,
    rules: Vec<CountyRule>,
    incumbents: u64,
    room: Option<u64>,
}

/// The cheapest headcount per post of one county: (cost, headcounts).
/// A state is the county's placed total and its count for each rule,
/// 16 bits each (`Sides::new` checks that they fit); ordered maps keep
/// the ties, and so the bound, deterministic.
fn county_dp(cs: &CountySide, costs: &[PostCosts]) -> (f64, Vec<usize>) {
    let field = |key: u128, k: usize| (key >> (16 * k)) as u16 as u64;
    let mut states: BTreeMap<u128, f64> = BTreeMap::new();
    states.insert(0, 0.0);
    let mut back: Vec<BTreeMap<u128, (u128, usize)>> = Vec::with_capacity(cs.posts.len());
    for (j, &p) in cs.posts.iter().enumerate() {
        // What h holders add to a state.
        let step: u128 = 1 + cs.counts[j]
            .iter()
            .enumerate()
            .filter(|(_, &on)| on)
            .map(|(k, _)| 1u128 << (16 * (k + 1)))
            .sum::<u128>();
        let mut next: BTreeMap<u128, f64> = BTreeMap::new();
        let mut bk: BTreeMap<u128, (u128, usize)> = BTreeMap::new();
        for (&key, &base) in &states {
            for (h, &c) in costs[p].cost.iter().enumerate() {
                if cs.room.is_some_and(|room| field(key, 0) + h as u64 > room) {
                    break;
                }
                if !c.is_finite() {
                    continue;
                }
                let nk = key + step * h as u128;
                let v = base + c;
                let e = next.entry(nk).or_insert(f64::INFINITY);
                if v < *e {
                    *e = v;
                    bk.insert(nk, (key, h));
                }
            }
        }
        states = next;
        back.push(bk);
    }
    let mut best: Option<(f64, u128)> = None;
    for (&key, &v) in &states {
        let total = field(key, 0) + cs.incumbents;
        let ok = cs.rules.iter().enumerate().all(|(k, rule)| {
            rule_holds(
                rule.op,
                rule.share,
                field(key, k + 1) + rule.incumbents,
                total,
            )
        });
        if ok && best.is_none_or(|(b, _)| v < b) {
            best = Some((v, key));
        }
    }
    let Some((v, mut key)) = best else {
        return (f64::INFINITY, vec![0; cs.posts.len()]);
    };
    let mut hs = vec![0; cs.posts.len()];
    for j in (0..cs.posts.len()).rev() {
        let (prev, h) = back[j][&key];
        hs[j] = h;
        key = prev;
    }
    (v, hs)
}

/// Whether the Lagrangian bounds envy where the county bound does
/// (`relaxation::applies`): every kept placement (backfill's dispatch,
/// the locks, which must be among them) is an eligible, acceptable pair
/// (both sides keep it), and each county's states fit `county_dp`'s
/// 16-bit fields (at most 7 county-scope rules, fewer than 65,535 open
/// seats).
pub fn applies(pb: &Problem, kept: &[Option<PostIdx>]) -> bool {
    let locked = pb
        .locks
        .iter()
        .all(|l| kept.get(l.candidate.ix()) == Some(&Some(l.post)));
    let pairs = kept.iter().enumerate().all(|(c, q)| {
        q.is_none_or(|q| {
            pb.pairs_of(CandidateIdx::from_ix(c))
                .iter()
                .any(|pr| pr.post == q)
        })
    });
    let rules = pb
        .policy
        .rules
        .iter()
        .filter(|r| r.scope == RuleScope::County)
        .count();
    let mut open = vec![0u64; pb.counties.len()];
    for post in &pb.posts {
        open[post.county.ix()] += post.open() as u64;
    }
    locked && pairs && rules <= 7 && open.iter().all(|&o| o < u16::MAX as u64)
}

/// The Lagrangian bound and what it took.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LagrangeBound {
    /// Blocking pairs: at least this many.
    pub envy: u64,
    /// The best dual value reached.
    pub value: f64,
    /// Subgradient steps taken.
    pub iterations: usize,
    /// Wall time.
    pub seconds: f64,
}

/// The subgradient's step factor is multiplied by `DECAY` after a stall
/// of steps without a better dual value, and the search stops below
/// `MIN_THETA`. The stall is the steps that fit in the time given
/// (estimated from the first) over `SPAN`, within `STALL`, so that the
/// step factor's decline spans the time: BENCHMARKS.md — a fixed 60 left
/// the backfill's bound at 2,400 after 100 s of steps (the factor spent
/// by 50 s), scaled it reaches 2,964; at 20 and 60 s the two are within
/// the spread between runs. Without a deadline the stall is 60.
const SPAN: f64 = 20.0;
const STALL: std::ops::RangeInclusive<usize> = 30..=300;
const DECAY: f64 = 0.7;
const MIN_THETA: f64 = 1e-4;
/// The fewest steps worth starting on: fewer fit before the deadline, and
/// the bound stops after its first.
const FEW_STEPS: usize = 200;
/// How far below an integer the dual value may fall by rounding and still
/// count as that integer.
const TOLERANCE: f64 = 1e-3;

/// The Lagrangian bound on envy (0 where it does not `apply`), by
/// subgradient steps until the deadline of `s`, its cancellation, or the
/// step factor runs out. `target` (the
/// best known envy, lowered whenever the run's progress hears of a better
/// allocation: `Progress::found_envy`) aims the steps (Polyak's rule);
/// the bound stops early once it reaches it (that allocation is then
/// proven optimal on envy).
pub fn envy_bound(
    pb: &Problem,
    kept: &[Option<PostIdx>],
    target: u64,
    s: &MipSettings,
) -> LagrangeBound {
    let t0 = Instant::now();
    if !applies(pb, kept) {
        return LagrangeBound::default();
    }
    let sides = Sides::new(pb, kept);
    let np = pb.pairs.len();
    let mut m = Multipliers {
        lam: vec![0.0; np],
        mu: sides.settled.iter().map(|b| -b.unwrap_or(0.0)).collect(),
    };
    let (mut dx, mut du) = (vec![0.0f64; np], vec![0.0f64; np]);
    let mut best = 0.0f64;
    let (mut theta, mut stall, mut iterations) = (1.0, 0, 0);
    let mut g = Choice::new(np);
    let mut frozen = None;
    let mut target = target;
    let mut stall_after = 60;
    loop {
        // The search beside this bound may have found better: aiming at
        // it steps more surely (BENCHMARKS.md: +8 % on the plain region).
        target = target.min(s.progress.known_envy().unwrap_or(u64::MAX));
        if theta <= MIN_THETA || best > target as f64 - 1.0 + TOLERANCE {
            break;
        }
        if s.deadline().is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let step_started = Instant::now();
        let value = sides.evaluate(pb, &m, &mut g, &mut frozen);
        iterations += 1;
        if iterations == 1 {
            let first = step_started.elapsed().as_secs_f64().max(1e-9);
            if let Some(fit) = s.time_left().map(|l| l / first) {
                if fit < FEW_STEPS as f64 {
                    // Too few steps fit before the deadline for the prices
                    // to get anywhere (national: a bound of 231 where the
                    // county bound, given the time, reaches 609): leave it
                    // to the county bound.
                    break;
                }
                stall_after = ((fit / SPAN) as usize).clamp(*STALL.start(), *STALL.end());
            }
        }
        if !value.is_finite() {
            // A county whose rules no headcount keeps: the run has no
            // allocation to bound (never seen with a feasible one).
            break;
        }
        if value > best + 1e-9 {
            best = value;
            stall = 0;
        } else {
            stall += 1;
            if stall >= stall_after {
                theta *= DECAY;
                stall = 0;
            }
        }
        // Direction: the subgradient, deflected by the last direction
        // where the two point against each other (Camerini, Fratta and
        // Maffioli), which damps the zigzag between the two sides. One
        // pass for the products, one for the new direction and the step
        // (the direction's norm follows from the products).
        let (mut gg, mut gd, mut dd) = (0.0, 0.0, 0.0);
        for &i in &sides.live_pairs {
            let i = i as usize;
            let (gx, gu) = g.gradient(i);
            gg += gx * gx + gu * gu;
            gd += gx * dx[i] + gu * du[i];
            dd += dx[i] * dx[i] + du[i] * du[i];
        }
        if gg == 0.0 {
            // Both sides agree: the dual value is the optimum.
            break;
        }
        let mut beta = if gd < 0.0 && dd > 0.0 {
            -1.5 * gd / dd
        } else {
            0.0
        };
        let mut norm = gg + 2.0 * beta * gd + beta * beta * dd;
        if norm <= 1e-9 * gg {
            // The deflection cancels the subgradient (up to rounding).
            (beta, norm) = (0.0, gg);
        }
        let step = theta * (target as f64 - value).max(1.0) / norm;
        for &i in &sides.live_pairs {
            let i = i as usize;
            let (gx, gu) = g.gradient(i);
            dx[i] = gx + beta * dx[i];
            du[i] = gu + beta * du[i];
            m.lam[i] += step * dx[i];
            // Outside [−1, 0] a pair's μ only saturates one side: kept
            // there, the steps stay where they change something.
            m.mu[i] = (m.mu[i] + step * du[i]).clamp(-1.0, 0.0);
        }
    }
    LagrangeBound {
        envy: (best - TOLERANCE).ceil().max(0.0) as u64,
        value: best,
        iterations,
        seconds: t0.elapsed().as_secs_f64(),
    }
}

/// The multipliers: λ on each pair's x, μ on its u.
struct Multipliers {
    lam: Vec<f64>,
    mu: Vec<f64>,
}

/// Each side's choice of x and u per pair in one evaluation.
struct Choice {
    xp: Vec<bool>,
    up: Vec<bool>,
    xa: Vec<bool>,
    ua: Vec<bool>,
}

impl Choice {
    fn new(np: usize) -> Self {
        Choice {
            xp: vec![false; np],
            up: vec![false; np],
            xa: vec![false; np],
            ua: vec![false; np],
        }
    }

    /// The dual function's subgradient at pair i: post side minus
    /// applicant side, for x and for u.
    fn gradient(&self, i: usize) -> (f64, f64) {
        let d = |a: bool, b: bool| a as i8 as f64 - b as i8 as f64;
        (d(self.xp[i], self.xa[i]), d(self.up[i], self.ua[i]))
    }
}

/// The posts' and counties' side of the problem, built once.
struct Sides {
    posts: Vec<PostSide>,
    /// Per pair: `Some(blocked)` when its applicant is free and its post
    /// has no seat for anyone not kept there (full of kept holders or
    /// incumbents). Nothing at the post can change, so the pair blocks
    /// exactly when its applicant holds nothing as good and ranks above
    /// a kept holder: that cost goes to the applicant side as a constant
    /// μ = −blocked, and the applicant may not hold the pair — left to no
    /// multiplier (BENCHMARKS.md: the backfill, where most posts are full
    /// of kept holders; its bound at 20 s 2,371 → 3,120).
    settled: Vec<Option<f64>>,
    /// The pairs whose multipliers can move: a free applicant's at a post
    /// with a seat for them. Every other pair's two sides agree from the
    /// start (kept, kept elsewhere, settled — settled pairs are at posts
    /// that are not live), so only these are stepped,
    /// and only the posts, counties and applicants they touch are
    /// evaluated again (a backfill's are a tenth of the region's).
    live_pairs: Vec<u32>,
    /// Per post: it has a seat for someone not kept there.
    post_live: Vec<bool>,
    /// Per county: some post of it is live.
    county_live: Vec<bool>,
    /// Per candidate: some pair of theirs is live.
    candidate_live: Vec<bool>,
    counties: Vec<CountySide>,
    /// Per candidate, the pair they are kept at.
    fixed: Vec<Option<usize>>,
}

impl Sides {
    fn new(pb: &Problem, kept: &[Option<PostIdx>]) -> Self {
        let fixed: Vec<Option<usize>> = (0..pb.n_candidates())
            .map(|c| {
                let q = kept.get(c).copied().flatten()?;
                let range = pb.pair_range(CandidateIdx::from_ix(c));
                range.clone().find(|&i| pb.pairs[i].post == q)
            })
            .collect();
        let posts: Vec<PostSide> = pb
            .posts
            .iter()
            .enumerate()
            .map(|(p, post)| {
                let pairs = pb.applicants[p].clone();
                // Ties in the post's priority share a level.
                let mut level = Vec::with_capacity(pairs.len());
                let mut lev = 0;
                for (k, &i) in pairs.iter().enumerate() {
                    if k > 0 {
                        let prev = pb.pairs[pairs[k - 1] as usize].candidate;
                        let this = pb.pairs[i as usize].candidate;
                        if pb.cmp_at(PostIdx::from_ix(p), prev, this) != Ordering::Equal {
                            lev += 1;
                        }
                    }
                    level.push(lev);
                }
                let kept: Vec<bool> = pairs
                    .iter()
                    .map(|&i| fixed[pb.pairs[i as usize].candidate.ix()] == Some(i as usize))
                    .collect();
                let away = pairs
                    .iter()
                    .zip(&kept)
                    .map(|(&i, &here)| {
                        let pr = &pb.pairs[i as usize];
                        let at = fixed[pr.candidate.ix()].filter(|_| !here)?;
                        Some(pr.rank < pb.pairs[at].rank)
                    })
                    .collect();
                let kept_levels = level.iter().zip(&kept).filter(|(_, &k)| k);
                let n_kept = kept_levels.clone().count();
                let open = post.open() as usize;
                let settled = kept
                    .iter()
                    .zip(&away)
                    .map(|(&here, there): (&bool, &Option<bool>)| {
                        n_kept >= open && !here && there.is_none()
                    })
                    .collect();
                PostSide {
                    n_kept,
                    kept_cut: kept_levels.map(|(&l, _)| l).max().unwrap_or(0),
                    pairs,
                    level,
                    kept,
                    away,
                    settled,
                    open,
                }
            })
            .collect();
        // The county-scope rules each county's volunteers count in, with
        // the incumbents they count (`rule_scopes` decides which apply).
        let scoped = ScopeCounter::incumbents(pb);
        let incumbents = pb.county_incumbents();
        let mut counties: Vec<CountySide> = pb
            .counties
            .iter()
            .enumerate()
            .map(|(k, c)| CountySide {
                posts: Vec::new(),
                counts: Vec::new(),
                rules: (0..pb.policy.rules.len())
                    .filter(|&r| pb.policy.rules[r].scope == RuleScope::County)
                    .filter_map(|r| {
                        let scope = scoped.scope_of(r, CountyIdx::from_ix(k))?;
                        Some(CountyRule {
                            index: r,
                            op: pb.policy.rules[r].op,
                            share: pb.policy.rules[r].share,
                            incumbents: scoped.figure(r, scope).0,
                        })
                    })
                    .collect(),
                incumbents: incumbents[k] as u64,
                room: c
                    .scale
                    .map(|s| (s as u64).saturating_sub(incumbents[k] as u64)),
            })
            .collect();
        for (p, post) in pb.posts.iter().enumerate() {
            let cs = &mut counties[post.county.ix()];
            let counts = cs
                .rules
                .iter()
                .map(|r| counts_for(&pb.policy.rules[r.index], post))
                .collect();
            cs.posts.push(p);
            cs.counts.push(counts);
        }
        let mut settled = vec![None; pb.pairs.len()];
        for ps in &posts {
            for (k, &i) in ps.pairs.iter().enumerate() {
                if ps.settled[k] {
                    // Full with incumbents only: nobody blocks there.
                    let blocked = ps.open > 0 && ps.level[k] < ps.kept_cut;
                    settled[i as usize] = Some(blocked as u8 as f64);
                }
            }
        }
        let post_live: Vec<bool> = posts.iter().map(|ps| ps.n_kept < ps.open).collect();
        let live_pairs: Vec<u32> = (0..pb.pairs.len() as u32)
            .filter(|&i| {
                let pr = &pb.pairs[i as usize];
                fixed[pr.candidate.ix()].is_none() && post_live[pr.post.ix()]
            })
            .collect();
        let mut candidate_live = vec![false; pb.n_candidates()];
        for &i in &live_pairs {
            candidate_live[pb.pairs[i as usize].candidate.ix()] = true;
        }
        let county_live = counties
            .iter()
            .map(|cs| cs.posts.iter().any(|&p| post_live[p]))
            .collect();
        Sides {
            posts,
            settled,
            live_pairs,
            post_live,
            county_live,
            candidate_live,
            counties,
            fixed,
        }
    }

    /// The dual function at `m`: both sides' minima, their choices in `g`.
    /// `frozen` holds, after the first call, the posts' costs and the
    /// value of everything that is not live, which later calls reuse.
    fn evaluate(
        &self,
        pb: &Problem,
        m: &Multipliers,
        g: &mut Choice,
        frozen: &mut Option<(Vec<PostCosts>, f64)>,
    ) -> f64 {
        let (lam, mu) = (&m.lam[..], &m.mu[..]);
        let first = frozen.is_none();
        let (costs, constant) = frozen.get_or_insert_with(|| {
            let costs = self
                .posts
                .iter()
                .map(|ps| post_costs(ps, lam, mu))
                .collect();
            (costs, 0.0)
        });
        if !first {
            for (p, ps) in self.posts.iter().enumerate() {
                if self.post_live[p] {
                    costs[p] = post_costs(ps, lam, mu);
                }
            }
        }
        let mut value = 0.0;
        for (k, cs) in self.counties.iter().enumerate() {
            if !first && !self.county_live[k] {
                continue;
            }
            let (v, hs) = county_dp(cs, costs);
            if self.county_live[k] {
                value += v;
            } else {
                *constant += v;
            }
            for (j, &p) in cs.posts.iter().enumerate() {
                let ps = &self.posts[p];
                let (hold, u) = post_choice(ps, &costs[p], hs[j], lam, mu);
                for (k, &i) in ps.pairs.iter().enumerate() {
                    g.xp[i as usize] = hold[k];
                    g.up[i as usize] = u[k];
                }
            }
        }
        for c in 0..pb.n_candidates() {
            let live = self.candidate_live[c];
            if !first && !live {
                continue;
            }
            let c = CandidateIdx::from_ix(c);
            let v = applicant_side(pb, c, self.fixed[c.ix()], &self.settled, m, g);
            if live {
                value += v;
            } else {
                *constant += v;
            }
        }
        value + *constant
    }
}

/// One candidate's side: hold the pair (or nothing) whose cost
/// `−λ·x − μ·u` is least, u being 1 on the pairs ranked strictly better
/// than the one held (all of them when unplaced). Records the choice in
/// `g` and returns its cost.
fn applicant_side(
    pb: &Problem,
    c: CandidateIdx,
    fixed: Option<usize>,
    settled: &[Option<f64>],
    m: &Multipliers,
    g: &mut Choice,
) -> f64 {
    let range = pb.pair_range(c);
    let settled = &settled[range.clone()];
    let prs = &pb.pairs[range.clone()];
    let (lam, mu) = (&m.lam[range.clone()], &m.mu[range.clone()]);
    let mut best = -mu.iter().sum::<f64>();
    let mut held: Option<usize> = None;
    if let Some(i) = fixed {
        // Kept: that pair and nothing else.
        let k = i - range.start;
        best = -lam[k]
            - (0..prs.len())
                .filter(|&j| prs[j].rank < prs[k].rank)
                .map(|j| mu[j])
                .sum::<f64>();
        held = Some(k);
    }
    // Σ μ over the ranks strictly better than the current group's.
    let mut better = 0.0;
    let mut j = 0;
    while j < prs.len() {
        let e = j + prs[j..]
            .iter()
            .take_while(|q| q.rank == prs[j].rank)
            .count();
        for (k, &l) in lam.iter().enumerate().take(e).skip(j) {
            if settled[k].is_some() {
                // No seat there for them.
                continue;
            }
            let v = -l - better;
            if v < best {
                best = v;
                held = Some(k);
            }
        }
        better += mu[j..e].iter().sum::<f64>();
        j = e;
    }
    let held_rank = held.map(|k| prs[k].rank);
    for (k, pr) in prs.iter().enumerate() {
        g.xa[range.start + k] = held == Some(k);
        g.ua[range.start + k] = held_rank.is_none_or(|hr| pr.rank < hr);
    }
    best
}
