//! `scripts/setup` decides what a fresh machine must install. Issue 13
//! (8): a machine with libclang-cpp but no libclang must get libclang-dev,
//! or the first build fails minutes later inside bindgen.

use std::path::Path;

/// The packages `scripts/setup --dry-run` would install when libclang is
/// looked for only in a folder holding `files`.
fn would_install(files: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    for f in files {
        std::fs::write(dir.path().join(f), b"").unwrap();
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/setup");
    let o = std::process::Command::new("bash")
        .arg(script)
        .arg("--dry-run")
        .env("XIBU_LIBCLANG_DIRS", dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn libclang_cpp_alone_is_not_libclang() {
    assert!(would_install(&["libclang-cpp.so.14"]).contains("libclang-dev"));
    assert!(would_install(&[]).contains("libclang-dev"));
    for present in ["libclang.so", "libclang-14.so.1", "libclang.so.14.0.6"] {
        assert!(
            !would_install(&[present, "libclang-cpp.so.14"]).contains("libclang-dev"),
            "{present} is a libclang bindgen loads"
        );
    }
}
