/* Alerts: severity mapping, fingerprints, attribution and the dedup upsert
 * (see alerts.h). */
#include "alerts/alerts.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/ip.h"
#include "observe/observe.h"
#include "registry/names.h"

#define OBS_PER_ALERT_MAX 32
#define MATCHED_VALUE_MAX 1024

typedef struct fp_set {
	char *rule; /* NULL for the default set */
	char *names[VG_ALERT_FP_FIELDS_MAX];
	size_t n;
} fp_set;

struct vg_alerts_cfg {
	int64_t window_ms;
	fp_set dflt;
	fp_set *rules;
	size_t nrules;
};

static const char *const default_fields =
	"Computer,host.name,hostname,User,user.name,SubjectUserName,TargetUserName,SourceIp,src_ip,source.ip,"
	"DestinationIp,dest_ip,destination.ip,IpAddress";

/* Fields holding host names, for attribution (compared case-insensitively). */
static const char *const host_fields[] = {"Computer",	     "ComputerName",	    "hostname",	    "host",
					  "host.name",	     "host.hostname",	    "WorkstationName", "QueryName",
					  "dns.rrname",	     "http.hostname",	    "tls.sni",	     "DestinationHostname",
					  "SourceHostname", "destination.domain", "url.domain",	     NULL};

static const char *const severities[] = {"informational", "low", "medium", "high", "critical", NULL};

const char *vg_alert_severity(vg_level l)
{
	switch (l) {
	case VG_LEVEL_INFORMATIONAL:
		return "informational";
	case VG_LEVEL_MEDIUM:
		return "medium";
	case VG_LEVEL_HIGH:
		return "high";
	case VG_LEVEL_CRITICAL:
		return "critical";
	case VG_LEVEL_LOW:
	case VG_LEVEL_NONE:
	case VG_LEVEL__COUNT:
		break;
	}
	return "low";
}

bool vg_alert_severity_valid(const char *s)
{
	for (size_t i = 0; s && severities[i]; i++)
		if (!strcmp(s, severities[i]))
			return true;
	return false;
}

bool vg_alert_status_valid(const char *s)
{
	return s && (!strcmp(s, "new") || !strcmp(s, "acknowledged") || !strcmp(s, "merged"));
}

static void set_fini(fp_set *s)
{
	free(s->rule);
	for (size_t i = 0; i < s->n; i++)
		free(s->names[i]);
	memset(s, 0, sizeof *s);
}

static vg_err set_parse(fp_set *s, const char *csv, const char *field, vg_diag *d)
{
	const char *p = csv;
	fp_set tmp = {0};
	while (p && *p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		while (len && isspace((unsigned char)*p))
			p++, len--;
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (len) {
			if (tmp.n == VG_ALERT_FP_FIELDS_MAX || len > 128) {
				set_fini(&tmp);
				return vg_diag_set(d, VG_ERR_INVALID, field, "at most %d fields of 128 characters",
						   VG_ALERT_FP_FIELDS_MAX);
			}
			if (!(tmp.names[tmp.n] = strndup(p, len))) {
				set_fini(&tmp);
				return vg_diag_set(d, VG_ERR_NOMEM, field, "out of memory");
			}
			tmp.n++;
		}
		p = e ? e + 1 : NULL;
	}
	for (size_t i = 0; i < s->n; i++)
		free(s->names[i]);
	memcpy(s->names, tmp.names, sizeof tmp.names);
	s->n = tmp.n;
	return VG_OK;
}

vg_err vg_alerts_cfg_new(int64_t window_ms, vg_alerts_cfg **out)
{
	vg_alerts_cfg *c = calloc(1, sizeof *c);
	vg_diag d;
	*out = NULL;
	if (!c)
		return VG_ERR_NOMEM;
	c->window_ms = window_ms > 0 ? window_ms : 3600 * 1000;
	if (set_parse(&c->dflt, default_fields, "alert_fingerprint_fields", &d)) {
		vg_alerts_cfg_free(c);
		return VG_ERR_NOMEM;
	}
	*out = c;
	return VG_OK;
}

void vg_alerts_cfg_free(vg_alerts_cfg *c)
{
	if (!c)
		return;
	set_fini(&c->dflt);
	for (size_t i = 0; i < c->nrules; i++)
		set_fini(&c->rules[i]);
	free(c->rules);
	free(c);
}

