/* Full-text index (SQLite FTS5, tokenizer unicode61 with remove_diacritics 2:
 * "rançongiciel" matches "rancongiciel") and the incident list with filters. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cases/internal.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/limits.h"

/* The scope column of a document: "org<id>" of its own organisation, one
 * more "org<id>" per other organisation concerned by its incident
 * (incident_orgs), and "vis<0|1>"; a constituent's query names its
 * organisation and vis1, so a document of an incident concerning several
 * organisations is found by each of them. */
static vg_err scope_text(vg_db *db, int64_t org_id, int64_t incident_id, bool visible, vg_buf *out, vg_diag *d)
{
	static const char *sql = "SELECT org_id FROM incident_orgs WHERE incident_id = ? AND org_id <> ? LIMIT ?";
	vg_stmt *st;
	vg_err e;
	int rc = VG_DONE;
	if (vg_buf_printf(out, "org%lld", (long long)org_id))
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	if (incident_id > 0) {
		if ((e = vg_db_prepare(db, sql, &st, d)))
			return e;
		vg_stmt_bind_int(st, 1, incident_id);
		vg_stmt_bind_int(st, 2, org_id);
		vg_stmt_bind_int(st, 3, VG_INCIDENT_ORGS_MAX);
		while ((rc = vg_stmt_step(st, d)) == VG_ROW)
			if (vg_buf_printf(out, " org%lld", (long long)vg_stmt_int(st, 0)))
				break;
		vg_stmt_done(st);
		if (rc < 0)
			return VG_ERR_DB;
	}
	if (rc == VG_ROW || vg_buf_printf(out, " vis%d", visible ? 1 : 0))
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	return VG_OK;
}

static vg_err index_doc(vg_db *db, const char *kind, int64_t id, int64_t org_id, int64_t incident_id, bool visible,
		       const char *title, const char *body, bool fresh, vg_diag *d)
{
	vg_stmt *st;
	int64_t rowid = 0;
	vg_err e;
	int rc;
	if ((e = vg_cases_begin(db, d)))
		return e;
	if (!fresh) { /* replace an existing document */
		if ((e = vg_db_prepare(db, "SELECT id FROM search_docs WHERE kind = ? AND object_id = ?", &st, d)))
			return vg_db_end(db, e, d);
		vg_stmt_bind_text(st, 1, kind, -1);
		vg_stmt_bind_int(st, 2, id);
		rc = vg_stmt_step(st, d);
		if (rc == VG_ROW)
			rowid = vg_stmt_int(st, 0);
		vg_stmt_done(st);
		if (rc < 0)
			return vg_db_end(db, VG_ERR_DB, d);
	}
	if (rowid) {
		e = vg_cases_exec(db, "UPDATE search_docs SET org_id = ?, incident_id = ?, visible = ? WHERE id = ?", d,
				  "iiii", org_id, incident_id, (int64_t)visible, rowid);
		if (!e)
			e = vg_cases_exec(db, "DELETE FROM search_fts WHERE rowid = ?", d, "i", rowid);
	} else {
		e = vg_cases_exec(db,
				  "INSERT INTO search_docs(kind, object_id, org_id, incident_id, visible) VALUES (?, ?, ?, ?, ?)",
				  d, "tiiii", kind, id, org_id, incident_id, (int64_t)visible);
		rowid = vg_db_last_id(db);
	}
	if (!e) {
		vg_buf scope;
		vg_buf_init(&scope, VG_INCIDENT_ORGS_MAX * 24 + 32);
		if (!(e = scope_text(db, org_id, incident_id, visible, &scope, d)))
			e = vg_cases_exec(db, "INSERT INTO search_fts(rowid, title, body, scope) VALUES (?, ?, ?, ?)", d,
					  "ittt", rowid, title ? title : "", body ? body : "", vg_buf_cstr(&scope));
		vg_buf_fini(&scope);
	}
	return vg_db_end(db, e, d);
}

