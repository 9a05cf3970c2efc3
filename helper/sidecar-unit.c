/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* A call to nscontain-sidecar that fails fast and says why. dbus-daemon answers a
 * call whose activation failed only after its own activation timeout (25 s) and then
 * says "timed out": it is not told when the unit it asked systemd to start dies at once
 * (a bad unit setting, 226/NAMESPACE; a missing binary, 203/EXEC). So while the call is
 * pending we look at nscontain-sidecar.service ourselves (org.freedesktop.systemd1, see
 * org.freedesktop.systemd1(5)): when it failed after the call began, the call is given
 * up at once, and any failure is described with what systemd knows of the unit. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "libsystemd.h"
#include "sidecar-bus.h"
#include "sidecar-client.h"

#define SYSTEMD_DEST      "org.freedesktop.systemd1"
#define SIDECAR_UNIT_PATH "/org/freedesktop/systemd1/unit/nscontain_2dsidecar_2eservice"
#define UNIT_IFACE        "org.freedesktop.systemd1.Unit"
#define SERVICE_IFACE     "org.freedesktop.systemd1.Service"
#define SEE_JOURNAL       "see journalctl -u nscontain-sidecar"
/* How often the unit is looked at while a call is pending: often while it is not
 * active (an activation that fails is noticed at once), rarely once it is (a running
 * sidecar that dies gets every pending call answered by dbus-daemon, "NoReply"): 500
 * helpers waiting at once must not keep systemd busy answering their polls. */
#define POLL_USEC        (200ULL * 1000ULL)
#define POLL_ACTIVE_USEC (5ULL * 1000ULL * 1000ULL)
/* The pause between connection attempts, doubled each time (sidecar_bus_open()). */
#define CONNECT_PAUSE_MIN_USEC (20ULL * 1000ULL)
#define CONNECT_PAUSE_MAX_USEC (1000ULL * 1000ULL)
/* The deadline's margin before systemd's own: a tenth of the start timeout, at most. */
#define DEADLINE_MARGIN_MAX_USEC (5ULL * 1000ULL * 1000ULL)

typedef struct SidecarUnit {
        char *load_state;      /* loaded, masked, not-found, bad-setting, error */
        char *active_state;    /* active, activating, failed, inactive, ... */
        char *result;          /* success, exit-code, signal, timeout, start-limit-hit, ... */
        uint64_t changed_usec; /* StateChangeTimestampMonotonic */
        int32_t main_code;     /* CLD_EXITED, CLD_KILLED, CLD_DUMPED */
        int32_t main_status;   /* exit status or signal */
        bool was_active;       /* its last run got as far as "active" */
} SidecarUnit;

static void sidecar_unit_done(SidecarUnit *u) {
        free(u->load_state);
        free(u->active_state);
        free(u->result);
        *u = (SidecarUnit){};
}

static int unit_string(sd_bus *bus, const char *iface, const char *prop, char **ret) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sym_sd_bus_get_property_string(bus, SYSTEMD_DEST, SIDECAR_UNIT_PATH, iface, prop, &error,
                                               ret);
        sym_sd_bus_error_free(&error);
        return r;
}

static int unit_trivial(sd_bus *bus, const char *iface, const char *prop, char type, void *ret) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = sym_sd_bus_get_property_trivial(bus, SYSTEMD_DEST, SIDECAR_UNIT_PATH, iface, prop, &error,
                                                type, ret);
        sym_sd_bus_error_free(&error);
        return r;
}

