/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config model: every key, every default, every error message (exact text, as
 * the admin sees it), combinations and the JSON rendering. */

#include <signal.h>
#include <linux/capability.h>

#include "lib/config.h"
#include "strv.h"
#include "tests.h"

#define FILE_PATH "/etc/nscontain.d/web.json"
#define NAME_RULE                                                                                                  \
        "a machine name is 1–64 of A–Z a–z 0–9 - . (no '_'), not starting or ending with - or ., without " \
        ".. -. or .-"
#define BASE "\"rootfs\": \"/srv/web\", \"command\": [\"/bin/true\"]"

static Config *parse_ok_(int line, const char *json) {
        Config *c = NULL;
        char *err = NULL;
        int r = config_parse("web", FILE_PATH, json, strlen(json), &c, &err);
        if (r < 0 || !c) {
                fprintf(stderr, "line %d: expected success, got %d: %s\n  input: %s\n", line, r,
                        err ?: "(no message)", json);
                abort();
        }
        ASSERT(!err);
        return c;
}
#define PARSE_OK(json) parse_ok_(__LINE__, json)

static void parse_err_(int line, const char *name, const char *json, size_t size, const char *expected) {
        Config *c = NULL;
        char *err = NULL;
        int r = config_parse(name, FILE_PATH, json, size, &c, &err);
        if (r != -EINVAL || c || !err || strcmp(err, expected) != 0) {
                fprintf(stderr, "line %d: expected -EINVAL with\n  expected: %s\n  got (%d): %s\n", line,
                        expected, r, err ?: "(no message)");
                abort();
        }
        free(err);
}
#define ERR(json, expected)             parse_err_(__LINE__, "web", json, strlen(json), expected)
#define ERR_SIZED(json, size, expected) parse_err_(__LINE__, "web", json, size, expected)

TEST(test_defaults) {
        _cleanup_config_free_ Config *c = PARSE_OK("{" BASE "}");

        ASSERT_STREQ(c->name, "web");
        ASSERT_STREQ(c->path, FILE_PATH);
        ASSERT_STREQ(c->rootfs, "/srv/web");
        ASSERT_EQ(strv_length(c->command), 1);
        ASSERT_STREQ(c->command[0], "/bin/true");
        ASSERT(!c->boot);
        ASSERT_EQ(strv_length(c->env), 2);
        ASSERT_STREQ(c->env[0], DEFAULT_PATH_ENV);
        ASSERT_STREQ(c->env[1], "container=nscontain");
        ASSERT_STREQ(c->user, "0");
        ASSERT_STREQ(c->workdir, "/");
        ASSERT_STREQ(c->hostname, "web");
        ASSERT(!c->readonly);
        ASSERT(!c->init);
        ASSERT_EQ(c->n_mounts, 0);
        ASSERT(c->namespaces.net && c->namespaces.ipc && c->namespaces.uts && c->namespaces.pid &&
               c->namespaces.user && c->namespaces.cgroup);
        ASSERT(c->user_namespace.base_auto);
        ASSERT_EQ(c->user_namespace.size, 65536);
        ASSERT_EQ(c->user_namespace.ownership, OWNERSHIP_IDMAP);
        ASSERT_EQ(c->network.mode, NETWORK_VETH);
        ASSERT_STREQ(c->network.bridge, "nsc0");
        ASSERT(!c->network.address);
        ASSERT(!c->network.gateway);
        ASSERT_EQ(c->network.mtu, 0);
        ASSERT_EQ(c->caps_add, 0);
        ASSERT_EQ(c->caps_drop, 0);
        ASSERT(c->no_new_privileges);
        ASSERT(c->seccomp);
        ASSERT(!c->resources.memory_max && !c->resources.memory_high && !c->resources.cpu_weight &&
               !c->resources.cpu_quota && !c->resources.tasks_max && !c->resources.io_weight);
        ASSERT_STREQ(c->restart, "no");
        ASSERT(!c->restart_sec);
        ASSERT_EQ(c->stop_signal, SIGTERM);
        ASSERT_EQ(c->stop_timeout_usec, 10 * 1000000ULL);
        ASSERT(!c->autostart);
        ASSERT(!c->after && !c->requires && !c->wants);
}

TEST(test_every_key) {
        static const char json[] =
                "{\n"
                "  \"rootfs\": \"/var/lib/machines//web/\",\n"
                "  \"command\": [\"/usr/bin/python3\", \"-m\", \"http.server\", \"\"],\n"
                "  \"boot\": false,\n"
                "  \"env\": {\"ZED\": \"z\", \"LANG\": \"C.UTF-8\", \"PATH\": \"/bin\", \"A_1\": \"\"},\n"
                "  \"user\": \"www-data:www-data\",\n"
                "  \"workdir\": \"/srv/./app\",\n"
                "  \"hostname\": \"web-1.example\",\n"
                "  \"readonly\": true,\n"
                "  \"init\": true,\n"
                "  \"mounts\": [\n"
                "    {\"source\": \"/srv/data\", \"target\": \"/data\", \"readonly\": true, \"idmap\": "
                "false},\n"
                "    {\"type\": \"bind\", \"source\": \"/srv/logs\", \"target\": \"/var/log/app\"},\n"
                "    {\"type\": \"tmpfs\", \"target\": \"/tmp\", \"options\": \"size=64m,mode=1777\"},\n"
                "    {\"type\": \"tmpfs\", \"target\": \"/run\", \"readonly\": true}\n"
                "  ],\n"
                "  \"namespaces\": {\"net\": true, \"ipc\": false, \"uts\": false, \"pid\": true, \"user\": "
                "true, \"cgroup\": false},\n"
                "  \"user_namespace\": {\"base\": 524288, \"size\": 131072, \"ownership\": \"chown\"},\n"
                "  \"network\": {\"mode\": \"veth\", \"bridge\": \"br-app\", \"address\": \"10.77.0.5/16\", "
                "\"gateway\": \"10.77.0.1\", \"mtu\": 1400},\n"
                "  \"capabilities\": {\"add\": [\"CAP_NET_ADMIN\", \"sys_ptrace\"], \"drop\": [\"kill\", "
                "\"CAP_SETFCAP\"]},\n"
                "  \"no_new_privileges\": false,\n"
                "  \"seccomp\": false,\n"
                "  \"resources\": {\"memory_max\": \"512M\", \"memory_high\": 268435456, \"cpu_weight\": "
                "200,\n"
                "                 \"cpu_quota\": \"150%\", \"tasks_max\": 512, \"io_weight\": \"50\"},\n"
                "  \"restart\": \"on-failure\",\n"
                "  \"restart_sec\": \"1min 30s\",\n"
                "  \"stop_signal\": \"SIGINT\",\n"
                "  \"stop_timeout\": 30,\n"
                "  \"autostart\": true,\n"
                "  \"after\": [\"db\", \"cache\"],\n"
                "  \"requires\": [\"db\"],\n"
                "  \"wants\": [\"cache\"]\n"
                "}\n";
        _cleanup_config_free_ Config *c = PARSE_OK(json);

        ASSERT_STREQ(c->rootfs, "/var/lib/machines/web");
        ASSERT_EQ(strv_length(c->command), 4);
        ASSERT_STREQ(c->command[2], "http.server");
        ASSERT_STREQ(c->command[3], "");
        /* Merged over the defaults, config wins, sorted by key. */
        ASSERT_EQ(strv_length(c->env), 5);
        ASSERT_STREQ(c->env[0], "A_1=");
        ASSERT_STREQ(c->env[1], "LANG=C.UTF-8");
        ASSERT_STREQ(c->env[2], "PATH=/bin");
        ASSERT_STREQ(c->env[3], "ZED=z");
        ASSERT_STREQ(c->env[4], "container=nscontain");
        ASSERT_STREQ(c->user, "www-data:www-data");
        ASSERT_STREQ(c->workdir, "/srv/app");
        ASSERT_STREQ(c->hostname, "web-1.example");
        ASSERT(c->readonly);
        ASSERT(c->init);

        ASSERT_EQ(c->n_mounts, 4);
        ASSERT_EQ(c->mounts[0].type, MOUNT_BIND);
        ASSERT_STREQ(c->mounts[0].source, "/srv/data");
        ASSERT_STREQ(c->mounts[0].target, "/data");
        ASSERT(c->mounts[0].readonly);
        ASSERT(!c->mounts[0].idmap);
        ASSERT_EQ(c->mounts[1].type, MOUNT_BIND);
        ASSERT(!c->mounts[1].readonly);
        ASSERT(c->mounts[1].idmap);
        ASSERT(!c->mounts[1].options);
        ASSERT_EQ(c->mounts[2].type, MOUNT_TMPFS);
        ASSERT(!c->mounts[2].source);
        ASSERT_STREQ(c->mounts[2].target, "/tmp");
        ASSERT_STREQ(c->mounts[2].options, "size=64m,mode=1777");
        ASSERT(!c->mounts[2].readonly);
        ASSERT_EQ(c->mounts[3].type, MOUNT_TMPFS);
        ASSERT(!c->mounts[3].options);
        ASSERT(c->mounts[3].readonly);

        ASSERT(c->namespaces.net && !c->namespaces.ipc && !c->namespaces.uts && c->namespaces.pid &&
               c->namespaces.user && !c->namespaces.cgroup);
        ASSERT(!c->user_namespace.base_auto);
        ASSERT_EQ(c->user_namespace.base, 524288);
        ASSERT_EQ(c->user_namespace.size, 131072);
        ASSERT_EQ(c->user_namespace.ownership, OWNERSHIP_CHOWN);
        ASSERT_EQ(c->network.mode, NETWORK_VETH);
        ASSERT_STREQ(c->network.bridge, "br-app");
        ASSERT_STREQ(c->network.address, "10.77.0.5/16");
        ASSERT_STREQ(c->network.gateway, "10.77.0.1");
        ASSERT_EQ(c->network.mtu, 1400);
        ASSERT_EQ(c->caps_add, (1ULL << CAP_NET_ADMIN) | (1ULL << CAP_SYS_PTRACE));
        ASSERT_EQ(c->caps_drop, (1ULL << CAP_KILL) | (1ULL << CAP_SETFCAP));
        ASSERT(!c->no_new_privileges);
        ASSERT(!c->seccomp);
        ASSERT_STREQ(c->resources.memory_max, "512M");
        ASSERT_STREQ(c->resources.memory_high, "268435456");
        ASSERT_STREQ(c->resources.cpu_weight, "200");
        ASSERT_STREQ(c->resources.cpu_quota, "150%");
        ASSERT_STREQ(c->resources.tasks_max, "512");
        ASSERT_STREQ(c->resources.io_weight, "50");
        ASSERT_STREQ(c->restart, "on-failure");
        ASSERT_STREQ(c->restart_sec, "1min 30s");
        ASSERT_EQ(c->stop_signal, SIGINT);
        ASSERT_EQ(c->stop_timeout_usec, 30 * 1000000ULL);
        ASSERT(c->autostart);
        ASSERT_EQ(strv_length(c->after), 2);
        ASSERT_STREQ(c->after[0], "db");
        ASSERT_STREQ(c->after[1], "cache");
        ASSERT_EQ(strv_length(c->requires), 1);
        ASSERT_STREQ(c->requires[0], "db");
        ASSERT_EQ(strv_length(c->wants), 1);
        ASSERT_STREQ(c->wants[0], "cache");
}

