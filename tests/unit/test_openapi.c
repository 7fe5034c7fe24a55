/* The OpenAPI document against the REAL route table (src/api/routes.c):
 * every route is documented under its path and method, nothing else is, every
 * $ref resolves, and the system handlers serve it. Links the whole api module:
 * registered as unit_tests += [['openapi', dep_vg_api]] in src/api/meson.build. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"

static json_t *doc;

static int setup(void **state)
{
	(void)state;
	doc = vg_openapi_document(vg_api_routes);
	return doc ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(doc);
	return 0;
}

static void lower(const char *in, char *out, size_t outsz)
{
	size_t i = 0;
	for (; in[i] && i + 1 < outsz; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

static void test_every_route_documented(void **state)
{
	json_t *paths = json_object_get(doc, "paths");
	(void)state;
	assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
	for (const vg_route *rt = vg_api_routes; rt->method; rt++) {
		char m[16];
		json_t *op, *params;
		size_t captures = 0, in_path = 0, i;
		json_t *p;
		lower(rt->method, m, sizeof m);
		op = json_object_get(json_object_get(paths, rt->pattern), m);
		if (!op)
			fail_msg("%s %s is not in the document", rt->method, rt->pattern);
		assert_string_equal(json_string_value(json_object_get(op, "x-vigie-permission")),
				    vg_action_name(rt->action));
		for (const char *c = rt->pattern; (c = strchr(c, '{')) != NULL; c++)
			captures++;
		params = json_object_get(op, "parameters");
		json_array_foreach(params, i, p) {
			if (strcmp(json_string_value(json_object_get(p, "in")), "path") == 0) {
				char want[80];
				snprintf(want, sizeof want, "{%s}", json_string_value(json_object_get(p, "name")));
				assert_non_null(strstr(rt->pattern, want));
				in_path++;
			}
		}
		assert_int_equal(in_path, captures);
		if (rt->req_schema)
			assert_non_null(json_object_get(op, "requestBody"));
		if (rt->tag)
			assert_string_equal(json_string_value(json_array_get(json_object_get(op, "tags"), 0)), rt->tag);
		assert_non_null(json_object_get(json_object_get(op, "responses"), "401"));
	}
}

static void test_nothing_else_documented(void **state)
{
	const char *path, *method;
	json_t *item, *op;
	(void)state;
	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		json_object_foreach(item, method, op) {
			bool found = false;
			(void)op;
			for (const vg_route *rt = vg_api_routes; rt->method && !found; rt++) {
				char m[16];
				lower(rt->method, m, sizeof m);
				found = strcmp(rt->pattern, path) == 0 && strcmp(m, method) == 0;
			}
			if (!found)
				fail_msg("%s %s is documented but not routed", method, path);
		}
	}
}

static int unresolved(json_t *node)
{
	int bad = 0;
	if (json_is_object(node)) {
		const char *k;
		json_t *v;
		json_object_foreach(node, k, v) {
			if (strcmp(k, "$ref") == 0) {
				char kind[64], name[128];
				const char *ref = json_string_value(v);
				if (!ref || sscanf(ref, "#/components/%63[^/]/%127s", kind, name) != 2 ||
				    !json_object_get(json_object_get(json_object_get(doc, "components"), kind), name)) {
					print_error("unresolved $ref %s\n", ref ? ref : "(not a string)");
					bad++;
				}
			} else {
				bad += unresolved(v);
			}
		}
	} else if (json_is_array(node)) {
		size_t i;
		json_t *v;
		json_array_foreach(node, i, v) bad += unresolved(v);
	}
	return bad;
}

static void test_refs_resolve(void **state)
{
	json_t *schemas = json_object_get(json_object_get(doc, "components"), "schemas");
	(void)state;
	assert_true(json_object_size(schemas) > 30);
	for (const vg_route *rt = vg_api_routes; rt->method; rt++) {
		if (rt->req_schema && !json_object_get(schemas, rt->req_schema))
			fail_msg("schema %s missing", rt->req_schema);
		if (rt->resp_schema && !json_object_get(schemas, rt->resp_schema))
			fail_msg("schema %s missing", rt->resp_schema);
	}
	assert_non_null(json_object_get(schemas, "Error"));
	assert_int_equal(unresolved(doc), 0);
}

static void test_operation_ids_unique(void **state)
{
	const char *path, *method;
	json_t *item, *op, *seen = json_object();
	(void)state;
	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		json_object_foreach(item, method, op) {
			const char *id = json_string_value(json_object_get(op, "operationId"));
			assert_non_null(id);
			if (json_object_get(seen, id))
				fail_msg("operationId %s used twice", id);
			json_object_set_new(seen, id, json_true());
		}
	}
	json_decref(seen);
}

static void test_handlers(void **state)
{
	vg_req r;
	json_t *served;
	(void)state;
	memset(&r, 0, sizeof r);
	r.arena = vg_arena_new(0);
	vg_h_openapi(&r);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.resp_type, "application/json");
	served = json_loadb(r.resp_text, r.resp_text_len, 0, NULL);
	assert_non_null(served);
	assert_true(json_equal(served, doc));
	json_decref(served);
	/* no database connection: 503 */
	vg_h_health(&r);
	assert_int_equal(r.status, 503);
	assert_string_equal(json_string_value(json_object_get(r.resp, "db")), "error");
	json_decref(r.resp);
	vg_arena_free(r.arena);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_documented),
		cmocka_unit_test(test_nothing_else_documented),
		cmocka_unit_test(test_refs_resolve),
		cmocka_unit_test(test_operation_ids_unique),
		cmocka_unit_test(test_handlers),
	};
	return cmocka_run_group_tests_name("openapi", tests, setup, teardown);
}
