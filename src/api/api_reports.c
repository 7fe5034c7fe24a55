/* Report endpoints: submit (analysts, or constituents for their own
 * organisation: the authenticated form), list/search, get, triage one or
 * many, attachments (upload, list, download; they follow the report into
 * its incident). Mail queued by a change (acknowledgement, referral, forward) is sent
 * after the commit; a delivery failure leaves it queued for the next flush. */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/app.h"
#include "api/handlers.h"
#include "auth/users.h"
#include "cases/cases.h"
#include "core/clock.h"
#include "core/json.h"
#include "intake/intake.h"
#include "registry/index.h"
#include "registry/registry.h"

/* Also configures the incidents module (reference prefix, data_dir,
 * attachment limits) before the first report is numbered or stored. */
static bool intake_cfg(vg_req *r, vg_intake_config *c)
{
	vg_diag d;
	vg_api_cases_init(r);
	vg_diag_clear(&d);
	if (vg_intake_config_from(&r->app->cfg, c, &d)) {
		vg_reply_diag(r, &d);
		return false;
	}
	return true;
}

static bool is_staff(const vg_req *r)
{
	return r->actor.role == VG_ROLE_ADMIN || r->actor.role == VG_ROLE_ANALYST;
}

static void send_queued(vg_req *r, const vg_intake_config *c, const int64_t *ids, int n)
{
	for (int i = 0; i < n; i++) {
		vg_diag sd;
		if (ids[i] > 0)
			vg_outbox_send(r->db, &c->mail, ids[i], &sd);
	}
}

