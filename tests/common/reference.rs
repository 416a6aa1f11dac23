//! A small, readable version of the same model on good_lp, used by the
//! tests as a reference for the fast column-wise formulation. It writes each
//! stability row with direct sums (quadratic in size: fine for tests only)
//! and solves the criteria one after another, fixing each optimum.

use good_lp::{
    constraint, variable, Expression, ProblemVariables, Solution as _, SolverModel, Variable,
};

use xibu::domain::policy::{Criterion, Op};
use xibu::model::evaluate::{evaluate, Assignment, Objective};
use xibu::model::Problem;

/// The optimal objective vector by the reference model, or `None` when
/// infeasible.
pub fn reference_optimum(pb: &Problem) -> Option<(Objective, Assignment)> {
    if pb
        .pairs()
        .iter()
        .all(|p| pb.posts()[p.post.ix()].open() == 0)
    {
        // No variable at all: the empty assignment, if it breaks nothing.
        let a = Assignment::empty(pb.n_candidates());
        let ev = evaluate(pb, &a);
        return ev.violations.is_empty().then_some((ev.objective, a));
    }
    let mut fixed: Vec<(Criterion, f64)> = Vec::new();
    let mut last = None;
    let order: Vec<Option<Criterion>> = if pb.policy().objective.is_empty() {
        vec![None]
    } else {
        pb.policy().objective.iter().copied().map(Some).collect()
    };
    for crit in order {
        let (value, a) = solve_stage(pb, crit, &fixed)?;
        if let Some(c) = crit {
            fixed.push((c, value));
        }
        last = Some(a);
    }
    let a = last?;
    Some((evaluate(pb, &a).objective, a))
}

fn solve_stage(
    pb: &Problem,
    crit: Option<Criterion>,
    fixed: &[(Criterion, f64)],
) -> Option<(f64, Assignment)> {
    let mut vars = ProblemVariables::new();
    let live: Vec<usize> = (0..pb.pairs().len())
        .filter(|&i| pb.posts()[pb.pairs()[i].post.ix()].open() > 0)
        .collect();
    let mut x: Vec<Option<Variable>> = vec![None; pb.pairs().len()];
    let mut b: Vec<Option<Variable>> = vec![None; pb.pairs().len()];
    for &i in &live {
        x[i] = Some(vars.add(variable().binary()));
        b[i] = Some(vars.add(variable().binary()));
    }
    let sum =
        |it: &mut dyn Iterator<Item = Variable>| -> Expression { it.map(Expression::from).sum() };
    let criterion = |c: Criterion| -> Expression {
        match c {
            Criterion::Envy => sum(&mut b.iter().flatten().copied()),
            Criterion::Fill => -sum(&mut x.iter().flatten().copied()),
            Criterion::Preference => live
                .iter()
                .map(|&i| f64::from(pb.pairs()[i].rank) * x[i].expect("live"))
                .sum(),
        }
    };
    let objective = crit.map_or_else(Expression::default, criterion);
    let mut model = vars.minimise(objective).using(good_lp::highs);
    model.set_verbose(false);

    // One post per candidate.
    for c in 0..pb.n_candidates() {
        let e = sum(&mut pb
            .pair_range(xibu::domain::types::CandidateIdx::from_ix(c))
            .filter_map(|i| x[i]));
        model = model.with(constraint!(e <= 1));
    }
    // Seats, scales, quotas, rules: count placed + incumbents.
    let placed_at = |f: &dyn Fn(usize) -> bool| -> Expression {
        live.iter()
            .filter(|&&i| f(pb.pairs()[i].post.ix()))
            .map(|&i| Expression::from(x[i].expect("live")))
            .sum()
    };
    for (p, post) in pb.posts().iter().enumerate() {
        let e = placed_at(&|q| q == p);
        model = model.with(constraint!(e + post.incumbents <= post.seats));
    }
    for (k, county) in pb.counties().iter().enumerate() {
        if let Some(scale) = county.scale {
            let inc: u32 = pb
                .posts()
                .iter()
                .filter(|p| p.county.ix() == k)
                .map(|p| p.incumbents)
                .sum();
            let e = placed_at(&|q| pb.posts()[q].county.ix() == k);
            model = model.with(constraint!(e + inc <= scale));
        }
    }
    for proj in [
        xibu::domain::types::Project::National,
        xibu::domain::types::Project::Local,
    ] {
        if let Some(quota) = pb.policy().quota(proj) {
            let inc: u32 = pb
                .posts()
                .iter()
                .filter(|p| p.project == proj)
                .map(|p| p.incumbents)
                .sum();
            let e = placed_at(&|q| pb.posts()[q].project == proj);
            model = model.with(constraint!(e + inc <= quota));
        }
    }
    for rule in &pb.policy().rules {
        for s in xibu::model::rules::rule_scopes(pb, rule) {
            let inside = |q: usize| s.counties.contains(&pb.posts()[q].county);
            let counted =
                |q: usize| inside(q) && xibu::model::rules::counts_for(rule, &pb.posts()[q]);
            let inc_total: u32 = pb
                .posts()
                .iter()
                .enumerate()
                .filter(|(q, _)| inside(*q))
                .map(|(_, p)| p.incumbents)
                .sum();
            let inc_count: u32 = pb
                .posts()
                .iter()
                .enumerate()
                .filter(|(q, _)| counted(*q))
                .map(|(_, p)| p.incumbents)
                .sum();
            let count = placed_at(&counted) + f64::from(inc_count);
            let total = (placed_at(&inside) + f64::from(inc_total)) * rule.share;
            model = model.with(match rule.op {
                Op::Ge => constraint!(count >= total),
                Op::Le => constraint!(count <= total),
            });
        }
    }
    // Envy: b_i = 1 unless c holds a post at least as good, or p is full of
    // applicants p ranks above c.
    for &i in &live {
        let pr = pb.pairs()[i];
        let q = f64::from(pb.posts()[pr.post.ix()].open());
        let at_least_as_good = sum(&mut pb
            .pair_range(pr.candidate)
            .filter(|&j| pb.pairs()[j].rank <= pr.rank)
            .filter_map(|j| x[j]));
        let pos = pb.pair_pos()[i] as usize;
        let above = sum(&mut pb.applicants()[pr.post.ix()][..pos]
            .iter()
            .filter_map(|&j| x[j as usize]));
        let bi = b[i].expect("live");
        model = model.with(constraint!(q * bi + q * at_least_as_good + above >= q));
    }
    for &(c, v) in fixed {
        let e = criterion(c);
        model = model.with(constraint!(e <= v + 0.5));
    }
    let sol = model.solve().ok()?;
    let mut a = Assignment::empty(pb.n_candidates());
    for &i in &live {
        if sol.value(x[i].expect("live")) > 0.5 {
            a.post_of[pb.pairs()[i].candidate.ix()] = Some(pb.pairs()[i].post);
        }
    }
    let value = crit.map_or(0.0, |c| {
        let o = evaluate(pb, &a).objective;
        o.lexicographic(&[c])[0] as f64
    });
    Some((value, a))
}
