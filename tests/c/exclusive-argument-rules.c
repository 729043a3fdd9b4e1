/* exclusive-argument-rules: EPOLLEXCLUSIVE is only valid on ADD; with it the
 * other bits must be a subset of IN|OUT|ERR|HUP|WAKEUP|ET, so ONESHOT, RDHUP,
 * PRI or RDNORM with EXCLUSIVE are EINVAL; an item added with EXCLUSIVE can
 * never be MODified (EINVAL, DEL and re-ADD instead); MOD with EXCLUSIVE of
 * a normal item is EINVAL; an epoll fd cannot be a target of an exclusive ADD
 * (ERR-EXCL-1..13, SEMANTICS 2.3). Exclusive misuse beats ENOENT, a valid
 * exclusive ADD of an existing item is EEXIST (ERR-PREC-CTL-10..12). */
#include "check.h"

int main(void)
{
    test_start();
    int p[2];
    make_pipe(p);
    int ep = make_epoll();
    int inner = make_epoll();
    int r = p[0];
    const uint32_t X = EPOLLEXCLUSIVE;

    expect_err(ep_add(ep, r, X | EPOLLIN | EPOLLONESHOT, 0), EINVAL);
    expect_err(ep_add(ep, r, X | EPOLLIN | EPOLLRDHUP, 0), EINVAL);
    expect_err(ep_add(ep, r, X | EPOLLIN | EPOLLPRI, 0), EINVAL);
    expect_err(ep_add(ep, r, X | EPOLLIN | EPOLLRDNORM, 0), EINVAL);
    expect_err(ep_add(ep, inner, X | EPOLLIN, 0), EINVAL);
    expect_err(ep_mod(ep, r, X | EPOLLIN, 0), EINVAL);            /* not registered: EINVAL beats ENOENT */

    expect_ok(ep_add(ep, r, X | EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLET, 0));
    expect_err(ep_add(ep, r, X | EPOLLIN, 0), EEXIST);
    expect_err(ep_add(ep, r, X | EPOLLIN | EPOLLONESHOT, 0), EINVAL);  /* EINVAL beats EEXIST */
    expect_err(ep_mod(ep, r, EPOLLIN, 0), EINVAL);
    expect_err(ep_mod(ep, r, X | EPOLLIN, 0), EINVAL);
    expect_ok(ep_del(ep, r));

    expect_ok(ep_add(ep, r, X, 0));
    expect_ok(ep_del(ep, r));
    expect_ok(ep_add(ep, r, X | EPOLLIN | EPOLLWAKEUP, 0));
    expect_ok(ep_del(ep, r));

    expect_ok(ep_add(ep, r, EPOLLIN, 0));
    expect_err(ep_mod(ep, r, X | EPOLLIN, 0), EINVAL);
    expect_ok(ep_del(ep, r));

    close(inner);
    close(ep);
    close(p[0]);
    close(p[1]);
    return test_done();
}
