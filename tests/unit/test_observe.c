/* Unit tests for src/observe: per-type normalisation, URL normalisation,
 * refanging, extraction from realistic texts, warning lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "observe/observe.h"

static void norm_ok(vg_obs_type t, const char *in, const char *want)
{
	char out[VG_OBS_VALUE_BUF];
	vg_diag d;
	vg_diag_clear(&d);
	if (vg_obs_normalize(t, in, strlen(in), out, sizeof out, "value", &d) != VG_OK)
		fail_msg("%s '%s': %s", vg_obs_type_name(t), in, d.message);
	if (strcmp(out, want) != 0)
		fail_msg("%s '%s' -> '%s', want '%s'", vg_obs_type_name(t), in, out, want);
}

static void norm_bad(vg_obs_type t, const char *in, const char *field, const char *msg_part)
{
	char out[VG_OBS_VALUE_BUF];
	vg_diag d;
	vg_diag_clear(&d);
	if (vg_obs_normalize(t, in, strlen(in), out, sizeof out, field, &d) == VG_OK)
		fail_msg("%s '%s' accepted as '%s'", vg_obs_type_name(t), in, out);
	assert_string_equal(d.field, field);
	if (msg_part && !strstr(d.message, msg_part))
		fail_msg("%s '%s': message '%s' lacks '%s'", vg_obs_type_name(t), in, d.message, msg_part);
}

static void test_types(void **state)
{
	vg_obs_type t;
	(void)state;
	for (int i = 0; i < VG_OBS__COUNT; i++) {
		assert_int_equal(vg_obs_type_parse(vg_obs_type_name((vg_obs_type)i), &t), VG_OK);
		assert_int_equal((int)t, i);
	}
	assert_int_equal(vg_obs_type_parse("ipv5", &t), VG_ERR_INVALID);
	assert_int_equal(vg_obs_type_parse(NULL, &t), VG_ERR_INVALID);
}

static void test_normalize_ip(void **state)
{
	(void)state;
	norm_ok(VG_OBS_IPV4, " 45.133.1.20 ", "45.133.1.20");
	norm_ok(VG_OBS_IPV6, "2A0E:1C80:0003:0000:0000:0000:0000:0017", "2a0e:1c80:3::17");
	norm_ok(VG_OBS_IPV6, "[2001:db8::1]", "2001:db8::1");
	norm_ok(VG_OBS_CIDR, "91.92.1.7/16", "91.92.0.0/16");
	norm_ok(VG_OBS_CIDR, "2001:DB8:1::/48", "2001:db8:1::/48");
	norm_bad(VG_OBS_IPV4, "2001:db8::1", "observables[0].value", "IPv4");
	norm_bad(VG_OBS_IPV6, "10.0.0.1", "v6", "IPv6");
	norm_bad(VG_OBS_IPV4, "256.1.1.1", "ip", NULL);
	norm_bad(VG_OBS_CIDR, "10.0.0.1", "net", "/length");
	norm_bad(VG_OBS_CIDR, "10.0.0.0/33", "net", NULL);
}

static void test_normalize_names(void **state)
{
	(void)state;
	norm_ok(VG_OBS_DOMAIN, "Secure-Login-Portal.XYZ.", "secure-login-portal.xyz");
	norm_ok(VG_OBS_DOMAIN, "bücher.example", "xn--bcher-kva.example");
	norm_ok(VG_OBS_DOMAIN, "xn--bcher-kva.example", "xn--bcher-kva.example");
	norm_bad(VG_OBS_DOMAIN, "localhost", "domain", "two labels");
	norm_bad(VG_OBS_DOMAIN, "bad_name.example", "domain", "invalid character");
	norm_bad(VG_OBS_DOMAIN, "10.1.2.3", "domain", "IP address");
	norm_ok(VG_OBS_EMAIL, "Helpdesk@Secure-Login-Portal.XYZ", "helpdesk@secure-login-portal.xyz");
	norm_ok(VG_OBS_EMAIL, "mailto:ops@drop-box.top", "ops@drop-box.top");
	norm_ok(VG_OBS_EMAIL, "jean@société.fr", "jean@xn--socit-esab.fr");
	norm_bad(VG_OBS_EMAIL, "no-at-sign.example", "contacts[1].email", "'@'");
	norm_ok(VG_OBS_ASN, "as 204428", "AS204428");
	norm_ok(VG_OBS_ASN, "64500", "AS64500");
	norm_bad(VG_OBS_ASN, "AS0", "asn", NULL);
	norm_ok(VG_OBS_CVE, "cve-2023-4966", "CVE-2023-4966");
	norm_ok(VG_OBS_CVE, "CVE-2021-44228", "CVE-2021-44228");
	norm_bad(VG_OBS_CVE, "CVE-23-4966", "cve", "CVE-2024-12345");
	norm_bad(VG_OBS_CVE, "CVE-2023-49", "cve", "4 to 14");
	norm_bad(VG_OBS_CVE, "CVE-1980-1234", "cve", "out of range");
}

static void test_normalize_hashes_text(void **state)
{
	(void)state;
	norm_ok(VG_OBS_MD5, "44D88612FEA8A8F36DE82E1278ABB02F", "44d88612fea8a8f36de82e1278abb02f");
	norm_ok(VG_OBS_SHA1, "3395856ce81f2b7382dee72602f798b642f14140", "3395856ce81f2b7382dee72602f798b642f14140");
	norm_ok(VG_OBS_SHA256, "275A021BBFB6489E54D471899F7DB9D1663FC695EC2FE2A2C4538AABF651FD0F",
		"275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f");
	norm_bad(VG_OBS_MD5, "44d88612fea8a8f36de82e1278abb02", "hashes.md5", "32 hex digits");
	norm_bad(VG_OBS_SHA1, "zz95856ce81f2b7382dee72602f798b642f14140", "sha1", "hex digit");
	norm_bad(VG_OBS_SHA512, "abcd", "sha512", "128");
	/* SHA-512: upper case and surrounding blanks give the canonical lower-case digest */
	norm_ok(VG_OBS_SHA512, "EBA808F0DA0E9367197EBDF12878878F9B0D3E2C8AF984C00170C4CDA7425CEECA9BAB1DBEDFEA161BEC1B8A62AFD2BB593DBE30B5CAB749DC83017F077D50EF", "eba808f0da0e9367197ebdf12878878f9b0d3e2c8af984c00170c4cda7425ceeca9bab1dbedfea161bec1b8a62afd2bb593dbe30b5cab749dc83017f077d50ef");
	norm_ok(VG_OBS_SHA512, " eba808f0da0e9367197ebdf12878878f9b0d3e2c8af984c00170c4cda7425ceeca9bab1dbedfea161bec1b8a62afd2bb593dbe30b5cab749dc83017f077d50ef ", "eba808f0da0e9367197ebdf12878878f9b0d3e2c8af984c00170c4cda7425ceeca9bab1dbedfea161bec1b8a62afd2bb593dbe30b5cab749dc83017f077d50ef");
	norm_bad(VG_OBS_SHA512, "eba808f0da0e9367197ebdf12878878f9b0d3e2c8af984c00170c4cda7425ceeca9bab1dbedfea161bec1b8a62afd2bb593dbe30b5cab749dc83017f077d50ez", "sha512", "hex digit");
	norm_bad(VG_OBS_SHA512, "eba808f0da0e9367197ebdf12878878f9b0d3e2c8af984c00170c4cda7425ceeca9bab1dbedfea161bec1b8a62afd2bb593dbe30b5cab749dc83017f077d50ef00", "sha512", "128");
	norm_ok(VG_OBS_FILENAME, "  Facture_2024.pdf.exe ", "Facture_2024.pdf.exe");
	norm_ok(VG_OBS_USER_AGENT, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
	norm_ok(VG_OBS_STRING, " été ", "été");
	norm_bad(VG_OBS_STRING, "   ", "string", "empty");
	norm_bad(VG_OBS_FILENAME, "a\x01.exe", "filename", "control");
	norm_bad(VG_OBS_STRING, "\xff\xfe", "string", "UTF-8");
}

