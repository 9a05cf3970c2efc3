/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capabilities of the payload (docs/SECURITY.md row 6, CVE-2022-29162): every one of the
 * five sets is set explicitly, so nothing the helper was started with (by systemd, by
 * a shell with ambient or inheritable caps) can ride along into the container. */

#include <fcntl.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/capability.h>
#include <grp.h>
#include <sys/prctl.h>

#include "creds.h"

uint64_t caps_effective_set(const Config *config) {
        assert(config);
        return (capability_default_set() | config->caps_add) & ~config->caps_drop;
}

/* Reads a short /proc file in one read(): sysctl files answer a read at a non-zero
 * offset with EOF, so a reader that grows its buffer from a few bytes would see "4"
 * for "40". */
static int proc_read_short(const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = -EBADF;
        ssize_t n;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, size - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = 0;
        return 0;
}

/* The highest capability this kernel knows. /proc/sys/kernel/cap_last_cap is the
 * kernel's own answer; when it cannot be read (an exotic /proc) we probe the bounding
 * set, which answers EINVAL past the last one. Never beyond 63: our masks are 64 bits. */
static unsigned cap_last_cap(void) {
        char s[32];
        unsigned long v;
        char *end;

        if (proc_read_short("/proc/sys/kernel/cap_last_cap", s, sizeof(s)) >= 0) {
                errno = 0;
                v = strtoul(s, &end, 10);
                if (errno == 0 && end != s && (*end == '\n' || *end == 0) && v <= 63)
                        return (unsigned)v;
        }

        v = CAP_LAST_CAP;
        while (v < 63 && prctl(PR_CAPBSET_READ, v + 1, 0, 0, 0) >= 0)
                v++;
        while (v > 0 && prctl(PR_CAPBSET_READ, v, 0, 0, 0) < 0)
                v--;
        return (unsigned)v;
}

/* Drops every capability not in 'keep' from the bounding set. This needs CAP_SETPCAP in
 * the effective set, so it runs first, while we are still the user namespace's root
 * with every capability; the bounding set is the ceiling for whatever execve() grants
 * later, so this is what keeps a uid-0 payload (or a file-capability binary) to the
 * configured set. */
int caps_bounding_apply(uint64_t keep, Failure *f) {
        unsigned last = cap_last_cap();

        for (unsigned c = 0; c <= last; c++) {
                if (keep & (UINT64_C(1) << c))
                        continue;
                int r = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
                if (r < 0)
                        return failf(f, errno, "Failed to read capability %u of the bounding set", c);
                if (r == 0)
                        continue; /* already gone */
                if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
                        return failf(f, errno, "Failed to drop capability %u from the bounding set", c);
        }
        return 0;
}

static void cap_freep(cap_t *c) {
        if (*c)
                cap_free(*c);
}

/* Sets permitted and effective to 'keep', inheritable to nothing, clears the ambient
 * set and turns PR_SET_KEEPCAPS off again. Inheritable must be empty: with a non-empty
 * inheritable set a file with inheritable file capabilities would regain them across
 * execve() even for a non-root user (CVE-2022-29162); ambient must be empty or they
 * would be granted to every program the payload runs.
 *
 * What the payload ends up with after execve() is then the kernel's rule: uid 0 gets
 * permitted = effective = the bounding set (= 'keep'); any other uid gets nothing
 * (no ambient, no inheritable), unless a binary carries file capabilities within the
 * bounding set and no_new_privileges is off. That is what docker and podman give a
 * non-root --user without --cap-add. */
int caps_final_apply(uint64_t keep, Failure *f) {
        _cleanup_(cap_freep) cap_t caps = NULL;
        unsigned last = cap_last_cap();

        caps = cap_init(); /* all three sets cleared */
        if (!caps)
                return failf(f, ENOMEM, "Failed to allocate capability state");

        for (unsigned c = 0; c <= last; c++) {
                if (!(keep & (UINT64_C(1) << c)))
                        continue;
                cap_value_t v = (cap_value_t)c;
                if (cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET) < 0 ||
                    cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0)
                        return failf(f, errno, "Failed to prepare capability %u", c);
        }

        /* Ambient first: the kernel clears ambient bits that leave permitted or
         * inheritable anyway, but we want it empty even if something raised bits we keep. */
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
                return failf(f, errno, "Failed to clear the ambient capability set");

        if (cap_set_proc(caps) < 0)
                return failf(f, errno,
                             "Failed to set the capability sets (permitted, effective, inheritable)");

        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return failf(f, errno, "Failed to reset PR_SET_KEEPCAPS");

        return 0;
}

/* Raises the effective set to the whole permitted set. After setresuid() to a non-root
 * user the kernel clears the effective set (PR_SET_KEEPCAPS only keeps permitted), but
 * loading a seccomp filter without no_new_privileges needs CAP_SYS_ADMIN effective. */
