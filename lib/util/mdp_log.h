/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef MDP_LOG_H
#define MDP_LOG_H

/*
 * Slow-path logging (control thread, start-up, shutdown). Workers never
 * log: they count (see dp/dp_counters.def).
 */

enum mdp_log_level {
	MDP_LOG_ERR = 0,
	MDP_LOG_WARN,
	MDP_LOG_NOTICE,
	MDP_LOG_INFO,
	MDP_LOG_DEBUG,
	MDP_LOG_LEVEL_COUNT,
};

/* Current threshold; messages above it are not written. */
extern enum mdp_log_level mdp_log_threshold;

/* Level name ("err", "warn", "notice", "info", "debug"). */
const char *mdp_log_level_name(enum mdp_log_level lvl);

/* Parse a level name; returns the level or -1 when unknown. */
int mdp_log_level_parse(const char *name);

/* Write one line to stderr with a timestamp and the level. */
void mdp_log(enum mdp_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define MDP_ERR(...)    mdp_log(MDP_LOG_ERR, __VA_ARGS__)
#define MDP_WARN(...)   mdp_log(MDP_LOG_WARN, __VA_ARGS__)
#define MDP_NOTICE(...) mdp_log(MDP_LOG_NOTICE, __VA_ARGS__)
#define MDP_INFO(...)   mdp_log(MDP_LOG_INFO, __VA_ARGS__)
#define MDP_DEBUG(...)  mdp_log(MDP_LOG_DEBUG, __VA_ARGS__)

#endif
