//! Structured data for search engines: schema.org `JobPosting` as JSON-LD. Every value comes from the
//! same `JobDetail` the page shows.

use serde_json::{Value, json};

use super::job::JobDetail;
use super::location::WorkMode;

/// The schema.org `JobPosting` for a posting.
pub fn job_posting(job: &JobDetail) -> Value {
    let card = &job.card;
    let description: String = job
        .sections
        .iter()
        .map(|section| format!("<h2>{}</h2>{}", escape_html(&section.heading), section.html))
        .collect();
    let mut posting = json!({
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": card.title,
        "description": description,
        "identifier": {
            "@type": "PropertyValue",
            "name": card.company.name,
            "value": card.id.to_string(),
        },
        "datePosted": card.posted_at.to_string(),
        "validThrough": format!("{}T23:59:59Z", card.valid_through),
        "employmentType": card.employment_type.schema_org(),
        "hiringOrganization": organization(job),
        // True exactly when candidates apply on this site.
        "directApply": job.applies_on_site,
        "jobLocation": card.locations.iter().map(|location| json!({
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "addressLocality": location.city,
                "addressRegion": location.region,
                "addressCountry": location.country,
            },
        })).collect::<Vec<_>>(),
    });
    let fully_remote = !card.locations.is_empty() && card.locations.iter().all(|l| l.work_mode == WorkMode::Remote);
    if fully_remote {
        posting["jobLocationType"] = json!("TELECOMMUTE");
        let requirements: Vec<Value> = card
            .locations
            .iter()
            .filter_map(|l| l.applicant_location_requirement.as_deref())
            .map(|country| json!({ "@type": "Country", "name": country }))
            .collect();
        if !requirements.is_empty() {
            posting["applicantLocationRequirements"] = json!(requirements);
        }
    }
    if let Some(pay) = &card.pay {
        posting["baseSalary"] = json!({
            "@type": "MonetaryAmount",
            "currency": pay.currency().as_str(),
            "value": {
                "@type": "QuantitativeValue",
                "minValue": minor_to_number(pay.min_minor()),
                "maxValue": minor_to_number(pay.max_minor()),
                "unitText": pay.unit().code(),
            },
        });
    }
    posting
}

fn organization(job: &JobDetail) -> Value {
    let mut organization = json!({ "@type": "Organization", "name": job.card.company.name });
    if let Some(website) = &job.company_website {
        organization["sameAs"] = json!(website);
    }
    organization
}

