//! A deterministic generator of realistic postings: about 60 companies, 40 US metros plus remote, several
//! job families and levels, pay that fits title, level and metro (yearly or hourly, sometimes absent),
//! benefits, skills and Markdown sections. The same seed and day give the same postings.

use app::db::{self, Pool};
use app::domain::benefits::BenefitGroup;
use app::domain::text::slugify;
use app::domain::{
    Benefit, Currency, EmploymentType, ExperienceLevel, JobStatus, Location, NewCompany, NewJob, NewSection, Pay,
    PayUnit, PostingParts, WorkMode,
};
use chrono::{Days, NaiveDate};
use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::SeedError;

/// Postings per transaction when loading.
const POSTINGS_PER_TRANSACTION: usize = 5_000;

/// US metros: city, state, pay factor against the national median.
const METROS: [(&str, &str, f64); 40] = [
    ("San Jose", "CA", 1.32),
    ("San Francisco", "CA", 1.30),
    ("Fremont", "CA", 1.27),
    ("Livermore", "CA", 1.22),
    ("Los Angeles", "CA", 1.14),
    ("San Diego", "CA", 1.10),
    ("Sacramento", "CA", 1.04),
    ("Seattle", "WA", 1.20),
    ("Portland", "OR", 1.03),
    ("New York", "NY", 1.22),
    ("Boston", "MA", 1.16),
    ("Washington", "DC", 1.15),
    ("Baltimore", "MD", 1.02),
    ("Philadelphia", "PA", 1.03),
    ("Pittsburgh", "PA", 0.95),
    ("Newark", "NJ", 1.10),
    ("Chicago", "IL", 1.04),
    ("Minneapolis", "MN", 1.02),
    ("Detroit", "MI", 0.96),
    ("Columbus", "OH", 0.95),
    ("Cleveland", "OH", 0.92),
    ("Indianapolis", "IN", 0.93),
    ("Milwaukee", "WI", 0.94),
    ("St. Louis", "MO", 0.93),
    ("Kansas City", "MO", 0.94),
    ("Denver", "CO", 1.06),
    ("Salt Lake City", "UT", 0.99),
    ("Phoenix", "AZ", 0.98),
    ("Las Vegas", "NV", 0.95),
    ("Austin", "TX", 1.05),
    ("Dallas", "TX", 1.01),
    ("Houston", "TX", 1.00),
    ("San Antonio", "TX", 0.91),
    ("Atlanta", "GA", 1.00),
    ("Miami", "FL", 0.98),
    ("Orlando", "FL", 0.92),
    ("Tampa", "FL", 0.93),
    ("Charlotte", "NC", 0.97),
    ("Raleigh", "NC", 0.99),
    ("Nashville", "TN", 0.96),
];

const COMPANY_STEMS: [&str; 12] = [
    "Northwind",
    "Bluepeak",
    "Cobalt",
    "Evergreen",
    "Harborview",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "Orchard",
    "Quartzline",
];

/// Company name suffixes with the job families such a company hires most.
const COMPANY_KINDS: [(&str, &[usize]); 5] = [
    ("Labs", &[0, 1, 2, 3, 4]),
    ("Health", &[5, 6, 2, 3]),
    ("Logistics", &[7, 8, 2, 0]),
    ("Financial", &[9, 2, 0, 4]),
    ("Retail", &[8, 10, 4, 7]),
];

/// A job family: titles by level, national median annual base by level, whether pay is hourly, skills,
/// duties, and the career path its entry-level postings belong to.
struct Family {
    name: &'static str,
    titles: [&'static str; 4],
    median_annual: [f64; 4],
    hourly: bool,
    skills: &'static [&'static str],
    duties: &'static [&'static str],
    /// The career path (from the brief's seed) and its step for each level, where the family has one.
    career_steps: Option<(&'static str, [&'static str; 4])>,
}

/// The backend ladder of the brief's career path, by level.
const BACKEND_LADDER: (&str, [&str; 4]) = (
    "backend-software-engineering",
    [
        "backend-software-engineer-i",
        "backend-software-engineer-ii",
        "senior-backend-software-engineer",
        "staff-backend-software-engineer",
    ],
);

