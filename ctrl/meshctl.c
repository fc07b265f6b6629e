/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * meshctl: the operator's front end to meshdp's control socket.
 *
 * One connection per invocation: send one request line, read its reply
 * line, print it as a table (or as JSON with --json). `meshctl raw` sends
 * request lines as given and prints the reply lines as received. The
 * protocol is described in docs/control-protocol.md.
 *
 * Exit status: 0 success, 1 error reply (or a reply meshctl cannot read),
 * 2 meshdp unreachable (not running, refused, closed without replying),
 * 3 no reply within the timeout, 64 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "util/mdp_inet.h"

#ifndef MDP_VERSION
#define MDP_VERSION "unknown"
#endif

#define DEFAULT_SOCKET "/run/meshdp/meshdp.sock"
#define DEFAULT_TIMEOUT_S 5.0
#define REPLY_MAX ((size_t)256 << 20)	/* far above any reply meshdp sends */
#define REQUEST_ID 1

#define EXIT_ERROR 1
#define EXIT_UNREACHABLE 2
#define EXIT_TIMEOUT 3
#define EXIT_USAGE 64			/* EX_USAGE from sysexits.h */

struct conn {
	int fd;
	const char *path;
	double timeout_s;	/* 0: wait forever */
	int64_t deadline_ms;	/* CLOCK_MONOTONIC; meaningful when timeout_s > 0 */
	char *buf;		/* received bytes [start, len) not yet returned */
	size_t start;
	size_t len;
	size_t cap;
};

struct command {
	const char *name;
	const char *synopsis;
	const char *help;
	/* Build the request's args from the command's arguments (argv[0] is
	 * the command name); calls usage_error() on bad arguments. NULL for
	 * raw, which sends its arguments as they are. */
	json_t *(*parse)(int argc, char **argv);
	/* Print a successful result for humans. */
	void (*print)(json_t *result);
};

static void usage(FILE *f);

static bool opt_json;

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("meshctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	usage(stderr);
	exit(EXIT_USAGE);
}

static void __attribute__((noreturn, format(printf, 2, 3)))
fail(int status, const char *fmt, ...)
{
	va_list ap;

	/* Whatever was printed so far goes out before the message. */
	fflush(stdout);
	fputs("meshctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (p == NULL)
		fail(EXIT_ERROR, "out of memory");
	return p;
}

/* ---- connection ---------------------------------------------------- */

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn))
fail_timeout(const struct conn *c)
{
	fail(EXIT_TIMEOUT, "no reply from meshdp within %g s (socket %s)", c->timeout_s, c->path);
}

/* Poll timeout for what is left of the deadline. */
static int
remaining_ms(const struct conn *c)
{
	int64_t left;

	if (c->timeout_s <= 0)
		return -1;
	left = c->deadline_ms - now_ms();
	if (left <= 0)
		fail_timeout(c);
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

/* Wait until fd is ready for events; gives up at the deadline. Returns
 * the events that occurred. */
static short
conn_wait(const struct conn *c, short events)
{
	struct pollfd pfd = { .fd = c->fd, .events = events };
	int n;

	for (;;) {
		n = poll(&pfd, 1, remaining_ms(c));
		if (n > 0)
			return pfd.revents;
		if (n == 0)
			fail_timeout(c);
		if (errno != EINTR)
			fail(EXIT_ERROR, "poll: %s", strerror(errno));
	}
}

static void
conn_open(struct conn *c, const char *path, double timeout_s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err;

	memset(c, 0, sizeof(*c));
	c->path = path;
	c->timeout_s = timeout_s;
	if (timeout_s > 0)
		c->deadline_ms = now_ms() + (int64_t)(timeout_s * 1000.0 + 0.999);
	if (strlen(path) >= sizeof(sa.sun_path))
		usage_error("socket path too long (at most %zu bytes): %s",
			    sizeof(sa.sun_path) - 1, path);
	memcpy(sa.sun_path, path, strlen(path) + 1);

	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		fail(EXIT_ERROR, "socket: %s", strerror(errno));
	for (;;) {
		if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			return;
		err = errno;
		if (err == EINTR)
			continue;
		if (err == EAGAIN) {
			/* The listen backlog is full: meshdp is alive but
			 * slow to accept; try again until the deadline. */
			struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };

			remaining_ms(c);
			nanosleep(&ts, NULL);
			continue;
		}
		if (err == EINPROGRESS) {
			socklen_t len = sizeof(err);

			conn_wait(c, POLLOUT);
			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
				err = errno;
			if (err == 0)
				return;
		}
		break;
	}
	if (err == ENOENT)
		fail(EXIT_UNREACHABLE, "meshdp is not running (no control socket at %s)", path);
	if (err == ECONNREFUSED)
		fail(EXIT_UNREACHABLE, "meshdp is not running (nothing listens on %s)", path);
	if (err == EACCES)
		fail(EXIT_UNREACHABLE, "cannot connect to %s: %s (run as root or as a member "
		     "of the socket's group)", path, strerror(err));
	fail(EXIT_UNREACHABLE, "cannot connect to %s: %s", path, strerror(err));
}

/*
 * Send all of data. Returns 0, or -1 when meshdp closed the connection: it
 * may have said why in a reply (too_many_clients, too_long) that the caller
 * can still read.
 */
static int
conn_send(struct conn *c, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);

		if (n > 0) {
			data += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			conn_wait(c, POLLOUT);
			continue;
		}
		if (errno == EPIPE || errno == ECONNRESET)
			return -1;
		fail(EXIT_UNREACHABLE, "send to %s: %s", c->path, strerror(errno));
	}
	return 0;
}

/* The next complete line already received, or NULL; see conn_read_line(). */
static char *
conn_next_line(struct conn *c, size_t *lenp)
{
	char *line = c->buf + c->start, *nl;

	if (c->start == c->len || (nl = memchr(line, '\n', c->len - c->start)) == NULL)
		return NULL;
	*nl = '\0';
	*lenp = (size_t)(nl - line);
	c->start = (size_t)(nl - c->buf) + 1;
	return line;
}

/*
 * Receive what is there without blocking. Returns 1 when bytes arrived, 0
 * when there was nothing to read, -1 when meshdp closed the connection.
 */
static int
conn_fill(struct conn *c)
{
	ssize_t n;

	/* Make room: drop what was returned, then grow. */
	if (c->start == c->len) {
		c->start = c->len = 0;
	} else if (c->start > 0 && c->cap - c->len < 4096) {
		memmove(c->buf, c->buf + c->start, c->len - c->start);
		c->len -= c->start;
		c->start = 0;
	}
	if (c->cap - c->len < 4096) {
		if (c->cap >= REPLY_MAX)
			fail(EXIT_ERROR, "reply from meshdp longer than %zu MiB", REPLY_MAX >> 20);
		c->cap = c->cap ? c->cap * 2 : 65536;
		c->buf = xrealloc(c->buf, c->cap);
	}
	for (;;) {
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n > 0) {
			c->len += (size_t)n;
			return 1;
		}
		if (n == 0 || errno == ECONNRESET)
			return -1;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno != EINTR)
			fail(EXIT_UNREACHABLE, "receive from %s: %s", c->path, strerror(errno));
	}
}

/*
 * Return the next line received, without its "\n" and NUL-terminated, valid
 * until the next call; its length in *lenp. Returns NULL when meshdp closed
 * the connection first (a partial last line is dropped).
 */
