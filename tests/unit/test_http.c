/* Unit tests for src/http: router, replies, metrics, X-Forwarded-For, the
 * OpenAPI generator on a small table, and the whole pipeline over real HTTP
 * (a server on 127.0.0.1:0 with a test route table and a scratch database). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/app.h"
#include "auth/sessions.h"
#include "auth/tokens.h"
#include "auth/users.h"
#include "core/log.h"
#include "http/http.h"
#include "http/internal.h"

static void h_ok(vg_req *r)
{
	json_t *b = json_pack("{s:b,s:s}", "ok", 1, "ip", r->client_ip);
	const char *q = vg_req_query(r, "q");
	if (q)
		json_object_set_new(b, "q", json_string(q));
	json_object_set_new(b, "rid", json_string(r->request_id));
	vg_reply_json(r, 200, b);
}

static void h_item(vg_req *r)
{
	vg_reply_json(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)vg_req_param_id(r, "id"), "raw",
					vg_req_param(r, "id") ? vg_req_param(r, "id") : ""));
}

static void h_echo(vg_req *r)
{
	vg_reply_json(r, 201, json_incref(r->json));
}

static void h_raw(vg_req *r)
{
	vg_reply_text(r, 200, "text/plain", r->body ? r->body : "", r->body_len);
}

static void h_silent(vg_req *r)
{
	(void)r;
}

static void h_throttle(vg_req *r)
{
	vg_reply_json(r, 429, json_pack("{s:{s:s,s:s,s:i}}", "error", "code", "throttled", "message", "later",
					"retry_after_s", 42));
}

static void h_metrics(vg_req *r)
{
	const char *t = vg_server_metrics_text(r->server, r->arena);
	vg_reply_text(r, 200, "text/plain; version=0.0.4", t, strlen(t));
}

static const vg_route test_routes[] = {
	{"GET", "/api/t/public", h_ok, VG_ACT_PUBLIC, 0, 0, "ok", "t", NULL, NULL, "q"},
	{"GET", "/api/t/items/{id}", h_item, VG_ACT_PUBLIC, 0, 0, "item", "t", NULL, NULL, NULL},
	{"DELETE", "/api/t/items/{id}", h_item, VG_ACT_ORG_DELETE, 0, 0, "del", "t", NULL, NULL, NULL},
	{"GET", "/api/t/items/new", h_ok, VG_ACT_PUBLIC, 0, 0, "new", "t", NULL, NULL, NULL},
	{"GET", "/api/t/items/{id}/sub/{cid}", h_item, VG_ACT_PUBLIC, 0, 0, "sub", "t", NULL, NULL, NULL},
	{"POST", "/api/t/echo", h_echo, VG_ACT_PUBLIC, 64, VG_ROUTE_JSON_BODY, "echo", "t", "Thing", "Thing", NULL},
	{"POST", "/api/t/raw", h_raw, VG_ACT_PUBLIC, 16, VG_ROUTE_RAW_BODY, "raw", "t", NULL, NULL, NULL},
	{"GET", "/api/t/silent", h_silent, VG_ACT_PUBLIC, 0, 0, "silent", "t", NULL, NULL, NULL},
	{"POST", "/api/t/write", h_echo, VG_ACT_ORG_CREATE, 64, VG_ROUTE_JSON_BODY, "w", "t", "Thing", "Thing", NULL},
	{"GET", "/api/t/throttle", h_throttle, VG_ACT_PUBLIC, 0, 0, "429", "t", NULL, NULL, NULL},
	{"GET", "/metrics", h_metrics, VG_ACT_PUBLIC, 0, VG_ROUTE_TEXT, "metrics", "t", NULL, NULL, NULL},
	{NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, NULL},
};

/* ---- router ---- */

static const vg_route *match(const char *method, const char *path, const char **params, int *np, bool *mm)
{
	static char scratch[VG_HTTP_PATH_MAX + 1];
	return vg_route_match(test_routes, method, path, params, np, scratch, sizeof scratch, mm);
}

