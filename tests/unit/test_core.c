/* Unit tests for src/core: diagnostics, arena, buffer, time, IP/CIDR, map, config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/hash.h"
#include "core/ip.h"
#include "core/json.h"
#include "core/clock.h"

static void test_diag_format(void **state)
{
	vg_diag d;
	char out[512];
	(void)state;
	vg_diag_clear(&d);
	assert_int_equal(vg_diag_set(&d, VG_ERR_INVALID, "port", "bad %s", "value"), VG_ERR_INVALID);
	vg_diag_at(&d, "vigie.conf", 12);
	vg_diag_format(&d, out, sizeof out);
	assert_string_equal(out, "vigie.conf:12: port: bad value");
	vg_diag_field_prefix(&d, "networks[2]");
	assert_string_equal(d.field, "networks[2].port");
	assert_int_equal(vg_err_http_status(VG_ERR_NOT_FOUND), 404);
	assert_string_equal(vg_err_name(VG_ERR_CONFLICT), "conflict");
	assert_null(vg_diag_set(NULL, VG_ERR_IO, NULL, "x") == VG_ERR_IO ? NULL : "bad");
}

static void test_arena(void **state)
{
	vg_arena *a = vg_arena_new(64);
	char *s;
	void *big;
	(void)state;
	assert_non_null(a);
	for (int i = 0; i < 1000; i++) {
		s = vg_arena_printf(a, "item-%d", i);
		assert_string_equal(s, i == 999 ? "item-999" : s);
		assert_int_equal(((uintptr_t)s) % 16, 0);
	}
	big = vg_arena_alloc(a, 100000);
	assert_non_null(big);
	memset(big, 1, 100000);
	assert_true(vg_arena_used(a) >= 100000);
	vg_arena_reset(a);
	assert_int_equal(vg_arena_used(a), 0);
	vg_arena_set_cap(a, 1000);
	assert_non_null(vg_arena_alloc(a, 500));
	assert_null(vg_arena_alloc(a, 600));
	assert_string_equal(vg_arena_strndup(a, "abcdef", 3), "abc");
	vg_arena_free(a);
	vg_arena_free(NULL);
}

static void test_buf_limit(void **state)
{
	vg_buf b;
	(void)state;
	vg_buf_init(&b, 10);
	assert_string_equal(vg_buf_cstr(&b), "");
	assert_int_equal(vg_buf_puts(&b, "hello"), VG_OK);
	assert_int_equal(vg_buf_printf(&b, "%d", 12345), VG_OK);
	assert_int_equal(b.len, 10);
	assert_int_equal(vg_buf_putc(&b, 'x'), VG_ERR_LIMIT);
	assert_string_equal(vg_buf_cstr(&b), "hello12345");
	vg_buf_fini(&b);
	vg_buf_fini(NULL);
	/* JSON strings: quote and backslash escaped, control bytes as \u00XX,
	 * UTF-8 as it is; a full buffer is an error, never a cut escape */
	vg_buf_init(&b, 0);
	assert_int_equal(vg_buf_put_json_str(&b, "a\"b\\c\n\x01\x1f \xc3\xa9", 11), VG_OK);
	assert_string_equal(vg_buf_cstr(&b), "\"a\\\"b\\\\c\\u000a\\u0001\\u001f \xc3\xa9\"");
	vg_buf_fini(&b);
	vg_buf_init(&b, 4);
	assert_int_equal(vg_buf_put_json_str(&b, "ab\"", 3), VG_ERR_LIMIT);
	vg_buf_fini(&b);
}

static void test_time(void **state)
{
	int64_t ms;
	char out[VG_TIME_STRLEN];
	(void)state;
	assert_int_equal(vg_time_parse("1970-01-01T00:00:00Z", 0, &ms, NULL), VG_OK);
	assert_int_equal(ms, 0);
	assert_int_equal(vg_time_parse("2026-11-27T22:05:44.5+01:00", 0, &ms, NULL), VG_OK);
	assert_string_equal(vg_time_format(ms, out, sizeof out, true), "2026-11-27T21:05:44.500Z");
	assert_int_equal(vg_time_parse("2024-02-29T23:59:59z", 0, &ms, NULL), VG_OK);
	assert_string_equal(vg_time_format(ms, out, sizeof out, false), "2024-02-29T23:59:59Z");
	assert_int_equal(vg_time_parse("2023-02-29T00:00:00Z", 0, &ms, NULL), VG_ERR_INVALID);
	assert_int_equal(vg_time_parse("2023-13-01T00:00:00Z", 0, &ms, NULL), VG_ERR_INVALID);
	assert_int_equal(vg_time_parse("2023-01-01T00:00:00", 0, &ms, NULL), VG_ERR_INVALID);
	assert_int_equal(vg_time_parse("2023-01-01T00:00:00+0100", 0, &ms, NULL), VG_ERR_INVALID);
	assert_int_equal(vg_time_parse("1969-12-31T23:59:59Z", 0, &ms, NULL), VG_OK);
	assert_int_equal(ms, -1000);
	assert_string_equal(vg_time_format(-1000, out, sizeof out, false), "1969-12-31T23:59:59Z");
	vg_time_set_fake(1234000);
	assert_int_equal(vg_time_now_ms(), 1234000);
	vg_time_set_fake(0);
	assert_true(vg_time_now_ms() > 1700000000000LL);
}

