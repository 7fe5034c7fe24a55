/* The platform's observables flagged as IOCs (ioc = 1, common = 0), as an
 * indicator source for the detection engine (vigie detect --platform-iocs).
 * This module does not depend on src/detect: it hands over CSV text in the
 * layout the IOC loader reads ("value,type,id", detect's type names, the
 * observable id in the id column). */
#ifndef VG_OBSERVE_IOC_SOURCE_H
#define VG_OBSERVE_IOC_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

/* A cheap fingerprint of the IOC set: count, sum and maximum of the ids of the
 * flagged observables (one scan of the partial index observables_ioc).
 * Flagging, unflagging or marking common any observable changes it (ids are
 * never reused). */
typedef struct vg_obs_ioc_gen {
	int64_t count, id_sum, id_max;
} vg_obs_ioc_gen;
vg_err vg_obs_ioc_generation(vg_db *db, vg_obs_ioc_gen *out, vg_diag *d);

/* Append "value,type,id" lines (with a header) for every observable with
 * ioc = 1 and common = 0 whose type the engine matches (IPs and CIDRs as ip,
 * domain, url, email, hashes, filename/user_agent/string as string; cve and
 * asn are not event values and are left out). *n: lines written;
 * *skipped: flagged observables of the other types. */
vg_err vg_obs_ioc_export_csv(vg_db *db, vg_buf *out, size_t *n, size_t *skipped, vg_diag *d);

#endif
