//! The domain's vocabulary, below every step: index newtypes and small
//! value types, the policy model, and the records read from the office's
//! files. It imports nothing else from the crate, so `input`, `model`,
//! `solve`, `output` and `lang` can all build on it without circles.

pub mod policy;
pub mod records;
pub mod types;
