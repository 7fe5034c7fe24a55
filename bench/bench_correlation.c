/* Correlation benchmark: a temporary SQLite database with N incidents and M
 * observable links (skewed like real data: most values on one incident, a few
 * on tens of thousands), then "related incidents for one incident" latency
 * over random incidents, for vg_obs_related_find and, side by side in the same
 * run, a naive self-join that neither skips common values nor bounds fan-out.
 *
 *   bench_correlation [incidents=1000000] [links=10000000] [queries=1000] [dir=/tmp]
 *
 * Generation: one observable at a time, its links inserted in primary-key
 * order inside big transactions (synchronous=OFF, secondary index built after
 * the load), so 10 million links take about a minute on a small machine. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "observe/observe.h"

#define ORGS 100
#define CAP 100

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double secs(uint64_t t0)
{
	return (double)(vg_time_mono_ns() - t0) / 1e9;
}

/* CPU time of this thread, to tell work from waiting on a loaded machine. */
static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, const vg_diag *d)
{
	fprintf(stderr, "bench_correlation: %s: %s\n", what, d ? d->message : "");
	exit(1);
}

/* Links per value: 70% on one object, 20% on 2-5, 9% on 6-50, ~1% on 51-1000,
 * 0.01% on 10,000-100,000 (resolvers, CDN edges, a mass-mailing sender). */
