//! The four input tables (interface §1), read into typed records that still
//! carry strings and file positions. Cross-file checks happen when the
//! problem is built (`model::build`).

use std::collections::HashMap;
use std::path::Path;

use super::idcard;
use super::table::{
    read_source, sheets_of_one_table, ColumnSpec, Columns, Encoding, Row, Source, Table,
};
use super::values::{
    parse_bool, parse_candidate_project, parse_degree, parse_health, parse_level, parse_major_code,
    parse_project, parse_status, split_list,
};
use crate::domain::records::*;
use crate::domain::types::{CountyStatus, Degree, Health, Level, Project};
use crate::error::{Diagnostics, Msg};
use crate::msg;

/// Paths of the input files.
#[derive(Debug, Clone, Default)]
pub struct InputPaths {
    /// candidates.csv / .xlsx
    pub candidates: std::path::PathBuf,
    /// posts.csv / .xlsx
    pub posts: std::path::PathBuf,
    /// counties.csv (optional)
    pub counties: Option<std::path::PathBuf>,
    /// incumbents.csv (optional)
    pub incumbents: Option<std::path::PathBuf>,
}

const fn col(name: &'static str, aliases: &'static [&'static str], required: bool) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases,
        required,
    }
}

/// A table's known columns.
pub type ColumnSpecs = &'static [ColumnSpec];

/// candidates.csv columns with their Chinese aliases.
pub const CANDIDATE_COLUMNS: &[ColumnSpec] = &[
    col("id", &["报名号", "报名编号", "编号"], true),
    col("name", &["姓名"], false),
    col("id_number", &["身份证号", "身份证号码", "身份证"], false),
    col("degree", &["学历"], false),
    col("major_code", &["专业代码"], false),
    col("major", &["专业", "专业名称"], false),
    col("teacher_training", &["师范类", "师范"], false),
    col("graduating", &["应届", "应届毕业生"], false),
    col(
        "diploma_by_arrival",
        &["到岗前取得学历", "到岗前取得学位"],
        false,
    ),
    col("health", &["体检", "体检结果"], false),
    col("volunteer_experience", &["志愿服务经历"], false),
    col("student_leader", &["学生干部"], false),
    col("score", &["成绩", "考试成绩"], true),
    col("project", &["项目"], false),
    col("adjustable", &["服从调剂"], false),
    col("preferences", &["志愿", "志愿岗位"], true),
];

/// posts.csv columns.
pub const POST_COLUMNS: &[ColumnSpec] = &[
    col("id", &["岗位编号", "岗位代码"], true),
    col("county", &["旗县", "旗县代码"], true),
    col("league", &["盟市", "盟市代码"], false),
    col("unit", &["服务单位"], false),
    col("specialty", &["专项"], true),
    col("level", &["层级"], true),
    col("seats", &["人数", "岗位数", "招募人数"], true),
    col("project", &["项目"], false),
    col("degree_min", &["最低学历"], false),
    col("majors_required", &["专业要求"], false),
];

/// counties.csv columns.
pub const COUNTY_COLUMNS: &[ColumnSpec] = &[
    col("code", &["旗县代码"], true),
    col("name", &["旗县名称", "旗县"], false),
    col("league", &["盟市", "盟市代码"], true),
    col("status", &["状态"], false),
    col("scale", &["实施规模", "规模"], false),
];

/// incumbents.csv columns.
pub const INCUMBENT_COLUMNS: &[ColumnSpec] = &[
    col("id", &["编号", "报名号"], true),
    col("post", &["岗位编号", "岗位"], true),
];

/// Reads typed values from one row, reporting problems with their position.
pub struct RowReader<'a> {
    file: &'a str,
    row: &'a Row,
    cols: &'a Columns,
    diags: &'a mut Diagnostics,
}

impl<'a> RowReader<'a> {
    /// The row's cells in the columns xibu does not read (pass-through).
    pub fn ignored_cells(&self) -> Vec<String> {
        self.cols.ignored_cells(&self.row.cells)
    }

