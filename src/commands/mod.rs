//! The commands of the `xibu` binary (interface §4), as library functions:
//! `main.rs` only parses arguments and calls these.

pub mod audit;
pub mod backfill;
pub mod dispatch;
pub mod explain;
pub use dispatch::read_assignment;
pub mod replay;
pub mod scenarios;

use std::path::{Path, PathBuf};

use crate::domain::policy::Policy;
use crate::domain::records::{ColumnReport, Instance};
use crate::error::{Diagnostics, Error, Msg, Result};
use crate::input::records::{read_instance, read_locks, InputPaths};
use crate::input::{load_policy, Encoding};
use crate::lang::Lang;
use crate::model::evaluate::{evaluate, Evaluation};
use crate::model::{build_problem, Problem};
use crate::msg;
use crate::output::commit::{OutputDir, SetKind, DIAGNOSIS};
use crate::output::files::{
    dispatch_csv, envy_csv, reserves_csv, unplaced_csv, unplaced_reasons, Summary,
};
use crate::output::report::report_html;
use crate::output::reserves::solution_reserves;
use crate::output::xlsx::Lists;
use crate::output::OutputOptions;
use crate::solve::settings::MipSettings;
use crate::solve::{solve, Engine, Solution, Status};
use replay::Replay;

/// The input files of a run, by role (run.json's `role`, the web page's
/// form fields).
pub const INPUT_ROLES: &[&str] = &[
    "candidates",
    "posts",
    "model",
    "counties",
    "incumbents",
    "locks",
];

/// The inputs shared by every command that reads an instance.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Table files.
    pub paths: InputPaths,
    /// Model file.
    pub model: PathBuf,
    /// CSV decoding.
    pub encoding: Encoding,
    /// Lottery seed.
    pub seed: u64,
    /// Locked placements (`--locks`), optional.
    pub locks: Option<PathBuf>,
    /// Headers that may be ignored even though they look like a column
    /// xibu reads (`--ignore-column`).
    pub ignore_columns: Vec<String>,
}

/// Read the model and every table, collecting every problem of every file
/// (the model is `None` when it could not be read).
pub(crate) fn read_all(inputs: &Inputs) -> Result<(Option<Policy>, Instance, Diagnostics)> {
    let mut diags = Diagnostics::default();
    let policy = match load_policy(&inputs.model) {
        Ok(p) => Some(p),
        Err(Error::Input(d)) => {
            diags.0.extend(d);
            None
        }
        Err(e) => return Err(e),
    };
    let mut inst = read_instance(
        &inputs.paths,
        inputs.encoding,
        &inputs.ignore_columns,
        &mut diags,
    );
    inst.locks = inputs.locks.as_ref().map(|path| {
        let rows = read_locks(path, inputs.encoding, &inputs.ignore_columns, &mut diags);
        (path.display().to_string(), rows)
    });
    Ok((policy, inst, diags))
}

/// `xibu check`: read and validate every file and the model without
/// solving. Returns what each header row was read as (whenever the files
/// could be opened) and the problem, or every problem found.
pub fn check(inputs: &Inputs) -> Result<(Vec<ColumnReport>, Result<Problem>)> {
    let (policy, inst, diags) = read_all(inputs)?;
    let columns = inst.column_reports();
    let built = match policy {
        Some(policy) => build_problem(inst, policy, inputs.seed, diags),
        None => Err(diags.into_error()),
    };
    Ok((columns, built))
}

/// Read the model and every file, reporting every problem of every file at
/// once, and build the problem.
pub fn load(inputs: &Inputs) -> Result<Problem> {
    check(inputs)?.1
}

/// Options of `allocate`.
#[derive(Debug, Clone, Default)]
pub struct AllocateOptions {
    /// Output directory.
    pub out: PathBuf,
    /// Engine.
    pub engine: Engine,
    /// Exact-engine settings (time limit, threads, model dump).
    pub mip: MipSettings,
    /// Language and Excel lists.
    pub output: OutputOptions,
}

