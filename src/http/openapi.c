/* OpenAPI 3.1 document generated from the route table. The component schemas
 * are a JSON object (openapi_schemas.json, compiled in by the api module);
 * everything else — paths, parameters, security, permissions — comes from the
 * routes, so the document cannot drift from what the server does. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "http/http.h"

static const char *const ERROR_STATUSES[] = {"400", "401", "403", "404"};

static json_t *ref(const char *kind, const char *name)
{
	char buf[160];
	snprintf(buf, sizeof buf, "#/components/%s/%s", kind, name);
	return json_pack("{s:s}", "$ref", buf);
}

static json_t *json_content(json_t *schema)
{
	return json_pack("{s:{s:o}}", "application/json", "schema", schema);
}

static void operation_id(const vg_route *rt, char *out, size_t outsz)
{
	size_t o = 0;
	bool sep = true;
	for (const char *p = rt->method; *p && o + 1 < outsz; p++)
		out[o++] = (char)tolower((unsigned char)*p);
	for (const char *p = rt->pattern; *p && o + 1 < outsz; p++) {
		if (isalnum((unsigned char)*p)) {
			if (sep && o + 2 < outsz)
				out[o++] = '_';
			out[o++] = *p;
			sep = false;
		} else {
			sep = true;
		}
	}
	out[o] = '\0';
}

static json_t *id_schema(void)
{
	return json_pack("{s:s,s:i,s:I}", "type", "integer", "minimum", 1, "maximum", (json_int_t)1 << 53);
}

static json_t *query_schema(const char *name)
{
	size_t n = strlen(name);
	if (strcmp(name, "limit") == 0)
		return json_pack("{s:s,s:i,s:i,s:i}", "type", "integer", "minimum", 1, "maximum", VG_PAGE_MAX, "default",
				 VG_PAGE_DEFAULT);
	if (strcmp(name, "asn") == 0)
		return json_pack("{s:s,s:i,s:I}", "type", "integer", "minimum", 0, "maximum", (json_int_t)4294967295LL);
	if (n > 3 && strcmp(name + n - 3, "_id") == 0)
		return id_schema();
	if (strcmp(name, "all") == 0 || strcmp(name, "dry_run") == 0 || strcmp(name, "in_scope") == 0)
		return json_pack("{s:s}", "type", "boolean");
	if (strcmp(name, "since") == 0 || strcmp(name, "until") == 0)
		return json_pack("{s:s,s:s}", "type", "string", "format", "date-time");
	if (strcmp(name, "format") == 0)
		return json_pack("{s:s,s:[s,s],s:s}", "type", "string", "enum", "json", "csv", "default", "json");
	if (strcmp(name, "email") == 0)
		return json_pack("{s:s,s:s}", "type", "string", "format", "email");
	return json_pack("{s:s}", "type", "string");
}

static bool has_get(const vg_route *routes, const char *pattern)
{
	for (const vg_route *rt = routes; rt->method; rt++)
		if (strcmp(rt->method, "GET") == 0 && strcmp(rt->pattern, pattern) == 0)
			return true;
	return false;
}

static json_t *parameters(const vg_route *rt)
{
	json_t *params = json_array();
	const char *p;
	if (!params)
		return NULL;
	for (p = rt->pattern; (p = strchr(p, '{')) != NULL; p++) {
		const char *end = strchr(p, '}');
		char name[64];
		if (!end || (size_t)(end - p - 1) >= sizeof name)
			break;
		memcpy(name, p + 1, (size_t)(end - p - 1));
		name[end - p - 1] = '\0';
		json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:o}", "name", name, "in", "path", "required", 1,
							"schema", rt->flags & VG_ROUTE_STATIC
								  ? json_pack("{s:s,s:s}", "type", "string", "pattern",
									      "^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
								  : id_schema()));
	}
	if (rt->query) {
		const char *q = rt->query;
		while (*q) {
			const char *comma = strchr(q, ',');
			size_t n = comma ? (size_t)(comma - q) : strlen(q);
			char name[64];
			if (n && n < sizeof name) {
				memcpy(name, q, n);
				name[n] = '\0';
				json_array_append_new(params, json_pack("{s:s,s:s,s:b,s:o}", "name", name, "in", "query",
									"required", 0, "schema", query_schema(name)));
			}
			q += n + (comma ? 1 : 0);
		}
	}
	return params;
}

static json_t *responses(const vg_route *routes, const vg_route *rt)
{
	json_t *res = json_object();
	json_t *ok = NULL;
	const char *code = "200";
	if (!res)
		return NULL;
	if (rt->resp_schema) {
		json_t *content = json_content(ref("schemas", rt->resp_schema));
		if (strcmp(rt->method, "POST") == 0 && has_get(routes, rt->pattern))
			code = "201";
		if (rt->query && strstr(rt->query, "format") && strcmp(rt->method, "GET") == 0)
			json_object_set_new(content, "text/csv", json_pack("{s:{s:s}}", "schema", "type", "string"));
		ok = json_pack("{s:s,s:o}", "description", rt->summary ? rt->summary : "OK", "content", content);
	} else if (rt->flags & VG_ROUTE_STATIC) {
		ok = json_pack("{s:s,s:{s:{s:{s:s}},s:{s:{s:s}},s:{s:{s:s}}}}", "description",
			       rt->summary ? rt->summary : "OK", "content", "text/html", "schema", "type", "string",
			       "text/javascript", "schema", "type", "string", "text/css", "schema", "type", "string");
	} else if (rt->flags & VG_ROUTE_TEXT) {
		ok = json_pack("{s:s,s:{s:{s:{s:s}}}}", "description", rt->summary ? rt->summary : "OK", "content",
			       "text/plain", "schema", "type", "string");
	} else if (strcmp(rt->method, "GET") == 0) {
		ok = json_pack("{s:s,s:o}", "description", rt->summary ? rt->summary : "OK", "content",
			       json_content(json_pack("{s:s}", "type", "object")));
	} else {
		code = "204";
		ok = json_pack("{s:s}", "description", "Done; no content");
	}
	json_object_set_new(res, code, ok);
	for (size_t i = 0; i < sizeof ERROR_STATUSES / sizeof ERROR_STATUSES[0]; i++)
		json_object_set_new(res, ERROR_STATUSES[i], ref("responses", "Error"));
	if (rt->max_body)
		json_object_set_new(res, "413", ref("responses", "Error"));
	if (rt->flags & VG_ROUTE_JSON_BODY)
		json_object_set_new(res, "415", ref("responses", "Error"));
	return res;
}

static json_t *request_body(const vg_route *rt)
{
	json_t *content;
	if (!rt->req_schema)
		return NULL;
	content = json_content(ref("schemas", rt->req_schema));
	if (rt->flags & VG_ROUTE_RAW_BODY)
		json_object_set_new(content, "text/csv", json_pack("{s:{s:s}}", "schema", "type", "string"));
	return json_pack("{s:b,s:o}", "required", 1, "content", content);
}

static json_t *operation(const vg_route *routes, const vg_route *rt)
{
	char opid[160];
	json_t *op, *body;
	operation_id(rt, opid, sizeof opid);
	op = json_pack("{s:s,s:s,s:[s],s:o,s:o,s:s}", "operationId", opid, "summary", rt->summary ? rt->summary : "",
		       "tags", rt->tag ? rt->tag : "default", "parameters", parameters(rt), "responses",
		       responses(routes, rt), "x-vigie-permission", vg_action_name(rt->action));
	if (!op)
		return NULL;
	body = request_body(rt);
	if (body)
		json_object_set_new(op, "requestBody", body);
	if (rt->action == VG_ACT_PUBLIC)
		json_object_set_new(op, "security", json_array());
	if (json_array_size(json_object_get(op, "parameters")) == 0)
		json_object_del(op, "parameters");
	return op;
}

static const char *tag_description(const char *tag)
{
	static const struct {
		const char *tag, *text;
	} known[] = {
		{"system", "Health, metrics and this document"},
		{"session", "Browser sessions: log in, log out, the current user"},
		{"registry", "Constituent organisations and what they own: networks, AS numbers, domains, contacts, products"},
		{"users", "User accounts"},
		{"tokens", "API tokens for automation"},
		{"audit", "The hash-chained audit log"},
		{"web", "The web console: its page and static files (no authentication; the API does the checks)"},
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(known[i].tag, tag) == 0)
			return known[i].text;
	return tag;
}

static json_t *components(const char *schemas_json, size_t len)
{
	json_t *schemas = NULL, *comp;
	if (schemas_json && len) {
		json_error_t jerr;
		schemas = json_loadb(schemas_json, len, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(schemas)) {
			VG_ERROR("openapi: component schemas do not parse (line %d: %s)", jerr.line, jerr.text);
			json_decref(schemas);
			schemas = NULL;
		}
	}
	if (!schemas)
		schemas = json_object();
	comp = json_pack(
		"{s:o,s:{s:{s:s,s:o}},s:{s:{s:s,s:s,s:s,s:s},s:{s:s,s:s,s:s}}}", "schemas", schemas, "responses",
		"Error", "description", "Error: the code is stable, the message is for humans", "content",
		json_content(ref("schemas", "Error")), "securitySchemes", "session", "type", "apiKey", "in", "cookie",
		"name", "vigie_session", "description",
		"Browser session set by POST /api/v1/session/login. State-changing requests must also send the "
		"session's CSRF token in the X-CSRF-Token header.",
		"bearer", "type", "http", "scheme", "bearer", "description",
		"API token (Authorization: Bearer <token>); read-only tokens cannot change state.");
	return comp;
}

json_t *vg_openapi_build(const vg_route *routes, const char *schemas_json, size_t len)
{
	json_t *doc, *paths, *tags;
	doc = json_pack("{s:s,s:{s:s,s:s,s:s,s:{s:s,s:s}},s:[{s:s}],s:[{s:[]},{s:[]}]}", "openapi", "3.1.0", "info",
			"title", "Vigie API", "version", vg_version(), "description",
			"Operations platform for national CERTs: constituent registry, accounts, audit log. Errors "
			"always have the shape {\"error\":{\"code\",\"message\",\"field\"},\"request_id\"}.",
			"license", "name", "AGPL-3.0-or-later", "identifier", "AGPL-3.0-or-later", "servers", "url", "/",
			"security", "session", "bearer");
	paths = json_object();
	tags = json_array();
	if (!doc || !paths || !tags)
		goto fail;
	for (const vg_route *rt = routes; rt && rt->method; rt++) {
		json_t *item = json_object_get(paths, rt->pattern);
		char method[16];
		size_t i;
		bool seen = false;
		if (!item) {
			item = json_object();
			if (!item || json_object_set_new(paths, rt->pattern, item))
				goto fail;
		}
		for (i = 0; rt->method[i] && i + 1 < sizeof method; i++)
			method[i] = (char)tolower((unsigned char)rt->method[i]);
		method[i] = '\0';
		json_object_set_new(item, method, operation(routes, rt));
		for (i = 0; rt->tag && i < json_array_size(tags); i++)
			if (strcmp(json_string_value(json_object_get(json_array_get(tags, i), "name")), rt->tag) == 0)
				seen = true;
		if (rt->tag && !seen)
			json_array_append_new(tags,
					      json_pack("{s:s,s:s}", "name", rt->tag, "description", tag_description(rt->tag)));
	}
	json_object_set_new(doc, "tags", tags);
	json_object_set_new(doc, "paths", paths);
	json_object_set_new(doc, "components", components(schemas_json, len));
	return doc;
fail:
	json_decref(doc);
	json_decref(paths);
	json_decref(tags);
	return NULL;
}
