/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sys/resource.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "build-config.h"
#include "config.h"
#include "failpoint.h"
#include "spawn.h"
#include "strategy.h"
#include "strv.h"
#include "sync.h"
#include "creds.h"
#include "preflight.h"

/* The sync protocol (lib/sync.h): the parent's SYNC_GO once the uid maps are written
 * and the trees are ready, with the tree fds; then, while the child builds its root,
 * SYNC_NET with the network facts (veth mode: the sidecar's answer; empty otherwise),
 * which the child waits for only after pivot_root. The child answers with SYNC_FAILURE,
 * or the stub's SYNC_EXEC right before the payload's execve. */

_Static_assert(1 + CONFIG_MOUNTS_MAX + _DNS_FILE_MAX <= SYNC_FDS_MAX,
               "a SYNC_GO carries the root, every bind tree and the generated /etc files");
_Static_assert(sizeof(((SyncMessage *)NULL)->net.ifname) == IFNAMSIZ, "SYNC_NET's ifname is IFNAMSIZ");

static bool container_new_netns(const Config *config) {
        return config->namespaces.net && config->network.mode != NETWORK_HOST;
}

static uint64_t container_clone_flags(const Config *config) {
        uint64_t flags = CLONE_NEWNS;

        if (config->namespaces.user)
                flags |= CLONE_NEWUSER;
        if (config->namespaces.pid)
                flags |= CLONE_NEWPID;
        if (config->namespaces.uts)
                flags |= CLONE_NEWUTS;
        if (config->namespaces.ipc)
                flags |= CLONE_NEWIPC;
        if (container_new_netns(config))
                flags |= CLONE_NEWNET;
        if (config->namespaces.cgroup)
                flags |= CLONE_NEWCGROUP;
        return flags;
}

/* ---- child side ------------------------------------------------------------ */

_noreturn_ void child_fail(int sync_fd, const Failure *f) {
        /* Nothing else to do if the parent is gone: the exit code still tells. */
        (void)sync_send_failure(sync_fd, f);
        _exit(f->exit_code > 0 ? f->exit_code : EXIT_SETUP_FAILED);
}

/* Waits for the parent's next message, which must be of this type. EOF: the helper
 * died or gave up (then it already said why). */
static int child_receive(Container *c, uint32_t type, const char *what, SyncMessage *ret, int *fds,
                         size_t max_fds, Failure *f) {
        int r;

        r = sync_receive(c->sync_fd, 0, ret, fds, max_fds);
        if (r == 0)
                _exit(EXIT_SETUP_FAILED);
        if (r == -EBADMSG || (r > 0 && ret->type != type)) {
                if (r > 0)
                        for (size_t i = 0; i < ret->n_fds; i++)
                                safe_close(fds[i]);
                return failf(f, EBADMSG, "Received a malformed %s from the helper", what);
        }
        if (r < 0)
                return failf(f, r, "Failed to receive the %s from the helper", what);
        return 0;
}

static int child_receive_go(Container *c, Failure *f) {
        _cleanup_free_ int *fds = NULL;
        SyncMessage go;
        size_t k = 0;
        int r;

        fds = calloc(SYNC_FDS_MAX, sizeof(int));
        if (!fds)
                return failf(f, ENOMEM, "Failed to allocate memory");
        r = child_receive(c, SYNC_GO, "start message", &go, fds, 1 + c->config->n_mounts + _DNS_FILE_MAX, f);
        if (r < 0)
                return r;

        c->root_tree_fd = go.go.has_tree[0] && k < go.n_fds ? fds[k++] : -EBADF;
        c->n_bind_tree_fds = c->config->n_mounts;
        if (c->n_bind_tree_fds > 0) {
                c->bind_tree_fds = calloc(c->n_bind_tree_fds, sizeof(int));
                if (!c->bind_tree_fds)
                        return failf(f, ENOMEM, "Failed to allocate memory");
                for (size_t i = 0; i < c->n_bind_tree_fds; i++)
                        c->bind_tree_fds[i] = go.go.has_tree[1 + i] && k < go.n_fds ? fds[k++] : -EBADF;
        }
        for (size_t i = 0; i < _DNS_FILE_MAX; i++)
                c->dns_tree_fd[i] =
                        go.go.has_tree[1 + c->n_bind_tree_fds + i] && k < go.n_fds ? fds[k++] : -EBADF;
        if (k != go.n_fds)
                return failf(f, EBADMSG, "Received a malformed start message from the helper");
        return 0;
}

