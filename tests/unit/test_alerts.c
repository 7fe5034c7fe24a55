/* Unit tests for src/alerts: severity mapping, fingerprints (default and
 * per-rule fields), the dedup window (driven by vg_time_set_fake), attribution
 * through a registry holding a network and a domain, bounded events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "core/clock.h"
#include "registry/registry.h"

static char dir[64];
static vg_db *db;
static int64_t org_net, org_dom;

static const char *const tags[] = {"attack.execution", "attack.t1059.001"};
static vg_rule_info rule = {.id = "11111111-2222-3333-4444-555555555555", .title = "Suspicious PowerShell",
			    .author = "Someone", .tags = tags, .ntags = 2, .level = VG_LEVEL_HIGH};
static vg_rule_info rule2 = {.id = "", .title = "Other rule", .author = "", .level = VG_LEVEL_NONE};

static int setup(void **state)
{
	vg_db_options o = {.busy_timeout_ms = 2000};
	char path[128];
	json_t *doc;
	vg_diag d;
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vg-alerts-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	if (vg_db_open(path, &o, &db, &d) != VG_OK)
		return -1;
	doc = json_loads("{\"name\":\"Ministere A\",\"kind\":\"ministry\",\"networks\":[\"192.0.2.0/24\"]}", 0, NULL);
	if (vg_org_create(db, doc, &org_net, &d) != VG_OK)
		return -1;
	json_decref(doc);
	doc = json_loads("{\"name\":\"Operateur B\",\"kind\":\"oiv\",\"domains\":[\"operateur-b.fr\"]}", 0, NULL);
	if (vg_org_create(db, doc, &org_dom, &d) != VG_OK)
		return -1;
	json_decref(doc);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];
	(void)state;
	vg_time_set_fake(0);
	vg_db_close(db);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static void test_severity(void **state)
{
	(void)state;
	assert_string_equal(vg_alert_severity(VG_LEVEL_INFORMATIONAL), "informational");
	assert_string_equal(vg_alert_severity(VG_LEVEL_LOW), "low");
	assert_string_equal(vg_alert_severity(VG_LEVEL_MEDIUM), "medium");
	assert_string_equal(vg_alert_severity(VG_LEVEL_HIGH), "high");
	assert_string_equal(vg_alert_severity(VG_LEVEL_CRITICAL), "critical");
	assert_string_equal(vg_alert_severity(VG_LEVEL_NONE), "low");
	assert_true(vg_alert_severity_valid("critical"));
	assert_false(vg_alert_severity_valid("urgent"));
	assert_false(vg_alert_severity_valid(NULL));
	assert_true(vg_alert_status_valid("acknowledged"));
	assert_false(vg_alert_status_valid("closed"));
}

static void test_fingerprint(void **state)
{
	vg_alerts_cfg *c;
	char a[65], b[65], x[65];
	json_t *e1 = json_loads("{\"Computer\":\"ws1\",\"User\":\"alice\",\"CommandLine\":\"a\"}", 0, NULL);
	json_t *e2 = json_loads("{\"Computer\":\"ws1\",\"User\":\"alice\",\"CommandLine\":\"b\"}", 0, NULL);
	json_t *e3 = json_loads("{\"Computer\":\"ws2\",\"User\":\"alice\",\"CommandLine\":\"a\"}", 0, NULL);
	vg_diag d;
	(void)state;
	assert_int_equal(vg_alerts_cfg_new(3600 * 1000, &c), VG_OK);
	/* default set: host and user count, the command line does not */
	vg_alert_fingerprint(c, &rule, e1, a);
	vg_alert_fingerprint(c, &rule, e2, b);
	assert_int_equal(strlen(a), 64);
	assert_string_equal(a, b);
	vg_alert_fingerprint(c, &rule, e3, x);
	assert_string_not_equal(a, x);
	/* another rule on the same event differs */
	vg_alert_fingerprint(c, &rule2, e1, x);
	assert_string_not_equal(a, x);
	/* per-rule fields: the command line now counts for this rule only */
	assert_int_equal(vg_alerts_cfg_set_rule_fields(c, "11111111-2222-3333-4444-555555555555=CommandLine", &d), VG_OK);
	vg_alert_fingerprint(c, &rule, e1, a);
	vg_alert_fingerprint(c, &rule, e3, b);
	assert_string_equal(a, b);
	vg_alert_fingerprint(c, &rule, e2, x);
	assert_string_not_equal(a, x);
	assert_int_equal(vg_alerts_cfg_set_rule_fields(c, "=x", &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "fingerprint");
	assert_int_equal(vg_alerts_cfg_set_rule_fields(c, "no-equal-sign", &d), VG_ERR_INVALID);
	/* empty default set: the rule alone */
	assert_int_equal(vg_alerts_cfg_set_default_fields(c, " ", &d), VG_OK);
	vg_alert_fingerprint(c, &rule2, e1, a);
	vg_alert_fingerprint(c, &rule2, e3, b);
	assert_string_equal(a, b);
	vg_alerts_cfg_free(c);
	json_decref(e1);
	json_decref(e2);
	json_decref(e3);
}

