//! `/account`: the address and whether it is confirmed, the profile the apply form starts from, the
//! password, and deleting the account.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use super::{CandidateBar, CandidateError, CsrfField, EchoArea, EchoField, Notice, form_echo, query_value};
use crate::api::account::load_account;
use crate::domain::candidate::AccountOverview;

/// The notices a redirect to the account page may ask for.
fn account_notice(code: &str) -> Option<&'static str> {
    match code {
        "signed-up" => Some("Your account is created. We e-mailed you a link to confirm your address."),
        "confirmed" => Some("Your address is confirmed: you can apply."),
        "confirmation-sent" => Some("We e-mailed you a new confirmation link."),
        "profile-saved" => Some("Your profile is saved."),
        "password-changed" => Some("Your password is changed."),
        _ => None,
    }
}

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let account = Resource::new_blocking(|| (), |_| load_account());
    view! {
        <Title text="Your account" />
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading your account…"</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Ok(account) => view! { <AccountView account /> }.into_any(),
                    Err(error) => view! { <CandidateError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AccountView(account: AccountOverview) -> impl IntoView {
    let echo = form_echo();
    let AccountOverview { email, confirmed, profile, csrf_token } = account;
    // A refused profile shows what was typed; otherwise the stored profile.
    let refused_profile = echo.values.iter().any(|(name, _)| name == "cv_text");
    let value = |name: &str, stored: &str| if refused_profile { echo.value(name) } else { stored.to_owned() };
    let notice = account_notice(&query_value("notice"));
    view! {
        <CandidateBar />
        <h1 class="text-2xl font-bold">"Your account"</h1>
        {notice.map(|text| view! { <Notice good=true text /> })}
        <section class="mt-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <p>"Signed in as " <strong class="candidate-email">{email}</strong></p>
            {if confirmed {
                view! { <p class="address-confirmed mt-1 text-sm text-emerald-800">"Your address is confirmed."</p> }.into_any()
            } else {
                view! {
                    <div class="address-unconfirmed mt-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm">
                        <p>"Confirm your address to apply: follow the link in the e-mail we sent you."</p>
                        <form method="post" action="/account/confirm/resend" class="mt-2">
                            <CsrfField token=csrf_token.clone() />
                            <button type="submit" class="resend-confirmation rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100">"Send a new link"</button>
                        </form>
                    </div>
                }.into_any()
            }}
        </section>
        <section class="mt-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <h2 class="text-lg font-semibold">"Profile"</h2>
            <p class="text-sm text-slate-600">"The apply form starts from it; you can change anything before sending."</p>
            <form method="post" action="/account/profile" class="profile-form mt-3 space-y-3">
                <CsrfField token=csrf_token.clone() />
                <EchoField label="Name" name="name" value=value("name", &profile.name) problem=echo.problem("name") autocomplete="name" />
                <EchoField label="Contact e-mail" name="contact_email" kind="email" value=value("contact_email", &profile.contact_email) problem=echo.problem("contact_email") autocomplete="email" />
                <EchoField label="CV link" name="cv_url" kind="url" value=value("cv_url", &profile.cv_url) problem=echo.problem("cv_url") hint="An https:// link, or paste your CV below." />
                <EchoArea label="CV as text" name="cv_text" value=value("cv_text", &profile.cv_text) problem=echo.problem("cv_text") rows=6 />
                <EchoArea label="Note template" name="note_template" value=value("note_template", &profile.note_template) problem=echo.problem("note_template") rows=3 />
                <button type="submit" class="save-profile rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Save the profile"</button>
            </form>
        </section>
        <section class="mt-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <h2 class="text-lg font-semibold">"Password"</h2>
            <form method="post" action="/account/password" class="mt-3 space-y-3">
                <CsrfField token=csrf_token.clone() />
                <EchoField label="Current password" name="current_password" kind="password" value="" problem=echo.problem("current_password") autocomplete="current-password" required=true />
                <EchoField label="New password" name="new_password" kind="password" value="" problem=echo.problem("new_password") autocomplete="new-password" required=true />
                <button type="submit" class="rounded border border-slate-300 px-4 py-2 hover:bg-slate-100">"Change the password"</button>
            </form>
        </section>
        <section class="mt-4 rounded-xl border border-red-200 bg-white p-5 shadow-sm">
            <h2 class="text-lg font-semibold">"Delete the account"</h2>
            <p class="text-sm text-slate-600">"Your applications are withdrawn first; employers keep only that an application existed, without your name, address, CV or note."</p>
            <form method="post" action="/account/delete" class="mt-3 space-y-3">
                <CsrfField token=csrf_token />
                <EchoField label="Your password" name="delete_password" kind="password" value="" problem=echo.problem("delete_password") autocomplete="current-password" required=true />
                <button type="submit" class="delete-account rounded border border-red-400 px-4 py-2 text-red-800 hover:bg-red-50">"Delete my account"</button>
            </form>
        </section>
    }
}
