/* Correlation: objects sharing observable values with one object.
 *
 * For each value of the source object that is not common, the objects holding
 * it are read through the primary key of observable_links (observable_id,
 * object_type, object_id). Values held by more objects than the cap are
 * skipped before their links are read, so a popular value costs one row read,
 * never a scan of its links. An IP also reaches the CIDR observables that
 * contain it (one exact lookup per prefix length), and a CIDR the IPs inside it
 * (one range scan on (type, addr), bounded). Each hit adds the value's weight,
 * ln(1 + cap / df), to the related object's score. */
#include "observe/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ip.h"
#include "core/limits.h"

typedef struct srcval {
	int64_t id;
	vg_obs_type type;
	char *value;
	bool common;
	const char *common_by;
	int64_t link_count;
	vg_cidr net; /* for ip/cidr */
	bool has_net;
} srcval;

typedef struct hit {
	int64_t object_id;
	int64_t org_id;
	vg_obs_shared sh;
} hit;

typedef struct corr {
	vg_db *db;
	vg_arena *a;
	const vg_obs_related_opts *o;
	const char *target;
	int64_t self_id;
	bool self_is_target;
	int64_t cap;
	hit *hits;
	size_t nhits, caphits;
	bool pfx4[33], pfx6[129]; /* prefix lengths used by CIDR observables */
	bool pfx_loaded;
} corr;

static bool suppressed(bool common, const char *by, int64_t link_count, int64_t cap)
{
	(void)by;
	return common || link_count > cap;
}

static vg_err push_hit(corr *c, const hit *h)
{
	if (c->nhits == c->caphits) {
		size_t nc = c->caphits ? c->caphits * 2 : 256;
		hit *nh = realloc(c->hits, nc * sizeof *nh);
		if (!nh)
			return VG_ERR_NOMEM;
		c->hits = nh;
		c->caphits = nc;
	}
	c->hits[c->nhits++] = *h;
	return VG_OK;
}

/* Objects of the target type holding observable `tid`, except the source. */
static vg_err follow(corr *c, const srcval *sv, int64_t tid, vg_obs_type ttype, const char *tvalue, int64_t tcount,
		     const char *via, vg_diag *d)
{
	static const char *const sql =
		"SELECT object_id, coalesce(org_id, 0), 1 FROM observable_links WHERE observable_id = ? AND object_type = ?";
	/* visible to a scoped actor: its organisation's objects, and incidents
	 * that concern its organisation among others (incident_orgs) */
	static const char *const scoped_sql =
		"SELECT object_id, coalesce(org_id, 0), org_id = ? OR (object_type = 'incident' AND EXISTS "
		"(SELECT 1 FROM incident_orgs x WHERE x.incident_id = object_id AND x.org_id = ?)) "
		"FROM observable_links WHERE observable_id = ? AND object_type = ?";
	bool scoped = c->o->scope_org > 0;
	int b = 1;
	vg_stmt *st;
	vg_err e;
	int rc;
	size_t first = c->nhits, visible = 0;
	const char *tv = NULL;
	if ((e = vg_db_prepare(c->db, scoped ? scoped_sql : sql, &st, d)))
		return e;
	if (scoped) {
		vg_stmt_bind_int(st, b++, c->o->scope_org);
		vg_stmt_bind_int(st, b++, c->o->scope_org);
	}
	vg_stmt_bind_int(st, b++, tid);
	vg_stmt_bind_text(st, b, c->target, -1);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		hit h;
		int64_t oid = vg_stmt_int(st, 0), org = vg_stmt_int(st, 1);
		if (!vg_stmt_int(st, 2))
			continue;
		visible++;
		if (c->self_is_target && oid == c->self_id)
			continue;
		if (!tv && !(tv = vg_arena_strdup(c->a, tvalue))) {
			e = VG_ERR_NOMEM;
			break;
		}
		memset(&h, 0, sizeof h);
		h.object_id = oid;
		h.org_id = org;
		h.sh.observable_id = sv->id;
		h.sh.type = sv->type;
		h.sh.value = sv->value;
		h.sh.other_id = tid;
		h.sh.other_type = ttype;
		h.sh.other_value = tv;
		h.sh.via = via;
		if ((e = push_hit(c, &h)))
			break;
	}
	if (!e && rc < 0)
		e = d ? d->code : VG_ERR_DB;
	vg_stmt_done(st);
	if (e == VG_ERR_NOMEM)
		return vg_diag_set(d, e, NULL, "out of memory");
	if (!e) {
		/* df: every object holding the value; for a scoped actor only the
		 * ones it can see, so weights reveal nothing about other orgs. */
		int64_t df = c->o->scope_org > 0 ? (int64_t)visible : tcount;
		double w;
		if (df < 1)
			df = 1;
		w = log(1.0 + (double)c->cap / (double)df);
		for (size_t i = first; i < c->nhits; i++) {
			c->hits[i].sh.df = df;
			c->hits[i].sh.weight = w;
		}
	}
	return e;
}

