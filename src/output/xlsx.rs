//! The Excel lists the office hands out (`--xlsx`): 派遣名单.xlsx (one
//! sheet per league, rows grouped by county), 候补名单.xlsx (reserves per
//! post, in order) and 未安排名单.xlsx (unplaced, with reasons); with
//! `--per-county`, one workbook per county office holding its dispatch and
//! reserve lists. Chinese headers, frozen header row, filters, and column
//! widths that count a CJK character as two (rust_xlsxwriter's autofit
//! undercounts them). 身份证号 is masked unless `--show-id`.

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use crate::domain::types::{CandidateIdx, CountyIdx, PostIdx};
use crate::error::{Error, Result};
use crate::input::idcard::mask;
use crate::lang::Word;
use crate::model::Problem;
use crate::output::reasons::{Explainer, Vacancy};
use crate::output::ListDate;
use crate::solve::Solution;

/// A table for one sheet.
struct Sheet {
    name: String,
    /// The title row: plan, list, and league or county.
    title: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

fn err(e: XlsxError) -> Error {
    Error::Output(crate::msg!(
        "无法写出 Excel 名单：{e}",
        "cannot write the Excel list: {e}"
    ))
}

/// Display width of a text in Excel's character units: CJK and other wide
/// characters take two.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            let wide = (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u);
            if wide {
                2
            } else {
                1
            }
        })
        .sum()
}

/// Columns stored as numbers (Excel sums and sorts them); every other
/// cell is text, so ids and codes keep their leading zeros.
const NUMERIC: [&str; 9] = [
    "志愿序号",
    "候补位次",
    "成绩",
    "原候补位次",
    "岗位名额",
    "派遣人数",
    "空余名额",
    "申请人数",
    "符合条件人数",
];

/// Rows above the header: the title and the date, each one merged cell
/// across the table (the readers skip such banner rows).
const TITLE_ROWS: u32 = 2;

/// Printed at the foot of every page: who prepared, who checked, the stamp.
const SIGNATURE_FOOTER: &str = "&L经办人（签字）：&C审核人（签字）：&R单位（盖章）：　　　　　　";

/// A workbook of sheets, ready to print and send: a title row and the
/// date (制表日期) above the header, landscape A4 fitted to one page wide
/// with the header row repeated on every page, page numbers at the top and
/// a signature and stamp line at the foot of each page. The date is also
/// the file's creation date, so that reruns are byte-identical.
fn workbook(sheets: &[Sheet], date: ListDate) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let made = ExcelDateTime::from_ymd(date.year, date.month, date.day).map_err(err)?;
    wb.set_properties(&DocProperties::new().set_creation_datetime(&made));
    let bold = Format::new().set_bold().set_background_color("F3F3F3");
    let title = Format::new()
        .set_bold()
        .set_font_size(14)
        .set_align(FormatAlign::Center);
    let plain = Format::new().set_align(FormatAlign::Left);
    for s in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(&s.name).map_err(err)?;
        let last_col = s.header.len().saturating_sub(1) as u16;
        // One merged cell across the table (one cell for a one-column one).
        let mut banner = |row: u32, text: &str, f: &Format| {
            if last_col == 0 {
                ws.write_string_with_format(row, 0, text, f).map(|_| ())
            } else {
                ws.merge_range(row, 0, row, last_col, text, f).map(|_| ())
            }
        };
        banner(0, &s.title, &title).map_err(err)?;
        banner(1, &format!("制表日期：{}", date.zh()), &plain).map_err(err)?;
        ws.set_row_height(0, 24).map_err(err)?;
        let h = TITLE_ROWS;
        for (c, name) in s.header.iter().enumerate() {
            ws.write_string_with_format(h, c as u16, name, &bold)
                .map_err(err)?;
        }
        let numeric: Vec<bool> = s
            .header
            .iter()
            .map(|n| NUMERIC.contains(&n.as_str()))
            .collect();
        for (r, row) in s.rows.iter().enumerate() {
            let r = h + 1 + r as u32;
            for (c, v) in row.iter().enumerate() {
                match v.parse::<f64>() {
                    _ if v.is_empty() => {}
                    Ok(x) if numeric[c] => {
                        ws.write_number(r, c as u16, x).map_err(err)?;
                    }
                    _ => {
                        ws.write_string(r, c as u16, v).map_err(err)?;
                    }
                }
            }
        }
        for c in 0..s.header.len() {
            let w = s
                .rows
                .iter()
                .map(|r| display_width(&r[c]))
                .chain([display_width(&s.header[c]) + 2])
                .max()
                .unwrap_or(8)
                .clamp(6, 60);
            ws.set_column_width(c as u16, w as f64 + 1.5).map_err(err)?;
        }
        ws.set_freeze_panes(h + 1, 0).map_err(err)?;
        ws.autofilter(h, 0, h + s.rows.len() as u32, last_col)
            .map_err(err)?;
        ws.set_landscape();
        ws.set_paper_size(9); // A4
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(h, h).map_err(err)?;
        ws.set_header("&R第 &P 页，共 &N 页");
        ws.set_footer(SIGNATURE_FOOTER);
    }
    wb.save_to_buffer().map_err(err)
}

