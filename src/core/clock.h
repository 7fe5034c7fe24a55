/* Wall-clock time in milliseconds since the Unix epoch, RFC 3339 parsing and
 * formatting. The clock can be frozen or offset (VIGIE_FAKE_NOW or
 * vg_time_set_fake) so tests can drive deadlines. */
#ifndef VG_CORE_CLOCK_H
#define VG_CORE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

int64_t vg_time_now_ms(void);
/* Monotonic clock in nanoseconds, for durations. */
uint64_t vg_time_mono_ns(void);
/* Freeze the wall clock at ms (0 = real clock again). */
void vg_time_set_fake(int64_t ms);

/* Parse an RFC 3339 date-time ("2026-11-27T22:05:44Z", "...T22:05:44.123+01:00").
 * Lower-case 't'/'z' and a space separator are accepted (RFC 3339 §5.6 note). */
vg_err vg_time_parse(const char *s, size_t len, int64_t *out_ms, vg_diag *d);
/* Format as UTC "YYYY-MM-DDTHH:MM:SSZ" (or with .mmm when millis). Returns out. */
char *vg_time_format(int64_t ms, char *out, size_t outsz, bool millis);

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (m 1-12), and
 * back (Howard Hinnant's algorithms): for the parsers of other date formats. */
int64_t vg_days_from_civil(int64_t y, unsigned m, unsigned d);
void vg_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

#define VG_TIME_STRLEN 32

#endif
