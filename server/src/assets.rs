//! Precompressed static assets: beside each built CSS, JS, wasm and SVG file, a `.br` (brotli, quality
//! 11) and a `.gz` (gzip, level 9) copy, which `/pkg` serves to browsers that accept them. On-the-fly
//! compression must stay cheap, so it uses low settings; a file compressed once, at its best, is smaller
//! (the wasm about 15% under brotli quality 4) and costs no CPU per request.
//!
//! It also owns how long browsers keep them: cargo-leptos's `hash-files` names each built file after its
//! content, so a hashed name is cached for a year without revalidation ([`cache_by_name`]).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use axum::extract::Request;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use thiserror::Error;

/// The file types that are compressed; everything else under the folder is left alone.
const COMPRESSIBLE: [&str; 4] = ["css", "js", "wasm", "svg"];
/// Brotli's best quality and its largest standard window.
const BROTLI_QUALITY: u32 = 11;
const BROTLI_WINDOW_BITS: u32 = 22;

/// How long a browser keeps a file whose name carries its content's hash: a year, never asking again
/// (a new build names its files anew).
const HASHED_FILE_CACHING: &str = "public, max-age=31536000, immutable";
/// Every other file (a build without `hash-files`): kept, but revalidated with `Last-Modified` each time.
const PLAIN_FILE_CACHING: &str = "no-cache";

/// True for a file name with cargo-leptos's content hash in it, `jobboard.<hash>.wasm`: a dot-separated
/// part (not the first or last) of 22 base64url characters, the unpadded MD5 it writes.
pub fn has_content_hash(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 3
        && parts[1..parts.len() - 1]
            .iter()
            .any(|part| part.len() == 22 && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
}

/// Middleware for `/pkg`: a found file with a hashed name may be kept a year (`immutable`); anything
/// else is revalidated (`no-cache`).
pub async fn cache_by_name(request: Request, next: Next) -> Response {
    let hashed = request.uri().path().rsplit('/').next().is_some_and(has_content_hash);
    let mut response = next.run(request).await;
    let caching = if hashed && response.status() == StatusCode::OK { HASHED_FILE_CACHING } else { PLAIN_FILE_CACHING };
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(caching));
    response
}

/// Why an asset could not be compressed.
#[derive(Debug, Error)]
#[error("could not precompress {path}: {source}")]
pub struct AssetError {
    path: PathBuf,
    source: io::Error,
}

/// What [`precompress_folder`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PrecompressReport {
    /// Files compressed now.
    pub compressed: usize,
    /// Files whose compressed copies were already newer than them.
    pub up_to_date: usize,
}

/// Writes `.br` and `.gz` copies of every compressible file directly in `folder` whose copies are missing
/// or older than it. Each copy is written to a temporary name and renamed, so a request never sees a
/// half-written file.
pub fn precompress_folder(folder: &Path) -> Result<PrecompressReport, AssetError> {
    let mut report = PrecompressReport::default();
    for entry in fs::read_dir(folder).map_err(error(folder))? {
        let path = entry.map_err(error(folder))?.path();
        let compressible = path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible || !path.is_file() {
            continue;
        }
        let modified = modified(&path).map_err(error(&path))?;
        let brotli_path = with_suffix(&path, "br");
        let gzip_path = with_suffix(&path, "gz");
        let fresh = |copy: &Path| modified_or_never(copy) >= modified;
        if fresh(&brotli_path) && fresh(&gzip_path) {
            report.up_to_date += 1;
            continue;
        }
        let content = fs::read(&path).map_err(error(&path))?;
        write_atomically(&brotli_path, &brotli(&content).map_err(error(&path))?).map_err(error(&brotli_path))?;
        write_atomically(&gzip_path, &gzip(&content).map_err(error(&path))?).map_err(error(&gzip_path))?;
        report.compressed += 1;
    }
    Ok(report)
}

/// Deletes the `.br` and `.gz` copies in `folder` (under `cargo leptos watch`, which rebuilds the assets
/// while the server runs, so copies made at start-up would go stale). Returns how many were deleted.
pub fn remove_copies(folder: &Path) -> Result<usize, AssetError> {
    let mut removed = 0;
    for entry in fs::read_dir(folder).map_err(error(folder))? {
        let path = entry.map_err(error(folder))?.path();
        let original = path.with_extension("");
        let is_copy = matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz"))
            && original.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e));
        if is_copy {
            fs::remove_file(&path).map_err(error(&path))?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Turns an I/O error about `path` into an [`AssetError`] naming it.
fn error(path: &Path) -> impl FnOnce(io::Error) -> AssetError {
    let path = path.to_path_buf();
    move |source| AssetError { path, source }
}

fn brotli(content: &[u8]) -> io::Result<Vec<u8>> {
    let mut writer = brotli::CompressorWriter::new(Vec::new(), 64 * 1024, BROTLI_QUALITY, BROTLI_WINDOW_BITS);
    writer.write_all(content)?;
    writer.flush()?;
    Ok(writer.into_inner())
}

fn gzip(content: &[u8]) -> io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(content)?;
    encoder.finish()
}

