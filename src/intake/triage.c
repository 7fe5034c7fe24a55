/* Triage: who does a report concern (suggestion), and the analyst's
 * decision (in scope, forward to a partner CERT, refer out of scope, new
 * incident, merge into an incident), each recorded with who and when. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/ip.h"
#include "core/json.h"
#include "intake/internal.h"
#include "intake/thread.h"
#include "observe/observe.h"
#include "registry/names.h"
#include "registry/registry.h"

/* ------------------------------------------------------------ suggestion */

typedef struct org_info {
	char kind[32];
	char name[257];
	bool in_scope;
	int64_t partner; /* the partner CERT it belongs to (itself or an ancestor), 0 = none */
} org_info;

static vg_err org_load(vg_db *db, int64_t id, org_info *o, vg_diag *d)
{
	vg_stmt *st;
	int64_t cur = id;
	vg_err e;
	memset(o, 0, sizeof *o);
	for (int depth = 0; cur && depth < VG_ORG_DEPTH_MAX; depth++) {
		int rc;
		/* prepared each time: a statement is not reused after vg_stmt_done */
		e = vg_db_prepare(db, "SELECT kind, name, in_scope, coalesce(parent_id, 0) FROM organisations WHERE id = ?",
				  &st, d);
		if (e)
			return e;
		vg_stmt_bind_int(st, 1, cur);
		rc = vg_stmt_step(st, d);
		if (rc != VG_ROW) {
			vg_stmt_done(st);
			return rc < 0 ? VG_ERR_DB : VG_OK;
		}
		if (depth == 0) {
			snprintf(o->kind, sizeof o->kind, "%s", vg_stmt_text(st, 0));
			snprintf(o->name, sizeof o->name, "%s", vg_stmt_text(st, 1));
			o->in_scope = vg_stmt_int(st, 2) != 0;
		}
		if (!strcmp(vg_stmt_text(st, 0), "partner_cert")) {
			o->partner = cur;
			cur = 0;
		} else
			cur = vg_stmt_int(st, 3);
		vg_stmt_done(st);
	}
	return VG_OK;
}

static bool is_constituent(const org_info *o)
{
	return o->in_scope && !o->partner && strcmp(o->kind, "isp") && strcmp(o->kind, "cert") && o->name[0];
}

typedef struct matcher {
	vg_db *db;
	const vg_regindex *ix;
	bool sql; /* no index: indexed SQL lookups (regsql.c) */
	json_t *matches;
	int64_t constituent, partner;
	const char *constituent_via;
	size_t n;
} matcher;

static vg_err add_matches(matcher *mt, const char *value, const char *type, const vg_reg_match *ms, size_t n,
			  vg_diag *d)
{
	for (size_t i = 0; i < n && json_array_size(mt->matches) < VG_LOOKUP_RESULTS_MAX; i++) {
		org_info o;
		vg_err e;
		if (!ms[i].best)
			continue;
		if ((e = org_load(mt->db, ms[i].org_id, &o, d)))
			return e;
		json_array_append_new(mt->matches,
				      json_pack("{ss ss sI ss ss sb}", "value", value, "type", type, "org_id",
						(json_int_t)ms[i].org_id, "org_name", o.name, "org_kind", o.kind,
						"in_scope", is_constituent(&o)));
		if (is_constituent(&o) && !mt->constituent) {
			mt->constituent = ms[i].org_id;
			mt->constituent_via = type;
		} else if (o.partner && !mt->partner)
			mt->partner = o.partner;
	}
	return VG_OK;
}

