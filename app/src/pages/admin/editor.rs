//! `/admin/jobs/new` and `/admin/jobs/{id}/edit`: the posting form. It is a plain form post (it works
//! without JavaScript); a refused post comes back rendered by the server with everything typed and the
//! errors beside their fields. With JavaScript, the same domain rules run in the browser as the admin
//! types and before sending, the pay-transparency findings follow the typed locations and pay, and each
//! section's Markdown is previewed as it is written.

use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

use super::jobs::RecentChanges;
use super::{AdminBar, AdminError};
use crate::api::admin::load_posting_editor;
use crate::domain::admin::{PostingEditor, RefusedSubmission};
use crate::domain::benefits::BenefitGroup;
use crate::domain::pay_transparency::Finding;
use crate::domain::posting_form::{FormErrors, LocationInput, PostingForm, SectionInput, field};
use crate::domain::{EmploymentType, ExperienceLevel, JobStatus, PayUnit, WorkMode};
use crate::error::AppError;
use crate::pages::not_found::NotFound;

/// The form for a new posting.
#[component]
pub fn NewPostingPage() -> impl IntoView {
    view! { <EditorLoader id=Signal::stored(Some(None)) /> }
}

/// The form for an existing posting; an id that is not a number is a 404.
#[component]
pub fn EditPostingPage() -> impl IntoView {
    let params = use_params_map();
    let id = Signal::derive(move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).map(Some)));
    view! { <EditorLoader id /> }
}

