//! Small value types of the domain (interface §1), shared by every step.

use std::fmt;

macro_rules! index_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            /// The index as a `usize`, for indexing dense `Vec`s.
            #[inline]
            pub fn ix(self) -> usize {
                self.0 as usize
            }
            /// From a `usize` position (panics beyond u32, which input sizes never reach).
            #[inline]
            pub fn from_ix(i: usize) -> Self {
                $name(u32::try_from(i).expect("index fits in u32"))
            }
        }
    };
}

index_type!(
    /// A candidate's position in `Problem::candidates`.
    CandidateIdx
);
index_type!(
    /// A post's position in `Problem::posts`.
    PostIdx
);
index_type!(
    /// A county's position in `Problem::counties`.
    CountyIdx
);
index_type!(
    /// A league's position in `Problem::leagues`.
    LeagueIdx
);
index_type!(
    /// A specialty's position in `Policy::specialties`.
    SpecialtyIdx
);

/// Academic degree, ordered from lowest to highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Degree {
    /// 专科
    Associate,
    /// 本科
    Bachelor,
    /// 硕士
    Master,
    /// 博士
    Doctor,
}

/// Medical examination (体检) result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Health {
    /// 合格
    Pass,
    /// 不合格
    Fail,
    /// 待定
    Pending,
}

/// The project a post belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Project {
    /// 全国项目
    National,
    /// 地方项目
    Local,
}

/// Post level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Level {
    /// 乡镇及以下
    Township,
    /// 县级
    County,
}

/// County office status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountyStatus {
    /// 正常
    Active,
    /// 新增
    New,
    /// 暂停: receives nobody.
    Suspended,
}

impl Degree {
    /// Canonical key.
    pub fn key(self) -> &'static str {
        match self {
            Degree::Associate => "associate",
            Degree::Bachelor => "bachelor",
            Degree::Master => "master",
            Degree::Doctor => "doctor",
        }
    }
}

impl Health {
    /// Canonical key.
    pub fn key(self) -> &'static str {
        match self {
            Health::Pass => "pass",
            Health::Fail => "fail",
            Health::Pending => "pending",
        }
    }
}

impl Project {
    /// Canonical key.
    pub fn key(self) -> &'static str {
        match self {
            Project::National => "national",
            Project::Local => "local",
        }
    }
}

impl Level {
    /// Canonical key.
    pub fn key(self) -> &'static str {
        match self {
            Level::Township => "township",
            Level::County => "county",
        }
    }
}

impl CountyStatus {
    /// Canonical key.
    pub fn key(self) -> &'static str {
        match self {
            CountyStatus::Active => "active",
            CountyStatus::New => "new",
            CountyStatus::Suspended => "suspended",
        }
    }
}

macro_rules! display_key {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.key())
            }
        }
    )*};
}
display_key!(Degree, Health, Project, Level, CountyStatus);
