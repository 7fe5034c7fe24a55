/* API tokens: creation, listing, revocation, bearer resolution. */
#include "auth/tokens.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"

#define TOUCH_INTERVAL_MS 60000
#define TOKEN_COLS "id, user_id, name, prefix, read_only, created_at, expires_at, revoked_at, last_used_at"

static void read_token(vg_stmt *st, vg_token *t)
{
	memset(t, 0, sizeof *t);
	t->id = vg_stmt_int(st, 0);
	t->user_id = vg_stmt_int(st, 1);
	snprintf(t->name, sizeof t->name, "%s", vg_stmt_text(st, 2));
	snprintf(t->prefix, sizeof t->prefix, "%s", vg_stmt_text(st, 3));
	t->read_only = vg_stmt_int(st, 4) != 0;
	t->created_at = vg_stmt_int(st, 5);
	t->expires_at = vg_stmt_int(st, 6);
	t->revoked_at = vg_stmt_is_null(st, 7) ? 0 : vg_stmt_int(st, 7);
	t->last_used_at = vg_stmt_is_null(st, 8) ? 0 : vg_stmt_int(st, 8);
}

static vg_err audit(vg_db *db, const vg_audit_ctx *ac, const char *action, int64_t id, json_t *detail,
		    vg_diag *d)
{
	char *txt = NULL;
	vg_err e;
	if (!ac) {
		json_decref(detail);
		return VG_OK;
	}
	if (detail)
		txt = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(detail);
	e = vg_audit_record(db, ac, action, "token", id, 0, "ok", txt, d);
	free(txt);
	return e;
}

static vg_err scalar(vg_db *db, vg_stmt *st, int64_t *out, vg_diag *d)
{
	int rc = vg_stmt_step(st, d);
	(void)db;
	*out = rc == VG_ROW ? vg_stmt_int(st, 0) : -1;
	vg_stmt_done(st);
	return rc < 0 ? (vg_err)-rc : VG_OK;
}

vg_err vg_token_create(vg_db *db, int64_t user_id, const char *name, int64_t ttl_s, bool read_only,
		       const vg_audit_ctx *ac, char *secret_out, size_t secret_size, vg_token *out,
		       vg_diag *d)
{
	char secret[VG_TOKEN_SECRET_SIZE];
	uint8_t h[VG_SHA256_SIZE];
	vg_stmt *st;
	vg_err e;
	int64_t now = vg_time_now_ms(), v, id;
	vg_token t;

	if (!name)
		return vg_diag_set(d, VG_ERR_INVALID, "name", "required");
	if ((e = vg_text_check(name, strlen(name), 1, VG_TOKEN_NAME_MAX, false, "name", d)))
		return e;
	if (ttl_s <= 0 || ttl_s > VG_TOKEN_TTL_MAX_S)
		return vg_diag_set(d, VG_ERR_INVALID, "expires_in_days", "a token must expire within 1 second to %lld days",
				   (long long)(VG_TOKEN_TTL_MAX_S / 86400));
	if (!secret_out || secret_size < VG_TOKEN_SECRET_SIZE)
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "token buffer too small");
	memcpy(secret, VG_TOKEN_MARK, 4);
	if (vg_secret_random_b64url(32, secret + 4, sizeof secret - 4))
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "random generator failed");
	vg_secret_sha256(secret, h);

	if ((e = vg_db_begin(db, true, d)))
		return e;
	if ((e = vg_db_prepare(db, "SELECT disabled FROM users WHERE id = ?", &st, d)))
		goto out;
	vg_stmt_bind_int(st, 1, user_id);
	if ((e = scalar(db, st, &v, d)))
		goto out;
	if (v < 0) {
		e = vg_diag_set(d, VG_ERR_INVALID, "user_id", "user %" PRId64 " does not exist", user_id);
		goto out;
	}
	if (v) {
		e = vg_diag_set(d, VG_ERR_INVALID, "user_id", "user %" PRId64 " is disabled", user_id);
		goto out;
	}
	e = vg_db_prepare(db,
			  "SELECT count(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?",
			  &st, d);
	if (e)
		goto out;
	vg_stmt_bind_int(st, 1, user_id);
	vg_stmt_bind_int(st, 2, now);
	if ((e = scalar(db, st, &v, d)))
		goto out;
	if (v >= VG_TOKENS_PER_USER_MAX) {
		e = vg_diag_set(d, VG_ERR_LIMIT, NULL, "at most %d active tokens per user; revoke some first",
				VG_TOKENS_PER_USER_MAX);
		goto out;
	}
	memset(&t, 0, sizeof t);
	t.user_id = user_id;
	snprintf(t.name, sizeof t.name, "%s", name);
	memcpy(t.prefix, secret + 4, VG_TOKEN_PREFIX_LEN);
	t.prefix[VG_TOKEN_PREFIX_LEN] = '\0';
	t.read_only = read_only;
	t.created_at = now;
	t.expires_at = now + ttl_s * 1000;
	e = vg_db_prepare(db,
			  "INSERT INTO api_tokens(user_id, name, token_hash, prefix, read_only, created_at, expires_at)"
			  " VALUES (?, ?, ?, ?, ?, ?, ?)",
			  &st, d);
	if (e)
		goto out;
	vg_stmt_bind_int(st, 1, user_id);
	vg_stmt_bind_text(st, 2, t.name, -1);
	vg_stmt_bind_blob(st, 3, h, sizeof h);
	vg_stmt_bind_text(st, 4, t.prefix, -1);
	vg_stmt_bind_int(st, 5, read_only ? 1 : 0);
	vg_stmt_bind_int(st, 6, t.created_at);
	vg_stmt_bind_int(st, 7, t.expires_at);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e)
		goto out;
	id = t.id = vg_db_last_id(db);
	e = audit(db, ac, "token.create", id,
		  json_pack("{sI ss ss sb sI}", "user_id", (json_int_t)user_id, "name", t.name, "prefix", t.prefix,
			    "read_only", read_only, "expires_at", (json_int_t)t.expires_at),
		  d);
