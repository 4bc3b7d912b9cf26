//! Markdown written by posters, turned into sanitised HTML on the server. Nothing that can run script
//! survives: no `<script>`, no event handlers, no `javascript:` or `data:` URLs.

use pulldown_cmark::{Options, Parser, html};
use std::collections::HashSet;
use std::sync::LazyLock;

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .link_rel(Some("nofollow noopener noreferrer ugc"))
        .rm_tags(["img"]);
    builder
});

/// Renders Markdown to HTML that is safe to insert into a page.
pub fn to_safe_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    SANITIZER.clean(&unsafe_html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_lists_and_emphasis_are_kept() {
        let html = to_safe_html("## Duties\n\n- **Design** APIs\n- Review code\n");
        assert!(html.contains("<h2>Duties</h2>"), "{html}");
        assert!(html.contains("<li><strong>Design</strong> APIs</li>"), "{html}");
    }

    #[test]
    fn nothing_that_runs_script_survives() {
        let attacks = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<div onclick=\"alert(1)\">x</div>",
            "<svg onload=alert(1)></svg>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "<a href=\"vbscript:msgbox\">x</a>",
            "<style>body{display:none}</style>",
        ];
        for attack in attacks {
            let html = to_safe_html(attack).to_ascii_lowercase();
            for banned in [
                "<script",
                "onerror",
                "onclick",
                "onload",
                "javascript:",
                "vbscript:",
                "data:",
                "<iframe",
                "<style",
                "<svg",
                "<img",
            ] {
                assert!(!html.contains(banned), "{attack:?} left {banned:?} in {html:?}");
            }
        }
    }

    #[test]
    fn links_get_a_safe_rel() {
        let html = to_safe_html("[apply](https://example.com)");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(html.contains("noopener"), "{html}");
    }
}
