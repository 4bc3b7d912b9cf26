//! Command-line flags and environment settings of the `jobboard` binary.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;

/// How many generated postings a first start adds to an empty database.
pub const DEFAULT_DEMO_POSTINGS: usize = 300;

/// A fast job board: serves the site, and loads demo data.
#[derive(Debug, Parser)]
#[command(name = "jobboard", version, about = "Jobboard: a fast job board. Serves the site, and loads seed data.")]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    /// `serve`'s flags, for when the subcommand is left out.
    #[command(flatten)]
    pub serve: ServeArgs,
    /// What to do; `serve` when left out.
    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// The command to run: the one given, else `serve` with the top-level flags.
    pub fn command(self) -> (Settings, Command) {
        let command = self.command.unwrap_or(Command::Serve(self.serve));
        (self.settings, command)
    }
}

/// Settings shared by every command.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// The database: a SQLite file (`sqlite://path`, created with its folder when missing) or a PostgreSQL
    /// database (`postgres://user@host:port/name`).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/jobboard.db", global = true)]
    pub database_url: String,
    /// Log filter, e.g. `info` or `jobboard=debug,tower_http=info`.
    #[arg(long, env = "RUST_LOG", default_value = "info", global = true)]
    pub log: String,
    /// How log lines are written: `text` for people, `json` (one object a line) for a log collector.
    #[arg(long, env = "JOBBOARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// The form of the log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site (the default). Migrates the database, and loads the demo data when it has no postings.
    Serve(ServeArgs),
    /// Load seed data: the brief's postings (when missing) and, with --generate, N generated postings.
    Seed(SeedArgs),
    /// Manage admin accounts.
    Admin(AdminArgs),
    /// Alerts: `jobboard alerts send` runs one sweep (what the server does every minute).
    Alerts(AlertsArgs),
    /// Copy a board from a SQLite database into an empty PostgreSQL one: every table, ids kept, row
    /// counts checked. The target is migrated first; the source is only read.
    MigrateToPostgres(MigrateArgs),
    /// Back up a SQLite database into a new file (`VACUUM INTO`, safe while the server runs), then check
    /// the copy (`PRAGMA integrity_check`) and print its row counts. PostgreSQL: use `pg_dump`.
    Backup(BackupArgs),
}

/// Flags of `backup`.
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The new file to write, e.g. backups/jobboard-2026-12-02.db (it must not exist).
    pub file: std::path::PathBuf,
}

/// Flags of `migrate-to-postgres`.
#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// The SQLite database to copy, e.g. sqlite://data/jobboard.db.
    #[arg(long)]
    pub from: String,
    /// The PostgreSQL database to copy into, e.g. postgres://jobboard@localhost/jobboard.
    #[arg(long)]
    pub to: String,
}

/// `jobboard alerts ...`.
#[derive(Debug, Clone, Args)]
pub struct AlertsArgs {
    #[command(subcommand)]
    pub command: AlertsCommand,
}

/// The alert subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum AlertsCommand {
    /// Send what is due once: confirmations not yet sent, one digest per alert and period, the notices of
    /// changed postings. A second run in the same period sends nothing new. With --smtp-url the outbox is
    /// delivered too; without it the e-mails wait in the outbox for the server's sender.
    Send {
        /// The site's public origin, for the links in the e-mails.
        #[arg(long, env = "PUBLIC_URL", default_value = "http://127.0.0.1:3000")]
        public_url: String,
        #[command(flatten)]
        mail: crate::mail::MailSettings,
    },
}

/// `jobboard admin ...`.
#[derive(Debug, Clone, Args)]
pub struct AdminArgs {
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// The admin subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// Create an admin account. The password is read from JOBBOARD_ADMIN_PASSWORD when set, else prompted
    /// for twice (not echoed). It needs 12 to 128 characters and must not be a common password.
    Create {
        /// The admin's e-mail address (the sign-in name).
        #[arg(long)]
        email: String,
    },
    /// Set an admin's password (read as for `create`) and end every session of that admin.
    SetPassword {
        /// The admin's e-mail address.
        #[arg(long)]
        email: String,
    },
}

/// Flags of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LEPTOS_SITE_ADDR")]
    pub addr: Option<SocketAddr>,
    /// The site's public origin for absolute URLs (sitemap); `http://<addr>` when not given.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How many generated postings to add to an empty database on first start.
    #[arg(long, default_value_t = DEFAULT_DEMO_POSTINGS)]
    pub demo_postings: usize,
    #[command(flatten)]
    pub limits: crate::rate_limits::RateLimitSettings,
    #[command(flatten)]
    pub mail: crate::mail::MailSettings,
    /// Seconds between the alert sweeps this server runs (digests, confirmations, change notices); 0
    /// turns them off (run `jobboard alerts send` from a timer instead).
    #[arg(long, env = "JOBBOARD_ALERT_SWEEP_SECONDS", default_value_t = 60)]
    pub alert_sweep_seconds: u64,
    #[command(flatten)]
    pub backups: crate::backups::BackupSettings,
    /// The most memory, in MiB, the listing's in-memory index of the open postings may take (about
    /// `app::db::BYTES_PER_POSTING` a posting). The server refuses to start when the board would not fit,
    /// and warns when changes grow it past the cap.
    #[arg(long, env = "JOBBOARD_LISTING_MEMORY_MB", default_value_t = DEFAULT_LISTING_MEMORY_MB)]
    pub listing_memory_mb: u64,
}

/// The listing index's memory cap when none is set: room for about 3,000,000 open postings.
pub const DEFAULT_LISTING_MEMORY_MB: u64 = 4_096;

/// Flags of `seed`.
#[derive(Debug, Clone, Args)]
pub struct SeedArgs {
    /// Add this many generated postings (deterministic for a given --random-seed and day).
    #[arg(long, default_value_t = 0)]
    pub generate: usize,
    /// The generator's random seed.
    #[arg(long, default_value_t = crate::seed::DEFAULT_RANDOM_SEED)]
    pub random_seed: u64,
    /// Do not load the brief's postings.
    #[arg(long)]
    pub skip_brief: bool,
}