const FAMILIES: [Family; 11] = [
    Family {
        name: "Backend engineering",
        titles: [
            "Backend Software Engineer I",
            "Backend Software Engineer II",
            "Senior Backend Engineer",
            "Staff Backend Engineer",
        ],
        median_annual: [98_000.0, 124_000.0, 152_000.0, 185_000.0],
        hourly: false,
        skills: &[
            "Rust",
            "Go",
            "Java",
            "Python",
            "PostgreSQL",
            "Kafka",
            "Kubernetes",
            "AWS",
            "gRPC",
            "Distributed systems",
        ],
        duties: &[
            "Design and build services and APIs",
            "Own reliability and on-call for your services",
            "Review code and mentor teammates",
            "Improve performance of hot paths",
        ],
        career_steps: Some(BACKEND_LADDER),
    },
    Family {
        name: "Frontend engineering",
        titles: ["Frontend Engineer I", "Frontend Engineer II", "Senior Frontend Engineer", "Staff Frontend Engineer"],
        median_annual: [92_000.0, 118_000.0, 145_000.0, 178_000.0],
        hourly: false,
        skills: &["TypeScript", "React", "CSS", "Accessibility", "Web performance", "GraphQL"],
        duties: &[
            "Build accessible, fast user interfaces",
            "Work with designers on new features",
            "Keep the design system healthy",
            "Measure and improve page speed",
        ],
        career_steps: None,
    },
    Family {
        name: "Data",
        titles: ["Data Analyst", "Data Engineer", "Senior Data Scientist", "Principal Data Scientist"],
        median_annual: [78_000.0, 112_000.0, 148_000.0, 182_000.0],
        hourly: false,
        skills: &["SQL", "Python", "Spark", "dbt", "Statistics", "Tableau", "Airflow"],
        duties: &[
            "Build and maintain data pipelines",
            "Answer product questions with data",
            "Design experiments and read their results",
            "Present findings to leadership",
        ],
        career_steps: None,
    },
    Family {
        name: "Product management",
        titles: ["Associate Product Manager", "Product Manager", "Senior Product Manager", "Group Product Manager"],
        median_annual: [95_000.0, 128_000.0, 158_000.0, 190_000.0],
        hourly: false,
        skills: &["Roadmapping", "User research", "SQL", "Stakeholder management", "Experimentation"],
        duties: &[
            "Set the roadmap for your area",
            "Talk to customers every week",
            "Write clear product requirements",
            "Decide what not to build",
        ],
        career_steps: None,
    },
    Family {
        name: "Design",
        titles: ["Junior Product Designer", "Product Designer", "Senior Product Designer", "Principal Designer"],
        median_annual: [75_000.0, 105_000.0, 135_000.0, 165_000.0],
        hourly: false,
        skills: &["Figma", "Prototyping", "User research", "Design systems", "Accessibility"],
        duties: &[
            "Design end-to-end product flows",
            "Run usability tests",
            "Contribute to the design system",
            "Partner with engineers through launch",
        ],
        career_steps: None,
    },
    Family {
        name: "Nursing",
        titles: ["Registered Nurse - New Graduate", "Registered Nurse", "Senior Registered Nurse", "Nurse Manager"],
        median_annual: [72_000.0, 88_000.0, 102_000.0, 125_000.0],
        hourly: true,
        skills: &[
            "Patient care",
            "BLS certification",
            "ACLS certification",
            "Electronic health records",
            "Care planning",
        ],
        duties: &[
            "Assess patients and plan their care",
            "Give medication and treatments",
            "Educate patients and families",
            "Coordinate with physicians and therapists",
        ],
        career_steps: None,
    },
    Family {
        name: "Medical assistance",
        titles: ["Medical Assistant", "Certified Medical Assistant", "Lead Medical Assistant", "Clinic Supervisor"],
        median_annual: [38_000.0, 43_000.0, 49_000.0, 62_000.0],
        hourly: true,
        skills: &["Patient intake", "Phlebotomy", "Scheduling", "Electronic health records"],
        duties: &[
            "Room patients and take vital signs",
            "Assist providers during exams",
            "Keep records accurate",
            "Keep the clinic stocked",
        ],
        career_steps: None,
    },
    Family {
        name: "Warehouse and logistics",
        titles: ["Warehouse Associate", "Forklift Operator", "Warehouse Team Lead", "Distribution Center Supervisor"],
        median_annual: [36_000.0, 42_000.0, 50_000.0, 66_000.0],
        hourly: true,
        skills: &["Forklift certification", "Inventory", "Shipping and receiving", "Safety"],
        duties: &[
            "Pick, pack and ship orders",
            "Load and unload trucks safely",
            "Keep inventory counts accurate",
            "Follow safety procedures",
        ],
        career_steps: None,
    },
    Family {
        name: "Customer support",
        titles: [
            "Customer Support Representative",
            "Customer Support Specialist",
            "Senior Support Specialist",
            "Support Team Manager",
        ],
        median_annual: [38_000.0, 46_000.0, 55_000.0, 72_000.0],
        hourly: true,
        skills: &["Customer service", "Zendesk", "Written communication", "Troubleshooting"],
        duties: &[
            "Answer customers by chat, e-mail and phone",
            "Solve problems on the first contact",
            "Write help-center articles",
            "Pass product feedback to the team",
        ],
        career_steps: None,
    },
    Family {
        name: "Finance",
        titles: ["Staff Accountant", "Financial Analyst", "Senior Financial Analyst", "Finance Manager"],
        median_annual: [62_000.0, 80_000.0, 98_000.0, 128_000.0],
        hourly: false,
        skills: &["Excel", "Financial modeling", "GAAP", "Forecasting", "NetSuite"],
        duties: &["Close the books each month", "Build forecasts and budgets", "Analyse variances", "Support audits"],
        career_steps: None,
    },
    Family {
        name: "Sales",
        titles: ["Sales Development Representative", "Account Executive", "Senior Account Executive", "Sales Director"],
        median_annual: [55_000.0, 82_000.0, 110_000.0, 150_000.0],
        hourly: false,
        skills: &["Prospecting", "Salesforce", "Negotiation", "Account management"],
        duties: &[
            "Find and qualify new customers",
            "Run demos and close deals",
            "Grow existing accounts",
            "Forecast your pipeline",
        ],
        career_steps: None,
    },
];

