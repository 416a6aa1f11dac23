//! The policy model (interface §2): what the office decides each year and
//! writes in `models/*.toml`. Loaded by `input::policy`.

use super::types::{CountyStatus, Level, Project, SpecialtyIdx};

/// One criterion of the lexicographic objective (interface §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Criterion {
    /// Minimise blocking pairs.
    Envy,
    /// Maximise placed candidates.
    Fill,
    /// Minimise the sum of ranks of placed candidates.
    Preference,
}

impl Criterion {
    /// The key used in model files and outputs.
    pub fn key(self) -> &'static str {
        match self {
            Criterion::Envy => "envy",
            Criterion::Fill => "fill",
            Criterion::Preference => "preference",
        }
    }
    /// Parse a model-file key.
    pub fn parse(s: &str) -> Option<Self> {
        [Criterion::Envy, Criterion::Fill, Criterion::Preference]
            .into_iter()
            .find(|c| c.key() == s)
    }
}

/// Which health results are eligible.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthRule {
    /// Only `pass`.
    Pass,
    /// `pass` or `pending`.
    NotFail,
}

impl HealthRule {
    /// Model-file value.
    pub fn key(self) -> &'static str {
        match self {
            HealthRule::Pass => "pass",
            HealthRule::NotFail => "not-fail",
        }
    }
    /// Parse a model-file value (`pass`, `not-fail`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pass" => Some(HealthRule::Pass),
            "not-fail" => Some(HealthRule::NotFail),
            _ => None,
        }
    }
}

/// Where an adjustable (服从调剂) candidate also accepts posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdjustScope {
    /// Nowhere beyond the listed posts.
    None,
    /// The leagues of the listed posts (every league if none listed).
    League,
    /// The provinces of the listed posts (every province if none listed).
    /// A league's province is the first two characters of its code: the
    /// GB/T 2260 province code (1501 → 15, Inner Mongolia).
    Province,
    /// Every post.
    Region,
}

impl AdjustScope {
    /// Model-file value.
    pub fn key(self) -> &'static str {
        match self {
            AdjustScope::None => "none",
            AdjustScope::League => "league",
            AdjustScope::Province => "province",
            AdjustScope::Region => "region",
        }
    }
    /// Parse a model-file value (`none`, `league`, `province`, `region`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(AdjustScope::None),
            "league" => Some(AdjustScope::League),
            "province" => Some(AdjustScope::Province),
            "region" => Some(AdjustScope::Region),
            _ => None,
        }
    }
}

/// One key of a post's priority order (interface §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorityKey {
    /// The specialty's preferred-major tier.
    Major,
    /// Volunteer service experience.
    Volunteer,
    /// Student leader, in specialties that count it.
    Leader,
    /// Exam score.
    Score,
}

impl PriorityKey {
    /// Model-file key.
    pub fn key(self) -> &'static str {
        match self {
            PriorityKey::Major => "major",
            PriorityKey::Volunteer => "volunteer",
            PriorityKey::Leader => "leader",
            PriorityKey::Score => "score",
        }
    }
    /// Parse a model-file key.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "major" => Some(PriorityKey::Major),
            "volunteer" => Some(PriorityKey::Volunteer),
            "leader" => Some(PriorityKey::Leader),
            "score" => Some(PriorityKey::Score),
            _ => None,
        }
    }
}

/// A candidate flag a specialty tier can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    /// 师范类
    TeacherTraining,
    /// 志愿服务经历
    VolunteerExperience,
    /// 学生干部
    StudentLeader,
}

impl Flag {
    /// Model-file flag name.
    pub fn key(self) -> &'static str {
        match self {
            Flag::TeacherTraining => "teacher_training",
            Flag::VolunteerExperience => "volunteer_experience",
            Flag::StudentLeader => "student_leader",
        }
    }
    /// Parse a model-file flag name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "teacher_training" => Some(Flag::TeacherTraining),
            "volunteer_experience" => Some(Flag::VolunteerExperience),
            "student_leader" => Some(Flag::StudentLeader),
            _ => None,
        }
    }
}

/// One tier of preferred majors: matches a candidate whose major code starts
/// with one of `codes`, or who has one of `flags`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    /// Major-code prefixes.
    pub codes: Vec<String>,
    /// Candidate flags.
    pub flags: Vec<Flag>,
}

