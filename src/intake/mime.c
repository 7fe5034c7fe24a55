/* MIME intake with GMime 3: headers, text and HTML parts, forwarded
 * messages, attachments, PGP/MIME (crypto.c). Bounded before GMime sees the
 * bytes (size, header count and length, number of containers), and while
 * walking (depth, parts, attachments, body size). Never fails on bad input:
 * problems are collected in m->error and the caller keeps the raw message. */
#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "intake/internal.h"
#include "intake/intake.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;
static void gmime_init_once(void)
{
	g_mime_init();
}

const char *vg_sig_status_name(vg_sig_status s)
{
	static const char *const names[] = {"none", "valid", "invalid", "unknown_key", "error"};
	return (unsigned)s < 5 ? names[s] : "error";
}

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

void vg_mail_parsed_free(vg_mail_parsed *m)
{
	if (!m)
		return;
	free(m->message_id);
	free(m->in_reply_to);
	free(m->references);
	free(m->subject);
	free(m->from_name);
	free(m->from_addr);
	free(m->date);
	free(m->body);
	free(m->sig_fingerprint);
	for (size_t i = 0; i < m->natts; i++) {
		free(m->atts[i].filename);
		free(m->atts[i].content_type);
		free(m->atts[i].data);
	}
	free(m->atts);
	free(m->error);
	free(m);
}

void vg_mail_note_error(vg_mail_walk *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (w->errors.len && w->errors.len < 1024)
		vg_buf_puts(&w->errors, "; ");
	if (w->errors.len < 1024)
		vg_buf_puts(&w->errors, msg);
}

/* Header block checks before parsing: field count, field length, and the
 * number of MIME containers (multipart / message) anywhere in the text. */