/* One lookup through the index, or through SQL when there is none. */
typedef enum look_kind { LOOK_IP, LOOK_EMAIL, LOOK_DOMAIN } look_kind;
static vg_err look(matcher *mt, look_kind k, const vg_ip *ip, const char *s, vg_reg_match *ms, size_t *n, vg_diag *d)
{
	*n = 0;
	if (mt->ix) {
		*n = k == LOOK_IP      ? vg_regindex_lookup_ip(mt->ix, ip, ms, VG_LOOKUP_RESULTS_MAX)
		     : k == LOOK_EMAIL ? vg_regindex_lookup_email(mt->ix, s, ms, VG_LOOKUP_RESULTS_MAX)
				       : vg_regindex_lookup_domain(mt->ix, s, ms, VG_LOOKUP_RESULTS_MAX);
		return VG_OK;
	}
	if (!mt->sql)
		return VG_OK;
	return k == LOOK_IP      ? vg_regsql_lookup_ip(mt->db, ip, ms, VG_LOOKUP_RESULTS_MAX, n, d)
	       : k == LOOK_EMAIL ? vg_regsql_lookup_email(mt->db, s, ms, VG_LOOKUP_RESULTS_MAX, n, d)
				 : vg_regsql_lookup_domain(mt->db, s, ms, VG_LOOKUP_RESULTS_MAX, n, d);
}

static vg_err match_token(matcher *mt, const char *tok, size_t len, vg_diag *d)
{
	vg_reg_match ms[VG_LOOKUP_RESULTS_MAX];
	char norm[VG_DOMAIN_MAX + VG_EMAIL_MAX + 2], buf[VG_OBS_VALUE_MAX + 1];
	vg_ip ip;
	size_t n;
	vg_err e;
	if (len == 0 || len > VG_OBS_VALUE_MAX)
		return VG_OK;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	/* URL: keep the host */
	char *host = strstr(buf, "://");
	if (host) {
		host += 3;
		char *at = strchr(host, '@'), *end;
		if (at && at < host + strcspn(host, "/?#"))
			host = at + 1;
		if (*host == '[') {
			host++;
			end = strchr(host, ']');
		} else
			end = host + strcspn(host, ":/?#");
		if (end)
			*end = '\0';
		memmove(buf, host, strlen(host) + 1);
		len = strlen(buf);
	}
	if (mt->n++ > VG_OBS_EXTRACT_MAX)
		return VG_OK;
	if (vg_ip_parse(buf, len, &ip, NULL) == VG_OK)
		return (e = look(mt, LOOK_IP, &ip, NULL, ms, &n, d)) ? e : add_matches(mt, buf, "ip", ms, n, d);
	if (strchr(buf, '@')) {
		if (vg_email_normalize(buf, len, norm, sizeof norm, "email", NULL) != VG_OK)
			return VG_OK;
		return (e = look(mt, LOOK_EMAIL, NULL, norm, ms, &n, d)) ? e : add_matches(mt, norm, "email", ms, n, d);
	}
	if (strchr(buf, '.') && isalpha((unsigned char)buf[len - 1]) &&
	    vg_domain_normalize(buf, len, false, norm, sizeof norm, "domain", NULL) == VG_OK)
		return (e = look(mt, LOOK_DOMAIN, NULL, norm, ms, &n, d)) ? e : add_matches(mt, norm, "domain", ms, n, d);
	return VG_OK;
}

/* Minimal extraction: tokens of URL/host/address characters, refanged
 * ([.] (.) [dot] → ".", [at] [@] → "@", hxxp → http). */
static vg_err scan_text(matcher *mt, const char *text, vg_diag *d)
{
	static const struct {
		const char *from, *to;
	} fang[] = {{"[.]", "."}, {"(.)", "."}, {"{.}", "."}, {"[dot]", "."}, {"(dot)", "."}, {"[at]", "@"},
		    {"(at)", "@"}, {"[@]", "@"}, {"hxxps", "https"}, {"hxxp", "http"}, {"[:]", ":"}, {"[://]", "://"}};
	char tok[VG_OBS_VALUE_MAX + 1];
	size_t tl = 0, len = strnlen(text, VG_OBS_TEXT_MAX);
	vg_err e;
	for (size_t i = 0; i <= len; i++) {
		bool matched = false;
		for (size_t f = 0; i < len && f < sizeof fang / sizeof fang[0]; f++) {
			size_t fl = strlen(fang[f].from);
			if (i + fl <= len && strncasecmp(text + i, fang[f].from, fl) == 0) {
				size_t tol = strlen(fang[f].to);
				if (tl + tol < sizeof tok) {
					memcpy(tok + tl, fang[f].to, tol);
					tl += tol;
				}
				i += fl - 1;
				matched = true;
				break;
			}
		}
		if (matched)
			continue;
		unsigned char ch = i < len ? (unsigned char)text[i] : 0;
		if (ch && (isalnum(ch) || strchr(".-_@:/%?=&#[]~+", ch) || ch >= 0x80)) {
			if (tl + 1 < sizeof tok)
				tok[tl++] = (char)ch;
			continue;
		}
		/* trim trailing punctuation */
		while (tl && strchr(".:/?=&#-_[]", tok[tl - 1]))
			tl--;
		if (tl && (e = match_token(mt, tok, tl, d)))
			return e;
		tl = 0;
	}
	return VG_OK;
}

