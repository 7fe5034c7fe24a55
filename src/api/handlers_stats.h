/* Handlers of the dashboard's aggregates (api_stats.c). */
#ifndef VG_API_HANDLERS_STATS_H
#define VG_API_HANDLERS_STATS_H

#include "http/http.h"

#endif
