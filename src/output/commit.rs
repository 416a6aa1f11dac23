//! One output set per run (interface §3): everything a run writes is staged
//! in a fresh hidden folder beside `--out` and switched in with one rename,
//! so a reader — Excel, a script, `verify` — sees the earlier set or the
//! new one, never a mix, even when the run is killed half-way.
//!
//! - The switch is `renameat2(RENAME_EXCHANGE)` on Linux: the two folders
//!   trade places atomically. Where the file system cannot exchange, two
//!   renames (old out of the way, new in): a reader may then find the
//!   folder missing for an instant, never mixed, and the next run puts an
//!   interrupted switch back.
//! - Files in the folder that are not outputs of an earlier run (the
//!   office's notes, the input tables) are carried into the new set as
//!   hard links: the same files, untouched. Outputs of an earlier run that
//!   this run does not write (the Excel lists of an `--xlsx` run, per-county
//!   workbooks, scenario folders) are left behind and removed, and named.
//! - A lock file beside the folder makes a second run into the same `--out`
//!   fail at once, naming the process that holds it.
//! - A hidden staging folder left by a killed run is removed, and named, by
//!   the next run into the same `--out`.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Msg, Result};
use crate::msg;

/// What a folder holds, which decides what counts as an earlier output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetKind {
    /// Results of `allocate`, `backfill` or `scenarios`.
    Results,
    /// Input tables made by `generate`.
    Generated,
}

/// The name of the diagnosis an infeasible run writes (and the only file it
/// writes): interface §3, exit 3 leaves every earlier output as it was.
pub const DIAGNOSIS: &str = "diagnosis.txt";

/// Every file name a result-producing command writes at the top of its
/// folder (per-county workbooks and scenario folders are recognised apart).
const RESULT_NAMES: [&str; 17] = [
    "dispatch.csv",
    "unplaced.csv",
    "reserves.csv",
    "summary.json",
    "report.html",
    "run.json",
    "changes.csv",
    "withdrawn.csv",
    "envy.csv",
    "派遣名单.xlsx",
    "候补名单.xlsx",
    "未安排名单.xlsx",
    "递补名单.xlsx",
    "汇总表.xlsx",
    "comparison.csv",
    "comparison.html",
    "moves.csv",
];

/// Is this a file name a result-producing command writes at the top of
/// its folder?
pub fn is_result_name(name: &str) -> bool {
    RESULT_NAMES.contains(&name)
        || name == DIAGNOSIS
        || (name.starts_with("旗县-") && name.ends_with(".xlsx"))
}

/// Every file name `generate` writes.
const GENERATED_STEMS: [&str; 4] = ["candidates", "posts", "counties", "incumbents"];

/// A test hook: `XIBU_TEST_KILL_AT=<step>` aborts the process at that step
/// of a commit, as a SIGKILL would (no destructor runs), so tests can check
/// what a reader finds after a kill at every step.
fn kill_point(step: &str) {
    if std::env::var("XIBU_TEST_KILL_AT").is_ok_and(|s| s == step) {
        std::process::abort();
    }
}

/// An output folder being written: held under its lock from `open` (before
/// the solve) to `commit`.
pub struct OutputDir {
    target: PathBuf,
    kind: SetKind,
    staging: Option<PathBuf>,
    written: Vec<String>,
    notes: Vec<Msg>,
    _lock: Lock,
}

/// An I/O error "cannot <verb> <path>" in both languages.
fn io(zh: &str, en: &str, path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let p = path.display();
    let what = msg!("无法{zh} {p}", "cannot {en} {p}");
    move |e| Error::io(what, e)
}

/// `--out` as an absolute path whose last component is a real name (so
/// `.` and `results/` work), its parent created.
fn resolve(dir: &Path) -> Result<PathBuf> {
    if dir.is_dir() {
        return fs::canonicalize(dir).map_err(io("打开", "open", dir));
    }
    let abs = std::path::absolute(dir).map_err(io("打开", "open", dir))?;
    let (Some(parent), Some(name)) = (abs.parent(), abs.file_name()) else {
        let d = dir.display();
        return Err(Error::Output(msg!(
            "{d} 不能用作输出文件夹：请选择它里面的一个文件夹",
            "{d} cannot be an output folder: choose a folder inside it"
        )));
    };
    fs::create_dir_all(parent).map_err(io("创建", "create", parent))?;
    let parent = fs::canonicalize(parent).map_err(io("打开", "open", parent))?;
    Ok(parent.join(name))
}

