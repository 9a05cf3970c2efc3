/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A new process inside a running container (lib/enter.h): the steps "nscontain exec"
 * and the helper's health checks share. */

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enter.h"
#include "failpoint.h"
#include "fileio.h"
#include "strv.h"
#include "sync.h"

pid_t proc_ppid(pid_t pid) {
        char path[32], buf[512];
        _cleanup_close_ int fd = -EBADF;
        const char *p;
        ssize_t n;
        int ppid;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -1;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return -1;
        buf[n] = 0;
        /* "pid (comm) state ppid": comm may hold anything, the last ')' ends it. */
        p = strrchr(buf, ')');
        if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
                return -1;
        return ppid;
}

/* The host gid of each supplementary group, through the container's gid_map. */
static int host_groups_map(pid_t init, const ResolvedUser *u, gid_t **ret, size_t *ret_n) {
        _cleanup_free_ char *map = NULL;
        _cleanup_free_ gid_t *g = NULL;
        char path[64];
        int r;

        snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)init);
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

int enter_target_prepare(EnterTarget *t, const Config *config, pid_t init, Failure *f) {
        _cleanup_close_ int root_fd = -EBADF;
        char root_path[64];
        int r;

        t->config = config;
        t->pidfd = (int)syscall(SYS_pidfd_open, init, 0);
        if (t->pidfd < 0)
                return failf(f, errno, "Failed to open the container's PID 1 (%d)", (int)init);

        r = namespaces_to_join(init, &t->ns_flags, &t->join_userns);
        if (r < 0)
                return failf(f, r, "Failed to read the namespaces of the container's PID 1");

        /* The user is resolved in the container's /etc/passwd and /etc/group through its
         * root, read by fd with RESOLVE_IN_ROOT (the helper's code). */
        snprintf(root_path, sizeof(root_path), "/proc/%d/root", (int)init);
        root_fd = open(root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return failf(f, errno, "Failed to open the root of the container");
        r = user_resolve_in(root_fd, config, &t->user, f);
        if (r < 0)
                return r;
        if (t->join_userns) {
                r = host_groups_map(init, &t->user, &t->host_groups, &t->n_host_groups);
                if (r < 0)
                        return failf(f, r, "Failed to map the supplementary groups of user '%s' to the host",
                                     config->user);
        }

        t->stub_fd = exec_stub_open(t->join_userns);
        if (t->stub_fd < 0)
                return failf(f, t->stub_fd, "Failed to create the sealed exec stub (a memfd)");
        return 0;
}

void enter_target_done(EnterTarget *t) {
        resolved_user_done(&t->user);
        free(t->host_groups);
        t->host_groups = NULL;
        t->n_host_groups = 0;
        t->pidfd = safe_close(t->pidfd);
        t->stub_fd = safe_close(t->stub_fd);
}

_noreturn_ static void child_fail(int fd, Failure *f) {
        if (f->exit_code <= 0 || f->exit_code > 255)
                f->exit_code = EXIT_SETUP_FAILED;
        (void)sync_send_failure(fd, f);
        _exit(f->exit_code);
}

/* The config's env, the extra values on top, and what a login would give (HOME, USER,
 * LOGNAME; TERM when given) where neither set it. */
static int build_env(const EnterProcess *p, char ***ret) {
        const ResolvedUser *u = &p->target->user;
        _cleanup_strv_free_ char **env = strv_copy(p->target->config->env);

        if (!env && p->target->config->env)
                return -ENOMEM;
        STRV_FOREACH (e, p->env_extra)
                if (strv_env_set(&env, *e, NULL, true) < 0)
                        return -ENOMEM;
        if (strv_env_set(&env, "HOME", u->home ?: "/", false) < 0 ||
            (u->name && (strv_env_set(&env, "USER", u->name, false) < 0 ||
                         strv_env_set(&env, "LOGNAME", u->name, false) < 0)) ||
            (p->term && strv_env_set(&env, "TERM", p->term, false) < 0))
                return -ENOMEM;
        if (!env && !(env = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(env);
        return 0;
}

/* G: in the container's namespaces; runs the command or reports why not. */
_noreturn_ static void command_run(const EnterProcess *p, int sync_fd) {
        const EnterTarget *t = p->target;
        const char *workdir = t->config->workdir ?: "/";
        _cleanup_strv_free_ char **env = NULL;
        char cwd[4096];
        SyncMessage go;
        Failure f = {};
        int r;

        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
                failf(&f, errno, "Failed to set the parent death signal");
                child_fail(sync_fd, &f);
        }

        /* "nscontain exec": wait until we are in the container's unit. */
        if (p->wait_go && (sync_receive(sync_fd, 0, &go, NULL, 0) <= 0 || go.type != SYNC_GO))
                _exit(EXIT_SETUP_FAILED);

        /* Our own session (and process group, which is how a health check that times out
         * is killed whole): no way to push input into a terminal of the host (TIOCSTI,
         * CVE-2017-5226); exec -t makes the container's pty the controlling one. */
        if (setsid() < 0) {
                failf(&f, errno, "Failed to start a new session");
                child_fail(sync_fd, &f);
        }
        if (p->setup && p->setup(sync_fd, &f) < 0)
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

        r = build_env(p, &env);
        if (r < 0) {
                failf(&f, r, "Failed to build the environment");
                child_fail(sync_fd, &f);
        }

        /* The helper's own credential code: bounding set, groups, gid, uid, NNP,
         * seccomp, all five capability sets. */
        if (creds_apply(t->config, &t->user, &f) < 0)
                child_fail(sync_fd, &f);

        /* What the caller's process had (the helper ignores SIGPIPE, as systemd starts
         * it) is not the command's: default dispositions, the caller's chosen mask. */
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)signal(sig, SIG_DFL);
        if (sigprocmask(SIG_SETMASK, &p->exec_mask, NULL) < 0) {
                failf(&f, errno, "Failed to restore the signal mask");
                child_fail(sync_fd, &f);
        }
        /* CVE-2024-21626: nothing but 0–2 survives the exec. CLOEXEC, not close: the
         * sync socket closing at exec is how the caller learns that the exec happened. */
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0) {
                failf(&f, errno, "Failed to mark file descriptors close-on-exec");
                child_fail(sync_fd, &f);
        }

        /* Test builds: a test stalls G here, where it runs as the container's user and
         * still holds the host's fds, to show that the payload cannot look into it. */
        (void)failpoint("exec:before-exec");
        (void)exec_sealed(t->stub_fd, sync_fd, /* init= */ false, p->argv, env, &f);
        child_fail(sync_fd, &f);
}

