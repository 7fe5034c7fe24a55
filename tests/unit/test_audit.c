/* Unit tests for src/audit: append, verify, and detection of edited, removed
 * and reordered entries; listing with filters and cursor. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "core/limits.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	vg_db *db = NULL;
	vg_db_options o = {.sync_full = false, .busy_timeout_ms = 2000};
	vg_diag d;
	snprintf(dir, sizeof dir, "/tmp/vg-audit-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	if (vg_db_open(path, &o, &db, &d) != VG_OK)
		return -1;
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];
	vg_db_close(*state);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static void append_n(vg_db *db, int n)
{
	for (int i = 0; i < n; i++) {
		char oid[16], detail[64];
		int64_t seq = 0;
		vg_diag d;
		vg_audit_entry e = {0};
		snprintf(oid, sizeof oid, "%d", i + 1);
		snprintf(detail, sizeof detail, "{\"n\":%d,\"s\":\"x\\ny\"}", i);
		e.actor_id = i % 3;
		e.actor = i % 2 ? "alice" : "bob";
		e.action = i % 2 ? "org.create" : "org.update";
		e.object_type = "organisation";
		e.object_id = oid;
		e.org_id = i;
		e.outcome = "ok";
		e.ip = "192.0.2.1";
		e.request_id = "rid";
		e.detail_json = detail;
		assert_int_equal(vg_audit_append(db, &e, &seq, &d), VG_OK);
	}
}

static void exec(vg_db *db, const char *sql)
{
	vg_diag d;
	assert_int_equal(vg_db_exec(db, sql, &d), VG_OK);
}

static int verify(vg_db *db, vg_audit_problem *p, int max, int64_t *checked)
{
	int np = -1;
	vg_diag d;
	vg_err e = vg_audit_verify(db, p, max, &np, checked, &d);
	assert_true(e == VG_OK || e == VG_ERR_INVALID);
	assert_int_equal(e == VG_OK, np == 0);
	return np;
}

static bool has_problem(const vg_audit_problem *p, int n, int64_t seq, const char *what)
{
	for (int i = 0; i < n; i++)
		if (p[i].seq == seq && strstr(p[i].what, what))
			return true;
	return false;
}

static void test_append_verify(void **state)
{
	vg_db *db = *state;
	vg_audit_problem p[8];
	int64_t checked = 0;
	assert_int_equal(verify(db, p, 8, &checked), 0); /* empty log is intact */
	assert_int_equal(checked, 0);
	append_n(db, 25);
	assert_int_equal(verify(db, p, 8, &checked), 0);
	assert_int_equal(checked, 25);
}

static void test_chunked_verify(void **state)
{
	vg_db *db = *state;
	vg_audit_problem p[8];
	int64_t checked = 0;
	vg_diag d;
	assert_int_equal(vg_db_begin(db, true, &d), VG_OK);
	append_n(db, VG_AUDIT_VERIFY_CHUNK * 2 + 7);
	assert_int_equal(vg_db_commit(db, &d), VG_OK);
	assert_int_equal(verify(db, p, 8, &checked), 0);
	assert_int_equal(checked, VG_AUDIT_VERIFY_CHUNK * 2 + 7);
	/* an edit past the first chunk is found */
	exec(db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1500");
	assert_int_equal(verify(db, p, 8, &checked), 1);
	assert_true(has_problem(p, 1, 1500, "edited"));
}

static void test_edited(void **state)
{
	vg_db *db = *state;
	vg_audit_problem p[8];
	int64_t checked;
	int n;
	append_n(db, 10);
	exec(db, "UPDATE audit_log SET detail = '{\"n\":99}' WHERE seq = 4");
	n = verify(db, p, 8, &checked);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].seq, 4);
	assert_non_null(strstr(p[0].what, "entry 4: content does not match its hash (edited)"));
	assert_int_equal(checked, 10);
}

static void test_removed(void **state)
{
	vg_db *db = *state;
	vg_audit_problem p[8];
	int64_t checked;
	int n;
	append_n(db, 10);
	exec(db, "DELETE FROM audit_log WHERE seq = 6");
	n = verify(db, p, 8, &checked);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].seq, 7);
	assert_non_null(strstr(p[0].what, "entry 7: previous entry missing (removed)"));
	assert_int_equal(checked, 9);
}

static void test_removed_first(void **state)
{
	vg_db *db = *state;
	vg_audit_problem p[8];
	int64_t checked;
	append_n(db, 5);
	exec(db, "DELETE FROM audit_log WHERE seq = 1");
	assert_int_equal(verify(db, p, 8, &checked), 1);
	assert_true(has_problem(p, 1, 2, "removed"));
}

static void test_removed_and_renumbered(void **state)
{
	/* deleting an entry and shifting the following seqs down hides the gap,
	 * but the hashes (which cover seq) and the links still break */
	vg_db *db = *state;
	vg_audit_problem p[16];
	int64_t checked;
	int n;
	append_n(db, 6);
	exec(db, "DELETE FROM audit_log WHERE seq = 3");
	exec(db, "UPDATE audit_log SET seq = seq - 1 WHERE seq > 3");
	n = verify(db, p, 16, &checked);
	assert_true(n >= 1);
	assert_true(has_problem(p, n, 3, "removed") || has_problem(p, n, 3, "edited"));
}

