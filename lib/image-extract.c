/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The layer extractor (docs/SECURITY.md row 14). A layer is a tar written by whoever
 * built the image. The attacks it must not allow are those of CVE-2018-15664,
 * CVE-2019-14271 and CVE-2021-30465: an entry that lands outside the layer because its
 * name is absolute or holds "..", because an earlier entry made a directory of the
 * path a symlink ("hop -> /" then "hop/x"), or because it is a hard link to a file
 * outside; and of CVE-2021-20291: a stream that never ends or decompresses without
 * bound. So:
 *
 *   - libarchive reads the tar (format and decompression); we write nothing by path
 *     string. Each entry's parent directory is opened with openat2(RESOLVE_BENEATH |
 *     RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV) below the layer's
 *     directory fd, and the entry is created relative to that fd with the *at() calls,
 *     which do not follow a symlink in the last component (O_NOFOLLOW, linkat(0),
 *     AT_SYMLINK_NOFOLLOW). A symlink anywhere on the way refuses the entry (ELOOP).
 *   - Names are checked before any lookup: absolute names, ".." components and names or
 *     link targets longer than the limit are refused, not sanitized.
 *   - Device nodes are refused except the overlayfs whiteout (char 0:0).
 *   - The uncompressed stream and the entry count are bounded: a gzip bomb stops at
 *     the size limit.
 *   - The compressed bytes and the uncompressed tar are hashed as they pass, so the
 *     caller can compare the blob digest and the diff-id with what the manifest and the
 *     config say; a mismatch throws the whole directory away.
 *
 * The store is owned by real root; ownership, modes and file capabilities are written
 * as the tar says and containers see them through idmapped mounts (nscontain(1), "image import"). */

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "failpoint.h"
#include "image-internal.h"

#define BLOCK_SIZE (128 * 1024)

DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free);

static void archive_freep(struct archive **a) {
        if (*a)
                archive_read_free(*a);
}

static void hex_encode(const unsigned char *d, size_t n, char *out) {
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = digits[d[i] >> 4];
                out[2 * i + 1] = digits[d[i] & 15];
        }
        out[2 * n] = 0;
}

static int sha256_final_hex(EVP_MD_CTX *ctx, char ret[static IMAGE_DIGEST_LEN + 1]) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned len = 0;

        if (EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 32)
                return -EIO;
        hex_encode(md, 32, ret);
        return 0;
}

static EVP_MD_CTX *sha256_new(void) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
                EVP_MD_CTX_free(ctx);
                return NULL;
        }
        return ctx;
}

int image_sha256_buf(const void *p, size_t n, char ret[static IMAGE_DIGEST_LEN + 1]) {
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = sha256_new();

        if (!ctx)
                return -ENOMEM;
        if (EVP_DigestUpdate(ctx, p, n) != 1)
                return -EIO;
        return sha256_final_hex(ctx, ret);
}

int image_sha256_fd(int fd, char ret[static IMAGE_DIGEST_LEN + 1], uint64_t *ret_size) {
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = sha256_new();
        _cleanup_free_ char *buf = malloc(BLOCK_SIZE);
        uint64_t total = 0;

        if (!ctx || !buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k = read(fd, buf, BLOCK_SIZE);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        break;
                if (EVP_DigestUpdate(ctx, buf, (size_t)k) != 1)
                        return -EIO;
                total += (uint64_t)k;
        }
        if (ret_size)
                *ret_size = total;
        return sha256_final_hex(ctx, ret);
}

/* ---------------------------------------------------------------------------------------- */
/* Two libarchive readers: "outer" decompresses the blob (raw format; gzip, zstd or
 * none), "inner" reads the tar from what outer produces. Their callbacks hash both
 * streams and count the uncompressed bytes against the limit. */

typedef struct Extract {
        int blob_fd;
        int dest_fd;
        const ImageLimits *limits;
        LayerProgress progress;
        void *userdata;

        EVP_MD_CTX *blob_hash, *tar_hash;
        uint64_t blob_size, tar_size, entries, last_progress;
        bool too_big;

        struct archive *outer;
        char *blob_buf, *tar_buf;
        char **error;
} Extract;

