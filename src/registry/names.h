/* Validators and normalisers for the identifiers the registry stores: domain
 * names, e-mail addresses, AS numbers, OpenPGP fingerprints.
 *
 * Every function takes the field name used in diagnostics ("domains[2]",
 * "contacts[0].email"); it may be NULL. Output buffers are NUL-terminated. */
#ifndef VG_REGISTRY_NAMES_H
#define VG_REGISTRY_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h"

/* Output sizes (with the NUL). */
#define VG_DOMAIN_BUF (VG_DOMAIN_MAX + 1)
#define VG_EMAIL_BUF (VG_EMAIL_MAX + 1)
#define VG_PGP_FPR_BUF 41

/* Domain / FQDN: ASCII only (already-punycoded xn-- labels accepted, UTF-8
 * refused with a message saying to punycode it), lower-cased, one trailing dot
 * stripped, labels of 1..63 letters/digits/hyphens not starting or ending with
 * '-', total <= 253, at least two labels unless allow_single_label, IP
 * literals refused. len 0 = strlen(s). */
vg_err vg_domain_normalize(const char *s, size_t len, bool allow_single_label, char *out, size_t outsz,
			   const char *field, vg_diag *d);

/* E-mail "local@domain": local part 1..64 bytes of printable ASCII without
 * spaces, quotes, '@', '<', '>', ',' ';' or '\'; domain normalised as above.
 * The whole address is lower-cased (the registry compares case-insensitively). */
vg_err vg_email_normalize(const char *s, size_t len, char *out, size_t outsz, const char *field, vg_diag *d);

/* "AS64500", "as64500", "AS 64500" or "64500": 1..4294967295. len 0 = strlen(s). */
vg_err vg_asn_parse(const char *s, size_t len, uint32_t *out, const char *field, vg_diag *d);

/* 40 hex digits (v4 fingerprint), spaces allowed anywhere, optional "0x";
 * output: upper-case hex, no spaces. */
vg_err vg_pgp_fpr_normalize(const char *s, char *out, size_t outsz, const char *field, vg_diag *d);

#endif
