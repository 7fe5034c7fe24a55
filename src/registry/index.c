/* In-memory lookup index: immutable refcounted snapshots and their holder.
 *
 * IP prefixes of each family are deduplicated, sorted, and swept once into
 * "elementary ranges": the address space cut at every prefix boundary, each
 * piece labelled with the most specific prefix covering it. IPv4 ranges are
 * laid out behind a 65,536-entry direct table on the top 16 bits: an entry is
 * either the answer for the whole /16 or a bucket of the ranges inside it,
 * searched by binary search on the low 16 bits. IPv6 ranges are searched by
 * binary search on 128-bit starts. Each prefix knows its next less specific
 * covering prefix, so covering matches are a walk up that chain. */
#include "registry/index.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/hash.h"
#include "core/limits.h"
#include "core/log.h"

typedef unsigned __int128 u128;

#define DIR_BUCKET 0x80000000u

typedef struct pfx {
	uint8_t bytes[16];
	uint8_t family, plen;
	uint32_t parent; /* index+1 of the next less specific covering prefix, 0 = none */
	uint32_t org_off, org_n;
} pfx;

typedef struct group { /* a domain / email / ASN and its organisations */
	const char *key;
	uint32_t asn;
	uint32_t org_off, org_n;
} group;

typedef struct org_ent {
	int64_t id, parent;
	const char *name;
} org_ent;

struct vg_regindex {
	atomic_int refs;
	int64_t gen;
	int64_t build_ms;
	size_t bytes;
	/* organisations, sorted by id */
	org_ent *orgs;
	size_t norgs;
	/* all org id lists of prefixes and groups */
	int64_t *org_ids;
	size_t norg_ids, cap_org_ids;
	/* prefixes, both families */
	pfx *pfx;
	size_t npfx, n4, n6;
	/* IPv4 */
	uint32_t *dir; /* 65536 */
	uint32_t *bk_off, *bk_n;
	uint16_t *r4_start;
	uint32_t *r4_val;
	size_t nbk, nr4;
	/* IPv6 */
	u128 *r6_start;
	uint32_t *r6_val;
	size_t nr6;
	/* groups */
	group *asns, *doms, *mails;
	size_t nasns, ndoms, nmails;
	vg_map dom_map, mail_map;
	/* strings */
	char **strs;
	size_t nstrs, cap_strs;
};

const char *vg_match_type_name(vg_match_type t)
{
	static const char *const n[] = {"network", "asn", "domain", "email"};
	return (unsigned)t < 4 ? n[t] : "?";
}

/* ---------------------------------------------------------------- memory */

static void ix_free(vg_regindex *ix)
{
	if (!ix)
		return;
	free(ix->orgs);
	free(ix->org_ids);
	free(ix->pfx);
	free(ix->dir);
	free(ix->bk_off);
	free(ix->bk_n);
	free(ix->r4_start);
	free(ix->r4_val);
	free(ix->r6_start);
	free(ix->r6_val);
	free(ix->asns);
	free(ix->doms);
	free(ix->mails);
	vg_map_fini(&ix->dom_map);
	vg_map_fini(&ix->mail_map);
	for (size_t i = 0; i < ix->nstrs; i++)
		free(ix->strs[i]);
	free(ix->strs);
	free(ix);
}

void vg_regindex_release(vg_regindex *ix)
{
	if (ix && atomic_fetch_sub(&ix->refs, 1) == 1)
		ix_free(ix);
}

vg_regindex *vg_regindex_ref(vg_regindex *ix)
{
	if (ix)
		atomic_fetch_add(&ix->refs, 1);
	return ix;
}

static bool grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *np;
	if (need <= *cap)
		return true;
	nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	np = realloc(*p, nc * elem);
	if (!np)
		return false;
	*p = np;
	*cap = nc;
	return true;
}

static const char *ix_strdup(vg_regindex *ix, const char *s)
{
	char *c;
	if (!grow((void **)&ix->strs, &ix->cap_strs, ix->nstrs + 1, sizeof *ix->strs))
		return NULL;
	if (!(c = strdup(s)))
		return NULL;
	ix->bytes += strlen(s) + 1;
	ix->strs[ix->nstrs++] = c;
	return c;
}

static bool push_org_id(vg_regindex *ix, int64_t id)
{
	if (!grow((void **)&ix->org_ids, &ix->cap_org_ids, ix->norg_ids + 1, sizeof *ix->org_ids))
		return false;
	ix->org_ids[ix->norg_ids++] = id;
	return true;
}

