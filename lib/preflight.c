/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The checks of lib/preflight.h: the container's files are looked at from outside, through
 * an fd of its rootfs (openat2 RESOLVE_IN_ROOT: the image's symlinks stay inside it) and
 * fds of its bind sources, as the child will see them once its mounts are in place. */

#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <syslog.h>

#include "env-file.h"
#include "escape.h"
#include "fs-util.h"
#include "image-view.h"
#include "json-check.h"
#include "preflight.h"
#include "sidecar-bus.h"
#include "strv.h"

const char *fs_type_name(int fd, char *buf, size_t size) {
        static const struct {
                unsigned long magic;
                const char *name;
        } table[] = {
                {OVERLAYFS_SUPER_MAGIC, "overlayfs"},
                {EXT4_SUPER_MAGIC, "ext4"},
                {BTRFS_SUPER_MAGIC, "btrfs"},
                {XFS_SUPER_MAGIC, "xfs"},
                {TMPFS_MAGIC, "tmpfs"},
                {FUSE_SUPER_MAGIC, "fuse"},
                {NFS_SUPER_MAGIC, "nfs"},
                {SQUASHFS_MAGIC, "squashfs"},
                {0x01021997, "9p"},
                {0x2fc12fc1, "zfs"},
                {0xff534d42, "cifs"},
                {PROC_SUPER_MAGIC, "proc"},
                {SYSFS_MAGIC, "sysfs"},
        };
        struct statfs sfs;

        if (fstatfs(fd, &sfs) < 0)
                return "unknown";
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if ((unsigned long)sfs.f_type == table[i].magic)
                        return table[i].name;
        snprintf(buf, size, "type 0x%lx", (unsigned long)sfs.f_type);
        return buf;
}

int mount_source_open(const char *path, bool want_dir, int *ret_fd, struct stat *ret_st) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (want_dir && !S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if (ret_st)
                *ret_st = st;
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* systemd's LoadCredential= fails the unit without naming the file (the drop-in's
 * SetCredential= fallback lets the helper start instead, to say which): the start checks
 * each source with this, and so does "nscontain validate". */
int credential_source_check(const Config *config, size_t i, Failure *f) {
        const ConfigPair *cred = &config->credentials[i];
        struct stat st;

        if (stat(cred->value, &st) < 0)
                return failf(f, errno, "Failed to load credential '%s' from '%s'", cred->key, cred->value);
        if (S_ISDIR(st.st_mode))
                return failf(f, EISDIR, "Failed to load credential '%s' from '%s'", cred->key, cred->value);
        return 0;
}

int device_source_check(const Config *config, size_t i, struct stat *ret, Failure *f) {
        const char *node = config->devices[i].key;
        struct stat st;

        if (stat(node, &st) < 0)
                return failf(f, errno, "Failed to find device '%s' on the host", node);
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return failx(f, ENODEV, "Failed to find device '%s' on the host: not a device node", node);
        if (ret)
                *ret = st;
        return 0;
}

bool idmap_refused(int r) {
        return r == -EINVAL || r == -EOPNOTSUPP;
}

int idmap_refused_fail(Failure *f, int error, const Config *config, size_t index, int fd) {
        char buf[32];

        if (index == SIZE_MAX)
                return failx(
                        f, error,
                        "Failed to create an idmapped mount of rootfs '%s': its filesystem (%s) refuses "
                        "idmapped mounts; set \"user_namespace\": {\"ownership\": \"chown\"} to shift "
                        "its ownership once instead",
                        config->rootfs, fs_type_name(fd, buf, sizeof(buf)));
        return failx(f, error,
                     "Failed to create an idmapped mount of bind source '%s' (mounts[%zu]): its "
                     "filesystem (%s) refuses idmapped mounts; set \"idmap\": false on this mount",
                     config->mounts[index].source, index, fs_type_name(fd, buf, sizeof(buf)));
}

int workdir_enter(const char *workdir, ExecStatFunc stat_fn, void *userdata, Failure *f) {
        char cwd[4096];
        struct stat st;
        int r;

        workdir = workdir ?: "/";
        if (stat_fn) {
                r = stat_fn(workdir, &st, userdata);
                if (r >= 0 && !S_ISDIR(st.st_mode))
                        r = -ENOTDIR;
                if (r < 0)
                        return failf(f, r, "Failed to change to the working directory '%s'", workdir);
                return 0;
        }

        if (chdir(workdir) < 0)
                return failf(f, errno, "Failed to change to the working directory '%s'", workdir);
        /* CVE-2024-21626: a cwd outside the root makes getcwd() fail ("(unreachable)")
         * instead of returning a path: refuse to start the payload there. */
        if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
                return failf(f, errno ?: ENOENT, "The working directory '%s' is not inside the container",
                             workdir);
        return 0;
}

/* ---- the container's files, seen from outside ------------------------------------------ */

typedef struct View {
        const Config *config;
        int root_fd;
        int *bind_fds; /* per config->mounts[i]: the bind source, or -EBADF */
        /* With "ownership": "chown" the tree's ids are shifted by the range's base (a
         * multiple of its size) once it has started: the container sees them modulo the
         * size. 0: as on disk. */
        uint32_t id_modulo;
} View;

/* The mount of config->mounts whose target holds 'path' (the deepest one), and the rest
 * of the path below it; -1 when none does. */
static ssize_t view_mount_for(const View *v, const char *path, const char **ret_rest) {
        ssize_t best = -1;
        size_t best_len = 0;

        for (size_t i = 0; i < v->config->n_mounts; i++) {
                const char *t = v->config->mounts[i].target;
                size_t l = strlen(t);

                while (l > 1 && t[l - 1] == '/')
                        l--;
                if (strncmp(path, t, l) != 0 || (path[l] != 0 && path[l] != '/' && l > 1))
                        continue;
                if (best < 0 || l >= best_len) {
                        best = (ssize_t)i;
                        best_len = l;
                }
        }
        if (best >= 0) {
                const char *rest = path + best_len;
                while (*rest == '/')
                        rest++;
                *ret_rest = rest;
        }
        return best;
}

static int view_stat(const char *path, struct stat *ret, void *userdata) {
        const View *v = userdata;
        _cleanup_close_ int fd = -EBADF;
        const char *rest = NULL;
        ssize_t m;

        m = view_mount_for(v, path, &rest);
        if (m >= 0 && v->config->mounts[m].type == MOUNT_TMPFS) {
                /* An empty tmpfs: its root, made by the mount, and nothing else. */
                if (!isempty(rest))
                        return -ENOENT;
                *ret = (struct stat){.st_mode = S_IFDIR | 0755};
                return 0;
        }
        if (m >= 0) {
                int src = v->bind_fds ? v->bind_fds[m] : -EBADF;
                if (src < 0)
                        return -ENOENT;
                fd = isempty(rest) ? fcntl(src, F_DUPFD_CLOEXEC, 3) : open_in_root(src, rest, O_PATH);
        } else
                fd = open_in_root(v->root_fd, path, O_PATH);
        if (fd < 0)
                return fd == -1 ? negative_errno() : fd;
        if (fstat(fd, ret) < 0)
                return negative_errno();
        if (v->id_modulo > 0) {
                ret->st_uid %= v->id_modulo;
                ret->st_gid %= v->id_modulo;
        }
        return 0;
}

/* ---- idmapped mounts --------------------------------------------------------------------- */

/* The kernel refuses an idmapped mount through a namespace without mappings: give it
 * one id, nobody's, and take an fd of it. */
static int userns_map_and_open(pid_t pid) {
        static const char *const files[] = {"uid_map", "gid_map"};
        char path[64];
        int fd;

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_close_ int map_fd = -EBADF;
                snprintf(path, sizeof(path), "/proc/%i/%s", (int)pid, files[i]);
                map_fd = open(path, O_WRONLY | O_CLOEXEC);
                if (map_fd < 0 || write(map_fd, "0 65534 1\n", 10) != 10)
                        return -EPERM;
        }
        snprintf(path, sizeof(path), "/proc/%i/ns/user", (int)pid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

/* A user namespace of our own for the probes: the idmapped mount must name one that is
 * not the initial one. A child unshares it and we keep an fd of it. */
static int preflight_userns(Preflight *p) {
        _cleanup_close_pair_ int pipe_fds[2] = {-EBADF, -EBADF};
        char c = 0;
        pid_t pid;
        int fd;

        if (p->userns_fd >= 0 || p->userns_fd != -EBADF)
                return p->userns_fd;

        if (pipe2(pipe_fds, O_CLOEXEC) < 0)
                return p->userns_fd = negative_errno();
        pid = fork();
        if (pid < 0)
                return p->userns_fd = negative_errno();
        if (pid == 0) {
                c = unshare(CLONE_NEWUSER) < 0 ? 'n' : 'y';
                (void)!write(pipe_fds[1], &c, 1);
                for (;;)
                        pause();
        }
        pipe_fds[1] = safe_close(pipe_fds[1]);
        if (read(pipe_fds[0], &c, 1) != 1 || c != 'y')
                fd = -EPERM;
        else
                fd = userns_map_and_open(pid);
        (void)kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return p->userns_fd = fd;
}

/* 0 when the filesystem of fd (an O_PATH fd of a directory or file) takes idmapped
 * mounts, or when we cannot tell (not privileged); else what mount_setattr() said. */
static int preflight_idmap_probe(Preflight *p, int fd) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP};
        _cleanup_close_ int tree_fd = -EBADF;
        struct stat st;
        int userns_fd, r;

        if (fstat(fd, &st) < 0)
                return 0;
        for (size_t i = 0; i < p->n_idmap; i++)
                if (p->idmap[i].dev == st.st_dev)
                        return p->idmap[i].result;

        userns_fd = preflight_userns(p);
        if (userns_fd < 0)
                return 0;
        /* What the helper does with the tree, without AT_RECURSIVE: one mount is enough. */
        tree_fd = open_tree(fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
        if (tree_fd < 0)
                return 0; /* EPERM: not ours to try */
        attr.userns_fd = (uint64_t)userns_fd;
        r = mount_setattr(tree_fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0 ? negative_errno() : 0;
        if (r < 0 && !idmap_refused(r))
                r = 0;
        if (p->n_idmap < ELEMENTSOF(p->idmap))
                p->idmap[p->n_idmap++] = (PreflightIdmapResult){.dev = st.st_dev, .result = r};
        return r;
}

void preflight_done(Preflight *p) {
        if (p->userns_fd >= 0)
                p->userns_fd = safe_close(p->userns_fd);
        image_store_close(&p->store);
        p->store = (ImageStore){.dir_fd = -EBADF};
}

/* ---- the checks -------------------------------------------------------------------------- */

typedef struct Check {
        Preflight *p;
        int errors;
} Check;

static void check_report(Check *c, int level, const char *jpath, const Failure *f) {
        char text[FAILURE_TEXT_MAX];

        if (level <= LOG_ERR)
                c->errors++;
        if (c->p->report)
                c->p->report(level, jpath, failure_text(f, text, sizeof(text)), c->p->userdata);
}

static int check_mounts(Check *c, const Config *config, View *v) {
        for (size_t i = 0; i < config->n_mounts; i++) {
                const MountSpec *m = &config->mounts[i];
                char jpath[64];
                Failure f = {};
                int fd;

                if (m->type != MOUNT_BIND)
                        continue;
                /* The helper's open of it (helper/mount-trees.c). */
                int r = mount_source_open(m->source, /* want_dir= */ false, &fd, NULL);
                if (r < 0) {
                        snprintf(jpath, sizeof(jpath), "mounts[%zu].source", i);
                        failf(&f, r, "Failed to open bind source '%s' (mounts[%zu])", m->source, i);
                        check_report(c, LOG_ERR, jpath, &f);
                        continue;
                }
                v->bind_fds[i] = fd;

                if (config->namespaces.user && m->idmap) {
                        r = preflight_idmap_probe(c->p, fd);
                        if (r < 0) {
                                snprintf(jpath, sizeof(jpath), "mounts[%zu].idmap", i);
                                idmap_refused_fail(&f, r, config, i, fd);
                                check_report(c, LOG_ERR, jpath, &f);
                        }
                }
        }
        return 0;
}

/* "credentials" and "devices": their sources on this host, as the start looks at them. */
static void check_host_sources(Check *c, const Config *config) {
        char jpath[JPATH_KEY_MAX];

        for (size_t i = 0; i < config->n_credentials; i++) {
                Failure f = {};

                if (credential_source_check(config, i, &f) >= 0)
                        continue;
                strcpy(jpath, "credentials");
                if (!json_path_append_key(jpath, sizeof(jpath), config->credentials[i].key))
                        strcpy(jpath, "credentials");
                check_report(c, LOG_ERR, jpath, &f);
        }
        for (size_t i = 0; i < config->n_devices; i++) {
                Failure f = {};

                if (device_source_check(config, i, NULL, &f) >= 0)
                        continue;
                snprintf(jpath, sizeof(jpath), "devices[%zu]", i);
                check_report(c, LOG_ERR, jpath, &f);
        }
}

/* config is the process as the start runs it (given, with the image's config applied):
 * a value the image gave is reported at the key "image". */
static void check_root(Check *c, const Config *config, const Config *given, View *v) {
        bool from_image = given->image != NULL;
        _cleanup_(resolved_user_done) ResolvedUser u = {};
        _cleanup_free_ char *found = NULL;
        Failure f = {};
        int r;

        /* An image's layers are probed where they are (image_open()), not its view. */
        if (!config->image && config->namespaces.user &&
            config->user_namespace.ownership == OWNERSHIP_IDMAP) {
                r = preflight_idmap_probe(c->p, v->root_fd);
                if (r < 0) {
                        idmap_refused_fail(&f, r, config, SIZE_MAX, v->root_fd);
                        check_report(c, LOG_ERR, "user_namespace.ownership", &f);
                        f = (Failure){};
                }
        }

        /* As the start resolves it: the image's /etc/passwd and /etc/group, by fd. */
        r = user_resolve_in(v->root_fd, config, &u, &f);
        if (r < 0) {
                check_report(c, LOG_ERR, from_image && !given->user_given ? "image" : "user", &f);
                f = (Failure){};
                u = (ResolvedUser){}; /* the command as root, then */
        }

        r = workdir_enter(config->workdir, view_stat, v, &f);
        if (r < 0) {
                check_report(c, LOG_ERR, from_image && !given->workdir_given ? "image" : "workdir", &f);
                f = (Failure){};
        }

        /* "boot" runs /sbin/init (helper/boot.c), with "command" as its arguments. */
        if (config->boot || (config->command && config->command[0])) {
                const char *cmd = config->boot ? "/sbin/init" : config->command[0];
                r = exec_find(cmd, config->env, view_stat, v, &u, &found, &f);
                if (r == -ENOMEM)
                        return;
                if (r < 0)
                        check_report(c, LOG_ERR,
                                     config->boot                    ? "boot"
                                     : from_image && !given->command ? "image"
                                                                     : "command[0]",
                                     &f);
        }

        /* The health check runs as "nscontain exec" runs a command: a missing one does not
         * stop the start, it makes every check fail (helper/health.c). A warning. */
        if (config->health.command && config->health.command[0]) {
                free(found);
                found = NULL;
                f = (Failure){};
                r = exec_find(config->health.command[0], config->env, view_stat, v, &u, &found, &f);
                if (r == -ENOMEM)
                        return;
                if (r < 0)
                        check_report(c, LOG_WARNING, "health.command[0]", &f);
        }
}

/* ---- the root ---------------------------------------------------------------------------- */

/* The config as the start runs it: command, env, workdir and user are its own copies,
 * which the image's config and env_files change; everything else is config's. */
static int process_copy(const Config *config, Config *ret) {
        *ret = *config;
        ret->command = config->command ? strv_copy(config->command) : NULL;
        ret->env = config->env ? strv_copy(config->env) : NULL;
        ret->workdir = config->workdir ? strdup(config->workdir) : NULL;
        ret->user = config->user ? strdup(config->user) : NULL;
        if ((config->command && !ret->command) || (config->env && !ret->env) ||
            (config->workdir && !ret->workdir) || (config->user && !ret->user))
                return -ENOMEM;
        return 0;
}

static void process_done(Config *c) {
        strv_free(c->command);
        strv_free(c->env);
        free(c->workdir);
        free(c->user);
}

/* Skipped checks, at LOG_INFO: "JPATH: TEXT; the checks against the image were skipped". */
static void check_skipped(Check *c, const char *jpath, const Failure *f) {
        char text[FAILURE_TEXT_MAX], line[FAILURE_TEXT_MAX + 64];

        if (!c->p->report)
                return;
        snprintf(line, sizeof(line), "%s; the checks against the image were skipped",
                 failure_text(f, text, sizeof(text)));
        c->p->report(LOG_INFO, jpath, line, c->p->userdata);
}

static int rootfs_open(Check *c, const Config *config, int *ret_fd) {
        Failure f = {};
        int r;

        r = mount_source_open(config->rootfs, /* want_dir= */ true, ret_fd, NULL);
        if (r >= 0)
                return 0;
        /* ENOTDIR: it is there, and is no directory: the start's error. Otherwise a config
         * checked away from its machine (or by a user who may not look). */
        failf(&f, r, "Failed to open rootfs '%s'", config->rootfs);
        if (r == -ENOTDIR)
                check_report(c, LOG_ERR, "rootfs", &f);
        else
                check_skipped(c, "rootfs", &f);
        return r;
}

/* The image's tree as the start will see it (lib/image-view.c), and its config applied
 * to proc as the start applies it. An image not in the store is not checked (a transport
 * is imported at the first start; a name on another machine's store), nor without the
 * privileges to mount its layers. */
static int image_open(Check *c, const Config *config, Config *proc, int *ret_fd) {
        _cleanup_(image_info_done) ImageInfo info = {};
        _cleanup_free_ char *state_dir = NULL;
        char id[IMAGE_DIGEST_LEN + 1];
        Preflight *p = c->p;
        Failure f = {};
        int r;

        if (p->store_error == 0 && p->store.dir_fd < 0) {
                r = image_store_open(/* create= */ false, &p->store);
                p->store_error = r < 0 ? r : 0;
        }
        r = p->store_error ?: image_store_resolve(&p->store, config->image, id);
        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT && image_source_is_transport(config->image)) {
                failx(&f, ENOENT, "Image %s is not imported yet: its first start imports it", config->image);
                check_skipped(c, "image", &f);
                return r;
        }
        if (r == -ENOENT) {
                /* The start's words (helper/image-root.c). */
                failx(&f, ENOENT, "No image '%s' in the store %s (see 'nscontain image import').",
                      config->image, p->store.path ?: getenv(IMAGE_STORE_ENV) ?: IMAGE_STORE_DIR);
                check_skipped(c, "image", &f);
                return r;
        }
        if (r < 0) {
                failf(&f, r, "Failed to look up image '%s'", config->image);
                check_skipped(c, "image", &f);
                return r;
        }
        r = image_store_config(&p->store, id, &info.config);
        if (r < 0) {
                failf(&f, r, "Failed to read image %s from the store", id);
                check_report(c, LOG_ERR, "image", &f);
                return r;
        }
        r = image_config_apply(proc, &info.config, &f);
        if (r < 0) {
                check_report(c, LOG_ERR, "image", &f);
                return r;
        }
        r = image_container_state_dir(config->name, &state_dir);
        if (r < 0)
                return r;
        r = image_view_open(&p->store, config->image, &info.config, config->ephemeral ? NULL : state_dir,
                            ret_fd, &f);
        if (r == -EPERM) {
                f = (Failure){};
                failx(&f, EPERM, "Mounting the layers of image %s needs root", config->image);
                check_skipped(c, "image", &f);
                return r;
        }
        if (r < 0) {
                check_report(c, LOG_ERR, "image", &f);
                return r;
        }

        /* The start idmaps each layer into the container's range, the top one first
         * (helper/image-root.c): one probe of the store's filesystem, in its words. */
        if (config->namespaces.user) {
                const char *top = info.config.diff_ids[info.config.n_diff_ids - 1];
                _cleanup_close_ int layer = image_store_layer_open(&p->store, top);
                if (layer >= 0 && (r = preflight_idmap_probe(p, layer)) < 0) {
                        f = (Failure){};
                        char what[IMAGE_DIGEST_LEN + 16];
                        snprintf(what, sizeof(what), "layer %s", top);
                        image_layer_idmap_fail(&f, r, config->image, what, layer);
                        check_report(c, LOG_ERR, "image", &f);
                }
        }
        return 0;
}

int preflight_address6(const Config *config, char buf[static VALUE_REFUSAL_SIZE], char **ret_unchecked) {
        _cleanup_free_ char *error = NULL;
        char reason_buf[SIDECAR_REASON_MAX];
        const char *reason = NULL;
        Settings settings;

        if (config->network.mode != NETWORK_VETH || !config->network.ipv6 || !config->network.address6)
                return 0;
        if (settings_load(&settings, SIDECAR_SETTINGS_FILE, SIDECAR_MACHINE_ID, &error) < 0) {
                if (ret_unchecked && asprintf(ret_unchecked, "not checked against the IPv6 pool: %s: %s",
                                              SIDECAR_SETTINGS_FILE, error ?: "cannot be read") < 0)
                        return -ENOMEM;
                return 0;
        }
        if (sidecar_check_address6(config->network.address6, &settings.pool6, NULL, &reason, reason_buf) >=
            0)
                return 0;
        value_refusal(SIDECAR_ADDRESS6_WHAT, config->network.address6, reason, buf);
        return -EINVAL;
}

static int check_address6(Check *c, const Config *config) {
        _cleanup_free_ char *unchecked = NULL;
        char text[VALUE_REFUSAL_SIZE];
        Failure f = {};
        int r;

        r = preflight_address6(config, text, &unchecked);
        if (r == -ENOMEM)
                return r;
        if (unchecked && c->p->report)
                c->p->report(LOG_INFO, "network.address6", unchecked, c->p->userdata);
        if (r < 0) {
                failx(&f, EINVAL, "%s", text);
                check_report(c, LOG_ERR, "network.address6", &f);
        }
        return 0;
}

int preflight_check(Preflight *p, const Config *config) {
        _cleanup_free_ int *bind_fds = NULL;
        _cleanup_close_ int root_fd = -EBADF;
        _cleanup_(process_done) Config proc = {};
        _cleanup_free_ char *env_error = NULL;
        Check c = {.p = p};
        View v = {};
        int r;

        assert(p && config);

        if (check_address6(&c, config) < 0)
                return -ENOMEM;
        if (process_copy(config, &proc) < 0)
                return -ENOMEM;
        r = config->image ? image_open(&c, config, &proc, &root_fd) : rootfs_open(&c, config, &root_fd);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return c.errors;

        /* The files the start reads on the host, before the image's: env_files first (they
         * may set PATH, which the command's lookup uses). */
        r = env_files_apply(config->env_files, config->env_given, &proc.env, &env_error);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && p->report) {
                /* "env_files[0]: PATH:LINE: ..." is the JSON path and the text. */
                const char *colon = env_error ? strchr(env_error, ':') : NULL;
                if (colon) {
                        _cleanup_free_ char *jpath = strndup(env_error, colon - env_error);
                        if (!jpath)
                                return -ENOMEM;
                        p->report(LOG_ERR, jpath, colon + 2, p->userdata);
                }
        }
        if (r < 0)
                c.errors++;

        if (config->n_mounts > 0) {
                bind_fds = malloc(config->n_mounts * sizeof(int));
                if (!bind_fds)
                        return -ENOMEM;
                for (size_t i = 0; i < config->n_mounts; i++)
                        bind_fds[i] = -EBADF;
        }
        v = (View){.config = &proc, .root_fd = root_fd, .bind_fds = bind_fds};
        if (config->namespaces.user &&
            (config->image || config->user_namespace.ownership == OWNERSHIP_CHOWN))
                v.id_modulo = config->user_namespace.size;

        check_host_sources(&c, config);
        (void)check_mounts(&c, &proc, &v);
        check_root(&c, &proc, config, &v);

        for (size_t i = 0; i < config->n_mounts; i++)
                safe_close(bind_fds[i]);
        return c.errors;
}

