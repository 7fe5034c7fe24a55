/* Browser sessions: login (password check, throttle, new session with a
 * random cookie stored as SHA-256 and a CSRF token), logout, and purging of
 * expired sessions. Resolving a cookie is vg_auth_session (auth/auth.h). */
#ifndef VG_AUTH_SESSIONS_H
#define VG_AUTH_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/password.h"
#include "auth/throttle.h"
#include "auth/users.h"
#include "core/err.h"
#include "store/store.h"

/* Cookie value: base64url of 32 random bytes. CSRF token: of 16 bytes. */
#define VG_SESSION_COOKIE_SIZE (VG_B64URL_LEN(32) + 1)
#define VG_CSRF_SIZE (VG_B64URL_LEN(16) + 1)

typedef struct vg_login_result {
	/* on success */
	char cookie[VG_SESSION_COOKIE_SIZE];
	char csrf_token[VG_CSRF_SIZE];
	int64_t session_id;
	int64_t expires_at;        /* ms */
	vg_user user;
	/* always: why it failed, for the audit entry: "", "unknown_user",
	 * "bad_password", "disabled", "throttled" */
	const char *reason;
	int64_t user_id;           /* the account concerned when known (0 otherwise) */
	int64_t retry_after_s;     /* when VG_ERR_THROTTLED */
} vg_login_result;

/* Check the throttle (per account "u:<username>" and per address "a:<ip>"),
 * the password and the account; on success create a session valid ttl_s
 * seconds. Errors: VG_ERR_THROTTLED (retry_after_s), VG_ERR_AUTH with the
 * generic message "invalid username or password" (unknown user, wrong password,
 * disabled account alike). throttle may be NULL. Does not audit. */
vg_err vg_session_login(vg_db *db, vg_throttle *throttle, const char *username, const char *password,
			const char *ip, const char *user_agent, int64_t ttl_s, vg_login_result *out,
			vg_diag *d);
/* End one session / every session of a user. */
vg_err vg_session_logout(vg_db *db, int64_t session_id, vg_diag *d);
vg_err vg_session_logout_all(vg_db *db, int64_t user_id, int64_t keep_session_id, vg_diag *d);
/* Delete sessions past their absolute expiry or idle for idle_s seconds. */
vg_err vg_session_purge(vg_db *db, int64_t idle_s, int64_t *purged, vg_diag *d);

#endif
