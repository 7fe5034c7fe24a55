/* Indicator sets: normalisers, the compact store (an open-addressing table of
 * tagged 32-bit indices over an entry array, keys in a bump allocator; CIDR
 * prefixes in the same table, longest match over the prefix lengths present,
 * longest first) and per-event matching. Loading the formats and the field
 * map is in ioc_load.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/limits.h"
#include "detect/ioc_int.h"

static const struct {
	const char *name;
	vg_ioc_type type;
} type_names[] = {
	{"ip", VG_IOC_IP},         {"ipv4", VG_IOC_IP},        {"ipv6", VG_IOC_IP},       {"cidr", VG_IOC_IP},
	{"domain", VG_IOC_DOMAIN}, {"hostname", VG_IOC_DOMAIN}, {"url", VG_IOC_URL},      {"uri", VG_IOC_URL},
	{"md5", VG_IOC_MD5},       {"sha1", VG_IOC_SHA1},       {"sha-1", VG_IOC_SHA1},    {"sha256", VG_IOC_SHA256},
	{"sha-256", VG_IOC_SHA256}, {"sha512", VG_IOC_SHA512},  {"sha-512", VG_IOC_SHA512}, {"email", VG_IOC_EMAIL},
	{"string", VG_IOC_STRING},
};
static const char *const type_display[VG_IOC__COUNT] = {"none", "ip", "domain", "url", "md5",
							 "sha1", "sha256", "sha512", "email", "string"};
/* hash types by hex length */
static const struct {
	size_t hexlen;
	vg_ioc_type type;
} hash_lens[] = {{32, VG_IOC_MD5}, {40, VG_IOC_SHA1}, {64, VG_IOC_SHA256}, {128, VG_IOC_SHA512}};

const char *vg_ioc_type_name(vg_ioc_type t)
{
	return (unsigned)t < VG_IOC__COUNT ? type_display[t] : "?";
}

vg_ioc_type vg_ioc_type_parse(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strlen(type_names[i].name) == len && !strncasecmp(type_names[i].name, s, len))
			return type_names[i].type;
	return VG_IOC_NONE;
}

/* core's parsers read a NUL-terminated string when given length 0 (and
 * vg_cidr_parse passes an empty address part of "/24" on as length 0): never
 * hand them an empty slice of unterminated memory. */
vg_err vg_ioc_ip_parse(const char *s, size_t n, vg_ip *out)
{
	uint8_t b[4];
	if (!n || s[0] == '/')
		return VG_ERR_INVALID;
	/* a.b.c.d (decimal, no leading zero): the only IPv4 form inet_pton takes,
	 * without the copy and the libc call (event values are parsed per field) */
	if (vg_ioc_ipv4_parse(s, n, b)) {
		memset(out, 0, sizeof(*out));
		out->family = 4;
		memcpy(out->bytes, b, 4);
		return VG_OK;
	}
	/* not a dotted quad: only IPv6 (a ':') or text cut by a NUL can still parse */
	if (!memchr(s, ':', n) && !memchr(s, 0, n))
		return VG_ERR_INVALID;
	return vg_ip_parse(s, n, out, NULL);
}

static vg_err cidr_parse(const char *s, size_t n, bool strict, vg_cidr *out)
{
	if (!n || s[0] == '/')
		return VG_ERR_INVALID;
	return vg_cidr_parse(s, n, strict, out, NULL);
}

/* hex digit value + 1 (0: not a hex digit) */
static const uint8_t hex_tab[256] = {
	['0'] = 1,   ['1'] = 2,   ['2'] = 3,   ['3'] = 4,   ['4'] = 5,   ['5'] = 6,   ['6'] = 7,   ['7'] = 8,
	['8'] = 9,   ['9'] = 10,  ['a'] = 11,  ['b'] = 12,  ['c'] = 13,  ['d'] = 14,  ['e'] = 15,  ['f'] = 16,
	['A'] = 11,  ['B'] = 12,  ['C'] = 13,  ['D'] = 14,  ['E'] = 15,  ['F'] = 16,
};

static int hexval(char c)
{
	return (int)hex_tab[(unsigned char)c] - 1;
}

/* Bytes of a DNS name, lower-cased; 0 for a byte a name cannot hold. */
#define NAME_RANGE(lo, hi, d) \
	[lo] = lo + d, [lo + 1] = lo + 1 + d, [lo + 2] = lo + 2 + d, [lo + 3] = lo + 3 + d, [lo + 4] = lo + 4 + d, \
	[lo + 5] = lo + 5 + d, [lo + 6] = lo + 6 + d, [lo + 7] = lo + 7 + d, [lo + 8] = lo + 8 + d, [hi] = hi + d
