//! report.html in a real browser: headless Chromium (Debian's `chromium`,
//! installed by `scripts/setup --test`) renders it without console errors,
//! its script runs, the key numbers of summary.json are in the DOM, and a
//! screenshot is saved (in Cargo's test temp dir, `report.png`).
//!
//! Set `XIBU_CHROMIUM` to use another browser binary.

mod common;

use std::path::{Path, PathBuf};

use common::browser;
use common::*;

/// Render a file in headless Chromium: (DOM after scripts, console lines).
fn render(page: &Path, extra: &[&str]) -> (String, Vec<String>) {
    browser::render(&format!("file://{}", page.display()), extra)
}

#[test]
fn report_renders_in_chromium_with_the_summary_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    // The console check can fail: a page with an error is caught.
    let bad = tmp.path().join("bad.html");
    std::fs::write(
        &bad,
        "<html><body><script>undefinedFunction();</script></body></html>",
    )
    .unwrap();
    let (_, console) = render(&bad, &["--dump-dom"]);
    assert!(
        console.iter().any(|l| l.contains("undefinedFunction")),
        "console errors are not captured: {console:?}"
    );

    let dir = example_dir("rules-ties-incumbents");
    let out = tmp.path().join("out");
    let mut args = vec!["allocate".to_string()];
    args.extend(input_args(&inputs_in(&dir, "csv", 0)));
    args.extend(["--out".into(), out.display().to_string()]);
    let o = xibu(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();

    let report = out.join("report.html");
    let (dom, console) = render(&report, &["--dump-dom"]);
    assert!(console.is_empty(), "console messages: {console:?}");
    assert!(
        dom.contains(r#"data-rendered="1""#),
        "the page's script did not run"
    );
    let number = |id: &str| -> String {
        let start = dom
            .find(&format!(r#"id="{id}">"#))
            .unwrap_or_else(|| panic!("#{id} missing"));
        let rest = &dom[start..];
        rest[rest.find('>').unwrap() + 1..rest.find('<').unwrap()].to_string()
    };
    assert_eq!(number("placed"), summary["placed"].to_string());
    assert_eq!(number("envy"), summary["objective"]["envy"].to_string());
    assert_eq!(number("open-seats"), summary["open_seats"].to_string());
    assert_eq!(number("candidates"), summary["candidates"].to_string());
    assert!(dom.contains(r#"data-status="optimal""#));
    let failing = summary["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ok"] == false)
        .count();
    assert_eq!(number("rules-failing"), failing.to_string());
    // Every rule figure has its mark.
    let rules = summary["rules"].as_array().unwrap().len();
    assert_eq!(
        dom.matches("✓ 满足</td>").count() + dom.matches("✗ 未满足</td>").count(),
        rules
    );
    // Self-contained: nothing fetched from elsewhere.
    let html = std::fs::read_to_string(&report).unwrap();
    let without_svg_ns = html.replace(r#"xmlns="http://www.w3.org/2000/svg""#, "");
    for remote in ["http:", "https:", "<link", " src=", "@import", "url("] {
        assert!(
            !without_svg_ns.contains(remote),
            "report.html refers to {remote}"
        );
    }

    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report.png");
    let _ = std::fs::remove_file(&shot);
    render(
        &report,
        &[
            "--hide-scrollbars",
            "--window-size=1280,2000",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
}

/// Whether a page fits `width` px without sideways scrolling: it is shown
/// in a frame that wide (headless Chromium's window is at least 500 px),
/// and the frame's scroll width is compared with its width.
fn fits(page: &Path, width: u32) -> String {
    let frame = page.with_file_name(format!("fit-{width}.html"));
    let name = page.file_name().unwrap().to_string_lossy();
    let html = format!(
        r#"<html><body style="margin:0"><iframe id="f" src="{name}" style="width:{width}px;height:1200px;border:0"></iframe><script>f.onload=function(){{var d=f.contentDocument.documentElement;document.documentElement.dataset.fits=(d.scrollWidth<=d.clientWidth)+" "+d.scrollWidth+" "+d.clientWidth;}};</script></body></html>"#
    );
    std::fs::write(&frame, html).unwrap();
    let flags = [
        "--dump-dom",
        "--allow-file-access-from-files",
        "--virtual-time-budget=5000",
    ];
    let (dom, _) = render(&frame, &flags);
    let at = dom.find("data-fits=\"").expect("the probe ran") + 11;
    dom[at..].split('"').next().unwrap().to_string()
}

/// The report and the comparison page work on a 400 px wide screen (a
/// phone): nothing makes the page scroll sideways — wide tables scroll
/// inside their own box, charts shrink — and they carry a print style.
#[test]
fn pages_fit_400_px_and_have_a_print_style() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs = sample_inputs();
    let out = tmp.path().join("out");
    let o = allocate_into(&inputs, &out, &["--engine", "fast"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = out.join("report.html");
    let fit = fits(&report, 400);
    assert!(fit.starts_with("true"), "report.html at 400 px: {fit}");
    assert!(std::fs::read_to_string(&report)
        .unwrap()
        .contains("@media print"));

    // comparison.html, with its charts, on the example instance.
    let example = inputs_in(&example_dir("rules-ties-incumbents"), "csv", 0);
    let s = tmp.path().join("s.toml");
    let set = r#"set = { "rule.rural_education_share.share" = 0.30 }"#;
    std::fs::write(
        &s,
        format!("[[scenario]]\nname = \"base\"\n\n[[scenario]]\nname = \"edu30\"\n{set}\n"),
    )
    .unwrap();
    let mut a = vec!["scenarios".to_string()];
    a.extend(input_args(&example));
    a.extend(["--scenarios", s.to_str().unwrap(), "--out"].map(String::from));
    a.push(tmp.path().join("cmp").display().to_string());
    let o = xibu(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let fit = fits(&tmp.path().join("cmp/comparison.html"), 400);
    assert!(fit.starts_with("true"), "comparison.html at 400 px: {fit}");
}
