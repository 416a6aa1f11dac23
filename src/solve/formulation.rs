//! The exact model of interface §2.3–2.4 as a MIP, in column-wise form for
//! HiGHS. One binary `x` per eligible, acceptable pair at a post with open
//! seats; for envy, one binary `b` per such pair that must be 1 unless the
//! candidate holds a post at least as good or the post is full of
//! higher-priority holders. That needs, for pair i = (c, p) with q = open(p):
//!
//! ```text
//!   q·b_i + q·H_i + S_i ≥ q
//!   H_i = Σ x over c's pairs ranked ≤ rank_i    (running sum z along c's list)
//!   S_i = Σ x over p's applicants above c       (running sum y along p's order)
//! ```
//!
//! For a fixed H_i ∈ {0, 1} this row is the convex hull of its integer
//! points. Two tighter-looking variants were measured slower with HiGHS and
//! dropped (BENCHMARKS.md): a "closed to c" indicator per applicant, and a
//! binary marking who holds the post's last seat (`b_i + H_i + W_i ≥ 1`). The running sums keep the
//! matrix O(pairs) nonzeros: each is one continuous column and one equality
//! row per pair.
//!
//! Kept placements (backfill, locks) are constants, not columns: a backfill
//! model has only the free candidates × posts with free seats, and envy
//! rows only where a pair's status still depends on them (`add_envy`). On
//! the 8,000-candidate backfill that is 164 k columns instead of 1.34 M.

use crate::domain::policy::{Criterion, Op};
use crate::domain::types::{CountyIdx, PostIdx, Project};
use crate::model::evaluate::{held_ranks, Assignment};
use crate::model::rules::{counts_for, ScopeCounter};
use crate::model::Problem;

/// Where a row came from, to name it when the model is infeasible.
#[derive(Debug, Clone, PartialEq)]
pub enum RowKind {
    /// One post per candidate.
    Candidate,
    /// Seats of a post.
    Post,
    /// Scale of a county.
    Scale(CountyIdx),
    /// Quota of a project.
    Quota(Project),
    /// A rule in one scope: rule index and scope label.
    Rule(usize, String),
    /// A running-sum definition or an envy row.
    Structural,
}

/// A sparse MIP: min cᵀx, row_lo ≤ Ax ≤ row_hi, bounds, integrality.
#[derive(Debug, Clone, Default)]
pub struct Mip {
    /// Column lower bounds.
    pub col_lo: Vec<f64>,
    /// Column upper bounds.
    pub col_hi: Vec<f64>,
    /// Integer columns.
    pub integer: Vec<bool>,
    /// Column names (for `--write-model`).
    pub col_names: Vec<String>,
    /// Row lower bounds.
    pub row_lo: Vec<f64>,
    /// Row upper bounds.
    pub row_hi: Vec<f64>,
    /// Row origins.
    pub row_kind: Vec<RowKind>,
    /// Entries per column: (row, coefficient).
    pub cols: Vec<Vec<(u32, f64)>>,
}

impl Mip {
    fn row(&mut self, lo: f64, hi: f64, kind: RowKind) -> u32 {
        self.row_lo.push(lo);
        self.row_hi.push(hi);
        self.row_kind.push(kind);
        (self.row_lo.len() - 1) as u32
    }
    fn col(&mut self, lo: f64, hi: f64, integer: bool, name: String) -> usize {
        self.col_lo.push(lo);
        self.col_hi.push(hi);
        self.integer.push(integer);
        self.col_names.push(name);
        self.cols.push(Vec::new());
        self.cols.len() - 1
    }
    /// Merge repeated (row, column) entries and drop zeros: HiGHS rejects a
    /// column that names a row twice.
    fn tidy(&mut self) {
        for col in &mut self.cols {
            col.sort_by_key(|&(r, _)| r);
            col.dedup_by(|later, kept| {
                if later.0 == kept.0 {
                    kept.1 += later.1;
                    true
                } else {
                    false
                }
            });
            col.retain(|&(_, v)| v != 0.0);
        }
    }
}

