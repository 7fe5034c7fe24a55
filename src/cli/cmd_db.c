/* vigie db migrate|status|backup|check, vigie config show. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/clock.h"

int vg_cmd_db_migrate(vg_cli *cli, int argc, char **argv)
{
	vg_db_options o = {.sync_full = true, .busy_timeout_ms = (int)cli->cfg.db_busy_timeout_ms, .no_migrate = true};
	static const struct option opts[] = {{"to", required_argument, NULL, 't'}, {0, 0, 0, 0}};
	vg_db *db = NULL;
	vg_diag d;
	int target = 0, applied = 0, before = 0, after = 0, c;
	vg_err e;
	vg_diag_clear(&d);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't') {
			target = atoi(optarg);
			if (target <= 0 || target > vg_schema_latest()) {
				fprintf(stderr, "%s: --to must be between 1 and %d\n", cli->prog, vg_schema_latest());
				return VG_EXIT_USAGE;
			}
		} else {
			return vg_cli_usage(cli, "db", "migrate");
		}
	}
	e = vg_db_open(cli->cfg.db, &o, &db, &d);
	if (!e)
		e = vg_db_schema_version(db, &before, &d);
	if (!e && target && before > target)
		e = vg_diag_set(&d, VG_ERR_UNSUPPORTED, "to",
				"migrations only go forward: the database is at version %d", before);
	if (!e)
		e = vg_db_migrate(db, target, &applied, &d);
	if (!e)
		e = vg_db_schema_version(db, &after, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (cli->json) {
		json_t *j = json_pack("{s:i, s:i, s:i, s:i}", "from", before, "to", after, "applied", applied,
				      "latest", vg_schema_latest());
		vg_cli_print_json(j);
	} else if (!cli->quiet) {
		printf("schema version %d -> %d (%d migration%s applied; latest %d)\n", before, after, applied,
		       applied == 1 ? "" : "s", vg_schema_latest());
	}
	return VG_EXIT_OK;
}

int vg_cmd_db_status(vg_cli *cli, int argc, char **argv)
{
	vg_db_options o = {.sync_full = true, .readonly = true, .no_migrate = true};
	vg_db *db = NULL;
	vg_diag d;
	int version = 0;
	vg_err e;
	vg_stmt *st = NULL;
	json_t *applied = json_array();
	(void)argv;
	vg_diag_clear(&d);
	if (argc > 1)
		return vg_cli_usage(cli, "db", "status");
	e = vg_db_open(cli->cfg.db, &o, &db, &d);
	if (e)
		goto out;
	e = vg_db_prepare(db, "SELECT version, name, applied_at FROM schema_migrations ORDER BY version", &st, &d);
	if (e) {
		/* a database never migrated has no table: version 0 */
		vg_diag_clear(&d);
		e = VG_OK;
	} else {
		while (vg_stmt_step(st, &d) == VG_ROW) {
			version = (int)vg_stmt_int(st, 0);
			json_array_append_new(applied, json_pack("{s:i, s:s, s:s}", "version", version, "name",
								 vg_stmt_text(st, 1), "applied_at", vg_stmt_text(st, 2)));
		}
		vg_stmt_done(st);
	}
	if (cli->json) {
		json_t *pending = json_array();
		for (const vg_migration *m = vg_migrations; m->version; m++)
			if (m->version > version)
				json_array_append_new(pending, json_pack("{s:i, s:s}", "version", m->version, "name", m->name));
		vg_cli_print_json(json_pack("{s:s, s:s, s:i, s:i, s:I, s:o, s:o}", "database", cli->cfg.db, "backend",
					    vg_db_backend_name(db), "version", version, "latest", vg_schema_latest(),
					    "size_bytes", (json_int_t)vg_db_size(db), "applied", json_incref(applied),
					    "pending", pending));
	} else {
		size_t i;
		json_t *m;
		printf("database: %s (%s, %lld bytes)\n", cli->cfg.db, vg_db_backend_name(db), (long long)vg_db_size(db));
		printf("schema version: %d (this binary: %d)\n", version, vg_schema_latest());
		json_array_foreach(applied, i, m)
			printf("  applied  %04lld %-28s %s\n", (long long)json_integer_value(json_object_get(m, "version")),
			       json_string_value(json_object_get(m, "name")), json_string_value(json_object_get(m, "applied_at")));
		for (const vg_migration *mg = vg_migrations; mg->version; mg++)
			if (mg->version > version)
				printf("  pending  %04d %s\n", mg->version, mg->name);
		if (version > vg_schema_latest())
			printf("warning: the database is newer than this binary\n");
	}
out:
	json_decref(applied);
	vg_db_close(db);
	return e ? vg_cli_fail(cli, e, &d) : VG_EXIT_OK;
}

int vg_cmd_db_backup(vg_cli *cli, int argc, char **argv)
{
	vg_db_options o = {.sync_full = true, .no_migrate = true};
	vg_db *db = NULL;
	vg_diag d;
	vg_err e;
	uint64_t t0 = vg_time_mono_ns();
	vg_diag_clear(&d);
	if (argc != 2 || argv[1][0] == '-')
		return vg_cli_usage(cli, "db", "backup");
	e = vg_db_open(cli->cfg.db, &o, &db, &d);
	if (!e)
		e = vg_db_backup(db, argv[1], &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (!cli->quiet)
		printf("backup written to %s in %.1f ms\n", argv[1], (double)(vg_time_mono_ns() - t0) / 1e6);
	return VG_EXIT_OK;
}

int vg_cmd_db_check(vg_cli *cli, int argc, char **argv)
{
	vg_db_options o = {.sync_full = true, .readonly = true, .no_migrate = true};
	vg_db *db = NULL;
	vg_diag d;
	char *report = NULL;
	int version = 0;
	vg_err e;
	(void)argv;
	vg_diag_clear(&d);
	if (argc > 1)
		return vg_cli_usage(cli, "db", "check");
	e = vg_db_open(cli->cfg.db, &o, &db, &d);
	if (!e)
		e = vg_db_check(db, &report, &d);
	if (!e || e == VG_ERR_DB) {
		vg_diag d2;
		if (vg_db_schema_version(db, &version, &d2) == VG_OK && version != vg_schema_latest() && !e)
			e = vg_diag_set(&d, VG_ERR_INVALID, "schema", "schema version %d, expected %d (run vigie db migrate)",
					version, vg_schema_latest());
	}
	vg_db_close(db);
	if (report && *report)
		fputs(report, stdout);
	free(report);
	if (e) {
		int rc = vg_cli_fail(cli, e, &d);
		return rc == VG_EXIT_FAIL ? VG_EXIT_INVALID : rc;
	}
	if (!cli->quiet)
		printf("ok: integrity and foreign keys verified\n");
	return VG_EXIT_OK;
}

int vg_cmd_config_show(vg_cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return vg_cli_usage(cli, "config", "show");
	if (cli->json) {
		json_t *o = json_object();
		for (const vg_cfg_key *k = vg_config_keys; k->name; k++) {
			char v[VG_CONFIG_VALUE_MAX];
			vg_config_get_text(&cli->cfg, k, v, sizeof v);
			json_object_set_new(o, k->name, json_string(v));
		}
		vg_cli_print_json(o);
		return VG_EXIT_OK;
	}
	for (const vg_cfg_key *k = vg_config_keys; k->name; k++) {
		char v[VG_CONFIG_VALUE_MAX];
		vg_config_get_text(&cli->cfg, k, v, sizeof v);
		printf("%-20s = %s\n", k->name, v);
	}
	return VG_EXIT_OK;
}
