"""Loads a YAML file safely and remembers the line of every key and item."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

KeyPath = tuple[str | int, ...]


@dataclass
class YamlDoc:
    path: Path
    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, keypath: KeyPath) -> int:
        """The 1-based line of `keypath`, or of its nearest ancestor that has one."""
        path = tuple(keypath)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def where(self, keypath: KeyPath) -> str:
        """`file:line: key.path` for messages."""
        dotted = format_keypath(keypath)
        loc = f"{self.path}:{self.line(keypath)}"
        return f"{loc}: {dotted}" if dotted else loc


def format_keypath(keypath: KeyPath) -> str:
    out = ""
    for part in keypath:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class YamlSyntaxError(ValueError):
    """The file is not valid YAML; str() names the file and the line."""


def load_yaml_text(text: str, path: Path) -> YamlDoc:
    try:
        # The C parser, where PyYAML has it, gives the same nodes and marks, faster.
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlSyntaxError(f"{path}:{line}: malformed YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(f"{path}: malformed YAML: {exc}") from None
    if node is None:
        return YamlDoc(path, None, {(): 1})
    lines: dict[KeyPath, int] = {}
    _walk(node, (), lines, path)
    loader = yaml.SafeLoader("")
    try:
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(f"{path}:{line}: malformed YAML: {exc}") from None
    except ValueError as exc:
        # An impossible date (2026-02-30) matches YAML's timestamp pattern, and the
        # datetime constructor refuses it with a ValueError that carries no line.
        bad = _bad_timestamp(node, loader)
        where = f"{path}:{bad.start_mark.line + 1}" if bad is not None else str(path)
        value = f" {bad.value!r}" if bad is not None else ""
        raise YamlSyntaxError(f"{where}: not a real date{value}: {exc}") from None
    finally:
        loader.dispose()
    return YamlDoc(path, data, lines)


def _bad_timestamp(node: yaml.Node, loader: yaml.SafeLoader) -> yaml.ScalarNode | None:
    """The first timestamp scalar under `node` that no date or datetime can hold."""
    stack = [node]
    while stack:
        current = stack.pop(0)
        if isinstance(current, yaml.ScalarNode):
            if current.tag == "tag:yaml.org,2002:timestamp":
                try:
                    loader.construct_yaml_timestamp(current)
                except ValueError:
                    return current
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                stack.extend((key, value))
    return None


def load_yaml_file(path: Path) -> YamlDoc:
    """Read `path`; OSError and YamlSyntaxError name the file."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return load_yaml_text(text, path)


def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], file: Path) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key: Any = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            line = key_node.start_mark.line + 1
            if key in seen and key != "<<":
                raise YamlSyntaxError(
                    f"{file}:{line}: duplicate key {key!r} (first at line {seen[key]})"
                )
            seen[key] = line
            _walk(value_node, path + (key,), lines, file)
            lines[path + (key,)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), lines, file)
