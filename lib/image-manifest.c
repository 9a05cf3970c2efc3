/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The JSON documents of an image (OCI image-spec: image-layout, image-index, manifest,
 * config; and the manifest.json of "docker save"), read with json-c. Everything here
 * comes from the image, i.e. from whoever built it: sizes, depth, counts and every
 * digest are checked before anything is used, and a document that does not say what
 * the spec requires is refused rather than guessed at. */

#include <json-c/json.h>
#include <string.h>
#include <sys/utsname.h>

#include "image-internal.h"

#define JSON_DEPTH_MAX 32

static int json_parse_buffer(const char *json, size_t size, const char *what, json_object **ret,
                             char **ret_error) {
        json_tokener *tok;
        json_object *o;
        enum json_tokener_error e;

        if (size > IMAGE_JSON_MAX)
                return image_errorf(ret_error, -EFBIG, "%s: larger than %u bytes", what, IMAGE_JSON_MAX);
        if (size > INT32_MAX)
                return -EFBIG;
        tok = json_tokener_new_ex(JSON_DEPTH_MAX);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        o = json_tokener_parse_ex(tok, json, (int)size);
        e = json_tokener_get_error(tok);
        if (e == json_tokener_success && json_tokener_get_parse_end(tok) < size) {
                /* Only whitespace may follow the document. */
                for (size_t i = json_tokener_get_parse_end(tok); i < size; i++)
                        if (!strchr(" \t\r\n", json[i])) {
                                e = json_tokener_error_parse_unexpected;
                                break;
                        }
        }
        json_tokener_free(tok);
        if (!o || e != json_tokener_success) {
                json_object_put(o);
                return image_errorf(
                        ret_error, -EBADMSG, "%s: not valid JSON (%s)", what,
                        json_tokener_error_desc(e == json_tokener_success ? json_tokener_continue : e));
        }
        if (!json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return image_errorf(ret_error, -EBADMSG, "%s: not a JSON object", what);
        }
        *ret = o;
        return 0;
}

static json_object *get(json_object *o, const char *key, json_type type) {
        json_object *v;

        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, type))
                return NULL;
        return v;
}

static const char *get_string(json_object *o, const char *key) {
        json_object *v = get(o, key, json_type_string);
        return v ? json_object_get_string(v) : NULL;
}

static int dup_string(json_object *o, const char *key, char **ret) {
        const char *s = get_string(o, key);

        if (!s) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int image_digest_parse(const char *s, char ret[static IMAGE_DIGEST_LEN + 1]) {
        if (!s || strncmp(s, "sha256:", 7) != 0 || strlen(s) != 7 + IMAGE_DIGEST_LEN)
                return -EINVAL;
        for (size_t i = 0; i < IMAGE_DIGEST_LEN; i++) {
                char c = s[7 + i];
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                        return -EINVAL;
                ret[i] = c;
        }
        ret[IMAGE_DIGEST_LEN] = 0;
        return 0;
}

const char *image_native_architecture(void) {
#if defined(__x86_64__)
        return "amd64";
#elif defined(__aarch64__)
        return "arm64";
#elif defined(__i386__)
        return "386";
#elif defined(__arm__)
        return "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        return "ppc64le";
#elif defined(__s390x__)
        return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
        return "riscv64";
#else
        return "unknown";
#endif
}

int image_layer_media_type(const char *t) {
        static const struct {
                const char *type;
                int compression;
        } table[] = {
                {"application/vnd.oci.image.layer.v1.tar", 0},
                {"application/vnd.oci.image.layer.v1.tar+gzip", 1},
                {"application/vnd.oci.image.layer.v1.tar+zstd", 2},
                {"application/vnd.docker.image.rootfs.diff.tar", 0},
                {"application/vnd.docker.image.rootfs.diff.tar.gzip", 1},
                {"application/vnd.docker.image.rootfs.diff.tar.zstd", 2},
        };
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(t, table[i].type))
                        return table[i].compression;
        return -EPROTONOSUPPORT;
}