vg_err vg_mail_prescan(const char *raw, size_t len, char *why, size_t whysz)
{
	size_t fields = 0, field_len = 0, containers = 0;
	bool in_headers = true;
	const char *p = raw, *end = raw + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		size_t tl = l && p[l - 1] == '\r' ? l - 1 : l;
		if (in_headers) {
			if (tl == 0)
				in_headers = false;
			else if (p[0] == ' ' || p[0] == '\t')
				field_len += l + 1;
			else {
				fields++;
				field_len = l + 1;
			}
			if (fields > VG_MAIL_HEADERS_MAX) {
				snprintf(why, whysz, "more than %d header fields", VG_MAIL_HEADERS_MAX);
				return VG_ERR_LIMIT;
			}
			if (field_len > VG_MAIL_HEADER_LEN_MAX) {
				snprintf(why, whysz, "header field %zu longer than %d bytes", fields,
					 VG_MAIL_HEADER_LEN_MAX);
				return VG_ERR_LIMIT;
			}
		}
		if (tl > 13 && strncasecmp(p, "content-type:", 13) == 0) {
			const char *v = p + 13;
			while (v < p + tl && (*v == ' ' || *v == '\t'))
				v++;
			if ((size_t)(p + tl - v) >= 8 &&
			    (strncasecmp(v, "multipart", 9) == 0 || strncasecmp(v, "message/", 8) == 0))
				containers++;
			if (containers > VG_MAIL_MIME_DEPTH_MAX * 4) {
				snprintf(why, whysz, "more than %d MIME containers", VG_MAIL_MIME_DEPTH_MAX * 4);
				return VG_ERR_LIMIT;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return VG_OK;
}

static void warn_cb(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer ud)
{
	vg_mail_walk *w = ud;
	const char *what = NULL;
	switch (code) {
	case GMIME_WARN_MALFORMED_MULTIPART: what = "malformed multipart"; break;
	case GMIME_WARN_TRUNCATED_MESSAGE: what = "truncated message"; break;
	case GMIME_WARN_MALFORMED_MESSAGE: what = "malformed message"; break;
	case GMIME_WARN_INVALID_CONTENT_TYPE: what = "invalid content type"; break;
	case GMIME_CRIT_INVALID_HEADER_NAME: what = "invalid header name"; break;
	case GMIME_CRIT_CONFLICTING_HEADER: what = "conflicting header"; break;
	case GMIME_CRIT_CONFLICTING_PARAMETER: what = "conflicting parameter"; break;
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: what = "multipart without boundary"; break;
	case GMIME_CRIT_NESTING_OVERFLOW: what = "MIME nesting too deep"; break;
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT: what = "part without headers or content"; break;
	default: return; /* duplicated headers, 8-bit headers, ...: tolerated */
	}
	w->warnings++;
	if (w->warnings <= 5)
		vg_mail_note_error(w, "%s at byte %lld%s%.40s", what, (long long)offset, item ? ": " : "",
				   item ? item : "");
}

GMimeParserOptions *vg_mail_parser_options(vg_mail_walk *w)
{
	GMimeParserOptions *po = g_mime_parser_options_new();
	g_mime_parser_options_set_warning_callback(po, warn_cb, w);
	return po;
}

/* Decoded content of a leaf part, bounded by max (more: *too_large). */
GByteArray *vg_mail_part_bytes(GMimePart *part, size_t max, bool *too_large)
{
	GMimeDataWrapper *wr = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *arr, *copy;
	*too_large = false;
	if (!wr)
		return g_byte_array_new();
	mem = g_mime_stream_mem_new();
	g_mime_data_wrapper_write_to_stream(wr, mem);
	arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	if (arr->len > max) {
		*too_large = true;
		copy = g_byte_array_new();
	} else {
		copy = g_byte_array_sized_new(arr->len);
		g_byte_array_append(copy, arr->data, arr->len);
	}
	g_object_unref(mem);
	return copy;
}

/* Bytes in a declared charset to UTF-8; a missing or wrong charset falls
 * back to UTF-8 when valid, else Windows-1252, else ISO-8859-1 (always works). */
char *vg_mail_to_utf8(const char *data, size_t len, const char *charset, vg_mail_walk *w)
{
	char *out = NULL;
	if (!data || len == 0)
		return g_strdup("");
	if (charset && *charset && g_ascii_strcasecmp(charset, "utf-8") && g_ascii_strcasecmp(charset, "utf8") &&
	    g_ascii_strcasecmp(charset, "us-ascii")) {
		GError *err = NULL;
		gsize n = 0;
		const char *cs = g_mime_charset_iconv_name(charset);
		out = g_convert(data, (gssize)len, "UTF-8", cs ? cs : charset, NULL, &n, &err);
		if (err) {
			if (w && w->warnings++ < 5)
				vg_mail_note_error(w, "cannot convert from charset \"%.32s\"", charset);
			g_error_free(err);
			g_free(out);
			out = NULL;
		}
	}
	if (!out && g_utf8_validate(data, (gssize)len, NULL) && !memchr(data, '\0', len))
		out = g_strndup(data, len);
	if (!out)
		out = g_convert(data, (gssize)len, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
	if (!out)
		out = g_convert(data, (gssize)len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
	if (out) { /* NUL bytes and other controls become spaces (they cannot be stored as text) */
		for (char *p = out; *p; p++)
			if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
				*p = ' ';
	}
	return out;
}

static void body_add(vg_mail_walk *w, const char *text)
{
	size_t room, n;
	if (!text || !*text)
		return;
	if (w->body.len && w->body.len + 2 < VG_REPORT_BODY_MAX)
		vg_buf_puts(&w->body, "\n\n");
	room = VG_REPORT_BODY_MAX - w->body.len;
	n = strlen(text);
	if (n > room) {
		/* cut on a UTF-8 boundary */
		while (room > 0 && ((unsigned char)text[room] & 0xc0) == 0x80)
			room--;
		n = room;
		w->body_truncated = true;
	}
	vg_buf_append(&w->body, text, n);
}

static char *clean_filename(const char *name)
{
	const char *base;
	char *out;
	size_t j = 0;
	if (!name)
		return strdup("");
	base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (strrchr(base, '\\'))
		base = strrchr(base, '\\') + 1;
	out = malloc(256);
	if (!out)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)base; *p && j < 255; p++)
		if (*p >= 0x20 && *p != 0x7f)
			out[j++] = (char)*p;
	out[j] = '\0';
	if (!strcmp(out, ".") || !strcmp(out, ".."))
		out[0] = '\0';
	return out;
}

static void add_attachment(vg_mail_walk *w, GMimePart *part, const char *ctype)
{
	vg_mail_attachment *a;
	GByteArray *bytes;
	bool big = false;
	if (w->m->natts >= VG_MAIL_ATTACHMENTS_MAX) {
		w->atts_dropped++;
		return;
	}
	if (w->m->natts == w->atts_cap) {
		size_t nc = w->atts_cap ? w->atts_cap * 2 : 8;
		vg_mail_attachment *na = realloc(w->m->atts, nc * sizeof *na);
		if (!na) {
			w->nomem = true;
			return;
		}
		w->m->atts = na;
		w->atts_cap = nc;
	}
	bytes = vg_mail_part_bytes(part, w->att_max, &big);
	a = &w->m->atts[w->m->natts];
	memset(a, 0, sizeof *a);
	a->filename = clean_filename(g_mime_part_get_filename(part));
	a->content_type = strdup(ctype);
	a->too_large = big;
	if (!big && bytes->len) {
		a->data = malloc(bytes->len);
		if (a->data)
			memcpy(a->data, bytes->data, bytes->len);
		a->size = bytes->len;
	}
	if (!a->filename || !a->content_type || (!big && bytes->len && !a->data)) {
		free(a->filename);
		free(a->content_type);
		free(a->data);
		w->nomem = true;
	} else
		w->m->natts++;
	g_byte_array_unref(bytes);
}

static void text_part(vg_mail_walk *w, GMimePart *part, bool html)
{
	bool big = false;
	GByteArray *bytes = vg_mail_part_bytes(part, VG_REPORT_BODY_MAX * 4, &big);
	const char *cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	char *u;
	if (big) {
		vg_mail_note_error(w, "text part larger than %d bytes skipped", VG_REPORT_BODY_MAX * 4);
		g_byte_array_unref(bytes);
		return;
	}
	u = vg_mail_to_utf8((const char *)bytes->data, bytes->len, cs, w);
	if (u) {
		if (html) {
			char *t = vg_html_to_text(u, strlen(u), VG_REPORT_BODY_MAX);
			body_add(w, t);
			free(t);
		} else
			body_add(w, u);
	}
	g_free(u);
	g_byte_array_unref(bytes);
}

static void forwarded_header(vg_mail_walk *w, GMimeMessage *msg)
{
	vg_buf b;
	const char *v;
	InternetAddressList *from = g_mime_message_get_from(msg);
	char *fs = from ? internet_address_list_to_string(from, NULL, FALSE) : NULL;
	vg_buf_init(&b, 8192);
	vg_buf_puts(&b, "---------- Forwarded message ----------");
	if (fs && *fs)
		vg_buf_printf(&b, "\nFrom: %.500s", fs);
	if ((v = g_mime_object_get_header(GMIME_OBJECT(msg), "Date")))
		vg_buf_printf(&b, "\nDate: %.200s", v);
	if ((v = g_mime_message_get_subject(msg)))
		vg_buf_printf(&b, "\nSubject: %.998s", v);
	body_add(w, vg_buf_cstr(&b));
	vg_buf_fini(&b);
	g_free(fs);
}

void vg_mail_walk_object(vg_mail_walk *w, GMimeObject *obj, int depth)
{
	GMimeContentType *ct;
	if (!obj || w->nomem)
		return;
	if (depth > VG_MAIL_MIME_DEPTH_MAX) {
		if (!w->depth_noted++)
			vg_mail_note_error(w, "MIME nesting deeper than %d", VG_MAIL_MIME_DEPTH_MAX);
		return;
	}
	if (++w->m->parts > VG_MAIL_PARTS_MAX) {
		if (w->m->parts == VG_MAIL_PARTS_MAX + 1)
			vg_mail_note_error(w, "more than %d MIME parts", VG_MAIL_PARTS_MAX);
		return;
	}
	ct = g_mime_object_get_content_type(obj);
	if (GMIME_IS_MULTIPART_ENCRYPTED(obj)) {
		vg_mail_decrypt(w, GMIME_MULTIPART_ENCRYPTED(obj), depth);
		return;
	}
	if (GMIME_IS_MULTIPART_SIGNED(obj)) {
		vg_mail_verify(w, GMIME_MULTIPART_SIGNED(obj));
		vg_mail_walk_object(w, g_mime_multipart_get_part(GMIME_MULTIPART(obj), 0), depth + 1);
		return;
	}
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int n = g_mime_multipart_get_count(mp);
		if (ct && g_mime_content_type_is_type(ct, "multipart", "alternative")) {
			/* one rendering: the plain text if any, else the richest (last) */
			GMimeObject *pick = NULL;
			for (int i = 0; i < n && !pick; i++) {
				GMimeObject *c = g_mime_multipart_get_part(mp, i);
				GMimeContentType *cct = g_mime_object_get_content_type(c);
				if (GMIME_IS_PART(c) && cct && g_mime_content_type_is_type(cct, "text", "plain"))
					pick = c;
			}
			if (!pick && n > 0)
				pick = g_mime_multipart_get_part(mp, n - 1);
			vg_mail_walk_object(w, pick, depth + 1);
			return;
		}
		for (int i = 0; i < n; i++)
			vg_mail_walk_object(w, g_mime_multipart_get_part(mp, i), depth + 1);
		return;
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
		if (inner) {
			forwarded_header(w, inner);
			vg_mail_walk_object(w, g_mime_message_get_mime_part(inner), depth + 1);
		}
		return;
	}
	if (GMIME_IS_PART(obj)) {
		GMimePart *part = GMIME_PART(obj);
		const char *disp = g_mime_object_get_disposition(obj);
		bool attachment = disp && !g_ascii_strcasecmp(disp, "attachment");
		char *ctype = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("application/octet-stream");
		bool is_plain = ct && g_mime_content_type_is_type(ct, "text", "plain");
		bool is_html = ct && g_mime_content_type_is_type(ct, "text", "html");
		if (!attachment && (is_plain || is_html))
			text_part(w, part, is_html);
		else
			add_attachment(w, part, ctype ? ctype : "application/octet-stream");
		g_free(ctype);
	}
}

/* "<a@b>" list → "a@b c@d" */
static char *ids_text(GMimeParserOptions *po, const char *hdr)
{
	GMimeReferences *refs;
	vg_buf b;
	if (!hdr)
		return strdup("");
	refs = g_mime_references_parse(po, hdr);
	vg_buf_init(&b, VG_MAIL_HEADER_LEN_MAX);
	for (int i = 0; refs && i < g_mime_references_length(refs) && i < 200; i++) {
		const char *id = g_mime_references_get_message_id(refs, i);
		if (id && strlen(id) < 250 && !strpbrk(id, " \t\r\n"))
			vg_buf_printf(&b, "%s%s", b.len ? " " : "", id);
	}
	if (refs)
		g_mime_references_free(refs);
	if (!b.data)
		return strdup("");
	return vg_buf_steal(&b);
}

static bool is_auto(GMimeMessage *msg, const char *from)
{
	const char *v = g_mime_object_get_header(GMIME_OBJECT(msg), "Auto-Submitted");
	if (v && g_ascii_strncasecmp(v, "no", 2) != 0)
		return true;
	v = g_mime_object_get_header(GMIME_OBJECT(msg), "Precedence");
	if (v && (strcasestr(v, "bulk") || strcasestr(v, "junk") || strcasestr(v, "list")))
		return true;
	if (g_mime_object_get_header(GMIME_OBJECT(msg), "List-Id"))
		return true;
	if (!from || !*from || strncasecmp(from, "mailer-daemon@", 14) == 0 || strncasecmp(from, "postmaster@", 11) == 0)
		return true;
	return false;
}

static void headers(vg_mail_walk *w, GMimeMessage *msg, GMimeParserOptions *po)
{
	vg_mail_parsed *m = w->m;
	const char *v;
	InternetAddressList *from = g_mime_message_get_from(msg);
	char *irt;
	v = g_mime_message_get_message_id(msg);
	m->message_id = dup0(v && strlen(v) < 250 && !strpbrk(v, " \t\r\n") ? v : "");
	irt = ids_text(po, g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To"));
	if (irt && strchr(irt, ' '))
		*strchr(irt, ' ') = '\0';
	m->in_reply_to = irt;
	m->references = ids_text(po, g_mime_object_get_header(GMIME_OBJECT(msg), "References"));
	v = g_mime_message_get_subject(msg);
	{
		size_t n = v ? strnlen(v, VG_REPORT_SUBJECT_MAX) : 0;
		while (n && v[n] && ((unsigned char)v[n] & 0xc0) == 0x80) /* cut on a UTF-8 boundary */
			n--;
		m->subject = vg_mail_to_utf8(v ? v : "", n, "utf-8", NULL);
	}
	if (m->subject) { /* g_malloc'd: move to malloc */
		char *s = strdup(m->subject);
		g_free(m->subject);
		m->subject = s;
	}
	v = g_mime_object_get_header(GMIME_OBJECT(msg), "Date");
	m->date = dup0(v ? v : "");
	if (from && internet_address_list_length(from) > 0) {
		InternetAddress *ia = internet_address_list_get_address(from, 0);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
			const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
			const char *name = internet_address_get_name(ia);
			if (addr && strlen(addr) <= VG_EMAIL_MAX && strchr(addr, '@')) {
				m->from_addr = g_ascii_strdown(addr, -1);
				char *s = strdup(m->from_addr);
				g_free(m->from_addr);
				m->from_addr = s;
			}
			m->from_name = dup0(name && strlen(name) < 256 ? name : "");
		}
	}
	if (!m->from_addr)
		m->from_addr = strdup("");
	if (!m->from_name)
		m->from_name = strdup("");
	m->auto_submitted = is_auto(msg, m->from_addr);
}

/* Every text field leaves the parser as valid UTF-8 without control
 * characters other than TAB and LF (header values may carry anything). */
static void sanitize(char **s, bool multiline)
{
	char *fixed;
	if (!*s)
		return;
	if (!g_utf8_validate(*s, -1, NULL)) {
		char *dup;
		fixed = g_utf8_make_valid(*s, -1);
		dup = fixed ? strdup(fixed) : NULL;
		if (dup) { /* out of memory: keep the original */
			free(*s);
			*s = dup;
		}
		g_free(fixed);
	}
	for (unsigned char *p = (unsigned char *)*s; *p; p++)
		if ((*p < 0x20 && !(multiline && (*p == '\n' || *p == '\t'))) || *p == 0x7f)
			*p = ' ';
}

static vg_err finish(vg_mail_walk *w, vg_mail_parsed **out)
{
	vg_mail_parsed *m = w->m;
	if (w->body_truncated)
		vg_mail_note_error(w, "body text truncated at %d bytes", VG_REPORT_BODY_MAX);
	if (w->atts_dropped)
		vg_mail_note_error(w, "%zu attachments beyond %d not stored", w->atts_dropped, VG_MAIL_ATTACHMENTS_MAX);
	if (!m->message_id) m->message_id = strdup("");
	if (!m->in_reply_to) m->in_reply_to = strdup("");
	if (!m->references) m->references = strdup("");
	if (!m->subject) m->subject = strdup("");
	if (!m->from_name) m->from_name = strdup("");
	if (!m->from_addr) m->from_addr = strdup("");
	if (!m->date) m->date = strdup("");
	if (!m->sig_fingerprint) m->sig_fingerprint = strdup("");
	m->body = w->body.data ? vg_buf_steal(&w->body) : strdup("");
	if (w->errors.len)
		m->error = vg_buf_steal(&w->errors);
	sanitize(&m->body, true);
	sanitize(&m->subject, false);
	sanitize(&m->from_name, false);
	sanitize(&m->date, false);
	sanitize(&m->error, false);
	for (size_t i = 0; i < m->natts; i++)
		sanitize(&m->atts[i].filename, false);
	vg_buf_fini(&w->body);
	vg_buf_fini(&w->errors);
	if (w->nomem || !m->message_id || !m->in_reply_to || !m->references || !m->subject || !m->from_name ||
	    !m->from_addr || !m->date || !m->sig_fingerprint || !m->body) {
		vg_mail_parsed_free(m);
		return VG_ERR_NOMEM;
	}
	*out = m;
	return VG_OK;
}

vg_err vg_mail_parse(const char *raw, size_t len, const vg_mail_parse_opts *o, vg_mail_parsed **out, vg_diag *d)
{
	vg_mail_walk w;
	GMimeStream *stream = NULL;
	GMimeParser *parser = NULL;
	GMimeParserOptions *po = NULL;
	GMimeMessage *msg = NULL;
	char why[160];
	size_t mail_max = o && o->mail_max ? o->mail_max : VG_MAIL_SIZE_MAX;
	vg_err e;

	*out = NULL;
	pthread_once(&gmime_once, gmime_init_once);
	memset(&w, 0, sizeof w);
	w.m = calloc(1, sizeof *w.m);
	if (!w.m)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	vg_buf_init(&w.body, VG_REPORT_BODY_MAX + 16);
	vg_buf_init(&w.errors, 2048);
	w.gpg_home = o && o->gpg_home && *o->gpg_home ? o->gpg_home : NULL;
	w.att_max = o && o->attachment_max ? o->attachment_max : VG_MAIL_ATTACHMENT_DEFAULT;
	if (len > mail_max) {
		vg_mail_note_error(&w, "message of %zu bytes is larger than %zu: kept raw, not parsed", len, mail_max);
		goto done;
	}
	if (len == 0) {
		vg_mail_note_error(&w, "empty message");
		goto done;
	}
	if (vg_mail_prescan(raw, len, why, sizeof why)) {
		vg_mail_note_error(&w, "%s: kept raw, not parsed", why);
		goto done;
	}
	po = vg_mail_parser_options(&w);
	stream = g_mime_stream_mem_new_with_buffer(raw, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	msg = g_mime_parser_construct_message(parser, po);
	if (!msg) {
		vg_mail_note_error(&w, "not an RFC 5322 message");
		goto done;
	}
	headers(&w, msg, po);
	vg_mail_walk_object(&w, g_mime_message_get_mime_part(msg), 0);
done:
	if (msg)
		g_object_unref(msg);
	if (parser)
		g_object_unref(parser);
	if (stream)
		g_object_unref(stream);
	if (po)
		g_mime_parser_options_free(po);
	e = finish(&w, out);
	if (e)
		return vg_diag_set(d, e, NULL, "out of memory");
	return VG_OK;
}