TEST(test_boot) {
        /* command is optional with boot; the stop signal becomes systemd's. */
        _cleanup_config_free_ Config *c = PARSE_OK("{\"rootfs\": \"/r\", \"boot\": true}");
        ASSERT(c->boot);
        ASSERT(!c->command);
        ASSERT_EQ(c->stop_signal, SIGRTMIN + 3);

        _cleanup_config_free_ Config *d = PARSE_OK("{\"rootfs\": \"/r\", \"boot\": true, \"stop_signal\": "
                                                   "\"SIGTERM\", \"command\": [\"/lib/systemd/systemd\"]}");
        ASSERT_EQ(d->stop_signal, SIGTERM);
        ASSERT_STREQ(d->command[0], "/lib/systemd/systemd");

        ERR("{\"rootfs\": \"/r\"}", "web.json: command: required unless \"boot\" is true, e.g. "
                                    "[\"/bin/sh\", \"-c\", \"echo hello\"]");
        ERR("{\"rootfs\": \"/r\", \"boot\": false}", "web.json: command: required unless \"boot\" is true, "
                                                     "e.g. [\"/bin/sh\", \"-c\", \"echo hello\"]");
        ERR("{\"rootfs\": \"/r\", \"boot\": true, \"init\": true}",
            "web.json: init: cannot be combined with \"boot\": true (the booted init is PID 1 itself)");
        ERR("{\"rootfs\": \"/r\", \"boot\": true, \"namespaces\": {\"pid\": false}}",
            "web.json: namespaces.pid: must not be false with \"boot\": true (the init system must run as "
            "PID 1)");
        ERR("{\"rootfs\": \"/r\", \"boot\": \"yes\"}",
            "web.json: boot: must be true or false, not a string");
        ERR("{\"rootfs\": \"/r\", \"boot\": \"true\"}",
            "web.json: boot: must be true or false, not a string; write true without quotes");
}

TEST(test_image_keys) {
        ERR("{\"rootfs\": \"/r\", \"image\": \"web:1\", \"command\": [\"x\"]}",
            "web.json: image: cannot be combined with \"rootfs\": the root is one or the other; remove one");
        ERR("{\"image\": \"oci:srv/web:1\"}", "web.json: image: the path of oci:srv/web:1 must be absolute");
        ERR("{\"image\": \"oci:\"}", "web.json: image: oci:: no path after 'oci:'");
        ERR("{\"image\": \"Web Server\"}",
            "web.json: image: 'Web Server' is neither oci:DIR[:TAG], oci-archive:FILE[:TAG], "
            "docker-archive:FILE[:NAME:TAG] nor a valid NAME[:TAG]");
        ERR("{\"rootfs\": \"/r\", \"command\": [\"x\"], \"args\": [\"-v\"]}",
            "web.json: args: only with \"image\" (it replaces the image's Cmd); with \"rootfs\" write the "
            "whole "
            "\"command\"");
        ERR("{\"image\": \"web\", \"ephemeral\": 1}",
            "web.json: ephemeral: must be true or false, not a number");
        _cleanup_config_free_ Config *c =
                PARSE_OK("{\"image\": \"docker-archive:/srv/web.tar:example/web:1\", \"args\": [\"-v\"], "
                         "\"ephemeral\": true, \"env\": {\"A\": \"1\"}, \"user\": \"1000\"}");
        ASSERT_STREQ(c->image, "docker-archive:/srv/web.tar:example/web:1");
        ASSERT(c->rootfs == NULL && c->command == NULL && c->ephemeral && c->user_given &&
               !c->workdir_given);
        ASSERT_STREQ(c->args[0], "-v");
        ASSERT_STREQ(c->env_given[0], "A=1");
        ASSERT(c->env_given[1] == NULL);
}

TEST(test_rootfs_and_paths) {
        ERR("{\"command\": [\"/bin/true\"]}",
            "web.json: rootfs: required: the directory holding the container's root filesystem, e.g. "
            "\"/var/lib/machines/web\" (or \"image\": an OCI image)");
        ERR("{\"rootfs\": 5, \"command\": [\"x\"]}",
            "web.json: rootfs: must be a string (an absolute path), not a number");
        ERR("{\"rootfs\": null, \"command\": [\"x\"]}",
            "web.json: rootfs: must be a string (an absolute path), not null");
        ERR("{\"rootfs\": [], \"command\": [\"x\"]}",
            "web.json: rootfs: must be a string (an absolute path), not an array");
        ERR("{\"rootfs\": \"srv/web\", \"command\": [\"x\"]}",
            "web.json: rootfs: must be an absolute path, e.g. \"/var/lib/machines/web\"");
        ERR("{\"rootfs\": \"\", \"command\": [\"x\"]}",
            "web.json: rootfs: must be an absolute path, e.g. \"/var/lib/machines/web\"");
        ERR("{\"rootfs\": \"/srv/../etc\", \"command\": [\"x\"]}",
            "web.json: rootfs: must not contain \"..\" components; write the path without them");
        ERR("{" BASE ", \"workdir\": \"app\"}",
            "web.json: workdir: must be an absolute path, e.g. \"/srv\"");
        ERR("{" BASE ", \"workdir\": \"/a/..\"}",
            "web.json: workdir: must not contain \"..\" components; write the path without them");

        /* "..." as a name is fine, and so are dots inside names. */
        _cleanup_config_free_ Config *c =
                PARSE_OK("{\"rootfs\": \"/srv/.../a..b/.\", \"command\": [\"x\"]}");
        ASSERT_STREQ(c->rootfs, "/srv/.../a..b");
        _cleanup_config_free_ Config *d = PARSE_OK("{\"rootfs\": \"///\", \"command\": [\"x\"]}");
        ASSERT_STREQ(d->rootfs, "/");

        char big[5000];
        strcpy(big, "{\"command\": [\"x\"], \"rootfs\": \"");
        size_t l = strlen(big);
        for (size_t i = 0; i < 4090 - l; i++)
                big[l + i] = 'a';
        big[4090] = 0;
        big[l] = '/';
        strcat(big, "\"}");
        _cleanup_config_free_ Config *e = PARSE_OK(big);
        /* A path of PATH_MAX bytes or more is refused (the string limit is 4096 too). */
        strcpy(big, "{\"command\": [\"x\"], \"rootfs\": \"/");
        l = strlen(big);
        memset(big + l, 'a', 4095);
        big[l + 4095] = 0;
        strcat(big, "\"}");
        ERR(big, "web.json: rootfs: is longer than 4095 bytes");
}

TEST(test_command) {
        ERR("{\"rootfs\": \"/r\", \"command\": \"/bin/sh -c x\"}",
            "web.json: command: must be an array of strings, e.g. [\"/bin/sh\", \"-c\", \"echo hello\"], "
            "not a string");
        ERR("{\"rootfs\": \"/r\", \"command\": []}", "web.json: command: must not be empty; write the "
                                                     "program and its arguments, e.g. [\"/bin/sh\", \"-c\", "
                                                     "\"echo hello\"]");
        ERR("{\"rootfs\": \"/r\", \"command\": [\"/bin/sleep\", 5]}",
            "web.json: command[1]: must be a string, not a number");
        ERR("{\"rootfs\": \"/r\", \"command\": [\"\"]}",
            "web.json: command[0]: must not be empty: it names the program to run, e.g. \"/bin/sh\"");
}

TEST(test_env) {
        _cleanup_config_free_ Config *c = PARSE_OK(
                "{" BASE ", \"env\": {\"container\": \"mine\", \"B\": \"x=y\", \"_u\": \"caf\\u00e9\"}}");
        ASSERT_EQ(strv_length(c->env), 4);
        ASSERT_STREQ(c->env[0], "B=x=y");
        ASSERT_STREQ(c->env[1], DEFAULT_PATH_ENV);
        ASSERT_STREQ(c->env[2], "_u=caf\xc3\xa9");
        ASSERT_STREQ(c->env[3], "container=mine");

        /* Sorted by key, not by "KEY=VALUE" ('0' sorts before '='). */
        _cleanup_config_free_ Config *d = PARSE_OK("{" BASE ", \"env\": {\"A0\": \"1\", \"A\": \"2\"}}");
        ASSERT_STREQ(d->env[0], "A=2");
        ASSERT_STREQ(d->env[1], "A0=1");

        ERR("{" BASE ", \"env\": [\"A=B\"]}",
            "web.json: env: must be an object of strings, e.g. {\"LANG\": \"C.UTF-8\"}, not an array");
        ERR("{" BASE ", \"env\": {\"PORT\": 8080}}",
            "web.json: env.PORT: must be a string, not a number; write \"8080\"");
        ERR("{" BASE ", \"env\": {\"DEBUG\": true}}",
            "web.json: env.DEBUG: must be a string, not true; write \"true\"");
        ERR("{" BASE ", \"env\": {\"X\": null}}", "web.json: env.X: must be a string, not null");
        ERR("{" BASE ", \"env\": {\"1X\": \"a\"}}", "web.json: env.1X: invalid variable name: use letters, "
                                                    "digits and \"_\", not starting with a digit");
        ERR("{" BASE ", \"env\": {\"A=B\": \"a\"}}", "web.json: env[\"A=B\"]: invalid variable name: use "
                                                     "letters, digits and \"_\", not starting with a digit");
        ERR("{" BASE ", \"env\": {\"\": \"a\"}}", "web.json: env[\"\"]: invalid variable name: use letters, "
                                                  "digits and \"_\", not starting with a digit");
        ERR("{" BASE ", \"env\": {\"FOO\": \"a\\u0000b\"}}",
            "web.json: env.FOO: \"\\u0000\" (NUL) is not allowed in strings");
        ERR("{" BASE ", \"env\": {\"FOO\": \"1\", \"BAR\": \"2\", \"FOO\": \"3\"}}",
            "web.json: env.FOO: duplicate key (line 1)");
}

