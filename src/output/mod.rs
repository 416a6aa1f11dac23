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
    /// 制表日期 on the Excel lists.
    pub date: ListDate,
}

impl OutputOptions {
    /// Whether any Excel list is written (and so the date matters).
    pub fn xlsx_written(&self) -> bool {
        self.xlsx || self.per_county
    }
}

/// The date printed on the Excel lists (制表日期): `--date`, else today in
/// China Standard Time (UTC+8, the office's clock, no daylight saving).
/// run.json records it, so that `verify --manifest` writes the same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ListDate {
    /// Year.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
}

impl ListDate {
    /// Today in China Standard Time.
    pub fn today() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Self::from_days(((secs + 8 * 3600) / 86_400) as i64)
    }

    /// The civil date `days` after 1970-01-01.
    fn from_days(days: i64) -> Self {
        let (year, month, day) = crate::input::table::civil_date(days);
        ListDate {
            year: year as u16,
            month: month as u8,
            day: day as u8,
        }
    }

    /// `2026年12月2日`, as the lists print it.
    pub fn zh(&self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }
}

impl Default for ListDate {
    fn default() -> Self {
        Self::today()
    }
}

impl std::fmt::Display for ListDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for ListDate {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("date {s:?} is not a date like 2026-12-02 (YYYY-MM-DD)");
        let parts: Vec<&str> = s.trim().split('-').collect();
        let [y, m, d] = parts[..] else {
            return Err(bad());
        };
        let (year, month, day): (u16, u8, u8) = (
            y.parse().map_err(|_| bad())?,
            m.parse().map_err(|_| bad())?,
            d.parse().map_err(|_| bad())?,
        );
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        let ok = (1900..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days[usize::from(month) - 1];
        ok.then_some(ListDate { year, month, day }).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::ListDate;

    #[test]
    fn dates_count_from_1970_and_parse_strictly() {
        assert_eq!(ListDate::from_days(0).to_string(), "1970-01-01");
        assert_eq!(ListDate::from_days(20_789).to_string(), "2026-12-02");
        assert_eq!(ListDate::from_days(11_016).to_string(), "2000-02-29");
        let d: ListDate = "2026-12-02".parse().unwrap();
        assert_eq!((d.year, d.month, d.day), (2026, 12, 2));
        assert_eq!(d.zh(), "2026年12月2日");
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-12",
            "12/02/2026",
            "2026-00-10",
        ] {
            assert!(bad.parse::<ListDate>().is_err(), "{bad}");
        }
        assert!("2024-02-29".parse::<ListDate>().is_ok());
    }
}
