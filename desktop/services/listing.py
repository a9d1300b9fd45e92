"""Generic list support shared by every list service: search, filters, sort, paging.

Everything happens in SQL: a list service builds one ``select()`` of columns
(joins included), hands it here with its whitelisted search columns, filters
and sort keys, and gets back one page of frozen rows plus the total count.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from desktop.domain.sla import month_bounds
from desktop.errors import UserError

T = TypeVar("T")

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
LIKE_ESCAPE = "\\"

Column = ColumnElement[Any] | sa.orm.QueryableAttribute[Any]
"""Anything usable in a WHERE or ORDER BY clause: a column, a labelled expression."""

Matcher = Callable[[str], ColumnElement[bool]]
"""Given one search term, the condition "this row matches it" (e.g. an EXISTS)."""

FilterHandler = Callable[[object], ColumnElement[bool]]
"""Given a filter value given by the UI, the condition rows must satisfy."""


def _empty_filters() -> Mapping[str, object]:
    return MappingProxyType({})


@dataclass(frozen=True)
class ListQuery:
    """What a list view asks for: free text, filters, one sort key and a page."""

    search: str = ""
    filters: Mapping[str, object] = field(default_factory=_empty_filters)
    sort: str | None = None
    descending: bool = False
    offset: int = 0
    limit: int = DEFAULT_LIMIT
    """At most MAX_LIMIT rows; 0 asks for the count alone."""
    count: bool = True
    """False: skip the COUNT (a view asking for its next page already knows the total)."""


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows; ``total`` counts every row matching the query (None: not asked)."""

    rows: tuple[T, ...]
    total: int | None
    offset: int


@dataclass(frozen=True)
class ListSpec:
    """What a list service allows: its searchable columns, filters and sort keys.

    ``count_from`` is the list's main table: the total is counted on it alone,
    without the joins that only bring names to show. Search columns and filters
    must therefore be columns of that table, or go through :func:`related_contains`
    and :func:`related_filter` (an ``IN (SELECT …)``) for the tables it refers to.
    """

    count_from: sa.FromClause
    search_columns: Sequence[Column]
    sorts: Mapping[str, Column]
    default_sort: str
    tie_breaker: Column
    filters: Mapping[str, FilterHandler] = field(default_factory=dict)
    search_matchers: Sequence[Matcher] = ()
    search_variants: Callable[[str], Iterable[str]] | None = None


# --- search -----------------------------------------------------------------------------


def escape_like(text: str) -> str:
    """Make ``%``, ``_`` and the escape character itself literal in a LIKE pattern."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


class _ILike(FunctionElement[Any]):
    """``column ILIKE pattern``; on SQLite a plain ``LIKE``, already case-insensitive.

    SQLAlchemy renders ``ilike`` on SQLite as ``lower(x) LIKE lower(y)``, which
    ignores the same (ASCII-only) case differences but costs about 2.5 times
    as much over a large table.
    """

    # Not Boolean: SQLite would then render "x LIKE y = 1" in a WHERE clause.
    type = sa.types.NullType()
    inherit_cache = True
    name = "ilike"


@compiles(_ILike)
def _ilike_default(element: _ILike, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = element.clauses
    return compiler.process(column.ilike(pattern, escape=LIKE_ESCAPE), **kw)


@compiles(_ILike, "sqlite")
def _ilike_sqlite(element: _ILike, compiler: SQLCompiler, **kw: Any) -> str:
    column, pattern = element.clauses
    return compiler.process(column.like(pattern, escape=LIKE_ESCAPE), **kw)


def contains(column: Column, term: str) -> ColumnElement[bool]:
    """Case-insensitive "column contains term", the term taken literally.

    The term is lower-cased here too: SQLite only folds ASCII letters, so "ÉLISE"
    typed would otherwise miss "Élise" stored there.
    """
    pattern = sa.literal(f"%{escape_like(term.lower())}%", sa.String())
    return _ILike(column, pattern)


def related_contains(foreign_key: Column, target_id: Column, *columns: Column) -> Matcher:
    """Rows whose referenced row (``foreign_key`` → ``target_id``) has the term in ``columns``."""

    def matcher(term: str) -> ColumnElement[bool]:
        found = sa.or_(*(contains(column, term) for column in columns))
        return foreign_key.in_(sa.select(target_id).where(found))

    return matcher


def search_terms(text: str) -> list[str]:
    """The words of the user's search text (whitespace separated, duplicates dropped)."""
    return list(dict.fromkeys(text.split()))


