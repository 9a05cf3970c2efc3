/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config.h"
#include "fileio.h"
#include "json-check.h"
#include "strv.h"

#define JPATH_MAX 1024

typedef struct Parser {
        const char *file; /* basename, for messages */
        char *error;
        Config *config;
        bool net_given;  /* "namespaces": {"net": ...} was written */
        bool mode_given; /* "network": {"mode": ...} was written */
        bool stop_signal_given;
} Parser;

/* Where a value is, for messages: a chain of keys and indexes up to the top level
 * (NULL), kept on the stack and turned into text ("mounts[1].target") only when an
 * error is reported, so that a valid config costs no formatting. */
typedef struct JPath {
        const struct JPath *parent;
        const char *key; /* NULL: an array element */
        size_t index;
} JPath;
#define JP_KEY(parent, k)   (&(const JPath){(parent), (k), 0})
#define JP_INDEX(parent, i) (&(const JPath){(parent), NULL, (i)})

static const char *jpath_format(const JPath *path, char buf[static JPATH_MAX]) {
        const JPath *chain[CONFIG_DEPTH_MAX + 1];
        size_t n = 0;

        buf[0] = 0;
        for (const JPath *j = path; j && n < ELEMENTSOF(chain); j = j->parent)
                chain[n++] = j;
        while (n > 0) {
                const JPath *j = chain[--n];
                size_t l = strlen(buf);

                if (!j->key)
                        snprintf(buf + l, JPATH_MAX - l, "[%zu]", j->index);
                else if (!json_path_append_key(buf, JPATH_MAX, j->key)) {
                        /* Only a key of thousands of bytes gets here: show where it is. */
                        buf[MIN(l, (size_t)1000)] = 0;
                        strcat(buf, "...");
                }
        }
        return buf;
}

_printf_(3, 4) static int perr(Parser *p, const JPath *path, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        char jp[JPATH_MAX];
        va_list ap;
        int r;

        if (p->error) /* the first error is the one reported */
                return -EINVAL;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        jpath_format(path, jp);
        if (asprintf(&p->error, "%s: %s%s%s", p->file, jp, *jp ? ": " : "", msg) < 0) {
                p->error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

/* A value as it may be shown in a message: in double quotes, JSON-escaped, cut at 64
 * characters. */
static const char *quote(const char *s, char *buf, size_t size) {
        size_t k = 0, shown = 0;

        assert(size >= 16);
        buf[k++] = '"';
        for (const char *f = s; *f; f++) {
                uint8_t b = (uint8_t)*f;
                char esc[8];

                if (shown >= 64 && (b & 0xC0) != 0x80) {
                        if (k + 5 < size) {
                                memcpy(buf + k, "\"...", 4);
                                k += 4;
                        }
                        buf[k] = 0;
                        return buf;
                }
                if (b < 0x20 || b == 0x7f)
                        snprintf(esc, sizeof(esc), "\\u%04x", b);
                else if (b == '"' || b == '\\')
                        snprintf(esc, sizeof(esc), "\\%c", b);
                else
                        snprintf(esc, sizeof(esc), "%c", b);
                size_t el = strlen(esc);
                if (k + el + 6 >= size)
                        break;
                memcpy(buf + k, esc, el);
                k += el;
                if ((b & 0xC0) != 0x80)
                        shown++;
        }
        buf[k++] = '"';
        buf[k] = 0;
        return buf;
}

static const char *type_phrase(const JsonValue *o) {
        switch (o->type) {
        case JSON_NULL:
                return "null";
        case JSON_BOOLEAN:
                return o->boolean ? "true" : "false";
        case JSON_FRACTION:
                return "a fractional number";
        case JSON_INTEGER:
                return "a number";
        case JSON_STRING:
                return "a string";
        case JSON_ARRAY:
                return "an array";
        case JSON_OBJECT:
                return "an object";
        }
        return "something else";
}

/* Optimal string alignment distance (Damerau–Levenshtein without repeated edits of
 * a substring), case-insensitive: "hostnme" → "hostname" is 1, "mdoe" → "mode" 1. */
static size_t edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        size_t d[65][65];

        if (la > 64 || lb > 64)
                return SIZE_MAX;
        for (size_t i = 0; i <= la; i++)
                d[i][0] = i;
        for (size_t j = 0; j <= lb; j++)
                d[0][j] = j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        char ca = (char)(a[i - 1] | ((a[i - 1] >= 'A' && a[i - 1] <= 'Z') ? 0x20 : 0));
                        char cb = (char)(b[j - 1] | ((b[j - 1] >= 'A' && b[j - 1] <= 'Z') ? 0x20 : 0));
                        size_t cost = ca == cb ? 0 : 1;
                        size_t v = MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);
                        v = MIN(v, d[i - 1][j - 1] + cost);
                        if (i > 1 && j > 1) {
                                char pa =
                                        (char)(a[i - 2] | ((a[i - 2] >= 'A' && a[i - 2] <= 'Z') ? 0x20 : 0));
                                char pb =
                                        (char)(b[j - 2] | ((b[j - 2] >= 'A' && b[j - 2] <= 'Z') ? 0x20 : 0));
                                if (ca == pb && pa == cb)
                                        v = MIN(v, d[i - 2][j - 2] + 1);
                        }
                        d[i][j] = v;
                }
        return d[la][lb];
}

/* The candidate closest to s, if it is close enough to be a likely typo. */
static const char *closest(const char *s, const char *const *candidates, size_t n) {
        const char *best = NULL;
        size_t best_d = SIZE_MAX;

        for (size_t i = 0; i < n; i++) {
                if (!candidates[i])
                        continue;
                size_t d = edit_distance(s, candidates[i]);
                if (d < best_d) {
                        best = candidates[i];
                        best_d = d;
                }
        }
        if (best && best_d <= 2 && best_d < strlen(best))
                return best;
        return NULL;
}

static bool strv_in(const char *s, const char *const *l, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (streq(s, l[i]))
                        return true;
        return false;
}

static int join_quoted(const char *const *l, size_t n, char **ret) {
        _cleanup_free_ char *s = NULL;
        size_t len = 0;

        for (size_t i = 0; i < n; i++)
                len += strlen(l[i]) + 4;
        s = malloc(len + 1);
        if (!s)
                return -ENOMEM;
        s[0] = 0;
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strcat(s, ", ");
                strcat(s, "\"");
                strcat(s, l[i]);
                strcat(s, "\"");
        }
        *ret = TAKE_PTR(s);
        return 0;
}

/* Unknown keys are errors (a typo must not silently become a default). With
 * 'list_known' the message lists the valid keys, for objects that have few. Stores
 * each member in fields[the index of its key in 'known'] (duplicate keys are refused
 * by the JSON parser), so that looking one up costs nothing. */
static int check_keys(Parser *p, const JPath *path, const JsonValue *obj, const char *const *known,
                      size_t n_known, bool list_known, const JsonValue **fields) {
        JSON_FOREACH(m, obj) {
                const char *key = m->key;
                size_t i;

                /* The first byte tells most keys apart without a call. */
                for (i = 0; i < n_known; i++)
                        if (known[i][0] == key[0] && streq(known[i], key))
                                break;
                if (i < n_known) {
                        fields[i] = m;
                        continue;
                }

                const char *guess = closest(key, known, n_known);
                const JPath *jp = JP_KEY(path, key);
                if (guess)
                        return perr(p, jp, "unknown key, did you mean \"%s\"?", guess);
                if (list_known) {
                        _cleanup_free_ char *l = NULL;
                        if (join_quoted(known, n_known, &l) < 0)
                                return -ENOMEM;
                        return perr(p, jp, "unknown key; valid keys here are %s", l);
                }
                return perr(p, jp, "unknown key (see nscontain.json(5) for the valid keys)");
        }
        return 0;
}

static int want_type(Parser *p, const JPath *path, const JsonValue *o, JsonType type, const char *what) {
        if (o->type == type)
                return 0;
        return perr(p, path, "must be %s, not %s", what, type_phrase(o));
}

static int get_bool(Parser *p, const JPath *path, const JsonValue *o, bool *ret) {
        if (o->type == JSON_STRING) {
                const char *s = o->string;
                if (streq(s, "true") || streq(s, "false"))
                        return perr(p, path, "must be true or false, not a string; write %s without quotes",
                                    s);
        }
        if (o->type != JSON_BOOLEAN)
                return perr(p, path, "must be true or false, not %s", type_phrase(o));
        *ret = o->boolean;
        return 0;
}

static int get_string(Parser *p, const JPath *path, const JsonValue *o, const char *what, const char **ret) {
        int r = want_type(p, path, o, JSON_STRING, what);
        if (r < 0)
                return r;
        *ret = o->string;
        return 0;
}

