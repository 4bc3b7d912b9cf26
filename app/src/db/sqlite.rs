//! SQLite, the embedded default: one file, nothing to install. The queries in `queries/` are compiled
//! here against [`Db`] = `sqlx::Sqlite`; [`dialect`] holds what SQLite says differently.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub(super) use super::error::Error;
use super::pool::{DbError, without_password};

/// The engine the shared queries are compiled against here.
pub(super) type Db = sqlx::Sqlite;
/// A pool of this engine's connections.
pub(super) type Pool = sqlx::SqlitePool;
/// One of this engine's connections, usually a transaction's.
pub(super) type Connection = sqlx::SqliteConnection;

/// How SQLite says what PostgreSQL says otherwise.
pub(super) mod dialect {
    use super::Db;
    use sqlx::QueryBuilder;

    /// The current time, as the schema stores it (ISO-8601 UTC text).
    pub const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";
    /// Begins a transaction that writes: it takes the write lock at once, so that it never fails half-way
    /// on a lock another writer took after its first read.
    pub const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";
    /// Begins a read transaction that sees one state of the database throughout (WAL gives each read
    /// transaction its own snapshot).
    pub const BEGIN_SNAPSHOT: &str = "BEGIN";
    /// What a read that a write will follow adds to lock its rows: nothing, the write lock is held.
    pub const FOR_UPDATE: &str = "";
    /// LIKE ignores the case of ASCII letters in SQLite.
    pub const LIKE_ANY_CASE: &str = "LIKE";
    /// The change feed's position a whole read of the board is current at: the last `seq` given out
    /// (AUTOINCREMENT's own record, which pruning every row leaves alone; one writer at a time, so `seq`
    /// order is commit order).
    pub const FEED_POSITION: &str =
        "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'listing_changes'), 0)";
    /// A position at or after every change committed so far: the last `seq` given out.
    pub const FEED_WRITTEN: &str = FEED_POSITION;
    /// The feed's rows after a position (`$1`), oldest first, at most `$2`: `seq`, the position each
    /// stands for, and what it names.
    pub const FEED_ROWS: &str = "SELECT seq, seq AS tx, posting_id, company_id, career_step_id FROM listing_changes \
                                 WHERE seq > $1 ORDER BY seq LIMIT $2";
    /// The next read starts after the last row read.
    pub const FEED_POSITION_IS_LAST_SEQ: bool = true;
    /// The position the pruner deleted through: a reader before it missed rows.
    pub const FEED_PRUNED: &str = "SELECT through FROM listing_feed_pruned WHERE id = 1";
    /// Deletes up to `$2` of the oldest rows through `seq` `$1`; returns the position each deleted row
    /// makes the pruned horizon.
    pub const FEED_PRUNE: &str = "DELETE FROM listing_changes WHERE seq IN \
                                  (SELECT seq FROM listing_changes WHERE seq <= $1 ORDER BY seq LIMIT $2) RETURNING seq";
    /// Moves the pruned horizon forward to `$1`.
    pub const FEED_PRUNED_THROUGH: &str = "UPDATE listing_feed_pruned SET through = $1 WHERE id = 1 AND through < $1";
    /// FTS5's bm25 (lower is better), title 10, company 4, skills 3, body 1.
    pub const RANK: &str = "bm25(postings_fts, 10.0, 4.0, 3.0, 1.0)";
    /// The head of a multi-row insert of full-text rows (rowid = the posting's id).
    pub const INSERT_FULL_TEXT: &str = "INSERT INTO postings_fts (rowid, title, company, skills, body) ";
    /// Deletes a posting's full-text row.
    pub const DELETE_FULL_TEXT: &str = "DELETE FROM postings_fts WHERE rowid = $1";

