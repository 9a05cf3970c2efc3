/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include <json-c/json.h>

#include "fileio.h"
#include "health-state.h"
#include "log.h"
#include "nscontain.h"
#include "uid-ranges.h"
#include "strv.h"
#include "unit-name.h"

#define EXIT_NOT_RUNNING 3 /* LSB's "program is not running", as systemctl status */

static void help(void) {
        printf("nscontain status [OPTIONS...] NAME\n\n"
               "Shows container NAME: its config and the drop-in in force, the unit state,\n"
               "main PID and the container's PID 1, its namespaces, address and traffic, its\n"
               "health check's state, memory and CPU as systemd accounts them, and the last\n"
               "lines of its log.\n\n"
               "  -h --help       Show this help\n"
               "  -n --lines=N    Number of log lines (default 10, 0 for none)\n"
               "     --json       Print the state as one JSON object, without the log\n"
               "     --no-pager   Do not pipe output into a pager\n\n"
               "Exit status: 0 when running, 3 when not running, 4 when there is no container\n"
               "NAME, 1 on other failures, 2 on a usage error.\n");
}

#define FIELD "%12s "

static void comm_of(pid_t pid, char *buf, size_t size) {
        _cleanup_free_ char *path = NULL, *text = NULL;

        snprintf(buf, size, "?");
        if (asprintf(&path, "/proc/%d/comm", (int)pid) < 0 ||
            read_full_file_at(AT_FDCWD, path, 256, &text, NULL) < 0)
                return;
        text[strcspn(text, "\n")] = 0;
        snprintf(buf, size, "%s", text);
}

static void print_namespaces(pid_t pid) {
        static const char *const types[] = {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts"};
        bool first = true;

        printf(FIELD, "Namespaces:");
        for (size_t i = 0; i < ELEMENTSOF(types); i++) {
                char path[64], own[64];
                struct stat st, self;

                snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, types[i]);
                snprintf(own, sizeof(own), "/proc/self/ns/%s", types[i]);
                if (stat(path, &st) < 0) {
                        printf("%s%s:?", first ? "" : " ", types[i]);
                } else if (stat(own, &self) == 0 && self.st_ino == st.st_ino && self.st_dev == st.st_dev)
                        printf("%s%s:host", first ? "" : " ", types[i]);
                else
                        printf("%s%s:%" PRIu64, first ? "" : " ", types[i], (uint64_t)st.st_ino);
                first = false;
        }
        putchar('\n');
}

static int read_counter(const char *ifname, const char *name, uint64_t *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        int r;

        if (asprintf(&path, "/sys/class/net/%s/statistics/%s", ifname, name) < 0)
                return -ENOMEM;
        /* sysfs reports every attribute as 4096 bytes long. */
        r = read_full_file_at(AT_FDCWD, path, 4096, &text, NULL);
        if (r < 0)
                return r;
        *ret = strtoull(text, NULL, 10);
        return 0;
}

/* The host side of the veth: what it receives, the container sent. */
static void print_traffic(const char *ifname) {
        uint64_t rxb, rxp, txb, txp;
        char a[32], b[32];

        if (read_counter(ifname, "rx_bytes", &rxb) < 0 || read_counter(ifname, "rx_packets", &rxp) < 0 ||
            read_counter(ifname, "tx_bytes", &txb) < 0 || read_counter(ifname, "tx_packets", &txp) < 0) {
                printf(FIELD "%s (no counters)\n", "Veth:", ifname);
                return;
        }
        printf(FIELD "%s: sent %s (%" PRIu64 " packets), received %s (%" PRIu64 " packets)\n",
               "Veth:", ifname, format_bytes(a, sizeof(a), rxb), rxp, format_bytes(b, sizeof(b), txb), txp);
}

