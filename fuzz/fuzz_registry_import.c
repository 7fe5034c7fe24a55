/* Fuzz target: bulk import (JSON and CSV) into an in-memory database. Must
 * never crash; errors are reported, not fatal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vg_db *db;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vg_import_options o = {.format = VG_REG_FMT_AUTO, .dry_run = true};
	vg_import_report rep;
	vg_diag d;
	if (size > 256 * 1024)
		return 0;
	if (!db) {
		vg_db_options opts = {0};
		if (vg_db_open(":memory:", &opts, &db, &d) != VG_OK)
			abort();
	}
	(void)vg_registry_import(db, (const char *)data, size, &o, &rep, &d);
	if (rep.nerrors > rep.errors_total || vg_db_in_tx(db))
		abort();
	vg_import_report_fini(&rep);
	return 0;
}
