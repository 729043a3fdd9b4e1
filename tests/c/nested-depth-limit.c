/* nested-depth-limit: a chain may hold at most 5 epoll instances (4 nesting
 * links). Building it bottom-up or top-down, the link that would make a 6th
 * level is ELOOP (NEST-DEPTH-1/2); joining two chains of 3 into 6 is ELOOP,
 * while 3+2 is fine (NEST-DEPTH-3/4); readiness travels through all five
 * levels (NEST-DEPTH-5, SEMANTICS 9.5, MUST 16). */
#include "check.h"

int main(void)
{
    test_start();
    int e[6];
    int p[2];
    make_pipe(p);

    /* bottom-up: e[i] is added to e[i+1]; e[0] is the innermost */
    for (int i = 0; i < 6; i++) e[i] = make_epoll();
    check(ep_add(e[0], p[0], EPOLLIN, 42) == 0);
    for (int i = 0; i < 4; i++) expect_ok(ep_add(e[i + 1], e[i], EPOLLIN, (uint64_t)i + 1));
    expect_err(ep_add(e[5], e[4], EPOLLIN, 5), ELOOP);
    put(p[1], 1);
    expect_wait("top of a 5-level chain, bottom readable", e[4], 8, 0, "IN data=4");
    expect_wait("bottom", e[0], 8, 0, "IN data=42");
    check(drain(p[0]) == 1);
    expect_wait("top after drain", e[4], 8, 0, "none");
    for (int i = 0; i < 6; i++) close(e[i]);

    /* top-down: e[0] is the outermost, e[i+1] is added to e[i] */
    for (int i = 0; i < 6; i++) e[i] = make_epoll();
    for (int i = 0; i < 4; i++) expect_ok(ep_add(e[i], e[i + 1], EPOLLIN, 0));
    expect_err(ep_add(e[4], e[5], EPOLLIN, 0), ELOOP);
    for (int i = 0; i < 6; i++) close(e[i]);

    /* two chains of three: x2 <- x1 <- x0 and y2 <- y1 <- y0 (x0, y0 innermost) */
    int x[3], y[3];
    for (int i = 0; i < 3; i++) { x[i] = make_epoll(); y[i] = make_epoll(); }
    for (int i = 0; i < 2; i++) {
        check(ep_add(x[i + 1], x[i], EPOLLIN, 0) == 0);
        check(ep_add(y[i + 1], y[i], EPOLLIN, 0) == 0);
    }
    expect_err(ep_add(x[0], y[2], EPOLLIN, 0), ELOOP);    /* 3 + 3 = 6 levels */
    int w[2] = { make_epoll(), make_epoll() };
    check(ep_add(w[1], w[0], EPOLLIN, 0) == 0);           /* chain of 2: w1 <- w0 */
    expect_ok(ep_add(x[0], w[1], EPOLLIN, 0));             /* 3 + 2 = 5 levels */
    for (int i = 0; i < 3; i++) { close(x[i]); close(y[i]); }
    close(w[0]);
    close(w[1]);

    close(p[0]);
    close(p[1]);
    return test_done();
}
