/* Storage of observables and their links (tables of migration 0003). */
#include "observe/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/ip.h"
#include "core/limits.h"

#define OBS_COLS "id, type, value, first_seen, last_seen, ioc, common, common_reason, common_by, tags, link_count"

static bool object_type_ok(const char *t)
{
	return t && (strcmp(t, VG_OBS_OBJ_REPORT) == 0 || strcmp(t, VG_OBS_OBJ_INCIDENT) == 0 ||
		     strcmp(t, VG_OBS_OBJ_ALERT) == 0);
}

static void row_to_obs(vg_stmt *st, int c0, vg_arena *a, vg_observable *o)
{
	vg_obs_type t = VG_OBS_STRING;
	vg_obs_type_parse(vg_stmt_text(st, c0 + 1), &t);
	o->id = vg_stmt_int(st, c0);
	o->type = t;
	o->value = vg_arena_strdup(a, vg_stmt_text(st, c0 + 2));
	o->first_seen = vg_stmt_int(st, c0 + 3);
	o->last_seen = vg_stmt_int(st, c0 + 4);
	o->ioc = vg_stmt_int(st, c0 + 5) != 0;
	o->common = vg_stmt_int(st, c0 + 6) != 0;
	o->common_reason = vg_arena_strdup(a, vg_stmt_text(st, c0 + 7));
	o->common_by = vg_arena_strdup(a, vg_stmt_text(st, c0 + 8));
	o->tags = vg_arena_strdup(a, vg_stmt_text(st, c0 + 9));
	o->link_count = vg_stmt_int(st, c0 + 10);
}

static vg_err one_obs(vg_db *db, const char *sql, int64_t id, vg_obs_type t, const char *v, vg_arena *a,
		      vg_observable *out, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	if (v) {
		vg_stmt_bind_text(st, 1, vg_obs_type_name(t), -1);
		vg_stmt_bind_text(st, 2, v, -1);
	} else {
		vg_stmt_bind_int(st, 1, id);
	}
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW) {
		row_to_obs(st, 0, a, out);
		e = (out->value && out->tags && out->common_reason && out->common_by) ? VG_OK
			: vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	} else if (rc == VG_DONE) {
		e = vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no such observable");
	} else {
		e = d ? d->code : VG_ERR_DB;
	}
	vg_stmt_done(st);
	return e;
}

vg_err vg_obs_get(vg_db *db, int64_t id, vg_arena *a, vg_observable *out, vg_diag *d)
{
	static const char *const sql = "SELECT " OBS_COLS " FROM observables WHERE id = ?";
	return one_obs(db, sql, id, 0, NULL, a, out, d);
}

vg_err vg_obs_find(vg_db *db, vg_obs_type t, const char *normalized, vg_arena *a, vg_observable *out,
		   vg_diag *d)
{
	static const char *const sql = "SELECT " OBS_COLS " FROM observables WHERE type = ? AND value = ?";
	return one_obs(db, sql, 0, t, normalized, a, out, d);
}

