/* The request pipeline, run by libmicrohttpd's worker threads.
 *
 * First call (headers received, body not yet read):
 *   414 path too long -> route match (404 / 405 with Allow) -> 413 when the
 *   announced Content-Length exceeds the route's max_body -> authentication
 *   (session cookie, else bearer token; a bad bearer token is a 401) ->
 *   vg_policy(actor, action, NULL) (401/403) -> CSRF for cookie-authenticated
 *   state changes (403 "csrf") -> read-only token on a writing action (403) ->
 *   415 unless a JSON route gets application/json.
 *   A refusal here is answered at once, so an unauthorised upload is never read.
 * Upload calls: the body accumulates up to max_body (413 beyond).
 * Last call: JSON parse (400) -> handler -> audit entry for writing routes the
 *   handler did not audit -> response with the security headers.
 *
 * A database connection is taken from the pool only for the duration of one
 * call (authentication, then handler), never while waiting for the client. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "api/app.h"
#include "audit/audit.h"
#include "auth/auth.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "http/internal.h"

typedef struct conn_ctx {
	vg_server *srv;
	vg_req req;
	char scratch[VG_HTTP_PATH_MAX + 1]; /* decoded path segments; params point here */
	char allow[96];                     /* Allow header of a 405 */
	vg_buf body;
	size_t max_body;
	uint64_t received;
	uint64_t start_ns;
	json_t *json;
	bool too_large;
	bool nomem;
	bool queued;
} conn_ctx;

static bool changes_state(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 ||
	       strcmp(m, "DELETE") == 0;
}

