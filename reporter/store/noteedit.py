"""Adds one bullet to a notes file's text in one local edit; every other byte stays as it was.

The edit is an insertion, or, for `KEY: []`, `KEY: {}`, `KEY: ~` and a bare `KEY:`, the
empty value turned into a block list under the key (a comment after it stays).

Why text edits and not a round-trip YAML library: ruamel.yaml keeps comments but re-flows
flow mappings, long lines and indentation, so the engineer's file would not stay byte for
byte. Here PyYAML's node marks locate the list (or the place where the list or its parent
keys must be created), the new lines are written in the file's own indentation, and the
result is read back and compared with the expected data before anyone writes it.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from reporter.store.yamltext import block_item_lines, key_text, single_line_scalar

# Under a card, a mapping holds its bullets under this key ({notes: [...], links: [...]}).
NOTES_KEY = "notes"


class EditError(ValueError):
    """The file's layout is one this editor does not handle; nothing was changed."""


@dataclass(frozen=True)
class _Style:
    map_offset: int  # columns from a key to the keys of the mapping under it
    seq_offset: int  # columns from a key to the dashes of the list under it
    newline: str


def append_bullet(text: str, path: Sequence[str], bullet: str) -> str:
    """`text` with `bullet` appended to the list at `path`, creating missing keys at the end.

    `path` names mapping keys from the top, e.g. ("sections", "Stratos", "cards", "STR-76");
    when the value found there is a mapping, the bullet goes to its `notes` list. Raises
    EditError when the file's layout cannot be edited in place.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise EditError(f"malformed YAML: {exc}") from None
    before = yaml.safe_load(text) if root is not None else None
    style = _detect_style(root, text)
    editor = _Editor(text, style)
    bullet = bullet.rstrip("\n")
    new_text = editor.append(root, tuple(path), bullet)
    _check(new_text, before, tuple(path), bullet)
    return new_text


def expected_data(before: Any, path: tuple[str, ...], bullet: str) -> Any:
    """The data that `append_bullet` must produce, built on plain Python values."""
    data = copy.deepcopy(before) if before is not None else {}
    _target_list(data, path, create=True).append(bullet)
    return data


def _target_list(data: Any, path: tuple[str, ...], *, create: bool) -> list[Any]:
    """The list at `path` (a card's mapping leads to its `notes`), made when `create`."""
    node = data
    for i, key in enumerate(path):
        if not isinstance(node, dict):
            raise EditError(f"{'.'.join(path[:i]) or 'the file'} is not a mapping")
        if node.get(key) is None or (create and node[key] == {}):
            if not create:
                raise EditError(f"{'.'.join(path[:i + 1])} is missing")
            node[key] = [] if i == len(path) - 1 else {}
        node = node[key]
    if isinstance(node, dict):
        if node.get(NOTES_KEY) is None:
            if not create:
                raise EditError(f"{'.'.join(path)}.{NOTES_KEY} is missing")
            node[NOTES_KEY] = []
        node = node[NOTES_KEY]
    if not isinstance(node, list):
        raise EditError(f"{'.'.join(path)} is not a list of bullets")
    return node


def _check(new_text: str, before: Any, path: tuple[str, ...], bullet: str) -> None:
    try:
        after = yaml.safe_load(new_text)
    except yaml.YAMLError as exc:
        raise EditError(f"the edit would break the YAML ({exc})") from None
    added = _target_list(after, path, create=False)
    # A literal block (`- |`) reads back with its final line break, which readers strip.
    if not added or not isinstance(added[-1], str) or added[-1].rstrip("\n") != bullet:
        raise EditError("the edit did not add the bullet where it belongs")
    added[-1] = bullet
    if after != expected_data(before, path, bullet):
        raise EditError("the edit would change more than the one bullet")


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _is_empty_flow(node: yaml.Node) -> bool:
    return isinstance(node, (yaml.SequenceNode, yaml.MappingNode)) and bool(
        node.flow_style) and not node.value


def _detect_style(root: yaml.Node | None, text: str) -> _Style:
    """The indentation the file already uses for nested mappings and lists (default 2)."""
    maps: Counter[int] = Counter()
    seqs: Counter[int] = Counter()

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(value, (yaml.MappingNode, yaml.SequenceNode)) and \
                        not value.flow_style and value.value:
                    offset = value.start_mark.column - key.start_mark.column
                    (maps if isinstance(value, yaml.MappingNode) else seqs)[offset] += 1
                walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)

    if root is not None:
        walk(root)
    map_offset = maps.most_common(1)[0][0] if maps else 2
    seq_offset = seqs.most_common(1)[0][0] if seqs else 2
    return _Style(max(map_offset, 1), max(seq_offset, 0), "\r\n" if "\r\n" in text else "\n")


