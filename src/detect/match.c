/* Matching an event against the compiled ruleset, on one worker thread with
 * its own scratch: parse the event into fields, scan its lowered values once
 * with the literal prefilter to find candidate rules, then evaluate only the
 * candidates (plus the few rules without a usable literal), each after its
 * logsource routes. */
#include <hs/hs.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "detect/internal.h"
#include "detect/ioc_int.h"

#define LF_UNSEEN (-3)
#define LF_MANY (-2)

struct vg_detect_scratch {
	const vg_ruleset *rs;
	vg_event ev;
	hs_scratch_t *hs;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	uint8_t *memo;       /* per selection: 0 unknown, 1 false, 2 true */
	uint8_t *route_memo; /* per route: same */
	uint8_t *group_memo; /* per route group (literal database): same */
	/* route cache: values of the fields routes test -> routes that hold and
	 * the literal databases to scan (route_entry) */
	int *rfids;
	size_t nrfids;
	vg_map rcache;
	struct route_entry **rents;
	size_t nrents;
	struct route_entry *rtmp;
	uint8_t *keyonly; /* per always rule: rule_keyonly */
	uint64_t *candbits;
	int32_t *litfid; /* per literal: LF_UNSEEN, the one field it was seen in, or LF_MANY */
	uint32_t *litlist; /* literals seen (to reset litfid) */
	size_t nlitfound;
	size_t litcur; /* on_literal: field of the previous match */
	/* addresses parsed for cidr values in this event (several rules test the
	 * same DestinationIp): event generation, value offset, result */
	uint64_t gen;
	struct ipcache {
		uint64_t gen;
		uint32_t off;
		bool ok;
		vg_ip ip;
	} ipc[4];
	uint32_t *cand;
	size_t ncand;
	vg_hit_field *hf;
	size_t nhf, caphf;
	vg_buf out;
	const char *src;
	size_t srclen;
	bool src_json;
	bool exhaustive; /* bypass the prefilter (tests) */
	vg_ioc_scratch *ioc; /* indicator sets: set by vg_detect_scratch_set_ioc */
	vg_ioc_hit_fn ioc_fn;
	void *ioc_ctx;
};

void vg_detect_scratch_set_exhaustive(vg_detect_scratch *s, bool on)
{
	s->exhaustive = on;
}

/* Which routes hold depends only on the values of the fields the routes
 * test (Channel, EventID, ...), which take few distinct values in a log: each
 * scratch caches, per combination of those values, the routes that hold and
 * the literal databases to scan. */
typedef struct route_entry {
	uint32_t nscan;
	uint32_t *scan; /* route groups whose database the event scans */
	uint8_t *memo;  /* per route: 1 false, 2 true */
	uint8_t *always; /* per rule without literal (always_rules) whose fields are all route-key fields: 0 unknown, 1 false, 2 true */
} route_entry;

static route_entry *route_entry_new(const vg_ruleset *rs)
{
	size_t nr = rs->routes.len, ng = rs->nlit_groups;
	route_entry *e = malloc(sizeof(*e) + ng * sizeof(uint32_t) + nr + rs->nalways + 1);
	if (!e)
		return NULL;
	e->nscan = 0;
	e->scan = (uint32_t *)(e + 1);
	e->memo = (uint8_t *)(e->scan + ng);
	e->always = e->memo + nr;
	memset(e->always, 0, rs->nalways);
	return e;
}

/* A rule that reads only route-key fields, non-cased, with value kinds
 * whose result depends on the lowered values alone (the route key holds
 * them, with their order and nullness): its result is a function of the key
 * and is kept in the route entry. */
static bool rule_keyonly(const vg_detect_scratch *s, const vg_srule *r)
{
	for (size_t i = 0; i < r->nsels; i++)
		for (size_t g = 0; g < r->sels[i].ngroups; g++)
			for (size_t t = 0; t < r->sels[i].groups[g].nitems; t++) {
				const vg_sitem *it = &r->sels[i].groups[g].items[t];
				size_t k = 0;
				while (k < s->nrfids && s->rfids[k] != it->fid)
					k++;
				if (k == s->nrfids || it->fid < 0 || it->cased)
					return false;
				for (size_t v = 0; v < it->nvals; v++)
					if (it->vals[v].kind != VK_PATTERN && it->vals[v].kind != VK_NULL &&
					    it->vals[v].kind != VK_EXISTS && it->vals[v].kind != VK_NEVER)
						return false;
			}
	return true;
}