/// What a run may not change: placements kept from an earlier dispatch
/// (backfill), and whether rules may fall short.
#[derive(Debug, Clone, Default)]
pub struct Fixings {
    /// Per candidate, `Some(post)` keeps them there; empty = nothing kept.
    pub kept: Vec<Option<crate::domain::types::PostIdx>>,
    /// Let rules fall short, minimising the total shortfall first.
    pub allow_shortfall: bool,
}

impl Closed {
    /// Whether post `p` is closed.
    fn is_closed(&self, p: usize) -> bool {
        self.posts.get(p).copied().unwrap_or(false)
    }

    /// Whether candidate `c` is closed (stays unplaced, or, in a
    /// relaxation, is left out).
    fn stays(&self, c: usize) -> bool {
        self.candidates.get(c).copied().unwrap_or(false)
    }

    /// Per county: some post of it with open seats is closed. Only when
    /// closed posts are unknown (a rule's scope is kept otherwise).
    fn partly_closed_counties(&self, pb: &Problem) -> Vec<bool> {
        let mut v = vec![false; pb.counties.len()];
        if self.outside.relaxed() {
            for (p, post) in pb.posts.iter().enumerate() {
                v[post.county.ix()] |= self.is_closed(p) && post.open() > 0;
            }
        }
        v
    }

    /// Per candidate, the best rank of a closed post they could hold — with
    /// a seat not kept for someone else (`kept_at` per post), in a county
    /// below its scale and a project below its quota once incumbents and
    /// kept placements count — among those the model has no column for:
    /// every closed post for `Outside::Optimistic`, those from the
    /// candidate's `cutoff` rank on for `Outside::Seats` (`u32::MAX`:
    /// none, or a model with constant closed posts).
    fn best_closed_ranks(
        &self,
        pb: &Problem,
        kept: &[Option<PostIdx>],
        kept_at: &[u32],
        cutoff: &[u32],
    ) -> Vec<u32> {
        let mut best = vec![u32::MAX; pb.n_candidates()];
        if !self.outside.relaxed() {
            return best;
        }
        let mut in_county = pb.county_incumbents();
        let mut in_project = [Project::National, Project::Local].map(|j| pb.project_incumbents(j));
        for (p, &k) in kept_at.iter().enumerate() {
            in_county[pb.posts[p].county.ix()] += k;
            in_project[pb.posts[p].project as usize] += k;
        }
        let room = |p: usize| {
            let post = &pb.posts[p];
            let county = pb.counties[post.county.ix()].scale;
            let quota = pb.policy.quota(post.project);
            post.open() > kept_at[p]
                && county.is_none_or(|s| in_county[post.county.ix()] < s)
                && quota.is_none_or(|q| in_project[post.project as usize] < q)
        };
        for pr in &pb.pairs {
            let c = pr.candidate.ix();
            let can_hold = match kept.get(c).copied().flatten() {
                Some(k) => k == pr.post,
                None => room(pr.post.ix()),
            };
            let no_column = self.outside == Outside::Optimistic || pr.rank >= cutoff[c];
            if can_hold && no_column && self.is_closed(pr.post.ix()) {
                best[c] = best[c].min(pr.rank);
            }
        }
        best
    }

