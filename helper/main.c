/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <net/if.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "libsystemd.h"
#include "boot.h"
#include "build-config.h"
#include "config-set.h"
#include "config-snapshot.h"
#include "config.h"
#include "env-file.h"
#include "failpoint.h"
#include "health.h"
#include "log.h"
#include "parse-util.h"
#include "notify.h"
#include "preflight.h"
#include "proxy.h"
#include "sidecar-client.h"
#include "spawn.h"
#include "strv.h"
#include "systemd-version.h"

static const char *arg_config = NULL;
static const char *arg_name = NULL;

static void help(void) {
        printf("%s [OPTIONS...] NAME\n\n"
               "Runs the container NAME: the main process of container@NAME.service.\n\n"
               "  -h --help          Show this help\n"
               "     --version       Show the version\n"
               "  -c --config=FILE   Use FILE instead of $NSCONTAIN_CONFIG or the search path\n"
               "                     (runs in the foreground when not started by systemd)\n\n"
               "See nscontain-helper(8).\n",
               program_invocation_short_name);
}

/* Returns 1 to go on, 0 to exit successfully, <0 on a usage error (logged). */
static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100 };
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {"config", required_argument, NULL, 'c'},
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "hc:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("nscontain-helper %s\n", PACKAGE_VERSION);
                        return 0;
                case 'c':
                        arg_config = optarg;
                        break;
                default:
                        return -EINVAL;
                }

        if (optind + 1 != argc) {
                log_error("Expected exactly one argument, the container NAME (see --help).");
                return -EINVAL;
        }
        arg_name = argv[optind];
        if (!config_name_is_valid(arg_name)) {
                char why[160];

                /* The generator's words for NAME.json (it wrote no drop-in for it). */
                log_error("%s.json: invalid container name \"%s\": %s", arg_name, arg_name,
                          config_name_invalid_reason(arg_name, true, why, sizeof(why)));
                return -EINVAL;
        }
        return 1;
}

/* The generator's snapshot record of NAME (lib/config-snapshot.h), parsed by the same
 * code as the file was at daemon-reload. */
static int helper_load_snapshot(const char *name, const char *path, const char *offset, Config **ret) {
        _cleanup_free_ char *text = NULL, *error = NULL;
        uint64_t o;
        size_t size;
        int r;

        r = decimal_parse(offset, strlen(offset), UINT64_MAX, &o);
        if (r < 0)
                return log_error_errno(r, "%s: Invalid $" CONFIG_SNAPSHOT_OFFSET_ENV " '%s'.", name, offset);
        r = config_snapshot_read(path, o, name, &text, &size);
        if (r == -ESTALE)
                return log_error_errno(r,
                                       "%s: %s holds no config for %s at %s: run 'systemctl daemon-reload'.",
                                       name, path, name, offset);
        if (r < 0)
                return log_error_errno(r, "%s: Failed to read the config snapshot %s: %m", name, path);
        r = config_parse(name, NULL, text, size, ret, &error);
        if (r < 0) {
                if (error)
                        log_error("%s", error);
                else
                        log_error_errno(r, "%s: Failed to parse the config snapshot: %m", name);
        }
        return r;
}

static int helper_load_config(const char *name, Config **ret) {
        _cleanup_free_ char *found = NULL, *error = NULL;
        const char *path = arg_config ?: getenv(CONFIG_SNAPSHOT_ENV);
        const char *offset = getenv(CONFIG_SNAPSHOT_OFFSET_ENV);
        int r;

        /* The generator's drop-in names its snapshot of what it validated; by hand,
         * --config or the search path. */
        if (!arg_config && !isempty(path) && !isempty(offset))
                return helper_load_snapshot(name, path, offset, ret);
        if (isempty(path)) {
                r = config_find(name, &found);
                if (r == -ENOENT)
                        return log_error_errno(r, "%s: No configuration %s.json found in %s.", name, name,
                                               getenv("NSCONTAIN_CONFIG_PATH") ?: CONFIG_SEARCH_PATH);
                if (r == -ERFKILL)
                        return log_error_errno(r, "%s: The configuration %s.json is masked.", name, name);
                if (r < 0)
                        return log_error_errno(r, "%s: Failed to look for %s.json: %m", name, name);
                path = found;
        }

        /* The same validation as the generator's, and its message verbatim on one line,
         * so that "systemctl status" says why a config that changed since is refused. */
        r = config_load_file(path, name, ret, &error);
        if (r < 0) {
                if (error)
                        log_error("%s", error);
                else
                        log_error_errno(r, "%s: Failed to load '%s': %m", name, path);
                return r;
        }
        return 0;
}