TEST(test_user) {
        const char *good[] = {"0",        "root",    "1000:1000", "www-data", "nobody:nogroup",
                              "user:100", "100:grp", "a.b_c-d",   "host$",    "4294967294"};
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                char json[256];
                snprintf(json, sizeof(json), "{" BASE ", \"user\": \"%s\"}", good[i]);
                _cleanup_config_free_ Config *c = PARSE_OK(json);
                ASSERT_STREQ(c->user, good[i]);
        }
        const char *bad[] = {"",   ":",   "1:",         ":1",          "a:b:c", "-x",
                             ".x", "a b", "4294967295", "99999999999", "x/y"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char json[256], msg[256];
                snprintf(json, sizeof(json), "{" BASE ", \"user\": \"%s\"}", bad[i]);
                snprintf(msg, sizeof(msg),
                         "web.json: user: invalid user \"%s\": use \"NAME\", \"UID\", \"UID:GID\" or "
                         "\"NAME:GROUP\", e.g. "
                         "\"0\" or \"www-data\"",
                         bad[i]);
                ERR(json, msg);
        }
        ERR("{" BASE ", \"user\": 1000}", "web.json: user: must be a string, not a number; write \"1000\"");
        ERR("{" BASE ", \"user\": true}",
            "web.json: user: must be a string (\"NAME\", \"UID\" or \"UID:GID\"), not true");
}

TEST(test_hostname) {
        _cleanup_config_free_ Config *c = PARSE_OK("{" BASE ", \"hostname\": \"a\"}");
        ASSERT_STREQ(c->hostname, "a");

        const char *bad[] = {"", "-a", "a-", ".a", "a.", "a..b", "a_b", "a b", "ä"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char json[256], msg[256];
                snprintf(json, sizeof(json), "{" BASE ", \"hostname\": \"%s\"}", bad[i]);
                snprintf(msg, sizeof(msg),
                         "web.json: hostname: invalid hostname \"%s\": use 1–64 of A–Z a–z 0–9 - . not "
                         "starting or ending "
                         "with - or .",
                         bad[i]);
                ERR(json, msg);
        }
        ERR("{" BASE ", \"hostname\": 1}", "web.json: hostname: must be a string, not a number");
        /* 65 characters; the message shows 64 of them. */
        ERR("{" BASE
            ", \"hostname\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
            "web.json: hostname: invalid hostname "
            "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"...: use "
            "1–64 of A–Z a–z 0–9 - . not starting or ending with - or .");
        ERR("{" BASE ", \"hostname\": \"a\\nb\"}",
            "web.json: hostname: invalid hostname \"a\\u000ab\": use 1–64 of A–Z a–z 0–9 - . not starting "
            "or ending with - or .");
        _cleanup_config_free_ Config *h64 = PARSE_OK(
                "{" BASE
                ", \"hostname\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}");
        ASSERT_EQ(strlen(h64->hostname), 64);

        /* The default is NAME (a machine name is a valid hostname). */
        static const struct {
                const char *name, *hostname;
        } map[] = {
                {"web", "web"},
                {"0", "0"},
                {"Web.Example", "Web.Example"},
                {"a--b.c", "a--b.c"},
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++) {
                _cleanup_config_free_ Config *d = NULL;
                static const char json[] = "{" BASE "}";
                char *err = NULL;
                ASSERT_OK(config_parse(map[i].name, NULL, json, strlen(json), &d, &err));
                ASSERT_STREQ(d->hostname, map[i].hostname);
                ASSERT(!d->path);
        }
}

TEST(test_bools) {
        static const char *const keys[] = {"boot",    "readonly", "init", "no_new_privileges",
                                           "seccomp", "autostart"};
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                char json[256], msg[256];
                snprintf(json, sizeof(json), "{" BASE ", \"%s\": 1}", keys[i]);
                snprintf(msg, sizeof(msg), "web.json: %s: must be true or false, not a number", keys[i]);
                ERR(json, msg);
                snprintf(json, sizeof(json), "{" BASE ", \"%s\": \"false\"}", keys[i]);
                snprintf(msg, sizeof(msg),
                         "web.json: %s: must be true or false, not a string; write false without quotes",
                         keys[i]);
                ERR(json, msg);
        }
}

TEST(test_mounts) {
        ERR("{" BASE ", \"mounts\": {}}", "web.json: mounts: must be an array of objects, not an object");
        ERR("{" BASE ", \"mounts\": [\"/a:/b\"]}",
            "web.json: mounts[0]: must be an object, e.g. {\"source\": \"/srv/data\", \"target\": "
            "\"/data\"}, not a string");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"/a\"}]}",
            "web.json: mounts[0].target: required: where to mount inside the container, e.g. \"/data\"");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"/a\", \"target\": \"/b\"}, {\"source\": \"/a\", "
            "\"target\": \"data\"}]}",
            "web.json: mounts[1].target: must be an absolute path, e.g. \"/data\"");
        ERR("{" BASE ", \"mounts\": [{\"target\": \"/b\"}]}",
            "web.json: mounts[0].source: required for a bind mount: the host path, e.g. \"/srv/data\"");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"a\", \"target\": \"/b\"}]}",
            "web.json: mounts[0].source: must be an absolute path, e.g. \"/srv/data\"");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"/a/../etc\", \"target\": \"/b\"}]}",
            "web.json: mounts[0].source: must not contain \"..\" components; write the path without them");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"/a\", \"target\": \"/b/../../etc\"}]}",
            "web.json: mounts[0].target: must not contain \"..\" components; write the path without them");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"/a\", \"target\": \"//\"}]}",
            "web.json: mounts[0].target: must not be \"/\": the container's root is \"rootfs\"");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"/a\", \"target\": \"/proc/sys\"}]}",
            "web.json: mounts[0].target: must not be on /proc or /sys: the runtime mounts those (and masks "
            "parts of them)");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"/a\", \"target\": \"/sys\"}]}",
            "web.json: mounts[0].target: must not be on /proc or /sys: the runtime mounts those (and masks "
            "parts of them)");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"/a\", \"target\": \"/data\"}, {\"type\": \"tmpfs\", "
            "\"target\": \"/data/\"}]}",
            "web.json: mounts[1].target: \"/data\" is already the target of mounts[0]");
        ERR("{" BASE ", \"mounts\": [{\"type\": \"overlay\", \"target\": \"/a\"}]}",
            "web.json: mounts[0].type: unknown type \"overlay\": must be \"bind\" or \"tmpfs\"");
        ERR("{" BASE ", \"mounts\": [{\"type\": \"tmpf\", \"target\": \"/a\"}]}",
            "web.json: mounts[0].type: unknown type \"tmpf\", did you mean \"tmpfs\"?");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"/a\", \"target\": \"/b\", \"readonyl\": true}]}",
            "web.json: mounts[0].readonyl: unknown key, did you mean \"readonly\"?");
        ERR("{" BASE
            ", \"mounts\": [{\"source\": \"/a\", \"target\": \"/b\", \"propagation\": \"shared\"}]}",
            "web.json: mounts[0].propagation: unknown key; valid keys here are \"type\", \"source\", "
            "\"target\", "
            "\"readonly\", \"idmap\", \"options\"");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"/a\", \"target\": \"/b\", \"options\": \"ro\"}]}",
            "web.json: mounts[0].options: only for \"type\": \"tmpfs\"; remove it");
        ERR("{" BASE ", \"mounts\": [{\"type\": \"tmpfs\", \"source\": \"/a\", \"target\": \"/b\"}]}",
            "web.json: mounts[0].source: not used by \"type\": \"tmpfs\"; remove it");
        ERR("{" BASE ", \"mounts\": [{\"type\": \"tmpfs\", \"target\": \"/b\", \"idmap\": true}]}",
            "web.json: mounts[0].idmap: only for bind mounts; remove it");
        ERR("{" BASE ", \"mounts\": [{\"type\": \"tmpfs\", \"target\": \"/b\", \"options\": \"nosuid\"}]}",
            "web.json: mounts[0].options: unknown tmpfs option \"nosuid\"; known options are \"size\", "
            "\"nr_blocks\", "
            "\"nr_inodes\", \"mode\", \"uid\", \"gid\", \"huge\", \"mpol\", \"inode32\", \"inode64\", "
            "\"noswap\"");
        ERR("{" BASE
            ", \"mounts\": [{\"type\": \"tmpfs\", \"target\": \"/b\", \"options\": \"size=1m,,mode=755\"}]}",
            "web.json: mounts[0].options: empty option in \"size=1m,,mode=755\": separate options with "
            "single commas");
        ERR("{" BASE ", \"mounts\": [{\"type\": \"tmpfs\", \"target\": \"/b\", \"options\": \"size=1m,\"}]}",
            "web.json: mounts[0].options: trailing comma in \"size=1m,\"");
        ERR("{" BASE ", \"mounts\": [{\"type\": \"tmpfs\", \"target\": \"/b\", \"options\": \"size=\"}]}",
            "web.json: mounts[0].options: option \"size=\" has an empty value");
        ERR("{" BASE
            ", \"mounts\": [{\"type\": \"tmpfs\", \"target\": \"/b\", \"options\": \"size=1m rw\"}]}",
            "web.json: mounts[0].options: option \"size=1m rw\" has an invalid value");
        ERR("{" BASE
            ", \"mounts\": [{\"type\": \"tmpfs\", \"target\": \"/b\", \"options\": \"mode=1999\"}]}",
            "web.json: mounts[0].options: option \"mode=1999\": mode must be octal, e.g. \"mode=1777\"");
        ERR("{" BASE ", \"mounts\": [{\"type\": \"tmpfs\", \"target\": \"/b\", \"options\": 64}]}",
            "web.json: mounts[0].options: must be a string of tmpfs options, e.g. \"size=64m,mode=1777\", "
            "not a number");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"/a\", \"target\": \"/b\", \"idmap\": \"no\"}]}",
            "web.json: mounts[0].idmap: must be true or false, not a string");

        _cleanup_config_free_ Config *c =
                PARSE_OK("{" BASE ", \"mounts\": [{\"type\": \"tmpfs\", \"target\": \"/t\", \"options\": "
                         "\"size=50%,nr_inodes=1k,uid=0,gid=0,mode=700,huge=never\"},"
                         " {\"type\": \"tmpfs\", \"target\": \"/u\", \"options\": \"\"}]}");
        ASSERT_STREQ(c->mounts[0].options, "size=50%,nr_inodes=1k,uid=0,gid=0,mode=700,huge=never");
        ASSERT(!c->mounts[1].options);
        ASSERT(!c->mounts[0].idmap);

        /* CONFIG_MOUNTS_MAX entries are fine, one more is not. */
        size_t size = 64 + (CONFIG_MOUNTS_MAX + 1) * 64;
        char *json = malloc(size);
        ASSERT(json);
        for (int n = CONFIG_MOUNTS_MAX; n <= CONFIG_MOUNTS_MAX + 1; n++) {
                size_t k = (size_t)snprintf(json, size, "{" BASE ", \"mounts\": [");
                for (int i = 0; i < n; i++)
                        k += (size_t)snprintf(json + k, size - k,
                                              "%s{\"type\": \"tmpfs\", \"target\": \"/t%d\"}", i ? "," : "",
                                              i);
                snprintf(json + k, size - k, "]}");
                if (n == CONFIG_MOUNTS_MAX) {
                        _cleanup_config_free_ Config *m = PARSE_OK(json);
                        ASSERT_EQ(m->n_mounts, CONFIG_MOUNTS_MAX);
                        ASSERT_STREQ(m->mounts[CONFIG_MOUNTS_MAX - 1].target, "/t255");
                } else
                        ERR(json, "web.json: mounts: more than 256 mounts");
        }
        free(json);
}

