/* Loading Sigma correlation documents (specification 2.1) into vg_crule:
 * type, rules, group-by, timespan, condition, aliases, generate. sigma_load.c
 * hands over every document with a 'correlation' key; references are resolved
 * at compile (sigma_corr.c) and the rules evaluated by sigma_corr_state.c.
 * Every refusal is reported with field and line. */
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "detect/internal.h"
#include "detect/sigma_load_int.h"

static vg_err corr_fail(vg_diag *d, vg_err code, const char *field, unsigned line, const char *fmt, const char *arg)
{
	vg_diag_set(d, code, field, fmt, arg ? arg : "");
	vg_diag_at(d, NULL, line);
	return code;
}

/* A scalar or a list of scalars into an arena array of strings. */
static vg_err corr_strings(vg_arena *a, struct fy_node *n, const char ***out, size_t *count, size_t max,
			   const char *field, unsigned line, vg_diag *d)
{
	size_t cnt = fy_node_is_sequence(n) ? (size_t)fy_node_sequence_item_count(n) : 1, k = 0;
	const char **v;
	if (cnt > max) {
		vg_diag_set(d, VG_ERR_LIMIT, field, "more than %zu entries", max);
		vg_diag_at(d, NULL, line);
		return VG_ERR_LIMIT;
	}
	if (!(v = vg_arena_calloc(a, cnt ? cnt : 1, sizeof(char *))))
		return VG_ERR_NOMEM;
	if (fy_node_is_sequence(n)) {
		void *it = NULL;
		struct fy_node *x;
		while ((x = fy_node_sequence_iterate(n, &it))) {
			if (!(v[k] = vg_yaml_arena_scalar(a, x)) || !v[k][0])
				return corr_fail(d, VG_ERR_INVALID, field, vg_yaml_line(x) ? vg_yaml_line(x) : line,
						 "entries must be non-empty strings%s", NULL);
			for (size_t j = 0; j < k; j++)
				if (strcmp(v[j], v[k]) == 0)
					return corr_fail(d, VG_ERR_INVALID, field, vg_yaml_line(x) ? vg_yaml_line(x) : line,
							 "'%s' is listed twice", v[k]);
			k++;
		}
	} else {
		if (!(v[0] = vg_yaml_arena_scalar(a, n)) || !v[0][0])
			return corr_fail(d, VG_ERR_INVALID, field, line, "must be a string or a list of strings%s", NULL);
		k = 1;
	}
	*out = v;
	*count = k;
	return VG_OK;
}

static bool corr_number(struct fy_node *n, double *out)
{
	vg_yval v = vg_yaml_value(n);
	char tmp[64], *end;
	if (v.type != YV_NUM || v.len >= sizeof(tmp))
		return false;
	memcpy(tmp, v.s, v.len);
	tmp[v.len] = 0;
	*out = strtod(tmp, &end);
	return end != tmp && !*end;
}

static const char *const corr_type_names[] = {"event_count", "value_count", "temporal", "temporal_ordered",
					      "value_sum", "value_avg", "value_percentile"};
static const char *const corr_op_names[] = {"gt", "gte", "lt", "lte", "eq", "neq"};

