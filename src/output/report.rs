//! `report.html`, written with every result: one self-contained page
//! (inline CSS and SVG, no network, no external fonts) that the office can
//! open, print or mail — headline numbers, every rule in every county,
//! placements by league and specialty, choice ranks, open seats, reserve
//! depth, locks, and how the solve went. Chinese labels.

use std::fmt::Write;

use super::files::Summary;
use super::html::{bar_chart, esc, page_head};
use super::reserves::{reserve_length, ReserveLists};
use crate::domain::policy::{Op, RuleScope};
use crate::domain::types::CandidateIdx;
use crate::lang::Word;
use crate::model::Problem;
use crate::solve::{Outcome, Solution};

fn big(out: &mut String, id: &str, label: &str, value: impl std::fmt::Display) {
    let _ = write!(
        out,
        r#"<div class="big"><b id="{id}">{value}</b>{}</div>"#,
        esc(label)
    );
}

/// The page.
/// `occ` is the occupancy per post (`Evaluation::occupancy`).
pub fn report_html(
    pb: &Problem,
    sol: &Solution,
    s: &Summary,
    occ: &[u32],
    lists: &ReserveLists,
) -> String {
    let mut h = page_head(&format!("分配报告 · {}", pb.policy.name));
    let _ = write!(
        h,
        "<h1>西部计划志愿者分配报告</h1><p>{} · 随机种子 {} · 引擎 {}</p>",
        esc(&pb.policy.name),
        s.seed,
        esc(&s.engine)
    );
    let st = if s.status == Outcome::Infeasible {
        "bad"
    } else {
        "ok"
    };
    let _ = write!(
        h,
        r#"<p>求解状态：<b id="status" class="{st}" data-status="{}">{}</b>"#,
        s.status,
        s.status.words(crate::lang::Lang::Zh)
    );
    if let Some(g) = s.gap.filter(|g| *g > 0.0) {
        let _ = write!(h, "，相对差距 {g:.4}");
    }
    if let Some(b) = s.bound_sentence(crate::lang::Lang::Zh) {
        let _ = write!(h, r#"（<span id="bound">{}</span>）"#, super::html::esc(&b));
    }
    let total: f64 = s.seconds.iter().map(|t| t.seconds).sum();
    let _ = write!(h, r#"，用时 <span id="seconds">{total:.1}</span> 秒</p>"#);
    h.push_str("<section>");
    big(&mut h, "placed", "安置人数", s.placed);
    big(&mut h, "candidates", "报名人数", s.candidates);
    big(&mut h, "seats", "岗位名额", s.seats);
    big(&mut h, "incumbents", "延期志愿者", s.incumbents);
    big(&mut h, "open-seats", "空余名额", s.open_seats);
    big(&mut h, "envy", "阻塞对（不公平）", s.objective.envy);
    let mean = if s.placed > 0 {
        s.objective.preference as f64 / s.placed as f64
    } else {
        0.0
    };
    big(&mut h, "mean-rank", "平均志愿序号", format!("{mean:.2}"));
    big(&mut h, "locks", "锁定安排", pb.locks.len());
    h.push_str("</section>");
    for n in &s.notes {
        let _ = write!(h, r#"<p class="note">注：{}</p>"#, esc(&n.zh));
    }
    for v in s.violations.iter().chain(&s.infeasible) {
        let _ = write!(h, r#"<p class="bad">{}</p>"#, esc(&v.zh));
    }

    rules_section(&mut h, pb, s);
    placements_section(&mut h, pb, sol);
    ranks_section(&mut h, pb, sol);
    seats_section(&mut h, pb, &sol.assignment, occ, lists);
    if !pb.locks.is_empty() {
        h.push_str("<section><h2>锁定安排（已由办公室决定）</h2><table><tr><th>报名号</th><th>岗位</th><th>原因</th><th>批准人</th></tr>");
        for l in &pb.locks {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&l.candidate_id),
                esc(&l.post_id),
                esc(&l.reason),
                esc(&l.author)
            );
        }
        h.push_str("</table></section>");
    }
    h.push_str("<section><h2>求解过程</h2><table><tr><th>阶段</th><th>用时（秒）</th></tr>");
    for t in &s.seconds {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{:.2}</td></tr>",
            esc(&t.stage),
            t.seconds
        );
    }
    let _ = write!(
        h,
        "</table><p>目标（依次）：{}；阻塞对 {}，安置 {}，志愿序号和 {}</p></section>",
        esc(&s.objective_order.join(" → ")),
        s.objective.envy,
        s.objective.fill,
        s.objective.preference
    );
    // The only script: marks the page as rendered (the browser test checks it).
    h.push_str(r#"<script>document.documentElement.dataset.rendered = "1";</script>"#);
    h.push_str("</body></html>\n");
    h
}

/// Every rule in every scope: county rules as a county × rule matrix (one
/// row per county office), league and region rules as a list.
fn rules_section(h: &mut String, pb: &Problem, s: &Summary) {
    let failing = s.rules.iter().filter(|f| !f.ok).count();
    let _ = write!(
        h,
        r#"<section><h2>比例规则</h2><p>共 {} 项检查，<span id="rules-failing">{failing}</span> 项未满足（计入人数 / 总人数，要求；✓ 满足，✗ 未满足）</p>"#,
        s.rules.len()
    );
    let mut county_rules: Vec<&str> = Vec::new();
    for f in s.rules.iter().filter(|f| f.scope == RuleScope::County) {
        if !county_rules.contains(&f.rule.as_str()) {
            county_rules.push(&f.rule);
        }
    }
    let cell = |f: &crate::model::rules::RuleFigure| {
        let (cls, mark) = if f.ok {
            ("ok", "✓ 满足")
        } else {
            ("bad", "✗ 未满足")
        };
        format!(
            r#"<td class="{cls}">{} / {}，{} {:.2} {mark}</td>"#,
            f.count,
            f.total,
            match f.op {
                Op::Ge => "≥",
                Op::Le => "≤",
            },
            f.bound
        )
    };
    // (rule, county) → figure, so the table is linear in its cells.
    let by_place: std::collections::HashMap<(&str, &str), &crate::model::rules::RuleFigure> = s
        .rules
        .iter()
        .filter(|f| f.scope == RuleScope::County)
        .map(|f| ((f.rule.as_str(), f.place.as_str()), f))
        .collect();
    // Rules by their Chinese label where the model gives one.
    let label = |name: &str| -> String {
        let rule = pb.policy.rules.iter().find(|r| r.name == name);
        rule.map_or(name, |r| r.display()).to_string()
    };
    if !county_rules.is_empty() {
        h.push_str("<table><tr><th>旗县</th><th>名称</th><th>盟市</th><th>状态</th>");
        for r in &county_rules {
            let _ = write!(h, "<th>{}</th>", esc(&label(r)));
        }
        h.push_str("</tr>");
        for c in &pb.counties {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
                esc(&c.code),
                esc(&c.name),
                esc(&pb.policy.league_label(&pb.leagues[c.league.ix()])),
                c.status.zh()
            );
            for r in &county_rules {
                match by_place.get(&(*r, c.code.as_str())) {
                    Some(f) => h.push_str(&cell(f)),
                    None => h.push_str("<td>不适用</td>"),
                }
            }
            h.push_str("</tr>");
        }
        h.push_str("</table>");
    }
    let wide: Vec<_> = s
        .rules
        .iter()
        .filter(|f| f.scope != RuleScope::County)
        .collect();
    if !wide.is_empty() {
        h.push_str("<table><tr><th>规则</th><th>范围</th><th>地区</th><th>结果</th></tr>");
        for f in wide {
            let scope = if f.scope == RuleScope::League {
                "盟市"
            } else {
                "全区"
            };
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{scope}</td><td>{}</td>{}</tr>",
                esc(&label(&f.rule)),
                esc(&f.place),
                cell(f)
            );
        }
        h.push_str("</table>");
    }
    h.push_str("</section>");
}

