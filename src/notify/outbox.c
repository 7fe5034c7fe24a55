/* The outbox: outgoing mail queued in the database with the change that
 * causes it, delivered after commit, retried with exponential backoff. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/json.h"
#include "core/log.h"
#include "notify/notify.h"

vg_err vg_outbox_queue(vg_db *db, const vg_notify_config *c, const vg_mail_out *m, const char *purpose,
		       const char *object_type, int64_t object_id, vg_outbox_item *item, vg_diag *d)
{
	vg_buf b;
	vg_stmt *st = NULL;
	char mid[256];
	int64_t now = vg_time_now_ms();
	bool own = false;
	vg_err e;

	vg_buf_init(&b, VG_MAIL_OUT_MAX + 64 * 1024);
	e = vg_mail_build(c, m, now, &b, mid, sizeof mid, d);
	if (e)
		goto out;
	if (!vg_db_in_tx(db)) {
		if ((e = vg_db_begin(db, true, d)))
			goto out;
		own = true;
	}
	e = vg_db_prepare(db,
			  "INSERT INTO outbox(message_id, mail_from, rcpt, subject, data, purpose, object_type, object_id,"
			  " status, attempts, created_at, next_attempt_at) VALUES (?,?,?,?,?,?,?,?,'queued',0,?,?)",
			  &st, d);
	if (e)
		goto out;
	vg_stmt_bind_text(st, 1, mid, -1);
	vg_stmt_bind_text(st, 2, m->from ? m->from : c->smtp_from, -1);
	if (m->cc && *m->cc) {
		char rc[2 * VG_EMAIL_MAX + 2];
		snprintf(rc, sizeof rc, "%s,%s", m->to, m->cc);
		vg_stmt_bind_text(st, 3, rc, -1);
	} else
		vg_stmt_bind_text(st, 3, m->to, -1);
	vg_stmt_bind_text(st, 4, m->subject ? m->subject : "", -1);
	vg_stmt_bind_text(st, 5, vg_buf_cstr(&b), (ptrdiff_t)b.len);
	vg_stmt_bind_text(st, 6, purpose ? purpose : "", -1);
	vg_stmt_bind_text(st, 7, object_type ? object_type : "", -1);
	vg_stmt_bind_int(st, 8, object_id);
	vg_stmt_bind_int(st, 9, now);
	vg_stmt_bind_int(st, 10, now);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e)
		goto out;
	if (item) {
		item->id = vg_db_last_id(db);
		snprintf(item->message_id, sizeof item->message_id, "%s", mid);
	}
	if (own)
		e = vg_db_commit(db, d);
out:
	if (e && own)
		vg_db_rollback(db);
	vg_buf_fini(&b);
	return e;
}

typedef struct queued {
	char *from, *rcpt, *data;
	int64_t attempts;
	char status[16];
} queued;

static void queued_fini(queued *q)
{
	free(q->from);
	free(q->rcpt);
	free(q->data);
}

static vg_err load(vg_db *db, int64_t id, queued *q, vg_diag *d)
{
	vg_stmt *st;
	vg_err e = vg_db_prepare(db, "SELECT mail_from, rcpt, data, attempts, status FROM outbox WHERE id = ?", &st, d);
	int rc;
	memset(q, 0, sizeof *q);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW) {
		q->from = strdup(vg_stmt_text(st, 0));
		q->rcpt = strdup(vg_stmt_text(st, 1));
		q->data = strdup(vg_stmt_text(st, 2));
		q->attempts = vg_stmt_int(st, 3);
		snprintf(q->status, sizeof q->status, "%s", vg_stmt_text(st, 4));
		if (!q->from || !q->rcpt || !q->data)
			e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	} else
		e = rc < 0 ? VG_ERR_DB : vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no queued message %lld", (long long)id);
	vg_stmt_done(st);
	if (e)
		queued_fini(q);
	return e;
}

/* Backoff: 1 minute doubling per attempt, at most 6 hours. */
static int64_t backoff_ms(int64_t attempts)
{
	int64_t ms = 60000;
	for (int64_t i = 1; i < attempts && ms < 6 * 3600000LL; i++)
		ms *= 2;
	return ms < 6 * 3600000LL ? ms : 6 * 3600000LL;
}

