#include "core/json.h"

#include <string.h>

#include "core/clock.h"

/* Bracket depth outside strings; returns false when over max. */
static bool depth_ok(const char *p, size_t len, size_t max)
{
	size_t depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[') {
			if (++depth > max)
				return false;
		} else if ((c == '}' || c == ']') && depth > 0)
			depth--;
	}
	return true;
}

vg_err vg_json_parse(const char *buf, size_t len, size_t max_depth, json_t **out, vg_diag *d)
{
	json_error_t jerr;
	*out = NULL;
	if (!buf || len == 0)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "empty body: a JSON document is required");
	if (!depth_ok(buf, len, max_depth))
		return vg_diag_set(d, VG_ERR_LIMIT, NULL, "JSON nested deeper than %zu levels", max_depth);
	*out = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL * 0, &jerr);
	if (!*out) {
		vg_diag_set(d, VG_ERR_INVALID, NULL, "malformed JSON at line %d column %d: %s", jerr.line,
			    jerr.column, jerr.text);
		if (d)
			d->line = jerr.line > 0 ? (unsigned)jerr.line : 0;
		return VG_ERR_INVALID;
	}
	return VG_OK;
}

vg_err vg_json_parse_object(const char *buf, size_t len, size_t max_depth, json_t **out, vg_diag *d)
{
	vg_err e = vg_json_parse(buf, len, max_depth, out, d);
	if (e)
		return e;
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "expected a JSON object");
	}
	return VG_OK;
}

vg_err vg_json_only_keys(json_t *obj, const char *const *allowed, vg_diag *d)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		bool ok = false;
		(void)v;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, key) == 0) {
				ok = true;
				break;
			}
		if (!ok)
			return vg_diag_set(d, VG_ERR_INVALID, key, "unknown field");
	}
	return VG_OK;
}

static json_t *field(json_t *obj, const char *key, bool *present, vg_err *e, vg_diag *d)
{
	json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	*e = VG_OK;
	if (!v || json_is_null(v)) {
		if (present)
			*present = false;
		else
			*e = vg_diag_set(d, VG_ERR_INVALID, key, "required");
		return NULL;
	}
	if (present)
		*present = true;
	return v;
}

vg_err vg_text_check(const char *s, size_t len, size_t min, size_t max, bool multiline, const char *fname,
		     vg_diag *d)
{
	if (len < min)
		return vg_diag_set(d, VG_ERR_INVALID, fname, min == 1 ? "must not be empty" : "shorter than %zu bytes",
				   min);
	if (len > max)
		return vg_diag_set(d, VG_ERR_INVALID, fname, "longer than %zu bytes", max);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
			return vg_diag_set(d, VG_ERR_INVALID, fname, "control character at offset %zu", i);
		if (c == 0x7f)
			return vg_diag_set(d, VG_ERR_INVALID, fname, "control character at offset %zu", i);
	}
	return VG_OK;
}

vg_err vg_json_str(json_t *obj, const char *key, size_t min, size_t max, const char **out, bool *present,
		   vg_diag *d)
{
	vg_err e;
	json_t *v = field(obj, key, present, &e, d);
	if (!v)
		return e;
	if (!json_is_string(v))
		return vg_diag_set(d, VG_ERR_INVALID, key, "expected a string");
	e = vg_text_check(json_string_value(v), json_string_length(v), min, max, max > 4096, key, d);
	if (e)
		return e;
	*out = json_string_value(v);
	return VG_OK;
}

vg_err vg_json_int(json_t *obj, const char *key, int64_t min, int64_t max, int64_t *out, bool *present,
		   vg_diag *d)
{
	vg_err e;
	json_t *v = field(obj, key, present, &e, d);
	json_int_t n;
	if (!v)
		return e;
	if (!json_is_integer(v))
		return vg_diag_set(d, VG_ERR_INVALID, key, "expected an integer");
	n = json_integer_value(v);
	if (n < min || n > max)
		return vg_diag_set(d, VG_ERR_INVALID, key, "must be between %lld and %lld", (long long)min,
				   (long long)max);
	*out = n;
	return VG_OK;
}

vg_err vg_json_bool(json_t *obj, const char *key, bool *out, bool *present, vg_diag *d)
{
	vg_err e;
	json_t *v = field(obj, key, present, &e, d);
	if (!v)
		return e;
	if (!json_is_boolean(v))
		return vg_diag_set(d, VG_ERR_INVALID, key, "expected true or false");
	*out = json_is_true(v);
	return VG_OK;
}

vg_err vg_json_array(json_t *obj, const char *key, size_t max, json_t **out, bool *present, vg_diag *d)
{
	vg_err e;
	json_t *v = field(obj, key, present, &e, d);
	if (!v)
		return e;
	if (!json_is_array(v))
		return vg_diag_set(d, VG_ERR_INVALID, key, "expected an array");
	if (json_array_size(v) > max)
		return vg_diag_set(d, VG_ERR_LIMIT, key, "more than %zu items", max);
	*out = v;
	return VG_OK;
}

vg_err vg_json_enum(json_t *obj, const char *key, const char *const *allowed, const char **out, bool *present,
		    vg_diag *d)
{
	const char *s;
	vg_err e = vg_json_str(obj, key, 0, 256, &s, present, d);
	char list[256] = "";
	size_t n = 0;
	if (e || (present && !*present))
		return e;
	for (const char *const *a = allowed; *a; a++) {
		if (strcmp(*a, s) == 0) {
			*out = *a;
			return VG_OK;
		}
		n += (size_t)snprintf(list + n, n < sizeof list ? sizeof list - n : 0, "%s%s", n ? ", " : "", *a);
		if (n >= sizeof list)
			n = sizeof list - 1;
	}
	return vg_diag_set(d, VG_ERR_INVALID, key, "must be one of: %s", list);
}

json_t *vg_json_time(int64_t ms)
{
	char buf[VG_TIME_STRLEN];
	if (ms <= 0)
		return json_null();
	return json_string(vg_time_format(ms, buf, sizeof buf, false));
}

json_t *vg_json_strn(const char *s, size_t n)
{
	return s ? json_stringn(s, n) : json_null();
}
