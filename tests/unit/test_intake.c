/* Unit tests for src/intake on a database: submission, idempotency, e-mail
 * intake with the raw message kept, threading (In-Reply-To, subject
 * reference, into an incident's journal), triage suggestion from the
 * registry, decisions (refer, forward, new incident, merge, conflict). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cases/cases.h"
#include "core/clock.h"
#include "intake/intake.h"
#include "registry/registry.h"

static char dir[64], path[128];
static vg_db *db;
static vg_regindex *ix;
static vg_intake_config cfg;
static int64_t ministry, partner;

static int64_t q_int(const char *sql, int64_t arg)
{
	vg_stmt *st;
	int64_t v = -1;
	vg_diag d;
	assert_int_equal(vg_db_prepare(db, sql, &st, &d), VG_OK);
	vg_stmt_bind_int(st, 1, arg);
	if (vg_stmt_step(st, &d) == VG_ROW)
		v = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	return v;
}

static int setup(void **state)
{
	vg_config k;
	vg_cases_config cc;
	vg_db_options o = {.busy_timeout_ms = 2000};
	json_t *doc;
	vg_diag d;
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/vg-intake-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	vg_config_defaults(&k);
	snprintf(k.data_dir, sizeof k.data_dir, "%s/data", dir);
	snprintf(k.smtp_url, sizeof k.smtp_url, "%s", ""); /* queue only */
	snprintf(k.smtp_from, sizeof k.smtp_from, "cert@cert.example");
	if (vg_intake_config_from(&k, &cfg, &d))
		return -1;
	vg_cases_config_defaults(&cc);
	snprintf(cc.data_dir, sizeof cc.data_dir, "%s/data", dir);
	vg_cases_configure(&cc);
	if (vg_db_open(path, &o, &db, &d))
		return -1;
	doc = json_pack("{ss ss s[s] s[s] s[{ss}]}", "name", "Ministry", "kind", "ministry", "domains", "min.example",
			"networks", "192.0.2.0/24", "contacts", "email", "soc@min.example");
	if (vg_org_create(db, doc, &ministry, &d))
		return -1;
	json_decref(doc);
	doc = json_pack("{ss ss sb s[{ss}]}", "name", "CERT-X", "kind", "partner_cert", "in_scope", 0, "contacts", "email",
			"ir@cert-x.example");
	if (vg_org_create(db, doc, &partner, &d))
		return -1;
	json_decref(doc);
	doc = json_pack("{ss ss sI sb s[s]}", "name", "X Agency", "kind", "public_body", "parent_id", (json_int_t)partner,
			"in_scope", 0, "networks", "203.0.113.0/24");
	int64_t child;
	if (vg_org_create(db, doc, &child, &d))
		return -1;
	json_decref(doc);
	return vg_regindex_build(db, &ix, &d) == VG_OK ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[160];
	(void)state;
	vg_regindex_release(ix);
	vg_db_close(db);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static vg_intake_result submit_api(const char *subject, const char *body, const char *email, const char *key)
{
	vg_report_input in = {.source = VG_SRC_API, .reporter_name = "", .reporter_email = email, .subject = subject,
			      .body = body, .idempotency_key = key, .created_by = 0};
	vg_intake_result res;
	vg_diag d;
	assert_int_equal(vg_report_submit(db, &cfg, ix, &in, NULL, &res, &d), VG_OK);
	return res;
}

static vg_intake_result mail(const char *raw)
{
	vg_intake_result res;
	vg_audit_ctx ac = {.actor = "mailgate"};
	vg_diag d;
	vg_err e = vg_mailgate_deliver(db, &cfg, ix, raw, strlen(raw), &ac, &res, &d);
	if (e)
		fail_msg("deliver: %s", d.message);
	return res;
}

