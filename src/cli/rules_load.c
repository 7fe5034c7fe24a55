/* Loading what vigie hunt and vigie rules check share: field mappings (the
 * installed ones by default), rule problems printed as they come, IOC field
 * maps and indicator files. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/rules_load.h"

/* Where the shipped mappings are installed (sysconfdir/vigie/detect). */
static const char *const default_mapping_dirs[] = {"/etc/vigie/detect", "/usr/local/etc/vigie/detect"};
/* The installed IOC field map (etc/detect/ioc-fields.yml). */
static const char *const default_ioc_fields[] = {"/etc/vigie/detect/ioc/ioc-fields.yml",
						 "/usr/local/etc/vigie/detect/ioc/ioc-fields.yml"};

const char *vg_cli_rule_ref(const vg_rule_info *r)
{
	return r->id[0] ? r->id : r->name[0] ? r->name : r->title;
}

void vg_cli_print_rule_problem(void *ctx, const vg_diag *d)
{
	vg_cli_lint *l = ctx;
	char msg[800];
	if (!l->verbose && d->code == VG_OK)
		return;
	if (l->cli->quiet && d->code == VG_OK)
		return;
	vg_diag_format(d, msg, sizeof(msg));
	fprintf(stderr, "%s: %s%s\n", l->cli->prog, d->code == VG_OK ? "warning: " : "", msg);
	l->shown++;
}

int vg_cli_load_mappings(vg_cli *cli, vg_ruleset *rs, char **maps, size_t nmaps, bool *routed)
{
	vg_diag d;
	vg_err e;
	*routed = false;
	for (size_t i = 0; i < nmaps; i++) {
		char *path = vg_cli_mapping_path(maps[i]);
		if (!path) {
			fprintf(stderr, "%s: --mapping %s: no such mapping (a file, or a name among the installed ones)\n",
				cli->prog, maps[i]);
			return VG_EXIT_USAGE;
		}
		e = vg_ruleset_load_mapping(rs, path, &d);
		free(path);
		if (e)
			return vg_cli_fail(cli, e, &d);
		*routed = true;
	}
	if (nmaps)
		return VG_EXIT_OK;
	/* default: the installed mappings, if any */
	const char *dir = getenv("VIGIE_DETECT_MAPPINGS");
	DIR *dh = dir ? opendir(dir) : NULL;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	for (size_t i = 0; !dir && !dh && i < sizeof(default_mapping_dirs) / sizeof(default_mapping_dirs[0]); i++)
		if ((dh = opendir(default_mapping_dirs[i])))
			dir = default_mapping_dirs[i];
	if (!dh)
		return VG_EXIT_OK;
	while ((de = readdir(dh))) {
		size_t l = strlen(de->d_name);
		char **nn;
		if (l < 5 || strcmp(de->d_name + l - 4, ".yml") != 0 || !(nn = realloc(names, (n + 1) * sizeof(*nn))))
			continue;
		names = nn;
		if (asprintf(&names[n], "%s/%s", dir, de->d_name) >= 0)
			n++;
	}
	closedir(dh);
	int rc = VG_EXIT_OK;
	for (size_t i = 0; i < n; i++) {
		if (rc == VG_EXIT_OK && (e = vg_ruleset_load_mapping(rs, names[i], &d)))
			rc = vg_cli_fail(cli, e, &d);
		else
			*routed = true;
		free(names[i]);
	}
	free(names);
	return rc;
}

static void print_ioc_problem(void *ctx, const vg_diag *d)
{
	vg_cli_lint *l = ctx;
	char msg[800];
	if (l->cli->quiet || (!l->verbose && l->shown >= 50))
		return;
	vg_diag_format(d, msg, sizeof(msg));
	fprintf(stderr, "%s: %s\n", l->cli->prog, msg);
	if (++l->shown == 50 && !l->verbose)
		fprintf(stderr, "%s: (further indicator problems not shown; --verbose shows them all)\n", l->cli->prog);
}

/* IOC field maps, then the indicator files. */
int vg_cli_load_iocs(vg_cli *cli, vg_ruleset *rs, char **fields, size_t nfields, char **iocs, size_t niocs,
		     vg_ioc_type deftype, vg_cli_lint *l, vg_ioc_report *irep)
{
	vg_diag d;
	vg_err e;
	const char *env = getenv("VIGIE_IOC_FIELDS");
	vg_diag_clear(&d);
	if (!nfields) {
		for (size_t i = 0; !env && i < sizeof(default_ioc_fields) / sizeof(default_ioc_fields[0]); i++)
			if (access(default_ioc_fields[i], R_OK) == 0)
				env = default_ioc_fields[i];
		if (!env) {
			vg_diag_set(&d, VG_ERR_NOT_FOUND, "ioc-fields",
				    "no IOC field map installed: pass --ioc-fields FILE (etc/detect/ioc-fields.yml)");
			return vg_cli_fail(cli, VG_ERR_NOT_FOUND, &d);
		}
		if ((e = vg_ioc_load_fields(rs, env, &d)))
			return vg_cli_fail(cli, e, &d);
	}
	for (size_t i = 0; i < nfields; i++)
		if ((e = vg_ioc_load_fields(rs, fields[i], &d)))
			return vg_cli_fail(cli, e, &d);
	irep->problem = print_ioc_problem;
	irep->ctx = l;
	for (size_t i = 0; i < niocs; i++)
		if ((e = vg_ioc_load_path(rs, iocs[i], VG_IOC_FMT_AUTO, deftype, irep))) {
			vg_diag_set(&d, e, NULL, "cannot read indicators from %s", iocs[i]);
			return vg_cli_fail(cli, e, &d);
		}
	return VG_EXIT_OK;
}

