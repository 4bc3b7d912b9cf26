//! The built stylesheet's address under `/pkg`. cargo-leptos's `hash-files` puts each built file's
//! content hash in its name (`jobboard.<hash>.css`) and writes the hashes to a file beside the server
//! binary; the server reads that once at start ([`use_hashed_names`]), so that browsers may keep every
//! `/pkg` file for a year. The JS and wasm names are Leptos's `HydrationScripts`' own business.

use std::sync::OnceLock;

use leptos::prelude::LeptosOptions;

/// The stylesheet's address once [`use_hashed_names`] has run.
static STYLESHEET: OnceLock<String> = OnceLock::new();

/// The stylesheet's address without a hash (a build without `hash-files`, or before start-up).
pub const PLAIN_STYLESHEET_HREF: &str = "/pkg/jobboard.css";

/// The stylesheet every page links.
pub fn stylesheet_href() -> &'static str {
    STYLESHEET.get().map_or(PLAIN_STYLESHEET_HREF, String::as_str)
}

/// The `css` line of a cargo-leptos hash file (`js: …`, `wasm: …`, `css: …`, one a line).
pub fn css_hash(hash_file: &str) -> Option<&str> {
    hash_file.lines().find_map(|line| {
        let (file, hash) = line.split_once(':')?;
        let hash = hash.trim();
        let plain = !hash.is_empty() && hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        (file.trim() == "css" && plain).then_some(hash)
    })
}

/// Settles the stylesheet's address for this process from `options` and the hash file's text (`None`
/// when there is none): hashed when `options.hash_files` is on and the file names a hash. Returns the
/// address; a second call keeps the first address.
pub fn use_hashed_names(options: &LeptosOptions, hash_file: Option<&str>) -> &'static str {
    let href = match hash_file.and_then(css_hash).filter(|_| options.hash_files) {
        Some(hash) => format!("/{}/{}.{hash}.css", options.site_pkg_dir, options.output_name),
        None => format!("/{}/{}.css", options.site_pkg_dir, options.output_name),
    };
    STYLESHEET.get_or_init(|| href).as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_css_line_names_the_hash() {
        let file = "js: AbC_1-x\nwasm: Zz9\ncss: Q2h3dKz0aZ6PrnZ5yq1T8w\n";
        assert_eq!(css_hash(file), Some("Q2h3dKz0aZ6PrnZ5yq1T8w"));
        assert_eq!(css_hash("js: abc\n"), None);
        assert_eq!(css_hash("css: ../../etc/passwd\n"), None, "only a plain hash makes a name");
    }

    proptest! {
        /// Whatever the file holds, a hash taken from it is a plain name part.
        #[test]
        fn a_hash_is_always_a_plain_name_part(text in "(css|js|wasm)?:? ?[ -~\n]{0,60}") {
            if let Some(hash) = css_hash(&text) {
                prop_assert!(!hash.is_empty());
                prop_assert!(hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
            }
        }
    }
}
