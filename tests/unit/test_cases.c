/* Unit tests for src/cases: vocabularies, lifecycle table, RSIT validation,
 * references, clocks with a fake clock (pause under "waiting"), journal
 * visibility, playbooks, merge and links, export, attachments with YARA. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases/cases.h"
#include "core/clock.h"
#include "core/json.h"
#include "registry/registry.h"

#define H (3600LL * 1000)
/* 2026-03-02T10:00:00Z */
#define T0 1772445600000LL

static char dir[64];
static char path[128];

static int setup(void **state)
{
	vg_cases_config c;
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vg-cases-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	vg_cases_config_defaults(&c);
	snprintf(c.data_dir, sizeof c.data_dir, "%s/data", dir);
	vg_cases_configure(&c);
	vg_time_set_fake(T0);
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

static vg_db *open_db(void)
{
	vg_db *db = NULL;
	vg_db_options o = {.busy_timeout_ms = 2000};
	vg_diag d;
	if (vg_db_open(path, &o, &db, &d) != VG_OK)
		fail_msg("open: %s", d.message);
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

static int64_t mk_org(vg_db *db, const char *name, const char *nis2)
{
	char buf[256];
	int64_t id = 0;
	vg_diag d;
	json_t *j;
	snprintf(buf, sizeof buf, "{\"name\":\"%s\",\"kind\":\"oes\",\"sector\":\"energy\",\"nis2\":\"%s\"}", name, nis2);
	j = J(buf);
	if (vg_org_create(db, j, &id, &d))
		fail_msg("org: %s", d.message);
	json_decref(j);
	return id;
}

static int64_t mk_inc(vg_db *db, const char *doc)
{
	int64_t id = 0;
	vg_diag d;
	json_t *j = J(doc);
	if (vg_incident_create(db, j, NULL, &id, &d))
		fail_msg("create: %s (%s)", d.message, d.field);
	json_decref(j);
	return id;
}

/* ------------------------------------------------------------ vocabularies */

static void test_lifecycle_table(void **state)
{
	(void)state;
	assert_true(vg_inc_transition_allowed(VG_INC_NEW, VG_INC_TRIAGE));
	assert_true(vg_inc_transition_allowed(VG_INC_TRIAGE, VG_INC_ANALYSIS));
	assert_true(vg_inc_transition_allowed(VG_INC_ANALYSIS, VG_INC_CONTAINMENT));
	assert_true(vg_inc_transition_allowed(VG_INC_CONTAINMENT, VG_INC_ERADICATION));
	assert_true(vg_inc_transition_allowed(VG_INC_ERADICATION, VG_INC_RECOVERY));
	assert_true(vg_inc_transition_allowed(VG_INC_RECOVERY, VG_INC_CLOSED));
	assert_true(vg_inc_transition_allowed(VG_INC_CLOSED, VG_INC_ANALYSIS)); /* reopen */
	for (int s = 0; s < VG_INC__COUNT; s++) {
		if (s != VG_INC_WAITING && s != VG_INC_CLOSED)
			assert_true(vg_inc_transition_allowed(s, VG_INC_WAITING));
		assert_false(vg_inc_transition_allowed(s, s));
		assert_false(vg_inc_transition_allowed(s, VG_INC_NEW));
	}
	assert_false(vg_inc_transition_allowed(VG_INC_NEW, VG_INC_RECOVERY));
	assert_false(vg_inc_transition_allowed(VG_INC_CLOSED, VG_INC_RECOVERY));
	assert_false(vg_inc_transition_allowed(VG_INC_CLOSED, VG_INC_WAITING));
	assert_true(vg_inc_transition_allowed(VG_INC_WAITING, VG_INC_RECOVERY));
	assert_int_equal(vg_inc_status_parse("containment"), VG_INC_CONTAINMENT);
	assert_int_equal(vg_inc_status_parse("open"), -1);
}

static void test_rsit(void **state)
{
	const char *tax, *type;
	vg_diag d;
	json_t *t;
	size_t rsit = 0;
	(void)state;
	assert_int_equal(vg_rsit_check("fraud", "phishing", &tax, &type, &d), VG_OK);
	assert_string_equal(type, "phishing");
	assert_int_equal(vg_rsit_check(NULL, "ddos", &tax, &type, &d), VG_OK);
	assert_string_equal(tax, "availability");
	/* legacy spellings */
	assert_int_equal(vg_rsit_check("malicious code", "c&c", &tax, &type, &d), VG_OK);
	assert_string_equal(tax, "malicious-code");
	assert_string_equal(type, "c2-server");
	assert_int_equal(vg_rsit_check(NULL, "unauthorized-use-of-resources", &tax, &type, &d), VG_OK);
	assert_string_equal(type, "unauthorised-use-of-resources");
	/* IntelMQ's extra types map to taxonomy "other" */
	static const char *const extra[] = {"blacklist", "dga-domain", "malware", "proxy", "tor"};
	for (int i = 0; i < 5; i++) {
		assert_int_equal(vg_rsit_check(NULL, extra[i], &tax, &type, &d), VG_OK);
		assert_string_equal(tax, "other");
	}
	/* mismatch, unknown */
	assert_int_equal(vg_rsit_check("fraud", "ddos", &tax, &type, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "type");
	assert_int_equal(vg_rsit_check("nope", "ddos", &tax, &type, &d), VG_ERR_INVALID);
	assert_int_equal(vg_rsit_check(NULL, "nope", &tax, &type, &d), VG_ERR_INVALID);
	/* taxonomy only: undetermined under it */
	assert_int_equal(vg_rsit_check("intrusions", NULL, &tax, &type, &d), VG_OK);
	assert_string_equal(tax, "intrusions");
	assert_string_equal(type, "undetermined");
	/* the table: 39 RSIT types (11 taxonomies incl. test/other) + 5 IntelMQ */
	t = vg_rsit_table_json();
	assert_int_equal(json_array_size(t), 44);
	for (size_t i = 0; i < json_array_size(t); i++)
		rsit += json_is_true(json_object_get(json_array_get(t, i), "in_rsit"));
	assert_int_equal(rsit, 39);
	json_decref(t);
}

static void test_tlp_sla(void **state)
{
	int64_t ms[4] = {0, 0, 0, 0};
	vg_diag d;
	(void)state;
	assert_int_equal(vg_tlp_parse("TLP:AMBER+STRICT"), VG_TLP_AMBER_STRICT);
	assert_int_equal(vg_tlp_parse("red"), VG_TLP_RED);
	assert_int_equal(vg_tlp_parse("white"), VG_TLP_CLEAR);
	assert_int_equal(vg_tlp_parse("amber+"), -1);
	assert_int_equal(vg_cases_parse_sla("critical:1h, high:4h,low:3d", ms, &d), VG_OK);
	assert_int_equal(ms[3], H);
	assert_int_equal(ms[2], 4 * H);
	assert_int_equal(ms[0], 72 * H);
	assert_int_equal(ms[1], 0);
	assert_int_equal(vg_cases_parse_sla("urgent:1h", ms, &d), VG_ERR_INVALID);
	assert_int_equal(vg_cases_parse_sla("high:soon", ms, &d), VG_ERR_INVALID);
	assert_int_equal(vg_cases_parse_sla("high", ms, &d), VG_ERR_INVALID);
}

static void test_refs(void **state)
{
	vg_db *db = open_db();
	char ref[VG_REF_MAX];
	vg_diag d;
	(void)state;
	assert_int_equal(vg_ref_next(db, "test", 2026, ref, &d), VG_OK);
	assert_string_equal(ref, "VIGIE-2026-000001");
	assert_int_equal(vg_ref_next(db, "test", 2026, ref, &d), VG_OK);
	assert_string_equal(ref, "VIGIE-2026-000002");
	assert_int_equal(vg_ref_next(db, "test", 2027, ref, &d), VG_OK);
	assert_string_equal(ref, "VIGIE-2027-000001");
	assert_int_equal(vg_ref_next(db, "", 2026, ref, &d), VG_ERR_INVALID);
	vg_db_close(db);
}

/* --------------------------------------------------------------- incidents */

static void test_create_validate(void **state)
{
	vg_db *db = open_db();
	int64_t org = mk_org(db, "Ministry A", ""), id, got = 0;
	json_t *j, *o = NULL;
	vg_diag d;
	char buf[512];
	(void)state;
	snprintf(buf, sizeof buf,
		 "{\"title\":\"Phishing wave\",\"org_id\":%lld,\"type\":\"phishing\",\"severity\":\"high\","
		 "\"tlp\":\"TLP:GREEN\",\"impact\":{\"confidentiality\":\"high\",\"users_affected\":40},"
		 "\"description\":\"**bold** <script>alert(1)</script> [x](javascript:alert(1))\"}",
		 (long long)org);
	id = mk_inc(db, buf);
	assert_int_equal(vg_incident_org(db, id, &got, &d), VG_OK);
	assert_int_equal(got, org);
	assert_int_equal(vg_incident_get_json(db, id, false, true, &o, &d), VG_OK);
	assert_string_equal(json_string_value(json_object_get(o, "taxonomy")), "fraud");
	assert_string_equal(json_string_value(json_object_get(o, "tlp")), "green");
	assert_string_equal(json_string_value(json_object_get(o, "status")), "new");
	assert_non_null(strstr(json_string_value(json_object_get(o, "reference")), "VIGIE-2026-"));
	const char *html = json_string_value(json_object_get(o, "description_html"));
	assert_non_null(strstr(html, "<strong>bold</strong>"));
	assert_null(strstr(html, "<script>"));
	assert_null(strstr(html, "javascript:"));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "impact"), "users_affected")), 40);
	assert_int_equal(json_array_size(json_object_get(o, "journal")), 1);
	assert_string_equal(json_string_value(json_object_get(o, "pap")), "amber"); /* the default */
	json_decref(o);
	/* PAP: each value of the scale is stored and returned as given */
	static const char *const paps[] = {"clear", "green", "amber", "red"};
	for (size_t i = 0; i < 4; i++) {
		snprintf(buf, sizeof buf, "{\"title\":\"PAP %s\",\"pap\":\"%s\"}", paps[i], paps[i]);
		got = mk_inc(db, buf);
		assert_int_equal(vg_incident_get_json(db, got, false, false, &o, &d), VG_OK);
		assert_string_equal(json_string_value(json_object_get(o, "pap")), paps[i]);
		json_decref(o);
	}
	j = J("{\"pap\":\"green\"}");
	assert_int_equal(vg_incident_update(db, got, j, NULL, &d), VG_OK);
	json_decref(j);
	assert_int_equal(vg_incident_get_json(db, got, false, false, &o, &d), VG_OK);
	assert_string_equal(json_string_value(json_object_get(o, "pap")), "green");
	json_decref(o);
	assert_int_equal(vg_incident_by_ref(db, "VIGIE-2026-000001", &got, &d), VG_OK);
	assert_int_equal(got, id);
	/* refusals name the field */
	static const char *const bad[][2] = {
		{"{\"type\":\"phishing\"}", "title"},
		{"{\"title\":\"x\",\"type\":\"ddos\",\"taxonomy\":\"fraud\"}", "type"},
		{"{\"title\":\"x\",\"tlp\":\"purple\"}", "tlp"},
		{"{\"title\":\"x\",\"severity\":\"huge\"}", "severity"},
		{"{\"title\":\"x\",\"org_id\":999}", "org_id"},
		{"{\"title\":\"x\",\"assignee_id\":999}", "assignee_id"},
		{"{\"title\":\"x\",\"impact\":{\"integrity\":\"total\"}}", "impact.integrity"},
		{"{\"title\":\"x\",\"colour\":\"red\"}", "colour"},
		{"{\"title\":\"x\",\"pap\":\"purple\"}", "pap"},
		{"{\"title\":\"x\",\"pap\":\"white\"}", "pap"},
		{"{\"title\":\"x\",\"pap\":\"\"}", "pap"},
		{"{\"title\":\"x\",\"pap\":3}", "pap"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		j = J(bad[i][0]);
		assert_int_equal(vg_incident_create(db, j, NULL, &id, &d), VG_ERR_INVALID);
		if (strcmp(d.field, bad[i][1]) != 0)
			fail_msg("%s: field %s, expected %s", bad[i][0], d.field, bad[i][1]);
		json_decref(j);
	}
	vg_db_close(db);
}

