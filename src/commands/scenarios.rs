//! `xibu scenarios`: what-if planning. Every scenario is the model and the
//! instance with its overrides applied, solved exactly as `allocate` would
//! (in parallel, HiGHS on one thread each), into `DIR/<name>/`; then
//! `comparison.csv`, `comparison.html` and, with a baseline, `moves.csv`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::replay::{abs, Replay};
use super::{diagnosis, result_files, Files, Inputs, Run};
use crate::error::{Diagnostic, Diagnostics, Error, Msg, Result};
use crate::input::scenarios::{apply, load_scenarios};
use crate::input::ModelSource;
use crate::model::evaluate::post_occupancy;
use crate::model::rules::RuleFigure;
use crate::model::{build_problem, Problem};
use crate::output::commit::{OutputDir, SetKind, DIAGNOSIS};
use crate::output::csvfile::CsvFile;
use crate::output::html::{bar_chart, esc, page_head};
use crate::output::OutputOptions;
use crate::solve::{objective::work_estimate, settings::MipSettings};
use crate::solve::{solve, Engine, Outcome};

/// Options of `scenarios`.
#[derive(Debug, Clone, Default)]
pub struct ScenarioOptions {
    /// The scenario file.
    pub scenarios: PathBuf,
    /// Output directory.
    pub out: PathBuf,
    /// Scenario to compare placements against (`moves.csv`).
    pub baseline: Option<String>,
    /// Engine settings for every scenario (threads are forced to 1; the
    /// time limit applies to each scenario).
    pub mip: MipSettings,
    /// Language and Excel lists of each scenario's result.
    pub output: OutputOptions,
    /// Solve only this scenario (replaying one result).
    pub only: Option<String>,
}

impl Row {
    /// The status as written: `optimal`, `feasible`, `infeasible` or `error`.
    pub fn status_key(&self) -> &'static str {
        self.status.map_or("error", Outcome::key)
    }
}

/// One scenario's row of `comparison.csv`.
#[derive(Debug, Clone)]
pub struct Row {
    /// Scenario name.
    pub name: String,
    /// How the scenario's solve ended; `None` when it failed (written
    /// `error`).
    pub status: Option<Outcome>,
    /// Placed candidates (when solved).
    pub placed: Option<u64>,
    /// Blocking pairs.
    pub envy: Option<u64>,
    /// Sum of ranks.
    pub preference: Option<u64>,
    /// Seats left open.
    pub open_seats: Option<u64>,
    /// Wall seconds of this scenario.
    pub seconds: f64,
    /// Placed per league (same order as `leagues`).
    pub league_placed: Vec<u64>,
    /// Open seats per league.
    pub league_open: Vec<u64>,
    /// Per rule (model order of the base model): the smallest slack over its
    /// scopes that hold anyone (count − bound for ≥, bound − count for ≤;
    /// negative = broken; empty when no scope holds anyone).
    pub rule_slack: Vec<Option<f64>>,
    /// Why it failed, when it did (scenarios.csv keeps the English).
    pub note: Option<Msg>,
    /// Candidate id → (post id, rank), for moves.
    pub placements: HashMap<String, (String, u32)>,
}

