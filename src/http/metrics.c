/* Request metrics: relaxed atomic counters, no locks on the request path.
 *
 * Rows: one per route of the table (its pattern and method are the labels),
 * then one per request method for requests that matched no route (label
 * route="unmatched"), so label cardinality is fixed whatever clients send.
 * Each row has a counter per status code 100..599 and a latency histogram. */
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"

static const double bucket_s[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				  0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NBUCKETS (sizeof bucket_s / sizeof bucket_s[0])
#define CODE_MIN 100
#define NCODES 500

static const char *const other_methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "OTHER"};
#define NOTHER (sizeof other_methods / sizeof other_methods[0])

typedef struct row {
	uint64_t codes[NCODES];
	uint64_t buckets[NBUCKETS]; /* non-cumulative; summed when rendered */
	uint64_t count;
	uint64_t sum_us;
	uint64_t bytes;
} row;

struct vg_metrics {
	const vg_route *routes;
	size_t nroutes;
	row *rows; /* nroutes + NOTHER */
	int64_t in_flight;
};

vg_metrics *vg_metrics_new(const vg_route *routes)
{
	vg_metrics *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->routes = routes;
	for (const vg_route *r = routes; r && r->method; r++)
		m->nroutes++;
	m->rows = calloc(m->nroutes + NOTHER, sizeof *m->rows);
	if (!m->rows) {
		free(m);
		return NULL;
	}
	return m;
}

void vg_metrics_free(vg_metrics *m)
{
	if (!m)
		return;
	free(m->rows);
	free(m);
}

void vg_metrics_enter(vg_metrics *m)
{
	if (m)
		__atomic_fetch_add(&m->in_flight, 1, __ATOMIC_RELAXED);
}

void vg_metrics_leave(vg_metrics *m)
{
	if (m)
		__atomic_fetch_sub(&m->in_flight, 1, __ATOMIC_RELAXED);
}

static size_t row_index(const vg_metrics *m, const vg_route *route, const char *method)
{
	if (route && route >= m->routes && route < m->routes + m->nroutes)
		return (size_t)(route - m->routes);
	for (size_t i = 0; i + 1 < NOTHER; i++)
		if (method && strcmp(method, other_methods[i]) == 0)
			return m->nroutes + i;
	return m->nroutes + NOTHER - 1;
}

void vg_metrics_observe(vg_metrics *m, const vg_route *route, const char *method, int status, uint64_t ns,
			size_t bytes)
{
	row *r;
	size_t b = 0;
	double s = (double)ns / 1e9;
	if (!m)
		return;
	r = &m->rows[row_index(m, route, method)];
	if (status >= CODE_MIN && status < CODE_MIN + NCODES)
		__atomic_fetch_add(&r->codes[status - CODE_MIN], 1, __ATOMIC_RELAXED);
	while (b < NBUCKETS && s > bucket_s[b])
		b++;
	if (b < NBUCKETS)
		__atomic_fetch_add(&r->buckets[b], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->count, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->sum_us, ns / 1000, __ATOMIC_RELAXED);
	__atomic_fetch_add(&r->bytes, (uint64_t)bytes, __ATOMIC_RELAXED);
}

static void row_labels(const vg_metrics *m, size_t i, const char **route, const char **method)
{
	if (i < m->nroutes) {
		*route = m->routes[i].pattern;
		*method = m->routes[i].method;
	} else {
		*route = "unmatched";
		*method = other_methods[i - m->nroutes];
	}
}

static uint64_t ld(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

vg_err vg_metrics_render(vg_metrics *m, vg_buf *o)
{
	size_t nrows;
	vg_err e = VG_OK;
	if (!m)
		return VG_ERR_INVALID;
	nrows = m->nroutes + NOTHER;
#define P(...)                                         \
	do {                                           \
		if ((e = vg_buf_printf(o, __VA_ARGS__))) \
			return e;                      \
	} while (0)
	P("# HELP vigie_http_requests_total HTTP requests by route, method and status code.\n"
	  "# TYPE vigie_http_requests_total counter\n");
	for (size_t i = 0; i < nrows; i++) {
		const char *rt, *me;
		row_labels(m, i, &rt, &me);
		for (int c = 0; c < NCODES; c++) {
			uint64_t v = ld(&m->rows[i].codes[c]);
			if (v)
				P("vigie_http_requests_total{route=\"%s\",method=\"%s\",code=\"%d\"} %llu\n", rt, me,
				  c + CODE_MIN, (unsigned long long)v);
		}
	}
	P("# HELP vigie_http_request_duration_seconds Time from the start of a request to its response.\n"
	  "# TYPE vigie_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < nrows; i++) {
		const char *rt, *me;
		uint64_t cum = 0, count = ld(&m->rows[i].count);
		if (!count)
			continue;
		row_labels(m, i, &rt, &me);
		for (size_t b = 0; b < NBUCKETS; b++) {
			cum += ld(&m->rows[i].buckets[b]);
			P("vigie_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%g\"} %llu\n", rt,
			  me, bucket_s[b], (unsigned long long)cum);
		}
		/* +Inf is the count itself: a concurrent observe may make it one
		 * ahead of the last bucket, never behind. */
		if (count < cum)
			count = cum;
		P("vigie_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"} %llu\n", rt, me,
		  (unsigned long long)count);
		P("vigie_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n", rt, me,
		  (double)ld(&m->rows[i].sum_us) / 1e6);
		P("vigie_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n", rt, me,
		  (unsigned long long)count);
	}
	P("# HELP vigie_http_response_bytes_total Response body bytes sent.\n"
	  "# TYPE vigie_http_response_bytes_total counter\n");
	for (size_t i = 0; i < nrows; i++) {
		const char *rt, *me;
		uint64_t v = ld(&m->rows[i].bytes);
		if (!v)
			continue;
		row_labels(m, i, &rt, &me);
		P("vigie_http_response_bytes_total{route=\"%s\",method=\"%s\"} %llu\n", rt, me, (unsigned long long)v);
	}
	P("# HELP vigie_http_requests_in_flight Requests being served.\n"
	  "# TYPE vigie_http_requests_in_flight gauge\n"
	  "vigie_http_requests_in_flight %lld\n",
	  (long long)__atomic_load_n(&m->in_flight, __ATOMIC_RELAXED));
#undef P
	return e;
}
