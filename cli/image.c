/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* nscontain image import|list|rm|prune (nscontain(1), "image import"): the store of OCI images
 * in /var/lib/nscontain/images (lib/image-store.c). */

#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "log.h"
#include "nscontain.h"
#include "strv.h"

static void help(void) {
        printf("nscontain image COMMAND ...\n\n"
               "Import and manage OCI images (the store in " IMAGE_STORE_DIR ").\n\n"
               "Commands:\n"
               "  import SOURCE [NAME[:TAG]]   Import oci:DIR[:TAG], oci-archive:FILE[:TAG] or\n"
               "                               docker-archive:FILE[:NAME:TAG]\n"
               "  list [--json]                List the images: names, id, size, created, the\n"
               "                               configs that use them, labels\n"
               "  rm NAME[:TAG]|ID...          Remove a name (the image with its last name);\n"
               "                               refused while a config names the image\n"
               "  prune                        Remove the layers no image uses\n\n"
               "Options:\n"
               "  -h --help         Show this help\n"
               "     --json         (list) Print a JSON array\n"
               "     --max-size=B   (import) Refuse a layer larger than B bytes uncompressed\n"
               "     --no-legend    (list) Do not print the header\n");
}

/* The configs on the search path whose "image" resolves to id. */
static int configs_using(ImageStore *s, const char *id, char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        ConfigEntry *e = NULL;
        size_t n = 0;
        int r;

        r = config_enumerate(&e, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                _cleanup_config_free_ Config *c = NULL;
                char cid[IMAGE_DIGEST_LEN + 1];

                if (e[i].masked || config_load_file(e[i].path, NULL, &c, NULL) < 0 || !c->image)
                        continue;
                if (image_store_resolve(s, c->image, cid) < 0 || !streq(cid, id))
                        continue;
                if (strv_extend(&l, e[i].name) < 0) {
                        config_entries_free(e, n);
                        return -ENOMEM;
                }
        }
        config_entries_free(e, n);
        *ret = TAKE_PTR(l);
        return 0;
}

/* "a, b, c" (NULL stays NULL; the caller frees). */
static char *join(char **l, const char *sep) {
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);

        if (!f)
                return NULL;
        STRV_FOREACH (u, l)
                fprintf(f, "%s%s", u == l ? "" : sep, *u);
        fclose(f);
        return s;
}

/* One line per layer and, off a terminal, one per 16 MiB unpacked, in the words the
 * helper shows as the unit's status at a first start ("Importing SOURCE: layer 2/5,
 * 38 MiB"); on a terminal a running count. */
static void import_progress(const ImportProgress *p, void *userdata) {
        static uint64_t last;
        bool tty = isatty(STDERR_FILENO);
        char b[32];

        if (p->cached)
                fprintf(stderr, "Importing %s: layer %zu/%zu, already in the store\n", p->source, p->layer,
                        p->n_layers);
        else if (p->bytes == 0) {
                last = 0;
                fprintf(stderr, "Importing %s: layer %zu/%zu, unpacking\n", p->source, p->layer,
                        p->n_layers);
        } else if (tty)
                fprintf(stderr, "Importing %s: layer %zu/%zu, %s\r", p->source, p->layer, p->n_layers,
                        image_format_size(p->bytes, b, sizeof(b)));
        else if (p->bytes - last >= (16U << 20)) {
                last = p->bytes;
                fprintf(stderr, "Importing %s: layer %zu/%zu, %s\n", p->source, p->layer, p->n_layers,
                        image_format_size(p->bytes, b, sizeof(b)));
        }
}

