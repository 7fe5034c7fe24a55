/* Handlers of observables (api_observables.c). */
#ifndef VG_API_HANDLERS_OBSERVABLES_H
#define VG_API_HANDLERS_OBSERVABLES_H

#include "http/http.h"

void vg_h_observable_list(vg_req *r);
void vg_h_observable_get(vg_req *r);
void vg_h_observable_update(vg_req *r);
void vg_h_observable_extract(vg_req *r);
void vg_h_incident_observables_list(vg_req *r);
void vg_h_incident_observables_add(vg_req *r);
void vg_h_incident_observables_delete(vg_req *r);
void vg_h_incident_related(vg_req *r);

#endif
