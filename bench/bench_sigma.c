/* Benchmark: all SigmaHQ Windows rules over generated Sysmon-like JSON events
 * (the evtx_dump-style rendering the Windows mapping expects).
 *
 *   bench_sigma [--rules DIR] [--mapping FILE] [--events N] [--threads-max N]
 *   bench_sigma --generate N FILE      write the events as JSON lines
 *   bench_sigma --verify [--events N]  check that the prefilter loses no hit
 *                                      (exhaustive evaluation of every rule)
 *   bench_sigma --match-only [--threads N]  only full matching with N threads
 *                                      (for callgrind --toggle-collect=vg_detect_json)
 *
 * Prints events/s for the field extractor alone, for jansson parsing alone
 * (to answer "is generic JSON parsing the bottleneck?") and for full matching
 * with 1..threads-max threads. Defaults: rules and mapping from VIGIE_SHARED /
 * the source tree, 200,000 events, 2 threads. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/clock.h"
#include "detect/internal.h"
#include "detect/sigma.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}
#define PICK(a) (a[rnd() % (sizeof(a) / sizeof(a[0]))])

static const char *const images[] = {
	"C:\\\\Windows\\\\System32\\\\svchost.exe", "C:\\\\Windows\\\\System32\\\\cmd.exe",
	"C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe",
	"C:\\\\Program Files\\\\Google\\\\Chrome\\\\Application\\\\chrome.exe", "C:\\\\Windows\\\\explorer.exe",
	"C:\\\\Windows\\\\System32\\\\conhost.exe", "C:\\\\Program Files\\\\Microsoft Office\\\\root\\\\Office16\\\\WINWORD.EXE",
	"C:\\\\Windows\\\\System32\\\\taskhostw.exe", "C:\\\\Users\\\\alice\\\\AppData\\\\Local\\\\Temp\\\\setup.exe",
	"C:\\\\Windows\\\\System32\\\\rundll32.exe", "C:\\\\Windows\\\\System32\\\\wbem\\\\WmiPrvSE.exe",
	"C:\\\\Program Files\\\\7-Zip\\\\7z.exe", "C:\\\\Windows\\\\System32\\\\msiexec.exe",
};
static const char *const args[] = {"-k netsvcs -p", "/c echo hello", "-NoProfile -File C:\\\\scripts\\\\backup.ps1",
				   "--type=renderer --lang=fr", "/S /v/qn", "a -tzip out.zip docs", "",
				   "shell32.dll,Control_RunDLL", "-Embedding", "/d /s /c \\\"dir C:\\\\Users\\\"",
				   "--no-sandbox https://intranet.example.fr/portal"};
static const char *const users[] = {"NT AUTHORITY\\\\SYSTEM", "CORP\\\\alice", "CORP\\\\bob", "NT AUTHORITY\\\\LOCAL SERVICE"};
static const char *const files[] = {"C:\\\\Users\\\\alice\\\\Documents\\\\report.docx", "C:\\\\Windows\\\\Temp\\\\log.txt",
				    "C:\\\\ProgramData\\\\app\\\\cache.db", "C:\\\\Users\\\\bob\\\\Downloads\\\\invoice.pdf"};
static const char *const keys[] = {"HKLM\\\\SOFTWARE\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run\\\\Updater",
				   "HKU\\\\S-1-5-21-1\\\\Software\\\\Microsoft\\\\Office\\\\16.0\\\\Word\\\\MRU",
				   "HKLM\\\\System\\\\CurrentControlSet\\\\Services\\\\bam\\\\State"};
static const char *const domains[] = {"www.google.com", "login.microsoftonline.com", "intranet.example.fr", "cdn.example.net"};

static void gen_event(vg_buf *b, uint64_t i)
{
	uint32_t r = rnd() % 100;
	int eid = r < 55 ? 1 : r < 65 ? 3 : r < 75 ? 11 : r < 85 ? 13 : r < 92 ? 7 : r < 97 ? 22 : 10;
	const char *img = PICK(images);
	vg_buf_printf(b,
		      "{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Sysmon\"}},"
		      "\"EventID\":%d,\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"ws%03u.corp.example.fr\","
		      "\"EventRecordID\":%llu,\"TimeCreated\":{\"#attributes\":{\"SystemTime\":\"2026-11-27T10:%02u:%02u.%06uZ\"}}},"
		      "\"EventData\":{\"RuleName\":\"-\",\"UtcTime\":\"2026-11-27 10:%02u:%02u\",\"ProcessGuid\":\"{%08X-1234-5678-9ABC-DEF012345678}\","
		      "\"ProcessId\":%u,\"Image\":\"%s\",",
		      eid, rnd() % 500, (unsigned long long)i, rnd() % 60, rnd() % 60, rnd() % 1000000, rnd() % 60, rnd() % 60,
		      rnd(), rnd() % 65536, img);
	switch (eid) {
	case 1:
		vg_buf_printf(b,
			      "\"FileVersion\":\"10.0.19041.1\",\"Description\":\"Windows program\",\"Product\":\"Microsoft Windows\","
			      "\"Company\":\"Microsoft Corporation\",\"OriginalFileName\":\"prog.exe\",\"CommandLine\":\"\\\"%s\\\" %s\","
			      "\"CurrentDirectory\":\"C:\\\\Windows\\\\system32\\\\\",\"User\":\"%s\",\"LogonId\":\"0x3e7\","
			      "\"IntegrityLevel\":\"%s\",\"Hashes\":\"SHA256=%08X%08X%08X%08X,IMPHASH=%08X%08X\","
			      "\"ParentImage\":\"%s\",\"ParentCommandLine\":\"%s %s\",\"ParentUser\":\"%s\"",
			      img, PICK(args), PICK(users), rnd() % 2 ? "Medium" : "System", rnd(), rnd(), rnd(), rnd(), rnd(), rnd(),
			      PICK(images), PICK(images), PICK(args), PICK(users));
		break;
	case 3:
		vg_buf_printf(b,
			      "\"User\":\"%s\",\"Protocol\":\"tcp\",\"Initiated\":\"true\",\"SourceIp\":\"10.%u.%u.%u\","
			      "\"SourcePort\":%u,\"DestinationIp\":\"%u.%u.%u.%u\",\"DestinationHostname\":\"%s\",\"DestinationPort\":%d",
			      PICK(users), rnd() % 256, rnd() % 256, rnd() % 256, 49152 + rnd() % 16000, rnd() % 224, rnd() % 256,
			      rnd() % 256, rnd() % 256, PICK(domains), rnd() % 2 ? 443 : 80);
		break;
	case 11:
		vg_buf_printf(b, "\"TargetFilename\":\"%s\",\"CreationUtcTime\":\"2026-11-27 10:00:00\",\"User\":\"%s\"",
			      PICK(files), PICK(users));
		break;
	case 13:
		vg_buf_printf(b, "\"EventType\":\"SetValue\",\"TargetObject\":\"%s\",\"Details\":\"DWORD (0x%08x)\",\"User\":\"%s\"",
			      PICK(keys), rnd() % 4, PICK(users));
		break;
	case 7:
		vg_buf_printf(b, "\"ImageLoaded\":\"C:\\\\Windows\\\\System32\\\\%s.dll\",\"Signed\":\"true\",\"Signature\":\"Microsoft Windows\","
			      "\"SignatureStatus\":\"Valid\",\"User\":\"%s\"",
			      rnd() % 2 ? "kernel32" : "ntdll", PICK(users));
		break;
	case 22:
		vg_buf_printf(b, "\"QueryName\":\"%s\",\"QueryStatus\":\"0\",\"QueryResults\":\"::ffff:93.184.216.34;\",\"User\":\"%s\"",
			      PICK(domains), PICK(users));
		break;
	default:
		vg_buf_printf(b, "\"SourceImage\":\"%s\",\"TargetImage\":\"C:\\\\Windows\\\\System32\\\\lsass.exe\","
			      "\"GrantedAccess\":\"0x1000\",\"CallTrace\":\"C:\\\\Windows\\\\SYSTEM32\\\\ntdll.dll+9d234\"",
			      img);
	}
	vg_buf_puts(b, "}}}\n");
}

typedef struct work {
	const vg_ruleset *rs;
	const char *buf;
	const size_t *off;
	size_t from, to;
	uint64_t hits;
} work;

static void *run(void *arg)
{
	work *w = arg;
	vg_detect_scratch *sc = vg_detect_scratch_new(w->rs);
	vg_diag d;
	for (size_t i = w->from; i < w->to; i++) {
		int n = vg_detect_json(sc, w->buf + w->off[i], w->off[i + 1] - w->off[i], NULL, NULL, &d);
		if (n > 0)
			w->hits += (uint64_t)n;
	}
	vg_detect_scratch_free(sc);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *shared = getenv("VIGIE_SHARED");
	char rules[1024], mapping[1024];
	size_t nev = 200000, tmax = 2, tmin = 1;
	bool verify = false, match_only = false;
	vg_buf b;
	vg_diag d;
	snprintf(rules, sizeof(rules), "%s/data/sigma/rules/rules/windows", shared ? shared : "../shared");
	snprintf(mapping, sizeof(mapping), "etc/detect/windows.yml");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--generate") && i + 2 < argc) {
			size_t n = (size_t)atol(argv[i + 1]);
			FILE *f = fopen(argv[i + 2], "w");
			if (!f)
				return 1;
			for (size_t k = 0; k < n; k++) {
				vg_buf_init(&b, 0);
				gen_event(&b, k);
				fwrite(b.data, 1, b.len, f);
				vg_buf_fini(&b);
			}
			fclose(f);
			return 0;
		}
		if (!strcmp(argv[i], "--rules") && i + 1 < argc)
			snprintf(rules, sizeof(rules), "%s", argv[++i]);
		else if (!strcmp(argv[i], "--mapping") && i + 1 < argc)
			snprintf(mapping, sizeof(mapping), "%s", argv[++i]);
		else if (!strcmp(argv[i], "--events") && i + 1 < argc)
			nev = (size_t)atol(argv[++i]);
		else if (!strcmp(argv[i], "--threads-max") && i + 1 < argc)
			tmax = (size_t)atol(argv[++i]);
		else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			tmin = tmax = (size_t)atol(argv[++i]);
		else if (!strcmp(argv[i], "--match-only"))
			match_only = true;
		else if (!strcmp(argv[i], "--verify"))
			verify = true;
	}
	/* events */
	size_t *off = malloc((nev + 1) * sizeof(size_t));
	vg_buf_init(&b, 0);
	for (size_t k = 0; k < nev; k++) {
		off[k] = b.len;
		gen_event(&b, k);
	}
	off[nev] = b.len;
	printf("events: %zu generated Sysmon-like JSON events, %.1f MB (%.0f bytes/event)\n", nev, (double)b.len / 1e6,
	       (double)b.len / (double)nev);
	/* rules */
	uint64_t t0 = vg_time_mono_ns();
	vg_ruleset *rs = vg_ruleset_new();
	vg_load_report rep = {0};
	if (vg_ruleset_load_mapping(rs, mapping, &d) || vg_ruleset_load_path(rs, rules, &rep) ||
	    vg_ruleset_compile(rs, &d)) {
		fprintf(stderr, "cannot load rules/mapping: %s\n", d.message);
		return 1;
	}
	vg_ruleset_stats st;
	vg_ruleset_stats_get(rs, &st);
	printf("rules: %zu loaded from %s (%zu rejected), %zu routed, %zu behind the prefilter (%zu literals), "
	       "%zu always evaluated; load+compile %.2f s\n",
	       rep.loaded, rules, rep.rejected, st.active, st.prefiltered, st.literals, st.always,
	       (double)(vg_time_mono_ns() - t0) / 1e9);
	{
		size_t ndb = 0;
		for (size_t g = 0; g < rs->nlit_groups; g++)
			ndb += rs->lit_groups[g].db != NULL;
		printf("prefilter: %zu route groups, %zu literal databases; keywords: %s\n", rs->nlit_groups, ndb,
		       rs->keywords ? "yes (every value kept)" : "no (unused values skipped)");
	}
	if (verify) {
		vg_detect_scratch *a = vg_detect_scratch_new(rs), *x = vg_detect_scratch_new(rs);
		size_t diffs = 0;
		uint64_t ha = 0, hx = 0;
		vg_detect_scratch_set_exhaustive(x, true);
		for (size_t k = 0; k < nev; k++) {
			int na = vg_detect_json(a, b.data + off[k], off[k + 1] - off[k], NULL, NULL, &d);
			int nx = vg_detect_json(x, b.data + off[k], off[k + 1] - off[k], NULL, NULL, &d);
			ha += (uint64_t)(na > 0 ? na : 0);
			hx += (uint64_t)(nx > 0 ? nx : 0);
			diffs += na != nx;
		}
		printf("verify: %llu hits with the prefilter, %llu exhaustive, %zu events differ\n", (unsigned long long)ha,
		       (unsigned long long)hx, diffs);
		vg_detect_scratch_free(a);
		vg_detect_scratch_free(x);
		vg_ruleset_free(rs);
		vg_buf_fini(&b);
		free(off);
		return diffs ? 1 : 0;
	}
	if (tmax > 64)
		tmax = 64;
	if (tmin < 1)
		tmin = 1;
	if (!match_only) {
		/* jansson parse only */
		t0 = vg_time_mono_ns();
		for (size_t k = 0; k < nev; k++) {
			json_t *j = json_loadb(b.data + off[k], off[k + 1] - off[k], 0, NULL);
			json_decref(j);
		}
		double tj = (double)(vg_time_mono_ns() - t0) / 1e9;
		/* our extractor only */
		vg_event ev;
		vg_event_init(&ev, rs);
		t0 = vg_time_mono_ns();
		for (size_t k = 0; k < nev; k++)
			vg_event_from_json(&ev, rs, b.data + off[k], off[k + 1] - off[k], &d);
		double tx = (double)(vg_time_mono_ns() - t0) / 1e9;
		vg_event_fini(&ev);
		printf("parse only, 1 thread: jansson %.0f events/s, vigie field extractor %.0f events/s\n", (double)nev / tj,
		       (double)nev / tx);
	}
	/* full matching */
	for (size_t nt = tmin; nt <= tmax; nt++) {
		pthread_t tid[64];
		work w[64];
		uint64_t hits = 0;
		t0 = vg_time_mono_ns();
		for (size_t t = 0; t < nt; t++) {
			w[t] = (work){rs, b.data, off, nev * t / nt, nev * (t + 1) / nt, 0};
			pthread_create(&tid[t], NULL, run, &w[t]);
		}
		for (size_t t = 0; t < nt; t++) {
			pthread_join(tid[t], NULL);
			hits += w[t].hits;
		}
		double secs = (double)(vg_time_mono_ns() - t0) / 1e9;
		printf("match, %zu thread%s: %.0f events/s total, %.0f events/s per thread, %.1f MB/s, %llu hits\n", nt,
		       nt > 1 ? "s" : "", (double)nev / secs, (double)nev / secs / (double)nt, (double)b.len / 1e6 / secs,
		       (unsigned long long)hits);
	}
	vg_ruleset_free(rs);
	vg_buf_fini(&b);
	free(off);
	return 0;
}
