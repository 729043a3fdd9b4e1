use super::*;

// Unit tests of the pure registry, one behaviour each (STYLE.md section 7).
// Check IDs in comments refer to shared/epoll-spec/SEMANTICS.md.
//
// Conventions: a registration's `data` names it (fd 1 has data 1, ...), and
// `wait` plays one epoll_wait: `collect` then `commit` of everything chosen,
// returning (data, events) pairs in report order.

fn key(fd: i32) -> Key {
    Key {
        fd,
        file: 1000 + fd as u64,
    }
}

fn wait(r: &mut Interest<()>, maxevents: usize) -> Vec<(u64, u32)> {
    let mut out = vec![Ready::default(); maxevents];
    let n = r.collect(&mut out);
    r.commit(&out[..n]);
    out[..n].iter().map(|e| (e.data, e.events)).collect()
}

/// The `data` of each report, in order.
fn wait_data(r: &mut Interest<()>, maxevents: usize) -> Vec<u64> {
    wait(r, maxevents).into_iter().map(|(d, _)| d).collect()
}

/// Registers fd `fd` (data = fd) with `events`; returns its slot.
fn add(r: &mut Interest<()>, fd: i32, events: u32) -> u32 {
    r.add(key(fd), events, fd as u64, ()).expect("add")
}

/// Registers fd `fd` and observes it ready with `state` (as ep_insert polls).
fn add_ready(r: &mut Interest<()>, fd: i32, events: u32, state: u32) -> u32 {
    let slot = add(r, fd, events);
    assert!(r.observe(slot, state, 0), "fd {fd} should be queued at ADD");
    slot
}

// ---------------------------------------------------------------------------
// Level triggered (3.1.1, LT-T-n)

#[test]
fn lt_reports_nothing_while_not_ready() {
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN);
    assert!(!r.observe(s, 0, 0));
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn lt_reports_on_every_wait_while_ready() {
    let mut r = Interest::new();
    add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    for _ in 0..3 {
        assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
    }
}

#[test]
fn lt_partial_consume_keeps_reporting() {
    let mut r = Interest::new();
    let s = add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
    // LT-T-4: one unit consumed, still readable.
    r.observe(s, EPOLLIN, 0);
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
}

#[test]
fn lt_stops_reporting_once_drained() {
    let mut r = Interest::new();
    let s = add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
    // LT-T-5: consume all.
    assert!(!r.observe(s, 0, 0));
    assert!(wait(&mut r, 8).is_empty());
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn lt_ignores_state_outside_interest() {
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLOUT);
    assert!(!r.observe(s, EPOLLIN, 0));
    assert!(!r.get(s).unwrap().is_linked());
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn lt_queues_on_ready_state_without_a_new_bit() {
    // IN was already observed while the interest was OUT; once the
    // interest covers it, observing the same state queues the LT entry.
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLOUT);
    assert!(!r.observe(s, EPOLLIN, 0));
    r.modify(key(1), EPOLLIN, 1).unwrap();
    assert!(r.observe(s, EPOLLIN, 0));
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
}

#[test]
fn lt_requeues_when_ready_again_after_being_dropped() {
    let mut r = Interest::new();
    let s = add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    r.observe(s, 0, 0);
    assert!(wait(&mut r, 8).is_empty());
    assert!(r.observe(s, EPOLLIN, EPOLLIN));
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
}

// ---------------------------------------------------------------------------
// Edge triggered (3.1.2, 3.3, ET-T-n)

#[test]
fn et_add_of_ready_fd_reports_once() {
    // ET-PIPE-9: the ADD-time poll is an edge.
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN | EPOLLET);
    assert!(r.observe(s, EPOLLIN, 0));
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn et_reports_once_per_edge() {
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN | EPOLLET);
    assert!(r.observe(s, EPOLLIN, EPOLLIN)); // ET-T-1
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
    assert!(wait(&mut r, 8).is_empty()); // ET-T-2

    // Re-observing the same state with no wakeup is not an edge.
    assert!(!r.observe(s, EPOLLIN, 0));
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn et_new_wakeup_key_requeues_undrained_entry() {
    // ET-T-3: every write is an edge, even if nothing was read.
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN | EPOLLET);
    r.observe(s, EPOLLIN, EPOLLIN);
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
    assert!(r.observe(s, EPOLLIN, EPOLLIN));
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn et_partial_read_is_not_an_edge() {
    // ET-T-4: reading is no wakeup for the read side.
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN | EPOLLET);
    r.observe(s, EPOLLIN, EPOLLIN);
    wait(&mut r, 8);
    assert!(!r.observe(s, EPOLLIN, 0));
    assert!(!r.has_reportable());
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn et_drained_then_refilled_is_an_edge() {
    // ET-T-5, ET-T-6: the state went 0 then IN: IN newly appeared.
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN | EPOLLET);
    r.observe(s, EPOLLIN, EPOLLIN);
    wait(&mut r, 8);
    assert!(!r.observe(s, 0, 0));
    assert!(wait(&mut r, 8).is_empty());
    assert!(r.observe(s, EPOLLIN, 0));
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
}

