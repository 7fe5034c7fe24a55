/* CLI command prototypes for observables. */
#ifndef VG_CLI_COMMANDS_OBSERVABLES_H
#define VG_CLI_COMMANDS_OBSERVABLES_H

#include "cli/cli.h"

int vg_cmd_observable_extract(vg_cli *cli, int argc, char **argv);
int vg_cmd_observable_related(vg_cli *cli, int argc, char **argv);
int vg_cmd_observable_list(vg_cli *cli, int argc, char **argv);

#endif