void vg_h_report_create(vg_req *r)
{
	static const char *const keys[] = {"subject", "body", "reporter_name", "reporter_email", "org_id",
					   "idempotency_key", "rsit_type", "detected_at", "systems_affected", "nis2_stage",
					   NULL};
	vg_report_input in = {0};
	vg_intake_config c;
	vg_intake_result res;
	vg_object obj = {.type = "report", .tlp = -1};
	vg_regindex *ix = NULL;
	const char *hkey = vg_req_header(r, "Idempotency-Key");
	bool has_org = false, present;
	const char *when = NULL;
	json_t *out = NULL, *detail;
	vg_diag d;
	vg_err e;

	vg_diag_clear(&d);
	if (vg_json_only_keys(r->json, keys, &d) ||
	    vg_json_str(r->json, "subject", 1, VG_REPORT_SUBJECT_MAX, &in.subject, NULL, &d) ||
	    vg_json_str(r->json, "body", 1, VG_REPORT_BODY_MAX, &in.body, NULL, &d) ||
	    vg_json_str(r->json, "reporter_name", 0, VG_FIELD_TEXT_MAX, &in.reporter_name, &present, &d) ||
	    vg_json_str(r->json, "reporter_email", 0, VG_EMAIL_MAX, &in.reporter_email, &present, &d) ||
	    vg_json_int(r->json, "org_id", 1, INT64_MAX, &in.org_id, &has_org, &d) ||
	    vg_json_str(r->json, "idempotency_key", 1, VG_IDEMPOTENCY_KEY_MAX, &in.idempotency_key, &present, &d) ||
	    vg_json_str(r->json, "rsit_type", 0, 64, &in.rsit_type, &present, &d) ||
	    vg_json_str(r->json, "detected_at", 1, 64, &when, &present, &d) ||
	    vg_json_str(r->json, "systems_affected", 0, VG_REPORT_SYSTEMS_MAX, &in.systems_affected, &present, &d) ||
	    vg_json_enum(r->json, "nis2_stage", vg_report_nis2_stages, &in.nis2_stage, &present, &d) ||
	    vg_report_fields_check(&in, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (when && (vg_time_parse(when, strlen(when), &in.detected_at, NULL) || in.detected_at <= 0)) {
		vg_reply_error(r, VG_ERR_INVALID, "detected_at", "not an RFC 3339 date-time");
		return;
	}
	if (hkey && *hkey) {
		if (vg_text_check(hkey, strlen(hkey), 1, VG_IDEMPOTENCY_KEY_MAX, false, "Idempotency-Key", &d)) {
			vg_reply_diag(r, &d);
			return;
		}
		in.idempotency_key = hkey;
	}
	if (in.reporter_email && *in.reporter_email) {
		char *norm = vg_arena_alloc(r->arena, VG_EMAIL_MAX + 1);
		if (!norm || vg_email_normalize(in.reporter_email, strlen(in.reporter_email), norm, VG_EMAIL_MAX + 1,
						"reporter_email", &d)) {
			vg_reply_error(r, VG_ERR_INVALID, "reporter_email", "not an e-mail address");
			return;
		}
		in.reporter_email = norm;
	}
	if (!is_staff(r)) {
		/* the constituent form: always the actor's own organisation */
		if (!has_org)
			in.org_id = r->actor.org_id;
		in.source = VG_SRC_FORM;
	} else
		in.source = VG_SRC_API;
	obj.org_id = in.org_id;
	if (!vg_req_allow(r, &obj))
		return;
	if (in.org_id && vg_org_exists(r->db, in.org_id, &d)) {
		vg_reply_error(r, VG_ERR_INVALID, "org_id", "no organisation %" PRId64, in.org_id);
		return;
	}
	if (!intake_cfg(r, &c))
		return;
	in.created_by = r->actor.user_id;
	in.idempotency_key = in.idempotency_key ? in.idempotency_key : "";
	in.reporter_name = in.reporter_name ? in.reporter_name : "";
	in.reporter_email = in.reporter_email ? in.reporter_email : "";
	if (!is_staff(r) && (!in.reporter_name[0] || !in.reporter_email[0])) {
		/* the form: the constituent's own account fills in who reports */
		vg_user *u = vg_arena_alloc(r->arena, sizeof *u);
		if (u && vg_user_get(r->db, r->actor.user_id, u, &d) == VG_OK) {
			if (!in.reporter_name[0])
				in.reporter_name = u->display_name[0] ? u->display_name : u->username;
			if (!in.reporter_email[0])
				in.reporter_email = u->email;
		}
		vg_diag_clear(&d);
	}
	if (r->app->registry)
		ix = vg_registry_acquire(r->app->registry, r->db);
	if ((e = vg_db_begin(r->db, true, &d)))
		goto fail;
	if ((e = vg_report_submit(r->db, &c, ix, &in, NULL, &res, &d)))
		goto fail_tx;
	if (res.created) {
		detail = json_pack("{ss ss}", "reference", res.reference, "source", in.source == VG_SRC_FORM ? "form" : "api");
		e = vg_req_audit(r, "report.create", "report", res.report_id, in.org_id, detail, &d);
		json_decref(detail);
		if (e)
			goto fail_tx;
	}
	if ((e = vg_db_commit(r->db, &d)))
		goto fail;
	vg_regindex_release(ix);
	ix = NULL;
	send_queued(r, &c, res.outbox_ids, res.noutbox);
	if ((e = vg_report_get_json(r->db, res.report_id, false, &out, &d)))
		goto fail;
	json_object_set_new(out, "duplicate", json_boolean(res.duplicate));
	if (!is_staff(r)) { /* internal triage material stays with the CERT */
		json_object_del(out, "suggestion");
		json_object_del(out, "suggested_decision");
	}
	vg_reply_json(r, res.created ? 201 : 200, out);
	return;
fail_tx:
	vg_db_rollback(r->db);
fail:
	vg_regindex_release(ix);
	vg_reply_diag(r, &d);
}

void vg_h_report_list(vg_req *r)
{
	vg_report_filter f = {0};
	int64_t limit = VG_PAGE_DEFAULT;
	json_t *out;
	vg_diag d;
	vg_diag_clear(&d);
	if (!vg_req_query_int(r, "org_id", 1, INT64_MAX, &f.org_id) || !vg_req_query_int(r, "cursor", 1, INT64_MAX, &f.after_id) ||
	    !vg_req_query_int(r, "limit", 1, VG_PAGE_MAX, &limit) || !vg_req_query_time(r, "created_from", &f.created_from) ||
	    !vg_req_query_time(r, "created_to", &f.created_to))
		return;
	f.status = vg_req_query(r, "status");
	f.source = vg_req_query(r, "source");
	f.q = vg_req_query(r, "q");
	if (f.q && strlen(f.q) > VG_FIELD_TEXT_MAX) {
		vg_reply_error(r, VG_ERR_INVALID, "q", "longer than %d bytes", VG_FIELD_TEXT_MAX);
		return;
	}
	f.limit = (int)limit;
	f.scope_org_id = vg_policy_org_scope(&r->actor);
	if (!is_staff(r) && f.scope_org_id == 0)
		f.scope_org_id = -1;
	if (vg_report_list_json(r->db, &f, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200, out);
}

/* Load the report of the path and ask the policy; false (reply sent) otherwise. */
static bool load_visible(vg_req *r, int64_t *id, int64_t *org_id)
{
	vg_object obj = {.type = "report", .tlp = -1};
	vg_diag d;
	vg_err e;
	*id = vg_req_param_id(r, "id");
	if (*id <= 0) {
		vg_reply_not_found(r);
		return false;
	}
	e = vg_report_org(r->db, *id, org_id, &d);
	if (e == VG_ERR_NOT_FOUND) {
		vg_reply_not_found(r);
		return false;
	}
	if (e) {
		vg_reply_diag(r, &d);
		return false;
	}
	obj.org_id = *org_id;
	return vg_req_allow(r, &obj);
}

void vg_h_report_get(vg_req *r)
{
	int64_t id, org;
	json_t *out;
	vg_diag d;
	if (!load_visible(r, &id, &org))
		return;
	if (vg_report_get_json(r->db, id, true, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (!is_staff(r)) { /* internal triage material stays with the CERT */
		json_object_del(out, "suggestion");
		json_object_del(out, "suggested_decision");
		json_object_del(out, "decision_notes");
		json_object_del(out, "outbox");
	}
	vg_reply_json(r, 200, out);
}

static const char *const decisions[] = {"new_incident", "merge", "in_scope", "forward", "refer", NULL};

/* Decode the decision fields shared by single and bulk triage. */
static bool decode_decision(vg_req *r, vg_triage_decision *t)
{
	vg_diag d;
	bool present;
	json_t *inc;
	memset(t, 0, sizeof *t);
	vg_diag_clear(&d);
	if (vg_json_enum(r->json, "decision", decisions, &t->decision, NULL, &d) ||
	    vg_json_int(r->json, "incident_id", 1, INT64_MAX, &t->incident_id, &present, &d) ||
	    vg_json_int(r->json, "partner_org_id", 1, INT64_MAX, &t->partner_org_id, &present, &d) ||
	    vg_json_int(r->json, "org_id", 1, INT64_MAX, &t->org_id, &present, &d) ||
	    vg_json_str(r->json, "notes", 0, VG_FIELD_NOTES_MAX, &t->notes, &present, &d)) {
		vg_reply_diag(r, &d);
		return false;
	}
	inc = json_object_get(r->json, "incident");
	if (inc && !json_is_null(inc)) {
		if (!json_is_object(inc)) {
			vg_reply_error(r, VG_ERR_INVALID, "incident", "must be an object");
			return false;
		}
		t->incident = inc;
	}
	if (!strcmp(t->decision, "merge") && !t->incident_id) {
		vg_reply_error(r, VG_ERR_INVALID, "incident_id", "required when decision is merge");
		return false;
	}
	if (!strcmp(t->decision, "forward") && !t->partner_org_id) {
		vg_reply_error(r, VG_ERR_INVALID, "partner_org_id", "required when decision is forward");
		return false;
	}
	t->user_id = r->actor.user_id;
	t->user_name = r->actor.username;
	return true;
}

static vg_err triage_one(vg_req *r, const vg_intake_config *c, int64_t id, int64_t org, const vg_triage_decision *t,
			 int64_t *queued, vg_diag *d)
{
	vg_audit_ctx ac = {.actor_id = r->actor.user_id, .actor = r->actor.username, .ip = r->client_ip,
			   .request_id = r->request_id};
	vg_err e = vg_report_triage(r->db, c, id, t, &ac, queued, d);
	(void)org;
	if (e)
		return e;
	r->audited = true; /* vg_report_triage wrote the entry (and the incident's, if it made one) */
	return VG_OK;
}

void vg_h_report_triage(vg_req *r)
{
	static const char *const keys[] = {"decision", "incident_id", "partner_org_id", "org_id", "notes", "incident", NULL};
	vg_triage_decision t;
	vg_intake_config c;
	int64_t id, org, queued = 0;
	json_t *out;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	if (!load_visible(r, &id, &org))
		return;
	if (vg_json_only_keys(r->json, keys, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if (!decode_decision(r, &t) || !intake_cfg(r, &c))
		return;
	if ((e = vg_db_begin(r->db, true, &d)))
		goto fail;
	if ((e = triage_one(r, &c, id, org, &t, &queued, &d))) {
		vg_db_rollback(r->db);
		goto fail;
	}
	if ((e = vg_db_commit(r->db, &d)))
		goto fail;
	send_queued(r, &c, &queued, 1);
	if ((e = vg_report_get_json(r->db, id, true, &out, &d)))
		goto fail;
	vg_reply_json(r, 200, out);
	return;
fail:
	vg_reply_diag(r, &d);
}

void vg_h_report_triage_bulk(vg_req *r)
{
	static const char *const keys[] = {"ids", "decision", "incident_id", "partner_org_id", "org_id", "notes",
					   "incident", NULL};
	vg_triage_decision t;
	vg_intake_config c;
	int64_t *queued = NULL, *ids = NULL, incident = 0;
	json_t *arr, *items = NULL;
	size_t n;
	vg_diag d;
	vg_err e = VG_OK;
	vg_diag_clear(&d);
	if (vg_json_only_keys(r->json, keys, &d) || vg_json_array(r->json, "ids", VG_TRIAGE_BULK_MAX, &arr, NULL, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	n = json_array_size(arr);
	if (n == 0) {
		vg_reply_error(r, VG_ERR_INVALID, "ids", "at least one report id");
		return;
	}
	if (!decode_decision(r, &t) || !intake_cfg(r, &c))
		return;
	queued = calloc(n, sizeof *queued);
	ids = calloc(n, sizeof *ids);
	if (!queued || !ids) {
		vg_reply_error(r, VG_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(arr, i);
		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			vg_reply_error(r, VG_ERR_INVALID, vg_arena_printf(r->arena, "ids[%zu]", i), "must be a report id");
			goto out;
		}
		ids[i] = json_integer_value(v);
	}
	/* all or nothing: one transaction; a hidden or missing report is a 404
	 * naming it. new_incident makes ONE incident: from the first report,
	 * the others merged into it (each journalled and audited) */
	if ((e = vg_db_begin(r->db, true, &d)))
		goto fail;
	for (size_t i = 0; i < n; i++) {
		vg_object obj = {.type = "report", .tlp = -1};
		int64_t org = 0;
		if (i == 1 && !strcmp(t.decision, "new_incident")) {
			if ((e = vg_report_incident(r->db, ids[0], &incident, &d))) {
				vg_db_rollback(r->db);
				goto fail;
			}
			t.decision = "merge";
			t.incident_id = incident;
			t.incident = NULL;
		}
		e = vg_report_org(r->db, ids[i], &org, &d);
		obj.org_id = org;
		if (e == VG_ERR_NOT_FOUND || (!e && vg_policy(&r->actor, VG_ACT_REPORT_TRIAGE, &obj) != VG_ALLOW)) {
			vg_db_rollback(r->db);
			vg_reply_error(r, VG_ERR_NOT_FOUND, vg_arena_printf(r->arena, "ids[%zu]", i), "no report %" PRId64,
				       ids[i]);
			goto out;
		}
		if (e || (e = triage_one(r, &c, ids[i], org, &t, &queued[i], &d))) {
			vg_db_rollback(r->db);
			vg_diag_field_prefix(&d, vg_arena_printf(r->arena, "ids[%zu]", i));
			goto fail;
		}
	}
	if ((e = vg_db_commit(r->db, &d)))
		goto fail;
	send_queued(r, &c, queued, (int)n);
	items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o;
		if (vg_report_get_json(r->db, ids[i], false, &o, &d) == VG_OK)
			json_array_append_new(items, o);
	}
	/* the incident the reports became or joined (null for other decisions) */
	if (!incident && t.incident_id)
		incident = t.incident_id;
	if (!incident && n == 1 && !strcmp(t.decision, "new_incident"))
		vg_report_incident(r->db, ids[0], &incident, &d);
	vg_reply_json(r, 200, json_pack("{so so}", "items", items, "incident_id",
					incident ? json_integer(incident) : json_null()));
	goto out;
fail:
	vg_reply_diag(r, &d);
out:
	free(queued);
	free(ids);
}

/* ---------------------------------------------------------------- attachments */

/* Reply a stored attachment: always application/octet-stream with
 * Content-Disposition: attachment (never rendered inline; the server adds
 * nosniff and a strict CSP). */
void vg_reply_attachment_file(vg_req *r, const char *path, const char *name, int64_t size)
{
	char safe[VG_ATTACHMENT_NAME_MAX + 1];
	struct stat sb;
	char *buf = NULL;
	size_t i;
	int fd;
	/* read into the heap: vg_reply_text copies into the request arena once */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0 || sb.st_size != size ||
	    !(buf = malloc((size_t)size + 1))) {
		if (fd >= 0)
			close(fd);
		vg_reply_error(r, VG_ERR_IO, NULL, "attachment content unavailable");
		return;
	}
	for (int64_t got = 0; got < size;) {
		ssize_t n = read(fd, buf + got, (size_t)(size - got));
		if (n <= 0) {
			close(fd);
			free(buf);
			vg_reply_error(r, VG_ERR_IO, NULL, "attachment content unreadable");
			return;
		}
		got += n;
	}
	close(fd);
	vg_reply_text(r, 200, "application/octet-stream", buf, (size_t)size);
	free(buf);
	/* always a download, under a name reduced to safe characters */
	for (i = 0; name[i] && i < sizeof safe - 1; i++) {
		unsigned char c = (unsigned char)name[i];
		safe[i] = (isalnum(c) || c == '.' || c == '-' || c == '_') ? (char)c : '_';
	}
	safe[i] = '\0';
	r->resp_headers[0] = "Content-Disposition";
	r->resp_headers[1] = vg_arena_printf(r->arena, "attachment; filename=\"%s\"", i ? safe : "attachment");
}


static void reply_attachments(vg_req *r, int status, int64_t id)
{
	json_t *out;
	vg_diag d;
	if (vg_attachments_json(r->db, "report", id, false, &out, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, status, json_pack("{so}", "items", out));
}

void vg_h_report_attachments(vg_req *r)
{
	int64_t id, org;
	if (load_visible(r, &id, &org))
		reply_attachments(r, 200, id);
}

/* Raw body, ?filename= names it; constituents attach to their organisation's
 * reports only (the route's action is report.create: another organisation's
 * report is a 404). */
void vg_h_report_attachment_add(vg_req *r)
{
	const char *name = vg_req_query(r, "filename"), *ctype = vg_req_header(r, "Content-Type");
	vg_audit_ctx ac = {.actor_id = r->actor.user_id, .actor = r->actor.username, .ip = r->client_ip,
			   .request_id = r->request_id};
	int64_t id, org, aid = 0;
	vg_diag d;
	vg_err e;
	if (!vg_api_upload_check(r, name)) /* the request first: it says nothing about the report */
		return;
	vg_api_cases_init(r);
	if (!load_visible(r, &id, &org) || !vg_req_begin(r, &d))
		return;
	e = vg_report_attach(r->db, id, name, ctype, r->body, r->body_len, r->actor.user_id, &ac, &aid, &d);
	if (!e)
		r->audited = true; /* vg_report_attach wrote report.attachment.add */
	if (vg_req_finish(r, e, &d))
		reply_attachments(r, 201, id);
}

void vg_h_report_attachment_get(vg_req *r)
{
	int64_t id, org, aid, size = 0;
	char path[1024], name[VG_ATTACHMENT_NAME_MAX + 1];
	vg_diag d;
	vg_api_cases_init(r);
	if (!load_visible(r, &id, &org))
		return;
	if ((aid = vg_req_param_id(r, "aid")) <= 0 ||
	    vg_attachment_path(r->db, aid, "report", id, false, path, sizeof path, name, sizeof name, &size, &d)) {
		vg_reply_not_found(r);
		return;
	}
	vg_reply_attachment_file(r, path, name, size);
}

/* ---------------------------------------------------------------- observables */

/* Candidates extracted from the report's text and text attachments (staff:
 * the route's action is report.triage); writes nothing. */
void vg_h_report_obs_candidates(vg_req *r)
{
	int64_t id, org;
	vg_obs_candidates c;
	json_t *arr;
	vg_diag d;
	vg_diag_clear(&d);
	vg_api_cases_init(r);
	if (!load_visible(r, &id, &org))
		return;
	if (vg_report_obs_candidates(r->db, id, vg_obs_warnlist_default(), r->arena, &c, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < c.len; i++) {
		const vg_obs_candidate *x = &c.items[i];
		json_array_append_new(arr, json_pack("{ss ss ss sb sb so}", "type", vg_obs_type_name(x->type), "value",
						     x->normalized, "found", x->value, "defanged", x->defanged, "common",
						     x->common != NULL, "common_reason",
						     x->common ? json_string(x->common) : json_null()));
	}
	vg_reply_json(r, 200, json_pack("{sI so sb}", "report_id", (json_int_t)id, "candidates", arr, "truncated",
					c.truncated));
}

/* The values the analyst kept: linked to the report, and to its incident
 * when it already became or joined one (later triage carries them there). */
void vg_h_report_obs_add(vg_req *r)
{
	static const char *const keys[] = {"observables", NULL};
	static const char *const item_keys[] = {"type", "value", NULL};
	int64_t id, org, incident = 0, *obs_ids = NULL;
	vg_obs_type *types = NULL;
	const char **values = NULL;
	json_t *list, *item, *items = NULL, *detail = NULL;
	size_t n, i;
	vg_diag d;
	vg_err e = VG_OK;
	vg_diag_clear(&d);
	if (!load_visible(r, &id, &org))
		return;
	if (vg_json_only_keys(r->json, keys, &d) ||
	    vg_json_array(r->json, "observables", VG_REPORT_OBS_KEEP_MAX, &list, NULL, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	if ((n = json_array_size(list)) == 0) {
		vg_reply_error(r, VG_ERR_INVALID, "observables", "give at least one observable");
		return;
	}
	types = vg_arena_alloc(r->arena, n * sizeof *types);
	values = vg_arena_alloc(r->arena, n * sizeof *values);
	obs_ids = vg_arena_alloc(r->arena, n * sizeof *obs_ids);
	if (!types || !values || !obs_ids) {
		vg_reply_error(r, VG_ERR_NOMEM, NULL, "out of memory");
		return;
	}
	json_array_foreach(list, i, item)
	{
		const char *f = vg_arena_printf(r->arena, "observables[%zu]", i), *type = NULL;
		bool has_type = false;
		types[i] = VG_OBS__COUNT;
		if (!json_is_object(item)) {
			vg_reply_error(r, VG_ERR_INVALID, f, "expected an object {type, value}");
			return;
		}
		if (vg_json_only_keys(item, item_keys, &d) || vg_json_str(item, "type", 1, 16, &type, &has_type, &d) ||
		    vg_json_str(item, "value", 1, VG_OBS_VALUE_MAX, &values[i], NULL, &d)) {
			vg_diag_field_prefix(&d, f);
			vg_reply_diag(r, &d);
			return;
		}
		if (type && vg_obs_type_parse(type, &types[i])) {
			vg_reply_error(r, VG_ERR_INVALID, vg_arena_printf(r->arena, "%s.type", f),
				       "unknown observable type '%.20s'", type);
			return;
		}
	}
	if (!vg_req_begin(r, &d))
		return;
	e = vg_report_obs_link(r->db, id, types, values, n, vg_obs_warnlist_default(), 0, obs_ids, &incident, &d);
	if (!e) {
		items = json_array();
		detail = json_array();
		for (i = 0; i < n && !e; i++) {
			vg_observable o;
			if ((e = vg_obs_get(r->db, obs_ids[i], r->arena, &o, &d)))
				break;
			json_array_append_new(items, json_pack("{sI ss ss sb}", "id", (json_int_t)o.id, "type",
							       vg_obs_type_name(o.type), "value", o.value, "common",
							       o.common));
			json_array_append_new(detail, json_pack("{ss ss}", "type", vg_obs_type_name(o.type), "value", o.value));
		}
	}
	if (!e) {
		json_t *det = json_pack("{sO sI}", "observables", detail, "incident_id", (json_int_t)incident);
		e = vg_req_audit(r, "report.observables.add", "report", id, org, det, &d);
		json_decref(det);
	}
	json_decref(detail);
	if (!vg_req_finish(r, e, &d)) {
		json_decref(items);
		return;
	}
	vg_reply_json(r, 201, json_pack("{sI so so}", "report_id", (json_int_t)id, "incident_id",
					incident ? json_integer(incident) : json_null(), "items", items));
}
