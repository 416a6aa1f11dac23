//! `xibu backfill` (interface §4; notice 二(三)2 同等数额补招): keep every
//! placement of the dispatch except the withdrawn, drop the withdrawn from
//! the pool, and fill the free seats optimally with everyone else fixed.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use super::replay::{abs, Replay};
use super::{write_outputs, Inputs, Run};
use crate::domain::records::Instance;
use crate::domain::types::{CandidateIdx, PostIdx};
use crate::error::{Diagnostics, Result};
use crate::input::records::{read_dispatch, read_withdrawn};
use crate::lang::Lang;
use crate::model::evaluate::{capacity_violations, post_occupancy, rule_violations, Assignment};
use crate::model::placements::PlacementChecker;
use crate::model::rules::rule_figures;
use crate::model::{build_problem, Problem};
use crate::msg;
use crate::output::commit::{OutputDir, SetKind};
use crate::output::csvfile::{csv_bytes, CsvFile};
use crate::output::files::Summary;
use crate::output::reasons::Explainer;
use crate::output::reserves::reserves;
use crate::output::xlsx::{Lists, Replacement};
use crate::output::OutputOptions;
use crate::solve::formulation::Fixings;
use crate::solve::settings::MipSettings;
use crate::solve::{solve_with, Engine, Solution};

/// Options of `backfill`.
#[derive(Debug, Clone, Default)]
pub struct BackfillOptions {
    /// Output directory.
    pub out: PathBuf,
    /// The current dispatch.csv.
    pub dispatch: PathBuf,
    /// CSVs with the ids of those who withdrew (several files add up).
    pub withdrawn: Vec<PathBuf>,
    /// Exact-engine settings.
    pub mip: MipSettings,
    /// Let rules fall short (minimising the total shortfall first) instead
    /// of exiting 3 when the kept placements make a rule impossible.
    pub allow_shortfall: bool,
    /// Language and Excel lists.
    pub output: OutputOptions,
    /// exact (default) or fast (DA with capacity cuts around the kept
    /// placements: every hard constraint, not proven optimal).
    pub engine: Engine,
}

/// A vacated seat: the post and who left it.
struct Vacated {
    post: PostIdx,
    withdrawn: String,
}

/// `xibu backfill`.
pub fn backfill(inputs: &Inputs, opts: &BackfillOptions) -> Result<Summary> {
    let (policy, mut inst, mut diags) = super::read_all(inputs)?;
    let dispatch = read_dispatch(&opts.dispatch, inputs.encoding, &mut diags);
    let known: HashSet<String> = inst.candidates.rows.iter().map(|c| c.id.clone()).collect();
    let mut gone: Vec<String> = Vec::new();
    for path in &opts.withdrawn {
        let file = path.display().to_string();
        for w in read_withdrawn(path, inputs.encoding, &mut diags).rows {
            if inst.candidates.complete && !known.contains(&w.id) {
                diags.push(&file, w.pos.line, w.pos.column, {
                    let (id, cf) = (&w.id, &inst.candidates_file);
                    msg!(
                        "考生 {id} 不存在：他/她不在 {cf} 中",
                        "unknown candidate {id}; it is not in {cf}"
                    )
                });
            } else if !gone.contains(&w.id) {
                gone.push(w.id);
            }
        }
    }
    let withdrawn_csv = csv_bytes(["id"], gone.iter().map(|id| [id.as_str()]));
    let gone: HashSet<String> = gone.into_iter().collect();
    // Their names, for 递补名单 (they leave the pool below).
    let left_names: HashMap<String, String> = inst
        .candidates
        .rows
        .iter()
        .filter(|c| gone.contains(&c.id))
        .map(|c| (c.id.clone(), c.name.clone()))
        .collect();
    drop_withdrawn(&mut inst, &gone);
    let Some(policy) = policy else {
        return Err(diags.into_error());
    };
    let pb = build_problem(inst, policy, inputs.seed, diags)?;

    let (kept, vacated) = resolve_dispatch(&pb, opts, &dispatch.rows, &gone)?;
    super::check_csv_encoding(&pb, &opts.output)?;
    let dir = OutputDir::open(&opts.out, SetKind::Results)?;
    let fix = Fixings {
        kept: kept.clone(),
        allow_shortfall: opts.allow_shortfall,
    };
    let sol = solve_with(&pb, opts.engine, &opts.mip, &fix)?;
    let changes = changes(&pb, &sol, &kept, &vacated, opts.output.lang);
    let mut extra = vec![
        ("changes.csv".to_string(), changes_csv(&pb, &changes)),
        ("withdrawn.csv".to_string(), withdrawn_csv),
    ];
    if opts.output.xlsx_written() && !matches!(sol.status, crate::solve::Status::Infeasible { .. })
    {
        // Reserve positions as the round before had them: the kept
        // placements, everyone else unplaced.
        let before = Assignment {
            post_of: kept.clone(),
        };
        let earlier = reserves(&pb, &before);
        let rows: Vec<Replacement> = changes
            .iter()
            .map(|ch| Replacement {
                post: ch.post,
                left: ch.withdrawn.as_ref().map(|id| {
                    let name = left_names.get(id).cloned().unwrap_or_default();
                    (id.clone(), name)
                }),
                by: ch.replacement,
                reserve_position: ch.replacement.and_then(|c| {
                    let (_, list) = earlier.iter().find(|(p, _)| *p == ch.post)?;
                    list.iter().position(|&x| x == c).map(|k| k + 1)
                }),
                note: ch.reason.clone(),
            })
            .collect();
        let now = reserves(&pb, &sol.assignment);
        let o = &opts.output;
        let lists = Lists::new(&pb, &sol, &now, o.show_id, o.date);
        extra.push(("递补名单.xlsx".to_string(), lists.replacements(&rows)?));
    }
    let mut replay = Replay::new("backfill", inputs, opts.engine, &opts.mip, &opts.output);
    replay.dispatch = Some(abs(&opts.dispatch));
    replay.withdrawn = opts.withdrawn.iter().map(|w| abs(w)).collect();
    replay.allow_shortfall = opts.allow_shortfall;
    let run = Run {
        replay,
        mip: &opts.mip,
        output: &opts.output,
        infeasible_hint: (!opts.allow_shortfall).then(|| {
            msg!(
                "可加 --allow-shortfall 重新运行：尽量递补，并列出未达标的规定及差额。",
                "Run again with --allow-shortfall to fill what can be filled and list the rules that fall short, by how much."
            )
        }),
    };
    write_outputs(&pb, dir, &run, &sol, extra)
}