static void test_router_literal_and_params(void **state)
{
	const char *p[VG_ROUTE_PARAMS_MAX];
	int np = -1;
	bool mm = true;
	const vg_route *rt;
	vg_req r;
	(void)state;
	rt = match("GET", "/api/t/items/new", p, &np, &mm);
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/t/items/new");
	assert_int_equal(np, 0);
	rt = match("GET", "/api/t/items/42", p, &np, &mm);
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/t/items/{id}");
	assert_int_equal(np, 1);
	assert_string_equal(p[0], "42");
	rt = match("GET", "/api/t/items/42/sub/7", p, &np, &mm);
	assert_non_null(rt);
	memset(&r, 0, sizeof r);
	r.route = rt;
	r.nparams = np;
	memcpy(r.params, p, sizeof p);
	assert_string_equal(vg_req_param(&r, "cid"), "7");
	assert_int_equal(vg_req_param_id(&r, "id"), 42);
	assert_int_equal(vg_req_param_id(&r, "cid"), 7);
	assert_null(vg_req_param(&r, "nope"));
	assert_int_equal(vg_req_param_id(&r, "nope"), 0);
	/* HEAD is served by GET routes */
	assert_non_null(match("HEAD", "/api/t/public", p, &np, &mm));
}

static void test_router_405_404(void **state)
{
	const char *p[VG_ROUTE_PARAMS_MAX];
	int np;
	bool mm = false;
	char allow[64];
	(void)state;
	assert_null(match("POST", "/api/t/items/9", p, &np, &mm));
	assert_true(mm);
	assert_int_equal(vg_route_allow(test_routes, "/api/t/items/9", allow, sizeof allow), 2);
	assert_string_equal(allow, "GET, DELETE");
	assert_null(match("GET", "/api/t/unknown", p, &np, &mm));
	assert_false(mm);
	assert_int_equal(vg_route_allow(test_routes, "/api/t/unknown", allow, sizeof allow), 0);
	/* "new" exists for GET; PUT gives 405 listing both patterns' methods once */
	assert_null(match("PUT", "/api/t/items/new", p, &np, &mm));
	assert_true(mm);
	assert_int_equal(vg_route_allow(test_routes, "/api/t/items/new", allow, sizeof allow), 2);
}

static void test_router_slashes_and_encoding(void **state)
{
	const char *p[VG_ROUTE_PARAMS_MAX];
	int np;
	bool mm;
	const vg_route *rt;
	char longpath[VG_HTTP_PATH_MAX + 64];
	(void)state;
	assert_null(match("GET", "/api/t/public/", p, &np, &mm));
	assert_false(mm);
	assert_null(match("GET", "/api/t//public", p, &np, &mm));
	assert_null(match("GET", "api/t/public", p, &np, &mm));
	assert_null(match("GET", "", p, &np, &mm));
	assert_null(match("GET", "/", p, &np, &mm));
	/* each segment is decoded on its own */
	rt = match("GET", "/api/t/items/%34%32", p, &np, &mm);
	assert_non_null(rt);
	assert_string_equal(p[0], "42");
	assert_non_null(match("GET", "/api/t/%70ublic", p, &np, &mm));
	rt = match("GET", "/api/t/items/a%2Fb", p, &np, &mm);
	assert_non_null(rt);
	assert_string_equal(rt->pattern, "/api/t/items/{id}");
	assert_string_equal(p[0], "a/b");
	assert_null(match("GET", "/api/t/items/%zz", p, &np, &mm));
	assert_null(match("GET", "/api/t/items/%4", p, &np, &mm));
	assert_null(match("GET", "/api/t/items/a%00b", p, &np, &mm));
	/* overlong */
	memset(longpath, 'a', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = '\0';
	assert_null(match("GET", longpath, p, &np, &mm));
	{
		char small[4];
		assert_null(vg_route_match(test_routes, "GET", "/api/t/public", p, &np, small, sizeof small, &mm));
	}
	/* many segments */
	{
		char many[400] = "";
		for (int i = 0; i < 60; i++)
			strcat(many, "/x");
		assert_null(match("GET", many, p, &np, &mm));
	}
}

static void test_parse_id(void **state)
{
	(void)state;
	assert_int_equal(vg_parse_id("1"), 1);
	assert_int_equal(vg_parse_id("9007199254740992"), 9007199254740992LL);
	assert_int_equal(vg_parse_id("9007199254740993"), 0);
	assert_int_equal(vg_parse_id("99999999999999999999"), 0);
	assert_int_equal(vg_parse_id("0"), 0);
	assert_int_equal(vg_parse_id("01"), 0);
	assert_int_equal(vg_parse_id("-1"), 0);
	assert_int_equal(vg_parse_id("+1"), 0);
	assert_int_equal(vg_parse_id(" 1"), 0);
	assert_int_equal(vg_parse_id("1a"), 0);
	assert_int_equal(vg_parse_id(""), 0);
	assert_int_equal(vg_parse_id(NULL), 0);
}

static void test_pct_decode(void **state)
{
	char out[32];
	(void)state;
	assert_int_equal(vg_http_pct_decode("a+b%21", 6, out, sizeof out, true), 4);
	assert_string_equal(out, "a b!");
	assert_int_equal(vg_http_pct_decode("a+b", 3, out, sizeof out, false), 3);
	assert_string_equal(out, "a+b");
	assert_true(vg_http_pct_decode("%", 1, out, sizeof out, true) == SIZE_MAX);
	assert_true(vg_http_pct_decode("%0", 2, out, sizeof out, true) == SIZE_MAX);
	assert_true(vg_http_pct_decode("%00", 3, out, sizeof out, true) == SIZE_MAX);
	assert_true(vg_http_pct_decode("abcdef", 6, out, 4, true) == SIZE_MAX);
}

/* ---- replies ---- */

static void test_replies(void **state)
{
	vg_req r;
	json_t *err;
	vg_diag d;
	(void)state;
	memset(&r, 0, sizeof r);
	r.arena = vg_arena_new(0);
	snprintf(r.request_id, sizeof r.request_id, "rid-1");
	vg_reply_error(&r, VG_ERR_INVALID, "cidr", "bad prefix %s", "x");
	assert_int_equal(r.status, 400);
	err = json_object_get(r.resp, "error");
	assert_string_equal(json_string_value(json_object_get(err, "code")), "invalid");
	assert_string_equal(json_string_value(json_object_get(err, "message")), "bad prefix x");
	assert_string_equal(json_string_value(json_object_get(err, "field")), "cidr");
	assert_string_equal(json_string_value(json_object_get(r.resp, "request_id")), "rid-1");
	vg_reply_not_found(&r);
	assert_int_equal(r.status, 404);
	assert_true(json_is_null(json_object_get(json_object_get(r.resp, "error"), "field")));
	vg_reply_error_code(&r, 403, "csrf", NULL, "no");
	assert_int_equal(r.status, 403);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.resp, "error"), "code")), "csrf");
	vg_diag_set(&d, VG_ERR_CONFLICT, "name", "taken");
	vg_reply_diag(&r, &d);
	assert_int_equal(r.status, 409);
	/* invalid UTF-8 in a message does not lose the reply */
	vg_reply_error(&r, VG_ERR_INVALID, NULL, "bad \xff");
	assert_int_equal(r.status, 400);
	assert_non_null(json_string_value(json_object_get(json_object_get(r.resp, "error"), "message")));
	vg_reply_text(&r, 200, NULL, "hello", 5);
	assert_null(r.resp);
	assert_string_equal(r.resp_text, "hello");
	assert_string_equal(r.resp_type, "text/plain; charset=utf-8");
	vg_reply_json(&r, 200, NULL);
	assert_int_equal(r.status, 503);
	vg_reply_empty(&r, 204);
	assert_int_equal(r.status, 204);
	assert_null(r.resp);
	assert_null(r.resp_text);
	vg_arena_free(r.arena);
}

