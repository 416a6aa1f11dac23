//! Every kind of bad input gets `file:line:column: message`, all at once,
//! exit code 2, and no panic.

mod common;
use common::fixture::Fixture;

use std::path::Path;

use common::*;
use xibu::commands::{self, Inputs};
use xibu::Error;

const MODEL: &str = r#"
name = "test"
objective = ["envy", "fill", "preference"]
[adjustment]
scope = "league"
[[specialty]]
key = "rural_education"
name = "乡村教育"
tiers = [ { flags = ["teacher_training"] } ]
[[specialty]]
key = "youth_work"
name = "基层青年工作"
leader = true
[[rule]]
name = "township_share"
scope = "county"
count = { level = "township" }
op = ">="
share = 0.9
"#;

const CANDIDATES: &str = "id,score,preferences,adjustable,id_number
C1,80,P1;P2,0,11010519491231002X
C2,70.5,county:150121,0,
C3,60,,1,
";
const POSTS: &str = "id,county,league,specialty,level,seats
P1,150121,1501,rural_education,township,1
P2,150121,1501,基层青年工作,county,2
P3,150221,1502,乡村教育,乡镇,1
";
const COUNTIES: &str = "code,league,status
150121,1501,active
150221,1502,new
";
const INCUMBENTS: &str = "id,post
I1,P2
";

struct Case {
    fixture: Fixture,
}

impl Case {
    fn new() -> Self {
        Case {
            fixture: Fixture::new(&[
                ("candidates.csv", CANDIDATES),
                ("posts.csv", POSTS),
                ("counties.csv", COUNTIES),
                ("incumbents.csv", INCUMBENTS),
                ("model.toml", MODEL),
            ]),
        }
    }
    fn set(self, name: &str, text: &str) -> Self {
        self.fixture.write(name, text);
        self
    }
    fn path(&self) -> &Path {
        self.fixture.path()
    }
    fn inputs(&self) -> Inputs {
        self.fixture.inputs()
    }
    /// Diagnostics as `file:line:col: msg` (English) with the file reduced
    /// to its name. Every problem must also have its own Chinese sentence.
    fn errors(&self) -> Vec<String> {
        match commands::load(&self.inputs()) {
            Ok(_) => vec![],
            Err(Error::Input(d)) => d
                .iter()
                .map(|d| {
                    let (zh, en) = (&d.message.zh, &d.message.en);
                    assert!(
                        zh != en && zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                        "no Chinese sentence for: {en}"
                    );
                    let f = Path::new(&d.file)
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned();
                    format!("{f}:{}:{}: {en}", d.line, d.column)
                })
                .collect(),
            Err(e) => panic!("not an input error: {e}"),
        }
    }
}

fn assert_one(errors: &[String], place: &str, needle: &str) {
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with(place) && e.contains(needle)),
        "expected {place} …{needle}… in {errors:#?}"
    );
}

#[test]
fn the_base_case_is_valid() {
    let c = Case::new();
    assert_eq!(c.errors(), Vec::<String>::new());
    let pb = commands::load(&c.inputs()).unwrap();
    assert_eq!(pb.candidates().len(), 3);
    assert_eq!(pb.posts()[1].incumbents, 1);
}

