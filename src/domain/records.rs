//! The rows of the office's files (interface §1) as typed records that still
//! carry strings and file positions: what `input` produces and `model`
//! builds the dense problem from.

use super::types::{CountyStatus, Degree, Health, Level, Project};

/// Where a value came from, for messages about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// One preference group as written (interface §1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// `P017` or `post:P017`
    Post(String),
    /// `county:150121`
    County(String),
    /// `league:1501`
    League(String),
}

/// A row of candidates.csv.
#[derive(Debug, Clone)]
pub struct CandidateRecord {
    /// Registration id.
    pub id: String,
    /// Cells of the columns xibu does not read (联系电话, 毕业院校 …), in
    /// the order of the file's ignored headers: passed through to the
    /// Excel lists.
    pub extra: Vec<String>,
    /// Name (may be empty).
    pub name: String,
    /// 身份证号, validated; never print it unmasked.
    pub id_number: Option<String>,
    /// Degree.
    pub degree: Degree,
    /// Normalized discipline code.
    pub major_code: Option<String>,
    /// Major name.
    pub major: String,
    /// 师范类
    pub teacher_training: bool,
    /// 应届
    pub graduating: bool,
    /// Diploma before arrival.
    pub diploma_by_arrival: bool,
    /// 体检
    pub health: Health,
    /// 志愿服务经历
    pub volunteer_experience: bool,
    /// 学生干部
    pub student_leader: bool,
    /// Exam score.
    pub score: f64,
    /// `None` = any project.
    pub project: Option<Project>,
    /// 服从调剂
    pub adjustable: bool,
    /// Preference groups in written order.
    pub preferences: Vec<Choice>,
    /// Where the row and its preferences cell are.
    pub pos: Pos,
    /// Column of the preferences cell.
    pub preferences_column: usize,
}

/// A row of posts.csv.
#[derive(Debug, Clone)]
pub struct PostRecord {
    /// Post id.
    pub id: String,
    /// County code.
    pub county: String,
    /// League code (may be empty when counties.csv gives it).
    pub league: String,
    /// 服务单位
    pub unit: String,
    /// Specialty key or Chinese name, resolved against the model later.
    pub specialty: String,
    /// Level.
    pub level: Level,
    /// Seats.
    pub seats: u32,
    /// Project.
    pub project: Project,
    /// Lowest accepted degree.
    pub degree_min: Option<Degree>,
    /// Major-code prefixes; empty = any.
    pub majors_required: Vec<String>,
    /// Row position.
    pub pos: Pos,
    /// Columns of county, league and specialty, for later messages.
    pub columns: PostColumns,
}

/// Column numbers of a posts.csv row's cross-referenced cells.
#[derive(Debug, Clone, Copy, Default)]
pub struct PostColumns {
    /// county
    pub county: usize,
    /// league
    pub league: usize,
    /// specialty
    pub specialty: usize,
    /// seats
    pub seats: usize,
}

/// A row of counties.csv.
#[derive(Debug, Clone)]
pub struct CountyRecord {
    /// County code.
    pub code: String,
    /// Name.
    pub name: String,
    /// League code.
    pub league: String,
    /// Status.
    pub status: CountyStatus,
    /// 实施规模, if set.
    pub scale: Option<u32>,
    /// Row position.
    pub pos: Pos,
}

/// A row of incumbents.csv.
#[derive(Debug, Clone)]
pub struct IncumbentRecord {
    /// Volunteer id.
    pub id: String,
    /// Post id.
    pub post: String,
    /// Row position (column = the post cell).
    pub pos: Pos,
    /// Column of the id cell.
    pub id_column: usize,
}

/// Every input file, read and checked on its own.
#[derive(Debug, Clone)]
pub struct Instance {
    /// candidates.csv file name.
    pub candidates_file: String,
    /// posts.csv file name.
    pub posts_file: String,
    /// counties.csv file name, if given.
    pub counties_file: Option<String>,
    /// incumbents.csv file name, if given.
    pub incumbents_file: Option<String>,
    /// Candidates.
    pub candidates: Loaded<CandidateRecord>,
    /// Posts.
    pub posts: Loaded<PostRecord>,
    /// Counties (`None` when no counties.csv).
    pub counties: Option<Loaded<CountyRecord>>,
    /// Incumbents (empty and complete when no incumbents.csv).
    pub incumbents: Loaded<IncumbentRecord>,
    /// Locks file name and its rows (`--locks`), if given.
    pub locks: Option<(String, Loaded<LockRecord>)>,
}

/// The records of one file, and whether the file could be read as a whole
/// (readable, every required column present). Checks that refer to an
/// incomplete file are skipped so that one missing column does not bury the
/// user under consequential errors.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// Every row with an id (rows with bad values are kept, with defaults,
    /// their problems already reported).
    pub rows: Vec<T>,
    /// False when the file was unreadable or lacked a required column.
    pub complete: bool,
    /// Which columns were recognised and which ignored (when the header
    /// could be read).
    pub columns: Option<ColumnReport>,
}

impl<T> Default for Loaded<T> {
    fn default() -> Self {
        Loaded {
            rows: Vec::new(),
            complete: false,
            columns: None,
        }
    }
}

/// What a file's header row was read as: every run states it, so that a
/// column read under another name, or not at all, is visible.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ColumnReport {
    /// The file as the user named it.
    pub file: String,
    /// Recognised columns: the header as written and the column it is.
    pub recognised: Vec<RecognisedColumn>,
    /// Headers that are not a column xibu reads (kept, not used).
    pub ignored: Vec<String>,
}

/// One recognised header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecognisedColumn {
    /// As written in the file.
    pub header: String,
    /// The canonical column (interface §1).
    pub column: String,
}

impl Instance {
    /// What each file's header row was read as, in file order.
    pub fn column_reports(&self) -> Vec<ColumnReport> {
        [
            self.candidates.columns.clone(),
            self.posts.columns.clone(),
            self.counties.as_ref().and_then(|c| c.columns.clone()),
            self.incumbents.columns.clone(),
            self.locks.as_ref().and_then(|(_, l)| l.columns.clone()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl ColumnReport {
    /// Is canonical column `name` present?
    pub fn has(&self, name: &str) -> bool {
        self.recognised.iter().any(|r| r.column == name)
    }
}

/// A row of a dispatch file.
#[derive(Debug, Clone)]
pub struct DispatchRecord {
    /// Candidate id.
    pub candidate: String,
    /// Post id.
    pub post: String,
    /// Row position.
    pub pos: Pos,
    /// Column of the post cell.
    pub post_column: usize,
    /// The file and sheet it was read from, when a workbook holds the
    /// dispatch on several sheets (one per league): `file[sheet]`.
    pub sheet: Option<String>,
}

/// A row of a withdrawn file.
#[derive(Debug, Clone)]
pub struct WithdrawnRecord {
    /// Candidate id.
    pub id: String,
    /// Row position.
    pub pos: Pos,
}

/// A row of a locks file.
#[derive(Debug, Clone)]
pub struct LockRecord {
    /// Candidate and post, located like a dispatch row.
    pub placement: DispatchRecord,
    /// Why the office decided it.
    pub reason: String,
    /// Who decided it.
    pub author: String,
}
