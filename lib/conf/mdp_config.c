/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>
#include <libconfig.h>

#include "mdp_config.h"
#include "mesh/mdp_mesh_conf.h"
#include "tcp/mdp_tcp_cc.h"
#include "tls/mdp_tls_ctx.h"
#include "util/mdp_inet.h"
#include "util/mdp_log.h"

/*
 * The loader checks the whole file and reports every problem it finds, one
 * per line, so that an operator fixes a config in one round rather than one
 * error per restart. Each check reads a setting, validates it and stores it;
 * cross-setting checks run once both sides are known to be valid, so that one
 * mistake is reported once and not again as a consequence.
 */

#define MAX_LCORE 127		/* RTE_MAX_LCORE - 1 of the default DPDK build */
#define MAX_CPU 1023		/* CPU_SETSIZE - 1 */
#define MAX_CONF_FILE (4u << 20)	/* a config this large is a mistake */
#define PATH_LEN 160		/* "ports[7].routes[63].via" with long typos */
#define LINE_LEN 512		/* one error message */

/* Bytes an mbuf needs beyond the MTU: Ethernet header, CRC, headroom. */
#define FRAME_OVERHEAD (14 + 4)
#define MBUF_HEADROOM 128

struct loader {
	const char *name;	/* file name when libconfig has none */
	char *err;
	size_t errlen;
	size_t used;		/* bytes of err in use, without the NUL */
	unsigned n_errors;
};

static void
add_line(struct loader *ld, const char *line)
{
	size_t n, room;

	ld->n_errors++;
	if (ld->err == NULL || ld->errlen == 0 || ld->used + 1 >= ld->errlen)
		return;
	if (ld->used > 0)
		ld->err[ld->used++] = '\n';
	n = strlen(line);
	room = ld->errlen - 1 - ld->used;
	if (n > room)
		n = room;
	/* One error per line: a value quoted in the message may hold a
	 * newline ("a\nb" in the file) or other control characters. */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)line[i];

		ld->err[ld->used + i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	ld->used += n;
	ld->err[ld->used] = '\0';
}

static const char *
file_of(const struct loader *ld, const config_setting_t *s)
{
	const char *f = s != NULL ? config_setting_source_file(s) : NULL;

	return f != NULL ? f : ld->name;
}

/* libconfig gives the root group line 0; point at the top of the file. */
static unsigned
line_of(const config_setting_t *s)
{
	unsigned line = s != NULL ? config_setting_source_line(s) : 0;

	return line > 0 ? line : 1;
}

/* Report "FILE:LINE: PATH: MESSAGE" located at setting s. */
static void __attribute__((format(printf, 4, 5)))
fail(struct loader *ld, const config_setting_t *s, const char *path, const char *fmt, ...)
{
	char line[LINE_LEN];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "%s:%u: %s: ", file_of(ld, s), line_of(s), path);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		add_line(ld, line);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	add_line(ld, line);
}

static void __attribute__((format(printf, 4, 5)))
fail_syntax(struct loader *ld, const char *file, int lineno, const char *fmt, ...)
{
	char line[LINE_LEN];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "%s:%d: syntax error: ", file, lineno);
	if (n < 0 || (size_t)n >= sizeof(line)) {
		add_line(ld, line);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	add_line(ld, line);
}

/* Paths only appear in messages: truncating an absurdly long one is fine. */
static void
path_cat(char *buf, const char *const *parts, unsigned n)
{
	size_t used = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t len = strlen(parts[i]);

		if (len > PATH_LEN - 1 - used)
			len = PATH_LEN - 1 - used;
		memcpy(buf + used, parts[i], len);
		used += len;
	}
	buf[used] = '\0';
}

static void
path_member(char *buf, const char *parent, const char *name)
{
	const char *parts[] = { parent, parent[0] != '\0' ? "." : "", name };

	path_cat(buf, parts, 3);
}

static void
path_elem(char *buf, const char *parent, unsigned idx)
{
	char num[16];
	const char *parts[] = { parent, num };

	snprintf(num, sizeof(num), "[%u]", idx);
	path_cat(buf, parts, 2);
}

/* Optimal string alignment distance: a transposition counts as one edit. */
static unsigned
edit_distance(const char *a, const char *b)
{
	enum { N = 64 };
	unsigned d[N + 1][N + 1];
	size_t la = strlen(a), lb = strlen(b);

	if (la > N || lb > N)
		return UINT_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
			unsigned v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* Every member of grp must be one of known[] (NULL-terminated). */
static void
check_known(struct loader *ld, const config_setting_t *grp, const char *gpath,
	    const char *const *known)
{
	unsigned n = (unsigned)config_setting_length(grp);

	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp, i);
		const char *name = config_setting_name(s);
		const char *best = NULL;
		unsigned best_d = 3;
		char path[PATH_LEN];
		bool found = false;

		if (name == NULL)
			continue;
		for (const char *const *k = known; *k != NULL; k++) {
			unsigned d;

			if (strcmp(name, *k) == 0) {
				found = true;
				break;
			}
			d = edit_distance(name, *k);
			if (d < best_d) {
				best_d = d;
				best = *k;
			}
		}
		if (found)
			continue;
		path_member(path, gpath, name);
		if (best != NULL)
			fail(ld, s, path, "unknown setting '%s' (did you mean '%s'?)", name, best);
		else
			fail(ld, s, path, "unknown setting '%s'", name);
	}
}

/*
 * Typed accessors. Each returns 0 when the setting is absent (the caller
 * keeps its default), 1 when it is present and valid, -1 when an error was
 * reported. *sp receives the setting when present, for later cross-checks.
 */

static int
lookup(const config_setting_t *grp, const char *name, const config_setting_t **sp)
{
	const config_setting_t *s = config_setting_get_member(grp, name);

	if (sp != NULL)
		*sp = s;
	return s != NULL;
}

static bool
is_int(const config_setting_t *s)
{
	int t = config_setting_type(s);

	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static int
check_int(struct loader *ld, const config_setting_t *s, const char *path,
	  long long min, long long max, long long *v)
{
	long long x;

	if (!is_int(s)) {
		fail(ld, s, path, "expected an integer");
		return -1;
	}
	x = config_setting_get_int64(s);
	if (x < min || x > max) {
		fail(ld, s, path, "%lld is out of range (%lld..%lld)", x, min, max);
		return -1;
	}
	*v = x;
	return 1;
}

static int
get_int(struct loader *ld, const config_setting_t *grp, const char *gpath, const char *name,
	long long min, long long max, long long *v, const config_setting_t **sp)
{
	const config_setting_t *s;
	char path[PATH_LEN];

	if (!lookup(grp, name, &s)) {
		if (sp != NULL)
			*sp = NULL;
		return 0;
	}
	if (sp != NULL)
		*sp = s;
	path_member(path, gpath, name);
	return check_int(ld, s, path, min, max, v);
}

static bool
is_pow2(long long v)
{
	return v > 0 && (v & (v - 1)) == 0;
}

static int
get_pow2(struct loader *ld, const config_setting_t *grp, const char *gpath, const char *name,
	 long long min, long long max, long long *v)
{
	const config_setting_t *s;
	char path[PATH_LEN];
	int rc;

	rc = get_int(ld, grp, gpath, name, min, max, v, &s);
	if (rc <= 0)
		return rc;
	if (!is_pow2(*v)) {
		path_member(path, gpath, name);
		fail(ld, s, path, "%lld is not a power of two", *v);
		return -1;
	}
	return 1;
}

static int
get_string(struct loader *ld, const config_setting_t *grp, const char *gpath, const char *name,
	   const char **v, const config_setting_t **sp)
{
	const config_setting_t *s;
	char path[PATH_LEN];

	if (!lookup(grp, name, &s)) {
		if (sp != NULL)
			*sp = NULL;
		return 0;
	}
	if (sp != NULL)
		*sp = s;
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		path_member(path, gpath, name);
		fail(ld, s, path, "expected a string");
		return -1;
	}
	*v = config_setting_get_string(s);
	return 1;
}

static int
get_bool(struct loader *ld, const config_setting_t *grp, const char *gpath, const char *name,
	 bool *v)
{
	const config_setting_t *s;
	char path[PATH_LEN];

	if (!lookup(grp, name, &s))
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		path_member(path, gpath, name);
		fail(ld, s, path, "expected a boolean (true or false)");
		return -1;
	}
	*v = config_setting_get_bool(s) != 0;
	return 1;
}

static int
get_group(struct loader *ld, const config_setting_t *grp, const char *gpath, const char *name,
	  const config_setting_t **sp)
{
	char path[PATH_LEN];

	if (!lookup(grp, name, sp))
		return 0;
	if (!config_setting_is_group(*sp)) {
		path_member(path, gpath, name);
		fail(ld, *sp, path, "expected a group ({ ... })");
		return -1;
	}
	return 1;
}

/* A list or array of scalars: libconfig arrays must be homogeneous, lists
 * need not be, so elements are type-checked one by one either way. */
static int
get_scalar_list(struct loader *ld, const config_setting_t *grp, const char *gpath,
		const char *name, const char *what, const config_setting_t **sp)
{
	char path[PATH_LEN];

	if (!lookup(grp, name, sp))
		return 0;
	if (!config_setting_is_array(*sp) && !config_setting_is_list(*sp)) {
		path_member(path, gpath, name);
		fail(ld, *sp, path, "expected a list of %s ([ ... ])", what);
		return -1;
	}
	return 1;
}

static int
get_group_list(struct loader *ld, const config_setting_t *grp, const char *gpath,
	       const char *name, const config_setting_t **sp)
{
	char path[PATH_LEN];

	if (!lookup(grp, name, sp))
		return 0;
	if (!config_setting_is_list(*sp)) {
		path_member(path, gpath, name);
		fail(ld, *sp, path, "expected a list of groups (( { ... }, ... ))");
		return -1;
	}
	return 1;
}

static void
missing(struct loader *ld, const config_setting_t *grp, const char *gpath, const char *name)
{
	char path[PATH_LEN];

	path_member(path, gpath, name);
	fail(ld, grp, path, "missing required setting");
}

/* ---- top-level scalars and groups ---- */

static void
load_log_level(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	const config_setting_t *s;
	const char *v;
	int lvl;

	if (get_string(ld, root, "", "log_level", &v, &s) <= 0)
		return;
	lvl = mdp_log_level_parse(v);
	if (lvl < 0) {
		fail(ld, s, "log_level",
		     "unknown level '%s' (expected err, warn, notice, info or debug)", v);
		return;
	}
	cfg->log_level = lvl;
}

/*
 * EAL options that meshdp builds from its own settings: given twice, EAL
 * would either reject them or let the operator's copy silently win.
 */
static const struct {
	const char *opt;
	const char *owner;
} reserved_eal[] = {
	{ "-l", "cores" },
	{ "-c", "cores" },
	{ "-s", "cores" },
	{ "--lcores", "cores" },
	{ "--main-lcore", "cores" },
	{ "--master-lcore", "cores" },
	{ "--vdev", "ports" },
	{ "-a", "ports" },
	{ "--allow", "ports" },
	{ "-b", "ports" },
	{ "--block", "ports" },
};

/*
 * Match arg against the reserved options, in every spelling EAL's
 * getopt_long() accepts: "-l 1", "-l1", "--lcores 1", "--lcores=1" and
 * abbreviations such as "--vde" (an ambiguous abbreviation is rejected too;
 * EAL would refuse it anyway). Returns the index or -1.
 */
static int
reserved_eal_index(const char *arg)
{
	size_t n;

	if (arg[0] != '-' || arg[1] == '\0')
		return -1;
	if (arg[1] != '-') {
		for (size_t i = 0; i < sizeof(reserved_eal) / sizeof(reserved_eal[0]); i++) {
			const char *o = reserved_eal[i].opt;

			if (o[1] != '-' && arg[1] == o[1])
				return (int)i;
		}
		return -1;
	}

	n = strcspn(arg + 2, "=");
	if (n == 0)
		return -1;	/* "--" ends the options */
	for (size_t i = 0; i < sizeof(reserved_eal) / sizeof(reserved_eal[0]); i++) {
		const char *o = reserved_eal[i].opt;

		if (o[1] == '-' && strlen(o + 2) >= n && strncmp(arg + 2, o + 2, n) == 0)
			return (int)i;
	}
	return -1;
}

