//! The words a person reads for model values that need a language: why a
//! candidate is ineligible, and what a priority tuple is made of. The model
//! keeps the values; the wording lives here, beside `lang`.

use crate::domain::policy::{Policy, PriorityKey};
use crate::lang::{Lang, Word};
use crate::model::eligibility::Ineligible;
use crate::model::priority::PriorityTuple;

impl Ineligible {
    /// The condition that fails, as one line a person can act on.
    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (Ineligible::NotGraduating, Lang::Zh) => "不是应届毕业生或在读研究生".into(),
            (Ineligible::NoDiploma, Lang::Zh) => "到岗前不能取得毕业证、学位证".into(),
            (Ineligible::Health(h), Lang::Zh) => format!("体检结果为{}", h.zh()),
            (Ineligible::Project { candidate, post }, Lang::Zh) => {
                format!("报名{}，该岗位属{}", candidate.zh(), post.zh())
            }
            (Ineligible::Degree { have, need }, Lang::Zh) => {
                format!("学历{}低于岗位最低学历{}", have.zh(), need.zh())
            }
            (Ineligible::Major { need }, Lang::Zh) => {
                format!("专业代码不符合岗位专业要求（{}）", need.join(";"))
            }
            (Ineligible::Suspended, Lang::Zh) => "岗位所在旗县已暂停实施".into(),
        }
    }

    /// `describe` with the lead word (不符合条件 / ineligible).
    pub fn sentence(&self, lang: Lang) -> String {
        format!(
            "{}{}",
            lang.pick("不符合条件：", "ineligible: "),
            self.describe(lang)
        )
    }
}

impl PriorityTuple {
    /// Human-readable, for explanations: `major tier 2, score 81.5`.
    pub fn describe(&self, policy: &Policy, lang: Lang) -> String {
        let parts: Vec<String> = policy
            .priority
            .iter()
            .zip(self.keys)
            .map(|(k, v)| {
                let name = match k {
                    PriorityKey::Major => lang.pick("专业层级", "major tier"),
                    PriorityKey::Volunteer => lang.pick("志愿服务经历", "volunteer"),
                    PriorityKey::Leader => lang.pick("学生干部", "leader"),
                    PriorityKey::Score => lang.pick("成绩", "score"),
                };
                format!("{name} {v}")
            })
            .collect();
        parts.join(lang.pick("，", ", "))
    }
}
