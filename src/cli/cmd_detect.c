/* vigie detect: Sigma rules and indicator sets run continuously over standard
 * input, followed files and syslog listeners (UDP/TCP); hits are written as
 * alerts (src/alerts: attributed, deduplicated), one transaction and audit
 * entry per batch, written when full or after --flush-ms. Followed text files
 * are read as they grow (tail -F); compressed and EVTX ones are read again
 * once changed, new records only (vg_input_blob_poll). SIGHUP, or a change of
 * the platform's IOCs (--platform-iocs, polled), builds a new ruleset and
 * swaps it between two events once the pending hits are written; a failed
 * reload keeps the old one. SIGINT/SIGTERM: the pending batch is written and
 * the command exits 0. docs/internals/detect.md, "vigie detect". */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "audit/audit.h"
#include "cli/cli.h"
#include "cli/detect_par.h"
#include "cli/detect_source.h"
#include "core/clock.h"
#include "detect/input.h"
#include "detect/ioc.h"
#include "detect/sigma.h"
#include "observe/ioc_source.h"
#include "registry/index.h"

#define DETECT_BATCH_DEFAULT 500
#define DETECT_BATCH_MAX 100000
#define DETECT_FLUSH_MS_DEFAULT 1000
#define DETECT_FOLLOW_MAX 64
#define DETECT_IOC_POLL_DEFAULT 10 /* seconds between checks of the platform's IOCs */
#define DETECT_POLLFDS (1 + VG_SYSLOG_LISTENERS_MAX + VG_SYSLOG_TCP_CLIENTS_MAX)
#define PLATFORM_SOURCE "platform"

static const char *const default_ioc_fields[] = {"/etc/vigie/detect/ioc/ioc-fields.yml",
						 "/usr/local/etc/vigie/detect/ioc/ioc-fields.yml"};

static volatile sig_atomic_t stop_flag, reload_flag;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = 1;
}

typedef struct detect {
	vg_cli *cli;
	vg_db *db;
	vg_ruleset *rs;
	vg_detect_scratch *sc;
	vg_corr_state *corr; /* correlation windows of rs (NULL without correlation rules) */
	uint64_t corr_hits;
	vg_alerts_cfg *acfg;
	vg_registry *reg;
	vg_pending_hit *pend;
	size_t npend, batch_max;
	vg_detect_par *par; /* --threads N > 1: matching on N threads; NULL: here, with sc */
	size_t nthreads;
	int64_t last_flush_ms, flush_ms;
	uint64_t events, hits, ioc_hits, alerts_new, alerts_bumped, errors, batches, reloads, reload_failures;
	bool failed;
	vg_input_format format;
	/* what the ruleset is built from (kept for reloads) */
	char **rules, **maps, **iocs, **ifields;
	size_t nrules, nmaps, niocs, nifields;
	bool platform_iocs;
	vg_obs_ioc_gen gen;
	int64_t data_version, ioc_poll_ms, last_poll_ms;
	vg_syslog_server *srv;
	vg_syslog_net_stats net;
	vg_detect_feed feed; /* what the sources feed events to (set once the options are read) */
} detect;

static void note(detect *dt, const char *fmt, const char *a, const char *b)
{
	if (!dt->cli->quiet) {
		fprintf(stderr, "%s: detect: ", dt->cli->prog);
		fprintf(stderr, fmt, a, b);
		fputc('\n', stderr);
	}
}

/* Input problems (counted as errors) and rule/indicator load problems
 * (ctx = the CLI; warnings, code VG_OK, are not shown). */
static void print_problem(void *ctx, const vg_diag *d)
{
	vg_cli *cli = ctx;
	char msg[800];
	if (d->code == VG_OK || cli->quiet)
		return;
	vg_diag_format(d, msg, sizeof msg);
	fprintf(stderr, "%s: %s\n", cli->prog, msg);
}

static void on_input_problem(void *ctx, const vg_diag *d)
{
	detect *dt = ctx;
	dt->errors++;
	print_problem(dt->cli, d);
}

