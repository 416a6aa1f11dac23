//! The one way xibu writes a CSV file: built in memory (so that the set of
//! output files can be committed together), header row first, encoded as
//! `--csv-encoding` says (UTF-8 with a BOM by default, so Excel on Windows
//! shows Chinese names; interface §3), and
//! safe to open in Excel: a cell that a spreadsheet would run as a formula
//! (leading `=`, `+`, `@`, tab, CR, or `-` not followed by a digit) gets a
//! leading `'`, which Excel shows as text and xibu's readers strip again.

use crate::error::{Error, Result};
use crate::input::table::is_formula_like;

/// How CSV outputs are encoded (`--csv-encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark: what Excel on Windows needs to read
    /// UTF-8 (the default).
    #[default]
    Utf8Bom,
    /// Plain UTF-8 (for programs).
    Utf8,
    /// GBK (code page 936), what older Chinese Excel and WPS write; a
    /// character outside GBK is an error, never a silent substitute.
    Gbk,
}

impl CsvEncoding {
    /// `utf-8-bom`, `utf-8` or `gbk`.
    pub fn key(self) -> &'static str {
        match self {
            CsvEncoding::Utf8Bom => "utf-8-bom",
            CsvEncoding::Utf8 => "utf-8",
            CsvEncoding::Gbk => "gbk",
        }
    }

    /// The bytes of a CSV built in UTF-8, in this encoding. `file` names it
    /// in the error.
    pub fn encode(self, utf8: &[u8], file: &str) -> Result<Vec<u8>> {
        match self {
            CsvEncoding::Utf8 => Ok(utf8.to_vec()),
            CsvEncoding::Utf8Bom => Ok([b"\xEF\xBB\xBF".as_slice(), utf8].concat()),
            CsvEncoding::Gbk => {
                let text = String::from_utf8_lossy(utf8);
                let (bytes, _, unmappable) = encoding_rs::GBK.encode(&text);
                match unmappable.then(|| first_outside_gbk(&text)).flatten() {
                    Some(c) => Err(Error::Output(crate::msg!(
                        "{file}：字符 {c:?} 无法用 GBK 写出；请用 --csv-encoding utf-8-bom",
                        "{file}: the character {c:?} cannot be written in GBK; use --csv-encoding utf-8-bom"
                    ))),
                    None => Ok(bytes.into_owned()),
                }
            }
        }
    }
}

/// The first character of `text` that GBK cannot hold.
pub fn first_outside_gbk(text: &str) -> Option<char> {
    let (_, _, unmappable) = encoding_rs::GBK.encode(text);
    if !unmappable {
        return None;
    }
    text.chars().find(|c| {
        let mut b = [0u8; 4];
        encoding_rs::GBK.encode(c.encode_utf8(&mut b)).2
    })
}

impl std::str::FromStr for CsvEncoding {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "utf-8-bom" | "utf8-bom" | "utf-8-sig" => Ok(CsvEncoding::Utf8Bom),
            "utf-8" | "utf8" => Ok(CsvEncoding::Utf8),
            "gbk" | "cp936" => Ok(CsvEncoding::Gbk),
            _ => Err(format!(
                "unknown CSV encoding {s:?}; use utf-8-bom (default), utf-8 or gbk"
            )),
        }
    }
}

/// A CSV file being built in memory.
pub struct CsvFile {
    w: csv::Writer<Vec<u8>>,
}

impl CsvFile {
    /// A file with this header row.
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let mut f = CsvFile {
            w: csv::Writer::from_writer(Vec::new()),
        };
        f.row(header);
        f
    }

    /// Append one record.
    pub fn row<I, S>(&mut self, record: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        let cells: Vec<Vec<u8>> = record.into_iter().map(|c| neutralise(c.as_ref())).collect();
        self.w.write_record(&cells).expect("writing to memory");
    }

    /// The file's bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.w.into_inner().expect("writing to memory")
    }
}

/// The cell, with a leading `'` when a spreadsheet would run it.
fn neutralise(cell: &[u8]) -> Vec<u8> {
    if is_formula_like(cell) {
        [b"'".as_slice(), cell].concat()
    } else {
        cell.to_vec()
    }
}

/// A whole file from a header and rows.
pub fn csv_bytes<H, S, R, T>(header: H, rows: impl IntoIterator<Item = R>) -> Vec<u8>
where
    H: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
    R: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    let mut f = CsvFile::new(header);
    for r in rows {
        f.row(r);
    }
    f.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::csv_bytes;

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        let out = csv_bytes(
            ["id", "x"],
            [
                ["=HYPERLINK(\"http://x\")", "+1"],
                ["@SUM(A1)", "-cmd"],
                ["\tX", "-3"],
                ["C1", "-0.5"],
            ],
        );
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "id,x\n\"'=HYPERLINK(\"\"http://x\"\")\",'+1\n'@SUM(A1),'-cmd\n'\tX,-3\nC1,-0.5\n"
        );
    }
}
