//! The one way xibu writes a CSV file: built in memory (so that the set of
//! output files can be committed together), UTF-8, header row first.

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
        self.w.write_record(record).expect("writing to memory");
    }

    /// The file's bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.w.into_inner().expect("writing to memory")
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
