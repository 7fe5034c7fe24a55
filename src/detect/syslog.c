/* Syslog messages to events (see input.h): RFC 5424 and RFC 3164/BSD
 * messages, RFC 6587 framing, and the JSON object the engine reads.
 *
 * RFC 5424: <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP
 * MSGID SP STRUCTURED-DATA [SP MSG]; "-" is the NILVALUE (field absent).
 * RFC 3164: [<PRI>]TIMESTAMP SP HOSTNAME SP [TAG[PID]: ]CONTENT, where a
 * missing or unparsable timestamp leaves the whole text as the content (RFC
 * 3164 4.3.3), and a host token that looks like a tag ("prog[12]:") means the
 * sender left the host out. Nothing is copied: the result points into the
 * input. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "detect/input.h"

/* Field lengths RFC 5424 6 sets (part of the format, not tunable limits). */
#define HOSTNAME_MAX 255 /* RFC 5424 6.2.4 */
#define APPNAME_MAX 48
#define PROCID_MAX 128
#define MSGID_MAX 32
#define SDNAME_MAX 32
#define TAG_MAX 48 /* RFC 3164 says 32; real programs exceed it */

static const char *const facilities[24] = {
	"kern",	  "user",   "mail",	"daemon", "auth",     "syslog",	 "lpr",	   "news",
	"uucp",	  "cron",   "authpriv", "ftp",	  "ntp",      "security", "console", "solaris-cron",
	"local0", "local1", "local2",	"local3", "local4",   "local5",	 "local6", "local7"};
static const char *const severities[8] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};
static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

const char *vg_syslog_facility_name(int f)
{
	return f >= 0 && f < 24 ? facilities[f] : NULL;
}

const char *vg_syslog_severity_name(int s)
{
	return s >= 0 && s < 8 ? severities[s] : NULL;
}

typedef struct cur {
	const char *s;
	size_t len, i;
	size_t *err_off;
	vg_diag *d;
} cur;