TEST(test_namespaces) {
        ERR("{" BASE ", \"namespaces\": {\"net\": \"no\"}}",
            "web.json: namespaces.net: must be true or false, not a string");
        ERR("{" BASE ", \"namespaces\": {\"ipcc\": false}}",
            "web.json: namespaces.ipcc: unknown key, did you mean \"ipc\"?");
        ERR("{" BASE ", \"namespaces\": {\"time\": false}}",
            "web.json: namespaces.time: unknown key; valid keys here are \"net\", \"ipc\", \"uts\", "
            "\"pid\", \"user\", \"cgroup\"");
        ERR("{" BASE ", \"namespaces\": {\"mount\": false}}",
            "web.json: namespaces.mount: the mount namespace is always new; remove this key");
        ERR("{" BASE ", \"namespaces\": {\"mnt\": true}}",
            "web.json: namespaces.mnt: the mount namespace is always new; remove this key");
        ERR("{" BASE ", \"namespaces\": [\"net\"]}",
            "web.json: namespaces: must be an object of booleans, e.g. {\"net\": false}, not an array");

        /* "net": false means the host's network, and says so in network.mode. */
        _cleanup_config_free_ Config *c = PARSE_OK("{" BASE ", \"namespaces\": {\"net\": false}}");
        ASSERT(!c->namespaces.net);
        ASSERT_EQ(c->network.mode, NETWORK_HOST);
        _cleanup_config_free_ Config *d = PARSE_OK("{" BASE ", \"network\": {\"mode\": \"host\"}}");
        ASSERT(!d->namespaces.net);
        ASSERT_EQ(d->network.mode, NETWORK_HOST);
        _cleanup_config_free_ Config *e =
                PARSE_OK("{" BASE ", \"network\": {\"mode\": \"host\"}, \"namespaces\": {\"net\": false}}");
        ASSERT_EQ(e->network.mode, NETWORK_HOST);
        _cleanup_config_free_ Config *f = PARSE_OK("{" BASE ", \"network\": {\"mode\": \"none\"}}");
        ASSERT(f->namespaces.net);
        ASSERT_EQ(f->network.mode, NETWORK_NONE);

        ERR("{" BASE ", \"network\": {\"mode\": \"host\"}, \"namespaces\": {\"net\": true}}",
            "web.json: namespaces.net: is true, but \"network\": {\"mode\": \"host\"} uses the host's "
            "network namespace; "
            "remove one of them");
        ERR("{" BASE ", \"network\": {\"mode\": \"veth\"}, \"namespaces\": {\"net\": false}}",
            "web.json: network.mode: is \"veth\", but \"namespaces\": {\"net\": false} means no network "
            "namespace; use "
            "\"mode\": \"host\" or remove \"net\": false");
        ERR("{" BASE ", \"network\": {\"mode\": \"none\"}, \"namespaces\": {\"net\": false}}",
            "web.json: network.mode: is \"none\", but \"namespaces\": {\"net\": false} means no network "
            "namespace; use "
            "\"mode\": \"host\" or remove \"net\": false");
}

TEST(test_network_dns) {
        _cleanup_config_free_ Config *a = PARSE_OK("{" BASE "}");
        ASSERT_EQ(a->network.dns, NETWORK_DNS_AUTO);
        ASSERT(!a->network.dns_servers);

        _cleanup_config_free_ Config *h = PARSE_OK("{" BASE ", \"network\": {\"dns\": \"host\"}}");
        ASSERT_EQ(h->network.dns, NETWORK_DNS_HOST);
        _cleanup_config_free_ Config *n =
                PARSE_OK("{" BASE ", \"network\": {\"mode\": \"host\", \"dns\": \"none\"}}");
        ASSERT_EQ(n->network.dns, NETWORK_DNS_NONE);

        _cleanup_config_free_ Config *l =
                PARSE_OK("{" BASE ", \"network\": {\"dns\": [\"192.0.2.53\", \"2001:DB8:0::53\"]}}");
        ASSERT_EQ(l->network.dns, NETWORK_DNS_LIST);
        ASSERT_STREQ(l->network.dns_servers[0], "192.0.2.53");
        ASSERT_STREQ(l->network.dns_servers[1], "2001:db8::53"); /* as inet_ntop(3) writes it */
        ASSERT(!l->network.dns_servers[2]);

        ERR("{" BASE ", \"network\": {\"dns\": \"google\"}}",
            "web.json: network.dns: must be \"auto\", \"host\", \"none\" or an array of addresses, not "
            "\"google\"");
        ERR("{" BASE ", \"network\": {\"dns\": [\"192.0.2.53\", \"10.1\"]}}",
            "web.json: network.dns[1]: invalid name server address \"10.1\": write an IPv4 or IPv6 address, "
            "e.g. \"192.0.2.53\" or \"2001:db8::53\"");
        ERR("{" BASE ", \"network\": {\"dns\": []}}",
            "web.json: network.dns: is an empty list; use \"none\" for the image's own file");
        ERR("{" BASE ", \"network\": {\"dns\": [53]}}",
            "web.json: network.dns[0]: must be a string (an address), not a number");
        ERR("{" BASE ", \"network\": {\"dns\": true}}",
            "web.json: network.dns: must be \"auto\", \"host\", \"none\" or an array of addresses, e.g. "
            "[\"192.0.2.53\"], not true");
}

TEST(test_network_publish) {
        _cleanup_config_free_ Config *c =
                PARSE_OK("{" BASE ", \"network\": {\"publish\": [\"8080:80\", \"127.0.0.1:8443:443/tcp\", "
                         "\"5353:53/udp\", \"9000-9001:9000-9001\", \"53:53/tcp\"]}}");
        /* Canonical: the protocol spelled out. */
        ASSERT_STREQ(c->network.publish[0], "8080:80/tcp");
        ASSERT_STREQ(c->network.publish[1], "127.0.0.1:8443:443/tcp");
        ASSERT_STREQ(c->network.publish[2], "5353:53/udp");
        ASSERT_STREQ(c->network.publish[3], "9000-9001:9000-9001/tcp");
        ASSERT(!c->network.publish[5]);

        ERR("{" BASE ", \"network\": {\"publish\": [\"80\"]}}",
            "web.json: network.publish[0]: invalid port spec \"80\": write "
            "[HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp], e.g. \"8080:80\"");
        ERR("{" BASE ", \"network\": {\"publish\": [\"8080:80\", \"127.0.0.1:8080:81\"]}}",
            "web.json: network.publish[1]: invalid port spec \"127.0.0.1:8080:81\": a host port of it is "
            "published by an earlier entry too");
        ERR("{" BASE ", \"network\": {\"ipv6\": false, \"publish\": [\"8080:80\", \"[::]:53:53/udp\"]}}",
            "web.json: network.publish[1]: invalid port spec \"[::]:53:53/udp\": an IPv6 host address needs "
            "\"ipv6\": true");
        ERR("{" BASE ", \"network\": {\"publish\": [\"1-1000:1-1000\", \"2001-2100:1-100\"]}}",
            "web.json: network.publish[1]: invalid port spec \"2001-2100:1-100\": more than 1024 host "
            "ports are published in all");
        ERR("{" BASE ", \"network\": {\"mode\": \"none\", \"publish\": [\"8080:80\"]}}",
            "web.json: network.publish: only with \"mode\": \"veth\"; remove it");
}

