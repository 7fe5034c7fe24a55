/* Benchmark: EVTX throughput through Vigie's input path and through the
 * engine with all SigmaHQ Windows rules, against libevtx's own evtxexport on
 * the same files, in one run.
 *
 *   bench_evtx [--rules DIR] [--mapping FILE] [--repeat N] [--no-evtxexport] [--concat FILE] [PATH...]
 *
 * PATH: EVTX files or folders searched recursively for files starting with
 * the EVTX signature (default: $VIGIE_SHARED/data, i.e. the SigmaHQ
 * regression samples). Each measure reads every file --repeat times (default
 * 5) on one thread and prints MB/s (file bytes) and records/s:
 *   1. input: vg_input_read (libevtx parses, renders each record as XML);
 *   2. input + engine: the same, each record through vg_detect_xml with all
 *      Windows rules routed by etc/detect/windows.yml;
 *   3. evtxexport -f xml FILE > /dev/null, one process per file, and the
 *      process start-up cost alone (evtxexport -V) to separate it out.
 * --concat FILE first writes one multi-chunk EVTX file made of the chunks of
 * all the files found (chunks copied as they are, the file header rewritten
 * with the chunk count and its CRC32) and measures on it alone: one file, one
 * evtxexport process, so that per-file costs do not hide the reading. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "core/clock.h"
#include "detect/input.h"
#include "detect/sigma.h"

typedef struct files {
	char **path;
	size_t n, cap;
	uint64_t bytes;
} files;

static void add_file(files *f, const char *path, off_t size)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 64;
		f->path = realloc(f->path, f->cap * sizeof *f->path);
		if (!f->path)
			exit(1);
	}
	f->path[f->n++] = strdup(path);
	f->bytes += (uint64_t)size;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(files *f, const char *path, int depth)
{
	struct stat sb;
	if (depth > 32 || stat(path, &sb) != 0)
		return;
	if (S_ISDIR(sb.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;
		char sub[4096];
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			collect(f, sub, depth + 1);
		}
		if (d)
			closedir(d);
		return;
	}
	char head[8] = {0};
	FILE *fp = S_ISREG(sb.st_mode) ? fopen(path, "rb") : NULL;
	if (fp) {
		size_t n = fread(head, 1, sizeof head, fp);
		fclose(fp);
		if (n >= 7 && !memcmp(head, "ElfFile", 7))
			add_file(f, path, sb.st_size);
	}
}

typedef struct run {
	vg_detect_scratch *sc;
	uint64_t records, hits, bytes_xml, bad;
	bool keeping; /* keep the rendered records of the first round (engine-only measure) */
	char **keep;
	size_t *keep_len, nkeep, capkeep;
} run;

static void on_hit(void *ctx, const vg_hit *h)
{
	(void)h;
	((run *)ctx)->hits++;
}

static bool on_record(void *ctx, const vg_record *r)
{
	run *x = ctx;
	vg_diag d;
	x->records++;
	x->bytes_xml += r->len;
	if (x->keeping) {
		if (x->nkeep == x->capkeep) {
			x->capkeep = x->capkeep ? x->capkeep * 2 : 256;
			x->keep = realloc(x->keep, x->capkeep * sizeof *x->keep);
			x->keep_len = realloc(x->keep_len, x->capkeep * sizeof *x->keep_len);
			if (!x->keep || !x->keep_len)
				exit(1);
		}
		x->keep[x->nkeep] = malloc(r->len);
		memcpy(x->keep[x->nkeep], r->data, r->len);
		x->keep_len[x->nkeep++] = r->len;
	}
	if (x->sc && vg_detect_xml(x->sc, r->data, r->len, on_hit, x, &d) < 0)
		x->bad++;
	return true;
}

static double pass(const files *f, int repeat, run *x)
{
	uint64_t t0 = vg_time_mono_ns();
	vg_input_opts o = {.record = on_record, .ctx = x};
	for (int r = 0; r < repeat; r++, x->keeping = false)
		for (size_t i = 0; i < f->n; i++) {
			vg_input_stats st = {0};
			vg_diag d;
			if (vg_input_read(f->path[i], &o, &st, &d) != VG_OK)
				x->bad++;
		}
	return (double)(vg_time_mono_ns() - t0) / 1e9;
}

#define EVTX_HEADER 4096
#define EVTX_CHUNK 65536

