/* Logging: levels, text or JSON lines, a per-thread request id stamped on
 * every line written while a request is being served. Thread-safe. */
#ifndef VG_CORE_LOG_H
#define VG_CORE_LOG_H

#include <stdbool.h>
#include <stdio.h>

typedef enum vg_log_level {
	VG_LOG_DEBUG = 0,
	VG_LOG_INFO = 1,
	VG_LOG_WARN = 2,
	VG_LOG_ERROR = 3,
	VG_LOG_OFF = 4,
} vg_log_level;

/* out NULL means stderr. */
void vg_log_setup(vg_log_level level, bool json, FILE *out);
vg_log_level vg_log_get_level(void);
/* Parse "debug|info|warn|error|off"; returns -1 on failure. */
int vg_log_level_parse(const char *s);
/* The request id is per thread; NULL clears it. */
void vg_log_set_request_id(const char *rid);
const char *vg_log_request_id(void);

void vg_log(vg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define VG_DEBUG(...) vg_log(VG_LOG_DEBUG, __VA_ARGS__)
#define VG_INFO(...) vg_log(VG_LOG_INFO, __VA_ARGS__)
#define VG_WARN(...) vg_log(VG_LOG_WARN, __VA_ARGS__)
#define VG_ERROR(...) vg_log(VG_LOG_ERROR, __VA_ARGS__)

#endif
