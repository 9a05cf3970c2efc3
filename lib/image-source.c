/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* What "image" in a config and "nscontain image import SOURCE" name (nscontain.json(5), the
 * "image" row): the transports of containers-transports(5) that work offline, and
 * NAME[:TAG] of an image in the store. As in containers/image, the path ends at the
 * first ':' after the transport. */

#include <stdarg.h>
#include <string.h>

#include "image-internal.h"

static const struct {
        const char *prefix;
        ImageTransport transport;
} transports[] = {
        {"oci:", IMAGE_TRANSPORT_OCI},
        {"oci-archive:", IMAGE_TRANSPORT_OCI_ARCHIVE},
        {"docker-archive:", IMAGE_TRANSPORT_DOCKER_ARCHIVE},
};

int image_errorf(char **ret_error, int r, const char *fmt, ...) {
        va_list ap;

        if (ret_error) {
                free(*ret_error);
                *ret_error = NULL;
                va_start(ap, fmt);
                if (vasprintf(ret_error, fmt, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return r;
}

bool image_source_is_transport(const char *s) {
        for (size_t i = 0; i < ELEMENTSOF(transports); i++)
                if (s && strncmp(s, transports[i].prefix, strlen(transports[i].prefix)) == 0)
                        return true;
        return false;
}

static bool name_char_ok(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
               c == '_' || c == '-' || c == '/' || c == ':' || c == '@';
}

int image_name_normalize(const char *s, char **ret) {
        const char *slash, *colon;
        char *n;

        assert(ret);

        if (isempty(s) || strlen(s) > IMAGE_NAME_MAX || s[0] == '/' || s[0] == ':' || s[0] == '.' ||
            s[0] == '-')
                return -EINVAL;
        for (const char *p = s; *p; p++)
                if (!name_char_ok(*p))
                        return -EINVAL;
        if (strstr(s, "..") || strstr(s, "//"))
                return -EINVAL;

        /* The tag follows the last ':' after the last '/' ("localhost:5000/web" has none). */
        slash = strrchr(s, '/');
        colon = strrchr(slash ?: s, ':');
        if (colon && colon[1] == 0)
                return -EINVAL;
        if (colon)
                n = strdup(s);
        else if (asprintf(&n, "%s:%s", s, IMAGE_DEFAULT_TAG) < 0)
                n = NULL;
        if (!n)
                return -ENOMEM;
        *ret = n;
        return 0;
}

int image_source_parse(const char *s, ImageSource *ret, char **ret_error) {
        _cleanup_free_ char *path = NULL, *ref = NULL;
        int r;

        assert(ret);

        if (isempty(s))
                return image_errorf(ret_error, -EINVAL, "empty image name");
        if (strlen(s) > 4096)
                return image_errorf(ret_error, -ENAMETOOLONG, "image name longer than 4096 bytes");

        for (size_t i = 0; i < ELEMENTSOF(transports); i++) {
                size_t l = strlen(transports[i].prefix);
                const char *rest, *colon;

                if (strncmp(s, transports[i].prefix, l) != 0)
                        continue;
                rest = s + l;
                colon = strchr(rest, ':');
                path = colon ? strndup(rest, (size_t)(colon - rest)) : strdup(rest);
                if (!path)
                        return -ENOMEM;
                if (isempty(path))
                        return image_errorf(ret_error, -EINVAL, "%s: no path after '%s'", s,
                                            transports[i].prefix);
                if (colon) {
                        if (colon[1] == 0)
                                return image_errorf(ret_error, -EINVAL, "%s: empty reference after the path",
                                                    s);
                        if (transports[i].transport == IMAGE_TRANSPORT_DOCKER_ARCHIVE) {
                                r = image_name_normalize(colon + 1, &ref);
                                if (r < 0)
                                        return image_errorf(ret_error, r, "%s: '%s' is not a valid NAME:TAG",
                                                            s, colon + 1);
                        } else {
                                ref = strdup(colon + 1);
                                if (!ref)
                                        return -ENOMEM;
                                for (const char *p = ref; *p; p++)
                                        if (!name_char_ok(*p) || *p == '/')
                                                return image_errorf(ret_error, -EINVAL,
                                                                    "%s: '%s' is not a valid tag", s, ref);
                        }
                }
                *ret = (ImageSource){
                        .transport = transports[i].transport,
                        .path = TAKE_PTR(path),
                        .ref = TAKE_PTR(ref),
                };
                return 0;
        }

        r = image_name_normalize(s, &ref);
        if (r < 0)
                return image_errorf(ret_error, r,
                                    "'%s' is neither oci:DIR[:TAG], oci-archive:FILE[:TAG], "
                                    "docker-archive:FILE[:NAME:TAG] nor a valid NAME[:TAG]",
                                    s);
        *ret = (ImageSource){.transport = IMAGE_TRANSPORT_STORE, .ref = TAKE_PTR(ref)};
        return 0;
}

void image_source_done(ImageSource *s) {
        if (!s)
                return;
        free(s->path);
        free(s->ref);
        *s = (ImageSource){};
}
