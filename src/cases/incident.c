/* Incidents: create, update, status transitions (with the paused-time
 * accounting of "waiting"), merge and manual links. Each change runs in one
 * write transaction with its journal entry and, from the CLI, its audit entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cases/inc.h"
#include "cases/internal.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"
#include "observe/observe.h"

static const char *const create_keys[] = {"title", "description", "org_id", "org_ids", "taxonomy", "type",
					  "severity", "impact", "tlp", "pap", "assignee_id", "detected_at",
					  "awareness_at", NULL};
static const char *const update_keys[] = {"title", "description", "org_id", "org_ids", "taxonomy", "type",
					  "severity", "impact", "tlp", "pap", "assignee_id", "detected_at",
					  "awareness_at", "acknowledged", "first_advice", "nis2_early_warning",
					  "nis2_notification", "nis2_final_report", NULL};
static const char *const impact_keys[] = {"confidentiality", "integrity", "availability", "systems_affected",
					  "users_affected", NULL};

void vg_inc_free(vg_inc *x)
{
	if (!x)
		return;
	free(x->title);
	free(x->description);
	x->title = x->description = NULL;
}

#define INC_COLS                                                                                              \
	"id, reference, title, description, org_id, taxonomy, type, severity, impact_c, impact_i, impact_a, " \
	"systems_affected, users_affected, tlp, pap, status, assignee_id, created_at, updated_at, "          \
	"detected_at, awareness_at, acknowledged_at, first_advice_at, closed_at, nis2_early_warning_at, "     \
	"nis2_notification_at, nis2_final_report_at, paused_ms, paused_since, merged_into"

static int64_t col_i(vg_stmt *st, int c)
{
	return vg_stmt_is_null(st, c) ? 0 : vg_stmt_int(st, c);
}

vg_err vg_inc_load(vg_db *db, int64_t id, vg_inc *x, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	int rc;
	memset(x, 0, sizeof *x);
	if ((e = vg_db_prepare(db, "SELECT " INC_COLS " FROM incidents WHERE id = ?", &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc != VG_ROW) {
		vg_stmt_done(st);
		return rc < 0 ? VG_ERR_DB : vg_diag_set(d, VG_ERR_NOT_FOUND, NULL, "no such incident");
	}
	x->id = vg_stmt_int(st, 0);
	snprintf(x->reference, sizeof x->reference, "%s", vg_stmt_text(st, 1));
	x->title = strdup(vg_stmt_text(st, 2));
	x->description = strdup(vg_stmt_text(st, 3));
	x->org_id = col_i(st, 4);
	if (vg_rsit_check(vg_stmt_text(st, 5), vg_stmt_text(st, 6), &x->taxonomy, &x->type, NULL)) {
		x->taxonomy = "other";
		x->type = "undetermined";
	}
	x->severity = vg_cases_index_of(vg_severity_names, vg_stmt_text(st, 7));
	x->impact[0] = vg_cases_index_of(vg_impact_levels, vg_stmt_text(st, 8));
	x->impact[1] = vg_cases_index_of(vg_impact_levels, vg_stmt_text(st, 9));
	x->impact[2] = vg_cases_index_of(vg_impact_levels, vg_stmt_text(st, 10));
	x->systems_affected = col_i(st, 11);
	x->users_affected = col_i(st, 12);
	x->tlp = vg_tlp_parse(vg_stmt_text(st, 13));
	x->pap = vg_cases_index_of(vg_pap_names, vg_stmt_text(st, 14));
	x->status = vg_inc_status_parse(vg_stmt_text(st, 15));
	x->assignee_id = col_i(st, 16);
	x->created_at = col_i(st, 17);
	x->updated_at = col_i(st, 18);
	x->detected_at = col_i(st, 19);
	x->awareness_at = col_i(st, 20);
	x->acknowledged_at = col_i(st, 21);
	x->first_advice_at = col_i(st, 22);
	x->closed_at = col_i(st, 23);
	x->nis2_ew_at = col_i(st, 24);
	x->nis2_notif_at = col_i(st, 25);
	x->nis2_final_at = col_i(st, 26);
	x->paused_ms = col_i(st, 27);
	x->paused_since = col_i(st, 28);
	x->merged_into = col_i(st, 29);
	vg_stmt_done(st);
	if (!x->title || !x->description) {
		vg_inc_free(x);
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	}
	return VG_OK;
}

static void bind_opt(vg_stmt *st, int i, int64_t v)
{
	if (v)
		vg_stmt_bind_int(st, i, v);
	else
		vg_stmt_bind_null(st, i);
}

/* Write every column but id/reference/created_at (insert when x->id == 0). */
static vg_err inc_write(vg_db *db, vg_inc *x, vg_diag *d)
{
	static const char *ins =
		"INSERT INTO incidents(title, description, org_id, taxonomy, type, severity, impact_c, impact_i, "
		"impact_a, systems_affected, users_affected, tlp, pap, status, assignee_id, updated_at, detected_at, "
		"awareness_at, acknowledged_at, first_advice_at, closed_at, nis2_early_warning_at, "
		"nis2_notification_at, nis2_final_report_at, paused_ms, paused_since, merged_into, reference, "
		"created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
	static const char *upd =
		"UPDATE incidents SET title = ?, description = ?, org_id = ?, taxonomy = ?, type = ?, severity = ?, "
		"impact_c = ?, impact_i = ?, impact_a = ?, systems_affected = ?, users_affected = ?, tlp = ?, "
		"pap = ?, status = ?, assignee_id = ?, updated_at = ?, detected_at = ?, awareness_at = ?, "
		"acknowledged_at = ?, first_advice_at = ?, closed_at = ?, nis2_early_warning_at = ?, "
		"nis2_notification_at = ?, nis2_final_report_at = ?, paused_ms = ?, paused_since = ?, "
		"merged_into = ? WHERE id = ?";
	vg_stmt *st;
	vg_err e;
	if ((e = vg_db_prepare(db, x->id ? upd : ins, &st, d)))
		return e;
	vg_stmt_bind_text(st, 1, x->title, -1);
	vg_stmt_bind_text(st, 2, x->description, -1);
	bind_opt(st, 3, x->org_id);
	vg_stmt_bind_text(st, 4, x->taxonomy, -1);
	vg_stmt_bind_text(st, 5, x->type, -1);
	vg_stmt_bind_text(st, 6, vg_severity_names[x->severity], -1);
	for (int i = 0; i < 3; i++)
		vg_stmt_bind_text(st, 7 + i, vg_impact_levels[x->impact[i]], -1);
	vg_stmt_bind_int(st, 10, x->systems_affected);
	vg_stmt_bind_int(st, 11, x->users_affected);
	vg_stmt_bind_text(st, 12, vg_tlp_names[x->tlp], -1);
	vg_stmt_bind_text(st, 13, vg_pap_names[x->pap], -1);
	vg_stmt_bind_text(st, 14, vg_inc_status_names[x->status], -1);
	bind_opt(st, 15, x->assignee_id);
	vg_stmt_bind_int(st, 16, x->updated_at);
	bind_opt(st, 17, x->detected_at);
	vg_stmt_bind_int(st, 18, x->awareness_at);
	bind_opt(st, 19, x->acknowledged_at);
	bind_opt(st, 20, x->first_advice_at);
	bind_opt(st, 21, x->closed_at);
	bind_opt(st, 22, x->nis2_ew_at);
	bind_opt(st, 23, x->nis2_notif_at);
	bind_opt(st, 24, x->nis2_final_at);
	vg_stmt_bind_int(st, 25, x->paused_ms);
	bind_opt(st, 26, x->paused_since);
	bind_opt(st, 27, x->merged_into);
	if (x->id) {
		vg_stmt_bind_int(st, 28, x->id);
	} else {
		vg_stmt_bind_text(st, 28, x->reference, -1);
		vg_stmt_bind_int(st, 29, x->created_at);
	}
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (!e && !x->id)
		x->id = vg_db_last_id(db);
	return e;
}