int64_t vg_alerts_cfg_window(const vg_alerts_cfg *c)
{
	return c->window_ms;
}

vg_err vg_alerts_cfg_set_default_fields(vg_alerts_cfg *c, const char *csv, vg_diag *d)
{
	return set_parse(&c->dflt, csv, "alert_fingerprint_fields", d);
}

vg_err vg_alerts_cfg_set_rule_fields(vg_alerts_cfg *c, const char *spec, vg_diag *d)
{
	const char *eq = spec ? strchr(spec, '=') : NULL;
	fp_set s = {0}, *grown;
	vg_err e;
	if (!eq || eq == spec || (size_t)(eq - spec) > 256)
		return vg_diag_set(d, VG_ERR_INVALID, "fingerprint", "expected RULE=field,field (RULE: id or title)");
	if (c->nrules == VG_ALERT_RULE_SETS_MAX)
		return vg_diag_set(d, VG_ERR_INVALID, "fingerprint", "at most %d per-rule sets", VG_ALERT_RULE_SETS_MAX);
	if ((e = set_parse(&s, eq + 1, "fingerprint", d)))
		return e;
	if (!(s.rule = strndup(spec, (size_t)(eq - spec))) ||
	    !(grown = realloc(c->rules, (c->nrules + 1) * sizeof *grown))) {
		set_fini(&s);
		return vg_diag_set(d, VG_ERR_NOMEM, "fingerprint", "out of memory");
	}
	c->rules = grown;
	c->rules[c->nrules++] = s;
	return VG_OK;
}

static const char *rule_key(const vg_rule_info *r)
{
	return r->id && *r->id ? r->id : r->title ? r->title : "";
}

static const fp_set *set_for(const vg_alerts_cfg *c, const vg_rule_info *r)
{
	for (size_t i = 0; i < c->nrules; i++)
		if (!strcmp(c->rules[i].rule, rule_key(r)) || (r->title && !strcmp(c->rules[i].rule, r->title)))
			return &c->rules[i];
	return &c->dflt;
}

/* A value of the event as text (strings as they are, numbers formatted). */
static const char *value_text(json_t *v, char *buf, size_t bufsz)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, bufsz, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, bufsz, "%.17g", json_real_value(v));
		return buf;
	}
	if (json_is_true(v))
		return "true";
	if (json_is_false(v))
		return "false";
	return NULL;
}

/* The last segment of a dotted path ("Event.System.Computer" -> "Computer"). */
static const char *leaf(const char *k)
{
	const char *dot = strrchr(k, '.');
	return dot ? dot + 1 : k;
}

/* Field lookup in a flat event: exact name, else case-insensitive on the
 * whole path, else on its last segment (the events keep their nesting:
 * Event.EventData.User answers "User"). */
static json_t *field_get(json_t *event, const char *name)
{
	json_t *v, *by_leaf = NULL;
	const char *k;
	if (!json_is_object(event))
		return NULL;
	if ((v = json_object_get(event, name)))
		return v;
	json_object_foreach(event, k, v)
	{
		if (!strcasecmp(k, name))
			return v;
		if (!by_leaf && !strchr(name, '.') && !strcasecmp(leaf(k), name))
			by_leaf = v;
	}
	return by_leaf;
}

#define FLAT_DEPTH_MAX 16
#define FLAT_KEY_MAX 512

static void flatten_into(json_t *out, json_t *v, char *key, size_t klen, int depth)
{
	const char *k;
	json_t *x;
	if (json_is_object(v)) {
		if (depth >= FLAT_DEPTH_MAX)
			return;
		json_object_foreach(v, k, x)
		{
			size_t n = strlen(k), nl = klen + (klen ? 1 : 0) + n;
			if (nl >= FLAT_KEY_MAX)
				continue;
			if (klen)
				key[klen] = '.';
			memcpy(key + klen + (klen ? 1 : 0), k, n + 1);
			flatten_into(out, x, key, nl, depth + 1);
			key[klen] = '\0';
		}
		return;
	}
	if (klen && !json_is_array(v) && !json_is_null(v))
		json_object_set(out, key, v);
}

/* A flat copy of the event (dotted paths), or a new reference when it is flat. */
static json_t *flatten(json_t *event)
{
	char key[FLAT_KEY_MAX];
	const char *k;
	json_t *v, *out;
	bool nested = false;
	if (!json_is_object(event))
		return NULL;
	json_object_foreach(event, k, v)
	{
		if (json_is_object(v))
			nested = true;
	}
	if (!nested)
		return json_incref(event);
	out = json_object();
	key[0] = '\0';
	if (out)
		flatten_into(out, event, key, 0, 0);
	return out;
}

