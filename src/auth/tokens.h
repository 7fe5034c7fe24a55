/* API tokens: "vgt_" + 43 characters (base64url of 32 random bytes). The
 * secret is returned once at creation; only its SHA-256 and a display prefix
 * (the first 8 characters after "vgt_") are stored. Every token expires
 * (at most VG_TOKEN_TTL_MAX_S). Resolving a bearer token is vg_auth_bearer
 * (auth/auth.h). */
#ifndef VG_AUTH_TOKENS_H
#define VG_AUTH_TOKENS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "auth/password.h"
#include "core/arena.h"
#include "core/err.h"
#include "core/limits.h"
#include "store/store.h"

#define VG_TOKEN_MARK "vgt_"
#define VG_TOKEN_SECRET_LEN (4 + VG_B64URL_LEN(32)) /* 47 */
#define VG_TOKEN_SECRET_SIZE (VG_TOKEN_SECRET_LEN + 1)
#define VG_TOKEN_PREFIX_LEN 8

typedef struct vg_token {
	int64_t id;
	int64_t user_id;
	char name[VG_TOKEN_NAME_MAX + 1];
	char prefix[VG_TOKEN_PREFIX_LEN + 1];
	bool read_only;
	int64_t created_at;
	int64_t expires_at;
	int64_t revoked_at;   /* 0 = active */
	int64_t last_used_at; /* 0 = never */
} vg_token;

/* Create a token for user_id valid ttl_s seconds (1..VG_TOKEN_TTL_MAX_S, field
 * "expires_in_days"; name 1..VG_TOKEN_NAME_MAX, field "name"). At most
 * VG_TOKENS_PER_USER_MAX active tokens per user (VG_ERR_LIMIT). The secret
 * goes to secret_out (VG_TOKEN_SECRET_SIZE bytes); out may be NULL. */
vg_err vg_token_create(vg_db *db, int64_t user_id, const char *name, int64_t ttl_s, bool read_only,
		       const vg_audit_ctx *ac, char *secret_out, size_t secret_size, vg_token *out,
		       vg_diag *d);
vg_err vg_token_get(vg_db *db, int64_t id, vg_token *out, vg_diag *d);
/* A user's tokens (revoked and expired included), newest first, at most
 * VG_TOKENS_LIST_MAX, allocated in a. */
vg_err vg_token_list(vg_db *db, int64_t user_id, vg_arena *a, vg_token **items, size_t *n, vg_diag *d);
/* Set revoked_at (idempotent: an already revoked token stays as it was). */
vg_err vg_token_revoke(vg_db *db, int64_t id, const vg_audit_ctx *ac, vg_diag *d);
/* Revoke every active token of a user (account disabled). */
vg_err vg_token_revoke_all(vg_db *db, int64_t user_id, vg_diag *d);
/* {"id","user_id","name","prefix","read_only","created_at","expires_at",
 *  "revoked_at","last_used_at","active"} */
json_t *vg_token_json(const vg_token *t, int64_t now_ms);

#endif
