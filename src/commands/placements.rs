//! Files that name placements — a dispatch for `backfill`, locks for
//! `allocate` — checked row by row against the problem: known ids, each
//! candidate once, eligible, chosen. Shared so that both say the same thing
//! about the same mistake.

use std::collections::HashMap;

use crate::domain::records::DispatchRecord;
use crate::domain::types::{CandidateIdx, PostIdx};
use crate::error::Diagnostics;
use crate::lang::Lang;
use crate::model::Problem;

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

    /// The post of a row, or an error naming the row.
    pub fn post(&self, d: &mut Diagnostics, r: &DispatchRecord) -> Option<PostIdx> {
        let p = self.post.get(r.post.as_str()).copied();
        if p.is_none() {
            super::unknown_post(d, &self.file, r, self.pb);
        }
        p
    }

    /// Check one row and record the placement; `None` (with the problem
    /// reported) when the row cannot be used.
    pub fn check(
        &mut self,
        d: &mut Diagnostics,
        r: &DispatchRecord,
    ) -> Option<(CandidateIdx, PostIdx)> {
        let p = self.post(d, r)?;
        let pb = self.pb;
        let Some(&ci) = self.cand.get(r.candidate.as_str()) else {
            super::unknown_candidate(d, &self.file, r, pb);
            return None;
        };
        let c = ci.ix();
        if self.placed[c].is_some() {
            let msg = format!(
                "candidate {} is listed twice (first on line {})",
                r.candidate, self.line_of[c]
            );
            d.push(&self.file, r.pos.line, r.pos.column, msg);
            return None;
        }
        if let Err(why) = pb.eligibility(ci, p) {
            let msg = format!(
                "candidate {} cannot hold post {}: {}",
                r.candidate,
                r.post,
                why.describe(Lang::En)
            );
            d.push(&self.file, r.pos.line, r.post_column, msg);
        } else if pb.rank(ci, p).is_none() {
            let msg = format!(
                "candidate {} did not choose post {} (and it is not within their adjustment scope)",
                r.candidate, r.post
            );
            d.push(&self.file, r.pos.line, r.post_column, msg);
        }
        self.placed[c] = Some(p);
        self.line_of[c] = r.pos.line;
        self.occ[p.ix()] += 1;
        Some((ci, p))
    }
}
