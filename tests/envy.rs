//! `envy.csv` (contract §3): one row per blocking pair, as many as the
//! proven optimal `envy` of each example, each row checked against the
//! input files and the dispatch on its own terms.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use common::fixture::assert_exit;
use common::{example_dir, example_names, expected, input_args, inputs_in, xibu};

fn rows(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            h.iter()
                .zip(rec.unwrap().iter())
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        })
        .collect()
}

#[test]
fn envy_csv_lists_every_blocking_pair_of_each_example() {
    for name in example_names() {
        let dir = example_dir(&name);
        let exp = expected(&name);
        let seed = exp["seed"].as_u64().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let mut a = vec!["allocate".to_string()];
        a.extend(input_args(&inputs_in(&dir, "csv", seed)));
        a.extend(["--out".into(), out.display().to_string()]);
        assert_exit(&xibu(&a), 0);
        let envy = rows(&out.join("envy.csv"));
        assert_eq!(
            envy.len() as u64,
            exp["objective"]["envy"].as_u64().unwrap(),
            "{name}: one row per blocking pair"
        );
        // The inputs, read on their own.
        let cands: HashMap<String, BTreeMap<String, String>> = rows(&dir.join("candidates.csv"))
            .into_iter()
            .map(|r| (r["id"].clone(), r))
            .collect();
        let seats: HashMap<String, u32> = rows(&dir.join("posts.csv"))
            .into_iter()
            .map(|r| (r["id"].clone(), r["seats"].parse().unwrap()))
            .collect();
        let mut occ: HashMap<String, u32> = HashMap::new();
        let inc = dir.join("incumbents.csv");
        if inc.exists() {
            for r in rows(&inc) {
                *occ.entry(r["post"].clone()).or_default() += 1;
            }
        }
        let held: HashMap<String, String> = rows(&out.join("dispatch.csv"))
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
