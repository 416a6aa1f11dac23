//! `xibu generate`: realistic synthetic instances valid for the 2023 model —
//! Inner Mongolia's shape (12 leagues, ~100 counties), specialties in
//! sensible proportions, ≥ 90 % township posts, skewed post popularity, 1–5
//! choices with some county/league groups, ~30 % adjustable. Used by the
//! benches, the large-pool tests and `data-samples/`.

use std::path::Path;

use crate::error::{Error, Result};
use crate::input::records::{
    ColumnSpecs, CANDIDATE_COLUMNS, COUNTY_COLUMNS, INCUMBENT_COLUMNS, POST_COLUMNS,
};
use crate::model::priority::splitmix64;
use crate::output::commit::{OutputDir, SetKind};
use crate::output::csvfile::csv_bytes;

/// The 2023-2024 Inner Mongolia model, shipped with every generated instance.
pub const MODEL_2023: &str = include_str!("../models/inner-mongolia-2023-2024.toml");

/// Options of `generate`.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// Number of candidates.
    pub candidates: usize,
    /// Number of posts.
    pub posts: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// Chinese headers and values (as an office's export would have).
    pub chinese: bool,
    /// How to write the tables.
    pub format: TableFormat,
    /// Counties whose township and rural-education posts only just meet
    /// the rules' shares, with those posts less sought after: deferred
    /// acceptance then breaks many county rules (the hard case for the
    /// exact engine and its bounds).
    pub tight: bool,
    /// Adjustable applicants accept every post of their province (model
    /// `[adjustment] scope = "province"`) instead of the leagues they list.
    pub province_wide: bool,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            candidates: 100,
            posts: 20,
            seed: 0,
            chinese: false,
            format: TableFormat::Csv,
            tight: false,
            province_wide: false,
        }
    }
}

/// File format of generated tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// UTF-8 CSV.
    Csv,
    /// UTF-8 CSV with a BOM (what Excel writes as "CSV UTF-8").
    CsvBom,
    /// GBK (GB18030) CSV, as Excel writes on Chinese Windows.
    CsvGbk,
    /// `.xlsx`, numbers stored as numbers.
    Xlsx,
}

impl std::str::FromStr for TableFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "csv" => Ok(TableFormat::Csv),
            "csv-bom" => Ok(TableFormat::CsvBom),
            "gbk" => Ok(TableFormat::CsvGbk),
            "xlsx" => Ok(TableFormat::Xlsx),
            _ => Err(format!(
                "unknown format {s:?}; use csv, csv-bom, gbk or xlsx"
            )),
        }
    }
}

/// A small deterministic generator (SplitMix64 stream).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        splitmix64(self.0)
    }
    /// Uniform in [0, 1).
    fn f(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f() < p
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.f().max(1e-12), self.f());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    /// Index by weights.
    fn weighted(&mut self, w: &[f64]) -> usize {
        let total: f64 = w.iter().sum();
        let mut x = self.f() * total;
        for (i, &wi) in w.iter().enumerate() {
            if x < wi {
                return i;
            }
            x -= wi;
        }
        w.len() - 1
    }
}

/// Draw an index by cumulative weights (binary search: O(log n) a draw,
/// so that national-size pools generate quickly).
fn pick(rng: &mut Rng, cum: &[f64]) -> usize {
    let x = rng.f() * cum.last().copied().unwrap_or(0.0);
    cum.partition_point(|&c| c <= x)
        .min(cum.len().saturating_sub(1))
}

/// Inner Mongolia's 12 leagues/cities with their number of banners/counties.
const LEAGUES: &[(&str, &str, usize)] = &[
    ("1501", "呼和浩特市", 9),
    ("1502", "包头市", 9),
    ("1503", "乌海市", 3),
    ("1504", "赤峰市", 12),
    ("1505", "通辽市", 8),
    ("1506", "鄂尔多斯市", 9),
    ("1507", "呼伦贝尔市", 14),
    ("1508", "巴彦淖尔市", 7),
    ("1509", "乌兰察布市", 11),
    ("1522", "兴安盟", 6),
    ("1525", "锡林郭勒盟", 12),
    ("1529", "阿拉善盟", 3),
];

/// Posts above which Inner Mongolia's 103 counties would hold more than
/// 20 posts each: national- and stress-sized instances get more leagues.
const BEYOND_INNER_MONGOLIA: usize = 2_060;

