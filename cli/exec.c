/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nscontain exec: a new process inside a running container.
 *
 *   nscontain (host)                 I (intermediate)               G (the command)
 *   unit state, MainPID, PID 1
 *   pidfd of PID 1, user resolved
 *   through /proc/PID1/root
 *   fork ─────────────────────────►  non-dumpable, PDEATHSIG
 *                                    setgroups (host gids)
 *                                    setns(pidfd, every ns that differs)
 *                                    fork ────────────────────────► (in the container's pid ns)
 *   ◄──── SYNC_PID (G's pid) ──────  wait for G, exit with its code waits for SYNC_GO
 *   AttachProcessesToUnit(G)
 *   SYNC_GO ────────────────────────────────────────────────────►  setsid; -t: pty from the
 *   ◄────────────────────────── SYNC_PTY (master fd) ───────────   container's /dev/ptmx
 *                                                                  workdir, env, creds_apply()
 *   ◄───── SYNC_EXEC, EOF (exec'd), or SYNC_FAILURE ─────────────  close fds, execveat(stub)
 *                                                                  → stub/stub.c: execve
 *   relay the pty / forward signals; exit with I's code = G's.
 *
 * G is attached to the container's unit before it does anything, so everything it
 * runs is accounted, limited and stopped with the container. Every message is a
 * SyncMessage (lib/sync.h). */

#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>

#include "creds.h"
#include "enter.h"
#include "failpoint.h"
#include "fileio.h"
#include "log.h"
#include "nscontain.h"
#include "strv.h"
#include "sync.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static bool arg_tty = false;

static void help(void) {
        printf("nscontain exec [OPTIONS...] NAME [--] COMMAND [ARGS...]\n\n"
               "Runs COMMAND inside the running container NAME: in all its namespaces, under\n"
               "its root, as its user with its capabilities, no_new_privileges and seccomp\n"
               "filter, in its unit's cgroup. COMMAND is looked up in the container's PATH.\n\n"
               "  -h --help          Show this help\n"
               "  -t --tty           Allocate a terminal from the container's /dev/pts\n"
               "  -u --user=USER     Run as USER (name, uid, uid:gid; default: the config's)\n"
               "  -w --workdir=DIR   Working directory inside (default: the config's)\n"
               "  -e --env=KEY=VALUE Set an environment variable (repeatable)\n\n"
               "Exit status: the command's (128+N when it is killed by signal N); 125 when\n"
               "nscontain fails (no such or no running container, not root), 126 when the\n"
               "command cannot be executed, 127 when it is not found.\n");
}

/* A terminal from the container's own devpts: its /dev/ptmx, the peer opened through
 * the master (TIOCGPTPEER), so no path inside the container is trusted for the slave.
 * The slave becomes our controlling terminal and stdio; the master goes to nscontain. */
static int child_setup_pty(int sync_fd, Failure *f) {
        _cleanup_close_ int master = -EBADF, slave = -EBADF;
        int unlock = 0, r;

        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return failf(f, errno, "Failed to open the container's /dev/ptmx");
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return failf(f, errno, "Failed to unlock the pseudo terminal");
        slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return failf(f, errno, "Failed to open the pseudo terminal's peer");
        if (ioctl(slave, TIOCSCTTY, 0) < 0)
                return failf(f, errno, "Failed to make the pseudo terminal the controlling terminal");
        for (int i = 0; i < 3; i++)
                if (dup2(slave, i) < 0)
                        return failf(f, errno, "Failed to connect standard input/output to the terminal");
        r = sync_send(sync_fd, &(SyncMessage){.type = SYNC_PTY}, &master, 1);
        if (r < 0)
                return failf(f, r, "Failed to pass the terminal to nscontain");
        return 0;
}

static int attach_to_unit(sd_bus *bus, const char *unit, const char *subcgroup, pid_t pid) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        int r;

        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "AttachProcessesToUnit", &error, NULL,
                               "ssau", unit, subcgroup, 1, (uint32_t)pid);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the new process to %s: %s", unit,
                                       error.message ?: strerror(-r));
        return 0;
}