/// Issue 13 (1): Excel on Windows writes CRLF; old tools CR; files edited
/// by hand end up mixed. Every row is reported at its physical line, in
/// UTF-8 and GBK alike.
#[test]
fn line_numbers_are_physical_lines_for_every_line_ending() {
    // A bad value on the first data row (line 2) and on line 4 of each table.
    let files = [
        ("candidates.csv", "id,score,preferences\nC1,x,P1\nC2,70,P1\nC3,y,P1\n", [":2:2:", ":4:2:"]),
        ("posts.csv", "id,county,league,specialty,level,seats\nP1,150121,1501,乡村教育,乡镇,many\nP2,150121,1501,乡村教育,乡镇,1\nP3,150121,1501,乡村教育,乡镇,few\n", [":2:6:", ":4:6:"]),
        ("incumbents.csv", "id,post\nI1,P9\nI2,P1\nI3,P8\n", [":2:2:", ":4:2:"]),
    ];
    for end in ["\r\n", "\r", "mixed"] {
        for gbk in [false, true] {
            let c = Case::new();
            for (name, text, _) in &files {
                let text: String = match end {
                    // CRLF, CR, LF in turn.
                    "mixed" => text
                        .lines()
                        .zip(["\r\n", "\r", "\n"].iter().cycle())
                        .map(|(l, e)| format!("{l}{e}"))
                        .collect(),
                    e => text.replace('\n', e),
                };
                if gbk {
                    c.fixture
                        .write_bytes(name, &encoding_rs::GB18030.encode(&text).0);
                } else {
                    c.fixture.write(name, &text);
                }
            }
            let errors = c.errors();
            for (name, _, places) in &files {
                for place in places {
                    let want = format!("{name}{place}");
                    assert!(
                        errors.iter().any(|e| e.starts_with(&want)),
                        "{end:?} gbk {gbk}: expected {want} in {errors:#?}"
                    );
                }
            }
        }
    }
}

#[test]
fn duplicate_ids() {
    let c = Case::new().set("candidates.csv", &format!("{CANDIDATES}C2,50,P1,0,\n"));
    assert_one(
        &c.errors(),
        "candidates.csv:5:1:",
        "duplicate candidate id 'C2' (first on line 3)",
    );
    let c = Case::new().set(
        "posts.csv",
        &format!("{POSTS}P1,150121,1501,rural_education,township,1\n"),
    );
    assert_one(&c.errors(), "posts.csv:5:1:", "duplicate post id 'P1'");
}

#[test]
fn unknown_choices() {
    let c = Case::new().set(
        "candidates.csv",
        "id,score,preferences\nC1,80,P9;county:999999;league:77；P1\nC2,1,city:5\n",
    );
    let e = c.errors();
    assert_one(&e, "candidates.csv:2:3:", "unknown post");
    assert_one(&e, "candidates.csv:2:3:", "county:999999");
    assert_one(&e, "candidates.csv:2:3:", "league:77");
    assert_one(&e, "candidates.csv:3:3:", "unknown prefix");
    assert_eq!(e.len(), 4, "{e:#?}");
}

#[test]
fn unknown_specialty_and_level_and_negative_seats() {
    let c = Case::new().set(
        "posts.csv",
        "id,county,league,specialty,level,seats\nP1,150121,1501,forestry,township,1\nP2,150121,1501,乡村教育,city,1\nP3,150121,1501,乡村教育,county,-2\n",
    );
    let e = c.errors();
    assert_one(&e, "posts.csv:2:4:", "unknown specialty \"forestry\"");
    assert_one(&e, "posts.csv:3:5:", "unknown level");
    assert_one(&e, "posts.csv:4:6:", "negative");
}

#[test]
fn bad_scores() {
    let c = Case::new().set(
        "candidates.csv",
        "id,score,preferences\nC1,eighty,P1\nC2,inf,P1\nC3,NaN,P1\nC4,,P1\n",
    );
    let e = c.errors();
    for line in 2..=5 {
        assert_one(&e, &format!("candidates.csv:{line}:2:"), "score");
    }
}

#[test]
fn incumbents_beyond_seats_or_on_unknown_posts() {
    let c = Case::new().set("incumbents.csv", "id,post\nI1,P1\nI2,P1\nI3,P404\n");
    let e = c.errors();
    assert_one(&e, "incumbents.csv:3:2:", "post P1 has 1 seat(s)");
    assert_one(&e, "incumbents.csv:4:2:", "unknown post P404");
}

#[test]
fn county_missing_from_counties_csv() {
    let c = Case::new().set("counties.csv", "code,league\n150121,1501\n");
    assert_one(&c.errors(), "posts.csv:4:2:", "county 150221 is not in");
}

#[test]
fn no_choices_and_not_adjustable() {
    let c = Case::new().set(
        "candidates.csv",
        "id,score,preferences,adjustable\nC1,80,,否\n",
    );
    assert_one(
        &c.errors(),
        "candidates.csv:2:3:",
        "no choices and not adjustable",
    );
}