static int child_receive_net(Container *c, Failure *f) {
        SyncMessage net;
        int r;

        r = child_receive(c, SYNC_NET, "network", &net, NULL, 0, f);
        if (r < 0)
                return r;

        memcpy(c->ifname, net.net.ifname, sizeof(c->ifname));
        c->ifname[sizeof(c->ifname) - 1] = 0;
        memcpy(c->address, net.net.address, sizeof(c->address));
        c->address[sizeof(c->address) - 1] = 0;
        memcpy(c->gateway, net.net.gateway, sizeof(c->gateway));
        c->gateway[sizeof(c->gateway) - 1] = 0;
        memcpy(c->address6, net.net.address6, sizeof(c->address6));
        c->address6[sizeof(c->address6) - 1] = 0;
        memcpy(c->gateway6, net.net.gateway6, sizeof(c->gateway6));
        c->gateway6[sizeof(c->gateway6) - 1] = 0;
        c->mtu = net.net.mtu;
        return 0;
}

/* Both of these are reset by every change of credentials (and PR_SET_DUMPABLE by
 * exec), so they are set again after each. Non-dumpable: nothing in the container can
 * ptrace us or open our /proc/PID/fd while we still hold host fds (CVE-2016-8659).
 * The death signal: a SIGKILLed helper must not leave a half-built container. */
static int child_protect(pid_t parent, Failure *f) {
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return failf(f, errno, "Failed to make the setup process non-dumpable");
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                return failf(f, errno, "Failed to set the parent death signal");
        /* The parent may have died before the prctl: then nobody would kill us. In a new
         * pid namespace getppid() is 0 whatever happens; there the sync socket's EOF tells. */
        if (parent > 0 && getppid() != parent)
                _exit(EXIT_SETUP_FAILED);
        return 0;
}

static void child_reset_signals(void) {
        sigset_t empty;

        /* systemd starts services with SIGPIPE ignored, and we block our own signals: the
         * payload starts with every disposition at its default and nothing blocked. */
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)signal(sig, SIG_DFL);
        sigemptyset(&empty);
        (void)sigprocmask(SIG_SETMASK, &empty, NULL);
}

/* The configured environment, plus HOME, USER and LOGNAME of the resolved user where
 * the config does not set them (as login(1), nspawn and docker do). */
static int child_build_env(const Config *config, const ResolvedUser *u, char ***ret, Failure *f) {
        _cleanup_strv_free_ char **env = NULL;

        env = strv_copy(config->env);
        if (!env && config->env)
                return failf(f, ENOMEM, "Failed to allocate memory");
        /* The path only: the values stay in their files. */
        if (config->n_credentials > 0 &&
            strv_env_set(&env, "CREDENTIALS_DIRECTORY", CONTAINER_CREDENTIALS_DIR, true) < 0)
                return failf(f, ENOMEM, "Failed to allocate memory");
        if (strv_env_set(&env, "HOME", u->home ?: "/", false) < 0 ||
            (u->name && strv_env_set(&env, "USER", u->name, false) < 0) ||
            (u->name && strv_env_set(&env, "LOGNAME", u->name, false) < 0))
                return failf(f, ENOMEM, "Failed to allocate memory");

        *ret = TAKE_PTR(env);
        return 0;
}

#if ENABLE_FAILPOINTS
/* Test builds only (-Dfailpoints=true): $NSCONTAIN_FAILPOINT_SETUP_DELAY_MS stalls the
 * child before it builds the root, so that a test can watch a start still in setup. */
static void failpoint_setup_delay(void) {
        const char *s = getenv("NSCONTAIN_FAILPOINT_SETUP_DELAY_MS");
        unsigned long ms;
        char *end;

        if (isempty(s))
                return;
        errno = 0;
        ms = strtoul(s, &end, 10);
        if (errno != 0 || *end != 0 || ms > 600000)
                return;
        (void)nanosleep(
                &(struct timespec){.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000},
                NULL);
}
#else
static void failpoint_setup_delay(void) {
}
#endif

