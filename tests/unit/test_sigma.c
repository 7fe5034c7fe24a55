/* Unit tests of the Sigma engine: value semantics, every modifier, every
 * condition form, filters, routing, loader errors, event parsers and inputs.
 * Cases start from the examples of the specification (spec/specification). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <cmocka.h>

#include "detect/input.h"
#include "detect/internal.h"
#include "detect/ioc.h"
#include "detect/sigma.h"

static vg_load_report last_report;
static char last_problem[512];

static void keep_problem(void *ctx, const vg_diag *d)
{
	(void)ctx;
	vg_diag_format(d, last_problem, sizeof(last_problem));
}

/* Compile one rule (plus an optional mapping); NULL when it is refused. */
static vg_ruleset *compile(const char *mapping, const char *yaml)
{
	vg_ruleset *rs = vg_ruleset_new();
	vg_diag d;
	memset(&last_report, 0, sizeof(last_report));
	last_report.problem = keep_problem;
	last_problem[0] = 0;
	assert_non_null(rs);
	if (mapping)
		assert_int_equal(vg_ruleset_load_mapping_string(rs, "mapping", mapping, strlen(mapping), &d), VG_OK);
	assert_int_equal(vg_ruleset_load_string(rs, "rule.yml", yaml, strlen(yaml), &last_report), VG_OK);
	assert_int_equal(vg_ruleset_compile(rs, &d), VG_OK);
	if (last_report.loaded + last_report.filters == 0) {
		vg_ruleset_free(rs);
		return NULL;
	}
	return rs;
}

static int fire(vg_ruleset *rs, const char *event)
{
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	vg_diag d;
	int n;
	assert_non_null(sc);
	n = vg_detect_json(sc, event, strlen(event), NULL, NULL, &d);
	vg_detect_scratch_free(sc);
	return n;
}

/* Rule with one selection "sel" whose body is given, condition "sel". */
#define RULE(body) "title: t\nid: r1\nlogsource: {product: test}\ndetection:\n  sel:\n" body "\n  condition: sel\n"

static void check(const char *yaml, const char *event, int want)
{
	vg_ruleset *rs = compile(NULL, yaml);
	if (!rs)
		fail_msg("rule refused: %s", last_problem);
	int got = fire(rs, event);
	if (got != want)
		fail_msg("rule\n%s\nevent %s: fired %d, expected %d", yaml, event, got, want);
	vg_ruleset_free(rs);
}

static void refused(const char *yaml, const char *needle)
{
	vg_ruleset *rs = compile(NULL, yaml);
	if (rs) {
		vg_ruleset_free(rs);
		fail_msg("rule accepted, expected refusal containing '%s'", needle);
	}
	if (!strstr(last_problem, needle))
		fail_msg("problem '%s' does not contain '%s'", last_problem, needle);
	assert_non_null(strstr(last_problem, "rule.yml:"));
}

static void t_plain_values(void **st)
{
	(void)st;
	check(RULE("    Image: 'C:\\Windows\\cmd.exe'"), "{\"Image\":\"c:\\\\windows\\\\CMD.EXE\"}", 1);
	check(RULE("    Image: 'cmd.exe'"), "{\"Image\":\"c:\\\\cmd.exe\"}", 0); /* exact by default */
	check(RULE("    EventID: 4688"), "{\"EventID\":4688}", 1);
	check(RULE("    EventID: [517, 1102]"), "{\"EventID\":1102}", 1);
	check(RULE("    EventID: [517, 1102]"), "{\"EventID\":1103}", 0);
	check(RULE("    A: x\n    B: y"), "{\"A\":\"x\",\"B\":\"z\"}", 0); /* map is AND */
	check(RULE("    Flag: true"), "{\"Flag\":true}", 1);
	check(RULE("    Nested.Field: v"), "{\"Nested\":{\"Field\":\"V\"}}", 1); /* dotted paths */
	check(RULE("    Arr: b"), "{\"Arr\":[\"a\",\"b\"]}", 1);                /* any array element */
}

static void t_wildcards_and_escapes(void **st)
{
	(void)st;
	check(RULE("    Image: 'prog?.exe'"), "{\"Image\":\"progA.exe\"}", 1);
	check(RULE("    Image: 'prog?.exe'"), "{\"Image\":\"prog.exe\"}", 0);
	check(RULE("    Image: 'prog\xc3\xa9?.exe'"), "{\"Image\":\"prog\xc3\xa9\xc3\xa9.exe\"}", 1); /* ? is one character */
	check(RULE("    Image: 'antivirus_V*.exe'"), "{\"Image\":\"antivirus_V21.2.1.exe\"}", 1);
	check(RULE("    Image: '*\\cmd.exe'"), "{\"Image\":\"C:\\\\x\\\\cmd.exe\"}", 1);
	/* escaping (spec "Escape Character") */
	check(RULE("    V: 'a\\*b'"), "{\"V\":\"a*b\"}", 1);
	check(RULE("    V: 'a\\*b'"), "{\"V\":\"axxb\"}", 0);
	check(RULE("    V: 'a\\\\*'"), "{\"V\":\"a\\\\xyz\"}", 1);   /* \\* = backslash then wildcard */
	check(RULE("    V: 'a\\\\\\*'"), "{\"V\":\"a\\\\*\"}", 1);   /* \\\* = plain backslash and star */
	check(RULE("    V: 'a\\\\\\\\b'"), "{\"V\":\"a\\\\\\\\b\"}", 1); /* \\\\ = two backslashes */
	check(RULE("    V: 'C:\\\\Windows'"), "{\"V\":\"C:\\\\Windows\"}", 1); /* \\ = one backslash */
}

static void t_null_and_empty(void **st)
{
	(void)st;
	check(RULE("    F: ''"), "{\"F\":\"\"}", 1);
	check(RULE("    F: ''"), "{\"G\":\"\"}", 0);
	check(RULE("    F: null"), "{\"G\":\"x\"}", 1);
	check(RULE("    F: null"), "{\"F\":null}", 1);
	check(RULE("    F: null"), "{\"F\":\"x\"}", 0);
	refused(RULE("    F: ['', null]"), "null cannot be part of a list");
}

