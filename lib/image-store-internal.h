/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The store's locks and name index, shared by image-store.c and image-import.c. */

#include <dirent.h>
#include <json-c/json.h>

#include "image-internal.h"

/* flock(operation) on the store-relative file 'name' (created); returns its fd. */
int image_store_lock(ImageStore *s, const char *name, int operation);

/* names.json: {"NAME:TAG": "ID"}; an empty object when missing. */
int image_store_names_read(ImageStore *s, json_object **ret);
int image_store_names_write(ImageStore *s, json_object *names);

static inline void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}