static void
load_eal(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	static const char *const known[] = { "args", NULL };
	const config_setting_t *grp, *args;
	unsigned n;

	if (get_group(ld, root, "", "eal", &grp) <= 0)
		return;
	check_known(ld, grp, "eal", known);
	if (get_scalar_list(ld, grp, "eal", "args", "strings", &args) <= 0)
		return;
	n = (unsigned)config_setting_length(args);
	if (n > MDP_MAX_EAL_ARGS) {
		fail(ld, args, "eal.args", "%u arguments, at most %u are allowed", n,
		     MDP_MAX_EAL_ARGS);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(args, i);
		char path[PATH_LEN];
		const char *v;
		int r;

		path_elem(path, "eal.args", i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			fail(ld, e, path, "expected a string");
			continue;
		}
		v = config_setting_get_string(e);
		if (v[0] == '\0') {
			fail(ld, e, path, "empty argument");
			continue;
		}
		r = reserved_eal_index(v);
		if (r >= 0) {
			size_t len = strcspn(v, "=");

			/* name the option as written, without its value */
			if (v[1] != '-')
				len = 2;
			fail(ld, e, path, "'%.*s' is derived from %s; remove it", (int)len, v,
			     reserved_eal[r].owner);
			continue;
		}
		cfg->eal_args[cfg->n_eal_args] = strdup(v);
		if (cfg->eal_args[cfg->n_eal_args] == NULL) {
			fail(ld, e, path, "%s", strerror(ENOMEM));
			continue;
		}
		cfg->n_eal_args++;
	}
}

/* cores.main_cpu and cores.worker_cpus: where each lcore's thread runs. */
static bool
load_cpus(struct loader *ld, const config_setting_t *grp, struct mdp_config *cfg)
{
	const config_setting_t *mc, *wc;
	long long v;
	bool ok = true;

	cfg->main_cpu = cfg->main_lcore;
	for (unsigned i = 0; i < cfg->n_workers; i++)
		cfg->worker_cpus[i] = cfg->workers[i];
	if (get_int(ld, grp, "cores", "main_cpu", 0, MAX_CPU, &v, &mc) < 0)
		ok = false;
	else if (mc != NULL) {
		cfg->main_cpu = (unsigned)v;
		cfg->has_cpus = true;
	}
	switch (get_scalar_list(ld, grp, "cores", "worker_cpus", "integers", &wc)) {
	case 0:
		return ok;
	case -1:
		return false;
	}
	if ((unsigned)config_setting_length(wc) != cfg->n_workers) {
		fail(ld, wc, "cores.worker_cpus", "%d entries, must be one per worker (%u)",
		     config_setting_length(wc), cfg->n_workers);
		return false;
	}
	for (unsigned i = 0; i < cfg->n_workers; i++) {
		const config_setting_t *e = config_setting_get_elem(wc, i);
		char path[PATH_LEN];

		path_elem(path, "cores.worker_cpus", i);
		if (check_int(ld, e, path, 0, MAX_CPU, &v) < 0) {
			ok = false;
			continue;
		}
		cfg->worker_cpus[i] = (unsigned)v;
	}
	cfg->has_cpus = true;
	return ok;
}

/* Returns true when cfg->workers is the validated value (given or default). */
static bool
load_cores(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	static const char *const known[] = { "main", "workers", "main_cpu", "worker_cpus", NULL };
	const config_setting_t *grp, *ws, *ms;
	unsigned workers[MDP_MAX_WORKERS];
	bool main_ok = true, ok = true;
	long long v;
	unsigned n;

	if (get_group(ld, root, "", "cores", &grp) <= 0)
		return true;
	check_known(ld, grp, "cores", known);
	if (get_int(ld, grp, "cores", "main", 0, MAX_LCORE, &v, &ms) < 0)
		main_ok = false;
	else if (ms != NULL)
		cfg->main_lcore = (unsigned)v;

	switch (get_scalar_list(ld, grp, "cores", "workers", "integers", &ws)) {
	case 0:
		/* default [1]: only a problem if main moved onto it */
		if (main_ok && cfg->main_lcore == cfg->workers[0]) {
			fail(ld, ms, "cores.main",
			     "lcore %u is also the default worker (cores.workers = [ %u ]); set cores.workers",
			     cfg->main_lcore, cfg->workers[0]);
			return false;
		}
		return load_cpus(ld, grp, cfg);
	case -1:
		return false;
	}
	n = (unsigned)config_setting_length(ws);
	if (n < 1 || n > MDP_MAX_WORKERS) {
		fail(ld, ws, "cores.workers", "%u workers, must be 1..%u", n, MDP_MAX_WORKERS);
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(ws, i);
		char path[PATH_LEN];

		path_elem(path, "cores.workers", i);
		if (check_int(ld, e, path, 0, MAX_LCORE, &v) < 0) {
			ok = false;
			workers[i] = UINT_MAX;
			continue;
		}
		workers[i] = (unsigned)v;
		if (main_ok && workers[i] == cfg->main_lcore) {
			fail(ld, e, path, "lcore %u is the main lcore (cores.main)", workers[i]);
			ok = false;
			continue;
		}
		for (unsigned j = 0; j < i; j++) {
			if (workers[j] == workers[i]) {
				fail(ld, e, path, "lcore %u is listed twice (also cores.workers[%u])",
				     workers[i], j);
				ok = false;
				break;
			}
		}
	}
	if (!ok)
		return false;
	memcpy(cfg->workers, workers, n * sizeof(workers[0]));
	cfg->n_workers = n;
	return load_cpus(ld, grp, cfg);
}

/* Returns true when cfg->mbuf_data_room is the validated value. */
static bool
load_mempool(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	static const char *const known[] = { "mbufs", "cache", "data_room", NULL };
	const config_setting_t *grp, *cs, *ms, *rs;
	bool mbufs_ok, cache_ok, room_ok;
	long long v;

	if (get_group(ld, root, "", "mempool", &grp) <= 0)
		return true;
	check_known(ld, grp, "mempool", known);
	mbufs_ok = get_int(ld, grp, "mempool", "mbufs", 1023, 4194303, &v, &ms) >= 0;
	if (mbufs_ok && ms != NULL)
		cfg->mbufs = (uint32_t)v;
	cache_ok = get_int(ld, grp, "mempool", "cache", 0, 512, &v, &cs) >= 0;
	if (cache_ok && cs != NULL)
		cfg->mbuf_cache = (uint32_t)v;
	room_ok = get_int(ld, grp, "mempool", "data_room", 1024, 65535, &v, &rs) >= 0;
	if (room_ok && rs != NULL)
		cfg->mbuf_data_room = (uint16_t)v;

	/*
	 * rte_mempool_create() refuses cache_size * 1.5 > n. With the ranges
	 * above (cache <= 512, mbufs >= 1023) this cannot trigger; it stays so
	 * that widening a range cannot turn into a start-up failure.
	 */
	if (mbufs_ok && cache_ok && (uint64_t)cfg->mbuf_cache * 3 > (uint64_t)cfg->mbufs * 2)
		fail(ld, cs != NULL ? cs : grp, "mempool.cache",
		     "cache %u needs at least %u mbufs (cache * 1.5 <= mbufs), mempool.mbufs is %u",
		     cfg->mbuf_cache, (cfg->mbuf_cache * 3 + 1) / 2, cfg->mbufs);
	return room_ok;
}

static void
load_idle(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	static const char *const known[] = {
		"mode", "empty_polls", "sleep_min_us", "sleep_max_us", NULL,
	};
	const config_setting_t *grp, *s, *maxs;
	bool min_ok, max_ok;
	const char *mode;
	long long v;

	if (get_group(ld, root, "", "idle", &grp) <= 0)
		return;
	check_known(ld, grp, "idle", known);
	if (get_string(ld, grp, "idle", "mode", &mode, &s) > 0) {
		if (strcmp(mode, "adaptive") == 0)
			cfg->idle_mode = MDP_IDLE_ADAPTIVE;
		else if (strcmp(mode, "poll") == 0)
			cfg->idle_mode = MDP_IDLE_POLL;
		else
			fail(ld, s, "idle.mode", "unknown mode '%s' (expected adaptive or poll)",
			     mode);
	}
	if (get_int(ld, grp, "idle", "empty_polls", 1, 1000000, &v, NULL) > 0)
		cfg->idle_empty_polls = (uint32_t)v;
	min_ok = get_int(ld, grp, "idle", "sleep_min_us", 1, 100000, &v, &s) >= 0;
	if (min_ok && s != NULL)
		cfg->idle_sleep_min_us = (uint32_t)v;
	max_ok = get_int(ld, grp, "idle", "sleep_max_us", 1, 100000, &v, &maxs) >= 0;
	if (max_ok && maxs != NULL)
		cfg->idle_sleep_max_us = (uint32_t)v;
	if (min_ok && max_ok && cfg->idle_sleep_max_us < cfg->idle_sleep_min_us)
		fail(ld, maxs != NULL ? maxs : grp, "idle.sleep_max_us",
		     "%u is below idle.sleep_min_us (%u)", cfg->idle_sleep_max_us,
		     cfg->idle_sleep_min_us);
}

static void
load_arp(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	static const char *const known[] = {
		"entries", "timeout", "pending", "retries", "retry_ms", "gratuitous", NULL,
	};
	const config_setting_t *grp;
	long long v;

	if (get_group(ld, root, "", "arp", &grp) <= 0)
		return;
	check_known(ld, grp, "arp", known);
	if (get_int(ld, grp, "arp", "entries", 16, 1048576, &v, NULL) > 0)
		cfg->arp_entries = (uint32_t)v;
	if (get_int(ld, grp, "arp", "timeout", 1, 86400, &v, NULL) > 0)
		cfg->arp_timeout_s = (uint32_t)v;
	if (get_int(ld, grp, "arp", "pending", 0, 64, &v, NULL) > 0)
		cfg->arp_pending = (uint32_t)v;
	if (get_int(ld, grp, "arp", "retries", 1, 10, &v, NULL) > 0)
		cfg->arp_retries = (uint32_t)v;
	if (get_int(ld, grp, "arp", "retry_ms", 10, 60000, &v, NULL) > 0)
		cfg->arp_retry_ms = (uint32_t)v;
	if (get_int(ld, grp, "arp", "gratuitous", 0, 10, &v, NULL) > 0)
		cfg->arp_gratuitous = (uint32_t)v;
}

static void
load_timers(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	static const char *const known[] = { "tick_us", "slots", NULL };
	const config_setting_t *grp;
	long long v;

	if (get_group(ld, root, "", "timers", &grp) <= 0)
		return;
	check_known(ld, grp, "timers", known);
	if (get_int(ld, grp, "timers", "tick_us", 10, 100000, &v, NULL) > 0)
		cfg->timer_tick_us = (uint32_t)v;
	if (get_pow2(ld, grp, "timers", "slots", 64, 1048576, &v) > 0)
		cfg->timer_slots = (uint32_t)v;
}

static void
load_control(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	static const char *const known[] = {
		"socket", "max_clients", "max_line", "idle_timeout", NULL,
	};
	const config_setting_t *grp, *s;
	const char *sock;
	long long v;

	if (get_group(ld, root, "", "control", &grp) <= 0)
		return;
	check_known(ld, grp, "control", known);
	if (get_string(ld, grp, "control", "socket", &sock, &s) > 0) {
		size_t len = strlen(sock);

		if (len == 0)
			fail(ld, s, "control.socket", "empty path");
		else if (len >= MDP_PATH_MAX)
			fail(ld, s, "control.socket",
			     "path is %zu bytes, a unix socket path must be shorter than %d", len,
			     MDP_PATH_MAX);
		else
			memcpy(cfg->ctrl_socket, sock, len + 1);
	}
	if (get_int(ld, grp, "control", "max_clients", 1, 1024, &v, NULL) > 0)
		cfg->ctrl_max_clients = (uint32_t)v;
	if (get_int(ld, grp, "control", "max_line", 256, 16777216, &v, NULL) > 0)
		cfg->ctrl_max_line = (uint32_t)v;
	if (get_int(ld, grp, "control", "idle_timeout", 0, 86400, &v, NULL) > 0)
		cfg->ctrl_idle_timeout_s = (uint32_t)v;
}

/* ---- tcp ---- */

/*
 * lo must be at most hi (strict: below it). Reported on lo's setting, which
 * is what the rule is about, or at the group when lo is a default.
 */
static void
check_order(struct loader *ld, const config_setting_t *grp, const config_setting_t *lo_s,
	    const char *lo_path, uint32_t lo, const config_setting_t *hi_s, const char *hi_path,
	    uint32_t hi, bool strict)
{
	if (strict ? lo < hi : lo <= hi)
		return;
	fail(ld, lo_s != NULL ? lo_s : grp, lo_path, "%s%u is %s %s (%s%u)",
	     lo_s != NULL ? "" : "default ", lo, strict ? "not below" : "above", hi_path,
	     hi_s != NULL ? "" : "default ", hi);
}

