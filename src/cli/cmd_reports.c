/* vigie mailgate | report list|show|triage|outbox: report intake from the
 * shell. mailgate is a Postfix pipe transport (like RT's rt-mailgate): one
 * message on stdin; exit 0 when accepted (even broken: kept raw), 75
 * (EX_TEMPFAIL) when the database or the data directory is unavailable so
 * that the MTA retries. It never answers 65 (EX_DATAERR): mail is not lost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cases/cases.h"
#include "cli/cli.h"
#include "cli/commands_reports.h"
#include "core/log.h"
#include "intake/intake.h"
#include "registry/index.h"

/* All of stdin, keeping at most max bytes (the rest is read and dropped). */
static char *read_stdin(size_t max, size_t *len, bool *truncated)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1), drop[65536];
	*truncated = false;
	if (!buf)
		return NULL;
	for (;;) {
		size_t r;
		if (n == cap && cap < max) {
			size_t nc = cap * 2 > max ? max : cap * 2;
			char *nb = realloc(buf, nc + 1);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap = nc;
		}
		if (n < cap)
			r = fread(buf + n, 1, cap - n, stdin);
		else {
			r = fread(drop, 1, sizeof drop, stdin);
			if (r)
				*truncated = true;
			if (r == 0)
				break;
			continue;
		}
		if (r == 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int setup(vg_cli *cli, vg_intake_config *c, vg_diag *d)
{
	vg_err e;
	if ((e = vg_intake_config_from(&cli->cfg, c, d)) || (e = vg_cases_configure_from(&cli->cfg, d)))
		return vg_cli_fail(cli, e, d);
	return VG_EXIT_OK;
}

int vg_cmd_mailgate(vg_cli *cli, int argc, char **argv)
{
	vg_intake_config c;
	vg_intake_result res;
	vg_db_options o = {.sync_full = cli->cfg.db_sync_full != 0, .busy_timeout_ms = (int)cli->cfg.db_busy_timeout_ms};
	vg_audit_ctx ac = {.actor = "mailgate", .ip = "", .request_id = ""};
	vg_db *db = NULL;
	char *raw;
	size_t len;
	bool truncated, no_send = false;
	vg_diag d;
	vg_err e;
	const vg_cli_opt opts[] = {{"no-send", VG_OPT_FLAG, &no_send}};
	vg_diag_clear(&d);
	if (vg_cli_options(cli, NULL, "mailgate", argc, argv, opts, 1, 0, 0) < 0)
		return VG_EXIT_USAGE;
	if (setup(cli, &c, &d))
		return VG_EXIT_TEMPFAIL; /* a configuration problem: let the MTA retry once fixed */
	if (no_send)
		c.mail.smtp_url[0] = '\0';
	raw = read_stdin(VG_MAIL_SIZE_MAX, &len, &truncated);
	if (!raw) {
		fprintf(stderr, "%s: mailgate: out of memory\n", cli->prog);
		return VG_EXIT_TEMPFAIL;
	}
	if (truncated)
		vg_log(VG_LOG_WARN, "mailgate: message larger than %d bytes, the rest was dropped", VG_MAIL_SIZE_MAX);
	if ((e = vg_db_open(cli->cfg.db, &o, &db, &d))) {
		fprintf(stderr, "%s: mailgate: database unavailable: %s\n", cli->prog, d.message);
		free(raw);
		return VG_EXIT_TEMPFAIL;
	}
	/* one message, a handful of lookups: indexed SQL queries instead of
	 * building the whole registry index (docs/PERFORMANCE.md, Incidents) */
	c.registry_sql = true;
	e = vg_mailgate_deliver(db, &c, NULL, raw, len, &ac, &res, &d);
	vg_db_close(db);
	free(raw);
	if (e) {
		char msg[600];
		vg_diag_format(&d, msg, sizeof msg);
		fprintf(stderr, "%s: mailgate: temporary failure, retry later: %s\n", cli->prog, msg);
		return VG_EXIT_TEMPFAIL;
	}
	if (cli->json)
		vg_cli_print_json(json_pack("{sI sI ss sb sb sb}", "report_id", (json_int_t)res.report_id, "incident_id",
					    (json_int_t)res.incident_id, "reference", res.reference, "created", res.created,
					    "duplicate", res.duplicate, "threaded", res.threaded));
	else if (!cli->quiet)
		printf("%s %s\n", res.created ? "report" : res.threaded ? "reply to" : "duplicate of",
		       res.reference[0] ? res.reference : "incident");
	return VG_EXIT_OK;
}

/* "42" or "VIGIE-2026-000042" → id */
static vg_err resolve(vg_db *db, const char *s, int64_t *id, vg_diag *d)
{
	char *end;
	long long v = strtoll(s, &end, 10);
	vg_stmt *st;
	int rc;
	vg_err e;
	if (*s && !*end && v > 0) {
		*id = v;
		return VG_OK;
	}
	if ((e = vg_db_prepare(db, "SELECT id FROM reports WHERE reference = ?", &st, d)))
		return e;
	vg_stmt_bind_text(st, 1, s, -1);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		*id = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	return rc == VG_ROW ? VG_OK : vg_diag_set(d, VG_ERR_NOT_FOUND, "report", "no report %s", s);
}

int vg_cmd_report_list(vg_cli *cli, int argc, char **argv)
{
	static const vg_cli_col cols[] = {
		{.header = "REFERENCE", .key = "reference"}, {.header = "SOURCE", .key = "source"},
		{.header = "STATUS", .key = "status"}, {.header = "FROM", .key = "reporter.email", .max = 40},
		{.header = "SUBJECT", .key = "subject", .max = 80},
	};
	vg_report_filter f = {0};
	vg_db *db;
	json_t *out = NULL;
	vg_diag d;
	vg_err e;
	int rc;
	const vg_cli_opt opts[] = {
		{"status", VG_OPT_STR, &f.status}, {"source", VG_OPT_STR, &f.source}, {"org", VG_OPT_I64, &f.org_id},
		{"query", VG_OPT_STR, &f.q},       {"limit", VG_OPT_INT, &f.limit},
	};
	vg_diag_clear(&d);
	f.limit = VG_PAGE_MAX;
	if (vg_cli_options(cli, "report", "list", argc, argv, opts, VG_CLI_ARRAY_LEN(opts), 0, 0) < 0)
		return VG_EXIT_USAGE;
	if ((rc = vg_cli_open_db(cli, &db)))
		return rc;
	e = vg_report_list_json(db, &f, &out, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	return vg_cli_print_list(cli, out, cols, VG_CLI_ARRAY_LEN(cols), NULL);
}

int vg_cmd_report_show(vg_cli *cli, int argc, char **argv)
{
	vg_db *db;
	json_t *out = NULL;
	int64_t id = 0;
	vg_diag d;
	vg_err e;
	int rc;
	vg_diag_clear(&d);
	if (argc != 2)
		return vg_cli_usage(cli, "report", "show");
	if ((rc = vg_cli_open_db(cli, &db)))
		return rc;
	e = resolve(db, argv[1], &id, &d);
	if (!e)
		e = vg_report_get_json(db, id, true, &out, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (cli->json) {
		vg_cli_print_json(out);
		return VG_EXIT_OK;
	}
	printf("Reference: %s\nSource:    %s\nFrom:      %s <%s>\nSubject:   %s\nStatus:    %s\nDecision:  %s\n"
	       "Suggested: %s\nSignature: %s\n\n%s\n",
	       json_string_value(json_object_get(out, "reference")), json_string_value(json_object_get(out, "source")),
	       json_string_value(json_object_get(json_object_get(out, "reporter"), "name")),
	       json_string_value(json_object_get(json_object_get(out, "reporter"), "email")),
	       json_string_value(json_object_get(out, "subject")), json_string_value(json_object_get(out, "status")),
	       json_string_value(json_object_get(out, "decision")),
	       json_string_value(json_object_get(json_object_get(out, "suggestion"), "decision")),
	       json_string_value(json_object_get(json_object_get(out, "signature"), "status")),
	       json_string_value(json_object_get(out, "body")));
	json_decref(out);
	return VG_EXIT_OK;
}

int vg_cmd_report_triage(vg_cli *cli, int argc, char **argv)
{
	vg_triage_decision t = {0};
	vg_intake_config c;
	vg_audit_ctx ac;
	json_t *inc = json_object(), *items = json_array();
	int64_t *queued = NULL, incident = 0;
	const char *decision, *title = NULL, *severity = NULL;
	vg_db *db = NULL;
	vg_diag d;
	vg_err e = VG_OK;
	int arg, rc = VG_EXIT_OK, n;
	const vg_cli_opt opts[] = {
		{"decision", VG_OPT_STR, &t.decision},     {"incident", VG_OPT_I64, &t.incident_id},
		{"partner", VG_OPT_I64, &t.partner_org_id}, {"org", VG_OPT_I64, &t.org_id},
		{"notes", VG_OPT_STR, &t.notes},           {"title", VG_OPT_STR, &title},
		{"severity", VG_OPT_STR, &severity},
	};
	vg_diag_clear(&d);
	arg = vg_cli_options(cli, "report", "triage", argc, argv, opts, VG_CLI_ARRAY_LEN(opts), 1, VG_TRIAGE_BULK_MAX);
	if (arg < 0 || !t.decision) {
		rc = arg < 0 ? VG_EXIT_USAGE : vg_cli_usage(cli, "report", "triage");
		goto out;
	}
	n = argc - arg;
	if (title)
		json_object_set_new(inc, "title", json_string(title));
	if (severity)
		json_object_set_new(inc, "severity", json_string(severity));
	if ((rc = setup(cli, &c, &d)) || (rc = vg_cli_open_db(cli, &db)))
		goto out;
	queued = calloc((size_t)n, sizeof *queued);
	vg_cli_audit_ctx(&ac);
	t.user_name = ac.actor;
	t.incident = json_object_size(inc) ? inc : NULL;
	decision = t.decision;
	if (!queued || (e = vg_db_begin(db, true, &d)))
		goto fail;
	for (int i = 0; i < n; i++) {
		int64_t id;
		/* new_incident over several reports makes one incident: the first
		 * report's, the others merged into it */
		if (i == 1 && !strcmp(t.decision, "new_incident")) {
			if ((e = vg_report_incident(db, json_integer_value(json_array_get(items, 0)), &incident, &d))) {
				vg_db_rollback(db);
				goto fail;
			}
			t.decision = "merge";
			t.incident_id = incident;
			t.incident = NULL;
		}
		if ((e = resolve(db, argv[arg + i], &id, &d)) || (e = vg_report_triage(db, &c, id, &t, &ac, &queued[i], &d))) {
			vg_db_rollback(db);
			goto fail;
		}
		json_array_append_new(items, json_integer(id));
	}
	if ((e = vg_db_commit(db, &d)))
		goto fail;
	for (int i = 0; i < n; i++)
		if (queued[i]) {
			vg_diag sd;
			if (vg_outbox_send(db, &c.mail, queued[i], &sd) && !cli->quiet)
				fprintf(stderr, "%s: mail queued, not sent yet: %s\n", cli->prog, sd.message);
		}
	if (cli->json)
		vg_cli_print_json(json_pack("{sO ss so}", "ids", items, "decision", decision, "incident_id",
					    incident ? json_integer(incident) : json_null()));
	else if (!cli->quiet)
		printf("%d report(s) decided: %s\n", n, decision);
	goto out;
fail:
	rc = vg_cli_fail(cli, e ? e : VG_ERR_NOMEM, &d);
out:
	free(queued);
	json_decref(inc);
	json_decref(items);
	vg_db_close(db);
	return rc;
}

int vg_cmd_report_attach(vg_cli *cli, int argc, char **argv)
{
	vg_intake_config c;
	vg_audit_ctx ac;
	const char *name = NULL, *base;
	int64_t id = 0, aid = 0;
	vg_db *db = NULL;
	char *data = NULL;
	size_t len = 0;
	vg_diag d;
	vg_err e = VG_OK;
	int arg, rc;
	const vg_cli_opt opts[] = {{"name", VG_OPT_STR, &name}};
	vg_diag_clear(&d);
	if ((arg = vg_cli_options(cli, "report", "attach", argc, argv, opts, 1, 2, 2)) < 0)
		return VG_EXIT_USAGE;
	if ((rc = setup(cli, &c, &d)))
		return rc;
	/* one byte over the limit is enough to be refused with the limit's message */
	if ((e = vg_cli_read_file(argv[arg + 1], (size_t)vg_cases_cfg()->attachment_max + 1, &data, &len, &d)))
		return vg_cli_fail(cli, e, &d);
	base = strrchr(argv[arg + 1], '/');
	base = base ? base + 1 : argv[arg + 1];
	if ((rc = vg_cli_open_db(cli, &db)))
		goto out;
	vg_cli_audit_ctx(&ac);
	if ((e = resolve(db, argv[arg], &id, &d)) ||
	    (e = vg_report_attach(db, id, name ? name : base, NULL, data, len, ac.actor_id, &ac, &aid, &d))) {
		rc = vg_cli_fail(cli, e, &d);
		goto out;
	}
	if (cli->json)
		vg_cli_print_json(json_pack("{sI sI sI}", "report_id", (json_int_t)id, "attachment_id", (json_int_t)aid,
					    "size", (json_int_t)len));
	else if (!cli->quiet)
		printf("attachment %lld (%zu bytes) added to report %lld\n", (long long)aid, len, (long long)id);
out:
	free(data);
	vg_db_close(db);
	return rc;
}

int vg_cmd_report_outbox(vg_cli *cli, int argc, char **argv)
{
	static const vg_cli_col cols[] = {
		{.header = "ID", .key = "id", .right = true}, {.header = "STATUS", .key = "status"},
		{.header = "PURPOSE", .key = "purpose"}, {.header = "TO", .key = "to", .max = 40},
		{.header = "SUBJECT", .key = "subject", .max = 80},
	};
	vg_intake_config c;
	const char *status = NULL;
	bool flush = false;
	json_t *out = NULL;
	vg_db *db;
	vg_diag d;
	vg_err e = VG_OK;
	int rc, sent = 0, failed = 0;
	const vg_cli_opt opts[] = {{"flush", VG_OPT_FLAG, &flush}, {"status", VG_OPT_STR, &status}};
	vg_diag_clear(&d);
	if (vg_cli_options(cli, "report", "outbox", argc, argv, opts, VG_CLI_ARRAY_LEN(opts), 0, 0) < 0)
		return VG_EXIT_USAGE;
	if ((rc = setup(cli, &c, &d)) || (rc = vg_cli_open_db(cli, &db)))
		return rc;
	if (flush)
		e = vg_outbox_flush(db, &c.mail, 0, &sent, &failed, &d);
	if (!e)
		e = vg_outbox_list_json(db, status, NULL, 0, VG_PAGE_MAX, &out, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (flush)
		json_object_set_new(out, "flush", json_pack("{si si}", "sent", sent, "failed", failed));
	if (flush && !cli->json)
		printf("flushed: %d sent, %d not delivered\n", sent, failed);
	return vg_cli_print_list(cli, out, cols, VG_CLI_ARRAY_LEN(cols), NULL);
}
