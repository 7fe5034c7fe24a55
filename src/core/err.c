#include "core/err.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int status;
} err_table[VG_ERR__COUNT] = {
	[VG_OK] = {"ok", 200},
	[VG_ERR_NOMEM] = {"no_memory", 503},
	[VG_ERR_INVALID] = {"invalid", 400},
	[VG_ERR_NOT_FOUND] = {"not_found", 404},
	[VG_ERR_CONFLICT] = {"conflict", 409},
	[VG_ERR_LIMIT] = {"too_large", 413},
	[VG_ERR_IO] = {"io", 500},
	[VG_ERR_DB] = {"database", 500},
	[VG_ERR_AUTH] = {"unauthenticated", 401},
	[VG_ERR_FORBIDDEN] = {"forbidden", 403},
	[VG_ERR_BUSY] = {"busy", 503},
	[VG_ERR_THROTTLED] = {"throttled", 429},
	[VG_ERR_UNSUPPORTED] = {"unsupported", 400},
	[VG_ERR_TIMEOUT] = {"timeout", 504},
	[VG_ERR_INTERNAL] = {"internal", 500},
};

const char *vg_err_name(vg_err e)
{
	if ((unsigned)e >= VG_ERR__COUNT)
		return "unknown";
	return err_table[e].name;
}

int vg_err_http_status(vg_err e)
{
	if ((unsigned)e >= VG_ERR__COUNT)
		return 500;
	return err_table[e].status;
}

void vg_diag_clear(vg_diag *d)
{
	if (!d)
		return;
	d->code = VG_OK;
	d->message[0] = d->field[0] = d->file[0] = '\0';
	d->line = 0;
}

vg_err vg_diag_vset(vg_diag *d, vg_err code, const char *field, const char *fmt, va_list ap)
{
	if (!d)
		return code;
	d->code = code;
	vsnprintf(d->message, sizeof d->message, fmt ? fmt : "", ap);
	snprintf(d->field, sizeof d->field, "%s", field ? field : "");
	return code;
}

vg_err vg_diag_set(vg_diag *d, vg_err code, const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vg_diag_vset(d, code, field, fmt, ap);
	va_end(ap);
	return code;
}

void vg_diag_at(vg_diag *d, const char *file, unsigned line)
{
	if (!d || d->line)
		return;
	d->line = line;
	if (file)
		snprintf(d->file, sizeof d->file, "%s", file);
}

void vg_diag_field_prefix(vg_diag *d, const char *prefix)
{
	char tmp[VG_DIAG_FIELD_MAX];
	if (!d || !prefix || !*prefix)
		return;
	if (d->field[0] == '\0' || d->field[0] == '[')
		snprintf(tmp, sizeof tmp, "%s%s", prefix, d->field);
	else
		snprintf(tmp, sizeof tmp, "%s.%s", prefix, d->field);
	memcpy(d->field, tmp, sizeof tmp);
}

void vg_diag_format(const vg_diag *d, char *out, size_t outsz)
{
	char loc[VG_DIAG_FILE_MAX + 16] = "";
	if (!outsz)
		return;
	if (d->line && d->file[0])
		snprintf(loc, sizeof loc, "%s:%u: ", d->file, d->line);
	else if (d->line)
		snprintf(loc, sizeof loc, "line %u: ", d->line);
	else if (d->file[0])
		snprintf(loc, sizeof loc, "%s: ", d->file);
	if (d->field[0])
		snprintf(out, outsz, "%s%s: %s", loc, d->field, d->message);
	else
		snprintf(out, outsz, "%s%s", loc, d->message);
}
