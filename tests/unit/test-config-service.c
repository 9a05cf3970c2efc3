/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The service contract's keys (nscontain.json(5)): notify, watchdog_sec, health,
 * credentials, env_files, rlimits, sysctl, devices, service. Every value class both
 * ways, with the exact message. */

#include "lib/config.h"
#include "strv.h"
#include "tests.h"

#define BASE "\"rootfs\": \"/srv/web\", \"command\": [\"/bin/true\"]"

static Config *parse_ok_(int line, const char *json) {
        Config *c = NULL;
        char *err = NULL;
        int r = config_parse("web", "/etc/nscontain.d/web.json", json, strlen(json), &c, &err);
        if (r < 0 || !c) {
                fprintf(stderr, "line %d: expected success, got %d: %s\n  input: %s\n", line, r,
                        err ?: "(no message)", json);
                abort();
        }
        return c;
}
#define PARSE_OK(json) parse_ok_(__LINE__, "{" BASE ", " json "}")

static void parse_err_(int line, const char *json, const char *expected) {
        Config *c = NULL;
        char *err = NULL;
        int r = config_parse("web", "/etc/nscontain.d/web.json", json, strlen(json), &c, &err);
        if (r != -EINVAL || c || !err || strcmp(err, expected) != 0) {
                fprintf(stderr, "line %d: expected -EINVAL with\n  expected: %s\n  got (%d): %s\n", line,
                        expected, r, err ?: "(no message)");
                abort();
        }
        free(err);
}
#define ERR(json, expected) parse_err_(__LINE__, "{" BASE ", " json "}", "web.json: " expected)

TEST(test_defaults) {
        _cleanup_config_free_ Config *c = parse_ok_(__LINE__, "{" BASE "}");

        ASSERT(!c->notify);
        ASSERT(!c->watchdog_sec);
        ASSERT(!c->health.command);
        ASSERT_EQ(c->health.interval_usec, 30 * 1000000ULL);
        ASSERT_EQ(c->health.timeout_usec, 10 * 1000000ULL);
        ASSERT_EQ(c->health.retries, 3);
        ASSERT_EQ(c->n_credentials + c->n_sysctl + c->n_devices + c->n_service, 0);
        ASSERT(!c->env_files);
        ASSERT(!c->rlimits);
}

TEST(test_notify_and_watchdog) {
        _cleanup_config_free_ Config *c = PARSE_OK("\"notify\": true, \"watchdog_sec\": \"20s\"");
        ASSERT(c->notify);
        ASSERT_STREQ(c->watchdog_sec, "20s");
        config_free(PARSE_OK("\"watchdog_sec\": 5"));

        ERR("\"notify\": \"yes\"", "notify: must be true or false, not a string");
        ERR("\"watchdog_sec\": \"0\"",
            "watchdog_sec: must be more than 0; leave the key out for no watchdog");
        ERR("\"watchdog_sec\": \"infinity\"", "watchdog_sec: must be a finite time span, not \"infinity\"");
        ERR("\"watchdog_sec\": \"soon\"",
            "watchdog_sec: invalid time span \"soon\": write a time span such as \"10s\", \"1min 30s\" or "
            "\"500ms\" (a plain number means seconds)");
        ERR("\"notfy\": true", "notfy: unknown key, did you mean \"notify\"?");
}

