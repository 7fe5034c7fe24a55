/* Fuzz the STIX pattern subset parser, and the indicator loaders (STIX,
 * MISP, CSV, plain lists) on the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/ioc.h"
#include "detect/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vg_err on_cmp(void *ctx, size_t term, const char *object, const char *property, const char *value,
		     size_t vlen)
{
	(void)term;
	*(size_t *)ctx += strlen(object) + strlen(property) + vlen + (value[vlen] == 0);
	return VG_OK;
}

static void on_hit(void *ctx, const vg_ioc_hit *h)
{
	*(size_t *)ctx += strlen(h->ioc->value) + strlen(h->ioc->file) + strlen(h->field);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const vg_ioc_format fmts[] = {VG_IOC_FMT_STIX, VG_IOC_FMT_MISP, VG_IOC_FMT_CSV, VG_IOC_FMT_LIST};
	size_t sum = 0;
	vg_diag d;
	vg_stix_pattern_parse((const char *)data, size, on_cmp, &sum, &d);
	vg_ruleset *rs = vg_ruleset_new();
	if (!rs)
		return 0;
	vg_ioc_load_fields_string(rs, "fields", "src_ip: ip\nq: domain\n", 21, &d);
	vg_ioc_load_string(rs, "f", (const char *)data, size, fmts[size % 4], VG_IOC_NONE, NULL);
	if (!vg_ruleset_compile(rs, &d)) {
		vg_detect_scratch *sc = vg_detect_scratch_new(rs);
		if (sc) {
			static const char ev[] = "{\"src_ip\":\"10.1.2.3\",\"q\":\"a.b.example\"}";
			vg_detect_scratch_set_ioc(sc, on_hit, &sum);
			vg_detect_json(sc, ev, sizeof(ev) - 1, NULL, NULL, &d);
			vg_detect_scratch_free(sc);
		}
	}
	vg_ruleset_free(rs);
	return 0;
}
