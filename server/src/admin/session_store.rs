//! A tower-sessions store over the app's database, either engine. (`tower-sessions-sqlx-store` targets sqlx 0.8; this
//! project uses sqlx 0.9, and two sqlx versions cannot both link SQLite.) Records are JSON with an expiry,
//! stored under the SHA-256 of the session id: whoever reads the table or a backup cannot use a session.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use app::db::{self, Pool};

/// Sessions in the `sessions` table.
#[derive(Debug, Clone)]
pub struct DatabaseSessionStore {
    pool: Pool,
}

impl DatabaseSessionStore {
    /// A store over `pool`.
    pub fn new(pool: Pool) -> Self {
        Self { pool }
    }
}

fn backend(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn encode(record: &Record) -> Result<String, session_store::Error> {
    serde_json::to_string(&record.data).map_err(|error| session_store::Error::Encode(error.to_string()))
}

/// The key a session is stored under: the SHA-256 of its id (the cookie's value), never the id itself.
fn stored_id(id: &Id) -> String {
    crate::candidates::token_hash(&id.to_string())
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

#[async_trait]
impl SessionStore for DatabaseSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = encode(record)?;
        // A 128-bit random id practically never collides; if it does, draw another.
        while !db::create_session(&self.pool, &stored_id(&record.id), &data, record.expiry_date.unix_timestamp())
            .await
            .map_err(backend)?
        {
            record.id = Id::default();
        }
        Ok(())
    }

    /// Updates a session that still exists; one that was deleted meanwhile stays deleted.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = encode(record)?;
        db::save_session(&self.pool, &stored_id(&record.id), &data, record.expiry_date.unix_timestamp())
            .await
            .map(|_| ())
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some((data, expires_at)) = db::load_session(&self.pool, &stored_id(id), now()).await.map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&data).map_err(|error| session_store::Error::Decode(error.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(expires_at).map_err(backend)?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        db::delete_session(&self.pool, &stored_id(id)).await.map_err(backend)
    }
}

#[async_trait]
impl ExpiredDeletion for DatabaseSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        db::delete_expired_sessions(&self.pool, now()).await.map(|_| ()).map_err(backend)
    }
}