static void test_url(void **state)
{
	(void)state;
	norm_ok(VG_OBS_URL, "HTTP://Example.COM:80/a/./b/../c/%7euser?q=%2fx#frag", "http://example.com/a/c/~user?q=%2Fx");
	norm_ok(VG_OBS_URL, "https://[2001:DB8::1]:443", "https://[2001:db8::1]/");
	norm_ok(VG_OBS_URL, "https://secure-login-portal.xyz:8443/owa/", "https://secure-login-portal.xyz:8443/owa/");
	norm_ok(VG_OBS_URL, "http://a.example/b/c/../../../d", "http://a.example/d");
	norm_ok(VG_OBS_URL, "http://a.example/%7Efoo/%2e%2E/bar", "http://a.example/bar");
	norm_ok(VG_OBS_URL, "http://a.example/path with space/é", "http://a.example/path%20with%20space/%C3%A9");
	norm_ok(VG_OBS_URL, "ftp://user:pw@FTP.example.org:21/pub/%41%zz", "ftp://user:pw@ftp.example.org/pub/A%25zz");
	norm_ok(VG_OBS_URL, "http://bücher.example/", "http://xn--bcher-kva.example/");
	norm_ok(VG_OBS_URL, "http://45.133.1.20:80/x", "http://45.133.1.20/x");
	norm_ok(VG_OBS_URL, "http://localhost:8080", "http://localhost:8080/");
	norm_bad(VG_OBS_URL, "javascript:alert(1)", "url", "scheme://host");
	norm_bad(VG_OBS_URL, "gopher://x.example/", "url", "unsupported URL scheme");
	norm_bad(VG_OBS_URL, "http://a.example:99999/", "url", "port");
	norm_bad(VG_OBS_URL, "http:///path", "url", "host");
	norm_bad(VG_OBS_URL, "http://bad_host.example/", "url", "URL host");
	{
		char big[VG_OBS_VALUE_MAX + 10], out[VG_OBS_VALUE_BUF];
		vg_diag d;
		memcpy(big, "http://a.example/", 17);
		memset(big + 17, 'a', sizeof big - 18);
		big[sizeof big - 1] = '\0';
		assert_int_equal(vg_url_normalize(big, strlen(big), out, sizeof out, "url", &d), VG_ERR_INVALID);
		/* percent-encoding that grows past the limit is refused, not truncated */
		memset(big + 17, '<', VG_OBS_VALUE_MAX - 40);
		big[17 + VG_OBS_VALUE_MAX - 40] = '\0';
		assert_int_equal(vg_url_normalize(big, strlen(big), out, sizeof out, "url", &d), VG_ERR_INVALID);
	}
}

