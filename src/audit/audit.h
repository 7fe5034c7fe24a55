/* Append-only, hash-chained audit log. Each entry holds the SHA-256 of the
 * previous entry's hash and of its own canonical content, so an edited, removed
 * or reordered entry breaks the chain at a place vg_audit_verify names.
 * Appends run inside the caller's write transaction: the change and its audit
 * entry commit together or not at all. */
#ifndef VG_AUDIT_AUDIT_H
#define VG_AUDIT_AUDIT_H

#include <jansson.h>
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

/* ---- helpers for callers outside the HTTP layer (CLI, bootstrap) ---- */

/* Who writes the entries: the CLI fills it from its vg_actor. */
typedef struct vg_audit_ctx {
	int64_t actor_id;
	const char *actor;      /* "cli:root", username, ... */
	const char *ip;         /* NULL = "" */
	const char *request_id; /* NULL = "" */
} vg_audit_ctx;

/* Append an entry from a context: object_id 0 = "", detail_json NULL = {}. */
vg_err vg_audit_record(vg_db *db, const vg_audit_ctx *ac, const char *action, const char *object_type,
		       int64_t object_id, int64_t org_id, const char *outcome, const char *detail_json,
		       vg_diag *d);

/* The hash of an entry (64 hex characters + NUL) from its content and prev_hash. */
#define VG_AUDIT_HASH_SIZE 65
void vg_audit_hash(const char *prev_hash, int64_t seq, int64_t ts, const vg_audit_entry *e,
		   char out[VG_AUDIT_HASH_SIZE]);

/* Listing for the API: newest first. Strings NULL = no filter; since/until in
 * ms (0 = unbounded, until exclusive); before_seq 0 = from the newest. */
typedef struct vg_audit_filter {
	const char *actor;
	const char *action;
	const char *object_type;
	int64_t since;
	int64_t until;
	int64_t before_seq;
	int limit;              /* 1..VG_PAGE_MAX; 0 = VG_PAGE_DEFAULT */
} vg_audit_filter;

/* *items: a new JSON array of entries {"seq","ts","actor_id","actor","action",
 * "object_type","object_id","org_id","outcome","ip","request_id","detail",
 * "prev_hash","hash"}. *next_cursor: seq to pass as before_seq, 0 at the end. */
vg_err vg_audit_list(vg_db *db, const vg_audit_filter *f, json_t **items, int64_t *next_cursor,
		     vg_diag *d);

#endif
