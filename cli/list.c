/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <string.h>

#include "health-state.h"
#include "log.h"
#include "nscontain.h"
#include "unit-name.h"

static void help(void) {
        printf("nscontain list [OPTIONS...]\n\n"
               "Lists containers with their unit state, main PID, address, uid base and\n"
               "uptime: those whose unit is not inactive (running, starting, stopping or\n"
               "failed), or with --all every configured one. One-off containers of\n"
               "\"nscontain run\" are included.\n\n"
               "  -h --help       Show this help\n"
               "  -a --all        Include stopped containers\n"
               "     --json       Print a JSON array instead of a table\n"
               "     --no-pager   Do not pipe output into a pager\n"
               "     --no-legend  Do not print the header and footer\n");
}

typedef struct Row {
        ContainerRef ref;
        UnitInfo unit;
        Config *config; /* NULL when the file does not validate */
        const SidecarEntry *sidecar;
        bool show;
} Row;

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static void rows_free(Row *rows, size_t n) {
        for (size_t i = 0; i < n; i++) {
                container_ref_done(&rows[i].ref);
                unit_info_done(&rows[i].unit);
                config_free(rows[i].config);
        }
        free(rows);
}

static int row_add(Row **rows, size_t *n, const char *name, const char *path, bool transient) {
        Row *nr = reallocarray(*rows, *n + 1, sizeof(Row));
        Row *r;

        if (!nr)
                return -ENOMEM;
        *rows = nr;
        r = &nr[*n];
        *r = (Row){};
        r->ref.name = strdup(name);
        r->ref.config_path = strdup(path);
        r->ref.transient = transient;
        if (transient) {
                if (asprintf(&r->ref.unit, RUN_UNIT_PREFIX "%s.service", name) < 0)
                        r->ref.unit = NULL;
        } else if (container_unit_name(name, &r->ref.unit) < 0)
                r->ref.unit = NULL;
        (*n)++;
        if (!r->ref.name || !r->ref.config_path || !r->ref.unit)
                return -ENOMEM;
        return 0;
}