    /// Per candidate, the rank from which a closed post gets no column in
    /// an `Outside::Seats` model: past the worst rank of a pair at a post
    /// that is not closed (holding one could not spare them a blocking
    /// pair), and already at that rank when more than `TIED_COLUMNS`
    /// closed posts with free seats (`free`) tie there — with adjustment a
    /// whole league does; in a backfill most posts are full and the ties
    /// stay columns.
    fn column_cutoffs(&self, pb: &Problem, free: &[u32]) -> Vec<u32> {
        let mut worst = vec![0u32; pb.n_candidates()];
        for pr in &pb.pairs {
            if !self.is_closed(pr.post.ix()) {
                let w = &mut worst[pr.candidate.ix()];
                *w = (*w).max(pr.rank);
            }
        }
        let mut tied = vec![0usize; pb.n_candidates()];
        for pr in &pb.pairs {
            let c = pr.candidate.ix();
            if self.is_closed(pr.post.ix()) && pr.rank == worst[c] && free[pr.post.ix()] > 0 {
                tied[c] += 1;
            }
        }
        (0..pb.n_candidates())
            .map(|c| worst[c] + u32::from(tied[c] <= TIED_COLUMNS))
            .collect()
    }
}

impl Fixings {
    /// True when nothing is fixed or relaxed.
    pub fn is_empty(&self) -> bool {
        self.kept.iter().all(Option::is_none) && !self.allow_shortfall
    }
}

/// What a sub-problem of the neighbourhood search closes (`lns`): posts
/// that take nobody new, and unplaced candidates who stay unplaced. Both
/// still count for envy. Empty vectors close nothing.
#[derive(Debug, Clone, Default)]
pub struct Closed {
    /// Per post: takes nobody new.
    pub posts: Vec<bool>,
    /// Per candidate (not kept anywhere): stays unplaced.
    pub candidates: Vec<bool>,
    /// What the closed posts are: constants (a neighbourhood) or, for
    /// the county bound, unknown (`Outside`).
    pub outside: Outside,
}

/// Closed posts tied at a candidate's last rank that an `Outside::Seats`
/// model still gives columns (more are treated optimistically).
const TIED_COLUMNS: usize = 16;

/// How a model treats its closed posts. Both relaxations (the county
/// bound, `relaxation`) keep no rule whose scope has a closed post, count
/// no blocking pair at a closed post nor of a closed candidate (those are
/// left out altogether: neither placed nor counted), and so bound from
/// below the blocking pairs any allocation has at the open posts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Outside {
    /// Constants: the neighbourhood search's sub-problems.
    #[default]
    Fixed,
    /// Each candidate at the best closed post they could hold (a seat not
    /// kept for someone else, in a county below its scale and a project
    /// below its quota), without limit: cheap, weak where seats are scarce.
    Optimistic,
    /// Closed posts take placements under their seats, the county scales
    /// and the project quotas only: the candidates left in compete for
    /// them. Stronger, and larger.
    Seats,
}

impl Outside {
    /// Whether closed posts are unknown rather than constant.
    pub fn relaxed(self) -> bool {
        self != Outside::Fixed
    }
}

/// Seats of each post taken by kept placements, those still free, and
/// the closed posts that keep a vacant seat.
struct Seats {
    kept_at: Vec<u32>,
    free: Vec<u32>,
    /// Closed (no new placement) with fewer kept holders than open seats:
    /// every applicant not placed at least as well blocks there.
    vacant_closed: Vec<bool>,
}

impl Seats {
    /// `closed` (per post, or empty): posts that take nobody new.
    fn new(pb: &Problem, kept: &[Option<PostIdx>], closed: &[bool]) -> Self {
        let mut kept_at = vec![0u32; pb.posts.len()];
        for p in kept.iter().flatten() {
            kept_at[p.ix()] += 1;
        }
        let is_closed = |p: usize| closed.get(p).copied().unwrap_or(false);
        let vacant: Vec<u32> = (pb.posts.iter().zip(&kept_at))
            .map(|(post, &k)| post.open().saturating_sub(k))
            .collect();
        let free = (0..pb.posts.len())
            .map(|p| if is_closed(p) { 0 } else { vacant[p] })
            .collect();
        let vacant_closed = (0..pb.posts.len())
            .map(|p| is_closed(p) && vacant[p] > 0)
            .collect();
        Seats {
            kept_at,
            free,
            vacant_closed,
        }
    }
}