/// Western provinces (code prefix, name) whose prefectures (8 counties
/// each) extend the 12 leagues for national-sized instances.
const PROVINCES: &[(&str, &str)] = &[
    ("45", "广西"),
    ("50", "重庆"),
    ("51", "四川"),
    ("52", "贵州"),
    ("53", "云南"),
    ("54", "西藏"),
    ("61", "陕西"),
    ("62", "甘肃"),
    ("63", "青海"),
    ("64", "宁夏"),
    ("65", "新疆"),
];

/// Leagues (code, name, counties): Inner Mongolia's 12; beyond
/// `BEYOND_INNER_MONGOLIA` posts, prefectures of the other western provinces
/// until there is a county for every five posts — so that a league (the
/// adjustment scope) stays the size of a real one.
fn leagues_for(n_posts: usize) -> Vec<(String, String, usize)> {
    let mut v: Vec<(String, String, usize)> = LEAGUES
        .iter()
        .map(|&(c, n, k)| (c.to_string(), n.to_string(), k))
        .collect();
    if n_posts > BEYOND_INNER_MONGOLIA {
        let want = n_posts / 5;
        let mut have: usize = v.iter().map(|l| l.2).sum();
        // Codes are 4 digits (they start 身份证号): at most 99 prefectures
        // per province; the largest pools get more counties per prefecture.
        let per = want
            .saturating_sub(have)
            .div_ceil(PROVINCES.len() * 99)
            .clamp(8, 70);
        'more: for pref in 1..100 {
            for &(code, name) in PROVINCES {
                if have >= want {
                    break 'more;
                }
                v.push((format!("{code}{pref:02}"), format!("{name}第{pref}市"), per));
                have += per;
            }
        }
    }
    v
}

/// Specialty keys, Chinese names and share of posts.
const SPECIALTIES: &[(&str, &str, f64)] = &[
    ("rural_education", "乡村教育", 0.32),
    ("rural_construction", "服务乡村建设", 0.24),
    ("rural_health", "健康乡村", 0.15),
    ("youth_work", "基层青年工作", 0.06),
    ("social_governance", "乡村社会治理", 0.20),
    ("xinjiang", "服务新疆", 0.03),
];

/// Majors: code, name, weight, and the specialty they suit best (index).
const MAJORS: &[(&str, &str, f64, usize)] = &[
    ("040101", "教育学", 3.0, 0),
    ("040104", "教育技术学", 2.0, 0),
    ("040107", "小学教育", 4.0, 0),
    ("050101", "汉语言文学", 5.0, 4),
    ("050201", "英语", 4.0, 0),
    ("070101", "数学与应用数学", 4.0, 0),
    ("090101", "农学", 3.0, 1),
    ("090301", "动物科学", 2.0, 1),
    ("090501", "林学", 1.5, 1),
    ("081101", "水利水电工程", 1.5, 1),
    ("082305", "农业水利工程", 1.0, 1),
    ("082502", "环境工程", 1.5, 1),
    ("080901", "计算机科学与技术", 5.0, 1),
    ("120801", "电子商务", 2.0, 1),
    ("120301", "农林经济管理", 1.5, 1),
    ("100201K", "临床医学", 3.0, 2),
    ("101101", "护理学", 4.0, 2),
    ("100401K", "预防医学", 1.0, 2),
    ("030101K", "法学", 4.0, 4),
    ("020101", "经济学", 4.0, 4),
    ("030302", "社会工作", 2.0, 4),
    ("120402", "行政管理", 3.0, 4),
    ("060101", "历史学", 2.0, 4),
    ("030201", "政治学与行政学", 1.5, 4),
    ("040201", "体育教育", 2.0, 4),
    ("080202", "机械设计制造及其自动化", 3.0, 5),
    ("130201", "音乐表演", 1.5, 3),
    ("120203K", "会计学", 5.0, 3),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "胡", "朱", "郭",
    "何", "罗", "高", "林", "乌", "包", "白", "其",
];
const GIVEN: &[&str] = &[
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "慧",
    "巴特尔",
    "其其格",
    "苏日娜",
    "那仁",
    "宇",
    "婷",
    "浩然",
    "子涵",
    "雨桐",
    "思远",
];

struct GCounty {
    code: String,
    name: String,
    league: usize,
    status: &'static str,
    scale: Option<u32>,
}

