/* Mail threading (thread.c): our Message-IDs and the ones we received, and
 * the report or incident each belongs to. Internal to src/intake. */
#ifndef VG_INTAKE_THREAD_H
#define VG_INTAKE_THREAD_H

#include "intake/intake.h"

/* Report/incident a Message-ID (without brackets) belongs to; direction NULL =
 * either. Both 0 when unknown. */
vg_err vg_thread_lookup(vg_db *db, const char *msgid, const char *direction, int64_t *report_id,
			int64_t *incident_id, vg_diag *d);
/* Remember a Message-ID (with or without brackets); an existing one is kept. */
vg_err vg_thread_add(vg_db *db, const char *msgid, const char *direction, int64_t report_id, int64_t incident_id,
		     vg_diag *d);
/* Point every message of a report at the incident it became. */
vg_err vg_thread_attach_incident(vg_db *db, int64_t report_id, int64_t incident_id, vg_diag *d);
/* An incoming message that replies to a report or an incident: recorded in
 * report_messages or the incident journal; res->threaded tells. */
vg_err vg_thread_reply(vg_db *db, const vg_intake_config *c, const vg_report_input *in, const char *msgkey,
		       const vg_audit_ctx *ac, vg_intake_result *res, vg_diag *d);

#endif
