/* vigie hunt: Sigma rules and indicator sets (IOCs) over log files, folders
 * or standard input, with N worker threads sharing one compiled ruleset;
 *
 * The main thread reads and splits the inputs into batches of records; the
 * workers match them (each with its own scratch) and write hits under one
 * lock. Hits of rules that correlation rules reference are copied
 * (vg_corr_event) and fed to the one correlation state batch after batch in
 * input order, so that correlation windows see the events in the order they
 * were read whatever the number of threads. Output: a readable table on a terminal, else JSON lines (or CSV with
 * --format csv). Every hit carries the rule's id, title, level, author (the
 * Detection Rule License requires it), tags, the fields that matched and the
 * event. */
#include <dirent.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/hunt.h"
#include "cli/rules_load.h"
#include "core/buf.h"
#include "core/clock.h"
#include "detect/input.h"
#include "detect/ioc.h"
#include "detect/sigma.h"

/* Called under corr_lock (or after the workers ended, for the flush). */
static void on_corr_hit(void *ctx, const vg_corr_hit *hit)
{
	worker_ctx *w = ctx;
	w->h->corr_rule_hits[hit->rule->index]++;
	if (hit->rule->correlation_only)
		return; /* a link of a chain whose outer correlation says generate: false */
	w->corr_hits++;
	vg_hunt_format_corr_hit(w, hit);
}

static void on_hit(void *ctx, const vg_hit *hit)
{
	worker_ctx *w = ctx;
	hunt *h = w->h;
	if (hit->rule->feeds_correlation && h->corr) {
		/* copied now, fed when the batch's turn comes (input order) */
		vg_corr_event *ev = vg_corr_event_new(h->rs, w->sc, hit);
		if (ev && w->ncev == w->capcev) {
			size_t nc = w->capcev ? w->capcev * 2 : 64;
			vg_corr_event **n = realloc(w->cev, nc * sizeof(*n));
			if (n) {
				w->cev = n;
				w->capcev = nc;
			}
		}
		if (ev && w->ncev < w->capcev)
			w->cev[w->ncev++] = ev;
		else
			vg_corr_event_free(ev);
	}
	if (hit->rule->correlation_only) {
		w->silent_hits++; /* referenced by correlations without generate: true */
		return;
	}
	w->rule_hits[hit->rule->index]++;
	w->hits++;
	vg_hunt_format_hit(w, hit);
}

static void on_ioc_hit(void *ctx, const vg_ioc_hit *hit)
{
	worker_ctx *w = ctx;
	w->ioc_hits++;
	w->ioc_by_type[hit->ioc->type]++;
	vg_hunt_format_ioc_hit(w, hit);
}

/* ---- workers ---- */

static void bad_record(worker_ctx *w, const batch *b, size_t i, const vg_diag *d, uint64_t *bad)
{
	(*bad)++;
	if (!w->h->cli->quiet && *bad <= 10)
		fprintf(stderr, "%s: %s#%llu: %s\n", w->h->cli->prog, b->source, (unsigned long long)b->number[i],
			d->message);
}

/* Indicators only: the events of the IOC batch and the records they are. */
typedef struct ioc_run {
	worker_ctx *w;
	const batch *b;
	size_t rec[VG_IOC_BATCH_EVENTS];
} ioc_run;

static void on_batch_ioc_hit(void *ctx, size_t event, const vg_ioc_hit *hit)
{
	ioc_run *r = ctx;
	size_t i = r->rec[event];
	size_t n = r->b->len[i];
	const char *t = r->b->data.data + r->b->off[i];
	while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
		n--; /* as vg_detect_event_json gives it */
	r->w->number = r->b->number[i];
	r->w->ev_text = t;
	r->w->ev_len = n;
	on_ioc_hit(r->w, hit);
	r->w->ev_text = NULL;
}

