/* vigie hunt: the output of hits (rules, correlations, indicators) as JSON
 * lines, CSV or a readable table, written into the worker's line buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/hunt.h"
#include "cli/rules_load.h"
#include "core/clock.h"

static void put_csv(vg_buf *b, const char *s, size_t n)
{
	vg_buf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			vg_buf_putc(b, '"');
		vg_buf_putc(b, s[i] == '\n' || s[i] == '\r' ? ' ' : s[i]);
	}
	vg_buf_putc(b, '"');
}


static void put_tags(vg_buf *b, const vg_rule_info *r, bool json)
{
	for (size_t i = 0; i < r->ntags; i++) {
		if (json) {
			if (i)
				vg_buf_putc(b, ',');
			vg_buf_put_json_str(b, r->tags[i], strlen(r->tags[i]));
		} else {
			vg_buf_printf(b, "%s%s", i ? " " : "", r->tags[i]);
		}
	}
}

/* {"KIND":{"id":...,["name":...,]"title","level","author","tags","file" (the
 * object left open) */
static void put_rule_json(vg_buf *b, const char *kind, const vg_rule_info *r, bool name)
{
	vg_buf_printf(b, "{\"%s\":{\"id\":", kind);
	vg_buf_put_json_str(b, r->id, strlen(r->id));
	if (name) {
		vg_buf_puts(b, ",\"name\":");
		vg_buf_put_json_str(b, r->name, strlen(r->name));
	}
	vg_buf_puts(b, ",\"title\":");
	vg_buf_put_json_str(b, r->title, strlen(r->title));
	vg_buf_printf(b, ",\"level\":\"%s\",\"author\":", vg_level_name(r->level));
	vg_buf_put_json_str(b, r->author, strlen(r->author));
	vg_buf_puts(b, ",\"tags\":[");
	put_tags(b, r, true);
	vg_buf_puts(b, "],\"file\":");
	vg_buf_put_json_str(b, r->file, strlen(r->file));
}

/* The CSV columns id,title,level,author,tags */
static void put_rule_csv(vg_buf *b, const vg_rule_info *r)
{
	vg_buf t;
	put_csv(b, r->id, strlen(r->id));
	vg_buf_putc(b, ',');
	put_csv(b, r->title, strlen(r->title));
	vg_buf_printf(b, ",%s,", vg_level_name(r->level));
	put_csv(b, r->author, strlen(r->author));
	vg_buf_putc(b, ',');
	vg_buf_init(&t, 0);
	put_tags(&t, r, false);
	put_csv(b, t.data ? t.data : "", t.len);
	vg_buf_fini(&t);
}

/* The event a hit is in: the record's text (indicator batches) or the
 * scratch's current event; valid JSON (it was parsed), so newlines outside
 * strings are whitespace and folding them keeps one hit per line. */
static void put_event(vg_buf *b, const worker_ctx *w)
{
	size_t start = b->len;
	if (w->ev_text)
		vg_buf_append(b, w->ev_text, w->ev_len);
	else
		vg_buf_puts(b, vg_detect_event_json(w->sc));
	for (size_t k = start; k < b->len; k++)
		if (b->data[k] == '\n' || b->data[k] == '\r')
			b->data[k] = ' ';
}

/* JSON lines: the rule or indicator object closed, then where the hit is:
 * "source", "record" and the "matched" object opened. */
static void put_where(vg_buf *b, const worker_ctx *w)
{
	vg_buf_puts(b, "},\"source\":");
	vg_buf_put_json_str(b, w->source, strlen(w->source));
	vg_buf_printf(b, ",\"record\":%llu,\"matched\":{", (unsigned long long)w->number);
}

/* JSON lines: "matched" closed, the event, the line's end. */
static void put_event_tail(vg_buf *b, const worker_ctx *w)
{
	vg_buf_puts(b, "},\"event\":");
	put_event(b, w);
	vg_buf_puts(b, "}\n");
}

