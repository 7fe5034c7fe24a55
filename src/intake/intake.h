/* Report intake and triage (src/intake).
 *
 * Reports arrive by API (analysts, or constituents for their own
 * organisation: the authenticated form), and by e-mail (`vigie mailgate`
 * reads one RFC 5322 message on stdin). Each gets a reference (vg_ref_next,
 * counter kind VG_REF_KIND_SHARED: reports and incidents share one reference space,
 * so a reference names exactly one object) and the reporter an
 * acknowledgement e-mail quoting it, queued in the outbox (src/notify).
 *
 * Threading: an incoming message whose subject carries a reference
 * ("[VIGIE-2026-000123]") or whose In-Reply-To/References name one of our
 * messages (table mail_threads) joins that report (report_messages) or, when
 * the report became an incident, the incident's journal (kind "email_in").
 *
 * Idempotency: the same Message-ID twice, or the same client idempotency
 * key from the same user twice, yields one report (the second call returns
 * the first report with duplicate = true).
 *
 * Triage: a suggestion is computed at intake (reporter's address and domain,
 * IPs/domains/URLs/addresses in the text matched through the registry
 * index): in_scope (a constituent), forward (another CERT's constituency:
 * an organisation of kind partner_cert or under one) or refer (nobody
 * matched: individual or small business). The analyst decides:
 * new_incident | merge | in_scope | forward | refer; every decision records
 * who and when, and nothing is ever deleted. */
#ifndef VG_INTAKE_INTAKE_H
#define VG_INTAKE_INTAKE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"
#include "core/config.h"
#include "core/err.h"
#include "notify/notify.h"
#include "observe/observe.h"
#include "registry/index.h"
#include "store/store.h"

/* ---------------------------------------------------------- configuration */

typedef struct vg_intake_config {
	vg_notify_config mail;
	char data_dir[VG_CONFIG_PATH_MAX];  /* raw messages under <data_dir>/mail/ab/cd/<sha256> */
	char gpg_home[VG_CONFIG_PATH_MAX];  /* GnuPG home with the CERT's key; "" = no crypto */
	char referral_text[VG_CONFIG_VALUE_MAX];
	char ref_prefix[24];
	int64_t mail_max;                    /* largest message accepted (bytes) */
	int64_t attachment_max;              /* largest attachment stored (bytes) */
	bool send_ack;                       /* acknowledge new reports by e-mail */
	bool registry_sql;                   /* no index given: match through SQL (vg_triage_suggest_sql) */
} vg_intake_config;

vg_err vg_intake_config_from(const vg_config *cfg, vg_intake_config *out, vg_diag *d);

/* ------------------------------------------------------------ MIME parsing */

typedef struct vg_mail_attachment {
	char *filename;      /* sanitised: no path, no control characters; "" when none */
	char *content_type;  /* "application/pdf" */
	unsigned char *data;
	size_t size;
	bool too_large;      /* larger than attachment_max: data NULL, only metadata kept */
} vg_mail_attachment;

typedef enum vg_sig_status {
	VG_SIG_NONE = 0,     /* not signed */
	VG_SIG_VALID,
	VG_SIG_INVALID,      /* bad signature */
	VG_SIG_UNKNOWN_KEY,  /* signer's key not in the keyring */
	VG_SIG_ERROR,        /* could not be checked (no gpg_home, broken structure) */
} vg_sig_status;
/* "none", "valid", "invalid", "unknown_key", "error" */
const char *vg_sig_status_name(vg_sig_status s);

