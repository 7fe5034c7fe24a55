/* Roles and the local (CLI) actor. */
#include "auth/actor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[VG_ROLE__COUNT] = {
	[VG_ROLE_NONE] = "anonymous",
	[VG_ROLE_ADMIN] = "admin",
	[VG_ROLE_ANALYST] = "analyst",
	[VG_ROLE_CONSTITUENT] = "constituent",
	[VG_ROLE_PARTNER] = "partner",
};

const char *vg_role_name(vg_role r)
{
	if ((unsigned)r >= VG_ROLE__COUNT)
		return "anonymous";
	return role_names[r];
}

vg_role vg_role_parse(const char *s)
{
	if (!s)
		return VG_ROLE_NONE;
	for (int i = VG_ROLE_ADMIN; i < VG_ROLE__COUNT; i++)
		if (strcmp(s, role_names[i]) == 0)
			return (vg_role)i;
	return VG_ROLE_NONE;
}

void vg_actor_local(vg_actor *a)
{
	const char *who = getenv("SUDO_USER");
	char name[VG_USERNAME_MAX + 1];
	size_t n = 0;
	if (!who || !*who)
		who = getenv("USER");
	if (!who || !*who)
		who = "unknown";
	/* keep the audit name printable and short */
	for (const char *p = who; *p && n < sizeof name - 1; p++) {
		unsigned char c = (unsigned char)*p;
		name[n++] = (c > 0x20 && c < 0x7f) ? (char)c : '_';
	}
	name[n] = '\0';
	memset(a, 0, sizeof *a);
	a->role = VG_ROLE_ADMIN;
	a->method = VG_AUTH_LOCAL;
	snprintf(a->username, sizeof a->username, "cli:%.*s", (int)(sizeof a->username - 5), name);
}
