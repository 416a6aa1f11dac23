//! Progress of long solves on stderr: stage, elapsed time, and the
//! incumbent and bound HiGHS reports (through its MIP callbacks). Hidden
//! when stderr is not a terminal or with `--quiet`.

use std::ffi::{c_char, c_int, c_void};
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use highs_sys::{HighsCallbackDataIn, HighsCallbackDataOut};
use indicatif::{ProgressBar, ProgressStyle};

struct Inner {
    bar: ProgressBar,
    stage: Mutex<(String, Instant)>,
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
        Self::with(ProgressBar::hidden())
    }

    /// A spinner on stderr, unless `quiet` or stderr is not a terminal.
    pub fn stderr(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Self::hidden();
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}")
                .expect("a valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Self::with(bar)
    }

    fn with(bar: ProgressBar) -> Self {
        Progress(Arc::new(Inner {
            bar,
            stage: Mutex::new((String::new(), Instant::now())),
        }))
    }

    /// A new stage begins.
    pub fn stage(&self, name: &str) {
        if let Ok(mut s) = self.0.stage.lock() {
            *s = (name.to_string(), Instant::now());
        }
        self.0.bar.set_message(format!("stage {name}"));
    }

    /// Remove the line.
    pub fn finish(&self) {
        self.0.bar.finish_and_clear();
    }

    /// Report HiGHS's MIP progress on this line while `model` solves.
    pub fn attach(&self, model: &mut highs::Model) {
        if self.0.bar.is_hidden() {
            return;
        }
        let data = Arc::as_ptr(&self.0) as *mut c_void;
        // SAFETY: `data` points into the Arc this Progress holds; the
        // settings that own it outlive every solve of the command. The
        // callback only reads the data HiGHS passes.
        unsafe {
            let m = model.as_mut_ptr();
            highs_sys::Highs_setCallback(m, Some(on_mip), data);
            highs_sys::Highs_startCallback(m, highs_sys::kHighsCallbackMipInterrupt);
            highs_sys::Highs_startCallback(m, highs_sys::kHighsCallbackMipImprovingSolution);
        }
    }
}

unsafe extern "C" fn on_mip(
    _kind: c_int,
    _message: *const c_char,
    out: *const HighsCallbackDataOut,
    _input: *mut HighsCallbackDataIn,
    data: *mut c_void,
) {
    if out.is_null() || data.is_null() {
        return;
    }
    // SAFETY: HiGHS passes a valid data-out record; `data` is the Inner set
    // in `attach`.
    let (out, inner) = unsafe { (&*out, &*(data as *const Inner)) };
    let Ok(stage) = inner.stage.lock() else {
        return;
    };
    let bound = |x: f64| {
        if x.is_finite() {
            format!("{x:.0}")
        } else {
            "-".to_string()
        }
    };
    inner.bar.set_message(format!(
        "stage {} ({:.0} s): incumbent {} bound {} gap {:.1}% nodes {}",
        stage.0,
        stage.1.elapsed().as_secs_f64(),
        bound(out.mip_primal_bound),
        bound(out.mip_dual_bound),
        100.0 * out.mip_gap.clamp(0.0, 1e9),
        out.mip_node_count
    ));
}
