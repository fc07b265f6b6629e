/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark of lib/http: ns per parsed request head (a typical GET
 * of about 300 bytes with 8 fields), per response head, per path
 * normalization and per chunked body. Not part of the tests; built by
 * perf/meson.build, run by `perf/run micro` or by hand:
 *
 *   build/perf/bench_http [ITERATIONS [request|response|path|chunked]]
 *
 * On a shared machine the times wander; instructions per call do not:
 *   perf stat -e instructions build/perf/bench_http 1000000 request
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/mdp_http.h"

static const char get[] =
	"GET /api/v1/orders/12345?include=items&sort=desc HTTP/1.1\r\n"
	"Host: order-service.default.svc.cluster.local\r\n"
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101\r\n"
	"Accept: application/json\r\n"
	"Accept-Encoding: gzip, deflate\r\n"
	"Accept-Language: en-US,en;q=0.5\r\n"
	"Cookie: session=4f6e3c2a1b2c3d4e\r\n"
	"X-User-Group: beta\r\n"
	"Connection: keep-alive\r\n"
	"\r\n";

static const char rsp[] =
	"HTTP/1.1 200 OK\r\n"
	"Server: nginx/1.22.1\r\n"
	"Date: Mon, 01 Jan 2024 00:00:00 GMT\r\n"
	"Content-Type: application/json\r\n"
	"Content-Length: 1234\r\n"
	"Connection: keep-alive\r\n"
	"\r\n";

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 2000000;
	struct mdp_http_header hdr[100];
	struct mdp_http_msg m = { .headers = hdr, .headers_cap = 100 };
	char body[4096], out[256];
	volatile long sink = 0;
	size_t used, ol, bl = 0;
	const char *only = argc > 2 ? argv[2] : NULL;
	double t;

#define RUN(what) (only == NULL || strcmp(only, what) == 0)
	t = now();
	for (long i = 0; RUN("request") && i < n; i++)
		sink += mdp_http_parse_request(get, sizeof(get) - 1, NULL, &m);
	printf("request head (%zu bytes, %u fields): %.1f ns\n", sizeof(get) - 1, m.n_headers,
	       (now() - t) / n);

	t = now();
	for (long i = 0; RUN("response") && i < n; i++)
		sink += mdp_http_parse_response(rsp, sizeof(rsp) - 1, NULL, MDP_HTTP_M_GET, &m);
	printf("response head (%zu bytes, %u fields): %.1f ns\n", sizeof(rsp) - 1, m.n_headers,
	       (now() - t) / n);

	t = now();
	for (long i = 0; RUN("path") && i < n; i++)
		sink += mdp_http_path_normalize("/api/v1/./orders//12345/../12346", 32, out,
						sizeof(out), &ol);
	printf("path normalization (32 bytes): %.1f ns\n", (now() - t) / n);

	/* 16 chunks of 200 bytes */
	for (int c = 0; c < 16; c++) {
		bl += (size_t)sprintf(body + bl, "c8\r\n");
		memset(body + bl, 'x', 200);
		bl += 200;
		bl += (size_t)sprintf(body + bl, "\r\n");
	}
	bl += (size_t)sprintf(body + bl, "0\r\n\r\n");
	m.body = MDP_HTTP_BODY_CHUNKED;
	t = now();
	for (long i = 0; RUN("chunked") && i < n / 10; i++) {
		struct mdp_http_body b;
		struct mdp_http_span sp[32];
		unsigned ns;

		mdp_http_body_init(&b, &m, NULL);
		sink += mdp_http_body_feed(&b, body, bl, sp, 32, &ns, &used);
	}
	printf("chunked body (%zu bytes, 16 chunks): %.1f ns\n", bl, (now() - t) / (n / 10));
	return sink == 0;
}
