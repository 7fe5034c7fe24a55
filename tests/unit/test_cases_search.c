/* Unit tests for the incident search: FTS5 accent-insensitive matching over
 * titles, descriptions, journals and report bodies, query sanitising,
 * constituent scoping (own organisation, visible entries only), filters and
 * cursor pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/cases.h"
#include "core/clock.h"
#include "core/json.h"
#include "registry/registry.h"

static char dir[64];
static char path[128];
static vg_db *db;
static int64_t org_a, org_b, inc_a, inc_b, inc_c;

static json_t *J(const char *s)
{
	json_error_t err;
	json_t *j = json_loads(s, 0, &err);
	if (!j)
		fail_msg("bad test JSON: %s (%s)", s, err.text);
	return j;
}

static int64_t mk(const char *fmt, int64_t org)
{
	char buf[512];
	int64_t id = 0;
	vg_diag d;
	json_t *j;
	snprintf(buf, sizeof buf, fmt, (long long)org);
	j = J(buf);
	if (vg_incident_create(db, j, NULL, &id, &d))
		fail_msg("create: %s", d.message);
	json_decref(j);
	return id;
}

static int setup(void **state)
{
	vg_db_options o = {.busy_timeout_ms = 2000};
	vg_diag d;
	json_t *j;
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vg-search-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	if (vg_db_open(path, &o, &db, &d))
		return -1;
	j = J("{\"name\":\"Préfecture A\",\"kind\":\"local_authority\"}");
	vg_org_create(db, j, &org_a, &d);
	json_decref(j);
	j = J("{\"name\":\"Hôpital B\",\"kind\":\"oes\",\"sector\":\"health\",\"nis2\":\"essential\"}");
	vg_org_create(db, j, &org_b, &d);
	json_decref(j);
	vg_time_set_fake(1772445600000LL);
	inc_a = mk("{\"title\":\"Défiguration du site de la préfecture\",\"org_id\":%lld,\"type\":\"unauthorised-information-modification\"}", org_a);
	vg_time_set_fake(1772445600000LL + 1000);
	inc_b = mk("{\"title\":\"Rançongiciel à l'hôpital\",\"org_id\":%lld,\"type\":\"infected-system\",\"severity\":\"critical\","
		   "\"description\":\"Les serveurs de fichiers sont chiffrés.\"}", org_b);
	vg_time_set_fake(1772445600000LL + 2000);
	inc_c = mk("{\"title\":\"Hameçonnage ciblé\",\"org_id\":%lld,\"type\":\"phishing\",\"tlp\":\"green\"}", org_a);
	vg_incident_journal_add(db, inc_a, "note", false, 0, "Webshell trouvé dans /uploads (interne)", NULL, NULL, &d);
	vg_incident_journal_add(db, inc_a, "advice", true, 0, "Restaurez le site depuis une sauvegarde saine", NULL, NULL, &d);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];
	(void)state;
	vg_db_close(db);
	vg_time_set_fake(0);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

/* Ids of the incidents a filter returns, newest first, as "3,1". */
static const char *ids(vg_incident_filter *f, char *buf, size_t n)
{
	json_t *out = NULL, *it;
	vg_diag d;
	size_t i, off = 0;
	buf[0] = '\0';
	if (vg_incident_list_json(db, f, &out, &d))
		fail_msg("list: %s (%s)", d.message, d.field);
	json_array_foreach(json_object_get(out, "items"), i, it)
		off += (size_t)snprintf(buf + off, n - off, "%s%lld", i ? "," : "",
					(long long)json_integer_value(json_object_get(it, "id")));
	json_decref(out);
	return buf;
}

static void expect(vg_incident_filter *f, int64_t a, int64_t b)
{
	char got[256], want[64];
	if (b)
		snprintf(want, sizeof want, "%lld,%lld", (long long)a, (long long)b);
	else if (a)
		snprintf(want, sizeof want, "%lld", (long long)a);
	else
		want[0] = '\0';
	assert_string_equal(ids(f, got, sizeof got), want);
}

