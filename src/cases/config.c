/* Configuration of the incident module: reference prefix, SLAs per severity,
 * attachment storage and YARA scanning. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cases/internal.h"
#include "core/config.h"

static vg_cases_config g_cfg;
static atomic_int g_set;

void vg_cases_config_defaults(vg_cases_config *c)
{
	static const int64_t h = 3600LL * 1000;
	memset(c, 0, sizeof *c);
	snprintf(c->ref_prefix, sizeof c->ref_prefix, "VIGIE");
	/* low, medium, high, critical */
	c->sla_ack_ms[0] = 72 * h, c->sla_ack_ms[1] = 24 * h, c->sla_ack_ms[2] = 4 * h, c->sla_ack_ms[3] = 1 * h;
	c->sla_advice_ms[0] = 168 * h, c->sla_advice_ms[1] = 72 * h, c->sla_advice_ms[2] = 24 * h,
	c->sla_advice_ms[3] = 4 * h;
	snprintf(c->data_dir, sizeof c->data_dir, "./var");
	c->attachment_max = 24LL * 1024 * 1024;
	c->yara_scan_max = 32LL * 1024 * 1024;
	c->obs_common_cap = 100;
}

void vg_cases_configure(const vg_cases_config *c)
{
	g_cfg = *c;
	atomic_store(&g_set, 1);
}

const vg_cases_config *vg_cases_cfg(void)
{
	if (!atomic_load(&g_set)) {
		vg_cases_config c;
		vg_cases_config_defaults(&c);
		vg_cases_configure(&c);
	}
	return &g_cfg;
}

vg_err vg_cases_parse_sla(const char *s, int64_t ms[4], vg_diag *d)
{
	char buf[VG_CONFIG_VALUE_MAX];
	char *save = NULL, *tok;
	if (!s || strlen(s) >= sizeof buf)
		return vg_diag_set(d, VG_ERR_INVALID, "sla", "SLA value missing or too long");
	snprintf(buf, sizeof buf, "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		int64_t sec;
		int sev;
		while (*tok == ' ')
			tok++;
		if (!colon)
			return vg_diag_set(d, VG_ERR_INVALID, "sla", "expected severity:duration, got '%.40s'", tok);
		*colon = '\0';
		for (char *e = colon - 1; e >= tok && *e == ' '; e--)
			*e = '\0';
		sev = vg_cases_index_of(vg_severity_names, tok);
		if (sev < 0)
			return vg_diag_set(d, VG_ERR_INVALID, "sla", "unknown severity '%.40s'", tok);
		tok = colon + 1;
		while (*tok == ' ')
			tok++;
		if (vg_parse_duration(tok, &sec) || sec <= 0)
			return vg_diag_set(d, VG_ERR_INVALID, "sla", "bad duration '%.40s'", tok);
		ms[sev] = sec * 1000;
	}
	return VG_OK;
}

vg_err vg_cases_configure_from(const vg_config *cfg, vg_diag *d)
{
	vg_cases_config c;
	vg_err e;
	vg_cases_config_defaults(&c);
	if (cfg->ref_prefix[0])
		snprintf(c.ref_prefix, sizeof c.ref_prefix, "%s", cfg->ref_prefix);
	for (const char *p = c.ref_prefix; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return vg_diag_set(d, VG_ERR_INVALID, "ref_prefix", "use upper-case letters, digits, '-' or '_'");
	if ((e = vg_cases_parse_sla(cfg->sla_ack, c.sla_ack_ms, d)))
		return vg_diag_set(d, e, "sla_ack", "%s", d ? d->message : "bad value");
	if ((e = vg_cases_parse_sla(cfg->sla_advice, c.sla_advice_ms, d)))
		return vg_diag_set(d, e, "sla_advice", "%s", d ? d->message : "bad value");
	snprintf(c.data_dir, sizeof c.data_dir, "%s", cfg->data_dir);
	if (cfg->attachment_max > 0)
		c.attachment_max = cfg->attachment_max;
	snprintf(c.yara_rules_dir, sizeof c.yara_rules_dir, "%s", cfg->yara_rules_dir);
	if (cfg->yara_scan_max > 0)
		c.yara_scan_max = cfg->yara_scan_max;
	if (cfg->correlation_common_cap > 0)
		c.obs_common_cap = cfg->correlation_common_cap;
	vg_cases_configure(&c);
	return VG_OK;
}
