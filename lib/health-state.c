/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "health-state.h"

static const char *const status_names[_HEALTH_STATUS_MAX] = {
        [HEALTH_STARTING] = "starting",
        [HEALTH_HEALTHY] = "healthy",
        [HEALTH_UNHEALTHY] = "unhealthy",
};

const char *health_status_to_string(HealthStatus s) {
        return s >= 0 && s < _HEALTH_STATUS_MAX ? status_names[s] : NULL;
}

static void json_putp(json_object **o) {
        if (*o)
                json_object_put(*o);
}

int health_record_write(const char *name, pid_t helper_pid, const HealthRecord *h) {
        _cleanup_(json_putp) json_object *o = json_object_new_object();
        _cleanup_close_ int dir_fd = -EBADF;
        char file[128];
        const char *text;
        int r;

        if (!o)
                return -ENOMEM;
        if (json_object_object_add(o, "helper_pid", json_object_new_int64(helper_pid)) < 0 ||
            json_object_object_add(o, "status", json_object_new_string(health_status_to_string(h->status))) <
                    0 ||
            json_object_object_add(o, "failing_streak", json_object_new_int64(h->failing_streak)) < 0 ||
            json_object_object_add(o, "checks", json_object_new_int64((int64_t)h->checks)) < 0 ||
            json_object_object_add(o, "failures", json_object_new_int64((int64_t)h->failures)) < 0 ||
            json_object_object_add(o, "last_check_usec",
                                   h->last_check_usec ? json_object_new_int64((int64_t)h->last_check_usec)
                                                      : NULL) < 0 ||
            json_object_object_add(o, "last_exit_code",
                                   h->checks ? json_object_new_int64(h->last_exit_code) : NULL) < 0 ||
            json_object_object_add(o, "last_output",
                                   h->checks ? json_object_new_string(h->last_output) : NULL) < 0)
                return -ENOMEM;
        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!text)
                return -ENOMEM;

        r = mkdir_p_at(AT_FDCWD, HEALTH_STATE_DIR, 0755, &dir_fd);
        if (r < 0)
                return r;
        snprintf(file, sizeof(file), "%s.json", name);
        /* Not durable: it lives on /run and describes a running process. */
        return write_file_atomic_at(dir_fd, file, text, strlen(text), 0644, /* durable= */ false);
}

int health_record_remove(const char *name) {
        char path[sizeof(HEALTH_STATE_DIR) + 128];

        snprintf(path, sizeof(path), "%s/%s.json", HEALTH_STATE_DIR, name);
        return RET_NERRNO(unlink(path));
}

int health_record_read_json(const char *name, pid_t main_pid, json_object **ret) {
        _cleanup_(json_putp) json_object *o = NULL;
        _cleanup_free_ char *text = NULL;
        char path[sizeof(HEALTH_STATE_DIR) + 128];
        json_object *pid;
        int r;

        snprintf(path, sizeof(path), "%s/%s.json", HEALTH_STATE_DIR, name);
        r = read_full_file_at(AT_FDCWD, path, 64 * 1024, &text, NULL);
        if (r < 0)
                return r;
        o = json_tokener_parse(text);
        if (!o || !json_object_is_type(o, json_type_object))
                return -EBADMSG;
        if (!json_object_object_get_ex(o, "helper_pid", &pid) || main_pid <= 0 ||
            json_object_get_int64(pid) != (int64_t)main_pid)
                return -ENOENT; /* left by a helper that is gone */
        json_object_object_del(o, "helper_pid");
        *ret = TAKE_PTR(o);
        return 0;
}
