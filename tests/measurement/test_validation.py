"""Bad arguments to qic() are refused with a message naming the problem."""

from __future__ import annotations

from typing import Any

import pytest

from analytics import qic

BAD_CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any], str]] = [
    ("unknown chart", ([1, 2],), {"chart": "pareto"}, "unknown chart 'pareto'"),
    ("empty series", ([],), {}, "at least one point"),
    ("n of another length", ([1, 2], [10]), {"chart": "p"}, "y has 2 values but n has 1"),
    ("x of another length", ([1, 2],), {"x": [1]}, "y has 2 values but x has 1"),
    ("repeated x", ([1, 2],), {"x": ["a", "a"]}, "x has repeated values"),
    ("p chart without n", ([1, 2],), {"chart": "p"}, "p chart needs subgroup sizes"),
    ("u chart without n", ([1, 2],), {"chart": "u"}, "u chart needs subgroup sizes"),
    ("negative n", ([1, 2], [10, -1]), {"chart": "u"}, r"n\[2\] is -1; subgroup sizes cannot be negative"),
    ("p count above n", ([1, 12], [10, 10]), {"chart": "p"}, r"y\[2\] is 12 but n\[2\] is 10"),
    ("negative count", ([1, -1],), {"chart": "c"}, r"y\[2\] is -1"),
    ("not a number", ([1, "2"],), {}, r"y\[2\] is '2'; expected a finite number or None"),
    ("NaN for missing", ([1, float("nan")],), {}, r"y\[2\] is nan"),
    ("freeze of zero", ([1, 2, 3],), {"freeze": 0}, "freeze is 0; expected a point count from 1 to 3"),
    ("freeze beyond the series", ([1, 2, 3],), {"freeze": 4}, "freeze is 4"),
    ("freeze with part", ([1, 2, 3, 4],), {"freeze": 2, "part": [2]}, "freeze and part cannot be combined"),
    ("part at zero", ([1, 2, 3],), {"part": [0]}, "part position 0 is out of range; expected 1 to 2"),
    ("part at the last point", ([1, 2, 3],), {"part": [3]}, "part position 3 is out of range"),
    ("exclude beyond the series", ([1, 2, 3],), {"exclude": [4]}, "exclude position 4 is out of range"),
    ("exclude at zero", ([1, 2, 3],), {"exclude": [0]}, "exclude position 0 is out of range"),
    ("a bare part position", ([1, 2, 3],), {"part": 2}, "part is 2; expected a list of 1-based positions"),
    (
        "repeated x on an i chart",
        ([1, 2],),
        {"x": [1, 1], "chart": "i"},
        "only xbar and s charts take several",
    ),
    ("pp chart without n", ([1, 2],), {"chart": "pp"}, "pp chart needs subgroup sizes"),
    ("up chart without n", ([1, 2],), {"chart": "up"}, "up chart needs subgroup sizes"),
    ("ip chart without n", ([1, 2],), {"chart": "ip"}, "ip chart needs subgroup sizes"),
    ("pp count above n", ([1, 12], [10, 10]), {"chart": "pp"}, r"y\[2\] is 12 but n\[2\] is 10"),
    ("up negative count", ([1, -1], [10, 10]), {"chart": "up"}, r"y\[2\] is -1; a up chart counts events"),
    ("g chart of a negative count", ([3, -2],), {"chart": "g"}, r"y\[2\] is -2; a g chart counts events"),
    (
        "g chart with n",
        ([3, 2], [1, 1]),
        {"chart": "g"},
        "a g chart counts units between events; it takes no",
    ),
    ("t chart of a zero time", ([3, 0],), {"chart": "t"}, r"y\[2\] is 0; .*must be greater than zero"),
    ("t chart of a negative time", ([-1, 2],), {"chart": "t"}, r"y\[1\] is -1; a t chart plots times"),
    ("t chart with n", ([3, 2], [1, 1]), {"chart": "t"}, "a t chart plots times between events; it takes no"),
    (
        "xbar with one observation per subgroup",
        ([1, 2, 3],),
        {"x": ["a", "b", "c"], "chart": "xbar"},
        "an xbar chart needs subgroups of two or more observations",
    ),
    ("s without x", ([1, 2, 3],), {"chart": "s"}, "an s chart needs subgroups of two or more observations"),
    ("xbar with n", ([1, 2], [5, 5]), {"x": [1, 1], "chart": "xbar"}, "takes no subgroup sizes n"),
    ("xbar x of another length", ([1, 2, 3],), {"x": [1, 1], "chart": "xbar"}, "y has 3 values but x has 2"),
    (
        "freeze beyond the subgroups",
        ([1, 2, 3, 4],),
        {"x": [1, 1, 2, 2], "chart": "xbar", "freeze": 3},
        "freeze is 3; expected a point count from 1 to 2",
    ),
    ("multiply of zero", ([1, 2],), {"multiply": 0}, "multiply is 0; it must be greater than zero"),
    ("negative multiply", ([1, 2],), {"multiply": -100}, "multiply is -100; it must be greater than zero"),
    (
        "multiply not a number",
        ([1, 2],),
        {"multiply": "100"},
        "multiply is '100'; expected a positive number",
    ),
    ("multiply of NaN", ([1, 2],), {"multiply": float("nan")}, "multiply is nan; expected a positive number"),
    ("multiply as a flag", ([1, 2],), {"multiply": True}, "multiply is True; expected a positive number"),
]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"), [case[1:] for case in BAD_CALLS], ids=[c[0] for c in BAD_CALLS]
)
def test_refuses_bad_arguments_with_a_clear_message(
    args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        qic(*args, **kwargs)