struct GPost {
    id: String,
    county: usize,
    unit: String,
    specialty: usize,
    township: bool,
    seats: u32,
    national: bool,
    degree_min: Option<&'static str>,
    majors_required: Option<String>,
    weight: f64,
}

const RURAL_EDUCATION: usize = 0;
const YOUTH_WORK: usize = 3;
const SOCIAL_GOVERNANCE: usize = 4;

/// What share of its seats a county's posts give township level and
/// rural education, as `shape_counties` designs them.
struct Shares {
    /// Most county-level seats, as 1/n of the county's seats.
    county_level_one_in: u32,
    /// Fewest rural-education seats, as the fraction (num, den) of the
    /// county's seats.
    rural_education: (u32, u32),
}

/// Comfortable shares: ≥ 95 % township, ≥ 30 % rural education.
const COMFORTABLE: Shares = Shares {
    county_level_one_in: 20,
    rural_education: (3, 10),
};

/// The rules' own minimum (`--tight`): ≥ 90 % township (95 % in new
/// counties, see `shape_counties`), ≥ 25 % rural education.
const TIGHT: Shares = Shares {
    county_level_one_in: 10,
    rural_education: (1, 4),
};

/// Give every county the post structure the notice asks of it (二(一)3):
/// rural education ≥ 30 % of its seats, youth work ≤ 10 %, ≥ 95 % township —
/// by converting posts, as a county office would when it designs its posts.
/// Tight (`--tight`): only the rules' minimum, ≥ 25 % and ≥ 90 % (≥ 95 %
/// in new counties).
fn shape_counties(posts: &mut [GPost], counties: &[GCounty], tight: bool) {
    let shares = if tight { TIGHT } else { COMFORTABLE };
    for (k, county) in counties.iter().enumerate() {
        let one_in = if county.status == "new" {
            shares.county_level_one_in.max(20)
        } else {
            shares.county_level_one_in
        };
        // Rural-education seats × `den` must reach seats × `num`.
        let (num, den) = shares.rural_education;
        let mine: Vec<usize> = (0..posts.len()).filter(|&i| posts[i].county == k).collect();
        let seats: u32 = mine.iter().map(|&i| posts[i].seats).sum();
        let sum = |posts: &[GPost], f: &dyn Fn(&GPost) -> bool| -> u32 {
            mine.iter()
                .filter(|&&i| f(&posts[i]))
                .map(|&i| posts[i].seats)
                .sum()
        };
        for &i in &mine {
            let youth = sum(posts, &|p| p.specialty == YOUTH_WORK);
            if posts[i].specialty == YOUTH_WORK && youth * 10 > seats {
                // Shrink the post to what the cap leaves, or re-purpose it.
                let others = youth - posts[i].seats;
                let room = (seats / 10).saturating_sub(others);
                if room >= 1 {
                    posts[i].seats = room;
                } else {
                    posts[i].specialty = SOCIAL_GOVERNANCE;
                }
            }
            if !posts[i].township && sum(posts, &|p| !p.township) * one_in > seats {
                posts[i].township = true;
            }
        }
        for &i in &mine {
            if sum(posts, &|p| p.specialty == RURAL_EDUCATION) * den >= seats * num {
                break;
            }
            if posts[i].specialty != RURAL_EDUCATION {
                posts[i].specialty = RURAL_EDUCATION;
                posts[i].majors_required = None;
            }
        }
    }
}

/// The generated tables, as rows of canonical (English) values.
pub struct Generated {
    /// candidates.csv rows (header = `CANDIDATE_COLUMNS` names).
    pub candidates: Vec<Vec<String>>,
    /// posts.csv rows.
    pub posts: Vec<Vec<String>>,
    /// counties.csv rows.
    pub counties: Vec<Vec<String>>,
    /// incumbents.csv rows.
    pub incumbents: Vec<Vec<String>>,
}

