/* Table-driven test of vg_policy: every role x action x object (none, same
 * organisation/owner, other organisation/owner) x read-only token. The
 * expectations are written out here independently of policy.c's table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/actor.h"
#include "auth/policy.h"

/* Per role, three letters: object NULL, object of the actor's own
 * organisation (or owned by the actor), object of another organisation (or
 * owned by someone else). A=allow D=deny(403) H=hidden(404) U=log in(401). */
typedef struct expect_row {
	vg_action action;
	const char *name;
	bool writes;
	const char *admin, *analyst, *constituent, *partner;
} expect_row;

static const expect_row rows[] = {
	{VG_ACT_PUBLIC, "public", false, "AAA", "AAA", "AAA", "AAA"},
	{VG_ACT_SELF_READ, "self.read", false, "AAA", "AAA", "AAA", "AAA"},
	{VG_ACT_SELF_WRITE, "self.write", true, "AAA", "AAA", "AAA", "AAA"},
	{VG_ACT_ORG_READ, "org.read", false, "AAA", "AAA", "AAH", "AAH"},
	{VG_ACT_ORG_CREATE, "org.create", true, "AAA", "AAA", "DDH", "DDH"},
	{VG_ACT_ORG_UPDATE, "org.update", true, "AAA", "AAA", "DDH", "DDH"},
	{VG_ACT_ORG_DELETE, "org.delete", true, "AAA", "AAA", "DDH", "DDH"},
	{VG_ACT_ORG_CONTACT_WRITE, "org.contact.write", true, "AAA", "AAA", "AAH", "DDH"},
	{VG_ACT_ORG_PRODUCT_WRITE, "org.product.write", true, "AAA", "AAA", "AAH", "DDH"},
	{VG_ACT_ORG_ATTRIB_WRITE, "org.attrib.write", true, "AAA", "AAA", "DDH", "DDH"},
	{VG_ACT_REGISTRY_IMPORT, "registry.import", true, "AAA", "AAA", "DDD", "DDD"},
	{VG_ACT_REGISTRY_EXPORT, "registry.export", false, "AAA", "AAA", "DDD", "DDD"},
	{VG_ACT_LOOKUP, "lookup", false, "AAA", "AAA", "AAH", "AAH"},
	{VG_ACT_USER_READ, "user.read", false, "AAA", "AAA", "AAH", "AAH"},
	{VG_ACT_USER_WRITE, "user.write", true, "AAA", "DDD", "DDH", "DDH"},
	{VG_ACT_TOKEN_READ, "token.read", false, "AAA", "AAH", "AAH", "AAH"},
	{VG_ACT_TOKEN_WRITE, "token.write", true, "AAA", "AAH", "AAH", "AAH"},
	{VG_ACT_AUDIT_READ, "audit.read", false, "AAA", "DDD", "DDD", "DDD"},
	{VG_ACT_METRICS, "metrics", false, "AAA", "AAA", "DDD", "DDD"},
	{VG_ACT_CONFIG_READ, "config.read", false, "AAA", "DDD", "DDD", "DDD"},
	{VG_ACT_REPORT_CREATE, "report.create", true, "AAA", "AAA", "AAH", "DDH"},
	{VG_ACT_REPORT_READ, "report.read", false, "AAA", "AAA", "AAH", "DDH"},
	{VG_ACT_REPORT_TRIAGE, "report.triage", true, "AAA", "AAA", "DDH", "DDH"},
	{VG_ACT_INCIDENT_READ, "incident.read", false, "AAA", "AAA", "AAH", "DDH"},
	{VG_ACT_INCIDENT_WRITE, "incident.write", true, "AAA", "AAA", "DDH", "DDH"},
	{VG_ACT_INCIDENT_REPLY, "incident.reply", true, "AAA", "AAA", "AAH", "DDH"},
	{VG_ACT_OBSERVABLE_READ, "observable.read", false, "AAA", "AAA", "AAH", "DDH"},
	{VG_ACT_OBSERVABLE_WRITE, "observable.write", true, "AAA", "AAA", "DDH", "DDH"},
	{VG_ACT_PLAYBOOK_READ, "playbook.read", false, "AAA", "AAA", "DDD", "DDD"},
	{VG_ACT_PLAYBOOK_WRITE, "playbook.write", true, "AAA", "AAA", "DDD", "DDD"},
	{VG_ACT_ALERT_READ, "alert.read", false, "AAA", "AAA", "AAH", "DDH"},
	{VG_ACT_ALERT_WRITE, "alert.write", true, "AAA", "AAA", "DDH", "DDH"},
};

