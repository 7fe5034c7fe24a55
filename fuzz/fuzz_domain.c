/* Fuzz target: domain, e-mail, AS number and fingerprint normalisers. A
 * normalised value must normalise to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[1024], out[VG_EMAIL_BUF], again[VG_EMAIL_BUF], fpr[VG_PGP_FPR_BUF];
	uint32_t asn;
	if (size == 0 || size >= sizeof in)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (vg_domain_normalize(in, size, false, out, VG_DOMAIN_BUF, "d", NULL) == VG_OK) {
		if (vg_domain_normalize(out, 0, false, again, VG_DOMAIN_BUF, "d", NULL) != VG_OK || strcmp(out, again))
			abort();
	}
	if (vg_email_normalize(in, size, out, sizeof out, "e", NULL) == VG_OK) {
		if (vg_email_normalize(out, 0, again, sizeof again, "e", NULL) != VG_OK || strcmp(out, again))
			abort();
	}
	if (vg_asn_parse(in, size, &asn, "a", NULL) == VG_OK && asn == 0)
		abort();
	if (vg_pgp_fpr_normalize(in, fpr, sizeof fpr, "p", NULL) == VG_OK && strlen(fpr) != 40)
		abort();
	return 0;
}
