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
	size_t index; /* position in the ruleset (correlation rules: in vg_ruleset_corr_rule) */
	/* Set by vg_ruleset_compile. feeds_correlation: an active correlation rule
	 * references this rule: pass its hits to vg_corr_feed_hit. correlation_only:
	 * every correlation referencing it says (or defaults to) `generate: false`:
	 * do not output its own hits. */
	bool feeds_correlation;
	bool correlation_only;
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
	size_t correlations; /* correlation rules accepted (loaded + filters + correlations + rejected = documents) */
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
	const char *name; /* the event field the rule's field maps to (the Sigma name when unmapped) */
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

/* ---- correlation rules (sigma_corr.c; docs/internals/detect.md) ----
 *
 * Correlation documents (`correlation:` with type event_count, value_count,
 * temporal, temporal_ordered, value_sum, value_avg or value_percentile) load
 * with the rules; vg_ruleset_compile resolves their references (by id or
 * name, to rules or other correlations), aliases and fields. A correlation
 * that cannot run (unknown or ambiguous reference, cycle, group-by field a
 * referenced correlation does not carry, ...) stays loaded but inactive
 * (info.active false, inactive_reason) and its problem, with file, line and
 * field, is listed by vg_ruleset_problem.
 *
 * Evaluation keeps per-group sliding windows in a vg_corr_state, separate
 * from the per-thread scratch: ONE state per ruleset, fed by one consumer at
 * a time (it is not thread-safe: feed it under a lock). Wiring:
 *
 *   st = vg_corr_state_new(rs);
 *   hit callback of vg_detect_json/xml (scratch s still holds the event):
 *     if (hit->rule->feeds_correlation) { lock; vg_corr_feed_hit(st, s, hit, on_corr, ctx); unlock; }
 *     if (!hit->rule->correlation_only) output the hit;
 *   end of input: vg_corr_flush(st, on_corr, ctx); vg_corr_state_free(st);
 *   on_corr: output unless hit->rule->correlation_only (an intermediate
 *   correlation of a chain with generate: false).
 * With several matching threads, copy the hit (vg_corr_event_new, in the hit
 * callback) and feed the copies in input order (vg_corr_feed_event), as
 * vigie hunt does, so that windows see events in the order they were read.
 *
 * Event time: the mapping's `timestamp:` fields (RFC 3339 / ISO 8601,
 * fractions, offsets; numbers are Unix seconds or milliseconds); an event
 * without one takes the latest event time seen by the state (or the wall
 * clock after vg_corr_state_use_wall_clock) and keeps its processing order. */
size_t vg_ruleset_corr_count(const vg_ruleset *rs);
const vg_rule_info *vg_ruleset_corr_rule(const vg_ruleset *rs, size_t i);
/* "event_count", "value_count", ... of correlation rule i. */
const char *vg_ruleset_corr_type(const vg_ruleset *rs, size_t i);
/* Problems found by vg_ruleset_compile (correlation references): each makes
 * one correlation rule inactive. Valid until vg_ruleset_free. */
size_t vg_ruleset_problem_count(const vg_ruleset *rs);
const vg_diag *vg_ruleset_problem(const vg_ruleset *rs, size_t i);

typedef struct vg_corr_hit {
	const vg_rule_info *rule; /* the correlation rule (id, title, level, author, tags, file) */
	const char *type;         /* "event_count", ... */
	const vg_hit_field *group; /* group-by fields (names as in group-by) and their values */
	size_t ngroup;
	uint64_t count;  /* events (or referenced correlation hits) in the window */
	double value;    /* what the condition compared: count, distinct values, distinct rules, sum, avg, percentile */
	int64_t first_ms, last_ms; /* event time of the first and last event of the window (ms since the epoch) */
	const vg_rule_info *const *rules; /* contributing rules present in the window, in the order of `rules:` */
	size_t nrules;
} vg_corr_hit;
typedef void (*vg_corr_hit_fn)(void *ctx, const vg_corr_hit *hit);

typedef struct vg_corr_state vg_corr_state;
/* NULL on exhaustion. A ruleset without correlation rules gives a state that does nothing. */
vg_corr_state *vg_corr_state_new(const vg_ruleset *rs);
void vg_corr_state_free(vg_corr_state *st);
/* Events without a timestamp field take the wall clock (live streams) rather
 * than the latest event time seen. */
void vg_corr_state_use_wall_clock(vg_corr_state *st, bool on);
/* Feed one base-rule hit; s must still hold the event that produced it.
 * Correlation hits (chains included) go to fn. Returns how many fired. */
int vg_corr_feed_hit(vg_corr_state *st, const vg_detect_scratch *s, const vg_hit *hit, vg_corr_hit_fn fn,
		     void *ctx);
/* Lower level: feed a hit of rule (a detection rule of this ruleset) at
 * time_ms (VG_CORR_TIME_NONE: none), reading event fields through field
 * (Sigma field names, as vg_detect_event_field takes them). */
#define VG_CORR_TIME_NONE INT64_MIN
typedef const char *(*vg_corr_field_fn)(void *fctx, const char *name, size_t *len);
int vg_corr_feed(vg_corr_state *st, const vg_rule_info *rule, int64_t time_ms, vg_corr_field_fn field, void *fctx,
		 vg_corr_hit_fn fn, void *ctx);
/* A hit copied for later: its time and the field values its correlations
 * read, independent of the scratch. Lets matching threads hand hits to the
 * one consumer in input order (vigie hunt feeds batch by batch, in the order
 * they were read, so windows see events in input order whatever the number of
 * threads). NULL when the rule feeds no correlation or on exhaustion. */
typedef struct vg_corr_event vg_corr_event;
vg_corr_event *vg_corr_event_new(const vg_ruleset *rs, const vg_detect_scratch *s, const vg_hit *hit);
int vg_corr_feed_event(vg_corr_state *st, const vg_corr_event *ev, vg_corr_hit_fn fn, void *ctx);
void vg_corr_event_free(vg_corr_event *ev);
/* End of input: evaluate the windows of correlations whose condition has an
 * upper bound (lt, lte, eq, neq), which are decided when their window closes. */
int vg_corr_flush(vg_corr_state *st, vg_corr_hit_fn fn, void *ctx);
typedef struct vg_corr_stats {
	uint64_t fed, fired, groups, entries;
	uint64_t late;       /* older than the group's window: dropped */
	uint64_t no_group;   /* a group-by (or value) field missing: not counted */
	uint64_t evicted;    /* groups dropped at VG_CORR_GROUPS_MAX / VG_CORR_ENTRIES_MAX */
	uint64_t overflow;   /* oldest events dropped at VG_CORR_GROUP_EVENTS_MAX */
	uint64_t no_time;    /* events without a usable timestamp */
} vg_corr_stats;
void vg_corr_stats_get(const vg_corr_state *st, vg_corr_stats *out);
/* Event time of the scratch's last event from the mapping's `timestamp:`
 * fields, in ms since the epoch; false when it has none. */
bool vg_detect_event_time(const vg_ruleset *rs, const vg_detect_scratch *s, int64_t *ms);
/* Parse an event timestamp (RFC 3339 / ISO 8601; no zone = UTC; numbers =
 * Unix seconds, or milliseconds above 10^11). */
bool vg_corr_parse_time(const char *s, size_t n, int64_t *ms);
/* First value of a Sigma field (after the mapping's fieldmappings) in the
 * scratch's last event, or NULL; valid until the next event (match.c). */
const char *vg_detect_event_field(const vg_detect_scratch *s, const char *name, size_t *len);

#endif
