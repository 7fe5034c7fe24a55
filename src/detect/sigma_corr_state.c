/* Evaluation of the Sigma correlation rules (vg_corr_state, one per ruleset,
 * not thread-safe); sigma_corr.c loads the set and compiles the references.
 * Each correlation keeps one window per group (tuple of group-by values),
 * entries sorted by event time then processing order.
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
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/clock.h"
#include "core/limits.h"
#include "detect/internal.h"

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
	vg_corr_hit h = {&cr->info, vg_ruleset_corr_type(st->rs, ci), hf, cr->ngroup, g->n - g->head, value,
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
