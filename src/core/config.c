#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ip.h"
#include "core/log.h"

#define K(name, type, field, dflt, min, max, help)                                               \
	{name, type, offsetof(vg_config, field), sizeof(((vg_config *)0)->field), dflt, min, max, help}

const vg_cfg_key vg_config_keys[] = {
	K("listen", VG_CFG_HOSTPORT, listen, "127.0.0.1:8080", 0, 0,
	  "Address and port the HTTP server listens on"),
	K("db", VG_CFG_PATH, db, "./var/vigie.db", 0, 0, "Database: path of the SQLite file"),
	K("data_dir", VG_CFG_PATH, data_dir, "./var", 0, 0,
	  "Directory for attachments and other files"),
	K("web_root", VG_CFG_PATH, web_root, "./web", 0, 0, "Directory of the web console"),
	K("threads", VG_CFG_INT, threads, "4", 1, 256, "HTTP worker threads"),
	K("log_level", VG_CFG_LOGLEVEL, log_level, "info", 0, 0, "debug, info, warn, error or off"),
	K("log_format", VG_CFG_LOGFORMAT, log_json, "text", 0, 0, "text or json (one object a line)"),
	K("tls_cert", VG_CFG_PATH, tls_cert, "", 0, 0, "PEM certificate chain; enables HTTPS"),
	K("tls_key", VG_CFG_PATH, tls_key, "", 0, 0, "PEM private key for tls_cert"),
	K("trusted_proxies", VG_CFG_CIDRLIST, trusted_proxies, "", 0, 0,
	  "Comma-separated prefixes whose X-Forwarded-For is believed"),
	K("session_ttl", VG_CFG_DURATION, session_ttl_s, "12h", 60, 30 * 86400,
	  "Absolute lifetime of a browser session"),
	K("session_idle", VG_CFG_DURATION, session_idle_s, "1h", 60, 30 * 86400,
	  "A browser session unused this long expires"),
	K("token_ttl", VG_CFG_DURATION, token_ttl_s, "90d", 60, 5 * 366 * 86400,
	  "Default lifetime of an API token"),
	K("request_timeout", VG_CFG_DURATION, request_timeout_s, "30s", 1, 3600,
	  "Idle time after which a client connection is closed"),
	K("max_body", VG_CFG_SIZE, max_body, "256k", 1024, VG_HTTP_BODY_MAX,
	  "Default largest request body (routes may set their own)"),
	K("login_max_failures", VG_CFG_INT, login_max_failures, "5", 1, 1000,
	  "Failed logins per account or address before throttling"),
	K("login_window", VG_CFG_DURATION, login_window_s, "15m", 1, 86400,
	  "Window over which failed logins are counted"),
	K("db_sync", VG_CFG_SYNC, db_sync_full, "full", 0, 0,
	  "full: every commit reaches the disk; normal: faster, may lose the last commits on power loss"),
	K("db_busy_timeout", VG_CFG_DURATION_MS, db_busy_timeout_ms, "5s", 0, 600000,
	  "How long a writer waits for the database lock"),
	K("public_url", VG_CFG_STRING, public_url, "", 0, 0,
	  "External URL of the platform, used in e-mails and feeds"),
	K("correlation_common_cap", VG_CFG_INT, correlation_common_cap, "100", 2, 100000000,
	  "An observable linked to more objects than this is common and correlates nothing"),
	K("ref_prefix", VG_CFG_STRING, ref_prefix, "VIGIE", 0, 0,
	  "Prefix of incident and report references (VIGIE-2026-000123)"),
	K("sla_ack", VG_CFG_STRING, sla_ack, "critical:1h,high:4h,medium:1d,low:3d", 0, 0,
	  "Acknowledgement SLA per incident severity (severity:duration, comma-separated)"),
	K("sla_advice", VG_CFG_STRING, sla_advice, "critical:4h,high:1d,medium:3d,low:7d", 0, 0,
	  "First-advice SLA per incident severity (severity:duration, comma-separated)"),
	K("attachment_max", VG_CFG_SIZE, attachment_max, "24M", 1024, 24 * 1024 * 1024,
	  "Largest attachment stored (incidents, reports); downloads go through the 32 MiB request arena"),
	K("yara_rules_dir", VG_CFG_PATH, yara_rules_dir, "", 0, 0,
	  "Folder of YARA rules (*.yar, *.yara) attachments are scanned with; empty: no scanning"),
	K("yara_scan_max", VG_CFG_SIZE, yara_scan_max, "32M", 1024, VG_HTTP_BODY_MAX,
	  "Attachments larger than this are not scanned (recorded as not scanned)"),
	K("smtp_url", VG_CFG_STRING, smtp_url, "smtp://127.0.0.1:25", 0, 0,
	  "SMTP server for outgoing mail (smtp://host:port or smtps://host:port); empty: mail stays queued"),
	K("smtp_from", VG_CFG_STRING, smtp_from, "cert@localhost", 0, 0,
	  "Sender address of outgoing mail; its domain names our Message-IDs"),
	K("smtp_from_name", VG_CFG_STRING, smtp_from_name, "CERT", 0, 0, "Display name of outgoing mail"),
	K("smtp_user", VG_CFG_STRING, smtp_user, "", 0, 0, "SMTP AUTH user (empty: no authentication)"),
	K("smtp_password", VG_CFG_STRING, smtp_password, "", 0, 0, "SMTP AUTH password"),
	K("smtp_tls", VG_CFG_STRING, smtp_tls, "none", 0, 0,
	  "TLS to the SMTP server: none, starttls (required) or tls (implicit, smtps)"),
	K("gpg_home", VG_CFG_PATH, gpg_home, "", 0, 0,
	  "GnuPG home with the CERT's key: decrypts and verifies PGP/MIME mail; empty: not checked"),
	K("referral_text", VG_CFG_STRING, referral_text,
	  "Your report concerns an individual or a small business, outside our constituency. "
	  "Please contact https://www.cybermalveillance.gouv.fr/ for assistance.", 0, 0,
	  "Answer sent to out-of-scope reporters (referral)"),
	K("mail_max", VG_CFG_SIZE, mail_max, "25M", 1024, VG_MAIL_SIZE_MAX,
	  "Largest message vigie mailgate accepts (bigger is kept raw, not parsed)"),
	K("report_ack", VG_CFG_BOOL, report_ack, "true", 0, 1,
	  "Acknowledge every new report to its reporter by e-mail"),
	K("mail_sign", VG_CFG_BOOL, mail_sign, "false", 0, 1,
	  "Sign outgoing mail with OpenPGP (PGP/MIME) using the key in gpg_home"),
	K("mail_sign_key", VG_CFG_STRING, mail_sign_key, "", 0, 0,
	  "Key that signs outgoing mail (fingerprint or address); empty: the smtp_from address"),
	K("alert_dedup_window", VG_CFG_DURATION, alert_dedup_window_s, "1h", 1, 30 * 86400,
	  "Alerts: a hit with the fingerprint of an open alert last seen within this window bumps its count"),
	K("alert_fingerprint_fields", VG_CFG_STRING, alert_fingerprint_fields,
	  "Computer,host.name,hostname,User,user.name,SubjectUserName,TargetUserName,SourceIp,src_ip,source.ip,DestinationIp,dest_ip,destination.ip,IpAddress",
	  0, 0, "Alerts: event fields that, with the rule, make the fingerprint (comma-separated; per rule: vigie detect --fingerprint)"),
	{NULL, 0, 0, 0, NULL, 0, 0, NULL},
};

