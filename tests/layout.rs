//! The layout README promises: data flows one way, and no files of one
//! folder import each other in a circle. Read from the sources, so a new
//! `use` that breaks it fails here, with the offending file named.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules from the bottom up: each may use only those before it.
const LAYERS: &[&str] = &[
    "domain", "lang", "error", "input", "model", "solve", "output", "commands", "generate",
    "template", "serve",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file under src/: `solve/fast/mod.rs` → [solve, fast].
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod") {
        parts.pop();
    }
    parts
}

/// Every `crate::a::b` path a file names (in `use` lines and inline), and
/// every `super::x` resolved against the file's module.
fn imports(text: &str, module: &[String], is_mod_rs: bool) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    // Code only: skip comments and the unit-test module at the end.
    let code: String = text
        .split("#[cfg(test)]")
        .next()
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let ident = |s: &str| -> Vec<String> {
        s.split("::")
            .map(|p| {
                p.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|p| !p.is_empty())
            .collect()
    };
    for (i, _) in code.match_indices("crate::") {
        out.push(ident(&code[i + 7..]));
    }
    // `super` is the parent module (for mod.rs, the folder's parent).
    let parent: Vec<String> = if is_mod_rs || module.len() > 1 {
        module[..module.len() - 1].to_vec()
    } else {
        Vec::new()
    };
    for (i, _) in code.match_indices("super::") {
        if i > 0 && code.as_bytes()[i - 1] == b':' {
            continue;
        }
        let mut p = parent.clone();
        p.extend(ident(&code[i + 7..]));
        out.push(p);
    }
    out
}

#[test]
fn modules_import_only_downwards_and_never_in_circles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut problems = Vec::new();
    // Edges between sibling files of one folder: (folder, from, to).
    let mut siblings: BTreeMap<Vec<String>, BTreeSet<(String, String)>> = BTreeMap::new();
    for f in &files {
        let module = module_of(&src, f);
        let Some(top) = module.first() else { continue };
        // The binary's own files (main.rs and the Chinese --help it
        // builds) sit above every layer.
        if top == "lib" || top == "main" || top == "help_zh" {
            continue;
        }
        let layer = LAYERS.iter().position(|l| l == top);
        let Some(layer) = layer else {
            problems.push(format!(
                "{}: top-level module {top} is not in LAYERS",
                f.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap();
        let is_mod_rs = f.file_name().unwrap() == "mod.rs";
        for path in imports(&text, &module, is_mod_rs) {
            let Some(to) = path.first() else { continue };
            if let Some(l) = LAYERS.iter().position(|x| x == to) {
                if l > layer {
                    problems.push(format!(
                        "{}: {top} uses crate::{} (a later step)",
                        f.display(),
                        path.join("::")
                    ));
                }
            }
            // Sibling files: same folder, different file.
            let common = module.iter().zip(&path).take_while(|(a, b)| a == b).count();
            let folder_len = if is_mod_rs {
                module.len()
            } else {
                module.len() - 1
            };
            if common == folder_len && path.len() > folder_len && module.len() > folder_len {
                let from = module[folder_len].clone();
                let to = path[folder_len].clone();
                if from != to {
                    siblings
                        .entry(module[..folder_len].to_vec())
                        .or_default()
                        .insert((from, to));
                }
            }
        }
    }
    // A circle among sibling files: some file reaches itself.
    for (folder, edges) in &siblings {
        let nodes: BTreeSet<&String> = edges.iter().flat_map(|(a, b)| [a, b]).collect();
        for start in nodes {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<&String> = edges
                .iter()
                .filter(|(a, _)| a == start)
                .map(|(_, b)| b)
                .collect();
            while let Some(n) = stack.pop() {
                if n == start {
                    problems.push(format!(
                        "src/{}: {start} imports itself through its siblings",
                        folder.join("/")
                    ));
                    break;
                }
                if seen.insert(n) {
                    stack.extend(edges.iter().filter(|(a, _)| a == n).map(|(_, b)| b));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "layout broken:\n{}",
        problems.join("\n")
    );
}
