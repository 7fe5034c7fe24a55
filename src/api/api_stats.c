/* Aggregates for the web console's dashboard: GET /api/v1/stats.
 *
 * Open incidents by status, severity, RSIT type, primary organisation and
 * sector; incidents opened and closed and alerts created per UTC day over a
 * range; SLA and NIS2 clocks overdue now and the clocks due next; alerts by
 * level and status. A
 * constituent gets the same figures over the incidents it may read (its
 * organisation is the primary one or one of the organisations concerned) and
 * its organisation's alerts.
 *
 * Every query is driven by an index that bounds its work by what it counts,
 * not by the history (migration 0009): the open-incident aggregates and the
 * clocks come from one scan of the partial index of open incidents
 * (covering: no table access), the per-day series are index range counts,
 * one per day. All queries run in one read transaction, so the figures are
 * of one snapshot. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers_incidents.h" /* vg_api_cases_init */
#include "api/handlers_stats.h"
#include "cases/cases.h" /* vg_clocks_compute: the one definition of "overdue" */
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"

#define DAY_MS (86400LL * 1000)
/* Longest range of the per-day series: one year and a leap day, so that a
 * response stays a few kilobytes whatever is asked. */
#define STATS_DAYS_MAX 366
/* Rows of the "top" lists. */
#define STATS_TOP 10

/* Scope: ?1 is the organisation whose incidents (primary or concerned) are
 * counted. Each incident query has a form for everyone (no scope term: the
 * index alone answers) and a scoped one, picked by scoped(). */
#define SCOPE_INC "(i.org_id = ?1 OR i.id IN (SELECT incident_id FROM incident_orgs WHERE org_id = ?1))"

/* The UTC days of the range [?2, ?3), as rows of a recursive CTE "days(lo)". */
#define DAYS                                                                                                       \
	"WITH RECURSIVE days(lo) AS (SELECT ?2 UNION ALL SELECT lo + 86400000 FROM days WHERE lo + 86400000 < ?3)"

static const char *scoped(int64_t scope, const char *all, const char *one)
{
	return scope ? one : all;
}

static const char *const open_statuses[] = {"new", "triage", "analysis", "containment", "eradication", "recovery",
					    "waiting", NULL};
static const char *const severities[] = {"low", "medium", "high", "critical", NULL};
static const char *const clocks[] = {"ack", "first_advice", "nis2_early_warning", "nis2_notification",
				     "nis2_final_report", NULL};
static const char *const alert_levels[] = {"informational", "low", "medium", "high", "critical", NULL};
static const char *const alert_statuses[] = {"new", "acknowledged", "merged", NULL};

static void add(json_t *o, const char *key, int64_t n)
{
	json_t *v = json_object_get(o, key);
	json_object_set_new(o, key, json_integer((v ? json_integer_value(v) : 0) + n));
}

static int by_count_desc(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "count"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "count"));
	return x < y ? 1 : x > y ? -1 : 0;
}

/* An object {key: count} as an array of objects sorted by count (desc),
 * each made by mk(key, count); at most max rows (0 = all). Steals counts. */
static json_t *ranked(json_t *counts, json_t *(*mk)(const char *key, json_int_t n, void *ctx), void *ctx,
		      size_t max)
{
	size_t n = json_object_size(counts), k = 0;
	json_t **rows = calloc(n ? n : 1, sizeof *rows), *out = json_array(), *v;
	const char *key;
	json_object_foreach(counts, key, v) rows[k++] = mk(key, json_integer_value(v), ctx);
	qsort(rows, k, sizeof *rows, by_count_desc);
	for (size_t i = 0; i < k; i++) {
		if (!max || i < max)
			json_array_append_new(out, rows[i]);
		else
			json_decref(rows[i]);
	}
	free(rows);
	json_decref(counts);
	return out;
}

static json_t *mk_type(const char *key, json_int_t n, void *ctx)
{
	const char *tab = strchr(key, '\t');
	(void)ctx;
	return json_pack("{s:s%,s:s,s:I}", "taxonomy", key, (size_t)(tab ? tab - key : 0), "type", tab ? tab + 1 : key,
			 "count", n);
}