/* network.address6 outside this machine's IPv6 pool: refused before the sidecar is
 * asked, in validate's words with the JSON path (lib/preflight.c). */
static int helper_check_address6(const char *name, const Config *c) {
        char text[VALUE_REFUSAL_SIZE];
        int r;

        r = preflight_address6(c, text, NULL);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                log_error("%s: network.address6: %s", name, text);
        return r;
}

/* "service" settings that a newer systemd than the running one added: systemd ignored
 * them at daemon-reload with a warning of its own; say which, and what they need, at the
 * start (nscontain.json(5), "service"). Only a config that has one asks systemd. */
static void helper_warn_newer_settings(const char *name, const Config *c) {
        _cleanup_free_ char *version = NULL;
        sd_bus *bus = NULL;
        unsigned running;
        bool any = false;
        int r;

        for (size_t i = 0; i < c->n_service; i++)
                any = any || unit_setting_since(c->service[i].key) > 0;
        if (!any)
                return;

        r = libsystemd_load();
        if (r >= 0)
                r = sym_sd_bus_open_system(&bus);
        if (r >= 0)
                r = sym_sd_bus_get_property_string(
                        bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                        "org.freedesktop.systemd1.Manager", "Version", NULL, &version);
        if (bus)
                sym_sd_bus_flush_close_unref(bus);
        if (r >= 0)
                r = systemd_version_major(version, &running);
        if (r < 0) {
                log_debug_errno(r, "%s: Failed to learn the version of systemd: %m", name);
                return;
        }
        for (size_t i = 0; i < c->n_service; i++) {
                unsigned since = unit_setting_since(c->service[i].key);

                if (since > running)
                        log_warning("%s: \"service\": %s= needs systemd %u or newer; this is systemd %u, "
                                    "which ignores it.",
                                    name, c->service[i].key, since, running);
        }
}

/* "env_files": read now, as root on the host, merged over the defaults and under "env"
 * (nscontain.json(5)). A bad line fails the start with the file and line number. */
static int helper_load_env_files(const char *name, Config *c) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = env_files_apply(c->env_files, c->env_given, &c->env, &error);
        if (r == -ENOMEM || (r < 0 && !error))
                return log_oom();
        if (r < 0)
                return log_error_errno(r, "%s: %s", name, error);
        return 0;
}

/* systemd's watchdog for this unit (WatchdogSec=, "watchdog_sec"): $WATCHDOG_USEC, when
 * $WATCHDOG_PID is ours or unset (sd_watchdog_enabled(3)); 0 without one. */
static uint64_t helper_watchdog_usec(void) {
        const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
        unsigned long long v;
        char *end;

        if (isempty(usec) || (!isempty(pid) && strtol(pid, NULL, 10) != (long)getpid()))
                return 0;
        errno = 0;
        v = strtoull(usec, &end, 10);
        if (errno != 0 || *end != 0 || v == 0)
                return 0;
        return (uint64_t)v;
}

/* "notify" and "boot": the payload's sd_notify(3) reaches systemd through the relay
 * (notify.c), at $NOTIFY_SOCKET inside; with a watchdog, $WATCHDOG_USEC tells it how
 * often to send WATCHDOG=1 (no $WATCHDOG_PID: its pid is not ours). */
