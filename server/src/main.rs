//! `jobboard`: serve the site, or load seed data. `jobboard --help` explains the commands.
// Leptos view types nest deeply; the default limit is too low for the detail page.
#![recursion_limit = "256"]

use clap::Parser;
use std::process::ExitCode;

use server::cli::{Cli, Command, ServeArgs};
use server::startup;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    startup::init_tracing(&cli.settings.log);
    let outcome = match cli.command.unwrap_or(Command::Serve(ServeArgs { addr: None, demo_postings: 300 })) {
        Command::Serve(args) => startup::serve(&cli.settings, &args).await,
        Command::Seed(args) => startup::seed(&cli.settings, &args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("jobboard: {error}");
            ExitCode::FAILURE
        }
    }
}
