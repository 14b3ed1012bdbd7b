"""Every schema in the OpenAPI document has a name of its own.

Ninja files each pydantic class under its name in `components/schemas`; two classes with one
name silently overwrite each other, and an operation then documents the other class's body (the
ledger's `POST …/ledger/entries` once showed the joint reviews' `EntryIn`). This walks every
operation's parameters, body and responses down to each nested class, so it guards the schemas
of every app, new ones included.
"""

import enum
import types
import typing

from pydantic import BaseModel

from consortia.api import api


def _classes_in(annotation, found: set) -> None:
    """Every pydantic model and enum reachable from a type annotation."""
    if annotation is None:
        return
    origin = typing.get_origin(annotation)
    if origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            _classes_in(arg, found)
        return
    if not isinstance(annotation, type):
        return
    if issubclass(annotation, enum.Enum):
        found.add(annotation)
    elif issubclass(annotation, BaseModel) and annotation not in found:
        found.add(annotation)
        for field in annotation.model_fields.values():
            _classes_in(field.annotation, found)


def _operations():
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield path, operation


def schema_classes() -> dict[str, set]:
    """{component name: the classes the document would file under it}."""
    by_name: dict[str, set] = {}
    for _path, operation in _operations():
        wrappers = list(operation.models) + [
            m for m in operation.response_models.values() if isinstance(m, type)
        ]
        found: set = set()
        for wrapper in wrappers:
            # The wrappers Ninja builds per operation (PathParams, BodyParams, the response
            # model) are flattened away; what they hold becomes components.
            for field in wrapper.model_fields.values():
                _classes_in(field.annotation, found)
        for cls in found:
            by_name.setdefault(cls.__name__, set()).add(_identity(cls))
    return by_name


def _identity(cls):
    """The class itself; Ninja's pagination builds a `Paged<Item>` class per operation, and
    two of those are one schema when they hold the same item class."""
    if cls.__module__ == "abc" and cls.__name__.startswith("Paged"):
        return ("Paged", tuple((n, f.annotation) for n, f in cls.model_fields.items()))
    return cls


def test_it_gives_every_schema_class_a_name_of_its_own():
    clashes = {
        name: sorted(repr(c) for c in classes)
        for name, classes in schema_classes().items()
        if len(classes) > 1
    }
    assert clashes == {}


def test_it_finds_the_components_of_the_document():
    """The walk above sees what Ninja puts in the document (so the first test means something)."""
    components = set(api.get_openapi_schema()["components"]["schemas"])
    names = set(schema_classes())
    assert names <= components
    assert {"LedgerEntryIn", "ReviewEntryIn"} <= components


def test_it_documents_the_ledger_body_as_a_ledger_entry():
    document = api.get_openapi_schema()
    body = document["paths"]["/api/v1/networks/{slug}/ledger/entries"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    name = ref.rsplit("/", 1)[-1]
    properties = document["components"]["schemas"][name]["properties"]
    assert {"direction", "amount"} <= set(properties)