/// `xibu allocate`: solve and write the outputs as one set.
pub fn allocate(inputs: &Inputs, opts: &AllocateOptions) -> Result<Summary> {
    let pb = load(inputs)?;
    check_csv_encoding(&pb, &opts.output)?;
    // Taken before the solve: a busy or unusable folder fails now, not
    // after the solve.
    let dir = OutputDir::open(&opts.out, SetKind::Results)?;
    let sol = solve(&pb, opts.engine, &opts.mip)?;
    let run = Run {
        replay: Replay::new("allocate", inputs, opts.engine, &opts.mip, &opts.output),
        mip: &opts.mip,
        output: &opts.output,
        infeasible_hint: None,
    };
    write_outputs(&pb, dir, &run, &sol, Vec::new())
}

/// What produced a result: recorded in run.json and replayed by
/// `verify --manifest`.
pub struct Run<'a> {
    /// The command and every option needed to run it again.
    pub replay: Replay,
    /// Engine settings.
    pub mip: &'a MipSettings,
    /// Output options.
    pub output: &'a OutputOptions,
    /// What to suggest when the result is infeasible (backfill:
    /// `--allow-shortfall`).
    pub infeasible_hint: Option<Msg>,
}

/// Output files as (name in the folder, bytes).
pub(crate) type Files = Vec<(String, Vec<u8>)>;

/// Every output file of a feasible solution, rendered: dispatch.csv,
/// unplaced.csv, reserves.csv, summary.json, report.html, the Excel lists
/// when asked, the command's `extra` files, and run.json last (it holds the
/// SHA-256 of the others).
pub(crate) fn result_files(
    pb: &Problem,
    run: &Run,
    sol: &Solution,
    extra: Vec<(String, Vec<u8>)>,
) -> Result<(Summary, Files)> {
    let ev = evaluate(pb, &sol.assignment);
    let summary = Summary::new(pb, &run.replay.engine, sol, &ev);
    let reasons = unplaced_reasons(pb, sol, &ev, run.output.lang);
    let reserve_lists = solution_reserves(pb, sol);
    let json = serde_json::to_vec_pretty(&summary).expect("summary serializes");
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("dispatch.csv".into(), dispatch_csv(pb, &sol.assignment)),
        ("unplaced.csv".into(), unplaced_csv(pb, &reasons)),
        ("reserves.csv".into(), reserves_csv(pb, &reserve_lists)),
        ("envy.csv".into(), envy_csv(pb, sol, &ev, run.output.lang)),
        ("summary.json".into(), json),
        (
            "report.html".into(),
            report_html(pb, sol, &summary, &ev.occupancy, &reserve_lists).into_bytes(),
        ),
    ];
    files.extend(extra);
    encode_csv(&mut files, run.output)?;
    let o = run.output;
    if o.xlsx_written() {
        let lists = Lists::new(pb, sol, &reserve_lists, o.show_id, o.date);
        files.push(("派遣名单.xlsx".into(), lists.dispatch()?));
        files.push(("候补名单.xlsx".into(), lists.reserves()?));
        files.push(("未安排名单.xlsx".into(), lists.unplaced(&reasons)?));
        files.push(("汇总表.xlsx".into(), lists.summary()?));
        if o.per_county {
            files.extend(lists.per_county()?);
        }
    }
    let manifest = audit::manifest(pb, &run.replay, run.mip, &summary, &files)?;
    files.push(("run.json".into(), manifest));
    Ok((summary, files))
}

/// Encode every CSV of `files` as `--csv-encoding` says (they are built in
/// UTF-8).
pub(crate) fn encode_csv(files: &mut Files, o: &OutputOptions) -> Result<()> {
    for (name, bytes) in files.iter_mut().filter(|(n, _)| n.ends_with(".csv")) {
        *bytes = o.csv_encoding.encode(bytes, name)?;
    }
    Ok(())
}

/// With `--csv-encoding gbk`, a text of the inputs that GBK cannot hold
/// fails before the solve, not at the writing after it.
pub(crate) fn check_csv_encoding(pb: &Problem, o: &OutputOptions) -> Result<()> {
    use crate::output::csvfile::{first_outside_gbk, CsvEncoding};
    if o.csv_encoding != CsvEncoding::Gbk {
        return Ok(());
    }
    let texts = pb
        .candidates
        .iter()
        .flat_map(|c| [&c.id, &c.name, &c.major])
        .chain(pb.posts.iter().flat_map(|p| [&p.id, &p.unit]))
        .chain(pb.counties.iter().flat_map(|c| [&c.code, &c.name]))
        .chain(pb.leagues.iter());
    for t in texts {
        if let Some(c) = first_outside_gbk(t) {
            return Err(Error::Output(msg!(
                "{t:?} 含有 GBK 无法表示的字符 {c:?}；请用 --csv-encoding utf-8-bom（默认）",
                "{t:?} holds the character {c:?}, which GBK cannot hold; use --csv-encoding utf-8-bom (the default)"
            )));
        }
    }
    Ok(())
}

