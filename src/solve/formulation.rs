//! The exact model of CONTRACT §2.3–2.4 as a MIP, in column-wise form for
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

use crate::model::evaluate::{counts_for, rule_scopes, scope_incumbents};
use crate::model::policy::{Criterion, Op};
use crate::model::types::{CountyIdx, Project};
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
    pub kept: Vec<Option<crate::model::types::PostIdx>>,
    /// Let rules fall short, minimising the total shortfall first.
    pub allow_shortfall: bool,
}

impl Fixings {
    /// True when nothing is fixed or relaxed.
    pub fn is_empty(&self) -> bool {
        self.kept.iter().all(Option::is_none) && !self.allow_shortfall
    }
}

/// The model with the positions of its variables.
#[derive(Debug, Clone)]
pub struct Formulation {
    /// The MIP.
    pub mip: Mip,
    /// Pair index → x column (`None` for pairs at posts without open seats).
    pub x: Vec<Option<usize>>,
    /// Pair index → b column (envy), when envy is modelled.
    pub b: Vec<Option<usize>>,
    /// Pair index → y column (running sum along the post's order, through this pair).
    pub y: Vec<Option<usize>>,
    /// Pair index → z column (running sum along the candidate's list, through this pair).
    pub z: Vec<Option<usize>>,
}

impl Formulation {
    /// Build the model. `with_envy` adds the b, y, z columns and envy rows.
    pub fn build(pb: &Problem, with_envy: bool) -> Formulation {
        let n = pb.pairs.len();
        let mut m = Mip::default();
        let mut x = vec![None; n];
        let live = |i: usize| pb.posts[pb.pairs[i].post.ix()].open() > 0;

        // Rows whose entries are x columns.
        let cand_row: Vec<Option<u32>> = (0..pb.n_candidates())
            .map(|c| {
                let r = pb.pair_start[c] as usize..pb.pair_start[c + 1] as usize;
                r.clone()
                    .any(live)
                    .then(|| m.row(f64::NEG_INFINITY, 1.0, RowKind::Candidate))
            })
            .collect();
        let post_row: Vec<Option<u32>> = pb
            .posts
            .iter()
            .enumerate()
            .map(|(p, post)| {
                // Redundant when every applicant fits.
                (post.open() > 0 && pb.applicants[p].len() > post.open() as usize)
                    .then(|| m.row(f64::NEG_INFINITY, f64::from(post.open()), RowKind::Post))
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
        for (ri, rule) in pb.policy.rules.iter().enumerate() {
            for s in rule_scopes(pb, rule) {
                // Constant part from incumbents: count_inc − share·total_inc.
                let (cnt, tot) = scope_incumbents(pb, rule, &s);
                let konst = f64::from(cnt) - rule.share * f64::from(tot);
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
            e.extend(scale_row[post.county.ix()].map(|r| (r, 1.0)));
            e.extend(quota_row[post.project as usize].map(|r| (r, 1.0)));
            for &(r, ri) in &county_rules[post.county.ix()] {
                let rule = &pb.policy.rules[ri];
                let a = if counts_for(rule, post) { 1.0 } else { 0.0 };
                let coef = a - rule.share;
                if coef != 0.0 {
                    e.push((r, coef));
                }
            }
        }

        let mut f = Formulation {
            mip: m,
            x,
            b: vec![None; n],
            y: vec![None; n],
            z: vec![None; n],
        };
        if with_envy {
            f.add_envy(pb);
        }
        f.mip.tidy();
        f
    }

    fn add_envy(&mut self, pb: &Problem) {
        let m = &mut self.mip;
        // y: running sums along each post's priority order (live posts only).
        for (p, list) in pb.applicants.iter().enumerate() {
            if pb.posts[p].open() == 0 {
                continue;
            }
            let mut prev: Option<usize> = None;
            for &i in list {
                let i = i as usize;
                let r = m.row(0.0, 0.0, RowKind::Structural);
                let y = m.col(0.0, f64::INFINITY, false, format!("y{i}"));
                m.cols[y].push((r, 1.0));
                if let Some(pv) = prev {
                    m.cols[pv].push((r, -1.0));
                }
                m.cols[self.x[i].expect("live pair")].push((r, -1.0));
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
        // Envy rows: q·b_i + q·H_i + S_i ≥ q.
        let h_of = self.h_columns(pb);
        let m = &mut self.mip;
        for c in 0..pb.n_candidates() {
            let range = pb.pair_start[c] as usize..pb.pair_start[c + 1] as usize;
            for i in range.clone() {
                if self.x[i].is_none() {
                    continue;
                }
                let pr = pb.pairs[i];
                let q = f64::from(pb.posts[pr.post.ix()].open());
                let h = h_of[i].expect("pair i itself is live");
                let r = m.row(q, f64::INFINITY, RowKind::Structural);
                let b = m.col(0.0, 1.0, true, format!("b{i}"));
                m.cols[b].push((r, q));
                m.cols[h].push((r, q));
                let pos = pb.pair_pos[i] as usize;
                if pos > 0 {
                    let above = pb.applicants[pr.post.ix()][pos - 1] as usize;
                    m.cols[self.y[above].expect("live")].push((r, 1.0));
                }
                self.b[i] = Some(b);
            }
        }
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

    /// Fix kept candidates at their post (and nowhere else) by column
    /// bounds; HiGHS's presolve then removes them, so the solved model is
    /// only the free seats and the candidates who could take them.
    pub fn apply_kept(&mut self, pb: &Problem, kept: &[Option<crate::model::types::PostIdx>]) {
        for (c, k) in kept.iter().enumerate() {
            let Some(p) = *k else { continue };
            for i in pb.pair_range(crate::model::types::CandidateIdx::from_ix(c)) {
                if let Some(j) = self.x[i] {
                    if pb.pairs[i].post == p {
                        self.mip.col_lo[j] = 1.0;
                    } else {
                        self.mip.col_hi[j] = 0.0;
                    }
                }
            }
        }
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

    /// The objective coefficients of one criterion, as a minimisation.
    pub fn costs(&self, pb: &Problem, c: Criterion) -> Vec<(usize, f64)> {
        match c {
            Criterion::Envy => self.b.iter().flatten().map(|&j| (j, 1.0)).collect(),
            Criterion::Fill => self.x.iter().flatten().map(|&j| (j, -1.0)).collect(),
            Criterion::Preference => self
                .x
                .iter()
                .enumerate()
                .filter_map(|(i, j)| j.map(|j| (j, f64::from(pb.pairs[i].rank))))
                .collect(),
        }
    }

    /// Column values for an assignment: x from the assignment, the running
    /// sums and blocking indicators derived from it (a warm start).
    pub fn columns_for(
        &self,
        pb: &Problem,
        post_of: &[Option<crate::model::types::PostIdx>],
    ) -> Vec<f64> {
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
        // b_i = 1 exactly when the envy row cannot hold with b_i = 0.
        let h_of = self.h_columns(pb);
        for (i, pr) in pb.pairs.iter().enumerate() {
            let Some(b) = self.b[i] else { continue };
            let q = f64::from(pb.posts[pr.post.ix()].open());
            let h = v[h_of[i].expect("live pair")];
            let pos = pb.pair_pos[i] as usize;
            let s = if pos > 0 {
                self.y[pb.applicants[pr.post.ix()][pos - 1] as usize].map_or(0.0, |y| v[y])
            } else {
                0.0
            };
            v[b] = if q * h + s >= q { 0.0 } else { 1.0 };
        }
        v
    }
}
