/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <json-c/json.h>
#include <string.h>
#include <syslog.h>

#include "config-set.h"
#include "log.h"
#include "nscontain.h"
#include "preflight.h"
#include "strv.h"

/* Exit status when nothing is wrong but something deserves a look (nscontain(1)). */
#define EXIT_WARNINGS 3

static void help(void) {
        printf("nscontain validate [OPTIONS...] [FILE...]\n\n"
               "Checks container configs as nscontain-generator and the helper do: every\n"
               "file's verdict on its own line, \"NAME.json: ok\" or the error. Without FILE,\n"
               "checks every config on the search path. Where a config's rootfs is here (or its\n"
               "image imported), also what its start would find wrong: the env files, the\n"
               "command in the image's PATH, the user in its passwd, the workdir, the bind\n"
               "sources, idmapped mounts, in the words the start uses. A dependency through\n"
               "\"requires\" on a container without a valid config and an ordering cycle are\n"
               "errors; \"after\" and \"wants\" on one are warnings, and so is a host port that\n"
               "another config publishes too (an error when both start at boot).\n\n"
               "  -h --help    Show this help\n"
               "  -q --quiet   Print errors and warnings only\n"
               "     --json    Print the findings as JSON (file, path, severity, message)\n"
               "     --strict  Treat warnings as errors\n\n"
               "Exit status: 0 when every file is valid, 1 on an error, 3 on warnings only,\n"
               "2 on a usage error.\n");
}

typedef struct Finding {
        int level;  /* LOG_ERR, LOG_WARNING, LOG_INFO */
        char *path; /* JSON path, or NULL */
        char *text; /* the message, after FILE: and PATH: */
        char *line; /* the whole line, as the generator logs it */
} Finding;

/* What the config set reported, by the entry's 'order' (the position of its FILE, or
 * on the search path), so that each file's lines are printed together, in order. */
typedef struct FileReport {
        char *file; /* as given or found */
        Finding *findings;
        size_t n_findings;
        size_t errors, warnings;
        bool skipped;     /* rootfs not here: not checked against the image */
        char *skip_image; /* why an image was not checked */
        char *notice;     /* e.g. why a FILE is masked */
} FileReport;

typedef struct Reports {
        FileReport *files;
        size_t n_files;
        Finding *general; /* not about one file: ordering cycles */
        size_t n_general;
        bool oom;
} Reports;

static void findings_free(Finding *f, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(f[i].path);
                free(f[i].text);
                free(f[i].line);
        }
        free(f);
}

static void reports_done(Reports *r) {
        for (size_t i = 0; i < r->n_files; i++) {
                findings_free(r->files[i].findings, r->files[i].n_findings);
                free(r->files[i].file);
                free(r->files[i].notice);
                free(r->files[i].skip_image);
        }
        free(r->files);
        findings_free(r->general, r->n_general);
}

static FileReport *reports_file(Reports *r, size_t order) {
        if (order >= r->n_files) {
                FileReport *f = reallocarray(r->files, order + 1, sizeof(FileReport));
                if (!f)
                        return NULL;
                memset(f + r->n_files, 0, (order + 1 - r->n_files) * sizeof(FileReport));
                r->files = f;
                r->n_files = order + 1;
        }
        return &r->files[order];
}

