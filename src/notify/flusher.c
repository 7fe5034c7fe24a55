/* A background thread that flushes the outbox every interval, with its own
 * pooled connection, for `vigie serve`. Stopping wakes it at once. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"
#include "notify/notify.h"

struct vg_outbox_flusher {
	vg_db_pool *pool;
	vg_notify_config cfg;
	int interval_s;
	bool stop;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
};

static void *run(void *arg)
{
	vg_outbox_flusher *f = arg;
	pthread_mutex_lock(&f->mu);
	while (!f->stop) {
		struct timespec ts;
		int sent = 0, failed = 0;
		vg_diag d;
		vg_db *db;
		pthread_mutex_unlock(&f->mu);
		db = vg_db_pool_get(f->pool);
		if (vg_outbox_flush(db, &f->cfg, 0, &sent, &failed, &d) != VG_OK)
			vg_log(VG_LOG_WARN, "outbox flush: %s", d.message);
		else if (sent || failed)
			vg_log(VG_LOG_INFO, "outbox flush: %d sent, %d not delivered", sent, failed);
		vg_db_pool_put(f->pool, db);
		pthread_mutex_lock(&f->mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += f->interval_s;
		while (!f->stop && pthread_cond_timedwait(&f->cv, &f->mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&f->mu);
	return NULL;
}

vg_err vg_outbox_flusher_start(vg_db_pool *pool, const vg_notify_config *c, int interval_s, vg_outbox_flusher **out,
			       vg_diag *d)
{
	vg_outbox_flusher *f = calloc(1, sizeof *f);
	*out = NULL;
	if (!f)
		return vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	f->pool = pool;
	f->cfg = *c;
	f->interval_s = interval_s > 0 ? interval_s : 60;
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->cv, NULL);
	if (pthread_create(&f->th, NULL, run, f)) {
		pthread_mutex_destroy(&f->mu);
		pthread_cond_destroy(&f->cv);
		free(f);
		return vg_diag_set(d, VG_ERR_INTERNAL, NULL, "cannot start the outbox thread");
	}
	*out = f;
	return VG_OK;
}

void vg_outbox_flusher_stop(vg_outbox_flusher *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->mu);
	f->stop = true;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mu);
	pthread_join(f->th, NULL);
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->cv);
	free(f);
}