/* ---- metrics ---- */

static void test_metrics(void **state)
{
	vg_metrics *m = vg_metrics_new(test_routes);
	vg_buf b;
	const char *t;
	(void)state;
	assert_non_null(m);
	vg_metrics_enter(m);
	vg_metrics_observe(m, &test_routes[0], "GET", 200, 300000, 10);     /* 0.3 ms */
	vg_metrics_observe(m, &test_routes[0], "GET", 200, 2000000000, 10); /* 2 s */
	vg_metrics_observe(m, NULL, "BREW", 404, 1000, 0);
	vg_metrics_observe(m, NULL, "GET", 999, 1000, 0);
	vg_buf_init(&b, 0);
	assert_int_equal(vg_metrics_render(m, &b), VG_OK);
	t = vg_buf_cstr(&b);
	assert_non_null(strstr(t, "# TYPE vigie_http_requests_total counter\n"));
	assert_non_null(strstr(t, "vigie_http_requests_total{route=\"/api/t/public\",method=\"GET\",code=\"200\"} 2\n"));
	assert_non_null(strstr(t, "vigie_http_requests_total{route=\"unmatched\",method=\"OTHER\",code=\"404\"} 1\n"));
	assert_non_null(strstr(t, "# TYPE vigie_http_request_duration_seconds histogram\n"));
	assert_non_null(strstr(t, "_bucket{route=\"/api/t/public\",method=\"GET\",le=\"0.0005\"} 1\n"));
	assert_non_null(strstr(t, "_bucket{route=\"/api/t/public\",method=\"GET\",le=\"2.5\"} 2\n"));
	assert_non_null(strstr(t, "_bucket{route=\"/api/t/public\",method=\"GET\",le=\"+Inf\"} 2\n"));
	assert_non_null(strstr(t, "vigie_http_request_duration_seconds_count{route=\"/api/t/public\",method=\"GET\"} 2\n"));
	assert_non_null(strstr(t, "vigie_http_requests_in_flight 1\n"));
	vg_metrics_leave(m);
	vg_buf_fini(&b);
	vg_metrics_free(m);
	vg_metrics_free(NULL);
}

