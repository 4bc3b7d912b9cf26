//! PostgreSQL, for several instances on one shared database. The queries in `queries/` are compiled here
//! against [`Db`] = `sqlx::Postgres`; [`dialect`] holds what PostgreSQL says differently.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

pub(super) use super::error::Error;
use super::pool::{DbError, without_password};

/// The engine the shared queries are compiled against here.
pub(super) type Db = sqlx::Postgres;
/// A pool of this engine's connections.
pub(super) type Pool = sqlx::PgPool;
/// One of this engine's connections, usually a transaction's.
pub(super) type Connection = sqlx::PgConnection;

/// How long one statement may run before the server cancels it: a bound on any request's work.
const STATEMENT_TIMEOUT: &str = "10s";

/// How long a statement waits for a lock another transaction holds before it gives up (then the write
/// is answered 503 with Retry-After, as SQLite's busy timeout is).
const LOCK_TIMEOUT: &str = "5s";

/// How PostgreSQL says what SQLite says otherwise.
pub(super) mod dialect {
    use super::Db;
    use sqlx::QueryBuilder;

    /// The change feed's position a read is current at: the oldest transaction still running as its
    /// snapshot was taken (every earlier one has committed or rolled back; sequence values are not in
    /// commit order, so `seq` cannot be one).
    pub const FEED_POSITION: &str = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint";
    /// A position at or after every change committed so far: the first transaction id not yet given out
    /// (an index whose read started no earlier than every transaction before it has ended is there).
    pub const FEED_WRITTEN: &str = "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint";
    /// The feed's rows of every transaction from a position (`$1`) on, at most `$2`, in transaction order
    /// (so that the read is a range of the `tx` index, whatever the feed's length): `seq`, the transaction
    /// each came from, and what it names. A row seen before comes again until the
    /// position passes its transaction; the reader skips the `seq`s it applied.
    pub const FEED_ROWS: &str = "SELECT seq, tx::text::bigint AS tx, posting_id, company_id, career_step_id \
                                 FROM listing_changes WHERE tx >= $1::bigint::text::xid8 ORDER BY tx LIMIT $2";
    /// The next read starts at this read's position.
    pub const FEED_POSITION_IS_LAST_SEQ: bool = false;
    /// The position the pruner deleted through: a reader before it missed rows.
    pub const FEED_PRUNED: &str = "SELECT through::text::bigint FROM listing_feed_pruned WHERE id = 1";
    /// Deletes up to `$2` of the oldest rows through `seq` `$1` whose transactions every reader's snapshot
    /// shows as ended; returns the position each deleted row makes the pruned horizon (the transaction
    /// after its own).
    pub const FEED_PRUNE: &str = "DELETE FROM listing_changes WHERE seq IN \
                                  (SELECT seq FROM listing_changes WHERE seq <= $1 \
                                  AND tx < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY seq LIMIT $2) \
                                  RETURNING tx::text::bigint + 1";
    /// Moves the pruned horizon forward to `$1`.
    pub const FEED_PRUNED_THROUGH: &str = "UPDATE listing_feed_pruned SET through = $1::bigint::text::xid8 \
                                           WHERE id = 1 AND through < $1::bigint::text::xid8";

    /// The current time (the schema's times are `timestamptz`).
    pub const NOW: &str = "now()";
    /// Begins a transaction that writes; rows it reads before writing are locked with [`FOR_UPDATE`].
    pub const BEGIN_WRITE: &str = "BEGIN";
    /// Begins a read transaction that sees one state of the database throughout.
    pub const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";
    /// Locks the rows a read finds until the transaction ends, for a write that depends on them.
    pub const FOR_UPDATE: &str = " FOR UPDATE";
    /// PostgreSQL's LIKE minds case; ILIKE does not.
    pub const LIKE_ANY_CASE: &str = "ILIKE";
    /// The schema's text search configuration: English stemming (as FTS5's porter tokenizer), every
    /// word kept.
    const CONFIG: &str = "'jobboard'";
    /// `ts_rank_cd` over the weighted document (title A 1.0, company B 0.4, skills C 0.3, body D 0.1),
    /// negated so that lower is better, as bm25 is in SQLite: the listing's order and cursors are shared.
    pub const RANK: &str =
        "(-ts_rank_cd('{0.1, 0.3, 0.4, 1.0}'::float4[], postings_fts.document, keywords.query))::float8";
    /// The head of a multi-row insert of full-text rows (`document` is generated from the columns).
    pub const INSERT_FULL_TEXT: &str = "INSERT INTO postings_fts (posting_id, title, company, skills, body) ";
    /// Deletes a posting's full-text row.
    pub const DELETE_FULL_TEXT: &str = "DELETE FROM postings_fts WHERE posting_id = $1";