/// A pair that gets an `x`: its candidate is not kept and its post has a
/// free seat.
fn is_live(pb: &Problem, kept: &[Option<PostIdx>], free: &[u32], i: usize) -> bool {
    let pr = pb.pairs[i];
    free[pr.post.ix()] > 0 && kept.get(pr.candidate.ix()).copied().flatten().is_none()
}

/// How many pairs the model will have an `x` for (the size estimate of
/// `--max-columns`, before anything is built).
pub(crate) fn live_pairs(pb: &Problem, kept: &[Option<PostIdx>]) -> usize {
    let free = Seats::new(pb, kept, &[]).free;
    (0..pb.pairs.len())
        .filter(|&i| is_live(pb, kept, &free, i))
        .count()
}

/// The model with the positions of its variables.
///
/// Kept placements (backfill's dispatch, allocate's locks) are not
/// variables: their seats, scale, quota and rule contributions move to the
/// right-hand sides, and only the free candidates × posts with free seats
/// get an `x`. Envy is modelled only where a pair's status can still change
/// (see `add_envy`), so a backfill model is the size of the free seats, not
/// of the whole pool.
#[derive(Debug, Clone)]
pub struct Formulation {
    /// The MIP.
    pub mip: Mip,
    /// Pair index → x column (`None` for pairs that cannot change: the
    /// post has no free seat, or the candidate is kept).
    pub x: Vec<Option<usize>>,
    /// Pair index → b column (envy), when envy is modelled and the pair's
    /// status depends on the free placements.
    pub b: Vec<Option<usize>>,
    /// Pair index → y column (running sum along the post's order, through this pair).
    pub y: Vec<Option<usize>>,
    /// Pair index → z column (running sum along the candidate's list, through this pair).
    pub z: Vec<Option<usize>>,
    /// Per candidate, the post they are kept at (empty: nothing kept).
    kept: Vec<Option<PostIdx>>,
    /// Every envy row `q·b + q·H + S ≥ q`, to derive b from an assignment.
    envy_rows: Vec<EnvyRow>,
    /// Blocking pairs whose indicator is linear (`b = 1 − H` or `1 − S`):
    /// cost −1 on each H or S column…
    envy_linear: Vec<(usize, f64)>,
    /// …plus one per such pair and per pair blocking whatever happens.
    envy_offset: f64,
}

/// One envy row: `q·b + q·H + S ≥ q` (H, S absent = 0).
#[derive(Debug, Clone, Copy)]
struct EnvyRow {
    b: usize,
    q: f64,
    h: Option<usize>,
    s: Option<usize>,
}

impl Formulation {
    /// Build the model. `with_envy` adds the b, y, z columns and envy rows;
    /// `kept` (per candidate, or empty) fixes placements outside the model.
    pub fn build(pb: &Problem, with_envy: bool, kept: &[Option<PostIdx>]) -> Formulation {
        Self::build_closed(pb, with_envy, kept, &Closed::default())
    }

