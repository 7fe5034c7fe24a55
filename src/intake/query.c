/* Reading reports: one report with its thread, attachments and mail; lists
 * filtered by status, source, organisation, dates and full text, scoped. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "core/json.h"
#include "intake/intake.h"
#include "intake/internal.h"

#define REPORT_COLS                                                                                         \
	"id, reference, source, reporter_name, reporter_email, coalesce(org_id, 0), subject, body, message_id,"  \
	" status, decision, coalesce(partner_org_id, 0), coalesce(incident_id, 0), coalesce(decided_by, 0),"      \
	" decided_by_name, coalesce(decided_at, 0), decision_notes, suggestion, sig_status, sig_fingerprint,"     \
	" encrypted, parse_error, raw_sha256, raw_size, created_at, updated_at, rsit_type, coalesce(detected_at, 0),"  \
	" systems_affected, nis2_stage"

static json_t *id_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *row_json(vg_stmt *st, bool full)
{
	json_t *o = json_object(), *sugg;
	json_object_set_new(o, "id", json_integer(vg_stmt_int(st, 0)));
	json_object_set_new(o, "reference", json_string(vg_stmt_text(st, 1)));
	json_object_set_new(o, "source", json_string(vg_stmt_text(st, 2)));
	json_object_set_new(o, "reporter", json_pack("{ss ss}", "name", vg_stmt_text(st, 3), "email", vg_stmt_text(st, 4)));
	json_object_set_new(o, "org_id", id_or_null(vg_stmt_int(st, 5)));
	json_object_set_new(o, "subject", json_string(vg_stmt_text(st, 6)));
	if (full) {
		json_object_set_new(o, "body", json_string(vg_stmt_text(st, 7)));
		json_object_set_new(o, "message_id", json_string(vg_stmt_text(st, 8)));
	}
	json_object_set_new(o, "status", json_string(vg_stmt_text(st, 9)));
	json_object_set_new(o, "decision", json_string(vg_stmt_text(st, 10)));
	json_object_set_new(o, "partner_org_id", id_or_null(vg_stmt_int(st, 11)));
	json_object_set_new(o, "incident_id", id_or_null(vg_stmt_int(st, 12)));
	json_object_set_new(o, "decided_by", id_or_null(vg_stmt_int(st, 13)));
	json_object_set_new(o, "decided_by_name", json_string(vg_stmt_text(st, 14)));
	json_object_set_new(o, "decided_at", vg_json_time(vg_stmt_int(st, 15)));
	json_object_set_new(o, "decision_notes", json_string(vg_stmt_text(st, 16)));
	sugg = json_loads(vg_stmt_text(st, 17), 0, NULL);
	json_object_set(o, "suggested_decision",
			sugg && json_object_get(sugg, "decision") ? json_object_get(sugg, "decision") : json_null());
	if (full)
		json_object_set_new(o, "suggestion", sugg ? sugg : json_object());
	else
		json_decref(sugg);
	json_object_set_new(o, "signature", json_pack("{ss ss}", "status", vg_stmt_text(st, 18), "fingerprint",
						      vg_stmt_text(st, 19)));
	json_object_set_new(o, "encrypted", json_boolean(vg_stmt_int(st, 20)));
	json_object_set_new(o, "parse_error", vg_stmt_text(st, 21)[0] ? json_string(vg_stmt_text(st, 21)) : json_null());
	if (full) {
		json_object_set_new(o, "raw_sha256", json_string(vg_stmt_text(st, 22)));
		json_object_set_new(o, "raw_size", json_integer(vg_stmt_int(st, 23)));
	}
	json_object_set_new(o, "created_at", vg_json_time(vg_stmt_int(st, 24)));
	json_object_set_new(o, "updated_at", vg_json_time(vg_stmt_int(st, 25)));
	/* the structured answers of the form; null when not given */
	json_object_set_new(o, "rsit_type", vg_stmt_text(st, 26)[0] ? json_string(vg_stmt_text(st, 26)) : json_null());
	json_object_set_new(o, "detected_at", vg_json_time(vg_stmt_int(st, 27)));
	json_object_set_new(o, "systems_affected",
			    vg_stmt_text(st, 28)[0] ? json_string(vg_stmt_text(st, 28)) : json_null());
	json_object_set_new(o, "nis2_stage", vg_stmt_text(st, 29)[0] ? json_string(vg_stmt_text(st, 29)) : json_null());
	return o;
}

