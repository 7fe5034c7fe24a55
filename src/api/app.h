/* The application context shared by every request: configuration, database
 * pool, registry lookup index, login throttle. Built by `vigie serve`. */
#ifndef VG_API_APP_H
#define VG_API_APP_H

#include "core/config.h"
#include "http/http.h"
#include "store/store.h"

typedef struct vg_registry vg_registry; /* registry/index.h */
typedef struct vg_throttle vg_throttle; /* auth/throttle.h */

struct vg_app {
	vg_config cfg;
	vg_db_pool *pool;
	vg_registry *registry;
	vg_throttle *throttle;
	int64_t started_ms;
};

/* The route table, terminated by an entry with a NULL method. */
extern const vg_route vg_api_routes[];

/* Build the OpenAPI 3.1 document for the route table. */
json_t *vg_openapi_document(const vg_route *routes);

#endif