/* Organisation rows: name and sector looked up by id ("0": no organisation). */
static json_t *mk_org(const char *key, json_int_t n, void *ctx)
{
	vg_stmt *st = ctx;
	int64_t id = strtoll(key, NULL, 10);
	json_t *o = json_pack("{s:o,s:n,s:s,s:I}", "org_id", id ? json_integer(id) : json_null(), "name", "sector", "",
			      "count", n);
	if (id && st) {
		vg_diag d;
		vg_stmt_bind_int(st, 1, id);
		if (vg_stmt_step(st, &d) == VG_ROW) {
			json_object_set_new(o, "name", json_string(vg_stmt_text(st, 0)));
			json_object_set_new(o, "sector", json_string(vg_stmt_text(st, 1)));
		}
		vg_stmt_done(st);
	}
	return o;
}

static json_t *mk_sector(const char *key, json_int_t n, void *ctx)
{
	(void)ctx;
	return json_pack("{s:s,s:I}", "sector", key, "count", n);
}

/* Open incidents per organisation: a small open-addressing table (an
 * organisation id, 0 for none, and its count; count 0 = empty slot). */
typedef struct org_count {
	int64_t id, n;
} org_count;
typedef struct org_table {
	org_count *slots;
	size_t cap, len;
} org_table;

static bool org_add(org_table *t, int64_t id)
{
	size_t k;
	if (2 * (t->len + 1) > t->cap) {
		org_table g = {calloc(t->cap ? t->cap * 2 : 256, sizeof(org_count)), t->cap ? t->cap * 2 : 256, 0};
		if (!g.slots)
			return false;
		for (size_t i = 0; i < t->cap; i++)
			if (t->slots[i].n) {
				for (k = (size_t)t->slots[i].id * 0x9E3779B97F4A7C15ULL & (g.cap - 1); g.slots[k].n; k = (k + 1) & (g.cap - 1))
					;
				g.slots[k] = t->slots[i];
				g.len++;
			}
		free(t->slots);
		*t = g;
	}
	for (k = (size_t)id * 0x9E3779B97F4A7C15ULL & (t->cap - 1); t->slots[k].n && t->slots[k].id != id; k = (k + 1) & (t->cap - 1))
		;
	if (!t->slots[k].n) {
		t->slots[k].id = id;
		t->len++;
	}
	t->slots[k].n++;
	return true;
}

static int index_of(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

/* The organisations subject to NIS2 (their incidents have the NIS2 clocks). */
static vg_err nis2_orgs(vg_req *r, org_table *t, vg_diag *d)
{
	static const char *const sql = "SELECT id FROM organisations WHERE nis2 IN ('essential', 'important')";
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_db_prepare(r->db, sql, &st, d)))
		return e;
	while ((rc = vg_stmt_step(st, d)) == VG_ROW)
		if (!org_add(t, vg_stmt_int(st, 0)))
			break;
	vg_stmt_done(st);
	if (rc == VG_ROW)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	return rc < 0 ? VG_ERR_DB : VG_OK;
}

static bool org_has(const org_table *t, int64_t id)
{
	if (!t->cap)
		return false;
	for (size_t k = (size_t)id * 0x9E3779B97F4A7C15ULL & (t->cap - 1); t->slots[k].n; k = (k + 1) & (t->cap - 1))
		if (t->slots[k].id == id)
			return true;
	return false;
}

/* The clocks due next: the STATS_DUE soonest unmet deadlines of open
 * incidents, soonest first (then by incident id, as GET /api/v1/deadlines),
 * kept in a small sorted array during the scan. */
#define STATS_DUE 15
typedef struct due_item {
	int64_t incident_id, org_id, due, left;
	const char *name; /* static, from vg_clocks_compute */
	bool overdue;
} due_item;
typedef struct due_list {
	due_item item[STATS_DUE];
	int n;
} due_list;

static bool due_before(const due_item *a, const due_item *b)
{
	return a->due < b->due || (a->due == b->due && a->incident_id < b->incident_id);
}

static void due_offer(due_list *l, const due_item *x)
{
	int i;
	if (l->n == STATS_DUE && !due_before(x, &l->item[STATS_DUE - 1]))
		return;
	if (l->n < STATS_DUE)
		l->n++;
	for (i = l->n - 1; i > 0 && due_before(x, &l->item[i - 1]); i--)
		l->item[i] = l->item[i - 1];
	l->item[i] = *x;
}

