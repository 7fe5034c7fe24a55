/* Shared helpers inside src/cases (not a public interface). */
#ifndef VG_CASES_INTERNAL_H
#define VG_CASES_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cases/cases.h"
#include "core/err.h"
#include "store/store.h"

/* Index of s in a NULL-terminated list, -1 when absent. */
int vg_cases_index_of(const char *const *names, const char *s);

/* Run one statement with integer/text binds given as a format: "i" int64,
 * "t" text (NULL binds NULL), "n" null. */
vg_err vg_cases_exec(vg_db *db, const char *sql, vg_diag *d, const char *fmt, ...);

/* Begin a write transaction (nests); vg_db_end commits or rolls back. */
vg_err vg_cases_begin(vg_db *db, vg_diag *d);

/* Index a document known to be new (no lookup of an older version). */
vg_err vg_search_index_new(vg_db *db, const char *kind, int64_t id, int64_t org_id, int64_t incident_id,
			   bool visible, const char *title, const char *body, vg_diag *d);

/* A journal entry of an incident whose organisation is known, without
 * touching the incident (used while creating it). */
vg_err vg_journal_insert(vg_db *db, int64_t incident_id, int64_t org_id, const char *kind, bool visible,
			 int64_t author_user_id, const char *body_md, const char *meta_txt, int64_t *entry_id,
			 vg_diag *d);

/* Change the organisation / visibility of an indexed document. */
vg_err vg_search_rescope(vg_db *db, const char *kind, int64_t id, int64_t org_id, bool visible, vg_diag *d);

/* Recompute the scope column of every document of an incident (its
 * organisations changed). */
vg_err vg_search_rescope_incident(vg_db *db, int64_t incident_id, vg_diag *d);

/* Stamp first_advice_at when not set (a visible advice went out). */
vg_err vg_incident_touch(vg_db *db, int64_t id, vg_diag *d);

/* Optional RFC 3339 time field: *out unchanged when absent. */
vg_err vg_cases_json_time(json_t *doc, const char *key, int64_t *out, bool *present, vg_diag *d);

/* Audit helper: no-op when ac is NULL. detail is stolen. */
vg_err vg_cases_audit(vg_db *db, const vg_audit_ctx *ac, const char *action, const char *type, int64_t id,
		      int64_t org_id, json_t *detail, vg_diag *d);

/* UTC year of a time in ms. */
int vg_cases_year(int64_t ms);

json_t *vg_deadlines_to_json(const vg_deadline *dl, int n);

#endif
