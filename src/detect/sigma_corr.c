/* Sigma correlation rules (specification 2.1): event_count, value_count,
 * temporal, temporal_ordered, value_sum, value_avg, value_percentile.
 *
 * sigma_load_corr.c parses the documents into vg_crule; vg_corr_compile
 * (called by vg_ruleset_compile) resolves references by id or name (detection
 * rules or other correlations), aliases and fields, refuses cycles, and links
 * every referenced rule to the correlations it feeds. A correlation that
 * cannot run stays loaded, inactive, with its problem listed (file, line,
 * field, reason). Event time parsing is here too; the evaluation state is in
 * sigma_corr_state.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/limits.h"
#include "detect/internal.h"

static const char *const type_names[] = {"event_count", "value_count", "temporal", "temporal_ordered",
					 "value_sum", "value_avg", "value_percentile"};

vg_corr_set *vg_corr_set_get(vg_ruleset *rs)
{
	if (!rs->corr)
		rs->corr = vg_arena_calloc(rs->arena, 1, sizeof(vg_corr_set));
	return rs->corr;
}

vg_err vg_corr_add_rule(vg_ruleset *rs, vg_crule *cr)
{
	vg_corr_set *cs = vg_corr_set_get(rs);
	if (!cs)
		return VG_ERR_NOMEM;
	if (cs->n >= VG_DETECT_RULES_MAX)
		return VG_ERR_LIMIT;
	if (cs->n == cs->cap) {
		size_t nc = cs->cap ? cs->cap * 2 : 16;
		vg_crule **n = vg_arena_calloc(rs->arena, nc, sizeof(*n));
		if (!n)
			return VG_ERR_NOMEM;
		if (cs->n)
			memcpy(n, cs->rules, cs->n * sizeof(*n));
		cs->rules = n;
		cs->cap = nc;
	}
	cr->info.index = cs->n;
	cs->rules[cs->n++] = cr;
	return VG_OK;
}

size_t vg_ruleset_corr_count(const vg_ruleset *rs)
{
	return rs && rs->corr ? rs->corr->n : 0;
}

const vg_rule_info *vg_ruleset_corr_rule(const vg_ruleset *rs, size_t i)
{
	return i < vg_ruleset_corr_count(rs) ? &rs->corr->rules[i]->info : NULL;
}

const char *vg_ruleset_corr_type(const vg_ruleset *rs, size_t i)
{
	return i < vg_ruleset_corr_count(rs) ? type_names[rs->corr->rules[i]->type] : "";
}

size_t vg_ruleset_problem_count(const vg_ruleset *rs)
{
	return rs && rs->corr ? rs->corr->nproblems : 0;
}

const vg_diag *vg_ruleset_problem(const vg_ruleset *rs, size_t i)
{
	return i < vg_ruleset_problem_count(rs) ? rs->corr->problems[i] : NULL;
}

/* ---- compile ---- */

/* Record a problem of cr; code VG_OK is a warning, anything else disables cr. */
static vg_err problem(vg_ruleset *rs, vg_crule *cr, vg_err code, const char *field, unsigned line, const char *fmt,
		      ...) __attribute__((format(printf, 6, 7)));
static vg_err problem(vg_ruleset *rs, vg_crule *cr, vg_err code, const char *field, unsigned line, const char *fmt,
		      ...)
{
	vg_corr_set *cs = rs->corr;
	vg_diag *d = vg_arena_calloc(rs->arena, 1, sizeof(*d));
	va_list ap;
	if (!d)
		return VG_ERR_NOMEM;
	va_start(ap, fmt);
	vg_diag_vset(d, code, field, fmt, ap);
	va_end(ap);
	vg_diag_at(d, cr->info.file, line ? line : cr->info.line);
	if (cs->nproblems == cs->capproblems) {
		size_t nc = cs->capproblems ? cs->capproblems * 2 : 8;
		vg_diag **n = vg_arena_calloc(rs->arena, nc, sizeof(*n));
		if (!n)
			return VG_ERR_NOMEM;
		if (cs->nproblems)
			memcpy(n, cs->problems, cs->nproblems * sizeof(*n));
		cs->problems = n;
		cs->capproblems = nc;
	}
	cs->problems[cs->nproblems++] = d;
	if (code != VG_OK && cr->info.active) {
		cr->info.active = false;
		cr->info.inactive_reason = d->message;
	}
	return VG_OK;
}

/* Lookup table value: kind in the low bit (1 = correlation), index above;
 * AMBIGUOUS when several rules share the id or name. */
#define REF_AMBIGUOUS ((void *)(intptr_t)-1)