/// The withdrawn leave the pool entirely: no placement, no envy, no
/// reserve; their locks are dropped (they left).
pub(crate) fn drop_withdrawn(inst: &mut Instance, gone: &HashSet<String>) {
    inst.candidates.rows.retain(|c| !gone.contains(&c.id));
    if let Some((_, locks)) = &mut inst.locks {
        locks
            .rows
            .retain(|r| !gone.contains(&r.placement.candidate));
    }
}

/// Map the dispatch onto the problem (without the withdrawn) and check that
/// it broke no hard constraint: any problem is an input error naming rows.
fn resolve_dispatch(
    pb: &Problem,
    opts: &BackfillOptions,
    rows: &[crate::domain::records::DispatchRecord],
    gone: &HashSet<String>,
) -> Result<(Vec<Option<PostIdx>>, Vec<Vacated>)> {
    let mut d = Diagnostics::default();
    let mut check = PlacementChecker::new(pb, opts.dispatch.display().to_string());
    let mut seen_gone: HashMap<&str, usize> = HashMap::new();
    let mut vacated = Vec::new();
    for r in rows {
        if !gone.contains(&r.candidate) {
            check.check(&mut d, r);
            continue;
        }
        let Some(p) = check.post(&mut d, r) else {
            continue;
        };
        if let Some(first) = seen_gone.insert(r.candidate.as_str(), r.pos.line) {
            let id = &r.candidate;
            let msg = msg!(
                "考生 {id} 出现了两次（第一次在第 {first} 行）",
                "candidate {id} is listed twice (first on line {first})"
            );
            d.push(check.file(), r.pos.line, r.pos.column, msg);
            continue;
        }
        check.occ[p.ix()] += 1;
        vacated.push(Vacated {
            post: p,
            withdrawn: r.candidate.clone(),
        });
    }
    let (file, occ, kept) = (check.file().to_string(), check.occ, check.placed);
    // Seats, scales, quotas and rules of the dispatch as given.
    let mut broken = capacity_violations(pb, &occ);
    broken.extend(rule_violations(&rule_figures(pb, &occ)));
    for v in broken {
        let (zh, en) = (v.zh, v.en);
        d.push(
            &file,
            1,
            1,
            msg!(
                "派遣名单违反硬约束：{zh}；请先用 verify 检查并改正",
                "the dispatch breaks a hard constraint: {en}; run verify on it and correct it first"
            ),
        );
    }
    // A lock is a decision already made: the dispatch must honour it.
    for l in &pb.locks {
        if kept[l.candidate.ix()] != Some(l.post) {
            let (id, post, line) = (&l.candidate_id, &l.post_id, l.line);
            let msg = msg!(
                "考生 {id} 被锁定在岗位 {post}（锁定文件第 {line} 行），派遣名单却没有把他/她派到那里",
                "candidate {id} is locked at post {post} (locks file line {line}) but the dispatch does not place them there"
            );
            d.push(&file, 1, 1, msg);
        }
    }
    d.finish((kept, vacated))
}