static void check_cidr(const char *in, bool strict, vg_err want, const char *canon)
{
	vg_cidr c;
	char out[VG_CIDR_STRLEN];
	vg_err e = vg_cidr_parse(in, 0, strict, &c, NULL);
	assert_int_equal(e, want);
	if (!e && canon)
		assert_string_equal(vg_cidr_format(&c, out, sizeof out), canon);
}

static void test_ip(void **state)
{
	vg_ip ip;
	vg_cidr c;
	char out[VG_IP_STRLEN];
	(void)state;
	assert_int_equal(vg_ip_parse("192.0.2.1", 0, &ip, NULL), VG_OK);
	assert_int_equal(ip.family, 4);
	assert_int_equal(vg_ip_parse("2001:DB8:0:0:0:0:0:1", 0, &ip, NULL), VG_OK);
	assert_string_equal(vg_ip_format(&ip, out, sizeof out), "2001:db8::1");
	assert_int_equal(vg_ip_parse("192.0.2.01", 0, &ip, NULL), VG_ERR_INVALID);
	assert_int_equal(vg_ip_parse("192.0.2", 0, &ip, NULL), VG_ERR_INVALID);
	assert_int_equal(vg_ip_parse("256.0.0.1", 0, &ip, NULL), VG_ERR_INVALID);
	assert_int_equal(vg_ip_parse("fe80::1%eth0", 0, &ip, NULL), VG_ERR_INVALID);
	assert_int_equal(vg_ip_parse("", 0, &ip, NULL), VG_ERR_INVALID);
	check_cidr("10.1.2.0/24", true, VG_OK, "10.1.2.0/24");
	check_cidr("10.1.2.3/24", true, VG_ERR_INVALID, NULL);
	check_cidr("10.1.2.3/24", false, VG_OK, "10.1.2.0/24");
	check_cidr("10.0.0.0/33", false, VG_ERR_INVALID, NULL);
	check_cidr("10.0.0.0/08", false, VG_ERR_INVALID, NULL);
	check_cidr("10.0.0.0/", false, VG_ERR_INVALID, NULL);
	check_cidr("2001:db8::/32", true, VG_OK, "2001:db8::/32");
	check_cidr("2001:DB8:0::/48", true, VG_OK, "2001:db8::/48");
	check_cidr("2001:db8::1", true, VG_OK, "2001:db8::1/128");
	check_cidr("0.0.0.0/0", true, VG_OK, "0.0.0.0/0");
	check_cidr("::/129", false, VG_ERR_INVALID, NULL);
	assert_int_equal(vg_cidr_parse("10.1.0.0/16", 0, true, &c, NULL), VG_OK);
	vg_ip_parse("10.1.255.255", 0, &ip, NULL);
	assert_true(vg_cidr_contains(&c, &ip));
	vg_ip_parse("10.2.0.0", 0, &ip, NULL);
	assert_false(vg_cidr_contains(&c, &ip));
	vg_ip_parse("::ffff:10.1.0.1", 0, &ip, NULL);
	assert_false(vg_cidr_contains(&c, &ip));
	vg_ip_parse("192.168.1.1", 0, &ip, NULL);
	assert_true(vg_ip_is_special(&ip));
	vg_ip_parse("8.8.8.8", 0, &ip, NULL);
	assert_false(vg_ip_is_special(&ip));
}

static void test_map(void **state)
{
	vg_map m;
	void *old;
	size_t i = 0, n = 0;
	char key[32];
	(void)state;
	vg_map_init(&m);
	for (intptr_t k = 1; k <= 5000; k++) {
		snprintf(key, sizeof key, "k%ld", (long)k);
		assert_int_equal(vg_map_put(&m, key, strlen(key), (void *)k, NULL), VG_OK);
	}
	assert_int_equal(m.len, 5000);
	assert_ptr_equal(vg_map_get(&m, "k4242", 5), (void *)4242);
	assert_null(vg_map_get(&m, "k5001", 5));
	assert_int_equal(vg_map_put(&m, "k1", 2, (void *)7, &old), VG_OK);
	assert_ptr_equal(old, (void *)1);
	assert_int_equal(m.len, 5000);
	while (vg_map_next(&m, &i))
		n++;
	assert_int_equal(n, 5000);
	vg_map_fini(&m);
}

