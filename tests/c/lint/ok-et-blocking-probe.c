/* Correct: nginx's start-up EPOLLRDHUP probe (ngx_epoll_test_rdhup): a
 * blocking socketpair end registered with EPOLLIN|EPOLLRDHUP|EPOLLET, the
 * other end shut down, one zero-timeout wait, close. Never read, so its
 * blocking mode cannot hurt: no et-blocking-fd. */
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int s[2];
    check(ep >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
    ep_add(ep, s[0], EPOLLIN | EPOLLRDHUP | EPOLLET);
    check(shutdown(s[1], SHUT_WR) == 0);
    struct epoll_event ev;
    check(epoll_wait(ep, &ev, 1, 5000) == 1 && (ev.events & EPOLLRDHUP));
    check(epoll_ctl(ep, EPOLL_CTL_DEL, s[0], NULL) == 0);
    close(s[0]);
    close(s[1]);
    check(epoll_wait(ep, &ev, 1, 0) == 0);
    return 0;
}
