/* Syslog parser (RFC 5424 and RFC 3164 with their own examples), SD escaping,
 * RFC 6587 framing, malformed messages with their error offsets, bounds, the
 * JSON rendering, syslog files through the input reader (format detection,
 * gzip), resumed reads of followed compressed and EVTX files, and a syslog
 * event through a Sigma rule with the shipped syslog mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "detect/input.h"
#include "detect/sigma.h"

/* 2026-11-28T00:00:00Z */
#define NOW 1795824000

static vg_syslog_msg msg;

static bool str_is(vg_syslog_str s, const char *want)
{
	if (!want)
		return s.p == NULL;
	return s.p && s.n == strlen(want) && !memcmp(s.p, want, s.n);
}

static json_t *to_json(const char *text, int64_t now)
{
	vg_diag d;
	vg_buf b;
	json_error_t je;
	json_t *j;
	assert_int_equal(vg_syslog_parse(text, strlen(text), now, &msg, NULL, &d), VG_OK);
	vg_buf_init(&b, 0);
	assert_int_equal(vg_syslog_to_json(&msg, NULL, &b), VG_OK);
	j = json_loadb(b.data, b.len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		fail_msg("bad JSON %s: %s", b.data, je.text);
	vg_buf_fini(&b);
	return j;
}

static const char *jget(json_t *j, const char *k)
{
	json_t *v = json_object_get(j, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void t_rfc5424_examples(void **st)
{
	(void)st;
	/* RFC 5424 6.5, example 1 (with the BOM) */
	json_t *j = to_json("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBF'su root' "
			    "failed for lonvick on /dev/pts/8",
			    NOW);
	assert_int_equal(msg.format, VG_SYSLOG_RFC5424);
	assert_int_equal(msg.pri, 34);
	assert_int_equal(msg.facility, 4);
	assert_int_equal(msg.severity, 2);
	assert_string_equal(msg.timestamp, "2003-10-11T22:14:15.003Z");
	assert_true(str_is(msg.hostname, "mymachine.example.com"));
	assert_true(str_is(msg.appname, "su"));
	assert_true(str_is(msg.procid, NULL));
	assert_true(str_is(msg.msgid, "ID47"));
	assert_true(msg.bom);
	assert_true(str_is(msg.message, "'su root' failed for lonvick on /dev/pts/8"));
	assert_string_equal(jget(j, "facility"), "auth");
	assert_string_equal(jget(j, "severity"), "crit");
	assert_string_equal(jget(j, "syslog_format"), "rfc5424");
	assert_string_equal(jget(j, "appname"), "su");
	assert_null(json_object_get(j, "procid"));
	assert_int_equal(json_integer_value(json_object_get(j, "pri")), 34);
	json_decref(j);
	/* example 2: offset, PROCID, no MSGID, no SD */
	j = to_json("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
		    NOW);
	assert_int_equal(msg.facility, 20);
	assert_int_equal(msg.severity, 5);
	assert_string_equal(msg.timestamp, "2003-08-24T05:14:15.000003-07:00");
	assert_true(str_is(msg.procid, "8710"));
	assert_true(str_is(msg.msgid, NULL));
	assert_false(msg.bom);
	assert_string_equal(jget(j, "facility"), "local4");
	assert_string_equal(jget(j, "message"), "%% It's time to make the do-nuts.");
	assert_string_equal(jget(j, "hostname"), "192.0.2.1");
	json_decref(j);
	/* example 3: structured data and a message */
	j = to_json("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
		    "eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBF"
		    "An application event log entry...",
		    NOW);
	assert_int_equal(msg.nsd, 1);
	assert_int_equal(msg.nparams, 3);
	assert_true(str_is(msg.sd_id[0], "exampleSDID@32473"));
	assert_true(str_is(msg.params[1].name, "eventSource"));
	assert_true(str_is(msg.params[1].value, "Application"));
	json_t *sd = json_object_get(json_object_get(j, "sd"), "exampleSDID@32473");
	assert_non_null(sd);
	assert_string_equal(jget(sd, "iut"), "3");
	assert_string_equal(jget(sd, "eventID"), "1011");
	assert_string_equal(jget(j, "message"), "An application event log entry...");
	json_decref(j);
	/* example 4: two elements, no MSG */
	j = to_json("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" "
		    "eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
		    NOW);
	assert_int_equal(msg.nsd, 2);
	assert_true(str_is(msg.message, NULL));
	assert_null(json_object_get(j, "message"));
	assert_string_equal(jget(json_object_get(json_object_get(j, "sd"), "examplePriority@32473"), "class"), "high");
	json_decref(j);
	/* all NILVALUEs */
	j = to_json("<0>1 - - - - - -", NOW);
	assert_int_equal(json_object_size(j), 4); /* syslog_format, pri, facility, severity */
	assert_string_equal(jget(j, "severity"), "emerg");
	json_decref(j);
}

static void t_sd_escaping(void **st)
{
	(void)st;
	json_t *j = to_json("<13>1 2026-01-02T03:04:05Z h a p m [x@1 a=\"q\\\"uo\\\\te\\]\" b=\"back\\slash\" "
			    "r=\"1\" r=\"2\" e=\"\"] msg",
			    NOW);
	json_t *x = json_object_get(json_object_get(j, "sd"), "x@1");
	assert_string_equal(jget(x, "a"), "q\"uo\\te]");
	assert_string_equal(jget(x, "b"), "back\\slash"); /* another backslash stays */
	assert_string_equal(jget(x, "e"), "");
	json_t *r = json_object_get(x, "r");
	assert_true(json_is_array(r));
	assert_int_equal(json_array_size(r), 2);
	assert_string_equal(json_string_value(json_array_get(r, 1)), "2");
	assert_string_equal(jget(j, "message"), "msg");
	json_decref(j);
	/* a ']' inside a quoted value does not end the element */
	j = to_json("<13>1 - h a p m [x v=\"a]b\"] tail", NOW);
	assert_string_equal(jget(json_object_get(json_object_get(j, "sd"), "x"), "v"), "a]b");
	json_decref(j);
	/* control characters and invalid UTF-8 give valid JSON */
	j = to_json("<13>1 - h a p m - caf\xc3\xa9 \xff\x01 end", NOW);
	assert_string_equal(jget(j, "message"), "caf\xc3\xa9 \xc3\xbf\x01 end");
	json_decref(j);
	/* the peer address */
	vg_buf b;
	vg_buf_init(&b, 0);
	assert_int_equal(vg_syslog_to_json(&msg, "192.0.2.7", &b), VG_OK);
	assert_non_null(strstr(b.data, "\"source_ip\":\"192.0.2.7\""));
	vg_buf_fini(&b);
}

static void t_rfc3164(void **st)
{
	(void)st;
	/* RFC 3164 5.4, example 1 */
	json_t *j = to_json("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", NOW);
	assert_int_equal(msg.format, VG_SYSLOG_RFC3164);
	assert_string_equal(msg.timestamp, "2026-10-11T22:14:15Z");
	assert_string_equal(jget(j, "hostname"), "mymachine");
	assert_string_equal(jget(j, "appname"), "su");
	assert_string_equal(jget(j, "message"), "'su root' failed for lonvick on /dev/pts/8");
	assert_string_equal(jget(j, "syslog_format"), "rfc3164");
	json_decref(j);
	/* example 2: no tag */
	j = to_json("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!", NOW);
	assert_string_equal(msg.timestamp, "2026-02-05T17:32:18Z");
	assert_string_equal(jget(j, "hostname"), "10.0.0.99");
	assert_null(json_object_get(j, "appname"));
	assert_string_equal(jget(j, "message"), "Use the BFG!");
	json_decref(j);
	/* example 3: what follows the time is taken as the host */
	j = to_json("<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the do-nuts.", NOW);
	assert_string_equal(jget(j, "hostname"), "CST");
	assert_string_equal(jget(j, "message"), "1987 mymachine myproc[10]: %% It's time to make the do-nuts.");
	json_decref(j);
	/* example 4: no valid timestamp: all of it is the content */
	j = to_json("<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!", NOW);
	assert_int_equal(msg.pri, 0);
	assert_string_equal(msg.timestamp, "");
	assert_null(json_object_get(j, "hostname"));
	assert_string_equal(jget(j, "message"),
			    "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!");
	json_decref(j);
	/* a log file line: no PRI, tag with pid */
	j = to_json("Nov 27 23:59:01 web1 sshd[4242]: Failed password for root from 203.0.113.5 port 22 ssh2", NOW);
	assert_int_equal(msg.pri, -1);
	assert_null(json_object_get(j, "facility"));
	assert_string_equal(jget(j, "procid"), "4242");
	assert_string_equal(jget(j, "appname"), "sshd");
	assert_string_equal(jget(j, "hostname"), "web1");
	json_decref(j);
	/* rsyslog's RFC 3339 layout */
	j = to_json("2026-11-28T00:41:10.123456+01:00 web1 CRON[999]: (root) CMD (run-parts /etc/cron.hourly)", NOW);
	assert_string_equal(msg.timestamp, "2026-11-28T00:41:10.123456+01:00");
	assert_string_equal(jget(j, "appname"), "CRON");
	assert_string_equal(jget(j, "message"), "(root) CMD (run-parts /etc/cron.hourly)");
	json_decref(j);
	/* the sender left the host out */
	j = to_json("<86>Nov  3 08:00:00 sudo: alice : TTY=pts/0 ; COMMAND=/bin/sh", NOW);
	assert_null(json_object_get(j, "hostname"));
	assert_string_equal(jget(j, "appname"), "sudo");
	assert_string_equal(jget(j, "facility"), "authpriv");
	json_decref(j);
}

static void t_year_inference(void **st)
{
	(void)st;
	vg_diag d;
	const char *dec = "Dec 31 23:59:59 h p: x", *feb29 = "Feb 29 12:00:00 h p: x";
	/* read early in January: last December */
	assert_int_equal(vg_syslog_parse(dec, strlen(dec), 1798848000 /* 2027-01-02 */, &msg, NULL, &d), VG_OK);
	assert_string_equal(msg.timestamp, "2026-12-31T23:59:59Z");
	/* up to a month ahead (clock skew) stays this year */
	const char *dec20 = "Dec 20 08:00:00 h p: x", *dec31 = "Dec 31 00:00:00 h p: x";
	assert_int_equal(vg_syslog_parse(dec20, strlen(dec20), NOW, &msg, NULL, &d), VG_OK);
	assert_string_equal(msg.timestamp, "2026-12-20T08:00:00Z");
	/* more than a month ahead: last year's */
	assert_int_equal(vg_syslog_parse(dec31, strlen(dec31), NOW, &msg, NULL, &d), VG_OK);
	assert_string_equal(msg.timestamp, "2025-12-31T00:00:00Z");
	/* Feb 29 goes back to the last leap year */
	assert_int_equal(vg_syslog_parse(feb29, strlen(feb29), NOW, &msg, NULL, &d), VG_OK);
	assert_string_equal(msg.timestamp, "2024-02-29T12:00:00Z");
}

static void expect_error(const char *text, size_t len, vg_err code, const char *field, size_t off)
{
	vg_diag d;
	size_t at = 12345;
	vg_diag_clear(&d);
	vg_err e = vg_syslog_parse(text, len, NOW, &msg, &at, &d);
	if (e != code || strcmp(d.field, field) != 0 || at != off)
		fail_msg("%.60s: got %d %s at %zu (%s), want %d %s at %zu", text, e, d.field, at, d.message, code, field,
			 off);
	char want[32];
	snprintf(want, sizeof want, "at byte %zu", off);
	assert_non_null(strstr(d.message, want));
}

static void t_malformed(void **st)
{
	(void)st;
	const char *s;
	expect_error("", 0, VG_ERR_INVALID, "message", 0);
	expect_error("<34", 3, VG_ERR_INVALID, "pri", 3);
	expect_error("<>x", 3, VG_ERR_INVALID, "pri", 1);
	expect_error("<1234>1 -", 9, VG_ERR_INVALID, "pri", 4);
	expect_error("<192>1 - - - - - -", 18, VG_ERR_INVALID, "pri", 1);
	expect_error("<034>1 - - - - - -", 18, VG_ERR_INVALID, "pri", 1);
	s = "<34>1 2003-13-11T22:14:15Z h a p m -";
	expect_error(s, strlen(s), VG_ERR_INVALID, "timestamp", 6);
	s = "<34>1 2003-10-11T22:14:15.1234567Z h a p m -";
	expect_error(s, strlen(s), VG_ERR_INVALID, "timestamp", 25);
	s = "<34>1 2003-10-11T22:14:15 h a p m -";
	expect_error(s, strlen(s), VG_ERR_INVALID, "timestamp", 25);
	s = "<34>1 2003-02-29T22:14:15Z h a p m -"; /* not a leap year */
	expect_error(s, strlen(s), VG_ERR_INVALID, "timestamp", 6);
	s = "<34>1 - host app - ID47";
	expect_error(s, strlen(s), VG_ERR_INVALID, "msgid", 23);
	s = "<34>1 - host app - ID47 x";
	expect_error(s, strlen(s), VG_ERR_INVALID, "structured_data", 24);
	s = "<34>1 - host app - ID47 [x a=\"1\"";
	expect_error(s, strlen(s), VG_ERR_INVALID, "structured_data", 32);
	s = "<34>1 - host app - ID47 [x a=\"1";
	expect_error(s, strlen(s), VG_ERR_INVALID, "structured_data.value", 31);
	s = "<34>1 - host app - ID47 [x a=1]";
	expect_error(s, strlen(s), VG_ERR_INVALID, "structured_data.param", 28);
	s = "<34>1 - host app - ID47 [x =\"1\"]";
	expect_error(s, strlen(s), VG_ERR_INVALID, "structured_data.param", 27);
	s = "<34>1 - host app - ID47 []";
	expect_error(s, strlen(s), VG_ERR_INVALID, "structured_data.id", 25);
	s = "<34>1 - host app - ID47 -x";
	expect_error(s, strlen(s), VG_ERR_INVALID, "structured_data", 25);
	s = "<34>1 - ho\x01st app - ID47 -";
	expect_error(s, strlen(s), VG_ERR_INVALID, "hostname", 10);
	s = "<34>1 - host app - ID47789012345678901234567890123xx -"; /* MSGID of 33 */
	expect_error(s, strlen(s), VG_ERR_LIMIT, "msgid", 51);
	s = "<34>1 - host  app - ID47 -"; /* two spaces: an empty field */
	expect_error(s, strlen(s), VG_ERR_INVALID, "appname", 13);
}

static void t_bounds(void **st)
{
	(void)st;
	vg_buf b;
	vg_diag d;
	size_t off;
	vg_buf_init(&b, 0);
	/* SD-NAME of 33 characters */
	vg_buf_puts(&b, "<1>1 - h a p m [123456789012345678901234567890123]");
	expect_error(b.data, b.len, VG_ERR_LIMIT, "structured_data.id", 48);
	/* 32 elements pass, 33 do not */
	vg_buf_reset(&b);
	vg_buf_puts(&b, "<1>1 - h a p m ");
	for (int i = 0; i < VG_SYSLOG_SD_MAX; i++)
		vg_buf_printf(&b, "[e%d k=\"v\"]", i);
	assert_int_equal(vg_syslog_parse(b.data, b.len, NOW, &msg, &off, &d), VG_OK);
	assert_int_equal(msg.nsd, VG_SYSLOG_SD_MAX);
	size_t at = b.len;
	vg_buf_puts(&b, "[last]");
	expect_error(b.data, b.len, VG_ERR_LIMIT, "structured_data", at);
	/* parameters */
	vg_buf_reset(&b);
	vg_buf_puts(&b, "<1>1 - h a p m [e");
	for (int i = 0; i < VG_SYSLOG_SD_PARAMS_MAX; i++)
		vg_buf_printf(&b, " p%d=\"%d\"", i, i);
	at = b.len + 1;
	vg_buf_puts(&b, " over=\"x\"]");
	expect_error(b.data, b.len, VG_ERR_LIMIT, "structured_data.param", at);
	/* message length */
	vg_buf_reset(&b);
	vg_buf_puts(&b, "<1>1 - h a p m - ");
	while (b.len < VG_SYSLOG_MSG_MAX)
		vg_buf_putc(&b, 'x');
	assert_int_equal(vg_syslog_parse(b.data, b.len, NOW, &msg, &off, &d), VG_OK);
	vg_buf_putc(&b, 'x');
	expect_error(b.data, b.len, VG_ERR_LIMIT, "message", VG_SYSLOG_MSG_MAX);
	vg_buf_fini(&b);
}

static void t_framing(void **st)
{
	(void)st;
	vg_syslog_str m;
	size_t used;
	vg_diag d;
	const char *two = "17 <13>1 - h a p m -18 <13>1 - h2 a p m -12 <13>1 - h";
	size_t len = strlen(two), pos = 0;
	assert_int_equal(vg_syslog_frame(two, len, false, &m, &used, &d), 1);
	assert_true(str_is(m, "<13>1 - h a p m -"));
	pos += used;
	assert_int_equal(vg_syslog_frame(two + pos, len - pos, false, &m, &used, &d), 1);
	assert_true(str_is(m, "<13>1 - h2 a p m -"));
	pos += used;
	/* a partial frame waits */
	assert_int_equal(vg_syslog_frame(two + pos, len - pos, false, &m, &used, &d), 0);
	assert_int_equal(used, 0);
	/* at the end it is truncated */
	assert_true(vg_syslog_frame(two + pos, len - pos, true, &m, &used, &d) < 0);
	assert_int_equal(used, len - pos);
	assert_string_equal(d.field, "frame");
	/* newline framing, CRLF and NUL terminators */
	const char *nl = "<13>Nov  1 00:00:00 h a: one\r\n<13>Nov  1 00:00:00 h a: two\0<13>par";
	len = 58 + 1 + 7;
	assert_int_equal(vg_syslog_frame(nl, len, false, &m, &used, &d), 1);
	assert_true(str_is(m, "<13>Nov  1 00:00:00 h a: one"));
	pos = used;
	assert_int_equal(vg_syslog_frame(nl + pos, len - pos, false, &m, &used, &d), 1);
	assert_true(str_is(m, "<13>Nov  1 00:00:00 h a: two"));
	pos += used;
	assert_int_equal(vg_syslog_frame(nl + pos, len - pos, false, &m, &used, &d), 0);
	assert_int_equal(vg_syslog_frame(nl + pos, len - pos, true, &m, &used, &d), 1);
	assert_true(str_is(m, "<13>par"));
	/* bad counts: dropped up to the next newline */
	const char *bad = "0 x\n";
	assert_int_equal(vg_syslog_frame(bad, 4, false, &m, &used, &d), -VG_ERR_INVALID);
	assert_int_equal(used, 4);
	const char *huge = "999999999 x";
	assert_int_equal(vg_syslog_frame(huge, strlen(huge), false, &m, &used, &d), -VG_ERR_LIMIT);
	assert_int_equal(used, strlen(huge));
	/* a line that never ends is dropped at the limit */
	char *big = malloc(VG_SYSLOG_MSG_MAX + 10);
	memset(big, 'a', VG_SYSLOG_MSG_MAX + 10);
	assert_int_equal(vg_syslog_frame(big, VG_SYSLOG_MSG_MAX + 10, false, &m, &used, &d), -VG_ERR_LIMIT);
	assert_int_equal(used, VG_SYSLOG_MSG_MAX + 10);
	free(big);
}

typedef struct collect {
	int n;
	char last[2048];
	uint64_t lastno;
	int problems;
	char problem[512];
} collect;

static bool on_rec(void *ctx, const vg_record *r)
{
	collect *c = ctx;
	c->n++;
	snprintf(c->last, sizeof c->last, "%.*s", (int)r->len, r->data);
	c->lastno = r->number;
	return true;
}

static void on_problem(void *ctx, const vg_diag *d)
{
	collect *c = ctx;
	c->problems++;
	vg_diag_format(d, c->problem, sizeof c->problem);
}

static void write_file(const char *path, const char *text, bool gz)
{
	if (gz) {
		gzFile g = gzopen(path, "ab");
		gzwrite(g, text, (unsigned)strlen(text));
		gzclose(g);
	} else {
		FILE *f = fopen(path, "wb");
		fputs(text, f);
		fclose(f);
	}
}

static void t_input_files(void **st)
{
	(void)st;
	char path[] = "/tmp/vg_syslog_inXXXXXX";
	int fd = mkstemp(path);
	collect c = {0};
	vg_input_opts o = {.record = on_rec, .problem = on_problem, .ctx = &c};
	vg_input_stats s = {0};
	vg_diag d;
	const char *text = "Nov 27 23:59:01 web1 sshd[1]: Accepted publickey for alice\n"
			   "\n"
			   "<13>1 - h a p m [bad\n"
			   "Nov 27 23:59:02 web1 sudo: alice : COMMAND=/bin/sh\n";
	assert_true(fd >= 0);
	close(fd);
	write_file(path, text, false);
	assert_int_equal(vg_input_read(path, &o, &s, &d), VG_OK);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.lastno, 4); /* records are numbered by line */
	assert_int_equal(c.problems, 1);
	assert_non_null(strstr(c.problem, ":3:"));
	assert_non_null(strstr(c.problem, "structured_data"));
	assert_non_null(strstr(c.last, "\"appname\":\"sudo\""));
	/* gzip, and the format forced */
	unlink(path);
	write_file(path, text, true);
	memset(&c, 0, sizeof c);
	o.format = VG_INPUT_SYSLOG;
	assert_int_equal(vg_input_read(path, &o, &s, &d), VG_OK);
	assert_int_equal(c.n, 2);
	/* JSON stays JSON; forced syslog over JSON gives 3164 events of the text */
	write_file(path, "{\"a\":1}\n", false);
	memset(&c, 0, sizeof c);
	o.format = VG_INPUT_AUTO;
	assert_int_equal(vg_input_read(path, &o, &s, &d), VG_OK);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.last, "{\"a\":1}");
	vg_input_format f;
	assert_true(vg_input_format_parse("syslog", &f) && f == VG_INPUT_SYSLOG);
	assert_false(vg_input_format_parse("xml", &f));
	unlink(path);
}

static void t_resume(void **st)
{
	(void)st;
	char path[] = "/tmp/vg_syslog_resXXXXXX";
	int fd = mkstemp(path);
	collect c = {0};
	vg_input_opts o = {.record = on_rec, .problem = on_problem, .ctx = &c};
	vg_input_stats s = {0};
	vg_input_resume r = {0};
	vg_diag d;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	write_file(path, "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n", true);
	assert_true(vg_input_is_blob(path));
	/* following from the end: nothing handed on */
	assert_int_equal(vg_input_read_resume(path, &o, &r, true, &s, &d), VG_OK);
	assert_int_equal(c.n, 0);
	assert_int_equal(r.records, 3);
	/* a gzip member appended: only the new records */
	write_file(path, "{\"n\":4}\n{\"n\":5}\n", true);
	assert_int_equal(vg_input_read_resume(path, &o, &r, false, &s, &d), VG_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.last, "{\"n\":5}");
	assert_int_equal(c.lastno, 5);
	/* the same file again: nothing new */
	assert_int_equal(vg_input_read_resume(path, &o, &r, false, &s, &d), VG_OK);
	assert_int_equal(c.n, 2);
	/* replaced by another file (another first record): read in full */
	unlink(path);
	write_file(path, "{\"n\":10}\n{\"n\":11}\n", true);
	assert_int_equal(vg_input_read_resume(path, &o, &r, false, &s, &d), VG_OK);
	assert_int_equal(c.n, 4);
	assert_int_equal(r.records, 2);
	/* the poll of a followed file: read whole at first, then once settled after a change */
	vg_input_blob bl = {0};
	vg_err pe;
	memset(&c, 0, sizeof c);
	assert_true(vg_input_blob_poll(path, &bl, false, &o, &s, &d, &pe));
	assert_int_equal(pe, VG_OK);
	assert_int_equal(c.n, 2);
	assert_false(vg_input_blob_poll(path, &bl, false, &o, &s, &d, &pe)); /* unchanged */
	write_file(path, "{\"n\":12}\n", true);
	assert_false(vg_input_blob_poll(path, &bl, false, &o, &s, &d, &pe)); /* changed: settling */
	assert_int_equal(c.n, 2);
	assert_true(vg_input_blob_poll(path, &bl, false, &o, &s, &d, &pe)); /* settled: read */
	assert_int_equal(c.n, 3);
	assert_string_equal(c.last, "{\"n\":12}");
	assert_false(vg_input_blob_poll(path, &bl, false, &o, &s, &d, &pe));
	unlink(path);
	write_file(path, "plain text is not a blob\n", false);
	assert_false(vg_input_is_blob(path));
	unlink(path);
	assert_int_not_equal(vg_input_read_resume(path, &o, &r, false, &s, &d), VG_OK);
	/* EVTX: by record identifier (needs the shared samples) */
	const char *shared = getenv("VIGIE_SHARED");
	char evtx[1024];
	if (!shared)
		return;
	snprintf(evtx, sizeof evtx,
		 "%s/data/sigma/regression/rules/windows/file/file_event/file_event_win_creation_system_dll_files/"
		 "13c02350-4177-4e45-ac17-cf7ca628ff5e.evtx",
		 shared);
	if (access(evtx, R_OK) != 0)
		return;
	memset(&r, 0, sizeof r);
	memset(&c, 0, sizeof c);
	assert_int_equal(vg_input_read_resume(evtx, &o, &r, false, &s, &d), VG_OK);
	assert_true(r.evtx);
	assert_true(c.n > 0);
	assert_true(r.evtx_max_id > 0);
	int first = c.n;
	assert_int_equal(vg_input_read_resume(evtx, &o, &r, false, &s, &d), VG_OK);
	assert_int_equal(c.n, first); /* nothing new */
	r.evtx_max_id--;              /* as if the last record had not been read */
	assert_int_equal(vg_input_read_resume(evtx, &o, &r, false, &s, &d), VG_OK);
	assert_int_equal(c.n, first + 1);
}

static int free_port(int type)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof a;
	int fd = socket(AF_INET, type, 0), port;
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	getsockname(fd, (struct sockaddr *)&a, &l);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* poll and serve until want records arrived (or 50 rounds) */
static void serve_until(vg_syslog_server *srv, collect *c, int want, vg_syslog_net_stats *ns)
{
	vg_input_opts o = {.record = on_rec, .problem = on_problem, .ctx = c};
	for (int round = 0; round < 50 && c->n + c->problems < want; round++) {
		struct pollfd pfd[VG_SYSLOG_LISTENERS_MAX + VG_SYSLOG_TCP_CLIENTS_MAX];
		size_t n = vg_syslog_server_pollfds(srv, pfd, sizeof pfd / sizeof *pfd);
		if (poll(pfd, n, 100) > 0)
			vg_syslog_server_serve(srv, pfd, n, NOW, &o, ns);
	}
}

static void t_listeners(void **st)
{
	(void)st;
	vg_syslog_server *srv;
	vg_syslog_net_stats ns = {0};
	collect c = {0};
	vg_diag d;
	char spec[64];
	int up = free_port(SOCK_DGRAM), tp = free_port(SOCK_STREAM);
	assert_int_equal(vg_syslog_server_new(&srv), VG_OK);
	/* bad specifications */
	const char *bad[] = {"", "abc", "0", "70000", "1.2.3.4:", "::1:514", "[::1]514", "localhost:514", "1.2.3:514"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		vg_diag_clear(&d);
		assert_int_not_equal(vg_syslog_server_listen(srv, false, bad[i], &d), VG_OK);
		assert_string_equal(d.field, "listen");
	}
	assert_int_equal(vg_syslog_server_count(srv), 0);
	/* a port alone: loopback */
	snprintf(spec, sizeof spec, "%d", up);
	assert_int_equal(vg_syslog_server_listen(srv, false, spec, &d), VG_OK);
	snprintf(spec, sizeof spec, "127.0.0.1:%d", tp);
	assert_int_equal(vg_syslog_server_listen(srv, true, spec, &d), VG_OK);
	assert_int_equal(vg_syslog_server_count(srv), 2);
	/* the same port again: in use */
	assert_int_equal(vg_syslog_server_listen(srv, true, spec, &d), VG_ERR_IO);
	/* UDP: one datagram, one message; a bad one is reported with the peer */
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons((uint16_t)up)};
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	const char *m1 = "<38>Nov 27 10:00:00 h1 sshd[7]: hello\n", *m2 = "<999>x";
	sendto(u, m1, strlen(m1), 0, (struct sockaddr *)&to, sizeof to);
	sendto(u, m2, strlen(m2), 0, (struct sockaddr *)&to, sizeof to);
	serve_until(srv, &c, 2, &ns);
	close(u);
	assert_int_equal(c.n, 1);
	assert_non_null(strstr(c.last, "\"source_ip\":\"127.0.0.1\""));
	assert_non_null(strstr(c.last, "\"message\":\"hello\""));
	assert_int_equal(c.problems, 1);
	snprintf(spec, sizeof spec, "udp:127.0.0.1:%d:2: pri", up);
	assert_non_null(strstr(c.problem, spec));
	assert_non_null(strstr(c.problem, "(from 127.0.0.1)"));
	assert_int_equal(ns.datagrams, 2);
	assert_int_equal(ns.malformed, 1);
	/* TCP: two clients, a frame split over two writes, newline framing, a bad count */
	to.sin_port = htons((uint16_t)tp);
	int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(a, (struct sockaddr *)&to, sizeof to), 0);
	assert_int_equal(connect(b, (struct sockaddr *)&to, sizeof to), 0);
	memset(&c, 0, sizeof c);
	const char *f1 = "18 <13>1 - ha a p m -", *f2 = "18 <13>1 - hb a p m -";
	assert_int_equal(write(a, f1, 10), 10);
	assert_int_equal(write(b, "<13>Nov 27 10:00:00 hc x: y\n0 bad\n", 35), 35);
	serve_until(srv, &c, 2, &ns);
	assert_int_equal(write(a, f1 + 10, strlen(f1) - 10), (ssize_t)(strlen(f1) - 10));
	assert_int_equal(write(a, f2, strlen(f2)), (ssize_t)strlen(f2));
	serve_until(srv, &c, 4, &ns);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.problems, 1);
	assert_non_null(strstr(c.problem, "frame"));
	assert_non_null(strstr(c.last, "\"hostname\":\"hb\""));
	assert_int_equal(ns.connections, 2);
	/* a client that goes away mid-frame: the rest is reported as truncated */
	memset(&c, 0, sizeof c);
	assert_int_equal(write(a, "30 <13>1 - trunc", 16), 16);
	close(a);
	close(b);
	serve_until(srv, &c, 1, &ns);
	assert_int_equal(c.problems, 1);
	assert_non_null(strstr(c.problem, "truncated"));
	/* one client more than the limit is refused and reported */
	int many[VG_SYSLOG_TCP_CLIENTS_MAX + 1];
	memset(&c, 0, sizeof c);
	uint64_t dropped = ns.dropped;
	vg_input_opts lo = {.record = on_rec, .problem = on_problem, .ctx = &c};
	for (int i = 0; i <= VG_SYSLOG_TCP_CLIENTS_MAX; i++) { /* accepted as they come (backlog 64) */
		struct pollfd pfd[VG_SYSLOG_TCP_CLIENTS_MAX + 4];
		many[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(connect(many[i], (struct sockaddr *)&to, sizeof to), 0);
		size_t np = vg_syslog_server_pollfds(srv, pfd, VG_SYSLOG_TCP_CLIENTS_MAX + 4);
		if (poll(pfd, np, 1000) > 0)
			vg_syslog_server_serve(srv, pfd, np, NOW, &lo, &ns);
	}
	assert_int_equal(ns.dropped, dropped + 1);
	assert_int_equal(ns.evicted, 0);
	assert_non_null(strstr(c.problem, "connection refused"));
	/* a minute later, all quiet: a new sender takes the slot of the longest idle */
	int late = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(late, (struct sockaddr *)&to, sizeof to), 0);
	{
		struct pollfd pfd[VG_SYSLOG_TCP_CLIENTS_MAX + 4];
		size_t np = vg_syslog_server_pollfds(srv, pfd, VG_SYSLOG_TCP_CLIENTS_MAX + 4);
		assert_true(poll(pfd, np, 1000) > 0);
		vg_syslog_server_serve(srv, pfd, np, NOW + VG_SYSLOG_TCP_IDLE_EVICT_S, &lo, &ns);
	}
	assert_int_equal(ns.evicted, 1);
	assert_int_equal(ns.dropped, dropped + 1);
	assert_int_equal(write(late, "<13>Nov 27 10:00:00 late x: y\n", 30), 30);
	memset(&c, 0, sizeof c);
	serve_until(srv, &c, 1, &ns);
	assert_non_null(strstr(c.last, "\"hostname\":\"late\""));
	close(late);
	for (int i = 0; i <= VG_SYSLOG_TCP_CLIENTS_MAX; i++)
		close(many[i]);
	vg_syslog_server_free(srv);
	vg_syslog_server_free(NULL);
}