static vg_err index_name(vg_map *m, const char *name, bool corr, size_t idx)
{
	void *v = (void *)(intptr_t)(((idx + 1) << 1) | (corr ? 1 : 0));
	void *old = vg_map_get(m, name, strlen(name));
	if (!name[0])
		return VG_OK;
	if (old && old != v)
		v = REF_AMBIGUOUS;
	return vg_map_put(m, name, strlen(name), v, NULL);
}

static bool name_is(const vg_corr_ref *ref, const char *key)
{
	return strcmp(ref->name, key) == 0 || (ref->info->name[0] && strcmp(ref->info->name, key) == 0) ||
	       (ref->info->id[0] && strcmp(ref->info->id, key) == 0);
}

/* The field a correlation reads for its ref-th rule: the alias if one names
 * this rule, else the name itself. */
static const char *alias_for(const vg_crule *cr, const vg_corr_ref *ref, const char *name)
{
	for (size_t a = 0; a < cr->naliases; a++) {
		if (strcmp(cr->aliases[a].name, name) != 0)
			continue;
		for (size_t k = 0; k < cr->aliases[a].n; k++)
			if (name_is(ref, cr->aliases[a].rules[k]))
				return cr->aliases[a].fields[k];
	}
	return name;
}

static bool in_list(const char *const *l, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(l[i], s) == 0)
			return true;
	return false;
}

static vg_err resolve(vg_ruleset *rs, vg_crule *cr, const vg_map *names)
{
	vg_corr_set *cs = rs->corr;
	vg_err e;
	for (size_t k = 0; k < cr->nrefs; k++) {
		vg_corr_ref *ref = &cr->refs[k];
		void *v = vg_map_get(names, ref->name, strlen(ref->name));
		if (v == REF_AMBIGUOUS)
			return problem(rs, cr, VG_ERR_INVALID, "correlation.rules", ref->line,
				       "'%s' is the id or name of several rules: references must be unique", ref->name);
		if (!v) {
			bool filter = false;
			for (size_t f = 0; f < rs->filter_rules.len; f++) {
				const vg_srule *fr = rs->filter_rules.items[f];
				filter |= strcmp(fr->info.id, ref->name) == 0 || strcmp(fr->info.name, ref->name) == 0;
			}
			return problem(rs, cr, VG_ERR_NOT_FOUND, "correlation.rules", ref->line,
				       filter ? "'%s' is a filter, not a rule a correlation can count"
					      : "unknown rule '%s': no loaded rule or correlation has this id or name",
				       ref->name);
		}
		intptr_t x = (intptr_t)v;
		ref->is_corr = x & 1;
		ref->idx = (uint32_t)((x >> 1) - 1);
		ref->info = ref->is_corr ? &cs->rules[ref->idx]->info : &((vg_srule *)rs->rules.items[ref->idx])->info;
	}
	for (size_t a = 0; a < cr->naliases; a++)
		for (size_t k = 0; k < cr->aliases[a].n; k++) {
			bool found = false;
			for (size_t r = 0; r < cr->nrefs && !found; r++)
				found = name_is(&cr->refs[r], cr->aliases[a].rules[k]);
			if (!found)
				return problem(rs, cr, VG_ERR_INVALID, "correlation.aliases", cr->aliases[a].line,
					       "alias '%s': '%s' is not one of the rules this correlation references",
					       cr->aliases[a].name, cr->aliases[a].rules[k]);
		}
	for (size_t k = 0; k < cr->nrefs; k++) {
		vg_corr_ref *ref = &cr->refs[k];
		ref->gfields = vg_arena_calloc(rs->arena, cr->ngroup + 1, sizeof(char *));
		ref->vfields = vg_arena_calloc(rs->arena, cr->nfields + 1, sizeof(char *));
		if (!ref->gfields || !ref->vfields)
			return VG_ERR_NOMEM;
		for (size_t j = 0; j < cr->ngroup; j++)
			ref->gfields[j] = alias_for(cr, ref, cr->group_by[j]);
		for (size_t j = 0; j < cr->nfields; j++)
			ref->vfields[j] = alias_for(cr, ref, cr->fields[j]);
		if (!ref->is_corr)
			continue;
		/* a correlation's hits carry only its group-by values */
		const vg_crule *child = cs->rules[ref->idx];
		for (size_t j = 0; j < cr->ngroup; j++)
			if (!in_list(child->group_by, child->ngroup, ref->gfields[j]))
				return problem(rs, cr, VG_ERR_INVALID, "correlation.group-by", cr->group_line,
					       "'%s' is not a group-by field of the referenced correlation '%s': its hits "
					       "carry only their group-by values (add an alias)",
					       ref->gfields[j], ref->name);
		for (size_t j = 0; j < cr->nfields; j++)
			if (!in_list(child->group_by, child->ngroup, ref->vfields[j]))
				return problem(rs, cr, VG_ERR_INVALID, "correlation.condition.field", cr->field_line,
					       "'%s' is not a group-by field of the referenced correlation '%s'",
					       ref->vfields[j], ref->name);
	}
	/* thresholds a bounded window can never reach */
	if (cr->type == CT_EVENT_COUNT)
		for (size_t c = 0; c < cr->nconds; c++)
			if ((cr->ops[c] == COP_GT || cr->ops[c] == COP_GTE || cr->ops[c] == COP_EQ) &&
			    cr->vals[c] >= VG_CORR_GROUP_EVENTS_MAX)
				if ((e = problem(rs, cr, VG_OK, "correlation.condition", cr->info.line,
						 "threshold %g is beyond the %d events a window keeps: it cannot be reached",
						 cr->vals[c], VG_CORR_GROUP_EVENTS_MAX)))
					return e;
	if ((cr->type == CT_TEMPORAL || cr->type == CT_TEMPORAL_ORDERED))
		for (size_t c = 0; c < cr->nconds; c++)
			if ((cr->ops[c] == COP_GT && cr->vals[c] >= (double)cr->nrefs) ||
			    (cr->ops[c] == COP_GTE && cr->vals[c] > (double)cr->nrefs))
				if ((e = problem(rs, cr, VG_OK, "correlation.condition", cr->info.line,
						 "the condition asks for more than the %zu referenced rules: it never holds",
						 cr->nrefs)))
					return e;
	return VG_OK;
}

