/* Indicator sets: matching an event's mapped fields.
 *
 * With a million indicators the Bloom filter (megabytes) and the slot table
 * (tens of megabytes) are out of cache, and each lookup is a memory miss.
 * Probing value by value makes those misses one after the other. So an event
 * is matched in three passes over a batch of probes:
 *   1. every mapped value is normalised into its keys (an address and its
 *      CIDR prefixes, a name and its parent domains, a URL and its host,
 *      hashes...), each key hashed and its Bloom word prefetched;
 *   2. the Bloom words are tested; for the keys that pass, the slot is
 *      prefetched;
 *   3. the slots are searched and hits noted, in the order of pass 1.
 * The misses of one event then overlap instead of adding up. An address's
 * keys form a chain where only the first key found counts (the exact address,
 * else the longest prefix), as before. When the batch is full it is run and
 * emptied, so any number of values fits. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "detect/ioc_int.h"

typedef struct pending {
	uint32_t ent, field, efield, evi;
} pending;

typedef struct probe_rec {
	uint64_t h;
	const uint8_t *key;
	uint32_t field, efield;
	uint32_t chain; /* address chain: only its first key found counts; 0 = none */
	uint16_t keylen, evi; /* evi: the event's index in vg_ioc_match_multi */
	uint8_t type, pass;
} probe_rec;

struct vg_ioc_scratch {
	pending hits[VG_IOC_EVENT_HITS_MAX * VG_IOC_BATCH_EVENTS]; /* in event order */
	size_t nhits;
	uint16_t nhits_ev[VG_IOC_BATCH_EVENTS];
	probe_rec probes[VG_IOC_PROBE_BATCH];
	size_t nprobes;
	uint8_t keys[VG_IOC_PROBE_KEY_BYTES]; /* normalised values the probes point into */
	size_t nkeys;
	uint32_t chain, chain_done; /* chain ids are increasing: the last one that hit */
	char value[VG_IOC_VALUE_MAX + 64];
	vg_ioc_info info;
	const vg_iocset *set;
	const vg_event *ev;
	uint32_t cur_field, cur_efield;
	uint16_t cur_evi;
};

vg_ioc_scratch *vg_ioc_scratch_new(void)
{
	return calloc(1, sizeof(vg_ioc_scratch));
}

void vg_ioc_scratch_free(vg_ioc_scratch *s)
{
	free(s);
}

/* ---- pass 2 and 3: run the batch ---- */

static void note(vg_ioc_scratch *s, const vg_iocset *set, uint32_t head, const probe_rec *p)
{
	for (uint32_t i = head; i != IOC_NIL; i = set->ents[i].next) {
		if (s->nhits_ev[p->evi] == VG_IOC_EVENT_HITS_MAX)
			return;
		s->nhits_ev[p->evi]++;
		s->hits[s->nhits++] = (pending){i, p->field, p->efield, p->evi};
	}
}

static void run_batch(vg_ioc_scratch *s)
{
	const vg_iocset *set = s->set;
	size_t mask = set->cap - 1, n = s->nprobes;
	probe_rec *p = s->probes;
	for (size_t i = 0; i < n; i++) {
		uint64_t g = vg_ioc_bloom_mix(p[i].h), m = vg_ioc_bloom_bits(g);
		p[i].pass = (set->bloom[g >> set->bloom_shift] & m) == m;
		if (p[i].pass)
			__builtin_prefetch(&set->slots[p[i].h & mask]);
	}
	for (size_t i = 0; i < n; i++) {
		if (!p[i].pass || (p[i].chain && p[i].chain == s->chain_done))
			continue;
		const uint64_t *slot = vg_ioc_slot_find_h(set, p[i].type, p[i].key, p[i].keylen, p[i].h);
		if (!*slot)
			continue;
		note(s, set, (uint32_t)*slot - 1, &p[i]);
		if (p[i].chain)
			s->chain_done = p[i].chain;
	}
	s->nprobes = 0;
	s->nkeys = 0;
}

/* Room for one value's keys (at most an address chain, or a value of
 * VG_IOC_VALUE_MAX bytes normalised twice: a URL and its host). */
static void reserve(vg_ioc_scratch *s, size_t probes, size_t bytes)
{
	if (s->nprobes + probes > VG_IOC_PROBE_BATCH || s->nkeys + bytes > VG_IOC_PROBE_KEY_BYTES)
		run_batch(s);
}

/* ---- pass 1: keys of a value ---- */

