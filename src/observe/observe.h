/* Observables: typed, normalised values (IPs, prefixes, domains, URLs,
 * addresses, hashes, CVE ids, ...) extracted from reports, incidents and
 * alerts, stored once, linked to the objects that mention them, and used to
 * correlate incidents.
 *
 *  - normalise/validate one value of a known type (vg_obs_normalize) or guess
 *    the type of a bare value (vg_obs_guess);
 *  - extract candidates from free text with refanging (vg_obs_extract): this
 *    writes nothing, the analyst confirms what to keep;
 *  - store and link (vg_obs_link_value) inside the caller's transaction;
 *  - correlate (vg_obs_related): incidents sharing values, ranked by the sum
 *    of rarity weights, common values suppressed, IP <-> CIDR containment,
 *    scoped to one organisation for constituents.
 *
 * Common values: a value on the shipped warning list (etc/warninglists/) or
 * linked to more objects than the configured cap (correlation_common_cap) is
 * "common". It is still stored and listed on the objects that mention it, but
 * it creates no correlation between them. */
#ifndef VG_OBSERVE_OBSERVE_H
#define VG_OBSERVE_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/limits.h"
#include "store/store.h"

typedef enum vg_obs_type {
	VG_OBS_IPV4,
	VG_OBS_IPV6,
	VG_OBS_CIDR,
	VG_OBS_DOMAIN,
	VG_OBS_URL,
	VG_OBS_EMAIL,
	VG_OBS_MD5,
	VG_OBS_SHA1,
	VG_OBS_SHA256,
	VG_OBS_SHA512,
	VG_OBS_FILENAME,
	VG_OBS_CVE,
	VG_OBS_ASN,
	VG_OBS_USER_AGENT,
	VG_OBS_STRING,
	VG_OBS__COUNT
} vg_obs_type;

/* Largest normalised value (with the NUL): a URL up to VG_OBS_VALUE_MAX bytes. */
#define VG_OBS_VALUE_BUF 2049

/* "ipv4", "ipv6", "cidr", "domain", "url", "email", "md5", "sha1", "sha256",
 * "sha512", "filename", "cve", "asn", "user_agent", "string". */
const char *vg_obs_type_name(vg_obs_type t);
/* Parse a type name; VG_ERR_INVALID for an unknown one. */
vg_err vg_obs_type_parse(const char *s, vg_obs_type *out);

/* Validate and normalise one value of type t. out receives the canonical form
 * (IPs per core/ip.h, CIDRs with host bits cleared, domains lower-case ASCII
 * (punycode; UTF-8 refused), URLs per vg_url_normalize, e-mails lower-case,
 * hashes lower-case hex of the exact length, CVE-YYYY-NNNN+ upper-case, ASN as
 * "AS<n>", strings trimmed). field names the input in diagnostics. */
vg_err vg_obs_normalize(vg_obs_type t, const char *s, size_t len, char *out, size_t outsz, const char *field,
			vg_diag *d);
/* Guess the type of a bare value (refanged first) and normalise it; falls back
 * to VG_OBS_STRING for printable text. */
vg_err vg_obs_guess(const char *s, size_t len, vg_obs_type *type, char *out, size_t outsz, vg_diag *d);

/* URL normalisation: scheme and host lower-case, IP hosts canonical, default
 * port removed, percent-encoding of unreserved characters decoded and other
 * escapes upper-cased, dot-segments removed (RFC 3986 5.2.4), empty path "/",
 * fragment dropped. Schemes: http, https, ftp, ftps, sftp, ws, wss, hxxp forms
 * already refanged by the caller. Bounded by VG_OBS_VALUE_MAX. */
vg_err vg_url_normalize(const char *s, size_t len, char *out, size_t outsz, const char *field, vg_diag *d);

/* Refang defanged text: hxxp/hxxps/hXXp/hxtp/fxp/meow schemes, [.] (.) {.} [dot]
 * (dot) {dot}, [at] (at) [@] {at}, [:] [://] [/], and " . " / " [.] " spaces
 * around defanged dots. Writes at most outsz-1 bytes plus NUL and returns the
 * length written. If offsets is non-NULL (outsz entries), offsets[i] is the
 * byte offset in `in` of output byte i. */
size_t vg_obs_refang(const char *in, size_t len, char *out, size_t outsz, uint32_t *offsets);

/* ---- extraction ---- */

typedef struct vg_obs_warnlist vg_obs_warnlist;

typedef struct vg_obs_candidate {
	vg_obs_type type;
	const char *value;      /* the text as found (possibly defanged) */
	const char *normalized; /* canonical value */
	size_t offset;          /* byte offset of the match in the input */
	size_t length;          /* bytes of the match in the input */
	bool defanged;          /* the match was refanged */
	const char *common;     /* warning list entry that makes it common, or NULL */
} vg_obs_candidate;

