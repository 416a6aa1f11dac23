//! Typed errors of the library. The binary maps each variant to an exit code
//! in one place (`main.rs`).

use std::fmt;

/// One problem found in an input file, located as `file:line:column`.
///
/// `line` is the 1-based line (CSV) or row (xlsx) of the record; `column` is
/// the 1-based field number, as a spreadsheet counts columns. Line/column 0
/// is never produced: whole-file problems point at `1:1`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line (or spreadsheet row).
    pub line: usize,
    /// 1-based field number.
    pub column: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Diagnostic {
    /// A problem at `file:line:column`.
    pub fn new(file: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            line: line.max(1),
            column: column.max(1),
            message: message.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Every error the library reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input files are wrong; every problem found is listed.
    #[error("{}", render_diagnostics(.0))]
    Input(Vec<Diagnostic>),
    /// No assignment satisfies every hard constraint.
    #[error("infeasible: {0}")]
    Infeasible(String),
    /// Reading or writing a file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The optimiser failed in a way that is not the input's fault.
    #[error("solver: {0}")]
    Solver(String),
}

impl Error {
    /// An I/O error with the path or action that caused it.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

fn render_diagnostics(d: &[Diagnostic]) -> String {
    let mut out = String::new();
    for (i, x) in d.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&x.to_string());
    }
    out
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Collects diagnostics so that every problem of every file is reported at
/// once, instead of stopping at the first.
#[derive(Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Record one problem.
    pub fn push(&mut self, file: &str, line: usize, column: usize, message: impl Into<String>) {
        self.0.push(Diagnostic::new(file, line, column, message));
    }
    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// `Ok(value)` when clean, else every problem sorted by place.
    pub fn finish<T>(self, value: T) -> Result<T> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.into_error())
        }
    }
    /// Every problem, sorted by place, as an error.
    pub fn into_error(mut self) -> Error {
        self.0.sort();
        self.0.dedup();
        Error::Input(self.0)
    }
}
