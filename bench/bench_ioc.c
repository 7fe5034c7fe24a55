/* Benchmark: indicator sets. One million mixed IOCs (IPv4 addresses and
 * CIDR prefixes, domains, URLs, md5/sha1/sha256) over generated
 * Suricata-EVE-like JSON lines, about 1% of which carry an indicator in a
 * mapped field.
 *
 *   bench_ioc [--iocs N] [--events N] [--dir DIR] [--threads N] [--repeat N] [--no-baseline]
 *
 * Writes DIR/iocs.txt (the list loaded), DIR/literals.txt (the same values as
 * fixed strings, CIDRs left out) and DIR/eve.json; prints the load time, the
 * bytes per IOC (the set's own accounting and the process RSS growth), the
 * matching rate on one core, and, in the same run, `grep -F -f literals.txt`
 * and `rg -F -f literals.txt` (when installed) counting matching lines of the
 * same file (they are blind to fields). With --threads N (N > 1) the same
 * events are matched again by N threads sharing the one set, each with its
 * own scratch and a contiguous share of the lines: the scaling from one
 * core. --repeat N runs the batched one-core match N times (each run printed,
 * then the median: the host is shared). Defaults: 1,000,000 IOCs, 1,000,000 events, DIR =
 * /tmp/vigie-bench-ioc. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/limits.h"
#include "detect/ioc.h"
#include "detect/sigma.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static const char fields[] = "src_ip: ip\ndest_ip: ip\ndns.rrname: domain\nhttp.hostname: domain\n"
			     "http.url: url@http.hostname\ntls.sni: domain\nfileinfo.md5: hash\nfileinfo.sha1: hash\n"
			     "fileinfo.sha256: hash\n";

static void hex(char *o, size_t n, uint32_t seed)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		o[i] = "0123456789abcdef"[x & 15];
	}
	o[n] = 0;
}

/* The i-th indicator of the set (deterministic), written into out. */
static void ioc_value(uint32_t i, char *out, size_t outsz, bool *literal)
{
	char h[129];
	*literal = true;
	switch (i % 10) {
	case 0:
	case 1:
	case 2: snprintf(out, outsz, "%u.%u.%u.%u", 100 + (i >> 24) % 100, (i >> 16) & 255, (i >> 8) & 255, i & 255); break;
	case 3:
		*literal = false;
		snprintf(out, outsz, "%u.%u.%u.0/24", 30 + (i >> 16) % 50, (i >> 8) & 255, i & 255);
		break;
	case 4:
	case 5:
	case 6: snprintf(out, outsz, "bad%u.ioc-domain%u.example", i, i % 97); break;
	case 7: snprintf(out, outsz, "http://c2-%u.example.net/gate%u.php", i, i % 13); break;
	case 8: hex(h, i % 20 == 8 ? 32 : 64, i); snprintf(out, outsz, "%s", h); break;
	default: hex(h, 40, i); snprintf(out, outsz, "%s", h); break;
	}
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kb = atol(line + 6);
	if (f)
		fclose(f);
	return kb;
}

