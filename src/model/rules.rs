//! Share rules (interface §2.3.5): the scopes a rule is checked in, what
//! it counts, when it holds, and `ScopeCounter`, the one running count of
//! every rule in every scope that `evaluate`, the fast engine, repair,
//! the reasons and the formulation all read.

use serde::Serialize;

use super::{County, Post, Problem};
use crate::domain::policy::{Op, Rule, RuleCount, RuleScope};
use crate::domain::types::{CountyIdx, PostIdx};

/// One scope a rule is checked in.
#[derive(Debug, Clone)]
pub struct RuleScopeSet {
    /// County code, league code, or `region`.
    pub label: String,
    /// The counties whose volunteers count in this scope.
    pub counties: Vec<CountyIdx>,
}

/// The scopes of a rule: each county (or league, or the region once),
/// restricted to counties of the rule's statuses.
pub fn rule_scopes(pb: &Problem, rule: &Rule) -> Vec<RuleScopeSet> {
    let covered = |c: &County| {
        rule.county_status
            .as_ref()
            .is_none_or(|st| st.contains(&c.status))
    };
    match rule.scope {
        RuleScope::County => pb
            .counties
            .iter()
            .enumerate()
            .filter(|(_, c)| covered(c))
            .map(|(i, c)| RuleScopeSet {
                label: c.code.clone(),
                counties: vec![CountyIdx::from_ix(i)],
            })
            .collect(),
        RuleScope::League => pb
            .leagues
            .iter()
            .enumerate()
            .map(|(l, code)| RuleScopeSet {
                label: code.clone(),
                counties: pb
                    .counties
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.league.ix() == l && covered(c))
                    .map(|(i, _)| CountyIdx::from_ix(i))
                    .collect(),
            })
            .collect(),
        RuleScope::Region => vec![RuleScopeSet {
            label: "region".to_string(),
            counties: pb
                .counties
                .iter()
                .enumerate()
                .filter(|(_, c)| covered(c))
                .map(|(i, _)| CountyIdx::from_ix(i))
                .collect(),
        }],
    }
}

/// Does a post count for a rule's `count`?
pub fn counts_for(rule: &Rule, post: &Post) -> bool {
    match rule.count {
        RuleCount::Level(l) => post.level == l,
        RuleCount::Specialty(s) => post.specialty == s,
    }
}

/// Does `count op share × total` hold? (A tiny tolerance absorbs the
/// rounding of `share × total` in binary floating point.)
pub fn rule_holds(op: Op, share: f64, count: u64, total: u64) -> bool {
    let rhs = share * total as f64;
    match op {
        Op::Ge => count as f64 >= rhs - 1e-9,
        Op::Le => count as f64 <= rhs + 1e-9,
    }
}

/// One rule in one scope, with its figures.
#[derive(Debug, Clone, Serialize)]
pub struct RuleFigure {
    /// Rule name.
    pub rule: String,
    /// Where the rule is checked.
    pub scope: RuleScope,
    /// County code, league code, or `region`.
    pub place: String,
    /// Volunteers counted (placed + incumbents).
    pub count: u64,
    /// All volunteers in the scope (placed + incumbents).
    pub total: u64,
    /// Direction.
    pub op: Op,
    /// The share.
    pub share: f64,
    /// share × total.
    pub bound: f64,
    /// Does the rule hold here?
    pub ok: bool,
}

impl RuleFigure {
    /// How far inside its bound the figure is, in volunteers: positive when
    /// the rule holds with room, negative when it falls short.
    pub fn slack(&self) -> f64 {
        match self.op {
            Op::Ge => self.count as f64 - self.bound,
            Op::Le => self.bound - self.count as f64,
        }
    }

    /// How far a failing figure falls short, in volunteers (0 when it holds).
    pub fn shortfall(&self) -> f64 {
        if self.ok {
            0.0
        } else {
            -self.slack()
        }
    }
}

/// Volunteers (counted, total) of every rule in every scope, for an
/// occupancy per post, kept up to date one volunteer at a time.
#[derive(Debug, Clone)]
pub struct ScopeCounter {
    /// Per rule: its scopes, in `rule_scopes` order.
    scopes: Vec<Vec<RuleScopeSet>>,
    /// Per rule, per county: the scope the county's volunteers count in.
    scope_of: Vec<Vec<Option<usize>>>,
    /// Per rule, per scope: (counted, total).
    figures: Vec<Vec<(u64, u64)>>,
}