static void refang_is(const char *in, const char *want)
{
	char out[512];
	uint32_t off[512];
	size_t n = vg_obs_refang(in, strlen(in), out, sizeof out, off);
	if (strcmp(out, want) != 0)
		fail_msg("refang '%s' -> '%s', want '%s'", in, out, want);
	assert_int_equal(n, strlen(want));
	for (size_t i = 1; i < n; i++)
		assert_true(off[i] >= off[i - 1]);
}

static void test_refang(void **state)
{
	(void)state;
	refang_is("hxxp://evil[.]com/a", "http://evil.com/a");
	refang_is("hXXps[:]//evil(.)com", "https://evil.com");
	refang_is("HXXPS[://]evil{.}com", "https://evil.com");
	refang_is("fxp://files.badcdn[.]cc", "ftp://files.badcdn.cc");
	refang_is("185.220.101[.]45", "185.220.101.45");
	refang_is("185[.]220[.]101[.]45", "185.220.101.45");
	refang_is("abuse[at]bad-hoster[.]net", "abuse@bad-hoster.net");
	refang_is("ops (at) drop-box {.} top", "ops@drop-box.top");
	refang_is("x[@]y[dot]org", "x@y.org");
	refang_is("evil [.] com and evil(dot)net", "evil.com and evil.net");
	refang_is("a [.] b", "a.b");
	refang_is("price (at) !", "price @ !");                       /* no word on both sides: spaces kept */
	refang_is("Look [.] here", "Look.here");                      /* words on both sides: joined */
	refang_is("shxxp://x", "shxxp://x");                          /* scheme must start a word */
	refang_is("[.]", ".");
	refang_is("", "");
	{
		char small[4];
		assert_int_equal(vg_obs_refang("hxxp://a", 8, small, sizeof small, NULL), 3);
		assert_string_equal(small, "htt");
	}
}

