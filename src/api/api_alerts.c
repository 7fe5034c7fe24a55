/* Alert endpoints: list (filtered, scoped, cursor pages), one alert,
 * acknowledge, merge into an incident. Alerts are written by `vigie detect`
 * (src/alerts); constituents see their own organisation's alerts only. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "api/app.h"
#include "api/handlers_alerts.h"
#include "cases/cases.h"
#include "core/clock.h"
#include "core/json.h"
#include "observe/observe.h"

#define ALERT_COLS                                                                                                  \
	"id, rule_id, title, level, severity, author, tags, fingerprint, first_seen, last_seen, count, status, "     \
	"acknowledged_by, acknowledged_at, incident_id, org_id, created_at"

static json_t *parsed(const char *text, json_t *dflt)
{
	json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
	if (!j)
		return dflt;
	json_decref(dflt);
	return j;
}

static json_t *opt_int(vg_stmt *st, int col)
{
	return vg_stmt_is_null(st, col) ? json_null() : json_integer(vg_stmt_int(st, col));
}

/* One row of ALERT_COLS as JSON. */
static json_t *row_json(vg_stmt *st)
{
	json_t *j = json_object();
	json_object_set_new(j, "id", json_integer(vg_stmt_int(st, 0)));
	json_object_set_new(j, "rule_id", json_string(vg_stmt_text(st, 1)));
	json_object_set_new(j, "title", json_string(vg_stmt_text(st, 2)));
	json_object_set_new(j, "level", json_string(vg_stmt_text(st, 3)));
	json_object_set_new(j, "severity", json_string(vg_stmt_text(st, 4)));
	json_object_set_new(j, "author", json_string(vg_stmt_text(st, 5)));
	json_object_set_new(j, "tags", parsed(vg_stmt_text(st, 6), json_array()));
	json_object_set_new(j, "fingerprint", json_string(vg_stmt_text(st, 7)));
	json_object_set_new(j, "first_seen", vg_json_time(vg_stmt_int(st, 8)));
	json_object_set_new(j, "last_seen", vg_json_time(vg_stmt_int(st, 9)));
	json_object_set_new(j, "count", json_integer(vg_stmt_int(st, 10)));
	json_object_set_new(j, "status", json_string(vg_stmt_text(st, 11)));
	json_object_set_new(j, "acknowledged_by", opt_int(st, 12));
	json_object_set_new(j, "acknowledged_at",
			    vg_stmt_is_null(st, 13) ? json_null() : vg_json_time(vg_stmt_int(st, 13)));
	json_object_set_new(j, "incident_id", opt_int(st, 14));
	json_object_set_new(j, "org_id", opt_int(st, 15));
	json_object_set_new(j, "created_at", vg_json_time(vg_stmt_int(st, 16)));
	return j;
}

