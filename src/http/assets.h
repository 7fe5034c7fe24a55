/* Files compiled into the binary by vg-embed --assets (OpenAPI schemas; later
 * the web console). */
#ifndef VG_HTTP_ASSETS_H
#define VG_HTTP_ASSETS_H

#include <stddef.h>

typedef struct vg_asset {
	const char *path; /* "/openapi_schemas.json" */
	size_t len;
	const char *data;
} vg_asset;

#endif