static void print_log(const char *unit, unsigned lines) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        _cleanup_free_ char *m1 = NULL, *m2 = NULL;
        unsigned n = 0;
        int r;

        if (lines == 0)
                return;
        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
        if (r < 0) {
                log_warning_errno(r, "Failed to open the journal: %m");
                return;
        }
        /* What the container printed, and what systemd said about its unit. */
        if (asprintf(&m1, "_SYSTEMD_UNIT=%s", unit) < 0 || asprintf(&m2, "UNIT=%s", unit) < 0)
                return;
        if (sd_journal_add_match(j, m1, 0) < 0 || sd_journal_add_disjunction(j) < 0 ||
            sd_journal_add_match(j, m2, 0) < 0 || sd_journal_add_match(j, "_PID=1", 0) < 0 ||
            sd_journal_seek_tail(j) < 0)
                return;
        for (; n < lines; n++) {
                r = sd_journal_previous(j);
                if (r <= 0)
                        break;
        }
        if (n == 0)
                return;
        putchar('\n');
        /* seek_tail + previous leaves us on the oldest line we want. */
        for (unsigned i = 0; i < n; i++) {
                const void *d;
                size_t l;
                uint64_t usec = 0;
                char ts[32] = "";
                const char *ident = "?";
                int msg_len = 0;
                const char *msg = "";
                char ident_buf[64], pid_buf[32] = "";
                struct tm tm;
                time_t t;

                if (i > 0 && sd_journal_next(j) <= 0)
                        break;
                if (sd_journal_get_realtime_usec(j, &usec) >= 0) {
                        t = (time_t)(usec / 1000000ULL);
                        if (localtime_r(&t, &tm))
                                strftime(ts, sizeof(ts), "%b %d %H:%M:%S", &tm);
                }
                if (sd_journal_get_data(j, "SYSLOG_IDENTIFIER", &d, &l) >= 0 ||
                    sd_journal_get_data(j, "_COMM", &d, &l) >= 0) {
                        const char *eq = memchr(d, '=', l);
                        if (eq) {
                                snprintf(ident_buf, sizeof(ident_buf), "%.*s",
                                         (int)(l - (size_t)(eq + 1 - (const char *)d)), eq + 1);
                                ident = ident_buf;
                        }
                }
                if (sd_journal_get_data(j, "_PID", &d, &l) >= 0 && l > 5)
                        snprintf(pid_buf, sizeof(pid_buf), "[%.*s]", (int)(l - 5), (const char *)d + 5);
                if (sd_journal_get_data(j, "MESSAGE", &d, &l) >= 0 && l >= 8) {
                        msg = (const char *)d + 8;
                        msg_len = (int)(l - 8);
                }
                printf("%s %s%s: %.*s\n", ts, ident, pid_buf, msg_len, msg);
        }
}

/* A range that another tool claims too (lib/uid-ranges.h): the sidecar logs it at each
 * start and keeps the range (files on disk are owned by it); say so here as well. The
 * container's own user namespace (exactly its range) is not a conflict. */
static void print_range_conflict(uint32_t base, uint32_t size) {
        UidRangeList l = {};
        uint32_t last = base + (size ? size - 1 : 0);

        if (uid_ranges_collect(&l, true) >= 0)
                for (size_t i = 0; i < l.n; i++) {
                        const UidRange *u = &l.ranges[i];
                        if ((u->userns && u->first == base && u->last == last) || u->first > last ||
                            base > u->last)
                                continue;
                        printf(FIELD "overlaps %" PRIu32 "-%" PRIu32 " of %s\n", "", u->first, u->last,
                               u->what);
                }
        uid_range_list_done(&l);
}

static void json_object_putp(json_object **o) {
        if (*o)
                json_object_put(*o);
}

/* "Health: healthy (12 checks, 1 failed; last 3s ago, exit status 0)" and the last
 * output, when the check failed. */
static void print_health(json_object *h) {
        json_object *v;
        const char *status = json_object_object_get_ex(h, "status", &v) ? json_object_get_string(v) : "?";
        int64_t checks = json_object_object_get_ex(h, "checks", &v) ? json_object_get_int64(v) : 0;
        int64_t failures = json_object_object_get_ex(h, "failures", &v) ? json_object_get_int64(v) : 0;
        int64_t last = json_object_object_get_ex(h, "last_check_usec", &v) ? json_object_get_int64(v) : 0;
        int64_t code = json_object_object_get_ex(h, "last_exit_code", &v) ? json_object_get_int64(v) : 0;
        const char *output =
                json_object_object_get_ex(h, "last_output", &v) ? json_object_get_string(v) : NULL;
        uint64_t now = now_usec(CLOCK_REALTIME);
        char span[64];

        printf(FIELD "%s (%" PRIi64 " check%s, %" PRIi64 " failed", "Health:", status, checks,
               checks == 1 ? "" : "s", failures);
        if (last > 0) {
                printf("; last %s ago, ", format_usec_span(span, sizeof(span),
                                                           now > (uint64_t)last ? now - (uint64_t)last : 0));
                if (code < 0)
                        printf("killed at its timeout");
                else
                        printf("exit status %" PRIi64, code);
        }
        printf(")\n");
        if (code != 0 && !isempty(output))
                printf(FIELD "%.*s\n", "", (int)strcspn(output, "\n"), output);
}

