//! Counting views of posting pages for the admin list: each served page (200, or 304 to a browser that
//! holds it) is counted in memory and the counts are added to `posting_views` every 30 s and at
//! shutdown. A crash loses at most those 30 s of counts (views are not acknowledged writes); a page a
//! proxy answers from its own cache is not seen. The map holds at most [`MAX_POSTINGS`] postings'
//! counts between writes.

use app::db::{self, Pool};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::domain::job::parse_job_path_segment;

/// How often the counts are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(30);

/// Most postings counted between two writes (about 16 bytes each); views of others wait for the next.
pub const MAX_POSTINGS: usize = 200_000;

/// Views counted since the last write, by posting id.
#[derive(Clone, Default)]
pub struct ViewCounter {
    counts: Arc<Mutex<HashMap<i64, i64>>>,
}

impl ViewCounter {
    /// Counts one view of posting `id`.
    pub fn record(&self, id: i64) {
        let Ok(mut counts) = self.counts.lock() else { return };
        if counts.len() < MAX_POSTINGS || counts.contains_key(&id) {
            *counts.entry(id).or_insert(0) += 1;
        }
    }

    /// Adds the counts so far to the database; on failure they are kept for the next write.
    pub async fn flush(&self, pool: &Pool) -> Result<usize, db::Error> {
        let taken: Vec<(i64, i64)> = match self.counts.lock() {
            Ok(mut counts) => counts.drain().collect(),
            Err(_) => return Ok(0),
        };
        if taken.is_empty() {
            return Ok(0);
        }
        match db::add_posting_views(pool, &taken).await {
            Ok(()) => Ok(taken.len()),
            Err(error) => {
                if let Ok(mut counts) = self.counts.lock() {
                    for (id, views) in taken {
                        *counts.entry(id).or_insert(0) += views;
                    }
                }
                Err(error)
            }
        }
    }

    /// Writes the counts every [`FLUSH_EVERY`] until the pool closes.
    pub async fn run(self, pool: Pool) {
        while !pool.is_closed() {
            tokio::time::sleep(FLUSH_EVERY).await;
            if let Err(error) = self.flush(&pool).await {
                tracing::warn!(%error, "could not write the posting views; kept for the next write");
            }
        }
    }
}

/// Counts a served posting page (`GET /jobs/{id}-{slug}` answered 200 or 304).
pub async fn count_views(State(counter): State<ViewCounter>, request: Request, next: Next) -> Response {
    let posting = (request.method() == Method::GET)
        .then(|| request.uri().path().strip_prefix("/jobs/"))
        .flatten()
        .filter(|segment| !segment.contains('/'))
        .and_then(parse_job_path_segment);
    let response = next.run(request).await;
    if let Some(id) = posting
        && matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED)
    {
        counter.record(id);
    }
    response
}
