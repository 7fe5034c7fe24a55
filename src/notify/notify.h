/* Outbound e-mail (src/notify): RFC 5322 message builder, a durable outbox
 * and SMTP delivery through libcurl.
 *
 * Nothing is sent inside a database transaction. A caller that wants to send
 * mail queues it in the outbox (table outbox, migration 0005) inside its own
 * write transaction, so the message commits with the change that caused it.
 * After the commit, vg_outbox_send (one message) or vg_outbox_flush (every
 * message due) delivers it; a message that cannot be delivered stays queued
 * with its error and a next attempt time (exponential backoff), and after
 * VG_MAIL_SEND_ATTEMPTS_MAX attempts becomes "failed". Nothing is lost when
 * the SMTP server is down.
 *
 * `vigie serve` should run vg_outbox_flusher_start (a background thread
 * calling vg_outbox_flush every minute); `vigie report outbox --flush` does
 * it from the shell (cron). */
#ifndef VG_NOTIFY_NOTIFY_H
#define VG_NOTIFY_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/err.h"
#include "store/store.h"

/* ---------------------------------------------------------- configuration */

typedef enum vg_smtp_tls {
	VG_SMTP_TLS_NONE = 0, /* plain SMTP */
	VG_SMTP_TLS_STARTTLS, /* STARTTLS required */
	VG_SMTP_TLS_IMPLICIT, /* smtps:// (TLS from the first byte) */
} vg_smtp_tls;

typedef struct vg_notify_config {
	char smtp_url[256];      /* "smtp://127.0.0.1:25"; "" = do not send (mail stays queued) */
	char smtp_from[VG_EMAIL_MAX + 1]; /* envelope and From: address */
	char smtp_from_name[128];         /* display name in From: ("CERT-FR") */
	char smtp_user[128];
	char smtp_password[256];
	vg_smtp_tls tls;
	char domain[VG_DOMAIN_MAX + 1];   /* Message-ID domain: the domain of smtp_from */
	int64_t timeout_ms;               /* connection + transfer timeout per message */
	bool sign;                        /* OpenPGP-sign (PGP/MIME) with sign_key from gpg_home */
	char sign_key[256];               /* "" = smtp_from */
	char gpg_home[VG_CONFIG_PATH_MAX];
} vg_notify_config;

/* From the process configuration (keys smtp_url, smtp_from, smtp_from_name,
 * smtp_user, smtp_password, smtp_tls, mail_sign, mail_sign_key, gpg_home). A bad smtp_tls value is an error on
 * that key. */
vg_err vg_notify_config_from(const vg_config *cfg, vg_notify_config *out, vg_diag *d);
/* "none" | "starttls" | "tls"; -1 when unknown. */
int vg_smtp_tls_parse(const char *s);

/* ------------------------------------------------------- message building */

typedef struct vg_mail_out {
	const char *from;        /* address; NULL = config smtp_from */
	const char *from_name;   /* display name; NULL = config smtp_from_name */
	const char *to;          /* one address (required) */
	const char *to_name;     /* may be NULL */
	const char *cc;          /* one address or NULL */
	const char *subject;     /* UTF-8; encoded per RFC 2047 when not ASCII */
	const char *body;        /* UTF-8 text/plain body; lines are CRLF-terminated on output */
	const char *in_reply_to; /* "<id@host>" or NULL */
	const char *references;  /* space-separated "<id>" list or NULL */
	const char *message_id;  /* "<id@host>"; NULL = generate one under config domain */
	const char *extra_headers; /* "Name: value\r\n..." appended verbatim (already safe), or NULL */
	bool auto_submitted;     /* Auto-Submitted: auto-replied (acknowledgements) */
} vg_mail_out;

/* A fresh Message-ID "<ms.random@domain>" (with the angle brackets). */
void vg_mail_message_id(const char *domain, char *out, size_t outsz);
/* RFC 2047 encoded-word(s) ("=?UTF-8?B?...?=") for a header value when it is
 * not plain printable ASCII; copies it otherwise. Folds long values. Control
 * characters (CR, LF, ...) are removed: no header injection. */
vg_err vg_mail_encode_header(const char *value, vg_buf *out);
/* Build the whole message (headers + quoted-printable UTF-8 text body) into
 * out; with c->sign, as PGP/MIME multipart/signed (unsigned, with a warning
 * logged, when the key cannot sign). date_ms is the Date: header. *message_id gets the Message-ID used (it
 * may be NULL). Addresses are checked (no CR/LF, one '@'). */
vg_err vg_mail_build(const vg_notify_config *c, const vg_mail_out *m, int64_t date_ms, vg_buf *out,
		     char *message_id, size_t message_id_sz, vg_diag *d);

/* ----------------------------------------------------------------- outbox */

typedef struct vg_outbox_item {
	int64_t id;
	char message_id[256];
} vg_outbox_item;

/* Build m and queue it (status "queued") inside the caller's transaction (one
 * is opened when none is). purpose ("ack", "referral", "forward", "reply",
 * "notify", ...) and (object_type, object_id) say why it is sent; they are
 * listed with the message. */
vg_err vg_outbox_queue(vg_db *db, const vg_notify_config *c, const vg_mail_out *m, const char *purpose,
		       const char *object_type, int64_t object_id, vg_outbox_item *item, vg_diag *d);

/* Try to deliver one queued message now (outside any transaction). On
 * success the row becomes "sent"; on failure attempts/last_error/
 * next_attempt_at are updated (or "failed" after the last attempt) and the
 * SMTP error is returned. A message already sent is VG_OK. */
vg_err vg_outbox_send(vg_db *db, const vg_notify_config *c, int64_t id, vg_diag *d);

/* Deliver every queued message whose next attempt is due, at most max (0 =
 * VG_MAIL_FLUSH_BATCH). Counts in *sent / *failed (may be NULL). Returns an
 * error only for database problems; SMTP failures are recorded per message. */
vg_err vg_outbox_flush(vg_db *db, const vg_notify_config *c, int max, int *sent, int *failed, vg_diag *d);

/* Background delivery for `vigie serve`: a thread that runs vg_outbox_flush
 * every interval_s seconds (0 = 60) with a connection from pool. To wire in
 * cmd_serve.c: start after the pool, stop (joins; NULL-safe) before freeing it. */
typedef struct vg_outbox_flusher vg_outbox_flusher;
vg_err vg_outbox_flusher_start(vg_db_pool *pool, const vg_notify_config *c, int interval_s, vg_outbox_flusher **out,
			       vg_diag *d);
void vg_outbox_flusher_stop(vg_outbox_flusher *f);

/* Messages, newest first: status NULL = any; object filter optional
 * (object_type NULL = any). {"items":[{"id","message_id","to","subject",
 * "purpose","object_type","object_id","status","attempts","last_error",
 * "created_at","sent_at","next_attempt_at"}]} */
#include <jansson.h>
vg_err vg_outbox_list_json(vg_db *db, const char *status, const char *object_type, int64_t object_id, int limit,
			   json_t **out, vg_diag *d);

/* ------------------------------------------------------------------- SMTP */

/* Send raw message bytes to one or more recipients through the configured
 * server (libcurl). VG_ERR_IO / VG_ERR_TIMEOUT with the server's answer in
 * the diagnostic; VG_ERR_UNSUPPORTED when smtp_url is empty. */
vg_err vg_smtp_send(const vg_notify_config *c, const char *from, const char *const *rcpt, size_t nrcpt,
		    const char *data, size_t len, vg_diag *d);

#endif
