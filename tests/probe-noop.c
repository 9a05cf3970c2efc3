/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The probe's stand-in for tests/check-probe-noop: prints nothing and exits 0, so that
 * every integration test that reads what the probe saw must fail with it. */
int main(void) {
        return 0;
}
