/* Handlers of reports (api_reports.c). */
#ifndef VG_API_HANDLERS_REPORTS_H
#define VG_API_HANDLERS_REPORTS_H

#include "http/http.h"

void vg_h_report_create(vg_req *r);
void vg_h_report_list(vg_req *r);
void vg_h_report_get(vg_req *r);
void vg_h_report_triage(vg_req *r);
void vg_h_report_triage_bulk(vg_req *r);

#endif