/* Depth-first search over correlation references: 0 white, 1 on the path, 2 done. */
static vg_err find_cycles(vg_ruleset *rs, size_t i, uint8_t *color, size_t *path, size_t depth)
{
	vg_corr_set *cs = rs->corr;
	vg_crule *cr = cs->rules[i];
	vg_err e;
	color[i] = 1;
	path[depth] = i;
	for (size_t k = 0; k < cr->nrefs; k++) {
		if (!cr->refs[k].info || !cr->refs[k].is_corr)
			continue;
		size_t j = cr->refs[k].idx;
		if (color[j] == 1) {
			char chain[200];
			size_t o = 0, start = 0;
			while (path[start] != j)
				start++;
			for (size_t p = start; p <= depth && o < sizeof(chain) - 1; p++) {
				const vg_rule_info *ri = &cs->rules[path[p]]->info;
				int w = snprintf(chain + o, sizeof(chain) - o, "%s -> ", ri->name[0] ? ri->name : ri->title);
				o += w > 0 ? (size_t)w : 0;
			}
			if (o < sizeof(chain))
				snprintf(chain + o, sizeof(chain) - o, "%s",
					 cs->rules[j]->info.name[0] ? cs->rules[j]->info.name : cs->rules[j]->info.title);
			for (size_t p = start; p <= depth; p++)
				if ((e = problem(rs, cs->rules[path[p]], VG_ERR_INVALID, "correlation.rules",
						 cs->rules[path[p]]->line_rules, "correlation cycle: %s", chain)))
					return e;
		} else if (color[j] == 0 && depth + 1 < cs->n) {
			if ((e = find_cycles(rs, j, color, path, depth + 1)))
				return e;
		}
	}
	color[i] = 2;
	return VG_OK;
}

/* Longest chain of correlations below cr (memoised; the graph is acyclic here). */
static unsigned chain_depth(vg_corr_set *cs, vg_crule *cr)
{
	unsigned d = 0;
	if (cr->depth_done)
		return cr->depth;
	for (size_t k = 0; k < cr->nrefs; k++)
		if (cr->refs[k].info && cr->refs[k].is_corr) {
			unsigned x = 1 + chain_depth(cs, cs->rules[cr->refs[k].idx]);
			d = x > d ? x : d;
		}
	cr->depth = d;
	cr->depth_done = true;
	return d;
}

static vg_err intern_field(vg_ruleset *rs, const char *name)
{
	const char *m = vg_rs_map_field(rs, name);
	return vg_rs_field_id(rs, m, strlen(m)) < 0 ? VG_ERR_NOMEM : VG_OK;
}