static void
load_tcp_keepalive(struct loader *ld, const config_setting_t *tg, struct mdp_conf_tcp *t)
{
	static const char *const known[] = { "idle_s", "interval_s", "count", NULL };
	const config_setting_t *grp;
	long long v;

	if (get_group(ld, tg, "tcp", "keepalive", &grp) <= 0)
		return;
	check_known(ld, grp, "tcp.keepalive", known);
	if (get_int(ld, grp, "tcp.keepalive", "idle_s", 0, 86400, &v, NULL) > 0)
		t->keepalive_idle_s = (uint32_t)v;
	if (get_int(ld, grp, "tcp.keepalive", "interval_s", 1, 86400, &v, NULL) > 0)
		t->keepalive_interval_s = (uint32_t)v;
	if (get_int(ld, grp, "tcp.keepalive", "count", 1, 100, &v, NULL) > 0)
		t->keepalive_count = (uint32_t)v;
}

static void
load_tcp(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	static const char *const known[] = {
		"max_conns", "rcv_buf", "snd_buf", "ooo_max", "syn_backlog", "syncookies",
		"sack", "timestamps", "window_scaling", "cc", "initial_rto_ms", "min_rto_ms",
		"max_rto_ms", "max_retries", "syn_retries", "delayed_ack_ms", "time_wait_ms",
		"time_wait_reuse",
		"fin_wait2_ms", "connect_timeout_ms", "keepalive", "challenge_ack_per_s", NULL,
	};
	struct mdp_conf_tcp *t = &cfg->tcp;
	const config_setting_t *grp, *s, *init_s, *min_s, *max_s, *ack_s;
	bool init_ok, min_ok, max_ok, ack_ok;
	const char *v;
	long long n;
	int cc;

	if (get_group(ld, root, "", "tcp", &grp) <= 0)
		return;
	check_known(ld, grp, "tcp", known);
	if (get_int(ld, grp, "tcp", "max_conns", 16, 4194304, &n, NULL) > 0)
		t->max_conns = (uint32_t)n;
	if (get_int(ld, grp, "tcp", "rcv_buf", 4096, 67108864, &n, NULL) > 0)
		t->rcv_buf = (uint32_t)n;
	if (get_int(ld, grp, "tcp", "snd_buf", 4096, 67108864, &n, NULL) > 0)
		t->snd_buf = (uint32_t)n;
	if (get_int(ld, grp, "tcp", "ooo_max", 0, 1073741824, &n, NULL) > 0)
		t->ooo_max = (uint32_t)n;
	if (get_int(ld, grp, "tcp", "syn_backlog", 1, 1048576, &n, NULL) > 0)
		t->syn_backlog = (uint32_t)n;
	get_bool(ld, grp, "tcp", "syncookies", &t->syncookies);
	get_bool(ld, grp, "tcp", "sack", &t->sack);
	get_bool(ld, grp, "tcp", "time_wait_reuse", &t->time_wait_reuse);
	get_bool(ld, grp, "tcp", "timestamps", &t->timestamps);
	get_bool(ld, grp, "tcp", "window_scaling", &t->window_scaling);
	if (get_string(ld, grp, "tcp", "cc", &v, &s) > 0) {
		cc = mdp_tcp_cc_parse(v);
		if (cc < 0)
			fail(ld, s, "tcp.cc", "unknown algorithm '%s' (expected cubic or newreno)",
			     v);
		else
			t->cc = cc;
	}

	/* RFC 6298 2.4: no RTO, the initial one (2.1) included, is below the minimum */
	init_ok = get_int(ld, grp, "tcp", "initial_rto_ms", 1, 60000, &n, &init_s) >= 0;
	if (init_ok && init_s != NULL)
		t->initial_rto_ms = (uint32_t)n;
	min_ok = get_int(ld, grp, "tcp", "min_rto_ms", 1, 60000, &n, &min_s) >= 0;
	if (min_ok && min_s != NULL)
		t->min_rto_ms = (uint32_t)n;
	max_ok = get_int(ld, grp, "tcp", "max_rto_ms", 1, 600000, &n, &max_s) >= 0;
	if (max_ok && max_s != NULL)
		t->max_rto_ms = (uint32_t)n;
	if (min_ok && max_ok)
		check_order(ld, grp, min_s, "tcp.min_rto_ms", t->min_rto_ms, max_s,
			    "tcp.max_rto_ms", t->max_rto_ms, false);
	if (min_ok && init_ok)
		check_order(ld, grp, min_s, "tcp.min_rto_ms", t->min_rto_ms, init_s,
			    "tcp.initial_rto_ms", t->initial_rto_ms, false);

	if (get_int(ld, grp, "tcp", "max_retries", 1, 100, &n, NULL) > 0)
		t->max_retries = (uint32_t)n;
	if (get_int(ld, grp, "tcp", "syn_retries", 1, 20, &n, NULL) > 0)
		t->syn_retries = (uint32_t)n;

	/*
	 * RFC 9293 3.8.6.3: an ACK is delayed less than the sender's RTO, or a
	 * lone segment is retransmitted before it is acknowledged; our own
	 * minimum stands in for the peer's.
	 */
	ack_ok = get_int(ld, grp, "tcp", "delayed_ack_ms", 0, 500, &n, &ack_s) >= 0;
	if (ack_ok && ack_s != NULL)
		t->delayed_ack_ms = (uint32_t)n;
	if (ack_ok && min_ok)
		check_order(ld, grp, ack_s, "tcp.delayed_ack_ms", t->delayed_ack_ms, min_s,
			    "tcp.min_rto_ms", t->min_rto_ms, true);

	if (get_int(ld, grp, "tcp", "time_wait_ms", 0, 600000, &n, NULL) > 0)
		t->time_wait_ms = (uint32_t)n;
	if (get_int(ld, grp, "tcp", "fin_wait2_ms", 1000, 600000, &n, NULL) > 0)
		t->fin_wait2_ms = (uint32_t)n;
	if (get_int(ld, grp, "tcp", "connect_timeout_ms", 100, 600000, &n, NULL) > 0)
		t->connect_timeout_ms = (uint32_t)n;
	load_tcp_keepalive(ld, grp, t);
	if (get_int(ld, grp, "tcp", "challenge_ack_per_s", 1, 1000, &n, NULL) > 0)
		t->challenge_ack_per_s = (uint32_t)n;
}

/* ---- ports ---- */

/* What later ports are checked against; valid flags say what was stored. */
struct port_state {
	bool name_ok;
	bool addr_ok;
	bool dev_ok;
	char dev_key[256];	/* device identity: vdev name or canonical PCI address */
};

struct ports_ctx {
	struct loader *ld;
	struct mdp_config *cfg;
	struct port_state st[MDP_MAX_PORTS];
	bool workers_ok;
	bool room_ok;
};

static bool
valid_port_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 31)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* Parse up to maxd hex digits; returns digits consumed. */
static size_t
hex_field(const char *s, size_t maxd, unsigned *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < maxd; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			break;
		*v = *v << 4 | d;
	}
	return i;
}

/*
 * PCI address as DPDK's -a takes it: [DDDD:]BB:DD.F with an optional
 * ",devargs" tail. Writes the canonical "DDDD:BB:DD.F" into key.
 */
static bool
parse_pci(const char *s, char *key, size_t keylen)
{
	unsigned f[3], dom = 0, bus, dev, fn;
	const char *p = s;
	int nf = 0;
	size_t d;

	/* one to three colon-terminated fields before "DD.F" */
	while (nf < 3) {
		d = hex_field(p, 4, &f[nf]);
		if (d == 0)
			return false;
		if (p[d] != ':')
			break;
		if (nf > 0 && d > 2)
			return false;
		p += d + 1;
		nf++;
	}
	if (nf == 1) {
		bus = f[0];
		if (p - s > 3)
			return false;	/* bus is at most two digits */
	} else if (nf == 2) {
		dom = f[0];
		bus = f[1];
	} else {
		return false;
	}
	d = hex_field(p, 2, &dev);
	if (d == 0 || p[d] != '.' || dev > 0x1f)
		return false;
	p += d + 1;
	if (*p < '0' || *p > '7')
		return false;
	fn = (unsigned)(*p - '0');
	p++;
	if (*p != '\0' && (*p != ',' || p[1] == '\0'))
		return false;
	snprintf(key, keylen, "%04x:%02x:%02x.%u", dom, bus, dev, fn);
	return true;
}

/* "net_<driver><n>[,args]" as rte_vdev takes it. Writes the vdev name. */
static bool
parse_vdev(const char *s, char *key, size_t keylen)
{
	size_t n = strcspn(s, ",");

	if (strncmp(s, "net_", 4) != 0 || n <= 4)
		return false;
	for (size_t i = 4; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	if (s[n] == ',' && s[n + 1] == '\0')
		return false;
	for (const char *p = s + n; *p != '\0'; p++)
		if (*p == ' ' || *p == '\t' || *p == '\n')
			return false;
	snprintf(key, keylen, "%.*s", (int)n, s);
	return true;
}

/* Why addr is not usable as a host address, or NULL when it is. */
static const char *
bad_host_reason(uint32_t addr)
{
	if ((addr >> 24) == 0)
		return "is in 0.0.0.0/8 (this network)";
	if ((addr >> 24) == 127)
		return "is a loopback address (127.0.0.0/8)";
	if ((addr >> 28) == 0xe)
		return "is a multicast address (224.0.0.0/4)";
	if ((addr >> 28) == 0xf)
		return "is a reserved or broadcast address (240.0.0.0/4)";
	return NULL;
}

/*
 * A next hop or host must not be the network or broadcast address of a
 * subnet that has them: /31 (RFC 3021) and /32 have neither.
 */
static const char *
subnet_edge_reason(uint32_t addr, uint8_t len)
{
	uint32_t mask = mdp_ipv4_mask(len);

	if (len > 30)
		return NULL;
	if ((addr & ~mask) == 0)
		return "network";
	if ((addr & ~mask) == ~mask)
		return "broadcast";
	return NULL;
}

/* Check a next hop (gateway or route via) against its port. */
static bool
check_next_hop(struct loader *ld, const config_setting_t *s, const char *path,
	       const struct mdp_conf_port *p, uint32_t *out)
{
	char a[MDP_IPV4_STRLEN], n[MDP_IPV4_STRLEN];
	uint32_t mask = mdp_ipv4_mask(p->prefix_len);
	const char *v, *why;
	uint32_t hop;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		fail(ld, s, path, "expected a string");
		return false;
	}
	v = config_setting_get_string(s);
	if (mdp_ipv4_parse(v, &hop) < 0) {
		fail(ld, s, path, "'%s' is not an IPv4 address", v);
		return false;
	}
	mdp_ipv4_format(p->addr & mask, n);
	if ((hop & mask) != (p->addr & mask)) {
		fail(ld, s, path, "%s is not inside the port's subnet %s/%u", v, n, p->prefix_len);
		return false;
	}
	if (hop == p->addr) {
		fail(ld, s, path, "%s is the port's own address", v);
		return false;
	}
	why = subnet_edge_reason(hop, p->prefix_len);
	if (why != NULL) {
		fail(ld, s, path, "%s is the %s address of %s/%u", mdp_ipv4_format(hop, a), why, n,
		     p->prefix_len);
		return false;
	}
	*out = hop;
	return true;
}

