/* bench.c [ITERATIONS] [TIMEOUT_MS] - cost of one traced event-loop round
 * (not a test).
 *
 * Each round: write 1 byte to a pipe, epoll_wait(TIMEOUT_MS, default 0)
 * returning it at once, read it back. Prints nanoseconds per round; bench.sh runs it natively,
 * preloaded, and preloaded with each trace setting.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 200000;
    int timeout = argc > 2 ? atoi(argv[2]) : 0;
    int p[2];
    if (pipe(p) != 0) abort();
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 7};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0) abort();
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        char c = 'x';
        struct epoll_event out[8];
        if (write(p[1], &c, 1) != 1) abort();
        if (epoll_wait(ep, out, 8, timeout) != 1) abort();
        if (read(p[0], &c, 1) != 1) abort();
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
    printf("%.0f\n", ns);
    return 0;
}
