//! Server functions of the admin pages. Each checks the session first (401 when nobody is signed in);
//! none changes data: changes go through plain form posts (see `server::admin`), which work without
//! JavaScript and carry the form token.

use leptos::prelude::*;

use crate::domain::admin::{AdminList, PostingEditor};
use crate::error::AppError;

/// How many postings the admin list shows.
pub const ADMIN_LIST_LIMIT: i64 = 200;

/// The admin list: postings in every status matching `q` (title or company), newest change first.
#[server(prefix = "/fn", endpoint = "admin_postings")]
pub async fn admin_postings(#[server(default)] q: String) -> Result<AdminList, AppError> {
    let admin = crate::auth::require_admin().await?;
    let pool = super::pool()?;
    let q: String = q.chars().take(200).collect();
    let rows = crate::db::admin_postings(&pool, &q, super::today(), ADMIN_LIST_LIMIT).await?;
    let recent = crate::db::recent_audit(&pool, 10).await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let applications = crate::db::application_counts(&pool, &ids).await?;
    let views = crate::db::posting_views(&pool, &ids).await?;
    Ok(AdminList { rows, applications, views, recent, csrf_token: admin.csrf_token, admin_email: admin.email })
}

/// The posting editor for a new posting (`id` = None) or an existing one; 404 for an unknown id.
#[server(prefix = "/fn", endpoint = "posting_editor")]
pub async fn load_posting_editor(#[server(default)] id: Option<i64>) -> Result<PostingEditor, AppError> {
    let admin = crate::auth::require_admin().await?;
    let pool = super::pool()?;
    let today = super::today();
    let (form, status, history) = match id {
        Some(id) => {
            let job = crate::db::posting_for_edit(&pool, id).await?;
            let history = crate::db::posting_history(&pool, id).await?;
            (crate::domain::PostingForm::from_job(&job), Some(job.status), history)
        }
        None => (crate::domain::PostingForm { posted_at: today.to_string(), ..Default::default() }, None, Vec::new()),
    };
    let findings = form.transparency_findings(today);
    Ok(PostingEditor {
        id,
        status,
        form,
        errors: Default::default(),
        findings,
        companies: crate::db::company_options(&pool).await?,
        career_steps: crate::db::career_step_options(&pool).await?,
        history,
        csrf_token: admin.csrf_token,
        admin_email: admin.email,
        today,
    })
}

/// Markdown to the sanitised HTML the detail page would show, for the editor's live preview.
#[server(prefix = "/fn", endpoint = "preview_markdown")]
pub async fn preview_markdown(markdown: String) -> Result<String, AppError> {
    crate::auth::require_admin().await?;
    if markdown.chars().count() > crate::domain::posting_form::MAX_SECTION_BODY {
        return Err(AppError::BadRequest("the text is too long to preview".into()));
    }
    Ok(crate::markdown::to_safe_html(&markdown))
}
