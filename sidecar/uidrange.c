/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <grp.h>
#include <pwd.h>
#include <string.h>

#include "sidecar.h"

void idset_done(IdSet *s) {
        assert(s);
        free(s->ids);
        uid_range_list_done(&s->foreign);
        *s = (IdSet){};
}

int idset_add(IdSet *s, uint32_t id) {
        uint32_t *n;

        assert(s);
        n = reallocarray(s->ids, s->n + 1, sizeof(uint32_t));
        if (!n)
                return -ENOMEM;
        s->ids = n;
        s->ids[s->n++] = id;
        return 0;
}

static int u32_cmp(const void *a, const void *b) {
        uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
        return x < y ? -1 : x > y;
}

void idset_sort(IdSet *s) {
        size_t j = 0;

        assert(s);
        if (s->n == 0)
                return;
        qsort(s->ids, s->n, sizeof(uint32_t), u32_cmp);
        for (size_t i = 1; i < s->n; i++)
                if (s->ids[i] != s->ids[j])
                        s->ids[++j] = s->ids[i];
        s->n = j + 1;
}

bool idset_overlaps(const IdSet *s, uint32_t first, uint32_t last) {
        size_t lo = 0, hi;

        if (!s)
                return false;
        if (uid_range_list_overlap(&s->foreign, first, last))
                return true;
        if (s->n == 0)
                return false;
        /* The first id >= first, by binary search over the sorted set. */
        hi = s->n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (s->ids[mid] < first)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < s->n && s->ids[lo] <= last;
}

static int add_passwd_file(IdSet *s, const char *path) {
        _cleanup_fclose_ FILE *f = NULL;
        struct passwd *pw;
        int r;

        f = fopen(path, "re");
        if (!f)
                return errno == ENOENT ? 0 : negative_errno();
        while ((pw = fgetpwent(f))) {
                r = idset_add(s, pw->pw_uid);
                if (r < 0)
                        return r;
                r = idset_add(s, pw->pw_gid);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_group_file(IdSet *s, const char *path) {
        _cleanup_fclose_ FILE *f = NULL;
        struct group *gr;
        int r;

        f = fopen(path, "re");
        if (!f)
                return errno == ENOENT ? 0 : negative_errno();
        while ((gr = fgetgrent(f))) {
                r = idset_add(s, gr->gr_gid);
                if (r < 0)
                        return r;
        }
        return 0;
}

int host_ids_collect(IdSet *ret) {
        IdSet s = {};
        struct passwd *pw;
        struct group *gr;
        int r = 0;

        assert(ret);

        /* NSS first (LDAP, systemd-userdb, …), then the files directly in case
         * nsswitch.conf does not list "files". Uids and gids share one set: a range is
         * used for both maps, so it must avoid both. */
        setpwent();
        while (r >= 0 && (pw = getpwent())) {
                r = idset_add(&s, pw->pw_uid);
                if (r >= 0)
                        r = idset_add(&s, pw->pw_gid);
        }
        endpwent();
        setgrent();
        while (r >= 0 && (gr = getgrent()))
                r = idset_add(&s, gr->gr_gid);
        endgrent();
        if (r >= 0)
                r = add_passwd_file(&s, "/etc/passwd");
        if (r >= 0)
                r = add_group_file(&s, "/etc/group");
        if (r < 0) {
                idset_done(&s);
                return r;
        }
        idset_sort(&s);
        *ret = s;
        return 0;
}

int idset_add_foreign(IdSet *s, const State *state, bool userns) {
        UidRangeList all = {};
        int r;

        r = uid_ranges_collect(&all, userns);
        for (size_t i = 0; r >= 0 && i < all.n; i++) {
                const UidRange *u = &all.ranges[i];
                bool ours = false;

                for (size_t j = 0; j < state->n_entries && !ours; j++) {
                        const Entry *e = &state->entries[j];
                        ours = u->userns && e->uid_size > 0 && u->first == e->uid_base &&
                               u->last == e->uid_base + (e->uid_size - 1);
                }
                if (!ours)
                        r = uid_range_list_add(&s->foreign, u->first, (uint64_t)u->last - u->first + 1,
                                               u->what);
        }
        uid_range_list_done(&all);
        return r;
}

static bool range_is_free(const State *s, const char *name, uint32_t base, uint32_t size,
                          const IdSet *host_ids) {
        uint32_t last = base + (size - 1);

        for (size_t i = 0; i < s->n_entries; i++) {
                const Entry *e = &s->entries[i];
                if (e->uid_size == 0 || streq(e->name, name))
                        continue;
                if (base <= e->uid_base + (e->uid_size - 1) && e->uid_base <= last)
                        return false;
        }
        return !idset_overlaps(host_ids, base, last);
}

int uid_range_acquire(State *s, const char *name, uint32_t size, const IdSet *host_ids, uint32_t *ret_base,
                      uint32_t *ret_size, bool *ret_changed) {
        uint32_t n_slots, want_slots, n_starts, hint;
        Entry *e;
        int r;

        assert(s && name && ret_base && ret_size);

        if (size == 0)
                size = SIDECAR_RANGE_ALIGN;
        if (size % SIDECAR_RANGE_ALIGN != 0 || size > SIDECAR_RANGE_SIZE_MAX)
                return -EINVAL;

        e = state_find(s, name);
        if (e && e->uid_size >= size) {
                /* Same range forever; a smaller request gets the start of it. */
                *ret_base = e->uid_base;
                *ret_size = size;
                if (ret_changed)
                        *ret_changed = false;
                return 0;
        }
        if (e && e->uid_size > 0) {
                /* Grow in place or not at all: moving would change the owner of every
                 * file the container wrote with the old range. */
                if (size - 1 > UID_RANGE_LAST - e->uid_base ||
                    !range_is_free(s, name, e->uid_base + e->uid_size, size - e->uid_size, host_ids))
                        return -EBUSY;
                e->uid_size = size;
                *ret_base = e->uid_base;
                *ret_size = size;
                if (ret_changed)
                        *ret_changed = true;
                return 0;
        }

        n_slots = (UID_RANGE_LAST - UID_RANGE_FIRST + 1) / SIDECAR_RANGE_ALIGN;
        want_slots = size / SIDECAR_RANGE_ALIGN;
        n_starts = n_slots - want_slots + 1;
        /* Start from a slot derived from NAME, so that after a lost state file NAME
         * most likely gets its old range back, then probe linearly. */
        hint = (uint32_t)(name_hash(name, 0x7569647275) % n_starts);
        for (uint32_t i = 0; i < n_starts; i++) {
                uint32_t slot = (hint + i) % n_starts;
                uint32_t base = UID_RANGE_FIRST + slot * SIDECAR_RANGE_ALIGN;

                if (!range_is_free(s, name, base, size, host_ids))
                        continue;
                r = state_get(s, name, &e);
                if (r < 0)
                        return r;
                e->uid_base = base;
                e->uid_size = size;
                *ret_base = base;
                *ret_size = size;
                if (ret_changed)
                        *ret_changed = true;
                return 0;
        }
        return -ENOSPC;
}
