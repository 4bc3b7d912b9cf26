//! Applying and following applications: the apply page (with the slots used at the company),
//! "My applications", saved jobs, and the slot planner.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{CandidateBar, CandidateError, CsrfField, EchoArea, EchoField, Notice, form_echo, query_value};
use crate::api::account::{load_apply_page, load_my_applications, load_planner, load_saved_jobs};
use crate::domain::candidate::{
    ApplyPage, MyApplicationsPage, PlannedPosting, PlannerGroup, PlannerPage, SavedJobsPage, SlotUsage, ordinal,
};
use crate::domain::job::job_path;
use crate::error::AppError;

/// `/jobs/{id}/apply`.
#[component]
pub fn ApplyPageView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get_str("id").and_then(|id| id.parse::<i64>().ok()));
    let page = Resource::new_blocking(id, |id| async move {
        match id {
            Some(id) => load_apply_page(id).await,
            None => Err(AppError::NotFound),
        }
    });
    private_page!(page, "Loading the form…", CandidateError, |page| view! { <ApplyForm page /> })
}

/// "1 of 2 applications to TikTok used", the ones used, and a warning when the next is the last.
#[component]
fn SlotSummary(usage: SlotUsage) -> impl IntoView {
    let summary = usage.summary();
    let last = usage.next_is_last();
    let scope = usage.scope.clone();
    let used = usage
        .used
        .iter()
        .map(|slot| {
            view! {
                <li><a href=job_path(slot.posting_id, &slot.slug) class="text-indigo-700 hover:underline">{slot.title.clone()}</a>
                    {format!(" ({})", ordinal(slot.position))}</li>
            }
        })
        .collect_view();
    summary.map(|summary| {
        view! {
            <div class="slot-usage mt-3 rounded border border-slate-200 bg-slate-50 p-3 text-sm">
                <p class="slot-summary font-semibold">{summary}</p>
                <ul class="mt-1 list-disc pl-5">{used}</ul>
                {last.then(|| view! {
                    <p class="last-slot-warning mt-2 font-semibold text-amber-800">
                        {format!("This would be your last application to {scope}: after it you cannot apply to another of its jobs unless you withdraw one.")}
                    </p>
                })}
            </div>
        }
    })
}

#[component]
fn ApplyForm(page: ApplyPage) -> impl IntoView {
    let echo = form_echo();
    let refused = !echo.values.is_empty();
    let value = |name: &str, stored: &str| if refused { echo.value(name) } else { stored.to_owned() };
    let ApplyPage { posting_id, title, slug, company_name, open, confirmed, already_applied, usage, form, csrf_token } =
        page;
    let heading = format!("Apply: {title}");
    let blocked = if !open {
        Some("This posting does not take applications on this site now.".to_owned())
    } else if already_applied {
        Some("You have already applied to this posting: see My applications.".to_owned())
    } else if !confirmed {
        Some("Confirm your e-mail address first: follow the link in the e-mail we sent you (your account page can send a new one).".to_owned())
    } else if usage.is_full() {
        Some(format!(
            "You have used every application {} allows. Withdraw one that has not been reviewed to apply here.",
            usage.scope
        ))
    } else {
        None
    };
    view! {
        <Title text=heading.clone() />
        <CandidateBar />
        <h1 class="text-2xl font-bold">{heading}</h1>
        <p class="mt-1 text-slate-600">{company_name} " · " <a href=job_path(posting_id, &slug) class="text-indigo-700 hover:underline">"Back to the posting"</a></p>
        <SlotSummary usage />
        {echo.refusal.clone().map(|text| view! { <Notice good=false text /> })}
        {blocked.clone().filter(|_| echo.refusal.is_none()).map(|text| view! { <Notice good=false text /> })}
        // A refused form stays on the page with what was typed, so that nothing typed is lost.
        {(blocked.is_none() || refused).then(|| view! {
            <form method="post" action=format!("/jobs/{posting_id}/apply") class="apply-form mt-4 space-y-3 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                <CsrfField token=csrf_token />
                <EchoField label="Name" name="name" value=value("name", &form.name) problem=echo.problem("name") autocomplete="name" required=true />
                <EchoField label="E-mail" name="email" kind="email" value=value("email", &form.email) problem=echo.problem("email") autocomplete="email" required=true />
                <EchoField label="CV link" name="cv_url" kind="url" value=value("cv_url", &form.cv_url) problem=echo.problem("cv_url") hint="An https:// link, or paste your CV below." />
                <EchoArea label="CV as text" name="cv_text" value=value("cv_text", &form.cv_text) problem=echo.problem("cv_text") rows=6 />
                <EchoArea label="Note to the employer (optional)" name="note" value=value("note", &form.note) problem=echo.problem("note") rows=3 />
                <button type="submit" class="send-application rounded-lg bg-emerald-600 px-5 py-2.5 font-semibold text-white hover:bg-emerald-700">"Send the application"</button>
            </form>
        })}
    }
}

