/* Correct: the client half-closes (shutdown SHUT_WR) and keeps reading;
 * the server sees EPOLLRDHUP / a read of 0, sends its reply and closes.
 * The program lives well past halfclose_timeout_ms afterwards. */
// options: halfclose_timeout_ms=50
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
    ep_add(ep, c, EPOLLIN | EPOLLRDHUP);
    check(write(c, "request", 7) == 7);
    check(shutdown(c, SHUT_WR) == 0);
    int client_done = 0;
    for (int i = 0; i < 10 && !client_done; i++) {
        struct epoll_event evs[4];
        int n = epoll_wait(ep, evs, 4, 100);
        for (int k = 0; k < n; k++) {
            int fd = evs[k].data.fd;
            char b[64];
            if (fd == s) {
                ssize_t r;
                while ((r = read(s, b, sizeof b)) > 0) {
                }
                if (r == 0) {
                    check(write(s, "reply", 5) == 5);
                    check(epoll_ctl(ep, EPOLL_CTL_DEL, s, NULL) == 0);
                    close(s);
                }
            } else if (fd == c) {
                ssize_t r;
                while ((r = read(c, b, sizeof b)) > 0) {
                }
                if (r == 0) {
                    check(epoll_ctl(ep, EPOLL_CTL_DEL, c, NULL) == 0);
                    close(c);
                    client_done = 1;
                }
            }
        }
    }
    check(client_done);
    msleep(250);
    struct epoll_event ev;
    check(epoll_wait(ep, &ev, 1, 0) == 0);
    return 0;
}
