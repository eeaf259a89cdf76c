"""flashmob.conductor.clock: monotonic + offset, slewing never runs time backwards."""

import threading

import pytest

from flashmob.conductor.clock import FakeMonotonic, ServerClock, monotonic_us, wall_us


def make(offset=0, **kw):
    mono = FakeMonotonic(1_000_000)
    return mono, ServerClock(mono, initial_offset_us=offset, **kw)


def test_default_offset_is_wall_clock():
    clock = ServerClock()
    assert abs(clock.now_us() - wall_us()) < 50_000


def test_now_is_mono_plus_offset():
    mono, clock = make(offset=5_000)
    assert clock.now_us() == 1_005_000
    mono.advance(250)
    assert clock() == 1_005_250


def test_step_when_allowed_and_large():
    mono, clock = make()
    assert clock.discipline(2_500_000) == "step"
    assert clock.now_us() == 1_000_000 + 2_500_000
    assert clock.status().steps == 1


def test_small_error_is_slewed_even_in_lobby():
    mono, clock = make()
    assert clock.discipline(100_000) == "slew"  # below the 128 ms step threshold
    assert clock.offset_us() == 0
    mono.advance(10_000_000)  # 10 s at 500 ppm = 5 ms
    assert clock.offset_us() == 5_000
    mono.advance(1_000_000_000)
    assert clock.offset_us() == 100_000
    assert not clock.status().slewing


def test_no_backward_step_during_show():
    mono, clock = make()
    clock.allow_steps(False)
    before = clock.now_us()
    assert clock.discipline(-3_000_000) == "slew"
    seen = before
    for _ in range(2000):  # server time keeps increasing while the offset slews down
        mono.advance(1_000)
        now = clock.now_us()
        assert now > seen
        seen = now
    assert clock.offset_us() == -1_000  # 2 s of slewing at 500 ppm


def test_retarget_mid_slew_continues_from_current_offset():
    mono, clock = make()
    clock.allow_steps(False)
    clock.discipline(1_000_000)
    mono.advance(2_000_000)
    assert clock.offset_us() == 1_000
    clock.discipline(-1_000_000)
    assert clock.offset_us() == 1_000
    mono.advance(4_000_000)
    assert clock.offset_us() == -1_000


def test_slew_rate_must_keep_time_monotonic():
    with pytest.raises(ValueError):
        ServerClock(FakeMonotonic(), slew_ppm=1_000_000)


def test_thread_safety_smoke():
    clock = ServerClock(monotonic_us)
    clock.allow_steps(False)
    stop = threading.Event()

    def discipline():
        i = 0
        while not stop.is_set():
            clock.discipline((i % 7) * 10_000)
            i += 1

    worker = threading.Thread(target=discipline)
    worker.start()
    try:
        last = clock.now_us()
        for _ in range(20_000):
            now = clock.now_us()
            assert now >= last
            last = now
    finally:
        stop.set()
        worker.join()


def test_error_beyond_the_maximum_is_refused_whatever_the_state():
    mono, clock = make(max_offset_us=10_000_000)
    for allowed in (True, False):
        clock.allow_steps(allowed)
        for target in (10_000_001, -10_000_001, -27 * 365 * 86400 * 1_000_000, 3 * 3600 * 1_000_000):
            assert clock.discipline(target) == "refuse"
            assert clock.offset_us() == 0 and clock.status().target_offset_us == 0
    clock.allow_steps(True)
    assert clock.discipline(9_999_999) == "step"  # within the maximum, in the lobby


def test_the_maximum_is_measured_from_the_current_offset():
    mono, clock = make(offset=50_000_000, max_offset_us=10_000_000)
    assert clock.discipline(45_000_000) == "step"
    assert clock.discipline(30_000_000) == "refuse"


def test_once_time_was_handed_out_it_never_steps_backwards():
    mono, clock = make()
    clock.forbid_backward_steps()
    assert not clock.status().backward_steps_allowed
    before = clock.now_us()
    assert clock.discipline(-5_000_000) == "slew"  # lobby, large, backwards: slewed
    assert clock.now_us() >= before
    mono.advance(1_000_000)
    assert clock.offset_us() == -500
    assert clock.discipline(2_000_000) == "step"  # forwards may still step in the lobby
    assert clock.now_us() == mono.t + 2_000_000


def test_max_offset_must_be_positive():
    with pytest.raises(ValueError):
        ServerClock(FakeMonotonic(), max_offset_us=0)
