//! Start-up: logging, Leptos options, opening and migrating the database, serving and seeding.

use app::db::{self, DbError, Pool};
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use thiserror::Error;
use tracing_subscriber::EnvFilter;

use crate::admin::password::{PasswordError, check_policy, hash_password};
use crate::cli::{AdminArgs, AdminCommand, AlertsArgs, AlertsCommand, SeedArgs, ServeArgs, Settings};
use crate::router::build_app;
use crate::seed::{self, SeedError};
use crate::state::AppState;

/// Why the server could not start or a command failed.
#[derive(Debug, Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("the backup failed: {0}")]
    Backup(#[from] crate::backups::BackupError),
    #[error("loading seed data failed: {0}")]
    Seed(#[from] SeedError),
    #[error(
        "the listing index of the {open} open postings would take about {needed_mb} MiB, over the cap of \
         {cap_mb} MiB: raise --listing-memory-mb (JOBBOARD_LISTING_MEMORY_MB) or give the server more memory"
    )]
    ListingTooLarge { open: i64, needed_mb: u64, cap_mb: u64 },
    #[error("could not listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped with an error: {0}")]
    Serve(std::io::Error),
    #[error("{0}")]
    Password(#[from] PasswordError),
    #[error("could not read the password: {0}")]
    PasswordPrompt(std::io::Error),
    #[error("the two passwords differ")]
    PasswordsDiffer,
    #[error("{0:?} is not an e-mail address")]
    BadEmail(String),
    #[error("an admin with the e-mail address {0:?} already exists")]
    AdminExists(String),
    #[error("no admin has the e-mail address {0:?}")]
    NoSuchAdmin(String),
    #[error("could not store the admin: {0}")]
    StoreAdmin(String),
    #[error("{0} must be a {1} database URL")]
    WrongEngine(String, &'static str),
    #[error("copying the board failed (the target is unchanged): {0}")]
    Copy(db::Error),
    #[error("e-mail: {0}")]
    Mail(#[from] crate::mail::MailError),
    #[error("the alert sweep failed: {0}")]
    Alerts(db::Error),
}

/// The environment variable `jobboard admin create` reads the password from.
pub const ADMIN_PASSWORD_ENV: &str = "JOBBOARD_ADMIN_PASSWORD";

/// How often expired sessions and idle rate-limit entries are swept.
const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(600);

/// Logs to stdout with the given filter (falls back to `info` when it does not parse): as text, or as
/// one JSON object a line that carries the fields of the request's span (its id, method and route).
pub fn init_tracing(filter: &str, format: crate::cli::LogFormat) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false);
    // A second initialisation (in tests) is harmless, so its error is ignored.
    let _ = match format {
        crate::cli::LogFormat::Text => builder.try_init(),
        crate::cli::LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
    };
}

/// Leptos's options: from cargo-leptos's environment when present, else this project's defaults. A hash
/// file beside the binary (cargo-leptos's `hash-files`, see `app::assets`) turns hashed asset names on
/// whether or not the environment says so, and settles the stylesheet's address.
pub fn leptos_options() -> LeptosOptions {
    let mut options = match leptos::prelude::get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(_) => LeptosOptions::builder().output_name("jobboard").site_root("target/site").site_pkg_dir("pkg").build(),
    };
    let hash_file = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|folder| folder.join(options.hash_file.as_ref())))
        .and_then(|path| std::fs::read_to_string(path).ok());
    if hash_file.as_deref().and_then(app::assets::css_hash).is_some() {
        options.hash_files = true;
    }
    let stylesheet = app::assets::use_hashed_names(&options, hash_file.as_deref());
    let on_disk = std::path::Path::new(options.site_root.as_ref()).join(stylesheet.trim_start_matches('/'));
    if !on_disk.is_file() {
        tracing::warn!(
            stylesheet = %on_disk.display(),
            "the built site does not hold the files this binary's build named: build it with `cargo leptos build` (--release for a release binary)"
        );
    }
    options
}

/// Opens (creating when missing) and migrates the database.
pub async fn open_database(database_url: &str) -> Result<Pool, DbError> {
    let pool = db::connect(database_url, 8).await?;
    db::migrate(&pool).await?;
    // Sections written before their HTML was stored get it now, once.
    match db::render_missing_html(&pool).await {
        Ok(0) => {}
        Ok(rendered) => tracing::info!(rendered, "stored the sanitised HTML of older sections and notices"),
        Err(error) => return Err(DbError::Prepare(error.to_string())),
    }
    Ok(pool)
}