const vg_cfg_key *vg_config_find(const char *name)
{
	for (const vg_cfg_key *k = vg_config_keys; k->name; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

void vg_config_defaults(vg_config *c)
{
	memset(c, 0, sizeof *c);
	for (const vg_cfg_key *k = vg_config_keys; k->name; k++) {
		vg_err e = vg_config_set(c, k->name, k->dflt, NULL);
		(void)e; /* defaults are tested by test_config */
	}
}

vg_err vg_parse_duration(const char *s, int64_t *out_s)
{
	char *end;
	long long v;
	int64_t mul = 1;
	errno = 0;
	if (!s || !isdigit((unsigned char)*s))
		return VG_ERR_INVALID;
	v = strtoll(s, &end, 10);
	if (errno || v < 0)
		return VG_ERR_INVALID;
	if (*end) {
		switch (*end) {
		case 's': mul = 1; break;
		case 'm': mul = 60; break;
		case 'h': mul = 3600; break;
		case 'd': mul = 86400; break;
		default: return VG_ERR_INVALID;
		}
		if (end[1])
			return VG_ERR_INVALID;
	}
	if (v > INT64_MAX / mul)
		return VG_ERR_INVALID;
	*out_s = v * mul;
	return VG_OK;
}

vg_err vg_parse_size(const char *s, int64_t *out)
{
	char *end;
	long long v;
	int64_t mul = 1;
	errno = 0;
	if (!s || !isdigit((unsigned char)*s))
		return VG_ERR_INVALID;
	v = strtoll(s, &end, 10);
	if (errno || v < 0)
		return VG_ERR_INVALID;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mul = 1024; break;
		case 'm': case 'M': mul = 1024 * 1024; break;
		case 'g': case 'G': mul = 1024 * 1024 * 1024; break;
		default: return VG_ERR_INVALID;
		}
		if (end[1] && !(end[1] == 'B' && !end[2]) && !(end[1] == 'i' && end[2] == 'B' && !end[3]))
			return VG_ERR_INVALID;
	}
	if (v > INT64_MAX / mul)
		return VG_ERR_INVALID;
	*out = v * mul;
	return VG_OK;
}

