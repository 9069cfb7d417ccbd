"""Writes ``new_call.wav``: a soft two-tone chime (E5 then A5, bell-like decay), 0.9 s, mono.

Generated rather than recorded so that its origin and licence are plain: run
``python -m admin_console.ui.sounds.chime`` to make it again (the output is always the same).
"""

from __future__ import annotations

import math
import struct
import sys
import wave
from pathlib import Path

from admin_console.ui.sounds import NEW_CALL

RATE = 22_050
TONES = ((659.25, 0.0), (880.0, 0.28))  # frequency (Hz), start (s)
LENGTH_S = 0.9
VOLUME = 0.32  # soft: a library or a computer room is a quiet place


def samples() -> list[int]:
    count = int(RATE * LENGTH_S)
    out = []
    for n in range(count):
        t = n / RATE
        value = 0.0
        for freq, start in TONES:
            if t < start:
                continue
            age = t - start
            attack = min(1.0, age / 0.012)  # no click at the start
            decay = math.exp(-age * 5.5)
            tone = math.sin(2 * math.pi * freq * age) + 0.25 * math.sin(4 * math.pi * freq * age)
            value += attack * decay * tone / 1.25
        fade = min(1.0, (LENGTH_S - t) / 0.05)  # and none at the end
        out.append(round(max(-1.0, min(1.0, value * VOLUME * fade)) * 32767))
    return out


def write_chime(path: Path = NEW_CALL) -> Path:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        data = samples()
        handle.writeframes(struct.pack(f"<{len(data)}h", *data))
    return path


if __name__ == "__main__":
    print(write_chime(Path(sys.argv[1]) if len(sys.argv) > 1 else NEW_CALL))
