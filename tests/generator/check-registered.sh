#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fails when a golden case directory is not registered in meson.build (or a
# registered one does not exist): an unregistered case would never run.
#   check-registered.sh CASES-DIR CASE...
set -u
dir=${1:?}
shift
diff -u --label registered --label on-disk <(printf '%s\n' "$@" | sort) <(ls "$dir" | sort) &&
        echo "all $# cases registered"
