/* vigie observable extract|related|list: observables from the shell. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands_observables.h"
#include "core/arena.h"
#include "observe/observe.h"

static int64_t cap_of(const vg_cli *cli)
{
	return cli->cfg.correlation_common_cap > 1 ? cli->cfg.correlation_common_cap : 100;
}

int vg_cmd_observable_extract(vg_cli *cli, int argc, char **argv)
{
	char *text = NULL;
	size_t len = 0;
	vg_arena *a;
	vg_obs_candidates c;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	if (argc != 2 || argv[1][0] == '\0')
		return vg_cli_usage(cli, "observable", "extract");
	if ((e = vg_cli_read_file(argv[1], VG_OBS_TEXT_MAX, &text, &len, &d)))
		return vg_cli_fail(cli, e, &d);
	if (!(a = vg_arena_new(0))) {
		free(text);
		return vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
	}
	e = vg_obs_extract(text, len, vg_obs_warnlist_default(), a, &c, &d);
	if (e) {
		free(text);
		vg_arena_free(a);
		return vg_cli_fail(cli, e, &d);
	}
	if (cli->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < c.len; i++)
			json_array_append_new(arr, json_pack("{ss ss ss sI sb so}", "type", vg_obs_type_name(c.items[i].type),
							     "value", c.items[i].value, "normalized", c.items[i].normalized,
							     "offset", (json_int_t)c.items[i].offset, "defanged",
							     c.items[i].defanged, "common",
							     c.items[i].common ? json_string(c.items[i].common) : json_null()));
		vg_cli_print_json(json_pack("{so sb}", "candidates", arr, "truncated", c.truncated));
	} else {
		for (size_t i = 0; i < c.len; i++) {
			const vg_obs_candidate *x = &c.items[i];
			printf("%-10s %-48s @%zu", vg_obs_type_name(x->type), x->normalized, x->offset);
			if (x->defanged)
				printf("  (as \"%.60s\")", x->value);
			if (x->common)
				printf("  [common: %s]", x->common);
			putchar('\n');
		}
		if (c.truncated)
			fprintf(stderr, "%s: more than %d values; the list is cut\n", cli->prog, VG_OBS_EXTRACT_MAX);
	}
	free(text);
	vg_arena_free(a);
	return VG_EXIT_OK;
}

int vg_cmd_observable_related(vg_cli *cli, int argc, char **argv)
{
	vg_obs_related_opts o = {0};
	vg_obs_related_result res;
	vg_arena *a = NULL;
	vg_db *db = NULL;
	vg_diag d;
	vg_err e;
	int64_t id;
	size_t lim = 20;
	char *end;
	int arg, rc;
	const vg_cli_opt opts[] = {{"limit", VG_OPT_SIZE, &lim}};
	vg_diag_clear(&d);
	if ((arg = vg_cli_options(cli, "observable", "related", argc, argv, opts, 1, 1, 1)) < 0)
		return VG_EXIT_USAGE;
	if (lim < 1 || lim > VG_OBS_RELATED_MAX)
		return vg_cli_usage(cli, "observable", "related");
	id = strtoll(argv[arg], &end, 10);
	if (*end || id <= 0)
		return vg_cli_usage(cli, "observable", "related");
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	if (!(a = vg_arena_new(0))) {
		vg_db_close(db);
		return vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
	}
	o.common_cap = cap_of(cli);
	o.limit = lim;
	e = vg_obs_related_find(db, VG_OBS_OBJ_INCIDENT, id, &o, a, &res, &d);
	vg_db_close(db);
	if (e) {
		vg_arena_free(a);
		return vg_cli_fail(cli, e, &d);
	}
	if (cli->json) {
		json_t *items = json_array();
		for (size_t i = 0; i < res.len; i++) {
			json_t *sh = json_array();
			for (size_t k = 0; k < res.items[i].nshared; k++) {
				const vg_obs_shared *s = &res.items[i].shared[k];
				json_array_append_new(sh, json_pack("{ss ss ss ss sI sf}", "type", vg_obs_type_name(s->type),
								    "value", s->value, "via", s->via, "other_value",
								    s->other_value, "df", (json_int_t)s->df, "weight",
								    s->weight));
			}
			json_array_append_new(items, json_pack("{sI sf sI so}", "incident_id",
							       (json_int_t)res.items[i].object_id, "score",
							       res.items[i].score, "shared_count",
							       (json_int_t)res.items[i].nshared, "shared", sh));
		}
		vg_cli_print_json(json_pack("{sI sI sI so}", "incident_id", (json_int_t)id, "values_used",
					    (json_int_t)res.values_used, "values_common", (json_int_t)res.values_common,
					    "items", items));
	} else {
		printf("incident %" PRId64 ": %zu values used, %zu common skipped\n", id, res.values_used,
		       res.values_common);
		for (size_t i = 0; i < res.len; i++) {
			printf("%8" PRId64 "  score %6.2f  shared %zu:", res.items[i].object_id, res.items[i].score,
			       res.items[i].nshared);
			for (size_t k = 0; k < res.items[i].nshared && k < 5; k++) {
				const vg_obs_shared *s = &res.items[i].shared[k];
				if (strcmp(s->via, "cidr") == 0)
					printf(" %s~%s", s->value, s->other_value);
				else
					printf(" %s", s->value);
			}
			if (res.items[i].nshared > 5)
				printf(" ...");
			putchar('\n');
		}
	}
	vg_arena_free(a);
	return VG_EXIT_OK;
}

int vg_cmd_observable_list(vg_cli *cli, int argc, char **argv)
{
	static const vg_cli_col cols[] = {
		{.header = "ID", .key = "id", .right = true}, {.header = "TYPE", .key = "type"},
		{.header = "VALUE", .key = "value", .max = 64},
		{.header = "LINKS", .key = "link_count", .right = true},
		{.header = "IOC", .key = "ioc", .yes = "IOC", .no = ""}, {.header = "COMMON", .key = "common_reason"},
	};
	vg_obs_query q = {.ioc = -1, .limit = 50};
	vg_observable *items;
	char norm[VG_OBS_VALUE_BUF];
	const char *value = NULL, *type = NULL;
	bool ioc = false;
	vg_arena *a;
	vg_db *db = NULL;
	size_t n;
	int64_t next = 0;
	vg_diag d;
	vg_err e;
	int rc;
	const vg_cli_opt opts[] = {
		{"type", VG_OPT_STR, &type},      {"value", VG_OPT_STR, &value},     {"ioc", VG_OPT_FLAG, &ioc},
		{"limit", VG_OPT_SIZE, &q.limit}, {"cursor", VG_OPT_I64, &q.after_id},
	};
	vg_diag_clear(&d);
	if (vg_cli_options(cli, "observable", "list", argc, argv, opts, VG_CLI_ARRAY_LEN(opts), 0, 0) < 0)
		return VG_EXIT_USAGE;
	if (q.limit < 1 || q.limit > 500 || q.after_id < 0)
		return vg_cli_usage(cli, "observable", "list");
	if (type) {
		if (vg_obs_type_parse(type, &q.type)) {
			fprintf(stderr, "%s: unknown observable type '%s'\n", cli->prog, type);
			return VG_EXIT_USAGE;
		}
		q.has_type = 1;
	}
	if (ioc)
		q.ioc = 1;
	if (value && q.has_type) {
		if ((e = vg_obs_normalize(q.type, value, strlen(value), norm, sizeof norm, "--value", &d)))
			return vg_cli_fail(cli, e, &d);
		q.value = norm;
		q.exact = 1;
	} else {
		q.value = value;
	}
	if ((rc = vg_cli_open_db(cli, &db)) != 0)
		return rc;
	if (!(a = vg_arena_new(0))) {
		vg_db_close(db);
		return vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
	}
	e = vg_obs_search(db, &q, a, &items, &n, &next, &d);
	vg_db_close(db);
	if (e) {
		vg_arena_free(a);
		return vg_cli_fail(cli, e, &d);
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{sI ss ss sb sb ss sI}", "id", (json_int_t)items[i].id, "type",
						     vg_obs_type_name(items[i].type), "value", items[i].value, "ioc",
						     items[i].ioc, "common", items[i].common, "common_reason",
						     items[i].common_reason, "link_count", (json_int_t)items[i].link_count));
	vg_arena_free(a);
	json_t *doc = json_pack("{so so}", "items", arr, "next_cursor", next ? json_integer(next) : json_null());
	return vg_cli_print_list(cli, doc, cols, VG_CLI_ARRAY_LEN(cols), "--cursor");
}
