/* Helpers shared by the CLI commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

int vg_cli_fail(vg_cli *cli, vg_err e, const vg_diag *d)
{
	char msg[1024];
	if (d && d->code) {
		vg_diag_format(d, msg, sizeof msg);
	} else {
		snprintf(msg, sizeof msg, "%s", vg_err_name(e));
	}
	fprintf(stderr, "%s: %s\n", cli->prog, msg);
	switch (e) {
	case VG_OK: return VG_EXIT_OK;
	case VG_ERR_NOT_FOUND: return VG_EXIT_NOT_FOUND;
	case VG_ERR_CONFLICT: return VG_EXIT_CONFLICT;
	case VG_ERR_INVALID:
	case VG_ERR_LIMIT:
	case VG_ERR_UNSUPPORTED: return VG_EXIT_INVALID;
	case VG_ERR_BUSY:
	case VG_ERR_TIMEOUT: return VG_EXIT_TEMPFAIL;
	default: return VG_EXIT_FAIL;
	}
}

static const vg_cli_cmd *find(const char *group, const char *name)
{
	for (const vg_cli_cmd *c = vg_cli_commands; c->name; c++) {
		if (strcmp(c->name, name) != 0)
			continue;
		if ((group == NULL) != (c->group == NULL))
			continue;
		if (group && strcmp(group, c->group) != 0)
			continue;
		return c;
	}
	return NULL;
}

static void print_help(vg_cli *cli, const vg_cli_cmd *c, FILE *f)
{
	fprintf(f, "Usage: %s %s%s%s %s\n\n%s\n", cli->prog, c->group ? c->group : "", c->group ? " " : "",
		c->name, c->args ? c->args : "", c->summary);
	if (c->help && *c->help)
		fprintf(f, "\nOptions:\n%s", c->help);
	fprintf(f, "\nGlobal options: --config FILE, --db PATH, --json, --log-level LEVEL, --quiet\n");
}

int vg_cli_usage(vg_cli *cli, const char *group, const char *name)
{
	const vg_cli_cmd *c = find(group, name);
	if (c)
		print_help(cli, c, stderr);
	return VG_EXIT_USAGE;
}

bool vg_cli_wants_help(vg_cli *cli, int argc, char **argv, const char *group, const char *name)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			const vg_cli_cmd *c = find(group, name);
			if (c)
				print_help(cli, c, stdout);
			return true;
		}
	}
	return false;
}

int vg_cli_open_db(vg_cli *cli, vg_db **db)
{
	vg_db_options o = {.sync_full = cli->cfg.db_sync_full != 0,
			   .busy_timeout_ms = (int)cli->cfg.db_busy_timeout_ms};
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	e = vg_db_open(cli->cfg.db, &o, db, &d);
	if (e)
		return vg_cli_fail(cli, e, &d);
	return VG_EXIT_OK;
}

void vg_cli_print_json(json_t *v)
{
	if (!v)
		return;
	json_dumpf(v, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII * 0);
	fputc('\n', stdout);
	json_decref(v);
}

vg_err vg_cli_read_file(const char *path, size_t max, char **out, size_t *len, vg_diag *d)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	vg_err e = VG_OK;
	*out = NULL;
	*len = 0;
	if (!f)
		return vg_diag_set(d, VG_ERR_IO, "file", "cannot open %s: %s", path, strerror(errno));
	for (;;) {
		size_t r;
		if (n == cap) {
			char *nb;
			if (cap > max) {
				e = vg_diag_set(d, VG_ERR_LIMIT, "file", "%s is larger than %zu bytes", path, max);
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
				goto out;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		e = vg_diag_set(d, VG_ERR_IO, "file", "cannot read %s", path);
		goto out;
	}
	if (n > max) {
		e = vg_diag_set(d, VG_ERR_LIMIT, "file", "%s is larger than %zu bytes", path, max);
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return e;
}

void vg_cli_audit_ctx(vg_audit_ctx *ac)
{
	static char actor[96];
	struct passwd *pw = getpwuid(getuid());
	snprintf(actor, sizeof actor, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");
	ac->actor_id = 0;
	ac->actor = actor;
	ac->ip = "";
	ac->request_id = "";
}

char *vg_cli_mapping_path(const char *arg)
{
	static const char *const dirs[] = {"/etc/vigie/detect", "/etc/vigie/detect/available",
					   "/usr/local/etc/vigie/detect", "/usr/local/etc/vigie/detect/available"};
	const char *env = getenv("VIGIE_DETECT_MAPPINGS");
	char *p = NULL;
	if (strchr(arg, '/') || strstr(arg, ".yml") || strstr(arg, ".yaml") || !*arg)
		return strdup(arg);
	for (size_t i = 0; i < 2 + sizeof dirs / sizeof dirs[0]; i++) {
		const char *dir = i == 0 ? env : i == 1 ? (env ? env : NULL) : dirs[i - 2];
		const char *sub = i == 1 ? "/available" : "";
		if (!dir)
			continue;
		if (asprintf(&p, "%s%s/%s.yml", dir, sub, arg) < 0)
			return NULL;
		if (access(p, R_OK) == 0)
			return p;
		free(p);
		p = NULL;
	}
	return NULL;
}
