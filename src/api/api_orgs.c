/* Registry endpoints: organisations, their children, bulk import/export and
 * lookup. The store work is in src/registry; these handlers decode the
 * request, check the object with the policy, run the change in a write
 * transaction together with its audit entry, and reply. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "core/buf.h"
#include "core/json.h"
#include "registry/index.h"
#include "registry/registry.h"

/* May the actor touch organisation id? Replies (404 for other orgs) when not. */
static bool allow_org(vg_req *r, int64_t id)
{
	vg_object obj = {.type = "organisation", .org_id = id, .owner_id = 0, .tlp = -1};
	return vg_req_allow(r, &obj);
}

static int64_t path_id(vg_req *r, const char *name)
{
	int64_t id = vg_req_param_id(r, name);
	if (id <= 0)
		vg_reply_not_found(r);
	return id;
}

/* "true"/"false"/"1"/"0"; -1 absent; -2 malformed (reply sent). */
static int query_bool(vg_req *r, const char *name)
{
	const char *s = vg_req_query(r, name);
	if (!s || !*s)
		return -1;
	if (!strcmp(s, "true") || !strcmp(s, "1"))
		return 1;
	if (!strcmp(s, "false") || !strcmp(s, "0"))
		return 0;
	vg_reply_error(r, VG_ERR_INVALID, name, "expected true or false");
	return -2;
}

static bool query_enum(vg_req *r, const char *name, const char *const *allowed, const char **out)
{
	const char *s = vg_req_query(r, name);
	*out = NULL;
	if (!s)
		return true;
	for (const char *const *a = allowed; *a; a++)
		if (strcmp(*a, s) == 0) {
			*out = s;
			return true;
		}
	vg_reply_error(r, VG_ERR_INVALID, name, "unknown value '%.40s'", s);
	return false;
}

static vg_err audit(vg_req *r, const char *action, int64_t id, int64_t org_id, json_t *detail, vg_diag *d)
{
	vg_err e = vg_req_audit(r, action, "organisation", id, org_id, detail, d);
	json_decref(detail);
	return e;
}

/* ---------------------------------------------------------------- organisations */

void vg_h_org_list(vg_req *r)
{
	vg_org_filter f;
	int64_t limit = VG_PAGE_DEFAULT;
	json_t *out;
	vg_diag d;
	int b;

	vg_org_filter_init(&f);
	if (!vg_req_query_int(r, "parent_id", 1, INT64_MAX, &f.parent_id) || !vg_req_query_int(r, "limit", 1, VG_PAGE_MAX, &limit) ||
	    !query_enum(r, "kind", vg_org_kinds, &f.kind) || !query_enum(r, "sector", vg_org_sectors, &f.sector) ||
	    !query_enum(r, "nis2", vg_org_nis2, &f.nis2))
		return;
	if ((b = query_bool(r, "in_scope")) == -2)
		return;
	f.in_scope = b;
	f.q = vg_req_query(r, "q");
	if (f.q && !*f.q)
		f.q = NULL;
	f.cursor = vg_req_query(r, "cursor");
	f.limit = (size_t)limit;
	f.scope_org_id = vg_policy_org_scope(&r->actor);
	if (vg_org_list_json(r->db, &f, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, out);
}

void vg_h_org_create(vg_req *r)
{
	int64_t id = 0;
	json_t *out = NULL;
	vg_diag d;
	vg_err e;

	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_org_create(r->db, r->json, &id, &d)))
		e = audit(r, "org.create", id, id, json_pack("{sO}", "name", json_object_get(r->json, "name")), &d);
	if (!e)
		e = vg_org_get_json(r->db, id, true, &out, &d);
	if (!vg_req_finish(r, e, &d)) {
		json_decref(out);
		return;
	}
	vg_reply_json(r, 201, out);
}

void vg_h_org_get(vg_req *r)
{
	int64_t id = path_id(r, "id");
	json_t *out;
	vg_diag d;
	if (id <= 0 || !allow_org(r, id))
		return;
	if (vg_org_get_json(r->db, id, true, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, out);
}

void vg_h_org_update(vg_req *r)
{
	int64_t id = path_id(r, "id");
	json_t *out = NULL;
	vg_diag d;
	vg_err e;
	if (id <= 0 || !allow_org(r, id))
		return;
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_org_update(r->db, id, r->json, &d)))
		e = audit(r, "org.update", id, id, json_incref(r->json), &d);
	if (!e)
		e = vg_org_get_json(r->db, id, true, &out, &d);
	if (!vg_req_finish(r, e, &d)) {
		json_decref(out);
		return;
	}
	vg_reply_json(r, 200, out);
}

void vg_h_org_delete(vg_req *r)
{
	int64_t id = path_id(r, "id");
	json_t *old = NULL;
	vg_diag d;
	vg_err e;
	if (id <= 0 || !allow_org(r, id))
		return;
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_org_get_json(r->db, id, false, &old, &d)) && !(e = vg_org_delete(r->db, id, &d)))
		e = audit(r, "org.delete", id, id, json_pack("{sO}", "name", json_object_get(old, "name")), &d);
	json_decref(old);
	if (vg_req_finish(r, e, &d))
		vg_reply_empty(r, 204);
}

