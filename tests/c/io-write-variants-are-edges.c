/* io-write-variants-are-edges: every call that adds data to a file wakes its
 * readers, so each is an ET edge on an undrained reader, not just write():
 * writev, send, sendto, sendmsg, sendmmsg, pwritev2 with offset -1 into a
 * unix stream socket, and splice, tee, vmsplice into a pipe (IO-W-*,
 * SEMANTICS 11.1, MUST 7/29). The reader is never drained between the calls,
 * so only the wakeup itself can produce the event. An emulation must see
 * every one of these paths. */
#include "check.h"
#include <sys/uio.h>

static int g_ep;

static void edge(const char *label, ssize_t r)
{
    check(r > 0);
    char want[64];
    snprintf(want, sizeof want, "IN data=1");
    expect_wait(label, g_ep, 8, 0, want);
}

int main(void)
{
    test_start();
    int s[2], p[2], src[2], dst[2];
    make_socketpair(SOCK_STREAM, s);
    make_pipe(p);
    make_pipe(src);
    make_pipe(dst);
    g_ep = make_epoll();
    check(ep_add(g_ep, s[0], EPOLLIN | EPOLLET, 1) == 0);

    char x = 'x';
    struct iovec iov = { &x, 1 };
    struct msghdr mh;
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    struct mmsghdr mm;
    memset(&mm, 0, sizeof mm);
    mm.msg_hdr = mh;

    edge("write", write(s[1], "x", 1));
    edge("writev", writev(s[1], &iov, 1));
    edge("send", send(s[1], "x", 1, 0));
    edge("sendto", sendto(s[1], "x", 1, 0, NULL, 0));
    edge("sendmsg", sendmsg(s[1], &mh, 0));
    edge("sendmmsg", sendmmsg(s[1], &mm, 1, 0));
    edge("pwritev2 offset -1", pwritev2(s[1], &iov, 1, -1, 0));
    expect_wait("nothing new", g_ep, 8, 0, "none");
    check(drain(s[0]) == 7);

    /* pipe targets: the ET item is now dst's read end */
    check(ep_del(g_ep, s[0]) == 0);
    check(ep_add(g_ep, dst[0], EPOLLIN | EPOLLET, 1) == 0);
    put(src[1], 4);
    edge("splice pipe to pipe", splice(src[0], NULL, dst[1], NULL, 1, SPLICE_F_NONBLOCK));
    edge("tee pipe to pipe", tee(src[0], dst[1], 1, SPLICE_F_NONBLOCK));
    edge("vmsplice into a pipe", vmsplice(dst[1], &iov, 1, SPLICE_F_NONBLOCK));
    expect_wait("nothing new", g_ep, 8, 0, "none");

    close(g_ep);
    close(s[0]); close(s[1]);
    close(p[0]); close(p[1]);
    close(src[0]); close(src[1]);
    close(dst[0]); close(dst[1]);
    return test_done();
}
