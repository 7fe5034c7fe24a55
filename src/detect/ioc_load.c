/* Indicator sets: loading plain lists, CSV, MISP events/feeds and STIX 2.1
 * bundles. Every rejected line or attribute is reported with file, line (0
 * for JSON, then the field path says where) and reason, counted and
 * skipped. */
#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/limits.h"
#include "detect/ioc_int.h"

typedef struct loader {
	vg_ruleset *rs;
	vg_iocset *set;
	vg_ioc_report *rep;
	const char *name;
	uint16_t src;
	vg_ioc_type deftype;
} loader;

static void problem(loader *L, unsigned line, const char *field, vg_err code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void problem(loader *L, unsigned line, const char *field, vg_err code, const char *fmt, ...)
{
	vg_diag d;
	va_list ap;
	vg_diag_clear(&d);
	va_start(ap, fmt);
	vg_diag_vset(&d, code, field, fmt, ap);
	va_end(ap);
	vg_diag_at(&d, L->name, line);
	L->rep->rejected++;
	if (L->rep->problem)
		L->rep->problem(L->rep->ctx, &d);
}

/* Add one value; problems reported. Returns an error only for NOMEM/LIMIT. */
static vg_err add(loader *L, vg_ioc_type t, const char *v, size_t n, unsigned line, const char *field, const char *id,
		  uint32_t group, uint8_t member)
{
	vg_diag d;
	bool dup;
	vg_diag_clear(&d);
	vg_err e = vg_ioc_add(L->set, t, v, n, L->src, line, id, group, member, &dup, &d);
	if (e == VG_ERR_NOMEM || e == VG_ERR_LIMIT) {
		problem(L, line, field, e, "%s", d.message);
		return e;
	}
	if (e)
		problem(L, line, field, e, "%s", d.message);
	else if (dup)
		L->rep->duplicates++;
	else
		L->rep->loaded++;
	return VG_OK;
}

/* ---- plain lists: one value a line, "TYPE:" prefix optional ---- */

static vg_err load_list(loader *L, const char *text, size_t len)
{
	unsigned line = 0;
	for (size_t i = 0; i < len;) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i;
		i += n + 1;
		line++;
		while (n && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
			n--;
		while (n && (*l == ' ' || *l == '\t'))
			l++, n--;
		if (!n || *l == '#')
			continue;
		if (n > VG_IOC_LINE_MAX) {
			problem(L, line, "value", VG_ERR_LIMIT, "line longer than %d bytes", VG_IOC_LINE_MAX);
			continue;
		}
		vg_ioc_type t = L->deftype;
		const char *colon = memchr(l, ':', n < 16 ? n : 16);
		if (colon) {
			vg_ioc_type pt = vg_ioc_type_parse(l, (size_t)(colon - l));
			if (pt && !(colon + 1 < l + n && colon[1] == '/')) {
				t = pt;
				n -= (size_t)(colon + 1 - l);
				l = colon + 1;
			}
		}
		if (!t && !(t = vg_ioc_guess(l, n))) {
			problem(L, line, "value", VG_ERR_INVALID, "cannot guess the type of \"%.*s\" (write TYPE:value)",
				(int)(n > 100 ? 100 : n), l);
			continue;
		}
		vg_err e = add(L, t, l, n, line, "value", NULL, 0, 0);
		if (e)
			return e;
	}
	return VG_OK;
}

/* ---- CSV: a header names the columns ---- */

static const struct {
	const char *name;
	int role; /* 0 value, 1 type, 2 id, 3 to_ids */
} csv_roles[] = {
	{"value", 0}, {"indicator", 0}, {"ioc", 0}, {"observable", 0}, {"type", 1}, {"indicator_type", 1},
	{"uuid", 2},  {"id", 2},        {"to_ids", 3},
};

/* Split one CSV line (RFC 4180 quoting, no newline inside quotes); fields
 * decoded into buf. Returns the number of columns or -1. */
static int csv_split(const char *l, size_t n, char *buf, const char **cols, size_t *lens)
{
	int nc = 0;
	size_t i = 0, o = 0;
	for (;;) {
		if (nc == VG_IOC_CSV_COLUMNS_MAX)
			return -1;
		cols[nc] = buf + o;
		size_t st = o;
		if (i < n && l[i] == '"') {
			i++;
			for (;;) {
				if (i >= n)
					return -1;
				if (l[i] == '"') {
					if (i + 1 < n && l[i + 1] == '"') {
						buf[o++] = '"';
						i += 2;
						continue;
					}
					i++;
					break;
				}
				buf[o++] = l[i++];
			}
			if (i < n && l[i] != ',')
				return -1;
		} else {
			while (i < n && l[i] != ',')
				buf[o++] = l[i++];
		}
		lens[nc++] = o - st;
		buf[o++] = 0;
		if (i >= n)
			return nc;
		i++; /* ',' */
	}
}

static vg_ioc_type misp_type(const char *t, size_t n, vg_ioc_type *second);

static vg_err load_csv(loader *L, const char *text, size_t len)
{
	const char *cols[VG_IOC_CSV_COLUMNS_MAX];
	size_t lens[VG_IOC_CSV_COLUMNS_MAX];
	int role_col[4] = {-1, -1, -1, -1}, ncols = 0;
	vg_ioc_type col_type[VG_IOC_CSV_COLUMNS_MAX] = {0};
	bool typed_cols = false;
	unsigned line = 0;
	vg_err e = VG_OK;
	char *buf = malloc(VG_IOC_LINE_MAX + VG_IOC_CSV_COLUMNS_MAX + 1);
	if (!buf)
		return VG_ERR_NOMEM;
	for (size_t i = 0; i < len;) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i;
		i += n + 1;
		line++;
		while (n && l[n - 1] == '\r')
			n--;
		if (!n || *l == '#')
			continue;
		if (n > VG_IOC_LINE_MAX) {
			problem(L, line, NULL, VG_ERR_LIMIT, "line longer than %d bytes", VG_IOC_LINE_MAX);
			continue;
		}
		int nc = csv_split(l, n, buf, cols, lens);
		if (nc < 0) {
			problem(L, line, NULL, VG_ERR_INVALID, "malformed CSV line (quotes or more than %d columns)",
				VG_IOC_CSV_COLUMNS_MAX);
			continue;
		}
		if (!ncols) { /* header */
			ncols = nc;
			for (int c = 0; c < nc; c++) {
				for (size_t r = 0; r < sizeof(csv_roles) / sizeof(csv_roles[0]); r++)
					if (!strcasecmp(cols[c], csv_roles[r].name) && role_col[csv_roles[r].role] < 0)
						role_col[csv_roles[r].role] = c;
				vg_ioc_type second;
				if ((col_type[c] = vg_ioc_type_parse(cols[c], lens[c])) ||
				    (col_type[c] = misp_type(cols[c], lens[c], &second)))
					typed_cols = true;
			}
			if (role_col[0] < 0 && !typed_cols) {
				problem(L, line, NULL, VG_ERR_INVALID,
					"no header naming the columns (value/indicator + type, or one column per type: ip, domain, url, md5, ...)");
				goto out;
			}
			continue;
		}
		const char *id = role_col[2] >= 0 && role_col[2] < nc ? cols[role_col[2]] : NULL;
		if (role_col[3] >= 0 && role_col[3] < nc &&
		    (!strcasecmp(cols[role_col[3]], "0") || !strcasecmp(cols[role_col[3]], "false"))) {
			L->rep->skipped++;
			continue;
		}
		if (role_col[0] >= 0) {
			if (role_col[0] >= nc) {
				problem(L, line, "value", VG_ERR_INVALID, "missing value column");
				continue;
			}
			vg_ioc_type t = L->deftype, second = VG_IOC_NONE;
			if (role_col[1] >= 0 && role_col[1] < nc && lens[role_col[1]]) {
				const char *ts = cols[role_col[1]];
				if (!(t = vg_ioc_type_parse(ts, lens[role_col[1]])) && !(t = misp_type(ts, lens[role_col[1]], &second))) {
					problem(L, line, "type", VG_ERR_INVALID, "unknown indicator type \"%.60s\"", ts);
					continue;
				}
			}
			const char *v = cols[role_col[0]];
			size_t vn = lens[role_col[0]];
			if (!t && !(t = vg_ioc_guess(v, vn))) {
				problem(L, line, "value", VG_ERR_INVALID, "cannot guess the type of \"%.100s\"", v);
				continue;
			}
			const char *bar = second ? memchr(v, '|', vn) : NULL;
			if (second && !bar) {
				problem(L, line, "value", VG_ERR_INVALID, "composite type without '|' in the value");
				continue;
			}
			if (bar && t != second && (e = add(L, t, v, (size_t)(bar - v), line, "value", id, 0, 0)))
				goto out;
			if (bar && (e = add(L, second, bar + 1, vn - (size_t)(bar - v) - 1, line, "value", id, 0, 0)))
				goto out;
			if (!bar && (e = add(L, t, v, vn, line, "value", id, 0, 0)))
				goto out;
			continue;
		}
		for (int c = 0; c < nc && c < ncols; c++)
			if (col_type[c] && lens[c] && (e = add(L, col_type[c], cols[c], lens[c], line, "value", id, 0, 0)))
				goto out;
	}
out:
	free(buf);
	return e;
}

