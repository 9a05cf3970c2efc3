/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nscontain run: a one-off container as a transient unit, the way systemd-run makes
 * one. The unit is nscontain-run-NAME.service (never container@NAME.service, which
 * belongs to a configured container), its main process the helper, started with a
 * config written to /run/nscontain/run/NAME.json. In the foreground our stdin, stdout
 * and stderr are handed to the unit (systemd-run --pipe), we wait for it to finish and
 * return the payload's exit code; a reference (AddRef) keeps systemd from collecting
 * the unit before we read that code. */

#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <systemd/sd-event.h>

#include "build-config.h"
#include "fileio.h"
#include "log.h"
#include "nscontain.h"
#include "parse-util.h"
#include "strv.h"

static const char *arg_name = NULL;
static char **arg_properties = NULL;
static ProcessOptions arg_process = {};
static const char *arg_hostname = NULL;
static const char *arg_network = NULL;
static const char *arg_uid_base = NULL;
static bool arg_rm = false;
static bool arg_detach = false;

static void help(void) {
        printf("nscontain run [OPTIONS...] ROOTFS COMMAND [ARGS...]\n\n"
               "Runs COMMAND in a one-off container on the directory ROOTFS, as the transient\n"
               "unit nscontain-run-NAME.service. In the foreground (the default) the command\n"
               "uses this terminal's standard input and output, ^C stops it, and nscontain\n"
               "exits with its exit code.\n\n"
               "  -h --help             Show this help\n"
               "     --name=NAME        Container name (default: run-XXXXXXXX)\n"
               "  -p --property=P=V     A unit property: MemoryMax, MemoryHigh, MemoryLow,\n"
               "                        TasksMax, CPUQuota, CPUWeight, IOWeight, Nice,\n"
               "                        RuntimeMaxSec, TimeoutStopSec, Description\n"
               "     --rm               Remove the unit and its config when it finishes,\n"
               "                        also when it fails\n"
               "  -d --detach           Start it and print the unit name\n"
               "  -e --env=KEY=VALUE    Environment of the command (repeatable)\n"
               "  -u --user=USER        User in the container (name, uid, uid:gid)\n"
               "  -w --workdir=DIR      Working directory in the container\n"
               "     --hostname=NAME    Hostname (default: NAME)\n"
               "     --network=MODE     veth (default), none or host\n"
               "     --uid-base=N|auto  First host uid of the container's range (default: auto)\n\n"
               "Exit status: the command's (128+N for signal N); 125 when the container could\n"
               "not be set up or nscontain failed, 126/127 when the command cannot be\n"
               "executed or is not found, 2 on a usage error. With --detach: 0 once started.\n");
}

/* ---- -p Prop=Value ------------------------------------------------------------ */

static int invalid_value(const char *key, const char *v) {
        log_error("Invalid value for %s: '%s'.", key, v);
        return -EINVAL;
}