static la_ssize_t outer_read(struct archive *a, void *userdata, const void **buf) {
        Extract *x = userdata;
        ssize_t k;

        do
                k = read(x->blob_fd, x->blob_buf, BLOCK_SIZE);
        while (k < 0 && errno == EINTR);
        if (k < 0) {
                if (a)
                        archive_set_error(a, errno, "read error");
                return -1;
        }
        if (EVP_DigestUpdate(x->blob_hash, x->blob_buf, (size_t)k) != 1) {
                if (a)
                        archive_set_error(a, EIO, "hash error");
                return -1;
        }
        x->blob_size += (uint64_t)k;
        *buf = x->blob_buf;
        return k;
}

static la_ssize_t inner_read(struct archive *a, void *userdata, const void **buf) {
        Extract *x = userdata;
        la_ssize_t k;

        k = archive_read_data(x->outer, x->tar_buf, BLOCK_SIZE);
        if (k < 0) {
                if (a)
                        archive_set_error(a, archive_errno(x->outer) ?: EIO, "%s",
                                          strna(archive_error_string(x->outer)));
                return -1;
        }
        if ((uint64_t)k > x->limits->max_size - MIN(x->tar_size, x->limits->max_size)) {
                /* A gzip bomb stops here: nothing past the limit is decompressed. */
                x->too_big = true;
                if (a)
                        archive_set_error(a, EFBIG, "layer larger than the limit");
                return -1;
        }
        if (EVP_DigestUpdate(x->tar_hash, x->tar_buf, (size_t)k) != 1) {
                if (a)
                        archive_set_error(a, EIO, "hash error");
                return -1;
        }
        x->tar_size += (uint64_t)k;
        if (x->progress && x->tar_size - x->last_progress >= (4U << 20)) {
                x->last_progress = x->tar_size;
                x->progress(x->tar_size, x->userdata);
        }
        *buf = x->tar_buf;
        return k;
}

/* ---------------------------------------------------------------------------------------- */
/* Names */

/* Normalizes a tar name in place: "./a//b/" → "a/b"; "." or "./" → "". Refuses
 * absolute names and ".." components (-EPERM). */
static int name_normalize(char *s) {
        char *w = s;
        const char *p = s;

        if (*p == '/')
                return -EPERM;
        while (*p) {
                const char *e = strchrnul(p, '/');
                size_t l = (size_t)(e - p);

                if (l == 2 && p[0] == '.' && p[1] == '.')
                        return -EPERM;
                if (l > 0 && !(l == 1 && p[0] == '.')) {
                        if (w != s)
                                *w++ = '/';
                        memmove(w, p, l);
                        w += l;
                }
                p = *e ? e + 1 : e;
        }
        *w = 0;
        return 0;
}

/* Opens the parent directory of 'path' (normalized, non-empty) below dest_fd, creating
 * missing directories as root 0755 (tars may omit them). Sets *ret_base to the last
 * component. A symlink on the way is -ELOOP; a non-directory -ENOTDIR. */