/// What the lists need from a result.
pub struct Lists<'a> {
    pb: &'a Problem,
    sol: &'a Solution,
    show_id: bool,
    reserves: &'a super::reserves::ReserveLists,
    locked: Vec<bool>,
    date: ListDate,
    /// Indices into `Problem::extra_columns` passed through to the lists.
    passed: Vec<usize>,
}

const DISPATCH_HEADER: [&str; 15] = [
    "盟市",
    "旗县代码",
    "旗县名称",
    "岗位编号",
    "服务单位",
    "专项",
    "层级",
    "项目",
    "报名号",
    "姓名",
    "身份证号",
    "专业",
    "志愿序号",
    "录取方式",
    "锁定",
];

const RESERVE_HEADER: [&str; 11] = [
    "岗位编号",
    "旗县代码",
    "盟市",
    "服务单位",
    "专项",
    "候补位次",
    "报名号",
    "姓名",
    "身份证号",
    "专业",
    "备注",
];

const REPLACEMENT_HEADER: [&str; 14] = [
    "盟市",
    "旗县代码",
    "旗县名称",
    "岗位编号",
    "服务单位",
    "专项",
    "离岗人员报名号",
    "离岗人员姓名",
    "递补人员报名号",
    "递补人员姓名",
    "身份证号",
    "录取方式",
    "原候补位次",
    "说明",
];

/// One row of 递补名单: a seat a backfill filled or could not fill.
pub struct Replacement {
    /// The post.
    pub post: PostIdx,
    /// Who left the seat (id, name); `None` for a seat that was open.
    pub left: Option<(String, String)>,
    /// Who takes it; `None` when it stays empty.
    pub by: Option<CandidateIdx>,
    /// The replacement's place on the post's reserve list before the
    /// backfill (1 = first), `None` when they were not on it.
    pub reserve_position: Option<usize>,
    /// Why the seat stays empty, or that it was open before.
    pub note: String,
}

const UNPLACED_HEADER: [&str; 6] = ["报名号", "姓名", "身份证号", "专业", "成绩", "原因"];

impl<'a> Lists<'a> {
    /// Prepare the lists of a solution.
    pub fn new(
        pb: &'a Problem,
        sol: &'a Solution,
        reserves: &'a super::reserves::ReserveLists,
        show_id: bool,
        date: ListDate,
    ) -> Self {
        let mut locked = vec![false; pb.n_candidates()];
        for l in &pb.locks {
            locked[l.candidate.ix()] = true;
        }
        Lists {
            pb,
            sol,
            show_id,
            reserves,
            locked,
            date,
            passed: (0..pb.extra_columns.len())
                .filter(|&k| {
                    let h = pb.extra_columns[k].as_str();
                    !DISPATCH_HEADER.contains(&h)
                        && !RESERVE_HEADER.contains(&h)
                        && !UNPLACED_HEADER.contains(&h)
                        && !REPLACEMENT_HEADER.contains(&h)
                })
                .collect(),
        }
    }

