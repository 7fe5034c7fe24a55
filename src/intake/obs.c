/* Observables of a report: candidates extracted from its text (subject, body,
 * text attachments; refanged, warning-listed values marked common), and the
 * values the analyst keeps, linked to the report and, once the report became
 * or joined an incident, to that incident. Also the checks of the report's
 * structured fields (the constituent form's answers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "core/buf.h"
#include "core/limits.h"
#include "intake/internal.h"

const char *const vg_report_nis2_stages[] = {"early_warning", "notification", "final_report", NULL};

vg_err vg_report_fields_check(vg_report_input *in, vg_diag *d)
{
	if (in->rsit_type && *in->rsit_type) {
		const char *tax, *type;
		if (vg_rsit_check(NULL, in->rsit_type, &tax, &type, NULL) != VG_OK)
			return vg_diag_set(d, VG_ERR_INVALID, "rsit_type", "unknown RSIT type '%.64s'", in->rsit_type);
		in->rsit_type = type;
	}
	if (in->nis2_stage && *in->nis2_stage) {
		bool ok = false;
		for (int i = 0; vg_report_nis2_stages[i]; i++)
			ok = ok || !strcmp(in->nis2_stage, vg_report_nis2_stages[i]);
		if (!ok)
			return vg_diag_set(d, VG_ERR_INVALID, "nis2_stage",
					   "must be early_warning, notification or final_report");
	}
	if (in->systems_affected && strlen(in->systems_affected) > VG_REPORT_SYSTEMS_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, "systems_affected", "longer than %d bytes", VG_REPORT_SYSTEMS_MAX);
	return VG_OK;
}

vg_err vg_report_incident(vg_db *db, int64_t id, int64_t *incident_id, vg_diag *d)
{
	vg_err e = vg_intake_report_int(db, "SELECT coalesce(incident_id, 0) FROM reports WHERE id = ?", id,
					incident_id, d);
	if (e)
		return e;
	/* an incident merged into another: the survivor */
	return *incident_id ? vg_intake_follow_merges(db, incident_id, d) : VG_OK;
}

/* Append the report's small text attachments to b (read from disk). */
static vg_err add_attachments(vg_db *db, int64_t id, vg_buf *b, vg_diag *d)
{
	int64_t ids[VG_REPORT_OBS_ATTACHMENTS_MAX];
	size_t n = 0;
	vg_stmt *st;
	int rc;
	vg_err e = vg_db_prepare(db,
				 "SELECT a.id FROM attachment_links l JOIN attachments a ON a.id = l.attachment_id"
				 " WHERE l.kind = 'report' AND l.object_id = ? AND a.size <= ?"
				 " AND (a.content_type LIKE 'text/%' OR a.content_type = 'application/json'"
				 " OR a.content_type = 'message/feedback-report' OR a.content_type = 'message/rfc822-headers')"
				 " ORDER BY l.id LIMIT ?",
				 &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, id);
	vg_stmt_bind_int(st, 2, VG_REPORT_OBS_ATTACHMENT_MAX);
	vg_stmt_bind_int(st, 3, VG_REPORT_OBS_ATTACHMENTS_MAX);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW && n < VG_REPORT_OBS_ATTACHMENTS_MAX)
		ids[n++] = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	for (size_t i = 0; i < n; i++) {
		char path[1024], name[VG_ATTACHMENT_NAME_MAX + 1], *data = NULL;
		int64_t size = 0;
		size_t got = 0;
		FILE *f;
		if ((e = vg_attachment_path(db, ids[i], "report", id, false, path, sizeof path, name, sizeof name, &size,
					    d)))
			return e;
		if (!(f = fopen(path, "rbe")))
			continue; /* content missing on disk: the rest is still extracted */
		if (size > 0 && (data = malloc((size_t)size)))
			got = fread(data, 1, (size_t)size, f);
		fclose(f);
		/* binary content (a NUL) is not text to extract from */
		if (got && !memchr(data, '\0', got) && (vg_buf_putc(b, '\n') || vg_buf_append(b, data, got))) {
			free(data);
			break; /* beyond the extraction limit */
		}
		free(data);
	}
	return VG_OK;
}