TEST(test_health) {
        _cleanup_config_free_ Config *c = PARSE_OK(
                "\"health\": {\"command\": [\"/bin/check\", \"-q\"], \"interval\": \"2s\", \"timeout\": "
                "\"500ms\", \"retries\": 2, \"start_period\": \"1min\", \"on_failure\": \"kill\", "
                "\"ready_when_healthy\": true}");
        ASSERT_EQ(strv_length(c->health.command), 2);
        ASSERT_STREQ(c->health.command[1], "-q");
        ASSERT_EQ(c->health.interval_usec, 2000000);
        ASSERT_EQ(c->health.timeout_usec, 500000);
        ASSERT_EQ(c->health.retries, 2);
        ASSERT_EQ(c->health.start_period_usec, 60000000);
        ASSERT_EQ(c->health.on_failure, HEALTH_ON_FAILURE_KILL);
        ASSERT(c->health.ready_when_healthy);
        ASSERT_STREQ(c->restart, "no");

        /* "restart" turns a unit without a restart policy into Restart=on-failure. */
        Config *r = PARSE_OK("\"health\": {\"command\": [\"/bin/check\"], \"on_failure\": \"restart\"}");
        ASSERT_STREQ(r->restart, "on-failure");
        config_free(r);
        r = PARSE_OK(
                "\"restart\": \"always\", \"health\": {\"command\": [\"/c\"], \"on_failure\": \"restart\"}");
        ASSERT_STREQ(r->restart, "always");
        config_free(r);

        ERR("\"health\": {}", "health.command: required: the check to run inside the container, e.g. "
                              "[\"/bin/check\"]; it passes when it exits 0");
        ERR("\"health\": {\"command\": []}",
            "health.command: must not be empty; write the program and its arguments, e.g. [\"/bin/check\"]");
        ERR("\"health\": [\"/bin/check\"]",
            "health: must be an object, e.g. {\"command\": [\"/bin/check\"], \"interval\": \"30s\"}, not an "
            "array");
        ERR("\"health\": {\"command\": [\"/c\"], \"interval\": \"0\"}",
            "health.interval: must be more than 0");
        ERR("\"health\": {\"command\": [\"/c\"], \"timeout\": \"infinity\"}",
            "health.timeout: must be a finite time span, not \"infinity\"");
        ERR("\"health\": {\"command\": [\"/c\"], \"retries\": 0}",
            "health.retries: must be a number from 1 to 100");
        ERR("\"health\": {\"command\": [\"/c\"], \"on_failure\": \"restrat\"}",
            "health.on_failure: unknown value \"restrat\", did you mean \"restart\"?");
        ERR("\"health\": {\"command\": [\"/c\"], \"on_failure\": \"stop\"}",
            "health.on_failure: must be \"none\", \"kill\" or \"restart\", not \"stop\"");
        ERR("\"health\": {\"command\": [\"/c\"], \"intervall\": \"1s\"}",
            "health.intervall: unknown key, did you mean \"interval\"?");
        ERR("\"notify\": true, \"health\": {\"command\": [\"/c\"], \"ready_when_healthy\": true}",
            "health.ready_when_healthy: cannot be combined with \"notify\": true (the payload says READY=1 "
            "itself); remove one of them");
        ERR("\"restart\": \"on-success\", \"health\": {\"command\": [\"/c\"], \"on_failure\": \"restart\"}",
            "health.on_failure: is \"restart\", but \"restart\": \"on-success\" does not restart a "
            "container "
            "that exits with a failure; use \"on-failure\" or \"always\"");
}

TEST(test_credentials_and_env_files) {
        _cleanup_config_free_ Config *c =
                PARSE_OK("\"credentials\": {\"tls.key\": \"/etc/web//tls.key\", \"db_password\": "
                         "\"/run/secrets/db\"}, "
                         "\"env_files\": [\"/etc/web/env\", \"/etc/web/env.local\"]");
        ASSERT_EQ(c->n_credentials, 2);
        ASSERT_STREQ(c->credentials[0].key, "tls.key");
        ASSERT_STREQ(c->credentials[0].value, "/etc/web/tls.key");
        ASSERT_STREQ(c->credentials[1].key, "db_password");
        ASSERT_EQ(strv_length(c->env_files), 2);
        ASSERT_STREQ(c->env_files[1], "/etc/web/env.local");

        ERR("\"credentials\": {\"a:b\": \"/x\"}", "credentials[\"a:b\"]: invalid credential name: use 1–255 "
                                                  "of A–Z a–z 0–9 _ . -, not \".\" or \"..\"");
        ERR("\"credentials\": {\"..\": \"/x\"}", "credentials[\"..\"]: invalid credential name: use 1–255 "
                                                 "of A–Z a–z 0–9 _ . -, not \".\" or \"..\"");
        ERR("\"credentials\": {\"key\": \"secret.txt\"}",
            "credentials.key: must be an absolute path, e.g. \"/etc/web/tls.key\"");
        ERR("\"credentials\": {\"key\": 1}",
            "credentials.key: must be a string (an absolute path), not a number");
        ERR("\"credentials\": [\"/x\"]", "credentials: must be an object of paths, e.g. {\"tls.key\": "
                                         "\"/etc/web/tls.key\"}, not an array");
        ERR("\"env_files\": [\"env\"]", "env_files[0]: must be an absolute path, e.g. \"/etc/web/env\"");
        ERR("\"env_files\": [\"/a\", \"/a/\"]", "env_files[1]: \"/a\" is listed twice");
        ERR("\"env_files\": \"/a\"",
            "env_files: must be an array of paths, e.g. [\"/etc/web/env\"], not a string");
}

