"""The committed SDL is the code's SDL, and everything in it is described."""

from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
)

from backfill_gateway.web.execution.executable_schema import build_schema

schema = build_schema()

SDL_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_graphql_matches_the_code():
    committed = SDL_PATH.read_text()
    assert committed == schema.as_str() + "\n", (
        "schema.graphql is out of date: run `make schema` (backfill-gateway schema > schema.graphql)"
    )


def test_every_type_field_argument_and_enum_value_has_a_description():
    missing = []
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__"):
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, (GraphQLObjectType, GraphQLInterfaceType)):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                missing += [
                    f"{name}.{field_name}({arg})" for arg, a in field.args.items() if not a.description
                ]
        elif isinstance(graphql_type, GraphQLInputObjectType):
            missing += [f"{name}.{f}" for f, v in graphql_type.fields.items() if not v.description]
        elif isinstance(graphql_type, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, d in graphql_type.values.items() if not d.description]
        elif isinstance(graphql_type, GraphQLScalarType) and not graphql_type.description:
            missing.append(name)
    builtin = {"String", "Int", "Float", "Boolean", "ID"}
    assert [m for m in missing if m not in builtin] == []
