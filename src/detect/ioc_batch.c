/* Matching many events at once against the indicator sets (vg_ioc_batch):
 * up to VG_IOC_BATCH_EVENTS events are extracted, each into its own event
 * structure, then vg_ioc_match_multi looks all their keys up in one batch.
 * With a million indicators each lookup is a memory miss; one event has too
 * few of them to hide the latency, a batch of events has enough. */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "detect/ioc_int.h"

struct vg_ioc_batch {
	const vg_ruleset *rs;
	vg_ioc_scratch *sc;
	vg_event ev[VG_IOC_BATCH_EVENTS];
	size_t n, ninit;
};

vg_ioc_batch *vg_ioc_batch_new(const vg_ruleset *rs)
{
	vg_ioc_batch *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->rs = rs;
	if (!(b->sc = vg_ioc_scratch_new()))
		goto fail;
	for (; b->ninit < VG_IOC_BATCH_EVENTS; b->ninit++) {
		if (vg_event_init(&b->ev[b->ninit], rs)) {
			vg_event_fini(&b->ev[b->ninit]);
			goto fail;
		}
		vg_event_share_paths(&b->ev[b->ninit], &b->ev[0]); /* keys and key order learnt once */
	}
	return b;
fail:
	vg_ioc_batch_free(b);
	return NULL;
}

void vg_ioc_batch_free(vg_ioc_batch *b)
{
	if (!b)
		return;
	for (size_t i = b->ninit; i-- > 0;) /* the trie's owner, event 0, last */
		vg_event_fini(&b->ev[i]);
	vg_ioc_scratch_free(b->sc);
	free(b);
}

int vg_ioc_batch_add_json(vg_ioc_batch *b, const char *json, size_t len, vg_diag *d)
{
	if (b->n >= VG_IOC_BATCH_EVENTS) {
		vg_diag_set(d, VG_ERR_LIMIT, NULL, "batch full");
		return -1;
	}
	if (vg_event_from_json(&b->ev[b->n], b->rs, json, len, d))
		return -1;
	return (int)b->n++;
}

size_t vg_ioc_batch_count(const vg_ioc_batch *b)
{
	return b->n;
}

bool vg_ioc_batch_full(const vg_ioc_batch *b)
{
	return b->n >= VG_IOC_BATCH_EVENTS;
}

int vg_ioc_batch_run(vg_ioc_batch *b, vg_ioc_event_hit_fn fn, void *ctx)
{
	const vg_event *evp[VG_IOC_BATCH_EVENTS];
	for (size_t i = 0; i < b->n; i++)
		evp[i] = &b->ev[i];
	int hits = b->n ? vg_ioc_match_multi(b->sc, b->rs, evp, b->n, fn, ctx) : 0;
	b->n = 0;
	return hits;
}