/* One EVE-like line; with hit, a field carries indicator number k. */
static void event(vg_buf *b, uint64_t n, bool hit, uint32_t k, uint32_t niocs)
{
	char v[256], sha[65], md5[33];
	bool lit;
	int type = (int)(rnd() % 4);
	uint32_t a = rnd(), c = rnd();
	if (hit) {
		ioc_value(k, v, sizeof(v), &lit);
		switch (k % 10) {
		case 0: case 1: case 2: case 3: type = 0; break;
		case 4: case 5: case 6: type = 1; break;
		case 7: type = 2; break;
		default: type = 3; break;
		}
	}
	(void)niocs;
	vg_buf_printf(b,
		      "{\"timestamp\":\"2026-11-27T10:%02u:%02u.%06u+0000\",\"flow_id\":%llu,\"in_iface\":\"eth0\","
		      "\"event_type\":\"%s\",\"src_ip\":\"10.%u.%u.%u\",\"src_port\":%u,",
		      (unsigned)(n / 60) % 60, (unsigned)n % 60, a % 1000000, (unsigned long long)(n * 7919 + 1),
		      (const char *[]){"flow", "dns", "http", "fileinfo"}[type], a & 255, (a >> 8) & 255, c & 255,
		      1024 + c % 60000);
	if (hit && k % 10 <= 3) {
		if (k % 10 == 3)
			v[strlen(v) - 4] = 0, strcat(v, "77");
		vg_buf_printf(b, "\"dest_ip\":\"%s\",\"dest_port\":443,\"proto\":\"TCP\",", v);
	} else
		vg_buf_printf(b, "\"dest_ip\":\"%u.%u.%u.%u\",\"dest_port\":%u,\"proto\":\"TCP\",", 1 + c % 90, (c >> 8) & 255,
			      a & 255, (a >> 16) & 255, 80 + (a & 3));
	switch (type) {
	case 0:
		vg_buf_printf(b, "\"flow\":{\"pkts_toserver\":%u,\"pkts_toclient\":%u,\"bytes_toserver\":%u,\"bytes_toclient\":%u,"
				 "\"state\":\"closed\",\"reason\":\"timeout\"}}\n", a % 100, c % 100, a % 100000, c % 100000);
		break;
	case 1:
		vg_buf_printf(b, "\"dns\":{\"type\":\"query\",\"id\":%u,\"rrname\":\"%s\",\"rrtype\":\"A\",\"tx_id\":0}}\n",
			      a % 65536, hit ? v : "www.example.com");
		break;
	case 2:
		if (hit)
			vg_buf_printf(b, "\"http\":{\"hostname\":\"c2-%u.example.net\",\"url\":\"/gate%u.php\",", k, k % 13);
		else
			vg_buf_printf(b, "\"http\":{\"hostname\":\"site%u.example.org\",\"url\":\"/index%u.html?q=%u\",", a % 5000,
				      c % 100, a % 1000);
		vg_buf_printf(b, "\"http_user_agent\":\"Mozilla/5.0 (Windows NT 10.0; Win64; x64)\",\"http_method\":\"GET\","
				 "\"protocol\":\"HTTP/1.1\",\"status\":200,\"length\":%u}}\n", c % 100000);
		break;
	default:
		hex(md5, 32, a ^ c);
		hex(sha, 64, a + c);
		if (hit && strlen(v) == 64)
			memcpy(sha, v, 65);
		else if (hit && strlen(v) == 32)
			memcpy(md5, v, 33);
		vg_buf_printf(b, "\"fileinfo\":{\"filename\":\"/download/f%u.bin\",\"md5\":\"%s\",%s%s%s\"sha256\":\"%s\","
				 "\"size\":%u,\"stored\":false}}\n", a % 1000, md5, hit && strlen(v) == 40 ? "\"sha1\":\"" : "",
			      hit && strlen(v) == 40 ? v : "", hit && strlen(v) == 40 ? "\"," : "", sha, c % 1000000);
		break;
	}
}

static void on_ioc(void *ctx, const vg_ioc_hit *h)
{
	(void)h;
	(*(uint64_t *)ctx)++;
}

typedef struct worker {
	const vg_ruleset *rs;
	const char *data;
	size_t len;
	uint64_t events, hits;
} worker;

static void on_batch_ioc(void *ctx, size_t event, const vg_ioc_hit *h)
{
	(void)event;
	(void)h;
	(*(uint64_t *)ctx)++;
}

/* The lines of w through a vg_ioc_batch (what vigie hunt does with
 * indicators and no rules). */
static void *match_lines(void *arg)
{
	worker *w = arg;
	vg_diag d;
	vg_ioc_batch *b = vg_ioc_batch_new(w->rs);
	if (!b)
		return NULL;
	for (size_t off = 0; off < w->len;) {
		const char *l = w->data + off, *nl = memchr(l, '\n', w->len - off);
		size_t n = nl ? (size_t)(nl - l) : w->len - off;
		vg_ioc_batch_add_json(b, l, n, &d);
		if (vg_ioc_batch_full(b))
			vg_ioc_batch_run(b, on_batch_ioc, &w->hits);
		w->events++;
		off += n + 1;
	}
	vg_ioc_batch_run(b, on_batch_ioc, &w->hits);
	vg_ioc_batch_free(b);
	return NULL;
}

