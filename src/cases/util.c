/* Small helpers shared by the files of src/cases, and reference allocation. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cases/cases.h"
#include "cases/internal.h"
#include "core/clock.h"

vg_err vg_cases_exec(vg_db *db, const char *sql, vg_diag *d, const char *fmt, ...)
{
	vg_stmt *st;
	va_list ap;
	vg_err e;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	va_start(ap, fmt);
	for (int i = 1; fmt && *fmt; fmt++, i++) {
		if (*fmt == 'i')
			vg_stmt_bind_int(st, i, va_arg(ap, int64_t));
		else if (*fmt == 't')
			vg_stmt_bind_text(st, i, va_arg(ap, const char *), -1);
		else
			vg_stmt_bind_null(st, i);
	}
	va_end(ap);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	return e;
}

vg_err vg_cases_begin(vg_db *db, vg_diag *d)
{
	return vg_db_begin(db, true, d);
}

vg_err vg_cases_audit(vg_db *db, const vg_audit_ctx *ac, const char *action, const char *type, int64_t id,
		      int64_t org_id, json_t *detail, vg_diag *d)
{
	char *txt = NULL;
	vg_err e = VG_OK;
	if (ac) {
		txt = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
		if (txt && strlen(txt) > VG_AUDIT_DETAIL_MAX) {
			free(txt);
			txt = NULL;
		}
		e = vg_audit_record(db, ac, action, type, id, org_id, "ok", txt, d);
		free(txt);
	}
	json_decref(detail);
	return e;
}

vg_err vg_cases_json_time(json_t *doc, const char *key, int64_t *out, bool *present, vg_diag *d)
{
	json_t *v = json_object_get(doc, key);
	*present = false;
	if (!v || json_is_null(v))
		return VG_OK;
	if (!json_is_string(v))
		return vg_diag_set(d, VG_ERR_INVALID, key, "expected an RFC 3339 date-time");
	if (vg_time_parse(json_string_value(v), json_string_length(v), out, d))
		return vg_diag_set(d, VG_ERR_INVALID, key, "expected an RFC 3339 date-time");
	*present = true;
	return VG_OK;
}

vg_err vg_ref_next(vg_db *db, const char *kind, int year, char out[VG_REF_MAX], vg_diag *d)
{
	vg_stmt *st = NULL;
	int64_t n = 0;
	vg_err e;
	if (!kind || !*kind || strlen(kind) > 32)
		return vg_diag_set(d, VG_ERR_INVALID, "kind", "reference kind missing or too long");
	if (year < 1970 || year > 9999)
		return vg_diag_set(d, VG_ERR_INVALID, "year", "year out of range");
	if ((e = vg_cases_begin(db, d)))
		return e;
	/* UPDATE then SELECT (an upsert with RETURNING builds a temporary table
	 * on every call: measurable on the creation path); the first reference of
	 * a year inserts the counter */
	if (!(e = vg_cases_exec(db, "UPDATE ref_counters SET next = next + 1 WHERE kind = ? AND year = ?", d, "ti", kind,
				(int64_t)year)) &&
	    vg_db_changes(db) == 0)
		e = vg_cases_exec(db, "INSERT INTO ref_counters(kind, year, next) VALUES (?, ?, 1)", d, "ti", kind,
				  (int64_t)year);
	if (!e && !(e = vg_db_prepare(db, "SELECT next FROM ref_counters WHERE kind = ? AND year = ?", &st, d))) {
		vg_stmt_bind_text(st, 1, kind, -1);
		vg_stmt_bind_int(st, 2, year);
		if (vg_stmt_step(st, d) == VG_ROW)
			n = vg_stmt_int(st, 0);
		else
			e = vg_diag_set(d, VG_ERR_DB, "kind", "reference counter not updated");
		vg_stmt_done(st);
	}
	if (!e)
		snprintf(out, VG_REF_MAX, "%s-%04d-%06lld", vg_cases_cfg()->ref_prefix, year, (long long)n);
	return vg_db_end(db, e, d);
}

int vg_cases_year(int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	return tm.tm_year + 1900;
}
