/* Field-mapping configurations (etc/detect/NAME.yml):
 *
 *   strip_prefixes: [Event.EventData., Event.System., "Event.UserData.*."]
 *   rename:        {flattened.path: Name}
 *   fieldmappings: {SigmaField: event.field}
 *   placeholders:  {Administrators: [admin1, admin2]}
 *   timestamp:     [TimeCreated_SystemTime, UtcTime]   (event time, correlations)
 *   logsources:
 *     - {product: windows, category: process_creation,
 *        conditions: {Channel: Microsoft-Windows-Sysmon/Operational, EventID: 1}}
 *
 * An event's flattened paths are normalised (".#attributes." joins with "_",
 * a trailing ".#text" goes, the first matching prefix is stripped, then
 * renames apply) and looked up case-insensitively among the fields the rules
 * use. A rule sees an event only if every route matching its logsource holds. */
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "detect/internal.h"

static char *lowdup(vg_arena *a, const char *s, size_t n)
{
	char *p = vg_arena_strndup(a, s, n);
	if (p)
		for (size_t i = 0; i < n; i++)
			if (p[i] >= 'A' && p[i] <= 'Z')
				p[i] = (char)(p[i] + 32);
	return p;
}

static const char *sc(struct fy_node *n, size_t *len)
{
	if (!n || !fy_node_is_scalar(n))
		return NULL;
	return fy_node_get_scalar(n, len);
}

static vg_err str_list(vg_arena *a, struct fy_node *n, bool lower, const char ***out, size_t **lens, size_t *count)
{
	size_t cnt = n && fy_node_is_sequence(n) ? (size_t)fy_node_sequence_item_count(n) : 1;
	const char **v = vg_arena_calloc(a, cnt, sizeof(char *));
	size_t *l = vg_arena_calloc(a, cnt, sizeof(size_t));
	size_t k = 0, len;
	const char *s;
	if (!v || !l)
		return VG_ERR_NOMEM;
	if (n && fy_node_is_sequence(n)) {
		void *it = NULL;
		struct fy_node *x;
		while ((x = fy_node_sequence_iterate(n, &it))) {
			if (!(s = sc(x, &len)))
				return VG_ERR_INVALID;
			if (!(v[k] = lower ? lowdup(a, s, len) : vg_arena_strndup(a, s, len)))
				return VG_ERR_NOMEM;
			l[k++] = len;
		}
	} else {
		if (!(s = sc(n, &len)))
			return VG_ERR_INVALID;
		if (!(v[k] = lower ? lowdup(a, s, len) : vg_arena_strndup(a, s, len)))
			return VG_ERR_NOMEM;
		l[k++] = len;
	}
	*out = v;
	if (lens)
		*lens = l;
	*count = k;
	return VG_OK;
}

static vg_err load_routes(vg_ruleset *rs, struct fy_node *seq, const char *name, vg_diag *d)
{
	void *it = NULL;
	struct fy_node *ent;
	if (!fy_node_is_sequence(seq))
		return vg_diag_set(d, VG_ERR_INVALID, "logsources", "must be a list");
	while ((ent = fy_node_sequence_iterate(seq, &it))) {
		vg_route *r = vg_arena_calloc(rs->arena, 1, sizeof(*r));
		void *it2 = NULL;
		struct fy_node_pair *p;
		size_t len;
		if (!r)
			return VG_ERR_NOMEM;
		r->product = r->category = r->service = "";
		r->source = name;
		if (!fy_node_is_mapping(ent))
			return vg_diag_set(d, VG_ERR_INVALID, "logsources", "each entry must be a map");
		while ((p = fy_node_mapping_iterate(ent, &it2))) {
			const char *k = sc(fy_node_pair_key(p), &len);
			struct fy_node *v = fy_node_pair_value(p);
			const char *s;
			size_t sl;
			if (!k)
				return vg_diag_set(d, VG_ERR_INVALID, "logsources", "keys must be scalars");
			if (strncmp(k, "conditions", len) == 0 && len == 10) {
				size_t n = fy_node_is_mapping(v) ? (size_t)fy_node_mapping_item_count(v) : 0;
				void *it3 = NULL;
				struct fy_node_pair *cp;
				if (!fy_node_is_mapping(v))
					return vg_diag_set(d, VG_ERR_INVALID, "logsources.conditions", "must be a map");
				if (!(r->conds = vg_arena_calloc(rs->arena, n ? n : 1, sizeof(vg_route_cond))))
					return VG_ERR_NOMEM;
				while ((cp = fy_node_mapping_iterate(v, &it3))) {
					vg_route_cond *c = &r->conds[r->nconds++];
					const char *f = sc(fy_node_pair_key(cp), &sl);
					if (!f)
						return vg_diag_set(d, VG_ERR_INVALID, "logsources.conditions", "bad field");
					if ((c->fid = vg_rs_field_id(rs, f, sl)) < 0)
						return VG_ERR_NOMEM;
					vg_err e = str_list(rs->arena, fy_node_pair_value(cp), true, &c->vals, &c->lens,
							    &c->nvals);
					if (e)
						return e == VG_ERR_INVALID
							       ? vg_diag_set(d, e, "logsources.conditions", "values must be scalars")
							       : e;
				}
				continue;
			}
			if (!(s = sc(v, &sl)))
				return vg_diag_set(d, VG_ERR_INVALID, "logsources", "'%.*s' must be a scalar", (int)len, k);
			char *val = vg_arena_strndup(rs->arena, s, sl);
			if (!val)
				return VG_ERR_NOMEM;
			if (len == 7 && memcmp(k, "product", 7) == 0)
				r->product = val;
			else if (len == 8 && memcmp(k, "category", 8) == 0)
				r->category = val;
			else if (len == 7 && memcmp(k, "service", 7) == 0)
				r->service = val;
			else
				return vg_diag_set(d, VG_ERR_INVALID, "logsources", "unknown key '%.*s'", (int)len, k);
		}
		vg_err e = vg_vec_push(&rs->routes, r);
		if (e)
			return e;
	}
	return VG_OK;
}