static void test_accents(void **state)
{
	vg_incident_filter f;
	(void)state;
	vg_incident_filter_init(&f);
	f.q = "rancongiciel";
	expect(&f, inc_b, 0);
	f.q = "RANÇONGICIEL hopital";
	expect(&f, inc_b, 0);
	f.q = "chiffres"; /* description */
	expect(&f, inc_b, 0);
	f.q = "prefecture";
	expect(&f, inc_a, 0);
	f.q = "hameconnage";
	expect(&f, inc_c, 0);
	f.q = "webshell"; /* internal journal entry: staff */
	expect(&f, inc_a, 0);
	f.q = "sauvegarde";
	expect(&f, inc_a, 0);
	f.q = "nothing-like-this";
	expect(&f, 0, 0);
}

static void test_query_is_sanitised(void **state)
{
	vg_incident_filter f;
	json_t *out = NULL;
	vg_diag d;
	static const char *const odd[] = {"\"", "title:x", "a OR", "NEAR(a b)", "x*", "-y", "( ) ^ :", "c'est"};
	(void)state;
	vg_incident_filter_init(&f);
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		f.q = odd[i];
		vg_err e = vg_incident_list_json(db, &f, &out, &d);
		if (e == VG_OK)
			json_decref(out);
		else
			assert_int_equal(e, VG_ERR_INVALID); /* only "empty query" */
	}
	char big[VG_SEARCH_QUERY_MAX + 10];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	f.q = big;
	assert_int_equal(vg_incident_list_json(db, &f, &out, &d), VG_ERR_LIMIT);
	f.q = "a b c d e f g h i j k l m n o p q";
	assert_int_equal(vg_incident_list_json(db, &f, &out, &d), VG_ERR_LIMIT);
}

static void test_scope(void **state)
{
	vg_incident_filter f;
	(void)state;
	vg_incident_filter_init(&f);
	f.scope_org_id = org_a;
	expect(&f, inc_c, inc_a);
	f.q = "rancongiciel";
	expect(&f, 0, 0);
	f.q = "webshell"; /* internal entry: not for the constituent */
	expect(&f, 0, 0);
	f.q = "sauvegarde"; /* visible advice */
	expect(&f, inc_a, 0);
	f.q = NULL;
	f.scope_org_id = -1; /* an actor with no organisation */
	expect(&f, 0, 0);
	/* raw search */
	json_t *out = NULL;
	vg_diag d;
	assert_int_equal(vg_search_json(db, "hopital", NULL, org_a, 10, &out, &d), VG_OK);
	assert_int_equal(json_array_size(out), 0);
	json_decref(out);
	assert_int_equal(vg_search_json(db, "hopital", NULL, 0, 10, &out, &d), VG_OK);
	assert_int_equal(json_array_size(out), 1);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(out, 0), "snippet")), "[h"));
	json_decref(out);
}

static void test_filters_and_pages(void **state)
{
	vg_incident_filter f;
	json_t *out = NULL;
	vg_diag d;
	char buf[64];
	(void)state;
	vg_incident_filter_init(&f);
	f.severity = "critical";
	expect(&f, inc_b, 0);
	vg_incident_filter_init(&f);
	f.org_kind = "local_authority";
	expect(&f, inc_c, inc_a);
	vg_incident_filter_init(&f);
	f.org_sector = "health";
	expect(&f, inc_b, 0);
	vg_incident_filter_init(&f);
	f.type = "phishing";
	expect(&f, inc_c, 0);
	vg_incident_filter_init(&f);
	f.taxonomy = "malicious-code";
	expect(&f, inc_b, 0);
	vg_incident_filter_init(&f);
	f.tlp = "green";
	expect(&f, inc_c, 0);
	vg_incident_filter_init(&f);
	f.assignee_id = -1;
	f.status = "open";
	f.org_id = org_b;
	expect(&f, inc_b, 0);
	vg_incident_filter_init(&f);
	f.created_from = 1772445600000LL + 1000;
	f.created_to = 1772445600000LL + 2000;
	expect(&f, inc_b, 0);
	/* pages */
	vg_incident_filter_init(&f);
	f.limit = 2;
	assert_int_equal(vg_incident_list_json(db, &f, &out, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(out, "items")), 2);
	snprintf(buf, sizeof buf, "%s", json_string_value(json_object_get(out, "next_cursor")));
	json_decref(out);
	f.cursor = buf;
	expect(&f, inc_a, 0);
	f.cursor = "x1";
	assert_int_equal(vg_incident_list_json(db, &f, &out, &d), VG_ERR_INVALID);
}

