/* Fuzz the Sigma condition parser over a fixed set of selection names. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"selection", "selection_img", "filter_main", "filter_optional", "_x",
					    "keywords"};
	char *cond = malloc(size + 1);
	vg_diag d;
	if (!cond)
		return 0;
	memcpy(cond, data, size);
	cond[size] = 0;
	vg_sigma_condition_check(cond, names, sizeof(names) / sizeof(names[0]), &d);
	free(cond);
	return 0;
}
