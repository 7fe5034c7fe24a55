/* Fuzz target: IP address and CIDR parsing, canonical formatting round trip. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/ip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vg_cidr c, c2;
	vg_ip ip;
	char out[VG_CIDR_STRLEN];
	if (size == 0 || size > 128)
		return 0;
	if (vg_ip_parse((const char *)data, size, &ip, NULL) == VG_OK) {
		char s[VG_IP_STRLEN];
		vg_ip parsed;
		vg_ip_format(&ip, s, sizeof s);
		if (vg_ip_parse(s, 0, &parsed, NULL) != VG_OK || memcmp(&parsed, &ip, sizeof ip) != 0)
			abort();
	}
	if (vg_cidr_parse((const char *)data, size, false, &c, NULL) == VG_OK) {
		vg_cidr_format(&c, out, sizeof out);
		/* the canonical form must parse strictly to the same prefix */
		if (vg_cidr_parse(out, 0, true, &c2, NULL) != VG_OK || c2.prefix != c.prefix ||
		    memcmp(c2.addr.bytes, c.addr.bytes, 16) != 0 || !vg_cidr_contains(&c, &c.addr))
			abort();
	}
	return 0;
}
