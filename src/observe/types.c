/* Observable types: names, per-type validation and normalisation, guessing. */
#include "observe/internal.h"

#include <stdio.h>
#include <string.h>

#include "core/ip.h"
#include "core/limits.h"
#include "registry/names.h"

#ifdef VG_HAVE_IDN2
#include <idn2.h>
#endif

static const char *const type_names[VG_OBS__COUNT] = {
	[VG_OBS_IPV4] = "ipv4",         [VG_OBS_IPV6] = "ipv6",     [VG_OBS_CIDR] = "cidr",
	[VG_OBS_DOMAIN] = "domain",     [VG_OBS_URL] = "url",       [VG_OBS_EMAIL] = "email",
	[VG_OBS_MD5] = "md5",           [VG_OBS_SHA1] = "sha1",     [VG_OBS_SHA256] = "sha256",
	[VG_OBS_SHA512] = "sha512",     [VG_OBS_FILENAME] = "filename", [VG_OBS_CVE] = "cve",
	[VG_OBS_ASN] = "asn",           [VG_OBS_USER_AGENT] = "user_agent", [VG_OBS_STRING] = "string",
};

const char *vg_obs_type_name(vg_obs_type t)
{
	return (unsigned)t < VG_OBS__COUNT ? type_names[t] : "?";
}

vg_err vg_obs_type_parse(const char *s, vg_obs_type *out)
{
	for (int i = 0; s && i < VG_OBS__COUNT; i++)
		if (strcmp(s, type_names[i]) == 0) {
			*out = (vg_obs_type)i;
			return VG_OK;
		}
	return VG_ERR_INVALID;
}

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

