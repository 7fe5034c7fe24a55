/* Recording a report: idempotency, threading of replies, reference,
 * registry matching, search index, attachments and the acknowledgement. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cases/cases.h"
#include "core/clock.h"
#include "core/log.h"
#include "intake/internal.h"
#include "intake/thread.h"

vg_err vg_intake_config_from(const vg_config *cfg, vg_intake_config *out, vg_diag *d)
{
	vg_err e;
	memset(out, 0, sizeof *out);
	if ((e = vg_notify_config_from(cfg, &out->mail, d)))
		return e;
	snprintf(out->data_dir, sizeof out->data_dir, "%s", cfg->data_dir);
	snprintf(out->gpg_home, sizeof out->gpg_home, "%s", cfg->gpg_home);
	snprintf(out->referral_text, sizeof out->referral_text, "%s", cfg->referral_text);
	snprintf(out->ref_prefix, sizeof out->ref_prefix, "%s", cfg->ref_prefix[0] ? cfg->ref_prefix : "VIGIE");
	out->mail_max = cfg->mail_max > 0 ? cfg->mail_max : VG_MAIL_SIZE_MAX;
	out->attachment_max = cfg->attachment_max > 0 ? cfg->attachment_max : VG_MAIL_ATTACHMENT_DEFAULT;
	out->send_ack = cfg->report_ack != 0;
	return VG_OK;
}

vg_err vg_intake_audit(vg_db *db, const vg_audit_ctx *ac, const char *action, int64_t id, int64_t org_id,
		       json_t *detail, vg_diag *d)
{
	char *txt;
	vg_err e;
	if (!ac)
		return VG_OK;
	txt = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	if (txt && strlen(txt) > VG_AUDIT_DETAIL_MAX) {
		free(txt);
		txt = strdup("{\"detail_truncated\":true}");
	}
	e = vg_audit_record(db, ac, action, "report", id, org_id, "ok", txt, d);
	free(txt);
	return e;
}

static int year_now(void)
{
	time_t t = (time_t)(vg_time_now_ms() / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	return tm.tm_year + 1900;
}

/* Existing report for the same submission, if any. */
static vg_err find_duplicate(vg_db *db, const vg_report_input *in, const char *msgkey, vg_intake_result *res,
			     vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	int rc;
	if (msgkey && *msgkey) {
		int64_t rid = 0, iid = 0;
		if ((e = vg_thread_lookup(db, msgkey, "in", &rid, &iid, d)))
			return e;
		if (rid || iid) {
			res->report_id = rid;
			res->incident_id = iid;
			res->duplicate = true;
			goto ref;
		}
	}
	if (in->idempotency_key && *in->idempotency_key) {
		e = vg_db_prepare(db, "SELECT id FROM reports WHERE created_by IS ? AND idempotency_key = ?", &st, d);
		if (e)
			return e;
		if (in->created_by)
			vg_stmt_bind_int(st, 1, in->created_by);
		else
			vg_stmt_bind_null(st, 1);
		vg_stmt_bind_text(st, 2, in->idempotency_key, -1);
		rc = vg_stmt_step(st, d);
		if (rc == VG_ROW) {
			res->report_id = vg_stmt_int(st, 0);
			res->duplicate = true;
		}
		vg_stmt_done(st);
		if (rc < 0)
			return VG_ERR_DB;
	}
ref:
	if (res->report_id) {
		e = vg_db_prepare(db, "SELECT reference FROM reports WHERE id = ?", &st, d);
		if (e)
			return e;
		vg_stmt_bind_int(st, 1, res->report_id);
		if (vg_stmt_step(st, d) == VG_ROW)
			snprintf(res->reference, sizeof res->reference, "%s", vg_stmt_text(st, 0));
		vg_stmt_done(st);
	}
	return VG_OK;
}