    /// Start reading `row`; reports a truncated or over-long row (its cells
    /// are still read, so that ids stay known and errors do not cascade).
    pub fn new(
        table: &'a Table,
        row: &'a Row,
        cols: &'a Columns,
        diags: &'a mut Diagnostics,
    ) -> Self {
        let (n, want) = (row.cells.len(), table.headers.len());
        // A quote that is opened and never closed makes the rest of the
        // file one cell: a short row with a line break inside a cell.
        let open_quote = row.cells.iter().position(|c| c.contains(['\n', '\r']));
        if let (Some(j), true) = (open_quote, n < want) {
            diags.push_cell(
                &table.file,
                row.line,
                j + 1,
                msg!(
                    "这个单元格里的引号（\"）没有闭合，后面的行都被读进了这个单元格；请补上或删去引号",
                    "a quote (\") opened in this cell is never closed, so the lines after it were read into it; close the quote or remove it"
                ),
            );
        } else if n < want {
            diags.push_cell(
                &table.file,
                row.line,
                n + 1,
                msg!(
                    "这一行有 {n} 格，表头有 {want} 列；这一行不完整，请补齐",
                    "the row has {n} fields but the header has {want}; the row is truncated — complete it"
                ),
            );
        }
        if n > want && row.cells[want..].iter().any(|c| !c.is_empty()) {
            diags.push_cell(
                &table.file,
                row.line,
                want + 1,
                msg!(
                    "这一行有 {n} 格，表头只有 {want} 列；请删去多余的格，或给含逗号的值加上引号",
                    "the row has {n} fields but the header has {want}; remove the extra cells or quote a value containing a comma"
                ),
            );
        }
        for &j in row.bools.iter().chain(&row.dates) {
            if let Some(msg) = typed_cell_problem(row, cols, j) {
                diags.push_cell(&table.file, row.line, j + 1, msg);
            }
        }
        RowReader {
            file: &table.file,
            row,
            cols,
            diags,
        }
    }

    /// Column `name`'s header as written in the file (`Columns::header_of`).
    pub fn header<'n>(&self, name: &'n str) -> &'n str
    where
        'a: 'n,
    {
        self.cols.header_of(name)
    }

    /// 1-based column of `name` (1 when the column is absent).
    pub fn column(&self, name: &str) -> usize {
        self.cols.get(name).map_or(1, |i| i + 1)
    }

    /// The row's position at column `name`.
    pub fn pos(&self, name: &str) -> Pos {
        Pos {
            line: self.row.line,
            column: self.column(name),
        }
    }

    /// The non-empty text of column `name`.
    pub fn text(&self, name: &str) -> Option<&'a str> {
        let i = self.cols.get(name)?;
        if self.is_reported_at(i) {
            return None; // reported already
        }
        self.row
            .cells
            .get(i)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// Is column `name`'s cell an xlsx date or part of a merged region
    /// (already reported)?
    pub fn is_reported(&self, name: &str) -> bool {
        self.cols.get(name).is_some_and(|i| self.is_reported_at(i))
    }

    fn is_reported_at(&self, i: usize) -> bool {
        self.row.merged.contains(&i) || typed_cell_problem(self.row, self.cols, i).is_some()
    }

    /// Report a problem at column `name`.
    pub fn error(&mut self, name: &str, msg: Msg) {
        let c = self.column(name);
        if self.cols.get(name).is_some() {
            self.diags.push_cell(self.file, self.row.line, c, msg);
        } else {
            self.diags.push(self.file, self.row.line, c, msg);
        }
    }

    /// A required, non-empty text.
    pub fn required(&mut self, name: &str) -> Option<String> {
        let v = self.text(name).map(str::to_string);
        if v.is_none() && self.cols.get(name).is_some() && !self.is_reported(name) {
            let h = self.header(name);
            self.error(
                name,
                msg!("'{h}' 为空；这一项必填", "'{h}' is empty; it is required"),
            );
        }
        // An id with a NUL or another control character would be written
        // raw into every output and every county's list.
        if v.as_deref()
            .is_some_and(|s| s.chars().any(char::is_control))
        {
            let h = self.header(name);
            self.error(
                name,
                msg!(
                    "'{h}' 含有控制字符（NUL、制表符等）；请删去",
                    "'{h}' contains a control character (NUL, tab …); remove it"
                ),
            );
            return None;
        }
        v
    }

    /// An optional value parsed by `parse`; empty → `default`; unparsable →
    /// reported (naming `expected`, Chinese and English) and `default`.
    pub fn parse<T>(
        &mut self,
        name: &str,
        default: T,
        parse: impl Fn(&str) -> Option<T>,
        [zh, en]: [&str; 2],
    ) -> T {
        match self.text(name) {
            None => default,
            Some(s) => match parse(s) {
                Some(v) => v,
                None => {
                    let h = self.header(name);
                    self.error(
                        name,
                        msg!("'{h}' 是 {s:?}；应为 {zh}", "'{h}' is {s:?}; expected {en}"),
                    );
                    default
                }
            },
        }
    }

    /// An optional boolean.
    pub fn bool(&mut self, name: &str, default: bool) -> bool {
        self.parse(
            name,
            default,
            parse_bool,
            [
                "是/否（或 1/0、true/false、yes/no、y/n）",
                "1/0, true/false, yes/no, y/n or 是/否",
            ],
        )
    }

    /// An optional non-negative integer (`4` or `4.0` as Excel stores it).
    pub fn count(&mut self, name: &str) -> Option<u32> {
        let s = self.text(name)?;
        match parse_count(s) {
            Some(n) => Some(n),
            None => {
                let h = self.header(name);
                self.error(
                    name,
                    msg!(
                        "'{h}' 是 {s:?}；应为不小于 0 的整数",
                        "'{h}' is {s:?}; expected a whole number ≥ 0"
                    ),
                );
                None
            }
        }
    }
}

