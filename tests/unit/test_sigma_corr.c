/* Unit tests of Sigma correlation rules (sigma_corr.c): every correlation
 * type over synthetic event series (vg_detect_json on small JSON events),
 * thresholds, sliding and expiring windows, group-by with aliases, chains,
 * the specification's own examples, loader and compile errors with their
 * lines, memory bounds, timestamps and the fallback without one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/limits.h"
#include "detect/sigma.h"

static vg_load_report rep;
static char problems[4096];

static void keep_problem(void *ctx, const vg_diag *d)
{
	char m[600];
	(void)ctx;
	vg_diag_format(d, m, sizeof(m));
	if (strlen(problems) + strlen(m) + 2 < sizeof(problems)) {
		strcat(problems, m);
		strcat(problems, "\n");
	}
}

static const char *tsmap = "timestamp: [ts, '@timestamp']\n";

/* Load rules (with a mapping that names the timestamp field) and compile;
 * compile problems are appended to problems. */
static vg_ruleset *load(const char *yaml)
{
	vg_ruleset *rs = vg_ruleset_new();
	vg_diag d;
	memset(&rep, 0, sizeof(rep));
	rep.problem = keep_problem;
	problems[0] = 0;
	assert_non_null(rs);
	assert_int_equal(vg_ruleset_load_mapping_string(rs, "map.yml", tsmap, strlen(tsmap), &d), VG_OK);
	assert_int_equal(vg_ruleset_load_string(rs, "rules.yml", yaml, strlen(yaml), &rep), VG_OK);
	assert_int_equal(vg_ruleset_compile(rs, &d), VG_OK);
	for (size_t i = 0; i < vg_ruleset_problem_count(rs); i++)
		keep_problem(NULL, vg_ruleset_problem(rs, i));
	return rs;
}

typedef struct got {
	int n;
	char id[32][64];
	uint64_t count[32];
	double value[32];
	int64_t first[32], last[32];
	char group[32][160];
	size_t nrules[32];
	bool only[32];
} got;

static void on_corr(void *ctx, const vg_corr_hit *h)
{
	got *g = ctx;
	if (g->n >= 32)
		return;
	snprintf(g->id[g->n], sizeof(g->id[0]), "%s", h->rule->id[0] ? h->rule->id : h->rule->name);
	g->count[g->n] = h->count;
	g->value[g->n] = h->value;
	g->first[g->n] = h->first_ms;
	g->last[g->n] = h->last_ms;
	g->nrules[g->n] = h->nrules;
	g->only[g->n] = h->rule->correlation_only;
	g->group[g->n][0] = 0;
	for (size_t i = 0; i < h->ngroup; i++) {
		char x[80];
		snprintf(x, sizeof(x), "%s%s=%.*s", i ? "," : "", h->group[i].name, (int)h->group[i].value_len,
			 h->group[i].value);
		strncat(g->group[g->n], x, sizeof(g->group[0]) - strlen(g->group[g->n]) - 1);
	}
	g->n++;
}

typedef struct runner {
	vg_ruleset *rs;
	vg_detect_scratch *sc;
	vg_corr_state *st;
	got g;
	int base_hits, silent_hits;
} runner;

static void on_hit(void *ctx, const vg_hit *h)
{
	runner *r = ctx;
	r->base_hits++;
	if (h->rule->correlation_only)
		r->silent_hits++;
	if (h->rule->feeds_correlation)
		vg_corr_feed_hit(r->st, r->sc, h, on_corr, &r->g);
}

static void start(runner *r, const char *yaml)
{
	memset(r, 0, sizeof(*r));
	r->rs = load(yaml);
	if (vg_ruleset_problem_count(r->rs) && vg_ruleset_problem(r->rs, 0)->code != VG_OK)
		fail_msg("unexpected problems: %s", problems);
	assert_int_equal(rep.rejected, 0);
	assert_non_null(r->sc = vg_detect_scratch_new(r->rs));
	assert_non_null(r->st = vg_corr_state_new(r->rs));
}

static void ev(runner *r, const char *json)
{
	vg_diag d;
	assert_true(vg_detect_json(r->sc, json, strlen(json), on_hit, r, &d) >= 0);
}

/* One event: {"ts": T seconds after 2025-01-01T00:00:00Z, fields...}. */
static void evt(runner *r, int secs, const char *fields)
{
	char json[512];
	snprintf(json, sizeof(json), "{\"ts\":\"2025-01-01T%02d:%02d:%02dZ\",%s}", secs / 3600, secs / 60 % 60, secs % 60,
		 fields);
	ev(r, json);
}

static void stop(runner *r)
{
	vg_corr_state_free(r->st);
	vg_detect_scratch_free(r->sc);
	vg_ruleset_free(r->rs);
}

#define T0 1735689600000LL /* 2025-01-01T00:00:00Z */

#define FAILED                                                                                                         \
	"title: failed logon\nid: failed\nname: failed_login\nlogsource: {product: test}\n"                          \
	"detection: {sel: {EventID: 4625}, condition: sel}\n"
#define SUCCESS                                                                                                        \
	"title: logon\nid: ok\nname: successful_login\nlogsource: {product: test}\n"                                 \
	"detection: {sel: {EventID: 4624}, condition: sel}\n"

static void t_event_count_threshold(void **s)
{
	runner r;
	(void)s;
	start(&r, FAILED "---\ntitle: brute force\nid: bf\nlevel: high\nauthor: me\ntags: [attack.t1110]\n"
			 "correlation:\n  type: event_count\n  rules: [failed]\n  group-by: [User]\n"
			 "  timespan: 1m\n  condition: {gte: 3}\n");
	assert_int_equal(vg_ruleset_corr_count(r.rs), 1);
	assert_string_equal(vg_ruleset_corr_type(r.rs, 0), "event_count");
	assert_true(vg_ruleset_rule(r.rs, 0)->feeds_correlation);
	assert_true(vg_ruleset_rule(r.rs, 0)->correlation_only); /* generate defaults to false */
	evt(&r, 0, "\"EventID\":4625,\"User\":\"bob\"");
	evt(&r, 10, "\"EventID\":4625,\"User\":\"bob\"");
	evt(&r, 12, "\"EventID\":4625,\"User\":\"alice\""); /* another group */
	evt(&r, 14, "\"EventID\":4624,\"User\":\"bob\"");   /* another rule */
	assert_int_equal(r.g.n, 0);                         /* below the threshold */
	evt(&r, 20, "\"EventID\":4625,\"User\":\"bob\"");
	assert_int_equal(r.g.n, 1); /* at the threshold */
	assert_string_equal(r.g.id[0], "bf");
	assert_int_equal(r.g.count[0], 3);
	assert_true(r.g.value[0] == 3);
	assert_string_equal(r.g.group[0], "User=bob");
	assert_int_equal(r.g.first[0], T0);
	assert_int_equal(r.g.last[0], T0 + 20000);
	assert_int_equal(r.g.nrules[0], 1);
	/* above: fires once, the window starts afresh */
	evt(&r, 21, "\"EventID\":4625,\"User\":\"bob\"");
	evt(&r, 22, "\"EventID\":4625,\"User\":\"bob\"");
	assert_int_equal(r.g.n, 1);
	evt(&r, 23, "\"EventID\":4625,\"User\":\"bob\"");
	assert_int_equal(r.g.n, 2);
	assert_int_equal(r.g.first[1], T0 + 21000);
	/* an event without the group-by field does not count */
	evt(&r, 24, "\"EventID\":4625");
	vg_corr_stats st;
	vg_corr_stats_get(r.st, &st);
	assert_int_equal(st.no_group, 1);
	assert_int_equal(st.fired, 2);
	assert_int_equal(r.silent_hits, r.base_hits); /* generate: false by default */
	stop(&r);
}

