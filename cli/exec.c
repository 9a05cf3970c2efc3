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

_noreturn_ static void child_fail(int fd, Failure *f) {
        if (f->exit_code <= 0 || f->exit_code > 255)
                f->exit_code = EXIT_SETUP_FAILED;
        (void)sync_send_failure(fd, f);
        _exit(f->exit_code);
}

/* The config's env, the -e values on top, and what a login would give (HOME, USER,
 * LOGNAME; TERM with -t) where neither set it. */
static int build_env(const Config *config, char **extra, const ResolvedUser *u, char ***ret) {
        _cleanup_strv_free_ char **env = strv_copy(config->env);

        if (!env && config->env)
                return -ENOMEM;
        STRV_FOREACH (e, extra)
                if (strv_env_set(&env, *e, NULL, true) < 0)
                        return -ENOMEM;
        if (strv_env_set(&env, "HOME", u->home ?: "/", false) < 0 ||
            (u->name && (strv_env_set(&env, "USER", u->name, false) < 0 ||
                         strv_env_set(&env, "LOGNAME", u->name, false) < 0)) ||
            (arg_tty && strv_env_set(&env, "TERM", getenv("TERM") ?: "xterm", false) < 0))
                return -ENOMEM;
        if (!env && !(env = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(env);
        return 0;
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

typedef struct ExecContext {
        const ContainerRef *ref;
        Config *config;
        ResolvedUser user;
        gid_t *host_groups; /* the user's supplementary groups as host gids, for setgroups before setns */
        size_t n_host_groups;
        bool join_userns;
        int ns_flags;
        int pidfd;   /* of the container's PID 1 */
        int stub_fd; /* the sealed exec stub (lib/exec.c) G runs the command through */
        char **argv;
        ProcessOptions process; /* -e, -u, -w */
        sigset_t saved_mask;
} ExecContext;

/* G: in the container's namespaces; runs COMMAND or reports why not. */
_noreturn_ static void command_run(ExecContext *x, int sync_fd) {
        _cleanup_strv_free_ char **env = NULL;
        const char *workdir = x->config->workdir ?: "/";
        char cwd[4096];
        SyncMessage go;
        Failure f = {};
        int r;

        x->pidfd = safe_close(x->pidfd);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
                failf(&f, errno, "Failed to set the parent death signal");
                child_fail(sync_fd, &f);
        }

        /* Wait until nscontain has put us into the container's unit. */
        if (sync_receive(sync_fd, 0, &go, NULL, 0) <= 0 || go.type != SYNC_GO)
                _exit(EXIT_SETUP_FAILED);

        /* Our own session: no way to push input into a terminal of the host (TIOCSTI,
         * CVE-2017-5226), with -t the container's pty becomes the controlling one. */
        if (setsid() < 0) {
                failf(&f, errno, "Failed to start a new session");
                child_fail(sync_fd, &f);
        }
        if (arg_tty && child_setup_pty(sync_fd, &f) < 0)
                child_fail(sync_fd, &f);

        if (chdir(workdir) < 0) {
                failf(&f, errno, "Failed to change to the working directory '%s'", workdir);
                child_fail(sync_fd, &f);
        }
        /* CVE-2024-21626: a cwd outside the root makes getcwd() fail. */
        if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/') {
                failf(&f, errno ?: ENOENT, "The working directory '%s' is not inside the container",
                      workdir);
                child_fail(sync_fd, &f);
        }

        r = build_env(x->config, x->process.env, &x->user, &env);
        if (r < 0) {
                failf(&f, r, "Failed to build the environment");
                child_fail(sync_fd, &f);
        }

        /* The helper's own credential code: bounding set, groups, gid, uid, NNP,
         * seccomp, all five capability sets. */
        if (creds_apply(x->config, &x->user, &f) < 0)
                child_fail(sync_fd, &f);

        if (sigprocmask(SIG_SETMASK, &x->saved_mask, NULL) < 0) {
                failf(&f, errno, "Failed to restore the signal mask");
                child_fail(sync_fd, &f);
        }
        /* CVE-2024-21626: nothing but 0–2 survives the exec. CLOEXEC, not close: the
         * sync socket closing at exec is how nscontain learns that the exec happened. */
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
                failf(&f, errno, "Failed to mark file descriptors close-on-exec");
                child_fail(sync_fd, &f);
        }

        /* Test builds: a test stalls G here, where it runs as the container's user and
         * still holds the host's fds, to show that the payload cannot look into it. */
        (void)failpoint("exec:before-exec");
        (void)exec_sealed(x->stub_fd, sync_fd, /* init= */ false, x->argv, env, &f);
        child_fail(sync_fd, &f);
}

