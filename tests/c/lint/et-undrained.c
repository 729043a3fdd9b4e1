/* et-undrained: an EPOLLET socket reported readable, read once (a full
 * 1024-byte count, no EAGAIN), and the loop waits again. Linux sends no
 * new edge for the 7 KiB still queued: the connection stalls.
 * options below make the check fire after 50 ms. */
// options: lint_et_undrained_ms=50
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int sv[2];
    check(ep >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    nonblock(sv[0]);
    ep_add(ep, sv[0], EPOLLIN | EPOLLET);
    char buf[8192];
    memset(buf, 'a', sizeof buf);
    check(write(sv[1], buf, sizeof buf) == (ssize_t)sizeof buf);
    int events = 0;
    for (int i = 0; i < 5; i++) {
        struct epoll_event ev;
        int n = epoll_wait(ep, &ev, 1, 40);
        if (n == 1) {
            events++;
            check(read(sv[0], buf, 1024) == 1024);
        }
    }
    check(events == 1);
    expect("et-undrained", sv[0]);
    return 0;
}
