"""extract_code on realistic messy model outputs."""

from __future__ import annotations

from chathpc.extract import code_blocks, extract_code, is_program

MPI_PROGRAM = """\
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int rank, size;
    long n = argc > 1 ? atol(argv[1]) : 1000;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    double local = 0.0, total = 0.0;
    for (long i = rank; i < n; i += size) {
        local += 1.0 / (double)(i + 1);
    }
    MPI_Reduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) printf("%.12e\\n", total); /* { unbalanced in a comment */
    MPI_Finalize();
    return 0;
}
"""

SEQ_PROGRAM = """\
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    double total = 0.0;
    for (long i = 0; i < n; i++) total += 1.0 / (double)(i + 1);
    printf("%.12e\\n", total);
    return 0;
}
"""


def test_fenced_block_with_chatter_around_it():
    text = f"Sure! Here is the MPI version of your program:\n\n```c\n{MPI_PROGRAM}```\n\nEach rank sums a strided share and MPI_Reduce combines them."
    assert extract_code(text) == MPI_PROGRAM


def test_crlf_and_uppercase_language_and_indented_block():
    indented = "".join("    " + line + "\n" if line else "\n" for line in MPI_PROGRAM.splitlines())
    text = ("1. Replace the loop:\r\n\r\n    ```C\r\n" + indented.replace("\n", "\r\n") + "    ```\r\n")
    assert extract_code(text) == MPI_PROGRAM


def test_prefers_mpi_program_over_original_and_skips_shell_blocks():
    text = (
        f"The original program:\n```c\n{SEQ_PROGRAM}```\n"
        f"The parallel version:\n```cpp\n{MPI_PROGRAM}```\n"
        "Compile and run it with:\n```bash\nmpicc -O2 mpi.c -o mpi && mpirun -np 4 ./mpi 100\n```\n"
    )
    assert extract_code(text) == MPI_PROGRAM


def test_last_corrected_version_wins():
    first = MPI_PROGRAM.replace("MPI_SUM", "MPI_MAX")
    text = f"```c\n{first}```\nWait, that reduction is wrong. Corrected:\n```c\n{MPI_PROGRAM}```"
    assert extract_code(text) == MPI_PROGRAM


def test_unterminated_fence_from_token_limit():
    truncated = MPI_PROGRAM[: MPI_PROGRAM.index("    MPI_Finalize")]
    text = f"```c\n{truncated}"
    code = extract_code(text)
    assert code is not None and code.startswith("#include <mpi.h>") and "MPI_Reduce" in code


def test_bare_code_after_answer_marker_with_echoed_prompt_and_trailing_prose():
    text = (
        "You are ChatHPC.\n\n### Context:\nSequential to MPI translation\n\n### Question:\nParallelize this.\n\n"
        f"### Answer:\n{MPI_PROGRAM}\nThis distributes the iterations cyclically over the ranks.\n"
        "### Question:\nAnother question that the model made up\n"
    )
    assert extract_code(text, "### Answer:") == MPI_PROGRAM


def test_template_continuation_after_the_answer_is_cut():
    other = MPI_PROGRAM.replace("MPI_SUM", "MPI_PROD")
    text = f"```c\n{MPI_PROGRAM}```\n\n### Question:\nParallelize gemm.\n\n### Answer:\n```c\n{other}```\n"
    assert extract_code("### Answer:\n" + text, "### Answer:") == MPI_PROGRAM


def test_end_of_text_token_cuts_trailing_garbage():
    text = f"```c\n{MPI_PROGRAM}```</s>```c\nint main(void) {{ return 1; }}\n```"
    assert extract_code(text) == MPI_PROGRAM


def test_program_split_over_several_blocks_is_joined():
    head, body = MPI_PROGRAM.split("\nint main", 1)
    text = f"First the headers:\n```c\n{head}\n```\nThen main:\n```c\nint main{body}```\n"
    code = extract_code(text)
    assert code is not None and "#include <mpi.h>" in code and "MPI_Finalize" in code and is_program(code)


def test_bare_code_with_preamble_prose_and_no_marker():
    text = f"Here is the code you asked for, parallelized with MPI.\n\n{MPI_PROGRAM}\nNote: compile with mpicc.\n"
    assert extract_code(text) == MPI_PROGRAM


def test_no_program_gives_none():
    assert extract_code("") is None
    assert extract_code("   \n") is None
    assert extract_code("I cannot help with that request.") is None
    assert extract_code("```bash\nmpicc a.c\n```") is None
    assert extract_code("```c\ndouble dot(const double *a, const double *b, int n);\n```") is None
    assert extract_code("int main(void);\n") is None


def test_code_blocks_lists_languages_in_order():
    text = "```c\nint a;\n```\ntext\n~~~python\nprint(1)\n~~~\n"
    assert code_blocks(text) == [("c", "int a;"), ("python", "print(1)")]
