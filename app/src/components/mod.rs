//! Reusable views.

pub mod benefits_panel;
pub mod filter_bar;
pub mod job_card;
pub mod layout;
pub mod live_search;
pub mod pay_chart;
pub mod salary_panel;
