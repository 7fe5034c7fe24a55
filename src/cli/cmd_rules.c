/* vigie rules check: load rules the way vigie hunt does, list what cannot
 * run and why (file:line), correlation rules and their state, and the
 * compiled ruleset's statistics; exit non-zero when a rule is refused. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cli/rules_load.h"

static const struct option check_opts[] = {
	{"mapping", required_argument, NULL, 'm'},
	{"verbose", no_argument, NULL, 'v'},
	{0, 0, 0, 0},
};

int vg_cmd_rules_check(vg_cli *cli, int argc, char **argv)
{
	char **maps = calloc((size_t)argc + 1, sizeof(char *));
	size_t nmaps = 0;
	vg_cli_lint l = {.cli = cli, .verbose = true};
	vg_load_report rep = {.problem = vg_cli_print_rule_problem, .ctx = &l};
	vg_ruleset *rs = NULL;
	bool routed;
	int rc = VG_EXIT_OK, c;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	if (!maps)
		return vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:v", check_opts, NULL)) != -1) {
		if (c == 'm')
			maps[nmaps++] = optarg;
		else if (c != 'v') {
			rc = vg_cli_usage(cli, "rules", "check");
			goto out;
		}
	}
	if (optind >= argc) {
		rc = vg_cli_usage(cli, "rules", "check");
		goto out;
	}
	if (!(rs = vg_ruleset_new())) {
		rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
		goto out;
	}
	if ((rc = vg_cli_load_mappings(cli, rs, maps, nmaps, &routed)))
		goto out;
	for (int i = optind; i < argc; i++)
		if ((e = vg_ruleset_load_path(rs, argv[i], &rep))) {
			vg_diag_set(&d, e, NULL, "cannot read rules from %s", argv[i]);
			rc = vg_cli_fail(cli, e, &d);
			goto out;
		}
	if ((e = vg_ruleset_compile(rs, &d))) {
		rc = vg_cli_fail(cli, e, &d);
		goto out;
	}
	size_t inactive = 0, ncorr = vg_ruleset_corr_count(rs), corr_inactive = 0, corr_problems = 0;
	for (size_t i = 0; i < vg_ruleset_problem_count(rs); i++) {
		const vg_diag *pd = vg_ruleset_problem(rs, i);
		vg_cli_print_rule_problem(&l, pd);
		corr_problems += pd->code != VG_OK;
	}
	for (size_t i = 0; i < ncorr; i++) {
		const vg_rule_info *ci = vg_ruleset_corr_rule(rs, i);
		corr_inactive += !ci->active;
		if (!cli->quiet && !cli->json)
			printf("correlation %s: %s (%s)%s%s\n", vg_ruleset_corr_type(rs, i), ci->title, vg_cli_rule_ref(ci),
			       ci->active ? "" : ": cannot run: ", ci->active ? "" : ci->inactive_reason);
	}
	for (size_t i = 0; i < vg_ruleset_count(rs); i++) {
		const vg_rule_info *ri = vg_ruleset_rule(rs, i);
		if (ri->active)
			continue;
		inactive++;
		if (!cli->quiet)
			fprintf(stderr, "%s: %s:%u: not routed: %s\n", cli->prog, ri->file, ri->line, ri->inactive_reason);
	}
	vg_ruleset_stats st;
	vg_ruleset_stats_get(rs, &st);
	if (cli->json) {
		json_t *j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "correlations",
				      (json_int_t)ncorr, "correlations_inactive", (json_int_t)corr_inactive, "files",
				      (json_int_t)rep.files,
				      "documents", (json_int_t)rep.documents, "loaded", (json_int_t)rep.loaded, "filters",
				      (json_int_t)rep.filters, "rejected", (json_int_t)rep.rejected, "warnings",
				      (json_int_t)rep.warnings, "not_routed", (json_int_t)inactive, "prefiltered",
				      (json_int_t)st.prefiltered, "regexes", (json_int_t)st.regexes);
		vg_cli_print_json(j);
	} else {
		printf("%zu files, %zu documents: %zu rules loaded, %zu filters, %zu correlations (%zu cannot run), "
		       "%zu rejected, %zu warnings",
		       rep.files, rep.documents, rep.loaded, rep.filters, ncorr, corr_inactive, rep.rejected, rep.warnings);
		if (routed)
			printf(", %zu not routed by the mappings", inactive);
		printf("\n%zu rules behind the literal prefilter (%zu literals), %zu always evaluated, %zu regexes\n",
		       st.prefiltered, st.literals, st.always, st.regexes);
	}
	if (rep.rejected || corr_problems)
		rc = VG_EXIT_INVALID;
out:
	vg_ruleset_free(rs);
	free(maps);
	return rc;
}
