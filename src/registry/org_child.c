/* Children of an organisation: networks, AS numbers, domains, contacts, products. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "registry/internal.h"

static const char *const child_names[VG_CHILD__COUNT] = {"networks", "asns", "domains", "contacts", "products"};
static const char *const child_singular[VG_CHILD__COUNT] = {"network", "asn", "domain", "contact", "product"};

const char *vg_org_child_name(vg_org_child k)
{
	return (unsigned)k < VG_CHILD__COUNT ? child_names[k] : "?";
}

int vg_org_child_parse(const char *s)
{
	if (!s)
		return -1;
	for (int k = 0; k < VG_CHILD__COUNT; k++)
		if (strcmp(s, child_names[k]) == 0 || strcmp(s, child_singular[k]) == 0)
			return k;
	return -1;
}

/* Bare string item or the object's key: returns the string or NULL with d set. */
static const char *item_str(json_t *item, const char *key, bool *is_obj, vg_diag *d)
{
	const char *s = NULL;
	*is_obj = json_is_object(item);
	if (json_is_string(item)) {
		s = json_string_value(item);
		if (vg_text_check(s, json_string_length(item), 1, VG_CPE_MAX, false, "", d))
			return NULL;
		return s;
	}
	if (!*is_obj) {
		vg_diag_set(d, VG_ERR_INVALID, "", "expected a string or an object");
		return NULL;
	}
	if (vg_json_str(item, key, 1, VG_CPE_MAX, &s, NULL, d))
		return NULL;
	return s;
}

static vg_err child_parse(vg_org_child kind, json_t *item, reg_child *c, vg_diag *d)
{
	static const char *const keys_net[] = {"id", "cidr", "note", "family", "prefix", "created_at", NULL};
	static const char *const keys_asn[] = {"id", "asn", "note", "created_at", NULL};
	static const char *const keys_dom[] = {"id", "domain", "note", "created_at", NULL};
	static const char *const keys_con[] = {"id", "name", "role", "email", "phone", "pgp_fingerprint", "language",
					       "created_at", NULL};
	static const char *const keys_prod[] = {"id", "cpe", "note", "created_at", NULL};
	static const char *const *const keys[VG_CHILD__COUNT] = {keys_net, keys_asn, keys_dom, keys_con, keys_prod};
	static const char *const main_key[VG_CHILD__COUNT] = {"cidr", "asn", "domain", "email", "cpe"};
	const char *s, *mk = main_key[kind];
	const char *f;
	bool is_obj, p;
	vg_diag tmp;
	vg_err e;

	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->note = "";
	c->name = c->role = c->phone = c->language = "";
	if (kind == VG_CHILD_CONTACT && !json_is_object(item))
		return vg_diag_set(d, VG_ERR_INVALID, "", "a contact must be an object with at least \"email\"");
	if (json_is_object(item)) {
		if ((e = vg_json_only_keys(item, keys[kind], d)))
			return e;
		if (kind != VG_CHILD_CONTACT && (e = vg_json_str(item, "note", 0, VG_FIELD_TEXT_MAX, &c->note, &p, d)))
			return e;
		if (!c->note)
			c->note = "";
	}
	f = json_is_object(item) ? mk : "";
	if (kind == VG_CHILD_ASN) {
		json_t *v = json_is_object(item) ? json_object_get(item, "asn") : item;
		if (json_is_integer(v)) {
			json_int_t n = json_integer_value(v);
			if (n < 1 || n > 4294967295LL)
				return vg_diag_set(d, VG_ERR_INVALID, f, "AS number must be between 1 and 4294967295");
			c->asn = (uint32_t)n;
		} else {
			if (!(s = item_str(item, mk, &is_obj, d)))
				return d ? d->code : VG_ERR_INVALID;
			if ((e = vg_asn_parse(s, 0, &c->asn, f, d)))
				return e;
		}
		snprintf(c->value, sizeof c->value, "%" PRIu32, c->asn);
		return VG_OK;
	}
	if (!(s = item_str(item, mk, &is_obj, d)))
		return d ? d->code : VG_ERR_INVALID;
	switch (kind) {
	case VG_CHILD_NETWORK:
		vg_diag_clear(&tmp);
		if ((e = vg_cidr_parse(s, 0, true, &c->cidr, &tmp)))
			return vg_diag_set(d, e, f, "%s", tmp.message);
		vg_cidr_format(&c->cidr, c->value, sizeof c->value);
		return VG_OK;
	case VG_CHILD_DOMAIN:
		return vg_domain_normalize(s, 0, false, c->value, sizeof c->value, f, d);
	case VG_CHILD_PRODUCT:
		return vg_cpe_normalize(s, 0, c->value, sizeof c->value, f, d);
	case VG_CHILD_CONTACT:
		if ((e = vg_email_normalize(s, 0, c->value, sizeof c->value, "email", d)))
			return e;
		if ((e = vg_json_str(item, "name", 0, VG_FIELD_TEXT_MAX, &c->name, &p, d)) ||
		    (e = vg_json_str(item, "role", 0, VG_FIELD_TEXT_MAX, &c->role, &p, d)) ||
		    (e = vg_json_str(item, "phone", 0, REG_PHONE_MAX, &c->phone, &p, d)) ||
		    (e = vg_json_str(item, "language", 0, REG_LANG_MAX, &c->language, &p, d)))
			return e;
		c->name = c->name ? c->name : "";
		c->role = c->role ? c->role : "";
		c->phone = c->phone ? c->phone : "";
		c->language = c->language ? c->language : "";
		if ((e = vg_json_str(item, "pgp_fingerprint", 0, 64, &s, &p, d)))
			return e;
		if (p && s[0] && (e = vg_pgp_fpr_normalize(s, c->pgp, sizeof c->pgp, "pgp_fingerprint", d)))
			return e;
		return VG_OK;
	default:
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "bad child kind");
	}
}

