/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "user_namespace": {"ownership": "chown"} (the user_namespace row of
 * nscontain.json(5)): the one-time shift of a rootfs into the container's range, for
 * filesystems that refuse idmapped mounts (overlayfs). Parent side, with the host's
 * privileges, before the root tree is cloned (mount-trees.c). */

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "helper.h"

/* Where the shift of each container's rootfs is recorded. */
#define CHOWN_STATE_DIR  "/var/lib/nscontain/ownership"
#define CHOWN_DEPTH_MAX  1024
#define CHOWN_RECORD_MAX (8 * 1024)

/* The record of a shift: which tree (by device and inode, so that a replaced image is
 * shifted again), from which range to which, and whether it finished. */
typedef struct ChownRecord {
        uint64_t dev, ino;
        uint32_t from, to, size;
        bool done;
} ChownRecord;

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static int chown_record_read(int state_fd, const char *name, ChownRecord *ret) {
        _cleanup_free_ char *text = NULL;
        ChownRecord rec = {};
        char state[16] = "";
        int r;

        r = read_full_file_at(state_fd, name, CHOWN_RECORD_MAX, &text, NULL);
        if (r < 0)
                return r;
        if (sscanf(text,
                   "dev=%" SCNu64 "\nino=%" SCNu64 "\nfrom=%" SCNu32 "\nto=%" SCNu32 "\nsize=%" SCNu32
                   "\nstate=%15s",
                   &rec.dev, &rec.ino, &rec.from, &rec.to, &rec.size, state) != 6)
                return -EBADMSG;
        if (!streq(state, "done") && !streq(state, "shifting"))
                return -EBADMSG;
        rec.done = streq(state, "done");
        *ret = rec;
        return 0;
}

static int chown_record_write(int state_fd, const char *name, const ChownRecord *rec) {
        char text[256];
        int n;

        n = snprintf(text, sizeof(text),
                     "dev=%" PRIu64 "\nino=%" PRIu64 "\nfrom=%" PRIu32 "\nto=%" PRIu32 "\nsize=%" PRIu32
                     "\nstate=%s\n",
                     rec->dev, rec->ino, rec->from, rec->to, rec->size, rec->done ? "done" : "shifting");
        return write_file_atomic_at(state_fd, name, text, (size_t)n, 0644, /* durable= */ true);
}

/* Ids of the source range move; everything else (ids already in the target range, from
 * an interrupted run, or ids the map cannot show) stays. This makes the walk idempotent:
 * an interrupted shift is simply run again. */
static uint32_t shift_id(uint32_t id, const ChownRecord *rec) {
        return id >= rec->from && id - rec->from < rec->size ? id - rec->from + rec->to : id;
}

/* Shifts one entry, named relative to dir_fd ("" = dir_fd itself). */
static int shift_entry(int dir_fd, const char *name, const struct stat *st, const ChownRecord *rec) {
        uid_t uid = shift_id(st->st_uid, rec);
        gid_t gid = shift_id(st->st_gid, rec);
        int r;

        if (uid == st->st_uid && gid == st->st_gid)
                return 0;

        r = RET_NERRNO(fchownat(dir_fd, name, uid, gid, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH)));
        if (r < 0)
                return r;

        /* chown() clears setuid/setgid on files: put them back, through an O_PATH fd of
         * exactly the inode we changed (never by following a name again). */
        if (S_ISREG(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID))) {
                _cleanup_close_ int fd = -EBADF;
                char path[64];

                fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return negative_errno();
                snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
                r = RET_NERRNO(chmod(path, st->st_mode & 07777));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Walks the tree below dir_fd by fd (openat O_NOFOLLOW, never a path from the top),
 * staying on its filesystem. 'rel' holds the path for messages. */
static int shift_tree(int dir_fd, dev_t dev, const ChownRecord *rec, char *rel, size_t rel_len,
                      unsigned depth) {
        _cleanup_(closedirp) DIR *d = NULL;
        int r;

        if (depth > CHOWN_DEPTH_MAX)
                return -ELOOP;

        r = opendir_at(dir_fd, ".", &d);
        if (r < 0)
                return r;

        for (;;) {
                struct dirent *de;
                struct stat st;
                size_t n;

                errno = 0;
                de = readdir(d);
                if (!de)
                        return errno != 0 ? negative_errno() : 0;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;

                n = strlen(de->d_name);
                if (rel_len + 1 + n >= PATH_MAX)
                        return -ENAMETOOLONG;
                rel[rel_len] = '/';
                memcpy(rel + rel_len + 1, de->d_name, n + 1);

                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
                if (st.st_dev != dev)
                        continue; /* another filesystem mounted inside the tree: not ours */

                r = shift_entry(dirfd(d), de->d_name, &st, rec);
                if (r < 0)
                        return r;

                if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int sub_fd = -EBADF;

                        sub_fd = openat(dirfd(d), de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub_fd < 0)
                                return negative_errno();
                        r = shift_tree(sub_fd, dev, rec, rel, rel_len + 1 + n, depth + 1);
                        if (r < 0)
                                return r;
                }
                rel[rel_len] = '\0';
        }
}

