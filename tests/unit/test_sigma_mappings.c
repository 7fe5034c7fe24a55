/* The shipped field mappings (etc/detect/windows.yml, suricata.yml, ecs.yml):
 * each is loaded from the source tree (VIGIE_SOURCE_ROOT) and checked with
 * small rules written here in the style of SigmaHQ's (generic field names of
 * the taxonomy appendix: query, c-useragent, cs-host, dst_port, ...) over
 * events in each format: the rule must be routed to the events of its
 * logsource only, and the Sigma field must read the right event field (the
 * hit names the event field the Sigma field was mapped to, with its value).
 * Then six SigmaHQ rules of the dns, proxy, webserver and firewall categories,
 * as written, over EVE and ECS events (VIGIE_SHARED; skipped without it unless
 * CI is set). Each mapping is loaded alone, as the files say. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/err.h"
#include "detect/sigma.h"

static char problem[512];

static void keep_problem(void *ctx, const vg_diag *d)
{
	(void)ctx;
	vg_diag_format(d, problem, sizeof(problem));
}

/* Ruleset of one shipped mapping (etc/detect/NAME.yml) and one rule, which
 * must load and be routed (active). */
static vg_ruleset *with_mapping(const char *name, const char *rule)
{
	const char *root = getenv("VIGIE_SOURCE_ROOT");
	char p[1200];
	vg_diag d;
	vg_load_report rep = {.problem = keep_problem};
	vg_ruleset *rs = vg_ruleset_new();
	assert_non_null(rs);
	snprintf(p, sizeof(p), "%s/etc/detect/%s.yml", root ? root : ".", name);
	if (vg_ruleset_load_mapping(rs, p, &d)) {
		vg_diag_format(&d, problem, sizeof(problem));
		fail_msg("mapping %s: %s", p, problem);
	}
	problem[0] = 0;
	assert_int_equal(vg_ruleset_load_string(rs, "rule.yml", rule, strlen(rule), &rep), VG_OK);
	if (rep.loaded != 1)
		fail_msg("rule refused: %s", problem);
	assert_int_equal(vg_ruleset_compile(rs, &d), VG_OK);
	assert_int_equal(vg_ruleset_count(rs), 1);
	if (!vg_ruleset_rule(rs, 0)->active)
		fail_msg("%s: rule not routed: %s", name, vg_ruleset_rule(rs, 0)->inactive_reason);
	return rs;
}

typedef struct seen {
	size_t hits;
	char fields[512]; /* "name=value;" for every matched field of the last hit */
} seen;

static void on_hit(void *ctx, const vg_hit *h)
{
	seen *s = ctx;
	size_t o = 0;
	s->hits++;
	s->fields[0] = 0;
	for (size_t i = 0; i < h->nfields && o < sizeof(s->fields); i++)
		o += (size_t)snprintf(s->fields + o, sizeof(s->fields) - o, "%s=%.*s;", h->fields[i].name,
				      (int)h->fields[i].value_len, h->fields[i].value);
}

/* Hits of the ruleset on one JSON event; the matched fields go to *fields. */
static size_t run_event(vg_ruleset *rs, const char *event, char *fields, size_t fsz)
{
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	seen s = {0};
	vg_diag d;
	assert_non_null(sc);
	int n = vg_detect_json(sc, event, strlen(event), on_hit, &s, &d);
	if (n < 0)
		fail_msg("event refused: %s: %s", d.message, event);
	assert_int_equal((size_t)n, s.hits);
	if (fields)
		snprintf(fields, fsz, "%s", s.fields);
	vg_detect_scratch_free(sc);
	return s.hits;
}

/* The same with an EVTX record rendered as XML. */
static void fires_xml(vg_ruleset *rs, const char *xml, size_t want)
{
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	seen s = {0};
	vg_diag d;
	assert_non_null(sc);
	int n = vg_detect_xml(sc, xml, strlen(xml), on_hit, &s, &d);
	if (n < 0)
		fail_msg("XML event refused: %s", d.message);
	if ((size_t)n != want)
		fail_msg("fired %d times on %s, expected %zu", n, xml, want);
	vg_detect_scratch_free(sc);
}