static vg_err route_cache_init(vg_detect_scratch *s)
{
	const vg_ruleset *rs = s->rs;
	size_t n = 0;
	for (size_t i = 0; i < rs->routes.len; i++)
		n += ((const vg_route *)rs->routes.items[i])->nconds;
	if (!(s->rfids = malloc((n ? n : 1) * sizeof(int))) || !(s->rtmp = route_entry_new(rs)))
		return VG_ERR_NOMEM;
	for (size_t i = 0; i < rs->routes.len; i++) {
		const vg_route *rt = rs->routes.items[i];
		for (size_t c = 0; c < rt->nconds; c++) {
			size_t k = 0;
			while (k < s->nrfids && s->rfids[k] != rt->conds[c].fid)
				k++;
			if (k == s->nrfids && rt->conds[c].fid >= 0)
				s->rfids[s->nrfids++] = rt->conds[c].fid;
		}
	}
	return VG_OK;
}

vg_detect_scratch *vg_detect_scratch_new(const vg_ruleset *rs)
{
	vg_detect_scratch *s = calloc(1, sizeof(*s));
	size_t nr = rs->rules.len ? rs->rules.len : 1;
	if (!s)
		return NULL;
	s->rs = rs;
	vg_buf_init(&s->out, VG_EVENT_SIZE_MAX * 8);
	if (vg_event_init(&s->ev, rs))
		goto fail;
	for (size_t g = 0; g < rs->nlit_groups; g++)
		if (rs->lit_groups[g].db && hs_alloc_scratch(rs->lit_groups[g].db, &s->hs) != HS_SUCCESS)
			goto fail;
	s->md = pcre2_match_data_create(16, NULL);
	s->mctx = pcre2_match_context_create(NULL);
	if (s->mctx)
		pcre2_set_match_limit(s->mctx, VG_SIGMA_REGEX_MATCH_LIMIT);
	s->memo = calloc(VG_SIGMA_SELECTIONS_MAX, 1);
	s->route_memo = calloc(rs->routes.len ? rs->routes.len : 1, 1);
	s->group_memo = calloc(rs->nlit_groups ? rs->nlit_groups : 1, 1);
	vg_map_init(&s->rcache);
	if (route_cache_init(s) || !(s->keyonly = calloc(rs->nalways + 1, 1)))
		goto fail;
	for (size_t i = 0; i < rs->nalways; i++) {
		const vg_srule *r = rs->rules.items[rs->always_rules[i]];
		bool k = rule_keyonly(s, r);
		for (size_t f = 0; f < r->nfilters && k; f++)
			k = rule_keyonly(s, r->filters[f]);
		s->keyonly[i] = k;
	}
	s->candbits = calloc((nr + 63) / 64, sizeof(uint64_t));
	s->cand = calloc(nr, sizeof(uint32_t));
	s->litfid = malloc((rs->nliterals + 1) * sizeof(int32_t));
	s->litlist = calloc(rs->nliterals + 1, sizeof(uint32_t));
	for (size_t i = 0; s->litfid && i < rs->nliterals; i++)
		s->litfid[i] = LF_UNSEEN;
	if (!s->litfid || !s->litlist || !s->md || !s->mctx || !s->memo || !s->route_memo || !s->group_memo || !s->candbits || !s->cand)
		goto fail;
	return s;
fail:
	vg_detect_scratch_free(s);
	return NULL;
}

void vg_detect_scratch_free(vg_detect_scratch *s)
{
	if (!s)
		return;
	vg_event_fini(&s->ev);
	if (s->hs)
		hs_free_scratch(s->hs);
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mctx);
	free(s->memo);
	free(s->route_memo);
	free(s->group_memo);
	for (size_t i = 0; i < s->nrents; i++)
		free(s->rents[i]);
	free(s->rents);
	free(s->rtmp);
	free(s->keyonly);
	free(s->rfids);
	vg_map_fini(&s->rcache);
	free(s->candbits);
	free(s->cand);
	free(s->litfid);
	free(s->litlist);
	free(s->hf);
	vg_ioc_scratch_free(s->ioc);
	vg_buf_fini(&s->out);
	free(s);
}

