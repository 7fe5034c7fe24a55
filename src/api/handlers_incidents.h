/* Handlers of incidents (api_incidents.c). */
#ifndef VG_API_HANDLERS_INCIDENTS_H
#define VG_API_HANDLERS_INCIDENTS_H

#include <stdbool.h>

#include "http/http.h"

/* The incidents module's configuration from the server's, once (attachments
 * land under the configured data_dir). */
void vg_api_cases_init(vg_req *r);
/* An attachment upload's request: ?filename= (bounded) and a non-empty raw
 * body; false after replying 400 naming the field. */
bool vg_api_upload_check(vg_req *r, const char *name);

void vg_h_incident_list(vg_req *r);
void vg_h_incident_create(vg_req *r);
void vg_h_incident_get(vg_req *r);
void vg_h_incident_update(vg_req *r);
void vg_h_incident_status(vg_req *r);
void vg_h_incident_journal_list(vg_req *r);
void vg_h_incident_journal_add(vg_req *r);
void vg_h_incident_journal_patch(vg_req *r);
void vg_h_incident_tasks(vg_req *r);
void vg_h_incident_task_add(vg_req *r);
void vg_h_incident_task_update(vg_req *r);
void vg_h_incident_links(vg_req *r);
void vg_h_incident_link_add(vg_req *r);
void vg_h_incident_merge(vg_req *r);
void vg_h_incident_playbook_apply(vg_req *r);
void vg_h_incident_attachments(vg_req *r);
void vg_h_incident_attachment_add(vg_req *r);
void vg_h_incident_attachment_get(vg_req *r);
void vg_h_incident_export(vg_req *r);
void vg_h_deadlines(vg_req *r);
void vg_h_search(vg_req *r);
void vg_h_rsit(vg_req *r);
void vg_h_playbook_list(vg_req *r);
void vg_h_playbook_get(vg_req *r);
void vg_h_playbook_create(vg_req *r);

#endif
