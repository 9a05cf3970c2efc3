/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The root of an image container (nscontain.json(5) "image", "ephemeral", "args"), and
 * of an "ephemeral" rootfs container (as systemd-nspawn --volatile=overlay: the rootfs,
 * idmapped as a rootfs is, is the one lower layer under a tmpfs upper layer):
 *
 *   image_root_resolve()  before the clone: finds the image in the store, importing it
 *                         first when the config names a transport the store lacks
 *                         ("nscontain image import"; progress in the unit's status
 *                         line, the start timeout extended while it works), and applies the image's config:
 *                         Entrypoint + Cmd (or "args") unless "command", Env under
 *                         "env", WorkingDir and User unless "workdir"/"user".
 *   image_root_mount()    in the parent, with the child's user namespace: the store's
 *                         layers/ is cloned (open_tree) and idmapped into the
 *                         container's range once — never chowned, never copied — and
 *                         overlayfs stacks the image's layers, directories of that clone
 *                         (lowerdir+ by fd, Linux ≥ 6.8), under an upper/work dir in
 *                         /var/lib/nscontain/containers/NAME/ (persistent) or on a tmpfs
 *                         ("ephemeral"). The overlay is the detached root tree the child
 *                         attaches (mount.c), as it attaches a rootfs. Since Linux 6.15
 *                         overlayfs takes layers in detached trees and all of it happens
 *                         in the helper itself; before, the trees are attached under a
 *                         staging tmpfs in a forked process's own mount namespace first
 *                         (docs/ARCHITECTURE.md "Mounts"). */

#include <fcntl.h>
#include <malloc.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "build-config.h"

#include "failpoint.h"
#include "fileio.h"
#include "helper.h"
#include "image.h"
#include "image-view.h"
#include "log.h"
#include "mount-api.h"
#include "notify.h"
#include "parse-util.h"
#include "preflight.h"
#include "strv.h"
#include "sync.h"

/* The first start of a config that names a transport: "nscontain image import SOURCE"
 * (the importer and its libraries stay out of the helper). Each line it prints
 * ("Importing SOURCE: layer 2/5, 38 MiB", nscontain(1)) goes to the journal and, when it
 * is progress, becomes the unit's status; each line gives 90 s more for the start: an
 * import is not killed halfway by TimeoutStartSec= while it makes progress. On failure
 * *ret_error is the importer's last line, or why it died. */
static int import_run(const char *name, const char *source, char **ret_error) {
        _cleanup_close_pair_ int pipe_fds[2] = {-EBADF, -EBADF};
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL, *last = NULL;
        size_t n = 0;
        int status;
        pid_t pid;

        if (pipe2(pipe_fds, O_CLOEXEC) < 0)
                return negative_errno();
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
                    dup2(pipe_fds[1], STDERR_FILENO) < 0)
                        _exit(EXIT_FAILURE);
                execl(NSCONTAIN_PATH, "nscontain", "image", "import", source, (char *)NULL);
                _exit(127);
        }
        pipe_fds[1] = safe_close(pipe_fds[1]);
        f = fdopen(TAKE_FD(pipe_fds[0]), "re");
        if (!f)
                return negative_errno();
        (void)notify_sendf("EXTEND_TIMEOUT_USEC=90000000\nSTATUS=Importing %s", source);
        for (;;) {
                ssize_t k = getline(&line, &n, f);
                if (k < 0)
                        break;
                line[strcspn(line, "\r\n")] = 0;
                if (isempty(line))
                        continue;
                log_info("%s: %s", name, line);
                /* Progress is the status; anything else (a warning) only the journal's. */
                if (strncmp(line, "Importing ", 10) == 0)
                        (void)notify_sendf("EXTEND_TIMEOUT_USEC=90000000\nSTATUS=%s", line);
                else
                        (void)notify_send("EXTEND_TIMEOUT_USEC=90000000");
                free(last);
                last = strdup(line);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return negative_errno();
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        if (WIFSIGNALED(status)) {
                if (asprintf(ret_error, "Failed to import %s: nscontain image import was killed by %s",
                             source, signal_to_string(WTERMSIG(status))) < 0)
                        return -ENOMEM;
                return -EINTR;
        }
        if (WEXITSTATUS(status) == 127) {
                if (asprintf(ret_error, "Failed to import %s: cannot run %s", source, NSCONTAIN_PATH) < 0)
                        return -ENOMEM;
                return -ENOENT;
        }
        /* The importer's own words: "nscontain: Failed to import SOURCE: …". */
        if (last && strncmp(last, "nscontain: ", 11) == 0)
                *ret_error = strdup(last + 11);
        else if (asprintf(ret_error, "Failed to import %s: nscontain image import failed (exit %d)", source,
                          WEXITSTATUS(status)) < 0)
                *ret_error = NULL;
        return *ret_error ? -EIO : -ENOMEM;
}

