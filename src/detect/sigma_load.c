/* Loading Sigma rules from YAML (libfyaml). A file may hold several
 * documents; each is a detection rule, a filter rule, a correlation rule
 * (parsed by sigma_load_corr.c, evaluated by sigma_corr*.c) or something we
 * refuse with a reason (the old "action: global" collections, aggregations).
 * Every refusal is reported with file and line. */
#include <dirent.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/limits.h"
#include "detect/internal.h"
#include "detect/sigma_load_int.h"

/* Record file and line, keeping a line already set by a deeper parser. */
static void diag_loc(vg_diag *d, const char *file, unsigned line)
{
	if (!d)
		return;
	if (file && !d->file[0])
		snprintf(d->file, sizeof(d->file), "%s", file);
	if (!d->line)
		d->line = line;
}

unsigned vg_yaml_line(struct fy_node *n)
{
	struct fy_token *t = n ? fy_node_get_scalar_token(n) : NULL;
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
	return m ? (unsigned)m->line + 1 : 0;
}

/* Scalar text of a node, or NULL when it is not a scalar. */
const char *vg_yaml_scalar(struct fy_node *n, size_t *len)
{
	if (!n || !fy_node_is_scalar(n))
		return NULL;
	return fy_node_get_scalar(n, len);
}

char *vg_yaml_arena_scalar(vg_arena *a, struct fy_node *n)
{
	size_t len;
	const char *s = vg_yaml_scalar(n, &len);
	return s ? vg_arena_strndup(a, s, len) : NULL;
}

struct fy_node *vg_yaml_get(struct fy_node *map, const char *key, unsigned *line)
{
	void *it = NULL;
	struct fy_node_pair *p;
	if (!map || !fy_node_is_mapping(map))
		return NULL;
	while ((p = fy_node_mapping_iterate(map, &it))) {
		size_t len;
		const char *k = vg_yaml_scalar(fy_node_pair_key(p), &len);
		if (k && len == strlen(key) && memcmp(k, key, len) == 0) {
			if (line)
				*line = vg_yaml_line(fy_node_pair_key(p));
			return fy_node_pair_value(p);
		}
	}
	return NULL;
}

vg_yval vg_yaml_value(struct fy_node *n)
{
	vg_yval v = {YV_STR, "", 0};
	size_t len;
	const char *s = vg_yaml_scalar(n, &len);
	if (!s) {
		v.type = YV_NULL;
		return v;
	}
	v.s = s;
	v.len = len;
	if (fy_node_get_style(n) != FYNS_PLAIN)
		return v;
	if (len == 0 || (len == 4 && memcmp(s, "null", 4) == 0) || (len == 1 && s[0] == '~')) {
		v.type = YV_NULL;
	} else if ((len == 4 && memcmp(s, "true", 4) == 0) || (len == 5 && memcmp(s, "false", 5) == 0)) {
		v.type = YV_BOOL;
	} else {
		size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
		bool num = i < len;
		for (; i < len; i++)
			if (!((s[i] >= '0' && s[i] <= '9') || s[i] == '.'))
				num = false;
		if (num)
			v.type = YV_NUM;
	}
	return v;
}

