/* Value sets (src/detect/value_set.c): an OR of many plain patterns on one
 * field tested in one pass. Checked against the value-by-value definition:
 * hand-picked edges (windows at the first and last position, patterns of
 * exactly 4 bytes, short contains values, empty exact values, values shorter
 * than every pattern), random sets over a small alphabet (many near misses),
 * which items get a set at all, and whole rules evaluated with the sets and
 * in the matcher's exhaustive mode (value by value). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "detect/internal.h"
#include "detect/sigma.h"

typedef struct pat {
	vg_pat_shape shape;
	const char *s;
} pat;

/* An item of the given patterns (lowered already) on field 0. */
static vg_sitem make_item(vg_arena *a, const pat *p, size_t n)
{
	vg_sitem it = {0};
	it.fid = 0;
	it.nvals = n;
	it.vals = vg_arena_calloc(a, n, sizeof(vg_sval));
	assert_non_null(it.vals);
	for (size_t i = 0; i < n; i++) {
		it.vals[i].kind = VK_PATTERN;
		it.vals[i].shape = (uint8_t)p[i].shape;
		it.vals[i].lit = p[i].s;
		it.vals[i].litlen = strlen(p[i].s);
		it.vals[i].lit_id = -1;
	}
	return it;
}

static bool one(const vg_sval *v, const char *s, size_t n)
{
	size_t m = v->litlen;
	switch (v->shape) {
	case PS_EXACT: return n == m && memcmp(s, v->lit, m) == 0;
	case PS_PREFIX: return n >= m && memcmp(s, v->lit, m) == 0;
	case PS_SUFFIX: return n >= m && memcmp(s + n - m, v->lit, m) == 0;
	case PS_CONTAINS: return m == 0 || (n >= m && memmem(s, n, v->lit, m) != NULL);
	default: return false;
	}
}

/* What the set must answer: any covered value matches. */
static bool reference(const vg_sitem *it, const char *s, size_t n)
{
	for (size_t i = 0; i < it->nvals; i++)
		if (it->vals[i].in_vset && one(&it->vals[i], s, n))
			return true;
	return false;
}

static void check(const vg_sitem *it, const char *s, bool want)
{
	size_t n = strlen(s);
	bool got = vg_vset_match(it->vset, s, n);
	if (got != want || reference(it, s, n) != want)
		fail_msg("'%s': set says %d, reference %d, expected %d", s, got, reference(it, s, n), want);
}

static void test_shapes(void **state)
{
	(void)state;
	vg_arena *a = vg_arena_new(4096);
	const pat p[] = {
		{PS_SUFFIX, "\\cmd.exe"},   {PS_SUFFIX, "\\powershell.exe"}, {PS_PREFIX, "c:\\temp\\"},
		{PS_EXACT, "4444"},	     {PS_EXACT, ""},		      {PS_CONTAINS, "misc::"},
		{PS_CONTAINS, " -nop "},    {PS_CONTAINS, "abcd"},	      {PS_CONTAINS, "::"},
		{PS_CONTAINS, "downloadstring("}, {PS_GLOB, "x*y"},
	};
	vg_sitem it = make_item(a, p, sizeof(p) / sizeof(p[0]));
	assert_int_equal(vg_vset_build(a, &it), VG_OK);
	assert_non_null(it.vset);
	assert_false(it.vals[10].in_vset); /* a glob is tested on its own */
	assert_int_equal(it.nvrest, 1);
	assert_int_equal(it.vrest[0], 10);
	check(&it, "c:\\windows\\system32\\cmd.exe", true);
	check(&it, "c:\\windows\\system32\\cmd.exe2", false);
	check(&it, "\\cmd.exe", true);
	check(&it, "cmd.exe", false);
	check(&it, "c:\\temp\\x.bat", true);
	check(&it, "c:\\temp", false);
	check(&it, "4444", true);
	check(&it, "44444", false);
	check(&it, "", true); /* the empty exact value */
	check(&it, "abcd", true);    /* a 4-byte window pattern, whole value */
	check(&it, "xxabcd", true);  /* at the last position */
	check(&it, "abc", false);
	check(&it, "x abc d", false);
	check(&it, "a::b", true);    /* a 2-byte contains value */
	check(&it, "powershell -nop -w hidden", true);
	check(&it, "powershell -nop", false);
	check(&it, "(new-object net.webclient).downloadstring('http://x')", true);
	check(&it, "downloadstring", false);
	check(&it, "sekurlsa::logonpasswords", true);
	check(&it, "xy", false);
	vg_arena_free(a);
}