/* "rlimits": set in the child, within the helper's own hard limits (rlimits are not
 * namespaced: raising a hard limit takes CAP_SYS_RESOURCE on the host). Under systemd
 * the unit's Limit*= lines, from the same key, raised the helper's first. */
static int child_set_rlimits(const Config *config, Failure *f) {
        for (int i = 0; config->rlimits && i < CONFIG_RLIMIT_MAX; i++) {
                const ConfigRlimit *l = &config->rlimits[i];
                struct rlimit old = {}, new = {.rlim_cur = l->soft, .rlim_max = l->hard};

                if (!l->set)
                        continue;
                if (setrlimit(i, &new) >= 0)
                        continue;
                int e = errno;
                (void)getrlimit(i, &old);
                if (e == EPERM && l->hard > old.rlim_max)
                        return failf(
                                f, e,
                                "Failed to set rlimits.%s: the hard limit %llu is above the helper's %llu, "
                                "which only the unit's %s= (or CAP_SYS_RESOURCE) can raise",
                                rlimit_to_string(i), (unsigned long long)l->hard,
                                (unsigned long long)old.rlim_max, rlimit_to_setting(i));
                return failf(f, e, "Failed to set rlimits.%s", rlimit_to_string(i));
        }
        return 0;
}

static int child_setup(Container *c, pid_t parent, char ***ret_env, Failure *f) {
        const Config *config = c->config;
        _cleanup_(resolved_user_done) ResolvedUser u = {.uid = 0};
        _cleanup_close_ int credentials_fd = -EBADF;
        int r;

        r = child_protect(parent, f);
        if (r < 0)
                return r;
        child_reset_signals();

        r = child_receive_go(c, f);
        if (r < 0)
                return r;

        if (c->userns) {
                /* We were cloned as the host's root, which the map leaves unmapped: become
                 * the namespace's root (host uid BASE), so that what we create is owned by
                 * a mapped id. Root of the new namespace holds every capability in it. */
                if (setresgid(0, 0, 0) < 0)
                        return failf(f, errno, "Failed to become gid 0 in the user namespace");
                if (setresuid(0, 0, 0) < 0)
                        return failf(f, errno, "Failed to become uid 0 in the user namespace");
                r = child_protect(parent, f);
                if (r < 0)
                        return r;
        }

        failpoint_setup_delay();
        failpoint("child:before-mount");

        MountExtras extras = {.console_fd = -EBADF, .credentials_fd = -EBADF};
        for (size_t i = 0; i < _MOUNT_DATA_MAX; i++)
                extras.tree_fd[i] = -EBADF;
        extras.tree_fd[MOUNT_DATA_NOTIFY] = TAKE_FD(c->notify_tree_fd);
        r = strategy_child_mount_extras(c->strategy, &extras, f);
        if (r >= 0)
                r = mount_setup_root(c, &extras, f);
        if (r >= 0)
                r = strategy_child_mounted(c->strategy, &extras, f);
        for (size_t i = 0; i < _MOUNT_DATA_MAX; i++)
                safe_close(extras.tree_fd[i]);
        safe_close(extras.console_fd);
        credentials_fd = extras.credentials_fd;
        if (r < 0)
                return r;
        mount_trees_close(c);
        credentials_close(c); /* copied */

        r = child_receive_net(c, f);
        if (r < 0)
                return r;
        if (container_new_netns(config)) {
                r = netif_setup(c, f);
                if (r < 0)
                        return r;
        }

        if (config->namespaces.uts) {
                const char *hn = config->hostname ?: c->name;

                if (sethostname(hn, strlen(hn)) < 0)
                        return failf(f, errno, "Failed to set the hostname to '%s'", hn);
        }

        /* Now that every namespace exists: each key lands on the container's own value. */
        if (config->n_sysctl > 0) {
                r = sysctl_apply(c, f);
                if (r < 0)
                        return r;
        }

        r = user_resolve(config, &u, f);
        if (r < 0)
                return r;

        if (credentials_fd >= 0) {
                r = credentials_seal(c, credentials_fd, &u, f);
                if (r < 0)
                        return r;
                credentials_fd = safe_close(credentials_fd);
        }

        /* chdir() and the CVE-2024-21626 check, in the words "nscontain validate" uses. */
        r = workdir_enter(config->workdir, NULL, NULL, f);
        if (r < 0)
                return r;

        /* A new session without a controlling terminal: the payload cannot push input
         * into a terminal it shares with the host (TIOCSTI, CVE-2017-5226). */
        if (setsid() < 0)
                return failf(f, errno, "Failed to start a new session");

        r = child_build_env(config, &u, ret_env, f);
        if (r < 0)
                return r;

        r = child_set_rlimits(config, f);
        if (r < 0)
                return r;

        r = creds_apply(config, &u, f);
        if (r < 0)
                return r;

        r = child_protect(parent, f);
        if (r < 0)
                return r;

        /* CVE-2024-21626, CVE-2016-9962: no fd but 0–2 may survive the exec. CLOEXEC
         * rather than close, since the sync socket has to stay open until the exec. */
        if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
                return failf(f, errno, "Failed to mark file descriptors close-on-exec");

        return 0;
}