/* full: also the service's result and main process status (for the message). */
static int sidecar_unit_read(sd_bus *bus, bool full, SidecarUnit *ret) {
        SidecarUnit u = {};
        int r;

        r = unit_string(bus, UNIT_IFACE, "ActiveState", &u.active_state);
        if (r >= 0)
                r = unit_trivial(bus, UNIT_IFACE, "StateChangeTimestampMonotonic", 't', &u.changed_usec);
        if (r >= 0 && full)
                r = unit_string(bus, UNIT_IFACE, "LoadState", &u.load_state);
        /* A unit that is not loaded (masked, not found) has no Service properties. */
        if (r >= 0 && full && strcmp(u.load_state, "loaded") == 0) {
                r = unit_string(bus, SERVICE_IFACE, "Result", &u.result);
                if (r >= 0)
                        r = unit_trivial(bus, SERVICE_IFACE, "ExecMainCode", 'i', &u.main_code);
                if (r >= 0)
                        r = unit_trivial(bus, SERVICE_IFACE, "ExecMainStatus", 'i', &u.main_status);
                uint64_t entered = 0, left_inactive = 0;
                if (r >= 0)
                        r = unit_trivial(bus, UNIT_IFACE, "ActiveEnterTimestampMonotonic", 't', &entered);
                if (r >= 0)
                        r = unit_trivial(bus, UNIT_IFACE, "InactiveExitTimestampMonotonic", 't',
                                         &left_inactive);
                u.was_active = entered > 0 && entered >= left_inactive;
        }
        if (r < 0) {
                sidecar_unit_done(&u);
                return r;
        }
        *ret = u;
        return 0;
}

/* The names systemd gives its own exit statuses (systemd.exec(5), "PROCESS EXIT CODES"),
 * as "systemctl status" prints them: the one that says why a unit could not even start. */
static const char *const systemd_exit_names[] = {
        [200 - 200] = "CHDIR",
        [201 - 200] = "NICE",
        [202 - 200] = "FDS",
        [203 - 200] = "EXEC",
        [204 - 200] = "MEMORY",
        [205 - 200] = "LIMITS",
        [206 - 200] = "OOM_ADJUST",
        [207 - 200] = "SIGNAL_MASK",
        [208 - 200] = "STDIN",
        [209 - 200] = "STDOUT",
        [210 - 200] = "CHROOT",
        [211 - 200] = "IOPRIO",
        [212 - 200] = "TIMERSLACK",
        [213 - 200] = "SECUREBITS",
        [214 - 200] = "SETSCHEDULER",
        [215 - 200] = "CPUAFFINITY",
        [216 - 200] = "GROUP",
        [217 - 200] = "USER",
        [218 - 200] = "CAPABILITIES",
        [219 - 200] = "CGROUP",
        [220 - 200] = "SETSID",
        [221 - 200] = "CONFIRM",
        [222 - 200] = "STDERR",
        [224 - 200] = "PAM",
        [225 - 200] = "NETWORK",
        [226 - 200] = "NAMESPACE",
        [227 - 200] = "NO_NEW_PRIVILEGES",
        [228 - 200] = "SECCOMP",
        [229 - 200] = "SELINUX_CONTEXT",
        [230 - 200] = "PERSONALITY",
        [231 - 200] = "APPARMOR_PROFILE",
        [232 - 200] = "ADDRESS_FAMILIES",
        [233 - 200] = "RUNTIME_DIRECTORY",
        [235 - 200] = "CHOWN",
        [236 - 200] = "SMACK_PROCESS_LABEL",
        [237 - 200] = "KEYRING",
        [238 - 200] = "STATE_DIRECTORY",
        [239 - 200] = "CACHE_DIRECTORY",
        [240 - 200] = "LOGS_DIRECTORY",
        [241 - 200] = "CONFIGURATION_DIRECTORY",
        [242 - 200] = "NUMA_POLICY",
        [243 - 200] = "CREDENTIALS",
        [245 - 200] = "BPF",
};

/* "(226/NAMESPACE)", "(status 1)", "(signal 9)" or, for a result without a process,
 * "(timeout)", "(start-limit-hit)". */
static void describe_result(const SidecarUnit *u, char *buf, size_t size) {
        if (u->main_code == CLD_EXITED && u->main_status != 0) {
                int s = u->main_status;
                const char *name =
                        s >= 200 && s < 200 + (int)(sizeof(systemd_exit_names) / sizeof(*systemd_exit_names))
                                ? systemd_exit_names[s - 200]
                                : NULL;
                if (name)
                        snprintf(buf, size, " (%d/%s)", s, name);
                else
                        snprintf(buf, size, " (status %d)", s);
        } else if ((u->main_code == CLD_KILLED || u->main_code == CLD_DUMPED) && u->main_status > 0) {
                const char *sig = sigabbrev_np(u->main_status);
                snprintf(buf, size, " (signal %s%s)", sig ? "SIG" : "", sig ?: "?");
        } else if (u->result && *u->result && strcmp(u->result, "success") != 0)
                snprintf(buf, size, " (%s)", u->result);
        else
                buf[0] = 0;
}