static void
load_port_address(struct ports_ctx *pc, unsigned idx, const config_setting_t *grp,
		  const char *gpath)
{
	struct loader *ld = pc->ld;
	struct mdp_conf_port *p = &pc->cfg->ports[idx];
	char path[PATH_LEN], a[MDP_IPV4_STRLEN], n[MDP_IPV4_STRLEN], m[MDP_IPV4_STRLEN];
	const config_setting_t *s;
	const char *v, *why;
	uint32_t addr, mask;
	uint8_t len;
	int rc;

	rc = get_string(ld, grp, gpath, "address", &v, &s);
	if (rc == 0)
		missing(ld, grp, gpath, "address");
	if (rc <= 0)
		return;
	path_member(path, gpath, "address");
	if (mdp_ipv4_prefix_parse(v, &addr, &len) < 0) {
		fail(ld, s, path, "'%s' is not an IPv4 address with a prefix length (a.b.c.d/len)",
		     v);
		return;
	}
	if (len < 1) {
		fail(ld, s, path, "prefix length 0 is out of range (1..32)");
		return;
	}
	why = bad_host_reason(addr);
	if (why != NULL) {
		fail(ld, s, path, "%s %s", mdp_ipv4_format(addr, a), why);
		return;
	}
	mask = mdp_ipv4_mask(len);
	why = subnet_edge_reason(addr, len);
	if (why != NULL) {
		fail(ld, s, path, "%s is the %s address of %s/%u", mdp_ipv4_format(addr, a), why,
		     mdp_ipv4_format(addr & mask, n), len);
		return;
	}
	/* usable for this port's next hops even if it clashes with another port */
	p->addr = addr;
	p->prefix_len = len;
	pc->st[idx].addr_ok = true;

	for (unsigned j = 0; j < idx; j++) {
		const struct mdp_conf_port *q = &pc->cfg->ports[j];
		uint32_t cm;

		if (!pc->st[j].addr_ok)
			continue;
		if (q->addr == addr) {
			fail(ld, s, path, "%s is also the address of ports[%u]",
			     mdp_ipv4_format(addr, a), j);
			return;
		}
		/* two prefixes overlap iff they agree on the shorter mask */
		cm = mdp_ipv4_mask(len < q->prefix_len ? len : q->prefix_len);
		if ((addr & cm) == (q->addr & cm)) {
			mdp_ipv4_format(addr & mask, n);
			mdp_ipv4_format(q->addr & mdp_ipv4_mask(q->prefix_len), m);
			fail(ld, s, path, "subnet %s/%u overlaps %s/%u of ports[%u]", n, len, m,
			     q->prefix_len, j);
			return;
		}
	}
}

static void
load_port_routes(struct ports_ctx *pc, unsigned idx, const config_setting_t *grp,
		 const char *gpath)
{
	static const char *const known[] = { "dst", "via", NULL };
	struct loader *ld = pc->ld;
	struct mdp_conf_port *p = &pc->cfg->ports[idx];
	char rspath[PATH_LEN], rpath[PATH_LEN], path[PATH_LEN];
	char a[MDP_IPV4_STRLEN], n[MDP_IPV4_STRLEN];
	const config_setting_t *rs;
	unsigned cnt;

	if (get_group_list(ld, grp, gpath, "routes", &rs) <= 0)
		return;
	path_member(rspath, gpath, "routes");
	cnt = (unsigned)config_setting_length(rs);
	if (cnt > MDP_MAX_ROUTES) {
		fail(ld, rs, rspath, "%u routes, at most %u are allowed", cnt, MDP_MAX_ROUTES);
		return;
	}
	for (unsigned i = 0; i < cnt; i++) {
		const config_setting_t *r = config_setting_get_elem(rs, i);
		const config_setting_t *ds, *vs;
		struct mdp_conf_route rt = { 0 };
		bool ok = true;
		const char *v;
		int rc;

		path_elem(rpath, rspath, i);
		if (!config_setting_is_group(r)) {
			fail(ld, r, rpath, "expected a group ({ dst = ...; via = ...; })");
			continue;
		}
		check_known(ld, r, rpath, known);

		rc = get_string(ld, r, rpath, "dst", &v, &ds);
		if (rc == 0)
			missing(ld, r, rpath, "dst");
		if (rc > 0) {
			path_member(path, rpath, "dst");
			if (mdp_ipv4_prefix_parse(v, &rt.dst, &rt.dst_len) < 0) {
				fail(ld, ds, path, "'%s' is not an IPv4 prefix (a.b.c.d/len)", v);
				ok = false;
			} else if ((rt.dst & ~mdp_ipv4_mask(rt.dst_len)) != 0) {
				fail(ld, ds, path, "%s has host bits set (did you mean %s/%u?)", v,
				     mdp_ipv4_format(rt.dst & mdp_ipv4_mask(rt.dst_len), n),
				     rt.dst_len);
				ok = false;
			}
		} else {
			ok = false;
		}
		if (ok) {
			/* the same destination twice makes the lookup ambiguous */
			for (unsigned j = 0; j <= idx && ok; j++) {
				const struct mdp_conf_port *q = &pc->cfg->ports[j];
				unsigned lim = j < idx ? q->n_routes : p->n_routes;

				for (unsigned k = 0; k < lim; k++) {
					if (q->routes[k].dst != rt.dst ||
					    q->routes[k].dst_len != rt.dst_len)
						continue;
					fail(ld, ds, path, "%s/%u is also routed by ports[%u]",
					     mdp_ipv4_format(rt.dst, a), rt.dst_len, j);
					ok = false;
					break;
				}
			}
		}

		lookup(r, "via", &vs);
		if (vs == NULL) {
			missing(ld, r, rpath, "via");
			ok = false;
		} else {
			path_member(path, rpath, "via");
			if (!pc->st[idx].addr_ok) {
				/* address is wrong or missing: only the type can be checked */
				if (config_setting_type(vs) != CONFIG_TYPE_STRING)
					fail(ld, vs, path, "expected a string");
				ok = false;
			} else if (!check_next_hop(ld, vs, path, p, &rt.via)) {
				ok = false;
			}
		}
		if (ok)
			p->routes[p->n_routes++] = rt;
	}
}

/* A rate in percent: an integer or a float, 0..100. */
static int
get_percent(struct loader *ld, const config_setting_t *grp, const char *gpath, const char *name,
	    double *v)
{
	const config_setting_t *s;
	char path[PATH_LEN];
	double x;

	if (!lookup(grp, name, &s))
		return 0;
	path_member(path, gpath, name);
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		x = config_setting_get_float(s);
	else if (is_int(s))
		x = (double)config_setting_get_int64(s);
	else {
		fail(ld, s, path, "expected a percentage (a number 0..100)");
		return -1;
	}
	if (!(x >= 0.0 && x <= 100.0)) {
		fail(ld, s, path, "%g is out of range (0..100 percent)", x);
		return -1;
	}
	*v = x;
	return 1;
}

static void
load_impair_dir(struct loader *ld, const config_setting_t *grp, const char *gpath,
		const char *name, struct mdp_conf_impair *im, bool *any)
{
	static const char *const known[] = {
		"loss", "corrupt", "duplicate", "reorder", "delay_us", NULL,
	};
	const config_setting_t *d;
	char path[PATH_LEN];
	long long n;

	path_member(path, gpath, name);
	if (get_group(ld, grp, gpath, name, &d) <= 0)
		return;
	check_known(ld, d, path, known);
	get_percent(ld, d, path, "loss", &im->loss);
	get_percent(ld, d, path, "corrupt", &im->corrupt);
	get_percent(ld, d, path, "duplicate", &im->duplicate);
	get_percent(ld, d, path, "reorder", &im->reorder);
	if (get_int(ld, d, path, "delay_us", 0, 1000000, &n, NULL) > 0)
		im->delay_us = (uint32_t)n;
	if (im->loss > 0 || im->corrupt > 0 || im->duplicate > 0 || im->reorder > 0 ||
	    im->delay_us > 0)
		*any = true;
}

/* ports[i].impair = { seed = N; rx = { ... }; tx = { ... }; } */
static void
load_port_impair(struct loader *ld, const config_setting_t *grp, const char *gpath,
		 struct mdp_conf_port *p)
{
	static const char *const known[] = { "seed", "rx", "tx", NULL };
	const config_setting_t *ig;
	char path[PATH_LEN];
	long long n;

	p->impair_seed = 1;
	path_member(path, gpath, "impair");
	if (get_group(ld, grp, gpath, "impair", &ig) <= 0)
		return;
	check_known(ld, ig, path, known);
	if (get_int(ld, ig, path, "seed", 0, INT64_MAX, &n, NULL) > 0)
		p->impair_seed = (uint64_t)n;
	load_impair_dir(ld, ig, path, "rx", &p->impair_rx, &p->impair);
	load_impair_dir(ld, ig, path, "tx", &p->impair_tx, &p->impair);
}

static void
load_port(struct ports_ctx *pc, unsigned idx, const config_setting_t *grp)
{
	static const char *const known[] = {
		"name", "device", "mac", "address", "gateway", "routes", "rx_queues",
		"tx_queues", "rx_desc", "tx_desc", "mtu", "promiscuous", "checksum_offload", "impair", NULL,
	};
	static const char *const qnames[] = { "rx_queues", "tx_queues" };
	struct loader *ld = pc->ld;
	struct mdp_config *cfg = pc->cfg;
	struct mdp_conf_port *p = &cfg->ports[idx];
	struct port_state *st = &pc->st[idx];
	char gpath[PATH_LEN], path[PATH_LEN], a[MDP_MAC_STRLEN];
	const config_setting_t *s;
	const char *v;
	long long n;
	int rc;

	path_elem(gpath, "ports", idx);
	memset(p, 0, sizeof(*p));
	p->rx_queues = (uint16_t)cfg->n_workers;
	p->tx_queues = (uint16_t)cfg->n_workers;
	p->rx_desc = 1024;
	p->tx_desc = 1024;
	p->mtu = 1500;
	p->promiscuous = false;
	p->checksum_offload = true;

	check_known(ld, grp, gpath, known);

	rc = get_string(ld, grp, gpath, "name", &v, &s);
	if (rc == 0)
		missing(ld, grp, gpath, "name");
	if (rc > 0) {
		path_member(path, gpath, "name");
		if (!valid_port_name(v)) {
			fail(ld, s, path, "'%s' must be 1..31 characters of A-Z a-z 0-9 _ -", v);
		} else {
			st->name_ok = true;
			for (unsigned j = 0; j < idx; j++) {
				if (pc->st[j].name_ok && strcmp(cfg->ports[j].name, v) == 0) {
					fail(ld, s, path, "'%s' is also the name of ports[%u]", v, j);
					st->name_ok = false;
					break;
				}
			}
			if (st->name_ok)
				snprintf(p->name, sizeof(p->name), "%s", v);
		}
	}

	rc = get_string(ld, grp, gpath, "device", &v, &s);
	if (rc == 0)
		missing(ld, grp, gpath, "device");
	if (rc > 0) {
		path_member(path, gpath, "device");
		if (strlen(v) >= sizeof(p->device)) {
			fail(ld, s, path, "%zu characters, at most %zu are allowed", strlen(v),
			     sizeof(p->device) - 1);
		} else if (!parse_vdev(v, st->dev_key, sizeof(st->dev_key)) &&
			   !parse_pci(v, st->dev_key, sizeof(st->dev_key))) {
			fail(ld, s, path,
			     "'%s' is neither a DPDK vdev (\"net_<driver>[,args]\") nor a PCI address (\"0000:01:00.0\")",
			     v);
		} else {
			st->dev_ok = true;
			for (unsigned j = 0; j < idx; j++) {
				if (pc->st[j].dev_ok && strcmp(pc->st[j].dev_key, st->dev_key) == 0) {
					fail(ld, s, path, "device %s is also used by ports[%u]",
					     st->dev_key, j);
					st->dev_ok = false;
					break;
				}
			}
			if (st->dev_ok)
				snprintf(p->device, sizeof(p->device), "%s", v);
		}
	}

	if (get_string(ld, grp, gpath, "mac", &v, &s) > 0) {
		path_member(path, gpath, "mac");
		if (mdp_mac_parse(v, p->mac) < 0)
			fail(ld, s, path, "'%s' is not a MAC address (aa:bb:cc:dd:ee:ff)", v);
		else if (p->mac[0] & 1)
			fail(ld, s, path,
			     "%s is a multicast address (low bit of the first octet set)",
			     mdp_mac_format(p->mac, a));
		else if ((p->mac[0] | p->mac[1] | p->mac[2] | p->mac[3] | p->mac[4] | p->mac[5]) == 0)
			fail(ld, s, path, "the all-zero MAC address is not a valid station address");
		else
			p->has_mac = true;
		if (!p->has_mac)
			memset(p->mac, 0, sizeof(p->mac));
	}

	load_port_address(pc, idx, grp, gpath);

	if (lookup(grp, "gateway", &s)) {
		path_member(path, gpath, "gateway");
		if (st->addr_ok)
			check_next_hop(ld, s, path, p, &p->gateway);
		else if (config_setting_type(s) != CONFIG_TYPE_STRING)
			fail(ld, s, path, "expected a string");
	}

	load_port_routes(pc, idx, grp, gpath);

	/* each worker polls queue i of every port, so queues track workers */
	for (unsigned q = 0; q < 2; q++) {
		if (get_int(ld, grp, gpath, qnames[q], LLONG_MIN, LLONG_MAX, &n, &s) <= 0)
			continue;
		path_member(path, gpath, qnames[q]);
		if (pc->workers_ok && n != (long long)cfg->n_workers)
			fail(ld, s, path,
			     "%lld, must equal the number of workers (%u): each worker owns queue i of every port",
			     n, cfg->n_workers);
	}

	if (get_pow2(ld, grp, gpath, "rx_desc", 64, 16384, &n) > 0)
		p->rx_desc = (uint16_t)n;
	if (get_pow2(ld, grp, gpath, "tx_desc", 64, 16384, &n) > 0)
		p->tx_desc = (uint16_t)n;

	rc = get_int(ld, grp, gpath, "mtu", 68, 9000, &n, &s);
	if (rc > 0)
		p->mtu = (uint16_t)n;
	if (rc >= 0 && pc->room_ok) {
		/* one mbuf must hold a whole frame: no scattered RX */
		unsigned need = p->mtu + FRAME_OVERHEAD + MBUF_HEADROOM;

		path_member(path, gpath, "mtu");
		if (cfg->mbuf_data_room < need)
			fail(ld, s != NULL ? s : grp, path,
			     "%s%u needs mempool.data_room >= %u (mtu + 14 + 4 + 128 headroom), it is %u",
			     s != NULL ? "" : "default ", p->mtu, need, cfg->mbuf_data_room);
	}

	get_bool(ld, grp, gpath, "promiscuous", &p->promiscuous);
	get_bool(ld, grp, gpath, "checksum_offload", &p->checksum_offload);
	load_port_impair(ld, grp, gpath, p);
}

