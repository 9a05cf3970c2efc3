/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The loopback relay of published ports (proxy.h; docs/ARCHITECTURE.md "Published ports
 * on the host's loopback"). One process, one epoll loop, no threads: every socket and
 * pipe non-blocking, level-triggered, each fd in the loop only while it has something to
 * wait for. */
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "in-addr.h"
#include "log.h"
#include "macro.h"
#include "port-spec.h"
#include "proxy.h"

/* The relay runs as the kernel's overflow uid and gid, "nobody" on Debian. */
#define PROXY_UID 65534
/* A UDP client that has sent nothing and received nothing for this long loses its
 * socket (docker-proxy waits 90 s; conntrack forgets a UDP flow after 30 s or 120 s). */
#define PROXY_UDP_IDLE_SEC 60
/* Per listener, the least recently used client makes room beyond this. */
#define PROXY_UDP_FLOWS_MAX 1024
/* Work per event before the loop looks at the other fds again. */
#define PROXY_BATCH 32
/* An fd for each listener, the three standard ones and some slack. */
#define PROXY_FD_RESERVE 16
/* What a TCP connection holds: two sockets and two pipes. */
#define CONN_FDS 6

typedef enum ObjectKind {
        OBJ_TCP_LISTENER,
        OBJ_UDP_LISTENER,
        OBJ_TCP_SIDE,
        OBJ_UDP_FLOW,
} ObjectKind;

typedef union SockAddr {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
        struct sockaddr_storage storage;
} SockAddr;

typedef struct Flow Flow;

typedef struct Listener {
        ObjectKind kind; /* first: epoll's data points at it */
        int fd;
        int family;
        uint16_t host_port;
        struct sockaddr_in target;
        Flow *flows; /* UDP: most recently used first */
        size_t n_flows;
} Listener;

typedef struct Conn Conn;

typedef struct Side {
        ObjectKind kind; /* OBJ_TCP_SIDE */
        Conn *conn;
        int fd;
        uint32_t events; /* what epoll waits for; 0: not in epoll */
} Side;

/* Direction d goes from side[d] to side[!d] through pipe[d]: 0 client → container. */
struct Conn {
        Side side[2];
        int pipe[2][2];
        size_t fill[2];     /* bytes in pipe[d] */
        bool eof[2];        /* side[d] has sent its FIN */
        bool shut[2];       /* the FIN passed on to side[!d] */
        bool in_blocked[2]; /* the last read into pipe[d] found it full or the socket empty */
        bool connecting;
        uint16_t port; /* the container's, for messages */
        bool dead;     /* closed; freed after the batch of events that may still name it */
        Conn *next_dead;
};

struct Flow {
        ObjectKind kind; /* OBJ_UDP_FLOW */
        Listener *listener;
        int fd; /* connected to the listener's target */
        SockAddr client;
        socklen_t client_len;
        time_t last; /* CLOCK_MONOTONIC seconds */
        Flow *next;
        bool dead; /* as Conn's */
        Flow *next_dead;
};

typedef struct Proxy {
        const char *name;
        int epoll_fd;
        Listener *listeners;
        size_t n_listeners;
        size_t fds_used, fds_max; /* connections' and flows' fds, and the budget */
        size_t pipe_size;
        bool tcp_paused; /* the TCP listeners are out of epoll: no fds left */
        size_t n_flows;
        Conn *dead_conns;
        Flow *dead_flows;
} Proxy;

static uint8_t datagram[65536];

static time_t now_sec(void) {
        struct timespec ts;

        (void)clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec;
}

static int epoll_set(Proxy *p, int fd, uint32_t old, uint32_t new, void *ptr) {
        struct epoll_event ev = {.events = new, .data.ptr = ptr};

        if (old == new)
                return 0;
        if (new == 0)
                return RET_NERRNO(epoll_ctl(p->epoll_fd, EPOLL_CTL_DEL, fd, NULL));
        return RET_NERRNO(epoll_ctl(p->epoll_fd, old == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev));
}

/* ---- TCP --------------------------------------------------------------------------- */

static void tcp_listeners_pause(Proxy *p, bool pause) {
        if (p->tcp_paused == pause)
                return;
        p->tcp_paused = pause;
        for (size_t i = 0; i < p->n_listeners; i++) {
                Listener *l = &p->listeners[i];
                if (l->kind == OBJ_TCP_LISTENER)
                        (void)epoll_set(p, l->fd, pause ? EPOLLIN : 0, pause ? 0 : EPOLLIN, l);
        }
}

/* reset: the other side ended with an error, pass it on as a RST instead of a FIN. */
static void conn_free(Proxy *p, Conn *c, bool reset) {
        for (size_t i = 0; i < 2; i++) {
                if (c->side[i].events != 0)
                        (void)epoll_ctl(p->epoll_fd, EPOLL_CTL_DEL, c->side[i].fd, NULL);
                if (reset && c->side[i].fd >= 0) {
                        struct linger lg = {.l_onoff = 1, .l_linger = 0};
                        (void)setsockopt(c->side[i].fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
                }
                safe_close(c->side[i].fd);
                safe_close(c->pipe[i][0]);
                safe_close(c->pipe[i][1]);
        }
        c->dead = true;
        c->next_dead = p->dead_conns;
        p->dead_conns = c;
        p->fds_used -= CONN_FDS;
        tcp_listeners_pause(p, false);
}

/* Moves what it can from side[d] to side[!d]: 0, or -errno when the connection broke. */
static int conn_pump(Proxy *p, Conn *c, int d) {
        int src = c->side[d].fd, dst = c->side[!d].fd;

        for (size_t round = 0; round < PROXY_BATCH; round++) {
                bool progress = false;
                ssize_t n;

                if (!c->eof[d] && c->fill[d] < p->pipe_size) {
                        n = splice(src, NULL, c->pipe[d][1], NULL, p->pipe_size - c->fill[d],
                                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                        if (n > 0) {
                                c->fill[d] += (size_t)n;
                                c->in_blocked[d] = false;
                                progress = true;
                        } else if (n == 0) {
                                c->eof[d] = true;
                                progress = true;
                        } else if (errno == EAGAIN)
                                c->in_blocked[d] = true;
                        else if (errno != EINTR)
                                return negative_errno();
                }
                if (c->fill[d] > 0) {
                        n = splice(c->pipe[d][0], NULL, dst, NULL, c->fill[d],
                                   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                        if (n > 0) {
                                c->fill[d] -= (size_t)n;
                                c->in_blocked[d] = false;
                                progress = true;
                        } else if (n < 0 && errno != EAGAIN && errno != EINTR)
                                return negative_errno();
                }
                if (!progress)
                        break;
        }
        if (c->eof[d] && c->fill[d] == 0 && !c->shut[d]) {
                (void)shutdown(dst, SHUT_WR);
                c->shut[d] = true;
        }
        return 0;
}

/* What each side waits for now. Reading into a pipe that may be full waits for the
 * other side to take from it (in_blocked with data in the pipe), so that a full pipe
 * never spins the loop. */
static int conn_update(Proxy *p, Conn *c) {
        for (int i = 0; i < 2; i++) {
                Side *s = &c->side[i];
                uint32_t ev = 0;
                int r;

                if (c->connecting)
                        ev = i == 1 ? EPOLLOUT : 0;
                else {
                        if (!c->eof[i] && !(c->in_blocked[i] && c->fill[i] > 0))
                                ev |= EPOLLIN;
                        if (c->fill[!i] > 0)
                                ev |= EPOLLOUT;
                }
                r = epoll_set(p, s->fd, s->events, ev, s);
                if (r < 0)
                        return r;
                s->events = ev;
        }
        return 0;
}

static void conn_event(Proxy *p, Side *s, uint32_t events) {
        Conn *c = s->conn;
        int r = 0;

        if (c->connecting) {
                int error = 0;
                socklen_t len = sizeof(error);

                if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
                        error = errno;
                if (error == 0 && !(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
                        return;
                if (error != 0 || (events & EPOLLERR)) {
                        log_debug_errno(error ?: EIO, "%s: Failed to connect to the container's port %u: %m",
                                        p->name, c->port);
                        conn_free(p, c, /* reset= */ true);
                        return;
                }
                c->connecting = false;
        } else if (events & EPOLLERR) {
                conn_free(p, c, /* reset= */ true);
                return;
        }

        for (int d = 0; d < 2 && r >= 0; d++)
                r = conn_pump(p, c, d);
        if (r < 0) {
                log_debug_errno(r, "%s: A relayed connection broke: %m", p->name);
                conn_free(p, c, /* reset= */ true);
                return;
        }
        if (c->shut[0] && c->shut[1]) {
                conn_free(p, c, /* reset= */ false);
                return;
        }
        if (conn_update(p, c) < 0)
                conn_free(p, c, /* reset= */ true);
}

static void tcp_accept(Proxy *p, Listener *l) {
        for (size_t k = 0; k < PROXY_BATCH; k++) {
                _cleanup_close_ int client = -EBADF, server = -EBADF;
                int one = 1;
                Conn *c;

                if (p->fds_used + CONN_FDS > p->fds_max) {
                        log_warning("%s: %zu relayed connections: no more file descriptors, waiting for one "
                                    "to end.",
                                    p->name, p->fds_used / CONN_FDS);
                        tcp_listeners_pause(p, true);
                        return;
                }
                client = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (client < 0) {
                        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                                log_warning_errno(errno, "%s: Failed to accept on port %u: %m", p->name,
                                                  l->host_port);
                        return;
                }
                server = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (server < 0) {
                        log_warning_errno(errno, "%s: Failed to create a socket: %m", p->name);
                        return;
                }
                (void)setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                (void)setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                if (connect(server, (const struct sockaddr *)&l->target, sizeof(l->target)) < 0 &&
                    errno != EINPROGRESS) {
                        log_debug_errno(errno, "%s: Failed to connect to the container's port %u: %m",
                                        p->name, ntohs(l->target.sin_port));
                        continue;
                }

                c = calloc(1, sizeof(Conn));
                if (!c) {
                        log_oom();
                        return;
                }
                c->pipe[0][0] = c->pipe[0][1] = c->pipe[1][0] = c->pipe[1][1] = -EBADF;
                if (pipe2(c->pipe[0], O_CLOEXEC | O_NONBLOCK) < 0 ||
                    pipe2(c->pipe[1], O_CLOEXEC | O_NONBLOCK) < 0) {
                        log_warning_errno(errno, "%s: Failed to create a pipe: %m", p->name);
                        for (size_t i = 0; i < 2; i++)
                                safe_close(c->pipe[i][0]), safe_close(c->pipe[i][1]);
                        free(c);
                        return;
                }
                c->side[0] = (Side){.kind = OBJ_TCP_SIDE, .conn = c, .fd = TAKE_FD(client)};
                c->side[1] = (Side){.kind = OBJ_TCP_SIDE, .conn = c, .fd = TAKE_FD(server)};
                c->connecting = true;
                c->port = ntohs(l->target.sin_port);
                p->fds_used += CONN_FDS;
                if (conn_update(p, c) < 0)
                        conn_free(p, c, /* reset= */ true);
        }
}

/* ---- UDP --------------------------------------------------------------------------- */

static void flow_free(Proxy *p, Flow *fl) {
        (void)epoll_ctl(p->epoll_fd, EPOLL_CTL_DEL, fl->fd, NULL);
        safe_close(fl->fd);
        fl->dead = true;
        fl->next_dead = p->dead_flows;
        p->dead_flows = fl;
        p->fds_used--;
        p->n_flows--;
}

static void flow_unlink(Listener *l, Flow *fl) {
        for (Flow **i = &l->flows; *i; i = &(*i)->next)
                if (*i == fl) {
                        *i = fl->next;
                        l->n_flows--;
                        return;
                }
}

static Flow *flow_find(Listener *l, const SockAddr *a, socklen_t len) {
        for (Flow *fl = l->flows; fl; fl = fl->next)
                if (fl->client_len == len && memcmp(&fl->client, a, len) == 0) {
                        /* Most recently used first. */
                        flow_unlink(l, fl);
                        fl->next = l->flows;
                        l->flows = fl;
                        l->n_flows++;
                        return fl;
                }
        return NULL;
}

/* The least recently used flow of l, the last of its list. */
static void flow_evict_oldest(Proxy *p, Listener *l) {
        Flow *last = l->flows;

        if (!last)
                return;
        while (last->next)
                last = last->next;
        flow_unlink(l, last);
        flow_free(p, last);
}

static Flow *flow_new(Proxy *p, Listener *l, const SockAddr *a, socklen_t len) {
        _cleanup_close_ int fd = -EBADF;
        struct epoll_event ev = {.events = EPOLLIN};
        Flow *fl;

        if (l->n_flows >= PROXY_UDP_FLOWS_MAX || p->fds_used + 1 > p->fds_max)
                flow_evict_oldest(p, l);
        if (p->fds_used + 1 > p->fds_max)
                return NULL;
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return NULL;
        if (connect(fd, (const struct sockaddr *)&l->target, sizeof(l->target)) < 0)
                return NULL;
        fl = calloc(1, sizeof(Flow));
        if (!fl)
                return NULL;
        ev.data.ptr = fl;
        if (epoll_ctl(p->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                free(fl);
                return NULL;
        }
        *fl = (Flow){
                .kind = OBJ_UDP_FLOW, .listener = l, .fd = TAKE_FD(fd), .client_len = len, .next = l->flows};
        memcpy(&fl->client, a, len);
        l->flows = fl;
        l->n_flows++;
        p->n_flows++;
        p->fds_used++;
        return fl;
}

static void udp_from_client(Proxy *p, Listener *l) {
        for (size_t k = 0; k < PROXY_BATCH; k++) {
                SockAddr a = {};
                socklen_t len = sizeof(a);
                ssize_t n;
                Flow *fl;

                n = recvfrom(l->fd, datagram, sizeof(datagram), 0, &a.sa, &len);
                if (n < 0)
                        return; /* EAGAIN, or an error queued for an earlier datagram */
                fl = flow_find(l, &a, len) ?: flow_new(p, l, &a, len);
                if (!fl) {
                        log_debug("%s: No socket for a new UDP client of port %u, datagram dropped.",
                                  p->name, l->host_port);
                        continue;
                }
                fl->last = now_sec();
                (void)send(fl->fd, datagram, (size_t)n, 0); /* a refusal comes back as ECONNREFUSED */
        }
}

static void udp_from_container(Proxy *p, Flow *fl) {
        for (size_t k = 0; k < PROXY_BATCH; k++) {
                ssize_t n = recv(fl->fd, datagram, sizeof(datagram), 0);

                if (n < 0) {
                        if (errno == EAGAIN)
                                return;
                        continue; /* ECONNREFUSED: nothing listened in the container then */
                }
                fl->last = now_sec();
                (void)sendto(fl->listener->fd, datagram, (size_t)n, 0, &fl->client.sa, fl->client_len);
        }
        (void)p;
}

static void udp_expire(Proxy *p) {
        time_t now = now_sec();

        for (size_t i = 0; i < p->n_listeners; i++) {
                Listener *l = &p->listeners[i];

                for (Flow **f = &l->flows; *f;) {
                        Flow *fl = *f;

                        if (now - fl->last < PROXY_UDP_IDLE_SEC) {
                                f = &fl->next;
                                continue;
                        }
                        *f = fl->next;
                        l->n_flows--;
                        flow_free(p, fl);
                }
        }
}

/* ---- the relay process --------------------------------------------------------------- */

/* Closes every fd from 3 up but the listeners'. */
static int close_all_but_listeners(const Proxy *p) {
        unsigned from = 3;

        for (;;) {
                unsigned next = ~0U;

                for (size_t i = 0; i < p->n_listeners; i++)
                        if ((unsigned)p->listeners[i].fd >= from && (unsigned)p->listeners[i].fd < next)
                                next = (unsigned)p->listeners[i].fd;
                if (next == ~0U)
                        return RET_NERRNO(close_range(from, ~0U, 0));
                if (next > from && close_range(from, next - 1, 0) < 0)
                        return negative_errno();
                from = next + 1;
        }
}

/* Nothing the relay does needs a privilege once its sockets are bound. */
static int drop_privileges(void) {
        struct rlimit rl;
        gid_t gid = PROXY_UID;

        /* More connections: the soft limit up to the hard one the unit gave us. */
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl);
        }
        if (setgroups(1, &gid) < 0 || setresgid(gid, gid, gid) < 0 ||
            setresuid(PROXY_UID, PROXY_UID, PROXY_UID) < 0)
                return negative_errno();
        /* A uid change from root empties the permitted, effective and ambient sets. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return negative_errno();
        return 0;
}

static size_t fds_budget(const Proxy *p) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
                rl.rlim_cur = 1024;
        if (rl.rlim_cur > 1024 * 1024)
                rl.rlim_cur = 1024 * 1024;
        return rl.rlim_cur > p->n_listeners + PROXY_FD_RESERVE
                       ? rl.rlim_cur - p->n_listeners - PROXY_FD_RESERVE
                       : 0;
}

_noreturn_ static void proxy_run(Proxy *p, pid_t parent) {
        sigset_t none;
        int fds[2], r;

        /* Dies with the helper, even when it is SIGKILLed (then the unit's cgroup goes too). */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
                _exit(EXIT_FAILURE);
        (void)prctl(PR_SET_NAME, PROXY_COMM, 0, 0, 0);
        (void)signal(SIGPIPE, SIG_IGN);
        (void)signal(SIGTERM, SIG_DFL);
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);

        r = close_all_but_listeners(p);
        if (r >= 0)
                r = drop_privileges();
        if (r < 0) {
                log_error_errno(r, "%s: The loopback relay failed to drop its privileges: %m", p->name);
                _exit(EXIT_FAILURE);
        }

        p->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        if (p->epoll_fd < 0 || pipe2(fds, O_CLOEXEC) < 0) {
                log_error_errno(errno, "%s: The loopback relay failed to start: %m", p->name);
                _exit(EXIT_FAILURE);
        }
        r = fcntl(fds[0], F_GETPIPE_SZ);
        p->pipe_size = r > 0 ? (size_t)r : 65536;
        safe_close(fds[0]);
        safe_close(fds[1]);
        p->fds_max = fds_budget(p);
        for (size_t i = 0; i < p->n_listeners; i++)
                if (epoll_set(p, p->listeners[i].fd, 0, EPOLLIN, &p->listeners[i]) < 0) {
                        log_error_errno(errno, "%s: The loopback relay failed to start: %m", p->name);
                        _exit(EXIT_FAILURE);
                }

        for (;;) {
                struct epoll_event ev[64];
                int n = epoll_wait(p->epoll_fd, ev, (int)ELEMENTSOF(ev), p->n_flows > 0 ? 1000 : -1);

                if (n < 0 && errno != EINTR) {
                        log_error_errno(errno, "%s: The loopback relay failed: %m", p->name);
                        _exit(EXIT_FAILURE);
                }
                for (int i = 0; i < n; i++) {
                        ObjectKind *kind = ev[i].data.ptr;

                        switch (*kind) {
                        case OBJ_TCP_LISTENER:
                                tcp_accept(p, (Listener *)kind);
                                break;
                        case OBJ_UDP_LISTENER:
                                udp_from_client(p, (Listener *)kind);
                                break;
                        case OBJ_TCP_SIDE:
                                if (!((Side *)kind)->conn->dead)
                                        conn_event(p, (Side *)kind, ev[i].events);
                                break;
                        case OBJ_UDP_FLOW:
                                if (!((Flow *)kind)->dead)
                                        udp_from_container(p, (Flow *)kind);
                                break;
                        }
                }
                while (p->dead_conns) {
                        Conn *c = p->dead_conns;
                        p->dead_conns = c->next_dead;
                        free(c);
                }
                if (p->n_flows > 0)
                        udp_expire(p);
                while (p->dead_flows) {
                        Flow *fl = p->dead_flows;
                        p->dead_flows = fl->next_dead;
                        free(fl);
                }
        }
}

/* ---- the helper's side ------------------------------------------------------------- */

static const char *protocol_name(int protocol) {
        return protocol == IPPROTO_UDP ? "udp" : "tcp";
}

/* The loopback addresses a spec is published on: 127.0.0.1 and ::1 for every address,
 * the family's loopback for its wildcard, a loopback address itself. *ret_optional:
 * ::1 for every address, skipped on a host without IPv6. */
static size_t spec_loopbacks(const PortSpec *s, InAddr ret[static 2], bool ret_optional[static 2]) {
        InAddr v4 = in_addr_from_ipv4(INADDR_LOOPBACK),
               v6 = {.family = AF_INET6, .in6 = IN6ADDR_LOOPBACK_INIT};

        switch (s->host_address.family) {
        case AF_INET:
                if (in_addr_is_any(&s->host_address))
                        ret[0] = v4;
                else if ((in_addr_ipv4(&s->host_address) >> 24) == 127)
                        ret[0] = s->host_address;
                else
                        return 0;
                ret_optional[0] = false;
                return 1;
        case AF_INET6:
                if (!in_addr_is_any(&s->host_address) && !in_addr_equal(&s->host_address, &v6))
                        return 0;
                ret[0] = v6;
                ret_optional[0] = false;
                return 1;
        default:
                ret[0] = v4;
                ret[1] = v6;
                ret_optional[0] = false;
                ret_optional[1] = true;
                return 2;
        }
}

static int listener_bind(Listener *l, const InAddr *a, int protocol, bool optional, Failure *f) {
        _cleanup_close_ int fd = -EBADF;
        char buf[INET6_ADDRSTRLEN];
        SockAddr sa = {};
        socklen_t len;
        int one = 1;

        fd = socket(a->family,
                    (protocol == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 && optional && errno == EAFNOSUPPORT)
                return 0;
        if (fd < 0)
                return failf(f, errno, "Failed to create a socket for the published port %u/%s",
                             l->host_port, protocol_name(protocol));
        if (a->family == AF_INET) {
                sa.in = (struct sockaddr_in){
                        .sin_family = AF_INET, .sin_port = htons(l->host_port), .sin_addr = a->in};
                len = sizeof(sa.in);
        } else {
                sa.in6 = (struct sockaddr_in6){
                        .sin6_family = AF_INET6, .sin6_port = htons(l->host_port), .sin6_addr = a->in6};
                len = sizeof(sa.in6);
                (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        }
        if (protocol == IPPROTO_TCP)
                (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, &sa.sa, len) < 0) {
                if (optional && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT))
                        return 0; /* no ::1 on this host */
                if (errno == EADDRINUSE)
                        return failf(
                                f, errno, "Host port %s%s%s:%u/%s is in use by another program on the host",
                                a->family == AF_INET6 ? "[" : "", in_addr_to_string(a, buf),
                                a->family == AF_INET6 ? "]" : "", l->host_port, protocol_name(protocol));
                return failf(f, errno, "Failed to bind the published port %s:%u/%s",
                             in_addr_to_string(a, buf), l->host_port, protocol_name(protocol));
        }
        if (protocol == IPPROTO_TCP && listen(fd, SOMAXCONN) < 0)
                return failf(f, errno, "Failed to listen on the published port %u/tcp", l->host_port);
        l->fd = TAKE_FD(fd);
        l->family = a->family;
        l->kind = protocol == IPPROTO_UDP ? OBJ_UDP_LISTENER : OBJ_TCP_LISTENER;
        return 1;
}

static void listeners_free(Listener *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                safe_close(l[i].fd);
        free(l);
}

int proxy_start(const char *name, char *const *publish, const char *address, int *ret_pidfd, Failure *f) {
        Proxy p = {.name = name};
        struct sockaddr_in target = {.sin_family = AF_INET};
        char host[INET_ADDRSTRLEN + 4];
        InAddr container;
        pid_t parent, pid;
        int pidfd, r;

        assert(name && address && ret_pidfd && f);
        *ret_pidfd = -EBADF;

        /* The container's address without its prefix length. */
        snprintf(host, sizeof(host), "%.*s", (int)strcspn(address, "/"), address);
        for (char *const *s = publish; s && *s; s++) {
                PortSpec spec;
                InAddr loop[2];
                bool optional[2];
                size_t n_loop;

                if (port_spec_parse(*s, &spec, NULL) < 0) {
                        listeners_free(p.listeners, p.n_listeners);
                        return failf(f, EINVAL, "Invalid port spec \"%s\"", *s);
                }
                n_loop = spec_loopbacks(&spec, loop, optional);
                if (n_loop == 0)
                        continue;
                if (in_addr_parse(host, &container) < 0 || container.family != AF_INET) {
                        listeners_free(p.listeners, p.n_listeners);
                        return failf(f, EINVAL, "The container has no IPv4 address to relay port %s to", *s);
                }
                for (size_t k = 0; k < n_loop; k++)
                        for (unsigned i = 0; i < port_spec_count(&spec); i++) {
                                Listener *l = reallocarray(p.listeners, p.n_listeners + 1, sizeof(Listener));

                                if (!l) {
                                        listeners_free(p.listeners, p.n_listeners);
                                        return failf(f, ENOMEM, "Failed to allocate memory");
                                }
                                p.listeners = l;
                                l = &p.listeners[p.n_listeners];
                                *l = (Listener){.fd = -EBADF,
                                                .host_port = (uint16_t)(spec.host_port_first + i)};
                                l->target = target;
                                l->target.sin_addr = container.in;
                                l->target.sin_port = htons((uint16_t)(spec.container_port_first + i));
                                r = listener_bind(l, &loop[k], spec.protocol, optional[k], f);
                                if (r < 0) {
                                        listeners_free(p.listeners, p.n_listeners);
                                        return r;
                                }
                                if (r > 0)
                                        p.n_listeners++;
                        }
        }
        if (p.n_listeners == 0) {
                free(p.listeners);
                return 0;
        }

        parent = getpid();
        pid = fork();
        if (pid < 0) {
                r = failf(f, errno, "Failed to start the loopback relay of the published ports");
                listeners_free(p.listeners, p.n_listeners);
                return r;
        }
        if (pid == 0)
                proxy_run(&p, parent);

        listeners_free(p.listeners, p.n_listeners);
        pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (pidfd < 0) {
                r = -errno;
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                return failf(f, r, "Failed to open the loopback relay's pidfd");
        }
        *ret_pidfd = pidfd;
        return 0;
}

void proxy_stop(int *pidfd) {
        siginfo_t si;

        assert(pidfd);
        if (*pidfd < 0)
                return;
        (void)syscall(SYS_pidfd_send_signal, *pidfd, SIGKILL, NULL, 0);
        while (waitid(P_PIDFD, (id_t)*pidfd, &si, WEXITED) < 0 && errno == EINTR)
                ;
        *pidfd = safe_close(*pidfd);
}
