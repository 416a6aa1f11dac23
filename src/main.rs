//! The `xibu` binary: parses arguments, calls the library, and decides the
//! exit code (interface §4) in one place.

use std::path::PathBuf;
use std::process::ExitCode;

mod help_zh;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use xibu::commands::{self, Inputs};
use xibu::generate::{GenerateOptions, TableFormat};
use xibu::input::records::InputPaths;
use xibu::input::Encoding;
use xibu::lang::Lang;
use xibu::output::OutputOptions;
use xibu::solve::progress::Progress;
use xibu::solve::settings::MipSettings;
use xibu::solve::Engine;
use xibu::Error;

#[derive(Parser)]
#[command(
    name = "xibu",
    version,
    about = "Allocate Western Plan (西部计划) volunteers to county posts"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Language of everything a person reads (reasons, lists, report,
    /// terminal lines): zh (default) or en; without the flag, a LANG or
    /// LC_ALL of en_* means en
    #[arg(long, global = true)]
    lang: Option<Lang>,
}

#[derive(Args)]
struct InputArgs {
    /// candidates.csv (or .xlsx)
    #[arg(long, required = true)]
    candidates: Option<PathBuf>,
    /// posts.csv (or .xlsx)
    #[arg(long, required = true)]
    posts: Option<PathBuf>,
    /// counties.csv (or .xlsx), optional
    #[arg(long)]
    counties: Option<PathBuf>,
    /// incumbents.csv (or .xlsx), optional
    #[arg(long)]
    incumbents: Option<PathBuf>,
    /// The policy model (models/*.toml)
    #[arg(long, required = true)]
    model: Option<PathBuf>,
    /// Lottery seed
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// CSV encoding: auto, utf-8 or gbk
    #[arg(long, default_value = "auto")]
    encoding: Encoding,
    /// Locked placements (candidate_id, post_id, reason, author): fixed in
    /// the model and counted in every rule
    #[arg(long)]
    locks: Option<PathBuf>,
    /// A header to ignore even though it looks like a column xibu reads
    /// (e.g. 体检日期 beside 体检); repeatable
    #[arg(long = "ignore-column", value_name = "HEADER")]
    ignore_columns: Vec<String>,
}

impl InputArgs {
    fn inputs(self) -> Inputs {
        Inputs {
            paths: InputPaths {
                // Required by clap (explain --manifest alone goes without).
                candidates: self.candidates.unwrap_or_default(),
                posts: self.posts.unwrap_or_default(),
                counties: self.counties,
                incumbents: self.incumbents,
            },
            model: self.model.unwrap_or_default(),
            encoding: self.encoding,
            seed: self.seed,
            locks: self.locks,
            ignore_columns: self.ignore_columns,
        }
    }
}

/// Settings of the exact engine.
#[derive(Args)]
struct SolverArgs {
    /// Wall-time limit in seconds for the whole solve
    #[arg(long)]
    time_limit: Option<f64>,
    /// Write the MIP (.lp or .mps) to reproduce a slow or odd case
    #[arg(long)]
    write_model: Option<PathBuf>,
    /// HiGHS threads
    #[arg(long, default_value_t = 1)]
    threads: u32,
    /// Extra HiGHS option NAME=VALUE (repeatable), e.g. presolve=off
    #[arg(long = "highs-option", value_parser = parse_kv)]
    highs_options: Vec<(String, String)>,
    /// Show the solver's log on stderr
    #[arg(long)]
    solver_log: bool,
    /// Largest exact model to attempt (estimated columns); beyond it the
    /// fast engine's allocation is returned with a note
    #[arg(long, default_value_t = 2_000_000)]
    max_columns: usize,
    /// No progress line on stderr (it is shown only on a terminal anyway)
    #[arg(long)]
    quiet: bool,
    /// Solve one criterion at a time instead of one weighted objective
    /// (same optimum, slower; for checking)
    #[arg(long)]
    staged: bool,
}

impl SolverArgs {
    fn settings(self, lang: Lang) -> MipSettings {
        MipSettings {
            time_limit: self.time_limit,
            threads: self.threads,
            write_model: self.write_model,
            highs_options: self.highs_options,
            solver_log: self.solver_log,
            max_columns: self.max_columns,
            staged: self.staged,
            progress: Progress::stderr(self.quiet || self.solver_log, lang),
            ..MipSettings::default()
        }
    }
}

