/* cold-other-process-write-wakes: registrations that sat idle long enough
 * to leave repoll's hot set (cold_after_ms, 50 ms by default; they are then
 * watched by its helper thread) still report every wakeup at once: a write
 * by another process into one of 100 idle socketpairs, an edge-triggered
 * pipe, an idle descriptor inside a nested instance, and an in-process
 * write. Natively these are plain epoll wakeups (SEMANTICS 11.1, 9). Waits
 * that expect an event use a 5 s timeout. */
#include "check.h"

#define PAIRS 100

int main(void)
{
    test_start();
    int s[PAIRS][2], p[2], in[10][2], ctl[2];
    int ep = make_epoll(), inner = make_epoll(), outer = make_epoll();
    for (int i = 0; i < PAIRS; i++) {
        make_socketpair(SOCK_STREAM, s[i]);
        check(ep_add(ep, s[i][0], EPOLLIN, i) == 0);
    }
    make_pipe(p);
    check(ep_add(ep, p[0], EPOLLIN | EPOLLET, 1000) == 0);
    for (int i = 0; i < 10; i++) {
        make_socketpair(SOCK_STREAM, in[i]);
        check(ep_add(inner, in[i][0], EPOLLIN, 500 + i) == 0);
    }
    check(ep_add(outer, inner, EPOLLIN, 77) == 0);
    check(pipe(ctl) == 0);

    pid_t child = fork();
    check(child >= 0);
    if (child == 0) {
        close(ctl[1]);
        char c;
        while (read(ctl[0], &c, 1) == 1) {
            if (c == 'a') write(s[37][1], "x", 1);
            else if (c == 'b') write(p[1], "x", 1);
            else if (c == 'c') write(in[5][1], "x", 1);
        }
        _exit(0);
    }
    close(ctl[0]);

    expect_wait("idle for a while", ep, 8, 150, "none");
    expect_wait("outer idle for a while", outer, 8, 150, "none");
    expect_wait("still idle", ep, 8, 100, "none");

    check(write(ctl[1], "a", 1) == 1);
    expect_wait("child wrote into idle pair 37", ep, 8, 5000, "IN data=37");
    take(s[37][0], 1);
    expect_wait("drained", ep, 8, 0, "none");

    check(write(ctl[1], "b", 1) == 1);
    expect_wait("child wrote into the idle ET pipe", ep, 8, 5000, "IN data=1000");
    expect_wait("ET: reported once", ep, 8, 0, "none");
    take(p[0], 1);

    check(write(ctl[1], "c", 1) == 1);
    expect_wait("child wrote into an idle pair of the nested instance", outer, 8, 5000, "IN data=77");
    expect_wait("inner reports the pair", inner, 8, 0, "IN data=505");
    take(in[5][0], 1);
    expect_wait("inner drained", inner, 8, 0, "none");

    expect_wait("idle again", ep, 8, 150, "none");
    check(write(s[60][1], "y", 1) == 1);
    expect_wait("in-process write into idle pair 60", ep, 8, 0, "IN data=60");
    take(s[60][0], 1);
    check(write(s[99][1], "z", 1) == 1);
    expect_wait("in-process write, blocking wait", ep, 8, 5000, "IN data=99");
    take(s[99][0], 1);

    close(ctl[1]);
    int st;
    check(waitpid(child, &st, 0) == child && WIFEXITED(st));
    test_done();
}
