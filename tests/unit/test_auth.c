/* Unit tests for src/auth: passwords, users, bootstrap, login and sessions
 * (idle and absolute expiry on a fake clock), API tokens, the throttle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/auth.h"
#include "auth/password.h"
#include "auth/policy.h"
#include "auth/sessions.h"
#include "auth/throttle.h"
#include "auth/tokens.h"
#include "auth/users.h"
#include "core/clock.h"

#define T0 1800000000000LL /* fake "now" */
#define PW "correct horse battery"

static char dir[64];
static char path[128];
static int64_t org_a, org_b;

static int64_t add_org(vg_db *db, const char *name)
{
	vg_stmt *st;
	vg_diag d;
	assert_int_equal(vg_db_prepare(db,
		"INSERT INTO organisations(name, kind, created_at, updated_at) VALUES (?, 'ministry', 0, 0)",
		&st, &d), VG_OK);
	vg_stmt_bind_text(st, 1, name, -1);
	assert_int_equal(vg_stmt_exec(st, &d), VG_OK);
	vg_stmt_done(st);
	return vg_db_last_id(db);
}

static int setup(void **state)
{
	vg_db *db = NULL;
	vg_db_options o = {.busy_timeout_ms = 2000};
	vg_diag d;
	snprintf(dir, sizeof dir, "/tmp/vg-auth-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/t.db", dir);
	if (vg_db_open(path, &o, &db, &d) != VG_OK)
		return -1;
	org_a = add_org(db, "Ministry A");
	org_b = add_org(db, "Ministry B");
	vg_time_set_fake(T0);
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];
	vg_time_set_fake(0);
	vg_db_close(*state);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd);
}

static int64_t add_user(vg_db *db, const char *name, vg_role role, int64_t org)
{
	vg_user_input in = {.username = name, .password = PW, .role = role, .org_id = org};
	int64_t id = 0;
	vg_diag d;
	assert_int_equal(vg_user_create(db, &in, NULL, &id, &d), VG_OK);
	assert_true(id > 0);
	return id;
}

static int64_t count(vg_db *db, const char *sql, int64_t arg)
{
	vg_stmt *st;
	vg_diag d;
	int64_t n;
	assert_int_equal(vg_db_prepare(db, sql, &st, &d), VG_OK);
	vg_stmt_bind_int(st, 1, arg);
	assert_int_equal(vg_stmt_step(st, &d), VG_ROW);
	n = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	return n;
}

/* ---- passwords ---- */