out:
	if (e) {
		vg_db_rollback(db);
		sodium_memzero(secret, sizeof secret);
		return e;
	}
	e = vg_db_commit(db, d);
	if (!e) {
		memcpy(secret_out, secret, sizeof secret);
		if (out)
			*out = t;
	}
	sodium_memzero(secret, sizeof secret);
	return e;
}

vg_err vg_token_get(vg_db *db, int64_t id, vg_token *out, vg_diag *d)
{
	vg_stmt *st;
	int rc;
	vg_err e = vg_db_prepare(db, "SELECT " TOKEN_COLS " FROM api_tokens WHERE id = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		read_token(st, out);
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;
	if (rc != VG_ROW)
		return vg_diag_set(d, VG_ERR_NOT_FOUND, NULL, "no such token");
	return VG_OK;
}

vg_err vg_token_list(vg_db *db, int64_t user_id, vg_arena *a, vg_token **items, size_t *n, vg_diag *d)
{
	vg_stmt *st;
	int rc;
	size_t count = 0, cap = 16;
	vg_token *arr = vg_arena_calloc(a, cap, sizeof *arr);
	vg_err e;

	*items = NULL;
	*n = 0;
	if (!arr)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	e = vg_db_prepare(db, "SELECT " TOKEN_COLS " FROM api_tokens WHERE user_id = ? ORDER BY id DESC LIMIT ?",
			  &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, user_id);
	vg_stmt_bind_int(st, 2, VG_TOKENS_LIST_MAX);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		if (count == cap) {
			vg_token *bigger = vg_arena_calloc(a, cap * 2, sizeof *arr);
			if (!bigger) {
				vg_stmt_done(st);
				return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
			}
			memcpy(bigger, arr, cap * sizeof *arr);
			arr = bigger;
			cap *= 2;
		}
		read_token(st, &arr[count++]);
	}
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;
	*items = arr;
	*n = count;
	return VG_OK;
}

