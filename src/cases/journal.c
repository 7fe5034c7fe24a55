/* The journal (one timeline per incident), merges and manual links. */
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

/* Entries that acknowledge the incident towards the constituent when visible. */
static bool acknowledges(const char *kind)
{
	return !strcmp(kind, "note") || !strcmp(kind, "email_out") || !strcmp(kind, "advice");
}

/* A visible entry may stamp the acknowledgement / first advice dates. */
static vg_err stamp(vg_db *db, int64_t incident_id, const char *kind, vg_diag *d)
{
	int64_t now = vg_time_now_ms();
	vg_err e = VG_OK;
	if (acknowledges(kind))
		e = vg_cases_exec(db, "UPDATE incidents SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL",
				  d, "ii", now, incident_id);
	if (!e && !strcmp(kind, "advice"))
		e = vg_cases_exec(db, "UPDATE incidents SET first_advice_at = ? WHERE id = ? AND first_advice_at IS NULL",
				  d, "ii", now, incident_id);
	return e;
}

vg_err vg_journal_insert(vg_db *db, int64_t incident_id, int64_t org_id, const char *kind, bool visible,
			 int64_t author_user_id, const char *body_md, const char *meta_txt, int64_t *entry_id,
			 vg_diag *d)
{
	static const char *sql = "INSERT INTO journal(incident_id, kind, visible, author_id, body, meta, created_at) "
				 "VALUES (?, ?, ?, ?, ?, ?, ?)";
	vg_stmt *st;
	vg_err e;
	int64_t id;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, incident_id);
	vg_stmt_bind_text(st, 2, kind, -1);
	vg_stmt_bind_int(st, 3, visible ? 1 : 0);
	if (author_user_id > 0)
		vg_stmt_bind_int(st, 4, author_user_id);
	else
		vg_stmt_bind_null(st, 4);
	vg_stmt_bind_text(st, 5, body_md, -1);
	vg_stmt_bind_text(st, 6, meta_txt ? meta_txt : "{}", -1);
	vg_stmt_bind_int(st, 7, vg_time_now_ms());
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e)
		return e;
	id = vg_db_last_id(db);
	if (entry_id)
		*entry_id = id;
	/* status lines are generated text: not worth a search document */
	if (*body_md && strcmp(kind, "status") != 0)
		e = vg_search_index_new(db, "journal", id, org_id, incident_id, visible, "", body_md, d);
	return e;
}

vg_err vg_incident_journal_add(vg_db *db, int64_t incident_id, const char *kind, bool visible,
			       int64_t author_user_id, const char *body_md, json_t *meta, int64_t *entry_id,
			       vg_diag *d)
{
	int64_t org_id = 0, now = vg_time_now_ms(), id = 0;
	char *meta_txt = NULL;
	vg_err e;

	if (vg_cases_index_of(vg_journal_kinds, kind) < 0) {
		json_decref(meta);
		return vg_diag_set(d, VG_ERR_INVALID, "kind", "unknown journal entry kind '%.40s'", kind ? kind : "");
	}
	if (!body_md)
		body_md = "";
	if ((e = vg_text_check(body_md, strlen(body_md), 0, VG_JOURNAL_BODY_MAX, true, "body", d))) {
		json_decref(meta);
		return e;
	}
	if (meta && !json_is_object(meta)) {
		json_decref(meta);
		return vg_diag_set(d, VG_ERR_INVALID, "meta", "expected an object");
	}
	meta_txt = meta ? json_dumps(meta, JSON_COMPACT) : NULL;
	json_decref(meta);
	if ((e = vg_cases_begin(db, d))) {
		free(meta_txt);
		return e;
	}
	if ((e = vg_incident_org(db, incident_id, &org_id, d)))
		goto out;
	if ((e = vg_journal_insert(db, incident_id, org_id, kind, visible, author_user_id, body_md, meta_txt, &id, d)))
		goto out;
	if (visible && (e = stamp(db, incident_id, kind, d)))
		goto out;
	e = vg_cases_exec(db, "UPDATE incidents SET updated_at = ? WHERE id = ?", d, "ii", now, incident_id);
out:
	free(meta_txt);
	e = vg_db_end(db, e, d);
	if (!e && entry_id)
		*entry_id = id;
	return e;
}

