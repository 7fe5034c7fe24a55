/* The ruleset: field interning, compilation (filters, logsource routes,
 * literal prefilter) and the read-only structure shared by worker threads. */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "detect/internal.h"

const char *vg_level_name(vg_level l)
{
	static const char *const names[] = {"", "informational", "low", "medium", "high", "critical"};
	return l < VG_LEVEL__COUNT ? names[l] : "";
}

vg_ruleset *vg_ruleset_new(void)
{
	vg_ruleset *rs = calloc(1, sizeof(*rs));
	if (!rs)
		return NULL;
	if (!(rs->arena = vg_arena_new(256 * 1024))) {
		free(rs);
		return NULL;
	}
	vg_vec_init(&rs->rules);
	vg_vec_init(&rs->filter_rules);
	vg_map_init(&rs->fields);
	vg_vec_init(&rs->field_names);
	vg_vec_init(&rs->strip_prefixes);
	vg_map_init(&rs->renames);
	vg_map_init(&rs->fieldmap);
	vg_map_init(&rs->placeholders);
	vg_vec_init(&rs->routes);
	vg_vec_init(&rs->regexes);
	return rs;
}

void vg_ruleset_free(vg_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->regexes.len; i++)
		pcre2_code_free(rs->regexes.items[i]);
	if (rs->hs_db)
		hs_free_database(rs->hs_db);
	for (size_t i = 0; i < rs->nliterals; i++)
		free(rs->lit_rules ? rs->lit_rules[i] : NULL);
	free(rs->lit_rules);
	free(rs->lit_nrules);
	free(rs->always_rules);
	vg_vec_fini(&rs->rules);
	vg_vec_fini(&rs->filter_rules);
	vg_map_fini(&rs->fields);
	vg_vec_fini(&rs->field_names);
	vg_vec_fini(&rs->strip_prefixes);
	vg_map_fini(&rs->renames);
	vg_map_fini(&rs->fieldmap);
	vg_map_fini(&rs->placeholders);
	vg_vec_fini(&rs->routes);
	vg_vec_fini(&rs->regexes);
	vg_arena_free(rs->arena);
	free(rs);
}

