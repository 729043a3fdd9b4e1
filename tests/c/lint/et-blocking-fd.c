/* et-blocking-fd: a pipe in blocking mode registered with EPOLLET and read
 * after an edge. The drain-to-EAGAIN loop that edge-triggered mode needs
 * would block. (A registration that is never read, like nginx's
 * EPOLLRDHUP probe, is not reported: see ok-et-blocking-probe.c.) */
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int p[2];
    check(ep >= 0 && pipe(p) == 0);
    ep_add(ep, p[0], EPOLLIN | EPOLLET);
    check(write(p[1], "abc", 3) == 3);
    struct epoll_event ev;
    check(epoll_wait(ep, &ev, 1, 1000) == 1);
    char b[3];
    check(read(p[0], b, 3) == 3);
    check(epoll_wait(ep, &ev, 1, 0) == 0);
    expect("et-blocking-fd", p[0]);
    return 0;
}
