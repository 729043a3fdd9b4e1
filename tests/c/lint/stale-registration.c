/* stale-registration: the registered number is closed, a dup keeps the
 * file open, and Linux keeps delivering the file's events with the old
 * data (epoll(7) Q6) to a program that thinks the fd is gone. */
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int p[2];
    check(ep >= 0 && pipe(p) == 0);
    int fd = p[0];
    ep_add(ep, fd, EPOLLIN);
    int d = dup(fd);
    check(d >= 0);
    check(close(fd) == 0);
    check(write(p[1], "x", 1) == 1);
    struct epoll_event ev;
    check(epoll_wait(ep, &ev, 1, 1000) == 1 && ev.data.fd == fd);
    expect("stale-registration", fd);
    return 0;
}