static void t_modifiers_string(void **st)
{
	(void)st;
	check(RULE("    C|contains: 'mimikatz'"), "{\"C\":\"run MimiKatz now\"}", 1);
	check(RULE("    C|startswith: 'adm'"), "{\"C\":\"Administrator\"}", 1);
	check(RULE("    C|endswith: '\\cmd.exe'"), "{\"C\":\"C:\\\\cmd.exe\"}", 1);
	check(RULE("    C|endswith: '\\cmd.exe'"), "{\"C\":\"C:\\\\cmd.exe2\"}", 0);
	check(RULE("    C|contains|all: ['a1', 'b2']"), "{\"C\":\"b2 a1\"}", 1);
	check(RULE("    C|contains|all: ['a1', 'b2']"), "{\"C\":\"a1\"}", 0);
	check(RULE("    C|cased: 'CamelCase'"), "{\"C\":\"camelcase\"}", 0);
	check(RULE("    C|cased: 'CamelCase'"), "{\"C\":\"CamelCase\"}", 1);
	check(RULE("    C|contains|cased: 'Up'"), "{\"C\":\"xUpx\"}", 1);
	check(RULE("    C|neq: 'x'"), "{\"C\":\"y\"}", 1);
	check(RULE("    C|neq: 'x'"), "{\"C\":\"X\"}", 0);
	check(RULE("    C|neq: ['x', 'y']"), "{\"C\":\"y\"}", 0);
	check(RULE("    C|exists: true"), "{\"C\":\"\"}", 1);
	check(RULE("    C|exists: false"), "{\"C\":\"\"}", 0);
	check(RULE("    C|exists: false"), "{\"D\":1}", 1);
	refused(RULE("    C|exists: yes"), "exists");
	refused(RULE("    C|bogus: x"), "unknown modifier 'bogus'");
}

static void t_modifiers_windash(void **st)
{
	(void)st;
	const char *r = RULE("    C|contains|windash: ' -enc '");
	check(r, "{\"C\":\"powershell -enc AAA\"}", 1);
	check(r, "{\"C\":\"powershell /enc AAA\"}", 1);
	check(r, "{\"C\":\"powershell \xe2\x80\x93" "enc AAA\"}", 1); /* en dash */
	check(r, "{\"C\":\"powershell \xe2\x80\x94" "enc AAA\"}", 1); /* em dash */
	check(r, "{\"C\":\"powershell \xe2\x80\x95" "enc AAA\"}", 1); /* horizontal bar */
	check(r, "{\"C\":\"powershell +enc AAA\"}", 0);
}

static void t_modifiers_regex(void **st)
{
	(void)st;
	check(RULE("    C|re: '^ab+c$'"), "{\"C\":\"abbbc\"}", 1);
	check(RULE("    C|re: '^ab+c$'"), "{\"C\":\"ABBC\"}", 0); /* case-sensitive by default */
	check(RULE("    C|re|i: '^ab+c$'"), "{\"C\":\"ABBC\"}", 1);
	check(RULE("    C|re: '^b$'"), "{\"C\":\"a\\nb\"}", 0);
	check(RULE("    C|re|m: '^b$'"), "{\"C\":\"a\\nb\"}", 1);
	check(RULE("    C|re: 'a.b'"), "{\"C\":\"a\\nb\"}", 0);
	check(RULE("    C|re|s: 'a.b'"), "{\"C\":\"a\\nb\"}", 1);
	/* the prefilter takes a literal from the regex: optional parts, groups,
	 * classes and alternations must not make it lose matches */
	check(RULE("    C|re: 'ab?cdef'"), "{\"C\":\"acdef\"}", 1);
	check(RULE("    C|re: 'foo(bar)?bazqux'"), "{\"C\":\"foobazqux\"}", 1);
	check(RULE("    C|re: 'abc|xyz'"), "{\"C\":\"xyz\"}", 1);
	check(RULE("    C|re: '(?i)HeLLo\\.exe'"), "{\"C\":\"hello.EXE\"}", 1);
	check(RULE("    C|re: 'x+yzw{2}'"), "{\"C\":\"xxyzww\"}", 1);
	check(RULE("    C|re: 'pre[a-z]*post'"), "{\"C\":\"prepost\"}", 1);
	check(RULE("    C|re: 'tail\\\\x?s'"), "{\"C\":\"tail\\\\s\"}", 1);
	check(RULE("    C|re: 'Abcdef'"), "{\"C\":\"abcdef\"}", 0);
	check(RULE("    C|re: '(?:ab|cd)efg'"), "{\"C\":\"xcdefg\"}", 1);
	check(RULE("    C|re: '(?<=x)abc(?!z)'"), "{\"C\":\"xabcy\"}", 1);
	check(RULE("    C|re: '(?x) a b c # comment'"), "{\"C\":\"abc\"}", 1);
	check(RULE("    C|contains: '\xd0\xb0'"), "{\"C\":\"p\xd0\xb0ypal\"}", 1); /* Cyrillic a */
	/* catastrophic backtracking stops at the match limit instead of hanging */
	check(RULE("    C|re: '(a+)+$'"), "{\"C\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab\"}", 0);
	refused(RULE("    C|re: '(unclosed'"), "regular expression");
	refused(RULE("    C|i: 'x'"), "needs 're'");
}

static void t_modifiers_encoding(void **st)
{
	(void)st;
	/* "cmd" base64 = Y21k */
	check(RULE("    C|base64: 'cmd'"), "{\"C\":\"Y21k\"}", 1);
	check(RULE("    C|base64|contains: 'cmd'"), "{\"C\":\"xxY21kxx\"}", 1);
	/* base64offset: "/bin/sh" at the three offsets inside longer base64 text */
	const char *r = RULE("    C|base64offset|contains: '/bin/sh'");
	check(r, "{\"C\":\"L2Jpbi9zaA==\"}", 1);     /* "/bin/sh" */
	check(r, "{\"C\":\"eC9iaW4vc2g=\"}", 1);     /* "x/bin/sh" */
	check(r, "{\"C\":\"eHgvYmluL3No\"}", 1);     /* "xx/bin/sh" */
	check(r, "{\"C\":\"L2Jpbi9iYXNo\"}", 0);     /* "/bin/bash" */
	/* utf16le (= wide) then base64: "cmd" -> 63 00 6d 00 64 00 -> YwBtAGQA */
	check(RULE("    C|utf16le|base64: 'cmd'"), "{\"C\":\"YwBtAGQA\"}", 1);
	check(RULE("    C|wide|base64: 'cmd'"), "{\"C\":\"YwBtAGQA\"}", 1);
	/* utf16be: 00 63 00 6d 00 64 -> AGMAbQBk */
	check(RULE("    C|utf16be|base64: 'cmd'"), "{\"C\":\"AGMAbQBk\"}", 1);
	/* utf16 with BOM: ff fe 63 00 6d 00 64 00 -> //5jAG0AZAA= */
	check(RULE("    C|utf16|base64: 'cmd'"), "{\"C\":\"//5jAG0AZAA=\"}", 1);
	check(RULE("    C|wide|base64offset|contains: 'ping'"), "{\"C\":\"xxcABpAG4AZwxx\"}", 1);
	refused(RULE("    C|base64: 'a*b'"), "wildcards");
}