/* The rule fires once on the event and the hit's fields are exactly want. */
static void fires(vg_ruleset *rs, const char *event, const char *want)
{
	char got[512];
	size_t n = run_event(rs, event, got, sizeof(got));
	if (n != 1)
		fail_msg("fired %zu times on %s, expected once", n, event);
	if (strcmp(got, want) != 0)
		fail_msg("matched '%s', expected '%s' on %s", got, want, event);
}

static void silent(vg_ruleset *rs, const char *event)
{
	size_t n = run_event(rs, event, NULL, 0);
	if (n != 0)
		fail_msg("fired %zu times on %s, expected never", n, event);
}

#define META "id: 6a1f0000-0000-4000-8000-000000000001\nstatus: test\nauthor: Vigie tests\nlevel: high\n"

/* ---- Suricata EVE ---- */

static const char EVE_DNS[] =
	"{\"timestamp\":\"2025-03-01T10:00:00.000000+0000\",\"event_type\":\"dns\",\"src_ip\":\"10.1.2.3\","
	"\"src_port\":53000,\"dest_ip\":\"10.0.0.53\",\"dest_port\":53,\"proto\":\"UDP\","
	"\"dns\":{\"type\":\"query\",\"id\":4242,\"rrname\":\"beacon.evil.duckdns.org\",\"rrtype\":\"A\",\"tx_id\":0}}";
/* Suricata 8 (EVE DNS version 3): queries in an array */
static const char EVE_DNS_V3[] =
	"{\"event_type\":\"dns\",\"src_ip\":\"10.1.2.3\",\"dest_ip\":\"10.0.0.53\",\"dest_port\":53,"
	"\"dns\":{\"version\":3,\"type\":\"request\",\"id\":4243,"
	"\"queries\":[{\"rrname\":\"other.duckdns.org\",\"rrtype\":\"TXT\"}]}}";
static const char EVE_HTTP[] =
	"{\"timestamp\":\"2025-03-01T10:00:01.000000+0000\",\"event_type\":\"http\",\"src_ip\":\"10.1.2.3\","
	"\"src_port\":50123,\"dest_ip\":\"203.0.113.9\",\"dest_port\":80,\"proto\":\"TCP\","
	"\"http\":{\"hostname\":\"update.duckdns.org\",\"url\":\"/gate.php?id=7\",\"http_user_agent\":\"Mozilla/4.0 "
	"(compatible; MSIE 6.0; Windows NT 5.1) BadBot\",\"http_method\":\"POST\",\"status\":404,"
	"\"http_refer\":\"http://ref.example/\",\"protocol\":\"HTTP/1.1\",\"length\":512}}";
static const char EVE_FLOW[] =
	"{\"event_type\":\"flow\",\"src_ip\":\"10.1.2.3\",\"src_port\":50124,\"dest_ip\":\"69.42.98.86\","
	"\"dest_port\":23,\"proto\":\"TCP\",\"app_proto\":\"telnet\","
	"\"flow\":{\"pkts_toserver\":4,\"pkts_toclient\":3,\"state\":\"closed\",\"reason\":\"timeout\"}}";
static const char EVE_ALERT[] =
	"{\"event_type\":\"alert\",\"src_ip\":\"10.1.2.3\",\"src_port\":50125,\"dest_ip\":\"69.42.98.86\","
	"\"dest_port\":23,\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"signature_id\":2000001,"
	"\"signature\":\"ET POLICY telnet\"}}";

static const char RULE_DNS[] = "title: DNS query to dynamic DNS\n" META
			       "logsource: {category: dns}\n"
			       "detection:\n  selection:\n    query|endswith: '.duckdns.org'\n  condition: selection\n";

