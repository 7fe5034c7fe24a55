/* The policy: one table row per action, one function that reads it.
 *
 * Decision order (vg_policy):
 *   1. anonymous actor: ALLOW for VG_ACT_PUBLIC, DENY_AUTH otherwise;
 *   2. with an object: if the object is outside what the actor may see (the
 *      row's scope rule), DENY_HIDDEN, so its existence never leaks;
 *   3. role not in the row's role set: DENY;
 *   4. read-only API token and a writing action: DENY;
 *   5. ALLOW. */
#include "auth/policy.h"

#include <stddef.h>

#define R_ADMIN (1u << VG_ROLE_ADMIN)
#define R_ANALYST (1u << VG_ROLE_ANALYST)
#define R_CONST (1u << VG_ROLE_CONSTITUENT)
#define R_PARTNER (1u << VG_ROLE_PARTNER)
#define R_STAFF (R_ADMIN | R_ANALYST)
#define R_ALL (R_ADMIN | R_ANALYST | R_CONST | R_PARTNER)

typedef enum scope_rule {
	SCOPE_NONE,  /* no object-level restriction */
	SCOPE_ORG,   /* constituents/partners: only objects of their organisation */
	SCOPE_OWNER, /* non-admins: only objects they own (API tokens) */
	SCOPE_USER,  /* user records: constituents/partners see only themselves */
} scope_rule;

typedef struct policy_row {
	const char *name;
	unsigned roles;
	bool writes;
	scope_rule scope;
} policy_row;

static const policy_row table[VG_ACT__COUNT] = {
	[VG_ACT_PUBLIC] = {"public", R_ALL, false, SCOPE_NONE},
	[VG_ACT_SELF_READ] = {"self.read", R_ALL, false, SCOPE_NONE},
	[VG_ACT_SELF_WRITE] = {"self.write", R_ALL, true, SCOPE_NONE},
	[VG_ACT_ORG_READ] = {"org.read", R_ALL, false, SCOPE_ORG},
	[VG_ACT_ORG_CREATE] = {"org.create", R_STAFF, true, SCOPE_ORG},
	[VG_ACT_ORG_UPDATE] = {"org.update", R_STAFF, true, SCOPE_ORG},
	[VG_ACT_ORG_DELETE] = {"org.delete", R_STAFF, true, SCOPE_ORG},
	[VG_ACT_ORG_CONTACT_WRITE] = {"org.contact.write", R_STAFF | R_CONST, true, SCOPE_ORG},
	[VG_ACT_ORG_PRODUCT_WRITE] = {"org.product.write", R_STAFF | R_CONST, true, SCOPE_ORG},
	[VG_ACT_ORG_ATTRIB_WRITE] = {"org.attrib.write", R_STAFF, true, SCOPE_ORG},
	[VG_ACT_REGISTRY_IMPORT] = {"registry.import", R_STAFF, true, SCOPE_NONE},
	[VG_ACT_REGISTRY_EXPORT] = {"registry.export", R_STAFF, false, SCOPE_NONE},
	[VG_ACT_LOOKUP] = {"lookup", R_ALL, false, SCOPE_ORG},
	[VG_ACT_USER_READ] = {"user.read", R_ALL, false, SCOPE_USER},
	[VG_ACT_USER_WRITE] = {"user.write", R_ADMIN, true, SCOPE_USER},
	[VG_ACT_TOKEN_READ] = {"token.read", R_ALL, false, SCOPE_OWNER},
	[VG_ACT_TOKEN_WRITE] = {"token.write", R_ALL, true, SCOPE_OWNER},
	[VG_ACT_AUDIT_READ] = {"audit.read", R_ADMIN, false, SCOPE_NONE},
	[VG_ACT_METRICS] = {"metrics", R_STAFF, false, SCOPE_NONE},
	[VG_ACT_CONFIG_READ] = {"config.read", R_ADMIN, false, SCOPE_NONE},
	[VG_ACT_REPORT_CREATE] = {"report.create", R_STAFF | R_CONST, true, SCOPE_ORG},
	[VG_ACT_REPORT_READ] = {"report.read", R_STAFF | R_CONST, false, SCOPE_ORG},
	[VG_ACT_REPORT_TRIAGE] = {"report.triage", R_STAFF, true, SCOPE_ORG},
	[VG_ACT_INCIDENT_READ] = {"incident.read", R_STAFF | R_CONST, false, SCOPE_ORG},
	[VG_ACT_INCIDENT_WRITE] = {"incident.write", R_STAFF, true, SCOPE_ORG},
	[VG_ACT_INCIDENT_REPLY] = {"incident.reply", R_STAFF | R_CONST, true, SCOPE_ORG},
	[VG_ACT_OBSERVABLE_READ] = {"observable.read", R_STAFF | R_CONST, false, SCOPE_ORG},
	[VG_ACT_OBSERVABLE_WRITE] = {"observable.write", R_STAFF, true, SCOPE_ORG},
	[VG_ACT_PLAYBOOK_READ] = {"playbook.read", R_STAFF, false, SCOPE_NONE},
	[VG_ACT_PLAYBOOK_WRITE] = {"playbook.write", R_STAFF, true, SCOPE_NONE},
	[VG_ACT_ALERT_READ] = {"alert.read", R_STAFF | R_CONST, false, SCOPE_ORG},
	[VG_ACT_ALERT_WRITE] = {"alert.write", R_STAFF, true, SCOPE_ORG},
};

static bool is_staff(vg_role r)
{
	return r == VG_ROLE_ADMIN || r == VG_ROLE_ANALYST;
}

static bool visible(const vg_actor *a, scope_rule scope, const vg_object *o)
{
	if (a->role == VG_ROLE_ADMIN)
		return true;
	switch (scope) {
	case SCOPE_NONE:
		return true;
	case SCOPE_ORG:
		return is_staff(a->role) || (a->org_id > 0 && o->org_id == a->org_id);
	case SCOPE_OWNER:
		return a->user_id > 0 && o->owner_id == a->user_id;
	case SCOPE_USER:
		return is_staff(a->role) || (a->user_id > 0 && o->owner_id == a->user_id);
	}
	return false;
}

vg_decision vg_policy(const vg_actor *actor, vg_action action, const vg_object *obj)
{
	const policy_row *row;
	if ((unsigned)action >= VG_ACT__COUNT)
		return VG_DENY;
	if (!actor || actor->role <= VG_ROLE_NONE || actor->role >= VG_ROLE__COUNT)
		return action == VG_ACT_PUBLIC ? VG_ALLOW : VG_DENY_AUTH;
	row = &table[action];
	if (obj && !visible(actor, row->scope, obj))
		return VG_DENY_HIDDEN;
	if (!(row->roles & (1u << actor->role)))
		return VG_DENY;
	if (actor->read_only && row->writes)
		return VG_DENY;
	return VG_ALLOW;
}

bool vg_action_writes(vg_action action)
{
	return (unsigned)action < VG_ACT__COUNT && table[action].writes;
}

const char *vg_action_name(vg_action action)
{
	if ((unsigned)action >= VG_ACT__COUNT)
		return "unknown";
	return table[action].name;
}

int64_t vg_policy_org_scope(const vg_actor *actor)
{
	if (!actor || actor->role <= VG_ROLE_NONE || actor->role >= VG_ROLE__COUNT)
		return -1; /* matches no organisation */
	if (is_staff(actor->role))
		return 0;
	return actor->org_id > 0 ? actor->org_id : -1;
}
