/* Fuzz the Sigma YAML loader and rule compiler: any bytes as a rule file,
 * then one event through the compiled rule. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char ev[] = "{\"Image\":\"C:\\\\Windows\\\\cmd.exe\",\"CommandLine\":\"cmd /c whoami -enc AAA\","
				 "\"EventID\":1,\"Ip\":\"10.1.2.3\",\"T\":\"2025-01-02T03:04:05Z\"}";
	vg_ruleset *rs = vg_ruleset_new();
	vg_load_report rep = {0};
	vg_diag d;
	if (!rs)
		return 0;
	if (vg_ruleset_load_string(rs, "fuzz.yml", (const char *)data, size, &rep) == VG_OK &&
	    vg_ruleset_compile(rs, &d) == VG_OK) {
		vg_detect_scratch *sc = vg_detect_scratch_new(rs);
		if (sc) {
			vg_detect_json(sc, ev, strlen(ev), NULL, NULL, &d);
			vg_detect_scratch_free(sc);
		}
	}
	vg_ruleset_free(rs);
	return 0;
}
