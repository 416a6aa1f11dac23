//! Jobs of `xibu serve`: one allocation round and the rounds that follow
//! it (backfill, scenarios), each written by the same library calls as the
//! CLI into a folder of the job, so that a job holds exactly the files
//! `xibu allocate` writes. A job's record (`job.json`) is kept beside its
//! files, so the list survives a restart.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::commands::{self, backfill, scenarios, AllocateOptions, Inputs};
use crate::error::Error;
use crate::input::records::InputPaths;
use crate::lang::Lang;
use crate::output::OutputOptions;
use crate::solve::progress::Progress;
use crate::solve::settings::MipSettings;
use crate::solve::Engine;

/// Where a round stands (the API's `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting for a free worker.
    Queued,
    /// Solving.
    Running,
    /// Written.
    Done,
    /// No allocation keeps every hard constraint (diagnosis.txt written).
    Infeasible,
    /// Stopped by an error (or cancelled before it ran).
    Failed,
}

/// What a round does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The allocation (folder `out`).
    Allocate,
    /// A backfill round on the latest dispatch (`backfill-N`).
    Backfill,
    /// Scenarios on the job's inputs (`scenarios-N`).
    Scenarios,
}

/// One round of a job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Round {
    /// What it does.
    pub kind: Kind,
    /// Its folder inside the job (`out`, `backfill-1`, `scenarios-1` …).
    pub set: String,
    /// Where it stands.
    pub status: Status,
    /// Why it failed, in the server's language.
    pub error: Option<String>,
    /// `backfill --allow-shortfall`.
    #[serde(default)]
    pub allow_shortfall: bool,
    /// Followed by the page; cancels the solve.
    #[serde(skip)]
    pub progress: Progress,
}

/// The settings of a job's solves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Lottery seed.
    pub seed: u64,
    /// Seconds, per round.
    pub time_limit: Option<f64>,
    /// `exact`, `fast` or `da`.
    pub engine: String,
}

/// A job: its inputs (in `inputs/`) and its rounds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Job {
    /// Unguessable id (32 hex digits).
    pub id: String,
    /// Seconds since 1970 when it was made.
    pub created: u64,
    /// Solve settings.
    pub settings: Settings,
    /// Input role (`candidates`, `posts`, `model` …) → file in `inputs/`.
    pub inputs: BTreeMap<String, String>,
    /// Rounds, in order.
    pub rounds: Vec<Round>,
}

impl Job {
    /// The job's folder.
    pub fn dir(&self, data: &Path) -> PathBuf {
        data.join("jobs").join(&self.id)
    }

    /// The inputs as the CLI takes them.
    pub fn cli_inputs(&self, data: &Path) -> Inputs {
        let dir = self.dir(data).join("inputs");
        let at = |role: &str| self.inputs.get(role).map(|f| dir.join(f));
        Inputs {
            paths: InputPaths {
                candidates: at("candidates").unwrap_or_default(),
                posts: at("posts").unwrap_or_default(),
                counties: at("counties"),
                incumbents: at("incumbents"),
            },
            model: at("model").unwrap_or_default(),
            seed: self.settings.seed,
            locks: at("locks"),
            ..Inputs::default()
        }
    }

    /// The folder of the latest round that wrote a dispatch.
    fn latest_dispatch(&self, data: &Path) -> Option<PathBuf> {
        self.rounds
            .iter()
            .rev()
            .filter(|r| r.kind != Kind::Scenarios && r.status == Status::Done)
            .map(|r| self.dir(data).join(&r.set).join("dispatch.csv"))
            .next()
    }

    /// The next free folder name for a round of `kind`.
    pub fn next_set(&self, kind: Kind) -> String {
        let prefix = match kind {
            Kind::Allocate => return "out".into(),
            Kind::Backfill => "backfill",
            Kind::Scenarios => "scenarios",
        };
        let n = self.rounds.iter().filter(|r| r.kind == kind).count() + 1;
        format!("{prefix}-{n}")
    }
}

/// The job's input file recorded for `role`.
fn inputs_file(dir: &Path, job: &Job, role: &str) -> PathBuf {
    dir.join("inputs")
        .join(job.inputs.get(role).map_or("", String::as_str))
}