vg_err reg_child_parse(vg_org_child kind, json_t *item, const char *field, reg_child *c, vg_diag *d)
{
	vg_err e;
	if ((unsigned)kind >= VG_CHILD__COUNT)
		return vg_diag_set(d, VG_ERR_INVALID, field, "unknown child kind");
	if (d)
		d->field[0] = '\0';
	e = child_parse(kind, item, c, d);
	if (e)
		vg_diag_field_prefix(d, field ? field : vg_org_child_name(kind));
	return e;
}

vg_err reg_child_insert(vg_db *db, int64_t org_id, const reg_child *c, int64_t now, bool *inserted, int64_t *id,
			vg_diag *d)
{
	static const char *const sql[VG_CHILD__COUNT] = {
		"INSERT INTO org_networks(org_id, cidr, family, addr, prefix, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
		" ON CONFLICT DO NOTHING",
		"INSERT INTO org_asns(org_id, asn, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
		"INSERT INTO org_domains(org_id, domain, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
		"INSERT INTO contacts(org_id, email, name, role, phone, pgp_fingerprint, language, created_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
		"INSERT INTO org_products(org_id, cpe, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
	};
	vg_stmt *st;
	vg_err e;

	*inserted = false;
	if ((e = vg_db_prepare(db, sql[c->kind], &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, org_id);
	switch (c->kind) {
	case VG_CHILD_NETWORK:
		vg_stmt_bind_text(st, 2, c->value, -1);
		vg_stmt_bind_int(st, 3, c->cidr.addr.family);
		vg_stmt_bind_blob(st, 4, c->cidr.addr.bytes, c->cidr.addr.family == 4 ? 4 : 16);
		vg_stmt_bind_int(st, 5, c->cidr.prefix);
		vg_stmt_bind_text(st, 6, c->note, -1);
		vg_stmt_bind_int(st, 7, now);
		break;
	case VG_CHILD_ASN:
		vg_stmt_bind_int(st, 2, c->asn);
		vg_stmt_bind_text(st, 3, c->note, -1);
		vg_stmt_bind_int(st, 4, now);
		break;
	case VG_CHILD_CONTACT:
		vg_stmt_bind_text(st, 2, c->value, -1);
		vg_stmt_bind_text(st, 3, c->name, -1);
		vg_stmt_bind_text(st, 4, c->role, -1);
		vg_stmt_bind_text(st, 5, c->phone, -1);
		vg_stmt_bind_text(st, 6, c->pgp, -1);
		vg_stmt_bind_text(st, 7, c->language, -1);
		vg_stmt_bind_int(st, 8, now);
		break;
	default:
		vg_stmt_bind_text(st, 2, c->value, -1);
		vg_stmt_bind_text(st, 3, c->note, -1);
		vg_stmt_bind_int(st, 4, now);
		break;
	}
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e == VG_ERR_INVALID)
		return vg_diag_set(d, VG_ERR_INVALID, "id", "organisation %" PRId64 " does not exist", org_id);
	if (e)
		return e;
	if (vg_db_changes(db) > 0) {
		*inserted = true;
		if (id)
			*id = vg_db_last_id(db);
	}
	return VG_OK;
}

const char *reg_child_select_sql(vg_org_child kind)
{
	static const char *const sql[VG_CHILD__COUNT] = {
		"SELECT id, cidr, family, prefix, note, created_at FROM org_networks WHERE org_id = ? AND id > ?"
		" ORDER BY id LIMIT ?",
		"SELECT id, asn, note, created_at FROM org_asns WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?",
		"SELECT id, domain, note, created_at FROM org_domains WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?",
		"SELECT id, email, name, role, phone, pgp_fingerprint, language, created_at FROM contacts"
		" WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?",
		"SELECT id, cpe, note, created_at FROM org_products WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?",
	};
	return sql[kind];
}

json_t *reg_child_row_json(vg_org_child kind, vg_stmt *st)
{
	json_int_t id = vg_stmt_int(st, 0);
	switch (kind) {
	case VG_CHILD_NETWORK:
		return json_pack("{sI ss sI sI ss so}", "id", id, "cidr", vg_stmt_text(st, 1), "family",
				 (json_int_t)vg_stmt_int(st, 2), "prefix", (json_int_t)vg_stmt_int(st, 3), "note",
				 vg_stmt_text(st, 4), "created_at", vg_json_time(vg_stmt_int(st, 5)));
	case VG_CHILD_ASN:
		return json_pack("{sI sI ss so}", "id", id, "asn", (json_int_t)vg_stmt_int(st, 1), "note",
				 vg_stmt_text(st, 2), "created_at", vg_json_time(vg_stmt_int(st, 3)));
	case VG_CHILD_DOMAIN:
		return json_pack("{sI ss ss so}", "id", id, "domain", vg_stmt_text(st, 1), "note", vg_stmt_text(st, 2),
				 "created_at", vg_json_time(vg_stmt_int(st, 3)));
	case VG_CHILD_CONTACT:
		return json_pack("{sI ss ss ss ss ss ss so}", "id", id, "email", vg_stmt_text(st, 1), "name",
				 vg_stmt_text(st, 2), "role", vg_stmt_text(st, 3), "phone", vg_stmt_text(st, 4),
				 "pgp_fingerprint", vg_stmt_text(st, 5), "language", vg_stmt_text(st, 6), "created_at",
				 vg_json_time(vg_stmt_int(st, 7)));
	case VG_CHILD_PRODUCT:
		return json_pack("{sI ss ss so}", "id", id, "cpe", vg_stmt_text(st, 1), "note", vg_stmt_text(st, 2),
				 "created_at", vg_json_time(vg_stmt_int(st, 3)));
	default:
		return NULL;
	}
}

vg_err vg_org_child_add(vg_db *db, int64_t org_id, vg_org_child kind, json_t *item, const char *field,
			int64_t *child_id, vg_diag *d)
{
	reg_child c;
	bool ins;
	int64_t id = 0;
	vg_err e;

	if ((e = reg_child_parse(kind, item, field, &c, d)))
		return e;
	if ((e = vg_db_begin(db, true, d)))
		return e;
	if ((e = vg_org_exists(db, org_id, d)))
		goto fail;
	if ((e = reg_child_insert(db, org_id, &c, vg_time_now_ms(), &ins, &id, d)))
		goto fail;
	if (!ins) {
		e = vg_diag_set(d, VG_ERR_CONFLICT, field ? field : vg_org_child_name(kind),
				"this organisation already has %s '%.80s'", child_singular[kind], c.value);
		goto fail;
	}
	if ((e = vg_db_commit(db, d)))
		return e;
	if (child_id)
		*child_id = id;
	return VG_OK;
fail:
	vg_db_rollback(db);
	return e;
}

vg_err vg_org_child_list_json(vg_db *db, int64_t org_id, vg_org_child kind, const char *cursor, size_t limit,
			      json_t **out, vg_diag *d)
{
	int64_t after, last = 0;
	size_t n = 0;
	vg_stmt *st;
	json_t *items;
	vg_err e;
	int rc;

	*out = NULL;
	if ((unsigned)kind >= VG_CHILD__COUNT)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "unknown child kind");
	if (limit == 0)
		limit = VG_PAGE_DEFAULT;
	if (limit > VG_ORG_CHILDREN_MAX)
		limit = VG_ORG_CHILDREN_MAX;
	if ((e = reg_cursor_parse(cursor, &after, d)))
		return e;
	if ((e = vg_db_prepare(db, reg_child_select_sql(kind), &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, org_id);
	vg_stmt_bind_int(st, 2, after);
	vg_stmt_bind_int(st, 3, (int64_t)limit + 1);
	items = json_array();
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		if (n == limit)
			break;
		last = vg_stmt_int(st, 0);
		json_array_append_new(items, reg_child_row_json(kind, st));
		n++;
	}
	vg_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return (vg_err)-rc;
	}
	*out = json_pack("{so so}", "items", items, "next_cursor",
			 rc == VG_ROW ? json_sprintf("%" PRId64, last) : json_null());
	return *out ? VG_OK : vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
}

