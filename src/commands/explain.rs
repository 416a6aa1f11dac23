//! `xibu explain`: for one candidate, where they were placed and, for every
//! post they ranked above it, why they did not get it. The words come from
//! `output::reasons`, the same code that writes `unplaced.csv`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::audit::{on_disk, ManifestFile};
use super::replay::abs;
use super::{load, read_all, read_assignment, Inputs};
use crate::error::{Diagnostic, Diagnostics, Error, Msg, Result};
use crate::input::records::read_withdrawn;
use crate::input::Encoding;
use crate::lang::Lang;
use crate::model::evaluate::{evaluate, post_occupancy};
use crate::model::{build_problem, Problem};
use crate::msg;
use crate::output::reasons::{Explainer, PostReason};

/// Options of `explain`.
#[derive(Debug, Clone, Default)]
pub struct ExplainOptions {
    /// The dispatch.csv to explain.
    pub dispatch: PathBuf,
    /// Candidate id (报名号).
    pub candidate: String,
    /// Language of the explanation.
    pub lang: Lang,
}

/// An explanation of one candidate's outcome.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Explanation {
    /// Candidate id.
    pub candidate: String,
    /// Name (姓名), may be empty.
    pub name: String,
    /// Post id held, if any.
    pub post: Option<String>,
    /// Rank of the post held.
    pub rank: Option<u32>,
    /// One line: where the candidate is, or why they are not placed.
    pub placement: String,
    /// Every post ranked above the one held (all acceptable posts when
    /// unplaced), with the reason.
    pub above: Vec<PostReason>,
    /// Where the candidate is a reserve (候补): post id and place on its
    /// list (1 = first called), as reserves.csv has them.
    pub reserve: Vec<(String, usize)>,
    /// What the reader should know first: the inputs given differ from
    /// those of the run that wrote the dispatch (its run.json), so the
    /// reasons may not be the run's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Msg>,
}

/// Explain one candidate's outcome in a dispatch, which is first checked as
/// `verify` checks it: a dispatch that breaks a hard constraint (a
/// candidate twice, a post not chosen, one from another instance) is not
/// explained. When a run.json lies beside the dispatch, inputs that differ
/// from the run's are named in `notes`.
pub fn explain(inputs: &Inputs, opts: &ExplainOptions) -> Result<Explanation> {
    let pb = load(inputs)?;
    let beside = opts
        .dispatch
        .parent()
        .unwrap_or(Path::new("."))
        .join("run.json");
    let mut e = explain_in(&pb, &opts.dispatch, inputs.encoding, opts, false)?;
    if let Ok(m) = ManifestFile::read(&beside) {
        e.notes = differences(inputs, &m, &beside);
    }
    Ok(e)
}

/// `explain --manifest run.json`: the inputs and options of the run, its
/// dispatch.csv beside run.json; refused when an input or the dispatch
/// changed since the run.
pub fn explain_run(manifest: &Path, opts: &ExplainOptions) -> Result<Explanation> {
    let m = ManifestFile::read(manifest)?;
    let r = &m.replay;
    let file = manifest.display().to_string();
    let refuse = |m: Msg| Error::Input(vec![Diagnostic::new(&file, 1, 1, m)]);
    if r.command == "scenarios" {
        return Err(refuse(msg!(
            "explain --manifest 只接受 allocate 和 backfill 的结果；方案请给出该方案的输入和 --dispatch",
            "explain --manifest takes allocate and backfill results; for a scenario, give the scenario's inputs and --dispatch"
        )));
    }
    let dispatch = manifest
        .parent()
        .unwrap_or(Path::new("."))
        .join("dispatch.csv");
    let listed: Vec<_> = m
        .outputs
        .iter()
        .filter(|o| o.file == "dispatch.csv")
        .cloned()
        .collect();
    let bad: Vec<String> = m
        .check_inputs()
        .into_iter()
        .chain(on_disk(manifest, &listed, false))
        .filter(|c| !c.ok)
        .map(|c| c.line)
        .collect();
    if !bad.is_empty() {
        let bad = bad.join("; ");
        return Err(refuse(msg!(
            "这些文件已不是那次运行所用的文件，无法据此解释其结果：{bad}",
            "the files are no longer those of the run, so its outcomes cannot be explained from them: {bad}"
        )));
    }
    let inputs = r.inputs()?;
    let pb = if r.command == "backfill" {
        without_withdrawn(&inputs, &r.withdrawn)?
    } else {
        load(&inputs)?
    };
    explain_in(&pb, &dispatch, inputs.encoding, opts, r.allow_shortfall)
}

