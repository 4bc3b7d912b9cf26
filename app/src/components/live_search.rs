//! The listing's live search: an island that enhances the server-rendered filter bar and results.
//!
//! Without JavaScript the filter bar is a plain GET form and the pager plain links. With it, this island
//! sends the form on every change (and on submit), fetches the same `/jobs?…` page the server would
//! serve, and swaps in its results, counts and title, keeping the URL in step with `history.pushState`;
//! back and forward load the page of the URL they land on. The swapped HTML is the server's own, so the
//! browser ships no copy of the listing's views. Whatever fails falls back to a normal page load.
//!
//! The island renders nothing and wraps nothing: it listens on the window and acts only on the listing's
//! own form and links (inside `#job-search`). The listing therefore stays ordinary typed server HTML; an
//! island's children would be type-erased and copied into owned strings on every render.

use leptos::prelude::*;

/// The id of the element around the filter bar and the results, rendered by the listing page.
pub const SEARCH_ID: &str = "job-search";
/// The id of the polite live region inside it that announces each new count.
pub const STATUS_ID: &str = "job-search-status";

/// Enhances the listing (see the module docs) once hydrated. Place it after the `#job-search` element.
#[island]
pub fn LiveSearch() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    {
        let _ = window_event_listener(leptos::ev::popstate, |_| browser::on_history_move());
        let _ = window_event_listener(leptos::ev::change, |event| browser::on_change(&event));
        let _ = window_event_listener(leptos::ev::submit, |event| browser::on_submit(&event));
        let _ = window_event_listener(leptos::ev::click, |event| browser::on_click(&event));
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::{Cell, RefCell};

    use leptos::wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Document, DomParser, Element, HtmlFormElement, HtmlSelectElement, Response, SupportedType};

    use crate::domain::filter::parse_query_string;

    /// The id of the filter form, the results section and the filter bar.
    const FORM_ID: &str = "filter-form";
    const RESULTS_ID: &str = "job-results";
    const FILTERS_ID: &str = "job-filters";

    thread_local! {
        /// The number of the newest load: an older response arriving late is dropped.
        static LATEST_LOAD: Cell<u64> = const { Cell::new(0) };
        /// The path and query now shown, so a history move to the same URL loads nothing.
        static SHOWN: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// What a load replaces.
    #[derive(Clone, Copy)]
    enum Swap {
        /// After a filter change: the results and the counts; the controls keep what is typed.
        ResultsAndCounts,
        /// After a link or a history move: the filter bar too, so it shows the URL's filters.
        Everything,
    }

    /// What a finished load does to the browser's history.
    #[derive(Clone, Copy, PartialEq)]
    enum History {
        Push,
        /// Back/forward: the browser has already moved.
        Keep,
    }

    pub fn on_change(event: &web_sys::Event) {
        let Some(form) = target_element(event).and_then(|el| el.closest(&format!("#{FORM_ID}")).ok().flatten()) else {
            return;
        };
        if let Some(url) = form_url(&form) {
            load(url, Swap::ResultsAndCounts, History::Push, false);
        }
    }

    pub fn on_submit(event: &web_sys::SubmitEvent) {
        let Some(form) = target_element(event).filter(|el| el.id() == FORM_ID) else { return };
        if let Some(url) = form_url(&form) {
            event.prevent_default();
            load(url, Swap::ResultsAndCounts, History::Push, false);
        }
    }

    pub fn on_click(event: &web_sys::MouseEvent) {
        let plain_click = event.button() == 0
            && !(event.ctrl_key() || event.meta_key() || event.shift_key() || event.alt_key())
            && !event.default_prevented();
        if !plain_click {
            return;
        }
        let selector = format!("#{} a[data-live-link]", super::SEARCH_ID);
        let link = target_element(event).and_then(|el| el.closest(&selector).ok().flatten());
        if let Some(href) = link.and_then(|link| link.get_attribute("href")) {
            event.prevent_default();
            load(href, Swap::Everything, History::Push, true);
        }
    }

    pub fn on_history_move() {
        let Some(location) = web_sys::window().map(|w| w.location()) else { return };
        let (Ok(path), Ok(search)) = (location.pathname(), location.search()) else { return };
        if path != "/" && path != "/jobs" {
            return;
        }
        let url = format!("{path}{search}");
        if SHOWN.with(|shown| shown.borrow().as_deref() == Some(url.as_str())) {
            return;
        }
        load(url, Swap::Everything, History::Keep, false);
    }

    fn target_element(event: &web_sys::Event) -> Option<Element> {
        event.target()?.dyn_into::<Element>().ok()
    }

    /// The canonical listing URL for what the form holds (empty fields left out, paging restarted).
    fn form_url(form: &Element) -> Option<String> {
        let form = form.dyn_ref::<HtmlFormElement>()?;
        let data = web_sys::FormData::new_with_form(form).ok()?;
        let params = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
        let query = parse_query_string(&String::from(params.to_string())).filter.to_query_string();
        Some(if query.is_empty() { "/jobs".to_owned() } else { format!("/jobs?{query}") })
    }

    /// Fetches `url` and swaps it in; on any failure, navigates to it the ordinary way.
    fn load(url: String, swap: Swap, history: History, scroll_to_top: bool) {
        let ticket = LATEST_LOAD.with(|latest| {
            latest.set(latest.get() + 1);
            latest.get()
        });
        let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
        set_busy(&document, true);
        leptos::task::spawn_local(async move {
            let fetched = fetch_page(&url).await;
            if LATEST_LOAD.with(Cell::get) != ticket {
                return;
            }
            set_busy(&document, false);
            let shown = fetched.ok().filter(|page| page.get_element_by_id(RESULTS_ID).is_some());
            let Some(page) = shown else {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().assign(&url);
                }
                return;
            };
            apply(&document, &page, swap);
            if history == History::Push
                && let Some(window) = web_sys::window()
                && let Ok(browser_history) = window.history()
            {
                let _ = browser_history.push_state_with_url(&JsValue::NULL, "", Some(&url));
            }
            SHOWN.with(|shown| *shown.borrow_mut() = Some(url));
            if scroll_to_top && let Some(window) = web_sys::window() {
                window.scroll_to_with_x_and_y(0.0, 0.0);
            }
        });
    }

    async fn fetch_page(url: &str) -> Result<Document, JsValue> {
        let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
        let response: Response = JsFuture::from(window.fetch_with_str(url)).await?.dyn_into()?;
        if !response.ok() {
            return Err(JsValue::from_str("the listing answered with an error status"));
        }
        let html = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
        DomParser::new()?.parse_from_string(&html, SupportedType::TextHtml)
    }

    fn set_busy(document: &Document, busy: bool) {
        if let Some(results) = document.get_element_by_id(RESULTS_ID) {
            let _ =
                if busy { results.set_attribute("aria-busy", "true") } else { results.remove_attribute("aria-busy") };
        }
    }

    fn apply(document: &Document, page: &Document, swap: Swap) {
        document.set_title(&page.title());
        replace_inner_html(document, page, RESULTS_ID);
        match swap {
            Swap::Everything => replace_inner_html(document, page, FILTERS_ID),
            Swap::ResultsAndCounts => refresh_counts(document, page),
        }
        if let (Some(status), Some(heading)) =
            (document.get_element_by_id(super::STATUS_ID), page.get_element_by_id("results-heading"))
        {
            status.set_text_content(heading.text_content().as_deref());
        }
    }

    fn replace_inner_html(document: &Document, page: &Document, id: &str) {
        if let (Some(shown), Some(fetched)) = (document.get_element_by_id(id), page.get_element_by_id(id)) {
            shown.set_inner_html(&fetched.inner_html());
        }
    }

    /// Copies the counts beside the checkboxes and the options of each select (whose labels carry
    /// counts), keeping every control's current value; a select being used is left alone.
    fn refresh_counts(document: &Document, page: &Document) {
        for fetched in elements(page, "[data-count-for]") {
            let Some(key) = fetched.get_attribute("data-count-for") else { continue };
            if let Ok(Some(shown)) = document.query_selector(&format!("[data-count-for=\"{key}\"]")) {
                shown.set_text_content(fetched.text_content().as_deref());
            }
        }
        let focused = document.active_element();
        for fetched in elements(page, &format!("#{FILTERS_ID} select[id]")) {
            let Some(shown) = document.get_element_by_id(&fetched.id()) else { continue };
            if focused.as_ref() == Some(&shown) {
                continue;
            }
            if let Ok(select) = shown.dyn_into::<HtmlSelectElement>() {
                let value = select.value();
                select.set_inner_html(&fetched.inner_html());
                select.set_value(&value);
            }
        }
    }

    fn elements(page: &Document, selector: &str) -> Vec<Element> {
        let Ok(list) = page.query_selector_all(selector) else { return Vec::new() };
        (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<Element>().ok()).collect()
    }
}