/* ---------------------------------------------------------------- build: prefixes */

typedef struct raw_pfx {
	u128 start;
	uint8_t family, plen;
	int64_t org;
} raw_pfx;

static int raw_cmp(const void *a, const void *b)
{
	const raw_pfx *x = a, *y = b;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	return (x->org > y->org) - (x->org < y->org);
}

typedef struct range_vec {
	u128 *start;
	uint32_t *val;
	size_t n, cap, capv;
} range_vec;

static bool emit(range_vec *r, u128 s, uint32_t v)
{
	if (r->n > 0 && r->start[r->n - 1] == s) {
		r->val[r->n - 1] = v;
		if (r->n > 1 && r->val[r->n - 2] == v)
			r->n--;
		return true;
	}
	if (r->n > 0 && r->val[r->n - 1] == v)
		return true;
	if (!grow((void **)&r->start, &r->cap, r->n + 1, sizeof *r->start) ||
	    !grow((void **)&r->val, &r->capv, r->n + 1, sizeof *r->val))
		return false;
	r->start[r->n] = s;
	r->val[r->n] = v;
	r->n++;
	return true;
}

static u128 pfx_end(u128 start, unsigned plen, unsigned bits)
{
	u128 host;
	if (plen >= bits)
		return start;
	host = (bits == 128) ? (((u128)0 - 1) >> plen) : (u128)(0xffffffffu >> plen);
	return start | host;
}

/* Sweep the unique prefixes [first, first+n) of one family into ranges and
 * fill each prefix's parent. */
static bool sweep(vg_regindex *ix, size_t first, size_t n, unsigned bits, u128 *keys, range_vec *r)
{
	size_t *stack = NULL, sp = 0;
	u128 max = bits == 128 ? ((u128)0 - 1) : (u128)0xffffffffu;
	bool ok = false;

	if (!emit(r, 0, 0))
		return false;
	if (n && !(stack = malloc(n * sizeof *stack)))
		return false;
	for (size_t k = 0; k < n; k++) {
		size_t i = first + k;
		u128 s = keys[k];
		while (sp > 0) {
			size_t t = stack[sp - 1];
			u128 te = pfx_end(keys[t - first], ix->pfx[t].plen, bits);
			if (te >= s)
				break;
			sp--;
			if (!emit(r, te + 1, sp ? (uint32_t)(stack[sp - 1] + 1) : 0))
				goto out;
		}
		ix->pfx[i].parent = sp ? (uint32_t)(stack[sp - 1] + 1) : 0;
		if (!emit(r, s, (uint32_t)(i + 1)))
			goto out;
		stack[sp++] = i;
	}
	while (sp > 0) {
		size_t t = stack[--sp];
		u128 te = pfx_end(keys[t - first], ix->pfx[t].plen, bits);
		if (te == max)
			continue;
		if (!emit(r, te + 1, sp ? (uint32_t)(stack[sp - 1] + 1) : 0))
			goto out;
	}
	ok = true;
out:
	free(stack);
	return ok;
}

static bool build_v4_dir(vg_regindex *ix, const range_vec *r)
{
	size_t j = 0, cap = 0, capv = 0, capb = 0, capbn = 0;
	if (!(ix->dir = malloc(65536 * sizeof *ix->dir)))
		return false;
	ix->bytes += 65536 * sizeof *ix->dir;
	for (uint32_t b = 0; b < 65536; b++) {
		uint32_t lo = b << 16;
		size_t k, cnt;
		/* r->start[j] <= lo < r->start[j+1] */
		while (j + 1 < r->n && r->start[j + 1] <= lo)
			j++;
		for (k = j + 1; k < r->n && r->start[k] < (u128)lo + 65536; k++)
			;
		cnt = k - j;
		if (cnt == 1) {
			ix->dir[b] = r->val[j];
			continue;
		}
		if (!grow((void **)&ix->r4_start, &cap, ix->nr4 + cnt, sizeof *ix->r4_start) ||
		    !grow((void **)&ix->r4_val, &capv, ix->nr4 + cnt, sizeof *ix->r4_val) ||
		    !grow((void **)&ix->bk_off, &capb, ix->nbk + 1, sizeof *ix->bk_off) ||
		    !grow((void **)&ix->bk_n, &capbn, ix->nbk + 1, sizeof *ix->bk_n))
			return false;
		ix->bk_off[ix->nbk] = (uint32_t)ix->nr4;
		ix->bk_n[ix->nbk] = (uint32_t)cnt;
		for (size_t m = j; m < k; m++) {
			ix->r4_start[ix->nr4] = m == j ? 0 : (uint16_t)(r->start[m] & 0xffff);
			ix->r4_val[ix->nr4] = r->val[m];
			ix->nr4++;
		}
		ix->dir[b] = DIR_BUCKET | (uint32_t)ix->nbk++;
	}
	ix->bytes += ix->nr4 * 6 + ix->nbk * 8;
	return true;
}