static char *
conn_read_line(struct conn *c, size_t *lenp)
{
	for (;;) {
		char *line = conn_next_line(c, lenp);
		int rc;

		if (line != NULL)
			return line;
		rc = conn_fill(c);
		if (rc < 0)
			return NULL;
		if (rc == 0)
			conn_wait(c, POLLIN);
	}
}

static void
conn_close(struct conn *c)
{
	close(c->fd);
	free(c->buf);
	c->buf = NULL;
}

/* ---- formatting helpers --------------------------------------------- */

/* A scalar as text: strings as they are, numbers, booleans; "-" for null
 * or missing. Returns buf or the string's own storage. */
static const char *
val_str(const json_t *v, char *buf, size_t len)
{
	if (v == NULL || json_is_null(v))
		return "-";
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%.15g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else
		snprintf(buf, len, "%s", json_is_array(v) ? "[...]" : "{...}");
	return buf;
}

static const char *
get_str(const json_t *obj, const char *key, char *buf, size_t len)
{
	return val_str(json_object_get(obj, key), buf, len);
}

static json_int_t
get_int(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (json_int_t)json_real_value(v);
	return 0;
}

/*
 * A table of text cells, filled cell by cell, printed with each column as
 * wide as its widest cell. align has one letter per column: 'l' or 'r'.
 */
struct table {
	size_t ncols;
	const char *align;
	char **cells;
	size_t n;
	size_t cap;
};

static void
table_init(struct table *t, size_t ncols, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->align = align;
}

static void __attribute__((format(printf, 2, 3)))
table_cell(struct table *t, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fail(EXIT_ERROR, "out of memory");
	va_end(ap);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = xrealloc(t->cells, t->cap * sizeof(*t->cells));
	}
	t->cells[t->n++] = s;
}

/* Pad the current row with empty cells. */
static void
table_end_row(struct table *t)
{
	while (t->n % t->ncols != 0)
		table_cell(t, "%s", "");
}

static void
table_print(struct table *t, int indent)
{
	size_t *width = calloc(t->ncols, sizeof(*width));

	if (width == NULL)
		fail(EXIT_ERROR, "out of memory");
	table_end_row(t);
	for (size_t i = 0; i < t->n; i++) {
		size_t col = i % t->ncols, w = strlen(t->cells[i]);

		if (w > width[col])
			width[col] = w;
	}
	for (size_t row = 0; row < t->n / t->ncols; row++) {
		char **cell = &t->cells[row * t->ncols];
		size_t last = t->ncols;

		/* No trailing blanks: stop after the last non-empty cell. */
		while (last > 0 && cell[last - 1][0] == '\0')
			last--;
		if (last > 0)
			printf("%*s", indent, "");
		for (size_t col = 0; col < last; col++) {
			int w = (int)width[col];

			if (col > 0)
				fputs("  ", stdout);
			if (t->align[col] == 'r')
				printf("%*s", w, cell[col]);
			else if (col + 1 == last)
				fputs(cell[col], stdout);
			else
				printf("%-*s", w, cell[col]);
		}
		putchar('\n');
	}
	free(width);
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n = t->cap = 0;
}

static void
format_duration_s(double s, char *buf, size_t len)
{
	unsigned long long t = s > 0 ? (unsigned long long)s : 0;
	unsigned long long d = t / 86400, h = t / 3600 % 24, m = t / 60 % 60, sec = t % 60;

	if (d > 0)
		snprintf(buf, len, "%llud %02llu:%02llu:%02llu", d, h, m, sec);
	else
		snprintf(buf, len, "%02llu:%02llu:%02llu", h, m, sec);
}

static void
format_age_ms(json_int_t ms, char *buf, size_t len)
{
	if (ms < 0)
		snprintf(buf, len, "-");
	else if (ms < 1000)
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT "ms", ms);
	else if (ms < 60 * 1000)
		snprintf(buf, len, "%.1fs", (double)ms / 1000.0);
	else if (ms < 3600 * 1000)
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT "m%02" JSON_INTEGER_FORMAT "s",
			 ms / 60000, ms / 1000 % 60);
	else
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT "h%02" JSON_INTEGER_FORMAT "m",
			 ms / 3600000, ms / 60000 % 60);
}

/* ---- argument helpers ----------------------------------------------- */

static void
no_more_args(int argc, char **argv, int used)
{
	if (argc > used)
		usage_error("%s: unexpected argument '%s'", argv[0], argv[used]);
}

static json_t *
parse_none(int argc, char **argv)
{
	no_more_args(argc, argv, 1);
	return json_object();
}

/* Commands that take one optional positional argument named key. */
static json_t *
parse_optional(int argc, char **argv, const char *key)
{
	json_t *args = json_object();

	if (argc > 1) {
		if (argv[1][0] == '-')
			usage_error("%s: unknown option '%s'", argv[0], argv[1]);
		json_object_set_new(args, key, json_string(argv[1]));
	}
	no_more_args(argc, argv, 2);
	return args;
}

/* ---- version -------------------------------------------------------- */

static void
print_version(json_t *r)
{
	char b[64];
	struct table t;

	table_init(&t, 2, "ll");
	table_cell(&t, "meshdp");
	table_cell(&t, "%s", get_str(r, "version", b, sizeof(b)));
	table_cell(&t, "dpdk");
	table_cell(&t, "%s", get_str(r, "dpdk", b, sizeof(b)));
	table_cell(&t, "meshctl");
	table_cell(&t, "%s", MDP_VERSION);
	table_print(&t, 0);
}

/* ---- status --------------------------------------------------------- */

static void
print_status(json_t *r)
{
	json_t *workers = json_object_get(r, "workers"), *w;
	char b[64], up[64];
	struct table t;
	size_t i;

	format_duration_s(json_number_value(json_object_get(r, "uptime_s")), up, sizeof(up));
	table_init(&t, 2, "ll");
	table_cell(&t, "pid");
	table_cell(&t, "%s", get_str(r, "pid", b, sizeof(b)));
	table_cell(&t, "uptime");
	table_cell(&t, "%s (since %s)", up, get_str(r, "started_at", b, sizeof(b)));
	table_cell(&t, "config file");
	table_cell(&t, "%s", get_str(r, "config_file", b, sizeof(b)));
	table_cell(&t, "log level");
	table_cell(&t, "%s", get_str(r, "log_level", b, sizeof(b)));
	table_cell(&t, "main lcore");
	table_cell(&t, "%s", get_str(r, "main_lcore", b, sizeof(b)));
	table_cell(&t, "ports");
	table_cell(&t, "%s", get_str(r, "ports", b, sizeof(b)));
	table_cell(&t, "workers");
	table_cell(&t, "%zu", json_array_size(workers));
	if (json_object_get(r, "mbufs") != NULL) {
		json_t *mb = json_object_get(r, "mbufs");

		table_cell(&t, "mbufs");
		table_cell(&t, "%lld in use of %lld", (long long)get_int(mb, "in_use"),
			   (long long)get_int(mb, "size"));
	}
	table_print(&t, 0);

	if (json_array_size(workers) == 0)
		return;
	putchar('\n');
	table_init(&t, 4, "rrrr");
	table_cell(&t, "WORKER");
	table_cell(&t, "LCORE");
	table_cell(&t, "QUEUE");
	table_cell(&t, "TCP CONNS");
	json_array_foreach(workers, i, w) {
		json_t *tc = json_object_get(w, "tcp_conns");

		table_cell(&t, "%s", get_str(w, "worker", b, sizeof(b)));
		table_cell(&t, "%s", get_str(w, "lcore", b, sizeof(b)));
		table_cell(&t, "%s", get_str(w, "queue", b, sizeof(b)));
		if (tc != NULL)
			table_cell(&t, "%lld / %lld", (long long)get_int(tc, "used"),
				   (long long)get_int(tc, "size"));
		else
			table_cell(&t, "-");
	}
	table_print(&t, 0);
}