void vg_h_alert_list(vg_req *r)
{
	static const char *const sql =
		"SELECT " ALERT_COLS " FROM alerts WHERE (? = 0 OR id < ?) AND (? = '' OR status = ?) AND "
		"(? = '' OR severity = ?) AND (? = '' OR level = ?) AND (? = '' OR rule_id = ?) AND "
		"(? = 0 OR org_id = ?) AND (? = 0 OR org_id = ?) AND (? = 0 OR last_seen >= ?) AND "
		"(? = 0 OR last_seen < ?) AND (? = 0 OR created_at >= ?) AND (? = '' OR title LIKE ? ESCAPE '\\') "
		"ORDER BY id DESC LIMIT ?";
	static const char *const levels[] = {"informational", "low", "medium", "high", "critical", NULL};
	const char *status = vg_req_query(r, "status"), *sev = vg_req_query(r, "severity"),
		   *level = vg_req_query(r, "level"), *rule = vg_req_query(r, "rule"), *q = vg_req_query(r, "q");
	int64_t limit = VG_PAGE_DEFAULT, cursor = 0, org = 0, since = 0, until = 0, created_from = 0, scope, last = 0;
	char like[260];
	size_t n = 0, k = 0;
	vg_stmt *st;
	json_t *items, *out;
	int rc;
	bool lvl_ok = false;
	vg_diag d;
	vg_diag_clear(&d);
	if (!vg_req_query_int(r, "limit", 1, VG_PAGE_MAX, &limit) ||
	    !vg_req_query_int(r, "cursor", 0, INT64_MAX, &cursor) || !vg_req_query_int(r, "org_id", 1, INT64_MAX, &org) ||
	    !vg_req_query_time(r, "since", &since) || !vg_req_query_time(r, "until", &until))
		return;
	/* the console's dashboard asks for the alerts created since a date */
	if (!vg_req_query_time(r, "created_from", &created_from))
		return;
	status = status ? status : "";
	sev = sev ? sev : "";
	level = level ? level : "";
	rule = rule ? rule : "";
	q = q ? q : "";
	if (*status && !vg_alert_status_valid(status)) {
		vg_reply_error(r, VG_ERR_INVALID, "status", "expected new, acknowledged or merged");
		return;
	}
	if (*sev && !vg_alert_severity_valid(sev)) {
		vg_reply_error(r, VG_ERR_INVALID, "severity", "expected informational, low, medium, high or critical");
		return;
	}
	for (size_t i = 0; *level && levels[i]; i++)
		lvl_ok |= !strcmp(level, levels[i]);
	if (*level && !lvl_ok) {
		vg_reply_error(r, VG_ERR_INVALID, "level", "expected informational, low, medium, high or critical");
		return;
	}
	if (strlen(rule) > 256 || strlen(q) > 128) {
		vg_reply_error(r, VG_ERR_INVALID, strlen(rule) > 256 ? "rule" : "q", "too long");
		return;
	}
	if (*q) {
		size_t j = 0;
		like[j++] = '%';
		for (const char *p = q; *p && j < sizeof like - 3; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				like[j++] = '\\';
			like[j++] = *p;
		}
		like[j++] = '%';
		like[j] = '\0';
	} else {
		like[0] = '\0';
	}
	scope = vg_policy_org_scope(&r->actor);
	if (vg_db_prepare(r->db, sql, &st, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_stmt_bind_int(st, ++k, cursor);
	vg_stmt_bind_int(st, ++k, cursor);
	vg_stmt_bind_text(st, ++k, status, -1);
	vg_stmt_bind_text(st, ++k, status, -1);
	vg_stmt_bind_text(st, ++k, sev, -1);
	vg_stmt_bind_text(st, ++k, sev, -1);
	vg_stmt_bind_text(st, ++k, level, -1);
	vg_stmt_bind_text(st, ++k, level, -1);
	vg_stmt_bind_text(st, ++k, rule, -1);
	vg_stmt_bind_text(st, ++k, rule, -1);
	vg_stmt_bind_int(st, ++k, org);
	vg_stmt_bind_int(st, ++k, org);
	vg_stmt_bind_int(st, ++k, scope);
	vg_stmt_bind_int(st, ++k, scope);
	vg_stmt_bind_int(st, ++k, since);
	vg_stmt_bind_int(st, ++k, since);
	vg_stmt_bind_int(st, ++k, until);
	vg_stmt_bind_int(st, ++k, until);
	vg_stmt_bind_int(st, ++k, created_from);
	vg_stmt_bind_int(st, ++k, created_from);
	vg_stmt_bind_text(st, ++k, like, -1);
	vg_stmt_bind_text(st, ++k, like, -1);
	vg_stmt_bind_int(st, ++k, limit + 1);
	items = json_array();
	while ((rc = vg_stmt_step(st, &d)) == VG_ROW) {
		if (n == (size_t)limit)
			break;
		last = vg_stmt_int(st, 0);
		json_array_append_new(items, row_json(st));
		n++;
	}
	vg_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		vg_reply_diag(r, &d);
		return;
	}
	out = json_pack("{so}", "items", items);
	if (rc == VG_ROW) {
		char c[24];
		snprintf(c, sizeof c, "%" PRId64, last);
		json_object_set_new(out, "next_cursor", json_string(c));
	} else {
		json_object_set_new(out, "next_cursor", json_null());
	}
	vg_reply_json(r, 200, out);
}

/* Load an alert (summary fields) and ask the policy; false when a reply was sent. */
static bool load_alert(vg_req *r, int64_t id, json_t **out, int64_t *org)
{
	static const char *const sql = "SELECT " ALERT_COLS " FROM alerts WHERE id = ?";
	vg_object obj = {.type = "alert", .org_id = 0, .owner_id = 0, .tlp = -1};
	vg_stmt *st;
	vg_diag d;
	int rc;
	*out = NULL;
	vg_diag_clear(&d);
	if (id <= 0) {
		vg_reply_not_found(r);
		return false;
	}
	if (vg_db_prepare(r->db, sql, &st, &d)) {
		vg_reply_diag(r, &d);
		return false;
	}
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, &d);
	if (rc == VG_ROW) {
		*out = row_json(st);
		*org = vg_stmt_is_null(st, 15) ? 0 : vg_stmt_int(st, 15);
	}
	vg_stmt_done(st);
	if (rc < 0) {
		vg_reply_diag(r, &d);
		return false;
	}
	if (!*out) {
		vg_reply_not_found(r);
		return false;
	}
	obj.org_id = *org;
	if (!vg_req_allow(r, &obj)) {
		json_decref(*out);
		*out = NULL;
		return false;
	}
	return true;
}

