"""`bench/report.py`: the command line a bench result records."""

import pathlib
import sys

BENCH = pathlib.Path(__file__).resolve().parent.parent / "bench"


def test_a_recorded_command_names_the_data_folder_by_its_variable(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    import report  # bench/report.py

    monkeypatch.setenv("PIXEL_ZOO_DATA", "/work/shared/data")
    monkeypatch.setattr(sys, "argv", [str(BENCH / "ood_perturb_rate.py"), "--num=5",
                                      "--data_dir=/work/shared/data"])
    command = report.command()
    assert command.endswith("ood_perturb_rate.py --num=5 --data_dir=$PIXEL_ZOO_DATA"), command
    monkeypatch.delenv("PIXEL_ZOO_DATA")
    assert report.command().endswith("--data_dir=/work/shared/data")
