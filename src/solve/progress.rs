//! Progress of long solves on stderr: stage, elapsed time, and the
//! incumbent and bound HiGHS reports (through its MIP callbacks). Hidden
//! when stderr is not a terminal or with `--quiet`. The same figures are
//! kept for `xibu serve`'s page (`snapshot`), which can also cancel.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use super::highs::{observe_mip, MipObserver, MipReport};

struct Inner {
    bar: ProgressBar,
    stage: Mutex<(String, Instant)>,
    lang: crate::lang::Lang,
    started: Instant,
    last: Mutex<Option<MipReport>>,
    cancelled: AtomicBool,
    /// The fewest blocking pairs of a feasible allocation found so far
    /// (`u64::MAX`: none yet).
    known_envy: AtomicU64,
    /// A hidden child (`hidden_child`) is cancelled with its parent.
    parent: Option<Arc<Inner>>,
}

impl Inner {
    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
            || self.parent.as_ref().is_some_and(|p| p.is_cancelled())
    }

    fn known_envy(&self) -> u64 {
        let own = self.known_envy.load(Ordering::SeqCst);
        self.parent
            .as_ref()
            .map_or(own, |p| own.min(p.known_envy()))
    }
}

/// Where a solve stands, for a page that follows it.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Snapshot {
    /// The stage running (`build`, `envy`, `fill` …), empty before any.
    pub stage: String,
    /// Seconds since the progress began.
    pub elapsed: f64,
    /// HiGHS's best objective in this stage, if any.
    pub best: Option<f64>,
    /// HiGHS's bound in this stage, if any.
    pub bound: Option<f64>,
    /// Relative gap in this stage, if known.
    pub gap: Option<f64>,
    /// Was the solve asked to stop?
    pub cancelled: bool,
}

/// A spinner line for the solve; cheap to clone (shared).
#[derive(Clone)]
pub struct Progress(Arc<Inner>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.bar.is_hidden() {
            "Progress(hidden)"
        } else {
            "Progress(stderr)"
        })
    }
}

impl Default for Progress {
    fn default() -> Self {
        Progress::hidden()
    }
}

impl Progress {
    /// Nothing is shown.
    pub fn hidden() -> Self {
        Self::with(ProgressBar::hidden(), crate::lang::Lang::Zh)
    }

    /// A spinner on stderr, in `lang`, unless `quiet` or stderr is not a
    /// terminal.
    pub fn stderr(quiet: bool, lang: crate::lang::Lang) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Self::hidden();
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                .expect("a valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Self::with(bar, lang)
    }

    /// Nothing is shown, and it is cancelled when this one is (not the
    /// other way round): for solves whose figures are not the run's (the
    /// neighbourhood search's sub-problems, the bound beside the search)
    /// but which a cancelled run must stop.
    pub fn hidden_child(&self) -> Self {
        Self::build(ProgressBar::hidden(), self.0.lang, Some(self.0.clone()))
    }

    fn with(bar: ProgressBar, lang: crate::lang::Lang) -> Self {
        Self::build(bar, lang, None)
    }

    fn build(bar: ProgressBar, lang: crate::lang::Lang, parent: Option<Arc<Inner>>) -> Self {
        Progress(Arc::new(Inner {
            bar,
            stage: Mutex::new((String::new(), Instant::now())),
            lang,
            started: Instant::now(),
            last: Mutex::new(None),
            cancelled: AtomicBool::new(false),
            known_envy: AtomicU64::new(u64::MAX),
            parent,
        }))
    }

    /// Where the solve stands now.
    pub fn snapshot(&self) -> Snapshot {
        let stage = self.0.stage.lock().map(|s| s.0.clone()).unwrap_or_default();
        let last = self.0.last.lock().ok().and_then(|l| *l);
        let finite = |x: f64| x.is_finite().then_some(x);
        Snapshot {
            stage,
            elapsed: self.0.started.elapsed().as_secs_f64(),
            best: last.and_then(|r| finite(r.primal_bound)),
            bound: last.and_then(|r| finite(r.dual_bound)),
            gap: last.and_then(|r| finite(r.gap).filter(|g| *g <= 1e9)),
            cancelled: self.is_cancelled(),
        }
    }

    /// Ask the solve to stop: every HiGHS solve stops at its next callback
    /// and the deadline counts as passed (`MipSettings::deadline`), so the
    /// best allocation found so far is returned, as at a time limit.
    pub fn cancel(&self) {
        self.0.cancelled.store(true, Ordering::SeqCst);
    }

