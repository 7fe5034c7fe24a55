/* Unit tests for src/cases/clocks.c: "what is due next" keeps only the
 * `limit` soonest deadlines (a bounded heap) in the same order as a full sort,
 * and a NIS2 notification declared by the entity stamps the matching clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
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
static vg_db *db;

static json_t *J(const char *s)
{
	json_error_t err;
	json_t *j = json_loads(s, 0, &err);
	if (!j)
		fail_msg("bad test JSON: %s (%s)", s, err.text);
	return j;
}

static int64_t mk_inc(const char *doc)
{
	int64_t id = 0;
	vg_diag d;
	json_t *j = J(doc);
	if (vg_incident_create(db, j, NULL, &id, &d))
		fail_msg("create: %s (%s)", d.message, d.field);
	json_decref(j);
	return id;
}

static int setup(void **state)
{
	vg_cases_config c;
	vg_db_options o = {.busy_timeout_ms = 2000};
	vg_diag d;
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vg-clocks-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	vg_cases_config_defaults(&c);
	snprintf(c.data_dir, sizeof c.data_dir, "%s/data", dir);
	vg_cases_configure(&c);
	vg_time_set_fake(T0);
	return vg_db_open(path, &o, &db, &d) == VG_OK ? 0 : -1;
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

/* "id:deadline" of each item, comma-separated. */
static void due_list(int limit, char *buf, size_t n)
{
	json_t *out = NULL, *it;
	vg_diag d;
	size_t i, off = 0;
	buf[0] = '\0';
	if (vg_deadlines_due_json(db, 0, 0, limit, &out, &d))
		fail_msg("due: %s", d.message);
	json_array_foreach(json_object_get(out, "items"), i, it)
		off += (size_t)snprintf(buf + off, n - off, "%s%lld:%s", i ? "," : "",
					(long long)json_integer_value(json_object_get(it, "incident_id")),
					json_string_value(json_object_get(it, "deadline")));
	json_decref(out);
}

static void test_due_keeps_the_soonest(void **state)
{
	static const char *const sev[] = {"low", "medium", "high", "critical"};
	char all[8192], five[1024], one[128], want[1024];
	int64_t ids[12];
	json_t *out = NULL;
	vg_diag d;
	(void)state;
	/* newest incidents have the soonest deadlines (critical created last), so
	 * a scan newest first keeps replacing the heap's latest */
	for (int i = 0; i < 12; i++) {
		char doc[128];
		vg_time_set_fake(T0 + i * 60 * 1000);
		snprintf(doc, sizeof doc, "{\"title\":\"inc %d\",\"severity\":\"%s\"}", i, sev[i / 3]);
		ids[i] = mk_inc(doc);
	}
	vg_time_set_fake(T0 + H / 2);
	due_list(200, all, sizeof all);
	due_list(5, five, sizeof five);
	due_list(1, one, sizeof one);
	/* the first five of the full sort, in the same order */
	size_t cut = 0;
	for (int k = 0; k < 5; k++)
		cut += strcspn(all + cut, ",") + 1;
	snprintf(want, sizeof want, "%.*s", (int)cut - 1, all);
	assert_string_equal(five, want);
	/* critical: acknowledgement within 1 hour, the oldest critical first */
	snprintf(want, sizeof want, "%lld:ack", (long long)ids[9]);
	assert_string_equal(one, want);
	assert_int_equal(vg_deadlines_due_json(db, 0, 0, 5, &out, &d), VG_OK);
	json_t *first = json_array_get(json_object_get(out, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(first, "title")), "inc 9");
	assert_int_equal(json_integer_value(json_object_get(first, "left_ms")), T0 + 9 * 60 * 1000 + H - (T0 + H / 2));
	assert_int_equal(json_array_size(json_object_get(out, "items")), 5);
	json_decref(out);
	/* 24 deadlines in all (ack and advice of 12 incidents, no NIS2 organisation) */
	size_t commas = 0;
	for (const char *p = all; *p; p++)
		commas += *p == ',';
	assert_int_equal(commas + 1, 24);
}

static void test_nis2_declared(void **state)
{
	int64_t id = mk_inc("{\"title\":\"declared\"}"), got = 0;
	bool stamped = false;
	json_t *o = NULL;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_incident_nis2_declared(db, id, "early_warning", T0 + 5 * H, &stamped, &d), VG_OK);
	assert_true(stamped);
	/* kept when already stamped */
	assert_int_equal(vg_incident_nis2_declared(db, id, "early_warning", T0 + 9 * H, &stamped, &d), VG_OK);
	assert_false(stamped);
	assert_int_equal(vg_incident_nis2_declared(db, id, "notification", T0 + 70 * H, &stamped, &d), VG_OK);
	assert_true(stamped);
	assert_int_equal(vg_incident_nis2_declared(db, id, "nis2_final_report", T0, &stamped, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "nis2_stage");
	assert_int_equal(vg_incident_get_json(db, id, false, false, &o, &d), VG_OK);
	assert_string_equal(json_string_value(json_object_get(o, "nis2_early_warning_at")), "2026-03-02T15:00:00Z");
	assert_string_equal(json_string_value(json_object_get(o, "nis2_notification_at")), "2026-03-05T08:00:00Z");
	assert_true(json_is_null(json_object_get(o, "nis2_final_report_at")));
	json_decref(o);
	(void)got;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_due_keeps_the_soonest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nis2_declared, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
