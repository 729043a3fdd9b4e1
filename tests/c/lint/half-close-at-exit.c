/* half-close-ignored at exit: a short-lived program whose peer
 * half-closed is reported when it exits, before the timeout, followed by
 * the table of half-closed connections. */
#include "lint.h"

int main(void)
{
    int port;
    int l = tcp_listener(&port);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int c = tcp_connect(port);
    int s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    check(ep >= 0 && s >= 0);
    ep_add(ep, s, EPOLLIN | EPOLLRDHUP);
    check(write(c, "bye", 3) == 3);
    check(shutdown(c, SHUT_WR) == 0);
    struct epoll_event ev;
    check(epoll_wait(ep, &ev, 1, 1000) == 1 && (ev.events & EPOLLRDHUP));
    printf("expect half-close-ignored %d peer=127.0.0.1:%d state=CLOSE_WAIT\n", s, local_port(c));
    printf("expect-table %d\n", s);
    return 0;
}
