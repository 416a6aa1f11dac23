//! Files that name placements — a dispatch for `verify`, `explain` and
//! `backfill`, locks for `allocate` — resolved row by row against the
//! problem in one place: known ids, each candidate once, eligible, chosen.
//! Every command says the same thing about the same mistake.

use std::collections::HashMap;
use std::path::Path;

use crate::domain::records::DispatchRecord;
use crate::domain::types::{CandidateIdx, PostIdx};
use crate::error::{Diagnostics, Result};
use crate::input::records::read_dispatch;
use crate::input::Encoding;
use crate::lang::Lang;
use crate::model::evaluate::Assignment;
use crate::model::Problem;

/// Read a dispatch file against a problem (`verify`, `explain`). Unknown
/// ids are input errors; a candidate listed twice is a violation of
/// §2.3.1, returned separately, and the first row counts.
pub fn read_assignment(
    pb: &Problem,
    path: &Path,
    enc: Encoding,
) -> Result<(Assignment, Vec<String>)> {
    let mut d = Diagnostics::default();
    let recs = read_dispatch(path, enc, &mut d);
    let check = PlacementChecker::new(pb, path.display().to_string());
    let mut a = Assignment::empty(pb.n_candidates());
    let mut dup = Vec::new();
    for r in &recs.rows {
        let Some((c, p)) = check.resolve(&mut d, r) else {
            continue;
        };
        if let Some(prev) = a.post_of[c.ix()] {
            dup.push(format!(
                "candidate {} holds more than one post ({} and {}, line {})",
                r.candidate,
                pb.posts[prev.ix()].id,
                r.post,
                r.pos.line
            ));
        } else {
            a.post_of[c.ix()] = Some(p);
        }
    }
    d.finish((a, dup))
}

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

    /// The post of a row, or an error naming the row's post cell.
    pub fn post(&self, d: &mut Diagnostics, r: &DispatchRecord) -> Option<PostIdx> {
        let p = self.post.get(r.post.as_str()).copied();
        if p.is_none() {
            let msg = format!(
                "unknown post {}; it is not in {}",
                r.post, self.pb.files.posts
            );
            d.push(&self.file, r.pos.line, r.post_column, msg);
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
            d.push(&self.file, r.pos.line, r.pos.column, msg);
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
