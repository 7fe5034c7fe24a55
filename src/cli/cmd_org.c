/* vigie org add|list|show|import|export|lookup: the registry from the shell.
 * Works on the database directly; a running server sees the changes on its
 * next lookup (registry generation counter). Every change is audited. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/ip.h"
#include "registry/index.h"
#include "registry/registry.h"

/* Resolve "42" or "Ministry of X" to an id. */
static vg_err resolve_org(vg_db *db, const char *ref, int64_t *id, vg_diag *d)
{
	char *end;
	long long v = strtoll(ref, &end, 10);
	if (*ref && !*end && v > 0) {
		*id = v;
		return vg_org_exists(db, v, d) == VG_OK ? VG_OK
							: vg_diag_set(d, VG_ERR_NOT_FOUND, "org", "no organisation %s", ref);
	}
	if (vg_org_find_by_name(db, ref, id, d) != VG_OK)
		return vg_diag_set(d, VG_ERR_NOT_FOUND, "org", "no organisation named \"%s\"", ref);
	return VG_OK;
}

static json_t *append_arr(json_t *doc, const char *key, json_t *v)
{
	json_t *a = json_object_get(doc, key);
	if (!a) {
		a = json_array();
		json_object_set_new(doc, key, a);
	}
	json_array_append_new(a, v);
	return a;
}

int vg_cmd_org_add(vg_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"kind", required_argument, NULL, 'k'},    {"sector", required_argument, NULL, 's'},
		{"nis2", required_argument, NULL, '2'},    {"parent", required_argument, NULL, 'p'},
		{"out-of-scope", no_argument, NULL, 'o'},  {"network", required_argument, NULL, 'n'},
		{"asn", required_argument, NULL, 'a'},     {"domain", required_argument, NULL, 'd'},
		{"contact", required_argument, NULL, 'c'}, {"product", required_argument, NULL, 'P'},
		{"notes", required_argument, NULL, 'N'},   {"short-name", required_argument, NULL, 'S'},
		{"country", required_argument, NULL, 'C'}, {0, 0, 0, 0},
	};
	json_t *doc = json_object(), *out = NULL;
	vg_db *db = NULL;
	vg_diag d;
	vg_err e = VG_OK;
	int64_t id = 0;
	int c, rc;
	vg_diag_clear(&d);
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k': json_object_set_new(doc, "kind", json_string(optarg)); break;
		case 's': json_object_set_new(doc, "sector", json_string(optarg)); break;
		case '2': json_object_set_new(doc, "nis2", json_string(optarg)); break;
		case 'o': json_object_set_new(doc, "in_scope", json_false()); break;
		case 'n': append_arr(doc, "networks", json_string(optarg)); break;
		case 'a': append_arr(doc, "asns", json_string(optarg)); break;
		case 'd': append_arr(doc, "domains", json_string(optarg)); break;
		case 'c': append_arr(doc, "contacts", json_pack("{s:s}", "email", optarg)); break;
		case 'P': append_arr(doc, "products", json_string(optarg)); break;
		case 'N': json_object_set_new(doc, "notes", json_string(optarg)); break;
		case 'S': json_object_set_new(doc, "short_name", json_string(optarg)); break;
		case 'C': json_object_set_new(doc, "country", json_string(optarg)); break;
		case 'p': {
			char *end;
			long long v = strtoll(optarg, &end, 10);
			if (*optarg && !*end && v > 0)
				json_object_set_new(doc, "parent_id", json_integer(v));
			else
				json_object_set_new(doc, "parent", json_string(optarg));
			break;
		}
		default:
			json_decref(doc);
			return vg_cli_usage(cli, "org", "add");
		}
	}
	if (optind != argc - 1 || !json_object_get(doc, "kind")) {
		json_decref(doc);
		return vg_cli_usage(cli, "org", "add");
	}
	json_object_set_new(doc, "name", json_string(argv[optind]));
	if ((rc = vg_cli_open_db(cli, &db)) != 0) {
		json_decref(doc);
		return rc;
	}
	e = vg_db_begin(db, true, &d);
	if (!e)
		e = vg_org_create(db, doc, &id, &d);
	if (!e) {
		vg_audit_ctx ac;
		vg_cli_audit_ctx(&ac);
		e = vg_audit_record(db, &ac, "org.create", "organisation", id, id, "ok", NULL, &d);
	}
	if (!e)
		e = vg_db_commit(db, &d);
	else
		vg_db_rollback(db);
	if (!e)
		e = vg_org_get_json(db, id, true, &out, &d);
	vg_db_close(db);
	json_decref(doc);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (cli->json)
		vg_cli_print_json(out);
	else {
		if (!cli->quiet)
			printf("organisation %lld created: %s\n", (long long)id,
			       json_string_value(json_object_get(out, "name")));
		json_decref(out);
	}
	return VG_EXIT_OK;
}

