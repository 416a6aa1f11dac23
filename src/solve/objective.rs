//! The lexicographic objective in numbers: one weighted sum when that is
//! exact in floating point, the value of a cost vector at a solution, a
//! rough work estimate for ordering parallel solves (the bound and gap are
//! `bound`'s).

use super::formulation::Formulation;
use crate::domain::policy::Criterion;
use crate::model::Problem;

/// The value of the cost terms `costs` at column values `cols`.
pub(crate) fn objective_of(costs: &[(usize, f64)], cols: &[f64]) -> f64 {
    costs.iter().map(|&(j, c)| c * cols[j]).sum()
}

/// A rough measure of how long an exact solve will take, to start the
/// longest of several first: eligible pairs × stages (1 when the criteria
/// can be combined into one weighted objective, as `combined_costs` decides
/// with the number of pairs standing in for the blocking columns).
pub fn work_estimate(pb: &Problem) -> f64 {
    let objective = &pb.policy.objective;
    let pairs = pb.pairs.len() as f64;
    let bound = |k: usize| match objective[k] {
        Criterion::Envy | Criterion::Fill => pairs,
        Criterion::Preference => f64::INFINITY,
    };
    let stages = match lexicographic_weights(pb, objective, bound) {
        Some(_) => 1.0,
        None => objective.len().max(1) as f64,
    };
    pairs * stages
}

/// Weights that make a weighted sum of integer criteria lexicographic: the
/// last weighs 1, each earlier one more than the whole range of those after
/// it. `bound(k)` bounds criterion k's magnitude (further capped by the
/// open seats for fill and open seats × worst rank for preference). `None`
/// for a single criterion, or when a weighted value could exceed 2^40 (no
/// longer exact enough in floating point).
fn lexicographic_weights(
    pb: &Problem,
    objective: &[Criterion],
    bound: impl Fn(usize) -> f64,
) -> Option<Vec<f64>> {
    if objective.len() < 2 {
        return None;
    }
    let open: f64 = pb.posts.iter().map(|p| f64::from(p.open())).sum();
    let max_rank = f64::from(pb.pairs.iter().map(|p| p.rank).max().unwrap_or(0));
    let mut weights = vec![0.0; objective.len()];
    let (mut weight, mut largest) = (1.0, 0.0);
    for (k, &c) in objective.iter().enumerate().rev() {
        let range = match c {
            Criterion::Envy => bound(k),
            Criterion::Fill => bound(k).min(open),
            Criterion::Preference => bound(k).min(open * max_rank),
        };
        weights[k] = weight;
        largest += range * weight;
        weight *= range + 1.0;
    }
    (largest <= 2f64.powi(40)).then_some(weights)
}

/// The lexicographic objective as one weighted sum, when that is exact in
/// floating point: each criterion's weight exceeds the whole range of the
/// criteria after it (all are integers), so one solve finds the
/// lexicographic optimum — about four times faster than one solve per
/// criterion, because HiGHS proves optimality once. `None` for a single
/// criterion or when the weighted values could exceed 2^40 (then the
/// criteria are solved one at a time).
pub(crate) fn combined_costs(
    pb: &Problem,
    f: &Formulation,
    objective: &[Criterion],
) -> Option<Combined> {
    let costs: Vec<Vec<(usize, f64)>> = objective.iter().map(|&c| f.costs(pb, c)).collect();
    let sum = |k: usize| costs[k].iter().map(|&(_, v)| v.abs()).sum();
    let weights = lexicographic_weights(pb, objective, sum)?;
    let mut merged = vec![0.0; f.mip.cols.len()];
    for (terms, w) in costs.iter().zip(&weights) {
        for &(j, v) in terms {
            merged[j] += v * w;
        }
    }
    let merged = merged
        .into_iter()
        .enumerate()
        .filter(|&(_, v)| v != 0.0)
        .collect();
    // Columns are in [0, 1]: a criterion's cost is at most its positive
    // coefficients.
    let rest_max = costs[1..]
        .iter()
        .zip(&weights[1..])
        .map(|(terms, w)| w * terms.iter().map(|&(_, v)| v.max(0.0)).sum::<f64>())
        .sum();
    Some(Combined {
        costs: merged,
        first_weight: weights[0],
        rest_max,
    })
}

/// The lexicographic objective as one weighted sum.
pub(crate) struct Combined {
    /// The weighted cost terms.
    pub(crate) costs: Vec<(usize, f64)>,
    /// The first criterion's weight.
    pub(crate) first_weight: f64,
    /// The most the later criteria add to the weighted sum.
    pub(crate) rest_max: f64,
}
