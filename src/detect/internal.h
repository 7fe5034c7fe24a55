/* Internal structures of the detection engine (not part of the API). */
#ifndef VG_DETECT_INTERNAL_H
#define VG_DETECT_INTERNAL_H
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/hash.h"
#include "core/ip.h"
#include "detect/sigma.h"

/* ---- compiled values ---- */

typedef enum vg_val_kind {
	VK_PATTERN,  /* string with wildcards (shape says which fast path) */
	VK_REGEX,    /* PCRE2 */
	VK_CIDR,     /* network range */
	VK_NUMCMP,   /* numeric comparison (gt/gte/lt/lte) */
	VK_EXISTS,   /* field presence */
	VK_NULL,     /* null: field absent or JSON null */
	VK_FIELDREF, /* equal to another field of the event */
	VK_TIMEPART, /* a component of a date compared numerically */
	VK_NEVER,    /* matches nothing (empty placeholder expansion) */
} vg_val_kind;

typedef enum vg_pat_shape { PS_EXACT, PS_PREFIX, PS_SUFFIX, PS_CONTAINS, PS_GLOB } vg_pat_shape;
typedef enum vg_cmp { CMP_EQ, CMP_LT, CMP_LTE, CMP_GT, CMP_GTE } vg_cmp;
typedef enum vg_timepart { TP_NONE, TP_MINUTE, TP_HOUR, TP_DAY, TP_WEEK, TP_MONTH, TP_YEAR } vg_timepart;

/* GLOB patterns are stored as bytes where 0x01 marks '*' and 0x02 marks '?'
 * (escaped literal 0x01/0x02 bytes cannot occur in rule text we accept). */
#define VG_GLOB_STAR '\x01'
#define VG_GLOB_ONE '\x02'

typedef struct vg_sval {
	uint8_t kind, shape, cmp, timepart;
	bool exists; /* VK_EXISTS */
	const char *lit; /* pattern bytes (lowered unless the item is cased) */
	size_t litlen;
	pcre2_code *re;
	vg_cidr cidr;
	double num;
	int ref_fid; /* VK_FIELDREF */
	/* VK_PATTERN: id of a literal the value cannot match without (in the
	 * prefilter database), or -1. If the scan did not see it, the value is
	 * false without looking at any field. */
	int32_t lit_id;
	/* lit_id is the whole lowered pattern of a contains value (no '\n'): a
	 * sighting of it in the item's field (anywhere, for keywords) proves the
	 * value without testing it */
	bool lit_whole;
	/* VK_REGEX: source and PCRE2 options; re_key is set ("") once compile
	 * has looked for the literal every match contains (then in lit/litlen). */
	const char *re_src;
	uint32_t re_flags;
	const char *re_key;
	/* VK_REGEX: the same literal (lowered) even when too short for the
	 * prefilter: a value whose lowered text lacks it is not matched */
	const char *re_need;
	size_t re_needlen;
	/* tested through the item's value set (value_set.c), not on its own */
	bool in_vset;
} vg_sval;

typedef struct vg_sitem {
	int fid;           /* -1: keyword search over every value */
	const char *field; /* as written in the rule (after field mapping) */
	bool all, neq, cased;
	size_t nvals;
	vg_sval *vals;
	unsigned line;
	struct vg_vset *vset; /* its plain OR values in one pass, or NULL */
	uint32_t *vrest;      /* with a vset: the values it does not cover */
	uint32_t nvrest;
} vg_sitem;

typedef struct vg_sgroup { /* map: AND of its items */
	size_t nitems;
	vg_sitem *items;
} vg_sgroup;

typedef struct vg_selection { /* OR of its groups */
	const char *name;
	size_t ngroups;
	vg_sgroup *groups;
	bool positive; /* appears outside a negation (its fields are reported) */
} vg_selection;

/* ---- conditions ---- */

typedef enum vg_cop { CO_AND, CO_OR, CO_NOT, CO_SEL, CO_OF } vg_cop;
typedef struct vg_cnode {
	uint8_t op;
	uint32_t nkids;
	struct vg_cnode **kids; /* AND/OR/NOT */
	uint32_t sel;           /* CO_SEL */
	uint32_t need;          /* CO_OF: how many (0 = all) */
	uint32_t nsels;
	uint32_t *sels;         /* CO_OF */
} vg_cnode;

