/* In-memory lookup index of the registry: which organisations does an IP
 * address, AS number, domain or e-mail address belong to?
 *
 * A vg_regindex is an immutable, reference-counted snapshot built from the
 * database. A vg_registry holds the current snapshot for a process: acquire
 * checks meta.registry_gen (one prepared SELECT) and rebuilds and swaps the
 * snapshot when another connection or process changed the registry. Acquire
 * once per request or batch, look up many times (no locks, no allocation per
 * lookup), release.
 *
 * IP: longest prefix wins. The best matches (every organisation registered
 * with the most specific covering prefix) come first with best=true, followed
 * by the less specific covering prefixes (best=false), most specific first.
 * Domains: the longest registered suffix wins (a domain covers its
 * subdomains), then shorter covering suffixes (best=false).
 * E-mail: contacts with exactly this address (type EMAIL, best), then the
 * address's domain as a domain lookup (best only when no contact matched).
 * AS number: exact. */
#ifndef VG_REGISTRY_INDEX_H
#define VG_REGISTRY_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ip.h"
#include "store/store.h"

typedef struct vg_registry vg_registry; /* holder: current snapshot */
typedef struct vg_regindex vg_regindex; /* one snapshot */

typedef enum vg_match_type {
	VG_MATCH_NETWORK = 0,
	VG_MATCH_ASN,
	VG_MATCH_DOMAIN,
	VG_MATCH_EMAIL,
} vg_match_type;

/* "network", "asn", "domain", "email". */
const char *vg_match_type_name(vg_match_type t);

typedef struct vg_reg_match {
	int64_t org_id;
	uint8_t type; /* vg_match_type */
	bool best;
	uint32_t ref; /* what matched, for vg_regindex_match_text */
} vg_reg_match;

typedef struct vg_regindex_stats {
	int64_t gen;          /* meta.registry_gen the snapshot was built from */
	size_t orgs, networks4, networks6, asns, domains, emails;
	size_t bytes;         /* approximate memory */
	int64_t build_ms;     /* time the build took */
} vg_regindex_stats;

/* ---- snapshots ---- */
/* Build a snapshot from the database (one read transaction). */
vg_err vg_regindex_build(vg_db *db, vg_regindex **out, vg_diag *d);
/* Drop a reference (NULL-safe). The last one frees the snapshot. */
void vg_regindex_release(vg_regindex *ix);
/* Take one more reference. */
vg_regindex *vg_regindex_ref(vg_regindex *ix);
void vg_regindex_stats_get(const vg_regindex *ix, vg_regindex_stats *st);

/* Lookups write at most max matches (VG_LOOKUP_RESULTS_MAX is the API's cap)
 * and return how many were written. Inputs must be normalised
 * (vg_domain_normalize / vg_email_normalize). */
size_t vg_regindex_lookup_ip(const vg_regindex *ix, const vg_ip *ip, vg_reg_match *out, size_t max);
size_t vg_regindex_lookup_asn(const vg_regindex *ix, uint32_t asn, vg_reg_match *out, size_t max);
size_t vg_regindex_lookup_domain(const vg_regindex *ix, const char *domain, vg_reg_match *out, size_t max);
size_t vg_regindex_lookup_email(const vg_regindex *ix, const char *email, vg_reg_match *out, size_t max);
/* Fast path for bulk attribution: the id of an organisation registered with
 * the most specific prefix covering addr (IPv4, host byte order), 0 if none;
 * *nbest (may be NULL) gets how many organisations share that prefix. */
int64_t vg_regindex_lookup_ipv4_best(const vg_regindex *ix, uint32_t addr, uint32_t *nbest);

/* What matched, as text: "10.0.0.0/8", "AS64500", "example.fr", "soc@example.fr". */
const char *vg_regindex_match_text(const vg_regindex *ix, const vg_reg_match *m, char *buf, size_t bufsz);
/* Organisation name (NULL if unknown to the snapshot). */
const char *vg_regindex_org_name(const vg_regindex *ix, int64_t org_id);
/* Parent organisation id (0 = none or unknown). */
int64_t vg_regindex_org_parent(const vg_regindex *ix, int64_t org_id);

/* ---- holder ---- */
vg_err vg_registry_new(vg_registry **out);
void vg_registry_free(vg_registry *reg);
/* The current snapshot, rebuilt first if meta.registry_gen changed. Returns a
 * reference the caller releases with vg_regindex_release, or NULL when no
 * snapshot could be built (the error is logged). If the rebuild fails, the
 * previous snapshot is returned. Called inside an open transaction on db, a
 * changed registry is built into a private snapshot that is not published
 * (it may contain uncommitted rows). Thread-safe. */
vg_regindex *vg_registry_acquire(vg_registry *reg, vg_db *db);
/* Forget the current snapshot so the next acquire rebuilds. */
void vg_registry_invalidate(vg_registry *reg);

#endif
