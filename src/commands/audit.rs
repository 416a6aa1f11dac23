//! The audit trail: `run.json`, written with every result — xibu version,
//! every input file with its SHA-256, the resolved model, seed, options,
//! HiGHS version and settings, locks, status, objective, timings, and the
//! SHA-256 of every output that must reproduce — and `verify --manifest`,
//! which re-runs what a run.json describes and says whether the result is
//! reproduced bit for bit.
//!
//! Files that carry wall-clock times (`summary.json`, `report.html`,
//! `run.json` itself) are not compared; every other output is.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::replay::{bad_manifest, Replay};
use crate::error::{Diagnostic, Error, Result};
use crate::input::model_json;
use crate::model::Problem;
use crate::msg;
use crate::output::files::Summary;
use crate::solve::Engine;
use crate::solve::{highs::highs_version, settings::MipSettings};

/// Outputs that carry timings and are therefore not compared on replay.
pub const TIMED_OUTPUTS: [&str; 3] = ["summary.json", "report.html", "run.json"];

/// SHA-256 of bytes, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn file_sha(path: &Path) -> Result<(String, u64)> {
    let bytes = std::fs::read(path).map_err(|e| {
        let p = path.display();
        Error::io(msg!("无法读取 {p}", "cannot read {p}"), e)
    })?;
    Ok((sha256_hex(&bytes), bytes.len() as u64))
}

/// One input file of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputFile {
    /// candidates, posts, model, …
    pub role: String,
    /// Absolute path.
    pub path: PathBuf,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// One output file of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutputFile {
    /// File name in the output directory.
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Whether a re-run reproduces it bit for bit (false for the files that
    /// carry wall-clock times; they are still checked on disk).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub reproducible: bool,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// The whole run.json.
pub fn manifest(
    pb: &Problem,
    replay: &Replay,
    mip: &MipSettings,
    summary: &Summary,
    outputs: &[(String, Vec<u8>)],
) -> Result<Vec<u8>> {
    let mut inputs = Vec::new();
    for (role, path) in replay.files() {
        let (sha256, bytes) = file_sha(&path)?;
        inputs.push(InputFile {
            role,
            path,
            sha256,
            bytes,
        });
    }
    let outputs: Vec<OutputFile> = outputs
        .iter()
        .map(|(file, bytes)| OutputFile {
            file: file.clone(),
            sha256: sha256_hex(bytes),
            reproducible: !TIMED_OUTPUTS.contains(&file.as_str()),
        })
        .collect();
    let settings: BTreeMap<String, String> = mip.highs_settings().into_iter().collect();
    let v = serde_json::json!({
        "xibu_version": env!("CARGO_PKG_VERSION"),
        "command": replay.command,
        "replay": replay,
        "inputs": inputs,
        "model": model_json(&pb.policy),
        "seed": pb.seed,
        "solver": { "name": "HiGHS", "version": highs_version(), "settings": settings },
        "locks": pb.locks,
        "status": summary.status,
        "objective": summary.objective,
        "placed": summary.placed,
        "gap": summary.gap,
        "timings": summary.seconds,
        "outputs": outputs,
    });
    Ok(serde_json::to_vec_pretty(&v).expect("manifest serializes"))
}

/// What `verify --manifest` found.
#[derive(Debug, Clone)]
pub struct ReplayCheck {
    /// Every compared output identical and every input unchanged.
    pub reproduced: bool,
    /// One line per input and output checked.
    pub lines: Vec<String>,
}

/// The parts of a run.json that checks read back.
#[derive(Deserialize)]
pub(crate) struct ManifestFile {
    pub(crate) replay: Replay,
    pub(crate) inputs: Vec<InputFile>,
    pub(crate) outputs: Vec<OutputFile>,
}

impl ManifestFile {
    /// Read a run.json; anything else is an input error at its position.
    pub(crate) fn read(path: &Path) -> Result<Self> {
        let file = path.display().to_string();
        let text = std::fs::read(path)
            .map_err(|e| Error::io(msg!("无法读取 {file}", "cannot read {file}"), e))?;
        serde_json::from_slice(&text).map_err(|e| {
            Error::Input(vec![Diagnostic::new(
                &file,
                e.line(),
                e.column(),
                msg!(
                    "不是 xibu 写出的 run.json：{e}",
                    "not a run.json written by xibu: {e}"
                ),
            )])
        })
    }

    /// One check per input: unchanged, or why not.
    pub(crate) fn check_inputs(&self) -> Vec<Check> {
        self.inputs
            .iter()
            .map(|f| {
                let (ok, state) = match file_sha(&f.path) {
                    Ok((sha, _)) if sha == f.sha256 => (true, "unchanged".to_string()),
                    Ok(_) => (false, "CHANGED since the run (SHA-256 differs)".to_string()),
                    Err(e) => (false, e.to_string()),
                };
                Check {
                    ok,
                    line: format!("input {} {}: {state}", f.role, f.path.display()),
                }
            })
            .collect()
    }
}

/// One file checked against run.json: whether it is the run's, and the
/// line that says so.
pub(crate) struct Check {
    pub(crate) ok: bool,
    pub(crate) line: String,
}

/// Whether every check passed; their lines appended to `lines`.
fn all_ok(checks: Vec<Check>, lines: &mut Vec<String>) -> bool {
    let ok = checks.iter().all(|c| c.ok);
    lines.extend(checks.into_iter().map(|c| c.line));
    ok
}

/// `xibu verify --manifest run.json`: check that the files beside run.json
/// are the run's (each output's SHA-256, and no result file the run did not
/// write), then re-run what the manifest describes in a temporary folder
/// and compare every reproducible output bit for bit.
pub fn verify_manifest(path: &Path) -> Result<ReplayCheck> {
    let m = ManifestFile::read(path)?;
    let mut lines = Vec::new();
    let disk_ok = all_ok(on_disk(path, &m.outputs, true), &mut lines);
    let mut same = all_ok(m.check_inputs(), &mut lines);
    if !same {
        lines.push("not re-run: the inputs are not those of the run".into());
        return Ok(ReplayCheck {
            reproduced: false,
            lines,
        });
    }
    let tmp = tempfile::tempdir().map_err(|e| {
        Error::io(
            msg!("无法创建临时文件夹", "cannot create a temporary directory"),
            e,
        )
    })?;
    let out = rerun(&m.replay, &tmp.path().join("rerun"))?;
    for f in m.outputs.iter().filter(|f| f.reproducible) {
        match std::fs::read(out.join(&f.file)) {
            Ok(bytes) if sha256_hex(&bytes) == f.sha256 => {
                lines.push(format!("output {}: identical", f.file))
            }
            Ok(_) => {
                same = false;
                lines.push(format!("output {}: DIFFERS", f.file));
            }
            Err(_) => {
                same = false;
                lines.push(format!("output {}: not produced by the re-run", f.file));
            }
        }
    }
    if m.replay.time_limit.is_some() && !same {
        lines.push(
            "note: the run had a time limit; a solve cut short by it need not reproduce".into(),
        );
    }
    Ok(ReplayCheck {
        reproduced: same && disk_ok,
        lines,
    })
}

/// Check the outputs beside run.json against it: each must be there as
/// the run wrote it, and (with `foreign`) no result file may be there that
/// the run did not write.
pub(crate) fn on_disk(manifest: &Path, outputs: &[OutputFile], foreign: bool) -> Vec<Check> {
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let mut checks: Vec<Check> = outputs
        .iter()
        .map(|f| {
            let (ok, state) = match std::fs::read(dir.join(&f.file)) {
                Ok(bytes) if sha256_hex(&bytes) == f.sha256 => (true, "as written by the run"),
                Ok(_) => (false, "CHANGED since the run (SHA-256 differs)"),
                Err(_) => (false, "MISSING"),
            };
            Check {
                ok,
                line: format!("file {}: {state}", f.file),
            }
        })
        .collect();
    if !foreign {
        return checks;
    }
    let listed = |n: &str| n == "run.json" || outputs.iter().any(|f| f.file == n);
    let mut extra: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| crate::output::commit::is_result_name(n) && !listed(n))
        .collect();
    extra.sort();
    checks.extend(extra.into_iter().map(|n| Check {
        ok: false,
        line: format!("file {n}: NOT part of this run (another run's file)"),
    }));
    checks
}

