/* Fuzz the Sigma YAML loader and rule compiler: any bytes as a rule file
 * (detection, filter and correlation documents), then a few events through
 * the compiled rules, their hits through the correlation state, and a flush.
 * Differential: each event is matched again in exhaustive mode (no literal
 * prefilter, no value sets, no route-key cache); the hits must be the same. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fctx {
	vg_corr_state *st;
	vg_detect_scratch *sc;
	size_t corr_hits;
} fctx;

static void on_corr(void *ctx, const vg_corr_hit *h)
{
	fctx *f = ctx;
	f->corr_hits += h->ngroup + h->nrules + (h->rule->title != NULL);
}

static void on_hit(void *ctx, const vg_hit *h)
{
	fctx *f = ctx;
	if (h->rule->feeds_correlation)
		vg_corr_feed_hit(f->st, f->sc, h, on_corr, f);
}

static void count_hit(void *ctx, const vg_hit *h)
{
	(void)h;
	(*(int *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const evs[] = {
		"{\"Image\":\"C:\\\\Windows\\\\cmd.exe\",\"CommandLine\":\"cmd /c whoami -enc AAA\","
		"\"EventID\":1,\"Ip\":\"10.1.2.3\",\"T\":\"2025-01-02T03:04:05Z\",\"User\":\"bob\",\"N\":12}",
		"{\"Image\":\"C:\\\\Windows\\\\cmd.exe\",\"EventID\":4625,\"User\":\"bob\",\"T\":\"2025-01-02T03:04:06.5+01:00\","
		"\"timestamp\":\"2025-01-02T03:04:06.5+0100\",\"N\":\"7\"}",
		"{\"Image\":\"C:\\\\x.exe\",\"EventID\":4624,\"User\":\"alice\",\"N\":1e3}",
		"{\"Image\":\"C:\\\\Windows\\\\cmd.exe\",\"EventID\":1,\"User\":\"bob\",\"T\":\"2025-01-02T02:04:05Z\"}",
	};
	static const char map[] = "timestamp: [T, timestamp]\n";
	vg_ruleset *rs = vg_ruleset_new();
	vg_load_report rep = {0};
	vg_diag d;
	if (!rs)
		return 0;
	if (vg_ruleset_load_mapping_string(rs, "map.yml", map, strlen(map), &d) == VG_OK &&
	    vg_ruleset_load_string(rs, "fuzz.yml", (const char *)data, size, &rep) == VG_OK &&
	    vg_ruleset_compile(rs, &d) == VG_OK) {
		fctx f = {vg_corr_state_new(rs), vg_detect_scratch_new(rs), 0};
		vg_detect_scratch *slow = vg_detect_scratch_new(rs);
		for (size_t i = 0; i < vg_ruleset_problem_count(rs); i++)
			f.corr_hits += vg_ruleset_problem(rs, i)->message[0] != 0;
		if (f.sc && f.st && slow) {
			vg_detect_scratch_set_exhaustive(slow, true);
			for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
				int a = vg_detect_json(f.sc, evs[i], strlen(evs[i]), on_hit, &f, &d), b = 0;
				vg_detect_json(slow, evs[i], strlen(evs[i]), count_hit, &b, &d);
				if (a >= 0 && a != b) {
					fprintf(stderr, "event %zu: %d hits with the prefilter, %d exhaustive\n", i, a, b);
					abort();
				}
			}
			vg_corr_flush(f.st, on_corr, &f);
		}
		vg_corr_state_free(f.st);
		vg_detect_scratch_free(f.sc);
		vg_detect_scratch_free(slow);
	}
	vg_ruleset_free(rs);
	return 0;
}