    /// `build` with some posts and candidates closed to new placements:
    /// the neighbourhood search's sub-problems, where only the posts and
    /// candidates of one neighbourhood can move. A closed post's vacant
    /// seats and a closed candidate's pairs still count for envy.
    pub fn build_closed(
        pb: &Problem,
        with_envy: bool,
        kept: &[Option<PostIdx>],
        closed: &Closed,
    ) -> Formulation {
        let n = pb.pairs.len();
        let seats = match closed.outside {
            Outside::Seats => Seats::new(pb, kept, &[]),
            _ => Seats::new(pb, kept, &closed.posts),
        };
        let free = &seats.free;
        let seats_only = closed.outside == Outside::Seats;
        let cutoff = match closed.outside {
            Outside::Seats => closed.column_cutoffs(pb, free),
            _ => Vec::new(),
        };
        // Relaxed to seats: a closed post from the candidate's cutoff rank
        // on gets no column; the candidate is assumed to hold the best of
        // them (`best_closed_ranks`), as in `Outside::Optimistic`.
        let useless = |i: usize| {
            let pr = pb.pairs[i];
            seats_only && closed.is_closed(pr.post.ix()) && pr.rank >= cutoff[pr.candidate.ix()]
        };
        let live = |i: usize| {
            is_live(pb, kept, free, i) && !closed.stays(pb.pairs[i].candidate.ix()) && !useless(i)
        };
        let mut m = Mip::default();
        let mut x = vec![None; n];

        // Rows whose entries are x columns.
        let cand_row: Vec<Option<u32>> = (0..pb.n_candidates())
            .map(|c| {
                let r = pb.pair_start[c] as usize..pb.pair_start[c + 1] as usize;
                r.clone()
                    .any(live)
                    .then(|| m.row(f64::NEG_INFINITY, 1.0, RowKind::Candidate))
            })
            .collect();
        let mut live_applicants = vec![0usize; pb.posts.len()];
        for i in (0..n).filter(|&i| live(i)) {
            live_applicants[pb.pairs[i].post.ix()] += 1;
        }
        let post_row: Vec<Option<u32>> = (0..pb.posts.len())
            .map(|p| {
                // Redundant when every applicant fits.
                (free[p] > 0 && live_applicants[p] > free[p] as usize)
                    .then(|| m.row(f64::NEG_INFINITY, f64::from(free[p]), RowKind::Post))
            })
            .collect();
        let county_inc = pb.county_incumbents();
        let scale_row: Vec<Option<u32>> = pb
            .counties
            .iter()
            .enumerate()
            .map(|(k, c)| {
                c.scale.map(|s| {
                    let cap = f64::from(s) - f64::from(county_inc[k]);
                    m.row(
                        f64::NEG_INFINITY,
                        cap,
                        RowKind::Scale(CountyIdx::from_ix(k)),
                    )
                })
            })
            .collect();
        let quota_row: Vec<Option<u32>> = [Project::National, Project::Local]
            .into_iter()
            .map(|proj| {
                pb.policy.quota(proj).map(|q| {
                    let inc = pb.project_incumbents(proj);
                    m.row(
                        f64::NEG_INFINITY,
                        f64::from(q) - f64::from(inc),
                        RowKind::Quota(proj),
                    )
                })
            })
            .collect();
        // Rules: per county, the rows (and coefficients' "counts" flag) it belongs to.
        let mut county_rules: Vec<Vec<(u32, usize)>> = vec![Vec::new(); pb.counties.len()];
        let incumbents = ScopeCounter::incumbents(pb);
        let partly_closed = closed.partly_closed_counties(pb);
        for (ri, rule) in pb.policy.rules.iter().enumerate() {
            for (k, s) in incumbents.scopes(ri).iter().enumerate() {
                if s.counties.iter().any(|k| partly_closed[k.ix()]) {
                    continue;
                }
                // Constant part from incumbents: count_inc − share·total_inc.
                let (cnt, tot) = incumbents.figure(ri, k);
                let konst = cnt as f64 - rule.share * tot as f64;
                let (lo, hi) = match rule.op {
                    Op::Ge => (-konst, f64::INFINITY),
                    Op::Le => (f64::NEG_INFINITY, -konst),
                };
                let r = m.row(lo, hi, RowKind::Rule(ri, s.label.clone()));
                for k in &s.counties {
                    county_rules[k.ix()].push((r, ri));
                }
            }
        }
        // A placement's entries in the scale, quota and rule rows.
        let shared_rows = |post: &crate::model::Post| -> Vec<(u32, f64)> {
            let mut e: Vec<(u32, f64)> = Vec::new();
            e.extend(scale_row[post.county.ix()].map(|r| (r, 1.0)));
            e.extend(quota_row[post.project as usize].map(|r| (r, 1.0)));
            for &(r, ri) in &county_rules[post.county.ix()] {
                let rule = &pb.policy.rules[ri];
                let a = if counts_for(rule, post) { 1.0 } else { 0.0 };
                e.push((r, a - rule.share));
            }
            e
        };
        // Kept placements are constants: move them to the right-hand sides.
        for p in kept.iter().flatten() {
            for (r, v) in shared_rows(&pb.posts[p.ix()]) {
                m.row_lo[r as usize] -= v;
                m.row_hi[r as usize] -= v;
            }
        }

        for (i, pr) in pb.pairs.iter().enumerate() {
            if !live(i) {
                continue;
            }
            let post = &pb.posts[pr.post.ix()];
            let j = m.col(
                0.0,
                1.0,
                true,
                format!("x{i}_{}_{}", pb.candidates[pr.candidate.ix()].id, post.id),
            );
            x[i] = Some(j);
            let e = &mut m.cols[j];
            e.extend(cand_row[pr.candidate.ix()].map(|r| (r, 1.0)));
            e.extend(post_row[pr.post.ix()].map(|r| (r, 1.0)));
            e.extend(shared_rows(post));
        }

        let mut f = Formulation {
            mip: m,
            x,
            b: vec![None; n],
            y: vec![None; n],
            z: vec![None; n],
            kept: kept.to_vec(),
            envy_rows: Vec::new(),
            envy_linear: Vec::new(),
            envy_offset: 0.0,
        };
        if with_envy {
            f.add_envy(pb, &seats, closed, &cutoff);
        }
        f.mip.tidy();
        f
    }

