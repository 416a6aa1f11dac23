//! Headless Chromium for the tests that need a real browser (Debian's
//! `chromium`, installed by `scripts/setup --test`; `XIBU_CHROMIUM` picks
//! another binary).

use std::path::PathBuf;
use std::process::Command;

/// The Chromium binary: `XIBU_CHROMIUM`, else the first on PATH.
pub fn chromium() -> PathBuf {
    if let Ok(p) = std::env::var("XIBU_CHROMIUM") {
        return PathBuf::from(p);
    }
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        if let Ok(o) = Command::new("sh")
            .args(["-c", &format!("command -v {name}")])
            .output()
        {
            if o.status.success() {
                return PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
            }
        }
    }
    panic!("no Chromium found: run scripts/setup --test (installs Debian's chromium) or set XIBU_CHROMIUM");
}

/// Run headless Chromium on a URL; returns (DOM after scripts, console lines).
pub fn render(url: &str, extra: &[&str]) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(out.status.success(), "chromium failed: {out:?}");
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}