/* ---- MISP ---- */

static const struct {
	const char *name;
	vg_ioc_type first, second; /* "a|b" types: both parts; VG_IOC_NONE = not an indicator */
} misp_types[] = {
	{"ip-src", VG_IOC_IP, 0},         {"ip-dst", VG_IOC_IP, 0},          {"ip-src|port", VG_IOC_IP, 0},
	{"ip-dst|port", VG_IOC_IP, 0},    {"domain", VG_IOC_DOMAIN, 0},      {"hostname", VG_IOC_DOMAIN, 0},
	{"domain|ip", VG_IOC_DOMAIN, VG_IOC_IP}, {"hostname|port", VG_IOC_DOMAIN, 0}, {"url", VG_IOC_URL, 0},
	{"md5", VG_IOC_MD5, 0},           {"sha1", VG_IOC_SHA1, 0},          {"sha256", VG_IOC_SHA256, 0},
	{"sha512", VG_IOC_SHA512, 0},     {"filename|md5", 0, VG_IOC_MD5},   {"filename|sha1", 0, VG_IOC_SHA1},
	{"filename|sha256", 0, VG_IOC_SHA256}, {"filename|sha512", 0, VG_IOC_SHA512}, {"email", VG_IOC_EMAIL, 0},
	{"email-src", VG_IOC_EMAIL, 0},   {"email-dst", VG_IOC_EMAIL, 0},    {"filename", VG_IOC_STRING, 0},
	{"mutex", VG_IOC_STRING, 0},      {"user-agent", VG_IOC_STRING, 0},
};