static void test_reordered(void **state)
{
	vg_db *db = *state;
	vg_audit_problem p[16];
	int64_t checked;
	int n;
	append_n(db, 8);
	/* swap the positions of entries 3 and 5 */
	exec(db, "UPDATE audit_log SET seq = -3 WHERE seq = 3");
	exec(db, "UPDATE audit_log SET seq = 3 WHERE seq = 5");
	exec(db, "UPDATE audit_log SET seq = 5 WHERE seq = -3");
	n = verify(db, p, 16, &checked);
	assert_true(n >= 2);
	assert_true(has_problem(p, n, 3, "reordered"));
	assert_true(has_problem(p, n, 5, "reordered"));
	assert_int_equal(checked, 8);
}

static void test_problem_cap(void **state)
{
	vg_db *db = *state;
	vg_audit_problem p[2];
	int64_t checked;
	append_n(db, 10);
	exec(db, "UPDATE audit_log SET ip = '203.0.113.9'");
	assert_int_equal(verify(db, p, 2, &checked), 2);
	assert_int_equal(checked, 10);
}

static void test_detail_checked(void **state)
{
	vg_db *db = *state;
	vg_audit_entry e = {.actor = "x", .action = "t", .outcome = "ok"};
	vg_stmt *st;
	vg_diag d;
	char *big = malloc(VG_AUDIT_DETAIL_MAX + 64);
	assert_non_null(big);
	memset(big, ' ', VG_AUDIT_DETAIL_MAX + 10);
	big[0] = '{';
	big[VG_AUDIT_DETAIL_MAX + 9] = '}';
	big[VG_AUDIT_DETAIL_MAX + 10] = '\0';
	e.detail_json = "[1,2]"; /* not an object */
	assert_int_equal(vg_audit_append(db, &e, NULL, &d), VG_OK);
	e.detail_json = big;
	assert_int_equal(vg_audit_append(db, &e, NULL, &d), VG_OK);
	e.detail_json = NULL;
	assert_int_equal(vg_audit_append(db, &e, NULL, &d), VG_OK);
	e.outcome = "maybe";
	assert_int_equal(vg_audit_append(db, &e, NULL, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "outcome");
	free(big);
	assert_int_equal(vg_db_prepare(db, "SELECT detail FROM audit_log ORDER BY seq", &st, &d), VG_OK);
	assert_int_equal(vg_stmt_step(st, &d), VG_ROW);
	assert_string_equal(vg_stmt_text(st, 0), "{\"truncated\":true}");
	assert_int_equal(vg_stmt_step(st, &d), VG_ROW);
	assert_string_equal(vg_stmt_text(st, 0), "{\"truncated\":true}");
	assert_int_equal(vg_stmt_step(st, &d), VG_ROW);
	assert_string_equal(vg_stmt_text(st, 0), "{}");
	vg_stmt_done(st);
}

static void test_rollback_with_caller(void **state)
{
	/* inside the caller's transaction: rolled back together */
	vg_db *db = *state;
	vg_audit_problem p[4];
	int64_t checked;
	vg_diag d;
	append_n(db, 2);
	assert_int_equal(vg_db_begin(db, true, &d), VG_OK);
	append_n(db, 3);
	vg_db_rollback(db);
	append_n(db, 1);
	assert_int_equal(verify(db, p, 4, &checked), 0);
	assert_int_equal(checked, 3);
}

static void test_record_and_list(void **state)
{
	vg_db *db = *state;
	vg_audit_ctx ac = {7, "cli:root", "127.0.0.1", NULL};
	vg_audit_filter f = {0};
	json_t *items = NULL;
	int64_t next = 0;
	vg_diag d;
	vg_time_set_fake(1000000);
	append_n(db, 10);
	vg_time_set_fake(2000000);
	assert_int_equal(vg_audit_record(db, &ac, "user.create", "user", 42, 0, "ok", "{\"a\":1}", &d), VG_OK);
	vg_time_set_fake(0);

	f.limit = 4;
	assert_int_equal(vg_audit_list(db, &f, &items, &next, &d), VG_OK);
	assert_int_equal(json_array_size(items), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "seq")), 11);
	assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "object_id")), "42");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(items, 0), "detail"), "a")),
			 1);
	assert_int_equal(next, 8);
	json_decref(items);

	f.before_seq = next;
	f.limit = 100;
	assert_int_equal(vg_audit_list(db, &f, &items, &next, &d), VG_OK);
	assert_int_equal(json_array_size(items), 7);
	assert_int_equal(next, 0);
	json_decref(items);

	memset(&f, 0, sizeof f);
	f.actor = "alice";
	f.action = "org.create";
	assert_int_equal(vg_audit_list(db, &f, &items, &next, &d), VG_OK);
	assert_int_equal(json_array_size(items), 5);
	json_decref(items);

	memset(&f, 0, sizeof f);
	f.since = 1500000;
	assert_int_equal(vg_audit_list(db, &f, &items, &next, &d), VG_OK);
	assert_int_equal(json_array_size(items), 1);
	json_decref(items);

	memset(&f, 0, sizeof f);
	f.until = 1500000;
	f.object_type = "organisation";
	assert_int_equal(vg_audit_list(db, &f, &items, &next, &d), VG_OK);
	assert_int_equal(json_array_size(items), 10);
	json_decref(items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chunked_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_and_renumbered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reordered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_problem_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detail_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_with_caller, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_and_list, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
