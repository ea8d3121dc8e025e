"""Merkle tree hashes in the style of RFC 6962 (Certificate Transparency), sha256.

A leaf hashes as sha256(0x00 || leaf), an inner node as sha256(0x01 || left || right);
a tree of n > 1 leaves splits at the largest power of two below n. `MerkleAccumulator`
computes the same root from a stream of leaves in O(log n) memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


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

    def add(self, leaf: bytes) -> None:
        """Append one leaf: it merges with as many peaks as `size` has trailing one bits."""
        digest = hashlib.sha256(LEAF_PREFIX + leaf).digest()
        peaks, size = self._peaks, self.size
        while size & 1:
            digest = hashlib.sha256(NODE_PREFIX + peaks.pop() + digest).digest()
            size >>= 1
        peaks.append(digest)
        self.size += 1

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