static void test_qualifies(void **state)
{
	(void)state;
	vg_arena *a = vg_arena_new(4096);
	const pat few[] = {{PS_SUFFIX, "\\a.exe"}, {PS_SUFFIX, "\\b.exe"}, {PS_CONTAINS, "abc"}};
	vg_sitem it = make_item(a, few, 3);
	assert_int_equal(vg_vset_build(a, &it), VG_OK);
	assert_null(it.vset); /* fewer than VG_VSET_VALUES_MIN */
	const pat many[] = {{PS_SUFFIX, "\\a.exe"}, {PS_SUFFIX, "\\b.exe"}, {PS_CONTAINS, "abc"}, {PS_EXACT, "x"},
			    {PS_PREFIX, "y"}};
	vg_sitem all = make_item(a, many, 5);
	all.all = true; /* |all: every value must match, not one */
	assert_int_equal(vg_vset_build(a, &all), VG_OK);
	assert_null(all.vset);
	vg_sitem kw = make_item(a, many, 5);
	kw.fid = -1; /* keywords search the whole event */
	assert_int_equal(vg_vset_build(a, &kw), VG_OK);
	assert_null(kw.vset);
	vg_sitem ok = make_item(a, many, 5);
	assert_int_equal(vg_vset_build(a, &ok), VG_OK);
	assert_non_null(ok.vset);
	assert_int_equal(ok.nvrest, 0);
	check(&ok, "y", true);
	check(&ok, "x", true);
	check(&ok, "xx", false);
	vg_arena_free(a);
}

/* Random sets over a 4-letter alphabet: windows collide in the filter, many
 * patterns share prefixes and suffixes, and most strings nearly match. */
static void test_random_against_reference(void **state)
{
	(void)state;
	static const char alpha[] = "ab\\.";
	unsigned seed = 12345;
	size_t disagreements = 0, hits = 0, probes = 0;
	for (int round = 0; round < 300; round++) {
		vg_arena *a = vg_arena_new(8192);
		size_t n = 4 + (size_t)(rand_r(&seed) % 40);
		pat *p = vg_arena_calloc(a, n, sizeof(pat));
		for (size_t i = 0; i < n; i++) {
			size_t len = 1 + (size_t)(rand_r(&seed) % 9);
			char *s = vg_arena_alloc(a, len + 1);
			for (size_t k = 0; k < len; k++)
				s[k] = alpha[rand_r(&seed) % 4];
			s[len] = 0;
			p[i].s = s;
			p[i].shape = (vg_pat_shape)(rand_r(&seed) % 4);
		}
		vg_sitem it = make_item(a, p, n);
		assert_int_equal(vg_vset_build(a, &it), VG_OK);
		assert_non_null(it.vset);
		for (int t = 0; t < 200; t++) {
			char s[48];
			size_t len = (size_t)(rand_r(&seed) % 40);
			for (size_t k = 0; k < len; k++)
				s[k] = alpha[rand_r(&seed) % 4];
			s[len] = 0;
			bool want = reference(&it, s, len), got = vg_vset_match(it.vset, s, len);
			disagreements += want != got;
			hits += want;
			probes++;
		}
		vg_arena_free(a);
	}
	assert_int_equal(disagreements, 0);
	assert_true(hits > probes / 10 && hits < probes); /* both answers were exercised */
}

/* A rule of long lists: with value sets and value by value (exhaustive mode)
 * the same events hit. */