#[test]
fn et_filters_wakeup_outside_interest() {
    // ET-USTREAM-11: an OUT|ET item gets nothing from a peer write.
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLOUT | EPOLLET);
    assert!(r.observe(s, EPOLLOUT, 0));
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLOUT)]);
    assert!(!r.observe(s, EPOLLOUT | EPOLLIN, EPOLLIN));
    assert!(!r.get(s).unwrap().is_linked());
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn et_edge_reports_full_current_state() {
    // ET-USTREAM-8..10: OUT once, then a peer write reports IN|OUT.
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN | EPOLLOUT | EPOLLET);
    r.observe(s, EPOLLOUT, 0);
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLOUT)]);
    assert!(wait(&mut r, 8).is_empty());
    assert!(r.observe(s, EPOLLIN | EPOLLOUT, EPOLLIN));
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN | EPOLLOUT)]);
}

#[test]
fn et_new_hup_is_an_edge_without_being_requested() {
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN | EPOLLET);
    r.observe(s, EPOLLIN, EPOLLIN);
    wait(&mut r, 8);
    assert!(r.observe(s, EPOLLIN | EPOLLHUP, 0));
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN | EPOLLHUP)]);
}

#[test]
fn et_wakeup_of_queued_entry_does_not_move_it() {
    // ORD-6
    let mut r = Interest::new();
    let a = add(&mut r, 1, EPOLLIN | EPOLLET);
    let b = add(&mut r, 2, EPOLLIN | EPOLLET);
    assert!(r.observe(a, EPOLLIN, EPOLLIN));
    assert!(r.observe(b, EPOLLIN, EPOLLIN));
    r.observe(a, EPOLLIN, EPOLLIN);
    assert_eq!(r.linked_len(), 2);
    assert_eq!(wait_data(&mut r, 8), vec![1, 2]);
}

#[test]
fn observe_of_queued_entry_tells_whether_it_was_woken() {
    // The return value a nested parent uses as an edge (ET-NESTED-3): an
    // already queued entry that receives a wakeup still answers true.
    let mut r = Interest::new();
    let et = add(&mut r, 1, EPOLLIN | EPOLLET);
    let lt = add(&mut r, 2, EPOLLIN);
    assert!(r.observe(et, EPOLLIN, EPOLLIN));
    assert!(r.observe(lt, EPOLLIN, 0));
    // A wakeup key in the interest, or a bit that newly appeared: woken.
    assert!(r.observe(et, EPOLLIN, EPOLLIN));
    assert!(r.observe(lt, EPOLLIN | EPOLLHUP, 0));
    // Same state and no key, or a key outside the interest: not woken.
    assert!(!r.observe(et, EPOLLIN, 0));
    assert!(!r.observe(lt, EPOLLIN | EPOLLHUP, 0));
    assert!(!r.observe(et, EPOLLIN | EPOLLOUT, EPOLLOUT));
    assert_eq!(r.linked_len(), 2);
}

#[test]
fn observe_of_disarmed_oneshot_is_never_a_wakeup() {
    let mut r = Interest::new();
    let s = add_ready(&mut r, 1, EPOLLIN | EPOLLONESHOT, EPOLLIN);
    wait(&mut r, 8);
    assert!(!r.observe(s, 0, 0));
    assert!(!r.observe(s, EPOLLIN | EPOLLHUP, EPOLLIN));
}

#[test]
fn et_entries_reported_once_each_in_queue_order() {
    // ORD-5
    let mut r = Interest::new();
    let slots: Vec<u32> = (1..=3)
        .map(|fd| add(&mut r, fd, EPOLLIN | EPOLLET))
        .collect();
    for &s in slots.iter().rev() {
        r.observe(s, EPOLLIN, EPOLLIN);
    }
    assert_eq!(wait_data(&mut r, 1), vec![3]);
    assert_eq!(wait_data(&mut r, 1), vec![2]);
    assert_eq!(wait_data(&mut r, 1), vec![1]);
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn clear_state_makes_next_observation_an_edge() {
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN | EPOLLET);
    r.observe(s, EPOLLIN, EPOLLIN);
    wait(&mut r, 8);
    // Without clear_state the same state is no edge ...
    assert!(!r.observe(s, EPOLLIN, 0));
    // ... after it, the same state is one.
    r.clear_state(s, EPOLLIN);
    assert_eq!(r.get(s).unwrap().state, 0);
    assert!(r.observe(s, EPOLLIN, 0));
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
}

#[test]
fn clear_state_forgets_only_the_given_bits() {
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN | EPOLLOUT | EPOLLET);
    r.observe(s, EPOLLIN | EPOLLOUT, 0);
    wait(&mut r, 8);
    r.clear_state(s, EPOLLIN);
    assert_eq!(r.get(s).unwrap().state, EPOLLOUT);
}

// ---------------------------------------------------------------------------
// One-shot (3.1.4, 3.1.5, OS-T-n, ETOS-T-n)

