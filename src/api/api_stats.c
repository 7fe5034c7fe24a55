/* Aggregates for the web console's dashboard: placeholder, filled by the
 * console work of issue 5. */
#include "api/handlers_stats.h"
