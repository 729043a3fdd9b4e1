/* manyevents.c [N] - one wait returning N events.
 *
 * N pipes, all readable, registered with data = 0x10000 + read end; one
 * epoll_wait(maxevents 1024) returns all N. The trace line must stay whole
 * and valid (events beyond the record size limit are counted in
 * "events_omitted"; beyond the first 256 the fd shows as -1).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 300;
    struct rlimit rl = {4096, 4096};
    setrlimit(RLIMIT_NOFILE, &rl);
    int ep = epoll_create1(0);
    for (int i = 0; i < n; i++) {
        int p[2];
        if (pipe(p) != 0) abort();
        if (write(p[1], "x", 1) != 1) abort();
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x10000 + p[0]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) != 0) abort();
    }
    static struct epoll_event out[1024];
    int got = epoll_wait(ep, out, 1024, 0);
    printf("got %d\n", got);
    return got != n;
}
