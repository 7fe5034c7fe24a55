/* Handlers of alerts (api_alerts.c). */
#ifndef VG_API_HANDLERS_ALERTS_H
#define VG_API_HANDLERS_ALERTS_H

#include "http/http.h"

void vg_h_alert_list(vg_req *r);
void vg_h_alert_get(vg_req *r);
void vg_h_alert_ack(vg_req *r);
void vg_h_alert_merge(vg_req *r);
void vg_h_alert_bulk_ack(vg_req *r);

#endif
