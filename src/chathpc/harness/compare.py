"""Token-by-token output comparison with numeric tolerance.

Outputs are split on whitespace. Each token is split further into number and text pieces, so
``sum=1.5e+00`` compares ``sum=`` exactly and ``1.5e+00`` numerically. Integers (no point, no
exponent) must match exactly; other numbers match when ``|a - b| <= atol + rtol * max(|a|, |b|)``;
NaN matches only NaN and an infinity only the same infinity. A different number of tokens or
pieces is a mismatch.
"""

from __future__ import annotations

import math
import re

from chathpc.harness.results import Mismatch

_NUMBER = re.compile(
    r"((?<![A-Za-z_])[-+]?(?:nan|inf(?:inity)?)(?![A-Za-z_0-9])"
    r"|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)",
    re.IGNORECASE,
)


def _pieces(token: str) -> list[str]:
    return [p for p in _NUMBER.split(token) if p]


def _is_number(piece: str) -> bool:
    return _NUMBER.fullmatch(piece) is not None


def _is_integer(piece: str) -> bool:
    return re.fullmatch(r"[-+]?\d+", piece) is not None


def _tokens_with_lines(text: str) -> list[tuple[str, int]]:
    out = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        out.extend((tok, line_no) for tok in line.split())
    return out


def numbers_match(expected: float, actual: float, rtol: float, atol: float) -> bool:
    """True when two numbers agree within tolerance (NaN only with NaN, inf only with the same inf)."""
    if math.isnan(expected) or math.isnan(actual):
        return math.isnan(expected) and math.isnan(actual)
    if math.isinf(expected) or math.isinf(actual):
        return expected == actual
    return abs(expected - actual) <= atol + rtol * max(abs(expected), abs(actual))


def _piece_difference(exp: str, act: str, rtol: float, atol: float) -> str | None:
    exp_num, act_num = _is_number(exp), _is_number(act)
    if exp_num and act_num:
        if _is_integer(exp) and _is_integer(act):
            return None if int(exp) == int(act) else "integers differ"
        a, b = float(exp), float(act)
        if numbers_match(a, b, rtol, atol):
            return None
        if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
            return "NaN/Inf differs"
        rel = abs(a - b) / max(abs(a), abs(b))
        return f"relative difference {rel:.3g} > rtol {rtol:g} (atol {atol:g})"
    if exp == act:
        return None
    return "text differs" if not (exp_num or act_num) else "number expected" if exp_num else "text expected"


def compare_outputs(expected: str, actual: str, rtol: float, atol: float) -> Mismatch | None:
    """The first mismatch between two program outputs, or None when they agree."""
    exp_tokens, act_tokens = _tokens_with_lines(expected), _tokens_with_lines(actual)
    for index, ((exp, line), (act, _)) in enumerate(zip(exp_tokens, act_tokens)):
        if exp == act:
            continue
        exp_pieces, act_pieces = _pieces(exp), _pieces(act)
        if len(exp_pieces) != len(act_pieces):
            return Mismatch(index=index, line=line, expected=exp, actual=act, reason="token structure differs")
        for e, a in zip(exp_pieces, act_pieces):
            reason = _piece_difference(e, a, rtol, atol)
            if reason:
                return Mismatch(index=index, line=line, expected=exp, actual=act, reason=reason)
    if len(exp_tokens) != len(act_tokens):
        index = min(len(exp_tokens), len(act_tokens))
        line = exp_tokens[index][1] if index < len(exp_tokens) else (exp_tokens[-1][1] if exp_tokens else 1)
        return Mismatch(
            index=index,
            line=line,
            expected=exp_tokens[index][0] if index < len(exp_tokens) else None,
            actual=act_tokens[index][0] if index < len(act_tokens) else None,
            reason=f"expected {len(exp_tokens)} tokens, got {len(act_tokens)}",
        )
    return None
