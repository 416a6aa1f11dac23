//! Reading a dispatch file into an assignment (`verify`, `explain`): the
//! file is read by `input`, its rows resolved by the model's
//! `PlacementChecker`.

use std::path::Path;

use crate::error::{Diagnostics, Msg, Result};
use crate::input::records::read_dispatch;
use crate::input::Encoding;
use crate::model::evaluate::Assignment;
use crate::model::placements::PlacementChecker;
use crate::model::Problem;
use crate::msg;

/// Read a dispatch file against a problem (`verify`, `explain`). Unknown
/// ids are input errors; a candidate listed twice is a violation of
/// §2.3.1, returned separately, and the first row counts.
pub fn read_assignment(pb: &Problem, path: &Path, enc: Encoding) -> Result<(Assignment, Vec<Msg>)> {
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
            let (id, first, post, line) =
                (&r.candidate, &pb.posts[prev.ix()].id, &r.post, r.pos.line);
            let sheet = r.sheet.as_ref().map_or(String::new(), |s| format!("{s} "));
            dup.push(msg!(
                "考生 {id} 担任了不止一个岗位（{first} 和 {post}，{sheet}第 {line} 行）",
                "candidate {id} holds more than one post ({first} and {post}, {sheet}line {line})"
            ));
        } else {
            a.post_of[c.ix()] = Some(p);
        }
    }
    d.finish((a, dup))
}
