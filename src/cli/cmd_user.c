/* vigie setup, user add|list|passwd|disable, token create|revoke, audit verify.
 * Admin commands work on the database directly; the server need not run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "audit/audit.h"
#include "auth/password.h"
#include "auth/tokens.h"
#include "auth/users.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "registry/registry.h"

int vg_cmd_setup(vg_cli *cli, int argc, char **argv)
{
	vg_db *db = NULL;
	vg_diag d;
	vg_err e;
	char generated[VG_PASSWORD_GEN_LEN + 8] = "";
	const char *pw = getenv("VIGIE_ADMIN_PASSWORD");
	bool created = false;
	int rc;
	(void)argv;
	vg_diag_clear(&d);
	if (argc > 1)
		return vg_cli_usage(cli, NULL, "setup");
	if (pw && !*pw)
		pw = NULL;
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	e = vg_bootstrap(db, pw, generated, sizeof generated, &created, NULL, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (cli->json) {
		json_t *j = json_pack("{s:s, s:b}", "database", cli->cfg.db, "admin_created", created);
		if (created && !pw)
			json_object_set_new(j, "admin_password", json_string(generated));
		vg_cli_print_json(j);
	} else if (created) {
		printf("Database %s is ready.\n", cli->cfg.db);
		if (pw)
			printf("Admin account created: user \"admin\", password from VIGIE_ADMIN_PASSWORD.\n");
		else
			printf("Admin account created: user \"admin\", password: %s\n"
			       "(shown once: store it now, or change it with 'vigie user passwd admin')\n",
			       generated);
	} else if (!cli->quiet) {
		printf("Database %s is ready (schema %d); an admin account exists.\n", cli->cfg.db, vg_schema_latest());
	}
	memset(generated, 0, sizeof generated);
	return VG_EXIT_OK;
}

/* Password from VIGIE_PASSWORD, or typed twice on the terminal, or generated. */
static int get_password(vg_cli *cli, const char *username, char *out, size_t outsz, bool *generated)
{
	const char *env = getenv("VIGIE_PASSWORD");
	*generated = false;
	if (env && *env) {
		snprintf(out, outsz, "%s", env);
		return 0;
	}
	if (isatty(STDIN_FILENO)) {
		char again[VG_PASSWORD_MAX + 2];
		struct termios t, old;
		tcgetattr(STDIN_FILENO, &old);
		t = old;
		t.c_lflag &= (tcflag_t)~ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
		fprintf(stderr, "New password for %s: ", username);
		if (!fgets(out, (int)outsz, stdin))
			out[0] = '\0';
		fprintf(stderr, "\nAgain: ");
		if (!fgets(again, sizeof again, stdin))
			again[0] = '\0';
		fprintf(stderr, "\n");
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		out[strcspn(out, "\n")] = '\0';
		again[strcspn(again, "\n")] = '\0';
		if (strcmp(out, again) != 0) {
			fprintf(stderr, "%s: the passwords differ\n", cli->prog);
			return VG_EXIT_USAGE;
		}
		return 0;
	}
	if (vg_password_generate(out, outsz) != VG_OK)
		return VG_EXIT_FAIL;
	*generated = true;
	return 0;
}

static vg_err find_user(vg_db *db, const char *name, vg_user *u, vg_diag *d)
{
	vg_err e = vg_user_get_by_name(db, name, u, d);
	if (e == VG_ERR_NOT_FOUND)
		vg_diag_set(d, e, "username", "no user named \"%s\"", name);
	return e;
}