#define MY_ORG 10
#define OTHER_ORG 20
#define MY_ID 100
#define OTHER_ID 200

static vg_decision letter(char c)
{
	switch (c) {
	case 'A': return VG_ALLOW;
	case 'D': return VG_DENY;
	case 'H': return VG_DENY_HIDDEN;
	default: return VG_DENY_AUTH;
	}
}

static const char *dname(vg_decision d)
{
	static const char *n[] = {"ALLOW", "DENY_AUTH", "DENY", "DENY_HIDDEN"};
	return (unsigned)d < 4 ? n[d] : "?";
}

/* The object a handler would build for this action. */
static vg_object object_for(vg_action a, bool mine)
{
	vg_object o = {.type = "organisation", .org_id = mine ? MY_ORG : OTHER_ORG, .owner_id = 0, .tlp = -1};
	if (a == VG_ACT_TOKEN_READ || a == VG_ACT_TOKEN_WRITE) {
		o.type = "token";
		o.org_id = 0;
		o.owner_id = mine ? MY_ID : OTHER_ID;
	} else if (a == VG_ACT_USER_READ || a == VG_ACT_USER_WRITE) {
		o.type = "user";
		o.owner_id = mine ? MY_ID : OTHER_ID;
	}
	return o;
}

static vg_actor make_actor(vg_role r, bool read_only)
{
	vg_actor a;
	memset(&a, 0, sizeof a);
	if (r != VG_ROLE_NONE) {
		a.user_id = MY_ID;
		a.org_id = MY_ORG;
		a.method = read_only ? VG_AUTH_TOKEN : VG_AUTH_SESSION;
	}
	a.role = r;
	a.read_only = read_only;
	return a;
}

static void test_table_complete(void **state)
{
	(void)state;
	assert_int_equal(sizeof rows / sizeof rows[0], VG_ACT__COUNT);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_int_equal(rows[i].action, (vg_action)i);
		assert_string_equal(vg_action_name(rows[i].action), rows[i].name);
		assert_int_equal(vg_action_writes(rows[i].action), rows[i].writes);
	}
	assert_string_equal(vg_action_name(VG_ACT__COUNT), "unknown");
	assert_false(vg_action_writes(VG_ACT__COUNT));
}

static void test_matrix(void **state)
{
	int checked = 0, failures = 0;
	(void)state;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const expect_row *row = &rows[i];
		const char *per_role[VG_ROLE__COUNT] = {"UUU", row->admin, row->analyst, row->constituent,
							row->partner};
		if (row->action == VG_ACT_PUBLIC)
			per_role[VG_ROLE_NONE] = "AAA";
		for (int r = 0; r < VG_ROLE__COUNT; r++) {
			for (int ro = 0; ro < 2; ro++) {
				vg_actor a = make_actor((vg_role)r, ro == 1);
				for (int k = 0; k < 3; k++) {
					vg_object o = object_for(row->action, k == 1);
					vg_decision want = letter(per_role[r][k]);
					vg_decision got = vg_policy(&a, row->action, k == 0 ? NULL : &o);
					/* a read-only token turns every allowed write into 403 */
					if (ro && row->writes && want == VG_ALLOW)
						want = VG_DENY;
					if (got != want) {
						print_error("%s role=%s read_only=%d object=%s: want %s got %s\n", row->name,
							    vg_role_name((vg_role)r), ro, k == 0 ? "none" : k == 1 ? "same" : "other",
							    dname(want), dname(got));
						failures++;
					}
					checked++;
				}
			}
		}
	}
	assert_int_equal(checked, VG_ACT__COUNT * VG_ROLE__COUNT * 2 * 3);
	assert_int_equal(failures, 0);
}

