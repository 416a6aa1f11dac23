//! Scenario files (interface §4 `scenarios`): `[[scenario]]` tables with a
//! `name` and a `set` of dotted overrides, checked against the model and the
//! instance before anything is solved. Every problem names the scenario and
//! the key.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::policy::ModelSource;
use super::values::{parse_level, parse_project, parse_status};
use crate::domain::policy::Policy;
use crate::domain::records::Instance;
use crate::error::{Diagnostic, Diagnostics, Error, Msg, Result};
use crate::lang::Lang;
use crate::msg;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    scenario: Vec<RawScenario>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Spanned<String>,
    #[serde(default)]
    set: BTreeMap<String, Spanned<toml::Value>>,
}

/// One override: a dotted key and its value, with where it was written.
#[derive(Debug, Clone)]
pub struct Override {
    /// `rule.township_share.share`, `post.P017.seats` …
    pub key: String,
    /// The value as written.
    pub value: toml::Value,
    /// 1-based line of the value.
    pub line: usize,
    /// 1-based column of the value.
    pub column: usize,
}

/// One scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Name; also its output folder.
    pub name: String,
    /// Overrides in key order.
    pub overrides: Vec<Override>,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Flatten `{ rule = { x = { share = 0.3 } } }` (unquoted dotted keys) into
/// `rule.x.share`, so both spellings work.
fn flatten(prefix: &str, v: &toml::Value, at: (usize, usize), out: &mut Vec<Override>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                flatten(&format!("{prefix}.{k}"), v, at, out);
            }
        }
        _ => out.push(Override {
            key: prefix.to_string(),
            value: v.clone(),
            line: at.0,
            column: at.1,
        }),
    }
}

