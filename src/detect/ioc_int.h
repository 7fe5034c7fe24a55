/* Internal structures of the indicator sets (ioc.c, ioc_load.c). */
#ifndef VG_DETECT_IOC_INT_H
#define VG_DETECT_IOC_INT_H
#include "detect/internal.h"
#include "detect/ioc.h"

#define IOC_NIL UINT32_MAX

/* One indicator: 40 bytes, in a growable array; keys and ids in a bump
 * allocator (no per-IOC malloc). Same key from several sources: chained. */
typedef struct ioc_ent {
	const uint8_t *key; /* IP: family + address bytes (+ length for a CIDR); hashes: raw bytes; others: text */
	const char *id;     /* "" when unknown */
	uint32_t next;      /* next entry with the same key, IOC_NIL */
	uint32_t line;
	uint32_t group;     /* AND group + 1 (STIX), 0 for none */
	uint16_t keylen, src;
	uint8_t type, prefix, member, pad_;
} ioc_ent;

typedef struct ioc_group {
	uint64_t need; /* mask of the members */
} ioc_group;

typedef enum { FK_IP, FK_DOMAIN, FK_URL, FK_HASH, FK_HASHES, FK_EMAIL, FK_STRING } field_kind;

typedef struct ioc_field {
	int fid, host_fid;
	uint8_t kind;
	const char *name;
} ioc_field;

typedef struct ioc_blob { /* bump allocator chunk */
	struct ioc_blob *prev;
	size_t used, cap;
	uint8_t data[];
} ioc_blob;

struct vg_iocset {
	ioc_ent *ents;
	size_t nents, capents;
	/* open addressing, linear probing: (hash >> 32) << 32 | (entry index + 1),
	 * 0 = empty; the tag spares the entry's cache line on most misses */
	uint64_t *slots;
	size_t cap; /* power of two */
	size_t nkeys;
	/* blocked Bloom filter in front of the table (cap bytes: >= 16 bits per
	 * key, two bits in one word): most event values are not indicators, and
	 * the filter answers from cache where the table costs a memory miss */
	uint64_t *bloom;
	size_t nbloom; /* words, power of two */
	unsigned bloom_shift;
	/* CIDR prefixes are in the same table, keyed by family, masked address
	 * and length; longest match probes the lengths present, longest first */
	uint8_t plens[2][129]; /* [0] IPv4, [1] IPv6: lengths present, descending */
	size_t nplens[2];
	size_t ncidrs;
	ioc_group *groups;
	size_t ngroups, capgroups;
	ioc_blob *blob;
	size_t blob_bytes;
	char **sources;
	size_t nsources;
	ioc_field fields[VG_IOC_FIELDS_MAX];
	size_t nfields;
	size_t by_type[VG_IOC__COUNT];
	bool domain_label1; /* a domain indicator of one label ("local"): names look up their last label too */
};
typedef struct vg_iocset vg_iocset;

vg_iocset *vg_ioc_set_get(vg_ruleset *rs);
void vg_ioc_set_free(vg_iocset *set);
/* Add one indicator (value already in text; normalised here). */
vg_err vg_ioc_add(vg_iocset *set, vg_ioc_type t, const char *val, size_t len, uint16_t src, unsigned line,
		  const char *id, uint32_t group, uint8_t member, bool *dup, vg_diag *d);
vg_err vg_ioc_group_new(vg_iocset *set, uint64_t need, uint32_t *group);
int vg_ioc_source(vg_iocset *set, const char *name);
/* a.b.c.d in decimal without leading zeros (the only IPv4 form inet_pton
 * takes); false for anything else. */
static inline bool vg_ioc_ipv4_parse(const char *s, size_t n, uint8_t out[4])
{
	const char *e = s + n;
	if (n < 7 || n > 15)
		return false;
	for (int k = 0;; k++) {
		unsigned v = (unsigned)(unsigned char)*s - '0';
		if (v > 9)
			return false;
		s++;
		for (int j = 1; j < 3 && s < e; j++) {
			unsigned d = (unsigned)(unsigned char)*s - '0';
			if (d > 9)
				break;
			if (!v)
				return false; /* leading zero */
			v = v * 10 + d;
			s++;
		}
		if (v > 255)
			return false;
		out[k] = (uint8_t)v;
		if (k == 3)
			return s == e;
		if (s >= e || *s != '.')
			return false;
		if (++s >= e)
			return false;
	}
}

/* Bytes of a DNS name, lower-cased ('.' itself); 0 where a name cannot have
 * that byte. */
extern const uint8_t vg_ioc_name_tab[256];

/* Normalisers and lookups shared by the store (ioc.c) and the matcher
 * (ioc_match.c). */
vg_err vg_ioc_ip_parse(const char *s, size_t n, vg_ip *out);
vg_err vg_ioc_norm_domain(const char *s, size_t n, char *out, size_t outsz, size_t *outlen);
vg_err vg_ioc_norm_url(const char *s, size_t n, char *out, size_t outsz, size_t *outlen);
vg_err vg_ioc_norm_email(const char *s, size_t n, char *out, size_t outsz, size_t *outlen);
vg_ioc_type vg_ioc_hash_type(size_t hexlen);
/* Hex text to bytes (n/2 of them); false if n is odd or a byte is not hex. */
bool vg_ioc_hex_decode(const char *s, size_t n, uint8_t *out);
/* The slot holding this key, or the empty slot where it would go. */
uint64_t *vg_ioc_slot_find_h(const vg_iocset *set, uint8_t type, const uint8_t *k, size_t n, uint64_t h);

static inline uint64_t vg_ioc_key_hash(uint8_t type, const uint8_t *k, size_t n)
{
	return vg_hash_bytes(k, n) ^ ((uint64_t)type * 0x9e3779b97f4a7c15ull);
}

/* Blocked Bloom filter: one 64-bit word per key, two bits in it. */
static inline uint64_t vg_ioc_bloom_mix(uint64_t h)
{
	return (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ull;
}

static inline uint64_t vg_ioc_bloom_bits(uint64_t g)
{
	return (1ull << (g & 63)) | (1ull << ((g >> 6) & 63));
}

static inline void vg_ioc_bloom_set(vg_iocset *set, uint64_t h)
{
	uint64_t g = vg_ioc_bloom_mix(h);
	set->bloom[g >> set->bloom_shift] |= vg_ioc_bloom_bits(g);
}

/* Event matching (match.c calls it). */
typedef struct vg_ioc_scratch vg_ioc_scratch;
vg_ioc_scratch *vg_ioc_scratch_new(void);
void vg_ioc_scratch_free(vg_ioc_scratch *s);
int vg_ioc_match(vg_ioc_scratch *s, const vg_ruleset *rs, const vg_event *ev, vg_ioc_hit_fn fn, void *ctx);
/* Several events at once (at most VG_IOC_BATCH_EVENTS): their lookups share
 * one batch, so the memory misses of all of them overlap. fn gets each hit
 * with its event's index; hits come in event order. */
int vg_ioc_match_multi(vg_ioc_scratch *s, const vg_ruleset *rs, const vg_event *const *evs, size_t n,
		       vg_ioc_event_hit_fn fn, void *ctx);

#endif
