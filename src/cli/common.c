/* Helpers shared by the CLI commands: failures and usage, the database,
 * files, declarative options (vg_cli_options) and tables (vg_cli_table_write,
 * vg_cli_print_list). */
#include <errno.h>
#include <getopt.h>
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

/* ---- options ---- */

int vg_cli_options(vg_cli *cli, const char *group, const char *name, int argc, char **argv, const vg_cli_opt *opts,
		   size_t nopts, int min_args, int max_args)
{
	struct option lo[VG_CLI_OPTS_MAX + 1];
	int c, nargs;
	if (nopts > VG_CLI_OPTS_MAX) {
		fprintf(stderr, "%s: more than %d options declared\n", cli->prog, VG_CLI_OPTS_MAX);
		return -1;
	}
	for (size_t i = 0; i < nopts; i++)
		lo[i] = (struct option){opts[i].name, opts[i].type == VG_OPT_FLAG ? no_argument : required_argument, NULL,
					256 + (int)i};
	lo[nopts] = (struct option){0, 0, 0, 0};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		const vg_cli_opt *o = c >= 256 && (size_t)(c - 256) < nopts ? &opts[c - 256] : NULL;
		char *end = NULL;
		long long v = 0;
		if (!o)
			goto usage;
		if (o->type != VG_OPT_FLAG && o->type != VG_OPT_STR) {
			errno = 0;
			v = strtoll(optarg, &end, 10);
			if (!*optarg || *end || errno || (o->type != VG_OPT_I64 && (v < 0 || v > INT32_MAX))) {
				fprintf(stderr, "%s: --%s takes a whole number\n", cli->prog, o->name);
				goto usage;
			}
		}
		switch (o->type) {
		case VG_OPT_FLAG: *(bool *)o->out = true; break;
		case VG_OPT_STR: *(const char **)o->out = optarg; break;
		case VG_OPT_I64: *(int64_t *)o->out = v; break;
		case VG_OPT_INT: *(int *)o->out = (int)v; break;
		case VG_OPT_SIZE: *(size_t *)o->out = (size_t)v; break;
		}
	}
	nargs = argc - optind;
	if (nargs >= min_args && (max_args < 0 || nargs <= max_args))
		return optind;
usage:
	vg_cli_usage(cli, group, name);
	return -1;
}

/* ---- tables ---- */

/* Display width of a UTF-8 string: its characters (continuation bytes skipped). */
static size_t text_width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xC0) != 0x80;
	return w;
}

/* Bytes of s that hold its first w characters. */
static size_t width_bytes(const char *s, size_t w)
{
	size_t i = 0;
	while (s[i] && w) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		w--;
	}
	return i;
}

/* The member of row named by key, "a.b" reading member b of member a. */
static json_t *member(json_t *row, const char *key)
{
	const char *dot;
	while (row && (dot = strchr(key, '.'))) {
		char part[64];
		snprintf(part, sizeof part, "%.*s", (int)(dot - key), key);
		row = json_object_get(row, part);
		key = dot + 1;
	}
	return json_object_get(row, key);
}

/* The text of a cell; numbers are written into num. */
static const char *cell(const vg_cli_col *c, json_t *row, char *num, size_t numsz)
{
	json_t *v = member(row, c->key);
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(num, numsz, "%lld", (long long)json_integer_value(v));
		return num;
	}
	if (json_is_real(v)) {
		snprintf(num, numsz, "%.2f", json_real_value(v));
		return num;
	}
	if (json_is_boolean(v))
		return json_is_true(v) ? (c->yes ? c->yes : "yes") : (c->no ? c->no : "no");
	return "";
}

/* Cells are cut to max characters on a terminal, with an ellipsis. */
static size_t cell_width(const vg_cli_col *c, const char *s, bool tty)
{
	size_t w = text_width(s, strlen(s));
	return tty && c->max > 0 && w > (size_t)c->max ? (size_t)c->max : w;
}

/* Spaces are held in *pend and written only before something else, so that
 * no line ends in blanks. */
static void put_cell(FILE *f, const vg_cli_col *c, const char *s, size_t width, bool tty, size_t *pend)
{
	size_t w = text_width(s, strlen(s)), n = strlen(s), pad;
	bool cut = tty && c->max > 0 && w > (size_t)c->max;
	if (cut) {
		n = width_bytes(s, (size_t)c->max - 1);
		w = (size_t)c->max;
	}
	pad = width > w ? width - w : 0;
	if (c->right)
		*pend += pad;
	if (n) {
		fprintf(f, "%*s", (int)*pend, "");
		*pend = 0;
	}
	/* control characters (a subject's escape sequences, newlines) would break the table */
	for (size_t i = 0; i < n; i++)
		fputc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i], f);
	if (cut)
		fputs("\xE2\x80\xA6", f); /* … */
	if (!c->right)
		*pend += pad;
}

void vg_cli_table_write(FILE *f, bool tty, const vg_cli_col *cols, size_t ncols, json_t *rows)
{
	size_t width[VG_CLI_COLS_MAX], i, pend = 0;
	char num[32];
	json_t *row;
	if (ncols > VG_CLI_COLS_MAX)
		ncols = VG_CLI_COLS_MAX;
	for (size_t k = 0; k < ncols; k++) {
		width[k] = text_width(cols[k].header, strlen(cols[k].header));
		json_array_foreach(rows, i, row) {
			size_t w = cell_width(&cols[k], cell(&cols[k], row, num, sizeof num), tty);
			if (w > width[k])
				width[k] = w;
		}
	}
	for (size_t k = 0; k < ncols; k++) {
		vg_cli_col h = cols[k];
		h.max = 0;
		put_cell(f, &h, cols[k].header, width[k], tty, &pend);
		pend += 2;
	}
	fputc('\n', f);
	json_array_foreach(rows, i, row) {
		pend = 0;
		for (size_t k = 0; k < ncols; k++) {
			put_cell(f, &cols[k], cell(&cols[k], row, num, sizeof num), width[k], tty, &pend);
			pend += 2;
		}
		fputc('\n', f);
	}
}

int vg_cli_print_list(vg_cli *cli, json_t *doc, const vg_cli_col *cols, size_t ncols, const char *more)
{
	json_t *next = json_object_get(doc, "next_cursor");
	if (cli->json) {
		vg_cli_print_json(doc);
		return VG_EXIT_OK;
	}
	vg_cli_table_write(stdout, isatty(STDOUT_FILENO), cols, ncols,
			   json_is_array(doc) ? doc : json_object_get(doc, "items"));
	if (more && json_is_string(next))
		fprintf(stderr, "more: %s %s\n", more, json_string_value(next));
	else if (more && json_is_integer(next))
		fprintf(stderr, "more: %s %lld\n", more, (long long)json_integer_value(next));
	json_decref(doc);
	return VG_EXIT_OK;
}