/* N threads over contiguous shares of the lines; events/s of all of them. */
static void run_threads(const vg_ruleset *rs, const vg_buf *ev, int nthreads, double one)
{
	pthread_t tid[64];
	worker w[64];
	size_t start = 0;
	for (int t = 0; t < nthreads; t++) {
		size_t end = t == nthreads - 1 ? ev->len : ev->len / (size_t)nthreads * (size_t)(t + 1);
		const char *nl = end < ev->len ? memchr(ev->data + end, '\n', ev->len - end) : NULL;
		end = nl ? (size_t)(nl - ev->data) + 1 : ev->len;
		w[t] = (worker){.rs = rs, .data = ev->data + start, .len = end > start ? end - start : 0};
		start = end;
	}
	uint64_t t0 = vg_time_mono_ns(), events = 0, hits = 0;
	for (int t = 0; t < nthreads; t++)
		pthread_create(&tid[t], NULL, match_lines, &w[t]);
	for (int t = 0; t < nthreads; t++) {
		pthread_join(tid[t], NULL);
		events += w[t].events;
		hits += w[t].hits;
	}
	double x = (double)(vg_time_mono_ns() - t0) / 1e9;
	printf("vigie, batches, %d threads: %llu events in %.2f s: %.0f events/s (%.2fx one thread), %llu IOC hits\n",
	       nthreads,
	       (unsigned long long)events, x, (double)events / x, one > 0 ? (double)events / x / one : 0,
	       (unsigned long long)hits);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double run_tool(const char *cmd)
{
	uint64_t t0 = vg_time_mono_ns();
	int rc = system(cmd);
	if (rc == -1 || (WIFEXITED(rc) && WEXITSTATUS(rc) == 127))
		return -1;
	return (double)(vg_time_mono_ns() - t0) / 1e9;
}

int main(int argc, char **argv)
{
	uint32_t niocs = 1000000;
	uint64_t nevents = 1000000;
	const char *dir = "/tmp/vigie-bench-ioc";
	bool baseline = true;
	int nthreads = 1, repeat = 1;
	char path[512], cmd[2048];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--iocs") && i + 1 < argc)
			niocs = (uint32_t)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--events") && i + 1 < argc)
			nevents = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			nthreads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--no-baseline"))
			baseline = false;
		else {
			fprintf(stderr, "usage: bench_ioc [--iocs N] [--events N] [--dir DIR] [--threads N] [--repeat N] [--no-baseline]\n");
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	mkdir(dir, 0755);
	/* the set */
	vg_buf list, lits;
	vg_buf_init(&list, 0);
	vg_buf_init(&lits, 0);
	for (uint32_t i = 0; i < niocs; i++) {
		char v[256];
		bool lit;
		ioc_value(i, v, sizeof(v), &lit);
		vg_buf_printf(&list, "%s\n", v);
		if (lit)
			vg_buf_printf(&lits, "%s\n", v);
	}
	snprintf(path, sizeof(path), "%s/iocs.txt", dir);
	FILE *f = fopen(path, "w");
	if (f) {
		fwrite(list.data, 1, list.len, f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/literals.txt", dir);
	if ((f = fopen(path, "w"))) {
		fwrite(lits.data, 1, lits.len, f);
		fclose(f);
	}
	/* the events */
	vg_buf ev;
	vg_buf_init(&ev, 0);
	uint64_t planted = 0;
	for (uint64_t n = 0; n < nevents; n++) {
		bool hit = rnd() % 100 == 0;
		planted += hit;
		event(&ev, n, hit, hit ? rnd() % niocs : 0, niocs);
	}
	snprintf(path, sizeof(path), "%s/eve.json", dir);
	if ((f = fopen(path, "w"))) {
		fwrite(ev.data, 1, ev.len, f);
		fflush(f);
		fdatasync(fileno(f)); /* written back now, not during the measurements */
		fclose(f);
	}
	/* load */
	vg_diag d;
	vg_ioc_report rep = {0};
	long rss0 = rss_kb();
	uint64_t t0 = vg_time_mono_ns();
	vg_ruleset *rs = vg_ruleset_new();
	if (!rs || vg_ioc_load_fields_string(rs, "fields", fields, strlen(fields), &d) ||
	    vg_ioc_load_string(rs, "iocs.txt", list.data, list.len, VG_IOC_FMT_LIST, VG_IOC_NONE, &rep) ||
	    vg_ruleset_compile(rs, &d)) {
		fprintf(stderr, "bench_ioc: load failed\n");
		return 1;
	}
	double load_s = (double)(vg_time_mono_ns() - t0) / 1e9;
	long rss1 = rss_kb();
	vg_ioc_stats st;
	vg_ioc_stats_get(rs, &st);
	printf("IOC set: %zu indicators (%zu rejected, %zu CIDR prefixes) loaded in %.2f s (%.0f IOCs/s)\n", rep.loaded,
	       rep.rejected, st.cidrs, load_s, load_s > 0 ? (double)rep.loaded / load_s : 0);
	printf("memory: %.1f bytes per IOC (set accounting, %.1f MB); RSS growth %.1f bytes per IOC\n",
	       (double)st.bytes / (double)(st.iocs ? st.iocs : 1), (double)st.bytes / 1e6,
	       (double)(rss1 - rss0) * 1024.0 / (double)(st.iocs ? st.iocs : 1));
	/* match, one core: in batches of events (vigie hunt), then one event at a
	 * time (vigie detect, and hunt when rules are loaded too) */
	worker one;
	double runs[64], batch_s;
	if (repeat < 1 || repeat > 64)
		repeat = 1;
	for (int r = 0; r < repeat; r++) {
		one = (worker){.rs = rs, .data = ev.data, .len = ev.len};
		t0 = vg_time_mono_ns();
		match_lines(&one);
		runs[r] = (double)(vg_time_mono_ns() - t0) / 1e9;
		if (repeat > 1)
			printf("  batched run %d: %.2f s, %.0f events/s\n", r + 1, runs[r], (double)one.events / runs[r]);
	}
	qsort(runs, (size_t)repeat, sizeof(double), cmp_double);
	batch_s = runs[repeat / 2];
	printf("vigie, batches of %d events: %llu events (%.1f MB) in %.2f s%s: %.0f events/s, %.1f MB/s on one core; "
	       "%llu IOC hits (%llu planted)\n",
	       VG_IOC_BATCH_EVENTS, (unsigned long long)one.events, (double)ev.len / 1e6, batch_s,
	       repeat > 1 ? " (median)" : "", (double)one.events / batch_s, (double)ev.len / 1e6 / batch_s,
	       (unsigned long long)one.hits, (unsigned long long)planted);
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	uint64_t hits = 0, events = 0;
	vg_detect_scratch_set_ioc(sc, on_ioc, &hits);
	t0 = vg_time_mono_ns();
	for (size_t off = 0; off < ev.len;) {
		const char *l = ev.data + off, *nl = memchr(l, '\n', ev.len - off);
		size_t n = nl ? (size_t)(nl - l) : ev.len - off;
		vg_detect_json(sc, l, n, NULL, NULL, &d);
		events++;
		off += n + 1;
	}
	double match_s = (double)(vg_time_mono_ns() - t0) / 1e9;
	printf("vigie, one event at a time: %llu events (%.1f MB) in %.2f s: %.0f events/s, %.1f MB/s on one core; "
	       "%llu IOC hits\n",
	       (unsigned long long)events, (double)ev.len / 1e6, match_s, (double)events / match_s,
	       (double)ev.len / 1e6 / match_s, (unsigned long long)hits);
	if (nthreads > 1 && nthreads <= 64)
		run_threads(rs, &ev, nthreads, (double)one.events / batch_s);
	/* the same loop without indicators: the engine's event extraction alone */
	vg_ruleset *rs0 = vg_ruleset_new();
	vg_detect_scratch *sc0 = NULL;
	if (rs0 && !vg_ioc_load_fields_string(rs0, "fields", fields, strlen(fields), &d) && !vg_ruleset_compile(rs0, &d) &&
	    (sc0 = vg_detect_scratch_new(rs0))) {
		t0 = vg_time_mono_ns();
		for (size_t off = 0; off < ev.len;) {
			const char *l = ev.data + off, *nl = memchr(l, '\n', ev.len - off);
			size_t n = nl ? (size_t)(nl - l) : ev.len - off;
			vg_detect_json(sc0, l, n, NULL, NULL, &d);
			off += n + 1;
		}
		double x = (double)(vg_time_mono_ns() - t0) / 1e9;
		printf("event extraction alone (no indicators): %.2f s, %.0f events/s; IOC lookups add %.2f us per event\n", x,
		       (double)events / x, (match_s - x) * 1e6 / (double)events);
	}
	vg_detect_scratch_free(sc0);
	vg_ruleset_free(rs0);
	if (baseline) {
		snprintf(cmd, sizeof(cmd), "LC_ALL=C grep -F -c -f %s/literals.txt %s/eve.json > %s/grep.out 2>&1", dir, dir, dir);
		double g = run_tool(cmd);
		snprintf(path, sizeof(path), "%s/grep.out", dir);
		char out[64] = "?";
		if ((f = fopen(path, "r"))) {
			if (!fgets(out, sizeof(out), f))
				out[0] = 0;
			fclose(f);
			out[strcspn(out, "\n")] = 0;
		}
		if (g >= 0)
			printf("grep -F -f literals.txt: %.2f s (%.1f MB/s), %s matching lines\n", g, (double)ev.len / 1e6 / g, out);
		snprintf(cmd, sizeof(cmd), "rg -F -c -f %s/literals.txt %s/eve.json > %s/rg.out 2>&1", dir, dir, dir);
		double r = run_tool(cmd);
		snprintf(path, sizeof(path), "%s/rg.out", dir);
		strcpy(out, "?");
		if ((f = fopen(path, "r"))) {
			if (!fgets(out, sizeof(out), f))
				out[0] = 0;
			fclose(f);
			out[strcspn(out, "\n")] = 0;
		}
		if (r >= 0 && strcmp(out, "?") && !strstr(out, "not found"))
			printf("rg -F -f literals.txt: %.2f s (%.1f MB/s), %s matching lines\n", r, (double)ev.len / 1e6 / r, out);
		else
			printf("rg: not installed\n");
	}
	vg_detect_scratch_free(sc);
	vg_ruleset_free(rs);
	vg_buf_fini(&ev);
	vg_buf_fini(&list);
	vg_buf_fini(&lits);
	return 0;
}