/// A sibling of `target` named `.<name>.xibu-<what>`.
fn sibling(target: &Path, what: &str) -> PathBuf {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    target.with_file_name(format!(".{name}.xibu-{what}"))
}

impl OutputDir {
    /// Take the folder's lock (failing at once if another run holds it),
    /// put back a switch a killed run left half-done, and remove the
    /// staging folders killed runs left.
    pub fn open(dir: &Path, kind: SetKind) -> Result<Self> {
        let target = resolve(dir)?;
        if target.exists() && !target.is_dir() {
            let t = target.display();
            return Err(Error::Output(msg!(
                "{t} 是一个文件，不是文件夹：请换一个 --out",
                "{t} is a file, not a folder: choose another --out"
            )));
        }
        let lock = Lock::take(&sibling(&target, "lock"), &target)?;
        let mut notes = Vec::new();
        let parent = target.parent().expect("resolved paths have a parent");
        let name = target.file_name().unwrap_or_default().to_string_lossy();
        let old = sibling(&target, "old");
        if !target.exists() && old.is_dir() {
            // Killed between the two renames of a non-exchanging switch.
            fs::rename(&old, &target).map_err(io("恢复", "restore", &old))?;
            let t = target.display();
            notes.push(msg!(
                "已放回被中断的运行移开的 {t}",
                "put back {t}, which an interrupted run had moved aside"
            ));
        }
        let prefix = format!(".{name}.xibu-new-");
        let mut leftovers: Vec<PathBuf> = fs::read_dir(parent)
            .map_err(io("读取", "read", parent))?
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .map(|e| e.path())
            .collect();
        if old.is_dir() {
            leftovers.push(old);
        }
        leftovers.sort();
        for l in leftovers {
            fs::remove_dir_all(&l).map_err(io("删除", "remove", &l))?;
            let l = l.display();
            notes.push(msg!(
                "已删除被中断的运行留下的未完成的 {l}",
                "removed {l}, left unfinished by an interrupted run"
            ));
        }
        let mut d = OutputDir {
            target,
            kind,
            staging: None,
            written: Vec::new(),
            notes,
            _lock: lock,
        };
        // Now, so that a folder that cannot be staged beside fails before
        // the solve.
        d.staging()?;
        Ok(d)
    }

    /// The folder the set is switched into.
    pub fn path(&self) -> &Path {
        &self.target
    }

