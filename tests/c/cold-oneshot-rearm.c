/* cold-oneshot-rearm: an idle one-shot registration fires once when
 * another process writes, stays disarmed while more data arrives, and
 * fires again after EPOLL_CTL_MOD re-arms it (SEMANTICS 5), also when it
 * had been idle long enough to leave repoll's hot set. */
#include "check.h"

#define PAIRS 80

int main(void)
{
    test_start();
    int s[PAIRS][2], ctl[2];
    int ep = make_epoll();
    for (int i = 0; i < PAIRS; i++) {
        make_socketpair(SOCK_STREAM, s[i]);
        check(ep_add(ep, s[i][0], EPOLLIN | EPOLLONESHOT, i) == 0);
    }
    check(pipe(ctl) == 0);
    pid_t child = fork();
    check(child >= 0);
    if (child == 0) {
        close(ctl[1]);
        char c;
        while (read(ctl[0], &c, 1) == 1)
            write(s[c - '0'][1], "x", 1);
        _exit(0);
    }
    close(ctl[0]);
    expect_wait("idle for a while", ep, 8, 150, "none");
    expect_wait("still idle", ep, 8, 100, "none");
    check(write(ctl[1], "7", 1) == 1);
    expect_wait("one-shot fires", ep, 8, 5000, "IN data=7");
    check(write(ctl[1], "7", 1) == 1);
    usleep(100 * 1000);
    expect_wait("disarmed: nothing", ep, 8, 150, "none");
    check(ep_mod(ep, s[7][0], EPOLLIN | EPOLLONESHOT, 7) == 0);
    expect_wait("re-armed, data pending", ep, 8, 0, "IN data=7");
    take(s[7][0], 2);
    check(ep_mod(ep, s[7][0], EPOLLIN | EPOLLONESHOT, 7) == 0);
    expect_wait("re-armed and idle for a while", ep, 8, 150, "none");
    check(write(ctl[1], "7", 1) == 1);
    expect_wait("fires again", ep, 8, 5000, "IN data=7");
    close(ctl[1]);
    int st;
    check(waitpid(child, &st, 0) == child && WIFEXITED(st));
    test_done();
}
