"""Query limits: tokens, depth, aliases, root fields and node cost, before anything runs.

Everything here is document-level work, done once per request and never per
field. Depth, aliases and root fields are one graphql-core validation rule, so
a validation cache keyed by document keeps working; the node cost needs the
request's variables (`first: $n`), so the document is compiled once into a
small cost program (cached by document text) that each request evaluates.

Cost, in the style of GitHub's node limit: the most nodes a query can return.
Every connection field (one with `first` and `last` arguments) counts its page
size -- `first` or `last`, the configured default page size when both are
omitted, clamped to the maximum page size -- times the page sizes of the
connections above it. Fragments on several types all count (an upper bound).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError

from backfill_gateway.settings import Settings
from backfill_gateway.web.execution.errors import QUERY_TOO_COMPLEX

TOKEN_LIMIT_MESSAGE = "Document contains more than"


@dataclass(frozen=True)
class QueryLimits:
    max_tokens: int
    max_depth: int
    max_aliases: int
    max_root_fields: int
    max_cost: int
    default_page_size: int
    max_page_size: int
    introspection: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryLimits:
        return cls(
            max_tokens=settings.max_query_tokens,
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_query_aliases,
            max_root_fields=settings.max_root_fields,
            max_cost=settings.max_query_cost,
            default_page_size=settings.default_page_size,
            max_page_size=settings.max_page_size,
            introspection=settings.introspection,
        )


def too_complex(message: str, nodes=None, **extra: Any) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": QUERY_TOO_COMPLEX.code, **extra})


def mark_token_limit(error: GraphQLError, max_tokens: int) -> bool:
    """Turn graphql-core's "more than N tokens" syntax error into QUERY_TOO_COMPLEX."""
    if TOKEN_LIMIT_MESSAGE not in error.message:
        return False
    error.message = f"The document has more than {max_tokens} tokens; the limit is {max_tokens}."
    error.extensions = {"code": QUERY_TOO_COMPLEX.code, "maxTokens": max_tokens}
    return True
