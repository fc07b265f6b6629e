/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * meshdp: start-up, the control thread's loop on the main lcore, shutdown.
 *
 *   meshdp -c FILE           run
 *   meshdp --check -c FILE   validate FILE and exit
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>
#include <rte_version.h>

#include "ctrl/ctrl_cmds.h"
#include "ctrl/ctrl_server.h"
#include "ctrl/ctrl_tls.h"
#include "dp.h"
#include "mesh/mdp_mesh_conf.h"
#include "proxy/mesh.h"
#include "tls/tls_store.h"
#include "util/mdp_log.h"

#define CTRL_POLL_MS 200

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: meshdp -c FILE            run the dataplane\n"
		"       meshdp --check -c FILE    validate FILE and exit\n"
		"       meshdp --version\n");
}

/* EAL argv from the configuration: cores and devices come from their own
 * settings, then the operator's eal.args. */
static int
eal_argv_build(const struct mdp_config *cfg, const char *argv0, char **argv, int max)
{
	static char lcores[256], main_lcore[16];
	int n = 0, off;

	/* With a CPU map, --lcores "L@C,..." pins each lcore's thread; else
	 * -l lists lcores that run on the CPUs of the same number. */
	if (cfg->has_cpus) {
		off = snprintf(lcores, sizeof(lcores), "%u@%u", cfg->main_lcore, cfg->main_cpu);
		for (unsigned i = 0; i < cfg->n_workers && off < (int)sizeof(lcores); i++)
			off += snprintf(lcores + off, sizeof(lcores) - (size_t)off, ",%u@%u",
					cfg->workers[i], cfg->worker_cpus[i]);
	} else {
		off = snprintf(lcores, sizeof(lcores), "%u", cfg->main_lcore);
		for (unsigned i = 0; i < cfg->n_workers && off < (int)sizeof(lcores); i++)
			off += snprintf(lcores + off, sizeof(lcores) - (size_t)off, ",%u",
					cfg->workers[i]);
	}
	snprintf(main_lcore, sizeof(main_lcore), "%u", cfg->main_lcore);
	argv[n++] = (char *)argv0;
	argv[n++] = cfg->has_cpus ? "--lcores" : "-l";
	argv[n++] = lcores;
	argv[n++] = "--main-lcore";
	argv[n++] = main_lcore;
	for (unsigned i = 0; i < cfg->n_ports; i++) {
		if (n + 2 >= max)
			return -E2BIG;
		argv[n++] = strncmp(cfg->ports[i].device, "net_", 4) == 0 ? "--vdev" : "-a";
		argv[n++] = (char *)cfg->ports[i].device;
	}
	for (unsigned i = 0; i < cfg->n_eal_args; i++) {
		if (n + 1 >= max)
			return -E2BIG;
		argv[n++] = cfg->eal_args[i];
	}
	argv[n] = NULL;
	return n;
}

/*
 * net_af_xdp (DPDK 22.11) registers the pool's memory as its UMEM and sizes
 * it as if the mbufs lay back to back (populated_size x object size).
 * Without hugepages the mempool keeps each object inside one 4 KiB page, so
 * a 2.3 KiB mbuf takes a page of its own and the UMEM covers only the first
 * ~58% of the mbufs: the kernel rejects a TX descriptor for any other
 * (tx_invalid_descs), and as it skips one invalid descriptor per sendto()
 * the queue stalls under load. Without hugepages IOVA is VA, so objects
 * may cross pages: pack them (RTE_MEMPOOL_F_NO_IOVA_CONTIG).
 */
static struct rte_mempool *
mbuf_pool_new(const char *name, unsigned n, unsigned cache, uint16_t data_room, int socket)
{
	struct rte_pktmbuf_pool_private priv = { .mbuf_data_room_size = data_room };
	struct rte_mempool *mp;
	int rc = 0;

	if (rte_eal_has_hugepages())
		return rte_pktmbuf_pool_create(name, n, cache, 0, data_room, socket);
	mp = rte_mempool_create_empty(name, n, sizeof(struct rte_mbuf) + data_room, cache,
				      sizeof(priv), socket, RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == NULL)
		return NULL;
	rc = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(), NULL);
	if (rc != 0)
		goto fail;
	rte_pktmbuf_pool_init(mp, &priv);
	rc = rte_mempool_populate_default(mp);
	if (rc < 0)
		goto fail;
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
fail:
	rte_mempool_free(mp);
	rte_errno = rc < 0 ? -rc : EINVAL;
	return NULL;
}