static void test_config(void **state)
{
	vg_config c;
	vg_diag d;
	char out[512];
	static const char text[] = "# comment\nlisten = 0.0.0.0:9000\nthreads=8 # trailing\n"
				   "session_ttl = 2h\nmax_body = 1M\nlog_format = \"json\"\n";
	char *env_ok[] = {"VIGIE_THREADS=3", "HOME=/root", "VIGIE_ADMIN_PASSWORD=x", NULL};
	char *env_bad[] = {"VIGIE_NOPE=1", NULL};
	(void)state;
	vg_config_defaults(&c);
	for (const vg_cfg_key *k = vg_config_keys; k->name; k++)
		assert_int_equal(vg_config_set(&c, k->name, k->dflt, NULL), VG_OK);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_int_equal(c.session_ttl_s, 12 * 3600);
	assert_int_equal(c.db_busy_timeout_ms, 5000);
	assert_int_equal(vg_config_load_text(&c, text, strlen(text), "t.conf", &d), VG_OK);
	assert_string_equal(c.listen, "0.0.0.0:9000");
	assert_int_equal(c.threads, 8);
	assert_int_equal(c.session_ttl_s, 7200);
	assert_int_equal(c.max_body, 1024 * 1024);
	assert_int_equal(c.log_json, 1);
	assert_int_equal(vg_config_load_env(&c, env_ok, &d), VG_OK);
	assert_int_equal(c.threads, 3);
	assert_int_equal(vg_config_load_env(&c, env_bad, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "VIGIE_NOPE");
	vg_diag_clear(&d);
	assert_int_equal(vg_config_load_text(&c, "\n\nbogus = 1\n", 11, "t.conf", &d), VG_ERR_INVALID);
	vg_diag_format(&d, out, sizeof out);
	assert_string_equal(out, "t.conf:3: bogus: unknown configuration key");
	vg_diag_clear(&d);
	assert_int_equal(vg_config_load_text(&c, "threads = 0\n", 12, "t.conf", &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "threads");
	assert_int_equal(d.line, 1);
	assert_int_equal(vg_config_set(&c, "listen", "nohost", &d), VG_ERR_INVALID);
	assert_int_equal(vg_config_set(&c, "listen", "[::1]:8080", &d), VG_OK);
	assert_int_equal(vg_config_set(&c, "trusted_proxies", "10.0.0.0/8, ::1", &d), VG_OK);
	assert_int_equal(vg_config_set(&c, "trusted_proxies", "10.0.0.0/99", &d), VG_ERR_INVALID);
	assert_int_equal(vg_config_set(&c, "session_ttl", "5x", &d), VG_ERR_INVALID);
	assert_int_equal(vg_config_load_text(&c, "listen\n", 7, "t.conf", &d), VG_ERR_INVALID);
}

static void test_json_write_matches_jansson(void **state)
{
	static const char *const docs[] = {
		"{\"a\":1,\"b\":[true,false,null],\"c\":\"x\\\"y\\\\z\\n\\t\\u0001\\u001f/\"}",
		"[-9223372036854775808,9223372036854775807,0,-1,1.5,1e300,2.0,-0.25]",
		"{\"unicode\":\"Minist\\u00e8re \\u2014 \\ud83d\\ude00\",\"empty\":{},\"arr\":[]}",
		"{\"nested\":{\"deeper\":{\"list\":[{\"k\":\"v\"},[1,[2,[3]]]]}}}",
		"\"just a string\"",
		"42",
	};
	(void)state;
	for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
		json_error_t err;
		json_t *v = json_loads(docs[i], JSON_DECODE_ANY, &err);
		char *want;
		vg_buf b;
		assert_non_null(v);
		want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		vg_buf_init(&b, 0);
		assert_int_equal(vg_json_write(&b, v, 64), VG_OK);
		assert_string_equal(vg_buf_cstr(&b), want);
		vg_buf_reset(&b);
		assert_int_equal(vg_json_write(&b, v, 2), i == 3 ? VG_ERR_LIMIT : VG_OK);
		vg_buf_fini(&b);
		free(want);
		json_decref(v);
	}
}

static void test_sample_config_documents_every_key(void **state)
{
	char path[1024], *text;
	FILE *f;
	long n;
	vg_config c;
	vg_diag d;
	(void)state;
	snprintf(path, sizeof path, "%s/etc/vigie.conf", getenv("VIGIE_SOURCE_ROOT") ? getenv("VIGIE_SOURCE_ROOT") : ".");
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	vg_config_defaults(&c);
	assert_int_equal(vg_config_load_text(&c, text, (size_t)n, path, &d), VG_OK);
	for (const vg_cfg_key *k = vg_config_keys; k->name; k++) {
		char needle[96];
		snprintf(needle, sizeof needle, "#%s = ", k->name);
		if (!strstr(text, needle))
			fail_msg("etc/vigie.conf does not document key %s", k->name);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_format), cmocka_unit_test(test_arena),
		cmocka_unit_test(test_buf_limit),   cmocka_unit_test(test_time),
		cmocka_unit_test(test_ip),          cmocka_unit_test(test_map),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_sample_config_documents_every_key),
		cmocka_unit_test(test_json_write_matches_jansson),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
