/* Threading of incoming mail: In-Reply-To / References naming one of our
 * messages (or one we received), else a reference in the subject. A reply
 * joins the report (report_messages) or, when the report became an
 * incident, the incident's journal (kind "email_in", visible). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "core/clock.h"
#include "intake/internal.h"
#include "intake/thread.h"

/* "<id>" or "id" → "id" */
static void strip_brackets(const char *in, char *out, size_t outsz)
{
	size_t n;
	if (*in == '<')
		in++;
	snprintf(out, outsz, "%s", in);
	n = strlen(out);
	if (n && out[n - 1] == '>')
		out[n - 1] = '\0';
}

vg_err vg_thread_lookup(vg_db *db, const char *msgid, const char *direction, int64_t *report_id,
			int64_t *incident_id, vg_diag *d)
{
	char id[300];
	vg_stmt *st;
	int rc;
	vg_err e;
	*report_id = *incident_id = 0;
	strip_brackets(msgid, id, sizeof id);
	if (!id[0])
		return VG_OK;
	e = vg_db_prepare(db,
			  "SELECT coalesce(report_id, 0), coalesce(incident_id, 0) FROM mail_threads"
			  " WHERE message_id = ? AND (? IS NULL OR direction = ?)",
			  &st, d);
	if (e)
		return e;
	vg_stmt_bind_text(st, 1, id, -1);
	vg_stmt_bind_text(st, 2, direction, -1);
	vg_stmt_bind_text(st, 3, direction, -1);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW) {
		*report_id = vg_stmt_int(st, 0);
		*incident_id = vg_stmt_int(st, 1);
	}
	vg_stmt_done(st);
	return rc < 0 ? VG_ERR_DB : VG_OK;
}

vg_err vg_thread_add(vg_db *db, const char *msgid, const char *direction, int64_t report_id, int64_t incident_id,
		     vg_diag *d)
{
	char id[300];
	vg_stmt *st;
	vg_err e;
	strip_brackets(msgid, id, sizeof id);
	if (!id[0])
		return VG_OK;
	e = vg_db_prepare(db,
			  "INSERT INTO mail_threads(message_id, direction, report_id, incident_id, created_at)"
			  " VALUES (?,?,?,?,?) ON CONFLICT(message_id) DO NOTHING",
			  &st, d);
	if (e)
		return e;
	vg_stmt_bind_text(st, 1, id, -1);
	vg_stmt_bind_text(st, 2, direction, -1);
	if (report_id)
		vg_stmt_bind_int(st, 3, report_id);
	else
		vg_stmt_bind_null(st, 3);
	if (incident_id)
		vg_stmt_bind_int(st, 4, incident_id);
	else
		vg_stmt_bind_null(st, 4);
	vg_stmt_bind_int(st, 5, vg_time_now_ms());
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	return e;
}