def search_condition(
    text: str,
    columns: Sequence[Column],
    *,
    matchers: Sequence[Matcher] = (),
    variants: Callable[[str], Iterable[str]] | None = None,
) -> ColumnElement[bool] | None:
    """Every word must be found in at least one column (or matcher); None if no word.

    ``variants`` gives other spellings of a word to look for as well (such as the
    IDNA form of a Unicode domain name); the word itself is always searched.
    """
    conditions = []
    for term in search_terms(text):
        spellings = dict.fromkeys([term, *(variants(term) if variants else ())])
        alternatives = [
            test(spelling)
            for spelling in spellings
            for test in [*(_column_matcher(c) for c in columns), *matchers]
        ]
        conditions.append(sa.or_(*alternatives))
    return sa.and_(*conditions) if conditions else None


def _column_matcher(column: Column) -> Matcher:
    return lambda term: contains(column, term)


# --- filters ----------------------------------------------------------------------------


def _values(value: object) -> list[object]:
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


def _bad_filter(name: str, value: object) -> UserError:
    return UserError(f"Valeur « {value} » non valable pour le filtre « {name} ».")


def enum_filter(column: Column, enum_cls: type[Enum], name: str) -> FilterHandler:
    """Filter on one enum value, or any of several (a list, tuple or set of values)."""

    def handler(value: object) -> ColumnElement[bool]:
        members = []
        for item in _values(value):
            try:
                members.append(enum_cls(item))
            except ValueError:
                raise _bad_filter(name, item) from None
        return column.in_(members)

    return handler


def id_filter(column: Column, name: str) -> FilterHandler:
    """Filter on one id, or any of several."""

    def handler(value: object) -> ColumnElement[bool]:
        ids = []
        for item in _values(value):
            if isinstance(item, bool) or not isinstance(item, int):
                raise _bad_filter(name, item)
            ids.append(item)
        return column.in_(ids)

    return handler


def _month(name: str, value: object) -> date:
    """A month given as a date (any day of it) or as « AAAA-MM »; its first day."""
    if isinstance(value, date):
        return value.replace(day=1)
    if isinstance(value, str):
        try:
            return date.fromisoformat(f"{value.strip()}-01")
        except ValueError:
            pass
    raise _bad_filter(name, value)


def month_filter(column: Column, name: str) -> FilterHandler:
    """Filter a date column that holds months (their first day) on one month."""

    def handler(value: object) -> ColumnElement[bool]:
        return column == _month(name, value)

    return handler


def paris_month_filter(column: Column, name: str) -> FilterHandler:
    """Filter an instant column on a calendar month in Paris time."""

    def handler(value: object) -> ColumnElement[bool]:
        first = _month(name, value)
        start, end = month_bounds(first.year, first.month)
        return sa.and_(column >= start, column < end)

    return handler


def related_filter(foreign_key: Column, target_id: Column, handler: FilterHandler) -> FilterHandler:
    """A filter on a referenced table: ``foreign_key IN (SELECT target_id … WHERE …)``."""
    return lambda value: foreign_key.in_(sa.select(target_id).where(handler(value)))


def bool_filter(column: Column, name: str) -> FilterHandler:
    """Filter on a yes/no column: the value must be True or False."""

    def handler(value: object) -> ColumnElement[bool]:
        if not isinstance(value, bool):
            raise _bad_filter(name, value)
        return column.is_(sa.true()) if value else column.is_(sa.false())

    return handler


def filter_conditions(
    filters: Mapping[str, object], handlers: Mapping[str, FilterHandler]
) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the filters asked for; a None value means "no filter"."""
    conditions = []
    for name, value in filters.items():
        handler = handlers.get(name)
        if handler is None:
            raise UserError(
                f"Filtre inconnu : « {name} ». Filtres possibles : {_choices(handlers)}."
            )
        if value is not None:
            conditions.append(handler(value))
    return conditions


# --- sort and paging --------------------------------------------------------------------


def _choices(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def enum_order(column: Column, enum_cls: type[Enum]) -> ColumnElement[int]:
    """Sort key following the enum's declaration order (e.g. the lifecycle of a status)."""
    return sa.case({member.value: index for index, member in enumerate(enum_cls)}, value=column)