static void fingerprint(const vg_alerts_cfg *c, const vg_rule_info *rule, json_t *event, char out[65])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	const fp_set *s = set_for(c, rule);
	const char *key = rule_key(rule);
	uint64_t len = strlen(key);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)&len, sizeof len);
	crypto_hash_sha256_update(&st, (const unsigned char *)key, len);
	for (size_t i = 0; i < s->n; i++) {
		char buf[64];
		const char *v = value_text(field_get(event, s->names[i]), buf, sizeof buf);
		uint64_t nl = strlen(s->names[i]), vl = v ? strlen(v) : 0;
		/* length-prefixed name and value; an absent field differs from an empty one */
		crypto_hash_sha256_update(&st, (const unsigned char *)&nl, sizeof nl);
		crypto_hash_sha256_update(&st, (const unsigned char *)s->names[i], nl);
		vl = v ? vl : UINT64_MAX;
		crypto_hash_sha256_update(&st, (const unsigned char *)&vl, sizeof vl);
		if (v)
			crypto_hash_sha256_update(&st, (const unsigned char *)v, strlen(v));
	}
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof h);
}

void vg_alert_fingerprint(const vg_alerts_cfg *c, const vg_rule_info *rule, json_t *event, char out[65])
{
	json_t *flat = flatten(event);
	fingerprint(c, rule, flat, out);
	json_decref(flat);
}

static bool is_host_field(const char *k)
{
	for (size_t i = 0; host_fields[i]; i++)
		if (!strcasecmp(k, host_fields[i]) || (!strchr(host_fields[i], '.') && !strcasecmp(leaf(k), host_fields[i])))
			return true;
	return false;
}

/* An address in the value (a bare IP, or "ip:port" / "[v6]:port" is not tried). */
static bool parse_ip(const char *s, vg_ip *ip)
{
	vg_diag d;
	size_t len = strlen(s);
	if (len < 2 || len > 45)
		return false;
	return vg_ip_parse(s, len, ip, &d) == VG_OK;
}

static int64_t attribute(const vg_regindex *ix, json_t *event)
{
	const char *k;
	json_t *v;
	vg_reg_match m[4];
	if (!ix || !json_is_object(event))
		return 0;
	json_object_foreach(event, k, v)
	{
		vg_ip ip;
		if (json_is_string(v) && parse_ip(json_string_value(v), &ip) && vg_regindex_lookup_ip(ix, &ip, m, 4) > 0 &&
		    m[0].best)
			return m[0].org_id;
	}
	json_object_foreach(event, k, v)
	{
		char dom[VG_DOMAIN_MAX + 1];
		vg_diag d;
		const char *s;
		if (!json_is_string(v) || !is_host_field(k))
			continue;
		s = json_string_value(v);
		if (vg_domain_normalize(s, strlen(s), false, dom, sizeof dom, k, &d))
			continue;
		if (vg_regindex_lookup_domain(ix, dom, m, 4) > 0 && m[0].best)
			return m[0].org_id;
	}
	return 0;
}

int64_t vg_alert_attribute(const vg_regindex *ix, json_t *event)
{
	json_t *flat = flatten(event);
	int64_t org = attribute(ix, flat);
	json_decref(flat);
	return org;
}

/* The event stored with the alert: as it is when small, else its matched
 * fields only with "truncated": true. */
static char *event_text(json_t *event, const char *raw, json_t *matched)
{
	char *s;
	json_t *o;
	if (json_is_object(event) && (s = json_dumps(event, JSON_COMPACT))) {
		if (strlen(s) <= VG_ALERT_EVENT_MAX)
			return s;
		free(s);
	}
	(void)raw;
	o = json_pack("{sb sO}", "truncated", 1, "matched", matched);
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

static json_t *matched_json(const vg_hit *hit)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < hit->nfields; i++) {
		const vg_hit_field *f = &hit->fields[i];
		size_t len = f->value_len > MATCHED_VALUE_MAX ? MATCHED_VALUE_MAX : f->value_len;
		json_t *v = json_stringn_nocheck(f->value ? f->value : "", f->value ? len : 0);
		if (!json_is_string(v) || !json_string_value(v)) {
			json_decref(v);
			continue;
		}
		json_array_append_new(arr, json_pack("{ss so}", "field", f->name ? f->name : "", "value", v));
	}
	return arr;
}

