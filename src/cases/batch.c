/* Group commit (see cases.h, vg_group_commit_run). */
#include <pthread.h>
#include <stddef.h>

#include "cases/cases.h"
#include "core/limits.h"

static pthread_mutex_t gc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gc_cond = PTHREAD_COND_INITIALIZER;
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
		if (j->e)
			fn(NULL, j, false); /* tell the job it failed (db NULL) */
	}
}

void vg_group_commit_run(vg_db *db, vg_gc_job *job, vg_gc_fn fn)
{
	job->done = false;
	job->next = NULL;
	pthread_mutex_lock(&gc_lock);
	if (gc_tail)
		gc_tail->next = job;
	else
		gc_head = job;
	gc_tail = job;
	while (!job->done) {
		if (!gc_running) {
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
				j = next;
			}
			gc_running = false;
			pthread_cond_broadcast(&gc_cond);
		} else {
			pthread_cond_wait(&gc_cond, &gc_lock);
		}
	}
	pthread_mutex_unlock(&gc_lock);
}
