/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dlfcn.h>

#include "libsystemd.h"
#include "log.h"

#define LIBSYSTEMD_DEFINE(name) typeof(name) *sym_##name = NULL;
LIBSYSTEMD_SYMBOLS(LIBSYSTEMD_DEFINE)

static int libsystemd_resolve(void *dl) {
        const char *missing = NULL;

#define LIBSYSTEMD_RESOLVE(name)                          \
        if (!missing) {                                   \
                *(void **)&sym_##name = dlsym(dl, #name); \
                if (!sym_##name)                          \
                        missing = #name;                  \
        }
        LIBSYSTEMD_SYMBOLS(LIBSYSTEMD_RESOLVE)
#undef LIBSYSTEMD_RESOLVE

        if (missing) {
                log_error("libsystemd.so.0 has no %s (systemd 246 or newer is needed)", missing);
                return -ELIBACC;
        }
        return 0;
}

int libsystemd_load(void) {
        static int cached = 1;
        void *dl;

        if (cached <= 0)
                return cached;

        /* Never unloaded: the symbols stay valid for the helper's life. */
        dl = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_NODELETE);
        if (!dl) {
                log_error("Failed to load libsystemd.so.0: %s", dlerror());
                return (cached = -ELIBACC);
        }
        return (cached = libsystemd_resolve(dl));
}