static bool sane_request_id(const char *s)
{
	size_t n = 0;
	if (!s || !*s)
		return false;
	for (; s[n]; n++) {
		char c = s[n];
		if (n >= VG_REQUEST_ID_MAX)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

static void new_request_id(char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[8];
	if (getrandom(rnd, sizeof rnd, GRND_NONBLOCK) != (ssize_t)sizeof rnd) {
		/* no entropy yet: unique enough for log correlation */
		static uint64_t counter;
		uint64_t v = vg_time_mono_ns() ^ (__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED) << 48);
		for (size_t i = 0; i < sizeof rnd; i++)
			rnd[i] = (unsigned char)(v >> (8 * i));
	}
	if (outsz < 2 * sizeof rnd + 1)
		return;
	for (size_t i = 0; i < sizeof rnd; i++) {
		out[2 * i] = hex[rnd[i] >> 4];
		out[2 * i + 1] = hex[rnd[i] & 15];
	}
	out[2 * sizeof rnd] = '\0';
}

/* Printable copy for logs and audit entries (the raw path is client input). */
static void printable(const char *s, char *out, size_t outsz)
{
	size_t i = 0;
	for (; s && s[i] && i + 1 < outsz; i++)
		out[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[i] = '\0';
}

static void add_headers(conn_ctx *c, struct MHD_Response *resp)
{
	vg_req *r = &c->req;
	MHD_add_response_header(resp, "Content-Security-Policy", VG_HTTP_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	if (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0 || strcmp(r->path, "/metrics") == 0)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (c->srv->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=63072000");
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	for (size_t i = 0; i < sizeof r->set_cookie / sizeof r->set_cookie[0]; i++)
		if (r->set_cookie[i] && !strpbrk(r->set_cookie[i], "\r\n"))
			MHD_add_response_header(resp, "Set-Cookie", r->set_cookie[i]);
	for (size_t i = 0; i + 1 < sizeof r->resp_headers / sizeof r->resp_headers[0]; i += 2)
		if (r->resp_headers[i] && r->resp_headers[i + 1] && !strpbrk(r->resp_headers[i + 1], "\r\n"))
			MHD_add_response_header(resp, r->resp_headers[i], r->resp_headers[i + 1]);
	if (r->status == 405 && c->allow[0])
		MHD_add_response_header(resp, "Allow", c->allow);
	if (r->status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"vigie\"");
	if ((r->status == 429 || r->status == 503) && r->resp) {
		/* a handler that says when to come back: {"error":{"retry_after_s":N}} */
		json_t *ra = json_object_get(json_object_get(r->resp, "error"), "retry_after_s");
		if (json_is_integer(ra) && json_integer_value(ra) >= 0) {
			char v[24];
			snprintf(v, sizeof v, "%lld", (long long)json_integer_value(ra));
			MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
		}
	}
}

static enum MHD_Result respond(conn_ctx *c)
{
	static const char oom[] = "{\"error\":{\"code\":\"no_memory\",\"message\":\"out of memory\",\"field\":null}}";
	vg_req *r = &c->req;
	struct MHD_Response *resp = NULL;
	const char *ctype = NULL;
	size_t len = 0;
	enum MHD_Result ret;
	char path[128];

	if (r->status == 0 && !r->resp && !r->resp_text)
		vg_reply_error(r, VG_ERR_INTERNAL, NULL, "the handler produced no response");
	if (r->status < 100 || r->status > 599)
		r->status = 500;
	if (r->resp) {
		/* one serialisation pass straight into a buffer MHD then owns */
		vg_buf out;
		vg_buf_init(&out, 0);
		if (vg_json_write(&out, r->resp, VG_JSON_OUT_DEPTH_MAX) == VG_OK && out.len) {
			len = out.len;
			resp = MHD_create_response_from_buffer(len, out.data, MHD_RESPMEM_MUST_FREE);
			if (resp)
				out.data = NULL; /* owned by the response now */
		}
		vg_buf_fini(&out);
		ctype = "application/json";
		if (!resp) {
			r->status = 503;
			len = sizeof oom - 1;
			resp = MHD_create_response_from_buffer(len, (void *)oom, MHD_RESPMEM_PERSISTENT);
		}
	} else if (r->resp_text) {
		len = r->resp_text_len;
		resp = MHD_create_response_from_buffer(len, r->resp_text, MHD_RESPMEM_MUST_COPY);
		ctype = r->resp_type ? r->resp_type : "text/plain; charset=utf-8";
	} else {
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	if (ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	add_headers(c, resp);
	ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	c->queued = true;
	{
		uint64_t ns = vg_time_mono_ns() - c->start_ns;
		vg_metrics_observe(c->srv->metrics, r->route, r->method, r->status, ns, len);
		printable(r->path, path, sizeof path);
		VG_INFO("%s %s %d %.1fms %zu bytes user=%s ip=%s", r->method, path, r->status, (double)ns / 1e6, len,
			r->actor.user_id ? r->actor.username : "-", r->client_ip);
	}
	return ret;
}

static void audit_request(conn_ctx *c)
{
	vg_req *r = &c->req;
	vg_audit_entry e = {0};
	char path[256], obj[300], detail[160];
	vg_diag d;
	if (!r->db || !r->route)
		return;
	vg_diag_clear(&d);
	printable(r->path, path, sizeof path);
	snprintf(obj, sizeof obj, "%s %s", r->method, path);
	/* route patterns are ASCII literals from the table: no escaping needed */
	snprintf(detail, sizeof detail, "{\"route\":\"%.100s\",\"status\":%d}", r->route->pattern, r->status);
	e.actor_id = r->actor.user_id;
	e.actor = r->actor.user_id ? r->actor.username : "anonymous";
	e.action = vg_action_name(r->route->action);
	e.object_type = "http";
	e.object_id = obj;
	if (strncmp(r->route->pattern, "/api/v1/orgs/{id}", 17) == 0)
		e.org_id = vg_req_param_id(r, "id");
	e.outcome = r->status < 400 ? "ok" : (r->status == 401 || r->status == 403) ? "denied" : "failed";
	e.ip = r->client_ip;
	e.request_id = r->request_id;
	e.detail_json = detail;
	if (vg_audit_append(r->db, &e, NULL, &d) != VG_OK)
		VG_ERROR("audit entry for %s not written: %s", obj, d.message);
}

static bool audits(const vg_route *rt)
{
	return rt && !(rt->flags & VG_ROUTE_NO_AUDIT);
}

static conn_ctx *ctx_new(vg_server *s, struct MHD_Connection *conn, const char *url, const char *method)
{
	conn_ctx *c = calloc(1, sizeof *c);
	const char *rid;
	vg_req *r;
	if (!c)
		return NULL;
	c->srv = s;
	c->start_ns = vg_time_mono_ns();
	r = &c->req;
	r->arena = vg_arena_new(0);
	if (!r->arena) {
		free(c);
		return NULL;
	}
	vg_arena_set_cap(r->arena, VG_REQUEST_ARENA_MAX);
	vg_metrics_enter(s->metrics);
	r->app = s->app;
	r->server = s;
	r->conn = conn;
	r->tls = s->tls;
	r->method = vg_arena_strdup(r->arena, method ? method : "");
	r->path = vg_arena_strndup(r->arena, url ? url : "", VG_HTTP_PATH_MAX + 1);
	if (!r->method || !r->path) {
		r->method = "?";
		r->path = "";
	}
	rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
	if (sane_request_id(rid))
		snprintf(r->request_id, sizeof r->request_id, "%s", rid);
	else
		new_request_id(r->request_id, sizeof r->request_id);
	vg_http_client_ip(s, conn, r->client_ip, sizeof r->client_ip);
	vg_buf_init(&c->body, 0);
	return c;
}

/* Returns 0 when the request may go on (possibly anonymous), else an HTTP
 * status after replying. */
static int authenticate(conn_ctx *c)
{
	vg_req *r = &c->req;
	vg_app *app = c->srv->app;
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, VG_SESSION_COOKIE);
	const char *authz = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	vg_actor a;
	vg_diag d;
	vg_err e;
	memset(&r->actor, 0, sizeof r->actor);
	vg_diag_clear(&d);
	if (cookie && *cookie && r->db) {
		memset(&a, 0, sizeof a);
		e = vg_auth_session(r->db, cookie, app ? app->cfg.session_idle_s : 0, &a, &d);
		if (e == VG_OK) {
			r->actor = a;
			return 0;
		}
		if (e != VG_ERR_AUTH) {
			vg_reply_diag(r, &d);
			return r->status;
		}
		/* a stale cookie: carry on as anonymous (or with the bearer token) */
	}
	if (authz && strncasecmp(authz, "Bearer", 6) == 0 && (authz[6] == ' ' || authz[6] == '\0')) {
		const char *tok = authz + 6;
		while (*tok == ' ')
			tok++;
		memset(&a, 0, sizeof a);
		vg_diag_clear(&d);
		e = *tok && r->db ? vg_auth_bearer(r->db, tok, &a, &d) : VG_ERR_AUTH;
		if (e == VG_OK) {
			r->actor = a;
			return 0;
		}
		if (e != VG_ERR_AUTH) {
			vg_reply_diag(r, &d);
			return r->status;
		}
		memset(&r->actor, 0, sizeof r->actor);
		vg_reply_error(r, VG_ERR_AUTH, NULL, "invalid, expired or revoked API token");
		return 401;
	}
	return 0;
}

static bool is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	size_t n = sizeof want - 1;
	if (!ct || strncasecmp(ct, want, n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

/* Every query argument must decode (no malformed escape, no NUL): a bad
 * query string is a 400, never silently ignored. */
typedef struct query_check {
	const char *bad;
} query_check;

static bool bad_escape(const char *s)
{
	for (; s && *s; s++)
		if (*s == '%' && (!isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2]) ||
				  (s[1] == '0' && s[2] == '0')))
			return true;
	return false;
}

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	query_check *q = cls;
	(void)kind;
	if (bad_escape(key) || bad_escape(value)) {
		q->bad = key && !bad_escape(key) ? key : "query";
		return MHD_NO;
	}
	return MHD_YES;
}

/* Checks that need no body. Returns true when a response was queued (*ret). */
static bool first_checks(conn_ctx *c, enum MHD_Result *ret)
{
	vg_req *r = &c->req;
	vg_server *s = c->srv;
	const vg_route *rt;
	const char *cl;
	bool mismatch = false, writes, denied = false;
	unsigned long long declared = 0;
	int st;

	if (strlen(r->path) > VG_HTTP_PATH_MAX) {
		vg_reply_error_code(r, 414, "too_large", NULL, "request path longer than %d bytes", VG_HTTP_PATH_MAX);
		goto reply;
	}
	rt = vg_route_match(s->routes, r->method, r->path, r->params, &r->nparams, c->scratch, sizeof c->scratch,
			    &mismatch);
	if (!rt) {
		if (mismatch) {
			vg_route_allow(s->routes, r->path, c->allow, sizeof c->allow);
			vg_reply_error_code(r, 405, "method_not_allowed", NULL, "%s is not allowed here (allowed: %s)",
					    r->method, c->allow);
		} else {
			vg_reply_not_found(r);
		}
		goto reply;
	}
	r->route = rt;
	c->max_body = rt->max_body ? rt->max_body
				   : (rt->flags & (VG_ROUTE_JSON_BODY | VG_ROUTE_RAW_BODY)) ? s->default_max_body : 0;
	c->body.max = c->max_body ? c->max_body : 1;
	cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		declared = strtoull(cl, &end, 10);
		if (*end || end == cl)
			declared = 0;
	}
	if (declared > c->max_body) {
		const char *expect = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
		if (!expect && declared - c->max_body <= VG_HTTP_DISCARD_MAX) {
			/* read and drop the body, then answer 413 (last_call) */
			c->too_large = true;
			vg_buf_fini(&c->body);
			return false;
		}
		vg_reply_error(r, VG_ERR_LIMIT, NULL, "request body larger than %zu bytes", c->max_body);
		goto reply;
	}

	/* who is asking (the console's files are public: no session lookup) */
	r->db = s->app && s->app->pool && !(rt->flags & VG_ROUTE_STATIC) ? vg_db_pool_get(s->app->pool) : NULL;
	st = rt->flags & VG_ROUTE_STATIC ? 0 : authenticate(c);
	writes = vg_action_writes(rt->action);
	if (st) {
		denied = st == 401 || st == 403;
		goto release;
	}
	switch (vg_policy(&r->actor, rt->action, NULL)) {
	case VG_ALLOW:
		break;
	case VG_DENY_AUTH:
		vg_reply_error(r, VG_ERR_AUTH, NULL, "authentication required");
		denied = true;
		goto release;
	case VG_DENY:
		vg_reply_error(r, VG_ERR_FORBIDDEN, NULL, "not allowed");
		denied = true;
		goto release;
	case VG_DENY_HIDDEN:
	default:
		vg_reply_not_found(r);
		goto release;
	}
	if (changes_state(r->method) && r->actor.method == VG_AUTH_SESSION) {
		const char *tok = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, VG_CSRF_HEADER);
		if (!tok || !r->actor.csrf_token[0] || !vg_auth_token_equal(tok, r->actor.csrf_token)) {
			vg_reply_error_code(r, 403, "csrf", VG_CSRF_HEADER, "missing or wrong %s header", VG_CSRF_HEADER);
			denied = true;
			goto release;
		}
	}
	if (writes && r->actor.method == VG_AUTH_TOKEN && r->actor.read_only) {
		vg_reply_error(r, VG_ERR_FORBIDDEN, NULL, "this API token is read-only");
		denied = true;
		goto release;
	}
release:
	if (denied && (writes || changes_state(r->method)) && audits(rt))
		audit_request(c);
	if (r->db) {
		vg_db_pool_put(s->app->pool, r->db);
		r->db = NULL;
	}
	if (r->status)
		goto reply;
	{
		query_check q = {NULL};
		MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_arg, &q);
		if (q.bad) {
			vg_reply_error(r, VG_ERR_INVALID, q.bad, "malformed query string (bad %%-escape)");
			goto reply;
		}
	}
	if ((rt->flags & VG_ROUTE_JSON_BODY) &&
	    !is_json_type(MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE))) {
		vg_reply_error_code(r, 415, "unsupported", "Content-Type", "the body must be application/json");
		goto reply;
	}
	return false;
reply:
	*ret = respond(c);
	return true;
}