/* [{"incident_id","reference","title","org_id","deadline","due_at","left_ms","overdue"}] */
static vg_err due_json(vg_req *r, const due_list *l, int64_t scope, json_t **out, vg_diag *d)
{
	static const char *const sql = "SELECT reference, title FROM incidents WHERE id = ?";
	vg_stmt *st;
	vg_err e;
	if ((e = vg_db_prepare(r->db, sql, &st, d)))
		return e;
	*out = json_array();
	for (int i = 0; i < l->n; i++) {
		const due_item *x = &l->item[i];
		vg_stmt_bind_int(st, 1, x->incident_id);
		if (vg_stmt_step(st, d) == VG_ROW)
			json_array_append_new(
				*out, json_pack("{s:I,s:s,s:s,s:o,s:s,s:o,s:I,s:b}", "incident_id", (json_int_t)x->incident_id,
						"reference", vg_stmt_text(st, 0), "title", vg_stmt_text(st, 1), "org_id",
						/* a constituent sees its own organisation, as in GET /deadlines */
						scope > 0 ? json_integer(scope) : x->org_id ? json_integer(x->org_id) : json_null(),
						"deadline", x->name, "due_at", vg_json_time(x->due), "left_ms",
						(json_int_t)x->left, "overdue", x->overdue));
		vg_stmt_done(st);
	}
	return VG_OK;
}

/* Open incidents by status, severity, type, organisation and sector, and
 * their overdue clocks: one scan of the covering index of open incidents,
 * counted here (cheaper than SQL's GROUP BY over five text columns), the
 * clocks computed by src/cases's own function, as GET /api/v1/deadlines and
 * the incident page do. Rows come in index order, so the (taxonomy, type)
 * pairs are counted in runs. */
