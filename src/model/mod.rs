//! The loaded problem in dense, indexed form: policy, eligibility, preference
//! ranks and priority orders, ready for the engines. Strings stay at the
//! edges (ids for output); the hot path uses the pair arrays.

pub mod eligibility;
pub mod evaluate;
mod locks;
pub mod placements;
pub mod priority;
mod restrict;
pub mod rules;

mod build;

use crate::domain::policy::{AdjustScope, Policy};
use crate::domain::types::*;
use priority::PriorityTuple;

use crate::domain::records::{CandidateRecord, ColumnReport};

pub use build::build_problem;

/// A post with its references resolved.
#[derive(Debug, Clone)]
pub struct Post {
    /// Post id.
    pub id: String,
    /// 服务单位
    pub unit: String,
    /// County.
    pub county: CountyIdx,
    /// League.
    pub league: LeagueIdx,
    /// Specialty.
    pub specialty: SpecialtyIdx,
    /// Level.
    pub level: Level,
    /// Seats, incumbents included.
    pub seats: u32,
    /// Incumbents holding seats here.
    pub incumbents: u32,
    /// Project.
    pub project: Project,
    /// Lowest accepted degree.
    pub degree_min: Option<Degree>,
    /// Major-code prefixes (empty = any).
    pub majors_required: Vec<String>,
    /// Line in posts.csv (for messages).
    pub line: usize,
}

impl Post {
    /// Seats open to candidates (seats − incumbents).
    pub fn open(&self) -> u32 {
        self.seats.saturating_sub(self.incumbents)
    }
}

/// A county office.
#[derive(Debug, Clone)]
pub struct County {
    /// County code.
    pub code: String,
    /// Name.
    pub name: String,
    /// League.
    pub league: LeagueIdx,
    /// Status.
    pub status: CountyStatus,
    /// 实施规模 (incumbents included).
    pub scale: Option<u32>,
}

/// An eligible, acceptable (candidate, post) pair: the unit of every engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    /// The candidate.
    pub candidate: CandidateIdx,
    /// The post.
    pub post: PostIdx,
    /// The post's rank for the candidate (1 = first group).
    pub rank: u32,
}

/// The whole problem.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The policy model.
    pub(crate) policy: Policy,
    /// Lottery seed.
    pub(crate) seed: u64,
    /// Candidates as read (ids, flags, scores).
    pub(crate) candidates: Vec<CandidateRecord>,
    /// Posts.
    pub(crate) posts: Vec<Post>,
    /// Counties (from counties.csv, or implied by posts.csv).
    pub(crate) counties: Vec<County>,
    /// League codes.
    pub(crate) leagues: Vec<String>,
    /// Incumbents: id and post.
    pub(crate) incumbents: Vec<(String, PostIdx)>,
    /// Per candidate: every acceptable post (listed or by adjustment) with
    /// its rank, eligible or not, sorted by (rank, post id).
    pub(crate) acceptable: Vec<Vec<(PostIdx, u32)>>,
    /// Eligible, acceptable pairs, grouped by candidate in (rank, post id)
    /// order; `pair_start[c]..pair_start[c+1]` are candidate c's.
    pub(crate) pairs: Vec<Pair>,
    /// CSR offsets into `pairs`, one more than candidates.
    pub(crate) pair_start: Vec<u32>,
    /// Per post: its pairs (indices into `pairs`), best priority first.
    pub(crate) applicants: Vec<Vec<u32>>,
    /// Per pair: its position in its post's `applicants` (0 = best).
    pub(crate) pair_pos: Vec<u32>,
    /// Per candidate × specialty: priority tuple (`c * n_specialties + s`).
    pub(crate) priority: Vec<PriorityTuple>,
    /// File names, for messages.
    pub(crate) files: Files,
    /// Placements the office has already decided (`--locks`): fixed in
    /// every solve, counted in every rule.
    pub(crate) locks: Vec<Lock>,
    /// What each file's header row was read as.
    pub(crate) columns: Vec<ColumnReport>,
    /// Headers of candidates.csv that xibu does not read (联系电话 …):
    /// `CandidateRecord::extra` holds their cells, passed through to the
    /// Excel lists.
    pub(crate) extra_columns: Vec<String>,
    /// What a person should know about how the files were read (an absent
    /// column whose default the model uses).
    pub(crate) notes: Vec<crate::error::Msg>,
}

/// One locked placement, with its audit record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Lock {
    /// Candidate id.
    pub candidate_id: String,
    /// Post id.
    pub post_id: String,
    /// Why the office decided it.
    pub reason: String,
    /// Who decided it.
    pub author: String,
    /// Line in the locks file.
    pub line: usize,
    /// Candidate index.
    #[serde(skip)]
    pub candidate: CandidateIdx,
    /// Post index.
    #[serde(skip)]
    pub post: PostIdx,
}

/// Names of the input files, for messages and reports.
#[derive(Debug, Clone, Default)]
pub struct Files {
    /// candidates file.
    pub candidates: String,
    /// posts file.
    pub posts: String,
    /// counties file.
    pub counties: Option<String>,
    /// incumbents file.
    pub incumbents: Option<String>,
}