static void test_assignee_filter(void **state)
{
	vg_incident_filter f;
	vg_diag d;
	char sql[256];
	json_t *j;
	(void)state;
	/* two CERT users; inc_c assigned to the first, inc_a to the second */
	snprintf(sql, sizeof sql,
		 "INSERT INTO users(id, org_id, username, role, password_hash, created_at, updated_at) VALUES"
		 " (41, %lld, 'ana', 'analyst', 'x', 0, 0), (42, %lld, 'bob', 'admin', 'x', 0, 0)",
		 (long long)org_a, (long long)org_a);
	assert_int_equal(vg_db_exec(db, sql, &d), VG_OK);
	j = J("{\"assignee_id\":41}");
	assert_int_equal(vg_incident_update(db, inc_c, j, NULL, &d), VG_OK);
	json_decref(j);
	j = J("{\"assignee_id\":42}");
	assert_int_equal(vg_incident_update(db, inc_a, j, NULL, &d), VG_OK);
	json_decref(j);
	vg_incident_filter_init(&f);
	f.assignee_id = 41;
	expect(&f, inc_c, 0);
	f.assignee_id = 42;
	expect(&f, inc_a, 0);
	f.assignee_id = -1; /* unassigned */
	expect(&f, inc_b, 0);
	f.assignee_id = 43; /* nobody's */
	expect(&f, 0, 0);
	/* combined with another filter */
	vg_incident_filter_init(&f);
	f.assignee_id = 41;
	f.tlp = "green";
	expect(&f, inc_c, 0);
	f.tlp = "red";
	expect(&f, 0, 0);
	/* unassigning takes it out of the filter */
	j = J("{\"assignee_id\":null}");
	assert_int_equal(vg_incident_update(db, inc_c, j, NULL, &d), VG_OK);
	json_decref(j);
	vg_incident_filter_init(&f);
	f.assignee_id = 41;
	expect(&f, 0, 0);
	f.assignee_id = -1;
	expect(&f, inc_c, inc_b);
	/* the shared incidents as the next tests expect them: unassigned */
	j = J("{\"assignee_id\":null}");
	assert_int_equal(vg_incident_update(db, inc_a, j, NULL, &d), VG_OK);
	json_decref(j);
}

static void test_reports_indexed(void **state)
{
	vg_incident_filter f;
	json_t *out = NULL;
	vg_diag d;
	(void)state;
	/* the intake indexes a report body; once merged into an incident it is found through it */
	assert_int_equal(vg_search_index(db, "report", 77, org_b, "Signalement", "Courriel reçu: fenêtre d'exfiltration", &d), VG_OK);
	assert_int_equal(vg_search_json(db, "fenetre", "report", 0, 10, &out, &d), VG_OK);
	assert_int_equal(json_array_size(out), 1);
	json_decref(out);
	vg_incident_filter_init(&f);
	f.q = "exfiltration";
	expect(&f, 0, 0);
	assert_int_equal(vg_search_index_doc(db, "report", 77, org_b, inc_b, true, "Signalement", "Courriel reçu: fenêtre d'exfiltration", &d), VG_OK);
	expect(&f, inc_b, 0);
	assert_int_equal(vg_search_unindex(db, "report", 77, &d), VG_OK);
	expect(&f, 0, 0);
	/* a title change is re-indexed */
	json_t *j = J("{\"title\":\"Exfiltration confirmée\"}");
	assert_int_equal(vg_incident_update(db, inc_c, j, NULL, &d), VG_OK);
	json_decref(j);
	expect(&f, inc_c, 0);
	f.q = "hameconnage";
	expect(&f, 0, 0);
}

