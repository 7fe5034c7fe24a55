#include "core/json.h"

#include <string.h>

#include "core/buf.h"
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

/* ---- compact serialiser ---- */

static vg_err write_string(vg_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t start = 0;
	vg_err e = vg_buf_putc(b, '"');
	for (size_t i = 0; !e && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t el = 2;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		e = vg_buf_append(b, s + start, i - start);
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			el = 6;
		}
		if (!e)
			e = vg_buf_append(b, esc, el);
		start = i + 1;
	}
	if (!e)
		e = vg_buf_append(b, s + start, n - start);
	if (!e)
		e = vg_buf_putc(b, '"');
	return e;
}

static vg_err write_int(vg_buf *b, json_int_t v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return vg_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

static vg_err write_value(vg_buf *b, const json_t *v, size_t depth)
{
	vg_err e = VG_OK;
	if (depth == 0 && (json_is_object(v) || json_is_array(v)))
		return VG_ERR_LIMIT;
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *val;
		bool first = true;
		e = vg_buf_putc(b, '{');
		json_object_foreach((json_t *)v, key, val) {
			if (!e && !first)
				e = vg_buf_putc(b, ',');
			if (!e)
				e = write_string(b, key, strlen(key));
			if (!e)
				e = vg_buf_putc(b, ':');
			if (!e)
				e = write_value(b, val, depth - 1);
			first = false;
			if (e)
				break;
		}
		return e ? e : vg_buf_putc(b, '}');
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *val;
		e = vg_buf_putc(b, '[');
		json_array_foreach(v, i, val) {
			if (!e && i)
				e = vg_buf_putc(b, ',');
			if (!e)
				e = write_value(b, val, depth - 1);
			if (e)
				break;
		}
		return e ? e : vg_buf_putc(b, ']');
	}
	case JSON_STRING:
		return write_string(b, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		return write_int(b, json_integer_value(v));
	case JSON_REAL: {
		char tmp[40];
		double d = json_real_value(v);
		int n = snprintf(tmp, sizeof tmp, "%.17g", d);
		if (n <= 0 || (size_t)n >= sizeof tmp || d != d)
			return VG_ERR_INVALID;
		{
			/* jansson's form: exponent without '+' and leading zeros */
			char *ep = strchr(tmp, 'e');
			if (ep) {
				char *src = ep + 1, *dst = ep + 1;
				if (*src == '+')
					src++;
				else if (*src == '-')
					*dst++ = *src++;
				while (*src == '0' && src[1])
					src++;
				memmove(dst, src, strlen(src) + 1);
				n = (int)strlen(tmp);
			}
		}
		e = vg_buf_append(b, tmp, (size_t)n);
		if (!e && !strpbrk(tmp, ".eE"))
			e = vg_buf_append(b, ".0", 2);
		return e;
	}
	case JSON_TRUE:
		return vg_buf_append(b, "true", 4);
	case JSON_FALSE:
		return vg_buf_append(b, "false", 5);
	case JSON_NULL:
		return vg_buf_append(b, "null", 4);
	}
	return VG_ERR_INVALID;
}

vg_err vg_json_write(vg_buf *b, const json_t *v, size_t max_depth)
{
	if (!v)
		return VG_ERR_INVALID;
	return write_value(b, v, max_depth);
}