static int descriptor_parse(json_object *o, const char *what, ImageDescriptor *ret, char **ret_error) {
        const char *digest, *media_type;
        json_object *size;
        int64_t n;

        if (!json_object_is_type(o, json_type_object))
                return image_errorf(ret_error, -EBADMSG, "%s: not an object", what);
        digest = get_string(o, "digest");
        if (!digest)
                return image_errorf(ret_error, -EBADMSG, "%s: no \"digest\"", what);
        if (image_digest_parse(digest, ret->digest) < 0)
                return image_errorf(ret_error, -EBADMSG, "%s: digest '%.80s' is not sha256:HEX", what,
                                    digest);
        size = get(o, "size", json_type_int);
        if (!size)
                return image_errorf(ret_error, -EBADMSG, "%s: no integer \"size\"", what);
        n = json_object_get_int64(size);
        if (n < 0)
                return image_errorf(ret_error, -EBADMSG, "%s: negative size", what);
        ret->size = (uint64_t)n;
        media_type = get_string(o, "mediaType");
        if (media_type) {
                ret->media_type = strdup(media_type);
                if (!ret->media_type)
                        return -ENOMEM;
        }
        return 0;
}

void image_descriptor_done(ImageDescriptor *d) {
        if (!d)
                return;
        free(d->media_type);
        *d = (ImageDescriptor){};
}

static bool is_index_type(const char *t) {
        return streq(t, "application/vnd.oci.image.index.v1+json") ||
               streq(t, "application/vnd.docker.distribution.manifest.list.v2+json");
}

static bool is_manifest_type(const char *t) {
        return streq(t, "application/vnd.oci.image.manifest.v1+json") ||
               streq(t, "application/vnd.docker.distribution.manifest.v2+json");
}

int image_index_select(const char *json, size_t size, const char *tag, const char *arch,
                       ImageDescriptor *ret, char **ret_error) {
        _cleanup_json_ json_object *root = NULL;
        json_object *manifests;
        ssize_t found = -1;
        size_t n, matches = 0;
        int r;

        assert(ret);

        r = json_parse_buffer(json, size, "index", &root, ret_error);
        if (r < 0)
                return r;
        manifests = get(root, "manifests", json_type_array);
        if (!manifests)
                return image_errorf(ret_error, -EBADMSG, "index: no \"manifests\" array");
        n = json_object_array_length(manifests);
        if (n > 4096)
                return image_errorf(ret_error, -E2BIG, "index: more than 4096 manifests");

        for (size_t i = 0; i < n; i++) {
                json_object *m = json_object_array_get_idx(manifests, i), *platform;
                const char *t;

                if (!json_object_is_type(m, json_type_object))
                        return image_errorf(ret_error, -EBADMSG, "index: manifests[%zu] is not an object",
                                            i);
                t = get_string(m, "mediaType");
                if (!is_index_type(t) && !is_manifest_type(t))
                        continue;
                if (tag) {
                        const char *ref = get_string(get(m, "annotations", json_type_object),
                                                     "org.opencontainers.image.ref.name");
                        if (!streq(ref, tag))
                                continue;
                }
                /* An entry that names a platform must name ours; one without a platform
                 * (a layout's index.json pointing at a single manifest or a nested index)
                 * is taken as it is. */
                platform = get(m, "platform", json_type_object);
                if (platform && arch) {
                        const char *os = get_string(platform, "os");
                        if (!streq(get_string(platform, "architecture"), arch) ||
                            (os && !streq(os, "linux")))
                                continue;
                }
                if (found < 0)
                        found = (ssize_t)i;
                matches++;
        }

        if (found < 0) {
                if (tag)
                        return image_errorf(ret_error, -ENOENT, "index: no manifest tagged '%s'%s%s", tag,
                                            arch ? " for " : "", arch ?: "");
                return image_errorf(ret_error, -ENOENT, "index: no manifest%s%s", arch ? " for " : "",
                                    arch ?: "");
        }
        if (!tag && matches > 1 && !arch)
                return image_errorf(ret_error, -ENOTUNIQ, "index: %zu manifests and no tag to choose one",
                                    matches);

        json_object *m = json_object_array_get_idx(manifests, (size_t)found);
        char what[64];
        snprintf(what, sizeof(what), "index: manifests[%zd]", found);
        r = descriptor_parse(m, what, ret, ret_error);
        if (r < 0) {
                image_descriptor_done(ret);
                return r;
        }
        return is_index_type(ret->media_type) ? 1 : 0;
}

