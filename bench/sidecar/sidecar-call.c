/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nsc-sidecar-call: calls nscontain-sidecar through the helper's client module
 * (helper/sidecar-client.c), for the integration tests (passing pidfds, which busctl cannot)
 * and the round-trip benchmark.
 *
 *   nsc-sidecar-call acquire NAME [SIZE]
 *   nsc-sidecar-call setup NAME pid PID|file|dead|self [bridge=B] [address=A] [gateway=G] [mtu=M]
 *        [publish=SPEC]
 *   nsc-sidecar-call release NAME
 *   nsc-sidecar-call bench COUNT NAME PID[,PID…]
 *        medians of AcquireUserRange, SetupNetwork, ReleaseNetwork; with K pids the calls
 *        go round K containers NAME-0…NAME-(K-1), one network namespace each, as K
 *        containers restarting in turn do (so that a SetupNetwork does not meet the
 *        veth its own ReleaseNetwork just let go, which the kernel is still deleting)
 *   nsc-sidecar-call bench COUNT NAME new:K
 *        the same round K names, but every SetupNetwork gets a fresh network namespace
 *        (a child that unshares one, made before the timing starts), killed before
 *        the ReleaseNetwork: the order of a container's start and stop
 *   With $NSC_BENCH_PUBLISH set, every bench SetupNetwork also publishes one port,
 *   "PORT:80" with PORT = $NSC_BENCH_PUBLISH + the name's index (bench/sidecar/nat-scale).
 *
 * Failures print "Call failed: MESSAGE" (as busctl does) and exit 1. */
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "helper/libsystemd.h"
#include "helper/sidecar-client.h"

static int failed(int r, char *message) {
        fprintf(stderr, "Call failed: %s\n", message ?: strerror(-r));
        free(message);
        return 1;
}