/* The unit's state as a reason, or NULL when systemd shows nothing wrong with it. */
static char *sidecar_unit_reason(const SidecarUnit *u) {
        char why[64], *s = NULL;
        int r;

        if (strcmp(u->load_state, "masked") == 0)
                r = asprintf(
                        &s, "nscontain-sidecar.service is masked: 'systemctl unmask nscontain-sidecar' lets "
                            "containers get uid ranges and networks again");
        else if (strcmp(u->load_state, "not-found") == 0)
                r = asprintf(&s, "nscontain-sidecar.service is not installed");
        else if (strcmp(u->load_state, "loaded") != 0)
                r = asprintf(&s,
                             "nscontain-sidecar.service cannot be loaded (%s): see systemctl status "
                             "nscontain-sidecar",
                             u->load_state);
        else if (strcmp(u->active_state, "failed") == 0 || strcmp(u->active_state, "inactive") == 0) {
                describe_result(u, why, sizeof(why));
                if (!why[0] && strcmp(u->active_state, "inactive") == 0)
                        return NULL; /* stopped cleanly: nothing to say beyond the bus error */
                r = asprintf(&s, "nscontain-sidecar.service %s%s: " SEE_JOURNAL,
                             u->was_active ? "failed" : "failed to start", why);
        } else
                return NULL;
        return r < 0 ? NULL : s;
}

/* ---- the start's budget (sidecar-client.h) ---- */

typedef struct StartBudget {
        uint64_t begin;   /* CLOCK_MONOTONIC of the latest sidecar_bus_open(), 0: none */
        unsigned opened;  /* connections opened: the first is the start's */
        uint64_t timeout; /* TimeoutStartUSec, UINT64_MAX: none */
        bool learned;     /* timeout asked of systemd (or not to be asked) */
        bool extended;    /* EXTEND_TIMEOUT_USEC sent */
        /* The sidecar answered a call on connection number 'answered_on' (0: on one of
         * the caller's own): the next calls on it need not ask whether it runs. */
        bool answered;
        unsigned answered_on;
        /* NameHasOwner of the sidecar, asked together with the connection's Hello
         * (sidecar_bus_open()): 1 or 0 for connection number 'owner_on', -1: not known. */
        int owner;
        unsigned owner_on;
        bool owner_pending;
} StartBudget;

static StartBudget budget = {.timeout = SIDECAR_DEFAULT_START_TIMEOUT_USEC, .owner = -1};

/* Each connection has a budget of its own: the start's calls share the first (the
 * helper holds it for its setup); the stop's ReleaseNetwork comes on another. */
static void budget_begin(void) {
        budget.begin = now_usec(CLOCK_MONOTONIC);
        budget.opened++;
}

/* By when a wait that began at 'since' must end: within the budget of the connection,
 * or (a connection of the caller's own) the timeout from 'since'. */
static uint64_t budget_deadline(uint64_t since) {
        uint64_t from = budget.begin ?: since, margin;

        if (budget.timeout == UINT64_MAX)
                return UINT64_MAX;
        margin = MIN(budget.timeout / 10, DEADLINE_MARGIN_MAX_USEC);
        return from + (budget.timeout - margin);
}

/* The unit's own start timeout, asked once: only a start that waits pays the round trip
 * to systemd. "unit/self" is the caller's unit (org.freedesktop.systemd1(5)). */
static void budget_learn(sd_bus *bus) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        uint64_t t = 0;

        if (budget.learned || !bus)
                return;
        budget.learned = true;
        if (!getenv("INVOCATION_ID"))
                return;
        if (sym_sd_bus_get_property_trivial(bus, SYSTEMD_DEST, "/org/freedesktop/systemd1/unit/self",
                                            SERVICE_IFACE, "TimeoutStartUSec", &error, 't', &t) >= 0 &&
            t > 0)
                budget.timeout = t;
        sym_sd_bus_error_free(&error);
}

/* A wait that has lasted SIDECAR_SLOW_USEC: what the helper waits for as the unit's
 * status; in the start, systemd's start timeout is also extended to the deadline plus
 * its margin, so that systemd's timeout never comes first (the budget begins after the
 * unit's start, and an image import may have extended the timeout before). No-ops
 * outside a unit. */