fn placements_section(h: &mut String, pb: &Problem, sol: &Solution) {
    let ns = pb.policy.specialties.len();
    let mut by = vec![vec![0u64; ns]; pb.leagues.len()];
    for p in sol.assignment.post_of.iter().flatten() {
        let post = &pb.posts[p.ix()];
        by[post.league.ix()][post.specialty.ix()] += 1;
    }
    h.push_str("<section><h2>各盟市、各专项安置人数</h2><table><tr><th>盟市</th>");
    for sp in &pb.policy.specialties {
        let _ = write!(h, "<th>{}</th>", esc(&sp.name));
    }
    h.push_str("<th>合计</th></tr>");
    for (l, row) in by.iter().enumerate() {
        let _ = write!(
            h,
            "<tr><td>{}</td>",
            esc(&pb.policy.league_label(&pb.leagues[l]))
        );
        for n in row {
            let _ = write!(h, "<td>{n}</td>");
        }
        let _ = write!(h, "<td>{}</td></tr>", row.iter().sum::<u64>());
    }
    h.push_str("</table>");
    let series: Vec<(String, Vec<f64>)> = pb
        .policy
        .specialties
        .iter()
        .enumerate()
        .map(|(s, sp)| (sp.name.clone(), by.iter().map(|r| r[s] as f64).collect()))
        .collect();
    h.push_str(&bar_chart(
        "各盟市安置人数（按专项）",
        &league_names(pb),
        &series,
    ));
    h.push_str("</section>");
}