/* The one-time shift of the rootfs into the container's range (nscontain.json(5),
 * user_namespace.ownership "chown"), for filesystems that refuse idmapped mounts. Recorded in
 * CHOWN_STATE_DIR/NAME: done once, resumed when interrupted, redone for a new image
 * (another inode) or a new base. Limits: ids inside POSIX ACLs and the rootid of v3
 * file capabilities are not rewritten, and chown() drops file capabilities. */
int ownership_shift(const Container *c, Failure *f) {
        const Config *config = c->config;
        _cleanup_close_ int root_fd = -EBADF, state_fd = -EBADF;
        _cleanup_free_ char *rel = NULL;
        ChownRecord rec, old;
        struct stat st;
        int r;

        root_fd = open(config->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return failf(f, errno, "Failed to open rootfs '%s'", config->rootfs);
        if (fstat(root_fd, &st) < 0)
                return failf(f, errno, "Failed to stat rootfs '%s'", config->rootfs);

        r = mkdir_p_at(AT_FDCWD, CHOWN_STATE_DIR, 0755, &state_fd);
        if (r < 0)
                return failf(f, r, "Failed to create '%s'", CHOWN_STATE_DIR);

        rec = (ChownRecord){
                .dev = (uint64_t)st.st_dev,
                .ino = (uint64_t)st.st_ino,
                .from = 0,
                .to = c->uid_base,
                .size = c->uid_size,
        };

        r = chown_record_read(state_fd, c->name, &old);
        if (r < 0 && r != -ENOENT)
                return failf(f, r, "Failed to read '%s/%s'", CHOWN_STATE_DIR, c->name);
        if (r >= 0 && old.dev == rec.dev && old.ino == rec.ino) {
                if (old.done && old.to == rec.to && old.size == rec.size)
                        return 0; /* shifted before */
                if (old.size != rec.size)
                        return failf(f, EINVAL,
                                     "Failed to shift ownership of rootfs '%s': it was shifted with range "
                                     "size %" PRIu32 ", now %" PRIu32,
                                     config->rootfs, old.size, rec.size);
                if (!old.done && old.to != rec.to)
                        return failf(f, EBUSY,
                                     "Failed to shift ownership of rootfs '%s': an interrupted shift to "
                                     "base %" PRIu32
                                     " is recorded in '%s/%s'; finish it with that base first",
                                     config->rootfs, old.to, CHOWN_STATE_DIR, c->name);
                /* Resume an interrupted shift, or move a finished one to the new base. */
                rec.from = old.done ? old.to : old.from;
        }

        /* Overlapping ranges would make "already shifted" ambiguous. */
        if (rec.from != rec.to && rec.from < rec.to + rec.size && rec.to < rec.from + rec.size)
                return failf(f, EINVAL,
                             "Failed to shift ownership of rootfs '%s': ranges %" PRIu32 "+%" PRIu32
                             " and %" PRIu32 "+%" PRIu32 " overlap",
                             config->rootfs, rec.from, rec.size, rec.to, rec.size);

        r = chown_record_write(state_fd, c->name, &rec);
        if (r < 0)
                return failf(f, r, "Failed to write '%s/%s'", CHOWN_STATE_DIR, c->name);

        rel = calloc(1, PATH_MAX);
        if (!rel)
                return failf(f, ENOMEM, "Failed to shift ownership of rootfs '%s'", config->rootfs);

        r = shift_tree(root_fd, st.st_dev, &rec, rel, 0, 0);
        if (r < 0)
                return failf(f, r, "Failed to shift ownership of '%s%s' into the range %" PRIu32 "+%" PRIu32,
                             config->rootfs, rel, rec.to, rec.size);
        r = shift_entry(root_fd, "", &st, &rec);
        if (r < 0)
                return failf(f, r, "Failed to shift ownership of rootfs '%s'", config->rootfs);

        rec.done = true;
        r = chown_record_write(state_fd, c->name, &rec);
        if (r < 0)
                return failf(f, r, "Failed to write '%s/%s'", CHOWN_STATE_DIR, c->name);
        return 0;
}
