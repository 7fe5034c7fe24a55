/* RFC 5322 message builder: headers (RFC 2047 encoded words for non-ASCII
 * values), Message-ID under our domain, threading headers, and a UTF-8
 * text/plain body in quoted-printable. Nothing from the caller reaches the
 * header block unchecked: CR/LF and other control characters are removed. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/clock.h"
#include "core/log.h"
#include "notify/internal.h"

int vg_smtp_tls_parse(const char *s)
{
	if (!s || !*s || !strcmp(s, "none"))
		return VG_SMTP_TLS_NONE;
	if (!strcmp(s, "starttls"))
		return VG_SMTP_TLS_STARTTLS;
	if (!strcmp(s, "tls"))
		return VG_SMTP_TLS_IMPLICIT;
	return -1;
}

vg_err vg_notify_config_from(const vg_config *cfg, vg_notify_config *out, vg_diag *d)
{
	const char *at;
	int tls = vg_smtp_tls_parse(cfg->smtp_tls);
	memset(out, 0, sizeof *out);
	if (tls < 0)
		return vg_diag_set(d, VG_ERR_INVALID, "smtp_tls", "must be none, starttls or tls");
	snprintf(out->smtp_url, sizeof out->smtp_url, "%s", cfg->smtp_url);
	snprintf(out->smtp_from, sizeof out->smtp_from, "%s", cfg->smtp_from);
	snprintf(out->smtp_from_name, sizeof out->smtp_from_name, "%s", cfg->smtp_from_name);
	snprintf(out->smtp_user, sizeof out->smtp_user, "%s", cfg->smtp_user);
	snprintf(out->smtp_password, sizeof out->smtp_password, "%s", cfg->smtp_password);
	out->tls = (vg_smtp_tls)tls;
	at = strrchr(cfg->smtp_from, '@');
	snprintf(out->domain, sizeof out->domain, "%s", at && at[1] ? at + 1 : "localhost");
	out->timeout_ms = 20000;
	out->sign = cfg->mail_sign != 0;
	snprintf(out->sign_key, sizeof out->sign_key, "%s", cfg->mail_sign_key);
	snprintf(out->gpg_home, sizeof out->gpg_home, "%s", cfg->gpg_home);
	return VG_OK;
}

void vg_mail_message_id(const char *domain, char *out, size_t outsz)
{
	uint8_t rnd[10];
	char hex[21];
	randombytes_buf(rnd, sizeof rnd);
	sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
	snprintf(out, outsz, "<%" PRId64 ".%s@%s>", vg_time_now_ms(), hex, domain && *domain ? domain : "localhost");
}

static bool needs_encoding(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 0x80 || c < 0x20 || c == 0x7f)
			return true;
		if (s[0] == '=' && s[1] == '?')
			return true;
	}
	return false;
}

/* Length of the UTF-8 sequence starting at s (1 for invalid bytes). */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	size_t n = 1;
	if (s[0] >= 0xf0)
		n = 4;
	else if (s[0] >= 0xe0)
		n = 3;
	else if (s[0] >= 0xc0)
		n = 2;
	return n <= left ? n : 1;
}

vg_err vg_mail_encode_header(const char *value, vg_buf *out)
{
	char clean[VG_REPORT_SUBJECT_MAX * 4 + 1];
	size_t n = 0;
	vg_err e = VG_OK;
	/* drop control characters (header injection) and bound the length */
	for (const unsigned char *p = (const unsigned char *)(value ? value : ""); *p && n < sizeof clean - 1; p++)
		if (*p >= 0x20 && *p != 0x7f)
			clean[n++] = (char)*p;
		else if (*p == '\t' || *p == '\n' || *p == '\r')
			clean[n++] = ' ';
	clean[n] = '\0';
	if (!needs_encoding(clean))
		return vg_buf_puts(out, clean);
	/* encoded words of at most 45 input bytes (60 base64 chars + 12 wrapper < 75),
	 * never splitting a UTF-8 sequence, separated by folding whitespace */
	for (size_t i = 0; i < n && !e;) {
		size_t chunk = 0;
		char b64[64];
		while (i + chunk < n) {
			size_t l = utf8_len((const unsigned char *)clean + i + chunk, n - i - chunk);
			if (chunk + l > 45)
				break;
			chunk += l;
		}
		sodium_bin2base64(b64, sizeof b64, (const unsigned char *)clean + i, chunk,
				  sodium_base64_VARIANT_ORIGINAL);
		e = vg_buf_printf(out, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", b64);
		i += chunk;
	}
	return e;
}

static bool addr_ok(const char *a)
{
	const char *at;
	if (!a || !*a || strlen(a) > VG_EMAIL_MAX)
		return false;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == '<' || *p == '>' || *p == ',' || *p == '"' || *p == 0x7f)
			return false;
	at = strchr(a, '@');
	return at && at != a && at[1] && !strchr(at + 1, '@');
}

