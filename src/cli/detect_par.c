/* vigie detect: pending hits (what an alert is made of) and matching on
 * several threads. A batch of copied records is cut into one contiguous share
 * per thread; each thread matches its share with its own scratch of the
 * shared, read-only ruleset and keeps what the hits need (the pending alert,
 * and a copy for correlations); the calling thread then reports records and
 * hits in input order. docs/internals/detect.md, "vigie detect". */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli/detect_par.h"
#include "core/clock.h"
#include "core/limits.h"

void vg_pending_hit_fini(vg_pending_hit *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nfields; i++) {
		free((char *)p->fields[i].name);
		free((char *)p->fields[i].value);
	}
	const char *own[] = {p->event, p->ioc.value, p->ioc.type, p->ioc.source, p->ioc.ref, p->ioc.field,
			     p->ioc.field_value};
	for (size_t i = 0; i < sizeof own / sizeof *own; i++)
		free((char *)own[i]);
	free(p->fields);
	memset(p, 0, sizeof *p);
}

void vg_pending_hit_init(vg_pending_hit *p, const char *event)
{
	memset(p, 0, sizeof *p);
	p->at = vg_time_now_ms();
	p->event = event ? strdup(event) : NULL;
}

void vg_pending_hit_rule(vg_pending_hit *p, const vg_hit *hit, const char *event)
{
	vg_pending_hit_init(p, event);
	p->rule = hit->rule;
	if (hit->nfields && (p->fields = calloc(hit->nfields, sizeof *p->fields)))
		for (size_t i = 0; i < hit->nfields; i++) {
			p->fields[i].name = strdup(hit->fields[i].name ? hit->fields[i].name : "");
			p->fields[i].value = strndup(hit->fields[i].value ? hit->fields[i].value : "",
						     hit->fields[i].value ? hit->fields[i].value_len : 0);
			p->fields[i].value_len = p->fields[i].value ? strlen(p->fields[i].value) : 0;
			p->nfields++;
		}
}

void vg_pending_hit_ioc(vg_pending_hit *p, const vg_ioc_hit *hit, const char *event, const char *platform_source)
{
	const vg_ioc_info *i = hit->ioc;
	char ref[300];
	vg_pending_hit_init(p, event);
	p->ioc.value = strdup(i->value);
	p->ioc.type = strdup(vg_ioc_type_name(i->type));
	p->ioc.source = strdup(i->file);
	if (!strcmp(i->file, platform_source))
		p->ioc.observable_id = strtoll(i->id, NULL, 10);
	if (i->id[0])
		snprintf(ref, sizeof ref, "%s", i->id);
	else
		snprintf(ref, sizeof ref, "%s:%u", i->file, i->line);
	p->ioc.ref = strdup(ref);
	p->ioc.field = strdup(hit->field);
	p->ioc.field_value = strndup(hit->value, hit->value_len);
	p->ioc.field_value_len = p->ioc.field_value ? strlen(p->ioc.field_value) : 0;
}

/* ---- matching on several threads ---- */

typedef struct par_hit {
	vg_pending_hit p;
	bool has_p; /* false: the rule only feeds correlations */
	bool ioc;
	vg_corr_event *cev;
} par_hit;

typedef struct par_rec {
	char *data;
	size_t len;
	vg_record_kind kind;
	char *source;
	uint64_t number;
	int n;       /* hits, or < 0 */
	char *error; /* when n < 0 */
	size_t worker, hit0, nhits;
} par_rec;

typedef struct par_round {
	par_rec *recs;
	size_t nrecs, bytes;
	bool running; /* its threads are matching it */
	pthread_t tid[VG_DETECT_THREADS_MAX];
	bool started[VG_DETECT_THREADS_MAX];
} par_round;

typedef struct par_worker {
	vg_detect_par *par;
	vg_detect_scratch *sc;
	par_round *rd; /* the round it matches */
	size_t from, to;
	par_hit *hits;
	size_t nhits, cap;
	bool lost; /* a hit could not be kept (memory) */
} par_worker;

/* Two rounds: one is filled by the reading thread while the threads match
 * the other; the older is always reported first. */
struct vg_detect_par {
	size_t nthreads;
	const char *platform_source;
	const vg_ruleset *rs;
	bool corr;
	par_worker *w;
	par_round round[2];
	int fill; /* the round records are copied into */
};