int vg_rs_field_id(vg_ruleset *rs, const char *name, size_t len)
{
	char low[VG_EVENT_PATH_MAX];
	void *v;
	if (len >= sizeof(low))
		len = sizeof(low) - 1;
	for (size_t i = 0; i < len; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	low[len] = 0;
	if ((v = vg_map_get(&rs->fields, low, len)))
		return (int)((intptr_t)v - 1);
	if (rs->compiled)
		return -1;
	int id = (int)rs->field_names.len;
	char *copy = vg_arena_strndup(rs->arena, name, len);
	if (!copy || vg_vec_push(&rs->field_names, copy) || vg_map_put(&rs->fields, low, len, (void *)(intptr_t)(id + 1), NULL))
		return -1;
	return id;
}

int vg_rs_field_find(const vg_ruleset *rs, const char *name, size_t len)
{
	void *v = vg_map_get(&rs->fields, name, len);
	return v ? (int)((intptr_t)v - 1) : -1;
}

size_t vg_ruleset_count(const vg_ruleset *rs)
{
	return rs ? rs->rules.len : 0;
}

const vg_rule_info *vg_ruleset_rule(const vg_ruleset *rs, size_t i)
{
	if (!rs || i >= rs->rules.len)
		return NULL;
	return &((vg_srule *)rs->rules.items[i])->info;
}

void vg_ruleset_stats_get(const vg_ruleset *rs, vg_ruleset_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->rules = rs->rules.len;
	for (size_t i = 0; i < rs->rules.len; i++)
		st->active += ((vg_srule *)rs->rules.items[i])->info.active;
	st->literals = rs->nliterals;
	st->always = rs->nalways;
	st->prefiltered = st->active - rs->nalways;
	st->regexes = rs->nregexes;
	st->fields = rs->field_names.len;
	st->routes = rs->routes.len;
}

/* ---- filters and routes ---- */

static vg_err attach_filters(vg_ruleset *rs)
{
	for (size_t f = 0; f < rs->filter_rules.len; f++) {
		vg_srule *fr = rs->filter_rules.items[f];
		for (size_t t = 0; t < fr->nfilter_targets; t++) {
			const char *target = fr->filter_targets[t];
			for (size_t i = 0; i < rs->rules.len; i++) {
				vg_srule *r = rs->rules.items[i];
				if (strcmp(r->info.id, target) != 0 && strcmp(r->info.name, target) != 0)
					continue;
				vg_srule **nf = vg_arena_alloc(rs->arena, (r->nfilters + 1) * sizeof(*nf));
				if (!nf)
					return VG_ERR_NOMEM;
				if (r->nfilters)
					memcpy(nf, r->filters, r->nfilters * sizeof(*nf));
				nf[r->nfilters++] = fr;
				r->filters = nf;
			}
		}
	}
	return VG_OK;
}

static bool attr_eq(const char *route, const char *rule)
{
	return !route[0] || strcasecmp(route, rule) == 0;
}

static void resolve_routes(vg_ruleset *rs, vg_srule *r)
{
	bool got_cat = !r->info.category[0], got_svc = !r->info.service[0], got_prod = !r->info.product[0];
	r->nroutes = 0;
	for (size_t i = 0; i < rs->routes.len; i++) {
		const vg_route *rt = rs->routes.items[i];
		if (!rt->product[0] && !rt->category[0] && !rt->service[0])
			continue;
		if (!attr_eq(rt->product, r->info.product) || !attr_eq(rt->category, r->info.category) ||
		    !attr_eq(rt->service, r->info.service))
			continue;
		if (r->nroutes < sizeof(r->routes) / sizeof(r->routes[0]))
			r->routes[r->nroutes++] = (int)i;
		got_cat |= rt->category[0] != 0;
		got_svc |= rt->service[0] != 0;
		got_prod |= rt->product[0] != 0;
	}
	if (!(got_cat && got_svc && got_prod)) {
		char *why = vg_arena_printf(rs->arena, "no route in the mappings for logsource product=%s category=%s service=%s",
					    r->info.product[0] ? r->info.product : "-",
					    r->info.category[0] ? r->info.category : "-",
					    r->info.service[0] ? r->info.service : "-");
		r->info.active = false;
		r->info.inactive_reason = why ? why : "no route for its logsource";
		r->nroutes = 0;
	}
}

/* ---- literal prefilter ---- */

typedef struct lit {
	const char *s;
	size_t len;
} lit;

typedef struct litset {
	bool top; /* no literal is required */
	size_t n, cap;
	lit *v;
} litset;

static void ls_fini(litset *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void ls_add(litset *l, const char *s, size_t len)
{
	if (l->top)
		return;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		lit *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv) {
			l->top = true; /* degrade to "always evaluate": still correct */
			return;
		}
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n].s = s;
	l->v[l->n++].len = len;
}

static void ls_merge(litset *dst, litset *src)
{
	if (src->top)
		dst->top = true;
	for (size_t i = 0; i < src->n && !dst->top; i++)
		ls_add(dst, src->v[i].s, src->v[i].len);
	ls_fini(src);
}

static size_t ls_score(const litset *l)
{
	size_t m = (size_t)-1;
	if (l->top || l->n == 0)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].len < m)
			m = l->v[i].len;
	return m;
}

/* Keep the better of best and cand (AND: one required set suffices). */
static void ls_pick(litset *best, litset *cand)
{
	size_t sb = ls_score(best), sc = ls_score(cand);
	if (sc > sb || (sc == sb && sc && cand->n < best->n)) {
		ls_fini(best);
		*best = *cand;
		memset(cand, 0, sizeof(*cand));
	} else {
		ls_fini(cand);
	}
}

#define PREFILTER_MIN_LITERAL 3

static void value_lits(const vg_sval *v, litset *out)
{
	if (v->kind != VK_PATTERN) {
		out->top = true;
		return;
	}
	const char *s = v->lit;
	size_t n = v->litlen, bs = 0, bl = 0;
	if (v->shape == PS_GLOB) {
		for (size_t i = 0; i < n;) {
			size_t j = i;
			while (j < n && v->lit[j] != VG_GLOB_STAR && v->lit[j] != VG_GLOB_ONE)
				j++;
			if (j - i > bl) {
				bs = i;
				bl = j - i;
			}
			i = j + 1;
		}
		s = v->lit + bs;
		n = bl;
	}
	if (n < PREFILTER_MIN_LITERAL) {
		out->top = true;
		return;
	}
	ls_add(out, s, n);
}