    /// Envy, only where the free placements decide it. For pair i = (c, p)
    /// at a post with open seats, with k kept holders and f free seats at p:
    ///
    /// - c kept at a post at least as good: never blocking (no column);
    /// - c above one of p's kept holders, or p closed with a vacant seat:
    ///   blocking unless c holds a post at least as good, `b = 1 − H` —
    ///   linear, no column (`envy_linear`);
    /// - else f = 0: p is full of kept holders above c, never blocking;
    /// - else f = 1 and H = 0: `b = 1 − S` (linear);
    /// - else: `f·b + f·H + S ≥ f` with S the new holders above c.
    ///
    /// H is 0 for a kept candidate (pairs ranked above their post). With
    /// nothing kept this is the full model of the module comment. `cutoff`
    /// is `Closed::column_cutoffs` for an `Outside::Seats` model (empty
    /// otherwise), computed once by `build_closed`.
    fn add_envy(&mut self, pb: &Problem, seats: &Seats, closed: &Closed, cutoff: &[u32]) {
        let (kept_at, free) = (&seats.kept_at, &seats.free);
        let best_closed = closed.best_closed_ranks(pb, &self.kept, kept_at, cutoff);
        let n = pb.pairs.len();
        // s_before[i]: the y column summing the new holders above pair i;
        // k_before[i]: how many kept holders of its post are above it.
        let mut s_before: Vec<Option<usize>> = vec![None; n];
        let mut k_before = vec![0u32; n];
        let m = &mut self.mip;
        for (p, list) in pb.applicants.iter().enumerate() {
            if pb.posts[p].open() == 0 {
                continue;
            }
            let (mut prev, mut kept_above) = (None, 0);
            for &i in list {
                let i = i as usize;
                s_before[i] = prev;
                k_before[i] = kept_above;
                let c = pb.pairs[i].candidate.ix();
                if self.kept.get(c).copied().flatten() == Some(pb.pairs[i].post) {
                    kept_above += 1;
                }
                let Some(xi) = self.x[i] else { continue };
                let r = m.row(0.0, 0.0, RowKind::Structural);
                let y = m.col(0.0, f64::INFINITY, false, format!("y{i}"));
                m.cols[y].push((r, 1.0));
                if let Some(pv) = prev {
                    m.cols[pv].push((r, -1.0));
                }
                m.cols[xi].push((r, -1.0));
                self.y[i] = Some(y);
                prev = Some(y);
            }
        }
        // z: running sums along each candidate's list (live pairs only).
        for c in 0..pb.n_candidates() {
            let mut prev: Option<usize> = None;
            for i in pb.pair_start[c] as usize..pb.pair_start[c + 1] as usize {
                let Some(xi) = self.x[i] else { continue };
                let r = m.row(0.0, 0.0, RowKind::Structural);
                let z = m.col(0.0, f64::INFINITY, false, format!("z{i}"));
                m.cols[z].push((r, 1.0));
                if let Some(pv) = prev {
                    m.cols[pv].push((r, -1.0));
                }
                m.cols[xi].push((r, -1.0));
                self.z[i] = Some(z);
                prev = Some(z);
            }
        }
        let h_of = self.h_columns(pb);
        let kept_rank = held_ranks(pb, &self.kept);
        let mut linear = vec![0.0; self.mip.cols.len()];
        let m = &mut self.mip;
        for (i, pr) in pb.pairs.iter().enumerate() {
            let p = pr.post.ix();
            if pb.posts[p].open() == 0 {
                continue;
            }
            let c = pr.candidate.ix();
            let left_out = closed.is_closed(p) || closed.stays(c);
            if closed.outside.relaxed() && (left_out || pr.rank >= best_closed[c]) {
                continue;
            }
            let h = match self.kept.get(c).copied().flatten() {
                Some(_) if pr.rank >= kept_rank[c] => continue,
                Some(_) => None,
                None => h_of[i],
            };
            if k_before[i] < kept_at[p] || seats.vacant_closed[p] {
                self.envy_offset += 1.0;
                if let Some(h) = h {
                    linear[h] -= 1.0;
                }
                continue;
            }
            if free[p] == 0 {
                continue;
            }
            if free[p] == 1 && h.is_none() {
                // One free seat and nothing c holds can help: b = 1 − S
                // exactly (S is 0 or 1), linear again.
                self.envy_offset += 1.0;
                if let Some(s) = s_before[i] {
                    linear[s] -= 1.0;
                }
                continue;
            }
            let q = f64::from(free[p]);
            let r = m.row(q, f64::INFINITY, RowKind::Structural);
            let b = m.col(0.0, 1.0, true, format!("b{i}"));
            m.cols[b].push((r, q));
            if let Some(h) = h {
                m.cols[h].push((r, q));
            }
            if let Some(s) = s_before[i] {
                m.cols[s].push((r, 1.0));
            }
            self.b[i] = Some(b);
            let (s, h) = (s_before[i], h);
            self.envy_rows.push(EnvyRow { b, q, h, s });
        }
        self.envy_linear = linear
            .into_iter()
            .enumerate()
            .filter(|&(_, v)| v != 0.0)
            .collect();
    }

