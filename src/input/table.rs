//! Reading one table (CSV in UTF-8 or GB18030/GBK, or the first sheet of an
//! `.xlsx`) into rows of strings, and mapping its headers (English or Chinese)
//! onto canonical column names.

use std::path::Path;

use crate::domain::records::{ColumnReport, RecognisedColumn};
use crate::error::{column_letter, Diagnostics, Msg};
use crate::msg;

/// How to decode a CSV file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 when there is a BOM or the bytes are valid UTF-8, else GB18030.
    #[default]
    Auto,
    /// Force UTF-8 (a BOM is still skipped).
    Utf8,
    /// Force GB18030, a superset of GBK and GB2312.
    Gb18030,
}

impl Encoding {
    /// The `--encoding` value.
    pub fn key(self) -> &'static str {
        match self {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "utf-8",
            Encoding::Gb18030 => "gbk",
        }
    }
}

impl std::str::FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().replace(['-', '_'], "").as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf8" => Ok(Encoding::Utf8),
            "gbk" | "gb18030" | "gb2312" | "cp936" => Ok(Encoding::Gb18030),
            _ => Err(format!("unknown encoding {s:?}; use auto, utf-8 or gbk")),
        }
    }
}

/// One data row: its 1-based line (CSV) or row (xlsx) and its cells.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based line or spreadsheet row where the record starts.
    pub line: usize,
    /// Cell texts, trimmed.
    pub cells: Vec<String>,
    /// 0-based columns whose xlsx cell is a date or time (shown as Excel
    /// shows it); no column xibu reads holds a date, so each is an error.
    pub dates: Vec<usize>,
    /// 0-based columns whose xlsx cell is a boolean (TRUE/FALSE): fine in a
    /// yes/no column, an error anywhere else.
    pub bools: Vec<usize>,
    /// 0-based columns whose xlsx cell is part of a merged region, which
    /// was reported once at its first cell: read as absent, no more said.
    pub merged: Vec<usize>,
}

/// A table read from one file, before its columns are interpreted.
#[derive(Debug, Clone)]
pub struct Table {
    /// The file as the user named it (used in every message).
    pub file: String,
    /// Header cells as written.
    pub headers: Vec<String>,
    /// Data rows, blank rows removed.
    pub rows: Vec<Row>,
}

/// Decode CSV bytes: BOM or valid UTF-8 means UTF-8, anything else GB18030
/// (what Excel and WPS write on Chinese Windows).
///
/// A file that is UTF-8 up to some line (with a BOM, or with Chinese text
/// already read as UTF-8) and then is not, holds two encodings — typically
/// one row pasted from a GBK file. Decoding it all as GB18030 would garble
/// every other row in silence, so it is an error at that line.
/// `Err((line, message))`.
pub(crate) fn decode(bytes: &[u8], enc: Encoding) -> Result<String, (usize, Msg)> {
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let utf8 = std::str::from_utf8(bytes);
    let line_at = |offset: usize| LineIndex::new_bytes(bytes).line_of(offset as u64);
    match (enc, utf8) {
        (Encoding::Auto | Encoding::Utf8, Ok(s)) => Ok(s.to_string()),
        (Encoding::Utf8, Err(e)) => Err((
            line_at(e.valid_up_to()),
            msg!(
                "从这一行起不是有效的 UTF-8 文本；请把文件另存为 UTF-8，或加 --encoding gbk",
                "not valid UTF-8 (from this line on); save the file as UTF-8 or pass --encoding gbk"
            ),
        )),
        (Encoding::Auto, Err(e)) if bom || has_utf8_chinese_line(bytes) => Err((
            line_at(e.valid_up_to()),
            msg!(
                "这一行不像文件其余部分那样是 UTF-8（是从 GBK 文件粘贴来的行吗？）；请把整个文件存为同一种编码",
                "this line is not UTF-8 like the rest of the file (a row pasted from a GBK file?); save the whole file in one encoding"
            ),
        )),
        (Encoding::Auto | Encoding::Gb18030, _) => {
            let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                Err((
                    1,
                    msg!(
                        "既不是 UTF-8 也不是 GB18030/GBK 文本；请把文件另存为 UTF-8",
                        "neither UTF-8 nor GB18030/GBK text; save the file as UTF-8"
                    ),
                ))
            } else {
                Ok(text.into_owned())
            }
        }
    }
}