static int image_import_verb(int argc, char *argv[], const ImageLimits *limits) {
        _cleanup_(image_store_close) ImageStore s = {.dir_fd = -EBADF};
        _cleanup_free_ char *source = NULL, *why = NULL;
        char id[IMAGE_DIGEST_LEN + 1];
        const char *colon;
        int r;

        if (argc < 1 || argc > 2) {
                log_error("'nscontain image import' takes SOURCE and an optional NAME[:TAG].");
                return EXIT_USAGE;
        }
        if (require_root("image import") < 0)
                return EXIT_FAILED;

        /* A relative path is made absolute: the source string names the image in the
         * store, and a config can only name it with an absolute path. */
        colon = strchr(argv[0], ':');
        if (image_source_is_transport(argv[0]) && colon && colon[1] != '/' && colon[1] != 0) {
                char cwd[PATH_MAX];
                if (!getcwd(cwd, sizeof(cwd)) || asprintf(&source, "%.*s%s/%s", (int)(colon - argv[0] + 1),
                                                          argv[0], cwd, colon + 1) < 0) {
                        log_error("Failed to make the path of '%s' absolute.", argv[0]);
                        return EXIT_FAILED;
                }
        } else if (!(source = strdup(argv[0])))
                return EXIT_FAILED;

        r = image_store_open(true, &s);
        if (r < 0) {
                log_error_errno(r, "Failed to open the image store: %m");
                return EXIT_FAILED;
        }
        r = image_import(&s, source, argc > 1 ? argv[1] : NULL, limits, import_progress, NULL, id, &why);
        if (r < 0) {
                log_error_errno(r, "Failed to import %s", why ?: source);
                return EXIT_FAILED;
        }
        printf("%s\n", id);
        return 0;
}

static json_object *json_strv(char **l) {
        json_object *a = json_object_new_array();
        STRV_FOREACH (s, l)
                json_object_array_add(a, json_object_new_string(*s));
        return a;
}

static int image_list_verb(bool json) {
        _cleanup_(image_store_close) ImageStore s = {.dir_fd = -EBADF};
        ImageInfo *l = NULL;
        size_t n = 0;
        int r;

        r = image_store_open(false, &s);
        if (r == -ENOENT) {
                if (json)
                        printf("[]\n");
                else if (!arg_no_legend)
                        printf("No images.\n");
                return 0;
        }
        if (r >= 0)
                r = image_store_list(&s, &l, &n);
        if (r < 0) {
                log_error_errno(r, "Failed to list the image store: %m");
                return EXIT_FAILED;
        }

        json_object *a = json ? json_object_new_array() : NULL;
        if (!json && !arg_no_legend)
                printf("%-40s %-12s %10s %-20s %s\n", "NAME", "ID", "SIZE", "CREATED", "USED BY");
        for (size_t i = 0; i < n; i++) {
                _cleanup_strv_free_ char **used = NULL;
                char b[32];

                (void)configs_using(&s, l[i].id, &used);
                if (json) {
                        json_object *o = json_object_new_object(), *labels = json_object_new_object(),
                                    *names = json_object_new_array();
                        STRV_FOREACH (nm, l[i].names) {
                                json_object *x = json_object_new_object();
                                const char *slash = strrchr(*nm, '/'), *colon = strrchr(slash ?: *nm, ':');
                                json_object_object_add(x, "ref", json_object_new_string(*nm));
                                if (!image_source_is_transport(*nm) && colon) {
                                        json_object_object_add(
                                                x, "name",
                                                json_object_new_string_len(*nm, (int)(colon - *nm)));
                                        json_object_object_add(x, "tag", json_object_new_string(colon + 1));
                                }
                                json_object_array_add(names, x);
                        }
                        for (char **k = l[i].config.labels; k && k[0] && k[1]; k += 2)
                                json_object_object_add(labels, k[0], json_object_new_string(k[1]));
                        json_object_object_add(o, "id", json_object_new_string(l[i].id));
                        json_object_object_add(o, "names", names);
                        json_object_object_add(o, "size", json_object_new_uint64(l[i].size));
                        json_object_object_add(
                                o, "created",
                                l[i].config.created ? json_object_new_string(l[i].config.created) : NULL);
                        json_object_object_add(o, "imported",
                                               l[i].imported ? json_object_new_string(l[i].imported) : NULL);
                        json_object_object_add(o, "layers", json_strv(l[i].config.diff_ids));
                        json_object_object_add(o, "used_by", json_strv(used));
                        json_object_object_add(o, "labels", labels);
                        json_object_array_add(a, o);
                        continue;
                }
                _cleanup_free_ char *users = join(used, ",");
                STRV_FOREACH (nm, l[i].names)
                        printf("%-40s %-12.12s %10s %-20.20s %s\n", *nm, l[i].id,
                               image_format_size(l[i].size, b, sizeof(b)), strna(l[i].config.created),
                               isempty(users) ? "-" : users);
        }
        if (json)
                (void)json_print(a);
        image_infos_free(l, n);
        return 0;
}