int image_manifest_parse(const char *json, size_t size, ImageManifest *ret, char **ret_error) {
        _cleanup_json_ json_object *root = NULL;
        json_object *layers, *v;
        _cleanup_(image_manifest_done) ImageManifest m = {};
        const char *t;
        size_t n;
        int r;

        r = json_parse_buffer(json, size, "manifest", &root, ret_error);
        if (r < 0)
                return r;
        v = get(root, "schemaVersion", json_type_int);
        if (!v || json_object_get_int64(v) != 2)
                return image_errorf(ret_error, -EPROTONOSUPPORT, "manifest: schemaVersion is not 2");
        t = get_string(root, "mediaType");
        if (t && !is_manifest_type(t))
                return image_errorf(ret_error, -EPROTONOSUPPORT, "manifest: unsupported media type '%.100s'",
                                    t);

        v = get(root, "config", json_type_object);
        if (!v)
                return image_errorf(ret_error, -EBADMSG, "manifest: no \"config\"");
        r = descriptor_parse(v, "manifest: config", &m.config, ret_error);
        if (r < 0)
                return r;

        layers = get(root, "layers", json_type_array);
        if (!layers) {
                return image_errorf(ret_error, -EBADMSG, "manifest: no \"layers\" array");
        }
        n = json_object_array_length(layers);
        if (n > IMAGE_LAYERS_MAX) {
                return image_errorf(ret_error, -E2BIG, "manifest: more than %d layers", IMAGE_LAYERS_MAX);
        }
        m.layers = calloc(n ?: 1, sizeof(ImageDescriptor));
        if (!m.layers) {
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                char what[64];

                snprintf(what, sizeof(what), "manifest: layers[%zu]", i);
                m.n_layers = i + 1;
                r = descriptor_parse(json_object_array_get_idx(layers, i), what, &m.layers[i], ret_error);
                if (r < 0)
                        return r;
                if (image_layer_media_type(m.layers[i].media_type) < 0) {
                        return image_errorf(ret_error, -EPROTONOSUPPORT,
                                            "manifest: layer sha256:%s has unsupported media type '%.100s'",
                                            m.layers[i].digest, strna(m.layers[i].media_type));
                }
        }
        m.n_layers = n;
        *ret = m;
        m = (ImageManifest){};
        return 0;
}

void image_manifest_done(ImageManifest *m) {
        if (!m)
                return;
        image_descriptor_done(&m->config);
        for (size_t i = 0; i < m->n_layers; i++)
                image_descriptor_done(&m->layers[i]);
        free(m->layers);
        *m = (ImageManifest){};
}

