/* Value sets: an OR of many plain patterns on one field (exact, startswith,
 * endswith and contains values without wildcards), tested in one pass over
 * the field's value instead of once per value.
 *
 * SigmaHQ rules list dozens of values per field ("Image|endswith:" 55
 * executables, "CommandLine|contains:" 36 command fragments, a port list of
 * 52 numbers); when such an item is evaluated the linear test costs a
 * comparison per value. Here:
 * - exact values: one hash probe of the whole value;
 * - startswith / endswith: one probe per distinct pattern length, of the
 *   value's first (last) that many bytes;
 * - contains values of 4 bytes or more: the value's 4-byte windows, every
 *   `stride` bytes, through a 4,096-bit filter and then the table of the
 *   patterns' windows (each pattern indexes its windows at offsets 0 to
 *   stride - 1, so one of them lands on a tested position wherever the
 *   pattern occurs); shorter contains values are tested one by one.
 * Every candidate is confirmed by comparing the bytes. Everything lives in the
 * ruleset's arena and is read-only once built (shared by the worker threads).
 * The exhaustive mode of the matcher does not use it, so `bench_sigma
 * --verify` and the conformance tests compare it with the value-by-value
 * test. */
#include <string.h>

#include "detect/internal.h"

enum { VS_EXACT = 1, VS_PREFIX, VS_SUFFIX, VS_WINDOW };

#define VS_FILTER_BITS 12 /* 4,096-bit window filter: 512 bytes per set */
#define VS_STRIDE_MAX 4   /* windows indexed per contains pattern */
#define VS_LENS_MAX 64    /* distinct startswith / endswith lengths probed */

typedef struct vs_slot {
	uint64_t h;   /* 0: empty */
	uint32_t pat; /* index in pats */
	uint32_t off; /* VS_WINDOW: the window's offset in the pattern */
} vs_slot;

typedef struct vs_pat {
	const char *p;
	uint32_t len;
} vs_pat;

struct vg_vset {
	vs_slot *tab;
	uint32_t mask; /* slots - 1 */
	vs_pat *pats;
	uint32_t npats;
	bool exact;
	uint32_t nplens, nslens; /* distinct lengths, increasing */
	uint32_t plens[VS_LENS_MAX], slens[VS_LENS_MAX];
	uint32_t stride; /* 0: no window patterns */
	uint64_t filter[(1u << VS_FILTER_BITS) / 64];
	const vs_pat *shorts; /* contains values of 1 to 3 bytes */
	uint32_t nshorts;
};

static inline uint64_t load_tail(const char *b, size_t n)
{
	uint64_t x = 0;
	memcpy(&x, b, n); /* n < 8, little or big endian alike: both sides use it */
	return x;
}

/* Hash of n bytes for a kind of anchor: the first and last 8 bytes and the
 * length (collisions are resolved by comparing the bytes). */
static inline uint64_t anchored_hash(const char *b, size_t n, unsigned kind)
{
	uint64_t x, y;
	if (n >= 8) {
		memcpy(&x, b, 8);
		memcpy(&y, b + n - 8, 8);
	} else {
		x = load_tail(b, n);
		y = 0;
	}
	uint64_t h = x * 0x9E3779B97F4A7C15ull;
	h ^= (y * 0xC2B2AE3D27D4EB4Full) >> 7;
	h ^= ((uint64_t)n << 3 | kind) * 0x165667B19E3779F9ull;
	h ^= h >> 31;
	return h | 1;
}

static inline uint64_t window_hash(uint32_t w)
{
	uint64_t h = ((uint64_t)w | (uint64_t)VS_WINDOW << 32) * 0x9E3779B97F4A7C15ull;
	h ^= h >> 29;
	return h | 1;
}

static inline uint32_t filter_bit(uint32_t w)
{
	return (w * 0x9E3779B1u) >> (32 - VS_FILTER_BITS);
}

static void put(vg_vset *vs, uint64_t h, uint32_t pat, uint32_t off)
{
	uint32_t i = (uint32_t)(h >> 32) & vs->mask;
	while (vs->tab[i].h)
		i = (i + 1) & vs->mask;
	vs->tab[i] = (vs_slot){h, pat, off};
}

static bool add_len(uint32_t *lens, uint32_t *n, uint32_t len)
{
	uint32_t i = 0;
	while (i < *n && lens[i] < len)
		i++;
	if (i < *n && lens[i] == len)
		return true;
	if (*n == VS_LENS_MAX)
		return false;
	memmove(lens + i + 1, lens + i, (*n - i) * sizeof(*lens));
	lens[i] = len;
	(*n)++;
	return true;
}

/* Can v be part of a value set (and which kind)? */
static int covered_kind(const vg_sval *v)
{
	if (v->kind != VK_PATTERN)
		return 0;
	switch (v->shape) {
	case PS_EXACT: return VS_EXACT;
	case PS_PREFIX: return v->litlen ? VS_PREFIX : 0;
	case PS_SUFFIX: return v->litlen ? VS_SUFFIX : 0;
	case PS_CONTAINS: return v->litlen ? VS_WINDOW : 0;
	default: return 0;
	}
}