vg_err vg_parse_hostport(const char *s, char *host, size_t hostsz, unsigned *port)
{
	const char *colon;
	size_t hl;
	char *end;
	unsigned long p;
	if (!s || !*s)
		return VG_ERR_INVALID;
	if (*s == '[') {
		const char *rb = strchr(s, ']');
		if (!rb || rb[1] != ':')
			return VG_ERR_INVALID;
		hl = (size_t)(rb - s - 1);
		s++;
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return VG_ERR_INVALID;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= hostsz)
		return VG_ERR_INVALID;
	errno = 0;
	p = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || p > 65535)
		return VG_ERR_INVALID;
	memcpy(host, s, hl);
	host[hl] = '\0';
	*port = (unsigned)p;
	return VG_OK;
}

static vg_err set_number(const vg_cfg_key *k, int64_t v, int64_t *dst, vg_diag *d)
{
	if ((k->min || k->max) && (v < k->min || v > k->max))
		return vg_diag_set(d, VG_ERR_INVALID, k->name, "value out of range [%lld, %lld]",
				   (long long)k->min, (long long)k->max);
	*dst = v;
	return VG_OK;
}

vg_err vg_config_set(vg_config *c, const char *key, const char *value, vg_diag *d)
{
	const vg_cfg_key *k = vg_config_find(key);
	char *dst;
	int64_t v;
	if (!k)
		return vg_diag_set(d, VG_ERR_INVALID, key, "unknown configuration key");
	if (!value)
		value = "";
	if (strlen(value) >= VG_CONFIG_VALUE_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, key, "value too long");
	dst = (char *)c + k->offset;
	switch (k->type) {
	case VG_CFG_STRING:
	case VG_CFG_PATH:
		if (strlen(value) >= k->size)
			return vg_diag_set(d, VG_ERR_LIMIT, key, "value longer than %zu bytes", k->size - 1);
		memcpy(dst, value, strlen(value) + 1);
		return VG_OK;
	case VG_CFG_HOSTPORT: {
		char host[128];
		unsigned port;
		if (vg_parse_hostport(value, host, sizeof host, &port) || strlen(value) >= k->size)
			return vg_diag_set(d, VG_ERR_INVALID, key, "expected HOST:PORT, got \"%.64s\"", value);
		memcpy(dst, value, strlen(value) + 1);
		return VG_OK;
	}
	case VG_CFG_CIDRLIST: {
		char tmp[VG_CONFIG_VALUE_MAX], *save = NULL, *tok;
		snprintf(tmp, sizeof tmp, "%s", value);
		for (tok = strtok_r(tmp, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			vg_cidr cidr;
			if (vg_cidr_parse(tok, 0, false, &cidr, NULL))
				return vg_diag_set(d, VG_ERR_INVALID, key, "not a CIDR prefix: \"%.64s\"", tok);
		}
		memcpy(dst, value, strlen(value) + 1);
		return VG_OK;
	}
	case VG_CFG_INT: {
		char *end;
		long long n;
		errno = 0;
		n = strtoll(value, &end, 10);
		if (errno || !*value || *end)
			return vg_diag_set(d, VG_ERR_INVALID, key, "expected an integer, got \"%.64s\"", value);
		return set_number(k, n, (int64_t *)(void *)dst, d);
	}
	case VG_CFG_BOOL:
		if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "on") || !strcmp(value, "1"))
			v = 1;
		else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "off") || !strcmp(value, "0"))
			v = 0;
		else
			return vg_diag_set(d, VG_ERR_INVALID, key, "expected true or false, got \"%.64s\"", value);
		*(int64_t *)(void *)dst = v;
		return VG_OK;
	case VG_CFG_DURATION:
	case VG_CFG_DURATION_MS:
		if (vg_parse_duration(value, &v))
			return vg_diag_set(d, VG_ERR_INVALID, key,
					   "expected a duration such as 30s, 15m, 12h or 90d, got \"%.64s\"", value);
		if (k->type == VG_CFG_DURATION_MS)
			v *= 1000;
		return set_number(k, v, (int64_t *)(void *)dst, d);
	case VG_CFG_SIZE:
		if (vg_parse_size(value, &v))
			return vg_diag_set(d, VG_ERR_INVALID, key,
					   "expected a size such as 256k or 64M, got \"%.64s\"", value);
		return set_number(k, v, (int64_t *)(void *)dst, d);
	case VG_CFG_LOGLEVEL: {
		int lvl = vg_log_level_parse(value);
		if (lvl < 0)
			return vg_diag_set(d, VG_ERR_INVALID, key,
					   "expected debug, info, warn, error or off, got \"%.64s\"", value);
		*(int64_t *)(void *)dst = lvl;
		return VG_OK;
	}
	case VG_CFG_LOGFORMAT:
		if (strcmp(value, "text") && strcmp(value, "json"))
			return vg_diag_set(d, VG_ERR_INVALID, key, "expected text or json, got \"%.64s\"", value);
		*(int64_t *)(void *)dst = strcmp(value, "json") == 0;
		return VG_OK;
	case VG_CFG_SYNC:
		if (strcmp(value, "full") && strcmp(value, "normal"))
			return vg_diag_set(d, VG_ERR_INVALID, key, "expected full or normal, got \"%.64s\"", value);
		*(int64_t *)(void *)dst = strcmp(value, "full") == 0;
		return VG_OK;
	}
	return vg_diag_set(d, VG_ERR_INTERNAL, key, "unhandled key type");
}

