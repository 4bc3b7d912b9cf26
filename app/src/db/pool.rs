//! Opening the database: the file is created when missing, pragmas are set on every connection, and the
//! migrations in `/migrations` are applied.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use thiserror::Error;

use super::Pool;

/// Why the database could not be opened or migrated.
#[derive(Debug, Error)]
pub enum DbError {
    #[error("the database URL {url:?} is not valid: {reason}")]
    BadUrl { url: String, reason: String },
    #[error(
        "the database URL {url:?} names PostgreSQL, which this build does not run yet: use a SQLite URL \
         such as sqlite://data/jobboard.db"
    )]
    PostgresNotYet { url: String },
    #[error("the database URL {url:?} is not a SQLite URL: use one such as sqlite://data/jobboard.db")]
    UnknownEngine { url: String },
    #[error("could not create the database folder {folder}: {source}")]
    CreateFolder { folder: String, source: std::io::Error },
    #[error("could not open the database {url:?}: {reason}")]
    Open { url: String, reason: String },
    #[error("the database migrations failed: {0}")]
    Migrate(String),
    #[error("preparing the migrated database failed: {0}")]
    Prepare(String),
}

/// Opens (creating when missing) the SQLite database at `url`, e.g. `sqlite://data/jobboard.db`.
pub async fn connect(url: &str, max_connections: u32) -> Result<Pool, DbError> {
    // Only a `sqlite:` URL is a file name: anything else, taken as one, would create a folder named after
    // its scheme and serve an empty board from it.
    let scheme = url.split_once(':').map(|(scheme, _)| scheme.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite") => {}
        Some("postgres" | "postgresql") => return Err(DbError::PostgresNotYet { url: url.to_owned() }),
        _ => return Err(DbError::UnknownEngine { url: url.to_owned() }),
    }
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|error| DbError::BadUrl { url: url.to_owned(), reason: error.to_string() })?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma("cache_size", "-32000")
        .pragma("temp_store", "memory");
    let file = options.get_filename();
    if let Some(folder) = Path::new(file).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|source| DbError::CreateFolder { folder: folder.display().to_string(), source })?;
    }
    SqlitePoolOptions::new()
        .max_connections(max_connections.max(1))
        .connect_with(options)
        .await
        .map_err(|error| DbError::Open { url: url.to_owned(), reason: error.to_string() })
}

/// Applies the migrations that have not run yet, and stores the texts of the legal-notice table that the
/// database does not hold yet.
pub async fn migrate(pool: &Pool) -> Result<(), DbError> {
    sqlx::migrate!("../migrations").run(pool).await.map_err(|error| DbError::Migrate(error.to_string()))?;
    super::write::insert_missing_legal_notices(pool).await.map_err(|error| DbError::Migrate(error.to_string()))?;
    Ok(())
}

/// Answers when the database answers (the health check).
pub async fn ping(pool: &Pool) -> Result<(), super::Error> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

/// A transaction: what the seed and other multi-step writers outside `db/` hold while they call the
/// functions here that take a [`Connection`](super::Connection). Dropped without [`commit`](Self::commit),
/// it rolls back.
pub struct Transaction(sqlx::Transaction<'static, sqlx::Sqlite>);

impl Transaction {
    /// Begins a transaction (SQLite: a deferred one).
    pub async fn begin(pool: &Pool) -> Result<Self, super::Error> {
        Ok(Self(pool.begin().await?))
    }

    /// The transaction's connection, for the functions that take one.
    pub fn connection(&mut self) -> &mut super::Connection {
        &mut self.0
    }

    /// Makes the transaction's writes durable.
    pub async fn commit(self) -> Result<(), super::Error> {
        Ok(self.0.commit().await?)
    }
}
