/* vigie: entry point. Global options may appear anywhere on the line:
 *   --config FILE  (or VIGIE_CONFIG)   --db PATH (or VIGIE_DB)
 *   --json   --quiet   --log-level LEVEL   --help   --version
 * Then a command: `vigie serve`, `vigie db migrate`, `vigie org add ...`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"

extern char **environ;

#ifndef VIGIE_VERSION
#define VIGIE_VERSION "0.1.0"
#endif

static void print_overview(const char *prog, FILE *f)
{
	const char *group = "";
	fprintf(f, "Vigie %s — operations platform for CERTs and CSIRTs\n\n", VIGIE_VERSION);
	fprintf(f, "Usage: %s [--config FILE] [--db PATH] [--json] COMMAND [ARGS]\n\n", prog);
	fprintf(f, "Commands:\n");
	for (const vg_cli_cmd *c = vg_cli_commands; c->name; c++) {
		const char *g = c->group ? c->group : "";
		if (strcmp(g, group) != 0 && (*g || *group))
			fputc('\n', f);
		group = g;
		fprintf(f, "  %s%s%-*s %s\n", c->group ? c->group : "", c->group ? " " : "",
			c->group ? (int)(22 - strlen(c->group) - 1) : 22, c->name, c->summary);
	}
	fprintf(f, "\nGlobal options:\n"
		   "  --config FILE      configuration file (also VIGIE_CONFIG)\n"
		   "  --db PATH          database (also VIGIE_DB); default ./var/vigie.db\n"
		   "  --json             machine-readable output\n"
		   "  --log-level LEVEL  debug, info, warn, error, off\n"
		   "  -q, --quiet        less output\n"
		   "\nRun '%s COMMAND --help' for a command's options. See vigie(1).\n",
		prog);
}

static int take_value(int *i, int argc, char **argv, const char **out)
{
	const char *a = argv[*i], *eq = strchr(a, '=');
	if (eq) {
		*out = eq + 1;
		return 0;
	}
	if (*i + 1 >= argc)
		return -1;
	*out = argv[++*i];
	return 0;
}

int main(int argc, char **argv)
{
	vg_cli cli = {0};
	vg_diag d;
	const char *db = NULL, *log_level = NULL;
	char **rest = calloc((size_t)argc + 1, sizeof *rest);
	int nrest = 0, rc = VG_EXIT_USAGE;
	bool help = false, options_done = false;
	const vg_cli_cmd *cmd = NULL;

	vg_diag_clear(&d);
	cli.prog = "vigie";
	if (!rest)
		return VG_EXIT_FAIL;
	cli.config_path = getenv("VIGIE_CONFIG");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (options_done || a[0] != '-') {
			rest[nrest++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			options_done = true;
			rest[nrest++] = argv[i];
		} else if (!strncmp(a, "--config", 8) && (a[8] == '\0' || a[8] == '=')) {
			if (take_value(&i, argc, argv, &cli.config_path))
				goto usage;
		} else if (!strncmp(a, "--db", 4) && (a[4] == '\0' || a[4] == '=')) {
			if (take_value(&i, argc, argv, &db))
				goto usage;
		} else if (!strncmp(a, "--log-level", 11) && (a[11] == '\0' || a[11] == '=')) {
			if (take_value(&i, argc, argv, &log_level))
				goto usage;
		} else if (!strcmp(a, "--json")) {
			cli.json = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			cli.quiet = true;
		} else if (!strcmp(a, "--version")) {
			printf("vigie %s\n", VIGIE_VERSION);
			rc = 0;
			goto out;
		} else {
			if (!strcmp(a, "-h") || !strcmp(a, "--help"))
				help = true;
			rest[nrest++] = argv[i];
		}
	}
	if (nrest == 0 || (help && nrest == 1 && rest[0][0] == '-') ||
	    (nrest >= 1 && !strcmp(rest[0], "help"))) {
		print_overview(cli.prog, nrest ? stdout : stderr);
		rc = nrest ? VG_EXIT_OK : VG_EXIT_USAGE;
		goto out;
	}

	/* configuration: defaults, file, environment, flags */
	vg_config_defaults(&cli.cfg);
	if (cli.config_path && vg_config_load_file(&cli.cfg, cli.config_path, &d)) {
		rc = vg_cli_fail(&cli, d.code, &d);
		goto out;
	}
	if (vg_config_load_env(&cli.cfg, environ, &d)) {
		rc = vg_cli_fail(&cli, d.code, &d);
		goto out;
	}
	if (db && vg_config_set(&cli.cfg, "db", db, &d)) {
		rc = vg_cli_fail(&cli, d.code, &d);
		goto out;
	}
	if (log_level && vg_config_set(&cli.cfg, "log_level", log_level, &d)) {
		rc = vg_cli_fail(&cli, d.code, &d);
		goto out;
	}
	vg_log_setup((vg_log_level)cli.cfg.log_level, cli.cfg.log_json != 0, stderr);
	if (cli.quiet && cli.cfg.log_level < VG_LOG_WARN && !log_level)
		vg_log_setup(VG_LOG_WARN, cli.cfg.log_json != 0, stderr);

	/* find the command: "serve" or "db migrate" */
	for (const vg_cli_cmd *c = vg_cli_commands; c->name; c++) {
		if (!c->group && !strcmp(c->name, rest[0])) {
			cmd = c;
			break;
		}
		if (c->group && !strcmp(c->group, rest[0]) && nrest >= 2 && !strcmp(c->name, rest[1])) {
			cmd = c;
			break;
		}
	}
	if (!cmd) {
		bool is_group = false;
		for (const vg_cli_cmd *c = vg_cli_commands; c->name; c++)
			if (c->group && !strcmp(c->group, rest[0]))
				is_group = true;
		if (is_group) {
			fprintf(stderr, "%s %s: expected one of:", cli.prog, rest[0]);
			for (const vg_cli_cmd *c = vg_cli_commands; c->name; c++)
				if (c->group && !strcmp(c->group, rest[0]))
					fprintf(stderr, " %s", c->name);
			fputc('\n', stderr);
			rc = (nrest >= 2 && !help) ? VG_EXIT_USAGE : (help ? VG_EXIT_OK : VG_EXIT_USAGE);
		} else {
			fprintf(stderr, "%s: unknown command '%s' (see '%s --help')\n", cli.prog, rest[0], cli.prog);
			rc = VG_EXIT_USAGE;
		}
		goto out;
	}
	{
		int skip = cmd->group ? 1 : 0; /* argv[0] of the command is its name */
		char **cargv = rest + skip;
		int cargc = nrest - skip;
		if (vg_cli_wants_help(&cli, cargc, cargv, cmd->group, cmd->name)) {
			rc = VG_EXIT_OK;
			goto out;
		}
		rc = cmd->fn(&cli, cargc, cargv);
	}
	goto out;
usage:
	fprintf(stderr, "%s: option %s needs a value\n", cli.prog, argv[argc - 1]);
	rc = VG_EXIT_USAGE;
out:
	free(rest);
	return rc;
}