static int flush(detect *dt)
{
	vg_audit_ctx ac;
	vg_regindex *ix;
	vg_diag d;
	vg_err e = VG_OK;
	uint64_t created = 0, bumped = 0;
	char det[160];
	int64_t cap = dt->cli->cfg.correlation_common_cap > 1 ? dt->cli->cfg.correlation_common_cap : 100;
	dt->last_flush_ms = (int64_t)(vg_time_mono_ns() / 1000000);
	if (!dt->npend)
		return 0;
	vg_diag_clear(&d);
	vg_cli_audit_ctx(&ac);
	ix = vg_registry_acquire(dt->reg, dt->db);
	if ((e = vg_db_begin(dt->db, true, &d)))
		goto out;
	for (size_t i = 0; !e && i < dt->npend; i++) {
		vg_pending_hit *p = &dt->pend[i];
		vg_hit h = {.rule = p->rule, .fields = p->fields, .nfields = p->nfields};
		int64_t id;
		bool c;
		e = p->rule ? vg_alert_record(dt->db, dt->acfg, ix, &h, p->event, p->at, cap, &id, &c, &d)
			    : vg_alert_record_ioc(dt->db, dt->acfg, ix, &p->ioc, p->event, p->at, cap, &id, &c, &d);
		if (!e) {
			created += c;
			bumped += !c;
		}
	}
	if (!e) {
		snprintf(det, sizeof det, "{\"hits\":%zu,\"created\":%" PRIu64 ",\"deduplicated\":%" PRIu64 "}", dt->npend,
			 created, bumped);
		e = vg_audit_record(dt->db, &ac, "alert.record", "alert", 0, 0, "ok", det, &d);
	}
	if (!e)
		e = vg_db_commit(dt->db, &d);
	else
		vg_db_rollback(dt->db);
out:
	vg_regindex_release(ix);
	for (size_t i = 0; i < dt->npend; i++)
		vg_pending_hit_fini(&dt->pend[i]);
	dt->npend = 0;
	if (e) {
		dt->failed = true;
		return vg_cli_fail(dt->cli, e, &d);
	}
	dt->alerts_new += created;
	dt->alerts_bumped += bumped;
	dt->batches++;
	return 0;
}

static void pending_done(detect *dt)
{
	if (++dt->npend == dt->batch_max)
		flush(dt);
}

/* A correlation hit becomes an alert of the correlation rule: the group
 * values are its matched fields, the event a summary of the window. */
static void on_corr_hit(void *ctx, const vg_corr_hit *hit)
{
	detect *dt = ctx;
	vg_pending_hit *p;
	vg_buf ev;
	char first[VG_TIME_STRLEN], last[VG_TIME_STRLEN];
	if (dt->failed || hit->rule->correlation_only)
		return; /* an inner link of a chain (generate: false) */
	dt->corr_hits++;
	p = &dt->pend[dt->npend];
	vg_pending_hit_init(p, NULL); /* the event: the window's summary, below */
	p->rule = hit->rule;
	if (hit->ngroup && (p->fields = calloc(hit->ngroup, sizeof *p->fields)))
		for (size_t i = 0; i < hit->ngroup; i++) {
			p->fields[i].name = strdup(hit->group[i].name);
			p->fields[i].value = strndup(hit->group[i].value, hit->group[i].value_len);
			p->fields[i].value_len = p->fields[i].value ? strlen(p->fields[i].value) : 0;
			p->nfields++;
		}
	vg_time_format(hit->first_ms, first, sizeof first, true);
	vg_time_format(hit->last_ms, last, sizeof last, true);
	vg_buf_init(&ev, 0);
	vg_buf_printf(&ev, "{\"correlation\":\"%s\",\"count\":%llu,\"value\":%.15g,\"first\":\"%s\",\"last\":\"%s\",\"rules\":[",
		      hit->type, (unsigned long long)hit->count, hit->value, first, last);
	for (size_t i = 0; i < hit->nrules; i++) {
		json_t *s = json_string(hit->rules[i]->id[0] ? hit->rules[i]->id : hit->rules[i]->title);
		char *js = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
		vg_buf_printf(&ev, "%s%s", i ? "," : "", js ? js : "\"\"");
		free(js);
		json_decref(s);
	}
	vg_buf_puts(&ev, "]}");
	p->event = vg_buf_steal(&ev);
	pending_done(dt);
}