/* ---- value matching ---- */

/* Substring test tuned for short field values: memchr on the first byte,
 * memcmp for the rest (glibc memmem's setup dominates at these sizes). */
static bool contains(const char *h, size_t n, const char *p, size_t m)
{
	if (m == 0)
		return true;
	if (n < m)
		return false;
#if defined(__SSE2__)
	if (m >= 2) {
		/* 16 start positions at a time: first and last byte of p both in place */
		const __m128i first = _mm_set1_epi8(p[0]), last = _mm_set1_epi8(p[m - 1]);
		size_t i = 0;
		for (; i + m - 1 + 16 <= n; i += 16) {
			__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(h + i));
			__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(h + i + m - 1));
			unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));
			while (mask) {
				unsigned k = (unsigned)__builtin_ctz(mask);
				if (memcmp(h + i + k + 1, p + 1, m - 2) == 0)
					return true;
				mask &= mask - 1;
			}
		}
		h += i; /* fewer than 16 start positions left */
		n -= i;
		if (n < m)
			return false;
	}
#endif
	const char *end = h + (n - m) + 1;
	while (h < end) {
		const char *q = memchr(h, p[0], (size_t)(end - h));
		if (!q)
			return false;
		if (memcmp(q + 1, p + 1, m - 1) == 0)
			return true;
		h = q + 1;
	}
	return false;
}

bool vg_contains(const char *h, size_t n, const char *p, size_t m)
{
	return contains(h, n, p, m);
}

static bool pattern_match(const vg_sval *v, const char *s, size_t n)
{
	switch (v->shape) {
	case PS_EXACT: return n == v->litlen && memcmp(s, v->lit, n) == 0;
	case PS_PREFIX: return n >= v->litlen && memcmp(s, v->lit, v->litlen) == 0;
	case PS_SUFFIX: return n >= v->litlen && memcmp(s + n - v->litlen, v->lit, v->litlen) == 0;
	case PS_CONTAINS: return contains(s, n, v->lit, v->litlen);
	default: return vg_glob_match(v->lit, v->litlen, s, n);
	}
}

static bool value_match(vg_detect_scratch *sc, const vg_sitem *it, const vg_sval *v, const vg_efield *f)
{
	const vg_event *ev = &sc->ev;
	const char *orig = ev->hay.data + f->val_off;
	size_t n = f->val_len;
	switch (v->kind) {
	case VK_PATTERN:
		if (f->type == FT_NULL)
			return false;
		return pattern_match(v, it->cased ? orig : ev->low.data + f->val_off, n);
	case VK_REGEX:
		if (f->type == FT_NULL ||
		    (v->re_needlen && !sc->exhaustive && !contains(ev->low.data + f->val_off, n, v->re_need, v->re_needlen)))
			return false;
		return pcre2_match(v->re, (PCRE2_SPTR)orig, n, 0, 0, sc->md, sc->mctx) >= 0;
	case VK_CIDR: {
		struct ipcache *c = &sc->ipc[f->val_off & 3];
		if (f->type == FT_NULL)
			return false;
		if (c->gen != sc->gen || c->off != f->val_off) {
			c->gen = sc->gen;
			c->off = f->val_off;
			c->ok = vg_ip_parse(orig, n, &c->ip, NULL) == VG_OK;
		}
		return c->ok && vg_cidr_contains(&v->cidr, &c->ip);
	}
	case VK_NUMCMP: {
		double x;
		return vg_number_of(orig, n, &x) && vg_cmp_num((vg_cmp)v->cmp, x, v->num);
	}
	case VK_TIMEPART: {
		double x;
		return vg_time_part(orig, n, (vg_timepart)v->timepart, &x) && vg_cmp_num((vg_cmp)v->cmp, x, v->num);
	}
	case VK_FIELDREF: {
		if (v->ref_fid < 0 || (size_t)v->ref_fid >= ev->nfids)
			return false;
		for (int32_t j = ev->slot[v->ref_fid]; j >= 0; j = ev->fields[j].next) {
			const vg_efield *g = &ev->fields[j];
			const char *base = it->cased ? ev->hay.data : ev->low.data;
			if (g->val_len == n && memcmp(base + g->val_off, base + f->val_off, n) == 0)
				return true;
		}
		return false;
	}
	case VK_NULL: return f->type == FT_NULL;
	default: return false;
	}
}