typedef struct vg_obs_candidates {
	vg_obs_candidate *items;
	size_t len;
	bool truncated; /* more than VG_OBS_EXTRACT_MAX distinct values */
} vg_obs_candidates;

/* Extract candidates from text of at most VG_OBS_TEXT_MAX bytes (longer text is
 * an error, VG_ERR_LIMIT). Deduplicated on (type, normalised value), in order
 * of first appearance, at most VG_OBS_EXTRACT_MAX. A URL's host is not
 * reported again as a separate domain; an e-mail's domain is. wl may be NULL
 * (then candidates are not flagged common). Everything is allocated in a. */
vg_err vg_obs_extract(const char *text, size_t len, const vg_obs_warnlist *wl, vg_arena *a,
		      vg_obs_candidates *out, vg_diag *d);

/* ---- warning lists ---- */

/* The lists shipped in etc/warninglists/ (compiled in), parsed once and shared
 * read-only; never freed. NULL only on allocation failure. */
const vg_obs_warnlist *vg_obs_warnlist_default(void);
/* Parse a list file: lines "cidr <prefix>", "domain <name>" (the name and its
 * subdomains), "suffix <label>" (e.g. "suffix test" matches *.test), "# ..."
 * comments; "name <list name>" sets the reason reported. Several texts can be
 * added to one list. */
vg_err vg_obs_warnlist_new(vg_obs_warnlist **out);
vg_err vg_obs_warnlist_add_text(vg_obs_warnlist *wl, const char *text, size_t len, const char *file, vg_diag *d);
void vg_obs_warnlist_free(vg_obs_warnlist *wl);
/* The list name ("public-dns-resolvers", ...) if the normalised value is
 * listed (an IP inside a prefix, a CIDR inside a prefix, a domain, a URL or an
 * e-mail whose host is listed), else NULL. */
const char *vg_obs_warnlist_match(const vg_obs_warnlist *wl, vg_obs_type t, const char *normalized);
size_t vg_obs_warnlist_size(const vg_obs_warnlist *wl);

/* ---- storage (table observables, observable_links; migration 0003) ---- */

/* Object types that observables link to. */
#define VG_OBS_OBJ_REPORT "report"
#define VG_OBS_OBJ_INCIDENT "incident"
#define VG_OBS_OBJ_ALERT "alert"

typedef struct vg_observable {
	int64_t id;
	vg_obs_type type;
	const char *value; /* normalised */
	int64_t first_seen, last_seen; /* ms */
	bool ioc;
	bool common;
	const char *common_reason; /* "" when not common */
	const char *common_by;     /* "", "auto" or "analyst" */
	const char *tags;          /* JSON array text, "[]" by default */
	int64_t link_count;        /* objects linked (all organisations) */
} vg_observable;

/* Insert the (already normalised) value or find it; bump last_seen. Flags it
 * common when it matches wl (unless an analyst decided otherwise). */
vg_err vg_obs_upsert(vg_db *db, vg_obs_type t, const char *normalized, const vg_obs_warnlist *wl,
		     int64_t *id, vg_diag *d);
/* Normalise raw (of type t, or guessed when t is VG_OBS__COUNT), upsert it and
 * link it to (object_type, object_id) with org_id (0 = no organisation) in
 * the caller's transaction (one is opened when none is). source says where it
 * came from ("analyst", "extract", "mail", "alert", ...). *created is true if
 * the link is new (an existing link is not an error). obs_id/created may be
 * NULL. The cap (common_cap) is applied when correlating, from link_count, so
 * a change of correlation_common_cap takes effect at once. Network values and
 * hashes are refanged before normalisation. No audit entry here: the caller
 * audits its own change. */
vg_err vg_obs_link_value(vg_db *db, vg_obs_type t, const char *raw, size_t len, const char *object_type,
			 int64_t object_id, int64_t org_id, const char *source, const vg_obs_warnlist *wl,
			 int64_t common_cap, int64_t *obs_id, bool *created, vg_diag *d);
/* Link an existing observable. */
vg_err vg_obs_link(vg_db *db, int64_t obs_id, const char *object_type, int64_t object_id, int64_t org_id,
		   const char *source, int64_t common_cap, bool *created, vg_diag *d);
/* Remove a link; VG_ERR_NOT_FOUND when there is none. */
vg_err vg_obs_unlink(vg_db *db, int64_t obs_id, const char *object_type, int64_t object_id, vg_diag *d);
/* Change the organisation of every link of an object (incident re-attributed),
 * and move links from one object to another (merge: from's links join to's,
 * duplicates dropped). */