static void test_suggestion(void **state)
{
	json_t *s;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_triage_suggest(db, ix, "soc@min.example", "nothing", &s, &d), VG_OK);
	assert_string_equal(json_string_value(json_object_get(s, "decision")), "in_scope");
	assert_int_equal(json_integer_value(json_object_get(s, "org_id")), ministry);
	json_decref(s);
	assert_int_equal(vg_triage_suggest(db, ix, "x@gmail.example", "traffic from 192.0.2[.]77 to hxxp://www.min[.]example/a", &s, &d), VG_OK);
	assert_string_equal(json_string_value(json_object_get(s, "decision")), "in_scope");
	assert_int_equal(json_array_size(json_object_get(s, "matches")), 2);
	json_decref(s);
	assert_int_equal(vg_triage_suggest(db, ix, "x@gmail.example", "C2 at 203.0.113.9", &s, &d), VG_OK);
	assert_string_equal(json_string_value(json_object_get(s, "decision")), "forward");
	assert_int_equal(json_integer_value(json_object_get(s, "partner_org_id")), partner);
	json_decref(s);
	assert_int_equal(vg_triage_suggest(db, ix, "bob@bakery.example", "my shop site", &s, &d), VG_OK);
	assert_string_equal(json_string_value(json_object_get(s, "decision")), "refer");
	json_decref(s);
}

/* The mailgate's SQL lookups give exactly the suggestion the index gives:
 * most specific prefix, longest domain suffix, contact address then domain,
 * IPv6, partners, nothing. */
static void test_suggestion_sql_matches_index(void **state)
{
	static const struct {
		const char *from, *text;
	} cases[] = {
		{"soc@min.example", "nothing"},
		{"a@sub.min.example", "nothing"},
		{"x@gmail.example", "hosts 192.0.2.200 and 192.0.2.5, see hxxp://www.sub.min[.]example/x"},
		{"x@gmail.example", "beacon to 2001:db8:5::1 and 2001:db8:6::1"},
		{"x@gmail.example", "C2 at 203.0.113.9, mail ir@cert-x.example"},
		{"bob@bakery.example", "my shop site 198.18.0.1"},
		{"", "deep.www.min.example and 0.0.0.0"},
	};
	vg_regindex *ix2 = NULL;
	json_t *doc;
	int64_t sub = 0;
	vg_diag d;
	(void)state;
	doc = json_pack("{ss ss sI s[ss] s[ss]}", "name", "Sub unit", "kind", "ministry", "parent_id", (json_int_t)ministry,
			"domains", "sub.min.example", "other.example", "networks", "192.0.2.128/25", "2001:db8:5::/48");
	assert_int_equal(vg_org_create(db, doc, &sub, &d), VG_OK);
	json_decref(doc);
	doc = json_pack("{ss ss s[s]}", "name", "Wide", "kind", "isp", "networks", "2001:db8::/32");
	int64_t wide;
	assert_int_equal(vg_org_create(db, doc, &wide, &d), VG_OK);
	json_decref(doc);
	assert_int_equal(vg_regindex_build(db, &ix2, &d), VG_OK);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *a = NULL, *b = NULL;
		assert_int_equal(vg_triage_suggest(db, ix2, cases[i].from, cases[i].text, &a, &d), VG_OK);
		assert_int_equal(vg_triage_suggest_sql(db, cases[i].from, cases[i].text, &b, &d), VG_OK);
		if (!json_equal(a, b)) {
			char *x = json_dumps(a, JSON_COMPACT), *y = json_dumps(b, JSON_COMPACT);
			print_error("case %zu: index %s\n            sql %s\n", i, x, y);
			free(x);
			free(y);
			fail();
		}
		if (i == 1 || i == 2) /* the sub-unit: most specific prefix, longest domain suffix */
			assert_int_equal(json_integer_value(json_object_get(b, "org_id")), sub);
		if (i == 3) { /* 2001:db8:5::/48 beats 2001:db8::/32 */
			json_t *m = json_object_get(b, "matches");
			assert_int_equal(json_array_size(m), 2);
			assert_int_equal(json_integer_value(json_object_get(json_array_get(m, 0), "org_id")), sub);
			assert_int_equal(json_integer_value(json_object_get(json_array_get(m, 1), "org_id")), wide);
		}
		json_decref(a);
		json_decref(b);
	}
	vg_regindex_release(ix2);
}

/* A reporter writing from an address outside the organisation's domains
 * (a personal mailbox listed as a contact) is matched by that contact. */
