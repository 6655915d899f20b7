//! Problems the server itself answers (not the vendors'): `{"errors": [{"code", "message"}]}`, the
//! shape of the ledger's own refusals, so that a client reads one shape whoever refused.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Limits;

/// A refusal by the server: a status, a stable code and a message saying why.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, message: String) -> Problem {
        Problem { status, code, message }
    }
    pub fn bad_request(code: &'static str, message: String) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub fn no_sandbox(name: &str) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "no_such_sandbox", format!("there is no sandbox `{name}`"))
    }
    pub fn conflict(message: String) -> Problem {
        Problem::new(StatusCode::CONFLICT, "sandbox_exists", message)
    }
    pub fn too_many(max: usize) -> Problem {
        Problem::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "too_many_sandboxes",
            format!("there are {max} sandboxes, the most this server keeps; delete some first"),
        )
    }
    pub fn unavailable(message: String) -> Problem {
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }
    pub fn internal(message: String) -> Problem {
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "not_saved", message)
    }
    pub fn too_large(limit: usize) -> Problem {
        Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", format!("the body is larger than {limit} bytes"))
    }
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        json_response(self.status, &json!({ "errors": [{ "code": self.code, "message": self.message }] }).to_string())
    }
}

/// A response with a JSON body given as text.
pub fn json_response(status: StatusCode, text: &str) -> Response {
    let mut response = Response::new(Body::from(text.to_owned()));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The layer that gives every refusal made by the stack (routing, extractors, the body limit, the
/// timeout) the problem shape: an error status without a JSON body gets one, keeping its text.
pub async fn fill(State(limits): State<Limits>, response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let text = axum::body::to_bytes(response.into_body(), 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let (code, default) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", "the request could not be read".to_owned()),
        StatusCode::NOT_FOUND => ("not_found", "there is nothing at this path".to_owned()),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "this path does not take this method".to_owned()),
        StatusCode::REQUEST_TIMEOUT => {
            ("request_timeout", format!("the request took longer than {} s", limits.request_timeout.as_secs()))
        }
        StatusCode::PAYLOAD_TOO_LARGE => return Problem::too_large(limits.max_body).into_response(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "send the body as JSON".to_owned()),
        StatusCode::UNPROCESSABLE_ENTITY => ("unprocessable", "the body is not what this path takes".to_owned()),
        other => ("http_error", other.canonical_reason().unwrap_or("error").to_lowercase()),
    };
    Problem::new(status, code, if text.is_empty() { default } else { text }).into_response()
}
