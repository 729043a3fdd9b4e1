/* rdhup: a pipe reader registered with EPOLLIN|EPOLLRDHUP after the last
 * writer closed. Linux reports EPOLLHUP only (pipes never set EPOLLRDHUP,
 * nor POLLRDHUP in poll); with rdhup=uniform repoll adds EPOLLRDHUP and
 * POLLRDHUP. Also a FIFO. Prints the flags with RDHUP masked out (they
 * must equal native); with argument "uniform", checks RDHUP is set. */
#include "lint.h"
#include <sys/stat.h>

static int uniform;

static void one(const char *what, int r, int w)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    check(ep >= 0);
    ep_add(ep, r, EPOLLIN | EPOLLRDHUP);
    check(write(w, "x", 1) == 1);
    close(w);
    struct epoll_event ev;
    check(epoll_wait(ep, &ev, 1, 1000) == 1);
    struct pollfd p = {.fd = r, .events = POLLIN | POLLRDHUP};
    check(poll(&p, 1, 0) == 1);
    if (uniform) {
        check(ev.events & EPOLLRDHUP);
        check(p.revents & POLLRDHUP);
    } else {
        check(!(ev.events & EPOLLRDHUP));
        check(!(p.revents & POLLRDHUP));
    }
    printf("%s epoll=%#x poll=%#x\n", what, ev.events & ~EPOLLRDHUP, p.revents & ~POLLRDHUP);
    char c;
    check(read(r, &c, 1) == 1 && read(r, &c, 1) == 0);
    check(epoll_wait(ep, &ev, 1, 0) == 1);
    printf("%s after-eof epoll=%#x\n", what, ev.events & ~EPOLLRDHUP);
    if (uniform)
        check(ev.events & EPOLLRDHUP);
    close(r);
    close(ep);
}

int main(int argc, char **argv)
{
    uniform = argc > 1 && strcmp(argv[1], "uniform") == 0;
    int p[2];
    check(pipe(p) == 0);
    one("pipe", p[0], p[1]);
    char path[64];
    snprintf(path, sizeof path, "/tmp/repoll-rdhup-%d", getpid());
    check(mkfifo(path, 0600) == 0);
    int r = open(path, O_RDONLY | O_NONBLOCK);
    int w = open(path, O_WRONLY);
    check(r >= 0 && w >= 0);
    unlink(path);
    one("fifo", r, w);
    return 0;
}
