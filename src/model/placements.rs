//! Rows that name placements — a dispatch for `verify`, `explain` and
//! `backfill`, locks for `allocate` — resolved against the problem in one
//! place: known ids, each candidate once, eligible, chosen. Every command
//! says the same thing about the same mistake.

use std::collections::HashMap;

use super::Problem;
use crate::domain::records::DispatchRecord;
use crate::domain::types::{CandidateIdx, PostIdx};
use crate::error::Diagnostics;
use crate::lang::Lang;
use crate::msg;

/// Row-by-row checker of placements.
pub struct PlacementChecker<'a> {
    pb: &'a Problem,
    file: String,
    cand: HashMap<&'a str, CandidateIdx>,
    post: HashMap<&'a str, PostIdx>,
    line_of: Vec<usize>,
    /// Post of each candidate placed so far.
    pub placed: Vec<Option<PostIdx>>,
    /// Volunteers per post so far (incumbents included).
    pub occ: Vec<u32>,
}

impl<'a> PlacementChecker<'a> {
    /// Start checking rows of `file`.
    pub fn new(pb: &'a Problem, file: String) -> Self {
        PlacementChecker {
            pb,
            file,
            cand: pb.candidate_index(),
            post: pb.post_index(),
            line_of: vec![0; pb.n_candidates()],
            placed: vec![None; pb.n_candidates()],
            occ: pb.posts.iter().map(|p| p.incumbents).collect(),
        }
    }

    /// The file's name as given.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Where a row was read: its sheet when the file has several.
    fn at<'r>(&'r self, r: &'r DispatchRecord) -> &'r str {
        r.sheet.as_deref().unwrap_or(&self.file)
    }

    /// The post of a row, or an error naming the row's post cell.
    pub fn post(&self, d: &mut Diagnostics, r: &DispatchRecord) -> Option<PostIdx> {
        let p = self.post.get(r.post.as_str()).copied();
        if p.is_none() {
            let (id, pf) = (&r.post, &self.pb.files.posts);
            let msg = msg!(
                "岗位 {id} 不存在：它不在 {pf} 中",
                "unknown post {id}; it is not in {pf}"
            );
            d.push_cell(self.at(r), r.pos.line, r.post_column, msg);
        }
        p
    }

    /// The candidate of a row, or an error naming the row's candidate cell.
    pub fn candidate(&self, d: &mut Diagnostics, r: &DispatchRecord) -> Option<CandidateIdx> {
        let c = self.cand.get(r.candidate.as_str()).copied();
        if c.is_none() {
            let (id, cf) = (&r.candidate, &self.pb.files.candidates);
            let msg = msg!(
                "考生 {id} 不存在：他/她不在 {cf} 中",
                "unknown candidate {id}; it is not in {cf}"
            );
            d.push_cell(self.at(r), r.pos.line, r.pos.column, msg);
        }
        c
    }

    /// Both ids of a row; each unknown one is reported.
    pub fn resolve(
        &self,
        d: &mut Diagnostics,
        r: &DispatchRecord,
    ) -> Option<(CandidateIdx, PostIdx)> {
        let c = self.candidate(d, r);
        let p = self.post(d, r);
        c.zip(p)
    }

    /// Check one row and record the placement; `None` (with the problem
    /// reported) when the row cannot be used.
    pub fn check(
        &mut self,
        d: &mut Diagnostics,
        r: &DispatchRecord,
    ) -> Option<(CandidateIdx, PostIdx)> {
        let (ci, p) = self.resolve(d, r)?;
        let pb = self.pb;
        let c = ci.ix();
        if self.placed[c].is_some() {
            let (id, first) = (&r.candidate, self.line_of[c]);
            let msg = msg!(
                "考生 {id} 出现了两次（第一次在第 {first} 行）",
                "candidate {id} is listed twice (first on line {first})"
            );
            d.push_cell(self.at(r), r.pos.line, r.pos.column, msg);
            return None;
        }
        if let Err(why) = pb.eligibility(ci, p) {
            let (id, post) = (&r.candidate, &r.post);
            let (zh, en) = (why.describe(Lang::Zh), why.describe(Lang::En));
            let msg = msg!(
                "考生 {id} 不能担任岗位 {post}：{zh}",
                "candidate {id} cannot hold post {post}: {en}"
            );
            d.push_cell(self.at(r), r.pos.line, r.post_column, msg);
        } else if pb.rank(ci, p).is_none() {
            let (id, post) = (&r.candidate, &r.post);
            let msg = msg!(
                "考生 {id} 没有填报岗位 {post}（该岗位也不在其服从调剂范围内）",
                "candidate {id} did not choose post {post} (and it is not within their adjustment scope)"
            );
            d.push_cell(self.at(r), r.pos.line, r.post_column, msg);
        }
        self.placed[c] = Some(p);
        self.line_of[c] = r.pos.line;
        self.occ[p.ix()] += 1;
        Some((ci, p))
    }
}
