/* Sigma correlation rules (specification 2.1): event_count, value_count,
 * temporal, temporal_ordered, value_sum, value_avg, value_percentile.
 *
 * sigma_load.c parses the documents into vg_crule; vg_corr_compile (called by
 * vg_ruleset_compile) resolves references by id or name (detection rules or
 * other correlations), aliases and fields, refuses cycles, and links every
 * referenced rule to the correlations it feeds. A correlation that cannot run
 * stays loaded, inactive, with its problem listed (file, line, field, reason).
 *
 * Evaluation (vg_corr_state, one per ruleset, not thread-safe): each
 * correlation keeps one window per group (tuple of group-by values), entries
 * sorted by event time then processing order.
 *
 *  - Conditions with lower bounds only (gt, gte — every temporal default):
 *    a sliding window (newest - t < timespan); after each event the condition
 *    is checked and, when it holds, the correlation fires once and the group's
 *    window is reset (the next hit needs a fresh set of events). This is how
 *    threshold rules behave in SIEMs: one alert per burst, not one per event.
 *  - Conditions with an upper bound (lt, lte, eq, neq) cannot be decided
 *    while events still arrive: the window opens at the group's first event,
 *    closes when an event at least timespan later arrives for the group, when
 *    the group expires (no event for a timespan, measured on the newest event
 *    time seen by the correlation) or at vg_corr_flush; it fires on close if
 *    the condition holds.
 *
 * Events arrive in hit order, which across worker threads is close to but not
 * exactly event order: a late event is inserted at its place in the window,
 * and dropped (counted in stats.late) only if it is older than the window. */
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
	/* (twice: a chain too deep disables its parents) a correlation over one that cannot run cannot run either */
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

/* ---- evaluation state ---- */

typedef struct centry {
	int64_t t;
	uint64_t seq;
	uint64_t vhash; /* value_count: hash of the value tuple */
	double num;     /* value_sum/avg/percentile */
	uint32_t ref;
} centry;

typedef struct cgroup {
	struct cgroup *prev, *next; /* LRU: head = most recently updated */
	struct cgroup *hnext;
	uint64_t khash;
	char *key; /* group values, each as a 4-byte length then the bytes */
	size_t keylen;
	centry *ents;
	size_t head, n, cap; /* live entries are ents[head .. n) */
	int64_t hwm;         /* newest event time in the group */
	double sum;
	uint64_t *dkeys; /* value_count: distinct value hashes (0 = empty slot) */
	uint32_t *dcnt;
	size_t dcap, dused;
	uint32_t refcnt[]; /* per referenced rule */
} cgroup;

typedef struct ccorr {
	cgroup **buckets;
	size_t nbuckets, ngroups;
	cgroup *lru_head, *lru_tail;
	int64_t hwm;
	bool seen;
} ccorr;

struct vg_corr_state {
	const vg_ruleset *rs;
	const vg_corr_set *cs;
	ccorr *c;
	uint64_t seq;
	int64_t clock; /* newest event time seen: the fallback for events without one */
	bool clock_set, wall_clock;
	vg_corr_stats st;
	vg_buf key;
	double *tmp;
	size_t tmpcap;
};

vg_corr_state *vg_corr_state_new(const vg_ruleset *rs)
{
	vg_corr_state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->rs = rs;
	st->cs = rs->corr;
	vg_buf_init(&st->key, 0);
	size_t n = st->cs ? st->cs->n : 0;
	st->c = calloc(n ? n : 1, sizeof(ccorr));
	if (!st->c) {
		vg_corr_state_free(st);
		return NULL;
	}
	return st;
}

static void group_free(cgroup *g)
{
	free(g->key);
	free(g->ents);
	free(g->dkeys);
	free(g->dcnt);
	free(g);
}

void vg_corr_state_free(vg_corr_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; st->c && st->cs && i < st->cs->n; i++) {
		cgroup *g = st->c[i].lru_head;
		while (g) {
			cgroup *nx = g->next;
			group_free(g);
			g = nx;
		}
		free(st->c[i].buckets);
	}
	free(st->c);
	free(st->tmp);
	vg_buf_fini(&st->key);
	free(st);
}

