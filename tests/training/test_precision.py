"""The bfloat16 check reads the CPU's flags and warns only where bfloat16 is emulated."""

import logging

import pytest

from pixel_zoo.training import precision

AVX2_ONLY = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\n"
WITH_AMX = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 avx512f avx512_bf16 amx_bf16 amx_tile\n"


@pytest.fixture
def cpuinfo(tmp_path):
    def write(text):
        path = tmp_path / "cpuinfo"
        path.write_text(text)
        return str(path)
    return write


def test_cpu_flags_are_read_from_the_flags_line(cpuinfo):
    assert precision.cpu_flags(cpuinfo(AVX2_ONLY)) == {"fpu", "sse2", "avx", "avx2", "fma"}
    assert precision.cpu_flags(cpuinfo("processor\t: 0\n")) is None
    assert precision.cpu_flags("/no/such/cpuinfo") is None


@pytest.fixture
def gpus(monkeypatch):
    """The GPUs the check sees: none unless a test appends one (the same on any machine)."""
    found = []
    monkeypatch.setattr(precision.tf.config, "list_physical_devices",
                        lambda kind=None: list(found) if kind == "GPU" else [])
    return found


def test_bfloat16_is_emulated_only_without_the_cpu_flags_or_a_gpu(cpuinfo, gpus):
    assert precision.bfloat16_is_emulated(cpuinfo(AVX2_ONLY))
    assert not precision.bfloat16_is_emulated(cpuinfo(WITH_AMX))
    assert not precision.bfloat16_is_emulated("/no/such/cpuinfo")  # unknown: no warning
    gpus.append("GPU:0")
    assert not precision.bfloat16_is_emulated(cpuinfo(AVX2_ONLY))


def test_warns_for_emulated_bfloat16_only(cpuinfo, gpus, caplog):
    with caplog.at_level(logging.WARNING):
        assert precision.warn_if_emulated("bfloat16", cpuinfo(AVX2_ONLY))
        assert not precision.warn_if_emulated("float16", cpuinfo(AVX2_ONLY))
        assert not precision.warn_if_emulated("bfloat16", cpuinfo(WITH_AMX))
    assert len(caplog.records) == 1
    assert "AVX512_BF16 or AMX" in caplog.records[0].getMessage()