static void t_window_slides_and_expires(void **s)
{
	runner r;
	(void)s;
	start(&r, FAILED "---\ntitle: bf\nid: bf\ncorrelation: {type: event_count, rules: [failed_login], "
			 "group-by: [User], timespan: 60s, condition: {gt: 2}}\n");
	evt(&r, 0, "\"EventID\":4625,\"User\":\"bob\"");
	evt(&r, 30, "\"EventID\":4625,\"User\":\"bob\"");
	evt(&r, 70, "\"EventID\":4625,\"User\":\"bob\""); /* the first one left the window */
	assert_int_equal(r.g.n, 0);
	evt(&r, 80, "\"EventID\":4625,\"User\":\"bob\""); /* 30, 70, 80 */
	assert_int_equal(r.g.n, 1);
	assert_int_equal(r.g.first[0], T0 + 30000);
	/* exactly one timespan apart is not within it */
	evt(&r, 200, "\"EventID\":4625,\"User\":\"bob\"");
	evt(&r, 230, "\"EventID\":4625,\"User\":\"bob\"");
	evt(&r, 260, "\"EventID\":4625,\"User\":\"bob\"");
	assert_int_equal(r.g.n, 1);
	/* an idle group expires once the correlation's time has moved a timespan on */
	evt(&r, 300, "\"EventID\":4625,\"User\":\"alice\"");
	evt(&r, 1000, "\"EventID\":4625,\"User\":\"carol\"");
	vg_corr_stats st;
	vg_corr_stats_get(r.st, &st);
	assert_int_equal(st.groups, 1);
	/* a late event older than its group's window is dropped; one inside it counts */
	evt(&r, 1001, "\"EventID\":4625,\"User\":\"carol\"");
	evt(&r, 900, "\"EventID\":4625,\"User\":\"carol\"");
	vg_corr_stats_get(r.st, &st);
	assert_int_equal(st.late, 1);
	assert_int_equal(r.g.n, 1);
	evt(&r, 995, "\"EventID\":4625,\"User\":\"carol\""); /* out of order but in the window */
	assert_int_equal(r.g.n, 2);
	assert_int_equal(r.g.first[1], T0 + 995000);
	assert_int_equal(r.g.last[1], T0 + 1001000);
	stop(&r);
}

static void t_group_by_several_fields_and_aliases(void **s)
{
	runner r;
	(void)s;
	/* the specification's field name aliases example */
	start(&r, "name: internal_error\ntitle: e\ndetection:\n    selection:\n        http.response.status_code: 500\n"
		  "    condition: selection\n---\n"
		  "name: new_network_connection\ntitle: n\ndetection:\n    selection:\n        event.category: network\n"
		  "        event.type: connection\n        event.outcome: success\n    condition: selection\n---\n"
		  "title: aliases\nid: al\ncorrelation:\n    type: temporal\n    rules:\n        - internal_error\n"
		  "        - new_network_connection\n    group-by:\n        - internal_ip\n        - remote_ip\n"
		  "    timespan: 10s\n    aliases:\n        internal_ip:\n            internal_error: destination.ip\n"
		  "            new_network_connection: source.ip\n        remote_ip:\n"
		  "            internal_error: source.ip\n            new_network_connection: destination.ip\n");
	evt(&r, 0, "\"http\":{\"response\":{\"status_code\":500}},\"source\":{\"ip\":\"198.51.100.7\"},"
		   "\"destination\":{\"ip\":\"10.0.0.5\"}");
	/* the connection goes to another address: no match */
	evt(&r, 2, "\"event\":{\"category\":\"network\",\"type\":\"connection\",\"outcome\":\"success\"},"
		   "\"source\":{\"ip\":\"10.0.0.5\"},\"destination\":{\"ip\":\"198.51.100.8\"}");
	assert_int_equal(r.g.n, 0);
	evt(&r, 3, "\"event\":{\"category\":\"network\",\"type\":\"connection\",\"outcome\":\"success\"},"
		   "\"source\":{\"ip\":\"10.0.0.5\"},\"destination\":{\"ip\":\"198.51.100.7\"}");
	assert_int_equal(r.g.n, 1);
	assert_string_equal(r.g.group[0], "internal_ip=10.0.0.5,remote_ip=198.51.100.7");
	assert_int_equal(r.g.nrules[0], 2);
	stop(&r);

	/* two plain group-by fields: both must be equal */
	start(&r, FAILED "---\ntitle: c\nid: c\ncorrelation: {type: event_count, rules: [failed], "
			 "group-by: [User, Computer], timespan: 1h, condition: {gte: 2}}\n");
	evt(&r, 0, "\"EventID\":4625,\"User\":\"bob\",\"Computer\":\"a\"");
	evt(&r, 1, "\"EventID\":4625,\"User\":\"bob\",\"Computer\":\"b\"");
	evt(&r, 2, "\"EventID\":4625,\"User\":\"eve\",\"Computer\":\"a\"");
	assert_int_equal(r.g.n, 0);
	evt(&r, 3, "\"EventID\":4625,\"User\":\"bob\",\"Computer\":\"b\"");
	assert_int_equal(r.g.n, 1);
	assert_string_equal(r.g.group[0], "User=bob,Computer=b");
	stop(&r);
}

#define RECON                                                                                                          \
	"title: a\nname: recon_cmd_a\ndetection: {sel: {Image|endswith: whoami.exe}, condition: sel}\n---\n"        \
	"title: b\nname: recon_cmd_b\ndetection: {sel: {Image|endswith: net.exe}, condition: sel}\n---\n"           \
	"title: c\nname: recon_cmd_c\ndetection: {sel: {Image|endswith: ipconfig.exe}, condition: sel}\n---\n"
#define HOST "\"ComputerName\":\"pc1\",\"User\":\"bob\",\"Image\":"

