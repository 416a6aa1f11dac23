//! Typed errors of the library. The binary maps each variant to an exit code
//! in one place (`main.rs`).

use std::fmt;

use crate::lang::Lang;

/// A sentence in both languages. The library writes both; the edge (the
/// terminal, a page) picks the reader's, so no reader needs a `Lang`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Msg {
    /// 中文
    pub zh: String,
    /// English
    pub en: String,
}

impl Msg {
    /// The same words in both languages: a value, a path, or a third
    /// party's message that only exists in one language.
    pub fn same(text: impl Into<String>) -> Self {
        let text = text.into();
        Msg {
            zh: text.clone(),
            en: text,
        }
    }

    /// The sentence in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.zh, &self.en)
    }

    /// The sentences joined, with `；` in Chinese and `; ` in English.
    pub fn join(list: &[Msg]) -> Msg {
        let join = |lang: Lang, sep: &str| {
            list.iter()
                .map(|m| m.get(lang))
                .collect::<Vec<_>>()
                .join(sep)
        };
        Msg {
            zh: join(Lang::Zh, "；"),
            en: join(Lang::En, "; "),
        }
    }

    /// Both sentences rewritten by `f` (a prefix, masking).
    pub fn map(self, f: impl Fn(Lang, String) -> String) -> Self {
        Msg {
            zh: f(Lang::Zh, self.zh),
            en: f(Lang::En, self.en),
        }
    }
}

/// In files for programs (summary.json, verify's JSON) a sentence is its
/// English: the contract's words, stable across `--lang`.
impl serde::Serialize for Msg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.en)
    }
}

/// A [`Msg`] from a Chinese and an English format string, each capturing
/// the variables it names (`msg!("'{h}' 为空", "'{h}' is empty")`).
#[macro_export]
macro_rules! msg {
    ($zh:literal, $en:literal $(,)?) => {
        $crate::error::Msg {
            zh: format!($zh),
            en: format!($en),
        }
    };
}

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
    /// What is wrong and how to fix it, in both languages.
    pub message: Msg,
}

impl Diagnostic {
    /// A problem at `file:line:column`. The message is made safe to show:
    /// anything that looks like an ID number is masked, control characters
    /// are replaced, and a message longer than `MAX_MESSAGE` characters is
    /// cut (a 10 MB cell is not echoed whole).
    pub fn new(file: &str, line: usize, column: usize, message: Msg) -> Self {
        Diagnostic {
            file: file.to_string(),
            line: line.max(1),
            column: column.max(1),
            message: message.map(|_, m| safe_message(&m)),
        }
    }

    /// `file:line:column: message` in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        format!(
            "{}:{}:{}: {}",
            self.file,
            self.line,
            self.column,
            self.message.get(lang)
        )
    }
}

