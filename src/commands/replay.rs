//! What it takes to run a command again: the `Replay` record that run.json
//! carries, and how it turns back into inputs and settings. `audit` writes
//! and checks it; `allocate`, `backfill` and `scenarios` fill it in.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Inputs;
use crate::error::{Diagnostic, Error, Result};
use crate::lang::Lang;
use crate::msg;
use crate::output::OutputOptions;
use crate::solve::settings::MipSettings;
use crate::solve::Engine;

/// Everything needed to run the same command again.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Replay {
    /// `allocate`, `backfill` or `scenarios`.
    pub command: String,
    /// Input tables (absolute paths).
    pub candidates: PathBuf,
    /// posts file.
    pub posts: PathBuf,
    /// counties file.
    pub counties: Option<PathBuf>,
    /// incumbents file.
    pub incumbents: Option<PathBuf>,
    /// Model file.
    pub model: PathBuf,
    /// Locks file.
    pub locks: Option<PathBuf>,
    /// `auto`, `utf-8` or `gbk`.
    pub encoding: String,
    /// Lottery seed.
    pub seed: u64,
    /// `exact`, `fast` or `da`.
    pub engine: String,
    /// Time limit (s): a run cut short by it may not reproduce.
    pub time_limit: Option<f64>,
    /// HiGHS threads.
    pub threads: u32,
    /// Extra HiGHS options.
    pub highs_options: Vec<(String, String)>,
    /// Language of reasons.
    pub lang: String,
    /// Excel lists written.
    pub xlsx: bool,
    /// Per-county workbooks written.
    pub per_county: bool,
    /// 身份证号 unmasked in the Excel lists.
    pub show_id: bool,
    /// backfill: the dispatch.
    pub dispatch: Option<PathBuf>,
    /// backfill: withdrawn files.
    pub withdrawn: Vec<PathBuf>,
    /// backfill: shortfall allowed.
    pub allow_shortfall: bool,
    /// scenarios: the scenario file.
    pub scenarios: Option<PathBuf>,
    /// scenarios: this result's scenario.
    pub scenario: Option<String>,
    /// 制表日期 of the Excel lists (absent from older run.json files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// `--ignore-column` headers (absent from older run.json files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_columns: Vec<String>,
    /// `--max-columns` (absent from older run.json files: the default).
    #[serde(default = "default_max_columns")]
    pub max_columns: usize,
    /// `--staged`.
    #[serde(default)]
    pub staged: bool,
    /// `--csv-encoding` (absent from older run.json files, which wrote
    /// plain UTF-8).
    #[serde(default = "plain_utf8")]
    pub csv_encoding: String,
}

fn plain_utf8() -> String {
    "utf-8".into()
}

fn default_max_columns() -> usize {
    MipSettings::default().max_columns
}

/// A path as recorded in run.json: absolute, so a replay works from any
/// directory (as given when that fails).
pub fn abs(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

impl Replay {
    /// The common part of every command's replay.
    pub fn new(
        command: &str,
        inputs: &Inputs,
        engine: Engine,
        mip: &MipSettings,
        out: &OutputOptions,
    ) -> Self {
        let p = &inputs.paths;
        Replay {
            command: command.into(),
            candidates: abs(&p.candidates),
            posts: abs(&p.posts),
            counties: p.counties.as_deref().map(abs),
            incumbents: p.incumbents.as_deref().map(abs),
            model: abs(&inputs.model),
            locks: inputs.locks.as_deref().map(abs),
            ignore_columns: inputs.ignore_columns.clone(),
            encoding: inputs.encoding.key().into(),
            seed: inputs.seed,
            engine: engine.key().into(),
            time_limit: mip.time_limit,
            threads: mip.threads,
            highs_options: mip.highs_options.clone(),
            max_columns: mip.max_columns,
            staged: mip.staged,
            lang: out.lang.key().into(),
            xlsx: out.xlsx,
            per_county: out.per_county,
            show_id: out.show_id,
            csv_encoding: out.csv_encoding.key().into(),
            date: out.xlsx_written().then(|| out.date.to_string()),
            ..Replay::default()
        }
    }

    /// Every input file with its role.
    pub fn files(&self) -> Vec<(String, PathBuf)> {
        let mut v = vec![
            ("candidates".to_string(), self.candidates.clone()),
            ("posts".to_string(), self.posts.clone()),
            ("model".to_string(), self.model.clone()),
        ];
        let opt = [
            ("counties", &self.counties),
            ("incumbents", &self.incumbents),
            ("locks", &self.locks),
            ("dispatch", &self.dispatch),
            ("scenarios", &self.scenarios),
        ];
        for (role, p) in opt {
            if let Some(p) = p {
                v.push((role.to_string(), p.clone()));
            }
        }
        for w in &self.withdrawn {
            v.push(("withdrawn".to_string(), w.clone()));
        }
        v
    }

    pub(crate) fn inputs(&self) -> Result<Inputs> {
        Ok(Inputs {
            paths: crate::input::records::InputPaths {
                candidates: self.candidates.clone(),
                posts: self.posts.clone(),
                counties: self.counties.clone(),
                incumbents: self.incumbents.clone(),
            },
            model: self.model.clone(),
            encoding: self.encoding.parse().map_err(bad_manifest)?,
            seed: self.seed,
            locks: self.locks.clone(),
            ignore_columns: self.ignore_columns.clone(),
        })
    }

    pub(crate) fn mip(&self) -> MipSettings {
        MipSettings {
            time_limit: self.time_limit,
            threads: self.threads,
            highs_options: self.highs_options.clone(),
            max_columns: self.max_columns,
            staged: self.staged,
            ..MipSettings::default()
        }
    }

    pub(crate) fn output(&self) -> Result<OutputOptions> {
        Ok(OutputOptions {
            lang: self.lang.parse::<Lang>().map_err(bad_manifest)?,
            xlsx: self.xlsx,
            per_county: self.per_county,
            show_id: self.show_id,
            csv_encoding: self.csv_encoding.parse().map_err(bad_manifest)?,
            date: match &self.date {
                Some(d) => d.parse().map_err(bad_manifest)?,
                None => Default::default(),
            },
        })
    }
}

pub(crate) fn bad_manifest(m: String) -> Error {
    Error::Input(vec![Diagnostic::new(
        "run.json",
        1,
        1,
        msg!("run.json 中的值无效：{m}", "invalid value in run.json: {m}"),
    )])
}
