//! The binary's `--help` in Chinese (the default; `--lang en` or an English
//! locale keeps clap's English, written as doc comments in `main.rs`).
//! Belongs to the binary, not the library: it only rewrites clap's texts.

use clap::{Arg, ArgAction, Command};
use xibu::lang::Lang;

/// What each command does, in the office's words.
const ABOUT: &[(&str, &str)] = &[
    ("", "为大学生志愿服务西部计划志愿者分配旗县岗位"),
    (
        "check",
        "只检查输入文件和政策模型，不求解：列出每个文件识别的列和所有问题（退出码 0 或 2）",
    ),
    (
        "allocate",
        "分配考生到岗位，写出 dispatch.csv、summary.json、派遣名单等",
    ),
    (
        "backfill",
        "同等数额补招：按一人替一人递补退出的志愿者，其余派遣保持不变",
    ),
    ("verify", "核对一份派遣文件是否满足全部硬约束，并给出目标值"),
    (
        "explain",
        "解释某位考生的结果：派遣到哪里，以及排在前面的每个志愿为什么没有录取",
    ),
    (
        "scenarios",
        "并行求解多个假设方案（调整名额、规则等）并对比",
    ),
    (
        "template",
        "写出空白输入表（中文表头、示例行、下拉选项）和 2023 年政策模型，供新一年填写",
    ),
    (
        "generate",
        "按 2023 年模型生成逼真的合成数据（用于测试和测速）",
    ),
    (
        "serve",
        "在本机开一个网页：上传文件、运行分配、看报告、下载名单、递补和方案对比，不用终端",
    ),
];

/// Options with the same meaning in every command.
const COMMON: &[(&str, &str)] = &[
    ("candidates", "考生表 candidates.csv（或 .xlsx）"),
    ("posts", "岗位表 posts.csv（或 .xlsx）"),
    ("counties", "旗县表 counties.csv（或 .xlsx），可选"),
    ("incumbents", "延期志愿者表 incumbents.csv（或 .xlsx），可选"),
    ("model", "政策模型（models/*.toml）"),
    ("seed", "同分抽签的随机种子"),
    ("encoding", "CSV 编码：auto（自动）、utf-8 或 gbk"),
    ("locks", "锁定的派遣（candidate_id, post_id, reason, author）：在模型中固定，并计入每条规则"),
    ("ignore_columns", "忽略某个看似 xibu 读取的表头（如 体检 旁边的 体检日期）；可重复"),
    ("lang", "语言：zh（默认）或 en；不给此项时，LANG 或 LC_ALL 为 en_* 即用英文"),
    ("out", "输出目录"),
    ("engine", "求解引擎：exact（合同定义的最优）、fast（带容量削减的延迟接受：满足全部硬约束，未证明最优）或 da（只看容量）"),
    ("time_limit", "整个求解的时间上限（秒，按实际时间计）"),
    ("write_model", "写出整数规划模型（.lp 或 .mps），用于复现慢或异常的情况"),
    ("threads", "HiGHS 线程数"),
    ("highs_options", "额外的 HiGHS 选项 NAME=VALUE（可重复），如 presolve=off"),
    ("solver_log", "在 stderr 显示求解器日志"),
    ("max_columns", "尝试精确求解的最大模型（估计列数）；超过时返回 fast 引擎的结果并附说明"),
    ("quiet", "不显示进度行（它本来只在终端上显示）"),
    ("staged", "逐个准则求解而不是一个加权目标（同一最优解，更慢；用于核对）"),
    ("xlsx", "另外写出 派遣名单.xlsx、候补名单.xlsx、未安排名单.xlsx 等 Excel 名单"),
    ("per_county", "另外为每个旗县写一个工作簿（旗县-<代码>-<名称>.xlsx）"),
    ("show_id", "Excel 名单中身份证号不打码"),
    ("csv_encoding", "CSV 文件的编码：utf-8-bom（默认；Windows 上的 Excel 能正确显示中文）、utf-8 或 gbk"),
    ("date", "Excel 名单上的制表日期，YYYY-MM-DD（默认：今天，北京时间）"),
    ("withdrawn", "退出人员 CSV，列 id（报名号）（可重复；加上上一轮的 withdrawn.csv，使先前退出的人不再录取）"),
    ("allow_shortfall", "保留的派遣使某条规则无法满足时，先使总缺口最小，而不是以退出码 3 结束"),
    ("manifest", "用这个 run.json 所在运行的输入和选项（运行后若有改动则拒绝）"),
    ("candidate", "考生报名号"),
    ("json", "输出 JSON 而不是文字"),
    ("scenarios", "方案文件（TOML，[[scenario]] 表：name, set = { \"键\" = 值 }）"),
    ("baseline", "moves.csv 以哪个方案的派遣为基准比较其余方案"),
    ("chinese", "中文表头和取值（报名号、乡镇、是/否 ……）"),
    ("format", "表格格式：csv、csv-bom、gbk 或 xlsx"),
    ("tight", "旗县的乡镇及以下和乡村教育比例刚好达标，且这些岗位较少人报（延迟接受会违反许多旗县规则）"),
    ("province_wide", "服从调剂的考生接受所报省份的全部岗位（模型调剂范围 province），而不只是所报盟市"),
    ("dispatch", "要核对或解释的 dispatch.csv"),
    ("bind", "监听的地址；不是 127.0.0.1 时必须有令牌"),
    ("port", "端口（0：任一空闲端口，启动时显示）"),
    ("data", "保存任务的文件夹"),
    ("token", "每个请求都要带的令牌（在非本机地址上不给则自动生成）"),
    ("max_upload_mb", "单次上传的上限（MB）"),
];