static void t_modifiers_cidr(void **st)
{
	(void)st;
	check(RULE("    Ip|cidr: 10.0.0.0/8"), "{\"Ip\":\"10.1.2.3\"}", 1);
	check(RULE("    Ip|cidr: 10.0.0.0/8"), "{\"Ip\":\"11.1.2.3\"}", 0);
	check(RULE("    Ip|cidr: ['192.168.0.0/16', 'fe80::/10']"), "{\"Ip\":\"fe80::1\"}", 1);
	check(RULE("    Ip|cidr: 10.0.0.0/8"), "{\"Ip\":\"not-an-ip\"}", 0);
	refused(RULE("    Ip|cidr: 10.0.0.0/99"), "cidr");
}

static void t_modifiers_numeric_time(void **st)
{
	(void)st;
	check(RULE("    N|gt: 10"), "{\"N\":11}", 1);
	check(RULE("    N|gt: 10"), "{\"N\":10}", 0);
	check(RULE("    N|gte: 10"), "{\"N\":\"10\"}", 1);
	check(RULE("    N|lt: 10"), "{\"N\":9.5}", 1);
	check(RULE("    N|lte: 10"), "{\"N\":11}", 0);
	check(RULE("    N|gt: 10"), "{\"N\":\"abc\"}", 0);
	refused(RULE("    N|gt: ten"), "not a number");
	const char *ev = "{\"T\":\"2025-11-26T05:11:27.927Z\"}";
	check(RULE("    T|hour: 5"), ev, 1);
	check(RULE("    T|minute: 11"), ev, 1);
	check(RULE("    T|day: 26"), ev, 1);
	check(RULE("    T|month: 11"), ev, 1);
	check(RULE("    T|year: 2025"), ev, 1);
	check(RULE("    T|week: 48"), ev, 1);
	check(RULE("    T|hour|gte: 8"), ev, 0);
	check(RULE("    T|hour|lt: 8"), ev, 1);
}

static void t_modifiers_fieldref_expand(void **st)
{
	(void)st;
	check(RULE("    A|fieldref: B"), "{\"A\":\"x\",\"B\":\"X\"}", 1);
	check(RULE("    A|fieldref: B"), "{\"A\":\"x\",\"B\":\"y\"}", 0);
	check(RULE("    A|fieldref|neq: B"), "{\"A\":\"x\",\"B\":\"y\"}", 1);
	const char *map = "placeholders:\n  Admins: [root, 'adm_*']\n";
	vg_ruleset *rs = compile(map, RULE("    User|expand: '%Admins%'"));
	assert_non_null(rs);
	assert_int_equal(fire(rs, "{\"User\":\"root\"}"), 1);
	assert_int_equal(fire(rs, "{\"User\":\"adm_bob\"}"), 1);
	assert_int_equal(fire(rs, "{\"User\":\"bob\"}"), 0);
	vg_ruleset_free(rs);
	/* escaped percent and embedded placeholder */
	rs = compile(map, RULE("    User|expand: '\\%x-%Admins%'"));
	assert_non_null(rs);
	assert_int_equal(fire(rs, "{\"User\":\"%x-root\"}"), 1);
	vg_ruleset_free(rs);
	/* an unknown placeholder is reported and matches nothing */
	rs = compile(NULL, RULE("    User|expand: '%Nobody%'"));
	assert_non_null(rs);
	assert_int_equal(last_report.warnings, 1);
	assert_non_null(strstr(last_problem, "%Nobody%"));
	assert_int_equal(fire(rs, "{\"User\":\"%Nobody%\"}"), 0);
	vg_ruleset_free(rs);
	/* without expand a placeholder is a literal value */
	check(RULE("    User: '%Nobody%'"), "{\"User\":\"%nobody%\"}", 1);
}

static void t_keywords(void **st)
{
	(void)st;
	const char *r = "title: k\nlogsource: {product: x}\ndetection:\n  keywords:\n    - 'EVILSERVICE'\n"
			"    - 'svchost.exe -n evil'\n  condition: keywords\n";
	check(r, "{\"Msg\":\"started evilservice now\"}", 1);
	check(r, "{\"Msg\":\"nothing\"}", 0);
	r = "title: k\nlogsource: {product: x}\ndetection:\n  keywords_cmdlet:\n    '|all':\n      - 'OabVirtualDirectory'\n"
	    "      - ' -ExternalUrl '\n  condition: keywords_cmdlet\n";
	check(r, "{\"A\":\"Set-OabVirtualDirectory\",\"B\":\"x -ExternalUrl y\"}", 1);
	check(r, "{\"A\":\"Set-OabVirtualDirectory\"}", 0);
}

#define COND(c)                                                                                                 \
	"title: c\nlogsource: {product: x}\ndetection:\n  sel1: {A: a}\n  sel2: {B: b}\n  filter1: {C: c}\n"       \
	"  _hidden: {D: d}\n  condition: " c "\n"