/* The records of one batch, in order. With indicators and no rules, JSON
 * events go through the IOC batch (their lookups overlap), whose hits are
 * reported before any record that follows it is matched. */
static void match_records(worker_ctx *w, const batch *b, uint64_t *bad)
{
	ioc_run r = {.w = w, .b = b};
	for (size_t i = 0; i < b->n; i++) {
		vg_diag d;
		const char *rec = b->data.data + b->off[i];
		if (w->iocb && b->kind[i] == VG_RECORD_JSON) {
			int k = vg_ioc_batch_add_json(w->iocb, rec, b->len[i], &d);
			if (k < 0)
				bad_record(w, b, i, &d, bad);
			else
				r.rec[k] = i;
			if (vg_ioc_batch_full(w->iocb))
				vg_ioc_batch_run(w->iocb, on_batch_ioc_hit, &r);
			continue;
		}
		if (w->iocb)
			vg_ioc_batch_run(w->iocb, on_batch_ioc_hit, &r);
		w->number = b->number[i];
		int n = b->kind[i] == VG_RECORD_JSON ? vg_detect_json(w->sc, rec, b->len[i], on_hit, w, &d)
						     : vg_detect_xml(w->sc, rec, b->len[i], on_hit, w, &d);
		if (n < 0)
			bad_record(w, b, i, &d, bad);
	}
	if (w->iocb)
		vg_ioc_batch_run(w->iocb, on_batch_ioc_hit, &r);
}

static void *worker(void *arg)
{
	worker_ctx *w = arg;
	hunt *h = w->h;
	uint64_t events = 0, bad = 0, reported_hits = 0, reported_ioc = 0, reported_corr = 0;
	for (;;) {
		pthread_mutex_lock(&h->lock);
		while (!h->head && !h->done)
			pthread_cond_wait(&h->more, &h->lock);
		batch *b = h->head;
		if (b) {
			b->seq = h->next_seq++;
			h->head = b->next;
			if (!h->head)
				h->tail = NULL;
			h->queued--;
			pthread_cond_signal(&h->room);
		}
		pthread_mutex_unlock(&h->lock);
		if (!b)
			break;
		vg_buf_reset(&w->line);
		w->source = b->source;
		match_records(w, b, &bad);
		events += b->n;
		if (h->corr) {
			/* every batch takes its turn, with or without hits to feed */
			pthread_mutex_lock(&h->corr_lock);
			while (h->corr_turn != b->seq)
				pthread_cond_wait(&h->corr_cv, &h->corr_lock);
			for (size_t i = 0; i < w->ncev; i++) {
				vg_corr_feed_event(h->corr, w->cev[i], on_corr_hit, w);
				vg_corr_event_free(w->cev[i]);
			}
			w->ncev = 0;
			h->corr_turn++;
			pthread_cond_broadcast(&h->corr_cv);
			pthread_mutex_unlock(&h->corr_lock);
		}
		pthread_mutex_lock(&h->lock);
		if (w->line.len && h->progress_shown && h->out_tty) {
			fputs("\r\033[K", stderr); /* the hits replace the progress line */
			fflush(stderr);
			h->progress_shown = false;
		}
		if (w->line.len)
			fwrite(w->line.data, 1, w->line.len, h->out);
		h->events += events;
		h->bad_events += bad;
		h->hits += w->hits - reported_hits;
		reported_hits = w->hits;
		h->ioc_hits += w->ioc_hits - reported_ioc;
		reported_ioc = w->ioc_hits;
		h->corr_hits += w->corr_hits - reported_corr;
		reported_corr = w->corr_hits;
		events = bad = 0;
		pthread_mutex_unlock(&h->lock);
		vg_buf_fini(&b->data);
		free(b);
	}
	return NULL;
}

/* ---- reading ---- */

/* On a terminal (stderr), at most five times a second: bytes read (of the
 * total when the inputs are files), the rate in MB/s and events/s, hits. */