/* Does any instance of the item's field match v? */
static bool field_value_match(vg_detect_scratch *sc, const vg_sitem *it, const vg_sval *v)
{
	const vg_event *ev = &sc->ev;
	if ((v->kind == VK_PATTERN || v->kind == VK_REGEX) && v->lit_id >= 0 && !sc->exhaustive) {
		int32_t lf = sc->litfid[v->lit_id];
		if (lf == LF_UNSEEN || (it->fid >= 0 && lf != LF_MANY && lf != it->fid))
			return false; /* the scan did not see its literal (in this field) */
		if (v->lit_whole && (it->fid < 0 || lf == it->fid))
			return true; /* seen in this field (a value of it, between two '\n'), or anywhere for keywords */
	}
	if (it->fid < 0) { /* keywords: anywhere in the event */
		if (v->kind == VK_PATTERN && v->shape == PS_CONTAINS) {
			const vg_buf *b = it->cased ? &ev->hay : &ev->low;
			return b->len && (v->litlen == 0 || memmem(b->data, b->len, v->lit, v->litlen));
		}
		for (size_t i = 0; i < ev->nfields; i++)
			if (value_match(sc, it, v, &ev->fields[i]))
				return true;
		return false;
	}
	for (int32_t j = ev->slot[it->fid]; j >= 0; j = ev->fields[j].next)
		if (value_match(sc, it, v, &ev->fields[j]))
			return true;
	return false;
}

static bool item_match(vg_detect_scratch *sc, const vg_sitem *it)
{
	const vg_event *ev = &sc->ev;
	bool present = it->fid >= 0 && (size_t)it->fid < ev->nfids && ev->slot[it->fid] >= 0;
	if (it->nvals == 1 && it->vals[0].kind == VK_EXISTS)
		return present == it->vals[0].exists;
	if (it->nvals == 1 && it->vals[0].kind == VK_NULL)
		return !present || ev->fields[ev->slot[it->fid]].type == FT_NULL;
	if (it->fid >= 0 && !present)
		return false;
	bool r = it->all;
	if (it->vset && !sc->exhaustive) { /* (an OR) */
		const char *base = it->cased ? ev->hay.data : ev->low.data;
		for (int32_t j = ev->slot[it->fid]; j >= 0; j = ev->fields[j].next) {
			const vg_efield *f = &ev->fields[j];
			if (f->type != FT_NULL && vg_vset_match(it->vset, base + f->val_off, f->val_len))
				return !it->neq;
		}
		for (uint32_t i = 0; i < it->nvrest; i++)
			if (field_value_match(sc, it, &it->vals[it->vrest[i]]))
				return !it->neq;
		return it->neq;
	}
	for (size_t i = 0; i < it->nvals; i++) {
		bool m = field_value_match(sc, it, &it->vals[i]);
		if (it->all && !m) {
			r = false;
			break;
		}
		if (!it->all && m) {
			r = true;
			break;
		}
	}
	return it->neq ? !r : r;
}

static bool group_match(vg_detect_scratch *sc, const vg_sgroup *g)
{
	for (size_t i = 0; i < g->nitems; i++)
		if (!item_match(sc, &g->items[i]))
			return false;
	return true;
}

static bool sel_match(vg_detect_scratch *sc, const vg_srule *r, uint32_t i)
{
	if (sc->memo[i])
		return sc->memo[i] == 2;
	bool m = false;
	for (size_t g = 0; g < r->sels[i].ngroups && !m; g++)
		m = group_match(sc, &r->sels[i].groups[g]);
	sc->memo[i] = m ? 2 : 1;
	return m;
}

