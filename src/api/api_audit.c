/* Audit log endpoints: listing (newest first) and chain verification. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/app.h"
#include "api/handlers.h"
#include "audit/audit.h"
#include "core/clock.h"
#include "core/limits.h"

static const char *query_text(vg_req *r, const char *name)
{
	const char *s = vg_req_query(r, name);
	return s && *s ? s : NULL;
}

void vg_h_audit_list(vg_req *r)
{
	vg_audit_filter f = {0};
	const char *cur = vg_req_query(r, "cursor"), *lim = vg_req_query(r, "limit");
	json_t *items;
	int64_t next;
	vg_diag d;

	f.actor = query_text(r, "actor");
	f.action = query_text(r, "action");
	f.object_type = query_text(r, "object_type");
	if (!vg_req_query_time(r, "since", &f.since) || !vg_req_query_time(r, "until", &f.until))
		return;
	if (cur && *cur) {
		char *end;
		long long v = strtoll(cur, &end, 10);
		if (*end || v <= 0) {
			vg_reply_error(r, VG_ERR_INVALID, "cursor", "malformed cursor");
			return;
		}
		f.before_seq = v;
	}
	if (lim && *lim) {
		char *end;
		long long v = strtoll(lim, &end, 10);
		if (*end || v < 1 || v > VG_PAGE_MAX) {
			vg_reply_error(r, VG_ERR_INVALID, "limit", "expected an integer between 1 and %d", VG_PAGE_MAX);
			return;
		}
		f.limit = (int)v;
	}
	if (vg_audit_list(r->db, &f, &items, &next, &d)) {
		vg_reply_diag(r, &d);
		return;
	}
	vg_reply_json(r, 200,
		      json_pack("{so so}", "items", items, "next_cursor",
				next ? json_string(vg_arena_printf(r->arena, "%" PRId64, next)) : json_null()));
}

void vg_h_audit_verify(vg_req *r)
{
	vg_audit_problem *probs = vg_arena_calloc(r->arena, VG_AUDIT_PROBLEMS_MAX, sizeof *probs);
	int np = 0;
	int64_t checked = 0;
	vg_diag d;
	vg_err e;
	json_t *arr;

	if (!probs) {
		vg_reply_error(r, VG_ERR_NOMEM, NULL, "out of memory");
		return;
	}
	e = vg_audit_verify(r->db, probs, VG_AUDIT_PROBLEMS_MAX, &np, &checked, &d);
	if (e && e != VG_ERR_INVALID) {
		vg_reply_diag(r, &d);
		return;
	}
	arr = json_array();
	for (int i = 0; i < np; i++)
		json_array_append_new(arr, json_pack("{sI ss}", "seq", (json_int_t)probs[i].seq, "what", probs[i].what));
	vg_reply_json(r, 200, json_pack("{sb sI so}", "ok", e == VG_OK, "checked", (json_int_t)checked, "problems", arr));
}
