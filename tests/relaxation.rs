//! The county relaxation's bound on blocking pairs (`solve::relaxation`)
//! against the brute-force optimum: never above it, with or without kept
//! placements, and equal to it when the whole instance is one county (the
//! relaxation then drops nothing).

mod common;

use common::cases;
use common::tiny::{brute_force, brute_force_kept, tiny, Tiny};
use proptest::prelude::*;
use xibu::solve::lagrange::{self, envy_bound};
use xibu::solve::relaxation::envy_by_county;
use xibu::solve::settings::MipSettings;

/// The instance with envy as its only criterion: the brute-force optimum
/// is then the fewest blocking pairs any allocation has.
fn envy_only(mut t: Tiny) -> Tiny {
    t.objective = (0, 1);
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(96), ..ProptestConfig::default() })]

    #[test]
    fn the_county_bound_never_passes_the_fewest_blocking_pairs(t in tiny(6, 4)) {
        let pb = envy_only(t).problem();
        let Some((best, a)) = brute_force(&pb) else { return Ok(()) };
        let b = envy_by_county(&pb, &[], &a, &MipSettings::default());
        prop_assert!(b.envy <= best.envy, "bound {} > optimum {}", b.envy, best.envy);
    }

    #[test]
    fn the_lagrangian_bound_never_passes_the_fewest_blocking_pairs(t in tiny(6, 4)) {
        let pb = envy_only(t).problem();
        let Some((best, _)) = brute_force(&pb) else { return Ok(()) };
        let l = envy_bound(&pb, &[], best.envy, &MipSettings::default());
        prop_assert!(l.envy <= best.envy, "bound {} > optimum {}", l.value, best.envy);
    }

    #[test]
    fn with_kept_placements_too(t in tiny(6, 4), picks in prop::collection::vec(any::<u8>(), 6)) {
        let pb = envy_only(t).problem();
        // A random part of the unconstrained optimum is kept.
        let Some((_, a)) = brute_force(&pb) else { return Ok(()) };
        let kept: Vec<_> = (0..pb.n_candidates())
            .map(|c| a.post_of[c].filter(|_| picks[c] % 2 == 0))
            .collect();
        let Some((best, a)) = brute_force_kept(&pb, &kept) else { return Ok(()) };
        let b = envy_by_county(&pb, &kept, &a, &MipSettings::default());
        prop_assert!(b.envy <= best.envy, "bound {} > optimum {}", b.envy, best.envy);
        // Kept at pairs of the optimum: the Lagrangian keeps them too.
        prop_assert!(lagrange::applies(&pb, &kept));
        let l = lagrange::envy_bound(&pb, &kept, best.envy, &MipSettings::default());
        prop_assert!(l.envy <= best.envy, "Lagrangian {} > optimum {}", l.value, best.envy);
    }

    #[test]
    fn one_county_is_no_relaxation(t in tiny(6, 4)) {
        let mut t = envy_only(t);
        for p in &mut t.posts {
            p.county = 0;
        }
        let pb = t.problem();
        let Some((best, a)) = brute_force(&pb) else { return Ok(()) };
        let b = envy_by_county(&pb, &[], &a, &MipSettings::default());
        prop_assert_eq!(b.envy, best.envy);
        // The incumbent is the optimum: its only county is settled.
        prop_assert_eq!(b.settled, b.counties);
    }
}

/// The branch the random instances never reach: more than 16 posts of
/// another county tied at a candidate's worst rank with a free seat (with
/// adjustment a whole league ties there), which the seat relaxation treats
/// optimistically instead of giving them columns. County C0's one post can
/// take nobody (scale 0); C1's 17 one-seat posts take one volunteer
/// (scale 1); three applicants accept every post of the league, tied. Two
/// stay unplaced whatever happens, each envying C0's post and C1's 16
/// free posts: the bound must not pass that optimum.
#[test]
fn seventeen_tied_posts_elsewhere_keep_the_bound_below_the_optimum() {
    use common::tiny::{TinyCandidate, TinyCounty, TinyPost};
    let county = |scale| TinyCounty {
        league: 0,
        status: 0,
        scale: Some(scale),
    };
    let post = |county| TinyPost {
        county,
        specialty: 0,
        township: true,
        seats: 1,
        national: false,
        master_only: false,
        major_04: false,
    };
    let applicant = |score| TinyCandidate {
        score,
        teacher: false,
        health: 0,
        project: 0,
        adjustable: false,
        master: false,
        major_04: false,
        choices: vec![(2, 0)],
    };
    let t = Tiny {
        counties: vec![county(0), county(1)],
        posts: std::iter::once(post(0))
            .chain((0..17).map(|_| post(1)))
            .collect(),
        candidates: vec![applicant(90), applicant(80), applicant(70)],
        incumbents: Vec::new(),
        rules: Vec::new(),
        quotas: (None, None),
        adjustment: 0,
        objective: (0, 1),
        seed: 1,
    };
    let pb = t.problem();
    let (best, a) = brute_force(&pb).expect("feasible: one volunteer in C1");
    assert_eq!(best.envy, 2 * (1 + 16));
    let b = envy_by_county(&pb, &[], &a, &MipSettings::default());
    assert!(
        b.envy <= best.envy,
        "bound {} > optimum {}",
        b.envy,
        best.envy
    );
    // C1's own relaxation sees its scale: the bound is not trivial.
    assert!(b.envy >= 2 * 16, "bound {}", b.envy);
}