/* The observables engineer's extraction (refanging, normalisation); the
 * minimal scanner above is the fallback when it refuses the text. */
static vg_err scan_observables(matcher *mt, const char *text, vg_diag *d)
{
	vg_arena *a = vg_arena_new(0);
	vg_obs_candidates c;
	size_t len = strnlen(text, VG_OBS_TEXT_MAX);
	vg_err e = VG_OK;
	if (!a)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	while (len && len < strlen(text) && ((unsigned char)text[len] & 0xc0) == 0x80)
		len--;
	if (vg_obs_extract(text, len, NULL, a, &c, NULL) != VG_OK) {
		vg_arena_free(a);
		return scan_text(mt, text, d);
	}
	for (size_t i = 0; i < c.len && !e; i++) {
		switch (c.items[i].type) {
		case VG_OBS_IPV4:
		case VG_OBS_IPV6:
		case VG_OBS_DOMAIN:
		case VG_OBS_URL:
		case VG_OBS_EMAIL:
			e = match_token(mt, c.items[i].normalized, strlen(c.items[i].normalized), d);
			break;
		default:
			break;
		}
	}
	vg_arena_free(a);
	return e;
}

static vg_err suggest(vg_db *db, const vg_regindex *ix, bool sql, const char *reporter_email, const char *text,
		      json_t **out, vg_diag *d)
{
	matcher mt = {db, ix, sql && !ix, json_array(), 0, 0, NULL, 0};
	json_t *reasons = json_array(), *s;
	const char *decision;
	int64_t reporter_org = 0;
	bool registry = ix || mt.sql;
	vg_err e = VG_OK;
	if (registry && reporter_email && *reporter_email) {
		char norm[VG_EMAIL_MAX + 1];
		vg_reg_match ms[VG_LOOKUP_RESULTS_MAX];
		if (vg_email_normalize(reporter_email, strlen(reporter_email), norm, sizeof norm, "email", NULL) == VG_OK) {
			size_t n;
			if ((e = look(&mt, LOOK_EMAIL, NULL, norm, ms, &n, d)) ||
			    (e = add_matches(&mt, norm, "reporter", ms, n, d)))
				goto out;
			if (mt.constituent)
				reporter_org = mt.constituent;
		}
	}
	if (registry && text && (e = scan_observables(&mt, text, d)))
		goto out;
	if (mt.constituent) {
		decision = "in_scope";
		json_array_append_new(reasons, json_string(reporter_org ? "the reporter belongs to a constituent"
									: "the report names a constituent's resources"));
	} else if (mt.partner) {
		decision = "forward";
		json_array_append_new(reasons, json_string("the report concerns another CERT's constituency"));
	} else {
		decision = "refer";
		json_array_append_new(reasons, json_string(registry ? "no constituent matched: individual or small business"
								    : "registry not consulted"));
	}
	s = json_pack("{ss sO sO so so}", "decision", decision, "matches", mt.matches, "reasons", reasons, "org_id",
		      mt.constituent ? json_integer(mt.constituent) : json_null(), "partner_org_id",
		      mt.partner ? json_integer(mt.partner) : json_null());
	*out = s;
out:
	json_decref(mt.matches);
	json_decref(reasons);
	return e;
}