/// `jobboard serve`: migrate, seed an empty SQLite database, then serve until Ctrl-C or SIGTERM. An empty
/// PostgreSQL database is not seeded: several instances starting together would each load the demo.
pub async fn serve(settings: &Settings, args: &ServeArgs) -> Result<(), StartupError> {
    let pool = open_database(&settings.database_url).await?;
    tracing::info!(engine = pool.engine().name(), "database open and migrated");
    if db::count_postings(&pool).await.map_err(SeedError::from)? == 0 {
        if pool.engine() == db::Engine::Sqlite {
            tracing::info!("the database has no postings: loading the demo data");
            seed::load_demo(&pool, args.demo_postings).await?;
        } else {
            tracing::info!("the database has no postings: load some with `jobboard seed` (run it once)");
        }
    }
    let open = db::count_open_postings(&pool, chrono::Utc::now().date_naive()).await.map_err(SeedError::from)?;
    let needed_mb = u64::try_from(open).unwrap_or(0).saturating_mul(db::BYTES_PER_POSTING).div_ceil(1024 * 1024);
    if needed_mb > args.listing_memory_mb {
        return Err(StartupError::ListingTooLarge { open, needed_mb, cap_mb: args.listing_memory_mb });
    }
    tracing::info!(open, needed_mb, cap_mb = args.listing_memory_mb, "the listing index fits its memory cap");
    let mut leptos_options = leptos_options();
    if let Some(addr) = args.addr {
        leptos_options.site_addr = addr;
    }
    let addr = leptos_options.site_addr;
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    // In the background: until it is done, `/pkg` compresses on the fly. Under `cargo leptos watch` the
    // assets change while the server runs, so there they are always compressed on the fly.
    let pkg_folder = crate::router::site_pkg_folder(&leptos_options);
    let watching = std::env::var("LEPTOS_WATCH").is_ok_and(|value| value == "true");
    tokio::task::spawn_blocking(move || {
        let outcome = if watching {
            crate::assets::remove_copies(&pkg_folder)
                .map(|removed| tracing::info!(removed, "watch mode: assets compressed on the fly"))
        } else {
            crate::assets::precompress_folder(&pkg_folder)
                .map(|report| tracing::info!(?report, "static assets precompressed"))
        };
        if let Err(error) = outcome {
            tracing::warn!(%error, "static assets are compressed on the fly");
        }
    });
    let state = AppState::new(pool.clone(), leptos_options, public_url).with_rate_limits(args.limits);
    state.listing_cache.set_memory_cap(args.listing_memory_mb.saturating_mul(1024 * 1024));
    // Its first round runs at once: account requests a crash left queued are done at start.
    tokio::spawn(sweep(state.clone()));
    tokio::spawn(state.views.clone().run(pool.clone()));
    let views = state.views.clone();
    match crate::mail::Mailer::new(&args.mail)? {
        Some(mailer) => {
            tracing::info!("e-mail is sent over SMTP");
            tokio::spawn(crate::mail::run_sender(pool.clone(), mailer, state.mail_wake.clone()));
        }
        None => tracing::info!("no SMTP server is configured: e-mail stays in the outbox (/admin/outbox)"),
    }
    if args.alert_sweep_seconds > 0 {
        let links = state.alert_links().await.map_err(StartupError::Alerts)?;
        let interval = std::time::Duration::from_secs(args.alert_sweep_seconds);
        tokio::spawn(crate::alerts::run_sweeper(pool.clone(), links, state.mail_wake.clone(), interval));
    }
    if db::count_admins(&pool).await.map_err(SeedError::from)? == 0 {
        let binary = std::env::args().next().unwrap_or_else(|| "jobboard".to_owned());
        tracing::warn!(
            "no admin account exists yet: create one with `{binary} admin create --email you@example.com` \
             (set {ADMIN_PASSWORD_ENV} or type the password when asked), then sign in at /admin/sign-in"
        );
    }
    // Told to stop once the server has; dropping the sender stops them too.
    let (stop_backups, backups_stop) = tokio::sync::oneshot::channel::<()>();
    let mut backups = None;
    if let Some(folder) = &args.backups.backup_dir {
        if pool.engine() == db::Engine::Sqlite {
            tracing::info!(folder = %folder.display(), every_seconds = args.backups.backup_interval_seconds,
                keep = args.backups.backup_keep, "periodic backups on");
            let stop = async {
                let _ = backups_stop.await;
            };
            backups = Some(tokio::spawn(crate::backups::run(pool.clone(), args.backups.clone(), stop)));
        } else {
            tracing::warn!("--backup-dir is for SQLite: back a PostgreSQL database up with pg_dump (README, Backups)");
        }
    }
    let app = build_app(state);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source })?;
    tracing::info!("listening on http://{addr}");
    // The peer address is what sign-in attempts are counted by.
    crate::serve::serve(listener, app, crate::serve::ConnectionLimits::default(), shutdown_signal())
        .await
        .map_err(StartupError::Serve)?;
    let _ = stop_backups.send(());
    if let Some(backups) = backups {
        // A backup under way is finished; a large database's copy and check take seconds.
        if tokio::time::timeout(BACKUP_FINISH_GRACE, backups).await.is_err() {
            tracing::warn!("the backup under way did not finish within the shutdown grace period");
        }
    }
    if let Err(error) = views.flush(&pool).await {
        tracing::warn!(%error, "the last posting views could not be written");
    }
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// `jobboard alerts send`: one sweep, then (with SMTP) the outbox delivered.
pub async fn alerts(settings: &Settings, args: &AlertsArgs) -> Result<(), StartupError> {
    let AlertsCommand::Send { public_url, mail } = &args.command;
    let pool = open_database(&settings.database_url).await?;
    let links = crate::alerts::links(&pool, crate::security::public_origin_of(public_url))
        .await
        .map_err(StartupError::Alerts)?;
    let report = app::service::alerts::sweep(&pool, &links, chrono::Utc::now()).await.map_err(StartupError::Alerts)?;
    println!(
        "alerts: {} digests, {} quiet, {} confirmations, {} change notices, {} unconfirmed expired, {} old rows pruned",
        report.digests, report.quiet, report.confirmations, report.notices, report.expired, report.pruned
    );
    if let Some(mailer) = crate::mail::Mailer::new(mail)? {
        let mut sent = 0;
        loop {
            let batch = crate::mail::send_due(&pool, &mailer).await.map_err(StartupError::Alerts)?;
            if batch == 0 {
                break;
            }
            sent += batch;
        }
        println!("sent {sent} e-mails");
    }
    pool.close().await;
    Ok(())
}

