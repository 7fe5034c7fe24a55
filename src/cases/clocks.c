/* Deadlines: acknowledgement and first-advice SLAs per severity, and for NIS2
 * essential/important entities the reporting clocks from awareness (early
 * warning 24 h, notification 72 h, final report one calendar month). Time spent
 * in "waiting" (on a third party) pauses every clock: the due dates move by the
 * accumulated pause. A closed incident's clocks stop at its closing time. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cases/cases.h"
#include "cases/internal.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"

#define HOUR_MS (3600LL * 1000)

/* ms + one calendar month (the day clamped to the end of a shorter month). */
static int64_t plus_month(int64_t ms)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	int y, m, dim;
	gmtime_r(&t, &tm);
	m = tm.tm_mon + 1;
	y = tm.tm_year + 1900;
	if (m == 12) {
		m = 0;
		y++;
	}
	dim = mdays[m] + (m == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	tm.tm_mon = m;
	tm.tm_year = y - 1900;
	if (tm.tm_mday > dim)
		tm.tm_mday = dim;
	return (int64_t)timegm(&tm) * 1000 + ms % 1000;
}

static void set(vg_deadline *dl, const char *name, int64_t due, int64_t done, int64_t now)
{
	dl->name = name;
	dl->due_ms = due;
	dl->done_ms = done;
	if (done) {
		dl->left_ms = 0;
		dl->overdue = done > due;
	} else {
		dl->left_ms = due - now;
		dl->overdue = now > due;
	}
}

int vg_clocks_compute(const vg_clock_input *in, int64_t now, vg_deadline out[VG_DEADLINES_MAX])
{
	const vg_cases_config *c = vg_cases_cfg();
	int sev = vg_cases_index_of(vg_severity_names, in->severity);
	int64_t eff = in->closed_at ? in->closed_at : now, paused = in->paused_ms;
	int n = 0;
	if (sev < 0)
		sev = 1;
	if (in->paused_since && eff > in->paused_since)
		paused += eff - in->paused_since;
	set(&out[n++], "ack", in->created_at + c->sla_ack_ms[sev] + paused, in->acknowledged_at, eff);
	set(&out[n++], "first_advice", in->created_at + c->sla_advice_ms[sev] + paused, in->first_advice_at, eff);
	if (in->nis2 && (!strcmp(in->nis2, "essential") || !strcmp(in->nis2, "important"))) {
		set(&out[n++], "nis2_early_warning", in->awareness_at + 24 * HOUR_MS + paused, in->nis2_early_warning_at,
		    eff);
		set(&out[n++], "nis2_notification", in->awareness_at + 72 * HOUR_MS + paused, in->nis2_notification_at,
		    eff);
		set(&out[n++], "nis2_final_report", plus_month(in->awareness_at) + paused, in->nis2_final_report_at, eff);
	}
	return n;
}

vg_err vg_incident_nis2_declared(vg_db *db, int64_t id, const char *stage, int64_t at, bool *stamped, vg_diag *d)
{
	/* one statement per clock: column names are never built from input */
	static const struct {
		const char *stage, *sql;
	} cols[] = {
		{"early_warning", "UPDATE incidents SET nis2_early_warning_at = ? WHERE id = ? AND nis2_early_warning_at IS NULL"},
		{"notification", "UPDATE incidents SET nis2_notification_at = ? WHERE id = ? AND nis2_notification_at IS NULL"},
		{"final_report", "UPDATE incidents SET nis2_final_report_at = ? WHERE id = ? AND nis2_final_report_at IS NULL"},
	};
	vg_stmt *st;
	vg_err e;
	*stamped = false;
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		if (!stage || strcmp(stage, cols[i].stage))
			continue;
		if ((e = vg_db_prepare(db, cols[i].sql, &st, d)))
			return e;
		vg_stmt_bind_int(st, 1, at);
		vg_stmt_bind_int(st, 2, id);
		e = vg_stmt_exec(st, d);
		vg_stmt_done(st);
		if (!e)
			*stamped = vg_db_changes(db) > 0;
		return e;
	}
	return vg_diag_set(d, VG_ERR_INVALID, "nis2_stage", "must be early_warning, notification or final_report");
}

