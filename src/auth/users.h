/* User accounts: creation with validation, lookup, keyset-paginated listing,
 * updates, disabling (which also ends the user's sessions and revokes their
 * API tokens), JSON rendering (never the password hash) and the bootstrap of
 * the first administrator.
 *
 * Functions that write take an optional vg_audit_ctx: when non-NULL they
 * append their audit entry ("user.create", ...) in the same transaction. The
 * HTTP handlers pass NULL and audit through vg_req_audit; the CLI passes a
 * context built with vg_audit_ctx_actor(). */
#ifndef VG_AUTH_USERS_H
#define VG_AUTH_USERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "auth/actor.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/limits.h"
#include "store/store.h"

#define VG_USER_LANGUAGE_MAX 16

typedef struct vg_user {
	int64_t id;
	int64_t org_id;
	char username[VG_USERNAME_MAX + 1];
	char display_name[VG_FIELD_TEXT_MAX + 1];
	char email[VG_EMAIL_MAX + 1];
	vg_role role;
	char language[VG_USER_LANGUAGE_MAX + 1];
	bool disabled;
	int64_t created_at;
	int64_t updated_at;
	int64_t last_login_at; /* 0 = never */
} vg_user;

typedef struct vg_user_input {
	const char *username;     /* required: [a-z0-9._@-], 1..VG_USERNAME_MAX */
	const char *password;     /* required: vg_password_check_policy */
	vg_role role;             /* required */
	int64_t org_id;           /* required: must exist */
	const char *display_name; /* optional (NULL = "") */
	const char *email;        /* optional */
	const char *language;     /* optional (NULL = "en") */
	bool disabled;
} vg_user_input;

/* Fields to change; NULL / VG_ROLE_NONE / 0 / -1 mean "unchanged". */
typedef struct vg_user_patch {
	const char *display_name;
	const char *email;
	const char *language;
	const char *password;     /* new password; ends every session of the user */
	vg_role role;
	int64_t org_id;
	int disabled;             /* -1 unchanged, 0 enable, 1 disable */
} vg_user_patch;

#define VG_USER_PATCH_INIT {NULL, NULL, NULL, NULL, VG_ROLE_NONE, 0, -1}

typedef struct vg_user_filter {
	int64_t org_id;      /* 0 = any */
	vg_role role;        /* VG_ROLE_NONE = any */
	const char *q;       /* substring of username, display name or e-mail; NULL = any */
	int64_t scope_org;   /* vg_policy_org_scope(): 0 = all, else only this organisation */
	int64_t only_user;   /* non-zero: only this user (constituents/partners see themselves) */
	int64_t after_id;    /* keyset cursor: ids greater than this */
	int limit;           /* 1..VG_PAGE_MAX; 0 = VG_PAGE_DEFAULT */
} vg_user_filter;

/* Validate and insert. Errors name the field: "username" (syntax, or
 * VG_ERR_CONFLICT when taken), "password", "role", "org_id" (VG_ERR_INVALID when
 * the organisation does not exist), "email", "display_name", "language". */
vg_err vg_user_create(vg_db *db, const vg_user_input *in, const vg_audit_ctx *ac, int64_t *id_out,
		      vg_diag *d);
/* VG_ERR_NOT_FOUND when absent. */
vg_err vg_user_get(vg_db *db, int64_t id, vg_user *out, vg_diag *d);
vg_err vg_user_get_by_name(vg_db *db, const char *username, vg_user *out, vg_diag *d);
/* Users ordered by id; *next_cursor = last id when more may follow, else 0.
 * Items are allocated in arena a. */
vg_err vg_user_list(vg_db *db, const vg_user_filter *f, vg_arena *a, vg_user **items, size_t *n,
		    int64_t *next_cursor, vg_diag *d);
/* Apply a patch. keep_session_id: when the password changes, every session of
 * the user but this one is ended (0 = all). Disabling ends sessions and revokes tokens. */
vg_err vg_user_update(vg_db *db, int64_t id, const vg_user_patch *p, int64_t keep_session_id,
		      const vg_audit_ctx *ac, vg_diag *d);
/* Disable: sets disabled, deletes the user's sessions, revokes their tokens. */
vg_err vg_user_disable(vg_db *db, int64_t id, const vg_audit_ctx *ac, vg_diag *d);
/* Check syntax only (field "username"). */
vg_err vg_username_check(const char *username, vg_diag *d);
/* VG_OK when password is the user's current password; VG_ERR_AUTH otherwise
 * (also for an unknown user, after the same hashing work). */
vg_err vg_user_check_password(vg_db *db, int64_t id, const char *password, vg_diag *d);
/* Record a successful login (last_login_at) and rehash the password when its
 * parameters are outdated. Used by vg_session_login. */
vg_err vg_user_touch_login(vg_db *db, int64_t id, const char *password, vg_diag *d);

/* {"id","username","display_name","email","role","org_id","language",
 *  "disabled","created_at","updated_at","last_login_at"}: no hash. */
json_t *vg_user_json(const vg_user *u);

/* If no administrator exists: create the home organisation (kind 'cert',
 * name "CERT", unless an organisation of kind 'cert' exists: the first one is
 * used) and the user "admin" (role admin). password NULL = generate one into
 * generated_out (VG_PASSWORD_GEN_LEN + 1 bytes at least). *created tells
 * whether anything was created. Audited with ac (NULL = actor "cli:setup"). */
vg_err vg_bootstrap(vg_db *db, const char *password, char *generated_out, size_t gensz, bool *created,
		    const vg_audit_ctx *ac, vg_diag *d);

#endif
