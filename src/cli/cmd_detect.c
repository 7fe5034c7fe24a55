/* vigie detect: run Sigma rules continuously over standard input and followed
 * files (tail -F: reopened when rotated or truncated) and write the hits into
 * the platform's database as alerts, attributed through the registry and
 * deduplicated (src/alerts), one transaction per batch with its audit entry.
 * A batch is written when it is full or after --flush-ms, whichever comes
 * first, so an alert reaches the API within about a second. SIGINT/SIGTERM:
 * the pending batch is written and the command exits 0. */
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
#include <unistd.h>

#include "alerts/alerts.h"
#include "audit/audit.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "detect/input.h"
#include "detect/sigma.h"
#include "registry/index.h"

#define DETECT_BATCH_DEFAULT 500
#define DETECT_BATCH_MAX 100000
#define DETECT_FLUSH_MS_DEFAULT 1000
#define DETECT_FOLLOW_MAX 64
#define DETECT_BUF_MAX (8u * 1024 * 1024) /* one event may not exceed this (oversized: skipped) */
#define DETECT_READ_CHUNK 65536

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

typedef struct pending_hit {
	const vg_rule_info *rule;
	vg_hit_field *fields;
	size_t nfields;
	char *event;
	int64_t at;
} pending_hit;

typedef struct source {
	const char *path; /* "-" = stdin */
	int fd;
	bool follow, eof;
	dev_t dev;
	ino_t ino;
	off_t off;
	char *buf;
	size_t len, cap;
	uint64_t recno;
} source;

typedef struct detect {
	vg_cli *cli;
	vg_db *db;
	vg_ruleset *rs;
	vg_detect_scratch *sc;
	vg_alerts_cfg *acfg;
	vg_registry *reg;
	pending_hit *pend;
	size_t npend, batch_max;
	int64_t last_flush_ms, flush_ms;
	uint64_t events, hits, alerts_new, alerts_bumped, errors, batches;
	bool failed;
} detect;

