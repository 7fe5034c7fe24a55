/* Fuzz target: the playbook file parser (front matter + Markdown advice). */
#include <stddef.h>
#include <stdint.h>

#include "cases/cases.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = NULL;
	vg_diag d;
	if (vg_playbook_parse((const char *)data, size, "fuzz", &doc, &d) == VG_OK)
		json_decref(doc);
	return 0;
}