/* One EVTX file holding the chunks of all the files (see above). */
static bool concat(const files *f, const char *out, files *res)
{
	unsigned char hdr[EVTX_HEADER], *chunk = malloc(EVTX_CHUNK);
	FILE *o = fopen(out, "wb");
	size_t nchunks = 0;
	bool ok = o && chunk;
	memset(hdr, 0, sizeof hdr);
	if (ok && fwrite(hdr, 1, sizeof hdr, o) != sizeof hdr)
		ok = false;
	for (size_t i = 0; ok && i < f->n && nchunks < 65535; i++) {
		FILE *in = fopen(f->path[i], "rb");
		unsigned char h[EVTX_HEADER];
		if (!in)
			continue;
		if (fread(h, 1, sizeof h, in) == sizeof h) {
			if (nchunks == 0)
				memcpy(hdr, h, sizeof hdr);
			while (nchunks < 65535 && fread(chunk, 1, EVTX_CHUNK, in) == EVTX_CHUNK &&
			       !memcmp(chunk, "ElfChnk", 7)) {
				if (fwrite(chunk, 1, EVTX_CHUNK, o) != EVTX_CHUNK)
					ok = false;
				nchunks++;
			}
		}
		fclose(in);
	}
	if (ok && nchunks) {
		uint64_t last = nchunks - 1, next = 1000000;
		uint16_t n = (uint16_t)nchunks;
		uint32_t flags = 0, crc;
		memset(hdr + 8, 0, 8);       /* first chunk number */
		memcpy(hdr + 16, &last, 8);  /* last chunk number (little-endian host) */
		memcpy(hdr + 24, &next, 8);  /* next record identifier */
		memcpy(hdr + 42, &n, 2);     /* number of chunks */
		memcpy(hdr + 120, &flags, 4); /* clean, not full */
		crc = (uint32_t)crc32(0, hdr, 120);
		memcpy(hdr + 124, &crc, 4);
		ok = fseek(o, 0, SEEK_SET) == 0 && fwrite(hdr, 1, sizeof hdr, o) == sizeof hdr;
	}
	if (o && fclose(o) != 0)
		ok = false;
	free(chunk);
	if (ok && nchunks)
		add_file(res, out, (off_t)(EVTX_HEADER + nchunks * (size_t)EVTX_CHUNK));
	printf("%s: %zu chunks from %zu files\n", out, nchunks, f->n);
	return ok && nchunks;
}