static json_object *json_counter(uint64_t v) {
        return v == UINT64_MAX ? NULL : json_object_new_int64(v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

static json_object *json_string_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

/* "nscontain status --json": what the text shows, as numbers (bytes, µs), for scripts. */
static int print_json(const ContainerRef *ref, const UnitInfo *unit, pid_t init, const SidecarEntry *se,
                      json_object *health) {
        _cleanup_(json_object_putp) json_object *o = json_object_new_object();
        json_object *net = NULL;
        bool running = unit_is_running(unit);

        if (!o)
                return log_oom();
        json_object_object_add(o, "name", json_object_new_string(ref->name));
        json_object_object_add(o, "unit", json_object_new_string(ref->unit));
        json_object_object_add(o, "config", json_object_new_string(ref->config_path));
        json_object_object_add(o, "running", json_object_new_boolean(running));
        json_object_object_add(o, "active_state", json_string_or_null(unit->active_state));
        json_object_object_add(o, "sub_state", json_string_or_null(unit->sub_state));
        json_object_object_add(o, "result", json_string_or_null(unit->result));
        json_object_object_add(o, "freezer_state", json_string_or_null(unit->freezer_state));
        json_object_object_add(o, "main_pid",
                               unit->main_pid > 0 ? json_object_new_int64(unit->main_pid) : NULL);
        json_object_object_add(o, "init_pid", init > 0 ? json_object_new_int64(init) : NULL);
        json_object_object_add(o, "memory_bytes", running ? json_counter(unit->memory_current) : NULL);
        json_object_object_add(o, "cpu_usec",
                               running && unit->cpu_usage_nsec != UINT64_MAX
                                       ? json_counter(unit->cpu_usage_nsec / 1000)
                                       : NULL);
        json_object_object_add(o, "tasks", running ? json_counter(unit->tasks_current) : NULL);
        if (se && !isempty(se->host_ifname)) {
                /* The host side of the veth: what it receives, the container sent. */
                static const struct {
                        const char *key, *counter;
                } counters[] = {
                        {"tx_bytes", "rx_bytes"},
                        {"tx_packets", "rx_packets"},
                        {"rx_bytes", "tx_bytes"},
                        {"rx_packets", "tx_packets"},
                };
                net = json_object_new_object();
                json_object_object_add(net, "host_interface", json_object_new_string(se->host_ifname));
                json_object_object_add(net, "address", json_string_or_null(se->address));
                json_object_object_add(net, "address6",
                                       isempty(se->address6) ? NULL : json_object_new_string(se->address6));
                for (size_t i = 0; i < ELEMENTSOF(counters); i++) {
                        uint64_t v;
                        json_object_object_add(net, counters[i].key,
                                               read_counter(se->host_ifname, counters[i].counter, &v) >= 0
                                                       ? json_counter(v)
                                                       : NULL);
                }
        }
        json_object_object_add(o, "network", net);
        json_object_object_add(o, "health", health);

        return json_print(TAKE_PTR(o));
}

int verb_status(int argc, char *argv[]) {
        enum { ARG_JSON = ARG_VERB_FIRST };
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"lines", required_argument, NULL, 'n'},
                {"json", no_argument, NULL, ARG_JSON},
                OPTION_NO_PAGER,
                {},
        };
        bool json = false;
        _cleanup_(container_ref_done) ContainerRef ref = {};
        _cleanup_config_free_ Config *config = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(unit_info_done) UnitInfo unit = {};
        _cleanup_free_ char *expected_dropin = NULL;
        _cleanup_(json_object_putp) json_object *health = NULL;
        SidecarEntry *sidecar = NULL;
        const SidecarEntry *se = NULL;
        size_t n_sidecar = 0;
        unsigned lines = 10;
        const char *name;
        pid_t init = 0;
        char buf[64], buf2[64];
        bool running;
        int c, r;

        while ((c = getopt_long(argc, argv, "hn:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'n': {
                        char *end;
                        errno = 0;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (errno != 0 || *end != 0 || end == optarg || v > 100000) {
                                log_error("Invalid number of lines '%s'.", optarg);
                                return EXIT_USAGE;
                        }
                        lines = (unsigned)v;
                        break;
                }
                case ARG_JSON:
                        json = true;
                        break;
                default:
                        if (!output_option_parse(c))
                                return EXIT_USAGE;
                }
        if (container_name_argument(argc, argv, "status", &name) < 0)
                return EXIT_USAGE;
        r = container_open(name, &ref, &bus, &unit);
        if (r != 0)
                return r;
        if (sidecar_list(bus, &sidecar, &n_sidecar, &error) >= 0)
                se = sidecar_find(sidecar, n_sidecar, ref.name);
        (void)container_ref_load(&ref, true, &config);
        running = unit_is_running(&unit);
        if (running && unit.main_pid > 0)
                (void)container_find_init((pid_t)unit.main_pid, &init);

        /* The health check's last record, while the helper that writes it runs. */
        if (running && unit.main_pid > 0)
                (void)health_record_read_json(ref.name, (pid_t)unit.main_pid, &health);

        if (json) {
                r = print_json(&ref, &unit, init, se, TAKE_PTR(health));
                sidecar_entries_free(sidecar, n_sidecar);
                return r < 0 ? EXIT_FAILED : running ? 0 : EXIT_NOT_RUNNING;
        }

        pager_open();

        printf("%s %s (%s)%s%s\n",
               running                              ? "●"
               : streq(unit.active_state, "failed") ? "×"
                                                    : "○",
               ref.name, ref.unit, ref.transient ? " - one-off container of \"nscontain run\"" : "",
               config ? "" : " - the config does not validate, see 'nscontain validate'");
        printf(FIELD "%s\n", "Config:", ref.config_path);

        if (!ref.transient && asprintf(&expected_dropin, GENERATOR_DROPIN_FMT, ref.name) < 0)
                return log_oom(), EXIT_FAILED;
        if (strv_length(unit.dropin_paths) == 0)
                printf(FIELD "%s\n", "Drop-In:", "none");
        STRV_FOREACH (p, unit.dropin_paths)
                printf(FIELD "%s\n", p == unit.dropin_paths ? "Drop-In:" : "", *p);
        if (expected_dropin && !strv_contains(unit.dropin_paths, expected_dropin))
                printf(FIELD "%s is not in force: run 'systemctl daemon-reload'%s\n", "", expected_dropin,
                       access(expected_dropin, F_OK) == 0 ? "" : " (or the generator rejected the config)");

        printf(FIELD "%s (%s)", "State:", strna(unit.active_state), strna(unit.sub_state));
        if (running && unit.active_enter_timestamp > 0) {
                uint64_t now = now_usec(CLOCK_REALTIME);
                printf(" since %s; %s ago", format_timestamp(buf, sizeof(buf), unit.active_enter_timestamp),
                       format_usec_span(buf2, sizeof(buf2),
                                        now > unit.active_enter_timestamp ? now - unit.active_enter_timestamp
                                                                          : 0));
        } else if (!isempty(unit.result) && !streq(unit.result, "success"))
                printf(" result: %s", unit.result);
        putchar('\n');
        if (!running && unit.exec_main_code != 0)
                printf(FIELD "%s %" PRIi32 "\n",
                       "Last exit:", unit.exec_main_code == 1 ? "status" : "signal", unit.exec_main_status);

        if (unit.main_pid > 0) {
                comm_of((pid_t)unit.main_pid, buf, sizeof(buf));
                printf(FIELD "%" PRIu32 " (%s)\n", "Main PID:", unit.main_pid, buf);
        }
        if (init > 0) {
                comm_of(init, buf, sizeof(buf));
                printf(FIELD "%d (%s)\n", "Init PID:", (int)init, buf);
                print_namespaces(init);
        }

        /* Both families, one per line, as machinectl status shows them. */
        if (se && (!isempty(se->address) || !isempty(se->address6))) {
                if (!isempty(se->address))
                        printf(FIELD "%s\n", "Address:", se->address);
                if (!isempty(se->address6))
                        printf(FIELD "%s\n", isempty(se->address) ? "Address:" : "", se->address6);
        } else if (config)
                printf(FIELD "%s\n", "Address:",
                       config->network.mode == NETWORK_HOST || !config->namespaces.net ? "host network"
                       : config->network.mode == NETWORK_NONE ? "none (loopback only)"
                                                              : "-");
        if (se && !isempty(se->host_ifname))
                print_traffic(se->host_ifname);
        if (config && config->namespaces.user && !config->user_namespace.base_auto) {
                printf(FIELD "%" PRIu32 " (%" PRIu32 " ids)\n", "UID base:", config->user_namespace.base,
                       config->user_namespace.size);
                print_range_conflict(config->user_namespace.base, config->user_namespace.size);
        } else if (se && se->uid_base > 0 && (!config || config->namespaces.user)) {
                printf(FIELD "%" PRIu32 " (from nscontain-sidecar)\n", "UID base:", se->uid_base);
                print_range_conflict(se->uid_base, config ? config->user_namespace.size : 65536);
        }

        if (health)
                print_health(health);

        if (unit.memory_current != UINT64_MAX)
                printf(FIELD "%s\n", "Memory:", format_bytes(buf, sizeof(buf), unit.memory_current));
        if (unit.cpu_usage_nsec != UINT64_MAX)
                printf(FIELD "%s\n", "CPU:", format_usec_span(buf, sizeof(buf), unit.cpu_usage_nsec / 1000));
        if (!isempty(unit.control_group))
                printf(FIELD "%s\n", "CGroup:", unit.control_group);

        print_log(ref.unit, lines);
        sidecar_entries_free(sidecar, n_sidecar);
        return running ? 0 : EXIT_NOT_RUNNING;
}