/* Parse cond over selection names; nodes allocated in a. */
vg_err vg_cond_parse(vg_arena *a, const char *cond, const char *const *names, size_t nnames, vg_cnode **out,
		     vg_diag *d);

/* ---- rules ---- */

typedef struct vg_srule {
	vg_rule_info info;
	size_t nsels;
	vg_selection *sels;
	vg_cnode *cond;
	bool is_filter;
	const char *const *filter_targets; /* filter rules: ids or names */
	size_t nfilter_targets;
	struct vg_srule **filters; /* filters applied to this rule */
	size_t nfilters;
	int routes[8]; /* route indices that must all hold; -1 terminates */
	size_t nroutes;
	bool always; /* no literal prefilter: evaluate on every routed event */
	struct vg_corr_link *corr_links; /* correlations referencing this rule (compile) */
	size_t ncorr_links;
} vg_srule;

/* ---- mapping ---- */

typedef struct vg_route_cond {
	int fid;
	size_t nvals;
	const char **vals; /* lowered */
	size_t *lens;
} vg_route_cond;

typedef struct vg_route {
	const char *product, *category, *service, *source;
	size_t nconds;
	vg_route_cond *conds;
} vg_route;

/* Placeholder expansion values (mapping "placeholders:"). */
typedef struct vg_placeholder {
	size_t nvals;
	const char **vals;
} vg_placeholder;

struct vg_ruleset {
	vg_arena *arena;
	bool compiled;
	vg_vec rules;      /* vg_srule*, detection rules (filters excluded) */
	vg_vec filter_rules;
	vg_map fields;     /* lowered field name -> (void*)(fid + 1) */
	vg_vec field_names;
	/* mapping */
	bool have_mapping;
	vg_vec strip_prefixes; /* lowered, may contain one "*" segment */
	vg_map renames;        /* lowered normalised name -> event field name */
	vg_map fieldmap;       /* lowered Sigma field -> event field name */
	vg_map placeholders;   /* name -> vg_placeholder* */
	vg_vec routes;         /* vg_route* */
	vg_vec regexes;        /* pcre2_code* to free */
	/* prefilter */
	void *hs_db; /* hs_database_t*: literals, scanned over the lowered values */
	size_t nliterals;
	uint32_t **lit_rules; /* per literal: rule indices */
	uint32_t *lit_nrules;
	int32_t **lit_fids; /* per literal, per rule of lit_rules: the field it must occur in, -1 any */
	uint32_t *always_rules;
	size_t nalways;
	size_t nregexes;
	/* one literal database per route group (prefilter.c): active rules with
	 * the same routes form a group; its database holds the literals of the
	 * rules of every group whose routes are a subset of its own, so an event
	 * scans only the databases of the largest groups whose routes hold */
	struct vg_lit_group *lit_groups;
	size_t nlit_groups;
	/* an active rule (or one of its filters) has keywords (values without a
	 * field): the extractor then keeps every value, not only the used fields */
	bool keywords;
	/* indicator sets (ioc.c), NULL when none were loaded */
	struct vg_iocset *iocs;
	/* correlation rules and the mapping's timestamp fields (sigma_corr.c), NULL when none */
	struct vg_corr_set *corr;
};

void vg_ioc_set_free(struct vg_iocset *set);

/* Intern a field name; returns its id or -1 on allocation failure. */
int vg_rs_field_id(vg_ruleset *rs, const char *name, size_t len);
/* Lookup without interning: -1 when no rule uses the field. */
int vg_rs_field_find(const vg_ruleset *rs, const char *name, size_t len);
/* Normalise a flattened event path (lowered, prefixes stripped, renamed). */
size_t vg_rs_normalize(const vg_ruleset *rs, const char *path, size_t n, char *out, size_t outsz);
/* The event field name a Sigma field maps to (fieldmap), or name itself. */
const char *vg_rs_map_field(const vg_ruleset *rs, const char *name);

/* ---- values (sigma_value.c) ---- */

typedef enum vg_yval_type { YV_STR, YV_NUM, YV_BOOL, YV_NULL } vg_yval_type;
typedef struct vg_yval {
	vg_yval_type type;
	const char *s;
	size_t len;
} vg_yval;