static void budget_waiting(sd_bus *bus, const char *what) {
        uint64_t now, deadline;

        budget_learn(bus);
        now = now_usec(CLOCK_MONOTONIC);
        deadline = budget_deadline(now);
        if (budget.opened != 1 || budget.extended || deadline == UINT64_MAX || deadline <= now) {
                (void)sym_sd_notifyf(false, "STATUS=Waiting for %s", what);
                return;
        }
        budget.extended = true;
        (void)sym_sd_notifyf(false, "EXTEND_TIMEOUT_USEC=%" PRIu64 "\nSTATUS=Waiting for %s",
                             (uint64_t)(deadline - now + MIN(budget.timeout / 10, DEADLINE_MARGIN_MAX_USEC)),
                             what);
}

void sidecar_budget_extend_for_release(void) {
        uint64_t now = now_usec(CLOCK_MONOTONIC), deadline = budget_deadline(now);

        /* Only the start's connection, once its budget is spent: the start gave up on a
         * late call, and its release waits behind that call in the sidecar (the most
         * sd-bus waits for an answer, 25 s). */
        if (budget.opened != 1 || deadline > now)
                return;
        (void)sym_sd_notifyf(false,
                             "EXTEND_TIMEOUT_USEC=%" PRIu64 "\nSTATUS=Waiting for nscontain-sidecar to "
                             "release the network",
                             (uint64_t)(26ULL * 1000ULL * 1000ULL));
}

static bool connect_error_is_transient(int r) {
        switch (-r) {
        case ECONNREFUSED: /* the listen backlog is full */
        case EAGAIN:
        case ECONNRESET: /* dropped by dbus-daemon: too many connections (of the user, or still
                            authenticating) */
        case ENOTCONN:
        case ECONNABORTED:
        case EPIPE:
        case ENOBUFS: /* Hello answered with LimitsExceeded */
        case ETIMEDOUT:
                return true;
        default:
                return false;
        }
}

/* Until the bus has answered our Hello: only then has dbus-daemon counted the
 * connection against its limits and kept it. */
static int bus_wait_ready(sd_bus *bus, uint64_t deadline) {
        int r;

        for (;;) {
                uint64_t now;

                r = sym_sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (sym_sd_bus_is_ready(bus) > 0)
                        return 0;
                if (r > 0)
                        continue;
                now = now_usec(CLOCK_MONOTONIC);
                if (now >= deadline)
                        return -ETIMEDOUT;
                r = sym_sd_bus_wait(bus, deadline == UINT64_MAX ? UINT64_MAX : deadline - now);
                if (r < 0)
                        return r;
        }
}

static int owner_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        int has_owner = 0;

        (void)ret_error;
        budget.owner_pending = false;
        if (!sym_sd_bus_message_get_error(m) && sym_sd_bus_message_read(m, "b", &has_owner) >= 0) {
                budget.owner = has_owner;
                budget.owner_on = (unsigned)(uintptr_t)userdata;
        }
        return 0;
}

/* Sends NameHasOwner right behind the Hello and waits for both answers: one round trip
 * for the two, where the first call's check (sidecar_unit_start()) was a second one. */
static int bus_ask_owner(sd_bus *bus, uint64_t deadline) {
        int r;

        budget.owner = -1;
        r = sym_sd_bus_call_method_async(bus, NULL, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                         "org.freedesktop.DBus", "NameHasOwner", owner_reply,
                                         (void *)(uintptr_t)budget.opened, "s", SIDECAR_BUS_NAME);
        if (r < 0)
                return r;
        budget.owner_pending = true;
        r = bus_wait_ready(bus, deadline);
        while (r >= 0 && budget.owner_pending) {
                uint64_t now;

                r = sym_sd_bus_process(bus, NULL);
                if (r != 0)
                        continue;
                now = now_usec(CLOCK_MONOTONIC);
                if (now >= deadline)
                        r = -ETIMEDOUT;
                else
                        r = sym_sd_bus_wait(bus, deadline == UINT64_MAX ? UINT64_MAX : deadline - now);
        }
        budget.owner_pending = false;
        return r < 0 ? r : 0;
}