static int image_rm_verb(int argc, char *argv[]) {
        _cleanup_(image_store_close) ImageStore s = {.dir_fd = -EBADF};
        int r, ret = 0;

        if (argc < 1) {
                log_error("'nscontain image rm' takes NAME[:TAG] or ID.");
                return EXIT_USAGE;
        }
        if (require_root("image rm") < 0)
                return EXIT_FAILED;
        r = image_store_open(false, &s);
        if (r < 0) {
                log_error_errno(r, "Failed to open the image store: %m");
                return EXIT_FAILED;
        }
        for (int i = 0; i < argc; i++) {
                _cleanup_strv_free_ char **used = NULL;
                _cleanup_free_ char *normalized = NULL;
                char id[IMAGE_DIGEST_LEN + 1];

                r = image_store_resolve(&s, argv[i], id);
                if (r < 0) {
                        log_error_errno(r, "No image '%s' in the store: %m", argv[i]);
                        ret = EXIT_FAILED;
                        continue;
                }
                r = configs_using(&s, id, &used);
                if (r < 0)
                        return log_error_errno(r, "Failed to read the configs: %m"), EXIT_FAILED;
                if (used) {
                        _cleanup_free_ char *l = join(used, ", ");
                        log_error("Refusing to remove image '%s': used by %s.", argv[i], strna(l));
                        ret = EXIT_FAILED;
                        continue;
                }
                /* A name drops that name (the image with its last one); an id the image. */
                r = image_store_untag(&s, argv[i]);
                if (r == -ENOENT && image_name_normalize(argv[i], &normalized) >= 0)
                        r = image_store_untag(&s, normalized);
                if (r == -ENOENT)
                        r = image_store_remove(&s, id);
                if (r < 0) {
                        log_error_errno(r, "Failed to remove '%s': %m", argv[i]);
                        ret = EXIT_FAILED;
                        continue;
                }
                printf("Removed %s\n", argv[i]);
        }
        return ret;
}

static int image_prune_verb(void) {
        _cleanup_(image_store_close) ImageStore s = {.dir_fd = -EBADF};
        int r;

        if (require_root("image prune") < 0)
                return EXIT_FAILED;
        r = image_store_open(false, &s);
        if (r == -ENOENT)
                return 0;
        if (r >= 0)
                r = image_store_prune(&s);
        if (r < 0) {
                log_error_errno(r, "Failed to prune the image store: %m");
                return EXIT_FAILED;
        }
        printf("Removed %d layer%s.\n", r, r == 1 ? "" : "s");
        return 0;
}

int verb_image(int argc, char *argv[]) {
        enum { ARG_JSON = ARG_VERB_FIRST, ARG_MAX_SIZE };
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"json", no_argument, NULL, ARG_JSON},
                {"max-size", required_argument, NULL, ARG_MAX_SIZE},
                OPTION_NO_PAGER,
                OPTION_NO_LEGEND,
                {},
        };
        ImageLimits limits = IMAGE_LIMITS_DEFAULT;
        bool json = false;
        const char *verb;
        int c;

        if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
                help();
                return argc < 2 ? EXIT_USAGE : 0;
        }
        verb = argv[1];
        argc--;
        argv++;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_JSON:
                        json = true;
                        break;
                case ARG_MAX_SIZE: {
                        char *end;
                        errno = 0;
                        limits.max_size = strtoull(optarg, &end, 10);
                        if (errno || *end || limits.max_size == 0) {
                                log_error("--max-size: '%s' is not a number of bytes.", optarg);
                                return EXIT_USAGE;
                        }
                        break;
                }
                default:
                        if (!output_option_parse(c))
                                return EXIT_USAGE;
                }
        argc -= optind;
        argv += optind;

        if (streq(verb, "import"))
                return image_import_verb(argc, argv, &limits);
        if (streq(verb, "list") || streq(verb, "ls"))
                return argc == 0 ? image_list_verb(json)
                                 : (log_error("'image list' takes no arguments."), EXIT_USAGE);
        if (streq(verb, "rm"))
                return image_rm_verb(argc, argv);
        if (streq(verb, "prune"))
                return argc == 0 ? image_prune_verb()
                                 : (log_error("'image prune' takes no arguments."), EXIT_USAGE);
        log_error("Unknown command 'image %s'; see 'nscontain image --help'.", verb);
        return EXIT_USAGE;
}