static void test_status_and_journal(void **state)
{
	vg_db *db = open_db();
	int64_t id = mk_inc(db, "{\"title\":\"Status test\"}"), e1, e2;
	json_t *o = NULL, *items;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_incident_set_status(db, id, "recovery", 0, NULL, NULL, &d), VG_ERR_CONFLICT);
	assert_int_equal(vg_incident_set_status(db, id, "bogus", 0, NULL, NULL, &d), VG_ERR_INVALID);
	assert_int_equal(vg_incident_set_status(db, id, "triage", 0, "internal reasoning", NULL, &d), VG_OK);
	assert_int_equal(vg_incident_journal_add(db, id, "note", false, 0, "secret analyst note", NULL, &e1, &d), VG_OK);
	assert_int_equal(vg_incident_journal_add(db, id, "reply", true, 0, "constituent reply",
						 json_pack("{ss}", "via", "web"), &e2, &d),
			 VG_OK);
	assert_int_equal(vg_incident_journal_add(db, id, "gossip", true, 0, "x", NULL, NULL, &d), VG_ERR_INVALID);
	assert_int_equal(vg_incident_journal_list(db, id, false, 0, 100, &o, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(o, "items")), 5);
	json_decref(o);
	assert_int_equal(vg_incident_journal_list(db, id, true, 0, 100, &o, &d), VG_OK);
	items = json_object_get(o, "items");
	assert_int_equal(json_array_size(items), 3); /* opened, status, reply */
	for (size_t i = 0; i < json_array_size(items); i++) {
		const char *b = json_string_value(json_object_get(json_array_get(items, i), "body"));
		assert_null(strstr(b, "secret"));
		assert_null(strstr(b, "internal reasoning"));
	}
	json_decref(o);
	/* paging */
	assert_int_equal(vg_incident_journal_list(db, id, false, 0, 2, &o, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(o, "items")), 2);
	assert_true(json_is_string(json_object_get(o, "next_cursor")));
	json_decref(o);
	/* acknowledged by leaving "new" */
	assert_int_equal(vg_incident_get_json(db, id, false, false, &o, &d), VG_OK);
	assert_true(json_is_string(json_object_get(o, "acknowledged_at")));
	json_decref(o);
	assert_int_equal(vg_incident_set_status(db, id, "closed", 0, NULL, NULL, &d), VG_OK);
	assert_int_equal(vg_incident_set_status(db, id, "analysis", 0, NULL, NULL, &d), VG_OK);
	vg_db_close(db);
}