/* One "field|mods: value(s)" entry. */
static vg_err load_item(vg_ruleset *rs, struct fy_node_pair *p, vg_sitem *item, vg_diag *d)
{
	size_t klen;
	const char *k = vg_yaml_scalar(fy_node_pair_key(p), &klen);
	struct fy_node *v = fy_node_pair_value(p);
	vg_yval stack_vals[16], *vals = stack_vals;
	size_t nvals = 0;
	vg_err e;
	char *key;
	unsigned line = vg_yaml_line(fy_node_pair_key(p));
	if (!k)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "field names must be scalars");
	if (!(key = vg_arena_strndup(rs->arena, k, klen)))
		return VG_ERR_NOMEM;
	if (v && fy_node_is_sequence(v)) {
		size_t n = (size_t)fy_node_sequence_item_count(v);
		void *it = NULL;
		struct fy_node *x;
		if (n > VG_SIGMA_VALUES_MAX)
			return vg_diag_set(d, VG_ERR_LIMIT, key, "more than %d values", VG_SIGMA_VALUES_MAX);
		if (n > 16 && !(vals = vg_arena_calloc(rs->arena, n, sizeof(*vals))))
			return VG_ERR_NOMEM;
		while ((x = fy_node_sequence_iterate(v, &it))) {
			if (!fy_node_is_scalar(x)) {
				vg_diag_set(d, VG_ERR_INVALID, key, "a list of values may only hold scalars");
				vg_diag_at(d, NULL, vg_yaml_line(x) ? vg_yaml_line(x) : line);
				return VG_ERR_INVALID;
			}
			vals[nvals++] = vg_yaml_value(x);
		}
	} else if (v && fy_node_is_mapping(v)) {
		vg_diag_set(d, VG_ERR_INVALID, key, "a field value cannot be a map");
		vg_diag_at(d, NULL, line);
		return VG_ERR_INVALID;
	} else {
		vals[nvals++] = vg_yaml_value(v);
	}
	e = vg_item_compile(rs, key, vals, nvals, item, d);
	item->line = line;
	if (d && (e || d->message[0]))
		vg_diag_at(d, NULL, line);
	return e;
}

static vg_err load_group(vg_ruleset *rs, struct fy_node *map, vg_sgroup *g, vg_load_report *rep, const char *file,
			 vg_diag *d)
{
	void *it = NULL;
	struct fy_node_pair *p;
	size_t n = (size_t)fy_node_mapping_item_count(map), i = 0;
	if (n > VG_SIGMA_ITEMS_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, NULL, "more than %d fields in a selection", VG_SIGMA_ITEMS_MAX);
	if (!(g->items = vg_arena_calloc(rs->arena, n ? n : 1, sizeof(vg_sitem))))
		return VG_ERR_NOMEM;
	while ((p = fy_node_mapping_iterate(map, &it))) {
		vg_diag_clear(d);
		vg_err e = load_item(rs, p, &g->items[i], d);
		if (e)
			return e;
		if (d->message[0] && rep) { /* a warning */
			d->code = VG_OK;
			diag_loc(d, file, 0);
			rep->warnings++;
			if (rep->problem)
				rep->problem(rep->ctx, d);
			vg_diag_clear(d);
		}
		i++;
	}
	g->nitems = i;
	return VG_OK;
}

static vg_err load_selection(vg_ruleset *rs, struct fy_node *v, vg_selection *sel, vg_load_report *rep,
			     const char *file, vg_diag *d)
{
	if (v && fy_node_is_mapping(v)) {
		sel->ngroups = 1;
		if (!(sel->groups = vg_arena_calloc(rs->arena, 1, sizeof(vg_sgroup))))
			return VG_ERR_NOMEM;
		return load_group(rs, v, &sel->groups[0], rep, file, d);
	}
	if (v && fy_node_is_sequence(v)) {
		size_t n = (size_t)fy_node_sequence_item_count(v), maps = 0, nvals = 0;
		void *it = NULL;
		struct fy_node *x;
		while ((x = fy_node_sequence_iterate(v, &it)))
			maps += fy_node_is_mapping(x);
		if (maps && maps != n)
			return vg_diag_set(d, VG_ERR_INVALID, sel->name, "a selection list mixes maps and values");
		if (maps) {
			if (n > VG_SIGMA_ITEMS_MAX)
				return vg_diag_set(d, VG_ERR_LIMIT, sel->name, "more than %d maps", VG_SIGMA_ITEMS_MAX);
			if (!(sel->groups = vg_arena_calloc(rs->arena, n, sizeof(vg_sgroup))))
				return VG_ERR_NOMEM;
			it = NULL;
			while ((x = fy_node_sequence_iterate(v, &it))) {
				vg_err e = load_group(rs, x, &sel->groups[sel->ngroups], rep, file, d);
				if (e)
					return e;
				sel->ngroups++;
			}
			return VG_OK;
		}
		/* keywords: a list of values searched anywhere in the event */
		if (n > VG_SIGMA_VALUES_MAX)
			return vg_diag_set(d, VG_ERR_LIMIT, sel->name, "more than %d keywords", VG_SIGMA_VALUES_MAX);
		vg_yval *vals = vg_arena_calloc(rs->arena, n ? n : 1, sizeof(*vals));
		if (!vals)
			return VG_ERR_NOMEM;
		it = NULL;
		while ((x = fy_node_sequence_iterate(v, &it)))
			vals[nvals++] = vg_yaml_value(x);
		sel->ngroups = 1;
		if (!(sel->groups = vg_arena_calloc(rs->arena, 1, sizeof(vg_sgroup))) ||
		    !(sel->groups[0].items = vg_arena_calloc(rs->arena, 1, sizeof(vg_sitem))))
			return VG_ERR_NOMEM;
		sel->groups[0].nitems = 1;
		return vg_item_compile(rs, "", vals, nvals, &sel->groups[0].items[0], d);
	}
	if (v && fy_node_is_scalar(v)) { /* a single keyword */
		vg_yval val = vg_yaml_value(v);
		sel->ngroups = 1;
		if (!(sel->groups = vg_arena_calloc(rs->arena, 1, sizeof(vg_sgroup))) ||
		    !(sel->groups[0].items = vg_arena_calloc(rs->arena, 1, sizeof(vg_sitem))))
			return VG_ERR_NOMEM;
		sel->groups[0].nitems = 1;
		return vg_item_compile(rs, "", &val, 1, &sel->groups[0].items[0], d);
	}
	return vg_diag_set(d, VG_ERR_INVALID, sel->name, "empty selection");
}