void vg_hunt_format_hit(worker_ctx *w, const vg_hit *hit)
{
	const vg_rule_info *r = hit->rule;
	vg_buf *b = &w->line;
	switch (w->h->fmt) {
	case FMT_JSONL: {
		put_rule_json(b, "rule", r, false);
		put_where(b, w);
		for (size_t i = 0; i < hit->nfields; i++) {
			if (i)
				vg_buf_putc(b, ',');
			vg_buf_put_json_str(b, hit->fields[i].name, strlen(hit->fields[i].name));
			vg_buf_putc(b, ':');
			vg_buf_put_json_str(b, hit->fields[i].value, hit->fields[i].value_len);
		}
		put_event_tail(b, w);
		break;
	}
	case FMT_CSV: {
		vg_buf t;
		vg_buf_init(&t, 0);
		put_rule_csv(b, r);
		vg_buf_putc(b, ',');
		put_csv(b, w->source, strlen(w->source));
		vg_buf_printf(b, ",%llu,", (unsigned long long)w->number);
		vg_buf_reset(&t);
		for (size_t i = 0; i < hit->nfields; i++)
			vg_buf_printf(&t, "%s%s=%.*s", i ? "; " : "", hit->fields[i].name, (int)hit->fields[i].value_len,
				      hit->fields[i].value);
		put_csv(b, t.data ? t.data : "", t.len);
		vg_buf_fini(&t);
		vg_buf_putc(b, '\n');
		break;
	}
	case FMT_TABLE: {
		const char *src = strrchr(w->source, '/');
		vg_buf_printf(b, "%-8s %-60.60s %s:%llu\n", vg_level_name(r->level), r->title, src ? src + 1 : w->source,
			      (unsigned long long)w->number);
		for (size_t i = 0; i < hit->nfields && i < 4; i++)
			vg_buf_printf(b, "         %s: %.*s\n", hit->fields[i].name,
				      (int)(hit->fields[i].value_len > 100 ? 100 : hit->fields[i].value_len),
				      hit->fields[i].value);
		vg_buf_printf(b, "         rule %s by %.60s\n", r->id, r->author);
		break;
	}
	}
}

/* A correlation hit: JSON lines {"correlation":{...}}, a CSV row with source
 * "correlation:TYPE" and record = the event count, or a table entry. */
void vg_hunt_format_corr_hit(worker_ctx *w, const vg_corr_hit *hit)
{
	const vg_rule_info *r = hit->rule;
	vg_buf *b = &w->line;
	char first[VG_TIME_STRLEN], last[VG_TIME_STRLEN];
	vg_time_format(hit->first_ms, first, sizeof(first), true);
	vg_time_format(hit->last_ms, last, sizeof(last), true);
	switch (w->h->fmt) {
	case FMT_JSONL:
		put_rule_json(b, "correlation", r, true);
		vg_buf_printf(b, ",\"type\":\"%s\",\"group\":{", hit->type);
		for (size_t i = 0; i < hit->ngroup; i++) {
			if (i)
				vg_buf_putc(b, ',');
			vg_buf_put_json_str(b, hit->group[i].name, strlen(hit->group[i].name));
			vg_buf_putc(b, ':');
			vg_buf_put_json_str(b, hit->group[i].value, hit->group[i].value_len);
		}
		vg_buf_printf(b, "},\"count\":%llu,\"value\":%.15g,\"first\":\"%s\",\"last\":\"%s\",\"rules\":[",
			      (unsigned long long)hit->count, hit->value, first, last);
		for (size_t i = 0; i < hit->nrules; i++) {
			const char *id = vg_cli_rule_ref(hit->rules[i]);
			if (i)
				vg_buf_putc(b, ',');
			vg_buf_put_json_str(b, id, strlen(id));
		}
		vg_buf_puts(b, "]}}\n");
		break;
	case FMT_CSV: {
		vg_buf t;
		vg_buf_init(&t, 0);
		put_rule_csv(b, r);
		vg_buf_printf(b, ",\"correlation:%s\",%llu,", hit->type, (unsigned long long)hit->count);
		vg_buf_reset(&t);
		for (size_t i = 0; i < hit->ngroup; i++)
			vg_buf_printf(&t, "%s=%.*s; ", hit->group[i].name, (int)hit->group[i].value_len, hit->group[i].value);
		vg_buf_printf(&t, "value=%.15g; first=%s; last=%s; rules=", hit->value, first, last);
		for (size_t i = 0; i < hit->nrules; i++)
			vg_buf_printf(&t, "%s%s", i ? " " : "", vg_cli_rule_ref(hit->rules[i]));
		put_csv(b, t.data, t.len);
		vg_buf_fini(&t);
		vg_buf_putc(b, '\n');
		break;
	}
	case FMT_TABLE:
		vg_buf_printf(b, "%-8s %-60.60s correlation %s\n", vg_level_name(r->level), r->title, hit->type);
		for (size_t i = 0; i < hit->ngroup; i++)
			vg_buf_printf(b, "         %s: %.*s\n", hit->group[i].name,
				      (int)(hit->group[i].value_len > 100 ? 100 : hit->group[i].value_len), hit->group[i].value);
		vg_buf_printf(b, "         %llu events, value %.15g, %s .. %s\n", (unsigned long long)hit->count, hit->value,
			      first, last);
		vg_buf_puts(b, "         rules:");
		for (size_t i = 0; i < hit->nrules; i++)
			vg_buf_printf(b, " %s", vg_cli_rule_ref(hit->rules[i]));
		vg_buf_printf(b, "\n         correlation %s by %.60s\n", vg_cli_rule_ref(r), r->author);
		break;
	}
}