static void draw_progress(hunt *h, bool final)
{
	uint64_t now = vg_time_mono_ns();
	if (!h->tty_progress || (!final && now - h->last_draw_ns < 200000000ull))
		return;
	h->last_draw_ns = now;
	double secs = (double)(now - h->start_ns) / 1e9;
	uint64_t ev, hits;
	pthread_mutex_lock(&h->lock);
	ev = h->events;
	hits = h->hits + h->ioc_hits + h->corr_hits;
	h->progress_shown = !final;
	/* \r and erase the line: hits written to the same terminal start clean */
	fputs("\r\033[K", stderr);
	double mb = (double)h->st.bytes / 1e6, mbps = secs > 0 ? mb / secs : 0, evps = secs > 0 ? (double)ev / secs : 0;
	if (h->total_bytes) {
		double pct = 100.0 * (double)h->st.bytes / (double)h->total_bytes;
		if (pct > 100)
			pct = 100;
		int filled = (int)(pct / 100 * 24);
		char bar[25];
		for (int i = 0; i < 24; i++)
			bar[i] = i < filled ? '=' : ' ';
		bar[24] = 0;
		fprintf(stderr, "hunt [%s] %5.1f%%  %.1f/%.1f MB  %.1f MB/s  %.0f events/s  %llu hits", bar, pct, mb,
			(double)h->total_bytes / 1e6, mbps, evps, (unsigned long long)hits);
	} else {
		fprintf(stderr, "hunt %.1f MB  %.1f MB/s  %.0f events/s  %llu hits", mb, mbps, evps,
			(unsigned long long)hits);
	}
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&h->lock);
}

static void flush_batch(hunt *h)
{
	batch *b = h->cur;
	if (!b || !b->n)
		return;
	h->cur = NULL;
	pthread_mutex_lock(&h->lock);
	while (h->queued >= h->queue_max)
		pthread_cond_wait(&h->room, &h->lock);
	if (h->tail)
		h->tail->next = b;
	else
		h->head = b;
	h->tail = b;
	h->queued++;
	pthread_cond_signal(&h->more);
	pthread_mutex_unlock(&h->lock);
	draw_progress(h, false);
}

static bool on_record(void *ctx, const vg_record *rec)
{
	hunt *h = ctx;
	batch *b = h->cur;
	if (b && (b->n == HUNT_BATCH_RECORDS || b->data.len + rec->len > HUNT_BATCH_BYTES ||
		  strcmp(b->source, rec->source) != 0)) {
		flush_batch(h);
		b = NULL;
	}
	if (!b) {
		if (!(b = calloc(1, sizeof(*b))))
			return false;
		vg_buf_init(&b->data, 0);
		snprintf(b->source, sizeof(b->source), "%s", rec->source);
		h->cur = b;
	}
	b->off[b->n] = b->data.len;
	b->len[b->n] = rec->len;
	b->number[b->n] = rec->number;
	b->kind[b->n] = (uint8_t)rec->kind;
	if (vg_buf_append(&b->data, rec->data, rec->len))
		return false;
	b->n++;
	return true;
}

static void on_input_problem(void *ctx, const vg_diag *d)
{
	hunt *h = ctx;
	char msg[800];
	if (h->cli->quiet || h->st.errors > 20)
		return;
	vg_diag_format(d, msg, sizeof(msg));
	fprintf(stderr, "%s: %s\n", h->cli->prog, msg);
}

static void on_input_progress(void *ctx, const vg_input_stats *st)
{
	hunt *h = ctx;
	h->st.bytes = st->bytes;
	draw_progress(h, false);
}

static uint64_t path_bytes(const char *path, unsigned depth)
{
	struct stat sb;
	uint64_t total = 0;
	if (strcmp(path, "-") == 0 || stat(path, &sb) != 0 || depth > 32)
		return 0;
	if (S_ISREG(sb.st_mode))
		return (uint64_t)sb.st_size;
	if (!S_ISDIR(sb.st_mode))
		return 0;
	DIR *dir = opendir(path);
	struct dirent *de;
	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		char *full;
		if (de->d_name[0] == '.' || asprintf(&full, "%s/%s", path, de->d_name) < 0)
			continue;
		total += path_bytes(full, depth + 1);
		free(full);
	}
	closedir(dir);
	return total;
}

