/* Mail from an incident to the constituent's contacts: one message per
 * recipient, queued in the outbox inside the caller's transaction, each
 * Message-ID remembered so that replies thread back into the incident's
 * journal. The subject always carries the incident's reference. */
#include <stdio.h>
#include <string.h>

#include "intake/intake.h"
#include "intake/thread.h"
#include "registry/names.h"

vg_err vg_intake_mail_incident(vg_db *db, const vg_notify_config *nc, int64_t incident_id, const char *reference,
			       json_t *to, const char *subject, const char *body, int64_t *queued, size_t maxq,
			       size_t *nqueued, vg_diag *d)
{
	char subj[VG_REPORT_SUBJECT_MAX + 64];
	size_t i;
	json_t *v;
	vg_err e = VG_OK;
	*nqueued = 0;
	if (!json_is_array(to) || json_array_size(to) == 0)
		return vg_diag_set(d, VG_ERR_INVALID, "meta.to", "at least one recipient is required");
	if (json_array_size(to) > maxq)
		return vg_diag_set(d, VG_ERR_LIMIT, "meta.to", "at most %zu recipients", maxq);
	if (!subject || !*subject)
		subject = "";
	/* the reference in brackets lets replies find the incident even when
	 * their In-Reply-To is lost */
	if (reference && *reference && !strstr(subject, reference))
		snprintf(subj, sizeof subj, "[%s] %s", reference, subject);
	else
		snprintf(subj, sizeof subj, "%s", subject);
	json_array_foreach(to, i, v) {
		char addr[VG_EMAIL_MAX + 1], field[32];
		const char *s = json_string_value(v), *lt, *gt;
		vg_mail_out m = {0};
		vg_outbox_item item;
		snprintf(field, sizeof field, "meta.to[%zu]", i);
		if (!s)
			return vg_diag_set(d, VG_ERR_INVALID, field, "expected an e-mail address");
		/* "Name <addr>" or a bare address */
		lt = strrchr(s, '<');
		gt = lt ? strchr(lt, '>') : NULL;
		if (lt && gt)
			e = vg_email_normalize(lt + 1, (size_t)(gt - lt - 1), addr, sizeof addr, field, d);
		else
			e = vg_email_normalize(s, strlen(s), addr, sizeof addr, field, d);
		if (e)
			return e;
		m.to = addr;
		m.subject = subj;
		m.body = body;
		e = vg_outbox_queue(db, nc, &m, "notify", "incident", incident_id, &item, d);
		if (!e)
			e = vg_thread_add(db, item.message_id, "out", 0, incident_id, d);
		if (e)
			return e;
		queued[(*nqueued)++] = item.id;
	}
	return VG_OK;
}