/* The image's Entrypoint, Cmd, Env, WorkingDir and User under the config's own
 * (lib/image-view.c, which "nscontain validate" applies too). */
static int apply_image_config(Container *c, const ImageConfig *ic) {
        Failure f = {};

        if (image_config_apply(c->config, ic, &f) < 0) {
                failure_log(c->name, &f);
                return -f.error;
        }
        return 0;
}

int image_root_resolve(Container *c) {
        _cleanup_(image_store_close) ImageStore store = {.dir_fd = -EBADF};
        Config *config = c->config;
        int r;

        assert(c && config->image);

        /* Made when missing (an import at this start fills it, or the message names it). */
        r = image_store_open(false, &store);
        if (r == -ENOENT)
                r = image_store_open(true, &store);
        if (r < 0)
                return log_error_errno(r, "%s: Failed to open the image store: %m", c->name);

        r = image_store_resolve(&store, config->image, c->image_id);
        if (r == -ENOENT && image_source_is_transport(config->image)) {
                _cleanup_free_ char *why = NULL;

                r = import_run(c->name, config->image, &why);
                if (r < 0)
                        return log_error_errno(r, "%s: %s", c->name,
                                               why ?: "Failed to run nscontain image import");
                r = image_store_resolve(&store, config->image, c->image_id);
                if (r < 0)
                        return log_error_errno(r, "%s: Imported %s, but the store does not have it: %m",
                                               c->name, config->image);
                log_info("%s: Imported %s as %s.", c->name, config->image, c->image_id);
        } else if (r == -ENOENT)
                return log_error_errno(r,
                                       "%s: No image '%s' in the store %s (see 'nscontain image import').",
                                       c->name, config->image, store.path);
        else if (r < 0)
                return log_error_errno(r, "%s: Failed to look up image '%s': %m", c->name, config->image);

        memcpy(c->image.id, c->image_id, sizeof(c->image.id));
        r = image_store_config(&store, c->image_id, &c->image.config);
        if (r < 0)
                return log_error_errno(r, "%s: Failed to read image %s from the store: %m", c->name,
                                       c->image_id);

        if (image_container_state_dir(c->name, &c->state_dir) < 0)
                return log_oom();
        r = apply_image_config(c, &c->image.config);
        /* The store's JSON leaves many small chunks freed: consolidated now, not by a
         * malloc after the clone, where each heap page it touches is a copy-on-write
         * fault (an image start's page faults: 194 without, 188 with, a rootfs start's
         * 184). */
        (void)malloc_trim(0);
        return r;
}

/* What the root is made of, for messages: the image's name or the rootfs path. */
static const char *root_source(const Container *c) {
        return c->config->image ?: c->config->rootfs;
}

