//! From the records of the input files to a `Problem`: resolve every
//! reference (reporting unknown ones with their position), then derive ranks,
//! eligible pairs and priority orders.

use std::collections::HashMap;

use super::priority::{lottery, PriorityTuple};
use super::{County, Files, Pair, Post, Problem};
use crate::domain::policy::{AdjustScope, Policy};
use crate::domain::records::{Choice, ColumnReport, Instance};
use crate::domain::types::*;
use crate::error::{Diagnostics, Msg, Result};
use crate::msg;

/// Build the problem in one step, locks included, reporting every
/// cross-file problem (together with the problems already found while
/// reading, in `diags`). Locks are checked last, against the built problem:
/// a lock's problems are reported once the other files are sound.
pub fn build_problem(
    inst: Instance,
    policy: Policy,
    seed: u64,
    mut diags: Diagnostics,
) -> Result<Problem> {
    let mut leagues: Vec<String> = Vec::new();
    let mut league_ix: HashMap<String, LeagueIdx> = HashMap::new();
    let mut intern = |code: &str, leagues: &mut Vec<String>| -> LeagueIdx {
        *league_ix.entry(code.to_string()).or_insert_with(|| {
            leagues.push(code.to_string());
            LeagueIdx::from_ix(leagues.len() - 1)
        })
    };

    // Counties: from counties.csv when given, else implied by posts.csv.
    let mut counties: Vec<County> = Vec::new();
    let mut county_ix: HashMap<String, CountyIdx> = HashMap::new();
    let counties_given = inst.counties.is_some();
    let counties_complete = inst.counties.as_ref().is_none_or(|c| c.complete);
    if let Some(cs) = &inst.counties {
        for c in &cs.rows {
            let league = intern(&c.league, &mut leagues);
            county_ix.insert(c.code.clone(), CountyIdx::from_ix(counties.len()));
            counties.push(County {
                code: c.code.clone(),
                name: c.name.clone(),
                league,
                status: c.status,
                scale: c.scale,
            });
        }
    }

    let pf = &inst.posts_file;
    let mut posts: Vec<Post> = Vec::with_capacity(inst.posts.rows.len());
    for r in &inst.posts.rows {
        let specialty = match policy.specialty(&r.specialty) {
            Some(s) => s,
            None => {
                if !r.specialty.is_empty() {
                    let known = |sep: &str| {
                        policy
                            .specialties
                            .iter()
                            .map(|s| format!("{} ({})", s.name, s.key))
                            .collect::<Vec<_>>()
                            .join(sep)
                    };
                    let (v, zh, en) = (&r.specialty, known("、"), known(", "));
                    diags.push_cell(
                        pf,
                        r.pos.line,
                        r.columns.specialty,
                        msg!(
                            "专项 {v:?} 在模型中没有定义；模型定义的专项有 {zh}",
                            "unknown specialty {v:?}; the model defines {en}"
                        ),
                    );
                }
                SpecialtyIdx(0)
            }
        };
        let county = match county_ix.get(&r.county) {
            Some(&c) => {
                let cl = &leagues[counties[c.ix()].league.ix()];
                if !r.league.is_empty() && &r.league != cl {
                    let (l, c) = (&r.league, &r.county);
                    diags.push_cell(
                        pf,
                        r.pos.line,
                        r.columns.league,
                        msg!(
                            "盟市 {l} 与 counties.csv 不一致：那里旗县 {c} 属于盟市 {cl}",
                            "league {l} disagrees with counties.csv, which puts county {c} in league {cl}"
                        ),
                    );
                }
                c
            }
            None => {
                if counties_given && counties_complete && !r.county.is_empty() {
                    let c = &r.county;
                    let cf = inst.counties_file.as_deref().unwrap_or("counties.csv");
                    diags.push_cell(
                        pf,
                        r.pos.line,
                        r.columns.county,
                        msg!(
                            "旗县 {c} 不在 {cf} 中；请在那里加上它，或改正代码",
                            "county {c} is not in {cf}; add it there or correct the code"
                        ),
                    );
                } else if !counties_given && r.league.is_empty() {
                    diags.push_cell(
                        pf,
                        r.pos.line,
                        r.columns.league,
                        msg!(
                            "盟市为空；请填盟市代码，或用 --counties 给出旗县所属盟市",
                            "league is empty; give the league code, or pass --counties with the county's league"
                        ),
                    );
                }
                let league = intern(&r.league, &mut leagues);
                let ix = CountyIdx::from_ix(counties.len());
                county_ix.insert(r.county.clone(), ix);
                counties.push(County {
                    code: r.county.clone(),
                    name: String::new(),
                    league,
                    status: CountyStatus::Active,
                    scale: None,
                });
                ix
            }
        };
        posts.push(Post {
            id: r.id.clone(),
            unit: r.unit.clone(),
            county,
            league: counties[county.ix()].league,
            specialty,
            level: r.level,
            seats: r.seats,
            incumbents: 0,
            project: r.project,
            degree_min: r.degree_min,
            majors_required: r.majors_required.clone(),
            line: r.pos.line,
        });
    }
    // Ids from the records (same order as `posts`); the first of duplicates wins.
    let mut post_ix: HashMap<&str, PostIdx> = HashMap::new();
    for (i, r) in inst.posts.rows.iter().enumerate() {
        post_ix.entry(r.id.as_str()).or_insert(PostIdx::from_ix(i));
    }

    // Incumbents.
    let candidate_ids: HashMap<&str, usize> = inst
        .candidates
        .rows
        .iter()
        .map(|c| (c.id.as_str(), c.pos.line))
        .collect();
    let inf = inst.incumbents_file.as_deref().unwrap_or("incumbents.csv");
    let mut incumbents = Vec::new();
    for r in &inst.incumbents.rows {
        if let Some(line) = candidate_ids.get(r.id.as_str()) {
            diags.push(
                inf,
                r.pos.line,
                1,
                {
                    let (id, cf) = (&r.id, &inst.candidates_file);
                    msg!(
                        "延期志愿者 {id} 同时也是考生（{cf} 第 {line} 行）；延期志愿者不参加重新分配，请删去其中一处",
                        "incumbent {id} is also a candidate ({cf} line {line}); a continuing volunteer is not re-allocated — remove one"
                    )
                },
            );
        }
        match post_ix.get(r.post.as_str()) {
            Some(&p) => {
                let post = &mut posts[p.ix()];
                post.incumbents += 1;
                if post.incumbents == post.seats + 1 {
                    let (id, n, at) = (&r.post, post.seats, post.line);
                    diags.push_cell(
                        inf,
                        r.pos.line,
                        r.pos.column,
                        msg!(
                            "岗位 {id} 只有 {n} 个名额（{pf} 第 {at} 行），延期志愿者却更多；请增加名额或改正岗位",
                            "post {id} has {n} seat(s) ({pf} line {at}) but more incumbents; raise its seats or correct the post"
                        ),
                    );
                }
                incumbents.push((r.id.clone(), p));
            }
            None => {
                if inst.posts.complete && !r.post.is_empty() {
                    let id = &r.post;
                    diags.push_cell(
                        inf,
                        r.pos.line,
                        r.pos.column,
                        msg!(
                            "延期志愿者所在岗位 {id} 不在 {pf} 中",
                            "incumbent on unknown post {id}; it is not in {pf}"
                        ),
                    );
                }
            }
        }
    }

    // Preferences → ranks.
    let mut county_posts: Vec<Vec<PostIdx>> = vec![Vec::new(); counties.len()];
    let mut league_posts: Vec<Vec<PostIdx>> = vec![Vec::new(); leagues.len()];
    for (i, p) in posts.iter().enumerate() {
        county_posts[p.county.ix()].push(PostIdx::from_ix(i));
        league_posts[p.league.ix()].push(PostIdx::from_ix(i));
    }
    let league_by_code: HashMap<&str, usize> = leagues
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i))
        .collect();
    // Each post's place in id order: lists sort by (rank, post id) on integers.
    let mut id_order = vec![0u32; posts.len()];
    {
        let mut by_id: Vec<usize> = (0..posts.len()).collect();
        by_id.sort_by(|&a, &b| posts[a].id.cmp(&posts[b].id));
        for (k, &p) in by_id.iter().enumerate() {
            id_order[p] = k as u32;
        }
    }
    let cf = &inst.candidates_file;
    let mut acceptable = Vec::with_capacity(inst.candidates.rows.len());
    let mut stamp = vec![u32::MAX; posts.len()];
    let mut league_seen = vec![u32::MAX; leagues.len()];
    let (league_province, n_provinces) = provinces(&leagues);
    let mut province_seen = vec![u32::MAX; n_provinces];
    let refs_checkable = inst.posts.complete && counties_complete;
    for (ci, c) in inst.candidates.rows.iter().enumerate() {
        let mark = ci as u32;
        let mut list: Vec<(PostIdx, u32)> = Vec::new();
        let mut any_league = false;
        for (g, choice) in c.preferences.iter().enumerate() {
            let rank = g as u32 + 1;
            // The posts of the group, or None (reported) for an unknown name.
            let found: Option<&[PostIdx]> = match choice {
                Choice::Post(id) => post_ix.get(id.as_str()).map(std::slice::from_ref),
                Choice::County(code) => county_ix
                    .get(code.as_str())
                    .map(|k| county_posts[k.ix()].as_slice()),
                Choice::League(code) => league_by_code
                    .get(code.as_str())
                    .map(|&l| league_posts[l].as_slice()),
            };
            let members = found.unwrap_or_else(|| {
                if refs_checkable {
                    let msg = match choice {
                        Choice::Post(id) => msg!(
                            "志愿 {id} 不是已知岗位：它不在 {pf} 中",
                            "choice {id} names an unknown post; it is not in {pf}"
                        ),
                        Choice::County(code) => msg!(
                            "志愿 旗县:{code} 不是已知旗县",
                            "choice county:{code} names an unknown county"
                        ),
                        Choice::League(code) => msg!(
                            "志愿 盟市:{code} 不是已知盟市",
                            "choice league:{code} names an unknown league"
                        ),
                    };
                    diags.push_cell(cf, c.pos.line, c.preferences_column, msg);
                }
                &[]
            });
            for &p in members {
                if stamp[p.ix()] != mark {
                    stamp[p.ix()] = mark;
                    list.push((p, rank));
                    let l = posts[p.ix()].league.ix();
                    league_seen[l] = mark;
                    province_seen[league_province[l]] = mark;
                    any_league = true;
                }
            }
        }
        let n_groups = c.preferences.len() as u32;
        if c.adjustable && policy.adjustment != AdjustScope::None {
            // Only the posts in scope are visited: the leagues listed (or
            // their provinces' leagues), or all.
            let whole = policy.adjustment == AdjustScope::Region || !any_league;
            let in_scope = |l: usize| match policy.adjustment {
                _ if whole => true,
                AdjustScope::Province => province_seen[league_province[l]] == mark,
                _ => league_seen[l] == mark,
            };
            let leagues_in: Vec<usize> = (0..leagues.len()).filter(|&l| in_scope(l)).collect();
            for l in leagues_in {
                for &p in &league_posts[l] {
                    if stamp[p.ix()] != mark {
                        stamp[p.ix()] = mark;
                        list.push((p, n_groups + 1));
                    }
                }
            }
        }
        list.sort_unstable_by_key(|&(p, rank)| (rank, id_order[p.ix()]));
        acceptable.push(list);
    }

    let files = Files {
        candidates: inst.candidates_file.clone(),
        posts: inst.posts_file.clone(),
        counties: inst.counties_file.clone(),
        incumbents: inst.incumbents_file.clone(),
    };
    let columns = inst.column_reports();
    let extra_columns = inst
        .candidates
        .columns
        .as_ref()
        .map_or_else(Vec::new, |c| c.ignored.clone());
    let mut notes = inst
        .candidates
        .columns
        .as_ref()
        .map_or_else(Vec::new, |c| defaults_used(&policy, &posts, c));
    notes.extend(province_note(&policy, &leagues));
    let lock_rows = inst.locks;
    let candidates = inst.candidates.rows;
    let lottery: Vec<u64> = candidates.iter().map(|c| lottery(&c.id, seed)).collect();
    let ns = policy.specialties.len();
    let mut priority = Vec::with_capacity(candidates.len() * ns);
    for (c, rec) in candidates.iter().enumerate() {
        for s in &policy.specialties {
            priority.push(PriorityTuple::new(&policy, s, rec, lottery[c]));
        }
    }

    // The locks file's own problems are reported with the lock checks
    // below, so that every problem of that file comes out at once.
    let (lock_diags, other): (Vec<_>, Vec<_>) = std::mem::take(&mut diags.0)
        .into_iter()
        .partition(|d| lock_rows.as_ref().is_some_and(|(f, _)| &d.file == f));
    if !other.is_empty() {
        diags.0 = other;
        diags.0.extend(lock_diags);
        return Err(diags.into_error());
    }
    let mut problem = diags.finish(Problem {
        policy,
        seed,
        candidates,
        posts,
        counties,
        leagues,
        incumbents,
        acceptable,
        pairs: Vec::new(),
        pair_start: Vec::new(),
        applicants: Vec::new(),
        pair_pos: Vec::new(),
        priority,
        files,
        locks: Vec::new(),
        columns,
        extra_columns,
        notes,
    })?;
    derive_pairs(&mut problem);
    // Locks last: checking them needs eligibility and the pairs.
    if let Some((file, rows)) = lock_rows {
        let mut d = Diagnostics(lock_diags);
        problem.locks = super::locks::check_locks(&problem, &file, rows.rows, &mut d);
        return d.finish(problem);
    }
    Ok(problem)
}

