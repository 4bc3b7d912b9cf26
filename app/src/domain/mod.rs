//! Plain Rust types and rules of the job board. No leptos, sqlx, axum or tokio here: this module compiles
//! to wasm, so the browser and the server run the same rules.

pub mod admin;
pub mod alert;
pub mod benefits;
pub mod candidate;
pub mod career;
pub mod company;
pub mod email;
pub mod filter;
pub mod job;
pub mod legal_notices;
pub mod location;
pub mod mail;
pub mod pay;
pub mod pay_transparency;
pub mod posting_form;
pub mod seo;
pub mod text;

pub use benefits::{Benefit, BenefitGroup};
pub use career::{AlertError, AlertRequest, CareerPath, CareerPathPage, CareerStep, ObservedPay, StepExample};
pub use company::{CompanyProfile, NewCompany};
pub use email::{EmailAddress, EmailError};
pub use filter::JobFilter;
pub use job::{
    EmploymentType, ExperienceLevel, JobCard, JobDetail, JobStatus, LegalNotice, MarketEstimate, NewJob, NewSection,
    PostingParts, Section,
};
pub use location::{Location, WorkMode};
pub use pay::{Currency, Pay, PayUnit};
pub use posting_form::{FieldError, FormErrors, PostingForm, ValidPosting};