/* A message-id list: "<...>" tokens only, printable ASCII. */
static bool ids_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static vg_err put_addr_header(vg_buf *b, const char *name, const char *display, const char *addr)
{
	vg_err e = vg_buf_printf(b, "%s: ", name);
	if (!e && display && *display) {
		bool plain = !needs_encoding(display);
		for (const char *p = display; plain && *p; p++)
			if (strchr("()<>[]:;@\\,.\"", *p))
				plain = false;
		if (plain)
			e = vg_buf_puts(b, display);
		else if (!needs_encoding(display)) {
			e = vg_buf_putc(b, '"');
			for (const char *p = display; !e && *p; p++)
				e = (*p == '"' || *p == '\\') ? vg_buf_printf(b, "\\%c", *p) : vg_buf_putc(b, *p);
			if (!e)
				e = vg_buf_putc(b, '"');
		} else
			e = vg_mail_encode_header(display, b);
		if (!e)
			e = vg_buf_putc(b, ' ');
	}
	if (!e)
		e = vg_buf_printf(b, "<%s>\r\n", addr);
	return e;
}

/* Quoted-printable (RFC 2045 6.7) of UTF-8 text, line breaks as CRLF. */
static vg_err put_qp(vg_buf *b, const char *text)
{
	size_t col = 0;
	vg_err e = VG_OK;
	for (const unsigned char *p = (const unsigned char *)text; *p && !e; p++) {
		char enc[4];
		size_t w;
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			e = vg_buf_puts(b, "\r\n");
			col = 0;
			continue;
		}
		bool lit = (*p >= 33 && *p <= 126 && *p != '=') ||
			   ((*p == ' ' || *p == '\t') && p[1] != '\n' && p[1] != '\r' && p[1] != '\0');
		/* a line starting with '.' or "From " is fine in QP but encode '.' at column 0 anyway */
		if (col == 0 && *p == '.')
			lit = false;
		if (lit) {
			enc[0] = (char)*p;
			enc[1] = '\0';
		} else
			snprintf(enc, sizeof enc, "=%02X", *p);
		w = strlen(enc);
		if (col + w > 75) {
			e = vg_buf_puts(b, "=\r\n");
			col = 0;
		}
		if (!e)
			e = vg_buf_puts(b, enc);
		col += w;
	}
	if (!e && col)
		e = vg_buf_puts(b, "\r\n");
	return e;
}

/* multipart/signed: the text part, signed over its canonical form (the CRLF
 * before the closing delimiter is not part of it, RFC 3156 5). Signing
 * failure: the plain text part alone, and a warning. */