    /// Per pair, the z column holding H_i: the running sum at the
    /// candidate's last live pair ranked no worse than pair i. One pass over
    /// each candidate's list (pairs are sorted by rank).
    fn h_columns(&self, pb: &Problem) -> Vec<Option<usize>> {
        let mut h = vec![None; pb.pairs.len()];
        for c in 0..pb.n_candidates() {
            let (start, end) = (pb.pair_start[c] as usize, pb.pair_start[c + 1] as usize);
            let mut last_live = None;
            let mut g = start;
            while g < end {
                let rank = pb.pairs[g].rank;
                let group_end = (g..end).find(|&j| pb.pairs[j].rank != rank).unwrap_or(end);
                if let Some(j) = (g..group_end).rev().find(|&j| self.z[j].is_some()) {
                    last_live = self.z[j];
                }
                h[g..group_end].fill(last_live);
                g = group_end;
            }
        }
        h
    }

    /// Add a continuous slack (≥ 0) to every row whose kind matches, in the
    /// direction that relaxes it. Returns (slack column, row kind).
    pub fn add_slacks(&mut self, which: impl Fn(&RowKind) -> bool) -> Vec<(usize, RowKind)> {
        let m = &mut self.mip;
        let mut out = Vec::new();
        for r in 0..m.row_lo.len() {
            if !which(&m.row_kind[r]) {
                continue;
            }
            let sign = if m.row_hi[r].is_finite() { -1.0 } else { 1.0 };
            let j = m.col(0.0, f64::INFINITY, false, format!("slack{r}"));
            m.cols[j].push((r as u32, sign));
            out.push((j, m.row_kind[r].clone()));
        }
        out
    }

