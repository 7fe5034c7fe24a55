/* Bulk import of organisations from JSON or CSV (docs/internals/registry.md).
 *
 * Both formats are first turned into one document per organisation (CSV rows
 * are grouped by organisation name), then applied in two passes inside one
 * transaction: pass 1 creates the organisations that do not exist yet, pass 2
 * resolves parents by name, applies attributes and adds missing children.
 * A bad record (or child) is reported with its line and field and skipped. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/hash.h"
#include "core/json.h"
#include "registry/internal.h"

#define CSV_COLS 9
#define CSV_ROW_MAX (2 * VG_FIELD_NOTES_MAX + 4096) /* a row with a full notes field in extra */
#define PROGRESS_EVERY 256

static const char *const csv_header[CSV_COLS] = {"org_name", "kind", "sector", "nis2", "in_scope",
						 "parent", "type", "value", "extra"};

typedef struct imp_org {
	json_t *doc;
	unsigned line;      /* JSON element line / first CSV row */
	unsigned attr_line; /* CSV row that gave the attributes */
	long index;
	bool has_kind;      /* CSV: a row gave the attributes */
	unsigned *clines[VG_CHILD__COUNT];
	size_t ncl[VG_CHILD__COUNT], capcl[VG_CHILD__COUNT];
	int64_t id;
	bool created, skip;
} imp_org;

typedef struct imp {
	vg_db *db;
	const vg_import_options *o;
	vg_import_report *rep;
	size_t max_errors;
	imp_org *orgs;
	size_t n, cap;
	vg_map names; /* CSV: lower-cased name -> index+1 */
} imp;

int vg_reg_format_parse(const char *s)
{
	if (!s || !*s || strcmp(s, "auto") == 0)
		return VG_REG_FMT_AUTO;
	if (strcasecmp(s, "json") == 0)
		return VG_REG_FMT_JSON;
	if (strcasecmp(s, "csv") == 0)
		return VG_REG_FMT_CSV;
	return -1;
}

static void add_error(imp *m, unsigned line, long index, const char *field, const char *msg)
{
	vg_import_report *r = m->rep;
	vg_import_error *e;
	r->errors_total++;
	if (r->nerrors >= m->max_errors)
		return;
	if (!r->errors && !(r->errors = calloc(m->max_errors, sizeof *r->errors)))
		return;
	e = &r->errors[r->nerrors++];
	e->line = line;
	e->index = index;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	snprintf(e->message, sizeof e->message, "%s", msg ? msg : "");
}

static void add_diag(imp *m, unsigned line, long index, const char *prefix, const vg_diag *d)
{
	char f[VG_DIAG_FIELD_MAX];
	if (prefix && *prefix && d->field[0])
		snprintf(f, sizeof f, "%s%s%s", prefix, d->field[0] == '[' ? "" : ".", d->field);
	else
		snprintf(f, sizeof f, "%s", (prefix && *prefix) ? prefix : d->field);
	add_error(m, line, index, f, d->message);
}

static imp_org *new_org(imp *m)
{
	imp_org *g;
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;
		imp_org *no = realloc(m->orgs, nc * sizeof *no);
		if (!no)
			return NULL;
		m->orgs = no;
		m->cap = nc;
	}
	g = &m->orgs[m->n++];
	memset(g, 0, sizeof *g);
	g->index = -1;
	return g;
}

static void imp_fini(imp *m)
{
	for (size_t i = 0; i < m->n; i++) {
		json_decref(m->orgs[i].doc);
		for (int k = 0; k < VG_CHILD__COUNT; k++)
			free(m->orgs[i].clines[k]);
	}
	free(m->orgs);
	vg_map_fini(&m->names);
}

/* ---------------------------------------------------------------- JSON */