static vg_err exists(vg_db *db, const char *sql, int64_t id, bool *found, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	*found = rc == VG_ROW;
	return VG_OK;
}

static vg_err check_org(vg_db *db, int64_t org_id, const char *field, vg_diag *d)
{
	bool f;
	vg_err e = exists(db, "SELECT 1 FROM organisations WHERE id = ?", org_id, &f, d);
	if (!e && !f)
		e = vg_diag_set(d, VG_ERR_INVALID, field, "no organisation %lld", (long long)org_id);
	return e;
}

static vg_err enum_field(json_t *doc, const char *key, const char *const *names, int *out, vg_diag *d)
{
	const char *s;
	bool p;
	vg_err e = vg_json_enum(doc, key, names, &s, &p, d);
	if (!e && p)
		*out = vg_cases_index_of(names, s);
	return e;
}

/* Apply the fields of doc to x (creating: title required). Also collects org_ids. */
static vg_err inc_apply(vg_db *db, vg_inc *x, json_t *doc, bool creating, json_t **org_ids, vg_diag *d)
{
	const char *s, *tax = NULL, *type = NULL;
	bool p, ptax = false, ptype = false;
	json_t *v;
	int64_t n;
	vg_err e;

	if (!json_is_object(doc))
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "an incident must be a JSON object");
	if ((e = vg_json_only_keys(doc, creating ? create_keys : update_keys, d)))
		return e;
	if ((e = vg_json_str(doc, "title", 1, 512, &s, creating ? NULL : &p, d)))
		return e;
	if (creating || p) {
		char *t = strdup(s);
		if (!t)
			return VG_ERR_NOMEM;
		free(x->title);
		x->title = t;
	}
	if ((e = vg_json_str(doc, "description", 0, VG_FIELD_NOTES_MAX, &s, &p, d)))
		return e;
	if (p) {
		char *t = strdup(s);
		if (!t)
			return VG_ERR_NOMEM;
		free(x->description);
		x->description = t;
	}
	if ((e = vg_json_int(doc, "org_id", 1, INT64_MAX, &n, &p, d)))
		return e;
	if (p) {
		if ((e = check_org(db, n, "org_id", d)))
			return e;
		x->org_id = n;
	}
	if ((e = vg_json_array(doc, "org_ids", VG_INCIDENT_ORGS_MAX, org_ids, &p, d)))
		return e;
	if (!p)
		*org_ids = NULL;
	if ((e = vg_json_str(doc, "taxonomy", 1, 64, &tax, &ptax, d)) ||
	    (e = vg_json_str(doc, "type", 1, 64, &type, &ptype, d)))
		return e;
	if (ptax || ptype) {
		if (!ptype && ptax) /* taxonomy alone: keep the type if it fits, else undetermined */
			type = strcmp(tax, x->taxonomy) == 0 ? x->type : "undetermined";
		if ((e = vg_rsit_check(tax, type, &x->taxonomy, &x->type, d)))
			return e;
	}
	if ((e = enum_field(doc, "severity", vg_severity_names, &x->severity, d)) ||
	    (e = enum_field(doc, "pap", vg_pap_names, &x->pap, d)))
		return e;
	if ((e = vg_json_str(doc, "tlp", 1, 32, &s, &p, d)))
		return e;
	if (p) {
		int t = vg_tlp_parse(s);
		if (t < 0)
			return vg_diag_set(d, VG_ERR_INVALID, "tlp", "TLP must be clear, green, amber, amber+strict or red");
		x->tlp = t;
	}
	if ((v = json_object_get(doc, "impact")) && !json_is_null(v)) {
		if (!json_is_object(v))
			return vg_diag_set(d, VG_ERR_INVALID, "impact", "expected an object");
		if ((e = vg_json_only_keys(v, impact_keys, d)) ||
		    (e = enum_field(v, "confidentiality", vg_impact_levels, &x->impact[0], d)) ||
		    (e = enum_field(v, "integrity", vg_impact_levels, &x->impact[1], d)) ||
		    (e = enum_field(v, "availability", vg_impact_levels, &x->impact[2], d))) {
			vg_diag_field_prefix(d, "impact");
			return e;
		}
		if ((e = vg_json_int(v, "systems_affected", 0, INT32_MAX, &n, &p, d))) {
			vg_diag_field_prefix(d, "impact");
			return e;
		}
		if (p)
			x->systems_affected = n;
		if ((e = vg_json_int(v, "users_affected", 0, INT32_MAX, &n, &p, d))) {
			vg_diag_field_prefix(d, "impact");
			return e;
		}
		if (p)
			x->users_affected = n;
	}
	v = json_object_get(doc, "assignee_id");
	if (v && json_is_null(v) && !creating) {
		x->assignee_id = 0;
	} else {
		if ((e = vg_json_int(doc, "assignee_id", 1, INT64_MAX, &n, &p, d)))
			return e;
		if (p) {
			bool f;
			if ((e = exists(db, "SELECT 1 FROM users WHERE id = ? AND role IN ('admin', 'analyst')", n, &f,
					d)))
				return e;
			if (!f)
				return vg_diag_set(d, VG_ERR_INVALID, "assignee_id", "no CERT user %lld", (long long)n);
			x->assignee_id = n;
		}
	}
	if ((e = vg_cases_json_time(doc, "detected_at", &x->detected_at, &p, d)) ||
	    (e = vg_cases_json_time(doc, "awareness_at", &x->awareness_at, &p, d)))
		return e;
	if (!creating) {
		static const char *const stamps[] = {"acknowledged", "first_advice", "nis2_early_warning",
						     "nis2_notification", "nis2_final_report"};
		int64_t *dst[] = {&x->acknowledged_at, &x->first_advice_at, &x->nis2_ew_at, &x->nis2_notif_at,
				  &x->nis2_final_at};
		for (int i = 0; i < 5; i++) {
			bool b;
			if ((e = vg_json_bool(doc, stamps[i], &b, &p, d)))
				return e;
			if (p)
				*dst[i] = b ? (*dst[i] ? *dst[i] : vg_time_now_ms()) : 0;
		}
	}
	return VG_OK;
}

