/* CLI command prototypes for reports (cmd_reports.c). */
#ifndef VG_CLI_COMMANDS_REPORTS_H
#define VG_CLI_COMMANDS_REPORTS_H

#include "cli/cli.h"

int vg_cmd_mailgate(vg_cli *cli, int argc, char **argv);
int vg_cmd_report_list(vg_cli *cli, int argc, char **argv);
int vg_cmd_report_show(vg_cli *cli, int argc, char **argv);
int vg_cmd_report_triage(vg_cli *cli, int argc, char **argv);
int vg_cmd_report_outbox(vg_cli *cli, int argc, char **argv);
int vg_cmd_report_attach(vg_cli *cli, int argc, char **argv);

#endif