def lower(column: Column) -> ColumnElement[str]:
    """Case-insensitive sort key for text."""
    return sa.func.lower(column)


def order_by_clauses(
    query: ListQuery, sorts: Mapping[str, Column], default: str, tie_breaker: Column
) -> list[ColumnElement[Any]]:
    """ORDER BY for a whitelisted sort key, empty values last, then the id (stable pages).

    While searching, the sort column's index is not walked on SQLite: walking it
    looks up every row in index order until a page of matches is found, which
    for a rare word means the whole table in random order (seconds at 500 000
    rows); scanning the table and sorting the matches is bounded instead.
    """
    key = query.sort or default
    column = sorts.get(key)
    if column is None:
        raise UserError(f"Tri inconnu : « {key} ». Tris possibles : {_choices(sorts)}.")
    if query.search.strip():
        column = _Unindexed(column)
    if query.descending:
        return [column.desc().nulls_last(), tie_breaker.desc()]
    return [column.asc().nulls_last(), tie_breaker.asc()]


class _Unindexed(FunctionElement[Any]):
    """The column as a sort key no index may serve: ``+column`` on SQLite, as is elsewhere."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column: Column) -> None:
        super().__init__(column)
        self.type = column.type


@compiles(_Unindexed)
def _unindexed_default(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return compiler.process(column, **kw)


@compiles(_Unindexed, "sqlite")
def _unindexed_sqlite(element: _Unindexed, compiler: SQLCompiler, **kw: Any) -> str:
    (column,) = element.clauses
    return f"+{compiler.process(column, **kw)}"


def page_bounds(query: ListQuery) -> tuple[int, int]:
    """(offset, limit) with the limit capped to MAX_LIMIT and both made sane (0: no rows)."""
    return max(0, query.offset), max(0, min(query.limit, MAX_LIMIT))


def conditions(query: ListQuery, spec: ListSpec) -> list[ColumnElement[bool]]:
    """The WHERE conditions of the query's filters and search."""
    found = filter_conditions(query.filters, spec.filters)
    searched = search_condition(
        query.search,
        spec.search_columns,
        matchers=spec.search_matchers,
        variants=spec.search_variants,
    )
    return found if searched is None else [*found, searched]


def fetch_page(
    session: Session,
    stmt: Select[Any],
    query: ListQuery,
    spec: ListSpec,
    make_row: Callable[[sa.Row[Any]], T],
) -> Page[T]:
    """Search, filter, count, sort and page ``stmt``: one COUNT and one SELECT.

    The page is found on the main table alone (plus the one join a sort on
    another table needs), then only its rows are joined to what they show: a
    page deep into 500 000 rows then costs an index walk, not 500 000 joins.
    """
    # Sort errors first: an unknown key must fail before any query runs.
    ordering = order_by_clauses(query, spec.sorts, spec.default_sort, spec.tie_breaker)
    where = conditions(query, spec)
    captured = _CAPTURED.get()
    if captured is not None:  # see capture_source(): the list's SELECT, not its rows
        captured.append(ListSource(stmt, query, spec, make_row))
        return Page(rows=(), total=0, offset=0)
    total = None
    if query.count:
        counted = sa.select(sa.func.count()).select_from(spec.count_from).where(*where)
        total = int(session.execute(counted).scalar_one())
    offset, limit = page_bounds(query)
    if limit == 0:
        return Page(rows=(), total=total, offset=offset)
    page_keys = (
        _lean_select(stmt, spec, ordering)
        .where(*where)
        .order_by(*ordering)
        .offset(offset)
        .limit(limit)
    )
    result = session.execute(stmt.where(spec.tie_breaker.in_(page_keys)).order_by(*ordering))
    return Page(rows=tuple(make_row(row) for row in result), total=total, offset=offset)