static char *trim(char *s, char *end)
{
	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

vg_err vg_config_load_text(vg_config *c, const char *text, size_t len, const char *name, vg_diag *d)
{
	char line[VG_CONFIG_LINE_MAX + 1];
	unsigned lineno = 0;
	size_t pos = 0;
	if (len > VG_CONFIG_FILE_MAX)
		return vg_diag_set(d, VG_ERR_LIMIT, NULL, "configuration file larger than %d bytes",
				   VG_CONFIG_FILE_MAX);
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *key, *val, *eq, *hash;
		vg_err e;
		lineno++;
		if (ll > VG_CONFIG_LINE_MAX) {
			vg_diag_set(d, VG_ERR_LIMIT, NULL, "line longer than %d bytes", VG_CONFIG_LINE_MAX);
			vg_diag_at(d, name, lineno);
			return VG_ERR_LIMIT;
		}
		memcpy(line, text + pos, ll);
		line[ll] = '\0';
		pos += ll + (nl ? 1 : 0);
		if (memchr(line, '\0', ll)) {
			vg_diag_set(d, VG_ERR_INVALID, NULL, "NUL byte in configuration");
			vg_diag_at(d, name, lineno);
			return VG_ERR_INVALID;
		}
		hash = strchr(line, '#');
		if (hash && (hash == line || isspace((unsigned char)hash[-1])))
			*hash = '\0';
		key = trim(line, line + strlen(line));
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq) {
			vg_diag_set(d, VG_ERR_INVALID, NULL, "expected \"key = value\"");
			vg_diag_at(d, name, lineno);
			return VG_ERR_INVALID;
		}
		val = trim(eq + 1, eq + 1 + strlen(eq + 1));
		*eq = '\0';
		key = trim(key, eq);
		{
			size_t vl = strlen(val);
			if (vl >= 2 && ((val[0] == '"' && val[vl - 1] == '"') || (val[0] == '\'' && val[vl - 1] == '\''))) {
				val[vl - 1] = '\0';
				val++;
			}
		}
		e = vg_config_set(c, key, val, d);
		if (e) {
			vg_diag_at(d, name, lineno);
			return e;
		}
	}
	return VG_OK;
}