static void add_probe(vg_ioc_scratch *s, vg_ioc_type t, const uint8_t *k, size_t n, uint32_t chain)
{
	const vg_iocset *set = s->set;
	uint64_t h = vg_ioc_key_hash((uint8_t)t, k, n);
	__builtin_prefetch(&set->bloom[vg_ioc_bloom_mix(h) >> set->bloom_shift]);
	s->probes[s->nprobes++] = (probe_rec){.h = h, .key = k, .field = s->cur_field, .efield = s->cur_efield,
					      .chain = chain, .keylen = (uint16_t)n, .evi = s->cur_evi, .type = (uint8_t)t};
}

static uint8_t *key_room(vg_ioc_scratch *s, size_t n)
{
	uint8_t *k = s->keys + s->nkeys;
	s->nkeys += n;
	return k;
}

static void probe_ip(vg_ioc_scratch *s, const vg_ip *ip)
{
	const vg_iocset *set = s->set;
	size_t al = ip->family == 4 ? 4 : 16;
	int f = ip->family == 4 ? 0 : 1;
	size_t np = set->nplens[f];
	reserve(s, 1 + np, (al + 2) * (1 + np));
	uint32_t chain = ++s->chain;
	uint8_t *key = key_room(s, al + 1);
	key[0] = ip->family;
	memcpy(key + 1, ip->bytes, al);
	add_probe(s, VG_IOC_IP, key, al + 1, chain);
	/* longest prefix first: mask the address to each length present */
	if (f == 0) {
		uint32_t a = (uint32_t)ip->bytes[0] << 24 | (uint32_t)ip->bytes[1] << 16 | (uint32_t)ip->bytes[2] << 8 |
			     ip->bytes[3];
		for (size_t i = 0; i < np; i++) {
			unsigned len = set->plens[0][i];
			uint32_t m = len ? a & (~0u << (32 - len)) : 0;
			key = key_room(s, 6);
			key[0] = 4;
			key[1] = (uint8_t)(m >> 24);
			key[2] = (uint8_t)(m >> 16);
			key[3] = (uint8_t)(m >> 8);
			key[4] = (uint8_t)m;
			key[5] = (uint8_t)len;
			add_probe(s, VG_IOC_IP, key, 6, chain);
		}
		return;
	}
	for (size_t i = 0; i < np; i++) {
		unsigned len = set->plens[1][i];
		key = key_room(s, 18);
		key[0] = 6;
		for (size_t b = 0; b < 16; b++) {
			unsigned keep = len >= (b + 1) * 8 ? 8 : len > b * 8 ? len - (unsigned)b * 8 : 0;
			key[1 + b] = (uint8_t)(ip->bytes[b] & (uint8_t)(0xff00u >> keep));
		}
		key[17] = (uint8_t)len;
		add_probe(s, VG_IOC_IP, key, 18, chain);
	}
}

/* An address: the dotted quad inline, anything with a ':' through the full
 * parser (IPv6). */
static bool addr_parse(const char *v, size_t n, vg_ip *ip)
{
	uint8_t b[4];
	if (vg_ioc_ipv4_parse(v, n, b)) {
		ip->family = 4;
		memcpy(ip->bytes, b, 4);
		return true;
	}
	return n > 1 && memchr(v, ':', n) && !vg_ioc_ip_parse(v, n, ip);
}

static void match_ip(vg_ioc_scratch *s, const char *v, size_t n)
{
	vg_ip ip;
	if (addr_parse(v, n, &ip))
		probe_ip(s, &ip);
}

/* A name (already known not to be an address), lower-cased into the batch's
 * keys: itself, then each parent domain; the last label alone only when the
 * set holds one-label domains (a TLD lookup is a wasted probe). */
static void match_name(vg_ioc_scratch *s, const char *v, size_t n)
{
	uint8_t starts[VG_IOC_NAME_LABELS_MAX + 1];
	size_t ns = 1, label = 0;
	if (n && v[n - 1] == '.')
		n--;
	if (!n || n > 253)
		return;
	reserve(s, VG_IOC_NAME_LABELS_MAX, n);
	uint8_t *norm = s->keys + s->nkeys;
	starts[0] = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = vg_ioc_name_tab[(unsigned char)v[i]];
		if (c == '.') {
			if (!label)
				return;
			label = 0;
			starts[ns++] = (uint8_t)(i + 1);
		} else if (!c || ++label > 63) {
			return;
		}
		norm[i] = c;
	}
	if (!label)
		return;
	s->nkeys += n;
	if (!s->set->domain_label1 && ns > 1)
		ns--; /* not the top-level label alone */
	for (size_t i = 0; i < ns; i++)
		add_probe(s, VG_IOC_DOMAIN, norm + starts[i], n - starts[i], 0);
}