/* CIDR observables containing the IP or prefix sv (one lookup per shorter prefix). */
static vg_err containing_cidrs(corr *c, const srcval *sv, vg_diag *d)
{
	static const char *const sql =
		"SELECT id, common, common_by, link_count FROM observables WHERE type = 'cidr' AND value = ?";
	static const char *const pfx_sql = "SELECT family, prefix FROM observable_prefixes";
	unsigned maxp = sv->net.prefix;
	const bool *used = sv->net.addr.family == 4 ? c->pfx4 : c->pfx6;
	if (!c->pfx_loaded) {
		vg_stmt *st;
		vg_err e;
		int rc;
		if ((e = vg_db_prepare(c->db, pfx_sql, &st, d)))
			return e;
		while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
			int64_t fam = vg_stmt_int(st, 0), p = vg_stmt_int(st, 1);
			if (fam == 4 && p >= 0 && p <= 32)
				c->pfx4[p] = true;
			else if (fam == 6 && p >= 0 && p <= 128)
				c->pfx6[p] = true;
		}
		vg_stmt_done(st);
		if (rc < 0)
			return d ? d->code : VG_ERR_DB;
		c->pfx_loaded = true;
	}
	if (sv->type == VG_OBS_CIDR && maxp > 0)
		maxp--; /* strictly containing; the same prefix is the value itself */
	for (unsigned p = 0; p <= maxp; p++) {
		if (!used[p])
			continue;
		vg_cidr n = sv->net;
		char txt[VG_CIDR_STRLEN];
		vg_stmt *st;
		vg_err e;
		int64_t id = 0, cnt = 0;
		bool com = false;
		n.prefix = (uint8_t)p;
		for (unsigned b = p; b < vg_ip_bits(&n.addr); b++)
			n.addr.bytes[b >> 3] &= (uint8_t)~(1u << (7 - (b & 7)));
		vg_cidr_format(&n, txt, sizeof txt);
		if ((e = vg_db_prepare(c->db, sql, &st, d)))
			return e;
		vg_stmt_bind_text(st, 1, txt, -1);
		if (vg_stmt_step(st, d) == VG_ROW) {
			id = vg_stmt_int(st, 0);
			com = vg_stmt_int(st, 1) != 0;
			cnt = vg_stmt_int(st, 3);
			if (suppressed(com, vg_stmt_text(st, 2), cnt, c->cap))
				id = 0;
		}
		vg_stmt_done(st);
		if (id && (e = follow(c, sv, id, VG_OBS_CIDR, txt, cnt, "cidr", d)))
			return e;
	}
	return VG_OK;
}