static void t_temporal(void **s)
{
	runner r;
	(void)s;
	/* the specification's temporal example */
	start(&r, RECON "title: Recon\nid: recon\ncorrelation:\n    type: temporal\n    rules:\n        - recon_cmd_a\n"
			"        - recon_cmd_b\n        - recon_cmd_c\n    group-by:\n        - ComputerName\n"
			"        - User\n    timespan: 5m\n");
	evt(&r, 0, HOST "\"C:\\\\net.exe\"");
	evt(&r, 10, HOST "\"C:\\\\whoami.exe\"");
	evt(&r, 20, HOST "\"C:\\\\net.exe\"");
	assert_int_equal(r.g.n, 0); /* c is missing */
	evt(&r, 400, HOST "\"C:\\\\ipconfig.exe\""); /* too late for the others */
	assert_int_equal(r.g.n, 0);
	evt(&r, 500, HOST "\"C:\\\\whoami.exe\"");
	evt(&r, 510, HOST "\"C:\\\\net.exe\""); /* any order */
	assert_int_equal(r.g.n, 1);
	assert_true(r.g.value[0] == 3);
	assert_int_equal(r.g.nrules[0], 3);
	stop(&r);
	/* a condition asks for fewer of them */
	start(&r, RECON "title: Recon2\nid: recon2\ncorrelation: {type: temporal, rules: [recon_cmd_a, recon_cmd_b, "
			"recon_cmd_c], group-by: [User], timespan: 5m, condition: {gte: 2}}\n");
	evt(&r, 0, HOST "\"C:\\\\net.exe\"");
	evt(&r, 1, HOST "\"C:\\\\net.exe\"");
	assert_int_equal(r.g.n, 0);
	evt(&r, 2, HOST "\"C:\\\\ipconfig.exe\"");
	assert_int_equal(r.g.n, 1);
	stop(&r);
}

static void t_temporal_ordered(void **s)
{
	runner r;
	(void)s;
	const char *yaml = RECON "title: Recon ordered\nid: ro\ncorrelation:\n    type: temporal_ordered\n    rules:\n"
				 "        - recon_cmd_a\n        - recon_cmd_b\n        - recon_cmd_c\n    group-by:\n"
				 "        - ComputerName\n        - User\n    timespan: 5m\n";
	start(&r, yaml);
	/* wrong order: c, b, a */
	evt(&r, 0, HOST "\"C:\\\\ipconfig.exe\"");
	evt(&r, 10, HOST "\"C:\\\\net.exe\"");
	evt(&r, 20, HOST "\"C:\\\\whoami.exe\"");
	assert_int_equal(r.g.n, 0);
	/* b then c after that a: in order a(20), b(30), c(40) */
	evt(&r, 30, HOST "\"C:\\\\net.exe\"");
	assert_int_equal(r.g.n, 0);
	evt(&r, 40, HOST "\"C:\\\\ipconfig.exe\"");
	assert_int_equal(r.g.n, 1);
	assert_int_equal(r.g.first[0], T0); /* the window held all of them */
	stop(&r);
	/* event time decides, not arrival: b arrives before a but happened after it */
	start(&r, yaml);
	evt(&r, 100, HOST "\"C:\\\\net.exe\"");
	evt(&r, 90, HOST "\"C:\\\\whoami.exe\"");
	evt(&r, 110, HOST "\"C:\\\\ipconfig.exe\"");
	assert_int_equal(r.g.n, 1);
	stop(&r);
	start(&r, yaml);
	evt(&r, 100, HOST "\"C:\\\\whoami.exe\"");
	evt(&r, 90, HOST "\"C:\\\\net.exe\""); /* arrives after a, happened before it */
	evt(&r, 110, HOST "\"C:\\\\ipconfig.exe\"");
	assert_int_equal(r.g.n, 0);
	stop(&r);
}

static void t_value_count(void **s)
{
	runner r;
	(void)s;
	start(&r, FAILED "---\ntitle: spray\nid: spray\ncorrelation: {type: value_count, rules: [failed], "
			 "group-by: [Computer], timespan: 1h, condition: {field: User, gte: 3}}\n");
	evt(&r, 0, "\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"bob\"");
	evt(&r, 1, "\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"bob\"");
	evt(&r, 2, "\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"alice\"");
	evt(&r, 3, "\"EventID\":4625,\"Computer\":\"dc\""); /* no User: not counted */
	evt(&r, 4, "\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"alice\"");
	assert_int_equal(r.g.n, 0);
	evt(&r, 5, "\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"carol\"");
	assert_int_equal(r.g.n, 1);
	assert_true(r.g.value[0] == 3);
	assert_int_equal(r.g.count[0], 5);
	stop(&r);
	/* distinct values leave with their events */
	start(&r, FAILED "---\ntitle: spray\nid: spray\ncorrelation: {type: value_count, rules: [failed], "
			 "group-by: [Computer], timespan: 10s, condition: {field: User, gt: 2}}\n");
	evt(&r, 0, "\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"u1\"");
	evt(&r, 5, "\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"u2\"");
	evt(&r, 11, "\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"u3\"");
	assert_int_equal(r.g.n, 0);
	evt(&r, 12, "\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"u2\"");
	assert_int_equal(r.g.n, 0);
	evt(&r, 13, "\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"u4\"");
	assert_int_equal(r.g.n, 1);
	stop(&r);
}

#define WEB "title: web\nname: website_access\nid: web\ndetection: {sel: {event_type: http}, condition: sel}\n---\n"