/// `jobboard seed`: the brief's postings (unless skipped) and N generated ones.
pub async fn seed(settings: &Settings, args: &SeedArgs) -> Result<(), StartupError> {
    let pool = open_database(&settings.database_url).await?;
    if !args.skip_brief {
        let loaded = seed::load_brief(&pool, chrono::Utc::now().date_naive()).await?;
        if loaded == 0 {
            println!("the brief's postings are already loaded");
        } else {
            println!("loaded the brief's {loaded} postings");
        }
    }
    if args.generate > 0 {
        let started = std::time::Instant::now();
        seed::generate_postings(&pool, args.generate, args.random_seed, true).await?;
        println!("generated {} postings in {:.1} s", args.generate, started.elapsed().as_secs_f64());
        // A bulk load leaves a change-feed row per posting, place and pay: pruned here, in the loading
        // process, rather than by a serving one (a server behind the pruned horizon loads whole, once).
        let pruned = db::prune_listing_changes(&pool, db::FEED_KEPT, 50_000).await.map_err(SeedError::from)?;
        if pruned > 0 {
            println!("pruned {pruned} rows of the listing's change feed");
        }
    }
    pool.close().await;
    Ok(())
}

/// `jobboard backup FILE`: writes the copy, opens it, checks it and prints its row counts; a copy that
/// fails its check is an error (and is left for inspection).
pub async fn backup(settings: &Settings, args: &crate::cli::BackupArgs) -> Result<(), StartupError> {
    let pool = db::connect(&settings.database_url, 2).await?;
    let counts = crate::backups::backup_into(&pool, &args.file).await;
    pool.close().await;
    for (table, count) in counts? {
        println!("{table}: {count}");
    }
    println!("backed up into {} (integrity_check: ok)", args.file.display());
    Ok(())
}