/// Options whose meaning depends on the command.
const SPECIFIC: &[(&str, &str, &str)] = &[
    ("generate", "candidates", "考生人数"),
    ("generate", "posts", "岗位数"),
    ("generate", "seed", "生成器种子"),
    ("backfill", "dispatch", "当前的 dispatch.csv"),
    (
        "scenarios",
        "out",
        "输出目录（每个方案一个文件夹，另有对比文件）",
    ),
];

/// The language `--help` is asked in: `--lang` among the arguments (before
/// clap parses them), else the locale.
pub fn lang_of(args: &[String]) -> Lang {
    let flag = args.iter().enumerate().find_map(|(i, a)| {
        let v = a
            .strip_prefix("--lang=")
            .or_else(|| (a == "--lang").then(|| args.get(i + 1).map(String::as_str))?)?;
        v.parse::<Lang>().ok()
    });
    Lang::or_from_env(flag)
}

/// `cmd` with every text in Chinese.
pub fn chinese(cmd: Command) -> Command {
    let cmd = translate(cmd, "")
        .subcommand_help_heading("命令")
        .disable_help_subcommand(true)
        .disable_version_flag(true)
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本")
                .help_heading("选项"),
        );
    cmd.mut_subcommands(|sc| {
        let name = sc.get_name().to_string();
        translate(sc, &name)
    })
}

fn translate(cmd: Command, name: &str) -> Command {
    let about = ABOUT.iter().find(|(n, _)| *n == name).map(|(_, t)| *t);
    let cmd = match about {
        Some(t) => cmd.about(t).long_about(None),
        None => cmd,
    };
    cmd.help_template("{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}")
        .disable_help_flag(true)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助"),
        )
        .mut_args(|a| {
            let id = a.get_id().as_str().to_string();
            let zh = SPECIFIC
                .iter()
                .find(|(c, i, _)| *c == name && *i == id)
                .map(|(_, _, t)| *t)
                .or_else(|| COMMON.iter().find(|(i, _)| *i == id).map(|(_, t)| *t));
            let default: Vec<String> = a
                .get_default_values()
                .iter()
                .map(|v| v.to_string_lossy().into_owned())
                .collect();
            let a = a.help_heading("选项");
            match zh {
                Some(t) if default.is_empty() => a.help(t).long_help(None),
                Some(t) => a
                    .help(format!("{t}（默认：{}）", default.join(", ")))
                    .long_help(None)
                    .hide_default_value(true),
                None => a,
            }
        })
}