/// A fresh unguessable job id.
pub fn new_id() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the system's random source");
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Is `s` shaped like a job id (so that it can name a folder safely)?
pub fn is_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Every job, kept in memory and in `DATA/jobs/<id>/job.json`; a queue of
/// rounds served by a fixed number of worker threads.
pub struct Store {
    /// The `--data` folder.
    pub data: PathBuf,
    /// Language of errors and lists.
    pub lang: Lang,
    jobs: Mutex<BTreeMap<String, Job>>,
    queue: Mutex<mpsc::Sender<(String, usize)>>,
}

impl Store {
    /// Open `data` (listing the jobs left by an earlier server) and start
    /// `workers` threads, so that that many rounds solve at once.
    pub fn open(data: &Path, lang: Lang, workers: usize) -> std::io::Result<Arc<Store>> {
        let root = data.join("jobs");
        std::fs::create_dir_all(&root)?;
        let mut jobs = BTreeMap::new();
        for e in std::fs::read_dir(&root)?.flatten() {
            let Ok(text) = std::fs::read(e.path().join("job.json")) else {
                continue;
            };
            let Ok(mut job) = serde_json::from_slice::<Job>(&text) else {
                continue;
            };
            if !is_id(&job.id) {
                continue;
            }
            // A round the earlier server did not finish will not finish.
            for r in &mut job.rounds {
                if matches!(r.status, Status::Queued | Status::Running) {
                    r.status = Status::Failed;
                    r.error = Some(
                        lang.pick("服务重启，未完成", "interrupted by a restart")
                            .into(),
                    );
                }
            }
            jobs.insert(job.id.clone(), job);
        }
        let (tx, rx) = mpsc::channel::<(String, usize)>();
        let store = Arc::new(Store {
            data: data.to_path_buf(),
            lang,
            jobs: Mutex::new(jobs),
            queue: Mutex::new(tx),
        });
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..workers.max(1) {
            let (store, rx) = (store.clone(), rx.clone());
            std::thread::spawn(move || loop {
                let next = rx.lock().ok().and_then(|r| r.recv().ok());
                let Some((id, round)) = next else { return };
                store.run(&id, round);
            });
        }
        Ok(store)
    }

    /// A copy of the job.
    pub fn get(&self, id: &str) -> Option<Job> {
        self.jobs.lock().ok()?.get(id).cloned()
    }

    /// Every job, newest first.
    pub fn list(&self) -> Vec<Job> {
        let mut v: Vec<Job> = self
            .jobs
            .lock()
            .map(|j| j.values().cloned().collect())
            .unwrap_or_default();
        v.sort_by(|a, b| b.created.cmp(&a.created).then(a.id.cmp(&b.id)));
        v
    }