typedef struct vg_mail_parsed {
	char *message_id;    /* without angle brackets; "" when absent */
	char *in_reply_to;   /* first message id, without brackets; "" */
	char *references;    /* space-separated ids without brackets; "" */
	char *subject;       /* decoded UTF-8 */
	char *from_name;
	char *from_addr;     /* lower-case; "" when none */
	char *date;          /* the Date header as text */
	char *body;          /* text parts, HTML reduced to text, forwarded messages; UTF-8 */
	bool auto_submitted; /* Auto-Submitted / Precedence bulk / bounce: never acknowledge */
	bool encrypted;      /* multipart/encrypted seen */
	bool decrypted;
	vg_sig_status sig;
	char *sig_fingerprint; /* "" when none */
	vg_mail_attachment *atts;
	size_t natts;
	size_t parts;        /* MIME parts walked */
	char *error;         /* NULL when parsed cleanly; else why (the raw message is kept) */
} vg_mail_parsed;

typedef struct vg_mail_parse_opts {
	const char *gpg_home;     /* NULL/"" = do not decrypt or verify (status "error") */
	size_t attachment_max;    /* 0 = VG_MAIL_ATTACHMENT_DEFAULT */
	size_t mail_max;          /* 0 = VG_MAIL_SIZE_MAX */
} vg_mail_parse_opts;

/* Parse one RFC 5322 message. Never fails on bad input: a message that
 * cannot be parsed gives a result with error set (and whatever could be
 * read). Returns VG_ERR_NOMEM only. Bounded: size, header count and length,
 * MIME depth and part count (limits.h). */
vg_err vg_mail_parse(const char *raw, size_t len, const vg_mail_parse_opts *o, vg_mail_parsed **out,
		     vg_diag *d);
void vg_mail_parsed_free(vg_mail_parsed *m);

/* HTML reduced to safe plain text: script/style/head removed, tags dropped,
 * block elements to line breaks, entities decoded, whitespace collapsed,
 * link targets kept as "text <url>". At most max bytes of output. malloc'd. */
char *vg_html_to_text(const char *html, size_t len, size_t max);

/* A reference ("VIGIE-2026-000123") inside text such as a subject; prefix is
 * the configured one. Returns true and copies it to out (VG_REF_MAX). */
bool vg_ref_find(const char *text, const char *prefix, char *out, size_t outsz);

/* Store bytes by SHA-256 under <data_dir>/<sub>/ab/cd/<hex> (fsync'd, atomic
 * rename, deduplicated). hex receives the 64-character digest. */
vg_err vg_blob_store(const char *data_dir, const char *sub, const void *data, size_t len, char hex[65],
		     vg_diag *d);

/* ---------------------------------------------------------------- reports */

typedef enum vg_report_source { VG_SRC_API = 0, VG_SRC_FORM, VG_SRC_EMAIL } vg_report_source;

typedef struct vg_report_input {
	vg_report_source source;
	const char *reporter_name;
	const char *reporter_email;  /* may be "" (API) */
	int64_t org_id;              /* declared/forced organisation (constituent form); 0 = match */
	const char *subject;
	const char *body;
	const char *idempotency_key; /* API; "" = none */
	int64_t created_by;          /* user id (0 = mail/system) */
	const vg_mail_parsed *mail;  /* e-mail intake: threading headers, signature, attachments */
	const char *raw_sha256;      /* raw message stored by hash; "" */
	size_t raw_size;
	/* structured answers of the form (optional; "" / 0 = not given) */
	const char *rsit_type;        /* canonical RSIT type (vg_report_fields_check) */
	int64_t detected_at;          /* ms: when it happened or was noticed */
	const char *systems_affected; /* free text */
	const char *nis2_stage;       /* one of vg_report_nis2_stages */
} vg_report_input;

/* NIS2 stages a report can declare: the names of the incidents' NIS2 clocks
 * without their "nis2_" prefix ("early_warning", "notification",
 * "final_report"); NULL-terminated. */
extern const char *const vg_report_nis2_stages[];

/* Check the structured fields of in: rsit_type against the RSIT table (it is
 * replaced by its canonical spelling), nis2_stage against
 * vg_report_nis2_stages, systems_affected's length. VG_ERR_INVALID naming the
 * field. */
