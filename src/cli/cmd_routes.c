/* vigie routes: the route table as the server uses it. */
#include <stdio.h>

#include "api/app.h"
#include "cli/cli.h"

int vg_cmd_routes(vg_cli *cli, int argc, char **argv)
{
	json_t *arr;
	(void)argv;
	if (argc > 1)
		return vg_cli_usage(cli, NULL, "routes");
	if (!cli->json) {
		for (const vg_route *r = vg_api_routes; r->method; r++)
			printf("%-7s %-40s %-22s %9zu  %s\n", r->method, r->pattern, vg_action_name(r->action),
			       r->max_body, r->summary ? r->summary : "");
		return VG_EXIT_OK;
	}
	arr = json_array();
	for (const vg_route *r = vg_api_routes; r->method; r++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I, s:b}", "method", r->method, "path", r->pattern,
						     "permission", vg_action_name(r->action), "max_body",
						     (json_int_t)r->max_body, "writes", vg_action_writes(r->action)));
	vg_cli_print_json(arr);
	return VG_EXIT_OK;
}
