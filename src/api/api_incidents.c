/* Incident endpoints: CRUD and search, status transitions, journal, tasks,
 * links, merge, playbooks, attachments, export and deadlines. The work is in
 * src/cases; handlers decode, check the incident with the policy (another
 * organisation's incident is a 404), change it in one write transaction with
 * the audit entry, and reply. Constituents read the incidents concerning
 * their organisation (primary or in incident_orgs: vg_incident_scope_org)
 * with the visible journal only, and add visible replies and attachments
 * (VG_ACT_INCIDENT_REPLY). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "audit/audit.h"
#include "cases/cases.h"
#include "intake/intake.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/json.h"
#include "core/log.h"

/* ---------------------------------------------------------------- helpers */

static atomic_int configured;

/* The module reads its configuration once from the server's. */
static void cases_init(vg_req *r)
{
	if (!atomic_load(&configured) && r->app) {
		vg_diag d;
		if (vg_cases_configure_from(&r->app->cfg, &d))
			VG_WARN("incidents configuration: %s: %s (defaults used)", d.field, d.message);
		atomic_store(&configured, 1);
	}
}

bool vg_api_upload_check(vg_req *r, const char *name)
{
	if (!name || !*name || strlen(name) > VG_ATTACHMENT_NAME_MAX) {
		vg_reply_error(r, VG_ERR_INVALID, "filename", "?filename= is required (at most %d bytes)",
			       VG_ATTACHMENT_NAME_MAX);
		return false;
	}
	if (!r->body || r->body_len == 0) {
		vg_reply_error(r, VG_ERR_INVALID, "body", "empty attachment");
		return false;
	}
	return true;
}

void vg_api_cases_init(vg_req *r)
{
	cases_init(r);
}

static bool is_staff(const vg_req *r)
{
	return r->actor.role == VG_ROLE_ADMIN || r->actor.role == VG_ROLE_ANALYST;
}

/* Load the incident's organisation as the actor sees it (a constituent of
 * any organisation concerned: its own) and ask the policy: false (reply
 * sent) when missing or hidden. */
static bool load_incident(vg_req *r, const char *param, int64_t *id, int64_t *org)
{
	vg_object obj = {.type = "incident", .tlp = -1};
	vg_diag d;
	cases_init(r);
	*id = vg_req_param_id(r, param);
	if (*id <= 0 || vg_incident_scope_org(r->db, *id, vg_policy_org_scope(&r->actor), org, &d)) {
		vg_reply_not_found(r);
		return false;
	}
	obj.org_id = *org;
	return vg_req_allow(r, &obj);
}

/* Staff-only detail of an incident the actor may see: 403 for constituents. */
static bool staff_only(vg_req *r)
{
	if (is_staff(r))
		return true;
	vg_reply_error(r, VG_ERR_FORBIDDEN, NULL, "internal to the CERT");
	return false;
}

static bool query_enum(vg_req *r, const char *name, const char *const *allowed, const char **out)
{
	const char *s = vg_req_query(r, name);
	*out = NULL;
	if (!s || !*s)
		return true;
	for (const char *const *a = allowed; *a; a++)
		if (strcmp(*a, s) == 0) {
			*out = s;
			return true;
		}
	vg_reply_error(r, VG_ERR_INVALID, name, "unknown value '%.40s'", s);
	return false;
}

static vg_err audit(vg_req *r, const char *action, int64_t id, int64_t org, json_t *detail, vg_diag *d)
{
	vg_err e = vg_req_audit(r, action, "incident", id, org, detail, d);
	json_decref(detail);
	return e;
}

/* Reply the incident as the actor may see it (with its journal, tasks,
 * attachments and links unless brief). */
static void reply_incident_x(vg_req *r, int status, int64_t id, bool brief)
{
	json_t *out = NULL;
	vg_diag d;
	vg_err e;
	/* one read transaction for the document's queries (one snapshot, one
	 * WAL read lock instead of one per statement) */
	bool tx = !vg_db_in_tx(r->db) && vg_db_begin(r->db, false, NULL) == VG_OK;
	e = vg_incident_view_json(r->db, id, vg_policy_org_scope(&r->actor), !is_staff(r), !brief, &out, &d);
	if (tx)
		vg_db_commit(r->db, NULL);
	if (e) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, status, out);
}