static bool cond_eval(vg_detect_scratch *sc, const vg_srule *r, const vg_cnode *n)
{
	switch (n->op) {
	case CO_SEL: return sel_match(sc, r, n->sel);
	case CO_NOT: return !cond_eval(sc, r, n->kids[0]);
	case CO_AND:
		for (uint32_t i = 0; i < n->nkids; i++)
			if (!cond_eval(sc, r, n->kids[i]))
				return false;
		return true;
	case CO_OR:
		for (uint32_t i = 0; i < n->nkids; i++)
			if (cond_eval(sc, r, n->kids[i]))
				return true;
		return false;
	case CO_OF: {
		uint32_t need = n->need ? n->need : n->nsels, got = 0;
		for (uint32_t i = 0; i < n->nsels; i++) {
			if (sel_match(sc, r, n->sels[i]))
				got++;
			else if (!n->need)
				return false;
			if (got >= need)
				return true;
		}
		return got >= need;
	}
	}
	return false;
}

static bool route_ok(vg_detect_scratch *sc, int idx)
{
	if (sc->route_memo[idx])
		return sc->route_memo[idx] == 2;
	const vg_route *rt = sc->rs->routes.items[idx];
	const vg_event *ev = &sc->ev;
	bool ok = true;
	for (size_t c = 0; c < rt->nconds && ok; c++) {
		const vg_route_cond *rc = &rt->conds[c];
		bool any = false;
		if (rc->fid >= 0 && (size_t)rc->fid < ev->nfids)
			for (int32_t j = ev->slot[rc->fid]; j >= 0 && !any; j = ev->fields[j].next) {
				const vg_efield *f = &ev->fields[j];
				for (size_t k = 0; k < rc->nvals && !any; k++)
					any = (rc->lens[k] == 1 && rc->vals[k][0] == '*') ||
					      (f->val_len == rc->lens[k] &&
					       memcmp(ev->low.data + f->val_off, rc->vals[k], rc->lens[k]) == 0);
			}
		ok = any;
	}
	sc->route_memo[idx] = ok ? 2 : 1;
	return ok;
}

static bool group_ok(vg_detect_scratch *sc, size_t g)
{
	if (!sc->group_memo[g]) {
		const vg_lit_group *G = &sc->rs->lit_groups[g];
		bool ok = true;
		for (size_t i = 0; i < G->nroutes && ok; i++)
			ok = route_ok(sc, G->routes[i]);
		sc->group_memo[g] = ok ? 2 : 1;
	}
	return sc->group_memo[g] == 2;
}

/* The routes that hold for the event (into route_memo) and the databases
 * of the largest route groups that hold (each holds the literals of the
 * groups whose routes are a subset of its own). */
static route_entry *event_routes(vg_detect_scratch *sc)
{
	const vg_ruleset *rs = sc->rs;
	const vg_event *ev = &sc->ev;
	char key[VG_DETECT_ROUTE_KEY_MAX];
	size_t kl = 0;
	bool cacheable = true;
	route_entry *e;
	for (size_t i = 0; i < sc->nrfids && cacheable; i++) {
		int fid = sc->rfids[i];
		key[kl++] = (char)(i + 1);
		if ((size_t)fid >= ev->nfids)
			continue;
		for (int32_t j = ev->slot[fid]; j >= 0 && cacheable; j = ev->fields[j].next) {
			const vg_efield *f = &ev->fields[j];
			if (kl + f->val_len + 2 + sc->nrfids > sizeof(key)) {
				cacheable = false;
				break;
			}
			memcpy(key + kl, ev->low.data + f->val_off, f->val_len);
			kl += f->val_len;
			key[kl++] = (char)(f->type == FT_NULL ? 1 : 0);
		}
	}
	if (cacheable && (e = vg_map_get(&sc->rcache, key, kl))) {
		memcpy(sc->route_memo, e->memo, rs->routes.len);
		return e;
	}
	memset(sc->route_memo, 0, rs->routes.len);
	memset(sc->group_memo, 0, rs->nlit_groups);
	e = sc->rtmp;
	e->nscan = 0;
	memset(e->always, 0, rs->nalways);
	for (size_t r = 0; r < rs->routes.len; r++)
		(void)route_ok(sc, (int)r);
	memcpy(e->memo, sc->route_memo, rs->routes.len);
	for (size_t g = 0; g < rs->nlit_groups; g++) {
		const vg_lit_group *G = &rs->lit_groups[g];
		bool largest = true;
		if (!G->db || !group_ok(sc, g))
			continue;
		for (size_t k = 0; k < G->nsupers && largest; k++)
			largest = !group_ok(sc, G->supers[k]);
		if (largest)
			e->scan[e->nscan++] = (uint32_t)g;
	}
	if (!cacheable || sc->nrents >= VG_DETECT_ROUTE_CACHE_MAX)
		return e;
	route_entry *c = route_entry_new(rs), **nv = realloc(sc->rents, (sc->nrents + 1) * sizeof(*nv));
	if (nv)
		sc->rents = nv;
	if (!c || !nv || vg_map_put(&sc->rcache, key, kl, c, NULL)) {
		free(c);
		return e;
	}
	c->nscan = e->nscan;
	memcpy(c->scan, e->scan, e->nscan * sizeof(uint32_t));
	memcpy(c->memo, e->memo, rs->routes.len);
	sc->rents[sc->nrents++] = c;
	return c;
}

