#include "core/clock.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t g_fake_ms;
static atomic_int g_fake_checked;

void vg_time_set_fake(int64_t ms)
{
	atomic_store(&g_fake_checked, 1);
	atomic_store(&g_fake_ms, ms);
}

int64_t vg_time_now_ms(void)
{
	struct timespec ts;
	int64_t fake;
	if (!atomic_load_explicit(&g_fake_checked, memory_order_relaxed)) {
		const char *env = getenv("VIGIE_FAKE_NOW");
		int64_t ms = 0;
		if (env && *env)
			vg_time_parse(env, 0, &ms, NULL);
		vg_time_set_fake(ms);
	}
	fake = atomic_load_explicit(&g_fake_ms, memory_order_relaxed);
	if (fake)
		return fake;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t vg_time_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), Howard Hinnant's algorithm. */
int64_t vg_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void vg_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	*out = v;
	return 0;
}

static const unsigned char mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

vg_err vg_time_parse(const char *s, size_t len, int64_t *out_ms, vg_diag *d)
{
	unsigned Y, M, D, h, mi, sec, frac_ms = 0, oh = 0, om = 0;
	size_t i = 19;
	int sign = 0;
	if (!len)
		len = s ? strnlen(s, 64) : 0;
	if (len < 20 || len > 40)
		goto bad;
	if (digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' ||
	    digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		goto bad;
	if (M < 1 || M > 12 || D < 1 || h > 23 || mi > 59 || sec > 60)
		goto bad;
	{
		unsigned md = mdays[M - 1];
		if (M == 2 && ((Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0))
			md = 29;
		if (D > md)
			goto bad;
	}
	if (s[i] == '.') {
		size_t nd = 0;
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9') {
			if (nd < 3)
				frac_ms = frac_ms * 10 + (unsigned)(s[i] - '0');
			nd++;
			i++;
		}
		if (nd == 0 || nd > 9)
			goto bad;
		for (; nd < 3; nd++)
			frac_ms *= 10;
	}
	if (i >= len)
		goto bad;
	if (s[i] == 'Z' || s[i] == 'z') {
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		sign = s[i] == '+' ? 1 : -1;
		if (len - i != 6 || digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
		    digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			goto bad;
		i += 6;
	} else {
		goto bad;
	}
	if (i != len)
		goto bad;
	if (sec == 60)
		sec = 59; /* leap second: clamp */
	{
		int64_t days = vg_days_from_civil(Y, M, D);
		int64_t t = ((days * 24 + h) * 60 + mi) * 60 + sec;
		t -= sign * (int64_t)(oh * 3600 + om * 60);
		*out_ms = t * 1000 + frac_ms;
	}
	return VG_OK;
bad:
	return vg_diag_set(d, VG_ERR_INVALID, NULL, "not an RFC 3339 date-time (expected e.g. 2026-11-27T22:05:44Z)");
}

static char *put_digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* Hand-rolled: formatting timestamps is on every API response's hot path,
 * and snprintf costs several times more than this. */
char *vg_time_format(int64_t ms, char *out, size_t outsz, bool millis)
{
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int64_t rem = ms - secs * 1000;
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t sod = secs - days * 86400;
	int64_t y;
	unsigned m, d;
	char tmp[VG_TIME_STRLEN], *p = tmp;
	size_t n;
	vg_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		snprintf(out, outsz, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d, (unsigned)(sod / 3600),
			 (unsigned)(sod / 60 % 60), (unsigned)(sod % 60));
		return out;
	}
	p = put_digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)(sod / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(sod / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(sod % 60), 2);
	if (millis) {
		*p++ = '.';
		p = put_digits(p, (unsigned)rem, 3);
	}
	*p++ = 'Z';
	n = (size_t)(p - tmp);
	if (outsz == 0)
		return out;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, tmp, n);
	out[n] = '\0';
	return out;
}