static vg_err fail(cur *c, vg_err code, const char *field, const char *what)
{
	if (c->err_off)
		*c->err_off = c->i;
	return vg_diag_set(c->d, code, field, "%s at byte %zu", what, c->i);
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* n digits at p as a number, -1 if they are not all digits */
static int num(const char *p, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int mdays(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : dm[m - 1];
}

static int year_of(int64_t t)
{
	int64_t y;
	unsigned m, d;
	vg_civil_from_days(t / 86400 - (t % 86400 < 0), &y, &m, &d);
	return (int)y;
}

/* RFC 3339 as RFC 5424 restricts it: YYYY-MM-DDThh:mm:ss[.1-6 digits](Z|+hh:mm). */
static vg_err parse_rfc3339(cur *c, vg_syslog_msg *m)
{
	const char *p = c->s + c->i;
	size_t left = c->len - c->i, n = 19;
	int y, mo, dd, hh, mi, ss;
	if (left < 20 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != 't') || p[13] != ':' || p[16] != ':')
		return fail(c, VG_ERR_INVALID, "timestamp", "expected YYYY-MM-DDThh:mm:ss");
	y = num(p, 4), mo = num(p + 5, 2), dd = num(p + 8, 2), hh = num(p + 11, 2), mi = num(p + 14, 2),
	ss = num(p + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || dd < 1 || dd > mdays(y, mo) || hh < 0 || hh > 23 || mi < 0 || mi > 59 ||
	    ss < 0 || ss > 60)
		return fail(c, VG_ERR_INVALID, "timestamp", "date or time out of range");
	if (n < left && p[n] == '.') {
		size_t k = 0;
		while (n + 1 + k < left && is_digit(p[n + 1 + k]))
			k++;
		if (k < 1 || k > 6) {
			c->i += n;
			return fail(c, VG_ERR_INVALID, "timestamp", "1 to 6 digits of second fraction expected");
		}
		n += 1 + k;
	}
	if (n < left && (p[n] == 'Z' || p[n] == 'z')) {
		n++;
	} else if (n + 6 <= left && (p[n] == '+' || p[n] == '-') && p[n + 3] == ':') {
		int oh = num(p + n + 1, 2), om = num(p + n + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59) {
			c->i += n;
			return fail(c, VG_ERR_INVALID, "timestamp", "bad time offset");
		}
		n += 6;
	} else {
		c->i += n;
		return fail(c, VG_ERR_INVALID, "timestamp", "time offset (Z or +hh:mm) expected");
	}
	if (n < left && p[n] != ' ') {
		c->i += n;
		return fail(c, VG_ERR_INVALID, "timestamp", "space expected after the timestamp");
	}
	memcpy(m->timestamp, p, n);
	m->timestamp[n] = '\0';
	m->timestamp[10] = 'T';
	c->i += n;
	return VG_OK;
}

/* "Mmm dd hh:mm:ss" (day space- or zero-padded); the year is the one that
 * puts the date at most 31 days after now_s. false when it is not one. */
static bool parse_bsd_time(cur *c, int64_t now_s, vg_syslog_msg *m)
{
	const char *p = c->s + c->i;
	size_t left = c->len - c->i;
	int mo = -1, dd, hh, mi, ss, y;
	if (left < 15 || p[3] != ' ' || p[9] != ':' || p[12] != ':' || (left > 15 && p[15] != ' '))
		return false;
	for (int k = 0; k < 12; k++)
		if (!memcmp(p, months[k], 3))
			mo = k + 1;
	dd = p[4] == ' ' ? num(p + 5, 1) : num(p + 4, 2);
	hh = num(p + 7, 2), mi = num(p + 10, 2), ss = num(p + 13, 2);
	if (mo < 0 || dd < 1 || dd > 31 || hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60)
		return false;
	y = year_of(now_s);
	for (int k = 0; k < 8; k++, y--) { /* Feb 29 goes back to a leap year */
		if (dd > mdays(y, mo))
			continue;
		int64_t t = vg_days_from_civil(y, (unsigned)mo, (unsigned)dd) * 86400 + hh * 3600 + mi * 60 + ss;
		if (t > now_s + 31 * 86400)
			continue;
		snprintf(m->timestamp, sizeof m->timestamp, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, dd, hh, mi, ss);
		c->i += 15;
		return true;
	}
	return false;
}

/* The next token up to a space (or the end); checks its length and its
 * characters (PRINTUSASCII). "-" gives an absent value. */
static vg_err token(cur *c, const char *field, size_t max, bool nil_ok, vg_syslog_str *out)
{
	size_t start = c->i;
	while (c->i < c->len && c->s[c->i] != ' ') {
		unsigned char ch = (unsigned char)c->s[c->i];
		if (ch < 33 || ch > 126)
			return fail(c, VG_ERR_INVALID, field, "non-printable or non-ASCII character");
		if (c->i - start >= max)
			return fail(c, VG_ERR_LIMIT, field, "too long");
		c->i++;
	}
	if (c->i == start)
		return fail(c, VG_ERR_INVALID, field, "empty field");
	out->p = c->s + start;
	out->n = c->i - start;
	if (nil_ok && out->n == 1 && *out->p == '-')
		out->p = NULL, out->n = 0;
	return VG_OK;
}

static vg_err space(cur *c, const char *field)
{
	if (c->i >= c->len || c->s[c->i] != ' ')
		return fail(c, VG_ERR_INVALID, field, "space expected");
	c->i++;
	return VG_OK;
}

static vg_err sd_name(cur *c, const char *field, vg_syslog_str *out)
{
	size_t start = c->i;
	while (c->i < c->len) {
		unsigned char ch = (unsigned char)c->s[c->i];
		if (ch == '=' || ch == ' ' || ch == ']' || ch == '"')
			break;
		if (ch < 33 || ch > 126)
			return fail(c, VG_ERR_INVALID, field, "non-printable or non-ASCII character");
		if (c->i - start >= SDNAME_MAX)
			return fail(c, VG_ERR_LIMIT, field, "longer than 32 characters");
		c->i++;
	}
	if (c->i == start)
		return fail(c, VG_ERR_INVALID, field, "empty name");
	out->p = c->s + start;
	out->n = c->i - start;
	return VG_OK;
}

/* STRUCTURED-DATA: "-" or one or more [SD-ID *(SP PARAM="VALUE")]. */
static vg_err parse_sd(cur *c, vg_syslog_msg *m)
{
	vg_err e;
	if (c->i < c->len && c->s[c->i] == '-') {
		c->i++;
		return VG_OK;
	}
	if (c->i >= c->len || c->s[c->i] != '[')
		return fail(c, VG_ERR_INVALID, "structured_data", "'-' or '[' expected");
	while (c->i < c->len && c->s[c->i] == '[') {
		if (m->nsd == VG_SYSLOG_SD_MAX)
			return fail(c, VG_ERR_LIMIT, "structured_data", "too many SD elements");
		c->i++;
		if ((e = sd_name(c, "structured_data.id", &m->sd_id[m->nsd])))
			return e;
		while (c->i < c->len && c->s[c->i] == ' ') {
			vg_syslog_param *pa;
			c->i++;
			if (m->nparams == VG_SYSLOG_SD_PARAMS_MAX)
				return fail(c, VG_ERR_LIMIT, "structured_data.param", "too many SD parameters");
			pa = &m->params[m->nparams];
			pa->sd = (uint16_t)m->nsd;
			if ((e = sd_name(c, "structured_data.param", &pa->name)))
				return e;
			if (c->i + 1 >= c->len || c->s[c->i] != '=' || c->s[c->i + 1] != '"')
				return fail(c, VG_ERR_INVALID, "structured_data.param", "=\" expected");
			c->i += 2;
			size_t start = c->i;
			while (c->i < c->len && c->s[c->i] != '"') {
				if (c->s[c->i] == '\\' && c->i + 1 < c->len)
					c->i++;
				c->i++;
			}
			if (c->i >= c->len)
				return fail(c, VG_ERR_INVALID, "structured_data.value", "unterminated value");
			pa->value.p = c->s + start;
			pa->value.n = c->i - start;
			c->i++;
			m->nparams++;
		}
		if (c->i >= c->len || c->s[c->i] != ']')
			return fail(c, VG_ERR_INVALID, "structured_data", "']' expected");
		c->i++;
		m->nsd++;
	}
	return VG_OK;
}

static vg_err parse_5424(cur *c, vg_syslog_msg *m)
{
	vg_err e;
	m->format = VG_SYSLOG_RFC5424;
	if (c->i < c->len && c->s[c->i] == '-')
		c->i++;
	else if ((e = parse_rfc3339(c, m)))
		return e;
	if ((e = space(c, "timestamp")) || (e = token(c, "hostname", HOSTNAME_MAX, true, &m->hostname)) ||
	    (e = space(c, "hostname")) || (e = token(c, "appname", APPNAME_MAX, true, &m->appname)) ||
	    (e = space(c, "appname")) || (e = token(c, "procid", PROCID_MAX, true, &m->procid)) ||
	    (e = space(c, "procid")) || (e = token(c, "msgid", MSGID_MAX, true, &m->msgid)) ||
	    (e = space(c, "msgid")) || (e = parse_sd(c, m)))
		return e;
	if (c->i == c->len)
		return VG_OK;
	if ((e = space(c, "structured_data")))
		return e;
	if (c->len - c->i >= 3 && !memcmp(c->s + c->i, "\xEF\xBB\xBF", 3)) {
		m->bom = true;
		c->i += 3;
	}
	m->message.p = c->s + c->i;
	m->message.n = c->len - c->i;
	return VG_OK;
}

/* "prog[pid]: " or "prog: " at the cursor: appname (and procid); false when
 * the text does not start with a tag. */
static bool parse_tag(cur *c, vg_syslog_msg *m)
{
	const char *p = c->s + c->i;
	size_t left = c->len - c->i, k = 0;
	while (k < left && k < TAG_MAX && p[k] != '[' && p[k] != ':' && p[k] != ' ' && (unsigned char)p[k] > 32 &&
	       (unsigned char)p[k] < 127)
		k++;
	if (k == 0 || k >= left)
		return false;
	size_t tag = k, pid = 0, pidn = 0;
	if (p[k] == '[') {
		pid = ++k;
		while (k < left && k - pid < PROCID_MAX && p[k] != ']' && p[k] != ' ')
			k++;
		if (k >= left || p[k] != ']' || k == pid)
			return false;
		pidn = k - pid;
		k++;
	}
	if (k >= left || p[k] != ':' || (k + 1 < left && p[k + 1] != ' '))
		return false;
	k++;
	m->appname.p = p;
	m->appname.n = tag;
	if (pidn) {
		m->procid.p = p + pid;
		m->procid.n = pidn;
	}
	if (k < left)
		k++;
	c->i += k;
	return true;
}

static vg_err parse_3164(cur *c, int64_t now_s, vg_syslog_msg *m)
{
	size_t save = c->i;
	bool have_time = false;
	vg_diag dd;
	m->format = VG_SYSLOG_RFC3164;
	if (parse_bsd_time(c, now_s, m)) {
		have_time = true;
	} else if (c->len - c->i >= 20 && is_digit(c->s[c->i]) && c->s[c->i + 4] == '-') {
		/* rsyslog's high-precision layout: an RFC 3339 date in place of Mmm dd */
		cur t = *c;
		t.d = &dd;
		t.err_off = NULL;
		if (parse_rfc3339(&t, m) == VG_OK) {
			c->i = t.i;
			have_time = true;
		} else {
			m->timestamp[0] = '\0';
		}
	}
	if (have_time) {
		while (c->i < c->len && c->s[c->i] == ' ')
			c->i++;
		/* the host, unless the sender left it out and the tag follows */
		size_t start = c->i;
		cur t = *c;
		vg_syslog_msg probe = {0};
		if (!parse_tag(&t, &probe)) {
			while (c->i < c->len && c->s[c->i] != ' ' && (unsigned char)c->s[c->i] > 32 &&
			       (unsigned char)c->s[c->i] < 127 && c->i - start < HOSTNAME_MAX)
				c->i++;
			if (c->i > start && (c->i == c->len || c->s[c->i] == ' ')) {
				m->hostname.p = c->s + start;
				m->hostname.n = c->i - start;
				if (c->i < c->len)
					c->i++;
			} else {
				c->i = start;
			}
		}
	} else {
		c->i = save;
	}
	parse_tag(c, m);
	m->message.p = c->s + c->i;
	m->message.n = c->len - c->i;
	return VG_OK;
}

vg_err vg_syslog_parse(const char *s, size_t len, int64_t now_s, vg_syslog_msg *m, size_t *err_off, vg_diag *d)
{
	cur c = {s, len, 0, err_off, d};
	memset(m, 0, offsetof(vg_syslog_msg, sd_id));
	m->pri = m->facility = m->severity = -1;
	if (err_off)
		*err_off = 0;
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == '\0'))
		len--;
	c.len = len;
	if (len > VG_SYSLOG_MSG_MAX) {
		c.i = VG_SYSLOG_MSG_MAX;
		return fail(&c, VG_ERR_LIMIT, "message", "message longer than the limit");
	}
	if (len == 0)
		return fail(&c, VG_ERR_INVALID, "message", "empty message");
	if (s[0] == '<') {
		size_t k = 1;
		int pri = 0;
		while (k < len && is_digit(s[k]) && k <= 3)
			pri = pri * 10 + (s[k++] - '0');
		c.i = k;
		if (k == 1 || k > 4 || k >= len || s[k] != '>')
			return fail(&c, VG_ERR_INVALID, "pri", "<PRI> of 1 to 3 digits expected");
		if (pri > 191 || (k > 2 && s[1] == '0')) {
			c.i = 1;
			return fail(&c, VG_ERR_INVALID, "pri", "PRI out of range (0 to 191, no leading zero)");
		}
		m->pri = pri;
		m->facility = pri / 8;
		m->severity = pri % 8;
		c.i = k + 1;
		/* VERSION: 1 to 3 digits (no leading zero) then a space */
		if (c.i + 1 < len && s[c.i] >= '1' && s[c.i] <= '9') {
			size_t v = c.i;
			while (v < len && is_digit(s[v]) && v - c.i < 3)
				v++;
			if (v < len && s[v] == ' ') {
				c.i = v + 1;
				return parse_5424(&c, m);
			}
		}
	}
	return parse_3164(&c, now_s, m);
}

