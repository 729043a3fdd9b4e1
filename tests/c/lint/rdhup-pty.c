/* rdhup: a pty master registered with EPOLLIN|EPOLLRDHUP after its slave
 * side closed: Linux reports EPOLLHUP (no EPOLLRDHUP); rdhup=uniform adds
 * EPOLLRDHUP. */
#include "lint.h"

int main(int argc, char **argv)
{
    int uniform = argc > 1 && strcmp(argv[1], "uniform") == 0;
    int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    check(m >= 0 && grantpt(m) == 0 && unlockpt(m) == 0);
    int s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
    check(s >= 0);
    nonblock(m);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    ep_add(ep, m, EPOLLIN | EPOLLRDHUP);
    close(s);
    struct epoll_event ev;
    check(epoll_wait(ep, &ev, 1, 1000) == 1);
    check(ev.events & EPOLLHUP);
    if (uniform)
        check(ev.events & EPOLLRDHUP);
    else
        check(!(ev.events & EPOLLRDHUP));
    printf("pty epoll=%#x\n", ev.events & ~EPOLLRDHUP);
    return 0;
}