static vg_ioc_type misp_type(const char *t, size_t n, vg_ioc_type *second)
{
	for (size_t i = 0; i < sizeof(misp_types) / sizeof(misp_types[0]); i++)
		if (strlen(misp_types[i].name) == n && !strncasecmp(misp_types[i].name, t, n)) {
			*second = misp_types[i].second;
			return misp_types[i].first ? misp_types[i].first : misp_types[i].second;
		}
	*second = VG_IOC_NONE;
	return VG_IOC_NONE;
}

static vg_err misp_attribute(loader *L, json_t *a, const char *path)
{
	const char *type = json_string_value(json_object_get(a, "type"));
	const char *value = json_string_value(json_object_get(a, "value"));
	const char *uuid = json_string_value(json_object_get(a, "uuid"));
	json_t *ti = json_object_get(a, "to_ids");
	if (!type || !value) {
		problem(L, 0, path, VG_ERR_INVALID, "attribute without type or value");
		return VG_OK;
	}
	if (ti && (json_is_false(ti) || (json_is_string(ti) && !strcmp(json_string_value(ti), "0")) ||
		   (json_is_integer(ti) && !json_integer_value(ti)))) {
		L->rep->skipped++;
		return VG_OK;
	}
	size_t i;
	for (i = 0; i < sizeof(misp_types) / sizeof(misp_types[0]); i++)
		if (!strcmp(misp_types[i].name, type))
			break;
	if (i == sizeof(misp_types) / sizeof(misp_types[0])) {
		L->rep->skipped++; /* not an indicator type we match (regkey, text, ...) */
		return VG_OK;
	}
	const char *bar = strchr(type, '|') ? strchr(value, '|') : NULL;
	size_t n1 = bar ? (size_t)(bar - value) : strlen(value);
	vg_err e = VG_OK;
	if (misp_types[i].first && (e = add(L, misp_types[i].first, value, n1, 0, path, uuid, 0, 0)))
		return e;
	if (misp_types[i].second) {
		if (!bar) {
			problem(L, 0, path, VG_ERR_INVALID, "%s value without '|'", type);
			return VG_OK;
		}
		e = add(L, misp_types[i].second, bar + 1, strlen(bar + 1), 0, path, uuid, 0, 0);
	}
	return e;
}