static void reply_incident(vg_req *r, int status, int64_t id)
{
	reply_incident_x(r, status, id, false);
}

/* ---------------------------------------------------------------- incidents */

void vg_h_incident_list(vg_req *r)
{
	static const char *const statuses[] = {"new",	   "triage",  "analysis", "containment", "eradication",
					       "recovery", "waiting", "closed",	  "open",	 NULL};
	static const char *const kinds[] = {"cert", "ministry", "public_body", "local_authority", "court",
					    "independent_authority", "oiv", "oes", "partner_cert", "isp", "other", NULL};
	vg_incident_filter f;
	int64_t limit = VG_PAGE_DEFAULT;
	const char *tlp, *s;
	json_t *out;
	vg_diag d;

	cases_init(r);
	vg_incident_filter_init(&f);
	if (!query_enum(r, "status", statuses, &f.status) || !vg_req_query_int(r, "org_id", 1, INT64_MAX, &f.org_id) ||
	    !query_enum(r, "org_kind", kinds, &f.org_kind) || !query_enum(r, "severity", vg_severity_names, &f.severity) ||
	    !vg_req_query_int(r, "assignee_id", -1, INT64_MAX, &f.assignee_id) || !vg_req_query_int(r, "limit", 1, VG_PAGE_MAX, &limit) ||
	    !vg_req_query_time(r, "created_from", &f.created_from) || !vg_req_query_time(r, "created_to", &f.created_to) ||
	    !vg_req_query_time(r, "updated_from", &f.updated_from) || !vg_req_query_time(r, "updated_to", &f.updated_to))
		return;
	if ((tlp = vg_req_query(r, "tlp")) && *tlp) {
		int t = vg_tlp_parse(tlp);
		if (t < 0) {
			vg_reply_error(r, VG_ERR_INVALID, "tlp", "TLP must be clear, green, amber, amber+strict or red");
			return;
		}
		f.tlp = vg_tlp_name(t);
	}
	if ((s = vg_req_query(r, "sector")) && *s)
		f.org_sector = s;
	if (((s = vg_req_query(r, "type")) && *s) || ((s = vg_req_query(r, "taxonomy")) && *s)) {
		const char *tax, *type;
		const char *qt = vg_req_query(r, "type"), *qx = vg_req_query(r, "taxonomy");
		if (qt && *qt) {
			if (vg_rsit_check(NULL, qt, &tax, &type, &d)) {
				vg_reply_diag(r, &d);
				return;
			}
			f.type = type;
		}
		if (qx && *qx) {
			if (vg_rsit_check(qx, NULL, &tax, &type, &d)) {
				vg_reply_diag(r, &d);
				return;
			}
			f.taxonomy = tax;
		}
	}
	if ((s = vg_req_query(r, "q")) && *s)
		f.q = s;
	f.cursor = vg_req_query(r, "cursor");
	f.limit = (int)limit;
	f.scope_org_id = vg_policy_org_scope(&r->actor);
	if (vg_incident_list_json(r->db, &f, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, out);
}

/* Creation goes through group commit (vg_group_commit_run): one fsync
 * acknowledges every creation of a batch, each with its own audit entry. */

/* The audit entry of another worker's request, written on this connection
 * (the same fields vg_req_audit records). */
static vg_err audit_for(vg_db *db, vg_req *r, int64_t id, int64_t org, vg_diag *d)
{
	json_t *detail = json_pack("{sO}", "title", json_object_get(r->json, "title"));
	char *dj = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char idbuf[24];
	vg_audit_entry e = {0};
	vg_err err;
	json_decref(detail);
	if (dj && strlen(dj) > VG_AUDIT_DETAIL_MAX) {
		free(dj);
		dj = strdup("{\"detail_truncated\":true}");
	}
	snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
	e.actor_id = r->actor.user_id;
	e.actor = r->actor.user_id ? r->actor.username : "anonymous";
	e.action = "incident.create";
	e.object_type = "incident";
	e.object_id = idbuf;
	e.org_id = org;
	e.outcome = "ok";
	e.ip = r->client_ip;
	e.request_id = r->request_id;
	e.detail_json = dj;
	err = vg_audit_append(db, &e, NULL, d);
	free(dj);
	if (!err)
		r->audited = true;
	return err;
}

typedef struct create_job {
	vg_gc_job job;
	json_t *out; /* the new incident, built by the leader while its pages are in its cache */
} create_job;

static vg_err create_one(vg_db *db, vg_gc_job *j, bool in_batch)
{
	create_job *c = (create_job *)j; /* job is the first member */
	vg_req *r = j->arg;
	vg_err e;
	(void)in_batch;
	r->audited = false; /* a rolled-back batch took the audit entry with it */
	json_decref(c->out);
	c->out = NULL;
	if (!db)
		return VG_OK;
	if (!(e = vg_incident_create(db, r->json, NULL, &j->id, &j->d))) {
		j->org = json_integer_value(json_object_get(r->json, "org_id")); /* validated by the creation */
		e = audit_for(db, r, j->id, j->org, &j->d);
	}
	/* a new incident has no tasks, links or attachments yet: the brief document */
	if (!e)
		e = vg_incident_get_json(db, j->id, !is_staff(r), false, &c->out, &j->d);
	return e;
}

void vg_h_incident_create(vg_req *r)
{
	create_job c = {.job = {.arg = r}, .out = NULL};
	vg_db *w = NULL;
	cases_init(r);
	if (r->app) { /* every batch on one connection: a warm page cache */
		vg_db_options o = {.sync_full = r->app->cfg.db_sync_full != 0,
				   .busy_timeout_ms = (int)r->app->cfg.db_busy_timeout_ms};
		w = vg_group_commit_writer(r->app->cfg.db, &o);
	}
	vg_group_commit_run(w ? w : r->db, &c.job, create_one);
	if (c.job.e) {
		json_decref(c.out);
		vg_reply_diag(r, &c.job.d);
		return;
	}
	vg_reply_json(r, 201, c.out);
}

void vg_h_incident_get(vg_req *r)
{
	int64_t id, org;
	if (load_incident(r, "id", &id, &org))
		reply_incident(r, 200, id);
}

void vg_h_incident_update(vg_req *r)
{
	int64_t id, org, new_org = 0;
	vg_diag d;
	vg_err e;
	if (!load_incident(r, "id", &id, &org) || !vg_req_begin(r, &d))
		return;
	if (!(e = vg_incident_update(r->db, id, r->json, NULL, &d)) && !(e = vg_incident_org(r->db, id, &new_org, &d)))
		e = audit(r, "incident.update", id, new_org, json_incref(r->json), &d);
	if (vg_req_finish(r, e, &d))
		reply_incident(r, 200, id);
}

void vg_h_incident_status(vg_req *r)
{
	static const char *const keys[] = {"status", "note", NULL};
	const char *status, *note = NULL;
	int64_t id, org;
	bool p;
	vg_diag d;
	vg_err e;
	if (!load_incident(r, "id", &id, &org))
		return;
	vg_diag_clear(&d);
	if (vg_json_only_keys(r->json, keys, &d) || vg_json_str(r->json, "status", 1, 32, &status, NULL, &d) ||
	    vg_json_str(r->json, "note", 0, VG_FIELD_NOTES_MAX, &note, &p, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_incident_set_status(r->db, id, status, r->actor.user_id, note, NULL, &d)))
		e = audit(r, "incident.status", id, org, json_pack("{ss}", "status", status), &d);
	if (vg_req_finish(r, e, &d))
		reply_incident(r, 200, id);
}

/* ---------------------------------------------------------------- journal */

void vg_h_incident_journal_list(vg_req *r)
{
	int64_t id, org, after = 0, limit = VG_PAGE_DEFAULT;
	json_t *out;
	vg_diag d;
	if (!load_incident(r, "id", &id, &org) || !vg_req_query_int(r, "cursor", 0, INT64_MAX, &after) ||
	    !vg_req_query_int(r, "limit", 1, VG_PAGE_MAX, &limit))
		return;
	if (vg_incident_journal_list(r->db, id, !is_staff(r), after, (int)limit, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, out);
}

void vg_h_incident_journal_add(vg_req *r)
{
	static const char *const keys[] = {"kind", "visible", "body", "meta", NULL};
	static const char *const staff_kinds[] = {"note", "email_in", "email_out", "advice", "reply", NULL};
	const char *kind = NULL, *body;
	bool visible = false, has_kind, has_visible;
	int64_t id, org, eid = 0, queued[VG_INCIDENT_MAIL_RCPT_MAX];
	size_t nqueued = 0;
	vg_notify_config ncfg;
	json_t *meta, *out = NULL;
	vg_diag d;
	vg_err e;
	if (!load_incident(r, "id", &id, &org))
		return;
	vg_diag_clear(&d);
	if (vg_json_only_keys(r->json, keys, &d) || vg_json_str(r->json, "body", 1, VG_JOURNAL_BODY_MAX, &body, NULL, &d) ||
	    vg_json_enum(r->json, "kind", staff_kinds, &kind, &has_kind, &d) ||
	    vg_json_bool(r->json, "visible", &visible, &has_visible, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (!has_kind)
		kind = "note"; /* internal unless "visible": true */
	if (!has_visible)
		visible = false;
	meta = json_object_get(r->json, "meta");
	if (meta && !json_is_object(meta) && !json_is_null(meta)) {
		vg_reply_error(r, VG_ERR_INVALID, "meta", "expected an object");
		return;
	}
	if (!is_staff(r)) { /* a constituent's reply is always visible */
		kind = "reply";
		visible = true;
		meta = NULL;
	}
	/* "email_out": the entry is also sent, one message per recipient */
	if (!strcmp(kind, "email_out") && vg_notify_config_from(&r->app->cfg, &ncfg, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (!vg_req_begin(r, &d))
		return;
	e = vg_incident_journal_add(r->db, id, kind, visible, r->actor.user_id, body,
				    meta && json_is_object(meta) ? json_deep_copy(meta) : NULL, &eid, &d);
	if (!e && !strcmp(kind, "email_out")) {
		json_t *inc = NULL;
		e = vg_incident_get_json(r->db, id, false, false, &inc, &d);
		if (!e)
			e = vg_intake_mail_incident(r->db, &ncfg, id, json_string_value(json_object_get(inc, "reference")),
						    json_object_get(meta, "to"),
						    json_string_value(json_object_get(meta, "subject")), body, queued,
						    sizeof queued / sizeof *queued, &nqueued, &d);
		json_decref(inc);
	}
	if (!e)
		e = audit(r, "incident.journal.add", id, org, json_pack("{sIsssbsI}", "entry_id", (json_int_t)eid, "kind",
									 kind, "visible", visible, "mails",
									 (json_int_t)nqueued),
			  &d);
	if (!vg_req_finish(r, e, &d))
		return;
	/* after commit: try to deliver now; the outbox flusher retries failures */
	for (size_t i = 0; i < nqueued; i++) {
		vg_diag sd;
		if (vg_outbox_send(r->db, &ncfg, queued[i], &sd))
			VG_WARN("incident %lld: mail %lld not delivered yet: %s", (long long)id, (long long)queued[i],
				sd.message);
	}
	if (vg_incident_journal_list(r->db, id, !is_staff(r), eid - 1, 1, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 201, json_incref(json_array_get(json_object_get(out, "items"), 0)));
	json_decref(out);
}

void vg_h_incident_journal_patch(vg_req *r)
{
	static const char *const keys[] = {"visible", NULL};
	int64_t id, org, eid;
	bool visible;
	json_t *out = NULL;
	vg_diag d;
	vg_err e;
	if (!load_incident(r, "id", &id, &org))
		return;
	if ((eid = vg_req_param_id(r, "eid")) <= 0) {
		vg_reply_not_found(r);
		return;
	}
	vg_diag_clear(&d);
	if (vg_json_only_keys(r->json, keys, &d) || vg_json_bool(r->json, "visible", &visible, NULL, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_incident_journal_set_visible(r->db, id, eid, visible, &d)))
		e = audit(r, "incident.journal.visible", id, org,
			  json_pack("{sIsb}", "entry_id", (json_int_t)eid, "visible", visible), &d);
	if (!vg_req_finish(r, e, &d))
		return;
	if (vg_incident_journal_list(r->db, id, false, eid - 1, 1, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, json_incref(json_array_get(json_object_get(out, "items"), 0)));
	json_decref(out);
}

/* ---------------------------------------------------------------- tasks */

static void reply_tasks(vg_req *r, int status, int64_t id)
{
	json_t *out;
	vg_diag d;
	if (vg_tasks_json(r->db, id, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, status, json_pack("{so}", "items", out));
}

void vg_h_incident_tasks(vg_req *r)
{
	int64_t id, org;
	if (load_incident(r, "id", &id, &org) && staff_only(r))
		reply_tasks(r, 200, id);
}

void vg_h_incident_task_add(vg_req *r)
{
	int64_t id, org, tid = 0;
	vg_diag d;
	vg_err e;
	if (!load_incident(r, "id", &id, &org) || !vg_req_begin(r, &d))
		return;
	if (!(e = vg_task_add(r->db, id, r->json, 0, &tid, &d)))
		e = audit(r, "incident.task.add", id, org, json_pack("{sIsO}", "task_id", (json_int_t)tid, "title",
								      json_object_get(r->json, "title")),
			  &d);
	if (vg_req_finish(r, e, &d))
		reply_tasks(r, 201, id);
}

void vg_h_incident_task_update(vg_req *r)
{
	int64_t id, org, tid;
	vg_diag d;
	vg_err e;
	if (!load_incident(r, "id", &id, &org))
		return;
	if ((tid = vg_req_param_id(r, "tid")) <= 0) {
		vg_reply_not_found(r);
		return;
	}
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_task_update(r->db, id, tid, r->json, &d)))
		e = audit(r, "incident.task.update", id, org,
			  json_pack("{sIsO}", "task_id", (json_int_t)tid, "change", r->json), &d);
	if (vg_req_finish(r, e, &d))
		reply_tasks(r, 200, id);
}

/* ---------------------------------------------------------------- links, merge */

static void reply_links(vg_req *r, int status, int64_t id)
{
	json_t *out;
	vg_diag d;
	if (vg_incident_links_json(r->db, id, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, status, json_pack("{so}", "items", out));
}

void vg_h_incident_links(vg_req *r)
{
	int64_t id, org;
	if (load_incident(r, "id", &id, &org) && staff_only(r))
		reply_links(r, 200, id);
}

void vg_h_incident_link_add(vg_req *r)
{
	static const char *const keys[] = {"incident_id", "reason", NULL};
	int64_t id, org, other, lid = 0;
	const char *reason;
	vg_diag d;
	vg_err e;
	if (!load_incident(r, "id", &id, &org))
		return;
	vg_diag_clear(&d);
	if (vg_json_only_keys(r->json, keys, &d) || vg_json_int(r->json, "incident_id", 1, INT64_MAX, &other, NULL, &d) ||
	    vg_json_str(r->json, "reason", 1, VG_LINK_REASON_MAX, &reason, NULL, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_incident_link(r->db, id, other, reason, r->actor.user_id, &lid, &d)))
		e = audit(r, "incident.link", id, org, json_pack("{sIss}", "incident_id", (json_int_t)other, "reason", reason),
			  &d);
	if (vg_req_finish(r, e, &d))
		reply_links(r, 201, id);
}

void vg_h_incident_merge(vg_req *r)
{
	static const char *const keys[] = {"into", NULL};
	int64_t id, org, into;
	vg_diag d;
	vg_err e;
	if (!load_incident(r, "id", &id, &org))
		return;
	vg_diag_clear(&d);
	if (vg_json_only_keys(r->json, keys, &d) || vg_json_int(r->json, "into", 1, INT64_MAX, &into, NULL, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_incident_merge(r->db, id, into, r->actor.user_id, NULL, &d)))
		e = audit(r, "incident.merge", id, org, json_pack("{sI}", "into", (json_int_t)into), &d);
	if (vg_req_finish(r, e, &d))
		reply_incident(r, 200, into);
}

/* ---------------------------------------------------------------- playbooks */

void vg_h_incident_playbook_apply(vg_req *r)
{
	static const char *const keys[] = {"playbook_id", NULL};
	int64_t id, org, pb, adv = 0;
	vg_diag d;
	vg_err e;
	if (!load_incident(r, "id", &id, &org))
		return;
	vg_diag_clear(&d);
	if (vg_json_only_keys(r->json, keys, &d) || vg_json_int(r->json, "playbook_id", 1, INT64_MAX, &pb, NULL, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_playbook_apply(r->db, pb, id, r->actor.user_id, &adv, &d)))
		e = audit(r, "incident.playbook.apply", id, org,
			  json_pack("{sIsI}", "playbook_id", (json_int_t)pb, "advice_entry_id", (json_int_t)adv), &d);
	if (e == VG_ERR_NOT_FOUND && !strcmp(d.message, "no such playbook"))
		vg_diag_set(&d, VG_ERR_INVALID, "playbook_id", "no such playbook");
	if (vg_req_finish(r, e, &d))
		reply_incident(r, 200, id);
}

void vg_h_playbook_list(vg_req *r)
{
	const char *type = vg_req_query(r, "type"), *tax, *canon = NULL;
	json_t *out;
	vg_diag d;
	cases_init(r);
	if (type && *type) {
		if (vg_rsit_check(NULL, type, &tax, &canon, &d)) {
			vg_reply_diag(r, &d);
			return;
		}
	}
	if (vg_playbooks_list_json(r->db, canon, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, json_pack("{so}", "items", out));
}

void vg_h_playbook_get(vg_req *r)
{
	int64_t id = vg_req_param_id(r, "id");
	json_t *out;
	vg_diag d;
	cases_init(r);
	if (id <= 0 || vg_playbook_get_json(r->db, id, &out, &d)) {
		vg_reply_not_found(r);
		return;
	}
	vg_reply_json(r, 200, out);
}

void vg_h_playbook_create(vg_req *r)
{
	int64_t id = 0;
	json_t *out = NULL;
	vg_diag d;
	vg_err e;
	cases_init(r);
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_playbooks_seed(r->db, &d)) && !(e = vg_playbook_create_version(r->db, r->json, &id, &d)) &&
	    !(e = vg_playbook_get_json(r->db, id, &out, &d)))
	{
		json_t *detail = json_pack("{sOsO}", "slug", json_object_get(out, "slug"), "version",
					   json_object_get(out, "version"));
		e = vg_req_audit(r, "playbook.create", "playbook", id, 0, detail, &d);
		json_decref(detail);
	}
	if (!vg_req_finish(r, e, &d)) {
		json_decref(out);
		return;
	}
	vg_reply_json(r, 201, out);
}

/* ---------------------------------------------------------------- attachments */

static void reply_attachments(vg_req *r, int status, int64_t id)
{
	json_t *out;
	vg_diag d;
	if (vg_attachments_json(r->db, "incident", id, !is_staff(r), &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, status, json_pack("{so}", "items", out));
}

void vg_h_incident_attachments(vg_req *r)
{
	int64_t id, org;
	if (load_incident(r, "id", &id, &org))
		reply_attachments(r, 200, id);
}

/* Raw body; ?filename= names it; staff may set ?visible=true (constituents'
 * uploads are always visible). */
void vg_h_incident_attachment_add(vg_req *r)
{
	const char *name = vg_req_query(r, "filename"), *vis = vg_req_query(r, "visible");
	const char *ctype = vg_req_header(r, "Content-Type");
	bool visible = !is_staff(r) || (vis && (!strcmp(vis, "true") || !strcmp(vis, "1")));
	int64_t id, org, aid = 0;
	vg_diag d;
	vg_err e;
	if (!vg_api_upload_check(r, name)) /* the request first: it says nothing about the incident */
		return;
	if (!load_incident(r, "id", &id, &org))
		return;
	if (!vg_req_begin(r, &d))
		return;
	if (!(e = vg_attachment_store(r->db, name, ctype, r->body, r->body_len, "incident", id, visible,
				      r->actor.user_id, &aid, &d)))
		e = audit(r, "incident.attachment.add", id, org,
			  json_pack("{sIsssIsb}", "attachment_id", (json_int_t)aid, "filename", name, "size",
				    (json_int_t)r->body_len, "visible", visible),
			  &d);
	if (vg_req_finish(r, e, &d))
		reply_attachments(r, 201, id);
}

void vg_h_incident_attachment_get(vg_req *r)
{
	int64_t id, org, aid, size = 0;
	char path[1024], name[VG_ATTACHMENT_NAME_MAX + 1];
	vg_diag d;
	if (!load_incident(r, "id", &id, &org))
		return;
	if ((aid = vg_req_param_id(r, "aid")) <= 0 ||
	    vg_attachment_path(r->db, aid, "incident", id, !is_staff(r), path, sizeof path, name, sizeof name, &size,
			       &d)) {
		vg_reply_not_found(r);
		return;
	}
	vg_reply_attachment_file(r, path, name, size);
}

/* ---------------------------------------------------------------- export */

void vg_h_incident_export(vg_req *r)
{
	static const char *const formats[] = {"md", "html", "json", NULL};
	static const char *const types[] = {"text/markdown; charset=utf-8", "text/html; charset=utf-8",
					    "application/json"};
	const char *fmt = NULL, *recipient = vg_req_query(r, "recipient");
	int64_t id, org;
	char *out = NULL;
	size_t len = 0;
	vg_diag d;
	int f;
	if (!load_incident(r, "id", &id, &org) || !query_enum(r, "format", formats, &fmt))
		return;
	f = fmt ? (!strcmp(fmt, "html") ? 1 : !strcmp(fmt, "json") ? 2 : 0) : 0;
	/* TLP:RED goes to named recipients only: staff assert it with
	 * ?recipient=named; a constituent account is not a named recipient. */
	if (vg_incident_export_for(r->db, id, (vg_export_format)f, is_staff(r) && recipient && !strcmp(recipient, "named"),
				   vg_policy_org_scope(&r->actor), &out, &len, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_text(r, 200, types[f], out, len);
	free(out);
}

/* ---------------------------------------------------------------- deadlines, search */

void vg_h_deadlines(vg_req *r)
{
	const char *h = vg_req_query(r, "horizon");
	int64_t limit = VG_PAGE_DEFAULT, horizon_s = 0;
	json_t *out;
	vg_diag d;
	cases_init(r);
	if (!vg_req_query_int(r, "limit", 1, VG_PAGE_MAX, &limit))
		return;
	if (h && *h && vg_parse_duration(h, &horizon_s)) {
		vg_reply_error(r, VG_ERR_INVALID, "horizon", "expected a duration such as 24h or 7d");
		return;
	}
	if (vg_deadlines_due_json(r->db, vg_policy_org_scope(&r->actor), horizon_s * 1000, (int)limit, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, out);
}

void vg_h_search(vg_req *r)
{
	static const char *const kinds[] = {"incident", "journal", "report", NULL};
	const char *kind;
	int64_t limit = VG_PAGE_DEFAULT;
	json_t *out;
	vg_diag d;
	cases_init(r);
	if (!query_enum(r, "kind", kinds, &kind) || !vg_req_query_int(r, "limit", 1, VG_PAGE_MAX, &limit))
		return;
	if (vg_search_json(r->db, vg_req_query(r, "q"), kind, vg_policy_org_scope(&r->actor), (int)limit, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, json_pack("{so}", "items", out));
}

void vg_h_rsit(vg_req *r)
{
	vg_reply_json(r, 200, json_pack("{so}", "items", vg_rsit_table_json()));
}
