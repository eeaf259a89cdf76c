"""flashmob.conductor.ntp_packet: the pure judgement of one NTP answer (crafted packets)."""

import struct

import pytest

from flashmob.conductor.ntp_packet import NTP_TO_UNIX_S, BadAnswer, Limits, judge, ntp_to_unix_us, request

NONCE = bytes.fromhex("0123456789abcdef")
T0 = 1_786_000_000_000_000  # a Unix time in µs


def stamp(unix_us):
    return struct.pack("!Q", ((unix_us + NTP_TO_UNIX_S * 1_000_000) << 32) // 1_000_000 + 1)


def answer(*, t2=T0 + 5_000, t3=T0 + 5_100, origin=NONCE, stratum=2, leap=0, mode=4, root_delay_s=0.01,
           root_dispersion_s=0.02, refid=b"GPS\0"):
    head = struct.pack("!BBbbII4s", (leap << 6) | (4 << 3) | mode, stratum, 6, -20, int(root_delay_s * 2**16),
                       int(root_dispersion_s * 2**16), refid)
    return head + stamp(T0) + origin + stamp(t2) + stamp(t3)


SENT = request(NONCE)


def test_request_is_a_client_packet_carrying_the_nonce():
    assert len(SENT) == 48 and SENT[0] & 7 == 3 and SENT[0] >> 3 & 7 == 4 and SENT[40:] == NONCE
    with pytest.raises(ValueError):
        request(b"short")


def test_timestamps_convert_exactly():
    assert ntp_to_unix_us(stamp(T0)) == T0
    assert ntp_to_unix_us(struct.pack("!Q", NTP_TO_UNIX_S << 32)) == 0


def test_good_answer_gives_integer_offset_and_delay():
    # local clock: sent at 1000, received at 1400 (µs); server: received T0+5000, sent T0+5100
    a = judge(SENT, answer(), 1_000, 1_400)
    assert a.delay_us == 400 - 100
    assert a.offset_us == ((T0 + 5_000 - 1_000) + (T0 + 5_100 - 1_400)) // 2
    assert a.stratum == 2 and a.leap == 0
    assert abs(a.root_delay_us - 10_000) <= 16 and abs(a.root_dispersion_us - 20_000) <= 16
    assert a.distance_us == a.delay_us // 2 + a.root_delay_us // 2 + a.root_dispersion_us


@pytest.mark.parametrize("bad, code", [
    (dict(origin=bytes(8)), "originate"),
    (dict(origin=bytes.fromhex("0123456789abcdee")), "originate"),  # one bit off
    (dict(stratum=0, refid=b"RATE"), "stratum"),
    (dict(stratum=16), "stratum"),
    (dict(leap=3), "leap"),
    (dict(mode=3), "mode"),
    (dict(mode=5), "mode"),
    (dict(root_delay_s=1.5), "root_delay"),
    (dict(root_dispersion_s=1.5), "root_dispersion"),
    (dict(t2=T0 + 5_000, t3=T0 + 4_000), "timestamps"),  # sent before it received
    (dict(t2=T0, t3=T0 + 2_000_000), "timestamps"),  # server held it longer than our round trip
])
def test_bad_answers_are_refused_with_the_reason(bad, code):
    with pytest.raises(BadAnswer) as err:
        judge(SENT, answer(**bad), 1_000, 1_400)
    assert err.value.code == code
    if code == "stratum" and bad.get("stratum") == 0:
        assert "RATE" in str(err.value)


def test_short_packet_and_zero_timestamps():
    with pytest.raises(BadAnswer, match="bytes"):
        judge(SENT, answer()[:40], 0, 1)
    zero_tx = answer()[:40] + bytes(8)
    with pytest.raises(BadAnswer, match="zero"):
        judge(SENT, zero_tx, 0, 1)


def test_round_trip_limit():
    with pytest.raises(BadAnswer) as err:
        judge(SENT, answer(), 0, 2_000_000)  # 2 s round trip
    assert err.value.code == "delay"
    assert judge(SENT, answer(), 0, 2_000_000, Limits(max_delay_us=3_000_000)).delay_us == 2_000_000 - 100


def test_a_replayed_answer_is_refused_though_it_would_read_as_minus_half_its_age():
    """Why the originate check matters: an answer captured 6 h ago and replayed
    now is self-consistent; believing its originate gives an offset of -3 h."""
    six_h = 6 * 3600 * 1_000_000
    old_request_sent = T0 - 50
    replay = answer(t2=T0, t3=T0 + 100, origin=stamp(old_request_sent))
    t1, t4 = T0 + six_h - 50, T0 + six_h  # our fresh request, the replay arrives 50 µs later
    believed = ((T0 - old_request_sent) + (T0 + 100 - t4)) // 2  # ntplib's formula with the answer's originate
    assert round(believed / 3600e6) == -3
    with pytest.raises(BadAnswer, match="originate"):
        judge(request(b"\x5a" * 8), replay, t1, t4)
