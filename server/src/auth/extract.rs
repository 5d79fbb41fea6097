//! Authentication and role guards as axum extractors.
//!
//! - [`Caller`]: the authenticated device and user (`Authorization: Bearer <token>`); a
//!   missing, malformed, unknown or revoked token is a 401 with the JSON error body, and a
//!   device over `--max-requests-per-minute` (every authenticated route counts) a 429.
//! - [`RequireRole<R>`]: a [`Caller`] whose role is at least `R` ([`Supervisor`] or
//!   [`Admin`]); anyone else known gets a 403 naming the role needed. For routes added on
//!   other branches: `async fn export(RequireRole(caller): RequireRole<Supervisor>, ...)`.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use fieldsync_schema::Role;

use super::Identity;
use crate::error::ApiError;
use crate::state::AppState;

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller(pub Identity);

/// The bearer token of `parts`, or the 401 explaining what is wrong with the header.
fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Err(ApiError::Unauthenticated(
            "this request needs a device token: send `Authorization: Bearer <token>` (enrol \
             the device with `fieldsync init --enrol CODE` or `fieldsync enrol CODE`)"
                .into(),
        ));
    };
    // The scheme is case-insensitive (RFC 9110 §11.1): `bearer` and `BEARER` work too.
    value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(token)
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthenticated("the Authorization header must be `Bearer <token>`".into())
        })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?.to_owned();
        let found = state
            .run(move |store| Ok(store.authenticate(&token)?))
            .await?;
        let identity = found.ok_or_else(|| {
            ApiError::Unauthenticated(
                "the device token is unknown or was revoked: ask an admin for a new enrolment \
                 code; data on the device is kept"
                    .into(),
            )
        })?;
        rate_limit(state, &identity)?;
        Ok(Caller(identity))
    }
}

/// Takes one of the device's requests for this minute (`--max-requests-per-minute`), keyed
/// by the authenticated device, not an id the body claims, and before the body is read.
///
/// # Errors
/// [`ApiError::TooManyRequests`] with the seconds until the next request is allowed.
fn rate_limit(state: &AppState, caller: &Identity) -> Result<(), ApiError> {
    let limiter = state.rate_limiter();
    limiter
        .check(&caller.device, std::time::Instant::now())
        .map_err(|wait| ApiError::TooManyRequests {
            message: format!(
                "device {} made more than {} requests in a minute \
                 (--max-requests-per-minute); retry in {} s",
                caller.device,
                limiter.per_minute(),
                wait.as_secs()
            ),
            retry_after: wait.as_secs(),
        })
}

/// The least role a [`RequireRole`] accepts.
pub trait RoleBound: Send + Sync + 'static {
    /// The role's name, for the 403 message.
    const NAME: &'static str;
    /// True when `role` is at least this one.
    fn allows(role: Role) -> bool;
}

/// Supervisors and admins.
#[derive(Debug, Clone, Copy)]
pub struct Supervisor;

impl RoleBound for Supervisor {
    const NAME: &'static str = "supervisor";
    fn allows(role: Role) -> bool {
        role.may_decide()
    }
}

/// Admins only.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl RoleBound for Admin {
    const NAME: &'static str = "admin";
    fn allows(role: Role) -> bool {
        role == Role::Admin
    }
}

/// A [`Caller`] whose role is at least `R`; 401 without a valid token, 403 for a lesser role.
#[derive(Debug, Clone)]
pub struct RequireRole<R: RoleBound>(pub Identity, PhantomData<R>);

impl<R: RoleBound> FromRequestParts<AppState> for RequireRole<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Caller(identity) = Caller::from_request_parts(parts, state).await?;
        if !R::allows(identity.role) {
            return Err(ApiError::Forbidden {
                message: format!(
                    "{} {:?} is {} {}: this needs the {} role",
                    "user",
                    identity.user,
                    if identity.role == Role::Inspector {
                        "an"
                    } else {
                        "a"
                    },
                    identity.role.as_str(),
                    R::NAME
                ),
                check: None,
            });
        }
        Ok(Self(identity, PhantomData))
    }
}