const LEVELS: [ExperienceLevel; 4] =
    [ExperienceLevel::Entry, ExperienceLevel::Mid, ExperienceLevel::Senior, ExperienceLevel::Staff];

const TEAMS: [&str; 8] = ["Payments", "Search", "Platform", "Growth", "Core", "Mobile", "Infrastructure", "Operations"];

/// Builds postings deterministically from a seed and the day they are generated for.
pub struct Generator {
    rng: ChaCha8Rng,
    today: NaiveDate,
    /// Whether the brief's career path is loaded, so postings may point at its steps.
    career_paths: bool,
}

impl Generator {
    /// A generator for `seed`; dates are spread over the days before `today`.
    pub fn new(seed: u64, today: NaiveDate) -> Self {
        Self { rng: ChaCha8Rng::seed_from_u64(seed), today, career_paths: true }
    }

    /// Leaves career steps out (when the career paths are not in the database).
    pub fn without_career_paths(mut self) -> Self {
        self.career_paths = false;
        self
    }

    /// The 60 generated companies (12 stems x 5 kinds).
    pub fn companies() -> Vec<NewCompany> {
        COMPANY_STEMS
            .iter()
            .flat_map(|stem| {
                COMPANY_KINDS.iter().map(move |(kind, _)| {
                    let name = format!("{stem} {kind}");
                    NewCompany {
                        slug: slugify(&name),
                        about: format!(
                            "{name} is a {} company with teams across the United States.",
                            kind.to_ascii_lowercase()
                        ),
                        website: Some(format!("https://{}.example", slugify(stem))),
                        application_limit: None,
                        name,
                    }
                })
            })
            .collect()
    }