vg_err vg_search_rescope_incident(vg_db *db, int64_t incident_id, vg_diag *d)
{
	return vg_cases_exec(db,
			     "UPDATE search_fts SET scope = (SELECT 'org' || x.org_id || coalesce((SELECT group_concat("
			     "' org' || o.org_id, '') FROM incident_orgs o WHERE o.incident_id = x.incident_id AND "
			     "o.org_id <> x.org_id), '') || ' vis' || x.visible FROM search_docs x WHERE x.id = "
			     "search_fts.rowid) WHERE rowid IN (SELECT id FROM search_docs WHERE incident_id = ?)",
			     d, "i", incident_id);
}

vg_err vg_search_index_doc(vg_db *db, const char *kind, int64_t id, int64_t org_id, int64_t incident_id,
			   bool visible, const char *title, const char *body, vg_diag *d)
{
	return index_doc(db, kind, id, org_id, incident_id, visible, title, body, false, d);
}

vg_err vg_search_index_new(vg_db *db, const char *kind, int64_t id, int64_t org_id, int64_t incident_id,
			   bool visible, const char *title, const char *body, vg_diag *d)
{
	return index_doc(db, kind, id, org_id, incident_id, visible, title, body, true, d);
}

vg_err vg_search_rescope(vg_db *db, const char *kind, int64_t id, int64_t org_id, bool visible, vg_diag *d)
{
	vg_buf scope;
	vg_stmt *st;
	int64_t incident_id = 0;
	vg_err e;
	int rc;
	if ((e = vg_cases_begin(db, d)))
		return e;
	vg_buf_init(&scope, VG_INCIDENT_ORGS_MAX * 24 + 32);
	if ((e = vg_db_prepare(db, "SELECT incident_id FROM search_docs WHERE kind = ? AND object_id = ?", &st, d)))
		goto out;
	vg_stmt_bind_text(st, 1, kind, -1);
	vg_stmt_bind_int(st, 2, id);
	if ((rc = vg_stmt_step(st, d)) == VG_ROW)
		incident_id = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	if (rc < 0) {
		e = VG_ERR_DB;
		goto out;
	}
	if ((e = scope_text(db, org_id, incident_id, visible, &scope, d)))
		goto out;
	e = vg_cases_exec(db, "UPDATE search_docs SET org_id = ?, visible = ? WHERE kind = ? AND object_id = ?", d, "iiti",
			  org_id, (int64_t)visible, kind, id);
	if (!e)
		e = vg_cases_exec(db,
				  "UPDATE search_fts SET scope = ? WHERE rowid IN "
				  "(SELECT id FROM search_docs WHERE kind = ? AND object_id = ?)",
				  d, "tti", vg_buf_cstr(&scope), kind, id);
out:
	vg_buf_fini(&scope);
	return vg_db_end(db, e, d);
}

vg_err vg_search_index(vg_db *db, const char *kind, int64_t id, int64_t org_id, const char *title,
		       const char *body, vg_diag *d)
{
	if (!kind || !*kind || strlen(kind) > 32)
		return vg_diag_set(d, VG_ERR_INVALID, "kind", "document kind missing or too long");
	return vg_search_index_doc(db, kind, id, org_id, 0, true, title, body, d);
}

vg_err vg_search_unindex(vg_db *db, const char *kind, int64_t id, vg_diag *d)
{
	vg_err e;
	if ((e = vg_cases_begin(db, d)))
		return e;
	e = vg_cases_exec(db,
			  "DELETE FROM search_fts WHERE rowid IN (SELECT id FROM search_docs WHERE kind = ? AND object_id = ?)",
			  d, "ti", kind, id);
	if (!e)
		e = vg_cases_exec(db, "DELETE FROM search_docs WHERE kind = ? AND object_id = ?", d, "ti", kind, id);
	return vg_db_end(db, e, d);
}

/* User text to an FTS5 query: each word quoted (so operators and column
 * filters in the input are plain text), all words required, searched in
 * {title body} only; scope_org > 0 restricts to that organisation's visible
 * documents through the scope column. */
