/* Organisations: JSON documents to and from the organisations table. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "registry/internal.h"

const char *const vg_org_kinds[] = {"cert", "ministry", "public_body", "local_authority", "court",
				    "independent_authority", "oiv", "oes", "partner_cert", "isp", "other", NULL};
const char *const vg_org_sectors[] = {"", "energy", "transport", "banking", "financial_market_infrastructure",
				      "health", "drinking_water", "waste_water", "digital_infrastructure",
				      "ict_service_management", "public_administration", "space", "postal_courier",
				      "waste_management", "chemicals", "food", "manufacturing", "digital_providers",
				      "research", NULL};
const char *const vg_org_nis2[] = {"", "essential", "important", NULL};

static const char *const org_keys[] = {"name", "short_name", "kind", "sector", "nis2", "parent_id", "in_scope",
				       "country", "notes", "networks", "asns", "domains", "contacts", "products",
				       NULL};
static const char *const import_keys[] = {"id", "name", "short_name", "kind", "sector", "nis2", "parent_id",
					  "parent", "in_scope", "country", "notes", "networks", "asns", "domains",
					  "contacts", "products", "created_at", "updated_at", NULL};

static bool in_list(const char *const *l, const char *v)
{
	for (; *l; l++)
		if (strcmp(*l, v) == 0)
			return true;
	return false;
}

vg_err reg_attr_check_enum(const char *key, const char *value, vg_diag *d)
{
	const char *const *l = strcmp(key, "kind") == 0 ? vg_org_kinds
			       : strcmp(key, "sector") == 0 ? vg_org_sectors
							    : vg_org_nis2;
	if (in_list(l, value))
		return VG_OK;
	if (l == vg_org_kinds)
		return vg_diag_set(d, VG_ERR_INVALID, key,
				   "unknown kind '%.40s' (cert, ministry, public_body, local_authority, court, "
				   "independent_authority, oiv, oes, partner_cert, isp, other)", value);
	if (l == vg_org_sectors)
		return vg_diag_set(d, VG_ERR_INVALID, key, "unknown NIS2 sector '%.40s'", value);
	return vg_diag_set(d, VG_ERR_INVALID, key, "nis2 must be \"\", \"essential\" or \"important\"");
}

vg_err reg_country_norm(const char *s, char out[3], const char *field, vg_diag *d)
{
	if (s[0] == '\0') {
		out[0] = '\0';
		return VG_OK;
	}
	if (strlen(s) != 2 || !((s[0] | 32) >= 'a' && (s[0] | 32) <= 'z' && (s[1] | 32) >= 'a' && (s[1] | 32) <= 'z'))
		return vg_diag_set(d, VG_ERR_INVALID, field, "country must be an ISO 3166-1 alpha-2 code");
	out[0] = (char)(s[0] & ~32);
	out[1] = (char)(s[1] & ~32);
	out[2] = '\0';
	return VG_OK;
}

vg_err reg_attrs_parse(json_t *doc, bool import, reg_attrs *a, vg_diag *d)
{
	vg_err e;
	bool p;
	const char *s;
	json_t *v;

	memset(a, 0, sizeof *a);
	if (!json_is_object(doc))
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "an organisation must be a JSON object");
	if ((e = vg_json_only_keys(doc, import ? import_keys : org_keys, d)))
		return e;
#define STR(key, min, max, dst, bit)                                                                          \
	do {                                                                                                  \
		if ((e = vg_json_str(doc, key, min, max, &dst, &p, d)))                                       \
			return e;                                                                             \
		if (p)                                                                                        \
			a->has |= bit;                                                                        \
	} while (0)
	STR("name", 1, REG_NAME_MAX, a->name, REG_HAS_NAME);
	STR("short_name", 0, VG_FIELD_TEXT_MAX, a->short_name, REG_HAS_SHORT);
	STR("notes", 0, VG_FIELD_NOTES_MAX, a->notes, REG_HAS_NOTES);
#undef STR
	if ((e = vg_json_enum(doc, "kind", vg_org_kinds, &a->kind, &p, d)))
		return e;
	if (p)
		a->has |= REG_HAS_KIND;
	if ((e = vg_json_enum(doc, "sector", vg_org_sectors, &a->sector, &p, d)))
		return e;
	if (p)
		a->has |= REG_HAS_SECTOR;
	if ((e = vg_json_enum(doc, "nis2", vg_org_nis2, &a->nis2, &p, d)))
		return e;
	if (p)
		a->has |= REG_HAS_NIS2;
	if ((e = vg_json_str(doc, "country", 0, 2, &s, &p, d)))
		return e;
	if (p) {
		if ((e = reg_country_norm(s, a->country, "country", d)))
			return e;
		a->has |= REG_HAS_COUNTRY;
	}
	if ((e = vg_json_bool(doc, "in_scope", &a->in_scope, &p, d)))
		return e;
	if (p)
		a->has |= REG_HAS_IN_SCOPE;
	v = json_object_get(doc, "parent_id");
	if (v) {
		if (json_is_null(v)) {
			a->parent_id = 0;
		} else if ((e = vg_json_int(doc, "parent_id", 1, INT64_MAX, &a->parent_id, NULL, d))) {
			return e;
		}
		a->has |= REG_HAS_PARENT_ID;
	}
	if (import) {
		v = json_object_get(doc, "parent");
		if (v && !json_is_null(v)) {
			if ((e = vg_json_str(doc, "parent", 0, REG_NAME_MAX, &a->parent_name, NULL, d)))
				return e;
			a->has |= REG_HAS_PARENT_NAME;
		}
	}
	return VG_OK;
}

vg_err reg_parent_check(vg_db *db, int64_t id, int64_t parent_id, vg_diag *d)
{
	static const char *const sql = "SELECT parent_id FROM organisations WHERE id = ?";
	int64_t cur = parent_id;
	vg_err e = VG_OK;
	vg_stmt *st = NULL;
	int rc, steps = 0;

	if (parent_id == 0)
		return VG_OK;
	if (parent_id == id)
		return vg_diag_set(d, VG_ERR_INVALID, "parent_id", "an organisation cannot be its own parent");
	while (cur != 0) {
		if (++steps > VG_ORG_DEPTH_MAX)
			return vg_diag_set(d, VG_ERR_LIMIT, "parent_id", "organisation hierarchy deeper than %d levels",
					   VG_ORG_DEPTH_MAX);
		if ((e = vg_db_prepare(db, sql, &st, d)))
			return e;
		vg_stmt_bind_int(st, 1, cur);
		rc = vg_stmt_step(st, d);
		if (rc < 0) {
			vg_stmt_done(st);
			return (vg_err)-rc;
		}
		if (rc == VG_DONE) {
			vg_stmt_done(st);
			if (cur == parent_id)
				return vg_diag_set(d, VG_ERR_INVALID, "parent_id",
						   "parent organisation %" PRId64 " does not exist", parent_id);
			return VG_OK;
		}
		cur = vg_stmt_is_null(st, 0) ? 0 : vg_stmt_int(st, 0);
		vg_stmt_done(st);
		if (id != 0 && cur == id)
			return vg_diag_set(d, VG_ERR_INVALID, "parent_id",
					   "parent %" PRId64 " is a descendant: this would make a cycle", parent_id);
	}
	return VG_OK;
}

vg_err reg_org_insert(vg_db *db, const reg_attrs *a, int64_t parent_id, int64_t now, int64_t *id, vg_diag *d)
{
	static const char *const sql =
		"INSERT INTO organisations(name, short_name, kind, sector, nis2, parent_id, in_scope, country, notes, "
		"created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	vg_stmt *st;
	vg_err e;

	if (!(a->has & REG_HAS_NAME))
		return vg_diag_set(d, VG_ERR_INVALID, "name", "required");
	if (!(a->has & REG_HAS_KIND))
		return vg_diag_set(d, VG_ERR_INVALID, "kind", "required");
	if (parent_id && (e = reg_parent_check(db, 0, parent_id, d)))
		return e;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_text(st, 1, a->name, -1);
	vg_stmt_bind_text(st, 2, (a->has & REG_HAS_SHORT) ? a->short_name : "", -1);
	vg_stmt_bind_text(st, 3, a->kind, -1);
	vg_stmt_bind_text(st, 4, (a->has & REG_HAS_SECTOR) ? a->sector : "", -1);
	vg_stmt_bind_text(st, 5, (a->has & REG_HAS_NIS2) ? a->nis2 : "", -1);
	if (parent_id)
		vg_stmt_bind_int(st, 6, parent_id);
	else
		vg_stmt_bind_null(st, 6);
	vg_stmt_bind_int(st, 7, (a->has & REG_HAS_IN_SCOPE) ? a->in_scope : 1);
	vg_stmt_bind_text(st, 8, a->country, -1);
	vg_stmt_bind_text(st, 9, (a->has & REG_HAS_NOTES) ? a->notes : "", -1);
	vg_stmt_bind_int(st, 10, now);
	vg_stmt_bind_int(st, 11, now);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e == VG_ERR_CONFLICT)
		return vg_diag_set(d, VG_ERR_CONFLICT, "name", "an organisation named '%.80s' already exists", a->name);
	if (e)
		return e;
	*id = vg_db_last_id(db);
	return VG_OK;
}

typedef struct org_row {
	char *name, *short_name, *kind, *sector, *nis2, *country, *notes;
	int64_t parent_id;
	bool in_scope;
} org_row;

static void org_row_fini(org_row *r)
{
	free(r->name);
	free(r->short_name);
	free(r->kind);
	free(r->sector);
	free(r->nis2);
	free(r->country);
	free(r->notes);
}

static vg_err org_row_load(vg_db *db, int64_t id, org_row *r, vg_diag *d)
{
	static const char *const sql = "SELECT name, short_name, kind, sector, nis2, parent_id, in_scope, country, "
				       "notes FROM organisations WHERE id = ?";
	vg_stmt *st;
	vg_err e;
	int rc;

	memset(r, 0, sizeof *r);
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW) {
		r->name = strdup(vg_stmt_text(st, 0));
		r->short_name = strdup(vg_stmt_text(st, 1));
		r->kind = strdup(vg_stmt_text(st, 2));
		r->sector = strdup(vg_stmt_text(st, 3));
		r->nis2 = strdup(vg_stmt_text(st, 4));
		r->parent_id = vg_stmt_is_null(st, 5) ? 0 : vg_stmt_int(st, 5);
		r->in_scope = vg_stmt_int(st, 6) != 0;
		r->country = strdup(vg_stmt_text(st, 7));
		r->notes = strdup(vg_stmt_text(st, 8));
		e = (r->name && r->short_name && r->kind && r->sector && r->nis2 && r->country && r->notes)
			    ? VG_OK
			    : vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	} else if (rc == VG_DONE) {
		e = vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no organisation %" PRId64, id);
	} else {
		e = (vg_err)-rc;
	}
	vg_stmt_done(st);
	if (e)
		org_row_fini(r);
	return e;
}

vg_err reg_org_apply(vg_db *db, int64_t id, const reg_attrs *a, int64_t parent_id, bool *changed, vg_diag *d)
{
	static const char *const sql =
		"UPDATE organisations SET name = ?, short_name = ?, kind = ?, sector = ?, nis2 = ?, parent_id = ?, "
		"in_scope = ?, country = ?, notes = ?, updated_at = ? WHERE id = ?";
	org_row r;
	vg_stmt *st;
	vg_err e;
	const char *name, *short_name, *kind, *sector, *nis2, *country, *notes;
	int64_t parent;
	bool in_scope;

	*changed = false;
	if ((e = org_row_load(db, id, &r, d)))
		return e;
	name = (a->has & REG_HAS_NAME) ? a->name : r.name;
	short_name = (a->has & REG_HAS_SHORT) ? a->short_name : r.short_name;
	kind = (a->has & REG_HAS_KIND) ? a->kind : r.kind;
	sector = (a->has & REG_HAS_SECTOR) ? a->sector : r.sector;
	nis2 = (a->has & REG_HAS_NIS2) ? a->nis2 : r.nis2;
	country = (a->has & REG_HAS_COUNTRY) ? a->country : r.country;
	notes = (a->has & REG_HAS_NOTES) ? a->notes : r.notes;
	parent = (a->has & (REG_HAS_PARENT_ID | REG_HAS_PARENT_NAME)) ? parent_id : r.parent_id;
	in_scope = (a->has & REG_HAS_IN_SCOPE) ? a->in_scope : r.in_scope;
	if (strcmp(name, r.name) == 0 && strcmp(short_name, r.short_name) == 0 && strcmp(kind, r.kind) == 0 &&
	    strcmp(sector, r.sector) == 0 && strcmp(nis2, r.nis2) == 0 && strcmp(country, r.country) == 0 &&
	    strcmp(notes, r.notes) == 0 && parent == r.parent_id && in_scope == r.in_scope)
		goto out;
	if (parent != r.parent_id && (e = reg_parent_check(db, id, parent, d)))
		goto out;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		goto out;
	vg_stmt_bind_text(st, 1, name, -1);
	vg_stmt_bind_text(st, 2, short_name, -1);
	vg_stmt_bind_text(st, 3, kind, -1);
	vg_stmt_bind_text(st, 4, sector, -1);
	vg_stmt_bind_text(st, 5, nis2, -1);
	if (parent)
		vg_stmt_bind_int(st, 6, parent);
	else
		vg_stmt_bind_null(st, 6);
	vg_stmt_bind_int(st, 7, in_scope);
	vg_stmt_bind_text(st, 8, country, -1);
	vg_stmt_bind_text(st, 9, notes, -1);
	vg_stmt_bind_int(st, 10, vg_time_now_ms());
	vg_stmt_bind_int(st, 11, id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e == VG_ERR_CONFLICT)
		e = vg_diag_set(d, VG_ERR_CONFLICT, "name", "an organisation named '%.80s' already exists", name);
	if (!e)
		*changed = true;
out:
	org_row_fini(&r);
	return e;
}

static vg_err children_add_all(vg_db *db, int64_t org_id, json_t *doc, int64_t now, vg_diag *d)
{
	char field[48];
	vg_err e;
	for (int k = 0; k < VG_CHILD__COUNT; k++) {
		json_t *arr, *item;
		bool p;
		size_t i;
		if ((e = vg_json_array(doc, vg_org_child_name((vg_org_child)k), VG_ORG_CHILDREN_MAX, &arr, &p, d)))
			return e;
		if (!p)
			continue;
		json_array_foreach(arr, i, item) {
			reg_child c;
			bool ins;
			int64_t cid;
			snprintf(field, sizeof field, "%s[%zu]", vg_org_child_name((vg_org_child)k), i);
			if ((e = reg_child_parse((vg_org_child)k, item, field, &c, d)))
				return e;
			if ((e = reg_child_insert(db, org_id, &c, now, &ins, &cid, d)))
				return e;
			if (!ins)
				return vg_diag_set(d, VG_ERR_CONFLICT, field, "duplicate %s '%.80s'",
						   vg_org_child_name((vg_org_child)k), c.value);
		}
	}
	return VG_OK;
}

vg_err vg_org_create(vg_db *db, json_t *doc, int64_t *id_out, vg_diag *d)
{
	reg_attrs a;
	int64_t id = 0, now = vg_time_now_ms();
	vg_err e;

	if ((e = reg_attrs_parse(doc, false, &a, d)))
		return e;
	if ((e = vg_db_begin(db, true, d)))
		return e;
	if ((e = reg_org_insert(db, &a, a.parent_id, now, &id, d)))
		goto fail;
	if ((e = children_add_all(db, id, doc, now, d)))
		goto fail;
	if ((e = vg_db_commit(db, d)))
		return e;
	if (id_out)
		*id_out = id;
	return VG_OK;
fail:
	vg_db_rollback(db);
	return e;
}

vg_err vg_org_update(vg_db *db, int64_t id, json_t *patch, vg_diag *d)
{
	reg_attrs a;
	bool changed;
	vg_err e;

	if (!json_is_object(patch))
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "a patch must be a JSON object");
	for (int k = 0; k < VG_CHILD__COUNT; k++)
		if (json_object_get(patch, vg_org_child_name((vg_org_child)k)))
			return vg_diag_set(d, VG_ERR_INVALID, vg_org_child_name((vg_org_child)k),
					   "children are changed through /orgs/{id}/%s", vg_org_child_name((vg_org_child)k));
	if ((e = reg_attrs_parse(patch, false, &a, d)))
		return e;
	if ((e = vg_db_begin(db, true, d)))
		return e;
	e = reg_org_apply(db, id, &a, a.parent_id, &changed, d);
	return vg_db_end(db, e, d);
}

vg_err vg_org_delete(vg_db *db, int64_t id, vg_diag *d)
{
	static const char *const sql = "DELETE FROM organisations WHERE id = ?";
	vg_stmt *st;
	vg_err e;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e == VG_ERR_INVALID || e == VG_ERR_CONFLICT)
		return vg_diag_set(d, VG_ERR_CONFLICT, "id",
				   "organisation %" PRId64 " is still referenced (users belong to it)", id);
	if (e)
		return e;
	if (vg_db_changes(db) == 0)
		return vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no organisation %" PRId64, id);
	return VG_OK;
}

vg_err vg_org_exists(vg_db *db, int64_t id, vg_diag *d)
{
	static const char *const sql = "SELECT 1 FROM organisations WHERE id = ?";
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;
	return rc == VG_ROW ? VG_OK : vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no organisation %" PRId64, id);
}

vg_err vg_org_find_by_name(vg_db *db, const char *name, int64_t *id_out, vg_diag *d)
{
	static const char *const sql = "SELECT id FROM organisations WHERE name = ?";
	vg_stmt *st;
	vg_err e;
	int rc;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_text(st, 1, name, -1);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		*id_out = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;
	return rc == VG_ROW ? VG_OK : vg_diag_set(d, VG_ERR_NOT_FOUND, "name", "no organisation named '%.80s'", name);
}

#define ORG_COLS                                                                                              \
	"id, name, short_name, kind, sector, nis2, parent_id, in_scope, country, notes, created_at, updated_at"

static json_t *org_row_json(vg_stmt *st)
{
	return json_pack("{sI ss ss ss ss ss so sb ss ss so so}", "id", (json_int_t)vg_stmt_int(st, 0), "name",
			 vg_stmt_text(st, 1), "short_name", vg_stmt_text(st, 2), "kind", vg_stmt_text(st, 3),
			 "sector", vg_stmt_text(st, 4), "nis2", vg_stmt_text(st, 5), "parent_id",
			 vg_stmt_is_null(st, 6) ? json_null() : json_integer(vg_stmt_int(st, 6)), "in_scope",
			 (int)(vg_stmt_int(st, 7) != 0), "country", vg_stmt_text(st, 8), "notes", vg_stmt_text(st, 9),
			 "created_at", vg_json_time(vg_stmt_int(st, 10)), "updated_at",
			 vg_json_time(vg_stmt_int(st, 11)));
}

vg_err vg_org_get_json(vg_db *db, int64_t id, bool with_children, json_t **out, vg_diag *d)
{
	static const char *const sql = "SELECT " ORG_COLS " FROM organisations WHERE id = ?";
	vg_stmt *st;
	json_t *o = NULL;
	vg_err e;
	int rc;

	*out = NULL;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		o = org_row_json(st);
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;
	if (rc == VG_DONE)
		return vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no organisation %" PRId64, id);
	if (!o)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	if (with_children) {
		for (int k = 0; k < VG_CHILD__COUNT; k++) {
			json_t *page = NULL, *items;
			/* every child, a page of VG_ORG_CHILDREN_MAX at most */
			if ((e = vg_org_child_list_json(db, id, (vg_org_child)k, NULL, VG_ORG_CHILDREN_MAX, &page, d))) {
				json_decref(o);
				return e;
			}
			items = json_object_get(page, "items");
			json_object_set(o, vg_org_child_name((vg_org_child)k), items);
			if (!json_is_null(json_object_get(page, "next_cursor")))
				json_object_set_new(o, "truncated", json_true());
			json_decref(page);
		}
	}
	*out = o;
	return VG_OK;
}

