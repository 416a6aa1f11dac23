//! The one way xibu writes a CSV file: built in memory (so that the set of
//! output files can be committed together), UTF-8, header row first, and
//! safe to open in Excel: a cell that a spreadsheet would run as a formula
//! (leading `=`, `+`, `@`, tab, CR, or `-` not followed by a digit) gets a
//! leading `'`, which Excel shows as text and xibu's readers strip again.

use crate::input::table::is_formula_like;

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
