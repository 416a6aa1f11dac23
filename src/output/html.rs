//! Pieces of the self-contained HTML pages (report.html, comparison.html):
//! escaping, one style sheet, and bar charts as inline SVG — no scripts or
//! fonts from the network.

/// Escape text for HTML.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const COLORS: [&str; 8] = [
    "#3366cc", "#dc3912", "#ff9900", "#109618", "#990099", "#0099c6", "#dd4477", "#66aa00",
];

/// A grouped bar chart as inline SVG: one group per category, one bar per
/// series.
pub(crate) fn bar_chart(
    title: &str,
    categories: &[String],
    series: &[(String, Vec<f64>)],
) -> String {
    let (w, h, left, bottom, top) = (760.0, 260.0, 50.0, 40.0, 30.0);
    let max = series
        .iter()
        .flat_map(|s| s.1.iter().copied())
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let groups = categories.len().max(1) as f64;
    let gw = (w - left - 10.0) / groups;
    let bw = (gw * 0.8 / series.len().max(1) as f64).max(1.0);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{t}"><text x="{left}" y="18" font-size="14">{t}</text>"#,
        t = esc(title)
    );
    let plot_h = h - bottom - top;
    svg.push_str(&format!(
        r##"<line x1="{left}" y1="{y}" x2="{x2}" y2="{y}" stroke="#999"/>"##,
        y = h - bottom,
        x2 = w - 10.0
    ));
    svg.push_str(&format!(
        r#"<text x="4" y="{}" font-size="10">{max:.0}</text>"#,
        top + 8.0
    ));
    for (g, cat) in categories.iter().enumerate() {
        let x0 = left + g as f64 * gw + gw * 0.1;
        for (k, (name, vals)) in series.iter().enumerate() {
            let v = vals.get(g).copied().unwrap_or(0.0);
            let bh = plot_h * v / max;
            svg.push_str(&format!(
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} · {}: {}</title></rect>"#,
                x0 + k as f64 * bw,
                h - bottom - bh,
                bw,
                bh,
                COLORS[k % COLORS.len()],
                esc(name),
                esc(cat),
                v
            ));
        }
        svg.push_str(&format!(
            r#"<text x="{:.1}" y="{}" font-size="10" text-anchor="middle">{}</text>"#,
            x0 + gw * 0.4,
            h - bottom + 14.0,
            esc(cat)
        ));
    }
    for (k, (name, _)) in series.iter().enumerate() {
        let x = left + k as f64 * 120.0;
        svg.push_str(&format!(
            r#"<rect x="{x}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}" font-size="11">{}</text>"#,
            h - 14.0,
            COLORS[k % COLORS.len()],
            x + 14.0,
            h - 5.0,
            esc(name)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// `<!DOCTYPE html>` … `<body>` with the shared inline style sheet.
pub(crate) fn page_head(title: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{}</title><style>{STYLE}</style></head><body>"#,
        esc(title)
    )
}

/// The pages' one style sheet. Narrow screens (a phone, 400 px): wide
/// tables scroll inside their own box and charts shrink, so the page never
/// scrolls sideways. Print: A4, black on white, header rows kept with their
/// tables, nothing cut at the right edge.
const STYLE: &str = concat!(
    "body{font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC','WenQuanYi Micro Hei',sans-serif;margin:24px;color:#222;overflow-wrap:break-word}",
    "table{border-collapse:collapse;margin:12px 0;display:block;overflow-x:auto;max-width:100%}",
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td{white-space:nowrap}td.edits,td.text{white-space:normal;text-align:left;min-width:12em}th{background:#f3f3f3}",
    "td:first-child,th:first-child{text-align:left}.bad{color:#b00}.ok{color:#070}",
    ".big{display:inline-block;margin:0 24px 12px 0}.big b{display:block;font-size:28px}section{margin-top:24px}",
    "svg{max-width:100%;height:auto}",
    "@media (max-width:600px){body{margin:8px}.big{margin:0 12px 8px 0}.big b{font-size:22px}td,th{padding:3px 4px}}",
    "@page{size:A4;margin:12mm}",
    "@media print{body{margin:0;color:#000;font-size:10pt}table{display:table;overflow:visible;max-width:none}",
    "tr,svg{break-inside:avoid}thead,th{break-after:avoid}th{background:#eee;print-color-adjust:exact;-webkit-print-color-adjust:exact}",
    "section{margin-top:12px}h2{break-after:avoid}}",
);
