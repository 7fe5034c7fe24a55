/* Export of an incident for the victim: Markdown, HTML (cmark in safe mode:
 * raw HTML and javascript:/vbscript:/file:/data: links removed) and JSON. Only
 * visible journal entries; the document carries the TLP label; a RED incident
 * is exported only for named recipients. */
#include <cmark.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cases/inc.h"
#include "cases/internal.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/json.h"
#include "core/limits.h"

char *vg_markdown_html(const char *md)
{
	/* Since cmark 0.29 safe rendering is the default; CMARK_OPT_SAFE says so
	 * explicitly and CMARK_OPT_UNSAFE is never set. */
	return cmark_markdown_to_html(md ? md : "", md ? strlen(md) : 0, CMARK_OPT_SAFE);
}

static const char *tlp_label(int tlp)
{
	static const char *const l[] = {"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"};
	return tlp >= 0 && tlp <= VG_TLP_RED ? l[tlp] : "TLP:AMBER";
}

static const char *tlp_meaning(int tlp)
{
	switch (tlp) {
	case VG_TLP_CLEAR:
		return "Disclosure is not limited.";
	case VG_TLP_GREEN:
		return "Limited disclosure: the recipient may share within its community, not publicly.";
	case VG_TLP_AMBER:
		return "Limited disclosure: the recipient may share on a need-to-know basis within its organisation "
		       "and its clients.";
	case VG_TLP_AMBER_STRICT:
		return "Limited disclosure, restricted to the recipient's organisation only.";
	default:
		return "For the eyes and ears of the named recipients only; no further disclosure.";
	}
}

/* Markdown-escape a one-line value (table cells, headings). */
static void md_inline(vg_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r')
			vg_buf_putc(b, ' ');
		else {
			if (strchr("\\`*_{}[]()#+-.!|<>&", *s))
				vg_buf_putc(b, '\\');
			vg_buf_putc(b, *s);
		}
	}
}

static void time_cell(vg_buf *b, int64_t ms)
{
	char t[VG_TIME_STRLEN];
	vg_buf_puts(b, ms ? vg_time_format(ms, t, sizeof t, false) : "—");
}

static vg_err build_md(vg_db *db, const vg_inc *x, vg_buf *b, vg_diag *d)
{
	json_t *j = NULL, *items, *it;
	size_t i;
	vg_err e;

	vg_buf_printf(b, "**%s** — %s\n\n", tlp_label(x->tlp), tlp_meaning(x->tlp));
	vg_buf_puts(b, "# ");
	md_inline(b, x->reference);
	vg_buf_puts(b, " — ");
	md_inline(b, x->title);
	vg_buf_puts(b, "\n\n| | |\n|---|---|\n");
	vg_buf_printf(b, "| Reference | %s |\n| Status | %s |\n| Severity | %s |\n", x->reference,
		      vg_inc_status_names[x->status], vg_severity_names[x->severity]);
	vg_buf_printf(b, "| Classification (RSIT) | %s / %s |\n| TLP | %s |\n| PAP | PAP:%s |\n", x->taxonomy, x->type,
		      tlp_label(x->tlp), vg_pap_names[x->pap]);
	vg_buf_puts(b, "| Opened | ");
	time_cell(b, x->created_at);
	vg_buf_puts(b, " |\n| Detected | ");
	time_cell(b, x->detected_at);
	vg_buf_puts(b, " |\n| Closed | ");
	time_cell(b, x->closed_at);
	vg_buf_puts(b, " |\n\n## Description\n\n");
	vg_buf_puts(b, x->description[0] ? x->description : "_No description._");
	vg_buf_puts(b, "\n\n## Timeline\n\n");
	if ((e = vg_incident_journal_list(db, x->id, true, 0, VG_EXPORT_JOURNAL_MAX, &j, d)))
		return e;
	items = json_object_get(j, "items");
	if (json_array_size(items) == 0)
		vg_buf_puts(b, "_No entries._\n");
	json_array_foreach(items, i, it) {
		vg_buf_printf(b, "### %s — %s\n\n", json_string_value(json_object_get(it, "created_at")),
			      json_string_value(json_object_get(it, "kind")));
		vg_buf_puts(b, json_string_value(json_object_get(it, "body")));
		vg_buf_puts(b, "\n\n");
	}
	json_decref(j);
	vg_buf_printf(b, "---\n\n*%s — %s*\n", tlp_label(x->tlp), tlp_meaning(x->tlp));
	return VG_OK;
}

static void html_escape(vg_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': vg_buf_puts(b, "&lt;"); break;
		case '>': vg_buf_puts(b, "&gt;"); break;
		case '&': vg_buf_puts(b, "&amp;"); break;
		case '"': vg_buf_puts(b, "&quot;"); break;
		default: vg_buf_putc(b, *s);
		}
	}
}

vg_err vg_incident_export(vg_db *db, int64_t id, vg_export_format fmt, bool recipient_named, char **out,
			  size_t *len, vg_diag *d)
{
	return vg_incident_export_for(db, id, fmt, recipient_named, 0, out, len, d);
}

vg_err vg_incident_export_for(vg_db *db, int64_t id, vg_export_format fmt, bool recipient_named, int64_t viewer_org,
			      char **out, size_t *len, vg_diag *d)
{
	vg_inc x;
	vg_buf md, html;
	vg_err e;

	*out = NULL;
	if ((e = vg_inc_load(db, id, &x, d)))
		return e;
	if (x.tlp == VG_TLP_RED && !recipient_named) {
		vg_inc_free(&x);
		return vg_diag_set(d, VG_ERR_FORBIDDEN, "tlp",
				   "TLP:RED: exported only for named recipients (recipient=named)");
	}
	vg_buf_init(&md, 64 * 1024 * 1024);
	vg_buf_init(&html, 128 * 1024 * 1024);
	if (fmt == VG_EXPORT_JSON) {
		json_t *j = NULL;
		if (!(e = vg_incident_view_json(db, id, viewer_org, true, true, &j, d))) {
			json_object_set_new(j, "tlp_label", json_string(tlp_label(x.tlp)));
			json_object_set_new(j, "tlp_meaning", json_string(tlp_meaning(x.tlp)));
			json_object_del(j, "links");
			*out = json_dumps(j, JSON_INDENT(2));
			json_decref(j);
			e = *out ? VG_OK : VG_ERR_NOMEM;
		}
	} else if (!(e = build_md(db, &x, &md, d))) {
		if (fmt == VG_EXPORT_MD) {
			*out = vg_buf_steal(&md);
		} else {
			char *body = vg_markdown_html(vg_buf_cstr(&md));
			vg_buf_puts(&html, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>");
			html_escape(&html, x.reference);
			vg_buf_puts(&html, " — ");
			html_escape(&html, x.title);
			vg_buf_printf(&html, "</title>\n<meta name=\"tlp\" content=\"%s\">\n</head><body>\n", tlp_label(x.tlp));
			vg_buf_puts(&html, body ? body : "");
			vg_buf_puts(&html, "</body></html>\n");
			free(body);
			*out = vg_buf_steal(&html);
		}
		if (!*out)
			e = vg_diag_set(d, VG_ERR_NOMEM, NULL, "out of memory");
	}
	if (*out && len)
		*len = strlen(*out);
	vg_buf_fini(&md);
	vg_buf_fini(&html);
	vg_inc_free(&x);
	return e;
}
