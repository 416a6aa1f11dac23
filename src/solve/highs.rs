//! Every call into HiGHS that the `highs` crate does not wrap safely, in one
//! place: building a model from the formulation's columns, replacing the
//! objective, adding a row, naming columns, writing the model, clearing the
//! solver, and the MIP progress callback. Everything else in `solve` uses
//! these safe functions.

use std::ffi::{c_char, c_int, c_void, CString};
use std::sync::Arc;

use highs::{ColProblem, Model, Sense};
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
    let c = CString::new(path.display().to_string())
        .map_err(|_| Error::Solver("model path contains a NUL byte".into()))?;
    // SAFETY: a valid model and a NUL-terminated path.
    let status = unsafe { highs_sys::Highs_writeModel(model.as_mut_ptr(), c.as_ptr()) };
    // HiGHS status: -1 error, 0 ok, 1 warning (e.g. names were generated).
    if status < 0 {
        return Err(Error::Solver(format!(
            "HiGHS could not write {}",
            path.display()
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

/// Something that wants HiGHS's MIP reports (the progress line).
pub trait MipObserver: Send + Sync {
    /// Called from HiGHS's thread on each interrupt and improving solution.
    fn report(&self, r: MipReport);

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
    _kind: c_int,
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
