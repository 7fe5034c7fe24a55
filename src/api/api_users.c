/* User endpoints: list, create, get, update. Only administrators write
 * (VG_ACT_USER_WRITE); constituents and partners see only themselves. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "auth/users.h"
#include "core/json.h"

static void req_ctx(const vg_req *r, vg_audit_ctx *ac)
{
	ac->actor_id = r->actor.user_id;
	ac->actor = r->actor.user_id ? r->actor.username : "anonymous";
	ac->ip = r->client_ip;
	ac->request_id = r->request_id;
}

void vg_h_user_list(vg_req *r)
{
	vg_user_filter f = {0};
	vg_user *items;
	size_t n;
	int64_t next, limit = VG_PAGE_DEFAULT;
	const char *role = vg_req_query(r, "role");
	json_t *arr, *body;
	vg_diag d;

	if (!vg_req_query_int(r, "org_id", 1, INT64_MAX, &f.org_id) || !vg_req_query_int(r, "cursor", 0, INT64_MAX, &f.after_id) ||
	    !vg_req_query_int(r, "limit", 1, VG_PAGE_MAX, &limit))
		return;
	if (role && *role) {
		f.role = vg_role_parse(role);
		if (f.role == VG_ROLE_NONE) {
			vg_reply_error(r, VG_ERR_INVALID, "role", "must be one of: admin, analyst, constituent, partner");
			return;
		}
	}
	f.q = vg_req_query(r, "q");
	f.limit = (int)limit;
	f.scope_org = vg_policy_org_scope(&r->actor);
	if (r->actor.role != VG_ROLE_ADMIN && r->actor.role != VG_ROLE_ANALYST)
		f.only_user = r->actor.user_id; /* constituents and partners see themselves */
	if (vg_user_list(r->db, &f, r->arena, &items, &n, &next, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, vg_user_json(&items[i]));
	body = json_pack("{so so}", "items", arr, "next_cursor",
			 next ? json_string(vg_arena_printf(r->arena, "%" PRId64, next)) : json_null());
	vg_reply_json(r, 200, body);
}

static const char *const roles[] = {"admin", "analyst", "constituent", "partner", NULL};

void vg_h_user_create(vg_req *r)
{
	static const char *const keys[] = {"username", "password", "role", "org_id", "display_name",
					   "email", "language", "disabled", NULL};
	vg_user_input in = {0};
	vg_object obj = {.type = "user", .tlp = -1};
	vg_audit_ctx ac;
	const char *role = NULL;
	int64_t id = 0;
	vg_user u;
	vg_diag d;

	vg_diag_clear(&d);
	if (vg_json_only_keys(r->json, keys, &d) ||
	    vg_json_str(r->json, "username", 1, VG_USERNAME_MAX, &in.username, NULL, &d) ||
	    vg_json_str(r->json, "password", 1, VG_PASSWORD_MAX, &in.password, NULL, &d) ||
	    vg_json_enum(r->json, "role", roles, &role, NULL, &d) ||
	    vg_json_int(r->json, "org_id", 1, INT64_MAX, &in.org_id, NULL, &d) ||
	    vg_json_str(r->json, "display_name", 0, VG_FIELD_TEXT_MAX, &in.display_name, &(bool){0}, &d) ||
	    vg_json_str(r->json, "email", 0, VG_EMAIL_MAX, &in.email, &(bool){0}, &d) ||
	    vg_json_str(r->json, "language", 2, VG_USER_LANGUAGE_MAX, &in.language, &(bool){0}, &d) ||
	    vg_json_bool(r->json, "disabled", &in.disabled, &(bool){0}, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	in.role = vg_role_parse(role);
	obj.org_id = in.org_id;
	if (!vg_req_allow(r, &obj))
		return;
	req_ctx(r, &ac);
	if (vg_user_create(r->db, &in, &ac, &id, &d) || vg_user_get(r->db, id, &u, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	r->audited = true;
	vg_reply_json(r, 201, vg_user_json(&u));
}

/* Load the user of the path and ask the policy; false (reply sent) otherwise. */
static bool load_visible(vg_req *r, vg_user *u)
{
	int64_t id = vg_req_param_id(r, "id");
	vg_object obj = {.type = "user", .tlp = -1};
	vg_diag d;
	vg_err e;
	if (id <= 0) {
		vg_reply_not_found(r);
		return false;
	}
	e = vg_user_get(r->db, id, u, &d);
	if (e == VG_ERR_NOT_FOUND) {
		vg_reply_not_found(r);
		return false;
	}
	if (e) {
		vg_reply_diag(r, &d);
		return false;
	}
	obj.org_id = u->org_id;
	obj.owner_id = u->id;
	return vg_req_allow(r, &obj);
}

void vg_h_user_get(vg_req *r)
{
	vg_user u;
	if (!load_visible(r, &u))
		return;
	vg_reply_json(r, 200, vg_user_json(&u));
}

void vg_h_user_update(vg_req *r)
{
	static const char *const keys[] = {"display_name", "email", "role", "org_id", "disabled", "language",
					   "password", NULL};
	vg_user_patch p = VG_USER_PATCH_INIT;
	vg_object obj = {.type = "user", .tlp = -1};
	vg_audit_ctx ac;
	const char *role = NULL;
	bool has_role = false, has_disabled = false, disabled = false, has_org = false;
	vg_user u;
	vg_diag d;

	if (!load_visible(r, &u))
		return;
	vg_diag_clear(&d);
	if (vg_json_only_keys(r->json, keys, &d) ||
	    vg_json_str(r->json, "display_name", 0, VG_FIELD_TEXT_MAX, &p.display_name, &(bool){0}, &d) ||
	    vg_json_str(r->json, "email", 0, VG_EMAIL_MAX, &p.email, &(bool){0}, &d) ||
	    vg_json_str(r->json, "language", 2, VG_USER_LANGUAGE_MAX, &p.language, &(bool){0}, &d) ||
	    vg_json_str(r->json, "password", 1, VG_PASSWORD_MAX, &p.password, &(bool){0}, &d) ||
	    vg_json_enum(r->json, "role", roles, &role, &has_role, &d) ||
	    vg_json_int(r->json, "org_id", 1, INT64_MAX, &p.org_id, &has_org, &d) ||
	    vg_json_bool(r->json, "disabled", &disabled, &has_disabled, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (has_role)
		p.role = vg_role_parse(role);
	if (has_disabled)
		p.disabled = disabled ? 1 : 0;
	if (has_org) {
		/* moving a user: the actor must also be allowed in the target organisation */
		obj.org_id = p.org_id;
		obj.owner_id = u.id;
		if (!vg_req_allow(r, &obj))
			return;
	}
	req_ctx(r, &ac);
	if (vg_user_update(r->db, u.id, &p, u.id == r->actor.user_id ? r->actor.session_id : 0, &ac, &d) ||
	    vg_user_get(r->db, u.id, &u, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	r->audited = true;
	vg_reply_json(r, 200, vg_user_json(&u));
}