static void t_conditions(void **st)
{
	(void)st;
	check(COND("sel1 and sel2"), "{\"A\":\"a\",\"B\":\"b\"}", 1);
	check(COND("sel1 and sel2"), "{\"A\":\"a\"}", 0);
	check(COND("sel1 or sel2"), "{\"B\":\"b\"}", 1);
	check(COND("sel1 and not filter1"), "{\"A\":\"a\",\"C\":\"c\"}", 0);
	check(COND("sel1 and not filter1"), "{\"A\":\"a\"}", 1);
	/* precedence: or < and < not */
	check(COND("sel1 or sel2 and filter1"), "{\"A\":\"a\"}", 1);
	check(COND("(sel1 or sel2) and filter1"), "{\"A\":\"a\"}", 0);
	check(COND("not sel1 and sel2"), "{\"B\":\"b\"}", 1);
	check(COND("not (sel1 and sel2)"), "{\"A\":\"a\",\"B\":\"b\"}", 0);
	check(COND("1 of sel*"), "{\"B\":\"b\"}", 1);
	check(COND("all of sel*"), "{\"B\":\"b\"}", 0);
	check(COND("all of sel*"), "{\"A\":\"a\",\"B\":\"b\"}", 1);
	check(COND("1 of sel* and not 1 of filter*"), "{\"A\":\"a\",\"C\":\"c\"}", 0);
	check(COND("1 of them"), "{\"C\":\"c\"}", 1);
	check(COND("1 of them"), "{\"D\":\"d\"}", 0); /* _hidden is not in "them" */
	check(COND("all of them"), "{\"A\":\"a\",\"B\":\"b\",\"C\":\"c\"}", 1);
	check(COND("2 of them"), "{\"A\":\"a\",\"C\":\"c\"}", 1);
	check(COND("_hidden"), "{\"D\":\"d\"}", 1);
	check(COND("\n    - sel1\n    - sel2"), "{\"B\":\"b\"}", 1); /* a list is OR */
	refused(COND("sel1 and"), "at end of condition");
	refused(COND("sel3"), "unknown selection 'sel3'");
	refused(COND("1 of nope*"), "matches no selection");
	refused(COND("(sel1"), "expected ')'");
	refused(COND("sel1 | count() > 5"), "old aggregation syntax");
	refused(COND("sel1 sel2"), "unexpected text");
}

static void t_condition_check(void **st)
{
	const char *names[] = {"selection", "filter_a", "filter_b"};
	vg_diag d;
	(void)st;
	assert_int_equal(vg_sigma_condition_check("selection and not 1 of filter_*", names, 3, &d), VG_OK);
	assert_int_equal(vg_sigma_condition_check("selection and", names, 3, &d), VG_ERR_INVALID);
	char deep[200] = "";
	for (int i = 0; i < 40; i++)
		strcat(deep, "(");
	assert_int_equal(vg_sigma_condition_check(deep, names, 3, &d), VG_ERR_LIMIT);
}

static void t_filters(void **st)
{
	(void)st;
	const char *yaml = "title: r\nid: 6f3e2987-db24-4c78-a860-b4f4095a7095\nlogsource: {category: process_creation, product: windows}\n"
			   "detection:\n  sel: {Image|endswith: '\\rar.exe'}\n  condition: sel\n---\n"
			   "title: Filter Administrator account\nlogsource: {category: process_creation, product: windows}\n"
			   "filter:\n  rules:\n    - 6f3e2987-db24-4c78-a860-b4f4095a7095\n  selection:\n    User|startswith: 'adm_'\n"
			   "  condition: selection\n";
	vg_ruleset *rs = compile(NULL, yaml);
	assert_non_null(rs);
	assert_int_equal(last_report.loaded, 1);
	assert_int_equal(last_report.filters, 1);
	assert_int_equal(fire(rs, "{\"Image\":\"C:\\\\rar.exe\",\"User\":\"bob\"}"), 1);
	assert_int_equal(fire(rs, "{\"Image\":\"C:\\\\rar.exe\",\"User\":\"adm_bob\"}"), 0);
	vg_ruleset_free(rs);
}

static void t_loader_errors(void **st)
{
	(void)st;
	refused("title: x\n", "no 'detection'");
	refused("detection: {sel: {A: 1}, condition: sel}\n", "missing title");
	refused("title: x\ndetection:\n  sel: {A: 1}\n", "missing condition");
	refused("title: x\ndetection: {sel: {A: [1, {B: 2}]}, condition: sel}\n", "only hold scalars");
	refused("title: x\n  bad: [\n", "YAML");
	refused("action: global\ntitle: x\ndetection: {sel: {A: 1}, condition: sel}\n", "old multi-document");
	refused("title: x\ncorrelation: {type: event_count}\n", "correlation");
	refused(RULE("    A: 1\n  timeframe: 5m"), "timeframe");
	/* a malformed directive: Debian 12's libfyaml would loop forever on it */
	refused("%\xf4", "not a %YAML or %TAG directive");
	assert_non_null(strstr(last_problem, "rule.yml:1:"));
	refused("title: x\n%\"\xa6\ndetection: {sel: {A: 1}, condition: sel}\n", "directive");
	assert_non_null(strstr(last_problem, "rule.yml:2:"));
	refused("%YAML 1.2 junk\n---\ntitle: x\n", "directive");
	refused("%TAG !e!\n---\ntitle: x\n", "directive");
	/* well-formed directives are YAML's own: the rule loads */
	vg_ruleset *rs = compile(NULL, "%YAML 1.2\n%TAG !e! tag:example.com,2000:\n---\n"
				       "title: d\nlogsource: {product: x}\ndetection: {sel: {A: 1}, condition: sel}\n");
	assert_non_null(rs);
	vg_ruleset_free(rs);
	/* the same guard in mappings */
	vg_diag d;
	vg_diag_clear(&d);
	rs = vg_ruleset_new();
	assert_int_equal(vg_ruleset_load_mapping_string(rs, "m.yml", "%\xf4", 2, &d), VG_ERR_INVALID);
	assert_int_equal(d.line, 1);
	vg_ruleset_free(rs);
}

static const char *winmap = "strip_prefixes: [Event.EventData., Event.System.]\nlogsources:\n"
			    "  - {product: windows, conditions: {Channel: '*'}}\n"
			    "  - product: windows\n    category: process_creation\n"
			    "    conditions: {Channel: Microsoft-Windows-Sysmon/Operational, EventID: 1}\n"
			    "  - {product: windows, service: security, conditions: {Channel: Security}}\n";

static void t_routing(void **st)
{
	(void)st;
	const char *proc = "title: p\nlogsource: {product: windows, category: process_creation}\n"
			   "detection: {sel: {Image|endswith: '\\x.exe'}, condition: sel}\n";
	const char *sysmon1 = "{\"Event\":{\"System\":{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1},"
			      "\"EventData\":{\"Image\":\"C:\\\\x.exe\"}}}";
	const char *sysmon11 = "{\"Event\":{\"System\":{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":11},"
			       "\"EventData\":{\"Image\":\"C:\\\\x.exe\"}}}";
	vg_ruleset *rs = compile(winmap, proc);
	assert_non_null(rs);
	assert_true(vg_ruleset_rule(rs, 0)->active);
	assert_int_equal(fire(rs, sysmon1), 1);
	assert_int_equal(fire(rs, sysmon11), 0); /* routed away: wrong EventID */
	vg_ruleset_free(rs);
	/* a logsource without a route loads but is inactive, with the reason */
	rs = compile(winmap, "title: l\nlogsource: {product: linux, category: process_creation}\n"
			     "detection: {sel: {Image|endswith: '/sh'}, condition: sel}\n");
	assert_non_null(rs);
	assert_false(vg_ruleset_rule(rs, 0)->active);
	assert_non_null(strstr(vg_ruleset_rule(rs, 0)->inactive_reason, "linux"));
	vg_ruleset_free(rs);
}

