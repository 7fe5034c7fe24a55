/* The vigie command line: a table of commands (commands.c), global options
 * (--config, --db, --json, --log-level) understood by every command, helpers
 * shared by the command implementations. */
#ifndef VG_CLI_CLI_H
#define VG_CLI_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/audit.h"
#include "core/config.h"
#include "core/err.h"
#include "store/store.h"

/* Exit codes (documented in vigie(1)). */
enum {
	VG_EXIT_OK = 0,
	VG_EXIT_FAIL = 1,      /* the operation failed */
	VG_EXIT_USAGE = 2,     /* bad command line */
	VG_EXIT_NOT_FOUND = 3, /* the named object does not exist */
	VG_EXIT_CONFLICT = 4,  /* it already exists / state conflict */
	VG_EXIT_INVALID = 5,   /* bad input data, or a check found problems */
	VG_EXIT_TEMPFAIL = 75, /* temporary failure: retry (EX_TEMPFAIL) */
};

typedef struct vg_cli {
	vg_config cfg;
	const char *config_path; /* NULL when none */
	bool json;               /* --json output */
	bool quiet;
	const char *prog;
} vg_cli;

typedef int (*vg_cli_fn)(vg_cli *cli, int argc, char **argv);

typedef struct vg_cli_cmd {
	const char *group;   /* "db", "org", ... or NULL for top-level commands */
	const char *name;    /* "migrate", "serve" */
	vg_cli_fn fn;
	const char *args;    /* usage after the command name */
	const char *summary;
	const char *help;    /* options, one per line */
} vg_cli_cmd;

extern const vg_cli_cmd vg_cli_commands[];

/* Map an error to an exit code, after printing the diagnostic on stderr. */
int vg_cli_fail(vg_cli *cli, vg_err e, const vg_diag *d);
/* Print usage of one command on stderr and return VG_EXIT_USAGE. */
int vg_cli_usage(vg_cli *cli, const char *group, const char *name);
/* True when argv holds -h/--help: prints the command's help and exits 0. */
bool vg_cli_wants_help(vg_cli *cli, int argc, char **argv, const char *group, const char *name);
/* Open the configured database (migrating it). */
int vg_cli_open_db(vg_cli *cli, vg_db **db);
/* Print a JSON value to stdout (pretty) and free it. */
void vg_cli_print_json(json_t *v);
/* Read a whole file (or "-" for stdin) up to max bytes. */
/* A --mapping argument: a path is used as is; a bare name ("suricata") is
 * looked up as NAME.yml in $VIGIE_DETECT_MAPPINGS, then in the installed
 * mapping folders and their "available/" subfolders (mappings that are not
 * loaded by default). Returns a malloc'ed path, or NULL when not found. */
char *vg_cli_mapping_path(const char *arg);
vg_err vg_cli_read_file(const char *path, size_t max, char **out, size_t *len, vg_diag *d);

/* Options of a command, declared instead of a getopt_long loop: long options
 * only, each storing into out (bool *, const char **, int64_t *, int *, size_t *). */
typedef enum vg_cli_opt_type { VG_OPT_FLAG, VG_OPT_STR, VG_OPT_I64, VG_OPT_INT, VG_OPT_SIZE } vg_cli_opt_type;
typedef struct vg_cli_opt {
	const char *name; /* without the leading "--" */
	vg_cli_opt_type type;
	void *out;
} vg_cli_opt;
#define VG_CLI_OPTS_MAX 24 /* options of one command (a table on the stack): the largest has 7 */
#define VG_CLI_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* Parse argv's options into opts[].out and check that between min_args and
 * max_args (-1: any) operands remain. Numbers must be whole (INT and SIZE:
 * 0 to 2^31-1). Returns the index of the first operand, or -1 after printing
 * the command's usage on stderr (then exit with VG_EXIT_USAGE). */
int vg_cli_options(vg_cli *cli, const char *group, const char *name, int argc, char **argv, const vg_cli_opt *opts,
		   size_t nopts, int min_args, int max_args);

