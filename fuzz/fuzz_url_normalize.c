/* Fuzz target: URL normalisation and per-type normalisers. A normalised value
 * must normalise to itself (idempotence) and never overflow its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "observe/observe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[VG_OBS_VALUE_BUF], again[VG_OBS_VALUE_BUF];
	const char *in = (const char *)data;
	if (size > VG_OBS_VALUE_MAX + 16)
		return 0;
	if (vg_url_normalize(in, size, out, sizeof out, "url", NULL) == VG_OK) {
		if (vg_url_normalize(out, 0 + strlen(out), again, sizeof again, "url", NULL) != VG_OK ||
		    strcmp(out, again) != 0)
			abort();
	}
	for (int t = 0; t < VG_OBS__COUNT; t++) {
		if (vg_obs_normalize((vg_obs_type)t, in, size, out, sizeof out, "v", NULL) != VG_OK)
			continue;
		if (vg_obs_normalize((vg_obs_type)t, out, strlen(out), again, sizeof again, "v", NULL) != VG_OK ||
		    strcmp(out, again) != 0)
			abort();
	}
	return 0;
}
