//! Backups of a SQLite board: one on demand (`jobboard backup FILE`) and, when the server is given a
//! folder, one every interval there, with the oldest removed beyond a count. Each copy is written with
//! `VACUUM INTO` (safe while the server writes), then opened and checked with `PRAGMA integrity_check`
//! before it counts as a backup. PostgreSQL is backed up with `pg_dump` (README, Backups).

use app::db::{self, Pool};
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

/// Why a backup was not made.
#[derive(Debug, Error)]
pub enum BackupError {
    #[error("the copy could not be written: {0}")]
    Write(db::Error),
    #[error("the copy could not be opened: {0}")]
    Open(#[from] db::DbError),
    #[error("the copy could not be checked: {0}")]
    Check(db::Error),
    #[error("the copy fails its integrity check: {0}")]
    Damaged(String),
    #[error("the backup folder {folder}: {source}")]
    Folder { folder: String, source: std::io::Error },
}

/// The periodic backups' settings (`jobboard serve`).
#[derive(Debug, Clone, clap::Args)]
pub struct BackupSettings {
    /// Write a checked backup of the SQLite database into this folder every --backup-interval-seconds
    /// (created when missing); none when not given.
    #[arg(long, env = "JOBBOARD_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    /// Seconds between two backups into --backup-dir; the first is taken one interval after start.
    #[arg(long, env = "JOBBOARD_BACKUP_INTERVAL_SECONDS", default_value_t = 86_400,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub backup_interval_seconds: u64,
    /// How many backups to keep in --backup-dir: the newest; older ones are deleted after each backup.
    #[arg(long, env = "JOBBOARD_BACKUP_KEEP", default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..))]
    pub backup_keep: u64,
}

/// Writes a copy of the SQLite database `pool` into the new file `file`, then opens the copy and checks
/// it. Returns the copy's row count of every table.
pub async fn backup_into(pool: &Pool, file: &Path) -> Result<Vec<(&'static str, i64)>, BackupError> {
    db::backup_sqlite(pool, file).await.map_err(BackupError::Write)?;
    let copy = db::connect(&format!("sqlite://{}", file.display()), 1).await?;
    let checked = check(&copy).await;
    copy.close().await;
    checked
}

async fn check(copy: &Pool) -> Result<Vec<(&'static str, i64)>, BackupError> {
    let integrity = db::integrity_check(copy).await.map_err(BackupError::Check)?;
    if integrity != "ok" {
        return Err(BackupError::Damaged(integrity));
    }
    db::row_counts(copy).await.map_err(BackupError::Check)
}

/// What the periodic backups name their files: `jobboard-20261202T040500Z.db`, so that names sort by time.
const PREFIX: &str = "jobboard-";
const SUFFIX: &str = ".db";
/// A copy being written or checked; renamed to its backup name once it passed.
const PARTIAL: &str = ".partial";

/// The name of the backup taken at `at`.
pub fn backup_name(at: DateTime<Utc>) -> String {
    format!("{PREFIX}{}{SUFFIX}", at.format("%Y%m%dT%H%M%SZ"))
}

/// True for a name [`backup_name`] gives (and nothing else in the folder).
fn is_backup_name(name: &str) -> bool {
    name.strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_suffix(SUFFIX))
        .is_some_and(|stamp| chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ").is_ok())
}

/// One periodic backup into `folder` taken at `at`: written as a `.partial` file, checked, then renamed to
/// its name (a crash half-way leaves no file that looks like a backup). Then only the newest `keep`
/// backups stay. Returns the new backup's path.
pub async fn backup_into_folder(
    pool: &Pool,
    folder: &Path,
    keep: usize,
    at: DateTime<Utc>,
) -> Result<PathBuf, BackupError> {
    let folder_error = |source| BackupError::Folder { folder: folder.display().to_string(), source };
    std::fs::create_dir_all(folder).map_err(folder_error)?;
    let name = backup_name(at);
    remove_half_written(folder).map_err(folder_error)?;
    let partial = folder.join(format!("{name}{PARTIAL}"));
    if let Err(error) = backup_into(pool, &partial).await {
        let _ = std::fs::remove_file(&partial);
        return Err(error);
    }
    let file = folder.join(&name);
    std::fs::rename(&partial, &file).map_err(folder_error)?;
    prune(folder, keep).map_err(folder_error)?;
    Ok(file)
}

/// True for a copy [`backup_into_folder`] was writing or checking (or the journal SQLite kept beside it):
/// a backup's name followed by `.partial`, `.partial-wal`, `.partial-shm` or `.partial-journal`.
fn is_half_written_name(name: &str) -> bool {
    name.split_once(PARTIAL)
        .is_some_and(|(backup, tail)| is_backup_name(backup) && ["", "-wal", "-shm", "-journal"].contains(&tail))
}

/// Deletes the half-written copies in `folder` that a crash or a kill during a backup left.
fn remove_half_written(folder: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        if entry.file_name().to_str().is_some_and(is_half_written_name) {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// Deletes all but the newest `keep` backups in `folder` (files named by [`backup_name`]); returns the
/// names deleted.
pub fn prune(folder: &Path, keep: usize) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(folder)?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| is_backup_name(name))
        .collect();
    names.sort();
    let excess = names.len().saturating_sub(keep.max(1));
    let old: Vec<String> = names.drain(..excess).collect();
    for name in &old {
        std::fs::remove_file(folder.join(name))?;
    }
    Ok(old)
}

/// Takes a backup into `settings.backup_dir` every interval until `stop` resolves; a failed one is logged
/// and the next is tried at the next interval. A backup under way when `stop` resolves is finished (and
/// checked and renamed) first, so a shutdown leaves no half-written copy.
pub async fn run(pool: Pool, settings: BackupSettings, stop: impl std::future::Future<Output = ()>) {
    let Some(folder) = settings.backup_dir else { return };
    let keep = usize::try_from(settings.backup_keep).unwrap_or(usize::MAX);
    let period = Duration::from_secs(settings.backup_interval_seconds.max(1));
    let mut interval = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = interval.tick() => {}
        }
        match backup_into_folder(&pool, &folder, keep, Utc::now()).await {
            Ok(file) => tracing::info!(file = %file.display(), "backup written and checked"),
            Err(error) => tracing::error!(%error, folder = %folder.display(), "the backup failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    #[test]
    fn names_sort_by_time_and_only_they_are_backups() {
        let early = Utc.with_ymd_and_hms(2026, 12, 2, 4, 5, 0).single().expect("time");
        let late = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).single().expect("time");
        assert_eq!(backup_name(early), "jobboard-20261202T040500Z.db");
        assert!(backup_name(early) < backup_name(late));
        assert!(is_backup_name(&backup_name(early)));
        for other in ["jobboard.db", "jobboard-20261202T040500Z.db.partial", "notes.txt", "jobboard-latest.db"] {
            assert!(!is_backup_name(other), "{other}");
        }
        for half in ["jobboard-20261202T040500Z.db.partial", "jobboard-20261202T040500Z.db.partial-wal"] {
            assert!(is_half_written_name(half), "{half}");
        }
        for other in ["jobboard-20261202T040500Z.db", "notes.partial", "jobboard-x.db.partial", "a.db.partial-wal"] {
            assert!(!is_half_written_name(other), "{other}");
        }
    }

    #[test]
    fn pruning_keeps_the_newest_and_leaves_other_files() {
        let folder = tempfile::tempdir().expect("folder");
        for day in 1..=5 {
            let at = Utc.with_ymd_and_hms(2026, 12, day, 3, 0, 0).single().expect("time");
            std::fs::write(folder.path().join(backup_name(at)), b"x").expect("write");
        }
        std::fs::write(folder.path().join("keep-me.txt"), b"x").expect("write");
        let deleted = prune(folder.path(), 2).expect("prune");
        assert_eq!(
            deleted,
            vec!["jobboard-20261201T030000Z.db", "jobboard-20261202T030000Z.db", "jobboard-20261203T030000Z.db"]
        );
        let mut left: Vec<String> = std::fs::read_dir(folder.path())
            .expect("list")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        left.sort();
        assert_eq!(left, vec!["jobboard-20261204T030000Z.db", "jobboard-20261205T030000Z.db", "keep-me.txt"]);
    }

    /// A crash during a backup leaves its `.partial` copy (and the copy's `-wal`/`-shm`) under that
    /// backup's name; the next backup, whatever its time, clears them.
    #[tokio::test]
    async fn a_backup_clears_the_half_written_copies_an_earlier_crash_left() {
        let folder = tempfile::tempdir().expect("folder");
        let database = folder.path().join("board.db");
        let pool = db::connect(&format!("sqlite://{}?mode=rwc", database.display()), 1).await.expect("open");
        db::migrate(&pool).await.expect("migrate");
        let backups = folder.path().join("backups");
        std::fs::create_dir_all(&backups).expect("folder");
        let crashed = Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).single().expect("time");
        let leftovers: Vec<String> = ["", "-wal", "-shm", "-journal"]
            .iter()
            .map(|tail| format!("{}{PARTIAL}{tail}", backup_name(crashed)))
            .collect();
        for name in &leftovers {
            std::fs::write(backups.join(name), b"half").expect("write");
        }
        std::fs::write(backups.join("notes.txt"), b"mine").expect("write");
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 3, 0, 0).single().expect("time");
        let file = backup_into_folder(&pool, &backups, 2, now).await.expect("backup");
        let mut left: Vec<String> = std::fs::read_dir(&backups)
            .expect("list")
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        left.sort();
        assert_eq!(left, vec![backup_name(now), "notes.txt".to_owned()], "{file:?}");
        pool.close().await;
    }

    proptest! {
        #[test]
        fn any_name_is_judged_without_panic(name in "\\PC{0,40}") {
            let _ = is_backup_name(&name);
            let _ = is_half_written_name(&name);
        }
    }
}
