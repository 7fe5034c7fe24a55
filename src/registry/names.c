/* Domain, e-mail, AS number and OpenPGP fingerprint normalisers. */
#include "registry/names.h"

#include <string.h>

#include "core/ip.h"

static bool is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

vg_err vg_domain_normalize(const char *s, size_t len, bool allow_single_label, char *out, size_t outsz,
			   const char *field, vg_diag *d)
{
	char tmp[VG_DOMAIN_BUF];
	size_t n = 0, label = 0, labels = 0;
	bool all_numeric_tld = true;

	if (!field)
		field = "domain";
	if (!s)
		return vg_diag_set(d, VG_ERR_INVALID, field, "domain is required");
	if (len == 0)
		len = strlen(s);
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0)
		return vg_diag_set(d, VG_ERR_INVALID, field, "domain is empty");
	if (len > VG_DOMAIN_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, field, "domain longer than %d characters", VG_DOMAIN_MAX);
	if (s[0] == '[' || memchr(s, ':', len))
		return vg_diag_set(d, VG_ERR_INVALID, field, "an IP address literal is not a domain");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = lower((unsigned char)s[i]);
		if (c >= 0x80)
			return vg_diag_set(d, VG_ERR_INVALID, field,
					   "non-ASCII domain: give its punycode (xn--) form");
		if (c == '.') {
			if (label == 0)
				return vg_diag_set(d, VG_ERR_INVALID, field, "empty label at offset %zu", i);
			if (tmp[n - 1] == '-')
				return vg_diag_set(d, VG_ERR_INVALID, field, "label ends with '-'");
			label = 0;
			labels++;
			all_numeric_tld = true;
			tmp[n++] = '.';
			continue;
		}
		if (!is_ldh(c))
			return vg_diag_set(d, VG_ERR_INVALID, field, "invalid character '%c' in domain",
					   (c >= 0x20 && c < 0x7f) ? c : '?');
		if (label == 0 && c == '-')
			return vg_diag_set(d, VG_ERR_INVALID, field, "label starts with '-'");
		if (++label > VG_DOMAIN_LABEL_MAX)
			return vg_diag_set(d, VG_ERR_INVALID, field, "label longer than %d characters",
					   VG_DOMAIN_LABEL_MAX);
		if (!(c >= '0' && c <= '9'))
			all_numeric_tld = false;
		tmp[n++] = (char)c;
	}
	if (label == 0)
		return vg_diag_set(d, VG_ERR_INVALID, field, "empty label at the end");
	if (tmp[n - 1] == '-')
		return vg_diag_set(d, VG_ERR_INVALID, field, "label ends with '-'");
	labels++;
	tmp[n] = '\0';
	if (all_numeric_tld) {
		vg_ip ip;
		if (vg_ip_parse(tmp, n, &ip, NULL) == VG_OK)
			return vg_diag_set(d, VG_ERR_INVALID, field, "an IP address literal is not a domain");
		return vg_diag_set(d, VG_ERR_INVALID, field, "the top-level label is all digits");
	}
	if (labels < 2 && !allow_single_label)
		return vg_diag_set(d, VG_ERR_INVALID, field, "a domain needs at least two labels");
	if (n + 1 > outsz)
		return vg_diag_set(d, VG_ERR_LIMIT, field, "output buffer too small");
	memcpy(out, tmp, n + 1);
	return VG_OK;
}

vg_err vg_email_normalize(const char *s, size_t len, char *out, size_t outsz, const char *field, vg_diag *d)
{
	char dom[VG_DOMAIN_BUF];
	const char *at;
	size_t local;
	vg_err e;

	if (!field)
		field = "email";
	if (!s)
		return vg_diag_set(d, VG_ERR_INVALID, field, "e-mail address is required");
	if (len == 0)
		len = strlen(s);
	if (len == 0)
		return vg_diag_set(d, VG_ERR_INVALID, field, "e-mail address is empty");
	if (len > VG_EMAIL_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, field, "e-mail address longer than %d characters",
				   VG_EMAIL_MAX);
	at = memrchr(s, '@', len);
	if (!at)
		return vg_diag_set(d, VG_ERR_INVALID, field, "e-mail address has no '@'");
	local = (size_t)(at - s);
	if (local == 0 || local > 64)
		return vg_diag_set(d, VG_ERR_INVALID, field, "local part must be 1 to 64 characters");
	for (size_t i = 0; i < local; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f || strchr("\"@<>(),;:\\[]", c))
			return vg_diag_set(d, VG_ERR_INVALID, field, "invalid character in the local part");
	}
	if (s[0] == '.' || s[local - 1] == '.')
		return vg_diag_set(d, VG_ERR_INVALID, field, "local part starts or ends with '.'");
	if (len - local - 1 == 0)
		return vg_diag_set(d, VG_ERR_INVALID, field, "e-mail address has no domain");
	e = vg_domain_normalize(at + 1, len - local - 1, false, dom, sizeof dom, field, d);
	if (e)
		return e;
	if (local + 1 + strlen(dom) + 1 > outsz)
		return vg_diag_set(d, VG_ERR_LIMIT, field, "output buffer too small");
	for (size_t i = 0; i < local; i++)
		out[i] = (char)lower((unsigned char)s[i]);
	out[local] = '@';
	strcpy(out + local + 1, dom);
	return VG_OK;
}

vg_err vg_asn_parse(const char *s, size_t len, uint32_t *out, const char *field, vg_diag *d)
{
	uint64_t v = 0;
	size_t i = 0;

	if (!field)
		field = "asn";
	if (!s)
		return vg_diag_set(d, VG_ERR_INVALID, field, "AS number is required");
	if (len == 0)
		len = strlen(s);
	if (len >= 2 && lower((unsigned char)s[0]) == 'a' && lower((unsigned char)s[1]) == 's') {
		i = 2;
		if (i < len && s[i] == ' ')
			i++;
	}
	if (i >= len)
		return vg_diag_set(d, VG_ERR_INVALID, field, "AS number has no digits");
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return vg_diag_set(d, VG_ERR_INVALID, field, "AS number must be digits, optionally after 'AS'");
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > 4294967295u)
			return vg_diag_set(d, VG_ERR_INVALID, field, "AS number above 4294967295");
	}
	if (v == 0)
		return vg_diag_set(d, VG_ERR_INVALID, field, "AS number 0 is reserved");
	*out = (uint32_t)v;
	return VG_OK;
}

vg_err vg_pgp_fpr_normalize(const char *s, char *out, size_t outsz, const char *field, vg_diag *d)
{
	size_t n = 0;

	if (!field)
		field = "pgp_fingerprint";
	if (!s)
		return vg_diag_set(d, VG_ERR_INVALID, field, "fingerprint is required");
	if (outsz < VG_PGP_FPR_BUF)
		return vg_diag_set(d, VG_ERR_LIMIT, field, "output buffer too small");
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ')
			continue;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
			return vg_diag_set(d, VG_ERR_INVALID, field, "fingerprint must be hexadecimal digits");
		if (n == 40)
			return vg_diag_set(d, VG_ERR_INVALID, field, "fingerprint must be 40 hexadecimal digits");
		out[n++] = (char)((c >= 'a') ? c - 'a' + 'A' : c);
	}
	if (n != 40)
		return vg_diag_set(d, VG_ERR_INVALID, field, "fingerprint must be 40 hexadecimal digits");
	out[n] = '\0';
	return VG_OK;
}
