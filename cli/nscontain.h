/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* nscontain: the command-line tool (DESIGN.md, issue 5). One verb per file:
 *
 *   main.c      global options, verb dispatch, exit codes
 *   bus.c       systemd's and the sidecar's D-Bus APIs: unit properties, sidecar list
 *   container.c which unit and config belong to a NAME; the container's PID 1
 *   output.c    tables, sizes and times, the pager
 *   list.c status.c cat.c validate.c exec.c run.c   the verbs
 *   pty.c       the terminal relay of "exec -t"
 *
 * Exit codes (nscontain(1)): 0 success; 1 the operation failed; 2 usage error;
 * 4 no such container. exec and run return the command's own code and use
 * 125 (nscontain failed), 126 (cannot execute), 127 (not found) for their own. */

#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "config.h"
#include "creds.h" /* EXIT_SETUP_FAILED, EXIT_CANNOT_EXEC, EXIT_NOT_FOUND */
#include "macro.h"

#define EXIT_FAILED       1
#define EXIT_USAGE        2
#define EXIT_NO_CONTAINER 4

/* Transient containers of "nscontain run": unit "nscontain-run-NAME.service", config in
 * RUN_CONFIG_DIR/NAME.json. A distinct unit prefix, so they never collide with
 * container@NAME.service and "systemctl list-units 'nscontain-run-*'" finds them. */
#define RUN_UNIT_PREFIX "nscontain-run-"
#define RUN_CONFIG_DIR  "/run/nscontain/run"

#define GENERATOR_DROPIN_FMT "/run/systemd/generator/container@%s.service.d/50-nscontain.conf"

extern bool arg_no_pager;
extern bool arg_no_legend;

/* output.c */
void pager_open(void);
void pager_close(void);
char *format_bytes(char *buf, size_t size, uint64_t bytes);
char *format_usec_span(char *buf, size_t size, uint64_t usec); /* "3min 12s", coarse */
char *format_timestamp(char *buf, size_t size, uint64_t realtime_usec);
uint64_t now_usec(clockid_t clock);
int require_root(const char *verb);

/* bus.c */
typedef struct UnitInfo {
        char *id;
        char *load_state, *active_state, *sub_state, *result;
        char *fragment_path, *control_group, *description;
        char **dropin_paths;
        uint32_t main_pid;
        uint32_t job_id;                 /* 0 when no job is queued or running */
        uint64_t active_enter_timestamp; /* realtime µs, 0 when never */
        uint64_t memory_current;         /* UINT64_MAX when not accounted */
        uint64_t cpu_usage_nsec;         /* UINT64_MAX when not accounted */
        int32_t exec_main_code, exec_main_status;
} UnitInfo;

void unit_info_done(UnitInfo *i);
int bus_open_system(sd_bus **ret);
char *unit_object_path(const char *unit);
/* The properties of UNIT (loaded on demand by systemd; load_state "not-found" when
 * there is no such unit). Logs nothing; returns -errno, with *error filled. */
int unit_info_get(sd_bus *bus, const char *unit, UnitInfo *ret, sd_bus_error *error);
bool unit_is_running(const UnitInfo *i); /* active, activating, deactivating, reloading */

typedef struct SidecarEntry {
        char *name;
        uint32_t uid_base;
        char *address;
        char *host_ifname;
} SidecarEntry;

/* ListContainers() of org.nscontain.Sidecar1. */
int sidecar_list(sd_bus *bus, SidecarEntry **ret, size_t *ret_n, sd_bus_error *error);
void sidecar_entries_free(SidecarEntry *e, size_t n);
const SidecarEntry *sidecar_find(const SidecarEntry *e, size_t n, const char *name);

/* container.c */
typedef struct ContainerRef {
        char *name;
        char *unit;        /* container@NAME.service or nscontain-run-NAME.service */
        char *config_path; /* the file the container is (or would be) started from */
        bool transient;    /* made by "nscontain run" */
} ContainerRef;

void container_ref_done(ContainerRef *r);
/* Finds NAME: its config on the search path, else a running "nscontain run" one.
 * Logs one line and returns -ENOENT / -ERFKILL / -EINVAL when there is none. */
int container_ref_find(const char *name, ContainerRef *ret);
/* Loads the config of a container, logging the validation message on failure. */
int container_ref_load(const ContainerRef *r, Config **ret);
/* The container's PID 1: the only child of the helper (the unit's MainPID). */
int container_find_init(pid_t main_pid, pid_t *ret);
/* The cgroup of PID relative to the unit's control group ("" for the same one). */
int container_subcgroup(pid_t pid, const char *control_group, char **ret);

/* Verbs. Each parses its own options (getopt_long on argc/argv starting at the verb)
 * and returns the process exit code. */
int verb_list(int argc, char *argv[]);
int verb_status(int argc, char *argv[]);
int verb_exec(int argc, char *argv[]);
int verb_validate(int argc, char *argv[]);
int verb_cat(int argc, char *argv[]);
int verb_run(int argc, char *argv[]);

/* pty.c: relays between our terminal and the master of a pty until the master hangs
 * up and the process behind wait_pidfd has exited; forwards window size changes and
 * the signals that should reach the command. Restores the terminal. */
int pty_relay(int master_fd, int wait_pidfd, int signal_pidfd);