/* Add the event, the matched fields and the observables to an alert's JSON. */
static vg_err detail(vg_req *r, json_t *j, vg_diag *d)
{
	static const char *const sql = "SELECT event, matched FROM alerts WHERE id = ?";
	int64_t id = json_integer_value(json_object_get(j, "id"));
	vg_obs_linked *obs;
	size_t n;
	vg_stmt *st;
	json_t *arr;
	int rc;
	vg_err e;
	if ((e = vg_db_prepare(r->db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, id);
	if ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		json_object_set_new(j, "event", parsed(vg_stmt_text(st, 0), json_object()));
		json_object_set_new(j, "matched", parsed(vg_stmt_text(st, 1), json_array()));
	}
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)rc;
	if ((e = vg_obs_list_for_object(r->db, VG_OBS_OBJ_ALERT, id, 0, r->arena, &obs, &n, d)))
		return e;
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{sI ss ss}", "id", (json_int_t)obs[i].obs.id, "type",
						     vg_obs_type_name(obs[i].obs.type), "value", obs[i].obs.value));
	json_object_set_new(j, "observables", arr);
	return VG_OK;
}

void vg_h_alert_get(vg_req *r)
{
	int64_t org = 0;
	json_t *j;
	vg_diag d;
	vg_diag_clear(&d);
	if (!load_alert(r, vg_req_param_id(r, "id"), &j, &org))
		return;
	if (detail(r, j, &d)) {
		json_decref(j);
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, j);
}

/* Reload after a change (inside the transaction) for the reply. */
static vg_err reload(vg_req *r, int64_t id, json_t **out, vg_diag *d)
{
	static const char *const sql = "SELECT " ALERT_COLS " FROM alerts WHERE id = ?";
	vg_stmt *st;
	vg_err e;
	int rc;
	*out = NULL;
	if ((e = vg_db_prepare(r->db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, id);
	if ((rc = vg_stmt_step(st, d)) == VG_ROW)
		*out = row_json(st);
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)rc;
	if (!*out)
		return vg_diag_set(d, VG_ERR_NOT_FOUND, NULL, "alert not found");
	if ((e = detail(r, *out, d))) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

void vg_h_alert_ack(vg_req *r)
{
	static const char *const sql = "UPDATE alerts SET status = 'acknowledged', acknowledged_by = ?, "
				       "acknowledged_at = ? WHERE id = ? AND status = 'new'";
	int64_t id = vg_req_param_id(r, "id"), org = 0;
	json_t *j, *det;
	const char *status;
	vg_stmt *st;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	if (!load_alert(r, id, &j, &org))
		return;
	status = json_string_value(json_object_get(j, "status"));
	if (status && !strcmp(status, "merged")) {
		json_decref(j);
		vg_reply_error(r, VG_ERR_CONFLICT, "status", "the alert is already merged into an incident");
		return;
	}
	json_decref(j);
	j = NULL;
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_db_prepare(r->db, sql, &st, &d))) {
		if (r->actor.user_id > 0)
			vg_stmt_bind_int(st, 1, r->actor.user_id);
		else
			vg_stmt_bind_null(st, 1);
		vg_stmt_bind_int(st, 2, vg_time_now_ms());
		vg_stmt_bind_int(st, 3, id);
		e = vg_stmt_exec(st, &d);
		vg_stmt_done(st);
	}
	if (!e && vg_db_changes(r->db) > 0) {
		det = json_pack("{ss}", "status", "acknowledged");
		e = vg_req_audit(r, "alert.ack", "alert", id, org, det, &d);
		json_decref(det);
	}
	if (!e)
		e = reload(r, id, &j, &d);
	if (!vg_req_finish(r, e, &d)) {
		json_decref(j);
		return;
	}
	vg_reply_json(r, 200, j);
}

/* Link every observable of the alert to the incident. */
static vg_err link_to_incident(vg_req *r, int64_t alert_id, int64_t inc, int64_t inc_org, size_t *linked,
			       vg_diag *d)
{
	vg_obs_linked *obs;
	size_t n;
	int64_t cap = r->app && r->app->cfg.correlation_common_cap > 1 ? r->app->cfg.correlation_common_cap : 100;
	vg_err e;
	*linked = 0;
	if ((e = vg_obs_list_for_object(r->db, VG_OBS_OBJ_ALERT, alert_id, 0, r->arena, &obs, &n, d)))
		return e;
	for (size_t i = 0; i < n; i++) {
		bool created = false;
		if ((e = vg_obs_link(r->db, obs[i].obs.id, VG_OBS_OBJ_INCIDENT, inc, inc_org, "alert", cap, &created, d)))
			return e;
		*linked += created;
	}
	return VG_OK;
}