    /// The objective coefficients of one criterion, as a minimisation. The
    /// criterion's value is these terms plus `offset` (kept placements and
    /// pairs whose status is already decided).
    pub fn costs(&self, pb: &Problem, c: Criterion) -> Vec<(usize, f64)> {
        match c {
            Criterion::Envy => {
                let mut v: Vec<(usize, f64)> = self.b.iter().flatten().map(|&j| (j, 1.0)).collect();
                v.extend_from_slice(&self.envy_linear);
                v
            }
            Criterion::Fill => self.x.iter().flatten().map(|&j| (j, -1.0)).collect(),
            Criterion::Preference => self
                .x
                .iter()
                .enumerate()
                .filter_map(|(i, j)| j.map(|j| (j, f64::from(pb.pairs[i].rank))))
                .collect(),
        }
    }

    /// The constant part of a criterion (as a minimisation, like `costs`).
    pub fn offset(&self, pb: &Problem, c: Criterion) -> f64 {
        match c {
            Criterion::Envy => self.envy_offset,
            Criterion::Fill => -(self.kept.iter().flatten().count() as f64),
            Criterion::Preference => held_ranks(pb, &self.kept)
                .iter()
                .filter(|&&r| r != u32::MAX)
                .map(|&r| f64::from(r))
                .sum(),
        }
    }

    /// The assignment that column values describe: the kept placements
    /// and every x at 1.
    pub fn assignment(&self, pb: &Problem, cols: &[f64]) -> Assignment {
        let mut a = Assignment::empty(pb.n_candidates());
        for (c, k) in self.kept.iter().enumerate() {
            a.post_of[c] = *k;
        }
        for (i, pr) in pb.pairs.iter().enumerate() {
            if self.x[i].is_some_and(|j| cols[j] > 0.5) {
                a.post_of[pr.candidate.ix()] = Some(pr.post);
            }
        }
        a
    }

    /// Column values for an assignment that keeps the kept placements: x
    /// from the assignment, the running sums and blocking indicators
    /// derived from it (a warm start).
    pub fn columns_for(&self, pb: &Problem, post_of: &[Option<PostIdx>]) -> Vec<f64> {
        let mut v = vec![0.0; self.mip.cols.len()];
        for (i, pr) in pb.pairs.iter().enumerate() {
            if let Some(j) = self.x[i] {
                if post_of[pr.candidate.ix()] == Some(pr.post) {
                    v[j] = 1.0;
                }
            }
        }
        for list in &pb.applicants {
            let mut run = 0.0;
            for &i in list {
                if let (Some(y), Some(x)) = (self.y[i as usize], self.x[i as usize]) {
                    run += v[x];
                    v[y] = run;
                }
            }
        }
        for c in 0..pb.n_candidates() {
            let mut run = 0.0;
            for i in pb.pair_start[c] as usize..pb.pair_start[c + 1] as usize {
                if let (Some(z), Some(x)) = (self.z[i], self.x[i]) {
                    run += v[x];
                    v[z] = run;
                }
            }
        }
        // b = 1 exactly when its envy row cannot hold with b = 0.
        for e in &self.envy_rows {
            let h = e.h.map_or(0.0, |h| v[h]);
            let s = e.s.map_or(0.0, |s| v[s]);
            v[e.b] = if e.q * h + s >= e.q { 0.0 } else { 1.0 };
        }
        v
    }
}
