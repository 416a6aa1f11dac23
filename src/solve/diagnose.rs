//! Why no assignment satisfies every hard constraint: solve again with a
//! slack on every rule, scale and quota row and name the rows that needed
//! one, with their figures.

use super::formulation::{Formulation, RowKind};
use super::highs::{set_objective, to_highs};
use super::settings::MipSettings;
use crate::domain::types::PostIdx;
use crate::error::{Msg, Result};
use crate::lang::Word;
use crate::model::evaluate::post_occupancy;
use crate::model::rules::{rule_figures, ScopeCounter};
use crate::model::Problem;
use crate::msg;

/// Solve with a slack on every rule, scale and quota row (cost 1 each) and
/// name the rows that needed one: the constraints that cannot all hold.
pub(crate) fn diagnose_infeasible(
    pb: &Problem,
    s: &MipSettings,
    kept: &[Option<PostIdx>],
) -> Result<Vec<Msg>> {
    let mut f = Formulation::build(pb, false, kept);
    let slack_rows =
        f.add_slacks(|k| matches!(k, RowKind::Rule(..) | RowKind::Scale(_) | RowKind::Quota(_)));
    let mut model = to_highs(&f);
    let costs: Vec<(usize, f64)> = slack_rows.iter().map(|&(j, _)| (j, 1.0)).collect();
    set_objective(&mut model, f.mip.cols.len(), &costs);
    // Within what is left of the time limit, but never so little that the
    // reasons are lost (this model has no envy and solves fast).
    s.apply(&mut model, s.time_left().map(|l| l.max(1.0)));
    let solved = model.solve();
    let cols = solved.get_solution().columns().to_vec();
    let assignment = f.assignment(pb, &cols);
    let occ = post_occupancy(pb, &assignment);
    let figures = rule_figures(pb, &occ);
    let mut reasons = Vec::new();
    for (j, kind) in slack_rows {
        if cols.get(j).copied().unwrap_or(0.0) <= 1e-6 {
            continue;
        }
        match kind {
            RowKind::Rule(ri, label) => {
                let rule = &pb.policy.rules[ri];
                let fig = figures
                    .iter()
                    .find(|g| g.rule == rule.name && g.place == label);
                let inc = incumbent_figure(pb, ri, &label);
                let name = &rule.name;
                reasons.push(match fig {
                    Some(g) => {
                        let (scope, zh, n, total, op) =
                            (g.scope, g.scope.zh(), g.count, g.total, &g.op);
                        let (i, it) = inc;
                        let bound = format!("{:.2}", g.bound);
                        msg!(
                            "规则 {name} 在{zh} {label} 无法满足：最多 {total} 名志愿者中 {n} 名（延期志愿者 {it} 名中 {i} 名），要求 {op} {bound}",
                            "rule {name} cannot hold in {scope} {label}: at best {n} of {total} volunteers (incumbents {i} of {it}), needs {op} {bound}"
                        )
                    }
                    None => msg!(
                        "规则 {name} 在 {label} 无法满足",
                        "rule {name} cannot hold in {label}"
                    ),
                });
            }
            RowKind::Scale(k) => {
                let c = &pb.counties[k.ix()];
                let (code, n, scale) = (
                    &c.code,
                    pb.county_incumbents()[k.ix()],
                    c.scale.unwrap_or(0),
                );
                reasons.push(msg!(
                    "旗县 {code}：延期志愿者 {n} 名，超过其规模 {scale}",
                    "county {code}: {n} incumbents exceed its scale {scale}"
                ));
            }
            RowKind::Quota(p) => {
                let (zh, n, q) = (
                    p.zh(),
                    pb.project_incumbents(p),
                    pb.policy.quota(p).unwrap_or(0),
                );
                reasons.push(msg!(
                    "{zh}：延期志愿者 {n} 名，超过其名额 {q}",
                    "project {p}: {n} incumbents exceed its quota {q}"
                ));
            }
            _ => {}
        }
    }
    if reasons.is_empty() {
        reasons.push(msg!(
            "求解器证明了无解，但弹性模型没有找到单一原因",
            "the solver proved infeasibility but the elastic model found no single cause"
        ));
    }
    Ok(reasons)
}

/// (counted, total) incumbents of a rule's scope, by its label.
fn incumbent_figure(pb: &Problem, rule: usize, label: &str) -> (u64, u64) {
    let inc = ScopeCounter::incumbents(pb);
    inc.scopes(rule)
        .iter()
        .position(|s| s.label == label)
        .map_or((0, 0), |k| inc.figure(rule, k))
}
