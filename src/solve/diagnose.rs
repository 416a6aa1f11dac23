//! Why no assignment satisfies every hard constraint: solve again with a
//! slack on every rule, scale and quota row and name the rows that needed
//! one, with their figures.

use super::formulation::{Formulation, RowKind};
use super::highs::{set_objective, to_highs};
use super::settings::MipSettings;
use crate::domain::types::PostIdx;
use crate::error::Result;
use crate::model::evaluate::post_occupancy;
use crate::model::rules::{rule_figures, ScopeCounter};
use crate::model::Problem;

/// Solve with a slack on every rule, scale and quota row (cost 1 each) and
/// name the rows that needed one: the constraints that cannot all hold.
pub(crate) fn diagnose_infeasible(
    pb: &Problem,
    s: &MipSettings,
    kept: &[Option<PostIdx>],
) -> Result<Vec<String>> {
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
                reasons.push(match fig {
                    Some(g) => format!(
                        "rule {} cannot hold in {} {}: at best {} of {} volunteers (incumbents {} of {}), needs {} {:.2}",
                        rule.name, g.scope, label, g.count, g.total, inc.0, inc.1, g.op, g.bound
                    ),
                    None => format!("rule {} cannot hold in {label}", rule.name),
                });
            }
            RowKind::Scale(k) => {
                let c = &pb.counties[k.ix()];
                reasons.push(format!(
                    "county {}: {} incumbents exceed its scale {}",
                    c.code,
                    pb.county_incumbents()[k.ix()],
                    c.scale.unwrap_or(0)
                ));
            }
            RowKind::Quota(p) => {
                reasons.push(format!(
                    "project {p}: {} incumbents exceed its quota {}",
                    pb.project_incumbents(p),
                    pb.policy.quota(p).unwrap_or(0)
                ));
            }
            _ => {}
        }
    }
    if reasons.is_empty() {
        reasons.push(
            "the solver proved infeasibility but the elastic model found no single cause".into(),
        );
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