static vg_err misp_event(loader *L, json_t *ev, const char *prefix)
{
	char path[160];
	size_t i, k;
	json_t *a, *o;
	vg_err e;
	json_array_foreach(json_object_get(ev, "Attribute"), i, a)
	{
		snprintf(path, sizeof(path), "%sAttribute[%zu]", prefix, i);
		if ((e = misp_attribute(L, a, path)))
			return e;
	}
	json_array_foreach(json_object_get(ev, "Object"), k, o)
	{
		json_array_foreach(json_object_get(o, "Attribute"), i, a)
		{
			snprintf(path, sizeof(path), "%sObject[%zu].Attribute[%zu]", prefix, k, i);
			if ((e = misp_attribute(L, a, path)))
				return e;
		}
	}
	return VG_OK;
}

static vg_err load_misp(loader *L, json_t *root)
{
	json_t *ev, *x;
	size_t i;
	vg_err e;
	char pre[64];
	if ((ev = json_object_get(root, "Event")))
		return misp_event(L, ev, "Event.");
	json_t *list = json_is_array(root) ? root : json_object_get(root, "response");
	if (!json_is_array(list)) {
		problem(L, 0, NULL, VG_ERR_INVALID, "not a MISP event (no \"Event\" object)");
		return VG_OK;
	}
	json_array_foreach(list, i, x)
	{
		snprintf(pre, sizeof(pre), "[%zu].Event.", i);
		if ((ev = json_object_get(x, "Event")) && (e = misp_event(L, ev, pre)))
			return e;
	}
	return VG_OK;
}

/* ---- STIX 2.1 ---- */

static const struct {
	const char *object, *property;
	vg_ioc_type type;
} stix_props[] = {
	{"ipv4-addr", "value", VG_IOC_IP},       {"ipv6-addr", "value", VG_IOC_IP},
	{"domain-name", "value", VG_IOC_DOMAIN}, {"url", "value", VG_IOC_URL},
	{"email-addr", "value", VG_IOC_EMAIL},   {"file", "hashes.MD5", VG_IOC_MD5},
	{"file", "hashes.SHA-1", VG_IOC_SHA1},   {"file", "hashes.SHA1", VG_IOC_SHA1},
	{"file", "hashes.SHA-256", VG_IOC_SHA256}, {"file", "hashes.SHA256", VG_IOC_SHA256},
	{"file", "hashes.SHA-512", VG_IOC_SHA512}, {"file", "hashes.SHA512", VG_IOC_SHA512},
	{"file", "name", VG_IOC_STRING},         {"mutex", "name", VG_IOC_STRING},
};

typedef struct term_cmp {
	vg_ioc_type type;
	char value[VG_IOC_VALUE_MAX + 1];
	size_t len;
} term_cmp;

