/* Events from the XML that EVTX records render to (libevtx), read by a small
 * single-pass reader into the same paths as the JSON renderings of Windows
 * events: attributes under "#attributes", <Data Name="X"> as X, text under
 * "#text" (see event.c for the event model and the JSON extractor). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "detect/internal.h"

/* ---- XML (EVTX records) ---- */

typedef struct xparser {
	vg_event *ev;
	const vg_ruleset *rs;
	const char *s;
	size_t pos, len;
	char path[VG_EVENT_PATH_MAX];
	size_t plen;
	vg_buf tmp;
	vg_diag *d;
} xparser;

static vg_err xfail(xparser *p, const char *what)
{
	return vg_diag_set(p->d, VG_ERR_INVALID, NULL, "XML: %s at offset %zu", what, p->pos);
}

/* Decode entities of s[0..n) into p->tmp. */
static vg_err xdecode(xparser *p, const char *s, size_t n)
{
	vg_err e;
	vg_buf_reset(&p->tmp);
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '&') {
			if ((e = vg_buf_putc(&p->tmp, s[i])))
				return e;
			continue;
		}
		const char *semi = memchr(s + i, ';', n - i);
		size_t el = semi ? (size_t)(semi - s - i) : 0;
		char out[4];
		size_t ol = 1;
		if (el == 3 && memcmp(s + i, "&lt", 3) == 0)
			out[0] = '<';
		else if (el == 3 && memcmp(s + i, "&gt", 3) == 0)
			out[0] = '>';
		else if (el == 4 && memcmp(s + i, "&amp", 4) == 0)
			out[0] = '&';
		else if (el == 5 && memcmp(s + i, "&quot", 5) == 0)
			out[0] = '"';
		else if (el == 5 && memcmp(s + i, "&apos", 5) == 0)
			out[0] = '\'';
		else if (el > 2 && el < 12 && s[i + 1] == '#') {
			uint32_t cp = 0;
			bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
			for (size_t k = i + (hex ? 3 : 2); k < i + el; k++) {
				int h = hex ? vg_ev_hexval(s[k]) : (s[k] >= '0' && s[k] <= '9' ? s[k] - '0' : -1);
				if (h < 0) {
					cp = 0xFFFD;
					break;
				}
				cp = cp * (hex ? 16 : 10) + (uint32_t)h;
			}
			if (cp > 0x10FFFF)
				cp = 0xFFFD;
			ol = vg_ev_utf8_put(out, cp);
		} else {
			out[0] = '&';
			el = 0;
		}
		if ((e = vg_buf_append(&p->tmp, out, ol)))
			return e;
		i += el;
	}
	return VG_OK;
}

static vg_err xleaf(xparser *p, const char *suffix, const char *raw, size_t n)
{
	size_t saved = p->plen, sl = suffix ? strlen(suffix) : 0;
	vg_err e;
	if (sl) {
		if (p->plen + sl + 1 >= sizeof(p->path))
			return vg_diag_set(p->d, VG_ERR_LIMIT, NULL, "XML path too long");
		memcpy(p->path + p->plen, suffix, sl);
		p->plen += sl;
	}
	if ((e = xdecode(p, raw, n)))
		return e;
	e = vg_event_add(p->ev, p->rs, p->path, p->plen, p->tmp.data ? p->tmp.data : "", p->tmp.len, FT_STR);
	p->plen = saved;
	return e == VG_ERR_LIMIT ? vg_diag_set(p->d, e, NULL, "event too large") : e;
}

static bool xname_char(char c)
{
	return c && c != ' ' && c != '>' && c != '/' && c != '=' && c != '\t' && c != '\n' && c != '\r';
}

