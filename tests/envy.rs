//! `envy.csv` (contract §3): one row per blocking pair, as many as the
//! proven optimal `envy` of each example, each row checked against the
//! input files and the dispatch on its own terms.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::fixture::assert_exit;
use common::{allocate_into, csv_rows, example_dir, example_names, expected, inputs_in};

#[test]
fn envy_csv_lists_every_blocking_pair_of_each_example() {
    for name in example_names() {
        let dir = example_dir(&name);
        let exp = expected(&name);
        let seed = exp["seed"].as_u64().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        assert_exit(&allocate_into(&inputs_in(&dir, "csv", seed), &out, &[]), 0);
        let envy = csv_rows(&out.join("envy.csv"));
        assert_eq!(
            envy.len() as u64,
            exp["objective"]["envy"].as_u64().unwrap(),
            "{name}: one row per blocking pair"
        );
        // The inputs, read on their own.
        let cands: HashMap<String, BTreeMap<String, String>> =
            csv_rows(&dir.join("candidates.csv"))
                .into_iter()
                .map(|r| (r["id"].clone(), r))
                .collect();
        let seats: HashMap<String, u32> = csv_rows(&dir.join("posts.csv"))
            .into_iter()
            .map(|r| (r["id"].clone(), r["seats"].parse().unwrap()))
            .collect();
        let mut occ: HashMap<String, u32> = HashMap::new();
        let inc = dir.join("incumbents.csv");
        if inc.exists() {
            for r in csv_rows(&inc) {
                *occ.entry(r["post"].clone()).or_default() += 1;
            }
        }
        let held: HashMap<String, String> = csv_rows(&out.join("dispatch.csv"))
            .into_iter()
            .map(|r| (r["candidate_id"].clone(), r["post_id"].clone()))
            .collect();
        for p in held.values() {
            *occ.entry(p.clone()).or_default() += 1;
        }
        for r in &envy {
            let c = &cands[&r["candidate_id"]];
            let choices: Vec<&str> = c["preferences"].split([';', '>', ',']).collect();
            let rank: usize = r["rank"].parse().unwrap();
            let p = &r["post_id"];
            // Plain lists of post ids (no group of a county or league): the
            // rank is the post's place in the list.
            let plain = !c["preferences"].contains(':');
            if let Some(i) = choices.iter().position(|x| plain && x.trim() == p) {
                assert_eq!(rank, i + 1, "{name}: {r:?}");
            }
            if let Some(own) = held.get(&r["candidate_id"]).filter(|_| plain) {
                let own_rank = choices.iter().position(|x| x.trim() == own);
                assert!(
                    own_rank.is_none_or(|o| rank < o + 1),
                    "{name}: ranked above their own: {r:?}"
                );
            }
            if r["holder_id"].is_empty() {
                assert!(
                    occ.get(p).copied().unwrap_or(0) < seats[p],
                    "{name}: a free seat: {r:?}"
                );
            } else {
                assert_eq!(
                    held.get(&r["holder_id"]),
                    Some(p),
                    "{name}: the holder holds it: {r:?}"
                );
                assert_eq!(occ[p], seats[p], "{name}: a full post: {r:?}");
            }
            assert!(!r["reason"].is_empty(), "{name}: {r:?}");
        }
    }
}