/* ---- ports ---------------------------------------------------------- */

static json_t *
parse_ports(int argc, char **argv)
{
	return parse_optional(argc, argv, "port");
}

static void
counter_row(struct table *t, const char *label, const json_t *dpdk, const char *dkey,
	    const json_t *mdp, const char *mkey)
{
	char b[32];

	table_cell(t, "%s", label);
	table_cell(t, "%s", dkey ? get_str(dpdk, dkey, b, sizeof(b)) : "");
	table_cell(t, "%s", mkey ? get_str(mdp, mkey, b, sizeof(b)) : "");
}

static void
print_port(json_t *p)
{
	json_t *link = json_object_get(p, "link"), *routes = json_object_get(p, "routes");
	json_t *dpdk = json_object_get(p, "dpdk"), *mdp = json_object_get(p, "meshdp");
	json_t *reasons = json_object_get(mdp, "drop_reasons"), *v;
	char b[256], b2[64], b3[64];
	const char *key;
	struct table t;
	size_t i;

	printf("port %s: dpdk port %s, driver %s, device %s\n", get_str(p, "name", b, sizeof(b)),
	       get_str(p, "port_id", b2, sizeof(b2)), get_str(p, "driver", b3, sizeof(b3)),
	       get_str(p, "device", b, sizeof(b)));

	table_init(&t, 2, "ll");
	table_cell(&t, "link");
	if (json_is_true(json_object_get(link, "up"))) {
		json_int_t speed = get_int(link, "speed_mbps");
		const char *duplex = json_is_true(json_object_get(link, "full_duplex")) ?
			"full duplex" : "half duplex";

		/* 4294967295: RTE_ETH_SPEED_NUM_UNKNOWN */
		if (speed <= 0 || speed >= UINT32_MAX)
			table_cell(&t, "up, %s", duplex);
		else if (speed % 1000 == 0)
			table_cell(&t, "up, %" JSON_INTEGER_FORMAT " Gb/s, %s", speed / 1000, duplex);
		else
			table_cell(&t, "up, %" JSON_INTEGER_FORMAT " Mb/s, %s", speed, duplex);
	} else {
		table_cell(&t, "down");
	}
	table_cell(&t, "mac");
	table_cell(&t, "%s", get_str(p, "mac", b, sizeof(b)));
	table_cell(&t, "address");
	table_cell(&t, "%s", get_str(p, "address", b, sizeof(b)));
	table_cell(&t, "gateway");
	table_cell(&t, "%s", get_str(p, "gateway", b, sizeof(b)));
	json_array_foreach(routes, i, v) {
		table_cell(&t, "route");
		table_cell(&t, "%s via %s", get_str(v, "dst", b, sizeof(b)),
			   get_str(v, "via", b2, sizeof(b2)));
	}
	table_cell(&t, "mtu");
	table_cell(&t, "%s", get_str(p, "mtu", b, sizeof(b)));
	table_cell(&t, "rx queues");
	table_cell(&t, "%s x %s descriptors", get_str(p, "rx_queues", b, sizeof(b)),
		   get_str(p, "rx_desc", b2, sizeof(b2)));
	table_cell(&t, "tx queues");
	table_cell(&t, "%s x %s descriptors", get_str(p, "tx_queues", b, sizeof(b)),
		   get_str(p, "tx_desc", b2, sizeof(b2)));
	table_print(&t, 2);
	putchar('\n');

	table_init(&t, 3, "lrr");
	table_cell(&t, "COUNTER");
	table_cell(&t, "DPDK");
	table_cell(&t, "MESHDP");
	counter_row(&t, "rx packets", dpdk, "ipackets", mdp, "rx_packets");
	counter_row(&t, "rx bytes", dpdk, "ibytes", mdp, "rx_bytes");
	counter_row(&t, "tx packets", dpdk, "opackets", mdp, "tx_packets");
	counter_row(&t, "tx bytes", dpdk, "obytes", mdp, "tx_bytes");
	counter_row(&t, "rx missed", dpdk, "imissed", NULL, NULL);
	counter_row(&t, "rx errors", dpdk, "ierrors", NULL, NULL);
	counter_row(&t, "tx errors", dpdk, "oerrors", NULL, NULL);
	counter_row(&t, "rx no mbuf", dpdk, "rx_nombuf", NULL, NULL);
	counter_row(&t, "drops", NULL, NULL, mdp, "drops");
	table_print(&t, 2);

	if (json_object_size(reasons) == 0)
		return;
	putchar('\n');
	table_init(&t, 2, "lr");
	table_cell(&t, "DROP REASON");
	table_cell(&t, "PACKETS");
	json_object_foreach(reasons, key, v) {
		table_cell(&t, "%s", key);
		table_cell(&t, "%s", val_str(v, b, sizeof(b)));
	}
	table_print(&t, 2);
}

static void
print_ports(json_t *r)
{
	json_t *ports = json_object_get(r, "ports"), *p;
	size_t i;

	if (json_array_size(ports) == 0) {
		printf("no ports\n");
		return;
	}
	json_array_foreach(ports, i, p) {
		if (i > 0)
			putchar('\n');
		print_port(p);
	}
}

/* ---- stats ---------------------------------------------------------- */

static json_t *
parse_stats(int argc, char **argv)
{
	json_t *args = json_object();

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *num = NULL;
		char *end;
		long w;

		if (strcmp(a, "--nonzero") == 0 || strcmp(a, "-n") == 0) {
			json_object_set_new(args, "nonzero", json_true());
			continue;
		}
		if (strcmp(a, "--worker") == 0 || strcmp(a, "-w") == 0) {
			if (i + 1 >= argc)
				usage_error("stats: %s needs a worker number", a);
			num = argv[++i];
		} else if (strncmp(a, "--worker=", 9) == 0) {
			num = a + 9;
		} else {
			usage_error("stats: unexpected argument '%s'", a);
		}
		errno = 0;
		w = strtol(num, &end, 10);
		if (errno != 0 || end == num || *end != '\0' || w < 0 || w > INT32_MAX)
			usage_error("stats: bad worker number '%s'", num);
		json_object_set_new(args, "worker", json_integer(w));
	}
	return args;
}

/* Append the names of obj's members that are not in names yet. */
static void
names_merge(json_t *names, const json_t *obj)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		(void)v;
		if (json_object_get(names, key) == NULL)
			json_object_set_new(names, key, json_true());
	}
}