vg_err vg_search_query(const char *q, int64_t scope_org, vg_buf *out, vg_diag *d);
vg_err vg_search_query(const char *q, int64_t scope_org, vg_buf *out, vg_diag *d)
{
	size_t n = strlen(q);
	int terms = 0;
	if (n > VG_SEARCH_QUERY_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, "q", "query longer than %d bytes", VG_SEARCH_QUERY_MAX);
	if (scope_org > 0 && vg_buf_printf(out, "scope : \"org%lld\" AND scope : \"vis1\" AND ", (long long)scope_org))
		return vg_diag_set(d, VG_ERR_NOMEM, "q", "out of memory");
	if (vg_buf_puts(out, "{title body} : ("))
		return vg_diag_set(d, VG_ERR_NOMEM, "q", "out of memory");
	for (const char *p = q; *p;) {
		const char *s;
		while (*p && (isspace((unsigned char)*p) || *p == '"'))
			p++;
		if (!*p)
			break;
		s = p;
		while (*p && !isspace((unsigned char)*p) && *p != '"')
			p++;
		if (++terms > VG_SEARCH_TERMS_MAX)
			return vg_diag_set(d, VG_ERR_LIMIT, "q", "more than %d words", VG_SEARCH_TERMS_MAX);
		if ((terms > 1 && vg_buf_putc(out, ' ')) || vg_buf_putc(out, '"') ||
		    vg_buf_append(out, s, (size_t)(p - s)) || vg_buf_putc(out, '"'))
			return vg_diag_set(d, VG_ERR_NOMEM, "q", "out of memory");
	}
	if (!terms)
		return vg_diag_set(d, VG_ERR_INVALID, "q", "empty query");
	if (vg_buf_putc(out, ')'))
		return vg_diag_set(d, VG_ERR_NOMEM, "q", "out of memory");
	return VG_OK;
}

vg_err vg_search_json(vg_db *db, const char *q, const char *kind, int64_t scope_org_id, int limit, json_t **out,
		      vg_diag *d)
{
	static const char *sql =
		"SELECT d.kind, d.object_id, d.org_id, d.incident_id, CASE WHEN instr(snippet(search_fts, 1, char(1), "
		"'', '', 1), char(1)) > 0 THEN snippet(search_fts, 1, '[', ']', '...', 12) "
		"ELSE highlight(search_fts, 0, '[', ']') END "
		"FROM search_fts JOIN search_docs d ON d.id = search_fts.rowid "
		"WHERE search_fts MATCH ? AND (? IS NULL OR d.kind = ?) AND (? = 0 OR (d.visible = 1 AND (d.org_id = ? OR "
		"EXISTS (SELECT 1 FROM incident_orgs x WHERE x.incident_id = d.incident_id AND x.org_id = ?)))) "
		"ORDER BY rank LIMIT ?";
	vg_buf fq;
	json_t *items;
	vg_stmt *st;
	vg_err e;
	int rc;
	if (scope_org_id < 0) {
		*out = json_array();
		return *out ? VG_OK : VG_ERR_NOMEM;
	}
	if (limit <= 0 || limit > VG_PAGE_MAX)
		limit = VG_PAGE_DEFAULT;
	vg_buf_init(&fq, VG_SEARCH_QUERY_MAX * 2 + 128);
	if ((e = vg_search_query(q ? q : "", scope_org_id, &fq, d))) {
		vg_buf_fini(&fq);
		return e;
	}
	if (!(items = json_array()) || (e = vg_db_prepare(db, sql, &st, d))) {
		vg_buf_fini(&fq);
		json_decref(items);
		return items ? e : VG_ERR_NOMEM;
	}
	vg_stmt_bind_text(st, 1, vg_buf_cstr(&fq), -1);
	vg_stmt_bind_text(st, 2, kind, -1);
	vg_stmt_bind_text(st, 3, kind, -1);
	vg_stmt_bind_int(st, 4, scope_org_id);
	vg_stmt_bind_int(st, 5, scope_org_id);
	vg_stmt_bind_int(st, 6, scope_org_id);
	vg_stmt_bind_int(st, 7, limit);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW)
		json_array_append_new(items, json_pack("{sssIsIsIss}", "kind", vg_stmt_text(st, 0), "id",
						       (json_int_t)vg_stmt_int(st, 1), "org_id",
						       (json_int_t)vg_stmt_int(st, 2), "incident_id",
						       (json_int_t)vg_stmt_int(st, 3), "snippet", vg_stmt_text(st, 4)));
	vg_stmt_done(st);
	vg_buf_fini(&fq);
	if (rc < 0) {
		json_decref(items);
		return VG_ERR_DB;
	}
	*out = items;
	return VG_OK;
}