static enum MHD_Result last_call(conn_ctx *c)
{
	vg_req *r = &c->req;
	vg_server *s = c->srv;
	const vg_route *rt = r->route;
	enum MHD_Result ret;

	if (c->too_large) {
		vg_reply_error(r, VG_ERR_LIMIT, NULL, "request body larger than %zu bytes", c->max_body);
		return respond(c);
	}
	if (c->nomem) {
		vg_reply_error(r, VG_ERR_NOMEM, NULL, "out of memory");
		return respond(c);
	}
	r->body = c->body.len ? c->body.data : NULL;
	r->body_len = c->body.len;
	r->db = s->app && s->app->pool && !(rt->flags & VG_ROUTE_STATIC) ? vg_db_pool_get(s->app->pool) : NULL;
	if (rt->flags & VG_ROUTE_JSON_BODY) {
		vg_diag d;
		vg_diag_clear(&d);
		if (vg_json_parse_object(r->body, r->body_len, VG_JSON_DEPTH_MAX, &c->json, &d) != VG_OK) {
			vg_reply_error(r, VG_ERR_INVALID, d.field, "%s", d.message);
			goto done;
		}
		r->json = c->json;
	}
	/* A reading GET runs in one read transaction: every query of the handler
	 * sees the same snapshot, and SQLite takes its locks once, not per query. */
	bool read_tx = r->db && !strcmp(rt->method, "GET") && !vg_action_writes(rt->action) &&
		       vg_db_begin(r->db, false, NULL) == VG_OK;
	if (rt->handler)
		rt->handler(r);
	else
		vg_reply_error(r, VG_ERR_UNSUPPORTED, NULL, "not implemented");
	if (read_tx && vg_db_in_tx(r->db))
		vg_db_commit(r->db, NULL);
	if (r->db && vg_db_in_tx(r->db)) {
		VG_ERROR("handler for %s %s left a transaction open: rolled back", rt->method, rt->pattern);
		vg_db_rollback(r->db);
	}
done:
	if (r->status == 0 && !r->resp && !r->resp_text)
		vg_reply_error(r, VG_ERR_INTERNAL, NULL, "the handler produced no response");
	if (vg_action_writes(rt->action) && !r->audited && audits(rt))
		audit_request(c);
	if (r->db) {
		vg_db_pool_put(s->app->pool, r->db);
		r->db = NULL;
	}
	ret = respond(c);
	return ret;
}