/// Is some line valid UTF-8 with Chinese in it (three-byte sequences)?
/// GBK text is never that, so a file with such a line and an invalid one
/// mixes two encodings.
fn has_utf8_chinese_line(bytes: &[u8]) -> bool {
    bytes
        .split(|&b| b == b'\n' || b == b'\r')
        .any(|line| std::str::from_utf8(line).is_ok_and(|t| t.chars().any(|c| c >= '\u{2E80}')))
}

/// Read a CSV or `.xlsx` file (chosen by extension). Problems go to `diags`;
/// `None` when the file cannot be read at all.
/// Where a table comes from: a file (CSV or xlsx, by extension), or CSV
/// text already in memory (tests, uploads) with the name messages give.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file on disk.
    File(std::path::PathBuf),
    /// One sheet of a workbook (a dispatch list has one per league),
    /// reported as `file[sheet]`.
    Sheet {
        /// The workbook.
        path: std::path::PathBuf,
        /// 0-based sheet index.
        index: usize,
        /// The name in messages.
        label: String,
    },
    /// Decoded CSV text and the name it is reported under.
    Text {
        /// The name in messages (`candidates.csv`).
        name: String,
        /// The CSV text.
        text: String,
    },
}

impl Source {
    /// The name messages give for it.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Sheet { label, .. } => label.clone(),
            Source::Text { name, .. } => name.clone(),
        }
    }
}

/// Read a table from its source.
pub fn read_source(src: &Source, enc: Encoding, diags: &mut Diagnostics) -> Option<Table> {
    match src {
        Source::File(path) => read_table(path, enc, diags),
        Source::Sheet { path, index, label } => {
            non_empty(read_xlsx(path, label, *index, diags)?, label, diags)
        }
        Source::Text { name, text } => non_empty(parse_csv(text, name, diags)?, name, diags),
    }
}

/// Read a table file (CSV or xlsx by extension).
pub fn read_table(path: &Path, enc: Encoding, diags: &mut Diagnostics) -> Option<Table> {
    let file = path.display().to_string();
    let is_xlsx = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "xlsx" | "xlsm" | "xls"));
    let result = if is_xlsx {
        let t = read_xlsx(path, &file, 0, diags);
        if let Some(t) = &t {
            continued_on_other_sheets(path, t, diags);
        }
        t
    } else {
        match std::fs::read(path) {
            Ok(bytes) => match decode(&bytes, enc) {
                Ok(text) => parse_csv(&text, &file, diags),
                Err((line, msg)) => {
                    diags.push(&file, line, 1, msg);
                    None
                }
            },
            Err(e) => {
                diags.push(
                    &file,
                    1,
                    1,
                    msg!("无法读取文件：{e}", "cannot read the file: {e}"),
                );
                None
            }
        }
    };
    non_empty(result?, &file, diags)
}

/// A table with no header is an error.
fn non_empty(table: Table, file: &str, diags: &mut Diagnostics) -> Option<Table> {
    if table.headers.iter().all(|h| h.is_empty()) {
        diags.push(
            file,
            1,
            1,
            msg!(
                "文件是空的；第一行应是列名（表头）",
                "the file is empty; it needs a header row naming its columns"
            ),
        );
        return None;
    }
    Some(table)
}

/// Where each physical line starts, counting CRLF, a lone CR and a lone LF
/// each as one line end — what Excel on Windows (CRLF), old Mac tools (CR)
/// and everything else (LF) write, mixed or not. The csv crate splits
/// records on all three but counts lines by LF only.
struct LineIndex<'a> {
    text: &'a [u8],
    starts: Vec<u64>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        Self::new_bytes(text.as_bytes())
    }

    fn new_bytes(b: &'a [u8]) -> Self {
        let mut starts = vec![0u64];
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\r' if b.get(i + 1) == Some(&b'\n') => {
                    starts.push(i as u64 + 2);
                    i += 2;
                    continue;
                }
                b'\r' | b'\n' => starts.push(i as u64 + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { text: b, starts }
    }

    /// The 1-based line of the record that the parser resumed at `offset`:
    /// line ends and blank lines before it (the LF of a CRLF the parser
    /// stopped in, skipped empty lines) belong to no record.
    fn line_of(&self, offset: u64) -> usize {
        let mut at = offset as usize;
        while self
            .text
            .get(at)
            .is_some_and(|c| matches!(c, b'\r' | b'\n'))
        {
            at += 1;
        }
        self.starts.partition_point(|&s| s <= at as u64).max(1)
    }
}