#[test]
fn truncated_row_empty_file_missing_column() {
    let c = Case::new().set("candidates.csv", "id,score,preferences,adjustable\nC1,80\n");
    assert_one(&c.errors(), "candidates.csv:2:3:", "truncated");
    let c = Case::new().set("posts.csv", "");
    assert_one(&c.errors(), "posts.csv:1:1:", "empty");
    let c = Case::new().set("counties.csv", "code,name\n150121,x\n");
    assert_one(
        &c.errors(),
        "counties.csv:1:1:",
        "missing required column 'league'",
    );
}

#[test]
fn id_numbers_checked_and_masked() {
    let c = Case::new().set(
        "candidates.csv",
        "id,score,preferences,身份证号\nC1,80,P1,110105194912310021\nC2,80,P1,1.50102E+17\nC3,80,P1,150102199001011000\n",
    );
    let e = c.errors();
    assert_one(&e, "candidates.csv:2:4:", "check digit");
    assert_one(
        &e,
        "candidates.csv:3:4:",
        "format the 身份证号 column as text",
    );
    assert_one(&e, "candidates.csv:4:4:", "Excel");
    assert!(
        e.iter().all(|m| !m.contains("1949123100")),
        "unmasked id in {e:#?}"
    );
}

#[test]
fn model_errors_have_file_line_column() {
    let c = Case::new().set("model.toml", "name = \"x\"\ncolour = \"red\"\n");
    assert_one(&c.errors(), "model.toml:2:1:", "colour");
    let bad = format!(
        "{MODEL}\n[[rule]]\nname = \"township_share\"\nscope = \"county\"\ncount = {{ specialty = \"forestry\" }}\nop = \">=\"\nshare = 1.5\n"
    );
    let c = Case::new().set("model.toml", &bad);
    let e = c.errors();
    let base = MODEL.lines().count();
    assert_one(&e, &format!("model.toml:{}:", base + 3), "used twice");
    assert_one(
        &e,
        &format!("model.toml:{}:", base + 5),
        "unknown specialty 'forestry'",
    );
    assert_one(&e, &format!("model.toml:{}:", base + 7), "outside [0, 1]");
}

#[test]
fn every_problem_of_every_file_at_once_through_the_binary() {
    let c = Case::new()
        .set(
            "candidates.csv",
            "id,score,preferences\nC1,x,P1\nC1,80,P9\n",
        )
        .set(
            "posts.csv",
            "id,county,league,specialty,level,seats\nP1,150121,1501,nope,township,1\n",
        )
        .set("incumbents.csv", "id,post\nI1,P7\n");
    let mut args = vec!["allocate".to_string()];
    args.extend(input_args(&c.inputs()));
    let out_dir = c.path().join("out");
    args.extend(["--out".into(), out_dir.display().to_string()]);
    let out = xibu(&args);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for needle in [
        "candidates.csv:2:2:",
        "candidates.csv:3:1:",
        "candidates.csv:3:3:",
        "posts.csv:2:4:",
        "incumbents.csv:2:2:",
    ] {
        assert!(err.contains(needle), "{needle} missing in {err}");
    }
    assert!(!out_dir.join("dispatch.csv").exists());
    assert!(!err.contains("panicked"));
}

/// A model that uses health = "pass": whoever has not passed is ineligible.
fn strict_health(c: &Case) {
    c.fixture.write(
        "model.toml",
        &MODEL.replacen(
            "[[specialty]]",
            "[eligibility]\nhealth = \"pass\"\n[[specialty]]",
            1,
        ),
    );
}