static const vg_deadline *find_dl(const vg_deadline *dl, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(dl[i].name, name) == 0)
			return &dl[i];
	fail_msg("no deadline %s", name);
	return NULL;
}

static void test_clocks_pause(void **state)
{
	vg_db *db = open_db();
	int64_t org = mk_org(db, "Grid operator", "essential"), id;
	vg_deadline dl[VG_DEADLINES_MAX];
	const vg_deadline *x;
	json_t *due = NULL;
	vg_diag d;
	char buf[256];
	int n;
	(void)state;
	vg_time_set_fake(T0);
	snprintf(buf, sizeof buf, "{\"title\":\"Outage\",\"org_id\":%lld,\"severity\":\"critical\",\"type\":\"outage\"}",
		 (long long)org);
	id = mk_inc(db, buf);
	assert_int_equal(vg_incident_deadlines(db, id, dl, &n, &d), VG_OK);
	assert_int_equal(n, 5); /* ack, advice, 3 NIS2 clocks */
	x = find_dl(dl, n, "ack");
	assert_int_equal(x->due_ms, T0 + H);
	assert_int_equal(x->left_ms, H);
	assert_false(x->overdue);
	x = find_dl(dl, n, "nis2_final_report");
	assert_int_equal(x->due_ms, 1775124000000LL); /* 2026-04-02T10:00:00Z: one calendar month */
	x = find_dl(dl, n, "nis2_notification"); /* 72 hours from awareness */
	assert_int_equal(x->due_ms, T0 + 72 * H);
	assert_int_equal(x->due_ms, 1772704800000LL); /* 2026-03-05T10:00:00Z */
	assert_int_equal(x->left_ms, 72 * H);
	assert_int_equal(x->done_ms, 0);
	assert_false(x->overdue);

	/* 30 minutes later: wait on a third party for 2 hours */
	vg_time_set_fake(T0 + H / 2);
	assert_int_equal(vg_incident_set_status(db, id, "waiting", 0, NULL, NULL, &d), VG_OK);
	/* waiting counts as acknowledged (left "new"): check the advice clock instead */
	vg_time_set_fake(T0 + H / 2 + 2 * H);
	assert_int_equal(vg_incident_deadlines(db, id, dl, &n, &d), VG_OK);
	x = find_dl(dl, n, "first_advice"); /* critical: 4h, paused 2h so far */
	assert_int_equal(x->due_ms, T0 + 4 * H + 2 * H);
	assert_int_equal(x->left_ms, 4 * H - H / 2);
	x = find_dl(dl, n, "nis2_early_warning");
	assert_int_equal(x->left_ms, 24 * H - H / 2);
	x = find_dl(dl, n, "nis2_notification"); /* moved by the 2 hours of pause */
	assert_int_equal(x->due_ms, T0 + 72 * H + 2 * H);
	assert_int_equal(x->left_ms, 72 * H - H / 2);
	/* resume: the time left does not move while paused, then runs again */
	assert_int_equal(vg_incident_set_status(db, id, "analysis", 0, NULL, NULL, &d), VG_OK);
	vg_time_set_fake(T0 + H / 2 + 2 * H + 3 * H);
	assert_int_equal(vg_incident_deadlines(db, id, dl, &n, &d), VG_OK);
	x = find_dl(dl, n, "first_advice");
	assert_int_equal(x->left_ms, H / 2);
	assert_false(x->overdue);
	vg_time_set_fake(T0 + H / 2 + 2 * H + 4 * H);
	assert_int_equal(vg_incident_deadlines(db, id, dl, &n, &d), VG_OK);
	x = find_dl(dl, n, "first_advice");
	assert_true(x->overdue);
	assert_int_equal(x->left_ms, -H / 2);
	/* what is due next: overdue advice first; done deadlines are not listed */
	assert_int_equal(vg_deadlines_due_json(db, 0, 0, 10, &due, &d), VG_OK);
	json_t *items = json_object_get(due, "items");
	assert_int_equal(json_array_size(items), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "deadline")), "first_advice");
	assert_true(json_is_true(json_object_get(json_array_get(items, 0), "overdue")));
	json_decref(due);
	/* scoped to another organisation: nothing */
	assert_int_equal(vg_deadlines_due_json(db, org + 100, 0, 10, &due, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(due, "items")), 0);
	json_decref(due);
	/* a visible advice meets the first-advice deadline (late) */
	assert_int_equal(vg_incident_journal_add(db, id, "advice", true, 0, "Isolate the hosts.", NULL, NULL, &d), VG_OK);
	assert_int_equal(vg_incident_deadlines(db, id, dl, &n, &d), VG_OK);
	x = find_dl(dl, n, "first_advice");
	assert_true(x->done_ms > 0);
	assert_true(x->overdue);
	/* NIS2 stamps */
	json_t *j = J("{\"nis2_early_warning\":true}");
	assert_int_equal(vg_incident_update(db, id, j, NULL, &d), VG_OK);
	json_decref(j);
	assert_int_equal(vg_incident_deadlines(db, id, dl, &n, &d), VG_OK);
	x = find_dl(dl, n, "nis2_early_warning");
	assert_true(x->done_ms > 0);
	assert_false(x->overdue);
	/* no NIS2 clocks for an organisation outside NIS2 */
	id = mk_inc(db, "{\"title\":\"No org\",\"severity\":\"low\"}");
	assert_int_equal(vg_incident_deadlines(db, id, dl, &n, &d), VG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(find_dl(dl, n, "ack")->due_ms, vg_time_now_ms() + 72 * H);
	vg_time_set_fake(T0);
	vg_db_close(db);
}