vg_err vg_org_child_get_json(vg_db *db, int64_t org_id, vg_org_child kind, int64_t child_id, json_t **out,
			     vg_diag *d)
{
	static const char *const sql[VG_CHILD__COUNT] = {
		"SELECT id, cidr, family, prefix, note, created_at FROM org_networks WHERE org_id = ? AND id = ?",
		"SELECT id, asn, note, created_at FROM org_asns WHERE org_id = ? AND id = ?",
		"SELECT id, domain, note, created_at FROM org_domains WHERE org_id = ? AND id = ?",
		"SELECT id, email, name, role, phone, pgp_fingerprint, language, created_at FROM contacts"
		" WHERE org_id = ? AND id = ?",
		"SELECT id, cpe, note, created_at FROM org_products WHERE org_id = ? AND id = ?",
	};
	vg_stmt *st;
	vg_err e;
	int rc;

	*out = NULL;
	if ((unsigned)kind >= VG_CHILD__COUNT)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "unknown child kind");
	if ((e = vg_db_prepare(db, sql[kind], &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, org_id);
	vg_stmt_bind_int(st, 2, child_id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		*out = reg_child_row_json(kind, st);
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;
	if (rc == VG_DONE)
		return vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no such %s", child_singular[kind]);
	return *out ? VG_OK : vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
}

vg_err vg_org_child_delete(vg_db *db, int64_t org_id, vg_org_child kind, int64_t child_id, vg_diag *d)
{
	static const char *const sql[VG_CHILD__COUNT] = {
		"DELETE FROM org_networks WHERE org_id = ? AND id = ?",
		"DELETE FROM org_asns WHERE org_id = ? AND id = ?",
		"DELETE FROM org_domains WHERE org_id = ? AND id = ?",
		"DELETE FROM contacts WHERE org_id = ? AND id = ?",
		"DELETE FROM org_products WHERE org_id = ? AND id = ?",
	};
	vg_stmt *st;
	vg_err e;

	if ((unsigned)kind >= VG_CHILD__COUNT)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "unknown child kind");
	if ((e = vg_db_prepare(db, sql[kind], &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, org_id);
	vg_stmt_bind_int(st, 2, child_id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e)
		return e;
	if (vg_db_changes(db) == 0)
		return vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no such %s", child_singular[kind]);
	return VG_OK;
}