static void on_hit(void *ctx, const vg_hit *hit)
{
	detect *dt = ctx;
	if (dt->failed)
		return;
	if (hit->rule->feeds_correlation && dt->corr)
		vg_corr_feed_hit(dt->corr, dt->sc, hit, on_corr_hit, dt); /* one thread: no lock */
	if (hit->rule->correlation_only)
		return; /* referenced by correlations without generate: true */
	dt->hits++;
	vg_pending_hit_rule(&dt->pend[dt->npend], hit, vg_detect_event_json(dt->sc));
	pending_done(dt);
}

static void on_ioc_hit(void *ctx, const vg_ioc_hit *hit)
{
	detect *dt = ctx;
	if (dt->failed)
		return;
	dt->ioc_hits++;
	vg_pending_hit_ioc(&dt->pend[dt->npend], hit, vg_detect_event_json(dt->sc), PLATFORM_SOURCE);
	pending_done(dt);
}

/* A record matched (here, or by the threads in input order): counted, and
 * its error named by source and record. source NULL: not a record. */
static void record_done(void *ctx, const char *source, uint64_t number, int n, const char *error)
{
	detect *dt = ctx;
	if (source)
		dt->events++;
	if (n < 0) {
		dt->errors++;
		if (!dt->cli->quiet && source)
			fprintf(stderr, "%s: %s:%" PRIu64 ": %s\n", dt->cli->prog, source, number, error ? error : "?");
		else if (!dt->cli->quiet)
			fprintf(stderr, "%s: detect: %s\n", dt->cli->prog, error ? error : "?");
	}
}

static void par_hit(void *ctx, vg_pending_hit *p, vg_corr_event *cev, bool ioc)
{
	detect *dt = ctx;
	if (cev && dt->corr && !dt->failed)
		vg_corr_feed_event(dt->corr, cev, on_corr_hit, dt);
	vg_corr_event_free(cev);
	if (!p)
		return;
	if (dt->failed) {
		vg_pending_hit_fini(p);
		return;
	}
	if (ioc)
		dt->ioc_hits++;
	else
		dt->hits++;
	dt->pend[dt->npend] = *p; /* taken */
	memset(p, 0, sizeof *p);
	pending_done(dt);
}

/* Match what the threads hold (before a wait, a reload, a flush or the end). */
static void par_drain(detect *dt)
{
	vg_par_out out = {.record = record_done, .hit = par_hit, .ctx = dt};
	if (dt->par)
		vg_detect_par_run(dt->par, &out);
}

/* The ruleset from the rules, mappings and indicator sources (first start and reloads). */
static vg_err build(detect *dt, vg_ruleset **out, vg_obs_ioc_gen *gen, vg_diag *d)
{
	vg_load_report rep = {.problem = print_problem, .ctx = dt->cli};
	vg_ioc_report irep = {.problem = print_problem, .ctx = dt->cli};
	vg_ruleset *rs = vg_ruleset_new();
	vg_buf csv;
	vg_err e = VG_OK;
	vg_buf_init(&csv, 0);
	*out = NULL;
	if (!rs)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	for (size_t i = 0; !e && i < dt->nmaps; i++) {
		char *path = vg_cli_mapping_path(dt->maps[i]); /* a file, or an installed mapping's name */
		e = path ? vg_ruleset_load_mapping(rs, path, d)
			 : vg_diag_set(d, VG_ERR_NOT_FOUND, "mapping", "%s: no such mapping file or installed name",
				       dt->maps[i]);
		free(path);
	}
	for (size_t i = 0; !e && i < dt->nrules; i++)
		if ((e = vg_ruleset_load_path(rs, dt->rules[i], &rep)))
			vg_diag_set(d, e, NULL, "cannot read rules from %s", dt->rules[i]);
	if (!e && (dt->niocs || dt->platform_iocs)) {
		const char *env = getenv("VIGIE_IOC_FIELDS");
		for (size_t i = 0; !dt->nifields && !env && i < sizeof default_ioc_fields / sizeof *default_ioc_fields; i++)
			if (access(default_ioc_fields[i], R_OK) == 0)
				env = default_ioc_fields[i];
		if (!dt->nifields && !env)
			e = vg_diag_set(d, VG_ERR_NOT_FOUND, "ioc-fields",
					"no IOC field map installed: pass --ioc-fields FILE (etc/detect/ioc-fields.yml)");
		else if (!dt->nifields)
			e = vg_ioc_load_fields(rs, env, d);
		for (size_t i = 0; !e && i < dt->nifields; i++)
			e = vg_ioc_load_fields(rs, dt->ifields[i], d);
	}
	for (size_t i = 0; !e && i < dt->niocs; i++)
		if ((e = vg_ioc_load_path(rs, dt->iocs[i], VG_IOC_FMT_AUTO, VG_IOC_NONE, &irep)))
			vg_diag_set(d, e, NULL, "cannot read indicators from %s", dt->iocs[i]);
	if (!e && dt->platform_iocs) {
		size_t n, skipped;
		if (!(e = vg_obs_ioc_generation(dt->db, gen, d)) &&
		    !(e = vg_obs_ioc_export_csv(dt->db, &csv, &n, &skipped, d)))
			e = vg_ioc_load_string(rs, PLATFORM_SOURCE, csv.data, csv.len, VG_IOC_FMT_CSV, VG_IOC_NONE, &irep);
	}
	if (!e)
		e = vg_ruleset_compile(rs, d);
	if (!e && rep.loaded == 0 && !dt->niocs && !dt->platform_iocs)
		e = vg_diag_set(d, VG_ERR_INVALID, "rules", "no detection rule loaded (%zu refused)", rep.rejected);
	vg_buf_fini(&csv);
	if (e) {
		vg_ruleset_free(rs);
		return e;
	}
	*out = rs;
	return VG_OK;
}

