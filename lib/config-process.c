/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payload's process: "command", "args", "env", "user", "workdir", "hostname". */
#include <string.h>

#include "config-parse.h"
#include "strv.h"

/* A program and its arguments: a non-empty array of strings, the first one non-empty. */
int config_dispatch_argv(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                         const ConfigField *f) {
        char ***command = dest;
        size_t i = 0;

        if (v->n == 0)
                return config_error(p, path,
                                    "must not be empty; write the program and its arguments, e.g. %s",
                                    (const char *)f->arg);

        _cleanup_strv_free_ char **argv = calloc(v->n + 1, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        JSON_FOREACH(e, v) {
                const JPath *jp = JP_INDEX(path, i);
                if (e->type != JSON_STRING)
                        return config_error(p, jp, "must be a string, not %s", config_type_phrase(e));
                if (i == 0 && !*e->string)
                        return config_error(
                                p, jp, "must not be empty: it names the program to run, e.g. \"/bin/sh\"");
                argv[i] = strdup(e->string);
                if (!argv[i])
                        return -ENOMEM;
                i++;
        }
        strv_free(*command);
        *command = TAKE_PTR(argv);
        return 0;
}

int config_dispatch_command(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f) {
        if (!v) {
                /* An image's Entrypoint and Cmd are the default command. */
                if (p->config->boot || p->config->image)
                        return 0;
                return config_error(
                        p, path,
                        "required unless \"boot\" is true, e.g. [\"/bin/sh\", \"-c\", \"echo hello\"]");
        }
        return config_dispatch_argv(p, path, v, dest, f);
}

static int env_compare(const void *a, const void *b) {
        const char *x = *(const char *const *)a, *y = *(const char *const *)b;
        size_t lx = strcspn(x, "="), ly = strcspn(y, "=");
        int c = strncmp(x, y, MIN(lx, ly));
        if (c != 0)
                return c;
        return lx < ly ? -1 : lx > ly;
}

int config_env_sort(char **env) {
        qsort(env, strv_length(env), sizeof(char *), env_compare);
        return 0;
}

static int env_set(char ***env, const char *key, const char *value) {
        size_t kl = strlen(key), vl = strlen(value);
        char *kv = malloc(kl + 1 + vl + 1);

        if (!kv)
                return -ENOMEM;
        memcpy(kv, key, kl);
        kv[kl] = '=';
        memcpy(kv + kl + 1, value, vl + 1);
        for (char **e = *env; e && *e; e++)
                if (strncmp(*e, key, kl) == 0 && (*e)[kl] == '=') {
                        free(*e);
                        *e = kv;
                        return 0;
                }
        int r = strv_push(env, kv);
        if (r < 0)
                free(kv);
        return r;
}

int config_dispatch_env(Parser *p, const JPath *path, const JsonValue *v, void *dest, const ConfigField *f) {
        int r;

        JSON_FOREACH(val, v) {
                const char *key = val->key;
                const JPath *jp = JP_KEY(path, key);
                if (!env_name_is_valid(key))
                        return config_error(
                                p, jp,
                                "invalid variable name: use letters, digits and \"_\", not starting "
                                "with a digit");
                r = config_check_string_value(p, jp, val);
                if (r < 0)
                        return r;
                r = env_set(dest, key, val->string);
                if (r < 0)
                        return r;
                /* What the file itself sets: an image's Env goes under it (nscontain(1), "image import"). */
                r = env_set(&p->config->env_given, key, val->string);
                if (r < 0)
                        return r;
        }
        return 0;
}

int config_dispatch_user(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                         const ConfigField *f) {
        char q[QUOTE_MAX];

        if (v->type == JSON_INTEGER)
                return config_error(p, path, "must be a string, not a number; write \"%s\"", v->string);
        if (v->type != JSON_STRING)
                return config_error(p, path, "must be a string (\"NAME\", \"UID\" or \"UID:GID\"), not %s",
                                    config_type_phrase(v));
        if (!user_is_valid(v->string))
                return config_error(
                        p, path,
                        "invalid user %s: use \"NAME\", \"UID\", \"UID:GID\" or \"NAME:GROUP\", e.g. "
                        "\"0\" or \"www-data\"",
                        config_quote(v->string, q, sizeof(q)));
        p->config->user_given = true;
        return free_and_strdup(dest, v->string);
}

int config_dispatch_workdir(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f) {
        p->config->workdir_given = true;
        return config_dispatch_path(p, path, v, dest, f);
}

/* "args": with "image", the arguments that replace the image's Cmd (may be empty). */
int config_dispatch_args(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                         const ConfigField *f) {
        char ***args = dest;
        size_t i = 0;

        if (!p->config->image)
                return config_error(p, path,
                                    "only with \"image\" (it replaces the image's Cmd); with \"rootfs\" "
                                    "write the whole \"command\"");
        _cleanup_strv_free_ char **l = calloc(v->n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        JSON_FOREACH(e, v) {
                if (e->type != JSON_STRING)
                        return config_error(p, JP_INDEX(path, i), "must be a string, not %s",
                                            config_type_phrase(e));
                l[i] = strdup(e->string);
                if (!l[i])
                        return -ENOMEM;
                i++;
        }
        strv_free(*args);
        *args = TAKE_PTR(l);
        return 0;
}

int config_dispatch_hostname(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                             const ConfigField *f) {
        char q[QUOTE_MAX];

        if (!v)
                return hostname_from_name(p->config->name, dest);
        if (!hostname_is_valid(v->string))
                return config_error(
                        p, path,
                        "invalid hostname %s: use 1–64 of A–Z a–z 0–9 - . not starting or ending "
                        "with - or .",
                        config_quote(v->string, q, sizeof(q)));
        return free_and_strdup(dest, v->string);
}