/// Why the typed xlsx cell at 0-based column `j` cannot be the value of the
/// column xibu reads there, if it cannot: a date (Excel's doing — a number
/// formatted as a date, or a date typed by mistake; its serial must never
/// pass as the value), or TRUE/FALSE outside a yes/no column.
fn typed_cell_problem(row: &Row, cols: &Columns, j: usize) -> Option<Msg> {
    let is_date = row.dates.contains(&j);
    if !is_date && !row.bools.contains(&j) {
        return None;
    }
    let name = cols.name_at(j)?;
    let h = cols.header_of(name);
    let v = &row.cells[j];
    if is_date {
        Some(msg!(
            "'{h}' 在 Excel 中是日期单元格（{v}）；请把这一列设为文本或数字格式，再重新输入",
            "'{h}' is a date cell in Excel ({v}); format the column as text or number and re-enter the value"
        ))
    } else if !YES_NO_COLUMNS.contains(&name) {
        Some(msg!(
            "'{h}' 在 Excel 中是 TRUE/FALSE 单元格（{v}）；这一列不是是/否列，请以文本或数字重新输入",
            "'{h}' is a TRUE/FALSE cell in Excel ({v}); it is not a yes/no column — re-enter the value as text or number"
        ))
    } else {
        None
    }
}

/// The yes/no columns: where an xlsx TRUE/FALSE cell is a value.
const YES_NO_COLUMNS: &[&str] = &[
    "teacher_training",
    "graduating",
    "diploma_by_arrival",
    "volunteer_experience",
    "student_leader",
    "adjustable",
];

/// The most seats one post may have: the whole national programme has
/// about 43,000 places.
pub const MAX_SEATS: u32 = 100_000;

fn parse_count(s: &str) -> Option<u32> {
    if let Ok(n) = s.parse::<u32>() {
        return Some(n);
    }
    let f: f64 = s.parse().ok()?;
    (f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f <= f64::from(u32::MAX)).then_some(f as u32)
}

/// Parse one preference choice (`P017`, `post:P017`, `county:150121`,
/// `league:1501`, or the Chinese prefixes 岗位/旗县/盟市, either colon).
pub(crate) fn parse_choice(s: &str) -> Result<Choice, Msg> {
    let Some((prefix, value)) = s.split_once([':', '：']) else {
        return Ok(Choice::Post(s.trim().to_string()));
    };
    let value = value.trim().to_string();
    if value.is_empty() {
        return Err(msg!(
            "志愿 {s:?} 的冒号后面是空的",
            "choice {s:?} names nothing after the colon"
        ));
    }
    match prefix.trim().to_lowercase().as_str() {
        "post" | "岗位" => Ok(Choice::Post(value)),
        "county" | "旗县" => Ok(Choice::County(value)),
        "league" | "盟市" => Ok(Choice::League(value)),
        other => Err(msg!(
            "志愿 {s:?} 的前缀 '{other}' 无法识别；请用 岗位:、旗县:、盟市:（或 post:、county:、league:）",
            "choice {s:?} has unknown prefix '{other}'; use post:, county: or league: (岗位:, 旗县:, 盟市:)"
        )),
    }
}