/* Build and swap in a new ruleset; on failure the old one stays. */
static void reload(detect *dt, const char *why)
{
	vg_ruleset *rs = NULL;
	vg_detect_scratch *sc = NULL;
	vg_detect_par *par = NULL;
	vg_obs_ioc_gen gen = dt->gen;
	vg_diag d;
	char msg[800], count[64];
	vg_diag_clear(&d);
	par_drain(dt); /* what was read before the reload, with the rules it was read under */
	if (build(dt, &rs, &gen, &d) || !(sc = vg_detect_scratch_new(rs)) ||
	    (dt->par && (!(par = vg_detect_par_new(dt->nthreads, PLATFORM_SOURCE)) ||
			 vg_detect_par_use(par, rs)))) {
		if (!d.message[0])
			vg_diag_set(&d, VG_ERR_NOMEM, NULL, "out of memory");
		vg_diag_format(&d, msg, sizeof msg);
		vg_detect_par_free(par);
		vg_detect_scratch_free(sc);
		vg_ruleset_free(rs);
		dt->reload_failures++;
		note(dt, "reload (%s) failed, the rules in use stay: %s", why, msg);
		return;
	}
	vg_corr_state *corr = vg_ruleset_corr_count(rs) ? vg_corr_state_new(rs) : NULL;
	if (vg_ruleset_corr_count(rs) && !corr) {
		vg_detect_par_free(par);
		vg_detect_scratch_free(sc);
		vg_ruleset_free(rs);
		dt->reload_failures++;
		note(dt, "reload (%s) failed, the rules in use stay: %s", why, "out of memory");
		return;
	}
	if (corr)
		vg_corr_state_use_wall_clock(corr, true);
	vg_detect_scratch_set_ioc(sc, on_ioc_hit, dt);
	if (dt->corr) /* the old windows end with the old rules: decide them */
		vg_corr_flush(dt->corr, on_corr_hit, dt);
	flush(dt); /* pending hits point into the old ruleset */
	vg_corr_state_free(dt->corr);
	dt->corr = corr;
	vg_detect_scratch_free(dt->sc);
	if (par) {
		vg_detect_par_free(dt->par);
		dt->par = par;
	}
	vg_ruleset_free(dt->rs);
	dt->rs = rs;
	dt->sc = sc;
	dt->gen = gen; /* only now: after a failure the next poll tries again */
	dt->reloads++;
	vg_ioc_stats ist;
	vg_ioc_stats_get(rs, &ist);
	snprintf(count, sizeof count, "%zu rules, %zu indicators", vg_ruleset_count(rs), ist.iocs);
	note(dt, "reloaded (%s): %s", why, count);
}

