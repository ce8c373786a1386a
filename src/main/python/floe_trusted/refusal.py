"""A save Floe refuses for a reason the caller can fix: raised anywhere, answered as ``refused``."""

from __future__ import annotations

from collections.abc import Sequence

from floe_trusted.contract import Difference, Problem, RefusalCode, Refused


class Refusal(Exception):
    def __init__(
        self, code: RefusalCode, message: str, differences: Sequence[Difference] = ()
    ) -> None:
        super().__init__(message)
        self.code: RefusalCode = code
        self.message = message
        self.differences = tuple(differences)

    def answer(self) -> Refused:
        return Refused(self.code, self.message, self.differences)


def difference(
    column: str, problem: Problem, table_type: str | None = None, result_type: str | None = None
) -> Difference:
    return Difference(column, problem, table_type, result_type)