static void t_xml_parity(void **st)
{
	(void)st;
	const char *xml = "<?xml version=\"1.0\"?><Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">"
			  "<System><Provider Name=\"Microsoft-Windows-Sysmon\"/><EventID>1</EventID>"
			  "<Channel>Microsoft-Windows-Sysmon/Operational</Channel></System>"
			  "<EventData><Data Name=\"Image\">C:\\x.exe</Data><Data Name=\"CommandLine\">a &amp; b &lt;c&gt;</Data>"
			  "</EventData></Event>";
	vg_ruleset *rs = compile(winmap, "title: p\nlogsource: {product: windows, category: process_creation}\n"
					 "detection:\n  sel:\n    Image|endswith: '\\x.exe'\n    CommandLine: 'a & b <c>'\n"
					 "    Provider_Name: Microsoft-Windows-Sysmon\n  condition: sel\n");
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	vg_diag d;
	assert_int_equal(vg_detect_xml(sc, xml, strlen(xml), NULL, NULL, &d), 1);
	assert_non_null(strstr(vg_detect_event_json(sc), "\"Event.EventData.Image\":\"C:\\\\x.exe\""));
	assert_true(vg_detect_xml(sc, "<Event><System>", 15, NULL, NULL, &d) < 0);
	assert_true(vg_detect_json(sc, "{\"a\":", 5, NULL, NULL, &d) < 0);
	assert_true(vg_detect_json(sc, "[1]", 3, NULL, NULL, &d) < 0);
	vg_detect_scratch_free(sc);
	vg_ruleset_free(rs);
}

/* A rule without a literal that reads only route-key fields (EventID under
 * the Sysmon route) is decided once per route key and cached in the route
 * entry: the same scratch over events alternating keys gives each its own
 * answer. */
static void t_route_key_rules(void **st)
{
	static const char map[] =
		"logsources:\n"
		"  - {product: windows, service: sysmon, conditions: {Channel: 'Microsoft-Windows-Sysmon/Operational'}}\n"
		"  - {product: windows, category: process_creation, conditions: {Channel: "
		"'Microsoft-Windows-Sysmon/Operational', EventID: 1}}\n";
	vg_ruleset *rs = compile(map, "title: t\nid: r1\nlogsource: {product: windows, service: sysmon}\n"
				      "detection:\n  sel:\n    EventID: [29, 30]\n  condition: sel\n");
	static const struct {
		const char *ev;
		int want;
	} seq[] = {
		{"{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":29}", 1},
		{"{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1}", 0},
		{"{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":29,\"x\":\"y\"}", 1},
		{"{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":\"30\"}", 1},
		{"{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":31}", 0},
		{"{\"Channel\":\"Security\",\"EventID\":29}", 0},
		{"{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":null}", 0},
		{"{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\"}", 0},
		{"{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":[1,29]}", 1},
		{"{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":29}", 1},
		{"{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1}", 0},
	};
	(void)st;
	assert_non_null(rs);
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	assert_non_null(sc);
	for (int round = 0; round < 2; round++) /* the second round from the cache */
		for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
			vg_diag d;
			int got = vg_detect_json(sc, seq[i].ev, strlen(seq[i].ev), NULL, NULL, &d);
			if (got != seq[i].want)
				fail_msg("round %d, %s: %d hits, expected %d", round, seq[i].ev, got, seq[i].want);
		}
	vg_detect_scratch_free(sc);
	vg_ruleset_free(rs);
}

/* Reference JSON string decoder (byte at a time) for t_jstr_decode. */
static size_t ref_decode(const char *s, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[o++] = s[i];
			continue;
		}
		char c = s[++i];
		if (c == 'u') {
			unsigned cp, lo;
			sscanf(s + i + 1, "%4x", &cp);
			i += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && s[i + 1] == '\\' && s[i + 2] == 'u') {
				sscanf(s + i + 3, "%4x", &lo);
				i += 6;
				cp = lo >= 0xDC00 && lo < 0xE000 ? 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00) : 0xFFFD;
			} else if (cp >= 0xD800 && cp < 0xE000) {
				cp = 0xFFFD;
			}
			o += vg_ev_utf8_put(out + o, cp);
		} else {
			out[o++] = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c == 'b' ? '\b' : c == 'f' ? '\f' : c;
		}
	}
	return o;
}

/* The one-pass string decoder (SSE2 16 bytes at a time, byte loop at the
 * end of the input): every offset of an escape or the closing quote around
 * the 16-byte boundaries, escapes straddling them, upper case lowered and
 * non-ASCII bytes untouched in the twin, nothing read or written out of
 * bounds (exact-size buffers under ASan), and the errors. */