static int
pool_create(struct mdp_dp *dp)
{
	const struct mdp_config *cfg = dp->cfg;
	uint64_t need = 0;

	/* Every RX descriptor holds an mbuf, TX descriptors hold them until
	 * completion, each lcore cache and TX batch keeps some, and ARP
	 * resolution holds a bounded number per worker. */
	for (unsigned i = 0; i < cfg->n_ports; i++)
		need += (uint64_t)cfg->n_workers * (cfg->ports[i].rx_desc + cfg->ports[i].tx_desc);
	need += (uint64_t)(cfg->n_workers + 1) * (cfg->mbuf_cache + cfg->burst * cfg->n_ports);
	need += (uint64_t)cfg->n_workers * mdp_arp_pending_total(cfg);
	if (cfg->mbufs < need) {
		MDP_ERR("%s: mempool.mbufs = %u is below the %llu the ports and workers hold "
			"(rx_desc + tx_desc per queue, caches, bursts); raise it", cfg->file,
			cfg->mbufs, (unsigned long long)need);
		return -EINVAL;
	}
	dp->pool = mbuf_pool_new("mdp_mbufs", cfg->mbufs, cfg->mbuf_cache, cfg->mbuf_data_room,
				 (int)rte_socket_id());
	if (dp->pool == NULL) {
		MDP_ERR("mempool of %u mbufs: %s", cfg->mbufs, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	return 0;
}

/* The mesh of the start-up file, compiled (the spec was validated with
 * the rest of the file). */
static struct mdp_mesh *
mesh_from_config(const struct mdp_config *cfg, const struct mdp_tls_store *st, char *err,
		 size_t errlen)
{
	struct mdp_mesh_defaults def = { .route_timeout_ms = cfg->http.route_timeout_ms };
	struct mdp_mesh_spec *spec = mdp_mesh_spec_parse(cfg->mesh, &def, err, errlen);

	if (spec == NULL)
		return NULL;
	return mdp_mesh_build(spec, cfg, st, cfg->n_workers, err, errlen);
}

static int
check_lcores(const struct mdp_config *cfg)
{
	if (rte_get_main_lcore() != cfg->main_lcore) {
		MDP_ERR("main lcore is %u, configured %u", rte_get_main_lcore(), cfg->main_lcore);
		return -EINVAL;
	}
	for (unsigned i = 0; i < cfg->n_workers; i++) {
		if (!rte_lcore_is_enabled(cfg->workers[i])) {
			MDP_ERR("worker lcore %u is not available", cfg->workers[i]);
			return -EINVAL;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct mdp_config cfg;
	static struct mdp_dp dp;
	struct mdp_ctrl_server srv = { .lfd = -1 };
	struct mdp_ctrl_table table;
	char *eal_argv[MDP_MAX_EAL_ARGS + 2 * MDP_MAX_PORTS + 8];
	char err[8192];
	const char *file = NULL;
	bool check = false, eal_up = false;
	sigset_t sigs;
	int opt, rc, sfd = -1, eal_argc, status = EXIT_FAILURE;

	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			file = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'V':
			printf("meshdp %s (%s)\n", MDP_VERSION, rte_version());
			return EXIT_SUCCESS;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (file == NULL || optind != argc) {
		usage(stderr);
		return 64;
	}
	if (mdp_config_load(file, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s", err);
		if (err[0] && err[strlen(err) - 1] != '\n')
			fputc('\n', stderr);
		fprintf(stderr, "meshdp: %s: configuration rejected\n", file);
		mdp_config_free(&cfg);
		return EXIT_FAILURE;
	}
	{
		/* Compile the mesh now (regexes, balancers, TLS contexts): a
		 * table that does not compile is a configuration error, --check
		 * included. */
		struct mdp_mesh *m = NULL;

		dp.tls_store = mdp_tls_store_new(&cfg);
		if (dp.tls_store == NULL)
			snprintf(err, sizeof(err), "TLS material: out of memory");
		else
			m = mesh_from_config(&cfg, dp.tls_store, err, sizeof(err));
		if (m == NULL) {
			mdp_tls_store_free(dp.tls_store);
			fprintf(stderr, "%s: %s\nmeshdp: %s: configuration rejected\n", file, err,
				file);
			mdp_config_free(&cfg);
			return EXIT_FAILURE;
		}
		if (check) {
			printf("%s: ok (%u port(s), %u worker(s), %u cluster(s), %u route table(s))\n",
			       file, cfg.n_ports, cfg.n_workers, m->n_clusters, m->n_rts);
			mdp_mesh_free(m);
			mdp_tls_store_free(dp.tls_store);
			mdp_config_free(&cfg);
			return EXIT_SUCCESS;
		}
		dp.mesh = m;	/* published once the workers exist */
	}
	mdp_log_threshold = (enum mdp_log_level)cfg.log_level;
	dp.cfg = &cfg;
	{
		char *abs = realpath(file, NULL);	/* `status` shows where it came from */

		if (abs != NULL) {
			snprintf(cfg.file, sizeof(cfg.file), "%s", abs);
			free(abs);
		}
	}

	/* Block the stop signals before EAL starts its threads, so that they
	 * inherit the mask and only the control loop sees the signals. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		MDP_ERR("signalfd: %s", strerror(errno));
		goto out;
	}

	/* Claim the control socket first: a second meshdp on the same socket
	 * must fail before it touches EAL or the ports of the first. The
	 * loop serves it only once the workers run. */
	mdp_ctrl_cmds_table(&dp, &table);
	rc = mdp_ctrl_server_open(&srv, cfg.ctrl_socket, cfg.ctrl_max_clients, cfg.ctrl_max_line,
				  cfg.ctrl_idle_timeout_s, &table);
	if (rc < 0) {
		MDP_ERR("control socket %s: %s%s", cfg.ctrl_socket, strerror(-rc),
			rc == -EADDRINUSE ? " (another meshdp is running there)" : "");
		goto out;
	}

	eal_argc = eal_argv_build(&cfg, argv[0], eal_argv, (int)RTE_DIM(eal_argv));
	if (eal_argc < 0) {
		MDP_ERR("too many EAL arguments");
		goto out;
	}
	rc = rte_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		MDP_ERR("EAL initialisation failed: %s", rte_strerror(rte_errno));
		goto out;
	}
	eal_up = true;
	dp.tsc_hz = rte_get_tsc_hz();
	clock_gettime(CLOCK_MONOTONIC, &dp.start_mono);
	dp.start_time = time(NULL);
	/* One secret for every worker: ISNs (RFC 6528) and SYN cookies must
	 * verify on whichever core a segment lands. */
	if (getrandom(dp.tcp_key, sizeof(dp.tcp_key), 0) != (ssize_t)sizeof(dp.tcp_key)) {
		MDP_ERR("getrandom: %s", strerror(errno));
		goto out;
	}
	if (check_lcores(&cfg) < 0 || pool_create(&dp) < 0 || mdp_ports_init(&dp) < 0 ||
	    mdp_workers_init(&dp) < 0)
		goto out;
	{
		struct mdp_mesh *m = dp.mesh;

		dp.mesh = NULL;
		mdp_mesh_publish(&dp, m);	/* before launch: set on each worker */
	}
	if (mdp_workers_launch(&dp) < 0)
		goto out;
	dp.running = true;
	MDP_NOTICE("meshdp %s running: %u worker(s), %u port(s), control socket %s",
		   MDP_VERSION, dp.n_workers, dp.n_ports, cfg.ctrl_socket);

	for (;;) {
		rc = mdp_ctrl_server_poll(&srv, sfd, CTRL_POLL_MS);
		if (rc < 0) {
			MDP_ERR("control loop: %s", strerror(-rc));
			goto out;
		}
		if (dp.mesh_old != NULL)
			mdp_mesh_reclaim(&dp);
		mdp_ctrl_tls_tick(&dp);	/* session-ticket key rotation */
		if (rc == 1) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				MDP_NOTICE("signal %s: shutting down", strsignal((int)si.ssi_signo));
				break;
			}
		}
	}
	status = EXIT_SUCCESS;
out:
	mdp_ctrl_server_close(&srv);
	if (eal_up) {
		mdp_workers_stop(&dp);
		mdp_ports_fini(&dp);
		mdp_workers_fini(&dp);
		mdp_mesh_fini(&dp);
		rte_eal_cleanup();
	} else {
		mdp_mesh_free(dp.mesh);
	}
	if (sfd >= 0)
		close(sfd);
	mdp_tls_store_free(dp.tls_store);
	mdp_config_free(&cfg);
	if (status == EXIT_SUCCESS)
		MDP_NOTICE("stopped");
	return status;
}