typedef struct want {
	vg_obs_type t;
	const char *norm;
	const char *as_found; /* NULL: don't check */
} want;

static const vg_obs_candidate *find_c(const vg_obs_candidates *c, vg_obs_type t, const char *norm)
{
	for (size_t i = 0; i < c->len; i++)
		if (c->items[i].type == t && strcmp(c->items[i].normalized, norm) == 0)
			return &c->items[i];
	return NULL;
}

static void extract_expect(const char *text, const want *w, size_t nw, size_t total)
{
	vg_arena *a = vg_arena_new(0);
	vg_obs_candidates c;
	vg_diag d;
	assert_int_equal(vg_obs_extract(text, strlen(text), vg_obs_warnlist_default(), a, &c, &d), VG_OK);
	for (size_t i = 0; i < nw; i++) {
		const vg_obs_candidate *x = find_c(&c, w[i].t, w[i].norm);
		if (!x) {
			for (size_t k = 0; k < c.len; k++)
				fprintf(stderr, "  got %s %s\n", vg_obs_type_name(c.items[k].type), c.items[k].normalized);
			fail_msg("missing %s %s", vg_obs_type_name(w[i].t), w[i].norm);
		}
		assert_true(x->offset + x->length <= strlen(text));
		assert_memory_equal(text + x->offset, x->value, x->length);
		if (w[i].as_found)
			assert_string_equal(x->value, w[i].as_found);
	}
	if (c.len != total) {
		for (size_t k = 0; k < c.len; k++)
			fprintf(stderr, "  got %s %s\n", vg_obs_type_name(c.items[k].type), c.items[k].normalized);
		fail_msg("%zu candidates, want %zu", c.len, total);
	}
	vg_arena_free(a);
}

static void test_extract_abuse_report(void **state)
{
	static const char text[] =
		"Dear abuse team,\n\n"
		"we observed SSH brute force (22/tcp) from 45.133.1.20 and 2a0e:1c80:3::17 against our server\n"
		"mail.ministere-exemple.fr between 09:12 and 09:47 UTC on 2026-11-26. The source belongs to\n"
		"AS 204428 (AS49870 also seen). The attack resumed from 45.133.1.20 at 10:02, then from\n"
		"45.133.1.21:2222. Our resolver 8.8.8.8 and internal host 10.12.0.5 are not involved.\n"
		"Logs: see attachment auth.log. Please contact abuse[at]bad-hoster[.]net or reply to\n"
		"soc@ministere-exemple.fr.\n\n-- \nSOC, Ministère de l'Exemple, version 2.4.1\n";
	const want w[] = {
		{VG_OBS_IPV4, "45.133.1.20", "45.133.1.20"},
		{VG_OBS_IPV6, "2a0e:1c80:3::17", NULL},
		{VG_OBS_DOMAIN, "mail.ministere-exemple.fr", NULL},
		{VG_OBS_ASN, "AS204428", "AS 204428"},
		{VG_OBS_ASN, "AS49870", NULL},
		{VG_OBS_IPV4, "45.133.1.21", "45.133.1.21"},
		{VG_OBS_IPV4, "8.8.8.8", NULL},
		{VG_OBS_IPV4, "10.12.0.5", NULL},
		{VG_OBS_FILENAME, "auth.log", NULL},
		{VG_OBS_EMAIL, "abuse@bad-hoster.net", "abuse[at]bad-hoster[.]net"},
		{VG_OBS_DOMAIN, "bad-hoster.net", "bad-hoster[.]net"},
		{VG_OBS_EMAIL, "soc@ministere-exemple.fr", NULL},
		{VG_OBS_DOMAIN, "ministere-exemple.fr", NULL},
	};
	vg_arena *a = vg_arena_new(0);
	vg_obs_candidates c;
	(void)state;
	extract_expect(text, w, sizeof w / sizeof w[0], sizeof w / sizeof w[0]);
	/* the resolver and the private address are flagged common */
	assert_int_equal(vg_obs_extract(text, strlen(text), vg_obs_warnlist_default(), a, &c, NULL), VG_OK);
	assert_string_equal(find_c(&c, VG_OBS_IPV4, "8.8.8.8")->common, "public-dns-resolvers");
	assert_string_equal(find_c(&c, VG_OBS_IPV4, "10.12.0.5")->common, "special-purpose-ranges");
	assert_null(find_c(&c, VG_OBS_IPV4, "45.133.1.20")->common);
	assert_true(find_c(&c, VG_OBS_EMAIL, "abuse@bad-hoster.net")->defanged);
	assert_false(find_c(&c, VG_OBS_IPV4, "45.133.1.20")->defanged);
	/* first appearance wins the offset */
	assert_int_equal(find_c(&c, VG_OBS_IPV4, "45.133.1.20")->offset, strstr(text, "45.133.1.20") - text);
	vg_arena_free(a);
}