static void t_suricata_dns(void **state)
{
	(void)state;
	vg_ruleset *rs = with_mapping("suricata", RULE_DNS);
	fires(rs, EVE_DNS, "dns.rrname=beacon.evil.duckdns.org;");
	/* EVE v3 queries array: renamed onto dns.rrname */
	fires(rs, EVE_DNS_V3, "dns.rrname=other.duckdns.org;");
	/* the http event's host also ends in .duckdns.org: routing keeps it out */
	silent(rs, EVE_HTTP);
	silent(rs, EVE_FLOW);
	vg_ruleset_free(rs);
	/* record_type and a DNS answer */
	rs = with_mapping("suricata", "title: TXT lookup\n" META "logsource: {category: dns}\n"
				      "detection:\n  selection:\n    record_type: TXT\n  condition: selection\n");
	fires(rs, EVE_DNS_V3, "dns.rrtype=TXT;");
	silent(rs, EVE_DNS);
	vg_ruleset_free(rs);
	rs = with_mapping("suricata", "title: Answer\n" META "logsource: {category: dns}\n"
				      "detection:\n  selection:\n    answer: 198.51.100.66\n  condition: selection\n");
	fires(rs, "{\"event_type\":\"dns\",\"dns\":{\"version\":2,\"type\":\"answer\",\"rrname\":\"x.example\","
		  "\"answers\":[{\"rrname\":\"x.example\",\"rrtype\":\"A\",\"rdata\":\"198.51.100.66\"}]}}",
	      "dns.answers.rdata=198.51.100.66;");
	vg_ruleset_free(rs);
}

static const char RULE_PROXY[] =
	"title: Bad bot to dynamic DNS host\n" META "logsource: {category: proxy}\n"
	"detection:\n  selection:\n    c-useragent|contains: BadBot\n    cs-host|endswith: .duckdns.org\n"
	"    cs-method: POST\n    c-uri|contains: gate.php\n  condition: selection\n";

static void t_suricata_proxy(void **state)
{
	(void)state;
	vg_ruleset *rs = with_mapping("suricata", RULE_PROXY);
	fires(rs, EVE_HTTP,
	      "http.http_user_agent=Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1) BadBot;"
	      "http.hostname=update.duckdns.org;http.http_method=POST;http.url=/gate.php?id=7;");
	silent(rs, EVE_DNS);
	vg_ruleset_free(rs);
	/* webserver: status, referer (cs-referer, the webserver spelling), version, client address */
	rs = with_mapping("suricata", "title: Web\n" META "logsource: {category: webserver}\n"
				      "detection:\n  selection:\n    sc-status: 404\n    cs-referer|contains: ref.example\n"
				      "    cs-version: HTTP/1.1\n    c-ip: 10.1.2.3\n    cs-uri-query|contains: 'id='\n"
				      "  condition: selection\n");
	fires(rs, EVE_HTTP, "http.status=404;http.http_refer=http://ref.example/;http.protocol=HTTP/1.1;"
			    "src_ip=10.1.2.3;http.url=/gate.php?id=7;");
	silent(rs, EVE_FLOW);
	vg_ruleset_free(rs);
	/* the proxy's dst_ip is the server */
	rs = with_mapping("suricata", "title: Proxy dst\n" META "logsource: {category: proxy}\n"
				      "detection:\n  selection:\n    dst_ip|cidr: 203.0.113.0/24\n  condition: selection\n");
	fires(rs, EVE_HTTP, "dest_ip=203.0.113.9;");
	vg_ruleset_free(rs);
}

static const char RULE_FIREWALL[] =
	"title: Cleartext protocol to C2\n" META "logsource: {category: firewall}\n"
	"detection:\n  selection:\n    dst_port: [21, 23]\n    dst_ip: 69.42.98.86\n  condition: selection\n";

static void t_suricata_firewall(void **state)
{
	(void)state;
	vg_ruleset *rs = with_mapping("suricata", RULE_FIREWALL);
	fires(rs, EVE_FLOW, "dest_port=23;dest_ip=69.42.98.86;");
	fires(rs, EVE_ALERT, "dest_port=23;dest_ip=69.42.98.86;");
	silent(rs, "{\"event_type\":\"flow\",\"src_ip\":\"10.1.2.3\",\"dest_ip\":\"69.42.98.86\",\"dest_port\":443}");
	/* the same addresses in a dns event: not a firewall log */
	silent(rs, "{\"event_type\":\"dns\",\"dest_ip\":\"69.42.98.86\",\"dest_port\":23,\"dns\":{\"rrname\":\"x\"}}");
	vg_ruleset_free(rs);
	rs = with_mapping("suricata", "title: fw src\n" META "logsource: {category: firewall}\n"
				      "detection:\n  selection:\n    src_ip: 10.1.2.3\n    src_port: 50124\n"
				      "    protocol: tcp\n  condition: selection\n");
	fires(rs, EVE_FLOW, "src_ip=10.1.2.3;src_port=50124;proto=TCP;");
	vg_ruleset_free(rs);
	/* product: suricata sees every EVE event */
	rs = with_mapping("suricata", "title: Suricata alert\n" META "logsource: {product: suricata}\n"
				      "detection:\n  selection:\n    alert.signature_id: 2000001\n  condition: selection\n");
	fires(rs, EVE_ALERT, "alert.signature_id=2000001;");
	silent(rs, EVE_FLOW);
	vg_ruleset_free(rs);
}

