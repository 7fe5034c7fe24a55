/* CPE 2.3 formatted strings (NISTIR 7695 section 6.2):
 *   cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:target_hw:other
 * part is a|o|h|*|-; every other component is "*" (ANY), "-" (NA) or a value
 * of letters, digits, '-', '.', '_' and backslash-quoted punctuation, with an
 * optional leading and trailing unquoted wildcard ('*' once, or a run of '?').
 * language is a language tag (2-3 letters, optional -region) or * / -. */
#ifndef VG_REGISTRY_CPE_H
#define VG_REGISTRY_CPE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "core/limits.h"

#define VG_CPE_COMPONENTS 11 /* part .. other */

enum {
	VG_CPE_PART = 0,
	VG_CPE_VENDOR,
	VG_CPE_PRODUCT,
	VG_CPE_VERSION,
	VG_CPE_UPDATE,
	VG_CPE_EDITION,
	VG_CPE_LANGUAGE,
	VG_CPE_SW_EDITION,
	VG_CPE_TARGET_SW,
	VG_CPE_TARGET_HW,
	VG_CPE_OTHER,
};

/* A parsed name: components point into buf (each NUL-terminated, still in
 * formatted-string form: quoting kept, ASCII letters lower-cased). */
typedef struct vg_cpe {
	char buf[VG_CPE_MAX + 1];
	const char *comp[VG_CPE_COMPONENTS];
} vg_cpe;

/* Component name ("vendor", ...). */
const char *vg_cpe_component_name(int i);

/* Parse and validate. On error the diagnostic names the field and the
 * component ("products[1].cpe: version: unquoted '*' inside a value"). */
vg_err vg_cpe_parse(const char *s, size_t len, vg_cpe *out, const char *field, vg_diag *d);
/* Validate and write the canonical form (lower case) into out (>= VG_CPE_MAX+1). */
vg_err vg_cpe_normalize(const char *s, size_t len, char *out, size_t outsz, const char *field, vg_diag *d);
/* Does a formatted-string value contain an unquoted '*' or '?'? */
bool vg_cpe_has_unquoted_wildcard(const char *v, size_t len);
/* Format the parsed name back (canonical formatted string). */
void vg_cpe_format(const vg_cpe *c, char *out, size_t outsz);

#endif