static const struct option hunt_opts[] = {
	{"rules", required_argument, NULL, 'r'},   {"iocs", required_argument, NULL, 'i'},
	{"mapping", required_argument, NULL, 'm'}, {"threads", required_argument, NULL, 't'},
	{"format", required_argument, NULL, 'f'},  {"verbose", no_argument, NULL, 'v'},
	{"ioc-fields", required_argument, NULL, 'F'}, {"ioc-type", required_argument, NULL, 'T'},
	{0, 0, 0, 0},
};

int vg_cmd_hunt(vg_cli *cli, int argc, char **argv)
{
	char **rules = calloc((size_t)argc + 1, sizeof(char *)), **maps = calloc((size_t)argc + 1, sizeof(char *));
	char **iocs = calloc((size_t)argc + 1, sizeof(char *)), **ifields = calloc((size_t)argc + 1, sizeof(char *));
	size_t nrules = 0, nmaps = 0, nthreads = 0, niocs = 0, nifields = 0;
	vg_ioc_type ioc_type = VG_IOC_NONE;
	vg_ioc_report irep = {0};
	hunt h = {.cli = cli, .out = stdout, .queue_max = HUNT_QUEUE_MAX};
	vg_cli_lint l = {.cli = cli};
	vg_load_report rep = {.problem = vg_cli_print_rule_problem, .ctx = &l};
	worker_ctx *w = NULL;
	pthread_t *tids = NULL;
	bool routed, fmt_set = false, started = false;
	int rc = VG_EXIT_OK, c;
	size_t nstarted = 0;
	vg_diag d;
	vg_err e;
	vg_diag_clear(&d);
	if (!rules || !maps || !iocs || !ifields) {
		rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
		goto out;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:i:m:t:f:vF:T:", hunt_opts, NULL)) != -1) {
		switch (c) {
		case 'r': rules[nrules++] = optarg; break;
		case 'm': maps[nmaps++] = optarg; break;
		case 'i': iocs[niocs++] = optarg; break;
		case 'F': ifields[nifields++] = optarg; break;
		case 'T':
			if (!(ioc_type = vg_ioc_type_parse(optarg, strlen(optarg)))) {
				fprintf(stderr, "%s: --ioc-type: ip, domain, url, md5, sha1, sha256, sha512, email or string\n",
					cli->prog);
				rc = VG_EXIT_USAGE;
				goto out;
			}
			break;
		case 't':
			nthreads = (size_t)atoi(optarg);
			if (nthreads < 1 || nthreads > HUNT_THREADS_MAX) {
				fprintf(stderr, "%s: --threads must be between 1 and %d\n", cli->prog, HUNT_THREADS_MAX);
				rc = VG_EXIT_USAGE;
				goto out;
			}
			break;
		case 'f':
			fmt_set = true;
			if (!strcmp(optarg, "table"))
				h.fmt = FMT_TABLE;
			else if (!strcmp(optarg, "jsonl") || !strcmp(optarg, "json"))
				h.fmt = FMT_JSONL;
			else if (!strcmp(optarg, "csv"))
				h.fmt = FMT_CSV;
			else {
				rc = vg_cli_usage(cli, NULL, "hunt");
				goto out;
			}
			break;
		case 'v': l.verbose = true; break;
		default: rc = vg_cli_usage(cli, NULL, "hunt"); goto out;
		}
	}
	if (!nrules && !niocs) {
		fprintf(stderr, "%s: hunt needs rules or indicators: -r FILE|FOLDER, -i FILE|FOLDER\n", cli->prog);
		rc = vg_cli_usage(cli, NULL, "hunt");
		goto out;
	}
	if (!fmt_set)
		h.fmt = cli->json || !isatty(STDOUT_FILENO) ? FMT_JSONL : FMT_TABLE;
	if (!nthreads) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		nthreads = cpus < 1 ? 1 : cpus > HUNT_THREADS_MAX ? HUNT_THREADS_MAX : (size_t)cpus;
	}
	/* rules */
	if (!(h.rs = vg_ruleset_new())) {
		rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
		goto out;
	}
	if ((rc = vg_cli_load_mappings(cli, h.rs, maps, nmaps, &routed)))
		goto out;
	if (!routed && !cli->quiet && nrules)
		fprintf(stderr, "%s: warning: no field mapping (--mapping): rules are not routed by logsource\n",
			cli->prog);
	for (size_t i = 0; i < nrules; i++)
		if ((e = vg_ruleset_load_path(h.rs, rules[i], &rep))) {
			vg_diag_set(&d, e, NULL, "cannot read rules from %s", rules[i]);
			rc = vg_cli_fail(cli, e, &d);
			goto out;
		}
	if (niocs && (rc = vg_cli_load_iocs(cli, h.rs, ifields, nifields, iocs, niocs, ioc_type, &l, &irep)))
		goto out;
	if ((e = vg_ruleset_compile(h.rs, &d))) {
		rc = vg_cli_fail(cli, e, &d);
		goto out;
	}
	vg_ruleset_stats rst;
	vg_ruleset_stats_get(h.rs, &rst);
	size_t ncorr = vg_ruleset_corr_count(h.rs), corr_inactive = 0;
	for (size_t i = 0; i < vg_ruleset_problem_count(h.rs); i++)
		vg_cli_print_rule_problem(&l, vg_ruleset_problem(h.rs, i));
	for (size_t i = 0; i < ncorr; i++)
		corr_inactive += !vg_ruleset_corr_rule(h.rs, i)->active;
	if (!cli->quiet && nrules)
		fprintf(stderr, "%s: %zu rules loaded (%zu active for the mappings), %zu rejected, %zu warnings\n", cli->prog,
			rep.loaded, rst.active, rep.rejected, rep.warnings);
	if (!cli->quiet && ncorr)
		fprintf(stderr, "%s: %zu correlation rules (%zu cannot run)\n", cli->prog, ncorr, corr_inactive);
	if (ncorr) {
		h.corr = vg_corr_state_new(h.rs);
		h.corr_rule_hits = calloc(ncorr, sizeof(uint64_t));
		if (!h.corr || !h.corr_rule_hits) {
			rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
			goto out;
		}
	}
	if (!cli->quiet && niocs) {
		vg_ioc_stats ist;
		vg_ioc_stats_get(h.rs, &ist);
		fprintf(stderr,
			"%s: %zu indicators loaded from %zu files (%zu duplicates, %zu skipped, %zu rejected), %zu event fields, %.1f MB\n",
			cli->prog, irep.loaded, irep.files, irep.duplicates, irep.skipped, irep.rejected, ist.fields,
			(double)ist.bytes / 1e6);
	}
	/* workers; with indicators and no rules, events are matched in batches */
	bool ioc_only = niocs && !vg_ruleset_count(h.rs) && !h.corr;
	h.rule_hits = calloc(vg_ruleset_count(h.rs) + 1, sizeof(uint64_t));
	w = calloc(nthreads, sizeof(*w));
	tids = calloc(nthreads, sizeof(*tids));
	if (!h.rule_hits || !w || !tids) {
		rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
		goto out;
	}
	pthread_mutex_init(&h.lock, NULL);
	pthread_mutex_init(&h.corr_lock, NULL);
	pthread_cond_init(&h.corr_cv, NULL);
	pthread_cond_init(&h.more, NULL);
	pthread_cond_init(&h.room, NULL);
	started = true;
	h.queue_max = HUNT_QUEUE_MAX * nthreads;
	for (size_t i = 0; i < nthreads; i++) {
		w[i].h = &h;
		vg_buf_init(&w[i].line, 0);
		w[i].rule_hits = calloc(vg_ruleset_count(h.rs) + 1, sizeof(uint64_t));
		if (!w[i].rule_hits || !(w[i].sc = vg_detect_scratch_new(h.rs)) ||
		    (niocs && (vg_detect_scratch_set_ioc(w[i].sc, on_ioc_hit, &w[i]), false)) ||
		    (ioc_only && !(w[i].iocb = vg_ioc_batch_new(h.rs))) ||
		    pthread_create(&tids[i], NULL, worker, &w[i]) != 0) {
			rc = vg_cli_fail(cli, VG_ERR_NOMEM, NULL);
			break;
		}
		nstarted++;
	}
	if (h.fmt == FMT_CSV)
		fputs("rule_id,title,level,author,tags,source,record,matched\n", h.out);
	/* read */
	h.tty_progress = isatty(STDERR_FILENO) && !cli->quiet && getenv("VIGIE_NO_PROGRESS") == NULL;
	h.out_tty = isatty(STDOUT_FILENO);
	h.start_ns = vg_time_mono_ns();
	vg_input_opts io = {.record = on_record, .problem = on_input_problem, .ctx = &h, .progress = on_input_progress};
	int ninputs = argc - optind;
	for (int i = 0; i < (ninputs ? ninputs : 1); i++)
		h.total_bytes += path_bytes(ninputs ? argv[optind + i] : "-", 0);
	for (int i = 0; rc == VG_EXIT_OK && i < (ninputs ? ninputs : 1); i++) {
		const char *in = ninputs ? argv[optind + i] : "-";
		if ((e = vg_input_read(in, &io, &h.st, &d))) {
			char msg[800];
			vg_diag_format(&d, msg, sizeof(msg));
			fprintf(stderr, "%s: %s\n", cli->prog, msg);
			h.st.errors++;
		}
	}
	flush_batch(&h);