static void mark_positive(vg_srule *r, const vg_cnode *n, bool neg)
{
	if (n->op == CO_SEL) {
		if (!neg)
			r->sels[n->sel].positive = true;
	} else if (n->op == CO_OF) {
		for (uint32_t i = 0; i < n->nsels; i++)
			if (!neg)
				r->sels[n->sels[i]].positive = true;
	} else {
		for (uint32_t i = 0; i < n->nkids; i++)
			mark_positive(r, n->kids[i], neg ^ (n->op == CO_NOT));
	}
}

/* detection: selections + condition (a string or a list joined with OR). */
static vg_err load_detection(vg_ruleset *rs, struct fy_node *det, vg_srule *r, vg_load_report *rep, const char *file,
			     vg_diag *d)
{
	void *it = NULL;
	struct fy_node_pair *p;
	struct fy_node *cond = NULL;
	size_t n = (size_t)fy_node_mapping_item_count(det);
	const char **names;
	unsigned cline = 0;
	vg_err e;
	if (n > VG_SIGMA_SELECTIONS_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, "detection", "more than %d selections", VG_SIGMA_SELECTIONS_MAX);
	r->sels = vg_arena_calloc(rs->arena, n ? n : 1, sizeof(vg_selection));
	names = vg_arena_calloc(rs->arena, n ? n : 1, sizeof(char *));
	if (!r->sels || !names)
		return VG_ERR_NOMEM;
	while ((p = fy_node_mapping_iterate(det, &it))) {
		size_t klen;
		const char *k = vg_yaml_scalar(fy_node_pair_key(p), &klen);
		unsigned line = vg_yaml_line(fy_node_pair_key(p));
		if (!k)
			return vg_diag_set(d, VG_ERR_INVALID, "detection", "selection names must be scalars");
		if (klen == 9 && memcmp(k, "condition", 9) == 0) {
			cond = fy_node_pair_value(p);
			cline = line;
			continue;
		}
		if (r->is_filter && klen == 5 && memcmp(k, "rules", 5) == 0)
			continue;
		if (klen == 9 && memcmp(k, "timeframe", 9) == 0) {
			vg_diag_set(d, VG_ERR_UNSUPPORTED, "detection.timeframe",
				    "'timeframe' belongs to the old aggregation syntax: write a correlation rule");
			vg_diag_at(d, NULL, line);
			return VG_ERR_UNSUPPORTED;
		}
		vg_selection *sel = &r->sels[r->nsels];
		if (!(sel->name = vg_arena_strndup(rs->arena, k, klen)))
			return VG_ERR_NOMEM;
		names[r->nsels] = sel->name;
		vg_diag_clear(d);
		if ((e = load_selection(rs, fy_node_pair_value(p), sel, rep, file, d))) {
			char field[VG_DIAG_FIELD_MAX];
			snprintf(field, sizeof(field), "detection.%s", sel->name);
			vg_diag_field_prefix(d, field);
			if (!d->field[0])
				snprintf(d->field, sizeof(d->field), "%s", field);
			vg_diag_at(d, NULL, line);
			return e;
		}
		r->nsels++;
	}
	if (!cond)
		return vg_diag_set(d, VG_ERR_INVALID, "detection.condition", "missing condition");
	if (fy_node_is_sequence(cond)) {
		size_t nc = (size_t)fy_node_sequence_item_count(cond), k = 0;
		struct fy_node *x;
		vg_cnode *o = vg_arena_calloc(rs->arena, 1, sizeof(*o));
		if (!o || !(o->kids = vg_arena_calloc(rs->arena, nc ? nc : 1, sizeof(vg_cnode *))))
			return VG_ERR_NOMEM;
		o->op = CO_OR;
		it = NULL;
		while ((x = fy_node_sequence_iterate(cond, &it))) {
			char *c = vg_yaml_arena_scalar(rs->arena, x);
			if (!c)
				return vg_diag_set(d, VG_ERR_INVALID, "detection.condition", "conditions must be strings");
			if ((e = vg_cond_parse(rs->arena, c, names, r->nsels, &o->kids[k++], d))) {
				vg_diag_at(d, NULL, vg_yaml_line(x));
				return e;
			}
		}
		o->nkids = (uint32_t)k;
		if (k == 0)
			return vg_diag_set(d, VG_ERR_INVALID, "detection.condition", "empty condition list");
		r->cond = o;
	} else {
		char *c = vg_yaml_arena_scalar(rs->arena, cond);
		if (!c)
			return vg_diag_set(d, VG_ERR_INVALID, "detection.condition", "the condition must be a string");
		if ((e = vg_cond_parse(rs->arena, c, names, r->nsels, &r->cond, d))) {
			vg_diag_at(d, NULL, vg_yaml_line(cond) ? vg_yaml_line(cond) : cline);
			return e;
		}
	}
	mark_positive(r, r->cond, false);
	return VG_OK;
}