vg_err vg_thread_attach_incident(vg_db *db, int64_t report_id, int64_t incident_id, vg_diag *d)
{
	vg_stmt *st;
	vg_err e = vg_db_prepare(db, "UPDATE mail_threads SET incident_id = ? WHERE report_id = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, incident_id);
	vg_stmt_bind_int(st, 2, report_id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	return e;
}

/* Report by reference, with the incident it became (0). */
static vg_err report_by_ref(vg_db *db, const char *ref, int64_t *rid, int64_t *iid, vg_diag *d)
{
	vg_stmt *st;
	int rc;
	vg_err e = vg_db_prepare(db, "SELECT id, coalesce(incident_id, 0) FROM reports WHERE reference = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_text(st, 1, ref, -1);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW) {
		*rid = vg_stmt_int(st, 0);
		*iid = vg_stmt_int(st, 1);
	}
	vg_stmt_done(st);
	return rc < 0 ? VG_ERR_DB : VG_OK;
}

static vg_err report_incident(vg_db *db, int64_t rid, int64_t *iid, vg_diag *d)
{
	vg_stmt *st;
	int rc;
	vg_err e = vg_db_prepare(db, "SELECT coalesce(incident_id, 0) FROM reports WHERE id = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, rid);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW && vg_stmt_int(st, 0))
		*iid = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	return rc < 0 ? VG_ERR_DB : VG_OK;
}

/* An incident merged into another: its mail goes to the surviving one. */
vg_err vg_intake_follow_merges(vg_db *db, int64_t *iid, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	for (int hops = 0; *iid && hops < 16; hops++) {
		int64_t next = 0;
		int rc;
		/* prepared each time: a statement is not reused after vg_stmt_done */
		if ((e = vg_db_prepare(db, "SELECT coalesce(merged_into, 0) FROM incidents WHERE id = ?", &st, d)))
			return e;
		vg_stmt_bind_int(st, 1, *iid);
		rc = vg_stmt_step(st, d);
		if (rc == VG_ROW)
			next = vg_stmt_int(st, 0);
		vg_stmt_done(st);
		if (rc < 0)
			return VG_ERR_DB;
		if (!next || next == *iid)
			break;
		*iid = next;
	}
	return VG_OK;
}

/* Find the report/incident a message replies to. */
static vg_err find_target(vg_db *db, const vg_intake_config *c, const vg_mail_parsed *m, int64_t *rid, int64_t *iid,
			  const char **via, vg_diag *d)
{
	char ref[VG_REF_MAX];
	vg_err e;
	*rid = *iid = 0;
	if (m->in_reply_to[0]) {
		if ((e = vg_thread_lookup(db, m->in_reply_to, NULL, rid, iid, d)))
			return e;
		if (*rid || *iid) {
			*via = "in-reply-to";
			goto found;
		}
	}
	if (m->references[0]) {
		char *refs = strdup(m->references), *save = NULL;
		if (!refs)
			return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		/* newest (last) first */
		char *ids[200];
		int n = 0;
		for (char *t = strtok_r(refs, " ", &save); t && n < 200; t = strtok_r(NULL, " ", &save))
			ids[n++] = t;
		for (int i = n - 1; i >= 0 && !*rid && !*iid; i--)
			if ((e = vg_thread_lookup(db, ids[i], NULL, rid, iid, d))) {
				free(refs);
				return e;
			}
		free(refs);
		if (*rid || *iid) {
			*via = "references";
			goto found;
		}
	}
	if (vg_ref_find(m->subject, c->ref_prefix, ref, sizeof ref)) {
		vg_diag qd;
		if ((e = report_by_ref(db, ref, rid, iid, d)))
			return e;
		if (!*rid && vg_incident_by_ref(db, ref, iid, &qd) != VG_OK)
			*iid = 0;
		if (*rid || *iid) {
			*via = "subject";
			goto found;
		}
	}
	return VG_OK;
found:
	if (*rid && !*iid && (e = report_incident(db, *rid, iid, d)))
		return e;
	return vg_intake_follow_merges(db, iid, d);
}

/* Is the sender a reporter of the incident or a contact of its organisation?
 * Anyone who knows a reference can write to it; what they write stays internal
 * unless it comes from a known party. */
static bool known_sender(vg_db *db, int64_t incident_id, const char *from)
{
	int64_t org = 0;
	vg_stmt *st;
	bool known = false;
	if (!from || !*from)
		return false;
	if (vg_incident_org(db, incident_id, &org, NULL) != VG_OK)
		org = 0;
	if (vg_db_prepare(db,
			  "SELECT 1 FROM reports WHERE incident_id = ? AND reporter_email = ?"
			  " UNION ALL SELECT 1 FROM contacts WHERE org_id = ? AND email = ? LIMIT 1",
			  &st, NULL))
		return false;
	vg_stmt_bind_int(st, 1, incident_id);
	vg_stmt_bind_text(st, 2, from, -1);
	vg_stmt_bind_int(st, 3, org);
	vg_stmt_bind_text(st, 4, from, -1);
	known = vg_stmt_step(st, NULL) == VG_ROW;
	vg_stmt_done(st);
	return known;
}

vg_err vg_thread_reply(vg_db *db, const vg_intake_config *c, const vg_report_input *in, const char *msgkey,
		       const vg_audit_ctx *ac, vg_intake_result *res, vg_diag *d)
{
	const vg_mail_parsed *m = in->mail;
	const char *via = NULL;
	int64_t rid = 0, iid = 0;
	json_t *detail = NULL;
	vg_err e;

	if ((e = find_target(db, c, m, &rid, &iid, &via, d)))
		return e;
	if (!rid && !iid)
		return VG_OK;
	if (iid) {
		json_t *meta = json_pack("{ss ss ss ss ss}", "from", m->from_addr, "subject", m->subject, "message_id",
					 m->message_id, "raw_sha256", in->raw_sha256 ? in->raw_sha256 : "", "signature",
					 vg_sig_status_name(m->sig));
		char *body = NULL;
		int64_t entry = 0;
		if (asprintf(&body, "E-mail from %s: %s\n\n%s", m->from_addr[0] ? m->from_addr : "(unknown sender)",
			     m->subject, m->body) < 0) {
			json_decref(meta);
			return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		}
		if (strlen(body) > VG_JOURNAL_BODY_MAX - 64) {
			size_t n = VG_JOURNAL_BODY_MAX - 64;
			while (n && ((unsigned char)body[n] & 0xc0) == 0x80)
				n--;
			body[n] = '\0';
		}
		/* shown to the constituent only when it comes from a known party */
		e = vg_incident_journal_add(db, iid, "email_in", known_sender(db, iid, m->from_addr), 0, body, meta, &entry,
					    d); /* meta stolen */
		free(body);
		if (e)
			return e;
	} else {
		vg_stmt *st;
		e = vg_db_prepare(db,
				  "INSERT INTO report_messages(report_id, direction, message_id, sender, subject, body,"
				  " raw_sha256, parse_error, created_at) VALUES (?, 'in', ?, ?, ?, ?, ?, ?, ?)",
				  &st, d);
		if (e)
			return e;
		vg_stmt_bind_int(st, 1, rid);
		vg_stmt_bind_text(st, 2, msgkey, -1);
		vg_stmt_bind_text(st, 3, m->from_addr, -1);
		vg_stmt_bind_text(st, 4, m->subject, -1);
		vg_stmt_bind_text(st, 5, m->body, -1);
		vg_stmt_bind_text(st, 6, in->raw_sha256 ? in->raw_sha256 : "", -1);
		vg_stmt_bind_text(st, 7, m->error ? m->error : "", -1);
		vg_stmt_bind_int(st, 8, vg_time_now_ms());
		e = vg_stmt_exec(st, d);
		vg_stmt_done(st);
		if (e)
			return e;
	}
	if (msgkey[0] && (e = vg_thread_add(db, msgkey, "in", rid, iid, d)))
		return e;
	/* attachments of the reply go with the report (or the incident) */
	for (size_t i = 0; i < m->natts; i++) {
		const vg_mail_attachment *a = &m->atts[i];
		int64_t att;
		vg_diag ad;
		if (a->too_large)
			continue;
		e = vg_attachment_store(db, a->filename[0] ? a->filename : "attachment.bin", a->content_type,
					a->data ? (const void *)a->data : (const void *)"", a->size,
					iid ? "incident" : "report", iid ? iid : rid, true, 0, &att, &ad);
		if (e && e != VG_ERR_LIMIT && e != VG_ERR_INVALID) {
			if (d)
				*d = ad;
			return e;
		}
	}
	res->report_id = rid;
	res->incident_id = iid;
	res->threaded = true;
	if (rid) {
		vg_stmt *st;
		if (!vg_db_prepare(db, "SELECT reference FROM reports WHERE id = ?", &st, NULL)) {
			vg_stmt_bind_int(st, 1, rid);
			if (vg_stmt_step(st, NULL) == VG_ROW)
				snprintf(res->reference, sizeof res->reference, "%s", vg_stmt_text(st, 0));
			vg_stmt_done(st);
		}
	}
	detail = json_pack("{ss ss sI}", "via", via, "from", m->from_addr, "incident_id", (json_int_t)iid);
	e = vg_intake_audit(db, ac, "report.reply", rid, 0, detail, d);
	json_decref(detail);
	return e;
}