    /// The parts of the next posting (checked by [`NewJob::new`] when stored).
    pub fn posting(&mut self) -> PostingParts {
        let rng = &mut self.rng;
        let stem = rng.random_range(0..COMPANY_STEMS.len());
        let kind = rng.random_range(0..COMPANY_KINDS.len());
        let (kind_name, families) = COMPANY_KINDS[kind];
        let family_index = *families.choose(rng).unwrap_or(&0);
        let family = &FAMILIES[family_index];
        let level_index = match rng.random_range(0..100) {
            0..=29 => 0,
            30..=64 => 1,
            65..=89 => 2,
            _ => 3,
        };
        let level = LEVELS[level_index];
        let team = (!family.hourly && rng.random_bool(0.5)).then(|| TEAMS[rng.random_range(0..TEAMS.len())]);
        let title = match team {
            Some(team) => format!("{} - {team}", family.titles[level_index]),
            None => family.titles[level_index].to_owned(),
        };

        let (city, region, factor) = METROS[rng.random_range(0..METROS.len())];
        let remote_ok = !family.hourly;
        let work_mode = match rng.random_range(0..100) {
            0..=11 if remote_ok => WorkMode::Remote,
            12..=29 if remote_ok => WorkMode::Hybrid,
            _ => WorkMode::Onsite,
        };
        let mut location = Location {
            city: city.to_owned(),
            region: region.to_owned(),
            country: "US".to_owned(),
            work_mode,
            applicant_location_requirement: None,
        };
        if work_mode == WorkMode::Remote {
            location.applicant_location_requirement = Some("US".to_owned());
        }
        let mut locations = vec![location];
        if rng.random_bool(0.08) {
            let (city2, region2, _) = METROS[rng.random_range(0..METROS.len())];
            if city2 != city {
                locations.push(Location {
                    city: city2.to_owned(),
                    region: region2.to_owned(),
                    country: "US".to_owned(),
                    work_mode: WorkMode::Onsite,
                    applicant_location_requirement: None,
                });
            }
        }

        let employment_type = if family.hourly {
            match rng.random_range(0..100) {
                0..=64 => EmploymentType::FullTime,
                65..=84 => EmploymentType::PartTime,
                85..=94 => EmploymentType::Temporary,
                _ => EmploymentType::Contract,
            }
        } else if level == ExperienceLevel::Entry && rng.random_bool(0.15) {
            EmploymentType::Internship
        } else if rng.random_bool(0.08) {
            EmploymentType::Contract
        } else {
            EmploymentType::FullTime
        };

        // About one posting in seven gives no pay.
        let pay = (!rng.random_bool(0.14)).then(|| {
            let annual = family.median_annual[level_index] * factor * rng.random_range(0.9..1.1);
            let spread = rng.random_range(0.10..0.25);
            if family.hourly {
                let hourly = annual / 2080.0;
                let min_cents = ((hourly * (1.0 - spread / 2.0)) * 2.0).round() as i64 * 50;
                let max_cents = ((hourly * (1.0 + spread / 2.0)) * 2.0).round() as i64 * 50;
                Pay::new(min_cents.max(100), max_cents.max(min_cents.max(100)), Currency::usd(), PayUnit::Hour)
            } else {
                let min = ((annual * (1.0 - spread / 2.0)) / 1000.0).round() as i64 * 1000;
                let max = ((annual * (1.0 + spread / 2.0)) / 1000.0).round() as i64 * 1000;
                Pay::from_whole(min.max(1000), max.max(min.max(1000)), Currency::usd(), PayUnit::Year)
            }
        });
        let pay = pay.and_then(Result::ok);

        let age_days = rng.random_range(0..45u64);
        let posted_at = self.today - Days::new(age_days);
        let open_days = rng.random_range(21..61u64);
        let valid_through = posted_at + Days::new(open_days);
        let status = if rng.random_bool(0.04) { JobStatus::Closed } else { JobStatus::Published };

        let company_name = format!("{} {kind_name}", COMPANY_STEMS[stem]);
        let mut skills: Vec<String> = family.skills.choose_multiple(rng, 4).map(|s| (*s).to_owned()).collect();
        skills.sort();
        let duties: Vec<&str> = family.duties.choose_multiple(rng, 3).copied().collect();
        let sections = vec![
            NewSection {
                heading: "About the role".to_owned(),
                body_markdown: format!(
                    "{company_name} is hiring a **{title}** to join our {} team in {city}, {region}. \
                     You will work with a small group of colleagues who care about doing things well.",
                    family.name.to_ascii_lowercase()
                ),
            },
            NewSection {
                heading: "What you will do".to_owned(),
                body_markdown: duties.iter().map(|d| format!("- {d}\n")).collect(),
            },
            NewSection {
                heading: "What you bring".to_owned(),
                body_markdown: skills.iter().map(|s| format!("- Experience with {s}\n")).collect(),
            },
        ];

        let benefits = self.benefits();
        PostingParts {
            title,
            company_slug: slugify(&company_name),
            employment_type,
            level,
            status,
            posted_at,
            valid_through,
            apply_url: Some(format!("https://{}.example/careers", slugify(COMPANY_STEMS[stem]))),
            apply_email: None,
            applies_on_site: false,
            pay_location: pay.as_ref().map(|_| 0),
            locations,
            pay,
            sections,
            benefits,
            skills,
            career_step: family
                .career_steps
                .filter(|_| self.career_paths)
                .map(|(path, steps)| (path.to_owned(), steps[level_index].to_owned())),
            legal_notices: Vec::new(),
        }
    }

