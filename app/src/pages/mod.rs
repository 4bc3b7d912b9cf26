//! One module per route.

/// Renders a private page's resource in a `Suspense`: `$view` with the data, the 404 page for
/// `NotFound`, or `$error` (the role's signed-out notice or the error) for any other error.
macro_rules! private_page {
    ($resource:expr, $loading:literal, $error:ident, |$data:ident| $view:expr) => {
        view! {
            <leptos_meta::Meta name="robots" content="noindex" />
            <Suspense fallback=|| view! { <p class="text-slate-500">{$loading}</p> }>
                {move || Suspend::new(async move {
                    match $resource.await {
                        Ok($data) => $view.into_any(),
                        Err($crate::error::AppError::NotFound) => {
                            view! { <$crate::pages::not_found::NotFound /> }.into_any()
                        }
                        Err(error) => view! { <$error error /> }.into_any(),
                    }
                })}
            </Suspense>
        }
    };
}

pub mod account;
pub mod admin;
pub mod alerts;
pub mod career_path;
pub mod company;
pub mod job_detail;
pub mod job_list;
pub mod not_found;

/// Sets the HTTP status of the server-rendered response; does nothing in the browser.
pub fn set_response_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(options), Ok(code)) =
        (leptos::prelude::use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(status))
    {
        options.set_status(code);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

/// Sets the status of `error` on the server-rendered response, and `Retry-After` when it is a 503.
pub fn set_error_response(error: &crate::error::AppError) {
    set_response_status(error.status());
    #[cfg(feature = "ssr")]
    if *error == crate::error::AppError::Unavailable
        && let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
    {
        options.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(crate::error::RETRY_AFTER_SECONDS));
    }
}