/* Line of each element of the organisations array, in order. */
static unsigned *json_element_lines(const char *p, size_t len, bool wrapped, size_t count)
{
	unsigned *lines = calloc(count ? count : 1, sizeof *lines), line = 1;
	size_t depth = 0, k = 0, target = wrapped ? 2 : 1;
	bool in_str = false, want = false;
	if (!lines)
		return NULL;
	for (size_t i = 0; i < len && k < count; i++) {
		char c = p[i];
		if (c == '\n')
			line++;
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (want && c != ']') {
			lines[k++] = line;
			want = false;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[') {
			depth++;
			if (c == '[' && depth == target)
				want = true;
		} else if (c == '}' || c == ']') {
			if (depth > 0)
				depth--;
		} else if (c == ',' && depth == target) {
			want = true;
		}
	}
	return lines;
}

static vg_err load_json(imp *m, const char *data, size_t len, vg_diag *d)
{
	json_t *root = NULL, *arr;
	unsigned *lines = NULL;
	size_t i;
	json_t *item;
	vg_err e;
	bool wrapped;

	if ((e = vg_json_parse(data, len, VG_JSON_DEPTH_MAX, &root, d)))
		return e;
	wrapped = json_is_object(root);
	arr = wrapped ? json_object_get(root, "organisations") : root;
	if (wrapped && json_object_size(root) != 1) {
		e = vg_diag_set(d, VG_ERR_INVALID, NULL, "expected {\"organisations\": [...]} and nothing else");
		goto out;
	}
	if (!json_is_array(arr)) {
		e = vg_diag_set(d, VG_ERR_INVALID, wrapped ? "organisations" : NULL,
				"expected an array of organisations");
		goto out;
	}
	if (json_array_size(arr) > VG_IMPORT_ROWS_MAX) {
		e = vg_diag_set(d, VG_ERR_LIMIT, NULL, "more than %d organisations", VG_IMPORT_ROWS_MAX);
		goto out;
	}
	if (!(lines = json_element_lines(data, len, wrapped, json_array_size(arr)))) {
		e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	json_array_foreach(arr, i, item) {
		imp_org *g = new_org(m);
		if (!g) {
			e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
			goto out;
		}
		g->doc = json_incref(item);
		g->line = g->attr_line = lines[i];
		g->index = (long)i;
		g->has_kind = true;
	}
	m->rep->records = m->n;
	e = VG_OK;
out:
	free(lines);
	json_decref(root);
	return e;
}

/* ---------------------------------------------------------------- CSV */

typedef struct csv_row {
	char *f[CSV_COLS];
	size_t nf;
	unsigned line;
} csv_row;

/* Parse one record from data[*pos]; fields point into buf (NUL-separated).
 * Returns 1 for a row, 0 at end, negative vg_err on a malformed row. */
static int csv_next(const char *data, size_t len, size_t *pos, unsigned *line, vg_buf *buf, csv_row *row,
		    vg_diag *d)
{
	size_t i = *pos, offs[CSV_COLS + 1], nf = 0;
	bool more = true;
	vg_buf_reset(buf);
	/* skip blank lines */
	while (i < len && (data[i] == '\n' || data[i] == '\r')) {
		if (data[i] == '\n')
			(*line)++;
		i++;
	}
	if (i >= len) {
		*pos = i;
		return 0;
	}
	row->line = *line;
	while (more) {
		if (nf == CSV_COLS) {
			*pos = i;
			/* skip to the end of the record */
			while (*pos < len && data[*pos] != '\n')
				(*pos)++;
			return -vg_diag_set(d, VG_ERR_INVALID, NULL, "more than %d columns", CSV_COLS);
		}
		offs[nf++] = buf->len;
		if (i < len && data[i] == '"') {
			i++;
			for (;;) {
				if (i >= len)
					return -vg_diag_set(d, VG_ERR_INVALID, NULL, "unterminated quoted field");
				if (data[i] == '"') {
					if (i + 1 < len && data[i + 1] == '"') {
						if (vg_buf_putc(buf, '"'))
							goto toolong;
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (data[i] == '\n')
					(*line)++;
				if (vg_buf_putc(buf, data[i++]))
					goto toolong;
			}
			if (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r')
				return -vg_diag_set(d, VG_ERR_INVALID, NULL, "text after a closing quote");
		} else {
			size_t s = i;
			while (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r')
				i++;
			if (vg_buf_append(buf, data + s, i - s))
				goto toolong;
		}
		if (vg_buf_putc(buf, '\0'))
			goto toolong;
		if (i < len && data[i] == ',') {
			i++;
			continue;
		}
		more = false;
	}
	if (i < len && data[i] == '\r')
		i++;
	if (i < len && data[i] == '\n') {
		i++;
		(*line)++;
	}
	*pos = i;
	row->nf = nf;
	for (size_t k = 0; k < nf; k++)
		row->f[k] = buf->data + offs[k];
	for (size_t k = nf; k < CSV_COLS; k++)
		row->f[k] = NULL;
	return 1;
toolong:
	while (i < len && data[i] != '\n')
		i++;
	*pos = i;
	return -vg_diag_set(d, VG_ERR_LIMIT, NULL, "row longer than %d bytes", CSV_ROW_MAX);
}

static bool lower_key(const char *s, char *out, size_t outsz)
{
	size_t n = strlen(s);
	if (n + 1 > outsz)
		return false;
	for (size_t i = 0; i <= n; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	return true;
}

static int parse_bool(const char *s)
{
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcmp(s, "1") || !strcasecmp(s, "y"))
		return 1;
	if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcmp(s, "0") || !strcasecmp(s, "n"))
		return 0;
	return -1;
}

/* Apply the attribute columns of a row to the org's document. */
static vg_err csv_attrs(imp_org *g, const csv_row *row, bool org_row, vg_diag *d)
{
	json_t *doc = g->doc;
	int b = 1;
	if (row->f[4][0] && (b = parse_bool(row->f[4])) < 0)
		return vg_diag_set(d, VG_ERR_INVALID, "in_scope", "in_scope must be true or false");
	json_object_set_new(doc, "name", json_string(row->f[0]));
	json_object_set_new(doc, "kind", json_string(row->f[1]));
	json_object_set_new(doc, "sector", json_string(row->f[2]));
	json_object_set_new(doc, "nis2", json_string(row->f[3]));
	json_object_set_new(doc, "in_scope", json_boolean(b));
	json_object_set_new(doc, "parent", json_string(row->f[5]));
	if (org_row) {
		json_t *x = NULL;
		json_object_set_new(doc, "short_name", json_string(row->f[7]));
		json_object_set_new(doc, "country", json_string(""));
		json_object_set_new(doc, "notes", json_string(""));
		if (row->f[8][0]) {
			static const char *const ok[] = {"country", "notes", NULL};
			vg_err e = vg_json_parse_object(row->f[8], strlen(row->f[8]), 2, &x, d);
			if (!e)
				e = vg_json_only_keys(x, ok, d);
			if (e) {
				json_decref(x);
				vg_diag_field_prefix(d, "extra");
				return e;
			}
			json_object_update_existing(doc, x);
			json_decref(x);
		}
	}
	if (!json_is_string(json_object_get(doc, "name")))
		return vg_diag_set(d, VG_ERR_INVALID, "org_name", "not valid UTF-8");
	g->has_kind = true;
	return VG_OK;
}

static vg_err csv_child(imp_org *g, vg_org_child k, const csv_row *row, vg_diag *d)
{
	json_t *item, *arr;
	if (k == VG_CHILD_CONTACT) {
		static const char *const ok[] = {"name", "role", "phone", "pgp_fingerprint", "language", NULL};
		item = NULL;
		if (row->f[8][0]) {
			vg_err e = vg_json_parse_object(row->f[8], strlen(row->f[8]), 2, &item, d);
			if (!e)
				e = vg_json_only_keys(item, ok, d);
			if (e) {
				json_decref(item);
				vg_diag_field_prefix(d, "extra");
				return e;
			}
		} else {
			item = json_object();
		}
		json_object_set_new(item, "email", json_string(row->f[7]));
	} else {
		item = json_pack("{ss ss}", k == VG_CHILD_NETWORK  ? "cidr"
					    : k == VG_CHILD_ASN    ? "asn"
					    : k == VG_CHILD_DOMAIN ? "domain"
								   : "cpe",
				 row->f[7], "note", row->f[8]);
	}
	if (!item)
		return vg_diag_set(d, VG_ERR_INVALID, "value", "not valid UTF-8");
	arr = json_object_get(g->doc, vg_org_child_name(k));
	if (!arr) {
		arr = json_array();
		json_object_set_new(g->doc, vg_org_child_name(k), arr);
	}
	if (json_array_size(arr) >= VG_ORG_CHILDREN_MAX) {
		json_decref(item);
		return vg_diag_set(d, VG_ERR_LIMIT, "value", "more than %d %s for one organisation",
				   VG_ORG_CHILDREN_MAX, vg_org_child_name(k));
	}
	json_array_append_new(arr, item);
	if (g->ncl[k] == g->capcl[k]) {
		size_t nc = g->capcl[k] ? g->capcl[k] * 2 : 8;
		unsigned *nl = realloc(g->clines[k], nc * sizeof *nl);
		if (!nl)
			return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		g->clines[k] = nl;
		g->capcl[k] = nc;
	}
	g->clines[k][g->ncl[k]++] = row->line;
	return VG_OK;
}

static vg_err load_csv(imp *m, const char *data, size_t len, vg_diag *d)
{
	vg_buf buf;
	csv_row row;
	size_t pos = 0;
	unsigned line = 1;
	vg_err e = VG_OK;
	int rc;

	vg_buf_init(&buf, CSV_ROW_MAX);
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	rc = csv_next(data, len, &pos, &line, &buf, &row, d);
	if (rc <= 0) {
		e = rc < 0 ? (vg_err)-rc : vg_diag_set(d, VG_ERR_INVALID, NULL, "empty file: a CSV header is required");
		if (d)
			d->line = 1;
		goto out;
	}
	for (size_t k = 0; k < CSV_COLS; k++) {
		char *h = k < row.nf ? row.f[k] : NULL;
		if (!h || strcasecmp(h, csv_header[k]) != 0) {
			e = vg_diag_set(d, VG_ERR_INVALID, csv_header[k],
					"header must be org_name,kind,sector,nis2,in_scope,parent,type,value,extra");
			if (d)
				d->line = row.line;
			goto out;
		}
	}
	for (;;) {
		vg_diag rd;
		char key[4 * REG_NAME_MAX + 1];
		imp_org *g;
		uintptr_t gi;
		int k;
		vg_diag_clear(&rd);
		rc = csv_next(data, len, &pos, &line, &buf, &row, &rd);
		if (rc == 0)
			break;
		m->rep->records++;
		if (m->rep->records > VG_IMPORT_ROWS_MAX) {
			e = vg_diag_set(d, VG_ERR_LIMIT, NULL, "more than %d rows", VG_IMPORT_ROWS_MAX);
			goto out;
		}
		if (rc < 0) {
			add_error(m, row.line, -1, rd.field, rd.message);
			if (rd.code == VG_ERR_INVALID && strstr(rd.message, "unterminated"))
				break;
			continue;
		}
		if (row.nf != CSV_COLS) {
			add_error(m, row.line, -1, NULL, "expected 9 columns");
			continue;
		}
		if (vg_text_check(row.f[0], strlen(row.f[0]), 1, REG_NAME_MAX, false, "org_name", &rd) ||
		    !lower_key(row.f[0], key, sizeof key)) {
			add_error(m, row.line, -1, "org_name", rd.message[0] ? rd.message : "too long");
			continue;
		}
		k = strcmp(row.f[6], "org") == 0 ? -2 : vg_org_child_parse(row.f[6]);
		if (k == -1) {
			add_error(m, row.line, -1, "type",
				  "type must be org, network, asn, domain, contact or product");
			continue;
		}
		if (k >= 0 && row.f[7][0] == '\0') {
			add_error(m, row.line, -1, "value", "required");
			continue;
		}
		gi = (uintptr_t)vg_map_get(&m->names, key, strlen(key));
		if (gi) {
			g = &m->orgs[gi - 1];
		} else {
			if (!(g = new_org(m)) || !(g->doc = json_object()) ||
			    vg_map_put(&m->names, key, strlen(key), (void *)(uintptr_t)m->n, NULL)) {
				e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
				goto out;
			}
			g->line = g->attr_line = row.line;
			json_object_set_new(g->doc, "name", json_string(row.f[0]));
		}
		if (k == -2 || row.f[1][0]) {
			if ((e = csv_attrs(g, &row, k == -2, &rd))) {
				add_error(m, row.line, -1, rd.field, rd.message);
				e = VG_OK;
				if (k == -2)
					continue;
			} else {
				g->attr_line = row.line;
			}
		}
		if (k >= 0 && csv_child(g, (vg_org_child)k, &row, &rd)) {
			add_error(m, row.line, -1, rd.field, rd.message);
			if (rd.code == VG_ERR_NOMEM) {
				e = VG_ERR_NOMEM;
				goto out;
			}
		}
	}
out:
	vg_buf_fini(&buf);
	return e;
}

/* ---------------------------------------------------------------- apply */

static bool fatal(vg_err e)
{
	return e == VG_ERR_DB || e == VG_ERR_NOMEM || e == VG_ERR_IO || e == VG_ERR_BUSY || e == VG_ERR_INTERNAL;
}

/* Pass 1: find or create the organisation (without its parent). */
static vg_err pass1(imp *m, imp_org *g, int64_t now, vg_diag *d)
{
	reg_attrs a;
	vg_diag rd;
	vg_err e;
	vg_diag_clear(&rd);
	if ((e = reg_attrs_parse(g->doc, true, &a, &rd)) || (!(a.has & REG_HAS_NAME) &&
							     (e = vg_diag_set(&rd, VG_ERR_INVALID, "name", "required")))) {
		add_diag(m, g->attr_line, g->index, NULL, &rd);
		g->skip = true;
		return VG_OK;
	}
	e = vg_org_find_by_name(m->db, a.name, &g->id, &rd);
	if (e == VG_OK)
		return VG_OK;
	if (e != VG_ERR_NOT_FOUND)
		return vg_diag_set(d, e, "name", "%s", rd.message);
	if (!(a.has & REG_HAS_KIND)) {
		add_error(m, g->attr_line, g->index, g->index >= 0 ? "kind" : "org_name",
			  g->index >= 0 ? "required for a new organisation"
					: "unknown organisation: give its kind (an org row) to create it");
		g->skip = true;
		return VG_OK;
	}
	a.has &= ~(unsigned)(REG_HAS_PARENT_ID | REG_HAS_PARENT_NAME);
	if ((e = reg_org_insert(m->db, &a, 0, now, &g->id, &rd))) {
		if (fatal(e))
			return vg_diag_set(d, e, rd.field, "%s", rd.message);
		add_diag(m, g->attr_line, g->index, NULL, &rd);
		g->skip = true;
		return VG_OK;
	}
	g->created = true;
	m->rep->orgs_created++;
	return VG_OK;
}

/* CSV: name the column, not the JSON key the row was turned into. */
static void csv_field(vg_diag *rd)
{
	static const char *const main_keys[] = {"cidr", "asn", "domain", "email", "cpe", "", NULL};
	char tmp[VG_DIAG_FIELD_MAX];
	for (int i = 0; main_keys[i]; i++)
		if (strcmp(rd->field, main_keys[i]) == 0) {
			snprintf(rd->field, sizeof rd->field, "value");
			return;
		}
	if (strcmp(rd->field, "note") == 0) {
		snprintf(rd->field, sizeof rd->field, "extra");
		return;
	}
	if (strncmp(rd->field, "extra", 5) == 0)
		return;
	snprintf(tmp, sizeof tmp, "extra.%s", rd->field);
	memcpy(rd->field, tmp, sizeof tmp);
}

/* Pass 2: parent, attributes, children. */
static vg_err pass2(imp *m, imp_org *g, int64_t now, vg_diag *d)
{
	reg_attrs a;
	vg_diag rd;
	int64_t parent = 0;
	bool changed = false;
	vg_err e;

	vg_diag_clear(&rd);
	if (reg_attrs_parse(g->doc, true, &a, &rd))
		return VG_OK; /* reported in pass 1 */
	if (a.has & REG_HAS_PARENT_NAME) {
		if (a.parent_name[0] == '\0') {
			parent = 0;
		} else if ((e = vg_org_find_by_name(m->db, a.parent_name, &parent, &rd))) {
			if (fatal(e))
				return vg_diag_set(d, e, "parent", "%s", rd.message);
			add_error(m, g->attr_line, g->index, "parent", "no organisation with this name");
			a.has &= ~(unsigned)REG_HAS_PARENT_NAME;
		}
	} else if (a.has & REG_HAS_PARENT_ID) {
		parent = a.parent_id;
	}
	e = reg_org_apply(m->db, g->id, &a, parent, &changed, &rd);
	if (e && !fatal(e) && (a.has & (REG_HAS_PARENT_ID | REG_HAS_PARENT_NAME))) {
		add_diag(m, g->attr_line, g->index, NULL, &rd);
		if (strcmp(rd.field, "parent_id") == 0 && (a.has & REG_HAS_PARENT_NAME))
			snprintf(m->rep->errors[m->rep->nerrors ? m->rep->nerrors - 1 : 0].field, VG_DIAG_FIELD_MAX,
				 "parent");
		a.has &= ~(unsigned)(REG_HAS_PARENT_ID | REG_HAS_PARENT_NAME);
		vg_diag_clear(&rd);
		e = reg_org_apply(m->db, g->id, &a, 0, &changed, &rd);
	}
	if (e) {
		if (fatal(e))
			return vg_diag_set(d, e, rd.field, "%s", rd.message);
		add_diag(m, g->attr_line, g->index, NULL, &rd);
		return VG_OK;
	}
	if (!g->created) {
		if (changed)
			m->rep->orgs_updated++;
		else
			m->rep->orgs_unchanged++;
	}
	for (int k = 0; k < VG_CHILD__COUNT; k++) {
		json_t *arr = json_object_get(g->doc, vg_org_child_name((vg_org_child)k)), *item;
		size_t i;
		char field[48];
		if (!arr)
			continue;
		if (!json_is_array(arr) || json_array_size(arr) > VG_ORG_CHILDREN_MAX) {
			add_error(m, g->line, g->index, vg_org_child_name((vg_org_child)k),
				  "expected an array of at most 20000 items");
			continue;
		}
		json_array_foreach(arr, i, item) {
			reg_child c;
			bool ins;
			unsigned line = g->clines[k] ? g->clines[k][i] : g->line;
			vg_diag_clear(&rd);
			if (g->clines[k])
				field[0] = '\0';
			else
				snprintf(field, sizeof field, "%s[%zu]", vg_org_child_name((vg_org_child)k), i);
			if (reg_child_parse((vg_org_child)k, item, field, &c, &rd)) {
				if (g->clines[k])
					csv_field(&rd);
				add_diag(m, line, g->index, NULL, &rd);
				continue;
			}
			if (g->clines[k])
				snprintf(field, sizeof field, "value");
			if ((e = reg_child_insert(m->db, g->id, &c, now, &ins, NULL, &rd))) {
				if (fatal(e))
					return vg_diag_set(d, e, field, "%s", rd.message);
				add_diag(m, line, g->index, field, &rd);
				continue;
			}
			if (ins)
				m->rep->children_added++;
			else
				m->rep->children_existing++;
		}
	}
	return VG_OK;
}

vg_err vg_registry_import(vg_db *db, const char *data, size_t len, const vg_import_options *o,
			  vg_import_report *rep, vg_diag *d)
{
	vg_import_options defaults = {0};
	uint64_t t0 = vg_time_mono_ns();
	int64_t now = vg_time_now_ms();
	imp m;
	vg_reg_format fmt;
	vg_err e;
	size_t i;

	if (!o)
		o = &defaults;
	memset(rep, 0, sizeof *rep);
	memset(&m, 0, sizeof m);
	vg_map_init(&m.names);
	m.db = db;
	m.o = o;
	m.rep = rep;
	m.max_errors = o->max_errors ? o->max_errors : VG_IMPORT_ERRORS_MAX;
	rep->dry_run = o->dry_run;
	if (o->dry_run && vg_db_in_tx(db))
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "a dry-run import must not run inside a transaction");
	if (!data)
		len = 0;
	if (len > VG_IMPORT_FILE_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, NULL, "import file larger than %d bytes", VG_IMPORT_FILE_MAX);
	fmt = o->format;
	if (fmt == VG_REG_FMT_AUTO) {
		size_t k = (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
		while (k < len && isspace((unsigned char)data[k]))
			k++;
		fmt = (k < len && (data[k] == '[' || data[k] == '{')) ? VG_REG_FMT_JSON : VG_REG_FMT_CSV;
	}
	e = fmt == VG_REG_FMT_JSON ? load_json(&m, data, len, d) : load_csv(&m, data, len, d);
	if (e) {
		if (d && o->filename)
			vg_diag_at(d, o->filename, 0);
		goto out;
	}
	if ((e = vg_db_begin(db, true, d)))
		goto out;
	for (i = 0; i < m.n; i++)
		if ((e = pass1(&m, &m.orgs[i], now, d)))
			goto fail;
	for (i = 0; i < m.n; i++) {
		if (m.orgs[i].skip)
			continue;
		if ((e = pass2(&m, &m.orgs[i], now, d)))
			goto fail;
		if (o->progress && (i % PROGRESS_EVERY) == 0)
			o->progress(o->progress_ctx, i, m.n);
	}
	if (o->progress)
		o->progress(o->progress_ctx, m.n, m.n);
	if (o->strict && rep->errors_total > 0) {
		e = vg_diag_set(d, VG_ERR_INVALID, rep->nerrors ? rep->errors[0].field : NULL,
				"%zu bad record(s), nothing imported (strict); first: %s", rep->errors_total,
				rep->nerrors ? rep->errors[0].message : "");
		if (d && rep->nerrors)
			d->line = rep->errors[0].line;
		goto fail;
	}
	if (o->dry_run) {
		vg_db_rollback(db);
		goto out;
	}
	if ((e = vg_db_commit(db, d)))
		goto out;
	rep->committed = true;
	goto out;
fail:
	vg_db_rollback(db);
out:
	rep->elapsed_ms = (int64_t)((vg_time_mono_ns() - t0) / 1000000u);
	imp_fini(&m);
	return e;
}

void vg_import_report_fini(vg_import_report *rep)
{
	if (!rep)
		return;
	free(rep->errors);
	rep->errors = NULL;
	rep->nerrors = 0;
}

json_t *vg_import_report_json(const vg_import_report *rep)
{
	json_t *errs = json_array();
	for (size_t i = 0; i < rep->nerrors; i++) {
		const vg_import_error *e = &rep->errors[i];
		json_t *o = json_pack("{ss ss}", "field", e->field, "message", e->message);
		if (!o)
			continue;
		if (e->line)
			json_object_set_new(o, "line", json_integer(e->line));
		if (e->index >= 0)
			json_object_set_new(o, "index", json_integer(e->index));
		json_array_append_new(errs, o);
	}
	return json_pack("{sb sb sI sI sI sI sI sI sI sI so}", "dry_run", rep->dry_run, "committed", rep->committed,
			 "records", (json_int_t)rep->records, "orgs_created", (json_int_t)rep->orgs_created,
			 "orgs_updated", (json_int_t)rep->orgs_updated, "orgs_unchanged",
			 (json_int_t)rep->orgs_unchanged, "children_added", (json_int_t)rep->children_added,
			 "children_existing", (json_int_t)rep->children_existing, "errors_total",
			 (json_int_t)rep->errors_total, "elapsed_ms", (json_int_t)rep->elapsed_ms, "errors", errs);
}