vg_err vg_vset_build(vg_arena *a, vg_sitem *it)
{
	size_t ncov = 0, nslots = 0, nshort = 0;
	uint32_t minwin = UINT32_MAX, nplens = 0, nslens = 0, plens[VS_LENS_MAX], slens[VS_LENS_MAX];
	if (it->vset || it->all || it->fid < 0)
		return VG_OK;
	for (size_t i = 0; i < it->nvals; i++) {
		const vg_sval *v = &it->vals[i];
		int k = covered_kind(v);
		if (!k || (k == VS_PREFIX && !add_len(plens, &nplens, (uint32_t)v->litlen)) ||
		    (k == VS_SUFFIX && !add_len(slens, &nslens, (uint32_t)v->litlen)))
			continue;
		ncov++;
		if (k == VS_WINDOW && v->litlen < 4)
			nshort++;
		else if (k == VS_WINDOW && v->litlen < minwin)
			minwin = (uint32_t)v->litlen;
	}
	if (ncov < VG_VSET_VALUES_MIN)
		return VG_OK; /* a few values: testing them one by one is as fast */
	vg_vset *vs = vg_arena_calloc(a, 1, sizeof(*vs));
	if (!vs)
		return VG_ERR_NOMEM;
	vs->stride = minwin == UINT32_MAX ? 0 : minwin - 3 > VS_STRIDE_MAX ? VS_STRIDE_MAX : minwin - 3;
	nslots = 2 * ncov * (vs->stride ? vs->stride : 1);
	uint32_t cap = 16;
	while (cap < nslots)
		cap *= 2;
	vs->mask = cap - 1;
	vs->tab = vg_arena_calloc(a, cap, sizeof(vs_slot));
	vs->pats = vg_arena_calloc(a, ncov, sizeof(vs_pat));
	vs_pat *shorts = nshort ? vg_arena_calloc(a, nshort, sizeof(vs_pat)) : NULL;
	if (!vs->tab || !vs->pats || (nshort && !shorts))
		return VG_ERR_NOMEM;
	nplens = nslens = 0;
	for (size_t i = 0; i < it->nvals; i++) {
		vg_sval *v = &it->vals[i];
		int k = covered_kind(v);
		if (!k || (k == VS_PREFIX && !add_len(plens, &nplens, (uint32_t)v->litlen)) ||
		    (k == VS_SUFFIX && !add_len(slens, &nslens, (uint32_t)v->litlen)))
			continue;
		v->in_vset = true;
		if (k == VS_WINDOW && v->litlen < 4) {
			shorts[vs->nshorts++] = (vs_pat){v->lit, (uint32_t)v->litlen};
			continue;
		}
		uint32_t p = vs->npats++;
		vs->pats[p] = (vs_pat){v->lit, (uint32_t)v->litlen};
		if (k == VS_WINDOW) {
			for (uint32_t o = 0; o < vs->stride; o++) {
				uint32_t w;
				memcpy(&w, v->lit + o, 4);
				vs->filter[filter_bit(w) / 64] |= 1ull << (filter_bit(w) % 64);
				put(vs, window_hash(w), p, o);
			}
		} else {
			put(vs, anchored_hash(v->lit, v->litlen, (unsigned)k), p, 0);
			vs->exact |= k == VS_EXACT;
		}
	}
	memcpy(vs->plens, plens, nplens * sizeof(*plens));
	memcpy(vs->slens, slens, nslens * sizeof(*slens));
	vs->nplens = nplens;
	vs->nslens = nslens;
	vs->shorts = shorts;
	if (ncov < it->nvals && !(it->vrest = vg_arena_calloc(a, it->nvals - ncov, sizeof(uint32_t))))
		return VG_ERR_NOMEM;
	for (size_t i = 0; i < it->nvals; i++)
		if (!it->vals[i].in_vset)
			it->vrest[it->nvrest++] = (uint32_t)i;
	it->vset = vs;
	return VG_OK;
}

/* Is there a pattern of this anchor kind equal to b[0..n)? */
static inline bool probe(const vg_vset *vs, const char *b, size_t n, unsigned kind)
{
	uint64_t h = anchored_hash(b, n, kind);
	for (uint32_t i = (uint32_t)(h >> 32) & vs->mask; vs->tab[i].h; i = (i + 1) & vs->mask) {
		const vs_slot *sl = &vs->tab[i];
		if (sl->h == h && vs->pats[sl->pat].len == n && memcmp(vs->pats[sl->pat].p, b, n) == 0)
			return true;
	}
	return false;
}

static bool windows_match(const vg_vset *vs, const char *s, size_t n)
{
	for (size_t i = 0; i + 4 <= n; i += vs->stride) {
		uint32_t w, b;
		memcpy(&w, s + i, 4);
		b = filter_bit(w);
		if (!(vs->filter[b / 64] >> (b % 64) & 1))
			continue;
		uint64_t h = window_hash(w);
		for (uint32_t k = (uint32_t)(h >> 32) & vs->mask; vs->tab[k].h; k = (k + 1) & vs->mask) {
			const vs_slot *sl = &vs->tab[k];
			if (sl->h != h || sl->off > i)
				continue;
			const vs_pat *p = &vs->pats[sl->pat];
			size_t at = i - sl->off;
			if (at + p->len <= n && memcmp(s + at, p->p, p->len) == 0)
				return true;
		}
	}
	return false;
}

bool vg_vset_match(const vg_vset *vs, const char *s, size_t n)
{
	if (vs->exact && probe(vs, s, n, VS_EXACT))
		return true;
	for (uint32_t i = 0; i < vs->nplens && vs->plens[i] <= n; i++)
		if (probe(vs, s, vs->plens[i], VS_PREFIX))
			return true;
	for (uint32_t i = 0; i < vs->nslens && vs->slens[i] <= n; i++)
		if (probe(vs, s + n - vs->slens[i], vs->slens[i], VS_SUFFIX))
			return true;
	for (uint32_t i = 0; i < vs->nshorts; i++)
		if (vg_contains(s, n, vs->shorts[i].p, vs->shorts[i].len))
			return true;
	return vs->stride && windows_match(vs, s, n);
}