/// The diagnosis an infeasible run writes instead of results (interface
/// §3: exit 3 leaves every earlier output as it was).
pub(crate) fn diagnosis(run: &Run, reasons: &[Msg]) -> (Msg, Vec<u8>) {
    use std::fmt::Write;
    let lang = run.output.lang;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{}",
        lang.pick(
            "无解：没有一种安排能同时满足以下硬性规定。此前的结果文件未被改动。",
            "Infeasible: no allocation meets all of these hard constraints. The earlier results in this folder were left as they were."
        )
    );
    for r in reasons {
        let _ = writeln!(t, "- {}", r.get(lang));
    }
    let mut msg = Msg::join(reasons);
    if let Some(h) = &run.infeasible_hint {
        let _ = writeln!(t, "{}", h.get(lang));
        msg = msg.map(|l, m| format!("{m}\n{}", h.get(l)));
    }
    (msg, t.into_bytes())
}

/// Write every output of a solution as one set into `dir`; an infeasible
/// result writes only its diagnosis and leaves the earlier set untouched.
pub(crate) fn write_outputs(
    pb: &Problem,
    mut dir: OutputDir,
    run: &Run,
    sol: &Solution,
    extra: Vec<(String, Vec<u8>)>,
) -> Result<Summary> {
    if let Status::Infeasible { reasons } = &sol.status {
        let (msg, text) = diagnosis(run, reasons);
        let path = dir.path().join(DIAGNOSIS);
        dir.add_only(DIAGNOSIS, &text)?;
        let p = path.display();
        let (zh, en) = (msg.zh, msg.en);
        return Err(Error::Infeasible(msg!(
            "{zh}\n（已写入 {p}；此前的结果未被改动）",
            "{en}\n(written to {p}; the earlier results were left as they were)"
        )));
    }
    let (mut summary, files) = result_files(pb, run, sol, extra)?;
    for (name, bytes) in &files {
        dir.write(name, bytes)?;
    }
    summary.notes.extend(dir.commit()?);
    Ok(summary)
}

/// `xibu verify`: check a dispatch against every hard constraint.
pub fn verify(inputs: &Inputs, dispatch: &Path) -> Result<Evaluation> {
    let pb = load(inputs)?;
    let (a, dup) = read_assignment(&pb, dispatch, inputs.encoding)?;
    let mut ev = evaluate(&pb, &a);
    ev.violations.splice(0..0, dup);
    Ok(ev)
}

/// The JSON of `verify --json` (interface §4), with the rule figures added.
pub fn verify_json(ev: &Evaluation) -> serde_json::Value {
    serde_json::json!({
        "ok": ev.violations.is_empty(),
        "violations": ev.violations,
        "objective": ev.objective,
        "rules": ev.rules,
    })
}

/// Human-readable verify report, in `lang`.
pub fn verify_text(ev: &Evaluation, lang: Lang) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let o = ev.objective;
    let _ = match lang {
        Lang::Zh => writeln!(
            s,
            "目标：阻塞对 {} 个，派遣 {} 人，志愿序号之和 {}",
            o.envy, o.fill, o.preference
        ),
        Lang::En => writeln!(
            s,
            "objective: envy {} fill {} preference {}",
            o.envy, o.fill, o.preference
        ),
    };
    for f in &ev.rules {
        let _ = writeln!(
            s,
            "rule {:<24} {:<7} {:<10} {:>5} / {:<5} {} {:.3}  {}",
            f.rule,
            f.scope,
            f.place,
            f.count,
            f.total,
            f.op,
            f.bound,
            if f.ok {
                lang.pick("达标", "ok")
            } else {
                lang.pick("未达标", "VIOLATED")
            }
        );
    }
    if ev.violations.is_empty() {
        let line = lang.pick("通过：全部硬约束都满足", "ok: every hard constraint holds");
        let _ = writeln!(s, "{line}");
    } else {
        for v in &ev.violations {
            let _ = writeln!(s, "{}{}", lang.pick("违反：", "violation: "), v.get(lang));
        }
    }
    s
}