    /// Was `cancel` called?
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }

    /// A feasible allocation with `envy` blocking pairs was found: the
    /// bound beside the search aims at the best such figure
    /// (`lagrange::envy_bound`) and stops once it proves it.
    pub fn found_envy(&self, envy: u64) {
        self.0.known_envy.fetch_min(envy, Ordering::SeqCst);
    }

    /// The fewest blocking pairs of a feasible allocation reported to this
    /// progress or to one it is a child of, if any.
    pub fn known_envy(&self) -> Option<u64> {
        Some(self.0.known_envy()).filter(|&e| e < u64::MAX)
    }

    /// A new stage begins.
    pub fn stage(&self, name: &str) {
        if let Ok(mut s) = self.0.stage.lock() {
            *s = (name.to_string(), Instant::now());
        }
        if let Ok(mut l) = self.0.last.lock() {
            *l = None;
        }
        let word = self.0.lang.pick("阶段", "stage");
        self.0.bar.set_message(format!("{word} {name}"));
    }

    /// Remove the line.
    pub fn finish(&self) {
        self.0.bar.finish_and_clear();
    }

    /// Watch `model` while it solves: report HiGHS's MIP progress on this
    /// line, keep its incumbent and bound, and interrupt the solve at
    /// `deadline` (HiGHS does not honour its own time limit everywhere: a
    /// 20 s limit on the league tier ran 26 s). Keep the returned value
    /// until the solve returns.
    pub fn watch(&self, model: &mut highs::Model, deadline: Option<Instant>) -> Arc<Watch> {
        let w = Arc::new(Watch {
            progress: self.0.clone(),
            deadline,
            seen: Mutex::new(Seen {
                best: None,
                dual: f64::NEG_INFINITY,
            }),
        });
        observe_mip(model, &w);
        w
    }
}

/// What watches one solve: the progress line, the deadline, and what the
/// solve has found so far (returned if it is abandoned at the deadline).
pub struct Watch {
    progress: Arc<Inner>,
    deadline: Option<Instant>,
    seen: Mutex<Seen>,
}

/// The latest improving solution and the best dual bound HiGHS reported.
struct Seen {
    best: Option<Vec<f64>>,
    dual: f64,
}

impl Watch {
    /// The last improving solution HiGHS reported, if any.
    pub fn best(&self) -> Option<Vec<f64>> {
        self.seen.lock().ok()?.best.clone()
    }

    /// The best dual bound HiGHS reported (on the stage's objective), if
    /// any was finite.
    pub fn dual_bound(&self) -> Option<f64> {
        let d = self.seen.lock().ok()?.dual;
        d.is_finite().then_some(d)
    }
}

impl MipObserver for Watch {
    fn report(&self, r: MipReport) {
        if let Ok(mut seen) = self.seen.lock() {
            // The bound only rises; a report before the root LP is -inf.
            if r.dual_bound.is_finite() && r.dual_bound > seen.dual {
                seen.dual = r.dual_bound;
            }
        }
        self.progress.report(r);
    }

    fn solution(&self, cols: &[f64]) {
        if let Ok(mut seen) = self.seen.lock() {
            seen.best = Some(cols.to_vec());
        }
    }

    fn stop(&self) -> bool {
        self.progress.is_cancelled() || self.deadline.is_some_and(|d| Instant::now() >= d)
    }
}

impl Inner {
    fn report(&self, r: MipReport) {
        if let Ok(mut l) = self.last.lock() {
            *l = Some(r);
        }
        if self.bar.is_hidden() {
            return;
        }
        let Ok(stage) = self.stage.lock() else {
            return;
        };
        let bound = |x: f64| {
            if x.is_finite() {
                format!("{x:.0}")
            } else {
                "-".to_string()
            }
        };
        let (name, secs) = (&stage.0, stage.1.elapsed().as_secs_f64());
        let (best, dual) = (bound(r.primal_bound), bound(r.dual_bound));
        let (gap, nodes) = (100.0 * r.gap.clamp(0.0, 1e9), r.nodes);
        // "best", never "incumbent": to the office that word is 延期志愿者.
        self.bar.set_message(match self.lang {
            crate::lang::Lang::Zh => format!(
                "阶段 {name}（{secs:.0} 秒）：目前最好 {best}，下界 {dual}，差距 {gap:.1}%，节点 {nodes}"
            ),
            crate::lang::Lang::En => format!(
                "stage {name} ({secs:.0} s): best {best} bound {dual} gap {gap:.1}% nodes {nodes}"
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::Progress;

    #[test]
    fn a_child_hears_of_the_fewest_blocking_pairs_found_by_it_or_its_parent() {
        let run = Progress::hidden();
        let bound = run.hidden_child();
        assert_eq!(bound.known_envy(), None);
        run.found_envy(40);
        run.found_envy(55);
        assert_eq!(bound.known_envy(), Some(40));
        bound.found_envy(30);
        assert_eq!(bound.known_envy(), Some(30));
        // Not the other way round, as with cancelling.
        assert_eq!(run.known_envy(), Some(40));
    }
}