#[test]
fn oneshot_disarms_after_one_report_and_stays_registered() {
    let mut r = Interest::new();
    let s = add_ready(&mut r, 1, EPOLLIN | EPOLLONESHOT, EPOLLIN);
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]); // OS-T-1
    assert!(wait(&mut r, 8).is_empty()); // OS-T-2
    assert!(!r.observe(s, EPOLLIN, EPOLLIN)); // OS-T-3
    assert!(wait(&mut r, 8).is_empty());
    assert!(!r.get(s).unwrap().armed);
    assert_eq!(r.find(key(1)), Some(s));
    assert_eq!(r.add(key(1), EPOLLIN, 9, ()), Err(EEXIST)); // OS-T-4
}

#[test]
fn oneshot_disarmed_does_not_report_hup() {
    // OS-PIPE-8
    let mut r = Interest::new();
    let s = add_ready(&mut r, 1, EPOLLIN | EPOLLONESHOT, EPOLLIN);
    wait(&mut r, 8);
    assert_eq!(r.get(s).unwrap().effective_interest(), 0);
    assert!(!r.observe(s, EPOLLIN | EPOLLHUP, EPOLLHUP));
    assert!(!r.queue_if_ready(s));
    assert!(!r.has_reportable());
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn mod_rearms_oneshot() {
    // OS-T-5..7
    let mut r = Interest::new();
    let s = add_ready(&mut r, 1, EPOLLIN | EPOLLONESHOT, EPOLLIN);
    wait(&mut r, 8);
    assert_eq!(r.modify(key(1), EPOLLIN | EPOLLONESHOT, 77), Ok(s));
    assert!(r.get(s).unwrap().armed);
    assert!(r.queue_if_ready(s));
    assert_eq!(wait(&mut r, 8), vec![(77, EPOLLIN)]);
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn mod_rearms_oneshot_and_reports_hup_that_arrived_while_disarmed() {
    // OS-PIPE-9: IN|HUP after the writer closed.
    let mut r = Interest::new();
    let s = add_ready(&mut r, 1, EPOLLIN | EPOLLONESHOT, EPOLLIN);
    wait(&mut r, 8);
    r.observe(s, EPOLLIN | EPOLLHUP, EPOLLHUP);
    r.modify(key(1), EPOLLIN | EPOLLONESHOT, 5).unwrap();
    assert!(r.queue_if_ready(s));
    assert_eq!(wait(&mut r, 8), vec![(5, EPOLLIN | EPOLLHUP)]);
}

#[test]
fn et_oneshot_reports_once_until_mod() {
    // ETOS-T-1..3
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN | EPOLLET | EPOLLONESHOT);
    assert!(r.observe(s, EPOLLIN, EPOLLIN));
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
    assert!(!r.observe(s, EPOLLIN, EPOLLIN));
    assert!(wait(&mut r, 8).is_empty());
    r.modify(key(1), EPOLLIN | EPOLLET | EPOLLONESHOT, 2)
        .unwrap();
    assert!(r.queue_if_ready(s));
    assert_eq!(wait(&mut r, 8), vec![(2, EPOLLIN)]);
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn oneshot_reported_in_its_place_and_not_requeued() {
    // ORD-10, ORD-11
    let mut r = Interest::new();
    add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    add_ready(&mut r, 2, EPOLLIN | EPOLLONESHOT, EPOLLIN);
    add_ready(&mut r, 3, EPOLLIN, EPOLLIN);
    assert_eq!(wait_data(&mut r, 8), vec![1, 2, 3]);
    assert_eq!(wait_data(&mut r, 8), vec![1, 3]);
}

// ---------------------------------------------------------------------------
// EPOLL_CTL_MOD

#[test]
fn mod_keeps_place_on_ready_list_and_reports_new_data() {
    // ORD-9
    let mut r = Interest::new();
    add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    let b = add_ready(&mut r, 2, EPOLLIN, EPOLLIN);
    add_ready(&mut r, 3, EPOLLIN, EPOLLIN);
    assert_eq!(r.modify(key(2), EPOLLIN, 22), Ok(b));
    assert!(!r.queue_if_ready(b), "already queued: must not move");
    assert_eq!(wait_data(&mut r, 8), vec![1, 22, 3]);
}

#[test]
fn mod_of_ready_et_entry_is_a_fresh_edge() {
    // ET-T-7
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN | EPOLLET);
    r.observe(s, EPOLLIN, EPOLLIN);
    wait(&mut r, 8);
    r.modify(key(1), EPOLLIN | EPOLLET, 11).unwrap();
    assert!(r.queue_if_ready(s));
    assert_eq!(wait(&mut r, 8), vec![(11, EPOLLIN)]);
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn mod_from_et_to_lt_reports_every_wait() {
    // ET-PIPE-11
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN | EPOLLET);
    r.observe(s, EPOLLIN, EPOLLIN);
    wait(&mut r, 8);
    r.modify(key(1), EPOLLIN, 1).unwrap();
    r.queue_if_ready(s);
    for _ in 0..3 {
        assert_eq!(wait(&mut r, 8), vec![(1, EPOLLIN)]);
    }
}

#[test]
fn mod_to_zero_events_reports_only_err_hup() {
    // LT-PIPE-9
    let mut r = Interest::new();
    let s = add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    r.modify(key(1), 0, 1).unwrap();
    assert!(wait(&mut r, 8).is_empty());
    assert!(r.observe(s, EPOLLIN | EPOLLHUP, EPOLLHUP));
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLHUP)]);
}