static vg_err put_signed_body(const vg_notify_config *c, vg_buf *out, const char *body)
{
	vg_buf part, sig;
	char micalg[32], bnd[40];
	uint8_t rnd[8];
	vg_diag sd;
	vg_err e;
	vg_buf_init(&part, VG_MAIL_OUT_MAX * 2);
	vg_buf_init(&sig, 64 * 1024);
	e = vg_buf_puts(&part, "Content-Type: text/plain; charset=UTF-8\r\n"
			       "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	if (!e)
		e = put_qp(&part, body);
	if (e)
		goto out;
	vg_diag_clear(&sd);
	if (vg_mail_sign_part(c, part.data, part.len - 2, &sig, micalg, sizeof micalg, &sd) != VG_OK) {
		vg_log(VG_LOG_WARN, "mail not signed: %s", sd.message);
		e = vg_buf_append(out, part.data, part.len); /* headers of the text part, then its body */
		goto out;
	}
	randombytes_buf(rnd, sizeof rnd);
	snprintf(bnd, sizeof bnd, "vg-sig-");
	sodium_bin2hex(bnd + 7, sizeof bnd - 7, rnd, sizeof rnd);
	e = vg_buf_printf(out,
			  "Content-Type: multipart/signed; micalg=%s; protocol=\"application/pgp-signature\";"
			  " boundary=\"%s\"\r\n\r\nThis is an OpenPGP/MIME signed message (RFC 3156).\r\n--%s\r\n",
			  micalg, bnd, bnd);
	if (!e)
		e = vg_buf_append(out, part.data, part.len);
	if (!e)
		e = vg_buf_printf(out,
				  "--%s\r\nContent-Type: application/pgp-signature; name=\"signature.asc\"\r\n"
				  "Content-Description: OpenPGP digital signature\r\n\r\n",
				  bnd);
	if (!e)
		e = vg_buf_append(out, sig.data, sig.len);
	if (!e)
		e = vg_buf_printf(out, "\r\n--%s--\r\n", bnd);
out:
	vg_buf_fini(&part);
	vg_buf_fini(&sig);
	return e;
}

vg_err vg_mail_build(const vg_notify_config *c, const vg_mail_out *m, int64_t date_ms, vg_buf *out,
		     char *message_id, size_t message_id_sz, vg_diag *d)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	const char *from = m->from ? m->from : c->smtp_from;
	const char *from_name = m->from_name ? m->from_name : c->smtp_from_name;
	char mid[256];
	time_t t = (time_t)(date_ms / 1000);
	struct tm tm;
	vg_err e;

	if (!addr_ok(from))
		return vg_diag_set(d, VG_ERR_INVALID, "smtp_from", "not a valid address: \"%s\"", from);
	if (!addr_ok(m->to))
		return vg_diag_set(d, VG_ERR_INVALID, "to", "not a valid address");
	if (m->cc && *m->cc && !addr_ok(m->cc))
		return vg_diag_set(d, VG_ERR_INVALID, "cc", "not a valid address");
	if ((m->in_reply_to && !ids_ok(m->in_reply_to)) || (m->references && !ids_ok(m->references)) ||
	    (m->message_id && !ids_ok(m->message_id)))
		return vg_diag_set(d, VG_ERR_INVALID, "message_id", "message ids must be printable ASCII");
	if (m->body && strlen(m->body) > VG_MAIL_OUT_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, "body", "body larger than %d bytes", VG_MAIL_OUT_MAX);
	if (m->message_id && *m->message_id)
		snprintf(mid, sizeof mid, "%s", m->message_id);
	else
		vg_mail_message_id(c->domain, mid, sizeof mid);
	gmtime_r(&t, &tm);
	e = vg_buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday,
			  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (!e)
		e = put_addr_header(out, "From", from_name, from);
	if (!e)
		e = put_addr_header(out, "To", m->to_name, m->to);
	if (!e && m->cc && *m->cc)
		e = put_addr_header(out, "Cc", NULL, m->cc);
	if (!e)
		e = vg_buf_puts(out, "Subject: ");
	if (!e)
		e = vg_mail_encode_header(m->subject ? m->subject : "", out);
	if (!e)
		e = vg_buf_printf(out, "\r\nMessage-ID: %s\r\n", mid);
	if (!e && m->in_reply_to && *m->in_reply_to)
		e = vg_buf_printf(out, "In-Reply-To: %s\r\n", m->in_reply_to);
	if (!e && m->references && *m->references)
		e = vg_buf_printf(out, "References: %s\r\n", m->references);
	if (!e && m->auto_submitted)
		e = vg_buf_puts(out, "Auto-Submitted: auto-replied\r\n");
	if (!e && m->extra_headers && *m->extra_headers)
		e = vg_buf_puts(out, m->extra_headers);
	if (!e)
		e = vg_buf_puts(out, "MIME-Version: 1.0\r\n");
	if (!e && c->sign)
		e = put_signed_body(c, out, m->body ? m->body : "");
	else if (!e)
		e = vg_buf_puts(out, "Content-Type: text/plain; charset=UTF-8\r\n"
				     "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
	if (!e && !c->sign)
		e = put_qp(out, m->body ? m->body : "");
	if (e)
		return vg_diag_set(d, e, "body", "message too large");
	if (message_id && message_id_sz)
		snprintf(message_id, message_id_sz, "%s", mid);
	return VG_OK;
}
