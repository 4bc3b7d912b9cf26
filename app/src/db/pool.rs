//! The two engines behind one handle: the database URL picks SQLite or PostgreSQL at start, in one
//! binary. Opening, migrating and transactions are here; queries are in `queries/`.

use thiserror::Error;

use super::{postgres, sqlite};

/// Why the database could not be opened or migrated.
#[derive(Debug, Error)]
pub enum DbError {
    #[error("the database URL {url:?} is not valid: {reason}")]
    BadUrl { url: String, reason: String },
    #[error(
        "the database URL {url:?} names no engine this server runs: use a SQLite URL such as \
         sqlite://data/jobboard.db or a PostgreSQL URL such as postgres://user@localhost/jobboard"
    )]
    UnknownEngine { url: String },
    #[error("could not create the database folder {folder}: {source}")]
    CreateFolder { folder: String, source: std::io::Error },
    #[error("could not open the database {url:?}: {reason}")]
    Open { url: String, reason: String },
    #[error(
        "this build links SQLite {found}, older than {minimum}: earlier versions can corrupt a WAL database \
         when its write-ahead log is reset (https://sqlite.org/wal.html#walresetbug); build with the bundled SQLite"
    )]
    SqliteTooOld { found: String, minimum: &'static str },
    #[error("the database migrations failed: {0}")]
    Migrate(String),
    #[error("preparing the migrated database failed: {0}")]
    Prepare(String),
}

/// `url` with its password, if it has one (`user:password@`, or a `password=` parameter), replaced by
/// `***`: what error messages and logs show.
pub fn without_password(url: &str) -> String {
    let url = &without_password_parameter(url);
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return url.to_owned();
    };
    match user_info.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
        None => url.to_owned(),
    }
}

/// `url` with the value of each `password=` (or `sslpassword=`) query parameter replaced by `***`.
fn without_password_parameter(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let parameters: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if name.eq_ignore_ascii_case("password") || name.eq_ignore_ascii_case("sslpassword") => {
                format!("{name}=***")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("{base}?{}", parameters.join("&"))
}

/// Creates `file` empty, readable and writable by its owner only (0600), unless it exists: a new
/// database or backup is never readable by other users of the machine (SQLite gives its `-wal` and
/// `-shm` files the database file's permissions).
pub(super) fn create_private_file(file: &std::path::Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Which engine a database runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine a database URL names: `sqlite:` or `postgres:`/`postgresql:`; `None` for anything else.
    pub fn of_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':').map(|(scheme, _)| scheme.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("sqlite") => Some(Self::Sqlite),
            Some("postgres" | "postgresql") => Some(Self::Postgres),
            _ => None,
        }
    }

    /// The engine's name, for logs and the benchmark.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// A pool of connections to the board's database, on either engine: the handle every function of `db`
/// takes. Cloning it is cheap (the pools are shared).
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(sqlite::Pools),
    Postgres(sqlx::PgPool),
}

impl Pool {
    /// The engine this pool talks to.
    pub fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
        }
    }

    /// True once [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        match self {
            Self::Sqlite(pools) => pools.is_closed(),
            Self::Postgres(pool) => pool.is_closed(),
        }
    }

    /// The same database through `connections` connections of its own for reads (writes share the
    /// pool's): a background task's reads then never queue behind the requests' (the listing's change
    /// feed is read this way). Opened lazily.
    pub fn with_own_connections(&self, connections: u32) -> Self {
        match self {
            Self::Sqlite(pools) => Self::Sqlite(pools.with_own_readers(connections)),
            Self::Postgres(pool) => Self::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(connections.max(1))
                    .connect_lazy_with(pool.connect_options().as_ref().clone()),
            ),
        }
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(pools) => pools.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// Opens the database at `url`: a SQLite file (created when missing, e.g. `sqlite://data/jobboard.db`)
/// or a PostgreSQL database (`postgres://user@host:port/name`). Any other URL is refused: taken as a file
/// name, it would create a folder named after its scheme and serve an empty board from it.
pub async fn connect(url: &str, max_connections: u32) -> Result<Pool, DbError> {
    match Engine::of_url(url) {
        Some(Engine::Sqlite) => Ok(Pool::Sqlite(sqlite::connect(url, max_connections).await?)),
        Some(Engine::Postgres) => Ok(Pool::Postgres(postgres::connect(url, max_connections).await?)),
        None => Err(DbError::UnknownEngine { url: without_password(url) }),
    }
}