/* An integer in [min, max]; 'what' completes "must be ...". */
static int get_uint(Parser *p, const JPath *path, const JsonValue *o, uint64_t min, uint64_t max,
                    const char *what, uint64_t *ret) {
        if (o->type != JSON_INTEGER)
                return perr(p, path, "must be %s, not %s", what, type_phrase(o));
        int64_t v = o->integer;
        if (v < 0 || (uint64_t)v < min || (uint64_t)v > max)
                return perr(p, path, "must be %s", what);
        *ret = (uint64_t)v;
        return 0;
}

static int strdup_to(char **dst, const char *s) {
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        free(*dst);
        *dst = c;
        return 0;
}

/* Normalizes an absolute path ("//a/./b/" → "/a/b"). -EINVAL when not absolute,
 * -ELOOP for a ".." component (it could step out of the root it is resolved in),
 * -ENAMETOOLONG beyond PATH_MAX. */
static int path_normalize(const char *in, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t k = 0;

        if (!in || in[0] != '/')
                return -EINVAL;
        if (strlen(in) >= PATH_MAX)
                return -ENAMETOOLONG;
        out = malloc(strlen(in) + 2);
        if (!out)
                return -ENOMEM;

        for (const char *s = in;;) {
                s += strspn(s, "/");
                if (!*s)
                        break;
                size_t l = strcspn(s, "/");
                if (l == 1 && s[0] == '.') {
                        s += l;
                        continue;
                }
                if (l == 2 && s[0] == '.' && s[1] == '.')
                        return -ELOOP;
                out[k++] = '/';
                memcpy(out + k, s, l);
                k += l;
                s += l;
        }
        if (k == 0)
                out[k++] = '/';
        out[k] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

static int get_abs_path(Parser *p, const JPath *path, const JsonValue *o, const char *example, char **ret) {
        const char *s;
        char *n;
        int r;

        r = get_string(p, path, o, "a string (an absolute path)", &s);
        if (r < 0)
                return r;
        r = path_normalize(s, &n);
        if (r == -EINVAL)
                return perr(p, path, "must be an absolute path, e.g. \"%s\"", example);
        if (r == -ELOOP)
                return perr(p, path, "must not contain \"..\" components; write the path without them");
        if (r == -ENAMETOOLONG)
                return perr(p, path, "is longer than %d bytes", PATH_MAX - 1);
        if (r < 0)
                return r;
        free(*ret);
        *ret = n;
        return 0;
}

static bool env_name_is_valid(const char *s) {
        /* systemd's rule (env_name_is_valid): letters, digits, '_', not starting with a digit. */
        if (isempty(s) || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (const char *c = s; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                      *c == '_'))
                        return false;
        return true;
}

static bool hostname_is_valid(const char *s) {
        size_t l;

        if (isempty(s))
                return false;
        l = strlen(s);
        if (l > 64)
                return false;
        if (s[0] == '-' || s[0] == '.' || s[l - 1] == '-' || s[l - 1] == '.')
                return false;
        for (const char *c = s; *c; c++) {
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                      *c == '-' || *c == '.'))
                        return false;
                if (c[0] == '.' && c[1] == '.') /* empty label */
                        return false;
        }
        return true;
}

/* The default hostname: NAME, with what a hostname cannot hold ('_', "..", a
 * trailing '.' or '-') mapped so that the result is one. */
static int hostname_from_name(const char *name, char **ret) {
        _cleanup_free_ char *h = malloc(strlen(name) + 1);
        size_t k = 0;

        if (!h)
                return -ENOMEM;
        for (const char *c = name; *c; c++) {
                char ch = *c == '_' ? '-' : *c;
                if (ch == '.' && (k == 0 || h[k - 1] == '.'))
                        continue;
                if (ch == '-' && k == 0)
                        continue;
                h[k++] = ch;
        }
        while (k > 0 && (h[k - 1] == '.' || h[k - 1] == '-'))
                k--;
        h[k] = 0;
        if (!hostname_is_valid(h))
                return strdup_to(ret, "container");
        *ret = TAKE_PTR(h);
        return 0;
}

static bool uid_part_is_valid(const char *s, size_t l) {
        if (l == 0 || l > 255)
                return false;
        bool numeric = true;
        for (size_t i = 0; i < l; i++)
                if (s[i] < '0' || s[i] > '9')
                        numeric = false;
        if (numeric) {
                /* (uid_t) -1 means "unchanged" to the kernel: never a real id. */
                uint64_t v = 0;
                if (l > 10)
                        return false;
                for (size_t i = 0; i < l; i++)
                        v = v * 10 + (uint64_t)(s[i] - '0');
                return v < UINT32_MAX;
        }
        /* A name as useradd and systemd accept: [A-Za-z0-9_.-], not starting with '-'
         * or '.', optionally ending in '$' (machine accounts). */
        if (s[0] == '-' || s[0] == '.')
                return false;
        for (size_t i = 0; i < l; i++) {
                char c = s[i];
                if (c == '$' && i == l - 1 && l > 1)
                        continue;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '-'))
                        return false;
        }
        return true;
}

static bool user_is_valid(const char *s) {
        const char *colon = strchr(s, ':');
        if (!colon)
                return uid_part_is_valid(s, strlen(s));
        if (strchr(colon + 1, ':'))
                return false;
        return uid_part_is_valid(s, (size_t)(colon - s)) && uid_part_is_valid(colon + 1, strlen(colon + 1));
}

static bool ifname_is_valid(const char *s) {
        size_t l = strlen(s);
        if (l == 0 || l > 15 || streq(s, ".") || streq(s, ".."))
                return false;
        for (const char *c = s; *c; c++)
                if ((uint8_t)*c <= 0x20 || (uint8_t)*c >= 0x7f || *c == '/' || *c == ':' || *c == '%')
                        return false;
        return true;
}

/* "a.b.c.d/N" or an IPv6 address with "/N". */
static bool cidr_is_valid(const char *s) {
        char buf[INET6_ADDRSTRLEN + 8];
        unsigned char addr[16];
        const char *slash = strchr(s, '/');
        if (!slash || (size_t)(slash - s) >= INET6_ADDRSTRLEN)
                return false;
        memcpy(buf, s, (size_t)(slash - s));
        buf[slash - s] = 0;

        int family = strchr(buf, ':') ? AF_INET6 : AF_INET;
        if (inet_pton(family, buf, addr) != 1)
                return false;
        const char *pl = slash + 1;
        if (!*pl || strlen(pl) > 3)
                return false;
        unsigned v = 0;
        for (const char *c = pl; *c; c++) {
                if (*c < '0' || *c > '9')
                        return false;
                v = v * 10 + (unsigned)(*c - '0');
        }
        return v <= (family == AF_INET ? 32U : 128U);
}

static bool address_is_valid(const char *s) {
        unsigned char addr[16];
        return inet_pton(AF_INET, s, addr) == 1 || inet_pton(AF_INET6, s, addr) == 1;
}

static Config *config_new(const char *name, const char *path) {
        Config *c = calloc(1, sizeof(Config));
        if (!c)
                return NULL;

        c->name = strdup(name);
        c->path = path ? strdup(path) : NULL;
        c->user = strdup("0");
        c->workdir = strdup("/");
        c->restart = strdup("no");
        c->network.bridge = strdup(DEFAULT_BRIDGE);
        if (!c->name || (path && !c->path) || !c->user || !c->workdir || !c->restart || !c->network.bridge ||
            strv_extend(&c->env, DEFAULT_PATH_ENV) < 0 || strv_extend(&c->env, "container=nscontain") < 0)
                return config_free(c);

        c->namespaces = (Namespaces){
                .net = true, .ipc = true, .uts = true, .pid = true, .user = true, .cgroup = true};
        c->user_namespace = (UserNamespace){
                .base_auto = true, .size = DEFAULT_USERNS_SIZE, .ownership = OWNERSHIP_IDMAP};
        c->network.mode = NETWORK_VETH;
        c->no_new_privileges = true;
        c->seccomp = true;
        c->stop_signal = SIGTERM;
        c->stop_timeout_usec = DEFAULT_STOP_TIMEOUT;
        return c;
}

Config *config_free(Config *c) {
        if (!c)
                return NULL;
        free(c->name);
        free(c->path);
        free(c->rootfs);
        strv_free(c->command);
        strv_free(c->env);
        free(c->user);
        free(c->workdir);
        free(c->hostname);
        for (size_t i = 0; i < c->n_mounts; i++) {
                free(c->mounts[i].source);
                free(c->mounts[i].target);
                free(c->mounts[i].options);
        }
        free(c->mounts);
        free(c->network.bridge);
        free(c->network.address);
        free(c->network.gateway);
        free(c->resources.memory_max);
        free(c->resources.memory_high);
        free(c->resources.cpu_weight);
        free(c->resources.cpu_quota);
        free(c->resources.tasks_max);
        free(c->resources.io_weight);
        free(c->restart);
        free(c->restart_sec);
        strv_free(c->after);
        strv_free(c->requires);
        strv_free(c->wants);
        free(c);
        return NULL;
}