fn load<T>(
    src: &Source,
    enc: Encoding,
    specs: &'static [ColumnSpec],
    near_miss: Option<&[String]>,
    diags: &mut Diagnostics,
    mut each: impl FnMut(&mut RowReader) -> Option<T>,
) -> Loaded<T> {
    let Some(table) = read_source(src, enc, diags) else {
        return Loaded::default();
    };
    let cols = Columns::map(&table, specs, near_miss, diags);
    if !cols.complete() {
        return Loaded {
            columns: Some(cols.report),
            ..Loaded::default()
        };
    }
    let mut rows = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut r = RowReader::new(&table, row, &cols, diags);
        rows.extend(each(&mut r));
    }
    Loaded {
        rows,
        complete: true,
        columns: Some(cols.report),
    }
}

/// Report every id seen before, at its second occurrence.
fn check_unique<'a>(
    file: &str,
    [zh, en]: [&str; 2],
    items: impl Iterator<Item = (&'a str, Pos)>,
    diags: &mut Diagnostics,
) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (id, pos) in items {
        if let Some(first) = seen.insert(id, pos.line) {
            seen.insert(id, first);
            diags.push(
                file,
                pos.line,
                pos.column,
                msg!(
                    "{zh} '{id}' 重复（第一次在第 {first} 行）；编号必须唯一",
                    "duplicate {en} '{id}' (first on line {first}); ids must be unique"
                ),
            );
        }
    }
}

/// Read candidates.csv.
pub fn read_candidates(
    src: &Source,
    enc: Encoding,
    ignore: &[String],
    diags: &mut Diagnostics,
) -> Loaded<CandidateRecord> {
    let file = src.name();
    let out = load(src, enc, CANDIDATE_COLUMNS, Some(ignore), diags, |r| {
        let id = r.required("id");
        if let Some(n) = r.text("id_number") {
            if let Err(m) = idcard::validate(n) {
                r.error("id_number", m);
            }
        }
        let score = match r.text("score") {
            None if r.is_reported("score") => None, // reported as a date
            None => {
                let h = r.header("score");
                r.error(
                    "score",
                    msg!(
                        "'{h}' 为空；每位考生都要有考试成绩",
                        "'{h}' is empty; every candidate needs an exam score"
                    ),
                );
                None
            }
            Some(s) => match s.parse::<f64>() {
                Ok(v) if v.is_finite() => Some(v),
                _ => {
                    let h = r.header("score");
                    r.error(
                        "score",
                        msg!(
                            "'{h}' {s:?} 不是有效的数",
                            "'{h}' {s:?} is not a finite number"
                        ),
                    );
                    None
                }
            },
        };
        let major_code = r.text("major_code").and_then(|s| {
            let c = parse_major_code(s);
            if c.is_none() {
                let h = r.header("major_code");
                r.error(
                    "major_code",
                    msg!(
                        "'{h}' {s:?} 不是专业代码（数字，可带 T/K，如 040101、100201K）",
                        "'{h}' {s:?} is not a discipline code (digits with an optional T/K, e.g. 040101 or 100201K)"
                    ),
                );
            }
            c
        });
        let adjustable = r.bool("adjustable", false);
        let mut preferences = Vec::new();
        let mut bad_choice = false;
        if let Some(p) = r.text("preferences") {
            for piece in split_list(p) {
                match parse_choice(piece) {
                    Ok(c) => preferences.push(c),
                    Err(m) => {
                        bad_choice = true;
                        r.error("preferences", m);
                    }
                }
            }
        }
        // Only separators (`;;；`) is no choice at all; a cell with a bad
        // choice has its own error already.
        if preferences.is_empty() && !bad_choice && !adjustable {
            r.error(
                "preferences",
                msg!(
                    "没有填志愿，也不服从调剂：请至少填一个岗位、旗县: 或 盟市:，或者把服从调剂设为“是”",
                    "no choices and not adjustable (服从调剂): list at least one post, county: or league:, or set adjustable"
                ),
            );
        }
        let extra = r.ignored_cells();
        let rec = CandidateRecord {
            extra,
            id: id?,
            name: r.text("name").unwrap_or_default().to_string(),
            id_number: r.text("id_number").map(str::to_string),
            degree: r.parse(
                "degree",
                Degree::Bachelor,
                parse_degree,
                [
                    "专科/本科/硕士/博士（或 associate/bachelor/master/doctor）",
                    "associate/bachelor/master/doctor or 专科/本科/硕士/博士",
                ],
            ),
            major_code,
            major: r.text("major").unwrap_or_default().to_string(),
            teacher_training: r.bool("teacher_training", false),
            graduating: r.bool("graduating", true),
            diploma_by_arrival: r.bool("diploma_by_arrival", true),
            health: r.parse(
                "health",
                Health::Pending,
                parse_health,
                [
                    "合格/不合格/待定（或 pass/fail/pending）",
                    "pass/fail/pending or 合格/不合格/待定",
                ],
            ),
            volunteer_experience: r.bool("volunteer_experience", false),
            student_leader: r.bool("student_leader", false),
            score: score.unwrap_or(0.0),
            project: r.parse(
                "project",
                None,
                parse_candidate_project,
                [
                    "全国/地方/不限（或 national/local/any）",
                    "national/local/any or 全国/地方/不限",
                ],
            ),
            adjustable,
            preferences,
            pos: r.pos("id"),
            preferences_column: r.column("preferences"),
        };
        Some(rec)
    });
    check_unique(
        &file,
        ["报名号", "candidate id"],
        out.rows.iter().map(|c| (c.id.as_str(), c.pos)),
        diags,
    );
    out
}