static int helper_notify_setup(Container *c, NotifyRelay *relay, uint64_t watchdog_usec) {
        Config *config = c->config;
        char usec[32];
        int r;

        if (!config->notify && !config->boot)
                return 0;
        r = notify_relay_open(relay, c->name);
        if (r < 0)
                return r;
        relay->main_only = config->boot;
        relay->hold_status = config->health.command;
        c->notify_tree_fd = relay->tree_fd;
        snprintf(usec, sizeof(usec), "%" PRIu64, watchdog_usec);
        if (strv_env_set(&config->env, "NOTIFY_SOCKET", NOTIFY_SOCKET_INSIDE, true) < 0 ||
            (watchdog_usec > 0 && strv_env_set(&config->env, "WATCHDOG_USEC", usec, true) < 0))
                return log_oom();
        return 0;
}

/* What this start holds outside the helper: the bus connection of the setup, and what
 * must be given back when the container ends (or its start fails). */
typedef struct Holdings {
        sd_bus *bus;      /* open during setup only: the supervisor keeps no connection */
        bool network;     /* SetupNetwork was asked for: ReleaseNetwork at the end */
        bool machine;     /* registered with systemd-machined */
        bool registering; /* the registration is in flight (machine_register_start()) */
        MachineRegistration registration;
        int host_ifindex; /* the host side of the veth, 0 without one */
        int proxy_pidfd;  /* the loopback relay of published ports (proxy.h), -EBADF: none */
} Holdings;

static int holdings_bus(Holdings *h, sd_bus **ret) {
        int r;

        if (!h->bus) {
                /* Retried while the bus refuses connections (many starts at once). */
                r = sidecar_bus_open(&h->bus);
                if (r < 0)
                        return r;
        }
        *ret = h->bus;
        return 0;
}

static void holdings_close_bus(Holdings *h) {
        if (h->bus)
                h->bus = sym_sd_bus_flush_close_unref(h->bus);
}

/* The uid range for "auto" from nscontain-sidecar (the same one for NAME every time),
 * before clone3: the maps are written as soon as the child exists. */
static int container_acquire_user_range(Container *c, Holdings *h) {
        const Config *config = c->config;
        _cleanup_free_ char *error = NULL;
        uint32_t base = 0;
        sd_bus *bus;
        int r;

        if (!config->namespaces.user)
                return 0;
        c->uid_size = config->user_namespace.size;
        if (!config->user_namespace.base_auto) {
                c->uid_base = config->user_namespace.base;
                return 0;
        }

        r = holdings_bus(h, &bus);
        if (r < 0)
                return log_error_errno(r, "%s: Failed to connect to the system bus for a uid range: %m",
                                       c->name);
        r = sidecar_acquire_user_range(bus, c->name, c->uid_size, &base, &error);
        if (r < 0)
                return log_error_errno(r, "%s: Failed to get a uid range from nscontain-sidecar: %s",
                                       c->name, error ?: "unknown error");
        c->uid_base = base;
        return 0;
}

static bool container_wants_veth(const Config *config) {
        return config->network.mode == NETWORK_VETH && config->namespaces.net;
}

/* SpawnPrepare: the child builds its root meanwhile; the sidecar makes the veth pair
 * with the peer ("host0") directly in the child's network namespace, found through its
 * pidfd, and the child renames it to eth0 with the facts put into c. */
