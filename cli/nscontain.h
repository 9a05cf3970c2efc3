/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* nscontain: the command-line tool (nscontain(1)). One verb per file:
 *
 *   main.c      global options, verb dispatch, exit codes
 *   bus.c       systemd's and the sidecar's D-Bus APIs: unit properties, sidecar list
 *   container.c which unit and config belong to a NAME; the container's PID 1
 *   output.c    tables, sizes and times, the pager
 *   options.c   the options several verbs share (output, -e/-u/-w)
 *   list.c status.c cat.c validate.c exec.c run.c control.c   the verbs
 *   pty.c       the terminal relay of "exec -t"
 *
 * Exit codes (nscontain(1)): 0 success; 1 the operation failed; 2 usage error;
 * 4 no such container. exec and run return the command's own code and use
 * 125 (nscontain failed), 126 (cannot execute), 127 (not found) for their own. */

#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#include "config-snapshot.h"
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

/* The generator's copy of NAME.json as the last daemon-reload read it: what the unit runs. */
#define GENERATOR_SNAPSHOT "/run/systemd/generator/" CONFIG_SNAPSHOT_FILE

/* options.c: options that mean the same to every verb that takes them. A verb lists
 * the ones it takes in its option table and numbers its own from ARG_VERB_FIRST. */
enum {
        ARG_NO_PAGER = 0x100,
        ARG_NO_LEGEND,
        ARG_VERB_FIRST,
};
#define OPTION_NO_PAGER \
        { "no-pager", no_argument, NULL, ARG_NO_PAGER }
#define OPTION_NO_LEGEND \
        { "no-legend", no_argument, NULL, ARG_NO_LEGEND }

extern bool arg_no_pager;
extern bool arg_no_legend;

/* Whether getopt's C was an output option (and then takes it). */
bool output_option_parse(int c);

/* -e/--env KEY=VALUE, -u/--user USER, -w/--workdir DIR: how the command of "exec" and
 * the payload of "run" run. */
typedef struct ProcessOptions {
        char **env;
        const char *user;
        const char *workdir;
} ProcessOptions;
#define PROCESS_OPTIONS_SHORT "e:u:w:"
#define OPTIONS_PROCESS                                                                  \
        {"env", required_argument, NULL, 'e'}, {"user", required_argument, NULL, 'u'}, { \
                "workdir", required_argument, NULL, 'w'                                  \
        }

/* 1 when getopt's C was one of them (its value checked and taken), 0 when it was not,
 * -EINVAL (logged) for a bad value. */
int process_option_parse(ProcessOptions *o, int c, const char *arg);
void process_options_done(ProcessOptions *o);

/* The one NAME a verb about one container takes, after its options. Logs a usage error
 * and returns -EINVAL unless there is exactly one. */
int container_name_argument(int argc, char *argv[], const char *verb, const char **ret);

/* output.c */
void pager_open(void);
void pager_close(void);
char *format_bytes(char *buf, size_t size, uint64_t bytes);
char *format_usec_span(char *buf, size_t size, uint64_t usec); /* "3min 12s", coarse */
char *format_timestamp(char *buf, size_t size, uint64_t realtime_usec);
int require_root(const char *verb);
/* --json: every verb prints its object the same way (pretty, spaced, '/' unescaped)
 * and takes it over; -ENOMEM (logged) when it cannot be printed. */
#define JSON_OUTPUT_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)
struct json_object;
int json_print(struct json_object *o);

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
        uint64_t tasks_current;          /* UINT64_MAX when not accounted */
        char *freezer_state;             /* "running", "frozen", ... (systemd >= 246) */
        int32_t exec_main_code, exec_main_status;
} UnitInfo;

void unit_info_done(UnitInfo *i);
int bus_open_system(sd_bus **ret);
char *unit_object_path(const char *unit);
/* The properties of UNIT (loaded on demand by systemd; load_state "not-found" when
 * there is no such unit). Logs why it could not get them. */
int unit_info_get(sd_bus *bus, const char *unit, UnitInfo *ret);
bool unit_is_running(const UnitInfo *i); /* active, activating, deactivating, reloading */

typedef struct SidecarEntry {
        char *name;
        uint32_t uid_base;
        char *address;  /* "" when none */
        char *address6; /* "" when none */
        char *host_ifname;
} SidecarEntry;

/* ListContainersEx() of org.nscontain.Sidecar1. */
int sidecar_list(sd_bus *bus, SidecarEntry **ret, size_t *ret_n, sd_bus_error *error);
void sidecar_entries_free(SidecarEntry *e, size_t n);
const SidecarEntry *sidecar_find(const SidecarEntry *e, size_t n, const char *name);

/* container.c */
typedef struct ContainerRef {
        char *name;
        char *unit;          /* container@NAME.service or nscontain-run-NAME.service */
        char *config_path;   /* the config file on the search path (or of "nscontain run") */
        char *snapshot_path; /* the generator's snapshot holding the copy the unit runs; NULL when none */
        char *snapshot;      /* that copy (lib/config-snapshot.h) */
        size_t snapshot_size;
        bool transient;      /* made by "nscontain run" */
} ContainerRef;

void container_ref_done(ContainerRef *r);
/* Logs and returns -EINVAL when NAME is not a container name (machined's rule). */
int container_name_check(const char *name);
/* Finds NAME: its config on the search path, else a running "nscontain run" one.
 * Logs one line and returns -ENOENT / -ERFKILL / -EINVAL when there is none. */
int container_ref_find(const char *name, ContainerRef *ret);
/* The start of every verb about one container: NAME found, the system bus opened and
 * the unit's properties read. Logs once; returns 0, or the exit code: EXIT_USAGE for an
 * invalid NAME, EXIT_NO_CONTAINER, or EXIT_FAILED. */
int container_open(const char *name, ContainerRef *ret_ref, sd_bus **ret_bus, UnitInfo *ret_unit);
/* Loads the config the container runs (the snapshot when there is one, else the file),
 * logging the validation message on failure unless 'quiet'. */
int container_ref_load(const ContainerRef *r, bool quiet, Config **ret);
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
int verb_kill(int argc, char *argv[]);
int verb_pause(int argc, char *argv[]);
int verb_resume(int argc, char *argv[]);
int verb_image(int argc, char *argv[]);

/* pty.c: relays between our terminal and the master of a pty until the master hangs
 * up and the process behind wait_pidfd has exited; forwards window size changes and
 * the signals that should reach the command. Restores the terminal. */
int pty_relay(int master_fd, int wait_pidfd, int signal_pidfd);