TEST(test_user_namespace) {
        _cleanup_config_free_ Config *c =
                PARSE_OK("{" BASE ", \"user_namespace\": {\"base\": \"auto\", \"size\": 131072}}");
        ASSERT(c->user_namespace.base_auto);
        ASSERT_EQ(c->user_namespace.size, 131072);
        /* Any size with a base of our own; with "auto" what the sidecar hands out, in its
         * words (lib/sidecar-bus.h). */
        _cleanup_config_free_ Config *e =
                PARSE_OK("{" BASE ", \"user_namespace\": {\"base\": 1000000, \"size\": 1}}");
        ASSERT_EQ(e->user_namespace.size, 1);
        ERR("{" BASE ", \"user_namespace\": {\"base\": \"auto\", \"size\": 1}}",
            "web.json: user_namespace.size: invalid size 1: must be a multiple of 65536, at most 1048576");
        ERR("{" BASE ", \"user_namespace\": {\"size\": 65537}}",
            "web.json: user_namespace.size: invalid size 65537: must be a multiple of 65536, at most "
            "1048576");
        ERR("{" BASE ", \"user_namespace\": {\"size\": 1114112}}",
            "web.json: user_namespace.size: invalid size 1114112: must be a multiple of 65536, at most "
            "1048576");
        _cleanup_config_free_ Config *d =
                PARSE_OK("{" BASE ", \"user_namespace\": {\"base\": 4294901759, \"size\": 65536}}");
        ASSERT_EQ(d->user_namespace.base, 4294901759U);

        ERR("{" BASE ", \"user_namespace\": {\"base\": 4294901760, \"size\": 65536}}",
            "web.json: user_namespace: base 4294901760 + size 65536 is beyond the last uid 4294967294; "
            "lower one of them");
        ERR("{" BASE ", \"user_namespace\": {\"base\": 0}}",
            "web.json: user_namespace.base: must be \"auto\" or a number from 1 to 4294967294 (the first "
            "host uid of the range)");
        ERR("{" BASE ", \"user_namespace\": {\"base\": -5}}",
            "web.json: user_namespace.base: must be \"auto\" or a number from 1 to 4294967294 (the first "
            "host uid of the range)");
        ERR("{" BASE ", \"user_namespace\": {\"base\": 1.5}}",
            "web.json: user_namespace.base: must be \"auto\" or a number from 1 to 4294967294 (the first "
            "host uid of the "
            "range), not a fractional number");
        ERR("{" BASE ", \"user_namespace\": {\"base\": \"automatic\"}}",
            "web.json: user_namespace.base: must be \"auto\" or a number (the first host uid of the range), "
            "not \"automatic\"");
        ERR("{" BASE ", \"user_namespace\": {\"size\": 0}}",
            "web.json: user_namespace.size: must be a number from 1 to 4294967294, e.g. 65536");
        ERR("{" BASE ", \"user_namespace\": {\"size\": 4294967295}}",
            "web.json: user_namespace.size: must be a number from 1 to 4294967294, e.g. 65536");
        ERR("{" BASE ", \"user_namespace\": {\"size\": 99999999999999999999}}",
            "web.json: user_namespace.size: must be a number from 1 to 4294967294, e.g. 65536");
        ERR("{" BASE ", \"user_namespace\": {\"ownership\": \"chwon\"}}",
            "web.json: user_namespace.ownership: unknown value \"chwon\", did you mean \"chown\"?");
        ERR("{" BASE ", \"user_namespace\": {\"ownership\": \"shift\"}}",
            "web.json: user_namespace.ownership: must be \"idmap\" or \"chown\", not \"shift\"");
        ERR("{" BASE ", \"user_namespace\": {\"bsae\": 1}}",
            "web.json: user_namespace.bsae: unknown key, did you mean \"base\"?");
        ERR("{" BASE ", \"namespaces\": {\"user\": false}, \"user_namespace\": {\"size\": 65536}}",
            "web.json: user_namespace: set, but \"namespaces\": {\"user\": false} turns the user namespace "
            "off; remove one "
            "of them");
}

TEST(test_network) {
        _cleanup_config_free_ Config *c =
                PARSE_OK("{" BASE ", \"network\": {\"address\": \"192.168.7.9/30\", \"gateway\": "
                         "\"192.168.7.10\", \"bridge\": \"b\", \"mtu\": 68}}");
        ASSERT_STREQ(c->network.address, "192.168.7.9/30");
        ASSERT_STREQ(c->network.gateway, "192.168.7.10");
        _cleanup_config_free_ Config *d =
                PARSE_OK("{" BASE ", \"network\": {\"address\": \"auto\", \"gateway\": \"auto\"}}");
        ASSERT(!d->network.address && !d->network.gateway);

        ERR("{" BASE ", \"network\": {\"mdoe\": \"veth\"}}",
            "web.json: network.mdoe: unknown key, did you mean \"mode\"?");
        ERR("{" BASE ", \"network\": {\"mode\": \"bridge\"}}",
            "web.json: network.mode: must be \"veth\", \"none\" or \"host\", not \"bridge\"");
        ERR("{" BASE ", \"network\": {\"mode\": \"hots\"}}",
            "web.json: network.mode: unknown mode \"hots\", did you mean \"host\"?");
        ERR("{" BASE ", \"network\": \"host\"}",
            "web.json: network: must be an object, e.g. {\"mode\": \"veth\"}, not a string");
        ERR("{" BASE ", \"network\": {\"mode\": \"host\", \"bridge\": \"br0\"}}",
            "web.json: network.bridge: only with \"mode\": \"veth\"; remove it");
        ERR("{" BASE ", \"network\": {\"mode\": \"none\", \"mtu\": 1500}}",
            "web.json: network.mtu: only with \"mode\": \"veth\"; remove it");
        ERR("{" BASE ", \"network\": {\"bridge\": \"a-very-long-bridge\"}}",
            "web.json: network.bridge: invalid interface name \"a-very-long-bridge\": use 1–15 characters, "
            "no spaces, \"/\", "
            "\":\" or \"%\"");
        ERR("{" BASE ", \"network\": {\"bridge\": \"br 0\"}}",
            "web.json: network.bridge: invalid interface name \"br 0\": use 1–15 characters, no spaces, "
            "\"/\", \":\" or \"%\"");
        /* What the sidecar refuses (lib/sidecar-bus.c), in the words of its refusal; the
         * value classes both ways are in test-values.c. */
        ERR("{" BASE ", \"network\": {\"address\": \"10.77.0.5\"}}",
            "web.json: network.address: invalid address \"10.77.0.5\": write \"auto\" or an IPv4 address "
            "with a prefix length from 8 to 30, e.g. \"10.77.0.5/16\"");
        ERR("{" BASE ", \"network\": {\"address\": \"10.77.0.5/33\"}}",
            "web.json: network.address: invalid address \"10.77.0.5/33\": write \"auto\" or an IPv4 address "
            "with a prefix length from 8 to 30, e.g. \"10.77.0.5/16\"");
        ERR("{" BASE ", \"network\": {\"address\": \"10.77.0.300/16\"}}",
            "web.json: network.address: invalid address \"10.77.0.300/16\": write \"auto\" or an IPv4 "
            "address with a prefix length from 8 to 30, e.g. \"10.77.0.5/16\"");
        ERR("{" BASE ", \"network\": {\"address\": \"10.77.9.9/31\"}}",
            "web.json: network.address: invalid address \"10.77.9.9/31\": the prefix length must be from 8 "
            "to 30");
        ERR("{" BASE ", \"network\": {\"address\": \"10.77.9.9/32\"}}",
            "web.json: network.address: invalid address \"10.77.9.9/32\": the prefix length must be from 8 "
            "to 30");
        ERR("{" BASE ", \"network\": {\"address\": \"fd77::9/64\"}}",
            "web.json: network.address: invalid address \"fd77::9/64\": an IPv6 address goes in "
            "\"address6\"; write \"auto\" or an IPv4 address with a prefix length from 8 to 30, e.g. "
            "\"10.77.0.5/16\"");
        ERR("{" BASE ", \"network\": {\"address6\": \"10.77.0.9\"}}",
            "web.json: network.address6: invalid address6 \"10.77.0.9\": an IPv4 address goes in "
            "\"address\"; write \"auto\" or an IPv6 address of the sidecar's IPv6 pool (Pool6=), e.g. "
            "\"fd00:77::5\"");
        ERR("{" BASE ", \"network\": {\"address6\": \"fd77::x\"}}",
            "web.json: network.address6: invalid address6 \"fd77::x\": write \"auto\" or an IPv6 address of "
            "the sidecar's IPv6 pool (Pool6=), e.g. \"fd00:77::5\"");
        ERR("{" BASE ", \"network\": {\"ipv6\": false, \"address6\": \"fd77::9\"}}",
            "web.json: network.address6: needs \"ipv6\": true; remove one of them");
        ERR("{" BASE ", \"network\": {\"ipv6\": \"yes\"}}",
            "web.json: network.ipv6: must be true or false, not a string");
        ERR("{" BASE ", \"network\": {\"address\": \"10.77.0.0/16\"}}",
            "web.json: network.address: invalid address \"10.77.0.0/16\": that is the network address of "
            "its subnet, not a host's");
        ERR("{" BASE ", \"network\": {\"gateway\": \"10.77.0.1/16\"}}",
            "web.json: network.gateway: invalid gateway \"10.77.0.1/16\": write \"auto\" or an IPv4 "
            "address, e.g. \"10.77.0.1\"");
        ERR("{" BASE ", \"network\": {\"gateway\": \"fd00::1\"}}",
            "web.json: network.gateway: invalid gateway \"fd00::1\": the IPv6 gateway is the bridge's "
            "address in the IPv6 pool; write \"auto\" or an IPv4 address, e.g. \"10.77.0.1\"");
        ERR("{" BASE ", \"network\": {\"mtu\": 67}}",
            "web.json: network.mtu: must be a number from 68 to 65535");
        ERR("{" BASE ", \"network\": {\"mtu\": 65536}}",
            "web.json: network.mtu: must be a number from 68 to 65535");
        ERR("{" BASE ", \"network\": {\"mtu\": \"1500\"}}",
            "web.json: network.mtu: must be a number from 68 to 65535, not a string");
}

TEST(test_capabilities) {
        _cleanup_config_free_ Config *c = PARSE_OK(
                "{" BASE
                ", \"capabilities\": {\"add\": [\"cap_bpf\", \"Checkpoint_Restore\", \"CAP_AUDIT_READ\"]}}");
        ASSERT_EQ(c->caps_add, (1ULL << 39) | (1ULL << 40) | (1ULL << CAP_AUDIT_READ));

        ERR("{" BASE ", \"capabilities\": {\"add\": [\"CAP_NET_ADMN\"]}}",
            "web.json: capabilities.add[0]: unknown capability \"CAP_NET_ADMN\", did you mean "
            "\"CAP_NET_ADMIN\"?");
        ERR("{" BASE ", \"capabilities\": {\"drop\": [\"KILL\", \"sys_admn\"]}}",
            "web.json: capabilities.drop[1]: unknown capability \"sys_admn\", did you mean "
            "\"CAP_SYS_ADMIN\"?");
        ERR("{" BASE ", \"capabilities\": {\"add\": [\"CAP_EVERYTHING\"]}}",
            "web.json: capabilities.add[0]: unknown capability \"CAP_EVERYTHING\" (see capabilities(7) for "
            "the names)");
        ERR("{" BASE ", \"capabilities\": {\"add\": [\"12\"]}}",
            "web.json: capabilities.add[0]: unknown capability \"12\" (see capabilities(7) for the names)");
        ERR("{" BASE ", \"capabilities\": {\"add\": [12]}}",
            "web.json: capabilities.add[0]: must be a string (a capability name, e.g. \"CAP_NET_ADMIN\"), "
            "not a number");
        ERR("{" BASE ", \"capabilities\": {\"add\": [\"NET_ADMIN\", \"cap_net_admin\"]}}",
            "web.json: capabilities.add[1]: CAP_NET_ADMIN is listed twice");
        ERR("{" BASE ", \"capabilities\": {\"add\": [\"NET_RAW\"], \"drop\": [\"CAP_NET_RAW\"]}}",
            "web.json: capabilities: CAP_NET_RAW is in both \"add\" and \"drop\"; remove it from one of "
            "them");
        ERR("{" BASE ", \"capabilities\": [\"NET_RAW\"]}",
            "web.json: capabilities: must be an object, e.g. {\"add\": [\"CAP_NET_ADMIN\"], \"drop\": "
            "[\"CAP_KILL\"]}, not "
            "an array");
        ERR("{" BASE ", \"capabilities\": {\"ad\": []}}",
            "web.json: capabilities.ad: unknown key, did you mean \"add\"?");
        ERR("{" BASE ", \"capabilities\": {\"add\": \"CAP_NET_RAW\"}}",
            "web.json: capabilities.add: must be an array of capability names, e.g. [\"CAP_NET_ADMIN\"], "
            "not a string");
}