/* The one-off containers of "nscontain run": RUN_CONFIG_DIR/NAME.json. */
static int rows_add_transient(Row **rows, size_t *n) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;

        d = opendir(RUN_CONFIG_DIR);
        if (!d)
                return errno == ENOENT ? 0 : negative_errno();
        while ((de = readdir(d))) {
                _cleanup_free_ char *name = NULL, *path = NULL;
                size_t l = strlen(de->d_name);

                if (l <= 5 || !streq(de->d_name + l - 5, ".json"))
                        continue;
                name = strndup(de->d_name, l - 5);
                if (!name)
                        return -ENOMEM;
                if (!config_name_is_valid(name))
                        continue;
                if (asprintf(&path, RUN_CONFIG_DIR "/%s", de->d_name) < 0)
                        return -ENOMEM;
                if (row_add(rows, n, name, path, true) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int row_cmp(const void *a, const void *b) {
        return strcmp(((const Row *)a)->ref.name, ((const Row *)b)->ref.name);
}

/* The uid base in force: a fixed one from the config, else the sidecar's allocation. */
static bool row_uid_base(const Row *r, uint32_t *ret) {
        if (r->config && !r->config->namespaces.user)
                return false;
        if (r->config && !r->config->user_namespace.base_auto) {
                *ret = r->config->user_namespace.base;
                return true;
        }
        if (r->sidecar && r->sidecar->uid_base > 0) {
                *ret = r->sidecar->uid_base;
                return true;
        }
        return false;
}

static const char *row_address(const Row *r) {
        if (r->sidecar && !isempty(r->sidecar->address))
                return r->sidecar->address;
        if (r->config && (r->config->network.mode == NETWORK_HOST || !r->config->namespaces.net))
                return "host";
        return NULL;
}

static uint64_t row_uptime(const Row *r, uint64_t now) {
        if (!streq(r->unit.active_state, "active") || r->unit.active_enter_timestamp == 0 ||
            r->unit.active_enter_timestamp > now)
                return UINT64_MAX;
        return now - r->unit.active_enter_timestamp;
}

static json_object *json_string_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

/* The health check's state ("starting", "healthy", "unhealthy") while the container runs
 * with one (lib/health-state.h); NULL otherwise. */
static json_object *row_health(const Row *r) {
        json_object *o = NULL, *status = NULL, *ret = NULL;

        if (!unit_is_running(&r->unit) ||
            health_record_read_json(r->ref.name, (pid_t)r->unit.main_pid, &o) < 0)
                return NULL;
        if (json_object_object_get_ex(o, "status", &status))
                ret = json_object_get(status);
        json_object_put(o);
        return ret;
}

static int print_json(Row *rows, size_t n) {
        json_object *a = json_object_new_array();
        uint64_t now = now_usec(CLOCK_REALTIME);

        if (!a)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const Row *r = &rows[i];
                if (!r->show)
                        continue;
                json_object *o = json_object_new_object();
                uint32_t base;
                uint64_t up = row_uptime(r, now);

                if (!o) {
                        json_object_put(a);
                        return -ENOMEM;
                }
                json_object_object_add(o, "name", json_object_new_string(r->ref.name));
                json_object_object_add(o, "unit", json_object_new_string(r->ref.unit));
                json_object_object_add(o, "config", json_object_new_string(r->ref.config_path));
                json_object_object_add(o, "transient", json_object_new_boolean(r->ref.transient));
                json_object_object_add(o, "load_state", json_string_or_null(r->unit.load_state));
                json_object_object_add(o, "active_state", json_string_or_null(r->unit.active_state));
                json_object_object_add(o, "sub_state", json_string_or_null(r->unit.sub_state));
                json_object_object_add(o, "result", json_string_or_null(r->unit.result));
                json_object_object_add(o, "main_pid",
                                       r->unit.main_pid > 0 ? json_object_new_int64(r->unit.main_pid)
                                                            : NULL);
                json_object_object_add(o, "address", json_string_or_null(row_address(r)));
                json_object_object_add(o, "address6",
                                       r->sidecar && !isempty(r->sidecar->address6)
                                               ? json_object_new_string(r->sidecar->address6)
                                               : NULL);
                json_object_object_add(o, "host_interface",
                                       r->sidecar && !isempty(r->sidecar->host_ifname)
                                               ? json_object_new_string(r->sidecar->host_ifname)
                                               : NULL);
                json_object_object_add(o, "uid_base",
                                       row_uid_base(r, &base) ? json_object_new_int64(base) : NULL);
                json_object_object_add(
                        o, "since_usec",
                        up != UINT64_MAX ? json_object_new_uint64(r->unit.active_enter_timestamp) : NULL);
                json_object_object_add(o, "uptime_usec",
                                       up != UINT64_MAX ? json_object_new_uint64(up) : NULL);
                json_object_object_add(o, "health", row_health(r));
                json_object_array_add(a, o);
        }
        return json_print(a);
}

#define N_COLUMNS 8

static void print_table(Row *rows, size_t n, size_t shown) {
        static const char *const header[N_COLUMNS] = {"NAME",    "STATE",    "SUB",    "PID",
                                                      "ADDRESS", "UID-BASE", "UPTIME", "ADDRESS6"};
        char(*cells)[N_COLUMNS][64] = calloc(n ? n : 1, sizeof(*cells));
        size_t width[N_COLUMNS];
        uint64_t now = now_usec(CLOCK_REALTIME);

        if (!cells) {
                log_oom();
                return;
        }
        for (size_t c = 0; c < N_COLUMNS; c++)
                width[c] = arg_no_legend ? 0 : strlen(header[c]);

        for (size_t i = 0; i < n; i++) {
                const Row *r = &rows[i];
                uint64_t up = row_uptime(r, now);
                uint32_t base;

                if (!r->show)
                        continue;

                snprintf(cells[i][0], 64, "%s", r->ref.name);
                snprintf(cells[i][1], 64, "%s", strna(r->unit.active_state));
                snprintf(cells[i][2], 64, "%s", strna(r->unit.sub_state));
                if (r->unit.main_pid > 0)
                        snprintf(cells[i][3], 64, "%" PRIu32, r->unit.main_pid);
                else
                        snprintf(cells[i][3], 64, "-");
                snprintf(cells[i][4], 64, "%s", row_address(r) ?: "-");
                if (row_uid_base(r, &base))
                        snprintf(cells[i][5], 64, "%" PRIu32, base);
                else
                        snprintf(cells[i][5], 64, "-");
                if (up != UINT64_MAX)
                        format_usec_span(cells[i][6], 64, up);
                else
                        snprintf(cells[i][6], 64, "-");
                snprintf(cells[i][7], 64, "%s",
                         r->sidecar && !isempty(r->sidecar->address6) ? r->sidecar->address6 : "-");
                for (size_t c = 0; c < N_COLUMNS; c++)
                        width[c] = MAX(width[c], strlen(cells[i][c]));
        }

        if (!arg_no_legend)
                for (size_t c = 0; c < N_COLUMNS; c++)
                        printf("%-*s%s", c + 1 < N_COLUMNS ? (int)width[c] : 0, header[c],
                               c + 1 < N_COLUMNS ? " " : "\n");
        for (size_t i = 0; i < n; i++)
                for (size_t c = 0; c < N_COLUMNS && rows[i].show; c++)
                        printf("%-*s%s", c + 1 < N_COLUMNS ? (int)width[c] : 0, cells[i][c],
                               c + 1 < N_COLUMNS ? " " : "\n");
        if (!arg_no_legend)
                printf("\n%zu container%s listed.\n", shown, shown == 1 ? "" : "s");
        free(cells);
}

int verb_list(int argc, char *argv[]) {
        enum { ARG_JSON = ARG_VERB_FIRST };
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"all", no_argument, NULL, 'a'},
                {"json", no_argument, NULL, ARG_JSON},
                OPTION_NO_PAGER,
                OPTION_NO_LEGEND,
                {},
        };
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        SidecarEntry *sidecar = NULL;
        size_t n_sidecar = 0, n_entries = 0, n = 0, shown = 0;
        ConfigEntry *entries = NULL;
        Row *rows = NULL;
        bool all = false, json = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "ha", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'a':
                        all = true;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                default:
                        if (!output_option_parse(c))
                                return EXIT_USAGE;
                }
        if (optind < argc) {
                log_error("'nscontain list' takes no arguments; see 'nscontain list --help'.");
                return EXIT_USAGE;
        }

        r = config_enumerate(&entries, &n_entries);
        if (r < 0) {
                log_error_errno(r, "Failed to read the config search path: %m");
                return EXIT_FAILED;
        }
        for (size_t i = 0; i < n_entries && r >= 0; i++)
                if (!entries[i].masked && config_name_is_valid(entries[i].name))
                        r = row_add(&rows, &n, entries[i].name, entries[i].path, false);
        config_entries_free(entries, n_entries);
        if (r >= 0)
                r = rows_add_transient(&rows, &n);
        if (r < 0) {
                rows_free(rows, n);
                log_error_errno(r, "Failed to list containers: %m");
                return EXIT_FAILED;
        }
        qsort(rows, n, sizeof(Row), row_cmp);

        if (bus_open_system(&bus) < 0) {
                rows_free(rows, n);
                return EXIT_FAILED;
        }

        /* Addresses and "auto" uid ranges live in the sidecar. It only answers root; a
         * sidecar that is not installed is not an error, only fewer columns. */
        r = sidecar_list(bus, &sidecar, &n_sidecar, &error);
        if (r < 0) {
                if (sd_bus_error_has_name(&error, SD_BUS_ERROR_ACCESS_DENIED))
                        log_warning("Not shown: addresses and uid ranges (nscontain-sidecar answers root "
                                    "only).");
                else if (!sd_bus_error_has_names(&error, SD_BUS_ERROR_SERVICE_UNKNOWN,
                                                 SD_BUS_ERROR_NAME_HAS_NO_OWNER))
                        log_warning("Failed to ask nscontain-sidecar for addresses and uid ranges: %s",
                                    error.message ?: strerror(-r));
                sd_bus_error_free(&error);
                sidecar = NULL;
                n_sidecar = 0;
        }

        for (size_t i = 0; i < n; i++) {
                r = unit_info_get(bus, rows[i].ref.unit, &rows[i].unit);
                if (r < 0) {
                        rows_free(rows, n);
                        sidecar_entries_free(sidecar, n_sidecar);
                        return EXIT_FAILED;
                }
                (void)config_load_file(rows[i].ref.config_path, rows[i].ref.name, &rows[i].config, NULL);
                rows[i].sidecar = sidecar_find(sidecar, n_sidecar, rows[i].ref.name);
        }

        for (size_t i = 0; i < n; i++) {
                Row *row = &rows[i];
                row->show = all || (row->unit.active_state && !streq(row->unit.active_state, "inactive"));
                /* A one-off whose unit is gone is no container anymore, only a leftover file. */
                if (row->ref.transient && streq(row->unit.load_state, "not-found"))
                        row->show = false;
                shown += row->show;
        }

        if (json)
                r = print_json(rows, n);
        else {
                pager_open();
                print_table(rows, n, shown);
                r = 0;
        }
        rows_free(rows, n);
        sidecar_entries_free(sidecar, n_sidecar);
        if (r < 0) {
                log_error_errno(r, "Failed to format the list: %m");
                return EXIT_FAILED;
        }
        return 0;
}