static int parse_command(Parser *p, const JsonValue *o) {
        const JPath *path = JP_KEY(NULL, "command");
        size_t n, i = 0;
        int r;

        r = want_type(p, path, o, JSON_ARRAY,
                      "an array of strings, e.g. [\"/bin/sh\", \"-c\", \"echo hello\"]");
        if (r < 0)
                return r;
        n = o->n;
        if (n == 0)
                return perr(p, path,
                            "must not be empty; write the program and its arguments, e.g. [\"/bin/sh\", "
                            "\"-c\", \"echo hello\"]");

        _cleanup_strv_free_ char **argv = calloc(n + 1, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        JSON_FOREACH(e, o) {
                const JPath *jp = JP_INDEX(path, i);
                const char *s;
                r = get_string(p, jp, e, "a string", &s);
                if (r < 0)
                        return r;
                if (i == 0 && !*s)
                        return perr(p, jp,
                                    "must not be empty: it names the program to run, e.g. \"/bin/sh\"");
                argv[i] = strdup(s);
                if (!argv[i])
                        return -ENOMEM;
                i++;
        }
        strv_free(p->config->command);
        p->config->command = TAKE_PTR(argv);
        return 0;
}

static int env_compare(const void *a, const void *b) {
        const char *x = *(const char *const *)a, *y = *(const char *const *)b;
        size_t lx = strcspn(x, "="), ly = strcspn(y, "=");
        int c = strncmp(x, y, MIN(lx, ly));
        if (c != 0)
                return c;
        return lx < ly ? -1 : lx > ly;
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

static int parse_env(Parser *p, const JsonValue *o) {
        const JPath *path = JP_KEY(NULL, "env");
        int r;

        r = want_type(p, path, o, JSON_OBJECT, "an object of strings, e.g. {\"LANG\": \"C.UTF-8\"}");
        if (r < 0)
                return r;

        JSON_FOREACH(val, o) {
                const char *key = val->key;
                const JPath *jp = JP_KEY(path, key);
                if (!env_name_is_valid(key))
                        return perr(p, jp,
                                    "invalid variable name: use letters, digits and \"_\", not starting "
                                    "with a digit");
                if (val->type == JSON_INTEGER || val->type == JSON_FRACTION || val->type == JSON_BOOLEAN)
                        return perr(p, jp, "must be a string, not %s; write \"%s\"", type_phrase(val),
                                    val->string);
                const char *s;
                r = get_string(p, jp, val, "a string", &s);
                if (r < 0)
                        return r;
                r = env_set(&p->config->env, key, s);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_user(Parser *p, const JsonValue *o) {
        char q[160];
        const char *s;
        int r;

        if (o->type == JSON_INTEGER)
                return perr(p, JP_KEY(NULL, "user"), "must be a string, not a number; write \"%s\"",
                            o->string);
        r = get_string(p, JP_KEY(NULL, "user"), o, "a string (\"NAME\", \"UID\" or \"UID:GID\")", &s);
        if (r < 0)
                return r;
        if (!user_is_valid(s))
                return perr(p, JP_KEY(NULL, "user"),
                            "invalid user %s: use \"NAME\", \"UID\", \"UID:GID\" or \"NAME:GROUP\", e.g. "
                            "\"0\" or \"www-data\"",
                            quote(s, q, sizeof(q)));
        return strdup_to(&p->config->user, s);
}

static int parse_hostname(Parser *p, const JsonValue *o) {
        char q[160];
        const char *s;
        int r;

        r = get_string(p, JP_KEY(NULL, "hostname"), o, "a string", &s);
        if (r < 0)
                return r;
        if (!hostname_is_valid(s))
                return perr(p, JP_KEY(NULL, "hostname"),
                            "invalid hostname %s: use 1–64 of A–Z a–z 0–9 - . not starting or ending with - "
                            "or .",
                            quote(s, q, sizeof(q)));
        return strdup_to(&p->config->hostname, s);
}

static const char *const tmpfs_options[] = {
        "size", "nr_blocks", "nr_inodes", "mode",    "uid",    "gid",
        "huge", "mpol",      "inode32",   "inode64", "noswap",
};

static int check_tmpfs_options(Parser *p, const JPath *path, const char *s) {
        char q[160];

        for (const char *c = s; *c;) {
                size_t l = strcspn(c, ",");
                size_t kl = strcspn(c, "=,");
                char key[32], opt[160];

                snprintf(opt, sizeof(opt), "%.*s", (int)MIN(l, sizeof(opt) - 1), c);
                if (l == 0)
                        return perr(p, path, "empty option in %s: separate options with single commas",
                                    quote(s, q, sizeof(q)));
                if (kl >= sizeof(key) || !strv_in((snprintf(key, sizeof(key), "%.*s", (int)kl, c), key),
                                                  tmpfs_options, ELEMENTSOF(tmpfs_options))) {
                        _cleanup_free_ char *known = NULL;
                        if (join_quoted(tmpfs_options, ELEMENTSOF(tmpfs_options), &known) < 0)
                                return -ENOMEM;
                        return perr(p, path, "unknown tmpfs option %s; known options are %s",
                                    quote(opt, q, sizeof(q)), known);
                }
                if (kl < l) {
                        /* A value: plain characters only, no mount flags smuggled in. */
                        if (kl + 1 == l)
                                return perr(p, path, "option %s has an empty value",
                                            quote(opt, q, sizeof(q)));
                        for (size_t i = kl + 1; i < l; i++) {
                                char ch = c[i];
                                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                                      (ch >= '0' && ch <= '9') || ch == '%' || ch == ':' || ch == '.' ||
                                      ch == '_' || ch == '+' || ch == '-'))
                                        return perr(p, path, "option %s has an invalid value",
                                                    quote(opt, q, sizeof(q)));
                        }
                        if (streq(key, "mode")) {
                                if (l - kl - 1 > 4 || strspn(c + kl + 1, "01234567") < l - kl - 1)
                                        return perr(p, path,
                                                    "option %s: mode must be octal, e.g. \"mode=1777\"",
                                                    quote(opt, q, sizeof(q)));
                        }
                }
                c += l;
                if (*c == ',') {
                        c++;
                        if (!*c)
                                return perr(p, path, "trailing comma in %s", quote(s, q, sizeof(q)));
                }
        }
        return 0;
}

static bool path_is_under(const char *path, const char *prefix) {
        size_t l = strlen(prefix);
        return strncmp(path, prefix, l) == 0 && (path[l] == 0 || path[l] == '/');
}

enum {
        MOUNT_KEY_TYPE,
        MOUNT_KEY_SOURCE,
        MOUNT_KEY_TARGET,
        MOUNT_KEY_READONLY,
        MOUNT_KEY_IDMAP,
        MOUNT_KEY_OPTIONS,
        _MOUNT_KEY_MAX,
};

static const char *const mount_keys[] = {
        [MOUNT_KEY_TYPE] = "type",         [MOUNT_KEY_SOURCE] = "source", [MOUNT_KEY_TARGET] = "target",
        [MOUNT_KEY_READONLY] = "readonly", [MOUNT_KEY_IDMAP] = "idmap",   [MOUNT_KEY_OPTIONS] = "options",
};

static int parse_mount(Parser *p, const JPath *path, const JsonValue *o, MountSpec *m) {
        const JsonValue *f[_MOUNT_KEY_MAX] = {};
        const JPath *jp;
        char q[160];
        const JsonValue *v;
        int r;

        r = want_type(p, path, o, JSON_OBJECT,
                      "an object, e.g. {\"source\": \"/srv/data\", \"target\": \"/data\"}");
        if (r < 0)
                return r;
        r = check_keys(p, path, o, mount_keys, ELEMENTSOF(mount_keys), true, f);
        if (r < 0)
                return r;

        m->type = MOUNT_BIND;
        m->idmap = true;
        if ((v = f[MOUNT_KEY_TYPE])) {
                static const char *const types[] = {"bind", "tmpfs"};
                const char *s;
                jp = JP_KEY(path, "type");
                r = get_string(p, jp, v, "\"bind\" or \"tmpfs\"", &s);
                if (r < 0)
                        return r;
                if (streq(s, "tmpfs"))
                        m->type = MOUNT_TMPFS;
                else if (!streq(s, "bind")) {
                        const char *g = closest(s, types, ELEMENTSOF(types));
                        if (g)
                                return perr(p, jp, "unknown type %s, did you mean \"%s\"?",
                                            quote(s, q, sizeof(q)), g);
                        return perr(p, jp, "unknown type %s: must be \"bind\" or \"tmpfs\"",
                                    quote(s, q, sizeof(q)));
                }
        }

        jp = JP_KEY(path, "target");
        if (!(v = f[MOUNT_KEY_TARGET]))
                return perr(p, jp, "required: where to mount inside the container, e.g. \"/data\"");
        r = get_abs_path(p, jp, v, "/data", &m->target);
        if (r < 0)
                return r;
        if (streq(m->target, "/"))
                return perr(p, jp, "must not be \"/\": the container's root is \"rootfs\"");
        if (path_is_under(m->target, "/proc") || path_is_under(m->target, "/sys"))
                return perr(
                        p, jp,
                        "must not be on /proc or /sys: the runtime mounts those (and masks parts of them)");

        if (m->type == MOUNT_BIND) {
                if ((v = f[MOUNT_KEY_OPTIONS]))
                        return perr(p, JP_KEY(path, "options"), "only for \"type\": \"tmpfs\"; remove it");
                if (!(v = f[MOUNT_KEY_SOURCE]))
                        return perr(p, JP_KEY(path, "source"),
                                    "required for a bind mount: the host path, e.g. \"/srv/data\"");
                r = get_abs_path(p, JP_KEY(path, "source"), v, "/srv/data", &m->source);
                if (r < 0)
                        return r;
                if ((v = f[MOUNT_KEY_IDMAP])) {
                        r = get_bool(p, JP_KEY(path, "idmap"), v, &m->idmap);
                        if (r < 0)
                                return r;
                }
        } else {
                if ((v = f[MOUNT_KEY_SOURCE]))
                        return perr(p, JP_KEY(path, "source"), "not used by \"type\": \"tmpfs\"; remove it");
                if ((v = f[MOUNT_KEY_IDMAP]))
                        return perr(p, JP_KEY(path, "idmap"), "only for bind mounts; remove it");
                m->idmap = false;
                if ((v = f[MOUNT_KEY_OPTIONS])) {
                        const char *s;
                        jp = JP_KEY(path, "options");
                        r = get_string(p, jp, v, "a string of tmpfs options, e.g. \"size=64m,mode=1777\"",
                                       &s);
                        if (r < 0)
                                return r;
                        r = check_tmpfs_options(p, jp, s);
                        if (r < 0)
                                return r;
                        if (*s) {
                                r = strdup_to(&m->options, s);
                                if (r < 0)
                                        return r;
                        }
                }
        }

        if ((v = f[MOUNT_KEY_READONLY])) {
                r = get_bool(p, JP_KEY(path, "readonly"), v, &m->readonly);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_mounts(Parser *p, const JsonValue *o) {
        const JPath *path = JP_KEY(NULL, "mounts");
        Config *c = p->config;
        char q[160];
        size_t n, i = 0;
        int r;

        r = want_type(p, path, o, JSON_ARRAY, "an array of objects");
        if (r < 0)
                return r;
        n = o->n;
        if (n > CONFIG_MOUNTS_MAX)
                return perr(p, path, "more than %d mounts", CONFIG_MOUNTS_MAX);
        if (n == 0)
                return 0;

        c->mounts = calloc(n, sizeof(MountSpec));
        if (!c->mounts)
                return -ENOMEM;
        JSON_FOREACH(e, o) {
                const JPath *jp = JP_INDEX(path, i);
                c->n_mounts = i + 1; /* so config_free() frees what a failed entry holds */
                r = parse_mount(p, jp, e, &c->mounts[i]);
                if (r < 0)
                        return r;
                for (size_t j = 0; j < i; j++)
                        if (streq(c->mounts[j].target, c->mounts[i].target))
                                return perr(p, JP_KEY(jp, "target"),
                                            "%s is already the target of mounts[%zu]",
                                            quote(c->mounts[i].target, q, sizeof(q)), j);
                i++;
        }
        return 0;
}

static const char *const namespace_keys[] = {"net", "ipc", "uts", "pid", "user", "cgroup"};

static int parse_namespaces(Parser *p, const JsonValue *o) {
        const JsonValue *f[ELEMENTSOF(namespace_keys)] = {};
        Namespaces *ns = &p->config->namespaces;
        bool *fields[] = {&ns->net, &ns->ipc, &ns->uts, &ns->pid, &ns->user, &ns->cgroup};
        const JPath *path = JP_KEY(NULL, "namespaces");
        const JsonValue *v;
        int r;

        r = want_type(p, JP_KEY(NULL, "namespaces"), o, JSON_OBJECT,
                      "an object of booleans, e.g. {\"net\": false}");
        if (r < 0)
                return r;
        if ((v = json_member(o, "mount")) || (v = json_member(o, "mnt")))
                return perr(p, JP_KEY(path, json_member(o, "mount") ? "mount" : "mnt"),
                            "the mount namespace is always new; remove this key");
        r = check_keys(p, path, o, namespace_keys, ELEMENTSOF(namespace_keys), true, f);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(namespace_keys); i++)
                if ((v = f[i])) {
                        r = get_bool(p, JP_KEY(path, namespace_keys[i]), v, fields[i]);
                        if (r < 0)
                                return r;
                        if (i == 0)
                                p->net_given = true;
                }
        return 0;
}

enum {
        USERNS_KEY_BASE,
        USERNS_KEY_SIZE,
        USERNS_KEY_OWNERSHIP,
        _USERNS_KEY_MAX,
};

static const char *const userns_keys[] = {
        [USERNS_KEY_BASE] = "base",
        [USERNS_KEY_SIZE] = "size",
        [USERNS_KEY_OWNERSHIP] = "ownership",
};

static int parse_user_namespace(Parser *p, const JsonValue *o) {
        const JsonValue *f[_USERNS_KEY_MAX] = {};
        UserNamespace *u = &p->config->user_namespace;
        char q[160];
        const JsonValue *v;
        int r;

        r = want_type(p, JP_KEY(NULL, "user_namespace"), o, JSON_OBJECT,
                      "an object, e.g. {\"base\": \"auto\", \"size\": 65536, \"ownership\": \"idmap\"}");
        if (r < 0)
                return r;
        r = check_keys(p, JP_KEY(NULL, "user_namespace"), o, userns_keys, ELEMENTSOF(userns_keys), true, f);
        if (r < 0)
                return r;

        if ((v = f[USERNS_KEY_SIZE])) {
                uint64_t size;
                r = get_uint(p, JP_KEY(JP_KEY(NULL, "user_namespace"), "size"), v, 1, UINT32_MAX - 1,
                             "a number from 1 to 4294967294, e.g. 65536", &size);
                if (r < 0)
                        return r;
                u->size = (uint32_t)size;
        }
        if ((v = f[USERNS_KEY_BASE])) {
                if (v->type == JSON_STRING) {
                        const char *s = v->string;
                        if (!streq(s, "auto"))
                                return perr(p, JP_KEY(JP_KEY(NULL, "user_namespace"), "base"),
                                            "must be \"auto\" or a number (the first host uid of the "
                                            "range), not %s",
                                            quote(s, q, sizeof(q)));
                        u->base_auto = true;
                } else {
                        uint64_t base;
                        r = get_uint(p, JP_KEY(JP_KEY(NULL, "user_namespace"), "base"), v, 1, UINT32_MAX - 1,
                                     "\"auto\" or a number from 1 to 4294967294 (the first host uid of the "
                                     "range)",
                                     &base);
                        if (r < 0)
                                return r;
                        /* The range [base, base+size) must not reach (uid_t) -1. */
                        if (base + u->size > UINT32_MAX)
                                return perr(p, JP_KEY(NULL, "user_namespace"),
                                            "base %llu + size %u is beyond the last uid 4294967294; lower "
                                            "one of them",
                                            (unsigned long long)base, u->size);
                        u->base_auto = false;
                        u->base = (uint32_t)base;
                }
        }
        if ((v = f[USERNS_KEY_OWNERSHIP])) {
                static const char *const values[] = {"idmap", "chown"};
                const char *s;
                r = get_string(p, JP_KEY(JP_KEY(NULL, "user_namespace"), "ownership"), v,
                               "\"idmap\" or \"chown\"", &s);
                if (r < 0)
                        return r;
                if (streq(s, "idmap"))
                        u->ownership = OWNERSHIP_IDMAP;
                else if (streq(s, "chown"))
                        u->ownership = OWNERSHIP_CHOWN;
                else {
                        const char *g = closest(s, values, ELEMENTSOF(values));
                        if (g)
                                return perr(p, JP_KEY(JP_KEY(NULL, "user_namespace"), "ownership"),
                                            "unknown value %s, did you mean \"%s\"?", quote(s, q, sizeof(q)),
                                            g);
                        return perr(p, JP_KEY(JP_KEY(NULL, "user_namespace"), "ownership"),
                                    "must be \"idmap\" or \"chown\", not %s", quote(s, q, sizeof(q)));
                }
        }
        return 0;
}

enum {
        NETWORK_KEY_MODE,
        NETWORK_KEY_BRIDGE,
        NETWORK_KEY_ADDRESS,
        NETWORK_KEY_GATEWAY,
        NETWORK_KEY_MTU,
        _NETWORK_KEY_MAX,
};

static const char *const network_keys[] = {
        [NETWORK_KEY_MODE] = "mode",       [NETWORK_KEY_BRIDGE] = "bridge",
        [NETWORK_KEY_ADDRESS] = "address", [NETWORK_KEY_GATEWAY] = "gateway",
        [NETWORK_KEY_MTU] = "mtu",
};

static int parse_network(Parser *p, const JsonValue *o) {
        const JsonValue *f[_NETWORK_KEY_MAX] = {};
        Network *n = &p->config->network;
        char q[160];
        const JsonValue *v;
        int r;

        r = want_type(p, JP_KEY(NULL, "network"), o, JSON_OBJECT, "an object, e.g. {\"mode\": \"veth\"}");
        if (r < 0)
                return r;
        r = check_keys(p, JP_KEY(NULL, "network"), o, network_keys, ELEMENTSOF(network_keys), true, f);
        if (r < 0)
                return r;

        if ((v = f[NETWORK_KEY_MODE])) {
                static const char *const modes[] = {"veth", "none", "host"};
                const char *s;
                r = get_string(p, JP_KEY(JP_KEY(NULL, "network"), "mode"), v,
                               "\"veth\", \"none\" or \"host\"", &s);
                if (r < 0)
                        return r;
                if (streq(s, "veth"))
                        n->mode = NETWORK_VETH;
                else if (streq(s, "none"))
                        n->mode = NETWORK_NONE;
                else if (streq(s, "host"))
                        n->mode = NETWORK_HOST;
                else {
                        const char *g = closest(s, modes, ELEMENTSOF(modes));
                        if (g)
                                return perr(p, JP_KEY(JP_KEY(NULL, "network"), "mode"),
                                            "unknown mode %s, did you mean \"%s\"?", quote(s, q, sizeof(q)),
                                            g);
                        return perr(p, JP_KEY(JP_KEY(NULL, "network"), "mode"),
                                    "must be \"veth\", \"none\" or \"host\", not %s",
                                    quote(s, q, sizeof(q)));
                }
                p->mode_given = true;
        }

        /* The veth settings mean nothing in the other modes: say so rather than ignore. */
        for (size_t i = 1; i < ELEMENTSOF(network_keys); i++)
                if (n->mode != NETWORK_VETH && (v = f[i])) {
                        return perr(p, JP_KEY(JP_KEY(NULL, "network"), network_keys[i]),
                                    "only with \"mode\": \"veth\"; remove it");
                }

        if ((v = f[NETWORK_KEY_BRIDGE])) {
                const char *s;
                r = get_string(p, JP_KEY(JP_KEY(NULL, "network"), "bridge"), v,
                               "a string (an interface name)", &s);
                if (r < 0)
                        return r;
                if (!ifname_is_valid(s))
                        return perr(p, JP_KEY(JP_KEY(NULL, "network"), "bridge"),
                                    "invalid interface name %s: use 1–15 characters, no spaces, \"/\", "
                                    "\":\" or \"%%\"",
                                    quote(s, q, sizeof(q)));
                r = strdup_to(&n->bridge, s);
                if (r < 0)
                        return r;
        }
        if ((v = f[NETWORK_KEY_ADDRESS])) {
                const char *s;
                r = get_string(p, JP_KEY(JP_KEY(NULL, "network"), "address"), v,
                               "a string (\"auto\" or an address with prefix length)", &s);
                if (r < 0)
                        return r;
                if (!streq(s, "auto")) {
                        if (!cidr_is_valid(s))
                                return perr(p, JP_KEY(JP_KEY(NULL, "network"), "address"),
                                            "must be \"auto\" or an address with prefix length, e.g. "
                                            "\"10.77.0.5/16\", not %s",
                                            quote(s, q, sizeof(q)));
                        r = strdup_to(&n->address, s);
                        if (r < 0)
                                return r;
                }
        }
        if ((v = f[NETWORK_KEY_GATEWAY])) {
                const char *s;
                r = get_string(p, JP_KEY(JP_KEY(NULL, "network"), "gateway"), v,
                               "a string (\"auto\" or an address)", &s);
                if (r < 0)
                        return r;
                if (!streq(s, "auto")) {
                        if (!address_is_valid(s))
                                return perr(p, JP_KEY(JP_KEY(NULL, "network"), "gateway"),
                                            "must be \"auto\" or an address, e.g. \"10.77.0.1\", not %s",
                                            quote(s, q, sizeof(q)));
                        r = strdup_to(&n->gateway, s);
                        if (r < 0)
                                return r;
                }
        }
        if ((v = f[NETWORK_KEY_MTU])) {
                uint64_t mtu;
                r = get_uint(p, JP_KEY(JP_KEY(NULL, "network"), "mtu"), v, 68, 65535,
                             "a number from 68 to 65535", &mtu);
                if (r < 0)
                        return r;
                n->mtu = (uint32_t)mtu;
        }
        return 0;
}

static int parse_capability_list(Parser *p, const JPath *path, const JsonValue *o, uint64_t *ret) {
        char q[160];
        uint64_t mask = 0;
        size_t i = 0;
        int r;

        r = want_type(p, path, o, JSON_ARRAY, "an array of capability names, e.g. [\"CAP_NET_ADMIN\"]");
        if (r < 0)
                return r;
        JSON_FOREACH(e, o) {
                const JPath *jp = JP_INDEX(path, i++);
                const char *s;
                r = get_string(p, jp, e, "a string (a capability name, e.g. \"CAP_NET_ADMIN\")", &s);
                if (r < 0)
                        return r;
                int cap = s[0] >= '0' && s[0] <= '9' ? -EINVAL : capability_from_string(s);
                if (cap < 0) {
                        const char *names[64] = {};
                        const char *bare = strncasecmp(s, "CAP_", 4) == 0 ? s + 4 : s;
                        for (int k = 0; k <= capability_last() && k < 64; k++)
                                names[k] = capability_to_string(k) + 4;
                        const char *g = closest(bare, names, ELEMENTSOF(names));
                        if (g)
                                return perr(p, jp, "unknown capability %s, did you mean \"CAP_%s\"?",
                                            quote(s, q, sizeof(q)), g);
                        return perr(p, jp, "unknown capability %s (see capabilities(7) for the names)",
                                    quote(s, q, sizeof(q)));
                }
                if (mask & (1ULL << cap))
                        return perr(p, jp, "%s is listed twice", capability_to_string(cap));
                mask |= 1ULL << cap;
        }
        *ret = mask;
        return 0;
}

enum {
        CAPS_KEY_ADD,
        CAPS_KEY_DROP,
        _CAPS_KEY_MAX,
};

static const char *const capabilities_keys[] = {
        [CAPS_KEY_ADD] = "add",
        [CAPS_KEY_DROP] = "drop",
};

static int parse_capabilities(Parser *p, const JsonValue *o) {
        const JsonValue *f[_CAPS_KEY_MAX] = {};
        Config *c = p->config;
        const JsonValue *v;
        int r;

        r = want_type(p, JP_KEY(NULL, "capabilities"), o, JSON_OBJECT,
                      "an object, e.g. {\"add\": [\"CAP_NET_ADMIN\"], \"drop\": [\"CAP_KILL\"]}");
        if (r < 0)
                return r;
        r = check_keys(p, JP_KEY(NULL, "capabilities"), o, capabilities_keys, ELEMENTSOF(capabilities_keys),
                       true, f);
        if (r < 0)
                return r;
        if ((v = f[CAPS_KEY_ADD])) {
                r = parse_capability_list(p, JP_KEY(JP_KEY(NULL, "capabilities"), "add"), v, &c->caps_add);
                if (r < 0)
                        return r;
        }
        if ((v = f[CAPS_KEY_DROP])) {
                r = parse_capability_list(p, JP_KEY(JP_KEY(NULL, "capabilities"), "drop"), v, &c->caps_drop);
                if (r < 0)
                        return r;
        }
        uint64_t both = c->caps_add & c->caps_drop;
        if (both) {
                int cap = __builtin_ctzll(both);
                return perr(p, JP_KEY(NULL, "capabilities"),
                            "%s is in both \"add\" and \"drop\"; remove it from one of them",
                            capability_to_string(cap));
        }
        return 0;
}

/* "123", "1.5" (digits, at most one '.', a digit on each side). Returns the number
 * of characters matched. */
static size_t match_decimal(const char *s) {
        size_t n = strspn(s, "0123456789");
        if (n == 0)
                return 0;
        if (s[n] == '.') {
                size_t f = strspn(s + n + 1, "0123456789");
                if (f == 0)
                        return 0;
                n += 1 + f;
        }
        return n;
}

/* "N%" or "N.N%" with a value in (0, max]; max 0 = unbounded. */
static bool percent_is_valid(const char *s, double max) {
        size_t n = match_decimal(s);
        if (n == 0 || !streq(s + n, "%"))
                return false;
        double v = strtod(s, NULL);
        return v > 0 && (max <= 0 || v <= max);
}

static int parse_resource_bytes(Parser *p, const JPath *path, const JsonValue *o, char **ret) {
        char q[160];

        if (o->type == JSON_INTEGER) {
                int64_t v = o->integer;
                if (v < 0)
                        return perr(p, path, "must not be negative");
                if (asprintf(ret, "%lld", (long long)v) < 0)
                        return -ENOMEM;
                return 0;
        }
        if (o->type == JSON_STRING) {
                const char *s = o->string;
                size_t n = match_decimal(s);
                bool ok = streq(s, "infinity") || percent_is_valid(s, 100) ||
                          (n > 0 && (s[n] == 0 || (strchr("KMGTPE", s[n]) && s[n + 1] == 0)));
                if (ok)
                        return strdup_to(ret, s);
                if (n > 0 && s[n] && strchr("kmgtpe", s[n]) && s[n + 1] == 0)
                        return perr(p, path,
                                    "invalid size %s: systemd wants an upper-case suffix, write \"%.*s%c\"",
                                    quote(s, q, sizeof(q)), (int)n, s, s[n] - 'a' + 'A');
                return perr(p, path,
                            "invalid size %s: write bytes as a number, a size like \"512M\" or \"1G\" "
                            "(suffixes K M G T P E), a percentage like \"50%%\", or \"infinity\"",
                            quote(s, q, sizeof(q)));
        }
        return perr(p, path,
                    "must be a number of bytes or a string like \"512M\", \"50%%\" or \"infinity\", not %s",
                    type_phrase(o));
}

static int parse_resource_weight(Parser *p, const JPath *path, const JsonValue *o, bool allow_idle,
                                 char **ret) {
        const char *what = allow_idle ? "a number from 1 to 10000 or \"idle\"" : "a number from 1 to 10000";
        uint64_t v;
        int r;

        if (o->type == JSON_STRING) {
                const char *s = o->string;
                if (allow_idle && streq(s, "idle"))
                        return strdup_to(ret, s);
                /* "100" in quotes is what the unit file will hold anyway. */
                size_t n = strspn(s, "0123456789");
                if (n > 0 && n <= 5 && s[n] == 0 && s[0] != '0') {
                        v = strtoull(s, NULL, 10);
                        if (v >= 1 && v <= 10000)
                                return strdup_to(ret, s);
                }
                return perr(p, path, "must be %s", what);
        }
        r = get_uint(p, path, o, 1, 10000, what, &v);
        if (r < 0)
                return r;
        if (asprintf(ret, "%llu", (unsigned long long)v) < 0)
                return -ENOMEM;
        return 0;
}

static int parse_cpu_quota(Parser *p, const JPath *path, const JsonValue *o, char **ret) {
        char q[160];
        const char *s;
        int r;

        if (o->type == JSON_INTEGER || o->type == JSON_FRACTION)
                return perr(p, path,
                            "must be a string with a percent sign, e.g. \"50%%\" (100%% is one CPU), not %s",
                            type_phrase(o));
        r = get_string(p, path, o, "a string like \"50%\"", &s);
        if (r < 0)
                return r;
        size_t n = match_decimal(s);
        /* systemd takes at most two decimals (CPUQuota= is in permyriad). */
        const char *dot = strchr(s, '.');
        if (!percent_is_valid(s, 0) || (dot && dot < s + n && (size_t)(s + n - dot - 1) > 2))
                return perr(p, path,
                            "invalid quota %s: write a percentage of one CPU, e.g. \"50%%\" or \"200%%\"",
                            quote(s, q, sizeof(q)));
        return strdup_to(ret, s);
}

static int parse_tasks_max(Parser *p, const JPath *path, const JsonValue *o, char **ret) {
        char q[160];
        uint64_t v;
        int r;

        if (o->type == JSON_STRING) {
                const char *s = o->string;
                size_t n = strspn(s, "0123456789");
                if (streq(s, "infinity") || percent_is_valid(s, 100) ||
                    (n > 0 && n <= 19 && s[n] == 0 && strtoull(s, NULL, 10) > 0))
                        return strdup_to(ret, s);
                return perr(p, path,
                            "invalid value %s: write a number, a percentage like \"10%%\", or \"infinity\"",
                            quote(s, q, sizeof(q)));
        }
        r = get_uint(p, path, o, 1, UINT64_MAX - 1,
                     "a positive number, a percentage like \"10%\", or \"infinity\"", &v);
        if (r < 0)
                return r;
        if (asprintf(ret, "%llu", (unsigned long long)v) < 0)
                return -ENOMEM;
        return 0;
}

enum {
        RESOURCES_KEY_MEMORY_MAX,
        RESOURCES_KEY_MEMORY_HIGH,
        RESOURCES_KEY_CPU_WEIGHT,
        RESOURCES_KEY_CPU_QUOTA,
        RESOURCES_KEY_TASKS_MAX,
        RESOURCES_KEY_IO_WEIGHT,
        _RESOURCES_KEY_MAX,
};

static const char *const resources_keys[] = {
        [RESOURCES_KEY_MEMORY_MAX] = "memory_max", [RESOURCES_KEY_MEMORY_HIGH] = "memory_high",
        [RESOURCES_KEY_CPU_WEIGHT] = "cpu_weight", [RESOURCES_KEY_CPU_QUOTA] = "cpu_quota",
        [RESOURCES_KEY_TASKS_MAX] = "tasks_max",   [RESOURCES_KEY_IO_WEIGHT] = "io_weight",
};

static int parse_resources(Parser *p, const JsonValue *o) {
        const JsonValue *f[_RESOURCES_KEY_MAX] = {};
        Resources *res = &p->config->resources;
        const JsonValue *v;
        int r;

        r = want_type(p, JP_KEY(NULL, "resources"), o, JSON_OBJECT,
                      "an object, e.g. {\"memory_max\": \"512M\"}");
        if (r < 0)
                return r;
        r = check_keys(p, JP_KEY(NULL, "resources"), o, resources_keys, ELEMENTSOF(resources_keys), true, f);
        if (r < 0)
                return r;

        if ((v = f[RESOURCES_KEY_MEMORY_MAX]) &&
            (r = parse_resource_bytes(p, JP_KEY(JP_KEY(NULL, "resources"), "memory_max"), v,
                                      &res->memory_max)) < 0)
                return r;
        if ((v = f[RESOURCES_KEY_MEMORY_HIGH]) &&
            (r = parse_resource_bytes(p, JP_KEY(JP_KEY(NULL, "resources"), "memory_high"), v,
                                      &res->memory_high)) < 0)
                return r;
        if ((v = f[RESOURCES_KEY_CPU_WEIGHT]) &&
            (r = parse_resource_weight(p, JP_KEY(JP_KEY(NULL, "resources"), "cpu_weight"), v, true,
                                       &res->cpu_weight)) < 0)
                return r;
        if ((v = f[RESOURCES_KEY_CPU_QUOTA]) &&
            (r = parse_cpu_quota(p, JP_KEY(JP_KEY(NULL, "resources"), "cpu_quota"), v, &res->cpu_quota)) < 0)
                return r;
        if ((v = f[RESOURCES_KEY_TASKS_MAX]) &&
            (r = parse_tasks_max(p, JP_KEY(JP_KEY(NULL, "resources"), "tasks_max"), v, &res->tasks_max)) < 0)
                return r;
        if ((v = f[RESOURCES_KEY_IO_WEIGHT]) &&
            (r = parse_resource_weight(p, JP_KEY(JP_KEY(NULL, "resources"), "io_weight"), v, false,
                                       &res->io_weight)) < 0)
                return r;
        return 0;
}

static const char *const restart_values[] = {"no",          "on-success", "on-failure", "on-abnormal",
                                             "on-watchdog", "on-abort",   "always"};

static int parse_restart(Parser *p, const JsonValue *o) {
        _cleanup_free_ char *l = NULL;
        char q[160];
        const char *s;
        int r;

        r = get_string(p, JP_KEY(NULL, "restart"), o, "a string, e.g. \"on-failure\"", &s);
        if (r < 0)
                return r;
        if (strv_in(s, restart_values, ELEMENTSOF(restart_values)))
                return strdup_to(&p->config->restart, s);

        const char *g = closest(s, restart_values, ELEMENTSOF(restart_values));
        if (g)
                return perr(p, JP_KEY(NULL, "restart"), "unknown value %s, did you mean \"%s\"?",
                            quote(s, q, sizeof(q)), g);
        if (join_quoted(restart_values, ELEMENTSOF(restart_values), &l) < 0)
                return -ENOMEM;
        return perr(p, JP_KEY(NULL, "restart"), "unknown value %s: must be one of %s",
                    quote(s, q, sizeof(q)), l);
}

#define TIMESPAN_HINT "a time span such as \"10s\", \"1min 30s\" or \"500ms\" (a plain number means seconds)"

static int get_timespan(Parser *p, const JPath *path, const JsonValue *o, bool allow_infinity,
                        uint64_t *ret_usec, char **ret_text) {
        char q[160];
        uint64_t usec;

        if (o->type == JSON_INTEGER) {
                int64_t v = o->integer;
                if (v < 0 || (uint64_t)v > UINT64_MAX / 1000000ULL - 1)
                        return perr(p, path, "must be %s", TIMESPAN_HINT);
                if (ret_usec)
                        *ret_usec = (uint64_t)v * 1000000ULL;
                if (ret_text && asprintf(ret_text, "%llds", (long long)v) < 0)
                        return -ENOMEM;
                return 0;
        }
        if (o->type != JSON_STRING)
                return perr(p, path, "must be %s, not %s", TIMESPAN_HINT, type_phrase(o));

        const char *s = o->string;
        if (parse_timespan(s, &usec) < 0)
                return perr(p, path, "invalid time span %s: write %s", quote(s, q, sizeof(q)),
                            TIMESPAN_HINT);
        if (usec == UINT64_MAX && !allow_infinity)
                return perr(p, path, "must be a finite time span, not \"infinity\"");
        if (ret_usec)
                *ret_usec = usec;
        if (ret_text)
                return strdup_to(ret_text, s);
        return 0;
}

static int parse_stop_signal(Parser *p, const JsonValue *o) {
        char q[160];
        const char *s;
        int r, sig;

        r = get_string(p, JP_KEY(NULL, "stop_signal"), o, "a string (a signal name such as \"SIGTERM\")",
                       &s);
        if (r < 0)
                return r;
        sig = signal_from_string(s);
        if (sig < 0) {
                const char *names[32] = {};
                char storage[32][16];
                _cleanup_free_ char *upper = strdup(s);
                if (!upper)
                        return -ENOMEM;
                for (char *c = upper; *c; c++)
                        if (*c >= 'a' && *c <= 'z')
                                *c = (char)(*c - 'a' + 'A');
                for (int i = 1; i < 32; i++) {
                        const char *n = signal_to_string(i);
                        if (n) {
                                snprintf(storage[i], sizeof(storage[i]), "%s",
                                         strncmp(upper, "SIG", 3) == 0 ? n : n + 3);
                                names[i] = storage[i];
                        }
                }
                const char *g = closest(upper, names, ELEMENTSOF(names));
                if (g)
                        return perr(p, JP_KEY(NULL, "stop_signal"),
                                    "unknown signal %s, did you mean \"%s%s\"?", quote(s, q, sizeof(q)),
                                    strncmp(g, "SIG", 3) == 0 ? "" : "SIG", g);
                return perr(p, JP_KEY(NULL, "stop_signal"),
                            "unknown signal %s: write a name like \"SIGTERM\", \"SIGINT\" or \"SIGRTMIN+3\"",
                            quote(s, q, sizeof(q)));
        }
        p->config->stop_signal = sig;
        p->stop_signal_given = true;
        return 0;
}

static int parse_names(Parser *p, const JPath *path, const JsonValue *o, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        char q[160];
        size_t i = 0;
        int r;

        r = want_type(p, path, o, JSON_ARRAY, "an array of container names, e.g. [\"db\"]");
        if (r < 0)
                return r;
        l = calloc(o->n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        JSON_FOREACH(e, o) {
                const JPath *jp = JP_INDEX(path, i);
                const char *s;
                r = get_string(p, jp, e, "a string (a container name)", &s);
                if (r < 0)
                        return r;
                if (!config_name_is_valid(s)) {
                        char why[160];
                        return perr(p, jp, "invalid container name %s: %s", quote(s, q, sizeof(q)),
                                    config_name_invalid_reason(s, false, why, sizeof(why)));
                }
                if (streq(s, p->config->name))
                        return perr(p, jp, "%s is this container itself", quote(s, q, sizeof(q)));
                if (strv_contains(l, s))
                        return perr(p, jp, "%s is listed twice", quote(s, q, sizeof(q)));
                l[i] = strdup(s);
                if (!l[i])
                        return -ENOMEM;
                i++;
        }
        /* An empty list is an empty strv, as before: NULL. */
        strv_free(*ret);
        *ret = i > 0 ? TAKE_PTR(l) : NULL;
        return 0;
}

enum {
        KEY_ROOTFS,
        KEY_COMMAND,
        KEY_BOOT,
        KEY_ENV,
        KEY_USER,
        KEY_WORKDIR,
        KEY_HOSTNAME,
        KEY_READONLY,
        KEY_INIT,
        KEY_MOUNTS,
        KEY_NAMESPACES,
        KEY_USER_NAMESPACE,
        KEY_NETWORK,
        KEY_CAPABILITIES,
        KEY_NO_NEW_PRIVILEGES,
        KEY_SECCOMP,
        KEY_RESOURCES,
        KEY_RESTART,
        KEY_RESTART_SEC,
        KEY_STOP_SIGNAL,
        KEY_STOP_TIMEOUT,
        KEY_AUTOSTART,
        KEY_AFTER,
        KEY_REQUIRES,
        KEY_WANTS,
        _KEY_MAX,
};

static const char *const top_keys[] = {
        [KEY_ROOTFS] = "rootfs",
        [KEY_COMMAND] = "command",
        [KEY_BOOT] = "boot",
        [KEY_ENV] = "env",
        [KEY_USER] = "user",
        [KEY_WORKDIR] = "workdir",
        [KEY_HOSTNAME] = "hostname",
        [KEY_READONLY] = "readonly",
        [KEY_INIT] = "init",
        [KEY_MOUNTS] = "mounts",
        [KEY_NAMESPACES] = "namespaces",
        [KEY_USER_NAMESPACE] = "user_namespace",
        [KEY_NETWORK] = "network",
        [KEY_CAPABILITIES] = "capabilities",
        [KEY_NO_NEW_PRIVILEGES] = "no_new_privileges",
        [KEY_SECCOMP] = "seccomp",
        [KEY_RESOURCES] = "resources",
        [KEY_RESTART] = "restart",
        [KEY_RESTART_SEC] = "restart_sec",
        [KEY_STOP_SIGNAL] = "stop_signal",
        [KEY_STOP_TIMEOUT] = "stop_timeout",
        [KEY_AUTOSTART] = "autostart",
        [KEY_AFTER] = "after",
        [KEY_REQUIRES] = "requires",
        [KEY_WANTS] = "wants",
};

static int parse_root(Parser *p, const JsonValue *root) {
        const JsonValue *f[_KEY_MAX] = {};
        Config *c = p->config;
        const JsonValue *v;
        char q[160];
        int r;

        if (root->type != JSON_OBJECT)
                return perr(p, NULL,
                            "the top level must be a JSON object ({ \"rootfs\": ..., ... }), not %s",
                            type_phrase(root));
        r = check_keys(p, NULL, root, top_keys, ELEMENTSOF(top_keys), false, f);
        if (r < 0)
                return r;

        if ((v = f[KEY_ROOTFS])) {
                r = get_abs_path(p, JP_KEY(NULL, "rootfs"), v, "/var/lib/machines/web", &c->rootfs);
                if (r < 0)
                        return r;
        } else
                return perr(p, JP_KEY(NULL, "rootfs"),
                            "required: the directory holding the container's root filesystem, e.g. "
                            "\"/var/lib/machines/%s\"",
                            c->name);

        if ((v = f[KEY_BOOT]) && (r = get_bool(p, JP_KEY(NULL, "boot"), v, &c->boot)) < 0)
                return r;
        if ((v = f[KEY_COMMAND])) {
                r = parse_command(p, v);
                if (r < 0)
                        return r;
        } else if (!c->boot)
                return perr(p, JP_KEY(NULL, "command"),
                            "required unless \"boot\" is true, e.g. [\"/bin/sh\", \"-c\", \"echo hello\"]");

        if ((v = f[KEY_ENV]) && (r = parse_env(p, v)) < 0)
                return r;
        if ((v = f[KEY_USER]) && (r = parse_user(p, v)) < 0)
                return r;
        if ((v = f[KEY_WORKDIR]) &&
            (r = get_abs_path(p, JP_KEY(NULL, "workdir"), v, "/srv", &c->workdir)) < 0)
                return r;
        if ((v = f[KEY_HOSTNAME])) {
                r = parse_hostname(p, v);
                if (r < 0)
                        return r;
        } else {
                r = hostname_from_name(c->name, &c->hostname);
                if (r < 0)
                        return r;
        }
        if ((v = f[KEY_READONLY]) && (r = get_bool(p, JP_KEY(NULL, "readonly"), v, &c->readonly)) < 0)
                return r;
        if ((v = f[KEY_INIT]) && (r = get_bool(p, JP_KEY(NULL, "init"), v, &c->init)) < 0)
                return r;
        if ((v = f[KEY_MOUNTS]) && (r = parse_mounts(p, v)) < 0)
                return r;
        if ((v = f[KEY_NAMESPACES]) && (r = parse_namespaces(p, v)) < 0)
                return r;
        if ((v = f[KEY_USER_NAMESPACE])) {
                r = parse_user_namespace(p, v);
                if (r < 0)
                        return r;
                if (!c->namespaces.user)
                        return perr(p, JP_KEY(NULL, "user_namespace"),
                                    "set, but \"namespaces\": {\"user\": false} turns the user namespace "
                                    "off; remove one of them");
        }
        if ((v = f[KEY_NETWORK]) && (r = parse_network(p, v)) < 0)
                return r;
        if ((v = f[KEY_CAPABILITIES]) && (r = parse_capabilities(p, v)) < 0)
                return r;
        if ((v = f[KEY_NO_NEW_PRIVILEGES]) &&
            (r = get_bool(p, JP_KEY(NULL, "no_new_privileges"), v, &c->no_new_privileges)) < 0)
                return r;
        if ((v = f[KEY_SECCOMP]) && (r = get_bool(p, JP_KEY(NULL, "seccomp"), v, &c->seccomp)) < 0)
                return r;
        if ((v = f[KEY_RESOURCES]) && (r = parse_resources(p, v)) < 0)
                return r;
        if ((v = f[KEY_RESTART]) && (r = parse_restart(p, v)) < 0)
                return r;
        if ((v = f[KEY_RESTART_SEC]) &&
            (r = get_timespan(p, JP_KEY(NULL, "restart_sec"), v, false, NULL, &c->restart_sec)) < 0)
                return r;
        if ((v = f[KEY_STOP_SIGNAL]) && (r = parse_stop_signal(p, v)) < 0)
                return r;
        if ((v = f[KEY_STOP_TIMEOUT]) &&
            (r = get_timespan(p, JP_KEY(NULL, "stop_timeout"), v, true, &c->stop_timeout_usec, NULL)) < 0)
                return r;
        if ((v = f[KEY_AUTOSTART]) && (r = get_bool(p, JP_KEY(NULL, "autostart"), v, &c->autostart)) < 0)
                return r;
        if ((v = f[KEY_AFTER]) && (r = parse_names(p, JP_KEY(NULL, "after"), v, &c->after)) < 0)
                return r;
        if ((v = f[KEY_REQUIRES]) && (r = parse_names(p, JP_KEY(NULL, "requires"), v, &c->requires)) < 0)
                return r;
        if ((v = f[KEY_WANTS]) && (r = parse_names(p, JP_KEY(NULL, "wants"), v, &c->wants)) < 0)
                return r;

        /* Combinations. */
        if (c->boot && c->init)
                return perr(p, JP_KEY(NULL, "init"),
                            "cannot be combined with \"boot\": true (the booted init is PID 1 itself)");
        if (c->boot && !c->namespaces.pid)
                return perr(p, JP_KEY(JP_KEY(NULL, "namespaces"), "pid"),
                            "must not be false with \"boot\": true (the init system must run as PID 1)");
        if (c->network.mode == NETWORK_HOST) {
                if (p->net_given && c->namespaces.net)
                        return perr(p, JP_KEY(JP_KEY(NULL, "namespaces"), "net"),
                                    "is true, but \"network\": {\"mode\": \"host\"} uses the host's network "
                                    "namespace; remove one of them");
                c->namespaces.net = false;
        } else if (!c->namespaces.net) {
                if (p->mode_given)
                        return perr(p, JP_KEY(JP_KEY(NULL, "network"), "mode"),
                                    "is %s, but \"namespaces\": {\"net\": false} means no network "
                                    "namespace; use \"mode\": \"host\" or remove \"net\": false",
                                    quote(c->network.mode == NETWORK_VETH ? "veth" : "none", q, sizeof(q)));
                c->network.mode = NETWORK_HOST;
        }
        /* systemd as PID 1 of a container stops on SIGRTMIN+3 (its container interface). */
        if (c->boot && !p->stop_signal_given)
                c->stop_signal = SIGRTMIN + 3;
        return 0;
}

static const char *path_basename(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

static int parse_text(Parser *p, const char *name, const char *path, const char *text, size_t size,
                      Config **ret) {
        _cleanup_config_free_ Config *c = NULL;
        _cleanup_(json_tree_done) JsonTree tree = {};
        int r;

        if (!config_name_is_valid(name)) {
                char q[160], why[160];
                return perr(p, NULL, "invalid container name %s: %s", quote(name, q, sizeof(q)),
                            config_name_invalid_reason(name, true, why, sizeof(why)));
        }
        if (size == 0)
                return perr(p, NULL, "empty file (an empty file masks the container); write a JSON object");

        r = json_parse(p->file, text, size, &tree, &p->error);
        if (r < 0)
                return r;

        c = config_new(name, path);
        if (!c)
                return -ENOMEM;
        p->config = c;

        r = parse_root(p, &tree.values[0]);
        if (r < 0)
                return r;

        qsort(c->env, strv_length(c->env), sizeof(char *), env_compare);
        *ret = TAKE_PTR(c);
        return 0;
}

int config_parse(const char *name, const char *path, const char *text, size_t size, Config **ret,
                 char **ret_error) {
        _cleanup_free_ char *file = NULL;
        Parser p = {};
        int r;

        assert(name && text && ret);

        if (path)
                file = strdup(path_basename(path));
        else if (asprintf(&file, "%s.json", name) < 0)
                file = NULL;
        if (!file)
                return -ENOMEM;
        p.file = file;

        r = parse_text(&p, name, path, text, size, ret);
        if (r < 0 && ret_error)
                *ret_error = TAKE_PTR(p.error);
        free(p.error);
        return r;
}

static int load_error(const char *file, char **ret_error, int r, const char *fmt, ...) _printf_(4, 5);
static int load_error(const char *file, char **ret_error, int r, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, fmt);
        int k = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        if (ret_error && asprintf(ret_error, "%s: %s", file, msg) < 0)
                return -ENOMEM;
        return r;
}

static const char *file_type_phrase(mode_t m) {
        if (S_ISFIFO(m))
                return "a FIFO";
        if (S_ISSOCK(m))
                return "a socket";
        if (S_ISCHR(m))
                return "a character device";
        if (S_ISBLK(m))
                return "a block device";
        return "not a regular file";
}

int config_load_file(const char *path, const char *name, Config **ret, char **ret_error) {
        _cleanup_free_ char *derived = NULL, *text = NULL;
        const char *file;
        char q[160];
        size_t size;
        struct stat st;
        int r;

        assert(path && ret);

        file = path_basename(path);
        if (!name) {
                size_t l = strlen(file);
                if (l < STRLEN(".json") || !streq(file + l - STRLEN(".json"), ".json"))
                        return load_error(file, ret_error, -EINVAL, "file name must be NAME.json");
                derived = strndup(file, l - STRLEN(".json"));
                if (!derived)
                        return -ENOMEM;
                name = derived;
        }
        if (!config_name_is_valid(name)) {
                char why[160];
                return load_error(file, ret_error, -EINVAL, "invalid container name %s: %s",
                                  quote(name, q, sizeof(q)),
                                  config_name_invalid_reason(name, true, why, sizeof(why)));
        }

        r = read_full_file_at(AT_FDCWD, path, CONFIG_FILE_SIZE_MAX, &text, &size);
        switch (r) {
        case 0:
                break;
        case -ENOENT:
                return load_error(file, ret_error, r, "no such file");
        case -EACCES:
        case -EPERM:
                return load_error(file, ret_error, r, "cannot read: permission denied");
        case -EISDIR:
                return load_error(file, ret_error, r, "is a directory, not a config file");
        case -ELOOP:
                return load_error(file, ret_error, r, "too many levels of symbolic links (a symlink loop?)");
        case -ENOTDIR:
                return load_error(file, ret_error, r, "a component of the path is not a directory");
        case -EFBIG:
                if (stat(path, &st) >= 0)
                        return load_error(file, ret_error, r,
                                          "file too large (%llu bytes): a config may be at most %d bytes",
                                          (unsigned long long)st.st_size, CONFIG_FILE_SIZE_MAX);
                return load_error(file, ret_error, r, "file too large: a config may be at most %d bytes",
                                  CONFIG_FILE_SIZE_MAX);
        case -ENXIO: /* open(2) of a socket */
        case -EBADFD:
                if (stat(path, &st) >= 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3))
                        return load_error(file, ret_error, -ERFKILL, "masked (a symlink to /dev/null)");
                if (stat(path, &st) >= 0)
                        return load_error(file, ret_error, r, "is %s, not a regular file",
                                          file_type_phrase(st.st_mode));
                return load_error(file, ret_error, r, "not a regular file");
        default:
                if (r < 0)
                        return load_error(file, ret_error, r, "cannot read: %s", strerror(-r));
        }

        if (size == 0)
                return load_error(file, ret_error, -ERFKILL, "masked (an empty file)");

        return config_parse(name, path, text, size, ret, ret_error);
}