#[test]
fn mod_bumps_generation() {
    let mut r = Interest::new();
    let s = add(&mut r, 1, EPOLLIN);
    assert_eq!(r.get(s).unwrap().generation, 0);
    r.modify(key(1), EPOLLOUT, 1).unwrap();
    r.modify(key(1), EPOLLIN, 1).unwrap();
    let e = r.get(s).unwrap();
    assert_eq!(e.generation, 2);
    assert_eq!(e.events, EPOLLIN);
}

// ---------------------------------------------------------------------------
// Errors of EPOLL_CTL_* (2.2, 2.3)

#[test]
fn add_twice_is_eexist() {
    let mut r = Interest::new();
    let s = r.add(key(1), EPOLLIN, 1, ()).unwrap();
    assert_eq!(r.add(key(1), EPOLLOUT, 2, ()), Err(EEXIST));
    // The first registration is untouched.
    assert_eq!(r.len(), 1);
    let e = r.get(s).unwrap();
    assert_eq!((e.events, e.data), (EPOLLIN, 1));
}

#[test]
fn del_unknown_is_enoent() {
    let mut r: Interest<()> = Interest::new();
    assert_eq!(r.delete(key(1)).err(), Some(ENOENT));
    add(&mut r, 1, EPOLLIN);
    assert!(r.delete(key(1)).is_ok());
    assert_eq!(r.delete(key(1)).err(), Some(ENOENT));
}

#[test]
fn mod_unknown_is_enoent() {
    let mut r: Interest<()> = Interest::new();
    assert_eq!(r.modify(key(1), EPOLLIN, 0), Err(ENOENT));
    add(&mut r, 1, EPOLLIN);
    r.delete(key(1)).unwrap();
    assert_eq!(r.modify(key(1), EPOLLIN, 0), Err(ENOENT));
}

#[test]
fn mod_of_exclusive_is_einval() {
    // ERR-EXCL-2, ERR-EXCL-3, ERR-EXCL-4
    let mut r = Interest::new();
    let s = r.add(key(1), EPOLLIN | EPOLLEXCLUSIVE, 1, ()).unwrap();
    assert_eq!(r.modify(key(1), EPOLLIN, 2), Err(EINVAL));
    assert_eq!(r.modify(key(1), EPOLLIN | EPOLLEXCLUSIVE, 3), Err(EINVAL));
    let e = r.get(s).unwrap();
    assert_eq!(
        (e.events, e.data, e.generation),
        (EPOLLIN | EPOLLEXCLUSIVE, 1, 0)
    );
    assert!(r.delete(key(1)).is_ok());
}

#[test]
fn exclusive_argument_rules() {
    let add_ok = |ev| check_exclusive(false, ev, false);
    assert_eq!(add_ok(EPOLLIN | EPOLLEXCLUSIVE), Ok(())); // ERR-EXCL-1
    assert_eq!(
        check_exclusive(true, EPOLLIN | EPOLLEXCLUSIVE, false),
        Err(EINVAL)
    ); // -3, -5
    assert_eq!(add_ok(EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT), Err(EINVAL)); // -6
    assert_eq!(add_ok(EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP), Err(EINVAL)); // -7
    assert_eq!(add_ok(EPOLLIN | EPOLLEXCLUSIVE | EPOLLPRI), Err(EINVAL)); // -8
    assert_eq!(add_ok(EPOLLEXCLUSIVE | EPOLLRDNORM), Err(EINVAL)); // -11
    let allowed = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLET | EPOLLEXCLUSIVE;
    assert_eq!(add_ok(allowed), Ok(())); // -9
    assert_eq!(add_ok(EPOLLEXCLUSIVE), Ok(())); // -12
    assert_eq!(add_ok(EPOLLIN | EPOLLEXCLUSIVE | EPOLLWAKEUP), Ok(())); // -13
    assert_eq!(
        check_exclusive(false, EPOLLIN | EPOLLEXCLUSIVE, true),
        Err(EINVAL)
    ); // -10

    // Without EXCLUSIVE nothing is checked: MOD, nested targets, any bits.
    assert_eq!(
        check_exclusive(true, EPOLLIN | EPOLLONESHOT | EPOLLPRI, true),
        Ok(())
    );
    assert_eq!(check_exclusive(false, !EPOLLEXCLUSIVE, false), Ok(()));
}

// ---------------------------------------------------------------------------
// Order and fairness (section 6)

#[test]
fn queue_order_is_wakeup_order_not_registration_order() {
    // ORD-1
    let mut r = Interest::new();
    let a = add(&mut r, 1, EPOLLIN);
    let b = add(&mut r, 2, EPOLLIN);
    let c = add(&mut r, 3, EPOLLIN);
    r.observe(c, EPOLLIN, EPOLLIN);
    r.observe(a, EPOLLIN, EPOLLIN);
    r.observe(b, EPOLLIN, EPOLLIN);
    assert_eq!(wait_data(&mut r, 8), vec![3, 1, 2]);
}

