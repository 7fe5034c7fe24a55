/* Browser sessions: login, cookie resolution (vg_auth_session), logout. */
#include "auth/sessions.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "core/clock.h"
#include "core/log.h"

/* last_seen / last_used_at are refreshed at most this often. */
#define TOUCH_INTERVAL_MS 60000

static const char GENERIC[] = "invalid username or password";

bool vg_auth_token_equal(const char *a, const char *b)
{
	size_t n;
	if (!a || !b)
		return false;
	n = strlen(a);
	if (n == 0 || n != strlen(b))
		return false;
	return sodium_memcmp(a, b, n) == 0;
}

static void account_key(char *out, size_t outsz, const char *username)
{
	size_t i = 0, n = strlen(username);
	if (outsz < 3)
		return;
	out[0] = 'u';
	out[1] = ':';
	for (i = 0; i < n && i + 3 < outsz; i++)
		out[i + 2] = (char)tolower((unsigned char)username[i]);
	out[i + 2] = '\0';
}

/* The id, hash and state of an account by name; *found false when absent. */
static vg_err load_credentials(vg_db *db, const char *username, int64_t *id, char *hash, size_t hashsz,
			       bool *disabled, bool *found, vg_diag *d)
{
	vg_stmt *st;
	int rc;
	vg_err e = vg_db_prepare(db, "SELECT id, password_hash, disabled FROM users WHERE username = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_text(st, 1, username, -1);
	rc = vg_stmt_step(st, d);
	*found = rc == VG_ROW;
	if (*found) {
		*id = vg_stmt_int(st, 0);
		snprintf(hash, hashsz, "%s", vg_stmt_text(st, 1));
		*disabled = vg_stmt_int(st, 2) != 0;
	}
	vg_stmt_done(st);
	return rc < 0 ? (vg_err)-rc : VG_OK;
}

static vg_err insert_session(vg_db *db, int64_t user_id, const char *ip, const char *user_agent, int64_t ttl_s,
			     vg_login_result *out, vg_diag *d)
{
	uint8_t h[VG_SHA256_SIZE];
	char ua[VG_USER_AGENT_MAX + 1];
	vg_stmt *st;
	vg_err e;
	int64_t now = vg_time_now_ms();

	if (vg_secret_random_b64url(32, out->cookie, sizeof out->cookie) ||
	    vg_secret_random_b64url(16, out->csrf_token, sizeof out->csrf_token))
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "random generator failed");
	vg_secret_sha256(out->cookie, h);
	snprintf(ua, sizeof ua, "%s", user_agent ? user_agent : "");
	/* opportunistic clean-up of sessions past their absolute expiry */
	e = vg_db_prepare(db, "DELETE FROM sessions WHERE expires_at <= ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, now);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e)
		return e;
	e = vg_db_prepare(db,
			  "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, last_seen, expires_at,"
			  " ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			  &st, d);
	if (e)
		return e;
	out->expires_at = now + ttl_s * 1000;
	vg_stmt_bind_blob(st, 1, h, sizeof h);
	vg_stmt_bind_int(st, 2, user_id);
	vg_stmt_bind_text(st, 3, out->csrf_token, -1);
	vg_stmt_bind_int(st, 4, now);
	vg_stmt_bind_int(st, 5, now);
	vg_stmt_bind_int(st, 6, out->expires_at);
	vg_stmt_bind_text(st, 7, ip ? ip : "", -1);
	vg_stmt_bind_text(st, 8, ua, -1);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (!e)
		out->session_id = vg_db_last_id(db);
	return e;
}

vg_err vg_session_login(vg_db *db, vg_throttle *throttle, const char *username, const char *password,
			const char *ip, const char *user_agent, int64_t ttl_s, vg_login_result *out,
			vg_diag *d)
{
	char ukey[VG_USERNAME_MAX + 3], akey[64], hash[VG_PASSWORD_HASH_SIZE] = "";
	int64_t now = vg_time_now_ms(), ra1 = 0, ra2 = 0, id = 0;
	bool found = false, disabled = false, ok;
	vg_err e;

	memset(out, 0, sizeof *out);
	out->reason = "";
	if (!username)
		username = "";
	if (!password)
		password = "";
	if (ttl_s <= 0)
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "session lifetime must be positive");
	account_key(ukey, sizeof ukey, username);
	snprintf(akey, sizeof akey, "a:%s", ip ? ip : "");
	if (vg_throttle_check(throttle, ukey, now, &ra1) || vg_throttle_check_limit(throttle, akey, vg_throttle_limit(throttle) * VG_LOGIN_ADDR_FACTOR, now, &ra2)) {
		out->reason = "throttled";
		out->retry_after_s = ra1 > ra2 ? ra1 : ra2;
		return vg_diag_set(d, VG_ERR_THROTTLED, NULL, "too many failed attempts; retry in %lld s",
				   (long long)out->retry_after_s);
	}
	if (strlen(username) <= VG_USERNAME_MAX && strlen(password) <= VG_PASSWORD_MAX) {
		e = load_credentials(db, username, &id, hash, sizeof hash, &disabled, &found, d);
		if (e)
			return e;
	}
	if (found) {
		ok = vg_password_verify(hash, password);
		out->user_id = id;
	} else {
		/* same work as a real verification: no user enumeration by timing */
		vg_password_dummy_verify(password);
		ok = false;
	}
	sodium_memzero(hash, sizeof hash);
	if (!ok || disabled) {
		out->reason = !found ? "unknown_user" : !ok ? "bad_password" : "disabled";
		vg_throttle_fail(throttle, ukey, now);
		vg_throttle_fail(throttle, akey, now);
		return vg_diag_set(d, VG_ERR_AUTH, NULL, "%s", GENERIC);
	}
	vg_throttle_reset(throttle, ukey);

	if ((e = vg_db_begin(db, true, d)))
		return e;
	e = insert_session(db, id, ip, user_agent, ttl_s, out, d);
	if (!e)
		e = vg_user_touch_login(db, id, password, d);
	if (!e)
		e = vg_user_get(db, id, &out->user, d);
	if (e) {
		vg_db_rollback(db);
		memset(out->cookie, 0, sizeof out->cookie);
		return e;
	}
	e = vg_db_commit(db, d);
	if (e)
		memset(out->cookie, 0, sizeof out->cookie);
	return e;
}

vg_err vg_auth_session(vg_db *db, const char *cookie_value, int64_t idle_s, vg_actor *out, vg_diag *d)
{
	uint8_t h[VG_SHA256_SIZE];
	vg_stmt *st;
	vg_err e;
	int rc;
	int64_t now = vg_time_now_ms(), sid, last_seen, expires_at;
	bool disabled;

	memset(out, 0, sizeof *out);
	if (!cookie_value || strlen(cookie_value) != VG_SESSION_COOKIE_SIZE - 1)
		return vg_diag_set(d, VG_ERR_AUTH, NULL, "no valid session");
	vg_secret_sha256(cookie_value, h);
	e = vg_db_prepare(db,
			  "SELECT s.id, s.user_id, s.csrf_token, s.last_seen, s.expires_at, u.org_id, u.role,"
			  " u.username, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id"
			  " WHERE s.token_hash = ?",
			  &st, d);
	if (e)
		return e;
	vg_stmt_bind_blob(st, 1, h, sizeof h);
	rc = vg_stmt_step(st, d);
	if (rc != VG_ROW) {
		vg_stmt_done(st);
		if (rc < 0)
			return (vg_err)-rc;
		return vg_diag_set(d, VG_ERR_AUTH, NULL, "no valid session");
	}
	sid = vg_stmt_int(st, 0);
	out->user_id = vg_stmt_int(st, 1);
	snprintf(out->csrf_token, sizeof out->csrf_token, "%s", vg_stmt_text(st, 2));
	last_seen = vg_stmt_int(st, 3);
	expires_at = vg_stmt_int(st, 4);
	out->org_id = vg_stmt_int(st, 5);
	out->role = vg_role_parse(vg_stmt_text(st, 6));
	snprintf(out->username, sizeof out->username, "%s", vg_stmt_text(st, 7));
	disabled = vg_stmt_int(st, 8) != 0;
	vg_stmt_done(st);
	if (now >= expires_at || (idle_s > 0 && now >= last_seen + idle_s * 1000) || disabled ||
	    out->role == VG_ROLE_NONE) {
		(void)vg_session_logout(db, sid, NULL); /* best effort: it is dead either way */
		memset(out, 0, sizeof *out);
		return vg_diag_set(d, VG_ERR_AUTH, NULL, "session expired");
	}
	out->method = VG_AUTH_SESSION;
	out->session_id = sid;
	if (now - last_seen >= TOUCH_INTERVAL_MS) {
		if (vg_db_prepare(db, "UPDATE sessions SET last_seen = ? WHERE id = ?", &st, NULL) == VG_OK) {
			vg_stmt_bind_int(st, 1, now);
			vg_stmt_bind_int(st, 2, sid);
			if (vg_stmt_exec(st, NULL))
				VG_DEBUG("session %lld: last_seen not refreshed", (long long)sid);
			vg_stmt_done(st);
		}
	}
	return VG_OK;
}

vg_err vg_session_logout(vg_db *db, int64_t session_id, vg_diag *d)
{
	vg_stmt *st;
	vg_err e = vg_db_prepare(db, "DELETE FROM sessions WHERE id = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, session_id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	return e;
}

vg_err vg_session_logout_all(vg_db *db, int64_t user_id, int64_t keep_session_id, vg_diag *d)
{
	vg_stmt *st;
	vg_err e = vg_db_prepare(db, "DELETE FROM sessions WHERE user_id = ? AND id <> ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, user_id);
	vg_stmt_bind_int(st, 2, keep_session_id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	return e;
}

vg_err vg_session_purge(vg_db *db, int64_t idle_s, int64_t *purged, vg_diag *d)
{
	vg_stmt *st;
	int64_t now = vg_time_now_ms();
	vg_err e = vg_db_prepare(db, "DELETE FROM sessions WHERE expires_at <= ? OR (? > 0 AND last_seen <= ?)",
				 &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, now);
	vg_stmt_bind_int(st, 2, idle_s);
	vg_stmt_bind_int(st, 3, now - idle_s * 1000);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (!e && purged)
		*purged = vg_db_changes(db);
	return e;
}
