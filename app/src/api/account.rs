//! Server functions of the candidate's pages and of the employer's application pages. Each checks its
//! role's session first (401 when nobody is signed in); none changes data: changes go through plain form
//! posts (see `server::candidates` and `server::admin`), which work without JavaScript.

use leptos::prelude::*;

use crate::domain::candidate::{
    AccountOverview, ApplyPage, CompanyLimitsPage, MyApplicationsPage, PlannerPage, PostingApplicationsPage,
    SavedJobsPage,
};
use crate::domain::mail::OutboxEntry;
use crate::error::AppError;

/// How many outbox messages the admin page shows.
pub const OUTBOX_LIMIT: i64 = 100;

/// The signed-in candidate's account page.
#[server(prefix = "/fn", endpoint = "account_overview")]
pub async fn load_account() -> Result<AccountOverview, AppError> {
    let candidate = crate::auth::require_candidate().await?;
    let pool = super::pool()?;
    let account = crate::db::candidate_by_id(&pool, candidate.id).await?.ok_or(AppError::Unauthorized)?;
    let profile = crate::db::candidate_profile(&pool, candidate.id).await?;
    Ok(AccountOverview {
        email: account.email,
        confirmed: account.confirmed,
        profile,
        csrf_token: candidate.csrf_token,
    })
}

/// The apply page of posting `id`: the posting, the slots used at its company, the form from the
/// profile.
#[server(prefix = "/fn", endpoint = "apply_page")]
pub async fn load_apply_page(id: i64) -> Result<ApplyPage, AppError> {
    let candidate = crate::auth::require_candidate().await?;
    let pool = super::pool()?;
    let (title, slug, company_id, company_name, open) = crate::db::posting_summary(&pool, id, super::today()).await?;
    let account = crate::db::candidate_by_id(&pool, candidate.id).await?.ok_or(AppError::Unauthorized)?;
    let profile = crate::db::candidate_profile(&pool, candidate.id).await?;
    let usage = crate::db::slot_usage(&pool, candidate.id, company_id).await?;
    let already_applied = usage.used.iter().any(|slot| slot.posting_id == id);
    Ok(ApplyPage {
        posting_id: id,
        title,
        slug,
        company_name,
        open,
        confirmed: account.confirmed,
        already_applied,
        usage,
        form: crate::domain::candidate::ApplicationForm::from_profile(&profile, &account.email),
        csrf_token: candidate.csrf_token,
    })
}

/// The signed-in candidate's alerts, each with what it matches now.
#[server(prefix = "/fn", endpoint = "my_alerts")]
pub async fn load_my_alerts() -> Result<crate::domain::alert::MyAlertsPage, AppError> {
    let candidate = crate::auth::require_candidate().await?;
    let pool = super::pool()?;
    let cache = super::listing_cache()?;
    let alerts = crate::service::alerts::my_alerts(&pool, &cache, candidate.id).await?;
    Ok(crate::domain::alert::MyAlertsPage { email: candidate.email, alerts, csrf_token: candidate.csrf_token })
}

/// The signed-in candidate's applications.
#[server(prefix = "/fn", endpoint = "my_applications")]
pub async fn load_my_applications() -> Result<MyApplicationsPage, AppError> {
    let candidate = crate::auth::require_candidate().await?;
    let pool = super::pool()?;
    let applications = crate::db::my_applications(&pool, candidate.id).await?;
    Ok(MyApplicationsPage { applications, csrf_token: candidate.csrf_token })
}

/// The signed-in candidate's saved jobs.
#[server(prefix = "/fn", endpoint = "saved_jobs")]
pub async fn load_saved_jobs() -> Result<SavedJobsPage, AppError> {
    let candidate = crate::auth::require_candidate().await?;
    let pool = super::pool()?;
    let saved = crate::db::saved_jobs(&pool, candidate.id, super::today()).await?;
    Ok(SavedJobsPage { saved, csrf_token: candidate.csrf_token })
}

/// The slot planner: the shortlist grouped by limited company, with the slots each has left.
#[server(prefix = "/fn", endpoint = "planner")]
pub async fn load_planner() -> Result<PlannerPage, AppError> {
    use crate::domain::candidate::PlannerGroup;
    let candidate = crate::auth::require_candidate().await?;
    let pool = super::pool()?;
    let planned = crate::db::planned_postings(&pool, candidate.id, super::today()).await?;
    let mut groups: Vec<PlannerGroup> = Vec::new();
    let mut unlimited = Vec::new();
    let mut usage_of_company = std::collections::HashMap::new();
    for (company_id, posting) in planned {
        let usage = match usage_of_company.get(&company_id) {
            Some(usage) => usage,
            None => {
                let usage = crate::db::slot_usage(&pool, candidate.id, company_id).await?;
                usage_of_company.entry(company_id).or_insert(usage)
            }
        };
        if usage.limit.is_none() {
            unlimited.push(posting);
        } else if let Some(group) = groups.iter_mut().find(|group| group.usage.scope == usage.scope) {
            group.shortlist.push(posting);
        } else {
            groups.push(PlannerGroup { usage: usage.clone(), shortlist: vec![posting] });
        }
    }
    Ok(PlannerPage { groups, unlimited, csrf_token: candidate.csrf_token })
}

/// A posting's applications, for the employer.
#[server(prefix = "/fn", endpoint = "posting_applications")]
pub async fn load_posting_applications(id: i64) -> Result<PostingApplicationsPage, AppError> {
    let admin = crate::auth::require_admin().await?;
    let pool = super::pool()?;
    let parts = crate::db::posting_for_edit(&pool, id).await?;
    let companies = crate::db::company_options(&pool).await?;
    let company_name =
        companies.into_iter().find(|c| c.slug == parts.company_slug).map(|c| c.name).unwrap_or(parts.company_slug);
    let applications = crate::db::posting_applications(&pool, id).await?;
    Ok(PostingApplicationsPage {
        posting_id: id,
        title: parts.title,
        company_name,
        applications,
        csrf_token: admin.csrf_token,
        admin_email: admin.email,
    })
}

/// Every company's application limit and group, for the admin.
#[server(prefix = "/fn", endpoint = "company_limits")]
pub async fn load_company_limits() -> Result<CompanyLimitsPage, AppError> {
    let admin = crate::auth::require_admin().await?;
    let pool = super::pool()?;
    let companies = crate::db::company_limits(&pool).await?;
    Ok(CompanyLimitsPage { companies, csrf_token: admin.csrf_token, admin_email: admin.email })
}

/// The outbox's newest messages, for the admin, and the admin's address.
#[server(prefix = "/fn", endpoint = "outbox")]
pub async fn load_outbox() -> Result<(Vec<OutboxEntry>, String), AppError> {
    let admin = crate::auth::require_admin().await?;
    let pool = super::pool()?;
    Ok((crate::db::outbox(&pool, OUTBOX_LIMIT).await?, admin.email))
}