int sidecar_bus_open(sd_bus **ret) {
        uint64_t pause = CONNECT_PAUSE_MIN_USEC, deadline;
        unsigned seed = (unsigned)getpid() ^ (unsigned)now_usec(CLOCK_MONOTONIC);
        bool told = false;
        int r;

        r = libsystemd_load();
        if (r < 0)
                return r;
        budget_begin();
        deadline = budget_deadline(budget.begin);
        for (;;) {
                sd_bus *bus = NULL;
                uint64_t now;

                r = sym_sd_bus_open_system(&bus);
                if (r >= 0)
                        r = bus_ask_owner(bus, deadline);
                if (r >= 0) {
                        *ret = bus;
                        return 0;
                }
                if (bus)
                        sym_sd_bus_flush_close_unref(bus);
                now = now_usec(CLOCK_MONOTONIC);
                if (!connect_error_is_transient(r) || now >= deadline || deadline - now <= pause)
                        return r;
                if (!told && now - budget.begin >= SIDECAR_SLOW_USEC) {
                        told = true;
                        budget_waiting(NULL, "the system bus to accept a connection");
                }
                /* Jitter: helpers refused together do not all come back together. */
                (void)usleep((useconds_t)(pause / 2 + (uint64_t)rand_r(&seed) % (pause / 2 + 1)));
                pause = MIN(pause * 2, CONNECT_PAUSE_MAX_USEC);
        }
}

typedef struct PendingCall {
        bool done;
        int r;
        sd_bus_error error;
        sd_bus_message *reply;
} PendingCall;

static int pending_call_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        PendingCall *p = userdata;
        const sd_bus_error *e = sym_sd_bus_message_get_error(m);

        (void)ret_error;
        p->done = true;
        if (e) {
                p->r = -sym_sd_bus_message_get_errno(m) ?: -EIO;
                sym_sd_bus_error_copy(&p->error, e);
        } else {
                p->r = 0;
                p->reply = m;
                sym_sd_bus_message_ref(m);
        }
        return 0;
}

/* What to say about a failed call: the unit's state when that explains it, else the
 * bus's error, else errno's text. 'waited': how long the call was waited for. */
static char *call_error(sd_bus *bus, int r, const sd_bus_error *error, const char *unit_reason,
                        uint64_t waited) {
        SidecarUnit u = {};
        char *s = NULL;

        if (unit_reason)
                return strdup(unit_reason);
        if (sidecar_unit_read(bus, true, &u) >= 0) {
                s = sidecar_unit_reason(&u);
                if (!s && r == -ETIMEDOUT &&
                    asprintf(&s,
                             "nscontain-sidecar.service (%s) did not answer within %.1f s, the start's "
                             "timeout: " SEE_JOURNAL,
                             u.active_state, (double)waited / 1e6) < 0)
                        s = NULL;
                sidecar_unit_done(&u);
        }
        if (!s)
                s = strdup(error && error->message ? error->message : strerror(-r));
        return s;
}

/* When nobody owns the sidecar's name, asks systemd to start its unit rather than
 * leaving that to dbus-daemon's activation: dbus-daemon asks systemd only once per
 * pending activation (25 s, also after the unit failed), so a second start would never
 * see a fresh failure; and systemd refuses a masked unit right away. */
static int sidecar_unit_start(sd_bus *bus, const char *dest, char **ret_reason) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int has_owner = 0, r;

        /* Asked with the connection already (bus_ask_owner()): used once. */
        if (budget.owner >= 0 && budget.owner_on == budget.opened && streq(dest, SIDECAR_BUS_NAME)) {
                has_owner = budget.owner;
                budget.owner = -1;
                r = 0;
        } else {
                r = sym_sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                           "org.freedesktop.DBus", "NameHasOwner", &error, &reply, "s",
                                           dest);
                if (r >= 0)
                        r = sym_sd_bus_message_read(reply, "b", &has_owner);
                if (reply)
                        reply = sym_sd_bus_message_unref(reply);
                sym_sd_bus_error_free(&error);
        }
        if (r < 0 || has_owner)
                return 0; /* the call itself will tell */

        r = sym_sd_bus_call_method(bus, SYSTEMD_DEST, "/org/freedesktop/systemd1",
                                   "org.freedesktop.systemd1.Manager", "StartUnit", &error, &reply, "ss",
                                   "nscontain-sidecar.service", "replace");
        if (r < 0) {
                SidecarUnit u = {};
                char *s = NULL;
                if (sidecar_unit_read(bus, true, &u) >= 0)
                        s = sidecar_unit_reason(&u);
                sidecar_unit_done(&u);
                if (!s && asprintf(&s, "Failed to start nscontain-sidecar.service: %s",
                                   error.message ?: strerror(-r)) < 0)
                        s = NULL;
                *ret_reason = s;
        }
        if (reply)
                sym_sd_bus_message_unref(reply);
        sym_sd_bus_error_free(&error);
        return r;
}