static void test_extract_phishing(void **state)
{
	static const char text[] =
		"From: \"IT Support\" <helpdesk@secure-login-portal.xyz>\n"
		"Subject: Action required: mailbox quota\n\n"
		"Dear user,\nYour mailbox is full. Please verify your account at\n"
		"https://secure-login-portal.xyz/owa/auth.php?user=victim%40gouv.fr&lang=FR.\n"
		"(or http://193.142.146.35:8080/owa/../owa/login).\n"
		"See the attached Facture_2024.pdf.exe (sha256: 3F79BB7B435B05321651DAEFD374CDC681DC06FAA65E374E38337B88CA046DEA)\n"
		"User-agent in the logs: python-requests/2.31.0\n";
	const want w[] = {
		{VG_OBS_EMAIL, "helpdesk@secure-login-portal.xyz", NULL},
		{VG_OBS_DOMAIN, "secure-login-portal.xyz", NULL},
		{VG_OBS_URL, "https://secure-login-portal.xyz/owa/auth.php?user=victim%40gouv.fr&lang=FR", NULL},
		{VG_OBS_URL, "http://193.142.146.35:8080/owa/login", "http://193.142.146.35:8080/owa/../owa/login"},
		{VG_OBS_FILENAME, "Facture_2024.pdf.exe", NULL},
		{VG_OBS_SHA256, "3f79bb7b435b05321651daefd374cdc681dc06faa65e374e38337b88ca046dea", NULL},
	};
	(void)state;
	extract_expect(text, w, sizeof w / sizeof w[0], sizeof w / sizeof w[0]);
}

static void test_extract_sha1_sha512(void **state)
{
	static const char text[] =
		"Dropper hashes (VirusTotal):\n"
		"SHA-1: 68823A2933AE3AA8090E3010380B6A71189DFCED\n"
		"SHA-512: eba808f0da0e9367197ebdf12878878f9b0d3e2c8af984c00170c4cda7425ceeca9bab1dbedfea161bec1b8a62afd2bb593dbe30b5cab749dc83017f077d50ef\n"
		"sha1=68823a2933ae3aa8090e3010380b6a71189dfced (same file, repeated)\n";
	const want w[] = {
		{VG_OBS_SHA1, "68823a2933ae3aa8090e3010380b6a71189dfced", "68823A2933AE3AA8090E3010380B6A71189DFCED"},
		{VG_OBS_SHA512, "eba808f0da0e9367197ebdf12878878f9b0d3e2c8af984c00170c4cda7425ceeca9bab1dbedfea161bec1b8a62afd2bb593dbe30b5cab749dc83017f077d50ef", "eba808f0da0e9367197ebdf12878878f9b0d3e2c8af984c00170c4cda7425ceeca9bab1dbedfea161bec1b8a62afd2bb593dbe30b5cab749dc83017f077d50ef"},
	};
	(void)state;
	/* each digest once, typed by its length, lower-cased */
	extract_expect(text, w, sizeof w / sizeof w[0], sizeof w / sizeof w[0]);
}

