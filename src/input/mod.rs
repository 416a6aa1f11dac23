//! Reading and validating the office's files (interface §1) and the policy
//! model (§2). Every problem is reported as `file:line:column: message`.

pub mod idcard;
pub mod policy;
pub mod records;
pub mod scenarios;
pub mod table;
pub mod values;

pub use policy::{load_policy, model_json, parse_policy, ModelSource};
pub use table::Encoding;