/// Loads the editor for `id` (`Some(None)` = new, `None` = an unparsable id).
#[component]
fn EditorLoader(id: Signal<Option<Option<i64>>>) -> impl IntoView {
    // Set by the server when it renders a refused form again; absent in the browser, which reads the
    // resource's serialised value instead.
    let refused = use_context::<RefusedSubmission>();
    let editor = Resource::new_blocking(
        move || id.get(),
        move |id| {
            let refused = refused.clone();
            async move {
                let Some(id) = id else { return Err(AppError::NotFound) };
                let mut editor = load_posting_editor(id).await?;
                if let Some(refused) = refused {
                    editor.form = refused.form;
                    editor.errors = refused.errors;
                    editor.findings = refused.findings;
                }
                Ok(editor)
            }
        },
    );
    view! {
        <Meta name="robots" content="noindex" />
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading the form…"</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Ok(editor) => view! { <EditorForm editor /> }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound /> }.into_any(),
                    Err(error) => view! { <AdminError error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Reads the form the event's handler is attached to.
#[cfg(feature = "hydrate")]
fn form_of(event: &web_sys::Event) -> Option<PostingForm> {
    use leptos::wasm_bindgen::JsCast;
    let element = event.current_target()?.dyn_into::<web_sys::HtmlFormElement>().ok()?;
    let data = web_sys::FormData::new_with_form(&element).ok()?;
    let pairs: Vec<(String, String)> = PostingForm::field_names()
        .into_iter()
        .filter_map(|name| data.get(&name).as_string().map(|value| (name, value)))
        .collect();
    Some(PostingForm::from_pairs(pairs))
}

/// The editor page around the form: title, admin bar, heading and the posting's history.
#[component]
fn EditorForm(mut editor: PostingEditor) -> impl IntoView {
    let heading = match editor.id {
        Some(id) => format!("Edit posting {id}"),
        None => "New posting".to_owned(),
    };
    let history = std::mem::take(&mut editor.history);
    let admin_email = editor.admin_email.clone();
    let status = editor.status;
    view! {
        <Title text=format!("{heading} · Admin") />
        <AdminBar email=admin_email />
        <h1 class="text-2xl font-bold">{heading}</h1>
        {status.map(|s| view! { <p class="mt-1 text-sm text-slate-600">"Status: " <strong class="editor-status">{s.label()}</strong></p> })}
        <PostingFormIsland editor />
        <RecentChanges entries=history />
    }
}

/// The form itself, an island: it checks what is typed with the domain's rules and previews Markdown.
#[island(lazy)]
fn PostingFormIsland(editor: PostingEditor) -> impl IntoView {
    let PostingEditor { id, status, form, errors, findings, companies, career_steps, csrf_token, today, .. } = editor;
    let (errors, set_errors) = signal(errors);
    let (findings, set_findings) = signal(findings);
    let action = match id {
        Some(id) => format!("/admin/jobs/{id}/edit"),
        None => "/admin/jobs/new".to_owned(),
    };
    let can_publish = matches!(status, None | Some(JobStatus::Draft));
    let save_label = match status {
        None | Some(JobStatus::Draft) => "Save draft",
        Some(_) => "Save changes",
    };

    // Fields fixed since the last check lose their message; new problems show when the form is sent.
    let on_change = move |event: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        if let Some(form) = form_of(&event) {
            let now = form.validate(today).err().unwrap_or_default();
            set_errors
                .update(|shown| shown.retain(|name, _| now.contains_key(name) || name == field::PAY_TRANSPARENCY));
            set_findings.set(form.transparency_findings(today));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (event, today, set_errors, set_findings);
    };
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        if let Some(form) = form_of(&event) {
            let publishing = event.submitter().and_then(|button| button.get_attribute("value")).as_deref()
                == Some("publish")
                || status == Some(JobStatus::Published);
            let found = form.transparency_findings(today);
            let mut problems = form.validate(today).err().unwrap_or_default();
            if publishing && found.iter().any(Finding::blocks) {
                problems.insert(field::PAY_TRANSPARENCY.into(), crate::domain::FieldError::Required);
            }
            set_findings.set(found);
            if !problems.is_empty() {
                event.prevent_default();
                set_errors.set(problems);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };

    let company_options: Vec<(String, String)> = std::iter::once((String::new(), "— pick a company —".to_owned()))
        .chain(companies.into_iter().map(|c| (c.slug, c.name)))
        .collect();
    let step_options: Vec<(String, String)> = std::iter::once((String::new(), "— none —".to_owned()))
        .chain(career_steps.into_iter().map(|s| (s.value, s.label)))
        .collect();
    let type_options = EmploymentType::ALL.iter().map(|t| (t.code().to_owned(), t.label().to_owned())).collect();
    let level_options = ExperienceLevel::ALL.iter().map(|l| (l.code().to_owned(), l.label().to_owned())).collect();
    let unit_options = PayUnit::ALL.iter().map(|u| (u.code().to_owned(), u.per_phrase().to_owned())).collect();
    let PostingForm {
        title,
        company,
        new_company,
        locations,
        employment_type,
        level,
        career_step,
        pay_min,
        pay_max,
        currency,
        pay_unit,
        benefits,
        sections,
        apply,
        applies_on_site,
        posted_at,
        valid_through,
        skills,
    } = form;
    let location_rows =
        locations.into_iter().enumerate().map(|(index, row)| view! { <LocationRow index row errors /> }).collect_view();
    let section_rows =
        sections.into_iter().enumerate().map(|(index, row)| view! { <SectionRow index row errors /> }).collect_view();
    let benefit_fields = BenefitGroup::ALL
        .iter()
        .zip(benefits)
        .map(|(group, text)| {
            view! { <TextArea label=group.label() name=field::benefits(*group) value=text errors rows=3 /> }
        })
        .collect_view();
    let error_count = move || errors.with(|e| e.len());

    view! {
        {move || (error_count() > 0).then(|| view! {
            <p role="alert" class="form-error-summary mt-3 rounded border border-red-300 bg-red-50 p-3 text-sm text-red-800">
                {format!("{} field(s) need attention; nothing was saved.", error_count())}
            </p>
        })}
        <form method="post" action=action novalidate on:change=on_change on:submit=on_submit class="posting-form mt-4 space-y-6">
            <input type="hidden" name="csrf" value=csrf_token />
            <fieldset class="grid gap-4 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-2">
                <legend class="px-1 font-semibold">"The job"</legend>
                <div class="sm:col-span-2"><TextInput label="Title" name=field::TITLE value=title errors /></div>
                <Select label="Company" name=field::COMPANY options=company_options selected=company errors />
                <TextInput label="…or a new company" name=field::NEW_COMPANY value=new_company errors hint="Created when the posting is saved." />
                <Select label="Employment type" name=field::EMPLOYMENT_TYPE options=type_options selected=employment_type errors />
                <Select label="Experience level" name=field::LEVEL options=level_options selected=level errors />
                <div class="sm:col-span-2"><Select label="Career-path step" name=field::CAREER_STEP options=step_options selected=career_step errors /></div>
            </fieldset>
            <fieldset class="space-y-3 rounded-xl border border-slate-200 bg-white p-4">
                <legend class="px-1 font-semibold">"Locations"</legend>
                <p class="text-sm text-slate-600">"The first is required. For remote work, say where applicants may live (a state such as CO, or US for anywhere in the country)."</p>
                {location_rows}
            </fieldset>
            <fieldset class="grid gap-4 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-4">
                <legend class="px-1 font-semibold">"Pay"</legend>
                <TextInput label="Minimum" name=field::PAY_MIN value=pay_min errors hint="e.g. 116000 or 45.50" />
                <TextInput label="Maximum" name=field::PAY_MAX value=pay_max errors />
                <TextInput label="Currency" name=field::CURRENCY value=currency errors />
                <Select label="Per" name=field::PAY_UNIT options=unit_options selected=pay_unit errors />
                <div class="sm:col-span-4"><TransparencyPanel findings /></div>
            </fieldset>
            <fieldset class="grid gap-4 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-2">
                <legend class="px-1 font-semibold">"Benefits"</legend>
                <p class="text-sm text-slate-600 sm:col-span-2">"One benefit a line; add a day count in brackets, e.g. \"Paid holidays (10 days)\"."</p>
                {benefit_fields}
            </fieldset>
            <fieldset class="space-y-4 rounded-xl border border-slate-200 bg-white p-4">
                <legend class="px-1 font-semibold">"Description"</legend>
                <p class="text-sm text-slate-600">"Sections in Markdown. At least one is required."</p>
                <FieldError errors name=field::SECTIONS />
                {section_rows}
            </fieldset>
            <fieldset class="grid gap-4 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-3">
                <legend class="px-1 font-semibold">"Applying"</legend>
                <div class="sm:col-span-3"><TextInput label="Apply link or e-mail address" name=field::APPLY value=apply errors hint="An https:// link or an address such as jobs@example.com." /></div>
                <label class="flex items-start gap-2 text-sm sm:col-span-3">
                    <input type="checkbox" name=field::APPLIES_ON_SITE value="1" checked=applies_on_site class="mt-1" />
                    <span>"Candidates may also apply on this site" <span class="block text-slate-600">"Under the company's application limit; the applications appear beside the posting in the admin list."</span></span>
                </label>
                <TextInput label="Posted" name=field::POSTED_AT value=posted_at errors kind="date" hint="Today when left empty." />
                <TextInput label="Apply before" name=field::VALID_THROUGH value=valid_through errors kind="date" />
                <TextInput label="Skills" name=field::SKILLS value=skills errors hint="Comma-separated." />
            </fieldset>
            <div class="flex flex-wrap items-center gap-3">
                <button type="submit" name="intent" value="save" class="save-button rounded-lg border border-slate-300 bg-white px-4 py-2 font-semibold hover:bg-slate-100">{save_label}</button>
                {can_publish.then(|| view! {
                    <button type="submit" name="intent" value="publish" class="publish-button rounded-lg bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-700">"Publish"</button>
                })}
                <FieldError errors name=field::PAY_TRANSPARENCY />
            </div>
        </form>
    }
}

/// The pay-transparency findings for what is typed.
#[component]
fn TransparencyPanel(findings: ReadSignal<Vec<Finding>>) -> impl IntoView {
    move || {
        findings.with(|found| {
            if found.is_empty() {
                return view! {
                    <p class="transparency-ok text-sm text-emerald-800">"Pay transparency: no rule applies or every rule is met."</p>
                }
                .into_any();
            }
            let items = found
                .iter()
                .map(|finding| {
                    let (class, tag) = if finding.blocks() {
                        ("transparency-block text-red-800", "Blocks publishing: ")
                    } else {
                        ("transparency-warn text-amber-800", "Warning: ")
                    };
                    view! {
                        <li class=class>
                            <strong>{tag}</strong>{finding.message()}
                            <span class="block text-xs text-slate-500">{finding.source.clone()}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="transparency-findings rounded border border-amber-300 bg-amber-50 p-3 text-sm">
                    <p class="font-semibold">"Pay transparency"</p>
                    <ul class="mt-1 space-y-1">{items}</ul>
                </div>
            }
            .into_any()
        })
    }
}

#[component]
fn LocationRow(index: usize, row: LocationInput, errors: ReadSignal<FormErrors>) -> impl IntoView {
    let modes = WorkMode::ALL.iter().map(|m| (m.code().to_owned(), m.label().to_owned())).collect();
    let label = |text: &str| format!("{text} ({})", index + 1);
    view! {
        <div class="location-row grid gap-3 sm:grid-cols-5">
            <TextInput label=label("City") name=field::location("city", index) value=row.city errors />
            <TextInput label=label("State or region") name=field::location("region", index) value=row.region errors />
            <TextInput label=label("Country") name=field::location("country", index) value=row.country errors />
            <Select label=label("Work mode") name=field::location("work_mode", index) options=modes selected=row.work_mode errors />
            <TextInput label=label("Remote applicants in") name=field::location("area", index) value=row.applicant_area errors />
        </div>
    }
}

#[component]
fn SectionRow(index: usize, row: SectionInput, errors: ReadSignal<FormErrors>) -> impl IntoView {
    let (preview, set_preview) = signal(None::<String>);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    // Debounced: the preview is asked for once typing pauses.
    let on_input = move |event: leptos::ev::Event| {
        let text = event_target_value(&event);
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                leptos::task::spawn_local(async move {
                    if text.trim().is_empty() {
                        set_preview.set(None);
                    } else if let Ok(html) = crate::api::admin::preview_markdown(text).await {
                        set_preview.set(Some(html));
                    }
                })
            },
            std::time::Duration::from_millis(300),
        )
        .ok();
        pending.set_value(handle);
    };
    let body_name = field::section("body", index);
    let body_id = format!("field-{body_name}");
    let invalid = {
        let name = body_name.clone();
        move || errors.with(|e| e.contains_key(&name)).then_some("true")
    };
    view! {
        <div class="section-row grid gap-3 lg:grid-cols-2">
            <div class="space-y-2">
                <TextInput label=format!("Section {} heading", index + 1) name=field::section("heading", index) value=row.heading errors />
                <div>
                    <label for=body_id.clone() class="block text-sm font-medium text-slate-700">{format!("Section {} text (Markdown)", index + 1)}</label>
                    <textarea id=body_id name=body_name.clone() rows=6 on:input=on_input aria-invalid=invalid
                        aria-describedby=format!("{body_name}-error")
                        class="mt-1 w-full rounded border border-slate-300 px-3 py-2 font-mono text-sm">{row.body}</textarea>
                    <FieldError errors name=body_name />
                </div>
            </div>
            {move || preview.get().map(|html| view! {
                <div class="section-preview prose prose-sm max-w-none rounded border border-dashed border-slate-300 bg-slate-50 p-3">
                    <p class="text-xs uppercase tracking-wide text-slate-500">"Preview"</p>
                    <div inner_html=html></div>
                </div>
            })}
        </div>
    }
}

/// The message beside a field, when it has one.
#[component]
fn FieldError(errors: ReadSignal<FormErrors>, #[prop(into)] name: String) -> impl IntoView {
    let id = format!("{name}-error");
    move || {
        errors.with(|e| {
            e.get(&name).map(|error| {
                let text = if name == field::PAY_TRANSPARENCY {
                    "Publishing is blocked by the pay-transparency rules above: fix them, or save as a draft.".to_owned()
                } else {
                    error.to_string()
                };
                view! { <p id=id.clone() class="field-error mt-1 text-sm text-red-700" data-field=name.clone()>{text}</p> }
            })
        })
    }
}

#[component]
fn TextInput(
    #[prop(into)] label: String,
    #[prop(into)] name: String,
    #[prop(into)] value: String,
    errors: ReadSignal<FormErrors>,
    #[prop(optional)] kind: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let invalid = {
        let name = name.clone();
        move || errors.with(|e| e.contains_key(&name)).then_some("true")
    };
    view! {
        <div>
            <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
            <input id=id name=name.clone() type=kind.unwrap_or("text") value=value aria-invalid=invalid
                aria-describedby=format!("{name}-error")
                class="mt-1 w-full rounded border border-slate-300 px-3 py-2 aria-[invalid=true]:border-red-500" />
            {hint.map(|hint| view! { <p class="mt-1 text-xs text-slate-500">{hint}</p> })}
            <FieldError errors name />
        </div>
    }
}

#[component]
fn TextArea(
    #[prop(into)] label: String,
    #[prop(into)] name: String,
    #[prop(into)] value: String,
    errors: ReadSignal<FormErrors>,
    rows: u32,
) -> impl IntoView {
    let id = format!("field-{name}");
    view! {
        <div>
            <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
            <textarea id=id name=name.clone() rows=rows aria-describedby=format!("{name}-error")
                class="mt-1 w-full rounded border border-slate-300 px-3 py-2 text-sm">{value}</textarea>
            <FieldError errors name />
        </div>
    }
}

#[component]
fn Select(
    #[prop(into)] label: String,
    #[prop(into)] name: String,
    options: Vec<(String, String)>,
    #[prop(into)] selected: String,
    errors: ReadSignal<FormErrors>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let options = options
        .into_iter()
        .map(|(value, text)| {
            let is_selected = value == selected;
            view! { <option value=value selected=is_selected>{text}</option> }
        })
        .collect_view();
    view! {
        <div>
            <label for=id.clone() class="block text-sm font-medium text-slate-700">{label}</label>
            <select id=id name=name.clone() aria-describedby=format!("{name}-error")
                class="mt-1 w-full rounded border border-slate-300 bg-white px-3 py-2">{options}</select>
            <FieldError errors name />
        </div>
    }
}