/* A correlation over one that cannot run cannot run either, up the chain. */
static vg_err disable_parents(vg_ruleset *rs, vg_corr_set *cs)
{
	vg_err e;
	for (bool changed = true; changed;) {
		changed = false;
		for (size_t i = 0; i < cs->n; i++) {
			vg_crule *cr = cs->rules[i];
			for (size_t k = 0; cr->info.active && k < cr->nrefs; k++)
				if (cr->refs[k].is_corr && !cs->rules[cr->refs[k].idx]->info.active) {
					if ((e = problem(rs, cr, VG_ERR_INVALID, "correlation.rules", cr->refs[k].line,
							 "the referenced correlation '%s' cannot run", cr->refs[k].name)))
						return e;
					changed = true;
				}
		}
	}
	return VG_OK;
}

vg_err vg_corr_compile(vg_ruleset *rs, vg_diag *d)
{
	vg_corr_set *cs = rs->corr;
	vg_map names;
	vg_err e = VG_OK;
	(void)d;
	if (!cs)
		return VG_OK;
	for (size_t i = 0; i < cs->nts; i++)
		if ((e = intern_field(rs, cs->ts_fields[i])))
			return e;
	if (!cs->n)
		return VG_OK;
	vg_map_init(&names);
	for (size_t i = 0; i < rs->rules.len && !e; i++) {
		const vg_srule *r = rs->rules.items[i];
		if (!(e = index_name(&names, r->info.id, false, i)) && strcmp(r->info.name, r->info.id) != 0)
			e = index_name(&names, r->info.name, false, i);
	}
	for (size_t i = 0; i < cs->n && !e; i++) {
		const vg_crule *c = cs->rules[i];
		if (!(e = index_name(&names, c->info.id, true, i)) && strcmp(c->info.name, c->info.id) != 0)
			e = index_name(&names, c->info.name, true, i);
	}
	for (size_t i = 0; i < cs->n && !e; i++)
		e = resolve(rs, cs->rules[i], &names);
	vg_map_fini(&names);
	if (e)
		return e;
	/* cycles */
	uint8_t *color = calloc(cs->n, 1);
	size_t *path = calloc(cs->n, sizeof(size_t));
	if (!color || !path) {
		free(color);
		free(path);
		return VG_ERR_NOMEM;
	}
	for (size_t i = 0; i < cs->n && !e; i++)
		if (!color[i])
			e = find_cycles(rs, i, color, path, 0);
	free(color);
	free(path);
	if (e)
		return e;
	/* (twice: a chain too deep disables its parents) */
	if ((e = disable_parents(rs, cs)))
		return e;
	for (size_t i = 0; i < cs->n; i++) {
		vg_crule *cr = cs->rules[i];
		if (!cr->info.active)
			continue;
		cr->depth = chain_depth(cs, cr);
		if (cr->depth > VG_CORR_CHAIN_DEPTH_MAX &&
		    (e = problem(rs, cr, VG_ERR_LIMIT, "correlation.rules", cr->line_rules,
				 "correlations chained more than %d deep", VG_CORR_CHAIN_DEPTH_MAX)))
			return e;
	}
	if ((e = disable_parents(rs, cs)))
		return e;
	/* links from referenced rules to the correlations they feed */
	size_t *nlinks = calloc(rs->rules.len + 1, sizeof(size_t)), *nparents = calloc(cs->n, sizeof(size_t));
	bool *gen = calloc(rs->rules.len + cs->n + 1, sizeof(bool));
	if (!nlinks || !nparents || !gen) {
		free(nlinks);
		free(nparents);
		free(gen);
		return VG_ERR_NOMEM;
	}
	for (int pass = 0; pass < 2 && !e; pass++)
		for (size_t i = 0; i < cs->n && !e; i++) {
			vg_crule *cr = cs->rules[i];
			if (!cr->info.active)
				continue;
			for (size_t k = 0; k < cr->nrefs && !e; k++) {
				vg_corr_ref *ref = &cr->refs[k];
				vg_corr_link l = {(uint32_t)i, (uint32_t)k};
				if (pass == 0) {
					if (ref->is_corr)
						nparents[ref->idx]++;
					else
						nlinks[ref->idx]++;
					gen[ref->is_corr ? rs->rules.len + ref->idx : ref->idx] |= cr->generate;
					continue;
				}
				if (ref->is_corr) {
					vg_crule *child = cs->rules[ref->idx];
					if (!child->parents &&
					    !(child->parents = vg_arena_calloc(rs->arena, nparents[ref->idx], sizeof(vg_corr_link))))
						e = VG_ERR_NOMEM;
					else
						child->parents[child->nparents++] = l;
					child->info.feeds_correlation = true;
					child->info.correlation_only = !gen[rs->rules.len + ref->idx];
				} else {
					vg_srule *r = rs->rules.items[ref->idx];
					if (!r->corr_links &&
					    !(r->corr_links = vg_arena_calloc(rs->arena, nlinks[ref->idx], sizeof(vg_corr_link))))
						e = VG_ERR_NOMEM;
					else
						r->corr_links[r->ncorr_links++] = l;
					r->info.feeds_correlation = true;
					r->info.correlation_only = !gen[ref->idx];
					for (size_t j = 0; j < cr->ngroup && !e; j++)
						e = intern_field(rs, ref->gfields[j]);
					for (size_t j = 0; j < cr->nfields && !e; j++)
						e = intern_field(rs, ref->vfields[j]);
				}
			}
		}
	free(nlinks);
	free(nparents);
	free(gen);
	return e;
}