    fn staging(&mut self) -> Result<PathBuf> {
        if let Some(s) = &self.staging {
            return Ok(s.clone());
        }
        let tmp = tempfile::Builder::new()
            .prefix(&format!(
                ".{}.xibu-new-",
                self.target.file_name().unwrap_or_default().to_string_lossy()
            ))
            .tempdir_in(self.target.parent().expect("resolved paths have a parent"))
            .map_err(|e| {
                let t = self.target.display();
                Error::io(
                    msg!(
                        "无法在 {t} 旁边创建临时文件夹（xibu 一次性换入整个文件夹，所以要能写入它所在的文件夹；请把 --out 设在你能写入的文件夹里）",
                        "cannot create a staging folder beside {t} (xibu switches the whole folder in at once, so it needs to write in the folder that holds it; choose an --out inside a folder you can write to)"
                    ),
                    e,
                )
            })?;
        let path = tmp.keep();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&self.target)
                .map(|m| m.permissions().mode())
                .unwrap_or(0o755);
            let _ = fs::set_permissions(&path, fs::Permissions::from_mode(mode));
        }
        self.staging = Some(path.clone());
        Ok(path)
    }

    /// Stage `name` (a file name, or `folder/file` for a scenario's
    /// results) with `bytes`.
    pub fn write(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let staging = self.staging()?;
        let path = staging.join(name);
        let shown = self.target.join(name);
        let ctx = || {
            let p = shown.display();
            msg!("无法写入 {p}", "cannot write {p}")
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(ctx(), e))?;
        }
        let mut f = File::create(&path).map_err(|e| Error::io(ctx(), e))?;
        f.write_all(bytes).map_err(|e| Error::io(ctx(), e))?;
        f.sync_all().map_err(|e| Error::io(ctx(), e))?;
        self.written.push(name.to_string());
        kill_point(&format!("write:{name}"));
        Ok(())
    }

    /// Switch the staged set in: carry the folder's other files over, then
    /// exchange the folders and remove the earlier set. Returns what a
    /// person should know (files of the earlier run removed, leftovers of
    /// killed runs cleaned).
    pub fn commit(mut self) -> Result<Vec<Msg>> {
        let staging = self.staging()?;
        let mut removed = Vec::new();
        if self.target.is_dir() {
            let earlier = EarlierOutputs::read(&self.target, self.kind);
            let mut entries: Vec<fs::DirEntry> = fs::read_dir(&self.target)
                .map_err(io("读取", "read", &self.target))?
                .filter_map(|e| e.ok())
                .collect();
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let name = e.file_name().to_string_lossy().into_owned();
                if self.written.iter().any(|w| top(w) == name) {
                    continue;
                }
                if earlier.contains(&name, &e.path()) {
                    removed.push(name);
                    continue;
                }
                carry(&e.path(), &staging.join(&name))?;
            }
        }
        sync_dir(&staging);
        kill_point("carried");
        let exchange_ok = std::env::var_os("XIBU_TEST_NO_EXCHANGE").is_none();
        let switched = switch(&staging, &self.target, exchange_ok)?;
        self.staging = None;
        sync_dir(self.target.parent().expect("resolved paths have a parent"));
        kill_point("switched");
        if let Some(old) = switched {
            // The earlier set; every file worth keeping was carried over.
            let _ = fs::remove_dir_all(&old);
        }
        if !removed.is_empty() {
            let (n, t) = (removed.len(), self.target.display());
            let (zh, en) = (removed.join("、"), removed.join(", "));
            self.notes.push(msg!(
                "已删除 {t} 中上次运行留下、本次不再写出的 {n} 个文件：{zh}",
                "removed {n} file(s) of the earlier run in {t} that this run does not write: {en}"
            ));
        }
        Ok(std::mem::take(&mut self.notes))
    }

    /// Add one file to the folder as it is, leaving every other file
    /// untouched (the diagnosis of an infeasible run): written under a
    /// temporary name and renamed into place.
    pub fn add_only(mut self, name: &str, bytes: &[u8]) -> Result<Vec<Msg>> {
        fs::create_dir_all(&self.target).map_err(io("创建", "create", &self.target))?;
        let target = self.target.join(name);
        let ctx = || {
            let p = target.display();
            msg!("无法写入 {p}", "cannot write {p}")
        };
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .tempfile_in(&self.target)
            .map_err(|e| Error::io(ctx(), e))?;
        tmp.write_all(bytes).map_err(|e| Error::io(ctx(), e))?;
        tmp.as_file().sync_all().map_err(|e| Error::io(ctx(), e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = tmp
                .as_file()
                .set_permissions(fs::Permissions::from_mode(0o644));
        }
        tmp.persist(&target)
            .map_err(|e| Error::io(ctx(), e.error))?;
        Ok(std::mem::take(&mut self.notes))
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        // A run that failed before its commit leaves nothing behind.
        if let Some(s) = self.staging.take() {
            let _ = fs::remove_dir_all(s);
        }
    }
}

/// The first component of a staged name (`base/dispatch.csv` → `base`).
fn top(name: &str) -> &str {
    name.split('/').next().unwrap_or(name)
}

/// What an earlier run into the folder wrote: the names its run.json lists,
/// the fixed output names, per-county workbooks, and the folders its
/// comparison.csv names.
struct EarlierOutputs {
    kind: SetKind,
    listed: Vec<String>,
}

