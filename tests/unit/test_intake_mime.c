/* Unit tests for MIME intake: every message of the corpus in tests/data/mail
 * (plain, alternative, HTML, attachments, forwarded, PGP signed/encrypted,
 * broken, huge headers, charsets, X-ARF/ARF), HTML reduction, references. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gpgme.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "intake/intake.h"

static char gpg_home[64];

static char *slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;
	const char *root = getenv("VIGIE_TEST_DATA");
	snprintf(path, sizeof path, "%s/mail/%s", root ? root : "tests/data", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static vg_mail_parsed *parse_file(const char *name, bool crypto)
{
	size_t len;
	char *raw = slurp(name, &len);
	vg_mail_parse_opts o = {.gpg_home = crypto ? gpg_home : NULL};
	vg_mail_parsed *m = NULL;
	vg_diag d;
	assert_int_equal(vg_mail_parse(raw, len, &o, &m, &d), VG_OK);
	free(raw);
	assert_non_null(m);
	return m;
}

static void import_key(gpgme_ctx_t ctx, const char *name)
{
	char path[512];
	gpgme_data_t data;
	const char *root = getenv("VIGIE_TEST_DATA");
	snprintf(path, sizeof path, "%s/gpg/%s", root ? root : "tests/data", name);
	assert_int_equal(gpgme_data_new_from_file(&data, path, 1), 0);
	assert_int_equal(gpgme_op_import(ctx, data), 0);
	gpgme_data_release(data);
}

static int setup(void **state)
{
	gpgme_ctx_t ctx;
	(void)state;
	snprintf(gpg_home, sizeof gpg_home, "/tmp/vg-gpg-XXXXXX");
	if (!mkdtemp(gpg_home))
		return -1;
	gpgme_check_version(NULL);
	if (gpgme_new(&ctx))
		return -1;
	gpgme_set_protocol(ctx, GPGME_PROTOCOL_OpenPGP);
	gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, NULL, gpg_home);
	gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_LOOPBACK);
	import_key(ctx, "cert-secret.asc");
	import_key(ctx, "reporter-public.asc");
	gpgme_release(ctx);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];
	(void)state;
	snprintf(cmd, sizeof cmd, "gpgconf --homedir %s --kill all >/dev/null 2>&1; rm -rf %s", gpg_home, gpg_home);
	return system(cmd) == -1;
}

static void test_plain(void **state)
{
	vg_mail_parsed *m = parse_file("01-plain.eml", false);
	(void)state;
	assert_string_equal(m->message_id, "plain-1@ministere.example.fr");
	assert_string_equal(m->from_addr, "alice@ministere.example.fr");
	assert_string_equal(m->from_name, "Alice Reporter");
	assert_string_equal(m->subject, "Suspicious connections from 198.51.100.23");
	assert_non_null(strstr(m->body, "connexions répétées"));
	assert_null(m->error);
	assert_int_equal(m->sig, VG_SIG_NONE);
	assert_int_equal(m->natts, 0);
	assert_false(m->auto_submitted);
	vg_mail_parsed_free(m);
}

static void test_alternative_prefers_text(void **state)
{
	vg_mail_parsed *m = parse_file("02-alternative.eml", false);
	(void)state;
	assert_non_null(strstr(m->body, "hxxps://portail-ministere[.]example[.]com/login"));
	assert_null(strstr(m->body, "<b>"));
	assert_null(m->error);
	vg_mail_parsed_free(m);
}

static void test_html_reduced(void **state)
{
	vg_mail_parsed *m = parse_file("03-html-only.eml", false);
	(void)state;
	assert_non_null(strstr(m->body, "Café & crème <ok>"));
	assert_non_null(strstr(m->body, "Second line"));
	assert_non_null(strstr(m->body, "click <https://evil.example/x>"));
	assert_null(strstr(m->body, "alert"));
	assert_null(strstr(m->body, "color:red"));
	assert_null(strstr(m->body, "hidden comment"));
	assert_null(strstr(m->body, "onerror"));
	vg_mail_parsed_free(m);
}

static void test_attachments(void **state)
{
	vg_mail_parsed *m = parse_file("04-attachments.eml", false);
	(void)state;
	assert_int_equal(m->natts, 2);
	assert_string_equal(m->atts[0].filename, "access.log");
	assert_string_equal(m->atts[0].content_type, "text/plain");
	assert_true(m->atts[0].size > 10);
	assert_string_equal(m->atts[1].filename, "evil.exe"); /* path removed */
	assert_int_equal(m->atts[1].size, 32);
	assert_memory_equal(m->atts[1].data, "MZ", 2);
	assert_non_null(strstr(m->body, "See the attached files."));
	assert_null(strstr(m->body, "GET /admin")); /* the attachment is not body text */
	vg_mail_parsed_free(m);
}

