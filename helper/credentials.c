/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "credentials" (nscontain.json(5); nscontain-helper(8), "CREDENTIALS"): systemd loads
 * each source (LoadCredential= in the drop-in) into the helper's $CREDENTIALS_DIRECTORY,
 * which the container cannot see. The parent opens each one before the clone (the files
 * are the host root's, mode 0400: the child in its user namespace could not); the child
 * copies them into a tmpfs of its own at /run/host/credentials (where systemd-nspawn puts
 * them, so a booted systemd finds them too), owned by the payload's user once it is
 * known, files 0400, directory 0500, then made read-only. The values are never logged,
 * never put in the environment (only $CREDENTIALS_DIRECTORY is), never in a message. */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "helper.h"
#include "mount-api.h"
#include "preflight.h"

/* Whether systemd gave us the drop-in's SetCredential= fallback (lib/config.h). */
static int credential_is_marker(int fd) {
        char buf[sizeof(CREDENTIAL_MISSING_MARKER)];
        struct stat st;
        ssize_t n;

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (st.st_size != (off_t)strlen(CREDENTIAL_MISSING_MARKER))
                return 0;
        n = pread(fd, buf, sizeof(buf), 0);
        if (n < 0)
                return negative_errno();
        return (size_t)n == strlen(CREDENTIAL_MISSING_MARKER) &&
               memcmp(buf, CREDENTIAL_MISSING_MARKER, (size_t)n) == 0;
}

int credentials_open(Container *c, Failure *f) {
        const Config *config = c->config;
        const char *dir = getenv("CREDENTIALS_DIRECTORY");

        c->credential_fds = calloc(config->n_credentials, sizeof(int));
        if (!c->credential_fds)
                return failf(f, ENOMEM, "Failed to allocate memory");
        c->n_credential_fds = config->n_credentials;
        for (size_t i = 0; i < config->n_credentials; i++)
                c->credential_fds[i] = -EBADF;

        for (size_t i = 0; i < config->n_credentials; i++) {
                const ConfigPair *cred = &config->credentials[i];
                _cleanup_close_ int dir_fd = -EBADF;
                int r, fd;

                /* The words "nscontain validate" uses: systemd started us with the drop-in's
                 * empty fallback when the source is missing. */
                r = credential_source_check(config, i, f);
                if (r < 0)
                        return r;
                if (isempty(dir)) {
                        /* By hand (--config): no systemd loaded it for us. */
                        fd = open(cred->value, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                        if (fd < 0)
                                return failf(f, errno, "Failed to load credential '%s' from '%s'", cred->key,
                                             cred->value);
                } else {
                        dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
                        if (dir_fd < 0)
                                return failf(f, errno, "Failed to open $CREDENTIALS_DIRECTORY '%s'", dir);
                        fd = openat(dir_fd, cred->key, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
                        if (fd < 0)
                                return failf(f, errno,
                                             "Failed to open credential '%s' in $CREDENTIALS_DIRECTORY '%s'",
                                             cred->key, dir);
                }
                c->credential_fds[i] = fd;
                if (!isempty(dir)) {
                        r = credential_is_marker(fd);
                        if (r < 0)
                                return failf(f, r, "Failed to read credential '%s'", cred->key);
                        if (r > 0) /* read by systemd while missing, there now */
                                return failf(f, ENOENT, "Failed to load credential '%s' from '%s'",
                                             cred->key, cred->value);
                }
        }
        return 0;
}

void credentials_close(Container *c) {
        for (size_t i = 0; i < c->n_credential_fds; i++)
                safe_close(c->credential_fds[i]);
        free(c->credential_fds);
        c->credential_fds = NULL;
        c->n_credential_fds = 0;
}

/* From offset 0 whatever the parent did with the shared file offset. */
static int copy_fd(int src, int dst, off_t size) {
        char buf[16384];

        for (off_t off = 0;;) {
                ssize_t n = pread(src, buf, sizeof(buf), off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        return off == size ? 0 : -EIO;
                int r = loop_write(dst, buf, (size_t)n);
                if (r < 0)
                        return r;
                off += n;
        }
}

int credentials_mount(const Container *c, int target_fd, int *ret_mnt, Failure *f) {
        const Config *config = c->config;
        _cleanup_close_ int mnt_fd = -EBADF;
        char size[32], inodes[32];
        uint64_t pages = 1;
        long page = sysconf(_SC_PAGESIZE);
        int r;

        if (c->n_credential_fds != config->n_credentials)
                return failf(f, EBADF, "Failed to set up %s: the credentials were not opened",
                             CONTAINER_CREDENTIALS_DIR);

        /* Exactly as large as what it holds: nothing else can be written there. */
        for (size_t i = 0; i < c->n_credential_fds; i++) {
                struct stat st;

                if (fstat(c->credential_fds[i], &st) < 0)
                        return failf(f, errno, "Failed to stat credential '%s'", config->credentials[i].key);
                pages += ((uint64_t)st.st_size + (uint64_t)page - 1) / (uint64_t)page + 1;
        }
        snprintf(size, sizeof(size), "%llu", (unsigned long long)(pages * (uint64_t)page));
        snprintf(inodes, sizeof(inodes), "%zu", config->n_credentials + 1);
        const char *const options[] = {"mode", "0500", "size", size, "nr_inodes", inodes, NULL};
        r = fs_new_mount("tmpfs", options, MOUNT_ATTR_SAFE, &mnt_fd);
        if (r < 0)
                return failf(f, r, "Failed to mount tmpfs on '%s'", CONTAINER_CREDENTIALS_DIR);

        for (size_t i = 0; i < c->n_credential_fds; i++) {
                const char *name = config->credentials[i].key;
                _cleanup_close_ int fd = -EBADF;
                struct stat st;

                if (fstat(c->credential_fds[i], &st) < 0)
                        return failf(f, errno, "Failed to stat credential '%s'", name);
                fd = openat(mnt_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0400);
                if (fd < 0)
                        return failf(f, errno, "Failed to create credential '%s' in %s", name,
                                     CONTAINER_CREDENTIALS_DIR);
                r = copy_fd(c->credential_fds[i], fd, st.st_size);
                if (r < 0)
                        return failf(f, r, "Failed to copy credential '%s' into %s", name,
                                     CONTAINER_CREDENTIALS_DIR);
        }

        r = tree_attach(mnt_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to attach tmpfs on '%s'", CONTAINER_CREDENTIALS_DIR);
        *ret_mnt = TAKE_FD(mnt_fd);
        return 0;
}

int credentials_seal(const Container *c, int mnt_fd, const ResolvedUser *u, Failure *f) {
        const Config *config = c->config;
        int r;

        for (size_t i = 0; i < config->n_credentials; i++)
                if (fchownat(mnt_fd, config->credentials[i].key, u->uid, u->gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return failf(f, errno, "Failed to give credential '%s' to uid %u",
                                     config->credentials[i].key, (unsigned)u->uid);
        if (fchownat(mnt_fd, "", u->uid, u->gid, AT_EMPTY_PATH) < 0)
                return failf(f, errno, "Failed to give %s to uid %u", CONTAINER_CREDENTIALS_DIR,
                             (unsigned)u->uid);
        r = tree_set_attr(mnt_fd, MOUNT_ATTR_RDONLY, 0, /* recursive= */ false, -EBADF);
        if (r < 0)
                return failf(f, r, "Failed to make %s read-only", CONTAINER_CREDENTIALS_DIR);
        return 0;
}
