/* et-blocking-fd: a pipe in blocking mode registered with EPOLLET. The
 * drain-to-EAGAIN loop that edge-triggered mode needs would block. */
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int p[2];
    check(ep >= 0 && pipe(p) == 0);
    ep_add(ep, p[0], EPOLLIN | EPOLLET);
    expect("et-blocking-fd", p[0]);
    struct epoll_event ev;
    epoll_wait(ep, &ev, 1, 0);
    return 0;
}
