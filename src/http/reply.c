/* Replies: handlers describe the response in the vg_req; the server turns it
 * into an HTTP response (serialisation, headers) once the handler returns.
 * Error bodies have one shape everywhere:
 *   {"error":{"code":"invalid","message":"...","field":"name"|null},"request_id":"..."} */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "http/http.h"
#include "http/internal.h"

static void clear_body(vg_req *r)
{
	json_decref(r->resp);
	r->resp = NULL;
	r->resp_text = NULL;
	r->resp_text_len = 0;
	r->resp_type = NULL;
}

void vg_reply_json(vg_req *r, int status, json_t *body)
{
	if (!r) {
		json_decref(body);
		return;
	}
	clear_body(r);
	if (!body) {
		/* the handler ran out of memory building its reply */
		vg_reply_error(r, VG_ERR_NOMEM, NULL, "out of memory");
		return;
	}
	r->status = status;
	r->resp = body;
}

void vg_reply_text(vg_req *r, int status, const char *content_type, const char *text, size_t len)
{
	char *copy;
	if (!r)
		return;
	clear_body(r);
	copy = vg_arena_alloc(r->arena, len + 1);
	if (!copy) {
		vg_reply_error(r, VG_ERR_NOMEM, NULL, "response too large");
		return;
	}
	if (len)
		memcpy(copy, text, len);
	copy[len] = '\0';
	r->status = status;
	r->resp_text = copy;
	r->resp_text_len = len;
	r->resp_type = content_type ? content_type : "text/plain; charset=utf-8";
}

void vg_reply_empty(vg_req *r, int status)
{
	if (!r)
		return;
	clear_body(r);
	r->status = status;
	r->resp_text = NULL;
	r->resp_text_len = 0;
}

static void reply_verror(vg_req *r, int status, const char *code, const char *field, const char *fmt, va_list ap)
{
	char msg[VG_DIAG_MESSAGE_MAX];
	json_t *err, *body, *m;
	vsnprintf(msg, sizeof msg, fmt ? fmt : "", ap);
	clear_body(r);
	r->status = status;
	err = json_object();
	body = json_object();
	if (!err || !body) {
		json_decref(err);
		json_decref(body);
		/* last resort: a fixed body the server can always send */
		r->resp_text = (char *)"{\"error\":{\"code\":\"no_memory\",\"message\":\"out of memory\",\"field\":null}}";
		r->resp_text_len = strlen(r->resp_text);
		r->resp_type = "application/json";
		r->status = 503;
		return;
	}
	json_object_set_new(err, "code", json_string(code));
	/* messages come from diagnostics that may quote client input: json_string
	 * refuses invalid UTF-8, so fall back to a generic text */
	m = json_string(msg);
	json_object_set_new(err, "message", m ? m : json_string("invalid input"));
	json_object_set_new(err, "field", field && *field ? json_string(field) : json_null());
	json_object_set_new(body, "error", err);
	json_object_set_new(body, "request_id", json_string(r->request_id));
	r->resp = body;
}

void vg_reply_error_code(vg_req *r, int status, const char *code, const char *field, const char *fmt, ...)
{
	va_list ap;
	if (!r)
		return;
	va_start(ap, fmt);
	reply_verror(r, status, code, field, fmt, ap);
	va_end(ap);
}

void vg_reply_error(vg_req *r, vg_err code, const char *field, const char *fmt, ...)
{
	va_list ap;
	if (!r)
		return;
	va_start(ap, fmt);
	reply_verror(r, vg_err_http_status(code), vg_err_name(code), field, fmt, ap);
	va_end(ap);
}

void vg_reply_diag(vg_req *r, const vg_diag *d)
{
	if (!r)
		return;
	if (!d || d->code == VG_OK) {
		vg_reply_error(r, VG_ERR_INTERNAL, NULL, "internal error");
		return;
	}
	/* every 404 has the same body, whatever the diagnostic says, so that a
	 * missing object and a hidden one (VG_DENY_HIDDEN) cannot be told apart */
	if (d->code == VG_ERR_NOT_FOUND) {
		vg_reply_not_found(r);
		return;
	}
	vg_reply_error(r, d->code, d->field, "%s", d->message[0] ? d->message : vg_err_name(d->code));
}

void vg_reply_not_found(vg_req *r)
{
	vg_reply_error(r, VG_ERR_NOT_FOUND, NULL, "not found");
}
