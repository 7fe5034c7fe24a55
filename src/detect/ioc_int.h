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
/* Event matching (match.c calls it). */
typedef struct vg_ioc_scratch vg_ioc_scratch;
vg_ioc_scratch *vg_ioc_scratch_new(void);
void vg_ioc_scratch_free(vg_ioc_scratch *s);
int vg_ioc_match(vg_ioc_scratch *s, const vg_ruleset *rs, const vg_event *ev, vg_ioc_hit_fn fn, void *ctx);

#endif
