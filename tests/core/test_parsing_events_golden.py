"""`plextray events --json` prints byte-identical output on every real sample in ../shared.

The parser was split into the `plextray.core.parsing` package (issue 14) without changing a
single event: the hashes below are of the output of `events --json` run with main's one-file
parser (commit 232e413) on each sample — each blank-line-separated block of log-lines.txt on
its own (one era per block), the whole file, the 2013 lines, and the full 1.43.0 log.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
from pathlib import Path

from plextray.commands import events

# sample name -> (lines of output, sha256 of the output) at 232e413
EXPECTED: dict[str, tuple[int, str]] = {
    'log-lines.txt': (4, '939e43e45f7acfe1cc616bd8b57630dbe8e8584c9a459072128b445467a34a91'),
    'plex-reporter-2013/lines.txt': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'plex-reporter-2013/reconstructed-raw-lines-2013.txt': (4, 'f8a2c46bc0d0b9a870814f01fc2d2212f7b08b57f495b981f11e9303431ad612'),
    'logs/darklyter-pms-1.43.0-linux/Plex Media Server.log': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#00': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#01': (2, '6dea7a16fe84cb75406250a27952e7b8061e9a65c27c3eda40664b8880d9686f'),
    'log-lines.txt#02': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#03': (1, '3e9c55a8abe8820b7800ebda4bd6eb01b1b793444bd3cd2bec032c39b59ae826'),
    'log-lines.txt#04': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#05': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#06': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#07': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#08': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#09': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#10': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#11': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#12': (1, '99fa4b41c782deb0e5be07692f7684bd41635939aa8a5f467fd9e40212ec5996'),
    'log-lines.txt#13': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#14': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
    'log-lines.txt#15': (0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
}  # fmt: skip


def samples(tmp: Path) -> dict[str, Path]:
    """Each real sample as a file `events` can read (blocks written out one per file)."""
    from conftest import shared_path

    pms = shared_path("pms")
    found = {
        "log-lines.txt": pms / "log-lines.txt",
        "plex-reporter-2013/lines.txt": pms / "plex-reporter-2013" / "lines.txt",
        "plex-reporter-2013/reconstructed-raw-lines-2013.txt": pms
        / "plex-reporter-2013"
        / "reconstructed-raw-lines-2013.txt",
    }
    for path in sorted((pms / "logs").rglob("*")):
        if path.is_file():
            found[str(path.relative_to(pms))] = path
    text = (pms / "log-lines.txt").read_bytes()
    for number, block in enumerate(text.split(b"\n\n")):
        if block.strip():
            path = tmp / f"block-{number:02d}.log"
            path.write_bytes(block + b"\n")
            found[f"log-lines.txt#{number:02d}"] = path
    return found


def events_json(path: Path) -> bytes:
    """What `plextray events --json PATH` prints on stdout."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        events.run(argparse.Namespace(files=[str(path)], json=True))
    return out.getvalue().encode()


def fingerprint(output: bytes) -> tuple[int, str]:
    return output.count(b"\n"), hashlib.sha256(output).hexdigest()


def test_every_real_sample_prints_the_same_events_as_before(tmp_path: Path) -> None:
    found = {name: fingerprint(events_json(path)) for name, path in samples(tmp_path).items()}
    assert set(found) == set(EXPECTED)
    assert sum(lines for lines, _ in found.values()) > 5  # the samples do hold playback
    for name, expected in EXPECTED.items():
        assert found[name] == expected, name


if __name__ == "__main__":  # print EXPECTED as computed by the parser on PYTHONPATH
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for conftest
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in samples(Path(tmp)).items():
            print(f"    {name!r}: {fingerprint(events_json(path))!r},")
