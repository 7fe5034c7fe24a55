/* Sigma correlation rules (event_count, value_count, temporal,
 * temporal_ordered, value_sum, value_avg, value_percentile): placeholder,
 * filled by the correlation work of issue 4. */
#include "detect/internal.h"