vg_err vg_token_revoke(vg_db *db, int64_t id, const vg_audit_ctx *ac, vg_diag *d)
{
	vg_token t;
	vg_stmt *st;
	vg_err e;

	if ((e = vg_db_begin(db, true, d)))
		return e;
	if ((e = vg_token_get(db, id, &t, d)))
		goto out;
	if (t.revoked_at)
		goto out; /* idempotent */
	e = vg_db_prepare(db, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", &st, d);
	if (e)
		goto out;
	vg_stmt_bind_int(st, 1, vg_time_now_ms());
	vg_stmt_bind_int(st, 2, id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e)
		goto out;
	e = audit(db, ac, "token.revoke", id,
		  json_pack("{sI ss ss}", "user_id", (json_int_t)t.user_id, "name", t.name, "prefix", t.prefix), d);
out:
	return vg_db_end(db, e, d);
}

vg_err vg_token_revoke_all(vg_db *db, int64_t user_id, vg_diag *d)
{
	vg_stmt *st;
	vg_err e = vg_db_prepare(db, "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
				 &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, vg_time_now_ms());
	vg_stmt_bind_int(st, 2, user_id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	return e;
}

json_t *vg_token_json(const vg_token *t, int64_t now_ms)
{
	bool active = !t->revoked_at && t->expires_at > now_ms;
	return json_pack("{sI sI ss ss sb so so so so sb}", "id", (json_int_t)t->id, "user_id",
			 (json_int_t)t->user_id, "name", t->name, "prefix", t->prefix, "read_only", t->read_only,
			 "created_at", vg_json_time(t->created_at), "expires_at", vg_json_time(t->expires_at),
			 "revoked_at", vg_json_time(t->revoked_at), "last_used_at", vg_json_time(t->last_used_at),
			 "active", active);
}

vg_err vg_auth_bearer(vg_db *db, const char *token, vg_actor *out, vg_diag *d)
{
	uint8_t h[VG_SHA256_SIZE];
	vg_stmt *st;
	vg_err e;
	int rc;
	int64_t now = vg_time_now_ms(), tid, expires_at, last_used;
	bool revoked, disabled;

	memset(out, 0, sizeof *out);
	if (!token || strlen(token) != VG_TOKEN_SECRET_LEN || strncmp(token, VG_TOKEN_MARK, 4) != 0)
		return vg_diag_set(d, VG_ERR_AUTH, NULL, "invalid API token");
	vg_secret_sha256(token, h);
	e = vg_db_prepare(db,
			  "SELECT t.id, t.user_id, t.read_only, t.expires_at, t.revoked_at IS NOT NULL,"
			  " COALESCE(t.last_used_at, 0), u.org_id, u.role, u.username, u.disabled"
			  " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
			  &st, d);
	if (e)
		return e;
	vg_stmt_bind_blob(st, 1, h, sizeof h);
	rc = vg_stmt_step(st, d);
	if (rc != VG_ROW) {
		vg_stmt_done(st);
		if (rc < 0)
			return (vg_err)-rc;
		return vg_diag_set(d, VG_ERR_AUTH, NULL, "invalid API token");
	}
	tid = vg_stmt_int(st, 0);
	out->user_id = vg_stmt_int(st, 1);
	out->read_only = vg_stmt_int(st, 2) != 0;
	expires_at = vg_stmt_int(st, 3);
	revoked = vg_stmt_int(st, 4) != 0;
	last_used = vg_stmt_int(st, 5);
	out->org_id = vg_stmt_int(st, 6);
	out->role = vg_role_parse(vg_stmt_text(st, 7));
	snprintf(out->username, sizeof out->username, "%s", vg_stmt_text(st, 8));
	disabled = vg_stmt_int(st, 9) != 0;
	vg_stmt_done(st);
	if (revoked || now >= expires_at || disabled || out->role == VG_ROLE_NONE) {
		memset(out, 0, sizeof *out);
		return vg_diag_set(d, VG_ERR_AUTH, NULL, revoked ? "API token revoked"
							    : now >= expires_at ? "API token expired"
										: "invalid API token");
	}
	out->method = VG_AUTH_TOKEN;
	out->token_id = tid;
	if (now - last_used >= TOUCH_INTERVAL_MS) {
		if (vg_db_prepare(db, "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", &st, NULL) == VG_OK) {
			vg_stmt_bind_int(st, 1, now);
			vg_stmt_bind_int(st, 2, tid);
			if (vg_stmt_exec(st, NULL))
				VG_DEBUG("token %lld: last_used_at not refreshed", (long long)tid);
			vg_stmt_done(st);
		}
	}
	return VG_OK;
}