/* I: joins the namespaces and forks G into the container's pid namespace. */
_noreturn_ static void intermediate_run(ExecContext *x, int sync_fd, pid_t parent) {
        SyncMessage m = {.type = SYNC_PID};
        Failure f = {};
        siginfo_t si = {};
        pid_t pid;

        /* Non-dumpable from here to the exec: nothing in the container may ptrace us or
         * open our fds through /proc while we hold the host's (CVE-2016-8659). */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
                failf(&f, errno, "Failed to protect the setup process");
                child_fail(sync_fd, &f);
        }
        if (getppid() != parent)
                _exit(EXIT_SETUP_FAILED);

        /* setgroups() is denied inside the container's user namespace (docs/SECURITY.md
         * row 10): the groups must be the user's before we join it; creds_apply()
         * checks. */
        if (x->join_userns && setgroups(x->n_host_groups, x->host_groups) < 0) {
                failf(&f, errno, "Failed to set the supplementary groups of user '%s'", x->config->user);
                child_fail(sync_fd, &f);
        }

        /* All at once through the pidfd: the kernel joins them in the right order and
         * either all or none. The mount namespace's root (the container's, after its
         * pivot_root) becomes our root and cwd. */
        if (setns(x->pidfd, x->ns_flags) < 0) {
                failf(&f, errno, "Failed to enter the namespaces of the container");
                child_fail(sync_fd, &f);
        }

        pid = fork();
        if (pid < 0) {
                failf(&f, errno, "Failed to fork into the container's pid namespace");
                child_fail(sync_fd, &f);
        }
        if (pid == 0)
                command_run(x, sync_fd);

        m.pid = pid;
        if (sync_send(sync_fd, &m, NULL, 0) < 0) {
                kill(pid, SIGKILL);
                _exit(EXIT_SETUP_FAILED);
        }
        sync_fd = safe_close(sync_fd);
        x->pidfd = safe_close(x->pidfd);

        while (waitid(P_PID, (id_t)pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        _exit(EXIT_SETUP_FAILED);
        if (si.si_code == CLD_EXITED)
                _exit(si.si_status);
        _exit(128 + si.si_status);
}

/* The host gid of each supplementary group, through the container's gid_map. */
static int host_groups_map(pid_t init, const ResolvedUser *u, gid_t **ret, size_t *ret_n) {
        _cleanup_free_ char *path = NULL, *map = NULL;
        _cleanup_free_ gid_t *g = NULL;
        int r;

        if (asprintf(&path, "/proc/%d/gid_map", (int)init) < 0)
                return -ENOMEM;
        r = read_full_file_at(AT_FDCWD, path, 64 * 1024, &map, NULL);
        if (r < 0)
                return r;
        g = calloc(MAX(u->n_groups, 1), sizeof(gid_t));
        if (!g)
                return -ENOMEM;
        for (size_t i = 0; i < u->n_groups; i++) {
                bool found = false;
                for (char *line = map; line && *line && !found;) {
                        unsigned long inside, outside, count;
                        if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) == 3 &&
                            u->groups[i] >= inside && u->groups[i] - inside < count) {
                                g[i] = (gid_t)(outside + (u->groups[i] - inside));
                                found = true;
                        }
                        line = strchr(line, '\n');
                        if (line)
                                line++;
                }
                if (!found)
                        return -ERANGE;
        }
        *ret = TAKE_PTR(g);
        *ret_n = u->n_groups;
        return 0;
}

/* Every namespace of PID 1 that is not already ours (joining our own user namespace
 * would be EINVAL). The mount namespace is always the container's own. */