static void test_extract_defanged_intel(void **state)
{
	static const char text[] =
		"The actor used hxxps[:]//update-check[.]online/gate.php and 185.220.101[.]45 as C2, exploiting\n"
		"CVE-2023-4966 (Citrix Bleed) and cve-2023-3519. MD5 44d88612fea8a8f36de82e1278abb02f; dropper\n"
		"C:\\Users\\Public\\svchosts.exe; exfiltration to ops (at) drop-box {.} top via 91.92.0.0/16 and\n"
		"fxp://files.badcdn[.]cc/x. Infrastructure also at 2a0e:1c80::/32. Hash again: 44D88612FEA8A8F36DE82E1278ABB02F.\n"
		"Not indicators: e.g. the U.S. report v1.2, 12:30:45, 2026/11/27, example[.]com.\n";
	const want w[] = {
		{VG_OBS_URL, "https://update-check.online/gate.php", "hxxps[:]//update-check[.]online/gate.php"},
		{VG_OBS_IPV4, "185.220.101.45", "185.220.101[.]45"},
		{VG_OBS_CVE, "CVE-2023-4966", NULL},
		{VG_OBS_CVE, "CVE-2023-3519", "cve-2023-3519"},
		{VG_OBS_MD5, "44d88612fea8a8f36de82e1278abb02f", NULL},
		{VG_OBS_FILENAME, "svchosts.exe", NULL},
		{VG_OBS_EMAIL, "ops@drop-box.top", "ops (at) drop-box {.} top"},
		{VG_OBS_DOMAIN, "drop-box.top", NULL},
		{VG_OBS_CIDR, "91.92.0.0/16", NULL},
		{VG_OBS_URL, "ftp://files.badcdn.cc/x", NULL},
		{VG_OBS_CIDR, "2a0e:1c80::/32", NULL},
		{VG_OBS_DOMAIN, "example.com", "example[.]com"},
	};
	(void)state;
	extract_expect(text, w, sizeof w / sizeof w[0], sizeof w / sizeof w[0]);
}

static void test_extract_limits(void **state)
{
	vg_arena *a = vg_arena_new(0);
	vg_obs_candidates c;
	vg_diag d;
	char *big;
	size_t n = 0;
	(void)state;
	/* more distinct values than the limit: truncated, bounded */
	big = malloc(64 * (VG_OBS_EXTRACT_MAX + 100));
	assert_non_null(big);
	for (unsigned i = 0; i < VG_OBS_EXTRACT_MAX + 100; i++)
		n += (size_t)sprintf(big + n, "45.%u.%u.1 ", i / 256, i % 256);
	assert_int_equal(vg_obs_extract(big, n, NULL, a, &c, &d), VG_OK);
	assert_int_equal(c.len, VG_OBS_EXTRACT_MAX);
	assert_true(c.truncated);
	free(big);
	/* duplicates collapse */
	assert_int_equal(vg_obs_extract("1.2.3.4 1.2.3.4 1.2.3[.]4", 25, NULL, a, &c, &d), VG_OK);
	assert_int_equal(c.len, 1);
	assert_int_equal(vg_obs_extract("", 0, NULL, a, &c, &d), VG_OK);
	assert_int_equal(c.len, 0);
	assert_int_equal(vg_obs_extract("x", VG_OBS_TEXT_MAX + 1, NULL, a, &c, &d), VG_ERR_LIMIT);
	assert_string_equal(d.field, "text");
	vg_arena_free(a);
}

