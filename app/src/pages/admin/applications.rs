//! The employer's side in the admin area: a posting's applications in the order received (with each
//! candidate's position at the company) and their status, the companies' application limits and
//! groups, and the outbox of e-mails.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{AdminBar, AdminError};
use crate::api::account::{load_company_limits, load_outbox, load_posting_applications};
use crate::domain::candidate::{ApplicationStatus, CompanyLimitsPage, PostingApplicationsPage, ordinal};
use crate::error::AppError;

/// `/admin/jobs/{id}/applications`.
#[component]
pub fn PostingApplicationsView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get_str("id").and_then(|id| id.parse::<i64>().ok()));
    let page = Resource::new_blocking(id, |id| async move {
        match id {
            Some(id) => load_posting_applications(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Title text="Applications · Admin" />
        {private_page!(page, "Loading the applications…", AdminError, |page| view! { <ApplicationsTable page /> })}
    }
}

#[component]
fn ApplicationsTable(page: PostingApplicationsPage) -> impl IntoView {
    let PostingApplicationsPage { posting_id, title, company_name, applications, csrf_token, admin_email } = page;
    let count = applications.len();
    let rows = applications
        .into_iter()
        .enumerate()
        .map(|(index, application)| {
            let withdrawn = application.status == ApplicationStatus::Withdrawn;
            let actions = (!withdrawn).then(|| {
                ApplicationStatus::SET_BY_EMPLOYER
                    .into_iter()
                    .filter(|status| *status != application.status)
                    .map(|status| {
                        view! {
                            <form method="post" action=format!("/admin/applications/{}/status", application.id) class="inline">
                                <input type="hidden" name="csrf" value=csrf_token.clone() />
                                <input type="hidden" name="posting" value=posting_id.to_string() />
                                <input type="hidden" name="status" value=status.code() />
                                <button type="submit" class=format!("set-status status-{} rounded border border-slate-300 px-2 py-0.5 hover:bg-slate-100", status.code())>
                                    {status.label()}
                                </button>
                            </form>
                        }
                    })
                    .collect_view()
            });
            let who = if application.name.is_empty() && withdrawn {
                "(account deleted or withdrawn)".to_owned()
            } else {
                format!("{} <{}>", application.name, application.email)
            };
            let cv = (!application.cv_url.is_empty()).then(|| {
                view! { <a href=application.cv_url.clone() rel="noopener nofollow" class="text-indigo-700 underline">"CV link"</a> }
            });
            view! {
                <tr class="received-application border-t border-slate-100 align-top" data-application-id=application.id.to_string()>
                    <td class="px-3 py-2">{index + 1}</td>
                    <td class="px-3 py-2">{who}<div class="text-xs text-slate-500">{application.created_at.replace('T', " ").trim_end_matches('Z').to_owned()}</div></td>
                    <td class="candidate-position px-3 py-2">{format!("{} at {company_name}", ordinal(application.position))}</td>
                    <td class="px-3 py-2 text-sm">{cv}
                        {(!application.cv_text.is_empty()).then(|| view! { <details><summary>"CV text"</summary><pre class="whitespace-pre-wrap text-xs">{application.cv_text.clone()}</pre></details> })}
                        {(!application.note.is_empty()).then(|| view! { <p class="application-note mt-1 text-xs">{application.note.clone()}</p> })}
                    </td>
                    <td class="received-status px-3 py-2">{application.status.label()}</td>
                    <td class="px-3 py-2"><div class="flex flex-wrap gap-1">{actions}</div></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <AdminBar email=admin_email />
        <h1 class="text-2xl font-bold">{format!("Applications: {title}")}</h1>
        <p class="mt-1 text-sm text-slate-600">{format!("{count} in the order received · ")}<a href=format!("/admin/jobs/{posting_id}/edit") class="text-indigo-700 hover:underline">"Edit the posting"</a></p>
        <div class="mt-3 overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table class="posting-applications w-full text-left text-sm">
                <thead class="bg-slate-100 text-slate-700"><tr>
                    <th class="px-3 py-2">"#"</th><th class="px-3 py-2">"Candidate"</th><th class="px-3 py-2">"Their order"</th>
                    <th class="px-3 py-2">"CV and note"</th><th class="px-3 py-2">"Status"</th><th class="px-3 py-2">"Set"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// `/admin/companies`: each company's limit per candidate and its group.
#[component]
pub fn CompanyLimitsView() -> impl IntoView {
    let page = Resource::new_blocking(|| (), |_| load_company_limits());
    view! {
        <Title text="Application limits · Admin" />
        {private_page!(page, "Loading the companies…", AdminError, |page| view! { <LimitsTable page /> })}
    }
}

#[component]
fn LimitsTable(page: CompanyLimitsPage) -> impl IntoView {
    let query = use_query_map();
    let changed = query.with_untracked(|q| q.get_str("changed").map(str::to_owned));
    let CompanyLimitsPage { companies, csrf_token, admin_email } = page;
    let said = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
    let rows = companies
        .into_iter()
        .map(|company| {
            view! {
                <tr class="company-limit border-t border-slate-100" data-company=company.slug.clone()>
                    <td class="px-3 py-2 font-medium">{company.name.clone()}</td>
                    <td class="px-3 py-2" colspan="4">
                        <form method="post" action=format!("/admin/companies/{}/limit", company.slug) class="flex flex-wrap items-end gap-2">
                            <input type="hidden" name="csrf" value=csrf_token.clone() />
                            <label class="text-xs">"Limit per candidate"<input name="limit" value=said(company.limit) inputmode="numeric" class="block w-24 rounded border border-slate-300 px-2 py-1" /></label>
                            <label class="text-xs">"Group"<input name="group" value=company.group.clone().unwrap_or_default() class="block w-48 rounded border border-slate-300 px-2 py-1" /></label>
                            <label class="text-xs">"Group's limit"<input name="group_limit" value=said(company.group_limit) inputmode="numeric" class="block w-24 rounded border border-slate-300 px-2 py-1" /></label>
                            <button type="submit" class="rounded border border-slate-300 px-3 py-1 hover:bg-slate-100">"Save"</button>
                        </form>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <AdminBar email=admin_email />
        <h1 class="text-2xl font-bold">"Application limits"</h1>
        <p class="mt-1 text-sm text-slate-600">"A company's limit counts a candidate's active applications to its postings. A company in a group is counted with the whole group, under the group's limit. Blank: no limit."</p>
        {changed.map(|slug| view! { <p role="status" class="admin-notice mt-3 rounded border border-emerald-300 bg-emerald-50 p-2 text-sm text-emerald-900">{format!("{slug} saved.")}</p> })}
        <table class="company-limits mt-3 w-full rounded-lg border border-slate-200 bg-white text-left text-sm"><tbody>{rows}</tbody></table>
    }
}

/// `/admin/outbox`: the e-mails the board wrote, newest first, and whether each was sent.
#[component]
pub fn OutboxView() -> impl IntoView {
    let page = Resource::new_blocking(|| (), |_| load_outbox());
    view! {
        <Title text="Outbox · Admin" />
        {private_page!(page, "Loading the outbox…", AdminError, |page| {
            let (entries, admin_email) = page;
            let items = entries.into_iter().map(|entry| view! {
                <li class="outbox-entry border-t border-slate-100 px-3 py-2" data-outbox-id=entry.id.to_string()>
                    <p><strong class="outbox-subject">{entry.subject}</strong> " to " <span class="outbox-to">{entry.to}</span></p>
                    <p class="text-xs text-slate-500">{format!("{} · {}", entry.created_at, match (&entry.sent_at, &entry.last_error) {
                        (Some(sent), _) => format!("sent {sent}"),
                        (None, Some(error)) => format!("not sent after {} attempts: {error}", entry.attempts),
                        (None, None) => "waiting (no SMTP server configured, or not yet sent)".to_owned(),
                    })}</p>
                    <details><summary class="text-sm">"Message"</summary><pre class="outbox-body whitespace-pre-wrap text-xs">{entry.body}</pre></details>
                </li>
            }).collect_view();
            view! {
                <AdminBar email=admin_email />
                <h1 class="text-2xl font-bold">"Outbox"</h1>
                <ul class="outbox mt-3 rounded-lg border border-slate-200 bg-white">{items}</ul>
            }
        })}
    }
}