/* A JSON array of strings, or null/absent (→ NULL). */
static int strv_from_json(json_object *o, const char *key, const char *what, char ***ret, char **ret_error) {
        _cleanup_strv_free_ char **l = NULL;
        json_object *a;
        size_t n;

        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &a) || json_object_is_type(a, json_type_null))
                return 0;
        if (!json_object_is_type(a, json_type_array))
                return image_errorf(ret_error, -EBADMSG, "config: %s.%s is not an array", what, key);
        n = json_object_array_length(a);
        if (n > 65536)
                return image_errorf(ret_error, -E2BIG, "config: %s.%s has too many elements", what, key);
        l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(a, i);
                if (!json_object_is_type(e, json_type_string))
                        return image_errorf(ret_error, -EBADMSG, "config: %s.%s[%zu] is not a string", what,
                                            key, i);
                l[i] = strdup(json_object_get_string(e));
                if (!l[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int image_config_parse(const char *json, size_t size, ImageConfig *ret, char **ret_error) {
        _cleanup_json_ json_object *root = NULL;
        json_object *rootfs, *cfg, *labels;
        _cleanup_strv_free_ char **diff_ids = NULL;
        _cleanup_(image_config_done) ImageConfig c = {};
        int r;

        r = json_parse_buffer(json, size, "config", &root, ret_error);
        if (r < 0)
                return r;

        rootfs = get(root, "rootfs", json_type_object);
        if (!rootfs || !streq(get_string(rootfs, "type"), "layers"))
                return image_errorf(ret_error, -EBADMSG, "config: no rootfs of type \"layers\"");
        r = strv_from_json(rootfs, "diff_ids", "rootfs", &diff_ids, ret_error);
        if (r < 0)
                return r;
        if (!diff_ids)
                return image_errorf(ret_error, -EBADMSG, "config: no rootfs.diff_ids");
        c.n_diff_ids = strv_length(diff_ids);
        if (c.n_diff_ids > IMAGE_LAYERS_MAX)
                return image_errorf(ret_error, -E2BIG, "config: more than %d layers", IMAGE_LAYERS_MAX);
        for (size_t i = 0; i < c.n_diff_ids; i++) {
                char hex[IMAGE_DIGEST_LEN + 1];
                if (image_digest_parse(diff_ids[i], hex) < 0)
                        return image_errorf(ret_error, -EBADMSG,
                                            "config: rootfs.diff_ids[%zu] is not sha256:HEX", i);
                memcpy(diff_ids[i], hex, sizeof(hex)); /* "sha256:" + 64 ≥ 65 bytes */
        }
        c.diff_ids = TAKE_PTR(diff_ids);

        if (dup_string(root, "architecture", &c.architecture) < 0 || dup_string(root, "os", &c.os) < 0 ||
            dup_string(root, "created", &c.created) < 0) {
                return -ENOMEM;
        }

        cfg = get(root, "config", json_type_object);
        if (cfg) {
                r = strv_from_json(cfg, "Entrypoint", "config", &c.entrypoint, ret_error);
                if (r >= 0)
                        r = strv_from_json(cfg, "Cmd", "config", &c.cmd, ret_error);
                if (r >= 0)
                        r = strv_from_json(cfg, "Env", "config", &c.env, ret_error);
                if (r < 0)
                        return r;
                if (dup_string(cfg, "WorkingDir", &c.workdir) < 0 || dup_string(cfg, "User", &c.user) < 0)
                        return -ENOMEM;
                labels = get(cfg, "Labels", json_type_object);
                if (labels) {
                        size_t n = 0;
                        c.labels = calloc(2 * (size_t)json_object_object_length(labels) + 1, sizeof(char *));
                        if (!c.labels) {
                                return -ENOMEM;
                        }
                        json_object_object_foreach(labels, k, v) {
                                if (!json_object_is_type(v, json_type_string))
                                        continue;
                                c.labels[n] = strdup(k);
                                c.labels[n + 1] = strdup(json_object_get_string(v));
                                if (!c.labels[n] || !c.labels[n + 1]) {
                                        return -ENOMEM;
                                }
                                n += 2;
                        }
                }
        }
        *ret = c;
        c = (ImageConfig){};
        return 0;
}

void image_config_done(ImageConfig *c) {
        if (!c)
                return;
        free(c->architecture);
        free(c->os);
        free(c->created);
        strv_free(c->diff_ids);
        strv_free(c->entrypoint);
        strv_free(c->cmd);
        strv_free(c->env);
        free(c->workdir);
        free(c->user);
        strv_free(c->labels);
        *c = (ImageConfig){};
}

/* docker's normalization of a reference: "web:1" is "docker.io/library/web:1",
 * "user/web:1" is "docker.io/user/web:1"; a first component with '.' or ':' or
 * "localhost" is a registry. */
static char *docker_ref_normalize(const char *s) {
        const char *slash = strchr(s, '/');
        char *r;

        if (!slash)
                return asprintf(&r, "docker.io/library/%s", s) < 0 ? NULL : r;
        if (memchr(s, '.', (size_t)(slash - s)) || memchr(s, ':', (size_t)(slash - s)) ||
            strncmp(s, "localhost/", 10) == 0)
                return strdup(s);
        return asprintf(&r, "docker.io/%s", s) < 0 ? NULL : r;
}

static bool docker_ref_equal(const char *a, const char *b) {
        _cleanup_free_ char *x = NULL, *y = NULL;

        if (streq(a, b))
                return true;
        x = docker_ref_normalize(a);
        y = docker_ref_normalize(b);
        return x && y && streq(x, y);
}

int docker_manifest_parse(const char *json, size_t size, const char *name_tag, DockerManifest *ret,
                          char **ret_error) {
        _cleanup_json_ json_object *root = NULL;
        json_tokener *tok;
        json_object *entry = NULL, *layers;
        _cleanup_(docker_manifest_done) DockerManifest m = {};
        size_t n;
        int r;

        /* manifest.json is an array: parse it as the only element of an object. */
        if (size > IMAGE_JSON_MAX)
                return image_errorf(ret_error, -EFBIG, "manifest.json: larger than %u bytes",
                                    IMAGE_JSON_MAX);
        tok = json_tokener_new_ex(JSON_DEPTH_MAX);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        root = json_tokener_parse_ex(tok, json, (int)size);
        r = json_tokener_get_error(tok) == json_tokener_success ? 0 : -EBADMSG;
        json_tokener_free(tok);
        if (r < 0 || !json_object_is_type(root, json_type_array))
                return image_errorf(ret_error, -EBADMSG, "manifest.json: not a JSON array");

        n = json_object_array_length(root);
        for (size_t i = 0; i < n && i < 4096; i++) {
                json_object *e = json_object_array_get_idx(root, i), *tags;

                if (!json_object_is_type(e, json_type_object))
                        continue;
                if (!name_tag) {
                        if (entry)
                                return image_errorf(
                                        ret_error, -ENOTUNIQ,
                                        "manifest.json: %zu images and no NAME:TAG to choose one", n);
                        entry = e;
                        continue;
                }
                tags = get(e, "RepoTags", json_type_array);
                for (size_t j = 0; tags && j < json_object_array_length(tags); j++) {
                        json_object *t = json_object_array_get_idx(tags, j);
                        if (json_object_is_type(t, json_type_string) &&
                            docker_ref_equal(json_object_get_string(t), name_tag)) {
                                entry = e;
                                break;
                        }
                }
                if (entry)
                        break;
        }
        if (!entry)
                return name_tag ? image_errorf(ret_error, -ENOENT, "manifest.json: no image tagged '%s'",
                                               name_tag)
                                : image_errorf(ret_error, -ENOENT, "manifest.json: no image");

        r = dup_string(entry, "Config", &m.config);
        if (r < 0)
                return r;
        if (!m.config) {
                return image_errorf(ret_error, -EBADMSG, "manifest.json: no \"Config\"");
        }
        layers = get(entry, "Layers", json_type_array);
        if (!layers) {
                return image_errorf(ret_error, -EBADMSG, "manifest.json: no \"Layers\" array");
        }
        r = strv_from_json(entry, "Layers", "manifest.json", &m.layers, ret_error);
        if (r < 0)
                return r;
        m.n_layers = strv_length(m.layers);
        if (m.n_layers > IMAGE_LAYERS_MAX) {
                return image_errorf(ret_error, -E2BIG, "manifest.json: more than %d layers",
                                    IMAGE_LAYERS_MAX);
        }
        *ret = m;
        m = (DockerManifest){};
        return 0;
}

void docker_manifest_done(DockerManifest *m) {
        if (!m)
                return;
        free(m->config);
        strv_free(m->layers);
        *m = (DockerManifest){};
}
