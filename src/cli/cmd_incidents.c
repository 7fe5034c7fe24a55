/* vigie incident list|show|create|status|note|attach|export: incidents from the
 * shell, for scripting (--json). Works on the database directly; every change
 * is audited as "cli:<login>". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cli/cli.h"
#include "cli/commands_incidents.h"
#include "core/json.h"
#include "core/limits.h"

static int open_db(vg_cli *cli, vg_db **db)
{
	vg_diag d;
	if (vg_cases_configure_from(&cli->cfg, &d))
		return vg_cli_fail(cli, VG_ERR_INVALID, &d);
	return vg_cli_open_db(cli, db);
}

/* "42" or "VIGIE-2026-000042". */
static vg_err resolve(vg_db *db, const char *ref, int64_t *id, vg_diag *d)
{
	char *end;
	long long v = strtoll(ref, &end, 10);
	int64_t org;
	if (*ref && !*end && v > 0) {
		*id = v;
		return vg_incident_org(db, v, &org, d);
	}
	return vg_incident_by_ref(db, ref, id, d);
}

/* TEXT, or "-" for standard input. */
static char *text_arg(const char *s, vg_diag *d)
{
	char *buf = NULL;
	size_t len;
	if (strcmp(s, "-") != 0)
		return strdup(s);
	if (vg_cli_read_file("-", VG_JOURNAL_BODY_MAX, &buf, &len, d))
		return NULL;
	return buf;
}

