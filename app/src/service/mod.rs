//! The workflows: each takes the pool and domain values, enforces the rules (those that need the database
//! too) in one transaction, and returns a typed outcome. Handlers and server functions call these; they
//! never hold a workflow themselves. Tested without HTTP.

pub mod alerts;
pub mod applications;
pub mod postings;