static vg_err add_orgs(vg_db *db, vg_inc *x, json_t *org_ids, vg_diag *d)
{
	size_t i;
	json_t *v;
	vg_err e;
	json_array_foreach(org_ids, i, v) {
		int64_t o = json_is_integer(v) ? json_integer_value(v) : 0;
		char f[32];
		snprintf(f, sizeof f, "org_ids[%zu]", i);
		if (o <= 0)
			return vg_diag_set(d, VG_ERR_INVALID, f, "expected an organisation id");
		if ((e = check_org(db, o, f, d)))
			return e;
		if ((e = vg_cases_exec(db, "INSERT OR IGNORE INTO incident_orgs(incident_id, org_id) VALUES (?, ?)", d,
				       "ii", x->id, o)))
			return e;
	}
	if (x->org_id)
		return vg_cases_exec(db, "INSERT OR IGNORE INTO incident_orgs(incident_id, org_id) VALUES (?, ?)", d,
				     "ii", x->id, x->org_id);
	return VG_OK;
}

static vg_err index_incident(vg_db *db, const vg_inc *x, vg_diag *d)
{
	return vg_search_index_doc(db, "incident", x->id, x->org_id, x->id, true, x->title, x->description, d);
}

vg_err vg_incident_create(vg_db *db, json_t *doc, const vg_audit_ctx *ac, int64_t *id, vg_diag *d)
{
	vg_inc x;
	json_t *org_ids = NULL;
	int64_t now = vg_time_now_ms();
	vg_err e;

	memset(&x, 0, sizeof x);
	x.description = strdup("");
	x.taxonomy = "other";
	x.type = "undetermined";
	x.severity = 1;
	x.tlp = VG_TLP_AMBER;
	x.pap = 2;
	x.status = VG_INC_NEW;
	x.created_at = x.updated_at = x.awareness_at = now;
	if (!x.description)
		return VG_ERR_NOMEM;
	if ((e = vg_cases_begin(db, d))) {
		vg_inc_free(&x);
		return e;
	}
	if (!(e = inc_apply(db, &x, doc, true, &org_ids, d)))
		e = vg_ref_next(db, VG_REF_KIND_SHARED, vg_cases_year(now), x.reference, d);
	if (!e)
		e = inc_write(db, &x, d);
	if (!e)
		e = add_orgs(db, &x, org_ids, d);
	if (!e)
		e = vg_search_index_new(db, "incident", x.id, x.org_id, x.id, true, x.title, x.description, d);
	if (!e)
		e = vg_journal_insert(db, x.id, x.org_id, "status", true, ac ? ac->actor_id : 0, "Incident opened.",
				      NULL, NULL, d);
	if (!e)
		e = vg_cases_audit(db, ac, "incident.create", "incident", x.id, x.org_id,
				   json_pack("{ssss}", "reference", x.reference, "title", x.title), d);
	e = vg_db_end(db, e, d);
	if (!e && id)
		*id = x.id;
	vg_inc_free(&x);
	return e;
}

