/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The service contract (nscontain.json(5)): "watchdog_sec", "health", "credentials",
 * "env_files" and the "service" pass-through. "notify" is a plain boolean row. */
#include <limits.h>
#include <string.h>

#include "config-parse.h"
#include "escape.h"
#include "strv.h"

int config_pairs_add(ConfigPair **pairs, size_t *n, const char *key, const char *value) {
        _cleanup_free_ char *k = strdup(key), *v = strdup(value);
        ConfigPair *a;

        if (!k || !v)
                return -ENOMEM;
        a = reallocarray(*pairs, *n + 1, sizeof(ConfigPair));
        if (!a)
                return -ENOMEM;
        a[(*n)++] = (ConfigPair){TAKE_PTR(k), TAKE_PTR(v)};
        *pairs = a;
        return 0;
}

void config_pairs_free(ConfigPair *pairs, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(pairs[i].key);
                free(pairs[i].value);
        }
        free(pairs);
}

int config_dispatch_watchdog(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                             const ConfigField *f) {
        uint64_t usec;
        int r;

        r = config_dispatch_timespan_text(p, path, v, dest, f);
        if (r < 0)
                return r;
        if (parse_timespan(*(char **)dest, &usec) >= 0 && usec == 0)
                return config_error(p, path, "must be more than 0; leave the key out for no watchdog");
        return 0;
}

/* A time span of the health check in µs; arg non-NULL: 0 is allowed. */
static int dispatch_health_span(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                const ConfigField *f) {
        int r;

        r = config_dispatch_timespan_usec(p, path, v, dest, &(const ConfigField){.arg = NULL});
        if (r < 0)
                return r;
        if (*(uint64_t *)dest == 0 && !f->arg)
                return config_error(p, path, "must be more than 0");
        return 0;
}

static int dispatch_health_command(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                   const ConfigField *f) {
        if (!v)
                return config_error(
                        p, path,
                        "required: the check to run inside the container, e.g. [\"/bin/check\"]; "
                        "it passes when it exits 0");
        return config_dispatch_argv(p, path, v, dest, f);
}

static const ConfigEnum health_on_failure = {
        .names = (const char *const[]){[HEALTH_ON_FAILURE_NONE] = "none",
                                       [HEALTH_ON_FAILURE_KILL] = "kill",
                                       [HEALTH_ON_FAILURE_RESTART] = "restart"},
        .n = 3,
        .noun = "value",
        .list = "\"none\", \"kill\" or \"restart\"",
};

static const ConfigField health_fields[] = {
        {"command", JSON_ARRAY, dispatch_health_command, offsetof(Health, command), CONFIG_FIELD_ABSENT,
         "an array of strings, e.g. [\"/bin/check\"]", "[\"/bin/check\"]"},
        {"interval", JSON_ANY, dispatch_health_span, offsetof(Health, interval_usec)},
        {"timeout", JSON_ANY, dispatch_health_span, offsetof(Health, timeout_usec)},
        {"retries", JSON_INTEGER, config_dispatch_uint32, offsetof(Health, retries), 0,
         "a number from 1 to 100", &(const ConfigRange){1, 100}},
        {"start_period", JSON_ANY, dispatch_health_span, offsetof(Health, start_period_usec), 0, NULL, "0"},
        {"on_failure", JSON_STRING, config_dispatch_enum, offsetof(Health, on_failure), 0,
         "\"none\", \"kill\" or \"restart\"", &health_on_failure},
        {"ready_when_healthy", JSON_BOOLEAN, config_dispatch_bool, offsetof(Health, ready_when_healthy)},
};

static const ConfigObject health_object = CONFIG_OBJECT(
        "an object, e.g. {\"command\": [\"/bin/check\"], \"interval\": \"30s\"}", health_fields, true);

int config_dispatch_health(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f) {
        return config_dispatch(p, path, v, &health_object, dest);
}

/* A credential's NAME is a file name in $CREDENTIALS_DIRECTORY and the part of
 * LoadCredential=NAME:PATH before the colon. */
