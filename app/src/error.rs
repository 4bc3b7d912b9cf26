//! The app's one error type at the boundary: what a page or API caller may see, with a status code.
//! Causes are logged on the server, never sent to the client.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// An error a server function or page can answer with.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize, Deserialize)]
pub enum AppError {
    /// The thing asked for does not exist (or is not public).
    #[error("not found")]
    NotFound,
    /// The request was malformed; the message says how, in words fit for the person.
    #[error("{0}")]
    BadRequest(String),
    /// The request needs a signed-in admin.
    #[error("sign in to continue")]
    Unauthorized,
    /// The request was refused (a cross-site request, a bad form token).
    #[error("this request was refused")]
    Forbidden,
    /// The server is overloaded or its database busy; worth retrying in a moment (503, `Retry-After`).
    #[error("the site is busy; please try again in a moment")]
    Unavailable,
    /// Something failed on the server; details are in the server's log.
    #[error("something went wrong on our side; please try again")]
    Internal,
    /// The request never reached the function, or its answer could not be read.
    #[error("the server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::NotFound => 404,
            Self::BadRequest(_) => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::Unavailable => 503,
            Self::Internal => 500,
            Self::Transport(_) => 502,
        }
    }
}

/// Seconds a client is asked to wait before retrying a 503.
pub const RETRY_AFTER_SECONDS: u32 = 2;

#[cfg(feature = "ssr")]
impl AppError {
    /// [`status`](Self::status) as an HTTP status code.
    pub fn status_code(&self) -> http::StatusCode {
        http::StatusCode::from_u16(self.status()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// A response with this error's status, the headers it calls for (`Retry-After` on a 503) and
    /// `body` of `content_type`.
    fn respond(&self, content_type: &'static str, body: String) -> axum::response::Response {
        use axum::response::IntoResponse;
        use http::header::{CONTENT_TYPE, RETRY_AFTER};
        let mut response = (self.status_code(), [(CONTENT_TYPE, content_type)], body).into_response();
        if *self == Self::Unavailable {
            response.headers_mut().insert(RETRY_AFTER, http::HeaderValue::from(RETRY_AFTER_SECONDS));
        }
        response
    }
}

/// Errors answered to a browser (a page request, a form post): a small HTML page that says what went wrong.
/// JSON endpoints answer with [`JsonError`] instead.
#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        let escape = |text: &str| text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let heading = match &self {
            Self::NotFound => "Page not found",
            Self::BadRequest(_) => "This request could not be read",
            Self::Unauthorized => "Sign in to continue",
            Self::Forbidden => "This request was refused",
            Self::Unavailable => "The site is busy",
            Self::Internal | Self::Transport(_) => "Something went wrong",
        };
        let body = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{heading} · {site}</title>\
             <link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
             <body class=\"bg-slate-50 p-8 text-slate-900\"><main class=\"mx-auto max-w-lg\">\
             <h1 class=\"text-2xl font-bold\">{heading}</h1><p class=\"mt-3\">{message}</p>\
             <p class=\"mt-3\"><a class=\"text-indigo-700 underline\" href=\"/\">Back to the jobs</a></p>\
             </main></body></html>",
            site = crate::SITE_NAME,
            stylesheet = crate::assets::stylesheet_href(),
            message = escape(&self.to_string()),
        );
        self.respond("text/html; charset=utf-8", body)
    }
}

/// An [`AppError`] answered as JSON (`{"error": "..."}`), for the API.
#[cfg(feature = "ssr")]
#[derive(Debug)]
pub struct JsonError(pub AppError);

#[cfg(feature = "ssr")]
impl axum::response::IntoResponse for JsonError {
    fn into_response(self) -> axum::response::Response {
        let body = serde_json::json!({ "error": self.0.to_string() }).to_string();
        self.0.respond("application/json", body)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::Deserialization(message) => {
                Self::BadRequest(format!("the request could not be read: {message}"))
            }
            ServerFnErrorErr::MissingArg(message) => Self::BadRequest(format!("missing argument: {message}")),
            ServerFnErrorErr::ServerError(_) | ServerFnErrorErr::Serialization(_) => Self::Internal,
            other => Self::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::db::Error> for AppError {
    fn from(error: crate::db::Error) -> Self {
        use crate::db::Error;
        match error {
            Error::NotFound => Self::NotFound,
            Error::Busy => {
                tracing::warn!("database busy: answered 503");
                Self::Unavailable
            }
            Error::Conflict { field } => Self::BadRequest(format!("the {field} given is already taken or not allowed")),
            Error::Invalid(message) => Self::BadRequest(message),
            Error::Other(message) => {
                tracing::error!(error = %message, "database error");
                Self::Internal
            }
        }
    }
}
