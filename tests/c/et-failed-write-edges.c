/* et-failed-write-edges: whether a write that fails is a wakeup depends on
 * the file. pipe_write() wakes the readers even when it wrote nothing and
 * fails EAGAIN on a full pipe, once the pipe has been polled ("Epoll
 * nonsensically wants a wakeup whether the pipe was already empty or not"),
 * so an ET reader gets an edge. An eventfd write that would overflow the
 * counter fails EAGAIN without a wakeup, and one with a bad size or value
 * fails EINVAL without one: no edge. Found by the differential fuzzer
 * (tests/diff, seeds 21542 and 21373): the emulation missed the pipe's edge
 * and invented the eventfd's. */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    fill(p[1]);
    int ep = make_epoll();
    check(ep_add(ep, p[0], EPOLLIN | EPOLLET, 1) == 0);
    expect_wait("full pipe", ep, 8, 0, "IN data=1");
    expect_wait("consumed", ep, 8, 0, "none");
    expect_err(write(p[1], "x", 1), EAGAIN);
    expect_wait("after a write that failed EAGAIN", ep, 8, 0, "IN data=1");
    close(ep);
    close(p[0]);
    close(p[1]);

    int e = make_eventfd(1, 0);
    ep = make_epoll();
    check(ep_add(ep, e, EPOLLIN | EPOLLOUT | EPOLLET, 2) == 0);
    expect_wait("eventfd", ep, 8, 0, "IN|OUT data=2");
    uint64_t big = 0xfffffffffffffffeULL, bad = ~0ULL;
    expect_err(write(e, &big, 8), EAGAIN);
    expect_wait("after a write that failed EAGAIN", ep, 8, 0, "none");
    expect_err(write(e, &bad, 8), EINVAL);
    expect_err(write(e, "x", 1), EINVAL);
    expect_wait("after writes that failed EINVAL", ep, 8, 0, "none");
    close(ep);
    close(e);
    return test_done();
}
