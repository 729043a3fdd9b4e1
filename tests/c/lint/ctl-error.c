/* ctl-error: EPOLL_CTL_ADD of an fd already registered fails with EEXIST;
 * EPOLL_CTL_ADD of a regular file fails with EPERM. Programs rarely check. */
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int p[2];
    check(ep >= 0 && pipe(p) == 0);
    ep_add(ep, p[0], EPOLLIN);
    struct epoll_event ev = {.events = EPOLLIN};
    check(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == -1 && errno == EEXIST);
    expect("ctl-error", p[0]);
    int f = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
    if (f < 0)
        f = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
    check(f >= 0);
    check(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev) == -1 && errno == EPERM);
    expect("ctl-error", f);
    return 0;
}
