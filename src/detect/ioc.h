/* Indicator sets (IOCs) for the detection engine: plain lists, CSV, MISP
 * events and feeds, STIX 2.1 indicators (the simple pattern subset). They
 * compile into the same immutable ruleset as the Sigma rules.
 *
 * Life cycle (see sigma.h): vg_ruleset_new → [mappings] → vg_ioc_load_fields*
 * (which event field holds which type; without one, nothing is matched) →
 * vg_ioc_load_path* → vg_ruleset_compile. Each worker sets an IOC hit
 * callback on its scratch (vg_detect_scratch_set_ioc); vg_detect_json /
 * vg_detect_xml then report IOC hits through it after the Sigma hits.
 *
 * Problems (bad line, unknown type, malformed pattern) are reported with
 * file, line and field through the load report's callback, counted and
 * skipped. */
#ifndef VG_DETECT_IOC_H
#define VG_DETECT_IOC_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "detect/sigma.h"

typedef enum vg_ioc_type {
	VG_IOC_NONE = 0,
	VG_IOC_IP, /* IPv4/IPv6 address or CIDR prefix */
	VG_IOC_DOMAIN,
	VG_IOC_URL,
	VG_IOC_MD5,
	VG_IOC_SHA1,
	VG_IOC_SHA256,
	VG_IOC_SHA512,
	VG_IOC_EMAIL,
	VG_IOC_STRING,
	VG_IOC__COUNT
} vg_ioc_type;
const char *vg_ioc_type_name(vg_ioc_type t);
/* "ip", "domain", ... (also MISP and STIX spellings); VG_IOC_NONE if unknown. */
vg_ioc_type vg_ioc_type_parse(const char *s, size_t len);

typedef enum vg_ioc_format {
	VG_IOC_FMT_AUTO = 0, /* from the content / file name */
	VG_IOC_FMT_LIST,
	VG_IOC_FMT_CSV,
	VG_IOC_FMT_MISP,
	VG_IOC_FMT_STIX,
} vg_ioc_format;

typedef struct vg_ioc_report {
	vg_problem_fn problem; /* may be NULL */
	void *ctx;
	size_t files;
	size_t loaded;     /* indicators added */
	size_t duplicates; /* already present from the same kind of source */
	size_t skipped;    /* MISP attributes with to_ids false, non-indicator types */
	size_t rejected;   /* bad lines / values (each reported) */
} vg_ioc_report;

/* The field map (etc/detect/ioc-fields.yml): "field: type" lines, where type
 * is ip, domain, url, hash (md5/sha1/sha256/sha512 by length), hashes (the
 * Sysmon "MD5=…,SHA256=…" list), email or string; "url@HOSTFIELD" takes the
 * host from another field when the URL is only a path (EVE http.url). */
vg_err vg_ioc_load_fields(vg_ruleset *rs, const char *path, vg_diag *d);
vg_err vg_ioc_load_fields_string(vg_ruleset *rs, const char *name, const char *text, size_t len, vg_diag *d);

/* Load indicators from a file or, for a folder, from every file under it (a
 * MISP feed: its event files; manifest.json and *.csv hash lists skipped).
 * deftype forces the type of plain-list lines (VG_IOC_NONE: guessed). The
 * return value is an error only when the path cannot be read or memory runs
 * out. */
vg_err vg_ioc_load_path(vg_ruleset *rs, const char *path, vg_ioc_format fmt, vg_ioc_type deftype,
			vg_ioc_report *rep);
vg_err vg_ioc_load_string(vg_ruleset *rs, const char *name, const char *text, size_t len, vg_ioc_format fmt,
			  vg_ioc_type deftype, vg_ioc_report *rep);

typedef struct vg_ioc_stats {
	size_t iocs, by_type[VG_IOC__COUNT], cidrs, fields, bytes;
} vg_ioc_stats;
void vg_ioc_stats_get(const vg_ruleset *rs, vg_ioc_stats *st);

/* ---- matching ---- */
typedef struct vg_ioc_info {
	const char *value; /* canonical text form */
	vg_ioc_type type;
	const char *file;
	unsigned line; /* 0 for JSON sources (then id says which) */
	const char *id; /* MISP attribute uuid / STIX indicator id, "" when unknown */
} vg_ioc_info;

typedef struct vg_ioc_hit {
	const vg_ioc_info *ioc;
	const char *field; /* event field that matched (as written in the field map) */
	const char *value; /* its value */
	size_t value_len;
} vg_ioc_hit;
typedef void (*vg_ioc_hit_fn)(void *ctx, const vg_ioc_hit *hit);

/* IOC hits of this scratch go to fn (NULL: IOCs are not matched). */
void vg_detect_scratch_set_ioc(vg_detect_scratch *s, vg_ioc_hit_fn fn, void *ctx);

/* Matching many events at once, indicator sets only (a ruleset without
 * Sigma rules): each event is extracted into the batch, and one run looks
 * the keys of all of them up together, so that the memory misses of a large
 * set overlap (see docs/internals/detect.md, "Matching in batches"). Hits
 * come in event order, each with its event's index in the batch. One batch
 * per thread; the ruleset is shared. */
typedef void (*vg_ioc_event_hit_fn)(void *ctx, size_t event, const vg_ioc_hit *hit);
typedef struct vg_ioc_batch vg_ioc_batch;
vg_ioc_batch *vg_ioc_batch_new(const vg_ruleset *rs);
void vg_ioc_batch_free(vg_ioc_batch *b);
/* Extract one JSON event: its index in the batch, or -1 when it is not a
 * valid event (d says why; nothing is kept). Call only while not full. */
int vg_ioc_batch_add_json(vg_ioc_batch *b, const char *json, size_t len, vg_diag *d);
size_t vg_ioc_batch_count(const vg_ioc_batch *b);
bool vg_ioc_batch_full(const vg_ioc_batch *b);
/* Match the events added since the last run and empty the batch; returns
 * the number of hits. */
int vg_ioc_batch_run(vg_ioc_batch *b, vg_ioc_event_hit_fn fn, void *ctx);

/* ---- lower-level pieces, exposed for tests and fuzzing ---- */

/* Parse a STIX pattern of the supported subset into its disjunctive normal
 * form: terms (OR) of comparisons (AND). Calls fn for each comparison with
 * the term index; returns the number of terms or a negative vg_err. */
typedef vg_err (*vg_stix_cmp_fn)(void *ctx, size_t term, const char *object, const char *property,
				 const char *value, size_t vlen);
int vg_stix_pattern_parse(const char *pattern, size_t len, vg_stix_cmp_fn fn, void *ctx, vg_diag *d);

/* Normalisers (out: NUL-terminated; VG_ERR_INVALID when not of the type). */
vg_err vg_ioc_normalize(vg_ioc_type t, const char *s, size_t len, char *out, size_t outsz, size_t *outlen);
/* Guess the type of a plain-list value (VG_IOC_NONE: no guess). */
vg_ioc_type vg_ioc_guess(const char *s, size_t len);
/* Split a Sysmon Hashes value ("MD5=…,SHA256=…,IMPHASH=…"): fn per known hash. */
void vg_ioc_sysmon_hashes(const char *s, size_t len, void (*fn)(void *ctx, vg_ioc_type t, const char *h, size_t n),
			  void *ctx);

#endif