static void match_domain(vg_ioc_scratch *s, const char *v, size_t n)
{
	vg_ip ip;
	if (addr_parse(v, n, &ip)) /* an address where a name was expected */
		probe_ip(s, &ip);
	else
		match_name(s, v, n);
}

static void match_hash(vg_ioc_scratch *s, vg_ioc_type t, const char *v, size_t n)
{
	vg_ioc_type ht = vg_ioc_hash_type(n);
	if (!ht || (t && ht != t))
		return;
	reserve(s, 1, n / 2);
	uint8_t *key = s->keys + s->nkeys;
	if (!vg_ioc_hex_decode(v, n, key))
		return;
	s->nkeys += n / 2;
	add_probe(s, ht, key, n / 2, 0);
}

static void on_sysmon_hash(void *ctx, vg_ioc_type t, const char *h, size_t n)
{
	match_hash(ctx, t, h, n);
}

static void match_url(vg_ioc_scratch *s, const ioc_field *fd, const char *v, size_t n)
{
	const vg_event *ev = s->ev;
	size_t nl;
	char *buf = s->value;
	if (n && v[0] == '/' && fd->host_fid >= 0 && (size_t)fd->host_fid < ev->nfids && ev->slot[fd->host_fid] >= 0) {
		const vg_efield *h = &ev->fields[ev->slot[fd->host_fid]];
		if (h->val_len + n + 1 > VG_IOC_VALUE_MAX)
			return;
		memcpy(buf, ev->hay.data + h->val_off, h->val_len);
		memcpy(buf + h->val_len, v, n);
		v = buf;
		n = h->val_len + n;
	}
	if (n > VG_IOC_VALUE_MAX)
		return;
	reserve(s, 1, n + 32);
	char *norm = (char *)s->keys + s->nkeys;
	if (vg_ioc_norm_url(v, n, norm, VG_IOC_PROBE_KEY_BYTES - s->nkeys, &nl))
		return;
	s->nkeys += nl;
	add_probe(s, VG_IOC_URL, (const uint8_t *)norm, nl, 0);
	/* the host of the URL against the domains and addresses */
	const char *h = memmem(norm, nl, "://", 3);
	if (h) {
		h += 3;
		size_t hl = 0;
		while (h + hl < norm + nl && h[hl] != '/' && h[hl] != ':' && h[hl] != '?')
			hl++;
		if (memchr(h, '@', hl))
			return;
		memcpy(buf, h, hl); /* the batch may run (and its keys be reused) before the host is read */
		match_domain(s, buf, hl);
	}
}

static void match_value(vg_ioc_scratch *s, const ioc_field *fd, const vg_efield *f)
{
	const vg_event *ev = s->ev;
	const char *v = ev->hay.data + f->val_off;
	size_t n = f->val_len, nl;
	switch (fd->kind) {
	case FK_IP: match_ip(s, v, n); break;
	case FK_DOMAIN: match_domain(s, v, n); break;
	case FK_URL: match_url(s, fd, v, n); break;
	case FK_HASH: match_hash(s, VG_IOC_NONE, v, n); break;
	case FK_HASHES: vg_ioc_sysmon_hashes(v, n, on_sysmon_hash, s); break;
	case FK_EMAIL:
		if (n > VG_IOC_VALUE_MAX)
			break;
		reserve(s, 1, n + 1);
		if (!vg_ioc_norm_email(v, n, (char *)s->keys + s->nkeys, VG_IOC_PROBE_KEY_BYTES - s->nkeys, &nl)) {
			add_probe(s, VG_IOC_EMAIL, s->keys + s->nkeys, nl, 0);
			s->nkeys += nl;
		}
		break;
	case FK_STRING:
		if (n <= VG_IOC_VALUE_MAX) { /* the event's lowered copy outlives the batch */
			reserve(s, 1, 0);
			add_probe(s, VG_IOC_STRING, (const uint8_t *)ev->low.data + f->val_off, n, 0);
		}
		break;
	}
}

static const char *format_value(vg_ioc_scratch *s, const ioc_ent *e)
{
	char *o = s->value;
	if (e->type == VG_IOC_IP) {
		vg_cidr c = {.addr.family = e->key[0], .prefix = e->prefix};
		memcpy(c.addr.bytes, e->key + 1, e->key[0] == 4 ? 4 : 16);
		return c.prefix == vg_ip_bits(&c.addr) ? vg_ip_format(&c.addr, o, sizeof(s->value))
						       : vg_cidr_format(&c, o, sizeof(s->value));
	}
	if (e->type >= VG_IOC_MD5 && e->type <= VG_IOC_SHA512) {
		for (size_t i = 0; i < e->keylen; i++)
			snprintf(o + 2 * i, 3, "%02x", e->key[i]);
		return o;
	}
	memcpy(o, e->key, e->keylen);
	o[e->keylen] = 0;
	return o;
}