static int64_t draw_df(void)
{
	uint64_t r = rnd() % 100000;
	if (r < 70000)
		return 1;
	if (r < 90000)
		return 2 + (int64_t)(rnd() % 4);
	if (r < 99000)
		return 6 + (int64_t)(rnd() % 45);
	if (r < 99990)
		return 51 + (int64_t)(rnd() % 950);
	return 10000 + (int64_t)(rnd() % 90001);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void generate(vg_db *db, int64_t incidents, int64_t links, int64_t *nobs)
{
	static const char *const ins_obs =
		"INSERT INTO observables(id, type, value, addr, prefix, first_seen, last_seen, link_count)"
		" VALUES (?, ?, ?, ?, ?, 0, 0, ?)";
	static const char *const ins_link =
		"INSERT OR IGNORE INTO observable_links(observable_id, object_type, object_id, org_id, created_at, source)"
		" VALUES (?, 'incident', ?, ?, 0, 'bench')";
	static const char *const ins_org =
		"INSERT INTO organisations(id, name, kind, created_at, updated_at) VALUES (?, ?, 'ministry', 0, 0)";
	vg_diag d;
	vg_stmt *so, *sl;
	int64_t done = 0, id = 0, *objs = NULL;
	size_t objcap = 0;
	uint64_t t0 = vg_time_mono_ns();

	if (vg_db_exec(db, "PRAGMA synchronous=OFF", &d) || vg_db_exec(db, "DROP INDEX observable_links_object", &d))
		die("pragma", &d);
	if (vg_db_begin(db, true, &d))
		die("begin", &d);
	for (int i = 1; i <= ORGS; i++) {
		char name[32];
		snprintf(name, sizeof name, "Bench org %d", i);
		if (vg_db_prepare(db, ins_org, &so, &d))
			die("prepare", &d);
		vg_stmt_bind_int(so, 1, i);
		vg_stmt_bind_text(so, 2, name, -1);
		if (vg_stmt_exec(so, &d))
			die("org", &d);
		vg_stmt_done(so);
	}
	while (done < links) {
		int64_t df = draw_df();
		char val[96];
		const char *type;
		uint8_t addr[4];
		bool has_addr = false;
		int prefix = 32;
		unsigned kind = (unsigned)(rnd() % 100);
		id++;
		if (df > links - done)
			df = links - done;
		if (kind < 40 || df >= 10000) { /* IPs: 45.0.0.0 + id */
			uint32_t ip = 0x2D000000u + (uint32_t)id;
			addr[0] = (uint8_t)(ip >> 24), addr[1] = (uint8_t)(ip >> 16), addr[2] = (uint8_t)(ip >> 8);
			addr[3] = (uint8_t)ip;
			snprintf(val, sizeof val, "%u.%u.%u.%u", addr[0], addr[1], addr[2], addr[3]);
			type = "ipv4";
			has_addr = true;
		} else if (kind < 41) { /* a /24 prefix (containment) */
			uint32_t ip = 0x2D000000u + (uint32_t)(rnd() % (uint64_t)(id + 1));
			ip &= 0xffffff00u;
			addr[0] = (uint8_t)(ip >> 24), addr[1] = (uint8_t)(ip >> 16), addr[2] = (uint8_t)(ip >> 8), addr[3] = 0;
			/* a /24 already drawn is skipped (unique value), see below */
			snprintf(val, sizeof val, "%u.%u.%u.0/24", addr[0], addr[1], addr[2]);
			type = "cidr";
			has_addr = true;
			prefix = 24;
		} else if (kind < 70) {
			snprintf(val, sizeof val, "h%" PRIx64 ".bench-domain.xyz", (uint64_t)id);
			type = "domain";
		} else if (kind < 90) {
			snprintf(val, sizeof val, "%016" PRIx64 "%016" PRIx64 "%016" PRIx64 "%016" PRIx64, (uint64_t)id,
				 rnd(), rnd(), rnd());
			type = "sha256";
		} else {
			snprintf(val, sizeof val, "https://h%" PRIx64 ".bench-site.xyz/login.php", (uint64_t)id);
			type = "url";
		}
		if ((size_t)df > objcap) {
			objcap = (size_t)df;
			objs = realloc(objs, objcap * sizeof *objs);
			if (!objs)
				die("memory", NULL);
		}
		for (int64_t k = 0; k < df; k++)
			objs[k] = 1 + (int64_t)(rnd() % (uint64_t)incidents);
		qsort(objs, (size_t)df, sizeof *objs, cmp_i64);
		{ /* distinct objects: link_count must be exact */
			int64_t u = 0;
			for (int64_t k = 0; k < df; k++)
				if (k == 0 || objs[k] != objs[k - 1])
					objs[u++] = objs[k];
			df = u;
		}
		if (vg_db_prepare(db, ins_obs, &so, &d))
			die("prepare", &d);
		vg_stmt_bind_int(so, 1, id);
		vg_stmt_bind_text(so, 2, type, -1);
		vg_stmt_bind_text(so, 3, val, -1);
		if (has_addr) {
			vg_stmt_bind_blob(so, 4, addr, 4);
			vg_stmt_bind_int(so, 5, prefix);
		} else {
			vg_stmt_bind_null(so, 4);
			vg_stmt_bind_null(so, 5);
		}
		vg_stmt_bind_int(so, 6, df);
		if (vg_stmt_exec(so, &d)) {
			vg_stmt_done(so);
			if (strcmp(type, "cidr") == 0) { /* that /24 exists already */
				id--;
				continue;
			}
			die("observable", &d);
		}
		vg_stmt_done(so);
		if (has_addr && prefix == 24 &&
		    vg_db_exec(db, "INSERT INTO observable_prefixes VALUES (4, 24) ON CONFLICT DO NOTHING", &d))
			die("prefix", &d);
		for (int64_t k = 0; k < df; k++) {
			/* the statement is cached per connection: prepare is a lookup, done resets it */
			if (vg_db_prepare(db, ins_link, &sl, &d))
				die("prepare", &d);
			vg_stmt_bind_int(sl, 1, id);
			vg_stmt_bind_int(sl, 2, objs[k]);
			vg_stmt_bind_int(sl, 3, 1 + objs[k] % ORGS);
			if (vg_stmt_exec(sl, &d))
				die("link", &d);
			vg_stmt_done(sl);
		}
		done += df;
		if (id % 50000 == 0) {
			if (vg_db_commit(db, &d) || vg_db_begin(db, true, &d))
				die("commit", &d);
			fprintf(stderr, "\r  %" PRId64 " links, %" PRId64 " values, %.0f s", done, id, secs(t0));
		}
	}
	if (vg_db_commit(db, &d))
		die("commit", &d);
	fprintf(stderr, "\r  %" PRId64 " links, %" PRId64 " values in %.1f s; building the object index...\n", done, id,
		secs(t0));
	t0 = vg_time_mono_ns();
	if (vg_db_exec(db,
		       "CREATE INDEX observable_links_object ON observable_links(object_type, object_id, observable_id)",
		       &d) ||
	    vg_db_exec(db, "ANALYZE", &d) || vg_db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", &d))
		die("index", &d);
	fprintf(stderr, "  index and ANALYZE in %.1f s\n", secs(t0));
	free(objs);
	*nobs = id;
}

typedef struct stats {
	double p50, p90, p99, max, mean;
	size_t n;
} stats;

static stats summarise(double *v, size_t n)
{
	stats s = {0};
	double sum = 0;
	if (n == 0)
		return s;
	qsort(v, n, sizeof *v, cmp_dbl);
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	s.n = n;
	s.mean = sum / (double)n;
	s.p50 = v[n / 2];
	s.p90 = v[(size_t)((double)n * 0.90)];
	s.p99 = v[(size_t)((double)n * 0.99) < n ? (size_t)((double)n * 0.99) : n - 1];
	s.max = v[n - 1];
	return s;
}

static double naive(vg_db *db, int64_t inc, size_t *nrel)
{
	static const char *const sql =
		"SELECT l2.object_id, count(*) AS shared FROM observable_links l1"
		" JOIN observable_links l2 ON l2.observable_id = l1.observable_id AND l2.object_type = 'incident'"
		" AND l2.object_id <> l1.object_id"
		" WHERE l1.object_type = 'incident' AND l1.object_id = ?"
		" GROUP BY l2.object_id ORDER BY shared DESC LIMIT 20";
	vg_stmt *st;
	vg_diag d;
	uint64_t t0 = vg_time_mono_ns();
	*nrel = 0;
	if (vg_db_prepare(db, sql, &st, &d))
		die("prepare naive", &d);
	vg_stmt_bind_int(st, 1, inc);
	while (vg_stmt_step(st, &d) == VG_ROW)
		(*nrel)++;
	vg_stmt_done(st);
	return secs(t0) * 1000.0;
}

int main(int argc, char **argv)
{
	int64_t incidents = argc > 1 ? atoll(argv[1]) : 1000000;
	int64_t links = argc > 2 ? atoll(argv[2]) : 10000000;
	size_t queries = argc > 3 ? (size_t)atoll(argv[3]) : 1000;
	const char *tmpdir = argc > 4 ? argv[4] : "/tmp";
	char path[512];
	vg_db_options o = {.busy_timeout_ms = 5000};
	vg_db *db = NULL;
	vg_diag d;
	vg_arena *a;
	int64_t nobs = 0;
	double *lat, *nlat, naive_budget = getenv("VG_BENCH_NO_NAIVE") ? 0.0 : 300.0, naive_total = 0;
	size_t nnaive = 0, empty = 0, with_common = 0;
	uint64_t tgen;
	stats s, sn, ss;

	if (incidents < 10 || links < 10 || queries < 1) {
		fprintf(stderr, "usage: bench_correlation [incidents] [links] [queries] [dir]\n");
		return 2;
	}
	vg_log_setup(VG_LOG_WARN, false, stderr);
	if (getenv("VG_BENCH_REUSE"))
		snprintf(path, sizeof path, "%s", getenv("VG_BENCH_REUSE"));
	else
		snprintf(path, sizeof path, "%s/vg-bench-corr-%d.db", tmpdir, (int)getpid());
	if (vg_db_open(path, &o, &db, &d))
		die("open", &d);
	printf("bench_correlation: %" PRId64 " incidents, %" PRId64 " links, %zu queries, cap %d\n", incidents, links,
	       queries, CAP);
	tgen = vg_time_mono_ns();
	if (getenv("VG_BENCH_REUSE"))
		setenv("VG_BENCH_KEEP", "1", 1); /* a database given to reuse is never deleted */
	else
		generate(db, incidents, links, &nobs);
	printf("generated %" PRId64 " observables and %" PRId64 " links in %.1f s (database %.0f MB)\n", nobs, links,
	       secs(tgen), (double)vg_db_size(db) / 1e6);
	a = vg_arena_new(0);
	lat = calloc(queries, sizeof *lat);
	nlat = calloc(queries, sizeof *nlat);
	double *slat = calloc(queries, sizeof *slat), *clat = calloc(queries, sizeof *clat);
	if (!a || !lat || !nlat || !slat || !clat)
		die("memory", NULL);
	/* the same random incidents for the three phases, run one after the other
	 * so that the naive query's scans do not evict the others' pages */
	{
		int64_t *incs = calloc(queries, sizeof *incs);
		if (!incs)
			die("memory", NULL);
		rng = 0x1234567887654321ull;
		for (size_t q = 0; q < queries; q++)
			incs[q] = 1 + (int64_t)(rnd() % (uint64_t)incidents);
		for (int phase = 0; phase < 2; phase++)
			for (size_t q = 0; q < queries; q++) {
				vg_obs_related_opts ro = {.common_cap = CAP, .limit = 20};
				vg_obs_related_result res;
				uint64_t t0;
				double c0;
				if (phase == 1)
					ro.scope_org = 1 + incs[q] % ORGS; /* a constituent of the incident's organisation */
				t0 = vg_time_mono_ns();
				c0 = cpu_ms();
				if (vg_obs_related_find(db, VG_OBS_OBJ_INCIDENT, incs[q], &ro, a, &res, &d))
					die("related", &d);
				(phase == 0 ? lat : slat)[q] = secs(t0) * 1000.0;
				if (phase == 0)
					clat[q] = cpu_ms() - c0;
				if (phase == 0) {
					empty += res.len == 0;
					with_common += res.values_common > 0;
				}
				vg_arena_reset(a);
			}
		for (size_t q = 0; q < queries && naive_total < naive_budget * 1000.0; q++) {
			size_t nrel;
			nlat[nnaive] = naive(db, incs[q], &nrel);
			naive_total += nlat[nnaive];
			nnaive++;
		}
		free(incs);
	}
	s = summarise(lat, queries);
	ss = summarise(slat, queries);
	sn = summarise(nlat, nnaive);
	printf("\n%-34s %8s %8s %8s %8s %8s %8s\n", "query (ms)", "n", "p50", "p90", "p99", "max", "mean");
	printf("%-34s %8zu %8.3f %8.3f %8.3f %8.3f %8.3f\n", "vg_obs_related_find (analyst)", s.n, s.p50, s.p90, s.p99,
	       s.max, s.mean);
	{
		stats sc = summarise(clat, queries);
		printf("%-34s %8zu %8.3f %8.3f %8.3f %8.3f %8.3f\n", "  same, thread CPU time only", sc.n, sc.p50,
		       sc.p90, sc.p99, sc.max, sc.mean);
	}
	printf("%-34s %8zu %8.3f %8.3f %8.3f %8.3f %8.3f\n", "vg_obs_related_find (constituent)", ss.n, ss.p50, ss.p90,
	       ss.p99, ss.max, ss.mean);
	printf("%-34s %8zu %8.3f %8.3f %8.3f %8.3f %8.3f\n", "naive self-join (no common skip)", sn.n, sn.p50, sn.p90,
	       sn.p99, sn.max, sn.mean);
	printf("\nincidents with no related incident: %zu of %zu; with a common value skipped: %zu\n", empty, queries,
	       with_common);
	printf("target p99 < 5 ms: %s\n", s.p99 < 5.0 ? "met" : "NOT met");
	free(lat);
	free(nlat);
	free(slat);
	free(clat);
	vg_arena_free(a);
	vg_db_close(db);
	if (getenv("VG_BENCH_KEEP")) {
		printf("database kept: %s\n", path);
		return 0;
	}
	unlink(path);
	{
		char p2[600];
		snprintf(p2, sizeof p2, "%s-wal", path);
		unlink(p2);
		snprintf(p2, sizeof p2, "%s-shm", path);
		unlink(p2);
	}
	return 0;
}