static int open_parent(int dest_fd, char *path, int *ret_fd, const char **ret_base) {
        _cleanup_close_ int fd = -EBADF;
        char *slash = strrchr(path, '/');
        char *p;

        fd = fcntl(dest_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return negative_errno();
        if (!slash) {
                *ret_fd = TAKE_FD(fd);
                *ret_base = path;
                return 0;
        }

        *slash = 0;
        p = path;
        for (;;) {
                char *e = strchr(p, '/');
                int nfd;

                if (e)
                        *e = 0;
                nfd = image_open_beneath(fd, p, O_RDONLY | O_DIRECTORY);
                if (nfd == -ENOTDIR) {
                        /* O_NOFOLLOW|O_DIRECTORY on a symlink says ENOTDIR: tell the two apart. */
                        struct stat st;
                        if (fstatat(fd, p, &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISLNK(st.st_mode))
                                nfd = -ELOOP;
                }
                if (nfd == -ENOENT) {
                        if (mkdirat(fd, p, 0755) < 0 && errno != EEXIST)
                                nfd = negative_errno();
                        else
                                nfd = image_open_beneath(fd, p, O_RDONLY | O_DIRECTORY);
                }
                if (e)
                        *e = '/';
                if (nfd < 0) {
                        *slash = '/';
                        return nfd;
                }
                safe_close(fd);
                fd = nfd;
                if (!e)
                        break;
                p = e + 1;
        }
        *slash = '/';
        *ret_fd = TAKE_FD(fd);
        *ret_base = slash + 1;
        return 0;
}

/* Makes room for a new entry 'name' in dir_fd: an existing non-directory is replaced
 * (as tar does); an existing directory stays when the new entry is one too (returns 1),
 * and is removed with what it holds otherwise. */
static int make_room(int dir_fd, const char *name, bool want_dir) {
        struct stat st;

        if (fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (S_ISDIR(st.st_mode)) {
                if (want_dir)
                        return 1;
                return image_rm_rf_at(dir_fd, name);
        }
        return RET_NERRNO(unlinkat(dir_fd, name, 0));
}

/* ---------------------------------------------------------------------------------------- */
/* Metadata */

static bool xattr_allowed(const char *name) {
        /* user.* and file capabilities. Not trusted.* (trusted.overlay.redirect or
         * .metacopy from a layer would steer overlayfs to other files), not
         * security.selinux (the host's policy labels), not ACLs (libarchive maps them
         * apart; unsupported). */
        return strncmp(name, "user.", 5) == 0 || streq(name, "security.capability");
}

static int apply_xattrs(struct archive_entry *e, int fd) {
        const char *name;
        const void *value;
        size_t size;

        archive_entry_xattr_reset(e);
        while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
                if (!name || !xattr_allowed(name))
                        continue;
                if (fsetxattr(fd, name, value, size, 0) < 0)
                        return negative_errno();
        }
        return 0;
}

/* Owner, then mode (chown clears setuid/setgid and file capabilities), then xattrs,
 * then times. fd is a real (not O_PATH) fd of a file or directory. */
static int apply_metadata(struct archive_entry *e, int fd) {
        la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
        struct timespec ts[2] = {
                {.tv_sec = archive_entry_atime(e), .tv_nsec = archive_entry_atime_nsec(e)},
                {.tv_sec = archive_entry_mtime(e), .tv_nsec = archive_entry_mtime_nsec(e)},
        };
        int r;

        if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
                return -ERANGE;
        if (fchown(fd, (uid_t)uid, (gid_t)gid) < 0)
                return negative_errno();
        if (fchmod(fd, archive_entry_perm(e) & 07777) < 0)
                return negative_errno();
        r = apply_xattrs(e, fd);
        if (r < 0)
                return r;
        if (!archive_entry_atime_is_set(e))
                ts[0] = ts[1];
        if (futimens(fd, ts) < 0)
                return negative_errno();
        return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Entries */

static int write_data(struct archive *a, int fd, uint64_t declared) {
        const void *buf;
        size_t size;
        la_int64_t offset;
        int r;

        /* Blocks at offsets: holes of sparse entries are skipped, not written. */
        while ((r = archive_read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK) {
                const char *p = buf;
                if (offset < 0 || (uint64_t)offset + size > declared)
                        return -EBADMSG;
                while (size > 0) {
                        ssize_t k = pwrite(fd, p, size, offset);
                        if (k < 0) {
                                if (errno == EINTR)
                                        continue;
                                return negative_errno();
                        }
                        p += k;
                        size -= (size_t)k;
                        offset += k;
                }
        }
        if (r != ARCHIVE_EOF)
                return -(archive_errno(a) > 0 ? archive_errno(a) : EIO);
        if (ftruncate(fd, (off_t)declared) < 0)
                return negative_errno();
        return 0;
}

static int entry_whiteout(int parent_fd, const char *base, const char **ret_why) {
        const char *target = base + STRLEN(".wh.");
        int r;

        if (streq(base, ".wh..wh..opq")) {
                /* Opaque directory: what lower layers hold below it is hidden. */
                if (fsetxattr(parent_fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
                        return negative_errno();
                return 0;
        }
        if (isempty(target) || streq(target, ".") || streq(target, "..") ||
            strncmp(target, ".wh.", 4) == 0) {
                *ret_why = "invalid whiteout name";
                return -EPERM;
        }
        r = make_room(parent_fd, target, false);
        if (r < 0)
                return r;
        return RET_NERRNO(mknodat(parent_fd, target, S_IFCHR | 0, makedev(0, 0)));
}

static int entry_hardlink(Extract *x, struct archive_entry *e, int parent_fd, const char *base,
                          const char **ret_why) {
        _cleanup_free_ char *target = NULL;
        _cleanup_close_ int tparent_fd = -EBADF;
        const char *tbase;
        struct stat st;
        int r;

        target = strdup(archive_entry_hardlink(e));
        if (!target)
                return -ENOMEM;
        if (strlen(target) > x->limits->max_path) {
                *ret_why = "link target too long";
                return -ENAMETOOLONG;
        }
        if (name_normalize(target) < 0 || isempty(target)) {
                *ret_why = "hard link target outside the layer";
                return -EPERM;
        }
        /* The target must already be in this layer, reached without a symlink. */
        r = open_parent(x->dest_fd, target, &tparent_fd, &tbase);
        if (r == -ELOOP || r == -EXDEV) {
                *ret_why = "hard link target through a symlink";
                return -EPERM;
        }
        if (r < 0)
                return r;
        if (fstatat(tparent_fd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                *ret_why = "hard link target not in the layer";
                return -ENOENT;
        }
        if (S_ISDIR(st.st_mode)) {
                *ret_why = "hard link to a directory";
                return -EPERM;
        }
        r = make_room(parent_fd, base, false);
        if (r < 0)
                return r;
        /* flags 0: a symlink target is linked itself, never followed. */
        return RET_NERRNO(linkat(tparent_fd, tbase, parent_fd, base, 0));
}

static int entry_create(Extract *x, struct archive *a, struct archive_entry *e, int parent_fd,
                        const char *base, const char **ret_why) {
        _cleanup_close_ int fd = -EBADF;
        mode_t type = archive_entry_filetype(e);
        int r;

        if (strncmp(base, ".wh.", 4) == 0)
                return entry_whiteout(parent_fd, base, ret_why);
        if (archive_entry_hardlink(e))
                return entry_hardlink(x, e, parent_fd, base, ret_why);

        switch (type) {
        case AE_IFDIR:
                r = make_room(parent_fd, base, true);
                if (r < 0)
                        return r;
                if (r == 0 && mkdirat(parent_fd, base, 0700) < 0)
                        return negative_errno();
                fd = image_open_beneath(parent_fd, base, O_RDONLY | O_DIRECTORY);
                if (fd < 0)
                        return fd;
                return apply_metadata(e, fd);

        case AE_IFREG: {
                la_int64_t size = archive_entry_size(e);
                if (size < 0)
                        return -EBADMSG;
                r = make_room(parent_fd, base, false);
                if (r < 0)
                        return r;
                fd = openat(parent_fd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0)
                        return negative_errno();
                r = write_data(a, fd, (uint64_t)size);
                if (r < 0)
                        return r;
                return apply_metadata(e, fd);
        }

        case AE_IFLNK: {
                const char *target = archive_entry_symlink(e);
                la_int64_t uid = archive_entry_uid(e), gid = archive_entry_gid(e);
                struct timespec ts[2] = {
                        {.tv_sec = archive_entry_mtime(e), .tv_nsec = archive_entry_mtime_nsec(e)},
                        {.tv_sec = archive_entry_mtime(e), .tv_nsec = archive_entry_mtime_nsec(e)},
                };

                /* A symlink may point anywhere: it is never followed while extracting
                 * (RESOLVE_NO_SYMLINKS) and resolves inside the container at run time. */
                if (isempty(target))
                        return -EBADMSG;
                if (strlen(target) > x->limits->max_path) {
                        *ret_why = "link target too long";
                        return -ENAMETOOLONG;
                }
                if (uid < 0 || uid >= UINT32_MAX || gid < 0 || gid >= UINT32_MAX)
                        return -ERANGE;
                r = make_room(parent_fd, base, false);
                if (r < 0)
                        return r;
                if (symlinkat(target, parent_fd, base) < 0)
                        return negative_errno();
                if (fchownat(parent_fd, base, (uid_t)uid, (gid_t)gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
                return RET_NERRNO(utimensat(parent_fd, base, ts, AT_SYMLINK_NOFOLLOW));
        }

        case AE_IFCHR:
        case AE_IFBLK:
                /* The overlayfs form of a whiteout is the only device node a layer may
                 * hold: any other would open the host's devices to the container. */
                if (type == AE_IFCHR && archive_entry_rdev(e) == makedev(0, 0)) {
                        r = make_room(parent_fd, base, false);
                        if (r < 0)
                                return r;
                        return RET_NERRNO(mknodat(parent_fd, base, S_IFCHR | 0, makedev(0, 0)));
                }
                *ret_why = "device node";
                return -EPERM;

        case AE_IFIFO:
                r = make_room(parent_fd, base, false);
                if (r < 0)
                        return r;
                if (mknodat(parent_fd, base, S_IFIFO | 0600, 0) < 0)
                        return negative_errno();
                fd = image_open_beneath(parent_fd, base, O_RDONLY | O_NONBLOCK);
                if (fd < 0)
                        return fd;
                return apply_metadata(e, fd);

        default:
                *ret_why = "unsupported entry type";
                return -EPERM;
        }
}

/* *ret_name: a copy of the current entry's name (libarchive's own is freed by an error). */
static int extract_entries(Extract *x, struct archive *inner, char **ret_name, const char **ret_why) {
        struct archive_entry *e;
        int r;

        for (;;) {
                _cleanup_free_ char *path = NULL;
                _cleanup_close_ int parent_fd = -EBADF;
                const char *base, *name;

                r = archive_read_next_header(inner, &e);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r == ARCHIVE_RETRY)
                        continue;
                if (r < ARCHIVE_WARN) {
                        *ret_why = x->too_big ? NULL : archive_error_string(inner);
                        return x->too_big ? -EFBIG : -EBADMSG;
                }

                name = archive_entry_pathname(e);
                free(*ret_name);
                *ret_name = name ? strdup(name) : NULL;
                if (name && !*ret_name)
                        return -ENOMEM;
                /* Mid-layer: entries written to the temp dir, the rest not yet. */
                r = failpoint("image:extract-entry");
                if (r < 0)
                        return r;
                if (++x->entries > x->limits->max_entries) {
                        *ret_why = "more entries than the limit";
                        return -E2BIG;
                }
                if (!name) {
                        *ret_why = "entry without a name";
                        return -EBADMSG;
                }
                if (strlen(name) > x->limits->max_path) {
                        *ret_why = "name longer than the limit";
                        return -ENAMETOOLONG;
                }
                path = strdup(name);
                if (!path)
                        return -ENOMEM;
                if (name_normalize(path) < 0) {
                        *ret_why = "absolute name or '..' component";
                        return -EPERM;
                }
                if (isempty(path)) {
                        /* "./": the layer's own root directory. */
                        _cleanup_close_ int root_fd = -EBADF;
                        if (archive_entry_filetype(e) != AE_IFDIR) {
                                *ret_why = "the root is not a directory";
                                return -EPERM;
                        }
                        root_fd = image_open_beneath(x->dest_fd, ".", O_RDONLY | O_DIRECTORY);
                        if (root_fd < 0)
                                return root_fd;
                        r = apply_metadata(e, root_fd);
                        if (r < 0)
                                return r;
                        continue;
                }

                r = open_parent(x->dest_fd, path, &parent_fd, &base);
                if (r == -ELOOP || r == -EXDEV) {
                        *ret_why = "path through a symlink";
                        return -EPERM;
                }
                if (r == -ENOTDIR) {
                        *ret_why = "path through a non-directory";
                        return -EPERM;
                }
                if (r < 0)
                        return r;
                r = entry_create(x, inner, e, parent_fd, base, ret_why);
                if (r < 0)
                        return r;
                if (x->too_big) {
                        *ret_why = NULL;
                        return -EFBIG;
                }
        }
}

/* Reads what is left of the uncompressed stream and of the blob, so that both digests
 * cover every byte (the tar reader stops at the end-of-archive blocks). */
static int drain(Extract *x) {
        la_ssize_t k;
        const void *buf;

        while ((k = inner_read(NULL, x, &buf)) > 0)
                ;
        if (k < 0)
                return x->too_big ? -EFBIG : -EBADMSG;
        while ((k = outer_read(NULL, x, &buf)) > 0)
                ;
        return k < 0 ? -EIO : 0;
}

int layer_extract(int blob_fd, int dest_fd, const ImageLimits *limits, LayerProgress progress,
                  void *userdata, LayerResult *ret, char **ret_error) {
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *blob_hash = sha256_new(), *tar_hash = sha256_new();
        _cleanup_(archive_freep) struct archive *outer = NULL, *inner = NULL;
        _cleanup_free_ char *blob_buf = malloc(BLOCK_SIZE), *tar_buf = malloc(BLOCK_SIZE);
        struct archive_entry *raw;
        _cleanup_free_ char *name = NULL;
        const char *why = NULL;
        LayerResult res = {};
        int r;

        assert(blob_fd >= 0 && dest_fd >= 0 && ret);
        limits = limits ?: &IMAGE_LIMITS_DEFAULT;

        if (!blob_hash || !tar_hash || !blob_buf || !tar_buf)
                return -ENOMEM;

        Extract x = {
                .blob_fd = blob_fd,
                .dest_fd = dest_fd,
                .limits = limits,
                .progress = progress,
                .userdata = userdata,
                .blob_hash = blob_hash,
                .tar_hash = tar_hash,
                .blob_buf = blob_buf,
                .tar_buf = tar_buf,
                .error = ret_error,
        };

        outer = archive_read_new();
        inner = archive_read_new();
        if (!outer || !inner)
                return -ENOMEM;
        x.outer = outer;
        /* Only what OCI layers use: no xz, bzip2, lzma, uudecode, or external programs. */
        if (archive_read_support_filter_gzip(outer) != ARCHIVE_OK ||
            archive_read_support_filter_zstd(outer) != ARCHIVE_OK ||
            archive_read_support_format_raw(outer) != ARCHIVE_OK ||
            archive_read_support_format_tar(inner) != ARCHIVE_OK)
                return image_errorf(ret_error, -EOPNOTSUPP, "libarchive lacks gzip, zstd or tar support");

        if (archive_read_open2(outer, &x, NULL, outer_read, NULL, NULL) != ARCHIVE_OK)
                return image_errorf(ret_error, -EBADMSG, "cannot read the layer: %s",
                                    strna(archive_error_string(outer)));
        r = archive_read_next_header(outer, &raw);
        if (r == ARCHIVE_EOF)
                return image_errorf(ret_error, -EBADMSG, "empty layer");
        if (r < ARCHIVE_WARN)
                return image_errorf(ret_error, -EBADMSG, "cannot read the layer: %s",
                                    strna(archive_error_string(outer)));
        if (archive_read_open2(inner, &x, NULL, inner_read, NULL, NULL) != ARCHIVE_OK)
                return x.too_big ? image_errorf(ret_error, -EFBIG, "layer larger than %" PRIu64 " bytes",
                                                limits->max_size)
                                 : image_errorf(ret_error, -EBADMSG, "not a tar archive: %s",
                                                strna(archive_error_string(inner)));

        r = extract_entries(&x, inner, &name, &why);
        /* The name as the tar has it, cut so that a long one cannot hide the reason. */
        int w = 256;
        const char *more = name && strlen(name) > (size_t)w ? "..." : "";
        if (r == -EFBIG && x.too_big)
                return image_errorf(ret_error, r,
                                    "entry '%.*s%s': layer larger than %" PRIu64 " bytes (uncompressed)", w,
                                    strna(name), more, limits->max_size);
        if (r < 0 && why)
                return image_errorf(ret_error, r, "entry '%.*s%s': refused: %s", w, strna(name), more, why);
        if (r < 0)
                return image_errorf(ret_error, r, "entry '%.*s%s': %s", w, strna(name), more, strerror(-r));

        r = drain(&x);
        if (r == -EFBIG)
                return image_errorf(ret_error, r, "layer larger than %" PRIu64 " bytes (uncompressed)",
                                    limits->max_size);
        if (r < 0)
                return image_errorf(ret_error, r, "cannot read the layer to its end: %s", strerror(-r));

        r = sha256_final_hex(blob_hash, res.blob_digest);
        if (r >= 0)
                r = sha256_final_hex(tar_hash, res.diff_id);
        if (r < 0)
                return r;
        res.blob_size = x.blob_size;
        res.size = x.tar_size;
        res.entries = x.entries;
        *ret = res;
        return 0;
}

