/* Group commit (see cases.h, vg_group_commit_run). */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cases/cases.h"
#include "core/limits.h"

static pthread_mutex_t gc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t writer_lock = PTHREAD_MUTEX_INITIALIZER;
static vg_db *writer;
static char writer_target[1024];
static vg_gc_job *gc_head, *gc_tail;
static bool gc_running;

static void run_batch(vg_db *db, vg_gc_job *batch, vg_gc_fn fn)
{
	vg_diag d;
	vg_err e;
	vg_gc_job *j;
	vg_diag_clear(&d);
	if (!(e = vg_db_begin(db, true, &d))) {
		for (j = batch; j && !e; j = j->next) {
			vg_diag_clear(&j->d);
			e = fn(db, j, true);
		}
		if (!e)
			e = vg_db_commit(db, &d);
		else
			vg_db_rollback(db);
		if (e && vg_db_in_tx(db)) /* a failed commit: the writer must not stay in it */
			vg_db_rollback(db);
		if (!e) {
			for (j = batch; j; j = j->next)
				j->e = VG_OK;
			return;
		}
	}
	/* one by one: each job commits or fails alone */
	for (j = batch; j; j = j->next) {
		vg_diag_clear(&j->d);
		if ((j->e = vg_db_begin(db, true, &j->d)))
			continue;
		if ((j->e = fn(db, j, false)))
			vg_db_rollback(db);
		else
			j->e = vg_db_commit(db, &j->d);
		if (j->e && vg_db_in_tx(db))
			vg_db_rollback(db);
		if (j->e)
			fn(NULL, j, false); /* tell the job it failed (db NULL) */
	}
}

/* Waking: each caller sleeps on its own condition variable; the leader wakes
 * only the callers of the batch it committed, plus the caller now at the
 * head of the queue (to lead the next batch). One shared condition
 * variable woke every waiting caller after each batch: with hundreds of
 * concurrent requests, hundreds of futile wake-ups per commit. */
static void wake(vg_gc_job *j)
{
	pthread_cond_signal((pthread_cond_t *)j->wake);
}

void vg_group_commit_run(vg_db *db, vg_gc_job *job, vg_gc_fn fn)
{
	pthread_cond_t cond;
	pthread_cond_init(&cond, NULL);
	job->done = false;
	job->next = NULL;
	job->wake = &cond;
	pthread_mutex_lock(&gc_lock);
	if (gc_tail)
		gc_tail->next = job;
	else
		gc_head = job;
	gc_tail = job;
	while (!job->done) {
		if (!gc_running && gc_head == job) {
			vg_gc_job *batch = gc_head, *last = gc_head, *j;
			int n = 1;
			while (last->next && n < VG_INCIDENT_BATCH_MAX) {
				last = last->next;
				n++;
			}
			gc_head = last->next;
			if (!gc_head)
				gc_tail = NULL;
			last->next = NULL;
			gc_running = true;
			pthread_mutex_unlock(&gc_lock);
			run_batch(db, batch, fn);
			pthread_mutex_lock(&gc_lock);
			for (j = batch; j;) {
				vg_gc_job *next = j->next;
				j->done = true;
				if (j != job)
					wake(j);
				j = next;
			}
			gc_running = false;
			if (gc_head)
				wake(gc_head); /* the next leader */
		} else {
			pthread_cond_wait(&cond, &gc_lock);
		}
	}
	pthread_mutex_unlock(&gc_lock);
	pthread_cond_destroy(&cond);
}

/* One connection runs every batch. SQLite discards a connection's page
 * cache (and, with mmap, unmaps the file) whenever it starts a transaction
 * after another connection wrote; when the leader's own pooled connection
 * ran the batch, nearly every batch started cold. The writer is opened once
 * and kept for the life of the process; it is used by one leader at a time
 * (gc_running, under gc_lock). */
vg_db *vg_group_commit_writer(const char *target, const vg_db_options *opts)
{
	vg_db *w = NULL;
	vg_diag d;
	/* an in-memory database is private to its connection: no second one */
	if (!target || !*target || strlen(target) >= sizeof writer_target || strstr(target, ":memory:") ||
	    strstr(target, "mode=memory"))
		return NULL;
	pthread_mutex_lock(&writer_lock);
	if (!writer && !writer_target[0]) {
		vg_db_options o = *opts;
		o.no_migrate = true;
		snprintf(writer_target, sizeof writer_target, "%s", target); /* one attempt */
		if (vg_db_open(target, &o, &writer, &d) != VG_OK)
			writer = NULL;
	}
	if (writer && strcmp(writer_target, target) == 0)
		w = writer;
	pthread_mutex_unlock(&writer_lock);
	return w;
}
