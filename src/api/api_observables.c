/* Observable endpoints: search, one observable with the objects it links,
 * analyst flags, extraction (writes nothing), the observables of an incident,
 * and related incidents for the console's graph. Store and correlation work
 * is in src/observe; the incident's organisation comes from src/cases. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers_observables.h"
#include "cases/cases.h"
#include "core/hash.h"
#include "core/json.h"
#include "observe/observe.h"

#define OBS_BATCH_MAX 500

static int64_t cap_of(vg_req *r)
{
	return r->app && r->app->cfg.correlation_common_cap > 1 ? r->app->cfg.correlation_common_cap : 100;
}

static json_t *obs_json(vg_req *r, const vg_observable *o)
{
	bool scoped = vg_policy_org_scope(&r->actor) > 0;
	bool over = o->link_count > cap_of(r);
	json_t *tags = json_loads(o->tags ? o->tags : "[]", 0, NULL);
	json_t *j = json_pack("{sI ss ss so so sb sb ss ss so}", "id", (json_int_t)o->id, "type",
			      vg_obs_type_name(o->type), "value", o->value, "first_seen", vg_json_time(o->first_seen),
			      "last_seen", vg_json_time(o->last_seen), "ioc", o->ioc, "common", o->common || over,
			      "common_reason",
			      o->common ? o->common_reason : over ? "seen in more objects than correlation_common_cap" : "",
			      "common_by", o->common ? o->common_by : over ? "auto" : o->common_by, "tags",
			      tags ? tags : json_array());
	/* how many objects hold the value, across organisations: staff only */
	if (j && !scoped)
		json_object_set_new(j, "link_count", json_integer(o->link_count));
	return j;
}

/* The incident's organisation, with the policy asked about it; false when a
 * reply was sent (404 for a missing incident or one of another organisation). */
static bool allow_incident(vg_req *r, int64_t id, int64_t *org)
{
	vg_object obj = {.type = "incident", .org_id = 0, .owner_id = 0, .tlp = -1};
	vg_diag d;
	vg_diag_clear(&d);
	if (id <= 0) {
		vg_reply_not_found(r);
		return false;
	}
	if (vg_incident_scope_org(r->db, id, vg_policy_org_scope(&r->actor), org, &d)) {
		if (d.code == VG_ERR_NOT_FOUND)
			vg_reply_not_found(r);
		else
			vg_reply_diag(r, &d);
		return false;
	}
	obj.org_id = *org;
	return vg_req_allow(r, &obj);
}

/* ---------------------------------------------------------------- /observables */

