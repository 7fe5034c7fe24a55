/* CLI command prototypes for incidents. */
#ifndef VG_CLI_COMMANDS_INCIDENTS_H
#define VG_CLI_COMMANDS_INCIDENTS_H

#include "cli/cli.h"

int vg_cmd_incident_list(vg_cli *cli, int argc, char **argv);
int vg_cmd_incident_show(vg_cli *cli, int argc, char **argv);
int vg_cmd_incident_create(vg_cli *cli, int argc, char **argv);
int vg_cmd_incident_status(vg_cli *cli, int argc, char **argv);
int vg_cmd_incident_note(vg_cli *cli, int argc, char **argv);
int vg_cmd_incident_export(vg_cli *cli, int argc, char **argv);
int vg_cmd_incident_attach(vg_cli *cli, int argc, char **argv);

#endif