/* A detached clone of dir_fd, idmapped through userns_fd when given. */
static int layer_tree(int dir_fd, int userns_fd, int *ret) {
        _cleanup_close_ int tree = -EBADF;
        int r;

        r = tree_clone(dir_fd, "", AT_EMPTY_PATH, &tree);
        if (r < 0)
                return r;
        r = tree_set_attr(tree, userns_fd >= 0 ? MOUNT_ATTR_IDMAP : 0, 0, /* recursive= */ false, userns_fd);
        if (r < 0)
                return r;
        *ret = TAKE_FD(tree);
        return 0;
}

/* Where the detached trees the layers lie in (the idmapped clone of the store's layers/
 * or of a rootfs, an "ephemeral" tmpfs) stay until overlayfs has taken them. Since
 * Linux 6.15 overlayfs takes a directory of a detached tree as a layer: the trees are
 * held open here (closing one dissolves it) and the overlay is made in the helper's own
 * process. Before, overlayfs takes only what is mounted in the caller's mount namespace:
 * the trees are attached under a staging tmpfs (staging_fd) in a forked process's mount
 * namespace of its own. */
typedef struct Staging {
        int staging_fd; /* -EBADF: detached */
        int held[2];
} Staging;

static void staging_done(Staging *s) {
        s->staging_fd = safe_close(s->staging_fd);
        for (size_t i = 0; i < ELEMENTSOF(s->held); i++)
                s->held[i] = safe_close(s->held[i]);
}

/* Takes the detached tree and places it where overlayfs can use it: held, or attached on
 * a new directory NAME of the staging tmpfs. *ret is an O_PATH fd of its top either way. */
