/* The route table: every HTTP endpoint of Vigie, in one place. The HTTP layer
 * runs the generic checks (body limit, authentication, vg_policy on the
 * action, CSRF, JSON parsing) before the handler. The OpenAPI document is
 * generated from this table plus the schemas in openapi_schemas.json. */
#include "api/app.h"
#include "api/handlers.h"

#define KB *1024
#define MB *1024 * 1024
#define JSON VG_ROUTE_JSON_BODY

const vg_route vg_api_routes[] = {
	/* method, pattern, handler, action, max body, flags, summary, tag, request schema, response schema, query */
	{"GET", "/api/v1/health", vg_h_health, VG_ACT_PUBLIC, 0, 0, "Liveness and database status", "system", NULL, "Health", NULL},
	{"GET", "/api/v1/openapi.json", vg_h_openapi, VG_ACT_PUBLIC, 0, 0, "This OpenAPI 3.1 document", "system", NULL, NULL, NULL},
	{"GET", "/metrics", vg_h_metrics, VG_ACT_METRICS, 0, VG_ROUTE_TEXT, "Prometheus metrics", "system", NULL, NULL, NULL},

	{"POST", "/api/v1/session/login", vg_h_login, VG_ACT_PUBLIC, 8 KB, JSON | VG_ROUTE_NO_AUDIT, "Log in with a password; sets the session cookie", "session", "LoginInput", "Session", NULL},
	{"POST", "/api/v1/session/logout", vg_h_logout, VG_ACT_SELF_WRITE, 0, 0, "End this session (all=true: every session of the user)", "session", NULL, NULL, "all"},
	{"GET", "/api/v1/session/me", vg_h_me, VG_ACT_SELF_READ, 0, 0, "The authenticated user", "session", NULL, "Me", NULL},
	{"POST", "/api/v1/session/password", vg_h_password, VG_ACT_SELF_WRITE, 8 KB, JSON, "Change one's own password", "session", "PasswordInput", NULL, NULL},

	{"GET", "/api/v1/orgs", vg_h_org_list, VG_ACT_ORG_READ, 0, 0, "List organisations", "registry", NULL, "OrgPage", "q,kind,sector,nis2,in_scope,parent_id,cursor,limit"},
	{"POST", "/api/v1/orgs", vg_h_org_create, VG_ACT_ORG_CREATE, 4 MB, JSON, "Create an organisation (with its children)", "registry", "OrgInput", "Org", NULL},
	{"GET", "/api/v1/orgs/{id}", vg_h_org_get, VG_ACT_ORG_READ, 0, 0, "An organisation with its networks, AS numbers, domains, contacts and products", "registry", NULL, "Org", NULL},
	{"PATCH", "/api/v1/orgs/{id}", vg_h_org_update, VG_ACT_ORG_UPDATE, 64 KB, JSON, "Change an organisation's attributes", "registry", "OrgPatch", "Org", NULL},
	{"DELETE", "/api/v1/orgs/{id}", vg_h_org_delete, VG_ACT_ORG_DELETE, 0, 0, "Delete an organisation and its children", "registry", NULL, NULL, NULL},
	{"GET", "/api/v1/orgs/{id}/networks", vg_h_org_child_list, VG_ACT_ORG_READ, 0, 0, "Networks (IPv4/IPv6 prefixes)", "registry", NULL, "NetworkList", "cursor,limit"},
	{"POST", "/api/v1/orgs/{id}/networks", vg_h_org_child_add, VG_ACT_ORG_ATTRIB_WRITE, 16 KB, JSON, "Add a network", "registry", "NetworkInput", "Network", NULL},
	{"DELETE", "/api/v1/orgs/{id}/networks/{cid}", vg_h_org_child_delete, VG_ACT_ORG_ATTRIB_WRITE, 0, 0, "Remove a network", "registry", NULL, NULL, NULL},
	{"GET", "/api/v1/orgs/{id}/asns", vg_h_org_child_list, VG_ACT_ORG_READ, 0, 0, "AS numbers", "registry", NULL, "AsnList", "cursor,limit"},
	{"POST", "/api/v1/orgs/{id}/asns", vg_h_org_child_add, VG_ACT_ORG_ATTRIB_WRITE, 16 KB, JSON, "Add an AS number", "registry", "AsnInput", "Asn", NULL},
	{"DELETE", "/api/v1/orgs/{id}/asns/{cid}", vg_h_org_child_delete, VG_ACT_ORG_ATTRIB_WRITE, 0, 0, "Remove an AS number", "registry", NULL, NULL, NULL},
	{"GET", "/api/v1/orgs/{id}/domains", vg_h_org_child_list, VG_ACT_ORG_READ, 0, 0, "Domains (each covers its subdomains)", "registry", NULL, "DomainList", "cursor,limit"},
	{"POST", "/api/v1/orgs/{id}/domains", vg_h_org_child_add, VG_ACT_ORG_ATTRIB_WRITE, 16 KB, JSON, "Add a domain", "registry", "DomainInput", "Domain", NULL},
	{"DELETE", "/api/v1/orgs/{id}/domains/{cid}", vg_h_org_child_delete, VG_ACT_ORG_ATTRIB_WRITE, 0, 0, "Remove a domain", "registry", NULL, NULL, NULL},
	{"GET", "/api/v1/orgs/{id}/contacts", vg_h_org_child_list, VG_ACT_ORG_READ, 0, 0, "Contacts", "registry", NULL, "ContactList", "cursor,limit"},
	{"POST", "/api/v1/orgs/{id}/contacts", vg_h_org_child_add, VG_ACT_ORG_CONTACT_WRITE, 16 KB, JSON, "Add a contact", "registry", "ContactInput", "Contact", NULL},
	{"DELETE", "/api/v1/orgs/{id}/contacts/{cid}", vg_h_org_child_delete, VG_ACT_ORG_CONTACT_WRITE, 0, 0, "Remove a contact", "registry", NULL, NULL, NULL},
	{"GET", "/api/v1/orgs/{id}/products", vg_h_org_child_list, VG_ACT_ORG_READ, 0, 0, "Products (CPE 2.3 names)", "registry", NULL, "ProductList", "cursor,limit"},
	{"POST", "/api/v1/orgs/{id}/products", vg_h_org_child_add, VG_ACT_ORG_PRODUCT_WRITE, 16 KB, JSON, "Add a product", "registry", "ProductInput", "Product", NULL},
	{"DELETE", "/api/v1/orgs/{id}/products/{cid}", vg_h_org_child_delete, VG_ACT_ORG_PRODUCT_WRITE, 0, 0, "Remove a product", "registry", NULL, NULL, NULL},
	{"POST", "/api/v1/registry/import", vg_h_registry_import, VG_ACT_REGISTRY_IMPORT, 64 MB, VG_ROUTE_RAW_BODY, "Bulk import organisations (JSON or CSV, idempotent)", "registry", "ImportBody", "ImportReport", "format,dry_run"},
	{"GET", "/api/v1/registry/export", vg_h_registry_export, VG_ACT_REGISTRY_EXPORT, 0, 0, "Export the registry (JSON or CSV)", "registry", NULL, "ExportBody", "format"},
	{"GET", "/api/v1/lookup", vg_h_lookup, VG_ACT_LOOKUP, 0, 0, "Organisations concerned by an IP, domain, AS number or e-mail address", "registry", NULL, "LookupResult", "ip,domain,asn,email"},

	{"GET", "/api/v1/users", vg_h_user_list, VG_ACT_USER_READ, 0, 0, "List users", "users", NULL, "UserPage", "org_id,role,q,cursor,limit"},
	{"POST", "/api/v1/users", vg_h_user_create, VG_ACT_USER_WRITE, 16 KB, JSON, "Create a user", "users", "UserInput", "User", NULL},
	{"GET", "/api/v1/users/{id}", vg_h_user_get, VG_ACT_USER_READ, 0, 0, "A user", "users", NULL, "User", NULL},
	{"PATCH", "/api/v1/users/{id}", vg_h_user_update, VG_ACT_USER_WRITE, 16 KB, JSON, "Change a user (role, organisation, disabled, password)", "users", "UserPatch", "User", NULL},

	{"GET", "/api/v1/tokens", vg_h_token_list, VG_ACT_TOKEN_READ, 0, 0, "API tokens of the caller (admins: ?user_id=)", "tokens", NULL, "TokenList", "user_id"},
	{"POST", "/api/v1/tokens", vg_h_token_create, VG_ACT_TOKEN_WRITE, 8 KB, JSON, "Create an API token; the secret is shown once", "tokens", "TokenInput", "TokenCreated", NULL},
	{"DELETE", "/api/v1/tokens/{id}", vg_h_token_revoke, VG_ACT_TOKEN_WRITE, 0, 0, "Revoke an API token", "tokens", NULL, NULL, NULL},

	{"GET", "/api/v1/audit", vg_h_audit_list, VG_ACT_AUDIT_READ, 0, 0, "Audit log entries, newest first", "audit", NULL, "AuditPage", "actor,action,object_type,since,until,cursor,limit"},
	{"GET", "/api/v1/audit/verify", vg_h_audit_verify, VG_ACT_AUDIT_READ, 0, 0, "Verify the audit log's hash chain", "audit", NULL, "AuditVerify", NULL},

	/* incident handling: each module keeps its rows in its own fragment */
#include "api/routes_reports.inc"
#include "api/routes_incidents.inc"
#include "api/routes_observables.inc"
#include "api/routes_alerts.inc"
#include "api/routes_stats.inc"

	/* the web console: static files (no OpenAPI operation beyond the tag "web") */
#include "api/routes_web.inc"

	{NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL, NULL, NULL},
};
