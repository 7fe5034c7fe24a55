/* E-mail intake end to end: keep the raw bytes first (by SHA-256, so a
 * message is never lost, even when it cannot be parsed), parse, record the
 * report or the reply in one transaction, then deliver the acknowledgement. */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "intake/intake.h"

vg_err vg_mailgate_deliver(vg_db *db, const vg_intake_config *c, const vg_regindex *ix, const char *raw,
			   size_t len, const vg_audit_ctx *ac, vg_intake_result *res, vg_diag *d)
{
	vg_mail_parse_opts po = {.gpg_home = c->gpg_home,
				 .attachment_max = (size_t)c->attachment_max,
				 .mail_max = (size_t)c->mail_max};
	vg_mail_parsed *m = NULL;
	vg_report_input in = {0};
	char hex[65];
	vg_err e;

	memset(res, 0, sizeof *res);
	if ((e = vg_blob_store(c->data_dir, "mail", raw, len, hex, d)))
		return e; /* cannot keep it: let the MTA retry */
	if ((e = vg_mail_parse(raw, len, &po, &m, d)))
		return e;
	if (m->error)
		vg_log(VG_LOG_WARN, "mailgate: message %s: %s", hex, m->error);
	in.source = VG_SRC_EMAIL;
	in.reporter_name = m->from_name;
	in.reporter_email = m->from_addr;
	in.subject = m->subject;
	in.body = m->body;
	in.mail = m;
	in.raw_sha256 = hex;
	in.raw_size = len;
	in.idempotency_key = "";
	e = vg_report_submit(db, c, ix, &in, ac, res, d);
	vg_mail_parsed_free(m);
	if (e)
		return e;
	/* after commit: deliver what was queued (failures stay queued for the next flush) */
	for (int i = 0; i < res->noutbox; i++) {
		vg_diag sd;
		if (vg_outbox_send(db, &c->mail, res->outbox_ids[i], &sd) != VG_OK)
			vg_log(VG_LOG_WARN, "mailgate: acknowledgement queued, not sent yet: %s", sd.message);
	}
	return VG_OK;
}