static void
print_stats(json_t *r)
{
	static const char *const loop_keys[] = {
		"polls_busy", "polls_idle", "sleeps", "sleep_us", "timers_fired",
	};
	json_t *workers = json_object_get(r, "workers"), *total = json_object_get(r, "total");
	json_t *names, *w, *v;
	size_t nw = json_array_size(workers), i, ncols = nw + 2;
	char *align = xrealloc(NULL, ncols + 1), b[32];
	const char *key;
	struct table t;

	memset(align, 'r', ncols);
	align[0] = 'l';
	align[ncols] = '\0';
	table_init(&t, ncols, align);

	table_cell(&t, "COUNTER");
	for (i = 0; i < nw; i++)
		table_cell(&t, "WORKER %s", get_str(json_array_get(workers, i), "worker", b, sizeof(b)));
	table_cell(&t, "TOTAL");
	table_cell(&t, "lcore");
	for (i = 0; i < nw; i++)
		table_cell(&t, "%s", get_str(json_array_get(workers, i), "lcore", b, sizeof(b)));
	table_end_row(&t);

	/* Loop accounting: the total is summed here. */
	for (size_t k = 0; k < sizeof(loop_keys) / sizeof(loop_keys[0]); k++) {
		json_int_t sum = 0;
		bool any = false;

		for (i = 0; i < nw; i++) {
			json_t *loop = json_object_get(json_array_get(workers, i), "loop");

			if (json_object_get(loop, loop_keys[k]) != NULL)
				any = true;
			sum += get_int(loop, loop_keys[k]);
		}
		if (!any)
			continue;
		table_cell(&t, "loop.%s", loop_keys[k]);
		for (i = 0; i < nw; i++) {
			json_t *loop = json_object_get(json_array_get(workers, i), "loop");

			table_cell(&t, "%s", get_str(loop, loop_keys[k], b, sizeof(b)));
		}
		table_cell(&t, "%" JSON_INTEGER_FORMAT, sum);
	}

	/* Counters in the order of the total, then any a worker adds; a
	 * blank row sets them apart from the loop accounting. */
	for (i = 0; i < ncols; i++)
		table_cell(&t, "%s", "");
	names = json_object();
	names_merge(names, total);
	json_array_foreach(workers, i, w)
		names_merge(names, json_object_get(w, "counters"));
	json_object_foreach(names, key, v) {
		(void)v;
		table_cell(&t, "%s", key);
		for (i = 0; i < nw; i++) {
			json_t *cnt = json_object_get(json_array_get(workers, i), "counters");
			json_t *c = json_object_get(cnt, key);

			table_cell(&t, "%s", c ? val_str(c, b, sizeof(b)) : "0");
		}
		v = json_object_get(total, key);
		table_cell(&t, "%s", v ? val_str(v, b, sizeof(b)) : "0");
	}
	json_decref(names);
	table_print(&t, 0);
	free(align);
}

/* ---- runtime -------------------------------------------------------- */

static json_t *
parse_runtime(int argc, char **argv)
{
	json_t *args = json_object();

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--reset") == 0 || strcmp(argv[i], "-r") == 0)
			json_object_set_new(args, "reset", json_true());
		else
			usage_error("runtime: unexpected argument '%s'", argv[i]);
	}
	return args;
}

/* A number member as text with `prec` decimals; "-" for null or missing. */
static const char *
get_num(const json_t *obj, const char *key, int prec, char *buf, size_t len)
{
	const json_t *v = json_object_get(obj, key);

	if (!json_is_number(v))
		return "-";
	snprintf(buf, len, "%.*f", prec, json_number_value(v));
	return buf;
}

/* One worker's block, after VPP's `show runtime`. */
static void
print_runtime_worker(const json_t *w)
{
	const json_t *hist = json_object_get(w, "burst_histogram"), *stages, *http, *h, *v;
	char b[32], b2[32], b3[32];
	const char *key;
	size_t i, last = 1;
	struct table t;

	printf("worker %s, lcore %s\n", get_str(w, "worker", b, sizeof(b)),
	       get_str(w, "lcore", b2, sizeof(b2)));
	table_init(&t, 2, "ll");
	table_cell(&t, "time");
	table_cell(&t, "busy %s%%  idle %s%%  sleep %s%%", get_num(w, "busy_pct", 1, b, sizeof(b)),
		   get_num(w, "idle_pct", 1, b2, sizeof(b2)),
		   get_num(w, "sleep_pct", 1, b3, sizeof(b3)));
	table_cell(&t, "cycles");
	table_cell(&t, "busy %lld  idle %lld  sleep %lld", (long long)get_int(w, "cycles_busy"),
		   (long long)get_int(w, "cycles_idle"), (long long)get_int(w, "cycles_sleep"));
	table_cell(&t, "polls");
	table_cell(&t, "busy %lld  idle %lld  sleeps %lld", (long long)get_int(w, "polls_busy"),
		   (long long)get_int(w, "polls_idle"), (long long)get_int(w, "sleeps"));
	table_cell(&t, "packets");
	table_cell(&t, "rx %lld  tx %lld  cycles/packet %s", (long long)get_int(w, "rx_packets"),
		   (long long)get_int(w, "tx_packets"),
		   get_num(w, "cycles_per_packet", 1, b, sizeof(b)));
	table_cell(&t, "rx bursts");
	table_cell(&t, "%lld, %lld with packets, %s packets/burst",
		   (long long)get_int(w, "rx_bursts"), (long long)get_int(w, "rx_bursts_nonempty"),
		   get_num(w, "packets_per_burst", 2, b, sizeof(b)));
	http = json_object_get(w, "http");
	if (json_is_object(http)) {
		table_cell(&t, "http");
		table_cell(&t, "requests %lld  responses %lld  cycles/request %s",
			   (long long)get_int(http, "requests"), (long long)get_int(http, "responses"),
			   get_num(http, "cycles_per_request", 1, b, sizeof(b)));
	}
	table_cell(&t, "timers");
	table_cell(&t, "%lld fired", (long long)get_int(w, "timers_fired"));
	table_print(&t, 2);

	/* Burst sizes up to the largest seen (at least 1). */
	json_array_foreach(hist, i, h)
		if (get_int(h, "bursts") > 0 && i > last)
			last = i;
	putchar('\n');
	table_init(&t, last + 2, "lrrrrrrrrrrr");
	table_cell(&t, "BURST SIZE");
	for (i = 0; i <= last; i++) {
		h = json_array_get(hist, i);
		if (get_int(h, "min") == get_int(h, "max"))
			table_cell(&t, "%lld", (long long)get_int(h, "min"));
		else
			table_cell(&t, "%lld-%lld", (long long)get_int(h, "min"),
				   (long long)get_int(h, "max"));
	}
	table_cell(&t, "bursts");
	for (i = 0; i <= last; i++)
		table_cell(&t, "%lld", (long long)get_int(json_array_get(hist, i), "bursts"));
	table_print(&t, 2);

	putchar('\n');
	stages = json_object_get(w, "stages");
	table_init(&t, 5, "lrrrr");
	table_cell(&t, "STAGE");
	table_cell(&t, "CYCLES");
	table_cell(&t, "%%");
	table_cell(&t, "CALLS");
	table_cell(&t, "CYCLES/CALL");
	json_object_foreach((json_t *)stages, key, v) {
		table_cell(&t, "%s", key);
		table_cell(&t, "%lld", (long long)get_int(v, "cycles"));
		table_cell(&t, "%s", get_num(v, "pct", 2, b, sizeof(b)));
		table_cell(&t, "%lld", (long long)get_int(v, "calls"));
		table_cell(&t, "%s", get_num(v, "cycles_per_call", 1, b, sizeof(b)));
	}
	table_print(&t, 2);
}