int vg_cmd_org_list(vg_cli *cli, int argc, char **argv)
{
	static const vg_cli_col cols[] = {
		{.header = "ID", .key = "id", .right = true}, {.header = "NAME", .key = "name", .max = 40},
		{.header = "KIND", .key = "kind"}, {.header = "SECTOR", .key = "sector"},
		{.header = "NIS2", .key = "nis2"}, {.header = "SCOPE", .key = "in_scope", .yes = "in", .no = "out"},
	};
	vg_org_filter f;
	vg_db *db = NULL;
	json_t *out = NULL;
	vg_diag d;
	vg_err e;
	int rc;
	vg_diag_clear(&d);
	vg_org_filter_init(&f);
	f.limit = VG_PAGE_MAX;
	const vg_cli_opt opts[] = {
		{"kind", VG_OPT_STR, &f.kind},   {"sector", VG_OPT_STR, &f.sector}, {"query", VG_OPT_STR, &f.q},
		{"limit", VG_OPT_SIZE, &f.limit}, {"cursor", VG_OPT_STR, &f.cursor},
	};
	if (vg_cli_options(cli, "org", "list", argc, argv, opts, VG_CLI_ARRAY_LEN(opts), 0, 0) < 0)
		return VG_EXIT_USAGE;
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	e = vg_org_list_json(db, &f, &out, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	return vg_cli_print_list(cli, out, cols, VG_CLI_ARRAY_LEN(cols), "--cursor");
}

static void print_children(json_t *org, const char *key, const char *field, const char *title)
{
	json_t *arr = json_object_get(org, key), *it;
	size_t i;
	if (!json_array_size(arr))
		return;
	printf("%s:\n", title);
	json_array_foreach(arr, i, it) {
		json_t *v = json_object_get(it, field);
		const char *note = json_string_value(json_object_get(it, "note"));
		if (json_is_integer(v))
			printf("  AS%lld", (long long)json_integer_value(v));
		else
			printf("  %s", json_string_value(v));
		if (!strcmp(key, "contacts")) {
			const char *name = json_string_value(json_object_get(it, "name"));
			const char *role = json_string_value(json_object_get(it, "role"));
			const char *fpr = json_string_value(json_object_get(it, "pgp_fingerprint"));
			if (name && *name)
				printf("  %s", name);
			if (role && *role)
				printf(" (%s)", role);
			if (fpr && *fpr)
				printf("  pgp %s", fpr);
		}
		if (note && *note)
			printf("  # %s", note);
		putchar('\n');
	}
}

int vg_cmd_org_show(vg_cli *cli, int argc, char **argv)
{
	vg_db *db = NULL;
	json_t *org = NULL;
	vg_diag d;
	vg_err e;
	int64_t id = 0;
	int rc;
	vg_diag_clear(&d);
	if (argc != 2)
		return vg_cli_usage(cli, "org", "show");
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	e = resolve_org(db, argv[1], &id, &d);
	if (!e)
		e = vg_org_get_json(db, id, true, &org, &d);
	vg_db_close(db);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if (cli->json) {
		vg_cli_print_json(org);
		return VG_EXIT_OK;
	}
	printf("%s (id %lld)\n", json_string_value(json_object_get(org, "name")), (long long)id);
	printf("  kind: %s   sector: %s   NIS2: %s   in scope: %s\n", json_string_value(json_object_get(org, "kind")),
	       json_string_value(json_object_get(org, "sector")), json_string_value(json_object_get(org, "nis2")),
	       json_is_true(json_object_get(org, "in_scope")) ? "yes" : "no");
	if (json_is_integer(json_object_get(org, "parent_id")))
		printf("  parent: %lld\n", (long long)json_integer_value(json_object_get(org, "parent_id")));
	print_children(org, "networks", "cidr", "Networks");
	print_children(org, "asns", "asn", "AS numbers");
	print_children(org, "domains", "domain", "Domains");
	print_children(org, "contacts", "email", "Contacts");
	print_children(org, "products", "cpe", "Products");
	if (json_string_length(json_object_get(org, "notes")))
		printf("Notes:\n  %s\n", json_string_value(json_object_get(org, "notes")));
	json_decref(org);
	return VG_EXIT_OK;
}

static void import_progress(void *ctx, size_t done, size_t total)
{
	vg_progress **p = ctx;
	if (!*p)
		*p = vg_progress_new("import", total, "records");
	vg_progress_update(*p, done);
}

/* --format json|csv (auto too when allowed) into *out, unchanged when s is NULL. */
static bool format_arg(vg_cli *cli, const char *s, bool allow_auto, vg_reg_format *out)
{
	int f = s ? vg_reg_format_parse(s) : (int)*out;
	if (f < 0 || (!allow_auto && f == VG_REG_FMT_AUTO)) {
		fprintf(stderr, "%s: --format must be json or csv\n", cli->prog);
		return false;
	}
	*out = (vg_reg_format)f;
	return true;
}

int vg_cmd_org_import(vg_cli *cli, int argc, char **argv)
{
	vg_import_options o = {0};
	vg_import_report rep = {0};
	vg_progress *prog = NULL;
	vg_db *db = NULL;
	char *data = NULL;
	size_t len = 0;
	vg_diag d;
	vg_err e;
	const char *format = NULL;
	int arg, rc;
	const vg_cli_opt opts[] = {
		{"format", VG_OPT_STR, &format}, {"dry-run", VG_OPT_FLAG, &o.dry_run}, {"strict", VG_OPT_FLAG, &o.strict},
	};
	vg_diag_clear(&d);
	if ((arg = vg_cli_options(cli, "org", "import", argc, argv, opts, 3, 1, 1)) < 0)
		return VG_EXIT_USAGE;
	if (!format_arg(cli, format, true, &o.format))
		return VG_EXIT_USAGE;
	o.filename = argv[arg];
	if (o.format == VG_REG_FMT_AUTO) {
		size_t n = strlen(o.filename);
		if (n > 4 && !strcmp(o.filename + n - 4, ".csv"))
			o.format = VG_REG_FMT_CSV;
		else if (n > 5 && !strcmp(o.filename + n - 5, ".json"))
			o.format = VG_REG_FMT_JSON;
	}
	o.progress = import_progress;
	o.progress_ctx = &prog;
	e = vg_cli_read_file(o.filename, VG_IMPORT_FILE_MAX, &data, &len, &d);
	if (e)
		return vg_cli_fail(cli, e, &d);
	if ((rc = vg_cli_open_db(cli, &db)) != 0) {
		free(data);
		return rc;
	}
	if (!o.dry_run) {
		e = vg_db_begin(db, true, &d);
		if (!e)
			e = vg_registry_import(db, data, len, &o, &rep, &d);
		if (!e) {
			vg_audit_ctx ac;
			json_t *det = json_pack("{s:s, s:I, s:I, s:I, s:I}", "file", o.filename, "records", (json_int_t)rep.records,
						"created", (json_int_t)rep.orgs_created, "updated", (json_int_t)rep.orgs_updated,
						"errors", (json_int_t)rep.errors_total);
			char *dj = json_dumps(det, JSON_COMPACT);
			vg_cli_audit_ctx(&ac);
			e = vg_audit_record(db, &ac, "registry.import", "registry", 0, 0, "ok", dj, &d);
			free(dj);
			json_decref(det);
		}
		if (!e)
			e = vg_db_commit(db, &d);
		else
			vg_db_rollback(db);
		rep.committed = (e == VG_OK) && rep.committed;
	} else {
		e = vg_registry_import(db, data, len, &o, &rep, &d);
	}
	vg_progress_free(prog);
	vg_db_close(db);
	free(data);
	if (e && e != VG_ERR_INVALID) {
		vg_import_report_fini(&rep);
		return vg_cli_fail(cli, e, &d);
	}
	if (cli->json) {
		vg_cli_print_json(vg_import_report_json(&rep));
	} else {
		for (size_t i = 0; i < rep.nerrors; i++) {
			const vg_import_error *er = &rep.errors[i];
			fprintf(stderr, "%s:%u: %s%s%s\n", o.filename, er->line, er->field, er->field[0] ? ": " : "",
				er->message);
		}
		if (!cli->quiet)
			printf("%zu records: %zu organisations created, %zu updated, %zu unchanged; %zu children added, "
			       "%zu already present; %zu errors%s (%lld ms)\n",
			       rep.records, rep.orgs_created, rep.orgs_updated, rep.orgs_unchanged, rep.children_added,
			       rep.children_existing, rep.errors_total,
			       rep.dry_run ? " — dry run, nothing written" : (rep.committed ? "" : " — nothing written"),
			       (long long)rep.elapsed_ms);
	}
	rc = rep.errors_total ? VG_EXIT_INVALID : VG_EXIT_OK;
	vg_import_report_fini(&rep);
	return rc;
}

int vg_cmd_org_export(vg_cli *cli, int argc, char **argv)
{
	vg_reg_format fmt = VG_REG_FMT_JSON;
	const char *output = NULL, *format = NULL;
	vg_db *db = NULL;
	vg_buf b;
	vg_diag d;
	vg_err e;
	int rc;
	const vg_cli_opt opts[] = {{"format", VG_OPT_STR, &format}, {"output", VG_OPT_STR, &output}};
	vg_diag_clear(&d);
	if (vg_cli_options(cli, "org", "export", argc, argv, opts, 2, 0, 0) < 0)
		return VG_EXIT_USAGE;
	if (!format_arg(cli, format, false, &fmt))
		return VG_EXIT_USAGE;
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	vg_buf_init(&b, 0);
	e = vg_registry_export(db, fmt, 0, &b, &d);
	vg_db_close(db);
	if (!e) {
		FILE *f = output ? fopen(output, "wb") : stdout;
		if (!f)
			e = vg_diag_set(&d, VG_ERR_IO, "output", "cannot create %s", output);
		else {
			if (fwrite(vg_buf_cstr(&b), 1, b.len, f) != b.len)
				e = vg_diag_set(&d, VG_ERR_IO, "output", "write failed");
			if (f != stdout && fclose(f) != 0)
				e = vg_diag_set(&d, VG_ERR_IO, "output", "write failed");
		}
	}
	vg_buf_fini(&b);
	return e ? vg_cli_fail(cli, e, &d) : VG_EXIT_OK;
}

/* Classify and look up one value. Returns a JSON result or NULL with d set. */
static json_t *lookup_one(vg_regindex *ix, const char *v, vg_diag *d)
{
	vg_reg_match m[VG_LOOKUP_RESULTS_MAX];
	size_t n = 0;
	const char *type;
	char norm[VG_EMAIL_MAX + 1];
	vg_ip ip;
	uint32_t asn;
	json_t *res, *arr;
	if (vg_ip_parse(v, 0, &ip, NULL) == VG_OK) {
		type = "ip";
		n = vg_regindex_lookup_ip(ix, &ip, m, VG_LOOKUP_RESULTS_MAX);
	} else if (strchr(v, '@')) {
		type = "email";
		if (vg_email_normalize(v, strlen(v), norm, sizeof norm, "email", d))
			return NULL;
		n = vg_regindex_lookup_email(ix, norm, m, VG_LOOKUP_RESULTS_MAX);
	} else if (vg_asn_parse(v, strlen(v), &asn, "asn", NULL) == VG_OK) {
		type = "asn";
		n = vg_regindex_lookup_asn(ix, asn, m, VG_LOOKUP_RESULTS_MAX);
	} else {
		type = "domain";
		if (vg_domain_normalize(v, strlen(v), true, norm, sizeof norm, "domain", d))
			return NULL;
		n = vg_regindex_lookup_domain(ix, norm, m, VG_LOOKUP_RESULTS_MAX);
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char txt[VG_EMAIL_MAX + 64];
		const char *name = vg_regindex_org_name(ix, m[i].org_id);
		json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:b}", "org_id", (json_int_t)m[i].org_id,
						     "org_name", name ? name : "", "matched",
						     vg_regindex_match_text(ix, &m[i], txt, sizeof txt), "type",
						     vg_match_type_name((vg_match_type)m[i].type), "best", m[i].best));
	}
	res = json_pack("{s:s, s:s, s:o}", "value", v, "type", type, "matches", arr);
	return res;
}