#[test]
fn maxevents_one_round_robins_lt_entries() {
    // ORD-2
    let mut r = Interest::new();
    let a = add(&mut r, 1, EPOLLIN);
    let b = add(&mut r, 2, EPOLLIN);
    let c = add(&mut r, 3, EPOLLIN);
    r.observe(c, EPOLLIN, EPOLLIN);
    r.observe(a, EPOLLIN, EPOLLIN);
    r.observe(b, EPOLLIN, EPOLLIN);
    let seen: Vec<u64> = (0..4).flat_map(|_| wait_data(&mut r, 1)).collect();
    assert_eq!(seen, vec![3, 1, 2, 3]);
}

#[test]
fn maxevents_two_over_three_rotates() {
    // ORD-3: (a,b) (c,a) (b,c)
    let mut r = Interest::new();
    for fd in 1..=3 {
        add_ready(&mut r, fd, EPOLLIN, EPOLLIN);
    }
    assert_eq!(wait_data(&mut r, 2), vec![1, 2]);
    assert_eq!(wait_data(&mut r, 2), vec![3, 1]);
    assert_eq!(wait_data(&mut r, 2), vec![2, 3]);
}

#[test]
fn never_reports_same_entry_twice_in_one_collect() {
    // ORD-4: one ready LT fd, maxevents 8 -> 1 event.
    let mut r = Interest::new();
    add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    assert_eq!(wait(&mut r, 8).len(), 1);
    assert_eq!(wait(&mut r, 8).len(), 1);
    // Several LT fds: each at most once per call, even after rotation.
    add_ready(&mut r, 2, EPOLLIN, EPOLLIN);
    add_ready(&mut r, 3, EPOLLIN, EPOLLIN);
    for _ in 0..3 {
        let mut d = wait_data(&mut r, 8);
        assert_eq!(d.len(), 3);
        d.sort_unstable();
        assert_eq!(d, vec![1, 2, 3]);
    }
}

#[test]
fn maxevents_larger_than_ready_count_returns_ready_count() {
    // ORD-12
    let mut r = Interest::new();
    add(&mut r, 1, EPOLLIN);
    add_ready(&mut r, 2, EPOLLIN, EPOLLIN);
    add_ready(&mut r, 3, EPOLLIN, EPOLLIN);
    let mut out = [Ready {
        slot: 999,
        events: 999,
        data: 999,
    }; 8];
    assert_eq!(r.collect(&mut out), 2);
    // Slots past the count are not written.
    assert!(out[2..].iter().all(|e| e.data == 999));
}

#[test]
fn chunked_collect_reports_each_entry_once_per_wait() {
    // ORD-4 across chunks: the budget shared by several collect_within
    // calls stops before the LT entries the first chunks moved to the tail.
    let mut r = Interest::new();
    for fd in 1..=5 {
        add_ready(&mut r, fd, EPOLLIN, EPOLLIN);
    }
    let mut budget = r.linked_len();
    let mut seen = Vec::new();
    let mut out = [Ready::default(); 2];
    loop {
        let n = r.collect_within(&mut out, &mut budget);
        if n == 0 {
            break;
        }
        r.commit(&out[..n]);
        seen.extend(out[..n].iter().map(|e| e.data));
    }
    assert_eq!(seen, vec![1, 2, 3, 4, 5]);
    assert_eq!(budget, 0);
    // The next wait starts the round again.
    assert_eq!(wait_data(&mut r, 2), vec![1, 2]);
}

#[test]
fn chunked_collect_counts_stale_entries_against_the_budget() {
    let mut r = Interest::new();
    let a = add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    add_ready(&mut r, 2, EPOLLIN, EPOLLIN);
    r.observe(a, 0, 0);
    let mut budget = r.linked_len();
    let mut out = [Ready::default(); 8];
    let n = r.collect_within(&mut out, &mut budget);
    assert_eq!(n, 1);
    assert_eq!(out[0].data, 2);
    assert_eq!(budget, 0);
    r.commit(&out[..n]);
    assert_eq!(r.collect_within(&mut out, &mut budget), 0);
}

#[test]
fn collect_with_empty_buffer_chooses_nothing_and_keeps_queue() {
    let mut r = Interest::new();
    add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    assert_eq!(r.collect(&mut []), 0);
    assert_eq!(r.linked_len(), 1);
    assert_eq!(wait_data(&mut r, 8), vec![1]);
}

#[test]
fn stale_entry_dropped_silently() {
    // ORD-7
    let mut r = Interest::new();
    let a = add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    let b = add(&mut r, 2, EPOLLIN | EPOLLET);
    r.observe(b, EPOLLIN, EPOLLIN);
    add_ready(&mut r, 3, EPOLLIN, EPOLLIN);
    r.observe(a, 0, 0);
    r.observe(b, 0, 0);
    assert_eq!(r.linked_len(), 3);
    assert_eq!(wait_data(&mut r, 8), vec![3]);
    assert!(!r.get(a).unwrap().is_linked());
    assert!(!r.get(b).unwrap().is_linked());
    assert_eq!(r.linked_len(), 1);
}

