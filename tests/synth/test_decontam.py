"""Decontamination: test tasks and re-implementations of them are refused, the families' programs are not."""

from __future__ import annotations

import random

import pytest

from chathpc.synth.decontam import THRESHOLD, kernel_tokens, nearest, similarity
from chathpc.synth.families import FAMILIES
from chathpc.tasks import get_task, load_suite

# a copy kernel in another hand: other names, types, loop shape, helper and print format than the suite's copy
COPY_ELSEWHERE = """
#include <stdio.h>
#include <stdlib.h>
static float checksum(const float *a, long len) { float t = 0; for (long q = 0; q < len; ++q) t += a[q]; return t; }
int main(int argc, char **argv) {
  long len = argc > 1 ? atol(argv[1]) : 500;
  float *src = malloc(len * sizeof(float)), *dst = malloc(len * sizeof(float));
  for (long q = 0; q < len; ++q) src[q] = 0.5f * (q % 9);
  for (long q = 0; q < len; ++q) dst[q] = src[q];
  printf("checksum=%g\\n", checksum(dst, len));
  return 0;
}
"""

# asum written again: sum of absolute values, other scaffolding
ASUM_ELSEWHERE = """
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int count = 1000;
  if (argc > 1) count = atoi(argv[1]);
  double *vals = malloc(count * sizeof(double));
  for (int k = 0; k < count; k++) vals[k] = (k % 5) - 2.0;
  double total = 0.0;
  for (int k = 0; k < count; k++) total += fabs(vals[k]);
  printf("asum %.12e\\n", total);
  free(vals);
  return 0;
}
"""


@pytest.mark.parametrize("task", [t.id for t in load_suite("test")])
def test_every_test_task_is_refused_as_itself(task):
    found = nearest(get_task(task).seq_source)
    assert found.task == task and found.similarity == 1.0


@pytest.mark.parametrize(("source", "task"), [(COPY_ELSEWHERE, "copy"), (ASUM_ELSEWHERE, "asum")])
def test_reimplementations_of_test_computations_are_refused(source, task):
    found = nearest(source)
    assert found.task == task and found.similarity >= THRESHOLD


def test_kernel_ignores_scaffolding_names_and_types():
    assert kernel_tokens(COPY_ELSEWHERE) == kernel_tokens(get_task("copy").seq_source)
    assert similarity(kernel_tokens(get_task("axpy").seq_source), kernel_tokens(get_task("copy").seq_source)) < 0.94


@pytest.mark.parametrize("family", list(FAMILIES))
def test_generated_programs_are_below_the_threshold(family):
    for seed in range(8):
        pair = FAMILIES[family].make(random.Random(f"decontam:{seed}"))
        assert nearest(pair.sequential).similarity < THRESHOLD, (family, seed)


def test_every_test_task_has_a_documented_exclusion():
    from chathpc.synth.families import TEST_COMPUTATIONS

    assert set(TEST_COMPUTATIONS) == {task.id for task in load_suite("test")}
