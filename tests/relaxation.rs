//! The county relaxation's bound on blocking pairs (`solve::relaxation`)
//! against the brute-force optimum: never above it, with or without kept
//! placements, and equal to it when the whole instance is one county (the
//! relaxation then drops nothing).

mod common;

use common::cases;
use common::tiny::{brute_force, brute_force_kept, tiny, Tiny};
use proptest::prelude::*;
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