static void
load_ports(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg,
	   bool workers_ok, bool room_ok)
{
	struct ports_ctx *pc;
	const config_setting_t *ps;
	unsigned n;
	int rc;

	rc = get_group_list(ld, root, "", "ports", &ps);
	if (rc == 0)
		missing(ld, root, "", "ports");
	if (rc <= 0)
		return;
	n = (unsigned)config_setting_length(ps);
	if (n < 1 || n > MDP_MAX_PORTS) {
		fail(ld, ps, "ports", "%u ports, must be 1..%u", n, MDP_MAX_PORTS);
		return;
	}
	/* heap: the route settings table makes this too large for a stack frame */
	pc = calloc(1, sizeof(*pc));
	if (pc == NULL) {
		fail(ld, ps, "ports", "%s", strerror(ENOMEM));
		return;
	}
	pc->ld = ld;
	pc->cfg = cfg;
	pc->workers_ok = workers_ok;
	pc->room_ok = room_ok;
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(ps, i);
		char path[PATH_LEN];

		if (!config_setting_is_group(g)) {
			path_elem(path, "ports", i);
			fail(ld, g, path, "expected a group ({ name = ...; ... })");
			memset(&cfg->ports[i], 0, sizeof(cfg->ports[i]));
			continue;
		}
		load_port(pc, i, g);
	}
	cfg->n_ports = n;
	free(pc);
}

/* ---- tls ---- */

/* The error text of lib/tls names its file first ("PATH: ..."): report it
 * at the setting that holds that path. When several settings name the same
 * file (a certificate and its key in one PEM file), a message about a key
 * goes to the last one ("key"), anything else to the first. */
static const config_setting_t *
setting_of_path(const char *msg, const config_setting_t *grp, const char *const *names,
		const char *const *paths, unsigned n, const char **which)
{
	int found = -1;

	for (unsigned i = 0; i < n; i++) {
		size_t len = strlen(paths[i]);

		if (strncmp(msg, paths[i], len) != 0 || msg[len] != ':')
			continue;
		if (found < 0)
			found = (int)i;
		else if (strstr(msg + len, " key") != NULL)
			found = (int)i;
	}
	if (found < 0) {
		*which = NULL;
		return grp;
	}
	*which = names[found];
	return config_setting_get_member(grp, names[found]);
}

/* A file path setting: 1..MDP_CONF_FILE_MAX-1 bytes. */
static int
get_file(struct loader *ld, const config_setting_t *grp, const char *gpath, const char *name,
	 char *dst)
{
	const config_setting_t *s;
	char path[PATH_LEN];
	const char *v;
	int rc;

	rc = get_string(ld, grp, gpath, name, &v, &s);
	if (rc == 0)
		missing(ld, grp, gpath, name);
	if (rc <= 0)
		return -1;
	if (v[0] == '\0' || strlen(v) >= MDP_CONF_FILE_MAX) {
		path_member(path, gpath, name);
		fail(ld, s, path, "a file path of 1..%u bytes", MDP_CONF_FILE_MAX - 1);
		return -1;
	}
	snprintf(dst, MDP_CONF_FILE_MAX, "%s", v);
	return 0;
}

/* The name of a credential or bundle: unique among the first idx of its list. */
static bool
load_tls_name(struct loader *ld, const config_setting_t *grp, const char *gpath,
	      const char *list, unsigned idx, char *dst, const char *(*name_at)(
		      const struct mdp_config *, unsigned), const struct mdp_config *cfg)
{
	const config_setting_t *s;
	char path[PATH_LEN];
	const char *v;
	int rc;

	rc = get_string(ld, grp, gpath, "name", &v, &s);
	if (rc == 0)
		missing(ld, grp, gpath, "name");
	if (rc <= 0)
		return false;
	path_member(path, gpath, "name");
	if (!valid_port_name(v)) {
		fail(ld, s, path, "'%s' must be 1..31 characters of A-Z a-z 0-9 _ -", v);
		return false;
	}
	for (unsigned j = 0; j < idx; j++) {
		if (strcmp(name_at(cfg, j), v) == 0) {
			fail(ld, s, path, "'%s' is also the name of %s[%u]", v, list, j);
			return false;
		}
	}
	snprintf(dst, 32, "%s", v);
	return true;
}

static const char *
cred_name_at(const struct mdp_config *cfg, unsigned i)
{
	return cfg->tls.creds[i].name;
}

static const char *
bundle_name_at(const struct mdp_config *cfg, unsigned i)
{
	return cfg->tls.bundles[i].name;
}

static void
load_tls_creds(struct loader *ld, const config_setting_t *tg, struct mdp_config *cfg)
{
	static const char *const known[] = { "name", "cert", "key", NULL };
	static const char *const names[] = { "cert", "key" };
	const config_setting_t *ls;
	unsigned n;

	if (get_group_list(ld, tg, "tls", "credentials", &ls) <= 0)
		return;
	n = (unsigned)config_setting_length(ls);
	if (n > MDP_CONF_MAX_CREDS) {
		fail(ld, ls, "tls.credentials", "%u credentials, at most %u are allowed", n,
		     MDP_CONF_MAX_CREDS);
		return;
	}
	cfg->tls.n_creds = n;
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(ls, i), *at;
		struct mdp_conf_tls_cred *c = &cfg->tls.creds[i];
		char gpath[PATH_LEN], path[PATH_LEN], msg[LINE_LEN];
		const char *paths[2], *which;
		bool ok;

		path_elem(gpath, "tls.credentials", i);
		if (!config_setting_is_group(g)) {
			fail(ld, g, gpath, "expected a group ({ name = ...; cert = ...; key = ...; })");
			continue;
		}
		check_known(ld, g, gpath, known);
		load_tls_name(ld, g, gpath, "tls.credentials", i, c->name, cred_name_at, cfg);
		ok = get_file(ld, g, gpath, "cert", c->cert) == 0;
		ok = get_file(ld, g, gpath, "key", c->key) == 0 && ok;
		if (!ok)
			continue;
		c->cred = mdp_tls_cred_from_files(c->cert, c->key, msg, sizeof(msg));
		if (c->cred != NULL)
			continue;
		paths[0] = c->cert;
		paths[1] = c->key;
		at = setting_of_path(msg, g, names, paths, 2, &which);
		if (which != NULL)
			path_member(path, gpath, which);
		fail(ld, at, which != NULL ? path : gpath, "%s", msg);
	}
}

static void
load_tls_bundles(struct loader *ld, const config_setting_t *tg, struct mdp_config *cfg)
{
	static const char *const known[] = { "name", "file", NULL };
	static const char *const names[] = { "file" };
	const config_setting_t *ls;
	unsigned n;

	if (get_group_list(ld, tg, "tls", "bundles", &ls) <= 0)
		return;
	n = (unsigned)config_setting_length(ls);
	if (n > MDP_CONF_MAX_BUNDLES) {
		fail(ld, ls, "tls.bundles", "%u bundles, at most %u are allowed", n,
		     MDP_CONF_MAX_BUNDLES);
		return;
	}
	cfg->tls.n_bundles = n;
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(ls, i), *at;
		struct mdp_conf_tls_bundle *b = &cfg->tls.bundles[i];
		char gpath[PATH_LEN], path[PATH_LEN], msg[LINE_LEN];
		const char *paths[1], *which;

		path_elem(gpath, "tls.bundles", i);
		if (!config_setting_is_group(g)) {
			fail(ld, g, gpath, "expected a group ({ name = ...; file = ...; })");
			continue;
		}
		check_known(ld, g, gpath, known);
		load_tls_name(ld, g, gpath, "tls.bundles", i, b->name, bundle_name_at, cfg);
		if (get_file(ld, g, gpath, "file", b->file) < 0)
			continue;
		b->bundle = mdp_tls_bundle_from_file(b->file, msg, sizeof(msg));
		if (b->bundle != NULL)
			continue;
		paths[0] = b->file;
		at = setting_of_path(msg, g, names, paths, 1, &which);
		if (which != NULL)
			path_member(path, gpath, which);
		fail(ld, at, which != NULL ? path : gpath, "%s", msg);
	}
}

static int
get_version(struct loader *ld, const config_setting_t *tg, const char *name, uint16_t *v,
	    const config_setting_t **sp)
{
	char path[PATH_LEN];
	const char *s;
	uint16_t ver;
	int rc;

	rc = get_string(ld, tg, "tls", name, &s, sp);
	if (rc <= 0)
		return rc;
	ver = mdp_tls_version_parse(s);
	if (ver == 0) {
		path_member(path, "tls", name);
		fail(ld, *sp, path, "'%s' is not a supported TLS version (\"1.2\" or \"1.3\")", s);
		return -1;
	}
	*v = ver;
	return 1;
}

static int
get_bounded_string(struct loader *ld, const config_setting_t *grp, const char *gpath,
		   const char *name, char *dst, size_t size)
{
	const config_setting_t *s;
	char path[PATH_LEN];
	const char *v;
	int rc;

	rc = get_string(ld, grp, gpath, name, &v, &s);
	if (rc <= 0)
		return rc;
	if (strlen(v) >= size) {
		path_member(path, gpath, name);
		fail(ld, s, path, "longer than %zu bytes", size - 1);
		return -1;
	}
	snprintf(dst, size, "%s", v);
	return 1;
}