static void test_guess(void **state)
{
	char out[VG_OBS_VALUE_BUF];
	vg_obs_type t;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_obs_guess("185.220.101[.]45", 16, &t, out, sizeof out, &d), VG_OK);
	assert_int_equal(t, VG_OBS_IPV4);
	assert_int_equal(vg_obs_guess("hxxp://evil[.]com", 17, &t, out, sizeof out, &d), VG_OK);
	assert_int_equal(t, VG_OBS_URL);
	assert_string_equal(out, "http://evil.com/");
	assert_int_equal(vg_obs_guess("AS64500", 7, &t, out, sizeof out, &d), VG_OK);
	assert_int_equal(t, VG_OBS_ASN);
	assert_int_equal(vg_obs_guess("Evil.COM", 8, &t, out, sizeof out, &d), VG_OK);
	assert_int_equal(t, VG_OBS_DOMAIN);
	assert_int_equal(vg_obs_guess("just words", 10, &t, out, sizeof out, &d), VG_OK);
	assert_int_equal(t, VG_OBS_STRING);
}

static void test_warnlist(void **state)
{
	const vg_obs_warnlist *def = vg_obs_warnlist_default();
	vg_obs_warnlist *wl;
	vg_diag d;
	static const char bad[] = "name x\ncidr 10.0.0.0/8\nfrobnicate 1\n";
	(void)state;
	assert_non_null(def);
	assert_true(vg_obs_warnlist_size(def) > 200);
	assert_string_equal(vg_obs_warnlist_match(def, VG_OBS_IPV4, "1.1.1.1"), "public-dns-resolvers");
	assert_string_equal(vg_obs_warnlist_match(def, VG_OBS_IPV6, "2606:4700:4700::1111"), "public-dns-resolvers");
	assert_string_equal(vg_obs_warnlist_match(def, VG_OBS_IPV4, "104.16.1.1"), "cdn-and-cloud-front-ends");
	assert_string_equal(vg_obs_warnlist_match(def, VG_OBS_CIDR, "192.168.10.0/24"), "special-purpose-ranges");
	assert_null(vg_obs_warnlist_match(def, VG_OBS_CIDR, "0.0.0.0/0"));
	assert_string_equal(vg_obs_warnlist_match(def, VG_OBS_DOMAIN, "www.example.org"), "example-domains");
	assert_string_equal(vg_obs_warnlist_match(def, VG_OBS_DOMAIN, "foo.test"), "example-domains");
	assert_string_equal(vg_obs_warnlist_match(def, VG_OBS_EMAIL, "a@sub.example.com"), "example-domains");
	assert_string_equal(vg_obs_warnlist_match(def, VG_OBS_URL, "https://localhost:8443/x"), "example-domains");
	assert_string_equal(vg_obs_warnlist_match(def, VG_OBS_URL, "http://[2001:db8::1]/"), "special-purpose-ranges");
	assert_string_equal(vg_obs_warnlist_match(def, VG_OBS_DOMAIN, "cloudfront.net"), "cdn-and-cloud-front-ends");
	assert_null(vg_obs_warnlist_match(def, VG_OBS_DOMAIN, "d111abcdef8.cloudfront.net")); /* exact only */
	assert_null(vg_obs_warnlist_match(def, VG_OBS_DOMAIN, "notexample.com"));
	assert_null(vg_obs_warnlist_match(def, VG_OBS_IPV4, "45.133.1.20"));
	assert_null(vg_obs_warnlist_match(def, VG_OBS_MD5, "44d88612fea8a8f36de82e1278abb02f"));
	assert_int_equal(vg_obs_warnlist_new(&wl), VG_OK);
	assert_int_equal(vg_obs_warnlist_add_text(wl, bad, strlen(bad), "mine.txt", &d), VG_ERR_INVALID);
	assert_string_equal(d.file, "mine.txt");
	assert_int_equal(d.line, 3);
	vg_obs_warnlist_free(wl);
	vg_obs_warnlist_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_normalize_ip),
		cmocka_unit_test(test_normalize_names),
		cmocka_unit_test(test_normalize_hashes_text),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_refang),
		cmocka_unit_test(test_extract_abuse_report),
		cmocka_unit_test(test_extract_phishing),
		cmocka_unit_test(test_extract_sha1_sha512),
		cmocka_unit_test(test_extract_defanged_intel),
		cmocka_unit_test(test_extract_limits),
		cmocka_unit_test(test_guess),
		cmocka_unit_test(test_warnlist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
