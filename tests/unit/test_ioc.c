/* Unit tests of the indicator sets: each input format (good and bad lines,
 * errors with file:line), each type's matching (CIDR longest match,
 * subdomains, URL normalisation, Sysmon Hashes), STIX pattern parser cases,
 * AND groups, and IOC hits next to Sigma hits in one ruleset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/limits.h"
#include "detect/ioc.h"
#include "detect/sigma.h"

static char problems[4096];
static size_t nproblems;

static void keep_problem(void *ctx, const vg_diag *d)
{
	char m[600];
	(void)ctx;
	vg_diag_format(d, m, sizeof(m));
	nproblems++;
	if (strlen(problems) + strlen(m) + 2 < sizeof(problems)) {
		strcat(problems, m);
		strcat(problems, "\n");
	}
}

static const char fields[] = "fields:\n  src_ip: ip\n  dest_ip: ip\n  dns.rrname: domain\n  http.hostname: domain\n"
			     "  http.url: url@http.hostname\n  fileinfo.sha256: hash\n  fileinfo.md5: hash\n"
			     "  Hashes: hashes\n  from: email\n  TargetFilename: string\n";

static vg_ioc_report rep;

static vg_ruleset *load(const char *name, const char *text, vg_ioc_format fmt)
{
	vg_ruleset *rs = vg_ruleset_new();
	vg_diag d;
	memset(&rep, 0, sizeof(rep));
	rep.problem = keep_problem;
	problems[0] = 0;
	nproblems = 0;
	assert_non_null(rs);
	assert_int_equal(vg_ioc_load_fields_string(rs, "fields.yml", fields, strlen(fields), &d), VG_OK);
	assert_int_equal(vg_ioc_load_string(rs, name, text, strlen(text), fmt, VG_IOC_NONE, &rep), VG_OK);
	assert_int_equal(vg_ruleset_compile(rs, &d), VG_OK);
	return rs;
}

typedef struct hits {
	size_t n;
	char last[1024];
} hits;

static void on_ioc(void *ctx, const vg_ioc_hit *h)
{
	hits *x = ctx;
	x->n++;
	snprintf(x->last, sizeof(x->last), "%s %s %s:%u %s %s=%.*s", vg_ioc_type_name(h->ioc->type), h->ioc->value,
		 h->ioc->file, h->ioc->line, h->ioc->id[0] ? h->ioc->id : "-", h->field, (int)h->value_len, h->value);
}

/* Number of IOC hits of one event; the last one described in *last. */
static size_t run(vg_ruleset *rs, const char *json, char *last)
{
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	hits x = {0};
	vg_diag d;
	assert_non_null(sc);
	vg_detect_scratch_set_ioc(sc, on_ioc, &x);
	assert_true(vg_detect_json(sc, json, strlen(json), NULL, NULL, &d) >= 0);
	vg_detect_scratch_free(sc);
	if (last)
		strcpy(last, x.last);
	return x.n;
}

static void t_types_and_normalise(void **state)
{
	char out[256];
	size_t n;
	(void)state;
	assert_int_equal(vg_ioc_guess("10.0.0.0/8", 10), VG_IOC_IP);
	assert_int_equal(vg_ioc_guess("2001:db8::1", 11), VG_IOC_IP);
	assert_int_equal(vg_ioc_guess("d41d8cd98f00b204e9800998ecf8427e", 32), VG_IOC_MD5);
	assert_int_equal(vg_ioc_guess("da39a3ee5e6b4b0d3255bfef95601890afd80709", 40), VG_IOC_SHA1);
	assert_int_equal(vg_ioc_guess("http://a.example/x", 18), VG_IOC_URL);
	assert_int_equal(vg_ioc_guess("Bob@Example.org", 15), VG_IOC_EMAIL);
	assert_int_equal(vg_ioc_guess("evil.example.", 13), VG_IOC_DOMAIN);
	assert_int_equal(vg_ioc_guess("not a thing", 11), VG_IOC_NONE);
	assert_int_equal(vg_ioc_normalize(VG_IOC_URL, "HTTP://Evil.Example:80#frag", 27, out, sizeof(out), &n), VG_OK);
	assert_string_equal(out, "http://evil.example/");
	assert_int_equal(vg_ioc_normalize(VG_IOC_URL, "https://A.b:443/P?q=1", 21, out, sizeof(out), &n), VG_OK);
	assert_string_equal(out, "https://a.b/P?q=1");
	assert_int_equal(vg_ioc_normalize(VG_IOC_URL, "a.b:8080/x", 10, out, sizeof(out), &n), VG_OK);
	assert_string_equal(out, "http://a.b:8080/x");
	assert_int_equal(vg_ioc_normalize(VG_IOC_IP, "10.1.2.3/8", 10, out, sizeof(out), &n), VG_OK);
	assert_string_equal(out, "10.0.0.0/8");
	assert_int_equal(vg_ioc_normalize(VG_IOC_IP, "2001:DB8:0:0::1", 15, out, sizeof(out), &n), VG_OK);
	assert_string_equal(out, "2001:db8::1");
	assert_int_equal(vg_ioc_normalize(VG_IOC_DOMAIN, "Ex..ample", 9, out, sizeof(out), &n), VG_ERR_INVALID);
	assert_int_equal(vg_ioc_normalize(VG_IOC_SHA256, "abc", 3, out, sizeof(out), &n), VG_ERR_INVALID);
	assert_int_equal(vg_ioc_normalize(VG_IOC_EMAIL, "a@b", 3, out, sizeof(out), &n), VG_ERR_INVALID);
	assert_int_equal(vg_ioc_type_parse("SHA-256", 7), VG_IOC_SHA256);
}

