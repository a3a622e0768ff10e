"""Fingerprint values to incident numbers, in two flat arrays.

The incident index files each open incident under the lead values of its
sources' fingerprints: some 200,000 keys for 10,000 open incidents, nearly
every one held by one incident. As dictionary entries each would cost a
Python int (32 bytes) and a slot of a dictionary (40 to 80 bytes at its usual
fill); here a value is 12 bytes of two arrays (the value, the number), the
arrays 50% to 70% full: open addressing with linear probing, so a lookup
reads a few neighbouring cells. A deleted value leaves a marker that a later
one reuses; when values and markers fill 70% of the cells, the arrays are
rebuilt at twice as many cells as values (grown, or shrunk, and cleared of
markers).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

_EMPTY = 0
_GONE = 1
_OFFSET = 2
"""A cell holds its value + 2, so that 0 and 1 can mark an empty and a deleted cell."""
MAX_VALUE = (1 << 64) - 1 - _OFFSET
_MIX = 0x9E3779B97F4A7C15
"""An odd 64-bit constant: multiplying by it spreads values that differ in a few bits
(a fingerprint value's low bits vary little) over the whole table."""
_MAX_FILL = 0.7
_MIN_CELLS = 1024


class TextTable:
    """A map of values (0 to ``MAX_VALUE``) to numbers (0 to 2**32 - 1)."""

    __slots__ = ("_capacity", "_cells", "_numbers", "_size", "_used")

    def __init__(self) -> None:
        self._size = 0
        """Values held."""
        self._used = 0
        """Cells not empty: values and deletion markers."""
        self._allocate(_MIN_CELLS)

    def __len__(self) -> int:
        return self._size

    @property
    def capacity(self) -> int:
        """Cells."""
        return self._capacity

    def get(self, value: int) -> int | None:
        """The number held for ``value``, if any."""
        cells, capacity = self._cells, self._capacity
        held = value + _OFFSET
        cell = self._home(value)
        while (content := cells[cell]) != _EMPTY:
            if content == held:
                return self._numbers[cell]
            cell += 1
            if cell == capacity:
                cell = 0
        return None

    def items(self) -> Iterator[tuple[int, int]]:
        """Every (value, number) held."""
        for cell, content in enumerate(self._cells):
            if content > _GONE:
                yield content - _OFFSET, self._numbers[cell]

    def add(self, value: int, number: int) -> None:
        """Hold ``number`` for ``value``, which must not be held yet."""
        if not 0 <= value <= MAX_VALUE:
            raise ValueError(f"value out of range: {value}")
        if self._used + 1 > _MAX_FILL * self._capacity:
            self._rebuild()
        cells, capacity = self._cells, self._capacity
        cell = self._home(value)
        while cells[cell] > _GONE:
            cell += 1
            if cell == capacity:
                cell = 0
        if cells[cell] == _EMPTY:
            self._used += 1
        cells[cell] = value + _OFFSET
        self._numbers[cell] = number
        self._size += 1

    def discard(self, value: int) -> None:
        """Forget ``value`` (nothing if it is not held)."""
        cells, capacity = self._cells, self._capacity
        held = value + _OFFSET
        cell = self._home(value)
        while (content := cells[cell]) != _EMPTY:
            if content == held:
                cells[cell] = _GONE
                self._size -= 1
                return
            cell += 1
            if cell == capacity:
                cell = 0

    def _home(self, value: int) -> int:
        return ((value * _MIX) >> 32) % self._capacity

    def _allocate(self, capacity: int) -> None:
        self._cells = array("Q", bytes(8 * capacity))
        self._numbers = array("I", bytes(4 * capacity))
        self._capacity = capacity
        self._used = 0

    def _rebuild(self) -> None:
        """Twice as many cells as values (rounded up), without deletion markers."""
        cells, numbers = self._cells, self._numbers
        capacity = max(_MIN_CELLS, -(-2 * (self._size + 1) // _MIN_CELLS) * _MIN_CELLS)
        self._allocate(capacity)
        self._size = 0
        for cell, content in enumerate(cells):
            if content > _GONE:
                self.add(content - _OFFSET, numbers[cell])