/// Would a spreadsheet run this cell as a formula?
pub fn is_formula_like(cell: &[u8]) -> bool {
    match cell {
        [b'=' | b'+' | b'@' | b'\t' | b'\r', ..] => true,
        [b'-', next, ..] => !next.is_ascii_digit() && *next != b'.',
        [b'-'] => false,
        _ => false,
    }
}

/// A cell as its writer meant it: the `'` that xibu (or a careful office)
/// puts before a formula-like value is not part of it.
fn unneutralise(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if is_formula_like(rest.as_bytes()) => rest,
        _ => cell,
    }
}

/// The most characters an Excel cell holds: a longer CSV cell could not go
/// into the Excel lists, so it is an input error before the solve.
pub const MAX_CELL_CHARS: usize = 32_767;

/// Parse CSV text (already decoded) into a table.
pub fn parse_csv(text: &str, file: &str, diags: &mut Diagnostics) -> Option<Table> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let lines = LineIndex::new(text);
    let mut headers = None;
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(1, |p| lines.line_of(p.byte()));
                let cells: Vec<String> = record
                    .iter()
                    .map(|c| unneutralise(c.trim()).to_string())
                    .collect();
                for (j, c) in cells.iter().enumerate() {
                    let n = c.chars().count();
                    if n > MAX_CELL_CHARS {
                        diags.push_cell(
                            file,
                            line,
                            j + 1,
                            msg!(
                                "单元格有 {n} 个字符，超过 Excel 单元格能容纳的 {MAX_CELL_CHARS} 个（xibu 写出的名单无法显示）；是否有引号没有闭合？",
                                "the cell holds {n} characters, more than the {MAX_CELL_CHARS} an Excel cell can hold (the lists xibu writes could not show it); is a quote left open?"
                            ),
                        );
                    }
                }
                if headers.is_none() {
                    headers = Some(cells);
                } else if cells.iter().any(|c| !c.is_empty()) {
                    rows.push(Row {
                        line,
                        cells,
                        dates: Vec::new(),
                        bools: Vec::new(),
                        merged: Vec::new(),
                    });
                }
            }
            Err(e) => {
                let line = e.position().map_or(1, |p| lines.line_of(p.byte()));
                diags.push(
                    file,
                    line,
                    1,
                    msg!("无法读取的 CSV：{e}", "unreadable CSV: {e}"),
                );
                return None;
            }
        }
    }
    Some(Table {
        file: file.to_string(),
        headers: headers.unwrap_or_default(),
        rows,
    })
}

/// The tables on the sheets of a workbook from sheet `from` on, each with
/// its index and name: sheets without a header row are left out, and so
/// is a workbook that cannot be opened (reading it reports why). The
/// workbook is opened once.
fn sheet_tables(path: &Path, from: usize) -> Vec<(usize, String, Table)> {
    use calamine::Reader;
    let Ok(mut wb) = calamine::open_workbook_auto(path) else {
        return Vec::new();
    };
    let file = path.display().to_string();
    let names = wb.sheet_names();
    let mut scratch = Diagnostics::default();
    (from..names.len())
        .filter_map(|i| {
            let t = sheet_table(&mut wb, &file, i, &mut scratch)?;
            (!t.headers.is_empty()).then(|| (i, names[i].clone(), t))
        })
        .collect()
}