int vg_cmd_org_lookup(vg_cli *cli, int argc, char **argv)
{
	vg_db *db = NULL;
	vg_regindex *ix = NULL;
	json_t *all = json_array();
	vg_diag d;
	vg_err e = VG_OK;
	int rc, found = 0;
	vg_diag_clear(&d);
	if (argc < 2) {
		json_decref(all);
		return vg_cli_usage(cli, "org", "lookup");
	}
	if ((rc = vg_cli_open_db(cli, &db)) != 0) {
		json_decref(all);
		return rc;
	}
	e = vg_regindex_build(db, &ix, &d);
	for (int i = 1; !e && i < argc; i++) {
		json_t *r = lookup_one(ix, argv[i], &d);
		if (!r) {
			e = d.code ? d.code : VG_ERR_INVALID;
			break;
		}
		found += json_array_size(json_object_get(r, "matches")) > 0;
		json_array_append_new(all, r);
	}
	vg_regindex_release(ix);
	vg_db_close(db);
	if (e) {
		json_decref(all);
		return vg_cli_fail(cli, e, &d);
	}
	if (cli->json) {
		vg_cli_print_json(all);
	} else {
		size_t i, j;
		json_t *r, *m;
		json_array_foreach(all, i, r) {
			json_t *ms = json_object_get(r, "matches");
			printf("%s (%s):%s\n", json_string_value(json_object_get(r, "value")),
			       json_string_value(json_object_get(r, "type")), json_array_size(ms) ? "" : " no organisation");
			json_array_foreach(ms, j, m)
				printf("  %s %-40s id %-6lld via %s %s\n", json_is_true(json_object_get(m, "best")) ? "*" : " ",
				       json_string_value(json_object_get(m, "org_name")),
				       (long long)json_integer_value(json_object_get(m, "org_id")),
				       json_string_value(json_object_get(m, "type")),
				       json_string_value(json_object_get(m, "matched")));
		}
		json_decref(all);
	}
	return found ? VG_EXIT_OK : VG_EXIT_NOT_FOUND;
}