void vg_syslog_unescape(vg_syslog_str v, vg_buf *out)
{
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] == '\\' && i + 1 < v.n && (v.p[i + 1] == '"' || v.p[i + 1] == '\\' || v.p[i + 1] == ']'))
			i++;
		vg_buf_putc(out, v.p[i]);
	}
}

/* Length of a valid UTF-8 sequence at p (1 to 4), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t k;
	uint32_t cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2, cp = c & 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, cp = c & 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, cp = c & 0x07;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if ((k == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return k;
}

static vg_err json_str(vg_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	vg_err e = vg_buf_putc(b, '"');
	for (size_t i = 0; !e && i < n;) {
		unsigned char ch = p[i];
		size_t k = utf8_len(p + i, n - i);
		if (ch == '"' || ch == '\\') {
			char esc[2] = {'\\', (char)ch};
			e = vg_buf_append(b, esc, 2);
			i++;
		} else if (ch == 0) { /* most JSON readers refuse \u0000: U+FFFD */
			e = vg_buf_append(b, "\xEF\xBF\xBD", 3);
			i++;
		} else if (ch < 0x20 || ch == 0x7f) {
			char esc[6] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15]};
			e = vg_buf_append(b, esc, 6);
			i++;
		} else if (k == 0) { /* a stray byte: as the Latin-1 character */
			char u[2] = {(char)(0xC0 | ch >> 6), (char)(0x80 | (ch & 0x3F))};
			e = vg_buf_append(b, u, 2);
			i++;
		} else {
			e = vg_buf_append(b, s + i, k);
			i += k;
		}
	}
	return e ? e : vg_buf_putc(b, '"');
}