void vg_org_filter_init(vg_org_filter *f)
{
	memset(f, 0, sizeof *f);
	f->in_scope = -1;
}

vg_err reg_cursor_parse(const char *cursor, int64_t *after, vg_diag *d)
{
	int64_t v = 0;
	*after = 0;
	if (!cursor || !*cursor)
		return VG_OK;
	for (const char *p = cursor; *p; p++) {
		if (*p < '0' || *p > '9' || v > INT64_MAX / 10 - 10)
			return vg_diag_set(d, VG_ERR_INVALID, "cursor", "malformed cursor");
		v = v * 10 + (*p - '0');
	}
	*after = v;
	return VG_OK;
}

vg_err vg_org_list_json(vg_db *db, const vg_org_filter *f, json_t **out, vg_diag *d)
{
	static const char *const sql =
		"SELECT " ORG_COLS " FROM organisations WHERE id > ?"
		" AND (? = 0 OR id = ?) AND (? IS NULL OR kind = ?) AND (? IS NULL OR sector = ?)"
		" AND (? IS NULL OR nis2 = ?) AND (? < 0 OR in_scope = ?) AND (? = 0 OR parent_id = ?)"
		" AND (? IS NULL OR lower(name) LIKE ? ESCAPE '\\' OR lower(short_name) LIKE ? ESCAPE '\\')"
		" ORDER BY id LIMIT ?";
	char pat[2 * VG_FIELD_TEXT_MAX + 3];
	int64_t after, last = 0;
	size_t limit = f->limit ? f->limit : VG_PAGE_DEFAULT, n = 0;
	vg_stmt *st;
	json_t *items, *res;
	vg_err e;
	int rc, i = 1;

	*out = NULL;
	if (limit > VG_PAGE_MAX)
		limit = VG_PAGE_MAX;
	if ((e = reg_cursor_parse(f->cursor, &after, d)))
		return e;
	if (f->q) {
		size_t j = 0;
		if (strlen(f->q) > VG_FIELD_TEXT_MAX)
			return vg_diag_set(d, VG_ERR_INVALID, "q", "longer than %d bytes", VG_FIELD_TEXT_MAX);
		pat[j++] = '%';
		for (const char *p = f->q; *p; p++) {
			char c = *p;
			if (c == '%' || c == '_' || c == '\\')
				pat[j++] = '\\';
			pat[j++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
		}
		pat[j++] = '%';
		pat[j] = '\0';
	}
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_int(st, i++, after);
	vg_stmt_bind_int(st, i++, f->scope_org_id);
	vg_stmt_bind_int(st, i++, f->scope_org_id);
	vg_stmt_bind_text(st, i++, f->kind, -1);
	vg_stmt_bind_text(st, i++, f->kind, -1);
	vg_stmt_bind_text(st, i++, f->sector, -1);
	vg_stmt_bind_text(st, i++, f->sector, -1);
	vg_stmt_bind_text(st, i++, f->nis2, -1);
	vg_stmt_bind_text(st, i++, f->nis2, -1);
	vg_stmt_bind_int(st, i++, f->in_scope);
	vg_stmt_bind_int(st, i++, f->in_scope);
	vg_stmt_bind_int(st, i++, f->parent_id);
	vg_stmt_bind_int(st, i++, f->parent_id);
	vg_stmt_bind_text(st, i++, f->q ? pat : NULL, -1);
	vg_stmt_bind_text(st, i++, f->q ? pat : NULL, -1);
	vg_stmt_bind_text(st, i++, f->q ? pat : NULL, -1);
	vg_stmt_bind_int(st, i++, (int64_t)limit + 1);
	items = json_array();
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		if (n == limit)
			break;
		last = vg_stmt_int(st, 0);
		json_array_append_new(items, org_row_json(st));
		n++;
	}
	vg_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return (vg_err)-rc;
	}
	res = json_pack("{so so}", "items", items, "next_cursor",
			rc == VG_ROW ? json_sprintf("%" PRId64, last) : json_null());
	if (!res)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	*out = res;
	return VG_OK;
}