vg_err vg_obs_set_object_org(vg_db *db, const char *object_type, int64_t object_id, int64_t org_id,
			     vg_diag *d);
vg_err vg_obs_move_links(vg_db *db, const char *object_type, int64_t from_id, int64_t to_id, int64_t org_id,
			 vg_diag *d);

/* Load one observable; strings allocated in a. VG_ERR_NOT_FOUND if absent. */
vg_err vg_obs_get(vg_db *db, int64_t id, vg_arena *a, vg_observable *out, vg_diag *d);
vg_err vg_obs_find(vg_db *db, vg_obs_type t, const char *normalized, vg_arena *a, vg_observable *out,
		   vg_diag *d);
/* Flags set by an analyst. common=false on a warning-listed value overrides
 * the list (common_by = "analyst"). tags_json: a JSON array text or NULL. */
vg_err vg_obs_set_ioc(vg_db *db, int64_t id, bool ioc, vg_diag *d);
vg_err vg_obs_set_common(vg_db *db, int64_t id, bool common, const char *reason, vg_diag *d);
vg_err vg_obs_set_tags(vg_db *db, int64_t id, const char *tags_json, vg_diag *d);

typedef struct vg_obs_linked {
	vg_observable obs;
	const char *source;
	int64_t linked_at;
} vg_obs_linked;

/* Observables linked to one object, in link order, at most max. */
vg_err vg_obs_list_for_object(vg_db *db, const char *object_type, int64_t object_id, size_t max, vg_arena *a,
			      vg_obs_linked **items, size_t *n, vg_diag *d);

typedef struct vg_obs_object_ref {
	const char *object_type;
	int64_t object_id;
	int64_t org_id; /* 0 = none */
	const char *source;
	int64_t linked_at;
} vg_obs_object_ref;

/* Objects one observable links to, newest first; scope_org > 0 keeps only that
 * organisation's objects. At most max (then *truncated). */
vg_err vg_obs_objects(vg_db *db, int64_t obs_id, int64_t scope_org, size_t max, vg_arena *a,
		      vg_obs_object_ref **items, size_t *n, bool *truncated, vg_diag *d);

typedef struct vg_obs_query {
	int has_type;       /* filter on type */
	vg_obs_type type;
	const char *value;  /* prefix of the normalised value, or NULL */
	int ioc;            /* -1 any, 0, 1 */
	int64_t scope_org;  /* > 0: only values linked to this organisation's objects */
	int64_t after_id;   /* cursor: ids greater than this */
	size_t limit;
	int exact;          /* with has_type: value is a whole normalised value (indexed lookup) */
} vg_obs_query;

/* Observables by ascending id. *next_after is the cursor for the next page
 * (0 when there is none). */
vg_err vg_obs_search(vg_db *db, const vg_obs_query *q, vg_arena *a, vg_observable **items, size_t *n,
		     int64_t *next_after, vg_diag *d);

/* ---- correlation ---- */

typedef struct vg_obs_shared {
	int64_t observable_id;      /* the value of the source object */
	vg_obs_type type;
	const char *value;
	int64_t other_id;           /* the value of the related object (differs for CIDR containment) */
	vg_obs_type other_type;
	const char *other_value;
	const char *via;            /* "same" or "cidr" */
	int64_t df;                 /* objects holding the value (visible ones for a scoped actor) */
	double weight;
} vg_obs_shared;

typedef struct vg_obs_related {
	int64_t object_id; /* incident id */
	int64_t org_id;
	double score;      /* sum of weights */
	size_t nshared;
	vg_obs_shared *shared;
} vg_obs_related;

typedef struct vg_obs_related_opts {
	int64_t scope_org;     /* > 0: constituent of this organisation */
	int64_t common_cap;    /* values linked to more objects are common */
	size_t limit;          /* related objects returned (<= VG_OBS_RELATED_MAX) */
	const char *target_type; /* NULL = "incident" */
} vg_obs_related_opts;

typedef struct vg_obs_related_result {
	vg_obs_related *items; /* by score, descending */
	size_t len;
	size_t values_used;    /* source values that took part */
	size_t values_common;  /* source values skipped as common */
} vg_obs_related_result;

/* Objects of target_type sharing values with (object_type, object_id).
 * Weight of a value held by df objects: ln(1 + cap / df). */
vg_err vg_obs_related_find(vg_db *db, const char *object_type, int64_t object_id, const vg_obs_related_opts *o,
			   vg_arena *a, vg_obs_related_result *out, vg_diag *d);

#endif
