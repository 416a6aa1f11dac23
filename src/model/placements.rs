//! Rows that name placements — a dispatch for `verify`, `explain` and
//! `backfill`, locks for `allocate` — resolved against the problem in one
//! place: known ids, each candidate once, eligible, chosen. Every command
//! says the same thing about the same mistake.

use std::collections::HashMap;

use super::Problem;
use crate::domain::records::DispatchRecord;
use crate::domain::types::{CandidateIdx, PostIdx};
use crate::error::Diagnostics;

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
            let msg = format!(
                "unknown post {}; it is not in {}",
                r.post, self.pb.files.posts
            );
            d.push_cell(self.at(r), r.pos.line, r.post_column, msg);
        }
        p
    }

    /// The candidate of a row, or an error naming the row's candidate cell.
    pub fn candidate(&self, d: &mut Diagnostics, r: &DispatchRecord) -> Option<CandidateIdx> {
        let c = self.cand.get(r.candidate.as_str()).copied();
        if c.is_none() {
            let msg = format!(
                "unknown candidate {}; it is not in {}",
                r.candidate, self.pb.files.candidates
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
            let msg = format!(
                "candidate {} is listed twice (first on line {})",
                r.candidate, self.line_of[c]
            );
            d.push_cell(self.at(r), r.pos.line, r.pos.column, msg);
            return None;
        }
        if let Err(why) = pb.eligibility(ci, p) {
            let msg = format!(
                "candidate {} cannot hold post {}: {}",
                r.candidate, r.post, why
            );
            d.push_cell(self.at(r), r.pos.line, r.post_column, msg);
        } else if pb.rank(ci, p).is_none() {
            let msg = format!(
                "candidate {} did not choose post {} (and it is not within their adjustment scope)",
                r.candidate, r.post
            );
            d.push_cell(self.at(r), r.pos.line, r.post_column, msg);
        }
        self.placed[c] = Some(p);
        self.line_of[c] = r.pos.line;
        self.occ[p.ix()] += 1;
        Some((ci, p))
    }
}