static void on_sysmon(void *ctx, vg_ioc_type t, const char *h, size_t n)
{
	char *o = ctx;
	sprintf(o + strlen(o), "%s=%.*s;", vg_ioc_type_name(t), (int)n, h);
}

static void t_sysmon_hashes(void **state)
{
	char out[512] = "";
	const char *v = "SHA1=DA39A3EE5E6B4B0D3255BFEF95601890AFD80709,MD5=D41D8CD98F00B204E9800998ECF8427E,"
			"IMPHASH=00000000000000000000000000000000, SHA256=zz,garbage";
	(void)state;
	vg_ioc_sysmon_hashes(v, strlen(v), on_sysmon, out);
	assert_string_equal(out, "sha1=DA39A3EE5E6B4B0D3255BFEF95601890AFD80709;md5=D41D8CD98F00B204E9800998ECF8427E;");
	vg_ruleset *rs = load("h.txt", "d41d8cd98f00b204e9800998ecf8427e\n", VG_IOC_FMT_AUTO);
	char last[1024];
	char ev[600];
	snprintf(ev, sizeof(ev), "{\"Hashes\":\"%s\"}", v);
	assert_int_equal(run(rs, ev, last), 1);
	assert_string_equal(last, "md5 d41d8cd98f00b204e9800998ecf8427e h.txt:1 - Hashes=SHA1=DA39A3EE5E6B4B0D3255BFEF95601890AFD80709,"
				  "MD5=D41D8CD98F00B204E9800998ECF8427E,IMPHASH=00000000000000000000000000000000, SHA256=zz,garbage");
	vg_ruleset_free(rs);
}

static void t_list(void **state)
{
	const char *list = "# comment\n"
			   "203.0.113.7\n"
			   "10.0.0.0/8\n"
			   "10.1.0.0/16\n"
			   "2001:db8::/32\n"
			   "evil.example\n"
			   "\n"
			   "what is this\n"
			   "url:http://Bad.Example/gate.php\n"
			   "md5:nothex\n"
			   "sha256:AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F\n"
			   "email:Phish@Sender.Example\n"
			   "string:C:\\Temp\\evil.exe\n"
			   "203.0.113.7\n";
	char last[1024];
	(void)state;
	vg_ruleset *rs = load("iocs.txt", list, VG_IOC_FMT_AUTO);
	assert_int_equal(rep.loaded, 9);
	assert_int_equal(rep.rejected, 2);
	assert_int_equal(rep.duplicates, 1);
	assert_non_null(strstr(problems, "iocs.txt:8: value: cannot guess the type"));
	assert_non_null(strstr(problems, "iocs.txt:10: value: not a valid md5"));
	/* exact IP, CIDR longest match, IPv6 prefix */
	assert_int_equal(run(rs, "{\"src_ip\":\"203.0.113.7\"}", last), 1);
	assert_string_equal(last, "ip 203.0.113.7 iocs.txt:2 - src_ip=203.0.113.7");
	assert_int_equal(run(rs, "{\"dest_ip\":\"10.1.2.3\"}", last), 1);
	assert_string_equal(last, "ip 10.1.0.0/16 iocs.txt:4 - dest_ip=10.1.2.3");
	assert_int_equal(run(rs, "{\"dest_ip\":\"10.2.2.3\"}", last), 1);
	assert_string_equal(last, "ip 10.0.0.0/8 iocs.txt:3 - dest_ip=10.2.2.3");
	assert_int_equal(run(rs, "{\"dest_ip\":\"11.2.2.3\"}", NULL), 0);
	assert_int_equal(run(rs, "{\"dest_ip\":\"2001:db8:1::5\"}", last), 1);
	assert_string_equal(last, "ip 2001:db8::/32 iocs.txt:5 - dest_ip=2001:db8:1::5");
	/* the field matters: an IP elsewhere is not a hit */
	assert_int_equal(run(rs, "{\"other\":\"203.0.113.7\"}", NULL), 0);
	/* subdomains, case, trailing dot; not a suffix that is not a label */
	assert_int_equal(run(rs, "{\"dns\":{\"rrname\":\"WWW.Evil.Example.\"}}", last), 1);
	assert_string_equal(last, "domain evil.example iocs.txt:6 - dns.rrname=WWW.Evil.Example.");
	assert_int_equal(run(rs, "{\"dns\":{\"rrname\":\"evil.example\"}}", NULL), 1);
	assert_int_equal(run(rs, "{\"dns\":{\"rrname\":\"notevil.example\"}}", NULL), 0);
	assert_int_equal(run(rs, "{\"dns\":{\"rrname\":\"example\"}}", NULL), 0);
	/* an address in a name field is matched as an address */
	assert_int_equal(run(rs, "{\"http\":{\"hostname\":\"10.9.8.7\"}}", last), 1);
	assert_string_equal(last, "ip 10.0.0.0/8 iocs.txt:3 - http.hostname=10.9.8.7");
	/* URL: EVE's path + hostname, normalised; its host also hits the domain list */
	assert_int_equal(run(rs, "{\"http\":{\"hostname\":\"bad.example\",\"url\":\"/gate.php\"}}", last), 1);
	assert_string_equal(last, "url http://bad.example/gate.php iocs.txt:9 - http.url=/gate.php");
	assert_int_equal(run(rs, "{\"http\":{\"hostname\":\"bad.example\",\"url\":\"/gate.php?x\"}}", NULL), 0);
	assert_int_equal(run(rs, "{\"http\":{\"hostname\":\"a.evil.example\",\"url\":\"/\"}}", NULL), 1); /* once per event: hostname and the URL host */
	/* hashes in either case; e-mail; string (case-insensitive, whole value) */
	assert_int_equal(run(rs, "{\"fileinfo\":{\"sha256\":\"aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f\"}}", last), 1);
	assert_string_equal(last, "sha256 aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f iocs.txt:11 - "
				  "fileinfo.sha256=aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f");
	assert_int_equal(run(rs, "{\"from\":\"PHISH@sender.example\"}", NULL), 1);
	assert_int_equal(run(rs, "{\"TargetFilename\":\"c:\\\\temp\\\\EVIL.exe\"}", NULL), 1);
	assert_int_equal(run(rs, "{\"TargetFilename\":\"c:\\\\temp\\\\EVIL.exe2\"}", NULL), 0);
	vg_ioc_stats st;
	vg_ioc_stats_get(rs, &st);
	assert_int_equal(st.iocs, 9);
	assert_int_equal(st.cidrs, 3);
	vg_ruleset_free(rs);
}