/* ---- event time ---- */

static bool num2(const char *s, size_t n, size_t i, unsigned *out)
{
	if (i + 2 > n || s[i] < '0' || s[i] > '9' || s[i + 1] < '0' || s[i + 1] > '9')
		return false;
	*out = (unsigned)((s[i] - '0') * 10 + (s[i + 1] - '0'));
	return true;
}

bool vg_corr_parse_time(const char *s, size_t n, int64_t *ms)
{
	unsigned Y = 0, M, D, h = 0, mi = 0, sec = 0, oh = 0, om = 0, frac = 0;
	size_t i = 0;
	int sign = 0;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (!n || n > 64)
		return false;
	/* Unix time: seconds (with a fraction) or milliseconds */
	bool numeric = true;
	for (size_t k = 0; k < n; k++)
		numeric &= (s[k] >= '0' && s[k] <= '9') || (s[k] == '.' && k > 0);
	if (numeric) {
		char tmp[72], *end;
		memcpy(tmp, s, n);
		tmp[n] = 0;
		double v = strtod(tmp, &end);
		if (*end || !isfinite(v) || v >= 1e16) /* beyond year 300,000 in ms: not a time */
			return false;
		*ms = v >= 1e11 ? (int64_t)v : (int64_t)llround(v * 1000.0);
		return true;
	}
	if (n < 10)
		return false;
	for (i = 0; i < 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		Y = Y * 10 + (unsigned)(s[i] - '0');
	}
	if (s[4] != '-' || !num2(s, n, 5, &M) || s[7] != '-' || !num2(s, n, 8, &D) || M < 1 || M > 12 || D < 1 ||
	    D > 31)
		return false;
	i = 10;
	if (i < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ')) {
		if (!num2(s, n, i + 1, &h) || i + 3 >= n || s[i + 3] != ':' || !num2(s, n, i + 4, &mi))
			return false;
		i += 6;
		if (i < n && s[i] == ':') {
			if (!num2(s, n, i + 1, &sec))
				return false;
			i += 3;
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				size_t nd = 0;
				i++;
				while (i < n && s[i] >= '0' && s[i] <= '9') {
					if (nd < 3)
						frac = frac * 10 + (unsigned)(s[i] - '0');
					nd++;
					i++;
				}
				if (!nd)
					return false;
				for (; nd < 3; nd++)
					frac *= 10;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return false;
	}
	/* zone: Z, +HH:MM, +HHMM, +HH, " UTC", or none (UTC) */
	if (i < n && s[i] == ' ')
		i++;
	if (i < n) {
		if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == n) {
			i++;
		} else if (n - i == 3 && strncasecmp(s + i, "UTC", 3) == 0) {
			i += 3;
		} else if (s[i] == '+' || s[i] == '-') {
			sign = s[i] == '+' ? 1 : -1;
			if (!num2(s, n, i + 1, &oh))
				return false;
			i += 3;
			if (i < n && s[i] == ':')
				i++;
			if (i < n) {
				if (!num2(s, n, i, &om))
					return false;
				i += 2;
			}
			if (oh > 23 || om > 59)
				return false;
		} else {
			return false;
		}
	}
	if (i != n)
		return false;
	if (sec == 60)
		sec = 59;
	int64_t t = ((vg_days_from_civil(Y, M, D) * 24 + h) * 60 + mi) * 60 + sec;
	t -= sign * (int64_t)(oh * 3600 + om * 60);
	*ms = t * 1000 + frac;
	return true;
}

bool vg_detect_event_time(const vg_ruleset *rs, const vg_detect_scratch *s, int64_t *ms)
{
	const vg_corr_set *cs = rs->corr;
	for (size_t i = 0; cs && i < cs->nts; i++) {
		size_t len;
		const char *v = vg_detect_event_field(s, cs->ts_fields[i], &len);
		if (v && vg_corr_parse_time(v, len, ms))
			return true;
	}
	return false;
}