static void round_clear(par_round *rd)
{
	for (size_t i = 0; rd->recs && i < rd->nrecs; i++) {
		free(rd->recs[i].data);
		free(rd->recs[i].source);
		free(rd->recs[i].error);
	}
	rd->nrecs = 0;
	rd->bytes = 0;
}

vg_detect_par *vg_detect_par_new(size_t nthreads, const char *platform_source)
{
	vg_detect_par *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->nthreads = nthreads < 2 ? 2 : nthreads > VG_DETECT_THREADS_MAX ? VG_DETECT_THREADS_MAX : nthreads;
	p->platform_source = platform_source;
	p->w = calloc(p->nthreads, sizeof *p->w);
	p->round[0].recs = calloc(VG_DETECT_PAR_RECORDS, sizeof(par_rec));
	p->round[1].recs = calloc(VG_DETECT_PAR_RECORDS, sizeof(par_rec));
	if (!p->w || !p->round[0].recs || !p->round[1].recs) {
		vg_detect_par_free(p);
		return NULL;
	}
	return p;
}

static void scratches_free(vg_detect_par *p)
{
	for (size_t i = 0; i < p->nthreads; i++) {
		vg_detect_scratch_free(p->w[i].sc);
		p->w[i].sc = NULL;
	}
}

static void round_join(vg_detect_par *p, par_round *rd)
{
	for (size_t t = 0; t < p->nthreads; t++)
		if (rd->started[t]) {
			pthread_join(rd->tid[t], NULL);
			rd->started[t] = false;
		}
	rd->running = false;
}

void vg_detect_par_free(vg_detect_par *p)
{
	if (!p)
		return;
	for (int r = 0; r < 2; r++) {
		if (p->round[r].running)
			round_join(p, &p->round[r]); /* its results are dropped */
		round_clear(&p->round[r]);
		free(p->round[r].recs);
	}
	if (p->w) {
		scratches_free(p);
		for (size_t i = 0; i < p->nthreads; i++) {
			for (size_t k = 0; k < p->w[i].nhits; k++) {
				vg_pending_hit_fini(&p->w[i].hits[k].p);
				vg_corr_event_free(p->w[i].hits[k].cev);
			}
			free(p->w[i].hits);
		}
	}
	free(p->w);
	free(p);
}

static par_hit *hit_slot(par_worker *w)
{
	if (w->nhits == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 64;
		par_hit *n = realloc(w->hits, nc * sizeof *n);
		if (!n) {
			w->lost = true;
			return NULL;
		}
		w->hits = n;
		w->cap = nc;
	}
	par_hit *h = &w->hits[w->nhits++];
	memset(h, 0, sizeof *h);
	return h;
}

static void on_hit(void *ctx, const vg_hit *hit)
{
	par_worker *w = ctx;
	bool corr = w->par->corr && hit->rule->feeds_correlation;
	if (!corr && hit->rule->correlation_only)
		return;
	par_hit *h = hit_slot(w);
	if (!h)
		return;
	if (corr)
		h->cev = vg_corr_event_new(w->par->rs, w->sc, hit);
	if (!hit->rule->correlation_only) {
		vg_pending_hit_rule(&h->p, hit, vg_detect_event_json(w->sc));
		h->has_p = true;
	}
}

static void on_ioc_hit(void *ctx, const vg_ioc_hit *hit)
{
	par_worker *w = ctx;
	par_hit *h = hit_slot(w);
	if (!h)
		return;
	vg_pending_hit_ioc(&h->p, hit, vg_detect_event_json(w->sc), w->par->platform_source);
	h->has_p = true;
	h->ioc = true;
}

vg_err vg_detect_par_use(vg_detect_par *p, const vg_ruleset *rs)
{
	if (p->round[0].nrecs || p->round[1].nrecs || p->round[0].running || p->round[1].running)
		return VG_ERR_INTERNAL;
	scratches_free(p);
	p->rs = rs;
	p->corr = vg_ruleset_corr_count(rs) > 0;
	for (size_t i = 0; i < p->nthreads; i++) {
		p->w[i].par = p;
		if (!(p->w[i].sc = vg_detect_scratch_new(rs))) {
			scratches_free(p);
			return VG_ERR_NOMEM;
		}
		vg_detect_scratch_set_ioc(p->w[i].sc, on_ioc_hit, &p->w[i]);
	}
	return VG_OK;
}