impl Generated {
    /// Each table with its file stem and columns, in writing order.
    pub(crate) fn tables(&self) -> [(&'static str, ColumnSpecs, &Vec<Vec<String>>); 4] {
        [
            ("candidates", CANDIDATE_COLUMNS, &self.candidates),
            ("posts", POST_COLUMNS, &self.posts),
            ("counties", COUNTY_COLUMNS, &self.counties),
            ("incumbents", INCUMBENT_COLUMNS, &self.incumbents),
        ]
    }
}

fn id_number(rng: &mut Rng, league: &str) -> String {
    let mut s = format!(
        "{league}{:02}{}{:02}{:02}{:03}",
        1 + rng.below(20),
        1996 + rng.below(8),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(1000)
    );
    let check = crate::input::idcard::check_char(s.as_bytes()).expect("17 digits");
    s.push(check as char);
    s
}

/// Generate an instance in memory.
pub fn generate(opts: &GenerateOptions) -> Generated {
    let mut rng = Rng(opts.seed ^ 0x005e_ed0f_0e57_u64);
    let n_posts = opts.posts.max(1);
    let leagues = leagues_for(n_posts);
    let total_counties: usize = leagues.iter().map(|l| l.2).sum();
    // Counties: about one per five posts (a county office has ~10 volunteers).
    let n_counties = (n_posts / 5).clamp(1, total_counties);
    let mut counties = Vec::new();
    'outer: for round in 0.. {
        for (l, (code, name, k)) in leagues.iter().enumerate() {
            let (code, k) = (code.as_str(), *k);
            if round < k {
                if counties.len() == n_counties {
                    break 'outer;
                }
                let status = match rng.f() {
                    x if x < 0.08 => "new",
                    x if x < 0.09 && n_counties >= 40 => "suspended",
                    _ => "active",
                };
                counties.push(GCounty {
                    code: format!("{code}{:02}", 21 + round),
                    name: format!("{name}第{}旗县", round + 1),
                    league: l,
                    status,
                    scale: None,
                });
            }
        }
        if round > 75 {
            break;
        }
    }
    // County popularity: a few counties (league seats, famous places) draw most.
    let county_weight: Vec<f64> = (0..counties.len())
        .map(|_| (-rng.f().ln()).powf(1.5) + 0.05)
        .collect();

    let mut spec_w: Vec<f64> = SPECIALTIES.iter().map(|s| s.2).collect();
    if opts.tight {
        // Fewer rural-education posts to start with: shaping then brings
        // each county just to the rule's 25 %.
        spec_w[RURAL_EDUCATION] = 0.12;
    }
    let mut posts = Vec::with_capacity(n_posts);
    for i in 0..n_posts {
        let county = if i < counties.len() {
            i
        } else {
            rng.below(counties.len())
        };
        let specialty = rng.weighted(&spec_w);
        let seats = 1 + rng.weighted(&[0.35, 0.3, 0.2, 0.1, 0.05]) as u32;
        let majors_required = if rng.chance(0.08) {
            let options: Vec<&str> = MAJORS
                .iter()
                .filter(|m| m.3 == specialty)
                .map(|m| &m.0[..4])
                .collect();
            options.get(rng.below(options.len())).map(|s| s.to_string())
        } else {
            None
        };
        posts.push(GPost {
            id: format!("P{:05}", i + 1),
            county,
            unit: String::new(),
            specialty,
            township: rng.chance(if opts.tight { 0.8 } else { 0.95 }),
            seats,
            national: rng.chance(0.45),
            degree_min: if rng.chance(0.04) {
                Some("master")
            } else {
                None
            },
            majors_required,
            weight: county_weight[county] * (-rng.f().ln()).powf(1.2),
        });
    }
    shape_counties(&mut posts, &counties, opts.tight);
    if opts.tight {
        // The posts that keep a county within its rules draw fewer
        // applicants: county-seat posts and other specialties are sought
        // after, as offices report.
        for p in &mut posts {
            if p.specialty == RURAL_EDUCATION {
                p.weight *= 0.02;
            }
            if !p.township {
                p.weight *= 6.0;
            }
        }
    }
    for (i, p) in posts.iter_mut().enumerate() {
        p.unit = format!("{}服务单位{}", SPECIALTIES[p.specialty].1, i + 1);
    }
    // Scales: a fifth of the counties are capped a little below their seats.
    let mut county_seats = vec![0u32; counties.len()];
    for p in &posts {
        county_seats[p.county] += p.seats;
    }
    for (k, c) in counties.iter_mut().enumerate() {
        if county_seats[k] > 0 && rng.chance(0.2) {
            c.scale = Some((f64::from(county_seats[k]) * 0.85).ceil() as u32);
        }
    }
    // Incumbents: half the rural-education township posts with 2+ seats keep
    // one continuing volunteer (most who extend are 支教 volunteers). There
    // they never break a share rule, so nobody-placed stays feasible.
    let mut incumbents = Vec::new();
    for p in &posts {
        if p.seats >= 2 && p.specialty == 0 && p.township && rng.chance(0.5) {
            incumbents.push(vec![format!("I{:05}", incumbents.len() + 1), p.id.clone()]);
        }
    }