_noreturn_ static void child_run(Container *c, pid_t parent) {
        _cleanup_strv_free_ char **env = NULL;
        Failure f = {};

        if (child_setup(c, c->config->namespaces.pid ? 0 : parent, &env, &f) < 0)
                child_fail(c->sync_fd, &f);

        failpoint("child:before-exec");
        (void)exec_sealed(c->stub_fd, c->sync_fd, c->config->init, c->config->command, env, &f);
        child_fail(c->sync_fd, &f);
}

/* ---- parent side ----------------------------------------------------------- */

static int parent_send_go(Container *c, Failure *f) {
        _cleanup_free_ int *fds = NULL;
        SyncMessage go = {.type = SYNC_GO};
        size_t n = 0;
        int r;

        if (c->n_bind_tree_fds > CONFIG_MOUNTS_MAX)
                return failf(f, E2BIG, "Too many mounts");

        fds = calloc(1 + c->n_bind_tree_fds + _DNS_FILE_MAX, sizeof(int));
        if (!fds)
                return failf(f, ENOMEM, "Failed to allocate memory");
        if (c->root_tree_fd >= 0) {
                go.go.has_tree[0] = true;
                fds[n++] = c->root_tree_fd;
        }
        for (size_t i = 0; i < c->n_bind_tree_fds; i++)
                if (c->bind_tree_fds[i] >= 0) {
                        go.go.has_tree[1 + i] = true;
                        fds[n++] = c->bind_tree_fds[i];
                }
        for (size_t i = 0; i < _DNS_FILE_MAX; i++)
                if (c->dns_tree_fd[i] >= 0) {
                        go.go.has_tree[1 + c->n_bind_tree_fds + i] = true;
                        fds[n++] = c->dns_tree_fd[i];
                }

        r = sync_send(c->sync_fd, &go, fds, n);
        if (r < 0)
                return failf(f, r, "Failed to send the start message and the mount trees to the container");
        return 0;
}

static int parent_send_net(Container *c, Failure *f) {
        SyncMessage net = {.type = SYNC_NET, .net.mtu = c->mtu};
        int r;

        /* Before the child may go on to its exec: its /etc/hosts names its address. */
        r = dns_hosts_update(c, f);
        c->hosts_fd = safe_close(c->hosts_fd);
        if (r < 0)
                return r;

        memcpy(net.net.ifname, c->ifname, sizeof(net.net.ifname));
        memcpy(net.net.address, c->address, sizeof(net.net.address));
        memcpy(net.net.gateway, c->gateway, sizeof(net.net.gateway));
        memcpy(net.net.address6, c->address6, sizeof(net.net.address6));
        memcpy(net.net.gateway6, c->gateway6, sizeof(net.net.gateway6));
        r = sync_send(c->sync_fd, &net, NULL, 0);
        /* The child is gone already: its own message, or its death, says why. */
        if (r == -EPIPE || r == -ECONNRESET)
                return 0;
        if (r < 0)
                return failf(f, r, "Failed to send the network to the container");
        return 0;
}

static int parent_prepare(Container *c, pid_t pid, int pidfd, Failure *f) {
        _cleanup_close_ int userns_fd = -EBADF;
        int r;

        if (c->userns) {
                r = userns_write_maps(pid, c->uid_base, c->uid_size, strategy_setgroups(c->strategy), f);
                if (r < 0)
                        return r;
                failpoint("helper:after-maps");
                userns_fd = userns_open(pidfd, pid, f);
                if (userns_fd < 0)
                        return userns_fd;
        }

        r = dns_files_prepare(c, f);
        if (r >= 0)
                r = mount_prepare_trees(c, userns_fd, f);
        if (r >= 0)
                r = parent_send_go(c, f);
        /* The child has its own copies now (or will never need them). */
        mount_trees_close(c);
        return r;
}

