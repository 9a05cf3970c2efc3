/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config_load_file(): every kind of file that is not a readable config gets its own
 * message naming the file, and nothing is read that should not be. */

#include <fcntl.h>
#include <ftw.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "lib/config.h"
#include "tests.h"

static char dir[] = "/tmp/test-config-file.XXXXXX";

static const char *at(const char *name) {
        static char buf[4][512];
        static int i;
        i = (i + 1) % 4;
        snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
        return buf[i];
}

static void write_file(const char *name, const char *content) {
        test_write_file(at(name), content);
}

static void load_fails(const char *path, const char *name, int error, const char *expected) {
        Config *c = NULL;
        char *err = NULL;
        int r = config_load_file(path, name, &c, &err);
        if (r != error || c || !err || strcmp(err, expected) != 0) {
                fprintf(stderr, "%s: expected %d \"%s\"\n  got %d \"%s\"\n", path, error, expected, r,
                        err ?: "(no message)");
                abort();
        }
        free(err);
}

static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TEST(test_good) {
        write_file("web.json", "{\"rootfs\": \"/srv/web\", \"command\": [\"/bin/true\"]}\n");
        _cleanup_config_free_ Config *c = NULL;
        char *err = NULL;
        ASSERT_OK(config_load_file(at("web.json"), NULL, &c, &err));
        ASSERT(!err);
        ASSERT_STREQ(c->name, "web");
        ASSERT_STREQ(c->path, at("web.json"));
        ASSERT_STREQ(c->rootfs, "/srv/web");

        /* An explicit name wins over the file name (any file name then). */
        _cleanup_config_free_ Config *d = NULL;
        ASSERT_OK(symlink("web.json", at("other.conf")));
        ASSERT_OK(config_load_file(at("other.conf"), "db", &d, &err));
        ASSERT_STREQ(d->name, "db");
        ASSERT_STREQ(d->hostname, "db");

        /* Through a symlink: allowed, the name is the link's. */
        _cleanup_config_free_ Config *e = NULL;
        ASSERT_OK(symlink("web.json", at("alias.json")));
        ASSERT_OK(config_load_file(at("alias.json"), NULL, &e, &err));
        ASSERT_STREQ(e->name, "alias");
}

TEST(test_names) {
        write_file("a b.json", "{}");
        load_fails(at("a b.json"), NULL, -EINVAL,
                   "a b.json: invalid container name \"a b\": " CONFIG_NAME_RULE);
        write_file("my_web.json", "{}");
        load_fails(at("my_web.json"), NULL, -EINVAL,
                   "my_web.json: invalid container name \"my_web\": '_' is not allowed in a machine name: "
                   "rename the file to my-web.json");
        write_file(".json", "{}");
        load_fails(at(".json"), NULL, -EINVAL, ".json: invalid container name \"\": " CONFIG_NAME_RULE);
        write_file(".hidden.json", "{}");
        load_fails(at(".hidden.json"), NULL, -EINVAL,
                   ".hidden.json: invalid container name \".hidden\": " CONFIG_NAME_RULE);
        write_file("web.conf", "{}");
        load_fails(at("web.conf"), NULL, -EINVAL, "web.conf: file name must be NAME.json");
        load_fails(at("web.conf"), "-x", -EINVAL,
                   "web.conf: invalid container name \"-x\": " CONFIG_NAME_RULE);
}

