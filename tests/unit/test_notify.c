/* Unit tests for src/notify: message building (RFC 5322 headers, RFC 2047
 * subjects, quoted-printable body, no header injection), the outbox (queue,
 * failed delivery with backoff, give up after the last attempt). Delivery to
 * a real SMTP server is covered by tests/integration (SMTP sink). */
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

#include "core/clock.h"
#include "notify/notify.h"

static char dir[64], path[128];

static void cfg(vg_notify_config *c)
{
	vg_config k;
	vg_diag d;
	vg_config_defaults(&k);
	snprintf(k.smtp_from, sizeof k.smtp_from, "cert@cert.example");
	snprintf(k.smtp_from_name, sizeof k.smtp_from_name, "CERT-Test");
	snprintf(k.smtp_url, sizeof k.smtp_url, "smtp://127.0.0.1:1");
	assert_int_equal(vg_notify_config_from(&k, c, &d), VG_OK);
	c->timeout_ms = 3000;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vg-notify-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];
	(void)state;
	vg_time_set_fake(0);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static void test_config(void **state)
{
	vg_config k;
	vg_notify_config c;
	vg_diag d;
	(void)state;
	vg_config_defaults(&k);
	assert_int_equal(vg_notify_config_from(&k, &c, &d), VG_OK);
	assert_string_equal(c.smtp_url, "smtp://127.0.0.1:25");
	assert_string_equal(c.domain, "localhost");
	assert_int_equal(c.tls, VG_SMTP_TLS_NONE);
	snprintf(k.smtp_tls, sizeof k.smtp_tls, "ssl3");
	assert_int_equal(vg_notify_config_from(&k, &c, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "smtp_tls");
	assert_int_equal(vg_smtp_tls_parse("starttls"), VG_SMTP_TLS_STARTTLS);
	assert_int_equal(vg_smtp_tls_parse("tls"), VG_SMTP_TLS_IMPLICIT);
}

static void test_build(void **state)
{
	vg_notify_config c;
	vg_buf b;
	char mid[256];
	char body[300];
	vg_diag d;
	vg_mail_out m = {.to = "alice@example.fr", .to_name = "Alice Dupont",
			 .subject = "[VIGIE-2026-000001] Accusé de réception\r\nBcc: evil@example.com",
			 .in_reply_to = "<orig@example.fr>", .references = "<orig@example.fr>", .auto_submitted = true};
	(void)state;
	cfg(&c);
	memset(body, 'x', sizeof body - 1);
	body[sizeof body - 1] = '\0';
	body[0] = '.';
	body[10] = '=';
	m.body = body;
	vg_buf_init(&b, 1 << 20);
	assert_int_equal(vg_mail_build(&c, &m, 1795000000000LL, &b, mid, sizeof mid, &d), VG_OK);
	const char *s = vg_buf_cstr(&b);
	assert_non_null(strstr(s, "From: CERT-Test <cert@cert.example>\r\n"));
	assert_non_null(strstr(s, "To: Alice Dupont <alice@example.fr>\r\n"));
	assert_non_null(strstr(s, "Subject: =?UTF-8?B?"));
	assert_null(strstr(s, "\r\nBcc:")); /* no header injection */
	assert_non_null(strstr(s, "In-Reply-To: <orig@example.fr>\r\n"));
	assert_non_null(strstr(s, "Auto-Submitted: auto-replied\r\n"));
	assert_non_null(strstr(s, "Date: "));
	assert_non_null(strstr(s, "Content-Transfer-Encoding: quoted-printable\r\n\r\n=2Exxxxxxxxx=3D"));
	assert_true(strlen(mid) > 10);
	assert_non_null(strstr(mid, "@cert.example>"));
	assert_non_null(strstr(s, mid));
	/* no line longer than 78 characters in the body (soft line breaks) */
	const char *p = strstr(s, "\r\n\r\n") + 4;
	for (const char *nl; (nl = strstr(p, "\r\n")); p = nl + 2)
		assert_true(nl - p <= 76);
	vg_buf_fini(&b);
}

static void test_encode_header(void **state)
{
	vg_buf b;
	(void)state;
	vg_buf_init(&b, 4096);
	assert_int_equal(vg_mail_encode_header("plain ascii", &b), VG_OK);
	assert_string_equal(vg_buf_cstr(&b), "plain ascii");
	vg_buf_reset(&b);
	assert_int_equal(vg_mail_encode_header("été", &b), VG_OK);
	assert_string_equal(vg_buf_cstr(&b), "=?UTF-8?B?w6l0w6k=?=");
	vg_buf_reset(&b);
	/* long: folded into several words, none splitting a UTF-8 sequence */
	assert_int_equal(vg_mail_encode_header("ééééééééééééééééééééééééééééééééééééééééééééééé", &b), VG_OK);
	assert_non_null(strstr(vg_buf_cstr(&b), "?=\r\n =?UTF-8?B?"));
	vg_buf_fini(&b);
}

static void test_bad_addresses(void **state)
{
	vg_notify_config c;
	vg_buf b;
	vg_diag d;
	vg_mail_out m = {.subject = "x", .body = "y"};
	static const char *const bad[] = {"", "noat", "a@b@c", "a b@c", "a@b>\r\nBcc: x@y", "<a@b>", NULL};
	(void)state;
	cfg(&c);
	vg_buf_init(&b, 1 << 16);
	for (int i = 0; bad[i]; i++) {
		m.to = bad[i];
		assert_int_equal(vg_mail_build(&c, &m, 0, &b, NULL, 0, &d), VG_ERR_INVALID);
		assert_string_equal(d.field, "to");
	}
	m.to = "ok@example.org";
	m.in_reply_to = "<x\r\nBcc: y>";
	assert_int_equal(vg_mail_build(&c, &m, 0, &b, NULL, 0, &d), VG_ERR_INVALID);
	vg_buf_fini(&b);
}

static void test_outbox_retry_and_give_up(void **state)
{
	vg_notify_config c;
	vg_db *db = NULL;
	vg_db_options o = {.busy_timeout_ms = 2000};
	vg_outbox_item it;
	vg_mail_out m = {.to = "bob@example.org", .subject = "hello", .body = "body"};
	json_t *list = NULL;
	int sent = -1, failed = -1;
	int64_t t0 = 1795000000000LL;
	vg_diag d;
	(void)state;
	cfg(&c);
	vg_time_set_fake(t0);
	assert_int_equal(vg_db_open(path, &o, &db, &d), VG_OK);
	assert_int_equal(vg_outbox_queue(db, &c, &m, "ack", "report", 7, &it, &d), VG_OK);
	assert_true(it.id > 0);
	/* no server configured: stays queued, no attempt counted */
	{
		vg_notify_config none = c;
		none.smtp_url[0] = '\0';
		assert_int_equal(vg_outbox_send(db, &none, it.id, &d), VG_ERR_UNSUPPORTED);
		assert_int_equal(vg_outbox_flush(db, &none, 0, &sent, &failed, &d), VG_OK);
		assert_int_equal(sent, 0);
	}
	/* server down: attempt recorded, retried after a backoff */
	assert_int_not_equal(vg_outbox_send(db, &c, it.id, &d), VG_OK);
	assert_int_equal(vg_outbox_list_json(db, NULL, "report", 7, 10, &list, &d), VG_OK);
	json_t *row = json_array_get(json_object_get(list, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(row, "status")), "queued");
	assert_int_equal(json_integer_value(json_object_get(row, "attempts")), 1);
	assert_non_null(strstr(json_string_value(json_object_get(row, "last_error")), "SMTP"));
	assert_string_equal(json_string_value(json_object_get(row, "purpose")), "ack");
	json_decref(list);
	assert_int_equal(vg_outbox_flush(db, &c, 0, &sent, &failed, &d), VG_OK);
	assert_int_equal(sent + failed, 0); /* not due yet */
	for (int i = 2; i <= VG_MAIL_SEND_ATTEMPTS_MAX; i++) {
		vg_time_set_fake(t0 + (int64_t)i * 7 * 3600 * 1000);
		assert_int_equal(vg_outbox_flush(db, &c, 0, &sent, &failed, &d), VG_OK);
		assert_int_equal(failed, 1);
	}
	assert_int_equal(vg_outbox_list_json(db, "failed", NULL, 0, 10, &list, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
	json_decref(list);
	vg_time_set_fake(t0 + 1000LL * 24 * 3600 * 1000);
	assert_int_equal(vg_outbox_flush(db, &c, 0, &sent, &failed, &d), VG_OK);
	assert_int_equal(sent + failed, 0); /* given up: never retried */
	vg_db_close(db);
}

static void test_flusher_thread(void **state)
{
	vg_notify_config c;
	vg_db_pool *pool = NULL;
	vg_db_options o = {.busy_timeout_ms = 2000};
	vg_outbox_flusher *f = NULL;
	vg_outbox_item it;
	vg_mail_out m = {.to = "carol@example.org", .subject = "bg", .body = "body"};
	char p2[160];
	int64_t attempts = 0;
	vg_diag d;
	vg_db *db;
	(void)state;
	vg_time_set_fake(0);
	cfg(&c);
	snprintf(p2, sizeof p2, "%s/flusher.db", dir);
	assert_int_equal(vg_db_pool_new(p2, &o, 2, &pool, &d), VG_OK);
	db = vg_db_pool_get(pool);
	assert_int_equal(vg_outbox_queue(db, &c, &m, "notify", "", 0, &it, &d), VG_OK);
	vg_db_pool_put(pool, db);
	assert_int_equal(vg_outbox_flusher_start(pool, &c, 1, &f, &d), VG_OK);
	for (int i = 0; i < 100 && attempts == 0; i++) {
		vg_stmt *st;
		usleep(50000);
		db = vg_db_pool_get(pool);
		assert_int_equal(vg_db_prepare(db, "SELECT attempts FROM outbox WHERE id = ?", &st, &d), VG_OK);
		vg_stmt_bind_int(st, 1, it.id);
		if (vg_stmt_step(st, &d) == VG_ROW)
			attempts = vg_stmt_int(st, 0);
		vg_stmt_done(st);
		vg_db_pool_put(pool, db);
	}
	vg_outbox_flusher_stop(f); /* wakes the thread at once */
	vg_outbox_flusher_stop(NULL);
	assert_int_equal(attempts, 1);
	vg_db_pool_free(pool);
}

static void test_pgp_signed(void **state)
{
	vg_notify_config c;
	gpgme_ctx_t ctx;
	gpgme_data_t kd, sd, td;
	gpgme_verify_result_t vr;
	char home[64], keyfile[512], bnd[64], delim[80];
	const char *root = getenv("VIGIE_TEST_DATA"), *s, *ct, *p1, *p2, *s1, *s2;
	vg_mail_out m = {.to = "alice@example.fr", .subject = "signé", .body = "Line one\n.dot line\nAccusé de réception"};
	vg_buf b;
	vg_diag d;
	(void)state;
	snprintf(home, sizeof home, "/tmp/vg-sign-XXXXXX");
	assert_non_null(mkdtemp(home));
	gpgme_check_version(NULL);
	assert_int_equal(gpgme_new(&ctx), 0);
	gpgme_ctx_set_engine_info(ctx, GPGME_PROTOCOL_OpenPGP, NULL, home);
	gpgme_set_pinentry_mode(ctx, GPGME_PINENTRY_MODE_LOOPBACK);
	snprintf(keyfile, sizeof keyfile, "%s/gpg/cert-secret.asc", root ? root : "tests/data");
	assert_int_equal(gpgme_data_new_from_file(&kd, keyfile, 1), 0);
	assert_int_equal(gpgme_op_import(ctx, kd), 0);
	gpgme_data_release(kd);
	cfg(&c);
	c.sign = true;
	snprintf(c.sign_key, sizeof c.sign_key, "cert@vigie.test");
	snprintf(c.gpg_home, sizeof c.gpg_home, "%s", home);
	vg_buf_init(&b, 1 << 20);
	assert_int_equal(vg_mail_build(&c, &m, 1795000000000LL, &b, NULL, 0, &d), VG_OK);
	s = vg_buf_cstr(&b);
	ct = strstr(s, "Content-Type: multipart/signed; micalg=pgp-");
	assert_non_null(ct);
	assert_non_null(strstr(ct, "protocol=\"application/pgp-signature\""));
	assert_int_equal(sscanf(strstr(ct, "boundary=\"") + 10, "%63[^\"]", bnd), 1);
	snprintf(delim, sizeof delim, "--%s\r\n", bnd);
	p1 = strstr(s, delim) + strlen(delim);
	p2 = strstr(p1, delim);
	assert_non_null(p2);
	s1 = strstr(p2, "-----BEGIN PGP SIGNATURE-----");
	s2 = strstr(s1, "-----END PGP SIGNATURE-----");
	assert_non_null(s2);
	/* the signed text is the part without the CRLF before the delimiter */
	assert_int_equal(gpgme_data_new_from_mem(&td, p1, (size_t)(p2 - p1 - 2), 0), 0);
	assert_int_equal(gpgme_data_new_from_mem(&sd, s1, (size_t)(s2 - s1) + 27, 0), 0);
	assert_int_equal(gpgme_op_verify(ctx, sd, td, NULL), 0);
	vr = gpgme_op_verify_result(ctx);
	assert_non_null(vr->signatures);
	assert_int_equal(gpg_err_code(vr->signatures->status), GPG_ERR_NO_ERROR);
	assert_string_equal(vr->signatures->fpr, "0E7A3C00CB642E3AB82CD941C9995BD16C994B4C");
	gpgme_data_release(td);
	gpgme_data_release(sd);
	/* a key that is not there: the message goes out unsigned */
	vg_buf_reset(&b);
	snprintf(c.sign_key, sizeof c.sign_key, "nobody@nowhere.example");
	assert_int_equal(vg_mail_build(&c, &m, 1795000000000LL, &b, NULL, 0, &d), VG_OK);
	assert_null(strstr(vg_buf_cstr(&b), "multipart/signed"));
	assert_non_null(strstr(vg_buf_cstr(&b), "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"));
	vg_buf_fini(&b);
	gpgme_release(ctx);
	snprintf(keyfile, sizeof keyfile, "gpgconf --homedir %s --kill all >/dev/null 2>&1; rm -rf %s", home, home);
	assert_int_not_equal(system(keyfile), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_encode_header),
		cmocka_unit_test(test_bad_addresses),
		cmocka_unit_test(test_outbox_retry_and_give_up),
		cmocka_unit_test(test_flusher_thread),
		cmocka_unit_test(test_pgp_signed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