/// Each league as the office names it (the model's `[leagues]`), else its
/// code: short, for a chart's axis.
fn league_names(pb: &Problem) -> Vec<String> {
    pb.leagues
        .iter()
        .map(|l| {
            let named = pb.policy.league_names.iter().find(|(c, _)| c == l);
            named.map_or_else(|| l.clone(), |(_, n)| n.clone())
        })
        .collect()
}

fn ranks_section(h: &mut String, pb: &Problem, sol: &Solution) {
    let mut count: Vec<u64> = Vec::new();
    for (c, p) in sol.assignment.post_of.iter().enumerate() {
        let Some(p) = p else { continue };
        let r = pb.rank(CandidateIdx::from_ix(c), *p).unwrap_or(0) as usize;
        if count.len() <= r {
            count.resize(r + 1, 0);
        }
        count[r] += 1;
    }
    let cats: Vec<String> = (1..count.len()).map(|r| format!("第{r}志愿")).collect();
    let vals: Vec<f64> = count.iter().skip(1).map(|&n| n as f64).collect();
    h.push_str(
        "<section><h2>所得岗位的志愿序号分布</h2><table><tr><th>志愿序号</th><th>人数</th></tr>",
    );
    for (c, v) in cats.iter().zip(&vals) {
        let _ = write!(h, "<tr><td>{c}</td><td>{v}</td></tr>");
    }
    h.push_str("</table>");
    h.push_str(&bar_chart(
        "志愿序号分布（含服从调剂）",
        &cats,
        &[("人数".into(), vals)],
    ));
    h.push_str("<p>服从调剂的岗位的序号为所填志愿组数 + 1。</p></section>");
}

fn seats_section(
    h: &mut String,
    pb: &Problem,
    a: &crate::model::evaluate::Assignment,
    occ: &[u32],
    lists: &ReserveLists,
) {
    let ex = crate::output::reasons::Explainer::new(pb, a, occ.to_vec(), crate::lang::Lang::Zh);
    let mut open_league = vec![0f64; pb.leagues.len()];
    for (p, post) in pb.posts.iter().enumerate() {
        open_league[post.league.ix()] += f64::from(post.seats.saturating_sub(occ[p]));
    }
    h.push_str("<section><h2>空余名额与候补深度</h2>");
    h.push_str(&bar_chart(
        "各盟市空余名额",
        &league_names(pb),
        &[("空余名额".into(), open_league)],
    ));
    h.push_str("<table><tr><th>岗位</th><th>旗县</th><th>专项</th><th>层级</th><th>名额</th><th>已安置（含延期）</th><th>空余</th><th>候补人数 / 应有</th><th>空余原因</th></tr>");
    for (p, list) in lists {
        let post = &pb.posts[p.ix()];
        let want = reserve_length(pb.policy.reserve_ratio, post.open());
        let open = post.seats.saturating_sub(occ[p.ix()]);
        let cls = if list.len() < want {
            " class=\"bad\""
        } else {
            ""
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{open}</td><td{cls}>{} / {want}</td><td class=\"text\">{}</td></tr>",
            esc(&post.id),
            esc(&pb.counties[post.county.ix()].code),
            esc(&pb.policy.specialties[post.specialty.ix()].name),
            post.level.zh(),
            post.seats,
            occ[p.ix()],
            list.len(),
            if open > 0 {
                esc(&ex.vacancy(*p).reason)
            } else {
                String::new()
            }
        );
    }
    h.push_str("</table></section>");
}