vg_err vg_triage_suggest(vg_db *db, const vg_regindex *ix, const char *reporter_email, const char *text,
			 json_t **out, vg_diag *d)
{
	return suggest(db, ix, false, reporter_email, text, out, d);
}

vg_err vg_triage_suggest_sql(vg_db *db, const char *reporter_email, const char *text, json_t **out, vg_diag *d)
{
	return suggest(db, NULL, true, reporter_email, text, out, d);
}

/* -------------------------------------------------------------- decisions */

typedef struct rep {
	int64_t org_id, incident_id, detected_at, created_at;
	char status[16];
	char rsit_type[64], nis2_stage[16];
	char reference[VG_REF_MAX];
	char *email, *name, *subject, *body, *message_id, *systems;
} rep;

static void rep_fini(rep *r)
{
	free(r->email);
	free(r->name);
	free(r->subject);
	free(r->body);
	free(r->message_id);
	free(r->systems);
}

static vg_err rep_load(vg_db *db, int64_t id, rep *r, vg_diag *d)
{
	vg_stmt *st;
	int rc;
	vg_err e = vg_db_prepare(db,
				 "SELECT coalesce(org_id, 0), coalesce(incident_id, 0), status, reference, reporter_email,"
				 " reporter_name, subject, body, message_id, rsit_type, coalesce(detected_at, 0), systems_affected,"
				 " nis2_stage, created_at FROM reports WHERE id = ?",
				 &st, d);
	memset(r, 0, sizeof *r);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW) {
		r->org_id = vg_stmt_int(st, 0);
		r->incident_id = vg_stmt_int(st, 1);
		snprintf(r->status, sizeof r->status, "%s", vg_stmt_text(st, 2));
		snprintf(r->reference, sizeof r->reference, "%s", vg_stmt_text(st, 3));
		r->email = strdup(vg_stmt_text(st, 4));
		r->name = strdup(vg_stmt_text(st, 5));
		r->subject = strdup(vg_stmt_text(st, 6));
		r->body = strdup(vg_stmt_text(st, 7));
		r->message_id = strdup(vg_stmt_text(st, 8));
		snprintf(r->rsit_type, sizeof r->rsit_type, "%s", vg_stmt_text(st, 9));
		r->detected_at = vg_stmt_int(st, 10);
		r->systems = strdup(vg_stmt_text(st, 11));
		snprintf(r->nis2_stage, sizeof r->nis2_stage, "%s", vg_stmt_text(st, 12));
		r->created_at = vg_stmt_int(st, 13);
	}
	vg_stmt_done(st);
	if (rc < 0)
		return VG_ERR_DB;
	if (rc != VG_ROW)
		return vg_diag_set(d, VG_ERR_NOT_FOUND, "id", "no report %lld", (long long)id);
	if (!r->email || !r->name || !r->subject || !r->body || !r->message_id || !r->systems) {
		rep_fini(r);
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	}
	return VG_OK;
}

/* First contact address of an organisation (abuse/incident roles first). */
static vg_err org_contact(vg_db *db, int64_t org_id, char *out, size_t outsz, vg_diag *d)
{
	vg_stmt *st;
	int rc;
	vg_err e = vg_db_prepare(db,
				 "SELECT email FROM contacts WHERE org_id = ? ORDER BY"
				 " CASE WHEN lower(role) IN ('abuse', 'incident', 'cert', 'csirt', 'soc') THEN 0 ELSE 1 END, id"
				 " LIMIT 1",
				 &st, d);
	out[0] = '\0';
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, org_id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		snprintf(out, outsz, "%s", vg_stmt_text(st, 0));
	vg_stmt_done(st);
	return rc < 0 ? VG_ERR_DB : VG_OK;
}