static void t_list_forced_type(void **state)
{
	vg_ruleset *rs = vg_ruleset_new();
	vg_diag d;
	(void)state;
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(vg_ioc_load_string(rs, "s.txt", "anything at all\nmore\n", 21, VG_IOC_FMT_LIST, VG_IOC_STRING, &rep),
			 VG_OK);
	assert_int_equal(rep.loaded, 2);
	assert_int_equal(vg_ruleset_compile(rs, &d), VG_OK);
	vg_ruleset_free(rs);
}

static void t_csv(void **state)
{
	const char *csv = "uuid,type,value,to_ids\n"
			  "u-1,ip-dst,198.51.100.9,1\n"
			  "u-2,domain,\"c2.example, net\",1\n"
			  "u-3,md5,d41d8cd98f00b204e9800998ecf8427e,0\n"
			  "u-4,bogus-type,x,1\n"
			  "u-5,\"unterminated,1\n"
			  "u-6,domain|ip,c2.example|198.51.100.10,1\n";
	char last[1024];
	(void)state;
	vg_ruleset *rs = load("feed.csv", csv, VG_IOC_FMT_AUTO);
	assert_int_equal(rep.loaded, 3);
	assert_int_equal(rep.skipped, 1);
	assert_int_equal(rep.rejected, 3);
	assert_non_null(strstr(problems, "feed.csv:3: value: not a valid domain"));
	assert_non_null(strstr(problems, "feed.csv:5: type: unknown indicator type"));
	assert_non_null(strstr(problems, "feed.csv:6: malformed CSV line"));
	assert_int_equal(run(rs, "{\"dest_ip\":\"198.51.100.9\"}", last), 1);
	assert_string_equal(last, "ip 198.51.100.9 feed.csv:2 u-1 dest_ip=198.51.100.9");
	assert_int_equal(run(rs, "{\"dns\":{\"rrname\":\"c2.example\"}}", last), 1);
	vg_ruleset_free(rs);
	/* one column per type */
	rs = load("t.csv", "md5,ip\nd41d8cd98f00b204e9800998ecf8427e,192.0.2.1\n,192.0.2.2\n", VG_IOC_FMT_CSV);
	assert_int_equal(rep.loaded, 3);
	vg_ruleset_free(rs);
	/* no header */
	rs = load("n.csv", "192.0.2.1,foo\n", VG_IOC_FMT_CSV);
	assert_int_equal(rep.rejected, 1);
	assert_non_null(strstr(problems, "n.csv:1: no header"));
	vg_ruleset_free(rs);
}