/// Fill `pairs`, `pair_start` and `applicants` from `acceptable` and
/// eligibility.
fn derive_pairs(pb: &mut Problem) {
    let mut pairs = Vec::new();
    let mut start = Vec::with_capacity(pb.n_candidates() + 1);
    start.push(0u32);
    for c in 0..pb.n_candidates() {
        let ci = CandidateIdx::from_ix(c);
        if pb.candidate_eligibility(ci).is_ok() {
            for &(p, rank) in &pb.acceptable[c] {
                if pb.eligibility(ci, p).is_ok() {
                    pairs.push(Pair {
                        candidate: ci,
                        post: p,
                        rank,
                    });
                }
            }
        }
        start.push(u32::try_from(pairs.len()).expect("fewer than 4 billion pairs"));
    }
    let mut applicants: Vec<Vec<u32>> = vec![Vec::new(); pb.posts.len()];
    for (i, pr) in pairs.iter().enumerate() {
        applicants[pr.post.ix()].push(i as u32);
    }
    pb.pairs = pairs;
    pb.pair_start = start;
    // Each specialty's strict priority order over all candidates, once;
    // then every post sorts its applicants by position in it (an integer
    // key: far cheaper than comparing priority tuples per post).
    let n = pb.n_candidates();
    let ns = pb.policy.specialties.len();
    let mut position = vec![0u32; n * ns];
    for s in 0..ns {
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by(|&a, &b| {
            let (ta, tb) = (
                &pb.priority[a as usize * ns + s],
                &pb.priority[b as usize * ns + s],
            );
            tb.cmp_priority(ta)
        });
        for (k, &c) in order.iter().enumerate() {
            position[c as usize * ns + s] = k as u32;
        }
    }
    for (p, list) in applicants.iter_mut().enumerate() {
        let s = pb.posts[p].specialty.ix();
        list.sort_unstable_by_key(|&i| position[pb.pairs[i as usize].candidate.ix() * ns + s]);
    }
    let mut pos = vec![0u32; pb.pairs.len()];
    for list in &applicants {
        for (k, &i) in list.iter().enumerate() {
            pos[i as usize] = k as u32;
        }
    }
    pb.applicants = applicants;
    pb.pair_pos = pos;
}