static void test_other_org_hidden(void **state)
{
	/* constituents and partners never learn that another organisation's object exists */
	(void)state;
	for (int r = VG_ROLE_CONSTITUENT; r <= VG_ROLE_PARTNER; r++) {
		vg_actor a = make_actor((vg_role)r, false);
		for (int act = 0; act < VG_ACT__COUNT; act++) {
			vg_object o = object_for((vg_action)act, false);
			vg_decision got = vg_policy(&a, (vg_action)act, &o);
			if (o.org_id == OTHER_ORG || o.owner_id == OTHER_ID) {
				if (act == VG_ACT_PUBLIC || act == VG_ACT_SELF_READ || act == VG_ACT_SELF_WRITE ||
				    act == VG_ACT_REGISTRY_IMPORT || act == VG_ACT_REGISTRY_EXPORT ||
				    act == VG_ACT_AUDIT_READ || act == VG_ACT_METRICS || act == VG_ACT_CONFIG_READ ||
				    act == VG_ACT_PLAYBOOK_READ || act == VG_ACT_PLAYBOOK_WRITE)
					continue; /* not object-scoped */
				assert_int_equal(got, VG_DENY_HIDDEN);
			}
		}
	}
}

static void test_edge_actors(void **state)
{
	vg_actor a = make_actor(VG_ROLE_CONSTITUENT, false);
	vg_object o = {.type = "organisation", .org_id = 0, .tlp = -1};
	(void)state;
	assert_int_equal(vg_policy(NULL, VG_ACT_PUBLIC, NULL), VG_ALLOW);
	assert_int_equal(vg_policy(NULL, VG_ACT_ORG_READ, NULL), VG_DENY_AUTH);
	assert_int_equal(vg_policy(&a, VG_ACT__COUNT, NULL), VG_DENY);
	/* a constituent without an organisation sees no organisation, not org 0 */
	a.org_id = 0;
	assert_int_equal(vg_policy(&a, VG_ACT_ORG_READ, &o), VG_DENY_HIDDEN);
	assert_int_equal(vg_policy_org_scope(&a), -1);
	/* an out-of-range role is anonymous */
	a.role = VG_ROLE__COUNT;
	assert_int_equal(vg_policy(&a, VG_ACT_ORG_READ, NULL), VG_DENY_AUTH);
}

static void test_org_scope(void **state)
{
	vg_actor a;
	(void)state;
	a = make_actor(VG_ROLE_ADMIN, false);
	assert_int_equal(vg_policy_org_scope(&a), 0);
	a = make_actor(VG_ROLE_ANALYST, true);
	assert_int_equal(vg_policy_org_scope(&a), 0);
	a = make_actor(VG_ROLE_CONSTITUENT, false);
	assert_int_equal(vg_policy_org_scope(&a), MY_ORG);
	a = make_actor(VG_ROLE_PARTNER, false);
	assert_int_equal(vg_policy_org_scope(&a), MY_ORG);
	a = make_actor(VG_ROLE_NONE, false);
	assert_int_equal(vg_policy_org_scope(&a), -1);
	assert_int_equal(vg_policy_org_scope(NULL), -1);
}

static void test_roles(void **state)
{
	vg_actor a;
	(void)state;
	for (int r = VG_ROLE_ADMIN; r < VG_ROLE__COUNT; r++)
		assert_int_equal(vg_role_parse(vg_role_name((vg_role)r)), r);
	assert_string_equal(vg_role_name(VG_ROLE_ANALYST), "analyst");
	assert_string_equal(vg_role_name(VG_ROLE__COUNT), "anonymous");
	assert_int_equal(vg_role_parse("root"), VG_ROLE_NONE);
	assert_int_equal(vg_role_parse("anonymous"), VG_ROLE_NONE);
	assert_int_equal(vg_role_parse(NULL), VG_ROLE_NONE);
	setenv("USER", "op\x01s", 1);
	unsetenv("SUDO_USER");
	vg_actor_local(&a);
	assert_int_equal(a.role, VG_ROLE_ADMIN);
	assert_int_equal(a.method, VG_AUTH_LOCAL);
	assert_string_equal(a.username, "cli:op_s");
	assert_int_equal(vg_policy(&a, VG_ACT_USER_WRITE, NULL), VG_ALLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_complete), cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_other_org_hidden), cmocka_unit_test(test_edge_actors),
		cmocka_unit_test(test_org_scope), cmocka_unit_test(test_roles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