static int namespaces_to_join(pid_t init, int *ret, bool *ret_userns) {
        static const struct {
                const char *name;
                int flag;
        } table[] = {
                {"user", CLONE_NEWUSER},     {"mnt", CLONE_NEWNS},  {"pid", CLONE_NEWPID},
                {"uts", CLONE_NEWUTS},       {"ipc", CLONE_NEWIPC}, {"net", CLONE_NEWNET},
                {"cgroup", CLONE_NEWCGROUP},
        };
        int flags = 0;

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                char theirs[64], ours[64];
                struct stat a, b;

                snprintf(theirs, sizeof(theirs), "/proc/%d/ns/%s", (int)init, table[i].name);
                snprintf(ours, sizeof(ours), "/proc/self/ns/%s", table[i].name);
                if (stat(theirs, &a) < 0)
                        return negative_errno();
                if (stat(ours, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
                        flags |= table[i].flag;
        }
        *ret = flags;
        *ret_userns = flags & CLONE_NEWUSER;
        return 0;
}

static pid_t proc_ppid(pid_t pid) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        const char *p;
        int ppid;

        if (asprintf(&path, "/proc/%d/stat", (int)pid) < 0 ||
            read_full_file_at(AT_FDCWD, path, 4096, &text, NULL) < 0)
                return -1;
        /* "pid (comm) state ppid": comm may hold anything, the last ')' ends it. */
        p = strrchr(text, ')');
        if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
                return -1;
        return ppid;
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

/* Everything up to the fork: which process, which namespaces, which user. Returns an
 * exit code (0 to go on). */
static int exec_prepare(ExecContext *x, const UnitInfo *unit, pid_t *ret_init, char **ret_subcgroup) {
        _cleanup_close_ int root_fd = -EBADF;
        const ContainerRef *ref = x->ref;
        char root_path[64];
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

        x->pidfd = (int)syscall(SYS_pidfd_open, init, 0);
        if (x->pidfd < 0) {
                log_error_errno(errno, "Failed to open the container's PID 1 (%d): %m", (int)init);
                return EXIT_SETUP_FAILED;
        }
        /* The pid could have been reused between reading it and opening the pidfd:
         * only a process that is still the helper's child is the container. */
        if (proc_ppid(init) != (pid_t)unit->main_pid) {
                log_error("Container '%s' stopped while entering it.", ref->name);
                return EXIT_SETUP_FAILED;
        }

        r = namespaces_to_join(init, &x->ns_flags, &x->join_userns);
        if (r < 0) {
                log_error_errno(r, "Failed to read the namespaces of the container's PID 1: %m");
                return EXIT_SETUP_FAILED;
        }

        /* The user is resolved in the container's /etc/passwd and /etc/group through its
         * root, read by fd with RESOLVE_IN_ROOT (the helper's code). */
        snprintf(root_path, sizeof(root_path), "/proc/%d/root", (int)init);
        root_fd = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0) {
                log_error_errno(errno, "Failed to open the root of container '%s': %m", ref->name);
                return EXIT_SETUP_FAILED;
        }
        r = user_resolve_in(root_fd, x->config, &x->user, &f);
        if (r < 0) {
                failure_log(ref->name, &f);
                return EXIT_SETUP_FAILED;
        }
        if (x->join_userns) {
                r = host_groups_map(init, &x->user, &x->host_groups, &x->n_host_groups);
                if (r < 0) {
                        log_error_errno(
                                r, "%s: Failed to map the supplementary groups of user '%s' to the host: %m",
                                ref->name, x->config->user);
                        return EXIT_SETUP_FAILED;
                }
        }

        r = container_subcgroup(init, unit->control_group, ret_subcgroup);
        if (r < 0) {
                log_error_errno(r, "Failed to find the cgroup of the container's PID 1 inside %s: %m",
                                ref->unit);
                return EXIT_SETUP_FAILED;
        }
        *ret_init = init;
        return 0;
}

static void exec_context_done(ExecContext *x) {
        process_options_done(&x->process);
        resolved_user_done(&x->user);
        free(x->host_groups);
        x->host_groups = NULL;
        x->pidfd = safe_close(x->pidfd);
        x->stub_fd = safe_close(x->stub_fd);
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
        int r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0) {
                log_error_errno(errno, "Failed to create a socket pair: %m");
                return EXIT_SETUP_FAILED;
        }
        x->stub_fd = exec_stub_open(x->join_userns);
        if (x->stub_fd < 0) {
                log_error_errno(x->stub_fd, "Failed to create the sealed exec stub (a memfd): %m");
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
        if (sigprocmask(SIG_BLOCK, &mask, &x->saved_mask) < 0) {
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
                intermediate_run(x, pair[1], parent);
        }
        pair[1] = safe_close(pair[1]);
        x->pidfd = safe_close(x->pidfd);
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
        _cleanup_(exec_context_done) ExecContext x = {.pidfd = -EBADF, .stub_fd = -EBADF};
        const ProcessOptions *process = &x.process;
        _cleanup_free_ char *subcgroup = NULL;
        const char *name = NULL;
        pid_t init = 0;
        int r;

        r = parse_argv(argc, argv, &x.process, &name, &x.argv);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : 0;
        if (require_root("exec") < 0)
                return EXIT_SETUP_FAILED;

        if (container_open(name, &ref, &bus, &unit) != 0)
                return EXIT_SETUP_FAILED;
        r = container_ref_load(&ref, &config);
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
        x.config = config;

        r = exec_prepare(&x, &unit, &init, &subcgroup);
        if (r != 0)
                return r;
        return exec_run(bus, &x, subcgroup);
}