void vg_hunt_format_ioc_hit(worker_ctx *w, const vg_ioc_hit *hit)
{
	const vg_ioc_info *i = hit->ioc;
	const char *type = vg_ioc_type_name(i->type);
	vg_buf *b = &w->line;
	switch (w->h->fmt) {
	case FMT_JSONL: {
		vg_buf_puts(b, "{\"ioc\":{\"value\":");
		vg_buf_put_json_str(b, i->value, strlen(i->value));
		vg_buf_printf(b, ",\"type\":\"%s\",\"file\":", type);
		vg_buf_put_json_str(b, i->file, strlen(i->file));
		vg_buf_printf(b, ",\"line\":%u,\"id\":", i->line);
		vg_buf_put_json_str(b, i->id, strlen(i->id));
		put_where(b, w);
		vg_buf_put_json_str(b, hit->field, strlen(hit->field));
		vg_buf_putc(b, ':');
		vg_buf_put_json_str(b, hit->value, hit->value_len);
		put_event_tail(b, w);
		break;
	}
	case FMT_CSV: {
		/* same columns as a rule hit: rule_id = ioc:ID (or file:line), title = the indicator */
		vg_buf t;
		vg_buf_init(&t, 0);
		if (i->id[0])
			vg_buf_printf(&t, "ioc:%s", i->id);
		else
			vg_buf_printf(&t, "ioc:%s:%u", i->file, i->line);
		put_csv(b, t.data, t.len);
		vg_buf_reset(&t);
		vg_buf_printf(&t, "%s %s", type, i->value);
		vg_buf_putc(b, ',');
		put_csv(b, t.data, t.len);
		vg_buf_puts(b, ",ioc,\"\",\"\",");
		put_csv(b, w->source, strlen(w->source));
		vg_buf_printf(b, ",%llu,", (unsigned long long)w->number);
		vg_buf_reset(&t);
		vg_buf_printf(&t, "%s=%.*s", hit->field, (int)hit->value_len, hit->value);
		put_csv(b, t.data, t.len);
		vg_buf_fini(&t);
		vg_buf_putc(b, '\n');
		break;
	}
	case FMT_TABLE: {
		const char *src = strrchr(w->source, '/'), *isrc = strrchr(i->file, '/');
		vg_buf_printf(b, "%-8s %-60.60s %s:%llu\n", "ioc", i->value, src ? src + 1 : w->source,
			      (unsigned long long)w->number);
		vg_buf_printf(b, "         %s: %.*s\n", hit->field, (int)(hit->value_len > 100 ? 100 : hit->value_len),
			      hit->value);
		vg_buf_printf(b, "         %s from %s:%u%s%s\n", type, isrc ? isrc + 1 : i->file, i->line, i->id[0] ? " " : "",
			      i->id);
		break;
	}
	}
}