/// A specialty (专项) and how its posts rank applicants.
#[derive(Debug, Clone, PartialEq)]
pub struct Specialty {
    /// Key used in files (`rural_education`).
    pub key: String,
    /// Chinese name (`乡村教育`), also accepted in posts.csv.
    pub name: String,
    /// Does `student_leader` count in this specialty's priority?
    pub leader: bool,
    /// Preferred-major tiers, best first.
    pub tiers: Vec<Tier>,
}

/// The geographic unit a rule is checked in (written as its key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleScope {
    /// Each county.
    County,
    /// Each league.
    League,
    /// The whole region, once.
    Region,
}

impl RuleScope {
    /// Parse a model-file value (`county`, `league`, `region`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "county" => Some(RuleScope::County),
            "league" => Some(RuleScope::League),
            "region" => Some(RuleScope::Region),
            _ => None,
        }
    }
    /// Model-file key.
    pub fn key(self) -> &'static str {
        match self {
            RuleScope::County => "county",
            RuleScope::League => "league",
            RuleScope::Region => "region",
        }
    }
}

/// What a rule counts among the volunteers of a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleCount {
    /// Volunteers at posts of this level.
    Level(Level),
    /// Volunteers at posts of this specialty.
    Specialty(SpecialtyIdx),
}

/// Comparison of a rule (written as its symbol).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// count ≥ share × total
    Ge,
    /// count ≤ share × total
    Le,
}

impl Op {
    /// Parse `>=`/`≥` or `<=`/`≤`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            ">=" | "≥" => Some(Op::Ge),
            "<=" | "≤" => Some(Op::Le),
            _ => None,
        }
    }
    /// As written in model files.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Le => "<=",
        }
    }
}

/// A share rule (interface §2.3.5): `count(scope) op share × total(scope)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Unique name.
    pub name: String,
    /// What a person reads in Chinese (乡镇及以下服务岗位比例 …); the name
    /// when absent (and in English).
    pub label: Option<String>,
    /// Where it is checked.
    pub scope: RuleScope,
    /// Only volunteers in counties with these statuses count (all when `None`).
    pub county_status: Option<Vec<CountyStatus>>,
    /// What is counted.
    pub count: RuleCount,
    /// Direction.
    pub op: Op,
    /// Share in [0, 1].
    pub share: f64,
}

impl Rule {
    /// The rule as people read it: its label, else its name.
    pub fn display(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }
}

/// The whole policy model.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Display name.
    pub name: String,
    /// Lexicographic objective, most important first.
    pub objective: Vec<Criterion>,
    /// Only 应届 (or in-service graduate students) are eligible.
    pub require_graduating: bool,
    /// Only those holding the diploma before arrival are eligible.
    pub require_diploma_by_arrival: bool,
    /// Which health results are eligible.
    pub health: HealthRule,
    /// Adjustment (服从调剂) scope.
    pub adjustment: AdjustScope,
    /// Priority keys, most important first; the lottery breaks what is left.
    pub priority: Vec<PriorityKey>,
    /// Reserve list length per post = ceil(ratio × open seats).
    pub reserve_ratio: f64,
    /// Upper bound on placed + incumbents per project, indexed by `Project as usize`.
    pub quotas: [Option<u32>; 2],
    /// Specialties.
    pub specialties: Vec<Specialty>,
    /// Share rules.
    pub rules: Vec<Rule>,
    /// League (盟市) names by code (`[leagues]` in the model), sorted by
    /// code: reports and lists show "呼和浩特市（1501）".
    pub league_names: Vec<(String, String)>,
}

impl Policy {
    /// How a league is shown: its name with the code, or the code.
    pub fn league_label(&self, code: &str) -> String {
        match self.league_names.iter().find(|(c, _)| c == code) {
            Some((_, name)) => format!("{name}（{code}）"),
            None => code.to_string(),
        }
    }

    /// Look a specialty up by key or Chinese name.
    pub fn specialty(&self, s: &str) -> Option<SpecialtyIdx> {
        let s = s.trim();
        self.specialties
            .iter()
            .position(|sp| sp.key == s || sp.name == s)
            .map(SpecialtyIdx::from_ix)
    }

    /// The quota of a project, if any.
    pub fn quota(&self, p: Project) -> Option<u32> {
        self.quotas[p as usize]
    }
}

/// Model files, reports and summary.json write a scope as its key and an
/// operator as its symbol.
macro_rules! written_as {
    ($($t:ty => $f:ident),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.$f())
            }
        }
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.$f())
            }
        }
    )*};
}

written_as!(RuleScope => key, Op => symbol);