static void *work(void *arg)
{
	par_worker *w = arg;
	for (size_t i = w->from; i < w->to; i++) {
		par_rec *r = &w->rd->recs[i];
		vg_diag d;
		r->worker = (size_t)(w - w->par->w);
		r->hit0 = w->nhits;
		if (r->data) {
			vg_diag_clear(&d);
			r->n = r->kind == VG_RECORD_JSON ? vg_detect_json(w->sc, r->data, r->len, on_hit, w, &d)
							 : vg_detect_xml(w->sc, r->data, r->len, on_hit, w, &d);
			if (r->n < 0) {
				char msg[800];
				vg_diag_format(&d, msg, sizeof msg);
				r->error = strdup(msg);
			}
		}
		r->nhits = w->nhits - r->hit0;
	}
	return NULL;
}

/* Start the threads on a round (a share whose thread cannot start is matched here). */
static void round_start(vg_detect_par *p, par_round *rd)
{
	size_t n = rd->nrecs, per = (n + p->nthreads - 1) / p->nthreads;
	for (size_t t = 0; t < p->nthreads; t++) {
		par_worker *w = &p->w[t];
		w->rd = rd;
		w->from = t * per < n ? t * per : n;
		w->to = (t + 1) * per < n ? (t + 1) * per : n;
		w->nhits = 0;
		w->lost = false;
		rd->started[t] = false;
		if (w->from < w->to && !(rd->started[t] = pthread_create(&rd->tid[t], NULL, work, w) == 0))
			work(w);
	}
	rd->running = true;
}

/* Wait for a round's threads, then report it in input order. */
static void round_finish(vg_detect_par *p, par_round *rd, const vg_par_out *out)
{
	round_join(p, rd);
	for (size_t i = 0; i < rd->nrecs; i++) {
		par_rec *r = &rd->recs[i];
		par_worker *w = &p->w[r->worker];
		out->record(out->ctx, r->source, r->number, r->n, r->error);
		for (size_t k = r->hit0; k < r->hit0 + r->nhits; k++) {
			par_hit *h = &w->hits[k];
			out->hit(out->ctx, h->has_p ? &h->p : NULL, h->cev, h->ioc);
		}
	}
	for (size_t t = 0; t < p->nthreads; t++) {
		if (p->w[t].lost)
			out->record(out->ctx, NULL, 0, -1, "out of memory: hits lost");
		p->w[t].nhits = 0; /* reported: their contents are the callee's */
	}
	round_clear(rd);
}

void vg_detect_par_add(vg_detect_par *p, const vg_record *rec, const vg_par_out *out)
{
	par_round *rd = &p->round[p->fill], *other = &p->round[!p->fill];
	par_rec *r = &rd->recs[rd->nrecs];
	memset(r, 0, sizeof *r);
	r->data = malloc(rec->len ? rec->len : 1);
	r->source = strdup(rec->source ? rec->source : "");
	if (!r->data || !r->source) {
		free(r->data);
		free(r->source);
		r->data = NULL;
		r->source = NULL;
		r->n = -1; /* reported in order, as a record that could not be read */
		r->error = strdup("out of memory");
	} else {
		memcpy(r->data, rec->data, rec->len);
	}
	r->len = rec->len;
	r->kind = rec->kind;
	r->number = rec->number;
	rd->nrecs++;
	rd->bytes += rec->len;
	if (rd->nrecs < VG_DETECT_PAR_RECORDS && rd->bytes < VG_DETECT_PAR_BYTES)
		return;
	/* full: report the round in flight, set this one going, fill the other */
	if (other->running)
		round_finish(p, other, out);
	round_start(p, rd);
	p->fill = !p->fill;
}

void vg_detect_par_run(vg_detect_par *p, const vg_par_out *out)
{
	par_round *rd = &p->round[p->fill], *other = &p->round[!p->fill];
	if (other->running)
		round_finish(p, other, out);
	if (rd->nrecs) {
		round_start(p, rd);
		round_finish(p, rd, out);
	}
}