    /// The FROM clause of a listing query with keywords (an FTS5 query from `fts_query`): the matches
    /// drive the query, each looked up in `postings` by primary key (CROSS JOIN keeps that order).
    pub fn push_keyword_source(query: &mut QueryBuilder<Db>, _keywords: &str) {
        query.push(" FROM postings_fts CROSS JOIN postings p ON p.id = postings_fts.rowid");
    }

    /// The full-text row's posting id.
    pub const FULL_TEXT_ID: &str = "postings_fts.rowid";

    /// The FROM clause of a search among a few postings' full-text rows only (no join to `postings`:
    /// FTS5 then looks the rowids up in its index, 1 ms, where a join walks every match, 15 ms for
    /// "engineer" at 100,000 postings), where [`RANK`] may be selected and [`FULL_TEXT_ID`] compared.
    pub fn push_full_text_source(query: &mut QueryBuilder<Db>, _keywords: &str) {
        query.push(" FROM postings_fts");
    }

    /// The condition, after the WHERE clause, that keeps the keywords' matches.
    pub fn push_keyword_condition(query: &mut QueryBuilder<Db>, keywords: &str) {
        query.push(" AND postings_fts MATCH ").push_bind(keywords.to_owned());
    }

    /// A query of one JSON array: the ids of every posting whose text matches `keywords`.
    pub fn push_keyword_ids(query: &mut QueryBuilder<Db>, keywords: &str) {
        query.push("SELECT json_group_array(rowid) FROM postings_fts WHERE postings_fts MATCH ");
        query.push_bind(keywords.to_owned());
    }

    /// `WITH hits AS (…)`: the `limit` postings whose titles best match any of `words` (lower-case
    /// alphanumeric words), as `id` and `rank` (lower is better).
    pub fn push_title_hits(query: &mut QueryBuilder<Db>, words: &[String], limit: i64) {
        // Each word is quoted, so nothing in a title can act as FTS5 syntax.
        let any_word =
            words.iter().map(|w| format!("title:\"{}\"", w.replace('"', ""))).collect::<Vec<_>>().join(" OR ");
        query.push("WITH hits AS MATERIALIZED (SELECT rowid AS id, rank FROM postings_fts WHERE postings_fts MATCH ");
        query.push_bind(any_word).push(" ORDER BY rank LIMIT ").push_bind(limit).push(") ");
    }

    /// A JSON array with one array of `items` per row of the query it aggregates (`[]` for none).
    pub fn json_list(items: &str) -> String {
        format!("json_group_array(json_array({items}))")
    }

    /// A JSON value as text.
    pub fn json_text(expr: &str) -> String {
        expr.to_owned()
    }

    /// The condition that an account's `email` is the address in `param`, ASCII letters in any case (the
    /// column's NOCASE collation, so the lookup uses its unique index).
    pub fn email_is(param: &str) -> String {
        format!("email = {param}")
    }
}

// The shared queries, compiled for this engine (each file is compiled once per engine).
#[allow(clippy::duplicate_mod)]
#[path = "queries/admin.rs"]
pub(super) mod admin;
#[allow(clippy::duplicate_mod)]
#[path = "queries/alerts.rs"]
pub(super) mod alerts;
#[allow(clippy::duplicate_mod)]
#[path = "queries/applications.rs"]
pub(super) mod applications;
#[allow(clippy::duplicate_mod)]
#[path = "queries/candidates.rs"]
pub(super) mod candidates;
#[allow(clippy::duplicate_mod)]
#[path = "queries/cards.rs"]
pub(super) mod cards;
#[allow(clippy::duplicate_mod)]
#[path = "queries/career.rs"]
pub(super) mod career;
#[allow(clippy::duplicate_mod)]
#[path = "queries/companies.rs"]
pub(super) mod companies;
#[allow(clippy::duplicate_mod)]
#[path = "queries/listing.rs"]
pub(super) mod listing;
#[allow(clippy::duplicate_mod)]
#[path = "queries/postings.rs"]
pub(super) mod postings;
#[allow(clippy::duplicate_mod)]
#[path = "queries/related.rs"]
pub(super) mod related;
#[allow(clippy::duplicate_mod)]
#[path = "queries/snapshot.rs"]
pub(super) mod snapshot;
#[allow(clippy::duplicate_mod)]
#[path = "queries/write.rs"]
pub(super) mod write;