static void test_password(void **state)
{
	char h[VG_PASSWORD_HASH_SIZE], g[VG_PASSWORD_GEN_LEN + 1], s[VG_B64URL_LEN(32) + 1];
	vg_diag d;
	(void)state;
	assert_int_equal(vg_password_hash(PW, h, sizeof h, &d), VG_OK);
	assert_non_null(strstr(h, "$argon2id$"));
	assert_true(vg_password_verify(h, PW));
	assert_false(vg_password_verify(h, PW "x"));
	assert_false(vg_password_verify("garbage", PW));
	assert_false(vg_password_needs_rehash(h));
	/* made with the fast test parameters: outdated for the real ones */
	unsetenv("VIGIE_TEST_FAST_HASH");
	assert_true(vg_password_needs_rehash(h));
	setenv("VIGIE_TEST_FAST_HASH", "1", 1);

	assert_int_equal(vg_password_check_policy("short", "bob", &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "password");
	assert_int_equal(vg_password_check_policy("Alice.Example", "alice.example", &d), VG_ERR_INVALID);
	assert_non_null(strstr(d.message, "username"));
	assert_int_equal(vg_password_check_policy("line\x01break and more", "bob", &d), VG_ERR_INVALID);
	assert_int_equal(vg_password_check_policy(PW, "bob", &d), VG_OK);
	{
		char *big = malloc(VG_PASSWORD_MAX + 2);
		memset(big, 'a', VG_PASSWORD_MAX + 1);
		big[VG_PASSWORD_MAX + 1] = '\0';
		assert_int_equal(vg_password_check_policy(big, "bob", &d), VG_ERR_LIMIT);
		free(big);
	}

	assert_int_equal(vg_password_generate(g, sizeof g), VG_OK);
	assert_int_equal(strlen(g), VG_PASSWORD_GEN_LEN);
	assert_null(strpbrk(g, "01OlI"));
	assert_int_equal(vg_password_check_policy(g, "admin", &d), VG_OK);
	assert_int_equal(vg_secret_random_b64url(32, s, sizeof s), VG_OK);
	assert_int_equal(strlen(s), 43);
	assert_null(strpbrk(s, "+/="));
	assert_true(vg_auth_token_equal("abc", "abc"));
	assert_false(vg_auth_token_equal("abc", "abd"));
	assert_false(vg_auth_token_equal("abc", "abcd"));
	assert_false(vg_auth_token_equal("", ""));
	assert_false(vg_auth_token_equal(NULL, "a"));
}

/* ---- users ---- */

static void expect_create_error(vg_db *db, vg_user_input in, vg_err want, const char *field)
{
	vg_diag d;
	vg_diag_clear(&d);
	assert_int_equal(vg_user_create(db, &in, NULL, NULL, &d), want);
	assert_string_equal(d.field, field);
}

static void test_user_create(void **state)
{
	vg_db *db = *state;
	vg_user_input ok = {.username = "alice", .password = PW, .role = VG_ROLE_ANALYST, .org_id = org_a,
			    .display_name = "Alice", .email = "alice@example.org", .language = "fr"};
	vg_user_input in;
	vg_user u;
	vg_diag d;
	int64_t id;
	json_t *j;

	assert_int_equal(vg_user_create(db, &ok, NULL, &id, &d), VG_OK);
	in = ok, in.username = "Alice";
	expect_create_error(db, in, VG_ERR_INVALID, "username");
	in = ok, in.username = "a b";
	expect_create_error(db, in, VG_ERR_INVALID, "username");
	in = ok, in.username = "";
	expect_create_error(db, in, VG_ERR_INVALID, "username");
	in = ok, in.username = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"; /* 65 */
	expect_create_error(db, in, VG_ERR_INVALID, "username");
	in = ok; /* same name */
	expect_create_error(db, in, VG_ERR_CONFLICT, "username");
	in = ok, in.username = "bob", in.password = "tooshort";
	expect_create_error(db, in, VG_ERR_INVALID, "password");
	in = ok, in.username = "bob", in.role = VG_ROLE_NONE;
	expect_create_error(db, in, VG_ERR_INVALID, "role");
	in = ok, in.username = "bob", in.org_id = 999;
	expect_create_error(db, in, VG_ERR_INVALID, "org_id");
	in = ok, in.username = "bob", in.org_id = 0;
	expect_create_error(db, in, VG_ERR_INVALID, "org_id");
	in = ok, in.username = "bob", in.email = "not-an-address";
	expect_create_error(db, in, VG_ERR_INVALID, "email");
	in = ok, in.username = "bob", in.language = "x";
	expect_create_error(db, in, VG_ERR_INVALID, "language");
	in = ok, in.username = "bob", in.display_name = "tab\x02";
	expect_create_error(db, in, VG_ERR_INVALID, "display_name");

	assert_int_equal(vg_user_get(db, id, &u, &d), VG_OK);
	assert_string_equal(u.username, "alice");
	assert_int_equal(u.role, VG_ROLE_ANALYST);
	assert_string_equal(u.language, "fr");
	assert_int_equal(u.created_at, T0);
	assert_int_equal(vg_user_get_by_name(db, "ALICE", &u, &d), VG_OK); /* usernames compare case-insensitively */
	assert_int_equal(vg_user_get(db, 999, &u, &d), VG_ERR_NOT_FOUND);
	j = vg_user_json(&u);
	assert_null(json_object_get(j, "password_hash"));
	assert_string_equal(json_string_value(json_object_get(j, "role")), "analyst");
	json_decref(j);
}

static void test_user_list(void **state)
{
	vg_db *db = *state;
	vg_arena *a = vg_arena_new(0);
	vg_user_filter f = {0};
	vg_user *items;
	size_t n;
	int64_t next, c1;
	vg_diag d;
	char name[32];

	for (int i = 0; i < 7; i++) {
		snprintf(name, sizeof name, "user%d", i);
		add_user(db, name, i % 2 ? VG_ROLE_CONSTITUENT : VG_ROLE_ANALYST, i < 4 ? org_a : org_b);
	}
	f.limit = 3;
	assert_int_equal(vg_user_list(db, &f, a, &items, &n, &next, &d), VG_OK);
	assert_int_equal(n, 3);
	assert_string_equal(items[0].username, "user0");
	assert_int_equal(next, items[2].id);
	f.after_id = next;
	assert_int_equal(vg_user_list(db, &f, a, &items, &n, &next, &d), VG_OK);
	assert_int_equal(n, 3);
	assert_string_equal(items[0].username, "user3");
	f.after_id = next;
	assert_int_equal(vg_user_list(db, &f, a, &items, &n, &next, &d), VG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(next, 0);

	memset(&f, 0, sizeof f);
	f.org_id = org_b;
	assert_int_equal(vg_user_list(db, &f, a, &items, &n, &next, &d), VG_OK);
	assert_int_equal(n, 3);
	f.role = VG_ROLE_CONSTITUENT;
	assert_int_equal(vg_user_list(db, &f, a, &items, &n, &next, &d), VG_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].username, "user5");

	memset(&f, 0, sizeof f);
	f.q = "ER6";
	assert_int_equal(vg_user_list(db, &f, a, &items, &n, &next, &d), VG_OK);
	assert_int_equal(n, 1);
	f.q = "%"; /* LIKE wildcards are literal */
	assert_int_equal(vg_user_list(db, &f, a, &items, &n, &next, &d), VG_OK);
	assert_int_equal(n, 0);

	memset(&f, 0, sizeof f);
	f.scope_org = org_a;
	assert_int_equal(vg_user_list(db, &f, a, &items, &n, &next, &d), VG_OK);
	assert_int_equal(n, 4);
	c1 = items[1].id;
	f.only_user = c1;
	assert_int_equal(vg_user_list(db, &f, a, &items, &n, &next, &d), VG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].id, c1);
	f.scope_org = -1; /* no organisation: nothing */
	f.only_user = 0;
	assert_int_equal(vg_user_list(db, &f, a, &items, &n, &next, &d), VG_OK);
	assert_int_equal(n, 0);
	vg_arena_free(a);
}