static void
print_runtime(json_t *r)
{
	json_t *workers = json_object_get(r, "workers"), *w;
	char b[32];
	size_t i;

	printf("since %s s%s, TSC %.3f GHz\n", get_num(r, "since_s", 3, b, sizeof(b)),
	       json_is_true(json_object_get(r, "reset")) ? " (now reset)" : "",
	       (double)get_int(r, "tsc_hz") / 1e9);
	json_array_foreach(workers, i, w) {
		putchar('\n');
		print_runtime_worker(w);
	}
}

/* ---- arp ------------------------------------------------------------ */

static json_t *
parse_arp(int argc, char **argv)
{
	return parse_optional(argc, argv, "port");
}

static void
print_arp(json_t *r)
{
	json_t *entries = json_object_get(r, "entries"), *e;
	char b[4][64];
	struct table t;
	size_t i;

	if (json_array_size(entries) == 0) {
		printf("no ARP entries\n");
		return;
	}
	table_init(&t, 7, "llllrrr");
	table_cell(&t, "IP");
	table_cell(&t, "MAC");
	table_cell(&t, "STATE");
	table_cell(&t, "PORT");
	table_cell(&t, "WORKER");
	table_cell(&t, "AGE");
	table_cell(&t, "PENDING");
	json_array_foreach(entries, i, e) {
		format_age_ms(json_object_get(e, "age_ms") ? get_int(e, "age_ms") : -1, b[3],
			      sizeof(b[3]));
		table_cell(&t, "%s", get_str(e, "ip", b[0], sizeof(b[0])));
		table_cell(&t, "%s", get_str(e, "mac", b[0], sizeof(b[0])));
		table_cell(&t, "%s", get_str(e, "state", b[0], sizeof(b[0])));
		table_cell(&t, "%s", get_str(e, "port", b[0], sizeof(b[0])));
		table_cell(&t, "%s", get_str(e, "worker", b[0], sizeof(b[0])));
		table_cell(&t, "%s", b[3]);
		table_cell(&t, "%s", get_str(e, "pending", b[0], sizeof(b[0])));
	}
	table_print(&t, 0);
}

/* ---- conns ---------------------------------------------------------- */

/* conns [STATE] [--limit N] */
static json_t *
parse_conns(int argc, char **argv)
{
	json_t *args = json_object();

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--limit") == 0 || strcmp(argv[i], "-l") == 0) {
			char *end;
			long long n;

			if (i + 1 >= argc)
				usage_error("%s: --limit needs a number", argv[0]);
			n = strtoll(argv[++i], &end, 10);
			if (*end != '\0' || n < 0)
				usage_error("%s: --limit '%s' is not a count", argv[0], argv[i]);
			json_object_set_new(args, "limit", json_integer(n));
		} else if (argv[i][0] == '-') {
			usage_error("%s: unknown option '%s'", argv[0], argv[i]);
		} else if (json_object_get(args, "state") == NULL) {
			json_object_set_new(args, "state", json_string(argv[i]));
		} else {
			usage_error("%s: unexpected argument '%s'", argv[0], argv[i]);
		}
	}
	return args;
}

static void
print_conns(json_t *r)
{
	json_t *conns = json_object_get(r, "conns"), *e;
	char b[64];
	struct table t;
	size_t i;

	if (json_array_size(conns) == 0) {
		printf("no connections\n");
		return;
	}
	table_init(&t, 11, "lllrrrrrrrr");
	table_cell(&t, "LOCAL");
	table_cell(&t, "REMOTE");
	table_cell(&t, "STATE");
	table_cell(&t, "W");
	table_cell(&t, "CWND");
	table_cell(&t, "SRTT_US");
	table_cell(&t, "RTO_US");
	table_cell(&t, "SENDQ");
	table_cell(&t, "RETRANS");
	table_cell(&t, "BYTES_IN");
	table_cell(&t, "BYTES_OUT");
	json_array_foreach(conns, i, e) {
		table_cell(&t, "%s", get_str(e, "local", b, sizeof(b)));
		table_cell(&t, "%s", get_str(e, "remote", b, sizeof(b)));
		table_cell(&t, "%s", get_str(e, "state", b, sizeof(b)));
		table_cell(&t, "%s", get_str(e, "worker", b, sizeof(b)));
		table_cell(&t, "%s", get_str(e, "cwnd", b, sizeof(b)));
		table_cell(&t, "%s", get_str(e, "srtt_us", b, sizeof(b)));
		table_cell(&t, "%s", get_str(e, "rto_us", b, sizeof(b)));
		table_cell(&t, "%s", get_str(e, "send_queue", b, sizeof(b)));
		table_cell(&t, "%s", get_str(e, "retransmits", b, sizeof(b)));
		table_cell(&t, "%s", get_str(e, "bytes_in", b, sizeof(b)));
		table_cell(&t, "%s", get_str(e, "bytes_out", b, sizeof(b)));
	}
	table_print(&t, 0);
	if (json_is_true(json_object_get(r, "truncated")))
		printf("(%lld connections in all; raise --limit to see more)\n",
		       (long long)get_int(r, "total"));
}

/* arp-flush [PORT] [IP]: a lone argument that is an IPv4 address is the IP
 * (port names cannot contain dots, see docs/configuration.md). */
static json_t *
parse_arp_flush(int argc, char **argv)
{
	json_t *args = json_object();
	uint32_t ip;

	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-')
			usage_error("arp-flush: unknown option '%s'", argv[i]);
	if (argc == 2 && mdp_ipv4_parse(argv[1], &ip) == 0) {
		json_object_set_new(args, "ip", json_string(argv[1]));
		return args;
	}
	if (argc > 1)
		json_object_set_new(args, "port", json_string(argv[1]));
	if (argc > 2)
		json_object_set_new(args, "ip", json_string(argv[2]));
	no_more_args(argc, argv, 3);
	return args;
}

static void
print_arp_flush(json_t *r)
{
	json_int_t n = get_int(r, "removed");

	printf("removed %" JSON_INTEGER_FORMAT " ARP entr%s\n", n, n == 1 ? "y" : "ies");
}

/* ---- log-level ------------------------------------------------------ */

static json_t *
parse_log_level(int argc, char **argv)
{
	return parse_optional(argc, argv, "level");
}

static void
print_log_level(json_t *r)
{
	char b[32], b2[32];

	if (json_object_get(r, "previous") != NULL &&
	    !json_equal(json_object_get(r, "previous"), json_object_get(r, "level")))
		printf("log level %s (was %s)\n", get_str(r, "level", b, sizeof(b)),
		       get_str(r, "previous", b2, sizeof(b2)));
	else
		printf("log level %s\n", get_str(r, "level", b, sizeof(b)));
}

/* ---- help ----------------------------------------------------------- */

static void
print_help(json_t *r)
{
	json_t *cmds = json_object_get(r, "commands"), *c;
	char b[64], b2[256];
	struct table t;
	size_t i;

	printf("commands meshdp accepts (see meshctl --help for meshctl's syntax):\n\n");
	table_init(&t, 2, "ll");
	json_array_foreach(cmds, i, c) {
		table_cell(&t, "%s", get_str(c, "name", b, sizeof(b)));
		table_cell(&t, "%s", get_str(c, "help", b2, sizeof(b2)));
	}
	table_print(&t, 2);
}