/* ---- X-Forwarded-For ---- */

static void test_xff(void **state)
{
	vg_server s;
	vg_ip peer, out;
	char txt[VG_IP_STRLEN];
	(void)state;
	memset(&s, 0, sizeof s);
	assert_int_equal(vg_cidr_parse("10.0.0.0/8", 0, false, &s.proxies[0], NULL), VG_OK);
	assert_int_equal(vg_cidr_parse("2001:db8::/32", 0, false, &s.proxies[1], NULL), VG_OK);
	s.nproxies = 2;
	vg_ip_parse("10.0.0.1", 0, &peer, NULL);
#define PICK(xff, want)                                              \
	do {                                                         \
		vg_http_xff_pick(&s, &peer, xff, &out);              \
		assert_string_equal(vg_ip_format(&out, txt, sizeof txt), want); \
	} while (0)
	PICK("203.0.113.7", "203.0.113.7");
	PICK("198.51.100.1, 203.0.113.7, 10.0.0.2", "203.0.113.7");
	PICK("10.0.0.3,10.0.0.2", "10.0.0.3");
	PICK("garbage", "10.0.0.1");
	PICK("203.0.113.7, garbage", "10.0.0.1");
	PICK("garbage, 203.0.113.9", "203.0.113.9");
	PICK("198.51.100.1, 2001:db8::1", "198.51.100.1");
	PICK("", "10.0.0.1");
	vg_ip_parse("192.0.2.1", 0, &peer, NULL); /* not a proxy: header ignored */
	PICK("203.0.113.7", "192.0.2.1");
#undef PICK
}

/* ---- OpenAPI generator on the test table ---- */

static int unresolved_refs(json_t *doc, json_t *node)
{
	int bad = 0;
	if (json_is_object(node)) {
		const char *k;
		json_t *v;
		json_object_foreach(node, k, v) {
			if (strcmp(k, "$ref") == 0 && json_is_string(v)) {
				const char *ref = json_string_value(v);
				char kind[64], name[128];
				if (sscanf(ref, "#/components/%63[^/]/%127s", kind, name) != 2 ||
				    !json_object_get(json_object_get(json_object_get(doc, "components"), kind), name)) {
					print_error("unresolved %s\n", ref);
					bad++;
				}
			} else {
				bad += unresolved_refs(doc, v);
			}
		}
	} else if (json_is_array(node)) {
		size_t i;
		json_t *v;
		json_array_foreach(node, i, v) bad += unresolved_refs(doc, v);
	}
	return bad;
}

static void test_openapi_build(void **state)
{
	static const char schemas[] = "{\"Thing\":{\"type\":\"object\"},\"Error\":{\"type\":\"object\"}}";
	json_t *doc = vg_openapi_build(test_routes, schemas, sizeof schemas - 1), *op, *params;
	char *txt;
	(void)state;
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	op = json_object_get(json_object_get(json_object_get(doc, "paths"), "/api/t/items/{id}"), "delete");
	assert_non_null(op);
	assert_string_equal(json_string_value(json_object_get(op, "x-vigie-permission")), "org.delete");
	params = json_object_get(op, "parameters");
	assert_int_equal(json_array_size(params), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(params, 0), "in")), "path");
	assert_non_null(json_object_get(json_object_get(op, "responses"), "204"));
	assert_null(json_object_get(op, "security")); /* document default: session or bearer */
	op = json_object_get(json_object_get(json_object_get(doc, "paths"), "/api/t/public"), "get");
	assert_true(json_is_array(json_object_get(op, "security")));
	assert_int_equal(json_array_size(json_object_get(op, "security")), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(op, "parameters"), 0), "in")),
			    "query");
	op = json_object_get(json_object_get(json_object_get(doc, "paths"), "/api/t/echo"), "post");
	assert_non_null(json_object_get(op, "requestBody"));
	assert_non_null(json_object_get(json_object_get(op, "responses"), "200"));
	assert_non_null(json_object_get(json_object_get(op, "responses"), "415"));
	assert_int_equal(unresolved_refs(doc, doc), 0);
	txt = json_dumps(doc, JSON_COMPACT);
	assert_non_null(txt);
	free(txt);
	json_decref(doc);
	/* schemas that do not parse: still a document */
	doc = vg_openapi_build(test_routes, "{nope", 5);
	assert_non_null(doc);
	assert_true(json_is_object(json_object_get(json_object_get(doc, "components"), "schemas")));
	json_decref(doc);
}

