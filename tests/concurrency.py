"""Real concurrent requests for the concurrency tests: threads against the live server, each
its own connection to the database, released together by a barrier."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request


def race_posts(url: str, token: str | list[str], bodies: list[dict]) -> list[int]:
    """POST each body to ``url`` at once (API token ``token``, or one token per body: two
    people acting at once); the sorted status codes."""
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []
    lock = threading.Lock()
    tokens = token if isinstance(token, list) else [token] * len(bodies)

    def post(body: dict, token: str) -> None:
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the live server
                code = response.status
        except urllib.error.HTTPError as error:
            code = error.code
        with lock:
            statuses.append(code)

    threads = [
        threading.Thread(target=post, args=(body, token))
        for body, token in zip(bodies, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)