/// What the outputs people read look like.
#[derive(Args)]
struct OutputArgs {
    /// Also write 派遣名单.xlsx, 候补名单.xlsx and 未安排名单.xlsx
    #[arg(long)]
    xlsx: bool,
    /// Also write one workbook per county office (旗县-<code>-<name>.xlsx)
    #[arg(long)]
    per_county: bool,
    /// Show 身份证号 unmasked in the Excel lists
    #[arg(long)]
    show_id: bool,
    /// Encoding of the CSV files: utf-8-bom (default; Excel on Windows
    /// shows Chinese), utf-8 or gbk
    #[arg(long, default_value = "utf-8-bom")]
    csv_encoding: xibu::output::csvfile::CsvEncoding,
    /// 制表日期 printed on the Excel lists, YYYY-MM-DD (default: today,
    /// China Standard Time)
    #[arg(long)]
    date: Option<xibu::output::ListDate>,
}

impl OutputArgs {
    fn options(self, lang: Lang) -> OutputOptions {
        OutputOptions {
            lang,
            xlsx: self.xlsx,
            per_county: self.per_county,
            show_id: self.show_id,
            csv_encoding: self.csv_encoding,
            date: self.date.unwrap_or_else(xibu::output::ListDate::today),
        }
    }
}

/// One line per file: the columns recognised (`header=column` when the
/// header is an alias) and the headers ignored.
fn print_columns(columns: &[xibu::domain::records::ColumnReport], lang: Lang) {
    for c in columns {
        let read: Vec<String> = c
            .recognised
            .iter()
            .map(|r| {
                if r.header == r.column {
                    r.column.clone()
                } else {
                    format!("{}={}", r.header, r.column)
                }
            })
            .collect();
        let ignored = if c.ignored.is_empty() {
            String::new()
        } else {
            let sep = lang.pick("；未读取：", "; ignored: ");
            format!("{sep}{}", c.ignored.join(", "))
        };
        let head = lang.pick("识别的列", "columns");
        eprintln!("{head}: {}: {}{ignored}", c.file, read.join(", "));
    }
}

/// Notes on stderr, one per line (提示 / note).
fn print_notes<'a>(notes: impl IntoIterator<Item = &'a xibu::Msg>, lang: Lang) {
    for n in notes {
        eprintln!("{}: {}", lang.pick("提示", "note"), n.get(lang));
    }
}

