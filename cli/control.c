/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "kill", "pause", "resume": systemd's KillUnit(), FreezeUnit() and ThawUnit() on the
 * container's unit. systemd owns the cgroup: a freeze holds every process of the
 * container, the supervising helper included (a paused container's health checks and
 * stop timers wait with it). */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>

#include "log.h"
#include "nscontain.h"

static int parse_no_options(int argc, char *argv[], const char *usage, const char *text) {
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        printf("%s\n\n%s\n", usage, text);
                        return 0;
                default:
                        return -EINVAL;
                }
        return 1;
}

/* Opens NAME's unit and checks that it runs. Returns 0 or an exit code. */
static int open_running(const char *verb, const char *name, ContainerRef *ref, sd_bus **bus,
                        UnitInfo *unit) {
        int r;

        if (require_root(verb) < 0)
                return EXIT_FAILED;
        r = container_open(name, ref, bus, unit);
        if (r != 0)
                return r;
        if (!unit_is_running(unit)) {
                log_error("%s is not running (%s).", ref->unit, strna(unit->active_state));
                return EXIT_FAILED;
        }
        return 0;
}

static int call_unit_method(sd_bus *bus, const ContainerRef *ref, const char *method, const char *what,
                            const char *types, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", method);
        if (r >= 0)
                r = sd_bus_message_append(m, "s", ref->unit);
        if (r >= 0 && types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
        }
        if (r < 0)
                return log_error_errno(r, "Failed to build the %s call: %m", method), EXIT_FAILED;
        r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0) {
                log_error("Failed to %s %s: %s", what, ref->unit, error.message ?: strerror(-r));
                return EXIT_FAILED;
        }
        return 0;
}

int verb_kill(int argc, char *argv[]) {
        _cleanup_(container_ref_done) ContainerRef ref = {};
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(unit_info_done) UnitInfo unit = {};
        int r, sig = SIGTERM;

        r = parse_no_options(
                argc, argv, "nscontain kill [OPTIONS...] NAME [SIGNAL]",
                "Sends SIGNAL (default SIGTERM) to every process of container NAME, the\n"
                "supervising nscontain-helper included: systemd's KillUnit() with whom \"all\",\n"
                "as \"systemctl kill container@NAME\". Signals as \"SIGHUP\", \"HUP\" or \"1\".");
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : 0;
        if (optind >= argc || argc - optind > 2) {
                log_error("Expected NAME and an optional SIGNAL; see 'nscontain kill --help'.");
                return EXIT_USAGE;
        }
        if (argc - optind == 2) {
                sig = signal_from_string(argv[optind + 1]);
                if (sig <= 0) {
                        log_error("Unknown signal '%s'.", argv[optind + 1]);
                        return EXIT_USAGE;
                }
        }
        r = open_running("kill", argv[optind], &ref, &bus, &unit);
        if (r != 0)
                return r;
        /* As "docker kill": the signal is for the container's PID 1, through the helper
         * (KillUnit's "main"), which forwards it; SIGKILL ends every process at once. */
        return call_unit_method(bus, &ref, "KillUnit", "signal", "si", sig == SIGKILL ? "all" : "main",
                                (int32_t)sig);
}

static int verb_freeze(int argc, char *argv[], bool freeze) {
        _cleanup_(container_ref_done) ContainerRef ref = {};
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(unit_info_done) UnitInfo unit = {};
        const char *name;
        int r;

        r = parse_no_options(
                argc, argv,
                freeze ? "nscontain pause [OPTIONS...] NAME" : "nscontain resume [OPTIONS...] NAME",
                freeze ? "Freezes every process of container NAME: systemd's FreezeUnit(), as\n"
                         "\"systemctl freeze container@NAME\" (the cgroup freezer)."
                       : "Thaws container NAME after \"nscontain pause\": systemd's ThawUnit(), as\n"
                         "\"systemctl thaw container@NAME\".");
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : 0;
        if (container_name_argument(argc, argv, freeze ? "pause" : "resume", &name) < 0)
                return EXIT_USAGE;
        r = open_running(freeze ? "pause" : "resume", name, &ref, &bus, &unit);
        if (r != 0)
                return r;
        return call_unit_method(bus, &ref, freeze ? "FreezeUnit" : "ThawUnit", freeze ? "freeze" : "thaw",
                                NULL);
}

int verb_pause(int argc, char *argv[]) {
        return verb_freeze(argc, argv, true);
}

int verb_resume(int argc, char *argv[]) {
        return verb_freeze(argc, argv, false);
}