/// Each league's province (dense index) and the number of provinces: the
/// first two characters of the league code (GB/T 2260: 1501 → 15).
fn provinces(leagues: &[String]) -> (Vec<usize>, usize) {
    let mut ix: HashMap<&str, usize> = HashMap::new();
    let of: Vec<usize> = leagues
        .iter()
        .map(|code| {
            let two = code
                .char_indices()
                .nth(2)
                .map_or(code.as_str(), |(i, _)| &code[..i]);
            let n = ix.len();
            *ix.entry(two).or_insert(n)
        })
        .collect();
    (of, ix.len())
}

/// With adjustment by province, a league code that does not begin with a
/// two-digit province code is its own guess: say which province it forms.
fn province_note(policy: &Policy, leagues: &[String]) -> Option<Msg> {
    if policy.adjustment != AdjustScope::Province {
        return None;
    }
    let odd: Vec<&str> = leagues
        .iter()
        .map(String::as_str)
        .filter(|c| {
            !c.as_bytes()
                .get(..2)
                .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
        })
        .collect();
    if odd.is_empty() {
        return None;
    }
    let list = odd.join(", ");
    Some(msg!(
        "调剂范围 province 按盟市代码前两位划分省份，但这些盟市代码不以两位省级代码开头：{list}；它们按代码前两个字符归省",
        "adjustment scope province groups leagues by the first two digits of their code, but these league codes do not begin with a two-digit province code: {list}; their first two characters are taken as their province"
    ))
}