TEST(test_rlimits) {
        _cleanup_config_free_ Config *c =
                PARSE_OK("\"rlimits\": {\"nofile\": [1024, 4096], \"core\": 0, \"memlock\": \"infinity\"}");
        ASSERT(c->rlimits[RLIMIT_NOFILE].set);
        ASSERT_EQ(c->rlimits[RLIMIT_NOFILE].soft, 1024);
        ASSERT_EQ(c->rlimits[RLIMIT_NOFILE].hard, 4096);
        ASSERT_EQ(c->rlimits[RLIMIT_CORE].soft, 0);
        ASSERT_EQ(c->rlimits[RLIMIT_CORE].hard, 0);
        ASSERT(c->rlimits[RLIMIT_MEMLOCK].soft == RLIM_INFINITY &&
               c->rlimits[RLIMIT_MEMLOCK].hard == RLIM_INFINITY);
        ASSERT(!c->rlimits[RLIMIT_NPROC].set);

        ERR("\"rlimits\": {\"nofiles\": 1}", "rlimits.nofiles: unknown resource, did you mean \"nofile\"?");
        ERR("\"rlimits\": {\"RLIMIT_NOFILE\": 1}",
            "rlimits.RLIMIT_NOFILE: unknown resource: use a name of setrlimit(2) without RLIMIT_, in lower "
            "case, e.g. \"nofile\"");
        ERR("\"rlimits\": {\"nofile\": [4096, 1024]}",
            "rlimits.nofile: the soft limit is above the hard limit");
        ERR("\"rlimits\": {\"nofile\": [1]}", "rlimits.nofile: must be [SOFT, HARD], two values");
        ERR("\"rlimits\": {\"nofile\": [1, \"lots\"]}", "rlimits.nofile[1]: must be a number, \"infinity\", "
                                                        "or [SOFT, HARD] of those, e.g. 4096 or [1024, "
                                                        "4096]");
        ERR("\"rlimits\": {\"nofile\": -1}", "rlimits.nofile: must be a number, \"infinity\", or [SOFT, "
                                             "HARD] of those, e.g. 4096 or [1024, 4096]");
}

TEST(test_sysctl) {
        _cleanup_config_free_ Config *c =
                PARSE_OK("\"sysctl\": {\"net.ipv4.ip_unprivileged_port_start\": \"80\", \"kernel.shmmax\": "
                         "\"65536\", \"fs.mqueue.msg_max\": \"20\", \"kernel.domainname\": \"example\"}");
        ASSERT_EQ(c->n_sysctl, 4);
        ASSERT_STREQ(c->sysctl[0].key, "net.ipv4.ip_unprivileged_port_start");
        ASSERT_STREQ(c->sysctl[0].value, "80");

        ERR("\"sysctl\": {\"vm.swappiness\": \"10\"}",
            "sysctl[\"vm.swappiness\"]: not a key the kernel keeps per container: only net.*, kernel.shm*, "
            "kernel.msg*, kernel.sem, kernel.domainname and fs.mqueue.* can be set without changing the "
            "host");
        ERR("\"sysctl\": {\"kernel.hostname\": \"x\"}",
            "sysctl[\"kernel.hostname\"]: set by the \"hostname\" key of the config; use that");
        ERR("\"network\": {\"mode\": \"host\"}, \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}",
            "sysctl[\"net.ipv4.ip_forward\"]: needs the container's own network namespace; with the host's "
            "it "
            "would change the host");
        ERR("\"namespaces\": {\"net\": false}, \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}",
            "sysctl[\"net.ipv4.ip_forward\"]: needs the container's own network namespace; with the host's "
            "it "
            "would change the host");
        ERR("\"namespaces\": {\"ipc\": false}, \"sysctl\": {\"kernel.shmmax\": \"1\"}",
            "sysctl[\"kernel.shmmax\"]: needs the container's own IPC namespace; with \"ipc\": false it "
            "would "
            "change the host");
        ERR("\"sysctl\": {\"net.ipv4.ip_forward\": 1}",
            "sysctl[\"net.ipv4.ip_forward\"]: must be a string, not a number; write \"1\"");
        ERR("\"sysctl\": {\"net/ipv4/ip_forward\": \"1\"}",
            "sysctl[\"net/ipv4/ip_forward\"]: invalid key: write it with dots, e.g. "
            "\"net.ipv4.ip_forward\"");
        ERR("\"sysctl\": {\"net.ipv4.ip_forward\": \"1\\n\"}",
            "sysctl[\"net.ipv4.ip_forward\"]: must be a value on one line, e.g. \"1\"");
}

