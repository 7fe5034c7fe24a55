/* Login throttle: in memory, thread-safe, bounded. Keys are strings chosen by
 * the caller ("u:<username>" per account, "a:<address>" per source address).
 * After max_failures failures within window_s seconds of the first one, the
 * key is refused (VG_ERR_THROTTLED) until the window has passed. A success
 * resets the account key. When VG_THROTTLE_ENTRIES_MAX keys are tracked, the
 * oldest entry is evicted. */
#ifndef VG_AUTH_THROTTLE_H
#define VG_AUTH_THROTTLE_H

#include <stdint.h>

#include "core/err.h"

typedef struct vg_throttle vg_throttle;

/* NULL on allocation failure. max_failures <= 0 disables throttling. */
vg_throttle *vg_throttle_new(int max_failures, int64_t window_s);
void vg_throttle_free(vg_throttle *t);
/* VG_OK when an attempt is allowed now (now_ms: vg_time_now_ms()); otherwise
 * VG_ERR_THROTTLED and *retry_after_s (>= 1) when retry_after_s is non-NULL. */
vg_err vg_throttle_check(vg_throttle *t, const char *key, int64_t now_ms, int64_t *retry_after_s);
/* Same with an explicit limit (addresses get a larger budget than accounts). */
vg_err vg_throttle_check_limit(vg_throttle *t, const char *key, int max_failures, int64_t now_ms,
			       int64_t *retry_after_s);
/* The limit of the throttle (max_failures given to vg_throttle_new). */
int vg_throttle_limit(const vg_throttle *t);
/* Record a failed attempt. */
void vg_throttle_fail(vg_throttle *t, const char *key, int64_t now_ms);
/* Forget the key (successful login). */
void vg_throttle_reset(vg_throttle *t, const char *key);
/* Keys currently tracked (tests, metrics). */
size_t vg_throttle_count(vg_throttle *t);

#endif