static void test_q_pages(void **state)
{
	vg_incident_filter f;
	char cursor[32] = "";
	bool seen_b = false, seen_c = false;
	vg_diag d;
	int pages = 0;
	(void)state;
	for (int i = 0; i < 3; i++)
		assert_int_equal(vg_incident_journal_add(db, inc_b, "note", false, 0, "zanzibar lead", NULL, NULL, &d), VG_OK);
	assert_int_equal(vg_incident_journal_add(db, inc_c, "note", false, 0, "zanzibar too", NULL, NULL, &d), VG_OK);
	vg_incident_filter_init(&f);
	f.q = "zanzibar";
	f.limit = 1;
	for (;;) {
		json_t *out = NULL, *items, *next;
		f.cursor = cursor[0] ? cursor : NULL;
		assert_int_equal(vg_incident_list_json(db, &f, &out, &d), VG_OK);
		items = json_object_get(out, "items");
		assert_true(json_array_size(items) <= 1);
		for (size_t i = 0; i < json_array_size(items); i++) {
			int64_t id = json_integer_value(json_object_get(json_array_get(items, i), "id"));
			seen_b |= id == inc_b;
			seen_c |= id == inc_c;
		}
		next = json_object_get(out, "next_cursor");
		pages++;
		if (!json_is_string(next)) {
			json_decref(out);
			break;
		}
		snprintf(cursor, sizeof cursor, "%s", json_string_value(next));
		json_decref(out);
		assert_true(pages < 10);
	}
	assert_true(seen_b && seen_c);
	f.limit = 10;
	f.cursor = NULL;
	expect(&f, inc_c, inc_b); /* newest matching document first, each incident once */
}

static void test_rescope(void **state)
{
	vg_incident_filter f;
	json_t *out = NULL, *j;
	int64_t entry = 0;
	vg_diag d;
	(void)state;
	vg_incident_filter_init(&f);
	f.scope_org_id = org_a;
	f.q = "webshell";
	expect(&f, 0, 0);
	/* making the internal entry visible makes it searchable by the constituent */
	assert_int_equal(vg_incident_journal_list(db, inc_a, false, 0, 10, &out, &d), VG_OK);
	for (size_t i = 0; i < json_array_size(json_object_get(out, "items")); i++) {
		j = json_array_get(json_object_get(out, "items"), i);
		if (strstr(json_string_value(json_object_get(j, "body")), "Webshell"))
			entry = json_integer_value(json_object_get(j, "id"));
	}
	json_decref(out);
	assert_true(entry > 0);
	assert_int_equal(vg_incident_journal_set_visible(db, inc_a, entry, true, &d), VG_OK);
	expect(&f, inc_a, 0);
	/* re-attributed to B: A's constituent loses it, B's gains it */
	char buf[64];
	snprintf(buf, sizeof buf, "{\"org_id\":%lld}", (long long)org_b);
	j = J(buf);
	assert_int_equal(vg_incident_update(db, inc_a, j, NULL, &d), VG_OK);
	json_decref(j);
	expect(&f, 0, 0);
	f.q = "sauvegarde";
	expect(&f, 0, 0);
	f.scope_org_id = org_b;
	expect(&f, inc_a, 0);
	f.q = "prefecture"; /* the incident document itself */
	expect(&f, inc_a, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accents),
		cmocka_unit_test(test_query_is_sanitised),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_filters_and_pages),
		cmocka_unit_test(test_assignee_filter),
		cmocka_unit_test(test_reports_indexed),
		cmocka_unit_test(test_q_pages),
		cmocka_unit_test(test_rescope),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