void vg_corr_state_use_wall_clock(vg_corr_state *st, bool on)
{
	st->wall_clock = on;
}

void vg_corr_stats_get(const vg_corr_state *st, vg_corr_stats *out)
{
	*out = st->st;
}

/* distinct values (value_count): open addressing on the 64-bit hash */
static bool dist_add(cgroup *g, uint64_t h)
{
	if (!h)
		h = 1;
	if ((g->dused + 1) * 2 > g->dcap) {
		size_t nc = g->dcap ? g->dcap * 2 : 16;
		uint64_t *nk = calloc(nc, sizeof(*nk));
		uint32_t *nn = calloc(nc, sizeof(*nn));
		if (!nk || !nn) {
			free(nk);
			free(nn);
			return false;
		}
		for (size_t i = 0; i < g->dcap; i++)
			if (g->dkeys[i]) {
				size_t j = g->dkeys[i] & (nc - 1);
				while (nk[j])
					j = (j + 1) & (nc - 1);
				nk[j] = g->dkeys[i];
				nn[j] = g->dcnt[i];
			}
		free(g->dkeys);
		free(g->dcnt);
		g->dkeys = nk;
		g->dcnt = nn;
		g->dcap = nc;
	}
	size_t j = h & (g->dcap - 1);
	while (g->dkeys[j] && g->dkeys[j] != h)
		j = (j + 1) & (g->dcap - 1);
	if (!g->dkeys[j]) {
		g->dkeys[j] = h;
		g->dused++;
	}
	g->dcnt[j]++;
	return true;
}

static void dist_del(cgroup *g, uint64_t h)
{
	if (!h)
		h = 1;
	if (!g->dcap)
		return;
	size_t m = g->dcap - 1, j = h & m;
	while (g->dkeys[j] && g->dkeys[j] != h)
		j = (j + 1) & m;
	if (!g->dkeys[j] || --g->dcnt[j])
		return;
	/* backward-shift deletion keeps probe chains intact */
	g->dkeys[j] = 0;
	g->dused--;
	for (size_t k = (j + 1) & m; g->dkeys[k]; k = (k + 1) & m) {
		size_t home = g->dkeys[k] & m;
		bool move = j <= k ? (home <= j || home > k) : (home <= j && home > k);
		if (move) {
			g->dkeys[j] = g->dkeys[k];
			g->dcnt[j] = g->dcnt[k];
			g->dkeys[k] = 0;
			g->dcnt[k] = 0;
			j = k;
		}
	}
}

static void entry_gone(vg_corr_state *st, const vg_crule *cr, cgroup *g, const centry *e)
{
	if (cr->type == CT_TEMPORAL || cr->type == CT_TEMPORAL_ORDERED)
		g->refcnt[e->ref]--;
	else if (cr->type == CT_VALUE_COUNT)
		dist_del(g, e->vhash);
	else
		g->sum -= e->num;
	st->st.entries--;
}

static void pop_front(vg_corr_state *st, const vg_crule *cr, cgroup *g)
{
	entry_gone(st, cr, g, &g->ents[g->head]);
	g->head++;
	if (g->head == g->n) {
		g->head = g->n = 0;
		g->sum = 0; /* no drift from the running sum */
	}
}

static void group_reset(vg_corr_state *st, const vg_crule *cr, cgroup *g)
{
	st->st.entries -= g->n - g->head;
	g->head = g->n = 0;
	g->sum = 0;
	memset(g->refcnt, 0, cr->nrefs * sizeof(uint32_t));
	if (g->dcap) {
		memset(g->dkeys, 0, g->dcap * sizeof(*g->dkeys));
		memset(g->dcnt, 0, g->dcap * sizeof(*g->dcnt));
	}
	g->dused = 0;
}

static void lru_unlink(ccorr *cc, cgroup *g)
{
	if (g->prev)
		g->prev->next = g->next;
	else
		cc->lru_head = g->next;
	if (g->next)
		g->next->prev = g->prev;
	else
		cc->lru_tail = g->prev;
	g->prev = g->next = NULL;
}

