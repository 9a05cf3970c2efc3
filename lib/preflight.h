/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What a start of a container would find wrong on this machine, found without starting
 * it: "nscontain validate" and "nscontain-generator --dry-run" run these checks ahead of
 * time, and the start fails on the same conditions with the same words (the helper calls
 * the pieces below that it shares, exec_find() and user_resolve_in() of creds.h). Every
 * check is a stat or an open (and, for idmapped mounts, one probe per filesystem):
 * nscontain(1), "validate".
 *
 * Library code: it never logs. Findings go to the caller's report function. */

#include <sys/stat.h>
#include <sys/types.h>

#include "config-set.h"
#include "config.h"
#include "creds.h"
#include "escape.h"
#include "image.h"

/* "credentials[i]": its source exists and is no directory, else f says so naming NAME
 * and the path ("Failed to load credential 'tls' from '/etc/web/tls.key'"): the start
 * fails on it, validate reports it. */
int credential_source_check(const Config *config, size_t i, Failure *f);
/* "devices[i]": the host's node exists and is a character or block device; its stat in
 * *ret (may be NULL). */
int device_source_check(const Config *config, size_t i, struct stat *ret, Failure *f);
/* Room for "credentials" and a key in JSON path notation. */
#define JPATH_KEY_MAX 600
/* network.address6 against the IPv6 pool of this machine's sidecar (sidecar.conf's
 * Pool6= or its default, lib/sidecar-settings.h): -EINVAL with SetupNetworkEx's words
 * for it in buf ("invalid address6 "…": …"), 0 when it is "auto" or in the pool, or when
 * the settings cannot be read (then *ret_unchecked, when not NULL, says why: the
 * sidecar, which cannot start either, has the last word). The start checks it before
 * the sidecar is asked, so that its message names the JSON path as validate's does. */
int preflight_address6(const Config *config, char buf[static VALUE_REFUSAL_SIZE], char **ret_unchecked);

/* The helper's open of a rootfs (want_dir) or bind source before it clones it into a
 * mount tree, and the check's: an O_PATH fd, -ENOTDIR for a rootfs that is no directory. */
int mount_source_open(const char *path, bool want_dir, int *ret_fd, struct stat *ret_st);

/* The words of a refused idmapped mount, for the start and the checks alike: of the root
 * (index SIZE_MAX) or of config->mounts[index]; fd is the tree (for its filesystem's
 * name). Returns -abs(error). */
int idmap_refused_fail(Failure *f, int error, const Config *config, size_t index, int fd);
/* Whether mount_setattr(MOUNT_ATTR_IDMAP) failed because the filesystem cannot be
 * idmapped. */
bool idmap_refused(int r);
/* "ext4", "overlayfs", …, or "type 0x…" in buf. */
const char *fs_type_name(int fd, char *buf, size_t size);

/* The working directory. With stat_fn NULL: the child's chdir() into it, after
 * pivot_root. Otherwise the check of it through stat_fn. Same words either way. */
int workdir_enter(const char *workdir, ExecStatFunc stat_fn, void *userdata, Failure *f);

/* 'level' is LOG_ERR, or LOG_INFO for checks skipped (a rootfs not found here); 'jpath' the JSON path of the
 * key
 * ("user", "mounts[1].source"); 'text' the start's words, without the "NAME: " the
 * helper puts before them. */
typedef void (*PreflightReportFunc)(int level, const char *jpath, const char *text, void *userdata);

typedef struct PreflightIdmapResult {
        dev_t dev;
        int result; /* 0, or what mount_setattr() said */
} PreflightIdmapResult;

typedef struct Preflight {
        /* A user namespace for idmap probes, made at the first one: -EBADF not yet,
         * another negative errno when none can be made (not root). */
        int userns_fd;
        PreflightIdmapResult idmap[32]; /* by filesystem: one probe each */
        size_t n_idmap;

        /* The image store, opened at the first config naming an image: store_error < 0
         * when it could not be. */
        ImageStore store;
        int store_error;

        PreflightReportFunc report;
        void *userdata;
} Preflight;

#define PREFLIGHT_INIT                                            \
        {                                                         \
                .userns_fd = -EBADF, .store = {.dir_fd = -EBADF } \
        }
void preflight_done(Preflight *p);

/* Checks one valid config. When its rootfs does not exist here (a config checked away
 * from its machine) or cannot be read, nothing is checked and that is said at LOG_INFO.
 * Returns the number of errors (>= 0) or -ENOMEM. */
int preflight_check(Preflight *p, const Config *config);

/* preflight_check() of every checked, valid entry of the set, reported through the set's
 * report function as "JPATH: TEXT" about the entry's file. Returns the number of entries
 * with an error, or -ENOMEM. */
int preflight_config_set(ConfigSet *s);
