/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-snapshot.h"
#include "fileio.h"
#include "log.h"
#include "nscontain.h"
#include "unit-name.h"

void container_ref_done(ContainerRef *r) {
        free(r->name);
        free(r->unit);
        free(r->config_path);
        free(r->snapshot_path);
        free(r->snapshot);
        *r = (ContainerRef){};
}

int container_name_check(const char *name) {
        if (config_name_is_valid(name))
                return 0;
        char why[160];
        log_error("Invalid container name '%s': %s.", name,
                  config_name_invalid_reason(name, false, why, sizeof(why)));
        return -EINVAL;
}

int container_ref_find(const char *name, ContainerRef *ret) {
        _cleanup_(container_ref_done) ContainerRef ref = {};
        _cleanup_free_ char *path = NULL;
        int r;

        r = container_name_check(name);
        if (r < 0)
                return r;

        r = config_find(name, &path);
        if (r == -ERFKILL) {
                log_error("Container '%s' is masked (%s.json is empty or links to /dev/null).", name, name);
                return r;
        }
        if (r == -ENOENT) {
                /* Not configured: perhaps a one-off of "nscontain run". */
                _cleanup_free_ char *run = NULL;
                struct stat st;

                if (asprintf(&run, RUN_CONFIG_DIR "/%s.json", name) < 0)
                        return log_oom();
                if (stat(run, &st) < 0 || !S_ISREG(st.st_mode)) {
                        log_error("No container '%s': no %s.json in %s.", name, name,
                                  getenv("NSCONTAIN_CONFIG_PATH") ?: CONFIG_SEARCH_PATH);
                        return -ENOENT;
                }
                ref.transient = true;
                path = TAKE_PTR(run);
                if (asprintf(&ref.unit, RUN_UNIT_PREFIX "%s.service", name) < 0)
                        return log_oom();
        } else if (r < 0)
                return log_error_errno(r, "Failed to look for the config of '%s': %m", name);
        else {
                r = container_unit_name(name, &ref.unit);
                if (r < 0)
                        return log_error_errno(r, "Failed to make the unit name of '%s': %m", name);
                /* Root's alone (mode 0600): anyone else sees the file on disk. A config
                 * added since the last daemon-reload has no record yet. */
                if (config_snapshot_find(GENERATOR_SNAPSHOT, name, &ref.snapshot, &ref.snapshot_size) >= 0) {
                        ref.snapshot_path = strdup(GENERATOR_SNAPSHOT);
                        if (!ref.snapshot_path)
                                return log_oom();
                }
        }

        ref.name = strdup(name);
        if (!ref.name)
                return log_oom();
        ref.config_path = TAKE_PTR(path);
        *ret = ref;
        ref = (ContainerRef){};
        return 0;
}

int container_open(const char *name, ContainerRef *ret_ref, sd_bus **ret_bus, UnitInfo *ret_unit) {
        _cleanup_(container_ref_done) ContainerRef ref = {};
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = container_ref_find(name, &ref);
        if (r < 0)
                return r == -EINVAL                    ? EXIT_USAGE
                       : r == -ENOENT || r == -ERFKILL ? EXIT_NO_CONTAINER
                                                       : EXIT_FAILED;
        if (bus_open_system(&bus) < 0)
                return EXIT_FAILED;
        if (unit_info_get(bus, ref.unit, ret_unit) < 0)
                return EXIT_FAILED;

        *ret_ref = ref;
        ref = (ContainerRef){};
        *ret_bus = TAKE_PTR(bus);
        return 0;
}

int container_ref_load(const ContainerRef *ref, bool quiet, Config **ret) {
        _cleanup_free_ char *error = NULL;
        int r;

        if (ref->snapshot)
                r = config_parse(ref->name, ref->config_path, ref->snapshot, ref->snapshot_size, ret, &error);
        else
                r = config_load_file(ref->config_path, ref->name, ret, &error);
        if (r < 0 && !quiet) {
                if (error)
                        log_error("%s", error);
                else
                        log_error_errno(r, "Failed to load '%s': %m", ref->config_path);
        }
        return r;
}

int container_find_init(pid_t main_pid, pid_t *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        char *end;
        long pid;
        int r;

        if (main_pid <= 0)
                return -ESRCH;
        if (asprintf(&path, "/proc/%d/task/%d/children", (int)main_pid, (int)main_pid) < 0)
                return -ENOMEM;
        r = read_full_file_at(AT_FDCWD, path, 4096, &text, NULL);
        if (r < 0)
                return r == -ENOENT ? -ESRCH : r;

        /* The helper clones exactly one child, the container's PID 1. */
        errno = 0;
        pid = strtol(text, &end, 10);
        if (end == text || errno != 0 || pid <= 0)
                return -ESRCH; /* still setting up, or already gone */
        while (*end == ' ' || *end == '\n')
                end++;
        if (*end != 0)
                return -ENOTUNIQ;
        *ret = (pid_t)pid;
        return 0;
}

int container_subcgroup(pid_t pid, const char *control_group, char **ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        const char *cg, *rest;
        size_t l;
        int r;

        if (isempty(control_group))
                return -ENODATA;
        if (asprintf(&path, "/proc/%d/cgroup", (int)pid) < 0)
                return -ENOMEM;
        r = read_full_file_at(AT_FDCWD, path, 64 * 1024, &text, NULL);
        if (r < 0)
                return r;

        /* cgroup v2: the one line "0::/path". */
        cg = strstr(text, "0::");
        if (!cg || (cg != text && cg[-1] != '\n'))
                return -EOPNOTSUPP;
        cg += 3;
        cg = strndupa(cg, strcspn(cg, "\n"));

        l = strlen(control_group);
        if (strncmp(cg, control_group, l) != 0 || (cg[l] != 0 && cg[l] != '/'))
                return -EXDEV; /* not in the unit at all */
        /* AttachProcessesToUnit wants "" for the unit's own cgroup, else an absolute
         * path below it ("/payload/init.scope" for a booted container). */
        rest = cg + l;
        *ret = strdup(rest);
        return *ret ? 0 : -ENOMEM;
}
