/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The image store (nscontain(1), "image import"):
 *
 *   STORE/layers/HEX/          one unpacked layer, HEX its diff-id; shared by every image
 *   STORE/layers/.tmp-HEX/     a layer being unpacked (a kill leaves it; the next import
 *                              of that layer removes it under the layer's lock)
 *   STORE/layers/.lock-HEX     flock: one importer per layer at a time
 *   STORE/images/ID/           config.json (the verified config blob; ID is its digest)
 *                              and image.json (size, import time)
 *   STORE/.src-XXXXXX/         an oci-archive or docker-archive being read (removed when the
 *                              import ends; what a kill leaves, prune removes)
 *   STORE/names.json           {"NAME:TAG" or the source string: ID}
 *   STORE/.lock                flock: shared by imports, exclusive by rm and prune, so a
 *                              layer an import has unpacked but not yet recorded is never
 *                              pruned
 *   STORE/.names-lock          flock: one writer of images/ and names.json at a time
 *
 * Everything is written to a temp name, synced and renamed: a reader or a kill sees the
 * old state or the new, never a part. */

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "fileio.h"
#include "fs-util.h"
#include "image-store-internal.h"

int image_open_beneath(int dir_fd, const char *path, int flags) {
        return openat2_fd(dir_fd, path, flags | O_NOFOLLOW,
                          RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
}

static int rm_rf_children(int dir_fd, unsigned depth) {
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (depth > 4096)
                return -ELOOP;
        d = fdopendir(dir_fd);
        if (!d) {
                safe_close(dir_fd);
                return negative_errno();
        }
        while ((de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
                        int fd = openat(dirfd(d), de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd >= 0) {
                                int q = rm_rf_children(fd, depth + 1);
                                if (q < 0 && r == 0)
                                        r = q;
                                if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 && r == 0)
                                        r = negative_errno();
                                continue;
                        }
                        if (errno != ENOTDIR && errno != ELOOP) {
                                if (r == 0)
                                        r = negative_errno();
                                continue;
                        }
                }
                if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT && r == 0)
                        r = negative_errno();
        }
        closedir(d);
        return r;
}