/// What each option with a checked value accepts, in Chinese (clap's
/// own message quotes the English parser).
const VALUES: &[(&str, &str)] = &[
    ("--lang", "zh 或 en"),
    ("--engine", "exact、fast 或 da"),
    ("--encoding", "auto、utf-8 或 gbk"),
    ("--csv-encoding", "utf-8、utf-8-bom 或 gbk"),
    ("--date", "YYYY-MM-DD 格式的日期"),
    ("--time-limit", "正的秒数"),
    ("--format", "csv、csv-bom、gbk 或 xlsx"),
    ("--highs-option", "选项名=值（如 mip_rel_gap=0.01）"),
    ("--seed", "不小于 0 的整数"),
    ("--threads", "不小于 1 的整数"),
    ("--max-columns", "不小于 0 的整数"),
    ("--candidates", "不小于 0 的整数"),
    ("--posts", "不小于 0 的整数"),
];

/// A usage error (unknown option, bad value, missing option …) in
/// Chinese, or `None` for help, version and kinds left to clap.
pub fn usage_error(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind as C, ContextValue as V, ErrorKind as K};
    let get = |k: C| match e.get(k) {
        Some(V::String(s)) => s.clone(),
        Some(V::Strings(v)) => v.join("、"),
        Some(V::StyledStr(s)) => s.to_string(),
        Some(V::StyledStrs(v)) => v
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("、"),
        Some(V::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let (arg, value) = (get(C::InvalidArg), get(C::InvalidValue));
    let flag = arg.split([' ', '=']).next().unwrap_or_default();
    let head = match e.kind() {
        K::UnknownArgument => format!("无法识别的参数 '{arg}'"),
        K::InvalidSubcommand => format!("无法识别的命令 '{}'", get(C::InvalidSubcommand)),
        K::MissingSubcommand => "缺少命令".to_string(),
        K::InvalidValue if value.is_empty() => format!("参数 '{arg}' 需要一个值"),
        K::InvalidValue => format!(
            "参数 '{arg}' 的值 '{value}' 无效；可选：{}",
            get(C::ValidValue)
        ),
        K::ValueValidation => {
            let want = VALUES.iter().find(|(f, _)| *f == flag).map(|(_, w)| *w);
            match (want, std::error::Error::source(e)) {
                (Some(w), _) => format!("参数 '{arg}' 的值 '{value}' 无效；应为：{w}"),
                (None, Some(s)) => format!("参数 '{arg}' 的值 '{value}' 无效：{s}"),
                (None, None) => format!("参数 '{arg}' 的值 '{value}' 无效"),
            }
        }
        K::MissingRequiredArgument => {
            format!("缺少必需的参数：{arg}")
        }
        K::ArgumentConflict => {
            format!("参数 '{arg}' 不能与 '{}' 同时使用", get(C::PriorArg))
        }
        K::NoEquals => format!("参数 '{arg}' 的值要用等号写出（{flag}=值）"),
        K::TooManyValues => format!("参数 '{arg}' 的值 '{value}' 多余"),
        K::TooFewValues | K::WrongNumberOfValues => format!(
            "参数 '{arg}' 需要 {} 个值，只给了 {}",
            get(C::ExpectedNumValues),
            get(C::ActualNumValues)
        ),
        K::InvalidUtf8 => "参数不是有效的 UTF-8 文本".to_string(),
        _ => return None,
    };
    let mut out = format!("错误：{head}\n");
    for (kind, what) in [
        (C::SuggestedSubcommand, "命令"),
        (C::SuggestedArg, "参数"),
        (C::SuggestedValue, "值"),
    ] {
        let s = get(kind);
        if !s.is_empty() {
            out.push_str(&format!("\n  提示：有相近的{what} '{s}'\n"));
        }
    }
    let usage = get(C::Usage);
    if let Some(u) = usage.trim().strip_prefix("Usage:") {
        out.push_str(&format!("\n用法：{}\n", u.trim()));
    }
    out.push_str("\n更多信息请用 --help。\n");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    /// Every option of every command has a Chinese help line (a new option
    /// without one fails here).
    #[test]
    fn every_option_has_chinese_help() {
        let cmd = chinese(crate::Cli::command());
        for sc in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            for a in sc.get_arguments() {
                let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
                assert!(
                    help.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{} --{}: {help}",
                    sc.get_name(),
                    a.get_id()
                );
            }
            assert!(ABOUT.iter().any(|(n, _)| *n == sc.get_name()));
        }
    }

    #[test]
    fn lang_flag_is_read_before_parsing() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            lang_of(&args(&["xibu", "--lang", "en", "--help"])),
            Lang::En
        );
        assert_eq!(lang_of(&args(&["xibu", "check", "--lang=zh"])), Lang::Zh);
    }
}