/// The closing lines on stderr, in the office's words by default.
fn report(s: &xibu::output::files::Summary, lang: Lang) {
    print_columns(&s.columns, lang);
    print_notes(&s.notes, lang);
    let (placed, envy, pref, open) = (
        s.placed,
        s.objective.envy,
        s.objective.preference,
        s.open_seats,
    );
    match lang {
        Lang::Zh => eprintln!(
            "{}：派遣 {placed} 人（阻塞对 {envy} 个，志愿序号之和 {pref}），空余名额 {open} 个",
            s.status.words(lang)
        ),
        Lang::En => eprintln!(
            "{}: placed {placed} (envy {envy}, preference {pref}), {open} open seats",
            s.status
        ),
    }
    if let Some(b) = s.bound_sentence(lang) {
        eprintln!("{b}");
    }
    const SHOWN: usize = 10;
    for f in s.shortfall.iter().take(SHOWN) {
        match lang {
            Lang::Zh => eprintln!(
                "未达标：规则 {} 在 {} 差 {:.2} 人",
                f.rule, f.place, f.shortfall
            ),
            Lang::En => eprintln!(
                "shortfall: rule {} in {} short by {:.2}",
                f.rule, f.place, f.shortfall
            ),
        }
    }
    let more = s.shortfall.len().saturating_sub(SHOWN);
    if more > 0 {
        match lang {
            Lang::Zh => eprintln!("…… 另有 {more} 条规则未达标（见 summary.json）"),
            Lang::En => eprintln!("… and {more} more rules short (see summary.json)"),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check every input file and the model without solving: the columns
    /// recognised in each file and every problem (exit 0 or 2)
    Check {
        #[command(flatten)]
        input: InputArgs,
    },
    /// Allocate candidates to posts and write dispatch.csv, summary.json…
    Allocate {
        #[command(flatten)]
        input: InputArgs,
        /// Output directory
        #[arg(long)]
        out: PathBuf,
        /// Engine: exact (the contract's optimum), fast (DA with capacity cuts:
        /// every hard constraint, not proven optimal) or da (capacities only)
        #[arg(long, default_value = "exact")]
        engine: Engine,
        #[command(flatten)]
        solver: SolverArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Replace withdrawn volunteers one for one, every other placement kept
    Backfill {
        #[command(flatten)]
        input: InputArgs,
        /// The current dispatch.csv
        #[arg(long)]
        dispatch: PathBuf,
        /// CSV with column id (报名号): who withdrew (repeatable; add the
        /// previous round's withdrawn.csv to keep earlier withdrawals out)
        #[arg(long, required = true)]
        withdrawn: Vec<PathBuf>,
        /// Output directory
        #[arg(long)]
        out: PathBuf,
        /// When kept placements make a rule impossible, minimise the total
        /// shortfall first instead of exiting 3
        #[arg(long)]
        allow_shortfall: bool,
        /// Engine: exact (the optimum with everyone else fixed) or fast
        /// (DA with capacity cuts: every hard constraint, not proven optimal)
        #[arg(long, default_value = "exact")]
        engine: Engine,
        #[command(flatten)]
        solver: SolverArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Check a dispatch file against every hard constraint and print the objective
    Verify {
        #[command(flatten)]
        input: Option<InputArgs>,
        /// The dispatch.csv to check
        #[arg(long, required_unless_present = "manifest")]
        dispatch: Option<PathBuf>,
        /// Print one JSON object instead of text
        #[arg(long)]
        json: bool,
        /// Re-run what a run.json describes and compare every output bit
        /// for bit (the other inputs are then taken from run.json)
        #[arg(long, exclusive = true)]
        manifest: Option<PathBuf>,
    },
    /// Explain one candidate's outcome: their post and, for every post they
    /// ranked above it, why they did not get it
    #[command(
        mut_arg("candidates", |a| a.required(false).required_unless_present("manifest")),
        mut_arg("posts", |a| a.required(false).required_unless_present("manifest")),
        mut_arg("model", |a| a.required(false).required_unless_present("manifest"))
    )]
    Explain {
        #[command(flatten)]
        input: InputArgs,
        /// The dispatch.csv to explain (checked as verify checks it)
        #[arg(long, required_unless_present = "manifest")]
        dispatch: Option<PathBuf>,
        /// Explain the dispatch.csv beside this run.json, with the run's
        /// own inputs and options (refused if any changed since the run)
        #[arg(long, conflicts_with = "dispatch")]
        manifest: Option<PathBuf>,
        /// Candidate id (报名号)
        #[arg(long)]
        candidate: String,
        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },
    /// Solve what-if scenarios in parallel and compare them
    Scenarios {
        #[command(flatten)]
        input: InputArgs,
        /// TOML file of [[scenario]] tables (name, set = { "dotted.key" = value })
        #[arg(long)]
        scenarios: PathBuf,
        /// Output directory (one folder per scenario, plus comparison files)
        #[arg(long)]
        out: PathBuf,
        /// Scenario whose placements moves.csv compares the others against
        #[arg(long)]
        baseline: Option<String>,
        #[command(flatten)]
        solver: SolverArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Write blank input workbooks (Chinese headers, example rows,
    /// drop-down lists) and the 2023 model to start a year from
    Template {
        /// Output directory
        #[arg(long)]
        out: PathBuf,
    },
    /// Serve a local web page to run allocations without a terminal
    Serve {
        /// Address to listen on; any other than 127.0.0.1 needs a token
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Port (0: any free port)
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Folder where jobs are kept
        #[arg(long, default_value = "xibu-data")]
        data: PathBuf,
        /// Token every request must carry (generated on a non-local bind)
        #[arg(long)]
        token: Option<String>,
        /// Largest upload, in MB
        #[arg(long, default_value_t = 200)]
        max_upload_mb: usize,
    },
    /// Write a realistic synthetic instance for the 2023 model
    Generate {
        /// Number of candidates
        #[arg(long)]
        candidates: usize,
        /// Number of posts
        #[arg(long)]
        posts: usize,
        /// Generator seed
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Output directory
        #[arg(long)]
        out: PathBuf,
        /// Chinese headers and values (报名号, 乡镇, 是/否 …)
        #[arg(long)]
        chinese: bool,
        /// Table format: csv, csv-bom, gbk or xlsx
        #[arg(long, default_value = "csv")]
        format: TableFormat,
        /// Counties that only just meet the township and rural-education
        /// shares, with those posts less sought after (deferred acceptance
        /// breaks many county rules)
        #[arg(long)]
        tight: bool,
        /// Adjustable applicants accept every post of their province
        /// (model adjustment scope "province"), not only the leagues they list
        #[arg(long)]
        province_wide: bool,
    },
}

fn run(cli: Cli) -> Result<(), Error> {
    let lang = Lang::or_from_env(cli.lang);
    match cli.command {
        Command::Allocate {
            input,
            out,
            engine,
            solver,
            output,
        } => {
            let mip = solver.settings(lang);
            let output = output.options(lang);
            let opts = commands::AllocateOptions {
                out,
                engine,
                mip,
                output,
            };
            let result = commands::allocate(&input.inputs(), &opts);
            opts.mip.progress.finish();
            report(&result?, lang);
            Ok(())
        }
        Command::Backfill {
            input,
            dispatch,
            withdrawn,
            out,
            allow_shortfall,
            engine,
            solver,
            output,
        } => {
            let opts = commands::backfill::BackfillOptions {
                engine,
                out,
                dispatch,
                withdrawn,
                mip: solver.settings(lang),
                allow_shortfall,
                output: output.options(lang),
            };
            let result = commands::backfill::backfill(&input.inputs(), &opts);
            opts.mip.progress.finish();
            report(&result?, lang);
            Ok(())
        }
        Command::Scenarios {
            input,
            scenarios,
            out,
            baseline,
            solver,
            output,
        } => {
            let opts = commands::scenarios::ScenarioOptions {
                scenarios,
                out,
                baseline,
                mip: solver.settings(lang),
                output: output.options(lang),
                only: None,
            };
            for r in commands::scenarios::scenarios(&input.inputs(), &opts)? {
                let placed = r.placed.map_or("-".to_string(), |p| p.to_string());
                let status = r
                    .status
                    .map_or(lang.pick("出错", "error"), |o| o.words(lang));
                let note = r.note.as_ref().map_or("", |n| n.get(lang));
                eprintln!(
                    "{:<20} {status:<10} {} {placed:>6}  {:.1} s {note}",
                    r.name,
                    lang.pick("派遣", "placed"),
                    r.seconds,
                );
            }
            Ok(())
        }
        Command::Check { input } => {
            let (columns, built) = commands::check(&input.inputs())?;
            print_columns(&columns, lang);
            let pb = built?;
            print_notes(pb.notes(), lang);
            let (c, p, k, i, l) = (
                pb.candidates().len(),
                pb.posts().len(),
                pb.counties().len(),
                pb.incumbents().len(),
                pb.locks().len(),
            );
            match lang {
                Lang::Zh => eprintln!(
                    "通过：考生 {c} 人，岗位 {p} 个，旗县 {k} 个，延期志愿者 {i} 人，锁定 {l} 条；所有文件和模型均有效"
                ),
                Lang::En => eprintln!(
                    "ok: {c} candidates, {p} posts, {k} counties, {i} continuing volunteers, {l} locks; every file and the model are valid"
                ),
            }
            Ok(())
        }
        Command::Verify {
            manifest: Some(manifest),
            ..
        } => {
            let check = commands::audit::verify_manifest(&manifest)?;
            for l in &check.lines {
                out(&format!("{l}\n"));
            }
            if check.reproduced {
                out("reproduced: every output is identical, bit for bit\n");
                Ok(())
            } else {
                out("NOT reproduced\n");
                let m = manifest.display();
                Err(Error::Violations(xibu::msg!(
                    "{m} 无法由它旁边的文件或重新运行复现",
                    "{m} is not reproduced by the files beside it or by a re-run"
                )))
            }
        }
        Command::Verify {
            input,
            dispatch,
            json,
            manifest: None,
        } => {
            let (Some(input), Some(dispatch)) = (input, dispatch) else {
                return Err(Error::Input(vec![xibu::Diagnostic::new(
                    "command line",
                    1,
                    1,
                    xibu::msg!(
                        "verify 需要 --candidates、--posts、--model 和 --dispatch（或 --manifest run.json）",
                        "verify needs --candidates, --posts, --model and --dispatch (or --manifest run.json)"
                    ),
                )]));
            };
            let ev = commands::verify(&input.inputs(), &dispatch)?;
            if json {
                out(&format!("{}\n", commands::verify_json(&ev)));
            } else {
                out(&commands::verify_text(&ev, lang));
            }
            if ev.violations.is_empty() {
                Ok(())
            } else {
                let (d, n) = (dispatch.display(), ev.violations.len());
                Err(Error::Violations(xibu::msg!(
                    "{d} 违反了 {n} 条硬约束",
                    "{d} breaks {n} hard constraint(s)"
                )))
            }
        }
        Command::Explain {
            input,
            dispatch,
            manifest,
            candidate,
            json,
        } => {
            let opts = commands::explain::ExplainOptions {
                dispatch: dispatch.clone().unwrap_or_default(),
                candidate,
                lang,
            };
            let given =
                input.candidates.is_some() || input.posts.is_some() || input.model.is_some();
            let e = match (given, dispatch, manifest) {
                (false, None, Some(m)) => commands::explain::explain_run(&m, &opts)?,
                (true, Some(_), None) => commands::explain::explain(&input.inputs(), &opts)?,
                _ => {
                    return Err(Error::Input(vec![xibu::Diagnostic::new(
                        "command line",
                        1,
                        1,
                        xibu::msg!(
                            "explain 需要 --candidates、--posts、--model 和 --dispatch，或者只给 --manifest run.json",
                            "explain needs --candidates, --posts, --model and --dispatch, or only --manifest run.json"
                        ),
                    )]))
                }
            };
            print_notes(&e.notes, lang);
            if json {
                let text = serde_json::to_string_pretty(&e).expect("explanation serializes");
                out(&format!("{text}\n"));
            } else {
                out(&commands::explain::explain_text(&e, lang));
            }
            Ok(())
        }
        Command::Serve {
            bind,
            port,
            data,
            token,
            max_upload_mb,
        } => {
            let opts = xibu::serve::ServeOptions {
                bind,
                port,
                data,
                token,
                lang,
                max_upload: max_upload_mb.saturating_mul(1 << 20),
                workers: 2,
            };
            xibu::serve::serve(opts, |url| {
                out(&format!("{url}\n"));
                eprintln!(
                    "{}",
                    lang.pick(
                        "xibu serve：请在浏览器中打开上面的地址（Ctrl+C 停止）",
                        "xibu serve: open the address above in a browser (Ctrl+C stops)"
                    )
                );
            })?;
            Ok(())
        }
        Command::Template { out } => {
            xibu::template::write_template(&out)?;
            Ok(())
        }
        Command::Generate {
            candidates,
            posts,
            seed,
            out,
            chinese,
            format,
            tight,
            province_wide,
        } => {
            let opts = GenerateOptions {
                candidates,
                posts,
                seed,
                chinese,
                format,
                tight,
                province_wide,
            };
            xibu::generate::write_generated(&opts, &out)?;
            Ok(())
        }
    }
}

fn parse_kv(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .ok_or_else(|| format!("expected NAME=VALUE, got {s:?}"))
}

/// Write to standard output. A reader that stops early (`xibu verify … |
/// head`) closes the pipe: that is not an error, and must not panic as
/// `println!` does.
fn out(text: &str) {
    use std::io::Write;
    if let Err(e) = std::io::stdout().lock().write_all(text.as_bytes()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("xibu: cannot write to standard output: {e}");
        }
    }
}

/// The exit code of each error (interface §4).
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Input(_) => 2,
        Error::Infeasible(_) => 3,
        Error::Violations(_) => 4,
        Error::Io { .. } | Error::Solver(_) | Error::Output(_) => 1,
    }
}

/// A usage error in the reader's language (clap's English with `--lang en`),
/// exit code 2; help and version print as clap prints them.
fn usage_exit(e: &clap::Error, lang: Lang) -> ! {
    match (lang, help_zh::usage_error(e)) {
        (Lang::Zh, Some(text)) => {
            eprint!("{text}");
            std::process::exit(2)
        }
        _ => e.exit(),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let lang = help_zh::lang_of(&args);
    let cmd = match lang {
        Lang::Zh => help_zh::chinese(Cli::command()),
        Lang::En => Cli::command(),
    };
    let matches = match cmd.try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) => usage_exit(&e, lang),
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => usage_exit(&e, lang),
    };
    std::panic::set_hook(Box::new(|info| {
        eprintln!("xibu: internal error: {info}\nplease report it with the input files");
    }));
    let code = match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            eprintln!("{}", e.render(lang));
            exit_code(&e)
        }
        Err(_) => 1,
    };
    if xibu::solve::highs::solves_in_flight() > 0 {
        // A HiGHS solve abandoned at the deadline is still running on its
        // thread: a normal exit would tear down HiGHS's globals under it
        // (SIGSEGV after the outputs were written). Every output file is
        // closed by now; flush what is buffered and leave without running
        // the C++ static destructors.
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let _ = std::io::stderr().flush();
        // SAFETY: `_exit` ends the process at once; nothing of Rust's
        // needs a destructor past this point.
        unsafe { libc::_exit(code as i32) }
    }
    ExitCode::from(code)
}
