/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The systemd versions nscontain runs on, and what a newer one adds that a config can
 * ask for (lib/systemd-version.h). */

#include <errno.h>
#include <string.h>

#include "macro.h"
#include "systemd-version.h"

/* [Service] settings systemd added after 252, with the release that added each
 * (systemd's NEWS). tests/integration/test-systemd-version.sh checks every row against
 * the booted systemd: unknown to 252, known to 257. */
static const struct {
        const char *key;
        unsigned since;
} newer_settings[] = {
        {"LogFilterPatterns", 253},
        {"MemoryZSwapMax", 253},
        {"NFTSet", 253},
        {"OpenFile", 253},
        {"ReloadSignal", 253},
        {"StartupMemoryHigh", 253},
        {"StartupMemoryLow", 253},
        {"StartupMemoryMax", 253},
        {"StartupMemorySwapMax", 253},
        {"StartupMemoryZSwapMax", 253},
        {"DelegateSubgroup", 254},
        {"ExtensionImagePolicy", 254},
        {"FileDescriptorStorePreserve", 254},
        {"ImportCredential", 254},
        {"MemoryKSM", 254},
        {"MemoryPressureThresholdSec", 254},
        {"MemoryPressureWatch", 254},
        {"MountImagePolicy", 254},
        {"RestartMaxDelaySec", 254},
        {"RestartMode", 254},
        {"RestartSteps", 254},
        {"RootEphemeral", 254},
        {"RootImagePolicy", 254},
        {"CoredumpReceive", 255},
        {"SetLoginEnvironment", 255},
        {"MemoryZSwapWriteback", 256},
        {"BindLogSockets", 257},
        {"ManagedOOMMemoryPressureDurationSec", 257},
        {"PrivatePIDs", 257},
};

unsigned unit_setting_since(const char *key) {
        if (!key)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(newer_settings); i++)
                if (streq(newer_settings[i].key, key))
                        return newer_settings[i].since;
        return 0;
}

int systemd_version_major(const char *version, unsigned *ret) {
        unsigned v = 0;
        size_t n = 0;

        if (!version || !ret)
                return -EINVAL;
        for (; version[n] >= '0' && version[n] <= '9'; n++) {
                if (n >= 6)
                        return -ERANGE;
                v = v * 10 + (unsigned)(version[n] - '0');
        }
        /* "252", "252.38-1~deb12u1", "257.13-1~deb13u1", "258~rc1" */
        if (n == 0 || (version[n] && !strchr(".-~+ ", version[n])))
                return -EINVAL;
        *ret = v;
        return 0;
}
