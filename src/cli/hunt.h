/* vigie hunt, internal: the work shared between the reader, the workers
 * (cmd_hunt.c) and the output formatting (hunt_output.c). */
#ifndef VG_CLI_HUNT_H
#define VG_CLI_HUNT_H
#include <pthread.h>
#include <stdio.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "detect/input.h"
#include "detect/ioc.h"
#include "detect/sigma.h"

#define HUNT_THREADS_MAX 64
#define HUNT_BATCH_BYTES (1024 * 1024) /* records handed to a worker at once */
#define HUNT_BATCH_RECORDS 2048
#define HUNT_QUEUE_MAX 8 /* batches in flight per worker: bounds memory */
typedef enum { FMT_TABLE, FMT_JSONL, FMT_CSV } out_format;

typedef struct batch {
	struct batch *next;
	uint64_t seq; /* dequeue order = input order: correlations are fed in it */
	vg_buf data; /* records back to back */
	size_t n;
	size_t off[HUNT_BATCH_RECORDS], len[HUNT_BATCH_RECORDS];
	uint64_t number[HUNT_BATCH_RECORDS];
	uint8_t kind[HUNT_BATCH_RECORDS];
	char source[512];
} batch;

typedef struct hunt {
	vg_cli *cli;
	vg_ruleset *rs;
	out_format fmt;
	FILE *out;
	pthread_mutex_t lock; /* queue, output, counters */
	pthread_cond_t more, room;
	batch *head, *tail, *cur;
	size_t queued, queue_max;
	bool done;
	uint64_t events, bad_events, hits, ioc_hits;
	uint64_t ioc_by_type[VG_IOC__COUNT];
	uint64_t *rule_hits; /* per rule */
	/* correlation rules: one state fed by the workers under corr_lock, batch
	 * after batch in input order (corr_turn: the next batch to feed) */
	vg_corr_state *corr;
	pthread_mutex_t corr_lock;
	pthread_cond_t corr_cv;
	uint64_t next_seq, corr_turn;
	uint64_t *corr_rule_hits; /* per correlation rule (under corr_lock) */
	uint64_t corr_hits, silent_hits;
	uint64_t total_bytes;
	vg_input_stats st;
	uint64_t start_ns, last_draw_ns;
	bool tty_progress;
	bool progress_shown; /* a progress line is on the terminal (under lock) */
	bool out_tty;        /* hits go to the same terminal */
	bool header_done;
} hunt;

typedef struct worker_ctx {
	hunt *h;
	vg_detect_scratch *sc;
	vg_buf line;
	const char *source;
	uint64_t number;
	/* indicators only: events are matched in batches (vg_ioc_batch), and
	 * their hits reported after the batch; the hit's event is then this
	 * record's text (else the scratch's current event) */
	vg_ioc_batch *iocb;
	const char *ev_text;
	size_t ev_len;
	uint64_t *rule_hits;
	uint64_t hits, ioc_hits;
	uint64_t ioc_by_type[VG_IOC__COUNT];
	uint64_t corr_hits, silent_hits;
	vg_corr_event **cev; /* this batch's hits for the correlations, fed in turn */
	size_t ncev, capcev;
} worker_ctx;

/* Output of one hit into w->line, in the run's format (hunt_output.c). */
void vg_hunt_format_hit(worker_ctx *w, const vg_hit *hit);
void vg_hunt_format_corr_hit(worker_ctx *w, const vg_corr_hit *hit);
void vg_hunt_format_ioc_hit(worker_ctx *w, const vg_ioc_hit *hit);

#endif
