//! Locked placements (`--locks locks.csv`): decisions the office has
//! already made. They are fixed in the model and count in every rule; a
//! lock that breaks a hard constraint on its own is an input error naming
//! its row. Rules of the form "at least a share" cannot be judged on the
//! locks alone (others may still be placed); when the locks make them
//! impossible the solve reports it (exit 3).

use super::evaluate::Headcount;
use super::placements::PlacementChecker;
use super::{Lock, Problem};
use crate::domain::records::LockRecord;
use crate::error::{Diagnostics, Msg};
use crate::lang::Word;
use crate::msg;

/// Check a locks file's rows against the problem; problems go to `d`.
pub(crate) fn check_locks(
    pb: &Problem,
    file: &str,
    rows: Vec<LockRecord>,
    d: &mut Diagnostics,
) -> Vec<Lock> {
    let mut check = PlacementChecker::new(pb, file.to_string());
    // Incumbents, then each lock as it is read.
    let mut heads = Headcount::new(pb, &check.occ);
    let mut locks = Vec::new();
    for r in rows {
        let row = &r.placement;
        let Some((c, p)) = check.check(d, row) else {
            continue;
        };
        let post = &pb.posts[p.ix()];
        heads.add(pb, p);
        let mut over = |msg: Msg| d.push_cell(check.file(), row.pos.line, row.post_column, msg);
        if check.occ[p.ix()] > post.seats {
            let (id, n, inc) = (&post.id, post.seats, post.incumbents);
            over(msg!(
                "岗位 {id} 有 {n} 个名额（其中 {inc} 个由延期志愿者占用）；这条锁定超出了一个",
                "post {id} has {n} seats ({inc} held by continuing volunteers); this lock is one more than it can take"
            ));
        }
        if let Some(scale) = heads.over_scale(pb, post.county, 0) {
            let code = &pb.counties[post.county.ix()].code;
            let n = heads.county[post.county.ix()];
            over(msg!(
                "旗县 {code} 的规模是 {scale} 名志愿者；加上这条锁定会有 {n} 名",
                "county {code} has a scale of {scale} volunteers; with this lock it would have {n}"
            ));
        }
        let proj = post.project;
        if let Some(q) = heads.over_quota(pb, proj, 0) {
            let n = heads.project[proj as usize];
            let zh = proj.zh();
            over(msg!(
                "{zh}名额是 {q}；加上这条锁定会有 {n} 名",
                "the {proj} project quota is {q}; with this lock it would have {n}"
            ));
        }
        locks.push(Lock {
            candidate_id: row.candidate.clone(),
            post_id: row.post.clone(),
            reason: r.reason,
            author: r.author,
            line: row.pos.line,
            candidate: c,
            post: p,
        });
    }
    locks
}
