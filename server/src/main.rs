//! `jobboard`: serve the site, or load seed data. `jobboard --help` explains the commands.
// Leptos view types nest deeply; the default limit is too low for the detail page.
#![recursion_limit = "256"]

use clap::Parser;
use std::process::ExitCode;

use server::cli::{Cli, Command};
use server::startup;

/// Page rendering makes many short-lived allocations; mimalloc serves them faster than the system
/// allocator (the benchmark's references use it too, so ratios stay fair).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let (settings, command) = Cli::parse().command();
    startup::init_tracing(&settings.log, settings.log_format);
    let outcome = match command {
        Command::Serve(args) => startup::serve(&settings, &args).await,
        Command::Seed(args) => startup::seed(&settings, &args).await,
        Command::Admin(args) => startup::admin(&settings, &args).await,
        Command::Alerts(args) => startup::alerts(&settings, &args).await,
        Command::MigrateToPostgres(args) => startup::migrate_to_postgres(&args).await,
        Command::Backup(args) => startup::backup(&settings, &args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("jobboard: {error}");
            ExitCode::FAILURE
        }
    }
}