/// `site.css` -> `site.css.br`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn modified(path: &Path) -> io::Result<SystemTime> {
    fs::metadata(path)?.modified()
}

fn modified_or_never(path: &Path) -> SystemTime {
    modified(path).unwrap_or(SystemTime::UNIX_EPOCH)
}

fn write_atomically(path: &Path, content: &[u8]) -> io::Result<()> {
    let temporary = with_suffix(path, "tmp");
    fs::write(&temporary, content)?;
    fs::rename(&temporary, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn decompress_brotli(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).expect("valid brotli");
        out
    }

    fn decompress_gzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("valid gzip");
        out
    }

    #[test]
    fn compresses_assets_once_and_again_after_a_change() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let css = folder.path().join("site.css");
        let original = "body { color: red; }\n".repeat(200);
        fs::write(&css, &original).expect("write css");
        fs::write(folder.path().join("notes.txt"), "not an asset").expect("write txt");

        let first = precompress_folder(folder.path()).expect("precompress");
        assert_eq!(first, PrecompressReport { compressed: 1, up_to_date: 0 });
        let br = fs::read(with_suffix(&css, "br")).expect("br copy");
        let gz = fs::read(with_suffix(&css, "gz")).expect("gz copy");
        assert!(br.len() < original.len() / 10, "brotli copy is {} bytes", br.len());
        assert_eq!(decompress_brotli(&br), original.as_bytes());
        assert_eq!(decompress_gzip(&gz), original.as_bytes());
        assert!(!folder.path().join("notes.txt.br").exists());

        let second = precompress_folder(folder.path()).expect("precompress again");
        assert_eq!(second, PrecompressReport { compressed: 0, up_to_date: 1 });

        // A rebuilt file (newer than its copies) is compressed again.
        let changed = "main { color: blue; }\n".repeat(50);
        let later = SystemTime::now() + std::time::Duration::from_secs(5);
        fs::write(&css, &changed).expect("rewrite css");
        fs::File::options().write(true).open(&css).and_then(|f| f.set_modified(later)).expect("touch");
        let third = precompress_folder(folder.path()).expect("precompress after change");
        assert_eq!(third.compressed, 1);
        assert_eq!(decompress_brotli(&fs::read(with_suffix(&css, "br")).expect("br")), changed.as_bytes());
    }

    #[test]
    fn removing_copies_leaves_the_originals() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let wasm = folder.path().join("site.wasm");
        fs::write(&wasm, vec![7u8; 4096]).expect("write wasm");
        fs::write(folder.path().join("archive.tar.gz"), "not ours").expect("write tarball");
        precompress_folder(folder.path()).expect("precompress");
        assert_eq!(remove_copies(folder.path()).expect("remove"), 2);
        assert!(wasm.exists());
        assert!(!with_suffix(&wasm, "br").exists() && !with_suffix(&wasm, "gz").exists());
        assert!(folder.path().join("archive.tar.gz").exists(), "only copies of assets are removed");
    }

    #[test]
    fn only_names_with_cargo_leptos_hashes_count_as_hashed() {
        for hashed in [
            "jobboard.Q2h3dKz0aZ6PrnZ5yq1T8w.wasm",
            "__wasm_split.Q2h3dKz0aZ6PrnZ5yq1T8w.js",
            "a.b-c_d0123456789abcdefg.css",
        ] {
            assert!(has_content_hash(hashed), "{hashed}");
        }
        for plain in [
            "jobboard.wasm",
            "jobboard.css",
            "Q2h3dKz0aZ6PrnZ5yq1T8w.wasm",
            "jobboard.Q2h3dKz0aZ6PrnZ5yq1T8",
            "a.Q2h3dKz0aZ6PrnZ5yq1T8w",
        ] {
            assert!(!has_content_hash(plain), "{plain}");
        }
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_it() {
        let error = precompress_folder(Path::new("/nonexistent/pkg")).expect_err("no folder");
        assert!(error.to_string().contains("/nonexistent/pkg"), "{error}");
    }
}