TEST(test_devices) {
        _cleanup_config_free_ Config *c = PARSE_OK(
                "\"devices\": [\"/dev/fuse\", {\"path\": \"/dev/dri/renderD128\", \"mode\": \"r\"}]");
        ASSERT_EQ(c->n_devices, 2);
        ASSERT_STREQ(c->devices[0].key, "/dev/fuse");
        ASSERT_STREQ(c->devices[0].value, "rw");
        ASSERT_STREQ(c->devices[1].key, "/dev/dri/renderD128");
        ASSERT_STREQ(c->devices[1].value, "r");

        ERR("\"devices\": [\"/etc/passwd\"]",
            "devices[0]: must be a device node in /dev, e.g. \"/dev/fuse\"");
        ERR("\"devices\": [\"/dev/../etc/passwd\"]",
            "devices[0]: must not contain \"..\" components; write the path without them");
        ERR("\"devices\": [{\"mode\": \"rw\"}]",
            "devices[0].path: required: the device node, e.g. \"/dev/fuse\"");
        ERR("\"devices\": [{\"path\": \"/dev/fuse\", \"mode\": \"rx\"}]",
            "devices[0].mode: must be the access as DeviceAllow= writes it: \"r\", \"w\", \"m\" or a "
            "combination, "
            "e.g. \"rw\"");
        ERR("\"devices\": [{\"path\": \"/dev/fuse\", \"acces\": \"r\"}]",
            "devices[0].acces: unknown key; valid keys here are \"path\", \"mode\"");
        ERR("\"devices\": [\"/dev/fuse\", \"/dev//fuse\"]", "devices[1]: \"/dev/fuse\" is listed twice");
        ERR("\"devices\": [1]", "devices[0]: must be a path or an object, e.g. \"/dev/fuse\" or {\"path\": "
                                "\"/dev/fuse\", \"mode\": "
                                "\"rw\"}, not a number");
}

TEST(test_service) {
        _cleanup_config_free_ Config *c =
                PARSE_OK("\"service\": {\"OOMScoreAdjust\": \"500\", \"CPUAffinity\": \"0-1\"}");
        ASSERT_EQ(c->n_service, 2);
        ASSERT_STREQ(c->service[0].key, "OOMScoreAdjust");
        ASSERT_STREQ(c->service[0].value, "500");
        ASSERT_STREQ(c->service[1].key, "CPUAffinity");

        ERR("\"service\": {\"ExecStart\": \"/bin/sh\"}",
            "service.ExecStart: nscontain-helper relies on this setting of container@.service; it cannot be "
            "changed");
        ERR("\"service\": {\"Type\": \"simple\"}", "service.Type: nscontain-helper relies on this setting "
                                                   "of container@.service; it cannot be changed");
        ERR("\"service\": {\"Restart\": \"always\"}",
            "service.Restart: set by the \"restart\" key of the config; use that");
        ERR("\"service\": {\"LimitNOFILE\": \"10\"}",
            "service.LimitNOFILE: set by the \"rlimits\" key of the config; use that");
        ERR("\"service\": {\"oom_score_adjust\": \"1\"}",
            "service.oom_score_adjust: invalid setting name: write it as systemd.service(5) and "
            "systemd.resource-control(5) do, e.g. \"OOMScoreAdjust\"");
        ERR("\"service\": {\"OOMScoreAdjust\": 500}",
            "service.OOMScoreAdjust: must be a string, not a number; write \"500\"");
        ERR("\"service\": {\"Nice\": \"1\\nExecStart=/bin/sh\"}",
            "service.Nice: contains a line break or another control character, which a unit file cannot "
            "hold");
}

TEST(test_to_json) {
        _cleanup_config_free_ Config *c =
                PARSE_OK("\"notify\": true, \"watchdog_sec\": \"20s\", \"credentials\": {\"k\": \"/k\"}, "
                         "\"rlimits\": {\"nofile\": 4096}, \"devices\": [\"/dev/fuse\"], \"service\": "
                         "{\"Nice\": \"5\"}");
        _cleanup_free_ char *json = NULL;
        ASSERT_OK(config_to_json(c, &json));
        ASSERT(strstr(json, "\"notify\": true"));
        ASSERT(strstr(json, "\"watchdog_sec\": \"20s\""));
        ASSERT(strstr(json, "\"credentials\": {\n    \"k\": \"/k\"\n  }"));
        ASSERT(strstr(json, "\"nofile\": [\n      4096,\n      4096\n    ]"));
        ASSERT(strstr(json, "\"path\": \"/dev/fuse\""));
        ASSERT(strstr(json, "\"Nice\": \"5\""));
}