static void t_misp(void **state)
{
	const char *ev = "{\"Event\":{\"info\":\"x\",\"Attribute\":["
			 "{\"type\":\"ip-dst\",\"value\":\"192.0.2.66\",\"to_ids\":true,\"uuid\":\"a-1\"},"
			 "{\"type\":\"link\",\"value\":\"https://ref\",\"to_ids\":false},"
			 "{\"type\":\"filename|sha256\",\"value\":\"x.exe|aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f\",\"to_ids\":true,\"uuid\":\"a-2\"},"
			 "{\"type\":\"domain\",\"value\":\"bad domain\",\"to_ids\":true,\"uuid\":\"a-3\"},"
			 "{\"type\":\"ip-src\"}],"
			 "\"Object\":[{\"Attribute\":[{\"type\":\"url\",\"value\":\"http://o.example/p\",\"to_ids\":true,\"uuid\":\"a-4\"}]}]}}";
	char last[1024];
	(void)state;
	vg_ruleset *rs = load("event.json", ev, VG_IOC_FMT_AUTO);
	assert_int_equal(rep.loaded, 3);
	assert_int_equal(rep.skipped, 1);
	assert_int_equal(rep.rejected, 2);
	assert_non_null(strstr(problems, "event.json: Event.Attribute[3]: not a valid domain"));
	assert_non_null(strstr(problems, "Event.Attribute[4]: attribute without type or value"));
	assert_int_equal(run(rs, "{\"src_ip\":\"192.0.2.66\"}", last), 1);
	assert_string_equal(last, "ip 192.0.2.66 event.json:0 a-1 src_ip=192.0.2.66");
	assert_int_equal(run(rs, "{\"fileinfo\":{\"sha256\":\"AEC070645FE53EE3B3763059376134F058CC337247C978ADD178B6CCDFB0019F\"}}", last), 1);
	assert_non_null(strstr(last, " a-2 "));
	vg_ruleset_free(rs);
	rs = load("bad.json", "{\"Event\": [", VG_IOC_FMT_AUTO);
	assert_int_equal(rep.rejected, 1);
	assert_non_null(strstr(problems, "bad.json:1: malformed JSON"));
	vg_ruleset_free(rs);
}

static void t_misp_samples(void **state)
{
	const char *dir = getenv("VIGIE_SHARED");
	char path[1024];
	(void)state;
	snprintf(path, sizeof(path), "%s/data/sharing/misp/feed-sample", dir ? dir : "/work/shared");
	vg_ruleset *rs = vg_ruleset_new();
	vg_diag d;
	memset(&rep, 0, sizeof(rep));
	if (vg_ioc_load_path(rs, path, VG_IOC_FMT_AUTO, VG_IOC_NONE, &rep) == VG_ERR_IO) {
		vg_ruleset_free(rs);
		skip();
	}
	assert_true(rep.files >= 4);
	assert_true(rep.loaded > 0);
	assert_int_equal(vg_ruleset_compile(rs, &d), VG_OK);
	vg_ruleset_free(rs);
}

static vg_err collect(void *ctx, size_t term, const char *object, const char *property, const char *value, size_t vlen)
{
	char *o = ctx;
	snprintf(o + strlen(o), 1024 - strlen(o), "%zu:%s:%s=%.*s;", term, object, property, (int)vlen, value);
	return VG_OK;
}

static void t_stix_pattern(void **state)
{
	static const struct {
		const char *pattern, *want; /* want NULL: refused; else the DNF */
	} cases[] = {
		{"[ipv4-addr:value = '203.0.113.10']", "0:ipv4-addr:value=203.0.113.10;"},
		{"[ipv4-addr:value = '1.2.3.4'] OR [domain-name:value = 'c2.example']",
		 "0:ipv4-addr:value=1.2.3.4;1:domain-name:value=c2.example;"},
		{"[file:hashes.'SHA-256' = 'ab'] AND [email-addr:value = 'a@b.c'] WITHIN 3600 SECONDS",
		 "0:file:hashes.SHA-256=ab;0:email-addr:value=a@b.c;"},
		{"[a:x = '1' OR a:x = '2'] AND [b:y = '3']", "0:a:x=1;0:b:y=3;1:a:x=2;1:b:y=3;"},
		{"[a:x = '1' AND b:y = '2' OR c:z = '3']", "0:a:x=1;0:b:y=2;1:c:z=3;"},
		{"[url:value = 'http://x/it\\'s\\\\']", "0:url:value=http://x/it's\\;"},
		{"  [a:b='c']  ", "0:a:b=c;"},
		{"[a:b = 'c'", NULL},
		{"[a:b LIKE 'c']", NULL},
		{"[a:b != 'c']", NULL},
		{"([a:b = 'c'])", NULL},
		{"[NOT a:b = 'c']", NULL},
		{"[a:b = 'c\\x']", NULL},
		{"[a:b = 'c'] REPEATS 2 TIMES", NULL},
		{"[a:b = 'c'] garbage", NULL},
		{"[a:b[*] = 'c']", NULL},
		{"[:b = 'c']", NULL},
		{"[a:b = c]", NULL},
		{"[a:b = 'c'] OR", NULL},
		{"", NULL},
		{"[a:b = 'c'] WITHIN SECONDS", NULL},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[1024] = "";
		vg_diag d;
		vg_diag_clear(&d);
		int rc = vg_stix_pattern_parse(cases[i].pattern, strlen(cases[i].pattern), collect, got, &d);
		if (cases[i].want) {
			if (rc <= 0)
				fail_msg("%s: %s", cases[i].pattern, d.message);
			assert_string_equal(got, cases[i].want);
		} else {
			if (rc >= 0)
				fail_msg("accepted: %s", cases[i].pattern);
			assert_true(d.message[0] != 0);
		}
	}
	/* too many terms: 2^7 */
	char big[1024] = "";
	for (int i = 0; i < 7; i++)
		strcat(big, i ? " AND [a:b = '1' OR a:b = '2']" : "[a:b = '1' OR a:b = '2']");
	vg_diag d;
	assert_true(vg_stix_pattern_parse(big, strlen(big), NULL, NULL, &d) < 0);
	assert_non_null(strstr(d.message, "too many terms"));
}

