//! The language of the words a person reads: reasons in `unplaced.csv`,
//! `explain`, the report and the Excel lists. The office reads Chinese, so
//! Chinese is the default; `--lang en` gives English.

use crate::domain::policy::RuleScope;
use crate::domain::types::{CountyStatus, Degree, Health, Level, Project};

/// Chinese (default) or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 中文
    #[default]
    Zh,
    /// English
    En,
}

impl Lang {
    /// The text in this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// `zh` or `en`.
    pub fn key(self) -> &'static str {
        self.pick("zh", "en")
    }

    /// The language asked for by `--lang`, else English when the locale
    /// (LC_ALL, then LANG) is English, else Chinese (the office's).
    pub fn or_from_env(flag: Option<Lang>) -> Lang {
        flag.unwrap_or_else(|| {
            let locale = ["LC_ALL", "LANG"]
                .iter()
                .filter_map(|k| std::env::var(k).ok())
                .find(|v| !v.is_empty())
                .unwrap_or_default();
            if locale.to_lowercase().starts_with("en") {
                Lang::En
            } else {
                Lang::Zh
            }
        })
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" | "中文" => Ok(Lang::Zh),
            "en" | "english" => Ok(Lang::En),
            _ => Err(format!("unknown language {s:?}; use zh or en")),
        }
    }
}

/// A value's name in a language (the key in English, as in the files).
pub trait Word {
    /// Chinese name.
    fn zh(self) -> &'static str;
    /// English name (the file key).
    fn en(self) -> &'static str;
}

macro_rules! words {
    ($($t:ty { $($v:ident => $zh:literal),* $(,)? })*) => {$(
        impl Word for $t {
            fn zh(self) -> &'static str {
                match self { $(<$t>::$v => $zh),* }
            }
            fn en(self) -> &'static str {
                self.key()
            }
        }
    )*};
}

words! {
    Degree { Associate => "专科", Bachelor => "本科", Master => "硕士", Doctor => "博士" }
    Health { Pass => "合格", Fail => "不合格", Pending => "待定" }
    Project { National => "全国项目", Local => "地方项目" }
    Level { Township => "乡镇", County => "县级" }
    CountyStatus { Active => "正常", New => "新增", Suspended => "暂停" }
    RuleScope { County => "旗县", League => "盟市", Region => "全区" }
}
