/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Import of an image into the store (nscontain(1), "image import"): from an OCI layout, an OCI
 * archive or a "docker save" archive. Archives are unpacked (by the same hostile-safe
 * extractor) into a temp dir of the store first and then read like a layout. Every
 * blob is checked against its digest and size, every layer against its diff-id in the
 * config; the image's id is the digest of its config, as docker's. */

#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "failpoint.h"
#include "fileio.h"
#include "image-store-internal.h"

#define INDEX_DEPTH_MAX 4

typedef struct PlanLayer {
        char *path;                        /* below the source dir */
        char digest[IMAGE_DIGEST_LEN + 1]; /* expected blob digest; "" when unknown */
        uint64_t size;                     /* expected blob size; UINT64_MAX when unknown */
} PlanLayer;

typedef struct Plan {
        const char *source;
        int dir_fd; /* the layout (or the unpacked archive) */
        char *config_text;
        size_t config_size;
        char id[IMAGE_DIGEST_LEN + 1];
        ImageConfig config;
        PlanLayer *layers;
        size_t n_layers;
} Plan;

static void plan_done(Plan *p) {
        free(p->config_text);
        image_config_done(&p->config);
        for (size_t i = 0; i < p->n_layers; i++)
                free(p->layers[i].path);
        free(p->layers);
}

static int blob_path(const char *hex, char **ret) {
        return asprintf(ret, "blobs/sha256/%s", hex) < 0 ? -ENOMEM : 0;
}

/* Reads a small blob of the layout and checks its digest and size. */
static int read_blob(Plan *p, const ImageDescriptor *d, const char *what, char **ret, size_t *ret_size,
                     char **ret_error) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_close_ int fd = -EBADF;
        char digest[IMAGE_DIGEST_LEN + 1];
        size_t n;
        int r;

        r = blob_path(d->digest, &path);
        if (r < 0)
                return r;
        fd = image_open_beneath(p->dir_fd, path, O_RDONLY);
        if (fd < 0)
                return image_errorf(ret_error, fd, "%s: %s sha256:%s: cannot open the blob: %s", p->source,
                                    what, d->digest, strerror(-fd));
        r = read_full_fd(fd, IMAGE_JSON_MAX, &text, &n);
        if (r < 0)
                return image_errorf(ret_error, r, "%s: %s sha256:%s: cannot read the blob: %s", p->source,
                                    what, d->digest, strerror(-r));
        r = image_sha256_buf(text, n, digest);
        if (r < 0)
                return r;
        if (!streq(digest, d->digest) || n != d->size)
                return image_errorf(
                        ret_error, -EBADMSG,
                        "%s: %s sha256:%s: digest or size mismatch (the blob has sha256:%s, %zu bytes)",
                        p->source, what, d->digest, digest, n);
        *ret = TAKE_PTR(text);
        *ret_size = n;
        return 0;
}

static int plan_config(Plan *p, char **ret_error) {
        _cleanup_free_ char *why = NULL;
        const char *arch = image_native_architecture();
        int r;

        r = image_config_parse(p->config_text, p->config_size, &p->config, &why);
        if (r < 0)
                return image_errorf(ret_error, r, "%s: config sha256:%s: %s", p->source, p->id, strna(why));
        if (p->config.architecture && !streq(p->config.architecture, arch))
                return image_errorf(ret_error, -EPROTONOSUPPORT,
                                    "%s: config sha256:%s: the image is for %s, this machine is %s",
                                    p->source, p->id, p->config.architecture, arch);
        if (p->config.n_diff_ids != p->n_layers)
                return image_errorf(ret_error, -EBADMSG,
                                    "%s: the manifest has %zu layers, the config %zu diff_ids", p->source,
                                    p->n_layers, p->config.n_diff_ids);
        return 0;
}