/// A note for each optional candidates column that is absent although the
/// model uses it: its default then decides for everyone, and the office
/// should know (interface §1 gives the defaults).
fn defaults_used(policy: &Policy, posts: &[Post], cols: &ColumnReport) -> Vec<Msg> {
    use crate::domain::policy::{Flag, HealthRule, PriorityKey};
    let tier_flag = |f: Flag| {
        policy
            .specialties
            .iter()
            .any(|s| s.tiers.iter().any(|t| t.flags.contains(&f)))
    };
    // (column, its Chinese header, used, the default in Chinese and English)
    let no = ["否", "false"];
    let uses = [
        (
            "graduating",
            "应届",
            policy.require_graduating,
            ["是（应届）", "true (应届)"],
        ),
        (
            "diploma_by_arrival",
            "到岗前取得学历",
            policy.require_diploma_by_arrival,
            ["是", "true"],
        ),
        (
            "health",
            "体检",
            true,
            match policy.health {
                HealthRule::Pass => [
                    "待定：模型要求 health = \"pass\"，因此没有人符合条件",
                    "pending (待定): nobody passes the model's health = \"pass\"",
                ],
                HealthRule::NotFail => [
                    "待定（模型接受待定）",
                    "pending (待定), which the model accepts",
                ],
            },
        ),
        (
            "degree",
            "学历",
            posts.iter().any(|p| p.degree_min.is_some()),
            ["本科", "bachelor (本科)"],
        ),
        (
            "major_code",
            "专业代码",
            posts.iter().any(|p| !p.majors_required.is_empty())
                || policy
                    .specialties
                    .iter()
                    .any(|s| s.tiers.iter().any(|t| !t.codes.is_empty())),
            [
                "空：不符合任何专业层级或专业要求",
                "none: no major tier or major requirement matches",
            ],
        ),
        (
            "teacher_training",
            "师范类",
            tier_flag(Flag::TeacherTraining),
            no,
        ),
        (
            "volunteer_experience",
            "志愿服务经历",
            policy.priority.contains(&PriorityKey::Volunteer)
                || tier_flag(Flag::VolunteerExperience),
            no,
        ),
        (
            "student_leader",
            "学生干部",
            (policy.priority.contains(&PriorityKey::Leader)
                && policy.specialties.iter().any(|s| s.leader))
                || tier_flag(Flag::StudentLeader),
            no,
        ),
    ];
    let file = &cols.file;
    uses.iter()
        .filter(|(col, _, used, _)| *used && !cols.has(col))
        .map(|(col, header, _, [zh, en])| {
            msg!(
                "{file}：没有 '{header}'（{col}）列，但模型要用它；所有人都按默认值 {zh} 处理",
                "{file}: column '{col}' is absent but the model uses it; everyone gets the default {en}"
            )
        })
        .collect()
}