/* The platform's IOCs changed? (cheap: data version first, then the generation) */
static void poll_iocs(detect *dt, int64_t now_ms)
{
	vg_obs_ioc_gen g;
	vg_diag d;
	int64_t dv;
	if (!dt->platform_iocs || now_ms - dt->last_poll_ms < dt->ioc_poll_ms)
		return;
	dt->last_poll_ms = now_ms;
	dv = vg_db_data_version(dt->db);
	if (dv == dt->data_version)
		return;
	dt->data_version = dv;
	if (vg_obs_ioc_generation(dt->db, &g, &d) == VG_OK && memcmp(&g, &dt->gen, sizeof g) != 0) {
		uint64_t failures = dt->reload_failures;
		reload(dt, "platform IOCs changed");
		if (dt->reload_failures != failures)
			dt->data_version = INT64_MIN; /* failed: try again at the next poll */
	}
}

static bool on_record(void *ctx, const vg_record *rec)
{
	detect *dt = ctx;
	vg_diag d;
	int n;
	if (dt->par) { /* matched by the threads, a round at a time */
		vg_par_out out = {.record = record_done, .hit = par_hit, .ctx = dt};
		vg_detect_par_add(dt->par, rec, &out);
		return !dt->failed && !stop_flag;
	}
	char msg[800] = "";
	vg_diag_clear(&d);
	n = rec->kind == VG_RECORD_JSON ? vg_detect_json(dt->sc, rec->data, rec->len, on_hit, dt, &d)
					: vg_detect_xml(dt->sc, rec->data, rec->len, on_hit, dt, &d);
	if (n < 0)
		vg_diag_format(&d, msg, sizeof msg);
	record_done(dt, rec->source ? rec->source : "", rec->number, n, msg);
	return !dt->failed && !stop_flag;
}


static vg_input_opts input_opts(detect *dt)
{
	return (vg_input_opts){.record = on_record, .problem = on_input_problem, .ctx = dt, .format = dt->format};
}

static const struct option detect_opts[] = {
	{"rules", required_argument, NULL, 'r'},       {"mapping", required_argument, NULL, 'm'},
	{"follow", required_argument, NULL, 'F'},      {"fingerprint", required_argument, NULL, 'p'},
	{"batch", required_argument, NULL, 'b'},       {"flush-ms", required_argument, NULL, 'l'},
	{"from-start", no_argument, NULL, 's'},        {"iocs", required_argument, NULL, 'i'},
	{"ioc-fields", required_argument, NULL, 'I'},  {"platform-iocs", no_argument, NULL, 'P'},
	{"ioc-poll", required_argument, NULL, 'o'},    {"syslog-udp", required_argument, NULL, 'U'},
	{"syslog-tcp", required_argument, NULL, 'T'},  {"format", required_argument, NULL, 'f'},
	{"threads", required_argument, NULL, 't'},     {NULL, 0, NULL, 0},
};

static bool number_opt(vg_cli *cli, const char *name, const char *arg, long long max, long long *out)
{
	char *end;
	long long v = strtoll(arg, &end, 10);
	if (*end || v < 1 || v > max) {
		fprintf(stderr, "%s: --%s must be between 1 and %lld\n", cli->prog, name, max);
		return false;
	}
	*out = v;
	return true;
}

/* Wait for input and serve it: standard input and the listeners. */
static void wait_and_serve(detect *dt, vg_detect_source *srcs, size_t nsrc, int stdin_src, int64_t wait)
{
	struct pollfd pfd[DETECT_POLLFDS];
	size_t np = 0, nnet;
	vg_input_opts io = input_opts(dt);
	if (stdin_src >= 0)
		pfd[np++] = (struct pollfd){.fd = srcs[stdin_src].fd, .events = POLLIN};
	nnet = vg_syslog_server_pollfds(dt->srv, pfd + np, DETECT_POLLFDS - np);
	if (poll(pfd, np + nnet, (int)wait) <= 0)
		return;
	if (stdin_src >= 0 && pfd[0].revents) {
		for (size_t i = 0; i < nsrc; i++) {
			vg_detect_source *s = &srcs[i];
			ssize_t n;
			if (s->follow || s->eof)
				continue;
			n = vg_detect_source_read(&dt->feed, s);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				vg_detect_source_drain(&dt->feed, s, true);
				s->eof = true;
			}
		}
	}
	if (nnet)
		vg_syslog_server_serve(dt->srv, pfd + np, nnet, (int64_t)time(NULL), &io, &dt->net);
}