static int append_property(sd_bus_message *m, const char *assignment) {
        _cleanup_free_ char *key = NULL;
        const char *eq = strchr(assignment, '='), *v;
        uint64_t u, pm;
        int r;

        if (!eq || eq == assignment) {
                log_error("Expected PROPERTY=VALUE, got '%s'.", assignment);
                return -EINVAL;
        }
        key = strndup(assignment, (size_t)(eq - assignment));
        if (!key)
                return log_oom();
        v = eq + 1;

        if (streq(key, "MemoryMax") || streq(key, "MemoryHigh") || streq(key, "MemoryLow") ||
            streq(key, "MemoryMin") || streq(key, "MemorySwapMax") || streq(key, "TasksMax")) {
                /* The grammars of the config's "resources" (lib/parse-util.c). */
                if (strchr(v, '%')) {
                        _cleanup_free_ char *scale = NULL;
                        if (percent_parse(v, &pm) < 0 || pm == 0 || pm > 10000)
                                return invalid_value(key, v);
                        if (asprintf(&scale, "%sScale", key) < 0)
                                return log_oom();
                        r = sd_bus_message_append(m, "(sv)", scale, "u",
                                                  (uint32_t)((double)pm / 10000.0 * (double)UINT32_MAX));
                } else {
                        if (streq(key, "TasksMax")) {
                                if (streq(v, "infinity"))
                                        u = UINT64_MAX;
                                else if (decimal_parse(v, strlen(v), UINT64_MAX - 1, &u) < 0 || u == 0)
                                        return invalid_value(key, v);
                        } else if (size_parse(v, &u) < 0)
                                return invalid_value(key, v);
                        r = sd_bus_message_append(m, "(sv)", key, "t", u);
                }
        } else if (streq(key, "CPUQuota")) {
                if (percent_parse(v, &pm) < 0 || pm == 0)
                        return invalid_value(key, v);
                /* systemd's CPUQuota=50% is 500ms of CPU time per second. */
                r = sd_bus_message_append(m, "(sv)", "CPUQuotaPerSecUSec", "t", pm * 100);
        } else if (streq(key, "CPUWeight") || streq(key, "IOWeight")) {
                if (weight_parse(v, &u) < 0)
                        return invalid_value(key, v);
                r = sd_bus_message_append(m, "(sv)", key, "t", u);
        } else if (streq(key, "Nice")) {
                char *end;
                errno = 0;
                long n = strtol(v, &end, 10);
                if (errno != 0 || end == v || *end || n < -20 || n > 19)
                        return invalid_value(key, v);
                r = sd_bus_message_append(m, "(sv)", key, "i", (int32_t)n);
        } else if (streq(key, "RuntimeMaxSec") || streq(key, "TimeoutStopSec")) {
                if (parse_timespan(v, &u) < 0) /* "infinity" included */
                        return invalid_value(key, v);
                r = sd_bus_message_append(m, "(sv)",
                                          streq(key, "RuntimeMaxSec") ? "RuntimeMaxUSec" : "TimeoutStopUSec",
                                          "t", u);
        } else if (streq(key, "Description")) {
                r = sd_bus_message_append(m, "(sv)", key, "s", v);
        } else {
                log_error("Unsupported property '%s' for 'nscontain run'; supported: MemoryMax, MemoryHigh, "
                          "MemoryLow, MemoryMin, MemorySwapMax, TasksMax, CPUQuota, CPUWeight, IOWeight, "
                          "Nice, "
                          "RuntimeMaxSec, TimeoutStopSec, Description. Container settings have options of "
                          "their own (-e, -u, -w, --network, ...).",
                          key);
                return -EOPNOTSUPP;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to add property '%s': %m", key);
        return 0;
}

/* ---- the config ----------------------------------------------------------------- */

static int config_render(const char *rootfs, char **cmd, char **ret) {
        json_object *o = json_object_new_object(), *a, *env = NULL;
        int r = 0;

        if (!o)
                return -ENOMEM;
        json_object_object_add(o, "rootfs", json_object_new_string(rootfs));
        a = json_object_new_array();
        for (char **c = cmd; *c; c++)
                json_object_array_add(a, json_object_new_string(*c));
        json_object_object_add(o, "command", a);
        STRV_FOREACH (e, arg_process.env) {
                const char *eq = strchr(*e, '=');
                _cleanup_free_ char *k = strndup(*e, (size_t)(eq - *e));
                if (!k) {
                        r = -ENOMEM;
                        break;
                }
                if (!env)
                        env = json_object_new_object();
                json_object_object_add(env, k, json_object_new_string(eq + 1));
        }
        if (env)
                json_object_object_add(o, "env", env);
        if (arg_process.user)
                json_object_object_add(o, "user", json_object_new_string(arg_process.user));
        if (arg_process.workdir)
                json_object_object_add(o, "workdir", json_object_new_string(arg_process.workdir));
        if (arg_hostname)
                json_object_object_add(o, "hostname", json_object_new_string(arg_hostname));
        if (arg_network) {
                json_object *n = json_object_new_object();
                json_object_object_add(n, "mode", json_object_new_string(arg_network));
                json_object_object_add(o, "network", n);
        }
        if (arg_uid_base) {
                json_object *u = json_object_new_object();
                char *end;
                errno = 0;
                unsigned long long b = strtoull(arg_uid_base, &end, 10);
                if (streq(arg_uid_base, "auto"))
                        json_object_object_add(u, "base", json_object_new_string("auto"));
                else if (errno == 0 && end != arg_uid_base && !*end && b <= UINT32_MAX)
                        json_object_object_add(u, "base", json_object_new_int64((int64_t)b));
                else
                        /* Passed on as written: the config's own check says what is wrong. */
                        json_object_object_add(u, "base", json_object_new_string(arg_uid_base));
                json_object_object_add(o, "user_namespace", u);
        }
        if (r >= 0) {
                *ret = strdup(json_object_to_json_string_ext(o, JSON_OUTPUT_FLAGS));
                if (!*ret)
                        r = -ENOMEM;
        }
        json_object_put(o);
        return r;
}

/* Renders, validates with the config model (so a bad option fails here, with the
 * model's message, before any unit exists) and writes RUN_CONFIG_DIR/NAME.json. */
static int config_write(const char *name, const char *rootfs, char **cmd, char **ret_path) {
        _cleanup_free_ char *text = NULL, *path = NULL, *error = NULL, *file = NULL;
        _cleanup_config_free_ Config *c = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        int r;

        r = config_render(rootfs, cmd, &text);
        if (r < 0)
                return log_error_errno(r, "Failed to render the config: %m");
        if (asprintf(&path, RUN_CONFIG_DIR "/%s.json", name) < 0 || asprintf(&file, "%s.json", name) < 0)
                return log_oom();
        r = config_parse(name, path, text, strlen(text), &c, &error);
        if (r < 0) {
                if (error)
                        log_error("%s", error);
                else
                        log_error_errno(r, "Failed to check the config: %m");
                return r;
        }
        /* /run/nscontain is root's alone (as tmpfiles and the unit's RuntimeDirectory=
         * make it) even when this is its first user since boot. */
        r = mkdir_p_at(AT_FDCWD, "/run/nscontain", 0700, NULL);
        if (r >= 0)
                r = mkdir_p_at(AT_FDCWD, RUN_CONFIG_DIR, 0755, &dir_fd);
        if (r < 0)
                return log_error_errno(r, "Failed to create '%s': %m", RUN_CONFIG_DIR);
        _cleanup_close_ int wfd = openat(dir_fd, ".", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (wfd < 0)
                return log_error_errno(errno, "Failed to open '%s': %m", RUN_CONFIG_DIR);
        r = write_file_atomic_at(wfd, file, text, strlen(text), 0644, false);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", path);
        *ret_path = TAKE_PTR(path);
        return 0;
}

/* ---- the unit ------------------------------------------------------------------- */

static const char *find_rm(void) {
        return access("/usr/bin/rm", X_OK) == 0 ? "/usr/bin/rm" : "/bin/rm";
}

static int start_unit(sd_bus *bus, const char *unit, const char *name, const char *config_path, char **cmd) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *description = NULL;
        int r;

        if (asprintf(&description, "nscontain run %s: %s", name, cmd[0]) < 0)
                return log_oom();

        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r < 0)
                return log_error_errno(r, "Failed to create a bus message: %m");
        r = sd_bus_message_append(m, "ss", unit, "fail");
        if (r < 0)
                return log_error_errno(r, "Failed to create a bus message: %m");
        r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return log_error_errno(r, "Failed to create a bus message: %m");

        /* What units/container@.service holds, for a unit that has no file. */
        r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)(sv)(sv)", "Description", "s", description,
                                  "Type", "s", "notify", "NotifyAccess", "s", "main", "KillMode", "s",
                                  "mixed", "Delegate", "b", 1, "Slice", "s", "machine.slice", "DevicePolicy",
                                  "s", "closed", "TasksMax", "t", (uint64_t)16384);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "DeviceAllow", "a(ss)", 3, "/dev/tty", "rw",
                                          "/dev/ptmx", "rw", "char-pts", "rw");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "ExecStart", "a(sasb)", 1, HELPER_PATH, 4,
                                          "nscontain-helper", "--config", config_path, name, 0);
        if (r >= 0 && arg_rm)
                r = sd_bus_message_append(m, "(sv)(sv)", "CollectMode", "s", "inactive-or-failed",
                                          "ExecStopPost", "a(sasb)", 1, find_rm(), 4, "rm", "-f", "--",
                                          config_path, 1);
        if (r >= 0 && !arg_detach)
                /* Our stdio for the container, and a reference so the unit stays until
                 * we have read how it ended. */
                r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)", "StandardInputFileDescriptor", "h",
                                          STDIN_FILENO, "StandardOutputFileDescriptor", "h", STDOUT_FILENO,
                                          "StandardErrorFileDescriptor", "h", STDERR_FILENO, "AddRef", "b",
                                          1);
        if (r < 0)
                return log_error_errno(r, "Failed to create a bus message: %m");
        STRV_FOREACH (p, arg_properties) {
                r = append_property(m, *p);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return log_error_errno(r, "Failed to create a bus message: %m");

        r = sd_bus_call(bus, m, 0, &error, &reply);
        if (r < 0) {
                if (sd_bus_error_has_name(&error, "org.freedesktop.systemd1.UnitExists"))
                        log_error("A container named '%s' from 'nscontain run' exists already (%s); choose "
                                  "another --name.",
                                  name, unit);
                else
                        log_error("Failed to start %s: %s", unit, error.message ?: strerror(-r));
                return r;
        }
        return 0;
}