/// Read posts.csv.
pub fn read_posts(
    src: &Source,
    enc: Encoding,
    ignore: &[String],
    diags: &mut Diagnostics,
) -> Loaded<PostRecord> {
    let file = src.name();
    let out = load(src, enc, POST_COLUMNS, Some(ignore), diags, |r| {
        let id = r.required("id");
        let county = r.required("county");
        let specialty = r.required("specialty");
        let level = match r.required("level") {
            Some(s) => {
                let l = parse_level(&s);
                if l.is_none() {
                    r.error(
                        "level",
                        msg!(
                            "层级 {s:?} 无法识别；请填 乡镇 或 县级（或 township/county）",
                            "unknown level {s:?}; use township/county or 乡镇/县级"
                        ),
                    );
                }
                l
            }
            None => None,
        };
        let seats = match r.text("seats") {
            None => {
                let h = r.header("seats");
                r.error(
                    "seats",
                    msg!(
                        "'{h}' 为空；请填名额数（0 或以上）",
                        "'{h}' is empty; give the number of seats (0 or more)"
                    ),
                );
                None
            }
            Some(s) => match s.parse::<f64>() {
                Ok(v) if v < 0.0 => {
                    r.error(
                        "seats",
                        msg!(
                            "名额 {s} 是负数；应为 0 或以上",
                            "seats {s} is negative; it must be 0 or more"
                        ),
                    );
                    None
                }
                _ => r.count("seats").filter(|&n| {
                    // A typo of this size would make every engine crawl.
                    let ok = n <= MAX_SEATS;
                    if !ok {
                        r.error(
                            "seats",
                            msg!(
                                "名额 {n} 超过任何岗位可能有的数（最多 {MAX_SEATS}）；请检查这一格",
                                "seats {n} is more than any post has (at most {MAX_SEATS}); check the cell"
                            ),
                        );
                    }
                    ok
                }),
            },
        };
        let mut majors_required = Vec::new();
        if let Some(m) = r.text("majors_required") {
            for piece in split_list(m) {
                match parse_major_code(piece) {
                    Some(c) => majors_required.push(c),
                    None => r.error(
                        "majors_required",
                        msg!(
                            "{piece:?} 不是专业代码前缀（数字，如 0402）",
                            "{piece:?} is not a major-code prefix (digits, e.g. 0402)"
                        ),
                    ),
                }
            }
        }
        let rec = PostRecord {
            id: id?,
            county: county.unwrap_or_default(),
            league: r.text("league").unwrap_or_default().to_string(),
            unit: r.text("unit").unwrap_or_default().to_string(),
            specialty: specialty.unwrap_or_default(),
            level: level.unwrap_or(Level::Township),
            seats: seats.unwrap_or(0),
            project: r.parse(
                "project",
                Project::National,
                parse_project,
                [
                    "全国/地方（或 national/local）",
                    "national/local or 全国/地方",
                ],
            ),
            degree_min: r.parse(
                "degree_min",
                None,
                |s| parse_degree(s).map(Some),
                [
                    "专科/本科/硕士/博士（或 associate/bachelor/master/doctor）",
                    "associate/bachelor/master/doctor or 专科/本科/硕士/博士",
                ],
            ),
            majors_required,
            pos: r.pos("id"),
            columns: PostColumns {
                county: r.column("county"),
                league: r.column("league"),
                specialty: r.column("specialty"),
                seats: r.column("seats"),
            },
        };
        Some(rec)
    });
    check_unique(
        &file,
        ["岗位编号", "post id"],
        out.rows.iter().map(|p| (p.id.as_str(), p.pos)),
        diags,
    );
    out
}