static void test_playbooks(void **state)
{
	vg_db *db = open_db();
	int64_t id = mk_inc(db, "{\"title\":\"Crypto locker\",\"type\":\"infected-system\"}"), pb = 0, adv = 0, v2;
	json_t *list = NULL, *o = NULL, *j;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_playbooks_list_json(db, NULL, &list, &d), VG_OK);
	assert_int_equal(json_array_size(list), 8);
	json_decref(list);
	assert_int_equal(vg_playbooks_seed(db, &d), VG_OK); /* idempotent */
	assert_int_equal(vg_playbooks_list_json(db, "infected-system", &list, &d), VG_OK);
	assert_true(json_array_size(list) >= 2); /* ransomware, malware infection */
	for (size_t i = 0; i < json_array_size(list); i++)
		if (!strcmp(json_string_value(json_object_get(json_array_get(list, i), "slug")), "ransomware"))
			pb = json_integer_value(json_object_get(json_array_get(list, i), "id"));
	json_decref(list);
	assert_true(pb > 0);
	assert_int_equal(vg_playbook_apply(db, pb, id, 0, &adv, &d), VG_OK);
	assert_int_equal(vg_incident_get_json(db, id, false, true, &o, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(o, "tasks")), 8);
	assert_true(json_is_string(json_object_get(json_array_get(json_object_get(o, "tasks"), 0), "due_at")));
	assert_true(json_is_null(json_object_get(o, "first_advice_at")));
	json_decref(o);
	/* the advice is a draft: invisible to the constituent until made visible */
	assert_int_equal(vg_incident_get_json(db, id, true, true, &o, &d), VG_OK);
	j = json_object_get(o, "journal");
	for (size_t i = 0; i < json_array_size(j); i++)
		assert_string_not_equal(json_string_value(json_object_get(json_array_get(j, i), "kind")), "advice");
	json_decref(o);
	assert_int_equal(vg_incident_journal_set_visible(db, id, adv, true, &d), VG_OK);
	assert_int_equal(vg_incident_get_json(db, id, true, false, &o, &d), VG_OK);
	assert_true(json_is_string(json_object_get(o, "first_advice_at")));
	json_decref(o);
	/* a new version */
	j = J("{\"slug\":\"ransomware\",\"title\":\"Ransomware v2\",\"types\":[\"infected-system\"],"
	      "\"tasks\":[{\"title\":\"Call\",\"due_offset\":\"1h\"}],\"advice_md\":\"Do not pay.\"}");
	assert_int_equal(vg_playbook_create_version(db, j, &v2, &d), VG_OK);
	json_decref(j);
	assert_int_equal(vg_playbook_get_json(db, v2, &o, &d), VG_OK);
	assert_int_equal(json_integer_value(json_object_get(o, "version")), 2);
	json_decref(o);
	j = J("{\"slug\":\"x\",\"title\":\"X\",\"types\":[\"nope\"],\"tasks\":[],\"advice_md\":\"\"}");
	assert_int_equal(vg_playbook_create_version(db, j, &v2, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "types[0]");
	json_decref(j);
	/* tasks */
	int64_t tid;
	j = J("{\"title\":\"Call back\",\"due_at\":\"2026-03-03T10:00:00Z\"}");
	assert_int_equal(vg_task_add(db, id, j, 0, &tid, &d), VG_OK);
	json_decref(j);
	j = J("{\"state\":\"done\"}");
	assert_int_equal(vg_task_update(db, id, tid, j, &d), VG_OK);
	assert_int_equal(vg_task_update(db, id + 1000, tid, j, &d), VG_ERR_NOT_FOUND);
	json_decref(j);
	vg_db_close(db);
}