/// Run the replayed command into `dir`; returns the directory holding the
/// result's files.
fn rerun(r: &Replay, dir: &Path) -> Result<PathBuf> {
    let inputs = r.inputs()?;
    let (mip, output) = (r.mip(), r.output()?);
    let engine: Engine = r.engine.parse().map_err(bad_manifest)?;
    let out = dir.to_path_buf();
    let result = match r.command.as_str() {
        "allocate" => super::allocate(
            &inputs,
            &super::AllocateOptions {
                out: out.clone(),
                engine,
                mip,
                output,
            },
        )
        .map(|_| out.clone()),
        "backfill" => super::backfill::backfill(
            &inputs,
            &super::backfill::BackfillOptions {
                out: out.clone(),
                dispatch: r.dispatch.clone().unwrap_or_default(),
                withdrawn: r.withdrawn.clone(),
                mip,
                allow_shortfall: r.allow_shortfall,
                output,
                engine,
            },
        )
        .map(|_| out.clone()),
        "scenarios" => {
            let name = r.scenario.clone().unwrap_or_default();
            super::scenarios::scenarios(
                &inputs,
                &super::scenarios::ScenarioOptions {
                    scenarios: r.scenarios.clone().unwrap_or_default(),
                    out: out.clone(),
                    baseline: None,
                    mip,
                    output,
                    only: Some(name.clone()),
                },
            )
            .map(|_| out.join(name))
        }
        other => return Err(bad_manifest(format!("unknown command {other:?}"))),
    };
    match result {
        // An infeasible run's outputs are written too; compare them.
        Ok(p) => Ok(p),
        Err(Error::Infeasible(_)) => Ok(out),
        Err(e) => Err(e),
    }
}