static vg_level level_parse(const char *s)
{
	static const char *const names[] = {"", "informational", "low", "medium", "high", "critical"};
	for (int i = 1; s && i < VG_LEVEL__COUNT; i++)
		if (strcmp(s, names[i]) == 0)
			return (vg_level)i;
	return VG_LEVEL_NONE;
}

static const char *opt_str(vg_arena *a, struct fy_node *root, const char *key)
{
	char *s = vg_yaml_arena_scalar(a, vg_yaml_get(root, key, NULL));
	return s ? s : "";
}

vg_err vg_load_info(vg_arena *a, struct fy_node *root, const char *file, unsigned doc_line, vg_rule_info *info,
		    vg_diag *d)
{
	struct fy_node *x;
	info->title = vg_yaml_arena_scalar(a, vg_yaml_get(root, "title", NULL));
	if (!info->title)
		return vg_diag_set(d, VG_ERR_INVALID, "title", "missing title");
	info->id = opt_str(a, root, "id");
	info->name = opt_str(a, root, "name");
	info->status = opt_str(a, root, "status");
	info->author = opt_str(a, root, "author");
	info->level = level_parse(opt_str(a, root, "level"));
	info->file = vg_arena_strdup(a, file);
	info->line = doc_line;
	info->active = true;
	if (!info->file)
		return VG_ERR_NOMEM;
	x = vg_yaml_get(root, "tags", NULL);
	if (x && fy_node_is_sequence(x)) {
		size_t n = (size_t)fy_node_sequence_item_count(x);
		const char **tags = vg_arena_calloc(a, n ? n : 1, sizeof(char *));
		void *it = NULL;
		struct fy_node *t;
		if (!tags)
			return VG_ERR_NOMEM;
		while ((t = fy_node_sequence_iterate(x, &it)))
			if ((tags[info->ntags] = vg_yaml_arena_scalar(a, t)))
				info->ntags++;
		info->tags = tags;
	}
	return VG_OK;
}