static void test_playbook_parse(void **state)
{
	json_t *doc = NULL;
	vg_diag d;
	const char *ok = "---\nslug: t\ntitle: T\ntypes: ddos, dos\ntask: 1h | First: call\n---\n# Advice\n";
	(void)state;
	assert_int_equal(vg_playbook_parse(ok, strlen(ok), "t.md", &doc, &d), VG_OK);
	assert_int_equal(json_array_size(json_object_get(doc, "types")), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(doc, "tasks"), 0), "title")),
			    "First: call");
	json_decref(doc);
	assert_int_equal(vg_playbook_parse("slug: x\n", 8, "t.md", &doc, &d), VG_ERR_INVALID);
	assert_int_equal(vg_playbook_parse("---\nslug: x\n", 12, "t.md", &doc, &d), VG_ERR_INVALID);
	assert_int_equal(vg_playbook_parse("---\ncolour: x\n---\n", 18, "t.md", &doc, &d), VG_ERR_INVALID);
	assert_int_equal(d.line, 2);
}

static void test_merge_links(void **state)
{
	vg_db *db = open_db();
	int64_t a = mk_inc(db, "{\"title\":\"A\"}"), b = mk_inc(db, "{\"title\":\"B\"}"), c = mk_inc(db, "{\"title\":\"C\"}");
	int64_t link;
	json_t *o = NULL;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_incident_link(db, a, a, "self", 0, &link, &d), VG_ERR_INVALID);
	assert_int_equal(vg_incident_link(db, a, c, "", 0, &link, &d), VG_ERR_INVALID);
	assert_int_equal(vg_incident_link(db, a, c, "same C2", 0, &link, &d), VG_OK);
	assert_int_equal(vg_incident_link(db, c, a, "again", 0, &link, &d), VG_ERR_CONFLICT);
	assert_int_equal(vg_incident_journal_add(db, a, "note", false, 0, "evidence from A", NULL, NULL, &d), VG_OK);
	assert_int_equal(vg_incident_merge(db, a, a, 0, NULL, &d), VG_ERR_INVALID);
	assert_int_equal(vg_incident_merge(db, a, b, 0, NULL, &d), VG_OK);
	assert_int_equal(vg_incident_merge(db, a, b, 0, NULL, &d), VG_ERR_CONFLICT);
	assert_int_equal(vg_incident_get_json(db, a, false, true, &o, &d), VG_OK);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "closed");
	assert_int_equal(json_integer_value(json_object_get(o, "merged_into")), b);
	assert_int_equal(json_array_size(json_object_get(o, "journal")), 1); /* "merged into" */
	assert_int_equal(json_array_size(json_object_get(o, "links")), 0);
	json_decref(o);
	assert_int_equal(vg_incident_get_json(db, b, false, true, &o, &d), VG_OK);
	json_t *j = json_object_get(o, "journal");
	bool found = false;
	for (size_t i = 0; i < json_array_size(j); i++)
		found |= strcmp(json_string_value(json_object_get(json_array_get(j, i), "body")), "evidence from A") == 0;
	assert_true(found);
	assert_int_equal(json_array_size(json_object_get(o, "links")), 1); /* A's link to C moved to B */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(o, "links"), 0), "incident_id")), c);
	json_decref(o);
	assert_int_equal(vg_incident_set_status(db, a, "analysis", 0, NULL, NULL, &d), VG_ERR_CONFLICT);
	vg_db_close(db);
}