/* Run argv with stdout to /dev/null; false when it cannot run or fails. */
static bool run_quiet(char *const argv[])
{
	pid_t pid;
	fflush(stdout); /* the child must not write our buffered lines again */
	pid = fork();
	int status;
	if (pid < 0)
		return false;
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void report(const char *what, const files *f, int repeat, double secs, uint64_t records)
{
	double mb = (double)f->bytes * repeat / 1e6;
	printf("%-44s %8.3f s  %8.1f MB/s  %10.0f records/s\n", what, secs, mb / secs, (double)records / secs);
}

int main(int argc, char **argv)
{
	const char *shared = getenv("VIGIE_SHARED") ? getenv("VIGIE_SHARED") : "../shared";
	char rules[1024], mapping[1024], data[1024];
	int repeat = 5;
	bool evtxexport = true;
	const char *concat_out = NULL;
	files f = {0};
	snprintf(rules, sizeof rules, "%s/data/sigma/rules/rules/windows", shared);
	snprintf(mapping, sizeof mapping, "etc/detect/windows.yml");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rules") && i + 1 < argc)
			snprintf(rules, sizeof rules, "%s", argv[++i]);
		else if (!strcmp(argv[i], "--mapping") && i + 1 < argc)
			snprintf(mapping, sizeof mapping, "%s", argv[++i]);
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = atoi(argv[++i]) > 0 ? atoi(argv[i]) : 1;
		else if (!strcmp(argv[i], "--concat") && i + 1 < argc)
			concat_out = argv[++i];
		else if (!strcmp(argv[i], "--no-evtxexport"))
			evtxexport = false;
		else if (argv[i][0] == '-') {
			fprintf(stderr, "usage: bench_evtx [--rules DIR] [--mapping FILE] [--repeat N] [--no-evtxexport] "
					"[--concat FILE] [PATH...]\n");
			return 2;
		} else
			collect(&f, argv[i], 0);
	}
	if (!f.n) {
		snprintf(data, sizeof data, "%s/data", shared);
		collect(&f, data, 0);
	}
	if (!f.n) {
		fprintf(stderr, "bench_evtx: no EVTX file found (set VIGIE_SHARED or give paths)\n");
		return 1;
	}
	qsort(f.path, f.n, sizeof *f.path, cmp);
	if (concat_out) {
		files one = {0};
		if (!concat(&f, concat_out, &one)) {
			fprintf(stderr, "bench_evtx: cannot write %s\n", concat_out);
			return 1;
		}
		for (size_t i = 0; i < f.n; i++)
			free(f.path[i]);
		free(f.path);
		f = one;
	}
	printf("%zu EVTX files, %.2f MB, read %d times each\n", f.n, (double)f.bytes / 1e6, repeat);

	/* 1. input path only */
	run in = {.keeping = true};
	double t_in = pass(&f, repeat, &in);
	printf("%llu records (%.0f bytes of XML per record), %llu unreadable\n",
	       (unsigned long long)(in.records / (uint64_t)repeat),
	       in.records ? (double)in.bytes_xml / (double)in.records : 0.0, (unsigned long long)in.bad);
	report("vigie input (libevtx parse + XML render)", &f, repeat, t_in, in.records);

	/* 2. input + engine */
	vg_ruleset *rs = vg_ruleset_new();
	vg_load_report rep = {0};
	vg_diag d;
	uint64_t t0 = vg_time_mono_ns();
	if (vg_ruleset_load_mapping(rs, mapping, &d) || vg_ruleset_load_path(rs, rules, &rep) ||
	    vg_ruleset_compile(rs, &d)) {
		fprintf(stderr, "bench_evtx: cannot load %s / %s: %s\n", mapping, rules, d.message);
		return 1;
	}
	vg_ruleset_stats rst;
	vg_ruleset_stats_get(rs, &rst);
	printf("%zu rules loaded, %zu routed, compiled in %.2f s\n", rep.loaded, rst.active,
	       (double)(vg_time_mono_ns() - t0) / 1e9);
	run en = {.sc = vg_detect_scratch_new(rs)};
	double t_en = pass(&f, repeat, &en);
	report("vigie input + engine (all Windows rules)", &f, repeat, t_en, en.records);
	printf("%llu hits per pass, %llu records refused by the XML reader\n",
	       (unsigned long long)(en.hits / (uint64_t)repeat), (unsigned long long)en.bad);
	/* the engine alone on the rendered records (in memory), many times */
	{
		run eo = {.sc = en.sc};
		vg_record rec = {VG_RECORD_XML, NULL, 0, "mem", 0};
		uint64_t e0 = vg_time_mono_ns(), xml = 0;
		int loops = 200;
		for (int l = 0; l < loops; l++)
			for (size_t i = 0; i < in.nkeep; i++) {
				rec.data = in.keep[i];
				rec.len = in.keep_len[i];
				xml += rec.len;
				on_record(&eo, &rec);
			}
		double t = (double)(vg_time_mono_ns() - e0) / 1e9;
		printf("%-44s %8.3f s  %8.1f MB/s  %10.0f records/s (MB of XML)\n", "engine alone on the rendered XML", t,
		       (double)xml / 1e6 / t, (double)eo.records / t);
	}
	for (size_t i = 0; i < in.nkeep; i++)
		free(in.keep[i]);
	free(in.keep);
	free(in.keep_len);
	vg_detect_scratch_free(en.sc);
	vg_ruleset_free(rs);

	/* 3. evtxexport */
	if (evtxexport) {
		char *ver[] = {"evtxexport", "-V", NULL};
		if (!run_quiet(ver)) {
			printf("evtxexport: not found (Debian package libevtx-utils)\n");
		} else {
			uint64_t s0 = vg_time_mono_ns();
			size_t failed = 0;
			for (int r = 0; r < repeat; r++)
				for (size_t i = 0; i < f.n; i++) {
					char *av[] = {"evtxexport", "-f", "xml", f.path[i], NULL};
					failed += !run_quiet(av);
				}
			double t_ex = (double)(vg_time_mono_ns() - s0) / 1e9;
			s0 = vg_time_mono_ns();
			for (int r = 0; r < repeat; r++)
				for (size_t i = 0; i < f.n; i++)
					run_quiet(ver);
			double t_start = (double)(vg_time_mono_ns() - s0) / 1e9;
			report("evtxexport -f xml (one process per file)", &f, repeat, t_ex, in.records);
			report("evtxexport, start-up (-V) removed", &f, repeat, t_ex - t_start, in.records);
			printf("evtxexport start-up: %.2f ms per process; %zu runs failed\n",
			       t_start * 1000.0 / (double)(f.n * (size_t)repeat), failed);
		}
	}
	for (size_t i = 0; i < f.n; i++)
		free(f.path[i]);
	free(f.path);
	return 0;
}