/// `jobboard migrate-to-postgres --from sqlite://… --to postgres://…`: migrates the target, copies the
/// board into it with a progress bar, and prints each table's row count.
pub async fn migrate_to_postgres(args: &crate::cli::MigrateArgs) -> Result<(), StartupError> {
    if db::Engine::of_url(&args.from) != Some(db::Engine::Sqlite) {
        return Err(StartupError::WrongEngine(db::without_password(&args.from), "SQLite"));
    }
    if db::Engine::of_url(&args.to) != Some(db::Engine::Postgres) {
        return Err(StartupError::WrongEngine(db::without_password(&args.to), "PostgreSQL"));
    }
    let from = db::connect(&args.from, 2).await?;
    let to = open_database(&args.to).await?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:28} [{bar:40}] {pos}/{len} rows ({eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let copied = db::copy_board(&from, &to, |progress| {
        bar.set_length(progress.total);
        bar.set_position(progress.copied);
        bar.set_message(progress.table.to_owned());
    })
    .await;
    bar.finish_and_clear();
    let report = copied.map_err(StartupError::Copy)?;
    for (table, rows) in &report.tables {
        println!("{table:28} {rows:>9} rows");
    }
    println!("copied {} tables; every row count matches the source", report.tables.len());
    from.close().await;
    to.close().await;
    Ok(())
}

/// How long an account may wait for its address to be confirmed before it is deleted.
const UNCONFIRMED_ACCOUNT_DAYS: i64 = 7;

/// Every few minutes: delete expired sessions and the accounts never confirmed, do the queued account
/// requests a crash left, and forget idle sign-in rate-limit entries.
async fn sweep(state: AppState) {
    let mut interval = tokio::time::interval(SWEEP_INTERVAL);
    loop {
        interval.tick().await;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        match db::delete_expired_sessions(&state.pool, now).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "expired sessions deleted"),
            Err(error) => tracing::error!(%error, "could not delete expired sessions"),
        }
        state.sign_in_limiter.retain_recent();
        let week_ago = chrono::Utc::now() - chrono::Duration::days(UNCONFIRMED_ACCOUNT_DAYS);
        match db::delete_unconfirmed_candidates(&state.pool, week_ago).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "accounts never confirmed deleted"),
            Err(error) => tracing::error!(%error, "could not delete the accounts never confirmed"),
        }
        // Account requests that a crash left queued; one that kept failing for a day is given up.
        crate::candidates::accounts::process_account_requests(&state).await;
        let day_ago = chrono::Utc::now().timestamp() - 86_400;
        match db::drop_stale_account_requests(&state.pool, day_ago).await {
            Ok(0) => {}
            Ok(dropped) => tracing::warn!(dropped, "account requests that failed for a day were given up"),
            Err(error) => tracing::error!(%error, "could not drop the stale account requests"),
        }
        state.sign_in_guard.retain_recent();
        state.rate_limits.retain_recent();
    }
}

/// `jobboard admin create --email ...` and `jobboard admin set-password --email ...`.
pub async fn admin(settings: &Settings, args: &AdminArgs) -> Result<(), StartupError> {
    let (email, creating) = match &args.command {
        AdminCommand::Create { email } => (email, true),
        AdminCommand::SetPassword { email } => (email, false),
    };
    let email = app::domain::EmailAddress::parse(email)
        .map_err(|_| StartupError::BadEmail(email.clone()))?
        .as_str()
        .to_lowercase();
    let password = match std::env::var(ADMIN_PASSWORD_ENV) {
        Ok(password) => password,
        Err(_) => {
            let first =
                rpassword::prompt_password(format!("Password for {email}: ")).map_err(StartupError::PasswordPrompt)?;
            let second = rpassword::prompt_password("Repeat it: ").map_err(StartupError::PasswordPrompt)?;
            if first != second {
                return Err(StartupError::PasswordsDiffer);
            }
            first
        }
    };
    check_policy(&password, &[&email])?;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|error| StartupError::StoreAdmin(error.to_string()))??;
    let pool = open_database(&settings.database_url).await?;
    if creating {
        match db::insert_admin(&pool, &email, &hash).await {
            Ok(_) => println!("created the admin {email}; sign in at /admin/sign-in"),
            Err(db::Error::Conflict { .. }) => return Err(StartupError::AdminExists(email)),
            Err(error) => return Err(StartupError::StoreAdmin(error.to_string())),
        }
    } else {
        // A new session epoch: every session of the admin ends at its next request.
        let epoch = crate::admin::sign_in::new_csrf_token();
        match db::set_admin_password(&pool, &email, &hash, &epoch).await {
            Ok(true) => println!("set the password of {email}; every session of that admin has ended"),
            Ok(false) => return Err(StartupError::NoSuchAdmin(email)),
            Err(error) => return Err(StartupError::StoreAdmin(error.to_string())),
        }
    }
    pool.close().await;
    Ok(())
}

/// How long shutdown waits for a periodic backup under way to be written, checked and renamed.
const BACKUP_FINISH_GRACE: std::time::Duration = std::time::Duration::from_secs(120);

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "could not listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "could not listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