typedef struct hits {
	int n;
	char title[256];
} hits;

static void on_hit(void *ctx, const vg_hit *h)
{
	hits *x = ctx;
	x->n++;
	snprintf(x->title, sizeof x->title, "%s", h->rule->title);
}

static void t_sigma_over_syslog(void **st)
{
	(void)st;
	const char *rule = "title: SSH fatal\nid: 11111111-1111-1111-1111-111111111111\nlogsource:\n  product: linux\n"
			   "  service: sshd\ndetection:\n  keywords:\n    - 'Corrupted MAC on input'\n"
			   "  condition: keywords\nlevel: medium\n";
	const char *other = "title: sudo shell\nlogsource:\n  product: linux\n  service: sudo\ndetection:\n"
			    "  sel:\n    message|contains: 'COMMAND=/bin/sh'\n  condition: sel\n";
	const char *sdrule = "title: SD field\nlogsource:\n  product: linux\ndetection:\n  sel:\n"
			     "    sd.origin.ip: '192.0.2.5'\n    severity: err\n  condition: sel\n";
	char map[1024];
	vg_load_report rep = {0};
	vg_diag d;
	vg_ruleset *rs = vg_ruleset_new();
	snprintf(map, sizeof map, "%s/etc/detect/syslog.yml", getenv("VIGIE_SOURCE_ROOT") ? getenv("VIGIE_SOURCE_ROOT") : "..");
	if (access(map, R_OK) != 0)
		snprintf(map, sizeof map, "../../etc/detect/syslog.yml");
	assert_int_equal(vg_ruleset_load_mapping(rs, map, &d), VG_OK);
	assert_int_equal(vg_ruleset_load_string(rs, "r.yml", rule, strlen(rule), &rep), VG_OK);
	assert_int_equal(vg_ruleset_load_string(rs, "o.yml", other, strlen(other), &rep), VG_OK);
	assert_int_equal(vg_ruleset_load_string(rs, "s.yml", sdrule, strlen(sdrule), &rep), VG_OK);
	assert_int_equal(vg_ruleset_compile(rs, &d), VG_OK);
	assert_true(vg_ruleset_rule(rs, 0)->active);
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	const char *lines[] = {
		"<38>Nov 27 10:00:00 gw sshd[77]: Corrupted MAC on input. [preauth]",      /* sshd: hit */
		"<38>Nov 27 10:00:00 gw dropbear[77]: Corrupted MAC on input. [preauth]", /* another program */
		"<86>1 2026-11-27T10:00:00Z gw sudo - - - alice : COMMAND=/bin/sh",       /* sudo rule */
		"<11>1 2026-11-27T10:00:00Z gw app - - [origin ip=\"192.0.2.5\"] x",     /* sd.origin.ip, err */
		"<12>1 2026-11-27T10:00:00Z gw app - - [origin ip=\"192.0.2.5\"] x",     /* warning: no */
	};
	int want[] = {1, 0, 1, 1, 0};
	for (size_t i = 0; i < 5; i++) {
		hits h = {0};
		vg_buf b;
		vg_buf_init(&b, 0);
		assert_int_equal(vg_syslog_parse(lines[i], strlen(lines[i]), NOW, &msg, NULL, &d), VG_OK);
		assert_int_equal(vg_syslog_to_json(&msg, NULL, &b), VG_OK);
		assert_int_equal(vg_detect_json(sc, b.data, b.len, on_hit, &h, &d), want[i]);
		vg_buf_fini(&b);
	}
	vg_detect_scratch_free(sc);
	vg_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_rfc5424_examples), cmocka_unit_test(t_sd_escaping), cmocka_unit_test(t_rfc3164),
		cmocka_unit_test(t_year_inference),   cmocka_unit_test(t_malformed),   cmocka_unit_test(t_bounds),
		cmocka_unit_test(t_framing),	      cmocka_unit_test(t_input_files), cmocka_unit_test(t_resume),
		cmocka_unit_test(t_listeners),	      cmocka_unit_test(t_sigma_over_syslog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