static vg_err queue_ack(vg_db *db, const vg_intake_config *c, const vg_report_input *in, int64_t id, const char *ref,
			vg_intake_result *res, vg_diag *d)
{
	char subject[VG_REPORT_SUBJECT_MAX + 64], *body;
	const char *irt = in->mail && in->mail->message_id[0] ? in->mail->message_id : NULL;
	char irtb[260] = "";
	vg_outbox_item item;
	vg_mail_out m = {0};
	vg_err e;
	snprintf(subject, sizeof subject, "[%s] Acknowledgement: %.900s", ref, in->subject && *in->subject ? in->subject : "your report");
	if (asprintf(&body,
		     "Hello%s%s,\n\n"
		     "We have received your report and registered it under the reference %s.\n"
		     "Please keep this reference in the subject of any message about it; you can reply\n"
		     "to this message to add information.\n\n"
		     "Subject of your report: %.900s\n\n"
		     "-- \n%s\n",
		     in->reporter_name && *in->reporter_name ? " " : "", in->reporter_name ? in->reporter_name : "", ref,
		     in->subject && *in->subject ? in->subject : "(none)", c->mail.smtp_from_name) < 0)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	if (irt)
		snprintf(irtb, sizeof irtb, "<%s>", irt);
	m.to = in->reporter_email;
	m.to_name = in->reporter_name;
	m.subject = subject;
	m.body = body;
	m.in_reply_to = irt ? irtb : NULL;
	m.references = irt ? irtb : NULL;
	m.auto_submitted = true;
	e = vg_outbox_queue(db, &c->mail, &m, "ack", "report", id, &item, d);
	free(body);
	if (e)
		return e;
	if ((e = vg_thread_add(db, item.message_id, "out", id, 0, d)))
		return e;
	if (res->noutbox < (int)(sizeof res->outbox_ids / sizeof res->outbox_ids[0]))
		res->outbox_ids[res->noutbox++] = item.id;
	return VG_OK;
}

static vg_err store_attachments(vg_db *db, const vg_report_input *in, int64_t id, vg_diag *d)
{
	const vg_mail_parsed *m = in->mail;
	for (size_t i = 0; m && i < m->natts; i++) {
		const vg_mail_attachment *a = &m->atts[i];
		int64_t att = 0;
		vg_diag ad;
		vg_err e;
		if (a->too_large)
			continue; /* counted in the parse notes; not stored */
		vg_diag_clear(&ad);
		e = vg_attachment_store(db, a->filename[0] ? a->filename : "attachment.bin", a->content_type,
					a->data ? (const void *)a->data : (const void *)"", a->size, "report", id,
					true, in->created_by, &att, &ad);
		if (e == VG_ERR_LIMIT || e == VG_ERR_INVALID) {
			vg_log(VG_LOG_WARN, "report %lld: attachment %zu not stored: %s", (long long)id, i, ad.message);
			continue;
		}
		if (e) {
			if (d)
				*d = ad;
			return e;
		}
	}
	return VG_OK;
}

/* Text the registry matching looks at: subject, body, and the textual
 * attachments of a mail (X-ARF JSON, ARF feedback reports, logs), bounded. */
static char *matching_text(const vg_report_input *in)
{
	vg_buf b;
	vg_buf_init(&b, VG_OBS_TEXT_MAX);
	vg_buf_printf(&b, "%s\n", in->subject ? in->subject : "");
	vg_buf_puts(&b, in->body ? in->body : "");
	for (size_t i = 0; in->mail && i < in->mail->natts; i++) {
		const vg_mail_attachment *a = &in->mail->atts[i];
		const char *ct = a->content_type;
		if (!a->data || a->size > 256 * 1024 || memchr(a->data, '\0', a->size))
			continue;
		if (strncmp(ct, "text/", 5) && strcmp(ct, "application/json") && strcmp(ct, "message/feedback-report") &&
		    strcmp(ct, "message/rfc822-headers"))
			continue;
		if (vg_buf_putc(&b, '\n') || vg_buf_append(&b, a->data, a->size))
			break; /* beyond the extraction limit: the rest is not matched */
	}
	return b.data ? vg_buf_steal(&b) : strdup("");
}