/// The pool of a backfill round: the inputs without the withdrawn.
fn without_withdrawn(inputs: &Inputs, withdrawn: &[PathBuf]) -> Result<Problem> {
    let (policy, mut inst, mut diags) = read_all(inputs)?;
    let mut gone = HashSet::new();
    for w in withdrawn {
        gone.extend(
            read_withdrawn(w, inputs.encoding, &mut diags)
                .rows
                .into_iter()
                .map(|r| r.id),
        );
    }
    super::backfill::drop_withdrawn(&mut inst, &gone);
    match policy {
        Some(p) => build_problem(inst, p, inputs.seed, diags),
        None => Err(diags.into_error()),
    }
}

fn explain_in(
    pb: &Problem,
    dispatch: &Path,
    enc: Encoding,
    opts: &ExplainOptions,
    allow_shortfall: bool,
) -> Result<Explanation> {
    let Some(&c) = pb.candidate_index().get(opts.candidate.as_str()) else {
        let mut d = Diagnostics::default();
        d.push(&pb.files.candidates, 1, 1, {
            let id = &opts.candidate;
            msg!(
                "考生 {id}（--candidate）不存在：他/她不在这个文件中",
                "unknown candidate {id} (--candidate); it is not in this file"
            )
        });
        return Err(d.into_error());
    };
    let (a, dup) = read_assignment(pb, dispatch, enc)?;
    let ev = evaluate(pb, &a);
    let allowed = allow_shortfall && ev.only_rule_shortfalls();
    let mut broken = dup;
    if !allowed {
        broken.extend(ev.violations.iter().cloned());
    }
    if !broken.is_empty() {
        const SHOWN: usize = 5;
        let more = broken.len().saturating_sub(SHOWN);
        broken.truncate(SHOWN);
        let (d, list) = (dispatch.display(), Msg::join(&broken));
        let (zh_list, en_list) = (list.zh, list.en);
        let (zh, en) = if more > 0 {
            (
                format!("；…… 另有 {more} 处"),
                format!("; … and {more} more"),
            )
        } else {
            Default::default()
        };
        return Err(Error::Violations(msg!(
            "{d} 违反硬约束，因此不解释其结果（它是这些输入的派遣名单吗？）：{zh_list}{zh}；`xibu verify` 会列出每个问题",
            "{d} breaks hard constraints, so its outcomes are not explained (is it the dispatch of these inputs?): {en_list}{en}; `xibu verify` lists every problem"
        )));
    }
    let ex = Explainer::new(pb, &a, post_occupancy(pb, &a), opts.lang);
    let post = a.post_of[c.ix()];
    let reserve = crate::output::reserves::reserves(pb, &a)
        .into_iter()
        .filter_map(|(p, list)| {
            let k = list.iter().position(|&x| x == c)?;
            Some((pb.posts[p.ix()].id.clone(), k + 1))
        })
        .collect();
    Ok(Explanation {
        candidate: opts.candidate.clone(),
        name: pb.candidates[c.ix()].name.clone(),
        post: post.map(|p| pb.posts[p.ix()].id.clone()),
        rank: post.and_then(|p| pb.rank(c, p)),
        placement: ex.placement(c),
        above: ex.above(c),
        reserve,
        notes: Vec::new(),
    })
}