static int plan_oci(Plan *p, const char *tag, char **ret_error) {
        _cleanup_free_ char *text = NULL, *why = NULL;
        _cleanup_(image_descriptor_done) ImageDescriptor d = {};
        _cleanup_(image_manifest_done) ImageManifest m = {};
        const char *arch = image_native_architecture();
        size_t n;
        int r, depth = 0;

        r = read_full_file_at(p->dir_fd, "index.json", IMAGE_JSON_MAX, &text, &n);
        if (r < 0)
                return image_errorf(ret_error, r, "%s: cannot read index.json: %s", p->source, strerror(-r));
        if (faccessat(p->dir_fd, "oci-layout", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
                return image_errorf(ret_error, -EBADMSG, "%s: no oci-layout file: not an OCI image layout",
                                    p->source);
        r = image_index_select(text, n, tag, arch, &d, &why);
        while (r == 1) {
                /* A nested index (a multi-architecture image): pick this machine's. */
                _cleanup_free_ char *sub = NULL;
                if (++depth > INDEX_DEPTH_MAX)
                        return image_errorf(ret_error, -ELOOP, "%s: indexes nested too deep", p->source);
                r = read_blob(p, &d, "index", &sub, &n, ret_error);
                if (r < 0)
                        return r;
                char digest[IMAGE_DIGEST_LEN + 1];
                memcpy(digest, d.digest, sizeof(digest));
                image_descriptor_done(&d);
                free(why);
                why = NULL;
                r = image_index_select(sub, n, NULL, arch, &d, &why);
                if (r < 0)
                        return image_errorf(ret_error, r, "%s: index sha256:%s: %s", p->source, digest,
                                            strna(why));
        }
        if (r < 0)
                return image_errorf(ret_error, r, "%s: %s", p->source, strna(why));

        free(text);
        text = NULL;
        r = read_blob(p, &d, "manifest", &text, &n, ret_error);
        if (r < 0)
                return r;
        free(why);
        why = NULL;
        r = image_manifest_parse(text, n, &m, &why);
        if (r < 0)
                return image_errorf(ret_error, r, "%s: manifest sha256:%s: %s", p->source, d.digest,
                                    strna(why));

        r = read_blob(p, &m.config, "config", &p->config_text, &p->config_size, ret_error);
        if (r < 0)
                return r;
        memcpy(p->id, m.config.digest, sizeof(p->id));

        p->layers = calloc(m.n_layers ?: 1, sizeof(PlanLayer));
        if (!p->layers)
                return -ENOMEM;
        for (size_t i = 0; i < m.n_layers; i++) {
                r = blob_path(m.layers[i].digest, &p->layers[i].path);
                if (r < 0)
                        return r;
                memcpy(p->layers[i].digest, m.layers[i].digest, IMAGE_DIGEST_LEN + 1);
                p->layers[i].size = m.layers[i].size;
                p->n_layers = i + 1;
        }
        return plan_config(p, ret_error);
}

/* "blobs/sha256/HEX" (docker ≥ 25), "HEX.json" and "HEX.tar" (skopeo, older docker):
 * the digest the name promises, checked like an OCI blob's. */
static void digest_from_name(const char *path, char ret[static IMAGE_DIGEST_LEN + 1]) {
        const char *p = path;
        char tmp[7 + IMAGE_DIGEST_LEN + 1];

        ret[0] = 0;
        if (strncmp(p, "blobs/sha256/", 13) == 0)
                p += 13;
        if (strlen(p) < IMAGE_DIGEST_LEN)
                return;
        snprintf(tmp, sizeof(tmp), "sha256:%.*s", IMAGE_DIGEST_LEN, p);
        if (image_digest_parse(tmp, ret) < 0 ||
            !(p[IMAGE_DIGEST_LEN] == 0 || streq(p + IMAGE_DIGEST_LEN, ".json") ||
              streq(p + IMAGE_DIGEST_LEN, ".tar")))
                ret[0] = 0;
}

static int plan_docker(Plan *p, const char *name_tag, char **ret_error) {
        _cleanup_free_ char *text = NULL, *why = NULL;
        _cleanup_(docker_manifest_done) DockerManifest m = {};
        _cleanup_close_ int fd = -EBADF;
        char promised[IMAGE_DIGEST_LEN + 1];
        size_t n;
        int r;

        r = read_full_file_at(p->dir_fd, "manifest.json", IMAGE_JSON_MAX, &text, &n);
        if (r < 0)
                return image_errorf(ret_error, r, "%s: cannot read manifest.json: %s", p->source,
                                    strerror(-r));
        r = docker_manifest_parse(text, n, name_tag, &m, &why);
        if (r < 0)
                return image_errorf(ret_error, r, "%s: %s", p->source, strna(why));

        fd = image_open_beneath(p->dir_fd, m.config, O_RDONLY);
        if (fd < 0)
                return image_errorf(ret_error, fd, "%s: config '%s': %s", p->source, m.config,
                                    strerror(-fd));
        r = read_full_fd(fd, IMAGE_JSON_MAX, &p->config_text, &p->config_size);
        if (r < 0)
                return image_errorf(ret_error, r, "%s: config '%s': %s", p->source, m.config, strerror(-r));
        r = image_sha256_buf(p->config_text, p->config_size, p->id);
        if (r < 0)
                return r;
        digest_from_name(m.config, promised);
        if (promised[0] && !streq(promised, p->id))
                return image_errorf(ret_error, -EBADMSG,
                                    "%s: config '%s': digest mismatch (the file has sha256:%s)", p->source,
                                    m.config, p->id);

        p->layers = calloc(m.n_layers ?: 1, sizeof(PlanLayer));
        if (!p->layers)
                return -ENOMEM;
        for (size_t i = 0; i < m.n_layers; i++) {
                p->layers[i].path = strdup(m.layers[i]);
                if (!p->layers[i].path)
                        return -ENOMEM;
                digest_from_name(m.layers[i], p->layers[i].digest);
                p->layers[i].size = UINT64_MAX;
                p->n_layers = i + 1;
        }
        return plan_config(p, ret_error);
}

/* ---------------------------------------------------------------------------------------- */

typedef struct LayerProgressCtx {
        ImportProgressFunc func;
        void *userdata;
        ImportProgress p;
} LayerProgressCtx;

static void layer_progress(uint64_t bytes, void *userdata) {
        LayerProgressCtx *c = userdata;
        c->p.bytes = bytes;
        c->func(&c->p, c->userdata);
}

static int layer_size_read(int layers_fd, const char *hex, uint64_t *ret) {
        _cleanup_free_ char *name = NULL, *text = NULL;

        if (asprintf(&name, ".size-%s", hex) < 0)
                return -ENOMEM;
        if (read_full_file_at(layers_fd, name, 64, &text, NULL) < 0)
                return -ENOENT;
        *ret = strtoull(text, NULL, 10);
        return 0;
}

/* Unpacks layer i unless the store has it; under the layer's lock, so two imports of
 * one layer unpack it once. */
static int import_layer(ImageStore *s, Plan *p, size_t i, const ImageLimits *limits, LayerProgressCtx *ctx,
                        uint64_t *ret_size, char **ret_error) {
        const char *hex = p->config.diff_ids[i];
        const PlanLayer *l = &p->layers[i];
        _cleanup_free_ char *lockname = NULL, *tmp = NULL, *sizename = NULL, *why = NULL;
        _cleanup_close_ int lock = -EBADF, layers_fd = -EBADF, blob_fd = -EBADF, tmp_fd = -EBADF;
        LayerResult res;
        char buf[32];
        struct stat st;
        int r;

        if (asprintf(&lockname, "layers/.lock-%s", hex) < 0 || asprintf(&tmp, ".tmp-%s", hex) < 0 ||
            asprintf(&sizename, ".size-%s", hex) < 0)
                return -ENOMEM;
        layers_fd = openat(s->dir_fd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (layers_fd < 0)
                return negative_errno();
        lock = image_store_lock(s, lockname, LOCK_EX);
        if (lock < 0)
                return lock;

        ctx->p.layer = i + 1;
        ctx->p.bytes = 0;
        if (faccessat(layers_fd, hex, F_OK, AT_SYMLINK_NOFOLLOW) >= 0) {
                ctx->p.cached = true;
                if (ctx->func)
                        ctx->func(&ctx->p, ctx->userdata);
                if (layer_size_read(layers_fd, hex, ret_size) < 0)
                        *ret_size = 0;
                return 0;
        }
        ctx->p.cached = false;
        if (ctx->func)
                ctx->func(&ctx->p, ctx->userdata);

        /* What a killed import of this layer left. */
        r = image_rm_rf_at(layers_fd, tmp);
        if (r < 0)
                return image_errorf(ret_error, r, "%s: cannot remove %s/layers/%s: %s", p->source, s->path,
                                    tmp, strerror(-r));

        blob_fd = image_open_beneath(p->dir_fd, l->path, O_RDONLY);
        if (blob_fd < 0)
                return image_errorf(ret_error, blob_fd, "%s: layer %s: cannot open the blob: %s", p->source,
                                    l->path, strerror(-blob_fd));
        if (fstat(blob_fd, &st) < 0)
                return negative_errno();
        if (!S_ISREG(st.st_mode))
                return image_errorf(ret_error, -EBADMSG, "%s: layer %s: not a regular file", p->source,
                                    l->path);
        if (l->size != UINT64_MAX && (uint64_t)st.st_size != l->size)
                return image_errorf(ret_error, -EBADMSG,
                                    "%s: layer %s: size mismatch (%" PRIu64
                                    " bytes, the manifest says %" PRIu64 ")",
                                    p->source, l->path, (uint64_t)st.st_size, l->size);

        if (mkdirat(layers_fd, tmp, 0755) < 0)
                return negative_errno();
        tmp_fd = openat(layers_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (tmp_fd < 0)
                return negative_errno();

        r = layer_extract(blob_fd, tmp_fd, limits, ctx->func ? layer_progress : NULL, ctx, &res, &why);
        if (r >= 0)
                r = failpoint("image:after-layer-extract");
        if (r >= 0 && l->digest[0] && !streq(res.blob_digest, l->digest))
                r = image_errorf(&why, -EBADMSG, "blob digest mismatch (the blob has sha256:%s)",
                                 res.blob_digest);
        if (r >= 0 && !streq(res.diff_id, hex))
                r = image_errorf(&why, -EBADMSG,
                                 "diff-id mismatch: the config says sha256:%s, the layer has sha256:%s", hex,
                                 res.diff_id);
        if (r < 0) {
                tmp_fd = safe_close(tmp_fd);
                (void)image_rm_rf_at(layers_fd, tmp);
                return image_errorf(ret_error, r, "%s: layer %s: %s", p->source, l->path, strna(why));
        }

        r = failpoint("image:before-layer-rename");
        if (r < 0)
                return r;
        snprintf(buf, sizeof(buf), "%" PRIu64 "\n", res.size);
        r = write_file_atomic_at(layers_fd, sizename, buf, strlen(buf), 0600, false);
        if (r < 0)
                return r;
        /* The whole tree on disk before its name says it is complete. */
        if (syncfs(tmp_fd) < 0)
                return negative_errno();
        if (renameat(layers_fd, tmp, layers_fd, hex) < 0)
                return negative_errno();
        if (fsync(layers_fd) < 0)
                return negative_errno();
        *ret_size = res.size;
        return failpoint("image:after-layer-rename");
}

static int now_rfc3339(char *buf, size_t size) {
        struct tm tm;
        time_t t = time(NULL);

        if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                return -EINVAL;
        return 0;
}

/* images/ID and the names, under the names lock. */
static int record_image(ImageStore *s, Plan *p, uint64_t size, const char *name) {
        _cleanup_close_ int names_lock = -EBADF, images_fd = -EBADF, tmp_fd = -EBADF;
        _cleanup_free_ char *tmp = NULL, *meta = NULL;
        _cleanup_json_ json_object *names = NULL;
        char when[64];
        int r;

        names_lock = image_store_lock(s, ".names-lock", LOCK_EX);
        if (names_lock < 0)
                return names_lock;
        images_fd = openat(s->dir_fd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (images_fd < 0)
                return negative_errno();

        if (faccessat(images_fd, p->id, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
                if (asprintf(&tmp, ".tmp-%s", p->id) < 0)
                        return -ENOMEM;
                r = image_rm_rf_at(images_fd, tmp);
                if (r < 0)
                        return r;
                if (mkdirat(images_fd, tmp, 0700) < 0)
                        return negative_errno();
                tmp_fd = openat(images_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (tmp_fd < 0)
                        return negative_errno();
                r = now_rfc3339(when, sizeof(when));
                if (r < 0)
                        return r;
                if (asprintf(&meta, "{\"size\": %" PRIu64 ", \"imported\": \"%s\"}\n", size, when) < 0)
                        return -ENOMEM;
                r = write_file_atomic_at(tmp_fd, "config.json", p->config_text, p->config_size, 0600, true);
                if (r >= 0)
                        r = write_file_atomic_at(tmp_fd, "image.json", meta, strlen(meta), 0600, true);
                if (r >= 0)
                        r = failpoint("image:before-image-rename");
                if (r < 0)
                        return r;
                if (renameat(images_fd, tmp, images_fd, p->id) < 0)
                        return negative_errno();
                if (fsync(images_fd) < 0)
                        return negative_errno();
        }

        r = failpoint("image:before-names-write");
        if (r < 0)
                return r;
        r = image_store_names_read(s, &names);
        if (r < 0)
                return r;
        if (json_object_object_add(names, p->source, json_object_new_string(p->id)) < 0)
                return -ENOMEM;
        if (name && json_object_object_add(names, name, json_object_new_string(p->id)) < 0)
                return -ENOMEM;
        return image_store_names_write(s, names);
}

static int unpack_archive(ImageStore *s, const char *source, const char *path, const ImageLimits *limits,
                          char **ret_dir, int *ret_fd, char **ret_error) {
        _cleanup_free_ char *dir = NULL, *why = NULL;
        _cleanup_close_ int fd = -EBADF, dfd = -EBADF;
        LayerResult res;
        int r;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return image_errorf(ret_error, negative_errno(), "%s: cannot open '%s': %m", source, path);
        if (asprintf(&dir, "%s/.src-XXXXXX", s->path) < 0)
                return -ENOMEM;
        if (!mkdtemp(dir))
                return negative_errno();
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return negative_errno();
        r = layer_extract(fd, dfd, limits, NULL, NULL, &res, &why);
        if (r < 0) {
                (void)image_rm_rf_at(AT_FDCWD, dir);
                return image_errorf(ret_error, r, "%s: %s", source, strna(why));
        }
        *ret_dir = TAKE_PTR(dir);
        *ret_fd = TAKE_FD(dfd);
        return 0;
}

int image_import(ImageStore *s, const char *source, const char *name, const ImageLimits *limits,
                 ImportProgressFunc progress, void *userdata, char ret_id[static IMAGE_DIGEST_LEN + 1],
                 char **ret_error) {
        _cleanup_(image_source_done) ImageSource src = {};
        _cleanup_free_ char *why = NULL, *normalized = NULL, *unpacked = NULL;
        _cleanup_close_ int lock = -EBADF, dir_fd = -EBADF;
        Plan p = {.source = source, .dir_fd = -EBADF};
        uint64_t total = 0;
        int r;

        r = image_source_parse(source, &src, &why);
        if (r < 0)
                return image_errorf(ret_error, r, "%s", strna(why));
        if (src.transport == IMAGE_TRANSPORT_STORE)
                return image_errorf(ret_error, -EINVAL,
                                    "%s: not a transport (oci:DIR[:TAG], oci-archive:FILE[:TAG], "
                                    "docker-archive:FILE[:NAME:TAG])",
                                    source);
        if (name) {
                r = image_name_normalize(name, &normalized);
                if (r < 0)
                        return image_errorf(ret_error, r, "'%s' is not a valid NAME[:TAG]", name);
        }

        lock = image_store_lock(s, ".lock", LOCK_SH);
        if (lock < 0)
                return image_errorf(ret_error, lock, "cannot lock the image store %s: %s", s->path,
                                    strerror(-lock));

        if (src.transport == IMAGE_TRANSPORT_OCI) {
                dir_fd = open(src.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dir_fd < 0)
                        return image_errorf(ret_error, negative_errno(), "%s: cannot open '%s': %m", source,
                                            src.path);
        } else {
                r = unpack_archive(s, source, src.path, limits, &unpacked, &dir_fd, ret_error);
                if (r >= 0)
                        r = failpoint("image:after-archive-unpack");
                if (r < 0) {
                        if (unpacked)
                                (void)image_rm_rf_at(AT_FDCWD, unpacked);
                        return r;
                }
        }
        p.dir_fd = dir_fd;

        r = src.transport == IMAGE_TRANSPORT_DOCKER_ARCHIVE ? plan_docker(&p, src.ref, ret_error)
                                                            : plan_oci(&p, src.ref, ret_error);
        LayerProgressCtx ctx = {
                .func = progress,
                .userdata = userdata,
                .p = {.source = source, .n_layers = p.n_layers},
        };
        for (size_t i = 0; r >= 0 && i < p.n_layers; i++) {
                uint64_t size = 0;
                r = import_layer(s, &p, i, limits, &ctx, &size, ret_error);
                total += size;
        }
        if (r >= 0) {
                r = record_image(s, &p, total, normalized);
                if (r < 0)
                        r = image_errorf(ret_error, r, "%s: cannot record the image in %s: %s", source,
                                         s->path, strerror(-r));
        }
        if (r >= 0)
                memcpy(ret_id, p.id, IMAGE_DIGEST_LEN + 1);
        plan_done(&p);
        if (unpacked)
                (void)image_rm_rf_at(AT_FDCWD, unpacked);
        return r;
}