vg_err vg_obs_upsert(vg_db *db, vg_obs_type t, const char *normalized, const vg_obs_warnlist *wl, int64_t *id,
		     vg_diag *d)
{
	static const char *const ins =
		"INSERT INTO observables(type, value, addr, prefix, first_seen, last_seen, common, common_reason,"
		" common_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT(type, value) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)";
	static const char *const sel = "SELECT id FROM observables WHERE type = ? AND value = ?";
	vg_stmt *st;
	vg_err e;
	int64_t now = vg_time_now_ms();
	const char *listed = vg_obs_warnlist_match(wl, t, normalized);
	vg_cidr c;
	bool has_addr = false;
	if ((unsigned)t >= VG_OBS__COUNT || !normalized || !*normalized)
		return vg_diag_set(d, VG_ERR_INVALID, "value", "value is required");
	if (t == VG_OBS_IPV4 || t == VG_OBS_IPV6) {
		has_addr = vg_ip_parse(normalized, 0, &c.addr, NULL) == VG_OK;
		c.prefix = (uint8_t)vg_ip_bits(&c.addr);
	} else if (t == VG_OBS_CIDR) {
		has_addr = vg_cidr_parse(normalized, 0, false, &c, NULL) == VG_OK;
	}
	if ((e = vg_db_prepare(db, ins, &st, d)))
		return e;
	vg_stmt_bind_text(st, 1, vg_obs_type_name(t), -1);
	vg_stmt_bind_text(st, 2, normalized, -1);
	if (has_addr) {
		vg_stmt_bind_blob(st, 3, c.addr.bytes, c.addr.family == 4 ? 4 : 16);
		vg_stmt_bind_int(st, 4, c.prefix);
	} else {
		vg_stmt_bind_null(st, 3);
		vg_stmt_bind_null(st, 4);
	}
	vg_stmt_bind_int(st, 5, now);
	vg_stmt_bind_int(st, 6, now);
	vg_stmt_bind_int(st, 7, listed ? 1 : 0);
	vg_stmt_bind_text(st, 8, listed ? listed : "", -1);
	vg_stmt_bind_text(st, 9, listed ? "auto" : "", -1);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e)
		return e;
	if (t == VG_OBS_CIDR && has_addr) {
		static const char *const pfx = "INSERT INTO observable_prefixes(family, prefix) VALUES (?, ?)"
					       " ON CONFLICT DO NOTHING";
		if ((e = vg_db_prepare(db, pfx, &st, d)))
			return e;
		vg_stmt_bind_int(st, 1, c.addr.family);
		vg_stmt_bind_int(st, 2, c.prefix);
		e = vg_stmt_exec(st, d);
		vg_stmt_done(st);
		if (e)
			return e;
	}
	if ((e = vg_db_prepare(db, sel, &st, d)))
		return e;
	vg_stmt_bind_text(st, 1, vg_obs_type_name(t), -1);
	vg_stmt_bind_text(st, 2, normalized, -1);
	if (vg_stmt_step(st, d) == VG_ROW)
		*id = vg_stmt_int(st, 0);
	else
		e = vg_diag_set(d, VG_ERR_DB, NULL, "observable vanished after upsert");
	vg_stmt_done(st);
	return e;
}

