//! Every call into HiGHS that the `highs` crate does not wrap safely, in one
//! place: building a model from the formulation's columns, replacing the
//! objective, adding a row, naming columns, writing the model, clearing the
//! solver, and the MIP progress callback. Everything else in `solve` uses
//! these safe functions.

use std::ffi::{c_char, c_int, c_void, CString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use highs::{ColProblem, Model, Sense, SolvedModel};
use highs_sys::{HighsCallbackDataIn, HighsCallbackDataOut};

use super::formulation::Formulation;
use crate::error::{Error, Result};

/// The formulation as a HiGHS model (objective zero; stages set theirs).
pub(crate) fn to_highs(f: &Formulation) -> Model {
    let m = &f.mip;
    let mut p = ColProblem::default();
    let rows: Vec<highs::Row> = m
        .row_lo
        .iter()
        .zip(&m.row_hi)
        .map(|(&lo, &hi)| p.add_row(lo..=hi))
        .collect();
    for (j, entries) in m.cols.iter().enumerate() {
        let factors = entries.iter().map(|&(r, v)| (rows[r as usize], v));
        let (lo, hi) = (m.col_lo[j], m.col_hi[j]);
        if m.integer[j] {
            p.add_integer_column(0.0, lo..=hi, factors);
        } else {
            p.add_column(0.0, lo..=hi, factors);
        }
    }
    p.optimise(Sense::Minimise)
}

/// Set a HiGHS option from text: integer, float, bool or string, whichever
/// HiGHS accepts.
pub(crate) fn set_text_option(
    model: &mut Model,
    k: &str,
    v: &str,
) -> std::result::Result<(), String> {
    let ok = (v.parse::<i32>().is_ok()
        && model
            .try_set_option(k, v.parse::<i32>().unwrap_or(0))
            .is_ok())
        || (v.parse::<f64>().is_ok()
            && model
                .try_set_option(k, v.parse::<f64>().unwrap_or(0.0))
                .is_ok())
        || (v.parse::<bool>().is_ok()
            && model
                .try_set_option(k, v.parse::<bool>().unwrap_or(false))
                .is_ok())
        || model.try_set_option(k, v).is_ok();
    if ok {
        Ok(())
    } else {
        Err(format!("HiGHS does not accept option {k}={v}"))
    }
}

/// The HiGHS version xibu is linked with.
pub fn highs_version() -> String {
    // SAFETY: Highs_version returns a pointer to a static C string.
    let v = unsafe { std::ffi::CStr::from_ptr(highs_sys::Highs_version()) };
    v.to_string_lossy().into_owned()
}

/// Replace the whole objective: `costs` lists the nonzero coefficients.
pub(crate) fn set_objective(model: &mut Model, n_cols: usize, costs: &[(usize, f64)]) {
    let mut c = vec![0.0; n_cols];
    for &(j, v) in costs {
        c[j] = v;
    }
    if n_cols == 0 {
        return;
    }
    let last = highs_sys::HighsInt::try_from(n_cols - 1).expect("columns fit HighsInt");
    // SAFETY: `c` has exactly n_cols entries, the model's column count.
    let status =
        unsafe { highs_sys::Highs_changeColsCostByRange(model.as_mut_ptr(), 0, last, c.as_ptr()) };
    assert_eq!(status, 0, "HiGHS rejected an objective of the right length");
}

/// Add `Σ coef·col ≤ hi`.
pub(crate) fn add_upper_row(model: &mut Model, terms: &[(usize, f64)], hi: f64) {
    let idx: Vec<highs_sys::HighsInt> = terms
        .iter()
        .map(|&(j, _)| highs_sys::HighsInt::try_from(j).expect("columns fit HighsInt"))
        .collect();
    let val: Vec<f64> = terms.iter().map(|&(_, v)| v).collect();
    let n = highs_sys::HighsInt::try_from(idx.len()).expect("row fits HighsInt");
    // SAFETY: idx and val have n entries, each index is an existing column.
    let status = unsafe {
        highs_sys::Highs_addRow(
            model.as_mut_ptr(),
            f64::NEG_INFINITY,
            hi,
            n,
            idx.as_ptr(),
            val.as_ptr(),
        )
    };
    assert_eq!(status, 0, "HiGHS rejected a row over existing columns");
}

/// Write the model as HiGHS does (`.lp` or `.mps` by extension).
pub(crate) fn write_model(model: &mut Model, path: &std::path::Path) -> Result<()> {
    let c = CString::new(path.display().to_string()).map_err(|_| {
        Error::Solver(crate::msg!(
            "模型路径含有 NUL 字节",
            "model path contains a NUL byte"
        ))
    })?;
    // SAFETY: a valid model and a NUL-terminated path.
    let status = unsafe { highs_sys::Highs_writeModel(model.as_mut_ptr(), c.as_ptr()) };
    // HiGHS status: -1 error, 0 ok, 1 warning (e.g. names were generated).
    if status < 0 {
        let p = path.display();
        return Err(Error::Solver(crate::msg!(
            "HiGHS 无法写出 {p}",
            "HiGHS could not write {p}"
        )));
    }
    Ok(())
}

/// Give the columns names HiGHS writes into a model file (LP files take
/// letters, digits and a few symbols, so everything else becomes `_`).
pub(crate) fn name_columns(model: &mut Model, names: &[String]) {
    for (j, name) in names.iter().enumerate() {
        let clean: String = name
            .chars()
            .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
            .collect();
        let c = CString::new(clean).expect("no NUL after cleaning");
        let j = highs_sys::HighsInt::try_from(j).expect("columns fit HighsInt");
        // SAFETY: j is an existing column, c a valid C string.
        unsafe { highs_sys::Highs_passColName(model.as_mut_ptr(), j, c.as_ptr()) };
    }
}

/// Forget the solver's state (basis, solution) so that the next solve
/// starts afresh.
pub(crate) fn clear_solver(model: &mut Model) {
    // SAFETY: a valid HiGHS instance; clearing its solver state is always allowed.
    unsafe { highs_sys::Highs_clearSolver(model.as_mut_ptr()) };
}

/// What HiGHS reports while a MIP solves.
#[derive(Debug, Clone, Copy)]
pub struct MipReport {
    /// Objective of the best solution found (infinite before one).
    pub primal_bound: f64,
    /// Proven bound on the objective.
    pub dual_bound: f64,
    /// Relative gap.
    pub gap: f64,
    /// Branch-and-bound nodes so far.
    pub nodes: i64,
}

/// Something that wants HiGHS's MIP reports (the progress line, the
/// deadline).
pub trait MipObserver: Send + Sync {
    /// Called from HiGHS's thread on each interrupt and improving solution.
    fn report(&self, r: MipReport);

    /// An improving solution, in the model's columns (the original ones,
    /// not the presolved): what a solve abandoned at its deadline returns.
    fn solution(&self, _cols: &[f64]) {}

    /// Asked at each interrupt point: stop the solve now?
    fn stop(&self) -> bool {
        false
    }
}

/// Call `observer.report` while `model` solves. The observer is kept alive
/// by the `Arc` the caller holds for the whole solve.
pub(crate) fn observe_mip<T: MipObserver>(model: &mut Model, observer: &Arc<T>) {
    let data = Arc::as_ptr(observer) as *mut c_void;
    // SAFETY: `data` points into an Arc that the caller's settings own and
    // that outlives every solve of the command; `on_mip::<T>` only reads it.
    unsafe {
        let m = model.as_mut_ptr();
        highs_sys::Highs_setCallback(m, Some(on_mip::<T>), data);
        highs_sys::Highs_startCallback(m, highs_sys::kHighsCallbackMipInterrupt);
        highs_sys::Highs_startCallback(m, highs_sys::kHighsCallbackMipImprovingSolution);
    }
}

unsafe extern "C" fn on_mip<T: MipObserver>(
    kind: c_int,
    _message: *const c_char,
    out: *const HighsCallbackDataOut,
    input: *mut HighsCallbackDataIn,
    data: *mut c_void,
) {
    if out.is_null() || data.is_null() {
        return;
    }
    // SAFETY: HiGHS passes a valid data-out record; `data` is the T set in
    // `observe_mip`.
    let (out, observer) = unsafe { (&*out, &*(data as *const T)) };
    if kind == highs_sys::kHighsCallbackMipImprovingSolution as c_int
        && !out.mip_solution.is_null()
        && out.mip_solution_size > 0
    {
        // SAFETY: HiGHS passes its incumbent's `mip_solution_size` values,
        // valid for the duration of the call.
        let cols =
            unsafe { std::slice::from_raw_parts(out.mip_solution, out.mip_solution_size as usize) };
        observer.solution(cols);
    }
    observer.report(MipReport {
        primal_bound: out.mip_primal_bound,
        dual_bound: out.mip_dual_bound,
        gap: out.mip_gap,
        nodes: out.mip_node_count,
    });
    if !input.is_null() && observer.stop() {
        // SAFETY: HiGHS passes a valid data-in record it reads back.
        unsafe { (*input).user_interrupt = 1 };
    }
}

/// A model on its way to the solver thread, and its answer on the way
/// back. HiGHS objects may be used from any thread, one thread at a time;
/// each is owned by exactly one thread at every moment here.
struct Crossing<T>(T);
// SAFETY: see above; only `Model` and `SolvedModel` cross, by move.
unsafe impl Send for Crossing<Model> {}
// SAFETY: as above.
unsafe impl Send for Crossing<SolvedModel> {}

/// Solves running on a thread of their own (`solve_until`), abandoned or
/// not, that have not yet returned.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// How many HiGHS solves are still running on threads of their own. A
/// process that exits normally while one runs tears HiGHS's globals down
/// under it; the binary checks this before it exits.
pub fn solves_in_flight() -> usize {
    IN_FLIGHT.load(Ordering::SeqCst)
}

/// Solve `model`, waiting for it until `abandon_at` at most. HiGHS does
/// not check its time limit or its interrupt callback everywhere (presolve's
/// `enumerateSolutions`, root-node cut separation and heuristics ran
/// minutes past a limit), so a solve with a deadline runs on a thread of
/// its own; when it has not returned by `abandon_at`, or `grace` after
/// `cancelled()` turns true (checked every 50 ms: the deadline passed
/// to HiGHS cannot move when a run is cancelled), it is left to finish
/// alone (its callback interrupts it at its next check; the process may
/// exit first) and `None` is returned. `keep` (the callback's observer)
/// stays alive for as long as the solve runs.
pub(crate) fn solve_until<K: Send + Sync + 'static>(
    model: Model,
    abandon_at: Option<Instant>,
    (cancelled, grace): (&dyn Fn() -> bool, Duration),
    keep: Arc<K>,
) -> Option<SolvedModel> {
    let Some(mut at) = abandon_at else {
        let solved = model.solve();
        drop(keep);
        return Some(solved);
    };
    if Instant::now() >= at {
        // No time at all: not started (a tiny model could otherwise
        // finish first and be returned, or not, by chance).
        return None;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let job = Crossing(model);
    IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
    std::thread::spawn(move || {
        // Moved whole (a closure would otherwise capture the model alone).
        let job = job;
        let solved = Crossing(job.0.solve());
        drop(keep);
        if let Err(unsent) = tx.send(solved) {
            // Abandoned: the model is freed here, still inside the count.
            drop(unsent);
        }
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    });
    let mut seen_cancel = false;
    loop {
        let now = Instant::now();
        if !seen_cancel && cancelled() {
            seen_cancel = true;
            at = at.min(now + grace);
        }
        let wait = at
            .saturating_duration_since(now)
            .min(Duration::from_millis(50));
        match rx.recv_timeout(wait) {
            Ok(s) => return Some(s.0),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return None,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) if Instant::now() >= at => return None,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use highs::{ColProblem, Model, Sense};

    use super::{observe_mip, solve_until, MipObserver, MipReport};

    /// min −x − 2y, x + y ≤ 1.5, x, y ∈ {0, 1}: optimum y = 1.
    fn small_mip() -> Model {
        let mut p = ColProblem::default();
        let row = p.add_row(..=1.5);
        p.add_integer_column(-1.0, 0.0..=1.0, [(row, 1.0)]);
        p.add_integer_column(-2.0, 0.0..=1.0, [(row, 1.0)]);
        let mut m = p.optimise(Sense::Minimise);
        m.set_option("output_flag", false);
        m
    }

    /// A market split instance (Cornuéjols and Dawande): 5 equality rows
    /// over 40 binaries with coefficients in [0, 100) and each right-hand
    /// side half its row's sum — hours of branch and bound for any MIP
    /// solver, so a solve of it only ends by being stopped.
    fn slow_mip() -> Model {
        let mut p = ColProblem::default();
        let mut seed: u64 = 1;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % 100) as f64
        };
        let a: Vec<Vec<f64>> = (0..5).map(|_| (0..40).map(|_| next()).collect()).collect();
        let rows: Vec<_> = a
            .iter()
            .map(|r| {
                let half = (r.iter().sum::<f64>() / 2.0).floor();
                p.add_row(half..=half)
            })
            .collect();
        for j in 0..40 {
            p.add_integer_column(
                0.0,
                0.0..=1.0,
                rows.iter().zip(&a).map(|(&row, r)| (row, r[j])),
            );
        }
        let mut m = p.optimise(Sense::Minimise);
        m.set_option("output_flag", false);
        m.set_option("threads", 1);
        // Once abandoned, it stops by itself (in branch and bound HiGHS
        // checks its limit), and the test waits for that: a HiGHS thread
        // still running when the test process exits crashes it.
        m.set_option("time_limit", 2.0);
        m
    }

    #[derive(Default)]
    struct Keep(Mutex<Vec<Vec<f64>>>);

    impl MipObserver for Keep {
        fn report(&self, _: MipReport) {}
        fn solution(&self, cols: &[f64]) {
            self.0.lock().unwrap().push(cols.to_vec());
        }
    }

    #[test]
    fn improving_solutions_reach_the_observer_in_the_models_columns() {
        let mut m = small_mip();
        let keep = Arc::new(Keep::default());
        observe_mip(&mut m, &keep);
        let far = Instant::now() + Duration::from_secs(600);
        let solved = solve_until(m, Some(far), (&|| false, Duration::ZERO), keep.clone())
            .expect("solved long before");
        let seen = keep.0.lock().unwrap();
        let last = seen.last().expect("at least one improving solution");
        assert_eq!(last.len(), 2);
        assert_eq!(last.as_slice(), solved.get_solution().columns());
        assert!((last[1] - 1.0).abs() < 1e-9, "{last:?}");
    }

    #[test]
    fn a_solve_past_its_deadline_is_abandoned_and_its_observer_kept_alive() {
        let keep = Arc::new(Keep::default());
        let past = Instant::now() - Duration::from_secs(1);
        let never = (&|| false) as &dyn Fn() -> bool;
        assert!(solve_until(
            small_mip(),
            Some(past),
            (never, Duration::ZERO),
            keep.clone()
        )
        .is_none());
        // Cancelled: abandoned after the grace, however far the deadline.
        let far = Instant::now() + Duration::from_secs(600);
        let cancelled = (&|| true) as &dyn Fn() -> bool;
        let t = Instant::now();
        let grace = Duration::from_millis(200);
        let other = Arc::new(Keep::default());
        let abandoned = solve_until(slow_mip(), Some(far), (cancelled, grace), other.clone());
        assert!(abandoned.is_none());
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
        // Still running (only its 2 s limit ends it): counted, so the
        // binary leaves by `_exit`.
        assert!(super::solves_in_flight() >= 1);
        while Arc::strong_count(&other) > 1 && t.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(10));
        }
        // Without a deadline the same model solves in place.
        let solved = solve_until(small_mip(), None, (never, Duration::ZERO), keep.clone())
            .expect("no deadline");
        assert_eq!(solved.status(), highs::HighsModelStatus::Optimal);
        // The abandoned thread let go of its observer once it finished.
        let t = Instant::now();
        while Arc::strong_count(&keep) > 1 && t.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(Arc::strong_count(&keep), 1);
    }
}