/// Read a scenario file.
pub fn load_scenarios(path: &Path) -> Result<Vec<Scenario>> {
    let file = path.display().to_string();
    let whole = |m: Msg| Error::Input(vec![Diagnostic::new(&file, 1, 1, m)]);
    let text = std::fs::read_to_string(path).map_err(|e| {
        whole(msg!(
            "无法读取方案文件：{e}",
            "cannot read the scenario file: {e}"
        ))
    })?;
    let raw: RawFile = toml::from_str(&text).map_err(|e| {
        let (l, c) = e.span().map_or((1, 1), |s| line_col(&text, s.start));
        let m = e.message().trim();
        Error::Input(vec![Diagnostic::new(
            &file,
            l,
            c,
            msg!("TOML 格式错误：{m}", "{m}"),
        )])
    })?;
    let mut d = Diagnostics::default();
    let mut out: Vec<Scenario> = Vec::new();
    for s in raw.scenario {
        let name = s.name.get_ref().trim().to_string();
        let (l, c) = line_col(&text, s.name.span().start);
        let ok_name = !name.is_empty()
            && !name.starts_with('.')
            && name.chars().all(|ch| {
                !matches!(ch, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                    && !ch.is_control()
            });
        if !ok_name {
            d.push(
                &file,
                l,
                c,
                msg!(
                    "方案名称 {name:?} 不能用作文件夹名；请用字母、数字、- 或 _",
                    "scenario name {name:?} cannot be a folder name; use letters, digits, - or _"
                ),
            );
        } else if out.iter().any(|o| o.name == name) {
            d.push(
                &file,
                l,
                c,
                msg!(
                    "方案名称 '{name}' 用了两次",
                    "scenario name '{name}' is used twice"
                ),
            );
        }
        let mut overrides = Vec::new();
        for (k, v) in &s.set {
            let at = line_col(&text, v.span().start);
            flatten(k, v.get_ref(), at, &mut overrides);
        }
        out.push(Scenario { name, overrides });
    }
    if out.is_empty() {
        d.push(
            &file,
            1,
            1,
            msg!(
                "没有 [[scenario]] 表；请至少加一个，写上 name 和要改的 set",
                "no [[scenario]] tables; add at least one with a name and a set of overrides"
            ),
        );
    }
    d.finish(out)
}

fn as_count(v: &toml::Value) -> Option<u32> {
    match v {
        toml::Value::Integer(i) => u32::try_from(*i).ok(),
        _ => None,
    }
}

/// Apply a scenario's overrides: keys of the model file edit a copy of its
/// TOML, which the one policy parser reads again (each edit at once, so a
/// problem names its key); `post.*` and `county.*` edit a copy of the
/// instance. Returns the scenario's policy. Problems are reported as
/// `file:line:column: scenario 'x': key 'k': …`.
pub fn apply(
    sc: &Scenario,
    file: &str,
    model: &ModelSource,
    inst: &mut Instance,
) -> std::result::Result<Policy, Vec<Diagnostic>> {
    let mut errs = Vec::new();
    let mut err = |o: &Override, m: Msg| {
        let (name, key) = (&sc.name, &o.key);
        errs.push(Diagnostic::new(
            file,
            o.line,
            o.column,
            m.map(|lang, m| match lang {
                Lang::Zh => format!("方案 '{name}'：键 '{key}'：{m}"),
                Lang::En => format!("scenario '{name}': key '{key}': {m}"),
            }),
        ))
    };
    let section = |o: &Override| o.key.split('.').next().unwrap_or_default().to_string();
    let mut src = model.clone();
    for o in sc
        .overrides
        .iter()
        .filter(|o| ModelSource::is_section(&section(o)))
    {
        let before = src.clone();
        let checked = src
            .set(&o.key, o.value.clone())
            .and_then(|()| src.policy().map(drop).map_err(|e| parser_words(&e)));
        if let Err(msg) = checked {
            err(o, msg);
            src = before;
        }
    }
    let policy = match src.policy() {
        Ok(p) => p,
        Err(e) => {
            err(&sc.overrides[0], parser_words(&e));
            return Err(errs);
        }
    };
    for o in sc
        .overrides
        .iter()
        .filter(|o| !ModelSource::is_section(&section(o)))
    {
        if let Err(msg) = apply_to_instance(o, &policy, inst) {
            err(o, msg);
        }
    }
    if errs.is_empty() {
        Ok(policy)
    } else {
        Err(errs)
    }
}

/// What the policy parser said, without positions in the edited text.
fn parser_words(e: &Error) -> Msg {
    match e {
        Error::Input(d) => Msg::join(&d.iter().map(|x| x.message.clone()).collect::<Vec<_>>()),
        other => Msg::same(other.to_string()),
    }
}

fn apply_to_instance(
    o: &Override,
    policy: &Policy,
    inst: &mut Instance,
) -> std::result::Result<(), Msg> {
    let v = &o.value;
    let parts: Vec<&str> = o.key.split('.').collect();
    let want = |[zh, en]: [&str; 2]| msg!("应为{zh}，而不是 {v}", "expected {en}, got {v}");
    let count = ["不小于 0 的整数", "a whole number ≥ 0"];
    match parts.as_slice() {
        ["post", id, field] => {
            let post = inst
                .posts
                .rows
                .iter_mut()
                .find(|p| p.id == *id)
                .ok_or_else(|| msg!("没有岗位 '{id}'", "unknown post '{id}'"))?;
            match *field {
                "seats" => post.seats = as_count(v).ok_or_else(|| want(count))?,
                "level" => post.level = v.as_str().and_then(parse_level).ok_or_else(|| want(["乡镇或县级（township/county）", "township or county"]))?,
                "project" => post.project = v.as_str().and_then(parse_project).ok_or_else(|| want(["全国或地方（national/local）", "national or local"]))?,
                "specialty" => {
                    let s = v.as_str().ok_or_else(|| want(["专项的 key 或名称", "a specialty key or name"]))?;
                    policy.specialty(s).ok_or_else(|| msg!("没有专项 '{s}'", "unknown specialty '{s}'"))?;
                    post.specialty = s.to_string();
                }
                other => return Err(msg!(
                    "岗位没有字段 '{other}'；请用 seats、level、project 或 specialty",
                    "unknown post field '{other}'; use seats, level, project or specialty"
                )),
            }
        }
        ["county", code, field] => {
            let county = inst
                .counties
                .as_mut()
                .and_then(|c| c.rows.iter_mut().find(|c| c.code == *code))
                .ok_or_else(|| msg!(
                    "没有旗县 '{code}'（旗县从 --counties 读取）",
                    "unknown county '{code}' (counties are read from --counties)"
                ))?;
            match *field {
                "status" => county.status = v.as_str().and_then(parse_status).ok_or_else(|| want(["正常、新增或暂停（active/new/suspended）", "active, new or suspended"]))?,
                "scale" => county.scale = Some(as_count(v).ok_or_else(|| want(count))?),
                other => return Err(msg!(
                    "旗县没有字段 '{other}'；请用 status 或 scale",
                    "unknown county field '{other}'; use status or scale"
                )),
            }
        }
        _ => {
            return Err(msg!(
                "无法识别的键；请用 objective、reserves.ratio、adjustment.scope、priority.order、eligibility.<字段>、quotas.<项目>、rule.<名称>.<字段>、post.<编号>.<字段> 或 county.<代码>.<字段>",
                "unknown key; use objective, reserves.ratio, adjustment.scope, priority.order, eligibility.<field>, quotas.<project>, rule.<name>.<field>, post.<id>.<field> or county.<code>.<field>"
            ))
        }
    }
    Ok(())
}