static int staging_place(Staging *s, const char *name, int tree, int *ret) {
        _cleanup_close_ int t = tree, target = -EBADF;
        int r;

        if (s->staging_fd < 0) {
                for (size_t i = 0; i < ELEMENTSOF(s->held); i++) {
                        if (s->held[i] >= 0)
                                continue;
                        *ret = fcntl(t, F_DUPFD_CLOEXEC, 3);
                        if (*ret < 0)
                                return negative_errno();
                        s->held[i] = TAKE_FD(t);
                        return 0;
                }
                return -ENOBUFS;
        }
        if (mkdirat(s->staging_fd, name, 0700) < 0)
                return negative_errno();
        target = openat(s->staging_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (target < 0)
                return negative_errno();
        r = tree_attach(t, target);
        if (r < 0)
                return r;
        *ret = openat(s->staging_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return *ret < 0 ? negative_errno() : 0;
}

/* upper/ and work/: on a fresh tmpfs ("ephemeral") or in the container's own state dir
 * (kept across restarts). */
static int upper_prepare(Container *c, Staging *s, int *ret_upper, int *ret_work, Failure *f) {
        static const char *const tmpfs_options[] = {"mode", "0755", NULL};
        _cleanup_close_ int base = -EBADF, upper = -EBADF, work = -EBADF;
        int r;

        if (c->config->ephemeral) {
                int tmpfs = -EBADF;

                r = fs_new_mount("tmpfs", tmpfs_options, 0, &tmpfs);
                if (r < 0)
                        return failf(f, r, "Failed to create the ephemeral tmpfs of %s", root_source(c));
                r = staging_place(s, "upper", tmpfs, &base);
                if (r < 0)
                        return failf(f, r, "Failed to stage the container's layer");
        } else {
                base = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (base < 0 && errno == ENOENT) {
                        r = mkdir_p_at(AT_FDCWD, c->state_dir, 0700, NULL);
                        if (r < 0)
                                return failf(f, r, "Failed to create '%s'", c->state_dir);
                        base = open(c->state_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                }
                if (base < 0)
                        return failf(f, errno, "Failed to open '%s'", c->state_dir);
        }
        if ((mkdirat(base, "upper", 0755) < 0 && errno != EEXIST) ||
            (mkdirat(base, "work", 0700) < 0 && errno != EEXIST))
                return failf(f, errno, "Failed to create upper/work of the container's layer in %s",
                             c->config->ephemeral ? "its tmpfs" : c->state_dir);

        /* Not idmapped: overlayfs writes its upper layer with the mounter's (host root's)
         * credentials, which an idmap into the range cannot map (EOVERFLOW). The
         * container's files land there with its host ids (BASE+uid), and its root
         * directory is its root's: one chown of our own empty dir, not a shift. */
        if (c->userns && fchownat(base, "upper", c->uid_base, c->uid_base, AT_SYMLINK_NOFOLLOW) < 0)
                return failf(f, errno, "Failed to chown the container's layer");
        upper = openat(base, "upper", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        work = openat(base, "work", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (upper < 0 || work < 0)
                return failf(f, errno, "Failed to open upper/work of the container's layer");
        *ret_upper = TAKE_FD(upper);
        *ret_work = TAKE_FD(work);
        return 0;
}

static int overlay_add_lower(int fs, int layer, const char *what, Failure *f) {
        if (fsconfig(fs, FSCONFIG_SET_FD, "lowerdir+", NULL, layer) < 0)
                return failf(f, errno, "Failed to add %s to the overlayfs (Linux ≥ 6.8 needed)", what);
        return 0;
}

/* Adds the root's lower layers to the overlayfs context fs, idmapped through idmap_fd
 * when given. lowerdir+ appends below what is there: the top layer first. An "ephemeral"
 * rootfs is the one layer (shifted by "ownership": "chown" before, or idmapped as its
 * root tree would be). An image's layers are all idmapped at once: one clone of the
 * store's layers/, each layer a directory of it. */
static int overlay_add_layers(Container *c, int fs, int idmap_fd, Staging *s, Failure *f) {
        _cleanup_(image_store_close) ImageStore store = {.dir_fd = -EBADF};
        _cleanup_close_ int layers = -EBADF;
        const ImageConfig *ic = &c->image.config;
        char what[PATH_MAX + 16];
        int r;

        if (!c->config->image) {
                _cleanup_close_ int dir = -EBADF, tree = -EBADF, layer = -EBADF;

                r = mount_source_open(c->config->rootfs, /* want_dir= */ true, &dir, NULL);
                if (r < 0)
                        return failf(f, r, "Failed to open rootfs '%s'", c->config->rootfs);
                snprintf(what, sizeof(what), "rootfs '%s'", c->config->rootfs);
                if (idmap_fd < 0)
                        return overlay_add_lower(fs, dir, what, f);
                r = layer_tree(dir, idmap_fd, &tree);
                if (r < 0 && idmap_refused(r))
                        return idmap_refused_fail(f, r, c->config, SIZE_MAX, dir);
                if (r < 0)
                        return failf(f, r, "Failed to create an idmapped mount of %s", what);
                r = staging_place(s, "rootfs", TAKE_FD(tree), &layer);
                if (r < 0)
                        return failf(f, r, "Failed to stage %s", what);
                return overlay_add_lower(fs, layer, what, f);
        }

        if (ic->n_diff_ids == 0)
                return failf(f, EINVAL, "Image %s has no layers", c->config->image);
        r = image_store_open(false, &store);
        if (r < 0)
                return failf(f, r, "Failed to open the image store");
        layers = image_store_layers_open(&store);
        if (layers < 0)
                return failf(f, layers, "Failed to open the layers of the image store %s", store.path);
        if (idmap_fd >= 0) {
                _cleanup_close_ int tree = -EBADF;

                /* Named by the top layer, as validate's probe names it: the store's
                 * filesystem is what refuses. */
                snprintf(what, sizeof(what), "layer %s", ic->diff_ids[ic->n_diff_ids - 1]);
                r = layer_tree(layers, idmap_fd, &tree);
                if (r < 0)
                        return image_layer_idmap_fail(f, r, c->config->image, what, layers);
                safe_close(layers);
                r = staging_place(s, "layers", TAKE_FD(tree), &layers);
                if (r < 0)
                        return failf(f, r, "Failed to stage the layers of image %s", c->config->image);
        }
        for (size_t i = ic->n_diff_ids; i > 0; i--) {
                _cleanup_close_ int dir = -EBADF;
                const char *id = ic->diff_ids[i - 1];

                dir = image_layer_open_at(layers, id);
                if (dir < 0)
                        return failf(f, dir, "Failed to open layer %s of image %s in the store", id,
                                     c->config->image);
                snprintf(what, sizeof(what), "layer %s", id);
                r = overlay_add_lower(fs, dir, what, f);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* How overlayfs would look up etc/ and etc/NAME in the layer dir (its rules: the first
 * layer from the top that has the entry wins, a whiteout or an opaque etc/ ends the
 * search). etc_in_layer(): 1 with *ret_etc, 0 no etc/ here (look below), -ENOENT etc/
 * whited out, -EAGAIN what this lookup does not follow (a symlinked etc/): use an
 * overlay. etc_entry_in(): 1 found here, 0 not here (look below), -ENOENT gone (whited
 * out, opaque etc/), -EAGAIN not a plain file, an xwhiteout dir. */
static int etc_in_layer(int dir, int *ret_etc) {
        struct stat st;
        int etc;

        etc = openat(dir, "etc", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (etc >= 0) {
                *ret_etc = etc;
                return 1;
        }
        if (errno == ENOENT)
                return 0;
        if (fstatat(dir, "etc", &st, AT_SYMLINK_NOFOLLOW) >= 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0)
                return -ENOENT;
        return -EAGAIN;
}

static int etc_entry_in(int etc, const char *name) {
        struct stat st;
        char v[2];

        if (fstatat(etc, name, &st, AT_SYMLINK_NOFOLLOW) >= 0) {
                if (S_ISCHR(st.st_mode) && st.st_rdev == 0)
                        return -ENOENT;
                return S_ISREG(st.st_mode) ? 1 : -EAGAIN;
        }
        if (errno != ENOENT)
                return -EAGAIN;
        ssize_t n = fgetxattr(etc, "trusted.overlay.opaque", v, sizeof(v));
        if (n == 1 && v[0] == 'y')
                return -ENOENT;
        if (n >= 0 || errno != ENODATA)
                return -EAGAIN;
        return 0;
}

/* The one layer (the container's own on top, then the image's) that holds the
 * etc/passwd and etc/group the container will see, or -EAGAIN when they are in
 * different layers, missing, or beyond etc_entry_in()'s rules. Mounting and
 * unmounting an overlay only to read two files costs a start more than the rest of
 * its root (bench/image/start). */
static int etc_layer_open(Container *c, ImageStore *store) {
        const ImageConfig *ic = &c->image.config;
        const char *names[] = {"passwd", "group"};
        int found[2] = {-1, -1}; /* index: 0 the container's layer, i + 1 image layer i from the top */
        _cleanup_close_ int own = -EBADF, layers = -EBADF;

        if (!c->config->ephemeral) {
                _cleanup_close_ int d = open(c->state_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (d >= 0)
                        own = openat(d, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        layers = image_store_layers_open(store);
        if (layers < 0)
                return -EAGAIN;
        for (size_t l = 0; l <= ic->n_diff_ids; l++) {
                _cleanup_close_ int dir = -EBADF, etc = -EBADF;
                int done = 0, r;

                if (l == 0 && own < 0)
                        continue;
                dir = l == 0 ? TAKE_FD(own) : image_layer_open_at(layers, ic->diff_ids[ic->n_diff_ids - l]);
                if (dir < 0)
                        return -EAGAIN;
                r = etc_in_layer(dir, &etc);
                if (r < 0)
                        return -EAGAIN;
                if (r == 0)
                        continue;
                for (size_t k = 0; k < 2; k++) {
                        if (found[k] < 0) {
                                r = etc_entry_in(etc, names[k]);
                                if (r < 0)
                                        return -EAGAIN;
                                if (r > 0)
                                        found[k] = (int)l;
                        }
                        if (found[k] >= 0)
                                done++;
                }
                if (done == 2) {
                        if (found[0] != found[1])
                                return -EAGAIN;
                        return TAKE_FD(dir);
                }
        }
        return -EAGAIN;
}

int image_root_view(Container *c, int *ret_fd, Failure *f) {
        _cleanup_(image_store_close) ImageStore store = {.dir_fd = -EBADF};
        int r;

        r = image_store_open(false, &store);
        if (r < 0)
                return failf(f, r, "Failed to open the image store");
        r = etc_layer_open(c, &store);
        if (r >= 0) {
                *ret_fd = r;
                return 0;
        }
        return image_view_open(&store, c->config->image, &c->image.config,
                               c->config->ephemeral ? NULL : c->state_dir, ret_fd, f);
}

/* Stacks the layers under the upper layer; the overlay is a detached mount. Staged: in
 * a forked process, with a mount namespace of its own so nothing is seen on the host
 * (before Linux 6.15, see Staging). Detached: in the helper itself; *ret_refused says
 * that overlayfs refused the detached layers (EINVAL: "failed to clone lowerpath"). */
static int overlay_build(Container *c, int userns_fd, bool staged, int *ret_tree, bool *ret_refused,
                         Failure *f) {
        _cleanup_(staging_done) Staging s = {.staging_fd = -EBADF, .held = {-EBADF, -EBADF}};
        _cleanup_close_ int fs = -EBADF, upper = -EBADF, work = -EBADF;
        /* An image's layers are always idmapped; a rootfs as its "ownership" says. */
        int idmap_fd =
                c->userns && (c->config->image || c->config->user_namespace.ownership == OWNERSHIP_IDMAP)
                        ? userns_fd
                        : -EBADF;
        int r;

        if (staged) {
                _cleanup_close_ int tmpfs = -EBADF, run = -EBADF;

                if (unshare(CLONE_NEWNS) < 0)
                        return failf(f, errno, "Failed to create the staging mount namespace");
                if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                        return failf(f, errno, "Failed to make the staging mount namespace private");
                r = fs_new_mount("tmpfs", NULL, 0, &tmpfs);
                if (r >= 0) {
                        run = open("/run", O_PATH | O_DIRECTORY | O_CLOEXEC);
                        r = run < 0 ? negative_errno() : tree_attach(tmpfs, run);
                }
                if (r < 0)
                        return failf(f, r, "Failed to mount the staging tmpfs");
                s.staging_fd = open("/run", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (s.staging_fd < 0)
                        return failf(f, errno, "Failed to open the staging tmpfs");
        }

        r = fs_open("overlay", &fs);
        if (r < 0)
                return failf(f, r, "Failed to create an overlayfs for %s", root_source(c));
        r = overlay_add_layers(c, fs, idmap_fd, &s, f);
        if (r < 0)
                return r;
        r = upper_prepare(c, &s, &upper, &work, f);
        if (r < 0)
                return r;
        if (fsconfig(fs, FSCONFIG_SET_FD, "upperdir", NULL, upper) < 0 ||
            fsconfig(fs, FSCONFIG_SET_FD, "workdir", NULL, work) < 0)
                return failf(f, errno, "Failed to set the overlayfs's upper and work dirs");
        /* The tests' stand-in for a kernel before 6.15 (error=EINVAL). */
        r = staged ? 0 : failpoint("helper:overlay-detached");
        if (r >= 0)
                r = fs_mount(fs, c->config->readonly ? MOUNT_ATTR_RDONLY : 0, ret_tree);
        if (r == -EINVAL && !staged)
                *ret_refused = true;
        if (r < 0)
                return failf(f, r, "Failed to mount the overlayfs of %s", root_source(c));
        for (size_t i = 0; i < ELEMENTSOF(s.held); i++)
                if (s.held[i] >= 0 && c->n_image_trees < ELEMENTSOF(c->image_trees))
                        c->image_trees[c->n_image_trees++] = TAKE_FD(s.held[i]);
        return 0;
}

/* The staged build, in a forked process; the overlay comes back over a socket. */
static int overlay_build_staged(Container *c, int userns_fd, int *ret_tree, Failure *f) {
        _cleanup_close_pair_ int pair[2] = {-EBADF, -EBADF};
        SyncMessage m;
        int fd = -EBADF, status, r;
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return failf(f, errno, "Failed to create a socket pair");
        pid = fork();
        if (pid < 0)
                return failf(f, errno, "Failed to fork");
        if (pid == 0) {
                Failure cf = {};
                bool refused = false;
                int tree = -EBADF;

                pair[0] = safe_close(pair[0]);
                if (overlay_build(c, userns_fd, /* staged= */ true, &tree, &refused, &cf) < 0) {
                        (void)sync_send_failure(pair[1], &cf);
                        _exit(EXIT_FAILURE);
                }
                m = (SyncMessage){.type = SYNC_GO};
                _exit(sync_send(pair[1], &m, &tree, 1) < 0 ? EXIT_FAILURE : EXIT_SUCCESS);
        }
        pair[1] = safe_close(pair[1]);
        r = sync_receive(pair[0], 0, &m, &fd, 1);
        if (r > 0 && m.type == SYNC_GO && m.n_fds == 1) {
                /* Its exit tears down the staging namespace (an RCU grace period or
                 * more): reaped once the container runs (image_root_reap()). */
                c->image_staging_pid = pid;
                *ret_tree = fd;
                return 0;
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r > 0 && m.type == SYNC_FAILURE) {
                *f = m.failure;
                return -m.failure.error;
        }
        if (r <= 0 || m.type != SYNC_GO || m.n_fds != 1) {
                if (r > 0)
                        for (uint32_t i = 0; i < m.n_fds; i++)
                                safe_close((&fd)[i]);
                return failf(f, r < 0 ? -r : EIO, "Failed to build the overlayfs of %s", root_source(c));
        }
        return failf(f, EIO, "Failed to build the overlayfs of %s", root_source(c));
}

/* Whether overlayfs takes layers in detached trees (Linux 6.15: clone_private_mount()
 * accepts the root of an anonymous mount namespace). An older kernel refuses them only
 * when the overlay is created, after it reset the work dir, and says "failed to clone
 * lowerpath" in the kernel's log: no attempt there. A kernel that has it by another
 * number takes the staged way, which works everywhere. */
static bool overlay_takes_detached(void) {
        struct utsname u;

        /* Unknown: try; a refusal still falls back. */
        return uname(&u) < 0 || kernel_release_at_least(u.release, 6, 15) != 0;
}

int image_root_mount(Container *c, int userns_fd, int *ret_tree, Failure *f) {
        bool refused = false;
        int r;

        if (overlay_takes_detached()) {
                r = overlay_build(c, userns_fd, /* staged= */ false, ret_tree, &refused, f);
                if (r >= 0 || !refused)
                        return r;
                log_debug("%s: overlayfs refused detached layers, staging them in a mount namespace of "
                          "their own.",
                          c->name);
                *f = (Failure){};
        }
        return overlay_build_staged(c, userns_fd, ret_tree, f);
}

void image_root_trees_close(Container *c) {
        for (size_t i = 0; i < c->n_image_trees; i++)
                safe_close(c->image_trees[i]);
        c->n_image_trees = 0;
}

void image_root_reap(Container *c) {
        image_root_trees_close(c);
        if (c->image_staging_pid <= 0)
                return;
        while (waitpid(c->image_staging_pid, NULL, 0) < 0 && errno == EINTR)
                ;
        c->image_staging_pid = 0;
}