/* ---- the pipeline over HTTP ---- */

typedef struct live {
	vg_app app;
	vg_server *srv;
	char dir[64];
	char db[128];
} live;

static int live_setup(void **state)
{
	live *L = calloc(1, sizeof *L);
	vg_db_options o = {.busy_timeout_ms = 5000};
	vg_server_options so = {.listen = "127.0.0.1:0", .threads = 2, .request_timeout_s = 10};
	vg_diag d;
	snprintf(L->dir, sizeof L->dir, "/tmp/vg-http-XXXXXX");
	if (!mkdtemp(L->dir))
		return -1;
	snprintf(L->db, sizeof L->db, "%s/t.db", L->dir);
	vg_config_defaults(&L->app.cfg);
	if (vg_db_pool_new(L->db, &o, 3, &L->app.pool, &d)) {
		print_error("pool: %s\n", d.message);
		return -1;
	}
	vg_log_setup(VG_LOG_WARN, false, NULL);
	if (vg_server_start(&L->app, test_routes, &so, &L->srv, &d)) {
		print_error("server: %s\n", d.message);
		return -1;
	}
	*state = L;
	return 0;
}

static int live_teardown(void **state)
{
	live *L = *state;
	char cmd[160];
	vg_server_stop(L->srv);
	vg_db_pool_free(L->app.pool);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", L->dir);
	if (system(cmd) != 0)
		return -1;
	free(L);
	return 0;
}

typedef struct resp {
	int status;
	char head[4096];
	char body[131072];
} resp;

/* One request on a fresh connection (Connection: close); raw is the whole
 * request text. */
static void http_raw(live *L, const char *raw, size_t rawlen, resp *out)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)vg_server_port(L->srv))};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	static char buf[200000];
	size_t n = 0;
	ssize_t k;
	char *sep;
	memset(out, 0, sizeof *out);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	for (size_t off = 0; off < rawlen;) {
		k = send(fd, raw + off, rawlen - off, MSG_NOSIGNAL);
		if (k <= 0)
			break; /* the server may answer and close before reading everything */
		off += (size_t)k;
	}
	while (n < sizeof buf - 1 && (k = recv(fd, buf + n, sizeof buf - 1 - n, 0)) > 0)
		n += (size_t)k;
	buf[n] = '\0';
	close(fd);
	sscanf(buf, "HTTP/1.1 %d", &out->status);
	sep = strstr(buf, "\r\n\r\n");
	if (sep) {
		snprintf(out->head, sizeof out->head, "%.*s", (int)(sep - buf), buf);
		snprintf(out->body, sizeof out->body, "%s", sep + 4);
	}
}

static void http(live *L, const char *method, const char *path, const char *headers, const char *body, resp *out)
{
	static char req[40000];
	int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n%s", method, path,
			 headers ? headers : "");
	if (body)
		n += snprintf(req + n, sizeof req - (size_t)n, "Content-Length: %zu\r\n\r\n%s", strlen(body), body);
	else
		n += snprintf(req + n, sizeof req - (size_t)n, "\r\n");
	http_raw(L, req, (size_t)n, out);
}

static const char *header(resp *r, const char *name)
{
	static char val[1024];
	char pat[128];
	const char *p;
	snprintf(pat, sizeof pat, "\r\n%s: ", name);
	p = strcasestr(r->head, pat);
	if (!p)
		return NULL;
	p += strlen(pat);
	snprintf(val, sizeof val, "%.*s", (int)strcspn(p, "\r\n"), p);
	return val;
}

static const char *err_code(resp *r)
{
	static char code[64];
	json_t *j = json_loads(r->body, 0, NULL);
	const char *c = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
	snprintf(code, sizeof code, "%s", c ? c : "");
	json_decref(j);
	return code;
}