/// `xibu scenarios`.
pub fn scenarios(inputs: &Inputs, opts: &ScenarioOptions) -> Result<Vec<Row>> {
    let (policy, inst, mut diags) = super::read_all(inputs)?;
    let file = opts.scenarios.display().to_string();
    let list = match load_scenarios(&opts.scenarios) {
        Ok(l) => l,
        Err(Error::Input(d)) => {
            diags.0.extend(d);
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    if let Some(b) = &opts.baseline {
        if !list.is_empty() && !list.iter().any(|s| &s.name == b) {
            diags.push(
                "--baseline",
                1,
                1,
                crate::msg!("没有名为 '{b}' 的方案", "no scenario is named '{b}'"),
            );
        }
    }
    let Some(policy) = policy.filter(|_| diags.is_empty()) else {
        return Err(diags.into_error());
    };
    // The model file parsed cleanly above; scenarios edit its TOML.
    let model = ModelSource::load(&inputs.model)?;
    // Build every scenario's problem first: any bad override stops the run
    // before anything is solved, with every problem of every scenario.
    let mut problems: Vec<(String, Problem)> = Vec::new();
    let mut errs: Vec<Diagnostic> = Vec::new();
    for sc in list
        .iter()
        .filter(|s| opts.only.as_ref().is_none_or(|o| o == &s.name))
    {
        let mut ins = inst.clone();
        let pol = match apply(sc, &file, &model, &mut ins) {
            Ok(pol) => pol,
            Err(e) => {
                errs.extend(e);
                continue;
            }
        };
        let built = build_problem(ins, pol, inputs.seed, Diagnostics::default());
        match built {
            Ok(pb) => problems.push((sc.name.clone(), pb)),
            Err(Error::Input(d)) => errs.extend(d.into_iter().map(|x| Diagnostic {
                message: x.message.map(|lang, m| {
                    let name = &sc.name;
                    match lang {
                        crate::lang::Lang::Zh => format!("在方案 '{name}' 中：{m}"),
                        crate::lang::Lang::En => format!("with scenario '{name}': {m}"),
                    }
                }),
                ..x
            })),
            Err(e) => return Err(e),
        }
    }
    if !errs.is_empty() {
        return Err(Diagnostics(errs).into_error());
    }
    for (_, pb) in &problems {
        super::check_csv_encoding(pb, &opts.output)?;
    }
    // One HiGHS thread per solve; no progress line for parallel solves.
    let settings = MipSettings {
        threads: 1,
        progress: Default::default(),
        ..opts.mip.clone()
    };
    let mut dir = OutputDir::open(&opts.out, SetKind::Results)?;
    let rule_names: Vec<String> = policy.rules.iter().map(|r| r.name.clone()).collect();
    // Longest first (the others then fill in around it), each worker taking
    // the next scenario when it is free; rows come back in file order.
    let mut order: Vec<usize> = (0..problems.len()).collect();
    let work: Vec<f64> = problems.iter().map(|(_, pb)| work_estimate(pb)).collect();
    order.sort_by(|&a, &b| work[b].total_cmp(&work[a]).then(a.cmp(&b)));
    let next = AtomicUsize::new(0);
    type Done = Option<(Row, Files)>;
    let done: Mutex<Vec<Done>> = Mutex::new(vec![None; problems.len()]);
    rayon::scope(|s| {
        for _ in 0..rayon::current_num_threads().min(problems.len()) {
            s.spawn(|_| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = order.get(k) else { break };
                let (name, pb) = &problems[i];
                let row = run_one(inputs, name, pb, &settings, opts, &rule_names);
                done.lock().expect("no worker panics holding it")[i] = Some(row);
            });
        }
    });
    let mut rows: Vec<Row> = Vec::new();
    for r in done.into_inner().expect("no worker panicked") {
        let (row, files) = r.expect("every scenario ran");
        for (name, bytes) in files {
            dir.write(&format!("{}/{name}", row.name), &bytes)?;
        }
        rows.push(row);
    }
    let leagues = problems
        .first()
        .map(|(_, pb)| pb.leagues.clone())
        .unwrap_or_default();
    // What each scenario changed, as its file says it, for the page.
    let changed: HashMap<String, String> = list
        .iter()
        .map(|sc| {
            let edits: Vec<String> = sc
                .overrides
                .iter()
                .map(|o| format!("{} = {}", o.key, o.value))
                .collect();
            (sc.name.clone(), edits.join("；"))
        })
        .collect();
    // The page names leagues; the CSV keeps the codes.
    let league_labels: Vec<String> = leagues.iter().map(|l| policy.league_label(l)).collect();
    let mut root: Files = vec![(
        "comparison.csv".into(),
        comparison_csv(&rows, &leagues, &rule_names),
    )];
    if let Some(b) = &opts.baseline {
        root.push(("moves.csv".into(), moves_csv(&rows, b)));
    }
    super::encode_csv(&mut root, &opts.output)?;
    root.push((
        "comparison.html".into(),
        comparison_html(&rows, &league_labels, &changed).into_bytes(),
    ));
    for (name, bytes) in &root {
        dir.write(name, bytes)?;
    }
    let notes = dir.commit()?;
    if let Some(first) = rows.first_mut() {
        // Shown once, with the first scenario's line.
        for n in notes {
            first.note = Some(match first.note.take() {
                None => n,
                Some(before) => Msg::join(&[before, n]),
            });
        }
    }
    Ok(rows)
}

fn run_one(
    inputs: &Inputs,
    name: &str,
    pb: &Problem,
    settings: &MipSettings,
    opts: &ScenarioOptions,
    rule_names: &[String],
) -> (Row, Files) {
    let t = Instant::now();
    // The time limit is each scenario's own (interface §4), counted from
    // when a worker takes it up.
    let settings = &MipSettings {
        started: t,
        ..settings.clone()
    };
    let nl = pb.leagues.len();
    let mut row = Row {
        name: name.to_string(),
        status: None,
        placed: None,
        envy: None,
        preference: None,
        open_seats: None,
        seconds: 0.0,
        league_placed: vec![0; nl],
        league_open: vec![0; nl],
        rule_slack: vec![None; rule_names.len()],
        note: None,
        placements: HashMap::new(),
    };
    let mut replay = Replay::new("scenarios", inputs, Engine::Exact, settings, &opts.output);
    replay.scenarios = Some(abs(&opts.scenarios));
    replay.scenario = Some(name.to_string());
    let run = Run {
        replay,
        mip: settings,
        output: &opts.output,
        infeasible_hint: None,
    };
    let mut files = Vec::new();
    let result = solve(pb, Engine::Exact, settings).and_then(|sol| {
        if let crate::solve::Status::Infeasible { reasons } = &sol.status {
            let (msg, text) = diagnosis(&run, reasons);
            files.push((DIAGNOSIS.to_string(), text));
            return Err(Error::Infeasible(msg));
        }
        let (summary, f) = result_files(pb, &run, &sol, Vec::new())?;
        files = f;
        Ok((summary, sol))
    });
    match result {
        Ok((summary, sol)) => {
            row.status = Some(summary.status);
            row.placed = Some(summary.placed as u64);
            row.envy = Some(summary.objective.envy);
            row.preference = Some(summary.objective.preference);
            row.open_seats = Some(summary.open_seats);
            let occ = post_occupancy(pb, &sol.assignment);
            for (p, post) in pb.posts.iter().enumerate() {
                row.league_open[post.league.ix()] += u64::from(post.seats.saturating_sub(occ[p]));
            }
            for (c, p) in sol.assignment.post_of.iter().enumerate() {
                if let Some(p) = p {
                    row.league_placed[pb.posts[p.ix()].league.ix()] += 1;
                    let rank = pb
                        .rank(crate::domain::types::CandidateIdx::from_ix(c), *p)
                        .unwrap_or(0);
                    row.placements.insert(
                        pb.candidates[c].id.clone(),
                        (pb.posts[p.ix()].id.clone(), rank),
                    );
                }
            }
            for (k, rule) in rule_names.iter().enumerate() {
                row.rule_slack[k] = summary
                    .rules
                    .iter()
                    .filter(|f| &f.rule == rule && f.total > 0)
                    .map(RuleFigure::slack)
                    .reduce(f64::min);
            }
        }
        Err(Error::Infeasible(msg)) => {
            row.status = Some(Outcome::Infeasible);
            row.note = Some(msg);
        }
        Err(e) => {
            row.note = Some(Msg {
                zh: e.render(crate::lang::Lang::Zh),
                en: e.to_string(),
            })
        }
    }
    row.seconds = t.elapsed().as_secs_f64();
    (row, files)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or(String::new(), |x| x.to_string())
}

/// `comparison.csv`.
pub(crate) fn comparison_csv(rows: &[Row], leagues: &[String], rules: &[String]) -> Vec<u8> {
    let mut header: Vec<String> = [
        "name",
        "status",
        "placed",
        "envy",
        "preference",
        "open_seats",
        "seconds",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(leagues.iter().map(|l| format!("placed_{l}")));
    header.extend(rules.iter().map(|r| format!("slack_{r}")));
    header.push("note".into());
    let mut w = CsvFile::new(&header);
    for r in rows {
        let mut rec = vec![
            r.name.clone(),
            r.status_key().to_string(),
            opt(r.placed),
            opt(r.envy),
            opt(r.preference),
            opt(r.open_seats),
            format!("{:.3}", r.seconds),
        ];
        let solved = r.placed.is_some();
        rec.extend(
            r.league_placed
                .iter()
                .map(|n| if solved { n.to_string() } else { String::new() }),
        );
        rec.extend(
            r.rule_slack
                .iter()
                .map(|s| s.map_or(String::new(), |v| format!("{v:.3}"))),
        );
        rec.push(r.note.as_ref().map_or(String::new(), |n| n.en.clone()));
        w.row(&rec);
    }
    w.into_bytes()
}

/// `moves.csv`: every candidate whose post differs from the baseline's.
pub(crate) fn moves_csv(rows: &[Row], baseline: &str) -> Vec<u8> {
    let mut w = CsvFile::new([
        "scenario",
        "candidate_id",
        "from_post",
        "to_post",
        "from_rank",
        "to_rank",
        "rank_change",
    ]);
    if let Some(base) = rows
        .iter()
        .find(|r| r.name == baseline && r.placed.is_some())
    {
        for r in rows
            .iter()
            .filter(|r| r.name != baseline && r.placed.is_some())
        {
            let mut ids: Vec<&String> = base.placements.keys().chain(r.placements.keys()).collect();
            ids.sort();
            ids.dedup();
            for id in ids {
                let (a, b) = (base.placements.get(id), r.placements.get(id));
                if a.map(|x| &x.0) == b.map(|x| &x.0) {
                    continue;
                }
                let change = match (a, b) {
                    (Some(a), Some(b)) => (i64::from(b.1) - i64::from(a.1)).to_string(),
                    _ => String::new(),
                };
                w.row([
                    r.name.as_str(),
                    id,
                    a.map_or("", |x| x.0.as_str()),
                    b.map_or("", |x| x.0.as_str()),
                    &a.map_or(String::new(), |x| x.1.to_string()),
                    &b.map_or(String::new(), |x| x.1.to_string()),
                    &change,
                ]);
            }
        }
    }
    w.into_bytes()
}

/// `comparison.html`: a self-contained page (inline CSS and SVG).
/// `changed`: per scenario name, its overrides in words (empty: none).
pub(crate) fn comparison_html(
    rows: &[Row],
    leagues: &[String],
    changed: &HashMap<String, String>,
) -> String {
    let names: Vec<String> = rows.iter().map(|r| r.name.clone()).collect();
    let per_league = |f: &dyn Fn(&Row) -> &Vec<u64>| -> Vec<(String, Vec<f64>)> {
        rows.iter()
            .filter(|r| r.placed.is_some())
            .map(|r| (r.name.clone(), f(r).iter().map(|&n| n as f64).collect()))
            .collect()
    };
    let one =
        |f: &dyn Fn(&Row) -> f64| vec![("".to_string(), rows.iter().map(f).collect::<Vec<f64>>())];
    let mean_rank = |r: &Row| match (r.preference, r.placed) {
        (Some(p), Some(n)) if n > 0 => p as f64 / n as f64,
        _ => 0.0,
    };
    let mut html = page_head("情景比较 · Scenario comparison");
    html.push_str(
        r#"<h1>情景比较（Scenario comparison）</h1><table><tr><th>情景</th><th>改动</th><th>状态</th><th>安置人数</th><th>阻塞对 envy</th><th>志愿序号和</th><th>空余岗位</th><th>用时（秒）</th></tr>"#,
    );
    for r in rows {
        let cls = if matches!(r.status, Some(Outcome::Optimal | Outcome::Feasible)) {
            ""
        } else {
            " class=\"bad\""
        };
        html.push_str(&format!(
            "<tr><td>{}</td><td class=\"edits\">{}</td><td{cls}>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td></tr>",
            esc(&r.name),
            esc(changed
                .get(&r.name)
                .filter(|c| !c.is_empty())
                .map_or("无改动（按输入文件）", |c| c.as_str())),
            r.status_key(),
            opt(r.placed),
            opt(r.envy),
            opt(r.preference),
            opt(r.open_seats),
            r.seconds
        ));
    }
    html.push_str("</table>");
    html.push_str(&bar_chart(
        "各盟市安置人数（placed per league）",
        leagues,
        &per_league(&|r| &r.league_placed),
    ));
    html.push_str(&bar_chart(
        "各盟市空余岗位（open seats per league）",
        leagues,
        &per_league(&|r| &r.league_open),
    ));
    html.push_str(&bar_chart(
        "阻塞对数（envy）",
        &names,
        &one(&|r| r.envy.unwrap_or(0) as f64),
    ));
    html.push_str(&bar_chart(
        "平均志愿序号（mean rank）",
        &names,
        &one(&mean_rank),
    ));
    for r in rows.iter() {
        let Some(note) = &r.note else { continue };
        html.push_str(&format!(
            "<p class=\"bad\">{}：{}</p>",
            esc(&r.name),
            esc(&note.zh)
        ));
    }
    html.push_str("</body></html>\n");
    html
}