static void
load_tls(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	static const char *const known[] = {
		"credentials", "bundles", "trust_domain", "min_version", "max_version",
		"ciphersuites", "ciphers", "groups", "ticket_lifetime_s",
		"ticket_key_rotation_s", "record_layer", NULL,
	};
	struct mdp_conf_tls *t = &cfg->tls;
	const config_setting_t *tg, *s, *smin = NULL, *smax = NULL, *slife = NULL, *srot = NULL;
	unsigned errors = ld->n_errors;
	int rmin, rmax;
	const char *v;
	char msg[LINE_LEN];
	long long n;

	if (get_group(ld, root, "", "tls", &tg) <= 0)
		return;
	check_known(ld, tg, "tls", known);
	load_tls_creds(ld, tg, cfg);
	load_tls_bundles(ld, tg, cfg);
	if (get_string(ld, tg, "tls", "trust_domain", &v, &s) > 0) {
		if (!mdp_tls_spiffe_td_valid(v, strlen(v)))
			fail(ld, s, "tls.trust_domain",
			     "'%s' is not a SPIFFE trust domain (1..255 of a-z 0-9 . - _)", v);
		else
			snprintf(t->trust_domain, sizeof(t->trust_domain), "%s", v);
	}
	errors = ld->n_errors;
	rmin = get_version(ld, tg, "min_version", &t->params.min_version, &smin);
	rmax = get_version(ld, tg, "max_version", &t->params.max_version, &smax);
	if (rmin >= 0 && rmax >= 0 && t->params.min_version > t->params.max_version)
		fail(ld, smin != NULL ? smin : smax, smin != NULL ? "tls.min_version" : "tls.max_version",
		     "min_version %s is above max_version %s",
		     mdp_tls_version_name(t->params.min_version),
		     mdp_tls_version_name(t->params.max_version));
	get_bounded_string(ld, tg, "tls", "ciphersuites", t->params.ciphersuites,
			   sizeof(t->params.ciphersuites));
	get_bounded_string(ld, tg, "tls", "ciphers", t->params.ciphers, sizeof(t->params.ciphers));
	get_bounded_string(ld, tg, "tls", "groups", t->params.groups, sizeof(t->params.groups));
	if (get_int(ld, tg, "tls", "ticket_lifetime_s", 1, 604800, &n, &slife) > 0)
		t->params.ticket_lifetime_s = (uint32_t)n;
	if (get_int(ld, tg, "tls", "ticket_key_rotation_s", 60, 604800, &n, &srot) > 0)
		t->ticket_key_rotation_s = (uint32_t)n;
	if (get_string(ld, tg, "tls", "record_layer", &v, &s) > 0) {
		if (strcmp(v, "ipsec-mb") == 0)
			t->record_layer = MDP_TLS_RECORD_IPSEC_MB;
		else if (strcmp(v, "openssl") == 0)
			t->record_layer = MDP_TLS_RECORD_OPENSSL;
		else
			fail(ld, s, "tls.record_layer",
			     "unknown record layer '%s' (expected ipsec-mb or openssl)", v);
	}
	if (ld->n_errors != errors)
		return;
	/* a ticket stays decryptable while its key is current or one of the
	 * previous ones: at least that many rotation periods */
	if ((uint64_t)t->params.ticket_lifetime_s >
	    (uint64_t)t->ticket_key_rotation_s * MDP_TLS_TICKET_KEYS_OLD) {
		fail(ld, slife != NULL ? slife : srot,
		     slife != NULL ? "tls.ticket_lifetime_s" : "tls.ticket_key_rotation_s",
		     "tickets valid %u s outlive their keys (%u previous keys x "
		     "ticket_key_rotation_s %u = %u s)", t->params.ticket_lifetime_s,
		     MDP_TLS_TICKET_KEYS_OLD, t->ticket_key_rotation_s,
		     t->ticket_key_rotation_s * MDP_TLS_TICKET_KEYS_OLD);
		return;
	}
	if (mdp_tls_params_check(&t->params, msg, sizeof(msg)) < 0) {
		/* "FIELD: what": at the setting FIELD when the file has it */
		char *sep = strstr(msg, ": "), path[PATH_LEN];

		if (sep != NULL) {
			*sep = '\0';
			s = config_setting_get_member(tg, msg);
			path_member(path, "tls", msg);
			fail(ld, s != NULL ? s : tg, path, "%s", sep + 2);
		} else {
			fail(ld, tg, "tls", "%s", msg);
		}
	}
}

