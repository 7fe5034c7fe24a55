/* An incident as JSON: attributes, organisations, deadlines, and optionally
 * the journal (visible entries only for constituents), tasks, links and
 * attachments. */
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cases/inc.h"
#include "cases/internal.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"

static json_t *opt_id(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static vg_err orgs_json(vg_db *db, int64_t id, json_t **out, char nis2[16], vg_diag *d)
{
	static const char *sql = "SELECT o.id, o.name, o.kind, o.sector, o.nis2 FROM incident_orgs x "
				 "JOIN organisations o ON o.id = x.org_id WHERE x.incident_id = ? ORDER BY o.id LIMIT ?";
	json_t *a = json_array();
	vg_stmt *st;
	vg_err e;
	int rc;
	(void)nis2;
	if (!a)
		return VG_ERR_NOMEM;
	if ((e = vg_db_prepare(db, sql, &st, d))) {
		json_decref(a);
		return e;
	}
	vg_stmt_bind_int(st, 1, id);
	vg_stmt_bind_int(st, 2, VG_INCIDENT_ORGS_MAX);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW)
		json_array_append_new(a, json_pack("{sIssssssss}", "id", (json_int_t)vg_stmt_int(st, 0), "name",
						   vg_stmt_text(st, 1), "kind", vg_stmt_text(st, 2), "sector",
						   vg_stmt_text(st, 3), "nis2", vg_stmt_text(st, 4)));
	vg_stmt_done(st);
	if (rc < 0) {
		json_decref(a);
		return VG_ERR_DB;
	}
	*out = a;
	return VG_OK;
}

vg_err vg_incident_get_json(vg_db *db, int64_t id, bool visible_only, bool with_journal, json_t **out,
			    vg_diag *d)
{
	vg_deadline dl[VG_DEADLINES_MAX];
	json_t *o = NULL, *orgs = NULL, *sub = NULL;
	char *html = NULL;
	vg_inc x;
	int ndl = 0;
	vg_err e;

	if ((e = vg_inc_load(db, id, &x, d)))
		return e;
	if ((e = orgs_json(db, id, &orgs, NULL, d)) || (e = vg_incident_deadlines(db, id, dl, &ndl, d)))
		goto out;
	if (visible_only) { /* a constituent sees its own organisation, not the others concerned */
		for (size_t i = json_array_size(orgs); i-- > 0;)
			if (json_integer_value(json_object_get(json_array_get(orgs, i), "id")) != x.org_id)
				json_array_remove(orgs, i);
	}
	html = vg_markdown_html(x.description);
	o = json_pack("{sIsssssssosossssssssssss}", "id", (json_int_t)x.id, "reference", x.reference, "title", x.title,
		      "description", x.description, "description_html", json_string(html ? html : ""), "org_id",
		      opt_id(x.org_id), "taxonomy", x.taxonomy, "type", x.type, "severity",
		      vg_severity_names[x.severity], "tlp", vg_tlp_names[x.tlp], "pap", vg_pap_names[x.pap], "status",
		      vg_inc_status_names[x.status]);
	if (!o) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	json_object_set_new(o, "impact",
			    json_pack("{sssssssIsI}", "confidentiality", vg_impact_levels[x.impact[0]], "integrity",
				      vg_impact_levels[x.impact[1]], "availability", vg_impact_levels[x.impact[2]],
				      "systems_affected", (json_int_t)x.systems_affected, "users_affected",
				      (json_int_t)x.users_affected));
	json_object_set_new(o, "assignee_id", opt_id(x.assignee_id));
	json_object_set_new(o, "merged_into", opt_id(x.merged_into));
	json_object_set_new(o, "organisations", orgs);
	orgs = NULL;
	json_object_set_new(o, "created_at", vg_json_time(x.created_at));
	json_object_set_new(o, "updated_at", vg_json_time(x.updated_at));
	json_object_set_new(o, "detected_at", vg_json_time(x.detected_at));
	json_object_set_new(o, "awareness_at", vg_json_time(x.awareness_at));
	json_object_set_new(o, "acknowledged_at", vg_json_time(x.acknowledged_at));
	json_object_set_new(o, "first_advice_at", vg_json_time(x.first_advice_at));
	json_object_set_new(o, "closed_at", vg_json_time(x.closed_at));
	json_object_set_new(o, "nis2_early_warning_at", vg_json_time(x.nis2_ew_at));
	json_object_set_new(o, "nis2_notification_at", vg_json_time(x.nis2_notif_at));
	json_object_set_new(o, "nis2_final_report_at", vg_json_time(x.nis2_final_at));
	json_object_set_new(o, "paused", json_boolean(x.paused_since != 0));
	json_object_set_new(o, "paused_ms", json_integer(x.paused_ms + (x.paused_since && vg_time_now_ms() > x.paused_since
										  ? vg_time_now_ms() - x.paused_since
										  : 0)));
	json_object_set_new(o, "deadlines", vg_deadlines_to_json(dl, ndl));
	if (with_journal) {
		if ((e = vg_incident_journal_list(db, id, visible_only, 0, VG_PAGE_MAX, &sub, d)))
			goto out;
		json_object_set(o, "journal", json_object_get(sub, "items"));
		json_decref(sub);
		sub = NULL;
		if (!visible_only) { /* tasks are the CERT's own work */
			if ((e = vg_tasks_json(db, id, &sub, d)))
				goto out;
			json_object_set_new(o, "tasks", sub);
			sub = NULL;
		}
		if ((e = vg_attachments_json(db, "incident", id, visible_only, &sub, d)))
			goto out;
		json_object_set_new(o, "attachments", sub);
		sub = NULL;
		if (!visible_only) {
			if ((e = vg_incident_links_json(db, id, &sub, d)))
				goto out;
			json_object_set_new(o, "links", sub);
			sub = NULL;
		}
	}
out:
	free(html);
	json_decref(orgs);
	vg_inc_free(&x);
	if (e) {
		json_decref(o);
		return e;
	}
	*out = o;
	return VG_OK;
}
