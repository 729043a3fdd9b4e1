/* half-close-ignored: a TCP server on 127.0.0.1 whose clients shut down
 * their side. Connection A: the server reads 0, deletes the fd from epoll
 * and forgets to close it. Connection B: watched for EPOLLOUT only, it
 * never notices the FIN. Both sit in CLOSE_WAIT holding a descriptor. */
// options: halfclose_timeout_ms=150
#include "lint.h"

int main(void)
{
    int port;
    int l = tcp_listener(&port);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0);
    int ca = tcp_connect(port), cb = tcp_connect(port);
    int a = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int b = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    check(a >= 0 && b >= 0);
    ep_add(ep, a, EPOLLIN);
    ep_add(ep, b, EPOLLOUT | EPOLLET);
    check(shutdown(ca, SHUT_WR) == 0);
    check(close(cb) == 0);
    int t0 = 0;
    for (int i = 0; i < 12; i++) {
        struct epoll_event evs[4];
        int n = epoll_wait(ep, evs, 4, 50);
        for (int k = 0; k < n; k++) {
            int fd = evs[k].data.fd;
            if (fd == a && (evs[k].events & EPOLLIN)) {
                char buf[64];
                if (read(a, buf, sizeof buf) == 0)
                    check(epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL) == 0);
            }
        }
        t0++;
    }
    printf("expect half-close-ignored %d peer=127.0.0.1:%d state=CLOSE_WAIT\n", a, local_port(ca));
    printf("expect half-close-ignored %d peer=? state=CLOSE_WAIT\n", b);
    return 0;
}
