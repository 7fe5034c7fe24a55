/* URL normalisation (RFC 3986 section 6.2.2 syntax-based normalisation plus
 * the scheme-based step of removing the default port). */
#include "observe/internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/ip.h"
#include "core/limits.h"
#include "registry/names.h"

static const struct {
	const char *scheme;
	unsigned port;
} schemes[] = {
	{"http", 80}, {"https", 443}, {"ftp", 21}, {"ftps", 990}, {"sftp", 22}, {"ws", 80}, {"wss", 443},
};

static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
	       c == '_' || c == '~';
}

/* Characters kept as they are in a path or query (RFC 3986 pchar, '/', '?'). */
static bool keep_literal(unsigned char c)
{
	return unreserved(c) || strchr("!$&'()*+,;=:@/?", c) != NULL;
}

static vg_err put_escaped(vg_buf *b, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";
	char t[3] = {'%', hex[c >> 4], hex[c & 15]};
	return vg_buf_append(b, t, 3);
}

/* Percent-encoding normalised: escapes of unreserved characters decoded, other
 * escapes upper-cased, bytes that may not appear literally escaped. */
static vg_err pct_normalize(vg_buf *b, const char *s, size_t len)
{
	vg_err e = VG_OK;
	for (size_t i = 0; i < len && !e; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%' && i + 2 < len && vg_obs_hexval((unsigned char)s[i + 1]) >= 0 &&
		    vg_obs_hexval((unsigned char)s[i + 2]) >= 0) {
			unsigned char v = (unsigned char)(vg_obs_hexval((unsigned char)s[i + 1]) * 16 +
							  vg_obs_hexval((unsigned char)s[i + 2]));
			e = unreserved(v) ? vg_buf_putc(b, (char)v) : put_escaped(b, v);
			i += 2;
		} else if (keep_literal(c)) {
			e = vg_buf_putc(b, (char)c);
		} else {
			e = put_escaped(b, c);
		}
	}
	return e;
}

/* RFC 3986 5.2.4 for an absolute path (starts with '/'), in place. */
static void remove_dot_segments(char *p, size_t *len)
{
	size_t in = 1, out = 1, n = *len;
	if (n == 0 || p[0] != '/')
		return;
	while (in <= n) {
		size_t end = in;
		bool last;
		while (end < n && p[end] != '/')
			end++;
		last = end >= n;
		if (end - in == 1 && p[in] == '.') {
			/* skip */
		} else if (end - in == 2 && p[in] == '.' && p[in + 1] == '.') {
			/* drop the last output segment */
			if (out > 1) {
				out--; /* the '/' after the segment */
				while (out > 1 && p[out - 1] != '/')
					out--;
			}
		} else {
			memmove(p + out, p + in, end - in);
			out += end - in;
			if (!last)
				p[out++] = '/';
		}
		in = end + 1;
	}
	*len = out;
	p[out] = '\0';
}

bool vg_obs_url_host(const char *url, char *out, size_t outsz)
{
	const char *p = strstr(url, "://"), *h, *e, *at;
	size_t n;
	if (!p)
		return false;
	h = p + 3;
	e = h + strcspn(h, "/?#");
	at = memchr(h, '@', (size_t)(e - h));
	if (at)
		h = at + 1;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(e - h));
		if (!rb)
			return false;
		h++;
		e = rb;
	} else {
		const char *colon = memchr(h, ':', (size_t)(e - h));
		if (colon)
			e = colon;
	}
	n = (size_t)(e - h);
	if (n == 0 || n >= outsz)
		return false;
	memcpy(out, h, n);
	out[n] = '\0';
	return true;
}

