//! Why a candidate holds the post they hold and not a better one: one line a
//! person can act on per post — the condition that makes them ineligible, or
//! what kept them out (full of candidates ranked above them; a rule, scale
//! or quota that binds; the county suspended …). `unplaced.csv`,
//! `changes.csv` and `xibu explain` all take their words from here.

use crate::domain::policy::Op;
use crate::domain::types::{CandidateIdx, PostIdx};
use crate::lang::{Lang, Word};
use crate::model::evaluate::{held_ranks, worst_holders, Assignment, Headcount};
use crate::model::rules::{rule_holds, ScopeCounter};
use crate::model::Problem;

/// Precomputed state for explaining many candidates.
pub struct Explainer<'a> {
    pb: &'a Problem,
    a: &'a Assignment,
    lang: Lang,
    occ: Vec<u32>,
    heads: Headcount,
    rules: ScopeCounter,
    worst: Vec<Option<CandidateIdx>>,
    /// Rank of the post each candidate holds (`u32::MAX`: none).
    held: Vec<u32>,
    /// Per post, how many candidates accept it: counted on first use.
    applied: std::cell::OnceCell<Vec<u32>>,
}

/// What keeps an eligible candidate out of a post (`Explainer::block`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Block {
    /// Every seat is held by continuing volunteers.
    Incumbents,
    /// Full, and its last holder (this one) ranks above the candidate.
    Outranked(CandidateIdx),
    /// Placing them there costs the objective more than it gains (`full`:
    /// the post is full but holds someone ranked below them).
    Tradeoff {
        /// Whether the post is full.
        full: bool,
    },
    /// The county is at its scale.
    Scale(u32),
    /// The project quota is reached.
    Quota(u32),
    /// One more volunteer there would break this rule in this scope
    /// (its figures now).
    Rule {
        /// Rule index.
        rule: usize,
        /// Scope index within the rule.
        scope: usize,
        /// Volunteers counted now.
        count: u64,
        /// All volunteers in the scope now.
        total: u64,
    },
}

/// Why a post keeps open seats (`Explainer::vacancy`).
#[derive(Debug, Clone, PartialEq)]
pub struct Vacancy {
    /// Candidates who accept the post (listed or by adjustment).
    pub applied: usize,
    /// Of those, the eligible.
    pub eligible: usize,
    /// The reason in a few words (for summaries).
    pub cause: String,
    /// The reason in a sentence.
    pub reason: String,
}

/// One post a candidate ranked above what they got, and why they did not
/// get it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PostReason {
    /// Post id.
    pub post: String,
    /// The candidate's rank for it.
    pub rank: u32,
    /// Why not.
    pub reason: String,
}

impl<'a> Explainer<'a> {
    /// Prepare explanations for assignment `a`, whose occupancy per post
    /// is `occ` (`Evaluation::occupancy`), in `lang`.
    pub fn new(pb: &'a Problem, a: &'a Assignment, occ: Vec<u32>, lang: Lang) -> Self {
        let worst = worst_holders(pb, a);
        Explainer {
            pb,
            a,
            lang,
            heads: Headcount::new(pb, &occ),
            rules: ScopeCounter::new(pb, &occ),
            occ,
            worst,
            held: held_ranks(pb, &a.post_of),
            applied: std::cell::OnceCell::new(),
        }
    }

