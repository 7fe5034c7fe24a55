/* The registry holder: the process's current index snapshot, rebuilt and
 * swapped when meta.registry_gen changes (see index.h). */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/log.h"
#include "registry/index.h"

static int64_t ix_gen(const vg_regindex *ix)
{
	vg_regindex_stats st;
	vg_regindex_stats_get(ix, &st);
	return st.gen;
}

static int64_t ix_build_ms(const vg_regindex *ix)
{
	vg_regindex_stats st;
	vg_regindex_stats_get(ix, &st);
	return st.build_ms;
}

/* ---------------------------------------------------------------- holder */

struct vg_registry {
	pthread_mutex_t lock;  /* guards cur */
	pthread_mutex_t build; /* one rebuild at a time */
	vg_regindex *cur;
};

vg_err vg_registry_new(vg_registry **out)
{
	vg_registry *r = calloc(1, sizeof *r);
	*out = NULL;
	if (!r)
		return VG_ERR_NOMEM;
	pthread_mutex_init(&r->lock, NULL);
	pthread_mutex_init(&r->build, NULL);
	*out = r;
	return VG_OK;
}

void vg_registry_free(vg_registry *reg)
{
	if (!reg)
		return;
	vg_regindex_release(reg->cur);
	pthread_mutex_destroy(&reg->lock);
	pthread_mutex_destroy(&reg->build);
	free(reg);
}

void vg_registry_invalidate(vg_registry *reg)
{
	vg_regindex *old;
	if (!reg)
		return;
	pthread_mutex_lock(&reg->lock);
	old = reg->cur;
	reg->cur = NULL;
	pthread_mutex_unlock(&reg->lock);
	vg_regindex_release(old);
}

static vg_regindex *current_if(vg_registry *reg, int64_t gen, bool any)
{
	vg_regindex *r = NULL;
	pthread_mutex_lock(&reg->lock);
	if (reg->cur && (any || ix_gen(reg->cur) == gen))
		r = vg_regindex_ref(reg->cur);
	pthread_mutex_unlock(&reg->lock);
	return r;
}

vg_regindex *vg_registry_acquire(vg_registry *reg, vg_db *db)
{
	static const char *const sql = "SELECT value FROM meta WHERE key = 'registry_gen'";
	vg_regindex *r, *fresh = NULL, *old;
	vg_stmt *st;
	vg_diag d;
	int64_t gen = -1;
	int rc;

	if (!reg || !db)
		return NULL;
	vg_diag_clear(&d);
	if (vg_db_prepare(db, sql, &st, &d) == VG_OK) {
		rc = vg_stmt_step(st, &d);
		if (rc == VG_ROW)
			gen = vg_stmt_int(st, 0);
		vg_stmt_done(st);
	}
	if (gen < 0) {
		VG_WARN("registry index: cannot read registry_gen: %s", d.message);
		return current_if(reg, 0, true);
	}
	if ((r = current_if(reg, gen, false)))
		return r;
	if (vg_db_in_write_tx(db)) {
		/* may see uncommitted rows: build privately, never publish */
		if (vg_regindex_build(db, &fresh, &d) == VG_OK)
			return fresh;
		VG_WARN("registry index: rebuild failed: %s", d.message);
		return current_if(reg, 0, true);
	}
	pthread_mutex_lock(&reg->build);
	if ((r = current_if(reg, gen, false))) {
		pthread_mutex_unlock(&reg->build);
		return r;
	}
	if (vg_regindex_build(db, &fresh, &d) != VG_OK) {
		pthread_mutex_unlock(&reg->build);
		VG_WARN("registry index: rebuild failed: %s", d.message);
		return current_if(reg, 0, true);
	}
	VG_DEBUG("registry index: rebuilt at generation %" PRId64 " in %" PRId64 " ms", ix_gen(fresh), ix_build_ms(fresh));
	pthread_mutex_lock(&reg->lock);
	old = reg->cur;
	reg->cur = vg_regindex_ref(fresh);
	pthread_mutex_unlock(&reg->lock);
	pthread_mutex_unlock(&reg->build);
	vg_regindex_release(old);
	return fresh;
}
