/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctrl_server.h"
#include "util/mdp_log.h"

static int
sun_fill(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

/* Is something listening on path? */
static int
socket_live(const char *path)
{
	struct sockaddr_un sa;
	int fd, live;

	if (sun_fill(&sa, path) < 0)
		return 0;
	/* Non-blocking: a live server with a full backlog answers EAGAIN
	 * rather than stalling our start-up; it is still live. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	live = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN;
	close(fd);
	return live;
}

int
mdp_ctrl_server_open(struct mdp_ctrl_server *s, const char *path, uint32_t max_clients,
		     uint32_t max_line, uint32_t idle_timeout_s, const struct mdp_ctrl_table *table)
{
	struct sockaddr_un sa;
	struct stat st;
	char dir[sizeof(s->path)];
	char *slash;
	int rc;

	memset(s, 0, sizeof(*s));
	s->lfd = -1;
	rc = sun_fill(&sa, path);
	if (rc < 0)
		return rc;
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->max_clients = max_clients;
	s->max_line = max_line;
	s->idle_timeout_s = idle_timeout_s;
	s->table = table;

	/* Create the socket's directory (one level, as /run/meshdp). */
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		if (socket_live(path))
			return -EADDRINUSE;
		unlink(path);	/* stale: its owner is gone */
	}
	s->clients = calloc(max_clients, sizeof(*s->clients));
	if (s->clients == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < max_clients; i++)
		s->clients[i].fd = -1;
	s->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		goto fail;
	{
		/* Created 0660 from the start: no window with wider rights. */
		mode_t old = umask(0117);

		rc = bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa));
		umask(old);
		if (rc < 0)
			goto fail;
	}
	if (listen(s->lfd, 64) < 0)
		goto fail;
	return 0;
fail:
	rc = -errno;
	if (s->lfd >= 0) {
		close(s->lfd);
		s->lfd = -1;
		unlink(path);
	}
	free(s->clients);
	s->clients = NULL;
	return rc;
}

static void
client_close(struct mdp_ctrl_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Append a reply; a client over its output bound is dropped. */
static int
client_queue(struct mdp_ctrl_client *c, const char *data, size_t n)
{
	size_t pending = c->out_len - c->out_off;

	/* The bound is on replies a client leaves unread, not on one reply:
	 * a single large reply to a reading client always goes out. */
	if (pending > 0 && pending + n > MDP_CTRL_OUT_MAX)
		return -ENOBUFS;
	if (c->out_off > 0 && c->out_len + n > c->out_cap) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_len = pending;
		c->out_off = 0;
	}
	if (c->out_len + n > c->out_cap) {
		size_t cap = c->out_cap ? c->out_cap : 4096;
		char *p;

		while (cap < c->out_len + n)
			cap *= 2;
		p = realloc(c->out, cap);
		if (p == NULL)
			return -ENOMEM;
		c->out = p;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, n);
	c->out_len += n;
	return 0;
}

static int
client_flush(struct mdp_ctrl_client *c, time_t now)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			if (errno == EINTR)
				continue;
			return -errno;
		}
		c->out_off += (size_t)n;
		c->last_active = now;	/* a client reading replies is not idle */
	}
	c->out_off = c->out_len = 0;
	return 0;
}

static void
accept_clients(struct mdp_ctrl_server *s, time_t now)
{
	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct mdp_ctrl_client *c = NULL;

		if (fd < 0)
			return;	/* EAGAIN, or a client that vanished */
		for (uint32_t i = 0; i < s->max_clients; i++)
			if (s->clients[i].fd < 0) {
				c = &s->clients[i];
				break;
			}
		if (c == NULL || (c->in = malloc(s->max_line + 1)) == NULL) {
			char *line = mdp_ctrl_error_line(MDP_CTRL_ERR_CLIENTS,
							 "too many control clients; try again later");

			if (line != NULL) {
				/* Best effort: the socket buffer of a new
				 * connection takes one short line. */
				if (send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
					MDP_DEBUG("control: refusing client: %s", strerror(errno));
				free(line);
			}
			close(fd);
			s->rejected++;
			continue;
		}
		c->fd = fd;
		c->in_len = 0;
		c->last_active = now;
	}
}

