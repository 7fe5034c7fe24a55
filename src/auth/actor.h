/* Who is making a request: the authenticated user (or nobody), the role and
 * organisation that decide what they may see, and how they authenticated. */
#ifndef VG_AUTH_ACTOR_H
#define VG_AUTH_ACTOR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/limits.h"

typedef enum vg_role {
	VG_ROLE_NONE = 0, /* anonymous */
	VG_ROLE_ADMIN,
	VG_ROLE_ANALYST,     /* CERT staff */
	VG_ROLE_CONSTITUENT, /* member of a constituent organisation */
	VG_ROLE_PARTNER,     /* member of a partner CERT */
	VG_ROLE__COUNT
} vg_role;

typedef enum vg_auth_method {
	VG_AUTH_NONE = 0,
	VG_AUTH_SESSION, /* browser cookie: CSRF token required on state changes */
	VG_AUTH_TOKEN,   /* Authorization: Bearer */
	VG_AUTH_LOCAL,   /* CLI working on the database directly */
} vg_auth_method;

typedef struct vg_actor {
	int64_t user_id; /* 0 = anonymous */
	int64_t org_id;
	vg_role role;
	vg_auth_method method;
	bool read_only;     /* read-only API token */
	int64_t session_id; /* when method == VG_AUTH_SESSION */
	int64_t token_id;   /* when method == VG_AUTH_TOKEN */
	char username[VG_USERNAME_MAX + 1];
	char csrf_token[48]; /* expected CSRF token of the session */
} vg_actor;

/* "admin", "analyst", ...; NULL-safe. */
const char *vg_role_name(vg_role r);
/* Parse a role name; VG_ROLE_NONE when unknown. */
vg_role vg_role_parse(const char *s);
/* Actor used by CLI admin commands (full rights, audited as "cli:<user>"). */
void vg_actor_local(vg_actor *a);

#endif
