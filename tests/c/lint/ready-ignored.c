/* ready-ignored: a level-triggered fd with data is reported again and
 * again and the program never reads it. */
#include "lint.h"

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int sv[2];
    check(ep >= 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    nonblock(sv[0]);
    ep_add(ep, sv[0], EPOLLIN);
    check(write(sv[1], "hello", 5) == 5);
    for (int i = 0; i < 150; i++) {
        struct epoll_event ev;
        check(epoll_wait(ep, &ev, 1, 1000) == 1);
    }
    expect("ready-ignored", sv[0]);
    return 0;
}
