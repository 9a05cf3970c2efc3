/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "build-config.h"
#include "config.h"
#include "failpoint.h"
#include "fileio.h"
#include "log.h"
#include "manager.h"

static int manager_settings_load(Manager *m) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = settings_load(&m->settings, m->settings_path, SIDECAR_MACHINE_ID, &error);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0)
                /* Refuse to run on a setting we do not understand rather than hand out
                 * addresses from a pool the administrator did not mean. */
                return log_error_errno(r, "%s: %s", m->settings_path, error ?: "cannot parse");
        return 0;
}

int manager_save_state(Manager *m) {
        _cleanup_free_ char *text = NULL;
        int r;

        r = state_format(&m->state, &text);
        if (r < 0)
                return log_oom();
        /* Temp file, fsync, rename, fsync of the directory: a crash or SIGKILL at any
         * point leaves either the old file or the new one. */
        r = failpoint("sidecar:before-state-write")
                    ?: write_file_atomic_at(m->state_dir_fd, SIDECAR_STATE_FILE, text, strlen(text), 0600,
                                            true);
        if (r < 0)
                return log_error_errno(r, "Failed to write %s/%s: %m", m->state_dir, SIDECAR_STATE_FILE);
        failpoint("sidecar:after-state-write");
        return 0;
}

static int state_load(Manager *m) {
        _cleanup_free_ char *text = NULL, *error = NULL;
        char aside[128];
        size_t n_bad = 0;
        int r;

        r = mkdir_p_at(AT_FDCWD, m->state_dir, 0700, &m->state_dir_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to create %s: %m", m->state_dir);

        /* A sidecar killed between writing the new state and renaming it over the old
         * left its temporary file: the old state is the truth, drop the copy. */
        r = write_file_atomic_cleanup_at(m->state_dir_fd, SIDECAR_STATE_FILE);
        if (r < 0)
                log_warning_errno(r, "Failed to remove temporary files of %s/%s, ignoring: %m", m->state_dir,
                                  SIDECAR_STATE_FILE);

        r = read_full_file_at(m->state_dir_fd, SIDECAR_STATE_FILE, SIDECAR_STATE_SIZE_MAX, &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                /* Never start from nothing when the old state is merely unreadable: we
                 * would hand out ranges that belong to other containers. */
                return log_error_errno(r, "Failed to read %s/%s: %m", m->state_dir, SIDECAR_STATE_FILE);

        r = state_parse(text, &m->state, &n_bad, &error);
        if (r < 0)
                return log_oom();
        if (n_bad == 0)
                return 0;

        /* Keep every good line, and the damaged file for the administrator. */
        snprintf(aside, sizeof(aside), "%s.damaged-%lld", SIDECAR_STATE_FILE, (long long)time(NULL));
        if (renameat(m->state_dir_fd, SIDECAR_STATE_FILE, m->state_dir_fd, aside) < 0)
                return log_error_errno(errno, "Failed to move the damaged %s/%s aside: %m", m->state_dir,
                                       SIDECAR_STATE_FILE);
        log_error("%s/%s: %zu damaged line(s), the first at %s. The file was moved to %s/%s; the %zu good "
                  "entries are kept.",
                  m->state_dir, SIDECAR_STATE_FILE, n_bad, strna(error), m->state_dir, aside,
                  m->state.n_entries);
        return manager_save_state(m);
}

static int name_lost(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        /* Every call queued for us before the name went away has been answered (the bus
         * keeps message order): now nothing is lost by exiting. */
        return sd_event_exit(userdata, 0);
}

/* Release the name and exit once the bus confirms it (systemd's
 * bus_event_loop_with_idle): a call arriving from now on starts a new instance. */
static int release_name_and_exit(Manager *m) {
        const char *unique;
        char match[512];
        int r;

        /* systemd queues a start request for us from now on instead of thinking we are
         * still there to answer it. */
        (void)sd_notify(false, "STOPPING=1");

        r = sd_bus_get_unique_name(m->bus, &unique);
        if (r < 0)
                return r;
        snprintf(match, sizeof(match),
                 "sender='org.freedesktop.DBus',type='signal',interface='org.freedesktop.DBus',"
                 "member='NameOwnerChanged',path='/org/freedesktop/DBus',arg0='%s',arg1='%s',arg2=''",
                 SIDECAR_BUS_NAME, unique);
        r = sd_bus_add_match_async(m->bus, NULL, match, name_lost, NULL, m->event);
        if (r < 0)
                return r;
        return sd_bus_release_name_async(m->bus, NULL, SIDECAR_BUS_NAME, NULL, NULL);
}

static int run_loop(Manager *m) {
        bool exiting = false;
        int r, code = 0;

        for (;;) {
                r = sd_event_get_state(m->event);
                if (r < 0)
                        return r;
                if (r == SD_EVENT_FINISHED)
                        break;
                r = sd_event_run(m->event, exiting || m->idle_usec == 0 ? UINT64_MAX : m->idle_usec);
                if (r < 0)
                        return log_error_errno(r, "Event loop failed: %m");
                if (r == 0 && !exiting && m->idle_usec > 0) {
                        log_debug("Idle, exiting.");
                        r = release_name_and_exit(m);
                        if (r < 0)
                                return log_error_errno(r, "Failed to release the bus name: %m");
                        exiting = true;
                }
        }
        r = sd_event_get_exit_code(m->event, &code);
        return r < 0 ? r : code;
}

static void manager_done(Manager *m) {
        m->bus = sd_bus_flush_close_unref(m->bus);
        m->event = sd_event_unref(m->event);
        /* Finishes the deletions still queued. */
        m->reaper = link_reaper_free(m->reaper);
        m->netlink = netlink_free(m->netlink);
        m->firewall = firewall_free(m->firewall);
        state_done(&m->state);
        idset_done(&m->foreign_ids);
        m->state_dir_fd = safe_close(m->state_dir_fd);
}

static void help(void) {
        printf("%s [OPTIONS]\n\n"
               "The nscontain system bus service (org.nscontain.Sidecar1): uid ranges and\n"
               "networks of containers. Started by D-Bus activation; see nscontain-sidecar(8).\n\n"
               "  -h --help               Show this help\n"
               "     --version            Show the version\n"
               "     --idle-timeout=SECS  Exit after SECS without calls (default 30, 0: never)\n"
               "     --config=FILE        Settings file (default " SIDECAR_SETTINGS_FILE ")\n"
               "     --state-dir=DIR      State directory (default " SIDECAR_STATE_DIR ")\n"
               "     --no-reconcile       Do not remove stale veths at start\n",
               program_invocation_short_name);
}

static int parse_argv(Manager *m, int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100, ARG_IDLE, ARG_CONFIG, ARG_STATE_DIR, ARG_NO_RECONCILE };
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {"idle-timeout", required_argument, NULL, ARG_IDLE},
                {"config", required_argument, NULL, ARG_CONFIG},
                {"state-dir", required_argument, NULL, ARG_STATE_DIR},
                {"no-reconcile", no_argument, NULL, ARG_NO_RECONCILE},
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        puts("nscontain-sidecar " PACKAGE_VERSION);
                        return 0;
                case ARG_IDLE: {
                        char *end = NULL;
                        unsigned long v;

                        errno = 0;
                        v = strtoul(optarg, &end, 10);
                        if (errno != 0 || !end || *end || end == optarg || v > 24UL * 3600UL) {
                                log_error("Invalid --idle-timeout=%s: seconds from 0 to 86400", optarg);
                                return -EINVAL;
                        }
                        m->idle_usec = (uint64_t)v * 1000000ULL;
                        break;
                }
                case ARG_CONFIG:
                        m->settings_path = optarg;
                        break;
                case ARG_STATE_DIR:
                        m->state_dir = optarg;
                        break;
                case ARG_NO_RECONCILE:
                        m->reconcile = false;
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                log_error("Unexpected argument '%s'.", argv[optind]);
                return -EINVAL;
        }
        return 1;
}