int vg_cmd_user_add(vg_cli *cli, int argc, char **argv)
{
	vg_user_input in = {0};
	const char *org = NULL, *role = NULL;
	char password[VG_PASSWORD_MAX + 2];
	bool generated = false;
	vg_db *db = NULL;
	vg_diag d;
	vg_err e;
	int64_t id = 0;
	int arg, rc;
	vg_audit_ctx ac;
	const vg_cli_opt opts[] = {
		{"role", VG_OPT_STR, &role},          {"org", VG_OPT_STR, &org},
		{"email", VG_OPT_STR, &in.email},     {"name", VG_OPT_STR, &in.display_name},
		{"language", VG_OPT_STR, &in.language},
	};
	vg_diag_clear(&d);
	if ((arg = vg_cli_options(cli, "user", "add", argc, argv, opts, VG_CLI_ARRAY_LEN(opts), 1, 1)) < 0)
		return VG_EXIT_USAGE;
	if (role && (in.role = vg_role_parse(role)) == VG_ROLE_NONE) {
		fprintf(stderr, "%s: --role must be admin, analyst, constituent or partner\n", cli->prog);
		return VG_EXIT_USAGE;
	}
	if (in.role == VG_ROLE_NONE || !org)
		return vg_cli_usage(cli, "user", "add");
	in.username = argv[arg];
	if ((rc = get_password(cli, in.username, password, sizeof password, &generated)) != 0)
		return rc;
	in.password = password;
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	{
		char *end;
		long long v = strtoll(org, &end, 10);
		if (*org && !*end && v > 0)
			in.org_id = v;
		else if (vg_org_find_by_name(db, org, &in.org_id, &d) != VG_OK)
			in.org_id = -1;
	}
	vg_cli_audit_ctx(&ac);
	if (in.org_id < 0)
		e = vg_diag_set(&d, VG_ERR_NOT_FOUND, "org", "no organisation named \"%s\"", org);
	else
		e = vg_user_create(db, &in, &ac, &id, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (cli->json) {
		json_t *j = json_pack("{s:I, s:s}", "id", (json_int_t)id, "username", in.username);
		if (generated)
			json_object_set_new(j, "password", json_string(password));
		vg_cli_print_json(j);
	} else {
		printf("user %s created (id %lld)\n", in.username, (long long)id);
		if (generated)
			printf("password: %s (shown once)\n", password);
	}
	return VG_EXIT_OK;
}

int vg_cmd_user_list(vg_cli *cli, int argc, char **argv)
{
	static const vg_cli_col cols[] = {
		{.header = "ID", .key = "id", .right = true}, {.header = "USERNAME", .key = "username"},
		{.header = "ROLE", .key = "role"}, {.header = "ORG", .key = "org_id", .right = true},
		{.header = "STATE", .key = "disabled", .yes = "disabled", .no = "active"},
		{.header = "E-MAIL", .key = "email"},
	};
	vg_user_filter f = {0};
	vg_arena *a = NULL;
	vg_user *items = NULL;
	size_t n = 0;
	int64_t next = 0;
	vg_db *db = NULL;
	vg_diag d;
	vg_err e = VG_OK;
	int rc;
	const char *role = NULL;
	json_t *arr;
	const vg_cli_opt opts[] = {{"org", VG_OPT_I64, &f.org_id}, {"role", VG_OPT_STR, &role}};
	vg_diag_clear(&d);
	if (vg_cli_options(cli, "user", "list", argc, argv, opts, 2, 0, 0) < 0)
		return VG_EXIT_USAGE;
	if (role)
		f.role = vg_role_parse(role);
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	a = vg_arena_new(0);
	arr = json_array();
	f.limit = VG_PAGE_MAX;
	do {
		e = vg_user_list(db, &f, a, &items, &n, &next, &d);
		for (size_t i = 0; !e && i < n; i++)
			json_array_append_new(arr, vg_user_json(&items[i]));
		f.after_id = next;
	} while (!e && next);
	vg_db_close(db);
	vg_arena_free(a);
	if (e) {
		json_decref(arr);
		return vg_cli_fail(cli, e, &d);
	}
	return vg_cli_print_list(cli, json_pack("{s:o}", "items", arr), cols, VG_CLI_ARRAY_LEN(cols), NULL);
}

int vg_cmd_user_passwd(vg_cli *cli, int argc, char **argv)
{
	vg_user u;
	vg_user_patch p = VG_USER_PATCH_INIT;
	char password[VG_PASSWORD_MAX + 2];
	bool generated = false;
	vg_db *db = NULL;
	vg_diag d;
	vg_err e;
	vg_audit_ctx ac;
	int rc;
	vg_diag_clear(&d);
	if (argc != 2 || argv[1][0] == '-')
		return vg_cli_usage(cli, "user", "passwd");
	if ((rc = get_password(cli, argv[1], password, sizeof password, &generated)) != 0)
		return rc;
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	vg_cli_audit_ctx(&ac);
	e = find_user(db, argv[1], &u, &d);
	p.password = password;
	if (!e)
		e = vg_user_update(db, u.id, &p, 0, &ac, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (!cli->quiet)
		printf("password of %s changed; their sessions were ended%s%s\n", argv[1],
		       generated ? "\nnew password: " : "", generated ? password : "");
	return VG_EXIT_OK;
}

int vg_cmd_user_disable(vg_cli *cli, int argc, char **argv)
{
	vg_user u;
	vg_db *db = NULL;
	vg_diag d;
	vg_err e;
	vg_audit_ctx ac;
	int rc;
	vg_diag_clear(&d);
	if (argc != 2 || argv[1][0] == '-')
		return vg_cli_usage(cli, "user", "disable");
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	vg_cli_audit_ctx(&ac);
	e = find_user(db, argv[1], &u, &d);
	if (!e)
		e = vg_user_disable(db, u.id, &ac, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (!cli->quiet)
		printf("user %s disabled: sessions ended, tokens revoked\n", argv[1]);
	return VG_EXIT_OK;
}

int vg_cmd_token_create(vg_cli *cli, int argc, char **argv)
{
	const char *name = "cli";
	int64_t days = cli->cfg.token_ttl_s / 86400;
	bool ro = false;
	char secret[VG_TOKEN_SECRET_SIZE];
	vg_token t;
	vg_user u;
	vg_db *db = NULL;
	vg_diag d;
	vg_err e;
	vg_audit_ctx ac;
	int arg, rc;
	const vg_cli_opt opts[] = {
		{"name", VG_OPT_STR, &name}, {"days", VG_OPT_I64, &days}, {"read-only", VG_OPT_FLAG, &ro}};
	vg_diag_clear(&d);
	if ((arg = vg_cli_options(cli, "token", "create", argc, argv, opts, 3, 1, 1)) < 0)
		return VG_EXIT_USAGE;
	if (days <= 0 || days > INT64_MAX / 86400) {
		fprintf(stderr, "%s: --days must be a positive number\n", cli->prog);
		return VG_EXIT_USAGE;
	}
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	vg_cli_audit_ctx(&ac);
	e = find_user(db, argv[arg], &u, &d);
	if (!e)
		e = vg_token_create(db, u.id, name, days * 86400, ro, &ac, secret, sizeof secret, &t, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (cli->json) {
		json_t *j = vg_token_json(&t, vg_time_now_ms());
		json_object_set_new(j, "token", json_string(secret));
		vg_cli_print_json(j);
	} else {
		char exp[VG_TIME_STRLEN];
		printf("token %lld for %s (%s, expires %s):\n%s\n(shown once)\n", (long long)t.id, u.username,
		       ro ? "read-only" : "read-write", vg_time_format(t.expires_at, exp, sizeof exp, false), secret);
	}
	return VG_EXIT_OK;
}

int vg_cmd_token_revoke(vg_cli *cli, int argc, char **argv)
{
	vg_db *db = NULL;
	vg_diag d;
	vg_err e;
	vg_audit_ctx ac;
	char *end;
	long long id;
	int rc;
	vg_diag_clear(&d);
	if (argc != 2)
		return vg_cli_usage(cli, "token", "revoke");
	id = strtoll(argv[1], &end, 10);
	if (*end || id <= 0)
		return vg_cli_usage(cli, "token", "revoke");
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	vg_cli_audit_ctx(&ac);
	e = vg_token_revoke(db, id, &ac, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (!cli->quiet)
		printf("token %lld revoked\n", id);
	return VG_EXIT_OK;
}

int vg_cmd_audit_verify(vg_cli *cli, int argc, char **argv)
{
	vg_audit_problem probs[100];
	int nprobs = 0, rc;
	int64_t checked = 0;
	vg_db *db = NULL;
	vg_diag d;
	vg_err e;
	(void)argv;
	vg_diag_clear(&d);
	if (argc > 1)
		return vg_cli_usage(cli, "audit", "verify");
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	e = vg_audit_verify(db, probs, 100, &nprobs, &checked, &d);
	vg_db_close(db);
	if (e && e != VG_ERR_INVALID)
		return vg_cli_fail(cli, e, &d);
	if (cli->json) {
		json_t *arr = json_array();
		for (int i = 0; i < nprobs; i++)
			json_array_append_new(arr, json_pack("{s:I, s:s}", "seq", (json_int_t)probs[i].seq, "what", probs[i].what));
		vg_cli_print_json(json_pack("{s:b, s:I, s:o}", "ok", e == VG_OK, "checked", (json_int_t)checked, "problems", arr));
	} else if (e == VG_OK) {
		if (!cli->quiet)
			printf("audit log intact: %lld entries verified\n", (long long)checked);
	} else {
		for (int i = 0; i < nprobs; i++)
			printf("entry %lld: %s\n", (long long)probs[i].seq, probs[i].what);
		printf("audit log BROKEN: %d problem%s in %lld entries\n", nprobs, nprobs == 1 ? "" : "s", (long long)checked);
	}
	return e ? VG_EXIT_INVALID : VG_EXIT_OK;
}
