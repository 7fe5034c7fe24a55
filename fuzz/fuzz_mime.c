/* Fuzz target: MIME intake (GMime parse behind our bounds, text extraction,
 * charset fallback, HTML reduction, attachment limits) and reference
 * detection. Crypto is off (no gpg_home): the PGP structures are still
 * walked and reported as not checked. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intake/intake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vg_mail_parse_opts o = {.attachment_max = 4096, .mail_max = 1024 * 1024};
	vg_mail_parsed *m = NULL;
	vg_diag d;
	char ref[48], *t, *s;
	if (vg_mail_parse((const char *)data, size, &o, &m, &d) == VG_OK) {
		vg_ref_find(m->subject, "VIGIE", ref, sizeof ref);
		vg_mail_parsed_free(m);
	}
	t = vg_html_to_text((const char *)data, size, 65536);
	free(t);
	s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
		vg_ref_find(s, "VIGIE", ref, sizeof ref);
		free(s);
	}
	return 0;
}
