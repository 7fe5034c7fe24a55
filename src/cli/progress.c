/* A one-line progress bar on stderr: percentage, bar, rate, ETA. Redrawn at
 * most ten times a second, and only when stderr is a terminal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/clock.h"

struct vg_progress {
	char label[48];
	char unit[16];
	uint64_t total;
	uint64_t done;
	uint64_t start_ns;
	uint64_t last_ns;
	bool tty;
	bool drawn;
};

vg_progress *vg_progress_new(const char *label, uint64_t total, const char *unit)
{
	vg_progress *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	snprintf(p->label, sizeof p->label, "%s", label);
	snprintf(p->unit, sizeof p->unit, "%s", unit ? unit : "");
	p->total = total;
	p->start_ns = vg_time_mono_ns();
	p->tty = isatty(STDERR_FILENO) && getenv("VIGIE_NO_PROGRESS") == NULL;
	return p;
}

static void draw(vg_progress *p, uint64_t now)
{
	double secs = (double)(now - p->start_ns) / 1e9, rate = secs > 0 ? (double)p->done / secs : 0;
	char bar[31];
	int filled = 0;
	if (p->total) {
		filled = (int)(30.0 * (double)p->done / (double)p->total);
		if (filled > 30)
			filled = 30;
	}
	memset(bar, '#', (size_t)filled);
	memset(bar + filled, '.', (size_t)(30 - filled));
	bar[30] = '\0';
	if (p->total) {
		double eta = rate > 0 ? (double)(p->total - (p->done < p->total ? p->done : p->total)) / rate : 0;
		fprintf(stderr, "\r%s [%s] %5.1f%% %.0f %s/s ETA %.0fs ", p->label, bar,
			100.0 * (double)p->done / (double)p->total, rate, p->unit, eta);
	} else {
		fprintf(stderr, "\r%s %llu %s (%.0f %s/s) ", p->label, (unsigned long long)p->done, p->unit, rate,
			p->unit);
	}
	fflush(stderr);
	p->drawn = true;
	p->last_ns = now;
}

void vg_progress_update(vg_progress *p, uint64_t done)
{
	uint64_t now;
	if (!p || !p->tty)
		return;
	p->done = done;
	now = vg_time_mono_ns();
	if (now - p->last_ns >= 100000000u)
		draw(p, now);
}

void vg_progress_free(vg_progress *p)
{
	if (!p)
		return;
	if (p->tty && p->drawn) {
		if (p->total)
			p->done = p->total;
		draw(p, vg_time_mono_ns());
		fputc('\n', stderr);
	}
	free(p);
}