static int pidfd_open_(pid_t pid) {
        return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int get_fd(const char *kind, const char *arg) {
        if (strcmp(kind, "pid") == 0 && arg)
                return pidfd_open_((pid_t)atoi(arg));
        if (strcmp(kind, "file") == 0)
                return open("/etc/hostname", O_RDONLY | O_CLOEXEC);
        if (strcmp(kind, "self") == 0)
                return pidfd_open_(getpid());
        if (strcmp(kind, "dead") == 0) {
                pid_t p = fork();
                int fd;
                if (p == 0)
                        _exit(0);
                fd = pidfd_open_(p);
                (void)waitpid(p, NULL, 0);
                return fd;
        }
        return -1;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

static double median_ms(uint64_t *v, size_t n) {
        qsort(v, n, sizeof(uint64_t), cmp_u64);
        return (n % 2 ? (double)v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0) / 1000.0;
}

#define BENCH_NAMES_MAX 64

/* A child in a network namespace of its own, waiting to be killed; its pidfd. */
static int netns_child(pid_t *ret_pid) {
        int p[2], fd;
        char c = 0;
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -1;
        pid = fork();
        if (pid < 0)
                return -1;
        if (pid == 0) {
                if (unshare(CLONE_NEWNET) < 0)
                        _exit(1);
                (void)!write(p[1], &c, 1);
                for (;;)
                        pause();
        }
        close(p[1]);
        if (read(p[0], &c, 1) != 1) {
                close(p[0]);
                return -1;
        }
        close(p[0]);
        fd = pidfd_open_(pid);
        *ret_pid = pid;
        return fd;
}

static int bench(int count, const char *name, const char *pids) {
        uint64_t *acq = calloc((size_t)count, sizeof(uint64_t)),
                 *setup = calloc((size_t)count, sizeof(uint64_t)),
                 *rel = calloc((size_t)count, sizeof(uint64_t));
        char names[BENCH_NAMES_MAX][80];
        int fds[BENCH_NAMES_MAX], k = 0, gap_ms, publish_base;
        char specs[BENCH_NAMES_MAX][16], *publish[BENCH_NAMES_MAX][2] = {};
        Network nets[BENCH_NAMES_MAX];
        bool fresh = strncmp(pids, "new:", 4) == 0;
        sd_bus *bus = NULL;
        char *message = NULL;
        int r;

        if (!acq || !setup || !rel)
                return 1;
        gap_ms = getenv("NSC_BENCH_GAP_MS") ? atoi(getenv("NSC_BENCH_GAP_MS")) : 0;
        publish_base = getenv("NSC_BENCH_PUBLISH") ? atoi(getenv("NSC_BENCH_PUBLISH")) : 0;
        for (int j = 0; j < BENCH_NAMES_MAX; j++) {
                snprintf(specs[j], sizeof(specs[j]), "%d:80", publish_base + j);
                publish[j][0] = specs[j];
                /* What a default container asks for: IPv6 too (network.ipv6). */
                nets[j] = (Network){.publish = publish[j], .ipv6 = true};
        }
        r = sd_bus_open_system(&bus);
        if (r < 0)
                return failed(r, NULL);
        if (fresh) {
                k = atoi(pids + 4);
                if (k < 1 || k > BENCH_NAMES_MAX)
                        return failed(-EINVAL, NULL);
                for (int j = 0; j < k; j++)
                        snprintf(names[j], sizeof(names[j]), "%s-%d", name, j);
        }
        for (const char *p = pids; !fresh && *p && k < BENCH_NAMES_MAX; k++) {
                fds[k] = pidfd_open_((pid_t)atoi(p));
                if (fds[k] < 0)
                        return failed(-errno, NULL);
                if (strchr(pids, ','))
                        snprintf(names[k], sizeof(names[k]), "%s-%d", name, k);
                else
                        snprintf(names[k], sizeof(names[k]), "%s", name);
                p = strchr(p, ',') ? strchr(p, ',') + 1 : p + strlen(p);
        }
        for (int i = 0; i < count; i++) {
                uint32_t base;
                SidecarNetwork net;
                uint64_t t0, t1, t2, t3;
                pid_t child = 0;
                int fd;

                const char *n = names[i % k];

                /* $NSC_BENCH_GAP_MS: a pause (not timed) before each round, e.g. for the
                 * kernel's deletion of the last released veth to end first. */
                if (gap_ms > 0)
                        (void)nanosleep(&(struct timespec){.tv_sec = gap_ms / 1000,
                                                           .tv_nsec = (long)(gap_ms % 1000) * 1000000L},
                                        NULL);
                fd = fresh ? netns_child(&child) : fds[i % k];
                if (fd < 0)
                        return failed(-errno, NULL);
                t0 = now_usec(CLOCK_MONOTONIC);

                r = sidecar_acquire_user_range(bus, n, 0, &base, &message);
                t1 = now_usec(CLOCK_MONOTONIC);
                if (r >= 0)
                        r = sidecar_setup_network(bus, n, fd, publish_base > 0 ? &nets[i % k] : NULL, &net,
                                                  &message);
                t2 = now_usec(CLOCK_MONOTONIC);
                setup[i] = t2 - t1;
                if (fresh) {
                        (void)kill(child, SIGKILL);
                        (void)waitpid(child, NULL, 0);
                        close(fd);
                        t2 = now_usec(CLOCK_MONOTONIC); /* the kill is not part of any call */
                }
                if (r >= 0)
                        r = sidecar_release_network(bus, n, &message);
                t3 = now_usec(CLOCK_MONOTONIC);
                if (r < 0)
                        return failed(r, message);
                acq[i] = t1 - t0;
                rel[i] = t3 - t2;
        }
        printf("calls %d\nAcquireUserRange_median_ms %.3f\nSetupNetwork_median_ms "
               "%.3f\nReleaseNetwork_median_ms "
               "%.3f\n",
               count, median_ms(acq, (size_t)count), median_ms(setup, (size_t)count),
               median_ms(rel, (size_t)count));
        sd_bus_flush_close_unref(bus);
        free(acq);
        free(setup);
        free(rel);
        return 0;
}

int main(int argc, char *argv[]) {
        char *message = NULL;
        int r;

        /* helper/sidecar-client.c calls libsystemd through the helper's dlopen() table. */
        if (libsystemd_load() < 0)
                return 1;

        if (argc >= 3 && strcmp(argv[1], "acquire") == 0) {
                uint32_t base;
                r = sidecar_acquire_user_range(
                        NULL, argv[2], argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 0, &base, &message);
                if (r < 0)
                        return failed(r, message);
                printf("%" PRIu32 "\n", base);
                return 0;
        }
        if (argc >= 4 && strcmp(argv[1], "setup") == 0) {
                Network n = {.ipv6 = true};
                SidecarNetwork net;
                char *publish[2] = {};
                int i = 4, fd;

                fd = get_fd(argv[3], strcmp(argv[3], "pid") == 0 ? argv[i++] : NULL);
                if (fd < 0)
                        return failed(-errno, NULL);
                for (; i < argc; i++) {
                        if (strncmp(argv[i], "bridge=", 7) == 0)
                                n.bridge = argv[i] + 7;
                        else if (strncmp(argv[i], "address=", 8) == 0)
                                n.address = argv[i] + 8;
                        else if (strncmp(argv[i], "gateway=", 8) == 0)
                                n.gateway = argv[i] + 8;
                        else if (strncmp(argv[i], "address6=", 9) == 0)
                                n.address6 = argv[i] + 9;
                        else if (strncmp(argv[i], "ipv6=", 5) == 0)
                                n.ipv6 = strcmp(argv[i] + 5, "1") == 0 || strcmp(argv[i] + 5, "true") == 0;
                        else if (strncmp(argv[i], "mtu=", 4) == 0)
                                n.mtu = (uint32_t)strtoul(argv[i] + 4, NULL, 10);
                        else if (strncmp(argv[i], "publish=", 8) == 0) {
                                publish[0] = argv[i] + 8;
                                n.publish = publish;
                        } else {
                                fprintf(stderr, "Unknown option %s\n", argv[i]);
                                return 2;
                        }
                }
                r = sidecar_setup_network(NULL, argv[2], fd, &n, &net, &message);
                if (r < 0)
                        return failed(r, message);
                printf("%s %s %s %" PRIu32 " %s %s\n", net.host_ifname, net.address,
                       net.gateway[0] ? net.gateway : "-", net.mtu, net.address6[0] ? net.address6 : "-",
                       net.gateway6[0] ? net.gateway6 : "-");
                return 0;
        }
        if (argc == 3 && strcmp(argv[1], "release") == 0) {
                r = sidecar_release_network(NULL, argv[2], &message);
                return r < 0 ? failed(r, message) : 0;
        }
        if (argc == 5 && strcmp(argv[1], "bench") == 0)
                return bench(atoi(argv[2]), argv[3], argv[4]);
        fprintf(stderr, "Usage: %s acquire|setup|release|bench ... (see the source)\n", argv[0]);
        return 2;
}
