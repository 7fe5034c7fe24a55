/* Export of the registry as JSON or CSV, in the import formats. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "registry/internal.h"

typedef struct exp_org {
	int64_t id, parent;
	json_t *doc;
} exp_org;

static int exp_cmp(const void *a, const void *b)
{
	const exp_org *x = a, *y = b;
	return (x->id > y->id) - (x->id < y->id);
}

static exp_org *exp_find(exp_org *v, size_t n, int64_t id)
{
	exp_org key = {.id = id};
	return bsearch(&key, v, n, sizeof *v, exp_cmp);
}

static void set_nonempty(json_t *o, const char *k, const char *v)
{
	if (v && v[0])
		json_object_set_new(o, k, json_string(v));
}

static vg_err load(vg_db *db, int64_t scope, exp_org **out, size_t *nout, vg_diag *d)
{
	static const char *const sql_orgs =
		"SELECT id, name, short_name, kind, sector, nis2, parent_id, in_scope, country, notes FROM organisations"
		" WHERE (? = 0 OR id = ?) ORDER BY id";
	static const char *const sql_child[VG_CHILD__COUNT] = {
		"SELECT org_id, cidr, note FROM org_networks WHERE (? = 0 OR org_id = ?) ORDER BY org_id, id",
		"SELECT org_id, asn, note FROM org_asns WHERE (? = 0 OR org_id = ?) ORDER BY org_id, id",
		"SELECT org_id, domain, note FROM org_domains WHERE (? = 0 OR org_id = ?) ORDER BY org_id, id",
		"SELECT org_id, email, name, role, phone, pgp_fingerprint, language FROM contacts"
		" WHERE (? = 0 OR org_id = ?) ORDER BY org_id, id",
		"SELECT org_id, cpe, note FROM org_products WHERE (? = 0 OR org_id = ?) ORDER BY org_id, id",
	};
	exp_org *v = NULL;
	size_t n = 0, cap = 0;
	vg_stmt *st;
	vg_err e;
	int rc;

	if ((e = vg_db_prepare(db, sql_orgs, &st, d)))
		return e;
	vg_stmt_bind_int(st, 1, scope);
	vg_stmt_bind_int(st, 2, scope);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		json_t *o;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			exp_org *nv = realloc(v, nc * sizeof *nv);
			if (!nv) {
				rc = -VG_ERR_NOMEM;
				break;
			}
			v = nv;
			cap = nc;
		}
		o = json_pack("{ss ss ss ss ss sb}", "name", vg_stmt_text(st, 1), "short_name", vg_stmt_text(st, 2),
			      "kind", vg_stmt_text(st, 3), "sector", vg_stmt_text(st, 4), "nis2", vg_stmt_text(st, 5),
			      "in_scope", (int)(vg_stmt_int(st, 7) != 0));
		if (!o) {
			rc = -VG_ERR_NOMEM;
			break;
		}
		json_object_set_new(o, "country", json_string(vg_stmt_text(st, 8)));
		json_object_set_new(o, "notes", json_string(vg_stmt_text(st, 9)));
		v[n].id = vg_stmt_int(st, 0);
		v[n].parent = vg_stmt_is_null(st, 6) ? 0 : vg_stmt_int(st, 6);
		v[n].doc = o;
		n++;
	}
	vg_stmt_done(st);
	if (rc < 0) {
		e = rc == -VG_ERR_NOMEM ? vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory") : (vg_err)-rc;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		exp_org *p = v[i].parent ? exp_find(v, n, v[i].parent) : NULL;
		json_t *pn = p ? json_object_get(p->doc, "name") : NULL;
		if (pn)
			json_object_set(v[i].doc, "parent", pn);
	}
	for (int k = 0; k < VG_CHILD__COUNT; k++) {
		if ((e = vg_db_prepare(db, sql_child[k], &st, d)))
			goto fail;
		vg_stmt_bind_int(st, 1, scope);
		vg_stmt_bind_int(st, 2, scope);
		while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
			exp_org *g = exp_find(v, n, vg_stmt_int(st, 0));
			json_t *arr, *item;
			if (!g)
				continue;
			if (k == VG_CHILD_CONTACT) {
				item = json_pack("{ss}", "email", vg_stmt_text(st, 1));
				if (item) {
					set_nonempty(item, "name", vg_stmt_text(st, 2));
					set_nonempty(item, "role", vg_stmt_text(st, 3));
					set_nonempty(item, "phone", vg_stmt_text(st, 4));
					set_nonempty(item, "pgp_fingerprint", vg_stmt_text(st, 5));
					set_nonempty(item, "language", vg_stmt_text(st, 6));
				}
			} else if (k == VG_CHILD_ASN) {
				item = json_pack("{sI}", "asn", (json_int_t)vg_stmt_int(st, 1));
				if (item)
					set_nonempty(item, "note", vg_stmt_text(st, 2));
			} else {
				item = json_pack("{ss}", k == VG_CHILD_NETWORK ? "cidr" : k == VG_CHILD_DOMAIN ? "domain" : "cpe",
						 vg_stmt_text(st, 1));
				if (item)
					set_nonempty(item, "note", vg_stmt_text(st, 2));
			}
			if (!item) {
				rc = -VG_ERR_NOMEM;
				break;
			}
			arr = json_object_get(g->doc, vg_org_child_name((vg_org_child)k));
			if (!arr) {
				arr = json_array();
				json_object_set_new(g->doc, vg_org_child_name((vg_org_child)k), arr);
			}
			json_array_append_new(arr, item);
		}
		vg_stmt_done(st);
		if (rc < 0) {
			e = rc == -VG_ERR_NOMEM ? vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory") : (vg_err)-rc;
			goto fail;
		}
	}
	*out = v;
	*nout = n;
	return VG_OK;
fail:
	for (size_t i = 0; i < n; i++)
		json_decref(v[i].doc);
	free(v);
	return e;
}

static int dump_cb(const char *buffer, size_t size, void *data)
{
	return vg_buf_append(data, buffer, size) ? -1 : 0;
}

static vg_err csv_field(vg_buf *out, const char *s, bool last)
{
	vg_err e = VG_OK;
	bool q = strpbrk(s, ",\"\r\n") != NULL || (s[0] == ' ') || (s[0] && s[strlen(s) - 1] == ' ');
	if (!q) {
		e = vg_buf_puts(out, s);
	} else {
		e = vg_buf_putc(out, '"');
		for (const char *p = s; !e && *p; p++)
			e = (*p == '"') ? vg_buf_puts(out, "\"\"") : vg_buf_putc(out, *p);
		if (!e)
			e = vg_buf_putc(out, '"');
	}
	return e ? e : vg_buf_puts(out, last ? "\r\n" : ",");
}

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static vg_err csv_row(vg_buf *out, const char *const f[9])
{
	vg_err e = VG_OK;
	for (int i = 0; i < 9 && !e; i++)
		e = csv_field(out, f[i] ? f[i] : "", i == 8);
	return e;
}

static vg_err write_csv(exp_org *v, size_t n, vg_buf *out)
{
	static const char *const keys[VG_CHILD__COUNT] = {"cidr", "asn", "domain", "email", "cpe"};
	vg_err e = vg_buf_puts(out, "org_name,kind,sector,nis2,in_scope,parent,type,value,extra\r\n");
	for (size_t i = 0; i < n && !e; i++) {
		json_t *o = v[i].doc, *extra = json_object();
		const char *name = jstr(o, "name");
		char *ex = NULL;
		const char *f[9];
		set_nonempty(extra, "country", jstr(o, "country"));
		set_nonempty(extra, "notes", jstr(o, "notes"));
		if (json_object_size(extra))
			ex = json_dumps(extra, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(extra);
		f[0] = name;
		f[1] = jstr(o, "kind");
		f[2] = jstr(o, "sector");
		f[3] = jstr(o, "nis2");
		f[4] = json_is_true(json_object_get(o, "in_scope")) ? "true" : "false";
		f[5] = jstr(o, "parent");
		f[6] = "org";
		f[7] = jstr(o, "short_name");
		f[8] = ex ? ex : "";
		e = csv_row(out, f);
		free(ex);
		for (int k = 0; k < VG_CHILD__COUNT && !e; k++) {
			json_t *arr = json_object_get(o, vg_org_child_name((vg_org_child)k)), *item;
			size_t j;
			json_array_foreach(arr, j, item) {
				char num[24];
				const char *g[9] = {name, "", "", "", "", "", NULL, NULL, NULL};
				ex = NULL;
				g[6] = k == VG_CHILD_NETWORK ? "network" : k == VG_CHILD_ASN ? "asn"
									 : k == VG_CHILD_DOMAIN ? "domain"
									 : k == VG_CHILD_CONTACT ? "contact"
												 : "product";
				if (k == VG_CHILD_ASN) {
					snprintf(num, sizeof num, "AS%" JSON_INTEGER_FORMAT,
						 json_integer_value(json_object_get(item, "asn")));
					g[7] = num;
				} else {
					g[7] = jstr(item, keys[k]);
				}
				if (k == VG_CHILD_CONTACT) {
					json_t *x = json_deep_copy(item);
					json_object_del(x, "email");
					if (json_object_size(x))
						ex = json_dumps(x, JSON_COMPACT | JSON_SORT_KEYS);
					json_decref(x);
					g[8] = ex ? ex : "";
				} else {
					g[8] = jstr(item, "note");
				}
				e = csv_row(out, g);
				free(ex);
				if (e)
					break;
			}
		}
	}
	return e;
}

vg_err vg_registry_export(vg_db *db, vg_reg_format fmt, int64_t scope_org_id, vg_buf *out, vg_diag *d)
{
	exp_org *v = NULL;
	size_t n = 0;
	vg_err e;

	if ((e = vg_db_begin(db, false, d)))
		return e;
	e = load(db, scope_org_id, &v, &n, d);
	vg_db_commit(db, NULL);
	if (e)
		return e;
	if (scope_org_id)
		for (size_t i = 0; i < n; i++)
			json_object_del(v[i].doc, "parent"); /* never reveal another organisation */
	if (fmt == VG_REG_FMT_CSV) {
		e = write_csv(v, n, out);
	} else {
		json_t *arr = json_array(), *root;
		for (size_t i = 0; i < n; i++)
			json_array_append(arr, v[i].doc);
		root = json_pack("{so}", "organisations", arr);
		e = (root && json_dump_callback(root, dump_cb, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0)
			    ? vg_buf_putc(out, '\n')
			    : VG_ERR_LIMIT;
		json_decref(root);
	}
	for (size_t i = 0; i < n; i++)
		json_decref(v[i].doc);
	free(v);
	if (e)
		return vg_diag_set(d, e, NULL, e == VG_ERR_LIMIT ? "export larger than the output limit" : "out of memory");
	return VG_OK;
}