vg_err vg_report_fields_check(vg_report_input *in, vg_diag *d);

typedef struct vg_intake_result {
	int64_t report_id;         /* the report (new, duplicate, or the one a reply joined) */
	int64_t incident_id;       /* a reply that joined an incident's journal */
	char reference[48];
	bool created;              /* a new report */
	bool duplicate;            /* same Message-ID / idempotency key seen before */
	bool threaded;             /* joined an existing report or incident */
	int64_t outbox_ids[4];     /* messages queued (acknowledgement): send after commit */
	int noutbox;
} vg_intake_result;

/* Record a report (or a reply joining one) in the caller's write transaction
 * (opened when none). ix may be NULL (no registry matching). Audits
 * "report.create" / "report.reply" when ac != NULL. */
vg_err vg_report_submit(vg_db *db, const vg_intake_config *c, const vg_regindex *ix, const vg_report_input *in,
			const vg_audit_ctx *ac, vg_intake_result *res, vg_diag *d);

/* The whole e-mail intake: store the raw message by hash, parse it, record
 * the report/reply, its attachments and its acknowledgement, commit, then try
 * to send the queued mail. VG_ERR_BUSY / VG_ERR_IO / VG_ERR_DB mean "retry
 * later" (EX_TEMPFAIL for the MTA); a broken message is VG_OK (kept raw,
 * report with parse_error). */
vg_err vg_mailgate_deliver(vg_db *db, const vg_intake_config *c, const vg_regindex *ix, const char *raw,
			   size_t len, const vg_audit_ctx *ac, vg_intake_result *res, vg_diag *d);

/* Report as JSON: {"id","reference","source","reporter":{"name","email"},
 * "org_id","subject","body","message_id","status","decision",
 * "partner_org_id","incident_id","decided_by","decided_at","decision_notes",
 * "suggestion":{...},"signature":{"status","fingerprint"},"encrypted",
 * "parse_error","raw_sha256","created_at","updated_at"}; with_details adds
 * "messages" (the thread), "attachments", "outbox" (mail sent about it). */
vg_err vg_report_get_json(vg_db *db, int64_t id, bool with_details, json_t **out, vg_diag *d);
/* Owning organisation for scoping (0 = none). VG_ERR_NOT_FOUND. */
vg_err vg_report_org(vg_db *db, int64_t id, int64_t *org_id, vg_diag *d);
/* The incident a report became or joined (0 = none). VG_ERR_NOT_FOUND. */
vg_err vg_report_incident(vg_db *db, int64_t id, int64_t *incident_id, vg_diag *d);

/* ------------------------------------------------------------ observables */

/* Candidate observables of a report: vg_obs_extract (refanging, warning
 * list) over its subject, body and text attachments (text/\*,
 * application/json, at most VG_REPORT_OBS_ATTACHMENTS_MAX files of at most
 * VG_REPORT_OBS_ATTACHMENT_MAX bytes). Allocated in a. VG_ERR_NOT_FOUND. */
vg_err vg_report_obs_candidates(vg_db *db, int64_t id, const vg_obs_warnlist *wl, vg_arena *a,
				vg_obs_candidates *out, vg_diag *d);

/* Link the values an analyst kept (each guessed and normalised, or of the
 * given type when types[i] < VG_OBS__COUNT) to the report, and to its
 * incident when it already became or joined one, in the caller's write
 * transaction. obs_ids receives the observable of each value (n entries);
 * errors name "observables[i].value". */
vg_err vg_report_obs_link(vg_db *db, int64_t id, const vg_obs_type *types, const char *const *values, size_t n,
			  const vg_obs_warnlist *wl, int64_t common_cap, int64_t *obs_ids, int64_t *incident_id,
			  vg_diag *d);