/// Applies the engine's migrations that have not run yet (on PostgreSQL under sqlx's advisory lock, so
/// that instances starting together migrate once), and stores the texts of the legal-notice table that
/// the database does not hold yet.
pub async fn migrate(pool: &Pool) -> Result<(), DbError> {
    let migrated = match pool {
        Pool::Sqlite(pools) => sqlite::migrator().run(&pools.writer).await,
        Pool::Postgres(pool) => postgres::migrator().run(pool).await,
    };
    migrated.map_err(|error| DbError::Migrate(error.to_string()))?;
    super::insert_missing_legal_notices(pool).await.map_err(|error| DbError::Migrate(error.to_string()))?;
    Ok(())
}

/// How many of this build's migrations the database has not applied: 0 once [`migrate`] has run (the
/// readiness check).
pub async fn pending_migrations(pool: &Pool) -> Result<usize, super::Error> {
    const APPLIED: &str = "SELECT version FROM _sqlx_migrations WHERE success";
    let (migrator, applied): (sqlx::migrate::Migrator, Vec<i64>) = match pool {
        Pool::Sqlite(pools) => (sqlite::migrator(), sqlx::query_scalar(APPLIED).fetch_all(&pools.readers).await?),
        Pool::Postgres(pool) => (postgres::migrator(), sqlx::query_scalar(APPLIED).fetch_all(pool).await?),
    };
    Ok(migrator
        .iter()
        .filter(|migration| migration.migration_type.is_up_migration() && !applied.contains(&migration.version))
        .count())
}

/// Writes a consistent copy of a SQLite database to the new file `file` with `VACUUM INTO`: one read
/// transaction, so the server may go on writing meanwhile, and a compact file that opens on its own (no
/// `-wal` beside it). A PostgreSQL database is backed up with `pg_dump` instead (README, Backups).
pub async fn backup_sqlite(pool: &Pool, file: &std::path::Path) -> Result<(), super::Error> {
    let Pool::Sqlite(pools) = pool else {
        return Err(super::Error::Invalid("a PostgreSQL database is backed up with pg_dump (README, Backups)".into()));
    };
    if file.exists() {
        return Err(super::Error::Invalid(format!("{} exists already: back up into a new file", file.display())));
    }
    let target = file.to_str().ok_or_else(|| super::Error::Invalid("the backup file's name is not UTF-8".into()))?;
    // Readable by its owner only; VACUUM INTO fills an empty file.
    create_private_file(file).map_err(|error| super::Error::Invalid(format!("{}: {error}", file.display())))?;
    let mut connection = pools.separate_connection().await?;
    sqlx::query("VACUUM INTO $1").bind(target).execute(&mut connection).await?;
    Ok(())
}

/// SQLite's own check of every page and index (`PRAGMA integrity_check`): `ok`, or what is wrong, one
/// problem a line. PostgreSQL checks its pages itself and answers `ok`.
pub async fn integrity_check(pool: &Pool) -> Result<String, super::Error> {
    let Pool::Sqlite(pools) = pool else {
        return Ok("ok".to_owned());
    };
    let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&pools.readers).await?;
    Ok(lines.join("\n"))
}

/// Answers when the database answers (the health check).
pub async fn ping(pool: &Pool) -> Result<(), super::Error> {
    match pool {
        Pool::Sqlite(pools) => sqlx::query("SELECT 1").execute(&pools.readers).await.map(drop)?,
        Pool::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop)?,
    }
    Ok(())
}