static void json_field(vg_buf *b, bool *first, const char *name, vg_syslog_str v)
{
	if (!v.p)
		return;
	vg_buf_printf(b, "%s\"%s\":", *first ? "" : ",", name);
	json_str(b, v.p, v.n);
	*first = false;
}

static bool str_eq(vg_syslog_str a, vg_syslog_str b)
{
	return a.n == b.n && !memcmp(a.p, b.p, a.n);
}

vg_err vg_syslog_to_json(const vg_syslog_msg *m, const char *peer, vg_buf *out)
{
	bool first = false;
	vg_buf tmp;
	vg_err e;
	vg_buf_puts(out, m->format == VG_SYSLOG_RFC5424 ? "{\"syslog_format\":\"rfc5424\""
							: "{\"syslog_format\":\"rfc3164\"");
	if (m->pri >= 0)
		vg_buf_printf(out, ",\"pri\":%d,\"facility\":\"%s\",\"severity\":\"%s\"", m->pri,
			      vg_syslog_facility_name(m->facility), vg_syslog_severity_name(m->severity));
	if (m->timestamp[0])
		vg_buf_printf(out, ",\"timestamp\":\"%s\"", m->timestamp);
	json_field(out, &first, "hostname", m->hostname);
	json_field(out, &first, "appname", m->appname);
	json_field(out, &first, "procid", m->procid);
	json_field(out, &first, "msgid", m->msgid);
	if (peer) {
		vg_syslog_str p = {peer, strlen(peer)};
		json_field(out, &first, "source_ip", p);
	}
	vg_buf_init(&tmp, VG_SYSLOG_MSG_MAX);
	if (m->nsd)
		vg_buf_puts(out, ",\"sd\":{");
	for (size_t i = 0; i < m->nsd; i++) {
		bool dup = false;
		for (size_t j = 0; j < i && !dup; j++)
			dup = str_eq(m->sd_id[i], m->sd_id[j]);
		if (dup) /* RFC 5424 6.3.2: an SD-ID appears once; a repeat is ignored */
			continue;
		vg_buf_puts(out, i ? "," : "");
		json_str(out, m->sd_id[i].p, m->sd_id[i].n);
		vg_buf_puts(out, ":{");
		bool firstp = true;
		for (size_t k = 0; k < m->nparams; k++) {
			const vg_syslog_param *pa = &m->params[k];
			size_t count = 0;
			bool seen = false;
			if (pa->sd != i)
				continue;
			for (size_t j = 0; j < k && !seen; j++)
				seen = m->params[j].sd == i && str_eq(m->params[j].name, pa->name);
			if (seen) /* written with its first occurrence */
				continue;
			for (size_t j = k; j < m->nparams; j++)
				count += m->params[j].sd == i && str_eq(m->params[j].name, pa->name);
			vg_buf_puts(out, firstp ? "" : ",");
			firstp = false;
			json_str(out, pa->name.p, pa->name.n);
			vg_buf_puts(out, count > 1 ? ":[" : ":");
			bool firstv = true;
			for (size_t j = k; j < m->nparams; j++) {
				if (m->params[j].sd != i || !str_eq(m->params[j].name, pa->name))
					continue;
				vg_buf_reset(&tmp);
				vg_syslog_unescape(m->params[j].value, &tmp);
				vg_buf_puts(out, firstv ? "" : ",");
				firstv = false;
				json_str(out, tmp.data ? tmp.data : "", tmp.len);
			}
			if (count > 1)
				vg_buf_putc(out, ']');
		}
		vg_buf_putc(out, '}');
	}
	if (m->nsd)
		vg_buf_putc(out, '}');
	vg_buf_fini(&tmp);
	if (m->message.p) {
		vg_buf_puts(out, ",\"message\":");
		json_str(out, m->message.p, m->message.n);
	}
	e = vg_buf_putc(out, '}');
	return e;
}