static void test_export(void **state)
{
	vg_db *db = open_db();
	int64_t id = mk_inc(db, "{\"title\":\"Defaced <site>\",\"tlp\":\"amber+strict\",\"description\":\"Home page replaced.\"}");
	int64_t red = mk_inc(db, "{\"title\":\"Secret\",\"tlp\":\"red\"}");
	char *out = NULL;
	size_t len;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_incident_journal_add(db, id, "note", false, 0, "INTERNAL-ONLY", NULL, NULL, &d), VG_OK);
	assert_int_equal(vg_incident_journal_add(db, id, "advice", true, 0, "Restore <b>from</b> backup", NULL, NULL, &d), VG_OK);
	assert_int_equal(vg_incident_export(db, id, VG_EXPORT_MD, false, &out, &len, &d), VG_OK);
	assert_non_null(strstr(out, "TLP:AMBER+STRICT"));
	assert_non_null(strstr(out, "Restore"));
	assert_null(strstr(out, "INTERNAL-ONLY"));
	free(out);
	assert_int_equal(vg_incident_export(db, id, VG_EXPORT_HTML, false, &out, &len, &d), VG_OK);
	assert_non_null(strstr(out, "<meta name=\"tlp\" content=\"TLP:AMBER+STRICT\">"));
	assert_non_null(strstr(out, "Defaced &lt;site&gt;"));
	assert_null(strstr(out, "<b>from</b>"));
	assert_null(strstr(out, "INTERNAL-ONLY"));
	free(out);
	assert_int_equal(vg_incident_export(db, id, VG_EXPORT_JSON, false, &out, &len, &d), VG_OK);
	assert_non_null(strstr(out, "\"tlp_label\": \"TLP:AMBER+STRICT\""));
	assert_null(strstr(out, "INTERNAL-ONLY"));
	free(out);
	assert_int_equal(vg_incident_export(db, red, VG_EXPORT_MD, false, &out, &len, &d), VG_ERR_FORBIDDEN);
	assert_null(out);
	assert_int_equal(vg_incident_export(db, red, VG_EXPORT_MD, true, &out, &len, &d), VG_OK);
	assert_non_null(strstr(out, "TLP:RED"));
	free(out);
	vg_db_close(db);
}