static vg_err open_aggregates(vg_req *r, int64_t scope, int64_t now, json_t *out, vg_diag *d)
{
#define OPEN_ROWS                                                                                                  \
	"SELECT i.status, i.severity, i.taxonomy, i.type, i.org_id, i.created_at, i.awareness_at, i.acknowledged_at, " \
	"i.first_advice_at, i.nis2_early_warning_at, i.nis2_notification_at, i.nis2_final_report_at, i.paused_ms, "    \
	"i.paused_since, i.closed_at, i.id FROM incidents i WHERE i.status <> 'closed' "
	static const char *const all_sql = OPEN_ROWS "AND ?1 = 0";
	static const char *const one_sql = OPEN_ROWS "AND " SCOPE_INC;
#undef OPEN_ROWS
	static const char *const org_sql = "SELECT name, sector FROM organisations WHERE id = ?";
	json_t *status = json_object(), *sev = json_object(), *types = json_object(), *orgs = json_object(),
	       *sectors = json_object(), *overdue = json_object(), *top_orgs, *row;
	int64_t total = 0, st_n[8] = {0}, sev_n[4] = {0}, clock_n[VG_DEADLINES_MAX] = {0}, late = 0, run = 0;
	org_table ot = {NULL, 0, 0}, nis2 = {NULL, 0, 0};
	due_list due = {.n = 0};
	json_t *due_next = NULL;
	char prev[160] = "";
	vg_stmt *st, *ost = NULL;
	size_t i;
	vg_err e;
	int rc, k;
	if ((e = nis2_orgs(r, &nis2, d)) || (e = vg_db_prepare(r->db, scoped(scope, all_sql, one_sql), &st, d)))
		goto fail;
	vg_stmt_bind_int(st, 1, scope);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		int64_t org = vg_stmt_is_null(st, 4) ? 0 : vg_stmt_int(st, 4);
		vg_clock_input in = {.severity = vg_stmt_text(st, 1), .status = vg_stmt_text(st, 0)};
		/* the clocks' columns, as src/cases/clocks.c reads them (NULL = 0) */
		int64_t *v[] = {&in.created_at, &in.awareness_at, &in.acknowledged_at, &in.first_advice_at,
				&in.nis2_early_warning_at, &in.nis2_notification_at, &in.nis2_final_report_at,
				&in.paused_ms, &in.paused_since, &in.closed_at};
		vg_deadline dl[VG_DEADLINES_MAX];
		char key[160];
		if ((k = index_of(open_statuses, in.status)) >= 0)
			st_n[k]++;
		if ((k = index_of(severities, in.severity)) >= 0)
			sev_n[k]++;
		snprintf(key, sizeof key, "%s\t%s", vg_stmt_text(st, 2), vg_stmt_text(st, 3));
		if (strcmp(key, prev)) {
			if (run)
				add(types, prev, run);
			memcpy(prev, key, sizeof prev);
			run = 0;
		}
		run++;
		if (!org_add(&ot, org))
			break;
		total++;
		for (k = 0; k < 10; k++)
			*v[k] = vg_stmt_is_null(st, 5 + k) ? 0 : vg_stmt_int(st, 5 + k);
		in.nis2 = org && org_has(&nis2, org) ? "essential" : "";
		for (int n = vg_clocks_compute(&in, now, dl), j = 0; j < n; j++) {
			if (dl[j].done_ms)
				continue;
			due_offer(&due, &(due_item){vg_stmt_int(st, 15), org, dl[j].due_ms, dl[j].left_ms, dl[j].name,
						    dl[j].overdue});
			if (dl[j].overdue && (k = index_of(clocks, dl[j].name)) >= 0) {
				clock_n[k]++;
				late++;
			}
		}
	}
	vg_stmt_done(st);
	if (run)
		add(types, prev, run);
	if (rc == VG_ROW) { /* the organisation table could not grow */
		e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		goto fail;
	}
	if (rc < 0) {
		e = VG_ERR_DB;
		goto fail;
	}
	for (k = 0; open_statuses[k]; k++)
		json_object_set_new(status, open_statuses[k], json_integer(st_n[k]));
	for (k = 0; severities[k]; k++)
		json_object_set_new(sev, severities[k], json_integer(sev_n[k]));
	for (k = 0; clocks[k]; k++)
		json_object_set_new(overdue, clocks[k], json_integer(clock_n[k]));
	for (i = 0; i < ot.cap; i++)
		if (ot.slots[i].n) {
			char id[24];
			snprintf(id, sizeof id, "%" PRId64, ot.slots[i].id);
			json_object_set_new(orgs, id, json_integer(ot.slots[i].n));
		}
	/* sectors come from every organisation with open incidents; the top
	 * list shows the first STATS_TOP of them */
	if ((e = vg_db_prepare(r->db, org_sql, &ost, d)))
		goto fail;
	top_orgs = ranked(orgs, mk_org, ost, 0);
	orgs = NULL;
	vg_stmt_done(ost);
	json_array_foreach(top_orgs, i, row) {
		if (json_is_integer(json_object_get(row, "org_id")))
			add(sectors, json_string_value(json_object_get(row, "sector")),
			    json_integer_value(json_object_get(row, "count")));
	}
	while (json_array_size(top_orgs) > STATS_TOP)
		json_array_remove(top_orgs, json_array_size(top_orgs) - 1);
	json_object_set_new(out, "open", json_pack("{s:I,s:o,s:o,s:o}", "total", (json_int_t)total, "by_status", status,
						   "by_severity", sev, "by_type", ranked(types, mk_type, NULL, 0)));
	json_object_set_new(out, "top_orgs", top_orgs);
	json_object_set_new(out, "top_sectors", ranked(sectors, mk_sector, NULL, STATS_TOP));
	json_object_set_new(out, "overdue", json_pack("{s:I,s:o}", "total", (json_int_t)late, "by_clock", overdue));
	if ((e = due_json(r, &due, scope, &due_next, d))) {
		free(ot.slots);
		free(nis2.slots);
		return e;
	}
	json_object_set_new(out, "due_next", due_next);
	free(ot.slots);
	free(nis2.slots);
	return VG_OK;
fail:
	free(ot.slots);
	free(nis2.slots);
	json_decref(status);
	json_decref(sev);
	json_decref(types);
	json_decref(orgs);
	json_decref(sectors);
	json_decref(overdue);
	return e;
}

/* Per-day buckets from a query's rows (time in ms, count): either one row
 * per day with its count (DAYS below: the index counts, nothing is stepped
 * through here) or one row per object with count 1 (scoped forms). */
