/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The last step into a container, for the helper's payload and "nscontain exec" alike:
 * the command is looked up in the container's PATH, then executed through the stub
 * (stub/stub.c: the process that runs the command must not be a host binary, or the
 * container could overwrite it through /proc/PID/exe, CVE-2019-5736). */

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "build-config.h"
#include "creds.h"
#include "strv.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define STUB_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* stub-blob.c, generated from stub/stub.c by stub/embed.py. */
extern const unsigned char stub_blob[];
extern const size_t stub_blob_size;

int exec_stub_open(bool may_use_file) {
        _cleanup_close_ int fd = -EBADF;
        size_t done = 0;

        /* MFD_EXEC: with vm.memfd_noexec=1 a memfd would otherwise not be executable;
         * kernels before 6.3 do not know the flag (and make every memfd executable). */
        fd = memfd_create("nscontain-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
        if (fd < 0 && errno == EINVAL)
                fd = memfd_create("nscontain-stub", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        /* vm.memfd_noexec=2 forbids executable memfds. The installed copy will do where
         * the container cannot write a file of the host's root: in a user namespace. */
        if (fd < 0 && errno == EACCES && may_use_file) {
                fd = open(STUB_PATH, O_PATH | O_CLOEXEC);
                return fd < 0 ? negative_errno() : TAKE_FD(fd);
        }
        if (fd < 0)
                return negative_errno();

        while (done < stub_blob_size) {
                ssize_t n = write(fd, stub_blob + done, stub_blob_size - done);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                done += (size_t)n;
        }
        /* Sealed: from now on nobody, root included, can change a byte of it. */
        if (fcntl(fd, F_ADD_SEALS, STUB_SEALS) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

int exec_sealed(int stub_fd, int sync_fd, bool init, char *const *argv, char **env, Failure *f) {
        _cleanup_free_ char *path = NULL;
        _cleanup_free_ char **stub_argv = NULL;
        char fd_text[12];
        size_t n = strv_length(argv);
        int r;

        assert(stub_fd >= 0 && sync_fd >= 0 && n > 0);

        r = exec_find(argv[0], env, NULL, NULL, NULL, &path, f);
        if (r < 0)
                return r;

        stub_argv = calloc(n + 4, sizeof(char *));
        if (!stub_argv)
                return failf(f, ENOMEM, "Failed to allocate memory");
        snprintf(fd_text, sizeof(fd_text), "%i", sync_fd);
        stub_argv[0] = (char *)(init ? "nscontain-init" : "nscontain-exec");
        stub_argv[1] = fd_text;
        stub_argv[2] = path;
        memcpy(stub_argv + 3, argv, n * sizeof(char *));

        /* The sync socket must survive this exec (the stub reports through it and marks
         * it close-on-exec itself); every other fd is close-on-exec already. */
        if (fcntl(sync_fd, F_SETFD, 0) < 0)
                return failf(f, errno, "Failed to pass the sync socket to the exec stub");
        execveat(stub_fd, "", stub_argv, env, AT_EMPTY_PATH);
        return failf(f, errno, "Failed to execute the exec stub");
}