static void test_reporter_contact_outside_domains(void **state)
{
	vg_regindex *ix2 = NULL;
	json_t *doc, *s = NULL, *m;
	int64_t town = 0;
	vg_diag d;
	(void)state;
	doc = json_pack("{ss ss s[s] s[{ss ss}]}", "name", "Town hall", "kind", "local_authority", "domains",
			"mairie-exemple.example", "contacts", "email", "RSSI@Gmail.example", "role", "security");
	assert_int_equal(vg_org_create(db, doc, &town, &d), VG_OK);
	json_decref(doc);
	assert_int_equal(vg_regindex_build(db, &ix2, &d), VG_OK);
	for (int sql = 0; sql < 2; sql++) {
		assert_int_equal(sql ? vg_triage_suggest_sql(db, "rssi@gmail.example", "our site is down", &s, &d)
				     : vg_triage_suggest(db, ix2, "rssi@gmail.example", "our site is down", &s, &d),
				 VG_OK);
		assert_string_equal(json_string_value(json_object_get(s, "decision")), "in_scope");
		assert_int_equal(json_integer_value(json_object_get(s, "org_id")), town);
		m = json_object_get(s, "matches");
		assert_int_equal(json_array_size(m), 1);
		assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "type")), "reporter");
		assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "value")), "rssi@gmail.example");
		assert_string_equal(json_string_value(json_object_get(s, "reasons") ? json_array_get(json_object_get(s, "reasons"), 0) : NULL),
				    "the reporter belongs to a constituent");
		json_decref(s);
		/* another mailbox of the same public provider matches nobody */
		assert_int_equal(sql ? vg_triage_suggest_sql(db, "someone@gmail.example", "our site is down", &s, &d)
				     : vg_triage_suggest(db, ix2, "someone@gmail.example", "our site is down", &s, &d),
				 VG_OK);
		assert_string_equal(json_string_value(json_object_get(s, "decision")), "refer");
		assert_true(json_is_null(json_object_get(s, "org_id")));
		json_decref(s);
	}
	/* the report submitted from that address is the town's */
	vg_report_input in = {.source = VG_SRC_API, .reporter_name = "", .reporter_email = "rssi@gmail.example",
			      .subject = "Site down", .body = "our site is down", .idempotency_key = ""};
	vg_intake_result res;
	assert_int_equal(vg_report_submit(db, &cfg, ix2, &in, NULL, &res, &d), VG_OK);
	assert_int_equal(q_int("SELECT coalesce(org_id, 0) FROM reports WHERE id = ?", res.report_id), town);
	vg_regindex_release(ix2);
}

/* The form's structured fields: checked, canonical, stored and returned. */
static void test_report_fields(void **state)
{
	static const struct {
		const char *rsit, *stage, *field;
	} bad[] = {{"bogus", "", "rsit_type"}, {"phishing", "late", "nis2_stage"},
		   {"", "nis2_notification", "nis2_stage"}};
	vg_report_input in = {.source = VG_SRC_FORM, .reporter_email = "", .subject = "Form", .body = "text",
			      .idempotency_key = "", .rsit_type = "Ransomware", .detected_at = 1772445600000LL,
			      .systems_affected = "file server", .nis2_stage = "final_report"};
	vg_intake_result res;
	json_t *o = NULL;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_report_fields_check(&in, &d), VG_OK);
	assert_string_equal(in.rsit_type, "infected-system");
	assert_int_equal(vg_report_submit(db, &cfg, ix, &in, NULL, &res, &d), VG_OK);
	assert_int_equal(vg_report_get_json(db, res.report_id, false, &o, &d), VG_OK);
	assert_string_equal(json_string_value(json_object_get(o, "rsit_type")), "infected-system");
	assert_string_equal(json_string_value(json_object_get(o, "detected_at")), "2026-03-02T10:00:00Z");
	assert_string_equal(json_string_value(json_object_get(o, "systems_affected")), "file server");
	assert_string_equal(json_string_value(json_object_get(o, "nis2_stage")), "final_report");
	json_decref(o);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		vg_report_input b = {.rsit_type = bad[i].rsit, .nis2_stage = bad[i].stage};
		vg_diag_clear(&d);
		assert_int_equal(vg_report_fields_check(&b, &d), VG_ERR_INVALID);
		assert_string_equal(d.field, bad[i].field);
	}
}