static void test_user_update_disable(void **state)
{
	vg_db *db = *state;
	int64_t admin = add_user(db, "root", VG_ROLE_ADMIN, org_a);
	int64_t bob = add_user(db, "bob", VG_ROLE_CONSTITUENT, org_a);
	vg_user_patch p = VG_USER_PATCH_INIT;
	vg_audit_ctx ac = {admin, "root", "127.0.0.1", NULL};
	vg_login_result res;
	char secret[VG_TOKEN_SECRET_SIZE];
	vg_actor act;
	vg_user u;
	vg_diag d;

	p.display_name = "Bob B";
	p.role = VG_ROLE_PARTNER;
	p.org_id = org_b;
	assert_int_equal(vg_user_update(db, bob, &p, 0, &ac, &d), VG_OK);
	assert_int_equal(vg_user_get(db, bob, &u, &d), VG_OK);
	assert_string_equal(u.display_name, "Bob B");
	assert_int_equal(u.role, VG_ROLE_PARTNER);
	assert_int_equal(u.org_id, org_b);
	p = (vg_user_patch)VG_USER_PATCH_INIT;
	p.org_id = 999;
	assert_int_equal(vg_user_update(db, bob, &p, 0, &ac, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "org_id");
	assert_int_equal(vg_user_update(db, 999, &p, 0, &ac, &d), VG_ERR_NOT_FOUND);

	/* the last administrator cannot be demoted or disabled */
	p = (vg_user_patch)VG_USER_PATCH_INIT;
	p.role = VG_ROLE_ANALYST;
	assert_int_equal(vg_user_update(db, admin, &p, 0, &ac, &d), VG_ERR_CONFLICT);
	assert_int_equal(vg_user_disable(db, admin, &ac, &d), VG_ERR_CONFLICT);

	/* a password change ends the other sessions */
	assert_int_equal(vg_session_login(db, NULL, "bob", PW, "192.0.2.1", "t", 3600, &res, &d), VG_OK);
	p = (vg_user_patch)VG_USER_PATCH_INIT;
	p.password = "another long password";
	assert_int_equal(vg_user_update(db, bob, &p, 0, &ac, &d), VG_OK);
	assert_int_equal(vg_auth_session(db, res.cookie, 0, &act, &d), VG_ERR_AUTH);
	assert_int_equal(vg_user_check_password(db, bob, "another long password", &d), VG_OK);
	assert_int_equal(vg_user_check_password(db, bob, PW, &d), VG_ERR_AUTH);

	/* disabling ends sessions and revokes tokens */
	assert_int_equal(vg_session_login(db, NULL, "bob", "another long password", "192.0.2.1", "t", 3600, &res, &d),
			 VG_OK);
	assert_int_equal(vg_token_create(db, bob, "ci", 86400, false, NULL, secret, sizeof secret, NULL, &d), VG_OK);
	assert_int_equal(vg_user_disable(db, bob, &ac, &d), VG_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM sessions WHERE user_id = ?", bob), 0);
	assert_int_equal(count(db, "SELECT count(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL", bob), 0);
	assert_int_equal(vg_auth_bearer(db, secret, &act, &d), VG_ERR_AUTH);
	/* audited through the context, chain intact */
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE actor_id = ?", admin), 3);
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE action = 'user.disable' AND object_id = ?", bob),
			 1);
	{
		vg_audit_problem pr[4];
		int np;
		int64_t checked;
		assert_int_equal(vg_audit_verify(db, pr, 4, &np, &checked, &d), VG_OK);
	}
}

static void test_bootstrap(void **state)
{
	vg_db *db = *state;
	char gen[VG_PASSWORD_GEN_LEN + 1];
	bool created = false;
	vg_login_result res;
	vg_user u;
	vg_diag d;

	assert_int_equal(vg_bootstrap(db, NULL, gen, sizeof gen, &created, NULL, &d), VG_OK);
	assert_true(created);
	assert_int_equal(strlen(gen), VG_PASSWORD_GEN_LEN);
	assert_int_equal(vg_user_get_by_name(db, "admin", &u, &d), VG_OK);
	assert_int_equal(u.role, VG_ROLE_ADMIN);
	assert_int_equal(count(db, "SELECT count(*) FROM organisations WHERE kind = 'cert' AND id = ?", u.org_id), 1);
	assert_int_equal(vg_session_login(db, NULL, "admin", gen, "::1", NULL, 60, &res, &d), VG_OK);
	assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE actor = 'cli:setup' AND ? = 0", 0), 2);
	/* idempotent */
	assert_int_equal(vg_bootstrap(db, NULL, gen, sizeof gen, &created, NULL, &d), VG_OK);
	assert_false(created);
	assert_string_equal(gen, "");
	assert_int_equal(count(db, "SELECT count(*) FROM users WHERE ? = 0", 0), 1);
}

static void test_bootstrap_existing_cert(void **state)
{
	vg_db *db = *state;
	bool created;
	vg_user u;
	vg_diag d;
	assert_int_equal(vg_db_exec(db, "INSERT INTO organisations(name, kind, created_at, updated_at)"
					" VALUES ('CERT-FR', 'cert', 0, 0)", &d), VG_OK);
	assert_int_equal(vg_bootstrap(db, "weak", NULL, 0, &created, NULL, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "password");
	assert_int_equal(vg_bootstrap(db, "a good admin password", NULL, 0, &created, NULL, &d), VG_OK);
	assert_true(created);
	assert_int_equal(vg_user_get_by_name(db, "admin", &u, &d), VG_OK);
	assert_int_equal(u.org_id, vg_db_last_id(db) > 0 ? u.org_id : 0);
	assert_int_equal(count(db, "SELECT count(*) FROM organisations WHERE kind = 'cert' AND ? = 0", 0), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM organisations WHERE name = 'CERT-FR' AND id = ?", u.org_id),
			 1);
}

/* ---- login and sessions ---- */

static void test_login(void **state)
{
	vg_db *db = *state;
	int64_t id = add_user(db, "carol", VG_ROLE_CONSTITUENT, org_b);
	vg_login_result res;
	vg_actor a;
	vg_diag d;
	vg_user_patch p = VG_USER_PATCH_INIT;

	assert_int_equal(vg_session_login(db, NULL, "carol", PW, "198.51.100.7", "curl/8", 3600, &res, &d), VG_OK);
	assert_int_equal(strlen(res.cookie), 43);
	assert_int_equal(strlen(res.csrf_token), 22);
	assert_int_equal(res.expires_at, T0 + 3600 * 1000);
	assert_int_equal(res.user.id, id);
	assert_int_equal(count(db, "SELECT last_login_at FROM users WHERE id = ?", id), T0);
	/* only the hash is stored */
	assert_int_equal(count(db, "SELECT length(token_hash) FROM sessions WHERE id = ?", res.session_id), 32);

	assert_int_equal(vg_auth_session(db, res.cookie, 1800, &a, &d), VG_OK);
	assert_int_equal(a.user_id, id);
	assert_int_equal(a.org_id, org_b);
	assert_int_equal(a.role, VG_ROLE_CONSTITUENT);
	assert_int_equal(a.method, VG_AUTH_SESSION);
	assert_int_equal(a.session_id, res.session_id);
	assert_string_equal(a.csrf_token, res.csrf_token);
	assert_string_equal(a.username, "carol");
	assert_int_equal(vg_auth_session(db, "nonsense", 1800, &a, &d), VG_ERR_AUTH);
	assert_int_equal(vg_auth_session(db, NULL, 1800, &a, &d), VG_ERR_AUTH);
	res.cookie[0] = res.cookie[0] == 'A' ? 'B' : 'A';
	assert_int_equal(vg_auth_session(db, res.cookie, 1800, &a, &d), VG_ERR_AUTH);

	assert_int_equal(vg_session_login(db, NULL, "carol", "wrong password!", "198.51.100.7", NULL, 3600, &res, &d),
			 VG_ERR_AUTH);
	assert_string_equal(d.message, "invalid username or password");
	assert_string_equal(res.reason, "bad_password");
	assert_int_equal(res.user_id, id);
	assert_int_equal(vg_session_login(db, NULL, "nobody", PW, "198.51.100.7", NULL, 3600, &res, &d), VG_ERR_AUTH);
	assert_string_equal(d.message, "invalid username or password");
	assert_string_equal(res.reason, "unknown_user");

	p.disabled = 1;
	assert_int_equal(vg_user_update(db, id, &p, 0, NULL, &d), VG_OK);
	assert_int_equal(vg_session_login(db, NULL, "carol", PW, "198.51.100.7", NULL, 3600, &res, &d), VG_ERR_AUTH);
	assert_string_equal(d.message, "invalid username or password");
	assert_string_equal(res.reason, "disabled");
}

static void test_session_expiry(void **state)
{
	vg_db *db = *state;
	vg_login_result r1, r2;
	vg_actor a;
	vg_diag d;
	int64_t uid = add_user(db, "dave", VG_ROLE_ANALYST, org_a), purged = -1;

	/* idle timeout: 30 min, refreshed by use (at most once a minute) */
	assert_int_equal(vg_session_login(db, NULL, "dave", PW, "192.0.2.9", NULL, 12 * 3600, &r1, &d), VG_OK);
	vg_time_set_fake(T0 + 30 * 1000);
	assert_int_equal(vg_auth_session(db, r1.cookie, 1800, &a, &d), VG_OK);
	assert_int_equal(count(db, "SELECT last_seen FROM sessions WHERE id = ?", r1.session_id), T0); /* < 1 min */
	vg_time_set_fake(T0 + 29 * 60 * 1000);
	assert_int_equal(vg_auth_session(db, r1.cookie, 1800, &a, &d), VG_OK);
	assert_int_equal(count(db, "SELECT last_seen FROM sessions WHERE id = ?", r1.session_id), T0 + 29 * 60 * 1000);
	vg_time_set_fake(T0 + 58 * 60 * 1000); /* 29 min after the last use */
	assert_int_equal(vg_auth_session(db, r1.cookie, 1800, &a, &d), VG_OK);
	vg_time_set_fake(T0 + 88 * 60 * 1000 + 1); /* 30 min idle */
	assert_int_equal(vg_auth_session(db, r1.cookie, 1800, &a, &d), VG_ERR_AUTH);
	assert_int_equal(count(db, "SELECT count(*) FROM sessions WHERE id = ?", r1.session_id), 0);

	/* absolute lifetime, however active the session */
	vg_time_set_fake(T0);
	assert_int_equal(vg_session_login(db, NULL, "dave", PW, "192.0.2.9", NULL, 3600, &r2, &d), VG_OK);
	for (int m = 10; m < 60; m += 10) {
		vg_time_set_fake(T0 + m * 60 * 1000);
		assert_int_equal(vg_auth_session(db, r2.cookie, 1800, &a, &d), VG_OK);
	}
	vg_time_set_fake(T0 + 3600 * 1000);
	assert_int_equal(vg_auth_session(db, r2.cookie, 1800, &a, &d), VG_ERR_AUTH);

	/* purge and logout */
	vg_time_set_fake(T0);
	assert_int_equal(vg_session_login(db, NULL, "dave", PW, "192.0.2.9", NULL, 3600, &r1, &d), VG_OK);
	assert_int_equal(vg_session_login(db, NULL, "dave", PW, "192.0.2.9", NULL, 60, &r2, &d), VG_OK);
	vg_time_set_fake(T0 + 120 * 1000);
	assert_int_equal(vg_session_purge(db, 1800, &purged, &d), VG_OK);
	assert_int_equal(purged, 1);
	assert_int_equal(vg_session_login(db, NULL, "dave", PW, "192.0.2.9", NULL, 3600, &r2, &d), VG_OK);
	assert_int_equal(vg_session_logout(db, r1.session_id, &d), VG_OK);
	assert_int_equal(vg_auth_session(db, r1.cookie, 1800, &a, &d), VG_ERR_AUTH);
	assert_int_equal(vg_auth_session(db, r2.cookie, 1800, &a, &d), VG_OK);
	assert_int_equal(vg_session_logout_all(db, uid, 0, &d), VG_OK);
	assert_int_equal(vg_auth_session(db, r2.cookie, 1800, &a, &d), VG_ERR_AUTH);
}

/* ---- tokens ---- */

static void test_tokens(void **state)
{
	vg_db *db = *state;
	int64_t uid = add_user(db, "erin", VG_ROLE_ANALYST, org_a);
	char s1[VG_TOKEN_SECRET_SIZE], s2[VG_TOKEN_SECRET_SIZE];
	vg_arena *ar = vg_arena_new(0);
	vg_token t, *items;
	size_t n;
	vg_actor a;
	vg_diag d;
	json_t *j;

	assert_int_equal(vg_token_create(db, uid, "ci", 30 * 86400LL, false, NULL, s1, sizeof s1, &t, &d), VG_OK);
	assert_int_equal(strlen(s1), 47);
	assert_memory_equal(s1, "vgt_", 4);
	assert_memory_equal(t.prefix, s1 + 4, 8);
	assert_int_equal(t.expires_at, T0 + 30 * 86400LL * 1000);
	assert_int_equal(vg_token_create(db, uid, "ro", 86400, true, NULL, s2, sizeof s2, NULL, &d), VG_OK);

	assert_int_equal(vg_token_create(db, uid, "", 86400, false, NULL, s2, sizeof s2, NULL, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "name");
	assert_int_equal(vg_token_create(db, uid, "x", 0, false, NULL, s2, sizeof s2, NULL, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "expires_in_days");
	assert_int_equal(vg_token_create(db, uid, "x", VG_TOKEN_TTL_MAX_S + 1, false, NULL, s2, sizeof s2, NULL, &d),
			 VG_ERR_INVALID);
	assert_int_equal(vg_token_create(db, 999, "x", 60, false, NULL, s2, sizeof s2, NULL, &d), VG_ERR_INVALID);
	assert_string_equal(d.field, "user_id");
	assert_int_equal(vg_token_create(db, uid, "ro", 86400, true, NULL, s2, sizeof s2, NULL, &d), VG_OK);

	/* resolve */
	assert_int_equal(vg_auth_bearer(db, s1, &a, &d), VG_OK);
	assert_int_equal(a.user_id, uid);
	assert_int_equal(a.method, VG_AUTH_TOKEN);
	assert_int_equal(a.token_id, t.id);
	assert_false(a.read_only);
	assert_int_equal(count(db, "SELECT last_used_at FROM api_tokens WHERE id = ?", t.id), T0);
	vg_time_set_fake(T0 + 30 * 1000); /* not refreshed within a minute */
	assert_int_equal(vg_auth_bearer(db, s1, &a, &d), VG_OK);
	assert_int_equal(count(db, "SELECT last_used_at FROM api_tokens WHERE id = ?", t.id), T0);
	vg_time_set_fake(T0);
	assert_int_equal(vg_auth_bearer(db, s2, &a, &d), VG_OK);
	assert_true(a.read_only);
	assert_int_equal(vg_policy(&a, VG_ACT_ORG_CREATE, NULL), VG_DENY);
	assert_int_equal(vg_policy(&a, VG_ACT_ORG_READ, NULL), VG_ALLOW);
	assert_int_equal(vg_auth_bearer(db, "vgt_short", &a, &d), VG_ERR_AUTH);
	assert_int_equal(vg_auth_bearer(db, "Bearer", &a, &d), VG_ERR_AUTH);
	{
		char forged[VG_TOKEN_SECRET_SIZE];
		memcpy(forged, s1, sizeof forged);
		forged[10] = forged[10] == 'x' ? 'y' : 'x';
		assert_int_equal(vg_auth_bearer(db, forged, &a, &d), VG_ERR_AUTH);
	}

	/* list, json */
	assert_int_equal(vg_token_list(db, uid, ar, &items, &n, &d), VG_OK);
	assert_int_equal(n, 3);
	assert_string_equal(items[2].name, "ci");
	j = vg_token_json(&items[2], T0);
	assert_true(json_is_true(json_object_get(j, "active")));
	assert_null(json_object_get(j, "token"));
	json_decref(j);

	/* revoke: idempotent, audited with a context */
	{
		vg_audit_ctx ac = {uid, "erin", NULL, NULL};
		assert_int_equal(vg_token_revoke(db, t.id, &ac, &d), VG_OK);
		assert_int_equal(vg_auth_bearer(db, s1, &a, &d), VG_ERR_AUTH);
		assert_non_null(strstr(d.message, "revoked"));
		vg_time_set_fake(T0 + 5000);
		assert_int_equal(vg_token_revoke(db, t.id, &ac, &d), VG_OK);
		assert_int_equal(vg_token_get(db, t.id, &t, &d), VG_OK);
		assert_int_equal(t.revoked_at, T0);
		assert_int_equal(count(db, "SELECT count(*) FROM audit_log WHERE action = 'token.revoke' AND actor_id = ?",
				       uid), 1);
		assert_int_equal(vg_token_revoke(db, 999, &ac, &d), VG_ERR_NOT_FOUND);
	}

	/* expiry */
	vg_time_set_fake(T0 + 86400LL * 1000);
	assert_int_equal(vg_auth_bearer(db, s2, &a, &d), VG_ERR_AUTH);
	assert_non_null(strstr(d.message, "expired"));
	vg_arena_free(ar);
}

static void test_token_limit(void **state)
{
	vg_db *db = *state;
	int64_t uid = add_user(db, "frank", VG_ROLE_ANALYST, org_a);
	char s[VG_TOKEN_SECRET_SIZE];
	vg_diag d;
	for (int i = 0; i < VG_TOKENS_PER_USER_MAX; i++)
		assert_int_equal(vg_token_create(db, uid, "t", 60, false, NULL, s, sizeof s, NULL, &d), VG_OK);
	assert_int_equal(vg_token_create(db, uid, "t", 60, false, NULL, s, sizeof s, NULL, &d), VG_ERR_LIMIT);
	vg_time_set_fake(T0 + 61 * 1000); /* expired ones do not count */
	assert_int_equal(vg_token_create(db, uid, "t", 60, false, NULL, s, sizeof s, NULL, &d), VG_OK);
}

/* ---- throttle ---- */

static void test_throttle_unit(void **state)
{
	vg_throttle *t = vg_throttle_new(3, 60);
	int64_t ra = 0;
	char key[32];
	(void)state;
	assert_non_null(t);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(vg_throttle_check(t, "u:x", T0 + i, &ra), VG_OK);
		vg_throttle_fail(t, "u:x", T0 + i);
	}
	assert_int_equal(vg_throttle_check(t, "u:x", T0 + 10, &ra), VG_ERR_THROTTLED);
	assert_int_equal(ra, 60);
	assert_int_equal(vg_throttle_check(t, "u:y", T0 + 10, &ra), VG_OK);
	assert_int_equal(vg_throttle_check(t, "u:x", T0 + 59 * 1000, &ra), VG_ERR_THROTTLED);
	assert_int_equal(ra, 1);
	assert_int_equal(vg_throttle_check(t, "u:x", T0 + 60 * 1000, &ra), VG_OK);
	vg_throttle_fail(t, "u:x", T0 + 61 * 1000);
	vg_throttle_fail(t, "u:x", T0 + 62 * 1000);
	vg_throttle_fail(t, "u:x", T0 + 63 * 1000);
	assert_int_equal(vg_throttle_check(t, "u:x", T0 + 64 * 1000, &ra), VG_ERR_THROTTLED);
	vg_throttle_reset(t, "u:x");
	assert_int_equal(vg_throttle_check(t, "u:x", T0 + 64 * 1000, &ra), VG_OK);
	assert_int_equal(vg_throttle_count(t), 0);

	/* bounded: the oldest entries are evicted */
	for (int i = 0; i < VG_THROTTLE_ENTRIES_MAX + 5; i++) {
		snprintf(key, sizeof key, "a:%d", i);
		vg_throttle_fail(t, key, T0 + i);
	}
	assert_int_equal(vg_throttle_count(t), VG_THROTTLE_ENTRIES_MAX);
	for (int i = 0; i < 2; i++)
		vg_throttle_fail(t, "a:last", T0 + VG_THROTTLE_ENTRIES_MAX + 10);
	vg_throttle_fail(t, "a:last", T0 + VG_THROTTLE_ENTRIES_MAX + 10);
	assert_int_equal(vg_throttle_check(t, "a:last", T0 + VG_THROTTLE_ENTRIES_MAX + 11, NULL), VG_ERR_THROTTLED);
	for (int i = 0; i < 3; i++) /* "a:0" was evicted, a fresh key again */
		vg_throttle_fail(t, "a:5", T0 + VG_THROTTLE_ENTRIES_MAX + 20);
	assert_int_equal(vg_throttle_check(t, "a:5", T0 + VG_THROTTLE_ENTRIES_MAX + 21, NULL), VG_ERR_THROTTLED);
	vg_throttle_free(t);
	vg_throttle_free(NULL);
}

static void test_throttle_login(void **state)
{
	vg_db *db = *state;
	vg_throttle *t = vg_throttle_new(VG_LOGIN_FAILURES_MAX, VG_LOGIN_WINDOW_S);
	vg_login_result res;
	vg_diag d;
	char name[32];
	add_user(db, "gina", VG_ROLE_ANALYST, org_a);

	/* per account, from changing addresses */
	for (int i = 0; i < VG_LOGIN_FAILURES_MAX; i++) {
		char ip[32];
		snprintf(ip, sizeof ip, "203.0.113.%d", i);
		assert_int_equal(vg_session_login(db, t, "gina", "not the password", ip, NULL, 60, &res, &d), VG_ERR_AUTH);
	}
	assert_int_equal(vg_session_login(db, t, "GINA", PW, "203.0.113.99", NULL, 60, &res, &d), VG_ERR_THROTTLED);
	assert_string_equal(res.reason, "throttled");
	assert_int_equal(res.retry_after_s, VG_LOGIN_WINDOW_S);
	vg_time_set_fake(T0 + VG_LOGIN_WINDOW_S * 1000LL);
	assert_int_equal(vg_session_login(db, t, "gina", PW, "203.0.113.99", NULL, 60, &res, &d), VG_OK);

	/* a success resets the account key */
	for (int i = 0; i < VG_LOGIN_FAILURES_MAX - 1; i++)
		assert_int_equal(vg_session_login(db, t, "gina", "nope nope nope", "198.51.100.1", NULL, 60, &res, &d),
				 VG_ERR_AUTH);
	assert_int_equal(vg_session_login(db, t, "gina", PW, "198.51.100.2", NULL, 60, &res, &d), VG_OK);
	assert_int_equal(vg_session_login(db, t, "gina", "nope nope nope", "198.51.100.3", NULL, 60, &res, &d),
			 VG_ERR_AUTH);
	assert_int_equal(vg_session_login(db, t, "gina", PW, "198.51.100.4", NULL, 60, &res, &d), VG_OK);

	/* per address, across accounts (password spraying): an address may be
	 * shared, so its budget is VG_LOGIN_ADDR_FACTOR times an account's */
	for (int i = 0; i < VG_LOGIN_FAILURES_MAX * VG_LOGIN_ADDR_FACTOR; i++) {
		snprintf(name, sizeof name, "spray%d", i);
		assert_int_equal(vg_session_login(db, t, name, PW, "192.0.2.66", NULL, 60, &res, &d), VG_ERR_AUTH);
	}
	assert_int_equal(vg_session_login(db, t, "gina", PW, "192.0.2.66", NULL, 60, &res, &d), VG_ERR_THROTTLED);
	assert_int_equal(vg_session_login(db, t, "gina", PW, "192.0.2.67", NULL, 60, &res, &d), VG_OK);
	vg_throttle_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password),
		cmocka_unit_test_setup_teardown(test_user_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_update_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bootstrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bootstrap_existing_cert, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_limit, setup, teardown),
		cmocka_unit_test(test_throttle_unit),
		cmocka_unit_test_setup_teardown(test_throttle_login, setup, teardown),
	};
	setenv("VIGIE_TEST_FAST_HASH", "1", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