/* Serve the complete lines in c's input buffer. */
static int
client_process(struct mdp_ctrl_server *s, struct mdp_ctrl_client *c)
{
	size_t start = 0;

	for (;;) {
		char *nl = memchr(c->in + start, '\n', c->in_len - start);
		char *reply;
		int rc;

		if (nl == NULL)
			break;
		if (nl > c->in + start) {	/* empty lines are ignored */
			reply = mdp_ctrl_handle_line(s->table, c->in + start,
						     (size_t)(nl - (c->in + start)));
			s->requests++;
			if (reply == NULL)
				return -ENOMEM;
			rc = client_queue(c, reply, strlen(reply));
			free(reply);
			if (rc < 0)
				return rc;
		}
		start = (size_t)(nl - c->in) + 1;
	}
	if (start > 0) {
		memmove(c->in, c->in + start, c->in_len - start);
		c->in_len -= start;
	}
	if (c->in_len >= s->max_line) {
		char msg[96];
		char *line;

		snprintf(msg, sizeof(msg), "request line longer than %u bytes", s->max_line);
		line = mdp_ctrl_error_line(MDP_CTRL_ERR_TOO_LONG, msg);
		if (line != NULL) {
			client_queue(c, line, strlen(line));
			free(line);
		}
		c->closing = 1;
		c->in_len = 0;
	}
	return 0;
}

static void
client_read(struct mdp_ctrl_server *s, struct mdp_ctrl_client *c, time_t now)
{
	for (;;) {
		ssize_t n;

		if (c->closing)
			return;
		n = recv(c->fd, c->in + c->in_len, s->max_line - c->in_len, MSG_DONTWAIT);
		if (n == 0) {
			/* Peer closed its side: serve what is complete and
			 * close once the replies are out. */
			c->closing = 1;
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				client_close(c);
			return;
		}
		c->in_len += (size_t)n;
		c->last_active = now;
		if (client_process(s, c) < 0) {
			MDP_WARN("control: client dropped: pending output over %u bytes",
				 MDP_CTRL_OUT_MAX);
			client_close(c);
			return;
		}
		/* Back-pressure: stop reading while replies pile up. */
		if (c->out_len - c->out_off > MDP_CTRL_OUT_MAX / 2)
			return;
	}
}

int
mdp_ctrl_server_poll(struct mdp_ctrl_server *s, int extra_fd, int timeout_ms)
{
	struct pollfd pfd[2 + s->max_clients];
	struct mdp_ctrl_client *map[2 + s->max_clients];
	nfds_t n = 0;
	int extra_idx = -1, rc, ret = 0;
	time_t now;

	pfd[n] = (struct pollfd){ .fd = s->lfd, .events = POLLIN };
	map[n++] = NULL;
	if (extra_fd >= 0) {
		extra_idx = (int)n;
		pfd[n] = (struct pollfd){ .fd = extra_fd, .events = POLLIN };
		map[n++] = NULL;
	}
	for (uint32_t i = 0; i < s->max_clients; i++) {
		struct mdp_ctrl_client *c = &s->clients[i];
		short ev = 0;

		if (c->fd < 0)
			continue;
		if (!c->closing && c->out_len - c->out_off <= MDP_CTRL_OUT_MAX / 2)
			ev |= POLLIN;
		if (c->out_len > c->out_off)
			ev |= POLLOUT;
		pfd[n] = (struct pollfd){ .fd = c->fd, .events = ev };
		map[n++] = c;
	}
	rc = poll(pfd, n, timeout_ms);
	if (rc < 0)
		return errno == EINTR ? 0 : -errno;
	now = time(NULL);
	if (extra_idx >= 0 && (pfd[extra_idx].revents & POLLIN))
		ret = 1;
	for (nfds_t i = 0; i < n; i++) {
		struct mdp_ctrl_client *c = map[i];

		if (c == NULL || c->fd < 0)
			continue;
		if (pfd[i].revents & POLLIN)
			client_read(s, c, now);
		if (c->fd >= 0 && (pfd[i].revents & (POLLERR | POLLNVAL))) {
			client_close(c);
			continue;
		}
		if (c->fd >= 0 && c->out_len > c->out_off && client_flush(c, now) < 0)
			client_close(c);
		if (c->fd >= 0 && (pfd[i].revents & POLLHUP) && !(pfd[i].revents & POLLIN))
			client_close(c);
	}
	if (pfd[0].revents & POLLIN)
		accept_clients(s, now);
	for (uint32_t i = 0; i < s->max_clients; i++) {
		struct mdp_ctrl_client *c = &s->clients[i];

		if (c->fd < 0)
			continue;
		if (c->closing && c->out_len == c->out_off) {
			client_close(c);
			continue;
		}
		if (s->idle_timeout_s != 0 && now - c->last_active > (time_t)s->idle_timeout_s) {
			MDP_DEBUG("control: closing idle client");
			client_close(c);
		}
	}
	return ret;
}

void
mdp_ctrl_server_close(struct mdp_ctrl_server *s)
{
	if (s->clients != NULL) {
		for (uint32_t i = 0; i < s->max_clients; i++)
			if (s->clients[i].fd >= 0)
				client_close(&s->clients[i]);
		free(s->clients);
		s->clients = NULL;
	}
	if (s->lfd >= 0) {
		close(s->lfd);
		s->lfd = -1;
		unlink(s->path);
	}
}