/// Issue 13 (2): a header that is almost right must not be ignored in
/// silence, because the column's default then decides eligibility.
#[test]
fn a_near_miss_header_is_an_error_naming_the_column_it_resembles() {
    for (header, column) in [
        ("体检结论", "health"),
        ("是否应届", "graduating"),
        ("最高学历", "degree"),
        ("helth", "health"),
    ] {
        let c = Case::new().set(
            "candidates.csv",
            &format!("id,score,preferences,{header}\nC1,80,P1,不合格\n"),
        );
        assert_one(
            &c.errors(),
            "candidates.csv:1:4:",
            &format!("column '{header}' looks like '{column}'"),
        );
    }
    // Allowed explicitly, it is ignored (and stated as ignored).
    let c = Case::new().set(
        "candidates.csv",
        "id,score,preferences,体检日期\nC1,80,P1,2024-05-01\n",
    );
    let mut inputs = c.inputs();
    assert!(matches!(commands::load(&inputs), Err(Error::Input(_))));
    inputs.ignore_columns = vec!["体检日期".into()];
    let pb = commands::load(&inputs).unwrap();
    let report = &pb.columns()[0];
    assert_eq!(report.ignored, vec!["体检日期".to_string()]);
    assert!(report.has("score") && !report.has("health"));
}

/// Issue 13 (3): an optional column the model uses, when absent, is named
/// in a note with the default applied; one it does not use is not.
#[test]
fn an_absent_column_the_model_uses_gets_a_note() {
    let c = Case::new().set("candidates.csv", "id,score,preferences\nC1,80,P1\n");
    strict_health(&c);
    let pb = commands::load(&c.inputs()).unwrap();
    let notes = xibu::Msg::join(pb.notes());
    let (zh, notes) = (notes.zh, notes.en);
    for col in ["'health'", "'graduating'", "'diploma_by_arrival'"] {
        assert!(notes.contains(col), "{col} not in {notes}");
    }
    assert!(notes.contains("nobody passes"), "{notes}");
    // In Chinese, the column by its Chinese header.
    for col in ["'体检'", "'应届'", "'到岗前取得学历'", "没有人符合条件"] {
        assert!(zh.contains(col), "{col} not in {zh}");
    }
    assert!(
        !notes.contains("'degree'"),
        "no post has a minimum degree: {notes}"
    );
    // A present column gives no note.
    let c = Case::new().set(
        "candidates.csv",
        "id,score,preferences,体检\nC1,80,P1,合格\n",
    );
    strict_health(&c);
    let pb = commands::load(&c.inputs()).unwrap();
    assert!(
        !pb.notes().iter().any(|n| n.en.contains("'health'")),
        "{:?}",
        pb.notes()
    );
}

