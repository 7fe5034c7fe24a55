/* Alerts: hits of the detection engine stored in the platform (table alerts,
 * migration 0007), attributed to an organisation through the registry and
 * deduplicated by a fingerprint within a time window.
 *
 * Fingerprint = SHA-256 over the rule (id, else title) and the values of the
 * chosen event fields: per rule (vg_alerts_cfg_set_rule_fields) or the
 * default set (host, user, source and destination addresses). A hit whose
 * fingerprint matches an alert that is not merged and was last seen within
 * the window bumps count and last_seen; otherwise a new alert is written and
 * the IPs and host names of the event are linked to it as observables. */
#ifndef VG_ALERTS_ALERTS_H
#define VG_ALERTS_ALERTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "detect/sigma.h"
#include "registry/index.h"
#include "store/store.h"

#define VG_ALERT_EVENT_MAX (16 * 1024) /* bytes of the event stored with an alert (bounded row size) */
#define VG_ALERT_FP_FIELDS_MAX 16      /* fields in one fingerprint set */
#define VG_ALERT_RULE_SETS_MAX 256     /* per-rule fingerprint sets */

typedef struct vg_alerts_cfg vg_alerts_cfg;

/* "informational", "low", "medium", "high", "critical" (no level: "low"). */
const char *vg_alert_severity(vg_level l);
/* Is s one of the severities above? */
bool vg_alert_severity_valid(const char *s);
/* Is s one of "new", "acknowledged", "merged"? */
bool vg_alert_status_valid(const char *s);

/* window_ms: dedup window (alert_dedup_window). The default fingerprint
 * fields apply until vg_alerts_cfg_set_default_fields replaces them. */
vg_err vg_alerts_cfg_new(int64_t window_ms, vg_alerts_cfg **out);
void vg_alerts_cfg_free(vg_alerts_cfg *c);
/* Comma-separated field names ("Computer,User"); empty = rule only. */
vg_err vg_alerts_cfg_set_default_fields(vg_alerts_cfg *c, const char *csv, vg_diag *d);
/* "RULE=field,field": fields for the rule with this id (or title). */
vg_err vg_alerts_cfg_set_rule_fields(vg_alerts_cfg *c, const char *spec, vg_diag *d);
int64_t vg_alerts_cfg_window(const vg_alerts_cfg *c);

/* Fingerprint of a hit on an event (flat JSON object of its fields, may be
 * NULL): 64 hex characters + NUL. */
void vg_alert_fingerprint(const vg_alerts_cfg *c, const vg_rule_info *rule, json_t *event, char out[65]);

/* Organisation concerned by the event: the first best registry match of an
 * IP address (any field whose value parses as one) and then of a host name
 * (fields named like Computer, hostname, host.name, QueryName...); 0 = none.
 * ix may be NULL. */
int64_t vg_alert_attribute(const vg_regindex *ix, json_t *event);

/* Record a hit at time now (ms) inside the caller's write transaction.
 * event_json: the event as a flat JSON object (vg_detect_event_json).
 * *id gets the alert, *created whether it is new. */
vg_err vg_alert_record(vg_db *db, const vg_alerts_cfg *c, const vg_regindex *ix, const vg_hit *hit,
		       const char *event_json, int64_t now, int64_t common_cap, int64_t *id, bool *created,
		       vg_diag *d);

/* An indicator (IOC) hit: the alert's rule_id is "ioc:observable:ID" for the
 * platform's observables (else "ioc:" + ref), its title "IOC TYPE VALUE", its
 * level empty, and matched one entry {field, value, indicator, type, source,
 * observable_id, ref}. Deduplicated like rule hits (fingerprint: rule_id and
 * the fingerprint fields). */
typedef struct vg_alert_ioc {
	const char *value;    /* the indicator, canonical */
	const char *type;     /* "ip", "domain", ... */
	const char *source;   /* "platform" or the indicator file */
	const char *ref;      /* MISP/STIX id or file:line, may be NULL */
	int64_t observable_id; /* > 0 for the platform's observables */
	const char *field;    /* the event field that matched */
	const char *field_value;
	size_t field_value_len;
	const char *severity; /* NULL: "high" */
} vg_alert_ioc;
vg_err vg_alert_record_ioc(vg_db *db, const vg_alerts_cfg *c, const vg_regindex *ix, const vg_alert_ioc *ioc,
			   const char *event_json, int64_t now, int64_t common_cap, int64_t *id, bool *created,
			   vg_diag *d);

#endif