    let post_cum: Vec<f64> = posts
        .iter()
        .scan(0.0, |acc, p| {
            *acc += p.weight;
            Some(*acc)
        })
        .collect();
    let major_w: Vec<f64> = MAJORS.iter().map(|m| m.2).collect();
    let mut cands = Vec::with_capacity(opts.candidates);
    let b = |x: bool| if x { "1" } else { "0" }.to_string();
    for i in 0..opts.candidates {
        let m = &MAJORS[rng.weighted(&major_w)];
        let degree =
            ["associate", "bachelor", "master", "doctor"][rng.weighted(&[0.15, 0.75, 0.09, 0.01])];
        let teacher = rng.chance(if m.0.starts_with("04") || m.3 == 0 {
            0.5
        } else {
            0.05
        });
        let health = ["pass", "pending", "fail"][rng.weighted(&[0.85, 0.12, 0.03])];
        let score = (65.0 + 11.0 * rng.normal()).clamp(20.0, 100.0);
        let project = ["any", "national", "local"][rng.weighted(&[0.4, 0.3, 0.3])];
        // Tight: fewer accept adjustment (they would fill the posts that
        // keep counties within their rules).
        let adjustable = rng.chance(if opts.tight { 0.05 } else { 0.3 });
        // Beyond Inner Mongolia an applicant applies to one province (as
        // the Western Plan asks) and lists at least one choice: "adjustable
        // with no choice" would otherwise accept every post of the country.
        let national_pool = n_posts > BEYOND_INNER_MONGOLIA;
        let n_choices = if adjustable && !national_pool && rng.chance(0.05) {
            0
        } else {
            1 + rng.weighted(&[0.2, 0.25, 0.25, 0.15, 0.15])
        };
        let province = |p: &GPost| &leagues[counties[p.county].league].0[..2];
        let mut home: Option<&str> = None;
        let mut prefs: Vec<String> = Vec::new();
        for _ in 0..n_choices {
            // Most applicants choose posts of the project they applied to
            // (and, in a national pool, of their province).
            let mut p = &posts[pick(&mut rng, &post_cum)];
            for _ in 0..if national_pool { 20 } else { 5 } {
                let fits = match project {
                    "national" => p.national,
                    "local" => !p.national,
                    _ => true,
                };
                let at_home = home.is_none_or(|h| h == province(p));
                if (fits || rng.chance(0.1)) && at_home {
                    break;
                }
                p = &posts[pick(&mut rng, &post_cum)];
            }
            if national_pool && home.is_none() {
                home = Some(province(p));
            }
            if home.is_some_and(|h| h != province(p)) {
                continue;
            }
            let one_post = if opts.tight { 0.98 } else { 0.82 };
            let choice = match rng.f() {
                x if x < one_post => p.id.clone(),
                x if x < 0.94_f64.max(one_post + 0.01) => {
                    format!("county:{}", counties[p.county].code)
                }
                _ => format!("league:{}", leagues[counties[p.county].league].0),
            };
            if !prefs.contains(&choice) {
                prefs.push(choice);
            }
        }
        let home = leagues[rng.below(leagues.len())].0.as_str();
        cands.push(vec![
            format!("C{:06}", i + 1),
            format!(
                "{}{}",
                SURNAMES[rng.below(SURNAMES.len())],
                GIVEN[rng.below(GIVEN.len())]
            ),
            id_number(&mut rng, home),
            degree.to_string(),
            m.0.to_string(),
            m.1.to_string(),
            b(teacher),
            b(rng.chance(0.97)),
            b(rng.chance(0.98)),
            health.to_string(),
            b(rng.chance(0.4)),
            b(rng.chance(0.2)),
            format!("{score:.1}"),
            project.to_string(),
            b(adjustable),
            prefs.join(";"),
        ]);
    }