static void test_attachment_size_limit(void **state)
{
	size_t len;
	char *raw = slurp("04-attachments.eml", &len);
	vg_mail_parse_opts o = {.attachment_max = 16};
	vg_mail_parsed *m = NULL;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_mail_parse(raw, len, &o, &m, &d), VG_OK);
	assert_int_equal(m->natts, 2);
	assert_true(m->atts[0].too_large);
	assert_null(m->atts[0].data);
	assert_true(m->atts[1].too_large);
	vg_mail_parsed_free(m);
	free(raw);
}

static void test_forwarded(void **state)
{
	vg_mail_parsed *m = parse_file("05-forwarded.eml", false);
	(void)state;
	assert_non_null(strstr(m->body, "Forwarding a phishing mail"));
	assert_non_null(strstr(m->body, "---------- Forwarded message ----------"));
	assert_non_null(strstr(m->body, "billing@phish.example"));
	assert_non_null(strstr(m->body, "Subject: Urgent invoice"));
	assert_non_null(strstr(m->body, "http://pay.phish.example/inv"));
	assert_string_equal(m->message_id, "fwd-1@ministere.example.fr");
	vg_mail_parsed_free(m);
}

static void test_signed_valid(void **state)
{
	vg_mail_parsed *m = parse_file("06-signed.eml", true);
	(void)state;
	assert_int_equal(m->sig, VG_SIG_VALID);
	assert_string_equal(m->sig_fingerprint, "B74661FF82284455CF47B5BE82E08EDDAD5DA717");
	assert_non_null(strstr(m->body, "203.0.113.7 is compromised"));
	vg_mail_parsed_free(m);
}

static void test_signed_unknown_key(void **state)
{
	vg_mail_parsed *m = parse_file("07-signed-unknown-key.eml", true);
	(void)state;
	assert_int_equal(m->sig, VG_SIG_UNKNOWN_KEY);
	assert_string_equal(vg_sig_status_name(m->sig), "unknown_key");
	vg_mail_parsed_free(m);
}

static void test_signed_bad(void **state)
{
	vg_mail_parsed *m = parse_file("10-signed-bad.eml", true);
	(void)state;
	assert_int_equal(m->sig, VG_SIG_INVALID);
	assert_non_null(strstr(m->body, "is fine"));
	vg_mail_parsed_free(m);
}

static void test_signed_without_keyring(void **state)
{
	vg_mail_parsed *m = parse_file("06-signed.eml", false);
	(void)state;
	assert_int_equal(m->sig, VG_SIG_ERROR);
	assert_non_null(m->error);
	assert_non_null(strstr(m->body, "compromised")); /* the text is still read */
	vg_mail_parsed_free(m);
}

static void test_encrypted(void **state)
{
	vg_mail_parsed *m = parse_file("08-encrypted.eml", true);
	(void)state;
	assert_true(m->encrypted);
	assert_true(m->decrypted);
	assert_non_null(strstr(m->body, "credentials of admin@ministere.example.fr leaked"));
	assert_int_equal(m->sig, VG_SIG_NONE);
	assert_null(m->error);
	vg_mail_parsed_free(m);
}

static void test_encrypted_signed(void **state)
{
	vg_mail_parsed *m = parse_file("09-encrypted-signed.eml", true);
	(void)state;
	assert_true(m->decrypted);
	assert_int_equal(m->sig, VG_SIG_VALID);
	assert_non_null(strstr(m->body, "leaked"));
	vg_mail_parsed_free(m);
}

static void test_encrypted_without_key(void **state)
{
	vg_mail_parsed *m = parse_file("08-encrypted.eml", false);
	(void)state;
	assert_true(m->encrypted);
	assert_false(m->decrypted);
	assert_non_null(m->error);
	assert_null(strstr(m->body, "leaked"));
	vg_mail_parsed_free(m);
}

static void test_broken(void **state)
{
	vg_mail_parsed *m = parse_file("11-broken-mime.eml", false);
	(void)state;
	assert_string_equal(m->subject, "Broken MIME");
	assert_string_equal(m->message_id, "broken-1@ministere.example.fr");
	assert_non_null(m->error);
	vg_mail_parsed_free(m);
}

static void test_huge_headers(void **state)
{
	vg_mail_parsed *m = parse_file("12-huge-headers.eml", false);
	(void)state;
	assert_non_null(m->error);
	assert_non_null(strstr(m->error, "header fields"));
	assert_string_equal(m->subject, "");
	vg_mail_parsed_free(m);
	m = parse_file("12b-long-header.eml", false);
	assert_non_null(m->error);
	assert_non_null(strstr(m->error, "longer than"));
	vg_mail_parsed_free(m);
}

static void test_charsets(void **state)
{
	vg_mail_parsed *m = parse_file("13-wrong-charset.eml", false);
	(void)state;
	assert_non_null(strstr(m->body, "Fichier modifié à 10h"));
	vg_mail_parsed_free(m);
	m = parse_file("14-missing-charset.eml", false);
	assert_non_null(strstr(m->body, "Problème détecté"));
	vg_mail_parsed_free(m);
	m = parse_file("15-unknown-charset.eml", false);
	assert_non_null(strstr(m->body, "Sécurité compromise"));
	vg_mail_parsed_free(m);
	m = parse_file("16-rfc2047-subject.eml", false);
	assert_string_equal(m->subject, "Incident sécurité— urgent"); /* whitespace between encoded words is dropped (RFC 2047 6.2) */
	vg_mail_parsed_free(m);
}