static json_t *entry_json(vg_stmt *st)
{
	json_t *meta = json_loads(vg_stmt_text(st, 6), 0, NULL);
	return json_pack("{sIsssbsosssoso}", "id", (json_int_t)vg_stmt_int(st, 0), "kind", vg_stmt_text(st, 2),
			 "visible", vg_stmt_int(st, 3) != 0, "author_id",
			 vg_stmt_is_null(st, 4) ? json_null() : json_integer(vg_stmt_int(st, 4)), "body",
			 vg_stmt_text(st, 5), "created_at", vg_json_time(vg_stmt_int(st, 7)), "meta",
			 meta ? meta : json_object());
}

vg_err vg_incident_journal_list(vg_db *db, int64_t incident_id, bool visible_only, int64_t after_id, int limit,
				json_t **out, vg_diag *d)
{
	static const char *sql = "SELECT j.id, j.incident_id, j.kind, j.visible, j.author_id, j.body, j.meta, "
				 "j.created_at, u.username FROM journal j LEFT JOIN users u ON u.id = j.author_id "
				 "WHERE j.incident_id = ? AND j.id > ? AND (? = 0 OR j.visible = 1) "
				 "ORDER BY j.id LIMIT ?";
	json_t *items = json_array();
	int64_t last = 0;
	vg_stmt *st;
	vg_err e;
	int rc, n = 0;

	if (limit <= 0 || limit > VG_EXPORT_JOURNAL_MAX)
		limit = VG_PAGE_DEFAULT;
	if (!items)
		return VG_ERR_NOMEM;
	if ((e = vg_db_prepare(db, sql, &st, d))) {
		json_decref(items);
		return e;
	}
	vg_stmt_bind_int(st, 1, incident_id);
	vg_stmt_bind_int(st, 2, after_id);
	vg_stmt_bind_int(st, 3, visible_only ? 1 : 0);
	vg_stmt_bind_int(st, 4, limit + 1);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		json_t *j;
		if (n == limit)
			break;
		j = entry_json(st);
		if (j)
			json_object_set_new(j, "author", vg_stmt_is_null(st, 8) ? json_null()
										 : json_string(vg_stmt_text(st, 8)));
		json_array_append_new(items, j);
		last = vg_stmt_int(st, 0);
		n++;
	}
	vg_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return VG_ERR_DB;
	}
	*out = json_pack("{soso}", "items", items, "next_cursor",
			 rc == VG_ROW ? json_sprintf("%lld", (long long)last) : json_null());
	return *out ? VG_OK : VG_ERR_NOMEM;
}