    /// Record a new job and queue its allocation.
    pub fn add(&self, mut job: Job) {
        job.rounds = vec![Round {
            kind: Kind::Allocate,
            set: "out".into(),
            status: Status::Queued,
            error: None,
            allow_shortfall: false,
            progress: Progress::hidden(),
        }];
        let id = job.id.clone();
        self.save(&job);
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(id.clone(), job);
        }
        self.enqueue(&id, 0);
    }

    /// Queue a further round of a job, its uploaded file (withdrawn list
    /// or scenario file, at `upload`) moved into the job's inputs as
    /// `<set>.<ext>`; `None` when the job is unknown.
    pub fn add_round(
        &self,
        id: &str,
        kind: Kind,
        allow_shortfall: bool,
        upload: &Path,
        ext: &str,
    ) -> Option<String> {
        let (set, index) = {
            let mut jobs = self.jobs.lock().ok()?;
            let job = jobs.get_mut(id)?;
            let set = job.next_set(kind);
            let file = format!("{set}.{ext}");
            let inputs = job.dir(&self.data).join("inputs");
            std::fs::rename(upload, inputs.join(&file)).ok()?;
            job.inputs.insert(set.clone(), file);
            job.rounds.push(Round {
                kind,
                set: set.clone(),
                status: Status::Queued,
                error: None,
                allow_shortfall,
                progress: Progress::hidden(),
            });
            self.save(job);
            (set, job.rounds.len() - 1)
        };
        self.enqueue(id, index);
        Some(set)
    }

    /// Stop the job's rounds that are queued or running: a running solve
    /// returns the best allocation found so far, as at a time limit.
    pub fn cancel(&self, id: &str) -> bool {
        let Ok(jobs) = self.jobs.lock() else {
            return false;
        };
        let Some(job) = jobs.get(id) else {
            return false;
        };
        for r in &job.rounds {
            if matches!(r.status, Status::Queued | Status::Running) {
                r.progress.cancel();
            }
        }
        true
    }

    fn enqueue(&self, id: &str, round: usize) {
        if let Ok(q) = self.queue.lock() {
            let _ = q.send((id.to_string(), round));
        }
    }

    fn save(&self, job: &Job) {
        let dir = job.dir(&self.data);
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(text) = serde_json::to_vec_pretty(job) {
            // Written whole and renamed, so a reader never sees half.
            let tmp = dir.join(".job.json.tmp");
            if std::fs::write(&tmp, text).is_ok() {
                let _ = std::fs::rename(tmp, dir.join("job.json"));
            }
        }
    }

    fn update(&self, id: &str, round: usize, f: impl FnOnce(&mut Round)) {
        if let Ok(mut jobs) = self.jobs.lock() {
            if let Some(job) = jobs.get_mut(id) {
                if let Some(r) = job.rounds.get_mut(round) {
                    f(r);
                }
                self.save(job);
            }
        }
    }

    /// Solve one round (on a worker thread).
    fn run(&self, id: &str, round: usize) {
        let Some(job) = self.get(id) else { return };
        let Some(r) = job.rounds.get(round).cloned() else {
            return;
        };
        if r.progress.is_cancelled() {
            let why = self.lang.pick("已取消", "cancelled").to_string();
            self.update(id, round, |r| {
                r.status = Status::Failed;
                r.error = Some(why);
            });
            return;
        }
        self.update(id, round, |r| r.status = Status::Running);
        let result = self.solve(&job, &r);
        let (status, error) = match result {
            Ok(()) => (Status::Done, None),
            Err(e @ Error::Infeasible(_)) => (Status::Infeasible, Some(e.render(self.lang))),
            Err(e) => (Status::Failed, Some(e.render(self.lang))),
        };
        self.update(id, round, |r| {
            r.status = status;
            r.error = error;
        });
    }

    fn solve(&self, job: &Job, r: &Round) -> crate::Result<()> {
        let inputs = job.cli_inputs(&self.data);
        let dir = job.dir(&self.data);
        let engine: Engine = job
            .settings
            .engine
            .parse()
            .map_err(|m: String| Error::Solver(crate::error::Msg::same(m)))?;
        let mip = MipSettings {
            time_limit: job.settings.time_limit,
            progress: r.progress.clone(),
            ..MipSettings::default()
        };
        let output = OutputOptions {
            lang: self.lang,
            xlsx: true,
            per_county: true,
            ..OutputOptions::default()
        };
        let out = dir.join(&r.set);
        match r.kind {
            Kind::Allocate => {
                let opts = AllocateOptions {
                    out,
                    engine,
                    mip,
                    output,
                };
                commands::allocate(&inputs, &opts).map(drop)
            }
            Kind::Backfill => {
                let dispatch = job.latest_dispatch(&self.data).unwrap_or_default();
                let opts = backfill::BackfillOptions {
                    engine,
                    out,
                    dispatch,
                    withdrawn: vec![inputs_file(&dir, job, &r.set)],
                    mip,
                    allow_shortfall: r.allow_shortfall,
                    output,
                };
                backfill::backfill(&inputs, &opts).map(drop)
            }
            Kind::Scenarios => {
                let opts = scenarios::ScenarioOptions {
                    scenarios: inputs_file(&dir, job, &r.set),
                    out,
                    mip,
                    output,
                    ..Default::default()
                };
                scenarios::scenarios(&inputs, &opts).map(drop)
            }
        }
    }
}