/// A 1-based column number as Excel names it: 1 → A, 27 → AA.
pub fn column_letter(col: usize) -> String {
    let mut n = col.max(1);
    let mut out = Vec::new();
    while n > 0 {
        n -= 1;
        out.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// A message about one cell, led by its Excel column letter (`[D] …`), so
/// that a person finds the cell in Excel or WPS.
pub fn at_cell(col: usize, msg: Msg) -> Msg {
    let letter = column_letter(col);
    msg.map(|_, m| format!("[{letter}] {m}"))
}

/// Longest message shown, in characters.
pub const MAX_MESSAGE: usize = 300;

/// Most problems shown per file; the rest are counted.
pub const MAX_PER_FILE: usize = 200;

/// Mask every maximal run of 15 or 18 digits (the last may be X) — the
/// lengths of a 身份证号 — as `150102********1236`, even inside a longer
/// value, replace control characters with
/// `�`, and cut the text at `MAX_MESSAGE` characters.
pub fn safe_message(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len().min(4 * MAX_MESSAGE));
    let mut i = 0;
    let mut shown = 0;
    while i < chars.len() {
        if shown >= MAX_MESSAGE {
            out.push_str(&format!("… (+{})", chars.len() - i));
            break;
        }
        let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 {
            let x = usize::from(matches!(chars.get(i + digits), Some('X' | 'x')));
            let run = digits + x;
            // The whole run of digits, even glued to letters: a choice
            // `P00017` run into an ID number is `P000176199702125460`.
            if run == 15 || run == 18 {
                out.extend(&chars[i..i + 6]);
                out.push_str(&"*".repeat(run - 10));
                out.extend(&chars[i + run - 4..i + run]);
                i += run;
                shown += run;
                continue;
            }
            out.extend(&chars[i..i + digits]);
            i += digits;
            shown += digits;
            continue;
        }
        let c = chars[i];
        out.push(if c.is_control() && c != '\n' {
            '\u{fffd}'
        } else {
            c
        });
        i += 1;
        shown += 1;
    }
    out
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

/// Every error the library reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input files are wrong; every problem found is listed.
    #[error("{}", render_diagnostics(.0, Lang::En))]
    Input(Vec<Diagnostic>),
    /// No assignment satisfies every hard constraint.
    #[error("infeasible: {}", .0.en)]
    Infeasible(Msg),
    /// Reading or writing a file failed.
    #[error("{}: {source}", .context.en)]
    Io {
        /// What was being done, with the path.
        context: Msg,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The optimiser failed in a way that is not the input's fault.
    #[error("solver: {}", .0.en)]
    Solver(Msg),
    /// The outputs cannot be written as asked (folder busy or unusable,
    /// a workbook the Excel writer refuses).
    #[error("{}", .0.en)]
    Output(Msg),
    /// `verify` (or `explain`) found hard constraints the dispatch breaks,
    /// or `verify --manifest` found a run that does not reproduce: what was
    /// found is already printed; this only carries the exit code.
    #[error("{}", .0.en)]
    Violations(Msg),
}

impl Error {
    /// The error as a person reads it in `lang` (`Display` is English, for
    /// logs and programs).
    pub fn render(&self, lang: Lang) -> String {
        match (self, lang) {
            (Error::Input(d), _) => render_diagnostics(d, lang),
            (e, Lang::En) => e.to_string(),
            (Error::Infeasible(m), Lang::Zh) => format!("无解：{}", m.zh),
            (Error::Io { context, source }, Lang::Zh) => {
                format!("{}：{}（{source}）", context.zh, io_zh(source))
            }
            (Error::Solver(m), Lang::Zh) => format!("求解器：{}", m.zh),
            (Error::Output(m) | Error::Violations(m), Lang::Zh) => m.zh.clone(),
        }
    }

    /// An I/O error with the path or action that caused it.
    pub fn io(context: Msg, source: std::io::Error) -> Self {
        Error::Io { context, source }
    }
}

/// What an I/O error means, in Chinese (the system's own text follows it).
fn io_zh(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "找不到文件或文件夹",
        K::PermissionDenied => "没有权限（文件是否正在 Excel 或 WPS 中打开？）",
        K::AlreadyExists => "文件已存在",
        K::StorageFull => "磁盘已满",
        K::ReadOnlyFilesystem => "磁盘是只读的",
        K::IsADirectory => "这是一个文件夹，不是文件",
        K::NotADirectory => "路径中有一项不是文件夹",
        K::InvalidData => "数据无效",
        K::UnexpectedEof => "文件意外结束",
        _ => "读写失败",
    }
}

/// Every problem, one a line, at most `MAX_PER_FILE` per file, then a
/// count of the rest (1 M unknown choices print 200 lines, not 110 MB).
fn render_diagnostics(d: &[Diagnostic], lang: Lang) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut shown: std::collections::HashMap<&str, usize> = Default::default();
    let mut hidden: Vec<(&str, usize)> = Vec::new();
    for x in d {
        let n = shown.entry(x.file.as_str()).or_default();
        *n += 1;
        if *n <= MAX_PER_FILE {
            lines.push(x.render(lang));
        } else if let Some(h) = hidden.iter_mut().find(|(f, _)| *f == x.file) {
            h.1 += 1;
        } else {
            hidden.push((x.file.as_str(), 1));
        }
    }
    for (file, n) in hidden {
        lines.push(match lang {
            Lang::Zh => format!(
                "{file}：…… 另有 {n} 个问题未列出；请先改正前 {MAX_PER_FILE} 个再运行"
            ),
            Lang::En => format!(
                "{file}: … and {n} more problems not shown; fix the first {MAX_PER_FILE} and run again"
            ),
        });
    }
    lines.join("\n")
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Collects diagnostics so that every problem of every file is reported at
/// once, instead of stopping at the first.
#[derive(Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Record one problem.
    pub fn push(&mut self, file: &str, line: usize, column: usize, message: Msg) {
        self.0.push(Diagnostic::new(file, line, column, message));
    }
    /// Record a problem about one cell: the message starts with the
    /// cell's Excel column letter (`[D] …`).
    pub fn push_cell(&mut self, file: &str, line: usize, column: usize, message: Msg) {
        self.push(file, line, column, at_cell(column, message));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_in_messages_are_masked() {
        // A shifted row puts a 身份证号 in the degree column.
        let m = safe_message(r#"'degree' is "152204199911282128"; expected 专科"#);
        assert_eq!(m, r#"'degree' is "152204********2128"; expected 专科"#);
        assert_eq!(safe_message("11010519491231002X"), "110105********002X");
        assert_eq!(
            safe_message("id 110105491231002 left"),
            "id 110105*****1002 left"
        );
        // Glued to other text (found by the fuzzer: a choice run into an ID).
        assert_eq!(
            safe_message("choice P000176199702125460 names an unknown post"),
            "choice P000176********5460 names an unknown post"
        );
        // Other numbers stay: scores, codes, 16- and 19-digit runs.
        for keep in [
            "score 81.5",
            "county 150121",
            "1234567890123456",
            "1101051949123100211",
        ] {
            assert_eq!(safe_message(keep), keep);
        }
    }

    #[test]
    fn messages_are_short_and_printable() {
        let m = safe_message(&format!("value \"{}\"", "x".repeat(10_000_000)));
        assert!(m.chars().count() < MAX_MESSAGE + 40, "{}", m.len());
        assert!(
            m.ends_with(&format!("… (+{})", 10_000_000 + 8 - MAX_MESSAGE)),
            "{m}"
        );
        assert_eq!(safe_message("a\0b\u{7}c"), "a\u{fffd}b\u{fffd}c");
    }

    #[test]
    fn at_most_200_problems_per_file_are_printed() {
        let mut d = Diagnostics::default();
        for line in 1..=1000 {
            d.push("a.csv", line, 1, Msg::same("unknown post"));
        }
        d.push("b.csv", 1, 1, Msg::same("bad"));
        let err = d.into_error();
        let text = err.to_string();
        assert_eq!(text.lines().count(), MAX_PER_FILE + 2);
        assert!(
            text.contains("a.csv: … and 800 more problems not shown"),
            "{text}"
        );
        assert!(text.contains("b.csv:1:1: bad"));
        let zh = err.render(Lang::Zh);
        assert!(zh.contains("a.csv：…… 另有 800 个问题未列出"), "{zh}");
    }
}
