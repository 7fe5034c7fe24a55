/* Shared between the intake source files; not a public interface. */
#ifndef VG_INTAKE_INTERNAL_H
#define VG_INTAKE_INTERNAL_H

#include <gmime/gmime.h>
#include <stdbool.h>

#include "core/buf.h"
#include "core/ip.h"
#include "intake/intake.h"

typedef struct vg_mail_walk {
	vg_mail_parsed *m;
	vg_buf body;
	vg_buf errors;
	size_t atts_cap;
	size_t atts_dropped;
	size_t att_max;
	const char *gpg_home;
	int warnings;
	int depth_noted;
	bool body_truncated;
	bool nomem;
} vg_mail_walk;

void vg_mail_note_error(vg_mail_walk *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
vg_err vg_mail_prescan(const char *raw, size_t len, char *why, size_t whysz);
GMimeParserOptions *vg_mail_parser_options(vg_mail_walk *w);
GByteArray *vg_mail_part_bytes(GMimePart *part, size_t max, bool *too_large);
char *vg_mail_to_utf8(const char *data, size_t len, const char *charset, vg_mail_walk *w);
void vg_mail_walk_object(vg_mail_walk *w, GMimeObject *obj, int depth);

/* crypto.c (GPGME) */
void vg_mail_decrypt(vg_mail_walk *w, GMimeMultipartEncrypted *mpe, int depth);
void vg_mail_verify(vg_mail_walk *w, GMimeMultipartSigned *mps);

/* regsql.c: best registry matches through indexed SQL (no in-memory index) */
vg_err vg_regsql_lookup_ip(vg_db *db, const vg_ip *ip, vg_reg_match *out, size_t max, size_t *n, vg_diag *d);
vg_err vg_regsql_lookup_domain(vg_db *db, const char *domain, vg_reg_match *out, size_t max, size_t *n, vg_diag *d);
vg_err vg_regsql_lookup_email(vg_db *db, const char *email, vg_reg_match *out, size_t max, size_t *n, vg_diag *d);

/* thread.c: the surviving incident of a merge chain (bounded) */
vg_err vg_intake_follow_merges(vg_db *db, int64_t *iid, vg_diag *d);

/* obs.c: the observables linked to a report are linked to the incident it
 * became or joined (source "report") */
vg_err vg_intake_obs_follow(vg_db *db, int64_t report_id, int64_t incident_id, vg_diag *d);

/* query.c: one integer column of report id, read by sql ("SELECT
 * coalesce(col, 0) FROM reports WHERE id = ?"); VG_ERR_NOT_FOUND naming
 * the report when there is none */
vg_err vg_intake_report_int(vg_db *db, const char *sql, int64_t id, int64_t *out, vg_diag *d);

/* report.c helpers used by thread.c / triage.c */
vg_err vg_intake_audit(vg_db *db, const vg_audit_ctx *ac, const char *action, int64_t id, int64_t org_id,
		       json_t *detail, vg_diag *d);

#endif