json_t *vg_deadlines_to_json(const vg_deadline *dl, int n)
{
	json_t *a = json_array();
	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, json_pack("{sssosososIsb}", "name", dl[i].name, "due_at",
						   vg_json_time(dl[i].due_ms), "done_at", vg_json_time(dl[i].done_ms),
						   "met", json_boolean(dl[i].done_ms != 0), "left_ms",
						   (json_int_t)dl[i].left_ms, "overdue", dl[i].overdue));
	return a;
}

#define CLOCK_COLS                                                                                            \
	"i.severity, i.status, COALESCE(o.nis2, ''), i.created_at, i.awareness_at, i.acknowledged_at, "      \
	"i.first_advice_at, i.nis2_early_warning_at, i.nis2_notification_at, i.nis2_final_report_at, "        \
	"i.paused_ms, i.paused_since, i.closed_at"

static void read_clock(vg_stmt *st, int c, vg_clock_input *in)
{
	int64_t *v[] = {&in->created_at,	    &in->awareness_at,	       &in->acknowledged_at,
			&in->first_advice_at,	    &in->nis2_early_warning_at, &in->nis2_notification_at,
			&in->nis2_final_report_at, &in->paused_ms,	       &in->paused_since,
			&in->closed_at};
	in->severity = vg_stmt_text(st, c);
	in->status = vg_stmt_text(st, c + 1);
	in->nis2 = vg_stmt_text(st, c + 2);
	for (int i = 0; i < 10; i++)
		*v[i] = vg_stmt_is_null(st, c + 3 + i) ? 0 : vg_stmt_int(st, c + 3 + i);
}

vg_err vg_incident_deadlines(vg_db *db, int64_t id, vg_deadline out[VG_DEADLINES_MAX], int *n, vg_diag *d)
{
	static const char *sql = "SELECT " CLOCK_COLS " FROM incidents i LEFT JOIN organisations o ON o.id = i.org_id "
				 "WHERE i.id = ?";
	vg_clock_input in;
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW) {
		read_clock(st, 0, &in);
		*n = vg_clocks_compute(&in, vg_time_now_ms(), out);
	}
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	return rc == VG_ROW ? VG_OK : vg_diag_set(d, VG_ERR_NOT_FOUND, NULL, "no such incident");
}

typedef struct due_item {
	int64_t incident_id, org_id;
	vg_deadline dl;
} due_item;

/* Soonest first; ties by incident id, then by deadline name (stable output). */
static int due_cmp(const due_item *x, const due_item *y)
{
	if (x->dl.due_ms != y->dl.due_ms)
		return x->dl.due_ms < y->dl.due_ms ? -1 : 1;
	if (x->incident_id != y->incident_id)
		return x->incident_id < y->incident_id ? -1 : 1;
	return strcmp(x->dl.name, y->dl.name);
}

static int due_qsort_cmp(const void *a, const void *b)
{
	return due_cmp(a, b);
}

/* A bounded max-heap of the `cap` soonest deadlines seen: the root is the
 * latest kept, so a later deadline is refused with one comparison and the
 * scan costs O(rows × log(limit)) with no copy of the rest. */
static void heap_sift_down(due_item *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && due_cmp(&h[l], &h[m]) > 0)
			m = l;
		if (r < n && due_cmp(&h[r], &h[m]) > 0)
			m = r;
		if (m == i)
			return;
		due_item t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void heap_offer(due_item *h, size_t *n, size_t cap, const due_item *x)
{
	if (*n < cap) {
		size_t i = (*n)++;
		h[i] = *x;
		while (i > 0 && due_cmp(&h[(i - 1) / 2], &h[i]) < 0) {
			due_item t = h[i];
			h[i] = h[(i - 1) / 2];
			h[(i - 1) / 2] = t;
			i = (i - 1) / 2;
		}
	} else if (cap && due_cmp(x, &h[0]) < 0) {
		h[0] = *x;
		heap_sift_down(h, *n, 0);
	}
}