static bool rule_match(vg_detect_scratch *sc, const vg_srule *r)
{
	if (!r->info.active)
		return false;
	for (size_t i = 0; i < r->nroutes; i++) /* event_routes decided every route */
		if (sc->route_memo[r->routes[i]] != 2)
			return false;
	memset(sc->memo, 0, r->nsels);
	if (!cond_eval(sc, r, r->cond))
		return false;
	for (size_t f = 0; f < r->nfilters; f++) {
		const vg_srule *fr = r->filters[f];
		uint8_t saved[VG_SIGMA_SELECTIONS_MAX];
		memcpy(saved, sc->memo, r->nsels);
		memset(sc->memo, 0, fr->nsels);
		bool hit = cond_eval(sc, fr, fr->cond);
		memset(sc->memo, 0, fr->nsels);
		memcpy(sc->memo, saved, r->nsels);
		if (hit)
			return false;
	}
	return true;
}

static void add_hit_field(vg_detect_scratch *sc, const char *name, const vg_efield *f)
{
	for (size_t i = 0; i < sc->nhf; i++)
		if (sc->hf[i].value == sc->ev.hay.data + f->val_off)
			return;
	if (sc->nhf == sc->caphf) {
		size_t nc = sc->caphf ? sc->caphf * 2 : 16;
		vg_hit_field *n = realloc(sc->hf, nc * sizeof(*n));
		if (!n)
			return;
		sc->hf = n;
		sc->caphf = nc;
	}
	sc->hf[sc->nhf].name = name;
	sc->hf[sc->nhf].value = sc->ev.hay.data + f->val_off;
	sc->hf[sc->nhf++].value_len = f->val_len;
}

/* Fields of positive selections that hold: which values made the rule fire. */
static void collect_fields(vg_detect_scratch *sc, const vg_srule *r)
{
	sc->nhf = 0;
	for (size_t s = 0; s < r->nsels; s++) {
		if (!r->sels[s].positive || sc->memo[s] != 2)
			continue;
		for (size_t g = 0; g < r->sels[s].ngroups; g++) {
			const vg_sgroup *grp = &r->sels[s].groups[g];
			if (!group_match(sc, grp))
				continue;
			for (size_t i = 0; i < grp->nitems; i++) {
				const vg_sitem *it = &grp->items[i];
				if (it->fid < 0) { /* keywords: the first field holding one */
					if (vg_event_paths(&sc->ev)) /* paths written now (hits are rare), before any is pointed to */
						continue;
					for (size_t j = 0; j < sc->ev.nfields; j++) {
						bool m = false;
						for (size_t v = 0; v < it->nvals && !m; v++)
							m = value_match(sc, it, &it->vals[v], &sc->ev.fields[j]);
						if (m) {
							add_hit_field(sc, sc->ev.paths.data + sc->ev.fields[j].path_off, &sc->ev.fields[j]);
							break;
						}
					}
					continue;
				}
				if ((size_t)it->fid >= sc->ev.nfids || sc->ev.slot[it->fid] < 0)
					continue;
				for (int32_t j = sc->ev.slot[it->fid]; j >= 0; j = sc->ev.fields[j].next) {
					bool m = false;
					for (size_t v = 0; v < it->nvals && !m; v++)
						m = it->vals[v].kind == VK_EXISTS || value_match(sc, it, &it->vals[v], &sc->ev.fields[j]);
					if (m || it->neq) {
						add_hit_field(sc, it->field, &sc->ev.fields[j]);
						break;
					}
				}
			}
			break;
		}
	}
}

