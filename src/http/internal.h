/* Private to src/http: helpers shared between the server, the router, the
 * replies and the metrics. */
#ifndef VG_HTTP_INTERNAL_H
#define VG_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/ip.h"
#include "http/http.h"

/* Percent-decode n bytes of s into out (NUL-terminated). With plus_space,
 * '+' becomes ' ' (query strings). Returns the decoded length, or SIZE_MAX
 * for a malformed escape, an encoded or raw NUL, or when out is too small. */
size_t vg_http_pct_decode(const char *s, size_t n, char *out, size_t outsz, bool plus_space);

/* ---- metrics.c ---- */
typedef struct vg_metrics vg_metrics;

/* Counters for every route of the table plus unmatched requests. */
vg_metrics *vg_metrics_new(const vg_route *routes);
void vg_metrics_free(vg_metrics *m);
void vg_metrics_enter(vg_metrics *m);
void vg_metrics_leave(vg_metrics *m);
/* route NULL = no route matched (404/405/414...); method is the request's. */
void vg_metrics_observe(vg_metrics *m, const vg_route *route, const char *method, int status, uint64_t ns,
			size_t bytes);
/* Append the Prometheus text exposition (format 0.0.4). */
vg_err vg_metrics_render(vg_metrics *m, vg_buf *out);

/* ---- server.c / pipeline.c ---- */
struct vg_server {
	struct MHD_Daemon *daemon;
	vg_app *app;
	const vg_route *routes;
	vg_metrics *metrics;
	vg_cidr proxies[VG_TRUSTED_PROXIES_MAX];
	int nproxies;
	bool tls;
	char *cert_pem; /* kept for the daemon's lifetime */
	char *key_pem;
	size_t default_max_body;
	unsigned port;
};

/* The libmicrohttpd callbacks (pipeline.c). */
enum MHD_Result vg_http_on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				   const char *version, const char *upload_data, size_t *upload_data_size,
				   void **con_cls);
void vg_http_on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			  enum MHD_RequestTerminationCode toe);
/* Client address: the socket peer, or from X-Forwarded-For when the peer is a
 * trusted proxy (the right-most address that is not a trusted proxy). */
void vg_http_client_ip(const vg_server *s, struct MHD_Connection *conn, char *out, size_t outsz);
/* Is this address one of the trusted proxies? */
bool vg_http_trusted(const vg_server *s, const vg_ip *ip);
/* Pick the client from an X-Forwarded-For list given the peer (exposed for tests). */
void vg_http_xff_pick(const vg_server *s, const vg_ip *peer, const char *xff, vg_ip *out);

/* ---- static.c ---- */
/* Content-Type for an allow-listed file extension, NULL otherwise. */
const char *vg_http_static_type(const char *file);
/* File path of a VG_ROUTE_STATIC request (sanitised segments, allow-listed
 * extension and vendor package); false when nothing may be served. */
bool vg_http_static_path(const vg_req *r, char *out, size_t outsz, const char **type);

/* The security headers every response carries. */
#define VG_HTTP_CSP                                                                                          \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " \
	"base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

#endif
