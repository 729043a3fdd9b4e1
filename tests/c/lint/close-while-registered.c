/* close-while-registered: a registered fd closed without EPOLL_CTL_DEL.
 * Linux removes a registration only when the last descriptor of the file
 * closes (epoll(7) Q6): with a dup alive, the registration stays. Case 1:
 * the dup keeps it (reported at the close). Case 2: the last descriptor
 * is closed and the program then deletes the number (EBADF): reported at
 * the DEL. */
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int p[2], q[2];
    check(ep >= 0 && pipe(p) == 0 && pipe(q) == 0);
    ep_add(ep, p[0], EPOLLIN);
    int d = dup(p[0]);
    check(d >= 0);
    check(close(p[0]) == 0);
    expect("close-while-registered", p[0]);

    ep_add(ep, q[0], EPOLLIN);
    check(close(q[0]) == 0);
    check(epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL) == -1 && errno == EBADF);
    expect("close-while-registered", q[0]);
    /* Let the lint line out before exit: one more ctl-free wait. */
    struct epoll_event ev;
    epoll_wait(ep, &ev, 1, 0);
    return 0;
}
