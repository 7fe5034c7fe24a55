/* Value tests that are not on the hot path of matching: general globs,
 * numeric comparisons and date components (match.c keeps the fast shapes);
 * and the JSON string escaping of the XML events' rendering. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"

static size_t utf8_len(unsigned char c)
{
	return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* '*' (VG_GLOB_STAR) any run, '?' (VG_GLOB_ONE) one UTF-8 character. */
bool vg_glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
	while (si < sn) {
		if (pi < pn && p[pi] == VG_GLOB_ONE) {
			pi++;
			si += utf8_len((unsigned char)s[si]);
			if (si > sn)
				si = sn;
		} else if (pi < pn && p[pi] == VG_GLOB_STAR) {
			star = pi++;
			mark = si;
		} else if (pi < pn && p[pi] == s[si]) {
			pi++;
			si++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && p[pi] == VG_GLOB_STAR)
		pi++;
	return pi == pn;
}

bool vg_number_of(const char *s, size_t n, double *out)
{
	char tmp[64], *end;
	if (n == 0 || n >= sizeof(tmp))
		return false;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	*out = strtod(tmp, &end);
	return end != tmp && *end == 0;
}

bool vg_cmp_num(vg_cmp c, double a, double b)
{
	switch (c) {
	case CMP_LT: return a < b;
	case CMP_LTE: return a <= b;
	case CMP_GT: return a > b;
	case CMP_GTE: return a >= b;
	default: return a == b;
	}
}

/* Component of "YYYY-MM-DD[T ]HH:MM..." dates (no timezone conversion, as
 * the specification says). */
bool vg_time_part(const char *s, size_t n, vg_timepart tp, double *out)
{
	int y, mo, d, h = 0, mi = 0;
	char tmp[64];
	if (n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	memcpy(tmp, s, n);
	tmp[n] = 0;
	int got = sscanf(tmp, "%4d-%2d-%2d%*c%2d:%2d", &y, &mo, &d, &h, &mi);
	if (got < 3)
		return false;
	switch (tp) {
	case TP_MINUTE: *out = mi; return got >= 5;
	case TP_HOUR: *out = h; return got >= 4;
	case TP_DAY: *out = d; return true;
	case TP_MONTH: *out = mo; return true;
	case TP_YEAR: *out = y; return true;
	case TP_WEEK: {
		/* ISO-8601 week number */
		static const int cum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
		if (mo < 1 || mo > 12)
			return false;
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		int yday = cum[mo - 1] + d + (leap && mo > 2);
		int a = (14 - mo) / 12, yy = y - a, mm = mo + 12 * a - 2;
		int wday = (d + yy + yy / 4 - yy / 100 + yy / 400 + (31 * mm) / 12) % 7; /* 0 = Sunday */
		int iso_wday = wday == 0 ? 7 : wday;
		int week = (yday - iso_wday + 10) / 7;
		if (week < 1)
			week = 52;
		else if (week == 53 && (yday - iso_wday) > (365 + leap - 4))
			week = 1;
		*out = week;
		return true;
	}
	default: return false;
	}
}

