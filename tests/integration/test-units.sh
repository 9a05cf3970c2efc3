#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"
tsd_require
skip "not written yet"
