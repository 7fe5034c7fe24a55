/* Unit tests for src/store: migrations, statements, transactions, errors,
 * backup, check, pool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vg-store-XXXXXX");
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

static vg_db *open_db(bool migrate)
{
	vg_db *db = NULL;
	vg_db_options o = {.sync_full = true, .busy_timeout_ms = 2000, .no_migrate = !migrate};
	vg_diag d;
	assert_int_equal(vg_db_open(path, &o, &db, &d), VG_OK);
	return db;
}

static void insert_org(vg_db *db, const char *name, vg_err want)
{
	vg_stmt *st;
	vg_diag d;
	assert_int_equal(vg_db_prepare(db,
		"INSERT INTO organisations(name, kind, created_at, updated_at) VALUES (?, 'ministry', 0, 0)",
		&st, &d), VG_OK);
	vg_stmt_bind_text(st, 1, name, -1);
	assert_int_equal(vg_stmt_exec(st, &d), want);
	vg_stmt_done(st);
}

static int64_t count_orgs(vg_db *db)
{
	vg_stmt *st;
	int64_t n = -1;
	assert_int_equal(vg_db_prepare(db, "SELECT count(*) FROM organisations", &st, NULL), VG_OK);
	if (vg_stmt_step(st, NULL) == VG_ROW)
		n = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	return n;
}

static void test_migrate_stepwise(void **state)
{
	vg_db *db = open_db(false);
	int v, applied;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_db_schema_version(db, &v, &d), VG_OK);
	assert_int_equal(v, 0);
	assert_int_equal(vg_db_migrate(db, 1, &applied, &d), VG_OK);
	assert_int_equal(applied, 1);
	assert_int_equal(vg_db_schema_version(db, &v, &d), VG_OK);
	assert_int_equal(v, 1);
	insert_org(db, "Ministère des Armées", VG_OK);
	assert_int_equal(vg_db_migrate(db, 0, &applied, &d), VG_OK);
	assert_int_equal(applied, vg_schema_latest() - 1);
	assert_int_equal(vg_db_migrate(db, 0, &applied, &d), VG_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(count_orgs(db), 1);
	vg_db_close(db);
}

static void test_statements_and_errors(void **state)
{
	vg_db *db = open_db(true);
	vg_stmt *st, *st2;
	vg_diag d;
	(void)state;
	insert_org(db, "Org A", VG_OK);
	insert_org(db, "org a", VG_ERR_CONFLICT); /* NOCASE unique */
	/* CHECK constraint: bad kind */
	assert_int_equal(vg_db_prepare(db,
		"INSERT INTO organisations(name, kind, created_at, updated_at) VALUES ('X', 'bogus', 0, 0)",
		&st, &d), VG_OK);
	assert_int_equal(vg_stmt_exec(st, &d), VG_ERR_INVALID);
	vg_stmt_done(st);
	/* STRICT: wrong type */
	assert_int_equal(vg_db_prepare(db,
		"INSERT INTO organisations(name, kind, created_at, updated_at) VALUES ('Y', 'ministry', 'x', 0)",
		&st, &d), VG_OK);
	assert_int_not_equal(vg_stmt_exec(st, &d), VG_OK);
	vg_stmt_done(st);
	/* nested use of the same SQL gives two independent statements */
	static const char q[] = "SELECT name FROM organisations ORDER BY id";
	assert_int_equal(vg_db_prepare(db, q, &st, &d), VG_OK);
	assert_int_equal(vg_stmt_step(st, &d), VG_ROW);
	assert_int_equal(vg_db_prepare(db, q, &st2, &d), VG_OK);
	assert_ptr_not_equal(st, st2);
	assert_int_equal(vg_stmt_step(st2, &d), VG_ROW);
	assert_string_equal(vg_stmt_text(st2, 0), vg_stmt_text(st, 0));
	vg_stmt_done(st2);
	vg_stmt_done(st);
	/* syntax errors are reported */
	assert_int_equal(vg_db_prepare(db, "SELEC nothing", &st, &d), VG_ERR_DB);
	assert_non_null(strstr(d.message, "syntax"));
	vg_db_close(db);
}