static void t_stix_bundle(void **state)
{
	const char *b = "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
			"{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern_type\":\"stix\","
			"\"pattern\":\"[ipv4-addr:value = '203.0.113.10'] OR [domain-name:value = 'c2.example.net']\"},"
			"{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern_type\":\"stix\","
			"\"pattern\":\"[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e'] AND [ipv4-addr:value = '192.0.2.5']\"},"
			"{\"type\":\"indicator\",\"id\":\"indicator--3\",\"pattern_type\":\"stix\",\"pattern\":\"[x:y = 'z']\"},"
			"{\"type\":\"indicator\",\"id\":\"indicator--4\",\"pattern_type\":\"stix\",\"pattern\":\"[a:b = \"},"
			"{\"type\":\"indicator\",\"id\":\"indicator--5\",\"pattern_type\":\"yara\",\"pattern\":\"rule x {}\"},"
			"{\"type\":\"malware\",\"id\":\"malware--1\"}]}";
	char last[1024];
	(void)state;
	vg_ruleset *rs = load("bundle.json", b, VG_IOC_FMT_AUTO);
	assert_int_equal(rep.loaded, 4);
	assert_int_equal(rep.skipped, 1);
	assert_int_equal(rep.rejected, 2);
	assert_non_null(strstr(problems, "bundle.json: objects[2].pattern: indicator--3: x:y is not a supported comparison"));
	assert_non_null(strstr(problems, "objects[3].pattern: indicator--4:"));
	assert_int_equal(run(rs, "{\"dns\":{\"rrname\":\"x.c2.example.net\"}}", last), 1);
	assert_string_equal(last, "domain c2.example.net bundle.json:0 indicator--1 dns.rrname=x.c2.example.net");
	/* AND: both in the same event, or nothing */
	assert_int_equal(run(rs, "{\"src_ip\":\"192.0.2.5\"}", NULL), 0);
	assert_int_equal(run(rs, "{\"fileinfo\":{\"md5\":\"d41d8cd98f00b204e9800998ecf8427e\"}}", NULL), 0);
	assert_int_equal(run(rs, "{\"src_ip\":\"192.0.2.5\",\"fileinfo\":{\"md5\":\"d41d8cd98f00b204e9800998ecf8427e\"}}", last), 2);
	assert_non_null(strstr(last, "indicator--2"));
	vg_ruleset_free(rs);
}

static void t_fields_file(void **state)
{
	vg_ruleset *rs = vg_ruleset_new();
	vg_diag d;
	(void)state;
	assert_int_equal(vg_ioc_load_fields_string(rs, "f.yml", "fields:\n  a: ip\n  b: colour\n", 28, &d), VG_ERR_INVALID);
	char m[600];
	vg_diag_format(&d, m, sizeof(m));
	assert_non_null(strstr(m, "f.yml:3: type: unknown field type \"colour\""));
	assert_int_equal(vg_ioc_load_fields_string(rs, "g.yml", "just words\n", 11, &d), VG_ERR_INVALID);
	assert_int_equal(d.line, 1);
	assert_int_equal(vg_ioc_load_fields_string(rs, "h.yml", "x: ip@y\n", 8, &d), VG_ERR_INVALID);
	vg_ruleset_free(rs);
}

/* Enough indicators to grow the table (and rebuild the Bloom filter) several
 * times; every one is still found, nothing else is; /0 is the last resort. */
static void t_growth(void **state)
{
	char *list = malloc(20000 * 24), ev[128];
	size_t off = 0;
	(void)state;
	assert_non_null(list);
	for (unsigned i = 0; i < 20000; i++)
		off += (size_t)sprintf(list + off, "198.%u.%u.1\n", i >> 8, i & 255);
	vg_ruleset *rs = load("many.txt", list, VG_IOC_FMT_LIST);
	free(list);
	assert_int_equal(rep.loaded, 20000);
	for (unsigned i = 0; i < 20000; i += 97) {
		snprintf(ev, sizeof(ev), "{\"src_ip\":\"198.%u.%u.1\"}", i >> 8, i & 255);
		assert_int_equal(run(rs, ev, NULL), 1);
		snprintf(ev, sizeof(ev), "{\"src_ip\":\"198.%u.%u.2\"}", i >> 8, i & 255);
		assert_int_equal(run(rs, ev, NULL), 0);
	}
	vg_ruleset_free(rs);
	char last[1024];
	rs = load("all.txt", "0.0.0.0/0\n192.0.2.0/25\n::/0\n", VG_IOC_FMT_LIST);
	assert_int_equal(run(rs, "{\"src_ip\":\"192.0.2.200\"}", last), 1);
	assert_string_equal(last, "ip 0.0.0.0/0 all.txt:1 - src_ip=192.0.2.200");
	assert_int_equal(run(rs, "{\"src_ip\":\"192.0.2.100\"}", last), 1);
	assert_string_equal(last, "ip 192.0.2.0/25 all.txt:2 - src_ip=192.0.2.100");
	assert_int_equal(run(rs, "{\"src_ip\":\"2001:db8::1\"}", last), 1);
	assert_string_equal(last, "ip ::/0 all.txt:3 - src_ip=2001:db8::1");
	vg_ruleset_free(rs);
}

