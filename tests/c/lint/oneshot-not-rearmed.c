/* oneshot-not-rearmed: EPOLLONESHOT fires once; the program reads a little
 * and never re-arms with EPOLL_CTL_MOD; more data arrives and Linux never
 * reports the fd again. */
// options: lint_oneshot_ms=60
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int sv[2];
    check(ep >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    nonblock(sv[0]);
    ep_add(ep, sv[0], EPOLLIN | EPOLLONESHOT);
    check(write(sv[1], "0123456789", 10) == 10);
    struct epoll_event ev;
    check(epoll_wait(ep, &ev, 1, 1000) == 1);
    char b[4];
    check(read(sv[0], b, 4) == 4);
    check(write(sv[1], "more data", 9) == 9);
    for (int i = 0; i < 5; i++)
        check(epoll_wait(ep, &ev, 1, 30) == 0);
    expect("oneshot-not-rearmed", sv[0]);
    return 0;
}