static vg_err insert_report(vg_db *db, const vg_report_input *in, const char *ref, const char *msgkey,
			    int64_t org_id, const char *suggestion, int64_t *id, vg_diag *d)
{
	static const char *const sources[] = {"api", "form", "email"};
	const vg_mail_parsed *m = in->mail;
	int64_t now = vg_time_now_ms();
	vg_stmt *st;
	vg_err e = vg_db_prepare(db,
				 "INSERT INTO reports(reference, source, reporter_name, reporter_email, org_id, subject, body,"
				 " raw_sha256, raw_size, parse_error, message_id, sig_status, sig_fingerprint, encrypted,"
				 " idempotency_key, created_by, suggestion, created_at, updated_at, rsit_type, detected_at,"
				 " systems_affected, nis2_stage)"
				 " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
				 &st, d);
	if (e)
		return e;
	vg_stmt_bind_text(st, 1, ref, -1);
	vg_stmt_bind_text(st, 2, sources[in->source], -1);
	vg_stmt_bind_text(st, 3, in->reporter_name ? in->reporter_name : "", -1);
	vg_stmt_bind_text(st, 4, in->reporter_email ? in->reporter_email : "", -1);
	if (org_id > 0)
		vg_stmt_bind_int(st, 5, org_id);
	else
		vg_stmt_bind_null(st, 5);
	vg_stmt_bind_text(st, 6, in->subject ? in->subject : "", -1);
	vg_stmt_bind_text(st, 7, in->body ? in->body : "", -1);
	vg_stmt_bind_text(st, 8, in->raw_sha256 ? in->raw_sha256 : "", -1);
	vg_stmt_bind_int(st, 9, (int64_t)in->raw_size);
	vg_stmt_bind_text(st, 10, m && m->error ? m->error : "", -1);
	vg_stmt_bind_text(st, 11, msgkey ? msgkey : "", -1);
	vg_stmt_bind_text(st, 12, vg_sig_status_name(m ? m->sig : VG_SIG_NONE), -1);
	vg_stmt_bind_text(st, 13, m ? m->sig_fingerprint : "", -1);
	vg_stmt_bind_int(st, 14, m && m->encrypted ? 1 : 0);
	vg_stmt_bind_text(st, 15, in->idempotency_key ? in->idempotency_key : "", -1);
	if (in->created_by)
		vg_stmt_bind_int(st, 16, in->created_by);
	else
		vg_stmt_bind_null(st, 16);
	vg_stmt_bind_text(st, 17, suggestion, -1);
	vg_stmt_bind_int(st, 18, now);
	vg_stmt_bind_int(st, 19, now);
	vg_stmt_bind_text(st, 20, in->rsit_type ? in->rsit_type : "", -1);
	if (in->detected_at)
		vg_stmt_bind_int(st, 21, in->detected_at);
	else
		vg_stmt_bind_null(st, 21);
	vg_stmt_bind_text(st, 22, in->systems_affected ? in->systems_affected : "", -1);
	vg_stmt_bind_text(st, 23, in->nis2_stage ? in->nis2_stage : "", -1);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (!e)
		*id = vg_db_last_id(db);
	return e;
}