static void t_value_sum_avg_percentile(void **s)
{
	runner r;
	(void)s;
	/* the specification's value_sum example */
	start(&r, WEB "title: Possible Exfiltration to Website\nid: sum\ncorrelation:\n    type: value_sum\n"
		      "    rules:\n        - website_access\n    group-by:\n        - SourceIP\n        - User\n"
		      "    timespan: 1h\n    condition:\n        field: bytes_sent\n        gt: 1000000\n");
	evt(&r, 0, "\"event_type\":\"http\",\"SourceIP\":\"10.0.0.1\",\"User\":\"bob\",\"bytes_sent\":400000");
	evt(&r, 1, "\"event_type\":\"http\",\"SourceIP\":\"10.0.0.1\",\"User\":\"bob\",\"bytes_sent\":\"600000\"");
	evt(&r, 2, "\"event_type\":\"http\",\"SourceIP\":\"10.0.0.1\",\"User\":\"bob\",\"bytes_sent\":\"lots\"");
	assert_int_equal(r.g.n, 0); /* 1,000,000 is not above; text is not a number */
	evt(&r, 3, "\"event_type\":\"http\",\"SourceIP\":\"10.0.0.1\",\"User\":\"bob\",\"bytes_sent\":0.5");
	assert_int_equal(r.g.n, 1);
	assert_true(r.g.value[0] == 1000000.5);
	stop(&r);
	/* value_avg (the specification's example) */
	start(&r, WEB "title: avg\nid: avg\ncorrelation:\n    type: value_avg\n    rules: \n        - website_access\n"
		      "    group-by:\n        - SourceIP\n        - User\n    timespan: 24h\n    condition:\n"
		      "        field: BytesOut\n        gt: 500\n");
	evt(&r, 0, "\"event_type\":\"http\",\"SourceIP\":\"a\",\"User\":\"b\",\"BytesOut\":100");
	evt(&r, 1, "\"event_type\":\"http\",\"SourceIP\":\"a\",\"User\":\"b\",\"BytesOut\":900");
	assert_int_equal(r.g.n, 0); /* 500 */
	evt(&r, 2, "\"event_type\":\"http\",\"SourceIP\":\"a\",\"User\":\"b\",\"BytesOut\":503");
	assert_int_equal(r.g.n, 1);
	assert_true(r.g.value[0] == 501);
	stop(&r);
	/* value_percentile: the median (nearest rank) */
	start(&r, WEB "title: pct\nid: pct\ncorrelation: {type: value_percentile, rules: [web], group-by: [User], "
		      "timespan: 1h, condition: {field: ms, percentile: 50, gte: 100}}\n");
	evt(&r, 0, "\"event_type\":\"http\",\"User\":\"b\",\"ms\":10");
	evt(&r, 1, "\"event_type\":\"http\",\"User\":\"b\",\"ms\":300");
	assert_int_equal(r.g.n, 0); /* median of 10, 300 is 10 */
	evt(&r, 2, "\"event_type\":\"http\",\"User\":\"b\",\"ms\":200");
	assert_int_equal(r.g.n, 1);
	assert_true(r.g.value[0] == 200);
	stop(&r);
	/* without percentile: pySigma's default, the 95th */
	start(&r, WEB "title: pct\nid: pct\ncorrelation: {type: value_percentile, rules: [web], group-by: [User], "
		      "timespan: 1h, condition: {field: ms, gt: 1000}}\n");
	for (int i = 0; i < 19; i++)
		evt(&r, i, "\"event_type\":\"http\",\"User\":\"b\",\"ms\":5");
	evt(&r, 20, "\"event_type\":\"http\",\"User\":\"b\",\"ms\":5000");
	assert_int_equal(r.g.n, 0); /* 20 values: the 95th percentile is the 19th, 5 */
	evt(&r, 21, "\"event_type\":\"http\",\"User\":\"b\",\"ms\":5000");
	assert_int_equal(r.g.n, 1); /* 21 values: the 20th, 5000 */
	assert_true(r.g.value[0] == 5000);
	stop(&r);
}

static void t_upper_bounds_decided_on_close(void **s)
{
	runner r;
	(void)s;
	start(&r, FAILED "---\ntitle: few\nid: few\ncorrelation: {type: event_count, rules: [failed], group-by: [User], "
			 "timespan: 1m, condition: {lt: 3}}\n");
	evt(&r, 0, "\"EventID\":4625,\"User\":\"bob\"");
	evt(&r, 10, "\"EventID\":4625,\"User\":\"bob\"");
	assert_int_equal(r.g.n, 0); /* undecided while the window is open */
	evt(&r, 100, "\"EventID\":4625,\"User\":\"bob\""); /* closes 0..60 with 2 events */
	assert_int_equal(r.g.n, 1);
	assert_int_equal(r.g.count[0], 2);
	evt(&r, 130, "\"EventID\":4625,\"User\":\"eve\"");
	assert_int_equal(vg_corr_flush(r.st, on_corr, &r.g), 2); /* bob's last window: 1 event, eve's: 1 */
	assert_int_equal(r.g.n, 3);
	for (int i = 0; i < 3; i++)
		evt(&r, 200 + i, "\"EventID\":4625,\"User\":\"eve\"");
	evt(&r, 300, "\"EventID\":4625,\"User\":\"bob\""); /* eve idle for a timespan: decided, 3 is not < 3 */
	assert_int_equal(r.g.n, 3);
	assert_int_equal(vg_corr_flush(r.st, on_corr, &r.g), 1);
	assert_string_equal(r.g.group[3], "User=bob");
	stop(&r);
	/* a range: more than 1 and at most 3, the specification's AND of two criteria */
	start(&r, FAILED "---\ntitle: range\nid: range\ncorrelation: {type: event_count, rules: [failed], "
			 "group-by: [User], timespan: 1m, condition: {gt: 1, lte: 3}}\n");
	for (int i = 0; i < 2; i++)
		evt(&r, i, "\"EventID\":4625,\"User\":\"bob\"");
	for (int i = 0; i < 5; i++)
		evt(&r, i, "\"EventID\":4625,\"User\":\"eve\"");
	vg_corr_flush(r.st, on_corr, &r.g);
	assert_int_equal(r.g.n, 1);
	assert_string_equal(r.g.group[0], "User=bob");
	stop(&r);
}

/* The specification's complete example, copied from its text. */
static const char *spec_example =
	"title: Correlation - Multiple Failed Logins Followed by Successful Login\n"
	"id: b180ead8-d58f-40b2-ae54-c8940995b9b6\nstatus: experimental\n"
	"description: Detects multiple failed logins by a single user followed by a successful login of that user\n"
	"references:\n    - https://reference.com\nauthor: Florian Roth (Nextron Systems)\ndate: 2023-06-16\n"
	"correlation:\n    type: temporal_ordered\n    rules:\n        - multiple_failed_login\n"
	"        - successful_login\n    group-by:\n        - User\n    timespan: 10m\n"
	"falsepositives:\n    - Unlikely\nlevel: high\n---\n"
	"title: Multiple failed logons\nid: a8418a5a-5fc4-46b5-b23b-6c73beb19d41\n"
	"description: Detects multiple failed logins within a certain amount of time\nname: multiple_failed_login\n"
	"correlation:\n    type: event_count\n    rules:\n        - failed_login\n    group-by:\n        - User\n"
	"    timespan: 10m\n    condition:\n        gte: 10\n---\n"
	"title: Single failed login\nid: 53ba33fd-3a50-4468-a5ef-c583635cfa92\nname: failed_login\n"
	"logsource:\n    product: windows\n    service: security\ndetection:\n    selection:\n        EventID:\n"
	"            - 529\n            - 4625\n    condition: selection\n---\n"
	"title: Successful login\nid: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8\n"
	"description: Detects a successful login\nname: successful_login\nlogsource:\n    product: windows\n"
	"    service: security\ndetection:\n    selection:\n        EventID:\n            - 528\n"
	"            - 4624\n    condition: selection\n";