vg_err vg_report_obs_candidates(vg_db *db, int64_t id, const vg_obs_warnlist *wl, vg_arena *a,
				vg_obs_candidates *out, vg_diag *d)
{
	vg_buf b;
	vg_stmt *st;
	size_t len;
	int rc;
	vg_err e = vg_db_prepare(db, "SELECT subject, body FROM reports WHERE id = ?", &st, d);
	if (e)
		return e;
	vg_buf_init(&b, VG_OBS_TEXT_MAX);
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW) {
		/* what does not fit is not extracted (VG_OBS_TEXT_MAX) */
		if (!vg_buf_puts(&b, vg_stmt_text(st, 0)) && !vg_buf_putc(&b, '\n'))
			vg_buf_puts(&b, vg_stmt_text(st, 1));
	}
	vg_stmt_done(st);
	if (rc != VG_ROW) {
		vg_buf_fini(&b);
		return rc < 0 ? VG_ERR_DB : vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no report %lld", (long long)id);
	}
	if ((e = add_attachments(db, id, &b, d))) {
		vg_buf_fini(&b);
		return e;
	}
	len = b.len;
	/* never cut a UTF-8 sequence */
	while (len && len < b.len && ((unsigned char)b.data[len] & 0xc0) == 0x80)
		len--;
	e = vg_obs_extract(b.data ? b.data : "", b.data ? len : 0, wl, a, out, d);
	vg_buf_fini(&b);
	return e;
}

vg_err vg_report_obs_link(vg_db *db, int64_t id, const vg_obs_type *types, const char *const *values, size_t n,
			  const vg_obs_warnlist *wl, int64_t common_cap, int64_t *obs_ids, int64_t *incident_id,
			  vg_diag *d)
{
	int64_t org = 0, inc = 0, iorg = 0;
	vg_err e;
	if ((e = vg_report_org(db, id, &org, d)) || (e = vg_report_incident(db, id, &inc, d)))
		return e;
	if (inc && (e = vg_incident_org(db, inc, &iorg, d)))
		return e;
	for (size_t i = 0; i < n; i++) {
		e = vg_obs_link_value(db, types ? types[i] : VG_OBS__COUNT, values[i], strlen(values[i]),
				      VG_OBS_OBJ_REPORT, id, org, "analyst", wl, common_cap, &obs_ids[i], NULL, d);
		if (!e && inc)
			e = vg_obs_link(db, obs_ids[i], VG_OBS_OBJ_INCIDENT, inc, iorg, "report", common_cap, NULL, d);
		if (e) {
			char f[48];
			snprintf(f, sizeof f, "observables[%zu].value", i);
			if (d && (!d->field[0] || !strcmp(d->field, "value")))
				snprintf(d->field, sizeof d->field, "%s", f);
			return e;
		}
	}
	if (incident_id)
		*incident_id = inc;
	return VG_OK;
}

vg_err vg_intake_obs_follow(vg_db *db, int64_t report_id, int64_t incident_id, vg_diag *d)
{
	vg_arena *a = vg_arena_new(0);
	vg_obs_linked *items = NULL;
	int64_t iorg = 0;
	size_t n = 0;
	vg_err e;
	if (!a)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	e = vg_incident_org(db, incident_id, &iorg, d);
	if (!e)
		e = vg_obs_list_for_object(db, VG_OBS_OBJ_REPORT, report_id, VG_OBS_EXTRACT_MAX, a, &items, &n, d);
	for (size_t i = 0; !e && i < n; i++)
		e = vg_obs_link(db, items[i].obs.id, VG_OBS_OBJ_INCIDENT, incident_id, iorg, "report", 0, NULL, d);
	vg_arena_free(a);
	return e;
}