/// The two pools a SQLite database is used through. SQLite lets one connection write at a time: with one
/// writer connection the server queues its writes itself (in the pool's wait list) instead of having them
/// retry on `SQLITE_BUSY`, and WAL lets the readers go on meanwhile.
#[derive(Debug, Clone)]
pub struct Pools {
    /// Read-only connections (`query_only`): every request's reads. A write sent here fails at once,
    /// which the tests would show.
    pub(super) readers: sqlx::SqlitePool,
    /// The one connection that writes, with `synchronous = FULL`: a commit it acknowledges is on disk,
    /// in the write-ahead log, before the answer goes out.
    pub(super) writer: sqlx::SqlitePool,
}

impl Pools {
    /// The writer connection's pool, for tests and tools that run their own SQL (it reads and writes).
    pub fn writer(&self) -> &sqlx::SqlitePool {
        &self.writer
    }

    /// The read-only pool, for tests that check it refuses writes.
    pub fn readers(&self) -> &sqlx::SqlitePool {
        &self.readers
    }

    /// True once both pools are closed.
    pub(super) fn is_closed(&self) -> bool {
        self.readers.is_closed() && self.writer.is_closed()
    }

    /// Closes both pools, the writer last, after every read has returned its connection.
    pub(super) async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }

    /// The same database with a read-only pool of its own of `readers` connections (the writer shared):
    /// for a task whose reads must not wait behind the requests' (the listing's change feed).
    pub(super) fn with_own_readers(&self, readers: u32) -> Self {
        let options = self.readers.connect_options().as_ref().clone();
        let readers = SqlitePoolOptions::new().max_connections(readers.max(1)).connect_lazy_with(options);
        Self { readers, writer: self.writer.clone() }
    }

    /// A connection of its own, outside both pools, with the writer's settings but no place in its queue:
    /// what `VACUUM INTO` runs on (it writes a new file, which `query_only` forbids, and would hold the
    /// writer for the whole copy).
    pub(super) async fn separate_connection(&self) -> Result<Connection, sqlx::Error> {
        use sqlx::ConnectOptions;
        self.writer.connect_options().connect().await
    }
}

/// How long a write waits for the writer connection before it fails (the server answers 503): writes
/// take milliseconds, so this is a queue of hundreds.
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// Logs a warning when other users of the machine may read the database file (one made before new files
/// were created 0600): it holds password hashes and the candidates' data.
fn warn_when_others_can_read(file: &Path) {
    #[cfg(unix)]
    if let Ok(metadata) = std::fs::metadata(file) {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                file = %file.display(),
                mode = format!("{mode:o}"),
                "other users of this machine may read the database: `chmod 600` it (and its -wal and -shm files)"
            );
        }
    }
}

