/* errors-create: epoll_create rejects a size <= 0 with EINVAL (the size is
 * otherwise only a hint, INT_MAX is fine) and never sets FD_CLOEXEC;
 * epoll_create1 accepts only EPOLL_CLOEXEC (== O_CLOEXEC) and sets
 * FD_CLOEXEC exactly when asked (ERR-CREATE-1..6, ERR-CREATE1-1..5,
 * ERR-CREATE1-7, SEMANTICS 2.1). A new epoll fd is O_RDWR without
 * O_NONBLOCK (ERR-CREATE1-6). */
#include "check.h"

static const char *cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFD);
    check(fl >= 0);
    return (fl & FD_CLOEXEC) ? "FD_CLOEXEC" : "no FD_CLOEXEC";
}

int main(void)
{
    test_start();
    expect_err(epoll_create(0), EINVAL);
    expect_err(epoll_create(-1), EINVAL);
    expect_err(epoll_create(INT_MIN), EINVAL);
    expect_err(epoll_create1(O_NONBLOCK), EINVAL);
    expect_err(epoll_create1(-1), EINVAL);
    expect_err(epoll_create1(1), EINVAL);
    expect_err(epoll_create1(EPOLL_CLOEXEC | O_NONBLOCK), EINVAL);
    say("EPOLL_CLOEXEC == O_CLOEXEC: %s", EPOLL_CLOEXEC == O_CLOEXEC ? "yes" : "no");

    int fd = epoll_create(1);
    check(fd >= 0);
    say("epoll_create(1): %s", cloexec(fd));
    check(!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
    close(fd);

    fd = epoll_create(INT_MAX);
    check(fd >= 0);
    say("epoll_create(INT_MAX): %s", cloexec(fd));
    close(fd);

    fd = epoll_create1(0);
    check(fd >= 0);
    say("epoll_create1(0): %s", cloexec(fd));
    check(!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
    int fl = fcntl(fd, F_GETFL);
    check(fl >= 0);
    say("F_GETFL access mode O_RDWR: %s, O_NONBLOCK: %s",
        (fl & O_ACCMODE) == O_RDWR ? "yes" : "no", (fl & O_NONBLOCK) ? "yes" : "no");
    check((fl & O_ACCMODE) == O_RDWR && !(fl & O_NONBLOCK));
    close(fd);

    fd = epoll_create1(EPOLL_CLOEXEC);
    check(fd >= 0);
    say("epoll_create1(EPOLL_CLOEXEC): %s", cloexec(fd));
    check(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);

    return test_done();
}