typedef struct Waiter {
        sd_bus *bus;
        const char *unit;
        int exit_code; /* -1 while running */
        unsigned interrupts;
        bool started; /* the start job finished */
} Waiter;

static int waiter_check(Waiter *w) {
        _cleanup_(unit_info_done) UnitInfo i = {};
        int r;

        r = unit_info_get(w->bus, w->unit, &i);
        if (r < 0) {
                w->exit_code = EXIT_SETUP_FAILED;
                return r;
        }
        if (i.job_id != 0)
                return 0; /* starting (or stopping) */
        if (!w->started && unit_is_running(&i) && arg_detach) {
                w->exit_code = 0;
                return 1;
        }
        w->started = true;
        if (!streq(i.active_state, "inactive") && !streq(i.active_state, "failed"))
                return 0;

        /* CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3. The helper itself passes on the
         * payload's code (128+N for a signal). */
        if (i.exec_main_code == 1)
                w->exit_code = i.exec_main_status;
        else if (i.exec_main_code == 2 || i.exec_main_code == 3)
                w->exit_code = 128 + i.exec_main_status;
        else {
                log_error("%s did not run (result: %s).", w->unit, strna(i.result));
                w->exit_code = EXIT_SETUP_FAILED;
        }
        if (arg_detach && w->exit_code != 0)
                log_error("%s failed to start (exit status %d); see 'journalctl -u %s'.", w->unit,
                          w->exit_code, w->unit);
        return 1;
}

