/* Detection engine: Sigma rules over log events.
 *
 * Life cycle:
 *   vg_ruleset_new → vg_ruleset_load_mapping* → vg_ruleset_load_path/_string* →
 *   vg_ruleset_compile  (from here on the ruleset is immutable and may be
 *   shared by any number of threads)
 *   each worker: vg_detect_scratch_new(rs) → vg_detect_json / vg_detect_xml
 *   (hits reported through a callback) → vg_detect_scratch_free.
 *
 * Rules that cannot run are never dropped silently: every problem is passed to
 * the load report's callback with file, line, field and reason, and counted. */
#ifndef VG_DETECT_SIGMA_H
#define VG_DETECT_SIGMA_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct vg_ruleset vg_ruleset;
typedef struct vg_detect_scratch vg_detect_scratch;

/* Levels in increasing order; VG_LEVEL_NONE when the rule has none. */
typedef enum vg_level {
	VG_LEVEL_NONE = 0,
	VG_LEVEL_INFORMATIONAL,
	VG_LEVEL_LOW,
	VG_LEVEL_MEDIUM,
	VG_LEVEL_HIGH,
	VG_LEVEL_CRITICAL,
	VG_LEVEL__COUNT
} vg_level;
const char *vg_level_name(vg_level l);

/* What a loaded rule says about itself (strings owned by the ruleset). */
typedef struct vg_rule_info {
	const char *id;     /* "" when absent */
	const char *name;   /* "" when absent */
	const char *title;
	const char *status; /* "" when absent */
	const char *author; /* "" when absent; an alert must carry it (DRL licence) */
	const char *const *tags;
	size_t ntags;
	vg_level level;
	const char *product, *category, *service; /* logsource ("" when absent) */
	const char *file;
	unsigned line;
	/* false when the loaded mappings have no route for the rule's logsource
	 * (the rule loads but cannot see any event); reason in inactive_reason. */
	bool active;
	const char *inactive_reason;
	size_t index; /* position in the ruleset */
} vg_rule_info;

/* Load report: counts, and a callback for every problem (may be NULL). A
 * problem with code VG_OK is a warning (the rule still loads). */
typedef void (*vg_problem_fn)(void *ctx, const vg_diag *d);
typedef struct vg_load_report {
	vg_problem_fn problem;
	void *ctx;
	size_t files;     /* YAML files read */
	size_t documents; /* YAML documents seen */
	size_t loaded;    /* detection rules accepted */
	size_t filters;   /* filter rules accepted */
	size_t rejected;  /* documents refused (each reported) */
	size_t warnings;
} vg_load_report;

vg_ruleset *vg_ruleset_new(void);
void vg_ruleset_free(vg_ruleset *rs);

/* A field-mapping configuration (etc/detect/NAME.yml): field flattening and
 * renames, Sigma field mappings, placeholder values and logsource routes.
 * Load mappings before rules. Without any mapping no routing happens: every
 * rule sees every event. */
vg_err vg_ruleset_load_mapping(vg_ruleset *rs, const char *path, vg_diag *d);
vg_err vg_ruleset_load_mapping_string(vg_ruleset *rs, const char *name, const char *yaml, size_t len,
				      vg_diag *d);

/* Rules from a YAML file (possibly several documents) or, for a folder, from
 * every *.yml / *.yaml under it (recursively, in name order). Per-rule
 * problems go to the report; the return value is an error only for I/O
 * failures on the path itself or resource exhaustion. */
vg_err vg_ruleset_load_path(vg_ruleset *rs, const char *path, vg_load_report *rep);
vg_err vg_ruleset_load_string(vg_ruleset *rs, const char *name, const char *yaml, size_t len,
			      vg_load_report *rep);

/* Resolve filters and routes, build the literal prefilter, JIT the regexes.
 * After this call the ruleset is read-only. */
vg_err vg_ruleset_compile(vg_ruleset *rs, vg_diag *d);

size_t vg_ruleset_count(const vg_ruleset *rs);
const vg_rule_info *vg_ruleset_rule(const vg_ruleset *rs, size_t i);
/* Statistics of the compiled ruleset. */
typedef struct vg_ruleset_stats {
	size_t rules, active, literals, prefiltered, always, regexes, fields, routes;
} vg_ruleset_stats;
void vg_ruleset_stats_get(const vg_ruleset *rs, vg_ruleset_stats *st);

/* ---- matching ---- */

/* One field of the event that contributed to a match. */
typedef struct vg_hit_field {
	const char *name; /* Sigma field name */
	const char *value;
	size_t value_len;
} vg_hit_field;

typedef struct vg_hit {
	const vg_rule_info *rule;
	const vg_hit_field *fields;
	size_t nfields;
} vg_hit;

typedef void (*vg_hit_fn)(void *ctx, const vg_hit *hit);

vg_detect_scratch *vg_detect_scratch_new(const vg_ruleset *rs);
void vg_detect_scratch_free(vg_detect_scratch *s);

/* Match one JSON object (an event). Returns the number of rules that fired,
 * or a negative vg_err (malformed or oversized event, d filled). */
int vg_detect_json(vg_detect_scratch *s, const char *json, size_t len, vg_hit_fn fn, void *ctx, vg_diag *d);
/* Match one Windows event rendered as XML (EVTX records). */
int vg_detect_xml(vg_detect_scratch *s, const char *xml, size_t len, vg_hit_fn fn, void *ctx, vg_diag *d);
/* Evaluate every routed rule on every event, bypassing the literal
 * prefilter: slow; for tests that check the prefilter never loses a hit. */
void vg_detect_scratch_set_exhaustive(vg_detect_scratch *s, bool on);
/* The last event, rendered as a flat JSON object of its fields (for output);
 * valid until the next call on this scratch. */
const char *vg_detect_event_json(vg_detect_scratch *s);

/* ---- lower-level pieces, exposed for tests and fuzzing ---- */

/* Parse a condition against the named selections; VG_OK if it is valid. */
vg_err vg_sigma_condition_check(const char *cond, const char *const *names, size_t nnames, vg_diag *d);

#endif