static void lru_front(ccorr *cc, cgroup *g)
{
	if (cc->lru_head == g)
		return;
	if (g->prev || g->next || cc->lru_tail == g)
		lru_unlink(cc, g);
	g->next = cc->lru_head;
	if (cc->lru_head)
		cc->lru_head->prev = g;
	cc->lru_head = g;
	if (!cc->lru_tail)
		cc->lru_tail = g;
}

static void group_drop(vg_corr_state *st, const vg_crule *cr, ccorr *cc, cgroup *g)
{
	cgroup **pp = &cc->buckets[g->khash & (cc->nbuckets - 1)];
	while (*pp && *pp != g)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = g->hnext;
	lru_unlink(cc, g);
	group_reset(st, cr, g);
	cc->ngroups--;
	st->st.groups--;
	group_free(g);
}

static bool cond_holds(const vg_crule *cr, double v)
{
	for (size_t i = 0; i < cr->nconds; i++) {
		double x = cr->vals[i];
		bool ok;
		switch (cr->ops[i]) {
		case COP_GT: ok = v > x; break;
		case COP_GTE: ok = v >= x; break;
		case COP_LT: ok = v < x; break;
		case COP_LTE: ok = v <= x; break;
		case COP_EQ: ok = v == x; break;
		default: ok = v != x; break;
		}
		if (!ok)
			return false;
	}
	return true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The value the condition compares, for the group's current window. */
static double aggregate(vg_corr_state *st, const vg_crule *cr, const cgroup *g)
{
	size_t n = g->n - g->head;
	switch (cr->type) {
	case CT_EVENT_COUNT: return (double)n;
	case CT_VALUE_COUNT: return (double)g->dused;
	case CT_TEMPORAL: {
		size_t k = 0;
		for (size_t r = 0; r < cr->nrefs; r++)
			k += g->refcnt[r] > 0;
		return (double)k;
	}
	case CT_TEMPORAL_ORDERED: {
		/* longest prefix of `rules` seen in that order (greedy earliest match) */
		size_t ub = 0, k = 0;
		while (ub < cr->nrefs && g->refcnt[ub])
			ub++;
		if (!cr->deferred && !cond_holds(cr, (double)ub))
			return (double)ub; /* lower bounds only: a shorter prefix cannot hold either */
		for (size_t i = g->head; i < g->n && k < ub; i++)
			if (g->ents[i].ref == k)
				k++;
		return (double)k;
	}
	case CT_VALUE_SUM: return g->sum;
	case CT_VALUE_AVG: return n ? g->sum / (double)n : 0;
	case CT_VALUE_PERCENTILE: {
		if (!n)
			return 0;
		if (n > st->tmpcap) {
			double *t = realloc(st->tmp, n * sizeof(double));
			if (!t)
				return NAN;
			st->tmp = t;
			st->tmpcap = n;
		}
		for (size_t i = 0; i < n; i++)
			st->tmp[i] = g->ents[g->head + i].num;
		qsort(st->tmp, n, sizeof(double), cmp_double);
		/* nearest rank: the smallest value with at least p% of the values at or below it */
		size_t rank = (size_t)ceil(cr->percentile / 100.0 * (double)n);
		return st->tmp[rank ? rank - 1 : 0];
	}
	}
	return 0;
}

static int feed_corr(vg_corr_state *st, size_t ci, uint32_t ref, int64_t t, vg_corr_field_fn field, void *fctx,
		     vg_corr_hit_fn fn, void *ctx);

typedef struct group_view {
	const vg_hit_field *f;
	size_t n;
} group_view;

static const char *group_field(void *ctx, const char *name, size_t *len)
{
	const group_view *v = ctx;
	for (size_t i = 0; i < v->n; i++)
		if (strcasecmp(v->f[i].name, name) == 0) {
			*len = v->f[i].value_len;
			return v->f[i].value;
		}
	return NULL;
}

/* The correlation fires on the group's window: report, then feed the
 * correlations that reference this one. */
static int fire(vg_corr_state *st, size_t ci, cgroup *g, double value, vg_corr_hit_fn fn, void *ctx)
{
	const vg_crule *cr = st->cs->rules[ci];
	vg_hit_field hf[VG_CORR_GROUP_BY_MAX];
	const vg_rule_info *rinfo[VG_CORR_REFS_MAX];
	uint64_t mask = 0;
	size_t off = 0, nr = 0;
	int fired = 1;
	for (size_t j = 0; j < cr->ngroup; j++) {
		uint32_t l;
		memcpy(&l, g->key + off, 4);
		hf[j].name = cr->group_by[j];
		hf[j].value = g->key + off + 4;
		hf[j].value_len = l;
		off += 4 + l;
	}
	for (size_t i = g->head; i < g->n; i++)
		mask |= 1ull << g->ents[i].ref;
	for (size_t r = 0; r < cr->nrefs; r++)
		if (mask & (1ull << r))
			rinfo[nr++] = cr->refs[r].info;
	vg_corr_hit h = {&cr->info, type_names[cr->type], hf, cr->ngroup, g->n - g->head, value,
			 g->ents[g->head].t, g->ents[g->n - 1].t, rinfo, nr};
	int64_t last = h.last_ms;
	st->st.fired++;
	if (fn)
		fn(ctx, &h);
	group_view v = {hf, cr->ngroup};
	/* hf points into g->key, which the parents do not touch */
	for (size_t p = 0; p < cr->nparents; p++)
		fired += feed_corr(st, cr->parents[p].corr, cr->parents[p].ref, last, group_field, &v, fn, ctx);
	return fired;
}

/* A deferred window closes: decide it, then start afresh. */
static int close_window(vg_corr_state *st, size_t ci, cgroup *g, vg_corr_hit_fn fn, void *ctx)
{
	const vg_crule *cr = st->cs->rules[ci];
	int fired = 0;
	if (g->n > g->head) {
		double v = aggregate(st, cr, g);
		if (cond_holds(cr, v))
			fired = fire(st, ci, g, v, fn, ctx);
	}
	group_reset(st, cr, g);
	return fired;
}

static bool parse_num(const char *s, size_t n, double *out)
{
	char tmp[64], *end;
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if (!n || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	*out = strtod(tmp, &end);
	while (*end == ' ' || *end == '\t')
		end++;
	return end != tmp && !*end && isfinite(*out);
}

static cgroup *group_get(vg_corr_state *st, const vg_crule *cr, ccorr *cc, const char *key, size_t klen)
{
	uint64_t h = vg_hash_bytes(key, klen);
	cgroup *g;
	if (cc->nbuckets)
		for (g = cc->buckets[h & (cc->nbuckets - 1)]; g; g = g->hnext)
			if (g->khash == h && g->keylen == klen && memcmp(g->key, key, klen) == 0)
				return g;
	if (cc->ngroups >= VG_CORR_GROUPS_MAX && cc->lru_tail) {
		group_drop(st, cr, cc, cc->lru_tail);
		st->st.evicted++;
	}
	if (cc->ngroups + 1 > cc->nbuckets) {
		size_t nb = cc->nbuckets ? cc->nbuckets * 2 : 64;
		cgroup **b = calloc(nb, sizeof(*b));
		if (!b)
			return NULL;
		for (size_t i = 0; i < cc->nbuckets; i++)
			for (cgroup *x = cc->buckets[i], *nx; x; x = nx) {
				nx = x->hnext;
				x->hnext = b[x->khash & (nb - 1)];
				b[x->khash & (nb - 1)] = x;
			}
		free(cc->buckets);
		cc->buckets = b;
		cc->nbuckets = nb;
	}
	if (!(g = calloc(1, sizeof(*g) + cr->nrefs * sizeof(uint32_t))) || !(g->key = malloc(klen ? klen : 1))) {
		free(g);
		return NULL;
	}
	memcpy(g->key, key, klen);
	g->keylen = klen;
	g->khash = h;
	g->hnext = cc->buckets[h & (cc->nbuckets - 1)];
	cc->buckets[h & (cc->nbuckets - 1)] = g;
	cc->ngroups++;
	st->st.groups++;
	lru_front(cc, g);
	return g;
}

/* Insert in (time, sequence) order; nearly always an append. */
static bool insert_entry(cgroup *g, const centry *e)
{
	if (g->n == g->cap) {
		if (g->head > g->cap / 2) {
			memmove(g->ents, g->ents + g->head, (g->n - g->head) * sizeof(centry));
			g->n -= g->head;
			g->head = 0;
		} else {
			size_t nc = g->cap ? g->cap * 2 : 8;
			centry *n = realloc(g->ents, nc * sizeof(*n));
			if (!n)
				return false;
			g->ents = n;
			g->cap = nc;
		}
	}
	size_t lo = g->head, hi = g->n;
	if (hi > lo && g->ents[hi - 1].t > e->t)
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (g->ents[mid].t <= e->t)
				lo = mid + 1;
			else
				hi = mid;
		}
	else
		lo = hi;
	memmove(g->ents + lo + 1, g->ents + lo, (g->n - lo) * sizeof(centry));
	g->ents[lo] = *e;
	g->n++;
	return true;
}

static int feed_corr(vg_corr_state *st, size_t ci, uint32_t ref, int64_t t, vg_corr_field_fn field, void *fctx,
		     vg_corr_hit_fn fn, void *ctx)
{
	const vg_crule *cr = st->cs->rules[ci];
	const vg_corr_ref *rf = &cr->refs[ref];
	ccorr *cc = &st->c[ci];
	centry e = {.t = t, .seq = st->seq, .ref = ref};
	int fired = 0;
	if (!cr->info.active)
		return 0;
	/* group key */
	vg_buf_reset(&st->key);
	for (size_t j = 0; j < cr->ngroup; j++) {
		size_t len = 0;
		const char *v = field(fctx, rf->gfields[j], &len);
		if (!v) {
			st->st.no_group++;
			return 0;
		}
		uint32_t l = (uint32_t)(len > VG_CORR_VALUE_MAX ? VG_CORR_VALUE_MAX : len);
		if (vg_buf_append(&st->key, &l, 4) || vg_buf_append(&st->key, v, l))
			return 0;
	}
	/* value */
	if (cr->type == CT_VALUE_COUNT) {
		uint64_t h = 0x9e3779b97f4a7c15ull;
		for (size_t j = 0; j < cr->nfields; j++) {
			size_t len = 0;
			const char *v = field(fctx, rf->vfields[j], &len);
			if (!v) {
				st->st.no_group++;
				return 0;
			}
			h = (h ^ vg_hash_bytes(v, len > VG_CORR_VALUE_MAX ? VG_CORR_VALUE_MAX : len)) * 0x100000001b3ull + j;
		}
		e.vhash = h;
	} else if (cr->type == CT_VALUE_SUM || cr->type == CT_VALUE_AVG || cr->type == CT_VALUE_PERCENTILE) {
		size_t len = 0;
		const char *v = field(fctx, rf->vfields[0], &len);
		if (!v || !parse_num(v, len, &e.num)) {
			st->st.no_group++;
			return 0;
		}
	}
	/* expire groups without an event for a timespan (deferred ones are decided) */
	if (!cc->seen || t > cc->hwm)
		cc->hwm = t;
	cc->seen = true;
	while (cc->lru_tail && cc->hwm - cc->lru_tail->hwm >= cr->span_ms) {
		cgroup *old = cc->lru_tail;
		if (cr->deferred)
			fired += close_window(st, ci, old, fn, ctx);
		group_drop(st, cr, cc, old);
	}
	cgroup *g = group_get(st, cr, cc, st->key.data ? st->key.data : "", st->key.len);
	if (!g)
		return fired;
	lru_front(cc, g);
	size_t n = g->n - g->head;
	if (cr->deferred) {
		if (n && t - g->ents[g->head].t >= cr->span_ms) {
			fired += close_window(st, ci, g, fn, ctx);
			n = 0;
		} else if (n && g->ents[g->n - 1].t - t >= cr->span_ms) {
			st->st.late++;
			return fired;
		}
	} else if (n && g->hwm - t >= cr->span_ms) {
		st->st.late++; /* older than the group's window */
		return fired;
	}
	if (!n || t > g->hwm)
		g->hwm = t;
	/* memory bounds */
	while (st->st.entries >= VG_CORR_ENTRIES_MAX) {
		if (cc->lru_tail && cc->lru_tail != g) {
			group_drop(st, cr, cc, cc->lru_tail);
			st->st.evicted++;
		} else if (g->n > g->head) {
			pop_front(st, cr, g);
			st->st.overflow++;
		} else {
			return fired;
		}
	}
	if (g->n - g->head >= VG_CORR_GROUP_EVENTS_MAX) {
		pop_front(st, cr, g);
		st->st.overflow++;
	}
	if (!insert_entry(g, &e))
		return fired;
	st->st.entries++;
	if (cr->type == CT_TEMPORAL || cr->type == CT_TEMPORAL_ORDERED)
		g->refcnt[ref]++;
	else if (cr->type == CT_VALUE_COUNT)
		dist_add(g, e.vhash);
	else
		g->sum += e.num;
	if (cr->deferred)
		return fired;
	/* sliding window: drop what fell out of it */
	while (g->n > g->head && g->hwm - g->ents[g->head].t >= cr->span_ms)
		pop_front(st, cr, g);
	double v = aggregate(st, cr, g);
	if (cond_holds(cr, v)) {
		fired += fire(st, ci, g, v, fn, ctx);
		group_reset(st, cr, g);
	}
	return fired;
}

static int64_t event_time(vg_corr_state *st, int64_t t)
{
	if (t != VG_CORR_TIME_NONE) {
		if (!st->clock_set || t > st->clock)
			st->clock = t;
		st->clock_set = true;
		return t;
	}
	st->st.no_time++;
	return st->wall_clock ? vg_time_now_ms() : st->clock;
}

int vg_corr_feed(vg_corr_state *st, const vg_rule_info *rule, int64_t time_ms, vg_corr_field_fn field, void *fctx,
		 vg_corr_hit_fn fn, void *ctx)
{
	const vg_ruleset *rs = st->rs;
	int fired = 0;
	if (!st || !rule || !rule->feeds_correlation || rule->index >= rs->rules.len ||
	    &((const vg_srule *)rs->rules.items[rule->index])->info != rule)
		return 0;
	const vg_srule *r = rs->rules.items[rule->index];
	int64_t t = event_time(st, time_ms);
	st->seq++;
	st->st.fed++;
	for (size_t i = 0; i < r->ncorr_links; i++)
		fired += feed_corr(st, r->corr_links[i].corr, r->corr_links[i].ref, t, field, fctx, fn, ctx);
	return fired;
}

static const char *scratch_field(void *ctx, const char *name, size_t *len)
{
	return vg_detect_event_field(ctx, name, len);
}

int vg_corr_feed_hit(vg_corr_state *st, const vg_detect_scratch *s, const vg_hit *hit, vg_corr_hit_fn fn, void *ctx)
{
	int64_t t;
	if (!st || !hit->rule->feeds_correlation)
		return 0;
	if (!vg_detect_event_time(st->rs, s, &t))
		t = VG_CORR_TIME_NONE;
	return vg_corr_feed(st, hit->rule, t, scratch_field, (void *)s, fn, ctx);
}

int vg_corr_flush(vg_corr_state *st, vg_corr_hit_fn fn, void *ctx)
{
	int fired = 0;
	if (!st || !st->cs)
		return 0;
	/* correlations over rules first, then those over correlations */
	for (unsigned depth = 0; depth <= VG_CORR_CHAIN_DEPTH_MAX; depth++)
		for (size_t ci = 0; ci < st->cs->n; ci++) {
			const vg_crule *cr = st->cs->rules[ci];
			ccorr *cc = &st->c[ci];
			if (cr->depth != depth || !cr->deferred)
				continue;
			while (cc->lru_tail) {
				cgroup *g = cc->lru_tail;
				fired += close_window(st, ci, g, fn, ctx);
				group_drop(st, cr, cc, g);
			}
		}
	return fired;
}

/* ---- hits copied for later feeding ---- */

struct vg_corr_event {
	const vg_rule_info *rule;
	int64_t t;
	size_t n;
	const char **names;  /* field names (strings of the ruleset) */
	uint32_t *off, *len; /* value of names[i] in data; len UINT32_MAX: absent */
	char *data;
};

static bool seen_name(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return true;
	return false;
}

vg_corr_event *vg_corr_event_new(const vg_ruleset *rs, const vg_detect_scratch *s, const vg_hit *hit)
{
	const vg_rule_info *ri = hit->rule;
	const vg_corr_set *cs = rs->corr;
	if (!ri->feeds_correlation || !cs || ri->index >= rs->rules.len ||
	    &((const vg_srule *)rs->rules.items[ri->index])->info != ri)
		return NULL;
	const vg_srule *r = rs->rules.items[ri->index];
	size_t max = 0, n = 0, bytes = 0;
	for (size_t l = 0; l < r->ncorr_links; l++) {
		const vg_crule *cr = cs->rules[r->corr_links[l].corr];
		max += cr->ngroup + cr->nfields;
	}
	const char **names = calloc(max ? max : 1, sizeof(char *));
	if (!names)
		return NULL;
	for (size_t l = 0; l < r->ncorr_links; l++) {
		const vg_crule *cr = cs->rules[r->corr_links[l].corr];
		const vg_corr_ref *ref = &cr->refs[r->corr_links[l].ref];
		for (size_t j = 0; j < cr->ngroup; j++)
			if (!seen_name(names, n, ref->gfields[j]))
				names[n++] = ref->gfields[j];
		for (size_t j = 0; j < cr->nfields; j++)
			if (!seen_name(names, n, ref->vfields[j]))
				names[n++] = ref->vfields[j];
	}
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		if (vg_detect_event_field(s, names[i], &len))
			bytes += len > VG_CORR_VALUE_MAX ? VG_CORR_VALUE_MAX : len;
	}
	vg_corr_event *ev = calloc(1, sizeof(*ev) + n * 2 * sizeof(uint32_t) + bytes + 1);
	if (!ev) {
		free(names);
		return NULL;
	}
	ev->rule = ri;
	ev->names = names;
	ev->n = n;
	ev->off = (uint32_t *)(ev + 1);
	ev->len = ev->off + n;
	ev->data = (char *)(ev->len + n);
	if (!vg_detect_event_time(rs, s, &ev->t))
		ev->t = VG_CORR_TIME_NONE;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = 0;
		const char *v = vg_detect_event_field(s, names[i], &len);
		if (!v) {
			ev->len[i] = UINT32_MAX;
			continue;
		}
		if (len > VG_CORR_VALUE_MAX) /* values are compared on their first VG_CORR_VALUE_MAX bytes */
			len = VG_CORR_VALUE_MAX;
		memcpy(ev->data + o, v, len);
		ev->off[i] = (uint32_t)o;
		ev->len[i] = (uint32_t)len;
		o += len;
	}
	return ev;
}

static const char *event_copy_field(void *ctx, const char *name, size_t *len)
{
	const vg_corr_event *ev = ctx;
	for (size_t i = 0; i < ev->n; i++)
		if (strcmp(ev->names[i], name) == 0) {
			if (ev->len[i] == UINT32_MAX)
				return NULL;
			*len = ev->len[i];
			return ev->data + ev->off[i];
		}
	return NULL;
}

int vg_corr_feed_event(vg_corr_state *st, const vg_corr_event *ev, vg_corr_hit_fn fn, void *ctx)
{
	if (!st || !ev)
		return 0;
	return vg_corr_feed(st, ev->rule, ev->t, event_copy_field, (void *)ev, fn, ctx);
}

void vg_corr_event_free(vg_corr_event *ev)
{
	if (!ev)
		return;
	free(ev->names);
	free(ev);
}
