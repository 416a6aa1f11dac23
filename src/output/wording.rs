//! The words a person reads for model values that need a language: why a
//! candidate is ineligible, and what a priority tuple is made of. The model
//! keeps the values; the wording lives here, beside `lang`.

use crate::domain::policy::{Policy, PriorityKey};
use crate::lang::Lang;
use crate::model::priority::PriorityTuple;

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
