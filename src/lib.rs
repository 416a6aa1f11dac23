//! xibu: exact, explainable allocation of Western Plan (西部计划) volunteers
//! to county posts.
//!
//! Data flows one way, each step using only those before it (checked by
//! `tests/layout.rs`): [`domain`] (types, policy, records) → [`input`]
//! (read, validate) → [`model`] (the dense problem: eligibility, priority,
//! rules, evaluation) → [`solve`] (engines) → [`output`] (files, reasons,
//! report) → [`commands`] (orchestration for the binary) → [`serve`] (the
//! local web page over the same commands). [`lang`] and [`error`] sit beside
//! `domain` at the bottom.
#![deny(missing_docs)]

pub mod commands;
pub mod domain;
pub mod error;
pub mod generate;
pub mod input;
pub mod lang;
pub mod model;
pub mod output;
pub mod serve;
pub mod solve;
pub mod template;

pub use error::{Diagnostic, Error, Msg, Result};
