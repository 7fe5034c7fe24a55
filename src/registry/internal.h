/* Private to src/registry: parsed organisation attributes and children shared
 * by the store functions and the importer. */
#ifndef VG_REGISTRY_INTERNAL_H
#define VG_REGISTRY_INTERNAL_H

#include "core/ip.h"
#include "registry/registry.h"

#define REG_NAME_MAX 256
#define REG_PHONE_MAX 64
#define REG_LANG_MAX 35 /* BCP 47 tags are short; 35 is RFC 5646's practical maximum */

enum {
	REG_HAS_NAME = 1u << 0,
	REG_HAS_SHORT = 1u << 1,
	REG_HAS_KIND = 1u << 2,
	REG_HAS_SECTOR = 1u << 3,
	REG_HAS_NIS2 = 1u << 4,
	REG_HAS_COUNTRY = 1u << 5,
	REG_HAS_NOTES = 1u << 6,
	REG_HAS_PARENT_ID = 1u << 7,   /* parent_id given (0 = null: no parent) */
	REG_HAS_PARENT_NAME = 1u << 8, /* parent given by name ("" = no parent) */
	REG_HAS_IN_SCOPE = 1u << 9,
};

typedef struct reg_attrs {
	unsigned has;
	const char *name, *short_name, *kind, *sector, *nis2, *notes, *parent_name;
	char country[3];
	int64_t parent_id;
	bool in_scope;
} reg_attrs;

typedef struct reg_child {
	vg_org_child kind;
	char value[VG_CPE_MAX + 1]; /* canonical cidr / decimal asn / domain / email / cpe */
	const char *note;
	vg_cidr cidr;
	uint32_t asn;
	const char *name, *role, *phone, *language; /* contacts */
	char pgp[VG_PGP_FPR_BUF];
} reg_child;

/* Parse top-level attributes. import: also accept "parent" (name) and ignore
 * output-only keys (id, created_at, updated_at) and the children arrays. */
vg_err reg_attrs_parse(json_t *doc, bool import, reg_attrs *a, vg_diag *d);
/* Check one attribute value given as a string (CSV): name is the JSON key. */
vg_err reg_attr_check_enum(const char *key, const char *value, vg_diag *d);
vg_err reg_country_norm(const char *s, char out[3], const char *field, vg_diag *d);
/* Parse one child item; field names it in diagnostics. */
vg_err reg_child_parse(vg_org_child kind, json_t *item, const char *field, reg_child *c, vg_diag *d);
/* INSERT ... ON CONFLICT DO NOTHING; *inserted says whether a row was added. */
vg_err reg_child_insert(vg_db *db, int64_t org_id, const reg_child *c, int64_t now, bool *inserted,
			int64_t *id, vg_diag *d);
/* Insert an organisation row (a->name and a->kind required, parent resolved). */
vg_err reg_org_insert(vg_db *db, const reg_attrs *a, int64_t parent_id, int64_t now, int64_t *id, vg_diag *d);
/* Apply the given attributes to an existing organisation; *changed tells
 * whether anything differed (no UPDATE is run otherwise). parent_id is used
 * when a has REG_HAS_PARENT_ID or REG_HAS_PARENT_NAME (resolved by the caller). */
vg_err reg_org_apply(vg_db *db, int64_t id, const reg_attrs *a, int64_t parent_id, bool *changed, vg_diag *d);
/* Refuse a parent that does not exist or would make a cycle. */
vg_err reg_parent_check(vg_db *db, int64_t id, int64_t parent_id, vg_diag *d);
/* Child object as JSON from a row of the kind's standard SELECT. */
json_t *reg_child_row_json(vg_org_child kind, vg_stmt *st);
/* The standard SELECT of a kind's rows for one org after an id, ordered by id (binds: org_id, after_id, limit). */
const char *reg_child_select_sql(vg_org_child kind);
/* Parse an opaque cursor ("" / NULL = start). */
vg_err reg_cursor_parse(const char *cursor, int64_t *after, vg_diag *d);

#endif
