/* System endpoints: health, Prometheus metrics, the OpenAPI document. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/assets.h"

/* Generated from openapi_schemas.json by vg-embed (see meson.build). */
extern const vg_asset vg_openapi_assets[];

json_t *vg_openapi_document(const vg_route *routes)
{
	for (const vg_asset *a = vg_openapi_assets; a->path; a++)
		if (strcmp(a->path, "/openapi_schemas.json") == 0)
			return vg_openapi_build(routes, a->data, a->len);
	VG_ERROR("openapi: /openapi_schemas.json is not compiled in");
	return vg_openapi_build(routes, NULL, 0);
}

static int64_t uptime_s(const vg_req *r)
{
	int64_t started = r->app ? r->app->started_ms : 0;
	int64_t now = vg_time_now_ms();
	return started > 0 && now > started ? (now - started) / 1000 : 0;
}

void vg_h_health(vg_req *r)
{
	int version = 0;
	vg_diag d;
	bool ok;
	vg_diag_clear(&d);
	ok = r->db && vg_db_schema_version(r->db, &version, &d) == VG_OK;
	if (!ok)
		VG_WARN("health: database check failed: %s", r->db ? d.message : "no connection");
	vg_reply_json(r, ok ? 200 : 503,
		      json_pack("{s:s,s:s,s:i,s:s,s:I}", "status", ok ? "ok" : "degraded", "version", vg_version(),
				"schema_version", version, "db", ok ? "ok" : "error", "uptime_s",
				(json_int_t)uptime_s(r)));
}

void vg_h_metrics(vg_req *r)
{
	const char *http = vg_server_metrics_text(r->server, r->arena);
	int64_t size = r->db ? vg_db_size(r->db) : -1;
	char *text;
	text = vg_arena_printf(r->arena,
			       "%s"
			       "# HELP vigie_db_size_bytes Size of the database in bytes.\n"
			       "# TYPE vigie_db_size_bytes gauge\n"
			       "vigie_db_size_bytes %lld\n"
			       "# HELP vigie_uptime_seconds Seconds since the server started.\n"
			       "# TYPE vigie_uptime_seconds gauge\n"
			       "vigie_uptime_seconds %lld\n"
			       "# HELP vigie_build_info Version of the running server.\n"
			       "# TYPE vigie_build_info gauge\n"
			       "vigie_build_info{version=\"%s\"} 1\n",
			       http ? http : "", (long long)(size >= 0 ? size : 0), (long long)uptime_s(r), vg_version());
	if (!text) {
		vg_reply_error(r, VG_ERR_NOMEM, NULL, "out of memory");
		return;
	}
	vg_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
}

/* The document never changes while the process runs: built once, on first
 * use, and kept serialised. */
static pthread_once_t openapi_once = PTHREAD_ONCE_INIT;
static char *openapi_text;

static void openapi_build_once(void)
{
	json_t *doc = vg_openapi_document(vg_api_routes);
	if (doc)
		openapi_text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
}

void vg_h_openapi(vg_req *r)
{
	pthread_once(&openapi_once, openapi_build_once);
	if (!openapi_text) {
		vg_reply_error(r, VG_ERR_NOMEM, NULL, "cannot build the OpenAPI document");
		return;
	}
	vg_reply_text(r, 200, "application/json", openapi_text, strlen(openapi_text));
}