static void test_attribution(void **state)
{
	vg_registry *reg;
	vg_regindex *ix;
	json_t *ev;
	(void)state;
	assert_int_equal(vg_registry_new(&reg), VG_OK);
	ix = vg_registry_acquire(reg, db);
	assert_non_null(ix);
	ev = json_loads("{\"SourceIp\":\"198.51.100.7\",\"DestinationIp\":\"192.0.2.10\"}", 0, NULL);
	assert_int_equal(vg_alert_attribute(ix, ev), org_net);
	json_decref(ev);
	ev = json_loads("{\"Computer\":\"WS12.Ad.Operateur-B.fr\",\"User\":\"x\"}", 0, NULL);
	assert_int_equal(vg_alert_attribute(ix, ev), org_dom);
	json_decref(ev);
	/* a host name in a field that is not a host field does not attribute */
	ev = json_loads("{\"CommandLine\":\"operateur-b.fr\",\"SourceIp\":\"203.0.113.1\"}", 0, NULL);
	assert_int_equal(vg_alert_attribute(ix, ev), 0);
	json_decref(ev);
	assert_int_equal(vg_alert_attribute(NULL, NULL), 0);
	vg_regindex_release(ix);
	vg_registry_free(reg);
}

static int64_t count_of(int64_t id, const char *col)
{
	char sql[128];
	vg_stmt *st;
	vg_diag d;
	int64_t v = -1;
	/* test-only: the column name is a literal of this file */
	snprintf(sql, sizeof sql, "SELECT %s FROM alerts WHERE id = ?", col);
	if (vg_db_prepare(db, sql, &st, &d))
		return -1;
	vg_stmt_bind_int(st, 1, id);
	if (vg_stmt_step(st, &d) == VG_ROW)
		v = vg_stmt_is_null(st, 0) ? 0 : vg_stmt_int(st, 0);
	vg_stmt_done(st);
	return v;
}

static int64_t record(vg_alerts_cfg *c, vg_regindex *ix, const vg_rule_info *r, const char *ev, bool *created)
{
	vg_hit_field f = {.name = "CommandLine", .value = "powershell -enc", .value_len = 15};
	vg_hit h = {.rule = r, .fields = &f, .nfields = 1};
	int64_t id = 0;
	vg_diag d;
	assert_int_equal(vg_db_begin(db, true, &d), VG_OK);
	assert_int_equal(vg_alert_record(db, c, ix, &h, ev, vg_time_now_ms(), 100, &id, created, &d), VG_OK);
	assert_int_equal(vg_db_commit(db, &d), VG_OK);
	return id;
}

