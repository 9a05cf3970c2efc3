/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* OCI images (nscontain(1) "image", docs/SECURITY.md row 14): what a config or
 * "nscontain image import" names, the JSON documents of an image, the layer extractor
 * and the store of unpacked layers. Shared by the CLI and the helper (which imports at
 * a container's first start). Library code: never logs; errors are a negative errno
 * plus one message that names the source, the blob or the tar entry. */

#include <stdint.h>
#include <sys/types.h>

#include "build-config.h"
#include "macro.h"

#define IMAGE_STORE_DIR     LOCALSTATEDIR "/lib/nscontain/images"
#define CONTAINER_STATE_DIR LOCALSTATEDIR "/lib/nscontain/containers"

/* $NSCONTAIN_IMAGE_STORE and $NSCONTAIN_CONTAINER_STATE replace the store's directory
 * and the one of the containers' own layers, for tests. */
#define IMAGE_STORE_ENV     "NSCONTAIN_IMAGE_STORE"
#define CONTAINER_STATE_ENV "NSCONTAIN_CONTAINER_STATE"

#define IMAGE_JSON_MAX    (4U * 1024 * 1024) /* an index, manifest or config */
#define IMAGE_LAYERS_MAX  256
#define IMAGE_DIGEST_LEN  64 /* hex characters of a sha256 */
#define IMAGE_NAME_MAX    255
#define IMAGE_DEFAULT_TAG "latest"

/* ---------------------------------------------------------------------------------------- */
/* Sources (image-source.c) */

typedef enum ImageTransport {
        IMAGE_TRANSPORT_OCI,            /* oci:DIR[:TAG] */
        IMAGE_TRANSPORT_OCI_ARCHIVE,    /* oci-archive:FILE[:TAG] */
        IMAGE_TRANSPORT_DOCKER_ARCHIVE, /* docker-archive:FILE[:NAME:TAG] */
        IMAGE_TRANSPORT_STORE,          /* NAME[:TAG] of an image already imported */
} ImageTransport;

typedef struct ImageSource {
        ImageTransport transport;
        char *path; /* the layout directory or the archive; NULL for the store */
        char *ref;  /* TAG (oci), NAME:TAG (docker-archive, store), or NULL */
} ImageSource;

/* Parses what a config's "image" or the import verb's SOURCE says. */
int image_source_parse(const char *s, ImageSource *ret, char **ret_error);
void image_source_done(ImageSource *s);
/* True when s names a transport (oci:, oci-archive:, docker-archive:). */
bool image_source_is_transport(const char *s);
/* NAME[:TAG] → "NAME:TAG" with the default tag; refuses names with characters outside
 * [A-Za-z0-9._/-] (and ':' before the tag), or longer than IMAGE_NAME_MAX. */
int image_name_normalize(const char *s, char **ret);

/* ---------------------------------------------------------------------------------------- */
/* JSON documents (image-manifest.c): pure functions on buffers, fuzzed by
 * fuzz/fuzz-image-manifest.c. */

typedef struct ImageDescriptor {
        char *media_type;
        char digest[IMAGE_DIGEST_LEN + 1]; /* the hex of "sha256:HEX" */
        uint64_t size;
} ImageDescriptor;

typedef struct ImageManifest {
        ImageDescriptor config;
        ImageDescriptor *layers;
        size_t n_layers;
} ImageManifest;

typedef struct ImageConfig {
        char *architecture, *os, *created;
        char **diff_ids; /* hex, bottom layer first */
        size_t n_diff_ids;
        char **entrypoint, **cmd, **env; /* NULL-terminated or NULL */
        char *workdir, *user;
        char **labels; /* KEY, VALUE, KEY, VALUE, …, NULL */
} ImageConfig;

/* "docker-archive" manifest.json: the entry whose RepoTags holds name_tag (or the only
 * entry when name_tag is NULL): paths of the config and the layer tars in the archive. */
typedef struct DockerManifest {
        char *config;
        char **layers;
        size_t n_layers;
} DockerManifest;

/* The GOARCH spelling of this machine ("amd64", "arm64", …). */
const char *image_native_architecture(void);

/* index.json of a layout (or an image index blob): the descriptor of the manifest
 * whose "org.opencontainers.image.ref.name" annotation is tag (any when tag is NULL and
 * there is one). -ENOENT: no such tag. Returns 1 when the descriptor is itself an
 * index (the caller reads it and selects again with tag NULL and the architecture). */
int image_index_select(const char *json, size_t size, const char *tag, const char *arch,
                       ImageDescriptor *ret, char **ret_error);
int image_manifest_parse(const char *json, size_t size, ImageManifest *ret, char **ret_error);
int image_config_parse(const char *json, size_t size, ImageConfig *ret, char **ret_error);
int docker_manifest_parse(const char *json, size_t size, const char *name_tag, DockerManifest *ret,
                          char **ret_error);
void image_descriptor_done(ImageDescriptor *d);
void image_manifest_done(ImageManifest *m);
void image_config_done(ImageConfig *c);
void docker_manifest_done(DockerManifest *m);

/* The layer media types we unpack: 0 (tar), 1 (gzip), 2 (zstd); -EPROTONOSUPPORT else. */
int image_layer_media_type(const char *media_type);

/* "sha256:HEX" → HEX (lower case, 64 digits); -EINVAL for anything else. */
int image_digest_parse(const char *s, char ret[static IMAGE_DIGEST_LEN + 1]);

/* ---------------------------------------------------------------------------------------- */
/* The layer extractor (image-extract.c), docs/SECURITY.md row 14. */

typedef struct ImageLimits {
        uint64_t max_size;    /* uncompressed bytes of one layer's tar stream */
        uint64_t max_entries; /* tar entries of one layer */
        size_t max_path;      /* bytes of one entry's name or link target */
} ImageLimits;

#define IMAGE_LIMITS_DEFAULT \
        ((ImageLimits){.max_size = 64ULL << 30, .max_entries = 1U << 20, .max_path = 4096})

typedef struct LayerResult {
        char blob_digest[IMAGE_DIGEST_LEN + 1]; /* sha256 of the bytes read from blob_fd */
        char diff_id[IMAGE_DIGEST_LEN + 1];     /* sha256 of the uncompressed tar */
        uint64_t blob_size;
        uint64_t size; /* uncompressed bytes */
        uint64_t entries;
} LayerResult;

/* Progress: called now and then with the uncompressed bytes done so far. */
typedef void (*LayerProgress)(uint64_t bytes, void *userdata);

/* Unpacks the (tar, gzip or zstd) layer read from blob_fd into the empty directory
 * dest_fd. Every entry is created relative to a directory fd opened with openat2
 * RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS below dest_fd; a name that is absolute or holds
 * "..", a path through a symlink, a hard link to outside the layer, a device node that
 * is not a whiteout (char 0:0) and anything over a limit refuse the layer with a
 * message naming the entry. Whiteouts (.wh.NAME, .wh..wh..opq) become overlayfs ones.
 * Ownership, modes (setuid too), mtimes and the xattrs user.* and security.capability
 * are kept as the tar says. On failure dest_fd holds a partial tree for the caller to
 * remove. */
int layer_extract(int blob_fd, int dest_fd, const ImageLimits *limits, LayerProgress progress,
                  void *userdata, LayerResult *ret, char **ret_error);

/* sha256 of what remains of fd, as hex. */
int image_sha256_fd(int fd, char ret[static IMAGE_DIGEST_LEN + 1], uint64_t *ret_size);
int image_sha256_buf(const void *p, size_t n, char ret[static IMAGE_DIGEST_LEN + 1]);

/* rm -rf of everything below dir_fd's entry name (the entry too), by fd. */
int image_rm_rf_at(int dir_fd, const char *name);

/* ---------------------------------------------------------------------------------------- */
/* The store (image-store.c) and import (image-import.c). */

typedef struct ImageStore {
        char *path;
        int dir_fd; /* O_DIRECTORY of the store root */
} ImageStore;

/* Opens (creating with create) the store: $NSCONTAIN_IMAGE_STORE or IMAGE_STORE_DIR. */
int image_store_open(bool create, ImageStore *ret);
void image_store_close(ImageStore *s);

typedef struct ImageInfo {
        char id[IMAGE_DIGEST_LEN + 1]; /* the config's digest */
        char **names;                  /* "NAME:TAG" and source strings naming it */
        ImageConfig config;
        uint64_t size;  /* unpacked bytes of its layers */
        char *imported; /* RFC 3339 */
} ImageInfo;

/* Resolves a name ("NAME:TAG", a source string, or an id or unique id prefix) to an id. */
int image_store_resolve(ImageStore *s, const char *name, char ret_id[static IMAGE_DIGEST_LEN + 1]);
int image_store_info(ImageStore *s, const char *id, ImageInfo *ret);
/* Only the image's config, what a start needs of image_store_info(). */
int image_store_config(ImageStore *s, const char *id, ImageConfig *ret);
void image_info_done(ImageInfo *i);
int image_store_list(ImageStore *s, ImageInfo **ret, size_t *ret_n);
void image_infos_free(ImageInfo *i, size_t n);

/* An O_PATH|O_DIRECTORY fd of the unpacked layer diff_id. */
int image_store_layer_open(ImageStore *s, const char *diff_id);
/* The same in two steps: the store's layers/ dir (O_PATH|O_DIRECTORY), and layer
 * diff_id beneath layers_fd, which may also be a clone of that dir (the start idmaps
 * layers/ once for all of an image's layers). */
int image_store_layers_open(ImageStore *s);
int image_layer_open_at(int layers_fd, const char *diff_id);
/* Drops a name; with it the image when no name is left. */
int image_store_untag(ImageStore *s, const char *name);
int image_store_remove(ImageStore *s, const char *id);
/* Removes the layers no image uses, and leftover temp dirs; returns how many layers. */
int image_store_prune(ImageStore *s);

/* Shown by the import while it runs. */
typedef struct ImportProgress {
        const char *source;
        size_t layer, n_layers; /* 1-based */
        uint64_t bytes;         /* uncompressed so far in this layer */
        bool cached;            /* this layer is in the store already */
} ImportProgress;
typedef void (*ImportProgressFunc)(const ImportProgress *p, void *userdata);

/* Imports SOURCE into the store and names it: the source string itself always (so a
 * config naming it finds it), plus name ("NAME[:TAG]") when given. */
int image_import(ImageStore *s, const char *source, const char *name, const ImageLimits *limits,
                 ImportProgressFunc progress, void *userdata, char ret_id[static IMAGE_DIGEST_LEN + 1],
                 char **ret_error);

/* A size for humans: "38 MiB". */
const char *image_format_size(uint64_t n, char *buf, size_t size);