typedef struct stix_ctx {
	loader *L;
	const char *path, *id;
	size_t term, n;
	bool bad;
	term_cmp cmps[VG_STIX_COMPARISONS_MAX];
	vg_err err;
} stix_ctx;

static vg_err stix_flush(stix_ctx *c)
{
	vg_err e = VG_OK;
	uint32_t group = 0;
	if (!c->bad && c->n > 1 && (e = vg_ioc_group_new(c->L->set, c->n == 64 ? UINT64_MAX : (1ull << c->n) - 1, &group)))
		return e;
	for (size_t i = 0; !c->bad && i < c->n; i++)
		if ((e = add(c->L, c->cmps[i].type, c->cmps[i].value, c->cmps[i].len, 0, c->path, c->id, group, (uint8_t)i)))
			return e;
	c->n = 0;
	c->bad = false;
	return VG_OK;
}

static vg_err stix_cmp(void *ctx, size_t term, const char *object, const char *property, const char *value,
		       size_t vlen)
{
	stix_ctx *c = ctx;
	vg_err e;
	if (term != c->term && (e = stix_flush(c)))
		return e;
	c->term = term;
	if (c->bad)
		return VG_OK;
	size_t i;
	for (i = 0; i < sizeof(stix_props) / sizeof(stix_props[0]); i++)
		if (!strcmp(stix_props[i].object, object) && !strcasecmp(stix_props[i].property, property))
			break;
	if (i == sizeof(stix_props) / sizeof(stix_props[0]) || vlen > VG_IOC_VALUE_MAX) {
		problem(c->L, 0, c->path, VG_ERR_UNSUPPORTED, "%s: %s:%s is not a supported comparison", c->id, object,
			property);
		c->bad = true;
		return VG_OK;
	}
	term_cmp *t = &c->cmps[c->n++];
	t->type = stix_props[i].type;
	memcpy(t->value, value, vlen);
	t->len = vlen;
	return VG_OK;
}

static vg_err load_stix(loader *L, json_t *root)
{
	json_t *objs = json_object_get(root, "objects"), *o;
	size_t i;
	char path[64];
	vg_err e = VG_OK;
	stix_ctx *c = calloc(1, sizeof(*c));
	if (!c)
		return VG_ERR_NOMEM;
	c->L = L;
	if (!objs && json_is_object(root)) { /* a single object */
		objs = json_array();
		json_array_append(objs, root);
	} else {
		json_incref(objs);
	}
	json_array_foreach(objs, i, o)
	{
		const char *type = json_string_value(json_object_get(o, "type"));
		const char *pt = json_string_value(json_object_get(o, "pattern_type"));
		const char *pat = json_string_value(json_object_get(o, "pattern"));
		if (!type || strcmp(type, "indicator"))
			continue;
		snprintf(path, sizeof(path), "objects[%zu].pattern", i);
		if ((pt && strcmp(pt, "stix")) || !pat) {
			L->rep->skipped++;
			continue;
		}
		const char *id = json_string_value(json_object_get(o, "id"));
		vg_diag d;
		vg_diag_clear(&d);
		c->path = path;
		c->id = id ? id : "";
		c->term = 0;
		c->n = 0;
		c->bad = false;
		int rc = vg_stix_pattern_parse(pat, strlen(pat), stix_cmp, c, &d);
		if (rc < 0 && (-rc == VG_ERR_NOMEM)) {
			e = VG_ERR_NOMEM;
			break;
		}
		if (rc < 0) {
			problem(L, 0, path, (vg_err)-rc, "%s: %s", c->id, d.message);
			continue;
		}
		if ((e = stix_flush(c)))
			break;
	}
	json_decref(objs);
	free(c);
	return e;
}

/* ---- field map ---- */

static void trim(const char **s, size_t *n)
{
	while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
		(*n)--;
}


