//! The candidate's public account forms: sign-in, sign-up, forgotten password, reset, and the
//! confirmation of an address. Each reads its outcome from the query string (a notice, an error code,
//! what was typed) or from the refused form of this render.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};

use super::{EchoField, Notice, form_echo, query_value};

/// The notices a redirect to the sign-in page may ask for.
fn sign_in_notice(code: &str) -> Option<&'static str> {
    match code {
        "signed-out" => Some("You are signed out."),
        "confirmed" => Some("Your address is confirmed. Sign in to apply."),
        "check-mail" => {
            Some("We sent an e-mail to that address. Follow its link to confirm your account, then sign in here.")
        }
        "confirmation-sent" => {
            Some("If that address has an account waiting for confirmation, we e-mailed it a new link.")
        }
        "password-reset" => Some("Your password is changed. Sign in with the new one."),
        "deleted" => Some("Your account is deleted. Your applications were withdrawn."),
        _ => None,
    }
}

/// The frame of a small form page (the account's, the alerts'): its title, kept out of search engines.
#[component]
pub fn FormCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title />
        <Meta name="robots" content="noindex" />
        <section class="mx-auto max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <h1 class="text-xl font-bold">{title}</h1>
            {children()}
        </section>
    }
}

/// `/account/sign-in`.
#[component]
pub fn CandidateSignInPage() -> impl IntoView {
    let next = query_value("next");
    let failed = query_value("error") == "invalid";
    let notice = sign_in_notice(&query_value("notice"));
    let sign_up = if next.is_empty() {
        "/account/sign-up".to_owned()
    } else {
        format!(
            "/account/sign-up?{}",
            form_urlencoded::Serializer::new(String::new()).append_pair("next", &next).finish()
        )
    };
    view! {
        <FormCard title="Sign in to apply">
            {notice.map(|text| view! { <Notice good=true text /> })}
            {failed.then(|| view! { <Notice good=false text="The e-mail address or the password is wrong, or the address is not confirmed yet (follow the link we e-mailed)." /> })}
            <form method="post" action="/account/sign-in" class="mt-4 space-y-3">
                <input type="hidden" name="next" value=next />
                <EchoField label="E-mail address" name="email" kind="email" value=query_value("email") problem=None autocomplete="username" required=true />
                <EchoField label="Password" name="password" kind="password" value="" problem=None autocomplete="current-password" required=true />
                <button type="submit" class="w-full rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Sign in"</button>
            </form>
            <p class="mt-4 text-sm">"New here? " <a href=sign_up class="create-account font-semibold text-indigo-700 underline">"Create an account"</a></p>
            <p class="mt-1 text-sm"><a href="/account/forgot" class="text-indigo-700 underline">"Forgot your password?"</a></p>
            <details class="mt-3 text-sm">
                <summary class="cursor-pointer text-indigo-700 underline">"No confirmation e-mail?"</summary>
                <form method="post" action="/account/confirm/resend" class="mt-2 space-y-2">
                    <label for="resend-email" class="block text-sm font-medium">"E-mail address of the account"</label>
                    <input id="resend-email" name="email" type="email" autocomplete="username" required
                        class="w-full rounded-lg border border-slate-300 px-3 py-2" />
                    <button type="submit" class="resend-confirmation rounded border border-slate-300 bg-white px-3 py-1 hover:bg-slate-100">"Send a new link"</button>
                </form>
            </details>
        </FormCard>
    }
}

/// `/account/sign-up`.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let echo = form_echo();
    let next = if echo.values.is_empty() { query_value("next") } else { echo.value("next") };
    view! {
        <FormCard title="Create a candidate account">
            <p class="mt-2 text-sm text-slate-600">"We e-mail you a link to confirm your address; once it is confirmed, sign in and apply."</p>
            <form method="post" action="/account/sign-up" class="mt-4 space-y-3">
                <input type="hidden" name="next" value=next />
                <EchoField label="Your name" name="name" value=echo.value("name") problem=echo.problem("name") autocomplete="name" />
                <EchoField label="E-mail address" name="email" kind="email" value=echo.value("email") problem=echo.problem("email") autocomplete="username" required=true />
                <EchoField label="Password" name="password" kind="password" value="" problem=echo.problem("password") autocomplete="new-password" required=true
                    hint="12 to 128 characters; a few unrelated words work well." />
                <button type="submit" class="w-full rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Create the account"</button>
            </form>
            <p class="mt-4 text-sm">"Have an account? " <a href="/account/sign-in" class="font-semibold text-indigo-700 underline">"Sign in"</a></p>
        </FormCard>
    }
}

/// `/account/forgot`.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let echo = form_echo();
    let sent = query_value("sent") == "1";
    view! {
        <FormCard title="Reset your password">
            {sent.then(|| view! { <Notice good=true text="If an account has that address, we sent it a link. It works once, for an hour." /> })}
            <form method="post" action="/account/forgot" class="mt-4 space-y-3">
                <EchoField label="E-mail address" name="email" kind="email" value=echo.value("email") problem=echo.problem("email") autocomplete="username" required=true />
                <button type="submit" class="w-full rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Send me a link"</button>
            </form>
        </FormCard>
    }
}

/// `/account/reset?token=…`: the e-mailed link's page.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let echo = form_echo();
    let token = if echo.values.is_empty() { query_value("token") } else { echo.value("token") };
    view! {
        <FormCard title="Choose a new password">
            {echo.refusal.clone().map(|text| view! { <Notice good=false text /> })}
            <form method="post" action="/account/reset" class="mt-4 space-y-3">
                <input type="hidden" name="token" value=token />
                <EchoField label="New password" name="password" kind="password" value="" problem=echo.problem("password") autocomplete="new-password" required=true />
                <button type="submit" class="w-full rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Set the password"</button>
            </form>
        </FormCard>
    }
}

/// `/account/confirm?token=…`: the confirmation e-mail's page; the button confirms (a GET changes
/// nothing).
#[component]
pub fn ConfirmAddressPage() -> impl IntoView {
    let echo = form_echo();
    let token = query_value("token");
    let next = query_value("next");
    view! {
        <FormCard title="Confirm your e-mail address">
            {echo.refusal.clone().map(|text| view! { <Notice good=false text /> })}
            <form method="post" action="/account/confirm" class="mt-4">
                <input type="hidden" name="token" value=token />
                <input type="hidden" name="next" value=next />
                <button type="submit" class="confirm-address w-full rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Confirm my address"</button>
            </form>
        </FormCard>
    }
}
