/* Route matching and request accessors.
 *
 * Patterns are split on '/'; a segment is either a literal or a {name}
 * capture. The request path is matched raw (the server turns off
 * libmicrohttpd's unescaping): each segment is percent-decoded on its own, so
 * "%2F" inside an id stays inside that segment instead of creating a new one.
 * Empty segments (a trailing slash, "//") never match. When several patterns
 * match, the one with a literal at the first position where they differ wins
 * ("/orgs/new" beats "/orgs/{id}"). The root "/" is the one path with no
 * segment; it matches only the pattern "/". */
#include <microhttpd.h>
#include <stdint.h>
#include <string.h>

#include "http/http.h"
#include "http/internal.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t vg_http_pct_decode(const char *s, size_t n, char *out, size_t outsz, bool plus_space)
{
	size_t o = 0;
	if (outsz == 0)
		return SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			int h, l;
			if (i + 2 >= n)
				return SIZE_MAX;
			h = hexval(s[i + 1]);
			l = hexval(s[i + 2]);
			if (h < 0 || l < 0)
				return SIZE_MAX;
			c = (char)(h * 16 + l);
			if (c == '\0')
				return SIZE_MAX;
			i += 2;
		} else if (c == '+' && plus_space) {
			c = ' ';
		} else if (c == '\0') {
			return SIZE_MAX;
		}
		if (o + 1 >= outsz)
			return SIZE_MAX;
		out[o++] = c;
	}
	out[o] = '\0';
	return o;
}

/* Split path into decoded segments stored in scratch. Returns the number of
 * segments, or -1 when the path is malformed, too long or has an empty
 * segment. */
#define SEGMENTS_MAX 32
static int split_path(const char *path, const char **segs, char *scratch, size_t scratchsz)
{
	size_t used = 0;
	int n = 0;
	const char *p = path;
	if (!path || path[0] != '/' || strlen(path) > VG_HTTP_PATH_MAX)
		return -1;
	if (path[1] == '\0')
		return 0; /* "/" */
	while (*p == '/') {
		const char *start = ++p;
		size_t len, dl;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - start);
		if (len == 0 || n >= SEGMENTS_MAX || used >= scratchsz)
			return -1;
		dl = vg_http_pct_decode(start, len, scratch + used, scratchsz - used, false);
		if (dl == SIZE_MAX)
			return -1;
		segs[n++] = scratch + used;
		used += dl + 1;
	}
	return *p ? -1 : n;
}

/* Does the pattern match the segments? Captures are written to params (in
 * pattern order). Returns a rank (higher = more literal early) or -1. */
static int64_t pattern_match(const char *pattern, const char *const *segs, int nsegs, const char **params,
			     int *nparams)
{
	int i = 0, np = 0;
	uint64_t rank = 0;
	const char *p = pattern;
	if (strcmp(pattern, "/") == 0)
		return nsegs == 0 ? 0 : -1;
	while (*p == '/') {
		const char *start = ++p;
		size_t len;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - start);
		if (i >= nsegs || i >= 62)
			return -1;
		if (len >= 2 && start[0] == '{' && start[len - 1] == '}') {
			if (np >= VG_ROUTE_PARAMS_MAX)
				return -1;
			if (params)
				params[np] = segs[i];
			np++;
		} else {
			if (strlen(segs[i]) != len || memcmp(segs[i], start, len) != 0)
				return -1;
			rank |= (uint64_t)1 << (62 - i);
		}
		i++;
	}
	if (i != nsegs)
		return -1;
	if (nparams)
		*nparams = np;
	return (int64_t)rank;
}

