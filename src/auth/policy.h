/* The one policy function. Every request is checked twice through it: once by
 * the HTTP layer before the handler runs (object NULL: "may this actor ever
 * do this?"), and once by the handler on the object it loaded. The rules are a
 * table in policy.c, one row per action. */
#ifndef VG_AUTH_POLICY_H
#define VG_AUTH_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/actor.h"

typedef enum vg_action {
	VG_ACT_PUBLIC = 0,        /* health, login, OpenAPI */
	VG_ACT_SELF_READ,         /* whoami */
	VG_ACT_SELF_WRITE,        /* logout, change own password */
	VG_ACT_ORG_READ,          /* organisations and their children */
	VG_ACT_ORG_CREATE,
	VG_ACT_ORG_UPDATE,        /* name, kind, sector, scope, notes */
	VG_ACT_ORG_DELETE,
	VG_ACT_ORG_CONTACT_WRITE, /* contacts: also the constituent's own */
	VG_ACT_ORG_PRODUCT_WRITE, /* product inventory: also the constituent's own */
	VG_ACT_ORG_ATTRIB_WRITE,  /* networks, AS numbers, domains: CERT only */
	VG_ACT_REGISTRY_IMPORT,
	VG_ACT_REGISTRY_EXPORT,
	VG_ACT_LOOKUP,
	VG_ACT_USER_READ,
	VG_ACT_USER_WRITE,
	VG_ACT_TOKEN_READ,        /* own tokens; admin: anyone's */
	VG_ACT_TOKEN_WRITE,       /* create/revoke own; admin: revoke anyone's */
	VG_ACT_AUDIT_READ,
	VG_ACT_METRICS,
	VG_ACT_CONFIG_READ,
	/* incident handling (src/cases) */
	VG_ACT_REPORT_CREATE,     /* submit a report: staff, or a constituent for its organisation */
	VG_ACT_REPORT_READ,       /* staff; constituents: reports of their organisation */
	VG_ACT_REPORT_TRIAGE,     /* decide, merge, refer, forward: staff */
	VG_ACT_INCIDENT_READ,     /* staff; constituents: their organisation's incidents (visible journal only) */
	VG_ACT_INCIDENT_WRITE,    /* create, change, journal, tasks, merge, link: staff */
	VG_ACT_INCIDENT_REPLY,    /* visible reply / attachment on an own-organisation incident: constituents too */
	VG_ACT_OBSERVABLE_READ,   /* staff; constituents within their organisation's data */
	VG_ACT_OBSERVABLE_WRITE,  /* staff */
	VG_ACT_PLAYBOOK_READ,     /* staff */
	VG_ACT_PLAYBOOK_WRITE,    /* staff */
	/* detection (src/alerts) */
	VG_ACT_ALERT_READ,        /* staff; constituents: their organisation's alerts */
	VG_ACT_ALERT_WRITE,       /* acknowledge, merge into an incident: staff */
	VG_ACT__COUNT
} vg_action;

typedef enum vg_decision {
	VG_ALLOW = 0,
	VG_DENY_AUTH,   /* 401: log in first */
	VG_DENY,        /* 403: known to exist, not allowed */
	VG_DENY_HIDDEN, /* 404: the object must not be revealed */
} vg_decision;

/* What the handler knows about the object it acts on. */
typedef struct vg_object {
	const char *type;   /* "organisation", "user", "token", ... */
	int64_t org_id;     /* owning organisation (0 = none/platform) */
	int64_t owner_id;   /* owning user for user-owned objects (tokens), else 0 */
	int tlp;            /* vg_tlp for shared material, -1 when not labelled */
} vg_object;

vg_decision vg_policy(const vg_actor *actor, vg_action action, const vg_object *obj);
/* Does the action change state (refused for read-only tokens, audited, CSRF-checked)? */
bool vg_action_writes(vg_action action);
const char *vg_action_name(vg_action action);
/* When a list is filtered for the actor: 0 = every organisation, else only this one. */
int64_t vg_policy_org_scope(const vg_actor *actor);

#endif