/* ---------------------------------------------------------------- children */

/* Kind from the path segment after "{id}/" in the route pattern. */
static int child_kind(vg_req *r)
{
	const char *p = r->route ? strstr(r->route->pattern, "}/") : NULL;
	char seg[16];
	size_t n;
	int k;
	if (p) {
		p += 2;
		n = strcspn(p, "/");
		if (n < sizeof seg) {
			memcpy(seg, p, n);
			seg[n] = '\0';
			if ((k = vg_org_child_parse(seg)) >= 0)
				return k;
		}
	}
	vg_reply_error(r, VG_ERR_INTERNAL, NULL, "route has no child kind");
	return -1;
}

static const char *child_action(vg_org_child k, bool add)
{
	static const char *const a[VG_CHILD__COUNT][2] = {
		{"org.network.remove", "org.network.add"}, {"org.asn.remove", "org.asn.add"},
		{"org.domain.remove", "org.domain.add"},   {"org.contact.remove", "org.contact.add"},
		{"org.product.remove", "org.product.add"},
	};
	return a[k][add];
}

void vg_h_org_child_list(vg_req *r)
{
	int64_t id = path_id(r, "id"), limit = VG_PAGE_DEFAULT;
	int k;
	json_t *out;
	vg_diag d;
	if (id <= 0 || (k = child_kind(r)) < 0 || !allow_org(r, id))
		return;
	if (!vg_req_query_int(r, "limit", 1, VG_PAGE_MAX, &limit))
		return;
	if (vg_org_exists(r->db, id, &d) ||
	    vg_org_child_list_json(r->db, id, (vg_org_child)k, vg_req_query(r, "cursor"), (size_t)limit, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, out);
}

void vg_h_org_child_add(vg_req *r)
{
	int64_t id = path_id(r, "id"), cid = 0;
	json_t *out = NULL;
	int k;
	vg_diag d;
	vg_err e;
	if (id <= 0 || (k = child_kind(r)) < 0 || !allow_org(r, id))
		return;
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_org_child_add(r->db, id, (vg_org_child)k, r->json, "", &cid, &d)) &&
	    !(e = vg_org_child_get_json(r->db, id, (vg_org_child)k, cid, &out, &d)))
		e = audit(r, child_action((vg_org_child)k, true), id, id, json_incref(out), &d);
	if (!vg_req_finish(r, e, &d)) {
		json_decref(out);
		return;
	}
	vg_reply_json(r, 201, out);
}

void vg_h_org_child_delete(vg_req *r)
{
	int64_t id = path_id(r, "id"), cid;
	json_t *old = NULL;
	int k;
	vg_diag d;
	vg_err e;
	if (id <= 0 || (k = child_kind(r)) < 0 || !allow_org(r, id))
		return;
	if ((cid = path_id(r, "cid")) <= 0)
		return;
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_org_child_get_json(r->db, id, (vg_org_child)k, cid, &old, &d)) &&
	    !(e = vg_org_child_delete(r->db, id, (vg_org_child)k, cid, &d)))
		e = audit(r, child_action((vg_org_child)k, false), id, id, json_incref(old), &d);
	json_decref(old);
	if (vg_req_finish(r, e, &d))
		vg_reply_empty(r, 204);
}

/* ---------------------------------------------------------------- import / export */

void vg_h_registry_import(vg_req *r)
{
	vg_import_options o = {0};
	vg_import_report rep;
	int fmt = vg_reg_format_parse(vg_req_query(r, "format"));
	int dry = query_bool(r, "dry_run");
	vg_diag d;
	vg_err e;

	if (dry == -2)
		return;
	if (fmt < 0) {
		vg_reply_error(r, VG_ERR_INVALID, "format", "format must be json or csv");
		return;
	}
	if (!r->body || r->body_len == 0) {
		vg_reply_error(r, VG_ERR_INVALID, NULL, "empty body: send the JSON or CSV file");
		return;
	}
	o.format = (vg_reg_format)fmt;
	o.dry_run = dry == 1;
	vg_diag_clear(&d);
	if (o.dry_run) {
		e = vg_registry_import(r->db, r->body, r->body_len, &o, &rep, &d);
	} else if (!(e = vg_db_begin(r->db, true, &d))) {
		e = vg_registry_import(r->db, r->body, r->body_len, &o, &rep, &d);
		if (!e) {
			json_t *det = json_pack("{sI sI sI sI sI}", "records", (json_int_t)rep.records, "orgs_created",
						(json_int_t)rep.orgs_created, "orgs_updated", (json_int_t)rep.orgs_updated,
						"children_added", (json_int_t)rep.children_added, "errors",
						(json_int_t)rep.errors_total);
			e = audit(r, "registry.import", 0, 0, det, &d);
		}
		if (vg_req_finish(r, e, &d))
			rep.committed = true;
		else {
			vg_import_report_fini(&rep);
			return;
		}
	}
	if (e) {
		vg_import_report_fini(&rep);
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, vg_import_report_json(&rep));
	vg_import_report_fini(&rep);
}

