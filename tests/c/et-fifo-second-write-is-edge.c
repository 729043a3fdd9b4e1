/* et-fifo-second-write-is-edge: a FIFO opened twice by path (a reader and a
 * writer that were never created together) behaves like a pipe: every write
 * is a wakeup and an ET edge for the undrained reader (ET-FIFO-1..3); once
 * the writer closes, the reader reports HUP (EV-FIFO-R-WCLOSED). An emulation
 * that links pipe ends at pipe() time must recognise these as one file. */
#include "check.h"

int main(void)
{
    test_start();
    char dir[] = "/tmp/repoll-fifo-XXXXXX";
    check(mkdtemp(dir) != NULL);
    char path[64];
    snprintf(path, sizeof path, "%s/f", dir);
    check(mkfifo(path, 0600) == 0);
    int r = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    check(r >= 0);
    int w = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    check(w >= 0);
    unlink(path);
    rmdir(dir);

    int ep = make_epoll();
    check(ep_add(ep, r, EPOLLIN | EPOLLET, 1) == 0);
    expect_wait("empty", ep, 8, 0, "none");
    put(w, 1);
    expect_wait("write", ep, 8, 0, "IN data=1");
    expect_wait("nothing new", ep, 8, 0, "none");
    put(w, 1);
    expect_wait("second write, undrained", ep, 8, 0, "IN data=1");
    expect_wait("nothing new", ep, 8, 0, "none");
    close(w);
    expect_wait("writer closed", ep, 8, 0, "IN|HUP data=1");
    check(drain(r) == 2);
    expect_wait("drained", ep, 8, 0, "none");

    close(ep);
    close(r);
    return test_done();
}
