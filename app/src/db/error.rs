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

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::PoolTimedOut => Self::Busy,
            sqlx::Error::Database(database) => {
                let primary_code = database.code().and_then(|code| code.parse::<i64>().ok()).map(|code| code & 0xff);
                if primary_code.is_some_and(|code| SQLITE_BUSY_CODES.contains(&code)) {
                    return Self::Busy;
                }
                let constraint = database.is_unique_violation()
                    || database.is_check_violation()
                    || database.is_foreign_key_violation();
                if constraint {
                    Self::Conflict { field: constraint_field(database.message()) }
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

impl Error {
    /// A stored code that the schema's CHECK constraints should have kept valid: a corrupt row.
    pub(crate) fn corrupt(column: &str, detail: impl std::fmt::Display) -> Self {
        Self::Other(format!("column {column}: {detail}"))
    }
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