/// Read access for code outside the crate (tests, benches, the binary);
/// every accessor is O(1).
impl Problem {
    /// The policy model.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }
    /// Lottery seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Candidates as read, in input order.
    pub fn candidates(&self) -> &[CandidateRecord] {
        &self.candidates
    }
    /// Posts, in input order.
    pub fn posts(&self) -> &[Post] {
        &self.posts
    }
    /// Counties.
    pub fn counties(&self) -> &[County] {
        &self.counties
    }
    /// League codes.
    pub fn leagues(&self) -> &[String] {
        &self.leagues
    }
    /// Incumbents: id and post.
    pub fn incumbents(&self) -> &[(String, PostIdx)] {
        &self.incumbents
    }
    /// Eligible, acceptable pairs, grouped by candidate.
    pub fn pairs(&self) -> &[Pair] {
        &self.pairs
    }
    /// Per post: its pairs (indices into `pairs`), best priority first.
    pub fn applicants(&self) -> &[Vec<u32>] {
        &self.applicants
    }
    /// Per pair: its position in its post's `applicants` (0 = best).
    pub fn pair_pos(&self) -> &[u32] {
        &self.pair_pos
    }
    /// Names of the input files.
    pub fn files(&self) -> &Files {
        &self.files
    }
    /// Locked placements.
    pub fn locks(&self) -> &[Lock] {
        &self.locks
    }
    /// What each file's header row was read as.
    pub fn columns(&self) -> &[ColumnReport] {
        &self.columns
    }
    /// Notes on how the files were read.
    pub fn notes(&self) -> &[crate::error::Msg] {
        &self.notes
    }
}

impl Problem {
    /// Number of candidates.
    pub fn n_candidates(&self) -> usize {
        self.candidates.len()
    }

    /// Candidate c's eligible, acceptable pairs, best rank first.
    pub fn pairs_of(&self, c: CandidateIdx) -> &[Pair] {
        &self.pairs[self.pair_start[c.ix()] as usize..self.pair_start[c.ix() + 1] as usize]
    }

    /// Index range of candidate c's pairs.
    pub fn pair_range(&self, c: CandidateIdx) -> std::ops::Range<usize> {
        self.pair_start[c.ix()] as usize..self.pair_start[c.ix() + 1] as usize
    }

    /// Rank of post p for candidate c (listed or adjustment), eligible or not.
    pub fn rank(&self, c: CandidateIdx, p: PostIdx) -> Option<u32> {
        self.acceptable[c.ix()]
            .iter()
            .find(|&&(q, _)| q == p)
            .map(|&(_, r)| r)
    }

    /// Priority of candidate c at post p.
    pub(crate) fn priority_at(&self, c: CandidateIdx, p: PostIdx) -> &PriorityTuple {
        let s = self.posts[p.ix()].specialty.ix();
        &self.priority[c.ix() * self.policy.specialties.len() + s]
    }

    /// `Greater` when post p ranks candidate a above b.
    pub fn cmp_at(&self, p: PostIdx, a: CandidateIdx, b: CandidateIdx) -> std::cmp::Ordering {
        self.priority_at(a, p).cmp_priority(self.priority_at(b, p))
    }

    /// Candidate ids → indices (for reading files that name candidates).
    pub(crate) fn candidate_index(&self) -> std::collections::HashMap<&str, CandidateIdx> {
        self.candidates
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), CandidateIdx::from_ix(i)))
            .collect()
    }

    /// Post ids → indices.
    pub(crate) fn post_index(&self) -> std::collections::HashMap<&str, PostIdx> {
        self.posts
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), PostIdx::from_ix(i)))
            .collect()
    }

    /// Incumbents at posts of a project.
    pub(crate) fn project_incumbents(&self, proj: Project) -> u32 {
        self.posts
            .iter()
            .filter(|p| p.project == proj)
            .map(|p| p.incumbents)
            .sum()
    }

    /// Incumbents in each county.
    pub(crate) fn county_incumbents(&self) -> Vec<u32> {
        let mut v = vec![0; self.counties.len()];
        for p in &self.posts {
            v[p.county.ix()] += p.incumbents;
        }
        v
    }

    /// Does the problem need only deferred acceptance for the default
    /// objective (interface §2.4 last paragraph)? No rules, quotas, scales,
    /// ties in any candidate's list, or adjustment.
    pub fn is_plain(&self) -> bool {
        self.policy.rules.is_empty()
            && self.policy.quotas.iter().all(Option::is_none)
            && self.counties.iter().all(|c| c.scale.is_none())
            && (self.policy.adjustment == AdjustScope::None
                || self.candidates.iter().all(|c| !c.adjustable))
            && (0..self.n_candidates()).all(|c| {
                let pairs = self.pairs_of(CandidateIdx::from_ix(c));
                pairs.windows(2).all(|w| w[0].rank != w[1].rank)
            })
    }
}