static vg_err build_prefixes(vg_regindex *ix, raw_pfx *raw, size_t nraw, vg_diag *d)
{
	range_vec r4 = {0}, r6 = {0};
	u128 *keys = NULL;
	size_t first6;
	vg_err e = VG_ERR_NOMEM;

	if (nraw)
		qsort(raw, nraw, sizeof *raw, raw_cmp);
	if (nraw && !(ix->pfx = malloc(nraw * sizeof *ix->pfx)))
		goto out;
	if (nraw && !(keys = malloc(nraw * sizeof *keys)))
		goto out;
	for (size_t i = 0; i < nraw; i++) {
		pfx *p;
		if (ix->npfx > 0 && raw[i].family == ix->pfx[ix->npfx - 1].family && raw[i].start == keys[ix->npfx - 1] &&
		    raw[i].plen == ix->pfx[ix->npfx - 1].plen) {
			if (ix->org_ids[ix->norg_ids - 1] != raw[i].org) {
				if (!push_org_id(ix, raw[i].org))
					goto out;
				ix->pfx[ix->npfx - 1].org_n++;
			}
			continue;
		}
		p = &ix->pfx[ix->npfx];
		memset(p, 0, sizeof *p);
		p->family = raw[i].family;
		p->plen = raw[i].plen;
		for (int b = 0; b < 16; b++)
			p->bytes[b] = p->family == 4 ? (b < 4 ? (uint8_t)(raw[i].start >> (24 - 8 * b)) : 0)
						     : (uint8_t)(raw[i].start >> (120 - 8 * b));
		p->org_off = (uint32_t)ix->norg_ids;
		p->org_n = 1;
		if (!push_org_id(ix, raw[i].org))
			goto out;
		keys[ix->npfx] = raw[i].start;
		if (p->family == 4)
			ix->n4++;
		else
			ix->n6++;
		ix->npfx++;
	}
	ix->bytes += ix->npfx * sizeof(pfx);
	first6 = ix->n4;
	if (!sweep(ix, 0, ix->n4, 32, keys, &r4) || !sweep(ix, first6, ix->n6, 128, keys + first6, &r6))
		goto out;
	if (!build_v4_dir(ix, &r4))
		goto out;
	ix->r6_start = r6.start;
	ix->r6_val = r6.val;
	ix->nr6 = r6.n;
	r6.start = NULL;
	r6.val = NULL;
	ix->bytes += ix->nr6 * (sizeof(u128) + 4);
	e = VG_OK;
out:
	free(keys);
	free(r4.start);
	free(r4.val);
	free(r6.start);
	free(r6.val);
	if (e)
		vg_diag_set(d, e, NULL, "out of memory building the registry index");
	return e;
}

/* ---------------------------------------------------------------- build: DB */

static vg_err load_groups(vg_regindex *ix, vg_db *db, const char *sql, bool is_asn, vg_map *map, group **out,
			  size_t *nout, vg_diag *d)
{
	vg_stmt *st;
	size_t cap = 0;
	vg_err e;
	int rc;

	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		int64_t org = vg_stmt_int(st, 1);
		group *g = *nout ? &(*out)[*nout - 1] : NULL;
		char key[VG_EMAIL_MAX + 1];
		uint32_t asn = 0;
		if (is_asn) {
			asn = (uint32_t)vg_stmt_int(st, 0);
		} else {
			const char *t = vg_stmt_text(st, 0);
			size_t n = strlen(t);
			if (n > VG_EMAIL_MAX)
				continue;
			for (size_t i = 0; i <= n; i++)
				key[i] = (t[i] >= 'A' && t[i] <= 'Z') ? (char)(t[i] + 32) : t[i];
		}
		if (g && (is_asn ? g->asn == asn : strcmp(g->key, key) == 0)) {
			if (ix->org_ids[ix->norg_ids - 1] != org) {
				if (!push_org_id(ix, org))
					goto nomem;
				g->org_n++;
			}
			continue;
		}
		if (!grow((void **)out, &cap, *nout + 1, sizeof **out))
			goto nomem;
		g = &(*out)[(*nout)++];
		memset(g, 0, sizeof *g);
		g->asn = asn;
		g->org_off = (uint32_t)ix->norg_ids;
		g->org_n = 1;
		if (!push_org_id(ix, org))
			goto nomem;
		if (!is_asn) {
			if (!(g->key = ix_strdup(ix, key)))
				goto nomem;
			if (vg_map_put(map, g->key, strlen(g->key), (void *)(uintptr_t)*nout, NULL))
				goto nomem;
		}
	}
	vg_stmt_done(st);
	ix->bytes += *nout * sizeof(group);
	return rc < 0 ? (vg_err)-rc : VG_OK;
