/* hup-pipe-writer-closed: the read end of a pipe reports HUP once every write
 * end is closed: IN|HUP while data remains, HUP alone once drained. Pipes
 * never report RDHUP, even when it is requested (EV-PIPE-R-WCLOSED,
 * EV-PIPE-R-WCLOSED-DATA, SEMANTICS 4.2, MUST 5). poll(2) with POLLRDHUP
 * gives the same answer; an emulation must not synthesise RDHUP from HUP.
 * HUP is reported for events 0 too. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll(), ep_zero = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLRDHUP | EPOLLPRI, 1) == 0);
    check(ep_add(ep_zero, p[0], 0, 2) == 0);

    put(p[1], 2);
    expect_wait("data, writer open", ep, 8, 0, "IN data=1");
    close(p[1]);
    expect_wait("data, writer closed", ep, 8, 0, "IN|HUP data=1");
    expect_wait("events 0, writer closed", ep_zero, 8, 0, "HUP data=2");
    check(drain(p[0]) == 2);
    expect_wait("drained, writer closed", ep, 8, 0, "HUP data=1");
    expect_wait("again (level)", ep, 8, 0, "HUP data=1");

    close(ep);
    close(ep_zero);
    close(p[0]);
    return test_done();
}