static void test_dedup_window(void **state)
{
	vg_alerts_cfg *c;
	vg_registry *reg;
	vg_regindex *ix;
	const char *ev = "{\"Computer\":\"ws1.operateur-b.fr\",\"User\":\"alice\",\"DestinationIp\":\"192.0.2.10\"}";
	int64_t t0 = 1780000000000, a, b, x;
	bool created;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_alerts_cfg_new(3600 * 1000, &c), VG_OK);
	assert_int_equal(vg_registry_new(&reg), VG_OK);
	ix = vg_registry_acquire(reg, db);
	vg_time_set_fake(t0);
	a = record(c, ix, &rule, ev, &created);
	assert_true(created);
	/* IPs win over host names: the network's organisation */
	assert_int_equal(count_of(a, "org_id"), org_net);
	/* within the window: the same alert, count 2, last_seen moves */
	vg_time_set_fake(t0 + 59 * 60 * 1000);
	b = record(c, ix, &rule, ev, &created);
	assert_false(created);
	assert_int_equal(a, b);
	assert_int_equal(count_of(a, "count"), 2);
	assert_int_equal(count_of(a, "last_seen"), t0 + 59 * 60 * 1000);
	assert_int_equal(count_of(a, "first_seen"), t0);
	/* the window runs from last_seen: 59 min later still the same alert */
	vg_time_set_fake(t0 + 118 * 60 * 1000);
	b = record(c, ix, &rule, ev, &created);
	assert_false(created);
	assert_int_equal(count_of(a, "count"), 3);
	/* past the window: a new alert */
	vg_time_set_fake(t0 + 180 * 60 * 1000);
	x = record(c, ix, &rule, ev, &created);
	assert_true(created);
	assert_true(x != a);
	/* a merged alert is closed: the next hit opens a new one */
	assert_int_equal(vg_db_exec(db, "UPDATE alerts SET status = 'merged'", &d), VG_OK);
	b = record(c, ix, &rule, ev, &created);
	assert_true(created);
	assert_true(b != x);
	/* severity and tags are stored; observables are linked to the alert */
	{
		vg_stmt *st;
		assert_int_equal(vg_db_prepare(db, "SELECT severity, tags, author, level FROM alerts WHERE id = ?", &st, &d),
				 VG_OK);
		vg_stmt_bind_int(st, 1, a);
		assert_int_equal(vg_stmt_step(st, &d), VG_ROW);
		assert_string_equal(vg_stmt_text(st, 0), "high");
		assert_string_equal(vg_stmt_text(st, 1), "[\"attack.execution\",\"attack.t1059.001\"]");
		assert_string_equal(vg_stmt_text(st, 2), "Someone");
		assert_string_equal(vg_stmt_text(st, 3), "high");
		vg_stmt_done(st);
		assert_int_equal(vg_db_prepare(db, "SELECT count(*) FROM observable_links WHERE object_type = 'alert' AND "
						   "object_id = ?",
					       &st, &d),
				 VG_OK);
		vg_stmt_bind_int(st, 1, a);
		assert_int_equal(vg_stmt_step(st, &d), VG_ROW);
		assert_int_equal(vg_stmt_int(st, 0), 2); /* the IP and the host name */
		vg_stmt_done(st);
	}
	vg_time_set_fake(0);
	vg_regindex_release(ix);
	vg_registry_free(reg);
	vg_alerts_cfg_free(c);
}

static void test_bounded_event(void **state)
{
	vg_alerts_cfg *c;
	size_t n = VG_ALERT_EVENT_MAX + 100;
	char *big = malloc(n + 64);
	int64_t id;
	bool created;
	vg_stmt *st;
	vg_diag d;
	(void)state;
	assert_non_null(big);
	strcpy(big, "{\"Computer\":\"big\",\"Data\":\"");
	memset(big + strlen(big), 'x', n);
	strcpy(big + strlen("{\"Computer\":\"big\",\"Data\":\"") + n, "\"}");
	assert_int_equal(vg_alerts_cfg_new(1000, &c), VG_OK);
	id = record(c, NULL, &rule2, big, &created);
	assert_true(created);
	assert_int_equal(vg_db_prepare(db, "SELECT event, org_id IS NULL, severity FROM alerts WHERE id = ?", &st, &d),
			 VG_OK);
	vg_stmt_bind_int(st, 1, id);
	assert_int_equal(vg_stmt_step(st, &d), VG_ROW);
	assert_true(strlen(vg_stmt_text(st, 0)) < 4096);
	assert_non_null(strstr(vg_stmt_text(st, 0), "\"truncated\":true"));
	assert_int_equal(vg_stmt_int(st, 1), 1);
	assert_string_equal(vg_stmt_text(st, 2), "low");
	vg_stmt_done(st);
	vg_alerts_cfg_free(c);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_severity),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_attribution),
		cmocka_unit_test(test_dedup_window),
		cmocka_unit_test(test_bounded_event),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
