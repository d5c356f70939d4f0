"""Exit 0 if the PostgreSQL and Redis named on the command line answer, 1 (saying why) if not."""

from __future__ import annotations

import sys

import psycopg
import redis


def main(database_url: str, redis_url: str) -> int:
    try:
        psycopg.connect(database_url.replace("/openapp", "/postgres"), connect_timeout=3).close()
    except psycopg.Error as error:
        print(f"PostgreSQL at {database_url} is not reachable: {error}".strip())
        return 1
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        print(f"Redis at {redis_url} is not reachable: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