vg_err vg_deadlines_due_json(vg_db *db, int64_t scope_org_id, int64_t horizon_ms, int limit, json_t **out,
			     vg_diag *d)
{
	static const char *sql = "SELECT i.id, COALESCE(i.org_id, 0), " CLOCK_COLS
				 " FROM incidents i LEFT JOIN organisations o ON o.id = i.org_id "
				 "WHERE i.status <> 'closed' AND (? = 0 OR i.org_id = ? OR EXISTS (SELECT 1 FROM incident_orgs x "
				 "WHERE x.incident_id = i.id AND x.org_id = ?)) ORDER BY i.id DESC LIMIT ?";
	static const char *names = "SELECT reference, title FROM incidents WHERE id = ?";
	int64_t now = vg_time_now_ms();
	due_item *heap = NULL;
	size_t n = 0;
	json_t *arr = NULL;
	vg_stmt *st;
	vg_err e = VG_OK;
	int rc;

	if (limit <= 0 || limit > VG_PAGE_MAX)
		limit = VG_PAGE_DEFAULT;
	if (!(arr = json_array()))
		return VG_ERR_NOMEM;
	if (scope_org_id < 0)
		goto done;
	if (!(heap = malloc((size_t)limit * sizeof *heap))) {
		json_decref(arr);
		return VG_ERR_NOMEM;
	}
	if ((e = vg_db_prepare(db, sql, &st, d))) {
		free(heap);
		json_decref(arr);
		return e;
	}
	vg_stmt_bind_int(st, 1, scope_org_id);
	vg_stmt_bind_int(st, 2, scope_org_id);
	vg_stmt_bind_int(st, 3, scope_org_id);
	vg_stmt_bind_int(st, 4, VG_DEADLINES_SCAN_MAX);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		vg_clock_input in;
		vg_deadline dl[VG_DEADLINES_MAX];
		int k;
		read_clock(st, 2, &in);
		k = vg_clocks_compute(&in, now, dl);
		for (int j = 0; j < k; j++) {
			due_item x;
			if (dl[j].done_ms || (horizon_ms > 0 && dl[j].due_ms > now + horizon_ms))
				continue;
			x.incident_id = vg_stmt_int(st, 0);
			/* a constituent sees its own organisation, not the primary victim */
			x.org_id = scope_org_id > 0 ? scope_org_id : vg_stmt_int(st, 1);
			x.dl = dl[j];
			heap_offer(heap, &n, (size_t)limit, &x);
		}
	}
	vg_stmt_done(st);
	if (rc < 0)
		e = VG_ERR_DB;
	if (!e && n)
		qsort(heap, n, sizeof *heap, due_qsort_cmp);
	/* the names of the few kept, one indexed lookup each */
	for (size_t i = 0; !e && i < n; i++) {
		char *ref = NULL, *title = NULL;
		if ((e = vg_db_prepare(db, names, &st, d)))
			break;
		vg_stmt_bind_int(st, 1, heap[i].incident_id);
		if ((rc = vg_stmt_step(st, d)) == VG_ROW) {
			ref = strdup(vg_stmt_text(st, 0));
			title = strdup(vg_stmt_text(st, 1));
		}
		vg_stmt_done(st);
		if (rc < 0) {
			e = VG_ERR_DB;
			free(ref);
			free(title);
			break;
		}
		json_array_append_new(arr, json_pack("{sIssssso sssosIsb}", "incident_id", (json_int_t)heap[i].incident_id,
						     "reference", ref ? ref : "", "title", title ? title : "", "org_id",
						     heap[i].org_id ? json_integer(heap[i].org_id) : json_null(),
						     "deadline", heap[i].dl.name, "due_at", vg_json_time(heap[i].dl.due_ms),
						     "left_ms", (json_int_t)heap[i].dl.left_ms, "overdue", heap[i].dl.overdue));
		free(ref);
		free(title);
	}
	free(heap);
	if (e) {
		json_decref(arr);
		return e;
	}
done:
	*out = json_pack("{so}", "items", arr);
	return *out ? VG_OK : VG_ERR_NOMEM;
}
