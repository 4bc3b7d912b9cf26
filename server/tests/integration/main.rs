//! In-process tests of the server against a temporary SQLite file: the database layer with the seed
//! loaded, and the pages over real HTTP requests through the router. Tests run on a multi-threaded runtime,
//! as the server does.
// Leptos view types nest deeply; the default limit is too low for the detail page.
#![recursion_limit = "256"]

mod accounts;
mod admin;
mod alerts;
mod candidates;
mod careers;
mod crash;
mod database;
mod filters;
mod fuzz;
mod helpers;
mod instances;
mod listing_feed;
mod pages;
mod postings;
mod process;
