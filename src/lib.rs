//! xibu: exact, explainable allocation of Western Plan (西部计划) volunteers
//! to county posts.
//!
//! Data flows one way: [`input`] (read, validate) → [`model`] (policy,
//! eligibility, priority) → [`solve`] (engines) → [`output`] (files).
//! [`commands`] strings them together for the binary.
#![deny(missing_docs)]

pub mod commands;
pub mod domain;
pub mod error;
pub mod generate;
pub mod input;
pub mod lang;
pub mod model;
pub mod output;
pub mod solve;

pub use error::{Diagnostic, Error, Result};