nomem:
	vg_stmt_done(st);
	return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory building the registry index");
}

static vg_err load_all(vg_regindex *ix, vg_db *db, vg_diag *d)
{
	static const char *const sql_gen = "SELECT value FROM meta WHERE key = 'registry_gen'";
	static const char *const sql_orgs = "SELECT id, name, parent_id FROM organisations ORDER BY id";
	static const char *const sql_nets = "SELECT family, addr, prefix, org_id FROM org_networks";
	/* ORDER BY key so equal keys are adjacent; COLLATE is irrelevant once lower-cased */
	static const char *const sql_asns = "SELECT asn, org_id FROM org_asns ORDER BY asn, org_id";
	static const char *const sql_doms = "SELECT lower(domain), org_id FROM org_domains ORDER BY 1, 2";
	static const char *const sql_mails = "SELECT lower(email), org_id FROM contacts ORDER BY 1, 2";
	raw_pfx *raw = NULL;
	size_t nraw = 0, capraw = 0, capo = 0;
	vg_stmt *st;
	vg_err e;
	int rc;

	if ((e = vg_db_prepare(db, sql_gen, &st, d)))
		return e;
	rc = vg_stmt_step(st, d);
	ix->gen = rc == VG_ROW ? vg_stmt_int(st, 0) : 0;
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;

	if ((e = vg_db_prepare(db, sql_orgs, &st, d)))
		return e;
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		org_ent *o;
		if (!grow((void **)&ix->orgs, &capo, ix->norgs + 1, sizeof *ix->orgs))
			goto nomem_st;
		o = &ix->orgs[ix->norgs];
		o->id = vg_stmt_int(st, 0);
		o->parent = vg_stmt_is_null(st, 2) ? 0 : vg_stmt_int(st, 2);
		if (!(o->name = ix_strdup(ix, vg_stmt_text(st, 1))))
			goto nomem_st;
		ix->norgs++;
	}
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;
	ix->bytes += ix->norgs * sizeof(org_ent);

	if ((e = vg_db_prepare(db, sql_nets, &st, d)))
		return e;
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		int fam = (int)vg_stmt_int(st, 0);
		size_t blen = 0;
		const uint8_t *b = vg_stmt_blob(st, 1, &blen);
		int plen = (int)vg_stmt_int(st, 2);
		raw_pfx *p;
		u128 k = 0;
		if (!b || (fam == 4 && (blen != 4 || plen > 32)) || (fam == 6 && (blen != 16 || plen > 128)) ||
		    (fam != 4 && fam != 6) || plen < 0)
			continue; /* malformed row: the store validated it; skip rather than crash */
		for (size_t i = 0; i < blen; i++)
			k = (k << 8) | b[i];
		k &= ~pfx_end(0, (unsigned)plen, fam == 4 ? 32 : 128); /* host bits zero */
		if (!grow((void **)&raw, &capraw, nraw + 1, sizeof *raw))
			goto nomem_st;
		p = &raw[nraw++];
		p->start = k;
		p->family = (uint8_t)fam;
		p->plen = (uint8_t)plen;
		p->org = vg_stmt_int(st, 3);
	}
	vg_stmt_done(st);
	if (rc < 0) {
		free(raw);
		return (vg_err)-rc;
	}
	e = build_prefixes(ix, raw, nraw, d);
	free(raw);
	if (e)
		return e;
	if ((e = load_groups(ix, db, sql_asns, true, NULL, &ix->asns, &ix->nasns, d)) ||
	    (e = load_groups(ix, db, sql_doms, false, &ix->dom_map, &ix->doms, &ix->ndoms, d)) ||
	    (e = load_groups(ix, db, sql_mails, false, &ix->mail_map, &ix->mails, &ix->nmails, d)))
		return e;
	ix->bytes += ix->norg_ids * sizeof(int64_t) + (ix->dom_map.cap + ix->mail_map.cap) * sizeof(vg_map_entry);
	return VG_OK;