/* ---- raw ------------------------------------------------------------ */

/* Read request lines from stdin ("meshctl raw -"). */
static char *
read_stdin(size_t *lenp)
{
	size_t len = 0, cap = 65536;
	char *buf = xrealloc(NULL, cap);

	for (;;) {
		size_t n = fread(buf + len, 1, cap - len, stdin);

		len += n;
		if (len == cap)
			buf = xrealloc(buf, cap *= 2);
		else if (n == 0)
			break;
	}
	if (ferror(stdin))
		fail(EXIT_ERROR, "reading stdin: %s", strerror(errno));
	*lenp = len;
	return buf;
}

/* The request lines of raw: each argument, or stdin for "-". */
static char *
raw_build(int argc, char **argv, size_t *lenp)
{
	size_t len = 0, cap = 0;
	char *out = NULL;

	if (argc < 2)
		usage_error("raw: needs a request line (or '-' to read lines from stdin)");
	for (int i = 1; i < argc; i++) {
		size_t n;
		char *a;
		bool own = false;

		if (strcmp(argv[i], "-") == 0) {
			a = read_stdin(&n);
			own = true;
		} else {
			const char *nl;

			a = argv[i];
			n = strlen(a);
			nl = memchr(a, '\n', n);
			if (nl != NULL && nl != a + n - 1)
				usage_error("raw: a request line cannot contain a newline "
					    "(use '-' to send several lines from stdin)");
		}
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			out = xrealloc(out, cap);
		}
		memcpy(out + len, a, n);
		len += n;
		if (n == 0 || a[n - 1] != '\n')
			out[len++] = '\n';
		if (own)
			free(a);
	}
	*lenp = len;
	return out;
}

/*
 * Send the lines in out (pipelined; out is freed here), then print each
 * reply line as received. Returns 0 when every reply is ok, else EXIT_ERROR.
 */
static int
run_raw(struct conn *c, char *out, size_t len)
{
	size_t lines = 0, got = 0, sent = 0;
	bool closed = false;
	int status = 0;

	/* meshdp answers every line but an empty one. */
	for (size_t i = 0; i < len; i++)
		lines += out[i] == '\n' && i > 0 && out[i - 1] != '\n';

	/*
	 * Send and receive together: meshdp stops reading a client whose
	 * replies pile up, so a long pipeline must be read while it is sent.
	 * A failed send is not fatal yet: meshdp may have said why in a reply
	 * (too_long, too_many_clients).
	 */
	while (got < lines) {
		short ev = POLLIN | (sent < len ? POLLOUT : 0);
		size_t n;
		char *line;

		while (got < lines && (line = conn_next_line(c, &n)) != NULL) {
			json_t *reply = json_loadb(line, n, 0, NULL);

			fwrite(line, 1, n, stdout);
			putchar('\n');
			got++;
			if (!json_is_object(reply) || !json_is_true(json_object_get(reply, "ok")))
				status = EXIT_ERROR;
			json_decref(reply);
		}
		if (got == lines)
			break;
		if (closed)
			fail(EXIT_UNREACHABLE, "meshdp closed the connection after %zu of %zu "
			     "replies", got, lines);
		ev = conn_wait(c, ev);
		if (sent < len && (ev & POLLOUT)) {
			ssize_t k = send(c->fd, out + sent, len - sent, MSG_NOSIGNAL);

			if (k > 0)
				sent += (size_t)k;
			else if (errno == EPIPE || errno == ECONNRESET)
				sent = len;
			else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				fail(EXIT_UNREACHABLE, "send to %s: %s", c->path, strerror(errno));
		}
		if ((ev & (POLLIN | POLLHUP | POLLERR)) && conn_fill(c) < 0)
			closed = true;
	}
	free(out);
	return status;
}

/* ---- the mesh: config, route-table, cluster, endpoint ---------------- */

/* The protocol command a parse function chose, when it is not the
 * command's own name (two-word commands). */
static const char *proto_cmd;

/* A JSON object from a file, or stdin for "-". */
static json_t *
json_from(const char *what, const char *path)
{
	json_error_t jerr;
	json_t *v = strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &jerr)
					   : json_load_file(path, 0, &jerr);

	if (v == NULL)
		usage_error("%s: %s: %s (line %d)", what, path, jerr.text, jerr.line);
	if (!json_is_object(v))
		usage_error("%s: %s: expected a JSON object", what, path);
	return v;
}

/* config dump | config set FILE|- */
static json_t *
parse_config(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "dump") == 0) {
		no_more_args(argc, argv, 2);
		proto_cmd = "config-dump";
		return json_object();
	}
	if (argc >= 3 && strcmp(argv[1], "set") == 0) {
		no_more_args(argc, argv, 3);
		proto_cmd = "mesh-set";
		return json_pack("{s:o}", "mesh", json_from("config set", argv[2]));
	}
	usage_error("config: expected 'dump' or 'set FILE|-'");
}

/* route-table set FILE|- | route-table delete NAME; cluster likewise */
static json_t *
parse_named(int argc, char **argv, const char *set_cmd, const char *arg, const char *del_cmd)
{
	if (argc >= 3 && strcmp(argv[1], "set") == 0) {
		no_more_args(argc, argv, 3);
		proto_cmd = set_cmd;
		return json_pack("{s:o}", arg, json_from(argv[0], argv[2]));
	}
	if (argc >= 3 && strcmp(argv[1], "delete") == 0) {
		no_more_args(argc, argv, 3);
		proto_cmd = del_cmd;
		return json_pack("{s:s}", "name", argv[2]);
	}
	usage_error("%s: expected 'set FILE|-' or 'delete NAME'", argv[0]);
}

static json_t *
parse_route_table(int argc, char **argv)
{
	return parse_named(argc, argv, "route-table-set", "route_table", "route-table-delete");
}

static json_t *
parse_cluster(int argc, char **argv)
{
	return parse_named(argc, argv, "cluster-set", "cluster", "cluster-delete");
}

static json_t *
parse_policy(int argc, char **argv)
{
	return parse_named(argc, argv, "policy-set", "policy", "policy-delete");
}

static json_int_t
weight_arg(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 65535)
		usage_error("endpoint: weight '%s' is not an integer 0..65535", s);
	return v;
}

/* endpoint add CLUSTER ADDR:PORT [WEIGHT] | remove CLUSTER ADDR:PORT |
 * weight CLUSTER ADDR:PORT WEIGHT */
static json_t *
parse_endpoint(int argc, char **argv)
{
	json_t *args;

	if (argc < 4)
		usage_error("endpoint: expected add|remove|weight CLUSTER ADDRESS:PORT [WEIGHT]");
	args = json_pack("{s:s, s:s}", "cluster", argv[2], "address", argv[3]);
	if (strcmp(argv[1], "add") == 0) {
		proto_cmd = "endpoint-add";
		if (argc > 4)
			json_object_set_new(args, "weight", json_integer(weight_arg(argv[4])));
		no_more_args(argc, argv, 5);
	} else if (strcmp(argv[1], "remove") == 0) {
		proto_cmd = "endpoint-remove";
		no_more_args(argc, argv, 4);
	} else if (strcmp(argv[1], "weight") == 0) {
		proto_cmd = "endpoint-weight";
		if (argc < 5)
			usage_error("endpoint weight: expected CLUSTER ADDRESS:PORT WEIGHT");
		json_object_set_new(args, "weight", json_integer(weight_arg(argv[4])));
		no_more_args(argc, argv, 5);
	} else {
		usage_error("endpoint: unknown action '%s' (add, remove, weight)", argv[1]);
	}
	return args;
}

