/* Registry benchmark: bulk import of 10,000 organisations with 100,000
 * prefixes and 100,000 domains, index build, then IPv4 longest-prefix lookups
 * per second on one core against two baselines (per-length binary search,
 * linear scan), cross-checking the answers.
 *
 *   bench_registry [orgs=10000] [prefixes=100000] [lookups=10000000] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/log.h"
#include "registry/index.h"
#include "registry/registry.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

typedef struct p4 {
	uint32_t start;
	uint8_t len;
} p4;

static double secs(uint64_t t0)
{
	return (double)(vg_time_mono_ns() - t0) / 1e9;
}

/* Baseline 1: for each length 32..0, binary search the sorted starts. */
typedef struct bylen {
	uint32_t *v;
	size_t n;
} bylen;

static int u32cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int base_lookup(const bylen *t, uint32_t a)
{
	for (int l = 32; l >= 0; l--) {
		uint32_t m = l ? (uint32_t)(0xffffffffu << (32 - l)) : 0, k = a & m;
		size_t lo = 0, hi = t[l].n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (t[l].v[mid] < k)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < t[l].n && t[l].v[lo] == k)
			return l;
	}
	return -1;
}

int main(int argc, char **argv)
{
	size_t norgs = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	size_t npfx = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000;
	size_t nlook = argc > 3 ? strtoul(argv[3], NULL, 10) : 10000000;
	size_t ndom = npfx, n4 = npfx * 9 / 10;
	char dir[] = "/tmp/vg-bench-XXXXXX", path[64], cmd[96];
	vg_db_options opts = {.busy_timeout_ms = 5000};
	vg_import_options io = {.format = VG_REG_FMT_JSON};
	vg_import_report rep;
	vg_regindex *ix;
	vg_regindex_stats st;
	vg_db *db;
	vg_buf doc;
	vg_diag d;
	p4 *pf;
	uint32_t *addrs;
	bylen t[33];
	uint64_t t0, sum = 0;
	double s_imp, s_imp2, s_build, s_idx, s_full, s_base, s_lin;
	size_t nbase, nlin, mism = 0;

	vg_log_setup(VG_LOG_WARN, false, NULL);
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/bench.db", dir);
	if (vg_db_open(path, &opts, &db, &d)) {
		fprintf(stderr, "open: %s\n", d.message);
		return 1;
	}
	/* ---- data: prefixes /12../32 for IPv4 (clustered in 10.0.0.0/8 and
	 * 100.64.0.0/10 for a fifth, random elsewhere), /32../64 for IPv6 ---- */
	pf = calloc(n4, sizeof *pf);
	vg_buf_init(&doc, 0);
	vg_buf_puts(&doc, "[");
	for (size_t o = 0, p = 0, q = 0, dm = 0; o < norgs; o++) {
		size_t np = (npfx - p) / (norgs - o), nd = (ndom - dm) / (norgs - o);
		vg_buf_printf(&doc, "%s{\"name\":\"Org %zu\",\"kind\":\"%s\",\"networks\":[", o ? "," : "", o,
			      o % 3 ? "oes" : "isp");
		for (size_t i = 0; i < np; i++, p++) {
			if (q < n4 && (p % 10) != 9) {
				uint32_t len = 12 + (uint32_t)(rnd() % 21), a = (uint32_t)rnd();
				if (q % 5 == 0)
					a = (a & 0x00ffffffu) | 0x0a000000u;
				a &= len ? (uint32_t)(0xffffffffu << (32 - len)) : 0;
				pf[q].start = a;
				pf[q].len = (uint8_t)len;
				q++;
				vg_buf_printf(&doc, "%s\"%u.%u.%u.%u/%u\"", i ? "," : "", a >> 24, (a >> 16) & 255,
					      (a >> 8) & 255, a & 255, len);
			} else {
				uint64_t h = rnd();
				unsigned len = 32 + (unsigned)(rnd() % 33);
				h &= len == 64 ? ~0ull : ~(~0ull >> (len - 0));
				h = (h & 0x0000ffffffffffffull) | 0x2001000000000000ull;
				h &= len >= 64 ? ~0ull : ~(~0ull >> len);
				vg_buf_printf(&doc, "%s\"%x:%x:%x:%x::/%u\"", i ? "," : "", (unsigned)(h >> 48),
					      (unsigned)(h >> 32) & 0xffff, (unsigned)(h >> 16) & 0xffff,
					      (unsigned)h & 0xffff, len);
			}
		}
		vg_buf_puts(&doc, "],\"domains\":[");
		for (size_t i = 0; i < nd; i++, dm++)
			vg_buf_printf(&doc, "%s\"d%zu.org%zu.example\"", i ? "," : "", dm, o);
		vg_buf_printf(&doc, "],\"asns\":[%zu]}", 64512 + o);
	}
	vg_buf_puts(&doc, "]");
	n4 = 0;
	for (size_t i = 0; i < npfx * 9 / 10; i++)
		if (pf[i].len)
			n4++;

	t0 = vg_time_mono_ns();
	if (vg_registry_import(db, doc.data, doc.len, &io, &rep, &d)) {
		fprintf(stderr, "import: %s\n", d.message);
		return 1;
	}
	s_imp = secs(t0);
	printf("import: %zu orgs, %zu children added, %zu errors, %.2f s (%.1f MB JSON)\n", rep.orgs_created,
	       rep.children_added, rep.errors_total, s_imp, (double)doc.len / 1e6);
	if (rep.nerrors)
		printf("  first error: %s: %s\n", rep.errors[0].field, rep.errors[0].message);
	vg_import_report_fini(&rep);
	t0 = vg_time_mono_ns();
	vg_registry_import(db, doc.data, doc.len, &io, &rep, &d);
	s_imp2 = secs(t0);
	printf("re-import (idempotent): %zu created, %zu updated, %zu unchanged, %zu added, %.2f s\n", rep.orgs_created,
	       rep.orgs_updated, rep.orgs_unchanged, rep.children_added, s_imp2);
	vg_import_report_fini(&rep);
	vg_buf_fini(&doc);

	t0 = vg_time_mono_ns();
	if (vg_regindex_build(db, &ix, &d)) {
		fprintf(stderr, "build: %s\n", d.message);
		return 1;
	}
	s_build = secs(t0);
	vg_regindex_stats_get(ix, &st);
	printf("index: %zu IPv4 + %zu IPv6 prefixes, %zu domains, %zu orgs, %.1f MB, built in %.3f s\n", st.networks4,
	       st.networks6, st.domains, st.orgs, (double)st.bytes / 1e6, s_build);

	/* ---- lookups: half inside registered prefixes, half uniform ---- */
	addrs = malloc(nlook * sizeof *addrs);
	for (size_t i = 0; i < nlook; i++) {
		uint32_t r = (uint32_t)rnd();
		if (i & 1) {
			const p4 *p = &pf[rnd() % n4];
			r = p->start | (p->len == 32 ? 0 : (r & (0xffffffffu >> p->len)));
		}
		addrs[i] = r;
	}
	t0 = vg_time_mono_ns();
	for (size_t i = 0; i < nlook; i++)
		sum += (uint64_t)vg_regindex_lookup_ipv4_best(ix, addrs[i], NULL);
	s_idx = secs(t0);
	{
		vg_reg_match m[VG_LOOKUP_RESULTS_MAX];
		vg_ip ip = {.family = 4};
		t0 = vg_time_mono_ns();
		for (size_t i = 0; i < nlook; i++) {
			ip.bytes[0] = (uint8_t)(addrs[i] >> 24);
			ip.bytes[1] = (uint8_t)(addrs[i] >> 16);
			ip.bytes[2] = (uint8_t)(addrs[i] >> 8);
			ip.bytes[3] = (uint8_t)addrs[i];
			sum += vg_regindex_lookup_ip(ix, &ip, m, VG_LOOKUP_RESULTS_MAX);
		}
		s_full = secs(t0);
	}

	/* baseline 1 */
	memset(t, 0, sizeof t);
	for (size_t i = 0; i < n4; i++)
		t[pf[i].len].n++;
	for (int l = 0; l <= 32; l++) {
		t[l].v = malloc((t[l].n ? t[l].n : 1) * sizeof(uint32_t));
		t[l].n = 0;
	}
	for (size_t i = 0; i < n4; i++)
		t[pf[i].len].v[t[pf[i].len].n++] = pf[i].start;
	for (int l = 0; l <= 32; l++)
		qsort(t[l].v, t[l].n, sizeof(uint32_t), u32cmp);
	nbase = nlook < 2000000 ? nlook : 2000000;
	t0 = vg_time_mono_ns();
	for (size_t i = 0; i < nbase; i++)
		sum += (uint64_t)(base_lookup(t, addrs[i]) + 1);
	s_base = secs(t0);
	/* baseline 2: linear scan on a subset */
	nlin = nlook < 2000 ? nlook : 2000;
	t0 = vg_time_mono_ns();
	for (size_t i = 0; i < nlin; i++) {
		int best = -1;
		for (size_t k = 0; k < n4; k++) {
			uint32_t m = pf[k].len ? (uint32_t)(0xffffffffu << (32 - pf[k].len)) : 0;
			if ((addrs[i] & m) == pf[k].start && pf[k].len > best)
				best = pf[k].len;
		}
		sum += (uint64_t)(best + 1);
	}
	s_lin = secs(t0);
	/* cross-check on 200,000 addresses: same best prefix length */
	for (size_t i = 0; i < nlook && i < 200000; i++) {
		vg_reg_match m[4];
		vg_ip ip = {.family = 4, .bytes = {(uint8_t)(addrs[i] >> 24), (uint8_t)(addrs[i] >> 16),
						   (uint8_t)(addrs[i] >> 8), (uint8_t)addrs[i]}};
		char txt[64];
		size_t n = vg_regindex_lookup_ip(ix, &ip, m, 4);
		int want = base_lookup(t, addrs[i]), got = -1;
		if (n) {
			const char *sl = strchr(vg_regindex_match_text(ix, &m[0], txt, sizeof txt), '/');
			got = sl ? atoi(sl + 1) : -2;
		}
		if (want != got)
			mism++;
	}

	printf("\nIPv4 longest-prefix lookups, one core, %zu prefixes:\n", n4);
	printf("  %-44s %12s %14s\n", "method", "lookups", "lookups/s");
	printf("  %-44s %12zu %14.0f\n", "index: best org (vg_regindex_lookup_ipv4_best)", nlook, (double)nlook / s_idx);
	printf("  %-44s %12zu %14.0f\n", "index: all matches (vg_regindex_lookup_ip)", nlook, (double)nlook / s_full);
	printf("  %-44s %12zu %14.0f\n", "baseline: binary search per prefix length", nbase, (double)nbase / s_base);
	printf("  %-44s %12zu %14.0f\n", "baseline: linear scan", nlin, (double)nlin / s_lin);
	printf("  cross-check vs baseline on %zu addresses: %zu mismatches\n", nlook < 200000 ? nlook : 200000, mism);
	printf("  (checksum %" PRIu64 ")\n", sum);

	for (int l = 0; l <= 32; l++)
		free(t[l].v);
	free(addrs);
	free(pf);
	vg_regindex_release(ix);
	vg_db_close(db);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return mism ? 2 : 0;
}