/// A transaction: what the seed and other multi-step writers outside `db/` hold while they call the
/// functions of `db` that take one. Dropped without [`commit`](Self::commit), it rolls back.
pub enum Transaction {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Transaction {
    /// Begins a transaction (SQLite: a deferred one, on the writer connection, which it holds until it
    /// ends; PostgreSQL: read committed).
    pub async fn begin(pool: &Pool) -> Result<Self, super::Error> {
        Ok(match pool {
            Pool::Sqlite(pools) => Self::Sqlite(pools.writer.begin().await?),
            Pool::Postgres(pool) => Self::Postgres(pool.begin().await?),
        })
    }

    /// Makes the transaction's writes durable.
    pub async fn commit(self) -> Result<(), super::Error> {
        match self {
            Self::Sqlite(tx) => tx.commit().await?,
            Self::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// The notifications a PostgreSQL database sends when the listing changes (the change feed's triggers
/// notify the channel `listing_changes`), so that every instance reads the feed at once rather than at
/// its next poll. SQLite has none: there the feed is polled (and a writer applies it itself).
pub struct ListingChanges {
    listener: sqlx::postgres::PgListener,
    /// The schema the board's tables are in: the notifications name it.
    schema: String,
}

impl ListingChanges {
    /// Listens on a connection of its own, outside the pool (which it leaves whole for requests); `None`
    /// on SQLite.
    pub async fn listen(pool: &Pool) -> Result<Option<Self>, super::Error> {
        let Pool::Postgres(pool) = pool else {
            return Ok(None);
        };
        let schema: String = sqlx::query_scalar("SELECT current_schema()").fetch_one(pool).await?;
        let own = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with(pool.connect_options().as_ref().clone());
        let mut listener = sqlx::postgres::PgListener::connect_with(&own).await?;
        listener.listen("listing_changes").await?;
        Ok(Some(Self { listener, schema }))
    }

    /// Waits for the next change to this board's listing (another schema's are skipped; a lost
    /// connection is opened again first).
    pub async fn next(&mut self) -> Result<(), super::Error> {
        loop {
            if self.listener.recv().await?.payload() == self.schema {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::without_password;
    use proptest::prelude::*;

    #[test]
    fn a_password_never_reaches_a_message() {
        assert_eq!(without_password("postgres://board:s3cret@db:5432/jobs"), "postgres://board:***@db:5432/jobs");
        assert_eq!(
            without_password("postgres://board:p@ss@db/jobs?sslmode=require"),
            "postgres://board:***@db/jobs?sslmode=require"
        );
        assert_eq!(without_password("postgres://board@db/jobs"), "postgres://board@db/jobs");
        assert_eq!(without_password("sqlite://data/jobboard.db"), "sqlite://data/jobboard.db");
        assert_eq!(without_password("data/jobboard.db"), "data/jobboard.db");
        assert_eq!(
            without_password("postgres://db/jobs?user=board&password=s3cret&sslmode=require"),
            "postgres://db/jobs?user=board&password=***&sslmode=require"
        );
    }

    #[cfg(unix)]
    #[test]
    fn new_database_files_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let folder = tempfile::tempdir().expect("folder");
        let file = folder.path().join("board.db");
        super::create_private_file(&file).expect("created");
        let mode = std::fs::metadata(&file).expect("metadata").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        super::create_private_file(&file).expect("an existing file is left as it is");
    }

    proptest! {
        #[test]
        fn whatever_the_password_it_is_not_shown(password in "[^/?#]{1,40}", host in "[a-z]{1,10}") {
            let shown = without_password(&format!("postgres://board:{password}@{host}/jobs"));
            prop_assert_eq!(shown, format!("postgres://board:***@{host}/jobs"));
        }
    }
}
