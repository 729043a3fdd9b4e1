/* err-pipe-reader-closed: the write end of a pipe whose read end is closed
 * reports ERR (plus OUT when the pipe is not full), never HUP and never RDHUP;
 * with events 0 it reports ERR alone (EV-PIPE-W-RCLOSED, EV0-PIPE-W-RCLOSED,
 * SEMANTICS 4.2). Writers learn of a dead reader this way before they get
 * EPIPE. */
#include "check.h"

int main(void)
{
    test_start();
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    make_pipe(p);
    int ep = make_epoll(), ep_zero = make_epoll();
    check(ep_add(ep, p[1], EPOLLOUT | EPOLLRDHUP, 1) == 0);
    check(ep_add(ep_zero, p[1], 0, 2) == 0);

    expect_wait("reader open", ep, 8, 0, "OUT data=1");
    expect_wait("events 0, reader open", ep_zero, 8, 0, "none");
    close(p[0]);
    expect_wait("reader closed", ep, 8, 0, "OUT|ERR data=1");
    expect_wait("events 0, reader closed", ep_zero, 8, 0, "ERR data=2");
    expect_err(write(p[1], "x", 1), EPIPE);
    expect_wait("after EPIPE (still level)", ep, 8, 0, "OUT|ERR data=1");

    close(ep);
    close(ep_zero);
    close(p[1]);
    return test_done();
}