void vg_h_alert_merge(vg_req *r)
{
	static const char *const keys[] = {"incident_id", "new_incident", "note", NULL};
	static const char *const sql =
		"UPDATE alerts SET status = 'merged', incident_id = ? WHERE id = ? AND status <> 'merged'";
	int64_t id = vg_req_param_id(r, "id"), org = 0, inc = 0, inc_org = 0;
	json_t *j = NULL, *newinc, *det;
	const char *status, *note = NULL, *title, *sev, *rule_id;
	bool has_inc = false, has_note = false, created_inc = false;
	size_t linked = 0;
	char body[1024];
	vg_object obj = {.type = "incident", .org_id = 0, .owner_id = 0, .tlp = -1};
	vg_stmt *st;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	if (!load_alert(r, id, &j, &org))
		return;
	if ((e = vg_json_only_keys(r->json, keys, &d)) ||
	    (e = vg_json_int(r->json, "incident_id", 1, INT64_MAX, &inc, &has_inc, &d)) ||
	    (e = vg_json_str(r->json, "note", 0, 4000, &note, &has_note, &d))) {
		json_decref(j);
		vg_reply_diag(r, &d);
		return;
	}
	newinc = json_object_get(r->json, "new_incident");
	if (newinc && json_is_null(newinc))
		newinc = NULL;
	if (newinc && !json_is_object(newinc)) {
		json_decref(j);
		vg_reply_error(r, VG_ERR_INVALID, "new_incident", "expected an object (the incident to create)");
		return;
	}
	if (!has_inc == !newinc) {
		json_decref(j);
		vg_reply_error(r, VG_ERR_INVALID, "incident_id", "give either incident_id or new_incident");
		return;
	}
	status = json_string_value(json_object_get(j, "status"));
	if (status && !strcmp(status, "merged")) {
		json_decref(j);
		vg_reply_error(r, VG_ERR_CONFLICT, "status", "the alert is already merged into an incident");
		return;
	}
	if (has_inc) {
		if (vg_incident_org(r->db, inc, &inc_org, &d)) {
			json_decref(j);
			if (d.code == VG_ERR_NOT_FOUND)
				vg_reply_error(r, VG_ERR_INVALID, "incident_id", "no such incident");
			else
				vg_reply_diag(r, &d);
			return;
		}
		obj.org_id = inc_org;
		if (vg_policy(&r->actor, VG_ACT_INCIDENT_WRITE, &obj) != VG_ALLOW) {
			json_decref(j);
			vg_reply_error(r, VG_ERR_INVALID, "incident_id", "no such incident");
			return;
		}
	} else if (!json_object_get(newinc, "org_id") && !json_object_get(newinc, "org_ids") && org > 0) {
		json_object_set_new(newinc, "org_id", json_integer(org));
	}
	title = json_string_value(json_object_get(j, "title"));
	sev = json_string_value(json_object_get(j, "severity"));
	rule_id = json_string_value(json_object_get(j, "rule_id"));
	snprintf(body, sizeof body, "Alert #%" PRId64 " merged: %s (rule %s, severity %s, seen %" PRId64 " times)%s%s", id,
		 title ? title : "", rule_id && *rule_id ? rule_id : "-", sev ? sev : "-",
		 (int64_t)json_integer_value(json_object_get(j, "count")), note && *note ? "\n\n" : "",
		 note ? note : "");
	json_decref(j);
	j = NULL;
	if (!vg_req_begin(r, &d))
		return;
	if (newinc) {
		if (!(e = vg_incident_create(r->db, newinc, NULL, &inc, &d))) {
			created_inc = true;
			if (!(e = vg_incident_org(r->db, inc, &inc_org, &d)))
				e = vg_req_audit(r, "incident.create", "incident", inc, inc_org, newinc, &d);
		} else {
			vg_diag_field_prefix(&d, "new_incident");
		}
	}
	if (!e)
		e = link_to_incident(r, id, inc, inc_org, &linked, &d);
	if (!e)
		e = vg_incident_journal_add(r->db, inc, "note", false, r->actor.user_id, body,
					    json_pack("{sI}", "alert_id", (json_int_t)id), NULL, &d);
	if (!e && !(e = vg_db_prepare(r->db, sql, &st, &d))) {
		vg_stmt_bind_int(st, 1, inc);
		vg_stmt_bind_int(st, 2, id);
		e = vg_stmt_exec(st, &d);
		vg_stmt_done(st);
		/* merged meanwhile by another request */
		if (!e && vg_db_changes(r->db) != 1)
			e = vg_diag_set(&d, VG_ERR_CONFLICT, "status", "the alert is already merged into an incident");
	}
	if (!e) {
		det = json_pack("{sI sb sI}", "incident_id", (json_int_t)inc, "new_incident", created_inc,
				"observables_linked", (json_int_t)linked);
		e = vg_req_audit(r, "alert.merge", "alert", id, org, det, &d);
		json_decref(det);
	}
	if (!e)
		e = reload(r, id, &j, &d);
	if (!vg_req_finish(r, e, &d)) {
		json_decref(j);
		return;
	}
	vg_reply_json(r, 200, j);
}