static vg_err per_day(vg_req *r, const char *sql, int64_t scope, int64_t from, int64_t to, int64_t *buckets,
		      int ndays, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_db_prepare(r->db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, scope);
	vg_stmt_bind_int(st, 2, from);
	vg_stmt_bind_int(st, 3, to);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		int64_t k = (vg_stmt_int(st, 0) - from) / DAY_MS;
		if (k >= 0 && k < ndays)
			buckets[k] += vg_stmt_int(st, 1);
	}
	vg_stmt_done(st);
	return rc < 0 ? VG_ERR_DB : VG_OK;
}

/* Alerts by level (the rule's level as normalised into the severity column)
 * and status over the range, per day, and those still waiting (new): one
 * index range count per day, level and status. */
static vg_err alert_aggregates(vg_req *r, int64_t scope, int64_t from, int64_t to, int64_t *per_day_alerts,
			       int ndays, json_t *out, vg_diag *d)
{
	static const char *const sql =
		DAYS ", kinds(level, status) AS (VALUES ('informational', 'new'), ('informational', 'acknowledged'), "
		"('informational', 'merged'), ('low', 'new'), ('low', 'acknowledged'), ('low', 'merged'), ('medium', 'new'), "
		"('medium', 'acknowledged'), ('medium', 'merged'), ('high', 'new'), ('high', 'acknowledged'), "
		"('high', 'merged'), ('critical', 'new'), ('critical', 'acknowledged'), ('critical', 'merged')) "
		"SELECT lo, k.level, k.status, (SELECT COUNT(*) FROM alerts a WHERE a.severity = k.level AND "
		"a.status = k.status AND a.created_at >= lo AND a.created_at < lo + 86400000 AND (?1 = 0 OR a.org_id = ?1)) "
		"FROM days, kinds k";
	static const char *const waiting_all = "SELECT COUNT(*) FROM alerts WHERE status = 'new' AND ?1 = 0";
	static const char *const waiting_one = "SELECT COUNT(*) FROM alerts WHERE status = 'new' AND org_id = ?1";
	json_t *level = json_object(), *status = json_object();
	int64_t total = 0, waiting = 0, level_n[5] = {0}, status_n[3] = {0};
	vg_stmt *st;
	vg_err e;
	int rc, k;
	if ((e = vg_db_prepare(r->db, sql, &st, d)))
		goto fail;
	vg_stmt_bind_int(st, 1, scope);
	vg_stmt_bind_int(st, 2, from);
	vg_stmt_bind_int(st, 3, to);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		int64_t day = (vg_stmt_int(st, 0) - from) / DAY_MS, n = vg_stmt_int(st, 3);
		if (day >= 0 && day < ndays)
			per_day_alerts[day] += n;
		if ((k = index_of(alert_levels, vg_stmt_text(st, 1))) >= 0)
			level_n[k] += n;
		if ((k = index_of(alert_statuses, vg_stmt_text(st, 2))) >= 0)
			status_n[k] += n;
		total += n;
	}
	vg_stmt_done(st);
	if (rc < 0) {
		e = VG_ERR_DB;
		goto fail;
	}
	if ((e = vg_db_prepare(r->db, scoped(scope, waiting_all, waiting_one), &st, d)))
		goto fail;
	vg_stmt_bind_int(st, 1, scope);
	if ((rc = vg_stmt_step(st, d)) == VG_ROW)
		waiting = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	if (rc < 0) {
		e = VG_ERR_DB;
		goto fail;
	}
	for (k = 0; alert_levels[k]; k++)
		json_object_set_new(level, alert_levels[k], json_integer(level_n[k]));
	for (k = 0; alert_statuses[k]; k++)
		json_object_set_new(status, alert_statuses[k], json_integer(status_n[k]));
	json_object_set_new(out, "alerts", json_pack("{s:I,s:I,s:o,s:o}", "total", (json_int_t)total, "waiting",
						     (json_int_t)waiting, "by_level", level, "by_status", status));
	return VG_OK;
fail:
	json_decref(level);
	json_decref(status);
	return e;
}

/* from/to: RFC 3339 (or ms); default the 30 UTC days ending today. The range
 * is widened to whole UTC days: from the start of from's day to the end of
 * to's day (exclusive). */