static int
tls_cred_find(const struct mdp_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->tls.n_creds; i++)
		if (strcmp(cfg->tls.creds[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
tls_bundle_find(const struct mdp_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->tls.n_bundles; i++)
		if (strcmp(cfg->tls.bundles[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* A credential named by `name` (s: the setting, or NULL for the default
 * name, reported at grp): copied to dst when it exists. */
static void
tls_cred_ref(struct loader *ld, const struct mdp_config *cfg, const config_setting_t *s,
	     const config_setting_t *grp, const char *path, const char *name, char *dst)
{
	if (tls_cred_find(cfg, name) >= 0) {
		snprintf(dst, 32, "%s", name);
		return;
	}
	fail(ld, s != NULL ? s : grp, path, "credential '%s' does not exist%s", name,
	     cfg->tls.n_creds == 0 ? " (tls.credentials is empty)" : "");
}

static bool
mtls_needs_bundle(enum mdp_mtls_mode m)
{
	return m == MDP_MTLS_STRICT || m == MDP_MTLS_PERMISSIVE;
}

static int
get_mtls(struct loader *ld, const config_setting_t *grp, const char *gpath,
	 enum mdp_mtls_mode *m, const config_setting_t **sp)
{
	char path[PATH_LEN];
	const char *v;
	int rc;

	rc = get_string(ld, grp, gpath, "mtls", &v, sp);
	if (rc <= 0)
		return rc;
	*m = mdp_tls_mtls_parse(v);
	if (*m == MDP_MTLS_UNSET) {
		path_member(path, gpath, "mtls");
		fail(ld, *sp, path,
		     "unknown mode '%s' (expected STRICT, PERMISSIVE, SIMPLE or DISABLE)", v);
		return -1;
	}
	return 1;
}

static void
load_listener_sni(struct loader *ld, const struct mdp_config *cfg,
		  struct mdp_conf_listener_tls *lt, const config_setting_t *tg,
		  const char *tpath, bool *bundle_needed)
{
	static const char *const known[] = { "server_name", "credential", "mtls", NULL };
	const config_setting_t *ls;
	char lpath[PATH_LEN];
	unsigned n;

	if (get_group_list(ld, tg, tpath, "sni", &ls) <= 0)
		return;
	path_member(lpath, tpath, "sni");
	n = (unsigned)config_setting_length(ls);
	if (n > MDP_CONF_MAX_SNI) {
		fail(ld, ls, lpath, "%u SNI entries, at most %u are allowed", n, MDP_CONF_MAX_SNI);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(ls, i), *s;
		struct mdp_conf_tls_sni *e = &lt->sni[lt->n_sni];
		char gpath[PATH_LEN], path[PATH_LEN];
		enum mdp_mtls_mode m = MDP_MTLS_UNSET;
		const char *v;
		bool ok = true;
		int rc;

		path_elem(gpath, lpath, i);
		if (!config_setting_is_group(g)) {
			fail(ld, g, gpath, "expected a group ({ server_name = ...; ... })");
			continue;
		}
		check_known(ld, g, gpath, known);
		memset(e, 0, sizeof(*e));
		rc = get_string(ld, g, gpath, "server_name", &v, &s);
		if (rc == 0)
			missing(ld, g, gpath, "server_name");
		ok = rc > 0;
		path_member(path, gpath, "server_name");
		if (ok && (!mdp_tls_sni_name_valid(v) || strlen(v) >= sizeof(e->server_name))) {
			fail(ld, s, path,
			     "'%s' is neither a host name nor *.suffix (1..253 of A-Z a-z 0-9 . - _)",
			     v);
			ok = false;
		}
		for (unsigned j = 0; ok && j < lt->n_sni; j++) {
			if (strcasecmp(lt->sni[j].server_name, v) == 0) {
				fail(ld, s, path, "'%s' is also the server_name of an earlier entry", v);
				ok = false;
			}
		}
		if (ok)
			snprintf(e->server_name, sizeof(e->server_name), "%s", v);
		rc = get_string(ld, g, gpath, "credential", &v, &s);
		if (rc > 0) {
			path_member(path, gpath, "credential");
			tls_cred_ref(ld, cfg, s, g, path, v, e->cred_name);
			e->credential = e->cred_name;
		}
		rc = get_mtls(ld, g, gpath, &m, &s);
		if (rc > 0 && m == MDP_MTLS_DISABLE) {
			path_member(path, gpath, "mtls");
			fail(ld, s, path, "DISABLE cannot apply to an SNI entry: the connection is "
			     "TLS already (SIMPLE asks for no client certificate)");
		} else if (rc > 0) {
			e->mtls = m;
			*bundle_needed = *bundle_needed || mtls_needs_bundle(m);
		}
		if (ok)
			lt->n_sni++;
	}
}

/* ALPN IDs as a list of strings, joined with commas. */
static void
load_listener_alpn(struct loader *ld, struct mdp_conf_listener_tls *lt,
		   const config_setting_t *tg, const char *tpath)
{
	const config_setting_t *ls;
	char lpath[PATH_LEN];
	size_t used = 0;

	if (get_scalar_list(ld, tg, tpath, "alpn", "strings", &ls) <= 0)
		return;
	path_member(lpath, tpath, "alpn");
	for (int i = 0; i < config_setting_length(ls); i++) {
		const config_setting_t *s = config_setting_get_elem(ls, (unsigned)i);
		char path[PATH_LEN];
		const char *v;
		size_t len;
		bool ok = true;

		path_elem(path, lpath, (unsigned)i);
		if (config_setting_type(s) != CONFIG_TYPE_STRING) {
			fail(ld, s, path, "expected a string");
			continue;
		}
		v = config_setting_get_string(s);
		len = strlen(v);
		for (size_t k = 0; k < len; k++)
			ok = ok && v[k] > 0x20 && v[k] < 0x7f && v[k] != ',';
		if (len == 0 || len > 255 || !ok) {
			fail(ld, s, path,
			     "'%s' is not a protocol ID (1..255 printable ASCII bytes, no comma)", v);
			continue;
		}
		if (used + (used > 0) + len >= sizeof(lt->alpn)) {
			fail(ld, s, path, "the list is longer than %zu bytes", sizeof(lt->alpn) - 1);
			return;
		}
		if (used > 0)
			lt->alpn[used++] = ',';
		memcpy(lt->alpn + used, v, len + 1);
		used += len;
	}
}

static void
load_listener_tls(struct loader *ld, struct mdp_config *cfg, struct mdp_conf_listener *l,
		  const config_setting_t *lg, const char *lpath)
{
	static const char *const known[] = { "mtls", "credential", "bundle", "alpn", "sni", NULL };
	static const char *const others[] = { "credential", "bundle", "alpn", "sni", NULL };
	struct mdp_conf_listener_tls *lt;
	const config_setting_t *tg, *s;
	char tpath[PATH_LEN], path[PATH_LEN];
	bool bundle_needed;
	const char *v;

	if (get_group(ld, lg, lpath, "tls", &tg) <= 0)
		return;
	path_member(tpath, lpath, "tls");
	check_known(ld, tg, tpath, known);
	lt = calloc(1, sizeof(*lt));
	if (lt == NULL) {
		fail(ld, tg, tpath, "out of memory");
		return;
	}
	l->tls = lt;
	lt->mtls = MDP_MTLS_STRICT;
	get_mtls(ld, tg, tpath, &lt->mtls, &s);
	if (lt->mtls == MDP_MTLS_DISABLE) {
		for (const char *const *o = others; *o != NULL; o++) {
			if (!lookup(tg, *o, &s))
				continue;
			path_member(path, tpath, *o);
			fail(ld, s, path, "does not apply with mtls DISABLE (a plaintext listener)");
		}
		return;
	}
	path_member(path, tpath, "credential");
	if (get_string(ld, tg, tpath, "credential", &v, &s) == 0)
		tls_cred_ref(ld, cfg, NULL, tg, path, "default", lt->credential);
	else if (s != NULL && config_setting_type(s) == CONFIG_TYPE_STRING)
		tls_cred_ref(ld, cfg, s, tg, path, v, lt->credential);
	bundle_needed = mtls_needs_bundle(lt->mtls);
	load_listener_sni(ld, cfg, lt, tg, tpath, &bundle_needed);
	path_member(path, tpath, "bundle");
	switch (get_string(ld, tg, tpath, "bundle", &v, &s)) {
	case 0:
		if (!bundle_needed)
			break;
		if (tls_bundle_find(cfg, "default") < 0)
			fail(ld, tg, path,
			     "mtls STRICT and PERMISSIVE need a trust bundle, and 'default' does "
			     "not exist%s", cfg->tls.n_bundles == 0 ? " (tls.bundles is empty)" : "");
		else
			snprintf(lt->bundle, sizeof(lt->bundle), "default");
		break;
	case 1:
		if (tls_bundle_find(cfg, v) < 0)
			fail(ld, s, path, "trust bundle '%s' does not exist%s", v,
			     cfg->tls.n_bundles == 0 ? " (tls.bundles is empty)" : "");
		else
			snprintf(lt->bundle, sizeof(lt->bundle), "%s", v);
		break;
	default:
		break;
	}
	load_listener_alpn(ld, lt, tg, tpath);
}

/* ---- listeners ---- */

/* "a.b.c.d:port", the port 1..5 digits without a leading zero (range is
 * the caller's). */
static bool
parse_host_port(const char *s, uint32_t *addr, unsigned *port)
{
	const char *colon = strrchr(s, ':');
	char a[MDP_IPV4_STRLEN];
	size_t n, d;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(a))
		return false;
	n = (size_t)(colon - s);
	memcpy(a, s, n);
	a[n] = '\0';
	if (mdp_ipv4_parse(a, addr) < 0)
		return false;
	d = strspn(colon + 1, "0123456789");
	if (d < 1 || d > 5 || colon[d + 1] != '\0' || (colon[1] == '0' && d > 1))
		return false;
	*port = (unsigned)strtoul(colon + 1, NULL, 10);
	return true;
}

/* Format a listener's address: "*" for any. */
static const char *
listen_addr_format(uint32_t addr, char *buf)
{
	if (addr == 0)
		return strcpy(buf, "*");
	return mdp_ipv4_format(addr, buf);
}

static void
load_listener_upstream(struct loader *ld, const config_setting_t *grp, const char *gpath,
		       struct mdp_conf_listener *l, bool kind_ok)
{
	char path[PATH_LEN], a[MDP_IPV4_STRLEN];
	const config_setting_t *s;
	const char *v, *why;
	uint32_t addr;
	unsigned port;
	int rc;

	rc = get_string(ld, grp, gpath, "upstream", &v, &s);
	if (rc == 0 && kind_ok && l->kind == MDP_LISTENER_TCP_PROXY)
		missing(ld, grp, gpath, "upstream");
	if (rc <= 0)
		return;
	path_member(path, gpath, "upstream");
	if (kind_ok && l->kind != MDP_LISTENER_TCP_PROXY) {
		fail(ld, s, path, "upstream only applies to tcp_proxy");
		return;
	}
	if (!parse_host_port(v, &addr, &port)) {
		fail(ld, s, path, "'%s' is not an IPv4 address and port (a.b.c.d:port)", v);
		return;
	}
	if (port < 1 || port > 65535) {
		fail(ld, s, path, "port %u is out of range (1..65535)", port);
		return;
	}
	why = bad_host_reason(addr);
	if (why != NULL) {
		fail(ld, s, path, "%s %s", mdp_ipv4_format(addr, a), why);
		return;
	}
	l->upstream_addr = addr;
	l->upstream_port = (uint16_t)port;
}

/* What later listeners are checked against. */
struct listener_state {
	bool name_ok;
	bool pair_ok;		/* addr and port valid */
};

static void
load_listener(struct loader *ld, struct mdp_config *cfg, struct listener_state *st,
	      unsigned idx, const config_setting_t *grp)
{
	static const char *const known[] = {
		"name", "kind", "address", "port", "upstream", "route_table", "tls", NULL,
	};
	static const struct {
		const char *name;
		enum mdp_listener_kind kind;
	} kinds[] = {
		{ "echo", MDP_LISTENER_ECHO },
		{ "discard", MDP_LISTENER_DISCARD },
		{ "tcp_proxy", MDP_LISTENER_TCP_PROXY },
		{ "http", MDP_LISTENER_HTTP },
	};
	struct mdp_conf_listener *l = &cfg->listeners[idx];
	char gpath[PATH_LEN], path[PATH_LEN], a[MDP_IPV4_STRLEN], b[MDP_IPV4_STRLEN];
	const config_setting_t *s, *ps;
	bool kind_ok = false, addr_ok = true;
	const char *v;
	long long n;
	int rc;

	path_elem(gpath, "listeners", idx);
	memset(l, 0, sizeof(*l));
	check_known(ld, grp, gpath, known);

	rc = get_string(ld, grp, gpath, "name", &v, &s);
	if (rc == 0)
		missing(ld, grp, gpath, "name");
	if (rc > 0) {
		path_member(path, gpath, "name");
		if (!valid_port_name(v)) {
			fail(ld, s, path, "'%s' must be 1..31 characters of A-Z a-z 0-9 _ -", v);
		} else {
			st[idx].name_ok = true;
			for (unsigned j = 0; j < idx; j++) {
				if (st[j].name_ok && strcmp(cfg->listeners[j].name, v) == 0) {
					fail(ld, s, path, "'%s' is also the name of listeners[%u]",
					     v, j);
					st[idx].name_ok = false;
					break;
				}
			}
			if (st[idx].name_ok)
				snprintf(l->name, sizeof(l->name), "%s", v);
		}
	}

	rc = get_string(ld, grp, gpath, "kind", &v, &s);
	if (rc == 0)
		missing(ld, grp, gpath, "kind");
	if (rc > 0) {
		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
			if (strcmp(v, kinds[k].name) == 0) {
				l->kind = kinds[k].kind;
				kind_ok = true;
				break;
			}
		}
		if (!kind_ok) {
			path_member(path, gpath, "kind");
			fail(ld, s, path,
			     "unknown kind '%s' (expected echo, discard, tcp_proxy or http)", v);
		}
	}

	rc = get_string(ld, grp, gpath, "address", &v, &s);
	if (rc < 0)
		addr_ok = false;
	if (rc > 0) {
		path_member(path, gpath, "address");
		if (mdp_ipv4_parse(v, &l->addr) < 0) {
			fail(ld, s, path, "'%s' is not an IPv4 address", v);
			addr_ok = false;
		} else {
			bool ours = false, known_all = cfg->n_ports > 0;

			/* a port whose address was rejected holds 0: then the
			 * listener cannot be judged, and its port's error says why */
			for (unsigned i = 0; i < cfg->n_ports; i++) {
				uint32_t pa = cfg->ports[i].addr;

				ours = ours || (pa != 0 && pa == l->addr);
				known_all = known_all && pa != 0;
			}
			if (!ours) {
				if (known_all)
					fail(ld, s, path, "%s is not the address of any port", v);
				addr_ok = false;
			}
		}
	}

	rc = get_int(ld, grp, gpath, "port", 1, 65535, &n, &ps);
	if (rc == 0)
		missing(ld, grp, gpath, "port");
	if (rc > 0) {
		l->port = (uint16_t)n;
		st[idx].pair_ok = addr_ok;
	}
	if (st[idx].pair_ok) {
		/* "any" takes the port on every address: it collides with all */
		path_member(path, gpath, "port");
		for (unsigned j = 0; j < idx; j++) {
			const struct mdp_conf_listener *o = &cfg->listeners[j];

			if (!st[j].pair_ok || o->port != l->port)
				continue;
			if (o->addr == l->addr)
				fail(ld, ps, path, "%s:%u is also used by listeners[%u]",
				     listen_addr_format(l->addr, a), l->port, j);
			else if (o->addr == 0 || l->addr == 0)
				fail(ld, ps, path, "%s:%u overlaps %s:%u of listeners[%u]",
				     listen_addr_format(l->addr, a), l->port,
				     listen_addr_format(o->addr, b), o->port, j);
			else
				continue;
			st[idx].pair_ok = false;
			break;
		}
	}

	load_listener_upstream(ld, grp, gpath, l, kind_ok);

	rc = get_string(ld, grp, gpath, "route_table", &v, &s);
	path_member(path, gpath, "route_table");
	if (rc > 0 && kind_ok && l->kind != MDP_LISTENER_HTTP)
		fail(ld, s, path, "route_table only applies to http");
	else if (rc > 0 && (v[0] == '\0' || strlen(v) >= sizeof(l->route_table)))
		fail(ld, s, path, "'%s' must be 1..%zu characters", v, sizeof(l->route_table) - 1);
	else if (rc > 0)
		snprintf(l->route_table, sizeof(l->route_table), "%s", v);
	else if (rc == 0 && kind_ok && l->kind == MDP_LISTENER_HTTP)
		snprintf(l->route_table, sizeof(l->route_table), "default");

	load_listener_tls(ld, cfg, l, grp, gpath);
}

static void
load_http(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	static const char *const known[] = {
		"max_request_line", "max_head", "max_headers", "head_timeout_ms",
		"idle_timeout_ms", "route_timeout_ms", "upstream_endpoints", "via",
		"request_id", NULL,
	};
	struct mdp_conf_http *h = &cfg->http;
	const config_setting_t *grp, *s;
	long long n;

	if (get_group(ld, root, "", "http", &grp) <= 0)
		return;
	check_known(ld, grp, "http", known);
	if (get_int(ld, grp, "http", "max_request_line", 64, 65536, &n, NULL) > 0)
		h->max_request_line = (uint32_t)n;
	if (get_int(ld, grp, "http", "max_head", 1024, 1048576, &n, &s) > 0)
		h->max_head = (uint32_t)n;
	if (get_int(ld, grp, "http", "max_headers", 8, 1000, &n, NULL) > 0)
		h->max_headers = (uint32_t)n;
	if (get_int(ld, grp, "http", "head_timeout_ms", 100, 3600000, &n, NULL) > 0)
		h->head_timeout_ms = (uint32_t)n;
	if (get_int(ld, grp, "http", "idle_timeout_ms", 100, 3600000, &n, NULL) > 0)
		h->idle_timeout_ms = (uint32_t)n;
	if (get_int(ld, grp, "http", "route_timeout_ms", 0, 3600000, &n, NULL) > 0)
		h->route_timeout_ms = (uint32_t)n;
	if (get_int(ld, grp, "http", "upstream_endpoints", 1, 1048576, &n, NULL) > 0)
		h->upstream_endpoints = (uint32_t)n;
	get_bool(ld, grp, "http", "via", &h->via);
	get_bool(ld, grp, "http", "request_id", &h->request_id);
	if (h->max_request_line > h->max_head && s != NULL)
		fail(ld, s, "http.max_head", "%u is below max_request_line (%u)", h->max_head,
		     h->max_request_line);
}

/* After the ports: a listener's address must be one of theirs. */
static void
load_listeners(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	struct listener_state st[MDP_MAX_LISTENERS] = { { 0 } };
	const config_setting_t *ls;
	unsigned n;

	if (get_group_list(ld, root, "", "listeners", &ls) <= 0)
		return;
	n = (unsigned)config_setting_length(ls);
	if (n > MDP_MAX_LISTENERS) {
		fail(ld, ls, "listeners", "%u listeners, at most %u are allowed", n,
		     MDP_MAX_LISTENERS);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(ls, i);
		char path[PATH_LEN];

		if (!config_setting_is_group(g)) {
			path_elem(path, "listeners", i);
			fail(ld, g, path, "expected a group ({ name = ...; ... })");
			memset(&cfg->listeners[i], 0, sizeof(cfg->listeners[i]));
			continue;
		}
		load_listener(ld, cfg, st, i, g);
	}
	cfg->n_listeners = n;
}

/* ---- entry points ---- */

/*
 * libconfig 1.5 stores a decimal literal without the L suffix in an int and
 * silently wraps it: "entries = 4294967312;" reads as 16. Scan the text for
 * such literals (the tokens as libconfig's scanner splits them) so that
 * they are errors rather than surprises. Included files are not scanned.
 */
static unsigned
check_int_literals(struct loader *ld, const char *text)
{
	const char *p = text;
	unsigned line = 1, bad = 0;

	while (*p != '\0') {
		const char *tok;

		if (*p == '\n') {
			line++;
			p++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (*p != '\0' && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p != '\0' && !(p[0] == '*' && p[1] == '/'); p++)
				if (*p == '\n')
					line++;
			if (*p != '\0')
				p += 2;
		} else if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				if (*p == '\n')
					line++;
			}
			if (*p != '\0')
				p++;
		} else if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '*' ||
			   *p == '@') {
			for (p++; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
				  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '*';
			     p++)
				;
		} else if ((*p >= '0' && *p <= '9') || *p == '.' ||
			   ((*p == '-' || *p == '+') && (p[1] == '.' || (p[1] >= '0' && p[1] <= '9')))) {
			bool is_float = false, hex = false;
			long long v;
			char *end;

			tok = p;
			if (*p == '-' || *p == '+')
				p++;
			if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
				hex = true;
				for (p += 2; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') ||
					     (*p >= 'A' && *p <= 'F'); p++)
					;
			} else {
				for (; (*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' ||
				       ((*p == '-' || *p == '+') && (p[-1] == 'e' || p[-1] == 'E'));
				     p++)
					if (*p == '.' || *p == 'e' || *p == 'E')
						is_float = true;
			}
			if (*p == 'L') {
				while (*p == 'L')
					p++;
				continue;	/* 64-bit literal: stored whole */
			}
			if (is_float)
				continue;
			errno = 0;
			v = strtoll(tok, &end, hex ? 16 : 10);
			/* hex is read as unsigned and wraps above INT_MAX too */
			if (errno == ERANGE || v > INT_MAX || v < INT_MIN) {
				fail_syntax(ld, ld->name, (int)line,
					    "integer %.*s does not fit in 32 bits (libconfig would wrap it)",
					    (int)(p - tok), tok);
				bad++;
			}
		} else {
			p++;
		}
	}
	return bad;
}

void
mdp_config_defaults(struct mdp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->main_lcore = 0;
	cfg->workers[0] = 1;
	cfg->n_workers = 1;
	cfg->main_cpu = 0;
	cfg->worker_cpus[0] = 1;
	cfg->mbufs = 8191;
	cfg->mbuf_cache = 256;
	cfg->mbuf_data_room = 2176;
	cfg->idle_mode = MDP_IDLE_ADAPTIVE;
	cfg->idle_empty_polls = 64;
	cfg->idle_sleep_min_us = 5;
	cfg->idle_sleep_max_us = 250;
	cfg->burst = 32;
	cfg->arp_entries = 1024;
	cfg->arp_timeout_s = 300;
	cfg->arp_pending = 4;
	cfg->arp_retries = 3;
	cfg->arp_retry_ms = 1000;
	cfg->arp_gratuitous = 2;
	cfg->timer_tick_us = 1000;
	cfg->timer_slots = 4096;
	snprintf(cfg->ctrl_socket, sizeof(cfg->ctrl_socket), "%s", "/run/meshdp/meshdp.sock");
	cfg->ctrl_max_clients = 16;
	cfg->ctrl_max_line = 4194304;	/* a route table of 10,000 routes is about 2 MB */
	cfg->ctrl_idle_timeout_s = 300;
	cfg->log_level = MDP_LOG_INFO;
	cfg->tcp.max_conns = 16384;
	cfg->tcp.rcv_buf = 262144;
	cfg->tcp.snd_buf = 262144;
	cfg->tcp.ooo_max = 4194304;
	cfg->tcp.syn_backlog = 1024;
	cfg->tcp.syncookies = true;
	cfg->tcp.sack = true;
	cfg->tcp.timestamps = true;
	cfg->tcp.window_scaling = true;
	cfg->tcp.cc = MDP_TCP_CC_CUBIC;
	cfg->tcp.initial_rto_ms = 1000;
	cfg->tcp.min_rto_ms = 200;
	cfg->tcp.max_rto_ms = 120000;
	cfg->tcp.max_retries = 15;
	cfg->tcp.syn_retries = 6;
	cfg->tcp.delayed_ack_ms = 40;
	cfg->tcp.time_wait_ms = 60000;
	cfg->tcp.time_wait_reuse = true;
	cfg->http.max_request_line = 8192;
	cfg->http.max_head = 16384;
	cfg->http.max_headers = 100;
	cfg->http.head_timeout_ms = 10000;
	cfg->http.idle_timeout_ms = 60000;
	cfg->http.route_timeout_ms = 15000;
	cfg->http.upstream_endpoints = 1024;
	cfg->http.via = false;
	cfg->http.request_id = true;
	cfg->tcp.fin_wait2_ms = 60000;
	cfg->tcp.connect_timeout_ms = 10000;
	cfg->tcp.keepalive_idle_s = 0;
	cfg->tcp.keepalive_interval_s = 75;
	cfg->tcp.keepalive_count = 9;
	cfg->tcp.challenge_ack_per_s = 10;
	mdp_tls_params_defaults(&cfg->tls.params);
	cfg->tls.ticket_key_rotation_s = 3600;
	cfg->tls.record_layer = MDP_TLS_RECORD_IPSEC_MB;
}

void
mdp_config_free(struct mdp_config *cfg)
{
	if (cfg == NULL)
		return;
	json_decref(cfg->mesh);
	cfg->mesh = NULL;
	for (unsigned i = 0; i < cfg->n_eal_args && i < MDP_MAX_EAL_ARGS; i++) {
		free(cfg->eal_args[i]);
		cfg->eal_args[i] = NULL;
	}
	cfg->n_eal_args = 0;
	for (unsigned i = 0; i < MDP_CONF_MAX_CREDS; i++) {
		mdp_tls_cred_unref(cfg->tls.creds[i].cred);
		cfg->tls.creds[i].cred = NULL;
	}
	for (unsigned i = 0; i < MDP_CONF_MAX_BUNDLES; i++) {
		mdp_tls_bundle_unref(cfg->tls.bundles[i].bundle);
		cfg->tls.bundles[i].bundle = NULL;
	}
	for (unsigned i = 0; i < MDP_MAX_LISTENERS; i++) {
		free(cfg->listeners[i].tls);
		cfg->listeners[i].tls = NULL;
	}
}

/* ---- the mesh resources: clusters, route tables, authorization policies ---- */

/* A libconfig setting as JSON: groups become objects, lists and arrays
 * arrays. */
static json_t *
setting_json(const config_setting_t *s)
{
	json_t *j;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		j = json_object();
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

			json_object_set_new(j, config_setting_name(e), setting_json(e));
		}
		return j;
	case CONFIG_TYPE_LIST:
	case CONFIG_TYPE_ARRAY:
		j = json_array();
		for (int i = 0; i < config_setting_length(s); i++)
			json_array_append_new(j, setting_json(config_setting_get_elem(s, (unsigned)i)));
		return j;
	case CONFIG_TYPE_INT:
		return json_integer(config_setting_get_int(s));
	case CONFIG_TYPE_INT64:
		return json_integer(config_setting_get_int64(s));
	case CONFIG_TYPE_FLOAT:
		return json_real(config_setting_get_float(s));
	case CONFIG_TYPE_BOOL:
		return json_boolean(config_setting_get_bool(s));
	case CONFIG_TYPE_STRING:
		return json_string(config_setting_get_string(s));
	default:
		return json_null();
	}
}

