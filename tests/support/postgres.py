"""A real PostgreSQL server for the tests that need one: a throwaway cluster (initdb) in a
fresh temporary directory, listening on a unix socket there (and a free port number), run
as the `postgres` system user when the tests run as root. Each test gets its own database.
No mock: the state code talks to the server exactly as a deployment does."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.support.app_server import free_port


def bin_dir() -> Path | None:
    """Debian's PostgreSQL server binaries (postgresql package), newest version first."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(found[0]).parent if found else None


class Cluster:
    def __init__(self, root: Path, port: int, runner: list[str]):
        self.root, self.port, self.runner = root, port, runner

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={self.root}&port={self.port}"

    def new_database(self) -> str:
        """A fresh empty database; returns its URL."""
        import sqlalchemy as sa

        name = "t_" + uuid.uuid4().hex[:12]
        engine = sa.create_engine(
            self.url().replace("postgresql://", "postgresql+psycopg://"),
            isolation_level="AUTOCOMMIT",
        )
        with engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return self.url(name)


@contextlib.contextmanager
def running_cluster() -> Iterator[Cluster]:
    """initdb + pg_ctl start in a temporary directory; stopped and removed afterwards."""
    bins = bin_dir()
    if bins is None:
        raise FileNotFoundError("PostgreSQL server binaries not found")
    root = Path(tempfile.mkdtemp(prefix="labelradar-pg-"))
    runner: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as the postgres user
        shutil.chown(root, "postgres", "postgres")
        runner = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()
    try:
        subprocess.run(
            [*runner, str(bins / "initdb"), "-D", str(data), "-U", "postgres",
             "--auth=trust", "--no-sync", "-E", "UTF8"],
            check=True, capture_output=True,
        )  # fmt: skip
        options = f"-k {root} -p {port} -c listen_addresses='' -c fsync=off"
        subprocess.run(
            [*runner, str(bins / "pg_ctl"), "-D", str(data), "-o", options,
             "-l", str(root / "server.log"), "-w", "start"],
            check=True, capture_output=True,
        )  # fmt: skip
        try:
            yield Cluster(root, port, runner)
        finally:
            subprocess.run(
                [*runner, str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