/// The run states the columns it read: in summary.json and one stderr line
/// per file; the failed-medical candidate of a near-miss header is never
/// dispatched (exit 2, no dispatch written).
#[test]
fn every_run_states_its_columns_and_a_near_miss_writes_nothing() {
    let c = Case::new().set(
        "candidates.csv",
        "id,score,preferences,体检结论,联系电话\nC1,80,P1,不合格,13800000000\n",
    );
    strict_health(&c);
    let out = c.path().join("out");
    let mut args = vec!["allocate".to_string()];
    args.extend(input_args(&c.inputs()));
    args.extend([
        "--out".into(),
        out.display().to_string(),
        "--engine".into(),
        "da".into(),
    ]);
    let o = xibu(&args);
    let err = common::fixture::assert_exit(&o, 2);
    assert!(err.contains("很像缺少的列 'health'"), "{err}");
    assert!(!out.join("dispatch.csv").exists());

    c.fixture.write(
        "candidates.csv",
        "id,score,preferences,体检,联系电话\nC1,80,P1,合格,13800000000\n",
    );
    let o = xibu(&args);
    let err = common::fixture::assert_exit(&o, 0);
    assert!(
        err.contains("识别的列: ")
            && err.contains("体检=health")
            && err.contains("未读取：联系电话"),
        "{err}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let cands = &summary["columns"][0];
    assert!(cands["file"].as_str().unwrap().ends_with("candidates.csv"));
    assert_eq!(cands["ignored"], serde_json::json!(["联系电话"]));
    assert!(cands["recognised"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["header"] == "体检" && r["column"] == "health"));
}

/// Issue 13 (6): an unquoted comma in a name shifts the row; the 身份证号
/// lands in another column and the message about that column must not
/// echo it whole — nor may any other message or output.
#[test]
fn a_shifted_row_never_echoes_an_id_number() {
    let full = "152204199911282128";
    let c = Case::new().set(
        "candidates.csv",
        &format!("id,name,id_number,degree,score,preferences\nC1,张,三,{full},本科,80,P1\n"),
    );
    let mut args = vec!["allocate".to_string()];
    args.extend(input_args(&c.inputs()));
    args.extend(["--out".into(), c.path().join("out").display().to_string()]);
    let o = xibu(&args);
    let err = common::fixture::assert_exit(&o, 2);
    assert!(err.contains("152204********2128"), "{err}");
    assert!(!err.contains(full), "{err}");
}

/// Issue 13 (5): one GBK row in a UTF-8 file (with or without BOM) is an
/// error at that row, not a whole file decoded as GB18030 with every other
/// name garbled. A file wholly in GBK is still read.
#[test]
fn a_gbk_row_inside_a_utf8_file_is_reported_at_its_line() {
    let head = "id,name,score,preferences\nC1,张三,80,P1\nC2,李四,70,P1\n";
    let gbk_row = encoding_rs::GB18030
        .encode("C3,王五,60,P1\n")
        .0
        .into_owned();
    for bom in [false, true] {
        let mut bytes = if bom {
            b"\xEF\xBB\xBF".to_vec()
        } else {
            Vec::new()
        };
        bytes.extend(head.as_bytes());
        bytes.extend(&gbk_row);
        let c = Case::new();
        c.fixture.write_bytes("candidates.csv", &bytes);
        assert_one(
            &c.errors(),
            "candidates.csv:4:1:",
            "not UTF-8 like the rest of the file",
        );
    }
    let c = Case::new();
    let whole = encoding_rs::GB18030
        .encode(&format!("{head}C3,王五,60,P1\n"))
        .0
        .into_owned();
    c.fixture.write_bytes("candidates.csv", &whole);
    let pb = commands::load(&c.inputs()).unwrap();
    assert_eq!(pb.candidates()[2].name, "王五");
}

/// Issue 13 (7): the smaller gaps, each an input error at its place.
#[test]
fn empty_lists_names_and_choices_ids_with_nul_and_absurd_seats() {
    let model = |from: &str, to: &str| {
        let c = Case::new();
        assert!(MODEL.contains(from));
        c.fixture.write("model.toml", &MODEL.replacen(from, to, 1));
        c.errors()
    };
    let e = model(
        "objective = [\"envy\", \"fill\", \"preference\"]",
        "objective = []",
    );
    assert_one(&e, "model.toml:", "objective = [] names no criterion");
    let e = model("[adjustment]", "[priority]\norder = []\n[adjustment]");
    assert_one(&e, "model.toml:", "priority.order = [] names no key");
    let e = model("name = \"township_share\"", "name = \" \"");
    assert_one(&e, "model.toml:", "a rule needs a name");

    // Only separators is no choice at all.
    let c = Case::new().set(
        "candidates.csv",
        "id,score,preferences,adjustable\nC1,80,;;；,0\n",
    );
    assert_one(
        &c.errors(),
        "candidates.csv:2:3:",
        "no choices and not adjustable",
    );

    // A NUL byte in an id never reaches the outputs.
    let c = Case::new().set("candidates.csv", "id,score,preferences\nC\u{0}1,80,P1\n");
    assert_one(&c.errors(), "candidates.csv:2:1:", "control character");

    // A duplicate incumbent is reported at its id cell.
    let c = Case::new().set("incumbents.csv", "id,post\nI1,P2\nI1,P2\n");
    assert_one(
        &c.errors(),
        "incumbents.csv:3:1:",
        "duplicate incumbent id 'I1'",
    );

    // Seats of 10^8 or 2^32 − 1 are a typo, not a post.
    for seats in ["100000000", "4294967295"] {
        let c = Case::new().set(
            "posts.csv",
            &format!("id,county,league,specialty,level,seats\nP1,150121,1501,rural_education,township,{seats}\nP2,150121,1501,youth_work,county,2\n"),
        );
        assert_one(&c.errors(), "posts.csv:2:6:", "more than any post has");
    }
}

/// `--threads 0` and an absurd `generate` size are bad input (exit 2), not
/// a failure or a panic.
#[test]
fn bad_flags_exit_2() {
    let c = Case::new();
    let mut args = vec!["allocate".to_string()];
    args.extend(input_args(&c.inputs()));
    args.extend([
        "--out".into(),
        c.path().join("out").display().to_string(),
        "--threads".into(),
        "0".into(),
    ]);
    let err = common::fixture::assert_exit(&xibu(&args), 2);
    assert!(err.contains("--threads:1:1: 线程数至少为 1"), "{err}");
    let out = c.path().join("gen").display().to_string();
    let o = xibu_str(&[
        "generate",
        "--candidates",
        "18446744073709551615",
        "--posts",
        "10",
        "--seed",
        "1",
        "--out",
        &out,
    ]);
    let err = common::fixture::assert_exit(&o, 2);
    assert!(err.contains("超过 generate 能生成的数量"), "{err}");
}

/// Issue 13 (4): Excel stores a date as a number with a date format. A
/// date where xibu reads a score or an id is an error at that cell, never
/// its serial number (a score of 45047, an id "45048").
#[test]
fn xlsx_date_cells_are_errors_not_serial_numbers() {
    use rust_xlsxwriter::{Format, Workbook};
    let c = Case::new();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (j, h) in ["id", "score", "preferences"].iter().enumerate() {
        ws.write_string(0, j as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "C1").unwrap();
    ws.write_number_with_format(1, 1, 45047.0, &date).unwrap();
    ws.write_string(1, 2, "P1").unwrap();
    ws.write_number_with_format(2, 0, 45048.0, &date).unwrap();
    ws.write_number(2, 1, 80.0).unwrap();
    ws.write_string(2, 2, "P1").unwrap();
    // A TRUE cell is an id nobody meant; in a yes/no column it is a value.
    ws.write_string(0, 3, "adjustable").unwrap();
    ws.write_boolean(3, 0, true).unwrap();
    ws.write_number(3, 1, 70.0).unwrap();
    ws.write_string(3, 2, "P1").unwrap();
    ws.write_boolean(3, 3, true).unwrap();
    wb.save(c.path().join("candidates.xlsx")).unwrap();
    let mut inputs = c.inputs();
    inputs.paths.candidates = c.path().join("candidates.xlsx");
    let errors = match commands::load(&inputs) {
        Err(Error::Input(d)) => d.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        other => panic!("expected input errors, got {other:?}"),
    };
    let all = errors.join("\n");
    assert!(
        all.contains("candidates.xlsx:2:2: [B] 'score' is a date cell in Excel (2023-05-01)"),
        "{all}"
    );
    assert!(
        all.contains("candidates.xlsx:3:1: [A] 'id' is a date cell in Excel (2023-05-02)"),
        "{all}"
    );
    assert!(!all.contains("45047") && !all.contains("45048"), "{all}");
    assert!(
        all.contains("candidates.xlsx:4:1: [A] 'id' is a TRUE/FALSE cell in Excel"),
        "{all}"
    );
    assert!(!all.contains("'adjustable' is a TRUE/FALSE"), "{all}");
    assert!(!all.contains("is empty"), "no follow-on error: {all}");
}

/// `xibu check`: the first thing an office runs. It states each file's
/// columns and every problem without solving, and exits 0 or 2.
#[test]
fn check_states_columns_and_every_problem_without_solving() {
    let c = Case::new();
    let mut args = vec!["check".to_string()];
    args.extend(input_args(&c.inputs()));
    let err = common::fixture::assert_exit(&xibu(&args), 0);
    assert!(
        err.contains("识别的列: ")
            && err.contains("preferences")
            && err.contains("通过：考生 3 人"),
        "{err}"
    );
    // The same lines in English with --lang en (a global flag).
    let mut en = args.clone();
    en.extend(["--lang".to_string(), "en".to_string()]);
    let err = common::fixture::assert_exit(&xibu(&en), 0);
    assert!(
        err.contains("columns: ") && err.contains("ok: 3 candidates"),
        "{err}"
    );

    c.fixture.write(
        "candidates.csv",
        "id,score,preferences,体检结论\nC1,x,P9,合格\n",
    );
    let err = common::fixture::assert_exit(&xibu(&args), 2);
    assert!(
        err.contains("识别的列: ") && err.contains("candidates.csv: id, score, preferences"),
        "{err}"
    );
    for want in [
        "candidates.csv:1:4: [D] 列 '体检结论' 很像缺少的列 'health'",
        "candidates.csv:2:2: [B] 'score' \"x\" 不是有效的数",
    ] {
        assert!(err.contains(want), "{want} not in {err}");
    }
    // The same problems in English with --lang en.
    let err = common::fixture::assert_exit(&xibu(&en), 2);
    for want in [
        "candidates.csv:1:4: [D] column '体检结论' looks like 'health'",
        "candidates.csv:2:2: [B] 'score' \"x\" is not a finite number",
    ] {
        assert!(err.contains(want), "{want} not in {err}");
    }
    // A message names the column as the file writes it (成绩, not score).
    c.fixture.write(
        "candidates.csv",
        "报名号,成绩,志愿,体检\nC1,x,P1,合格\n,80,P1,合格\n",
    );
    let err = common::fixture::assert_exit(&xibu(&args), 2);
    for want in [
        "candidates.csv:2:2: [B] '成绩' \"x\"",
        "candidates.csv:3:1: [A] '报名号' 为空",
    ] {
        assert!(err.contains(want), "{want} not in {err}");
    }
    let written: Vec<_> = std::fs::read_dir(c.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(written.len(), 5, "check writes nothing: {written:?}");
}

/// Issue 13 (7): an unbalanced quote is named as such, at its cell, not
/// reported as a truncated row.
#[test]
fn an_unbalanced_quote_is_named() {
    let c = Case::new().set(
        "candidates.csv",
        "id,name,score,preferences\nC1,\"张三,80,P1\nC2,李四,70,P1\nC3,王五,60,P1\n",
    );
    let e = c.errors();
    assert_one(
        &e,
        "candidates.csv:2:2:",
        "quote (\") opened in this cell is never closed",
    );
    assert!(!e.iter().any(|x| x.contains("truncated")), "{e:#?}");
}

/// Issue 13 (7): a merged xlsx region (a county written once for three
/// posts) is named once at its first cell; its other cells raise no
/// follow-on "is empty" errors.
#[test]
fn merged_xlsx_cells_are_named_once() {
    use rust_xlsxwriter::{Format, Workbook};
    let c = Case::new();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (j, h) in ["id", "county", "league", "specialty", "level", "seats"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, j as u16, *h).unwrap();
    }
    for (i, id) in ["P1", "P2", "P3"].iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, *id).unwrap();
        ws.write_string(r, 2, "1501").unwrap();
        ws.write_string(r, 3, "rural_education").unwrap();
        ws.write_string(r, 4, "township").unwrap();
        ws.write_number(r, 5, 1.0).unwrap();
    }
    ws.merge_range(1, 1, 3, 1, "150121", &Format::new())
        .unwrap();
    wb.save(c.path().join("posts.xlsx")).unwrap();
    let mut inputs = c.inputs();
    inputs.paths.posts = c.path().join("posts.xlsx");
    let errors: Vec<String> = match commands::load(&inputs) {
        Err(Error::Input(d)) => d.iter().map(|d| d.to_string()).collect(),
        other => panic!("expected input errors, got {other:?}"),
    };
    let posts: Vec<&String> = errors.iter().filter(|e| e.contains("posts.xlsx")).collect();
    assert!(
        posts
            .iter()
            .any(|e| e.contains("posts.xlsx:2:2: [B] cells B2:B4 are merged in Excel")),
        "{errors:#?}"
    );
    assert!(
        !posts.iter().any(|e| e.contains("is empty")),
        "no follow-on errors: {posts:#?}"
    );
}
