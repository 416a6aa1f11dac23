//! Hand-made instances: the one way a test writes its own input files.

use std::path::Path;
use std::process::Output;

use xibu::commands::Inputs;

/// Input files written into a temporary folder (removed when dropped).
pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    /// A fixture with these files (name, text).
    pub fn new(files: &[(&str, &str)]) -> Self {
        let f = Fixture {
            dir: tempfile::tempdir().unwrap(),
        };
        for (name, text) in files {
            f.write(name, text);
        }
        f
    }

    /// Write (or replace) one file.
    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).unwrap();
    }

    /// Write (or replace) one file with these bytes (another encoding).
    pub fn write_bytes(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.path().join(name), bytes).unwrap();
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The inputs it holds (CSV tables, model.toml; optional files when present).
    pub fn inputs(&self) -> Inputs {
        super::inputs_in(self.path(), "csv", 0)
    }
}

/// The command's stderr, after checking its exit code (shown with stderr
/// when it differs).
pub fn assert_exit(o: &Output, code: i32) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(code), "{err}");
    err
}
