//! `xibu template --out DIR`: the input workbooks an office starts a year
//! from — candidates.xlsx, posts.xlsx, counties.xlsx, incumbents.xlsx with
//! the Chinese headers xibu reads, three example rows that pass `xibu
//! check` together, and drop-down lists for every closed-valued column
//! (学历, 体检, 项目, 是/否 columns, 专项, 层级, 状态) — plus the bundled
//! 2023 model. Nobody has to guess a column name.

use std::path::Path;

use crate::error::Result;
use crate::generate::{chinese_values, generate, table_rows_zh, xlsx_with_lists, GenerateOptions};
use crate::input::records::ColumnSpecs;
use crate::output::commit::{OutputDir, SetKind};

/// Example rows per table.
const EXAMPLES: usize = 3;

/// Write the template into `out` (one set, like `generate`).
pub fn write_template(out: &Path) -> Result<()> {
    let g = generate(&GenerateOptions {
        candidates: EXAMPLES,
        posts: EXAMPLES,
        seed: 1,
        ..Default::default()
    });
    let mut dir = OutputDir::open(out, SetKind::Generated)?;
    for (name, specs, rows) in g.tables() {
        let (header, body) = table_rows_zh(specs, &rows[..rows.len().min(EXAMPLES)]);
        let bytes = xlsx_with_lists(&header, &body, &lists(name, specs))?;
        dir.write(&format!("{name}.xlsx"), &bytes)?;
    }
    dir.write("model.toml", crate::generate::MODEL_2023.as_bytes())?;
    dir.commit().map(|_| ())
}

/// The drop-down lists of a table: (column, Chinese values). A post's
/// project is national or local only (不限 is an applicant's answer).
fn lists(table: &str, specs: ColumnSpecs) -> Vec<(usize, Vec<String>)> {
    specs
        .iter()
        .enumerate()
        .filter_map(|(c, s)| {
            let values: Vec<String> = chinese_values(s.name)
                .iter()
                .filter(|(k, _)| !(table == "posts" && *k == "any"))
                .map(|(_, zh)| zh.to_string())
                .collect();
            (!values.is_empty()).then_some((c, values))
        })
        .collect()
}