static vg_err queue_mail(vg_db *db, const vg_intake_config *c, int64_t id, const rep *r, const char *to,
			 const char *subject, const char *body, const char *purpose, int64_t *queued, vg_diag *d)
{
	vg_mail_out m = {0};
	vg_outbox_item item;
	char irt[310] = "";
	vg_err e;
	if (r->message_id[0] && strncmp(r->message_id, "sha256:", 7) != 0)
		snprintf(irt, sizeof irt, "<%s>", r->message_id);
	m.to = to;
	m.subject = subject;
	m.body = body;
	m.in_reply_to = irt[0] && !strcmp(purpose, "referral") ? irt : NULL;
	m.references = irt[0] ? irt : NULL;
	m.auto_submitted = !strcmp(purpose, "referral");
	if ((e = vg_outbox_queue(db, &c->mail, &m, purpose, "report", id, &item, d)))
		return e;
	if ((e = vg_thread_add(db, item.message_id, "out", id, 0, d)))
		return e;
	*queued = item.id;
	return VG_OK;
}

static vg_err set_decision(vg_db *db, int64_t id, const char *status, const vg_triage_decision *t, int64_t org_id,
			   int64_t partner, int64_t incident, vg_diag *d)
{
	vg_stmt *st;
	int64_t now = vg_time_now_ms();
	vg_err e = vg_db_prepare(db,
				 "UPDATE reports SET status = ?, decision = ?, decision_notes = ?, org_id = ?,"
				 " partner_org_id = ?, incident_id = ?, decided_by = ?, decided_by_name = ?, decided_at = ?,"
				 " updated_at = ? WHERE id = ?",
				 &st, d);
	if (e)
		return e;
	vg_stmt_bind_text(st, 1, status, -1);
	vg_stmt_bind_text(st, 2, t->decision, -1);
	vg_stmt_bind_text(st, 3, t->notes ? t->notes : "", -1);
	if (org_id)
		vg_stmt_bind_int(st, 4, org_id);
	else
		vg_stmt_bind_null(st, 4);
	if (partner)
		vg_stmt_bind_int(st, 5, partner);
	else
		vg_stmt_bind_null(st, 5);
	if (incident)
		vg_stmt_bind_int(st, 6, incident);
	else
		vg_stmt_bind_null(st, 6);
	if (t->user_id)
		vg_stmt_bind_int(st, 7, t->user_id);
	else
		vg_stmt_bind_null(st, 7);
	vg_stmt_bind_text(st, 8, t->user_name ? t->user_name : "", -1);
	vg_stmt_bind_int(st, 9, now);
	vg_stmt_bind_int(st, 10, now);
	vg_stmt_bind_int(st, 11, id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	return e;
}

static vg_err to_incident(vg_db *db, int64_t id, const rep *r, const vg_triage_decision *t, int64_t org_id,
			  const vg_audit_ctx *ac, int64_t *incident, bool *stamped, vg_diag *d)
{
	char *note = NULL;
	int64_t entry;
	int moved = 0;
	vg_err e;
	if (!strcmp(t->decision, "new_incident")) {
		json_t *doc = t->incident ? json_deep_copy(t->incident) : json_object();
		if (!json_object_get(doc, "title"))
			json_object_set_new(doc, "title", json_string(r->subject[0] ? r->subject : r->reference));
		if (!json_object_get(doc, "description")) {
			size_t n = strnlen(r->body, VG_FIELD_NOTES_MAX - 1);
			while (n && ((unsigned char)r->body[n] & 0xc0) == 0x80)
				n--;
			json_object_set_new(doc, "description", json_stringn(r->body, n));
		}
		if (org_id && !json_object_get(doc, "org_id"))
			json_object_set_new(doc, "org_id", json_integer(org_id));
		/* the form's answers: the RSIT type unless the analyst classified it,
		 * when it happened unless the analyst said otherwise */
		if (r->rsit_type[0] && !json_object_get(doc, "type") && !json_object_get(doc, "taxonomy"))
			json_object_set_new(doc, "type", json_string(r->rsit_type));
		if (r->detected_at && !json_object_get(doc, "detected_at"))
			json_object_set_new(doc, "detected_at", vg_json_time(r->detected_at));
		e = vg_incident_create(db, doc, ac, incident, d);
		json_decref(doc);
		if (e) {
			vg_diag_field_prefix(d, "incident");
			goto out;
		}
	} else {
		int64_t iorg;
		vg_diag qd;
		if (vg_incident_org(db, t->incident_id, &iorg, &qd) != VG_OK) {
			e = vg_diag_set(d, VG_ERR_INVALID, "incident_id", "no incident %lld", (long long)t->incident_id);
			goto out;
		}
		*incident = t->incident_id;
	}
	/* a NIS2 notification the entity declared stamps the incident's clock at
	 * the report's arrival (kept when already stamped) */
	if (r->nis2_stage[0] && (e = vg_incident_nis2_declared(db, *incident, r->nis2_stage, r->created_at, stamped, d)))
		goto out;
	if (asprintf(&note, "Report %s from %s%s%s: %s%s%s%s%s\n\n%s", r->reference, r->name[0] ? r->name : "",
		     r->name[0] ? " " : "", r->email[0] ? r->email : "(no address)", r->subject,
		     r->systems[0] ? "\n\nSystems affected: " : "", r->systems,
		     r->nis2_stage[0] ? "\nNIS2 stage declared: " : "", r->nis2_stage, r->body) < 0) {
		e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	/* the body is cut to the journal's limit; the report keeps the whole text */
	if (strlen(note) > VG_JOURNAL_BODY_MAX - 64) {
		size_t n = VG_JOURNAL_BODY_MAX - 64;
		while (n && ((unsigned char)note[n] & 0xc0) == 0x80)
			n--;
		note[n] = '\0';
	}
	if ((e = vg_incident_journal_add(db, *incident, "report", false, t->user_id, note,
					 json_pack("{sI ss}", "report_id", (json_int_t)id, "reference", r->reference),
					 &entry, d)))
		goto out;
	/* the report's attachments follow it (a constituent's own upload stays visible to it) */
	if ((e = vg_attachments_follow(db, id, *incident, t->user_id, &moved, d)))
		goto out;
	/* and so do the observables the analyst confirmed on the report */
	if ((e = vg_intake_obs_follow(db, id, *incident, d)))
		goto out;
	e = vg_thread_attach_incident(db, id, *incident, d);
out:
	free(note);
	return e;
}

vg_err vg_report_triage(vg_db *db, const vg_intake_config *c, int64_t report_id, const vg_triage_decision *t,
			const vg_audit_ctx *ac, int64_t *queued, vg_diag *d)
{
	rep r;
	int64_t org_id, partner = 0, incident = 0;
	const char *status;
	char *subject = NULL, *body = NULL, to[VG_EMAIL_MAX + 1];
	json_t *detail = NULL;
	bool own = false, nis2_stamped = false;
	vg_err e;

	*queued = 0;
	if (!vg_db_in_tx(db)) {
		if ((e = vg_db_begin(db, true, d)))
			return e;
		own = true;
	}
	if ((e = rep_load(db, report_id, &r, d))) {
		if (own)
			vg_db_rollback(db);
		return e;
	}
	org_id = t->org_id ? t->org_id : r.org_id;
	if (!t->decision || (strcmp(t->decision, "in_scope") && strcmp(t->decision, "new_incident") &&
			     strcmp(t->decision, "merge") && strcmp(t->decision, "refer") && strcmp(t->decision, "forward"))) {
		e = vg_diag_set(d, VG_ERR_INVALID, "decision", "must be new_incident, merge, in_scope, forward or refer");
		goto out;
	}
	if (strcmp(r.status, "new") && strcmp(r.status, "in_scope")) {
		e = vg_diag_set(d, VG_ERR_CONFLICT, "decision", "report %s was already decided (%s)", r.reference, r.status);
		goto out;
	}
	if (t->org_id && vg_org_exists(db, t->org_id, NULL) != VG_OK) {
		e = vg_diag_set(d, VG_ERR_INVALID, "org_id", "no organisation %lld", (long long)t->org_id);
		goto out;
	}
	if (!strcmp(t->decision, "in_scope")) {
		status = "in_scope";
	} else if (!strcmp(t->decision, "new_incident") || !strcmp(t->decision, "merge")) {
		status = !strcmp(t->decision, "merge") ? "merged" : "incident";
		if (!strcmp(t->decision, "merge") && t->incident_id <= 0) {
			e = vg_diag_set(d, VG_ERR_INVALID, "incident_id", "required to merge");
			goto out;
		}
		if ((e = to_incident(db, report_id, &r, t, org_id, ac, &incident, &nis2_stamped, d)))
			goto out;
	} else if (!strcmp(t->decision, "refer")) {
		status = "referred";
		if (r.email[0]) {
			if (asprintf(&subject, "[%s] %s", r.reference, r.subject[0] ? r.subject : "Your report") < 0 ||
			    asprintf(&body, "Hello,\n\nThank you for your report %s.\n\n%s\n\n-- \n%s\n", r.reference,
				     c->referral_text, c->mail.smtp_from_name) < 0) {
				e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
				goto out;
			}
			if ((e = queue_mail(db, c, report_id, &r, r.email, subject, body, "referral", queued, d)))
				goto out;
		}
	} else if (!strcmp(t->decision, "forward")) {
		org_info o;
		status = "forwarded";
		partner = t->partner_org_id;
		if (partner <= 0) {
			e = vg_diag_set(d, VG_ERR_INVALID, "partner_org_id", "required to forward");
			goto out;
		}
		if ((e = org_load(db, partner, &o, d)))
			goto out;
		if (!o.name[0] || strcmp(o.kind, "partner_cert")) {
			e = vg_diag_set(d, VG_ERR_INVALID, "partner_org_id", "organisation %lld is not a partner CERT",
					(long long)partner);
			goto out;
		}
		if ((e = org_contact(db, partner, to, sizeof to, d)))
			goto out;
		if (!to[0]) {
			e = vg_diag_set(d, VG_ERR_INVALID, "partner_org_id", "partner CERT %s has no contact address", o.name);
			goto out;
		}
		if (asprintf(&subject, "[%s] Forwarded report: %s", r.reference, r.subject[0] ? r.subject : "(no subject)") < 0 ||
		    asprintf(&body,
			     "Dear colleagues,\n\nWe received the report below, which concerns your constituency.\n"
			     "We forward it for your handling; please quote %s in any reply.\n%s%s\n\n"
			     "Reporter: %s <%s>\nSubject: %s\n\n%s\n\n-- \n%s\n",
			     r.reference, t->notes && *t->notes ? "\nNote: " : "", t->notes ? t->notes : "",
			     r.name[0] ? r.name : "(unnamed)", r.email[0] ? r.email : "no address", r.subject, r.body,
			     c->mail.smtp_from_name) < 0) {
			e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
			goto out;
		}
		if ((e = queue_mail(db, c, report_id, &r, to, subject, body, "forward", queued, d)))
			goto out;
	} else {
		e = vg_diag_set(d, VG_ERR_INVALID, "decision", "must be new_incident, merge, in_scope, forward or refer");
		goto out;
	}
	if ((e = set_decision(db, report_id, status, t, org_id, partner, incident, d)))
		goto out;
	/* a report that became or joined an incident is found by the incident's
	 * full-text search (staff only: the reporter may be a third party) */
	if ((e = vg_search_index_doc(db, "report", report_id, org_id, incident, false, r.subject, r.body, d)))
		goto out;
	detail = json_pack("{ss ss sI sI}", "reference", r.reference, "decision", t->decision, "incident_id",
			   (json_int_t)incident, "partner_org_id", (json_int_t)partner);
	/* the incident's NIS2 clock stamped from the report's declared stage */
	if (detail && nis2_stamped)
		json_object_set_new(detail, "nis2_stamped", json_string(r.nis2_stage));
	e = vg_intake_audit(db, ac, "report.triage", report_id, org_id, detail, d);
out:
	if (own)
		e = vg_db_end(db, e, d);
	if (e)
		*queued = 0;
	json_decref(detail);
	free(subject);
	free(body);
	rep_fini(&r);
	return e;
}
