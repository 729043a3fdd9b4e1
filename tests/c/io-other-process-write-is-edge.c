/* io-other-process-write-is-edge: writes made by another process (a forked
 * child here) into a watched pipe or socket are wakeups like any other: each
 * one is an ET edge for an undrained reader (IO-XPROC-1, SEMANTICS 11.1,
 * MUST 8). A preload library cannot intercept them; SEMANTICS 15 suggests
 * comparing FIONREAD with the last seen value. The child writes one byte per
 * command it receives on a control pipe, so the sequence is deterministic;
 * waits that expect an event use a 5 s timeout. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2], s[2], ctl[2];
    make_pipe(p);
    make_socketpair(SOCK_STREAM, s);
    check(pipe(ctl) == 0);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLET, 1) == 0);
    check(ep_add(ep, s[0], EPOLLIN | EPOLLET, 2) == 0);

    pid_t child = fork();
    check(child >= 0);
    if (child == 0) {
        close(ctl[1]);
        char c;
        while (read(ctl[0], &c, 1) == 1) {
            if (c == 'p') write(p[1], "x", 1);
            else if (c == 's') write(s[1], "x", 1);
        }
        _exit(0);
    }
    close(ctl[0]);

    check(write(ctl[1], "p", 1) == 1);
    expect_wait("child wrote into the pipe", ep, 8, 5000, "IN data=1");
    expect_wait("nothing new", ep, 8, 0, "none");
    check(write(ctl[1], "p", 1) == 1);
    expect_wait("child wrote again, undrained", ep, 8, 5000, "IN data=1");
    check(write(ctl[1], "s", 1) == 1);
    expect_wait("child wrote into the socket", ep, 8, 5000, "IN data=2");
    check(write(ctl[1], "s", 1) == 1);
    expect_wait("child wrote again, undrained", ep, 8, 5000, "IN data=2");
    check(write(ctl[1], "p", 1) == 1);
    check(write(ctl[1], "s", 1) == 1);
    close(ctl[1]);
    int st;
    check(waitpid(child, &st, 0) == child);
    expect_wait("both after the child exited", ep, 8, 5000, "IN data=1, IN data=2");
    check(drain(p[0]) == 3);
    check(drain(s[0]) == 3);

    close(ep);
    close(p[0]); close(p[1]);
    close(s[0]); close(s[1]);
    return test_done();
}
