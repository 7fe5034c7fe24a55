/* API token endpoints: list (own; admins: ?user_id=), create, revoke. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "auth/tokens.h"
#include "core/clock.h"
#include "core/json.h"

static void req_ctx(const vg_req *r, vg_audit_ctx *ac)
{
	ac->actor_id = r->actor.user_id;
	ac->actor = r->actor.user_id ? r->actor.username : "anonymous";
	ac->ip = r->client_ip;
	ac->request_id = r->request_id;
}

void vg_h_token_list(vg_req *r)
{
	const char *q = vg_req_query(r, "user_id");
	int64_t user_id = r->actor.user_id;
	vg_token *items;
	size_t n;
	vg_diag d;
	json_t *arr;
	int64_t now = vg_time_now_ms();

	if (q && *q) {
		char *end;
		long long v = strtoll(q, &end, 10);
		vg_object obj = {.type = "token", .tlp = -1};
		if (*end || v <= 0) {
			vg_reply_error(r, VG_ERR_INVALID, "user_id", "expected a user id");
			return;
		}
		user_id = v;
		obj.owner_id = user_id;
		if (!vg_req_allow(r, &obj)) /* someone else's tokens: admins only */
			return;
	}
	if (vg_token_list(r->db, user_id, r->arena, &items, &n, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, vg_token_json(&items[i], now));
	vg_reply_json(r, 200, json_pack("{so}", "items", arr));
}

void vg_h_token_create(vg_req *r)
{
	static const char *const keys[] = {"name", "expires_in_days", "expires_at", "read_only", NULL};
	vg_app *app = (vg_app *)r->app;
	const char *name = NULL, *exp_at = NULL;
	int64_t days = 0, ttl_s = app->cfg.token_ttl_s, now = vg_time_now_ms();
	bool has_days = false, has_at = false, read_only = false;
	char secret[VG_TOKEN_SECRET_SIZE];
	vg_audit_ctx ac;
	vg_token t;
	json_t *body;
	vg_diag d;

	vg_diag_clear(&d);
	if (vg_json_only_keys(r->json, keys, &d) ||
	    vg_json_str(r->json, "name", 1, VG_TOKEN_NAME_MAX, &name, NULL, &d) ||
	    vg_json_int(r->json, "expires_in_days", 1, VG_TOKEN_TTL_MAX_S / 86400, &days, &has_days, &d) ||
	    vg_json_str(r->json, "expires_at", 1, 64, &exp_at, &has_at, &d) ||
	    vg_json_bool(r->json, "read_only", &read_only, &(bool){0}, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (has_days && has_at) {
		vg_reply_error(r, VG_ERR_INVALID, "expires_at", "give expires_in_days or expires_at, not both");
		return;
	}
	if (has_days)
		ttl_s = days * 86400;
	if (has_at) {
		int64_t at;
		if (vg_time_parse(exp_at, strlen(exp_at), &at, &d)) {
			snprintf(d.field, sizeof d.field, "expires_at");
			vg_reply_diag(r, &d);
			return;
		}
		if (at <= now || (at - now) / 1000 > VG_TOKEN_TTL_MAX_S) {
			vg_reply_error(r, VG_ERR_INVALID, "expires_at", "must be in the future, within %lld days",
				       (long long)(VG_TOKEN_TTL_MAX_S / 86400));
			return;
		}
		ttl_s = (at - now + 999) / 1000;
	}
	if (ttl_s <= 0 || ttl_s > VG_TOKEN_TTL_MAX_S)
		ttl_s = VG_TOKEN_TTL_MAX_S; /* configuration out of range: the hard cap */
	req_ctx(r, &ac);
	if (vg_token_create(r->db, r->actor.user_id, name, ttl_s, read_only, &ac, secret, sizeof secret, &t, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	r->audited = true;
	body = vg_token_json(&t, now);
	if (body)
		json_object_set_new(body, "token", json_string(secret));
	memset(secret, 0, sizeof secret);
	vg_reply_json(r, 201, body);
}

void vg_h_token_revoke(vg_req *r)
{
	int64_t id = vg_req_param_id(r, "id");
	vg_object obj = {.type = "token", .tlp = -1};
	vg_audit_ctx ac;
	vg_token t;
	vg_diag d;
	vg_err e;

	if (id <= 0) {
		vg_reply_not_found(r);
		return;
	}
	e = vg_token_get(r->db, id, &t, &d);
	if (e == VG_ERR_NOT_FOUND) {
		vg_reply_not_found(r);
		return;
	}
	if (e) {
		vg_reply_diag(r, &d);
		return;
	}
	obj.owner_id = t.user_id;
	if (!vg_req_allow(r, &obj))
		return;
	req_ctx(r, &ac);
	if (vg_token_revoke(r->db, id, &ac, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	r->audited = true;
	vg_reply_empty(r, 204);
}