vg_err vg_intake_report_int(vg_db *db, const char *sql, int64_t id, int64_t *out, vg_diag *d)
{
	vg_stmt *st;
	int rc;
	vg_err e = vg_db_prepare(db, sql, &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		*out = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	return rc == VG_ROW ? VG_OK : vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no report %lld", (long long)id);
}

vg_err vg_report_org(vg_db *db, int64_t id, int64_t *org_id, vg_diag *d)
{
	return vg_intake_report_int(db, "SELECT coalesce(org_id, 0) FROM reports WHERE id = ?", id, org_id, d);
}

static vg_err messages_json(vg_db *db, int64_t id, json_t **out, vg_diag *d)
{
	vg_stmt *st;
	int rc;
	vg_err e = vg_db_prepare(db,
				 "SELECT id, direction, message_id, sender, subject, body, parse_error, created_at"
				 " FROM report_messages WHERE report_id = ? ORDER BY id LIMIT ?",
				 &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, id);
	vg_stmt_bind_int(st, 2, VG_PAGE_MAX);
	*out = json_array();
	while ((rc = vg_stmt_step(st, d)) == VG_ROW)
		json_array_append_new(*out, json_pack("{sI ss ss ss ss ss so so}", "id", (json_int_t)vg_stmt_int(st, 0),
						       "direction", vg_stmt_text(st, 1), "message_id", vg_stmt_text(st, 2),
						       "from", vg_stmt_text(st, 3), "subject", vg_stmt_text(st, 4), "body",
						       vg_stmt_text(st, 5), "parse_error",
						       vg_stmt_text(st, 6)[0] ? json_string(vg_stmt_text(st, 6)) : json_null(),
						       "created_at", vg_json_time(vg_stmt_int(st, 7))));
	vg_stmt_done(st);
	return rc < 0 ? VG_ERR_DB : VG_OK;
}

vg_err vg_report_get_json(vg_db *db, int64_t id, bool with_details, json_t **out, vg_diag *d)
{
	vg_stmt *st;
	json_t *o = NULL, *x = NULL;
	int rc;
	vg_err e = vg_db_prepare(db, "SELECT " REPORT_COLS " FROM reports WHERE id = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		o = row_json(st, true);
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	if (!o)
		return vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no report %lld", (long long)id);
	if (with_details) {
		if ((e = messages_json(db, id, &x, d)))
			goto fail;
		json_object_set_new(o, "messages", x);
		if ((e = vg_attachments_json(db, "report", id, false, &x, d)))
			goto fail;
		json_object_set_new(o, "attachments", x);
		if ((e = vg_outbox_list_json(db, NULL, "report", id, VG_PAGE_MAX, &x, d)))
			goto fail;
		json_object_set(o, "outbox", json_object_get(x, "items"));
		json_decref(x);
	}
	*out = o;
	return VG_OK;
fail:
	json_decref(o);
	return e;
}

static const char *const statuses[] = {"new", "in_scope", "forwarded", "referred", "merged", "incident", NULL};
static const char *const sources[] = {"api", "form", "email", NULL};

static bool in_list(const char *const *l, const char *s)
{
	for (; *l; l++)
		if (!strcmp(*l, s))
			return true;
	return false;
}

vg_err vg_report_list_json(vg_db *db, const vg_report_filter *f, json_t **out, vg_diag *d)
{
	vg_stmt *st;
	json_t *items, *hits = NULL, *ids = NULL;
	int limit = f->limit > 0 && f->limit <= VG_PAGE_MAX ? f->limit : VG_PAGE_DEFAULT;
	int rc, n = 0;
	int64_t last = 0;
	char *ids_txt = NULL;
	vg_err e;

	if (f->status && *f->status && !in_list(statuses, f->status))
		return vg_diag_set(d, VG_ERR_INVALID, "status", "must be one of new, in_scope, forwarded, referred, merged, incident");
	if (f->source && *f->source && !in_list(sources, f->source))
		return vg_diag_set(d, VG_ERR_INVALID, "source", "must be api, form or email");
	if (f->scope_org_id < 0) {
		*out = json_pack("{s[] so}", "items", "next_cursor", json_null());
		return VG_OK;
	}
	if (f->q && *f->q) {
		/* full text first (scoped), then the other filters on the hits */
		if ((e = vg_search_json(db, f->q, "report", f->scope_org_id, VG_PAGE_MAX, &hits, d)))
			return e;
		ids = json_array();
		for (size_t i = 0; i < json_array_size(hits); i++)
			json_array_append(ids, json_object_get(json_array_get(hits, i), "id"));
		ids_txt = json_dumps(ids, JSON_COMPACT);
		json_decref(ids);
		json_decref(hits);
		if (!ids_txt)
			return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	}
	e = vg_db_prepare(db,
			  "SELECT " REPORT_COLS " FROM reports WHERE (? = 0 OR id < ?) AND (? IS NULL OR status = ?)"
			  " AND (? IS NULL OR source = ?) AND (? = 0 OR org_id = ?) AND (? = 0 OR org_id = ?)"
			  " AND (? = 0 OR created_at >= ?) AND (? = 0 OR created_at < ?)"
			  " AND (? IS NULL OR id IN (SELECT value FROM json_each(?)))"
			  " ORDER BY id DESC LIMIT ?",
			  &st, d);
	if (e) {
		free(ids_txt);
		return e;
	}
	vg_stmt_bind_int(st, 1, f->after_id);
	vg_stmt_bind_int(st, 2, f->after_id);
	vg_stmt_bind_text(st, 3, f->status && *f->status ? f->status : NULL, -1);
	vg_stmt_bind_text(st, 4, f->status && *f->status ? f->status : NULL, -1);
	vg_stmt_bind_text(st, 5, f->source && *f->source ? f->source : NULL, -1);
	vg_stmt_bind_text(st, 6, f->source && *f->source ? f->source : NULL, -1);
	vg_stmt_bind_int(st, 7, f->org_id);
	vg_stmt_bind_int(st, 8, f->org_id);
	vg_stmt_bind_int(st, 9, f->scope_org_id);
	vg_stmt_bind_int(st, 10, f->scope_org_id);
	vg_stmt_bind_int(st, 11, f->created_from);
	vg_stmt_bind_int(st, 12, f->created_from);
	vg_stmt_bind_int(st, 13, f->created_to);
	vg_stmt_bind_int(st, 14, f->created_to);
	vg_stmt_bind_text(st, 15, ids_txt, -1);
	vg_stmt_bind_text(st, 16, ids_txt, -1);
	vg_stmt_bind_int(st, 17, limit + 1);
	items = json_array();
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		if (n == limit)
			break;
		last = vg_stmt_int(st, 0);
		json_array_append_new(items, row_json(st, false));
		n++;
	}
	vg_stmt_done(st);
	free(ids_txt);
	if (rc < 0) {
		json_decref(items);
		return VG_ERR_DB;
	}
	*out = json_pack("{so so}", "items", items, "next_cursor",
			 rc == VG_ROW ? json_sprintf("%" PRId64, last) : json_null());
	return VG_OK;
}
