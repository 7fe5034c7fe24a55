/* Session endpoints: login, logout, whoami, own password change. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/sessions.h"
#include "auth/users.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"

static const char *cookie_attrs(const vg_req *r)
{
	return r->tls ? "; Path=/; HttpOnly; SameSite=Strict; Secure" : "; Path=/; HttpOnly; SameSite=Strict";
}

/* The login route is VG_ROUTE_NO_AUDIT: every attempt is recorded here, in
 * its own transaction, whatever its outcome. */
static void audit_login(vg_req *r, const char *username, const vg_login_result *res, const char *outcome)
{
	vg_audit_entry e = {0};
	char oid[24] = "";
	char *detail;
	json_t *dj;
	vg_diag d;
	bool ok = strcmp(outcome, "ok") == 0;

	if (res && res->user_id)
		snprintf(oid, sizeof oid, "%" PRId64, res->user_id);
	dj = json_pack("{ss ss}", "username", username ? username : "", "reason",
		       res && res->reason ? res->reason : "invalid_input");
	if (dj && ok)
		json_object_set_new(dj, "session_id", json_integer(res->session_id));
	if (dj && ok)
		json_object_del(dj, "reason");
	detail = dj ? json_dumps(dj, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(dj);
	e.actor_id = ok ? res->user.id : 0;
	e.actor = ok ? res->user.username : "anonymous";
	e.action = "session.login";
	e.object_type = "user";
	e.object_id = oid;
	e.org_id = ok ? res->user.org_id : 0;
	e.outcome = outcome;
	e.ip = r->client_ip;
	e.request_id = r->request_id;
	e.detail_json = detail;
	if (vg_db_begin(r->db, true, &d) == VG_OK) {
		if (vg_audit_append(r->db, &e, NULL, &d) == VG_OK && vg_db_commit(r->db, &d) == VG_OK)
			r->audited = true;
		else
			vg_db_rollback(r->db);
	}
	if (!r->audited)
		VG_ERROR("login audit entry not written: %s", d.message);
	free(detail);
}

void vg_h_login(vg_req *r)
{
	static const char *const keys[] = {"username", "password", NULL};
	vg_app *app = (vg_app *)r->app;
	const char *username = NULL, *password = NULL, *ua;
	vg_login_result res;
	json_t *body;
	vg_diag d;
	vg_err e;
	char *cookie;

	vg_diag_clear(&d);
	memset(&res, 0, sizeof res);
	if ((e = vg_json_only_keys(r->json, keys, &d)) ||
	    (e = vg_json_str(r->json, "username", 1, VG_FIELD_TEXT_MAX, &username, NULL, &d)) ||
	    (e = vg_json_str(r->json, "password", 1, VG_PASSWORD_MAX, &password, NULL, &d))) {
		audit_login(r, username, NULL, "failed");
		vg_reply_diag(r, &d);
		return;
	}
	ua = vg_req_header(r, "User-Agent");
	e = vg_session_login(r->db, app->throttle, username, password, r->client_ip, ua, app->cfg.session_ttl_s, &res,
			     &d);
	if (e == VG_ERR_THROTTLED) {
		audit_login(r, username, &res, "denied");
		body = json_pack("{s{ss ss sI}}", "error", "code", "throttled", "message",
				 "too many failed attempts; try again later", "retry_after_s",
				 (json_int_t)res.retry_after_s);
		vg_reply_json(r, 429, body);
		return;
	}
	if (e == VG_ERR_AUTH) {
		audit_login(r, username, &res, "failed");
		vg_reply_error(r, VG_ERR_AUTH, NULL, "invalid username or password");
		return;
	}
	if (e) {
		audit_login(r, username, &res, "failed");
		vg_reply_diag(r, &d);
		return;
	}
	audit_login(r, username, &res, "ok");
	cookie = vg_arena_printf(r->arena, VG_SESSION_COOKIE "=%s; Max-Age=%" PRId64 "%s", res.cookie,
				 app->cfg.session_ttl_s, cookie_attrs(r));
	if (!cookie) {
		vg_reply_error(r, VG_ERR_NOMEM, NULL, "out of memory");
		return;
	}
	r->set_cookie[0] = cookie;
	body = json_pack("{so ss so}", "user", vg_user_json(&res.user), "csrf_token", res.csrf_token, "expires_at",
			 vg_json_time(res.expires_at));
	vg_reply_json(r, 200, body);
}

void vg_h_logout(vg_req *r)
{
	const char *all = vg_req_query(r, "all");
	bool everything = all && (strcmp(all, "true") == 0 || strcmp(all, "1") == 0);
	json_t *detail;
	vg_diag d;
	vg_err e;

	if (all && !everything && strcmp(all, "false") != 0 && strcmp(all, "0") != 0) {
		vg_reply_error(r, VG_ERR_INVALID, "all", "expected true or false");
		return;
	}
	if ((e = vg_db_begin(r->db, true, &d)))
		goto fail;
	if (everything)
		e = vg_session_logout_all(r->db, r->actor.user_id, 0, &d);
	else if (r->actor.method == VG_AUTH_SESSION)
		e = vg_session_logout(r->db, r->actor.session_id, &d);
	if (!e) {
		detail = json_pack("{sb}", "all", everything);
		e = vg_req_audit(r, "session.logout", "user", r->actor.user_id, r->actor.org_id, detail, &d);
		json_decref(detail);
	}
	if (e) {
		vg_db_rollback(r->db);
		goto fail;
	}
	if ((e = vg_db_commit(r->db, &d)))
		goto fail;
	if (r->actor.method == VG_AUTH_SESSION || everything)
		r->set_cookie[0] = vg_arena_printf(r->arena, VG_SESSION_COOKIE "=; Max-Age=0%s", cookie_attrs(r));
	vg_reply_empty(r, 204);
	return;
fail:
	vg_reply_diag(r, &d);
}

void vg_h_me(vg_req *r)
{
	vg_user u;
	vg_diag d;
	json_t *can, *body;
	static const char *const method_names[] = {"none", "session", "token", "local"};

	if (vg_user_get(r->db, r->actor.user_id, &u, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	/* what the UI may offer: every action the policy allows as a class */
	can = json_array();
	for (int a = 0; a < VG_ACT__COUNT; a++)
		if (vg_policy(&r->actor, (vg_action)a, NULL) == VG_ALLOW)
			json_array_append_new(can, json_string(vg_action_name((vg_action)a)));
	body = json_pack("{so s{ss sb} so}", "user", vg_user_json(&u), "auth", "method",
			 method_names[(unsigned)r->actor.method < 4 ? r->actor.method : 0], "read_only",
			 r->actor.read_only, "can", can);
	if (body && r->actor.method == VG_AUTH_SESSION)
		json_object_set_new(body, "csrf_token", json_string(r->actor.csrf_token));
	vg_reply_json(r, 200, body);
}

void vg_h_password(vg_req *r)
{
	static const char *const keys[] = {"current_password", "new_password", NULL};
	vg_app *app = (vg_app *)r->app;
	vg_user_patch p = VG_USER_PATCH_INIT;
	vg_audit_ctx ac = {r->actor.user_id, r->actor.username, r->client_ip, r->request_id};
	const char *cur = NULL, *neu = NULL;
	char key[VG_USERNAME_MAX + 3];
	int64_t retry = 0, now = vg_time_now_ms();
	vg_diag d;
	vg_err e;

	vg_diag_clear(&d);
	if ((e = vg_json_only_keys(r->json, keys, &d)) ||
	    (e = vg_json_str(r->json, "current_password", 1, VG_PASSWORD_MAX, &cur, NULL, &d)) ||
	    (e = vg_json_str(r->json, "new_password", 1, VG_PASSWORD_MAX, &neu, NULL, &d))) {
		vg_reply_diag(r, &d);
		return;
	}
	/* guessing the current password through this endpoint is throttled like a login */
	snprintf(key, sizeof key, "u:%s", r->actor.username);
	if (vg_throttle_check(app->throttle, key, now, &retry)) {
		vg_reply_json(r, 429,
			      json_pack("{s{ss ss sI}}", "error", "code", "throttled", "message",
					"too many failed attempts; try again later", "retry_after_s", (json_int_t)retry));
		return;
	}
	if ((e = vg_user_check_password(r->db, r->actor.user_id, cur, &d))) {
		if (e == VG_ERR_AUTH) {
			vg_throttle_fail(app->throttle, key, now);
			vg_reply_error(r, VG_ERR_INVALID, "current_password", "the current password is wrong");
		} else {
			vg_reply_diag(r, &d);
		}
		return;
	}
	p.password = neu;
	/* the user's other sessions end; this one stays */
	if ((e = vg_user_update(r->db, r->actor.user_id, &p, r->actor.session_id, &ac, &d))) {
		if (!strcmp(d.field, "password"))
			snprintf(d.field, sizeof d.field, "new_password");
		vg_reply_diag(r, &d);
		return;
	}
	r->audited = true;
	vg_reply_empty(r, 204);
}
