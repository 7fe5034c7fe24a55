/* Fuzz target: CPE 2.3 formatted-string parser. A normalised name must parse
 * again to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/cpe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[VG_CPE_MAX + 1], again[VG_CPE_MAX + 1];
	if (size == 0 || size > 2 * VG_CPE_MAX)
		return 0;
	if (vg_cpe_normalize((const char *)data, size, out, sizeof out, "cpe", NULL) == VG_OK) {
		if (vg_cpe_normalize(out, 0, again, sizeof again, "cpe", NULL) != VG_OK || strcmp(out, again))
			abort();
	}
	(void)vg_cpe_has_unquoted_wildcard((const char *)data, size);
	return 0;
}