/* IP (and narrower CIDR) observables inside the prefix sv, bounded. */
static vg_err contained_values(corr *c, const srcval *sv, vg_diag *d)
{
	static const char *const sql =
		"SELECT id, type, value, common, common_by, link_count, prefix FROM observables"
		" WHERE type = ? AND addr >= ? AND addr <= ? ORDER BY addr LIMIT ?";
	uint8_t lo[16], hi[16];
	size_t blen = sv->net.addr.family == 4 ? 4 : 16;
	const char *types[2] = {sv->net.addr.family == 4 ? "ipv4" : "ipv6", "cidr"};
	size_t total = 0; /* rows read over all rounds: a wide prefix must not fan out */
	bool cont = false;
	memcpy(lo, sv->net.addr.bytes, blen);
	memcpy(hi, sv->net.addr.bytes, blen);
	for (unsigned b = sv->net.prefix; b < blen * 8; b++)
		hi[b >> 3] |= (uint8_t)(1u << (7 - (b & 7)));
	for (int k = 0; k < 2; k++) {
		vg_stmt *st;
		vg_err e;
		int rc;
		struct {
			int64_t id, cnt;
			vg_obs_type t;
			char *v;
		} found[64];
		size_t nf = 0, seen = 0;
		if (!cont)
			memcpy(lo, sv->net.addr.bytes, blen);
		cont = false;
		if ((e = vg_db_prepare(c->db, sql, &st, d)))
			return e;
		vg_stmt_bind_text(st, 1, types[k], -1);
		vg_stmt_bind_blob(st, 2, lo, blen);
		vg_stmt_bind_blob(st, 3, hi, blen);
		vg_stmt_bind_int(st, 4, (int64_t)(VG_OBS_CIDR_FANOUT_MAX - total));
		e = VG_OK;
		while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
			vg_obs_type t = VG_OBS_STRING;
			int64_t id = vg_stmt_int(st, 0), cnt = vg_stmt_int(st, 5);
			seen++;
			total++;
			if (id == sv->id || suppressed(vg_stmt_int(st, 3) != 0, vg_stmt_text(st, 4), cnt, c->cap))
				continue;
			if (k == 1 && vg_stmt_int(st, 6) <= sv->net.prefix)
				continue; /* a CIDR must be narrower than the source to be inside it */
			vg_obs_type_parse(vg_stmt_text(st, 1), &t);
			found[nf].id = id;
			found[nf].cnt = cnt;
			found[nf].t = t;
			found[nf].v = vg_arena_strdup(c->a, vg_stmt_text(st, 2));
			if (!found[nf].v) {
				e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
				break;
			}
			if (++nf == sizeof found / sizeof found[0]) {
				/* follow this batch with the statement released, then go on */
				break;
			}
		}
		if (!e && rc < 0)
			e = d ? d->code : VG_ERR_DB;
		vg_stmt_done(st);
		for (size_t i = 0; i < nf && !e; i++)
			e = follow(c, sv, found[i].id, found[i].t, found[i].v, found[i].cnt, "cidr", d);
		if (e)
			return e;
		(void)seen;
		if (nf == sizeof found / sizeof found[0] && total < VG_OBS_CIDR_FANOUT_MAX) {
			/* more than one batch: move lo past the last one and continue */
			vg_ip last;
			if (vg_ip_parse(found[nf - 1].v, strcspn(found[nf - 1].v, "/"), &last, NULL) == VG_OK &&
			    memcmp(last.bytes, hi, blen) < 0) {
				memcpy(lo, last.bytes, blen);
				for (int b = (int)blen - 1; b >= 0; b--)
					if (++lo[b] != 0)
						break;
				cont = true;
				k--;
			}
		}
	}
	return VG_OK;
}

static int cmp_hit_obj(const void *x, const void *y)
{
	const hit *a = x, *b = y;
	return a->object_id < b->object_id ? -1 : a->object_id > b->object_id;
}

static int cmp_related(const void *x, const void *y)
{
	const vg_obs_related *a = x, *b = y;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->nshared != b->nshared)
		return a->nshared > b->nshared ? -1 : 1;
	return a->object_id > b->object_id ? -1 : a->object_id < b->object_id;
}