/// How the inputs given differ from the run's: a file left out or added,
/// another file, or the same file changed since; another seed.
fn differences(inputs: &Inputs, m: &ManifestFile, manifest: &Path) -> Vec<Msg> {
    let given = super::replay::Replay::new(
        "explain",
        inputs,
        Default::default(),
        &Default::default(),
        &Default::default(),
    );
    let mut notes = Vec::new();
    let mine: Vec<(String, PathBuf)> = given
        .files()
        .into_iter()
        .filter(|(role, _)| role != "dispatch")
        .collect();
    for &role in super::INPUT_ROLES {
        let theirs = m.inputs.iter().find(|f| f.role == role);
        let ours = mine.iter().find(|(r, _)| r == role).map(|(_, p)| abs(p));
        match (theirs, ours) {
            (Some(t), None) => {
                let t = t.path.display();
                notes.push(msg!(
                    "那次运行从 {t} 读取 {role}，这里没有给出：原因可能与那次运行不同",
                    "the run read {role} from {t}, not given here: reasons may differ from the run's"
                ))
            }
            (None, Some(p)) => {
                let p = p.display();
                notes.push(msg!(
                    "这里给出了 {role} {p}，那次运行却没有：原因可能与那次运行不同",
                    "{role} {p} is given here but the run had none: reasons may differ from the run's"
                ))
            }
            (Some(t), Some(p)) if t.path != p => {
                let (t, p) = (t.path.display(), p.display());
                notes.push(msg!(
                    "那次运行从 {t} 读取 {role}，而不是 {p}：原因可能与那次运行不同",
                    "the run read {role} from {t}, not {p}: reasons may differ from the run's"
                ))
            }
            _ => {}
        }
    }
    notes.extend(m.check_inputs().into_iter().filter(|c| !c.ok).map(|c| {
        let l = c.line;
        msg!(
            "{l}：原因可能与那次运行不同",
            "{l}: reasons may differ from the run's"
        )
    }));
    if m.replay.seed != inputs.seed {
        let (theirs, ours) = (m.replay.seed, inputs.seed);
        notes.push(msg!(
            "那次运行用的是 --seed {theirs}，不是 {ours}：并列可能以不同方式打破",
            "the run used --seed {theirs}, not {ours}: ties may be broken differently"
        ));
    }
    if !notes.is_empty() {
        let m = manifest.display();
        notes.push(msg!(
            "`xibu explain --manifest {m}` 会使用那次运行自己的输入",
            "`xibu explain --manifest {m}` takes the run's own inputs"
        ));
    }
    notes
}

/// The explanation as text.
pub fn explain_text(e: &Explanation, lang: Lang) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let name = if e.name.is_empty() {
        String::new()
    } else {
        format!("（{}）", e.name)
    };
    let _ = writeln!(
        s,
        "{} {}{name}",
        lang.pick("候选人", "candidate"),
        e.candidate
    );
    let _ = writeln!(s, "{}", e.placement);
    if !e.reserve.is_empty() {
        let places: Vec<String> = e
            .reserve
            .iter()
            .map(|(p, k)| match lang {
                Lang::Zh => format!("{p} 第 {k} 位"),
                Lang::En => format!("{p} no. {k}"),
            })
            .collect();
        let _ = match lang {
            Lang::Zh => writeln!(s, "候补：{}", places.join("；")),
            Lang::En => writeln!(s, "reserve for: {}", places.join("; ")),
        };
    }
    if e.above.is_empty() {
        let none = match e.post {
            Some(_) => lang.pick(
                "这是其第一志愿（没有排在更前的岗位）",
                "this is their first choice (no post ranked above it)",
            ),
            None => lang.pick("没有可接受的岗位", "no acceptable post"),
        };
        let _ = writeln!(s, "{none}");
        return s;
    }
    let head = match e.post {
        Some(_) => lang.pick("排在所得岗位之前的志愿：", "posts ranked above it:"),
        None => lang.pick("可接受的岗位：", "acceptable posts:"),
    };
    let _ = writeln!(s, "{head}");
    for r in &e.above {
        let _ = match lang {
            Lang::Zh => writeln!(s, "  第 {} 志愿 {}：{}", r.rank, r.post, r.reason),
            Lang::En => writeln!(s, "  rank {} {}: {}", r.rank, r.post, r.reason),
        };
    }
    s
}
