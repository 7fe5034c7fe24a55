/* CPE 2.3 formatted-string parser (NISTIR 7695 section 6.2 grammar; the same
 * language as the CSAF 2.0 schema's cpe pattern). */
#include "registry/cpe.h"

#include <stdio.h>
#include <string.h>

static const char *const comp_names[VG_CPE_COMPONENTS] = {
	"part", "vendor", "product", "version", "update", "edition", "language", "sw_edition", "target_sw",
	"target_hw", "other",
};

const char *vg_cpe_component_name(int i)
{
	return (i >= 0 && i < VG_CPE_COMPONENTS) ? comp_names[i] : "?";
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_unreserved(char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

/* Characters that may follow a backslash. */
static bool is_quotable(char c)
{
	return c != '\0' && strchr("\\*?!\"#$%&'()+,/:;<=>@[]^`{|}~", c) != NULL;
}

bool vg_cpe_has_unquoted_wildcard(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (v[i] == '\\') {
			i++;
			continue;
		}
		if (v[i] == '*' || v[i] == '?')
			return true;
	}
	return false;
}

/* A value component: "*", "-", or [*|?+] body+ [*|?+]. Returns NULL or a reason. */
static const char *check_value(const char *v, size_t n)
{
	size_t i = 0, body = 0;

	if (n == 0)
		return "empty component (use * for ANY or - for NA)";
	if (n == 1 && (v[0] == '*' || v[0] == '-'))
		return NULL;
	if (v[0] == '*')
		i = 1;
	else
		while (i < n && v[i] == '?')
			i++;
	while (i < n) {
		char c = v[i];
		if (c == '\\') {
			if (i + 1 >= n)
				return "dangling backslash";
			if (!is_quotable(v[i + 1]))
				return "backslash before a character that needs no quoting";
			i += 2;
			body++;
		} else if (is_unreserved(c)) {
			i++;
			body++;
		} else if (c == '*' || c == '?') {
			break;
		} else {
			return "character must be quoted with a backslash";
		}
	}
	if (body == 0)
		return "a wildcard needs at least one other character (or use * alone)";
	if (i < n) {
		if (v[i] == '*')
			i++;
		else
			while (i < n && v[i] == '?')
				i++;
		if (i < n)
			return "unquoted wildcard inside a value ('*' and '?' only at the start or end)";
	}
	return NULL;
}

static const char *check_language(const char *v, size_t n)
{
	size_t i = 0;
	if (n == 1 && (v[0] == '*' || v[0] == '-'))
		return NULL;
	while (i < n && is_alpha(v[i]))
		i++;
	if (i < 2 || i > 3)
		return "language must be a 2-3 letter code with an optional -region, * or -";
	if (i == n)
		return NULL;
	if (v[i] != '-')
		return "language must be a 2-3 letter code with an optional -region, * or -";
	i++;
	if (n - i == 2 && is_alpha(v[i]) && is_alpha(v[i + 1]))
		return NULL;
	if (n - i == 3 && is_digit(v[i]) && is_digit(v[i + 1]) && is_digit(v[i + 2]))
		return NULL;
	return "language region must be 2 letters or 3 digits";
}

vg_err vg_cpe_parse(const char *s, size_t len, vg_cpe *out, const char *field, vg_diag *d)
{
	size_t n, start, k = 0;
	char *b = out->buf;

	if (!field)
		field = "cpe";
	memset(out->comp, 0, sizeof out->comp);
	out->buf[0] = '\0';
	if (!s)
		return vg_diag_set(d, VG_ERR_INVALID, field, "CPE name is required");
	if (len == 0)
		len = strlen(s);
	if (len > VG_CPE_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, field, "CPE name longer than %d characters", VG_CPE_MAX);
	if (len >= 5 && strncmp(s, "cpe:/", 5) == 0)
		return vg_diag_set(d, VG_ERR_INVALID, field,
				   "CPE 2.2 URI form is not accepted: give the CPE 2.3 formatted string (cpe:2.3:...)");
	if (len < 8 || strncmp(s, "cpe:2.3:", 8) != 0)
		return vg_diag_set(d, VG_ERR_INVALID, field, "a CPE 2.3 name starts with \"cpe:2.3:\"");
	n = len - 8;
	for (size_t i = 0; i < n; i++) {
		char c = s[8 + i];
		if ((unsigned char)c < 0x21 || (unsigned char)c > 0x7e)
			return vg_diag_set(d, VG_ERR_INVALID, field, "CPE name contains a space, control or non-ASCII character");
		b[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	b[n] = '\0';
	/* split on unquoted ':' */
	start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && b[i] == '\\') {
			i++;
			if (i >= n)
				return vg_diag_set(d, VG_ERR_INVALID, field, "%s: dangling backslash at the end",
						   vg_cpe_component_name((int)k));
			continue;
		}
		if (i == n || b[i] == ':') {
			if (k >= VG_CPE_COMPONENTS)
				return vg_diag_set(d, VG_ERR_INVALID, field,
						   "more than %d components after cpe:2.3", VG_CPE_COMPONENTS);
			b[i] = '\0';
			out->comp[k++] = b + start;
			start = i + 1;
		}
	}
	if (k != VG_CPE_COMPONENTS)
		return vg_diag_set(d, VG_ERR_INVALID, field, "%zu components after cpe:2.3, expected %d (part to other)", k,
				   VG_CPE_COMPONENTS);
	for (int c = 0; c < VG_CPE_COMPONENTS; c++) {
		const char *v = out->comp[c];
		size_t vn = strlen(v);
		const char *why;
		if (c == VG_CPE_PART)
			why = (vn == 1 && strchr("aoh*-", v[0])) ? NULL : "part must be a, o, h, * or -";
		else if (c == VG_CPE_LANGUAGE)
			why = check_language(v, vn);
		else
			why = check_value(v, vn);
		if (why)
			return vg_diag_set(d, VG_ERR_INVALID, field, "%s: %s", comp_names[c], why);
	}
	return VG_OK;
}

void vg_cpe_format(const vg_cpe *c, char *out, size_t outsz)
{
	size_t n = 0;
	int w = snprintf(out, outsz, "cpe:2.3");
	if (w < 0 || (size_t)w >= outsz)
		return;
	n = (size_t)w;
	for (int i = 0; i < VG_CPE_COMPONENTS; i++) {
		w = snprintf(out + n, outsz - n, ":%s", c->comp[i] ? c->comp[i] : "*");
		if (w < 0 || (size_t)w >= outsz - n)
			return;
		n += (size_t)w;
	}
}

vg_err vg_cpe_normalize(const char *s, size_t len, char *out, size_t outsz, const char *field, vg_diag *d)
{
	vg_cpe c;
	vg_err e = vg_cpe_parse(s, len, &c, field, d);
	if (e)
		return e;
	if (outsz < VG_CPE_MAX + 1)
		return vg_diag_set(d, VG_ERR_LIMIT, field ? field : "cpe", "output buffer too small");
	vg_cpe_format(&c, out, outsz);
	return VG_OK;
}
