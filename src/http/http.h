/* HTTP layer: libmicrohttpd server with a thread pool, one route table, JSON
 * in and out, generic checks before every handler.
 *
 * Request life: accept -> read body up to the route's limit -> route match ->
 * authenticate (session cookie or bearer token) -> vg_policy(actor, action,
 * NULL) -> CSRF check for cookie-authenticated state changes -> parse JSON body
 * (depth limited) -> handler -> security headers, request id, metrics, access
 * log, audit entry for state-changing requests the handler did not audit. */
#ifndef VG_HTTP_HTTP_H
#define VG_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/actor.h"
#include "auth/policy.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/limits.h"
#include "store/store.h"

typedef struct vg_req vg_req;
typedef struct vg_server vg_server;
typedef struct vg_app vg_app; /* defined by src/api/app.h */

typedef void (*vg_handler)(vg_req *r);

enum {
	VG_ROUTE_JSON_BODY = 1 << 0, /* body must be a JSON object; parsed into r->json */
	VG_ROUTE_RAW_BODY = 1 << 1,  /* body kept raw (imports: JSON or CSV) */
	VG_ROUTE_NO_AUDIT = 1 << 2,  /* state change audited by the handler itself (login) */
	VG_ROUTE_TEXT = 1 << 3,      /* handler replies text, not JSON (metrics) */
	VG_ROUTE_STATIC = 1 << 4,    /* web console file (vg_h_static): no authentication, no database */
};

typedef struct vg_route {
	const char *method;     /* "GET", "POST", "PATCH", "PUT", "DELETE" */
	const char *pattern;    /* "/api/v1/orgs/{id}/networks/{nid}" */
	vg_handler handler;
	vg_action action;       /* decided by vg_policy before the handler runs */
	size_t max_body;        /* 0 = no body accepted */
	unsigned flags;
	const char *summary;    /* one line, for OpenAPI */
	const char *tag;        /* OpenAPI tag */
	const char *req_schema; /* component name of the request body, or NULL */
	const char *resp_schema;/* component name of the 2xx body, or NULL */
	const char *query;      /* comma-separated query parameters, for OpenAPI */
} vg_route;

struct vg_req {
	/* set by the HTTP layer */
	vg_app *app;
	vg_server *server;
	const vg_route *route;
	vg_arena *arena;        /* freed when the response is sent */
	vg_db *db;              /* pooled connection, for this request only */
	vg_actor actor;
	const char *method;
	const char *path;
	const char *params[VG_ROUTE_PARAMS_MAX]; /* {name} captures in pattern order */
	int nparams;
	const char *body;       /* NUL-terminated; NULL when empty */
	size_t body_len;
	json_t *json;           /* parsed body for VG_ROUTE_JSON_BODY routes (borrowed) */
	char client_ip[48];
	char request_id[VG_REQUEST_ID_MAX + 8];
	bool tls;
	void *conn;             /* struct MHD_Connection *, for query/headers */

	/* set by the handler through vg_reply_* */
	int status;
	json_t *resp;           /* owned; serialised by the layer */
	char *resp_text;        /* alternative raw body (arena) */
	const char *resp_type;  /* content type for resp_text */
	size_t resp_text_len;
	const char *set_cookie[2];
	const char *resp_headers[6]; /* extra name, value pairs (static files: ETag, Last-Modified, Cache-Control) */
	bool audited;           /* handler wrote its own audit entry */
};

/* Path parameter by name as written in the route pattern ("id"); NULL if absent. */
const char *vg_req_param(const vg_req *r, const char *name);
/* Path parameter parsed as a positive integer id; 0 if absent or malformed. */
int64_t vg_req_param_id(const vg_req *r, const char *name);
/* Query-string argument (already URL-decoded); NULL if absent. */
const char *vg_req_query(const vg_req *r, const char *name);
/* Request header; NULL if absent. */
const char *vg_req_header(const vg_req *r, const char *name);

/* Query arguments with validation. Absent or empty: true and *out untouched.
 * Malformed: a 400 naming the argument is replied and false returned. */