impl EarlierOutputs {
    fn read(dir: &Path, kind: SetKind) -> Self {
        let mut listed = Vec::new();
        if kind == SetKind::Results {
            if let Ok(text) = fs::read(dir.join("run.json")) {
                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&text) {
                    for o in v["outputs"].as_array().into_iter().flatten() {
                        if let Some(f) = o["file"].as_str() {
                            listed.push(top(f).to_string());
                        }
                    }
                }
            }
            // Scenario folders: each named in comparison.csv's first column.
            if let Ok(text) = fs::read_to_string(dir.join("comparison.csv")) {
                let mut r =
                    csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
                for rec in r.records().flatten() {
                    if let Some(n) = rec.get(0) {
                        listed.push(n.to_string());
                    }
                }
            }
        }
        EarlierOutputs { kind, listed }
    }

    fn contains(&self, name: &str, path: &Path) -> bool {
        match self.kind {
            SetKind::Generated => {
                GENERATED_STEMS
                    .iter()
                    .any(|s| name == format!("{s}.csv") || name == format!("{s}.xlsx"))
                    || name == "model.toml"
            }
            SetKind::Results => {
                if path.is_dir() {
                    // A scenario's folder, only when it holds a run's files.
                    self.listed.iter().any(|l| l == name)
                        && (path.join("run.json").exists() || path.join(DIAGNOSIS).exists())
                } else {
                    is_result_name(name) || self.listed.iter().any(|l| l == name)
                }
            }
        }
    }
}