enum MHD_Result vg_http_on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				   const char *version, const char *upload_data, size_t *upload_data_size,
				   void **con_cls)
{
	vg_server *s = cls;
	conn_ctx *c = *con_cls;
	enum MHD_Result ret = MHD_YES;
	(void)version;
	if (!c) {
		c = ctx_new(s, conn, url, method);
		if (!c)
			return MHD_NO;
		*con_cls = c;
		vg_log_set_request_id(c->req.request_id);
		first_checks(c, &ret);
		vg_log_set_request_id(NULL);
		return ret;
	}
	if (c->queued) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		c->received += n;
		if (c->too_large || c->nomem)
			return c->received > (uint64_t)c->max_body + VG_HTTP_DISCARD_MAX ? MHD_NO : MHD_YES;
		if (c->received > c->max_body) {
			c->too_large = true;
			vg_buf_fini(&c->body);
			return MHD_YES;
		}
		if (vg_buf_append(&c->body, upload_data, n) != VG_OK) {
			c->nomem = true;
			vg_buf_fini(&c->body);
		}
		return MHD_YES;
	}
	vg_log_set_request_id(c->req.request_id);
	ret = last_call(c);
	vg_log_set_request_id(NULL);
	return ret;
}

void vg_http_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			  enum MHD_RequestTerminationCode toe)
{
	vg_server *s = cls;
	conn_ctx *c = *con_cls;
	(void)conn;
	(void)toe;
	if (!c)
		return;
	if (c->req.db && s->app && s->app->pool)
		vg_db_pool_put(s->app->pool, c->req.db);
	json_decref(c->req.resp);
	json_decref(c->json);
	vg_buf_fini(&c->body);
	vg_arena_free(c->req.arena);
	vg_metrics_leave(s->metrics);
	free(c);
	*con_cls = NULL;
}
