/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "uid-ranges.h"

/* Bounds on what a hostile or broken file can make us hold. */
#define UID_RANGES_MAX   4096
#define SUBID_FILE_MAX   (1024 * 1024)
#define UID_MAP_FILE_MAX 4096

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

void uid_range_list_done(UidRangeList *l) {
        free(l->ranges);
        *l = (UidRangeList){};
}

int uid_range_list_add(UidRangeList *l, uint32_t first, uint64_t count, const char *what) {
        uint64_t last = (uint64_t)first + count - 1;
        UidRange *n;

        if (count == 0)
                return 0;
        if (last > UINT32_MAX)
                last = UINT32_MAX;
        for (size_t i = 0; i < l->n; i++)
                if (l->ranges[i].first == first && l->ranges[i].last == (uint32_t)last)
                        return 0;
        if (l->n >= UID_RANGES_MAX)
                return -E2BIG;
        n = reallocarray(l->ranges, l->n + 1, sizeof(UidRange));
        if (!n)
                return -ENOMEM;
        l->ranges = n;
        n = &l->ranges[l->n++];
        *n = (UidRange){.first = first, .last = (uint32_t)last};
        snprintf(n->what, sizeof(n->what), "%s", what);
        return 0;
}

const UidRange *uid_range_list_overlap(const UidRangeList *l, uint32_t first, uint32_t last) {
        for (size_t i = 0; l && i < l->n; i++)
                if (l->ranges[i].first <= last && first <= l->ranges[i].last)
                        return &l->ranges[i];
        return NULL;
}

static bool parse_u64(const char *s, uint64_t max, uint64_t *ret) {
        char *end;
        unsigned long long v;

        if (!isdigit((unsigned char)*s))
                return false;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end != 0 || v > max)
                return false;
        *ret = v;
        return true;
}

int uid_ranges_read_subid(UidRangeList *l, const char *path) {
        _cleanup_free_ char *text = NULL;
        char *line, *save = NULL;
        int r;

        r = read_full_file_at(AT_FDCWD, path, SUBID_FILE_MAX, &text, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *start, *count, what[96];
                uint64_t s, c;

                if (*line == '#')
                        continue;
                start = strchr(line, ':');
                if (!start)
                        continue;
                *start++ = 0;
                count = strchr(start, ':');
                if (!count)
                        continue;
                *count++ = 0;
                if (!parse_u64(start, UINT32_MAX, &s) || !parse_u64(count, UINT32_MAX, &c))
                        continue;
                snprintf(what, sizeof(what), "%s: %.60s", path, line);
                r = uid_range_list_add(l, (uint32_t)s, c, what);
                if (r < 0)
                        return r;
        }
        return 0;
}

int uid_ranges_read_nspawn(UidRangeList *l, const char *dir) {
        _cleanup_(closedirp) DIR *d = NULL;
        struct dirent *de;
        int r;

        d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : negative_errno();
        while ((de = readdir(d))) {
                char what[96];
                uint64_t base;

                if (!parse_u64(de->d_name, UINT32_MAX, &base))
                        continue;
                snprintf(what, sizeof(what), "systemd-nspawn (%.40s/%" PRIu64 ")", dir, base);
                r = uid_range_list_add(l, (uint32_t)base, 0x10000, what);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The inode of /proc/PID/ns/user ("user:[4026531837]") relative to the proc dir, 0 when
 * it cannot be read (a process gone, or a dir that is not procfs). */
static uint64_t userns_inode(int proc_fd, const char *pid) {
        char path[64], link[64];
        unsigned long long ino;
        ssize_t n;

        snprintf(path, sizeof(path), "%.32s/ns/user", pid);
        n = readlinkat(proc_fd, path, link, sizeof(link) - 1);
        if (n <= 0)
                return 0;
        link[n] = 0;
        return sscanf(link, "user:[%llu]", &ino) == 1 ? (uint64_t)ino : 0;
}

int uid_ranges_read_userns(UidRangeList *l, const char *proc) {
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_free_ uint64_t *seen = NULL;
        size_t n_seen = 0;
        struct dirent *de;
        uint64_t own;
        int r;

        d = opendir(proc);
        if (!d)
                return negative_errno();
        /* Every process of a user namespace shows its one map: read it once per
         * namespace, and never for ours (every helper, every host process). */
        own = userns_inode(dirfd(d), "self");
        while ((de = readdir(d))) {
                _cleanup_free_ char *text = NULL;
                char path[64], what[96], *line, *save = NULL;
                uint64_t pid, ino;

                if (!parse_u64(de->d_name, INT32_MAX, &pid))
                        continue;
                ino = userns_inode(dirfd(d), de->d_name);
                if (ino != 0) {
                        bool known = ino == own;

                        for (size_t i = 0; i < n_seen && !known; i++)
                                known = seen[i] == ino;
                        if (known)
                                continue;
                        uint64_t *p = reallocarray(seen, n_seen + 1, sizeof(uint64_t));
                        if (!p)
                                return -ENOMEM;
                        seen = p;
                        seen[n_seen++] = ino;
                }
                snprintf(path, sizeof(path), "%" PRIu64 "/uid_map", pid);
                r = read_full_file_at(dirfd(d), path, UID_MAP_FILE_MAX, &text, NULL);
                if (r < 0)
                        continue; /* gone, or not ours to read */
                for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        unsigned long inside, outside, count;

                        if (sscanf(line, "%lu %lu %lu", &inside, &outside, &count) != 3)
                                continue;
                        /* The initial user namespace, or one that maps everything through. */
                        if (inside == 0 && outside == 0 && count == UINT32_MAX)
                                continue;
                        snprintf(what, sizeof(what), "user namespace of PID %" PRIu64, pid);
                        size_t n = l->n;
                        r = uid_range_list_add(l, (uint32_t)outside, count, what);
                        if (r < 0)
                                return r;
                        if (l->n > n)
                                l->ranges[n].userns = true;
                }
        }
        return 0;
}

int uid_ranges_collect(UidRangeList *l, bool userns) {
        int r;

        r = uid_ranges_read_subid(l, UID_RANGES_SUBUID);
        if (r >= 0)
                r = uid_ranges_read_subid(l, UID_RANGES_SUBGID);
        if (r >= 0)
                r = uid_ranges_read_nspawn(l, UID_RANGES_NSPAWN_DIR);
        if (r >= 0 && userns)
                r = uid_ranges_read_userns(l, UID_RANGES_PROC);
        return r;
}
