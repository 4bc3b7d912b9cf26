//! Entity tags for the built CSS, JS and wasm under `/pkg`. Their names carry no content hash, so a
//! browser revalidates them on each visit; an `ETag` made from the file's bytes lets the server answer
//! `304 Not Modified` whenever the content is unchanged, also after a rebuild or a restart that only
//! touched the files' modification times (which `Last-Modified` alone would count as a change).
//!
//! The tag is weak (`W/"…"`): the plain, brotli and gzip forms of one file are the same content, and
//! weak comparison is what `If-None-Match` uses.

use std::collections::HashMap;
use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use blake2::{Blake2b, Digest, digest::consts::U16};
use headers::{ETag, HeaderMapExt, IfNoneMatch};

/// A file's identity on disk: when a rebuild changes either, its tag is computed again.
type Stamp = (SystemTime, u64);

/// The tags of the files directly in one folder, computed from their bytes on first request and again
/// after a file changes. Cheap to clone (shared).
#[derive(Clone, Debug)]
pub struct AssetTags {
    folder: PathBuf,
    known: Arc<Mutex<HashMap<String, (Stamp, ETag)>>>,
}

impl AssetTags {
    /// Tags for the files in `folder`.
    pub fn new(folder: PathBuf) -> Self {
        Self { folder, known: Arc::default() }
    }

    /// The tag of the file `name` in the folder; `None` for a name that is not a plain file name there
    /// (no folders, no hidden files) or a file that does not exist.
    pub async fn tag(&self, name: &str) -> io::Result<Option<ETag>> {
        if !is_plain_file_name(name) {
            return Ok(None);
        }
        let path = self.folder.join(name);
        let metadata = match tokio::fs::metadata(&path).await {
            Ok(metadata) if metadata.is_file() => metadata,
            Ok(_) => return Ok(None),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error),
        };
        let stamp = (metadata.modified()?, metadata.len());
        if let Some(tag) = self.known_tag(name, stamp) {
            return Ok(Some(tag));
        }
        let bytes = tokio::fs::read(&path).await?;
        let digest = Blake2b::<U16>::digest(&bytes);
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        let tag: ETag = format!("W/\"{hex}\"").parse().map_err(|_| io::Error::other("malformed entity tag"))?;
        if let Ok(mut known) = self.known.lock() {
            known.insert(name.to_owned(), (stamp, tag.clone()));
        }
        Ok(Some(tag))
    }

    fn known_tag(&self, name: &str, stamp: Stamp) -> Option<ETag> {
        let known = self.known.lock().ok()?;
        known.get(name).filter(|(known_stamp, _)| *known_stamp == stamp).map(|(_, tag)| tag.clone())
    }
}

/// A single path segment of letters, digits, `.`, `-` and `_`, not starting with a dot.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// Middleware for the files' route: answers `304 Not Modified` when the browser's `If-None-Match`
/// names the file's current tag, and adds the `ETag` to every full answer.
pub async fn tag_assets(State(tags): State<AssetTags>, mut request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let name = request.uri().path().trim_start_matches('/').to_owned();
    let tag = match tags.tag(&name).await {
        Ok(tag) => tag,
        Err(error) => {
            tracing::warn!(%error, file = %name, "could not tag a static file");
            None
        }
    };
    let Some(tag) = tag else {
        return next.run(request).await;
    };
    if let Some(if_none_match) = request.headers().typed_get::<IfNoneMatch>()
        && !if_none_match.precondition_passes(&tag)
    {
        let mut answer = StatusCode::NOT_MODIFIED.into_response();
        answer.headers_mut().typed_insert(tag);
        answer.headers_mut().insert(header::VARY, header::HeaderValue::from_static("accept-encoding"));
        return answer;
    }
    // A tag that does not match means new content: `If-Modified-Since` is then ignored (RFC 9110 13.2.2).
    if request.headers().contains_key(header::IF_NONE_MATCH) {
        request.headers_mut().remove(header::IF_MODIFIED_SINCE);
    }
    let mut response = next.run(request).await;
    if response.status() == StatusCode::OK {
        response.headers_mut().typed_insert(tag);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_file_names_are_tagged() {
        for name in ["jobboard.css", "jobboard.wasm", "jobboard_bg.js", "a-b.1.js"] {
            assert!(is_plain_file_name(name), "{name}");
        }
        for name in ["", ".env", "../secret", "a/b.js", "..", "%2e%2e", "a b.js"] {
            assert!(!is_plain_file_name(name), "{name}");
        }
    }

    #[tokio::test]
    async fn a_tag_follows_the_content_not_the_modification_time() {
        let folder = tempfile::tempdir().expect("folder");
        let file = folder.path().join("site.css");
        std::fs::write(&file, "body { color: black }").expect("write");
        let tags = AssetTags::new(folder.path().to_owned());
        let first = tags.tag("site.css").await.expect("tag").expect("a file");
        assert_eq!(tags.tag("site.css").await.expect("tag"), Some(first.clone()), "stable");

        // Rewritten with the same bytes (a rebuild): a new time, the same tag.
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::write(&file, "body { color: black }").expect("write");
        std::fs::File::options().write(true).open(&file).and_then(|f| f.set_modified(later)).expect("touch");
        assert_eq!(tags.tag("site.css").await.expect("tag"), Some(first.clone()), "same content, same tag");

        // New content: a new tag, even with the same size.
        std::fs::write(&file, "body { color: white }").expect("write");
        let later = later + std::time::Duration::from_secs(5);
        std::fs::File::options().write(true).open(&file).and_then(|f| f.set_modified(later)).expect("touch");
        let changed = tags.tag("site.css").await.expect("tag").expect("a file");
        assert_ne!(changed, first, "new content, new tag");

        assert_eq!(tags.tag("missing.css").await.expect("no error"), None);
        assert_eq!(tags.tag("../site.css").await.expect("no error"), None);
    }
}