static const char *base_name(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

/* Length of the JSON path at the start of s when ": " follows it ("mounts[1].source",
 * "env[\"A=B\"]", as lib/json-check.c writes them), else 0. */
static size_t jpath_prefix(const char *s) {
        const char *p = s;

        while (*p) {
                if (*p == '[' && p[1] == '"') {
                        p += 2;
                        while (*p && *p != '"')
                                p += *p == '\\' && p[1] ? 2 : 1;
                        if (p[0] != '"' || p[1] != ']')
                                return 0;
                        p += 2;
                } else if (*p == '[') {
                        const char *d = ++p;
                        p += strspn(p, "0123456789");
                        if (p == d || *p != ']')
                                return 0;
                        p++;
                } else {
                        if (p != s && *p++ != '.')
                                return 0;
                        size_t n = strspn(
                                p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
                        if (n == 0)
                                return 0;
                        p += n;
                }
                if (p[0] == ':' && p[1] == ' ')
                        return (size_t)(p - s);
        }
        return 0;
}

/* Splits a message about 'file' ("web.json: user: TEXT", "web.json: TEXT", "TEXT") into
 * its JSON path and text. */
static int finding_make(int level, const char *file, const char *text, Finding *ret) {
        size_t fl = file ? strlen(file) : 0, pl;

        if (fl > 0 && strncmp(text, file, fl) == 0 && text[fl] == ':')
                text += fl + (text[fl + 1] == ' ' ? 2 : 1);
        pl = jpath_prefix(text);
        *ret = (Finding){.level = level};
        if (pl > 0) {
                ret->path = strndup(text, pl);
                if (!ret->path)
                        return -ENOMEM;
                text += pl + 2;
        }
        ret->text = strdup(text);
        return ret->text ? 0 : -ENOMEM;
}

static int findings_add(Finding **f, size_t *n, int level, const char *file, const char *prefix,
                        const char *text) {
        Finding *a = reallocarray(*f, *n + 1, sizeof(Finding));
        if (!a)
                return -ENOMEM;
        *f = a;
        if (finding_make(level, file, text, &a[*n]) < 0 ||
            asprintf(&a[*n].line, "%s%s%s%s", prefix ?: "", prefix ? ": " : "",
                     level == LOG_WARNING ? "warning: " : "", text) < 0) {
                free(a[*n].path);
                free(a[*n].text);
                return -ENOMEM;
        }
        (*n)++;
        return 0;
}

static void collect(int level, const ConfigSetEntry *e, const char *file, const char *text, void *userdata) {
        Reports *r = userdata;
        FileReport *f;

        if (level == LOG_DEBUG) /* "is masked, skipping": the verdict line says so */
                return;
        if (!e) {
                if (findings_add(&r->general, &r->n_general, level, NULL, NULL, text) < 0)
                        r->oom = true;
                return;
        }
        f = reports_file(r, e->order);
        if (!f) {
                r->oom = true;
                return;
        }
        if (!f->file && e->path && !(f->file = strdup(e->path)))
                r->oom = true;
        if (level == LOG_NOTICE) {
                free(f->notice);
                f->notice = strdup(text);
                return;
        }
        if (level == LOG_INFO) {
                const char *t = text, *end;
                f->skipped = true;
                /* "web.json: image: WHY; the checks against the image were skipped" */
                if (file && strncmp(t, file, strlen(file)) == 0 && t[strlen(file)] == ':')
                        t += strlen(file) + 2;
                if (strncmp(t, "image: ", 7) == 0 && !f->skip_image) {
                        t += 7;
                        end = strstr(t, "; the checks against the image were skipped");
                        f->skip_image = strndup(t, end ? (size_t)(end - t) : strlen(t));
                        if (!f->skip_image)
                                r->oom = true;
                }
        } else if (level == LOG_WARNING)
                f->warnings++;
        else
                f->errors++;
        /* Load errors carry the file name (base name, or the path as given). */
        /* Load errors carry the file name already (the base name, or the path as given:
         * "PATH: container 'x' is already defined by …"). */
        const char *named = file;
        if (!named && e->path)
                named = strncmp(text, e->path, strlen(e->path)) == 0 ? e->path : base_name(e->path);
        if (findings_add(&f->findings, &f->n_findings, level, named, file, text) < 0)
                r->oom = true;
}

static const char *severity_name(int level) {
        return level <= LOG_ERR ? "error" : level == LOG_WARNING ? "warning" : "info";
}

static json_object *json_finding(const char *file, const Finding *f) {
        json_object *o = json_object_new_object();

        if (!o)
                return NULL;
        json_object_object_add(o, "file", file ? json_object_new_string(file) : NULL);
        json_object_object_add(o, "path", f->path ? json_object_new_string(f->path) : NULL);
        json_object_object_add(o, "severity", json_object_new_string(severity_name(f->level)));
        json_object_object_add(o, "message", json_object_new_string(f->text));
        return o;
}

static const char *entry_status(const ConfigSetEntry *e, const FileReport *f) {
        if (!e || e->state == CONFIG_INVALID || (f && f->errors > 0))
                return "invalid";
        if (e->state == CONFIG_MASKED)
                return "masked";
        return f && f->warnings > 0 ? "warnings" : "ok";
}

int verb_validate(int argc, char *argv[]) {
        enum { ARG_JSON = ARG_VERB_FIRST, ARG_STRICT };
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"quiet", no_argument, NULL, 'q'},
                {"json", no_argument, NULL, ARG_JSON},
                {"strict", no_argument, NULL, ARG_STRICT},
                {},
        };
        _cleanup_(reports_done) Reports reports = {};
        _cleanup_(config_set_done) ConfigSet s = {.report = collect, .userdata = &reports};
        _cleanup_free_ const ConfigSetEntry **by_order = NULL;
        json_object *files_json = NULL, *findings_json = NULL;
        size_t n_orders, errors = 0, warnings = 0;
        bool quiet = false, json = false, strict = false;
        int bad, dep_errors, ports, deep, c;

        while ((c = getopt_long(argc, argv, "hq", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'q':
                        quiet = true;
                        break;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_STRICT:
                        strict = true;
                        break;
                default:
                        return EXIT_USAGE;
                }

        /* The generator's own loading and checks, then the start's (lib/preflight.c);
         * only the words are ours. */
        bad = optind < argc ? config_set_load_files(&s, argv + optind) : config_set_load_search_path(&s);
        if (bad < 0) {
                log_error_errno(bad, "Failed to load the container configs: %m");
                return EXIT_FAILED;
        }
        dep_errors = config_set_check_dependencies(&s);
        if (dep_errors < 0 || reports.oom)
                return log_oom(), EXIT_FAILED;
        ports = config_set_check_ports(&s);
        if (ports < 0 || reports.oom)
                return log_oom(), EXIT_FAILED;
        deep = preflight_config_set(&s);
        if (deep < 0 || reports.oom)
                return log_oom(), EXIT_FAILED;

        if (optind >= argc && s.n == 0 && !quiet && !json)
                printf("No container configs in %s.\n",
                       getenv("NSCONTAIN_CONFIG_PATH") ?: CONFIG_SEARCH_PATH);

        /* Verdicts in the order of the FILEs (or of the search path), each file's lines
         * together. A FILE dropped as a second definition of its NAME has lines but no
         * entry. */
        n_orders = MAX(reports.n_files, s.n);
        for (size_t i = 0; i < s.n; i++)
                n_orders = MAX(n_orders, s.entries[i].order + 1);
        by_order = calloc(n_orders + 1, sizeof(ConfigSetEntry *));
        if (!by_order)
                return log_oom(), EXIT_FAILED;
        for (size_t i = 0; i < s.n; i++)
                if (s.entries[i].checked)
                        by_order[s.entries[i].order] = &s.entries[i];

        if (json) {
                files_json = json_object_new_array();
                findings_json = json_object_new_array();
                if (!files_json || !findings_json)
                        return log_oom(), EXIT_FAILED;
        }

        for (size_t i = 0; i < n_orders; i++) {
                const ConfigSetEntry *e = by_order[i];
                const FileReport *f = i < reports.n_files ? &reports.files[i] : NULL;
                const char *path = e && e->path ? e->path : f ? f->file : NULL;
                const char *file = path ? base_name(path) : NULL;

                if (f) {
                        errors += f->errors;
                        warnings += f->warnings;
                }
                if (json) {
                        for (size_t k = 0; f && k < f->n_findings; k++)
                                json_object_array_add(findings_json, json_finding(path, &f->findings[k]));
                        if (e) {
                                json_object *o = json_object_new_object();
                                json_object_object_add(o, "file",
                                                       path ? json_object_new_string(path) : NULL);
                                json_object_object_add(o, "name", json_object_new_string(e->name));
                                json_object_object_add(o, "status",
                                                       json_object_new_string(entry_status(e, f)));
                                json_object_object_add(o, "checked_against_rootfs",
                                                       json_object_new_boolean(e->state == CONFIG_VALID &&
                                                                               !(f && f->skipped)));
                                json_object_array_add(files_json, o);
                        }
                        continue;
                }

                fflush(stdout);
                for (size_t k = 0; f && k < f->n_findings; k++)
                        if (f->findings[k].level != LOG_INFO)
                                fprintf(stderr, "%s\n", f->findings[k].line);
                if (!e || quiet)
                        continue;
                if (e->state == CONFIG_MASKED && f && f->notice)
                        printf("%s\n", f->notice);
                else if (e->state == CONFIG_MASKED)
                        printf("%s: masked\n", file);
                else if (e->state == CONFIG_VALID && (!f || f->errors == 0)) {
                        char w[32] = "";
                        if (f && f->warnings > 0)
                                snprintf(w, sizeof(w), "%zu warning%s", f->warnings,
                                         f->warnings == 1 ? "" : "s");
                        printf("%s: ok%s%s%s%s%s%s\n", file, *w || (f && f->skipped) ? " (" : "", w,
                               *w && f->skipped ? "; " : "",
                               f && f->skip_image ? "not checked against the image: " : "",
                               f && f->skip_image ? f->skip_image
                               : f && f->skipped  ? "rootfs not found: not checked against the image"
                                                  : "",
                               *w || (f && f->skipped) ? ")" : "");
                }
        }
        for (size_t k = 0; k < reports.n_general; k++) {
                if (reports.general[k].level <= LOG_ERR)
                        errors++;
                else if (reports.general[k].level == LOG_WARNING)
                        warnings++;
                if (json)
                        json_object_array_add(findings_json, json_finding(NULL, &reports.general[k]));
                else
                        fprintf(stderr, "%s\n", reports.general[k].line);
        }

        /* Anything the counts above missed (a file without lines that failed) still fails. */
        if (errors == 0 && (bad > 0 || dep_errors > 0 || ports > 0 || deep > 0))
                errors = 1;

        if (json) {
                json_object *o = json_object_new_object();
                json_object_object_add(o, "files", files_json);
                json_object_object_add(o, "findings", findings_json);
                json_object_object_add(o, "errors", json_object_new_uint64(errors));
                json_object_object_add(o, "warnings", json_object_new_uint64(warnings));
                (void)json_print(o);
        }
        fflush(stdout);

        if (errors > 0 || (strict && warnings > 0))
                return EXIT_FAILED;
        return warnings > 0 ? EXIT_WARNINGS : 0;
}
