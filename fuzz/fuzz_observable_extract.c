/* Fuzz target: refanging and observable extraction. Every candidate must lie
 * inside the input, carry a value that normalises to its normalised form, and
 * the count must respect the limit. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/limits.h"
#include "observe/observe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vg_arena *a;
	vg_obs_candidates c;
	char *rf;
	uint32_t *off;
	size_t n;
	if (size > 256 * 1024)
		return 0;
	rf = malloc(size + 1);
	off = malloc((size + 1) * sizeof *off);
	if (!rf || !off)
		abort();
	n = vg_obs_refang((const char *)data, size, rf, size + 1, off);
	if (n > size || rf[n] != '\0')
		abort();
	for (size_t i = 0; i < n; i++)
		if (off[i] >= size || (i > 0 && off[i] < off[i - 1]))
			abort();
	free(rf);
	free(off);
	a = vg_arena_new(0);
	if (!a)
		abort();
	if (vg_obs_extract((const char *)data, size, vg_obs_warnlist_default(), a, &c, NULL) == VG_OK) {
		if (c.len > VG_OBS_EXTRACT_MAX)
			abort();
		for (size_t i = 0; i < c.len; i++) {
			char again[VG_OBS_VALUE_BUF];
			if (c.items[i].offset + c.items[i].length > size)
				abort();
			if (vg_obs_normalize(c.items[i].type, c.items[i].normalized, strlen(c.items[i].normalized), again,
					     sizeof again, "v", NULL) != VG_OK ||
			    strcmp(again, c.items[i].normalized) != 0)
				abort();
		}
	}
	vg_arena_free(a);
	return 0;
}