/// Opens (creating when missing) the SQLite database at `url`, e.g. `sqlite://data/jobboard.db`: WAL,
/// foreign keys, a 5 s busy timeout (for other processes, such as `jobboard backup`), one writer and
/// `max_readers` read-only connections.
pub(super) async fn connect(url: &str, max_readers: u32) -> Result<Pools, DbError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|error| DbError::BadUrl { url: without_password(url), reason: error.to_string() })?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5))
        .pragma("cache_size", "-32000")
        .pragma("temp_store", "memory");
    let file = options.get_filename();
    if let Some(folder) = Path::new(file).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder)
            .map_err(|source| DbError::CreateFolder { folder: folder.display().to_string(), source })?;
    }
    let open_error = |error: sqlx::Error| DbError::Open { url: without_password(url), reason: error.to_string() };
    let name = file.to_string_lossy();
    if !name.is_empty() && name != ":memory:" && !name.starts_with("file:") {
        super::pool::create_private_file(Path::new(file))
            .map_err(|error| DbError::Open { url: without_password(url), reason: error.to_string() })?;
        warn_when_others_can_read(Path::new(file));
    }
    // The writer first: it creates the file and puts it in WAL mode before any reader opens it.
    let writer = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(WRITER_WAIT)
        .connect_with(options.clone().synchronous(SqliteSynchronous::Full))
        .await
        .map_err(open_error)?;
    let readers = SqlitePoolOptions::new()
        .max_connections(max_readers.max(1))
        .connect_with(options.synchronous(SqliteSynchronous::Normal).pragma("query_only", "ON"))
        .await
        .map_err(open_error)?;
    let pools = Pools { readers, writer };
    let version: String =
        sqlx::query_scalar("SELECT sqlite_version()").fetch_one(&pools.readers).await.map_err(open_error)?;
    if !is_safe_sqlite(&version) {
        pools.close().await;
        return Err(DbError::SqliteTooOld { found: version, minimum: MINIMUM_SQLITE });
    }
    tracing::info!(sqlite = %version, readers = max_readers.max(1), "SQLite opened: one writer (synchronous=FULL), WAL");
    Ok(pools)
}

/// The oldest SQLite the server runs on: 3.51.3 fixed a bug that could corrupt a database in WAL mode
/// when its log was reset while another connection wrote.
pub const MINIMUM_SQLITE: &str = "3.51.3";

/// True when `version` (`3.51.3`, as `sqlite_version()` gives it) is at least [`MINIMUM_SQLITE`]; false
/// for one older or not in that form.
pub fn is_safe_sqlite(version: &str) -> bool {
    fn parts(version: &str) -> Option<(u32, u32, u32)> {
        let mut numbers = version.trim().split('.').map(|part| part.parse::<u32>().ok());
        let major = numbers.next()??;
        let minor = numbers.next()??;
        let patch = numbers.next().unwrap_or(Some(0))?;
        Some((major, minor, patch))
    }
    match (parts(version), parts(MINIMUM_SQLITE)) {
        (Some(found), Some(minimum)) => found >= minimum,
        _ => false,
    }
}

/// This engine's migrations (`migrations/sqlite`).
pub(super) fn migrator() -> sqlx::migrate::Migrator {
    sqlx::migrate!("../migrations/sqlite")
}

#[cfg(test)]
mod version_tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn versions_from_3_51_3_on_are_safe() {
        for safe in ["3.51.3", "3.51.10", "3.52.0", "3.53.2", "4.0.0"] {
            assert!(is_safe_sqlite(safe), "{safe}");
        }
        for unsafe_version in ["3.51.2", "3.50.4", "3.45.1", "2.99.99", "", "three", "3.x.1"] {
            assert!(!is_safe_sqlite(unsafe_version), "{unsafe_version:?}");
        }
    }

    proptest! {
        #[test]
        fn any_version_text_is_judged_without_panic(text in "[0-9.a-z]{0,16}") {
            let _ = is_safe_sqlite(&text);
        }

        #[test]
        fn the_order_is_numeric(a in 0u32..100, b in 0u32..100, c in 0u32..100) {
            let version = format!("{a}.{b}.{c}");
            prop_assert_eq!(is_safe_sqlite(&version), (a, b, c) >= (3, 51, 3));
        }
    }
}

#[cfg(test)]
mod migration_tests {
    use super::*;

    async fn count(pool: &sqlx::SqlitePool, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(pool).await.expect("count")
    }

