//! Settings of the exact engine, with validation (HiGHS is asked, without
//! solving anything, whether it accepts each extra option) and the HiGHS
//! options every solve sets.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use highs::{ColProblem, Model, Sense};

use super::progress::Progress;
use crate::error::{Error, Result};

/// Every criterion is an integer: an absolute gap below 1 proves optimality.
const MIP_ABS_GAP: f64 = 0.5;

/// Presolve rules switched off: bit 15, probing. Measured (BENCHMARKS.md):
/// on the 8,000 backfill model probing alone was due to take 449–1,005 s
/// (presolve 20+ s, probing unfinished → ~10 s without it); on the 4,000
/// backfill 47 → 41 s; on
/// allocate neutral (league 63.7 → 59.4 s, 506 → 275 MiB; sample 4.4 →
/// 4.8 s). `--highs-option presolve_rule_off=0` turns it back on.
const PRESOLVE_RULE_OFF: i32 = 1 << 15;

/// Settings of the exact engine (validated by `validate`).
#[derive(Debug, Clone)]
pub struct MipSettings {
    /// Wall-time limit for the whole run, in seconds, counted from
    /// `started`: reading, solving and writing all count (interface §3.2).
    pub time_limit: Option<f64>,
    /// When the run's clock started (the command's start; each scenario's
    /// own start).
    pub started: Instant,
    /// HiGHS threads (1 when several solves run at once).
    pub threads: u32,
    /// HiGHS random seed, fixed for reproducibility.
    pub random_seed: i32,
    /// Write the model (LP or MPS, by extension) before solving.
    pub write_model: Option<PathBuf>,
    /// Extra HiGHS options (`name`, `value`), applied last.
    pub highs_options: Vec<(String, String)>,
    /// Show HiGHS's log on stderr.
    pub solver_log: bool,
    /// Largest exact model (columns, estimated before building it) to
    /// attempt; beyond it the fast engine's allocation is returned, with a
    /// note. Around 4 KiB of memory per column goes into HiGHS's presolve.
    pub max_columns: usize,
    /// Where to show progress.
    pub progress: Progress,
    /// Solve one criterion at a time even when one weighted objective
    /// would be exact (for checking; slower).
    pub staged: bool,
}

impl Default for MipSettings {
    fn default() -> Self {
        MipSettings {
            time_limit: None,
            started: Instant::now(),
            threads: 1,
            random_seed: 0,
            write_model: None,
            highs_options: Vec::new(),
            solver_log: false,
            max_columns: 2_000_000,
            progress: Default::default(),
            staged: false,
        }
    }
}

impl MipSettings {
    /// Reject settings HiGHS would refuse or that make no sense.
    pub fn validate(&self) -> Result<()> {
        if let Some(t) = self.time_limit {
            if !(t.is_finite() && t > 0.0) {
                return Err(Error::Input(vec![crate::Diagnostic::new(
                    "--time-limit",
                    1,
                    1,
                    crate::msg!(
                        "时间限制 {t} 应为正的秒数",
                        "time limit {t} must be a positive number of seconds"
                    ),
                )]));
            }
        }
        if self.threads == 0 {
            return Err(Error::Input(vec![crate::Diagnostic::new(
                "--threads",
                1,
                1,
                crate::msg!("线程数至少为 1", "threads must be at least 1"),
            )]));
        }
        let mut probe = ColProblem::default().optimise(Sense::Minimise);
        for (k, v) in &self.highs_options {
            super::highs::set_text_option(&mut probe, k, v).map_err(|m| {
                let m = crate::msg!("HiGHS 选项无效：{m}", "{m}");
                Error::Input(vec![crate::Diagnostic::new("--highs-option", 1, 1, m)])
            })?;
        }
        Ok(())
    }
}

impl MipSettings {
    /// The HiGHS options every solve sets, as `name = value` (for run.json).
    pub fn highs_settings(&self) -> Vec<(String, String)> {
        let mut v = vec![
            ("threads".to_string(), self.threads.to_string()),
            ("random_seed".to_string(), self.random_seed.to_string()),
            ("mip_rel_gap".to_string(), "0".to_string()),
            ("mip_abs_gap".to_string(), MIP_ABS_GAP.to_string()),
            (
                "presolve_rule_off".to_string(),
                PRESOLVE_RULE_OFF.to_string(),
            ),
        ];
        if let Some(t) = self.time_limit {
            v.push(("time_limit".to_string(), t.to_string()));
        }
        v.extend(self.highs_options.iter().cloned());
        v
    }
}

impl MipSettings {
    /// When the time limit runs out, if there is one.
    /// Once the run is cancelled (`Progress::cancel`) it has passed.
    pub fn deadline(&self) -> Option<Instant> {
        if self.progress.is_cancelled() {
            return Some(Instant::now());
        }
        let l = self.time_limit.filter(|l| l.is_finite() && *l > 0.0)?;
        self.started
            .checked_add(Duration::from_secs_f64(l.min(1e9)))
    }

    /// Seconds left before the deadline (0 once it has passed).
    pub fn time_left(&self) -> Option<f64> {
        self.deadline()
            .map(|d| d.saturating_duration_since(Instant::now()).as_secs_f64())
    }

    /// Set every option of a solve on `model`, with the time that is left.
    pub(crate) fn apply(&self, model: &mut Model, time_left: Option<f64>) {
        let s = self;
        model.set_option("threads", s.threads as i32);
        model.set_option("random_seed", s.random_seed);
        model.set_option("mip_rel_gap", 0.0);
        model.set_option("mip_abs_gap", MIP_ABS_GAP);
        model.set_option("presolve_rule_off", PRESOLVE_RULE_OFF);
        if s.solver_log {
            model.set_option("output_flag", true);
            model.set_option("log_to_console", true);
        }
        for (k, v) in &s.highs_options {
            // Validated in `MipSettings::validate`.
            let _ = super::highs::set_text_option(model, k, v);
        }
        if let Some(t) = time_left {
            model.set_option("time_limit", t.max(0.01));
        }
    }
}
