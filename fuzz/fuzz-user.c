/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The helper resolves "user" in the image's own /etc/passwd and /etc/group (lib/user.c:
 * user_resolve_in), as root, from files whoever built the image wrote. The input is a
 * user spec and both files (or their absence); they are written to a scratch root and
 * resolved through its fd, exactly as the helper does before clone3. Never a crash or
 * a leak; a failure fills the Failure; a success gives ids inside the user namespace,
 * unique supplementary groups within the limit, and the uid the spec names.
 *
 * Input: byte 0 flags (bit 0 user namespace, bit 1 passwd present, bit 2 group
 * present), byte 1 length of the user spec, the spec, 2 bytes (big endian) length of
 * passwd, passwd, the rest is group. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "fuzz.h"

static int root_fd = -1, etc_fd = -1;

static void scratch_root(void) {
        char dir[] = "/tmp/fuzz-user.XXXXXX";

        if (root_fd >= 0)
                return;
        fuzz_check(mkdtemp(dir));
        root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        fuzz_check(root_fd >= 0);
        fuzz_check(mkdirat(root_fd, "etc", 0755) == 0);
        etc_fd = openat(root_fd, "etc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        fuzz_check(etc_fd >= 0);
        /* Gone as soon as this process is: the fds keep it usable until then. */
        (void)unlinkat(AT_FDCWD, dir, AT_REMOVEDIR);
}

static void put(const char *name, bool present, const uint8_t *data, size_t size) {
        int fd;

        (void)unlinkat(etc_fd, name, 0);
        if (!present)
                return;
        fd = openat(etc_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        fuzz_check(fd >= 0);
        fuzz_check(write(fd, data, size) == (ssize_t)size);
        close(fd);
}

static bool spec_is_number(const char *s, size_t n) {
        return n > 0 && strspn(s, "0123456789") == n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Config config = {};
        ResolvedUser u = {};
        Failure f = {};
        char spec[256];
        size_t n, pn;
        int r;

        if (size < 4 || size > 256 * 1024)
                return 0;
        scratch_root();

        uint8_t flags = data[0];
        n = data[1];
        data += 2, size -= 2;
        if (n > size)
                n = size;
        memcpy(spec, data, n);
        spec[n] = 0;
        data += n, size -= n;
        if (memchr(spec, 0, n))
                return 0; /* the config's strings never hold NUL */
        pn = size >= 2 ? (size_t)data[0] << 8 | data[1] : 0;
        data += size >= 2 ? 2 : size, size -= size >= 2 ? 2 : size;
        if (pn > size)
                pn = size;
        put("passwd", flags & 2, data, pn);
        put("group", flags & 4, data + pn, size - pn);

        config.user = spec;
        config.namespaces.user = flags & 1;
        config.user_namespace.size = flags & 8 ? 65536 : 1000;

        r = user_resolve_in(root_fd, &config, &u, &f);
        if (r < 0) {
                fuzz_check(f.error > 0 && f.message[0] != 0);
                fuzz_check(memchr(f.message, 0, sizeof(f.message)));
                fuzz_check(u.groups == NULL && u.name == NULL);
                return 0;
        }
        fuzz_check(f.error == 0);
        if (config.namespaces.user) {
                fuzz_check(u.uid < config.user_namespace.size && u.gid < config.user_namespace.size);
                for (size_t i = 0; i < u.n_groups; i++)
                        fuzz_check(u.groups[i] < config.user_namespace.size);
        }
        fuzz_check(u.n_groups <= 1024);
        for (size_t i = 0; i < u.n_groups; i++)
                for (size_t j = i + 1; j < u.n_groups; j++)
                        fuzz_check(u.groups[i] != u.groups[j]);
        /* A numeric uid is that uid, entry or not. */
        char *colon = strchr(spec, ':');
        size_t ul = colon ? (size_t)(colon - spec) : strlen(spec);
        if (spec_is_number(spec, ul) && ul <= 9)
                fuzz_check(u.uid == (uid_t)strtoul(spec, NULL, 10));
        if (ul == 0)
                fuzz_check(n == 0); /* only the empty spec (= "0") has no user part */
        resolved_user_done(&u);
        return 0;
}