/* Reads what the child says until its end of the sync socket closes: the stub's SYNC_EXEC
 * right before the payload's execve, whose CLOEXEC then closes the socket; SYNC_FAILURE
 * when a step failed. EOF without SYNC_EXEC: the child died during setup (killed, OOM). */
static int parent_wait_exec(Container *c, int pidfd, Failure *f) {
        _cleanup_close_ int sfd = -EBADF;
        bool marker = false;
        sigset_t mask;

        /* A stop request (systemctl stop, or TimeoutStartSec=) while the child is still
         * setting up: give up the start instead of leaving it to the final SIGKILL. */
        helper_signal_set(&mask);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0)
                return failf(f, errno, "Failed to create a signalfd");

        for (;;) {
                struct pollfd p[] = {
                        {.fd = c->sync_fd, .events = POLLIN},
                        {.fd = sfd, .events = POLLIN},
                };
                struct signalfd_siginfo si;
                SyncMessage m;
                int r;

                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return failf(f, errno, "Failed to wait for the container's setup");
                }
                while (read(sfd, &si, sizeof(si)) == sizeof(si))
                        if (si.ssi_signo != SIGUSR1 && si.ssi_signo != SIGUSR2) {
                                failf(f, ECANCELED, "Start cancelled by %s during setup",
                                      signal_to_string((int)si.ssi_signo));
                                f->exit_code = 128 + (int)si.ssi_signo;
                                return -ECANCELED;
                        }
                if (!p[0].revents)
                        continue;

                r = sync_receive(c->sync_fd, MSG_DONTWAIT, &m, NULL, 0);
                if (r == -EAGAIN)
                        continue;
                /* It died with our network message unread: the kernel reports that first
                 * (once), then hands over what it sent before, then EOF. */
                if (r == -ECONNRESET)
                        continue;
                if (r == -EBADMSG)
                        return failf(f, EBADMSG, "Received a malformed message from the container's setup");
                if (r < 0)
                        return failf(f, r, "Failed to read the container's setup result");
                if (r == 0)
                        break;
                if (m.type == SYNC_EXEC && !marker) {
                        marker = true;
                        continue;
                }
                if (m.type != SYNC_FAILURE)
                        return failf(f, EBADMSG, "Received a malformed message from the container's setup");

                *f = m.failure;
                return -f->error;
        }
        if (marker)
                return 0;

        /* Its end closes only with its exec or its exit: it is gone (killed, OOM). */
        siginfo_t si = {};
        if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOWAIT) < 0)
                return failf(f, errno, "The container's setup process ended before the exec");
        if (si.si_code == CLD_EXITED)
                failf(f, EIO, "The container's setup process exited with status %i before the exec",
                      si.si_status);
        else
                failf(f, EIO, "The container's setup process was killed by %s before the exec",
                      signal_to_string(si.si_status));
        f->error = 0; /* the message is the whole story */
        return -EIO;
}

static void child_kill_and_reap(pid_t pid, int pidfd) {
        siginfo_t si;

        (void)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        while (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED) < 0 && errno == EINTR)
                ;
        (void)pid;
}

/* In a user namespace the container can never call setgroups() ("deny", docs/SECURITY.md
 * row 10), so it keeps the supplementary groups it is cloned with: we take exactly the
 * container user's groups (host gids BASE+gid) before clone3(), never the helper's own.
 * They are resolved from the image's /etc/passwd and /etc/group by fd here; the child
 * resolves again after pivot_root and creds_apply() refuses any difference (say, a
 * bind mount over /etc/group). */