static int container_setup_network(Container *c, pid_t pid, int pidfd, void *userdata, Failure *f) {
        Holdings *h = userdata;
        _cleanup_free_ char *error = NULL;
        SidecarNetwork net = {};
        sd_bus *bus;
        int r;

        (void)pid;
        if (!container_wants_veth(c->config))
                return 0;

        r = holdings_bus(h, &bus);
        if (r < 0)
                return failf(f, r, "Failed to connect to the system bus for the network");
        /* Before the call: one that times out or fails half-way may still have made a
         * veth, and ReleaseNetwork is harmless when there is none. */
        h->network = true;
        r = sidecar_setup_network(bus, c->name, pidfd, &c->config->network, &net, &error);
        if (r < 0)
                /* The sidecar's words, or the errno's: nothing to add (failx). */
                return failx(f, r, "Failed to set up the network through nscontain-sidecar: %s",
                             error ?: "unknown error");

        snprintf(c->ifname, sizeof(c->ifname), "%s", net.peer_ifname);
        snprintf(c->address, sizeof(c->address), "%s", net.address);
        snprintf(c->gateway, sizeof(c->gateway), "%s", net.gateway);
        snprintf(c->address6, sizeof(c->address6), "%s", net.address6);
        snprintf(c->gateway6, sizeof(c->gateway6), "%s", net.gateway6);
        c->mtu = net.mtu;
        /* Listening before READY=1: a port on the host's loopback answers once the
         * start has returned, as the nft elements do for the other addresses. */
        r = proxy_start(c->name, c->config->network.publish, c->address, &h->proxy_pidfd, f);
        if (r < 0)
                return r;
        failpoint("helper:after-network");
        /* Only for machined's "ifindices"; a missing one is no reason to fail. */
        h->host_ifindex = (int)if_nametoindex(net.host_ifname);
        return 0;
}

/* Registration with machined, asked for as soon as the child sets up (it has its veth
 * then) so that machined works on it meanwhile; its answer is taken once the payload
 * runs. Only a service is a machine: RegisterMachine makes the caller's unit the
 * machine's, and from a login shell that would be the session's scope, which
 * "machinectl terminate" would then stop whole. */
static bool container_registers(void) {
        return getenv("INVOCATION_ID");
}

static void container_register_failed(const char *name, int r, const char *error) {
        /* Optional: without machined (not installed, no bus) the container runs, unlisted. */
        log_warning_errno(
                r,
                "%s: Failed to register with systemd-machined, machinectl will not show the container: %s",
                name, error ?: strerror(-r));
}

/* SpawnStarted: the child sets up meanwhile. */
static void container_register_start(Container *c, pid_t leader, void *userdata) {
        Holdings *h = userdata;
        sd_bus *bus;
        int r;

        /* "notify": why the unit stays activating, said now while the child sets up
         * rather than after its exec, when the payload's READY=1 may be on its way. */
        if (c->config->notify && !c->config->health.command)
                (void)notify_sendf("STATUS=Container %s started, PID %i, waiting for its READY=1", c->name,
                                   (int)leader);

        if (!container_registers())
                return;

        h->registration = (MachineRegistration){
                .name = c->name,
                .leader = leader,
                .root_directory = c->config->rootfs ?: c->state_dir,
                .ifindex = h->host_ifindex,
                .error = SD_BUS_ERROR_NULL,
        };
        r = holdings_bus(h, &bus);
        if (r >= 0)
                r = machine_register_start(bus, &h->registration);
        if (r < 0) {
                container_register_failed(c->name, r, NULL);
                return;
        }
        h->registering = true;
}

/* Before READY=1, so that once "systemctl start" returns machinectl knows the container;
 * but a container that has ended already is not kept waiting for machined. */
static void container_register_finish(const char *name, Holdings *h, int pidfd) {
        _cleanup_free_ char *error = NULL;
        int r;

        if (!h->registering)
                return;
        h->registering = false;
        r = machine_register_wait(h->bus, &h->registration, pidfd, &error);
        if (r == -ECHILD)
                return;
        if (r < 0) {
                container_register_failed(name, r, error);
                return;
        }
        h->machine = true;
}

/* Gives back what the start holds, once the container's processes are gone: the veth
 * (the kernel removes it with the last process of the network namespace, but something
 * may still hold that namespace) and the machine. machined drops the machine itself
 * when the unit stops, so we tell it only on a connection we need anyway: for the
 * network, or the setup's, still open after a failed start. We wait for its answer, as
 * systemd-nspawn does: once "systemctl stop" returns, machinectl no longer lists the
 * machine (with the call unanswered, one of 50 containers stopped at once was still
 * listed after the stop had returned, under systemd 257). A SIGKILLed helper gets
 * here never: the sidecar's reconcile and the next SetupNetwork for NAME remove a
 * leftover veth, and the next registration replaces a stale machine. */