int main(int argc, char *argv[]) {
        Manager m = {
                .settings_path = SIDECAR_SETTINGS_FILE,
                .state_dir = SIDECAR_STATE_DIR,
                .state_dir_fd = -EBADF,
                .idle_usec = SIDECAR_IDLE_USEC_DEFAULT,
                .reconcile = true,
        };
        sigset_t mask;
        int r;

        log_setup("nscontain-sidecar", LOG_TARGET_STDERR);
        log_parse_environment();

        r = parse_argv(&m, argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        umask(0022);
        r = manager_settings_load(&m);
        if (r >= 0)
                r = state_load(&m);
        if (r >= 0) {
                r = netlink_open(&m.netlink);
                if (r < 0)
                        log_error_errno(r, "Failed to open a netlink socket: %m");
        }
        if (r >= 0) {
                r = link_reaper_new(&m.reaper);
                if (r < 0)
                        log_error_errno(r, "Failed to start the link reaper thread: %m");
        }
        if (r < 0)
                goto finish;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        r = sd_event_default(&m.event);
        if (r >= 0)
                r = sd_event_add_signal(m.event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(m.event, NULL, SIGINT, NULL, NULL);
        if (r < 0) {
                log_error_errno(r, "Failed to set up the event loop: %m");
                goto finish;
        }

        r = sd_bus_open_system(&m.bus);
        if (r < 0) {
                log_error_errno(r, "Failed to connect to the system bus: %m");
                goto finish;
        }
        r = sd_bus_add_object_vtable(m.bus, NULL, SIDECAR_OBJECT_PATH, SIDECAR_INTERFACE, sidecar_vtable,
                                     &m);
        if (r >= 0)
                r = sd_bus_attach_event(m.bus, m.event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_set_exit_on_disconnect(m.bus, true);
        if (r < 0) {
                log_error_errno(r, "Failed to set up the bus object: %m");
                goto finish;
        }
        /* The name first, then reconcile: owning the name makes us the only sidecar, so
         * nobody is setting up a veth while we remove stale ones. Calls that come in
         * meanwhile wait in the queue. */
        r = sd_bus_request_name(m.bus, SIDECAR_BUS_NAME, 0);
        if (r < 0) {
                log_error_errno(r, "Failed to acquire the bus name %s: %m", SIDECAR_BUS_NAME);
                goto finish;
        }
        if (m.reconcile)
                (void)manager_reconcile(&m);

        log_debug("Ready.");
        r = run_loop(&m);

finish:
        manager_done(&m);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