int vg_cmd_incident_list(vg_cli *cli, int argc, char **argv)
{
	static const vg_cli_col cols[] = {
		{.header = "REFERENCE", .key = "reference"}, {.header = "STATUS", .key = "status"},
		{.header = "SEVERITY", .key = "severity"}, {.header = "TYPE", .key = "type"},
		{.header = "TITLE", .key = "title", .max = 80},
	};
	vg_incident_filter f;
	json_t *out = NULL;
	vg_db *db;
	vg_diag d;
	int rc;
	vg_incident_filter_init(&f);
	const vg_cli_opt opts[] = {
		{"status", VG_OPT_STR, &f.status}, {"org", VG_OPT_I64, &f.org_id}, {"severity", VG_OPT_STR, &f.severity},
		{"type", VG_OPT_STR, &f.type},     {"query", VG_OPT_STR, &f.q},    {"limit", VG_OPT_INT, &f.limit},
		{"cursor", VG_OPT_STR, &f.cursor},
	};
	if (vg_cli_options(cli, "incident", "list", argc, argv, opts, VG_CLI_ARRAY_LEN(opts), 0, 0) < 0)
		return VG_EXIT_USAGE;
	if ((rc = open_db(cli, &db)) != 0)
		return rc;
	vg_err e = vg_incident_list_json(db, &f, &out, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	return vg_cli_print_list(cli, out, cols, VG_CLI_ARRAY_LEN(cols), "--cursor");
}

int vg_cmd_incident_show(vg_cli *cli, int argc, char **argv)
{
	json_t *out = NULL;
	int64_t id;
	vg_db *db;
	vg_diag d;
	vg_err e;
	int rc;
	if (argc != 2)
		return vg_cli_usage(cli, "incident", "show");
	if ((rc = open_db(cli, &db)) != 0)
		return rc;
	if (!(e = resolve(db, argv[1], &id, &d)))
		e = vg_incident_get_json(db, id, false, true, &out, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (cli->json) {
		vg_cli_print_json(out);
		return VG_EXIT_OK;
	}
	printf("%s  %s\n", json_string_value(json_object_get(out, "reference")),
	       json_string_value(json_object_get(out, "title")));
	printf("status %s, severity %s, %s/%s, TLP:%s\n", json_string_value(json_object_get(out, "status")),
	       json_string_value(json_object_get(out, "severity")), json_string_value(json_object_get(out, "taxonomy")),
	       json_string_value(json_object_get(out, "type")), json_string_value(json_object_get(out, "tlp")));
	json_t *a = json_object_get(out, "deadlines"), *it;
	size_t i;
	json_array_foreach(a, i, it) {
		printf("deadline %-20s due %s%s%s\n", json_string_value(json_object_get(it, "name")),
		       json_string_value(json_object_get(it, "due_at")),
		       json_is_true(json_object_get(it, "met")) ? " (met)" : "",
		       json_is_true(json_object_get(it, "overdue")) ? " OVERDUE" : "");
	}
	a = json_object_get(out, "journal");
	json_array_foreach(a, i, it) {
		printf("\n[%s] %s%s\n%s\n", json_string_value(json_object_get(it, "created_at")),
		       json_string_value(json_object_get(it, "kind")),
		       json_is_true(json_object_get(it, "visible")) ? " (visible)" : "",
		       json_string_value(json_object_get(it, "body")));
	}
	json_decref(out);
	return VG_EXIT_OK;
}

int vg_cmd_incident_create(vg_cli *cli, int argc, char **argv)
{
	json_t *doc = json_object(), *out = NULL;
	const char *type = NULL, *severity = NULL, *tlp = NULL, *desc_arg = NULL;
	vg_audit_ctx ac;
	int64_t id = 0, org = INT64_MIN; /* none */
	vg_db *db;
	vg_diag d;
	vg_err e;
	int arg, rc;
	char *desc;
	const vg_cli_opt opts[] = {
		{"org", VG_OPT_I64, &org},        {"type", VG_OPT_STR, &type},
		{"severity", VG_OPT_STR, &severity}, {"tlp", VG_OPT_STR, &tlp},
		{"description", VG_OPT_STR, &desc_arg},
	};
	vg_diag_clear(&d);
	if ((arg = vg_cli_options(cli, "incident", "create", argc, argv, opts, VG_CLI_ARRAY_LEN(opts), 1, 1)) < 0) {
		json_decref(doc);
		return VG_EXIT_USAGE;
	}
	if (org != INT64_MIN)
		json_object_set_new(doc, "org_id", json_integer(org));
	if (type)
		json_object_set_new(doc, "type", json_string(type));
	if (severity)
		json_object_set_new(doc, "severity", json_string(severity));
	if (tlp)
		json_object_set_new(doc, "tlp", json_string(tlp));
	if (desc_arg) {
		if (!(desc = text_arg(desc_arg, &d))) {
			json_decref(doc);
			return vg_cli_fail(cli, VG_ERR_IO, &d);
		}
		json_object_set_new(doc, "description", json_string(desc));
		free(desc);
	}
	json_object_set_new(doc, "title", json_string(argv[arg]));
	if ((rc = open_db(cli, &db)) != 0) {
		json_decref(doc);
		return rc;
	}
	vg_cli_audit_ctx(&ac);
	if (!(e = vg_incident_create(db, doc, &ac, &id, &d)))
		e = vg_incident_get_json(db, id, false, false, &out, &d);
	vg_db_close(db);
	json_decref(doc);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (cli->json)
		vg_cli_print_json(out);
	else {
		printf("%s\n", json_string_value(json_object_get(out, "reference")));
		json_decref(out);
	}
	return VG_EXIT_OK;
}

int vg_cmd_incident_status(vg_cli *cli, int argc, char **argv)
{
	const char *note = NULL;
	vg_audit_ctx ac;
	int64_t id;
	vg_db *db;
	vg_diag d;
	vg_err e;
	int arg, rc;
	const vg_cli_opt opts[] = {{"note", VG_OPT_STR, &note}};
	if ((arg = vg_cli_options(cli, "incident", "status", argc, argv, opts, 1, 2, 2)) < 0)
		return VG_EXIT_USAGE;
	if ((rc = open_db(cli, &db)) != 0)
		return rc;
	vg_cli_audit_ctx(&ac);
	if (!(e = resolve(db, argv[arg], &id, &d)))
		e = vg_incident_set_status(db, id, argv[arg + 1], ac.actor_id, note, &ac, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (cli->json)
		vg_cli_print_json(json_pack("{sIss}", "id", (json_int_t)id, "status", argv[arg + 1]));
	return VG_EXIT_OK;
}

int vg_cmd_incident_note(vg_cli *cli, int argc, char **argv)
{
	bool visible = false;
	vg_audit_ctx ac;
	int64_t id, eid = 0, org = 0;
	vg_db *db;
	vg_diag d;
	vg_err e;
	char *body;
	int arg, rc;
	const vg_cli_opt opts[] = {{"visible", VG_OPT_FLAG, &visible}};
	vg_diag_clear(&d);
	if ((arg = vg_cli_options(cli, "incident", "note", argc, argv, opts, 1, 2, 2)) < 0)
		return VG_EXIT_USAGE;
	if (!(body = text_arg(argv[arg + 1], &d)))
		return vg_cli_fail(cli, VG_ERR_IO, &d);
	if ((rc = open_db(cli, &db)) != 0) {
		free(body);
		return rc;
	}
	vg_cli_audit_ctx(&ac);
	e = vg_db_begin(db, true, &d);
	if (!e && !(e = resolve(db, argv[arg], &id, &d)) && !(e = vg_incident_org(db, id, &org, &d)) &&
	    !(e = vg_incident_journal_add(db, id, "note", visible, ac.actor_id, body, NULL, &eid, &d)))
		e = vg_audit_record(db, &ac, "incident.journal.add", "incident", id, org, "ok", NULL, &d);
	if (!e)
		e = vg_db_commit(db, &d);
	else
		vg_db_rollback(db);
	vg_db_close(db);
	free(body);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (cli->json)
		vg_cli_print_json(json_pack("{sIsI}", "incident_id", (json_int_t)id, "entry_id", (json_int_t)eid));
	return VG_EXIT_OK;
}

int vg_cmd_incident_attach(vg_cli *cli, int argc, char **argv)
{
	const char *name = NULL, *base;
	bool visible = false;
	int64_t id = 0, org = 0, aid = 0;
	vg_audit_ctx ac;
	vg_db *db = NULL;
	char *data = NULL, detail[160];
	size_t len = 0;
	vg_diag d;
	vg_err e;
	int arg, rc;
	const vg_cli_opt opts[] = {{"visible", VG_OPT_FLAG, &visible}, {"name", VG_OPT_STR, &name}};
	vg_diag_clear(&d);
	if ((arg = vg_cli_options(cli, "incident", "attach", argc, argv, opts, 2, 2, 2)) < 0)
		return VG_EXIT_USAGE;
	if ((rc = open_db(cli, &db)) != 0)
		return rc;
	/* one byte over the limit is enough to be refused */
	if ((e = vg_cli_read_file(argv[arg + 1], (size_t)vg_cases_cfg()->attachment_max + 1, &data, &len, &d))) {
		vg_db_close(db);
		return vg_cli_fail(cli, e, &d);
	}
	base = strrchr(argv[arg + 1], '/');
	base = name ? name : base ? base + 1 : argv[arg + 1];
	vg_cli_audit_ctx(&ac);
	e = vg_db_begin(db, true, &d);
	if (!e && !(e = resolve(db, argv[arg], &id, &d)) && !(e = vg_incident_org(db, id, &org, &d)) &&
	    !(e = vg_attachment_store(db, base, NULL, data, len, "incident", id, visible, ac.actor_id, &aid, &d))) {
		snprintf(detail, sizeof detail, "{\"attachment_id\":%lld,\"size\":%zu,\"visible\":%s}", (long long)aid, len,
			 visible ? "true" : "false");
		e = vg_audit_record(db, &ac, "incident.attachment.add", "incident", id, org, "ok", detail, &d);
	}
	if (!e)
		e = vg_db_commit(db, &d);
	else
		vg_db_rollback(db);
	vg_db_close(db);
	free(data);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (cli->json)
		vg_cli_print_json(json_pack("{sIsIsI}", "incident_id", (json_int_t)id, "attachment_id", (json_int_t)aid,
					    "size", (json_int_t)len));
	else if (!cli->quiet)
		printf("attachment %lld (%zu bytes) added to incident %lld\n", (long long)aid, len, (long long)id);
	return VG_EXIT_OK;
}

int vg_cmd_incident_export(vg_cli *cli, int argc, char **argv)
{
	vg_export_format fmt = VG_EXPORT_MD;
	const char *output = NULL, *format = "md";
	bool named = false;
	char *doc = NULL;
	size_t len = 0;
	int64_t id;
	vg_db *db;
	vg_diag d;
	vg_err e;
	int arg, rc;
	const vg_cli_opt opts[] = {
		{"format", VG_OPT_STR, &format}, {"named", VG_OPT_FLAG, &named}, {"output", VG_OPT_STR, &output}};
	if ((arg = vg_cli_options(cli, "incident", "export", argc, argv, opts, 3, 1, 1)) < 0)
		return VG_EXIT_USAGE;
	if (!strcmp(format, "md"))
		fmt = VG_EXPORT_MD;
	else if (!strcmp(format, "html"))
		fmt = VG_EXPORT_HTML;
	else if (!strcmp(format, "json"))
		fmt = VG_EXPORT_JSON;
	else
		return vg_cli_usage(cli, "incident", "export");
	if ((rc = open_db(cli, &db)) != 0)
		return rc;
	if (!(e = resolve(db, argv[arg], &id, &d)))
		e = vg_incident_export(db, id, fmt, named, &doc, &len, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	FILE *f = output ? fopen(output, "w") : stdout;
	if (!f) {
		free(doc);
		vg_diag_set(&d, VG_ERR_IO, "output", "cannot write %s", output);
		return vg_cli_fail(cli, VG_ERR_IO, &d);
	}
	fwrite(doc, 1, len, f);
	if (output)
		fclose(f);
	free(doc);
	return VG_EXIT_OK;
}
