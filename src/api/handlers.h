/* Every API handler. The route table (routes.c) binds each to a method, a
 * path pattern, a policy action and a body limit; the handler itself only
 * decodes its input, checks the object it touches with vg_req_allow, does the
 * work in a transaction with its audit entry, and replies. */
#ifndef VG_API_HANDLERS_H
#define VG_API_HANDLERS_H

#include "http/http.h"

/* api_system.c */
void vg_h_health(vg_req *r);
void vg_h_openapi(vg_req *r);
void vg_h_metrics(vg_req *r);

/* api_session.c */
void vg_h_login(vg_req *r);
void vg_h_logout(vg_req *r);
void vg_h_me(vg_req *r);
void vg_h_password(vg_req *r);

/* api_orgs.c */
void vg_h_org_list(vg_req *r);
void vg_h_org_create(vg_req *r);
void vg_h_org_get(vg_req *r);
void vg_h_org_update(vg_req *r);
void vg_h_org_delete(vg_req *r);
/* children: kind is taken from the path ("networks", "asns", "domains", "contacts", "products") */
void vg_h_org_child_list(vg_req *r);
void vg_h_org_child_add(vg_req *r);
void vg_h_org_child_delete(vg_req *r);
void vg_h_registry_import(vg_req *r);
void vg_h_registry_export(vg_req *r);
void vg_h_lookup(vg_req *r);

/* api_users.c */
void vg_h_user_list(vg_req *r);
void vg_h_user_create(vg_req *r);
void vg_h_user_get(vg_req *r);
void vg_h_user_update(vg_req *r);

/* api_tokens.c */
void vg_h_token_list(vg_req *r);
void vg_h_token_create(vg_req *r);
void vg_h_token_revoke(vg_req *r);

/* api_audit.c */
void vg_h_audit_list(vg_req *r);
void vg_h_audit_verify(vg_req *r);

#include "api/handlers_reports.h"
#include "api/handlers_incidents.h"
#include "api/handlers_observables.h"
#include "api/handlers_alerts.h"
#include "api/handlers_stats.h"

#endif