    Generated {
        candidates: cands,
        posts: posts
            .iter()
            .map(|p| {
                let c = &counties[p.county];
                vec![
                    p.id.clone(),
                    c.code.clone(),
                    leagues[c.league].0.clone(),
                    p.unit.clone(),
                    SPECIALTIES[p.specialty].0.to_string(),
                    if p.township { "township" } else { "county" }.to_string(),
                    p.seats.to_string(),
                    if p.national { "national" } else { "local" }.to_string(),
                    p.degree_min.unwrap_or("").to_string(),
                    p.majors_required.clone().unwrap_or_default(),
                ]
            })
            .collect(),
        counties: counties
            .iter()
            .map(|c| {
                vec![
                    c.code.clone(),
                    c.name.clone(),
                    leagues[c.league].0.clone(),
                    c.status.to_string(),
                    c.scale.map(|s| s.to_string()).unwrap_or_default(),
                ]
            })
            .collect(),
        incumbents,
    }
}

/// Chinese spelling of a canonical value, as an office's export has it.
/// The Chinese words of a closed-valued column, (canonical, Chinese), as
/// an office's export writes them and the readers accept them (interface
/// §1); empty for other columns.
pub(crate) fn chinese_values(column: &str) -> &'static [(&'static str, &'static str)] {
    match column {
        "teacher_training"
        | "graduating"
        | "diploma_by_arrival"
        | "volunteer_experience"
        | "student_leader"
        | "adjustable" => &[("1", "是"), ("0", "否")],
        "degree" | "degree_min" => &[
            ("associate", "专科"),
            ("bachelor", "本科"),
            ("master", "硕士"),
            ("doctor", "博士"),
        ],
        "health" => &[("pass", "合格"), ("fail", "不合格"), ("pending", "待定")],
        "project" => &[("national", "全国"), ("local", "地方"), ("any", "不限")],
        "level" => &[("township", "乡镇"), ("county", "县级")],
        "status" => &[("active", "正常"), ("new", "新增"), ("suspended", "暂停")],
        "specialty" => &[
            ("rural_education", "乡村教育"),
            ("rural_construction", "服务乡村建设"),
            ("rural_health", "健康乡村"),
            ("youth_work", "基层青年工作"),
            ("social_governance", "乡村社会治理"),
            ("xinjiang", "服务新疆"),
        ],
        _ => &[],
    }
}

fn to_chinese(column: &str, v: &str) -> String {
    let map = match column {
        "preferences" => {
            return v
                .replace("county:", "旗县:")
                .replace("league:", "盟市:")
                .replace(';', "；")
        }
        c => chinese_values(c),
    };
    map.iter()
        .find(|(k, _)| *k == v)
        .map_or_else(|| v.to_string(), |(_, z)| z.to_string())
}

/// Write one table in the chosen format and language.
/// A table's header (Chinese: the first alias) and rows (Chinese values),
/// as an office's export writes them.
pub(crate) fn table_rows_zh(
    specs: ColumnSpecs,
    rows: &[Vec<String>],
) -> (Vec<String>, Vec<Vec<String>>) {
    table_rows(specs, rows, true)
}

fn table_rows(
    specs: ColumnSpecs,
    rows: &[Vec<String>],
    chinese: bool,
) -> (Vec<String>, Vec<Vec<String>>) {
    let header: Vec<String> = specs
        .iter()
        .map(|s| {
            if chinese {
                s.aliases.first().copied().unwrap_or(s.name).to_string()
            } else {
                s.name.to_string()
            }
        })
        .collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .zip(specs.iter())
                .map(|(v, s)| {
                    if chinese {
                        to_chinese(s.name, v)
                    } else {
                        v.clone()
                    }
                })
                .collect()
        })
        .collect();
    (header, body)
}

pub(crate) fn table_bytes(
    specs: ColumnSpecs,
    rows: &[Vec<String>],
    chinese: bool,
    format: TableFormat,
) -> Result<Vec<u8>> {
    let (header, body) = table_rows(specs, rows, chinese);
    if format == TableFormat::Xlsx {
        return xlsx_bytes(&header, &body);
    }
    let utf8 = csv_bytes(&header, &body);
    Ok(match format {
        TableFormat::CsvBom => [b"\xEF\xBB\xBF".as_slice(), &utf8].concat(),
        TableFormat::CsvGbk => {
            let text = String::from_utf8(utf8).expect("utf-8");
            encoding_rs::GB18030.encode(&text).0.into_owned()
        }
        _ => utf8,
    })
}

/// An `.xlsx` with one sheet. Cells that look like numbers are stored as
/// numbers, as Excel does — except values with a leading zero or 16+
/// characters (codes and ID numbers an office formats as text).
fn xlsx_bytes(header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    xlsx_with_lists(header, rows, &[])
}

