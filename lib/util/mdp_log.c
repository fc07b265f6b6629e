/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mdp_log.h"

enum mdp_log_level mdp_log_threshold = MDP_LOG_INFO;

static const char *const level_names[MDP_LOG_LEVEL_COUNT] = {
	"err", "warn", "notice", "info", "debug",
};

const char *
mdp_log_level_name(enum mdp_log_level lvl)
{
	if ((unsigned)lvl >= MDP_LOG_LEVEL_COUNT)
		return "unknown";
	return level_names[lvl];
}

int
mdp_log_level_parse(const char *name)
{
	for (int i = 0; i < MDP_LOG_LEVEL_COUNT; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

void
mdp_log(enum mdp_log_level lvl, const char *fmt, ...)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (lvl > mdp_log_threshold)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ meshdp %s: ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, mdp_log_level_name(lvl));
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write per line so that lines from threads do not interleave. */
	fprintf(stderr, "%s\n", line);
}
