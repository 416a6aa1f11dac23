//! Writing results: dispatch list, summary, the Excel lists and reports,
//! and the commit that switches a run's files in as one set.

pub mod commit;
pub mod csvfile;
pub mod files;
pub mod html;
pub mod reasons;
pub mod report;
pub mod reserves;
pub mod wording;
pub mod xlsx;

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
    /// Encoding of the CSV files.
    pub csv_encoding: csvfile::CsvEncoding,
}