static void test_transactions(void **state)
{
	vg_db *db = open_db(true);
	vg_diag d;
	int64_t before;
	(void)state;
	before = count_orgs(db);
	assert_int_equal(vg_db_begin(db, true, &d), VG_OK);
	insert_org(db, "Tx1", VG_OK);
	vg_db_rollback(db);
	assert_int_equal(count_orgs(db), before);
	/* an inner rollback poisons the outer commit */
	assert_int_equal(vg_db_begin(db, true, &d), VG_OK);
	insert_org(db, "Tx2", VG_OK);
	assert_int_equal(vg_db_begin(db, true, &d), VG_OK);
	vg_db_rollback(db);
	assert_int_not_equal(vg_db_commit(db, &d), VG_OK);
	assert_false(vg_db_in_tx(db));
	assert_int_equal(count_orgs(db), before);
	assert_int_equal(vg_db_begin(db, true, &d), VG_OK);
	insert_org(db, "Tx3", VG_OK);
	assert_int_equal(vg_db_commit(db, &d), VG_OK);
	assert_int_equal(count_orgs(db), before + 1);
	/* vg_db_end: an error rolls back and is returned, VG_OK commits */
	assert_int_equal(vg_db_begin(db, true, &d), VG_OK);
	insert_org(db, "Tx4", VG_OK);
	assert_int_equal(vg_db_end(db, VG_ERR_CONFLICT, &d), VG_ERR_CONFLICT);
	assert_false(vg_db_in_tx(db));
	assert_int_equal(count_orgs(db), before + 1);
	assert_int_equal(vg_db_begin(db, true, &d), VG_OK);
	insert_org(db, "Tx5", VG_OK);
	assert_int_equal(vg_db_end(db, VG_OK, &d), VG_OK);
	assert_false(vg_db_in_tx(db));
	assert_int_equal(count_orgs(db), before + 2);
	vg_db_close(db);
}

static void test_backup_check_version(void **state)
{
	vg_db *db = open_db(true), *other = open_db(true), *copy;
	char bpath[160], *report = NULL;
	vg_diag d;
	int64_t dv;
	vg_db_options o = {.sync_full = true, .no_migrate = true};
	(void)state;
	dv = vg_db_data_version(other);
	insert_org(db, "Backed up", VG_OK);
	assert_int_not_equal(vg_db_data_version(other), dv);
	snprintf(bpath, sizeof bpath, "%s/backup.db", dir);
	assert_int_equal(vg_db_backup(db, bpath, &d), VG_OK);
	assert_int_equal(vg_db_backup(db, bpath, &d), VG_ERR_CONFLICT);
	assert_int_equal(vg_db_open(bpath, &o, &copy, &d), VG_OK);
	assert_int_equal(count_orgs(copy), count_orgs(db));
	assert_int_equal(vg_db_check(copy, &report, &d), VG_OK);
	assert_string_equal(report, "");
	free(report);
	assert_true(vg_db_size(copy) > 0);
	vg_db_close(copy);
	vg_db_close(other);
	vg_db_close(db);
}

static void test_pool(void **state)
{
	vg_db_pool *p;
	vg_db_options o = {.sync_full = false};
	vg_db *a, *b;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_db_pool_new(path, &o, 2, &p, &d), VG_OK);
	a = vg_db_pool_get(p);
	b = vg_db_pool_get(p);
	assert_ptr_not_equal(a, b);
	vg_db_begin(a, false, &d);
	vg_db_pool_put(p, a); /* returned inside a transaction: rolled back */
	vg_db_pool_put(p, b);
	a = vg_db_pool_get(p);
	assert_false(vg_db_in_tx(a));
	vg_db_pool_put(p, a);
	vg_db_pool_free(p);
	vg_db_pool_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_stepwise),
		cmocka_unit_test(test_statements_and_errors),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_backup_check_version),
		cmocka_unit_test(test_pool),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
