/* Shared by the observe module's files; not part of its public interface. */
#ifndef VG_OBSERVE_INTERNAL_H
#define VG_OBSERVE_INTERNAL_H

#include "observe/observe.h"

/* Strip ASCII white space at both ends. */
void vg_obs_trim(const char **s, size_t *len);
bool vg_obs_utf8_valid(const char *s, size_t len);
int vg_obs_hexval(unsigned char c);
/* Domain with IDNA (UTF-8 -> punycode when built with libidn2). */
vg_err vg_obs_domain(const char *s, size_t len, bool allow_single, char *out, size_t outsz, const char *field,
		     vg_diag *d);
/* The host of a normalised URL (without brackets for IPv6) into out. */
bool vg_obs_url_host(const char *url, char *out, size_t outsz);

#endif