_noreturn_ void enter_intermediate_run(const EnterProcess *p, int sync_fd, pid_t parent) {
        const EnterTarget *t = p->target;
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
        if (t->join_userns && setgroups(t->n_host_groups, t->host_groups) < 0) {
                failf(&f, errno, "Failed to set the supplementary groups of user '%s'", t->config->user);
                child_fail(sync_fd, &f);
        }

        /* All at once through the pidfd: the kernel joins them in the right order and
         * either all or none. The mount namespace's root (the container's, after its
         * pivot_root) becomes our root and cwd. */
        if (setns(t->pidfd, t->ns_flags) < 0) {
                failf(&f, errno, "Failed to enter the namespaces of the container");
                child_fail(sync_fd, &f);
        }

        pid = fork();
        if (pid < 0) {
                failf(&f, errno, "Failed to fork into the container's pid namespace");
                child_fail(sync_fd, &f);
        }
        if (pid == 0)
                command_run(p, sync_fd);

        m.pid = pid;
        if (sync_send(sync_fd, &m, NULL, 0) < 0) {
                kill(pid, SIGKILL);
                _exit(EXIT_SETUP_FAILED);
        }
        (void)close(sync_fd);

        while (waitid(P_PID, (id_t)pid, &si, WEXITED) < 0)
                if (errno != EINTR)
                        _exit(EXIT_SETUP_FAILED);
        if (si.si_code == CLD_EXITED)
                _exit(si.si_status);
        _exit(128 + si.si_status);
}