    /// A list's header: its own columns, then the candidates file's columns
    /// that xibu does not read (联系电话, 毕业院校 …), passed through.
    /// A header that one of the lists has already (an unused 岗位编号 in
    /// candidates.csv) is not passed through: the list's own column wins
    /// and the list reads back without a duplicate.
    fn header(&self, own: &[&str]) -> Vec<String> {
        let extra = self
            .passed
            .iter()
            .map(|&k| self.pb.extra_columns[k].clone());
        own.iter().map(|s| s.to_string()).chain(extra).collect()
    }

    /// A candidate's passed-through cells (see `header`).
    fn extra(&self, c: CandidateIdx) -> impl Iterator<Item = String> + '_ {
        let cells = &self.pb.candidates[c.ix()].extra;
        self.passed
            .iter()
            .map(move |&k| cells.get(k).cloned().unwrap_or_default())
    }

    /// The title row of a list: the plan (the model's name), the list, and
    /// where (a league, a county), or nothing for the whole region.
    fn title(&self, list: &str, place: &str) -> String {
        let plan = &self.pb.policy.name;
        match place {
            "" => format!("{plan}　{list}"),
            _ => format!("{plan}　{place}　{list}"),
        }
    }

    fn id_number(&self, c: CandidateIdx) -> String {
        let raw = self.pb.candidates[c.ix()]
            .id_number
            .as_deref()
            .unwrap_or("");
        if self.show_id || raw.is_empty() {
            raw.to_string()
        } else {
            mask(raw)
        }
    }

    /// Placed candidates `(post, candidate)` sorted by county, post, id.
    fn placed(&self, keep: impl Fn(CountyIdx) -> bool) -> Vec<(PostIdx, CandidateIdx)> {
        let pb = self.pb;
        let mut v: Vec<(PostIdx, CandidateIdx)> = self
            .sol
            .assignment
            .post_of
            .iter()
            .enumerate()
            .filter_map(|(c, p)| p.map(|p| (p, CandidateIdx::from_ix(c))))
            .filter(|(p, _)| keep(pb.posts[p.ix()].county))
            .collect();
        v.sort_by(|a, b| {
            let (pa, pb_) = (&pb.posts[a.0.ix()], &pb.posts[b.0.ix()]);
            let ca = &pb.counties[pa.county.ix()].code;
            let cb = &pb.counties[pb_.county.ix()].code;
            (ca, &pa.id, &pb.candidates[a.1.ix()].id).cmp(&(
                cb,
                &pb_.id,
                &pb.candidates[b.1.ix()].id,
            ))
        });
        v
    }

    /// 盟市, 旗县代码, 旗县名称, 岗位编号, 服务单位, 专项: where a post is, as
    /// the dispatch, replacement and vacancy lists begin.
    fn post_cells(&self, p: PostIdx) -> Vec<String> {
        let pb = self.pb;
        let post = &pb.posts[p.ix()];
        let county = &pb.counties[post.county.ix()];
        vec![
            pb.leagues[post.league.ix()].clone(),
            county.code.clone(),
            county.name.clone(),
            post.id.clone(),
            post.unit.clone(),
            pb.policy.specialties[post.specialty.ix()].name.clone(),
        ]
    }

    fn dispatch_row(&self, p: PostIdx, c: CandidateIdx) -> Vec<String> {
        let pb = self.pb;
        let post = &pb.posts[p.ix()];
        let cand = &pb.candidates[c.ix()];
        // A rank past the listed choices is the adjustment's (interface
        // §1.1): 志愿序号 is then empty, never "1" for someone who listed
        // nothing.
        let rank = pb.rank(c, p);
        let listed = rank.filter(|&r| (r as usize) <= cand.preferences.len());
        let mut row = self.post_cells(p);
        row.extend([
            post.level.zh().to_string(),
            post.project.zh().to_string(),
            cand.id.clone(),
            cand.name.clone(),
            self.id_number(c),
            cand.major.clone(),
            listed.map_or(String::new(), |r| r.to_string()),
            match (listed, rank) {
                (Some(r), _) => format!("第 {r} 志愿"),
                (None, Some(_)) => "服从调剂".to_string(),
                (None, None) => String::new(),
            },
            if self.locked[c.ix()] { "是" } else { "" }.to_string(),
        ]);
        row.extend(self.extra(c));
        row
    }

    fn reserve_rows(&self, keep: impl Fn(CountyIdx) -> bool) -> Vec<Vec<String>> {
        let pb = self.pb;
        // Everyone on several lists is told so on each: the first post to
        // call them takes them off the others.
        let mut lists_of: Vec<Vec<(PostIdx, usize)>> = vec![Vec::new(); pb.n_candidates()];
        for (p, list) in self.reserves {
            for (k, &c) in list.iter().enumerate() {
                lists_of[c.ix()].push((*p, k + 1));
            }
        }
        let note = |c: CandidateIdx, here: PostIdx| -> String {
            let others: Vec<String> = lists_of[c.ix()]
                .iter()
                .filter(|(p, _)| *p != here)
                .map(|(p, k)| format!("{}（第 {k} 位）", pb.posts[p.ix()].id))
                .collect();
            if others.is_empty() {
                String::new()
            } else {
                format!("同时为 {} 的候补", others.join("、"))
            }
        };
        let mut rows = Vec::new();
        for (p, list) in self.reserves {
            let post = &pb.posts[p.ix()];
            if !keep(post.county) {
                continue;
            }
            for (k, &c) in list.iter().enumerate() {
                let cand = &pb.candidates[c.ix()];
                let row = vec![
                    post.id.clone(),
                    pb.counties[post.county.ix()].code.clone(),
                    pb.leagues[post.league.ix()].clone(),
                    post.unit.clone(),
                    pb.policy.specialties[post.specialty.ix()].name.clone(),
                    (k + 1).to_string(),
                    cand.id.clone(),
                    cand.name.clone(),
                    self.id_number(c),
                    cand.major.clone(),
                    note(c, *p),
                ];
                rows.push(row.into_iter().chain(self.extra(c)).collect());
            }
        }
        rows
    }

    /// 派遣名单.xlsx: one sheet per league (every league, even empty).
    pub fn dispatch(&self) -> Result<Vec<u8>> {
        let pb = self.pb;
        let placed = self.placed(|_| true);
        let names = sheet_names(pb.leagues.iter().map(String::as_str));
        let sheets: Vec<Sheet> = names
            .into_iter()
            .enumerate()
            .map(|(l, name)| Sheet {
                title: self.title("派遣名单", &pb.policy.league_label(&pb.leagues[l])),
                name,
                header: self.header(&DISPATCH_HEADER),
                rows: placed
                    .iter()
                    .filter(|(p, _)| pb.posts[p.ix()].league.ix() == l)
                    .map(|&(p, c)| self.dispatch_row(p, c))
                    .collect(),
            })
            .collect();
        workbook(&sheets, self.date)
    }

    /// 候补名单.xlsx: every post's reserve list in order.
    pub fn reserves(&self) -> Result<Vec<u8>> {
        workbook(
            &[Sheet {
                name: "候补名单".into(),
                title: self.title("候补名单", ""),
                header: self.header(&RESERVE_HEADER),
                rows: self.reserve_rows(|_| true),
            }],
            self.date,
        )
    }

    /// 未安排名单.xlsx: every unplaced candidate with the reason.
    pub fn unplaced(&self, reasons: &[(CandidateIdx, String)]) -> Result<Vec<u8>> {
        let pb = self.pb;
        let rows = reasons
            .iter()
            .map(|(c, why)| {
                let cand = &pb.candidates[c.ix()];
                let row = vec![
                    cand.id.clone(),
                    cand.name.clone(),
                    self.id_number(*c),
                    cand.major.clone(),
                    cand.score.to_string(),
                    why.clone(),
                ];
                row.into_iter().chain(self.extra(*c)).collect()
            })
            .collect();
        workbook(
            &[Sheet {
                name: "未安排名单".into(),
                title: self.title("未安排名单", ""),
                header: self.header(&UNPLACED_HEADER),
                rows,
            }],
            self.date,
        )
    }

    /// 递补名单.xlsx after a backfill: per vacated seat, who left, who
    /// replaces them and their place on the reserve list before it (or
    /// why the seat stays empty); then the seats that were open before.
    pub fn replacements(&self, rows: &[Replacement]) -> Result<Vec<u8>> {
        let pb = self.pb;
        let rows = rows
            .iter()
            .map(|r| {
                let (left_id, left_name) = r.left.clone().unwrap_or_default();
                let by = |f: &dyn Fn(CandidateIdx) -> String| r.by.map_or(String::new(), f);
                let how = by(&|c| match pb.rank(c, r.post) {
                    Some(k) if (k as usize) <= pb.candidates[c.ix()].preferences.len() => {
                        format!("第 {k} 志愿")
                    }
                    Some(_) => "服从调剂".into(),
                    None => String::new(),
                });
                let position = match (r.by, r.reserve_position) {
                    (Some(_), Some(k)) => k.to_string(),
                    (Some(_), None) => "候补名单外".into(),
                    (None, _) => String::new(),
                };
                let mut row = self.post_cells(r.post);
                row.extend([
                    left_id,
                    left_name,
                    by(&|c| pb.candidates[c.ix()].id.clone()),
                    by(&|c| pb.candidates[c.ix()].name.clone()),
                    by(&|c| self.id_number(c)),
                    how,
                    position,
                    r.note.clone(),
                ]);
                match r.by {
                    Some(c) => row.extend(self.extra(c)),
                    None => row.extend(vec![String::new(); self.passed.len()]),
                }
                row
            })
            .collect();
        workbook(
            &[Sheet {
                name: "递补名单".into(),
                title: self.title("递补名单", ""),
                header: self.header(&REPLACEMENT_HEADER),
                rows,
            }],
            self.date,
        )
    }

    /// 汇总表.xlsx for leadership: sheet 汇总 — per league and specialty,
    /// seats, placed, open seats and why they stay open (the causes, by
    /// open seats), and the league's rules met; a 合计 row — and sheet
    /// 空缺岗位 — every post with open seats: how many applied, how many of
    /// them are eligible, and why the seats stay open.
    pub fn summary(&self) -> Result<Vec<u8>> {
        let pb = self.pb;
        let a = &self.sol.assignment;
        let occ = crate::model::evaluate::post_occupancy(pb, a);
        let ex = Explainer::new(pb, a, occ.clone(), crate::lang::Lang::Zh);
        let placed_at = |p: usize| occ[p].saturating_sub(pb.posts[p].incumbents);
        let vacancies: Vec<(usize, Vacancy)> = (0..pb.posts.len())
            .filter(|&p| occ[p] < pb.posts[p].seats)
            .map(|p| (p, ex.vacancy(PostIdx::from_ix(p))))
            .collect();
        // Rules met per league (county and league scopes), and in all.
        let figures = crate::model::rules::rule_figures(pb, &occ);
        let league_of = |place: &str| -> Option<usize> {
            pb.counties
                .iter()
                .find(|c| c.code == place)
                .map(|c| c.league.ix())
                .or_else(|| pb.leagues.iter().position(|l| l == place))
        };
        let met = |keep: &dyn Fn(&str) -> bool| -> String {
            let mine: Vec<_> = figures.iter().filter(|f| keep(&f.place)).collect();
            let ok = mine.iter().filter(|f| f.ok).count();
            format!("{ok}/{} 达标", mine.len())
        };
        let mut rows = Vec::new();
        let (mut all_seats, mut all_placed) = (0u32, 0u32);
        for (l, league) in pb.leagues.iter().enumerate() {
            let league = pb.policy.league_label(league);
            let league_met = met(&|place| league_of(place) == Some(l));
            for (k, specialty) in pb.policy.specialties.iter().enumerate() {
                let posts: Vec<usize> = (0..pb.posts.len())
                    .filter(|&p| {
                        let post = &pb.posts[p];
                        post.league.ix() == l && post.specialty.ix() == k && post.open() > 0
                    })
                    .collect();
                if posts.is_empty() {
                    continue;
                }
                let seats: u32 = posts.iter().map(|&p| pb.posts[p].open()).sum();
                let placed: u32 = posts.iter().map(|&p| placed_at(p)).sum();
                let mut causes: Vec<(String, u32)> = Vec::new();
                for (p, v) in vacancies.iter().filter(|(p, _)| posts.contains(p)) {
                    let open = pb.posts[*p].seats - occ[*p];
                    match causes.iter_mut().find(|(c, _)| *c == v.cause) {
                        Some(e) => e.1 += open,
                        None => causes.push((v.cause.clone(), open)),
                    }
                }
                causes.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
                let causes: Vec<String> = causes
                    .iter()
                    .map(|(c, n)| format!("{c}（{n} 个名额）"))
                    .collect();
                all_seats += seats;
                all_placed += placed;
                rows.push(vec![
                    league.clone(),
                    specialty.name.clone(),
                    seats.to_string(),
                    placed.to_string(),
                    (seats - placed).to_string(),
                    causes.join("；"),
                    league_met.clone(),
                ]);
            }
        }
        rows.push(vec![
            "合计".into(),
            String::new(),
            all_seats.to_string(),
            all_placed.to_string(),
            (all_seats - all_placed).to_string(),
            String::new(),
            met(&|_| true),
        ]);
        let open_rows = vacancies
            .iter()
            .map(|(p, v)| {
                let mut row = self.post_cells(PostIdx::from_ix(*p));
                row.extend([
                    (pb.posts[*p].seats - occ[*p]).to_string(),
                    v.applied.to_string(),
                    v.eligible.to_string(),
                    v.reason.clone(),
                ]);
                row
            })
            .collect();
        let own = |h: &[&str]| h.iter().map(|s| s.to_string()).collect();
        workbook(
            &[
                Sheet {
                    name: "汇总".into(),
                    title: self.title("派遣情况汇总", ""),
                    header: own(&[
                        "盟市",
                        "专项",
                        "岗位名额",
                        "派遣人数",
                        "空余名额",
                        "空缺原因",
                        "规定达标",
                    ]),
                    rows,
                },
                Sheet {
                    name: "空缺岗位".into(),
                    title: self.title("空缺岗位说明", ""),
                    header: own(&[
                        "盟市",
                        "旗县代码",
                        "旗县名称",
                        "岗位编号",
                        "服务单位",
                        "专项",
                        "空余名额",
                        "申请人数",
                        "符合条件人数",
                        "原因",
                    ]),
                    rows: open_rows,
                },
            ],
            self.date,
        )
    }

    /// One workbook per county office: (file name, bytes), with sheets
    /// 派遣名单 and 候补名单. Every county gets one, and the title of a
    /// county where nobody is dispatched says so.
    pub fn per_county(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let pb = self.pb;
        let mut out = Vec::new();
        for (k, county) in pb.counties.iter().enumerate() {
            let here = |x: CountyIdx| x.ix() == k;
            let rows: Vec<Vec<String>> = self
                .placed(here)
                .into_iter()
                .map(|(p, c)| self.dispatch_row(p, c))
                .collect();
            let place = format!("{}（{}）", county.name, county.code);
            let nobody = if !pb.posts.iter().any(|p| here(p.county)) {
                "　本轮无岗位，无派遣人员"
            } else if rows.is_empty() {
                "　本轮无派遣人员"
            } else {
                ""
            };
            let bytes = workbook(
                &[
                    Sheet {
                        name: "派遣名单".into(),
                        title: format!("{}{nobody}", self.title("派遣名单", &place)),
                        header: self.header(&DISPATCH_HEADER),
                        rows,
                    },
                    Sheet {
                        name: "候补名单".into(),
                        title: self.title("候补名单", &place),
                        header: self.header(&RESERVE_HEADER),
                        rows: self.reserve_rows(here),
                    },
                ],
                self.date,
            )?;
            // Distinct even where two codes clean up to one name, or differ
            // only in case (one file on Windows).
            let base = county_file_name(&county.code, &county.name);
            let mut name = base.clone();
            let mut k = 2;
            while out
                .iter()
                .any(|(n, _): &(String, Vec<u8>)| n.to_lowercase() == name.to_lowercase())
            {
                name = format!("{}~{k}.xlsx", base.trim_end_matches(".xlsx"));
                k += 1;
            }
            out.push((name, bytes));
        }
        Ok(out)
    }
}