/* ---- ECS ---- */

static const char ECS_DNS[] =
	"{\"@timestamp\":\"2025-03-01T10:00:00.000Z\",\"event\":{\"category\":[\"network\"],\"type\":[\"protocol\"]},"
	"\"network\":{\"protocol\":\"dns\",\"transport\":\"udp\"},\"source\":{\"ip\":\"10.1.2.3\",\"port\":53000},"
	"\"destination\":{\"ip\":\"10.0.0.53\",\"port\":53},"
	"\"dns\":{\"question\":{\"name\":\"beacon.evil.duckdns.org\",\"type\":\"A\"},"
	"\"answers\":[{\"data\":\"198.51.100.66\",\"type\":\"A\"}]}}";
static const char ECS_HTTP[] =
	"{\"@timestamp\":\"2025-03-01T10:00:01.000Z\",\"event\":{\"category\":[\"network\",\"web\"]},"
	"\"network\":{\"protocol\":\"http\",\"transport\":\"tcp\"},\"source\":{\"ip\":\"10.1.2.3\",\"port\":50123},"
	"\"destination\":{\"ip\":\"203.0.113.9\",\"port\":80},"
	"\"url\":{\"original\":\"http://update.duckdns.org/gate.php?id=7\",\"domain\":\"update.duckdns.org\","
	"\"path\":\"/gate.php\",\"query\":\"id=7\",\"extension\":\"php\"},"
	"\"user_agent\":{\"original\":\"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1) BadBot\"},"
	"\"http\":{\"version\":\"1.1\",\"request\":{\"method\":\"POST\",\"referrer\":\"http://ref.example/\"},"
	"\"response\":{\"status_code\":404}},\"user\":{\"name\":\"alice\"}}";
static const char ECS_FLOW[] =
	"{\"event\":{\"category\":\"network\",\"action\":\"accept\"},\"network\":{\"transport\":\"tcp\"},"
	"\"source\":{\"ip\":\"10.1.2.3\",\"port\":50124},\"destination\":{\"ip\":\"69.42.98.86\",\"port\":23}}";

static void t_ecs(void **state)
{
	(void)state;
	vg_ruleset *rs = with_mapping("ecs", RULE_DNS);
	fires(rs, ECS_DNS, "dns.question.name=beacon.evil.duckdns.org;");
	silent(rs, ECS_HTTP); /* url.domain ends in .duckdns.org too: not a dns event */
	silent(rs, ECS_FLOW);
	vg_ruleset_free(rs);
	rs = with_mapping("ecs", RULE_PROXY);
	fires(rs, ECS_HTTP,
	      "user_agent.original=Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1) BadBot;url.domain=update.duckdns.org;"
	      "http.request.method=POST;url.original=http://update.duckdns.org/gate.php?id=7;");
	silent(rs, ECS_DNS);
	vg_ruleset_free(rs);
	rs = with_mapping("ecs", "title: Web\n" META "logsource: {category: webserver}\n"
				 "detection:\n  selection:\n    sc-status: 404\n    cs-referer|contains: ref.example\n"
				 "    cs-uri-stem: /gate.php\n    cs-uri-query: id=7\n    c-uri-extension: php\n"
				 "    cs-username: alice\n    c-ip: 10.1.2.3\n  condition: selection\n");
	fires(rs, ECS_HTTP, "http.response.status_code=404;http.request.referrer=http://ref.example/;url.path=/gate.php;"
			    "url.query=id=7;url.extension=php;user.name=alice;source.ip=10.1.2.3;");
	silent(rs, ECS_DNS);
	vg_ruleset_free(rs);
	rs = with_mapping("ecs", RULE_FIREWALL);
	fires(rs, ECS_FLOW, "destination.port=23;destination.ip=69.42.98.86;");
	silent(rs, "{\"event\":{\"category\":\"process\"},\"destination\":{\"ip\":\"69.42.98.86\",\"port\":23}}");
	vg_ruleset_free(rs);
	/* SigmaHQ's net_firewall_cleartext_protocols reads `action` */
	rs = with_mapping("ecs", "title: fw action\n" META "logsource: {category: firewall}\n"
				 "detection:\n  selection:\n    dst_port: 23\n    action: [forward, accept]\n"
				 "    protocol: tcp\n  condition: selection\n");
	fires(rs, ECS_FLOW, "destination.port=23;event.action=accept;network.transport=tcp;");
	vg_ruleset_free(rs);
}