static int parent_set_groups(Container *c, Failure *f) {
        _cleanup_(resolved_user_done) ResolvedUser u = {};
        _cleanup_free_ gid_t *host = NULL;
        _cleanup_close_ int root_fd = -EBADF;
        int r;

        if (c->config->image) {
                r = image_root_view(c, &root_fd, f);
                if (r < 0)
                        return r;
        } else {
                root_fd = open(c->config->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (root_fd < 0)
                        return failf(f, errno, "Failed to open rootfs '%s'", c->config->rootfs);
        }
        r = user_resolve_in(root_fd, c->config, &u, f);
        if (r < 0)
                return r;

        if (u.n_groups > 0) {
                host = calloc(u.n_groups, sizeof(gid_t));
                if (!host)
                        return failf(f, ENOMEM, "Failed to allocate memory");
                for (size_t i = 0; i < u.n_groups; i++) {
                        if (u.groups[i] >= c->uid_size)
                                return failf(
                                        f, ERANGE,
                                        "Supplementary gid %u of user '%s' is outside the user namespace",
                                        (unsigned)u.groups[i], c->config->user);
                        host[i] = c->uid_base + u.groups[i];
                }
        }
        if (setgroups(u.n_groups, host) < 0)
                return failf(f, errno, "Failed to set the supplementary groups of user '%s'",
                             c->config->user);
        return 0;
}

int container_spawn(Container *c, SpawnPrepare prepare, SpawnStarted started, void *userdata, pid_t *ret_pid,
                    int *ret_pidfd, Failure *f) {
        _cleanup_close_pair_ int pair[2] = {-EBADF, -EBADF};
        _cleanup_close_ int pidfd = -EBADF, stub_fd = -EBADF;
        pid_t pid, parent = getpid();
        int r;

        /* SEQPACKET: the Failure arrives whole or not at all, and EOF is distinguishable. */
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return failf(f, errno, "Failed to create the sync socket");

        stub_fd = exec_stub_open(c->userns);
        if (stub_fd == -EACCES)
                return failf(f, stub_fd,
                             "Failed to create the sealed exec stub: vm.memfd_noexec=2 forbids executable "
                             "memfds, which a container without a user namespace needs (CVE-2019-5736)");
        if (stub_fd < 0)
                return failf(f, stub_fd, "Failed to create the sealed exec stub (a memfd)");
        c->stub_fd = stub_fd;

        if (c->userns) {
                r = parent_set_groups(c, f);
                if (r < 0)
                        return r;
        }
        if (c->config->n_credentials > 0) {
                r = credentials_open(c, f);
                if (r < 0) {
                        credentials_close(c);
                        return r;
                }
        }

        struct clone_args args = {
                .flags = container_clone_flags(c->config) | CLONE_PIDFD,
                .pidfd = (uint64_t)(uintptr_t)&pidfd,
                .exit_signal = SIGCHLD,
        };
        strategy_clone_args(c->strategy, &args); /* "boot": straight into the payload/ cgroup */
        pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0) {
                credentials_close(c);
                return failf(f, errno, "Failed to create the container's namespaces (clone3)");
        }
        if (pid == 0) {
                /* Only our end: when the parent dies, the receive sees EOF. */
                pair[0] = safe_close(pair[0]);
                c->sync_fd = pair[1];
                child_run(c, parent);
        }

        pair[1] = safe_close(pair[1]);
        c->sync_fd = pair[0];
        credentials_close(c); /* the child has its own */
        failpoint("helper:after-clone");

        /* The child builds its root while the sidecar makes its veth. */
        r = parent_prepare(c, pid, pidfd, f);
        if (r >= 0 && prepare) {
                r = prepare(c, pid, pidfd, userdata, f);
                /* A child that failed or died meanwhile is the reason (the sidecar refuses a
                 * veth for a dying process): its own message, or its death, says so. Its end
                 * of the sync socket closes early in its exit, before its namespaces go. */
                if (r < 0 && poll(&(struct pollfd){.fd = c->sync_fd, .events = POLLIN}, 1, 0) > 0) {
                        Failure child = {};
                        if (parent_wait_exec(c, pidfd, &child) < 0)
                                *f = child;
                }
        }
        if (r >= 0)
                r = parent_send_net(c, f);
        if (r >= 0 && started)
                started(c, pid, userdata);
        if (r >= 0)
                r = parent_wait_exec(c, pidfd, f);
        c->sync_fd = c->stub_fd = -EBADF;
        dns_files_close(c);
        if (r < 0) {
                child_kill_and_reap(pid, pidfd);
                return r;
        }

        *ret_pid = pid;
        *ret_pidfd = TAKE_FD(pidfd);
        return 0;
}