typedef struct hs_ctx {
	vg_detect_scratch *sc;
} hs_ctx;

static int on_literal(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *ctx)
{
	vg_detect_scratch *sc = ((hs_ctx *)ctx)->sc;
	const vg_ruleset *rs = sc->rs;
	const vg_event *ev = &sc->ev;
	(void)from;
	(void)flags;
	/* the field holding the match's last byte (fields are in buffer order):
	 * matches come by increasing end offset, so walk on from the previous
	 * one's field; binary search when one comes earlier */
	size_t lo = sc->litcur;
	if (lo >= ev->nfields || ev->fields[lo].val_off >= to) {
		size_t hi = ev->nfields;
		lo = 0;
		while (hi - lo > 1) {
			size_t mid = (lo + hi) / 2;
			if (ev->fields[mid].val_off < to)
				lo = mid;
			else
				hi = mid;
		}
	} else {
		while (lo + 1 < ev->nfields && ev->fields[lo + 1].val_off < to)
			lo++;
	}
	sc->litcur = lo;
	int32_t fid = ev->nfields ? ev->fields[lo].fid : -1, *lf = &sc->litfid[id];
	if (*lf == LF_UNSEEN) {
		*lf = fid;
		sc->litlist[sc->nlitfound++] = id;
	} else if (*lf == fid) {
		return 0; /* already seen in this field */
	} else {
		*lf = LF_MANY;
	}
	for (uint32_t k = 0; k < rs->lit_nrules[id]; k++) {
		uint32_t r = rs->lit_rules[id][k];
		uint64_t bit = 1ull << (r & 63);
		int32_t want = rs->lit_fids[id][k];
		if (want >= 0 && want != fid)
			continue; /* the rule needs it in another field */
		if (!(sc->candbits[r >> 6] & bit)) {
			sc->candbits[r >> 6] |= bit;
			sc->cand[sc->ncand++] = r;
		}
	}
	return 0;
}

static int run_rules(vg_detect_scratch *sc, vg_hit_fn fn, void *ctx)
{
	const vg_ruleset *rs = sc->rs;
	int hits = 0;
	hs_ctx hc = {sc};
	sc->gen++; /* a new event: the address cache is stale */
	for (size_t i = 0; i < sc->nlitfound; i++)
		sc->litfid[sc->litlist[i]] = LF_UNSEEN;
	sc->nlitfound = 0;
	sc->ncand = 0;
	route_entry *re = event_routes(sc);
	size_t nlit = SIZE_MAX; /* candidates from here on are the always_rules */
	if (sc->ev.low.len)
		for (size_t i = 0; i < re->nscan; i++) {
			sc->litcur = 0;
			hs_scan(rs->lit_groups[re->scan[i]].db, sc->ev.low.data, (unsigned)sc->ev.low.len, 0, sc->hs,
				on_literal, &hc);
		}
	for (size_t i = 0; i < sc->ncand; i++)
		sc->candbits[sc->cand[i] >> 6] = 0;
	if (sc->exhaustive) {
		for (size_t i = 0; i < sc->ncand; i++)
			sc->candbits[sc->cand[i] >> 6] = 0;
		sc->ncand = 0;
		for (size_t i = 0; i < rs->rules.len; i++)
			sc->cand[sc->ncand++] = (uint32_t)i;
	} else {
		nlit = sc->ncand;
		for (size_t i = 0; i < rs->nalways; i++)
			sc->cand[sc->ncand++] = rs->always_rules[i];
	}
	for (size_t i = 0; i < sc->ncand; i++) {
		const vg_srule *r = rs->rules.items[sc->cand[i]];
		uint8_t *am = i >= nlit && sc->keyonly[i - nlit] ? &re->always[i - nlit] : NULL;
		if (am && *am == 1)
			continue; /* false for this route key */
		bool m = rule_match(sc, r);
		if (am)
			*am = m ? 2 : 1;
		if (!m)
			continue;
		hits++;
		if (fn) {
			collect_fields(sc, r);
			vg_hit h = {&r->info, sc->hf, sc->nhf};
			fn(ctx, &h);
		}
	}
	if (sc->ioc)
		hits += vg_ioc_match(sc->ioc, rs, &sc->ev, sc->ioc_fn, sc->ioc_ctx);
	return hits;
}