/* Compile "field|mod1|mod2" with its raw values into item. */
vg_err vg_item_compile(vg_ruleset *rs, const char *key, const vg_yval *vals, size_t nvals, vg_sitem *item,
		       vg_diag *d);

/* ---- events (event.c) ---- */

typedef enum vg_ftype { FT_STR, FT_NUM, FT_BOOL, FT_NULL } vg_ftype;
typedef struct vg_efield {
	/* the flattened path: in ev->paths, or (JSON) the path trie's node until
	 * vg_event_paths writes it there */
	uint32_t path_off, path_len;
	uint32_t node; /* UINT32_MAX: path_off/path_len hold it */
	uint32_t val_off, val_len;   /* value in ev->hay and ev->low */
	int32_t fid;
	int32_t next; /* next field with the same fid */
	uint8_t type;
} vg_efield;

typedef struct vg_event {
	vg_buf hay;   /* values, each followed by '\n' */
	vg_buf low;   /* same, ASCII-lowered */
	vg_buf paths; /* flattened paths, each followed by NUL */
	vg_efield *fields;
	size_t nfields, capfields;
	int32_t *slot; /* per fid: first field index or -1 */
	int32_t *touched;
	size_t ntouched, nfids;
	vg_map path_cache; /* raw path -> (void*)(fid + 2), 1 = none */
	struct vg_pnodes *pnodes; /* JSON: (parent path, key) -> field id (event.c) */
	bool pnodes_shared; /* another event's (vg_event_share_paths): not freed here */
} vg_event;

/* Write the paths of the fields still known by their trie node to ev->paths
 * (only hits and renderings read paths; extraction does not copy them). */
vg_err vg_event_paths(vg_event *ev);

vg_err vg_event_init(vg_event *ev, const vg_ruleset *rs);
void vg_event_fini(vg_event *ev);
/* ev uses owner's path trie from now on (events parsed one after the other
 * by one thread learn their keys and key order once); owner must outlive
 * ev's use of it. */
void vg_event_share_paths(vg_event *ev, vg_event *owner);
void vg_event_reset(vg_event *ev);
vg_err vg_event_from_json(vg_event *ev, const vg_ruleset *rs, const char *json, size_t len, vg_diag *d);
/* Shared by the JSON and XML readers (event.c). */
int vg_ev_hexval(char c);
size_t vg_ev_utf8_put(char *o, uint32_t cp);
/* jstr.c: one JSON string (s[pos] is its opening quote) decoded into dst and,
 * ASCII-lowered, into low (each with room for len - pos + 16 bytes). */
typedef enum { VG_JSTR_OK, VG_JSTR_UNTERMINATED, VG_JSTR_BAD_ESCAPE, VG_JSTR_BAD_U } vg_jstr_err;
vg_jstr_err vg_jstr_decode(const char *s, size_t len, size_t pos, char *dst, char *low, size_t *olen,
			   size_t *endpos);
/* The same string skipped without decoding, with the same checks (escapes
 * valid, closing quote present): *endpos as vg_jstr_decode sets it. */
vg_jstr_err vg_jstr_skip(const char *s, size_t len, size_t pos, size_t *endpos);
vg_err vg_event_from_xml(vg_event *ev, const vg_ruleset *rs, const char *xml, size_t len, vg_diag *d);
/* Add one leaf field (path, value) — used by the parsers and by tests. */
vg_err vg_event_add(vg_event *ev, const vg_ruleset *rs, const char *path, size_t plen, const char *val,
		    size_t vlen, vg_ftype type);

typedef struct vg_lit_group {
	void *db; /* hs_database_t*, NULL when its rules have no literal */
	int routes[8];
	size_t nroutes;
	uint32_t *supers; /* groups whose routes strictly include these */
	size_t nsupers;
} vg_lit_group;

/* Refuse what Debian 12's libfyaml could loop on: a line starting with '%'
 * that is not a well-formed %YAML or %TAG directive (sigma_load.c); *line
 * says which. */
vg_err vg_yaml_directives_check(const char *yaml, size_t len, unsigned *line);

/* Build the literal prefilter of a ruleset whose routes are resolved (prefilter.c). */
vg_err vg_prefilter_build(vg_ruleset *rs, vg_diag *d);
void vg_prefilter_free(vg_ruleset *rs);