static void t_jstr_decode(void **st)
{
	static const char *const specials[] = {"", "\\\\", "\\\"", "\\/", "\\n", "\\u00C9", "\\u0041", "\\ud83d\\ude00",
					       "\\ud83dZ", "\xc3\x89", "Q"};
	static const char fill[] = "AbCdEfGhIjKlMnOpQrStUvWxYz\xc3\xa9@[`{0123456789AbCdEfGhIjKlMnOpQrStUvWxYz";
	(void)st;
	for (size_t sp = 0; sp < sizeof(specials) / sizeof(specials[0]); sp++)
		for (size_t a = 0; a <= 40; a++)
			for (size_t b = 0; b <= 20; b++)
				for (size_t trail = 0; trail <= 17; trail += 17) {
					char raw[160], want[160], wantlow[160];
					size_t n = 0, olen = 0, endpos = 0;
					raw[n++] = '"';
					memcpy(raw + n, fill, a);
					n += a;
					memcpy(raw + n, specials[sp], strlen(specials[sp]));
					n += strlen(specials[sp]);
					memcpy(raw + n, fill + 7, b);
					n += b;
					size_t body = n - 1;
					raw[n++] = '"';
					memset(raw + n, ',', trail);
					n += trail;
					char *in = malloc(n), *dst = malloc(n + 16), *low = malloc(n + 16);
					assert_non_null(in);
					assert_non_null(dst);
					assert_non_null(low);
					memcpy(in, raw, n);
					size_t wl = ref_decode(raw + 1, body, want);
					for (size_t i = 0; i < wl; i++)
						wantlow[i] = (char)(want[i] >= 'A' && want[i] <= 'Z' ? want[i] + 32 : want[i]);
					assert_int_equal(vg_jstr_decode(in, n, 0, dst, low, &olen, &endpos), VG_JSTR_OK);
					assert_int_equal(olen, wl);
					assert_int_equal(endpos, body + 2);
					assert_memory_equal(dst, want, wl);
					assert_memory_equal(low, wantlow, wl);
					/* unterminated: the same text without its closing quote */
					assert_int_equal(vg_jstr_decode(in, body + 1, 0, dst, low, &olen, &endpos), VG_JSTR_UNTERMINATED);
					free(in);
					free(dst);
					free(low);
				}
	/* errors, the bad escape at every offset */
	static const struct {
		const char *tail;
		vg_jstr_err want;
	} bad[] = {{"\\", VG_JSTR_BAD_ESCAPE},	    {"\\x\"", VG_JSTR_BAD_ESCAPE}, {"\\u12G4\"", VG_JSTR_BAD_U},
		   {"\\u12", VG_JSTR_BAD_U},	    {"\\ud83d\\u12\"", VG_JSTR_BAD_U}, {"\\0\"", VG_JSTR_BAD_ESCAPE},
		   {"\\U0041\"", VG_JSTR_BAD_ESCAPE}};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		for (size_t a = 0; a <= 34; a++) {
			char raw[80];
			size_t n = 0, olen, endpos;
			raw[n++] = '"';
			memcpy(raw + n, fill, a);
			n += a;
			memcpy(raw + n, bad[k].tail, strlen(bad[k].tail));
			n += strlen(bad[k].tail);
			char *in = malloc(n), *dst = malloc(n + 16), *low = malloc(n + 16);
			assert_non_null(in);
			memcpy(in, raw, n);
			if (vg_jstr_decode(in, n, 0, dst, low, &olen, &endpos) != bad[k].want)
				fail_msg("case %zu offset %zu: not refused as expected", k, a);
			assert_true(endpos <= n);
			free(in);
			free(dst);
			free(low);
		}
	/* through the extractor: a value decoded at the end of the input, escapes and case */
	check(RULE("    CommandLine|contains: 'c:\\windows\\\xc3\x89'"), "{\"CommandLine\":\"X C:\\\\WINDOWS\\\\\\u00c9\"}", 1);
	check(RULE("    CommandLine|contains|cased: 'C:\\WINDOWS\\'"), "{\"CommandLine\":\"c:\\\\windows\\\\\"}", 0);
	check(RULE("    CommandLine: 'a\"b'"), "{\"CommandLine\":\"A\\\"B\"}", 1);
}

/* Substring tests at every offset (16 start positions at a time, then one
 * at a time), cased values (tested, no prefilter shortcut) and contains
 * values the prefilter proves: seen in the item's field, in another field
 * only, in several fields. */
static void t_contains_offsets(void **st)
{
	vg_ruleset *rs = compile(NULL, RULE("    CommandLine|contains|cased: 'NeedLe'"));
	vg_ruleset *ci = compile(NULL, RULE("    CommandLine|contains: 'NeedLe'"));
	(void)st;
	assert_non_null(rs);
	assert_non_null(ci);
	for (size_t len = 0; len <= 50; len++)
		for (size_t at = 0; at <= (len >= 6 ? len - 5 : 0); at++) { /* the last: no match */
			char val[64], ev[128];
			memset(val, 'x', len);
			val[len] = 0;
			if (at + 6 <= len)
				memcpy(val + at, "NeedLe", 6);
			else if (len)
				memcpy(val + len - 1, "N", 1); /* a first byte with no room for the rest */
			snprintf(ev, sizeof(ev), "{\"CommandLine\":\"%s\"}", val);
			int want = at + 6 <= len;
			if (fire(rs, ev) != want)
				fail_msg("cased, %s: expected %d", ev, want);
			if (fire(ci, ev) != want)
				fail_msg("caseless, %s: expected %d", ev, want);
			if (at + 6 <= len) { /* first and last bytes right, middle wrong */
				val[at + 2] = 'E';
				snprintf(ev, sizeof(ev), "{\"CommandLine\":\"%s\"}", val);
				assert_int_equal(fire(rs, ev), 0);
				assert_int_equal(fire(ci, ev), 1);
			}
		}
	/* the prefilter's proof is per field */
	assert_int_equal(fire(ci, "{\"Image\":\"needle\",\"CommandLine\":\"x\"}"), 0);
	assert_int_equal(fire(ci, "{\"Image\":\"needle\",\"CommandLine\":\"xNEEDLEx\"}"), 1);
	assert_int_equal(fire(ci, "{\"Image\":\"needle\",\"CommandLine\":[\"a\",\"b needle\"]}"), 1);
	assert_int_equal(fire(ci, "{\"CommandLine\":\"need\\nle\"}"), 0);
	/* two rare punctuation marks are a prefilter literal ('^^'); a regex
	 * literal too short for the prefilter is still required before PCRE2 */
	check(RULE("    CommandLine|contains: ['^^', 'xyz']"), "{\"CommandLine\":\"c^^md\"}", 1);
	check(RULE("    CommandLine|contains: ['^^', 'xyz']"), "{\"CommandLine\":\"c^md^\"}", 0);
	check(RULE("    CommandLine|re: '\\w+`\\w'"), "{\"CommandLine\":\"IN`V`oke\"}", 1);
	check(RULE("    CommandLine|re: '\\w+`\\w'"), "{\"CommandLine\":\"INVoke\"}", 0);
	check(RULE("    CommandLine|re: '(?i)\\$\\{`?e`?n`?v'"), "{\"CommandLine\":\"${E`NV:path}\"}", 1);
	check(RULE("    CommandLine|re: '(?i)\\$\\{`?e`?n`?v'"), "{\"CommandLine\":\"$ {env:path}\"}", 0);
	check(RULE("    CommandLine|re: 'A{2}B'"), "{\"CommandLine\":\"xAABx\"}", 1);
	vg_ruleset_free(rs);
	vg_ruleset_free(ci);
}

/* The JSON extractor skips the values of paths no rule uses (without
 * decoding them, but checking them as decoding would); keyword rules still
 * see every value; the event's output keeps everything. */
