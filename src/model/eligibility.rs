//! Who may hold which post (interface §2.1). The reasons are kept as values
//! so that `unplaced.csv` and `explain` say exactly which condition failed.

use super::Problem;
use crate::domain::policy::HealthRule;
use crate::domain::types::{CandidateIdx, CountyStatus, Degree, Health, PostIdx, Project};
use crate::lang::{Lang, Word};

/// Why a candidate cannot hold a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ineligible {
    /// Not an 应届 graduate or in-service graduate student.
    NotGraduating,
    /// Will not hold the diploma before arrival.
    NoDiploma,
    /// Health result not accepted by the model.
    Health(Health),
    /// Candidate limited to another project.
    Project {
        /// The candidate's project.
        candidate: Project,
        /// The post's project.
        post: Project,
    },
    /// Degree below the post's minimum.
    Degree {
        /// Candidate's degree.
        have: Degree,
        /// Post's minimum.
        need: Degree,
    },
    /// Major code matches none of the required prefixes.
    Major {
        /// The required prefixes.
        need: Vec<String>,
    },
    /// The post's county is suspended.
    Suspended,
}

/// The canonical English line (what `verify` prints); the office's
/// wording in either language is `describe`.
impl std::fmt::Display for Ineligible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ineligible::NotGraduating => {
                f.write_str("not a graduating student or in-service graduate student (应届)")
            }
            Ineligible::NoDiploma => f.write_str("will not hold the diploma before arrival"),
            Ineligible::Health(h) => write!(f, "medical examination (体检) is {h}"),
            Ineligible::Project { candidate, post } => {
                write!(f, "applied to the {candidate} project, the post is {post}")
            }
            Ineligible::Degree { have, need } => {
                write!(f, "degree {have} is below the post's minimum {need}")
            }
            Ineligible::Major { need } => {
                write!(f, "major code matches none of {}", need.join(";"))
            }
            Ineligible::Suspended => f.write_str("the post's county is suspended"),
        }
    }
}

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

impl Problem {
    /// Conditions on the candidate alone (graduating, diploma, health).
    pub fn candidate_eligibility(&self, c: CandidateIdx) -> Result<(), Ineligible> {
        let rec = &self.candidates[c.ix()];
        let pol = &self.policy;
        if pol.require_graduating && !rec.graduating {
            return Err(Ineligible::NotGraduating);
        }
        if pol.require_diploma_by_arrival && !rec.diploma_by_arrival {
            return Err(Ineligible::NoDiploma);
        }
        let health_ok = match pol.health {
            HealthRule::Pass => rec.health == Health::Pass,
            HealthRule::NotFail => rec.health != Health::Fail,
        };
        if !health_ok {
            return Err(Ineligible::Health(rec.health));
        }
        Ok(())
    }

    /// Every condition of §2.1 except acceptability (see `rank`).
    pub fn eligibility(&self, c: CandidateIdx, p: PostIdx) -> Result<(), Ineligible> {
        self.candidate_eligibility(c)?;
        let rec = &self.candidates[c.ix()];
        let post = &self.posts[p.ix()];
        if let Some(cp) = rec.project {
            if cp != post.project {
                return Err(Ineligible::Project {
                    candidate: cp,
                    post: post.project,
                });
            }
        }
        if let Some(need) = post.degree_min {
            if rec.degree < need {
                return Err(Ineligible::Degree {
                    have: rec.degree,
                    need,
                });
            }
        }
        if !post.majors_required.is_empty() {
            let ok = rec.major_code.as_deref().is_some_and(|m| {
                post.majors_required
                    .iter()
                    .any(|p| m.starts_with(p.as_str()))
            });
            if !ok {
                return Err(Ineligible::Major {
                    need: post.majors_required.clone(),
                });
            }
        }
        if self.counties[post.county.ix()].status == CountyStatus::Suspended {
            return Err(Ineligible::Suspended);
        }
        Ok(())
    }
}
