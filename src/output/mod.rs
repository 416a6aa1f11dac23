//! Writing results: dispatch list, summary, and the atomic directory writer
//! that guarantees no half-written output.

pub mod csvfile;
pub mod files;
pub mod html;
pub mod reasons;
pub mod report;
pub mod reserves;
pub mod wording;
pub mod xlsx;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::lang::Lang;

/// How the outputs people read are written.
#[derive(Debug, Clone, Default)]
pub struct OutputOptions {
    /// Language of reasons (unplaced.csv, changes.csv, Excel lists).
    pub lang: Lang,
    /// Also write 派遣名单.xlsx, 候补名单.xlsx and 未安排名单.xlsx.
    pub xlsx: bool,
    /// Also write one workbook per county office (implies the Excel lists).
    pub per_county: bool,
    /// Show 身份证号 unmasked in the Excel lists.
    pub show_id: bool,
}

/// Stages files in the output directory under temporary names and renames
/// them into place only when every one was written: on any failure no
/// half-written file exists and earlier outputs are untouched.
pub struct AtomicDir {
    dir: PathBuf,
    staged: Vec<(tempfile::NamedTempFile, PathBuf)>,
}

impl AtomicDir {
    /// Create (if needed) the directory.
    pub fn new(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
        Ok(AtomicDir {
            dir: dir.to_path_buf(),
            staged: Vec::new(),
        })
    }

    /// Stage `name` with `bytes`.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        use std::io::Write;
        let target = self.dir.join(name);
        let ctx = || format!("cannot write {}", target.display());
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .tempfile_in(&self.dir)
            .map_err(|e| Error::io(ctx(), e))?;
        tmp.write_all(bytes).map_err(|e| Error::io(ctx(), e))?;
        // Temp files are private (0600); outputs are ordinary files.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let perm = std::fs::Permissions::from_mode(0o644);
            tmp.as_file()
                .set_permissions(perm)
                .map_err(|e| Error::io(ctx(), e))?;
        }
        tmp.as_file().sync_all().map_err(|e| Error::io(ctx(), e))?;
        self.staged.push((tmp, target));
        Ok(())
    }

    /// Rename every staged file into place.
    pub fn commit(self) -> Result<()> {
        for (tmp, target) in self.staged {
            tmp.persist(&target)
                .map_err(|e| Error::io(format!("cannot write {}", target.display()), e.error))?;
        }
        Ok(())
    }
}