/* ---- Windows ---- */

#define SYSMON(id, data)                                                                                              \
	"{\"Event\":{\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Sysmon\"}},"            \
	"\"EventID\":" #id ",\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"ws1\"},"               \
	"\"EventData\":{" data "}}}"

#define SYSMON_XML(id)                                                                                                \
	"<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\"><System>"                             \
	"<Provider Name=\"Microsoft-Windows-Sysmon\"/><EventID>" #id "</EventID>"                                     \
	"<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>ws1</Computer></System><EventData>"          \
	"<Data Name=\"Image\">C:\\Windows\\System32\\whoami.exe</Data>"                                          \
	"<Data Name=\"CommandLine\">whoami /all</Data></EventData></Event>"

static void t_windows(void **state)
{
	(void)state;
	vg_ruleset *rs = with_mapping("windows", "title: Whoami\n" META
						 "logsource: {product: windows, category: process_creation}\n"
						 "detection:\n  selection:\n    Image|endswith: '\\whoami.exe'\n"
						 "    CommandLine|contains: '/all'\n  condition: selection\n");
	fires(rs, SYSMON(1, "\"Image\":\"C:\\\\Windows\\\\System32\\\\whoami.exe\",\"CommandLine\":\"whoami /all\""),
	      "Image=C:\\Windows\\System32\\whoami.exe;CommandLine=whoami /all;");
	/* EventID 3 (network connection) with the same fields: another category */
	silent(rs, SYSMON(3, "\"Image\":\"C:\\\\Windows\\\\System32\\\\whoami.exe\",\"CommandLine\":\"whoami /all\""));
	/* the same as EVTX records (XML rendering): EventID 1 fires, 3 does not */
	fires_xml(rs, SYSMON_XML(1), 1);
	fires_xml(rs, SYSMON_XML(3), 0);
	/* the same event in the Security channel (4688 has no Image field but say it had) */
	silent(rs, "{\"Event\":{\"System\":{\"EventID\":1,\"Channel\":\"Security\"},\"EventData\":{"
		   "\"Image\":\"C:\\\\Windows\\\\System32\\\\whoami.exe\",\"CommandLine\":\"whoami /all\"}}}");
	vg_ruleset_free(rs);
	rs = with_mapping("windows", "title: Failed logon\n" META "logsource: {product: windows, service: security}\n"
				     "detection:\n  selection:\n    EventID: 4625\n    TargetUserName: bob\n"
				     "  condition: selection\n");
	fires(rs, "{\"Event\":{\"System\":{\"EventID\":4625,\"Channel\":\"Security\"},"
		  "\"EventData\":{\"TargetUserName\":\"bob\",\"LogonType\":3}}}",
	      "EventID=4625;TargetUserName=bob;");
	silent(rs, "{\"Event\":{\"System\":{\"EventID\":4625,\"Channel\":\"System\"},"
		   "\"EventData\":{\"TargetUserName\":\"bob\"}}}");
	vg_ruleset_free(rs);
	/* Sysmon network_connection on EventID 3 only */
	rs = with_mapping("windows", "title: Net\n" META "logsource: {product: windows, category: network_connection}\n"
				     "detection:\n  selection:\n    DestinationPort: 4444\n  condition: selection\n");
	fires(rs, SYSMON(3, "\"DestinationIp\":\"198.51.100.1\",\"DestinationPort\":4444"), "DestinationPort=4444;");
	silent(rs, SYSMON(1, "\"DestinationIp\":\"198.51.100.1\",\"DestinationPort\":4444"));
	vg_ruleset_free(rs);
}

