/* Fuzz the event field extractors (JSON and EVTX-style XML) and the record
 * splitter, with a small ruleset so that matching runs on the fields too:
 * once with a keyword rule (every value kept) and once without (the values of
 * paths no rule uses are skipped undecoded, routes come from the route cache). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/input.h"
#include "detect/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vg_ruleset *rs, *rs_skip;

static bool on_record(void *ctx, const vg_record *rec)
{
	vg_diag d;
	vg_detect_json(ctx, rec->data, rec->len, NULL, NULL, &d);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char map[] = "strip_prefixes: [Event.EventData., Event.System.]\nlogsources:\n"
				  "  - {product: windows, category: process_creation, conditions: {EventID: 1}}\n";
	static const char rule[] = "title: f\nlogsource: {product: windows, category: process_creation}\n"
				   "detection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n    CommandLine|re: 'a.*b'\n"
				   "  kw: ['whoami']\n  condition: sel or kw\n";
	static const char rule_fields[] = "title: g\nlogsource: {product: windows, category: process_creation}\n"
					  "detection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n    CommandLine|contains: 'ab'\n"
					  "  condition: sel\n";
	vg_diag d;
	if (!rs) {
		rs = vg_ruleset_new();
		vg_ruleset_load_mapping_string(rs, "map", map, strlen(map), &d);
		vg_ruleset_load_string(rs, "rule", rule, strlen(rule), NULL);
		vg_ruleset_compile(rs, &d);
		rs_skip = vg_ruleset_new();
		vg_ruleset_load_mapping_string(rs_skip, "map", map, strlen(map), &d);
		vg_ruleset_load_string(rs_skip, "rule", rule_fields, strlen(rule_fields), NULL);
		vg_ruleset_compile(rs_skip, &d);
	}
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	if (!sc)
		return 0;
	vg_detect_json(sc, (const char *)data, size, NULL, NULL, &d);
	vg_detect_event_json(sc);
	vg_detect_xml(sc, (const char *)data, size, NULL, NULL, &d);
	vg_detect_event_json(sc);
	vg_input_opts o = {.record = on_record, .ctx = sc};
	vg_input_stats st = {0};
	uint64_t recno = 0;
	bool stop = false;
	vg_input_split_json((const char *)data, size, true, "fuzz", &recno, &o, &st, &stop);
	vg_detect_scratch_free(sc);
	if ((sc = vg_detect_scratch_new(rs_skip))) {
		vg_detect_json(sc, (const char *)data, size, NULL, NULL, &d);
		vg_detect_event_json(sc);
		vg_detect_json(sc, (const char *)data, size, NULL, NULL, &d); /* the path and route caches warm */
		vg_detect_xml(sc, (const char *)data, size, NULL, NULL, &d);
		vg_detect_event_json(sc);
		vg_detect_scratch_free(sc);
	}
	return 0;
}