static void test_live_basics(void **state)
{
	live *L = *state;
	resp r;
	const char *v;
	http(L, "GET", "/api/t/public?q=a+b%21", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"q\":\"a b!\""));
	assert_non_null(strstr(r.body, "\"ip\":\"127.0.0.1\""));
	assert_string_equal(header(&r, "Content-Security-Policy"), VG_HTTP_CSP);
	assert_string_equal(header(&r, "X-Content-Type-Options"), "nosniff");
	assert_string_equal(header(&r, "Referrer-Policy"), "no-referrer");
	assert_string_equal(header(&r, "X-Frame-Options"), "DENY");
	assert_string_equal(header(&r, "Cache-Control"), "no-store");
	assert_null(header(&r, "Strict-Transport-Security"));
	assert_non_null(strstr(header(&r, "Content-Type"), "application/json"));
	v = header(&r, "X-Request-Id");
	assert_non_null(v);
	assert_int_equal(strlen(v), 16);
	/* a sane incoming request id is kept, an odd one replaced */
	http(L, "GET", "/api/t/public", "X-Request-Id: trace-42.a_b\r\n", NULL, &r);
	assert_string_equal(header(&r, "X-Request-Id"), "trace-42.a_b");
	http(L, "GET", "/api/t/public", "X-Request-Id: bad id<script>\r\n", NULL, &r);
	assert_int_equal(strlen(header(&r, "X-Request-Id")), 16);
	/* X-Forwarded-For from an untrusted peer is ignored */
	http(L, "GET", "/api/t/public", "X-Forwarded-For: 203.0.113.9\r\n", NULL, &r);
	assert_non_null(strstr(r.body, "\"ip\":\"127.0.0.1\""));
	http(L, "GET", "/api/t/items/%34%32", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"id\":42"));
	/* "%2F" stays inside its segment (libmicrohttpd's unescaping is off) */
	http(L, "GET", "/api/t/items/a%2Fb", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"raw\":\"a/b\""));
	assert_non_null(strstr(r.body, "\"id\":0"));
	http(L, "HEAD", "/api/t/public", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "");
	/* a stale cookie is anonymous, not an error */
	http(L, "GET", "/api/t/public", "Cookie: vigie_session=stale\r\n", NULL, &r);
	assert_int_equal(r.status, 200);
}