static vg_err link_observables(vg_db *db, json_t *event, int64_t alert_id, int64_t org, int64_t cap, vg_diag *d)
{
	const char *k;
	json_t *v;
	size_t n = 0;
	json_object_foreach(event, k, v)
	{
		vg_ip ip;
		const char *s;
		vg_diag dd;
		vg_err e;
		vg_obs_type t;
		char dom[VG_DOMAIN_MAX + 1];
		if (n >= OBS_PER_ALERT_MAX || !json_is_string(v))
			continue;
		s = json_string_value(v);
		if (parse_ip(s, &ip))
			t = ip.family == 4 ? VG_OBS_IPV4 : VG_OBS_IPV6;
		else if (is_host_field(k) && !vg_domain_normalize(s, strlen(s), false, dom, sizeof dom, k, &dd))
			t = VG_OBS_DOMAIN;
		else
			continue;
		vg_diag_clear(&dd);
		e = vg_obs_link_value(db, t, s, strlen(s), VG_OBS_OBJ_ALERT, alert_id, org, "alert",
				      vg_obs_warnlist_default(), cap, NULL, NULL, &dd);
		if (e == VG_ERR_INVALID)
			continue; /* not an observable after all (loopback, reserved...) */
		if (e) {
			*d = dd;
			return e;
		}
		n++;
	}
	return VG_OK;
}

