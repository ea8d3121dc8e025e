from __future__ import annotations

import hashlib

import pytest

from governance.merkle import EMPTY_ROOT, MerkleAccumulator, leaf_hash, merkle_root, node_hash

# The Certificate Transparency test tree (transparency-dev/merkle testonly): leaf inputs and
# the roots over the first n of them.
CT_LEAVES = [
    bytes.fromhex(value)
    for value in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 section 2.1, written directly and recursively."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    split = 1
    while split * 2 < len(leaves):
        split *= 2
    left, right = reference_root(leaves[:split]), reference_root(leaves[split:])
    return hashlib.sha256(b"\x01" + left + right).digest()


def event_hashes(count: int) -> list[bytes]:
    return [hashlib.sha256(str(index).encode()).digest() for index in range(count)]


@pytest.mark.parametrize("count", range(1, 10))
def test_root_matches_the_recursive_definition_for_1_to_9_leaves(count: int) -> None:
    leaves = event_hashes(count)
    assert merkle_root(leaves) == reference_root(leaves)


@pytest.mark.parametrize("count", [0, 15, 16, 17, 100, 1000])
def test_root_matches_the_recursive_definition_for_other_sizes(count: int) -> None:
    leaves = event_hashes(count)
    assert merkle_root(leaves) == reference_root(leaves)


@pytest.mark.parametrize("count", range(1, 9))
def test_root_matches_the_certificate_transparency_vectors(count: int) -> None:
    assert merkle_root(CT_LEAVES[:count]).hex() == CT_ROOTS[count - 1]


def test_accumulator_gives_the_root_of_every_prefix() -> None:
    leaves = event_hashes(40)
    accumulator = MerkleAccumulator()
    for count, leaf in enumerate(leaves, start=1):
        accumulator.add(leaf)
        assert accumulator.size == count
        assert accumulator.root() == reference_root(leaves[:count])


def test_empty_tree_is_the_hash_of_nothing() -> None:
    assert merkle_root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()


def test_leaves_and_nodes_are_domain_separated() -> None:
    left, right = leaf_hash(b"a"), leaf_hash(b"b")
    assert leaf_hash(left + right) != node_hash(left, right)


def test_order_of_leaves_changes_the_root() -> None:
    leaves = event_hashes(5)
    swapped = [leaves[0], leaves[2], leaves[1], *leaves[3:]]
    assert merkle_root(leaves) != merkle_root(swapped)


def leaf_hashes(leaves: list[bytes]) -> list[bytes]:
    return [leaf_hash(leaf) for leaf in leaves]


@pytest.mark.parametrize("count", [0, 1, 2, 3, 7, 8, 13, 64, 100])
def test_an_accumulator_built_from_leaf_hashes_is_the_one_built_leaf_by_leaf(count: int) -> None:
    leaves = event_hashes(count)
    built = MerkleAccumulator.of_leaf_hashes(leaf_hashes(leaves))
    assert built.size == count
    assert built.root() == reference_root(leaves)


@pytest.mark.parametrize(("before", "after"), [(0, 5), (8, 8), (8, 3), (16, 13), (24, 8)])
def test_a_later_run_of_leaves_joins_whole_when_its_subtrees_line_up(
    before: int, after: int
) -> None:
    leaves = event_hashes(before + after)
    accumulator = MerkleAccumulator.of_leaf_hashes(leaf_hashes(leaves[:before]))
    later = MerkleAccumulator.of_leaf_hashes(leaf_hashes(leaves[before:]))
    assert accumulator.absorb(later)
    assert accumulator.size == before + after
    assert accumulator.root() == reference_root(leaves)


@pytest.mark.parametrize(("before", "after"), [(3, 2), (7, 8), (12, 8)])
def test_a_later_run_that_does_not_line_up_is_refused_and_changes_nothing(
    before: int, after: int
) -> None:
    leaves = event_hashes(before + after)
    accumulator = MerkleAccumulator.of_leaf_hashes(leaf_hashes(leaves[:before]))
    later = MerkleAccumulator.of_leaf_hashes(leaf_hashes(leaves[before:]))
    assert not accumulator.absorb(later)
    assert accumulator.root() == reference_root(leaves[:before])
    for digest in leaf_hashes(leaves[before:]):
        accumulator.add_leaf_hash(digest)
    assert accumulator.root() == reference_root(leaves)


def test_a_copy_grows_apart_from_its_original() -> None:
    leaves = event_hashes(6)
    accumulator = MerkleAccumulator.of_leaf_hashes(leaf_hashes(leaves[:4]))
    copy = accumulator.copy()
    copy.add(leaves[4])
    assert accumulator.root() == reference_root(leaves[:4])
    assert copy.root() == reference_root(leaves[:5])