static void pending_free(pending_hit *p)
{
	for (size_t i = 0; i < p->nfields; i++) {
		free((char *)p->fields[i].name);
		free((char *)p->fields[i].value);
	}
	free(p->fields);
	free(p->event);
	memset(p, 0, sizeof *p);
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
		pending_hit *p = &dt->pend[i];
		vg_hit h = {.rule = p->rule, .fields = p->fields, .nfields = p->nfields};
		int64_t id;
		bool c;
		if (!(e = vg_alert_record(dt->db, dt->acfg, ix, &h, p->event, p->at, cap, &id, &c, &d))) {
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
		pending_free(&dt->pend[i]);
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

static void on_hit(void *ctx, const vg_hit *hit)
{
	detect *dt = ctx;
	pending_hit *p;
	const char *ev;
	if (dt->failed)
		return;
	dt->hits++;
	p = &dt->pend[dt->npend];
	memset(p, 0, sizeof *p);
	p->rule = hit->rule;
	p->at = vg_time_now_ms();
	ev = vg_detect_event_json(dt->sc);
	p->event = ev ? strdup(ev) : NULL;
	if (hit->nfields && (p->fields = calloc(hit->nfields, sizeof *p->fields))) {
		for (size_t i = 0; i < hit->nfields; i++) {
			p->fields[i].name = strdup(hit->fields[i].name ? hit->fields[i].name : "");
			p->fields[i].value = strndup(hit->fields[i].value ? hit->fields[i].value : "",
						     hit->fields[i].value ? hit->fields[i].value_len : 0);
			p->fields[i].value_len = p->fields[i].value ? strlen(p->fields[i].value) : 0;
			p->nfields++;
		}
	}
	dt->npend++;
	if (dt->npend == dt->batch_max)
		flush(dt);
}

static bool on_record(void *ctx, const vg_record *rec)
{
	detect *dt = ctx;
	vg_diag d;
	int n;
	vg_diag_clear(&d);
	dt->events++;
	n = rec->kind == VG_RECORD_JSON ? vg_detect_json(dt->sc, rec->data, rec->len, on_hit, dt, &d)
					: vg_detect_xml(dt->sc, rec->data, rec->len, on_hit, dt, &d);
	if (n < 0) {
		char msg[800];
		dt->errors++;
		vg_diag_format(&d, msg, sizeof msg);
		if (!dt->cli->quiet)
			fprintf(stderr, "%s: %s:%" PRIu64 ": %s\n", dt->cli->prog, rec->source, rec->number, msg);
	}
	return !dt->failed && !stop_flag;
}

static void on_input_problem(void *ctx, const vg_diag *d)
{
	detect *dt = ctx;
	char msg[800];
	dt->errors++;
	if (dt->cli->quiet)
		return;
	vg_diag_format(d, msg, sizeof msg);
	fprintf(stderr, "%s: %s\n", dt->cli->prog, msg);
}

static void source_close(source *s)
{
	if (s->fd > 0)
		close(s->fd);
	s->fd = -1;
}

/* Open (or reopen after rotation) a followed file; missing files are retried. */
static void source_open(source *s, bool at_end)
{
	struct stat st;
	int fd = open(s->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (fstat(fd, &st)) {
		close(fd);
		return;
	}
	s->fd = fd;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->off = 0;
	s->len = 0;
	if (at_end && lseek(fd, 0, SEEK_END) > 0)
		s->off = st.st_size;
}

/* Split what is buffered into events; keep a trailing partial event. */
static void source_drain(detect *dt, source *s, bool final)
{
	vg_input_opts o = {.record = on_record, .problem = on_input_problem, .ctx = dt, .progress = NULL};
	vg_input_stats st = {0};
	bool stop = false;
	size_t used = vg_input_split_json(s->buf, s->len, final, s->path, &s->recno, &o, &st, &stop);
	if (used > s->len)
		used = s->len;
	memmove(s->buf, s->buf + used, s->len - used);
	s->len -= used;
	if (final || s->len >= DETECT_BUF_MAX) {
		if (s->len && !final) {
			dt->errors++;
			if (!dt->cli->quiet)
				fprintf(stderr, "%s: %s: event larger than %u bytes skipped\n", dt->cli->prog, s->path,
					DETECT_BUF_MAX);
		}
		s->len = 0;
	}
}

/* Read what is available; returns bytes read (0 at EOF / nothing new). */
static ssize_t source_read(detect *dt, source *s)
{
	ssize_t n;
	if (s->fd < 0)
		return 0;
	if (s->cap - s->len < DETECT_READ_CHUNK) {
		size_t nc = s->cap ? s->cap * 2 : 4 * DETECT_READ_CHUNK;
		char *nb = realloc(s->buf, nc + 1);
		if (!nb)
			return -1;
		s->buf = nb;
		s->cap = nc;
	}
	n = read(s->fd, s->buf + s->len, DETECT_READ_CHUNK);
	if (n > 0) {
		s->len += (size_t)n;
		s->off += n;
		source_drain(dt, s, false);
	}
	return n;
}

/* tail -F: a followed file that was replaced (other inode) or truncated is
 * read to its end, then reopened from the start. */
static void follow_check(detect *dt, source *s)
{
	struct stat st;
	if (s->fd < 0) {
		source_open(s, false);
		return;
	}
	if (stat(s->path, &st))
		return; /* removed: keep the old descriptor until a new file appears */
	if (st.st_dev != s->dev || st.st_ino != s->ino || st.st_size < s->off) {
		while (source_read(dt, s) > 0)
			;
		source_drain(dt, s, true);
		source_close(s);
		source_open(s, false);
	}
}

static const struct option detect_opts[] = {
	{"rules", required_argument, NULL, 'r'},      {"mapping", required_argument, NULL, 'm'},
	{"follow", required_argument, NULL, 'F'},     {"fingerprint", required_argument, NULL, 'p'},
	{"batch", required_argument, NULL, 'b'},      {"flush-ms", required_argument, NULL, 'l'},
	{"from-start", no_argument, NULL, 's'},       {NULL, 0, NULL, 0},
};

static void print_problem(void *ctx, const vg_diag *d)
{
	vg_cli *cli = ctx;
	char msg[800];
	if (d->code == VG_OK || cli->quiet)
		return;
	vg_diag_format(d, msg, sizeof msg);
	fprintf(stderr, "%s: %s\n", cli->prog, msg);
}

int vg_cmd_detect(vg_cli *cli, int argc, char **argv)
{
	char **rules = calloc((size_t)argc + 1, sizeof(char *)), **maps = calloc((size_t)argc + 1, sizeof(char *));
	char **fps = calloc((size_t)argc + 1, sizeof(char *));
	source *srcs = calloc((size_t)argc + 2, sizeof(source));
	size_t nrules = 0, nmaps = 0, nfps = 0, nsrc = 0, nfollow = 0;
	detect dt = {.cli = cli, .batch_max = DETECT_BATCH_DEFAULT, .flush_ms = DETECT_FLUSH_MS_DEFAULT};
	vg_load_report rep = {.problem = print_problem, .ctx = cli};
	struct sigaction sa, old_int, old_term;
	bool from_start = false, use_stdin = false, sig_set = false;
	int rc = VG_EXIT_OK, c;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	stop_flag = 0;
	if (!rules || !maps || !fps || !srcs) {
		rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
		goto out;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:m:F:p:b:l:s", detect_opts, NULL)) != -1) {
		switch (c) {
		case 'r': rules[nrules++] = optarg; break;
		case 'm': maps[nmaps++] = optarg; break;
		case 'p': fps[nfps++] = optarg; break;
		case 's': from_start = true; break;
		case 'F':
			if (nfollow == DETECT_FOLLOW_MAX) {
				fprintf(stderr, "%s: at most %d --follow files\n", cli->prog, DETECT_FOLLOW_MAX);
				rc = VG_EXIT_USAGE;
				goto out;
			}
			srcs[nsrc++] = (source){.path = optarg, .fd = -1, .follow = true};
			nfollow++;
			break;
		case 'b':
		case 'l': {
			char *end;
			long long v = strtoll(optarg, &end, 10);
			if (*end || v < 1 || v > (c == 'b' ? DETECT_BATCH_MAX : 60000)) {
				fprintf(stderr, "%s: --%s must be between 1 and %d\n", cli->prog, c == 'b' ? "batch" : "flush-ms",
					c == 'b' ? DETECT_BATCH_MAX : 60000);
				rc = VG_EXIT_USAGE;
				goto out;
			}
			if (c == 'b')
				dt.batch_max = (size_t)v;
			else
				dt.flush_ms = v;
			break;
		}
		default: rc = vg_cli_usage(cli, NULL, "detect"); goto out;
		}
	}
	if (!nrules) {
		fprintf(stderr, "%s: detect: give at least one -r RULES\n", cli->prog);
		rc = vg_cli_usage(cli, NULL, "detect");
		goto out;
	}
	if (!(dt.pend = calloc(dt.batch_max, sizeof *dt.pend))) {
		rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
		goto out;
	}
	/* the ruleset */
	if (!(dt.rs = vg_ruleset_new())) {
		rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
		goto out;
	}
	for (size_t i = 0; i < nmaps; i++)
		if ((e = vg_ruleset_load_mapping(dt.rs, maps[i], &d))) {
			rc = vg_cli_fail(cli, e, &d);
			goto out;
		}
	for (size_t i = 0; i < nrules; i++)
		if ((e = vg_ruleset_load_path(dt.rs, rules[i], &rep))) {
			vg_diag_set(&d, e, NULL, "cannot read rules from %s", rules[i]);
			rc = vg_cli_fail(cli, e, &d);
			goto out;
		}
	if ((e = vg_ruleset_compile(dt.rs, &d))) {
		rc = vg_cli_fail(cli, e, &d);
		goto out;
	}
	if (rep.loaded == 0) {
		vg_diag_set(&d, VG_ERR_INVALID, "rules", "no detection rule loaded (%zu refused)", rep.rejected);
		rc = vg_cli_fail(cli, VG_ERR_INVALID, &d);
		goto out;
	}
	if (!(dt.sc = vg_detect_scratch_new(dt.rs))) {
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
	if ((e = vg_registry_new(&dt.reg))) {
		rc = vg_cli_fail(cli, e, NULL);
		goto out;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sig_set = true;
	dt.last_flush_ms = (int64_t)(vg_time_mono_ns() / 1000000);
	/* positional inputs: read once (any format the hunt reads); "-" = stdin, followed */
	for (int i = optind; i < argc && !stop_flag && !dt.failed; i++) {
		vg_input_opts io = {.record = on_record, .problem = on_input_problem, .ctx = &dt, .progress = NULL};
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
	if (optind == argc && nfollow == 0)
		use_stdin = true;
	if (use_stdin)
		srcs[nsrc++] = (source){.path = "-", .fd = STDIN_FILENO};
	for (size_t i = 0; i < nsrc; i++)
		if (srcs[i].follow)
			source_open(&srcs[i], !from_start);
	/* the loop: until stopped, or until standard input ends when nothing is followed */
	while (!stop_flag && !dt.failed && nsrc > 0) {
		struct pollfd pfd = {.fd = -1, .events = POLLIN};
		int64_t now, wait;
		bool live = nfollow > 0;
		for (size_t i = 0; i < nsrc; i++) {
			source *s = &srcs[i];
			if (s->follow) {
				follow_check(&dt, s);
				while (!stop_flag && !dt.failed && source_read(&dt, s) > 0)
					;
			} else if (!s->eof) {
				live = true;
				pfd.fd = s->fd;
			}
		}
		if (!live)
			break;
		now = (int64_t)(vg_time_mono_ns() / 1000000);
		if (dt.npend && now - dt.last_flush_ms >= dt.flush_ms)
			flush(&dt);
		wait = dt.npend ? dt.flush_ms - (now - dt.last_flush_ms) : 1000;
		if (nfollow && wait > 250)
			wait = 250;
		if (wait < 1)
			wait = 1;
		if (poll(pfd.fd >= 0 ? &pfd : NULL, pfd.fd >= 0 ? 1 : 0, (int)wait) > 0 && pfd.fd >= 0) {
			for (size_t i = 0; i < nsrc; i++) {
				source *s = &srcs[i];
				ssize_t n;
				if (s->follow || s->eof)
					continue;
				n = source_read(&dt, s);
				if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
					source_drain(&dt, s, true);
					s->eof = true;
				}
			}
		}
	}
	for (size_t i = 0; i < nsrc; i++)
		if (srcs[i].len)
			source_drain(&dt, &srcs[i], true);
	if (!dt.failed && flush(&dt))
		rc = VG_EXIT_FAIL;
	if (dt.failed)
		rc = VG_EXIT_FAIL;
	if (!cli->quiet) {
		if (cli->json)
			printf("{\"events\":%" PRIu64 ",\"hits\":%" PRIu64 ",\"alerts_created\":%" PRIu64
			       ",\"alerts_deduplicated\":%" PRIu64 ",\"batches\":%" PRIu64 ",\"errors\":%" PRIu64 "}\n",
			       dt.events, dt.hits, dt.alerts_new, dt.alerts_bumped, dt.batches, dt.errors);
		else
			fprintf(stderr,
				"%s: detect: %" PRIu64 " events, %" PRIu64 " hits, %" PRIu64 " new alerts, %" PRIu64
				" deduplicated, %" PRIu64 " errors\n",
				cli->prog, dt.events, dt.hits, dt.alerts_new, dt.alerts_bumped, dt.errors);
	}
out:
	if (sig_set) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	for (size_t i = 0; srcs && i < nsrc; i++) {
		if (srcs[i].follow)
			source_close(&srcs[i]);
		free(srcs[i].buf);
	}
	for (size_t i = 0; dt.pend && i < dt.npend; i++)
		pending_free(&dt.pend[i]);
	free(dt.pend);
	vg_registry_free(dt.reg);
	if (dt.db)
		vg_db_close(dt.db);
	vg_alerts_cfg_free(dt.acfg);
	vg_detect_scratch_free(dt.sc);
	vg_ruleset_free(dt.rs);
	free(rules);
	free(maps);
	free(fps);
	free(srcs);
	return rc;
}