vg_err vg_obs_link(vg_db *db, int64_t obs_id, const char *object_type, int64_t object_id, int64_t org_id,
		   const char *source, int64_t common_cap, bool *created, vg_diag *d)
{
	static const char *const ins =
		"INSERT INTO observable_links(observable_id, object_type, object_id, org_id, created_at, source)"
		" VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
	static const char *const bump =
		"UPDATE observables SET link_count = link_count + 1, last_seen = max(last_seen, ?) WHERE id = ?";
	vg_stmt *st;
	vg_err e;
	bool isnew;
	int64_t now = vg_time_now_ms();
	(void)common_cap; /* the cap is applied when correlating, so changing it takes effect at once */
	if (!object_type_ok(object_type))
		return vg_diag_set(d, VG_ERR_INVALID, "object_type", "object type must be report, incident or alert");
	if ((e = vg_db_prepare(db, ins, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, obs_id);
	vg_stmt_bind_text(st, 2, object_type, -1);
	vg_stmt_bind_int(st, 3, object_id);
	if (org_id > 0)
		vg_stmt_bind_int(st, 4, org_id);
	else
		vg_stmt_bind_null(st, 4);
	vg_stmt_bind_int(st, 5, now);
	vg_stmt_bind_text(st, 6, source ? source : "", -1);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e)
		return e;
	isnew = vg_db_changes(db) > 0;
	if (isnew) {
		if ((e = vg_db_prepare(db, bump, &st, d)))
			return e;
		vg_stmt_bind_int(st, 1, now);
		vg_stmt_bind_int(st, 2, obs_id);
		e = vg_stmt_exec(st, d);
		vg_stmt_done(st);
	}
	if (created)
		*created = isnew;
	return e;
}

vg_err vg_obs_link_value(vg_db *db, vg_obs_type t, const char *raw, size_t len, const char *object_type,
			 int64_t object_id, int64_t org_id, const char *source, const vg_obs_warnlist *wl,
			 int64_t common_cap, int64_t *obs_id, bool *created, vg_diag *d)
{
	char norm[VG_OBS_VALUE_BUF];
	int64_t id = 0;
	vg_err e;
	bool own_tx = !vg_db_in_tx(db);
	if (!raw)
		return vg_diag_set(d, VG_ERR_INVALID, "value", "value is required");
	if (len == 0)
		len = strlen(raw);
	if (len > VG_OBS_VALUE_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, "value", "value longer than %d bytes", VG_OBS_VALUE_MAX);
	if (t == VG_OBS__COUNT) {
		e = vg_obs_guess(raw, len, &t, norm, sizeof norm, d);
	} else if (t == VG_OBS_FILENAME || t == VG_OBS_USER_AGENT || t == VG_OBS_STRING) {
		e = vg_obs_normalize(t, raw, len, norm, sizeof norm, "value", d);
	} else {
		/* network values and hashes may arrive defanged ("hxxp://x[.]y") */
		char rf[VG_OBS_VALUE_BUF];
		size_t n = vg_obs_refang(raw, len, rf, sizeof rf, NULL);
		e = vg_obs_normalize(t, rf, n, norm, sizeof norm, "value", d);
	}
	if (e)
		return e;
	if (!object_type_ok(object_type))
		return vg_diag_set(d, VG_ERR_INVALID, "object_type", "object type must be report, incident or alert");
	if (own_tx && (e = vg_db_begin(db, true, d)))
		return e;
	e = vg_obs_upsert(db, t, norm, wl, &id, d);
	if (!e)
		e = vg_obs_link(db, id, object_type, object_id, org_id, source, common_cap, created, d);
	if (own_tx) {
		if (!e)
			e = vg_db_commit(db, d);
		else
			vg_db_rollback(db);
	}
	if (!e && obs_id)
		*obs_id = id;
	return e;
}

vg_err vg_obs_unlink(vg_db *db, int64_t obs_id, const char *object_type, int64_t object_id, vg_diag *d)
{
	static const char *const del =
		"DELETE FROM observable_links WHERE observable_id = ? AND object_type = ? AND object_id = ?";
	static const char *const dec =
		"UPDATE observables SET link_count = link_count - 1 WHERE id = ? AND link_count > 0";
	vg_stmt *st;
	vg_err e;
	if ((e = vg_db_prepare(db, del, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, obs_id);
	vg_stmt_bind_text(st, 2, object_type, -1);
	vg_stmt_bind_int(st, 3, object_id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e)
		return e;
	if (vg_db_changes(db) == 0)
		return vg_diag_set(d, VG_ERR_NOT_FOUND, "observable_id", "observable %" PRId64 " is not linked", obs_id);
	if ((e = vg_db_prepare(db, dec, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, obs_id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	return e;
}

vg_err vg_obs_set_object_org(vg_db *db, const char *object_type, int64_t object_id, int64_t org_id, vg_diag *d)
{
	static const char *const sql = "UPDATE observable_links SET org_id = ? WHERE object_type = ? AND object_id = ?";
	vg_stmt *st;
	vg_err e;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	if (org_id > 0)
		vg_stmt_bind_int(st, 1, org_id);
	else
		vg_stmt_bind_null(st, 1);
	vg_stmt_bind_text(st, 2, object_type, -1);
	vg_stmt_bind_int(st, 3, object_id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	return e;
}

vg_err vg_obs_move_links(vg_db *db, const char *object_type, int64_t from_id, int64_t to_id, int64_t org_id,
			 vg_diag *d)
{
	static const char *const sel =
		"SELECT observable_id, source FROM observable_links WHERE object_type = ? AND object_id = ?";
	vg_stmt *st;
	vg_err e;
	int64_t ids[256];
	char srcs[256][32];
	size_t n;
	do {
		int rc;
		n = 0;
		if ((e = vg_db_prepare(db, sel, &st, d)))
			return e;
		vg_stmt_bind_text(st, 1, object_type, -1);
		vg_stmt_bind_int(st, 2, from_id);
		while (n < 256 && (rc = vg_stmt_step(st, d)) == VG_ROW) {
			ids[n] = vg_stmt_int(st, 0);
			snprintf(srcs[n], sizeof srcs[n], "%s", vg_stmt_text(st, 1));
			n++;
		}
		vg_stmt_done(st);
		for (size_t i = 0; i < n && !e; i++) {
			e = vg_obs_unlink(db, ids[i], object_type, from_id, d);
			if (!e)
				e = vg_obs_link(db, ids[i], object_type, to_id, org_id, srcs[i], 0, NULL, d);
		}
	} while (!e && n == 256);
	return e;
}

static vg_err simple_update(vg_db *db, const char *sql, int64_t id, int64_t iv, const char *tv, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	if (tv)
		vg_stmt_bind_text(st, 1, tv, -1);
	else
		vg_stmt_bind_int(st, 1, iv);
	vg_stmt_bind_int(st, 2, id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (!e && vg_db_changes(db) == 0)
		e = vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no observable %" PRId64, id);
	return e;
}

vg_err vg_obs_set_ioc(vg_db *db, int64_t id, bool ioc, vg_diag *d)
{
	static const char *const sql = "UPDATE observables SET ioc = ? WHERE id = ?";
	return simple_update(db, sql, id, ioc ? 1 : 0, NULL, d);
}

vg_err vg_obs_set_tags(vg_db *db, int64_t id, const char *tags_json, vg_diag *d)
{
	static const char *const sql = "UPDATE observables SET tags = ? WHERE id = ?";
	return simple_update(db, sql, id, 0, tags_json ? tags_json : "[]", d);
}

vg_err vg_obs_set_common(vg_db *db, int64_t id, bool common, const char *reason, vg_diag *d)
{
	static const char *const sql =
		"UPDATE observables SET common = ?, common_reason = ?, common_by = 'analyst' WHERE id = ?";
	vg_stmt *st;
	vg_err e;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, common ? 1 : 0);
	vg_stmt_bind_text(st, 2, reason ? reason : "", -1);
	vg_stmt_bind_int(st, 3, id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (!e && vg_db_changes(db) == 0)
		e = vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no observable %" PRId64, id);
	return e;
}

vg_err vg_obs_list_for_object(vg_db *db, const char *object_type, int64_t object_id, size_t max, vg_arena *a,
			      vg_obs_linked **items, size_t *n, vg_diag *d)
{
	static const char *const sql =
		"SELECT o.id, o.type, o.value, o.first_seen, o.last_seen, o.ioc, o.common, o.common_reason,"
		" o.common_by, o.tags, o.link_count, l.source, l.created_at"
		" FROM observable_links l JOIN observables o ON o.id = l.observable_id"
		" WHERE l.object_type = ? AND l.object_id = ? ORDER BY l.created_at, o.id LIMIT ?";
	vg_stmt *st;
	vg_err e;
	int rc;
	size_t cap = max ? max : VG_OBS_PER_OBJECT_MAX;
	*items = NULL;
	*n = 0;
	if (cap > VG_OBS_PER_OBJECT_MAX)
		cap = VG_OBS_PER_OBJECT_MAX;
	*items = vg_arena_calloc(a, cap, sizeof **items);
	if (!*items)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_text(st, 1, object_type, -1);
	vg_stmt_bind_int(st, 2, object_id);
	vg_stmt_bind_int(st, 3, (int64_t)cap);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		vg_obs_linked *l = &(*items)[(*n)++];
		row_to_obs(st, 0, a, &l->obs);
		l->source = vg_arena_strdup(a, vg_stmt_text(st, 11));
		l->linked_at = vg_stmt_int(st, 12);
		if (!l->obs.value || !l->source || !l->obs.tags) {
			e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
			break;
		}
	}
	if (!e && rc < 0)
		e = d ? d->code : VG_ERR_DB;
	vg_stmt_done(st);
	return e;
}

vg_err vg_obs_objects(vg_db *db, int64_t obs_id, int64_t scope_org, size_t max, vg_arena *a,
		      vg_obs_object_ref **items, size_t *n, bool *truncated, vg_diag *d)
{
	static const char *const sql =
		"SELECT object_type, object_id, coalesce(org_id, 0), source, created_at FROM observable_links"
		" WHERE observable_id = ? AND (? = 0 OR org_id = ? OR (object_type = 'incident' AND EXISTS (SELECT 1 FROM"
		" incident_orgs x WHERE x.incident_id = object_id AND x.org_id = ?)))"
		" ORDER BY created_at DESC, object_id DESC LIMIT ?";
	vg_stmt *st;
	vg_err e;
	int rc;
	*n = 0;
	*truncated = false;
	if (max == 0 || max > VG_OBS_RELATED_MAX * 5)
		max = VG_OBS_RELATED_MAX * 5;
	*items = vg_arena_calloc(a, max, sizeof **items);
	if (!*items)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, obs_id);
	vg_stmt_bind_int(st, 2, scope_org);
	vg_stmt_bind_int(st, 3, scope_org);
	vg_stmt_bind_int(st, 4, scope_org);
	vg_stmt_bind_int(st, 5, (int64_t)max + 1);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		vg_obs_object_ref *r;
		if (*n == max) {
			*truncated = true;
			break;
		}
		r = &(*items)[(*n)++];
		r->object_type = vg_arena_strdup(a, vg_stmt_text(st, 0));
		r->object_id = vg_stmt_int(st, 1);
		r->org_id = vg_stmt_int(st, 2);
		r->source = vg_arena_strdup(a, vg_stmt_text(st, 3));
		r->linked_at = vg_stmt_int(st, 4);
		if (!r->object_type || !r->source) {
			e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
			break;
		}
	}
	if (!e && rc < 0)
		e = d ? d->code : VG_ERR_DB;
	vg_stmt_done(st);
	return e;
}

vg_err vg_obs_search(vg_db *db, const vg_obs_query *q, vg_arena *a, vg_observable **items, size_t *n,
		     int64_t *next_after, vg_diag *d)
{
	static const char *const sql =
		"SELECT " OBS_COLS " FROM observables o WHERE o.id > ?"
		" AND (? = 0 OR o.type = ?)"
		" AND (? IS NULL OR substr(o.value, 1, length(?)) = ?)"
		" AND (? < 0 OR o.ioc = ?)"
		" AND (? = 0 OR EXISTS (SELECT 1 FROM observable_links l WHERE l.observable_id = o.id AND (l.org_id = ?"
		" OR (l.object_type = 'incident' AND EXISTS (SELECT 1 FROM incident_orgs x WHERE x.incident_id ="
		" l.object_id AND x.org_id = ?)))))"
		" ORDER BY o.id LIMIT ?";
	vg_stmt *st;
	vg_err e;
	int rc;
	size_t limit = q->limit ? q->limit : 50;
	*n = 0;
	*next_after = 0;
	if (limit > 500)
		limit = 500;
	*items = vg_arena_calloc(a, limit, sizeof **items);
	if (!*items)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	if (q->has_type && q->value && q->exact) {
		/* one value: the (type, value) index, then the other filters */
		vg_observable o;
		e = vg_obs_find(db, q->type, q->value, a, &o, d);
		if (e == VG_ERR_NOT_FOUND) {
			vg_diag_clear(d);
			return VG_OK;
		}
		if (e)
			return e;
		if (o.id <= q->after_id || (q->ioc >= 0 && o.ioc != (q->ioc == 1)))
			return VG_OK;
		if (q->scope_org > 0) {
			vg_obs_object_ref *refs;
			size_t nr;
			bool tr;
			if ((e = vg_obs_objects(db, o.id, q->scope_org, 1, a, &refs, &nr, &tr, d)))
				return e;
			if (nr == 0)
				return VG_OK;
		}
		(*items)[0] = o;
		*n = 1;
		return VG_OK;
	}
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, q->after_id);
	vg_stmt_bind_int(st, 2, q->has_type ? 1 : 0);
	vg_stmt_bind_text(st, 3, vg_obs_type_name(q->type), -1);
	vg_stmt_bind_text(st, 4, q->value, -1);
	vg_stmt_bind_text(st, 5, q->value, -1);
	vg_stmt_bind_text(st, 6, q->value, -1);
	vg_stmt_bind_int(st, 7, q->ioc);
	vg_stmt_bind_int(st, 8, q->ioc);
	vg_stmt_bind_int(st, 9, q->scope_org);
	vg_stmt_bind_int(st, 10, q->scope_org);
	vg_stmt_bind_int(st, 11, q->scope_org);
	vg_stmt_bind_int(st, 12, (int64_t)limit + 1);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		if (*n == limit) {
			*next_after = (*items)[limit - 1].id;
			break;
		}
		row_to_obs(st, 0, a, &(*items)[*n]);
		if (!(*items)[*n].value || !(*items)[*n].tags) {
			e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
			break;
		}
		(*n)++;
	}
	if (!e && rc < 0)
		e = d ? d->code : VG_ERR_DB;
	vg_stmt_done(st);
	return e;
}