/* The organisations changed: journal documents follow the primary one, every
 * document's scope names all of them, observables follow the primary one. */
static vg_err rescope_incident(vg_db *db, int64_t id, int64_t org, vg_diag *d)
{
	vg_err e = vg_cases_exec(db, "UPDATE search_docs SET org_id = ? WHERE kind = 'journal' AND incident_id = ?", d, "ii",
				 org, id);
	if (!e)
		e = vg_search_rescope_incident(db, id, d);
	if (!e)
		e = vg_obs_set_object_org(db, VG_OBS_OBJ_INCIDENT, id, org, d);
	return e;
}

vg_err vg_incident_update(vg_db *db, int64_t id, json_t *doc, const vg_audit_ctx *ac, vg_diag *d)
{
	vg_inc x;
	json_t *org_ids = NULL;
	vg_err e;
	if ((e = vg_cases_begin(db, d)))
		return e;
	if (!(e = vg_inc_load(db, id, &x, d))) {
		int64_t old_org = x.org_id;
		if (!(e = inc_apply(db, &x, doc, false, &org_ids, d))) {
			x.updated_at = vg_time_now_ms();
			e = inc_write(db, &x, d);
		}
		/* org_ids replaces the set of organisations concerned (the primary
		 * one always in it); a new primary organisation replaces the old one */
		if (!e && org_ids)
			e = vg_cases_exec(db, "DELETE FROM incident_orgs WHERE incident_id = ?", d, "i", id);
		else if (!e && x.org_id != old_org && old_org)
			e = vg_cases_exec(db, "DELETE FROM incident_orgs WHERE incident_id = ? AND org_id = ?", d, "ii", id,
					  old_org);
		if (!e)
			e = add_orgs(db, &x, org_ids, d);
		if (!e)
			e = index_incident(db, &x, d);
		if (!e && (x.org_id != old_org || org_ids)) /* its documents and observables follow */
			e = rescope_incident(db, id, x.org_id, d);
		if (!e)
			e = vg_cases_audit(db, ac, "incident.update", "incident", id, x.org_id, json_incref(doc), d);
		vg_inc_free(&x);
	}
	return vg_db_end(db, e, d);
}