int image_rm_rf_at(int dir_fd, const char *name) {
        int fd, r;

        fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return 0;
                if (errno == ENOTDIR || errno == ELOOP)
                        return RET_NERRNO(unlinkat(dir_fd, name, 0));
                return negative_errno();
        }
        r = rm_rf_children(fd, 0);
        if (r < 0)
                return r;
        if (unlinkat(dir_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

int image_store_open(bool create, ImageStore *ret) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;
        const char *e = getenv(IMAGE_STORE_ENV);
        int r;

        path = strdup(!isempty(e) ? e : IMAGE_STORE_DIR);
        if (!path)
                return -ENOMEM;
        if (create) {
                r = mkdir_p_at(AT_FDCWD, path, 0700, NULL);
                if (r < 0)
                        return r;
        }
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (create) {
                if ((mkdirat(fd, "layers", 0700) < 0 && errno != EEXIST) ||
                    (mkdirat(fd, "images", 0700) < 0 && errno != EEXIST))
                        return negative_errno();
        }
        *ret = (ImageStore){.path = TAKE_PTR(path), .dir_fd = TAKE_FD(fd)};
        return 0;
}

void image_store_close(ImageStore *s) {
        if (!s)
                return;
        free(s->path);
        safe_close(s->dir_fd);
        *s = (ImageStore){.dir_fd = -EBADF};
}

int image_store_lock(ImageStore *s, const char *name, int operation) {
        _cleanup_close_ int fd = -EBADF;

        fd = openat(s->dir_fd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return negative_errno();
        while (flock(fd, operation) < 0) {
                if (errno != EINTR)
                        return negative_errno();
        }
        return TAKE_FD(fd);
}

/* ---------------------------------------------------------------------------------------- */
/* names.json */

int image_store_names_read(ImageStore *s, json_object **ret) {
        _cleanup_free_ char *text = NULL;
        json_object *o;
        size_t n;
        int r;

        r = read_full_file_at(s->dir_fd, "names.json", IMAGE_JSON_MAX, &text, &n);
        if (r == -ENOENT) {
                o = json_object_new_object();
                if (!o)
                        return -ENOMEM;
                *ret = o;
                return 0;
        }
        if (r < 0)
                return r;
        o = json_tokener_parse(text);
        if (!json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return -EBADMSG;
        }
        *ret = o;
        return 0;
}

int image_store_names_write(ImageStore *s, json_object *names) {
        const char *text = json_object_to_json_string_ext(names, JSON_C_TO_STRING_PRETTY);
        if (!text)
                return -ENOMEM;
        return write_file_atomic_at(s->dir_fd, "names.json", text, strlen(text), 0600, true);
}

static bool is_hex_prefix(const char *s) {
        if (strlen(s) < 12 || strlen(s) > IMAGE_DIGEST_LEN)
                return false;
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

int image_store_resolve(ImageStore *s, const char *name, char ret_id[static IMAGE_DIGEST_LEN + 1]) {
        _cleanup_json_ json_object *names = NULL;
        _cleanup_free_ char *normalized = NULL;
        const char *id = NULL, *p = name;
        json_object *v;
        int r;

        r = image_store_names_read(s, &names);
        if (r < 0)
                return r;
        if (json_object_object_get_ex(names, name, &v))
                id = json_object_get_string(v);
        else if (!image_source_is_transport(name) && image_name_normalize(name, &normalized) >= 0 &&
                 json_object_object_get_ex(names, normalized, &v))
                id = json_object_get_string(v);
        if (id) {
                if (strlen(id) != IMAGE_DIGEST_LEN)
                        return -EBADMSG;
                memcpy(ret_id, id, IMAGE_DIGEST_LEN + 1);
                return 0;
        }

        /* An id, "sha256:ID" or a unique prefix of at least 12 digits. */
        if (strncmp(p, "sha256:", 7) == 0)
                p += 7;
        if (!is_hex_prefix(p))
                return -ENOENT;
        _cleanup_(closedirp) DIR *d = NULL;
        r = opendir_at(s->dir_fd, "images", &d);
        if (r < 0)
                return r;
        bool found = false;
        for (struct dirent *de; (de = readdir(d));) {
                if (strlen(de->d_name) != IMAGE_DIGEST_LEN || strncmp(de->d_name, p, strlen(p)) != 0)
                        continue;
                if (found)
                        return -ENOTUNIQ;
                memcpy(ret_id, de->d_name, IMAGE_DIGEST_LEN + 1);
                found = true;
        }
        return found ? 0 : -ENOENT;
}

/* ---------------------------------------------------------------------------------------- */
/* Images */

static int image_dir_open(ImageStore *s, const char *id) {
        _cleanup_close_ int dfd = -EBADF;

        if (strlen(id) != IMAGE_DIGEST_LEN || strchr(id, '/'))
                return -EINVAL;
        dfd = image_open_beneath(s->dir_fd, "images", O_RDONLY | O_DIRECTORY);
        if (dfd < 0)
                return dfd;
        return image_open_beneath(dfd, id, O_RDONLY | O_DIRECTORY);
}

static int image_dir_config(int dfd, ImageConfig *ret) {
        _cleanup_free_ char *text = NULL;
        size_t n;
        int r;

        r = read_full_file_at(dfd, "config.json", IMAGE_JSON_MAX, &text, &n);
        if (r < 0)
                return r;
        return image_config_parse(text, n, ret, NULL);
}

int image_store_config(ImageStore *s, const char *id, ImageConfig *ret) {
        _cleanup_close_ int dfd = -EBADF;

        dfd = image_dir_open(s, id);
        if (dfd < 0)
                return dfd;
        return image_dir_config(dfd, ret);
}

int image_store_info(ImageStore *s, const char *id, ImageInfo *ret) {
        _cleanup_(image_info_done) ImageInfo info = {};
        _cleanup_json_ json_object *names = NULL, *meta = NULL;
        _cleanup_close_ int dfd = -EBADF;
        _cleanup_free_ char *mtext = NULL;
        json_object *v;
        size_t n;
        int r;

        dfd = image_dir_open(s, id);
        if (dfd < 0)
                return dfd;
        r = image_dir_config(dfd, &info.config);
        if (r < 0)
                return r;
        memcpy(info.id, id, IMAGE_DIGEST_LEN + 1);

        if (read_full_file_at(dfd, "image.json", IMAGE_JSON_MAX, &mtext, &n) >= 0 &&
            (meta = json_tokener_parse(mtext))) {
                if (json_object_object_get_ex(meta, "size", &v))
                        info.size = (uint64_t)json_object_get_int64(v);
                if (json_object_object_get_ex(meta, "imported", &v) &&
                    json_object_is_type(v, json_type_string))
                        info.imported = strdup(json_object_get_string(v));
        }

        r = image_store_names_read(s, &names);
        if (r < 0)
                return r;
        json_object_object_foreach(names, k, val) {
                if (streq(json_object_get_string(val), id) && strv_extend(&info.names, k) < 0)
                        return -ENOMEM;
        }
        *ret = info;
        info = (ImageInfo){};
        return 0;
}

void image_info_done(ImageInfo *i) {
        if (!i)
                return;
        strv_free(i->names);
        image_config_done(&i->config);
        free(i->imported);
        *i = (ImageInfo){};
}

void image_infos_free(ImageInfo *i, size_t n) {
        for (size_t k = 0; k < n; k++)
                image_info_done(&i[k]);
        free(i);
}

static int ids_list(ImageStore *s, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        int r;

        r = opendir_at(s->dir_fd, "images", &d);
        if (r == -ENOENT) {
                *ret = NULL;
                return 0;
        }
        if (r < 0)
                return r;
        for (struct dirent *de; (de = readdir(d));)
                if (strlen(de->d_name) == IMAGE_DIGEST_LEN && strv_extend(&l, de->d_name) < 0)
                        return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

int image_store_list(ImageStore *s, ImageInfo **ret, size_t *ret_n) {
        _cleanup_strv_free_ char **ids = NULL;
        ImageInfo *l = NULL;
        size_t n = 0;
        int r;

        r = ids_list(s, &ids);
        if (r < 0)
                return r;
        l = calloc(strv_length(ids) + 1, sizeof(ImageInfo));
        if (!l)
                return -ENOMEM;
        STRV_FOREACH (id, ids) {
                r = image_store_info(s, *id, &l[n]);
                if (r == -ENOENT)
                        continue; /* removed meanwhile */
                if (r < 0) {
                        image_infos_free(l, n);
                        return r;
                }
                n++;
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

int image_store_layers_open(ImageStore *s) {
        return image_open_beneath(s->dir_fd, "layers", O_PATH | O_DIRECTORY);
}

int image_layer_open_at(int layers_fd, const char *diff_id) {
        if (strlen(diff_id) != IMAGE_DIGEST_LEN || strchr(diff_id, '/') || diff_id[0] == '.')
                return -EINVAL;
        return image_open_beneath(layers_fd, diff_id, O_PATH | O_DIRECTORY);
}

int image_store_layer_open(ImageStore *s, const char *diff_id) {
        _cleanup_close_ int lfd = -EBADF;

        lfd = image_store_layers_open(s);
        if (lfd < 0)
                return lfd;
        return image_layer_open_at(lfd, diff_id);
}

static int remove_locked(ImageStore *s, const char *id) {
        _cleanup_json_ json_object *names = NULL;
        _cleanup_close_ int ifd = -EBADF;
        _cleanup_strv_free_ char **drop = NULL;
        int r;

        r = image_store_names_read(s, &names);
        if (r < 0)
                return r;
        json_object_object_foreach(names, k, v) {
                if (streq(json_object_get_string(v), id) && strv_extend(&drop, k) < 0)
                        return -ENOMEM;
        }
        STRV_FOREACH (d, drop)
                json_object_object_del(names, *d);
        r = image_store_names_write(s, names);
        if (r < 0)
                return r;
        ifd = openat(s->dir_fd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ifd < 0)
                return negative_errno();
        return image_rm_rf_at(ifd, id);
}

/* Both locks, for what removes: no import runs meanwhile. */
static int lock_exclusive(ImageStore *s, int *ret_lock, int *ret_names_lock) {
        int lock, names_lock;

        lock = image_store_lock(s, ".lock", LOCK_EX);
        if (lock < 0)
                return lock;
        names_lock = image_store_lock(s, ".names-lock", LOCK_EX);
        if (names_lock < 0) {
                safe_close(lock);
                return names_lock;
        }
        *ret_lock = lock;
        *ret_names_lock = names_lock;
        return 0;
}

int image_store_remove(ImageStore *s, const char *id) {
        _cleanup_close_ int lock = -EBADF, names_lock = -EBADF;
        int r;

        r = lock_exclusive(s, &lock, &names_lock);
        if (r < 0)
                return r;
        return remove_locked(s, id);
}

int image_store_untag(ImageStore *s, const char *name) {
        _cleanup_close_ int lock = -EBADF, names_lock = -EBADF;
        _cleanup_json_ json_object *names = NULL;
        char id[IMAGE_DIGEST_LEN + 1];
        bool left = false;
        json_object *v;
        int r;

        r = lock_exclusive(s, &lock, &names_lock);
        if (r < 0)
                return r;
        r = image_store_names_read(s, &names);
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(names, name, &v) ||
            strlen(json_object_get_string(v)) != IMAGE_DIGEST_LEN)
                return -ENOENT;
        memcpy(id, json_object_get_string(v), sizeof(id));
        json_object_object_del(names, name);
        json_object_object_foreach(names, k, val) {
                (void)k;
                if (streq(json_object_get_string(val), id))
                        left = true;
        }
        if (left)
                return image_store_names_write(s, names);
        return remove_locked(s, id);
}

int image_store_prune(ImageStore *s) {
        _cleanup_close_ int lock = -EBADF, lfd = -EBADF;
        _cleanup_strv_free_ char **ids = NULL, **used = NULL, **entries = NULL;
        _cleanup_(closedirp) DIR *d = NULL;
        int r, n = 0;

        lock = image_store_lock(s, ".lock", LOCK_EX);
        if (lock < 0)
                return lock;

        /* Imports make their .src-* dirs holding the store lock shared: with it exclusive,
         * every one left is a killed import's. */
        r = opendir_at(s->dir_fd, ".", &d);
        if (r < 0)
                return r;
        for (struct dirent *de; (de = readdir(d));)
                if (strncmp(de->d_name, ".src-", 5) == 0 && strv_extend(&entries, de->d_name) < 0)
                        return -ENOMEM;
        closedirp(&d);
        d = NULL;
        STRV_FOREACH (e, entries) {
                r = image_rm_rf_at(s->dir_fd, *e);
                if (r < 0)
                        return r;
        }
        entries = strv_free(entries);

        r = ids_list(s, &ids);
        if (r < 0)
                return r;
        STRV_FOREACH (id, ids) {
                _cleanup_(image_info_done) ImageInfo info = {};
                r = image_store_info(s, *id, &info);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < info.config.n_diff_ids; i++)
                        if (strv_extend(&used, info.config.diff_ids[i]) < 0)
                                return -ENOMEM;
        }

        lfd = openat(s->dir_fd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (lfd < 0)
                return errno == ENOENT ? 0 : negative_errno();
        r = opendir_at(lfd, ".", &d);
        if (r < 0)
                return r;
        for (struct dirent *de; (de = readdir(d));)
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..") &&
                    strv_extend(&entries, de->d_name) < 0)
                        return -ENOMEM;

        STRV_FOREACH (e, entries) {
                const char *hex = *e;
                bool tmp = strncmp(hex, ".tmp-", 5) == 0;

                if (strncmp(hex, ".lock-", 6) == 0)
                        continue;
                if (tmp)
                        hex += 5;
                if (strlen(hex) != IMAGE_DIGEST_LEN || (!tmp && strv_contains(used, hex)))
                        continue;
                /* An import of this layer holds its lock while it unpacks: leave it be. */
                _cleanup_free_ char *lockname = NULL;
                if (asprintf(&lockname, "layers/.lock-%s", hex) < 0)
                        return -ENOMEM;
                _cleanup_close_ int l = image_store_lock(s, lockname, LOCK_EX | LOCK_NB);
                if (l == -EWOULDBLOCK)
                        continue;
                if (l < 0)
                        return l;
                /* The lock file stays: removing it would let a waiter that opened it hold
                 * a lock nobody else sees. */
                r = image_rm_rf_at(lfd, *e);
                if (r < 0)
                        return r;
                if (!tmp)
                        n++;
        }
        return n;
}

const char *image_format_size(uint64_t n, char *buf, size_t size) {
        static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
        size_t u = 0;
        uint64_t v = n;

        while (v >= 1024 * 10 && u + 1 < ELEMENTSOF(units)) {
                v /= 1024;
                u++;
        }
        snprintf(buf, size, "%" PRIu64 " %s", v, units[u]);
        return buf;
}