/// Read counties.csv.
pub fn read_counties(
    src: &Source,
    enc: Encoding,
    ignore: &[String],
    diags: &mut Diagnostics,
) -> Loaded<CountyRecord> {
    let file = src.name();
    let out = load(src, enc, COUNTY_COLUMNS, Some(ignore), diags, |r| {
        let code = r.required("code");
        let league = r.required("league");
        let rec = CountyRecord {
            code: code?,
            name: r.text("name").unwrap_or_default().to_string(),
            league: league.unwrap_or_default(),
            status: r.parse(
                "status",
                CountyStatus::Active,
                parse_status,
                [
                    "正常/新增/暂停（或 active/new/suspended）",
                    "active/new/suspended or 正常/新增/暂停",
                ],
            ),
            scale: r.count("scale"),
            pos: r.pos("code"),
        };
        Some(rec)
    });
    check_unique(
        &file,
        ["旗县代码", "county code"],
        out.rows.iter().map(|c| (c.code.as_str(), c.pos)),
        diags,
    );
    out
}

/// Read incumbents.csv.
pub fn read_incumbents(
    src: &Source,
    enc: Encoding,
    ignore: &[String],
    diags: &mut Diagnostics,
) -> Loaded<IncumbentRecord> {
    let file = src.name();
    let out = load(src, enc, INCUMBENT_COLUMNS, Some(ignore), diags, |r| {
        let id = r.required("id");
        let post = r.required("post");
        Some(IncumbentRecord {
            id: id?,
            post: post.unwrap_or_default(),
            pos: r.pos("post"),
            id_column: r.column("id"),
        })
    });
    check_unique(
        &file,
        ["延期志愿者报名号", "incumbent id"],
        out.rows.iter().map(|c| {
            let at = Pos {
                line: c.pos.line,
                column: c.id_column,
            };
            (c.id.as_str(), at)
        }),
        diags,
    );
    out
}

/// Read every input file, collecting every problem of every file.
pub fn read_instance(
    paths: &InputPaths,
    enc: Encoding,
    ignore: &[String],
    diags: &mut Diagnostics,
) -> Instance {
    let file = |p: &std::path::PathBuf| Source::File(p.clone());
    read_sources(
        &Sources {
            candidates: file(&paths.candidates),
            posts: file(&paths.posts),
            counties: paths.counties.as_ref().map(file),
            incumbents: paths.incumbents.as_ref().map(file),
        },
        enc,
        ignore,
        diags,
    )
}

/// The four tables' sources (files or text in memory).
#[derive(Debug, Clone)]
pub struct Sources {
    /// candidates
    pub candidates: Source,
    /// posts
    pub posts: Source,
    /// counties (optional)
    pub counties: Option<Source>,
    /// incumbents (optional)
    pub incumbents: Option<Source>,
}

/// Read every table, collecting every problem of every one. Headers in
/// `ignore` may be ignored even when they look like a known column.
pub fn read_sources(
    src: &Sources,
    enc: Encoding,
    ignore: &[String],
    diags: &mut Diagnostics,
) -> Instance {
    Instance {
        candidates_file: src.candidates.name(),
        posts_file: src.posts.name(),
        counties_file: src.counties.as_ref().map(Source::name),
        incumbents_file: src.incumbents.as_ref().map(Source::name),
        candidates: read_candidates(&src.candidates, enc, ignore, diags),
        posts: read_posts(&src.posts, enc, ignore, diags),
        counties: src
            .counties
            .as_ref()
            .map(|s| read_counties(s, enc, ignore, diags)),
        incumbents: src.incumbents.as_ref().map_or(
            Loaded {
                rows: Vec::new(),
                complete: true,
                columns: None,
            },
            |s| read_incumbents(s, enc, ignore, diags),
        ),
        locks: None,
    }
}