/* The dedup upsert shared by rule and IOC hits; matched is borrowed. */
static vg_err record(vg_db *db, const vg_alerts_cfg *c, const vg_regindex *ix, const vg_rule_info *rule,
		     const char *level, const char *severity, json_t *matched, const char *event_json, int64_t now,
		     int64_t common_cap, int64_t *id, bool *created, vg_diag *d)
{
	static const char *const sql_find = "SELECT id FROM alerts WHERE fingerprint = ? AND status <> 'merged' AND "
					    "last_seen >= ? ORDER BY last_seen DESC, id DESC LIMIT 1";
	static const char *const sql_bump = "UPDATE alerts SET count = count + 1, last_seen = "
					    "CASE WHEN last_seen > ? THEN last_seen ELSE ? END WHERE id = ?";
	static const char *const sql_ins =
		"INSERT INTO alerts (rule_id, title, level, severity, author, tags, fingerprint, first_seen, last_seen, "
		"count, status, org_id, event, matched, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'new', ?, ?, ?, ?)";
	json_t *event = NULL, *flat = NULL, *tags = NULL;
	char fp[65], *ev = NULL, *mt = NULL, *tg = NULL;
	vg_stmt *st = NULL;
	int64_t org, found = 0;
	vg_err e = VG_OK;
	int rc;
	*id = 0;
	if (created)
		*created = false;
	if (event_json)
		event = json_loads(event_json, JSON_DECODE_ANY, NULL);
	flat = flatten(event);
	fingerprint(c, rule, flat, fp);
	if ((e = vg_db_prepare(db, sql_find, &st, d)))
		goto out;
	vg_stmt_bind_text(st, 1, fp, -1);
	vg_stmt_bind_int(st, 2, now - c->window_ms);
	rc = vg_stmt_step(st, d);
	if (rc == VG_ROW)
		found = vg_stmt_int(st, 0);
	vg_stmt_done(st);
	if (rc < 0) {
		e = (vg_err)rc;
		goto out;
	}
	if (found) {
		if ((e = vg_db_prepare(db, sql_bump, &st, d)))
			goto out;
		vg_stmt_bind_int(st, 1, now);
		vg_stmt_bind_int(st, 2, now);
		vg_stmt_bind_int(st, 3, found);
		e = vg_stmt_exec(st, d);
		vg_stmt_done(st);
		*id = found;
		goto out;
	}
	org = attribute(ix, flat);
	tags = json_array();
	for (size_t i = 0; tags && i < rule->ntags; i++)
		json_array_append_new(tags, json_string(rule->tags[i]));
	ev = event_text(event, event_json, matched);
	mt = json_dumps(matched, JSON_COMPACT);
	tg = json_dumps(tags, JSON_COMPACT);
	if (!ev || !mt || !tg) {
		e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if ((e = vg_db_prepare(db, sql_ins, &st, d)))
		goto out;
	vg_stmt_bind_text(st, 1, rule->id ? rule->id : "", -1);
	vg_stmt_bind_text(st, 2, rule->title ? rule->title : "", -1);
	vg_stmt_bind_text(st, 3, level, -1);
	vg_stmt_bind_text(st, 4, severity, -1);
	vg_stmt_bind_text(st, 5, rule->author ? rule->author : "", -1);
	vg_stmt_bind_text(st, 6, tg, -1);
	vg_stmt_bind_text(st, 7, fp, -1);
	vg_stmt_bind_int(st, 8, now);
	vg_stmt_bind_int(st, 9, now);
	if (org > 0)
		vg_stmt_bind_int(st, 10, org);
	else
		vg_stmt_bind_null(st, 10);
	vg_stmt_bind_text(st, 11, ev, -1);
	vg_stmt_bind_text(st, 12, mt, -1);
	vg_stmt_bind_int(st, 13, now);
	e = vg_stmt_exec(st, d);
	vg_stmt_done(st);
	if (e)
		goto out;
	*id = vg_db_last_id(db);
	if (created)
		*created = true;
	if (json_is_object(flat))
		e = link_observables(db, flat, *id, org, common_cap, d);
out:
	json_decref(event);
	json_decref(flat);
	json_decref(tags);
	free(ev);
	free(mt);
	free(tg);
	return e;
}

vg_err vg_alert_record(vg_db *db, const vg_alerts_cfg *c, const vg_regindex *ix, const vg_hit *hit,
		       const char *event_json, int64_t now, int64_t common_cap, int64_t *id, bool *created,
		       vg_diag *d)
{
	const vg_rule_info *rule = hit->rule;
	json_t *matched = matched_json(hit);
	vg_err e = record(db, c, ix, rule, rule->level ? vg_level_name(rule->level) : "", vg_alert_severity(rule->level),
			  matched, event_json, now, common_cap, id, created, d);
	json_decref(matched);
	return e;
}

vg_err vg_alert_record_ioc(vg_db *db, const vg_alerts_cfg *c, const vg_regindex *ix, const vg_alert_ioc *ioc,
			   const char *event_json, int64_t now, int64_t common_cap, int64_t *id, bool *created,
			   vg_diag *d)
{
	char rid[160], title[300];
	const char *ref = ioc->ref && *ioc->ref ? ioc->ref : "";
	size_t vlen = ioc->field_value_len > MATCHED_VALUE_MAX ? MATCHED_VALUE_MAX : ioc->field_value_len;
	json_t *m, *matched = json_array();
	vg_err e;
	/* the "rule" of an IOC hit: the indicator (its observable, else its source) */
	if (ioc->observable_id > 0)
		snprintf(rid, sizeof rid, "ioc:observable:%lld", (long long)ioc->observable_id);
	else
		snprintf(rid, sizeof rid, "ioc:%.150s", ref);
	snprintf(title, sizeof title, "IOC %s %.256s", ioc->type ? ioc->type : "", ioc->value ? ioc->value : "");
	vg_rule_info rule = {.id = rid, .name = "", .title = title, .status = "", .author = "", .product = "",
			     .category = "", .service = "", .file = ioc->source ? ioc->source : ""};
	m = json_pack("{ss ss ss ss ss}", "field", ioc->field ? ioc->field : "", "value", "", "indicator",
		      ioc->value ? ioc->value : "", "type", ioc->type ? ioc->type : "", "source",
		      ioc->source ? ioc->source : "");
	if (m && ioc->field_value) {
		json_t *v = json_stringn_nocheck(ioc->field_value, vlen);
		if (json_is_string(v))
			json_object_set_new(m, "value", v);
		else
			json_decref(v);
	}
	if (m && ioc->observable_id > 0)
		json_object_set_new(m, "observable_id", json_integer(ioc->observable_id));
	if (m && *ref)
		json_object_set_new(m, "ref", json_string(ref));
	if (!matched || !m || json_array_append_new(matched, m)) {
		json_decref(matched);
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	}
	e = record(db, c, ix, &rule, "", ioc->severity && vg_alert_severity_valid(ioc->severity) ? ioc->severity : "high",
		   matched, event_json, now, common_cap, id, created, d);
	json_decref(matched);
	return e;
}
