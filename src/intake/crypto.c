/* PGP/MIME (RFC 3156) through GPGME with an explicit GnuPG home (gpg_home):
 * multipart/encrypted is decrypted with the CERT's key and its plaintext
 * walked like any MIME entity; multipart/signed is verified over the
 * canonical (CRLF) form of its first part. The status is recorded, never
 * enforced: a bad signature is information for the analyst. */
#include <gpgme.h>
#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "intake/internal.h"

static pthread_once_t gpgme_once = PTHREAD_ONCE_INIT;
static void gpgme_init_once(void)
{
	gpgme_check_version(NULL);
	gpgme_set_locale(NULL, LC_CTYPE, setlocale(LC_CTYPE, NULL));
}

static gpgme_ctx_t ctx_new(vg_mail_walk *w)
{
	gpgme_ctx_t ctx = NULL;
	pthread_once(&gpgme_once, gpgme_init_once);
	if (gpgme_new(&ctx))
		return NULL;
	if (gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP) ||
	    gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, NULL, w->gpg_home)) {
		gpgme_release(ctx);
		return NULL;
	}
	gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_LOOPBACK); /* never prompt */
	gpgme_set_offline(ctx, 1);
	return ctx;
}

static void record_sig(vg_mail_walk *w, gpgme_verify_result_t res)
{
	gpgme_signature_t s = res ? res->signatures : NULL;
	vg_sig_status st = VG_SIG_ERROR;
	if (!s)
		return;
	switch (gpg_err_code(s->status)) {
	case GPG_ERR_NO_ERROR: st = VG_SIG_VALID; break;
	case GPG_ERR_BAD_SIGNATURE: st = VG_SIG_INVALID; break;
	case GPG_ERR_NO_PUBKEY: st = VG_SIG_UNKNOWN_KEY; break;
	case GPG_ERR_KEY_EXPIRED:
	case GPG_ERR_SIG_EXPIRED:
	case GPG_ERR_CERT_REVOKED: st = VG_SIG_INVALID; break;
	default: st = VG_SIG_ERROR; break;
	}
	/* the outermost signature wins; an inner one only fills in when none was seen */
	if (w->m->sig != VG_SIG_NONE)
		return;
	w->m->sig = st;
	free(w->m->sig_fingerprint);
	w->m->sig_fingerprint = strdup(s->fpr ? s->fpr : "");
	if (!w->m->sig_fingerprint)
		w->nomem = true;
}

void vg_mail_decrypt(vg_mail_walk *w, GMimeMultipartEncrypted *mpe, int depth)
{
	GMimeObject *enc = g_mime_multipart_get_part(GMIME_MULTIPART(mpe), GMIME_MULTIPART_ENCRYPTED_CONTENT);
	gpgme_ctx_t ctx = NULL;
	gpgme_data_t cipher = NULL, plain = NULL;
	GByteArray *bytes = NULL;
	char *ptext = NULL, why[160];
	size_t plen = 0;
	bool big = false;
	gpgme_error_t ge;

	w->m->encrypted = true;
	if (!w->gpg_home) {
		vg_mail_note_error(w, "encrypted message: no gpg_home configured, kept raw");
		return;
	}
	if (!enc || !GMIME_IS_PART(enc)) {
		vg_mail_note_error(w, "multipart/encrypted without an encrypted part");
		return;
	}
	bytes = vg_mail_part_bytes(GMIME_PART(enc), VG_MAIL_SIZE_MAX, &big);
	if (!(ctx = ctx_new(w))) {
		vg_mail_note_error(w, "cannot start GnuPG (gpg_home %s)", w->gpg_home);
		goto out;
	}
	if (gpgme_data_new_from_mem(&cipher, (const char *)bytes->data, bytes->len, 0) || gpgme_data_new(&plain)) {
		w->nomem = true;
		goto out;
	}
	ge = gpgme_op_decrypt_verify(ctx, cipher, plain);
	if (ge) {
		vg_mail_note_error(w, "cannot decrypt: %s", gpgme_strerror(ge));
		goto out;
	}
	record_sig(w, gpgme_op_verify_result(ctx));
	ptext = gpgme_data_release_and_get_mem(plain, &plen);
	plain = NULL;
	w->m->decrypted = true;
	if (!ptext)
		goto out;
	if (vg_mail_prescan(ptext, plen, why, sizeof why)) {
		vg_mail_note_error(w, "decrypted content: %s", why);
		goto out;
	}
	{
		GMimeParserOptions *po = vg_mail_parser_options(w);
		GMimeStream *s = g_mime_stream_mem_new_with_buffer(ptext, plen);
		GMimeParser *p = g_mime_parser_new_with_stream(s);
		GMimeObject *inner = g_mime_parser_construct_part(p, po);
		if (inner) {
			vg_mail_walk_object(w, inner, depth + 1);
			g_object_unref(inner);
		} else
			vg_mail_note_error(w, "decrypted content is not a MIME entity");
		g_object_unref(p);
		g_object_unref(s);
		g_mime_parser_options_free(po);
	}
out:
	if (ptext)
		gpgme_free(ptext);
	gpgme_data_release(cipher);
	gpgme_data_release(plain);
	if (ctx)
		gpgme_release(ctx);
	if (bytes)
		g_byte_array_unref(bytes);
}

