//! `xibu explain`: for one candidate, where they were placed and, for every
//! post they ranked above it, why they did not get it. The words come from
//! `output::reasons`, the same code that writes `unplaced.csv`.

use std::path::PathBuf;

use super::{load, read_assignment, Inputs};
use crate::error::{Diagnostics, Result};
use crate::lang::Lang;
use crate::model::evaluate::post_occupancy;
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
}

/// Explain one candidate's outcome in a dispatch. An unknown candidate id
/// is an input error.
pub fn explain(inputs: &Inputs, opts: &ExplainOptions) -> Result<Explanation> {
    let pb = load(inputs)?;
    let Some(&c) = pb.candidate_index().get(opts.candidate.as_str()) else {
        let mut d = Diagnostics::default();
        d.push(
            &pb.files.candidates,
            1,
            1,
            format!(
                "unknown candidate {} (--candidate); it is not in this file",
                opts.candidate
            ),
        );
        return Err(d.into_error());
    };
    let (a, _) = read_assignment(&pb, &opts.dispatch, inputs.encoding)?;
    let ex = Explainer::new(&pb, &a, post_occupancy(&pb, &a), opts.lang);
    let post = a.post_of[c.ix()];
    Ok(Explanation {
        candidate: opts.candidate.clone(),
        name: pb.candidates[c.ix()].name.clone(),
        post: post.map(|p| pb.posts[p.ix()].id.clone()),
        rank: post.and_then(|p| pb.rank(c, p)),
        placement: ex.placement(c),
        above: ex.above(c),
    })
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