TEST(test_resources) {
        static const char *const bytes_good[] = {"512M", "1G",   "infinity", "50%", "1.5G", "100%",
                                                 "0",    "1024", "2T",       "3K",  "1E",   "7P"};
        for (size_t i = 0; i < ELEMENTSOF(bytes_good); i++) {
                char json[256];
                snprintf(json, sizeof(json),
                         "{" BASE ", \"resources\": {\"memory_max\": \"%s\", \"memory_high\": \"%s\"}}",
                         bytes_good[i], bytes_good[i]);
                _cleanup_config_free_ Config *c = PARSE_OK(json);
                ASSERT_STREQ(c->resources.memory_max, bytes_good[i]);
                ASSERT_STREQ(c->resources.memory_high, bytes_good[i]);
        }
        static const char *const bytes_bad[] = {"",    "M",  "1X",  "101%", "0%",
                                                "1.G", "-1", "1 G", "inf",  "1GB"};
        for (size_t i = 0; i < ELEMENTSOF(bytes_bad); i++) {
                char json[256], msg[512];
                snprintf(json, sizeof(json), "{" BASE ", \"resources\": {\"memory_max\": \"%s\"}}",
                         bytes_bad[i]);
                snprintf(msg, sizeof(msg),
                         "web.json: resources.memory_max: invalid size \"%s\": write bytes as a number, a "
                         "size like \"512M\" "
                         "or \"1G\" (suffixes K M G T P E), a percentage like \"50%%\", or \"infinity\"",
                         bytes_bad[i]);
                ERR(json, msg);
        }
        ERR("{" BASE ", \"resources\": {\"memory_high\": \"512m\"}}",
            "web.json: resources.memory_high: invalid size \"512m\": systemd wants an upper-case suffix, "
            "write \"512M\"");
        ERR("{" BASE ", \"resources\": {\"memory_max\": -1}}",
            "web.json: resources.memory_max: must not be negative");
        ERR("{" BASE ", \"resources\": {\"memory_max\": true}}",
            "web.json: resources.memory_max: must be a number of bytes or a string like \"512M\", \"50%\" "
            "or \"infinity\", "
            "not true");

        _cleanup_config_free_ Config *c =
                PARSE_OK("{" BASE ", \"resources\": {\"cpu_weight\": \"idle\", \"io_weight\": 10000,"
                         " \"cpu_quota\": \"12.5%\", \"tasks_max\": \"infinity\"}}");
        ASSERT_STREQ(c->resources.cpu_weight, "idle");
        ASSERT_STREQ(c->resources.io_weight, "10000");
        ASSERT_STREQ(c->resources.cpu_quota, "12.5%");
        ASSERT_STREQ(c->resources.tasks_max, "infinity");
        _cleanup_config_free_ Config *d = PARSE_OK(
                "{" BASE
                ", \"resources\": {\"cpu_weight\": 1, \"tasks_max\": \"10%\", \"cpu_quota\": \"400%\"}}");
        ASSERT_STREQ(d->resources.cpu_weight, "1");
        ASSERT_STREQ(d->resources.tasks_max, "10%");
        _cleanup_config_free_ Config *e = PARSE_OK("{" BASE ", \"resources\": {\"tasks_max\": \"4096\"}}");
        ASSERT_STREQ(e->resources.tasks_max, "4096");

        ERR("{" BASE ", \"resources\": {\"cpu_weight\": 0}}",
            "web.json: resources.cpu_weight: must be a number from 1 to 10000 or \"idle\"");
        ERR("{" BASE ", \"resources\": {\"cpu_weight\": 10001}}",
            "web.json: resources.cpu_weight: must be a number from 1 to 10000 or \"idle\"");
        ERR("{" BASE ", \"resources\": {\"cpu_weight\": \"high\"}}",
            "web.json: resources.cpu_weight: must be a number from 1 to 10000 or \"idle\"");
        ERR("{" BASE ", \"resources\": {\"io_weight\": \"idle\"}}",
            "web.json: resources.io_weight: must be a number from 1 to 10000");
        ERR("{" BASE ", \"resources\": {\"io_weight\": 1.5}}",
            "web.json: resources.io_weight: must be a number from 1 to 10000, not a fractional number");
        ERR("{" BASE ", \"resources\": {\"cpu_quota\": 50}}",
            "web.json: resources.cpu_quota: must be a string with a percent sign, e.g. \"50%\" (100% is one "
            "CPU), not a "
            "number");
        ERR("{" BASE ", \"resources\": {\"cpu_quota\": \"50\"}}",
            "web.json: resources.cpu_quota: invalid quota \"50\": write a percentage of one CPU, e.g. "
            "\"50%\" or \"200%\"");
        ERR("{" BASE ", \"resources\": {\"cpu_quota\": \"0%\"}}",
            "web.json: resources.cpu_quota: invalid quota \"0%\": write a percentage of one CPU, e.g. "
            "\"50%\" or \"200%\"");
        ERR("{" BASE ", \"resources\": {\"cpu_quota\": \"1.125%\"}}",
            "web.json: resources.cpu_quota: invalid quota \"1.125%\": write a percentage of one CPU, e.g. "
            "\"50%\" or "
            "\"200%\"");
        ERR("{" BASE ", \"resources\": {\"tasks_max\": 0}}",
            "web.json: resources.tasks_max: must be a positive number, a percentage like \"10%\", or "
            "\"infinity\"");
        ERR("{" BASE ", \"resources\": {\"tasks_max\": \"lots\"}}",
            "web.json: resources.tasks_max: invalid value \"lots\": write a number, a percentage like "
            "\"10%\", or "
            "\"infinity\"");
        ERR("{" BASE ", \"resources\": {\"memory_maxx\": 1}}",
            "web.json: resources.memory_maxx: unknown key, did you mean \"memory_max\"?");
        ERR("{" BASE ", \"resources\": {\"cpus\": 1}}",
            "web.json: resources.cpus: unknown key; valid keys here are \"memory_max\", \"memory_high\", "
            "\"cpu_weight\", "
            "\"cpu_quota\", \"tasks_max\", \"io_weight\"");
}

TEST(test_restart_and_stop) {
        static const char *const values[] = {"no",          "on-success", "on-failure", "on-abnormal",
                                             "on-watchdog", "on-abort",   "always"};
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                char json[256];
                snprintf(json, sizeof(json), "{" BASE ", \"restart\": \"%s\"}", values[i]);
                _cleanup_config_free_ Config *c = PARSE_OK(json);
                ASSERT_STREQ(c->restart, values[i]);
        }
        ERR("{" BASE ", \"restart\": \"on_failure\"}",
            "web.json: restart: unknown value \"on_failure\", did you mean \"on-failure\"?");
        ERR("{" BASE ", \"restart\": \"sometimes\"}",
            "web.json: restart: unknown value \"sometimes\": must be one of \"no\", \"on-success\", "
            "\"on-failure\", "
            "\"on-abnormal\", \"on-watchdog\", \"on-abort\", \"always\"");
        ERR("{" BASE ", \"restart\": true}",
            "web.json: restart: must be a string, e.g. \"on-failure\", not true");

        _cleanup_config_free_ Config *c =
                PARSE_OK("{" BASE ", \"restart_sec\": 5, \"stop_timeout\": \"1min 30s\", "
                         "\"stop_signal\": \"SIGRTMIN+3\"}");
        ASSERT_STREQ(c->restart_sec, "5s");
        ASSERT_EQ(c->stop_timeout_usec, 90 * 1000000ULL);
        ASSERT_EQ(c->stop_signal, SIGRTMIN + 3);
        _cleanup_config_free_ Config *d = PARSE_OK(
                "{" BASE
                ", \"restart_sec\": \"500ms\", \"stop_timeout\": \"infinity\", \"stop_signal\": \"hup\"}");
        ASSERT_STREQ(d->restart_sec, "500ms");
        ASSERT_EQ(d->stop_timeout_usec, UINT64_MAX);
        ASSERT_EQ(d->stop_signal, SIGHUP);

#define SPAN_HINT "a time span such as \"10s\", \"1min 30s\" or \"500ms\" (a plain number means seconds)"
        ERR("{" BASE ", \"restart_sec\": \"soon\"}",
            "web.json: restart_sec: invalid time span \"soon\": write " SPAN_HINT);
        ERR("{" BASE ", \"restart_sec\": \"infinity\"}",
            "web.json: restart_sec: must be a finite time span, not \"infinity\"");
        ERR("{" BASE ", \"stop_timeout\": -1}", "web.json: stop_timeout: must be " SPAN_HINT);
        ERR("{" BASE ", \"stop_timeout\": 1.5}",
            "web.json: stop_timeout: must be " SPAN_HINT ", not a fractional number");
        ERR("{" BASE ", \"stop_timeout\": \"10 parsecs\"}",
            "web.json: stop_timeout: invalid time span \"10 parsecs\": write " SPAN_HINT);
        ERR("{" BASE ", \"stop_signal\": \"SIGTREM\"}",
            "web.json: stop_signal: unknown signal \"SIGTREM\", did you mean \"SIGTERM\"?");
        ERR("{" BASE ", \"stop_signal\": \"TREM\"}",
            "web.json: stop_signal: unknown signal \"TREM\", did you mean \"SIGTERM\"?");
        ERR("{" BASE ", \"stop_signal\": \"SIGFOOBAR\"}",
            "web.json: stop_signal: unknown signal \"SIGFOOBAR\": write a name like \"SIGTERM\", \"SIGINT\" "
            "or \"SIGRTMIN+3\"");
        ERR("{" BASE ", \"stop_signal\": 15}",
            "web.json: stop_signal: must be a string (a signal name such as \"SIGTERM\"), not a number");
}