void vg_detect_scratch_set_ioc(vg_detect_scratch *s, vg_ioc_hit_fn fn, void *ctx)
{
	s->ioc_fn = fn;
	s->ioc_ctx = ctx;
	if (!fn) {
		vg_ioc_scratch_free(s->ioc);
		s->ioc = NULL;
	} else if (!s->ioc) {
		s->ioc = vg_ioc_scratch_new(); /* NULL on exhaustion: IOCs are then not matched */
	}
}

int vg_detect_json(vg_detect_scratch *s, const char *json, size_t len, vg_hit_fn fn, void *ctx, vg_diag *d)
{
	vg_err e = vg_event_from_json(&s->ev, s->rs, json, len, d);
	s->src = json;
	s->srclen = len;
	s->src_json = true;
	if (e)
		return -(int)e;
	return run_rules(s, fn, ctx);
}

int vg_detect_xml(vg_detect_scratch *s, const char *xml, size_t len, vg_hit_fn fn, void *ctx, vg_diag *d)
{
	vg_err e = vg_event_from_xml(&s->ev, s->rs, xml, len, d);
	s->src = xml;
	s->srclen = len;
	s->src_json = false;
	if (e)
		return -(int)e;
	return run_rules(s, fn, ctx);
}

const char *vg_detect_event_json(vg_detect_scratch *s)
{
	vg_buf_reset(&s->out);
	if (s->src_json) {
		size_t n = s->srclen;
		while (n && (s->src[n - 1] == '\n' || s->src[n - 1] == '\r' || s->src[n - 1] == ' '))
			n--;
		if (vg_buf_append(&s->out, s->src, n))
			return "{}";
		return vg_buf_cstr(&s->out);
	}
	if (vg_event_paths(&s->ev))
		return "{}";
	vg_buf_putc(&s->out, '{');
	for (size_t i = 0; i < s->ev.nfields; i++) {
		const vg_efield *f = &s->ev.fields[i];
		if (i)
			vg_buf_putc(&s->out, ',');
		vg_buf_put_json_str(&s->out, s->ev.paths.data + f->path_off, f->path_len);
		vg_buf_putc(&s->out, ':');
		vg_buf_put_json_str(&s->out, s->ev.hay.data + f->val_off, f->val_len);
	}
	if (vg_buf_putc(&s->out, '}'))
		return "{}";
	return vg_buf_cstr(&s->out);
}

/* First value (in document order) of a Sigma field in the last event, after
 * the mapping's fieldmappings; NULL when absent or when no rule, correlation
 * or timestamp setting made the field known at compile. */
const char *vg_detect_event_field(const vg_detect_scratch *s, const char *name, size_t *len)
{
	char low[VG_EVENT_PATH_MAX];
	const char *m = vg_rs_map_field(s->rs, name);
	size_t n = 0;
	for (size_t i = 0; m[i] && n + 1 < sizeof(low); i++)
		if (m[i] != ' ')
			low[n++] = (char)(m[i] >= 'A' && m[i] <= 'Z' ? m[i] + 32 : m[i]);
	low[n] = 0;
	int fid = vg_rs_field_find(s->rs, low, n);
	if (fid < 0 || (size_t)fid >= s->ev.nfids || s->ev.slot[fid] < 0)
		return NULL;
	int32_t j = s->ev.slot[fid];
	while (s->ev.fields[j].next >= 0)
		j = s->ev.fields[j].next;
	const vg_efield *f = &s->ev.fields[j];
	if (f->type == FT_NULL)
		return NULL;
	if (len)
		*len = f->val_len;
	return s->ev.hay.data + f->val_off;
}
