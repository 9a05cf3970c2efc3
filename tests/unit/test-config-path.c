/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The search path: $NSCONTAIN_CONFIG_PATH, precedence (first directory wins), masking
 * (empty file or symlink to /dev/null), enumeration order, and speed at 10,000 files;
 * the set's check of host ports published by two configs. */

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <time.h>

#include <syslog.h>

#include "lib/config-set.h"
#include "lib/config.h"
#include "lib/strv.h"
#include "tests.h"

static char root[] = "/tmp/test-config-path.XXXXXX";

static const char *at(const char *name) {
        static char buf[8][512];
        static int i;
        i = (i + 1) % 8;
        snprintf(buf[i], sizeof(buf[i]), "%s/%s", root, name);
        return buf[i];
}

static void write_file(const char *name, const char *content) {
        test_write_file(at(name), content);
}

static void write_config(const char *name, const char *rootfs) {
        char json[256];
        snprintf(json, sizeof(json), "{\"rootfs\": \"%s\", \"command\": [\"/bin/true\"]}\n", rootfs);
        write_file(name, json);
}

/* CPU time (user + system) of this process: what the code costs, not how busy the
 * machine is (the tests share two cores with builds). */
static double now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void set_path(const char *dirs) {
        ASSERT_OK(setenv("NSCONTAIN_CONFIG_PATH", dirs, 1));
}

TEST(test_search_path) {
        char **l = NULL;

        ASSERT_OK(unsetenv("NSCONTAIN_CONFIG_PATH"));
        ASSERT_OK(config_search_path(&l));
        ASSERT_EQ(strv_length(l), 3);
        ASSERT_STREQ(l[0], "/etc/nscontain.d");
        ASSERT_STREQ(l[1], "/run/nscontain.d");
        ASSERT_STREQ(l[2], "/usr/lib/nscontain.d");
        l = strv_free(l);

        set_path("/a:/b");
        ASSERT_OK(config_search_path(&l));
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[0], "/a");
        ASSERT_STREQ(l[1], "/b");
        l = strv_free(l);

        /* Empty components are skipped, duplicates keep their first place. */
        set_path("::/a::/b:/a");
        ASSERT_OK(config_search_path(&l));
        ASSERT_EQ(strv_length(l), 2);
        ASSERT_STREQ(l[0], "/a");
        ASSERT_STREQ(l[1], "/b");
        l = strv_free(l);

        /* A trailing ':' appends the built-in path (as $SYSTEMD_UNIT_PATH does). */
        set_path("/x:");
        ASSERT_OK(config_search_path(&l));
        ASSERT_EQ(strv_length(l), 4);
        ASSERT_STREQ(l[0], "/x");
        ASSERT_STREQ(l[1], "/etc/nscontain.d");
        ASSERT_STREQ(l[3], "/usr/lib/nscontain.d");
        l = strv_free(l);

        /* Set but empty: no directories at all. */
        set_path("");
        ASSERT_OK(config_search_path(&l));
        ASSERT(l);
        ASSERT_EQ(strv_length(l), 0);
        l = strv_free(l);

        ConfigEntry *e = NULL;
        size_t n = 99;
        ASSERT_OK(config_enumerate(&e, &n));
        ASSERT_EQ(n, 0);
        config_entries_free(e, n);
        ASSERT_EQ(config_find("web", NULL), -ENOENT);
}

