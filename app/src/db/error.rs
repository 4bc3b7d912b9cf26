//! The storage layer's own error: what went wrong in words the rest of the app can act on, so that
//! nothing outside `db/` names sqlx.

use thiserror::Error;

/// Why a read or write of the database failed.
#[derive(Debug, Error)]
pub enum Error {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A write broke a constraint (a unique value taken, a check, a missing reference); `field` is the
    /// column it concerns, as the schema names it (`email`, `slug`, `annual_max`).
    #[error("the value of {field} conflicts with what is stored")]
    Conflict { field: String },
    /// The database is locked by another writer or has no free connection; worth retrying shortly.
    #[error("the database is busy")]
    Busy,
    /// The data handed to the storage layer cannot be stored as it is (an unknown company or career
    /// step, a posting that fails its rules); the message says which.
    #[error("{0}")]
    Invalid(String),
    /// Anything else: I/O, a corrupt row, a bug. Logged, never shown.
    #[error("database failure: {0}")]
    Other(String),
}

/// SQLite's primary result codes for a locked database (`SQLITE_BUSY`, `SQLITE_LOCKED`).
const SQLITE_BUSY_CODES: [i64; 2] = [5, 6];

/// PostgreSQL's SQLSTATEs for a write worth retrying shortly: serialization failure, deadlock, lock not
/// available, too many connections, a statement cancelled (the statement timeout).
const POSTGRES_BUSY_STATES: [&str; 5] = ["40001", "40P01", "55P03", "53300", "57014"];

/// PostgreSQL's SQLSTATEs for text it cannot store: a character not in the encoding (NUL), an
/// untranslatable one. The input is at fault, not the database.
const POSTGRES_UNSTORABLE_TEXT_STATES: [&str; 2] = ["22021", "22P05"];

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::PoolTimedOut => Self::Busy,
            sqlx::Error::Database(database) => {
                let code = database.code().unwrap_or_default();
                let postgres = database.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some();
                // A SQLSTATE may be all digits (22021): only a SQLite error's code is SQLite's number.
                let busy = if postgres {
                    POSTGRES_BUSY_STATES.contains(&code.as_ref())
                } else {
                    code.parse::<i64>().ok().is_some_and(|code| SQLITE_BUSY_CODES.contains(&(code & 0xff)))
                };
                if busy {
                    return Self::Busy;
                }
                if postgres && POSTGRES_UNSTORABLE_TEXT_STATES.contains(&code.as_ref()) {
                    return Self::Invalid("the text holds a character that cannot be stored (such as NUL)".into());
                }
                let constraint = database.is_unique_violation()
                    || database.is_check_violation()
                    || database.is_foreign_key_violation();
                if constraint {
                    let field = match database.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                        Some(postgres) => postgres_constraint_field(postgres),
                        None => constraint_field(database.message()),
                    };
                    Self::Conflict { field }
                } else {
                    Self::Other(database.to_string())
                }
            }
            other => Self::Other(other.to_string()),
        }
    }
}

/// The column a constraint message concerns: SQLite writes `UNIQUE constraint failed: admins.email`
/// (the column after the table) and `CHECK constraint failed: <name or expression>`.
fn constraint_field(message: &str) -> String {
    let Some((_, detail)) = message.split_once(": ") else {
        return "value".to_owned();
    };
    let first = detail.split([',', ' ']).next().unwrap_or(detail);
    let column = first.rsplit('.').next().unwrap_or(first);
    let column: String = column.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    if column.is_empty() { "value".to_owned() } else { column }
}

/// The column a PostgreSQL constraint error concerns: a unique or foreign-key violation names its key
/// in the detail (`Key (slug)=(tiktok) already exists.`, `Key (lower(email))=…`); a check names its
/// constraint, which PostgreSQL calls `{table}_{column}_check` and the schema names so too.
fn postgres_constraint_field(error: &sqlx::postgres::PgDatabaseError) -> String {
    if let Some(key) = error.detail().and_then(|detail| detail.strip_prefix("Key (")) {
        let columns = key.split(")=").next().unwrap_or(key);
        let first = columns.split(',').next().unwrap_or(columns).trim();
        let column = first
            .trim_start_matches("lower(")
            .trim_start_matches("translate(")
            .split("::")
            .next()
            .unwrap_or(first)
            .trim_end_matches(')');
        if !column.is_empty() && column.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return column.to_owned();
        }
    }
    let named = error.constraint().map(|name| {
        let name = name.strip_suffix("_check").unwrap_or(name);
        error.table().and_then(|table| name.strip_prefix(table)).map_or(name, |rest| rest.trim_start_matches('_'))
    });
    match named {
        Some(column) if !column.is_empty() => column.to_owned(),
        _ => "value".to_owned(),
    }
}

impl Error {
    /// A stored code that the schema's CHECK constraints should have kept valid: a corrupt row.
    pub(crate) fn corrupt(column: &str, detail: impl std::fmt::Display) -> Self {
        Self::Other(format!("column {column}: {detail}"))
    }
}

/// Maps a stored code that the schema's CHECK constraints guarantee; a mismatch is a corrupt row.
pub(crate) fn decode<T, E: std::fmt::Display>(column: &str, parsed: Result<T, E>) -> Result<T, Error> {
    parsed.map_err(|error| Error::corrupt(column, error))
}

#[cfg(test)]
mod tests {
    use super::constraint_field;

    #[test]
    fn a_constraint_message_names_its_column() {
        assert_eq!(constraint_field("UNIQUE constraint failed: admins.email"), "email");
        assert_eq!(
            constraint_field("UNIQUE constraint failed: posting_locations.posting_id, posting_locations.position"),
            "posting_id"
        );
        assert_eq!(constraint_field("CHECK constraint failed: annual_max"), "annual_max");
        assert_eq!(constraint_field("FOREIGN KEY constraint failed"), "value");
    }
}