TEST(test_not_files) {
        load_fails(at("missing.json"), NULL, -ENOENT, "missing.json: no such file");
        ASSERT_OK(symlink("nowhere", at("dangling.json")));
        load_fails(at("dangling.json"), NULL, -ENOENT, "dangling.json: no such file");

        ASSERT_OK(mkdir(at("dir.json"), 0755));
        load_fails(at("dir.json"), NULL, -EISDIR, "dir.json: is a directory, not a config file");

        ASSERT_OK(symlink("loop.json", at("loop.json")));
        load_fails(at("loop.json"), NULL, -ELOOP,
                   "loop.json: too many levels of symbolic links (a symlink loop?)");

        write_file("plain", "x");
        load_fails(at("plain/x.json"), NULL, -ENOTDIR, "x.json: a component of the path is not a directory");

        /* A FIFO must neither hang the reader nor be read. */
        ASSERT_OK(mkfifo(at("fifo.json"), 0644));
        load_fails(at("fifo.json"), NULL, -EBADFD, "fifo.json: is a FIFO, not a regular file");

        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ASSERT(s >= 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", at("sock.json"));
        ASSERT_OK(bind(s, (struct sockaddr *)&sa, sizeof(sa)));
        load_fails(at("sock.json"), NULL, -ENXIO, "sock.json: is a socket, not a regular file");
        close(s);

        ASSERT_OK(symlink("/dev/zero", at("zero.json")));
        load_fails(at("zero.json"), NULL, -EBADFD, "zero.json: is a character device, not a regular file");
}

TEST(test_masked) {
        write_file("empty.json", "");
        load_fails(at("empty.json"), NULL, -ERFKILL, "empty.json: masked (an empty file)");
        ASSERT_OK(symlink("/dev/null", at("null.json")));
        load_fails(at("null.json"), NULL, -ERFKILL, "null.json: masked (a symlink to /dev/null)");
}

TEST(test_size) {
        /* 100 MB (sparse): refused from its size alone, without reading it. */
        int fd = open(at("huge.json"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT(fd >= 0);
        ASSERT_OK(ftruncate(fd, 100 * 1024 * 1024));
        close(fd);
        double t = now();
        load_fails(at("huge.json"), NULL, -EFBIG,
                   "huge.json: file too large (104857600 bytes): a config may be at most 1048576 bytes");
        t = now() - t;
        if (t > 0.05) {
                fprintf(stderr, "rejecting a 100 MB file took %.3f s\n", t);
                abort();
        }

        /* Exactly the limit is fine; one byte more is not. */
        char *buf = malloc(CONFIG_FILE_SIZE_MAX + 2);
        ASSERT(buf);
        static const char json[] = "{\"rootfs\": \"/r\", \"command\": [\"x\"]}";
        memset(buf, ' ', CONFIG_FILE_SIZE_MAX + 1);
        memcpy(buf, json, strlen(json));
        buf[CONFIG_FILE_SIZE_MAX] = 0;
        write_file("max.json", buf);
        _cleanup_config_free_ Config *c = NULL;
        ASSERT_OK(config_load_file(at("max.json"), NULL, &c, NULL));
        buf[CONFIG_FILE_SIZE_MAX] = ' ';
        buf[CONFIG_FILE_SIZE_MAX + 1] = 0;
        write_file("over.json", buf);
        load_fails(at("over.json"), NULL, -EFBIG,
                   "over.json: file too large (1048577 bytes): a config may be at most 1048576 bytes");
        free(buf);
}

TEST(test_content_errors) {
        write_file("bad.json",
                   "{\n  \"rootfs\": \"/r\",\n  \"command\": [\"x\"],\n  \"hostname\": \"a b\"\n}\n");
        load_fails(at("bad.json"), NULL, -EINVAL,
                   "bad.json: hostname: invalid hostname \"a b\": use 1–64 of A–Z a–z 0–9 - . not starting "
                   "or ending with "
                   "- or .");
        write_file("syntax.json", "{\n  \"rootfs\": \"/r\"\n  \"command\": []\n}\n");
        load_fails(at("syntax.json"), NULL, -EINVAL,
                   "syntax.json:3:3: expected ',' or '}' after an object member, found '\"'");
        write_file("nul.json", "{}");
        int fd = open(at("nul.json"), O_WRONLY | O_TRUNC | O_CLOEXEC);
        ASSERT(fd >= 0);
        ASSERT_EQ(write(fd, "{\0}", 3), 3);
        close(fd);
        load_fails(at("nul.json"), NULL, -EINVAL,
                   "nul.json:1:2: NUL byte (byte offset 1): JSON is text and must not contain NUL");
}

TEST(test_unreadable) {
        write_file("secret.json", "{\"rootfs\": \"/r\", \"command\": [\"x\"]}");
        ASSERT_OK(chmod(at("secret.json"), 0));

        if (geteuid() != 0) {
                load_fails(at("secret.json"), NULL, -EACCES, "secret.json: cannot read: permission denied");
                return;
        }
        /* Root reads anything: try as an unprivileged user in a child. */
        pid_t pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
                if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                        _exit(77);
                load_fails(at("secret.json"), NULL, -EACCES, "secret.json: cannot read: permission denied");
                _exit(0);
        }
        int status;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77)
                TEST_SKIP("cannot drop privileges to 65534, so EACCES is not checked");
        ASSERT_EQ(WEXITSTATUS(status), 0);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

static void dir_setup(void) {
        ASSERT(mkdtemp(dir));
        ASSERT_OK(chmod(dir, 0755)); /* the unprivileged child must reach the files */
}
TEST_SETUP(dir_setup);

static void dir_teardown(void) {
        ASSERT_OK(nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS));
}
TEST_TEARDOWN(dir_teardown);