static void t_spec_chain(void **s)
{
	runner r;
	(void)s;
	start(&r, spec_example);
	assert_int_equal(rep.loaded, 2);
	assert_int_equal(rep.correlations, 2);
	assert_true(vg_ruleset_corr_rule(r.rs, 1)->correlation_only); /* intermediate, generate: false */
	assert_false(vg_ruleset_corr_rule(r.rs, 0)->correlation_only);
	evt(&r, 0, "\"EventID\":4624,\"User\":\"bob\""); /* success first: not the order */
	for (int i = 0; i < 10; i++)
		evt(&r, 10 + i, "\"EventID\":529,\"User\":\"bob\"");
	assert_int_equal(r.g.n, 1); /* the intermediate event_count */
	assert_string_equal(r.g.id[0], "a8418a5a-5fc4-46b5-b23b-6c73beb19d41");
	assert_true(r.g.only[0]);
	evt(&r, 30, "\"EventID\":4624,\"User\":\"alice\"");
	assert_int_equal(r.g.n, 1);
	evt(&r, 40, "\"EventID\":4624,\"User\":\"bob\"");
	assert_int_equal(r.g.n, 2);
	assert_string_equal(r.g.id[1], "b180ead8-d58f-40b2-ae54-c8940995b9b6");
	assert_false(r.g.only[1]);
	assert_string_equal(r.g.group[1], "User=bob");
	assert_int_equal(r.g.nrules[1], 2);
	assert_int_equal(r.g.last[1], T0 + 40000);
	stop(&r);
}

/* Every example of the specification and of its schema tests loads. */
static void t_spec_examples_load(void **s)
{
	static const char *const ex[] = {
		"title: Many failed logins\nid: 0e95725d-7320-415d-80f7-004da920fc11\ncorrelation:\n    type: event_count\n"
		"    rules:\n        - 5638f7c0-ac70-491d-8465-2a65075e0d86\n    group-by:\n        - ComputerName\n"
		"    timespan: 1h\n    condition:\n        gte: 100\n",
		"title: Failed login\nid: 0e95725d-7320-415d-80f7-004da920fc12\ncorrelation:\n    type: value_count\n"
		"    rules:\n        - 5638f7c0-ac70-491d-8465-2a65075e0d86\n    group-by:\n        - ComputerName\n"
		"        - WorkstationName\n    timespan: 1d\n    condition:\n        field: User\n        gte: 100\n",
		"title: A computer spawned a processes name in the last 24h than 1% of all the processes.\n"
		"correlation:\n    type: value_percentile\n    rules: \n        - process_creation\n    group-by:\n"
		"        - ComputerName\n    timespan: 24h\n    condition:\n        field: image\n        lte: 1\n",
		"title: Many failed logins\nid: 0e95725d-7320-415d-80f7-004da920fc11\ntaxonomy: ecs\ncorrelation:\n"
		"    type: event_count\n    rules:\n        - 5638f7c0-ac70-491d-8465-2a65075e0d86\n    group-by:\n"
		"        - dns.question.name\n    timespan: 1h\n    condition:\n        gte: 100",
		"title: login brute force\nid: 0e95725d-7320-415d-80f7-004da920fc11\ncorrelation:\n  type: event_count\n"
		"  rules:\n    - 5638f7c0-ac70-491d-8465-2a65075e0d86 # ID of the low firewall rule for action: block\n"
		"    - firewall_block\n  group-by: [x]\n  timespan: 1h\n  condition: {gte: 1}\n",
	};
	(void)s;
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		vg_ruleset *rs = load(ex[i]);
		assert_int_equal(rep.correlations, 1);
		assert_int_equal(rep.rejected, 0);
		/* the rules they reference are not loaded: reported, the correlation is inactive */
		assert_true(vg_ruleset_problem_count(rs) >= 1);
		assert_non_null(strstr(problems, "unknown rule"));
		assert_false(vg_ruleset_corr_rule(rs, 0)->active);
		vg_ruleset_free(rs);
	}
}

static void refused(const char *yaml, const char *needle, const char *where)
{
	vg_ruleset *rs = load(yaml);
	if (!strstr(problems, needle))
		fail_msg("problems '%s' do not contain '%s'", problems, needle);
	if (where && !strstr(problems, where))
		fail_msg("problems '%s' do not contain '%s'", problems, where);
	assert_true(rep.rejected >= 1);
	vg_ruleset_free(rs);
}

/* Compile-time problem: loads, listed, inactive. */
static void unresolved(const char *yaml, const char *needle, const char *where)
{
	vg_ruleset *rs = load(yaml);
	if (!strstr(problems, needle) || (where && !strstr(problems, where)))
		fail_msg("problems '%s' do not contain '%s' at '%s'", problems, needle, where ? where : "");
	assert_int_equal(rep.rejected, 0);
	bool inactive = false;
	for (size_t i = 0; i < vg_ruleset_corr_count(rs); i++)
		inactive |= !vg_ruleset_corr_rule(rs, i)->active;
	assert_true(inactive);
	vg_ruleset_free(rs);
}