#[test]
fn stale_entries_do_not_use_up_maxevents() {
    let mut r = Interest::new();
    let a = add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    let b = add_ready(&mut r, 2, EPOLLIN, EPOLLIN);
    add_ready(&mut r, 3, EPOLLIN, EPOLLIN);
    r.observe(a, 0, 0);
    r.observe(b, 0, 0);
    assert_eq!(wait_data(&mut r, 1), vec![3]);
}

#[test]
fn collect_without_commit_loses_nothing() {
    // ERR-FAULT-3/11: the copy of events 2 and 3 failed; only the first
    // is committed, the others stay queued in order.
    let mut r = Interest::new();
    for fd in 1..=4 {
        let s = add(&mut r, fd, EPOLLIN | EPOLLET);
        r.observe(s, EPOLLIN, EPOLLIN);
    }
    let mut out = [Ready::default(); 3];
    assert_eq!(r.collect(&mut out), 3);
    r.commit(&out[..1]);
    assert_eq!(r.linked_len(), 3);
    assert_eq!(wait_data(&mut r, 8), vec![2, 3, 4]);
    assert!(wait(&mut r, 8).is_empty());
}

#[test]
fn collect_without_commit_keeps_lt_entries_in_place() {
    // Same EFAULT path with LT entries: only the committed one moves to
    // the tail; the uncommitted ones keep their places ahead of it.
    let mut r = Interest::new();
    for fd in 1..=4 {
        add_ready(&mut r, fd, EPOLLIN, EPOLLIN);
    }
    let mut out = [Ready::default(); 3];
    assert_eq!(r.collect(&mut out), 3);
    r.commit(&out[..1]);
    assert_eq!(wait_data(&mut r, 8), vec![2, 3, 4, 1]);
}

#[test]
fn collect_without_commit_changes_nothing() {
    let mut r = Interest::new();
    add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    add_ready(&mut r, 2, EPOLLIN | EPOLLONESHOT, EPOLLIN);
    let s = add(&mut r, 3, EPOLLIN | EPOLLET);
    r.observe(s, EPOLLIN, EPOLLIN);
    let mut out = [Ready::default(); 8];
    let n = r.collect(&mut out);
    let first = out[..n].to_vec();
    let n = r.collect(&mut out);
    let second = out[..n].to_vec();
    assert_eq!(first.len(), 3);
    assert_eq!(first, second);
}

#[test]
fn delete_unlinks_queued_entry() {
    // ORD-8, for the middle, head and tail of the list.
    let mut r = Interest::new();
    for fd in 1..=5 {
        add_ready(&mut r, fd, EPOLLIN, EPOLLIN);
    }
    let e = r.delete(key(3)).unwrap();
    assert_eq!(e.data, 3);
    assert!(!e.is_linked());
    r.delete(key(1)).unwrap();
    r.delete(key(5)).unwrap();
    assert_eq!(r.linked_len(), 2);
    assert_eq!(wait_data(&mut r, 8), vec![2, 4]);
    assert_eq!(wait_data(&mut r, 8), vec![2, 4]);
}

#[test]
fn et_and_lt_mix() {
    // ORD-13
    let mut r = Interest::new();
    let a = add(&mut r, 1, EPOLLIN | EPOLLET);
    r.observe(a, EPOLLIN, EPOLLIN);
    add_ready(&mut r, 2, EPOLLIN, EPOLLIN);
    assert_eq!(wait_data(&mut r, 8), vec![1, 2]);
    assert_eq!(wait_data(&mut r, 8), vec![2]);
    assert_eq!(wait_data(&mut r, 8), vec![2]);
}

#[test]
fn twenty_always_ready_entries_each_reported_once_in_twenty_calls() {
    // ORD-14: no starvation.
    let mut r = Interest::new();
    for fd in 0..20 {
        // An always-writable eventfd registered IN|OUT.
        add_ready(&mut r, fd, EPOLLIN | EPOLLOUT, EPOLLOUT);
    }
    let mut seen: Vec<u64> = (0..20).flat_map(|_| wait_data(&mut r, 1)).collect();
    assert_eq!(seen.len(), 20);
    seen.sort_unstable();
    assert_eq!(seen, (0..20).collect::<Vec<u64>>());
}

// ---------------------------------------------------------------------------
// Reported bits and data (1.4)

#[test]
fn err_hup_reported_with_zero_interest() {
    let mut r = Interest::new();
    let s = add(&mut r, 1, 0);
    assert!(!r.observe(s, EPOLLIN | EPOLLOUT, 0));
    assert!(r.observe(s, EPOLLIN | EPOLLHUP, EPOLLHUP));
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLHUP)]);
    r.observe(s, EPOLLERR | EPOLLHUP | EPOLLOUT, EPOLLERR);
    assert_eq!(wait(&mut r, 8), vec![(1, EPOLLERR | EPOLLHUP)]);
}

