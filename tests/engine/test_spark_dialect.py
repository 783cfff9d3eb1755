"""The dialect layer (DuckDB SQL into Spark SQL) on hand-worked statements; no Spark needed."""

from __future__ import annotations

import datetime as dt

from data.engine.dialect import literal, to_spark


def test_casts_become_cast_calls_with_spark_type_names() -> None:
    sql = "SELECT sum(a.streams)::DOUBLE AS s, t.source::VARCHAR, date_trunc('month', d)::DATE"
    assert to_spark(sql) == (
        "SELECT CAST(sum(a.streams) AS DOUBLE) AS s, CAST(t.source AS STRING), "
        "CAST(date_trunc('month', d) AS DATE)"
    )


def test_nested_casts_and_arg_max() -> None:
    sql = "SELECT arg_max(t.age_band::VARCHAR, t.streams) FROM t"
    assert to_spark(sql) == "SELECT max_by(CAST(t.age_band AS STRING), t.streams) FROM t"


def test_parameters_are_inlined_outside_string_literals() -> None:
    sql = "SELECT * FROM t WHERE d >= ? AND n = '?' AND k IN (?, ?)"
    got = to_spark(sql, [dt.date(2024, 1, 2), "it's", None])
    assert got == (
        "SELECT * FROM t WHERE d >= DATE '2024-01-02' AND n = '?' AND k IN ('it\\'s', NULL)"
    )


def test_literals() -> None:
    assert literal(True) == "TRUE"
    assert literal(3) == "3"
    assert literal(0.5) == "0.5"
    assert literal(dt.datetime(2024, 1, 2, 3, 4, 5)) == "TIMESTAMP '2024-01-02 03:04:05'"
