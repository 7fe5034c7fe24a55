/* The request side of the policy and the audit log: vg_req_allow asks the
 * policy about the object a handler loaded; vg_req_audit writes an entry with
 * the request's actor, address and id. Kept apart from reply.c so that code
 * using only the replies does not pull in the auth and audit modules. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "core/clock.h"
#include "http/http.h"
#include "http/internal.h"

bool vg_req_allow(vg_req *r, const vg_object *obj)
{
	vg_decision dec;
	if (!r || !r->route)
		return false;
	dec = vg_policy(&r->actor, r->route->action, obj);
	switch (dec) {
	case VG_ALLOW:
		return true;
	case VG_DENY_AUTH:
		vg_reply_error(r, VG_ERR_AUTH, NULL, "authentication required");
		return false;
	case VG_DENY:
		vg_reply_error(r, VG_ERR_FORBIDDEN, NULL, "not allowed");
		return false;
	case VG_DENY_HIDDEN:
	default:
		/* exactly what a missing object gives, so existence does not leak */
		vg_reply_not_found(r);
		return false;
	}
}

vg_err vg_req_audit(vg_req *r, const char *action, const char *object_type, int64_t object_id,
		    int64_t org_id, json_t *detail, vg_diag *d)
{
	vg_audit_entry e = {0};
	char idbuf[24];
	char *dj = NULL;
	vg_err err;
	if (!r || !action)
		return vg_diag_set(d, VG_ERR_INVALID, NULL, "audit: no request or action");
	if (!r->db)
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "audit: no database connection");
	if (detail) {
		dj = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
		if (dj && strlen(dj) > VG_AUDIT_DETAIL_MAX) {
			/* never lose the entry over its detail: record that it was cut */
			free(dj);
			dj = strdup("{\"detail_truncated\":true}");
		}
	}
	snprintf(idbuf, sizeof idbuf, "%" PRId64, object_id);
	e.actor_id = r->actor.user_id;
	e.actor = r->actor.user_id ? r->actor.username : "anonymous";
	e.action = action;
	e.object_type = object_type;
	e.object_id = object_id ? idbuf : NULL;
	e.org_id = org_id;
	e.outcome = r->status >= 400 ? (r->status == 401 || r->status == 403 ? "denied" : "failed") : "ok";
	e.ip = r->client_ip;
	e.request_id = r->request_id;
	e.detail_json = dj;
	err = vg_audit_append(r->db, &e, NULL, d);
	free(dj);
	if (err == VG_OK)
		r->audited = true;
	return err;
}

bool vg_req_query_int(vg_req *r, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const char *s = vg_req_query(r, name);
	char *end;
	long long v;
	if (!s || !*s)
		return true;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max) {
		vg_reply_error(r, VG_ERR_INVALID, name, "expected an integer between %lld and %lld", (long long)min,
			       (long long)max);
		return false;
	}
	*out = v;
	return true;
}

bool vg_req_query_time(vg_req *r, const char *name, int64_t *out)
{
	const char *s = vg_req_query(r, name);
	char *end;
	long long v;
	if (!s || !*s)
		return true;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!errno && !*end && v > 0) {
		*out = v;
		return true;
	}
	if (vg_time_parse(s, strlen(s), out, NULL) == VG_OK)
		return true;
	vg_reply_error(r, VG_ERR_INVALID, name, "expected an RFC 3339 date-time");
	return false;
}

bool vg_req_begin(vg_req *r, vg_diag *d)
{
	vg_diag_clear(d);
	if (vg_db_begin(r->db, true, d)) {
		vg_reply_diag(r, d);
		return false;
	}
	return true;
}

bool vg_req_finish(vg_req *r, vg_err e, vg_diag *d)
{
	if ((e = vg_db_end(r->db, e, d))) {
		vg_reply_diag(r, d);
		return false;
	}
	return true;
}