/// Bring a file the folder holds (not an output) into the new set: a hard
/// link (the same file), a copy where links are impossible; folders entry
/// by entry; symbolic links as links.
fn carry(from: &Path, to: &Path) -> Result<()> {
    let meta = fs::symlink_metadata(from).map_err(io("读取", "read", from))?;
    let ctx = || {
        let p = from.display();
        msg!(
            "无法把 {p} 保留到新的输出文件夹",
            "cannot keep {p} in the new output folder"
        )
    };
    if meta.file_type().is_symlink() {
        let link = fs::read_link(from).map_err(|e| Error::io(ctx(), e))?;
        #[cfg(unix)]
        std::os::unix::fs::symlink(&link, to).map_err(|e| Error::io(ctx(), e))?;
        #[cfg(not(unix))]
        fs::copy(from, to)
            .map(|_| ())
            .map_err(|e| Error::io(ctx(), e))?;
        let _ = link;
    } else if meta.is_dir() {
        fs::create_dir(to).map_err(|e| Error::io(ctx(), e))?;
        let _ = fs::set_permissions(to, meta.permissions());
        for e in fs::read_dir(from).map_err(|e| Error::io(ctx(), e))? {
            let e = e.map_err(|e| Error::io(ctx(), e))?;
            carry(&e.path(), &to.join(e.file_name()))?;
        }
    } else if fs::hard_link(from, to).is_err() {
        fs::copy(from, to).map_err(|e| Error::io(ctx(), e))?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Put `staging` at `target` in one step. Returns where the earlier set
/// now is (to be removed), if there was one.
fn switch(staging: &Path, target: &Path, try_exchange: bool) -> Result<Option<PathBuf>> {
    let err = |e| {
        let t = target.display();
        Error::io(
            msg!(
                "无法把新结果换入 {t}",
                "cannot switch the new results into {t}"
            ),
            e,
        )
    };
    if !target.exists() {
        fs::rename(staging, target).map_err(err)?;
        return Ok(None);
    }
    let exchanged = if try_exchange {
        exchange(staging, target)
    } else {
        Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
    };
    match exchanged {
        Ok(()) => Ok(Some(staging.to_path_buf())),
        Err(_) => {
            // No atomic exchange here: move the earlier set aside, then the
            // new one in; `open` puts the earlier set back if a kill falls
            // between the two.
            let old = sibling(target, "old");
            fs::rename(target, &old).map_err(err)?;
            kill_point("aside");
            fs::rename(staging, target).map_err(err)?;
            Ok(Some(old))
        }
    }
}

/// Exchange two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    const RENAME_EXCHANGE: libc::c_uint = 2;
    // SAFETY: two valid NUL-terminated paths; the syscall only reads them.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// The lock beside an output folder: held by this process from `open`
/// until the run ends, and removed then.
struct Lock {
    path: PathBuf,
    file: File,
}

impl Lock {
    fn take(path: &Path, target: &Path) -> Result<Lock> {
        loop {
            let file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(io("创建锁文件", "create the lock file", path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => {
                    let holder = fs::read_to_string(path).unwrap_or_default();
                    let holder = holder.trim();
                    let (zh, en) = if holder.is_empty() {
                        (String::new(), String::new())
                    } else {
                        (format!("（进程 {holder}）"), format!(" (process {holder})"))
                    };
                    let t = target.display();
                    return Err(Error::Output(msg!(
                        "另一个 xibu 运行{zh}正在写入 {t}：请等它结束，或换一个 --out",
                        "another xibu run{en} is writing to {t}: wait until it has finished, or choose another --out"
                    )));
                }
                Err(fs::TryLockError::Error(e)) => return Err(io("锁定", "lock", path)(e)),
            }
            // The holder before us may have removed the file after we opened
            // it: then our lock is on a file nobody else will see; retry.
            if same_file(&file, path) {
                let mut f = &file;
                let _ = f.set_len(0);
                let _ = writeln!(f, "{}", std::process::id());
                return Ok(Lock {
                    path: path.to_path_buf(),
                    file,
                });
            }
        }
    }
}

#[cfg(unix)]
fn same_file(f: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so a run that opens it afterwards sees
        // a new file (and `take` checks for exactly that).
        let _ = fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn switch_keeps_other_files_and_drops_earlier_outputs() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("results");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("派遣名单.xlsx"), "old").unwrap();
        fs::write(out.join("dispatch.csv"), "old").unwrap();
        fs::write(out.join("旗县-150121.xlsx"), "old").unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        fs::create_dir(out.join("inputs")).unwrap();
        fs::write(out.join("inputs/candidates.csv"), "c").unwrap();
        let mut d = OutputDir::open(&out, SetKind::Results).unwrap();
        d.write("dispatch.csv", b"new").unwrap();
        let notes = d.commit().unwrap();
        assert_eq!(names(&out), ["dispatch.csv", "inputs", "notes.txt"]);
        assert_eq!(fs::read_to_string(out.join("dispatch.csv")).unwrap(), "new");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
        assert_eq!(
            fs::read_to_string(out.join("inputs/candidates.csv")).unwrap(),
            "c"
        );
        assert!(notes[0].en.contains("派遣名单.xlsx"), "{notes:?}");
        // Nothing is left beside the folder: no staging, no lock.
        assert_eq!(names(tmp.path()), ["results"]);
    }

    #[test]
    fn second_run_into_the_same_folder_fails_while_the_first_holds_it() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("r");
        let first = OutputDir::open(&out, SetKind::Results).unwrap();
        let Err(Error::Output(msg)) = OutputDir::open(&out, SetKind::Results) else {
            panic!("the second open must fail");
        };
        assert!(msg.en.contains("another xibu run"), "{msg:?}");
        assert!(msg.zh.contains("另一个 xibu 运行"), "{msg:?}");
        drop(first);
        OutputDir::open(&out, SetKind::Results).unwrap();
    }

    #[test]
    fn a_half_done_switch_is_put_back_and_leftovers_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("r");
        let old = sibling(&out, "old");
        fs::create_dir(&old).unwrap();
        fs::write(old.join("dispatch.csv"), "old").unwrap();
        fs::create_dir(sibling(&out, "new-abc")).unwrap();
        let d = OutputDir::open(&out, SetKind::Results).unwrap();
        assert_eq!(fs::read_to_string(out.join("dispatch.csv")).unwrap(), "old");
        let beside = names(tmp.path());
        assert!(
            !beside
                .iter()
                .any(|n| n.ends_with("new-abc") || n.ends_with("-old")),
            "{beside:?}"
        );
        drop(d);
        // A run that ends without committing leaves nothing beside.
        assert_eq!(names(tmp.path()), ["r"]);
    }

    #[test]
    fn without_exchange_two_renames_still_switch() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs::create_dir(&a).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(a.join("x"), "new").unwrap();
        fs::write(b.join("x"), "old").unwrap();
        let old = switch(&a, &b, false).unwrap().unwrap();
        assert_eq!(fs::read_to_string(b.join("x")).unwrap(), "new");
        assert_eq!(fs::read_to_string(old.join("x")).unwrap(), "old");
    }
}