static void
print_applied(json_t *r)
{
	printf("applied: mesh version %lld%s\n", (long long)get_int(r, "version"),
	       json_is_false(json_object_get(r, "all_workers")) ?
		       " (a worker has not taken it yet)" : "");
}

static void
print_config(json_t *r)
{
	char *text = json_dumps(json_object_get(r, "mesh"), JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	printf("# mesh version %lld\n%s\n", (long long)get_int(r, "version"), text ? text : "{}");
	free(text);
}

static void
print_mesh(json_t *r)
{
	if (json_object_get(r, "mesh") != NULL)
		print_config(r);
	else
		print_applied(r);
}

/* ---- http ------------------------------------------------------------ */

static void
print_http(json_t *r)
{
	json_t *t = json_object_get(r, "total"), *resp = json_object_get(t, "responses"), *v;
	struct table tb;
	const char *k;
	char b[32];

	table_init(&tb, 2, "lr");
	table_cell(&tb, "requests");
	table_cell(&tb, "%s", get_str(t, "requests", b, sizeof(b)));
	json_object_foreach(resp, k, v) {
		table_cell(&tb, "responses %s", k);
		table_cell(&tb, "%lld", (long long)json_integer_value(v));
	}
	for (const char *const *f = (const char *const[]){ "downstream_connections",
			"active_downstream", "active_upstream", "idle_upstream", "upstream_connects",
			"upstream_reused", "tunnels", NULL }; *f != NULL; f++) {
		table_cell(&tb, "%s", *f);
		table_cell(&tb, "%s", get_str(t, *f, b, sizeof(b)));
	}
	json_object_foreach(json_object_get(t, "authz"), k, v) {
		table_cell(&tb, "authz %s", k);
		table_cell(&tb, "%lld", (long long)json_integer_value(v));
	}
	json_object_foreach(json_object_get(t, "local_replies"), k, v) {
		if (json_integer_value(v) == 0)
			continue;
		table_cell(&tb, "local %s", k);
		table_cell(&tb, "%lld", (long long)json_integer_value(v));
	}
	json_object_foreach(json_object_get(t, "parse_errors"), k, v) {
		table_cell(&tb, "rejected: %s", k);
		table_cell(&tb, "%lld", (long long)json_integer_value(v));
	}
	table_print(&tb, 0);
	printf("mesh version %lld\n", (long long)get_int(r, "mesh_version"));
}

/* ---- tls ------------------------------------------------------------- */

/* A PEM file's text (meshctl reads it, so meshdp needs no access to it). */
static char *
pem_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		usage_error("tls: %s: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (1 << 20) ||
	    fseek(f, 0, SEEK_SET) != 0)
		usage_error("tls: %s: unreadable or over 1 MiB", path);
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
		usage_error("tls: %s: read failed", path);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* tls | tls credential NAME CERT KEY | tls bundle NAME PEM | tls rotate-tickets */
static json_t *
parse_tls(int argc, char **argv)
{
	json_t *args;
	char *a, *b;

	if (argc == 1) {
		proto_cmd = "tls";
		return json_object();
	}
	if (strcmp(argv[1], "credential") == 0) {
		if (argc != 5)
			usage_error("tls credential: expected NAME CERT_FILE KEY_FILE");
		proto_cmd = "tls-credential-set";
		a = pem_file(argv[3]);
		b = pem_file(argv[4]);
		args = json_pack("{s:s, s:s, s:s}", "name", argv[2], "cert", a, "key", b);
		free(a);
		free(b);
		return args;
	}
	if (strcmp(argv[1], "bundle") == 0) {
		if (argc != 4)
			usage_error("tls bundle: expected NAME PEM_FILE");
		proto_cmd = "tls-bundle-set";
		a = pem_file(argv[3]);
		args = json_pack("{s:s, s:s}", "name", argv[2], "pem", a);
		free(a);
		return args;
	}
	if (strcmp(argv[1], "rotate-tickets") == 0) {
		no_more_args(argc, argv, 2);
		proto_cmd = "tls-tickets-rotate";
		return json_object();
	}
	usage_error("tls: unknown action '%s' (credential, bundle, rotate-tickets)", argv[1]);
	return NULL;
}

static void
print_tls(json_t *r)
{
	json_t *v;
	size_t i;
	struct table tb;
	char nb[32], na[32];

	if (json_object_get(r, "credentials") == NULL) {
		print_applied(r);
		return;
	}
	table_init(&tb, 5, "lllll");
	table_cell(&tb, "CREDENTIAL");
	table_cell(&tb, "SPIFFE ID");
	table_cell(&tb, "NOT BEFORE");
	table_cell(&tb, "NOT AFTER");
	table_cell(&tb, "SHA-256");
	json_array_foreach(json_object_get(r, "credentials"), i, v) {
		time_t t0 = (time_t)get_int(v, "not_before"), t1 = (time_t)get_int(v, "not_after");
		const char *id = json_string_value(json_object_get(v, "spiffe_id"));
		const char *fp = json_string_value(json_object_get(v, "sha256"));

		strftime(nb, sizeof(nb), "%Y-%m-%d %H:%M", gmtime(&t0));
		strftime(na, sizeof(na), "%Y-%m-%d %H:%M", gmtime(&t1));
		table_cell(&tb, "%s", json_string_value(json_object_get(v, "name")));
		table_cell(&tb, "%s", id ? id : "-");
		table_cell(&tb, "%s", nb);
		table_cell(&tb, "%s", na);
		table_cell(&tb, "%.16s", fp ? fp : "");
	}
	table_print(&tb, 0);
	table_init(&tb, 3, "lrl");
	table_cell(&tb, "BUNDLE");
	table_cell(&tb, "CERTS");
	table_cell(&tb, "SHA-256");
	json_array_foreach(json_object_get(r, "bundles"), i, v) {
		const char *fp = json_string_value(json_object_get(v, "sha256"));

		table_cell(&tb, "%s", json_string_value(json_object_get(v, "name")));
		table_cell(&tb, "%lld", (long long)get_int(v, "certificates"));
		table_cell(&tb, "%.16s", fp ? fp : "");
	}
	printf("\n");
	table_print(&tb, 0);
	printf("\nticket keys rotate every %lld s\n", (long long)get_int(r, "ticket_rotation_s"));
}

/* ---- commands ------------------------------------------------------- */

static const struct command commands[] = {
	{ "status", "", "process, cores and configuration summary", parse_none, print_status },
	{ "ports", "[PORT]", "port configuration, link and counters", parse_ports, print_ports },
	{ "stats", "[--nonzero] [--worker N]", "per-worker counters and loop accounting",
	  parse_stats, print_stats },
	{ "runtime", "[--reset]", "where each worker's cycles go, since the last reset",
	  parse_runtime, print_runtime },
	{ "arp", "[PORT]", "ARP caches of every worker", parse_arp, print_arp },
	{ "arp-flush", "[PORT] [IP]", "remove ARP entries (all, a port's, or one address)",
	  parse_arp_flush, print_arp_flush },
	{ "conns", "[STATE] [--limit N]", "TCP connections: 4-tuple, state, cwnd, RTT, bytes",
	  parse_conns, print_conns },
	{ "log-level", "[LEVEL]", "show or set the log level (err warn notice info debug)",
	  parse_log_level, print_log_level },
	{ "http", "", "HTTP proxy: requests, responses, local replies, upstream pools",
	  parse_none, print_http },
	{ "config", "dump | set FILE|-", "the mesh resources in use, or replace them all (JSON)",
	  parse_config, print_mesh },
	{ "route-table", "set FILE|- | delete NAME", "add, replace or remove a route table",
	  parse_route_table, print_applied },
	{ "cluster", "set FILE|- | delete NAME", "add, replace or remove a cluster",
	  parse_cluster, print_applied },
	{ "policy", "set FILE|- | delete NAME",
	  "add, replace or remove an authorization policy (flat or Kubernetes form)",
	  parse_policy, print_applied },
	{ "endpoint", "add|remove|weight CLUSTER ADDR:PORT [W]",
	  "change a cluster's endpoints", parse_endpoint, print_applied },
	{ "tls", "[credential NAME CERT KEY | bundle NAME PEM | rotate-tickets]",
	  "TLS material in use, or replace it (new handshakes use it at once)", parse_tls,
	  print_tls },
	{ "version", "", "meshdp and DPDK versions", parse_none, print_version },
	{ "help", "", "commands meshdp accepts", parse_none, print_help },
	{ "raw", "JSON... | -", "send request lines as they are, print the replies", NULL, NULL },
};
static const size_t n_commands = sizeof(commands) / sizeof(commands[0]);

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: meshctl [-s SOCKET] [--json] [--timeout SECONDS] COMMAND [ARGS...]\n"
		"\n"
		"options:\n"
		"  -s, --socket PATH      control socket (default: $MESHDP_SOCKET, else %s)\n"
		"  -j, --json             print the reply as JSON instead of tables\n"
		"  -t, --timeout SECONDS  give up when no reply comes in time (default %g; 0: never)\n"
		"  -h, --help             print this help\n"
		"  -V, --version          print meshctl's version\n"
		"\n"
		"commands:\n", DEFAULT_SOCKET, DEFAULT_TIMEOUT_S);
	for (size_t i = 0; i < n_commands; i++) {
		char head[64];

		snprintf(head, sizeof(head), "%s%s%s", commands[i].name,
			 commands[i].synopsis[0] ? " " : "", commands[i].synopsis);
		fprintf(f, "  %-32s %s\n", head, commands[i].help);
	}
	fprintf(f,
		"\n"
		"exit status: 0 ok, 1 error reply, 2 meshdp not reachable, 3 timeout, 64 usage\n");
}

