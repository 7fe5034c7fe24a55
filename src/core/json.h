/* JSON input helpers on top of jansson: bounded parsing and typed field access
 * that reports the offending field by name. Used by every API body decoder and
 * by the JSON importers. */
#ifndef VG_CORE_JSON_H
#define VG_CORE_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Parse a complete JSON document of at most len bytes whose nesting depth is
 * at most max_depth. Errors give line and column in the message. */
vg_err vg_json_parse(const char *buf, size_t len, size_t max_depth, json_t **out, vg_diag *d);
/* Same, but the document must be an object. */
vg_err vg_json_parse_object(const char *buf, size_t len, size_t max_depth, json_t **out, vg_diag *d);

/* Refuse keys not in the NULL-terminated list (catches typos in API calls). */
vg_err vg_json_only_keys(json_t *obj, const char *const *allowed, vg_diag *d);

/* Field accessors. When the key is absent: VG_OK and *present=false if
 * present is non-NULL and the field is optional; VG_ERR_INVALID ("required")
 * when present is NULL. JSON null counts as absent. Strings are checked for
 * length (in bytes) and for control characters other than \t \n \r. */
vg_err vg_json_str(json_t *obj, const char *key, size_t min, size_t max, const char **out, bool *present,
		   vg_diag *d);
vg_err vg_json_int(json_t *obj, const char *key, int64_t min, int64_t max, int64_t *out, bool *present,
		   vg_diag *d);
vg_err vg_json_bool(json_t *obj, const char *key, bool *out, bool *present, vg_diag *d);
/* An array (possibly empty) of at most max items. */
vg_err vg_json_array(json_t *obj, const char *key, size_t max, json_t **out, bool *present, vg_diag *d);
/* One of the NULL-terminated allowed values. */
vg_err vg_json_enum(json_t *obj, const char *key, const char *const *allowed, const char **out, bool *present,
		    vg_diag *d);

/* Check a string for length and control characters. */
vg_err vg_text_check(const char *s, size_t len, size_t min, size_t max, bool multiline, const char *field,
		     vg_diag *d);

/* Serialise v compactly (insertion order, UTF-8 kept as is, the escapes
 * jansson's JSON_COMPACT gives) into b. One pass, no allocation besides the
 * buffer: jansson's own dumper allocates per container and was a third of the
 * cost of an API response (docs/PERFORMANCE.md). VG_ERR_LIMIT when deeper than
 * max_depth or when b's maximum is reached. */
struct vg_buf;
vg_err vg_json_write(struct vg_buf *b, const json_t *v, size_t max_depth);

/* json_t helpers for output. */
json_t *vg_json_time(int64_t ms);           /* RFC 3339 string, or null when ms <= 0 */
json_t *vg_json_strn(const char *s, size_t n); /* string or null when s is NULL */

#endif