void vg_obs_trim(const char **s, size_t *len)
{
	while (*len > 0 && is_space((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_space((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

bool vg_obs_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned c = p[i], need, cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= need)
			return false;
		for (unsigned k = 1; k <= need; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += need + 1;
	}
	return true;
}

/* Free text (filename, user agent, string): valid UTF-8, no control characters. */
static vg_err text_value(const char *s, size_t len, size_t max, char *out, size_t outsz, const char *field,
			 vg_diag *d)
{
	vg_obs_trim(&s, &len);
	if (len == 0)
		return vg_diag_set(d, VG_ERR_INVALID, field, "value is empty");
	if (len > max || len >= outsz)
		return vg_diag_set(d, VG_ERR_INVALID, field, "value longer than %zu bytes", max);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return vg_diag_set(d, VG_ERR_INVALID, field, "control character at offset %zu", i);
	}
	if (!vg_obs_utf8_valid(s, len))
		return vg_diag_set(d, VG_ERR_INVALID, field, "value is not valid UTF-8");
	memcpy(out, s, len);
	out[len] = '\0';
	return VG_OK;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vg_obs_hexval(unsigned char c)
{
	return hexval(c);
}

static vg_err hash_value(vg_obs_type t, const char *s, size_t len, char *out, size_t outsz, const char *field,
			 vg_diag *d)
{
	size_t want = t == VG_OBS_MD5 ? 32 : t == VG_OBS_SHA1 ? 40 : t == VG_OBS_SHA256 ? 64 : 128;
	vg_obs_trim(&s, &len);
	if (len != want)
		return vg_diag_set(d, VG_ERR_INVALID, field, "%s is %zu hex digits, got %zu", vg_obs_type_name(t), want,
				   len);
	if (outsz <= want)
		return vg_diag_set(d, VG_ERR_LIMIT, field, "output too small");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (hexval(c) < 0)
			return vg_diag_set(d, VG_ERR_INVALID, field, "not a hex digit at offset %zu", i);
		out[i] = (char)((c >= 'A' && c <= 'F') ? c - 'A' + 'a' : c);
	}
	out[len] = '\0';
	return VG_OK;
}

static vg_err cve_value(const char *s, size_t len, char *out, size_t outsz, const char *field, vg_diag *d)
{
	unsigned year = 0;
	size_t digits = 0;
	vg_obs_trim(&s, &len);
	if (len < 10 || len > 23 || strncasecmp(s, "CVE-", 4) != 0 || s[8] != '-')
		return vg_diag_set(d, VG_ERR_INVALID, field, "a CVE id looks like CVE-2024-12345");
	for (size_t i = 4; i < 8; i++) {
		if (s[i] < '0' || s[i] > '9')
			return vg_diag_set(d, VG_ERR_INVALID, field, "CVE year must be 4 digits");
		year = year * 10 + (unsigned)(s[i] - '0');
	}
	if (year < 1999 || year > 2999)
		return vg_diag_set(d, VG_ERR_INVALID, field, "CVE year %u out of range", year);
	for (size_t i = 9; i < len; i++, digits++)
		if (s[i] < '0' || s[i] > '9')
			return vg_diag_set(d, VG_ERR_INVALID, field, "CVE sequence must be digits");
	if (digits < 4 || digits > 14)
		return vg_diag_set(d, VG_ERR_INVALID, field, "CVE sequence has 4 to 14 digits");
	if (outsz <= len)
		return vg_diag_set(d, VG_ERR_LIMIT, field, "output too small");
	memcpy(out, "CVE-", 4);
	memcpy(out + 4, s + 4, len - 4);
	out[len] = '\0';
	return VG_OK;
}

vg_err vg_obs_domain(const char *s, size_t len, bool allow_single, char *out, size_t outsz, const char *field,
		     vg_diag *d)
{
	bool ascii = true;
	if (len == 0) /* registry/names.h reads len 0 as strlen: never pass an empty slice */
		return vg_diag_set(d, VG_ERR_INVALID, field, "domain is empty");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			ascii = false;
	if (ascii)
		return vg_domain_normalize(s, len, allow_single, out, outsz, field, d);
#ifdef VG_HAVE_IDN2
	{
		char tmp[VG_DOMAIN_MAX * 4 + 1];
		char *ace = NULL;
		vg_err e;
		int rc;
		if (len >= sizeof tmp)
			return vg_diag_set(d, VG_ERR_INVALID, field, "domain too long");
		if (!vg_obs_utf8_valid(s, len))
			return vg_diag_set(d, VG_ERR_INVALID, field, "domain is not valid UTF-8");
		memcpy(tmp, s, len);
		tmp[len] = '\0';
		rc = idn2_to_ascii_8z(tmp, &ace, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
		if (rc != IDN2_OK)
			rc = idn2_to_ascii_8z(tmp, &ace, IDN2_NFC_INPUT | IDN2_TRANSITIONAL);
		if (rc != IDN2_OK)
			return vg_diag_set(d, VG_ERR_INVALID, field, "invalid internationalised domain: %s",
					   idn2_strerror(rc));
		e = vg_domain_normalize(ace, 0, allow_single, out, outsz, field, d);
		idn2_free(ace);
		return e;
	}
#else
	return vg_diag_set(d, VG_ERR_UNSUPPORTED, field,
			   "internationalised domain: give its punycode (xn--) form (built without libidn2)");
#endif
}

static vg_err email_value(const char *s, size_t len, char *out, size_t outsz, const char *field, vg_diag *d)
{
	const char *at;
	char dom[VG_DOMAIN_BUF], tmp[VG_EMAIL_BUF + 8];
	size_t local;
	vg_err e;
	vg_obs_trim(&s, &len);
	if (len > 7 && strncasecmp(s, "mailto:", 7) == 0) {
		s += 7;
		len -= 7;
	}
	at = len ? memrchr(s, '@', len) : NULL;
	if (!at)
		return vg_diag_set(d, VG_ERR_INVALID, field, "an e-mail address needs '@'");
	local = (size_t)(at - s);
	e = vg_obs_domain(at + 1, len - local - 1, false, dom, sizeof dom, field, d);
	if (e)
		return e;
	if (local + 1 + strlen(dom) >= sizeof tmp)
		return vg_diag_set(d, VG_ERR_INVALID, field, "e-mail address too long");
	snprintf(tmp, sizeof tmp, "%.*s@%s", (int)local, s, dom);
	return vg_email_normalize(tmp, 0, out, outsz, field, d);
}

static vg_err ip_value(vg_obs_type t, const char *s, size_t len, char *out, size_t outsz, const char *field,
		       vg_diag *d)
{
	vg_ip ip;
	vg_cidr c;
	char tmp[VG_CIDR_STRLEN + 8], in[VG_CIDR_STRLEN + 8];
	vg_err e;
	vg_obs_trim(&s, &len);
	if (t == VG_OBS_IPV6 && len > 2 && s[0] == '[' && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (len == 0 || len >= sizeof in)
		return vg_diag_set(d, VG_ERR_INVALID, field, "not an IP address");
	/* core/ip.h reads "len 0" as strlen: hand it a terminated copy, never an
	 * empty slice of unterminated input (a bare "/24" would be one) */
	memcpy(in, s, len);
	in[len] = '\0';
	s = in;
	if (s[0] == '/')
		return vg_diag_set(d, VG_ERR_INVALID, field, "not an IP address");
	if (t == VG_OBS_CIDR) {
		if (!memchr(s, '/', len))
			return vg_diag_set(d, VG_ERR_INVALID, field, "a CIDR prefix needs /length");
		e = vg_cidr_parse(s, len, false, &c, d);
		if (e) {
			vg_diag_field_prefix(d, field);
			return e;
		}
		vg_cidr_format(&c, tmp, sizeof tmp);
	} else {
		e = vg_ip_parse(s, len, &ip, d);
		if (e)
			return vg_diag_set(d, VG_ERR_INVALID, field, "not an IP address");
		if ((t == VG_OBS_IPV4) != (ip.family == 4))
			return vg_diag_set(d, VG_ERR_INVALID, field, "not an IPv%d address", t == VG_OBS_IPV4 ? 4 : 6);
		vg_ip_format(&ip, tmp, sizeof tmp);
	}
	if (strlen(tmp) >= outsz)
		return vg_diag_set(d, VG_ERR_LIMIT, field, "output too small");
	strcpy(out, tmp);
	return VG_OK;
}

vg_err vg_obs_normalize(vg_obs_type t, const char *s, size_t len, char *out, size_t outsz, const char *field,
			vg_diag *d)
{
	if (!field)
		field = "value";
	if (!s)
		return vg_diag_set(d, VG_ERR_INVALID, field, "value is required");
	if (len > VG_OBS_VALUE_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, field, "value longer than %d bytes", VG_OBS_VALUE_MAX);
	if (outsz == 0)
		return vg_diag_set(d, VG_ERR_LIMIT, field, "no output space");
	switch (t) {
	case VG_OBS_IPV4:
	case VG_OBS_IPV6:
	case VG_OBS_CIDR:
		return ip_value(t, s, len, out, outsz, field, d);
	case VG_OBS_DOMAIN:
		vg_obs_trim(&s, &len);
		return vg_obs_domain(s, len, false, out, outsz, field, d);
	case VG_OBS_URL:
		return vg_url_normalize(s, len, out, outsz, field, d);
	case VG_OBS_EMAIL:
		return email_value(s, len, out, outsz, field, d);
	case VG_OBS_MD5:
	case VG_OBS_SHA1:
	case VG_OBS_SHA256:
	case VG_OBS_SHA512:
		return hash_value(t, s, len, out, outsz, field, d);
	case VG_OBS_CVE:
		return cve_value(s, len, out, outsz, field, d);
	case VG_OBS_ASN: {
		uint32_t asn;
		vg_err e;
		vg_obs_trim(&s, &len);
		if (len == 0)
			return vg_diag_set(d, VG_ERR_INVALID, field, "AS number is empty");
		e = vg_asn_parse(s, len, &asn, field, d);
		if (e)
			return e;
		if ((size_t)snprintf(out, outsz, "AS%u", asn) >= outsz)
			return vg_diag_set(d, VG_ERR_LIMIT, field, "output too small");
		return VG_OK;
	}
	case VG_OBS_FILENAME:
		return text_value(s, len, 1024, out, outsz, field, d);
	case VG_OBS_USER_AGENT:
		return text_value(s, len, 1024, out, outsz, field, d);
	case VG_OBS_STRING:
		return text_value(s, len, VG_OBS_VALUE_MAX, out, outsz, field, d);
	default:
		return vg_diag_set(d, VG_ERR_INVALID, field, "unknown observable type");
	}
}

vg_err vg_obs_guess(const char *s, size_t len, vg_obs_type *type, char *out, size_t outsz, vg_diag *d)
{
	static const vg_obs_type order[] = {VG_OBS_IPV4, VG_OBS_IPV6,  VG_OBS_CIDR,   VG_OBS_URL,
					    VG_OBS_CVE,  VG_OBS_MD5,   VG_OBS_SHA1,   VG_OBS_SHA256,
					    VG_OBS_SHA512, VG_OBS_EMAIL, VG_OBS_DOMAIN};
	char buf[VG_OBS_VALUE_BUF];
	size_t n;
	if (!s)
		return vg_diag_set(d, VG_ERR_INVALID, "value", "value is required");
	if (len > VG_OBS_VALUE_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, "value", "value longer than %d bytes", VG_OBS_VALUE_MAX);
	n = vg_obs_refang(s, len, buf, sizeof buf, NULL);
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		if (order[i] == VG_OBS_ASN)
			continue;
		if (vg_obs_normalize(order[i], buf, n, out, outsz, "value", NULL) == VG_OK) {
			*type = order[i];
			return VG_OK;
		}
	}
	{
		const char *p = buf;
		size_t m = n;
		vg_obs_trim(&p, &m);
		if (m >= 3 && (p[0] == 'A' || p[0] == 'a') && (p[1] == 'S' || p[1] == 's') &&
		    vg_obs_normalize(VG_OBS_ASN, p, m, out, outsz, "value", NULL) == VG_OK) {
			*type = VG_OBS_ASN;
			return VG_OK;
		}
	}
	*type = VG_OBS_STRING;
	return vg_obs_normalize(VG_OBS_STRING, s, len, out, outsz, "value", d);
}
