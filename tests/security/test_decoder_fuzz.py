"""Mutated headers of every accepted format, fed to the evidence check and to the upload door.

Each case starts from a real PNG, JPEG, GIF, WebP or PDF (or a header claiming 20000×20000)
and changes its first bytes: a byte replaced, a size field set to 0, 65535 or 2³²−1, bytes
cut, inserted or repeated, and for PNG the chunk checksums made right again so the change
reaches past them. Whatever the decoder makes of it, the file is accepted as what its content
is, or refused with a message naming it — never another exception, never a 500. Hypothesis
draws the cases from a fixed seed: the same few hundred on every run, in a few seconds.
"""

from __future__ import annotations

import struct
import tempfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from complaints.models import Evidence
from complaints.services.evidence import EVIDENCE_CONTENT_TYPES, evidence_check
from tests.complaints.api_helpers import PDF_BYTES, client_for
from tests.complaints.hostile_images import (
    gif_claiming,
    jpeg_claiming,
    png_claiming,
    sample,
    webp_claiming,
)
from tests.factories import log_complaint

# Hypothesis keeps caches beside the tests unless told otherwise; they belong in /tmp.
set_hypothesis_home_dir(tempfile.mkdtemp(prefix="desk-hypothesis-"))

SEEDS = {
    "png": [sample("PNG"), png_claiming(20000, 20000), png_claiming(8, 8, pixels=False)],
    "jpg": [sample("JPEG"), jpeg_claiming(20000, 20000)],
    "gif": [sample("GIF"), gif_claiming(20000, 20000)],
    "webp": [sample("WEBP"), sample("WEBP", size=(3, 2)), webp_claiming(20000, 20000)],
    "pdf": [PDF_BYTES],
}
HEADER = 64  # the mutations stay within the first bytes, where the decoders read sizes
SIZES = [0, 1, 255, 256, 4096, 20000, 65535, 2**24 - 1, 2**31 - 1, 2**32 - 1]
FAST = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

replace_byte = st.tuples(st.just("byte"), st.integers(0, HEADER - 1), st.integers(0, 255))
set_size = st.tuples(
    st.just("size"), st.integers(0, HEADER - 4), st.sampled_from(SIZES), st.sampled_from("<>")
)
cut = st.tuples(st.just("cut"), st.integers(0, HEADER * 2))
insert = st.tuples(st.just("insert"), st.integers(0, HEADER - 1), st.binary(min_size=1, max_size=8))
repeat = st.tuples(st.just("repeat"), st.integers(4, HEADER))
MUTATION = st.one_of(replace_byte, set_size, cut, insert, repeat)


def _mutate(data: bytes, mutation: tuple) -> bytes:
    kind, *args = mutation
    buffer = bytearray(data)
    if kind == "byte":
        position, value = args
        if position < len(buffer):
            buffer[position] = value
    elif kind == "size":
        position, value, order = args
        packed = (
            struct.pack(f"{order}I", value) if value > 65535 else struct.pack(f"{order}H", value)
        )
        buffer[position : position + len(packed)] = packed
    elif kind == "cut":
        del buffer[args[0] :]
    elif kind == "insert":
        position, extra = args
        buffer[position:position] = extra
    else:
        buffer[: args[0]] = buffer[: args[0]] * 2
    return bytes(buffer)


def _fix_png_checksums(data: bytes) -> bytes:
    """The PNG's chunks with their CRCs recomputed, so a decoder reads what they say."""
    out, position = bytearray(data[:8]), 8
    while position + 8 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        out += data[position : position + 8] + body + struct.pack(">I", zlib.crc32(kind + body))
        position += 12 + length
    return bytes(out + data[position:])


@st.composite
def mutated_files(draw, ext: str) -> bytes:
    data = draw(st.sampled_from(SEEDS[ext]))
    for mutation in draw(st.lists(MUTATION, min_size=1, max_size=4)):
        data = _mutate(data, mutation)
    if ext == "png" and draw(st.booleans()):
        data = _fix_png_checksums(data)
    return data


def _accepted_or_refused_by_name(name: str, content: bytes) -> None:
    try:
        checked = evidence_check(SimpleUploadedFile(name, content))
    except ValidationError as exc:
        [message] = exc.message_dict["file"]
        assert f"“{name}”" in message
    else:
        assert checked.content_type in EVIDENCE_CONTENT_TYPES
        assert checked.size == len(content)


pytestmark = pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")


@pytest.mark.parametrize("ext", sorted(SEEDS))
def test_a_mutated_header_is_accepted_or_refused_by_name_never_a_crash(ext):
    @settings(FAST, max_examples=80)
    @seed(20261207)
    @given(content=mutated_files(ext))
    def check(content: bytes) -> None:
        _accepted_or_refused_by_name(f"evidence.{ext}", content)

    check()


@pytest.mark.django_db
def test_the_upload_door_answers_201_or_400_naming_the_file(frontdesk, estate):
    reference = log_complaint(frontdesk, estate=estate).reference
    desk = client_for(frontdesk)
    answers: set[int] = set()

    @settings(FAST, max_examples=60)
    @seed(20261207)
    @given(ext=st.sampled_from(sorted(SEEDS)), data=st.data())
    def upload(ext: str, data) -> None:
        content = data.draw(mutated_files(ext))
        before = Evidence.objects.count()
        response = desk.post(
            f"/api/v1/complaints/{reference}/evidence/",
            {"file": SimpleUploadedFile(f"fuzz.{ext}", content)},
            format="multipart",
        )
        answers.add(response.status_code)
        if response.status_code == 400:
            [message] = response.json()["file"]
            assert f"“fuzz.{ext}”" in message
            assert Evidence.objects.count() == before
        else:
            assert response.status_code == 201, response.content
            assert Evidence.objects.count() == before + 1

    upload()

    assert answers == {201, 400}  # the cases reach both sides of the check
