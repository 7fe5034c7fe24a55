/* vigie detect's hits on their way to alerts, and its matching on several
 * threads (detect_par.c). */
#ifndef VG_CLI_DETECT_PAR_H
#define VG_CLI_DETECT_PAR_H

#include <stdbool.h>
#include <stdint.h>

#include "alerts/alerts.h"
#include "detect/input.h"
#include "detect/ioc.h"
#include "detect/sigma.h"

/* A hit waiting for the next alert batch; every string is owned here. */
typedef struct vg_pending_hit {
	const vg_rule_info *rule; /* NULL: an IOC hit (ioc set) */
	vg_hit_field *fields;
	size_t nfields;
	char *event;
	int64_t at;
	vg_alert_ioc ioc;
} vg_pending_hit;

/* Zero p, stamp it now, copy the event's JSON (NULL: none). */
void vg_pending_hit_init(vg_pending_hit *p, const char *event);
void vg_pending_hit_fini(vg_pending_hit *p);
/* Fill p (zeroed here) from a rule's hit or an IOC hit; event: the event's JSON (copied). */
void vg_pending_hit_rule(vg_pending_hit *p, const vg_hit *hit, const char *event);
void vg_pending_hit_ioc(vg_pending_hit *p, const vg_ioc_hit *hit, const char *event, const char *platform_source);

/* Matching on N threads: records are copied into a round; when it is full the
 * threads match their share of it, each with its own scratch of the one
 * ruleset, while the reading thread fills the next round; results come back
 * on the reading thread in input order, so that correlation windows and alert
 * batches see events as they were read. When the input pauses everything held
 * is matched and reported. */
typedef struct vg_detect_par vg_detect_par;

typedef struct vg_par_out {
	/* a record was matched: n hits, or < 0 with error saying why; source
	 * NULL: a problem of the round, not of a record (not an event) */
	void (*record)(void *ctx, const char *source, uint64_t number, int n, const char *error);
	/* one hit, in order: p to take (or NULL for a rule that only feeds
	 * correlations), cev to feed to correlations (or NULL); both are the
	 * callee's to free */
	void (*hit)(void *ctx, vg_pending_hit *p, vg_corr_event *cev, bool ioc);
	void *ctx;
} vg_par_out;

/* nthreads >= 2; platform_source: the IOC source name of the platform's observables. */
vg_detect_par *vg_detect_par_new(size_t nthreads, const char *platform_source);
void vg_detect_par_free(vg_detect_par *p);
/* The ruleset to match with (at start and after a reload; the batch must be empty). */
vg_err vg_detect_par_use(vg_detect_par *p, const vg_ruleset *rs);
/* Copy a record into the round being filled; when it is full the threads
 * start on it (the reading thread goes on filling the other round), and the
 * round they were matching before is reported first. */
void vg_detect_par_add(vg_detect_par *p, const vg_record *rec, const vg_par_out *out);
/* Match and report everything held, in order (before a wait, a reload, the end). */
void vg_detect_par_run(vg_detect_par *p, const vg_par_out *out);

#endif