vg_err vg_url_normalize(const char *s, size_t len, char *out, size_t outsz, const char *field, vg_diag *d)
{
	vg_buf b;
	vg_err e = VG_OK;
	size_t i = 0, sl, auth_end, host_start, host_end, port_start = 0, path_start;
	unsigned defport = 0;
	char host[VG_DOMAIN_BUF + 2];

	if (!field)
		field = "url";
	if (!s)
		return vg_diag_set(d, VG_ERR_INVALID, field, "URL is required");
	vg_obs_trim(&s, &len);
	if (len == 0)
		return vg_diag_set(d, VG_ERR_INVALID, field, "URL is empty");
	if (len > VG_OBS_VALUE_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, field, "URL longer than %d bytes", VG_OBS_VALUE_MAX);
	vg_buf_init(&b, VG_OBS_VALUE_MAX);
	/* scheme */
	while (i < len && s[i] != ':')
		i++;
	sl = i;
	if (i == len || len - i < 3 || s[i + 1] != '/' || s[i + 2] != '/') {
		e = vg_diag_set(d, VG_ERR_INVALID, field, "URL needs scheme://host");
		goto out;
	}
	for (size_t k = 0; k < sizeof schemes / sizeof schemes[0]; k++)
		if (strlen(schemes[k].scheme) == sl && strncasecmp(s, schemes[k].scheme, sl) == 0)
			defport = schemes[k].port;
	if (!defport) {
		e = vg_diag_set(d, VG_ERR_INVALID, field, "unsupported URL scheme '%.*s'", (int)(sl > 16 ? 16 : sl), s);
		goto out;
	}
	for (size_t k = 0; k < sl && !e; k++)
		e = vg_buf_putc(&b, (char)((s[k] >= 'A' && s[k] <= 'Z') ? s[k] - 'A' + 'a' : s[k]));
	if (!e)
		e = vg_buf_puts(&b, "://");
	i = sl + 3;
	/* authority: [userinfo@]host[:port] */
	auth_end = i;
	while (auth_end < len && s[auth_end] != '/' && s[auth_end] != '?' && s[auth_end] != '#')
		auth_end++;
	host_start = i;
	for (size_t k = i; k < auth_end; k++)
		if (s[k] == '@')
			host_start = k + 1;
	if (host_start > i && !e)
		e = pct_normalize(&b, s + i, host_start - i); /* userinfo keeps its '@' (a keep_literal char) */
	if (e)
		goto out;
	if (host_start < auth_end && s[host_start] == '[') {
		const char *rb = memchr(s + host_start, ']', auth_end - host_start);
		vg_ip ip;
		char ipt[VG_IP_STRLEN];
		if (!rb || rb == s + host_start + 1 ||
		    vg_ip_parse(s + host_start + 1, (size_t)(rb - s) - host_start - 1, &ip, NULL) ||
		    ip.family != 6) {
			e = vg_diag_set(d, VG_ERR_INVALID, field, "bad IPv6 literal in URL host");
			goto out;
		}
		host_end = (size_t)(rb - s) + 1;
		vg_ip_format(&ip, ipt, sizeof ipt);
		e = vg_buf_printf(&b, "[%s]", ipt);
	} else {
		vg_ip ip;
		host_end = host_start;
		while (host_end < auth_end && s[host_end] != ':')
			host_end++;
		if (host_end == host_start) {
			e = vg_diag_set(d, VG_ERR_INVALID, field, "URL host is empty");
			goto out;
		}
		if (vg_ip_parse(s + host_start, host_end - host_start, &ip, NULL) == VG_OK && ip.family == 4) {
			char ipt[VG_IP_STRLEN];
			e = vg_buf_puts(&b, vg_ip_format(&ip, ipt, sizeof ipt));
		} else {
			vg_diag hd;
			vg_diag_clear(&hd);
			if (vg_obs_domain(s + host_start, host_end - host_start, true, host, sizeof host, field, &hd)) {
				e = vg_diag_set(d, hd.code, field, "URL host: %s", hd.message);
				goto out;
			}
			e = vg_buf_puts(&b, host);
		}
	}
	if (e)
		goto out;
	if (host_end < auth_end) {
		unsigned long port = 0;
		if (s[host_end] != ':') {
			e = vg_diag_set(d, VG_ERR_INVALID, field, "unexpected text after the URL host");
			goto out;
		}
		port_start = host_end + 1;
		if (auth_end - port_start > 5) {
			e = vg_diag_set(d, VG_ERR_INVALID, field, "bad URL port");
			goto out;
		}
		for (size_t k = port_start; k < auth_end; k++) {
			if (s[k] < '0' || s[k] > '9') {
				e = vg_diag_set(d, VG_ERR_INVALID, field, "bad URL port");
				goto out;
			}
			port = port * 10 + (unsigned long)(s[k] - '0');
		}
		if (auth_end > port_start && (port == 0 || port > 65535)) {
			e = vg_diag_set(d, VG_ERR_INVALID, field, "URL port out of range");
			goto out;
		}
		if (auth_end > port_start && port != defport)
			e = vg_buf_printf(&b, ":%lu", port);
		if (e)
			goto out;
	}
	/* path (dot-segments removed after percent normalisation), then query */
	path_start = b.len;
	{
		size_t pe = auth_end;
		while (pe < len && s[pe] != '?' && s[pe] != '#')
			pe++;
		if (pe == auth_end)
			e = vg_buf_putc(&b, '/');
		else
			e = pct_normalize(&b, s + auth_end, pe - auth_end);
		if (e)
			goto out;
		{
			size_t plen = b.len - path_start;
			remove_dot_segments(b.data + path_start, &plen);
			b.len = path_start + plen;
		}
		if (pe < len && s[pe] == '?') {
			size_t qe = pe + 1;
			while (qe < len && s[qe] != '#')
				qe++;
			e = vg_buf_putc(&b, '?');
			if (!e)
				e = pct_normalize(&b, s + pe + 1, qe - pe - 1);
		}
	}
	if (e)
		goto out;
	if (b.len >= outsz) {
		e = vg_diag_set(d, VG_ERR_LIMIT, field, "normalised URL longer than the output");
		goto out;
	}
	memcpy(out, vg_buf_cstr(&b), b.len + 1);
out:
	if (e == VG_ERR_LIMIT && (!d || d->code != VG_ERR_LIMIT)) /* the bounded buffer filled up */
		e = vg_diag_set(d, VG_ERR_INVALID, field, "normalised URL longer than %d bytes", VG_OBS_VALUE_MAX);
	vg_buf_fini(&b);
	return e;
}