#define C(body) "title: c\nid: c\ncorrelation:\n" body
static void t_loader_errors(void **s)
{
	(void)s;
	refused(C("  type: event_count\n  rules: [a]\n  group-by: [U]\n  timespan: 5x\n  condition: {gte: 1}\n"),
		"'5x' is not a number followed by s, m, h or d", "rules.yml:7: correlation.timespan");
	refused(C("  type: event_count\n  rules: [a]\n  group-by: [U]\n  timespan: 0m\n  condition: {gte: 1}\n"),
		"above zero", "rules.yml:7:");
	refused(C("  type: event_count\n  rules: [a]\n  group-by: [U]\n  timespan: 1h\n"), "needs a 'condition'",
		"correlation.condition");
	refused(C("  type: value_count\n  rules: [a]\n  group-by: [U]\n  timespan: 1h\n  condition: {gte: 2}\n"),
		"needs 'field'", "rules.yml:8:");
	refused(C("  type: event_count\n  rules: [a]\n  group-by: [U]\n  timespan: 1h\n  condition: {field: X, gte: 2}\n"),
		"'field' belongs to value_*", NULL);
	refused(C("  type: event_count\n  rules: [a]\n  timespan: 1h\n  condition: {gte: 2}\n"), "without 'group-by'",
		NULL);
	refused(C("  type: event_count\n  rules: [a]\n  group-by: [U]\n  timespan: 1h\n  condition: {gte: 2}\n"
		  "  groupby: [X]\n"),
		"unknown key 'groupby'", "rules.yml:9:");
	refused(C("  type: event_count\n  rules: [a]\n  group-by: [U]\n  timespan: 1h\n  condition: {over: 2}\n"),
		"unknown key 'over'", NULL);
	refused(C("  type: temporal\n  rules: [a, b]\n  group-by: [U]\n  timespan: 1h\n  condition: a and b\n"),
		"pySigma extension", NULL);
	refused(C("  type: event_sum\n  rules: [a]\n  group-by: [U]\n  timespan: 1h\n  condition: {gte: 2}\n"),
		"unknown type 'event_sum'", "rules.yml:4:");
	refused(C("  type: temporal\n  rules: [a, a]\n  group-by: [U]\n  timespan: 1h\n"), "listed twice", NULL);
	refused(C("  type: event_count\n  group-by: [U]\n  timespan: 1h\n  condition: {gte: 2}\n"),
		"without 'rules'", NULL);
	refused(C("  type: value_sum\n  rules: [a]\n  group-by: [U]\n  timespan: 1h\n"
		  "  condition: {field: X, percentile: 50, gte: 2}\n"),
		"'percentile' belongs to value_percentile", NULL);
	refused("title: x\ncorrelation: {type: event_count}\n", "correlation", NULL);
	refused(C("  type: event_count\n  rules: [a]\n  group-by: [U]\n  timespan: 1h\n  condition: {gte: 2}\n"
		  "detection: {sel: {A: 1}, condition: sel}\n"),
		"not both", NULL);
	/* references are resolved at compile: the line of the reference */
	unresolved(FAILED "---\n" C("  type: event_count\n  rules:\n    - failed\n    - nosuchrule\n  group-by: [U]\n"
				    "  timespan: 1h\n  condition: {gte: 2}\n"),
		   "unknown rule 'nosuchrule'", "rules.yml:13: correlation.rules");
	/* a cycle */
	unresolved("title: x\nname: x\ncorrelation: {type: event_count, rules: [y], group-by: [U], timespan: 1h, "
		   "condition: {gte: 1}}\n---\n"
		   "title: y\nname: y\ncorrelation:\n  type: event_count\n  rules: [x]\n  group-by: [U]\n  timespan: 1h\n"
		   "  condition: {gte: 1}\n",
		   "correlation cycle: ", "rules.yml:9: correlation.rules");
	unresolved("title: x\nname: x\ncorrelation: {type: event_count, rules: [x], group-by: [U], timespan: 1h, "
		   "condition: {gte: 1}}\n",
		   "correlation cycle: x -> x", NULL);
	/* a group-by field the referenced correlation's hits do not carry */
	unresolved(FAILED "---\ntitle: inner\nname: inner\ncorrelation: {type: event_count, rules: [failed], "
			  "group-by: [User], timespan: 1h, condition: {gte: 2}}\n---\n"
			  "title: outer\nname: outer\ncorrelation:\n  type: event_count\n  rules: [inner]\n"
			  "  group-by: [Computer]\n  timespan: 1h\n  condition: {gte: 2}\n",
		   "'Computer' is not a group-by field of the referenced correlation 'inner'", "rules.yml:16:");
	/* an alias naming a rule the correlation does not reference */
	unresolved(FAILED "---\n" C("  type: event_count\n  rules: [failed]\n  group-by: [ip]\n  timespan: 1h\n"
				    "  condition: {gte: 2}\n  aliases:\n    ip:\n      other: src_ip\n"),
		   "'other' is not one of the rules", "rules.yml:16: correlation.aliases");
	/* a filter is not a rule to count */
	unresolved(FAILED "---\ntitle: f\nid: flt\nfilter:\n  rules: [failed]\n  sel: {User: x}\n  condition: sel\n---\n" C(
			   "  type: event_count\n  rules: [flt]\n  group-by: [U]\n  timespan: 1h\n  condition: {gte: 2}\n"),
		   "'flt' is a filter", NULL);
	/* over a correlation that cannot run */
	unresolved("title: in\nname: in\ncorrelation: {type: event_count, rules: [nothere], group-by: [U], timespan: 1h, "
		   "condition: {gte: 1}}\n---\ntitle: out\nname: out\ncorrelation: {type: event_count, rules: [in], "
		   "group-by: [U], timespan: 1h, condition: {gte: 1}}\n",
		   "the referenced correlation 'in' cannot run", NULL);
	/* chains are bounded */
	char chain[4096] = FAILED;
	for (int i = 0; i <= VG_CORR_CHAIN_DEPTH_MAX + 1; i++) {
		char doc[256], ref[16];
		snprintf(ref, sizeof(ref), i ? "c%d" : "failed", i - 1);
		snprintf(doc, sizeof(doc), "---\ntitle: c%d\nname: c%d\ncorrelation: {type: event_count, rules: [%s], "
			 "group-by: [User], timespan: 1h, condition: {gte: 1}}\n", i, i, ref);
		strcat(chain, doc);
	}
	if (strstr(chain, "[c0]") == NULL)
		fail_msg("%s", chain);
	unresolved(chain, "correlations chained more than 8 deep", NULL);
}

static const char *user_field(void *ctx, const char *name, size_t *len)
{
	(void)name;
	*len = strlen(ctx);
	return ctx;
}

static void t_memory_bounds(void **s)
{
	vg_ruleset *rs = load(FAILED "---\ntitle: c\nid: c\ncorrelation: {type: event_count, rules: [failed], "
				     "group-by: [User], timespan: 1d, condition: {gte: 100000}}\n");
	vg_corr_state *st = vg_corr_state_new(rs);
	vg_corr_stats cs;
	char user[32];
	(void)s;
	assert_non_null(st);
	/* a threshold beyond the window's capacity is a warning, not a refusal */
	assert_non_null(strstr(problems, "cannot be reached"));
	assert_true(vg_ruleset_corr_rule(rs, 0)->active);
	const vg_rule_info *ri = vg_ruleset_rule(rs, 0);
	for (int i = 0; i < VG_CORR_GROUPS_MAX + 10; i++) {
		snprintf(user, sizeof(user), "u%d", i);
		vg_corr_feed(st, ri, T0 + i, user_field, user, NULL, NULL);
	}
	vg_corr_stats_get(st, &cs);
	assert_int_equal(cs.groups, VG_CORR_GROUPS_MAX);
	assert_int_equal(cs.evicted, 10);
	for (int i = 0; i < VG_CORR_GROUP_EVENTS_MAX + 5; i++)
		vg_corr_feed(st, ri, T0 + 200000 + i, user_field, "one", NULL, NULL);
	vg_corr_stats_get(st, &cs);
	assert_int_equal(cs.overflow, 5);
	assert_true(cs.entries <= VG_CORR_ENTRIES_MAX);
	vg_corr_state_free(st);
	vg_ruleset_free(rs);
}

