/* rdhup: a TCP socket whose peer shut down its write side: Linux reports
 * EPOLLRDHUP itself; repoll gives exactly the same in both modes. A
 * registration that did not ask for EPOLLRDHUP never gets it. */
#include "lint.h"

int main(void)
{
    int port;
    int l = tcp_listener(&port);
    int c = tcp_connect(port);
    int s = accept(l, NULL, NULL);
    check(s >= 0);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int ep2 = epoll_create1(EPOLL_CLOEXEC);
    ep_add(ep, s, EPOLLIN | EPOLLRDHUP);
    ep_add(ep2, s, EPOLLIN);
    check(shutdown(c, SHUT_WR) == 0);
    struct epoll_event ev, ev2;
    check(epoll_wait(ep, &ev, 1, 1000) == 1);
    check(epoll_wait(ep2, &ev2, 1, 1000) == 1);
    check(ev.events & EPOLLRDHUP);
    check(!(ev2.events & EPOLLRDHUP));
    printf("tcp epoll=%#x without-rdhup=%#x\n", ev.events, ev2.events);
    close(s);
    close(c);
    return 0;
}