static const struct {
	const char *name;
	field_kind kind;
} field_kinds[] = {
	{"ip", FK_IP},         {"domain", FK_DOMAIN}, {"url", FK_URL},       {"hash", FK_HASH},
	{"hashes", FK_HASHES}, {"email", FK_EMAIL},   {"string", FK_STRING},
};

vg_err vg_ioc_load_fields_string(vg_ruleset *rs, const char *name, const char *text, size_t len, vg_diag *d)
{
	vg_iocset *set = vg_ioc_set_get(rs);
	unsigned line = 0;
	size_t i = 0;
	if (d)
		vg_diag_clear(d);
	if (!set)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	if (rs->compiled)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "the ruleset is already compiled");
	while (i < len) {
		const char *l = text + i, *nl = memchr(l, '\n', len - i);
		size_t n = nl ? (size_t)(nl - l) : len - i;
		i += n + 1;
		line++;
		const char *hash = memchr(l, '#', n);
		if (hash)
			n = (size_t)(hash - l);
		trim(&l, &n);
		if (!n || (n == 7 && !memcmp(l, "fields:", 7)) || (n >= 3 && !memcmp(l, "---", 3)))
			continue;
		if (l[0] == '-')
			l++, n--;
		const char *colon = memchr(l, ':', n);
		if (!colon) {
			vg_diag_set(d, VG_ERR_INVALID, NULL, "expected \"field: type\"");
			vg_diag_at(d, name, line);
			return VG_ERR_INVALID;
		}
		const char *f = l, *t = colon + 1, *host = NULL;
		size_t fl = (size_t)(colon - l), tl = n - fl - 1, hl = 0;
		trim(&f, &fl);
		trim(&t, &tl);
		if (fl >= 2 && (f[0] == '"' || f[0] == '\'') && f[fl - 1] == f[0])
			f++, fl -= 2;
		const char *at = memchr(t, '@', tl);
		if (at) {
			host = at + 1;
			hl = tl - (size_t)(at - t) - 1;
			tl = (size_t)(at - t);
		}
		int kind = -1;
		for (size_t k = 0; k < sizeof(field_kinds) / sizeof(field_kinds[0]); k++)
			if (strlen(field_kinds[k].name) == tl && !memcmp(field_kinds[k].name, t, tl))
				kind = (int)field_kinds[k].kind;
		if (kind < 0 || !fl || (host && (kind != FK_URL || !hl))) {
			vg_diag_set(d, VG_ERR_INVALID, "type", "unknown field type \"%.*s\" (ip, domain, url[@hostfield], hash, hashes, email, string)",
				    (int)(tl > 60 ? 60 : tl), t);
			vg_diag_at(d, name, line);
			return VG_ERR_INVALID;
		}
		if (set->nfields == VG_IOC_FIELDS_MAX) {
			vg_diag_set(d, VG_ERR_LIMIT, NULL, "more than %d fields", VG_IOC_FIELDS_MAX);
			vg_diag_at(d, name, line);
			return VG_ERR_LIMIT;
		}
		ioc_field *fd = &set->fields[set->nfields];
		fd->kind = (uint8_t)kind;
		fd->fid = vg_rs_field_id(rs, f, fl);
		fd->host_fid = host ? vg_rs_field_id(rs, host, hl) : -1;
		fd->name = vg_arena_strndup(rs->arena, f, fl);
		if (fd->fid < 0 || (host && fd->host_fid < 0) || !fd->name)
			return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		set->nfields++;
	}
	return VG_OK;
}

vg_err vg_ioc_load_fields(vg_ruleset *rs, const char *path, vg_diag *d)
{
	char *buf = NULL;
	size_t len;
	vg_err e = vg_detect_read_file(path, 1024 * 1024, &buf, &len, d);
	if (!e)
		e = vg_ioc_load_fields_string(rs, path, buf, len, d);
	free(buf);
	return e;
}

/* ---- entry points ---- */