static bool credential_name_is_valid(const char *s) {
        size_t l = strlen(s);

        if (l == 0 || l > NAME_MAX || streq(s, ".") || streq(s, ".."))
                return false;
        for (const char *c = s; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                      *c == '_' || *c == '.' || *c == '-'))
                        return false;
        return true;
}

int config_dispatch_credentials(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                const ConfigField *f) {
        static const ConfigField source = {.what = "a string (an absolute path)", .arg = "/etc/web/tls.key"};
        Config *c = p->config;
        int r;

        JSON_FOREACH(m, v) {
                const JPath *jp = JP_KEY(path, m->key);
                _cleanup_free_ char *file = NULL;

                if (!credential_name_is_valid(m->key))
                        return config_error(
                                p, jp,
                                "invalid credential name: use 1–255 of A–Z a–z 0–9 _ . -, not \".\" "
                                "or \"..\"");
                r = config_check_type(p, jp, m, JSON_STRING, source.what);
                if (r < 0)
                        return r;
                r = config_dispatch_path(p, jp, m, &file, &source);
                if (r < 0)
                        return r;
                r = config_pairs_add(&c->credentials, &c->n_credentials, m->key, file);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* An array of absolute paths (char **); arg: an example. */
int config_dispatch_paths(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                          const ConfigField *f) {
        const ConfigField element = {.what = "a string (an absolute path)", .arg = f->arg};
        char q[QUOTE_MAX];
        size_t i = 0;
        int r;

        JSON_FOREACH(e, v) {
                const JPath *jp = JP_INDEX(path, i++);
                _cleanup_free_ char *file = NULL;

                r = config_check_type(p, jp, e, JSON_STRING, element.what);
                if (r < 0)
                        return r;
                r = config_dispatch_path(p, jp, e, &file, &element);
                if (r < 0)
                        return r;
                if (strv_contains(*(char ***)dest, file))
                        return config_error(p, jp, "%s is listed twice", config_quote(file, q, sizeof(q)));
                r = strv_push(dest, file);
                if (r < 0)
                        return r;
                TAKE_PTR(file);
        }
        return 0;
}

/* [Service] settings the config may not pass through: what the helper relies on (the
 * message says so), and what a key of the config sets (the message names it). */
static const struct {
        const char *setting;
        const char *config_key; /* NULL: the helper's own */
} service_refused[] = {
        {"ExecStart", NULL},
        {"ExecStartPre", NULL},
        {"ExecStartPost", NULL},
        {"ExecStop", NULL},
        {"ExecStopPost", NULL},
        {"ExecReload", NULL},
        {"ExecCondition", NULL},
        {"Type", NULL},
        {"KillMode", NULL},
        {"Delegate", NULL},
        {"NotifyAccess", NULL},
        {"PIDFile", NULL},
        {"GuessMainPID", NULL},
        {"RemainAfterExit", NULL},
        {"BusName", NULL},
        {"Sockets", NULL},
        {"User", NULL},
        {"Group", NULL},
        {"DynamicUser", NULL},
        {"SupplementaryGroups", NULL},
        {"RootDirectory", NULL},
        {"RootImage", NULL},
        {"RootEphemeral", NULL},
        {"MountAPIVFS", NULL},
        {"PrivateUsers", NULL},
        {"PrivateNetwork", NULL},
        {"NetworkNamespacePath", NULL},
        {"PrivateIPC", NULL},
        {"IPCNamespacePath", NULL},
        {"PrivatePIDs", NULL},
        {"PrivateMounts", NULL},
        {"PrivateDevices", NULL},
        {"ProtectSystem", NULL},
        {"ProtectHome", NULL},
        {"ProtectKernelTunables", NULL},
        {"ProtectControlGroups", NULL},
        {"CapabilityBoundingSet", NULL},
        {"AmbientCapabilities", NULL},
        {"NoNewPrivileges", NULL},
        {"SecureBits", NULL},
        {"SystemCallFilter", NULL},
        {"RestrictNamespaces", NULL},
        {"Slice", NULL},
        {"StateDirectory", NULL},
        {"RuntimeDirectory", NULL},
        {"RuntimeDirectoryPreserve", NULL},
        {"StandardInput", NULL},
        {"StandardOutput", NULL},
        {"StandardError", NULL},
        {"SyslogIdentifier", NULL},
        {"SuccessExitStatus", NULL},
        {"RestartForceExitStatus", NULL},
        {"Environment", "env"},
        {"EnvironmentFile", "env_files"},
        {"PassEnvironment", "env"},
        {"UnsetEnvironment", "env"},
        {"Restart", "restart"},
        {"RestartSec", "restart_sec"},
        {"TimeoutStopSec", "stop_timeout"},
        {"KillSignal", "stop_signal"},
        {"WatchdogSec", "watchdog_sec"},
        {"LoadCredential", "credentials"},
        {"LoadCredentialEncrypted", "credentials"},
        {"SetCredential", "credentials"},
        {"SetCredentialEncrypted", "credentials"},
        {"ImportCredential", "credentials"},
        {"DeviceAllow", "devices"},
        {"DevicePolicy", "devices"},
        {"MemoryMax", "resources"},
        {"MemoryHigh", "resources"},
        {"CPUWeight", "resources"},
        {"CPUQuota", "resources"},
        {"TasksMax", "resources"},
        {"IOWeight", "resources"},
};

static bool setting_name_is_valid(const char *s) {
        size_t l = strlen(s);

        if (l == 0 || l > 64 || !(s[0] >= 'A' && s[0] <= 'Z'))
                return false;
        for (const char *c = s; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')))
                        return false;
        return true;
}

int config_dispatch_service(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f) {
        Config *c = p->config;
        int r;

        JSON_FOREACH(m, v) {
                const JPath *jp = JP_KEY(path, m->key);
                const char *key = m->key;

                if (!setting_name_is_valid(key))
                        return config_error(p, jp,
                                            "invalid setting name: write it as systemd.service(5) and "
                                            "systemd.resource-control(5) do, e.g. \"OOMScoreAdjust\"");
                for (size_t i = 0; i < ELEMENTSOF(service_refused); i++) {
                        if (!streq(key, service_refused[i].setting))
                                continue;
                        if (service_refused[i].config_key)
                                return config_error(p, jp, "set by the \"%s\" key of the config; use that",
                                                    service_refused[i].config_key);
                        return config_error(p, jp,
                                            "nscontain-helper relies on this setting of container@.service; "
                                            "it cannot be changed");
                }
                if (strncmp(key, "Limit", 5) == 0)
                        return config_error(p, jp, "set by the \"rlimits\" key of the config; use that");
                r = config_check_string_value(p, jp, m);
                if (r < 0)
                        return r;
                if (!string_is_one_line(m->string))
                        return config_error(
                                p, jp,
                                "contains a line break or another control character, which a unit "
                                "file cannot hold");
                r = config_pairs_add(&c->service, &c->n_service, key, m->string);
                if (r < 0)
                        return r;
        }
        return 0;
}

int config_check_service(Parser *p) {
        Config *c = p->config;
        Health *h = &c->health;
        char q[QUOTE_MAX];

        if (!h->command)
                return 0;
        if (h->ready_when_healthy && c->notify)
                return config_error(p, JP_KEY(JP_KEY(NULL, "health"), "ready_when_healthy"),
                                    "cannot be combined with \"notify\": true (the payload says READY=1 "
                                    "itself); remove one of them");
        if (h->on_failure == HEALTH_ON_FAILURE_RESTART) {
                /* The container ends with a failure exit status: the unit's Restart=
                 * must act on it. Without a "restart" of its own it gets on-failure. */
                if (streq(c->restart, "no"))
                        return free_and_strdup(&c->restart, "on-failure");
                if (!streq(c->restart, "on-failure") && !streq(c->restart, "always"))
                        return config_error(
                                p, JP_KEY(JP_KEY(NULL, "health"), "on_failure"),
                                "is \"restart\", but \"restart\": %s does not restart a container "
                                "that exits with a failure; use \"on-failure\" or \"always\"",
                                config_quote(c->restart, q, sizeof(q)));
        }
        return 0;
}