static void item_lits(const vg_sitem *it, litset *out)
{
	if (it->neq) {
		out->top = true;
		return;
	}
	if (it->all) {
		for (size_t i = 0; i < it->nvals; i++) {
			litset c = {0};
			value_lits(&it->vals[i], &c);
			ls_pick(out, &c);
		}
		if (!out->n)
			out->top = true;
		return;
	}
	for (size_t i = 0; i < it->nvals && !out->top; i++)
		value_lits(&it->vals[i], out);
}

static void sel_lits(const vg_selection *sel, litset *out)
{
	for (size_t g = 0; g < sel->ngroups && !out->top; g++) {
		litset best = {0};
		best.top = true;
		for (size_t i = 0; i < sel->groups[g].nitems; i++) {
			litset c = {0};
			item_lits(&sel->groups[g].items[i], &c);
			if (best.top && !c.top) {
				ls_fini(&best);
				best = c;
			} else if (!c.top) {
				ls_pick(&best, &c);
			} else {
				ls_fini(&c);
			}
		}
		ls_merge(out, &best);
	}
}

static void cond_lits(const vg_srule *r, const vg_cnode *n, litset *out)
{
	switch (n->op) {
	case CO_SEL: sel_lits(&r->sels[n->sel], out); return;
	case CO_NOT: out->top = true; return;
	case CO_OR:
		for (uint32_t i = 0; i < n->nkids && !out->top; i++) {
			litset c = {0};
			cond_lits(r, n->kids[i], &c);
			ls_merge(out, &c);
		}
		return;
	case CO_OF:
		if (n->need != 0) { /* at least one of them */
			for (uint32_t i = 0; i < n->nsels && !out->top; i++)
				sel_lits(&r->sels[n->sels[i]], out);
			return;
		}
		/* all of: like AND */
		/* fallthrough */
	case CO_AND: {
		litset best = {0};
		best.top = true;
		uint32_t cnt = n->op == CO_AND ? n->nkids : n->nsels;
		for (uint32_t i = 0; i < cnt; i++) {
			litset c = {0};
			if (n->op == CO_AND)
				cond_lits(r, n->kids[i], &c);
			else
				sel_lits(&r->sels[n->sels[i]], &c);
			if (c.top) {
				ls_fini(&c);
			} else if (best.top) {
				ls_fini(&best);
				best = c;
			} else {
				ls_pick(&best, &c);
			}
		}
		ls_merge(out, &best);
		return;
	}
	}
}

