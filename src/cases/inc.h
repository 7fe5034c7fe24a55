/* The incident row in memory (src/cases internal). */
#ifndef VG_CASES_INC_H
#define VG_CASES_INC_H

#include <stdint.h>

#include "cases/cases.h"

typedef struct vg_inc {
	int64_t id;
	char reference[VG_REF_MAX];
	char *title, *description;          /* malloc'd */
	int64_t org_id, assignee_id;        /* 0 = none */
	const char *taxonomy, *type;        /* static (RSIT table) */
	int severity, tlp, pap, status;     /* indices into the vocabularies */
	int impact[3];                      /* C, I, A */
	int64_t systems_affected, users_affected;
	int64_t created_at, updated_at, detected_at, awareness_at, acknowledged_at, first_advice_at, closed_at;
	int64_t nis2_ew_at, nis2_notif_at, nis2_final_at;
	int64_t paused_ms, paused_since, merged_into;
} vg_inc;

vg_err vg_inc_load(vg_db *db, int64_t id, vg_inc *x, vg_diag *d);
void vg_inc_free(vg_inc *x);

#endif
