/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Options more than one verb takes, checked in one place so that they mean the same,
 * and are refused with the same words, wherever they are given. */
#include <getopt.h>
#include <string.h>

#include "log.h"
#include "nscontain.h"
#include "strv.h"

bool arg_no_pager = false;
bool arg_no_legend = false;

bool output_option_parse(int c) {
        switch (c) {
        case ARG_NO_PAGER:
                arg_no_pager = true;
                return true;
        case ARG_NO_LEGEND:
                arg_no_legend = true;
                return true;
        default:
                return false;
        }
}

int process_option_parse(ProcessOptions *o, int c, const char *arg) {
        switch (c) {
        case 'e':
                if (!strchr(arg, '=') || arg[0] == '=') {
                        log_error("Expected KEY=VALUE for --env, got '%s'.", arg);
                        return -EINVAL;
                }
                if (strv_extend(&o->env, arg) < 0)
                        return log_oom();
                return 1;
        case 'u':
                if (isempty(arg)) {
                        log_error("Empty user name.");
                        return -EINVAL;
                }
                o->user = arg;
                return 1;
        case 'w':
                if (arg[0] != '/') {
                        log_error("The working directory must be an absolute path: '%s'.", arg);
                        return -EINVAL;
                }
                o->workdir = arg;
                return 1;
        default:
                return 0;
        }
}

void process_options_done(ProcessOptions *o) {
        o->env = strv_free(o->env);
}

int container_name_argument(int argc, char *argv[], const char *verb, const char **ret) {
        if (optind + 1 != argc) {
                log_error("Expected exactly one container NAME; see 'nscontain %s --help'.", verb);
                return -EINVAL;
        }
        *ret = argv[optind];
        return 0;
}
