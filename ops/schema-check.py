#!/usr/bin/env python3
"""Validates NDJSON lines against schemas/ with an independent JSON Schema validator.

Usage: schema-check.py SCHEMA_DIR FILE
Prints one word per physical line: ok, blank, or reject (followed by the reason).
JSON is read as strictly as the contract asks: UTF-8 only, no NaN or Infinity, no
duplicate keys, no lone surrogates.
"""
import json
import pathlib
import sys

import jsonschema
from referencing import Registry, Resource


def load_validator(schema_dir):
    resources = []
    for path in sorted(pathlib.Path(schema_dir).glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    root = registry.contents(jsonschema_id(schema_dir))
    return jsonschema.Draft202012Validator(
        root, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def jsonschema_id(schema_dir):
    return json.loads((pathlib.Path(schema_dir) / "event.schema.json").read_text(encoding="utf-8"))["$id"]


def no_duplicates(pairs):
    keys = [key for key, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def no_constants(name):
    raise ValueError("not a JSON number: " + name)


def check_surrogates(value):
    if isinstance(value, str):
        value.encode("utf-8")  # raises on a lone surrogate
    elif isinstance(value, list):
        for item in value:
            check_surrogates(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_surrogates(key)
            check_surrogates(item)


def verdict(validator, raw):
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    if not raw.strip(b" \t\r"):
        return "blank"
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants)
        check_surrogates(value)
    except (UnicodeError, ValueError) as error:
        return "reject bad JSON: %s" % error
    if not isinstance(value, dict):
        return "reject not an object"
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.absolute_path))
    if errors:
        return "reject %s: %s" % ("/".join(map(str, errors[0].absolute_path)) or "-", errors[0].message[:120])
    return "ok"


def main():
    schema_dir, path = sys.argv[1], sys.argv[2]
    validator = load_validator(schema_dir)
    data = pathlib.Path(path).read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for raw in lines:
        print(verdict(validator, raw))


if __name__ == "__main__":
    main()
