/* The constituency registry: organisations and their children (networks, AS
 * numbers, domains, contacts, products) stored in the schema of
 * src/store/migrations, read and written as JSON documents.
 *
 * Every function works inside the caller's transaction when one is open
 * (vg_db_begin nests) and opens its own otherwise; on error nothing it wrote
 * stays (its own transaction is rolled back; inside the caller's, the caller
 * must roll back). Diagnostics name the field ("networks[3].cidr").
 *
 * Organisation document (input and output):
 *   {"id" (output), "name", "short_name", "kind", "sector", "nis2", "parent_id",
 *    "parent" (input alternative: parent name), "in_scope", "country", "notes",
 *    "created_at", "updated_at" (output, RFC 3339),
 *    "networks": [{"cidr","note"} | "cidr"], "asns": [{"asn","note"} | "AS1" | 1],
 *    "domains": [{"domain","note"} | "d"], "contacts": [{"name","role","email",
 *    "phone","pgp_fingerprint","language"}], "products": [{"cpe","note"} | "cpe"]}
 * Output children carry their "id" too. */
#ifndef VG_REGISTRY_REGISTRY_H
#define VG_REGISTRY_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/limits.h"
#include "registry/cpe.h"
#include "registry/names.h"
#include "store/store.h"

/* ---- vocabularies ---- */
extern const char *const vg_org_kinds[];   /* NULL-terminated */
extern const char *const vg_org_sectors[]; /* NULL-terminated, includes "" */
extern const char *const vg_org_nis2[];    /* "", "essential", "important", NULL */

typedef enum vg_org_child {
	VG_CHILD_NETWORK = 0,
	VG_CHILD_ASN,
	VG_CHILD_DOMAIN,
	VG_CHILD_CONTACT,
	VG_CHILD_PRODUCT,
	VG_CHILD__COUNT
} vg_org_child;

/* "networks", "asns", "domains", "contacts", "products". */
const char *vg_org_child_name(vg_org_child k);
/* Accepts the plural (path segment) or singular ("network", CSV type); -1 if unknown. */
int vg_org_child_parse(const char *s);

/* ---- organisations ---- */
/* Create from a document (children included). Name taken → VG_ERR_CONFLICT
 * on "name"; unknown parent → VG_ERR_INVALID on "parent_id". */
vg_err vg_org_create(vg_db *db, json_t *doc, int64_t *id_out, vg_diag *d);
/* Change top-level attributes (any subset of name, short_name, kind, sector,
 * nis2, parent_id (null clears), in_scope, country, notes). Parent cycles are
 * refused on "parent_id". Children arrays are refused: use the child calls. */
vg_err vg_org_update(vg_db *db, int64_t id, json_t *patch, vg_diag *d);
/* Delete an organisation with its children (sub-organisations lose their parent). */
vg_err vg_org_delete(vg_db *db, int64_t id, vg_diag *d);
/* The document (children included when with_children). VG_ERR_NOT_FOUND if absent. */
vg_err vg_org_get_json(vg_db *db, int64_t id, bool with_children, json_t **out, vg_diag *d);
/* Case-insensitive name → id (VG_ERR_NOT_FOUND). */
vg_err vg_org_find_by_name(vg_db *db, const char *name, int64_t *id_out, vg_diag *d);
/* Does it exist? Returns VG_OK / VG_ERR_NOT_FOUND. */
vg_err vg_org_exists(vg_db *db, int64_t id, vg_diag *d);

typedef struct vg_org_filter {
	const char *q;        /* substring of name or short_name (case-insensitive), NULL = any */
	const char *kind;     /* NULL = any */
	const char *sector;   /* NULL = any */
	const char *nis2;     /* NULL = any */
	int in_scope;         /* -1 any, 0, 1 */
	int64_t parent_id;    /* 0 any */
	int64_t scope_org_id; /* 0 = every organisation, else only this one (vg_policy_org_scope) */
	const char *cursor;   /* opaque, from the previous page's "next_cursor"; NULL = first page */
	size_t limit;         /* 0 = VG_PAGE_DEFAULT; capped at VG_PAGE_MAX */
} vg_org_filter;

/* Set the defaults: in_scope -1, everything else 0/NULL. */
void vg_org_filter_init(vg_org_filter *f);
/* {"items":[org without children...], "next_cursor": "..." | null} ordered by id. */
vg_err vg_org_list_json(vg_db *db, const vg_org_filter *f, json_t **out, vg_diag *d);

