/* The JSON extractor guesses each key from the shape of the last event (the
 * key that came first under an object, the key that followed the previous
 * one) and checks the guess against the text before using it. These tests
 * feed events of changing shapes through one scratch and check that every
 * field still resolves to its own value: reordered keys, a key that is a
 * prefix of the guessed one (and the other way round), an escaped key equal
 * to a plain one, a key holding an escaped quote, nested objects, arrays of
 * objects, keys at the very end of the buffer, and truncated input; and
 * skipped values with escapes at every offset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect/sigma.h"

static const char rule[] = "title: shape\n"
			   "id: 5a0e2c1e-0000-4000-8000-000000000001\n"
			   "logsource: {product: test}\n"
			   "detection:\n"
			   "  sel:\n"
			   "    ab: hit\n"
			   "  other:\n"
			   "    a: '*'\n"
			   "    abc: '*'\n"
			   "    x.y: '*'\n"
			   "    x.yy: '*'\n"
			   "    'k\"q': '*'\n"
			   "    list.n: '*'\n"
			   "    'a\\b': '*'\n"
			   "  condition: sel or (other and not other)\n";

typedef struct fixture {
	vg_ruleset *rs;
	vg_detect_scratch *sc;
	int hits;
} fixture;

static void on_hit(void *ctx, const vg_hit *h)
{
	(void)h;
	((fixture *)ctx)->hits++;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	vg_load_report rep = {0};
	vg_diag d;
	if (!f || !(f->rs = vg_ruleset_new()) || vg_ruleset_load_string(f->rs, "shape.yml", rule, strlen(rule), &rep) ||
	    vg_ruleset_compile(f->rs, &d) || !(f->sc = vg_detect_scratch_new(f->rs)))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	vg_detect_scratch_free(f->sc);
	vg_ruleset_free(f->rs);
	free(f);
	return 0;
}

/* Run one event (exactly len bytes, copied to the end of a heap block so
 * that a read past it is caught by the sanitizers); returns the hits. */
static int feed(fixture *f, const char *json)
{
	size_t n = strlen(json);
	char *buf = malloc(n ? n : 1);
	vg_diag d;
	assert_non_null(buf);
	memcpy(buf, json, n);
	f->hits = 0;
	int r = vg_detect_json(f->sc, buf, n, on_hit, f, &d);
	free(buf);
	return r < 0 ? -1 : f->hits;
}

static void expect(fixture *f, const char *field, const char *value)
{
	size_t n = 0;
	const char *v = vg_detect_event_field(f->sc, field, &n);
	if (!value) {
		assert_null(v);
		return;
	}
	assert_non_null(v);
	assert_int_equal(n, strlen(value));
	assert_memory_equal(v, value, n);
}

static void t_reordered_and_prefix_keys(void **state)
{
	fixture *f = *state;
	for (int round = 0; round < 3; round++) {
		assert_int_equal(feed(f, "{\"a\":\"1\",\"ab\":\"2\",\"abc\":\"3\"}"), 0);
		expect(f, "a", "1");
		expect(f, "ab", "2");
		expect(f, "abc", "3");
		assert_int_equal(feed(f, "{\"ab\":\"hit\",\"a\":\"y\",\"abc\":\"z\"}"), 1);
		expect(f, "a", "y");
		expect(f, "abc", "z");
		/* the guess is "abc" (it followed "ab" last time): "ab" then "abcd" */
		assert_int_equal(feed(f, "{\"ab\":\"hit\",\"abcd\":\"no\",\"abc\":\"w\"}"), 1);
		expect(f, "abc", "w");
		expect(f, "a", NULL);
		/* the guess is "ab": the key "a" is a prefix of it */
		assert_int_equal(feed(f, "{\"a\":\"p\",\"abc\":\"q\"}"), 0);
		expect(f, "a", "p");
		expect(f, "ab", NULL);
		expect(f, "abc", "q");
	}
}

static void t_escaped_keys(void **state)
{
	fixture *f = *state;
	/* an escaped spelling of a key seen plain, and the other way round */
	assert_int_equal(feed(f, "{\"ab\":\"x\",\"a\":\"1\"}"), 0);
	assert_int_equal(feed(f, "{\"a\\u0062\":\"hit\",\"\\u0061\":\"2\"}"), 1);
	expect(f, "a", "2");
	assert_int_equal(feed(f, "{\"ab\":\"hit\",\"a\":\"3\"}"), 1);
	expect(f, "a", "3");
	/* a key with an escaped quote is never taken from the guess */
	for (int round = 0; round < 2; round++) {
		assert_int_equal(feed(f, "{\"k\\\"q\":\"v\",\"ab\":\"hit\"}"), 1);
		expect(f, "k\"q", "v");
	}
	/* a key whose raw text equals a stored key but is an escape: the stored
	 * key a\b (written "a\\b") against the raw text a\b (a, backspace) */
	assert_int_equal(feed(f, "{\"a\\\\b\":\"1\"}"), 0);
	expect(f, "a\\b", "1");
	assert_int_equal(feed(f, "{\"a\\b\":\"2\"}"), 0);
	expect(f, "a\\b", NULL);
	assert_int_equal(feed(f, "{\"a\\\\b\":\"hit\"}"), 0);
	assert_int_equal(feed(f, "{\"a\\bb\":\"hit\"}"), 0);
	expect(f, "ab", NULL);
}

