//! Start-up: logging, Leptos options, opening and migrating the database, serving and seeding.

use app::db::{self, DbError, Pool};
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use thiserror::Error;
use tracing_subscriber::EnvFilter;

use crate::cli::{SeedArgs, ServeArgs, Settings};
use crate::router::{AppState, build_app};
use crate::seed::{self, SeedError};

/// Why the server could not start or a command failed.
#[derive(Debug, Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("loading seed data failed: {0}")]
    Seed(#[from] SeedError),
    #[error("could not listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("the server stopped with an error: {0}")]
    Serve(std::io::Error),
}

/// Logs to stderr with the given filter (falls back to `info` when it does not parse).
pub fn init_tracing(filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    // A second initialisation (in tests) is harmless, so its error is ignored.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).try_init();
}

/// Leptos's options: from cargo-leptos's environment when present, else this project's defaults.
pub fn leptos_options() -> LeptosOptions {
    match leptos::prelude::get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(_) => LeptosOptions::builder().output_name("jobboard").site_root("target/site").site_pkg_dir("pkg").build(),
    }
}

/// Opens (creating when missing) and migrates the database.
pub async fn open_database(database_url: &str) -> Result<Pool, DbError> {
    let pool = db::connect(database_url, 8).await?;
    db::migrate(&pool).await?;
    Ok(pool)
}

/// `jobboard serve`: migrate, seed an empty database, then serve until Ctrl-C or SIGTERM.
pub async fn serve(settings: &Settings, args: &ServeArgs) -> Result<(), StartupError> {
    let pool = open_database(&settings.database_url).await?;
    if db::count_postings(&pool).await.map_err(SeedError::from)? == 0 {
        tracing::info!("the database has no postings: loading the demo data");
        seed::load_demo(&pool, args.demo_postings).await?;
    }
    let mut leptos_options = leptos_options();
    if let Some(addr) = args.addr {
        leptos_options.site_addr = addr;
    }
    let addr = leptos_options.site_addr;
    let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let app = build_app(AppState { pool: pool.clone(), leptos_options, public_url });
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source })?;
    tracing::info!("listening on http://{addr}");
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.map_err(StartupError::Serve)?;
    pool.close().await;
    tracing::info!("stopped");
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
    }
    pool.close().await;
    Ok(())
}

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