TEST(test_precedence_and_masking) {
        char **l = NULL;
        ASSERT_OK(mkdir(at("etc"), 0755));
        ASSERT_OK(mkdir(at("run"), 0755));
        ASSERT_OK(mkdir(at("lib"), 0755));
        char path[1024];
        /* "missing" does not exist: a normal state for /run/nscontain.d. */
        snprintf(path, sizeof(path), "%s:%s:%s:%s", at("etc"), at("missing"), at("run"), at("lib"));
        set_path(path);
        ASSERT_OK(config_search_path(&l));
        ASSERT_EQ(strv_length(l), 4);
        l = strv_free(l);

        /* web: in all three, /etc wins. */
        write_config("etc/web.json", "/etc-web");
        write_config("run/web.json", "/run-web");
        write_config("lib/web.json", "/lib-web");
        /* db: /run over /usr/lib. */
        write_config("run/db.json", "/run-db");
        write_config("lib/db.json", "/lib-db");
        /* masked by an empty file in /etc. */
        write_file("etc/old.json", "");
        write_config("lib/old.json", "/lib-old");
        /* masked by a /dev/null symlink in /run. */
        ASSERT_OK(symlink("/dev/null", at("run/gone.json")));
        write_config("lib/gone.json", "/lib-gone");
        /* a mask below a real file does nothing. */
        write_config("etc/up.json", "/etc-up");
        write_file("lib/up.json", "");
        /* a mask with nothing below is still a mask. */
        write_file("lib/lone.json", "");
        /* a relative symlink to /dev/null through "..": masks by what it resolves to. */
        char rel[512];
        snprintf(rel, sizeof(rel), "../../../../../../../../../../dev/null");
        ASSERT_OK(symlink(rel, at("etc/rel.json")));
        /* a symlink to a config elsewhere wins and is not a mask. */
        ASSERT_OK(symlink("../lib/db.json", at("etc/link.json")));
        /* a dangling symlink, a directory, invalid names: listed for the caller to report. */
        ASSERT_OK(symlink("nowhere.json", at("etc/dangling.json")));
        ASSERT_OK(mkdir(at("run/dir.json"), 0755));
        write_config("lib/a b.json", "/x");
        write_config("lib/.hidden.json", "/x");
        /* not configs. */
        write_config("etc/web.json~", "/x");
        write_config("etc/web.json.swp", "/x");
        write_config("etc/README", "/x");
        write_config("etc/json", "/x");

        char *p = NULL;
        ASSERT_OK(config_find("web", &p));
        ASSERT_STREQ(p, at("etc/web.json"));
        free(p);
        ASSERT_OK(config_find("db", &p));
        ASSERT_STREQ(p, at("run/db.json"));
        free(p);
        ASSERT_EQ(config_find("old", &p), -ERFKILL);
        ASSERT_EQ(config_find("gone", &p), -ERFKILL);
        ASSERT_EQ(config_find("lone", &p), -ERFKILL);
        ASSERT_EQ(config_find("rel", &p), -ERFKILL);
        ASSERT_OK(config_find("up", &p));
        ASSERT_STREQ(p, at("etc/up.json"));
        free(p);
        ASSERT_OK(config_find("link", &p));
        ASSERT_STREQ(p, at("etc/link.json"));
        free(p);
        ASSERT_OK(config_find("dangling", &p));
        free(p);
        ASSERT_EQ(config_find("nothere", &p), -ENOENT);
        ASSERT_EQ(config_find("a b", &p), -EINVAL);
        ASSERT_EQ(config_find("", &p), -EINVAL);
        ASSERT_OK(config_find("web", NULL));

        /* The winner is what loads. */
        _cleanup_config_free_ Config *c = NULL;
        ASSERT_OK(config_find("db", &p));
        ASSERT_OK(config_load_file(p, NULL, &c, NULL));
        ASSERT_STREQ(c->rootfs, "/run-db");
        free(p);

        ConfigEntry *e = NULL;
        size_t n = 0;
        ASSERT_OK(config_enumerate(&e, &n));
        static const struct {
                const char *name, *path;
                bool masked;
        } expected[] = {
                {".hidden", "lib/.hidden.json", false},
                {"a b", "lib/a b.json", false},
                {"dangling", "etc/dangling.json", false},
                {"db", "run/db.json", false},
                {"dir", "run/dir.json", false},
                {"gone", "run/gone.json", true},
                {"link", "etc/link.json", false},
                {"lone", "lib/lone.json", true},
                {"old", "etc/old.json", true},
                {"rel", "etc/rel.json", true},
                {"up", "etc/up.json", false},
                {"web", "etc/web.json", false},
        };
        for (size_t i = 0; i < n && i < ELEMENTSOF(expected); i++) {
                ASSERT_STREQ(e[i].name, expected[i].name);
                ASSERT_STREQ(e[i].path, at(expected[i].path));
                ASSERT_EQ(e[i].masked, expected[i].masked);
        }
        ASSERT_EQ(n, ELEMENTSOF(expected));
        ASSERT(!config_name_is_valid(e[0].name));
        ASSERT(!config_name_is_valid(e[1].name));
        config_entries_free(e, n);

        /* Unchecked: the same winners; the empty files are left for the loader to find
         * (the /dev/null symlinks are still seen), which calls them masked too. */
        ASSERT_OK(config_enumerate_unchecked(&e, &n));
        ASSERT_EQ(n, ELEMENTSOF(expected));
        for (size_t i = 0; i < n; i++) {
                bool empty_file = streq(expected[i].name, "lone") || streq(expected[i].name, "old");
                ASSERT_STREQ(e[i].name, expected[i].name);
                ASSERT_STREQ(e[i].path, at(expected[i].path));
                ASSERT_EQ(e[i].masked, expected[i].masked && !empty_file);
                if (empty_file) {
                        Config *none = NULL;
                        char *err = NULL, want[64];
                        snprintf(want, sizeof(want), "%s.json: masked (an empty file)", e[i].name);
                        ASSERT_EQ(config_load_file(e[i].path, NULL, &none, &err), -ERFKILL);
                        ASSERT(!none);
                        ASSERT_STREQ(err, want);
                        free(err);
                }
        }
        config_entries_free(e, n);

        /* A trailing '/' in a search-path entry does not double the slash. */
        snprintf(path, sizeof(path), "%s/", at("run"));
        set_path(path);
        ASSERT_OK(config_find("db", &p));
        ASSERT_STREQ(p, at("run/db.json"));
        free(p);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

TEST(test_many) {
        /* 10,000 configs in one directory, with 1,000 lower copies masked or overridden:
         * one readdir and one stat per winner. */
        ASSERT_OK(mkdir(at("many"), 0755));
        ASSERT_OK(mkdir(at("many-lower"), 0755));
        for (int i = 0; i < 10000; i++) {
                char name[64];
                snprintf(name, sizeof(name), "many/c%05d.json", i);
                write_config(name, "/r");
                if (i % 10 == 0) {
                        snprintf(name, sizeof(name), "many-lower/c%05d.json", i);
                        write_file(name, "");
                }
        }
        char path[1024];
        snprintf(path, sizeof(path), "%s:%s", at("many"), at("many-lower"));
        set_path(path);

        ConfigEntry *e = NULL;
        size_t n = 0;
        double t = now();
        ASSERT_OK(config_enumerate(&e, &n));
        t = now() - t;
        ASSERT_EQ(n, 10000);
        for (size_t i = 0; i < n; i++) {
                char name[64];
                snprintf(name, sizeof(name), "c%05zu", i);
                ASSERT_STREQ(e[i].name, name);
                ASSERT(!e[i].masked);
        }
        /* Reported, never asserted: speed is measured side by side in bench/generator. */
        printf("# enumerate 10,000: %.1f ms CPU\n", t * 1000);

        /* Enumerate + read + parse 1,000 configs (the generator's budget for all its
         * work is 50 ms; bench/generator measures it). */
        config_entries_free(e, n);
        ASSERT_OK(nftw(at("many"), remove_entry, 16, FTW_DEPTH | FTW_PHYS));
        ASSERT_OK(mkdir(at("many"), 0755));
        for (int i = 0; i < 1000; i++) {
                char name[64];
                snprintf(name, sizeof(name), "many/c%04d.json", i);
                write_file(
                        name,
                        "{\"rootfs\": \"/var/lib/machines/x\", \"command\": [\"/bin/sh\", \"-c\", \"sleep "
                        "1\"],"
                        " \"env\": {\"A\": \"b\"}, \"mounts\": [{\"source\": \"/a\", \"target\": \"/b\"}],"
                        " \"resources\": {\"memory_max\": \"512M\"}, \"restart\": \"on-failure\"}");
        }
        snprintf(path, sizeof(path), "%s", at("many"));
        set_path(path);
        t = now();
        ASSERT_OK(config_enumerate(&e, &n));
        ASSERT_EQ(n, 1000);
        for (size_t i = 0; i < n; i++) {
                Config *c = NULL;
                ASSERT_OK(config_load_file(e[i].path, NULL, &c, NULL));
                config_free(c);
        }
        t = now() - t;
        config_entries_free(e, n);
        printf("# enumerate + load 1,000: %.1f ms CPU\n", t * 1000);
}

/* lib/config-set.c's check of host ports two configs publish: the one conflict rule of
 * lib/port-spec.c, each side told about the other's file, addresses and protocols
 * kept apart, an error only when both start at boot. */
typedef struct Collected {
        char lines[8][512];
        int levels[8];
        size_t n;
} Collected;

static void collect_report(int level, const ConfigSetEntry *e, const char *file, const char *text,
                           void *userdata) {
        Collected *c = userdata;

        (void)e;
        if (c->n < ELEMENTSOF(c->lines)) {
                snprintf(c->lines[c->n], sizeof(c->lines[0]), "%s: %s", file ?: "-", text);
                c->levels[c->n++] = level;
        }
}

static void write_publish(const char *name, const char *publish, bool autostart) {
        char json[512];
        snprintf(json, sizeof(json),
                 "{\"rootfs\": \"/srv/x\", \"command\": [\"/bin/true\"], \"autostart\": %s, "
                 "\"network\": {\"publish\": [%s]}}\n",
                 autostart ? "true" : "false", publish);
        write_file(name, json);
}

/* Finding i of c: level, and "FILE: network.publish[0]: Host port PORT is published by
 * the container 'OTHER' too (OTHER's path): WHY". */
static void assert_clash(const Collected *c, size_t i, int level, const char *file, const char *port,
                         const char *other, const char *why) {
        char want[512], other_file[64];

        snprintf(other_file, sizeof(other_file), "%s.json", other);
        snprintf(want, sizeof(want),
                 "%s: network.publish[0]: Host port %s is published by the container '%s' too (%s): %s",
                 file, port, other, at(other_file), why);
        ASSERT(i < c->n);
        ASSERT_STREQ(c->lines[i], want);
        ASSERT_EQ(c->levels[i], level);
}

#define WHILE_RUNS "the one started second fails while the other runs"
#define AT_BOOT    "both start at boot (autostart), and the one started second fails"

TEST(test_published_ports) {
        ConfigSet s = {.report = collect_report};
        Collected c = {};

        set_path(root);
        write_publish("a.json", "\"8080:80\", \"5353:53/udp\"", false);
        write_publish("b.json", "\"127.0.0.1:8000-8090:8000-8090\"", false);
        write_publish("c.json", "\"5353:53\", \"10.0.0.1:9000:80\"", false); /* tcp: not a's udp */
        write_publish("d.json", "\"10.0.0.2:9000:80\"", false);              /* another address */
        write_file("e.json", "{\"rootfs\": \"/srv/x\", \"command\": [\"/bin/true\"], "
                             "\"network\": {\"mode\": \"none\"}}\n"); /* nothing published */
        s.userdata = &c;
        ASSERT_EQ(config_set_load_search_path(&s), 0);
        ASSERT_EQ(config_set_check_ports(&s), 0); /* warnings only */
        ASSERT_EQ(c.n, 2);                        /* the lower first port first */
        assert_clash(&c, 0, LOG_WARNING, "b.json", "127.0.0.1:8080/tcp", "a", WHILE_RUNS);
        assert_clash(&c, 1, LOG_WARNING, "a.json", "8080/tcp", "b", WHILE_RUNS);
        config_set_done(&s);

        /* Both at boot: an error for each; a FILE given is compared with the search path. */
        write_publish("a.json", "\"8080:80\"", true);
        write_publish("b.json", "\"127.0.0.1:8000-8090:8000-8090\"", true);
        c = (Collected){};
        s = (ConfigSet){.report = collect_report, .userdata = &c};
        ASSERT_EQ(config_set_load_files(&s, (char *[]){(char *)at("b.json"), NULL}), 0);
        ASSERT_EQ(config_set_check_ports(&s), 1);
        ASSERT_EQ(c.n, 1);
        assert_clash(&c, 0, LOG_ERR, "b.json", "127.0.0.1:8080/tcp", "a", AT_BOOT);
        config_set_done(&s);
}

static void root_setup(void) {
        ASSERT(mkdtemp(root));
}
TEST_SETUP(root_setup);

static void root_teardown(void) {
        ASSERT_OK(nftw(root, remove_entry, 16, FTW_DEPTH | FTW_PHYS));
}
TEST_TEARDOWN(root_teardown);
