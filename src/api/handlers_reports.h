/* Handlers of reports (api_reports.c). */
#ifndef VG_API_HANDLERS_REPORTS_H
#define VG_API_HANDLERS_REPORTS_H

#include "http/http.h"

/* Reply a stored attachment as a download (reports and incidents). */
void vg_reply_attachment_file(vg_req *r, const char *path, const char *name, int64_t size);

void vg_h_report_create(vg_req *r);
void vg_h_report_list(vg_req *r);
void vg_h_report_get(vg_req *r);
void vg_h_report_triage(vg_req *r);
void vg_h_report_triage_bulk(vg_req *r);
void vg_h_report_attachments(vg_req *r);
void vg_h_report_attachment_add(vg_req *r);
void vg_h_report_attachment_get(vg_req *r);
void vg_h_report_obs_candidates(vg_req *r);
void vg_h_report_obs_add(vg_req *r);

#endif