nomem_st:
	vg_stmt_done(st);
	free(raw);
	return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory building the registry index");
}

vg_err vg_regindex_build(vg_db *db, vg_regindex **out, vg_diag *d)
{
	uint64_t t0 = vg_time_mono_ns();
	vg_regindex *ix;
	vg_err e;

	*out = NULL;
	if (!(ix = calloc(1, sizeof *ix)))
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	atomic_init(&ix->refs, 1);
	vg_map_init(&ix->dom_map);
	vg_map_init(&ix->mail_map);
	if ((e = vg_db_begin(db, false, d))) {
		ix_free(ix);
		return e;
	}
	e = load_all(ix, db, d);
	/* read only: commit (a nested rollback would doom the caller's transaction) */
	vg_db_commit(db, NULL);
	if (e) {
		ix_free(ix);
		return e;
	}
	ix->build_ms = (int64_t)((vg_time_mono_ns() - t0) / 1000000u);
	*out = ix;
	return VG_OK;
}

/* ---------------------------------------------------------------- lookups */

static uint32_t find_v4(const vg_regindex *ix, uint32_t a)
{
	uint32_t e = ix->dir[a >> 16];
	const uint16_t *s;
	uint32_t n, lo16;
	if (!(e & DIR_BUCKET))
		return e;
	e &= ~DIR_BUCKET;
	s = ix->r4_start + ix->bk_off[e];
	n = ix->bk_n[e];
	lo16 = a & 0xffff;
	/* last i with s[i] <= lo16; s[0] == 0 */
	while (n > 1) {
		uint32_t half = n / 2;
		s = (s[half] <= lo16) ? s + half : s;
		n -= half;
	}
	return ix->r4_val[s - ix->r4_start];
}

static uint32_t find_v6(const vg_regindex *ix, u128 a)
{
	size_t lo = 0, n = ix->nr6;
	if (n == 0)
		return 0;
	while (n > 1) {
		size_t half = n / 2;
		if (ix->r6_start[lo + half] <= a)
			lo += half;
		n -= half;
	}
	return ix->r6_val[lo];
}

int64_t vg_regindex_lookup_ipv4_best(const vg_regindex *ix, uint32_t addr, uint32_t *nbest)
{
	uint32_t v = find_v4(ix, addr);
	if (!v) {
		if (nbest)
			*nbest = 0;
		return 0;
	}
	if (nbest)
		*nbest = ix->pfx[v - 1].org_n;
	return ix->org_ids[ix->pfx[v - 1].org_off];
}

static size_t add_orgs(const vg_regindex *ix, uint32_t off, uint32_t n, vg_match_type t, bool best, uint32_t ref,
		       vg_reg_match *out, size_t k, size_t max)
{
	for (uint32_t i = 0; i < n && k < max; i++) {
		out[k].org_id = ix->org_ids[off + i];
		out[k].type = (uint8_t)t;
		out[k].best = best;
		out[k].ref = ref;
		k++;
	}
	return k;
}

size_t vg_regindex_lookup_ip(const vg_regindex *ix, const vg_ip *ip, vg_reg_match *out, size_t max)
{
	uint32_t v;
	size_t k = 0;
	bool best = true;
	if (!ix || !ip)
		return 0;
	if (ip->family == 4) {
		v = find_v4(ix, (uint32_t)ip->bytes[0] << 24 | (uint32_t)ip->bytes[1] << 16 |
					(uint32_t)ip->bytes[2] << 8 | ip->bytes[3]);
	} else {
		u128 a = 0;
		for (int i = 0; i < 16; i++)
			a = (a << 8) | ip->bytes[i];
		v = find_v6(ix, a);
	}
	while (v && k < max) {
		const pfx *p = &ix->pfx[v - 1];
		k = add_orgs(ix, p->org_off, p->org_n, VG_MATCH_NETWORK, best, v - 1, out, k, max);
		best = false;
		v = p->parent;
	}
	return k;
}