static vg_err load_document(vg_ruleset *rs, struct fy_node *root, const char *file, unsigned doc_line,
			    bool *collection, vg_load_report *rep, vg_diag *d)
{
	unsigned line = 0;
	struct fy_node *det, *filt, *x, *ls;
	vg_srule *r;
	vg_err e;
	if (!root || !fy_node_is_mapping(root))
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "a rule must be a YAML map");
	x = vg_yaml_get(root, "action", &line);
	if (!x && *collection) {
		vg_diag_set(d, VG_ERR_UNSUPPORTED, NULL,
			    "document of an 'action: global' rule collection (old multi-document syntax): "
			    "split the collection into plain rules");
		vg_diag_at(d, NULL, doc_line);
		return VG_ERR_UNSUPPORTED;
	}
	if (x) {
		*collection = true;
		vg_diag_set(d, VG_ERR_UNSUPPORTED, "action",
			    "rule collections ('action: global/reset/repeat') are the old multi-document syntax: "
			    "split them into plain rules");
		vg_diag_at(d, NULL, line);
		return VG_ERR_UNSUPPORTED;
	}
	if ((x = vg_yaml_get(root, "correlation", &line)))
		return vg_load_correlation(rs, root, x, line, file, doc_line, rep, d);
	det = vg_yaml_get(root, "detection", &line);
	filt = vg_yaml_get(root, "filter", NULL);
	if (!det && !filt)
		return vg_diag_set(d, VG_ERR_INVALID, "detection", "no 'detection' (nor 'filter') section");
	if (!(r = vg_arena_calloc(rs->arena, 1, sizeof(*r))))
		return VG_ERR_NOMEM;
	if ((e = vg_load_info(rs->arena, root, file, doc_line, &r->info, d)))
		return e;
	ls = vg_yaml_get(root, "logsource", NULL);
	r->info.product = opt_str(rs->arena, ls, "product");
	r->info.category = opt_str(rs->arena, ls, "category");
	r->info.service = opt_str(rs->arena, ls, "service");
	if (filt && !det) {
		/* filter rule: filter: {rules: [...], <selections>, condition} */
		struct fy_node *targets = vg_yaml_get(filt, "rules", &line);
		if (!fy_node_is_mapping(filt))
			return vg_diag_set(d, VG_ERR_INVALID, "filter", "'filter' must be a map");
		if (!targets)
			return vg_diag_set(d, VG_ERR_INVALID, "filter.rules", "missing 'rules'");
		size_t n = fy_node_is_sequence(targets) ? (size_t)fy_node_sequence_item_count(targets) : 1;
		const char **t = vg_arena_calloc(rs->arena, n ? n : 1, sizeof(char *));
		if (!t)
			return VG_ERR_NOMEM;
		if (fy_node_is_sequence(targets)) {
			void *it = NULL;
			struct fy_node *y;
			while ((y = fy_node_sequence_iterate(targets, &it)))
				if ((t[r->nfilter_targets] = vg_yaml_arena_scalar(rs->arena, y)))
					r->nfilter_targets++;
		} else if ((t[0] = vg_yaml_arena_scalar(rs->arena, targets))) {
			r->nfilter_targets = 1;
		}
		r->filter_targets = t;
		r->is_filter = true;
		e = load_detection(rs, filt, r, rep, file, d);
		if (e)
			return e;
		if ((e = vg_vec_push(&rs->filter_rules, r)))
			return e;
		rep->filters++;
		return VG_OK;
	}
	if (!fy_node_is_mapping(det))
		return vg_diag_set(d, VG_ERR_INVALID, "detection", "'detection' must be a map");
	if ((e = load_detection(rs, det, r, rep, file, d)))
		return e;
	if (rs->rules.len >= VG_DETECT_RULES_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, NULL, "more than %d rules", VG_DETECT_RULES_MAX);
	r->info.index = rs->rules.len;
	if ((e = vg_vec_push(&rs->rules, r)))
		return e;
	rep->loaded++;
	return VG_OK;
}