static void t_extract_skip(void **st)
{
	(void)st;
	const char *proc = "title: p\nlogsource: {product: windows, category: process_creation}\n"
			   "detection: {sel: {Image|endswith: '\\x.exe'}, condition: sel}\n";
	const char *ev1 = "{\"Event\":{\"System\":{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1},"
			  "\"EventData\":{\"Unused\":\"a\\u00e9 \\\"q\\\" C:\\\\x.exe\",\"N\":{\"D\":[1,true,null,{\"K\":\"x\"}]},"
			  "\"Image\":\"C:\\\\x.exe\"}}}";
	const char *other = "{\"Event\":{\"System\":{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1},"
			    "\"EventData\":{\"Other\":\"C:\\\\x.exe\",\"Image\":\"C:\\\\y.exe\"}}}";
	const char *ev11 = "{\"Event\":{\"System\":{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":11},"
			   "\"EventData\":{\"Image\":\"C:\\\\x.exe\"}}}";
	vg_ruleset *rs = compile(winmap, proc);
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	vg_diag d;
	assert_non_null(sc);
	assert_int_equal(vg_detect_json(sc, ev1, strlen(ev1), NULL, NULL, &d), 1);
	assert_non_null(strstr(vg_detect_event_json(sc), "\"Unused\":\"a\\u00e9"));   /* output: the whole event */
	assert_int_equal(vg_detect_json(sc, other, strlen(other), NULL, NULL, &d), 0); /* literal in another field */
	/* routes are cached per scratch by the values of the fields they test */
	assert_int_equal(vg_detect_json(sc, ev11, strlen(ev11), NULL, NULL, &d), 0);
	assert_int_equal(vg_detect_json(sc, ev1, strlen(ev1), NULL, NULL, &d), 1);
	assert_int_equal(vg_detect_json(sc, ev11, strlen(ev11), NULL, NULL, &d), 0);
	/* a skipped value is still checked */
	const char *bad[] = {"{\"Unused\":\"bad \\q\",\"Image\":\"C:\\\\x.exe\"}", "{\"Unused\":\"\\u12\"}",
			     "{\"Unused\":\"open", "{\"Unused\":tru}", "{\"Unused\":\"\\"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(vg_detect_json(sc, bad[i], strlen(bad[i]), NULL, NULL, &d) < 0);
	vg_detect_scratch_free(sc);
	vg_ruleset_free(rs);
	/* with a keyword rule, every value is kept: the keyword in a field no rule names */
	rs = compile(winmap, "title: k\nlogsource: {product: windows}\ndetection:\n  kw: ['mimikatz']\n  condition: kw\n"
			     "---\n" "title: p\nlogsource: {product: windows, category: process_creation}\n"
			     "detection: {sel: {Image|endswith: '\\x.exe'}, condition: sel}\n");
	assert_non_null(rs);
	const char *kw = "{\"Event\":{\"System\":{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1},"
			 "\"EventData\":{\"Unused\":\"run MimiKatz now\",\"Image\":\"C:\\\\x.exe\"}}}";
	assert_int_equal(fire(rs, kw), 2);
	assert_int_equal(fire(rs, ev11), 0);
	vg_ruleset_free(rs);
	/* EVTX/XML: the event rendered for output holds every field, used or not */
	rs = compile(winmap, proc);
	sc = vg_detect_scratch_new(rs);
	const char *xml = "<Event><System><EventID>1</EventID><Channel>Microsoft-Windows-Sysmon/Operational</Channel>"
			  "</System><EventData><Data Name=\"Unused\">u &amp; v</Data><Data Name=\"Image\">C:\\x.exe</Data>"
			  "</EventData></Event>";
	assert_int_equal(vg_detect_xml(sc, xml, strlen(xml), NULL, NULL, &d), 1);
	assert_non_null(strstr(vg_detect_event_json(sc), "\"Event.EventData.Unused\":\"u & v\""));
	vg_detect_scratch_free(sc);
	vg_ruleset_free(rs);
}

static void keyword_field(void *ctx, const vg_hit *h)
{
	if (h->nfields)
		snprintf(ctx, 128, "%s", h->fields[0].name);
}

/* A keyword hit names the event field that held it: the flattened path,
 * which JSON extraction keeps as a trie node and writes out only then. */
static void t_keyword_hit_path(void **st)
{
	(void)st;
	vg_ruleset *rs = compile(NULL, "title: k\nlogsource: {product: x}\ndetection:\n  kw: ['mimikatz']\n"
					"  condition: kw\n");
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	vg_diag d;
	char name[128];
	static const struct {
		const char *json, *path;
	} cases[] = {
		{"{\"Event\":{\"System\":{\"EventID\":1},\"EventData\":{\"Other\":\"x\",\"Cmd\":\"run MimiKatz\"}}}",
		 "Event.EventData.Cmd"},
		{"{\"a\":{\"b\":[{\"c\":1},{\"c\":\"mimikatz\"}]}}", "a.b.c"},
		{"{\"x\\u0041\":{\"y\":\"mimikatz\"}}", "xA.y"},
		{"{\"a\":{\"b\":[{\"c\":1},{\"c\":\"mimikatz\"}]}}", "a.b.c"}, /* known paths: guessed keys */
	};
	assert_non_null(sc);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		name[0] = '?';
		name[1] = 0;
		assert_int_equal(vg_detect_json(sc, cases[i].json, strlen(cases[i].json), keyword_field, name, &d), 1);
		assert_string_equal(name, cases[i].path);
		/* the rendering of a JSON event is its source; paths are still right after it */
		assert_non_null(vg_detect_event_json(sc));
	}
	vg_detect_scratch_free(sc);
	vg_ruleset_free(rs);
}

static void count_ioc(void *ctx, const vg_ioc_hit *h)
{
	(void)h;
	(*(int *)ctx)++;
}

/* IOC-only rulesets: only the mapped fields are extracted (the rest is
 * skipped undecoded); dotted quads parse without inet_pton; a name's last
 * label alone is looked up only when the set holds one-label domains. */
