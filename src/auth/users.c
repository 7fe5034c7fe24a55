/* User accounts. */
#include "auth/users.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/sessions.h"
#include "auth/tokens.h"
#include "core/clock.h"
#include "core/json.h"

#define USER_COLS                                                                                     \
	"id, org_id, username, display_name, email, role, language, disabled, created_at, updated_at," \
	" last_login_at"

static void read_user(vg_stmt *st, vg_user *u)
{
	memset(u, 0, sizeof *u);
	u->id = vg_stmt_int(st, 0);
	u->org_id = vg_stmt_int(st, 1);
	snprintf(u->username, sizeof u->username, "%s", vg_stmt_text(st, 2));
	snprintf(u->display_name, sizeof u->display_name, "%s", vg_stmt_text(st, 3));
	snprintf(u->email, sizeof u->email, "%s", vg_stmt_text(st, 4));
	u->role = vg_role_parse(vg_stmt_text(st, 5));
	snprintf(u->language, sizeof u->language, "%s", vg_stmt_text(st, 6));
	u->disabled = vg_stmt_int(st, 7) != 0;
	u->created_at = vg_stmt_int(st, 8);
	u->updated_at = vg_stmt_int(st, 9);
	u->last_login_at = vg_stmt_is_null(st, 10) ? 0 : vg_stmt_int(st, 10);
}

/* ---- validation ---- */

vg_err vg_username_check(const char *username, vg_diag *d)
{
	size_t n;
	if (!username || !*username)
		return vg_diag_set(d, VG_ERR_INVALID, "username", "required");
	n = strlen(username);
	if (n > VG_USERNAME_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, "username", "must be at most %d characters", VG_USERNAME_MAX);
	for (size_t i = 0; i < n; i++) {
		char c = username[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '@' ||
		      c == '-'))
			return vg_diag_set(d, VG_ERR_INVALID, "username",
					   "may contain only a-z, 0-9, '.', '_', '@' and '-'");
	}
	return VG_OK;
}

static vg_err check_email(const char *s, vg_diag *d)
{
	size_t n = strlen(s);
	const char *at;
	if (n == 0)
		return VG_OK;
	if (n > VG_EMAIL_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, "email", "must be at most %d characters", VG_EMAIL_MAX);
	at = strchr(s, '@');
	if (!at || at == s || !at[1] || strchr(at + 1, '@'))
		return vg_diag_set(d, VG_ERR_INVALID, "email", "not an e-mail address");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return vg_diag_set(d, VG_ERR_INVALID, "email", "not an e-mail address");
	return VG_OK;
}

static vg_err check_language(const char *s, vg_diag *d)
{
	size_t n = strlen(s);
	if (n < 2 || n > VG_USER_LANGUAGE_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, "language", "expected a language tag such as \"en\" or \"fr\"");
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			return vg_diag_set(d, VG_ERR_INVALID, "language",
					   "expected a language tag such as \"en\" or \"fr\"");
	}
	return VG_OK;
}

static vg_err check_display_name(const char *s, vg_diag *d)
{
	return vg_text_check(s, strlen(s), 0, VG_FIELD_TEXT_MAX, false, "display_name", d);
}

