/* et-eventfd-read-edge-key-is-out: a read of an EFD_SEMAPHORE eventfd takes 1
 * from the count; with a count of 2 the eventfd stays readable. A read wakes
 * the writers with the key EPOLLOUT only (eventfd_read), and an eventfd never
 * reports WRNORM, so an edge-triggered IN|WRNORM item gets no new edge: the
 * key does not meet its interest. (With IN|OUT it would, and report IN|OUT.)
 * Found by the differential fuzzer (tests/diff, seed 102531): the emulation
 * gave the item an edge and reported IN again. */
#include "check.h"

static void one(const char *name, int use_dup, uint32_t ev, const char *want2)
{
    char line[128];
    int e = make_eventfd(2, EFD_SEMAPHORE);
    int d = use_dup ? fcntl(e, F_DUPFD_CLOEXEC, 0) : e;
    check(d >= 0);
    int ep = make_epoll();
    check(ep_add(ep, d, ev | EPOLLET, 1) == 0);
    snprintf(line, sizeof line, "%s: first", name);
    expect_wait(line, ep, 8, 0, ev & EPOLLOUT ? "IN|OUT data=1" : "IN data=1");
    uint64_t v;
    expect_eq("read", read(d, &v, 8), 8);
    expect_eq("value", (long)v, 1);
    snprintf(line, sizeof line, "%s: after a read that left a count of 1", name);
    expect_wait(line, ep, 8, 0, want2);
    struct pollfd p = { d, POLLIN, 0 };
    expect_eq("still readable", poll(&p, 1, 0), 1);
    close(ep);
    if (use_dup) close(d);
    close(e);
}

int main(void)
{
    test_start();
    one("IN", 0, EPOLLIN, "none");
    one("IN|WRNORM", 0, EPOLLIN | EPOLLWRNORM, "none");
    one("IN|WRNORM through a dup", 1, EPOLLIN | EPOLLWRNORM, "none");
    one("IN|OUT", 0, EPOLLIN | EPOLLOUT, "IN|OUT data=1");
    return test_done();
}