vg_err vg_obs_related_find(vg_db *db, const char *object_type, int64_t object_id, const vg_obs_related_opts *o,
			   vg_arena *a, vg_obs_related_result *out, vg_diag *d)
{
	static const char *const src_sql =
		"SELECT o.id, o.type, o.value, o.common, o.common_by, o.link_count"
		" FROM observable_links l JOIN observables o ON o.id = l.observable_id"
		" WHERE l.object_type = ? AND l.object_id = ? LIMIT ?";
	corr c;
	srcval *sv = NULL;
	size_t nsv = 0, capsv = 0, ngroups = 0;
	bool own_tx = false;
	vg_stmt *st;
	vg_err e;
	int rc;
	vg_obs_related *rel = NULL;

	memset(out, 0, sizeof *out);
	memset(&c, 0, sizeof c);
	c.db = db;
	c.a = a;
	c.o = o;
	c.target = o->target_type ? o->target_type : VG_OBS_OBJ_INCIDENT;
	c.self_id = object_id;
	c.self_is_target = strcmp(c.target, object_type) == 0;
	c.cap = o->common_cap > 1 ? o->common_cap : 100;
	/* one read transaction for all the statements (one snapshot, no per-statement locking) */
	if (!vg_db_in_tx(db)) {
		if ((e = vg_db_begin(db, false, d)))
			return e;
		own_tx = true;
	}
	if ((e = vg_db_prepare(db, src_sql, &st, d)))
		goto out;
	vg_stmt_bind_text(st, 1, object_type, -1);
	vg_stmt_bind_int(st, 2, object_id);
	vg_stmt_bind_int(st, 3, VG_OBS_PER_OBJECT_MAX);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		srcval *v;
		if (nsv == capsv) {
			size_t nc = capsv ? capsv * 2 : 32;
			srcval *ns = realloc(sv, nc * sizeof *ns);
			if (!ns) {
				e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
				break;
			}
			sv = ns;
			capsv = nc;
		}
		v = &sv[nsv];
		memset(v, 0, sizeof *v);
		v->id = vg_stmt_int(st, 0);
		v->type = VG_OBS_STRING;
		vg_obs_type_parse(vg_stmt_text(st, 1), &v->type);
		v->value = vg_arena_strdup(a, vg_stmt_text(st, 2));
		v->common = vg_stmt_int(st, 3) != 0;
		v->common_by = "";
		v->link_count = vg_stmt_int(st, 5);
		if (!v->value) {
			e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
			break;
		}
		if (v->type == VG_OBS_IPV4 || v->type == VG_OBS_IPV6) {
			v->has_net = vg_ip_parse(v->value, 0, &v->net.addr, NULL) == VG_OK;
			v->net.prefix = (uint8_t)vg_ip_bits(&v->net.addr);
		} else if (v->type == VG_OBS_CIDR) {
			v->has_net = vg_cidr_parse(v->value, 0, false, &v->net, NULL) == VG_OK;
		}
		nsv++;
	}
	if (!e && rc < 0)
		e = d ? d->code : VG_ERR_DB;
	vg_stmt_done(st);
	if (e)
		goto out;
	for (size_t i = 0; i < nsv && !e; i++) {
		if (suppressed(sv[i].common, sv[i].common_by, sv[i].link_count, c.cap)) {
			out->values_common++;
			continue;
		}
		out->values_used++;
		e = follow(&c, &sv[i], sv[i].id, sv[i].type, sv[i].value, sv[i].link_count, "same", d);
		if (!e && sv[i].has_net)
			e = containing_cidrs(&c, &sv[i], d);
		if (!e && sv[i].has_net && sv[i].type == VG_OBS_CIDR)
			e = contained_values(&c, &sv[i], d);
	}
	if (e)
		goto out;
	/* group hits by object, score, rank */
	if (c.nhits > 1)
		qsort(c.hits, c.nhits, sizeof *c.hits, cmp_hit_obj);
	for (size_t i = 0; i < c.nhits; i++)
		if (i == 0 || c.hits[i].object_id != c.hits[i - 1].object_id)
			ngroups++;
	if (ngroups == 0)
		goto out;
	rel = calloc(ngroups, sizeof *rel);
	if (!rel) {
		e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	{
		size_t g = 0, i = 0;
		while (i < c.nhits) {
			size_t j = i;
			while (j < c.nhits && c.hits[j].object_id == c.hits[i].object_id)
				j++;
			rel[g].object_id = c.hits[i].object_id;
			rel[g].org_id = c.hits[i].org_id;
			rel[g].nshared = j - i;
			rel[g].shared = (vg_obs_shared *)(void *)&c.hits[i]; /* fixed up below */
			for (size_t k = i; k < j; k++)
				rel[g].score += c.hits[k].sh.weight;
			g++;
			i = j;
		}
	}
	if (ngroups)
		qsort(rel, ngroups, sizeof *rel, cmp_related);
	{
		size_t lim = o->limit ? o->limit : 20;
		if (lim > VG_OBS_RELATED_MAX)
			lim = VG_OBS_RELATED_MAX;
		if (lim > ngroups)
			lim = ngroups;
		out->items = vg_arena_calloc(a, lim ? lim : 1, sizeof *out->items);
		if (!out->items) {
			e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
			goto out;
		}
		for (size_t g = 0; g < lim; g++) {
			const hit *h0 = (const hit *)(void *)rel[g].shared;
			vg_obs_related *r = &out->items[g];
			*r = rel[g];
			r->shared = vg_arena_calloc(a, r->nshared, sizeof *r->shared);
			if (!r->shared) {
				e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
				goto out;
			}
			for (size_t k = 0; k < r->nshared; k++)
				r->shared[k] = h0[k].sh;
		}
		out->len = lim;
	}
out:
	if (own_tx) {
		vg_diag cd;
		if (vg_db_commit(db, &cd))
			vg_db_rollback(db);
	}
	free(rel);
	free(c.hits);
	free(sv);
	return e;
}
