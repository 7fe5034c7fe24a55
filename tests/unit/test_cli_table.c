/* Unit tests for the CLI's shared helpers (src/cli/common.c): the table
 * printer (widths from the data in UTF-8 characters, alignment, nested
 * members, booleans, cutting with an ellipsis on a terminal, control
 * characters, no trailing blanks) and the declarative option parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

static const vg_cli_col cols[] = {
	{.header = "ID", .key = "id", .right = true},
	{.header = "NAME", .key = "name", .max = 8},
	{.header = "FROM", .key = "who.email"},
	{.header = "SCOPE", .key = "in", .yes = "in", .no = "out"},
	{.header = "NOTE", .key = "note"},
};

static json_t *rows(void)
{
	return json_pack("[{sI ss s{ss} sb ss}, {sI ss s{ss} sb sn}, {sI ss sb}]",
			 "id", (json_int_t)7, "name", "Opérateur", "who", "email", "a@b.example", "in", 1, "note", "x",
			 "id", (json_int_t)1234, "name", "Ministère de l'Écologie", "who", "email", "long@mail.example", "in", 0,
			 "note",
			 "id", (json_int_t)3, "name", "bad\nname\x1b[31m", "in", 1);
}

/* The table of r as printed on a terminal (tty) or not, compared with want. */
static void check(json_t *r, bool tty, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	vg_cli_table_write(f, tty, cols, sizeof cols / sizeof cols[0], r);
	fclose(f);
	assert_string_equal(buf, want);
	free(buf);
	json_decref(r);
}

static void test_table_plain(void **state)
{
	(void)state;
	/* widths from the data: "Ministère de l'Écologie" is 23 characters (25 bytes);
	 * control characters print as spaces, absent and null members as nothing */
	check(rows(), false,
	      "  ID  NAME                     FROM               SCOPE  NOTE\n"
	      "   7  Opérateur                a@b.example        in     x\n"
	      "1234  Ministère de l'Écologie  long@mail.example  out\n"
	      "   3  bad name [31m                               in\n");
}

static void test_table_tty_cuts(void **state)
{
	(void)state;
	/* NAME is cut to 8 characters on a terminal, the last one an ellipsis */
	check(rows(), true,
	      "  ID  NAME      FROM               SCOPE  NOTE\n"
	      "   7  Opérate\xE2\x80\xA6  a@b.example        in     x\n"
	      "1234  Ministè\xE2\x80\xA6  long@mail.example  out\n"
	      "   3  bad nam\xE2\x80\xA6                     in\n");
}

static void test_table_empty(void **state)
{
	(void)state;
	check(json_array(), false, "ID  NAME  FROM  SCOPE  NOTE\n");
}

static void test_options(void **state)
{
	(void)state;
	vg_cli cli = {.prog = "vigie"};
	const char *status = NULL;
	int64_t org = 0;
	int limit = 0;
	size_t sz = 0;
	bool flag = false;
	const vg_cli_opt opts[] = {{"status", VG_OPT_STR, &status}, {"org", VG_OPT_I64, &org},
				   {"limit", VG_OPT_INT, &limit},   {"size", VG_OPT_SIZE, &sz},
				   {"visible", VG_OPT_FLAG, &flag}};
	char *ok[] = {"list", "--status", "open", "a", "--org=-42", "--limit", "7", "--size", "9", "--visible", "b", NULL};
	int arg = vg_cli_options(&cli, "incident", "list", 11, ok, opts, 5, 2, 2);
	assert_int_not_equal(arg, -1);
	assert_string_equal(status, "open");
	assert_int_equal(org, -42);
	assert_int_equal(limit, 7);
	assert_int_equal(sz, 9);
	assert_true(flag);
	assert_string_equal(ok[arg], "a");
	assert_string_equal(ok[arg + 1], "b");
	char *few[] = {"list", "a", NULL};
	assert_int_equal(vg_cli_options(&cli, "incident", "list", 2, few, opts, 5, 2, 2), -1);
	char *many[] = {"list", "a", "b", "c", NULL};
	assert_int_equal(vg_cli_options(&cli, "incident", "list", 4, many, opts, 5, 0, 2), -1);
	char *bad_num[] = {"list", "--limit", "7x", NULL};
	assert_int_equal(vg_cli_options(&cli, "incident", "list", 3, bad_num, opts, 5, 0, 0), -1);
	char *neg[] = {"list", "--size", "-1", NULL};
	assert_int_equal(vg_cli_options(&cli, "incident", "list", 3, neg, opts, 5, 0, 0), -1);
	char *unknown[] = {"list", "--bogus", NULL};
	assert_int_equal(vg_cli_options(&cli, "incident", "list", 2, unknown, opts, 5, 0, 0), -1);
	char *any[] = {"list", "a", "b", "c", NULL};
	assert_int_equal(vg_cli_options(&cli, "incident", "list", 4, any, opts, 5, 0, -1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_plain),
		cmocka_unit_test(test_table_tty_cuts),
		cmocka_unit_test(test_table_empty),
		cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