static vg_err org_exists(vg_db *db, int64_t org_id, vg_diag *d)
{
	vg_stmt *st;
	int rc;
	vg_err e;
	if (org_id <= 0)
		return vg_diag_set(d, VG_ERR_INVALID, "org_id", "required");
	e = vg_db_prepare(db, "SELECT 1 FROM organisations WHERE id = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, org_id);
	rc = vg_stmt_step(st, d);
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;
	if (rc != VG_ROW)
		return vg_diag_set(d, VG_ERR_INVALID, "org_id", "organisation %" PRId64 " does not exist", org_id);
	return VG_OK;
}

/* Audit through the context, when there is one. detail is consumed. */
static vg_err audit(vg_db *db, const vg_audit_ctx *ac, const char *action, int64_t id, int64_t org_id,
		    json_t *detail, vg_diag *d)
{
	char *txt = NULL;
	vg_err e;
	if (!ac) {
		json_decref(detail);
		return VG_OK;
	}
	if (detail)
		txt = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(detail);
	e = vg_audit_record(db, ac, action, "user", id, org_id, "ok", txt, d);
	free(txt);
	return e;
}

/* ---- create / get / list ---- */

vg_err vg_user_create(vg_db *db, const vg_user_input *in, const vg_audit_ctx *ac, int64_t *id_out,
		      vg_diag *d)
{
	char hash[VG_PASSWORD_HASH_SIZE];
	vg_stmt *st = NULL;
	vg_err e;
	int64_t now, id;
	const char *lang = in->language && *in->language ? in->language : "en";

	if ((e = vg_username_check(in->username, d)))
		return e;
	if (in->role <= VG_ROLE_NONE || in->role >= VG_ROLE__COUNT)
		return vg_diag_set(d, VG_ERR_INVALID, "role", "must be one of: admin, analyst, constituent, partner");
	if ((e = vg_password_check_policy(in->password, in->username, d)))
		return e;
	if (in->display_name && (e = check_display_name(in->display_name, d)))
		return e;
	if (in->email && (e = check_email(in->email, d)))
		return e;
	if ((e = check_language(lang, d)))
		return e;
	if (in->org_id <= 0)
		return vg_diag_set(d, VG_ERR_INVALID, "org_id", "required");
	/* the slow part outside the write lock */
	if ((e = vg_password_hash(in->password, hash, sizeof hash, d)))
		return e;

	if ((e = vg_db_begin(db, true, d)))
		return e;
	if ((e = org_exists(db, in->org_id, d)))
		goto out;
	now = vg_time_now_ms();
	e = vg_db_prepare(db,
			  "INSERT INTO users(org_id, username, display_name, email, role, password_hash, language,"
			  " disabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			  &st, d);
	if (e)
		goto out;
	vg_stmt_bind_int(st, 1, in->org_id);
	vg_stmt_bind_text(st, 2, in->username, -1);
	vg_stmt_bind_text(st, 3, in->display_name ? in->display_name : "", -1);
	vg_stmt_bind_text(st, 4, in->email ? in->email : "", -1);
	vg_stmt_bind_text(st, 5, vg_role_name(in->role), -1);
	vg_stmt_bind_text(st, 6, hash, -1);
	vg_stmt_bind_text(st, 7, lang, -1);
	vg_stmt_bind_int(st, 8, in->disabled ? 1 : 0);
	vg_stmt_bind_int(st, 9, now);
	vg_stmt_bind_int(st, 10, now);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e == VG_ERR_CONFLICT) {
		e = vg_diag_set(d, VG_ERR_CONFLICT, "username", "user %s already exists", in->username);
		goto out;
	}
	if (e == VG_ERR_INVALID) {
		e = vg_diag_set(d, VG_ERR_INVALID, "org_id", "organisation %" PRId64 " does not exist", in->org_id);
		goto out;
	}
	if (e)
		goto out;
	id = vg_db_last_id(db);
	e = audit(db, ac, "user.create", id, in->org_id,
		  json_pack("{ss ss sI sb}", "username", in->username, "role", vg_role_name(in->role), "org_id",
			    (json_int_t)in->org_id, "disabled", in->disabled),
		  d);
	if (e)
		goto out;
	if (id_out)
		*id_out = id;
out:
	sodium_memzero(hash, sizeof hash);
	return vg_db_end(db, e, d);
}

static vg_err get_one(vg_stmt *st, vg_user *out, vg_diag *d)
{
	int rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		read_user(st, out);
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;
	if (rc != VG_ROW)
		return vg_diag_set(d, VG_ERR_NOT_FOUND, NULL, "no such user");
	return VG_OK;
}

vg_err vg_user_get(vg_db *db, int64_t id, vg_user *out, vg_diag *d)
{
	vg_stmt *st;
	vg_err e = vg_db_prepare(db, "SELECT " USER_COLS " FROM users WHERE id = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, id);
	return get_one(st, out, d);
}

vg_err vg_user_get_by_name(vg_db *db, const char *username, vg_user *out, vg_diag *d)
{
	vg_stmt *st;
	vg_err e = vg_db_prepare(db, "SELECT " USER_COLS " FROM users WHERE username = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_text(st, 1, username, -1);
	return get_one(st, out, d);
}

vg_err vg_user_list(vg_db *db, const vg_user_filter *f, vg_arena *a, vg_user **items, size_t *n,
		    int64_t *next_cursor, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	int rc, i = 1, limit = f->limit > 0 ? f->limit : VG_PAGE_DEFAULT;
	size_t count = 0;
	char *like = NULL;
	vg_user *arr;

	*items = NULL;
	*n = 0;
	*next_cursor = 0;
	if (limit > VG_PAGE_MAX)
		limit = VG_PAGE_MAX;
	arr = vg_arena_calloc(a, (size_t)limit, sizeof *arr);
	if (!arr)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	if (f->q && *f->q) {
		size_t qn = strlen(f->q), k = 0;
		if (qn > VG_FIELD_TEXT_MAX)
			return vg_diag_set(d, VG_ERR_INVALID, "q", "at most %d characters", VG_FIELD_TEXT_MAX);
		like = vg_arena_alloc(a, qn * 2 + 3);
		if (!like)
			return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		like[k++] = '%';
		for (size_t j = 0; j < qn; j++) {
			if (f->q[j] == '%' || f->q[j] == '_' || f->q[j] == '\\')
				like[k++] = '\\';
			like[k++] = f->q[j];
		}
		like[k++] = '%';
		like[k] = '\0';
	}
	e = vg_db_prepare(db,
			  "SELECT " USER_COLS " FROM users WHERE id > ? AND (? = 0 OR org_id = ?)"
			  " AND (? = 0 OR org_id = ?) AND (? IS NULL OR role = ?) AND (? = 0 OR id = ?)"
			  " AND (? IS NULL OR username LIKE ? ESCAPE '\\' OR display_name LIKE ? ESCAPE '\\'"
			  " OR email LIKE ? ESCAPE '\\') ORDER BY id LIMIT ?",
			  &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, i++, f->after_id);
	vg_stmt_bind_int(st, i++, f->org_id);
	vg_stmt_bind_int(st, i++, f->org_id);
	vg_stmt_bind_int(st, i++, f->scope_org);
	vg_stmt_bind_int(st, i++, f->scope_org);
	vg_stmt_bind_text(st, i++, f->role ? vg_role_name(f->role) : NULL, -1);
	vg_stmt_bind_text(st, i++, f->role ? vg_role_name(f->role) : NULL, -1);
	vg_stmt_bind_int(st, i++, f->only_user);
	vg_stmt_bind_int(st, i++, f->only_user);
	for (int k = 0; k < 4; k++)
		vg_stmt_bind_text(st, i++, like, -1);
	vg_stmt_bind_int(st, i++, limit + 1);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW) {
		if (count == (size_t)limit) {
			*next_cursor = arr[count - 1].id;
			break;
		}
		read_user(st, &arr[count++]);
	}
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;
	*items = arr;
	*n = count;
	return VG_OK;
}

/* ---- update ---- */

/* Other enabled administrators than id. */
static vg_err other_admins(vg_db *db, int64_t id, int64_t *count, vg_diag *d)
{
	vg_stmt *st;
	int rc;
	vg_err e = vg_db_prepare(db, "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> ?",
				 &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	*count = rc == VG_ROW ? vg_stmt_int(st, 0) : 0;
	vg_stmt_done(st);
	return rc < 0 ? (vg_err)-rc : VG_OK;
}

static vg_err update_common(vg_db *db, int64_t id, const vg_user_patch *p, int64_t keep_session_id,
			    const vg_audit_ctx *ac, const char *action, vg_diag *d)
{
	char hash[VG_PASSWORD_HASH_SIZE] = "";
	vg_user u;
	vg_stmt *st = NULL;
	vg_err e;
	json_t *changed = NULL;
	bool disable_now, demote;

	if (p->display_name && (e = check_display_name(p->display_name, d)))
		return e;
	if (p->email && (e = check_email(p->email, d)))
		return e;
	if (p->language && (e = check_language(p->language, d)))
		return e;
	if (p->role != VG_ROLE_NONE && (p->role < VG_ROLE_ADMIN || p->role >= VG_ROLE__COUNT))
		return vg_diag_set(d, VG_ERR_INVALID, "role", "must be one of: admin, analyst, constituent, partner");
	if (p->disabled < -1 || p->disabled > 1)
		return vg_diag_set(d, VG_ERR_INVALID, "disabled", "expected a boolean");
	if (p->password) {
		if ((e = vg_user_get(db, id, &u, d)))
			return e;
		if ((e = vg_password_check_policy(p->password, u.username, d)))
			return e;
		if ((e = vg_password_hash(p->password, hash, sizeof hash, d)))
			return e;
	}

	if ((e = vg_db_begin(db, true, d)))
		return e;
	if ((e = vg_user_get(db, id, &u, d)))
		goto out;
	if (p->org_id && p->org_id != u.org_id && (e = org_exists(db, p->org_id, d)))
		goto out;
	disable_now = p->disabled == 1 && !u.disabled;
	demote = u.role == VG_ROLE_ADMIN && p->role != VG_ROLE_NONE && p->role != VG_ROLE_ADMIN;
	if (u.role == VG_ROLE_ADMIN && !u.disabled && (disable_now || demote)) {
		int64_t others;
		if ((e = other_admins(db, id, &others, d)))
			goto out;
		if (others == 0) {
			e = vg_diag_set(d, VG_ERR_CONFLICT, disable_now ? "disabled" : "role",
					"%s is the last enabled administrator", u.username);
			goto out;
		}
	}
	changed = json_array();
#define CHANGE(field, cond)                                                \
	do {                                                                   \
		if (cond)                                                          \
			json_array_append_new(changed, json_string(field));            \
	} while (0)
	CHANGE("display_name", p->display_name && strcmp(p->display_name, u.display_name));
	CHANGE("email", p->email && strcmp(p->email, u.email));
	CHANGE("language", p->language && strcmp(p->language, u.language));
	CHANGE("role", p->role != VG_ROLE_NONE && p->role != u.role);
	CHANGE("org_id", p->org_id && p->org_id != u.org_id);
	CHANGE("disabled", p->disabled >= 0 && (p->disabled == 1) != u.disabled);
	CHANGE("password", p->password != NULL);
#undef CHANGE
	e = vg_db_prepare(db,
			  "UPDATE users SET display_name = ?, email = ?, language = ?, role = ?, org_id = ?,"
			  " disabled = ?, password_hash = COALESCE(?, password_hash), updated_at = ? WHERE id = ?",
			  &st, d);
	if (e)
		goto out;
	vg_stmt_bind_text(st, 1, p->display_name ? p->display_name : u.display_name, -1);
	vg_stmt_bind_text(st, 2, p->email ? p->email : u.email, -1);
	vg_stmt_bind_text(st, 3, p->language ? p->language : u.language, -1);
	vg_stmt_bind_text(st, 4, vg_role_name(p->role != VG_ROLE_NONE ? p->role : u.role), -1);
	vg_stmt_bind_int(st, 5, p->org_id ? p->org_id : u.org_id);
	vg_stmt_bind_int(st, 6, p->disabled >= 0 ? p->disabled : u.disabled);
	vg_stmt_bind_text(st, 7, p->password ? hash : NULL, -1);
	vg_stmt_bind_int(st, 8, vg_time_now_ms());
	vg_stmt_bind_int(st, 9, id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e)
		goto out;
	if (disable_now) {
		/* a disabled account keeps no way in */
		if ((e = vg_session_logout_all(db, id, 0, d)) || (e = vg_token_revoke_all(db, id, d)))
			goto out;
	} else if (p->password || (p->org_id && p->org_id != u.org_id) ||
		   (p->role != VG_ROLE_NONE && p->role != u.role)) {
		/* new credentials or rights: other sessions start over */
		if ((e = vg_session_logout_all(db, id, p->password ? keep_session_id : 0, d)))
			goto out;
	}
	e = audit(db, ac, action, id, p->org_id ? p->org_id : u.org_id,
		  json_pack("{ss sO}", "username", u.username, "changed", changed), d);
out:
	json_decref(changed);
	sodium_memzero(hash, sizeof hash);
	return vg_db_end(db, e, d);
}

vg_err vg_user_update(vg_db *db, int64_t id, const vg_user_patch *p, int64_t keep_session_id,
		      const vg_audit_ctx *ac, vg_diag *d)
{
	return update_common(db, id, p, keep_session_id, ac, "user.update", d);
}

vg_err vg_user_disable(vg_db *db, int64_t id, const vg_audit_ctx *ac, vg_diag *d)
{
	vg_user_patch p = VG_USER_PATCH_INIT;
	p.disabled = 1;
	return update_common(db, id, &p, 0, ac, "user.disable", d);
}

vg_err vg_user_touch_login(vg_db *db, int64_t id, const char *password, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	char old[VG_PASSWORD_HASH_SIZE] = "", hash[VG_PASSWORD_HASH_SIZE];
	int rc;

	e = vg_db_prepare(db, "SELECT password_hash FROM users WHERE id = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		snprintf(old, sizeof old, "%s", vg_stmt_text(st, 0));
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;
	if (password && old[0] && vg_password_needs_rehash(old) &&
	    vg_password_hash(password, hash, sizeof hash, NULL) == VG_OK) {
		e = vg_db_prepare(db, "UPDATE users SET password_hash = ? WHERE id = ?", &st, d);
		if (e)
			return e;
		vg_stmt_bind_text(st, 1, hash, -1);
		vg_stmt_bind_int(st, 2, id);
		e = vg_stmt_exec(st, d);
		vg_stmt_done(st);
		sodium_memzero(hash, sizeof hash);
		if (e)
			return e;
	}
	e = vg_db_prepare(db, "UPDATE users SET last_login_at = ? WHERE id = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, vg_time_now_ms());
	vg_stmt_bind_int(st, 2, id);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	return e;
}

vg_err vg_user_check_password(vg_db *db, int64_t id, const char *password, vg_diag *d)
{
	vg_stmt *st;
	char hash[VG_PASSWORD_HASH_SIZE] = "";
	bool ok;
	int rc;
	vg_err e = vg_db_prepare(db, "SELECT password_hash FROM users WHERE id = ?", &st, d);
	if (e)
		return e;
	vg_stmt_bind_int(st, 1, id);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		snprintf(hash, sizeof hash, "%s", vg_stmt_text(st, 0));
	vg_stmt_done(st);
	if (rc < 0)
		return (vg_err)-rc;
	if (!password)
		password = "";
	if (hash[0]) {
		ok = vg_password_verify(hash, password);
	} else {
		vg_password_dummy_verify(password);
		ok = false;
	}
	sodium_memzero(hash, sizeof hash);
	return ok ? VG_OK : vg_diag_set(d, VG_ERR_AUTH, "current_password", "wrong password");
}

json_t *vg_user_json(const vg_user *u)
{
	return json_pack("{sI ss ss ss ss sI ss sb so so so}", "id", (json_int_t)u->id, "username", u->username,
			 "display_name", u->display_name, "email", u->email, "role", vg_role_name(u->role),
			 "org_id", (json_int_t)u->org_id, "language", u->language, "disabled", u->disabled,
			 "created_at", vg_json_time(u->created_at), "updated_at", vg_json_time(u->updated_at),
			 "last_login_at", vg_json_time(u->last_login_at));
}

/* ---- bootstrap ---- */

static vg_err first_id(vg_db *db, const char *sql, int64_t *id, vg_diag *d)
{
	vg_stmt *st;
	int rc;
	vg_err e = vg_db_prepare(db, sql, &st, d);
	if (e)
		return e;
	rc = vg_stmt_step(st, d);
	*id = rc == VG_ROW ? vg_stmt_int(st, 0) : 0;
	vg_stmt_done(st);
	return rc < 0 ? (vg_err)-rc : VG_OK;
}

vg_err vg_bootstrap(vg_db *db, const char *password, char *generated_out, size_t gensz, bool *created,
		    const vg_audit_ctx *ac, vg_diag *d)
{
	static const vg_audit_ctx setup_ctx = {0, "cli:setup", NULL, NULL};
	char gen[VG_PASSWORD_GEN_LEN + 1];
	int64_t admin_id, org_id, user_id;
	vg_user_input in = {0};
	vg_stmt *st;
	vg_err e;

	*created = false;
	if (generated_out && gensz)
		generated_out[0] = '\0';
	if (!ac)
		ac = &setup_ctx;
	if (!password) {
		if (!generated_out || gensz < sizeof gen)
			return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "no room for the generated password");
		if ((e = vg_password_generate(gen, sizeof gen)))
			return vg_diag_set(d, e, NULL, "cannot generate a password");
	} else if ((e = vg_password_check_policy(password, "admin", d))) {
		return e;
	}
	if ((e = vg_db_begin(db, true, d)))
		return e;
	if ((e = first_id(db, "SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1", &admin_id, d)))
		goto out;
	if (admin_id)
		goto out; /* nothing to do */
	if ((e = first_id(db, "SELECT id FROM organisations WHERE kind = 'cert' ORDER BY id LIMIT 1", &org_id, d)))
		goto out;
	if (!org_id) {
		int64_t now = vg_time_now_ms();
		e = vg_db_prepare(db,
				  "INSERT INTO organisations(name, short_name, kind, created_at, updated_at)"
				  " VALUES ('CERT', 'CERT', 'cert', ?, ?)",
				  &st, d);
		if (e)
			goto out;
		vg_stmt_bind_int(st, 1, now);
		vg_stmt_bind_int(st, 2, now);
		e = vg_stmt_exec(st, d);
		vg_stmt_done(st);
		if (e)
			goto out;
		org_id = vg_db_last_id(db);
		if ((e = vg_audit_record(db, ac, "org.create", "organisation", org_id, org_id, "ok",
					 "{\"name\":\"CERT\",\"kind\":\"cert\",\"bootstrap\":true}", d)))
			goto out;
	}
	in.username = "admin";
	in.password = password ? password : gen;
	in.role = VG_ROLE_ADMIN;
	in.org_id = org_id;
	in.display_name = "Administrator";
	if ((e = vg_user_create(db, &in, ac, &user_id, d)))
		goto out;
	*created = true;
	if (!password)
		snprintf(generated_out, gensz, "%s", gen);
out:
	sodium_memzero(gen, sizeof gen);
	if (e) {
		vg_db_rollback(db);
		if (generated_out && gensz)
			generated_out[0] = '\0';
		*created = false;
		return e;
	}
	return vg_db_commit(db, d);
}
