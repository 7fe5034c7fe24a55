/* Fuzz target: the JSON body parser every API route goes through
 * (vg_json_parse_object with the depth limit), then what handlers do with a
 * parsed body: typed field access and re-serialisation. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = {"name", "kind", "networks", "id", NULL};
	static const char *const kinds[] = {"cert", "isp", "other", NULL};
	json_t *j = NULL, *arr = NULL;
	vg_diag d;
	const char *s;
	int64_t i;
	bool b, present;
	char *out;

	vg_diag_clear(&d);
	/* the exact call of the HTTP layer */
	if (vg_json_parse_object((const char *)data, size, VG_JSON_DEPTH_MAX, &j, &d) != VG_OK) {
		if (j)
			abort(); /* no document on failure */
		/* a shallower limit must never accept what the full limit refused */
		if (vg_json_parse_object((const char *)data, size, 2, &j, &d) == VG_OK)
			abort();
		return 0;
	}
	if (!json_is_object(j))
		abort();
	vg_json_only_keys(j, keys, &d);
	vg_json_str(j, "name", 1, VG_FIELD_TEXT_MAX, &s, &present, &d);
	vg_json_int(j, "id", 1, INT64_MAX, &i, &present, &d);
	vg_json_bool(j, "in_scope", &b, &present, &d);
	vg_json_array(j, "networks", VG_ORG_CHILDREN_MAX, &arr, &present, &d);
	vg_json_enum(j, "kind", kinds, &s, &present, &d);
	/* what was accepted serialises and parses back to an object */
	out = json_dumps(j, JSON_COMPACT);
	if (out) {
		json_t *again = NULL;
		if (vg_json_parse_object(out, strlen(out), VG_JSON_DEPTH_MAX + 1, &again, &d) != VG_OK)
			abort();
		json_decref(again);
		free(out);
	}
	json_decref(j);
	return 0;
}
