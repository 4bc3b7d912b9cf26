//! `/admin/sign-in`: e-mail and password, a plain form post. The page reads the outcome of a failed
//! attempt from its query string (`error`, the typed `email`, and `next`).

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

/// The sign-in page.
#[component]
pub fn AdminSignInPage() -> impl IntoView {
    let query = use_query_map();
    let read = move |key: &str| query.with(|q| q.get_str(key).unwrap_or_default().to_owned());
    let failed = read("error") == "invalid";
    let signed_out = read("signed_out") == "1";
    let email = read("email");
    let next = read("next");
    view! {
        <Title text="Sign in" />
        <Meta name="robots" content="noindex" />
        <section class="mx-auto max-w-sm rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <h1 class="text-xl font-bold">"Sign in to post jobs"</h1>
            {signed_out.then(|| view! {
                <p role="status" class="signed-out-notice mt-3 rounded border border-emerald-300 bg-emerald-50 p-2 text-sm text-emerald-900">
                    "You are signed out."
                </p>
            })}
            {failed.then(|| view! {
                <p role="alert" class="sign-in-error mt-3 rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800">
                    "The e-mail address or the password is wrong."
                </p>
            })}
            <form method="post" action="/admin/sign-in" class="mt-4 space-y-3">
                <input type="hidden" name="next" value=next />
                <div>
                    <label for="sign-in-email" class="block text-sm font-medium text-slate-700">"E-mail address"</label>
                    <input id="sign-in-email" name="email" type="email" required autocomplete="username" value=email
                        class="mt-1 w-full rounded border border-slate-300 px-3 py-2" />
                </div>
                <div>
                    <label for="sign-in-password" class="block text-sm font-medium text-slate-700">"Password"</label>
                    <input id="sign-in-password" name="password" type="password" required autocomplete="current-password"
                        class="mt-1 w-full rounded border border-slate-300 px-3 py-2" />
                </div>
                <button type="submit" class="w-full rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">
                    "Sign in"
                </button>
            </form>
        </section>
    }
}