static vg_err record(vg_db *db, int64_t id, bool ok, int64_t attempts, const char *err, vg_diag *d)
{
	vg_stmt *st;
	int64_t now = vg_time_now_ms();
	bool failed = !ok && attempts >= VG_MAIL_SEND_ATTEMPTS_MAX;
	vg_err e = vg_db_prepare(db,
				 "UPDATE outbox SET status = ?, attempts = ?, last_error = ?, sent_at = ?,"
				 " next_attempt_at = ? WHERE id = ?",
				 &st, d);
	if (e)
		return e;
	vg_stmt_bind_text(st, 1, ok ? "sent" : failed ? "failed" : "queued", -1);
	vg_stmt_bind_int(st, 2, attempts);
	vg_stmt_bind_text(st, 3, ok ? "" : err, -1);
	if (ok)
		vg_stmt_bind_int(st, 4, now);
	else
		vg_stmt_bind_null(st, 4);
	vg_stmt_bind_int(st, 5, ok ? now : now + backoff_ms(attempts));
	vg_stmt_bind_int(st, 6, id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	return e;
}

vg_err vg_outbox_send(vg_db *db, const vg_notify_config *c, int64_t id, vg_diag *d)
{
	queued q;
	const char *rc[4];
	size_t nrc = 0;
	char *save = NULL, *tok;
	vg_diag sd;
	vg_err e, se;

	if (vg_db_in_tx(db))
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "vg_outbox_send inside a transaction");
	if ((e = load(db, id, &q, d)))
		return e;
	if (strcmp(q.status, "sent") == 0)
		goto out;
	for (tok = strtok_r(q.rcpt, ",", &save); tok && nrc < 4; tok = strtok_r(NULL, ",", &save))
		rc[nrc++] = tok;
	vg_diag_clear(&sd);
	se = vg_smtp_send(c, q.from, rc, nrc, q.data, strlen(q.data), &sd);
	if (se == VG_ERR_UNSUPPORTED) { /* no server configured: stays queued, no attempt counted */
		e = se;
		if (d)
			*d = sd;
		goto out;
	}
	e = record(db, id, se == VG_OK, q.attempts + 1, sd.message, d);
	if (!e && se) {
		vg_log(VG_LOG_WARN, "outbox: message %lld not delivered: %s", (long long)id, sd.message);
		e = se;
		if (d)
			*d = sd;
	}
out:
	queued_fini(&q);
	return e;
}

vg_err vg_outbox_flush(vg_db *db, const vg_notify_config *c, int max, int *sent, int *failed, vg_diag *d)
{
	int64_t ids[VG_MAIL_FLUSH_BATCH];
	int n = 0, ns = 0, nf = 0, rc;
	vg_stmt *st;
	vg_err e;
	if (max <= 0 || max > VG_MAIL_FLUSH_BATCH)
		max = VG_MAIL_FLUSH_BATCH;
	e = vg_db_prepare(db,
			  "SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
			  &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, vg_time_now_ms());
	vg_stmt_bind_int(st, 2, max);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW)
		ids[n++] = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	for (int i = 0; i < n; i++) {
		vg_diag sd;
		vg_err se = vg_outbox_send(db, c, ids[i], &sd);
		if (se == VG_OK)
			ns++;
		else if (se == VG_ERR_DB || se == VG_ERR_BUSY || se == VG_ERR_NOMEM) {
			if (d)
				*d = sd;
			e = se;
			break;
		} else if (se == VG_ERR_UNSUPPORTED)
			break; /* no server: everything stays queued */
		else
			nf++;
	}
	if (sent)
		*sent = ns;
	if (failed)
		*failed = nf;
	return e;
}

vg_err vg_outbox_list_json(vg_db *db, const char *status, const char *object_type, int64_t object_id, int limit,
			   json_t **out, vg_diag *d)
{
	vg_stmt *st;
	json_t *items;
	int rc;
	vg_err e;
	if (limit <= 0 || limit > VG_PAGE_MAX)
		limit = VG_PAGE_DEFAULT;
	e = vg_db_prepare(db,
			  "SELECT id, message_id, rcpt, subject, purpose, object_type, object_id, status, attempts,"
			  " last_error, created_at, sent_at, next_attempt_at FROM outbox"
			  " WHERE (? IS NULL OR status = ?) AND (? IS NULL OR (object_type = ? AND object_id = ?))"
			  " ORDER BY id DESC LIMIT ?",
			  &st, d);
	if (e)
		return e;
	vg_stmt_bind_text(st, 1, status, -1);
	vg_stmt_bind_text(st, 2, status, -1);
	vg_stmt_bind_text(st, 3, object_type, -1);
	vg_stmt_bind_text(st, 4, object_type, -1);
	vg_stmt_bind_int(st, 5, object_id);
	vg_stmt_bind_int(st, 6, limit);
	items = json_array();
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(vg_stmt_int(st, 0)));
		json_object_set_new(o, "message_id", json_string(vg_stmt_text(st, 1)));
		json_object_set_new(o, "to", json_string(vg_stmt_text(st, 2)));
		json_object_set_new(o, "subject", json_string(vg_stmt_text(st, 3)));
		json_object_set_new(o, "purpose", json_string(vg_stmt_text(st, 4)));
		json_object_set_new(o, "object_type", json_string(vg_stmt_text(st, 5)));
		json_object_set_new(o, "object_id", json_integer(vg_stmt_int(st, 6)));
		json_object_set_new(o, "status", json_string(vg_stmt_text(st, 7)));
		json_object_set_new(o, "attempts", json_integer(vg_stmt_int(st, 8)));
		json_object_set_new(o, "last_error", json_string(vg_stmt_text(st, 9)));
		json_object_set_new(o, "created_at", vg_json_time(vg_stmt_int(st, 10)));
		json_object_set_new(o, "sent_at", vg_stmt_is_null(st, 11) ? json_null() : vg_json_time(vg_stmt_int(st, 11)));
		json_object_set_new(o, "next_attempt_at", vg_json_time(vg_stmt_int(st, 12)));
		json_array_append_new(items, o);
	}
	vg_stmt_done(st);
	if (rc < 0) {
		json_decref(items);
		return VG_ERR_DB;
	}
	*out = json_pack("{so}", "items", items);
	return VG_OK;
}