static void t_ioc_fast_paths(void **st)
{
	(void)st;
	static const char fields[] = "name: domain\nip: ip\n";
	static const char *const sets[] = {"evil.example\n10.1.2.0/24\n", "evil.example\ndomain:local\n10.1.2.0/24\n"};
	static const struct {
		const char *ev;
		int want[2];
	} cases[] = {
		{"{\"name\":\"x.evil.example\",\"other\":\"evil.example\",\"n\":{\"a\":[1,\"\\u0041\"]}}", {1, 1}},
		{"{\"name\":\"host.local\",\"ip\":\"10.1.2.3\"}", {1, 2}},
		{"{\"ip\":\"010.1.2.3\"}", {0, 0}},   /* a leading zero: not an address */
		{"{\"ip\":\"10.1.2.256\"}", {0, 0}},
		{"{\"ip\":\"10.1.2.3.4\"}", {0, 0}},
		{"{\"name\":\"10.1.2.9\"}", {1, 1}}, /* an address where a name was expected */
		{"{\"other\":\"bad \\q\",\"ip\":\"10.1.2.3\"}", {-1, -1}},
	};
	for (size_t k = 0; k < 2; k++) {
		vg_ruleset *rs = vg_ruleset_new();
		vg_ioc_report rep = {0};
		vg_diag d;
		assert_int_equal(vg_ioc_load_fields_string(rs, "f", fields, strlen(fields), &d), VG_OK);
		assert_int_equal(vg_ioc_load_string(rs, "l", sets[k], strlen(sets[k]), VG_IOC_FMT_LIST, VG_IOC_NONE, &rep), VG_OK);
		assert_int_equal(vg_ruleset_compile(rs, &d), VG_OK);
		vg_detect_scratch *sc = vg_detect_scratch_new(rs);
		int hits = 0;
		vg_detect_scratch_set_ioc(sc, count_ioc, &hits);
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			hits = 0;
			int n = vg_detect_json(sc, cases[i].ev, strlen(cases[i].ev), NULL, NULL, &d);
			if (cases[i].want[k] < 0) {
				assert_true(n < 0);
				continue;
			}
			if (n != cases[i].want[k] || hits != n)
				fail_msg("set %zu, event %s: %d hits, expected %d", k, cases[i].ev, n, cases[i].want[k]);
		}
		assert_non_null(strstr(vg_detect_event_json(sc), "\"other\""));
		vg_detect_scratch_free(sc);
		vg_ruleset_free(rs);
	}
}

typedef struct hitlog {
	int hits;
	char field[64], value[64], author[64];
} hitlog;

static void on_hit(void *ctx, const vg_hit *h)
{
	hitlog *l = ctx;
	l->hits++;
	snprintf(l->author, sizeof(l->author), "%s", h->rule->author);
	if (h->nfields) {
		snprintf(l->field, sizeof(l->field), "%s", h->fields[0].name);
		snprintf(l->value, sizeof(l->value), "%.*s", (int)h->fields[0].value_len, h->fields[0].value);
	}
}

static void t_hit_content(void **st)
{
	(void)st;
	vg_ruleset *rs = compile(NULL, "title: t\nid: x\nauthor: Jane Doe\nlevel: high\ntags: [attack.t1059]\n"
				       "logsource: {product: x}\ndetection:\n  sel: {C|contains: evil}\n  filter: {D: 1}\n"
				       "  condition: sel and not filter\n");
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	hitlog l = {0};
	vg_diag d;
	const char *ev = "{\"C\":\"an evil\\tthing\",\"D\":2}";
	assert_int_equal(vg_detect_json(sc, ev, strlen(ev), on_hit, &l, &d), 1);
	assert_string_equal(l.author, "Jane Doe");
	assert_string_equal(l.field, "C");
	assert_string_equal(l.value, "an evil\tthing");
	assert_int_equal(vg_ruleset_rule(rs, 0)->level, VG_LEVEL_HIGH);
	assert_string_equal(vg_ruleset_rule(rs, 0)->tags[0], "attack.t1059");
	vg_detect_scratch_free(sc);
	vg_ruleset_free(rs);
}

static bool count_rec(void *ctx, const vg_record *r)
{
	(void)r;
	(*(int *)ctx)++;
	return true;
}

static void t_inputs(void **st)
{
	(void)st;
	const char *text = "{\"a\":1}\n{\"b\":\"}{\"}\n  {\n \"c\": [1,{\"d\":2}]\n}{\"e\":3}\nnot json\n";
	char path[] = "/tmp/vg_sigma_inputXXXXXX";
	int fd = mkstemp(path);
	int n = 0;
	vg_input_opts o = {.record = count_rec, .ctx = &n};
	vg_input_stats s = {0};
	vg_diag d;
	assert_true(fd >= 0);
	/* plain */
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(vg_input_read(path, &o, &s, &d), VG_OK);
	assert_int_equal(n, 4);
	assert_int_equal(s.errors, 1);
	/* gzip */
	gzFile gz = gzopen(path, "wb");
	gzwrite(gz, text, (unsigned)strlen(text));
	gzclose(gz);
	n = 0;
	memset(&s, 0, sizeof(s));
	assert_int_equal(vg_input_read(path, &o, &s, &d), VG_OK);
	assert_int_equal(n, 4);
	/* zstd */
	char z[512];
	size_t zl = ZSTD_compress(z, sizeof(z), text, strlen(text), 3);
	FILE *f = fopen(path, "wb");
	fwrite(z, 1, zl, f);
	fclose(f);
	n = 0;
	memset(&s, 0, sizeof(s));
	assert_int_equal(vg_input_read(path, &o, &s, &d), VG_OK);
	assert_int_equal(n, 4);
	unlink(path);
	assert_int_not_equal(vg_input_read("/nonexistent/x", &o, &s, &d), VG_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_plain_values),	  cmocka_unit_test(t_wildcards_and_escapes),
		cmocka_unit_test(t_null_and_empty),	  cmocka_unit_test(t_modifiers_string),
		cmocka_unit_test(t_modifiers_windash),	  cmocka_unit_test(t_modifiers_regex),
		cmocka_unit_test(t_modifiers_encoding),	  cmocka_unit_test(t_modifiers_cidr),
		cmocka_unit_test(t_modifiers_numeric_time), cmocka_unit_test(t_modifiers_fieldref_expand),
		cmocka_unit_test(t_keywords), cmocka_unit_test(t_keyword_hit_path),		  cmocka_unit_test(t_conditions),
		cmocka_unit_test(t_condition_check),	  cmocka_unit_test(t_filters),
		cmocka_unit_test(t_loader_errors),	  cmocka_unit_test(t_routing),
		cmocka_unit_test(t_xml_parity),		  cmocka_unit_test(t_hit_content),
		cmocka_unit_test(t_inputs),		  cmocka_unit_test(t_extract_skip), cmocka_unit_test(t_ioc_fast_paths),
		cmocka_unit_test(t_jstr_decode),	  cmocka_unit_test(t_contains_offsets),
		cmocka_unit_test(t_route_key_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
