/* Append-only, hash-chained audit log. Each entry holds the SHA-256 of the
 * previous entry's hash and of its own canonical content, so an edited, removed
 * or reordered entry breaks the chain at a place vg_audit_verify names.
 * Appends run inside the caller's write transaction: the change and its audit
 * entry commit together or not at all. */
#ifndef VG_AUDIT_AUDIT_H
#define VG_AUDIT_AUDIT_H

#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

typedef struct vg_audit_entry {
	int64_t actor_id;        /* 0 when anonymous */
	const char *actor;       /* username, "anonymous", "cli:root" */
	const char *action;      /* "org.create", "session.login", ... */
	const char *object_type;
	const char *object_id;
	int64_t org_id;          /* organisation concerned, 0 if none */
	const char *outcome;     /* "ok", "denied", "failed" */
	const char *ip;
	const char *request_id;
	const char *detail_json; /* a JSON object, at most VG_AUDIT_DETAIL_MAX bytes; NULL = {} */
} vg_audit_entry;

/* Append one entry; opens its own write transaction unless one is open. */
vg_err vg_audit_append(vg_db *db, const vg_audit_entry *e, int64_t *seq_out, vg_diag *d);

typedef struct vg_audit_problem {
	int64_t seq;          /* entry where the chain breaks */
	char what[160];       /* "entry content edited", "entry missing before", ... */
} vg_audit_problem;

/* Walk the whole chain. Returns VG_OK when intact; otherwise VG_ERR_INVALID and
 * up to max problems in probs (count in *nprobs). *checked = entries read. */
vg_err vg_audit_verify(vg_db *db, vg_audit_problem *probs, int max, int *nprobs, int64_t *checked,
		       vg_diag *d);

#endif