static void test_auto_and_missing_id(void **state)
{
	vg_mail_parsed *m = parse_file("19-bounce.eml", false);
	(void)state;
	assert_true(m->auto_submitted);
	vg_mail_parsed_free(m);
	m = parse_file("18-no-message-id.eml", false);
	assert_string_equal(m->message_id, "");
	assert_string_equal(m->from_addr, "bob@pme.example");
	assert_false(m->auto_submitted);
	vg_mail_parsed_free(m);
}

static void test_abuse_reports(void **state)
{
	vg_mail_parsed *m = parse_file("20-xarf.eml", false);
	(void)state;
	assert_int_equal(m->natts, 1);
	assert_string_equal(m->atts[0].filename, "xarf.json");
	assert_string_equal(m->atts[0].content_type, "application/json");
	vg_mail_parsed_free(m);
	m = parse_file("21-arf.eml", false);
	assert_non_null(strstr(m->subject, "Feedback Report"));
	assert_non_null(strstr(m->body, "192.0.2.89"));
	assert_true(m->natts >= 1); /* message/feedback-report and the original message */
	vg_mail_parsed_free(m);
}

static void test_garbage_never_fails(void **state)
{
	static const char *const inputs[] = {"", "\n\n\n", "no headers at all", "Content-Type: multipart/mixed; boundary=x\n\n--x\n--x\n--x--",
					     "\xff\xfe\x00\x01 binary", NULL};
	(void)state;
	for (int i = 0; inputs[i]; i++) {
		vg_mail_parsed *m = NULL;
		vg_diag d;
		assert_int_equal(vg_mail_parse(inputs[i], strlen(inputs[i]), NULL, &m, &d), VG_OK);
		assert_non_null(m->body);
		vg_mail_parsed_free(m);
	}
}

static void test_size_limit(void **state)
{
	size_t len;
	char *raw = slurp("01-plain.eml", &len);
	vg_mail_parse_opts o = {.mail_max = 100};
	vg_mail_parsed *m = NULL;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_mail_parse(raw, len, &o, &m, &d), VG_OK);
	assert_non_null(strstr(m->error, "larger than"));
	vg_mail_parsed_free(m);
	free(raw);
}

static void test_html_to_text(void **state)
{
	char *t;
	(void)state;
	t = vg_html_to_text("<p>a</p><p>b&#233;&#x41;</p><script>x</script>c", 47, 100);
	assert_string_equal(t, "a\nbéA\nc");
	free(t);
	t = vg_html_to_text("<a href='mailto:x@y'>mail</a> &bogus; <", 39, 100);
	assert_string_equal(t, "mail <mailto:x@y> &bogus;");
	free(t);
	t = vg_html_to_text("<p>1234567890</p>", 17, 4);
	assert_true(strlen(t) <= 5);
	free(t);
}

static void test_ref_find(void **state)
{
	char ref[48];
	(void)state;
	assert_true(vg_ref_find("Re: [VIGIE-2026-000123] hello", "VIGIE", ref, sizeof ref));
	assert_string_equal(ref, "VIGIE-2026-000123");
	assert_true(vg_ref_find("re: vigie-2026-42", "VIGIE", ref, sizeof ref));
	assert_string_equal(ref, "VIGIE-2026-42");
	assert_false(vg_ref_find("XVIGIE-2026-000123", "VIGIE", ref, sizeof ref));
	assert_false(vg_ref_find("VIGIE-26-000123", "VIGIE", ref, sizeof ref));
	assert_false(vg_ref_find("VIGIE-2026-000123abc", "VIGIE", ref, sizeof ref));
	assert_false(vg_ref_find("nothing", "VIGIE", ref, sizeof ref));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_alternative_prefers_text),
		cmocka_unit_test(test_html_reduced),
		cmocka_unit_test(test_attachments),
		cmocka_unit_test(test_attachment_size_limit),
		cmocka_unit_test(test_forwarded),
		cmocka_unit_test(test_signed_valid),
		cmocka_unit_test(test_signed_unknown_key),
		cmocka_unit_test(test_signed_bad),
		cmocka_unit_test(test_signed_without_keyring),
		cmocka_unit_test(test_encrypted),
		cmocka_unit_test(test_encrypted_signed),
		cmocka_unit_test(test_encrypted_without_key),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_huge_headers),
		cmocka_unit_test(test_charsets),
		cmocka_unit_test(test_auto_and_missing_id),
		cmocka_unit_test(test_abuse_reports),
		cmocka_unit_test(test_garbage_never_fails),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_html_to_text),
		cmocka_unit_test(test_ref_find),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