void vg_h_registry_export(vg_req *r)
{
	int fmt = vg_reg_format_parse(vg_req_query(r, "format"));
	vg_buf out;
	vg_diag d;

	if (fmt < 0) {
		vg_reply_error(r, VG_ERR_INVALID, "format", "format must be json or csv");
		return;
	}
	vg_buf_init(&out, VG_IMPORT_FILE_MAX);
	if (vg_registry_export(r->db, fmt == VG_REG_FMT_CSV ? VG_REG_FMT_CSV : VG_REG_FMT_JSON,
			       vg_policy_org_scope(&r->actor), &out, &d)) {
		vg_buf_fini(&out);
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_text(r, 200, fmt == VG_REG_FMT_CSV ? "text/csv; charset=utf-8" : "application/json", vg_buf_cstr(&out),
		      out.len);
	vg_buf_fini(&out);
}

/* ---------------------------------------------------------------- lookup */

static void add_matches(json_t *arr, const vg_regindex *ix, const vg_reg_match *m, size_t n, int64_t scope)
{
	char text[VG_EMAIL_MAX + 1];
	for (size_t i = 0; i < n; i++) {
		const char *name;
		if (scope && m[i].org_id != scope)
			continue;
		name = vg_regindex_org_name(ix, m[i].org_id);
		json_array_append_new(arr, json_pack("{sI ss ss ss sb}", "org_id", (json_int_t)m[i].org_id, "org_name",
						     name ? name : "", "matched",
						     vg_regindex_match_text(ix, &m[i], text, sizeof text), "type",
						     vg_match_type_name((vg_match_type)m[i].type), "best", m[i].best));
	}
}

/* GET /api/v1/lookup?ip=|domain=|asn=|email= (exactly one). */
void vg_h_lookup(vg_req *r)
{
	static const char *const kinds[] = {"ip", "domain", "asn", "email"};
	int64_t scope = vg_policy_org_scope(&r->actor);
	vg_reg_match m[VG_LOOKUP_RESULTS_MAX];
	char norm[VG_EMAIL_BUF];
	const char *type = NULL, *value = NULL;
	vg_regindex *ix = NULL;
	json_t *matches;
	size_t n = 0;
	vg_diag d;
	vg_ip addr;
	uint32_t as = 0;
	int which = -1;

	vg_diag_clear(&d);
	for (int i = 0; i < 4; i++) {
		const char *v = vg_req_query(r, kinds[i]);
		if (!v)
			continue;
		if (type) {
			vg_reply_error(r, VG_ERR_INVALID, kinds[i], "give only one of ip, domain, asn or email");
			return;
		}
		type = kinds[i];
		value = v;
		which = i;
	}
	if (!type) {
		vg_reply_error(r, VG_ERR_INVALID, "ip", "give one of ip, domain, asn or email");
		return;
	}
	/* validate first: 400 names the field */
	if ((which == 0 && vg_ip_parse(value, 0, &addr, &d)) || (which == 2 && vg_asn_parse(value, 0, &as, "asn", &d)) ||
	    (which == 1 && vg_domain_normalize(value, 0, true, norm, sizeof norm, "domain", &d)) ||
	    (which == 3 && vg_email_normalize(value, 0, norm, sizeof norm, "email", &d))) {
		if (which == 0)
			vg_reply_error(r, VG_ERR_INVALID, "ip", "%s", d.message);
		else
			vg_reply_diag(r, &d);
		return;
	}
	if (r->app && r->app->registry)
		ix = vg_registry_acquire(r->app->registry, r->db);
	else if (vg_regindex_build(r->db, &ix, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (!ix) {
		vg_reply_error(r, VG_ERR_BUSY, NULL, "the registry index is not available");
		return;
	}
	switch (which) {
	case 0:
		n = vg_regindex_lookup_ip(ix, &addr, m, VG_LOOKUP_RESULTS_MAX);
		break;
	case 1:
		n = vg_regindex_lookup_domain(ix, norm, m, VG_LOOKUP_RESULTS_MAX);
		break;
	case 2:
		n = vg_regindex_lookup_asn(ix, as, m, VG_LOOKUP_RESULTS_MAX);
		break;
	default:
		n = vg_regindex_lookup_email(ix, norm, m, VG_LOOKUP_RESULTS_MAX);
		break;
	}
	matches = json_array();
	add_matches(matches, ix, m, n, scope);
	vg_regindex_release(ix);
	vg_reply_json(r, 200,
		      json_pack("{s{ss ss} so sb}", "query", "type", type, "value", which == 1 || which == 3 ? norm : value,
				"matches", matches, "truncated", n == VG_LOOKUP_RESULTS_MAX));
}