class _Editor:
    """Makes exactly one replacement in the text; everything around it is kept as it is."""

    def __init__(self, text: str, style: _Style) -> None:
        self.text = text
        self.style = style

    # -- the walk -------------------------------------------------------

    def append(self, root: yaml.Node | None, path: tuple[str, ...], bullet: str) -> str:
        if root is None:
            return self._append_lines(len(self.text), self._chain_lines(path, bullet, 0))
        node = root
        key_node: yaml.Node | None = None
        for i, key in enumerate(path):
            if _is_null(node) or _is_empty_flow(node):
                return self._replace_value(node, key_node, path[i:], bullet)
            if not isinstance(node, yaml.MappingNode):
                raise EditError(f"{'.'.join(path[:i]) or 'the file'} is not a mapping")
            found = _lookup(node, key)
            if found is None:
                return self._add_keys(node, path[i:], bullet)
            key_node, node = found
        if isinstance(node, yaml.MappingNode) and not _is_empty_flow(node):
            found = _lookup(node, NOTES_KEY)
            if found is None:
                return self._add_keys(node, (NOTES_KEY,), bullet)
            key_node, node = found
        if _is_null(node) or _is_empty_flow(node):
            return self._replace_value(node, key_node, (), bullet)
        if isinstance(node, yaml.SequenceNode):
            if node.flow_style:
                return self._append_flow_item(node, bullet)
            return self._append_block_item(node, bullet)
        raise EditError(f"{'.'.join(path)} is not a list of bullets")

    # -- the edits --------------------------------------------------------

    def _append_block_item(self, seq: yaml.SequenceNode, bullet: str) -> str:
        lines = block_item_lines(bullet, seq.start_mark.column)
        return self._append_lines(self._after_node(seq), lines)

    def _append_flow_item(self, seq: yaml.SequenceNode, bullet: str) -> str:
        close = seq.end_mark.index - 1
        if self.text[close] != "]":
            raise EditError("a flow list that does not end with `]`")
        pos = close
        while pos > 0 and self.text[pos - 1] in " \t\r\n":
            pos -= 1
        sep = " " if self.text[pos - 1] == "," else ", "
        return self._splice(pos, pos, sep + single_line_scalar(bullet, flow=True))

    def _add_keys(self, mapping: yaml.MappingNode, keys: tuple[str, ...], bullet: str) -> str:
        if mapping.flow_style:
            close = mapping.end_mark.index - 1
            if self.text[close] != "}":
                raise EditError("a flow mapping that does not end with `}`")
            pos = close
            while pos > 0 and self.text[pos - 1] in " \t\r\n":
                pos -= 1
            sep = " " if self.text[pos - 1] == "," else ", "
            return self._splice(pos, pos, sep + _flow_chain(keys, bullet))
        lines = self._chain_lines(keys, bullet, mapping.start_mark.column)
        return self._append_lines(self._after_node(mapping), lines)

    def _replace_value(self, value: yaml.Node, key: yaml.Node | None, keys: tuple[str, ...],
                       bullet: str) -> str:
        """Turn `KEY: []`, `KEY: {}`, `KEY: ~` or a bare `KEY:` into a block under KEY."""
        if key is None:  # the whole document is `~`, `{}` or `[]`
            if keys and isinstance(value, yaml.SequenceNode):
                raise EditError("the file is a list, not a mapping")
            start, end = value.start_mark.index, value.end_mark.index
            lines = self._chain_lines(keys, bullet, 0)
            return self._splice(start, end, self.style.newline.join(lines))
        if keys and isinstance(value, yaml.SequenceNode):
            raise EditError(f"{key.value!r} is a list, not a mapping")
        start, end = value.start_mark.index, value.end_mark.index
        if start != end:
            while start > 0 and self.text[start - 1] in " \t":
                start -= 1
        key_col = key.start_mark.column
        if keys:
            lines = self._chain_lines(keys, bullet, key_col + self.style.map_offset)
        else:
            lines = block_item_lines(bullet, key_col + self.style.seq_offset)
        # Keep whatever followed the value on its line (a comment), then add the lines.
        eol = self.text.find("\n", end)
        rest_end = len(self.text) if eol < 0 else eol + 1
        rest = self.text[end:rest_end]
        if eol < 0:
            rest += self.style.newline
        block = "".join(line + self.style.newline for line in lines)
        return self.text[:start] + rest + block + self.text[rest_end:]

    # -- helpers ------------------------------------------------------------

    def _chain_lines(self, keys: tuple[str, ...], bullet: str, column: int) -> list[str]:
        """`k1:` / `  k2:` / ... / `- bullet`, starting at `column`."""
        lines = []
        for i, key in enumerate(keys):
            lines.append(" " * column + key_text(key) + ":")
            column += self.style.seq_offset if i == len(keys) - 1 else self.style.map_offset
        lines.extend(block_item_lines(bullet, column))
        return lines

    def _after_node(self, node: yaml.Node) -> int:
        """The index just after the line on which `node`'s last content ends."""
        while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style \
                and node.value:
            last = node.value[-1]
            node = last[1] if isinstance(node, yaml.MappingNode) else last
        end = node.end_mark.index
        if end == 0 or self.text[end - 1] == "\n":
            return end  # a block scalar ends at the start of the next line
        eol = self.text.find("\n", end)
        return len(self.text) if eol < 0 else eol + 1

    def _append_lines(self, pos: int, lines: list[str]) -> str:
        nl = self.style.newline
        prefix = nl if pos > 0 and not self.text[:pos].endswith("\n") else ""
        return self._splice(pos, pos, prefix + "".join(line + nl for line in lines))

    def _splice(self, start: int, end: int, new: str) -> str:
        return self.text[:start] + new + self.text[end:]


def _lookup(mapping: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return key_node, value_node
    return None


def _flow_chain(keys: tuple[str, ...], bullet: str) -> str:
    inner = f"[{single_line_scalar(bullet, flow=True)}]"
    for key in reversed(keys[1:]):
        inner = f"{{{_flow_key(key)}: {inner}}}"
    return f"{_flow_key(keys[0])}: {inner}"


def _flow_key(key: str) -> str:
    return single_line_scalar(key, flow=True)