vg_err vg_incident_journal_set_visible(vg_db *db, int64_t incident_id, int64_t entry_id, bool visible,
				       vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	char kind[32] = "";
	int rc;
	if ((e = vg_cases_begin(db, d)))
		return e;
	if ((e = vg_db_prepare(db, "SELECT kind FROM journal WHERE id = ? AND incident_id = ?", &st, d)))
		return vg_db_end(db, e, d);
	vg_stmt_bind_int(st, 1, entry_id);
	vg_stmt_bind_int(st, 2, incident_id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		snprintf(kind, sizeof kind, "%s", vg_stmt_text(st, 0));
	vg_stmt_done(st);
	if (rc != VG_ROW)
		e = rc < 0 ? VG_ERR_DB : vg_diag_set(d, VG_ERR_NOT_FOUND, "entry_id", "no such journal entry");
	if (!e)
		e = vg_cases_exec(db, "UPDATE journal SET visible = ? WHERE id = ?", d, "ii", (int64_t)visible, entry_id);
	if (!e) {
		int64_t org = 0;
		if (!(e = vg_incident_org(db, incident_id, &org, d)))
			e = vg_search_rescope(db, "journal", entry_id, org, visible, d);
	}
	if (!e && visible)
		e = stamp(db, incident_id, kind, d);
	return vg_db_end(db, e, d);
}

/* ------------------------------------------------------------------ merge */

vg_err vg_incident_merge(vg_db *db, int64_t src, int64_t dst, int64_t author_user_id, const vg_audit_ctx *ac,
			 vg_diag *d)
{
	int64_t now = vg_time_now_ms();
	vg_inc s, t;
	char body[256];
	vg_err e;

	if (src == dst)
		return vg_diag_set(d, VG_ERR_INVALID, "into", "an incident cannot be merged into itself");
	if ((e = vg_cases_begin(db, d)))
		return e;
	memset(&s, 0, sizeof s);
	memset(&t, 0, sizeof t);
	if ((e = vg_inc_load(db, src, &s, d)) || (e = vg_inc_load(db, dst, &t, d)))
		goto out;
	if (s.merged_into) {
		e = vg_diag_set(d, VG_ERR_CONFLICT, NULL, "incident %s was already merged", s.reference);
		goto out;
	}
	if (t.merged_into) {
		e = vg_diag_set(d, VG_ERR_CONFLICT, "into", "incident %s was merged into another one", t.reference);
		goto out;
	}
	/* journal, tasks, organisations, attachments and links move to dst */
	if ((e = vg_cases_exec(db, "UPDATE journal SET incident_id = ? WHERE incident_id = ?", d, "ii", dst, src)) ||
	    (e = vg_cases_exec(db, "UPDATE search_docs SET incident_id = ?, org_id = ? WHERE kind = 'journal' AND incident_id = ?",
			       d, "iii", dst, t.org_id, src)) ||
	    (e = vg_cases_exec(db, "UPDATE tasks SET incident_id = ? WHERE incident_id = ?", d, "ii", dst, src)) ||
	    (e = vg_cases_exec(db,
			       "INSERT OR IGNORE INTO incident_orgs(incident_id, org_id) "
			       "SELECT ?, org_id FROM incident_orgs WHERE incident_id = ?",
			       d, "ii", dst, src)) ||
	    /* every document of dst names all its organisations now */
	    (e = vg_search_rescope_incident(db, dst, d)) ||
	    (e = vg_cases_exec(db,
			       "INSERT OR IGNORE INTO attachment_links(attachment_id, kind, object_id, filename, "
			       "uploader_id, visible, created_at) SELECT attachment_id, kind, ?, filename, uploader_id, "
			       "visible, created_at FROM attachment_links WHERE kind = 'incident' AND object_id = ?",
			       d, "ii", dst, src)) ||
	    (e = vg_cases_exec(db, "DELETE FROM attachment_links WHERE kind = 'incident' AND object_id = ?", d, "i",
			       src)) ||
	    (e = vg_cases_exec(db,
			       "INSERT OR IGNORE INTO incident_links(a, b, reason, author_id, created_at) "
			       "SELECT min(?, CASE WHEN a = ? THEN b ELSE a END), max(?, CASE WHEN a = ? THEN b ELSE a END), "
			       "reason, author_id, created_at FROM incident_links WHERE (a = ? OR b = ?) "
			       "AND (CASE WHEN a = ? THEN b ELSE a END) <> ?",
			       d, "iiiiiiii", dst, src, dst, src, src, src, src, dst)) ||
	    (e = vg_cases_exec(db, "DELETE FROM incident_links WHERE a = ? OR b = ?", d, "ii", src, src)) ||
	    (e = vg_obs_move_links(db, VG_OBS_OBJ_INCIDENT, src, dst, t.org_id, d)))
		goto out;
	/* src is closed with merged_into; clocks stop */
	if ((e = vg_cases_exec(db,
			       "UPDATE incidents SET status = 'closed', closed_at = ?, merged_into = ?, updated_at = ?, "
			       "paused_ms = paused_ms + CASE WHEN paused_since IS NULL THEN 0 ELSE max(0, ? - paused_since) END, "
			       "paused_since = NULL WHERE id = ?",
			       d, "iiiii", now, dst, now, now, src)))
		goto out;
	snprintf(body, sizeof body, "Incident %s (%.160s) was merged into this one.", s.reference, s.title);
	if ((e = vg_incident_journal_add(db, dst, "merge", false, author_user_id, body,
					 json_pack("{sIss}", "from", (json_int_t)src, "reference", s.reference), NULL, d)))
		goto out;
	snprintf(body, sizeof body, "Merged into incident %s.", t.reference);
	if ((e = vg_incident_journal_add(db, src, "merge", true, author_user_id, body,
					 json_pack("{sIss}", "into", (json_int_t)dst, "reference", t.reference), NULL, d)))
		goto out;
	e = vg_cases_audit(db, ac, "incident.merge", "incident", src, s.org_id,
			   json_pack("{sIss}", "into", (json_int_t)dst, "into_reference", t.reference), d);
out:
	vg_inc_free(&s);
	vg_inc_free(&t);
	return vg_db_end(db, e, d);
}

/* ------------------------------------------------------------------ links */

vg_err vg_incident_link(vg_db *db, int64_t a, int64_t b, const char *reason, int64_t author_user_id,
			int64_t *link_id, vg_diag *d)
{
	static const char *link_sql =
		"INSERT INTO incident_links(a, b, reason, author_id, created_at) VALUES (?, ?, ?, ?, ?)";
	int64_t lo = a < b ? a : b, hi = a < b ? b : a, org = 0, id = 0;
	char body[VG_LINK_REASON_MAX + 128];
	vg_err e;

	if (a == b)
		return vg_diag_set(d, VG_ERR_INVALID, "incident_id", "an incident cannot be linked to itself");
	if (!reason || !*reason)
		return vg_diag_set(d, VG_ERR_INVALID, "reason", "a link needs a reason");
	if ((e = vg_text_check(reason, strlen(reason), 1, VG_LINK_REASON_MAX, true, "reason", d)))
		return e;
	if ((e = vg_cases_begin(db, d)))
		return e;
	if ((e = vg_incident_org(db, a, &org, d)) || (e = vg_incident_org(db, b, &org, d))) {
		vg_diag_set(d, VG_ERR_NOT_FOUND, "incident_id", "no such incident");
		return vg_db_end(db, e, d);
	}
	if (author_user_id > 0)
		e = vg_cases_exec(db, link_sql, d, "iitii", lo, hi, reason, author_user_id, vg_time_now_ms());
	else
		e = vg_cases_exec(db, link_sql, d, "iitni", lo, hi, reason, vg_time_now_ms());
	if (e == VG_ERR_CONFLICT)
		vg_diag_set(d, VG_ERR_CONFLICT, "incident_id", "these incidents are already linked");
	if (!e) {
		id = vg_db_last_id(db);
		snprintf(body, sizeof body, "Linked to incident #%lld: %s", (long long)b, reason);
		e = vg_incident_journal_add(db, a, "link", false, author_user_id, body,
					    json_pack("{sI}", "incident_id", (json_int_t)b), NULL, d);
	}
	if (!e) {
		snprintf(body, sizeof body, "Linked to incident #%lld: %s", (long long)a, reason);
		e = vg_incident_journal_add(db, b, "link", false, author_user_id, body,
					    json_pack("{sI}", "incident_id", (json_int_t)a), NULL, d);
	}
	e = vg_db_end(db, e, d);
	if (!e && link_id)
		*link_id = id;
	return e;
}

vg_err vg_incident_links_json(vg_db *db, int64_t id, json_t **out, vg_diag *d)
{
	static const char *sql =
		"SELECT l.id, CASE WHEN l.a = ? THEN l.b ELSE l.a END AS other, i.reference, i.title, i.status, "
		"l.reason, l.author_id, l.created_at FROM incident_links l "
		"JOIN incidents i ON i.id = CASE WHEN l.a = ? THEN l.b ELSE l.a END "
		"WHERE l.a = ? OR l.b = ? ORDER BY l.id LIMIT ?";
	json_t *items = json_array();
	vg_stmt *st;
	vg_err e;
	int rc;
	if (!items)
		return VG_ERR_NOMEM;
	if ((e = vg_db_prepare(db, sql, &st, d))) {
		json_decref(items);
		return e;
	}
	for (int i = 1; i <= 4; i++)
		vg_stmt_bind_int(st, i, id);
	vg_stmt_bind_int(st, 5, VG_PAGE_MAX);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW)
		json_array_append_new(
			items, json_pack("{sIsIsssssssssoso}", "id", (json_int_t)vg_stmt_int(st, 0), "incident_id",
					 (json_int_t)vg_stmt_int(st, 1), "reference", vg_stmt_text(st, 2), "title",
					 vg_stmt_text(st, 3), "status", vg_stmt_text(st, 4), "reason", vg_stmt_text(st, 5),
					 "author_id",
					 vg_stmt_is_null(st, 6) ? json_null() : json_integer(vg_stmt_int(st, 6)),
					 "created_at", vg_json_time(vg_stmt_int(st, 7))));
	vg_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return VG_ERR_DB;
	}
	*out = items;
	return VG_OK;
}