/* Hashes are decoded eight digits at a time: any byte that is not a hex digit,
 * at any position, refutes the value (the bytes 0x10-0x19 turn into digits
 * when case is folded), and either case matches. */
static void t_hash_digits(void **state)
{
	const char *sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709";
	const char bad[] = {'g', 'G', '/', ':', '@', '`', '{', '~', 'P', 'p', ' ', '.', 'z', 'Z'};
	char v[64], ev[256], last[1024];
	(void)state;
	vg_ruleset *rs = load("h.txt", "da39a3ee5e6b4b0d3255bfef95601890afd80709\n", VG_IOC_FMT_AUTO);
	for (size_t pos = 0; pos < 40; pos++) {
		strcpy(v, sha1);
		v[pos] = (char)(v[pos] >= 'a' ? v[pos] - 32 : v[pos]);
		snprintf(ev, sizeof(ev), "{\"fileinfo\":{\"md5\":\"%s\"}}", v);
		assert_int_equal(run(rs, ev, last), 1);
		for (size_t b = 0; b < sizeof(bad); b++) {
			strcpy(v, sha1);
			v[pos] = bad[b];
			snprintf(ev, sizeof(ev), "{\"fileinfo\":{\"md5\":\"%s\"}}", v);
			assert_int_equal(run(rs, ev, NULL), 0);
		}
		for (unsigned c = 0x10; c <= 0x19; c++) { /* a control byte, escaped in JSON */
			snprintf(ev, sizeof(ev), "{\"fileinfo\":{\"md5\":\"%.*s\\u%04x%s\"}}", (int)pos, sha1, c, sha1 + pos + 1);
			assert_int_equal(run(rs, ev, NULL), 0);
		}
	}
	snprintf(ev, sizeof(ev), "{\"fileinfo\":{\"md5\":\"%s\"}}", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
	assert_int_equal(run(rs, ev, last), 1);
	assert_string_equal(last, "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 h.txt:1 - fileinfo.md5="
				  "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
	vg_ruleset_free(rs);
}

/* Addresses are parsed inline: only the dotted quad inet_pton takes. */
static void t_ipv4_forms(void **state)
{
	static const char *const no[] = {"192.0.2.01", "192.0.2.1.", ".192.0.2.1", "192.0.2.1 ", " 192.0.2.1",
					 "192.0.2",    "192.0.2.1.5", "192.0.2.256", "192.0..2.1", "0192.0.2.1",
					 "192.0.2.1/32", "192.0.2.1a", "1922.0.2.1",  "192.0.2.-1"};
	char ev[256], last[1024];
	(void)state;
	vg_ruleset *rs = load("a.txt", "192.0.2.1\n255.255.255.255\n0.0.0.0\n", VG_IOC_FMT_AUTO);
	assert_int_equal(run(rs, "{\"src_ip\":\"192.0.2.1\"}", last), 1);
	assert_string_equal(last, "ip 192.0.2.1 a.txt:1 - src_ip=192.0.2.1");
	assert_int_equal(run(rs, "{\"src_ip\":\"255.255.255.255\"}", NULL), 1);
	assert_int_equal(run(rs, "{\"src_ip\":\"0.0.0.0\"}", NULL), 1);
	assert_int_equal(run(rs, "{\"src_ip\":\"::ffff:192.0.2.1\"}", NULL), 0); /* another family */
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(ev, sizeof(ev), "{\"src_ip\":\"%s\"}", no[i]);
		assert_int_equal(run(rs, ev, NULL), 0);
	}
	vg_ruleset_free(rs);
}

/* An event with more keys than one lookup batch holds: the batch is run and
 * emptied on the way, hits before and after are all found, and an address's
 * exact-then-longest-prefix rule holds across it. */
static void t_batch_flush(void **state)
{
	vg_buf ev;
	char last[1024];
	(void)state;
	vg_ruleset *rs = load("b.txt", "first.evil.example\nlast.evil.example\n198.51.100.0/24\n198.51.0.0/16\n"
				       "2001:db8::/32\n2001:db8:1::/48\n2001:db8:1:2::/64\n",
			      VG_IOC_FMT_AUTO);
	vg_buf_init(&ev, 1 << 20);
	vg_buf_printf(&ev, "{\"dns\":{\"rrname\":[\"www.first.evil.example\"");
	for (int i = 0; i < 1500; i++)
		vg_buf_printf(&ev, ",\"h%d.sub%d.benign.example\"", i, i % 7);
	vg_buf_printf(&ev, ",\"LAST.evil.example\"]},\"src_ip\":[");
	for (int i = 0; i < 300; i++)
		vg_buf_printf(&ev, "\"203.0.%d.%d\",", i % 256, i / 256);
	vg_buf_printf(&ev, "\"198.51.100.9\"],\"dest_ip\":[\"2001:db8:1:3::1\",\"2001:db8:1:2::1\"]}");
	vg_buf_append(&ev, "", 1);
	assert_int_equal(run(rs, ev.data, last), 5);
	vg_buf_reset(&ev);
	vg_buf_printf(&ev, "{\"src_ip\":[");
	for (int i = 0; i < 600; i++)
		vg_buf_printf(&ev, "\"203.0.%d.%d\",", i % 256, i / 256);
	vg_buf_printf(&ev, "\"198.51.7.7\"]}");
	vg_buf_append(&ev, "", 1);
	assert_int_equal(run(rs, ev.data, last), 1);
	assert_string_equal(last, "ip 198.51.0.0/16 b.txt:4 - src_ip=198.51.7.7");
	vg_buf_fini(&ev);
	vg_ruleset_free(rs);
}

/* Events matched in batches (vg_ioc_batch) give what one at a time gives:
 * the same hits, in event order, each with its event's index; an AND group
 * needs all its members in one event, not across the batch; a bad event is
 * refused and the others still match; the batch empties after a run. */
typedef struct batch_hits {
	size_t n;
	char log[8192];
} batch_hits;

static void on_batch_hit(void *ctx, size_t event, const vg_ioc_hit *h)
{
	batch_hits *x = ctx;
	x->n++;
	size_t l = strlen(x->log);
	snprintf(x->log + l, sizeof(x->log) - l, "%zu:%s %s %s=%.*s;", event, vg_ioc_type_name(h->ioc->type),
		 h->ioc->value, h->field, (int)h->value_len, h->value);
}

static void on_single_hit(void *ctx, const vg_ioc_hit *h)
{
	batch_hits *x = ctx;
	size_t l = strlen(x->log);
	x->n++;
	snprintf(x->log + l, sizeof(x->log) - l, "%s %s %s=%.*s;", vg_ioc_type_name(h->ioc->type), h->ioc->value,
		 h->field, (int)h->value_len, h->value);
}

static void t_batch(void **state)
{
	const char *b = "{\"type\":\"bundle\",\"id\":\"bundle--1\",\"objects\":["
			"{\"type\":\"indicator\",\"id\":\"indicator--1\",\"pattern_type\":\"stix\",\"pattern\":"
			"\"[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e'] AND [ipv4-addr:value = '192.0.2.5']\"},"
			"{\"type\":\"indicator\",\"id\":\"indicator--2\",\"pattern_type\":\"stix\",\"pattern\":"
			"\"[domain-name:value = 'evil.example'] OR [ipv4-addr:value = '198.51.100.0/24']\"}]}";
	static const char *const evs[] = {
		"{\"src_ip\":\"192.0.2.5\"}",
		"{\"fileinfo\":{\"md5\":\"d41d8cd98f00b204e9800998ecf8427e\"}}",
		"{\"dns\":{\"rrname\":\"a.evil.example\"},\"dest_ip\":\"198.51.100.3\"}",
		"{\"dns\":",
		"{\"src_ip\":\"192.0.2.5\",\"fileinfo\":{\"md5\":\"D41D8CD98F00B204E9800998ECF8427E\"}}",
		"{\"src_ip\":\"10.0.0.1\"}",
		"{\"http\":{\"hostname\":\"evil.example\",\"url\":\"/x\"},\"src_ip\":\"198.51.100.200\"}",
	};
	size_t nev = sizeof(evs) / sizeof(evs[0]);
	(void)state;
	vg_ruleset *rs = load("bundle.json", b, VG_IOC_FMT_AUTO);
	/* one at a time */
	char expect[8192] = "";
	size_t nexpect = 0;
	for (size_t i = 0; i < nev; i++) {
		batch_hits one = {0};
		vg_detect_scratch *sc = vg_detect_scratch_new(rs);
		vg_diag d;
		vg_detect_scratch_set_ioc(sc, on_single_hit, &one);
		(void)vg_detect_json(sc, evs[i], strlen(evs[i]), NULL, NULL, &d);
		vg_detect_scratch_free(sc);
		for (char *p = one.log, *q; *p; p = q + 1) { /* prefix each hit with the event index */
			q = strchr(p, ';');
			size_t l = strlen(expect);
			snprintf(expect + l, sizeof(expect) - l, "%zu:%.*s;", i, (int)(q - p), p);
		}
		nexpect += one.n;
	}
	/* in the field map's order: src_ip, dest_ip, dns.rrname, http.hostname, ..., fileinfo.md5 */
	assert_string_equal(expect, "2:ip 198.51.100.0/24 dest_ip=198.51.100.3;2:domain evil.example dns.rrname=a.evil.example;"
				    "4:ip 192.0.2.5 src_ip=192.0.2.5;"
				    "4:md5 d41d8cd98f00b204e9800998ecf8427e fileinfo.md5=D41D8CD98F00B204E9800998ECF8427E;"
				    "6:ip 198.51.100.0/24 src_ip=198.51.100.200;6:domain evil.example http.hostname=evil.example;");
	/* the same events in one batch (the bad one refused, so indices shift past it) */
	vg_ioc_batch *bt = vg_ioc_batch_new(rs);
	batch_hits x = {0};
	vg_diag d;
	assert_non_null(bt);
	size_t idx[16], k = 0;
	for (size_t i = 0; i < nev; i++) {
		int r = vg_ioc_batch_add_json(bt, evs[i], strlen(evs[i]), &d);
		if (i == 3) {
			assert_int_equal(r, -1);
			continue;
		}
		assert_int_equal(r, (int)k);
		idx[k++] = i;
	}
	assert_int_equal(vg_ioc_batch_count(bt), nev - 1);
	assert_int_equal(vg_ioc_batch_run(bt, on_batch_hit, &x), (int)nexpect);
	assert_int_equal(vg_ioc_batch_count(bt), 0);
	char mapped[8192] = "";
	for (char *p = x.log, *q; *p; p = q + 1) { /* batch index -> input index */
		q = strchr(p, ';');
		char *colon = strchr(p, ':');
		size_t l = strlen(mapped);
		snprintf(mapped + l, sizeof(mapped) - l, "%zu%.*s;", idx[strtoul(p, NULL, 10)], (int)(q - colon), colon);
	}
	assert_string_equal(mapped, expect);
	/* a full batch, run, then reused */
	for (size_t i = 0; !vg_ioc_batch_full(bt); i++)
		assert_true(vg_ioc_batch_add_json(bt, evs[2], strlen(evs[2]), &d) >= 0);
	assert_int_equal(vg_ioc_batch_add_json(bt, evs[2], strlen(evs[2]), &d), -1);
	memset(&x, 0, sizeof(x));
	assert_int_equal(vg_ioc_batch_count(bt), VG_IOC_BATCH_EVENTS);
	assert_int_equal(vg_ioc_batch_run(bt, on_batch_hit, &x), 2 * VG_IOC_BATCH_EVENTS);
	assert_int_equal(vg_ioc_batch_run(bt, on_batch_hit, &x), 0);
	vg_ioc_batch_free(bt);
	vg_ioc_batch_free(NULL);
	vg_ruleset_free(rs);
}

static size_t sigma_hits;
static void on_sigma(void *ctx, const vg_hit *h)
{
	(void)ctx;
	(void)h;
	sigma_hits++;
}

static void t_with_sigma(void **state)
{
	const char *rule = "title: t\nid: 11111111-1111-1111-1111-111111111111\nlogsource: {product: x}\n"
			   "detection:\n  sel:\n    dns.rrname|endswith: '.example'\n  condition: sel\n";
	vg_ruleset *rs = vg_ruleset_new();
	vg_load_report lr = {0};
	vg_diag d;
	hits x = {0};
	(void)state;
	assert_int_equal(vg_ioc_load_fields_string(rs, "f", fields, strlen(fields), &d), VG_OK);
	assert_int_equal(vg_ruleset_load_string(rs, "r.yml", rule, strlen(rule), &lr), VG_OK);
	assert_int_equal(vg_ioc_load_string(rs, "l", "evil.example\n", 13, VG_IOC_FMT_LIST, VG_IOC_NONE, NULL), VG_OK);
	assert_int_equal(vg_ruleset_compile(rs, &d), VG_OK);
	/* late loads are refused */
	assert_int_not_equal(vg_ioc_load_string(rs, "l", "x.example\n", 10, VG_IOC_FMT_LIST, VG_IOC_NONE, NULL), VG_OK);
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	const char *ev = "{\"dns\":{\"rrname\":\"a.evil.example\"}}";
	sigma_hits = 0;
	/* without an IOC callback only the rule fires */
	assert_int_equal(vg_detect_json(sc, ev, strlen(ev), on_sigma, NULL, &d), 1);
	vg_detect_scratch_set_ioc(sc, on_ioc, &x);
	assert_int_equal(vg_detect_json(sc, ev, strlen(ev), on_sigma, NULL, &d), 2);
	assert_int_equal(sigma_hits, 2);
	assert_int_equal(x.n, 1);
	vg_detect_scratch_free(sc);
	vg_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_types_and_normalise), cmocka_unit_test(t_sysmon_hashes), cmocka_unit_test(t_list),
		cmocka_unit_test(t_list_forced_type),	 cmocka_unit_test(t_csv),	    cmocka_unit_test(t_misp),
		cmocka_unit_test(t_misp_samples),	 cmocka_unit_test(t_stix_pattern), cmocka_unit_test(t_stix_bundle),
		cmocka_unit_test(t_fields_file),	 cmocka_unit_test(t_with_sigma),   cmocka_unit_test(t_growth),
		cmocka_unit_test(t_hash_digits),	 cmocka_unit_test(t_ipv4_forms),   cmocka_unit_test(t_batch_flush),
		cmocka_unit_test(t_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