TEST(test_dependencies) {
        ERR("{" BASE ", \"after\": \"db\"}",
            "web.json: after: must be an array of container names, e.g. [\"db\"], not a string");
        ERR("{" BASE ", \"after\": [\"a b\"]}",
            "web.json: after[0]: invalid container name \"a b\": " NAME_RULE);
        ERR("{" BASE ", \"requires\": [\"db\", \"-x\"]}",
            "web.json: requires[1]: invalid container name \"-x\": " NAME_RULE);
        ERR("{" BASE ", \"wants\": [\"log_sink\"]}",
            "web.json: wants[0]: invalid container name \"log_sink\": '_' is not allowed in a machine name: "
            "use \"log-sink\"");
        ERR("{" BASE ", \"wants\": [\"web\"]}", "web.json: wants[0]: \"web\" is this container itself");
        ERR("{" BASE ", \"after\": [\"db\", \"db\"]}", "web.json: after[1]: \"db\" is listed twice");
        ERR("{" BASE ", \"wants\": [1]}",
            "web.json: wants[0]: must be a string (a container name), not a number");
}

TEST(test_unknown_keys) {
        ERR("{" BASE ", \"hostnme\": \"x\"}", "web.json: hostnme: unknown key, did you mean \"hostname\"?");
        ERR("{" BASE ", \"Hostname\": \"x\"}",
            "web.json: Hostname: unknown key, did you mean \"hostname\"?");
        ERR("{" BASE ", \"stop-signal\": \"x\"}",
            "web.json: stop-signal: unknown key, did you mean \"stop_signal\"?");
        ERR("{" BASE ", \"enviroment\": {}}",
            "web.json: enviroment: unknown key (see nscontain.json(5) for the valid keys)");
        ERR("{" BASE ", \"mount\": []}", "web.json: mount: unknown key, did you mean \"mounts\"?");
        ERR("{" BASE ", \"read_only\": true}",
            "web.json: read_only: unknown key, did you mean \"readonly\"?");
        ERR("{" BASE ", \"a b\": 1}",
            "web.json: [\"a b\"]: unknown key (see nscontain.json(5) for the valid keys)");
        ERR("{" BASE ", \"x\": 1}", "web.json: x: unknown key (see nscontain.json(5) for the valid keys)");
}

TEST(test_top_level_and_syntax) {
        ERR("[]", "web.json: the top level must be a JSON object ({ \"rootfs\": ..., ... }), not an array");
        ERR("\"x\"",
            "web.json: the top level must be a JSON object ({ \"rootfs\": ..., ... }), not a string");
        ERR("null", "web.json: the top level must be a JSON object ({ \"rootfs\": ..., ... }), not null");
        ERR_SIZED("", 0, "web.json: empty file (an empty file masks the container); write a JSON object");
        ERR("  \n", "web.json:2:1: expected a value, found end of file");
        ERR("{\"rootfs\": \"/r\",\n \"command\": [\"a\"] x}",
            "web.json:2:19: expected ',' or '}' after an object member, found 'x'");
        ERR("{\"rootfs\": \"/r\",}", "web.json:1:17: trailing comma before '}'");
        ERR("{\"command\": [\"a\",]}", "web.json:1:18: trailing comma before ']'");
        ERR("{'rootfs': 1}", "web.json:1:2: expected a key in double quotes, found ''' (strings and keys "
                             "need double quotes, not single "
                             "quotes)");
        ERR("{\"rootfs\": /r}",
            "web.json:1:12: expected a value, found '/' (comments are not allowed in JSON)");
        ERR("{\"rootfs\": yes}",
            "web.json:1:12: expected a value, found 'y' (strings and keys need double quotes)");
        ERR("// comment\n{}",
            "web.json:1:1: expected a value, found '/' (comments are not allowed in JSON)");
        ERR("{\"rootfs\": \"/r}", "web.json:1:12: unterminated string: a closing '\"' is missing");
        ERR("{\"rootfs\" \"/r\"}", "web.json:1:11: expected ':' after the key, found '\"'");
        ERR("{\"rootfs\": \"/r\"",
            "web.json:1:16: expected ',' or '}' after an object member, found end of file");
        ERR("{} {}", "web.json:1:4: expected the end of the file after the JSON value, found '{'");
        ERR("{\"a\": 01}", "web.json:1:7: numbers must not have leading zeros");
        ERR("{\"a\": 1.}", "web.json:1:9: expected a digit after '.', found '}'");
        ERR("{\"a\": -}", "web.json:1:8: expected a digit after '-', found '}'");
        ERR("{\"a\": tru}",
            "web.json:1:7: expected a value, found 't' (strings and keys need double quotes)");
        ERR("{\"a\": \"\\x41\"}", "web.json:1:8: invalid escape \"\\x\" in a string: use \\\" \\\\ \\/ \\b "
                                  "\\f \\n \\r \\t or \\uXXXX (write \\\\ for "
                                  "a backslash)");
        ERR("{\"a\": \"\\u12\"}", "web.json:1:8: invalid \\u escape: write four hex digits, e.g. \\u00e9");
        ERR("{\"a\": \"\\ud800\"}", "web.json:1:8: unpaired UTF-16 surrogate \\uD800");
        ERR("{\"a\": \"\\udc00\"}", "web.json:1:8: unpaired UTF-16 surrogate \\uDC00");
        ERR("{\"a\": \"\\ud800\\u0041\"}", "web.json:1:8: unpaired UTF-16 surrogate \\uD800");
        ERR("{\"a\": \"tab\there\"}", "web.json:1:11: control character 0x09 in a string: write it as an "
                                      "escape (\\n, \\t or \\u0009)");
        ERR("\xEF\xBB\xBF{}",
            "web.json:1:1: byte order mark (BOM) at the start: save the file as UTF-8 without a BOM");
        /* Columns count characters: "é" is one. */
        ERR("{\"\xc3\xa9\": 1 x}", "web.json:1:9: expected ',' or '}' after an object member, found 'x'");

        /* A surrogate pair is fine and decodes to one character. */
        _cleanup_config_free_ Config *c =
                PARSE_OK("{" BASE ", \"env\": {\"E\": \"\\ud83d\\ude00 \\/ \\\"\"}}");
        ASSERT_STREQ(c->env[0], "E=\xf0\x9f\x98\x80 / \"");
}

TEST(test_duplicates) {
        ERR("{\"rootfs\": \"/a\",\n\"command\": [\"x\"],\n\"rootfs\": \"/b\"}",
            "web.json: rootfs: duplicate key (lines 1 and 3)");
        ERR("{" BASE ", \"network\": {\"mode\": \"veth\",\n \"mode\": \"none\"}}",
            "web.json: network.mode: duplicate key (lines 1 and 2)");
        ERR("{" BASE ", \"mounts\": [{\"source\": \"/a\", \"target\": \"/b\"}, {\"target\": \"/c\", "
            "\"target\": \"/d\"}]}",
            "web.json: mounts[1].target: duplicate key (line 1)");
        /* Escapes decode before comparing: "\u0041" is "A". */
        ERR("{" BASE ", \"env\": {\"A\": \"1\", \"\\u0041\": \"2\"}}",
            "web.json: env.A: duplicate key (line 1)");
        /* The same key in different objects is not a duplicate. */
        _cleanup_config_free_ Config *c =
                PARSE_OK("{" BASE ", \"mounts\": [{\"source\": \"/a\", \"target\": \"/b\"}, {\"source\": "
                         "\"/a\", \"target\": \"/c\"}]}");
        ASSERT_EQ(c->n_mounts, 2);
}

TEST(test_limits) {
        /* Nesting: 10,000 levels are refused at level 17 without recursion. */
        size_t n = 10000;
        char *deep = malloc(2 * n + 1);
        ASSERT(deep);
        memset(deep, '[', n);
        memset(deep + n, ']', n);
        deep[2 * n] = 0;
        ERR(deep, "web.json:1:17: nesting deeper than 16 levels");
        free(deep);

        char *objs = malloc(n * 6 + 16);
        ASSERT(objs);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                k += (size_t)sprintf(objs + k, "{\"a\":");
        objs[k] = 0;
        ERR(objs, "web.json:1:81: nesting deeper than 16 levels");
        free(objs);

        /* Exactly 16 levels pass the pre-check (and then fail validation normally). */
        ERR("{\"x\": [[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}",
            "web.json: x: unknown key (see nscontain.json(5) for the valid keys)");
        ERR("{\"x\": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}", "web.json:1:22: nesting deeper than 16 levels");

        /* Strings: CONFIG_STRING_MAX bytes pass, one more does not. */
        char *s = malloc(CONFIG_STRING_MAX + 128);
        ASSERT(s);
        k = (size_t)sprintf(s, "{" BASE ", \"env\": {\"A\": \"");
        memset(s + k, 'x', CONFIG_STRING_MAX);
        strcpy(s + k + CONFIG_STRING_MAX, "\"}}");
        _cleanup_config_free_ Config *c = PARSE_OK(s);
        ASSERT_EQ(strlen(c->env[0]), 2 + CONFIG_STRING_MAX);
        memset(s + k, 'x', CONFIG_STRING_MAX + 1);
        strcpy(s + k + CONFIG_STRING_MAX + 1, "\"}}");
        ERR(s, "web.json: env.A: string longer than 4096 bytes");
        /* Escapes count as what they decode to: 4096 × "\u00e9" is 8192 bytes. */
        free(s);
        s = malloc(CONFIG_STRING_MAX * 6 + 128);
        ASSERT(s);
        k = (size_t)sprintf(s, "{" BASE ", \"env\": {\"A\": \"");
        for (size_t i = 0; i < CONFIG_STRING_MAX / 2 + 1; i++)
                k += (size_t)sprintf(s + k, "\\u00e9");
        strcpy(s + k, "\"}}");
        ERR(s, "web.json: env.A: string longer than 4096 bytes");
        /* A long key. */
        k = (size_t)sprintf(s, "{\"");
        memset(s + k, 'k', CONFIG_STRING_MAX + 1);
        strcpy(s + k + CONFIG_STRING_MAX + 1, "\": 1}");
        ERR(s, "web.json:1:2: key longer than 4096 bytes");
        free(s);

        /* Arrays: CONFIG_ARRAY_MAX elements pass the pre-check, one more does not. */
        char *a = malloc(CONFIG_ARRAY_MAX * 16 + 128);
        ASSERT(a);
        for (int total = CONFIG_ARRAY_MAX; total <= CONFIG_ARRAY_MAX + 1; total++) {
                k = (size_t)sprintf(a, "{\"rootfs\": \"/r\", \"command\": [");
                for (int i = 0; i < total; i++)
                        k += (size_t)sprintf(a + k, "%s\"a\"", i ? "," : "");
                strcpy(a + k, "]}");
                if (total == CONFIG_ARRAY_MAX) {
                        _cleanup_config_free_ Config *d = PARSE_OK(a);
                        ASSERT_EQ(strv_length(d->command), CONFIG_ARRAY_MAX);
                } else
                        ERR(a, "web.json: command: more than 1024 elements in one array");
        }
        /* Objects: the same bound on keys. */
        k = (size_t)sprintf(a, "{" BASE ", \"env\": {");
        for (int i = 0; i <= CONFIG_ARRAY_MAX; i++)
                k += (size_t)sprintf(a + k, "%s\"K%d\":\"\"", i ? "," : "", i);
        strcpy(a + k, "}}");
        ERR(a, "web.json: env: more than 1024 keys in one object");
        free(a);

        /* Invalid UTF-8, with the byte offset. */
        ERR("{\"rootfs\": \"/r\xff\"}", "web.json:1:15: invalid UTF-8 (byte offset 14)");
        ERR("{\"rootfs\": \"/r\xc3\"}", "web.json:1:15: invalid UTF-8 (byte offset 14)");
        ERR("{\"rootfs\": \"/\xc0\xaf\"}",
            "web.json:1:14: invalid UTF-8 (byte offset 13)"); /* overlong '/' */
        ERR("{\"rootfs\": \"/\xed\xa0\x80\"}",
            "web.json:1:14: invalid UTF-8 (byte offset 13)"); /* surrogate */
        ERR("{\"rootfs\": \"/\xf4\x90\x80\x80\"}",
            "web.json:1:14: invalid UTF-8 (byte offset 13)"); /* > U+10FFFF */
        ERR("{\"rootfs\": \xe9}", "web.json:1:12: invalid UTF-8 (byte offset 11)");
        ERR("\n\n{\"x\xfe\": 1}", "web.json:3:4: invalid UTF-8 (byte offset 5)");

        /* NUL bytes, in and out of strings. */
        ERR_SIZED("{\"rootfs\": \"/r\0\"}", 18,
                  "web.json:1:15: NUL byte (byte offset 14): JSON is text and must not contain NUL");
        ERR_SIZED("{\"rootfs\": \"/r\"}\0", 17,
                  "web.json:1:17: NUL byte (byte offset 16): JSON is text and must not contain NUL");
        ERR_SIZED("{\0}", 3,
                  "web.json:1:2: NUL byte (byte offset 1): JSON is text and must not contain NUL");
}