/* Leave "waiting": the pause ends and is accumulated. */
static void pause_end(vg_inc *x, int64_t now)
{
	if (x->paused_since) {
		if (now > x->paused_since)
			x->paused_ms += now - x->paused_since;
		x->paused_since = 0;
	}
}

vg_err vg_incident_set_status(vg_db *db, int64_t id, const char *status, int64_t author_user_id,
			      const char *note, const vg_audit_ctx *ac, vg_diag *d)
{
	int to = vg_inc_status_parse(status);
	int64_t now = vg_time_now_ms();
	vg_inc x;
	int from;
	char body[160];
	vg_err e;

	if (to < 0)
		return vg_diag_set(d, VG_ERR_INVALID, "status", "unknown status '%.40s'", status ? status : "");
	if ((e = vg_cases_begin(db, d)))
		return e;
	if ((e = vg_inc_load(db, id, &x, d)))
		return vg_db_end(db, e, d);
	from = x.status;
	if (x.merged_into)
		e = vg_diag_set(d, VG_ERR_CONFLICT, "status", "incident was merged into another one");
	else if (!vg_inc_transition_allowed((vg_inc_status)from, (vg_inc_status)to))
		e = vg_diag_set(d, VG_ERR_CONFLICT, "status", "cannot go from %s to %s", vg_inc_status_names[from],
				vg_inc_status_names[to]);
	if (!e) {
		if (from == VG_INC_WAITING)
			pause_end(&x, now);
		if (to == VG_INC_WAITING)
			x.paused_since = now;
		if (from == VG_INC_NEW && !x.acknowledged_at)
			x.acknowledged_at = now;
		x.closed_at = to == VG_INC_CLOSED ? now : 0;
		x.status = to;
		x.updated_at = now;
		e = inc_write(db, &x, d);
	}
	snprintf(body, sizeof body, "Status changed from %s to %s.", vg_inc_status_names[from],
		 vg_inc_status_names[to]);
	if (!e)
		e = vg_incident_journal_add(db, id, "status", true, author_user_id, body,
					    json_pack("{ssss}", "from", vg_inc_status_names[from], "to",
						      vg_inc_status_names[to]),
					    NULL, d);
	if (!e && note && *note)
		e = vg_incident_journal_add(db, id, "note", false, author_user_id, note, NULL, NULL, d);
	if (!e)
		e = vg_cases_audit(db, ac, "incident.status", "incident", id, x.org_id,
				   json_pack("{ssss}", "from", vg_inc_status_names[from], "to", vg_inc_status_names[to]),
				   d);
	vg_inc_free(&x);
	return vg_db_end(db, e, d);
}