/// The sheets that hold one table: the first sheet with data and every
/// other under the same header (派遣名单.xlsx: one per league). Sheets under
/// another header (a per-county workbook's 候补名单) are another table.
pub fn sheets_of_one_table(path: &Path) -> Vec<(usize, String)> {
    let tables = sheet_tables(path, 0);
    let Some((_, _, first)) = tables.first() else {
        return Vec::new();
    };
    tables
        .iter()
        .filter(|(_, _, t)| t.headers == first.headers)
        .map(|(i, name, _)| (*i, name.clone()))
        .collect()
}

/// xibu reads one table per file, from the first sheet. Rows under the
/// same header on another sheet would be dropped in silence: an error.
fn continued_on_other_sheets(path: &Path, first: &Table, diags: &mut Diagnostics) {
    let file = path.display().to_string();
    for (_, name, t) in sheet_tables(path, 1) {
        if t.headers == first.headers && !t.rows.is_empty() {
            let n = t.rows.len();
            diags.push(
                &file,
                1,
                1,
                msg!(
                    "工作表“{name}”接续了这张表（同样表头下还有 {n} 行），但 xibu 只读第一个工作表；请把这些行移到第一个工作表",
                    "sheet '{name}' continues this table ({n} rows under the same header), but xibu reads only the first sheet; move those rows onto the first sheet"
                ),
            );
        }
    }
}

fn read_xlsx(path: &Path, file: &str, index: usize, diags: &mut Diagnostics) -> Option<Table> {
    let mut wb = match calamine::open_workbook_auto(path) {
        Ok(wb) => wb,
        Err(e) => {
            diags.push(
                file,
                1,
                1,
                msg!("无法打开工作簿：{e}", "cannot open the workbook: {e}"),
            );
            return None;
        }
    };
    sheet_table(&mut wb, file, index, diags)
}

/// The table on sheet `index` of an open workbook.
fn sheet_table<RS: std::io::Read + std::io::Seek>(
    wb: &mut calamine::Sheets<RS>,
    file: &str,
    index: usize,
    diags: &mut Diagnostics,
) -> Option<Table> {
    use calamine::Reader;
    let range = match wb.worksheet_range_at(index) {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            diags.push(
                file,
                1,
                1,
                msg!("无法读取工作表：{e}", "cannot read the sheet: {e}"),
            );
            return None;
        }
        None => {
            diags.push(
                file,
                1,
                1,
                msg!("工作簿里没有工作表", "the workbook has no sheet"),
            );
            return None;
        }
    };
    let merged = merged_regions(wb, index);
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut headers = None;
    let mut rows = Vec::new();
    for (i, r) in range.rows().enumerate() {
        // Cells left of the used range's start are empty: keep columns aligned
        // with what the user sees so that column numbers match.
        let mut cells = vec![String::new(); col0 as usize];
        cells.extend(r.iter().map(cell_text));
        let dates: Vec<usize> = r
            .iter()
            .enumerate()
            .filter(|(_, d)| {
                matches!(
                    d,
                    calamine::Data::DateTime(_) | calamine::Data::DateTimeIso(_)
                )
            })
            .map(|(j, _)| col0 as usize + j)
            .collect();
        let line = row0 as usize + i + 1;
        if headers.is_none() {
            if cells.iter().any(|c| !c.is_empty()) && !is_banner(&cells, line - 1, &merged) {
                headers = Some(cells);
            }
        } else if cells.iter().any(|c| !c.is_empty()) {
            let bools = r
                .iter()
                .enumerate()
                .filter(|(_, d)| matches!(d, calamine::Data::Bool(_)))
                .map(|(j, _)| col0 as usize + j)
                .collect();
            rows.push(Row {
                line,
                cells,
                dates,
                bools,
                merged: Vec::new(),
            });
        }
    }
    // A merged region holds its value in its first cell only; the others
    // read as empty. Say so once, at the first cell, instead of letting each
    // empty cell raise its own error.
    for m in &merged {
        let (r0, c0) = (m.start.0 as usize + 1, m.start.1 as usize);
        let (r1, c1) = (m.end.0 as usize + 1, m.end.1 as usize);
        if (r0, c0) == (r1, c1) || !rows.iter().any(|r| (r0..=r1).contains(&r.line)) {
            continue;
        }
        let (a, b) = (column_letter(c0 + 1), column_letter(c1 + 1));
        diags.push_cell(
            file,
            r0,
            c0 + 1,
            msg!(
                "单元格 {a}{r0}:{b}{r1} 在 Excel 中被合并；请取消合并并填满每个单元格（合并区域只有第一个单元格有值）",
                "cells {a}{r0}:{b}{r1} are merged in Excel; unmerge them and fill every cell (only the first cell of a merged region holds its value)"
            ),
        );
        for row in rows.iter_mut().filter(|r| (r0..=r1).contains(&r.line)) {
            row.merged.extend(c0..=c1);
        }
    }
    Some(Table {
        file: file.to_string(),
        headers: headers.unwrap_or_default(),
        rows,
    })
}

