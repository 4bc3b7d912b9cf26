//! Alerts on the server: the forms and e-mailed links (`forms`), and the sweep that runs in the serving
//! process (every [`SWEEP_INTERVAL`] by default) and as `jobboard alerts send`. The workflows are
//! `app::service::alerts`; this module reads requests and runs the schedule.

pub mod forms;

use app::db::{self, Pool};
use app::service::alerts::{Links, Signer, SweepReport, sweep};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Marks every answer under `/alerts/` `Cache-Control: no-store`: those pages carry e-mailed tokens and
/// what was typed, and no cache may keep them.
pub async fn never_cached(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let alert_page = request.uri().path().starts_with("/alerts/");
    let mut response = next.run(request).await;
    if alert_page {
        response
            .headers_mut()
            .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    }
    response
}

/// How often the serving process sweeps by default.
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);

/// The links of alert e-mails for a board served at `origin`.
pub async fn links(pool: &Pool, origin: &str) -> Result<Links, db::Error> {
    Ok(Links { origin: origin.trim_end_matches('/').to_owned(), signer: Signer::load(pool).await? })
}

/// One sweep now; wakes the outbox's sender when it put anything in the outbox.
pub async fn sweep_once(pool: &Pool, links: &Links, mail_wake: &Notify) -> Result<SweepReport, db::Error> {
    let report = sweep(pool, links, chrono::Utc::now()).await?;
    if report.confirmations + report.digests + report.notices > 0 {
        mail_wake.notify_one();
    }
    Ok(report)
}

/// Sweeps every `interval` until the pool closes. Several instances may run it at once: the run log and
/// the told-changes mark let one of them write each digest and notice.
pub async fn run_sweeper(pool: Pool, links: Links, mail_wake: Arc<Notify>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !pool.is_closed() {
        ticks.tick().await;
        match sweep_once(&pool, &links, &mail_wake).await {
            Ok(report) if report == SweepReport { quiet: report.quiet, ..SweepReport::default() } => {}
            Ok(report) => tracing::info!(?report, "alerts swept"),
            Err(error) => tracing::warn!(%error, "the alert sweep failed; it runs again at the next tick"),
        }
    }
}