vg_err vg_ioc_load_string(vg_ruleset *rs, const char *name, const char *text, size_t len, vg_ioc_format fmt,
			  vg_ioc_type deftype, vg_ioc_report *rep)
{
	vg_ioc_report dummy = {0};
	loader L = {.rs = rs, .rep = rep ? rep : &dummy, .name = name, .deftype = deftype};
	int src;
	vg_err e = VG_OK;
	if (rs->compiled)
		return VG_ERR_INVALID;
	if (!(L.set = vg_ioc_set_get(rs)) || (src = vg_ioc_source(L.set, name)) < 0)
		return VG_ERR_NOMEM;
	L.src = (uint16_t)src;
	L.rep->files++;
	size_t k = 0;
	while (k < len && (text[k] == ' ' || text[k] == '\n' || text[k] == '\r' || text[k] == '\t'))
		k++;
	bool json = k < len && (text[k] == '{' || text[k] == '[');
	if (fmt == VG_IOC_FMT_AUTO) {
		size_t nl = strlen(name);
		if (json)
			fmt = VG_IOC_FMT_MISP; /* refined below */
		else if (nl > 4 && !strcasecmp(name + nl - 4, ".csv"))
			fmt = VG_IOC_FMT_CSV;
		else
			fmt = VG_IOC_FMT_LIST;
	}
	if (fmt == VG_IOC_FMT_LIST)
		return load_list(&L, text, len);
	if (fmt == VG_IOC_FMT_CSV)
		return load_csv(&L, text, len);
	json_error_t je;
	json_t *root = json_loadb(text, len, 0, &je);
	if (!root) {
		problem(&L, (unsigned)je.line, NULL, VG_ERR_INVALID, "malformed JSON: %s", je.text);
		return VG_OK;
	}
	const char *t = json_string_value(json_object_get(root, "type"));
	if (fmt == VG_IOC_FMT_STIX || (t && (!strcmp(t, "bundle") || !strcmp(t, "indicator"))))
		e = load_stix(&L, root);
	else
		e = load_misp(&L, root);
	json_decref(root);
	return e;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static vg_err load_dir(vg_ruleset *rs, const char *path, vg_ioc_format fmt, vg_ioc_type deftype, vg_ioc_report *rep,
		       int depth)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	vg_err e = VG_OK;
	if (!dir)
		return VG_ERR_IO;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || !strcmp(de->d_name, "manifest.json"))
			continue;
		size_t nl = strlen(de->d_name);
		if (nl > 4 && !strcmp(de->d_name + nl - 4, ".csv") && fmt == VG_IOC_FMT_AUTO)
			continue; /* a MISP feed's hashes.csv repeats its events */
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof(char *));
			if (!nn) {
				e = VG_ERR_NOMEM;
				goto out;
			}
			names = nn;
		}
		if (!(names[n] = malloc(strlen(path) + nl + 2))) {
			e = VG_ERR_NOMEM;
			goto out;
		}
		sprintf(names[n++], "%s/%s", path, de->d_name);
	}
	qsort(names, n, sizeof(char *), name_cmp);
	for (size_t i = 0; i < n && !e; i++) {
		struct stat st;
		if (stat(names[i], &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth < 8)
				e = load_dir(rs, names[i], fmt, deftype, rep, depth + 1);
		} else {
			e = vg_ioc_load_path(rs, names[i], fmt, deftype, rep);
			if (e == VG_ERR_IO)
				e = VG_OK;
		}
	}
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	return e;
}

vg_err vg_ioc_load_path(vg_ruleset *rs, const char *path, vg_ioc_format fmt, vg_ioc_type deftype,
			vg_ioc_report *rep)
{
	struct stat st;
	char *buf = NULL;
	size_t len;
	vg_diag d;
	vg_diag_clear(&d);
	if (stat(path, &st))
		return VG_ERR_IO;
	if (S_ISDIR(st.st_mode))
		return load_dir(rs, path, fmt, deftype, rep, 0);
	vg_err e = vg_detect_read_file(path, VG_IOC_FILE_MAX, &buf, &len, &d);
	if (!e)
		e = vg_ioc_load_string(rs, path, buf, len, fmt, deftype, rep);
	free(buf);
	return e;
}