/* AND groups (STIX): a member counts only when all members matched in the
 * same event (its hits are hits[lo, hi)). */
static bool group_complete(const vg_ioc_scratch *s, const vg_iocset *set, const ioc_ent *e, size_t lo, size_t hi)
{
	uint64_t got = 0;
	for (size_t j = lo; j < hi; j++)
		if (set->ents[s->hits[j].ent].group == e->group)
			got |= 1ull << set->ents[s->hits[j].ent].member;
	return got == set->groups[e->group - 1].need;
}

/* Pass 1 of one event. */
static void event_keys(vg_ioc_scratch *s, const vg_iocset *set, const vg_event *ev, uint16_t evi)
{
	s->ev = ev;
	s->cur_evi = evi;
	for (size_t i = 0; i < set->nfields; i++) {
		const ioc_field *fd = &set->fields[i];
		if (fd->fid < 0 || (size_t)fd->fid >= ev->nfids)
			continue;
		s->cur_field = (uint32_t)i;
		for (int32_t k = ev->slot[fd->fid]; k >= 0; k = ev->fields[k].next) {
			s->cur_efield = (uint32_t)k;
			match_value(s, fd, &ev->fields[k]);
		}
	}
}

/* The hits of one event, hits[lo, hi): one per indicator, AND groups
 * complete, reported to fn. */
static int event_report(vg_ioc_scratch *s, const vg_iocset *set, const vg_event *ev, size_t evi, size_t lo, size_t hi,
			vg_ioc_event_hit_fn fn, void *ctx)
{
	int hits = 0;
	for (size_t i = lo; i < hi; i++) {
		const ioc_ent *e = &set->ents[s->hits[i].ent];
		bool seen = false; /* one hit per indicator and event (a URL's host and the hostname field) */
		for (size_t j = lo; j < i && !seen; j++)
			seen = s->hits[j].ent == s->hits[i].ent;
		if (seen || (e->group && !group_complete(s, set, e, lo, hi)))
			continue;
		hits++;
		if (!fn)
			continue;
		const vg_efield *f = &ev->fields[s->hits[i].efield];
		s->info = (vg_ioc_info){.value = format_value(s, e), .type = (vg_ioc_type)e->type,
					.file = set->sources[e->src], .line = e->line, .id = e->id};
		vg_ioc_hit h = {.ioc = &s->info, .field = set->fields[s->hits[i].field].name,
				.value = ev->hay.data + f->val_off, .value_len = f->val_len};
		fn(ctx, evi, &h);
	}
	return hits;
}

int vg_ioc_match_multi(vg_ioc_scratch *s, const vg_ruleset *rs, const vg_event *const *evs, size_t n,
		       vg_ioc_event_hit_fn fn, void *ctx)
{
	const vg_iocset *set = rs->iocs;
	int hits = 0;
	if (!set || !set->nents || !set->cap)
		return 0;
	if (n > VG_IOC_BATCH_EVENTS)
		n = VG_IOC_BATCH_EVENTS;
	s->nhits = 0;
	s->nprobes = 0;
	s->nkeys = 0;
	s->chain = s->chain_done = 0;
	s->set = set;
	memset(s->nhits_ev, 0, n * sizeof(s->nhits_ev[0]));
	for (size_t e = 0; e < n; e++)
		event_keys(s, set, evs[e], (uint16_t)e);
	if (s->nprobes)
		run_batch(s);
	for (size_t e = 0, lo = 0; e < n; lo += s->nhits_ev[e], e++)
		if (s->nhits_ev[e])
			hits += event_report(s, set, evs[e], e, lo, lo + s->nhits_ev[e], fn, ctx);
	return hits;
}

typedef struct one_event {
	vg_ioc_hit_fn fn;
	void *ctx;
} one_event;

static void on_one(void *ctx, size_t evi, const vg_ioc_hit *h)
{
	one_event *o = ctx;
	(void)evi;
	o->fn(o->ctx, h);
}

int vg_ioc_match(vg_ioc_scratch *s, const vg_ruleset *rs, const vg_event *ev, vg_ioc_hit_fn fn, void *ctx)
{
	one_event o = {fn, ctx};
	return vg_ioc_match_multi(s, rs, &ev, 1, fn ? on_one : NULL, &o);
}