    /// Migration 0008 rebuilds the account tables with AUTOINCREMENT under foreign keys off: every row and
    /// reference stays, foreign keys are on again afterwards, and a deleted largest id is not handed out
    /// again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_accounts_rebuild_keeps_every_row_and_reference() {
        let folder = tempfile::tempdir().expect("folder");
        let url = format!("sqlite://{}", folder.path().join("board.db").display());
        let pools = connect(&url, 2).await.expect("opens");
        migrator().run_to(7, &pools.writer).await.expect("migrations up to 0007");
        for statement in [
            "INSERT INTO candidates (id, email, password_hash, confirmed_at) VALUES (1, 'a@x.io', 'h', 'now'), \
             (2, 'b@x.io', 'h', NULL)",
            "INSERT INTO candidate_tokens (token_hash, candidate_id, purpose, expires_at) VALUES ('t', 2, 'confirm', 9)",
            "INSERT INTO admins (id, email, password_hash) VALUES (1, 'admin@x.io', 'h')",
            "INSERT INTO audit_log (admin_id, admin_email, action) VALUES (1, 'admin@x.io', 'company')",
            "INSERT INTO alerts (id, email, candidate_id, listing_query, created_at) VALUES (1, 'a@x.io', 1, 'q=a', 0), \
             (2, 'c@x.io', NULL, 'q=c', 0)",
            "INSERT INTO alert_runs (alert_id, period, ran_at, postings) VALUES (1, 'D2026-12-07', 0, 0)",
            "INSERT INTO sessions (id, data, expires_at) VALUES ('plain', '{}', 99999999999)",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(statement)).execute(&pools.writer).await.expect(statement);
        }
        migrator().run(&pools.writer).await.expect("migration 0008 and after");
        // A process that died after the rebuild committed, before sqlx recorded it, runs it again at start.
        sqlx::raw_sql(include_str!("../../../migrations/sqlite/0008_accounts_no_one_else_enters.sql"))
            .execute(&pools.writer)
            .await
            .expect("migration 0008 runs again");

        let on: i64 = sqlx::query_scalar("PRAGMA foreign_keys").fetch_one(&pools.writer).await.expect("pragma");
        assert_eq!(on, 1, "foreign keys are on again");
        assert_eq!(count(&pools.writer, "SELECT COUNT(*) FROM candidates").await, 2);
        assert_eq!(count(&pools.writer, "SELECT COUNT(*) FROM candidate_tokens WHERE candidate_id = 2").await, 1);
        assert_eq!(count(&pools.writer, "SELECT COUNT(*) FROM audit_log WHERE admin_id = 1").await, 1);
        assert_eq!(count(&pools.writer, "SELECT COUNT(*) FROM alerts WHERE candidate_id = 1").await, 1);
        assert_eq!(count(&pools.writer, "SELECT COUNT(*) FROM alert_runs WHERE alert_id = 1").await, 1);
        assert_eq!(count(&pools.writer, "SELECT COUNT(*) FROM pragma_foreign_key_check").await, 0);
        assert_eq!(count(&pools.writer, "SELECT COUNT(*) FROM sessions").await, 0, "plain session ids are gone");
        let epochs = count(&pools.writer, "SELECT COUNT(DISTINCT session_epoch) FROM candidates").await;
        assert_eq!(epochs, 2, "each account has an epoch of its own");

        // The cascade still works, and the largest id is not handed out again.
        sqlx::query("DELETE FROM candidates WHERE id = 2").execute(&pools.writer).await.expect("delete");
        assert_eq!(count(&pools.writer, "SELECT COUNT(*) FROM candidate_tokens").await, 0);
        let next: i64 =
            sqlx::query_scalar("INSERT INTO candidates (email, password_hash) VALUES ('d@x.io', 'h') RETURNING id")
                .fetch_one(&pools.writer)
                .await
                .expect("insert");
        assert_eq!(next, 3);
        let alert: i64 = sqlx::query_scalar(
            "INSERT INTO alerts (email, listing_query, created_at) VALUES ('e@x.io', 'q=e', 0) RETURNING id",
        )
        .fetch_one(&pools.writer)
        .await
        .expect("insert");
        assert_eq!(alert, 3);
        pools.close().await;
    }
}