static void report(vg_load_report *rep, vg_diag *d, const char *file, unsigned line)
{
	if (!d->message[0])
		return;
	diag_loc(d, file, line);
	if (rep->problem)
		rep->problem(rep->ctx, d);
}

/* YAML directives before libfyaml sees them. Debian 12's libfyaml (0.8)
 * loops forever on a malformed directive ("%" then a byte such as 0xF4:
 * upstream issue 101, fixed after that release), so a line that starts
 * with '%' must be a well-formed %YAML or %TAG directive (Sigma rules and
 * mappings use neither); anything else is refused with its line. */
static bool directive_ok(const char *s, size_t n)
{
	size_t i = 0, words = 0;
	bool yaml = n >= 6 && !memcmp(s, "%YAML ", 6), tag = n >= 5 && !memcmp(s, "%TAG ", 5);
	if (!yaml && !tag)
		return false;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	for (i = yaml ? 6 : 5; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ' ')
			continue;
		if (c < '!' || c > '~' || (yaml && !((c >= '0' && c <= '9') || c == '.')))
			return false;
		if (s[i - 1] == ' ')
			words++;
	}
	return words == (yaml ? 1u : 2u);
}

vg_err vg_yaml_directives_check(const char *yaml, size_t len, unsigned *line)
{
	unsigned ln = 1;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(yaml + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - yaml) : len;
		if (yaml[i] == '%' && !directive_ok(yaml + i, end - i)) {
			*line = ln;
			return VG_ERR_INVALID;
		}
		i = end + 1;
		ln++;
	}
	return VG_OK;
}

vg_err vg_ruleset_load_string(vg_ruleset *rs, const char *name, const char *yaml, size_t len, vg_load_report *rep)
{
	struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_DEFAULT_PARSE};
	struct fy_diag_cfg dcfg;
	struct fy_parser *fyp = NULL;
	struct fy_diag *diag = NULL;
	struct fy_document *doc;
	vg_load_report dummy = {0};
	vg_diag d;
	vg_err e = VG_OK;
	size_t ndocs = 0;
	bool collection = false;
	vg_diag_clear(&d);
	if (!rep)
		rep = &dummy;
	if (rs->compiled)
		return VG_ERR_INTERNAL;
	rep->files++;
	if (len > VG_SIGMA_FILE_MAX) {
		vg_diag_set(&d, VG_ERR_LIMIT, NULL, "rule file larger than %d bytes", VG_SIGMA_FILE_MAX);
		rep->rejected++;
		report(rep, &d, name, 0);
		return VG_OK;
	}
	unsigned dline;
	if (vg_yaml_directives_check(yaml, len, &dline)) {
		vg_diag_set(&d, VG_ERR_INVALID, NULL, "YAML: a line starting with '%%' that is not a %%YAML or %%TAG directive");
		rep->documents++;
		rep->rejected++;
		report(rep, &d, name, dline);
		return VG_OK;
	}
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	diag = fy_diag_create(&dcfg);
	if (!diag)
		return VG_ERR_NOMEM;
	fy_diag_set_collect_errors(diag, true);
	cfg.diag = diag;
	fyp = fy_parser_create(&cfg);
	if (!fyp || fy_parser_set_string(fyp, yaml, len)) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	for (;;) {
		doc = fy_parse_load_document(fyp);
		if (!doc) {
			if (fy_parser_get_stream_error(fyp)) {
				void *it = NULL;
				struct fy_diag_error *de = fy_diag_errors_iterate(diag, &it);
				vg_diag_set(&d, VG_ERR_INVALID, NULL, "YAML: %s", de && de->msg ? de->msg : "syntax error");
				rep->documents++;
				rep->rejected++;
				report(rep, &d, name, de ? (unsigned)de->line + 1 : 0);
			}
			break;
		}
		rep->documents++;
		if (++ndocs > VG_SIGMA_DOCS_MAX) {
			vg_diag_set(&d, VG_ERR_LIMIT, NULL, "more than %d documents", VG_SIGMA_DOCS_MAX);
			rep->rejected++;
			report(rep, &d, name, 0);
			fy_parse_document_destroy(fyp, doc);
			break;
		}
		struct fy_node *root = fy_document_root(doc);
		unsigned line = 1;
		struct fy_document_state *st = fy_document_get_document_state(doc);
		const struct fy_mark *m = st ? fy_document_state_start_mark(st) : NULL;
		if (m)
			line = (unsigned)m->line + 1;
		vg_diag_clear(&d);
		if (root) {
			size_t used = vg_arena_used(rs->arena);
			vg_err de = load_document(rs, root, name, line, &collection, rep, &d);
			if (!de && vg_arena_used(rs->arena) - used > VG_SIGMA_RULE_MEMORY_MAX)
				/* loaded, but report it: such a rule is a mistake or an attack */
				vg_diag_set(&d, VG_OK, NULL, "rule takes more than %d MB once compiled",
					    VG_SIGMA_RULE_MEMORY_MAX / (1024 * 1024));
			if (de == VG_ERR_NOMEM) {
				fy_parse_document_destroy(fyp, doc);
				e = de;
				goto out;
			}
			if (de) {
				if (!d.message[0])
					vg_diag_set(&d, de, NULL, "%s", vg_err_name(de));
				rep->rejected++;
				report(rep, &d, name, line);
			} else if (d.message[0]) {
				rep->warnings++;
				report(rep, &d, name, line);
			}
		}
		fy_parse_document_destroy(fyp, doc);
	}
