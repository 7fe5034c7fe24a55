/* OpenPGP signing of outgoing mail (PGP/MIME, RFC 3156) through GPGME with
 * the CERT's key in gpg_home: the text/plain part is signed in its canonical
 * CRLF form and sent as multipart/signed with a detached armored signature. */
#include <ctype.h>
#include <gpgme.h>
#include <locale.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "notify/internal.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void init_once(void)
{
	gpgme_check_version(NULL);
	gpgme_set_locale(NULL, LC_CTYPE, setlocale(LC_CTYPE, NULL));
}

vg_err vg_mail_sign_part(const vg_notify_config *c, const char *part, size_t len, vg_buf *sig, char *micalg,
			 size_t micalgsz, vg_diag *d)
{
	gpgme_ctx_t ctx = NULL;
	gpgme_key_t key = NULL;
	gpgme_data_t in = NULL, out = NULL;
	gpgme_sign_result_t res;
	const char *who = c->sign_key[0] ? c->sign_key : c->smtp_from;
	char *armored = NULL;
	size_t alen = 0;
	vg_err e = VG_OK;

	pthread_once(&once, init_once);
	if (!c->gpg_home[0]) {
		e = vg_diag_set(d, VG_ERR_INVALID, "gpg_home", "mail_sign needs gpg_home");
		goto out;
	}
	if (gpgme_new(&ctx) || gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP) ||
	    gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, NULL, c->gpg_home)) {
		e = vg_diag_set(d, VG_ERR_INTERNAL, "gpg_home", "cannot start GnuPG");
		goto out;
	}
	gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_LOOPBACK);
	gpgme_set_armor(ctx, 1);
	if (gpgme_get_key(ctx, who, &key, 1) || !key || gpgme_signers_add(ctx, key)) {
		e = vg_diag_set(d, VG_ERR_NOT_FOUND, "mail_sign_key", "no secret key for \"%s\" in gpg_home", who);
		goto out;
	}
	if (gpgme_data_new_from_mem(&in, part, len, 0) || gpgme_data_new(&out)) {
		e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if (gpgme_op_sign(ctx, in, out, GPGME_SIG_MODE_DETACH)) {
		e = vg_diag_set(d, VG_ERR_INTERNAL, "mail_sign_key", "signing failed");
		goto out;
	}
	res = gpgme_op_sign_result(ctx);
	snprintf(micalg, micalgsz, "pgp-%s",
		 res && res->signatures ? gpgme_hash_algo_name(res->signatures->hash_algo) : "sha256");
	for (char *p = micalg; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	armored = gpgme_data_release_and_get_mem(out, &alen);
	out = NULL;
	if (!armored || vg_buf_append(sig, armored, alen))
		e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
out:
	if (armored)
		gpgme_free(armored);
	gpgme_data_release(in);
	gpgme_data_release(out);
	if (key)
		gpgme_key_unref(key);
	if (ctx)
		gpgme_release(ctx);
	return e;
}