/* ------------------------------------------------------------ incident list */

void vg_incident_filter_init(vg_incident_filter *f)
{
	memset(f, 0, sizeof *f);
}

#define LIST_COLS                                                                                             \
	"SELECT i.id, i.reference, i.title, i.org_id, o.name, i.status, i.severity, i.taxonomy, i.type, i.tlp, " \
	"i.pap, i.assignee_id, i.created_at, i.updated_at, i.merged_into FROM incidents i "                 \
	"LEFT JOIN organisations o ON o.id = i.org_id WHERE "
#define LIST_FILTERS                                                                                          \
	"(? IS NULL OR i.status = ? OR (? = 'open' AND i.status <> 'closed')) "                           \
	"AND (? = 0 OR i.org_id = ? OR EXISTS (SELECT 1 FROM incident_orgs x WHERE x.incident_id = i.id "     \
	"AND x.org_id = ?)) "                                                                                 \
	"AND (? IS NULL OR o.kind = ?) AND (? IS NULL OR o.sector = ?) "                                      \
	"AND (? IS NULL OR i.taxonomy = ?) AND (? IS NULL OR i.type = ?) AND (? IS NULL OR i.severity = ?) "  \
	"AND (? = 0 OR (? = -1 AND i.assignee_id IS NULL) OR i.assignee_id = ?) "                             \
	"AND (? IS NULL OR i.tlp = ?) "                                                                       \
	"AND (? = 0 OR i.created_at >= ?) AND (? = 0 OR i.created_at < ?) "                                   \
	"AND (? = 0 OR i.updated_at >= ?) AND (? = 0 OR i.updated_at < ?) "                                   \
	"AND (? = 0 OR i.org_id = ? OR EXISTS (SELECT 1 FROM incident_orgs x WHERE x.incident_id = i.id "        \
	"AND x.org_id = ?)) "

static const char *list_sql = LIST_COLS "(? = 0 OR i.id < ?) AND " LIST_FILTERS "ORDER BY i.id DESC LIMIT ?";
/* A constituent's list walks its organisation's incidents only, newest
 * first, through incident_orgs (which always holds the primary organisation
 * too): the index (org_id, incident_id) gives them in order, instead of
 * scanning every incident for the few of one organisation. */
static const char *list_scoped_sql =
	"SELECT i.id, i.reference, i.title, i.org_id, o.name, i.status, i.severity, i.taxonomy, i.type, i.tlp, "
	"i.pap, i.assignee_id, i.created_at, i.updated_at, i.merged_into FROM incident_orgs s "
	"JOIN incidents i ON i.id = s.incident_id LEFT JOIN organisations o ON o.id = i.org_id WHERE s.org_id = ? AND "
	"(? = 0 OR s.incident_id < ?) AND " LIST_FILTERS "ORDER BY s.incident_id DESC LIMIT ?";
/* With a full-text query the FTS index drives: matching documents newest
 * first (FTS5 walks its doclists in descending rowid order, so a page of a
 * common word costs a page, not every match), joined to their incident; an
 * incident with several matching documents is listed once per page. The
 * cursor is then the last document's rowid. */
