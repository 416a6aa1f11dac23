//! The same instance written as UTF-8, UTF-8 with BOM, GBK and xlsx, with
//! English or Chinese headers and values, loads to the same problem.

mod common;

use std::path::Path;

use common::{cases, xibu_str};
use proptest::prelude::*;
use xibu::commands::{self, Inputs};
use xibu::generate::{write_generated, GenerateOptions, TableFormat};
use xibu::model::Problem;

/// Everything read from the files except the files' names.
fn fingerprint(pb: Problem) -> String {
    format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        pb.policy(),
        pb.seed(),
        pb.candidates(),
        pb.posts(),
        pb.counties(),
        pb.leagues(),
        pb.incumbents(),
        pb.pairs(),
        pb.applicants(),
        pb.pair_pos()
    )
}

fn load_as(dir: &Path, opts: &GenerateOptions) -> Problem {
    write_generated(opts, dir).unwrap();
    let ext = if opts.format == TableFormat::Xlsx {
        "xlsx"
    } else {
        "csv"
    };
    let inputs: Inputs = common::inputs_in(dir, ext, 3);
    commands::load(&inputs).unwrap_or_else(|e| panic!("{opts:?}: {e}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(12), ..ProptestConfig::default() })]

    #[test]
    fn every_format_loads_to_the_same_problem(seed in 0u64..1_000_000, n in 1usize..60, posts in 1usize..25) {
        let tmp = tempfile::tempdir().unwrap();
        let base = GenerateOptions { candidates: n, posts, seed, ..Default::default() };
        let reference = fingerprint(load_as(&tmp.path().join("en"), &base));
        for (chinese, format) in [
            (true, TableFormat::Csv),
            (true, TableFormat::CsvBom),
            (true, TableFormat::CsvGbk),
            (true, TableFormat::Xlsx),
            (false, TableFormat::Xlsx),
        ] {
            let opts = GenerateOptions { chinese, format, ..base.clone() };
            let dir = tmp.path().join(format!("{chinese}-{format:?}"));
            prop_assert_eq!(&reference, &fingerprint(load_as(&dir, &opts)), "{:?}", opts);
        }
    }
}

#[test]
fn forced_encoding_is_obeyed() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = GenerateOptions {
        candidates: 20,
        posts: 6,
        seed: 1,
        chinese: true,
        format: TableFormat::CsvGbk,
        ..Default::default()
    };
    write_generated(&opts, tmp.path()).unwrap();
    let mut inputs = common::inputs_in(tmp.path(), "csv", 0);
    inputs.encoding = xibu::input::Encoding::Utf8;
    let err = commands::load(&inputs).unwrap_err().to_string();
    assert!(err.contains("candidates.csv:1:1: not valid UTF-8"), "{err}");
    inputs.encoding = xibu::input::Encoding::Gb18030;
    assert!(commands::load(&inputs).is_ok());
}

#[test]
fn excel_numbers_are_read_as_excel_shows_them() {
    use rust_xlsxwriter::Workbook;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["报名号", "成绩", "专业代码", "志愿", "身份证号"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "C1").unwrap();
    ws.write_number(1, 1, 81.5).unwrap();
    ws.write_number(1, 2, 40104.0).unwrap(); // 040104 after Excel ate the zero
    ws.write_string(1, 3, "P1").unwrap();
    ws.write_number(2, 0, 2.0).unwrap();
    ws.write_number(2, 1, 70.0).unwrap();
    ws.write_string(2, 3, "旗县：150121").unwrap();
    ws.write_number(2, 4, 150102199001011236.0).unwrap(); // an ID Excel turned into a number
    wb.save(d.join("candidates.xlsx")).unwrap();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["岗位编号", "旗县", "盟市", "专项", "层级", "人数"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "P1").unwrap();
    ws.write_number(1, 1, 150121.0).unwrap();
    ws.write_number(1, 2, 1501.0).unwrap();
    ws.write_string(1, 3, "乡村教育").unwrap();
    ws.write_string(1, 4, "乡镇").unwrap();
    ws.write_number(1, 5, 2.0).unwrap();
    wb.save(d.join("posts.xlsx")).unwrap();
    std::fs::write(d.join("model.toml"), xibu::generate::MODEL_2023).unwrap();
    let inputs = common::inputs_in(d, "xlsx", 0);
    let err = commands::load(&inputs).unwrap_err().to_string();
    // The only problem: the ID number Excel damaged, at row 3, column 5.
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("candidates.xlsx:3:5:") && err.contains("text"),
        "{err}"
    );
    // Without that ID, the numbers load as Excel showed them.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["报名号", "成绩", "专业代码", "志愿"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 7.0).unwrap();
    ws.write_number(1, 1, 81.5).unwrap();
    ws.write_number(1, 2, 40104.0).unwrap();
    ws.write_string(1, 3, "旗县:150121").unwrap();
    wb.save(d.join("candidates.xlsx")).unwrap();
    let pb = commands::load(&inputs).unwrap();
    let c = &pb.candidates()[0];
    assert_eq!(
        (c.id.as_str(), c.score, c.major_code.as_deref()),
        ("7", 81.5, Some("040104"))
    );
    assert_eq!(pb.counties()[0].code, "150121");
    assert_eq!(pb.posts()[0].seats, 2);
    assert_eq!(pb.pairs().len(), 1);
}

/// `xibu template`: four workbooks with the Chinese headers xibu reads and
/// example rows that pass `xibu check` together with the bundled model,
/// and a drop-down list on every closed-valued column.
#[test]
fn the_template_passes_check_and_offers_drop_down_lists() {
    use std::io::Read;
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("t");
    let o = xibu_str(&["template", "--out", d.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let f = |n: &str| d.join(n).display().to_string();
    let (c, p, k, i, m) = (
        f("candidates.xlsx"),
        f("posts.xlsx"),
        f("counties.xlsx"),
        f("incumbents.xlsx"),
        f("model.toml"),
    );
    let o = xibu_str(&[
        "check",
        "--candidates",
        &c,
        "--posts",
        &p,
        "--counties",
        &k,
        "--incumbents",
        &i,
        "--model",
        &m,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stderr) + String::from_utf8_lossy(&o.stdout);
    assert!(said.contains("考生 3 人，岗位 3 个"), "{said}");
    // Drop-down lists on the closed-valued columns, by header.
    for (file, headers) in [
        (
            "candidates.xlsx",
            &["学历", "体检", "项目", "服从调剂", "师范类"][..],
        ),
        ("posts.xlsx", &["专项", "层级", "项目", "最低学历"][..]),
        ("counties.xlsx", &["状态"][..]),
    ] {
        let path = d.join(file);
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&path).unwrap();
        use calamine::Reader;
        let first = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&first).unwrap();
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        for h in headers {
            let col = header
                .iter()
                .position(|x| x == h)
                .unwrap_or_else(|| panic!("{file}: no {h}"));
            let letter = (b'A' + col as u8) as char;
            assert!(
                xml.contains(r#"type="list""#)
                    && xml.contains(&format!(r#"sqref="{letter}2:{letter}2001""#)),
                "{file}: no list on {h}"
            );
        }
    }
}