/* LF → CRLF (existing CRLF kept): the canonical form signatures are made over. */
static char *canon_crlf(const char *s, size_t len, size_t *outlen)
{
	char *out = malloc(len * 2 + 1), *q = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			*q++ = '\r';
		*q++ = s[i];
	}
	*q = '\0';
	*outlen = (size_t)(q - out);
	return out;
}

void vg_mail_verify(vg_mail_walk *w, GMimeMultipartSigned *mps)
{
	GMimeObject *content = g_mime_multipart_get_part(GMIME_MULTIPART(mps), GMIME_MULTIPART_SIGNED_CONTENT);
	GMimeObject *sig = g_mime_multipart_get_part(GMIME_MULTIPART(mps), GMIME_MULTIPART_SIGNED_SIGNATURE);
	gpgme_ctx_t ctx = NULL;
	gpgme_data_t dsig = NULL, dtext = NULL;
	GByteArray *sbytes = NULL;
	char *text = NULL, *canon = NULL;
	size_t clen = 0;
	bool big = false;
	gpgme_error_t ge;

	if (!content || !sig || !GMIME_IS_PART(sig)) {
		if (w->m->sig == VG_SIG_NONE)
			w->m->sig = VG_SIG_ERROR;
		vg_mail_note_error(w, "multipart/signed without content and signature parts");
		return;
	}
	if (!w->gpg_home) {
		if (w->m->sig == VG_SIG_NONE)
			w->m->sig = VG_SIG_ERROR;
		vg_mail_note_error(w, "signed message: no gpg_home configured, signature not checked");
		return;
	}
	text = g_mime_object_to_string(content, NULL);
	canon = text ? canon_crlf(text, strlen(text), &clen) : NULL;
	sbytes = vg_mail_part_bytes(GMIME_PART(sig), 1024 * 1024, &big);
	if (!canon || !(ctx = ctx_new(w)) || gpgme_data_new_from_mem(&dsig, (const char *)sbytes->data, sbytes->len, 0) ||
	    gpgme_data_new_from_mem(&dtext, canon, clen, 0)) {
		if (w->m->sig == VG_SIG_NONE)
			w->m->sig = VG_SIG_ERROR;
		vg_mail_note_error(w, "cannot check the signature");
		goto out;
	}
	ge = gpgme_op_verify(ctx, dsig, dtext, NULL);
	if (ge) {
		if (w->m->sig == VG_SIG_NONE)
			w->m->sig = VG_SIG_ERROR;
		vg_mail_note_error(w, "signature not checked: %s", gpgme_strerror(ge));
		goto out;
	}
	record_sig(w, gpgme_op_verify_result(ctx));
out:
	gpgme_data_release(dsig);
	gpgme_data_release(dtext);
	if (ctx)
		gpgme_release(ctx);
	if (sbytes)
		g_byte_array_unref(sbytes);
	g_free(text);
	free(canon);
}