size_t vg_regindex_lookup_asn(const vg_regindex *ix, uint32_t asn, vg_reg_match *out, size_t max)
{
	size_t lo = 0, hi;
	if (!ix)
		return 0;
	hi = ix->nasns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->asns[mid].asn < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= ix->nasns || ix->asns[lo].asn != asn)
		return 0;
	return add_orgs(ix, ix->asns[lo].org_off, ix->asns[lo].org_n, VG_MATCH_ASN, true, (uint32_t)lo, out, 0, max);
}

static size_t domain_walk(const vg_regindex *ix, const char *domain, bool best, vg_reg_match *out, size_t k,
			  size_t max)
{
	const char *p = domain;
	while (p && *p && k < max) {
		uintptr_t g = (uintptr_t)vg_map_get(&ix->dom_map, p, strlen(p));
		if (g) {
			const group *gr = &ix->doms[g - 1];
			k = add_orgs(ix, gr->org_off, gr->org_n, VG_MATCH_DOMAIN, best, (uint32_t)(g - 1), out, k, max);
			best = false;
		}
		p = strchr(p, '.');
		if (p)
			p++;
	}
	return k;
}

size_t vg_regindex_lookup_domain(const vg_regindex *ix, const char *domain, vg_reg_match *out, size_t max)
{
	if (!ix || !domain)
		return 0;
	return domain_walk(ix, domain, true, out, 0, max);
}

size_t vg_regindex_lookup_email(const vg_regindex *ix, const char *email, vg_reg_match *out, size_t max)
{
	const char *at;
	uintptr_t g;
	size_t k = 0;
	if (!ix || !email || !(at = strrchr(email, '@')))
		return 0;
	g = (uintptr_t)vg_map_get(&ix->mail_map, email, strlen(email));
	if (g) {
		const group *gr = &ix->mails[g - 1];
		k = add_orgs(ix, gr->org_off, gr->org_n, VG_MATCH_EMAIL, true, (uint32_t)(g - 1), out, 0, max);
	}
	return domain_walk(ix, at + 1, k == 0, out, k, max);
}

const char *vg_regindex_match_text(const vg_regindex *ix, const vg_reg_match *m, char *buf, size_t bufsz)
{
	if (!ix || !m || bufsz == 0)
		return "";
	buf[0] = '\0';
	switch (m->type) {
	case VG_MATCH_NETWORK:
		if (m->ref < ix->npfx) {
			vg_cidr c;
			memset(&c, 0, sizeof c);
			c.addr.family = ix->pfx[m->ref].family;
			memcpy(c.addr.bytes, ix->pfx[m->ref].bytes, 16);
			c.prefix = ix->pfx[m->ref].plen;
			if (bufsz >= VG_CIDR_STRLEN)
				vg_cidr_format(&c, buf, bufsz);
		}
		break;
	case VG_MATCH_ASN:
		if (m->ref < ix->nasns)
			snprintf(buf, bufsz, "AS%" PRIu32, ix->asns[m->ref].asn);
		break;
	case VG_MATCH_DOMAIN:
		if (m->ref < ix->ndoms)
			snprintf(buf, bufsz, "%s", ix->doms[m->ref].key);
		break;
	case VG_MATCH_EMAIL:
		if (m->ref < ix->nmails)
			snprintf(buf, bufsz, "%s", ix->mails[m->ref].key);
		break;
	default:
		break;
	}
	return buf;
}

static const org_ent *org_find(const vg_regindex *ix, int64_t id)
{
	size_t lo = 0, hi = ix ? ix->norgs : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ix->orgs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ix && lo < ix->norgs && ix->orgs[lo].id == id) ? &ix->orgs[lo] : NULL;
}

const char *vg_regindex_org_name(const vg_regindex *ix, int64_t org_id)
{
	const org_ent *o = org_find(ix, org_id);
	return o ? o->name : NULL;
}

int64_t vg_regindex_org_parent(const vg_regindex *ix, int64_t org_id)
{
	const org_ent *o = org_find(ix, org_id);
	return o ? o->parent : 0;
}

void vg_regindex_stats_get(const vg_regindex *ix, vg_regindex_stats *st)
{
	memset(st, 0, sizeof *st);
	if (!ix)
		return;
	st->gen = ix->gen;
	st->orgs = ix->norgs;
	st->networks4 = ix->n4;
	st->networks6 = ix->n6;
	st->asns = ix->nasns;
	st->domains = ix->ndoms;
	st->emails = ix->nmails;
	st->bytes = ix->bytes;
	st->build_ms = ix->build_ms;
}
