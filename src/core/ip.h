/* IPv4/IPv6 addresses and CIDR prefixes with canonical text forms.
 * IPv4 is dotted-quad without leading zeros; IPv6 is RFC 5952 (lower case,
 * longest zero run compressed). An IPv4-mapped IPv6 address stays IPv6. */
#ifndef VG_CORE_IP_H
#define VG_CORE_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define VG_IP_STRLEN 46   /* INET6_ADDRSTRLEN */
#define VG_CIDR_STRLEN 50

typedef struct vg_ip {
	uint8_t family;    /* 4 or 6 */
	uint8_t bytes[16]; /* network order; IPv4 uses bytes[0..3] */
} vg_ip;

typedef struct vg_cidr {
	vg_ip addr;     /* host bits are zero */
	uint8_t prefix; /* 0..32 or 0..128 */
} vg_cidr;

/* Parse an address. len 0 means s is NUL-terminated (strnlen): a caller
 * holding an empty slice of unterminated memory must not call with len 0. */
vg_err vg_ip_parse(const char *s, size_t len, vg_ip *out, vg_diag *d);
/* Parse "addr/len" or a bare address (a host prefix). With strict, host bits
 * set beyond the prefix are an error; otherwise they are cleared. */
vg_err vg_cidr_parse(const char *s, size_t len, bool strict, vg_cidr *out, vg_diag *d);
char *vg_ip_format(const vg_ip *ip, char *out, size_t outsz);
char *vg_cidr_format(const vg_cidr *c, char *out, size_t outsz);
bool vg_cidr_contains(const vg_cidr *c, const vg_ip *ip);
/* Does a contain b (b equal to or more specific than a)? */
bool vg_cidr_covers(const vg_cidr *a, const vg_cidr *b);
/* Host address bits: 32 or 128. */
static inline unsigned vg_ip_bits(const vg_ip *ip)
{
	return ip->family == 4 ? 32u : 128u;
}
/* Bit i (0 = most significant) of the address. */
static inline unsigned vg_ip_bit(const vg_ip *ip, unsigned i)
{
	return (ip->bytes[i >> 3] >> (7 - (i & 7))) & 1u;
}
/* Is this address private, loopback, link-local, documentation or otherwise
 * not globally routable? */
bool vg_ip_is_special(const vg_ip *ip);

#endif