static void test_attachments_yara(void **state)
{
	vg_db *db = open_db();
	int64_t id = mk_inc(db, "{\"title\":\"Sample\"}"), a1, a2, size;
	vg_cases_config c = *vg_cases_cfg();
	char rules[128], p[256], fn[64];
	json_t *list = NULL;
	vg_diag d;
	FILE *f;
	(void)state;
	snprintf(rules, sizeof rules, "%s/rules", dir);
	mkdir(rules, 0700);
	snprintf(p, sizeof p, "%s/test.yar", rules);
	f = fopen(p, "w");
	fputs("rule vigie_test_marker { strings: $a = \"VIGIE-EVIL-MARKER\" condition: $a }\n", f);
	fclose(f);
	snprintf(p, sizeof p, "%s/broken.yar", rules);
	f = fopen(p, "w");
	fputs("rule broken { condition: nonsense( }\n", f);
	fclose(f);
	snprintf(c.yara_rules_dir, sizeof c.yara_rules_dir, "%s", rules);
	c.attachment_max = 1024;
	vg_cases_configure(&c);
	const char *bad = "MZ....VIGIE-EVIL-MARKER....";
	assert_int_equal(vg_attachment_store(db, "../../etc/passwd\"x", "application/x-msdownload", bad, strlen(bad),
					     "incident", id, true, 0, &a1, &d),
			 VG_OK);
	assert_int_equal(vg_attachment_store(db, "again.bin", NULL, bad, strlen(bad), "incident", id, false, 0, &a2, &d),
			 VG_OK);
	assert_int_equal(a1, a2); /* stored once */
	assert_int_equal(vg_attachment_store(db, "clean.txt", "text/plain", "hello", 5, "incident", id, false, 0, &a2, &d),
			 VG_OK);
	char big[2048];
	memset(big, 'x', sizeof big);
	assert_int_equal(vg_attachment_store(db, "big", NULL, big, sizeof big, "incident", id, false, 0, NULL, &d),
			 VG_ERR_LIMIT);
	assert_int_equal(vg_attachments_json(db, "incident", id, false, &list, &d), VG_OK);
	assert_int_equal(json_array_size(list), 2);
	json_t *first = json_array_get(list, 0);
	assert_string_equal(json_string_value(json_object_get(first, "filename")), "passwd_x");
	assert_string_equal(json_string_value(json_array_get(json_object_get(first, "tags"), 0)), "yara:vigie_test_marker");
	assert_true(json_is_true(json_object_get(first, "scanned")));
	assert_int_equal(json_array_size(json_object_get(json_array_get(list, 1), "tags")), 0);
	json_decref(list);
	assert_int_equal(vg_attachments_json(db, "incident", id, true, &list, &d), VG_OK);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);
	assert_int_equal(vg_attachment_path(db, a1, "incident", id, true, p, sizeof p, fn, sizeof fn, &size, &d), VG_OK);
	assert_int_equal(access(p, R_OK), 0);
	assert_int_equal(size, (int64_t)strlen(bad));
	assert_int_equal(vg_attachment_path(db, a2, "incident", id, true, p, sizeof p, fn, sizeof fn, &size, &d),
			 VG_ERR_NOT_FOUND);
	assert_int_equal(vg_attachment_path(db, a1, "incident", id + 1, false, p, sizeof p, fn, sizeof fn, &size, &d),
			 VG_ERR_NOT_FOUND);
	c.yara_rules_dir[0] = '\0';
	c.attachment_max = 32 * 1024 * 1024;
	vg_cases_configure(&c);
	vg_db_close(db);
}