    /// The language of the explanations.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    fn t<'s>(&self, zh: &'s str, en: &'s str) -> &'s str {
        self.lang.pick(zh, en)
    }

    /// The reason an unplaced candidate is unplaced: ineligible (and why),
    /// or their best eligible post and what kept them out of it.
    pub fn unplaced_reason(&self, c: CandidateIdx) -> String {
        let pb = self.pb;
        if let Err(why) = pb.candidate_eligibility(c) {
            return why.sentence(self.lang);
        }
        let acceptable = &pb.acceptable[c.ix()];
        if acceptable.is_empty() {
            return self
                .t(
                    "没有可接受的岗位：未填报志愿，且服从调剂范围内没有岗位",
                    "no acceptable post: no choices listed and no post within the adjustment scope",
                )
                .into();
        }
        let Some(pair) = pb.pairs_of(c).first() else {
            let (p, rank) = acceptable[0];
            let why = pb.eligibility(c, p).err().map_or_else(
                || self.t("该岗位不在志愿范围内", "not acceptable").to_string(),
                |w| w.describe(self.lang),
            );
            return match self.lang {
                Lang::Zh => format!(
                    "不符合任何可接受岗位的条件；例如 {}（第 {rank} 志愿）：{why}",
                    pb.posts[p.ix()].id
                ),
                Lang::En => format!(
                    "ineligible for every acceptable post; e.g. {} (rank {rank}): {why}",
                    pb.posts[p.ix()].id
                ),
            };
        };
        self.why_not(c, pair.post, pair.rank)
    }

    /// Every post c ranked strictly above the post c holds (every
    /// acceptable post when c is unplaced), with the reason c is not there.
    pub fn above(&self, c: CandidateIdx) -> Vec<PostReason> {
        let pb = self.pb;
        let held = self.held[c.ix()];
        pb.acceptable[c.ix()]
            .iter()
            .filter(|&&(_, r)| r < held)
            .map(|&(p, rank)| PostReason {
                post: pb.posts[p.ix()].id.clone(),
                rank,
                reason: match pb.eligibility(c, p) {
                    Err(why) => why.sentence(self.lang),
                    Ok(()) => self.post_reason(c, p),
                },
            })
            .collect()
    }

    /// Why c does not hold post p (which c ranks `rank`), headed by the post.
    pub fn why_not(&self, c: CandidateIdx, p: PostIdx, rank: u32) -> String {
        let id = &self.pb.posts[p.ix()].id;
        let head = match self.lang {
            Lang::Zh => format!("最优可选岗位 {id}（第 {rank} 志愿）"),
            Lang::En => format!("best post {id} (rank {rank})"),
        };
        format!("{head}{}{}", self.t("：", ": "), self.post_reason(c, p))
    }

    /// What keeps eligible c out of p: capacity and priority first, then
    /// the scale, quota or rule that one more volunteer there would break,
    /// else the objective's trade-off.
    pub fn block(&self, c: CandidateIdx, p: PostIdx) -> Block {
        let pb = self.pb;
        let post = &pb.posts[p.ix()];
        if post.open() == 0 {
            return Block::Incumbents;
        }
        let full = self.occ[p.ix()] >= post.seats;
        match self.worst[p.ix()] {
            Some(w) if full && pb.cmp_at(p, w, c).is_gt() => return Block::Outranked(w),
            Some(_) if full => return Block::Tradeoff { full: true },
            _ => {}
        }
        // A seat is free: find the constraint that moving c there breaks.
        let from = self.a.post_of[c.ix()].map(|q| &pb.posts[q.ix()]);
        let county = &pb.counties[post.county.ix()];
        if let Some(scale) = county.scale {
            let inside = from.is_some_and(|q| q.county == post.county);
            if !inside && self.heads.county[post.county.ix()] >= u64::from(scale) {
                return Block::Scale(scale);
            }
        }
        if let Some(q) = pb.policy.quota(post.project) {
            let inside = from.is_some_and(|f| f.project == post.project);
            if !inside && self.heads.project[post.project as usize] >= u64::from(q) {
                return Block::Quota(q);
            }
        }
        // The move: one more at p, one fewer where c is now.
        let mut moved = vec![(p, 1)];
        moved.extend(self.a.post_of[c.ix()].map(|f| (f, -1)));
        for (r, rule) in pb.policy.rules.iter().enumerate() {
            let Some(k) = self.rules.scope_of(r, post.county) else {
                continue;
            };
            let (count, total) = self.rules.figure(r, k);
            let (count2, total2) = self.rules.after(pb, r, k, &moved);
            if !rule_holds(rule.op, rule.share, count2, total2) {
                return Block::Rule {
                    rule: r,
                    scope: k,
                    count,
                    total,
                };
            }
        }
        Block::Tradeoff { full: false }
    }

    /// Why eligible c does not hold p (`block`), in words.
    pub fn post_reason(&self, c: CandidateIdx, p: PostIdx) -> String {
        let pb = self.pb;
        let lang = self.lang;
        let post = &pb.posts[p.ix()];
        let county = &pb.counties[post.county.ix()];
        match self.block(c, p) {
            Block::Incumbents => self
                .t(
                    "所有名额都由延期志愿者占用",
                    "every seat is held by continuing volunteers (incumbents)",
                )
                .into(),
            Block::Outranked(w) => {
                let tw = pb.priority_at(w, p).describe(&pb.policy, lang);
                let tc = pb.priority_at(c, p).describe(&pb.policy, lang);
                match lang {
                    Lang::Zh => format!(
                        "名额已满，排序最后的在岗人选仍排在该考生之前（其排序：{tw}；该考生：{tc}）"
                    ),
                    Lang::En => format!(
                        "full: its last seat went to a candidate ranked above this one ({tw}; this candidate: {tc})"
                    ),
                }
            }
            Block::Tradeoff { full: true } => match lang {
                Lang::Zh => format!(
                    "名额已满，其中虽有排序在该考生之后的人选，但调入该考生会违反比例规定，或在别处造成更多不公平（{}）",
                    self.objective_text()
                ),
                Lang::En => format!(
                    "full, and it holds someone ranked below this candidate, but moving them there would break a share rule or cause more unfairness elsewhere than it removes ({})",
                    self.objective_text()
                ),
            },
            Block::Scale(scale) => match lang {
                Lang::Zh => format!("旗县 {} 已达实施规模 {scale} 人", county.code),
                Lang::En => format!(
                    "county {} is at its scale of {scale} volunteers",
                    county.code
                ),
            },
            Block::Quota(q) => match lang {
                Lang::Zh => format!("{}名额 {q} 已用完", post.project.zh()),
                Lang::En => format!("the {} project quota of {q} is reached", post.project),
            },
            Block::Rule {
                rule: r,
                scope: k,
                count,
                total,
            } => {
                let rule = &pb.policy.rules[r];
                let s = &self.rules.scopes(r)[k];
                match lang {
                    Lang::Zh => format!(
                        "{}在{} {} 已到界限（{total} 名志愿者中计入 {count} 名；再调入该考生，比例就会{}规定的 {}）",
                        rule.display(),
                        self.t_scope(rule.scope),
                        s.label,
                        match rule.op {
                            Op::Ge => "低于",
                            Op::Le => "高于",
                        },
                        percent(rule.share)
                    ),
                    Lang::En => format!(
                        "the rule {} binds in {} {} ({count} of {total} volunteers counted; one more there would take the share {} the required {})",
                        rule.name,
                        rule.scope.key(),
                        s.label,
                        match rule.op {
                            Op::Ge => "below",
                            Op::Le => "above",
                        },
                        percent(rule.share)
                    ),
                }
            }
            Block::Tradeoff { full: false } => match lang {
                Lang::Zh => format!(
                    "有空余名额，但安排该考生到这里需要连带其他调整才能满足规定，总体上得不偿失（{}）",
                    self.objective_text()
                ),
                Lang::En => format!(
                    "has a free seat, but placing this candidate there would force other changes to keep the rules and cost more than it gains ({})",
                    self.objective_text()
                ),
            },
        }
    }

    /// Why post p keeps open seats: who applied, and what keeps out the
    /// best-ranked eligible applicant who would rather be there (unplaced,
    /// or placed at a post they rank lower).
    pub fn vacancy(&self, p: PostIdx) -> Vacancy {
        let pb = self.pb;
        let applied = self.applied.get_or_init(|| {
            let mut n = vec![0u32; pb.posts.len()];
            for list in &pb.acceptable {
                for &(q, _) in list {
                    n[q.ix()] += 1;
                }
            }
            n
        })[p.ix()] as usize;
        let eligible = pb.applicants[p.ix()].len();
        let next = pb.applicants[p.ix()]
            .iter()
            .map(|&i| pb.pairs[i as usize])
            .find(|pr| pr.rank < self.held[pr.candidate.ix()]);
        let (cause, reason) = match next {
            None if eligible == 0 => {
                let t = self.t("无符合条件的申请人", "no eligible applicant");
                (t.to_string(), t.to_string())
            }
            None => {
                let t = self.t(
                    "符合条件的申请人都已安排在更靠前的志愿",
                    "every eligible applicant holds a post they rank higher",
                );
                (t.to_string(), t.to_string())
            }
            Some(pr) => {
                let c = pr.candidate;
                let head = match self.lang {
                    Lang::Zh => format!("排序最前的可调入申请人 {}", pb.candidates[c.ix()].id),
                    Lang::En => format!(
                        "best applicant who would come: {}",
                        pb.candidates[c.ix()].id
                    ),
                };
                let sep = self.t("：", ": ");
                let why = self.post_reason(c, p);
                (self.cause(self.block(c, p)), format!("{head}{sep}{why}"))
            }
        };
        Vacancy {
            applied,
            eligible,
            cause,
            reason,
        }
    }

    /// A block in a few words, for summaries (the leadership sheet).
    pub fn cause(&self, b: Block) -> String {
        match b {
            Block::Incumbents => self.t("延期志愿者占用", "held by incumbents").into(),
            Block::Outranked(_) => self.t("名额已满", "full").into(),
            Block::Tradeoff { .. } => self.t("整体公平权衡", "objective trade-off").into(),
            Block::Scale(_) => self.t("旗县实施规模", "county scale").into(),
            Block::Quota(_) => self.t("项目名额", "project quota").into(),
            Block::Rule { rule, .. } => {
                let rule = &self.pb.policy.rules[rule];
                match self.lang {
                    Lang::Zh => rule.display().to_string(),
                    Lang::En => format!("the rule {}", rule.name),
                }
            }
        }
    }

    fn t_scope(&self, s: crate::domain::policy::RuleScope) -> &'static str {
        use crate::domain::policy::RuleScope;
        match s {
            RuleScope::County => "旗县",
            RuleScope::League => "盟市",
            RuleScope::Region => "全区",
        }
    }

    /// The model's objective in words, most important first.
    fn objective_text(&self) -> String {
        use crate::domain::policy::Criterion;
        let words: Vec<&str> = self
            .pb
            .policy
            .objective
            .iter()
            .map(|c| match c {
                Criterion::Envy => self.t(
                    "首先不让任何人被排序更低者占去想要的岗位",
                    "first, nobody loses a post they want to someone ranked lower",
                ),
                Criterion::Fill => self.t("其次尽量多派遣", "then as many placed as possible"),
                Criterion::Preference => self.t("再次尽量满足靠前志愿", "then choices honoured"),
            })
            .collect();
        words.join(self.t("，", "; "))
    }

    /// Every unplaced candidate with its reason, in input order.
    pub fn unplaced(&self) -> Vec<(CandidateIdx, String)> {
        (0..self.pb.n_candidates())
            .map(CandidateIdx::from_ix)
            .filter(|c| self.a.post_of[c.ix()].is_none())
            .map(|c| (c, self.unplaced_reason(c)))
            .collect()
    }

    /// The placement line of `xibu explain`: where c is, at which rank.
    pub fn placement(&self, c: CandidateIdx) -> String {
        let pb = self.pb;
        let Some(p) = self.a.post_of[c.ix()] else {
            return match self.lang {
                Lang::Zh => format!("未安排：{}", self.unplaced_reason(c)),
                Lang::En => format!("not placed: {}", self.unplaced_reason(c)),
            };
        };
        let post = &pb.posts[p.ix()];
        let rank = pb.rank(c, p).map_or("-".into(), |r| r.to_string());
        let county = &pb.counties[post.county.ix()];
        let specialty = &pb.policy.specialties[post.specialty.ix()];
        match self.lang {
            Lang::Zh => format!(
                "安排在 {}（第 {rank} 志愿；{} {}，{}，{}，{}）",
                post.id,
                county.code,
                county.name,
                post.unit,
                specialty.name,
                post.level.zh()
            ),
            Lang::En => format!(
                "placed at {} (rank {rank}; county {} {}, {}, {}, {})",
                post.id,
                county.code,
                county.name,
                post.unit,
                specialty.key,
                post.level.en()
            ),
        }
    }
}

/// A share as people write it: 0.25 → 25%.
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{}%", p.round())
    } else {
        format!("{p:.1}%")
    }
}