static void test_submit_idempotent_and_ack(void **state)
{
	vg_intake_result a, b, c;
	(void)state;
	a = submit_api("Scan", "port scan from 198.51.100.1", "soc@min.example", "key-1");
	assert_true(a.created);
	assert_int_equal(a.noutbox, 1);
	b = submit_api("Scan", "port scan from 198.51.100.1", "soc@min.example", "key-1");
	assert_true(b.duplicate);
	assert_false(b.created);
	assert_int_equal(b.report_id, a.report_id);
	assert_string_equal(b.reference, a.reference);
	assert_int_equal(b.noutbox, 0);
	c = submit_api("Scan", "port scan from 198.51.100.1", "", "");
	assert_true(c.created);
	assert_int_equal(c.noutbox, 0); /* nobody to acknowledge */
	assert_int_equal(q_int("SELECT org_id FROM reports WHERE id = ?", a.report_id), ministry);
	assert_int_equal(q_int("SELECT count(*) FROM outbox WHERE object_id = ?", a.report_id), 1);
}

static void test_mail_threading(void **state)
{
	vg_intake_result r, reply, reply2, dup;
	char buf[1024], ackid[300];
	vg_stmt *st;
	vg_diag d;
	struct stat sb;
	(void)state;
	r = mail("From: Soc <soc@min.example>\nSubject: Phishing\nMessage-ID: <m1@min.example>\n\nA phishing wave.\n");
	assert_true(r.created);
	/* raw kept by hash */
	assert_int_equal(vg_db_prepare(db, "SELECT raw_sha256 FROM reports WHERE id = ?", &st, &d), VG_OK);
	vg_stmt_bind_int(st, 1, r.report_id);
	assert_int_equal(vg_stmt_step(st, &d), VG_ROW);
	snprintf(buf, sizeof buf, "%s/data/mail/%.2s/%.2s/%s", dir, vg_stmt_text(st, 0), vg_stmt_text(st, 0) + 2,
		 vg_stmt_text(st, 0));
	vg_stmt_done(st);
	assert_int_equal(stat(buf, &sb), 0);
	/* the acknowledgement's Message-ID threads the reply */
	assert_int_equal(vg_db_prepare(db, "SELECT message_id FROM outbox WHERE object_id = ? AND purpose = 'ack'", &st, &d),
			 VG_OK);
	vg_stmt_bind_int(st, 1, r.report_id);
	assert_int_equal(vg_stmt_step(st, &d), VG_ROW);
	snprintf(ackid, sizeof ackid, "%s", vg_stmt_text(st, 0));
	vg_stmt_done(st);
	snprintf(buf, sizeof buf, "From: soc@min.example\nSubject: details\nMessage-ID: <m2@min.example>\nIn-Reply-To: %s\n\nMore.\n",
		 ackid);
	reply = mail(buf);
	assert_true(reply.threaded);
	assert_int_equal(reply.report_id, r.report_id);
	dup = mail(buf);
	assert_true(dup.duplicate);
	/* by subject reference */
	snprintf(buf, sizeof buf, "From: soc@min.example\nSubject: Re: [%s] x\nMessage-ID: <m3@min.example>\n\nEven more.\n",
		 r.reference);
	reply2 = mail(buf);
	assert_true(reply2.threaded);
	assert_int_equal(q_int("SELECT count(*) FROM report_messages WHERE report_id = ?", r.report_id), 2);
	/* into an incident once decided */
	vg_triage_decision t = {.decision = "new_incident", .user_name = "test"};
	int64_t queued;
	assert_int_equal(vg_report_triage(db, &cfg, r.report_id, &t, NULL, &queued, &d), VG_OK);
	int64_t inc = q_int("SELECT incident_id FROM reports WHERE id = ?", r.report_id);
	assert_true(inc > 0);
	snprintf(buf, sizeof buf, "From: soc@min.example\nSubject: again\nMessage-ID: <m4@min.example>\nReferences: <m1@min.example> %s\n\nLast.\n",
		 ackid);
	reply2 = mail(buf);
	assert_true(reply2.threaded);
	assert_int_equal(reply2.incident_id, inc);
	assert_int_equal(q_int("SELECT count(*) FROM journal WHERE incident_id = ? AND kind = 'email_in'", inc), 1);
	assert_int_equal(q_int("SELECT count(*) FROM journal WHERE incident_id = ? AND kind = 'report'", inc), 1);
	/* the incident merged into another: later mail follows to the survivor */
	json_t *doc = json_pack("{ss}", "title", "survivor");
	int64_t dst = 0;
	assert_int_equal(vg_incident_create(db, doc, NULL, &dst, &d), VG_OK);
	json_decref(doc);
	assert_int_equal(vg_incident_merge(db, inc, dst, 0, NULL, &d), VG_OK);
	snprintf(buf, sizeof buf, "From: soc@min.example\nSubject: Re: [%s]\nMessage-ID: <m5@min.example>\n\nAfter merge.\n",
		 r.reference);
	reply2 = mail(buf);
	assert_true(reply2.threaded);
	assert_int_equal(reply2.incident_id, dst);
}