void vg_h_observable_list(vg_req *r)
{
	vg_obs_query q = {.ioc = -1};
	vg_observable *items;
	size_t n;
	int64_t next = 0, limit = VG_PAGE_DEFAULT, cursor = 0;
	const char *type = vg_req_query(r, "type"), *value = vg_req_query(r, "value"), *ioc = vg_req_query(r, "ioc");
	char norm[VG_OBS_VALUE_BUF];
	json_t *arr, *out;
	vg_diag d;
	vg_diag_clear(&d);
	if (!vg_req_query_int(r, "limit", 1, VG_PAGE_MAX, &limit) || !vg_req_query_int(r, "cursor", 0, INT64_MAX, &cursor))
		return;
	if (type && *type) {
		if (vg_obs_type_parse(type, &q.type)) {
			vg_reply_error(r, VG_ERR_INVALID, "type", "unknown observable type '%.40s'", type);
			return;
		}
		q.has_type = 1;
	}
	if (ioc && *ioc) {
		if (!strcmp(ioc, "true") || !strcmp(ioc, "1"))
			q.ioc = 1;
		else if (!strcmp(ioc, "false") || !strcmp(ioc, "0"))
			q.ioc = 0;
		else {
			vg_reply_error(r, VG_ERR_INVALID, "ioc", "expected true or false");
			return;
		}
	}
	if (value && *value) {
		/* with a type, the value is normalised and matched exactly; without,
		 * it is a prefix of the normalised text ("185.220.") */
		if (q.has_type) {
			if (vg_obs_normalize(q.type, value, strlen(value), norm, sizeof norm, "value", &d)) {
				vg_reply_diag(r, &d);
				return;
			}
			q.value = norm;
			q.exact = 1;
		} else {
			q.value = value;
		}
	}
	q.after_id = cursor;
	q.limit = (size_t)limit;
	q.scope_org = vg_policy_org_scope(&r->actor);
	if (vg_obs_search(r->db, &q, r->arena, &items, &n, &next, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, obs_json(r, &items[i]));
	out = json_pack("{so}", "items", arr);
	if (next) {
		char c[24];
		snprintf(c, sizeof c, "%" PRId64, next);
		json_object_set_new(out, "next_cursor", json_string(c));
	} else {
		json_object_set_new(out, "next_cursor", json_null());
	}
	vg_reply_json(r, 200, out);
}

/* A constituent sees an observable only when it is linked to an object of its
 * organisation; anyone else gets the 404 of a missing one. */
static bool load_visible(vg_req *r, int64_t id, vg_observable *o)
{
	vg_diag d;
	int64_t scope = vg_policy_org_scope(&r->actor);
	vg_object obj = {.type = "observable", .org_id = scope, .owner_id = 0, .tlp = -1};
	vg_diag_clear(&d);
	if (id <= 0) {
		vg_reply_not_found(r);
		return false;
	}
	if (vg_obs_get(r->db, id, r->arena, o, &d)) {
		if (d.code == VG_ERR_NOT_FOUND)
			vg_reply_not_found(r);
		else
			vg_reply_diag(r, &d);
		return false;
	}
	if (scope > 0) {
		vg_obs_object_ref *refs;
		size_t n;
		bool trunc;
		if (vg_obs_objects(r->db, id, scope, 1, r->arena, &refs, &n, &trunc, &d)) {
			vg_reply_diag(r, &d);
			return false;
		}
		if (n == 0) {
			vg_reply_not_found(r);
			return false;
		}
	}
	return vg_req_allow(r, &obj);
}

static json_t *obs_detail(vg_req *r, const vg_observable *o, vg_diag *d)
{
	vg_obs_object_ref *refs;
	size_t n;
	bool trunc;
	json_t *j, *arr;
	if (vg_obs_objects(r->db, o->id, vg_policy_org_scope(&r->actor), 0, r->arena, &refs, &n, &trunc, d))
		return NULL;
	j = obs_json(r, o);
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		/* a constituent sees an incident of several organisations as its own */
		int64_t scope = vg_policy_org_scope(&r->actor), org = scope > 0 ? scope : refs[i].org_id;
		json_array_append_new(arr, json_pack("{ss sI so ss so}", "object_type", refs[i].object_type, "object_id",
						     (json_int_t)refs[i].object_id, "org_id",
						     org > 0 ? json_integer(org) : json_null(), "source", refs[i].source,
						     "linked_at", vg_json_time(refs[i].linked_at)));
	}
	json_object_set_new(j, "objects", arr);
	json_object_set_new(j, "objects_truncated", json_boolean(trunc));
	return j;
}

void vg_h_observable_get(vg_req *r)
{
	vg_observable o;
	json_t *j;
	vg_diag d;
	vg_diag_clear(&d);
	if (!load_visible(r, vg_req_param_id(r, "id"), &o))
		return;
	if (!(j = obs_detail(r, &o, &d))) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, j);
}

static vg_err tags_text(json_t *tags, char **out, vg_diag *d)
{
	size_t i;
	json_t *t;
	if (!json_is_array(tags))
		return vg_diag_set(d, VG_ERR_INVALID, "tags", "expected an array of strings");
	if (json_array_size(tags) > VG_OBS_TAGS_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, "tags", "at most %d tags", VG_OBS_TAGS_MAX);
	json_array_foreach(tags, i, t)
	{
		char f[32];
		snprintf(f, sizeof f, "tags[%zu]", i);
		if (!json_is_string(t))
			return vg_diag_set(d, VG_ERR_INVALID, f, "expected a string");
		if (vg_text_check(json_string_value(t), json_string_length(t), 1, VG_OBS_TAG_MAX, false, f, d))
			return VG_ERR_INVALID;
	}
	*out = json_dumps(tags, JSON_COMPACT);
	return *out ? VG_OK : vg_diag_set(d, VG_ERR_NOMEM, "tags", "out of memory");
}

