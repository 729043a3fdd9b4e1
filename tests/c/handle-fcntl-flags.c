/* handle-fcntl-flags: the epoll fd's status flags are those of a real open
 * file: F_GETFL shows O_RDWR without O_NONBLOCK; O_NONBLOCK can be set and
 * cleared with F_SETFL and F_GETFL reflects it, although epoll_wait ignores
 * it and still honours its timeout (ERR-CREATE1-6, TMO-11); FD_CLOEXEC
 * follows F_SETFD; a dup has its own FD_CLOEXEC but shares the status flags.
 * Libraries (libuv, Python) check and set these flags on every fd they own. */
#include "check.h"

static void show(const char *label, int fd)
{
    int fl = fcntl(fd, F_GETFL);
    int fdfl = fcntl(fd, F_GETFD);
    check(fl >= 0 && fdfl >= 0);
    say("%s: access %s, O_NONBLOCK %s, FD_CLOEXEC %s", label,
        (fl & O_ACCMODE) == O_RDWR ? "O_RDWR" : (fl & O_ACCMODE) == O_RDONLY ? "O_RDONLY" : "O_WRONLY",
        (fl & O_NONBLOCK) ? "yes" : "no", (fdfl & FD_CLOEXEC) ? "yes" : "no");
}

int main(void)
{
    test_start();
    int ep = epoll_create1(0);
    check(ep >= 0);
    show("new instance", ep);
    check(fcntl(ep, F_SETFL, O_NONBLOCK) == 0);
    show("after F_SETFL O_NONBLOCK", ep);
    check(fcntl(ep, F_GETFL) & O_NONBLOCK);
    int d = dup(ep);
    check(d >= 0);
    show("dup", d);
    struct epoll_event ev;
    long long t0 = now_ns();
    expect_eq("epoll_wait 30 ms on an O_NONBLOCK epoll fd", epoll_wait(ep, &ev, 1, 30), 0);
    say("waited at least 30 ms: %s", now_ns() - t0 >= 30000000LL ? "yes" : "no");
    check(fcntl(ep, F_SETFL, 0) == 0);
    show("after F_SETFL 0", ep);
    show("dup after F_SETFL 0 on the original", d);
    check(fcntl(ep, F_SETFD, FD_CLOEXEC) == 0);
    show("after F_SETFD FD_CLOEXEC", ep);
    show("dup (own FD_CLOEXEC)", d);
    close(d);
    close(ep);
    return test_done();
}