int vg_cmd_detect(vg_cli *cli, int argc, char **argv)
{
	/* one block of option slots: rules, maps, iocs, ifields, fingerprints, udp, tcp */
	char **slots = calloc(7 * ((size_t)argc + 1), sizeof(char *)), **fps = NULL, **udp = NULL, **tcp = NULL;
	vg_detect_source *srcs = calloc((size_t)argc + 2, sizeof(vg_detect_source));
	size_t nfps = 0, nsrc = 0, nfollow = 0, nudp = 0, ntcp = 0;
	detect dt = {.cli = cli, .batch_max = DETECT_BATCH_DEFAULT, .flush_ms = DETECT_FLUSH_MS_DEFAULT,
		     .ioc_poll_ms = DETECT_IOC_POLL_DEFAULT * 1000};
	struct sigaction sa, old_int, old_term, old_hup;
	bool from_start = false, use_stdin = false, sig_set = false;
	int rc = VG_EXIT_OK, c, stdin_src = -1;
	long long v;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	stop_flag = reload_flag = 0;
	if (!slots || !srcs) {
		rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
		goto out;
	}
	char ***lists[] = {&dt.rules, &dt.maps, &dt.iocs, &dt.ifields, &fps, &udp, &tcp};
	for (size_t i = 0; i < 7; i++)
		*lists[i] = slots + i * ((size_t)argc + 1);
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:m:F:p:b:l:si:t:", detect_opts, NULL)) != -1) {
		switch (c) {
		case 'r': dt.rules[dt.nrules++] = optarg; break;
		case 'm': dt.maps[dt.nmaps++] = optarg; break;
		case 'i': dt.iocs[dt.niocs++] = optarg; break;
		case 'I': dt.ifields[dt.nifields++] = optarg; break;
		case 'P': dt.platform_iocs = true; break;
		case 'p': fps[nfps++] = optarg; break;
		case 's': from_start = true; break;
		case 'U': udp[nudp++] = optarg; break;
		case 'T': tcp[ntcp++] = optarg; break;
		case 'f':
			if (!vg_input_format_parse(optarg, &dt.format)) {
				fprintf(stderr, "%s: --format: auto, json or syslog\n", cli->prog);
				rc = VG_EXIT_USAGE;
				goto out;
			}
			break;
		case 'F':
			if (nfollow == DETECT_FOLLOW_MAX) {
				fprintf(stderr, "%s: at most %d --follow files\n", cli->prog, DETECT_FOLLOW_MAX);
				rc = VG_EXIT_USAGE;
				goto out;
			}
			srcs[nsrc++] = (vg_detect_source){.path = optarg, .fd = -1, .follow = true};
			nfollow++;
			break;
		case 't':
			if (!number_opt(cli, "threads", optarg, VG_DETECT_THREADS_MAX, &v)) {
				rc = VG_EXIT_USAGE;
				goto out;
			}
			dt.nthreads = (size_t)v;
			break;
		case 'b':
		case 'l':
		case 'o':
			if (!number_opt(cli, c == 'b' ? "batch" : c == 'l' ? "flush-ms" : "ioc-poll", optarg,
					c == 'b' ? DETECT_BATCH_MAX : c == 'l' ? 60000 : 86400, &v)) {
				rc = VG_EXIT_USAGE;
				goto out;
			}
			if (c == 'b')
				dt.batch_max = (size_t)v;
			else if (c == 'l')
				dt.flush_ms = v;
			else
				dt.ioc_poll_ms = v * 1000;
			break;
		default: rc = vg_cli_usage(cli, NULL, "detect"); goto out;
		}
	}
	if (!dt.nrules && !dt.niocs && !dt.platform_iocs) {
		fprintf(stderr, "%s: detect: give at least one -r RULES, -i IOCS or --platform-iocs\n", cli->prog);
		rc = vg_cli_usage(cli, NULL, "detect");
		goto out;
	}
	if (!(dt.pend = calloc(dt.batch_max, sizeof *dt.pend))) {
		rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
		goto out;
	}
	/* alerts: dedup window and fingerprints */
	if ((e = vg_alerts_cfg_new(cli->cfg.alert_dedup_window_s * 1000, &dt.acfg)) ||
	    (e = vg_alerts_cfg_set_default_fields(dt.acfg, cli->cfg.alert_fingerprint_fields, &d))) {
		rc = vg_cli_fail(cli, e, &d);
		goto out;
	}
	for (size_t i = 0; i < nfps; i++)
		if ((e = vg_alerts_cfg_set_rule_fields(dt.acfg, fps[i], &d))) {
			rc = vg_cli_fail(cli, e, &d);
			goto out;
		}
	if ((rc = vg_cli_open_db(cli, &dt.db)))
		goto out;
	/* the ruleset (after the database: the platform's IOCs come from it) */
	dt.data_version = vg_db_data_version(dt.db);
	if ((e = build(&dt, &dt.rs, &dt.gen, &d))) {
		rc = vg_cli_fail(cli, e, &d);
		goto out;
	}
	if (!(dt.sc = vg_detect_scratch_new(dt.rs))) {
		rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
		goto out;
	}
	vg_detect_scratch_set_ioc(dt.sc, on_ioc_hit, &dt);
	if (dt.nthreads > 1 && (!(dt.par = vg_detect_par_new(dt.nthreads, PLATFORM_SOURCE)) ||
				vg_detect_par_use(dt.par, dt.rs))) {
		rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
		goto out;
	}
	for (size_t i = 0; !cli->quiet && i < vg_ruleset_problem_count(dt.rs); i++) {
		char msg[800];
		vg_diag_format(vg_ruleset_problem(dt.rs, i), msg, sizeof msg);
		fprintf(stderr, "%s: detect: %s\n", cli->prog, msg);
	}
	if (vg_ruleset_corr_count(dt.rs)) {
		if (!(dt.corr = vg_corr_state_new(dt.rs))) {
			rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
			goto out;
		}
		vg_corr_state_use_wall_clock(dt.corr, true); /* syslog lines without a time: arrival time */
	}
	if ((e = vg_registry_new(&dt.reg))) {
		rc = vg_cli_fail(cli, e, NULL);
		goto out;
	}
	/* the listeners: a bad address or a port in use is fatal at start */
	if ((nudp || ntcp) && (e = vg_syslog_server_new(&dt.srv))) {
		rc = vg_cli_fail(cli, e, NULL);
		goto out;
	}
	for (size_t i = 0; i < nudp + ntcp; i++)
		if ((e = vg_syslog_server_listen(dt.srv, i >= nudp, i < nudp ? udp[i] : tcp[i - nudp], &d))) {
			rc = vg_cli_fail(cli, e, &d);
			goto out;
		}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	sig_set = true;
	dt.last_flush_ms = dt.last_poll_ms = (int64_t)(vg_time_mono_ns() / 1000000);
	dt.feed = (vg_detect_feed){.io = input_opts(&dt), .cli = cli, .errors = &dt.errors};
	/* positional inputs: read once (any format the hunt reads); "-" = stdin, followed */
	for (int i = optind; i < argc && !stop_flag && !dt.failed; i++) {
		vg_input_opts io = input_opts(&dt);
		vg_input_stats st = {0};
		if (!strcmp(argv[i], "-")) {
			use_stdin = true;
			continue;
		}
		if ((e = vg_input_read(argv[i], &io, &st, &d))) {
			char msg[800];
			vg_diag_format(&d, msg, sizeof msg);
			fprintf(stderr, "%s: %s\n", cli->prog, msg);
			dt.errors++;
		}
	}
	par_drain(&dt);
	if (optind == argc && nfollow == 0 && !dt.srv)
		use_stdin = true;
	if (use_stdin) {
		stdin_src = (int)nsrc;
		srcs[nsrc++] = (vg_detect_source){.path = "-", .fd = STDIN_FILENO, .fmt = dt.format};
	}
	for (size_t i = 0; i < nsrc; i++)
		if (srcs[i].follow)
			vg_detect_source_open(&dt.feed, &srcs[i], !from_start);
	/* the loop: until stopped, or until standard input ends when nothing else is live */
	while (!stop_flag && !dt.failed) {
		int64_t now, wait;
		bool live = nfollow > 0 || dt.srv;
		for (size_t i = 0; i < nsrc; i++) {
			vg_detect_source *s = &srcs[i];
			if (s->follow) {
				vg_detect_follow_check(&dt.feed, s);
				while (!s->blob && !stop_flag && !dt.failed && vg_detect_source_read(&dt.feed, s) > 0)
					;
			} else if (!s->eof) {
				live = true;
			}
		}
		par_drain(&dt); /* before any wait: the events read so far are matched now */
		if (!live)
			break;
		if (stdin_src >= 0 && srcs[stdin_src].eof)
			stdin_src = -1;
		now = (int64_t)(vg_time_mono_ns() / 1000000);
		if (reload_flag) {
			reload_flag = 0;
			reload(&dt, "SIGHUP");
		}
		poll_iocs(&dt, now);
		if (dt.npend && now - dt.last_flush_ms >= dt.flush_ms)
			flush(&dt);
		wait = dt.npend ? dt.flush_ms - (now - dt.last_flush_ms) : 1000;
		if ((nfollow || dt.platform_iocs) && wait > 250)
			wait = 250;
		if (wait < 1)
			wait = 1;
		wait_and_serve(&dt, srcs, nsrc, stdin_src, wait);
	}
	for (size_t i = 0; i < nsrc; i++)
		if (srcs[i].len)
			vg_detect_source_drain(&dt.feed, &srcs[i], true);
	par_drain(&dt);
	if (dt.corr && !dt.failed) /* end of input: windows decided on close (lt, lte, eq, neq) */
		vg_corr_flush(dt.corr, on_corr_hit, &dt);
	if (!dt.failed && flush(&dt))
		rc = VG_EXIT_FAIL;
	if (dt.failed)
		rc = VG_EXIT_FAIL;
	if (!cli->quiet) {
		if (cli->json)
			printf("{\"events\":%" PRIu64 ",\"hits\":%" PRIu64 ",\"correlation_hits\":%" PRIu64
			       ",\"ioc_hits\":%" PRIu64
			       ",\"alerts_created\":%" PRIu64 ",\"alerts_deduplicated\":%" PRIu64
			       ",\"batches\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"reloads\":%" PRIu64
			       ",\"reload_failures\":%" PRIu64 ",\"syslog_messages\":%" PRIu64
			       ",\"syslog_malformed\":%" PRIu64 "}\n",
			       dt.events, dt.hits, dt.corr_hits, dt.ioc_hits, dt.alerts_new, dt.alerts_bumped, dt.batches, dt.errors,
			       dt.reloads, dt.reload_failures, dt.net.messages, dt.net.malformed);
		else
			fprintf(stderr,
				"%s: detect: %" PRIu64 " events, %" PRIu64 " hits, %" PRIu64 " IOC hits, %" PRIu64
				" new alerts, %" PRIu64 " deduplicated, %" PRIu64 " errors\n",
				cli->prog, dt.events, dt.hits, dt.ioc_hits, dt.alerts_new, dt.alerts_bumped, dt.errors);
	}
out:
	if (sig_set) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
	}
	for (size_t i = 0; srcs && i < nsrc; i++) {
		if (srcs[i].follow)
			vg_detect_source_close(&srcs[i]);
		free(srcs[i].buf);
	}
	for (size_t i = 0; dt.pend && i < dt.npend; i++)
		vg_pending_hit_fini(&dt.pend[i]);
	free(dt.pend);
	vg_syslog_server_free(dt.srv);
	vg_registry_free(dt.reg);
	if (dt.db)
		vg_db_close(dt.db);
	vg_alerts_cfg_free(dt.acfg);
	vg_corr_state_free(dt.corr);
	vg_detect_par_free(dt.par);
	vg_detect_scratch_free(dt.sc);
	vg_ruleset_free(dt.rs);
	free(slots);
	free(srcs);
	return rc;
}
