/* golden.c - a fixed sequence of epoll calls for the golden trace tests.
 *
 * Every entry point (epoll_create, epoll_create1, epoll_ctl ADD/MOD/DEL,
 * epoll_wait, epoll_pwait, epoll_pwait2, syscall(SYS_epoll_wait)) is called
 * at least once, with successes and the errors the kernel gives for bad
 * arguments (EEXIST, ENOENT, EBADF, EINVAL, EFAULT). The program checks each
 * result itself (so it also runs natively), then prints the descriptor
 * numbers it got, which tests/trace/run.sh substitutes into
 * golden.txt / golden.jsonl before comparing them with the trace.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define check(expr)                                                                    \
    do {                                                                               \
        if (!(expr)) {                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s (errno %d)\n", __FILE__, __LINE__, \
                    #expr, errno);                                                     \
            exit(1);                                                                   \
        }                                                                              \
    } while (0)

int main(void) {
    int a[2], b[2];
    check(pipe(a) == 0);
    check(pipe(b) == 0);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0);
    int ep2 = epoll_create(16);
    check(ep2 >= 0);

    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1111};
    check(epoll_ctl(ep, EPOLL_CTL_ADD, a[0], &ev) == 0);
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 0;
    ev.data.fd = b[0];
    check(epoll_ctl(ep, EPOLL_CTL_ADD, b[0], &ev) == 0);
    check(epoll_ctl(ep, EPOLL_CTL_ADD, a[0], &ev) == -1 && errno == EEXIST);
    ev.events = EPOLLOUT;
    ev.data.u64 = 0;
    check(epoll_ctl(ep, EPOLL_CTL_MOD, b[1], &ev) == -1 && errno == ENOENT);

    struct epoll_event out[8];
    check(epoll_wait(ep, out, 8, 0) == 0);
    check(write(a[1], "x", 1) == 1);
    check(epoll_wait(ep, out, 8, 1000) == 1);
    check(out[0].data.u64 == 0x1111 && out[0].events == EPOLLIN);
    char c;
    check(read(a[0], &c, 1) == 1);
    check(write(b[1], "y", 1) == 1);
    check(epoll_wait(ep, out, 8, 1000) == 1);
    check(out[0].data.fd == b[0] && out[0].events == EPOLLIN);
    check(epoll_wait(ep, out, 8, 0) == 0);

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    check(epoll_pwait(ep, out, 8, 0, &mask) == 0);
    struct timespec ts = {0, 500000};
    check(epoll_pwait2(ep, out, 8, &ts, NULL) == 0);

    check(epoll_ctl(ep, EPOLL_CTL_DEL, a[0], NULL) == 0);
    check(epoll_wait(-1, out, 8, 0) == -1 && errno == EBADF);
    check(epoll_wait(ep, out, 0, 0) == -1 && errno == EINVAL);
    check(epoll_wait(a[0], out, 8, 0) == -1 && errno == EINVAL);
    check(epoll_create(0) == -1 && errno == EINVAL);
    check(epoll_create1(0x10) == -1 && errno == EINVAL);
    check(epoll_ctl(ep, EPOLL_CTL_ADD, a[1], (struct epoll_event *)8) == -1 && errno == EFAULT);
    ev.events = EPOLLIN;
    check(epoll_ctl(ep, 7, a[0], &ev) == -1 && errno == EINVAL);
    check(syscall(SYS_epoll_wait, ep, out, 8, 0) == 0);

    check(close(ep2) == 0);
    check(close(ep) == 0);
    printf("fds ep=%d ep2=%d a0=%d a1=%d b0=%d b1=%d\n", ep, ep2, a[0], a[1], b[0], b[1]);
    return 0;
}
