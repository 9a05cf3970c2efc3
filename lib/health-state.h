/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The state of a container's health check (nscontain.json(5) "health"): written by the
 * helper's supervisor (helper/health.c) after every check, read by "nscontain status"
 * and "nscontain list". One JSON file per running container,
 * /run/nscontain/health/NAME.json, replaced atomically; it names the helper that wrote
 * it, so that a file a killed helper left behind is never taken for a running one's. */

#include <json-c/json.h>
#include <stdint.h>
#include <sys/types.h>

#include "macro.h"

#define HEALTH_STATE_DIR  "/run/nscontain/health"
#define HEALTH_OUTPUT_MAX 4096 /* what is kept of a check's output (as docker does) */

typedef enum HealthStatus {
        HEALTH_STARTING,  /* no check has passed yet, and not "retries" failed in a row */
        HEALTH_HEALTHY,   /* the last check passed */
        HEALTH_UNHEALTHY, /* "retries" checks failed in a row (failures in start_period do not count) */
        _HEALTH_STATUS_MAX,
} HealthStatus;

const char *health_status_to_string(HealthStatus s);

typedef struct HealthRecord {
        HealthStatus status;
        uint32_t failing_streak;  /* counted failures in a row */
        uint64_t checks;          /* checks run */
        uint64_t failures;        /* of them failed */
        uint64_t last_check_usec; /* CLOCK_REALTIME of the last check's end, 0: none yet */
        int last_exit_code;       /* 128+N for signal N; -1: killed at its timeout */
        char last_output[HEALTH_OUTPUT_MAX + 1];
} HealthRecord;

/* Writes NAME's record for the helper whose pid is helper_pid (the unit's MainPID). */
int health_record_write(const char *name, pid_t helper_pid, const HealthRecord *h);
/* Removes it (the container ended). */
int health_record_remove(const char *name);
/* The record as JSON ({"status", "failing_streak", "checks", "failures", "last_check_usec",
 * "last_exit_code", "last_output"}) when the helper main_pid wrote it; -ENOENT when there
 * is none of that helper. */
int health_record_read_json(const char *name, pid_t main_pid, json_object **ret);