#define LIST_Q_COLS                                                                                           \
	"SELECT i.id, i.reference, i.title, i.org_id, o.name, i.status, i.severity, i.taxonomy, i.type, i.tlp, " \
	"i.pap, i.assignee_id, i.created_at, i.updated_at, i.merged_into, d.id FROM search_fts "               \
	"JOIN search_docs d ON d.id = search_fts.rowid JOIN incidents i ON i.id = d.incident_id "            \
	"LEFT JOIN organisations o ON o.id = i.org_id WHERE search_fts MATCH ? "                               \
	"AND d.kind IN ('incident', 'journal', 'report') AND (? = 0 OR d.visible = 1) AND "
static const char *list_q_sql =
	LIST_Q_COLS "(? = 0 OR d.id < ?) AND " LIST_FILTERS "ORDER BY search_fts.rowid DESC LIMIT ?";

json_t *vg_incident_summary_json(vg_stmt *st);
json_t *vg_incident_summary_json(vg_stmt *st)
{
	return json_pack("{sIsssssososssssssssssssososo}", "id", (json_int_t)vg_stmt_int(st, 0), "reference",
			 vg_stmt_text(st, 1), "title", vg_stmt_text(st, 2), "org_id",
			 vg_stmt_is_null(st, 3) ? json_null() : json_integer(vg_stmt_int(st, 3)), "org_name",
			 vg_stmt_is_null(st, 4) ? json_null() : json_string(vg_stmt_text(st, 4)), "status",
			 vg_stmt_text(st, 5), "severity", vg_stmt_text(st, 6), "taxonomy", vg_stmt_text(st, 7), "type",
			 vg_stmt_text(st, 8), "tlp", vg_stmt_text(st, 9), "pap", vg_stmt_text(st, 10), "assignee_id",
			 vg_stmt_is_null(st, 11) ? json_null() : json_integer(vg_stmt_int(st, 11)), "created_at",
			 vg_json_time(vg_stmt_int(st, 12)), "updated_at", vg_json_time(vg_stmt_int(st, 13)));
}

static void bind_s2(vg_stmt *st, int *i, const char *s)
{
	vg_stmt_bind_text(st, (*i)++, s, -1);
	vg_stmt_bind_text(st, (*i)++, s, -1);
}

static void bind_i2(vg_stmt *st, int *i, int64_t v)
{
	vg_stmt_bind_int(st, (*i)++, v);
	vg_stmt_bind_int(st, (*i)++, v);
}

static void bind_filters(vg_stmt *st, int *i, const vg_incident_filter *f, int64_t cursor)
{
	bind_i2(st, i, cursor);
	bind_s2(st, i, f->status);
	vg_stmt_bind_text(st, (*i)++, f->status, -1);
	vg_stmt_bind_int(st, (*i)++, f->org_id);
	bind_i2(st, i, f->org_id);
	bind_s2(st, i, f->org_kind);
	bind_s2(st, i, f->org_sector);
	bind_s2(st, i, f->taxonomy);
	bind_s2(st, i, f->type);
	bind_s2(st, i, f->severity);
	bind_i2(st, i, f->assignee_id);
	vg_stmt_bind_int(st, (*i)++, f->assignee_id);
	bind_s2(st, i, f->tlp);
	bind_i2(st, i, f->created_from);
	bind_i2(st, i, f->created_to);
	bind_i2(st, i, f->updated_from);
	bind_i2(st, i, f->updated_to);
	bind_i2(st, i, f->scope_org_id); /* the organisations concerned, not only the primary one */
	vg_stmt_bind_int(st, (*i)++, f->scope_org_id);
}

/* A constituent of a secondary organisation sees the incident as concerning
 * its own organisation: the primary victim is not named to it. */
