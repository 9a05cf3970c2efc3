/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "config-snapshot.h"
#include "fileio.h"
#include "parse-util.h"

/* Enough for the header and a typical config in one read. */
#define READ_AHEAD 4096
/* "nscontain cat" reads the whole file: 10,000 configs of 6 KiB fit. */
#define SNAPSHOT_FILE_MAX (64 * 1024 * 1024)

size_t config_snapshot_header(char buf[static CONFIG_SNAPSHOT_HEADER_MAX], const char *name, size_t size) {
        char digits[DECIMAL_MAX];
        const char *d = decimal_format(size, digits);
        size_t l = strlen(name), n = STRLEN(CONFIG_SNAPSHOT_MAGIC), k = strlen(d);

        assert(l <= CONFIG_NAME_MAX);
        memcpy(buf, CONFIG_SNAPSHOT_MAGIC, n);
        memcpy(buf + n, name, l);
        buf[n + l] = ' ';
        memcpy(buf + n + l + 1, d, k);
        buf[n + l + 1 + k] = '\n';
        buf[n + l + 2 + k] = 0;
        return n + l + 2 + k;
}

/* Parses the header at the start of 'p' (n bytes available): its length, and the
 * record's name (not terminated) and size; -EBADMSG when no record starts there. */
static ssize_t header_parse(const char *p, size_t n, const char **ret_name, size_t *ret_name_len,
                            size_t *ret_size) {
        size_t k = STRLEN(CONFIG_SNAPSHOT_MAGIC), name_end;
        uint64_t size = 0;

        if (n <= k || memcmp(p, CONFIG_SNAPSHOT_MAGIC, k) != 0)
                return -EBADMSG;
        for (name_end = k; name_end < n && name_end - k <= CONFIG_NAME_MAX && p[name_end] != ' '; name_end++)
                ;
        if (name_end == k || name_end >= n || p[name_end] != ' ')
                return -EBADMSG;
        const char *nl = memchr(p + name_end, '\n', n - name_end);
        if (!nl)
                return -EBADMSG;
        k = (size_t)(nl - p);
        if (decimal_parse(p + name_end + 1, k - name_end - 1, CONFIG_FILE_SIZE_MAX, &size) < 0)
                return -EBADMSG;
        *ret_name = p + STRLEN(CONFIG_SNAPSHOT_MAGIC);
        *ret_name_len = name_end - STRLEN(CONFIG_SNAPSHOT_MAGIC);
        *ret_size = (size_t)size;
        return (ssize_t)(k + 1);
}

static bool name_is(const char *s, size_t l, const char *name) {
        return strlen(name) == l && memcmp(s, name, l) == 0;
}

int config_snapshot_read(const char *path, uint64_t offset, const char *name, char **ret_text,
                         size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *buf = NULL;
        size_t size, have;
        ssize_t got, h;

        assert(path && name && ret_text && ret_size);

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        buf = malloc(READ_AHEAD + 1);
        if (!buf)
                return -ENOMEM;
        got = loop_pread(fd, buf, READ_AHEAD, offset);
        if (got < 0)
                return (int)got;
        const char *n;
        size_t l;
        h = header_parse(buf, (size_t)got, &n, &l, &size);
        if (h < 0 || !name_is(n, l, name))
                return -ESTALE;

        /* The config to the front, then what the first read did not bring. */
        have = MIN((size_t)(got - h), size);
        memmove(buf, buf + h, have);
        if (size > have) {
                char *b = realloc(buf, size + 1);
                if (!b)
                        return -ENOMEM;
                buf = b;
                got = loop_pread(fd, buf + have, size - have, offset + (uint64_t)h + have);
                if (got < 0)
                        return (int)got;
                if ((size_t)got != size - have)
                        return -ESTALE; /* cut short: not a record the generator wrote */
        }
        buf[size] = 0;
        *ret_text = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

int config_snapshot_find(const char *path, const char *name, char **ret_text, size_t *ret_size) {
        _cleanup_free_ char *all = NULL;
        size_t n, pos = 0;
        int r;

        assert(path && name && ret_text && ret_size);

        r = read_full_file_at(AT_FDCWD, path, SNAPSHOT_FILE_MAX, &all, &n);
        if (r < 0)
                return r;
        /* Record by record, each skipped by its size. */
        while (pos < n) {
                const char *s;
                size_t l, size;
                ssize_t h = header_parse(all + pos, n - pos, &s, &l, &size);

                if (h < 0 || size + 1 > n - pos - (size_t)h)
                        return -EBADMSG;
                if (name_is(s, l, name)) {
                        char *t = strndup(all + pos + h, size);
                        if (!t)
                                return -ENOMEM;
                        *ret_text = t;
                        *ret_size = size;
                        return 0;
                }
                pos += (size_t)h + size + 1;
        }
        return -ENOENT;
}