bool vg_req_query_int(vg_req *r, const char *name, int64_t min, int64_t max, int64_t *out);
/* An RFC 3339 date-time (or, for scripts, milliseconds since the epoch). */
bool vg_req_query_time(vg_req *r, const char *name, int64_t *out);
/* Open a handler's write transaction; on failure reply the diagnostic and
 * return false. Pairs with vg_req_finish. */
bool vg_req_begin(vg_req *r, vg_diag *d);
/* End a handler's write transaction: commit when e is VG_OK, else roll back;
 * on any error reply the diagnostic and return false. */
bool vg_req_finish(vg_req *r, vg_err e, vg_diag *d);

/* Replies. vg_reply_json takes ownership of body. */
void vg_reply_json(vg_req *r, int status, json_t *body);
void vg_reply_text(vg_req *r, int status, const char *content_type, const char *text, size_t len);
void vg_reply_empty(vg_req *r, int status);
/* {"error":{"code":"invalid","message":"...","field":"..."}} with the status of code. */
void vg_reply_error(vg_req *r, vg_err code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void vg_reply_diag(vg_req *r, const vg_diag *d);
/* 404 with a uniform message (also used to hide objects of other organisations). */
void vg_reply_not_found(vg_req *r);
/* Ask the policy about an object; on refusal reply (401/403/404) and return false. */
bool vg_req_allow(vg_req *r, const vg_object *obj);

/* Audit helper: append an entry for this request (actor, ip, request id filled
 * in; outcome from r->status: "ok" until an error reply is set). detail is
 * borrowed (the caller keeps its reference); its compact dump is cut to
 * {"detail_truncated":true} beyond VG_AUDIT_DETAIL_MAX. Sets r->audited so the
 * server does not add its own generic entry. */
vg_err vg_req_audit(vg_req *r, const char *action, const char *object_type, int64_t object_id,
		    int64_t org_id, json_t *detail, vg_diag *d);

/* Files of the web console (static.c): "/" is <web_root>/index.html, /ui/... the
 * other files; routes flagged VG_ROUTE_STATIC. */
void vg_h_static(vg_req *r);

/* ---- server ---- */
typedef struct vg_server_options {
	const char *listen;        /* host:port */
	int threads;
	const char *tls_cert;      /* paths, or NULL/"" for plain HTTP */
	const char *tls_key;
	const char *trusted_proxies;
	unsigned request_timeout_s;
	size_t default_max_body;
} vg_server_options;

/* Routes are the table from src/api/routes.c, terminated by a NULL method. */
vg_err vg_server_start(vg_app *app, const vg_route *routes, const vg_server_options *o,
		       vg_server **out, vg_diag *d);
/* The port actually bound (useful with port 0). */
unsigned vg_server_port(const vg_server *s);
void vg_server_stop(vg_server *s);

/* Metrics in Prometheus text format (requests by route and status, latency
 * histogram); the api layer appends database and registry gauges. */
char *vg_server_metrics_text(vg_server *s, vg_arena *a);

/* ---- route matching (also used by the OpenAPI generator and tests) ---- */
/* Returns the route for method+path, filling params; *method_mismatch is set
 * when the path exists under another method (405). */
const vg_route *vg_route_match(const vg_route *routes, const char *method, const char *path,
			       const char **params, int *nparams, char *scratch, size_t scratchsz,
			       bool *method_mismatch);
/* Comma-separated methods under which path exists ("GET, PATCH"), for the
 * Allow header of a 405. Returns the number of methods (0: unknown path). */
int vg_route_allow(const vg_route *routes, const char *path, char *out, size_t outsz);
/* Path parameter value (raw segment) as an id: strict positive decimal, no
 * sign or leading zero, at most 2^53; 0 when malformed. */
int64_t vg_parse_id(const char *s);

/* Error reply with a code that is not a vg_err name ("csrf"). */
void vg_reply_error_code(vg_req *r, int status, const char *code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* ---- OpenAPI (openapi.c) ---- */
/* Build the document from a route table and the component schemas (a JSON
 * object mapping schema names to JSON Schemas). NULL on allocation failure;
 * a schemas text that does not parse yields empty components (logged). */
json_t *vg_openapi_build(const vg_route *routes, const char *schemas_json, size_t len);

/* Version string of this build ("0.1.0"). */
const char *vg_version(void);

#endif