static vg_err load_mapping_doc(vg_ruleset *rs, struct fy_node *root, const char *name, vg_diag *d)
{
	void *it = NULL;
	struct fy_node_pair *p;
	vg_err e;
	if (!fy_node_is_mapping(root))
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "a mapping must be a YAML map");
	while ((p = fy_node_mapping_iterate(root, &it))) {
		size_t len;
		const char *k = sc(fy_node_pair_key(p), &len);
		struct fy_node *v = fy_node_pair_value(p);
		if (!k)
			return vg_diag_set(d, VG_ERR_INVALID, NULL, "keys must be scalars");
		if (len == 14 && memcmp(k, "strip_prefixes", 14) == 0) {
			const char **vals;
			size_t n;
			if ((e = str_list(rs->arena, v, true, &vals, NULL, &n)))
				return e == VG_ERR_INVALID ? vg_diag_set(d, e, "strip_prefixes", "a list of strings") : e;
			for (size_t i = 0; i < n; i++)
				if ((e = vg_vec_push(&rs->strip_prefixes, (void *)vals[i])))
					return e;
		} else if ((len == 6 && memcmp(k, "rename", 6) == 0) || (len == 13 && memcmp(k, "fieldmappings", 13) == 0) ||
			   (len == 12 && memcmp(k, "placeholders", 12) == 0)) {
			bool ph = k[0] == 'p';
			vg_map *m = k[0] == 'r' ? &rs->renames : k[0] == 'f' ? &rs->fieldmap : &rs->placeholders;
			void *it2 = NULL;
			struct fy_node_pair *q;
			if (!fy_node_is_mapping(v))
				return vg_diag_set(d, VG_ERR_INVALID, k, "must be a map");
			while ((q = fy_node_mapping_iterate(v, &it2))) {
				size_t kl, vl;
				const char *kk = sc(fy_node_pair_key(q), &kl);
				void *val;
				if (!kk)
					return vg_diag_set(d, VG_ERR_INVALID, k, "keys must be scalars");
				if (ph) {
					vg_placeholder *pl = vg_arena_calloc(rs->arena, 1, sizeof(*pl));
					if (!pl)
						return VG_ERR_NOMEM;
					if ((e = str_list(rs->arena, fy_node_pair_value(q), false, &pl->vals, NULL, &pl->nvals)))
						return e == VG_ERR_INVALID ? vg_diag_set(d, e, "placeholders", "values must be strings")
									  : e;
					val = pl;
					if ((e = vg_map_put(m, kk, kl, val, NULL)))
						return e;
					continue;
				}
				const char *vv = sc(fy_node_pair_value(q), &vl);
				if (!vv)
					return vg_diag_set(d, VG_ERR_INVALID, k, "values must be strings");
				if (!(val = vg_arena_strndup(rs->arena, vv, vl)))
					return VG_ERR_NOMEM;
				char *lk = lowdup(rs->arena, kk, kl);
				if (!lk)
					return VG_ERR_NOMEM;
				if ((e = vg_map_put(m, lk, kl, val, NULL)))
					return e;
			}
		} else if (len == 9 && memcmp(k, "timestamp", 9) == 0) {
			/* event time for correlation windows: candidate event fields, first present wins */
			const char **vals;
			size_t n;
			vg_corr_set *cs = vg_corr_set_get(rs);
			if (!cs)
				return VG_ERR_NOMEM;
			if ((e = str_list(rs->arena, v, false, &vals, NULL, &n)))
				return e == VG_ERR_INVALID ? vg_diag_set(d, e, "timestamp", "a field name or a list of them") : e;
			const char **all = vg_arena_calloc(rs->arena, cs->nts + n, sizeof(char *));
			if (!all)
				return VG_ERR_NOMEM;
			if (cs->nts)
				memcpy(all, cs->ts_fields, cs->nts * sizeof(char *));
			memcpy(all + cs->nts, vals, n * sizeof(char *));
			cs->ts_fields = all;
			cs->nts += n;
		} else if (len == 10 && memcmp(k, "logsources", 10) == 0) {
			if ((e = load_routes(rs, v, name, d)))
				return e;
		} else if (!(len == 5 && memcmp(k, "title", 5) == 0) && !(len == 11 && memcmp(k, "description", 11) == 0)) {
			return vg_diag_set(d, VG_ERR_INVALID, NULL, "unknown key '%.*s'", (int)len, k);
		}
	}
	rs->have_mapping = true;
	return VG_OK;
}