/* ---- SigmaHQ rules of these categories, as written ---- */

static const char *const sigmahq_files[] = {
	"rules-threat-hunting/network/net_dns_low_reputation_etld.yml",             /* dns: query|endswith */
	"rules/web/proxy_generic/proxy_ua_rclone.yml",                               /* proxy: c-useragent|startswith */
	"rules/web/proxy_generic/proxy_telegram_api.yml",                            /* proxy: cs-host, not c-useragent */
	"rules/web/webserver_generic/web_sql_injection_in_access_logs.yml",          /* webserver: cs-method, keywords, sc-status */
	"rules-emerging-threats/2017/TA/Equation-Group/net_firewall_apt_equationgroup_c2.yml", /* firewall: dst_ip/src_ip */
	"rules/network/firewall/net_firewall_cleartext_protocols.yml",               /* firewall: dst_port, action */
};
#define ETLD "cf5ee356"
#define RCLONE "2c03648b"
#define TELEGRAM "b494b165"
#define SQLI "5513deaf"
#define EQGRP "881834a4"
#define CLEARTEXT "d7fb8f0e"

static void on_id(void *ctx, const vg_hit *h)
{
	char *ids = ctx;
	size_t n = strlen(ids);
	snprintf(ids + n, 256 - n, "%s%.8s", n ? " " : "", h->rule->id);
}

/* The first 8 characters of the ids of the rules that fire, in rule order. */
static void sigmahq_fires(vg_ruleset *rs, const char *event, const char *want)
{
	char ids[256] = "";
	vg_detect_scratch *sc = vg_detect_scratch_new(rs);
	vg_diag d;
	assert_non_null(sc);
	if (vg_detect_json(sc, event, strlen(event), on_id, ids, &d) < 0)
		fail_msg("event refused: %s", d.message);
	vg_detect_scratch_free(sc);
	if (strcmp(ids, want) != 0)
		fail_msg("fired [%s], expected [%s] on %s", ids, want, event);
}

static vg_ruleset *sigmahq(const char *mapping)
{
	const char *root = getenv("VIGIE_SOURCE_ROOT"), *shared = getenv("VIGIE_SHARED"), *ci = getenv("CI");
	char p[1200];
	vg_diag d;
	vg_load_report rep = {.problem = keep_problem};
	FILE *f;
	if (!shared || !*shared) {
		if (ci && *ci)
			fail_msg("VIGIE_SHARED not set and CI is set");
		return NULL;
	}
	snprintf(p, sizeof(p), "%s/data/sigma/rules/%s", shared, sigmahq_files[0]);
	if (!(f = fopen(p, "r"))) {
		if (ci && *ci)
			fail_msg("%s missing and CI is set", p);
		return NULL;
	}
	fclose(f);
	vg_ruleset *rs = vg_ruleset_new();
	assert_non_null(rs);
	snprintf(p, sizeof(p), "%s/etc/detect/%s.yml", root ? root : ".", mapping);
	assert_int_equal(vg_ruleset_load_mapping(rs, p, &d), VG_OK);
	for (size_t i = 0; i < sizeof(sigmahq_files) / sizeof(sigmahq_files[0]); i++) {
		snprintf(p, sizeof(p), "%s/data/sigma/rules/%s", shared, sigmahq_files[i]);
		assert_int_equal(vg_ruleset_load_path(rs, p, &rep), VG_OK);
	}
	assert_int_equal(rep.loaded, sizeof(sigmahq_files) / sizeof(sigmahq_files[0]));
	assert_int_equal(vg_ruleset_compile(rs, &d), VG_OK);
	for (size_t i = 0; i < vg_ruleset_count(rs); i++)
		if (!vg_ruleset_rule(rs, i)->active)
			fail_msg("%s: %s not routed", mapping, vg_ruleset_rule(rs, i)->file);
	return rs;
}

