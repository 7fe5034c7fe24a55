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
	vg_prefilter_free(rs);
	for (size_t i = 0; i < rs->nliterals; i++)
		free(rs->lit_rules ? rs->lit_rules[i] : NULL);
	free(rs->lit_rules);
	free(rs->lit_nrules);
	free(rs->always_rules);
	vg_ioc_set_free(rs->iocs);
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
	size_t n = 0;
	if (len >= sizeof(low))
		len = sizeof(low) - 1;
	for (size_t i = 0; i < len; i++)
		if (name[i] != ' ') /* event names lose their spaces too (vg_rs_normalize) */
			low[n++] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	low[n] = 0;
	if ((v = vg_map_get(&rs->fields, low, n)))
		return (int)((intptr_t)v - 1);
	if (rs->compiled)
		return -1;
	int id = (int)rs->field_names.len;
	char *copy = vg_arena_strndup(rs->arena, name, len);
	if (!copy || vg_vec_push(&rs->field_names, copy) || vg_map_put(&rs->fields, low, n, (void *)(intptr_t)(id + 1), NULL))
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

/* Long OR lists of plain values get a value set (value_set.c). */
static vg_err build_value_sets(vg_ruleset *rs, const vg_vec *rules)
{
	for (size_t i = 0; i < rules->len; i++) {
		vg_srule *r = rules->items[i];
		for (size_t s = 0; s < r->nsels; s++)
			for (size_t g = 0; g < r->sels[s].ngroups; g++)
				for (size_t k = 0; k < r->sels[s].groups[g].nitems; k++) {
					vg_err e = vg_vset_build(rs->arena, &r->sels[s].groups[g].items[k]);
					if (e)
						return e;
				}
	}
	return VG_OK;
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
		if (rs->routes.len) /* routing is on when a mapping declares logsources */
			resolve_routes(rs, r);
	}
	if ((e = vg_corr_compile(rs, d))) /* correlation references; interns the fields they read */
		return e;
	if ((e = vg_prefilter_build(rs, d)) || (e = build_value_sets(rs, &rs->rules)) ||
	    (e = build_value_sets(rs, &rs->filter_rules)))
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
