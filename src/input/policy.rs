//! Loading and validating a policy model file (`models/*.toml`, interface §2).
//! Unknown keys are rejected; every semantic problem is reported with the
//! file's line and column.
//!
//! The `Raw*` structs are the file's schema, defined once: read with
//! `Deserialize`, written back (run.json's resolved model) with
//! `Serialize`. Scenario overrides edit the file's TOML (`ModelSource`)
//! and go through the same parser.

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::domain::policy::{
    AdjustScope, Criterion, Flag, HealthRule, Op, Policy, PriorityKey, Rule, RuleCount, RuleScope,
    Specialty, Tier,
};
use crate::domain::types::{Project, SpecialtyIdx};
use crate::error::{Diagnostic, Diagnostics, Error, Msg, Result};
use crate::msg;

use super::values::{parse_level, parse_major_code, parse_status};

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    name: Option<String>,
    objective: Option<Vec<Spanned<String>>>,
    eligibility: Option<RawEligibility>,
    adjustment: Option<RawAdjustment>,
    priority: Option<RawPriority>,
    reserves: Option<RawReserves>,
    quotas: Option<RawQuotas>,
    #[serde(default)]
    specialty: Vec<RawSpecialty>,
    #[serde(default)]
    rule: Vec<RawRule>,
    /// League (盟市) names by code, for what people read.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    leagues: std::collections::BTreeMap<String, String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawEligibility {
    require_graduating: Option<bool>,
    require_diploma_by_arrival: Option<bool>,
    health: Option<Spanned<String>>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawAdjustment {
    scope: Spanned<String>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawPriority {
    order: Vec<Spanned<String>>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawReserves {
    ratio: Spanned<f64>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawQuotas {
    national: Option<Spanned<i64>>,
    local: Option<Spanned<i64>>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawSpecialty {
    key: Spanned<String>,
    name: Option<String>,
    #[serde(default)]
    leader: bool,
    #[serde(default)]
    tiers: Vec<RawTier>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    #[serde(default)]
    codes: Vec<Spanned<String>>,
    #[serde(default)]
    flags: Vec<Spanned<String>>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: Spanned<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    scope: Spanned<String>,
    county_status: Option<Vec<Spanned<String>>>,
    count: Spanned<RawCount>,
    op: Spanned<String>,
    share: Spanned<f64>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawCount {
    #[serde(skip_serializing_if = "Option::is_none")]
    level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    specialty: Option<String>,
}

/// Byte offset → 1-based (line, column in characters).
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    diags: Diagnostics,
}

impl Ctx<'_> {
    fn err<T>(&mut self, at: &Spanned<T>, msg: Msg) {
        let (l, c) = line_col(self.text, at.span().start);
        self.diags.push(self.file, l, c, msg);
    }
}

/// Read and validate a model file.
pub fn load_policy(path: &Path) -> Result<Policy> {
    ModelSource::load(path)?.policy()
}

/// A model file's text and its TOML, which scenario overrides edit before
/// the one parser (`parse_policy`) reads it again.
#[derive(Debug, Clone)]
pub struct ModelSource {
    file: String,
    text: String,
    table: toml::Table,
    edited: bool,
}

impl ModelSource {
    /// Read a model file (UTF-8 or GBK).
    pub fn load(path: &Path) -> Result<Self> {
        let file = path.display().to_string();
        let at = |line: usize, m: Msg| Error::Input(vec![Diagnostic::new(&file, line, 1, m)]);
        let bytes = std::fs::read(path).map_err(|e| {
            at(
                1,
                msg!("无法读取模型文件：{e}", "cannot read the model file: {e}"),
            )
        })?;
        let text = super::table::decode(&bytes, super::table::Encoding::Auto)
            .map_err(|(line, m)| at(line, m))?;
        // A file that is not TOML is reported by `policy()`, at its position.
        let table = text.parse::<toml::Table>().unwrap_or_default();
        Ok(ModelSource {
            file,
            text,
            table,
            edited: false,
        })
    }

    /// The validated policy. Unedited, problems point into the file;
    /// edited, they are the parser's messages about the edited TOML.
    pub fn policy(&self) -> Result<Policy> {
        if self.edited {
            let text = toml::to_string(&self.table).map_err(|e| {
                Error::Output(msg!(
                    "无法写出修改后的模型：{e}",
                    "cannot write the edited model: {e}"
                ))
            })?;
            parse_policy(&text, &self.file)
        } else {
            parse_policy(&self.text, &self.file)
        }
    }

    /// Does the model file have a section of this name (`rule`, `quotas` …)?
    pub fn is_section(key: &str) -> bool {
        matches!(
            key,
            "name"
                | "objective"
                | "eligibility"
                | "adjustment"
                | "priority"
                | "reserves"
                | "quotas"
                | "specialty"
                | "rule"
        )
    }

    /// Set a dotted key to a value: `reserves.ratio`, `objective`, or
    /// `rule.<name>.<field>` (the rule table whose `name` is `<name>`).
    /// Whether the value is valid is for `policy()` to say.
    pub fn set(&mut self, key: &str, value: toml::Value) -> std::result::Result<(), Msg> {
        let parts: Vec<&str> = key.split('.').collect();
        let mut table = &mut self.table;
        let mut rest = parts.as_slice();
        if let ["rule", name, tail @ ..] = parts.as_slice() {
            let rules = table
                .get_mut("rule")
                .and_then(toml::Value::as_array_mut)
                .ok_or_else(|| msg!("没有名为 '{name}' 的规则", "unknown rule '{name}'"))?;
            table = rules
                .iter_mut()
                .filter_map(toml::Value::as_table_mut)
                .find(|t| t.get("name").and_then(toml::Value::as_str) == Some(*name))
                .ok_or_else(|| msg!("没有名为 '{name}' 的规则", "unknown rule '{name}'"))?;
            rest = tail;
        }
        let Some((last, path)) = rest.split_last() else {
            return Err(msg!(
                "请写出规则的字段，如 rule.<名称>.share",
                "name a field of the rule, e.g. rule.<name>.share"
            ));
        };
        for part in path {
            let entry = table
                .entry(part.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            table = entry.as_table_mut().ok_or_else(|| {
                msg!(
                    "'{part}' 在模型中不是一个表",
                    "'{part}' is not a table in the model"
                )
            })?;
        }
        table.insert(last.to_string(), value);
        self.edited = true;
        Ok(())
    }
}

/// The resolved policy in the model file's own terms (run.json): every
/// default filled in, written through the same schema the parser reads.
pub fn model_json(p: &Policy) -> serde_json::Value {
    let at = |v| Spanned::new(0..0, v);
    let raw = RawModel {
        leagues: p.league_names.iter().cloned().collect(),
        name: Some(p.name.clone()),
        objective: Some(
            p.objective
                .iter()
                .map(|c| at(c.key().to_string()))
                .collect(),
        ),
        eligibility: Some(RawEligibility {
            require_graduating: Some(p.require_graduating),
            require_diploma_by_arrival: Some(p.require_diploma_by_arrival),
            health: Some(at(p.health.key().to_string())),
        }),
        adjustment: Some(RawAdjustment {
            scope: at(p.adjustment.key().to_string()),
        }),
        priority: Some(RawPriority {
            order: p.priority.iter().map(|k| at(k.key().to_string())).collect(),
        }),
        reserves: Some(RawReserves {
            ratio: Spanned::new(0..0, p.reserve_ratio),
        }),
        quotas: Some(RawQuotas {
            national: p.quotas[0].map(|q| Spanned::new(0..0, i64::from(q))),
            local: p.quotas[1].map(|q| Spanned::new(0..0, i64::from(q))),
        }),
        specialty: p
            .specialties
            .iter()
            .map(|s| RawSpecialty {
                key: at(s.key.clone()),
                name: Some(s.name.clone()),
                leader: s.leader,
                tiers: s
                    .tiers
                    .iter()
                    .map(|t| RawTier {
                        codes: t.codes.iter().map(|c| at(c.clone())).collect(),
                        flags: t.flags.iter().map(|f| at(f.key().to_string())).collect(),
                    })
                    .collect(),
            })
            .collect(),
        rule: p
            .rules
            .iter()
            .map(|r| RawRule {
                name: at(r.name.clone()),
                label: r.label.clone(),
                scope: at(r.scope.key().to_string()),
                county_status: r
                    .county_status
                    .as_ref()
                    .map(|v| v.iter().map(|s| at(s.key().to_string())).collect()),
                count: Spanned::new(
                    0..0,
                    match r.count {
                        RuleCount::Level(l) => RawCount {
                            level: Some(l.key().to_string()),
                            specialty: None,
                        },
                        RuleCount::Specialty(s) => RawCount {
                            level: None,
                            specialty: Some(p.specialties[s.ix()].key.clone()),
                        },
                    },
                ),
                op: at(r.op.symbol().to_string()),
                share: Spanned::new(0..0, r.share),
            })
            .collect(),
    };
    serde_json::to_value(raw).expect("the model serializes")
}

/// Parse and validate model text; `file` names it in messages.
pub fn parse_policy(text: &str, file: &str) -> Result<Policy> {
    let raw: RawModel = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let (l, c) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            let m = e.message().trim();
            return Err(Error::Input(vec![Diagnostic::new(
                file,
                l,
                c,
                msg!("TOML 格式错误：{m}", "{m}"),
            )]));
        }
    };
    let mut cx = Ctx {
        file,
        text,
        diags: Diagnostics::default(),
    };

    let mut objective = Vec::new();
    match &raw.objective {
        None => objective = vec![Criterion::Envy, Criterion::Fill, Criterion::Preference],
        Some(list) if list.is_empty() => cx.diags.push(
            file,
            1,
            1,
            msg!(
                "objective = [] 没有列出任何目标；请至少列出 envy、fill、preference 之一（或删去 objective，三者全用）",
                "objective = [] names no criterion; list at least one of envy, fill, preference (or leave objective out for all three)"
            ),
        ),
        Some(list) => {
            for s in list {
                match Criterion::parse(s.get_ref()) {
                    Some(c) if objective.contains(&c) => {
                        let v = s.get_ref();
                        cx.err(
                            s,
                            msg!("objective 两次列出 '{v}'", "objective lists '{v}' twice"),
                        )
                    }
                    Some(c) => objective.push(c),
                    None => {
                        let v = s.get_ref();
                        cx.err(
                            s,
                            msg!(
                                "目标 '{v}' 无法识别；请用 envy、fill 或 preference",
                                "unknown objective criterion '{v}'; use envy, fill or preference"
                            ),
                        )
                    }
                }
            }
        }
    }

    let (mut require_graduating, mut require_diploma, mut health) =
        (true, true, HealthRule::NotFail);
    if let Some(e) = &raw.eligibility {
        require_graduating = e.require_graduating.unwrap_or(true);
        require_diploma = e.require_diploma_by_arrival.unwrap_or(true);
        if let Some(h) = &e.health {
            match HealthRule::parse(h.get_ref()) {
                Some(rule) => health = rule,
                None => {
                    let v = h.get_ref();
                    cx.err(
                        h,
                        msg!(
                            "体检规则 '{v}' 无法识别；请用 \"pass\" 或 \"not-fail\"",
                            "unknown health rule '{v}'; use \"pass\" or \"not-fail\""
                        ),
                    )
                }
            }
        }
    }

    let mut adjustment = AdjustScope::League;
    if let Some(a) = &raw.adjustment {
        match AdjustScope::parse(a.scope.get_ref()) {
            Some(scope) => adjustment = scope,
            None => {
                let v = a.scope.get_ref();
                cx.err(
                    &a.scope,
                    msg!(
                        "调剂范围 '{v}' 无法识别；请用 none、league、province 或 region",
                        "unknown adjustment scope '{v}'; use none, league, province or region"
                    ),
                )
            }
        }
    }

    let mut priority = Vec::new();
    match &raw.priority {
        None => {
            priority = vec![
                PriorityKey::Major,
                PriorityKey::Volunteer,
                PriorityKey::Leader,
                PriorityKey::Score,
            ]
        }
        Some(p) if p.order.is_empty() => cx.diags.push(
            file,
            1,
            1,
            msg!(
                "priority.order = [] 没有列出任何排序依据；请至少列出 major、volunteer、leader、score 之一（抽签只用于打破并列）",
                "priority.order = [] names no key; list at least one of major, volunteer, leader, score (the lottery only breaks ties)"
            ),
        ),
        Some(p) => {
            for s in &p.order {
                match PriorityKey::parse(s.get_ref()) {
                    Some(k) if priority.contains(&k) => {
                        let v = s.get_ref();
                        cx.err(
                            s,
                            msg!(
                                "priority.order 两次列出 '{v}'",
                                "priority order lists '{v}' twice"
                            ),
                        )
                    }
                    Some(k) => priority.push(k),
                    None => {
                        let v = s.get_ref();
                        cx.err(
                            s,
                            msg!(
                                "排序依据 '{v}' 无法识别；请用 major、volunteer、leader 或 score",
                                "unknown priority key '{v}'; use major, volunteer, leader or score"
                            ),
                        )
                    }
                }
            }
        }
    }

    let mut reserve_ratio = 1.0;
    if let Some(r) = &raw.reserves {
        let v = *r.ratio.get_ref();
        if !v.is_finite() || v < 0.0 {
            cx.err(
                &r.ratio,
                msg!(
                    "候补比例 {v} 应为不小于 0 的数",
                    "reserve ratio {v} must be a number ≥ 0"
                ),
            );
        } else {
            reserve_ratio = v;
        }
    }

    let mut quotas = [None, None];
    if let Some(q) = &raw.quotas {
        for (proj, val) in [(Project::National, &q.national), (Project::Local, &q.local)] {
            if let Some(v) = val {
                match u32::try_from(*v.get_ref()) {
                    Ok(n) => quotas[proj as usize] = Some(n),
                    Err(_) => {
                        let n = v.get_ref();
                        cx.err(
                            v,
                            msg!(
                                "项目名额 {n} 应为不小于 0 的整数",
                                "quota {n} must be an integer ≥ 0"
                            ),
                        )
                    }
                }
            }
        }
    }

    let mut specialties: Vec<Specialty> = Vec::new();
    for s in &raw.specialty {
        let key = s.key.get_ref().trim().to_string();
        let name = s.name.clone().unwrap_or_else(|| key.clone());
        if key.is_empty() {
            cx.err(
                &s.key,
                msg!("专项的 key 不能为空", "specialty key must not be empty"),
            );
        }
        if specialties
            .iter()
            .any(|o| o.key == key || o.name == key || o.key == name || o.name == name)
        {
            cx.err(
                &s.key,
                msg!(
                    "专项 '{key}'（{name}）定义了两次",
                    "specialty '{key}' ({name}) is defined twice"
                ),
            );
        }
        let mut tiers = Vec::new();
        for t in &s.tiers {
            let mut codes = Vec::new();
            for c in &t.codes {
                match parse_major_code(c.get_ref()) {
                    Some(code) => codes.push(code),
                    None => {
                        let v = c.get_ref();
                        cx.err(
                            c,
                            msg!(
                                "'{v}' 不是专业代码前缀（数字，如 \"0402\"）",
                                "'{v}' is not a major-code prefix (digits, e.g. \"0402\")"
                            ),
                        )
                    }
                }
            }
            let mut flags = Vec::new();
            for f in &t.flags {
                match Flag::parse(f.get_ref()) {
                    Some(fl) => flags.push(fl),
                    None => {
                        let v = f.get_ref();
                        cx.err(
                            f,
                            msg!(
                                "条件 '{v}' 无法识别；请用 teacher_training、volunteer_experience 或 student_leader",
                                "unknown flag '{v}'; use teacher_training, volunteer_experience or student_leader"
                            ),
                        )
                    }
                }
            }
            tiers.push(Tier { codes, flags });
        }
        specialties.push(Specialty {
            key,
            name,
            leader: s.leader,
            tiers,
        });
    }

    let mut rules: Vec<Rule> = Vec::new();
    let mut names = HashSet::new();
    for r in &raw.rule {
        let name = r.name.get_ref().trim().to_string();
        if name.is_empty() {
            cx.err(
                &r.name,
                msg!(
                    "规则需要一个名称（每份报告都用它指称这条规则）",
                    "a rule needs a name (it names the rule in every report)"
                ),
            );
        }
        if !names.insert(name.clone()) {
            cx.err(
                &r.name,
                msg!(
                    "规则名称 '{name}' 用了两次；规则名称必须唯一",
                    "rule name '{name}' is used twice; rule names must be unique"
                ),
            );
        }
        let scope = RuleScope::parse(r.scope.get_ref());
        if scope.is_none() {
            let v = r.scope.get_ref();
            cx.err(
                &r.scope,
                msg!(
                    "规则 '{name}'：范围 '{v}' 无法识别；请用 county、league 或 region",
                    "rule '{name}': unknown scope '{v}'; use county, league or region"
                ),
            );
        }
        let county_status = r.county_status.as_ref().map(|list| {
            list.iter()
                .filter_map(|s| {
                    let st = parse_status(s.get_ref());
                    if st.is_none() {
                        let v = s.get_ref();
                        cx.err(
                            s,
                            msg!(
                                "规则 '{name}'：旗县状态 '{v}' 无法识别；请用 active、new 或 suspended",
                                "rule '{name}': unknown county status '{v}'; use active, new or suspended"
                            ),
                        );
                    }
                    st
                })
                .collect::<Vec<_>>()
        });
        let c = r.count.get_ref();
        let count = match (&c.level, &c.specialty) {
            (Some(l), None) => match parse_level(l) {
                Some(l) => Some(RuleCount::Level(l)),
                None => {
                    cx.err(
                        &r.count,
                        msg!(
                            "规则 '{name}'：层级 '{l}' 无法识别；请用 township 或 county",
                            "rule '{name}': unknown level '{l}'; use township or county"
                        ),
                    );
                    None
                }
            },
            (None, Some(s)) => match specialties
                .iter()
                .position(|sp| &sp.key == s || &sp.name == s)
            {
                Some(i) => Some(RuleCount::Specialty(SpecialtyIdx::from_ix(i))),
                None => {
                    cx.err(
                        &r.count,
                        msg!(
                            "规则 '{name}'：专项 '{s}' 未定义；请在 [[specialty]] 表中定义它",
                            "rule '{name}': unknown specialty '{s}'; define it in a [[specialty]] table"
                        ),
                    );
                    None
                }
            },
            _ => {
                cx.err(
                    &r.count,
                    msg!(
                        "规则 '{name}'：count 必须恰好写 level 或 specialty 之一",
                        "rule '{name}': count needs exactly one of level or specialty"
                    ),
                );
                None
            }
        };
        let op = Op::parse(r.op.get_ref());
        if op.is_none() {
            let v = r.op.get_ref();
            cx.err(
                &r.op,
                msg!(
                    "规则 '{name}'：比较符 '{v}' 无法识别；请用 \">=\" 或 \"<=\"",
                    "rule '{name}': unknown op '{v}'; use \">=\" or \"<=\""
                ),
            );
        }
        let share = *r.share.get_ref();
        if !(0.0..=1.0).contains(&share) {
            cx.err(
                &r.share,
                msg!(
                    "规则 '{name}'：比例 {share} 不在 [0, 1] 之内",
                    "rule '{name}': share {share} is outside [0, 1]"
                ),
            );
        }
        if let (Some(scope), Some(count), Some(op)) = (scope, count, op) {
            rules.push(Rule {
                name,
                label: r.label.clone().filter(|l| !l.trim().is_empty()),
                scope,
                county_status,
                count,
                op,
                share,
            });
        }
    }

    cx.diags.finish(Policy {
        name: raw.name.unwrap_or_default(),
        objective,
        require_graduating,
        require_diploma_by_arrival: require_diploma,
        health,
        adjustment,
        priority,
        reserve_ratio,
        quotas,
        specialties,
        rules,
        league_names: raw.leagues.into_iter().collect(),
    })
}