static vg_err build_prefilter(vg_ruleset *rs, vg_diag *d)
{
	vg_map ids;
	vg_vec lits; /* char* lowered, arena */
	vg_err e = VG_OK;
	size_t *lens = NULL;
	unsigned *hsids = NULL, *hsflags = NULL;
	uint32_t *counts = NULL;
	vg_map_init(&ids);
	vg_vec_init(&lits);
	rs->always_rules = calloc(rs->rules.len ? rs->rules.len : 1, sizeof(uint32_t));
	if (!rs->always_rules)
		return VG_ERR_NOMEM;
	/* pass 1: literal sets per rule; remember (rule, literal id) pairs */
	vg_vec pairs; /* packed as (uintptr_t)(rule << 32 | lit) */
	vg_vec_init(&pairs);
	for (size_t i = 0; i < rs->rules.len; i++) {
		vg_srule *r = rs->rules.items[i];
		litset ls = {0};
		if (!r->info.active)
			continue;
		cond_lits(r, r->cond, &ls);
		if (ls.top || ls.n == 0) {
			r->always = true;
			rs->always_rules[rs->nalways++] = (uint32_t)i;
			ls_fini(&ls);
			continue;
		}
		for (size_t k = 0; k < ls.n && !e; k++) {
			char buf[256], *low = ls.v[k].len < sizeof(buf) ? buf : malloc(ls.v[k].len + 1);
			if (!low) {
				e = VG_ERR_NOMEM;
				break;
			}
			for (size_t j = 0; j < ls.v[k].len; j++) {
				char c = ls.v[k].s[j];
				low[j] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
			}
			void *idp = vg_map_get(&ids, low, ls.v[k].len);
			uintptr_t id;
			if (idp) {
				id = (uintptr_t)idp - 1;
			} else {
				char *copy = vg_arena_strndup(rs->arena, low, ls.v[k].len);
				id = lits.len;
				if (!copy || (e = vg_vec_push(&lits, copy)) ||
				    (e = vg_map_put(&ids, low, ls.v[k].len, (void *)(id + 1), NULL)))
					e = e ? e : VG_ERR_NOMEM;
			}
			if (low != buf)
				free(low);
			if (!e)
				e = vg_vec_push(&pairs, (void *)(((uintptr_t)i << 32) | id));
		}
		ls_fini(&ls);
		if (e)
			goto out;
	}
	rs->nliterals = lits.len;
	if (!lits.len)
		goto out;
	rs->lit_rules = calloc(lits.len, sizeof(uint32_t *));
	rs->lit_nrules = calloc(lits.len, sizeof(uint32_t));
	counts = calloc(lits.len, sizeof(uint32_t));
	lens = calloc(lits.len, sizeof(size_t));
	hsids = calloc(lits.len, sizeof(unsigned));
	hsflags = calloc(lits.len, sizeof(unsigned));
	if (!rs->lit_rules || !rs->lit_nrules || !counts || !lens || !hsids || !hsflags) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	for (size_t p = 0; p < pairs.len; p++)
		counts[(uintptr_t)pairs.items[p] & 0xffffffffu]++;
	for (size_t l = 0; l < lits.len; l++)
		if (!(rs->lit_rules[l] = malloc(counts[l] * sizeof(uint32_t)))) {
			e = VG_ERR_NOMEM;
			goto out;
		}
	for (size_t p = 0; p < pairs.len; p++) {
		uintptr_t v = (uintptr_t)pairs.items[p];
		uint32_t l = (uint32_t)(v & 0xffffffffu), r = (uint32_t)(v >> 32);
		uint32_t n = rs->lit_nrules[l];
		if (n && rs->lit_rules[l][n - 1] == r)
			continue; /* the same literal twice in one rule */
		rs->lit_rules[l][rs->lit_nrules[l]++] = r;
	}
	for (size_t l = 0; l < lits.len; l++) {
		lens[l] = strlen(lits.items[l]);
		hsids[l] = (unsigned)l;
		hsflags[l] = HS_FLAG_SINGLEMATCH;
	}
	{
		hs_database_t *db = NULL;
		hs_compile_error_t *ce = NULL;
		if (hs_compile_lit_multi((const char *const *)lits.items, hsflags, hsids, lens, (unsigned)lits.len,
					 HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
			e = vg_diag_set(d, VG_ERR_INTERNAL, NULL, "prefilter: %s", ce && ce->message ? ce->message : "?");
			hs_free_compile_error(ce);
			goto out;
		}
		rs->hs_db = db;
	}
out:
	free(counts);
	free(lens);
	free(hsids);
	free(hsflags);
	vg_vec_fini(&pairs);
	vg_vec_fini(&lits);
	vg_map_fini(&ids);
	return e;
}

vg_err vg_ruleset_compile(vg_ruleset *rs, vg_diag *d)
{
	vg_err e;
	if (rs->compiled)
		return VG_OK;
	if ((e = attach_filters(rs)))
		return e;
	for (size_t i = 0; i < rs->rules.len; i++) {
		vg_srule *r = rs->rules.items[i];
		r->nroutes = 0;
		if (rs->have_mapping)
			resolve_routes(rs, r);
	}
	if ((e = build_prefilter(rs, d)))
		return e;
	rs->compiled = true;
	return VG_OK;
}

vg_err vg_detect_read_file(const char *path, size_t max, char **out, size_t *len, vg_diag *d)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	vg_err e = VG_OK;
	*out = NULL;
	*len = 0;
	if (!f)
		return vg_diag_set(d, VG_ERR_IO, NULL, "cannot open %s", path);
	for (;;) {
		if (n + 4096 + 1 > cap) {
			size_t nc = cap ? cap * 2 : 65536;
			char *nb = realloc(buf, nc);
			if (!nb) {
				e = VG_ERR_NOMEM;
				break;
			}
			buf = nb;
			cap = nc;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (n > max) {
			e = vg_diag_set(d, VG_ERR_LIMIT, NULL, "%s is larger than %zu bytes", path, max);
			break;
		}
		if (r == 0) {
			if (ferror(f))
				e = vg_diag_set(d, VG_ERR_IO, NULL, "cannot read %s", path);
			break;
		}
	}
	fclose(f);
	if (e) {
		free(buf);
		return e;
	}
	if (!buf && !(buf = malloc(1)))
		return VG_ERR_NOMEM;
	buf[n] = 0;
	*out = buf;
	*len = n;
	return VG_OK;
}