static void test_live_errors(void **state)
{
	live *L = *state;
	resp r;
	char *longpath;
	http(L, "GET", "/api/t/nothing", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	assert_string_equal(err_code(&r), "not_found");
	assert_non_null(strstr(r.body, "\"request_id\""));
	assert_non_null(header(&r, "Content-Security-Policy"));
	http(L, "POST", "/api/t/items/3", NULL, NULL, &r);
	assert_int_equal(r.status, 405);
	assert_string_equal(header(&r, "Allow"), "GET, DELETE");
	http(L, "GET", "/api/t/silent", NULL, NULL, &r);
	assert_int_equal(r.status, 500);
	assert_string_equal(err_code(&r), "internal");
	http(L, "GET", "/api/t/public", "Authorization: Bearer vgt_bogus\r\n", NULL, &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(err_code(&r), "unauthenticated");
	/* a malformed query string is refused, not ignored */
	http(L, "GET", "/api/t/public?q=%zz", NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "\"field\":\"q\""));
	http(L, "GET", "/api/t/public?q=a%00", NULL, NULL, &r);
	assert_int_equal(r.status, 400);
	http(L, "GET", "/api/t/throttle", NULL, NULL, &r);
	assert_int_equal(r.status, 429);
	assert_string_equal(header(&r, "Retry-After"), "42");
	longpath = malloc(VG_HTTP_PATH_MAX + 200);
	memset(longpath, 'a', VG_HTTP_PATH_MAX + 199);
	memcpy(longpath, "/api/", 5);
	longpath[VG_HTTP_PATH_MAX + 199] = '\0';
	http(L, "GET", longpath, NULL, NULL, &r);
	assert_int_equal(r.status, 414);
	free(longpath);
}

static void test_live_bodies(void **state)
{
	live *L = *state;
	resp r;
	static const char chunked[] =
		"POST /api/t/echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\n"
		"Transfer-Encoding: chunked\r\n\r\n"
		"28\r\n{\"a\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\r\n28\r\n,\"b\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\r\n"
		"1\r\n}\r\n0\r\n\r\n";
	http(L, "POST", "/api/t/echo", "Content-Type: application/json; charset=utf-8\r\n", "{\"a\":[1,2]}", &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(r.body, "{\"a\":[1,2]}");
	http(L, "POST", "/api/t/echo", "Content-Type: text/plain\r\n", "{\"a\":1}", &r);
	assert_int_equal(r.status, 415);
	http(L, "POST", "/api/t/echo", "Content-Type: application/json\r\n", "{\"a\":", &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(err_code(&r), "invalid");
	http(L, "POST", "/api/t/echo", "Content-Type: application/json\r\n", "[1]", &r);
	assert_int_equal(r.status, 400);
	http(L, "POST", "/api/t/echo", "Content-Type: application/json\r\n", "{\"a\":1,\"a\":2}", &r);
	assert_int_equal(r.status, 400);
	http(L, "POST", "/api/t/echo", "Content-Type: application/json\r\n",
	     "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", &r);
	assert_int_equal(r.status, 413); /* over 64 bytes */
	http(L, "POST", "/api/t/echo", "Content-Type: application/json\r\n", "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
	     &r);
	assert_int_equal(r.status, 413);
	/* announced with Expect: 100-continue: refused before the body */
	http(L, "POST", "/api/t/echo", "Content-Type: application/json\r\nExpect: 100-continue\r\n",
	     "{\"a\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}", &r);
	assert_int_equal(r.status, 413);
	http_raw(L, chunked, sizeof chunked - 1, &r);
	assert_int_equal(r.status, 413);
	http(L, "POST", "/api/t/raw", "Content-Type: text/csv\r\n", "a,b\n1,2\n", &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "a,b\n1,2\n");
	/* no body accepted where max_body is 0 */
	http(L, "GET", "/api/t/public", NULL, "x", &r);
	assert_int_equal(r.status, 413);
}

static void test_live_auth_and_audit(void **state)
{
	live *L = *state;
	resp r;
	vg_db *db;
	vg_stmt *st;
	vg_diag d;
	int rows = 0;
	http(L, "POST", "/api/t/write", "Content-Type: application/json\r\n", "{}", &r);
	assert_int_equal(r.status, 401);
	assert_string_equal(err_code(&r), "unauthenticated");
	assert_non_null(header(&r, "WWW-Authenticate"));
	http(L, "DELETE", "/api/t/items/5", NULL, NULL, &r);
	assert_int_equal(r.status, 401);
	/* both refusals are in the audit log */
	db = vg_db_pool_get(L->app.pool);
	assert_int_equal(vg_db_prepare(db,
				       "SELECT actor, action, outcome, object_id FROM audit_log WHERE outcome = 'denied' "
				       "ORDER BY seq",
				       &st, &d),
			 VG_OK);
	while (vg_stmt_step(st, &d) == VG_ROW) {
		assert_string_equal(vg_stmt_text(st, 0), "anonymous");
		if (rows == 0) {
			assert_string_equal(vg_stmt_text(st, 1), "org.create");
			assert_string_equal(vg_stmt_text(st, 3), "POST /api/t/write");
		} else {
			assert_string_equal(vg_stmt_text(st, 1), "org.delete");
		}
		rows++;
	}
	vg_stmt_done(st);
	vg_db_pool_put(L->app.pool, db);
	assert_int_equal(rows, 2);
}

static int count_audit(live *L, const char *action, const char *outcome, const char *actor)
{
	vg_db *db = vg_db_pool_get(L->app.pool);
	vg_stmt *st;
	vg_diag d;
	int n = -1;
	if (vg_db_prepare(db, "SELECT count(*) FROM audit_log WHERE action = ? AND outcome = ? AND actor = ?", &st,
			  &d) == VG_OK) {
		vg_stmt_bind_text(st, 1, action, -1);
		vg_stmt_bind_text(st, 2, outcome, -1);
		vg_stmt_bind_text(st, 3, actor, -1);
		if (vg_stmt_step(st, &d) == VG_ROW)
			n = (int)vg_stmt_int(st, 0);
		vg_stmt_done(st);
	}
	vg_db_pool_put(L->app.pool, db);
	return n;
}

/* Session cookie + CSRF, read-only and full API tokens. */
static void test_live_session_csrf_tokens(void **state)
{
	live *L = *state;
	vg_db *db = vg_db_pool_get(L->app.pool);
	vg_login_result lr;
	vg_diag d;
	bool created = false;
	char pw[VG_PASSWORD_GEN_LEN + 1], hdr[512], ro[VG_TOKEN_SECRET_SIZE], rw[VG_TOKEN_SECRET_SIZE];
	resp r;
	memset(&lr, 0, sizeof lr);
	assert_int_equal(vg_bootstrap(db, NULL, pw, sizeof pw, &created, NULL, &d), VG_OK);
	assert_int_equal(vg_session_login(db, NULL, "admin", pw, "127.0.0.1", "test", 3600, &lr, &d), VG_OK);
	assert_int_equal(vg_token_create(db, lr.user.id, "ro", 3600, true, NULL, ro, sizeof ro, NULL, &d), VG_OK);
	assert_int_equal(vg_token_create(db, lr.user.id, "rw", 3600, false, NULL, rw, sizeof rw, NULL, &d), VG_OK);
	vg_db_pool_put(L->app.pool, db);

	/* cookie without, then with a wrong CSRF token */
	snprintf(hdr, sizeof hdr, "Content-Type: application/json\r\nCookie: vigie_session=%s\r\n", lr.cookie);
	http(L, "POST", "/api/t/write", hdr, "{}", &r);
	assert_int_equal(r.status, 403);
	assert_string_equal(err_code(&r), "csrf");
	snprintf(hdr, sizeof hdr, "Content-Type: application/json\r\nCookie: vigie_session=%s\r\nX-CSRF-Token: %sx\r\n",
		 lr.cookie, lr.csrf_token);
	http(L, "POST", "/api/t/write", hdr, "{}", &r);
	assert_int_equal(r.status, 403);
	assert_int_equal(count_audit(L, "org.create", "denied", "admin"), 2);
	snprintf(hdr, sizeof hdr, "Content-Type: application/json\r\nCookie: vigie_session=%s\r\nX-CSRF-Token: %s\r\n",
		 lr.cookie, lr.csrf_token);
	http(L, "POST", "/api/t/write", hdr, "{\"x\":1}", &r);
	assert_int_equal(r.status, 201);
	assert_string_equal(r.body, "{\"x\":1}");
	assert_int_equal(count_audit(L, "org.create", "ok", "admin"), 1);
	/* GET needs no CSRF token */
	snprintf(hdr, sizeof hdr, "Cookie: vigie_session=%s\r\n", lr.cookie);
	http(L, "GET", "/api/t/public", hdr, NULL, &r);
	assert_int_equal(r.status, 200);

	/* tokens: read-only refused on a writing action, allowed to read */
	snprintf(hdr, sizeof hdr, "Content-Type: application/json\r\nAuthorization: Bearer %s\r\n", ro);
	http(L, "POST", "/api/t/write", hdr, "{}", &r);
	assert_int_equal(r.status, 403);
	assert_string_equal(err_code(&r), "forbidden");
	http(L, "GET", "/api/t/public", hdr, NULL, &r);
	assert_int_equal(r.status, 200);
	snprintf(hdr, sizeof hdr, "Content-Type: application/json\r\nAuthorization: Bearer %s\r\n", rw);
	http(L, "POST", "/api/t/write", hdr, "{}", &r);
	assert_int_equal(r.status, 201);
	assert_int_equal(count_audit(L, "org.create", "ok", "admin"), 2);
	/* a handler error on a writing route is audited as failed */
	http(L, "POST", "/api/t/write", hdr, "{bad", &r);
	assert_int_equal(r.status, 400);
	assert_int_equal(count_audit(L, "org.create", "failed", "admin"), 1);
}

static void test_live_metrics(void **state)
{
	live *L = *state;
	resp r;
	http(L, "GET", "/api/t/public", NULL, NULL, &r);
	http(L, "GET", "/metrics", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_null(header(&r, "Cache-Control") && strcmp(header(&r, "Cache-Control"), "no-store") ? "x" : NULL);
	assert_non_null(strstr(r.body, "vigie_http_requests_total{route=\"/api/t/public\",method=\"GET\",code=\"200\"}"));
	assert_non_null(strstr(r.body, "vigie_http_requests_total{route=\"unmatched\",method=\"GET\",code=\"404\"}"));
	{
		/* this request at least (others may still be closing) */
		const char *g = strstr(r.body, "\nvigie_http_requests_in_flight ");
		assert_non_null(g);
		if (atoi(g + strlen("\nvigie_http_requests_in_flight ")) < 1)
			fail_msg("%.60s", g);
	}
}

int main(void)
{
	const struct CMUnitTest unit[] = {
		cmocka_unit_test(test_router_literal_and_params),
		cmocka_unit_test(test_router_405_404),
		cmocka_unit_test(test_router_slashes_and_encoding),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_pct_decode),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_xff),
		cmocka_unit_test(test_openapi_build),
	};
	const struct CMUnitTest live_tests[] = {
		cmocka_unit_test(test_live_basics),
		cmocka_unit_test(test_live_errors),
		cmocka_unit_test(test_live_bodies),
		cmocka_unit_test(test_live_auth_and_audit),
		cmocka_unit_test(test_live_session_csrf_tokens),
		cmocka_unit_test(test_live_metrics),
	};
	int fails = cmocka_run_group_tests_name("http", unit, NULL, NULL);
	fails += cmocka_run_group_tests_name("http-live", live_tests, live_setup, live_teardown);
	return fails;
}