/// The merged regions of a sheet (xlsx and xls; none for others).
/// A banner above the header (a title, 制表日期 …, as on xibu's own
/// lists and many office exports): the row's one non-empty cell starts a
/// merged region spanning several columns. A header row never is one, so
/// such rows are skipped before the header.
fn is_banner(cells: &[String], row: usize, merged: &[calamine::Dimensions]) -> bool {
    let mut filled = cells.iter().enumerate().filter(|(_, c)| !c.is_empty());
    let (Some((col, _)), None) = (filled.next(), filled.next()) else {
        return false;
    };
    merged
        .iter()
        .any(|m| (m.start.0 as usize, m.start.1 as usize) == (row, col) && m.end.1 > m.start.1)
}

fn merged_regions<RS: std::io::Read + std::io::Seek>(
    wb: &mut calamine::Sheets<RS>,
    index: usize,
) -> Vec<calamine::Dimensions> {
    match wb {
        calamine::Sheets::Xlsx(x) => x.merge_cells_by_sheet_id(index).unwrap_or_default(),
        calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_id(index).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The text of a spreadsheet cell. Whole numbers are written without a
/// decimal point, as Excel shows them (a county code 150121 arrives as the
/// float 150121.0).
pub(crate) fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => excel_date_text(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// An Excel date serial (days since 1899-12-30, time as the fraction) as
/// The civil date (year, month, day) `days` after 1970-01-01 (Howard
/// Hinnant's algorithm): Excel's date cells here, the lists' 制表日期.
pub(crate) fn civil_date(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `YYYY-MM-DD` (and ` HH:MM` when there is a time), as Excel shows it.
fn excel_date_text(serial: f64) -> String {
    if !serial.is_finite() || !(0.0..3e6).contains(&serial) {
        return number_text(serial);
    }
    let days = serial.floor() as i64 - 25_569; // days since 1970-01-01
    let (y, m, d) = civil_date(days);
    let minutes = ((serial.fract()) * 1440.0).round() as i64;
    if minutes == 0 {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!(
            "{y:04}-{m:02}-{d:02} {:02}:{:02}",
            minutes / 60,
            minutes % 60
        )
    }
}

/// Format a float as a spreadsheet shows it: integers without `.0`, and
/// at most 15 significant digits (Excel keeps no more, so an 18-digit ID
/// number typed into a numeric cell comes back ending in 000).
pub(crate) fn number_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() >= 1e15 && f.abs() < 1e21 {
        let sci = format!("{:.14e}", f.abs());
        let (mantissa, exp) = sci.split_once('e').expect("scientific format");
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let exp: usize = exp.parse().expect("exponent");
        let sign = if f < 0.0 { "-" } else { "" };
        format!("{sign}{digits:0<width$}", width = exp + 1)
    } else if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::{number_text, parse_csv};
    use crate::error::Diagnostics;

    /// The line of each data row, and of the first error, for `text`.
    fn lines(text: &str) -> (Vec<usize>, Vec<usize>) {
        let mut d = Diagnostics::default();
        let rows = parse_csv(text, "f.csv", &mut d)
            .map(|t| t.rows.iter().map(|r| r.line).collect())
            .unwrap_or_default();
        (rows, d.0.iter().map(|x| x.line).collect())
    }

    #[test]
    fn rows_are_at_their_physical_line_whatever_the_line_ends() {
        for end in ["\n", "\r\n", "\r"] {
            let text = ["id,x", "a,1", "b,2", "", "c,3", ""].join(end);
            assert_eq!(lines(&text).0, vec![2, 3, 5], "line end {end:?}");
        }
        // Mixed ends, and a quoted cell spanning two lines (the record
        // starts on its first line; the next record is after it).
        let text = "id,x\r\na,1\rb,\"two\r\nlines\"\nc,3\r\n";
        assert_eq!(lines(text).0, vec![2, 3, 5]);
    }

    #[test]
    fn columns_are_named_as_excel_names_them() {
        use crate::error::column_letter;
        for (n, l) in [
            (1, "A"),
            (4, "D"),
            (26, "Z"),
            (27, "AA"),
            (52, "AZ"),
            (703, "AAA"),
        ] {
            assert_eq!(column_letter(n), l);
        }
    }

    #[test]
    fn the_first_row_of_a_crlf_file_is_line_2_not_the_header() {
        let text = "id,x\r\na,1\r\nb,2\r\n";
        assert_eq!(lines(text), (vec![2, 3], vec![]));
    }

    #[test]
    fn numbers_as_excel_shows_them() {
        assert_eq!(number_text(150121.0), "150121");
        assert_eq!(number_text(81.5), "81.5");
        assert_eq!(number_text(150102199001011236.0), "150102199001011000");
    }
}

/// A column the reader knows: its canonical name, accepted aliases (matched
/// after trimming and lower-casing) and whether it must be present.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// Canonical English name (interface §1).
    pub name: &'static str,
    /// Other accepted headers (Chinese and variants).
    pub aliases: &'static [&'static str],
    /// Must the column be present?
    pub required: bool,
}

/// Where each known column sits in a table.
#[derive(Debug, Clone)]
pub struct Columns {
    index: Vec<Option<usize>>,
    specs: &'static [ColumnSpec],
    /// What the header row was read as.
    pub report: ColumnReport,
    /// 0-based positions of `report.ignored`, in the same order.
    ignored_at: Vec<usize>,
}

impl Columns {
    /// Column `name`'s header as written in the file (成绩 for `score`), so
    /// that a message names the column the user sees; `name` itself when
    /// the column is absent.
    pub fn header_of<'s>(&'s self, name: &'s str) -> &'s str {
        self.report
            .recognised
            .iter()
            .find(|r| r.column == name)
            .map_or(name, |r| r.header.as_str())
    }
}

/// Does an unknown header look like a known one that is absent? It
/// contains the name or an alias (or is contained in one) — 体检结论 and
/// 体检, 是否应届 and 应届 — counting only names of at least two Chinese
/// characters or four letters, or it is one or two edits away from an
/// English name (`helth`, `graduatng`).
fn resembles(header: &str, known: &str) -> bool {
    let long_enough = |s: &str| {
        let n = s.chars().count();
        if s.is_ascii() {
            n >= 4
        } else {
            n >= 2
        }
    };
    if (long_enough(known) && header.contains(known))
        || (long_enough(header) && known.contains(header))
    {
        return true;
    }
    if header.is_ascii() && known.is_ascii() && known.len() >= 4 {
        let limit = if known.len() >= 8 { 2 } else { 1 };
        return edit_distance(header, known) <= limit;
    }
    false
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn normalize_header(h: &str) -> String {
    h.trim_start_matches('\u{feff}')
        .trim()
        .to_lowercase()
        .replace([' ', '\u{3000}'], "")
}

impl Columns {
    /// Map the table's headers onto `specs`, reporting duplicate and missing
    /// required columns. Unknown columns are kept and ignored — except,
    /// with `near_miss` (the headers the user allows to be ignored), one
    /// that resembles an absent known column: that is an error, because
    /// the column's default would silently decide instead.
    pub fn map(
        table: &Table,
        specs: &'static [ColumnSpec],
        near_miss: Option<&[String]>,
        diags: &mut Diagnostics,
    ) -> Columns {
        let mut index: Vec<Option<usize>> = vec![None; specs.len()];
        let mut report = ColumnReport {
            file: table.file.clone(),
            ..ColumnReport::default()
        };
        let mut unknown = Vec::new();
        let mut ignored_at = Vec::new();
        for (col, raw) in table.headers.iter().enumerate() {
            let h = normalize_header(raw);
            let Some(k) = specs
                .iter()
                .position(|s| s.name == h || s.aliases.iter().any(|a| normalize_header(a) == h))
            else {
                if !h.is_empty() {
                    unknown.push((col, raw.trim().to_string(), h));
                }
                continue;
            };
            report.recognised.push(RecognisedColumn {
                header: raw.trim().to_string(),
                column: specs[k].name.to_string(),
            });
            if let Some(prev) = index[k] {
                let (name, other) = (raw.trim(), column_letter(prev + 1));
                diags.push_cell(
                    &table.file,
                    1,
                    col + 1,
                    msg!(
                        "列 '{name}' 出现了两次（另一处在 {other} 列）；只保留一列",
                        "column '{name}' appears twice (also column {other}); keep one"
                    ),
                );
            } else {
                index[k] = Some(col);
            }
        }
        for (k, s) in specs.iter().enumerate() {
            if s.required && index[k].is_none() {
                let name = s.name;
                let also = if s.aliases.is_empty() {
                    String::new()
                } else {
                    format!(" (or {})", s.aliases.join(", "))
                };
                // In Chinese, the Chinese header first (the office's name).
                let zh = s.aliases.first().copied().unwrap_or(name);
                let zh_also = std::iter::once(name)
                    .chain(s.aliases.iter().copied().skip(1))
                    .filter(|a| *a != zh)
                    .collect::<Vec<_>>()
                    .join("、");
                let zh_also = if zh_also.is_empty() {
                    String::new()
                } else {
                    format!("（或 {zh_also}）")
                };
                diags.push(
                    &table.file,
                    1,
                    1,
                    msg!(
                        "缺少必需的列 '{zh}'{zh_also}；请在表头行加上这一列",
                        "missing required column '{name}'{also}; add it to the header row"
                    ),
                );
            }
        }
        for (col, raw, h) in unknown {
            let allowed =
                near_miss.is_none_or(|ignore| ignore.iter().any(|i| normalize_header(i) == h));
            let like = specs.iter().enumerate().find(|(k, s)| {
                index[*k].is_none()
                    && (resembles(&h, s.name)
                        || s.aliases
                            .iter()
                            .any(|a| resembles(&h, &normalize_header(a))))
            });
            match like {
                Some((_, s)) if !allowed => {
                    let names = std::iter::once(s.name)
                        .chain(s.aliases.iter().copied())
                        .collect::<Vec<_>>()
                        .join(", ");
                    let name = s.name;
                    diags.push_cell(
                        &table.file,
                        1,
                        col + 1,
                        msg!(
                            "列 '{raw}' 很像缺少的列 '{name}'（{names}）：请把表头改成其中之一；如果它确实是另一列，请加 --ignore-column '{raw}'",
                            "column '{raw}' looks like '{name}' ({names}), which is absent: rename the header to one of those, or if it is another column pass --ignore-column '{raw}'"
                        ),
                    );
                }
                _ => {
                    report.ignored.push(raw);
                    ignored_at.push(col);
                }
            }
        }
        Columns {
            index,
            specs,
            report,
            ignored_at,
        }
    }

    /// The cells of the columns xibu does not read, in `report.ignored`'s
    /// order (empty where a row is short): passed through to the lists.
    pub fn ignored_cells(&self, cells: &[String]) -> Vec<String> {
        self.ignored_at
            .iter()
            .map(|&c| cells.get(c).cloned().unwrap_or_default())
            .collect()
    }

    /// The canonical name of the known column at 0-based position `col`.
    pub fn name_at(&self, col: usize) -> Option<&'static str> {
        let k = self.index.iter().position(|&i| i == Some(col))?;
        Some(self.specs[k].name)
    }

    /// The 0-based position of canonical column `name`, if present.
    pub fn get(&self, name: &str) -> Option<usize> {
        let k = self.specs.iter().position(|s| s.name == name)?;
        self.index[k]
    }

    /// True when every required column was found.
    pub fn complete(&self) -> bool {
        self.specs
            .iter()
            .zip(&self.index)
            .all(|(s, i)| !s.required || i.is_some())
    }
}
