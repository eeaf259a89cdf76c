import pytest

from flashmob.tools.score.timecode import TimeFormatError, format_time, parse_time, samples_to_ms, us_to_samples


@pytest.mark.parametrize("text,us", [
    ("45", 45_000_000), ("45.5", 45_500_000), ("0", 0),
    ("1:30", 90_000_000), ("0:05.5", 5_500_000), ("1:02:03.250", 3_723_250_000),
    ("90s", 90_000_000), ("500ms", 500_000), ("2m", 120_000_000), ("1h", 3_600_000_000),
    ("1m30s", 90_000_000), ("1h2m3s", 3_723_000_000), ("1.5s", 1_500_000), ("0.000001", 1),
    (" 12 ", 12_000_000), ("1m 30s", 90_000_000), ("2m500ms", 120_500_000),
])
def test_parse_time_forms(text, us):
    assert parse_time(text) == us


@pytest.mark.parametrize("text,fragment", [
    ("", "found nothing"), ("-5", "cannot be negative"), ("1:60", "seconds must be below 60"),
    ("1:60:00", "minutes must be below 60"), ("soon", "found 'soon'"), ("1.2.3", "found '1.2.3'"),
    ("5x", "found '5x'"), ("0.1234567", "found '0.1234567'"), ("ms", "found 'ms'"),
])
def test_parse_time_rejects_with_what_was_expected(text, fragment):
    with pytest.raises(TimeFormatError) as info:
        parse_time(text)
    assert fragment in str(info.value)


def test_fractions_are_exact_without_floats():
    # 0.1 + 0.2 in floats is 0.30000000000000004; here it is exact
    assert parse_time("0.1") + parse_time("0.2") == parse_time("0.3")
    assert parse_time("1:02:03.000001") == 3_723_000_001


@pytest.mark.parametrize("us,text", [(0, "0:00"), (90_000_000, "1:30"), (5_500_000, "0:05.500"),
                                     (3_723_250_000, "1:02:03.250"), (-1_000_000, "-0:01")])
def test_format_time(us, text):
    assert format_time(us) == text


def test_sample_conversion_is_integer_and_rounds_half_up():
    assert us_to_samples(1_000_000, 44100) == 44100
    assert us_to_samples(1_000, 44100) == 44          # 44.1 -> 44
    assert us_to_samples(10_000_000_000, 44100) == 441_000_000  # no drift over hours
    assert us_to_samples(3_723_250_000, 48000) == 178_716_000
    assert samples_to_ms(44100 * 60, 44100) == 60_000
