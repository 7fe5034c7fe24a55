/* Handlers of the dashboard's aggregates (api_stats.c). */
#ifndef VG_API_HANDLERS_STATS_H
#define VG_API_HANDLERS_STATS_H

#include "http/http.h"

/* GET /api/v1/stats?from=&to=: open incidents by status, severity, type,
 * organisation and sector; opened/closed incidents and alerts per day;
 * overdue clocks; alerts by level and status. Scoped for constituents. */
void vg_h_stats(vg_req *r);

#endif