/* Bulk acknowledgement: every listed alert that is new becomes acknowledged,
 * in one transaction with one audit entry; a missing id refuses the whole
 * request (400 naming ids[i]); merged or already acknowledged alerts are
 * counted as skipped. */
void vg_h_alert_bulk_ack(vg_req *r)
{
	static const char *const keys[] = {"ids", NULL};
	static const char *const sql_get = "SELECT org_id, status FROM alerts WHERE id = ?";
	static const char *const sql_ack = "UPDATE alerts SET status = 'acknowledged', acknowledged_by = ?, "
					   "acknowledged_at = ? WHERE id = ? AND status = 'new'";
	json_t *list, *item, *done = NULL, *det;
	size_t i, skipped = 0;
	int64_t now = vg_time_now_ms();
	vg_stmt *st;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	if ((e = vg_json_only_keys(r->json, keys, &d)) || (e = vg_json_array(r->json, "ids", VG_PAGE_MAX, &list, NULL, &d))) {
		vg_reply_diag(r, &d);
		return;
	}
	if (json_array_size(list) == 0) {
		vg_reply_error(r, VG_ERR_INVALID, "ids", "give at least one alert id");
		return;
	}
	json_array_foreach(list, i, item)
	{
		if (!json_is_integer(item) || json_integer_value(item) < 1) {
			char f[24];
			snprintf(f, sizeof f, "ids[%zu]", i);
			vg_reply_error(r, VG_ERR_INVALID, f, "expected an alert id (a positive integer)");
			return;
		}
	}
	if (!vg_req_begin(r, &d))
		return;
	done = json_array();
	json_array_foreach(list, i, item)
	{
		int64_t id = json_integer_value(item), org = 0;
		vg_object obj = {.type = "alert", .org_id = 0, .owner_id = 0, .tlp = -1};
		bool found = false, is_new = false;
		int rc;
		if ((e = vg_db_prepare(r->db, sql_get, &st, &d)))
			break;
		vg_stmt_bind_int(st, 1, id);
		if ((rc = vg_stmt_step(st, &d)) == VG_ROW) {
			found = true;
			org = vg_stmt_is_null(st, 0) ? 0 : vg_stmt_int(st, 0);
			is_new = !strcmp(vg_stmt_text(st, 1), "new");
		}
		vg_stmt_done(st);
		if (rc < 0) {
			e = (vg_err)rc;
			break;
		}
		obj.org_id = org;
		if (!found || vg_policy(&r->actor, VG_ACT_ALERT_WRITE, &obj) != VG_ALLOW) {
			char f[24];
			snprintf(f, sizeof f, "ids[%zu]", i);
			e = vg_diag_set(&d, VG_ERR_INVALID, f, "no such alert");
			break;
		}
		if (!is_new) {
			skipped++;
			continue;
		}
		if ((e = vg_db_prepare(r->db, sql_ack, &st, &d)))
			break;
		if (r->actor.user_id > 0)
			vg_stmt_bind_int(st, 1, r->actor.user_id);
		else
			vg_stmt_bind_null(st, 1);
		vg_stmt_bind_int(st, 2, now);
		vg_stmt_bind_int(st, 3, id);
		e = vg_stmt_exec(st, &d);
		vg_stmt_done(st);
		if (e)
			break;
		if (vg_db_changes(r->db) > 0)
			json_array_append_new(done, json_integer(id));
		else
			skipped++;
	}
	if (!e && json_array_size(done) > 0) {
		det = json_pack("{sO}", "acknowledged", done);
		e = vg_req_audit(r, "alert.ack", "alert", 0, 0, det, &d);
		json_decref(det);
	}
	if (!vg_req_finish(r, e, &d)) {
		json_decref(done);
		return;
	}
	vg_reply_json(r, 200, json_pack("{so sI}", "acknowledged", done, "skipped", (json_int_t)skipped));
}
