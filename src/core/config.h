/* Configuration: one typed table of keys (config.c). Values come from the
 * file, then VIGIE_<KEY> environment variables, then command-line flags; each
 * later source overrides the earlier. An unknown key or a bad value is an error
 * naming file:line and the key. */
#ifndef VG_CORE_CONFIG_H
#define VG_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"

#define VG_CONFIG_PATH_MAX 512

typedef struct vg_config {
	char listen[128];                 /* host:port */
	char db[VG_CONFIG_PATH_MAX];      /* SQLite path (postgres:// later) */
	char data_dir[VG_CONFIG_PATH_MAX];
	char web_root[VG_CONFIG_PATH_MAX];
	int64_t threads;
	int64_t log_level;                /* vg_log_level */
	int64_t log_json;                 /* bool */
	char tls_cert[VG_CONFIG_PATH_MAX];
	char tls_key[VG_CONFIG_PATH_MAX];
	char trusted_proxies[VG_CONFIG_VALUE_MAX]; /* comma-separated CIDRs */
	int64_t session_ttl_s;
	int64_t session_idle_s;
	int64_t token_ttl_s;
	int64_t request_timeout_s;
	int64_t max_body;
	int64_t login_max_failures;
	int64_t login_window_s;
	int64_t db_sync_full;             /* bool: synchronous=FULL vs NORMAL */
	int64_t db_busy_timeout_ms;
	char public_url[256];
	int64_t correlation_common_cap;   /* observe: values linked to more objects are common */
	/* cases (incidents) */
	char ref_prefix[24];              /* references: <prefix>-<year>-<NNNNNN> */
	char sla_ack[VG_CONFIG_VALUE_MAX];    /* "critical:1h,high:4h,medium:1d,low:3d" */
	char sla_advice[VG_CONFIG_VALUE_MAX]; /* "critical:4h,high:1d,medium:3d,low:7d" */
	int64_t attachment_max;           /* bytes */
	char yara_rules_dir[VG_CONFIG_PATH_MAX];
	int64_t yara_scan_max;            /* bytes of a file scanned */
	/* intake and outbound mail (src/intake, src/notify) */
	char smtp_url[256];               /* smtp://host:port, smtps://...; "" = keep mail queued */
	char smtp_from[VG_EMAIL_MAX + 1];
	char smtp_from_name[128];
	char smtp_user[128];
	char smtp_password[256];
	char smtp_tls[16];                /* none | starttls | tls */
	char gpg_home[VG_CONFIG_PATH_MAX]; /* GnuPG home holding the CERT's key */
	char referral_text[VG_CONFIG_VALUE_MAX];
	int64_t mail_max;                 /* bytes: largest message mailgate accepts */
	int64_t report_ack;               /* bool: acknowledge new reports by e-mail */
	int64_t mail_sign;                /* bool: OpenPGP-sign outgoing mail (PGP/MIME) */
	char mail_sign_key[256];          /* signing key (fingerprint or address); "" = smtp_from */
	/* alerts (src/alerts, vigie detect) */
	int64_t alert_dedup_window_s;     /* a repeated hit within this window bumps the alert's count */
	char alert_fingerprint_fields[VG_CONFIG_VALUE_MAX]; /* default fingerprint fields, comma-separated */
} vg_config;

typedef enum vg_cfg_type {
	VG_CFG_STRING,
	VG_CFG_PATH,
	VG_CFG_HOSTPORT,
	VG_CFG_INT,
	VG_CFG_BOOL,
	VG_CFG_DURATION, /* "90s", "15m", "12h", "30d"; stored in seconds */
	VG_CFG_DURATION_MS,
	VG_CFG_SIZE,     /* "256k", "64M"; stored in bytes */
	VG_CFG_LOGLEVEL,
	VG_CFG_LOGFORMAT,
	VG_CFG_CIDRLIST,
	VG_CFG_SYNC,
} vg_cfg_type;

typedef struct vg_cfg_key {
	const char *name;
	vg_cfg_type type;
	size_t offset;
	size_t size;        /* for strings */
	const char *dflt;   /* default as text, parsed like any value */
	int64_t min, max;   /* for numbers */
	const char *help;
} vg_cfg_key;

/* The table, terminated by a NULL name. */
extern const vg_cfg_key vg_config_keys[];

void vg_config_defaults(vg_config *c);
const vg_cfg_key *vg_config_find(const char *name);
/* Set one key from text. source/line are for the diagnostic. */
vg_err vg_config_set(vg_config *c, const char *key, const char *value, vg_diag *d);
/* Read "key = value" lines; '#' starts a comment. */
vg_err vg_config_load_file(vg_config *c, const char *path, vg_diag *d);
/* Parse a file already in memory (used by the fuzz target). */
vg_err vg_config_load_text(vg_config *c, const char *text, size_t len, const char *name, vg_diag *d);
/* Apply VIGIE_<KEY> variables from envp (NULL-terminated). VIGIE_CONFIG and
 * other non-key variables listed in vg_config_env_ignored are skipped. */
vg_err vg_config_load_env(vg_config *c, char *const *envp, vg_diag *d);
/* Write the value of key as text. */
void vg_config_get_text(const vg_config *c, const vg_cfg_key *k, char *out, size_t outsz);

/* Helpers also used outside configuration. */
vg_err vg_parse_duration(const char *s, int64_t *out_s);
vg_err vg_parse_size(const char *s, int64_t *out);
vg_err vg_parse_hostport(const char *s, char *host, size_t hostsz, unsigned *port);

#endif
