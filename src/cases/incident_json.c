/* An incident as JSON: attributes, organisations, deadlines, and optionally
 * the journal (visible entries only for constituents), tasks, links and
 * attachments. */
#include <stdio.h>
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

/* The organisations concerned; *nis2 receives the primary organisation's
 * NIS2 class (its clocks), *found whether it was among them. */
static vg_err orgs_json(vg_db *db, int64_t id, int64_t primary, json_t **out, char nis2[16], bool *found, vg_diag *d)
{
	static const char *sql = "SELECT o.id, o.name, o.kind, o.sector, o.nis2 FROM incident_orgs x "
				 "JOIN organisations o ON o.id = x.org_id WHERE x.incident_id = ? ORDER BY o.id LIMIT ?";
	json_t *a = json_array();
	vg_stmt *st;
	vg_err e;
	int rc;
	*found = false;
	nis2[0] = '\0';
	if (!a)
		return VG_ERR_NOMEM;
	if ((e = vg_db_prepare(db, sql, &st, d))) {
		json_decref(a);
		return e;
	}
	vg_stmt_bind_int(st, 1, id);
	vg_stmt_bind_int(st, 2, VG_INCIDENT_ORGS_MAX);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		if (vg_stmt_int(st, 0) == primary) {
			snprintf(nis2, 16, "%s", vg_stmt_text(st, 4));
			*found = true;
		}
		json_array_append_new(a, json_pack("{sIssssssss}", "id", (json_int_t)vg_stmt_int(st, 0), "name",
						   vg_stmt_text(st, 1), "kind", vg_stmt_text(st, 2), "sector",
						   vg_stmt_text(st, 3), "nis2", vg_stmt_text(st, 4)));
	}
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
	return vg_incident_view_json(db, id, 0, visible_only, with_journal, out, d);
}

vg_err vg_incident_view_json(vg_db *db, int64_t id, int64_t viewer_org, bool visible_only, bool with_journal,
			     json_t **out, vg_diag *d)
{
	vg_deadline dl[VG_DEADLINES_MAX];
	json_t *o = NULL, *orgs = NULL, *sub = NULL;
	char *html = NULL, nis2[16];
	bool found = false;
	vg_inc x;
	int ndl = 0;
	vg_err e;

	if ((e = vg_inc_load(db, id, &x, d)))
		return e;
	if ((e = orgs_json(db, id, x.org_id, &orgs, nis2, &found, d)))
		goto out;
	if ((found || !x.org_id) && x.severity >= 0 && x.status >= 0) { /* the clocks from the row already read */
		vg_clock_input in = {.severity = vg_severity_names[x.severity], .status = vg_inc_status_names[x.status],
				     .nis2 = nis2, .created_at = x.created_at, .awareness_at = x.awareness_at,
				     .acknowledged_at = x.acknowledged_at, .first_advice_at = x.first_advice_at,
				     .nis2_early_warning_at = x.nis2_ew_at, .nis2_notification_at = x.nis2_notif_at,
				     .nis2_final_report_at = x.nis2_final_at, .paused_ms = x.paused_ms,
				     .paused_since = x.paused_since, .closed_at = x.closed_at};
		ndl = vg_clocks_compute(&in, vg_time_now_ms(), dl);
	} else if ((e = vg_incident_deadlines(db, id, dl, &ndl, d))) {
		goto out;
	}
	if (visible_only) { /* a constituent sees its own organisation, not the others concerned */
		int64_t keep = viewer_org > 0 ? viewer_org : x.org_id;
		for (size_t i = json_array_size(orgs); i-- > 0;)
			if (json_integer_value(json_object_get(json_array_get(orgs, i), "id")) != keep)
				json_array_remove(orgs, i);
		x.org_id = keep; /* a secondary organisation's view names itself, not the primary victim */
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