out:
	fy_parser_destroy(fyp);
	fy_diag_destroy(diag);
	return e;
}

/* ---- files and folders ---- */

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_yaml_name(const char *n)
{
	size_t l = strlen(n);
	return (l > 4 && strcmp(n + l - 4, ".yml") == 0) || (l > 5 && strcmp(n + l - 5, ".yaml") == 0);
}

static vg_err load_file(vg_ruleset *rs, const char *path, vg_load_report *rep)
{
	char *buf = NULL;
	size_t len = 0;
	vg_diag d;
	vg_diag_clear(&d);
	vg_err e = vg_detect_read_file(path, VG_SIGMA_FILE_MAX, &buf, &len, &d);
	if (e) {
		rep->files++;
		rep->rejected++;
		report(rep, &d, path, 0);
		return e == VG_ERR_NOMEM ? e : VG_OK;
	}
	e = vg_ruleset_load_string(rs, path, buf, len, rep);
	free(buf);
	return e;
}

static vg_err load_dir(vg_ruleset *rs, const char *path, unsigned depth, vg_load_report *rep)
{
	DIR *dir;
	struct dirent *de;
	vg_vec names;
	vg_err e = VG_OK;
	if (depth > VG_DETECT_DIR_DEPTH_MAX)
		return VG_OK;
	if (!(dir = opendir(path)))
		return VG_ERR_IO;
	vg_vec_init(&names);
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		char *full = NULL;
		if (asprintf(&full, "%s/%s", path, de->d_name) < 0) {
			e = VG_ERR_NOMEM;
			break;
		}
		if ((e = vg_vec_push(&names, full))) {
			free(full);
			break;
		}
	}
	closedir(dir);
	if (names.len)
		qsort(names.items, names.len, sizeof(void *), name_cmp);
	for (size_t i = 0; i < names.len && !e; i++) {
		const char *full = names.items[i];
		struct stat st;
		if (stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			e = load_dir(rs, full, depth + 1, rep);
		else if (S_ISREG(st.st_mode) && is_yaml_name(full))
			e = load_file(rs, full, rep);
	}
	for (size_t i = 0; i < names.len; i++)
		free(names.items[i]);
	vg_vec_fini(&names);
	return e;
}

vg_err vg_ruleset_load_path(vg_ruleset *rs, const char *path, vg_load_report *rep)
{
	struct stat st;
	vg_load_report dummy = {0};
	if (!rep)
		rep = &dummy;
	if (rs->compiled)
		return VG_ERR_INTERNAL;
	if (stat(path, &st) != 0)
		return VG_ERR_IO;
	if (S_ISDIR(st.st_mode))
		return load_dir(rs, path, 0, rep);
	return load_file(rs, path, rep);
}