impl ScopeCounter {
    /// Count an occupancy per post (placed + incumbents).
    /// O(rules × (counties + posts)).
    pub fn new(pb: &Problem, occ: &[u32]) -> Self {
        let mut c = ScopeCounter {
            scopes: Vec::new(),
            scope_of: Vec::new(),
            figures: Vec::new(),
        };
        for rule in &pb.policy.rules {
            let scopes = rule_scopes(pb, rule);
            let mut of = vec![None; pb.counties.len()];
            for (k, s) in scopes.iter().enumerate() {
                for county in &s.counties {
                    of[county.ix()] = Some(k);
                }
            }
            let mut f = vec![(0u64, 0u64); scopes.len()];
            for (p, post) in pb.posts.iter().enumerate() {
                if let Some(k) = of[post.county.ix()] {
                    f[k].1 += u64::from(occ[p]);
                    if counts_for(rule, post) {
                        f[k].0 += u64::from(occ[p]);
                    }
                }
            }
            c.scopes.push(scopes);
            c.scope_of.push(of);
            c.figures.push(f);
        }
        c
    }

    /// The incumbents alone: the constant part of every rule.
    pub fn incumbents(pb: &Problem) -> Self {
        let occ: Vec<u32> = pb.posts.iter().map(|p| p.incumbents).collect();
        Self::new(pb, &occ)
    }

    /// Rule `r`'s scopes. O(1).
    pub fn scopes(&self, r: usize) -> &[RuleScopeSet] {
        &self.scopes[r]
    }

    /// The scope of rule `r` that county `k`'s volunteers count in. O(1).
    pub fn scope_of(&self, r: usize, k: CountyIdx) -> Option<usize> {
        self.scope_of[r][k.ix()]
    }

    /// (counted, total) of rule `r` in its scope `k`. O(1).
    pub fn figure(&self, r: usize, k: usize) -> (u64, u64) {
        self.figures[r][k]
    }

    /// Does rule `r` hold in its scope `k`? O(1).
    pub fn holds(&self, pb: &Problem, r: usize, k: usize) -> bool {
        let rule = &pb.policy.rules[r];
        let (count, total) = self.figures[r][k];
        rule_holds(rule.op, rule.share, count, total)
    }

    /// (counted, total) of rule `r` in its scope `k` after `changes`
    /// (post, ± volunteers); changes outside the scope do not count.
    pub fn after(
        &self,
        pb: &Problem,
        r: usize,
        k: usize,
        changes: &[(PostIdx, i64)],
    ) -> (u64, u64) {
        let rule = &pb.policy.rules[r];
        let (mut count, mut total) = self.figures[r][k];
        for &(p, d) in changes {
            let post = &pb.posts[p.ix()];
            if self.scope_of[r][post.county.ix()] == Some(k) {
                total = total.saturating_add_signed(d);
                if counts_for(rule, post) {
                    count = count.saturating_add_signed(d);
                }
            }
        }
        (count, total)
    }

    /// Would `delta` volunteers more (or fewer) at post `p` break a rule —
    /// any rule, or with `only_holding` only one that holds now? O(rules).
    pub fn breaks(&self, pb: &Problem, p: PostIdx, delta: i64, only_holding: bool) -> bool {
        let county = pb.posts[p.ix()].county;
        pb.policy.rules.iter().enumerate().any(|(r, rule)| {
            let Some(k) = self.scope_of(r, county) else {
                return false;
            };
            let (count, total) = self.after(pb, r, k, &[(p, delta)]);
            !rule_holds(rule.op, rule.share, count, total)
                && (!only_holding || self.holds(pb, r, k))
        })
    }

    /// `delta` volunteers more (or fewer) at post `p`. O(rules).
    pub fn add(&mut self, pb: &Problem, p: PostIdx, delta: i64) {
        let post = &pb.posts[p.ix()];
        for (r, rule) in pb.policy.rules.iter().enumerate() {
            if let Some(k) = self.scope_of[r][post.county.ix()] {
                let f = &mut self.figures[r][k];
                f.1 = f.1.saturating_add_signed(delta);
                if counts_for(rule, post) {
                    f.0 = f.0.saturating_add_signed(delta);
                }
            }
        }
    }

    /// Every rule in every scope, with its figures (what `verify` prints).
    pub fn figures(&self, pb: &Problem) -> Vec<RuleFigure> {
        let mut out = Vec::new();
        for (r, rule) in pb.policy.rules.iter().enumerate() {
            for (k, s) in self.scopes[r].iter().enumerate() {
                let (count, total) = self.figures[r][k];
                out.push(RuleFigure {
                    rule: rule.name.clone(),
                    scope: rule.scope,
                    place: s.label.clone(),
                    count,
                    total,
                    op: rule.op,
                    share: rule.share,
                    bound: rule.share * total as f64,
                    ok: rule_holds(rule.op, rule.share, count, total),
                });
            }
        }
        out
    }
}

/// Figures of every rule in every scope, for an occupancy per post.
pub fn rule_figures(pb: &Problem, occ: &[u32]) -> Vec<RuleFigure> {
    ScopeCounter::new(pb, occ).figures(pb)
}
