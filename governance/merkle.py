"""Merkle tree hashes in the style of RFC 6962 (Certificate Transparency), sha256.

A leaf hashes as sha256(0x00 || leaf), an inner node as sha256(0x01 || left || right);
a tree of n > 1 leaves splits at the largest power of two below n. `MerkleAccumulator`
computes the same root from a stream of leaves in O(log n) memory; accumulators built apart
(over consecutive runs of leaves, say in other processes) join when their subtrees line up.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
_sha256 = hashlib.sha256


def leaf_hash(leaf: bytes) -> bytes:
    """The hash of one leaf."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node from its children's hashes."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


class MerkleAccumulator:
    """Builds the root over leaves added one at a time, keeping one hash per set bit of n."""

    def __init__(self) -> None:
        self.size = 0
        # Roots of complete subtrees, largest first: one per set bit of `size`, high to low.
        self._peaks: list[bytes] = []

    @classmethod
    def of_leaf_hashes(cls, hashes: Sequence[bytes]) -> MerkleAccumulator:
        """The accumulator over leaves whose `leaf_hash`es are `hashes`, in order (each
        complete subtree reduced a level at a time: cheaper than adding one by one)."""
        accumulator, start = cls(), 0
        for bit in reversed(range(len(hashes).bit_length())):
            width = 1 << bit
            if len(hashes) & width:
                level = list(hashes[start : start + width])
                while len(level) > 1:
                    pairs = iter(level)
                    level = [
                        _sha256(NODE_PREFIX + left + right).digest()
                        for left, right in zip(pairs, pairs, strict=True)
                    ]
                accumulator._peaks.append(level[0])
                start += width
        accumulator.size = len(hashes)
        return accumulator

    def add(self, leaf: bytes) -> None:
        """Append one leaf."""
        self.add_leaf_hash(_sha256(LEAF_PREFIX + leaf).digest())

    def add_leaf_hash(self, digest: bytes) -> None:
        """Append one leaf given by its `leaf_hash`: it merges with as many peaks as `size`
        has trailing one bits."""
        peaks, size = self._peaks, self.size
        while size & 1:
            digest = _sha256(NODE_PREFIX + peaks.pop() + digest).digest()
            size >>= 1
        peaks.append(digest)
        self.size += 1

    def absorb(self, later: MerkleAccumulator) -> bool:
        """Append the leaves `later` was built over, from its peaks alone, when each of its
        complete subtrees starts at a multiple of its width here (as adding the leaves one
        by one would have built it); False, and nothing changed, when one does not."""
        offset, widths = self.size, []
        for bit in reversed(range(later.size.bit_length())):
            width = 1 << bit
            if later.size & width:
                if offset % width:
                    return False
                widths.append(width)
                offset += width
        for width, peak in zip(widths, later._peaks, strict=True):
            self._add_subtree(width, peak)
        return True

    def _add_subtree(self, width: int, digest: bytes) -> None:
        """Append a complete subtree of `width` leaves (`size` a multiple of `width`)."""
        peaks, size = self._peaks, self.size // width
        while size & 1:
            digest = _sha256(NODE_PREFIX + peaks.pop() + digest).digest()
            size >>= 1
        peaks.append(digest)
        self.size += width

    def copy(self) -> MerkleAccumulator:
        """An accumulator over the same leaves, added to independently of this one."""
        twin = MerkleAccumulator()
        twin.size, twin._peaks = self.size, list(self._peaks)
        return twin

    def root(self) -> bytes:
        """The root over the leaves added so far (the hash of the empty string for none)."""
        if not self._peaks:
            return EMPTY_ROOT
        digest = self._peaks[-1]
        for left in reversed(self._peaks[:-1]):
            digest = node_hash(left, digest)
        return digest


def merkle_root(leaves: Iterable[bytes]) -> bytes:
    """The root over `leaves`, in order."""
    accumulator = MerkleAccumulator()
    for leaf in leaves:
        accumulator.add(leaf)
    return accumulator.root()