/* ------------------------------------------------------------ group commit */

static vg_err gc_create(vg_db *db, vg_gc_job *j, bool in_batch)
{
	(void)in_batch;
	if (!db)
		return VG_OK;
	return vg_incident_create(db, (json_t *)j->arg, NULL, &j->id, &j->d);
}

typedef struct gc_thread {
	int k;
	int ok, failed;
} gc_thread;

static void *gc_worker(void *p)
{
	gc_thread *t = p;
	vg_db *db = open_db();
	for (int i = 0; i < 10; i++) {
		char buf[128];
		vg_gc_job job = {0};
		json_t *doc;
		if (t->k == 2 && i == 5)
			snprintf(buf, sizeof buf, "{\"title\":\"bad\",\"tlp\":\"purple\"}");
		else
			snprintf(buf, sizeof buf, "{\"title\":\"GC %d-%d\"}", t->k, i);
		doc = json_loads(buf, 0, NULL);
		job.arg = doc;
		/* half the callers hand in the shared writer, half their own connection:
		 * whoever leads, every job is committed once and answered */
		vg_db_options o = {.busy_timeout_ms = 2000};
		vg_db *w = t->k % 2 ? vg_group_commit_writer(path, &o) : NULL;
		vg_group_commit_run(w ? w : db, &job, gc_create);
		if (job.e == VG_OK && job.id > 0)
			t->ok++;
		else if (job.e == VG_ERR_INVALID && !strcmp(job.d.field, "tlp"))
			t->failed++;
		json_decref(doc);
	}
	vg_db_close(db);
	return NULL;
}

static void test_group_commit(void **state)
{
	pthread_t th[8];
	gc_thread t[8];
	int ok = 0, failed = 0;
	vg_db *db = open_db();
	vg_stmt *st;
	vg_diag d;
	(void)state;
	for (int k = 0; k < 8; k++) {
		t[k] = (gc_thread){.k = k};
		pthread_create(&th[k], NULL, gc_worker, &t[k]);
	}
	for (int k = 0; k < 8; k++) {
		pthread_join(th[k], NULL);
		ok += t[k].ok;
		failed += t[k].failed;
	}
	assert_int_equal(ok, 79);
	assert_int_equal(failed, 1);
	assert_int_equal(vg_db_prepare(db, "SELECT count(*), count(DISTINCT reference) FROM incidents WHERE title LIKE 'GC %'", &st, &d), VG_OK);
	assert_int_equal(vg_stmt_step(st, &d), VG_ROW);
	assert_int_equal(vg_stmt_int(st, 0), 79);
	assert_int_equal(vg_stmt_int(st, 1), 79);
	vg_stmt_done(st);
	vg_db_close(db);
	{ /* one writer per process: the same connection again, none for another database */
		vg_db_options o = {.busy_timeout_ms = 2000};
		vg_db *w = vg_group_commit_writer(path, &o);
		assert_non_null(w);
		assert_ptr_equal(vg_group_commit_writer(path, &o), w);
		assert_null(vg_group_commit_writer("/nonexistent/other.db", &o));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle_table),
		cmocka_unit_test(test_rsit),
		cmocka_unit_test(test_tlp_sla),
		cmocka_unit_test_setup_teardown(test_refs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_validate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_and_journal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clocks_pause, setup, teardown),
		cmocka_unit_test_setup_teardown(test_playbooks, setup, teardown),
		cmocka_unit_test(test_playbook_parse),
		cmocka_unit_test_setup_teardown(test_merge_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attachments_yara, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