out:
	if (started) {
		pthread_mutex_lock(&h.lock);
		h.done = true;
		pthread_cond_broadcast(&h.more);
		pthread_mutex_unlock(&h.lock);
		for (size_t i = 0; i < nstarted; i++)
			pthread_join(tids[i], NULL);
		if (h.corr) {
			/* end of input: windows decided on close (lt, lte, eq, neq) */
			worker_ctx fw = {.h = &h, .source = ""};
			vg_buf_init(&fw.line, 0);
			vg_corr_flush(h.corr, on_corr_hit, &fw);
			if (fw.line.len)
				fwrite(fw.line.data, 1, fw.line.len, h.out);
			h.corr_hits += fw.corr_hits;
			vg_buf_fini(&fw.line);
		}
		for (size_t i = 0; i < nthreads; i++) {
			h.silent_hits += w[i].silent_hits;
			for (size_t k = 0; w[i].rule_hits && k < vg_ruleset_count(h.rs); k++)
				h.rule_hits[k] += w[i].rule_hits[k];
			for (int k = 0; k < VG_IOC__COUNT; k++)
				h.ioc_by_type[k] += w[i].ioc_by_type[k];
			free(w[i].rule_hits);
			for (size_t k = 0; k < w[i].ncev; k++)
				vg_corr_event_free(w[i].cev[k]);
			free(w[i].cev);
			vg_buf_fini(&w[i].line);
			vg_detect_scratch_free(w[i].sc);
			vg_ioc_batch_free(w[i].iocb);
		}
		draw_progress(&h, true);
		fflush(h.out);
		if (rc == VG_EXIT_OK && !cli->quiet) {
			FILE *s = h.fmt == FMT_TABLE ? stdout : stderr;
			double secs = (double)(vg_time_mono_ns() - h.start_ns) / 1e9;
			uint64_t by_level[VG_LEVEL__COUNT] = {0};
			for (size_t k = 0; k < vg_ruleset_count(h.rs); k++)
				by_level[vg_ruleset_rule(h.rs, k)->level] += h.rule_hits[k];
			fprintf(s, "\n%llu events read (%llu unreadable) from %llu files, %.1f MB in %.2f s (%.0f events/s, %zu threads)\n",
				(unsigned long long)h.events, (unsigned long long)(h.bad_events + h.st.errors),
				(unsigned long long)h.st.files, (double)h.st.bytes / 1e6, secs,
				secs > 0 ? (double)h.events / secs : 0, nthreads);
			if (nrules) {
				fprintf(s, "%llu hits:", (unsigned long long)h.hits);
				for (int lv = VG_LEVEL__COUNT - 1; lv >= 0; lv--)
					if (by_level[lv])
						fprintf(s, " %s %llu", lv ? vg_level_name((vg_level)lv) : "none",
							(unsigned long long)by_level[lv]);
				fputc('\n', s);
			}
			for (size_t k = 0, shown = 0; k < vg_ruleset_count(h.rs); k++) {
				const vg_rule_info *ri = vg_ruleset_rule(h.rs, k);
				if (!h.rule_hits[k])
					continue;
				if (shown++ == 50) {
					fprintf(s, "  ...\n");
					break;
				}
				fprintf(s, "  %8llu  %-13s %s (%s)\n", (unsigned long long)h.rule_hits[k], vg_level_name(ri->level),
					ri->title, ri->id);
			}
			if (h.corr) {
				vg_corr_stats cst;
				vg_corr_stats_get(h.corr, &cst);
				fprintf(s, "%llu correlation hits", (unsigned long long)h.corr_hits);
				if (h.silent_hits)
					fprintf(s, " (from %llu hits of rules that only feed correlations, not shown)",
						(unsigned long long)h.silent_hits);
				if (cst.late || cst.evicted || cst.overflow)
					fprintf(s, "; dropped: %llu late events, %llu groups over the limit, %llu events over the window limit",
						(unsigned long long)cst.late, (unsigned long long)cst.evicted,
						(unsigned long long)cst.overflow);
				fputc('\n', s);
				for (size_t k = 0; k < vg_ruleset_corr_count(h.rs); k++) {
					const vg_rule_info *ri = vg_ruleset_corr_rule(h.rs, k);
					if (h.corr_rule_hits[k])
						fprintf(s, "  %8llu  %-13s %s (%s, %s%s)\n", (unsigned long long)h.corr_rule_hits[k],
							vg_level_name(ri->level), ri->title, vg_ruleset_corr_type(h.rs, k), vg_cli_rule_ref(ri),
							ri->correlation_only ? ", feeds another correlation" : "");
				}
			}
			if (niocs) {
				fprintf(s, "%llu IOC hits:", (unsigned long long)h.ioc_hits);
				for (int k = 1; k < VG_IOC__COUNT; k++)
					if (h.ioc_by_type[k])
						fprintf(s, " %s %llu", vg_ioc_type_name((vg_ioc_type)k),
							(unsigned long long)h.ioc_by_type[k]);
				fputc('\n', s);
			}
		}
		pthread_mutex_destroy(&h.lock);
		pthread_mutex_destroy(&h.corr_lock);
		pthread_cond_destroy(&h.corr_cv);
		pthread_cond_destroy(&h.more);
		pthread_cond_destroy(&h.room);
	}
	if (h.cur) {
		vg_buf_fini(&h.cur->data);
		free(h.cur);
	}
	free(h.rule_hits);
	free(h.corr_rule_hits);
	vg_corr_state_free(h.corr);
	free(w);
	free(tids);
	vg_ruleset_free(h.rs);
	free(rules);
	free(maps);
	free(iocs);
	free(ifields);
	return rc;
}