/// Whole amounts as integers, others with cents: 116000, 45.5.
fn minor_to_number(minor: i64) -> Value {
    if minor % 100 == 0 { json!(minor / 100) } else { json!(minor as f64 / 100.0) }
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Serialises JSON for a `<script type="application/ld+json">` element: `<`, `>` and `&` are written
/// as `\u003c` etc., so no value can close the script element.
pub fn to_script_json(value: &Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::job::{CompanyRef, JobCard, JobStatus, Section};
    use crate::domain::{Currency, EmploymentType, ExperienceLevel, Location, Pay, PayUnit};
    use chrono::NaiveDate;

    fn detail(mode: WorkMode, pay: Option<Pay>) -> JobDetail {
        let mut location = Location::new("San Jose", "CA", "US", mode).expect("location");
        location.applicant_location_requirement = Some("US".into());
        JobDetail {
            card: JobCard {
                id: 7,
                slug: "backend".into(),
                title: "Backend </script> Engineer".into(),
                company: CompanyRef { name: "TikTok".into(), slug: "tiktok".into() },
                employment_type: EmploymentType::Internship,
                level: ExperienceLevel::Entry,
                locations: vec![location],
                pay,
                posted_at: NaiveDate::from_ymd_opt(2025, 2, 24).expect("date"),
                valid_through: NaiveDate::from_ymd_opt(2025, 4, 6).expect("date"),
            },
            status: JobStatus::Published,
            apply_url: None,
            apply_email: None,
            applies_on_site: false,
            company_id: 1,
            company_about: String::new(),
            company_website: Some("https://www.tiktok.com".into()),
            application_limit: Some(2),
            pay_location: None,
            sections: vec![Section { heading: "Duties".into(), html: "<p>Build</p>".into() }],
            benefits: vec![],
            skills: vec![],
            legal_notices: vec![],
            career_step: None,
            today: NaiveDate::from_ymd_opt(2025, 2, 27).expect("date"),
            market_estimate: None,
            career_path_id: None,
            more_from_company: vec![],
            similar: vec![],
            closed_on: None,
        }
    }

    fn round_trip(job: &JobDetail) -> Value {
        serde_json::from_str(&to_script_json(&job_posting(job))).expect("valid JSON")
    }

    #[test]
    fn direct_apply_says_whether_the_site_takes_the_applications() {
        let mut job = detail(WorkMode::Hybrid, None);
        assert_eq!(job_posting(&job)["directApply"], serde_json::json!(false));
        job.applies_on_site = true;
        assert_eq!(job_posting(&job)["directApply"], serde_json::json!(true));
    }

    #[test]
    fn every_field_matches_the_posting() {
        let pay = Pay::from_whole(116_000, 177_000, Currency::usd(), PayUnit::Year).expect("pay");
        let value = round_trip(&detail(WorkMode::Remote, Some(pay)));
        assert_eq!(value["@type"], "JobPosting");
        assert_eq!(value["title"], "Backend </script> Engineer");
        assert_eq!(value["datePosted"], "2025-02-24");
        assert_eq!(value["validThrough"], "2025-04-06T23:59:59Z");
        assert_eq!(value["employmentType"], "INTERN");
        assert_eq!(value["hiringOrganization"]["name"], "TikTok");
        assert_eq!(value["hiringOrganization"]["sameAs"], "https://www.tiktok.com");
        assert_eq!(value["identifier"]["value"], "7");
        let address = &value["jobLocation"][0]["address"];
        assert_eq!(address["@type"], "PostalAddress");
        assert_eq!(address["addressLocality"], "San Jose");
        assert_eq!(address["addressRegion"], "CA");
        assert_eq!(address["addressCountry"], "US");
        assert_eq!(value["jobLocationType"], "TELECOMMUTE");
        assert_eq!(value["applicantLocationRequirements"][0]["name"], "US");
        let salary = &value["baseSalary"];
        assert_eq!(salary["@type"], "MonetaryAmount");
        assert_eq!(salary["currency"], "USD");
        assert_eq!(salary["value"]["minValue"], 116_000);
        assert_eq!(salary["value"]["maxValue"], 177_000);
        assert_eq!(salary["value"]["unitText"], "YEAR");
        assert_eq!(value["description"], "<h2>Duties</h2><p>Build</p>");
    }

    #[test]
    fn telecommute_and_salary_are_absent_when_they_must_be() {
        let value = round_trip(&detail(WorkMode::Hybrid, None));
        assert!(value.get("jobLocationType").is_none());
        assert!(value.get("applicantLocationRequirements").is_none());
        assert!(value.get("baseSalary").is_none());
    }

    #[test]
    fn hourly_cents_are_kept() {
        let pay = Pay::new(4550, 6000, Currency::usd(), PayUnit::Hour).expect("pay");
        let value = round_trip(&detail(WorkMode::Onsite, Some(pay)));
        assert_eq!(value["baseSalary"]["value"]["minValue"], 45.5);
        assert_eq!(value["baseSalary"]["value"]["maxValue"], 60);
        assert_eq!(value["baseSalary"]["value"]["unitText"], "HOUR");
    }

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let text = to_script_json(&job_posting(&detail(WorkMode::Onsite, None)));
        assert!(!text.contains("</script>"));
        assert!(!text.contains('<'));
    }
}
