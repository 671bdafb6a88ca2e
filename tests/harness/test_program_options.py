"""Multi-file builds (extra sources, include dirs, defines), output filters and self-reported times, with
the real mpicc/mpirun; and ``chathpc check``'s options for them, bad input included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chathpc.cli import main
from chathpc.config import HarnessConfig
from chathpc.harness import ProgramOptions, ProgramOptionsError, ReferenceProgramError, Verdict, check, program_options
from chathpc.harness.build import build_key

pytestmark = pytest.mark.mpi

CFG = HarnessConfig(ranks=[1, 3], perf_ranks=[1, 2], perf_repeats=1, perf_warmup=0)
SCALE_H = "#ifndef SCALE\n#error SCALE must be defined\n#endif\ndouble scaled(double x);\n"
HELPER_C = '#include "scale.h"\ndouble scaled(double x) { return SCALE * x; }\n'
SEQ = '#include <stdio.h>\n#include "scale.h"\nint main(void) { printf("%.6f\\n", scaled(1.5)); return 0; }\n'
MPI = (
    '#include <mpi.h>\n#include <stdio.h>\n#include "scale.h"\n'
    "int main(int argc, char **argv) { int r; MPI_Init(&argc, &argv); MPI_Comm_rank(MPI_COMM_WORLD, &r);\n"
    '  double v = r == 0 ? scaled(1.5) : 0, s; MPI_Reduce(&v, &s, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);\n'
    '  if (r == 0) printf("%.6f\\n", s); MPI_Finalize(); return 0; }\n'
)


def multi_file(tmp_path: Path, defines: list[str]) -> ProgramOptions:
    (tmp_path / "include").mkdir()
    (tmp_path / "include" / "scale.h").write_text(SCALE_H)
    (tmp_path / "helper.c").write_text(HELPER_C)
    return program_options(sources=[tmp_path / "helper.c"], include_dirs=[tmp_path / "include"], defines=defines)


def test_extra_source_include_dir_and_define_build_both_programs(work_root, tmp_path):
    options = multi_file(tmp_path, ["SCALE=3"])
    assert options.headers == {"inc0/scale.h": SCALE_H} and options.include_dirs == ["inc0"]
    result = check(SEQ, MPI, config=CFG, options=options)
    assert result.passed and [r.ranks for r in result.runs] == [1, 3]


def test_the_define_reaches_the_compiler(work_root, tmp_path):
    with pytest.raises(ReferenceProgramError, match="SCALE must be defined"):
        check(SEQ, MPI, config=CFG, options=multi_file(tmp_path, []))


def test_headers_sources_and_defines_are_in_the_build_key():
    base = dict(source=SEQ, cc="mpicc", cflags=["-O2"], ldflags=[], extra_sources={"helper.c": HELPER_C})
    keys = {
        build_key(**base),
        build_key(**base, source_name="prog.cc"),
        build_key(**base, headers={"inc0/scale.h": SCALE_H}),
        build_key(**base, headers={"inc0/scale.h": SCALE_H + "\n"}),
        build_key(**{**base, "extra_sources": {"helper.c": HELPER_C + "\n"}}),
        build_key(**{**base, "cflags": ["-O2", "-DSCALE=3"]}),
    }
    assert len(keys) == 6


PRINTS_TIME = (
    '#include <stdio.h>\n{mpi_include}int main(int argc, char **argv) {{ {init}\n'
    '  {only_root} {{ printf("result 42\\n"); printf("Time: {seconds}\\n"); printf("note {note}\\n"); }}\n'
    "  {finalize} return 0; }}\n"
)


def prints_time(seconds: str, note: str, mpi: bool) -> str:
    return PRINTS_TIME.format(
        mpi_include="#include <mpi.h>\n" if mpi else "", seconds=seconds, note=note,
        init="int r; MPI_Init(&argc, &argv); MPI_Comm_rank(MPI_COMM_WORLD, &r);" if mpi else "",
        only_root="if (r == 0)" if mpi else "", finalize="MPI_Finalize();" if mpi else "",
    )


SEQ_TIMED = prints_time("0.5", "sequential", mpi=False)
MPI_TIMED = prints_time("0.25", "parallel", mpi=True)


def test_output_differing_in_ignored_lines_passes_only_with_the_filter(work_root):
    assert check(SEQ_TIMED, MPI_TIMED, config=CFG).verdict == Verdict.WRONG_OUTPUT
    ignored = ProgramOptions(ignore_lines=[r"^Time:", r"^note "])
    assert check(SEQ_TIMED, MPI_TIMED, config=CFG, options=ignored).passed
    compared = ProgramOptions(compare_lines=[r"^result "])
    assert check(SEQ_TIMED, MPI_TIMED, config=CFG, options=compared).passed
    wrong = MPI_TIMED.replace("result 42", "result 41")
    result = check(SEQ_TIMED, wrong, config=CFG, options=compared)
    assert result.verdict == Verdict.WRONG_OUTPUT and result.runs[0].mismatch.expected == "42"


def test_filters_that_keep_nothing_on_both_sides_fail(work_root):
    nothing = ProgramOptions(compare_lines=[r"^no such line"])
    result = check(SEQ_TIMED, MPI_TIMED, config=CFG, options=nothing)
    assert result.verdict == Verdict.WRONG_OUTPUT and not result.passed
    assert "keep no line of either output" in result.runs[0].detail
    everything = ProgramOptions(ignore_lines=[r"."])
    assert check(SEQ_TIMED, MPI_TIMED, config=CFG, options=everything).verdict == Verdict.WRONG_OUTPUT


def test_filter_lines_unit():
    options = ProgramOptions(compare_lines=["^a", "^b"], ignore_lines=["skip"])
    assert options.filter_output("a 1\nb skip\nc 3\nb 4\n") == "a 1\nb 4\n"
    assert ProgramOptions().filter_output("x\n\n") == "x\n\n"


def test_time_pattern_times_both_programs_by_what_they_print(work_root):
    options = ProgramOptions(ignore_lines=[r"^Time:", r"^note ", r"^Elapsed"], time_pattern=r"^Time:\s*(\S+)")
    result = check(SEQ_TIMED, MPI_TIMED, config=CFG, options=options, perf=True)
    perf = result.perf
    assert perf is not None and perf.error is None
    assert perf.sequential_seconds == 0.5 and [(t.ranks, t.seconds, t.speedup) for t in perf.timings] == [(1, 0.25, 2.0), (2, 0.25, 2.0)]
    assert perf.timings[1].comm  # the PMPI shim still counts
    silent = MPI_TIMED.replace("Time: 0.25", "Elapsed 0.25")
    perf = check(SEQ_TIMED, silent, config=CFG, options=options, perf=True).perf
    assert perf.timings == [] and "printed no time matching" in perf.error


def test_bad_program_options_are_one_line_errors(tmp_path):
    with pytest.raises(ProgramOptionsError, match="^--time-pattern: time pattern 'Time' must have exactly one group"):
        program_options(time_pattern="Time")
    with pytest.raises(ProgramOptionsError, match=r"^--compare-lines: invalid regex '\('"):
        program_options(compare_lines=["("])
    with pytest.raises(ProgramOptionsError, match="^-D: define '1X' is not NAME or NAME=VALUE"):
        program_options(defines=["1X"])
    with pytest.raises(ProgramOptionsError, match="include directory not found"):
        program_options(include_dirs=[tmp_path / "missing"])
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "u.c").write_text("int u;\n")
    (tmp_path / "b" / "u.c").write_text("int v;\n")
    with pytest.raises(ProgramOptionsError, match="already has the name 'u.c'"):
        program_options(sources=[tmp_path / "a" / "u.c", tmp_path / "b" / "u.c"])


def test_cli_check_with_sources_includes_defines_and_filters(work_root, tmp_path, capsys):
    multi_file(tmp_path, [])
    (tmp_path / "seq.c").write_text(SEQ)
    (tmp_path / "mpi.c").write_text(MPI)
    code = main(["check", str(tmp_path / "seq.c"), str(tmp_path / "mpi.c"), "--ranks", "2", "--source", str(tmp_path / "helper.c"),
                 "-I", str(tmp_path / "include"), "-D", "SCALE=3", "--json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["passed"] is True
    (tmp_path / "st.c").write_text(SEQ_TIMED)
    (tmp_path / "mt.c").write_text(MPI_TIMED)
    code = main(["check", str(tmp_path / "st.c"), str(tmp_path / "mt.c"), "--ranks", "2", "--compare-lines", "^nothing", "--json"])
    assert code == 1 and "nothing was compared" in json.loads(capsys.readouterr().out)["runs"][0]["detail"]


@pytest.mark.parametrize(("extra", "message"), [
    (["--time-pattern", "Time"], "chathpc: error: --time-pattern: time pattern 'Time' must have exactly one group (the seconds)"),
    (["--ignore-lines", "("], "chathpc: error: --ignore-lines: invalid regex '('"),
    (["-I", "/no/such/dir"], "chathpc: error: /no/such/dir: include directory not found"),
    (["--source", "/no/such/file.c"], "chathpc: error: /no/such/file.c: cannot read extra source"),
    (["-D", "9=1"], "chathpc: error: -D: define '9=1' is not NAME or NAME=VALUE"),
])
def test_cli_bad_program_options_exit_2_with_one_line(tmp_path, capsys, extra, message):
    (tmp_path / "seq.c").write_text(SEQ_TIMED)
    code = main(["check", str(tmp_path / "seq.c"), str(tmp_path / "seq.c"), *extra])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith(message) and "\n" not in err


def test_cli_mixed_languages_exit_2(tmp_path, capsys):
    (tmp_path / "seq.c").write_text(SEQ_TIMED)
    (tmp_path / "mpi.f90").write_text("program p\nend program\n")
    assert main(["check", str(tmp_path / "seq.c"), str(tmp_path / "mpi.f90")]) == 2
    assert "different languages" in capsys.readouterr().err
