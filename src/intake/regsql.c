/* Registry lookups through indexed SQL, for one-shot processes (vigie
 * mailgate: one process per message) where building the whole in-memory
 * index (vg_regindex_build) would cost far more than the few lookups a
 * message needs. Only the best matches are produced (triage uses nothing
 * else), with the index's semantics:
 *   - IP: the most specific registered prefix covering the address (one
 *     indexed lookup per prefix length, longest first, on org_networks.cidr,
 *     which holds the canonical text);
 *   - domain: the longest registered suffix (org_domains.domain);
 *   - e-mail: the contact address (contacts.email, case-insensitive), else
 *     the address's domain.
 * Organisations sharing the match come out by id. */
#include <stdio.h>
#include <string.h>

#include "intake/internal.h"

/* Organisations for one key; *n = how many (0: nothing registered). */
static vg_err orgs_for(vg_db *db, const char *sql, const char *key, vg_match_type t, vg_reg_match *out, size_t max,
		       size_t *n, vg_diag *d)
{
	vg_stmt *st;
	vg_err e;
	int rc;
	*n = 0;
	if ((e = vg_db_prepare(db, sql, &st, d)))
		return e;
	vg_stmt_bind_text(st, 1, key, -1);
	vg_stmt_bind_int(st, 2, (int64_t)max);
	while ((rc = vg_stmt_step(st, d)) == VG_ROW && *n < max) {
		out[*n].org_id = vg_stmt_int(st, 0);
		out[*n].type = (uint8_t)t;
		out[*n].best = true;
		out[*n].ref = 0;
		(*n)++;
	}
	vg_stmt_done(st);
	return rc < 0 ? VG_ERR_DB : VG_OK;
}

vg_err vg_regsql_lookup_domain(vg_db *db, const char *domain, vg_reg_match *out, size_t max, size_t *n, vg_diag *d)
{
	static const char *sql = "SELECT DISTINCT org_id FROM org_domains WHERE domain = ? ORDER BY org_id LIMIT ?";
	vg_err e;
	*n = 0;
	for (const char *p = domain; p && *p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
		if ((e = orgs_for(db, sql, p, VG_MATCH_DOMAIN, out, max, n, d)))
			return e;
		if (*n)
			break;
	}
	return VG_OK;
}

vg_err vg_regsql_lookup_email(vg_db *db, const char *email, vg_reg_match *out, size_t max, size_t *n, vg_diag *d)
{
	static const char *sql = "SELECT DISTINCT org_id FROM contacts WHERE email = ? ORDER BY org_id LIMIT ?";
	const char *at = strrchr(email, '@');
	vg_err e;
	*n = 0;
	if (!at)
		return VG_OK;
	if ((e = orgs_for(db, sql, email, VG_MATCH_EMAIL, out, max, n, d)) || *n)
		return e;
	return vg_regsql_lookup_domain(db, at + 1, out, max, n, d);
}

vg_err vg_regsql_lookup_ip(vg_db *db, const vg_ip *ip, vg_reg_match *out, size_t max, size_t *n, vg_diag *d)
{
	static const char *sql = "SELECT DISTINCT org_id FROM org_networks WHERE cidr = ? ORDER BY org_id LIMIT ?";
	int bits = ip->family == 4 ? 32 : 128;
	vg_err e;
	*n = 0;
	for (int len = bits; len >= 0; len--) {
		char text[VG_CIDR_STRLEN];
		vg_cidr c;
		memset(&c, 0, sizeof c);
		c.addr = *ip;
		c.prefix = (uint8_t)len;
		for (int b = len; b < bits; b++) /* clear the host bits */
			c.addr.bytes[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
		vg_cidr_format(&c, text, sizeof text);
		if ((e = orgs_for(db, sql, text, VG_MATCH_NETWORK, out, max, n, d)))
			return e;
		if (*n)
			break;
	}
	return VG_OK;
}