/* One element at p->pos ('<'); its path is already in p->path. */
static vg_err xelement(xparser *p, unsigned depth)
{
	vg_err e;
	size_t saved = p->plen;
	if (depth > VG_EVENT_DEPTH_MAX)
		return vg_diag_set(p->d, VG_ERR_LIMIT, NULL, "XML nested deeper than %d", VG_EVENT_DEPTH_MAX);
	p->pos++;
	size_t ns = p->pos;
	while (p->pos < p->len && xname_char(p->s[p->pos]))
		p->pos++;
	const char *name = p->s + ns;
	size_t nlen = p->pos - ns;
	if (!nlen)
		return xfail(p, "element without a name");
	/* attributes: first pass to find Name= on <Data> */
	const char *data_name = NULL;
	size_t dnl = 0;
	size_t attr_start = p->pos;
	bool is_data = nlen == 4 && memcmp(name, "Data", 4) == 0;
	for (int pass = 0; pass < 2; pass++) {
		p->pos = attr_start;
		if (pass == 1) {
			const char *seg = data_name ? data_name : name;
			size_t sl = data_name ? dnl : nlen;
			if (p->plen + sl + 2 >= sizeof(p->path))
				return vg_diag_set(p->d, VG_ERR_LIMIT, NULL, "XML path too long");
			if (p->plen)
				p->path[p->plen++] = '.';
			memcpy(p->path + p->plen, seg, sl);
			p->plen += sl;
		}
		for (;;) {
			while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r' ||
						   p->s[p->pos] == '\t'))
				p->pos++;
			if (p->pos >= p->len)
				return xfail(p, "unterminated tag");
			if (p->s[p->pos] == '>' || p->s[p->pos] == '/')
				break;
			size_t as = p->pos;
			while (p->pos < p->len && xname_char(p->s[p->pos]))
				p->pos++;
			size_t al = p->pos - as;
			if (p->pos + 1 >= p->len || p->s[p->pos] != '=' || (p->s[p->pos + 1] != '"' && p->s[p->pos + 1] != '\''))
				return xfail(p, "bad attribute");
			char q = p->s[p->pos + 1];
			p->pos += 2;
			const char *v = p->s + p->pos;
			const char *ve = memchr(v, q, p->len - p->pos);
			if (!ve)
				return xfail(p, "unterminated attribute");
			p->pos = (size_t)(ve - p->s) + 1;
			if (pass == 0) {
				if (is_data && al == 4 && memcmp(p->s + as, "Name", 4) == 0) {
					data_name = v;
					dnl = (size_t)(ve - v);
				}
				continue;
			}
			if (is_data && data_name && al == 4 && memcmp(p->s + as, "Name", 4) == 0)
				continue;
			char suffix[VG_EVENT_PATH_MAX];
			snprintf(suffix, sizeof(suffix), ".#attributes.%.*s", (int)al, p->s + as);
			if ((e = xleaf(p, suffix, v, (size_t)(ve - v))))
				return e;
		}
	}
	if (p->s[p->pos] == '/') {
		if (p->pos + 1 >= p->len || p->s[p->pos + 1] != '>')
			return xfail(p, "bad empty tag");
		p->pos += 2;
		p->plen = saved;
		return VG_OK;
	}
	p->pos++; /* > */
	/* content: text and child elements until </name> */
	size_t text_start = p->pos;
	bool had_child = false;
	for (;;) {
		const char *lt = memchr(p->s + p->pos, '<', p->len - p->pos);
		if (!lt)
			return xfail(p, "unterminated element");
		p->pos = (size_t)(lt - p->s);
		if (p->pos + 1 < p->len && p->s[p->pos + 1] == '/') {
			if (!had_child) {
				if ((e = xleaf(p, NULL, p->s + text_start, p->pos - text_start)))
					return e;
			}
			const char *gt = memchr(p->s + p->pos, '>', p->len - p->pos);
			if (!gt)
				return xfail(p, "unterminated closing tag");
			p->pos = (size_t)(gt - p->s) + 1;
			p->plen = saved;
			return VG_OK;
		}
		if (p->pos + 3 < p->len && memcmp(p->s + p->pos, "<!--", 4) == 0) {
			const char *end = memmem(p->s + p->pos, p->len - p->pos, "-->", 3);
			if (!end)
				return xfail(p, "unterminated comment");
			p->pos = (size_t)(end - p->s) + 3;
			continue;
		}
		if (p->pos + 1 < p->len && (p->s[p->pos + 1] == '?' || p->s[p->pos + 1] == '!')) {
			const char *gt = memchr(p->s + p->pos, '>', p->len - p->pos);
			if (!gt)
				return xfail(p, "unterminated declaration");
			p->pos = (size_t)(gt - p->s) + 1;
			continue;
		}
		had_child = true;
		if ((e = xelement(p, depth + 1)))
			return e;
	}
}

vg_err vg_event_from_xml(vg_event *ev, const vg_ruleset *rs, const char *xml, size_t len, vg_diag *d)
{
	xparser p = {.ev = ev, .rs = rs, .s = xml, .len = len, .d = d};
	vg_err e = VG_OK;
	vg_event_reset(ev);
	if (len > VG_EVENT_SIZE_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, NULL, "event larger than %d bytes", VG_EVENT_SIZE_MAX);
	vg_buf_init(&p.tmp, VG_EVENT_SIZE_MAX);
	for (;;) {
		const char *lt = memchr(xml + p.pos, '<', len - p.pos);
		if (!lt) {
			e = xfail(&p, "no root element");
			break;
		}
		p.pos = (size_t)(lt - xml);
		if (p.pos + 1 < len && (xml[p.pos + 1] == '?' || xml[p.pos + 1] == '!')) {
			const char *gt = memchr(xml + p.pos, '>', len - p.pos);
			if (!gt) {
				e = xfail(&p, "unterminated declaration");
				break;
			}
			p.pos = (size_t)(gt - xml) + 1;
			continue;
		}
		e = xelement(&p, 0);
		break;
	}
	vg_buf_fini(&p.tmp);
	return e;
}