static void t_sigmahq_eve(void **state)
{
	(void)state;
	vg_ruleset *rs = sigmahq("suricata");
	if (!rs)
		skip();
	sigmahq_fires(rs, EVE_DNS, ETLD);
	sigmahq_fires(rs, EVE_DNS_V3, ETLD);
	sigmahq_fires(rs, "{\"event_type\":\"http\",\"http\":{\"hostname\":\"s3.example.com\",\"url\":\"/bucket\","
			  "\"http_user_agent\":\"rclone/v1.66.0\",\"http_method\":\"PUT\",\"status\":200}}",
		      RCLONE);
	sigmahq_fires(rs, "{\"event_type\":\"http\",\"http\":{\"hostname\":\"api.telegram.org\",\"url\":\"/bot1/sendMessage\","
			  "\"http_user_agent\":\"curl/8.5.0\",\"http_method\":\"POST\",\"status\":200}}",
		      TELEGRAM);
	/* the rule's filter: a Telegram bot's own user agent */
	sigmahq_fires(rs, "{\"event_type\":\"http\",\"http\":{\"hostname\":\"api.telegram.org\",\"url\":\"/bot1/getMe\","
			  "\"http_user_agent\":\"TelegramBot (like TwitterBot)\",\"http_method\":\"GET\",\"status\":200}}",
		      "");
	sigmahq_fires(rs, "{\"event_type\":\"http\",\"http\":{\"hostname\":\"shop.example\",\"url\":\"/item.php?id=1 UNION "
			  "SELECT password FROM users\",\"http_method\":\"GET\",\"status\":200}}",
		      SQLI);
	/* the rule's filter: status 404 */
	sigmahq_fires(rs, "{\"event_type\":\"http\",\"http\":{\"hostname\":\"shop.example\",\"url\":\"/item.php?id=1 UNION "
			  "SELECT password FROM users\",\"http_method\":\"GET\",\"status\":404}}",
		      "");
	sigmahq_fires(rs, EVE_FLOW, EQGRP);
	sigmahq_fires(rs, EVE_ALERT, EQGRP);
	/* the same SQL text in a dns event: not a web log */
	sigmahq_fires(rs, "{\"event_type\":\"dns\",\"dns\":{\"rrname\":\"union select.example\"}}", "");
	vg_ruleset_free(rs);
}

static void t_sigmahq_ecs(void **state)
{
	(void)state;
	vg_ruleset *rs = sigmahq("ecs");
	if (!rs)
		skip();
	sigmahq_fires(rs, ECS_DNS, ETLD);
	sigmahq_fires(rs, "{\"event\":{\"category\":[\"network\",\"web\"]},\"url\":{\"domain\":\"s3.example.com\"},"
			  "\"user_agent\":{\"original\":\"rclone/v1.66.0\"},\"http\":{\"request\":{\"method\":\"PUT\"}}}",
		      RCLONE);
	sigmahq_fires(rs, "{\"event\":{\"category\":\"web\"},\"url\":{\"domain\":\"api.telegram.org\"},"
			  "\"user_agent\":{\"original\":\"python-requests/2.31\"}}",
		      TELEGRAM);
	sigmahq_fires(rs, "{\"event\":{\"category\":\"web\"},\"url\":{\"original\":\"/item.php?id=1 UNION SELECT 1\"},"
			  "\"http\":{\"request\":{\"method\":\"GET\"},\"response\":{\"status_code\":200}}}",
		      SQLI);
	/* firewall: the C2 address, and telnet accepted (action), which EVE cannot say */
	sigmahq_fires(rs, ECS_FLOW, EQGRP " " CLEARTEXT);
	sigmahq_fires(rs, "{\"event\":{\"category\":\"network\",\"action\":\"drop\"},"
			  "\"destination\":{\"ip\":\"192.0.2.1\",\"port\":23}}",
		      "");
	vg_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_suricata_dns), cmocka_unit_test(t_suricata_proxy),
		cmocka_unit_test(t_suricata_firewall), cmocka_unit_test(t_ecs), cmocka_unit_test(t_windows),
		cmocka_unit_test(t_sigmahq_eve), cmocka_unit_test(t_sigmahq_ecs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