void vg_h_observable_update(vg_req *r)
{
	static const char *const keys[] = {"ioc", "common", "common_reason", "tags", NULL};
	int64_t id = vg_req_param_id(r, "id");
	vg_observable o;
	bool ioc, common, has_ioc, has_common, has_reason;
	const char *reason = NULL;
	json_t *tags, *j = NULL;
	char *tagtxt = NULL;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	if (!load_visible(r, id, &o))
		return;
	if ((e = vg_json_only_keys(r->json, keys, &d)) || (e = vg_json_bool(r->json, "ioc", &ioc, &has_ioc, &d)) ||
	    (e = vg_json_bool(r->json, "common", &common, &has_common, &d)) ||
	    (e = vg_json_str(r->json, "common_reason", 0, 256, &reason, &has_reason, &d))) {
		vg_reply_diag(r, &d);
		return;
	}
	tags = json_object_get(r->json, "tags");
	if (tags && !json_is_null(tags) && tags_text(tags, &tagtxt, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if ((e = vg_db_begin(r->db, true, &d))) {
		free(tagtxt);
		vg_reply_diag(r, &d);
		return;
	}
	if (has_ioc)
		e = vg_obs_set_ioc(r->db, id, ioc, &d);
	if (!e && has_common)
		e = vg_obs_set_common(r->db, id, common, reason ? reason : (common ? "marked common by an analyst" : ""), &d);
	if (!e && tagtxt)
		e = vg_obs_set_tags(r->db, id, tagtxt, &d);
	if (!e)
		e = vg_req_audit(r, "observable.update", "observable", id, 0, r->json, &d);
	if (!e && !(e = vg_obs_get(r->db, id, r->arena, &o, &d)))
		j = obs_detail(r, &o, &d), e = j ? VG_OK : d.code;
	free(tagtxt);
	if (!vg_req_finish(r, e, &d)) {
		json_decref(j);
		return;
	}
	vg_reply_json(r, 200, j);
}

void vg_h_observable_extract(vg_req *r)
{
	static const char *const keys[] = {"text", NULL};
	const char *text;
	vg_obs_candidates c;
	json_t *arr, *out;
	vg_diag d;
	vg_diag_clear(&d);
	if (vg_json_only_keys(r->json, keys, &d) || vg_json_str(r->json, "text", 0, VG_OBS_TEXT_MAX, &text, NULL, &d) ||
	    vg_obs_extract(text, strlen(text), vg_obs_warnlist_default(), r->arena, &c, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < c.len; i++) {
		const vg_obs_candidate *x = &c.items[i];
		json_array_append_new(arr, json_pack("{ss ss ss sI sI sb so}", "type", vg_obs_type_name(x->type), "value",
						     x->value, "normalized", x->normalized, "offset", (json_int_t)x->offset,
						     "length", (json_int_t)x->length, "defanged", x->defanged, "common",
						     x->common ? json_string(x->common) : json_null()));
	}
	out = json_pack("{so sb}", "candidates", arr, "truncated", c.truncated);
	vg_reply_json(r, 200, out);
}

/* ---------------------------------------------------------------- /incidents/{id}/observables */

void vg_h_incident_observables_list(vg_req *r)
{
	int64_t id = vg_req_param_id(r, "id"), org = 0;
	vg_obs_linked *items;
	size_t n;
	json_t *arr;
	vg_diag d;
	vg_diag_clear(&d);
	if (!allow_incident(r, id, &org))
		return;
	if (vg_obs_list_for_object(r->db, VG_OBS_OBJ_INCIDENT, id, 0, r->arena, &items, &n, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *j = obs_json(r, &items[i].obs);
		json_object_set_new(j, "source", json_string(items[i].source));
		json_object_set_new(j, "linked_at", vg_json_time(items[i].linked_at));
		json_array_append_new(arr, j);
	}
	vg_reply_json(r, 200, json_pack("{sI so}", "incident_id", (json_int_t)id, "items", arr));
}

void vg_h_incident_observables_add(vg_req *r)
{
	static const char *const keys[] = {"observables", "source", NULL};
	static const char *const item_keys[] = {"type", "value", "ioc", NULL};
	int64_t id = vg_req_param_id(r, "id"), org = 0;
	json_t *list, *item, *arr = NULL, *detail = NULL;
	const char *source = NULL;
	bool has_source = false;
	size_t i;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	if (!allow_incident(r, id, &org))
		return;
	if ((e = vg_json_only_keys(r->json, keys, &d)) ||
	    (e = vg_json_array(r->json, "observables", OBS_BATCH_MAX, &list, NULL, &d)) ||
	    (e = vg_json_str(r->json, "source", 1, 32, &source, &has_source, &d))) {
		vg_reply_diag(r, &d);
		return;
	}
	if (!has_source || !source)
		source = "analyst";
	if (json_array_size(list) == 0) {
		vg_reply_error(r, VG_ERR_INVALID, "observables", "give at least one observable");
		return;
	}
	if (!vg_req_begin(r, &d))
		return;
	arr = json_array();
	detail = json_array();
	json_array_foreach(list, i, item)
	{
		char f[40];
		const char *type = NULL, *value = NULL;
		vg_obs_type t = VG_OBS__COUNT;
		bool ioc = false, has_ioc = false, created = false, has_type = false;
		int64_t oid = 0;
		vg_observable o;
		snprintf(f, sizeof f, "observables[%zu]", i);
		if (!json_is_object(item)) {
			e = vg_diag_set(&d, VG_ERR_INVALID, f, "expected an object {type, value}");
			break;
		}
		if ((e = vg_json_only_keys(item, item_keys, &d)) ||
		    (e = vg_json_str(item, "type", 1, 16, &type, &has_type, &d)) ||
		    (e = vg_json_str(item, "value", 1, VG_OBS_VALUE_MAX, &value, NULL, &d)) ||
		    (e = vg_json_bool(item, "ioc", &ioc, &has_ioc, &d))) {
			vg_diag_field_prefix(&d, f);
			break;
		}
		if (type && vg_obs_type_parse(type, &t)) {
			char ff[56];
			snprintf(ff, sizeof ff, "%s.type", f);
			e = vg_diag_set(&d, VG_ERR_INVALID, ff, "unknown observable type '%.20s'", type);
			break;
		}
		if ((e = vg_obs_link_value(r->db, t, value, strlen(value), VG_OBS_OBJ_INCIDENT, id, org, source,
					   vg_obs_warnlist_default(), cap_of(r), &oid, &created, &d))) {
			char ff[56];
			snprintf(ff, sizeof ff, "%s.value", f);
			if (d.field[0] == '\0' || strcmp(d.field, "value") == 0)
				snprintf(d.field, sizeof d.field, "%s", ff);
			break;
		}
		if (has_ioc && ioc && (e = vg_obs_set_ioc(r->db, oid, true, &d)))
			break;
		if ((e = vg_obs_get(r->db, oid, r->arena, &o, &d)))
			break;
		{
			json_t *j = obs_json(r, &o);
			json_object_set_new(j, "created", json_boolean(created));
			json_array_append_new(arr, j);
		}
		json_array_append_new(detail, json_pack("{ss ss sb}", "type", vg_obs_type_name(o.type), "value", o.value,
							"created", created));
	}
	if (!e) {
		json_t *det = json_pack("{so ss}", "observables", detail, "source", source);
		detail = NULL;
		e = vg_req_audit(r, "incident.observables.add", "incident", id, org, det, &d);
		json_decref(det);
	}
	json_decref(detail);
	if (!vg_req_finish(r, e, &d)) {
		json_decref(arr);
		return;
	}
	vg_reply_json(r, 201, json_pack("{sI so}", "incident_id", (json_int_t)id, "items", arr));
}

void vg_h_incident_observables_delete(vg_req *r)
{
	int64_t id = vg_req_param_id(r, "id"), oid = vg_req_param_id(r, "oid"), org = 0;
	vg_observable o;
	json_t *det;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	if (!allow_incident(r, id, &org))
		return;
	if (oid <= 0 || vg_obs_get(r->db, oid, r->arena, &o, &d)) {
		vg_reply_not_found(r);
		return;
	}
	if (!vg_req_begin(r, &d))
		return;
	e = vg_obs_unlink(r->db, oid, VG_OBS_OBJ_INCIDENT, id, &d);
	if (!e) {
		det = json_pack("{sI ss ss}", "observable_id", (json_int_t)oid, "type", vg_obs_type_name(o.type), "value",
				o.value);
		e = vg_req_audit(r, "incident.observables.remove", "incident", id, org, det, &d);
		json_decref(det);
	}
	if (e == VG_ERR_NOT_FOUND) {
		vg_db_rollback(r->db);
		vg_reply_not_found(r);
		return;
	}
	if (!vg_req_finish(r, e, &d))
		return;
	vg_reply_empty(r, 204);
}

/* ---------------------------------------------------------------- related incidents */

static void node(json_t *nodes, vg_map *seen, const char *id, json_t *attrs)
{
	if (vg_map_has(seen, id, strlen(id)) || vg_map_put(seen, id, strlen(id), NULL, NULL)) {
		json_decref(attrs);
		return;
	}
	json_object_set_new(attrs, "id", json_string(id));
	json_array_append_new(nodes, attrs);
}

/* Reference, title, status and severity of a related incident, for labels
 * (read from the incidents table of migration 0004; absent fields stay out). */
static void incident_labels(vg_req *r, int64_t id, json_t *a, json_t *b)
{
	static const char *const sql = "SELECT reference, title, status, severity FROM incidents WHERE id = ?";
	static const char *const names[] = {"reference", "title", "status", "severity"};
	vg_stmt *st;
	vg_diag d;
	if (vg_db_prepare(r->db, sql, &st, &d))
		return;
	vg_stmt_bind_int(st, 1, id);
	if (vg_stmt_step(st, &d) == VG_ROW)
		for (int i = 0; i < 4; i++) {
			json_object_set_new(a, names[i], json_string(vg_stmt_text(st, i)));
			if (b)
				json_object_set_new(b, names[i], json_string(vg_stmt_text(st, i)));
		}
	vg_stmt_done(st);
}

void vg_h_incident_related(vg_req *r)
{
	int64_t id = vg_req_param_id(r, "id"), org = 0, limit = 20;
	vg_obs_related_opts o = {0};
	vg_obs_related_result res;
	json_t *items, *nodes, *edges, *out;
	vg_map seen, eseen;
	char nid[48], nid2[48];
	vg_diag d;
	vg_diag_clear(&d);
	if (!vg_req_query_int(r, "limit", 1, VG_OBS_RELATED_MAX, &limit) || !allow_incident(r, id, &org))
		return;
	o.scope_org = vg_policy_org_scope(&r->actor);
	o.common_cap = cap_of(r);
	o.limit = (size_t)limit;
	if (vg_obs_related_find(r->db, VG_OBS_OBJ_INCIDENT, id, &o, r->arena, &res, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_map_init(&seen);
	vg_map_init(&eseen);
	items = json_array();
	nodes = json_array();
	edges = json_array();
	snprintf(nid, sizeof nid, "incident:%" PRId64, id);
	{
		json_t *root = json_pack("{ss sI sb}", "kind", "incident", "incident_id", (json_int_t)id, "root", 1);
		incident_labels(r, id, root, NULL);
		node(nodes, &seen, nid, root);
	}
	for (size_t i = 0; i < res.len; i++) {
		const vg_obs_related *x = &res.items[i];
		json_t *shared = json_array();
		char rid[48];
		json_t *item, *inode;
		/* a constituent sees every incident as its own organisation's */
		int64_t xorg = o.scope_org > 0 ? o.scope_org : x->org_id;
		snprintf(rid, sizeof rid, "incident:%" PRId64, x->object_id);
		item = json_pack("{sI so sf sI}", "incident_id", (json_int_t)x->object_id, "org_id",
				 xorg > 0 ? json_integer(xorg) : json_null(), "score", x->score, "shared_count",
				 (json_int_t)x->nshared);
		inode = json_pack("{ss sI so sf}", "kind", "incident", "incident_id", (json_int_t)x->object_id, "org_id",
				  xorg > 0 ? json_integer(xorg) : json_null(), "score", x->score);
		incident_labels(r, x->object_id, item, inode);
		node(nodes, &seen, rid, inode);
		for (size_t k = 0; k < x->nshared; k++) {
			const vg_obs_shared *s = &x->shared[k];
			char ekey[160];
			json_array_append_new(shared,
					      json_pack("{sI ss ss ss sI ss ss sI sf}", "observable_id",
							(json_int_t)s->observable_id, "type", vg_obs_type_name(s->type), "value",
							s->value, "via", s->via, "other_observable_id", (json_int_t)s->other_id,
							"other_type", vg_obs_type_name(s->other_type), "other_value",
							s->other_value, "df", (json_int_t)s->df, "weight", s->weight));
			snprintf(nid2, sizeof nid2, "observable:%" PRId64, s->observable_id);
			node(nodes, &seen, nid2,
			     json_pack("{ss sI ss ss}", "kind", "observable", "observable_id", (json_int_t)s->observable_id,
				       "type", vg_obs_type_name(s->type), "value", s->value));
			snprintf(ekey, sizeof ekey, "%s>%s", nid, nid2);
			if (!vg_map_has(&eseen, ekey, strlen(ekey)) && !vg_map_put(&eseen, ekey, strlen(ekey), NULL, NULL))
				json_array_append_new(edges, json_pack("{ss ss ss}", "source", nid, "target", nid2, "via", "holds"));
			if (s->other_id != s->observable_id) {
				char oid[48];
				snprintf(oid, sizeof oid, "observable:%" PRId64, s->other_id);
				node(nodes, &seen, oid,
				     json_pack("{ss sI ss ss}", "kind", "observable", "observable_id", (json_int_t)s->other_id,
					       "type", vg_obs_type_name(s->other_type), "value", s->other_value));
				snprintf(ekey, sizeof ekey, "%s>%s", nid2, oid);
				if (!vg_map_has(&eseen, ekey, strlen(ekey)) &&
				    !vg_map_put(&eseen, ekey, strlen(ekey), NULL, NULL))
					json_array_append_new(edges, json_pack("{ss ss ss}", "source", nid2, "target", oid, "via",
									       "cidr"));
				snprintf(nid2, sizeof nid2, "%s", oid);
			}
			snprintf(ekey, sizeof ekey, "%s>%s", nid2, rid);
			if (!vg_map_has(&eseen, ekey, strlen(ekey)) && !vg_map_put(&eseen, ekey, strlen(ekey), NULL, NULL))
				json_array_append_new(edges, json_pack("{ss ss ss sf}", "source", nid2, "target", rid, "via",
								       "holds", "weight", s->weight));
		}
		json_object_set_new(item, "shared", shared);
		json_array_append_new(items, item);
	}
	vg_map_fini(&seen);
	vg_map_fini(&eseen);
	out = json_pack("{sI sI sI sI so s{so so}}", "incident_id", (json_int_t)id, "common_cap", (json_int_t)o.common_cap,
			"values_used", (json_int_t)res.values_used, "values_common", (json_int_t)res.values_common,
			"items", items, "graph", "nodes", nodes, "edges", edges);
	vg_reply_json(r, 200, out);
}
