/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* icmp-ping ADDRESS: one ICMP echo over an unprivileged ICMP datagram socket
 * (SOCK_DGRAM, IPPROTO_ICMP or IPPROTO_ICMPV6: what iputils ping uses without
 * CAP_NET_RAW), which the kernel allows only to gids in net.ipv4.ping_group_range.
 * Prints "reply from ADDRESS" and exits 0, or the error and exits 1. busybox's ping
 * needs a raw socket, so test-network.sh copies this (static) into a busybox root. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        struct sockaddr_storage sa = {};
        unsigned char packet[64] = {}, reply[1024];
        socklen_t salen;
        int fd, family;

        if (argc != 2) {
                fprintf(stderr, "usage: icmp-ping ADDRESS\n");
                return 2;
        }
        if (inet_pton(AF_INET, argv[1], &((struct sockaddr_in *)&sa)->sin_addr) == 1) {
                family = AF_INET;
                salen = sizeof(struct sockaddr_in);
                packet[0] = ICMP_ECHO;
        } else if (inet_pton(AF_INET6, argv[1], &((struct sockaddr_in6 *)&sa)->sin6_addr) == 1) {
                family = AF_INET6;
                salen = sizeof(struct sockaddr_in6);
                packet[0] = ICMP6_ECHO_REQUEST;
        } else {
                fprintf(stderr, "icmp-ping: '%s' is not an address\n", argv[1]);
                return 2;
        }
        sa.ss_family = (sa_family_t)family;

        fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
        if (fd < 0) {
                fprintf(stderr, "icmp-ping: socket: %s\n", strerror(errno));
                return 1;
        }
        /* The kernel fills in the identifier and the checksum of a datagram socket. */
        for (int i = 0; i < 5; i++) {
                struct pollfd p = {.fd = fd, .events = POLLIN};

                packet[7] = (unsigned char)i; /* sequence */
                if (sendto(fd, packet, sizeof(packet), 0, (struct sockaddr *)&sa, salen) < 0) {
                        fprintf(stderr, "icmp-ping: sendto: %s\n", strerror(errno));
                        return 1;
                }
                if (poll(&p, 1, 1000) == 1 && recv(fd, reply, sizeof(reply), 0) > 0 &&
                    reply[0] == (family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY)) {
                        printf("reply from %s\n", argv[1]);
                        return 0;
                }
        }
        fprintf(stderr, "icmp-ping: no reply from %s\n", argv[1]);
        return 1;
}
