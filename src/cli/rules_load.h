/* What vigie hunt and vigie rules check share (rules_load.c). */
#ifndef VG_CLI_RULES_LOAD_H
#define VG_CLI_RULES_LOAD_H
#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"
#include "detect/ioc.h"
#include "detect/sigma.h"

/* Problem printing state: warnings only with verbose; IOC problems capped. */
typedef struct vg_cli_lint {
	vg_cli *cli;
	size_t shown;
	bool verbose;
} vg_cli_lint;

/* The rule's id, else its name, else its title. */
const char *vg_cli_rule_ref(const vg_rule_info *r);
/* A vg_load_report problem callback (ctx: vg_cli_lint). */
void vg_cli_print_rule_problem(void *ctx, const vg_diag *d);
/* --mapping files or names (vg_cli_mapping_path), else every *.yml of the
 * installed mapping folder; *routed tells whether any mapping was loaded. */
int vg_cli_load_mappings(vg_cli *cli, vg_ruleset *rs, char **maps, size_t nmaps, bool *routed);
/* IOC field maps (--ioc-fields, else $VIGIE_IOC_FIELDS, else the installed
 * one), then the indicator files, problems printed through l. */
int vg_cli_load_iocs(vg_cli *cli, vg_ruleset *rs, char **fields, size_t nfields, char **iocs, size_t niocs,
		     vg_ioc_type deftype, vg_cli_lint *l, vg_ioc_report *irep);

#endif