static vg_err load_corr_condition(vg_ruleset *rs, struct fy_node *c, unsigned cline, vg_crule *cr, vg_diag *d)
{
	void *it = NULL;
	struct fy_node_pair *p;
	bool have_pct = false;
	if (fy_node_is_scalar(c))
		return corr_fail(d, VG_ERR_UNSUPPORTED, "correlation.condition", cline,
				 "a condition expression over rules is a pySigma extension, not Sigma 2.1: "
				 "write a map such as {gte: 3}%s",
				 NULL);
	if (!fy_node_is_mapping(c))
		return corr_fail(d, VG_ERR_INVALID, "correlation.condition", cline, "must be a map such as {gte: 100}%s",
				 NULL);
	while ((p = fy_node_mapping_iterate(c, &it))) {
		size_t kl;
		const char *k = vg_yaml_scalar(fy_node_pair_key(p), &kl);
		struct fy_node *v = fy_node_pair_value(p);
		unsigned line = vg_yaml_line(fy_node_pair_key(p));
		char key[32];
		if (!k || kl >= sizeof(key))
			return corr_fail(d, VG_ERR_INVALID, "correlation.condition", line, "unknown condition key%s", NULL);
		memcpy(key, k, kl);
		key[kl] = 0;
		if (strcmp(key, "field") == 0) {
			vg_err e = corr_strings(rs->arena, v, &cr->fields, &cr->nfields, VG_CORR_GROUP_BY_MAX,
						"correlation.condition.field", line, d);
			if (e)
				return e;
			cr->field_line = line;
			continue;
		}
		if (strcmp(key, "percentile") == 0) {
			if (!corr_number(v, &cr->percentile) || cr->percentile < 0 || cr->percentile > 100)
				return corr_fail(d, VG_ERR_INVALID, "correlation.condition.percentile", line,
						 "must be a number from 0 to 100%s", NULL);
			have_pct = true;
			continue;
		}
		size_t op = 0;
		while (op < 6 && strcmp(key, corr_op_names[op]) != 0)
			op++;
		if (op == 6)
			return corr_fail(d, VG_ERR_INVALID, "correlation.condition", line,
					 "unknown key '%s' (gt, gte, lt, lte, eq, neq, field, percentile)", key);
		for (size_t j = 0; j < cr->nconds; j++)
			if (cr->ops[j] == op)
				return corr_fail(d, VG_ERR_INVALID, "correlation.condition", line, "'%s' given twice", key);
		if (!corr_number(v, &cr->vals[cr->nconds]))
			return corr_fail(d, VG_ERR_INVALID, "correlation.condition", line, "'%s' needs a number", key);
		cr->ops[cr->nconds++] = (uint8_t)op;
		if (op >= COP_LT)
			cr->deferred = true;
	}
	if (!cr->nconds)
		return corr_fail(d, VG_ERR_INVALID, "correlation.condition", cline,
				 "no comparison (gt, gte, lt, lte, eq or neq)%s", NULL);
	bool value_type = cr->type == CT_VALUE_COUNT || cr->type == CT_VALUE_SUM || cr->type == CT_VALUE_AVG ||
			  cr->type == CT_VALUE_PERCENTILE;
	if (cr->nfields && !value_type)
		return corr_fail(d, VG_ERR_INVALID, "correlation.condition.field", cr->field_line,
				 "'field' belongs to value_* correlations, not %s", corr_type_names[cr->type]);
	if (value_type && !cr->nfields)
		return corr_fail(d, VG_ERR_INVALID, "correlation.condition.field", cline,
				 "a %s correlation needs 'field' in its condition", corr_type_names[cr->type]);
	if (cr->nfields > 1 && cr->type != CT_VALUE_COUNT)
		return corr_fail(d, VG_ERR_INVALID, "correlation.condition.field", cr->field_line,
				 "%s aggregates one numeric field, not a list", corr_type_names[cr->type]);
	if (have_pct && cr->type != CT_VALUE_PERCENTILE)
		return corr_fail(d, VG_ERR_INVALID, "correlation.condition.percentile", cline,
				 "'percentile' belongs to value_percentile, not %s", corr_type_names[cr->type]);
	if (cr->type == CT_VALUE_PERCENTILE && !have_pct)
		cr->percentile = 95; /* pySigma's default */
	return VG_OK;
}

/* A correlation document: title, id, name, level, ... and correlation: {type,
 * rules, group-by, timespan, condition, aliases, generate}. References are
 * resolved by vg_ruleset_compile (they may point to rules loaded later). */