#[test]
fn reported_events_are_state_masked_by_interest_never_flags() {
    let mut r = Interest::new();
    let ev = EPOLLIN | EPOLLRDHUP | EPOLLET | EPOLLONESHOT | EPOLLEXCLUSIVE;
    let s = add(&mut r, 1, ev);
    assert_eq!(r.get(s).unwrap().effective_interest() & FLAG_BITS, 0);
    r.observe(s, EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP | EPOLLERR, 0);
    let got = wait(&mut r, 8);
    assert_eq!(got, vec![(1, EPOLLIN | EPOLLRDHUP | EPOLLERR)]);
    assert_eq!(got[0].1 & FLAG_BITS, 0);
}

#[test]
fn data_echoed_bit_for_bit() {
    // ERR-CTL-22
    let mut r = Interest::new();
    let s = r.add(key(1), EPOLLIN, u64::MAX, ()).unwrap();
    r.observe(s, EPOLLIN, EPOLLIN);
    assert_eq!(wait(&mut r, 8), vec![(u64::MAX, EPOLLIN)]);
    r.modify(key(1), EPOLLIN, 0x8000_0000_0000_0001).unwrap();
    assert_eq!(wait(&mut r, 8), vec![(0x8000_0000_0000_0001, EPOLLIN)]);
    r.modify(key(1), EPOLLIN, 0).unwrap();
    assert_eq!(wait(&mut r, 8), vec![(0, EPOLLIN)]);
}

#[test]
fn collect_names_the_slot_of_each_event() {
    let mut r = Interest::new();
    add(&mut r, 1, EPOLLIN);
    let b = add_ready(&mut r, 2, EPOLLIN, EPOLLIN);
    let mut out = [Ready::default(); 4];
    assert_eq!(r.collect(&mut out), 1);
    assert_eq!(
        out[0],
        Ready {
            slot: b,
            events: EPOLLIN,
            data: 2
        }
    );
}

// ---------------------------------------------------------------------------
// Readability of the instance (9.1)

#[test]
fn has_reportable_tracks_ready_list() {
    let mut r = Interest::new();
    assert!(!r.has_reportable());
    let lt = add(&mut r, 1, EPOLLIN);
    let et = add(&mut r, 2, EPOLLIN | EPOLLET);
    assert!(!r.has_reportable());
    r.observe(et, EPOLLIN, EPOLLIN);
    assert!(r.has_reportable());
    wait(&mut r, 8);
    assert!(
        !r.has_reportable(),
        "ET entry left the list after its report"
    );
    r.observe(lt, EPOLLIN, EPOLLIN);
    wait(&mut r, 8);
    assert!(r.has_reportable(), "LT entry stays queued while ready");
    r.observe(lt, 0, 0);
    assert_eq!(r.linked_len(), 1);
    assert!(
        !r.has_reportable(),
        "a stale queued entry is not reportable"
    );
}

// ---------------------------------------------------------------------------
// Keys, slots, scale (1.1)

#[test]
fn dup_keys_are_separate_registrations() {
    let mut r = Interest::new();
    let orig = Key { fd: 3, file: 7 };
    let dup = Key { fd: 4, file: 7 }; // dup(3): same file, other number
    let reused = Key { fd: 3, file: 8 }; // fd 3 later names another file
    let so = r.add(orig, EPOLLIN, 10, ()).unwrap();
    let sd = r.add(dup, EPOLLIN, 20, ()).unwrap();
    let sr = r.add(reused, EPOLLIN, 30, ()).unwrap();
    assert_eq!(r.len(), 3);
    assert!(so != sd && sd != sr && so != sr);
    for s in [so, sd, sr] {
        r.observe(s, EPOLLIN, EPOLLIN);
    }
    assert_eq!(wait_data(&mut r, 8), vec![10, 20, 30]);
    r.delete(orig).unwrap();
    assert_eq!(r.find(orig), None);
    assert_eq!(r.find(dup), Some(sd));
    assert_eq!(r.find(reused), Some(sr));
    assert_eq!(wait_data(&mut r, 8), vec![20, 30]);
}

#[test]
fn slot_is_reused_after_delete_with_fresh_state() {
    let mut r = Interest::new();
    let a = add(&mut r, 1, EPOLLIN | EPOLLONESHOT);
    r.observe(a, EPOLLIN, 0);
    wait(&mut r, 8);
    r.modify(key(1), EPOLLIN | EPOLLONESHOT, 1).unwrap();
    r.delete(key(1)).unwrap();
    assert!(r.get(a).is_none());
    let c = add(&mut r, 9, EPOLLIN);
    assert_eq!(c, a);
    let e = r.get(c).unwrap();
    assert_eq!(e.key, key(9));
    assert!(e.armed);
    assert_eq!((e.state, e.generation, e.data), (0, 0, 9));
    assert!(!e.is_linked());
    assert_eq!(r.find(key(9)), Some(c));
    assert_eq!(r.find(key(1)), None);
}

#[test]
fn slot_reused_after_delete_of_queued_entry_keeps_list_intact() {
    let mut r = Interest::new();
    let a = add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    add_ready(&mut r, 2, EPOLLIN, EPOLLIN);
    r.delete(key(1)).unwrap();
    let c = add(&mut r, 3, EPOLLIN);
    assert_eq!(c, a);
    assert_eq!(
        wait_data(&mut r, 8),
        vec![2],
        "new entry must not inherit the old link"
    );
    r.observe(c, EPOLLIN, EPOLLIN);
    assert_eq!(wait_data(&mut r, 8), vec![2, 3]);
}

