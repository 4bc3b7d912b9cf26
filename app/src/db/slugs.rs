//! URL slugs of titles and company names, the same on every engine.

use crate::domain::text::slugify;

/// The URL slug of a title or name: [`slugify`]'s, else that of its transliteration into ASCII
/// ("株式会社エンジニア" -> "zhu-shi-hui-she-enzinia", "Инженер" -> "inzhener"), else `fallback` (a
/// title of punctuation alone). Never empty, so the schema's CHECK on slugs always holds.
pub fn url_slug(text: &str, fallback: &str) -> String {
    let slug = slugify(text);
    if !slug.is_empty() {
        return slug;
    }
    let transliterated = slugify(&deunicode::deunicode(text));
    if transliterated.is_empty() { fallback.to_owned() } else { transliterated }
}

/// The slug a new company named `name` gets.
pub fn company_slug(name: &str) -> String {
    url_slug(name, "company")
}

#[cfg(test)]
mod tests {
    use super::url_slug;

    #[test]
    fn a_title_without_ascii_letters_still_gets_a_slug() {
        assert_eq!(url_slug("Backend Engineer", "job"), "backend-engineer");
        assert_eq!(url_slug("Инженер", "job"), "inzhener");
        assert!(!url_slug("株式会社エンジニア", "job").is_empty());
        assert_eq!(url_slug("!!!", "job"), "job");
        assert_eq!(url_slug("", "company"), "company");
    }
}
