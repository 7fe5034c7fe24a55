/* Unit tests for src/registry: normalisers, CPE, CRUD, lookup index,
 * import/export. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/json.h"
#include "registry/index.h"
#include "registry/registry.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vg-reg-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static vg_db *open_db(void)
{
	vg_db *db = NULL;
	vg_db_options o = {.busy_timeout_ms = 2000};
	vg_diag d;
	assert_int_equal(vg_db_open(path, &o, &db, &d), VG_OK);
	return db;
}

static json_t *J(const char *s)
{
	json_error_t err;
	json_t *j = json_loads(s, JSON_DECODE_ANY, &err);
	if (!j)
		fail_msg("bad test JSON: %s (%s)", s, err.text);
	return j;
}

/* ---------------------------------------------------------------- names */

static void test_domain(void **state)
{
	char out[VG_DOMAIN_BUF];
	vg_diag d;
	(void)state;
	assert_int_equal(vg_domain_normalize("WWW.Example.FR.", 0, false, out, sizeof out, "domains[0]", &d), VG_OK);
	assert_string_equal(out, "www.example.fr");
	assert_int_equal(vg_domain_normalize("xn--bcher-kva.example", 0, false, out, sizeof out, "x", &d), VG_OK);
	assert_string_equal(out, "xn--bcher-kva.example");
	const char *bad[] = {"", ".", "a..b", "-a.fr", "a-.fr", "exa mple.fr", "10.0.0.1", "[::1]", "2001:db8::1",
			     "bücher.de", "fr", "a.123", "a_b.fr",
			     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.fr", NULL};
	for (int i = 0; bad[i]; i++) {
		vg_diag_clear(&d);
		assert_int_not_equal(vg_domain_normalize(bad[i], 0, false, out, sizeof out, "domains[2]", &d), VG_OK);
		assert_string_equal(d.field, "domains[2]");
	}
	vg_domain_normalize("bücher.de", 0, false, out, sizeof out, "d", &d);
	assert_non_null(strstr(d.message, "punycode"));
	vg_domain_normalize("192.168.1.1", 0, false, out, sizeof out, "d", &d);
	assert_non_null(strstr(d.message, "IP address"));
	assert_int_equal(vg_domain_normalize("localhost", 0, true, out, sizeof out, "d", &d), VG_OK);
	/* 253 total */
	char longd[300];
	memset(longd, 0, sizeof longd);
	for (int i = 0; i < 4; i++)
		strcat(longd, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	strcat(longd, "fr");
	assert_int_not_equal(vg_domain_normalize(longd, 0, false, out, sizeof out, "d", &d), VG_OK);
}

static void test_email_asn_pgp(void **state)
{
	char out[VG_EMAIL_BUF];
	uint32_t asn;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_email_normalize("SOC@Example.FR", 0, out, sizeof out, "contacts[0].email", &d), VG_OK);
	assert_string_equal(out, "soc@example.fr");
	const char *bad[] = {"soc", "@example.fr", "soc@", "so c@example.fr", "soc@10.0.0.1", "a\"b@x.fr",
			     ".a@x.fr", NULL};
	for (int i = 0; bad[i]; i++) {
		vg_diag_clear(&d);
		assert_int_not_equal(vg_email_normalize(bad[i], 0, out, sizeof out, "contacts[0].email", &d), VG_OK);
		assert_string_equal(d.field, "contacts[0].email");
	}
	assert_int_equal(vg_asn_parse("AS64500", 0, &asn, "asns[0]", &d), VG_OK);
	assert_int_equal(asn, 64500);
	assert_int_equal(vg_asn_parse("as64501", 0, &asn, "asns[0]", &d), VG_OK);
	assert_int_equal(asn, 64501);
	assert_int_equal(vg_asn_parse("4294967295", 0, &asn, "asns[0]", &d), VG_OK);
	assert_int_equal(asn, 4294967295u);
	const char *badasn[] = {"", "AS", "0", "AS0", "4294967296", "AS-1", "64500x", "ASN64500", NULL};
	for (int i = 0; badasn[i]; i++) {
		vg_diag_clear(&d);
		assert_int_not_equal(vg_asn_parse(badasn[i], 0, &asn, "asns[1]", &d), VG_OK);
		assert_string_equal(d.field, "asns[1]");
	}
	char fpr[VG_PGP_FPR_BUF];
	assert_int_equal(vg_pgp_fpr_normalize("0123 4567 89ab cdef 0123  4567 89AB CDEF 0123 4567", fpr, sizeof fpr,
					      "pgp_fingerprint", &d), VG_OK);
	assert_string_equal(fpr, "0123456789ABCDEF0123456789ABCDEF01234567");
	assert_int_not_equal(vg_pgp_fpr_normalize("0123", fpr, sizeof fpr, "pgp_fingerprint", &d), VG_OK);
	assert_int_not_equal(vg_pgp_fpr_normalize("G123456789ABCDEF0123456789ABCDEF01234567", fpr, sizeof fpr,
						  "pgp_fingerprint", &d), VG_OK);
}

/* ---------------------------------------------------------------- CPE */

static char *read_file(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	char *b;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	if (fread(b, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	b[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return b;
}

static const char *shared(void)
{
	const char *s = getenv("VIGIE_SHARED");
	return s ? s : "/work/shared";
}

static void test_cpe_vectors(void **state)
{
	char p[512], out[VG_CPE_MAX + 1];
	json_t *root, *arr, *v;
	json_error_t err;
	size_t i;
	vg_diag d;
	(void)state;
	snprintf(p, sizeof p, "%s/data/vuln/cpe/test-vectors.json", shared());
	root = json_load_file(p, 0, &err);
	if (!root) {
		snprintf(p, sizeof p, "/work/shared/data/vuln/cpe/test-vectors.json");
		root = json_load_file(p, 0, &err);
	}
	assert_non_null(root);
	arr = json_object_get(root, "fs_unbind");
	json_array_foreach(arr, i, v) {
		const char *fs = json_string_value(json_object_get(v, "fs"));
		bool bad = json_is_true(json_object_get(v, "error"));
		vg_err e = vg_cpe_normalize(fs, 0, out, sizeof out, "cpe", &d);
		if (bad != (e != VG_OK))
			fail_msg("fs_unbind %s: expected %s", fs, bad ? "error" : "ok");
	}
	arr = json_object_get(root, "fs_roundtrip");
	json_array_foreach(arr, i, v) {
		const char *fs = json_string_value(v);
		assert_int_equal(vg_cpe_normalize(fs, 0, out, sizeof out, "cpe", &d), VG_OK);
		assert_string_equal(out, fs);
	}
	arr = json_object_get(root, "has_unquoted_wildcard");
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(json_object_get(v, "value"));
		assert_int_equal(vg_cpe_has_unquoted_wildcard(s, strlen(s)), json_is_true(json_object_get(v, "expect")));
	}
	json_decref(root);
	/* CSAF schema pattern test data: valid / invalid 2.3 names */
	for (int valid = 0; valid < 2; valid++) {
		char *txt, *save = NULL;
		snprintf(p, sizeof p, "%s/data/vuln/cpe/csaf-cpe-syntax-data/%s/cpe.txt", shared(),
			 valid ? "valid" : "invalid");
		txt = read_file(p, NULL);
		assert_non_null(txt);
		for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			vg_err e;
			if (strncmp(line, "cpe:2.3:", 8) != 0 && !valid)
				continue; /* 2.2 URIs and prefixed junk: refused anyway */
			if (strncmp(line, "cpe:/", 5) == 0)
				continue; /* CPE 2.2 URI: valid for CSAF, refused by us with a message */
			e = vg_cpe_normalize(line, 0, out, sizeof out, "cpe", &d);
			if ((e == VG_OK) != (bool)valid)
				fail_msg("%s: %s expected %s (%s)", valid ? "valid" : "invalid", line,
					 valid ? "ok" : "error", d.message);
		}
		free(txt);
	}
	/* field + component in the message */
	vg_diag_clear(&d);
	assert_int_not_equal(vg_cpe_normalize("cpe:2.3:a:vendor:prod:1.*.2:*:*:*:*:*:*:*", 0, out, sizeof out,
					      "products[1].cpe", &d), VG_OK);
	assert_string_equal(d.field, "products[1].cpe");
	assert_non_null(strstr(d.message, "version"));
	assert_int_not_equal(vg_cpe_normalize("cpe:2.3:x:v:p:*:*:*:*:*:*:*:*", 0, out, sizeof out, "c", &d), VG_OK);
	assert_int_not_equal(vg_cpe_normalize("cpe:2.3:a:v:p:*:*:*:english:*:*:*:*", 0, out, sizeof out, "c", &d),
			     VG_OK);
	assert_int_equal(vg_cpe_normalize("CPE:2.3:A:Microsoft:IE:8.0:*:*:en-us:*:*:*:*", 0, out, sizeof out, "c", &d),
			 VG_ERR_INVALID); /* prefix is case-sensitive */
	assert_int_equal(vg_cpe_normalize("cpe:2.3:A:Microsoft:IE:8.0:*:*:en-US:*:*:*:*", 0, out, sizeof out, "c", &d),
			 VG_OK);
	assert_string_equal(out, "cpe:2.3:a:microsoft:ie:8.0:*:*:en-us:*:*:*:*");
}

/* ---------------------------------------------------------------- CRUD */

static const char *ORG_A = "{\"name\":\"Ministère A\",\"short_name\":\"MA\",\"kind\":\"ministry\","
			   "\"sector\":\"public_administration\",\"nis2\":\"essential\",\"country\":\"fr\","
			   "\"networks\":[\"10.0.0.0/8\",{\"cidr\":\"2001:db8::/32\",\"note\":\"v6\"}],"
			   "\"asns\":[\"AS64500\",64501],\"domains\":[\"ministere-a.gouv.fr\"],"
			   "\"contacts\":[{\"name\":\"SOC\",\"email\":\"SOC@ministere-a.gouv.fr\","
			   "\"pgp_fingerprint\":\"0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567\"}],"
			   "\"products\":[\"cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*\"]}";

static void test_crud(void **state)
{
	vg_db *db = open_db();
	json_t *doc, *out, *patch;
	int64_t a, b, c, cid;
	vg_diag d;
	(void)state;
	doc = J(ORG_A);
	assert_int_equal(vg_org_create(db, doc, &a, &d), VG_OK);
	json_decref(doc);
	assert_int_equal(vg_org_get_json(db, a, true, &out, &d), VG_OK);
	assert_string_equal(json_string_value(json_object_get(out, "country")), "FR");
	assert_int_equal(json_array_size(json_object_get(out, "networks")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(out, "contacts"), 0),
							      "pgp_fingerprint")),
			    "0123456789ABCDEF0123456789ABCDEF01234567");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(out, "contacts"), 0),
							      "email")),
			    "soc@ministere-a.gouv.fr");
	json_decref(out);

	/* same name, different case → conflict on name */
	doc = J("{\"name\":\"MINISTÈRE A\",\"kind\":\"ministry\"}");
	vg_diag_clear(&d);
	assert_int_equal(vg_org_create(db, doc, &b, &d), VG_OK); /* NOCASE is ASCII-only: È differs */
	json_decref(doc);
	doc = J("{\"name\":\"ministère a\",\"kind\":\"ministry\"}");
	assert_int_equal(vg_org_create(db, doc, &b, &d), VG_ERR_CONFLICT);
	assert_string_equal(d.field, "name");
	json_decref(doc);

	/* host bits set → error names the field, nothing written */
	doc = J("{\"name\":\"B\",\"kind\":\"oiv\",\"networks\":[\"192.0.2.0/24\",\"10.1.0.0/24\",\"10.1.2.3/24\"]}");
	vg_diag_clear(&d);
	assert_int_equal(vg_org_create(db, doc, &b, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "networks[2]");
	json_decref(doc);
	assert_int_equal(vg_org_find_by_name(db, "B", &b, &d), VG_ERR_NOT_FOUND);
	doc = J("{\"name\":\"B\",\"kind\":\"oiv\",\"networks\":[{\"cidr\":\"10.1.2.3/24\"}]}");
	assert_int_equal(vg_org_create(db, doc, &b, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "networks[0].cidr");
	json_decref(doc);
	/* duplicate child in one document */
	doc = J("{\"name\":\"B\",\"kind\":\"oiv\",\"domains\":[\"b.fr\",\"B.FR.\"]}");
	assert_int_equal(vg_org_create(db, doc, &b, &d), VG_ERR_CONFLICT);
	assert_string_equal(d.field, "domains[1]");
	json_decref(doc);
	/* bad enum, unknown key */
	doc = J("{\"name\":\"B\",\"kind\":\"company\"}");
	assert_int_equal(vg_org_create(db, doc, &b, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "kind");
	json_decref(doc);
	doc = J("{\"name\":\"B\",\"kind\":\"oiv\",\"sector\":\"energy\",\"colour\":1}");
	assert_int_equal(vg_org_create(db, doc, &b, &d), VG_ERR_INVALID);
	json_decref(doc);

	doc = J("{\"name\":\"B\",\"kind\":\"oiv\",\"sector\":\"energy\"}");
	assert_int_equal(vg_org_create(db, doc, &b, &d), VG_OK);
	json_decref(doc);
	doc = json_pack("{ss ss sI}", "name", "C", "kind", "oes", "parent_id", (json_int_t)b);
	assert_int_equal(vg_org_create(db, doc, &c, &d), VG_OK);
	json_decref(doc);
	/* cycle: B's parent := C */
	patch = json_pack("{sI}", "parent_id", (json_int_t)c);
	vg_diag_clear(&d);
	assert_int_equal(vg_org_update(db, b, patch, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "parent_id");
	json_decref(patch);
	patch = json_pack("{sI}", "parent_id", (json_int_t)b);
	assert_int_equal(vg_org_update(db, b, patch, &d), VG_ERR_INVALID);
	json_decref(patch);
	patch = J("{\"parent_id\":999999}");
	assert_int_equal(vg_org_update(db, b, patch, &d), VG_ERR_INVALID);
	json_decref(patch);
	patch = J("{\"nis2\":\"important\",\"in_scope\":false}");
	assert_int_equal(vg_org_update(db, b, patch, &d), VG_OK);
	json_decref(patch);
	patch = J("{\"networks\":[]}");
	assert_int_equal(vg_org_update(db, b, patch, &d), VG_ERR_INVALID);
	json_decref(patch);

	/* children */
	doc = J("{\"cidr\":\"198.51.100.0/24\",\"note\":\"dmz\"}");
	assert_int_equal(vg_org_child_add(db, b, VG_CHILD_NETWORK, doc, "", &cid, &d), VG_OK);
	assert_int_equal(vg_org_child_add(db, b, VG_CHILD_NETWORK, doc, "", NULL, &d), VG_ERR_CONFLICT);
	json_decref(doc);
	doc = J("{\"cidr\":\"198.51.100.1/24\"}");
	assert_int_equal(vg_org_child_add(db, b, VG_CHILD_NETWORK, doc, "", NULL, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "cidr");
	json_decref(doc);
	doc = J("\"example.org\"");
	assert_int_equal(vg_org_child_add(db, 424242, VG_CHILD_DOMAIN, doc, "", NULL, &d), VG_ERR_NOT_FOUND);
	json_decref(doc);
	assert_int_equal(vg_org_child_list_json(db, b, VG_CHILD_NETWORK, NULL, 10, &out, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
	json_decref(out);
	assert_int_equal(vg_org_child_delete(db, a, VG_CHILD_NETWORK, cid, &d), VG_ERR_NOT_FOUND);
	assert_int_equal(vg_org_child_delete(db, b, VG_CHILD_NETWORK, cid, &d), VG_OK);

	/* list, filters, paging */
	vg_org_filter f;
	vg_org_filter_init(&f);
	f.limit = 2;
	assert_int_equal(vg_org_list_json(db, &f, &out, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
	assert_true(json_is_string(json_object_get(out, "next_cursor")));
	f.cursor = json_string_value(json_object_get(out, "next_cursor"));
	json_t *page2;
	assert_int_equal(vg_org_list_json(db, &f, &page2, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(page2, "items")), 2);
	assert_true(json_is_null(json_object_get(page2, "next_cursor")));
	json_decref(page2);
	json_decref(out);
	vg_org_filter_init(&f);
	f.q = "MINIST";
	assert_int_equal(vg_org_list_json(db, &f, &out, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
	json_decref(out);
	vg_org_filter_init(&f);
	f.kind = "oes";
	f.parent_id = b;
	assert_int_equal(vg_org_list_json(db, &f, &out, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
	json_decref(out);
	vg_org_filter_init(&f);
	f.scope_org_id = a;
	f.in_scope = 1;
	assert_int_equal(vg_org_list_json(db, &f, &out, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(out, "items")), 1);
	json_decref(out);
	f.cursor = "x1";
	assert_int_equal(vg_org_list_json(db, &f, &out, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "cursor");

	/* delete: child org loses parent */
	assert_int_equal(vg_org_delete(db, b, &d), VG_OK);
	assert_int_equal(vg_org_delete(db, b, &d), VG_ERR_NOT_FOUND);
	assert_int_equal(vg_org_get_json(db, c, false, &out, &d), VG_OK);
	assert_true(json_is_null(json_object_get(out, "parent_id")));
	json_decref(out);
	vg_db_close(db);
}

/* ---------------------------------------------------------------- index */

static void add_org(vg_db *db, const char *json, int64_t *id)
{
	json_t *doc = J(json);
	vg_diag d;
	if (vg_org_create(db, doc, id, &d) != VG_OK)
		fail_msg("create: %s: %s", d.field, d.message);
	json_decref(doc);
}

static size_t lookup_ip(vg_regindex *ix, const char *s, vg_reg_match *m)
{
	vg_ip ip;
	assert_int_equal(vg_ip_parse(s, 0, &ip, NULL), VG_OK);
	return vg_regindex_lookup_ip(ix, &ip, m, VG_LOOKUP_RESULTS_MAX);
}

static void test_index(void **state)
{
	vg_db *db = open_db(), *db2;
	vg_registry *reg;
	vg_regindex *ix, *ix2;
	vg_reg_match m[VG_LOOKUP_RESULTS_MAX];
	char buf[64];
	int64_t isp, a, b, c;
	size_t n;
	vg_diag d;
	(void)state;
	add_org(db, "{\"name\":\"ISP\",\"kind\":\"isp\",\"networks\":[\"10.0.0.0/8\",\"0.0.0.0/0\",\"2001:db8::/32\"],"
		    "\"asns\":[\"AS64500\"],\"domains\":[\"gouv.fr\"]}", &isp);
	add_org(db, "{\"name\":\"A\",\"kind\":\"ministry\",\"networks\":[\"10.1.0.0/16\",\"2001:db8:1::/48\"],"
		    "\"domains\":[\"a.gouv.fr\"],\"contacts\":[{\"email\":\"cert@other.example\"}]}", &a);
	add_org(db, "{\"name\":\"B\",\"kind\":\"oiv\",\"networks\":[\"10.1.0.0/16\",\"10.1.2.128/25\",\"10.1.2.3/32\"],"
		    "\"asns\":[\"AS64500\",\"AS4200000000\"],\"domains\":[\"b.a.gouv.fr\"]}", &b);
	add_org(db, "{\"name\":\"C\",\"kind\":\"oes\",\"networks\":[\"255.255.255.255/32\",\"::/0\"]}", &c);

	assert_int_equal(vg_registry_new(&reg), VG_OK);
	ix = vg_registry_acquire(reg, db);
	assert_non_null(ix);
	/* most specific: 10.1.2.3/32 (B), then /16 (A and B), /8, /0 (ISP) */
	n = lookup_ip(ix, "10.1.2.3", m);
	assert_int_equal(n, 5);
	assert_int_equal(m[0].org_id, b);
	assert_true(m[0].best);
	assert_string_equal(vg_regindex_match_text(ix, &m[0], buf, sizeof buf), "10.1.2.3/32");
	assert_false(m[1].best);
	assert_string_equal(vg_regindex_match_text(ix, &m[1], buf, sizeof buf), "10.1.0.0/16");
	n = lookup_ip(ix, "10.1.2.4", m);
	assert_int_equal(n, 4);
	assert_true(m[0].best && m[1].best);
	assert_true((m[0].org_id == a && m[1].org_id == b) || (m[0].org_id == b && m[1].org_id == a));
	assert_string_equal(vg_regindex_match_text(ix, &m[0], buf, sizeof buf), "10.1.0.0/16");
	assert_false(m[2].best);
	assert_string_equal(vg_regindex_match_text(ix, &m[2], buf, sizeof buf), "10.0.0.0/8");
	assert_string_equal(vg_regindex_match_text(ix, &m[3], buf, sizeof buf), "0.0.0.0/0");
	n = lookup_ip(ix, "10.1.2.200", m);
	assert_string_equal(vg_regindex_match_text(ix, &m[0], buf, sizeof buf), "10.1.2.128/25");
	n = lookup_ip(ix, "10.2.0.1", m);
	assert_int_equal(n, 2);
	assert_int_equal(m[0].org_id, isp);
	n = lookup_ip(ix, "11.0.0.1", m);
	assert_int_equal(n, 1);
	assert_string_equal(vg_regindex_match_text(ix, &m[0], buf, sizeof buf), "0.0.0.0/0");
	n = lookup_ip(ix, "255.255.255.255", m);
	assert_int_equal(m[0].org_id, c);
	assert_int_equal(vg_regindex_lookup_ipv4_best(ix, 0x0A010203u, NULL), b);
	n = lookup_ip(ix, "2001:db8:1::5", m);
	assert_int_equal(n, 3);
	assert_int_equal(m[0].org_id, a);
	assert_int_equal(m[1].org_id, isp);
	assert_int_equal(m[2].org_id, c);
	n = lookup_ip(ix, "2001:db9::1", m);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].org_id, c);
	/* domains: longest suffix first */
	n = vg_regindex_lookup_domain(ix, "www.b.a.gouv.fr", m, VG_LOOKUP_RESULTS_MAX);
	assert_int_equal(n, 3);
	assert_int_equal(m[0].org_id, b);
	assert_true(m[0].best);
	assert_int_equal(m[1].org_id, a);
	assert_false(m[1].best);
	assert_int_equal(m[2].org_id, isp);
	n = vg_regindex_lookup_domain(ix, "xa.gouv.fr", m, VG_LOOKUP_RESULTS_MAX);
	assert_int_equal(n, 1); /* "xa.gouv.fr" is not under "a.gouv.fr" */
	assert_int_equal(m[0].org_id, isp);
	n = vg_regindex_lookup_domain(ix, "example.com", m, VG_LOOKUP_RESULTS_MAX);
	assert_int_equal(n, 0);
	/* e-mail: contact first, then domain */
	n = vg_regindex_lookup_email(ix, "cert@other.example", m, VG_LOOKUP_RESULTS_MAX);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].type, VG_MATCH_EMAIL);
	n = vg_regindex_lookup_email(ix, "x@b.a.gouv.fr", m, VG_LOOKUP_RESULTS_MAX);
	assert_int_equal(n, 3);
	assert_int_equal(m[0].type, VG_MATCH_DOMAIN);
	assert_true(m[0].best);
	/* ASN */
	n = vg_regindex_lookup_asn(ix, 64500, m, VG_LOOKUP_RESULTS_MAX);
	assert_int_equal(n, 2);
	assert_string_equal(vg_regindex_match_text(ix, &m[0], buf, sizeof buf), "AS64500");
	n = vg_regindex_lookup_asn(ix, 4200000000u, m, VG_LOOKUP_RESULTS_MAX);
	assert_int_equal(n, 1);
	assert_int_equal(m[0].org_id, b);
	assert_int_equal(vg_regindex_lookup_asn(ix, 1, m, VG_LOOKUP_RESULTS_MAX), 0);
	assert_string_equal(vg_regindex_org_name(ix, b), "B");
	/* max respected */
	assert_int_equal(lookup_ip(ix, "10.1.2.3", m) > 1, true);
	{
		vg_ip ip;
		vg_ip_parse("10.1.2.3", 0, &ip, NULL);
		assert_int_equal(vg_regindex_lookup_ip(ix, &ip, m, 1), 1);
	}

	/* unchanged: same snapshot */
	ix2 = vg_registry_acquire(reg, db);
	assert_ptr_equal(ix, ix2);
	vg_regindex_release(ix2);

	/* a change through another connection is seen on the next acquire */
	db2 = open_db();
	{
		json_t *item = J("\"10.1.2.0/24\"");
		assert_int_equal(vg_org_child_add(db2, a, VG_CHILD_NETWORK, item, "", NULL, &d), VG_OK);
		json_decref(item);
	}
	vg_db_close(db2);
	ix2 = vg_registry_acquire(reg, db);
	assert_non_null(ix2);
	assert_ptr_not_equal(ix, ix2);
	n = lookup_ip(ix2, "10.1.2.4", m);
	assert_int_equal(m[0].org_id, a);
	assert_string_equal(vg_regindex_match_text(ix2, &m[0], buf, sizeof buf), "10.1.2.0/24");
	/* the old snapshot still answers the old way */
	n = lookup_ip(ix, "10.1.2.4", m);
	assert_string_equal(vg_regindex_match_text(ix, &m[0], buf, sizeof buf), "10.1.0.0/16");
	vg_regindex_release(ix);
	vg_regindex_release(ix2);

	/* inside a transaction with uncommitted changes: private snapshot */
	assert_int_equal(vg_db_begin(db, true, &d), VG_OK);
	{
		json_t *item = J("\"192.0.2.0/24\"");
		assert_int_equal(vg_org_child_add(db, c, VG_CHILD_NETWORK, item, "", NULL, &d), VG_OK);
		json_decref(item);
	}
	ix = vg_registry_acquire(reg, db);
	n = lookup_ip(ix, "192.0.2.1", m);
	assert_int_equal(m[0].org_id, c);
	vg_regindex_release(ix);
	vg_db_rollback(db);
	ix = vg_registry_acquire(reg, db);
	n = lookup_ip(ix, "192.0.2.1", m);
	assert_string_equal(vg_regindex_match_text(ix, &m[0], buf, sizeof buf), "0.0.0.0/0");
	vg_regindex_stats st;
	vg_regindex_stats_get(ix, &st);
	assert_int_equal(st.orgs, 4);
	vg_regindex_release(ix);
	vg_registry_free(reg);
	vg_db_close(db);
}

/* ---------------------------------------------------------------- import / export */

static const char *CSV1 =
	"org_name,kind,sector,nis2,in_scope,parent,type,value,extra\n"
	"Ministère X,ministry,public_administration,essential,true,,org,MX,\"{\"\"country\"\":\"\"FR\"\",\"\"notes\"\":\"\"a, b\"\"}\"\n"
	"Ministère X,,,,,,network,192.0.2.0/24,DMZ\n"
	"Ministère X,,,,,,asn,AS64500,\n"
	"Ministère X,,,,,,domain,x.gouv.fr,\n"
	"Ministère X,,,,,,contact,soc@x.gouv.fr,\"{\"\"name\"\":\"\"SOC\"\",\"\"pgp_fingerprint\"\":\"\"0123456789abcdef0123456789abcdef01234567\"\"}\"\n"
	"Ministère X,,,,,,product,cpe:2.3:o:microsoft:windows_10:-:*:*:*:*:*:*:*,\n"
	"Service Y,public_body,,,,Ministère X,network,2001:db8:5::/48,\n"
	"Service Y,,,,,,network,198.51.100.7/24,\n"
	"Service Y,,,,,,kind,x,\n"
	"Unknown Z,,,,,,domain,z.fr,\n"
	"Service Y,,,,,,domain,not a domain,\n";

static int64_t registry_gen(vg_db *db)
{
	vg_stmt *st;
	int64_t g = -1;
	vg_diag d;
	assert_int_equal(vg_db_prepare(db, "SELECT value FROM meta WHERE key = 'registry_gen'", &st, &d), VG_OK);
	if (vg_stmt_step(st, &d) == VG_ROW)
		g = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	return g;
}

static bool has_error(const vg_import_report *r, unsigned line, const char *field)
{
	for (size_t i = 0; i < r->nerrors; i++)
		if (r->errors[i].line == line && strcmp(r->errors[i].field, field) == 0)
			return true;
	return false;
}

static void progress(void *ctx, size_t done, size_t total)
{
	size_t *calls = ctx;
	assert_true(done <= total);
	(*calls)++;
}

static void test_import_csv(void **state)
{
	vg_db *db = open_db();
	vg_import_report r;
	vg_import_options o = {.format = VG_REG_FMT_AUTO};
	size_t calls = 0;
	int64_t g1, id;
	vg_diag d;
	json_t *doc;
	(void)state;
	o.progress = progress;
	o.progress_ctx = &calls;
	assert_int_equal(vg_registry_import(db, CSV1, strlen(CSV1), &o, &r, &d), VG_OK);
	assert_true(calls > 0);
	assert_true(r.committed);
	assert_int_equal(r.records, 11);
	assert_int_equal(r.orgs_created, 2);
	assert_int_equal(r.children_added, 6);
	assert_int_equal(r.errors_total, 4);
	assert_true(has_error(&r, 9, "value"));       /* host bits set */
	assert_true(has_error(&r, 10, "type"));       /* unknown type */
	assert_true(has_error(&r, 11, "org_name"));   /* unknown organisation without kind */
	assert_true(has_error(&r, 12, "value"));      /* bad domain */
	vg_import_report_fini(&r);
	assert_int_equal(vg_org_find_by_name(db, "service y", &id, &d), VG_OK);
	assert_int_equal(vg_org_get_json(db, id, true, &doc, &d), VG_OK);
	assert_true(json_integer_value(json_object_get(doc, "parent_id")) > 0);
	json_decref(doc);

	/* second run: nothing changes */
	g1 = registry_gen(db);
	assert_int_equal(vg_registry_import(db, CSV1, strlen(CSV1), &o, &r, &d), VG_OK);
	assert_int_equal(r.orgs_created, 0);
	assert_int_equal(r.orgs_updated, 0);
	assert_int_equal(r.orgs_unchanged, 2);
	assert_int_equal(r.children_added, 0);
	assert_int_equal(r.children_existing, 6);
	vg_import_report_fini(&r);
	assert_int_equal(registry_gen(db), g1);

	/* strict: nothing written */
	const char *csv2 = "org_name,kind,sector,nis2,in_scope,parent,type,value,extra\n"
			   "New Org,oiv,energy,,true,,org,,\n"
			   "New Org,,,,,,network,300.0.0.0/8,\n";
	o.strict = true;
	assert_int_equal(vg_registry_import(db, csv2, strlen(csv2), &o, &r, &d), VG_ERR_INVALID);
	assert_int_equal(d.line, 3);
	assert_false(r.committed);
	vg_import_report_fini(&r);
	assert_int_equal(vg_org_find_by_name(db, "New Org", &id, &d), VG_ERR_NOT_FOUND);
	/* dry run: reports, writes nothing */
	o.strict = false;
	o.dry_run = true;
	assert_int_equal(vg_registry_import(db, csv2, strlen(csv2), &o, &r, &d), VG_OK);
	assert_int_equal(r.orgs_created, 1);
	assert_false(r.committed);
	vg_import_report_fini(&r);
	assert_int_equal(vg_org_find_by_name(db, "New Org", &id, &d), VG_ERR_NOT_FOUND);
	/* bad header */
	o.dry_run = false;
	assert_int_equal(vg_registry_import(db, "name,kind\nx,y\n", 14, &o, &r, &d), VG_ERR_INVALID);
	assert_int_equal(d.line, 1);
	vg_import_report_fini(&r);
	/* unterminated quote */
	const char *csv3 = "org_name,kind,sector,nis2,in_scope,parent,type,value,extra\nA,\"oiv\n";
	assert_int_equal(vg_registry_import(db, csv3, strlen(csv3), &o, &r, &d), VG_OK);
	assert_int_equal(r.errors_total, 1);
	assert_int_equal(r.errors[0].line, 2);
	vg_import_report_fini(&r);
	vg_db_close(db);
}

static void test_import_json(void **state)
{
	vg_db *db = open_db();
	vg_import_report r;
	vg_import_options o = {.format = VG_REG_FMT_JSON};
	vg_diag d;
	int64_t id;
	(void)state;
	const char *js = "{\"organisations\": [\n"
			 "  {\"name\": \"P\", \"kind\": \"ministry\"},\n"
			 "  {\"name\": \"Q\", \"kind\": \"oiv\", \"parent\": \"P\",\n"
			 "   \"networks\": [\"10.0.0.0/8\", \"10.0.0.1/8\"], \"domains\": [\"q.fr\"]},\n"
			 "  {\"name\": \"R\", \"kind\": \"bogus\"},\n"
			 "  {\"name\": \"S\", \"kind\": \"oes\", \"parent\": \"Nope\"}\n"
			 "]}\n";
	assert_int_equal(vg_registry_import(db, js, strlen(js), &o, &r, &d), VG_OK);
	assert_int_equal(r.records, 4);
	assert_int_equal(r.orgs_created, 3);
	assert_int_equal(r.children_added, 2);
	assert_int_equal(r.errors_total, 3);
	assert_int_equal(r.errors[0].index, 2); /* pass 1: R's kind */
	assert_int_equal(r.errors[0].line, 5);
	assert_string_equal(r.errors[0].field, "kind");
	assert_true(has_error(&r, 3, "networks[1]"));
	assert_true(has_error(&r, 6, "parent"));
	vg_import_report_fini(&r);
	assert_int_equal(vg_org_find_by_name(db, "s", &id, &d), VG_OK);
	/* malformed JSON */
	assert_int_equal(vg_registry_import(db, "[{\"name\":", 9, &o, &r, &d), VG_ERR_INVALID);
	vg_import_report_fini(&r);
	/* parent cycle through import */
	const char *cyc = "[{\"name\":\"P\",\"kind\":\"ministry\",\"parent\":\"Q\"}]";
	assert_int_equal(vg_registry_import(db, cyc, strlen(cyc), &o, &r, &d), VG_OK);
	assert_int_equal(r.errors_total, 1);
	assert_string_equal(r.errors[0].field, "parent");
	vg_import_report_fini(&r);
	vg_db_close(db);
}

static void test_roundtrip(void **state)
{
	vg_db *db = open_db();
	vg_import_report r;
	vg_import_options o = {0};
	vg_buf j1, c1, j2;
	vg_diag d;
	int64_t id;
	(void)state;
	add_org(db, ORG_A, &id);
	add_org(db, "{\"name\":\"Child, \\\"quoted\\\"\",\"kind\":\"oes\",\"in_scope\":false,\"notes\":\"line1\\nline2\","
		    "\"networks\":[{\"cidr\":\"192.0.2.0/24\",\"note\":\"a,b \\\"c\\\"\"}]}", &id);
	{
		json_t *p = J("{\"parent\":1}");
		json_decref(p);
		p = J("{\"parent_id\":1}");
		assert_int_equal(vg_org_update(db, id, p, &d), VG_OK);
		json_decref(p);
	}
	vg_buf_init(&j1, 0);
	vg_buf_init(&c1, 0);
	vg_buf_init(&j2, 0);
	assert_int_equal(vg_registry_export(db, VG_REG_FMT_JSON, 0, &j1, &d), VG_OK);
	assert_int_equal(vg_registry_export(db, VG_REG_FMT_CSV, 0, &c1, &d), VG_OK);
	vg_db_close(db);

	/* CSV → fresh DB → JSON export must equal the original JSON export */
	unlink(path);
	db = open_db();
	assert_int_equal(vg_registry_import(db, c1.data, c1.len, &o, &r, &d), VG_OK);
	if (r.errors_total)
		fail_msg("line %u %s: %s", r.errors[0].line, r.errors[0].field, r.errors[0].message);
	vg_import_report_fini(&r);
	assert_int_equal(vg_registry_export(db, VG_REG_FMT_JSON, 0, &j2, &d), VG_OK);
	assert_string_equal(vg_buf_cstr(&j1), vg_buf_cstr(&j2));
	/* re-importing the JSON export: no change */
	assert_int_equal(vg_registry_import(db, j1.data, j1.len, &o, &r, &d), VG_OK);
	assert_int_equal(r.errors_total, 0);
	assert_int_equal(r.orgs_unchanged, 2);
	assert_int_equal(r.children_added, 0);
	vg_import_report_fini(&r);
	/* scoped export hides the parent */
	vg_buf_reset(&j2);
	assert_int_equal(vg_org_find_by_name(db, "Child, \"quoted\"", &id, &d), VG_OK);
	assert_int_equal(vg_registry_export(db, VG_REG_FMT_JSON, id, &j2, &d), VG_OK);
	assert_null(strstr(vg_buf_cstr(&j2), "parent"));
	assert_null(strstr(vg_buf_cstr(&j2), "Minist"));
	vg_buf_fini(&j1);
	vg_buf_fini(&c1);
	vg_buf_fini(&j2);
	vg_db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain),
		cmocka_unit_test(test_email_asn_pgp),
		cmocka_unit_test(test_cpe_vectors),
		cmocka_unit_test_setup_teardown(test_crud, setup, teardown),
		cmocka_unit_test_setup_teardown(test_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
