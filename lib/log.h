/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Logging for the programs (never called from library code in lib/, which returns
 * errors instead). Levels are syslog's. The target is stderr, /dev/kmsg for a generator
 * run by systemd, or a journal stream of the program's own (the helper, whose stderr is
 * the payload's); messages carry the program name as prefix or identifier. */

#include <syslog.h>

#include "macro.h"

typedef enum LogTarget {
        LOG_TARGET_STDERR,
        LOG_TARGET_KMSG,
        /* Under systemd ($JOURNAL_STREAM set), a journal stream of our own, connected at
         * the first message, so that our lines keep our identifier whatever the unit's
         * SyslogIdentifier= gives its stdout and stderr (the payload's); stderr otherwise,
         * or when journald cannot be reached. */
        LOG_TARGET_JOURNAL,
} LogTarget;

void log_setup(const char *ident, LogTarget target);
void log_set_max_level(int level);
int log_get_max_level(void);
/* Reads SYSTEMD_LOG_LEVEL (a name like "debug" or a number). */
void log_parse_environment(void);
/* The text of the last message at LOG_ERR or above ("" when none). */
const char *log_last_error(void);
int log_level_from_string(const char *s);

/* Returns -abs(error) (or -EIO for 0), so "return log_error_errno(r, ...)" works.
 * "%m" in the format expands to strerror(error). */
int log_internal(int level, int error, const char *file, int line, const char *func, const char *fmt, ...)
        _printf_(6, 7);

#define log_full_errno(level, error, ...) log_internal(level, error, __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_full(level, ...)              (void) log_full_errno(level, 0, __VA_ARGS__)

#define log_debug(...)   log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)    log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)  log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)   log_full(LOG_ERR, __VA_ARGS__)

#define log_debug_errno(e, ...)   log_full_errno(LOG_DEBUG, e, __VA_ARGS__)
#define log_info_errno(e, ...)    log_full_errno(LOG_INFO, e, __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, e, __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, e, __VA_ARGS__)

#define log_oom() log_error_errno(ENOMEM, "Out of memory.")
