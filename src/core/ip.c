#include "core/ip.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

vg_err vg_ip_parse(const char *s, size_t len, vg_ip *out, vg_diag *d)
{
	char tmp[VG_IP_STRLEN + 1];
	if (!s)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "missing IP address");
	if (!len)
		len = strnlen(s, sizeof tmp);
	if (len == 0 || len >= sizeof tmp)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "not an IP address");
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	memset(out, 0, sizeof *out);
	if (memchr(tmp, ':', len)) {
		/* zone ids (fe80::1%eth0) are not addresses we store */
		if (inet_pton(AF_INET6, tmp, out->bytes) != 1)
			return vg_diag_set(d, VG_ERR_INVALID, NULL, "not an IPv6 address: %.46s", tmp);
		out->family = 6;
		return VG_OK;
	}
	/* glibc's inet_pton(AF_INET) accepts only a.b.c.d decimal without leading zeros */
	if (inet_pton(AF_INET, tmp, out->bytes) != 1)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "not an IPv4 address: %.46s", tmp);
	out->family = 4;
	return VG_OK;
}

vg_err vg_cidr_parse(const char *s, size_t len, bool strict, vg_cidr *out, vg_diag *d)
{
	const char *slash;
	unsigned plen = 0, bits;
	size_t alen;
	vg_err e;
	if (!s)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "missing prefix");
	if (!len)
		len = strnlen(s, VG_CIDR_STRLEN + 1);
	if (len == 0 || len > VG_CIDR_STRLEN)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "not a CIDR prefix");
	slash = memchr(s, '/', len);
	alen = slash ? (size_t)(slash - s) : len;
	if (alen == 0) /* "/24": no address (and len 0 would mean NUL-terminated to vg_ip_parse) */
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "missing address before the prefix length");
	e = vg_ip_parse(s, alen, &out->addr, d);
	if (e)
		return e;
	bits = vg_ip_bits(&out->addr);
	if (slash) {
		const char *p = slash + 1, *end = s + len;
		if (p == end || end - p > 3)
			return vg_diag_set(d, VG_ERR_INVALID, NULL, "bad prefix length");
		if (*p == '0' && end - p > 1)
			return vg_diag_set(d, VG_ERR_INVALID, NULL, "bad prefix length (leading zero)");
		for (; p < end; p++) {
			if (*p < '0' || *p > '9')
				return vg_diag_set(d, VG_ERR_INVALID, NULL, "bad prefix length");
			plen = plen * 10 + (unsigned)(*p - '0');
		}
		if (plen > bits)
			return vg_diag_set(d, VG_ERR_INVALID, NULL, "prefix length %u exceeds %u", plen, bits);
	} else {
		plen = bits;
	}
	out->prefix = (uint8_t)plen;
	for (unsigned i = plen; i < bits; i++) {
		if (vg_ip_bit(&out->addr, i)) {
			if (strict)
				return vg_diag_set(d, VG_ERR_INVALID, NULL,
						   "host bits set beyond /%u", plen);
			out->addr.bytes[i >> 3] &= (uint8_t)~(1u << (7 - (i & 7)));
		}
	}
	return VG_OK;
}

char *vg_ip_format(const vg_ip *ip, char *out, size_t outsz)
{
	if (!inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->bytes, out, (socklen_t)outsz)) {
		if (outsz)
			out[0] = '\0';
	}
	return out;
}

char *vg_cidr_format(const vg_cidr *c, char *out, size_t outsz)
{
	char a[VG_IP_STRLEN];
	vg_ip_format(&c->addr, a, sizeof a);
	snprintf(out, outsz, "%s/%u", a, c->prefix);
	return out;
}

bool vg_cidr_contains(const vg_cidr *c, const vg_ip *ip)
{
	unsigned full, rest;
	if (c->addr.family != ip->family)
		return false;
	full = c->prefix / 8;
	rest = c->prefix % 8;
	if (memcmp(c->addr.bytes, ip->bytes, full) != 0)
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xFFu << (8 - rest));
		if ((c->addr.bytes[full] & mask) != (ip->bytes[full] & mask))
			return false;
	}
	return true;
}

bool vg_cidr_covers(const vg_cidr *a, const vg_cidr *b)
{
	return a->prefix <= b->prefix && vg_cidr_contains(a, &b->addr);
}

static const char *const special_nets[] = {
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
	"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
	"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	"::/128", "::1/128", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64", "2001:db8::/32",
	"fc00::/7", "fe80::/10", "ff00::/8",
};

bool vg_ip_is_special(const vg_ip *ip)
{
	for (size_t i = 0; i < sizeof special_nets / sizeof *special_nets; i++) {
		vg_cidr c;
		if (vg_cidr_parse(special_nets[i], 0, true, &c, NULL) == VG_OK && vg_cidr_contains(&c, ip))
			return true;
	}
	return false;
}