static int on_change(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Waiter *w = userdata;

        if (waiter_check(w) != 0)
                sd_event_exit(sd_bus_get_event(w->bus), 0);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Waiter *w = userdata;

        /* A safety net for a missed signal; the signals do the real work. */
        if (waiter_check(w) != 0)
                return sd_event_exit(sd_event_source_get_event(s), 0);
        return sd_event_source_set_time_relative(s, 1000000);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        Waiter *w = userdata;

        /* First ^C: stop the container as systemctl stop would; again: kill it. */
        if (w->interrupts++ == 0)
                (void)sd_bus_call_method(w->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                         "org.freedesktop.systemd1.Manager", "StopUnit", &error, NULL, "ss",
                                         w->unit, "replace");
        else
                (void)sd_bus_call_method(w->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                         "org.freedesktop.systemd1.Manager", "KillUnit", &error, NULL, "ssi",
                                         w->unit, "all", SIGKILL);
        return 0;
}

static int wait_for_unit(sd_bus *bus, const char *unit) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(sd_event_source_unrefp) sd_event_source *timer = NULL;
        _cleanup_free_ char *path = unit_object_path(unit);
        Waiter w = {.bus = bus, .unit = unit, .exit_code = -1};
        sigset_t mask;
        int r;

        if (!path)
                return log_oom(), EXIT_SETUP_FAILED;
        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, "org.freedesktop.systemd1", path,
                                        "org.freedesktop.DBus.Properties", "PropertiesChanged", on_change,
                                        &w);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                        "org.freedesktop.systemd1.Manager", "JobRemoved", on_change, &w);
        if (r >= 0)
                r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                       "org.freedesktop.systemd1.Manager", "Subscribe", NULL, NULL, "");
        if (r >= 0)
                r = sd_event_add_time_relative(event, &timer, CLOCK_MONOTONIC, 1000000, 0, on_timer, &w);
        if (r < 0) {
                log_error_errno(r, "Failed to watch %s: %m", unit);
                return EXIT_SETUP_FAILED;
        }
        if (!arg_detach) {
                sigemptyset(&mask);
                sigaddset(&mask, SIGINT);
                sigaddset(&mask, SIGTERM);
                sigaddset(&mask, SIGHUP);
                (void)sigprocmask(SIG_BLOCK, &mask, NULL);
                (void)sd_event_add_signal(event, NULL, SIGINT, on_signal, &w);
                (void)sd_event_add_signal(event, NULL, SIGTERM, on_signal, &w);
                (void)sd_event_add_signal(event, NULL, SIGHUP, on_signal, &w);
        }

        /* It may have finished before we were subscribed. */
        if (waiter_check(&w) == 0) {
                r = sd_event_loop(event);
                if (r < 0) {
                        log_error_errno(r, "Failed to wait for %s: %m", unit);
                        return EXIT_SETUP_FAILED;
                }
        }
        sd_bus_detach_event(bus);
        return w.exit_code < 0 ? EXIT_SETUP_FAILED : w.exit_code;
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_NAME = ARG_VERB_FIRST, ARG_RM, ARG_HOSTNAME, ARG_NETWORK, ARG_UID_BASE };
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"name", required_argument, NULL, ARG_NAME},
                {"property", required_argument, NULL, 'p'},
                {"rm", no_argument, NULL, ARG_RM},
                {"detach", no_argument, NULL, 'd'},
                OPTIONS_PROCESS,
                {"hostname", required_argument, NULL, ARG_HOSTNAME},
                {"network", required_argument, NULL, ARG_NETWORK},
                {"uid-base", required_argument, NULL, ARG_UID_BASE},
                {},
        };
        int c, r;

        while ((c = getopt_long(argc, argv, "+hp:d" PROCESS_OPTIONS_SHORT, options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_NAME:
                        if (container_name_check(optarg) < 0)
                                return -EINVAL;
                        arg_name = optarg;
                        break;
                case 'p':
                        if (strv_extend(&arg_properties, optarg) < 0)
                                return log_oom();
                        break;
                case ARG_RM:
                        arg_rm = true;
                        break;
                case 'd':
                        arg_detach = true;
                        break;
                case ARG_HOSTNAME:
                        arg_hostname = optarg;
                        break;
                case ARG_NETWORK:
                        arg_network = optarg;
                        break;
                case ARG_UID_BASE:
                        arg_uid_base = optarg;
                        break;
                default:
                        r = process_option_parse(&arg_process, c, optarg);
                        if (r <= 0)
                                return -EINVAL;
                }
        if (argc - optind < 2) {
                log_error("Expected ROOTFS and COMMAND; see 'nscontain run --help'.");
                return -EINVAL;
        }
        return 1;
}

static void args_free(void) {
        arg_properties = strv_free(arg_properties);
        process_options_done(&arg_process);
}

int verb_run(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *generated = NULL, *unit = NULL, *config_path = NULL, *existing = NULL;
        char rootfs[PATH_MAX];
        const char *name;
        char **cmd;
        int r;

        r = parse_argv(argc, argv);
        if (r <= 0) {
                args_free();
                return r < 0 ? EXIT_USAGE : 0;
        }
        cmd = argv + optind + 1;
        if (require_root("run") < 0) {
                args_free();
                return EXIT_SETUP_FAILED;
        }

        if (!realpath(argv[optind], rootfs)) {
                log_error_errno(errno, "Cannot use '%s' as the root filesystem: %m", argv[optind]);
                args_free();
                return EXIT_SETUP_FAILED;
        }

        name = arg_name;
        if (!name) {
                uint32_t id;
                if (getrandom(&id, sizeof(id), 0) != sizeof(id))
                        id = (uint32_t)getpid() ^ (uint32_t)now_usec(CLOCK_MONOTONIC);
                if (asprintf(&generated, "run-%08x", id) < 0) {
                        args_free();
                        return log_oom(), EXIT_SETUP_FAILED;
                }
                name = generated;
        }
        /* A one-off must never be mistaken for, or shadow, a configured container. */
        if (config_find(name, &existing) != -ENOENT) {
                log_error("'%s' is the name of a configured container (%s); choose another --name.", name,
                          existing ?: "masked");
                args_free();
                return EXIT_SETUP_FAILED;
        }
        if (asprintf(&unit, RUN_UNIT_PREFIX "%s.service", name) < 0) {
                args_free();
                return log_oom(), EXIT_SETUP_FAILED;
        }

        r = bus_open_system(&bus);
        if (r >= 0) {
                _cleanup_(unit_info_done) UnitInfo i = {};
                /* Refuse before touching the config of a one-off that is still there. */
                r = unit_info_get(bus, unit, &i);
                if (r >= 0 && !streq(i.load_state, "not-found")) {
                        log_error("A container named '%s' from 'nscontain run' exists already (%s is %s); "
                                  "choose another --name.",
                                  name, unit, strna(i.active_state));
                        r = -EEXIST;
                }
        }
        if (r >= 0)
                r = config_write(name, rootfs, cmd, &config_path);
        if (r >= 0) {
                r = start_unit(bus, unit, name, config_path, cmd);
                if (r < 0)
                        (void)unlink(config_path);
        }
        args_free();
        if (r < 0)
                return r == -EINVAL || r == -EOPNOTSUPP ? EXIT_USAGE : EXIT_SETUP_FAILED;

        r = wait_for_unit(bus, unit);
        if (arg_detach) {
                if (r == 0)
                        printf("%s\n", unit);
                return r;
        }
        /* Ours to clean up in the foreground; with --rm ExecStopPost did it already. */
        if (arg_rm)
                (void)unlink(config_path);
        return r;
}