/* ---- over a config set ------------------------------------------------------------------- */

typedef struct SetReport {
        ConfigSet *set;
        const ConfigSetEntry *entry;
        bool oom;
} SetReport;

static void set_report(int level, const char *jpath, const char *text, void *userdata) {
        SetReport *r = userdata;
        _cleanup_free_ char *line = NULL;
        const char *file = strrchr(r->entry->path, '/');

        if (asprintf(&line, "%s: %s", jpath, text) < 0) {
                r->oom = true;
                return;
        }
        r->set->report(level, r->entry, file ? file + 1 : r->entry->path, line, r->set->userdata);
}

int preflight_config_set(ConfigSet *s) {
        SetReport sr = {.set = s};
        _cleanup_(preflight_done) Preflight p = PREFLIGHT_INIT;
        int bad = 0;

        p.report = s->report ? set_report : NULL;
        p.userdata = &sr;
        for (size_t i = 0; i < s->n; i++) {
                const ConfigSetEntry *e = &s->entries[i];
                int r;

                if (!e->checked || e->state != CONFIG_VALID)
                        continue;
                sr.entry = e;
                r = preflight_check(&p, e->config);
                if (r < 0)
                        return r;
                if (r > 0)
                        bad++;
        }
        return sr.oom ? -ENOMEM : bad;
}