const uint8_t vg_ioc_name_tab[256] = {
	NAME_RANGE('0', '9', 0),
	NAME_RANGE('a', 'j', 0), NAME_RANGE('k', 't', 0), ['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y', ['z'] = 'z',
	NAME_RANGE('A', 'J', 32), NAME_RANGE('K', 'T', 32), ['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y', ['Z'] = 'z',
	['-'] = '-', ['_'] = '_', ['.'] = '.',
};
#undef NAME_RANGE

bool vg_ioc_hex_decode(const char *s, size_t n, uint8_t *out)
{
	size_t i = 0;
	if (n & 1)
		return false;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* eight digits at a time: every byte must be 0-9, a-f or A-F (ASCII, so
	 * the per-byte additions below carry into no neighbour) */
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	for (; i + 8 <= n; i += 8) {
		uint64_t x, v, digit, alpha;
		memcpy(&x, s + i, 8);
		if (x & high)
			return false;
		v = x | 0x20 * ones; /* letters to lower case; digits keep their 0x20 bit */
		digit = (v + 0x50 * ones) & ~(v + 0x46 * ones) & high; /* 0x30 <= v < 0x3a */
		alpha = (v + 0x1f * ones) & ~(v + 0x19 * ones) & high; /* 0x61 <= v < 0x67 */
		if ((digit | alpha) != high || ((x ^ v) & ~(alpha >> 2) & 0x20 * ones))
			return false; /* a byte that is neither, or 0x20 cleared on a non-letter */
		v = (v & 0x0f * ones) + (alpha >> 7) * 9; /* nibble values */
		v = ((v & 0x000f000f000f000full) << 4) | ((v & 0x0f000f000f000f00ull) >> 8);
		v = (v | v >> 8) & 0x0000ffff0000ffffull;
		v = (v | v >> 16) & 0xffffffffull;
		uint32_t w = (uint32_t)v;
		memcpy(out + i / 2, &w, 4);
	}
#endif
	for (; i < n; i += 2) {
		unsigned hi = hex_tab[(unsigned char)s[i]], lo = hex_tab[(unsigned char)s[i + 1]];
		if (!hi || !lo)
			return false;
		out[i / 2] = (uint8_t)((hi - 1) << 4 | (lo - 1));
	}
	return true;
}

vg_ioc_type vg_ioc_hash_type(size_t hexlen)
{
	for (size_t i = 0; i < sizeof(hash_lens) / sizeof(hash_lens[0]); i++)
		if (hash_lens[i].hexlen == hexlen)
			return hash_lens[i].type;
	return VG_IOC_NONE;
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (hexval(s[i]) < 0)
			return false;
	return true;
}

/* Domain: lower-cased, one trailing dot dropped, labels of [a-z0-9_-] 1..63
 * bytes (underscore appears in real DNS names), 253 bytes at most. */
vg_err vg_ioc_norm_domain(const char *s, size_t n, char *out, size_t outsz, size_t *outlen)
{
	size_t label = 0;
	if (n && s[n - 1] == '.')
		n--;
	if (!n || n > 253 || n >= outsz)
		return VG_ERR_INVALID;
	for (size_t i = 0; i < n; i++) {
		char c = (char)vg_ioc_name_tab[(unsigned char)s[i]];
		if (c == '.') {
			if (!label)
				return VG_ERR_INVALID;
			label = 0;
		} else if (!c || ++label > 63) {
			return VG_ERR_INVALID;
		}
		out[i] = c;
	}
	if (!label)
		return VG_ERR_INVALID;
	out[n] = 0;
	*outlen = n;
	return VG_OK;
}

/* URL: "scheme://host[:port]/path?query" → scheme and host lower-cased,
 * default port (80/443) and fragment dropped, empty path → "/". Without a
 * scheme, http is assumed. Path and query are kept as written. */
vg_err vg_ioc_norm_url(const char *s, size_t n, char *out, size_t outsz, size_t *outlen)
{
	size_t o = 0, i = 0, hs, he, ps;
	const char *sep = NULL;
	for (size_t k = 0; k + 2 < n && k < 16; k++)
		if (s[k] == ':' && s[k + 1] == '/' && s[k + 2] == '/') {
			sep = s + k;
			break;
		}
	const char *hash = memchr(s, '#', n);
	if (hash)
		n = (size_t)(hash - s);
	if (n + 16 >= outsz)
		return VG_ERR_INVALID;
	if (sep) {
		for (; s + i < sep; i++) {
			char c = s[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
			      c == '-' || c == '.'))
				return VG_ERR_INVALID;
			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		i += 3;
	} else {
		memcpy(out, "http", 4);
		o = 4;
	}
	bool https = o == 5 && !memcmp(out, "https", 5), http = o == 4 && !memcmp(out, "http", 4);
	memcpy(out + o, "://", 3);
	o += 3;
	hs = i;
	while (i < n && s[i] != '/' && s[i] != '?')
		i++;
	he = i;
	ps = i;
	if (he == hs)
		return VG_ERR_INVALID;
	/* userinfo stays; port: drop the default one */
	size_t colon = he;
	for (size_t k = he; k > hs; k--)
		if (s[k - 1] == ':') {
			colon = k - 1;
			break;
		} else if (s[k - 1] == ']' || s[k - 1] == '@')
			break;
	if (colon < he && ((http && he - colon == 3 && !memcmp(s + colon, ":80", 3)) ||
			   (https && he - colon == 4 && !memcmp(s + colon, ":443", 4)) || he - colon == 1))
		he = colon;
	for (size_t k = hs; k < he; k++) {
		char c = s[k];
		if ((unsigned char)c <= ' ')
			return VG_ERR_INVALID;
		out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	if (o && out[o - 1] == '.')
		o--;
	if (ps >= n || s[ps] != '/')
		out[o++] = '/';
	for (; ps < n; ps++) {
		if ((unsigned char)s[ps] <= ' ')
			return VG_ERR_INVALID;
		out[o++] = s[ps];
	}
	out[o] = 0;
	*outlen = o;
	return VG_OK;
}

vg_err vg_ioc_norm_email(const char *s, size_t n, char *out, size_t outsz, size_t *outlen)
{
	const char *at = n ? memrchr(s, '@', n) : NULL;
	size_t dl;
	if (!at || at == s || (size_t)(at - s) > 64 || n + 1 > outsz)
		return VG_ERR_INVALID;
	size_t ll = (size_t)(at - s);
	for (size_t i = 0; i < ll; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c >= 0x7f || strchr("\"<>,;\\@", c))
			return VG_ERR_INVALID;
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[ll] = '@';
	if (vg_ioc_norm_domain(at + 1, n - ll - 1, out + ll + 1, outsz - ll - 1, &dl) || !memchr(out + ll + 1, '.', dl))
		return VG_ERR_INVALID;
	*outlen = ll + 1 + dl;
	return VG_OK;
}

static void trim(const char **s, size_t *n)
{
	while (*n && ((*s)[0] == ' ' || (*s)[0] == '\t'))
		(*s)++, (*n)--;
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
		(*n)--;
}

vg_err vg_ioc_normalize(vg_ioc_type t, const char *s, size_t len, char *out, size_t outsz, size_t *outlen)
{
	trim(&s, &len);
	if (!len || len > VG_IOC_VALUE_MAX || outsz < 2)
		return VG_ERR_INVALID;
	switch (t) {
	case VG_IOC_IP: {
		vg_cidr c;
		if (cidr_parse(s, len, false, &c))
			return VG_ERR_INVALID;
		if (c.prefix == vg_ip_bits(&c.addr))
			vg_ip_format(&c.addr, out, outsz);
		else
			vg_cidr_format(&c, out, outsz);
		*outlen = strlen(out);
		return VG_OK;
	}
	case VG_IOC_DOMAIN: return vg_ioc_norm_domain(s, len, out, outsz, outlen);
	case VG_IOC_URL: return vg_ioc_norm_url(s, len, out, outsz, outlen);
	case VG_IOC_EMAIL: return vg_ioc_norm_email(s, len, out, outsz, outlen);
	case VG_IOC_MD5:
	case VG_IOC_SHA1:
	case VG_IOC_SHA256:
	case VG_IOC_SHA512:
		if (vg_ioc_hash_type(len) != t || !all_hex(s, len) || len >= outsz)
			return VG_ERR_INVALID;
		for (size_t i = 0; i < len; i++)
			out[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] + 32 : s[i]);
		out[len] = 0;
		*outlen = len;
		return VG_OK;
	case VG_IOC_STRING:
		if (len >= outsz)
			return VG_ERR_INVALID;
		for (size_t i = 0; i < len; i++)
			out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
		out[len] = 0;
		*outlen = len;
		return VG_OK;
	default: return VG_ERR_INVALID;
	}
}

vg_ioc_type vg_ioc_guess(const char *s, size_t len)
{
	char tmp[VG_IOC_VALUE_MAX + 32];
	size_t n;
	vg_cidr c;
	trim(&s, &len);
	if (!len || len > VG_IOC_VALUE_MAX)
		return VG_IOC_NONE;
	if (!cidr_parse(s, len, false, &c))
		return VG_IOC_IP;
	if (all_hex(s, len) && vg_ioc_hash_type(len))
		return vg_ioc_hash_type(len);
	if (len > 3 && memmem(s, len, "://", 3))
		return VG_IOC_URL;
	if (memchr(s, '@', len))
		return vg_ioc_norm_email(s, len, tmp, sizeof(tmp), &n) ? VG_IOC_NONE : VG_IOC_EMAIL;
	if (memchr(s, '.', len) && !vg_ioc_norm_domain(s, len, tmp, sizeof(tmp), &n))
		return VG_IOC_DOMAIN;
	return VG_IOC_NONE;
}

void vg_ioc_sysmon_hashes(const char *s, size_t len, void (*fn)(void *ctx, vg_ioc_type t, const char *h, size_t n),
			  void *ctx)
{
	size_t i = 0;
	while (i < len) {
		size_t st = i;
		while (i < len && s[i] != ',')
			i++;
		const char *eq = memchr(s + st, '=', i - st);
		if (eq) {
			const char *name = s + st, *h = eq + 1;
			size_t nl = (size_t)(eq - name), hl = (size_t)(s + i - h);
			trim(&name, &nl);
			trim(&h, &hl);
			vg_ioc_type t = vg_ioc_type_parse(name, nl);
			if (t >= VG_IOC_MD5 && t <= VG_IOC_SHA512 && vg_ioc_hash_type(hl) == t && all_hex(h, hl))
				fn(ctx, t, h, hl);
		}
		i++;
	}
}

/* ---- the store ---- */

/* The Bloom filter and the slot table are probed at random for every event
 * value: on 4 KB pages each probe also misses the TLB (a 32 MB table spans
 * 8,192 pages), so tables of 2 MB and more are mapped on their own and
 * offered to transparent huge pages. Zeroed either way; the size decides
 * how they are freed. */
#define IOC_BIG_TABLE (2u << 20)

static uint64_t *table_alloc(size_t words)
{
	size_t bytes = words * sizeof(uint64_t);
	if (bytes < IOC_BIG_TABLE)
		return calloc(words, sizeof(uint64_t));
	/* map 2 MB more and trim, so that the table starts on a huge page */
	uint8_t *m = mmap(NULL, bytes + IOC_BIG_TABLE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	size_t head = (IOC_BIG_TABLE - (uintptr_t)m % IOC_BIG_TABLE) % IOC_BIG_TABLE;
	if (head)
		munmap(m, head);
	munmap(m + head + bytes, IOC_BIG_TABLE - head);
#ifdef MADV_HUGEPAGE
	(void)madvise(m + head, bytes, MADV_HUGEPAGE);
#endif
	return (uint64_t *)(m + head);
}

static void table_free(uint64_t *t, size_t words)
{
	size_t bytes = words * sizeof(uint64_t);
	if (!t)
		return;
	if (bytes < IOC_BIG_TABLE)
		free(t);
	else
		munmap(t, bytes);
}

void vg_ioc_set_free(vg_iocset *set)
{
	if (!set)
		return;
	for (ioc_blob *b = set->blob, *p; b; b = p) {
		p = b->prev;
		free(b);
	}
	for (size_t i = 0; i < set->nsources; i++)
		free(set->sources[i]);
	free(set->sources);
	free(set->ents);
	table_free(set->slots, set->cap);
	table_free(set->bloom, set->nbloom);
	free(set->groups);
	free(set);
}

vg_iocset *vg_ioc_set_get(vg_ruleset *rs)
{
	if (!rs->iocs)
		rs->iocs = calloc(1, sizeof(vg_iocset));
	return rs->iocs;
}

static void *blob_alloc(vg_iocset *set, size_t n)
{
	ioc_blob *b = set->blob;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > (1u << 20) ? n : (1u << 20);
		if (!(b = malloc(sizeof(*b) + cap)))
			return NULL;
		b->prev = set->blob;
		b->used = 0;
		b->cap = cap;
		set->blob = b;
		set->blob_bytes += sizeof(*b) + cap;
	}
	void *p = b->data + b->used;
	b->used += n;
	return p;
}

int vg_ioc_source(vg_iocset *set, const char *name)
{
	if (set->nsources && !strcmp(set->sources[set->nsources - 1], name))
		return (int)set->nsources - 1;
	if (set->nsources >= VG_IOC_SOURCES_MAX)
		return -1;
	char **ns = realloc(set->sources, (set->nsources + 1) * sizeof(char *));
	if (!ns)
		return -1;
	set->sources = ns;
	if (!(ns[set->nsources] = strdup(name)))
		return -1;
	return (int)set->nsources++;
}

/* Key bytes of a normalised value. */
static size_t make_key(vg_ioc_type t, const char *norm, size_t n, uint8_t *key, uint8_t *prefix)
{
	*prefix = 0;
	if (t == VG_IOC_IP) {
		vg_cidr c;
		(void)cidr_parse(norm, n, false, &c);
		size_t al = c.addr.family == 4 ? 4 : 16;
		key[0] = c.addr.family;
		*prefix = c.prefix;
		memcpy(key + 1, c.addr.bytes, al);
		if (c.prefix == al * 8)
			return al + 1;
		key[al + 1] = c.prefix; /* a CIDR: the length is part of the key */
		return al + 2;
	}
	if (t >= VG_IOC_MD5 && t <= VG_IOC_SHA512) {
		for (size_t i = 0; i + 1 < n; i += 2)
			key[i / 2] = (uint8_t)(hexval(norm[i]) << 4 | hexval(norm[i + 1]));
		return n / 2;
	}
	memcpy(key, norm, n);
	return n;
}

uint64_t *vg_ioc_slot_find_h(const vg_iocset *set, uint8_t type, const uint8_t *k, size_t n, uint64_t h)
{
	uint64_t tag = h & 0xffffffff00000000ull;
	size_t mask = set->cap - 1, i = h & mask;
	for (;; i = (i + 1) & mask) {
		uint64_t v = set->slots[i];
		if (!v)
			return &set->slots[i];
		if ((v & 0xffffffff00000000ull) != tag)
			continue;
		const ioc_ent *e = &set->ents[(uint32_t)v - 1];
		if (e->type == type && e->keylen == n && !memcmp(e->key, k, n))
			return &set->slots[i];
	}
}

static uint64_t *slot_find(const vg_iocset *set, uint8_t type, const uint8_t *k, size_t n)
{
	if (!set->cap)
		return NULL;
	return vg_ioc_slot_find_h(set, type, k, n, vg_ioc_key_hash(type, k, n));
}

static vg_err grow_table(vg_iocset *set)
{
	size_t ncap = set->cap ? set->cap * 2 : 1024;
	size_t nb = ncap / 8; /* ncap bytes */
	uint64_t *ns = table_alloc(ncap), *nbl = table_alloc(nb);
	if (!ns || !nbl) {
		table_free(ns, ncap);
		table_free(nbl, nb);
		return VG_ERR_NOMEM;
	}
	table_free(set->bloom, set->nbloom);
	set->bloom = nbl;
	set->nbloom = nb;
	set->bloom_shift = 64;
	for (size_t w = nb; w > 1; w >>= 1)
		set->bloom_shift--;
	for (size_t i = 0; i < set->cap; i++) {
		uint64_t v = set->slots[i];
		if (!v)
			continue;
		const ioc_ent *e = &set->ents[(uint32_t)v - 1];
		uint64_t h = vg_ioc_key_hash(e->type, e->key, e->keylen);
		size_t j = h & (ncap - 1);
		vg_ioc_bloom_set(set, h);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = v;
	}
	table_free(set->slots, set->cap);
	set->slots = ns;
	set->cap = ncap;
	return VG_OK;
}

/* Record that prefixes of this length exist (kept in descending order). */
static void plen_add(vg_iocset *set, int f, uint8_t len)
{
	size_t n = set->nplens[f], i = 0;
	while (i < n && set->plens[f][i] > len)
		i++;
	if (i < n && set->plens[f][i] == len)
		return;
	memmove(&set->plens[f][i + 1], &set->plens[f][i], n - i);
	set->plens[f][i] = len;
	set->nplens[f]++;
}

vg_err vg_ioc_group_new(vg_iocset *set, uint64_t need, uint32_t *group)
{
	if (set->ngroups == set->capgroups) {
		size_t nc = set->capgroups ? set->capgroups * 2 : 16;
		ioc_group *ng = realloc(set->groups, nc * sizeof(*ng));
		if (!ng)
			return VG_ERR_NOMEM;
		set->groups = ng;
		set->capgroups = nc;
	}
	set->groups[set->ngroups].need = need;
	*group = (uint32_t)++set->ngroups;
	return VG_OK;
}

vg_err vg_ioc_add(vg_iocset *set, vg_ioc_type t, const char *val, size_t len, uint16_t src, unsigned line,
		  const char *id, uint32_t group, uint8_t member, bool *dup, vg_diag *d)
{
	char norm[VG_IOC_VALUE_MAX + 32];
	uint8_t key[VG_IOC_VALUE_MAX + 32], prefix;
	size_t n, kl;
	uint64_t *slot;
	vg_err e;
	*dup = false;
	if (vg_ioc_normalize(t, val, len, norm, sizeof(norm), &n))
		return vg_diag_set(d, VG_ERR_INVALID, "value", "not a valid %s: %.*s", vg_ioc_type_name(t),
				   (int)(len > 200 ? 200 : len), val);
	if (set->nents >= VG_IOC_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, NULL, "more than %u indicators", VG_IOC_MAX);
	kl = make_key(t, norm, n, key, &prefix);
	bool cidr = t == VG_IOC_IP && prefix != (key[0] == 4 ? 32 : 128);
	if ((set->nkeys + 1) * 2 > set->cap && (e = grow_table(set)))
		return vg_diag_set(d, e, NULL, "out of memory");
	slot = slot_find(set, (uint8_t)t, key, kl);
	/* an identical indicator already there: a duplicate unless it brings a group */
	uint32_t head = (uint32_t)*slot;
	if (head && !group) {
		for (uint32_t i = head - 1; i != IOC_NIL; i = set->ents[i].next)
			if (!set->ents[i].group) {
				*dup = true;
				return VG_OK;
			}
	}
	if (set->nents == set->capents) {
		size_t nc = set->capents ? set->capents * 2 : 1024;
		ioc_ent *ne = realloc(set->ents, nc * sizeof(*ne));
		if (!ne)
			return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		set->ents = ne;
		set->capents = nc;
	}
	ioc_ent *ent = &set->ents[set->nents];
	uint8_t *k = head ? (uint8_t *)set->ents[head - 1].key : blob_alloc(set, kl);
	size_t idl = id && *id ? strlen(id) : 0;
	char *idc = idl ? blob_alloc(set, idl + 1) : NULL;
	if (!k || (idl && !idc))
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	if (!head)
		memcpy(k, key, kl);
	if (idc)
		memcpy(idc, id, idl + 1);
	*ent = (ioc_ent){.key = k, .id = idc ? idc : "", .next = head ? head - 1 : IOC_NIL, .line = line,
			 .group = group, .keylen = (uint16_t)kl, .src = src, .type = (uint8_t)t, .prefix = prefix,
			 .member = member};
	uint64_t h = vg_ioc_key_hash((uint8_t)t, key, kl);
	*slot = (h & 0xffffffff00000000ull) | ((uint64_t)set->nents + 1);
	vg_ioc_bloom_set(set, h);
	set->nkeys += !head;
	if (cidr) {
		set->ncidrs += !head;
		plen_add(set, key[0] == 4 ? 0 : 1, prefix);
	}
	set->nents++;
	set->by_type[t]++;
	if (t == VG_IOC_DOMAIN && !memchr(norm, '.', n))
		set->domain_label1 = true;
	return VG_OK;
}

void vg_ioc_stats_get(const vg_ruleset *rs, vg_ioc_stats *st)
{
	const vg_iocset *set = rs->iocs;
	memset(st, 0, sizeof(*st));
	if (!set)
		return;
	st->iocs = set->nents;
	memcpy(st->by_type, set->by_type, sizeof(st->by_type));
	st->cidrs = set->ncidrs;
	st->fields = set->nfields;
	st->bytes = sizeof(*set) + set->capents * sizeof(ioc_ent) + set->cap * sizeof(uint64_t) +
		    set->nbloom * sizeof(uint64_t) + set->blob_bytes +
		    set->capgroups * sizeof(ioc_group);
}