def _lean_select(
    stmt: Select[Any], spec: ListSpec, ordering: Sequence[ColumnElement[Any]]
) -> Select[Any]:
    """The ids of the rows, from the main table and only the joins the ordering uses."""
    needed = {table for clause in ordering for table in clause._from_objects}
    lean = sa.select(spec.tie_breaker).select_from(spec.count_from)
    for join in reversed(_joins(stmt)):
        if join.right in needed:
            lean = lean.join(join.right, join.onclause, isouter=join.isouter)
    return lean


def _joins(stmt: Select[Any]) -> list[sa.Join]:
    """The joins of ``stmt``'s FROM clause, the last one first."""
    joins = []
    for source in stmt.get_final_froms():
        while isinstance(source, sa.Join):
            joins.append(source)
            source = source.left
    return joins


# --- streaming every row ----------------------------------------------------------------


@dataclass(frozen=True)
class ListSource(Generic[T]):
    """What a list service pages through for a query: its SELECT, spec and row maker."""

    stmt: Select[Any]
    query: ListQuery
    spec: ListSpec
    make_row: Callable[[sa.Row[Any]], T]


_CAPTURED: ContextVar[list[ListSource[Any]] | None] = ContextVar("list_sources", default=None)


def capture_source(fetch: Callable[[ListQuery], object], query: ListQuery) -> ListSource[Any]:
    """The SELECT a list service would page through for ``query``, without running it.

    ``fetch`` (e.g. ``lambda q: list_mailboxes(db, q)``) is called with the capture on
    (for this thread only): :func:`fetch_page` checks the query's sort and filters —
    raising the service's own French errors — then records its source and returns an
    empty page. The list service itself stays the one place its query is defined.
    """
    captured: list[ListSource[Any]] = []
    token = _CAPTURED.set(captured)
    try:
        fetch(query)
    finally:
        _CAPTURED.reset(token)
    if len(captured) != 1:
        raise TypeError("the list service did not page through fetch_page exactly once")
    return captured[0]


def count_rows(session: Session, source: ListSource[Any]) -> int:
    """How many rows match the source's search and filters (one COUNT)."""
    where = conditions(source.query, source.spec)
    counted = sa.select(sa.func.count()).select_from(source.spec.count_from).where(*where)
    return int(session.execute(counted).scalar_one())


def stream_rows(session: Session, source: ListSource[T], *, batch: int = 5000) -> Iterator[T]:
    """Every row of the source's query, in its order, fetched ``batch`` rows at a time.

    One SELECT with the query's search, filters and sort (no paging); rows come
    through a server-side cursor where the driver has one (``yield_per``), so memory
    stays flat over 500 000 rows.
    """
    query, spec = source.query, source.spec
    ordering = order_by_clauses(query, spec.sorts, spec.default_sort, spec.tie_breaker)
    stmt = (
        source.stmt.where(*conditions(query, spec))
        .order_by(*ordering)
        .execution_options(yield_per=max(1, batch))
    )
    make_row = source.make_row
    # Core rows straight from the connection: the ORM adds nothing to a SELECT of columns.
    with contextlib.closing(session.connection().execute(stmt)) as result:
        for partition in result.partitions():
            for row in partition:
                yield make_row(row)


# --- rows -------------------------------------------------------------------------------


def labelled_columns(
    row_cls: type[Any], columns: Mapping[str, Column], *, computed: Iterable[str] = ()
) -> list[Any]:
    """The SELECT list of a row dataclass: its fields' columns, labelled, in order.

    ``columns`` may offer more columns than the dataclass has fields; ``computed``
    names the fields filled in Python from the row (see :func:`row_maker`). A field
    with no column is a programming error, reported at import time.
    """
    skipped = set(computed)
    names = [f.name for f in dataclasses.fields(row_cls) if f.name not in skipped]
    missing = [name for name in names if name not in columns]
    if missing:
        raise TypeError(f"{row_cls.__name__}: no column for {missing}")
    return [columns[name].label(name) for name in names]


def row_maker(
    row_cls: Callable[..., T], computed: Mapping[str, Callable[[sa.Row[Any]], object]] = {}
) -> Callable[[sa.Row[Any]], T]:
    """Build the dataclass from a row selected with :func:`labelled_columns`.

    ``computed`` gives the value of each field filled in Python from the row.
    """

    def make(row: sa.Row[Any]) -> T:
        extra = {name: compute(row) for name, compute in computed.items()}
        return row_cls(**row._mapping, **extra)

    return make