static void release_network_and_machine(const char *name, Holdings *h) {
        _cleanup_free_ char *error = NULL;
        sd_bus *bus = NULL;
        int r;

        /* The relay first: nothing answers for the container once it is gone. */
        proxy_stop(&h->proxy_pidfd);

        /* A failed start's registration is not waited for: machined acts on the call
         * anyway, and drops the machine with the unit. */
        if (h->registering) {
                h->registration.slot = sym_sd_bus_slot_unref(h->registration.slot);
                h->registering = false;
        }
        if (!h->network && !(h->machine && h->bus)) {
                holdings_close_bus(h);
                return;
        }
        r = holdings_bus(h, &bus);
        if (r < 0) {
                log_warning_errno(r, "%s: Failed to connect to the system bus to release the network: %m",
                                  name);
                return;
        }
        if (h->machine) {
                _cleanup_free_ char *why = NULL;

                r = machine_unregister(bus, name, MACHINED_STOP_TIMEOUT_USEC, &why);
                if (r < 0)
                        log_warning_errno(r, "%s: Failed to unregister from systemd-machined: %s", name,
                                          why ?: strerror(-r));
                h->machine = false;
        }
        if (h->network) {
                r = sidecar_release_network(bus, name, &error);
                if (r < 0)
                        log_warning_errno(r,
                                          "%s: Failed to release the network through nscontain-sidecar: %s",
                                          name, error ?: strerror(-r));
                h->network = false;
        }
        holdings_close_bus(h);
}

/* A start that fails: its reason also as the unit's status text, which "systemctl status"
 * shows as "Status:" for as long as the unit stays failed. The journal line alone may not
 * be there: a helper that fails within a millisecond of its exec can have its line
 * stamped by journald before systemd records the unit's start, and status shows only the
 * lines after that. */
static int helper_failed(int code) {
        const char *why = log_last_error();

        if (!isempty(why))
                (void)notify_sendf("STATUS=%s", why);
        return code;
}

/* What the setup holds of the container that the supervisor does not need: given back
 * before supervising, and on every way out of the setup. */
static void container_setup_done(Container *c) {
        image_info_done(&c->image);
        free(c->state_dir);
        c->state_dir = NULL;
}