/* The setting a document path ("a[1].b.c") names, or the deepest one on
 * the way that exists. */
static const config_setting_t *
setting_at(const config_setting_t *root, const char *path)
{
	const config_setting_t *s = root;
	char name[128];

	while (*path != '\0') {
		const config_setting_t *next = NULL;

		if (*path == '.') {
			path++;
			continue;
		}
		if (*path == '[') {
			unsigned long i = strtoul(path + 1, NULL, 10);

			if (config_setting_is_aggregate(s) && i < (unsigned long)config_setting_length(s))
				next = config_setting_get_elem(s, (unsigned)i);
			path = strchr(path, ']');
			path = path != NULL ? path + 1 : "";
		} else {
			size_t n = strcspn(path, ".[");

			if (n >= sizeof(name))
				break;
			memcpy(name, path, n);
			name[n] = '\0';
			if (config_setting_is_group(s))
				next = config_setting_get_member(s, name);
			path += n;
		}
		if (next == NULL)
			break;
		s = next;
	}
	return s;
}

static void
load_mesh(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	static const char *const keys[] = { "clusters", "route_tables", "authorization_policies" };
	struct mdp_mesh_defaults def = { .route_timeout_ms = cfg->http.route_timeout_ms };
	struct mdp_mesh_spec *spec;
	char err[512];
	json_t *doc = json_object();

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const config_setting_t *s = config_setting_get_member(root, keys[i]);

		if (s == NULL)
			continue;
		if (!config_setting_is_list(s) && !config_setting_is_array(s)) {
			fail(ld, s, keys[i], "expected a list of groups (( { ... }, ... ))");
			json_decref(doc);
			return;
		}
		json_object_set_new(doc, keys[i], setting_json(s));
	}
	spec = mdp_mesh_spec_parse(doc, &def, err, sizeof(err));
	if (spec == NULL) {
		/* "PATH: MESSAGE" -> at the setting PATH names */
		char *sep = strstr(err, ": ");

		if (sep != NULL) {
			*sep = '\0';
			fail(ld, setting_at(root, err), err, "%s", sep + 2);
		} else {
			fail(ld, root, "clusters", "%s", err);
		}
		json_decref(doc);
		return;
	}
	for (unsigned l = 0; l < cfg->n_listeners; l++) {
		const struct mdp_conf_listener *lc = &cfg->listeners[l];
		char path[PATH_LEN];

		if (lc->kind != MDP_LISTENER_HTTP || lc->route_table[0] == '\0' ||
		    mdp_mesh_spec_rt(spec, lc->route_table) >= 0)
			continue;
		path_elem(path, "listeners", l);
		fail(ld, setting_at(root, path), path, "route table '%s' does not exist%s",
		     lc->route_table, spec->n_rts == 0 ? " (route_tables is empty)" : "");
	}
	mdp_mesh_spec_free(spec);
	cfg->mesh = doc;
}

static void
validate(struct loader *ld, const config_setting_t *root, struct mdp_config *cfg)
{
	static const char *const known[] = {
		"log_level", "eal", "cores", "mempool", "idle", "burst", "arp", "timers",
		"control", "tcp", "http", "tls", "ports", "listeners", "clusters", "route_tables",
		"authorization_policies", NULL,
	};
	bool workers_ok, room_ok;
	long long v;

	check_known(ld, root, "", known);
	load_log_level(ld, root, cfg);
	load_eal(ld, root, cfg);
	workers_ok = load_cores(ld, root, cfg);
	room_ok = load_mempool(ld, root, cfg);
	load_idle(ld, root, cfg);
	if (get_int(ld, root, "", "burst", 1, 256, &v, NULL) > 0)
		cfg->burst = (uint32_t)v;
	load_arp(ld, root, cfg);
	load_timers(ld, root, cfg);
	load_control(ld, root, cfg);
	load_tcp(ld, root, cfg);
	load_http(ld, root, cfg);
	load_ports(ld, root, cfg, workers_ok, room_ok);
	load_tls(ld, root, cfg);
	load_listeners(ld, root, cfg);
	load_mesh(ld, root, cfg);
}

static int
load_text(const char *text, const char *name, struct mdp_config *cfg, struct loader *ld)
{
	config_t lc;

	config_init(&lc);
	if (!config_read_string(&lc, text)) {
		const char *f = config_error_file(&lc);

		fail_syntax(ld, f != NULL ? f : name, config_error_line(&lc), "%s",
			    config_error_text(&lc) != NULL ? config_error_text(&lc) : "?");
	} else if (check_int_literals(ld, text) == 0) {
		validate(ld, config_root_setting(&lc), cfg);
	}
	config_destroy(&lc);
	if (ld->n_errors > 0) {
		mdp_config_free(cfg);
		return -1;
	}
	return 0;
}

static void
loader_init(struct loader *ld, const char *name, char *err, size_t errlen)
{
	memset(ld, 0, sizeof(*ld));
	ld->name = name;
	ld->err = err;
	ld->errlen = err != NULL ? errlen : 0;
	if (ld->errlen > 0)
		err[0] = '\0';
}

static void
bad_call(struct loader *ld)
{
	char line[LINE_LEN];

	snprintf(line, sizeof(line), "%s: cannot load: %s", ld->name, strerror(EINVAL));
	add_line(ld, line);
}

int
mdp_config_load_string(const char *text, const char *name, struct mdp_config *cfg,
		       char *err, size_t errlen)
{
	struct loader ld;

	if (name == NULL)
		name = "<string>";
	loader_init(&ld, name, err, errlen);
	if (cfg == NULL || text == NULL) {
		bad_call(&ld);
		return -1;
	}
	mdp_config_defaults(cfg);
	snprintf(cfg->file, sizeof(cfg->file), "%s", name);
	return load_text(text, name, cfg, &ld);
}

/* Read a whole file as a C string; 0 or a positive errno. */
static int
read_file(const char *path, char **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf, *nbuf;
	FILE *f;

	f = fopen(path, "r");
	if (f == NULL)
		return errno;
	buf = malloc(cap);
	if (buf == NULL) {
		fclose(f);
		return ENOMEM;
	}
	for (;;) {
		size_t r = fread(buf + n, 1, cap - n - 1, f);

		n += r;
		if (r == 0) {
			if (ferror(f)) {
				int e = errno != 0 ? errno : EIO;

				free(buf);
				fclose(f);
				return e;
			}
			break;
		}
		if (n + 1 == cap) {
			if (cap >= MAX_CONF_FILE) {
				free(buf);
				fclose(f);
				return EFBIG;
			}
			nbuf = realloc(buf, cap * 2);
			if (nbuf == NULL) {
				free(buf);
				fclose(f);
				return ENOMEM;
			}
			buf = nbuf;
			cap *= 2;
		}
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int
mdp_config_load(const char *path, struct mdp_config *cfg, char *err, size_t errlen)
{
	struct loader ld;
	size_t len = 0, nul;
	char *text = NULL;
	int rc;

	loader_init(&ld, path != NULL ? path : "<null>", err, errlen);
	if (cfg == NULL || path == NULL) {
		bad_call(&ld);
		return -1;
	}
	mdp_config_defaults(cfg);
	snprintf(cfg->file, sizeof(cfg->file), "%s", path);
	rc = read_file(path, &text, &len);
	if (rc != 0) {
		char line[LINE_LEN];

		snprintf(line, sizeof(line), "%s: cannot read: %s", path, strerror(rc));
		add_line(&ld, line);
		return -1;
	}
	/* config_read_string() would stop silently at a NUL byte */
	nul = strlen(text);
	if (nul < len) {
		unsigned line = 1;

		for (size_t i = 0; i < nul; i++)
			line += text[i] == '\n';
		fail_syntax(&ld, path, (int)line, "NUL byte in the file");
		free(text);
		return -1;
	}
	rc = load_text(text, path, cfg, &ld);
	free(text);
	return rc;
}
