"""One registry per family (resamplers, samplers, losses, recipes, datasets).

A :class:`Registry` maps a public name (``"smote"``, ``"focal"``) to an object, is filled by the
:meth:`Registry.register` decorator next to each class, and says what exists when a name is
unknown. The CLI, config files, docs and the common tests all iterate over registries instead of
if-chains.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar, overload

from .exceptions import UnknownNameError

__all__ = ["Registry"]

T = TypeVar("T")


class Registry(Generic[T]):
    """A named collection of objects of one family.

    Parameters
    ----------
    kind : str
        What the entries are, used in error messages ("resampler", "loss", "recipe").

    Examples
    --------
    >>> losses = Registry("loss")
    >>> @losses.register("focal")
    ... class FocalLoss: ...
    >>> losses.get("focal").__name__
    'FocalLoss'
    >>> "focal" in losses
    True
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, T] = {}

    @overload
    def register(self, name: str, obj: None = None, *, replace: bool = ...) -> Callable[[T], T]: ...

    @overload
    def register(self, name: str, obj: T, *, replace: bool = ...) -> T: ...

    def register(
        self, name: str, obj: T | None = None, *, replace: bool = False
    ) -> Callable[[T], T] | T:
        """Add ``obj`` under ``name``; usable as ``@registry.register("name")``.

        Parameters
        ----------
        name : str
            Public name, lower case with dashes (``"smote-tomek"``).
        obj : object, optional
            The entry. When omitted, a decorator is returned.
        replace : bool, default=False
            Allow overwriting an existing entry (for user-defined recipes).

        Returns
        -------
        object or callable
            ``obj`` itself when given; otherwise a decorator that registers and returns its
            argument unchanged (the two overloads tell type checkers which).
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"A {self.kind} name must be a non-empty string; got {name!r}.")

        def _add(entry: T) -> T:
            if name in self._entries and not replace and self._entries[name] is not entry:
                raise ValueError(
                    f"A {self.kind} named {name!r} is already registered; "
                    "pass replace=True to overwrite it."
                )
            self._entries[name] = entry
            return entry

        if obj is not None:
            return _add(obj)
        return _add

    def unregister(self, name: str) -> None:
        """Remove ``name`` (raises :class:`UnknownNameError` if absent)."""
        self.get(name)
        del self._entries[name]

    def get(self, name: str) -> T:
        """Return the entry called ``name``.

        Raises
        ------
        UnknownNameError
            With the list of known names and the closest match.
        """
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            known = sorted(self._entries)
            close = difflib.get_close_matches(str(name), known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UnknownNameError(
                f"unknown {self.kind} {name!r}; expected one of {known}.{hint}"
            ) from None

    __getitem__ = get

    def names(self) -> list[str]:
        """Registered names, in registration order."""
        return list(self._entries)

    def items(self) -> list[tuple[str, T]]:
        """``(name, entry)`` pairs, in registration order."""
        return list(self._entries.items())

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {self.names()})"
