#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#include "core/clock.h"
#include "core/limits.h"

static struct {
	vg_log_level level;
	bool json;
	FILE *out;
	pthread_mutex_t lock;
} g_log = {VG_LOG_INFO, false, NULL, PTHREAD_MUTEX_INITIALIZER};

static _Thread_local char t_rid[VG_REQUEST_ID_MAX + 1];

static const char *const level_names[] = {"debug", "info", "warn", "error", "off"};

void vg_log_setup(vg_log_level level, bool json, FILE *out)
{
	g_log.level = level;
	g_log.json = json;
	g_log.out = out;
}

vg_log_level vg_log_get_level(void)
{
	return g_log.level;
}

int vg_log_level_parse(const char *s)
{
	for (int i = 0; i <= VG_LOG_OFF; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	if (strcmp(s, "warning") == 0)
		return VG_LOG_WARN;
	return -1;
}

void vg_log_set_request_id(const char *rid)
{
	if (!rid)
		t_rid[0] = '\0';
	else
		snprintf(t_rid, sizeof t_rid, "%s", rid);
}

const char *vg_log_request_id(void)
{
	return t_rid;
}

static void json_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

void vg_log(vg_log_level level, const char *fmt, ...)
{
	char msg[2048], ts[40];
	va_list ap;
	FILE *f;
	if (level < g_log.level || level >= VG_LOG_OFF)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	vg_time_format(vg_time_now_ms(), ts, sizeof ts, true);
	f = g_log.out ? g_log.out : stderr;
	pthread_mutex_lock(&g_log.lock);
	if (g_log.json) {
		fprintf(f, "{\"ts\":\"%s\",\"level\":\"%s\"", ts, level_names[level]);
		if (t_rid[0])
			fprintf(f, ",\"request_id\":\"%s\"", t_rid);
		fputs(",\"msg\":\"", f);
		json_escape(f, msg);
		fputs("\"}\n", f);
	} else {
		fprintf(f, "%s %-5s %s%s%s%s\n", ts, level_names[level], t_rid[0] ? "[" : "", t_rid,
			t_rid[0] ? "] " : "", msg);
	}
	fflush(f);
	pthread_mutex_unlock(&g_log.lock);
}