/* ---- children ---- */
/* Add one child. item is an object ({"cidr","note"}, {"asn","note"},
 * {"domain","note"}, contact fields, {"cpe","note"}) or, except for contacts,
 * a bare string (or integer for ASNs). field names the item in diagnostics
 * (NULL → the kind's name). Duplicate → VG_ERR_CONFLICT. */
vg_err vg_org_child_add(vg_db *db, int64_t org_id, vg_org_child kind, json_t *item, const char *field,
			int64_t *child_id, vg_diag *d);
/* {"items":[...], "next_cursor":...} keyset-paged by id. */
vg_err vg_org_child_list_json(vg_db *db, int64_t org_id, vg_org_child kind, const char *cursor, size_t limit,
			      json_t **out, vg_diag *d);
/* One child as JSON (VG_ERR_NOT_FOUND unless it belongs to org_id). */
vg_err vg_org_child_get_json(vg_db *db, int64_t org_id, vg_org_child kind, int64_t child_id, json_t **out,
			     vg_diag *d);
vg_err vg_org_child_delete(vg_db *db, int64_t org_id, vg_org_child kind, int64_t child_id, vg_diag *d);

/* ---- bulk import / export ---- */
typedef enum vg_reg_format {
	VG_REG_FMT_AUTO = 0, /* sniff: '[' or '{' first → JSON, else CSV */
	VG_REG_FMT_JSON,
	VG_REG_FMT_CSV,
} vg_reg_format;

/* "json" / "csv" / "auto" or NULL → format; -1 if unknown. */
int vg_reg_format_parse(const char *s);

/* Called every few hundred records and once at the end: done out of total
 * records (organisations for JSON, data rows for CSV). */
typedef void (*vg_import_progress_fn)(void *ctx, size_t done, size_t total);

typedef struct vg_import_options {
	vg_reg_format format;
	bool strict;      /* any bad record fails the whole import (nothing written) */
	bool dry_run;     /* validate and apply, then roll back (must not be in a transaction) */
	const char *filename;   /* for diagnostics, may be NULL */
	vg_import_progress_fn progress;
	void *progress_ctx;
	size_t max_errors;      /* errors kept in the report (0 = 1000); all are counted */
} vg_import_options;

typedef struct vg_import_error {
	unsigned line;   /* CSV line or JSON line (0 if unknown) */
	long index;      /* JSON array index of the organisation, -1 for CSV */
	char field[VG_DIAG_FIELD_MAX];
	char message[VG_DIAG_MESSAGE_MAX];
} vg_import_error;

typedef struct vg_import_report {
	size_t records;          /* organisations (JSON) or rows (CSV) read */
	size_t orgs_created;
	size_t orgs_updated;     /* attributes changed */
	size_t orgs_unchanged;
	size_t children_added;
	size_t children_existing;
	size_t errors_total;
	vg_import_error *errors; /* malloc'd, nerrors <= max_errors */
	size_t nerrors;
	bool dry_run;
	bool committed;          /* false when dry-run or strict failure */
	int64_t elapsed_ms;
} vg_import_report;

/* Idempotent import: organisations are matched by name (case-insensitive),
 * attributes given in the file overwrite stored ones, children are added when
 * missing (nothing is removed). One transaction for the whole import (nested
 * in the caller's if open). Returns VG_OK when it ran (even with bad records
 * reported in rep unless strict), VG_ERR_INVALID when strict and any record
 * was bad, or the first fatal error (unreadable file, database). */
vg_err vg_registry_import(vg_db *db, const char *data, size_t len, const vg_import_options *o,
			  vg_import_report *rep, vg_diag *d);
void vg_import_report_fini(vg_import_report *rep);
/* {"dry_run","committed","records","orgs_created","orgs_updated","orgs_unchanged",
 *  "children_added","children_existing","errors_total","errors":[{"line","index","field","message"}]} */
json_t *vg_import_report_json(const vg_import_report *rep);

/* Export every organisation (scope_org_id 0) or just one, as JSON
 * ({"organisations":[...]} with parents by name) or CSV (header
 * org_name,kind,sector,nis2,in_scope,parent,type,value,extra). Re-importing
 * the output into an empty database gives the same registry. */
vg_err vg_registry_export(vg_db *db, vg_reg_format fmt, int64_t scope_org_id, vg_buf *out, vg_diag *d);

#endif