TEST(test_names) {
        ASSERT(config_name_is_valid("web"));
        ASSERT(config_name_is_valid("a"));
        ASSERT(config_name_is_valid("A-b.c-d"));
        ASSERT(config_name_is_valid("0"));
        ASSERT(config_name_is_valid("a--b"));
        ASSERT(config_name_is_valid("web.example.org"));
        /* machined's rule: what systemd-nspawn --machine= refuses too. */
        ASSERT(!config_name_is_valid("my_web"));
        ASSERT(!config_name_is_valid("_x"));
        ASSERT(!config_name_is_valid("web."));
        ASSERT(!config_name_is_valid("web-"));
        ASSERT(!config_name_is_valid("a-.b"));
        ASSERT(!config_name_is_valid("a.-b"));
        ASSERT(!config_name_is_valid("a..b"));
        ASSERT(config_name_is_valid(
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 64 */
        ASSERT(!config_name_is_valid(
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 65 */
        ASSERT(!config_name_is_valid(""));
        ASSERT(!config_name_is_valid(NULL));
        ASSERT(!config_name_is_valid(".web"));
        ASSERT(!config_name_is_valid("-web"));
        ASSERT(!config_name_is_valid("a b"));
        ASSERT(!config_name_is_valid("a/b"));
        ASSERT(!config_name_is_valid("a@b"));
        ASSERT(!config_name_is_valid("a\\x2d"));
        ASSERT(!config_name_is_valid("caf\xc3\xa9"));
        ASSERT(!config_name_is_valid("."));
        ASSERT(!config_name_is_valid(".."));

        char why[160];
        ASSERT(!config_name_invalid_reason("web", true, why, sizeof(why)));
        ASSERT_STREQ(config_name_invalid_reason("my_web", true, why, sizeof(why)),
                     "'_' is not allowed in a machine name: rename the file to my-web.json");
        ASSERT_STREQ(config_name_invalid_reason("my_web", false, why, sizeof(why)),
                     "'_' is not allowed in a machine name: use \"my-web\"");
        /* '_' where '-' would not do either: the rule. */
        ASSERT_STREQ(config_name_invalid_reason("_x", true, why, sizeof(why)), NAME_RULE);
        ASSERT_STREQ(config_name_invalid_reason("a b", true, why, sizeof(why)), NAME_RULE);
        ASSERT_STREQ(config_name_invalid_reason(NULL, true, why, sizeof(why)), NAME_RULE);

        Config *c = NULL;
        char *err = NULL;
        static const char json[] = "{" BASE "}";
        ASSERT_EQ(config_parse("a b", "/etc/nscontain.d/a b.json", json, strlen(json), &c, &err), -EINVAL);
        ASSERT_STREQ(err, "a b.json: invalid container name \"a b\": " NAME_RULE);
        ASSERT(!c);
        free(err);
        err = NULL;
        /* Without a path, the message names NAME.json. */
        ASSERT_EQ(config_parse("db", NULL, "{}", 2, &c, &err), -EINVAL);
        ASSERT_STREQ(
                err,
                "db.json: rootfs: required: the directory holding the container's root filesystem, e.g. "
                "\"/var/lib/machines/db\" (or \"image\": an OCI image)");
        free(err);
        /* ret_error is optional. */
        ASSERT_EQ(config_parse("db", NULL, "{}", 2, &c, NULL), -EINVAL);
}

static void round_trip(const char *json) {
        _cleanup_config_free_ Config *a = PARSE_OK(json);
        _cleanup_free_ char *ja = NULL, *jb = NULL;
        ASSERT_OK(config_to_json(a, &ja));
        _cleanup_config_free_ Config *b = PARSE_OK(ja);
        ASSERT_OK(config_to_json(b, &jb));
        ASSERT_STREQ(ja, jb);
}

TEST(test_to_json) {
        _cleanup_config_free_ Config *c =
                PARSE_OK("{" BASE ", \"namespaces\": {\"user\": false, \"net\": false},"
                         " \"stop_timeout\": \"1min 30s\", \"stop_signal\": \"RTMIN+4\","
                         " \"resources\": {\"memory_max\": 1024}, \"restart_sec\": \"2s\","
                         " \"capabilities\": {\"drop\": [\"kill\"]},"
                         " \"mounts\": [{\"type\": \"tmpfs\", \"target\": \"/t\"}]}");
        _cleanup_free_ char *j = NULL;
        ASSERT_OK(config_to_json(c, &j));
        static const char expected[] =
                "{\n"
                "  \"rootfs\": \"/srv/web\",\n"
                "  \"command\": [\n"
                "    \"/bin/true\"\n"
                "  ],\n"
                "  \"boot\": false,\n"
                "  \"env\": {\n"
                "    \"PATH\": \"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
                "    \"container\": \"nscontain\"\n"
                "  },\n"
                "  \"user\": \"0\",\n"
                "  \"workdir\": \"/\",\n"
                "  \"hostname\": \"web\",\n"
                "  \"readonly\": false,\n"
                "  \"init\": false,\n"
                "  \"mounts\": [\n"
                "    {\n"
                "      \"type\": \"tmpfs\",\n"
                "      \"target\": \"/t\",\n"
                "      \"readonly\": false\n"
                "    }\n"
                "  ],\n"
                "  \"namespaces\": {\n"
                "    \"net\": false,\n"
                "    \"ipc\": true,\n"
                "    \"uts\": true,\n"
                "    \"pid\": true,\n"
                "    \"user\": false,\n"
                "    \"cgroup\": true\n"
                "  },\n"
                "  \"network\": {\n"
                "    \"mode\": \"host\",\n"
                "    \"dns\": \"auto\"\n"
                "  },\n"
                "  \"capabilities\": {\n"
                "    \"add\": [],\n"
                "    \"drop\": [\n"
                "      \"CAP_KILL\"\n"
                "    ]\n"
                "  },\n"
                "  \"no_new_privileges\": true,\n"
                "  \"seccomp\": true,\n"
                "  \"resources\": {\n"
                "    \"memory_max\": \"1024\"\n"
                "  },\n"
                "  \"restart\": \"no\",\n"
                "  \"restart_sec\": \"2s\",\n"
                "  \"stop_signal\": \"SIGRTMIN+4\",\n"
                "  \"stop_timeout\": \"1min 30s\",\n"
                "  \"autostart\": false,\n"
                "  \"after\": [],\n"
                "  \"requires\": [],\n"
                "  \"wants\": []\n"
                "}\n";
        ASSERT_STREQ(j, expected);

        round_trip("{" BASE "}");
        round_trip("{\"rootfs\": \"/r\", \"boot\": true}");
        round_trip("{" BASE ", \"stop_timeout\": \"infinity\", \"network\": {\"mode\": \"none\"}}");
        round_trip("{" BASE
                   ", \"env\": {\"Q\": \"a\\\"b\\\\c\\nd/e\"}, \"user_namespace\": {\"base\": 65536},"
                   " \"network\": {\"address\": \"10.0.0.2/8\", \"mtu\": 9000},"
                   " \"mounts\": [{\"source\": \"/a\", \"target\": \"/b\", \"idmap\": false, \"readonly\": "
                   "true}],"
                   " \"capabilities\": {\"add\": [\"sys_admin\", \"net_admin\"]}, \"after\": [\"x\"], "
                   "\"wants\": [\"y\"],"
                   " \"resources\": {\"cpu_weight\": \"idle\", \"io_weight\": 5, \"tasks_max\": 9, "
                   "\"cpu_quota\": \"5%\", "
                   "\"memory_high\": \"1G\"}, \"restart\": \"always\", \"stop_timeout\": \"1.5s\"}");
        _cleanup_config_free_ Config *m = NULL;
        char *err = NULL;
        static const char json[] = "{" BASE "}";
        ASSERT_OK(config_parse("my-box", NULL, json, strlen(json), &m, &err));
        _cleanup_free_ char *mj = NULL;
        ASSERT_OK(config_to_json(m, &mj));
        ASSERT(strstr(mj, "\"hostname\": \"my-box\""));
}