vg_err vg_ruleset_load_mapping_string(vg_ruleset *rs, const char *name, const char *yaml, size_t len, vg_diag *d)
{
	struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET | FYPCF_DEFAULT_PARSE};
	struct fy_document *doc;
	vg_err e;
	char *nm;
	if (rs->compiled || rs->rules.len)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "mappings must be loaded before rules");
	if (len > VG_MAPPING_FILE_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, NULL, "mapping larger than %d bytes", VG_MAPPING_FILE_MAX);
	if (!(nm = vg_arena_strdup(rs->arena, name)))
		return VG_ERR_NOMEM;
	unsigned dline;
	if (vg_yaml_directives_check(yaml, len, &dline)) {
		vg_diag_set(d, VG_ERR_INVALID, NULL, "YAML: a line starting with '%%' that is not a %%YAML or %%TAG directive");
		vg_diag_at(d, name, dline);
		return VG_ERR_INVALID;
	}
	doc = fy_document_build_from_string(&cfg, yaml, len);
	if (!doc) {
		e = vg_diag_set(d, VG_ERR_INVALID, NULL, "not valid YAML");
	} else {
		e = load_mapping_doc(rs, fy_document_root(doc), nm, d);
		fy_document_destroy(doc);
	}
	if (e && d)
		vg_diag_at(d, name, 0);
	return e;
}

vg_err vg_ruleset_load_mapping(vg_ruleset *rs, const char *path, vg_diag *d)
{
	char *buf;
	size_t len;
	vg_err e = vg_detect_read_file(path, VG_MAPPING_FILE_MAX, &buf, &len, d);
	if (e)
		return e;
	e = vg_ruleset_load_mapping_string(rs, path, buf, len, d);
	free(buf);
	return e;
}

const char *vg_rs_map_field(const vg_ruleset *rs, const char *name)
{
	char low[VG_EVENT_PATH_MAX];
	size_t n = strlen(name);
	if (!rs->fieldmap.len || n >= sizeof(low))
		return name;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32 : name[i]);
	const char *m = vg_map_get(&rs->fieldmap, low, n);
	return m ? m : name;
}

/* Does the lowered path start with the prefix (one "*" matches one segment)? */
static size_t prefix_len(const char *pre, const char *path, size_t n)
{
	size_t i = 0, j = 0;
	while (pre[i]) {
		if (pre[i] == '*') {
			while (j < n && path[j] != '.')
				j++;
			i++;
			continue;
		}
		if (j >= n || pre[i] != path[j])
			return 0;
		i++;
		j++;
	}
	return j;
}

/* Normalise a flattened event path into out (lowered); returns its length. */
size_t vg_rs_normalize(const vg_ruleset *rs, const char *path, size_t n, char *out, size_t outsz)
{
	size_t o = 0;
	if (n >= outsz)
		n = outsz - 1;
	for (size_t i = 0; i < n; i++) {
		char c = path[i];
		if (c == '.' && path[i + 1 < n ? i + 1 : i] == '#' && n - i >= 13 && memcmp(path + i, ".#attributes.", 13) == 0) {
			out[o++] = '_';
			i += 12;
			continue;
		}
		if (c == ' ')
			continue; /* "Source Name" is SourceName in rules (spec: strip spaces) */
		out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	if (o >= 6 && memcmp(out + o - 6, ".#text", 6) == 0)
		o -= 6;
	out[o] = 0;
	for (size_t i = 0; i < rs->strip_prefixes.len; i++) {
		size_t pl = prefix_len(rs->strip_prefixes.items[i], out, o);
		if (pl && pl < o) {
			memmove(out, out + pl, o - pl + 1);
			o -= pl;
			break;
		}
	}
	if (rs->renames.len) {
		const char *r = vg_map_get(&rs->renames, out, o);
		if (r) {
			size_t rl = strlen(r);
			if (rl >= outsz)
				rl = outsz - 1;
			for (size_t i = 0; i < rl; i++)
				out[i] = (char)(r[i] >= 'A' && r[i] <= 'Z' ? r[i] + 32 : r[i]);
			out[rl] = 0;
			o = rl;
		}
	}
	return o;
}