static const char rule[] = "title: lists\n"
			   "id: 5a0e2c1e-0000-4000-8000-0000000000f1\n"
			   "logsource: {product: test}\n"
			   "detection:\n"
			   "  sel_image:\n"
			   "    Image|endswith: ['\\calc.exe', '\\mshta.exe', '\\ping.exe', '\\hh.exe', '\\wscript.exe']\n"
			   "  sel_cmd:\n"
			   "    CommandLine|contains: [' -nop ', 'sekurlsa::', '.downloadstring(', 'vssadmin delete shadows', "
			   "'misc::', ';iex(']\n"
			   "  sel_port:\n"
			   "    DestinationPort: [4444, 1337, 8443, 31337, 6666, 9001]\n"
			   "  filter:\n"
			   "    ParentImage|startswith: ['C:\\Program Files\\', 'C:\\Windows\\', 'D:\\Tools\\', 'E:\\A\\', "
			   "'F:\\B\\']\n"
			   "  condition: (sel_image or sel_cmd or sel_port) and not filter\n";

static void count_hit(void *ctx, const vg_hit *h)
{
	(void)h;
	(*(int *)ctx)++;
}

static void test_rule_sets_equal_exhaustive(void **state)
{
	(void)state;
	static const char *const events[] = {
		"{\"Image\":\"C:\\\\Windows\\\\System32\\\\MSHTA.EXE\",\"ParentImage\":\"C:\\\\Users\\\\a\\\\x.exe\"}",
		"{\"Image\":\"C:\\\\Windows\\\\System32\\\\MSHTA.EXE\",\"ParentImage\":\"C:\\\\Windows\\\\explorer.exe\"}",
		"{\"Image\":\"C:\\\\x\\\\mshta.exe.bak\",\"ParentImage\":\"C:\\\\Users\\\\a\\\\x.exe\"}",
		"{\"CommandLine\":\"powershell -NoP -w hidden\",\"ParentImage\":\"C:\\\\Users\\\\a\\\\x.exe\"}",
		"{\"CommandLine\":\"powershell -NoP -w hidden \",\"ParentImage\":\"C:\\\\Users\\\\a\\\\x.exe\"}",
		"{\"CommandLine\":\"mimikatz SEKURLSA::logonpasswords\",\"ParentImage\":\"\"}",
		"{\"CommandLine\":\"cmd /c ;IEX(x)\"}",
		"{\"DestinationPort\":4444}",
		"{\"DestinationPort\":44444}",
		"{\"DestinationPort\":\"8443\",\"ParentImage\":\"D:\\\\Tools\\\\n.exe\"}",
		"{\"DestinationPort\":null}",
		"{\"Image\":[\"a\",\"b\\\\ping.exe\"]}",
	};
	static const int expected[] = {1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1};
	vg_ruleset *rs = vg_ruleset_new();
	vg_load_report rep = {0};
	vg_diag d = {0};
	assert_int_equal(vg_ruleset_load_string(rs, "lists.yml", rule, strlen(rule), &rep), VG_OK);
	assert_int_equal(rep.loaded, 1);
	assert_int_equal(vg_ruleset_compile(rs, &d), VG_OK);
	vg_detect_scratch *fast = vg_detect_scratch_new(rs), *slow = vg_detect_scratch_new(rs);
	vg_detect_scratch_set_exhaustive(slow, true);
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		int a = 0, b = 0;
		vg_detect_json(fast, events[i], strlen(events[i]), count_hit, &a, &d);
		vg_detect_json(slow, events[i], strlen(events[i]), count_hit, &b, &d);
		if (a != expected[i] || b != expected[i])
			fail_msg("event %zu: %d hits with value sets, %d value by value, expected %d", i, a, b, expected[i]);
	}
	vg_detect_scratch_free(fast);
	vg_detect_scratch_free(slow);
	vg_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_qualifies),
		cmocka_unit_test(test_random_against_reference),
		cmocka_unit_test(test_rule_sets_equal_exhaustive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
