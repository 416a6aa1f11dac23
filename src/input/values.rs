//! Parsing of cell values in English or Chinese (interface §1 "Values").

use crate::domain::types::{CountyStatus, Degree, Health, Level, Project};

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// `1/0, true/false, yes/no, y/n, 是/否` (and 真/假, 有/无, √/×).
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match norm(s).as_str() {
        "1" | "true" | "yes" | "y" | "t" | "是" | "真" | "有" | "√" => Some(true),
        "0" | "false" | "no" | "n" | "f" | "否" | "假" | "无" | "×" => Some(false),
        _ => None,
    }
}

/// `associate/bachelor/master/doctor` or 专科/本科/硕士/博士 (also 大专, 研究生).
pub(crate) fn parse_degree(s: &str) -> Option<Degree> {
    match norm(s).as_str() {
        "associate" | "专科" | "大专" | "高职" => Some(Degree::Associate),
        "bachelor" | "本科" | "学士" => Some(Degree::Bachelor),
        "master" | "硕士" | "研究生" | "硕士研究生" => Some(Degree::Master),
        "doctor" | "博士" | "博士研究生" => Some(Degree::Doctor),
        _ => None,
    }
}

/// `pass/fail/pending` or 合格/不合格/待定.
pub(crate) fn parse_health(s: &str) -> Option<Health> {
    match norm(s).as_str() {
        "pass" | "合格" | "通过" => Some(Health::Pass),
        "fail" | "不合格" | "未通过" => Some(Health::Fail),
        "pending" | "待定" | "未体检" => Some(Health::Pending),
        _ => None,
    }
}

/// A post's project: `national/local` or 全国/地方 (全国项目/地方项目).
pub(crate) fn parse_project(s: &str) -> Option<Project> {
    match norm(s).as_str() {
        "national" | "全国" | "全国项目" => Some(Project::National),
        "local" | "地方" | "地方项目" => Some(Project::Local),
        _ => None,
    }
}

/// A candidate's project: a post project, or `any`/不限 (`None`).
pub(crate) fn parse_candidate_project(s: &str) -> Option<Option<Project>> {
    match norm(s).as_str() {
        "any" | "不限" | "均可" => Some(None),
        _ => parse_project(s).map(Some),
    }
}

/// `township/county` or 乡镇/县级 (乡镇及以下).
pub(crate) fn parse_level(s: &str) -> Option<Level> {
    match norm(s).as_str() {
        "township" | "乡镇" | "乡镇及以下" | "乡镇级" => Some(Level::Township),
        "county" | "县级" | "旗县级" | "县" => Some(Level::County),
        _ => None,
    }
}

/// `active/new/suspended` or 正常/新增/暂停.
pub(crate) fn parse_status(s: &str) -> Option<CountyStatus> {
    match norm(s).as_str() {
        "active" | "正常" => Some(CountyStatus::Active),
        "new" | "新增" => Some(CountyStatus::New),
        "suspended" | "暂停" => Some(CountyStatus::Suspended),
        _ => None,
    }
}

/// A discipline-catalogue code such as `040101`, `100201K` or `0402`:
/// digits with an optional trailing T, K or TK. Excel drops a leading zero
/// from codes it took for numbers (`040104` → `40104`); real codes have an
/// even number of digits (2 门类, 4 类, 6 专业), so an odd count gets its zero
/// back. Returns the normalized code.
pub(crate) fn parse_major_code(s: &str) -> Option<String> {
    let s = s.trim().to_ascii_uppercase();
    let digits = s.trim_end_matches(['T', 'K']);
    let suffix = &s[digits.len()..];
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || !matches!(suffix, "" | "T" | "K" | "TK")
    {
        return None;
    }
    if digits.len() % 2 == 1 {
        Some(format!("0{digits}{suffix}"))
    } else {
        Some(s)
    }
}

/// Split a list on `;` or the full-width `；` (also `,`/`，`/`、` are NOT
/// separators: they may appear in names). Empty pieces are dropped.
pub(crate) fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split([';', '；'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_in_every_spelling() {
        for t in ["1", "true", "TRUE", "yes", "Y", "是"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["0", "false", "No", "n", "否"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn chinese_values() {
        assert_eq!(parse_degree("硕士"), Some(Degree::Master));
        assert_eq!(parse_health("不合格"), Some(Health::Fail));
        assert_eq!(parse_level("乡镇"), Some(Level::Township));
        assert_eq!(parse_status("暂停"), Some(CountyStatus::Suspended));
        assert_eq!(parse_candidate_project("不限"), Some(None));
        assert_eq!(parse_candidate_project("地方"), Some(Some(Project::Local)));
    }

    #[test]
    fn major_codes_regain_leading_zero() {
        assert_eq!(parse_major_code("40104").as_deref(), Some("040104"));
        assert_eq!(parse_major_code("100201k").as_deref(), Some("100201K"));
        assert_eq!(parse_major_code("4").as_deref(), Some("04"));
        assert_eq!(parse_major_code("0402").as_deref(), Some("0402"));
        assert_eq!(parse_major_code("12a4"), None);
        assert_eq!(parse_major_code("K"), None);
    }

    #[test]
    fn lists_split_on_both_semicolons() {
        let v: Vec<_> = split_list("P1；county:150121; ;league:1501;").collect();
        assert_eq!(v, ["P1", "county:150121", "league:1501"]);
    }
}