static const struct command *
command_find(const char *name)
{
	for (size_t i = 0; i < n_commands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/* Check a reply's envelope; on an error reply, report it and exit 1. */
static json_t *
reply_check(const char *line, size_t len)
{
	json_error_t jerr;
	json_t *reply = json_loadb(line, len, 0, &jerr), *ok, *id, *err;

	if (reply == NULL)
		fail(EXIT_ERROR, "unreadable reply from meshdp: %s", jerr.text);
	ok = json_object_get(reply, "ok");
	if (!json_is_object(reply) || !json_is_boolean(ok))
		fail(EXIT_ERROR, "unreadable reply from meshdp: no \"ok\" member");
	id = json_object_get(reply, "id");
	if (!json_is_true(ok)) {
		char b[64], b2[1024];

		err = json_object_get(reply, "error");
		fail(EXIT_ERROR, "%s: %s", get_str(err, "code", b, sizeof(b)),
		     get_str(err, "message", b2, sizeof(b2)));
	}
	/* Error replies may carry a null id (a line meshdp could not parse);
	 * a success reply answers our request or something is badly wrong. */
	if (!json_is_integer(id) || json_integer_value(id) != REQUEST_ID)
		fail(EXIT_ERROR, "reply from meshdp does not answer our request (id mismatch)");
	if (!json_is_object(json_object_get(reply, "result")))
		fail(EXIT_ERROR, "unreadable reply from meshdp: no \"result\" object");
	return reply;
}

/* Send one request for cmd with args (consumed) and print the reply. */
static int
run_command(struct conn *c, const struct command *cmd, json_t *args)
{
	json_t *req, *reply;
	char *line;
	size_t len;

	req = json_pack("{s:s, s:o, s:i}", "cmd", proto_cmd != NULL ? proto_cmd : cmd->name, "args",
			args, "id", REQUEST_ID);
	if (req == NULL)
		fail(EXIT_ERROR, "out of memory");
	line = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (line == NULL)
		fail(EXIT_ERROR, "out of memory");
	len = strlen(line);
	line = xrealloc(line, len + 2);
	line[len++] = '\n';
	line[len] = '\0';

	conn_send(c, line, len);
	free(line);
	line = conn_read_line(c, &len);
	if (line == NULL)
		fail(EXIT_UNREACHABLE, "meshdp closed the connection without replying");
	if (opt_json) {
		fwrite(line, 1, len, stdout);
		putchar('\n');
	}
	reply = reply_check(line, len);
	if (!opt_json)
		cmd->print(json_object_get(reply, "result"));
	json_decref(reply);
	return 0;
}

static const struct option long_opts[] = {
	{ "socket", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int
main(int argc, char **argv)
{
	const char *path = getenv("MESHDP_SOCKET");
	double timeout_s = DEFAULT_TIMEOUT_S;
	const struct command *cmd;
	struct conn c;
	json_t *args = NULL;
	char *raw = NULL;
	size_t raw_len = 0;
	int opt, status, n;

	if (path == NULL || path[0] == '\0')
		path = DEFAULT_SOCKET;
	/* '+': options end at the command; its own options follow it. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:s:jt:hV", long_opts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 's':
			path = optarg;
			break;
		case 'j':
			opt_json = true;
			break;
		case 't':
			errno = 0;
			timeout_s = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !isfinite(timeout_s) ||
			    timeout_s < 0 || timeout_s > 1e6)
				usage_error("bad timeout '%s' (seconds, 0 for none)", optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("meshctl %s\n", MDP_VERSION);
			return 0;
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (path[0] == '\0')
		usage_error("empty socket path");
	if (argc == 0)
		usage_error("no command given");
	cmd = command_find(argv[0]);
	if (cmd == NULL)
		usage_error("unknown command '%s'", argv[0]);

	/* --json is also accepted after the command ("meshctl ports --json"). */
	n = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 && cmd->parse != NULL)
			opt_json = true;
		else
			argv[n++] = argv[i];
	}
	argc = n;

	/* Usage errors come out before anything is sent. */
	if (cmd->parse != NULL) {
		args = cmd->parse(argc, argv);
		if (args == NULL)
			fail(EXIT_ERROR, "out of memory");
	} else {
		raw = raw_build(argc, argv, &raw_len);
	}
	conn_open(&c, path, timeout_s);
	if (cmd->parse != NULL)
		status = run_command(&c, cmd, args);
	else
		status = run_raw(&c, raw, raw_len);
	conn_close(&c);
	if (fflush(stdout) != 0 || ferror(stdout))
		fail(EXIT_ERROR, "writing output: %s", strerror(errno));
	return status;
}
