/* Fuzz target: the configuration file parser. */
#include <stdint.h>
#include <stddef.h>

#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vg_config c;
	vg_diag d;
	vg_config_defaults(&c);
	vg_config_load_text(&c, (const char *)data, size, "fuzz", &d);
	return 0;
}
