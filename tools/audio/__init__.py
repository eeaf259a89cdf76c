"""The renderer's audio DSP: PCM in, gapless MP3 and web segments out.

One concept per module; every failure is a subclass of
:class:`~flashmob.tools.audio.errors.AudioError` (:mod:`.errors`).

* :mod:`.pcm` — sample conversions, resampling, gain, silence trimming.
* :mod:`.decode` — files to PCM (libsndfile, ffmpeg).
* :mod:`.probe` — what an audio file is, cheaply, without decoding it.
* :mod:`.truepeak` — 4x oversampled true peaks and per-block peak bounds.
* :mod:`.limiter` — the look-ahead true-peak limiter.
* :mod:`.meter` — the BS.1770 integrated loudness meter.
* :mod:`.normalize` — loudness normalization to a shared target (the planner).
* :mod:`.encode` — PCM to a sample-exact gapless MP3 (ffmpeg/LAME).
* :mod:`.codec_check` — the decoded MP3 measured, codec-raised peaks corrected.
* :mod:`.crc16` — CRC-16/ARC, the LAME tag's checksum (bytes, every frame at once, joined).
* :mod:`.mp3info` — MP3 frame headers and the Xing/Info + LAME tag layout (read and write).
* :mod:`.segments` — a timeline planned into web-playback segments, encoded on their own.
* :mod:`.mp3cut` — those segments cut from the full MP3's own frames (frame surgery).

Imports point inward: :mod:`flashmob.tools.render` and :mod:`flashmob.tools.voices`
use this package, which imports nothing else of the project (a score's
assets are probed by :mod:`flashmob.tools.render.asset_probe`).
"""