static void test_triage_decisions(void **state)
{
	vg_intake_result a = submit_api("Bakery hacked", "my shop", "bob@bakery.example", "");
	vg_intake_result b = submit_api("C2", "beacon to 203.0.113.9", "x@isp.example", "");
	vg_triage_decision t = {.decision = "refer", .user_id = 0, .user_name = "test"};
	int64_t queued = 0;
	vg_diag d;
	(void)state;
	assert_int_equal(vg_report_triage(db, &cfg, a.report_id, &t, NULL, &queued, &d), VG_OK);
	assert_true(queued > 0);
	assert_int_equal(q_int("SELECT count(*) FROM outbox WHERE id = ? AND purpose = 'referral' AND data LIKE '%cybermalveillance%'", queued), 1);
	/* decided: a second decision is a conflict */
	t.decision = "in_scope";
	assert_int_equal(vg_report_triage(db, &cfg, a.report_id, &t, NULL, &queued, &d), VG_ERR_CONFLICT);
	/* forward: only to a partner CERT with a contact */
	t.decision = "forward";
	t.partner_org_id = ministry;
	assert_int_equal(vg_report_triage(db, &cfg, b.report_id, &t, NULL, &queued, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "partner_org_id");
	t.partner_org_id = partner;
	assert_int_equal(vg_report_triage(db, &cfg, b.report_id, &t, NULL, &queued, &d), VG_OK);
	assert_int_equal(q_int("SELECT count(*) FROM outbox WHERE id = ? AND rcpt = 'ir@cert-x.example'", queued), 1);
	assert_int_equal(q_int("SELECT partner_org_id FROM reports WHERE id = ?", b.report_id), partner);
	/* merge into a missing incident */
	vg_intake_result c = submit_api("m", "m", "", "");
	t.decision = "merge";
	t.incident_id = 424242;
	assert_int_equal(vg_report_triage(db, &cfg, c.report_id, &t, NULL, &queued, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "incident_id");
	assert_int_equal(vg_report_triage(db, &cfg, 999999, &t, NULL, &queued, &d), VG_ERR_NOT_FOUND);
}

static void test_list_and_get(void **state)
{
	vg_report_filter f = {0};
	json_t *out;
	vg_diag d;
	(void)state;
	f.status = "referred";
	assert_int_equal(vg_report_list_json(db, &f, &out, &d), VG_OK);
	assert_true(json_array_size(json_object_get(out, "items")) >= 1);
	json_decref(out);
	f.status = "nope";
	assert_int_equal(vg_report_list_json(db, &f, &out, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "status");
	memset(&f, 0, sizeof f);
	f.scope_org_id = ministry;
	assert_int_equal(vg_report_list_json(db, &f, &out, &d), VG_OK);
	json_t *it;
	size_t i;
	json_array_foreach(json_object_get(out, "items"), i, it)
		assert_int_equal(json_integer_value(json_object_get(it, "org_id")), ministry);
	json_decref(out);
	assert_int_equal(vg_report_get_json(db, 1, true, &out, &d), VG_OK);
	assert_non_null(json_object_get(out, "messages"));
	assert_non_null(json_object_get(out, "outbox"));
	json_decref(out);
	assert_int_equal(vg_report_get_json(db, 99999, true, &out, &d), VG_ERR_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suggestion),
		cmocka_unit_test(test_submit_idempotent_and_ack),
		cmocka_unit_test(test_mail_threading),
		cmocka_unit_test(test_triage_decisions),
		cmocka_unit_test(test_list_and_get),
		cmocka_unit_test(test_suggestion_sql_matches_index),
		cmocka_unit_test(test_reporter_contact_outside_domains),
		cmocka_unit_test(test_report_fields),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