static vg_err own_org_view(vg_db *db, json_t *items, int64_t org, vg_diag *d)
{
	json_t *name = NULL, *it;
	size_t k;
	json_array_foreach(items, k, it) {
		if (json_integer_value(json_object_get(it, "org_id")) == org)
			continue;
		if (!name) {
			vg_stmt *st;
			vg_err e;
			int rc;
			if ((e = vg_db_prepare(db, "SELECT name FROM organisations WHERE id = ?", &st, d)))
				return e;
			vg_stmt_bind_int(st, 1, org);
			rc = vg_stmt_step(st, d);
			name = rc == VG_ROW ? json_string(vg_stmt_text(st, 0)) : json_null();
			vg_stmt_done(st);
			if (rc < 0) {
				json_decref(name);
				return VG_ERR_DB;
			}
		}
		json_object_set_new(it, "org_id", json_integer(org));
		json_object_set(it, "org_name", name);
	}
	json_decref(name);
	return VG_OK;
}

vg_err vg_incident_list_json(vg_db *db, const vg_incident_filter *f, json_t **out, vg_diag *d)
{
	int limit = f->limit > 0 && f->limit <= VG_PAGE_MAX ? f->limit : VG_PAGE_DEFAULT;
	int64_t cursor = 0, last = 0;
	json_t *items;
	vg_buf fq;
	vg_stmt *st;
	vg_err e;
	int64_t max_rows = 0, rows = 0;
	int rc = VG_DONE, i = 1, n = 0;

	if (f->cursor && *f->cursor) {
		char *end;
		cursor = strtoll(f->cursor, &end, 10);
		if (*end || cursor <= 0)
			return vg_diag_set(d, VG_ERR_INVALID, "cursor", "malformed cursor");
	}
	vg_buf_init(&fq, VG_SEARCH_QUERY_MAX * 2 + 128);
	if (f->q && (e = vg_search_query(f->q, f->scope_org_id, &fq, d))) {
		vg_buf_fini(&fq);
		return e;
	}
	if (!(items = json_array())) {
		vg_buf_fini(&fq);
		return VG_ERR_NOMEM;
	}
	if (f->scope_org_id < 0)
		goto done;
	if ((e = vg_db_prepare(db, f->q ? list_q_sql : f->scope_org_id > 0 ? list_scoped_sql : list_sql, &st, d))) {
		vg_buf_fini(&fq);
		json_decref(items);
		return e;
	}
	if (f->q) {
		vg_stmt_bind_text(st, i++, vg_buf_cstr(&fq), -1);
		vg_stmt_bind_int(st, i++, f->scope_org_id > 0 ? f->scope_org_id : 0);
	} else if (f->scope_org_id > 0) {
		vg_stmt_bind_int(st, i++, f->scope_org_id);
	}
	bind_filters(st, &i, f, cursor);
	/* q: fetch more rows than a page, as several documents may hit one incident */
	max_rows = f->q ? (int64_t)limit * 4 : limit;
	vg_stmt_bind_int(st, i++, max_rows + 1);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		int64_t iid = vg_stmt_int(st, 0);
		bool dup = false;
		json_t *j;
		if (n == limit || rows == max_rows)
			break;
		rows++;
		for (size_t k = 0; f->q && k < json_array_size(items); k++)
			dup |= json_integer_value(json_object_get(json_array_get(items, k), "id")) == iid;
		last = f->q ? vg_stmt_int(st, 15) : iid;
		if (dup)
			continue;
		j = vg_incident_summary_json(st);
		if (j)
			json_object_set_new(j, "merged_into", vg_stmt_is_null(st, 14) ? json_null()
										       : json_integer(vg_stmt_int(st, 14)));
		json_array_append_new(items, j);
		n++;
	}
	vg_stmt_done(st);
	if (rc < 0) {
		vg_buf_fini(&fq);
		json_decref(items);
		return VG_ERR_DB;
	}
	if (f->scope_org_id > 0 && (e = own_org_view(db, items, f->scope_org_id, d))) {
		vg_buf_fini(&fq);
		json_decref(items);
		return e;
	}
done:
	vg_buf_fini(&fq);
	*out = json_pack("{soso}", "items", items, "next_cursor",
			 rc == VG_ROW && last ? json_sprintf("%lld", (long long)last) : json_null());
	return *out ? VG_OK : VG_ERR_NOMEM;
}
