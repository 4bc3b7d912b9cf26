//! `/admin/jobs`: every posting with its status, a search, the actions (publish, close as filled, reopen,
//! edit) as small form posts, and the latest entries of the audit trail.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_query_map;

use super::{AdminBar, AdminError};
use crate::api::admin::admin_postings;
use crate::domain::admin::{AdminList, AdminPostingRow, AuditEntry, ListedStatus};
use crate::domain::job::job_path;

/// The admin posting list.
#[component]
pub fn AdminJobsPage() -> impl IntoView {
    let query = use_query_map();
    let search = move || query.with(|q| q.get_str("q").unwrap_or_default().to_owned());
    let list = Resource::new_blocking(search, admin_postings);
    let notice = move || {
        query.with(|q| {
            let id = |key: &str| q.get_str(key).map(str::to_owned);
            if let Some(id) = id("saved") {
                Some((true, format!("Posting {id} saved.")))
            } else if let Some(id) = id("changed") {
                Some((true, format!("Posting {id} updated.")))
            } else if let Some(id) = id("blocked") {
                Some((
                    false,
                    format!("Posting {id} was not published: the pay-transparency check failed. Edit it to see why."),
                ))
            } else {
                id("refused").map(|id| (false, format!("Posting {id} cannot be changed that way.")))
            }
        })
    };
    view! {
        <Title text="Postings · Admin" />
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading postings…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(data) => view! { <AdminJobsView data search=search() notice=notice() /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AdminJobsView(data: AdminList, search: String, notice: Option<(bool, String)>) -> impl IntoView {
    let AdminList { rows, applications, views, recent, csrf_token, admin_email } = data;
    let count = rows.len();
    let rows_view = rows
        .into_iter()
        .map(|row| {
            let counts: Vec<(String, i64)> = applications
                .iter()
                .filter(|(id, _, _)| *id == row.id)
                .map(|(_, status, count)| (status.clone(), *count))
                .collect();
            let views = views.iter().find(|(id, _)| *id == row.id).map_or(0, |(_, views)| *views);
            view! { <AdminRow row counts views csrf_token=csrf_token.clone() /> }
        })
        .collect_view();
    view! {
        <AdminBar email=admin_email />
        <div class="flex flex-wrap items-end justify-between gap-3">
            <h1 class="text-2xl font-bold">"Postings"</h1>
            <form method="get" action="/admin/jobs" class="flex gap-2" role="search">
                <label for="admin-search" class="sr-only">"Search postings"</label>
                <input id="admin-search" name="q" type="search" value=search placeholder="Title or company"
                    class="rounded border border-slate-300 px-3 py-1.5" />
                <button type="submit" class="rounded border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-100">"Search"</button>
            </form>
        </div>
        {notice.map(|(good, text)| {
            let class = if good {
                "admin-notice mt-3 rounded border border-emerald-300 bg-emerald-50 p-2 text-sm text-emerald-900"
            } else {
                "admin-notice mt-3 rounded border border-red-300 bg-red-50 p-2 text-sm text-red-800"
            };
            view! { <p role="status" class=class>{text}</p> }
        })}
        <p class="mt-2 text-sm text-slate-600">{format!("{count} postings shown (newest change first)")}</p>
        <div class="mt-3 overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table class="admin-postings w-full text-left text-sm">
                <thead class="bg-slate-100 text-slate-700">
                    <tr>
                        <th class="px-3 py-2">"Title"</th>
                        <th class="px-3 py-2">"Company"</th>
                        <th class="px-3 py-2">"Status"</th>
                        <th class="px-3 py-2">"Posted"</th>
                        <th class="px-3 py-2">"Apply before"</th>
                        <th class="px-3 py-2">"Views"</th>
                        <th class="px-3 py-2">"Actions"</th>
                    </tr>
                </thead>
                <tbody>{rows_view}</tbody>
            </table>
        </div>
        <RecentChanges entries=recent />
    }
}

#[component]
fn AdminRow(row: AdminPostingRow, counts: Vec<(String, i64)>, views: i64, csrf_token: String) -> impl IntoView {
    let total: i64 = counts.iter().map(|(_, count)| count).sum();
    let per_status = counts.iter().map(|(status, count)| format!("{count} {status}")).collect::<Vec<_>>().join(", ");
    let applications = (total > 0).then(|| {
        view! {
            <a href=format!("/admin/jobs/{}/applications", row.id) class="posting-applications-link text-indigo-700 hover:underline">
                {format!("{total} applications ({per_status})")}
            </a>
        }
    });
    let status_class = match row.listed_status {
        ListedStatus::Published => "bg-emerald-100 text-emerald-900",
        ListedStatus::Draft => "bg-slate-200 text-slate-800",
        ListedStatus::Closed => "bg-amber-100 text-amber-900",
        ListedStatus::Expired => "bg-red-100 text-red-900",
    };
    let actions = row
        .actions()
        .iter()
        .map(|action| {
            view! {
                <form method="post" action=format!("/admin/jobs/{}/status", row.id) class="inline">
                    <input type="hidden" name="csrf" value=csrf_token.clone() />
                    <input type="hidden" name="action" value=action.code() />
                    <button type="submit" class=format!("posting-action action-{} rounded border border-slate-300 px-2 py-0.5 hover:bg-slate-100", action.code())>
                        {action.label()}
                    </button>
                </form>
            }
        })
        .collect_view();
    let public_link = (row.status != crate::domain::JobStatus::Draft).then(|| {
        view! { <a href=job_path(row.id, &row.slug) class="text-indigo-700 hover:underline">"View"</a> }
    });
    view! {
        <tr class="admin-row border-t border-slate-100" data-posting-id=row.id.to_string()>
            <td class="px-3 py-2 font-medium">{row.title.clone()}</td>
            <td class="px-3 py-2">{row.company_name.clone()}</td>
            <td class="px-3 py-2">
                <span class=format!("posting-status rounded px-2 py-0.5 text-xs font-semibold {status_class}")>{row.listed_status.label()}</span>
            </td>
            <td class="px-3 py-2 whitespace-nowrap">{row.posted_at.to_string()}</td>
            <td class="px-3 py-2 whitespace-nowrap">{row.valid_through.to_string()}</td>
            <td class="posting-views px-3 py-2">{views}</td>
            <td class="px-3 py-2">
                <div class="flex flex-wrap items-center gap-2">
                    <a href=format!("/admin/jobs/{}/edit", row.id) class="posting-edit text-indigo-700 hover:underline">"Edit"</a>
                    {public_link}
                    {applications}
                    {actions}
                </div>
            </td>
        </tr>
    }
}

/// The audit trail's latest entries (or one posting's history).
#[component]
pub fn RecentChanges(entries: Vec<AuditEntry>) -> impl IntoView {
    (!entries.is_empty()).then(|| {
        let items = entries
            .into_iter()
            .map(|entry| {
                let posting = entry.posting_id.map(|id| format!(" posting {id}")).unwrap_or_default();
                view! {
                    <li class="audit-entry">
                        <time class="text-slate-500">{entry.at.replace('T', " ").trim_end_matches('Z').to_owned()}</time>
                        " · " {entry.admin_email} " · " <strong>{entry.action}</strong> {posting}
                        {(!entry.detail.is_empty()).then(|| format!(" · {}", entry.detail))}
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="mt-6">
                <h2 class="text-lg font-semibold">"Recent changes"</h2>
                <ul class="audit-trail mt-2 space-y-1 text-sm">{items}</ul>
            </section>
        }
    })
}