/// Sheet names Excel accepts, one per text, all different: at most 31
/// characters, none of `[]:*?/\\`, no apostrophe at either end, not
/// `History`, and distinct ignoring case (Excel's rule) — a clash gets
/// `~2`, `~3`… so two league codes never fail the workbook after a solve.
fn sheet_names<'s>(texts: impl IntoIterator<Item = &'s str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in texts {
        let mut clean: Vec<char> = s
            .chars()
            .map(|c| {
                if "[]:*?/\\".contains(c) || c.is_control() {
                    '_'
                } else {
                    c
                }
            })
            .collect();
        for end in [0, clean.len().saturating_sub(1)] {
            if clean.get(end) == Some(&'\'') {
                clean[end] = '_';
            }
        }
        let mut base: String = clean.into_iter().take(31).collect();
        if base.is_empty() {
            base = "-".into();
        }
        if base.eq_ignore_ascii_case("history") {
            base.push('_');
        }
        let taken = |n: &str| names.iter().any(|x| x.to_lowercase() == n.to_lowercase());
        let mut name = base.clone();
        let mut k = 2;
        while taken(&name) {
            let suffix = format!("~{k}");
            let keep = 31 - suffix.len();
            name = base.chars().take(keep).collect::<String>() + &suffix;
            k += 1;
        }
        names.push(name);
    }
    names
}