static void t_timestamps(void **s)
{
	int64_t ms;
	(void)s;
	assert_true(vg_corr_parse_time("2025-01-01T00:00:00Z", 20, &ms));
	assert_int_equal(ms, T0);
	const struct {
		const char *s;
		int64_t want;
	} ok[] = {
		{"2025-01-01T00:00:00.1234567Z", T0 + 123},   /* EVTX SystemTime: 7 digits */
		{"2025-01-01T01:00:00+01:00", T0},            /* RFC 3339 offset */
		{"2025-01-01T01:30:00.5+0130", T0 + 500},     /* Suricata: no colon */
		{"2024-12-31T19:00:00-05", T0},               /* hours only */
		{"2025-01-01 00:00:01.250", T0 + 1250},       /* Sysmon UtcTime: no zone = UTC */
		{"2025-01-01 00:00:00 UTC", T0},
		{"2025-01-01t00:00:00z", T0},
		{"2025-01-01", T0},
		{"2025-01-01T00:00", T0},
		{"1735689600", T0},                           /* Unix seconds */
		{"1735689600.5", T0 + 500},
		{"1735689600000", T0},                        /* Unix milliseconds */
		{" 2025-01-01T00:00:00Z ", T0},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ms = 0;
		if (!vg_corr_parse_time(ok[i].s, strlen(ok[i].s), &ms) || ms != ok[i].want)
			fail_msg("%s: got %lld, want %lld", ok[i].s, (long long)ms, (long long)ok[i].want);
	}
	static const char *const bad[] = {"", "yesterday", "2025-13-01T00:00:00Z", "2025-01-01T25:00:00Z",
					  "2025-01-01T00:00:00Q", "2025-01-01T00:00:00+1", "2025/01/01", "1.2.3",
					  "1e400", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (vg_corr_parse_time(bad[i], strlen(bad[i]), &ms))
			fail_msg("'%s' parsed", bad[i]);

	/* offsets and fractions in a window: 00:59:59.9+01:00 is 23:59:59.9Z */
	runner r;
	start(&r, FAILED "---\ntitle: bf\nid: bf\ncorrelation: {type: event_count, rules: [failed], group-by: [User], "
			 "timespan: 1s, condition: {gte: 2}}\n");
	ev(&r, "{\"ts\":\"2025-01-01T00:59:59.900+01:00\",\"EventID\":4625,\"User\":\"bob\"}");
	ev(&r, "{\"ts\":\"2024-12-31T23:00:00.850-01:00\",\"EventID\":4625,\"User\":\"bob\"}");
	assert_int_equal(r.g.n, 1);
	assert_int_equal(r.g.first[0], T0 - 100);
	assert_int_equal(r.g.last[0], T0 + 850);
	/* @timestamp, the second candidate */
	ev(&r, "{\"@timestamp\":\"2025-01-01T10:00:00Z\",\"EventID\":4625,\"User\":\"eve\"}");
	ev(&r, "{\"@timestamp\":\"2025-01-01T10:00:00.999Z\",\"EventID\":4625,\"User\":\"eve\"}");
	assert_int_equal(r.g.n, 2);
	assert_int_equal(r.g.last[1], T0 + 36000999);
	stop(&r);
}

static void t_missing_timestamp(void **s)
{
	runner r;
	(void)s;
	start(&r, FAILED "---\ntitle: bf\nid: bf\ncorrelation: {type: event_count, rules: [failed], group-by: [User], "
			 "timespan: 1m, condition: {gte: 3}}\n");
	/* no time at all: processing order, every event at the same (unknown) time */
	ev(&r, "{\"EventID\":4625,\"User\":\"bob\"}");
	ev(&r, "{\"EventID\":4625,\"User\":\"bob\",\"ts\":\"not a date\"}");
	ev(&r, "{\"EventID\":4625,\"User\":\"bob\"}");
	assert_int_equal(r.g.n, 1);
	assert_int_equal(r.g.first[0], 0);
	/* after a dated event, undated ones take the newest time seen */
	evt(&r, 600, "\"EventID\":4625,\"User\":\"eve\"");
	ev(&r, "{\"EventID\":4625,\"User\":\"eve\"}");
	ev(&r, "{\"EventID\":4625,\"User\":\"eve\"}");
	assert_int_equal(r.g.n, 2);
	assert_int_equal(r.g.last[1], T0 + 600000);
	vg_corr_stats st;
	vg_corr_stats_get(r.st, &st);
	assert_int_equal(st.no_time, 5);
	stop(&r);
	/* with the wall clock (live streams) */
	start(&r, FAILED "---\ntitle: bf\nid: bf\ncorrelation: {type: event_count, rules: [failed], group-by: [User], "
			 "timespan: 1m, condition: {gte: 2}}\n");
	vg_corr_state_use_wall_clock(r.st, true);
	ev(&r, "{\"EventID\":4625,\"User\":\"bob\"}");
	ev(&r, "{\"EventID\":4625,\"User\":\"bob\"}");
	assert_int_equal(r.g.n, 1);
	assert_true(r.g.first[0] > T0);
	stop(&r);
}

static void t_generate_and_getter(void **s)
{
	runner r;
	(void)s;
	start(&r, FAILED "---\n" SUCCESS "---\ntitle: g\nid: g\ngenerate: true\ncorrelation: {type: event_count, rules: [failed], "
				 "group-by: [User], timespan: 1m, condition: {gte: 1}}\n---\n"
				 "title: h\nid: h\ncorrelation: {type: event_count, rules: [ok], group-by: [User], "
				 "timespan: 1m, condition: {gte: 1}, generate: false}\n");
	assert_false(vg_ruleset_rule(r.rs, 0)->correlation_only);
	assert_true(vg_ruleset_rule(r.rs, 1)->correlation_only);
	/* the getter: first value, after the fieldmappings */
	ev(&r, "{\"EventID\":4625,\"User\":\"bob\",\"a\":{\"b\":[\"x\",\"y\"]},\"n\":null}");
	size_t len = 0;
	assert_null(vg_detect_event_field(r.sc, "NotUsed", &len));
	const char *v = vg_detect_event_field(r.sc, "user", &len);
	assert_non_null(v);
	assert_int_equal(len, 3);
	assert_memory_equal(v, "bob", 3);
	stop(&r);
}

static void t_hits_carry_rule_info(void **s)
{
	runner r;
	(void)s;
	start(&r, FAILED "---\n" SUCCESS "---\ntitle: both\nid: both\nlevel: critical\nauthor: A. Uthor\ntags: [attack.t1110, x]\n"
				 "correlation: {type: event_count, rules: [failed, ok], group-by: [User], timespan: 1m, "
				 "condition: {gte: 2}}\n");
	const vg_rule_info *ci = vg_ruleset_corr_rule(r.rs, 0);
	assert_string_equal(ci->title, "both");
	assert_string_equal(ci->author, "A. Uthor");
	assert_int_equal(ci->level, VG_LEVEL_CRITICAL);
	assert_int_equal(ci->ntags, 2);
	assert_string_equal(ci->file, "rules.yml");
	evt(&r, 0, "\"EventID\":4625,\"User\":\"bob\"");
	evt(&r, 1, "\"EventID\":4624,\"User\":\"bob\"");
	assert_int_equal(r.g.n, 1);
	assert_int_equal(r.g.nrules[0], 2);
	stop(&r);
}

/* Hits copied for later (vg_corr_event) give what feeding them at once gives;
 * value_count over a tuple of fields; eq and neq decided on close. */
static vg_corr_event *copies[64];
static size_t ncopies;

static void on_hit_copy(void *ctx, const vg_hit *h)
{
	runner *r = ctx;
	if (h->rule->feeds_correlation && ncopies < 64)
		copies[ncopies++] = vg_corr_event_new(r->rs, r->sc, h);
}

static void t_copied_events_and_more(void **s)
{
	runner r;
	(void)s;
	start(&r, FAILED "---\ntitle: pairs\nid: pairs\ncorrelation: {type: value_count, rules: [failed], group-by: [Computer], "
			 "timespan: 1h, condition: {field: [User, Domain], gte: 3}}\n");
	static const char *const evs[] = {
		"{\"ts\":\"2025-01-01T00:00:01Z\",\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"bob\",\"Domain\":\"A\"}",
		"{\"ts\":\"2025-01-01T00:00:02Z\",\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"bob\",\"Domain\":\"B\"}",
		"{\"ts\":\"2025-01-01T00:00:03Z\",\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"bob\",\"Domain\":\"A\"}",
		"{\"ts\":\"2025-01-01T00:00:04Z\",\"EventID\":4625,\"Computer\":\"dc\",\"User\":\"eve\",\"Domain\":\"A\"}",
	};
	vg_diag d;
	for (size_t i = 0; i < 4; i++)
		assert_true(vg_detect_json(r.sc, evs[i], strlen(evs[i]), on_hit_copy, &r, &d) >= 0);
	assert_int_equal(ncopies, 4);
	/* the scratch now holds another event: the copies do not depend on it */
	ev(&r, "{\"EventID\":1,\"Computer\":\"x\",\"User\":\"y\",\"Domain\":\"z\"}");
	for (size_t i = 0; i < ncopies; i++) {
		assert_non_null(copies[i]);
		vg_corr_feed_event(r.st, copies[i], on_corr, &r.g);
		vg_corr_event_free(copies[i]);
	}
	ncopies = 0;
	assert_int_equal(r.g.n, 1); /* (bob,A) (bob,B) (eve,A): 3 distinct pairs at the 4th event */
	assert_int_equal(r.g.count[0], 4);
	assert_int_equal(r.g.last[0], T0 + 4000);
	assert_null(vg_corr_event_new(r.rs, r.sc, &(vg_hit){.rule = vg_ruleset_corr_rule(r.rs, 0)}));
	stop(&r);

	start(&r, FAILED "---\ntitle: eq\nid: eq\ncorrelation: {type: event_count, rules: [failed], group-by: [User], "
			 "timespan: 1m, condition: {eq: 2}}\n---\ntitle: neq\nid: neq\ncorrelation: {type: event_count, "
			 "rules: [failed], group-by: [User], timespan: 1m, condition: {neq: 2}}\n");
	evt(&r, 0, "\"EventID\":4625,\"User\":\"bob\"");
	evt(&r, 1, "\"EventID\":4625,\"User\":\"bob\"");
	evt(&r, 2, "\"EventID\":4625,\"User\":\"eve\"");
	assert_int_equal(r.g.n, 0);
	assert_int_equal(vg_corr_flush(r.st, on_corr, &r.g), 2);
	bool eq_bob = false, neq_eve = false;
	for (int i = 0; i < r.g.n; i++) {
		eq_bob |= strcmp(r.g.id[i], "eq") == 0 && strcmp(r.g.group[i], "User=bob") == 0;
		neq_eve |= strcmp(r.g.id[i], "neq") == 0 && strcmp(r.g.group[i], "User=eve") == 0;
	}
	assert_true(eq_bob && neq_eve);
	stop(&r);
}

/* The shipped mappings name each format's time field. */
static void t_shipped_mappings(void **s)
{
	const char *root = getenv("VIGIE_SOURCE_ROOT");
	static const struct {
		const char *map, *event;
		bool xml;
	} cases[] = {
		{"windows.yml", "{\"Event\":{\"System\":{\"Channel\":\"Security\",\"EventID\":4625,\"TimeCreated\":"
				"{\"#attributes\":{\"SystemTime\":\"2025-01-01T00:00:00.5000000Z\"}}}}}", false},
		{"windows.yml", "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"
				"<EventID>4625</EventID><TimeCreated SystemTime=\"2025-01-01T00:00:00.500000000Z\"/>"
				"<Channel>Security</Channel></System><EventData><Data Name=\"TargetUserName\">bob</Data>"
				"</EventData></Event>", true},
		{"windows.yml", "{\"Event\":{\"System\":{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1},"
				"\"EventData\":{\"UtcTime\":\"2025-01-01 00:00:00.500\"}}}", false},
		{"suricata.yml", "{\"timestamp\":\"2025-01-01T01:00:00.500000+0100\",\"event_type\":\"dns\"}", false},
		{"ecs.yml", "{\"@timestamp\":\"2025-01-01T00:00:00.500Z\",\"event\":{\"category\":\"web\"}}", false},
	};
	(void)s;
	if (!root)
		skip();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char p[1200];
		vg_diag d;
		int64_t ms = 0;
		vg_ruleset *rs = vg_ruleset_new();
		snprintf(p, sizeof(p), "%s/etc/detect/%s", root, cases[i].map);
		assert_int_equal(vg_ruleset_load_mapping(rs, p, &d), VG_OK);
		assert_int_equal(vg_ruleset_compile(rs, &d), VG_OK);
		vg_detect_scratch *sc = vg_detect_scratch_new(rs);
		assert_non_null(sc);
		int n = cases[i].xml ? vg_detect_xml(sc, cases[i].event, strlen(cases[i].event), NULL, NULL, &d)
				     : vg_detect_json(sc, cases[i].event, strlen(cases[i].event), NULL, NULL, &d);
		assert_true(n >= 0);
		if (!vg_detect_event_time(rs, sc, &ms) || ms != T0 + 500)
			fail_msg("%s, case %zu: time %lld", cases[i].map, i, (long long)ms);
		vg_detect_scratch_free(sc);
		vg_ruleset_free(rs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_event_count_threshold),
		cmocka_unit_test(t_window_slides_and_expires),
		cmocka_unit_test(t_group_by_several_fields_and_aliases),
		cmocka_unit_test(t_temporal),
		cmocka_unit_test(t_temporal_ordered),
		cmocka_unit_test(t_value_count),
		cmocka_unit_test(t_value_sum_avg_percentile),
		cmocka_unit_test(t_upper_bounds_decided_on_close),
		cmocka_unit_test(t_spec_chain),
		cmocka_unit_test(t_spec_examples_load),
		cmocka_unit_test(t_loader_errors),
		cmocka_unit_test(t_memory_bounds),
		cmocka_unit_test(t_timestamps),
		cmocka_unit_test(t_missing_timestamp),
		cmocka_unit_test(t_generate_and_getter),
		cmocka_unit_test(t_hits_carry_rule_info),
		cmocka_unit_test(t_shipped_mappings),
		cmocka_unit_test(t_copied_events_and_more),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