/// dispatch.csv columns (as written by `allocate`; Chinese headers accepted).
pub const DISPATCH_COLUMNS: &[ColumnSpec] = &[
    col("candidate_id", &["报名号", "id", "candidate"], true),
    col("post_id", &["岗位编号", "post"], true),
];

/// Read a dispatch file (`candidate_id, post_id`, other columns ignored).
pub fn read_dispatch(
    path: &Path,
    enc: Encoding,
    diags: &mut Diagnostics,
) -> Loaded<DispatchRecord> {
    let one = |src: &Source, sheet: Option<String>, diags: &mut Diagnostics| {
        load(src, enc, DISPATCH_COLUMNS, None, diags, |r| {
            let candidate = r.required("candidate_id");
            let post = r.required("post_id");
            Some(DispatchRecord {
                candidate: candidate?,
                post: post?,
                pos: r.pos("candidate_id"),
                post_column: r.column("post_id"),
                sheet: sheet.clone(),
            })
        })
    };
    let is_xlsx = path.extension().is_some_and(|e| {
        matches!(
            e.to_ascii_lowercase().to_str(),
            Some("xlsx" | "xlsm" | "xls")
        )
    });
    let sheets = if is_xlsx {
        sheets_of_one_table(path)
    } else {
        Vec::new()
    };
    if sheets.len() < 2 {
        return one(&Source::File(path.to_path_buf()), None, diags);
    }
    // 派遣名单.xlsx holds one sheet per league: every sheet under the
    // dispatch header is read.
    let mut all = Loaded::<DispatchRecord> {
        complete: true,
        ..Loaded::default()
    };
    for (index, name) in sheets {
        let label = format!("{}[{name}]", path.display());
        let src = Source::Sheet {
            path: path.to_path_buf(),
            index,
            label: label.clone(),
        };
        let part = one(&src, Some(label), diags);
        all.complete &= part.complete;
        all.rows.extend(part.rows);
        all.columns = all.columns.or(part.columns);
    }
    all
}

/// withdrawn.csv columns.
pub const WITHDRAWN_COLUMNS: &[ColumnSpec] =
    &[col("id", &["报名号", "candidate_id", "编号"], true)];

/// Read a withdrawn file (column `id`).
pub fn read_withdrawn(
    path: &Path,
    enc: Encoding,
    diags: &mut Diagnostics,
) -> Loaded<WithdrawnRecord> {
    load(
        &Source::File(path.to_path_buf()),
        enc,
        WITHDRAWN_COLUMNS,
        None,
        diags,
        |r| {
            Some(WithdrawnRecord {
                id: r.required("id")?,
                pos: r.pos("id"),
            })
        },
    )
}

/// locks.csv columns: placements the office has already decided.
pub const LOCK_COLUMNS: &[ColumnSpec] = &[
    col("candidate_id", &["报名号", "id", "candidate"], true),
    col("post_id", &["岗位编号", "post"], true),
    col("reason", &["原因", "理由", "说明"], true),
    col("author", &["批准人", "审批人", "决定人", "经办人"], true),
];

/// Read a locks file (`candidate_id, post_id, reason, author`); a lock
/// without a reason or an author is an error (it is an audit record).
pub fn read_locks(
    path: &Path,
    enc: Encoding,
    ignore: &[String],
    diags: &mut Diagnostics,
) -> Loaded<LockRecord> {
    load(
        &Source::File(path.to_path_buf()),
        enc,
        LOCK_COLUMNS,
        Some(ignore),
        diags,
        |r| {
            let candidate = r.required("candidate_id");
            let post = r.required("post_id");
            let reason = r.required("reason");
            let author = r.required("author");
            Some(LockRecord {
                placement: DispatchRecord {
                    candidate: candidate?,
                    post: post?,
                    pos: r.pos("candidate_id"),
                    post_column: r.column("post_id"),
                    sheet: None,
                },
                reason: reason?,
                author: author?,
            })
        },
    )
}