int main(int argc, char *argv[]) {
        _cleanup_config_free_ Config *config = NULL;
        _cleanup_(strategy_freep) Strategy *strategy = NULL;
        _cleanup_(notify_relay_close) NotifyRelay relay = NOTIFY_RELAY_NULL;
        HealthChecker *health = NULL;
        uint64_t watchdog_usec = helper_watchdog_usec();
        _cleanup_free_ char *missing = NULL;
        _cleanup_close_ int pidfd = -EBADF;
        Holdings h = {.proxy_pidfd = -EBADF};
        Supervisor s = {};
        Failure f = {};
        sigset_t mask;
        pid_t pid;
        int r, code;

        log_setup("nscontain-helper", LOG_TARGET_JOURNAL);
        log_parse_environment();

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? helper_failed(EXIT_SETUP_FAILED) : 0;

        r = helper_load_config(arg_name, &config);
        if (r < 0)
                return helper_failed(EXIT_SETUP_FAILED);
        helper_warn_newer_settings(arg_name, config);
        r = helper_check_address6(arg_name, config);
        if (r < 0)
                return helper_failed(EXIT_SETUP_FAILED);

        /* The generator writes no Requires= on a container without a config (systemd would
         * fail this unit on it without a word): say which one it is. */
        r = config_requires_missing(config, &missing);
        if (r < 0)
                return log_oom(), helper_failed(EXIT_SETUP_FAILED);
        if (r > 0) {
                log_error("%s: %s", arg_name, missing);
                return helper_failed(EXIT_SETUP_FAILED);
        }
        r = helper_load_env_files(arg_name, config);
        if (r < 0)
                return helper_failed(EXIT_SETUP_FAILED);
        failpoint("helper:after-config");

        _cleanup_(container_setup_done) Container c = {
                .config = config,
                .name = arg_name,
                .userns = config->namespaces.user,
                .root_tree_fd = -EBADF,
                .dns_tree_fd = {-EBADF, -EBADF},
                .hosts_fd = -EBADF,
                .sync_fd = -EBADF,
                .stub_fd = -EBADF,
                .notify_tree_fd = -EBADF,
        };

        if (config->image) {
                r = image_root_resolve(&c);
                if (r < 0)
                        return helper_failed(EXIT_SETUP_FAILED);
        }

        r = container_acquire_user_range(&c, &h);
        if (r < 0) {
                holdings_close_bus(&h);
                return helper_failed(EXIT_SETUP_FAILED);
        }
        failpoint("helper:after-user-range");

        /* "boot": the container interface, a strategy the helper calls at fixed points
         * (boot.c); other containers have none. */
        r = config->boot ? boot_strategy_new(&c, &strategy) : 0;
        c.strategy = strategy;
        if (r < 0) {
                holdings_close_bus(&h);
                return helper_failed(EXIT_SETUP_FAILED);
        }

        r = helper_notify_setup(&c, &relay, watchdog_usec);
        if (r < 0) {
                holdings_close_bus(&h);
                return helper_failed(EXIT_SETUP_FAILED);
        }

        /* From here on a stop request waits for the supervisor (see helper_signal_set()). */
        helper_signal_set(&mask);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
                log_error_errno(errno, "%s: Failed to block signals: %m", arg_name);
                holdings_close_bus(&h);
                return helper_failed(EXIT_SETUP_FAILED);
        }

        r = container_spawn(&c, container_setup_network, container_register_start, &h, &pid, &pidfd, &f);
        image_root_reap(&c);
        relay.tree_fd = safe_close(relay.tree_fd); /* the child has its own */
        c.notify_tree_fd = -EBADF;
        if (r < 0) {
                failure_log(arg_name, &f);
                release_network_and_machine(arg_name, &h);
                return helper_failed(f.exit_code > 0 ? f.exit_code : EXIT_SETUP_FAILED);
        }

        container_register_finish(arg_name, &h, pidfd);

        s = (Supervisor){
                .strategy = strategy,
                .pid = pid,
                .pidfd = pidfd,
                .stop_signal = config->stop_signal,
                .stop_timeout_usec = config->stop_timeout_usec,
                .notify = relay.fd >= 0 ? &relay : NULL,
                .payload_ready = config->notify,
                /* Without "notify" nobody inside feeds it: the supervisor does, for as
                 * long as it supervises (nscontain.json(5) "watchdog_sec"). */
                .watchdog_usec = config->notify || config->boot ? 0 : watchdog_usec,
                .relay_pidfd = h.proxy_pidfd,
        };
        snprintf(s.name, sizeof(s.name), "%s", arg_name);

        /* "health": the checker keeps the config (user, environment, credentials of the
         * check); without one the supervisor keeps nothing of it. */
        r = health_checker_new(arg_name, config, pid, &health);
        if (r < 0) {
                (void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
                (void)waitid(P_PIDFD, (id_t)pidfd, &(siginfo_t){}, WEXITED);
                release_network_and_machine(arg_name, &h);
                return helper_failed(EXIT_SETUP_FAILED);
        }
        if (health) {
                s.health = health;
                config = NULL;
        }

        /* The supervisor lives as long as the container: give back what setup used, the
         * bus connection included (reopened at the end if there is something to release). */
        holdings_close_bus(&h);
        config = config_free(config);
        container_setup_done(&c);
        (void)malloc_trim(0);

        code = supervisor_run(&s);
        health = health_checker_free(health);
        release_network_and_machine(arg_name, &h);
        return code;
}