/// `/account/applications`.
#[component]
pub fn MyApplicationsView() -> impl IntoView {
    let page = Resource::new_blocking(|| (), |_| load_my_applications());
    view! {
        <Title text="My applications" />
        {private_page!(page, "Loading your applications…", CandidateError, |page| view! { <ApplicationList page /> })}
    }
}

#[component]
fn ApplicationList(page: MyApplicationsPage) -> impl IntoView {
    let notice = if !query_value("applied").is_empty() {
        Some((true, "Your application is sent. We e-mailed you a receipt."))
    } else if !query_value("withdrawn").is_empty() {
        Some((true, "The application is withdrawn: its slot is free again."))
    } else if !query_value("reviewed").is_empty() {
        Some((false, "That application was already reviewed by the employer; it cannot be withdrawn."))
    } else {
        None
    };
    let MyApplicationsPage { applications, csrf_token } = page;
    let empty = applications.is_empty();
    let rows = applications
        .into_iter()
        .map(|application| {
            let withdraw = application.status.can_withdraw().then(|| {
                view! {
                    <form method="post" action=format!("/account/applications/{}/withdraw", application.id)>
                        <CsrfField token=csrf_token.clone() />
                        <button type="submit" class="withdraw rounded border border-slate-300 px-2 py-0.5 hover:bg-slate-100">"Withdraw"</button>
                    </form>
                }
            });
            view! {
                <tr class="my-application border-t border-slate-100" data-application-id=application.id.to_string()>
                    <td class="px-3 py-2"><a href=job_path(application.posting_id, &application.slug) class="font-medium text-indigo-700 hover:underline">{application.title.clone()}</a></td>
                    <td class="px-3 py-2">{application.company_name.clone()}</td>
                    <td class="application-position px-3 py-2">{ordinal(application.position)}</td>
                    <td class="px-3 py-2 whitespace-nowrap">{application.created_at.get(..10).unwrap_or_default().to_owned()}</td>
                    <td class="application-status px-3 py-2">{application.status.label()}</td>
                    <td class="px-3 py-2">{withdraw}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <CandidateBar />
        <h1 class="text-2xl font-bold">"My applications"</h1>
        {notice.map(|(good, text)| view! { <Notice good text /> })}
        {if empty {
            view! { <p class="mt-3 text-slate-600">"No applications yet."</p> }.into_any()
        } else {
            view! {
                <div class="mt-3 overflow-x-auto rounded-lg border border-slate-200 bg-white">
                    <table class="my-applications w-full text-left text-sm">
                        <thead class="bg-slate-100 text-slate-700"><tr>
                            <th class="px-3 py-2">"Posting"</th><th class="px-3 py-2">"Company"</th><th class="px-3 py-2">"Order"</th>
                            <th class="px-3 py-2">"Date"</th><th class="px-3 py-2">"Status"</th><th class="px-3 py-2"><span class="sr-only">"Actions"</span></th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }.into_any()
        }}
    }
}

/// `/account/saved`.
#[component]
pub fn SavedJobsView() -> impl IntoView {
    let page = Resource::new_blocking(|| (), |_| load_saved_jobs());
    view! {
        <Title text="Saved jobs" />
        {private_page!(page, "Loading your saved jobs…", CandidateError, |page| view! { <SavedList page /> })}
    }
}

#[component]
fn SavedList(page: SavedJobsPage) -> impl IntoView {
    let saved_notice = (!query_value("saved").is_empty()).then_some("The job is saved.");
    let SavedJobsPage { saved, csrf_token } = page;
    let empty = saved.is_empty();
    let items = saved
        .into_iter()
        .map(|job| {
            view! {
                <li class="saved-job flex flex-wrap items-center justify-between gap-2 border-t border-slate-100 px-3 py-2" data-posting-id=job.posting_id.to_string()>
                    <span>
                        <a href=job_path(job.posting_id, &job.slug) class="font-medium text-indigo-700 hover:underline">{job.title}</a>
                        " · " {job.company_name}
                        {(!job.open).then(|| view! { <span class="saved-closed ml-2 rounded bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900">"Closed since you saved it"</span> })}
                    </span>
                    <form method="post" action="/account/saved">
                        <CsrfField token=csrf_token.clone() />
                        <input type="hidden" name="posting" value=job.posting_id.to_string() />
                        <input type="hidden" name="action" value="remove" />
                        <button type="submit" class="unsave-job rounded border border-slate-300 px-2 py-0.5 text-sm hover:bg-slate-100">"Unsave"</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    view! {
        <CandidateBar />
        <h1 class="text-2xl font-bold">"Saved jobs"</h1>
        {saved_notice.map(|text| view! { <Notice good=true text /> })}
        {if empty {
            view! { <p class="mt-3 text-slate-600">"No saved jobs. Use \"Save job\" on a posting."</p> }.into_any()
        } else {
            view! { <ul class="saved-jobs mt-3 rounded-lg border border-slate-200 bg-white">{items}</ul> }.into_any()
        }}
    }
}

/// `/account/planner`.
#[component]
pub fn PlannerView() -> impl IntoView {
    let page = Resource::new_blocking(|| (), |_| load_planner());
    view! {
        <Title text="Slot planner" />
        {private_page!(page, "Loading your planner…", CandidateError, |page| view! { <PlannerList page /> })}
    }
}

/// One shortlisted posting's row: its rank, whether the slots left cover it, and the buttons.
#[component]
fn PlannedRow(posting: PlannedPosting, covered: bool, csrf_token: String) -> impl IntoView {
    let button = |action: &'static str, label: &'static str| {
        view! {
            <form method="post" action="/account/planner" class="inline">
                <CsrfField token=csrf_token.clone() />
                <input type="hidden" name="posting" value=posting.posting_id.to_string() />
                <input type="hidden" name="action" value=action />
                <button type="submit" class=format!("plan-{action} rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100")>{label}</button>
            </form>
        }
    };
    let verdict = if !posting.open {
        "Not open: takes no slot"
    } else if covered {
        "Covered by a slot left"
    } else {
        "Beyond your slots"
    };
    view! {
        <li class="planned-posting flex flex-wrap items-center gap-2 border-t border-slate-100 px-3 py-2" data-covered=covered.to_string()>
            <a href=job_path(posting.posting_id, &posting.slug) class="font-medium text-indigo-700 hover:underline">{posting.title.clone()}</a>
            <span class=if covered { "plan-verdict text-sm text-emerald-800" } else { "plan-verdict text-sm text-slate-500" }>{verdict}</span>
            <span class="ml-auto flex gap-1">{button("up", "Up")}{button("down", "Down")}{button("remove", "Remove")}</span>
        </li>
    }
}

#[component]
fn PlannerList(page: PlannerPage) -> impl IntoView {
    let PlannerPage { groups, unlimited, csrf_token } = page;
    let empty = groups.is_empty() && unlimited.is_empty();
    let groups_view = groups
        .into_iter()
        .map(|group: PlannerGroup| {
            let left = group.usage.remaining().unwrap_or_default();
            let rows = group
                .coverage()
                .into_iter()
                .map(|(posting, covered)| view! { <PlannedRow posting covered csrf_token=csrf_token.clone() /> })
                .collect_view();
            view! {
                <section class="planner-group mt-4 rounded-xl border border-slate-200 bg-white shadow-sm">
                    <h2 class="px-3 pt-3 text-lg font-semibold">{group.usage.scope.clone()}</h2>
                    <p class="planner-left px-3 text-sm text-slate-600">
                        {format!("{} · {left} left. Ranked from the top, the slots left cover the postings marked so.", group.usage.summary().unwrap_or_default())}
                    </p>
                    <ul class="mt-2">{rows}</ul>
                </section>
            }
        })
        .collect_view();
    let unlimited_view = (!unlimited.is_empty()).then(|| {
        let rows = unlimited
            .into_iter()
            .map(|posting| view! { <PlannedRow posting covered=true csrf_token=csrf_token.clone() /> })
            .collect_view();
        view! {
            <section class="mt-4 rounded-xl border border-slate-200 bg-white shadow-sm">
                <h2 class="px-3 pt-3 text-lg font-semibold">"Companies without a limit"</h2>
                <ul class="mt-2">{rows}</ul>
            </section>
        }
    });
    view! {
        <CandidateBar />
        <h1 class="text-2xl font-bold">"Slot planner"</h1>
        <p class="mt-1 text-slate-600">"Some companies take only a few applications from one candidate. Shortlist their postings, rank them, and see which your remaining slots would cover before you spend any."</p>
        {empty.then(|| view! { <p class="mt-3 text-slate-600">"Nothing shortlisted yet. Use \"Add to my slot planner\" on a posting."</p> })}
        {groups_view}
        {unlimited_view}
    }
}