static int caps_raise_effective(Failure *f) {
        _cleanup_(cap_freep) cap_t caps = NULL;
        cap_value_t v;

        caps = cap_get_proc();
        if (!caps)
                return failf(f, errno, "Failed to read the capability sets");

        for (v = 0; v <= (cap_value_t)cap_last_cap(); v++) {
                cap_flag_value_t on = CAP_CLEAR;
                if (cap_get_flag(caps, v, CAP_PERMITTED, &on) < 0)
                        return failf(f, errno, "Failed to read capability %d", v);
                if (on == CAP_SET && cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0)
                        return failf(f, errno, "Failed to prepare capability %d", v);
        }
        if (cap_set_proc(caps) < 0)
                return failf(f, errno, "Failed to raise the effective capability set");
        return 0;
}

/* /proc/self/setgroups says "deny" when the user namespace forbids setgroups()
 * (docs/SECURITY.md row 10: the helper writes "deny" before gid_map). */
static bool setgroups_allowed(void) {
        char s[32];

        if (proc_read_short("/proc/self/setgroups", s, sizeof(s)) < 0)
                return true; /* no user namespace support at all: the initial namespace allows it */
        return strncmp(s, "deny", 4) != 0;
}

static int groups_apply(const ResolvedUser *u, Failure *f) {
        if (setgroups_allowed()) {
                if (setgroups(u->n_groups, u->groups) < 0)
                        return failf(f, errno, "Failed to set the supplementary groups of uid %u",
                                     (unsigned)u->uid);
                return 0;
        }

        /* setgroups() is forbidden in this user namespace, for us and for the payload.
         * The supplementary groups are then whatever the process was created with; they
         * can only have been set by the parent before clone3(). Refuse to start with a
         * group list that differs from what the user should have, rather than silently
         * running the payload with different group memberships. */
        _cleanup_free_ gid_t *cur = NULL;
        int n = getgroups(0, NULL);
        if (n < 0)
                return failf(f, errno, "Failed to read the supplementary groups");
        cur = calloc(MAX(n, 1), sizeof(gid_t));
        if (!cur)
                return failf(f, ENOMEM, "Failed to read the supplementary groups");
        n = getgroups(n, cur);
        if (n < 0)
                return failf(f, errno, "Failed to read the supplementary groups");

        bool same = (size_t)n == u->n_groups;
        for (size_t i = 0; same && i < u->n_groups; i++) {
                bool found = false;
                for (int j = 0; j < n && !found; j++)
                        found = cur[j] == u->groups[i];
                same = found;
        }
        if (!same)
                return failf(
                        f, EPERM,
                        "Failed to give uid %u its %zu supplementary group(s): setgroups is denied in the "
                        "user namespace, and the groups inherited from the helper are not these",
                        (unsigned)u->uid, u->n_groups);
        return 0;
}

/* The order of the last steps before execve(), and why:
 *
 *  1. Bounding set first: dropping needs CAP_SETPCAP effective, which we have only as
 *     long as we are the namespace's root with the full set.
 *  2. PR_SET_KEEPCAPS, then groups, gid, uid — gid before uid, since after setresuid()
 *     to a non-root uid we would no longer hold CAP_SETGID effective. KEEPCAPS keeps
 *     the permitted set across the uid change (the kernel would clear it otherwise);
 *     the effective set is cleared by the kernel for a non-root uid.
 *  3. no_new_privileges, when configured.
 *  4. The seccomp filter. Loading one needs either no_new_privileges or CAP_SYS_ADMIN
 *     effective in our user namespace. Without no_new_privileges we raise the effective
 *     set back to the permitted one (still everything, thanks to KEEPCAPS) just for this.
 *     The filter denies nothing the remaining steps need (capset, prctl).
 *  5. All five sets explicitly: permitted = effective = the configured set, inheritable
 *     and ambient empty; KEEPCAPS off again. After this we could not load a filter
 *     anymore (CAP_SYS_ADMIN is not in the default set), which is why 4 comes first. */
int creds_apply(const Config *config, const ResolvedUser *u, Failure *f) {
        uint64_t keep = caps_effective_set(config);
        int r;

        assert(config && u);

        r = caps_bounding_apply(keep, f);
        if (r < 0)
                return r;

        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return failf(f, errno, "Failed to set PR_SET_KEEPCAPS");

        r = groups_apply(u, f);
        if (r < 0)
                return r;
        if (setresgid(u->gid, u->gid, u->gid) < 0)
                return failf(f, errno, "Failed to set gid %u", (unsigned)u->gid);
        if (setresuid(u->uid, u->uid, u->uid) < 0)
                return failf(f, errno, "Failed to set uid %u", (unsigned)u->uid);

        if (config->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return failf(f, errno, "Failed to set PR_SET_NO_NEW_PRIVS");

        if (config->seccomp) {
                if (!config->no_new_privileges) {
                        r = caps_raise_effective(f);
                        if (r < 0)
                                return r;
                }
                r = seccomp_apply(config, f);
                if (r < 0)
                        return r;
        }

        /* Like docker: a non-root payload gets no permitted/effective capabilities (the
         * kernel would clear them at execve() anyway); only the bounding set limits what
         * file capabilities could grant. */
        return caps_final_apply(u->uid == 0 ? keep : 0, f);
}