static void t_nested_and_arrays(void **state)
{
	fixture *f = *state;
	assert_int_equal(feed(f, "{\"x\":{\"y\":\"1\"},\"list\":[{\"n\":\"a\"},{\"n\":\"b\"}]}"), 0);
	expect(f, "x.y", "1");
	expect(f, "list.n", "a"); /* the first of the list */
	assert_int_equal(feed(f, "{\"x\":{\"yy\":\"2\",\"y\":\"3\"},\"list\":[{\"m\":\"0\",\"n\":\"c\"},{\"n\":\"d\"}]}"), 0);
	expect(f, "x.y", "3");
	expect(f, "x.yy", "2");
	expect(f, "list.n", "c");
	/* the same key names at another level are other paths */
	assert_int_equal(feed(f, "{\"y\":\"top\",\"x\":{\"y\":\"4\"}}"), 0);
	expect(f, "x.y", "4");
}

static void t_buffer_end(void **state)
{
	fixture *f = *state;
	/* short events: the key compare cannot read eight bytes past the key */
	assert_int_equal(feed(f, "{\"a\":1}"), 0);
	expect(f, "a", "1");
	assert_int_equal(feed(f, "{\"a\":2}"), 0);
	expect(f, "a", "2");
	assert_int_equal(feed(f, "{\"ab\":\"hit\"}"), 1);
	assert_int_equal(feed(f, "{\"ab\":\"hit\"}"), 1);
	/* truncated where a guessed key would be read */
	static const char *const cut[] = {"{\"ab\":\"hit\",\"a", "{\"ab\":\"hit\",\"", "{\"ab\":\"hit\",\"abc", "{\"a",
					  "{\"ab", "{\"ab\"", "{\"ab\":"};
	for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
		assert_int_equal(feed(f, cut[i]), -1);
	assert_int_equal(feed(f, "{\"ab\":\"hit\",\"abc\":\"9\"}"), 1);
	expect(f, "abc", "9");
	/* escaped keys: decoded within their own text, bounded by the path limit */
	static char ev[5000];
	for (size_t n = 1000; n <= 1100; n += 20) { /* around VG_EVENT_PATH_MAX (1024) */
		size_t o = (size_t)snprintf(ev, sizeof(ev), "{\"x\":{\"\\u0061");
		memset(ev + o, 'k', n);
		o += n;
		o += (size_t)snprintf(ev + o, sizeof(ev) - o, "\":\"v\"},\"ab\":\"hit\"}");
		assert_int_equal(feed(f, ev), n + 6 + 2 < 1024 ? 1 : -1);
	}
	assert_int_equal(feed(f, "{\"\\u00"), -1);
	assert_int_equal(feed(f, "{\"a\\"), -1);
	assert_int_equal(feed(f, "{\"a\\u0062"), -1);
}

/* Values no rule reads are skipped undecoded (this ruleset has no keyword):
 * the scan for the closing quote goes 16 bytes at a time, so a quote or an
 * escape at any offset around those blocks, at any length, must be found
 * exactly where it is, and a bad escape refused as decoding refuses it. */
static void t_skipped_strings(void **state)
{
	fixture *f = *state;
	char skipped[128], ev[256];
	for (size_t len = 0; len < 40; len++) {
		for (size_t at = 0; at <= len; at++) {
			/* len bytes of text with an escaped quote (or a \u escape) at 'at' */
			size_t o = 0;
			for (size_t i = 0; i < len; i++) {
				if (i == at) {
					const char *esc = (len + at) % 2 ? "\\\"" : "\\u00e9";
					memcpy(skipped + o, esc, strlen(esc));
					o += strlen(esc);
				}
				skipped[o++] = (char)('a' + i % 26);
			}
			skipped[o] = 0;
			snprintf(ev, sizeof(ev), "{\"zz\":\"%s\",\"ab\":\"hit\",\"zy\":\"%s\",\"a\":\"%zu\"}", skipped, skipped, len);
			assert_int_equal(feed(f, ev), 1);
			char want[8];
			snprintf(want, sizeof(want), "%zu", len);
			expect(f, "a", want);
			/* the same with a bad escape: the event is refused */
			snprintf(ev, sizeof(ev), "{\"zz\":\"%.*s\\q%s\",\"ab\":\"hit\"}", (int)at, skipped, skipped + at);
			assert_int_equal(feed(f, ev), -1);
			/* unterminated */
			snprintf(ev, sizeof(ev), "{\"ab\":\"hit\",\"zz\":\"%s", skipped);
			assert_int_equal(feed(f, ev), -1);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_reordered_and_prefix_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(t_escaped_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(t_nested_and_arrays, setup, teardown),
		cmocka_unit_test_setup_teardown(t_buffer_end, setup, teardown),
		cmocka_unit_test_setup_teardown(t_skipped_strings, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