int vg_syslog_frame(const char *buf, size_t len, bool final, vg_syslog_str *msg, size_t *consumed, vg_diag *d)
{
	size_t i = 0;
	*consumed = 0;
	msg->p = NULL;
	msg->n = 0;
	while (i < len && (buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\0'))
		i++; /* empty frames */
	if (i == len) {
		*consumed = i;
		return 0;
	}
	if (is_digit(buf[i])) { /* octet counting: MSG-LEN SP SYSLOG-MSG */
		size_t k = i;
		uint64_t n = 0;
		while (k < len && is_digit(buf[k]) && k - i < 9)
			n = n * 10 + (uint64_t)(buf[k++] - '0');
		if (k == len && !final) {
			*consumed = i;
			return 0;
		}
		if (k == len || buf[k] != ' ' || buf[i] == '0' || n > VG_SYSLOG_MSG_MAX) {
			/* not a frame we can follow: drop up to the next LF */
			const char *nl = memchr(buf + i, '\n', len - i);
			*consumed = nl ? (size_t)(nl - buf) + 1 : len;
			return -(int)vg_diag_set(d, n > VG_SYSLOG_MSG_MAX ? VG_ERR_LIMIT : VG_ERR_INVALID, "frame",
					   n > VG_SYSLOG_MSG_MAX ? "octet count above the limit at byte %zu"
								 : "bad octet count at byte %zu",
					   k);
		}
		k++;
		if (len - k < n) {
			if (!final) {
				*consumed = i;
				return 0;
			}
			*consumed = len;
			return -(int)vg_diag_set(d, VG_ERR_INVALID, "frame", "frame truncated at byte %zu", len);
		}
		msg->p = buf + k;
		msg->n = (size_t)n;
		*consumed = k + (size_t)n;
		return 1;
	}
	const char *nl = memchr(buf + i, '\n', len - i);
	const char *nul = memchr(buf + i, '\0', (nl ? (size_t)(nl - buf) : len) - i);
	if (nul)
		nl = nul;
	if (!nl) {
		if (len - i > VG_SYSLOG_MSG_MAX) {
			*consumed = len;
			return -(int)vg_diag_set(d, VG_ERR_LIMIT, "frame", "message longer than %d bytes without a newline",
					   VG_SYSLOG_MSG_MAX);
		}
		if (!final) {
			*consumed = i;
			return 0;
		}
		nl = buf + len;
	}
	msg->p = buf + i;
	msg->n = (size_t)(nl - buf) - i;
	while (msg->n && msg->p[msg->n - 1] == '\r')
		msg->n--;
	*consumed = nl == buf + len ? len : (size_t)(nl - buf) + 1;
	if (msg->n > VG_SYSLOG_MSG_MAX)
		return -(int)vg_diag_set(d, VG_ERR_LIMIT, "frame", "message longer than %d bytes", VG_SYSLOG_MSG_MAX);
	return 1;
}