    /// The tsquery text of an FTS5-style query from `fts_query` (quoted alphanumeric words, all
    /// required): the words joined by `&`. Only letters and digits are kept, so nothing typed acts as
    /// tsquery syntax.
    fn all_words(keywords: &str) -> String {
        keywords
            .split_whitespace()
            .map(|word| word.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join(" & ")
    }

    /// The FROM clause of a listing query with keywords: the query once (`keywords.query`), the matching
    /// full-text rows by the GIN index, and their postings.
    pub fn push_keyword_source(query: &mut QueryBuilder<Db>, keywords: &str) {
        query.push(format!(" FROM (SELECT to_tsquery({CONFIG}, "));
        query.push_bind(all_words(keywords));
        query.push(
            ") AS query) keywords JOIN postings_fts ON postings_fts.document @@ keywords.query \
             JOIN postings p ON p.id = postings_fts.posting_id",
        );
    }

    /// The full-text row's posting id.
    pub const FULL_TEXT_ID: &str = "postings_fts.posting_id";

    /// The FROM clause of a search among a few postings' full-text rows only (no join to `postings`),
    /// where [`RANK`] may be selected and [`FULL_TEXT_ID`] compared.
    pub fn push_full_text_source(query: &mut QueryBuilder<Db>, keywords: &str) {
        query.push(format!(" FROM (SELECT to_tsquery({CONFIG}, "));
        query.push_bind(all_words(keywords));
        query.push(") AS query) keywords JOIN postings_fts ON postings_fts.document @@ keywords.query");
    }

    /// Nothing: the FROM clause already keeps only the matches.
    pub fn push_keyword_condition(_query: &mut QueryBuilder<Db>, _keywords: &str) {}

    /// A query of one JSON array: the ids of every posting whose text matches `keywords`.
    pub fn push_keyword_ids(query: &mut QueryBuilder<Db>, keywords: &str) {
        query.push(format!(
            "SELECT COALESCE(json_agg(posting_id), '[]'::json)::text FROM postings_fts \
             WHERE document @@ to_tsquery({CONFIG}, "
        ));
        query.push_bind(all_words(keywords)).push(")");
    }

    /// `WITH hits AS (…)`: the `limit` postings whose titles best match any of `words` (lower-case
    /// alphanumeric words), as `id` and `rank` (lower is better).
    pub fn push_title_hits(query: &mut QueryBuilder<Db>, words: &[String], limit: i64) {
        // `:A` keeps a word to the title (weight A); only letters and digits are kept.
        let any_word = words
            .iter()
            .map(|w| w.chars().filter(|c| c.is_alphanumeric()).collect::<String>())
            .filter(|w| !w.is_empty())
            .map(|w| format!("{w}:A"))
            .collect::<Vec<_>>()
            .join(" | ");
        query.push(format!(
            "WITH hits AS MATERIALIZED (SELECT f.posting_id AS id, \
             (-ts_rank_cd(f.document, t.query))::float8 AS rank \
             FROM postings_fts f CROSS JOIN to_tsquery({CONFIG}, "
        ));
        query.push_bind(any_word).push(") AS t(query) WHERE f.document @@ t.query ORDER BY rank, f.posting_id LIMIT ");
        query.push_bind(limit).push(") ");
    }

    /// A JSON array with one array of `items` per row of the query it aggregates (`[]` for none).
    pub fn json_list(items: &str) -> String {
        format!("COALESCE(json_agg(json_build_array({items})), '[]'::json)")
    }

    /// A JSON value as text.
    pub fn json_text(expr: &str) -> String {
        format!("({expr})::text")
    }

    /// The condition that an account's `email` is the address in `param`, ASCII letters in any case, as
    /// SQLite's NOCASE folds them (the expression of the unique index `*_email_ascii_fold`).
    pub fn email_is(param: &str) -> String {
        const FOLD: &str = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'";
        format!("translate(email, {FOLD}) = translate({param}, {FOLD})")
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

/// Opens the PostgreSQL database at `url` (`postgres://user@host:port/name`); each connection bounds
/// its statements' time and waits for each commit to be flushed (`synchronous_commit = on`).
pub(super) async fn connect(url: &str, max_connections: u32) -> Result<Pool, DbError> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|error| DbError::BadUrl { url: without_password(url), reason: error.to_string() })?
        .application_name("jobboard")
        .options([
            ("statement_timeout", STATEMENT_TIMEOUT),
            ("lock_timeout", LOCK_TIMEOUT),
            // A commit is acknowledged once it is flushed, whatever the server's default says.
            ("synchronous_commit", "on"),
        ]);
    PgPoolOptions::new()
        .max_connections(max_connections.max(1))
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|error| DbError::Open { url: without_password(url), reason: error.to_string() })
}

/// This engine's migrations (`migrations/postgres`).
pub(super) fn migrator() -> sqlx::migrate::Migrator {
    sqlx::migrate!("../migrations/postgres")
}