static bool range(vg_req *r, int64_t now, int64_t *from, int64_t *to, int *ndays)
{
	int64_t f = 0, t = 0;
	if (!vg_req_query_time(r, "from", &f) || !vg_req_query_time(r, "to", &t))
		return false;
	if (!t)
		t = now;
	t = (t - 1) / DAY_MS * DAY_MS + DAY_MS; /* end of to's day */
	if (!f)
		f = t - 30 * DAY_MS;
	f = f / DAY_MS * DAY_MS;
	if (f >= t) {
		vg_reply_error(r, VG_ERR_INVALID, "from", "must be before to");
		return false;
	}
	if ((t - f) / DAY_MS > STATS_DAYS_MAX) {
		vg_reply_error(r, VG_ERR_INVALID, "from", "range longer than %d days", STATS_DAYS_MAX);
		return false;
	}
	*from = f;
	*to = t;
	*ndays = (int)((t - f) / DAY_MS);
	return true;
}

void vg_h_stats(vg_req *r)
{
	/* ?1 = 0 keeps the parameter numbering of the scoped forms */
	static const char *const opened_all =
		DAYS " SELECT lo, (SELECT COUNT(*) FROM incidents WHERE created_at >= lo AND created_at < lo + 86400000) "
		     "FROM days WHERE ?1 = 0";
	static const char *const closed_all =
		DAYS " SELECT lo, (SELECT COUNT(*) FROM incidents WHERE closed_at IS NOT NULL AND closed_at >= lo AND "
		     "closed_at < lo + 86400000) FROM days WHERE ?1 = 0";
	static const char *const opened_one =
		"SELECT i.created_at, 1 FROM incidents i WHERE i.created_at >= ?2 AND i.created_at < ?3 AND " SCOPE_INC;
	static const char *const closed_one = "SELECT i.closed_at, 1 FROM incidents i WHERE i.closed_at IS NOT NULL AND "
					      "i.closed_at >= ?2 AND i.closed_at < ?3 AND " SCOPE_INC;
	int64_t now = vg_time_now_ms(), from, to, scope = vg_policy_org_scope(&r->actor);
	int64_t *opened = NULL, *closed = NULL, *alerts = NULL;
	bool alerts_ok = vg_policy(&r->actor, VG_ACT_ALERT_READ, NULL) == VG_ALLOW;
	json_t *out = NULL, *days;
	int ndays = 0;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	vg_api_cases_init(r); /* the SLAs come from the server's configuration */
	if (!range(r, now, &from, &to, &ndays))
		return;
	opened = vg_arena_calloc(r->arena, (size_t)ndays * 3, sizeof *opened);
	if (!opened) {
		vg_reply_error(r, VG_ERR_NOMEM, NULL, "out of memory");
		return;
	}
	closed = opened + ndays;
	alerts = closed + ndays;
	out = json_pack("{s:o,s:o,s:o}", "from", vg_json_time(from), "to", vg_json_time(to), "scope_org_id",
			scope > 0 ? json_integer(scope) : json_null());
	if (scope < 0) /* an account without an organisation sees nothing */
		scope = INT64_MAX;
	if ((e = vg_db_begin(r->db, false, &d)))
		goto out;
	if (!(e = open_aggregates(r, scope, now, out, &d)) &&
	    !(e = per_day(r, scoped(scope, opened_all, opened_one), scope, from, to, opened, ndays, &d)) &&
	    !(e = per_day(r, scoped(scope, closed_all, closed_one), scope, from, to, closed, ndays, &d)) &&
	    alerts_ok)
		e = alert_aggregates(r, scope, from, to, alerts, ndays, out, &d);
	vg_db_rollback(r->db); /* read only */
	if (e)
		goto out;
	if (!alerts_ok)
		json_object_set_new(out, "alerts", json_null());
	days = json_array();
	for (int k = 0; k < ndays; k++) {
		char day[32];
		vg_time_format(from + k * DAY_MS, day, sizeof day, false);
		day[10] = '\0';
		json_array_append_new(days, json_pack("{s:s,s:I,s:I,s:o}", "day", day, "opened", (json_int_t)opened[k],
						      "closed", (json_int_t)closed[k], "alerts",
						      alerts_ok ? json_integer(alerts[k]) : json_null()));
	}
	json_object_set_new(out, "days", days);
	json_object_set_new(out, "generated_at", vg_json_time(now));
	vg_reply_json(r, 200, out);
	out = NULL;
out:
	json_decref(out);
	if (e)
		vg_reply_diag(r, &d);
}