/// Rows below the header that `xibu template`'s drop-down lists cover.
const LIST_ROWS: u32 = 2000;

/// A workbook of one table; `lists` (column, allowed values) become
/// drop-down lists over the first `LIST_ROWS` rows (`xibu template`).
pub(crate) fn xlsx_with_lists(
    header: &[String],
    rows: &[Vec<String>],
    lists: &[(usize, Vec<String>)],
) -> Result<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let err = |e: rust_xlsxwriter::XlsxError| {
        Error::Output(crate::msg!(
            "无法写出 Excel 表：{e}",
            "cannot write the Excel table: {e}"
        ))
    };
    // A fixed creation date keeps generated workbooks byte-identical.
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2023, 5, 20).map_err(err)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&date));
    let ws = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, h).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            let numeric = v.parse::<f64>().ok().filter(|_| {
                !(v.len() > 1 && v.starts_with('0') && !v.starts_with("0.")) && v.len() < 16
            });
            match numeric {
                Some(x) => ws.write_number(r, c, x).map_err(err)?,
                None if v.is_empty() => ws,
                None => ws.write_string(r, c, v).map_err(err)?,
            };
        }
    }
    for (c, values) in lists {
        let dv = rust_xlsxwriter::DataValidation::new()
            .allow_list_strings(values)
            .map_err(err)?
            .set_error_title("不在可选范围")
            .map_err(err)?
            .set_error_message(format!("请从下拉列表中选择：{}", values.join("、")))
            .map_err(err)?;
        ws.add_data_validation(1, *c as u16, LIST_ROWS, *c as u16, &dv)
            .map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// The 2023 model (with adjustment by province when asked); beyond Inner
/// Mongolia's size its project quotas (815 national, 1,000 local for
/// ~1,800 seats) grow with the seats in the same proportion, so that the
/// instance stays feasible.
fn model_for(opts: &GenerateOptions, g: &Generated) -> String {
    let model = if opts.province_wide {
        // The model's first `scope = "league"` is its [adjustment] table's
        // (the rules' scopes are counties); tests/policy_model.rs checks it.
        MODEL_2023.replacen("\nscope = \"league\"\n", "\nscope = \"province\"\n", 1)
    } else {
        MODEL_2023.to_string()
    };
    if opts.posts <= BEYOND_INNER_MONGOLIA {
        return model;
    }
    let seats: u64 = g
        .posts
        .iter()
        .filter_map(|p| p[6].parse::<u64>().ok())
        .sum();
    let scale = |q: u64| (q * seats).div_ceil(1_713);
    model
        .replacen("national = 815", &format!("national = {}", scale(815)), 1)
        .replacen("local = 1000", &format!("local = {}", scale(1000)), 1)
}

/// Most candidates `generate` makes (the stress tier is 1,000,000).
pub const MAX_CANDIDATES: usize = 10_000_000;
/// Most posts `generate` makes.
pub const MAX_POSTS: usize = 1_000_000;

/// `xibu generate`: write candidates, posts, counties, incumbents and the
/// 2023 model into `out`.
pub fn write_generated(opts: &GenerateOptions, out: &Path) -> Result<()> {
    // Past these sizes the instance would not fit in memory; say so
    // instead of failing to allocate.
    for (flag, n, most) in [
        ("--candidates", opts.candidates, MAX_CANDIDATES),
        ("--posts", opts.posts, MAX_POSTS),
    ] {
        if n > most {
            return Err(Error::Input(vec![crate::Diagnostic::new(
                flag,
                1,
                1,
                crate::msg!(
                    "{n} 超过 generate 能生成的数量（最多 {most}）",
                    "{n} is more than generate makes (at most {most})"
                ),
            )]));
        }
    }
    let g = generate(opts);
    let ext = if opts.format == TableFormat::Xlsx {
        "xlsx"
    } else {
        "csv"
    };
    let mut dir = OutputDir::open(out, SetKind::Generated)?;
    for (name, specs, rows) in g.tables() {
        let bytes = table_bytes(specs, rows, opts.chinese, opts.format)?;
        dir.write(&format!("{name}.{ext}"), &bytes)?;
    }
    dir.write("model.toml", model_for(opts, &g).as_bytes())?;
    dir.commit().map(|_| ())
}
