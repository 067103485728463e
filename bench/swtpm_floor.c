/*
 * The floor of a TPM command over swtpm's TCP port: TPM2_GetRandom(32) on one kept connection, one
 * write and the reads of the answer (blocking), nothing else. Prints `floor_getrandom32 median_us
 * thread_cpu_us` like esys_bench, so that a TSS's CPU per command can be held against what the kernel
 * alone costs (on loopback the sender is charged for waking the receiver).
 *
 *   swtpm_floor PORT [ITERATIONS]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_time.h"


/* Reads until at least `want` bytes are in buf; returns what arrived, or -1. */
static int read_at_least(int s, unsigned char *buf, int have, int want, int size) {
    while (have < want) {
        ssize_t r = read(s, buf + have, (size_t) (size - have));
        if (r <= 0) {
            return -1;
        }
        have += (int) r;
    }
    return have;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT [ITERATIONS]\n", argv[0]);
        return 2;
    }
    int n = argc > 2 ? atoi(argv[2]) : 2000;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short) atoi(argv[1]))};
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (n < 1 || connect(s, (struct sockaddr *) &address, sizeof address) != 0) {
        perror("swtpm_floor: connect");
        return 1;
    }
    static const unsigned char get_random[12] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 32};
    unsigned char answer[4096];
    long long *wall = malloc(sizeof *wall * (size_t) n), *cpu = malloc(sizeof *cpu * (size_t) n);
    for (int i = -50; i < n; i++) { /* 50 untimed first */
        long long cpu0 = now(CLOCK_THREAD_CPUTIME_ID), wall0 = now(CLOCK_MONOTONIC);
        if (write(s, get_random, sizeof get_random) != (ssize_t) sizeof get_random) {
            perror("swtpm_floor: write");
            return 1;
        }
        int have = read_at_least(s, answer, 0, 10, sizeof answer);
        int size = have < 0 ? -1 : (answer[2] << 24) | (answer[3] << 16) | (answer[4] << 8) | answer[5];
        if (size < 10 || size > (int) sizeof answer || read_at_least(s, answer, have, size, size) < 0) {
            fprintf(stderr, "swtpm_floor: no complete answer\n");
            return 1;
        }
        if (i >= 0) {
            cpu[i] = now(CLOCK_THREAD_CPUTIME_ID) - cpu0;
            wall[i] = now(CLOCK_MONOTONIC) - wall0;
        }
    }
    printf("floor_getrandom32 %.1f %.1f\n", median_us(wall, n), median_us(cpu, n));
    return 0;
}