vg_err vg_report_submit(vg_db *db, const vg_intake_config *c, const vg_regindex *ix, const vg_report_input *in,
			const vg_audit_ctx *ac, vg_intake_result *res, vg_diag *d)
{
	const vg_mail_parsed *m = in->mail;
	char msgkey[300] = "", ref[VG_REF_MAX];
	json_t *sugg = NULL, *detail = NULL;
	char *sugg_txt = NULL, *text = NULL;
	int64_t id = 0, org_id = in->org_id;
	bool own = false;
	vg_err e;

	memset(res, 0, sizeof *res);
	if (m && m->message_id[0])
		snprintf(msgkey, sizeof msgkey, "%s", m->message_id);
	else if (m && in->raw_sha256 && *in->raw_sha256)
		snprintf(msgkey, sizeof msgkey, "sha256:%s", in->raw_sha256);
	if (!vg_db_in_tx(db)) {
		if ((e = vg_db_begin(db, true, d)))
			return e;
		own = true;
	}
	if ((e = find_duplicate(db, in, msgkey, res, d)) || res->duplicate)
		goto out;
	if (m) {
		e = vg_thread_reply(db, c, in, msgkey, ac, res, d);
		if (e || res->threaded)
			goto out;
	}
	/* a new report */
	if ((e = vg_ref_next(db, VG_REF_KIND_SHARED, year_now(), ref, d)))
		goto out;
	if (!(text = matching_text(in))) {
		e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if ((e = !ix && c->registry_sql ? vg_triage_suggest_sql(db, in->reporter_email, text, &sugg, d)
					: vg_triage_suggest(db, ix, in->reporter_email, text, &sugg, d)))
		goto out;
	if (org_id <= 0 && !strcmp(json_string_value(json_object_get(sugg, "decision")), "in_scope"))
		org_id = json_integer_value(json_object_get(sugg, "org_id"));
	sugg_txt = json_dumps(sugg, JSON_COMPACT);
	if (!sugg_txt) {
		e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if ((e = insert_report(db, in, ref, msgkey, org_id, sugg_txt, &id, d)))
		goto out;
	if (msgkey[0] && (e = vg_thread_add(db, msgkey, "in", id, 0, d)))
		goto out;
	if ((e = vg_search_index(db, "report", id, org_id, in->subject ? in->subject : "", in->body ? in->body : "", d)))
		goto out;
	if ((e = store_attachments(db, in, id, d)))
		goto out;
	res->report_id = id;
	res->created = true;
	snprintf(res->reference, sizeof res->reference, "%s", ref);
	detail = json_pack("{ss ss ss}", "reference", ref, "source",
			   in->source == VG_SRC_EMAIL ? "email" : in->source == VG_SRC_FORM ? "form" : "api",
			   "suggestion", json_string_value(json_object_get(sugg, "decision")));
	if ((e = vg_intake_audit(db, ac, "report.create", id, org_id, detail, d)))
		goto out;
	/* no acknowledgement to automatic mail or to ourselves (mail loops) */
	if (c->send_ack && in->reporter_email && *in->reporter_email && !(m && m->auto_submitted) &&
	    strcasecmp(in->reporter_email, c->mail.smtp_from) != 0)
		e = queue_ack(db, c, in, id, ref, res, d);
out:
	if (own)
		e = vg_db_end(db, e, d);
	json_decref(sugg);
	json_decref(detail);
	free(sugg_txt);
	free(text);
	return e;
}

vg_err vg_report_attach(vg_db *db, int64_t report_id, const char *filename, const char *content_type,
			const void *data, size_t size, int64_t uploader_id, const vg_audit_ctx *ac, int64_t *att_id,
			vg_diag *d)
{
	vg_stmt *st;
	int64_t org = 0, incident = 0, aid = 0;
	int moved = 0, rc;
	bool own = false;
	json_t *detail;
	vg_err e;
	if (!vg_db_in_tx(db)) {
		if ((e = vg_db_begin(db, true, d)))
			return e;
		own = true;
	}
	if ((e = vg_db_prepare(db, "SELECT coalesce(org_id, 0), coalesce(incident_id, 0) FROM reports WHERE id = ?", &st,
			       d)))
		goto out;
	vg_stmt_bind_int(st, 1, report_id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW) {
		org = vg_stmt_int(st, 0);
		incident = vg_stmt_int(st, 1);
	}
	vg_stmt_done(st);
	if (rc != VG_ROW) {
		e = rc < 0 ? VG_ERR_DB : vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no report %lld", (long long)report_id);
		goto out;
	}
	/* an incident merged into another: the survivor */
	if (incident && (e = vg_intake_follow_merges(db, &incident, d)))
		goto out;
	/* on the report (YARA hits: observables of the report) and, once the
	 * report became or joined an incident, on that incident too */
	if ((e = vg_attachment_store(db, filename, content_type, data, size, "report", report_id, true, uploader_id,
				     &aid, d)))
		goto out;
	if (incident && (e = vg_attachments_follow(db, report_id, incident, uploader_id, &moved, d)))
		goto out;
	detail = json_pack("{sI ss sI sI}", "attachment_id", (json_int_t)aid, "filename", filename ? filename : "",
			   "size", (json_int_t)size, "incident_id", (json_int_t)incident);
	e = vg_intake_audit(db, ac, "report.attachment.add", report_id, org, detail, d);
	json_decref(detail);
	if (!e && att_id)
		*att_id = aid;
out:
	if (own)
		e = vg_db_end(db, e, d);
	return e;
}