    fn benefits(&mut self) -> Vec<Benefit> {
        let rng = &mut self.rng;
        let mut benefits = Vec::new();
        let mut add = |group, kind: &str, days: Option<u16>| {
            if let Ok(benefit) = Benefit::new(group, kind, days, None) {
                benefits.push(benefit);
            }
        };
        add(BenefitGroup::Health, "Medical insurance", None);
        if rng.random_bool(0.8) {
            add(BenefitGroup::Health, "Dental insurance", None);
            add(BenefitGroup::Health, "Vision insurance", None);
        }
        if rng.random_bool(0.7) {
            add(BenefitGroup::Money, "401(k) with company match", None);
        }
        if rng.random_bool(0.4) {
            add(BenefitGroup::Leave, "Paid parental leave", None);
        }
        add(BenefitGroup::TimeOff, "Paid holidays", Some(rng.random_range(8..13)));
        add(BenefitGroup::TimeOff, "Paid time off", Some(rng.random_range(10..26)));
        benefits
    }
}

/// Adds `count` generated postings (and the generated companies, when missing), in transactions of
/// [`POSTINGS_PER_TRANSACTION`], with a progress bar when `show_progress`.
pub async fn generate_postings(pool: &Pool, count: usize, seed: u64, show_progress: bool) -> Result<(), SeedError> {
    let today = chrono::Utc::now().date_naive();
    let mut tx = db::Transaction::begin(pool).await?;
    for company in Generator::companies() {
        db::upsert_company(&mut tx, &company).await?;
    }
    tx.commit().await?;

    let progress = if show_progress {
        let bar = ProgressBar::new(count as u64);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} postings ({per_sec}, {eta} left)") {
            bar.set_style(style);
        }
        bar
    } else {
        ProgressBar::hidden()
    };
    let mut generator = Generator::new(seed, today);
    let mut read = db::Transaction::begin(pool).await?;
    if !db::career_path_exists(&mut read, BACKEND_LADDER.0).await? {
        generator = generator.without_career_paths();
    }
    drop(read);
    let mut remaining = count;
    while remaining > 0 {
        let batch_size = remaining.min(POSTINGS_PER_TRANSACTION);
        let batch = (0..batch_size)
            .map(|_| NewJob::new(generator.posting()).map_err(|error| SeedError::Value(error.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let mut tx = db::Transaction::begin(pool).await?;
        db::insert_jobs(&mut tx, &batch).await?;
        tx.commit().await?;
        remaining -= batch_size;
        progress.inc(batch_size as u64);
    }
    progress.finish();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
    }

    #[test]
    fn the_same_seed_gives_the_same_postings() {
        let mut a = Generator::new(7, today());
        let mut b = Generator::new(7, today());
        for _ in 0..50 {
            assert_eq!(a.posting(), b.posting());
        }
    }

    #[test]
    fn generated_postings_are_valid_and_varied() {
        let mut generator = Generator::new(42, today());
        let postings: Vec<PostingParts> = (0..2_000).map(|_| generator.posting()).collect();
        for job in &postings {
            NewJob::new(job.clone()).expect("valid posting");
        }
        let hourly = postings.iter().filter(|j| j.pay.as_ref().is_some_and(|p| p.unit() == PayUnit::Hour)).count();
        let unpaid = postings.iter().filter(|j| j.pay.is_none()).count();
        let remote = postings.iter().filter(|j| j.locations[0].work_mode == WorkMode::Remote).count();
        assert!(hourly > 200, "hourly {hourly}");
        assert!(unpaid > 150 && unpaid < 500, "no pay {unpaid}");
        assert!(remote > 50, "remote {remote}");
    }

    #[test]
    fn pay_fits_level_and_metro() {
        let mut generator = Generator::new(3, today());
        for _ in 0..2_000 {
            let job = generator.posting();
            if let Some(pay) = &job.pay {
                assert!(pay.annual_min() >= 20_000 && pay.annual_max() <= 400_000, "{}: {}", job.title, pay.display());
            }
        }
    }

    #[test]
    fn there_are_sixty_companies_and_forty_metros() {
        assert_eq!(Generator::companies().len(), 60);
        assert_eq!(METROS.len(), 40);
    }
}