/* Read a whole file (at most max bytes, NUL-terminated). */
vg_err vg_detect_read_file(const char *path, size_t max, char **out, size_t *len, vg_diag *d);

/* ---- evaluation (ruleset.c) ---- */
/* value_set.c: an OR of at least VG_VSET_VALUES_MIN plain patterns (exact,
 * startswith, endswith, contains) on one field, tested in one pass over the
 * value; fewer are as fast one by one (measured: docs/PERFORMANCE.md). */
#define VG_VSET_VALUES_MIN 4
typedef struct vg_vset vg_vset;
/* Sets it->vset (in the arena) when the item qualifies, and in_vset on the
 * values it covers. */
vg_err vg_vset_build(vg_arena *a, vg_sitem *it);
/* Does s[0..n) match any value the set covers? */
bool vg_vset_match(const vg_vset *vs, const char *s, size_t n);
/* Substring test tuned for short field values (match.c). */
bool vg_contains(const char *h, size_t n, const char *p, size_t m);

/* match_value.c: the general glob ('*' VG_GLOB_STAR, '?' VG_GLOB_ONE), numbers,
 * comparisons and date components of the value tests */
bool vg_glob_match(const char *p, size_t pn, const char *s, size_t sn);
bool vg_number_of(const char *s, size_t n, double *out);
bool vg_cmp_num(vg_cmp c, double a, double b);
bool vg_time_part(const char *s, size_t n, vg_timepart tp, double *out);
bool vg_value_match(const vg_sitem *it, const vg_sval *v, const vg_event *ev, const vg_efield *f);

/* ---- correlation rules (sigma_corr.c) ---- */

typedef enum vg_corr_type {
	CT_EVENT_COUNT,
	CT_VALUE_COUNT,
	CT_TEMPORAL,
	CT_TEMPORAL_ORDERED,
	CT_VALUE_SUM,
	CT_VALUE_AVG,
	CT_VALUE_PERCENTILE,
} vg_corr_type;
typedef enum vg_corr_op { COP_GT, COP_GTE, COP_LT, COP_LTE, COP_EQ, COP_NEQ } vg_corr_op;

typedef struct vg_corr_link { /* "rule feeds correlation corr as its ref-th rule" */
	uint32_t corr, ref;
} vg_corr_link;

typedef struct vg_corr_ref {
	const char *name; /* as written in rules: */
	unsigned line;
	bool is_corr;     /* resolved (compile): a correlation rule or a detection rule */
	uint32_t idx;
	const vg_rule_info *info;
	const char **gfields; /* per group-by entry: the field to read for this rule (aliases applied) */
	const char **vfields; /* per condition field: same */
} vg_corr_ref;

typedef struct vg_corr_alias {
	const char *name;
	unsigned line;
	size_t n;
	const char **rules, **fields; /* rule name -> field */
} vg_corr_alias;

typedef struct vg_crule {
	vg_rule_info info;
	vg_corr_type type;
	vg_corr_ref *refs;
	size_t nrefs;
	const char **group_by;
	size_t ngroup;
	unsigned group_line, field_line, line_rules;
	vg_corr_alias *aliases;
	size_t naliases;
	int64_t span_ms;
	uint8_t ops[6];
	double vals[6];
	size_t nconds;
	bool deferred; /* an upper bound (lt, lte, eq, neq): decided when the window closes */
	const char **fields; /* condition.field */
	size_t nfields;
	double percentile;
	bool generate;
	struct vg_corr_link *parents; /* correlations referencing this one */
	size_t nparents;
	unsigned depth; /* chain depth (compile) */
	bool depth_done;
} vg_crule;

typedef struct vg_corr_set {
	vg_crule **rules;
	size_t n, cap;
	const char **ts_fields; /* mapping "timestamp:" candidates, in order */
	size_t nts;
	vg_diag **problems;
	size_t nproblems, capproblems;
} vg_corr_set;

/* The ruleset's correlation set (created on first use, in the arena); NULL on exhaustion. */
vg_corr_set *vg_corr_set_get(vg_ruleset *rs);
vg_err vg_corr_add_rule(vg_ruleset *rs, vg_crule *cr);
/* Resolve references, aliases and fields; intern the fields correlations read
 * and the timestamp fields. Called by vg_ruleset_compile before the prefilter. */
vg_err vg_corr_compile(vg_ruleset *rs, vg_diag *d);

#endif
