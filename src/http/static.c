/* Static files of the web console (web/), served through the same pipeline as
 * the API: security headers, request id, metrics and access log apply.
 *
 * Routes (rows flagged VG_ROUTE_STATIC in the route table, src/api/routes_web.inc):
 *   GET /                          -> <web_root>/index.html
 *   GET /ui/{file}                 -> <web_root>/{file}
 *   GET /ui/{dir}/{file}           -> <web_root>/{dir}/{file}
 *   GET /ui/vendor/{pkg}/{file}    -> <vendor root>/{pkg}/{file}, pkg allow-listed
 *
 * Sanitising: the router has already percent-decoded each segment and refused
 * empty ones; here every segment must be 1-100 characters of [A-Za-z0-9._-],
 * must not start with '.' (no "..", no hidden files), and the file name must
 * end with an allow-listed extension, which also gives the Content-Type. Only
 * regular files up to VG_WEB_FILE_MAX are served. Replies carry an ETag and
 * Last-Modified with "Cache-Control: no-cache" (revalidate each time: cheap
 * 304s, and an upgrade is seen at once); If-None-Match answers 304. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/app.h"
#include "core/log.h"
#include "http/internal.h"

#ifndef VG_WEB_VENDOR_ROOT
/* Debian's libjs-* packages (libjs-chart.js installs chart.js/chart.min.js). */
#define VG_WEB_VENDOR_ROOT "/usr/share/javascript"
#endif
#define VG_WEB_FILE_MAX (8 * 1024 * 1024)
#define SEGMENT_MAX 100

static const struct {
	const char *ext, *type;
} TYPES[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".woff2", "font/woff2"},
	{".txt", "text/plain; charset=utf-8"},
};

/* Vendor packages the console may load (directories under the vendor root). */
static const char *const VENDOR_PKGS[] = {"chart.js", NULL};

static bool safe_segment(const char *s)
{
	size_t n = 0;
	if (!s || !*s || s[0] == '.')
		return false;
	for (; s[n]; n++) {
		char c = s[n];
		if (n >= SEGMENT_MAX)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return strstr(s, "..") == NULL;
}

const char *vg_http_static_type(const char *file)
{
	size_t n = file ? strlen(file) : 0;
	for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++) {
		size_t e = strlen(TYPES[i].ext);
		if (n > e && strcmp(file + n - e, TYPES[i].ext) == 0)
			return TYPES[i].type;
	}
	return NULL;
}

static const char *web_root(const vg_req *r)
{
	if (r->app && r->app->cfg.web_root[0])
		return r->app->cfg.web_root;
	return "./web";
}

static const char *vendor_root(const vg_req *r)
{
	(void)r; /* a web_vendor_root configuration key may replace the default */
	return VG_WEB_VENDOR_ROOT;
}

/* Resolve the request to a file path; false when the request names nothing servable. */
bool vg_http_static_path(const vg_req *r, char *out, size_t outsz, const char **type)
{
	const char *pat = r->route ? r->route->pattern : "";
	const char *file = NULL;
	int w;
	if (strcmp(pat, "/") == 0) {
		file = "index.html";
		w = snprintf(out, outsz, "%s/index.html", web_root(r));
	} else if (strncmp(pat, "/ui/vendor/", 11) == 0) {
		const char *pkg = vg_req_param(r, "pkg");
		bool known = false;
		file = vg_req_param(r, "file");
		for (int i = 0; VENDOR_PKGS[i] && pkg; i++)
			known |= strcmp(VENDOR_PKGS[i], pkg) == 0;
		if (!known || !safe_segment(file))
			return false;
		w = snprintf(out, outsz, "%s/%s/%s", vendor_root(r), pkg, file);
	} else {
		const char *dir = vg_req_param(r, "dir");
		file = vg_req_param(r, "file");
		if (!safe_segment(file) || (dir && !safe_segment(dir)))
			return false;
		if (dir)
			w = snprintf(out, outsz, "%s/%s/%s", web_root(r), dir, file);
		else
			w = snprintf(out, outsz, "%s/%s", web_root(r), file);
	}
	if (w < 0 || (size_t)w >= outsz)
		return false;
	*type = vg_http_static_type(file);
	return *type != NULL;
}

/* If-None-Match: a list of tags or "*"; weak comparison on the quoted part. */
static bool etag_matches(const char *inm, const char *etag)
{
	if (!inm)
		return false;
	return strcmp(inm, "*") == 0 || strstr(inm, etag + 2) != NULL;
}

void vg_h_static(vg_req *r)
{
	char path[VG_CONFIG_PATH_MAX + 256];
	const char *type = NULL;
	struct stat st;
	char *buf, *etag, *lm;
	struct tm tm;
	size_t got = 0;
	int fd;

	if (!vg_http_static_path(r, path, sizeof path, &type)) {
		vg_reply_not_found(r);
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			VG_WARN("web console: %s: %s", path, strerror(errno));
		vg_reply_not_found(r);
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > VG_WEB_FILE_MAX) {
		close(fd);
		vg_reply_not_found(r);
		return;
	}
	etag = vg_arena_alloc(r->arena, 64);
	lm = vg_arena_alloc(r->arena, 40);
	if (!etag || !lm) {
		close(fd);
		vg_reply_error(r, VG_ERR_NOMEM, NULL, "out of memory");
		return;
	}
	snprintf(etag, 64, "W/\"%jx-%jx-%lx\"", (uintmax_t)st.st_size, (uintmax_t)st.st_mtim.tv_sec,
		 (unsigned long)st.st_mtim.tv_nsec);
	gmtime_r(&st.st_mtim.tv_sec, &tm);
	strftime(lm, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	r->resp_headers[0] = "ETag";
	r->resp_headers[1] = etag;
	r->resp_headers[2] = "Last-Modified";
	r->resp_headers[3] = lm;
	r->resp_headers[4] = "Cache-Control";
	r->resp_headers[5] = "no-cache";
	if (etag_matches(vg_req_header(r, "If-None-Match"), etag)) {
		close(fd);
		vg_reply_empty(r, 304);
		return;
	}
	buf = vg_arena_alloc(r->arena, (size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		vg_reply_error(r, VG_ERR_NOMEM, NULL, "out of memory");
		return;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	r->status = 200;
	r->resp_text = buf;
	r->resp_text_len = got;
	r->resp_type = type;
}