/* Attach a file to a report in the caller's write transaction (opened when
 * none): stored by SHA-256 and YARA-scanned (vg_attachment_store, link kind
 * "report"; hits become observables of the report); when the report already
 * became or joined an incident, the file follows it there
 * (vg_attachments_follow). Audits "report.attachment.add" when ac != NULL.
 * VG_ERR_NOT_FOUND for a missing report, VG_ERR_LIMIT ("body") over
 * attachment_max. */
vg_err vg_report_attach(vg_db *db, int64_t report_id, const char *filename, const char *content_type,
			const void *data, size_t size, int64_t uploader_id, const vg_audit_ctx *ac, int64_t *att_id,
			vg_diag *d);

typedef struct vg_report_filter {
	const char *status;      /* new, in_scope, forwarded, referred, merged, incident */
	const char *source;      /* api, form, email */
	int64_t org_id;
	const char *q;           /* full-text over subject and body */
	int64_t created_from, created_to; /* ms; 0 = unbounded; "to" exclusive */
	int64_t scope_org_id;    /* vg_policy_org_scope: 0 = all, > 0 = only this organisation */
	int64_t after_id;        /* cursor: ids below this (newest first); 0 = from the newest */
	int limit;               /* 0 = VG_PAGE_DEFAULT */
} vg_report_filter;
/* {"items":[report summary...], "next_cursor": "..." | null} newest first. */
vg_err vg_report_list_json(vg_db *db, const vg_report_filter *f, json_t **out, vg_diag *d);

/* ----------------------------------------------------------------- triage */

typedef struct vg_triage_decision {
	const char *decision;     /* new_incident | merge | in_scope | forward | refer */
	int64_t incident_id;      /* merge */
	int64_t partner_org_id;   /* forward: the partner CERT (kind partner_cert) */
	int64_t org_id;           /* optional: set/override the report's organisation */
	const char *notes;
	json_t *incident;         /* new_incident: extra incident fields (title, severity, ...), borrowed; may be NULL */
	int64_t user_id;          /* who decides */
	const char *user_name;
} vg_triage_decision;

/* Apply one decision to one report in the caller's write transaction. A
 * report already decided can be decided again only from in_scope (a
 * constituent's report later turned into an incident or merged); otherwise
 * VG_ERR_CONFLICT on "decision". Queues the referral / forward e-mail, calls
 * vg_incident_create / vg_incident_journal_add, audits "report.triage".
 * *queued receives the outbox id of a message to send after commit (0 when
 * none). */
vg_err vg_report_triage(vg_db *db, const vg_intake_config *c, int64_t report_id, const vg_triage_decision *t,
			const vg_audit_ctx *ac, int64_t *queued, vg_diag *d);

/* Registry matching for a report's text and reporter: the suggestion object
 * {"decision","org_id","org_name","partner_org_id","reasons":[...],
 *  "matches":[{"value","type","org_id","org_name","org_kind"}]}. */
vg_err vg_triage_suggest(vg_db *db, const vg_regindex *ix, const char *reporter_email, const char *text,
			 json_t **out, vg_diag *d);

/* The same without an in-memory index: each reporter address, IP, domain and
 * URL host is looked up with indexed SQL queries (the best matches, with the
 * index's semantics). For one-shot processes such as vigie mailgate, where
 * building the index costs far more than the lookups of one message. */
vg_err vg_triage_suggest_sql(vg_db *db, const char *reporter_email, const char *text, json_t **out, vg_diag *d);

/* Queue mail from an incident to the addresses in `to` (a JSON array of
 * "addr" or "Name <addr>", at most maxq) inside the caller's transaction; the
 * subject gets the reference if it lacks it; Message-IDs are threaded to the
 * incident. queued receives the outbox ids to send after commit. Errors name
 * "meta.to[i]". */
vg_err vg_intake_mail_incident(vg_db *db, const vg_notify_config *nc, int64_t incident_id, const char *reference,
			       json_t *to, const char *subject, const char *body, int64_t *queued, size_t maxq,
			       size_t *nqueued, vg_diag *d);

#endif