vg_err vg_load_correlation(vg_ruleset *rs, struct fy_node *root, struct fy_node *c, unsigned cline, const char *file,
			   unsigned doc_line, vg_load_report *rep, vg_diag *d)
{
	vg_crule *cr;
	struct fy_node *x;
	unsigned line = 0;
	void *it = NULL;
	struct fy_node_pair *p;
	vg_err e;
	bool have_type = false, have_rules = false, have_span = false, have_group = false, have_cond = false;
	if (vg_yaml_get(root, "detection", &line) || vg_yaml_get(root, "filter", &line))
		return corr_fail(d, VG_ERR_INVALID, "correlation", cline,
				 "a document is either a correlation or a detection/filter rule, not both%s", NULL);
	if (!fy_node_is_mapping(c))
		return corr_fail(d, VG_ERR_INVALID, "correlation", cline, "'correlation' must be a map%s", NULL);
	if (!(cr = vg_arena_calloc(rs->arena, 1, sizeof(*cr))))
		return VG_ERR_NOMEM;
	if ((e = vg_load_info(rs->arena, root, file, doc_line, &cr->info, d)))
		return e;
	cr->info.product = cr->info.category = cr->info.service = "";
	/* generate: top level in the specification, inside correlation for pySigma */
	if ((x = vg_yaml_get(root, "generate", &line)) || (x = vg_yaml_get(c, "generate", &line))) {
		vg_yval v = vg_yaml_value(x);
		if (v.type != YV_BOOL)
			return corr_fail(d, VG_ERR_INVALID, "generate", line, "must be true or false%s", NULL);
		cr->generate = v.s[0] == 't';
	}
	while ((p = fy_node_mapping_iterate(c, &it))) {
		size_t kl;
		const char *k = vg_yaml_scalar(fy_node_pair_key(p), &kl);
		struct fy_node *v = fy_node_pair_value(p);
		char key[32];
		line = vg_yaml_line(fy_node_pair_key(p));
		if (!k || kl >= sizeof(key))
			return corr_fail(d, VG_ERR_INVALID, "correlation", line, "unknown key%s", NULL);
		memcpy(key, k, kl);
		key[kl] = 0;
		if (!v && strcmp(key, "group-by") != 0)
			return corr_fail(d, VG_ERR_INVALID, "correlation", line, "'%s' has no value", key);
		if (strcmp(key, "type") == 0) {
			const char *t = vg_yaml_arena_scalar(rs->arena, v);
			size_t ti = 0;
			while (t && ti < 7 && strcmp(t, corr_type_names[ti]) != 0)
				ti++;
			if (!t || ti == 7)
				return corr_fail(d, VG_ERR_INVALID, "correlation.type", line,
						 "unknown type '%s' (event_count, value_count, temporal, temporal_ordered, "
						 "value_sum, value_avg, value_percentile)",
						 t ? t : "");
			cr->type = (vg_corr_type)ti;
			have_type = true;
		} else if (strcmp(key, "rules") == 0) {
			const char **names;
			size_t n;
			if ((e = corr_strings(rs->arena, v, &names, &n, VG_CORR_REFS_MAX, "correlation.rules", line, d)))
				return e;
			if (!(cr->refs = vg_arena_calloc(rs->arena, n ? n : 1, sizeof(vg_corr_ref))))
				return VG_ERR_NOMEM;
			void *ri = NULL;
			struct fy_node *y;
			for (size_t i = 0; i < n; i++) {
				cr->refs[i].name = names[i];
				cr->refs[i].line = line;
			}
			for (size_t i = 0; fy_node_is_sequence(v) && (y = fy_node_sequence_iterate(v, &ri)) && i < n; i++)
				if (vg_yaml_line(y))
					cr->refs[i].line = vg_yaml_line(y);
			cr->nrefs = n;
			cr->line_rules = line;
			have_rules = n > 0;
		} else if (strcmp(key, "group-by") == 0) {
			cr->group_line = line;
			have_group = true;
			if (v && fy_node_is_sequence(v) && fy_node_sequence_item_count(v) == 0)
				continue; /* explicit empty list: one group for every event */
			if (!v)
				return corr_fail(d, VG_ERR_INVALID, "correlation.group-by", line,
						 "empty group-by: write [] for a single group%s", NULL);
			if ((e = corr_strings(rs->arena, v, &cr->group_by, &cr->ngroup, VG_CORR_GROUP_BY_MAX,
					      "correlation.group-by", line, d)))
				return e;
		} else if (strcmp(key, "timespan") == 0) {
			size_t sl;
			const char *t = vg_yaml_scalar(v, &sl);
			long long n = 0;
			size_t i = 0;
			static const struct { char u; long long s; } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
			for (; t && i < sl && t[i] >= '0' && t[i] <= '9' && n <= VG_CORR_TIMESPAN_MAX_S; i++)
				n = n * 10 + (t[i] - '0');
			long long mult = 0;
			for (size_t u = 0; t && i > 0 && i + 1 == sl && u < 5; u++)
				if (t[i] == units[u].u)
					mult = units[u].s;
			char shown[24];
			snprintf(shown, sizeof(shown), "%.*s", t ? (int)(sl < 16 ? sl : 16) : 0, t ? t : "");
			if (!mult)
				return corr_fail(d, VG_ERR_INVALID, "correlation.timespan", line,
						 "'%s' is not a number followed by s, m, h or d (e.g. 90m)", shown);
			if (n <= 0 || n * mult > VG_CORR_TIMESPAN_MAX_S)
				return corr_fail(d, VG_ERR_INVALID, "correlation.timespan", line,
						 "'%s' must be above zero and at most 366 days", shown);
			cr->span_ms = n * mult * 1000;
			have_span = true;
		} else if (strcmp(key, "condition") == 0) {
			have_cond = true;
			x = v;
			cline = line;
		} else if (strcmp(key, "aliases") == 0) {
			void *ai = NULL;
			struct fy_node_pair *ap;
			size_t n = fy_node_is_mapping(v) ? (size_t)fy_node_mapping_item_count(v) : 0;
			if (!fy_node_is_mapping(v))
				return corr_fail(d, VG_ERR_INVALID, "correlation.aliases", line,
						 "must be a map: alias: {rule name: field}%s", NULL);
			if (n > VG_CORR_GROUP_BY_MAX)
				return corr_fail(d, VG_ERR_LIMIT, "correlation.aliases", line, "too many aliases%s", NULL);
			if (!(cr->aliases = vg_arena_calloc(rs->arena, n ? n : 1, sizeof(vg_corr_alias))))
				return VG_ERR_NOMEM;
			while ((ap = fy_node_mapping_iterate(v, &ai))) {
				vg_corr_alias *al = &cr->aliases[cr->naliases];
				struct fy_node *m = fy_node_pair_value(ap);
				unsigned aline = vg_yaml_line(fy_node_pair_key(ap));
				void *mi = NULL;
				struct fy_node_pair *mp;
				if (!(al->name = vg_yaml_arena_scalar(rs->arena, fy_node_pair_key(ap))))
					return corr_fail(d, VG_ERR_INVALID, "correlation.aliases", aline, "bad alias name%s", NULL);
				al->line = aline;
				if (!m || !fy_node_is_mapping(m))
					return corr_fail(d, VG_ERR_INVALID, "correlation.aliases", aline,
							 "alias '%s' must map rule names to fields", al->name);
				size_t nm = (size_t)fy_node_mapping_item_count(m);
				if (nm > VG_CORR_REFS_MAX)
					return corr_fail(d, VG_ERR_LIMIT, "correlation.aliases", aline, "alias '%s' is too long", al->name);
				al->rules = vg_arena_calloc(rs->arena, nm ? nm : 1, sizeof(char *));
				al->fields = vg_arena_calloc(rs->arena, nm ? nm : 1, sizeof(char *));
				if (!al->rules || !al->fields)
					return VG_ERR_NOMEM;
				while ((mp = fy_node_mapping_iterate(m, &mi))) {
					const char *rn = vg_yaml_arena_scalar(rs->arena, fy_node_pair_key(mp));
					const char *fn = vg_yaml_arena_scalar(rs->arena, fy_node_pair_value(mp));
					if (!rn || !fn || !fn[0])
						return corr_fail(d, VG_ERR_INVALID, "correlation.aliases", vg_yaml_line(fy_node_pair_key(mp)),
								 "alias '%s': each entry is 'rule name: field'", al->name);
					al->rules[al->n] = rn;
					al->fields[al->n++] = fn;
				}
				cr->naliases++;
			}
		} else if (strcmp(key, "generate") == 0) {
			continue; /* read above */
		} else {
			return corr_fail(d, VG_ERR_INVALID, "correlation", line,
					 "unknown key '%s' (type, rules, group-by, timespan, condition, aliases, generate)", key);
		}
	}
	if (!have_type)
		return corr_fail(d, VG_ERR_INVALID, "correlation.type", cline, "correlation rule without 'type'%s", NULL);
	if (!have_rules)
		return corr_fail(d, VG_ERR_INVALID, "correlation.rules", cline, "correlation rule without 'rules'%s", NULL);
	if (!have_span)
		return corr_fail(d, VG_ERR_INVALID, "correlation.timespan", cline, "correlation rule without 'timespan'%s",
				 NULL);
	if (!have_group)
		return corr_fail(d, VG_ERR_INVALID, "correlation.group-by", cline,
				 "correlation rule without 'group-by' (mandatory; [] puts every event in one group)%s", NULL);
	if (have_cond) {
		if ((e = load_corr_condition(rs, x, cline, cr, d)))
			return e;
	} else if (cr->type == CT_TEMPORAL || cr->type == CT_TEMPORAL_ORDERED) {
		cr->ops[0] = COP_GTE; /* every referenced rule */
		cr->vals[0] = (double)cr->nrefs;
		cr->nconds = 1;
	} else {
		return corr_fail(d, VG_ERR_INVALID, "correlation.condition", cline,
				 "a %s correlation rule needs a 'condition'", corr_type_names[cr->type]);
	}
	for (size_t i = 0; i < cr->naliases; i++) {
		bool used = false;
		for (size_t j = 0; j < cr->ngroup; j++)
			used |= strcmp(cr->group_by[j], cr->aliases[i].name) == 0;
		for (size_t j = 0; j < cr->nfields; j++)
			used |= strcmp(cr->fields[j], cr->aliases[i].name) == 0;
		if (!used && rep) { /* a warning: the alias has no effect */
			vg_diag w;
			vg_diag_set(&w, VG_OK, "correlation.aliases", "alias '%s' is used neither in group-by nor in field",
				    cr->aliases[i].name);
			vg_diag_at(&w, file, cr->aliases[i].line);
			rep->warnings++;
			if (rep->problem)
				rep->problem(rep->ctx, &w);
		}
	}
	if ((e = vg_corr_add_rule(rs, cr)))
		return e == VG_ERR_LIMIT ? vg_diag_set(d, e, NULL, "too many correlation rules") : e;
	rep->correlations++;
	return VG_OK;
}