vg_err vg_incident_scope_org(vg_db *db, int64_t id, int64_t viewer_org, int64_t *org_id, vg_diag *d)
{
	static const char *sql = "SELECT i.org_id, EXISTS (SELECT 1 FROM incident_orgs x WHERE x.incident_id = i.id "
				 "AND x.org_id = ?) FROM incidents i WHERE i.id = ?";
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, viewer_org);
	vg_stmt_bind_int(st, 2, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		*org_id = viewer_org > 0 && (col_i(st, 0) == viewer_org || vg_stmt_int(st, 1)) ? viewer_org : col_i(st, 0);
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	return rc == VG_ROW ? VG_OK : vg_diag_set(d, VG_ERR_NOT_FOUND, NULL, "no such incident");
}

vg_err vg_incident_org(vg_db *db, int64_t id, int64_t *org_id, vg_diag *d)
{
	return vg_incident_scope_org(db, id, 0, org_id, d); /* no viewer: the primary organisation */
}

vg_err vg_incident_by_ref(vg_db *db, const char *ref, int64_t *id, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_db_prepare(db, "SELECT id FROM incidents WHERE reference = ?", &st, d)))
		return e;
	vg_stmt_bind_text(st, 1, ref, -1);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		*id = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	return rc == VG_ROW ? VG_OK : vg_diag_set(d, VG_ERR_NOT_FOUND, NULL, "no such incident");
}
