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
            Self::Internal => 500,
            Self::Transport(_) => 502,
        }
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
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::RowNotFound => Self::NotFound,
            other => {
                tracing::error!(error = %other, "database error");
                Self::Internal
            }
        }
    }
}