#[test]
fn unknown_slot_is_ignored() {
    let mut r: Interest<()> = Interest::new();
    assert!(!r.observe(5, EPOLLIN, EPOLLIN));
    assert!(!r.queue_if_ready(5));
    r.clear_state(5, EPOLLIN);
    assert!(r.get(5).is_none());
    assert!(r.get_mut(5).is_none());
    let s = add(&mut r, 1, EPOLLIN);
    r.delete(key(1)).unwrap();
    assert!(!r.observe(s, EPOLLIN, EPOLLIN));
    assert_eq!(r.linked_len(), 0);
}

#[test]
fn commit_skips_entry_deleted_since_collect() {
    let mut r = Interest::new();
    add_ready(&mut r, 1, EPOLLIN, EPOLLIN);
    add_ready(&mut r, 2, EPOLLIN, EPOLLIN);
    let mut out = [Ready::default(); 8];
    let n = r.collect(&mut out);
    r.delete(key(1)).unwrap();
    r.commit(&out[..n]);
    assert_eq!(r.linked_len(), 1);
    assert_eq!(wait_data(&mut r, 8), vec![2]);
}

#[test]
fn iter_and_snapshot_list_every_registration() {
    let mut r = Interest::new();
    assert!(r.is_empty());
    for fd in 1..=4 {
        add(&mut r, fd, EPOLLIN);
    }
    r.delete(key(2)).unwrap();
    let mut keys: Vec<i32> = r.iter().map(|(_, e)| e.key.fd).collect();
    keys.sort_unstable();
    assert_eq!(keys, vec![1, 3, 4]);
    let mut snap = vec![99];
    r.slots_snapshot(&mut snap);
    assert_eq!(snap.len(), 3);
    assert!(snap.iter().all(|&s| r.get(s).is_some()));
    assert_eq!(r.len(), 3);
}

#[test]
fn get_mut_gives_access_to_ext() {
    let mut r: Interest<u32> = Interest::new();
    let s = r.add(key(1), EPOLLIN, 1, 5).unwrap();
    *r.get_mut(s).map(|e| &mut e.ext).unwrap() += 1;
    assert_eq!(r.delete(key(1)).unwrap().ext, 6);
}

#[test]
fn ten_thousand_entries_add_and_delete() {
    const N: i32 = 10_000;
    let mut r = Interest::new();
    for fd in 0..N {
        add_ready(&mut r, fd, EPOLLIN | EPOLLET, EPOLLIN);
    }
    assert_eq!(r.len(), N as usize);
    assert_eq!(r.linked_len(), N as usize);
    // Delete every even fd while queued; the odd ones stay in order.
    for fd in (0..N).step_by(2) {
        assert_eq!(r.delete(key(fd)).unwrap().data, fd as u64);
    }
    assert_eq!(r.len(), (N / 2) as usize);
    let got = wait_data(&mut r, N as usize);
    assert_eq!(
        got,
        (0..N as u64).filter(|d| d % 2 == 1).collect::<Vec<_>>()
    );
    assert!(wait(&mut r, N as usize).is_empty());
    // Re-adding reuses the freed slots.
    for fd in N..N + N / 2 {
        assert!(add(&mut r, fd, EPOLLIN) < N as u32);
    }
    assert_eq!(r.len(), N as usize);
    for fd in (1..N).step_by(2) {
        r.delete(key(fd)).unwrap();
    }
    for fd in N..N + N / 2 {
        r.delete(key(fd)).unwrap();
    }
    assert!(r.is_empty());
    assert_eq!(r.linked_len(), 0);
    assert!(!r.has_reportable());
}

/// One descriptor number can name registrations of several files (a
/// registered number closed while a dup kept the file, then reused): the
/// index chains them, and removing any one leaves the others findable.
#[test]
fn same_number_different_files_are_distinct_keys() {
    let mut r: Interest<()> = Interest::new();
    let k = |file| Key { fd: 7, file };
    let a = r.add(k(1), EPOLLIN, 1, ()).unwrap();
    let b = r.add(k(2), EPOLLIN, 2, ()).unwrap();
    let c = r.add(k(3), EPOLLIN, 3, ()).unwrap();
    assert_eq!(r.add(k(2), EPOLLIN, 9, ()), Err(libc::EEXIST));
    assert_eq!(
        (r.find(k(1)), r.find(k(2)), r.find(k(3))),
        (Some(a), Some(b), Some(c))
    );
    assert_eq!(r.len(), 3);
    r.delete(k(2)).unwrap();
    assert_eq!(
        (r.find(k(1)), r.find(k(2)), r.find(k(3))),
        (Some(a), None, Some(c))
    );
    r.delete(k(3)).unwrap();
    assert_eq!((r.find(k(1)), r.find(k(3))), (Some(a), None));
    r.delete(k(1)).unwrap();
    assert!(r.is_empty());
    assert_eq!(r.find(k(1)), None);
    let d = r.add(k(4), EPOLLIN, 4, ()).unwrap();
    assert_eq!(r.find(k(4)), Some(d));
}