/// `旗县-<code>-<name>.xlsx`, with characters no file system likes replaced.
pub(crate) fn county_file_name(code: &str, name: &str) -> String {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if "/\\:*?\"<>|".contains(c) || c.is_control() {
                    '_'
                } else {
                    c
                }
            })
            .collect()
    };
    if name.is_empty() {
        format!("旗县-{}.xlsx", safe(code))
    } else {
        format!("旗县-{}-{}.xlsx", safe(code), safe(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_counts_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("乡村教育"), 8);
        assert_eq!(display_width("P01（乡镇）"), 3 + 8);
    }

    #[test]
    fn names_are_safe() {
        assert_eq!(sheet_names(["a/b[c]"]), ["a_b_c_"]);
        assert_eq!(sheet_names([&*"x".repeat(40)])[0].len(), 31);
    }

    #[test]
    fn sheet_names_never_clash_and_excel_accepts_them() {
        let long = "L".repeat(40);
        let codes = ["a/b", "a_b", "A_B", "'x'", "History", &long, &long, ""];
        let names = sheet_names(codes);
        assert_eq!(names[..3], ["a_b", "a_b~2", "A_B~3"]);
        assert_eq!(names[3], "_x_");
        assert_eq!(names[4], "History_");
        assert_eq!(names[6].chars().count(), 31);
        assert!(names[6].ends_with("~2"));
        let mut lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
        lower.sort();
        lower.dedup();
        assert_eq!(lower.len(), names.len());
        let sheets: Vec<Sheet> = names
            .into_iter()
            .map(|name| Sheet {
                name,
                title: "标题".into(),
                header: vec!["h".to_string()],
                rows: vec![vec!["v".repeat(crate::input::table::MAX_CELL_CHARS)]],
            })
            .collect();
        let date = "2026-12-02".parse().unwrap();
        workbook(&sheets, date).expect("Excel accepts every name and the longest cell");
        assert_eq!(
            county_file_name("150121", "土默特/左旗"),
            "旗县-150121-土默特_左旗.xlsx"
        );
    }
}