int sidecar_call(sd_bus *bus, sd_bus_message *m, sd_bus_message **ret_reply, char **ret_error) {
        PendingCall p = {.error = SD_BUS_ERROR_NULL};
        sd_bus_slot *slot = NULL;
        _cleanup_free_ char *unit_reason = NULL;
        uint64_t start = now_usec(CLOCK_MONOTONIC), next_poll = start + POLL_USEC,
                 slow = start + SIDECAR_SLOW_USEC, deadline = budget_deadline(start);
        int r;

        /* The setup's second call comes right after the first was answered: one round
         * trip to dbus-daemon fewer per start. A sidecar that went idle meanwhile is
         * activated by the bus, and the watch below still sees its unit fail. */
        if (!(budget.answered && budget.answered_on == budget.opened))
                r = sidecar_unit_start(bus, sym_sd_bus_message_get_destination(m), &unit_reason);
        else
                r = 0;
        /* No timeout of sd-bus's own: the deadline is ours, and may move once the unit's
         * start timeout is known (budget_learn()). */
        if (r >= 0)
                r = sym_sd_bus_call_async(bus, &slot, m, pending_call_reply, &p, UINT64_MAX);
        while (r >= 0 && !p.done) {
                r = sym_sd_bus_process(bus, NULL);
                if (r < 0 || p.done)
                        break;
                if (r > 0)
                        continue;
                uint64_t now = now_usec(CLOCK_MONOTONIC);
                if (now >= slow) {
                        char what[128];

                        slow = UINT64_MAX;
                        snprintf(what, sizeof(what), "nscontain-sidecar to answer %s",
                                 sym_sd_bus_message_get_member(m) ?: "a call");
                        budget_waiting(bus, what);
                        deadline = budget_deadline(start);
                        continue;
                }
                if (now >= deadline) {
                        r = -ETIMEDOUT;
                        break;
                }
                if (now >= next_poll) {
                        SidecarUnit u = {};
                        bool active = false;
                        /* Only a change since the call began counts: a failure left from
                         * an earlier activation may have been fixed since. */
                        if (sidecar_unit_read(bus, false, &u) >= 0) {
                                active = strcmp(u.active_state, "active") == 0;
                                if (u.changed_usec >= start && (strcmp(u.active_state, "failed") == 0 ||
                                                                strcmp(u.active_state, "inactive") == 0)) {
                                        sidecar_unit_done(&u);
                                        if (sidecar_unit_read(bus, true, &u) >= 0)
                                                unit_reason = sidecar_unit_reason(&u);
                                        if (unit_reason) {
                                                sidecar_unit_done(&u);
                                                r = -ESRCH;
                                                break;
                                        }
                                }
                        }
                        sidecar_unit_done(&u);
                        next_poll = now_usec(CLOCK_MONOTONIC) + (active ? POLL_ACTIVE_USEC : POLL_USEC);
                        continue;
                }
                r = sym_sd_bus_wait(bus, MIN(MIN(next_poll, deadline), slow) - now);
        }
        if (r >= 0)
                r = p.r;
        if (r >= 0) {
                budget.answered = true;
                budget.answered_on = budget.opened;
        }
        if (r < 0 && ret_error)
                *ret_error = call_error(bus, r, &p.error, unit_reason, now_usec(CLOCK_MONOTONIC) - start);
        else if (r >= 0 && ret_reply)
                *ret_reply = TAKE_PTR(p.reply);
        sym_sd_bus_slot_unref(slot);
        sym_sd_bus_error_free(&p.error);
        if (p.reply)
                sym_sd_bus_message_unref(p.reply);
        return r;
}