/* One column of a text table: its header and the member of each row object
 * that fills it ("reporter.email" reads a nested member). Strings print as
 * they are, integers in decimal, reals with two decimals, booleans as yes/no
 * (or the texts given), null and absent members as nothing. */
typedef struct vg_cli_col {
	const char *header;
	const char *key;
	int max;              /* on a terminal, longer cells are cut to max characters with "…"; 0: never */
	bool right;           /* right-aligned (numbers) */
	const char *yes, *no; /* booleans; NULL: "yes", "no" */
} vg_cli_col;
#define VG_CLI_COLS_MAX 16
/* rows (a JSON array of objects) as a table on f: a header line, then a line
 * per row; every column as wide as its widest cell (in UTF-8 characters), two
 * spaces apart, the last one not padded; control characters print as spaces.
 * Cells are cut to their column's max only when tty. */
void vg_cli_table_write(FILE *f, bool tty, const vg_cli_col *cols, size_t ncols, json_t *rows);
/* The output of a list command, and frees doc. --json: doc itself (pretty);
 * otherwise the table of its "items" (of doc when it is an array) on stdout,
 * cut on a terminal, and when more is set ("--cursor") and doc has a
 * next_cursor, "more: --cursor NEXT" on stderr. Returns VG_EXIT_OK. */
int vg_cli_print_list(vg_cli *cli, json_t *doc, const vg_cli_col *cols, size_t ncols, const char *more);

/* Audit context for changes made from the shell: actor "cli:<login name>". */
void vg_cli_audit_ctx(vg_audit_ctx *ac);

/* Progress bar on stderr when it is a terminal (no-op otherwise). */
typedef struct vg_progress vg_progress;
vg_progress *vg_progress_new(const char *label, uint64_t total, const char *unit);
void vg_progress_update(vg_progress *p, uint64_t done);
void vg_progress_free(vg_progress *p); /* finishes the line; NULL-safe */

/* Command implementations. */
int vg_cmd_serve(vg_cli *cli, int argc, char **argv);
int vg_cmd_setup(vg_cli *cli, int argc, char **argv);
int vg_cmd_config_show(vg_cli *cli, int argc, char **argv);
int vg_cmd_routes(vg_cli *cli, int argc, char **argv);
int vg_cmd_db_migrate(vg_cli *cli, int argc, char **argv);
int vg_cmd_db_status(vg_cli *cli, int argc, char **argv);
int vg_cmd_db_backup(vg_cli *cli, int argc, char **argv);
int vg_cmd_db_check(vg_cli *cli, int argc, char **argv);
int vg_cmd_org_add(vg_cli *cli, int argc, char **argv);
int vg_cmd_org_list(vg_cli *cli, int argc, char **argv);
int vg_cmd_org_show(vg_cli *cli, int argc, char **argv);
int vg_cmd_org_import(vg_cli *cli, int argc, char **argv);
int vg_cmd_org_export(vg_cli *cli, int argc, char **argv);
int vg_cmd_org_lookup(vg_cli *cli, int argc, char **argv);
int vg_cmd_user_add(vg_cli *cli, int argc, char **argv);
int vg_cmd_user_list(vg_cli *cli, int argc, char **argv);
int vg_cmd_user_passwd(vg_cli *cli, int argc, char **argv);
int vg_cmd_user_disable(vg_cli *cli, int argc, char **argv);
int vg_cmd_token_create(vg_cli *cli, int argc, char **argv);
int vg_cmd_token_revoke(vg_cli *cli, int argc, char **argv);
int vg_cmd_audit_verify(vg_cli *cli, int argc, char **argv);
int vg_cmd_detect(vg_cli *cli, int argc, char **argv);
int vg_cmd_hunt(vg_cli *cli, int argc, char **argv);
int vg_cmd_rules_check(vg_cli *cli, int argc, char **argv);

#endif
