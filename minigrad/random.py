"""Random number generators, as PyTorch names them: ``mg.Generator``, the default generator and
the seeding functions (``torch.random``'s, also at the top of ``minigrad``).

>>> import minigrad as mg
>>> g = mg.Generator().manual_seed(42)
>>> a = mg.rand(3, generator=g)
>>> _ = g.manual_seed(42)
>>> bool((mg.rand(3, generator=g) == a).all())
True

Every function that draws (``rand``, ``randn``, ``randint``, ``randperm``, ``normal``,
``bernoulli``, ``multinomial``, ``x.uniform_()``..., dropout, ``nn.init``, the DataLoader's
shuffling) takes its numbers from ``generator=`` when it is given, else from
``mg.default_generator``.  The same seed gives the same numbers, run after run, within minigrad;
they are not PyTorch's numbers (a generator here is numpy's PCG64, not PyTorch's Mersenne
Twister), and a state from ``get_state()`` is minigrad's own (56 bytes, not PyTorch's 5056).
As in PyTorch, a fresh generator and the default one start from the seed 67280421310721, so
a program that never seeds still draws the same numbers each time it runs.
"""
from __future__ import annotations

import os

from . import engine
from .backend import xp
from .device import as_device

_DEFAULT_SEED = 67280421310721  # PyTorch's default_generator starts from this seed
_SEED_SPAN = 2 ** 64  # seeds are 64-bit; a negative seed n is read as n + 2**64 (PyTorch's rule)
_STATE_BYTES = 56  # state and increment (16 bytes each), the cached half-word (8 + 8), the seed (8)


class Generator:
    """A source of random numbers with its own state (PyTorch's ``torch.Generator``).

    ``manual_seed(n)`` restarts it from seed ``n`` (and returns it, so that
    ``mg.Generator().manual_seed(0)`` reads as one expression); ``get_state()`` /
    ``set_state(state)`` save and restore exactly where it is."""

    __slots__ = ("_device", "_seed", "_rng")

    def __init__(self, device="cpu"):
        self._device = as_device(device, "Generator")
        self._restart(_DEFAULT_SEED)

    @property
    def device(self):
        return self._device

    def _restart(self, seed: int) -> None:
        self._seed = seed
        self._rng = xp.random.Generator(xp.random.PCG64(seed))

    def manual_seed(self, seed) -> Generator:
        """Restart from ``seed`` (an int in [-2**63, 2**64)); returns the generator."""
        self._restart(_checked_seed(seed))
        return self

    def seed(self) -> int:
        """Restart from a seed drawn from the operating system's entropy, and return it."""
        seed = int.from_bytes(os.urandom(8), "little")
        self._restart(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed this generator last started from."""
        return self._seed

    def get_state(self):
        """The generator's whole state as a uint8 tensor (minigrad's own layout, 56 bytes):
        ``set_state`` of it continues exactly from here."""
        state = self._rng.bit_generator.state
        words = state["state"]
        parts = [_to_bytes(words["state"], 16), _to_bytes(words["inc"], 16),
                 _to_bytes(state["has_uint32"], 8), _to_bytes(state["uinteger"], 8),
                 _to_bytes(self._seed, 8)]
        return engine.new_constant(xp.frombuffer(b"".join(parts), dtype=xp.uint8).copy())

    def set_state(self, new_state) -> Generator:
        """Continue from a state ``get_state`` returned (a uint8 tensor); returns the generator."""
        data = _state_bytes(new_state)
        bit_generator = xp.random.PCG64()
        bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": _from_bytes(data[0:16]), "inc": _from_bytes(data[16:32])},
            "has_uint32": _from_bytes(data[32:40]), "uinteger": _from_bytes(data[40:48]),
        }
        self._seed = _from_bytes(data[48:56])
        self._rng = xp.random.Generator(bit_generator)
        return self

    def __repr__(self) -> str:
        return f"<minigrad.Generator device='{self._device}' initial_seed={self._seed}>"


def _to_bytes(value: int, size: int) -> bytes:
    return int(value).to_bytes(size, "little")


def _from_bytes(data) -> int:
    return int.from_bytes(bytes(data), "little")


def _checked_seed(seed) -> int:
    if isinstance(seed, (bool, xp.bool_)) or not isinstance(seed, (int, xp.integer)):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__} ({seed!r}): "
                           "give an int")
    seed = int(seed)
    if not -(2 ** 63) <= seed < _SEED_SPAN:
        raise ValueError(f"manual_seed: seed {seed} is out of range: seeds are 64-bit, from -2**63 to "
                         "2**64 - 1")
    return seed % _SEED_SPAN


def _state_bytes(new_state):
    if not engine.is_tensor(new_state):
        raise TypeError(f"set_state: expected a minigrad uint8 tensor (what get_state() returned), "
                        f"but got {type(new_state).__name__}")
    if new_state.dtype != xp.uint8:
        raise TypeError(f"RNG state must be a uint8 tensor (what get_state() returned), got dtype "
                        f"{new_state.dtype}")
    data = new_state.data.reshape(-1)
    if data.size != _STATE_BYTES:
        raise RuntimeError(f"set_state: expected a state of {_STATE_BYTES} bytes (minigrad's layout, "
                           f"from get_state()), but found the input RNG state size to be {data.size}")
    return data


default_generator = Generator()


def manual_seed(seed) -> Generator:
    """Seed minigrad's default generator (``randn``, ``rand``, layer init, dropout, shuffling);
    returns it, as PyTorch does."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator last started from."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state (a uint8 tensor), for ``set_rng_state``."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the default generator to a state ``get_rng_state`` returned."""
    default_generator.set_state(new_state)


def generator():
    """numpy's generator behind ``mg.default_generator`` (what dropout and nn.init draw from)."""
    return default_generator._rng


def numpy_generator(generator, op: str):
    """numpy's generator behind ``generator`` (an ``mg.Generator``, or None for the default)."""
    if generator is None:
        return default_generator._rng
    if not isinstance(generator, Generator):
        raise TypeError(f"{op}: generator must be a minigrad Generator (mg.Generator()), got "
                        f"{type(generator).__module__}.{type(generator).__name__}")
    return generator._rng
