/* Shared between the notify source files; not a public interface. */
#ifndef VG_NOTIFY_INTERNAL_H
#define VG_NOTIFY_INTERNAL_H

#include "notify/notify.h"

/* Detached armored OpenPGP signature of part (already canonical CRLF) into
 * sig; micalg receives "pgp-sha256" or the like (sign.c). */
vg_err vg_mail_sign_part(const vg_notify_config *c, const char *part, size_t len, vg_buf *sig, char *micalg,
			 size_t micalgsz, vg_diag *d);

#endif