/// One change a backfill made: a vacated seat (who left, who replaces
/// them, or why it stays empty), or another newly filled seat.
struct Change {
    post: PostIdx,
    withdrawn: Option<String>,
    replacement: Option<CandidateIdx>,
    reason: String,
}

/// The backfill's changes: one per vacated seat, then one per other newly
/// filled seat. `changes.csv` and 递补名单.xlsx are both written from them.
fn changes(
    pb: &Problem,
    sol: &Solution,
    kept: &[Option<PostIdx>],
    vacated: &[Vacated],
    lang: Lang,
) -> Vec<Change> {
    let a = &sol.assignment;
    // New placements per post, best priority first.
    let mut new_at: Vec<Vec<CandidateIdx>> = vec![Vec::new(); pb.posts.len()];
    for (c, p) in a.post_of.iter().enumerate() {
        if let Some(p) = *p {
            if kept[c].is_none() {
                new_at[p.ix()].push(CandidateIdx::from_ix(c));
            }
        }
    }
    for (p, list) in new_at.iter_mut().enumerate() {
        list.sort_by(|&x, &y| pb.cmp_at(PostIdx::from_ix(p), y, x));
        list.reverse(); // pop() takes the best
    }
    let ex = Explainer::new(pb, a, post_occupancy(pb, a), lang);
    let mut out = Vec::new();
    for v in vacated {
        let replacement = new_at[v.post.ix()].pop();
        out.push(Change {
            post: v.post,
            withdrawn: Some(v.withdrawn.clone()),
            replacement,
            reason: match replacement {
                Some(_) => String::new(),
                None => empty_seat_reason(pb, &ex, a, v.post),
            },
        });
    }
    for (p, list) in new_at.iter().enumerate() {
        for &c in list.iter().rev() {
            out.push(Change {
                post: PostIdx::from_ix(p),
                withdrawn: None,
                replacement: Some(c),
                reason: lang
                    .pick("补入原本空余的名额", "filled a seat that was already open")
                    .into(),
            });
        }
    }
    out
}

/// `changes.csv`: post, who left, who replaces them, the replacement's
/// rank, and why the seat stays empty when it does (withdrawn_id empty for
/// a seat that was already open).
fn changes_csv(pb: &Problem, changes: &[Change]) -> Vec<u8> {
    let mut w = CsvFile::new([
        "post_id",
        "withdrawn_id",
        "replacement_id",
        "rank",
        "reason",
    ]);
    for ch in changes {
        let (id, rank) = match ch.replacement {
            Some(c) => (
                pb.candidates[c.ix()].id.clone(),
                pb.rank(c, ch.post).map_or(String::new(), |r| r.to_string()),
            ),
            None => (String::new(), String::new()),
        };
        let gone = ch.withdrawn.as_deref().unwrap_or("");
        w.row([
            pb.posts[ch.post.ix()].id.as_str(),
            gone,
            &id,
            &rank,
            &ch.reason,
        ]);
    }
    w.into_bytes()
}

/// Why a vacated seat stays empty: nobody left can take it, or what keeps
/// its best remaining applicant out.
fn empty_seat_reason(
    pb: &Problem,
    ex: &Explainer,
    a: &crate::model::evaluate::Assignment,
    p: PostIdx,
) -> String {
    let top = pb.applicants[p.ix()]
        .iter()
        .map(|&i| pb.pairs[i as usize])
        .find(|pr| a.post_of[pr.candidate.ix()].is_none());
    match top {
        None => ex
            .lang()
            .pick(
                "没有符合条件且接受该岗位的剩余候选人",
                "no remaining candidate is eligible for this post and accepts it",
            )
            .into(),
        Some(pr) => format!(
            "{} {}{}{}",
            ex.lang()
                .pick("排序最前的剩余申请人", "best remaining applicant"),
            pb.candidates[pr.candidate.ix()].id,
            ex.lang().pick("：", ": "),
            ex.why_not(pr.candidate, p, pr.rank)
        ),
    }
}
