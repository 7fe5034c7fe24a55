/* Authentication of requests: browser sessions and API tokens. The HTTP layer
 * calls these before every handler; login/logout and token management live in
 * sessions.c / tokens.c (see their headers). */
#ifndef VG_AUTH_AUTH_H
#define VG_AUTH_AUTH_H

#include "auth/actor.h"
#include "core/err.h"
#include "store/store.h"

#define VG_SESSION_COOKIE "vigie_session"
#define VG_CSRF_HEADER "X-CSRF-Token"

/* Resolve a session cookie value: valid, unexpired (absolute and idle
 * lifetime), user enabled. Fills actor (method VG_AUTH_SESSION, csrf_token)
 * and refreshes last_seen. VG_ERR_AUTH when not valid. */
vg_err vg_auth_session(vg_db *db, const char *cookie_value, int64_t idle_s, vg_actor *out, vg_diag *d);

/* Resolve "Authorization: Bearer <token>": known hash, not revoked, not
 * expired, user enabled. Fills actor (method VG_AUTH_TOKEN, read_only).
 * VG_ERR_AUTH when not valid. */
vg_err vg_auth_bearer(vg_db *db, const char *token, vg_actor *out, vg_diag *d);

/* Constant-time string comparison (CSRF tokens). */
bool vg_auth_token_equal(const char *a, const char *b);

#endif
