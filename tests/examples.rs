//! The worked examples of the contract (shared/spec/examples, copied into
//! tests/data/examples): the published optimal dispatch must verify clean
//! and reproduce the proven objective vector; on the plain instance deferred
//! acceptance must produce exactly that dispatch.

mod common;

use common::*;
use xibu::commands;

fn seed_of(name: &str) -> u64 {
    expected(name)["seed"].as_u64().unwrap()
}

#[test]
fn published_dispatches_verify_with_the_proven_objective() {
    for name in example_names() {
        let dir = example_dir(&name);
        let inputs = inputs_in(&dir, "csv", seed_of(&name));
        let ev = commands::verify(&inputs, &dir.join("one-optimal-dispatch.csv")).unwrap();
        assert!(ev.violations.is_empty(), "{name}: {:?}", ev.violations);
        let exp = &expected(&name)["objective"];
        for key in ["envy", "fill", "preference"] {
            let got = match key {
                "envy" => ev.objective.envy,
                "fill" => ev.objective.fill,
                _ => ev.objective.preference,
            };
            assert_eq!(Some(got), exp[key].as_u64(), "{name}: {key}");
        }
    }
}

#[test]
fn verify_json_through_the_binary() {
    for name in example_names() {
        let dir = example_dir(&name);
        let inputs = inputs_in(&dir, "csv", seed_of(&name));
        let mut args = vec!["verify".to_string()];
        args.extend(input_args(&inputs));
        args.extend([
            "--dispatch".into(),
            dir.join("one-optimal-dispatch.csv").display().to_string(),
            "--json".into(),
        ]);
        let out = xibu(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["ok"], true);
        assert_eq!(v["objective"], expected(&name)["objective"], "{name}");
    }
}

#[test]
fn deferred_acceptance_reproduces_the_plain_example() {
    let dir = example_dir("plain-da");
    let inputs = inputs_in(&dir, "csv", 0);
    let pb = commands::load(&inputs).unwrap();
    assert!(pb.is_plain());
    let da = xibu::solve::da::deferred_acceptance(&pb);
    let (published, dup) = commands::read_assignment(
        &pb,
        &dir.join("one-optimal-dispatch.csv"),
        Default::default(),
    )
    .unwrap();
    assert!(dup.is_empty());
    assert_eq!(da, published);
}