static bool method_is(const char *route_method, const char *method)
{
	if (strcmp(route_method, method) == 0)
		return true;
	/* HEAD is served by the GET route (libmicrohttpd drops the body). */
	return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

const vg_route *vg_route_match(const vg_route *routes, const char *method, const char *path,
			       const char **params, int *nparams, char *scratch, size_t scratchsz,
			       bool *method_mismatch)
{
	const char *segs[SEGMENTS_MAX];
	const vg_route *best = NULL;
	int64_t best_rank = -1;
	bool other = false;
	int nsegs;
	if (method_mismatch)
		*method_mismatch = false;
	if (nparams)
		*nparams = 0;
	if (!routes || !method || !scratch)
		return NULL;
	nsegs = split_path(path, segs, scratch, scratchsz);
	if (nsegs < 0)
		return NULL;
	for (const vg_route *rt = routes; rt->method; rt++) {
		int64_t rank = pattern_match(rt->pattern, segs, nsegs, NULL, NULL);
		if (rank < 0)
			continue;
		if (!method_is(rt->method, method)) {
			other = true;
			continue;
		}
		if (rank > best_rank) {
			best = rt;
			best_rank = rank;
		}
	}
	if (best) {
		const char *tmp[VG_ROUTE_PARAMS_MAX];
		int np = 0;
		pattern_match(best->pattern, segs, nsegs, tmp, &np);
		for (int i = 0; i < np; i++)
			if (params)
				params[i] = tmp[i];
		if (nparams)
			*nparams = np;
		return best;
	}
	if (method_mismatch)
		*method_mismatch = other;
	return NULL;
}

int vg_route_allow(const vg_route *routes, const char *path, char *out, size_t outsz)
{
	char scratch[VG_HTTP_PATH_MAX + 1];
	const char *segs[SEGMENTS_MAX];
	int nsegs, n = 0;
	size_t used = 0;
	if (outsz)
		out[0] = '\0';
	nsegs = split_path(path, segs, scratch, sizeof scratch);
	if (nsegs < 0 || !routes)
		return 0;
	for (const vg_route *rt = routes; rt->method; rt++) {
		bool dup = false;
		if (pattern_match(rt->pattern, segs, nsegs, NULL, NULL) < 0)
			continue;
		for (const vg_route *q = routes; q != rt; q++)
			if (strcmp(q->method, rt->method) == 0 && pattern_match(q->pattern, segs, nsegs, NULL, NULL) >= 0)
				dup = true;
		if (dup)
			continue;
		if (outsz > used) {
			int w = snprintf(out + used, outsz - used, "%s%s", n ? ", " : "", rt->method);
			if (w > 0)
				used += (size_t)w < outsz - used ? (size_t)w : outsz - used - 1;
		}
		n++;
	}
	return n;
}

int64_t vg_parse_id(const char *s)
{
	int64_t v = 0;
	size_t n;
	if (!s || s[0] < '1' || s[0] > '9')
		return 0;
	n = strlen(s);
	if (n > 16)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v <= ((int64_t)1 << 53) ? v : 0;
}

const char *vg_req_param(const vg_req *r, const char *name)
{
	const char *p;
	size_t nl;
	int idx = 0;
	if (!r || !r->route || !r->route->pattern || !name)
		return NULL;
	nl = strlen(name);
	for (p = r->route->pattern; (p = strchr(p, '{')) != NULL; p++) {
		const char *end = strchr(p, '}');
		if (!end)
			break;
		if ((size_t)(end - p - 1) == nl && memcmp(p + 1, name, nl) == 0)
			return idx < r->nparams ? r->params[idx] : NULL;
		idx++;
	}
	return NULL;
}

int64_t vg_req_param_id(const vg_req *r, const char *name)
{
	return vg_parse_id(vg_req_param(r, name));
}

const char *vg_req_query(const vg_req *r, const char *name)
{
	const char *raw;
	size_t rawlen = 0, dl;
	char *out;
	if (!r || !r->conn || !name)
		return NULL;
	/* The server keeps arguments raw (see the unescape callback): decode
	 * here, '+' as space, refusing NUL and malformed escapes. */
	if (MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, name, strlen(name), &raw, &rawlen) !=
	    MHD_YES)
		return NULL;
	if (!raw)
		return "";
	out = vg_arena_alloc(r->arena, rawlen + 1);
	if (!out)
		return NULL;
	dl = vg_http_pct_decode(raw, rawlen, out, rawlen + 1, true);
	return dl == SIZE_MAX ? NULL : out;
}

const char *vg_req_header(const vg_req *r, const char *name)
{
	if (!r || !r->conn || !name)
		return NULL;
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}