vg_err vg_config_load_file(vg_config *c, const char *path, vg_diag *d)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	size_t len = 0;
	vg_err e = VG_OK;
	if (!f)
		return vg_diag_set(d, VG_ERR_IO, NULL, "cannot open configuration file %s: %s", path,
				   strerror(errno));
	text = malloc(VG_CONFIG_FILE_MAX + 1);
	if (!text) {
		e = VG_ERR_NOMEM;
		goto out;
	}
	len = fread(text, 1, VG_CONFIG_FILE_MAX + 1, f);
	if (ferror(f)) {
		e = vg_diag_set(d, VG_ERR_IO, NULL, "cannot read %s", path);
		goto out;
	}
	e = vg_config_load_text(c, text, len, path, d);
out:
	free(text);
	fclose(f);
	return e;
}

/* VIGIE_* variables that are not configuration keys. */
/* VIGIE_* variables that are not configuration keys: read by the commands
 * that need them (hunt's mapping and IOC field defaults), by tests
 * (SHARED, SOURCE_ROOT, TEST_*) or by setup (passwords). */
static const char *const env_ignored[] = {"CONFIG",    "ADMIN_PASSWORD",  "PASSWORD",   "FAKE_NOW",
					 "TEST_",     "NO_PROGRESS",     "SHARED",     "SOURCE_ROOT",
					 "DETECT_",   "IOC_FIELDS",      NULL};

vg_err vg_config_load_env(vg_config *c, char *const *envp, vg_diag *d)
{
	for (; envp && *envp; envp++) {
		const char *kv = *envp, *eq;
		char key[64];
		size_t kl;
		bool skip = false;
		vg_err e;
		if (strncmp(kv, "VIGIE_", 6) != 0)
			continue;
		kv += 6;
		eq = strchr(kv, '=');
		if (!eq)
			continue;
		for (int i = 0; env_ignored[i]; i++)
			if (strncmp(kv, env_ignored[i], strlen(env_ignored[i])) == 0)
				skip = true;
		if (skip)
			continue;
		kl = (size_t)(eq - kv);
		if (kl >= sizeof key)
			return vg_diag_set(d, VG_ERR_INVALID, NULL, "environment variable name too long");
		for (size_t i = 0; i < kl; i++)
			key[i] = (char)tolower((unsigned char)kv[i]);
		key[kl] = '\0';
		e = vg_config_set(c, key, eq + 1, d);
		if (e) {
			char field[VG_DIAG_FIELD_MAX];
			snprintf(field, sizeof field, "VIGIE_%.*s", (int)kl, kv);
			if (d) {
				memcpy(d->field, field, sizeof field);
				snprintf(d->file, sizeof d->file, "environment");
			}
			return e;
		}
	}
	return VG_OK;
}

void vg_config_get_text(const vg_config *c, const vg_cfg_key *k, char *out, size_t outsz)
{
	const char *src = (const char *)c + k->offset;
	int64_t v = 0;
	if (k->type != VG_CFG_STRING && k->type != VG_CFG_PATH && k->type != VG_CFG_HOSTPORT &&
	    k->type != VG_CFG_CIDRLIST)
		memcpy(&v, src, sizeof v);
	switch (k->type) {
	case VG_CFG_STRING:
	case VG_CFG_PATH:
	case VG_CFG_HOSTPORT:
	case VG_CFG_CIDRLIST:
		snprintf(out, outsz, "%s", src);
		break;
	case VG_CFG_BOOL:
		snprintf(out, outsz, "%s", v ? "true" : "false");
		break;
	case VG_CFG_DURATION:
		snprintf(out, outsz, "%llds", (long long)v);
		break;
	case VG_CFG_DURATION_MS:
		snprintf(out, outsz, "%llds", (long long)(v / 1000));
		break;
	case VG_CFG_LOGLEVEL: {
		static const char *const n[] = {"debug", "info", "warn", "error", "off"};
		snprintf(out, outsz, "%s", v >= 0 && v <= 4 ? n[v] : "?");
		break;
	}
	case VG_CFG_LOGFORMAT:
		snprintf(out, outsz, "%s", v ? "json" : "text");
		break;
	case VG_CFG_SYNC:
		snprintf(out, outsz, "%s", v ? "full" : "normal");
		break;
	default:
		snprintf(out, outsz, "%lld", (long long)v);
	}
}