static int wait_exit_code(pid_t pid) {
        siginfo_t si = {};

        while (waitid(P_PID, (id_t)pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        return EXIT_SETUP_FAILED;
        if (si.si_code == CLD_EXITED)
                return si.si_status;
        return 128 + si.si_status;
}

/* Without -t: forward the signals a user sends us to the command, until I exits. */
static void forward_signals_until_exit(int wait_pidfd, int command_pidfd, const sigset_t *mask) {
        _cleanup_close_ int sfd = signalfd(-1, mask, SFD_CLOEXEC);

        for (;;) {
                struct pollfd p[2] = {{.fd = wait_pidfd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
                struct signalfd_siginfo si;

                if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return;
                }
                if (p[0].revents)
                        return;
                if (p[1].revents && read(sfd, &si, sizeof(si)) == sizeof(si) && command_pidfd >= 0)
                        (void)syscall(SYS_pidfd_send_signal, command_pidfd, (int)si.ssi_signo, NULL, 0);
        }
}

static int parse_argv(int argc, char *argv[], ProcessOptions *process, const char **ret_name,
                      char ***ret_cmd) {
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"tty", no_argument, NULL, 't'},
                OPTIONS_PROCESS,
                {},
        };
        int c, r;

        /* "+": stop at NAME, so the command's own options are never ours. */
        while ((c = getopt_long(argc, argv, "+ht" PROCESS_OPTIONS_SHORT, options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 't':
                        arg_tty = true;
                        break;
                default:
                        r = process_option_parse(process, c, optarg);
                        if (r <= 0)
                                return -EINVAL;
                }

        if (optind >= argc) {
                log_error("Expected a container NAME and a COMMAND; see 'nscontain exec --help'.");
                return -EINVAL;
        }
        *ret_name = argv[optind++];
        if (optind < argc && streq(argv[optind], "--"))
                optind++;
        if (optind >= argc) {
                log_error("Expected a COMMAND to run in '%s'; see 'nscontain exec --help'.", *ret_name);
                return -EINVAL;
        }
        *ret_cmd = argv + optind;
        return 1;
}

typedef struct ExecContext {
        const ContainerRef *ref;
        EnterTarget target;
        char **argv;
        ProcessOptions process; /* -e, -u, -w */
} ExecContext;

/* Everything up to the fork: which process, which namespaces, which user. Returns an
 * exit code (0 to go on). */
static int exec_prepare(ExecContext *x, const Config *config, const UnitInfo *unit, char **ret_subcgroup) {
        const ContainerRef *ref = x->ref;
        Failure f = {};
        pid_t init = 0;
        int r;

        if (!unit_is_running(unit) || unit->main_pid == 0) {
                log_error("Container '%s' is not running (%s is %s).", ref->name, ref->unit,
                          strna(unit->active_state));
                return EXIT_SETUP_FAILED;
        }
        r = container_find_init((pid_t)unit->main_pid, &init);
        if (r < 0) {
                log_error("Container '%s' has no PID 1 (%s is %s/%s): still starting or already stopping?",
                          ref->name, ref->unit, strna(unit->active_state), strna(unit->sub_state));
                return EXIT_SETUP_FAILED;
        }

        r = enter_target_prepare(&x->target, config, init, &f);
        if (r < 0) {
                failure_log(ref->name, &f);
                return EXIT_SETUP_FAILED;
        }
        /* The pid could have been reused between reading it and opening the pidfd:
         * only a process that is still the helper's child is the container. */
        if (proc_ppid(init) != (pid_t)unit->main_pid) {
                log_error("Container '%s' stopped while entering it.", ref->name);
                return EXIT_SETUP_FAILED;
        }

        r = container_subcgroup(init, unit->control_group, ret_subcgroup);
        if (r < 0) {
                log_error_errno(r, "Failed to find the cgroup of the container's PID 1 inside %s: %m",
                                ref->unit);
                return EXIT_SETUP_FAILED;
        }
        return 0;
}

static void exec_context_done(ExecContext *x) {
        process_options_done(&x->process);
        enter_target_done(&x->target);
}

/* G, exec -t: the terminal. */
static int exec_setup_tty(int sync_fd, Failure *f) {
        return child_setup_pty(sync_fd, f);
}

/* From the fork to the command's exit. Returns the exit code. */
static int exec_run(sd_bus *bus, ExecContext *x, const char *subcgroup) {
        _cleanup_close_pair_ int pair[2] = {-EBADF, -EBADF};
        _cleanup_close_ int wait_pidfd = -EBADF, command_pidfd = -EBADF, master = -EBADF;
        const ContainerRef *ref = x->ref;
        pid_t parent = getpid(), intermediate;
        bool exec_marker = false;
        sigset_t mask;
        SyncMessage m = {};
        EnterProcess p = {
                .target = &x->target,
                .argv = x->argv,
                .env_extra = x->process.env,
                .term = arg_tty ? getenv("TERM") ?: "xterm" : NULL,
                .wait_go = true,
                .setup = arg_tty ? exec_setup_tty : NULL,
        };
        int r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
                log_error_errno(errno, "Failed to create a socket pair: %m");
                return EXIT_SETUP_FAILED;
        }

        /* Signals meant for the command are read from a signalfd and passed on. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGQUIT);
        sigaddset(&mask, SIGWINCH);
        sigaddset(&mask, SIGUSR1);
        sigaddset(&mask, SIGUSR2);
        if (sigprocmask(SIG_BLOCK, &mask, &p.exec_mask) < 0) {
                log_error_errno(errno, "Failed to block signals: %m");
                return EXIT_SETUP_FAILED;
        }

        intermediate = fork();
        if (intermediate < 0) {
                log_error_errno(errno, "Failed to fork: %m");
                return EXIT_SETUP_FAILED;
        }
        if (intermediate == 0) {
                pair[0] = safe_close(pair[0]);
                enter_intermediate_run(&p, pair[1], parent);
        }
        pair[1] = safe_close(pair[1]);
        x->target.pidfd = safe_close(x->target.pidfd);
        wait_pidfd = (int)syscall(SYS_pidfd_open, intermediate, 0);

        r = sync_receive(pair[0], 0, &m, NULL, 0);
        if (r <= 0 || m.type != SYNC_PID) {
                if (r > 0 && m.type == SYNC_FAILURE)
                        failure_log(ref->name, &m.failure);
                else
                        log_error("%s: Failed to enter the container.", ref->name);
                r = wait_exit_code(intermediate);
                return r == 0 ? EXIT_SETUP_FAILED : r;
        }
        command_pidfd = (int)syscall(SYS_pidfd_open, m.pid, 0);

        r = attach_to_unit(bus, ref->unit, subcgroup, m.pid);
        if (r >= 0 && sync_send(pair[0], &(SyncMessage){.type = SYNC_GO}, NULL, 0) < 0)
                r = log_error_errno(EPIPE, "%s: The new process died before it could start.", ref->name);
        if (r < 0) {
                (void)kill(m.pid, SIGKILL);
                (void)wait_exit_code(intermediate);
                return EXIT_SETUP_FAILED;
        }

        /* With -t the terminal first; then the marker and EOF (exec'd), or why not. */
        for (;;) {
                int fd = -EBADF;

                r = sync_receive(pair[0], 0, &m, &fd, 1);
                if (r <= 0)
                        break;
                if (m.type == SYNC_EXEC)
                        exec_marker = true;
                else if (m.type == SYNC_PTY && m.n_fds == 1 && master < 0)
                        master = fd;
                else
                        safe_close(fd);
                if (m.type == SYNC_FAILURE) {
                        failure_log(ref->name, &m.failure);
                        break;
                }
        }
        pair[0] = safe_close(pair[0]);
        if (r == 0 && !exec_marker) {
                /* G's end closes only with its exec or its exit. */
                log_error("%s: The command's process was killed before the exec.", ref->name);
                (void)wait_exit_code(intermediate);
                return EXIT_SETUP_FAILED;
        }

        if (master >= 0)
                (void)pty_relay(master, wait_pidfd, command_pidfd);
        else
                forward_signals_until_exit(wait_pidfd, command_pidfd, &mask);
        return wait_exit_code(intermediate);
}

int verb_exec(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(container_ref_done) ContainerRef ref = {};
        _cleanup_(unit_info_done) UnitInfo unit = {};
        _cleanup_config_free_ Config *config = NULL;
        _cleanup_(exec_context_done) ExecContext x = {.target = ENTER_TARGET_NULL};
        const ProcessOptions *process = &x.process;
        _cleanup_free_ char *subcgroup = NULL;
        const char *name = NULL;
        int r;

        r = parse_argv(argc, argv, &x.process, &name, &x.argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : 0;
        if (require_root("exec") < 0)
                return EXIT_SETUP_FAILED;

        if (container_open(name, &ref, &bus, &unit) != 0)
                return EXIT_SETUP_FAILED;
        r = container_ref_load(&ref, false, &config);
        if (r < 0)
                return EXIT_SETUP_FAILED;
        if (process->user) {
                free(config->user);
                config->user = strdup(process->user);
        }
        if (process->workdir) {
                free(config->workdir);
                config->workdir = strdup(process->workdir);
        }
        if ((process->user && !config->user) || (process->workdir && !config->workdir))
                return log_oom(), EXIT_SETUP_FAILED;
        x.ref = &ref;

        r = exec_prepare(&x, config, &unit, &subcgroup);
        if (r != 0)
                return r;
        return exec_run(bus, &x, subcgroup);
}
